/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fileio: whole-file reads with a size bound, shared by the settings reader
 * and nfwallctl, which both take files a user names.
 */

#include <stdlib.h>
#include <sys/stat.h>

#include "fileio.h"

int read_text_file(const char *path, size_t max, char **ret) {
        _cleanup_(fclosep) FILE *owned = NULL;
        _cleanup_free_ char *buf = NULL;
        FILE *f = stdin;
        size_t n;

        if (!streq(path, "-")) {
                struct stat st;

                f = owned = fopen(path, "re");
                if (!f)
                        return negative_errno();
                if (fstat(fileno(f), &st) < 0)
                        return negative_errno();
                if (S_ISDIR(st.st_mode))
                        return -EISDIR;
        }

        /* one byte more than allowed tells a file at the limit from a larger one */
        buf = malloc(max + 2);
        if (!buf)
                return -ENOMEM;
        n = fread(buf, 1, max + 1, f);
        if (ferror(f))
                return -EIO;
        if (n > max)
                return -EFBIG;
        buf[n] = 0;

        *ret = TAKE_PTR(buf);
        return (int)n;
}
