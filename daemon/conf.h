/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Settings: the daemon's view of nfwall.conf (libconfig), one key per
 * iptables-config variable plus paths. Parsing is strict and complete:
 * every wrong type, unknown key or bad value becomes a diagnostic with
 * file:line, and nothing here logs.
 */

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "macro.h"

/* Upper bound for a settings file; anything larger is not a settings file. */
#define SETTINGS_FILE_MAX (1024 * 1024)

typedef enum SettingKey {
        SETTING_MODULES,
        SETTING_MODULES_UNLOAD,
        SETTING_SAVE_ON_STOP,
        SETTING_SAVE_ON_RESTART,
        SETTING_SAVE_COUNTER,
        SETTING_STATUS_NUMERIC,
        SETTING_STATUS_VERBOSE,
        SETTING_STATUS_LINENUMBERS,
        SETTING_RULES_V4,
        SETTING_RULES_V6,
        SETTING_CONTROL_SOCKET,
        SETTING_CONTROL_GROUP,
        SETTING_FALLBACK_RULES_V4,
        SETTING_FALLBACK_RULES_V6,
        _SETTING_KEY_MAX,
        _SETTING_KEY_INVALID = -EINVAL,
} SettingKey;

typedef struct Settings {
        char **modules;                 /* NULL-terminated, never NULL */
        size_t n_modules;
        bool modules_unload;            /* on stop */
        bool save_on_stop;
        bool save_on_restart;
        bool save_counter;
        bool status_numeric;
        bool status_verbose;
        bool status_linenumbers;
        char *rules_v4;                 /* absolute paths, never NULL */
        char *rules_v6;
        char *control_socket;
        char *control_group;            /* never NULL; "" = root only */
        char *fallback_rules_v4;        /* NULL = on a broken rules file keep what our tables hold */
        char *fallback_rules_v6;

        /* Where each value came from, so later checks (group lookup, bind) can point there. */
        char *path;                     /* NULL for built-in defaults */
        unsigned line[_SETTING_KEY_MAX]; /* 0 = default */
} Settings;

DECLARE_STRING_TABLE_LOOKUP(setting_key, SettingKey);

int settings_new(Settings **ret);
Settings *settings_free(Settings *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(Settings *, settings_free);

/*
 * Both return 0, or -EINVAL with at least one error in diags (nothing in
 * *ret), or -ENOENT/-EACCES/... with a DIAG_IO diagnostic when the file
 * cannot be read, or -ENOMEM. Every error in the input is reported, not
 * only the first (libconfig's own syntax errors excepted: it stops at the
 * first one).
 */
int settings_load(const char *path, Settings **ret, DiagList *diags);
/* name: what diagnostics call the input; NULL for "<string>". */
int settings_load_string(const char *text, const char *name, Settings **ret, DiagList *diags);

/* The location of a key's value, for diagnostics raised after loading. */
SourceLoc settings_source(const Settings *s, SettingKey key);
