/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Reading small text files whole, for the settings reader and nfwallctl. */

#include <stddef.h>
#include <stdio.h>

#include "macro.h"

static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}

/*
 * All of path ("-" = stdin), NUL-terminated, into *ret; returns its size.
 * -EFBIG above max bytes, -EISDIR for a directory, else -errno.
 */
int read_text_file(const char *path, size_t max, char **ret);
