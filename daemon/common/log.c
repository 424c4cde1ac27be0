/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log: one line per message on stderr. "%m" in a format refers to the
 * error passed in, not to errno, so callers can log a returned -errno.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

static int log_max_level = LOG_INFO;
static int log_prefix_priority;
static const char *log_program = "nfwall";

void log_set_max_level(int level) {
        log_max_level = level;
}

int log_get_max_level(void) {
        return log_max_level;
}

void log_set_prefix_priority(int enabled) {
        log_prefix_priority = enabled;
}

void log_set_program(const char *name) {
        log_program = name;
}

int log_internal(int level, int error, const char *fmt, ...) {
        int saved = errno;
        va_list ap;

        if (error < 0)
                error = -error;
        if (level > log_max_level)
                return -error;

        if (log_prefix_priority)
                fprintf(stderr, "<%d>", level);
        else
                fprintf(stderr, "%s: ", log_program);

        /* glibc expands %m from errno: make it the error we were given. */
        errno = error;
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);

        errno = saved;
        return -error;
}
