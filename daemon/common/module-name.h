/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * What a kernel module name in the settings may look like. Shared by the
 * settings parser and "nfwallctl import-config", so that every converted
 * file is one the daemon accepts.
 */

#include <stdbool.h>
#include <string.h>

#define MODULE_NAME_MAX 255

/*
 * Names and aliases as modprobe takes them. '/' would make it a path, and
 * whitespace almost always means "a b" was pasted from IPTABLES_MODULES
 * into one list element. Quotes and backslashes never occur in module
 * names; refusing them keeps the names printable without escaping.
 */
static inline bool module_name_is_valid(const char *name) {
        size_t n = strlen(name);

        if (n == 0 || n > MODULE_NAME_MAX)
                return false;
        for (const char *p = name; *p; p++)
                if (*p <= ' ' || *p >= 0x7f || strchr("/\"'\\", *p))
                        return false;
        return true;
}
