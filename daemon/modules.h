/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Kernel modules the settings list (`modules`): loaded on start and
 * reload, unloaded on stop when `modules_unload` is set. Built-in modules
 * are recognised and skipped, never reported as failures. Nothing here
 * logs: every module's outcome is a diagnostic (a note for what was
 * skipped, an error for what failed) at the settings' line.
 */

#include <stdbool.h>

#include "diag.h"

typedef enum ModuleState {
        MODULE_NO_SUPPORT,      /* the kernel has no module support: built in, or absent */
        MODULE_BUILTIN,
        MODULE_LIVE,            /* loaded */
        MODULE_COMING,          /* being loaded or unloaded right now */
        MODULE_GOING,
        MODULE_NOT_LOADED,      /* neither built in nor loaded: a candidate for loading */
        _MODULE_STATE_MAX,
        _MODULE_STATE_INVALID = -EINVAL,
} ModuleState;

DECLARE_STRING_TABLE_LOOKUP(module_state, ModuleState);

/*
 * What the running kernel says about a module, by its name as /sys/module
 * spells it ('-' and '_' are the same). root is prepended to /proc and
 * /sys, for tests; NULL or "" for the real ones.
 */
ModuleState module_state(const char *root, const char *name);

/*
 * Loads each module (its dependencies with it, honouring modprobe.d's
 * blacklist). loc: where the list came from, for the diagnostics.
 * Return: 0 when every module is loaded or built in, else the first
 * failure's negative errno (each failure has its diagnostic); -ENOMEM.
 */
int modules_load(char *const *names, const SourceLoc *loc, DiagList *diags);

/*
 * Unloads the modules, the last listed first (so a helper goes before
 * the module it uses). Built-in modules, modules not loaded and modules
 * still in use are skipped with a note or warning, not an error: the
 * firewall is stopped whatever the modules do.
 * Return: 0, or the first failed removal's negative errno; -ENOMEM.
 */
int modules_unload(char *const *names, const SourceLoc *loc, DiagList *diags);
