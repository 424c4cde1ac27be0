/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-conf: libFuzzer target for the settings parser (libconfig plus our
 * validation), fed through settings_load_string().
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/*
 * libconfig 1.5 leaks a string token's buffers when the token causes a
 * syntax error (the input '""' is enough). Its bug, a few bytes per
 * refused file; without this every run would stop there. Only
 * allocations made inside libconfig match.
 */
const char *__lsan_default_suppressions(void) {
        return "leak:libconfig.so\n";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(diag_list_deinit) DiagList diags = DIAG_LIST_INIT;
        _cleanup_(settings_freep) Settings *s = NULL;
        _cleanup_free_ char *text = NULL, *rendered = NULL;
        size_t rendered_size = 0;
        FILE *f;
        int r;

        /* settings_load() refuses larger files before parsing; so do we. */
        if (size > SETTINGS_FILE_MAX)
                return 0;

        /* The parser takes a C string; an embedded NUL just ends it early. */
        text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = 0;

        r = settings_load_string(text, "fuzz.conf", &s, &diags);

        /* The contract: success and errors never come together, nor failure without one. */
        if (r == 0 && (diags.n_errors > 0 || !s))
                abort();
        if (r == -EINVAL && (diags.n_errors == 0 || s))
                abort();

        /* Every diagnostic must render, as the daemon will print it. */
        f = open_memstream(&rendered, &rendered_size);
        if (!f)
                return 0;
        (void)diag_list_print(&diags, f);
        fclose(f);
        return 0;
}
