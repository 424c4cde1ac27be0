/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * diag: the diagnostic list every pipeline stage fills and the one place
 * that renders it, in the compilers' "FILE:LINE:COL: level: message" form.
 */

#include <stdlib.h>
#include <string.h>

#include "diag.h"

static const char *const diag_level_table[_DIAG_LEVEL_MAX] = {
        [DIAG_ERROR] = "error",
        [DIAG_WARNING] = "warning",
        [DIAG_NOTE] = "note",
};
DEFINE_STRING_TABLE_LOOKUP(diag_level, DiagLevel);

static const char *const diag_code_table[_DIAG_CODE_MAX] = {
        [DIAG_SYNTAX] = "syntax",
        [DIAG_UNSUPPORTED] = "unsupported",
        [DIAG_SEMANTIC] = "semantic",
        [DIAG_KERNEL] = "kernel",
        [DIAG_IO] = "io",
        [DIAG_PARAMETER] = "parameter",
};
DEFINE_STRING_TABLE_LOOKUP(diag_code, DiagCode);

static void diag_deinit(Diag *d) {
        free(d->file);
        free(d->message);
}

void diag_list_clear(DiagList *l) {
        for (size_t i = 0; i < l->n_items; i++)
                diag_deinit(&l->items[i]);
        l->n_items = 0;
        l->n_errors = 0;
        l->n_dropped = 0;
}

void diag_list_deinit(DiagList *l) {
        if (!l)
                return;
        diag_list_clear(l);
        free(l->items);
        l->items = NULL;
        l->n_allocated = 0;
}

static int diag_list_push(DiagList *l, Diag *d) {
        if (d->level == DIAG_ERROR)
                l->n_errors++;
        if (l->max_items > 0 && l->n_items >= l->max_items) {
                l->n_dropped++;
                diag_deinit(d);
                return 0;
        }
        if (l->n_items == l->n_allocated) {
                size_t n = l->n_allocated ? l->n_allocated * 2 : 8;
                Diag *items = reallocarray(l->items, n, sizeof(Diag));
                if (!items) {
                        diag_deinit(d);
                        return -ENOMEM;
                }
                l->items = items;
                l->n_allocated = n;
        }
        l->items[l->n_items++] = *d;
        return 0;
}

int diag_list_addv(DiagList *l, DiagLevel level, DiagCode code, const SourceLoc *loc,
                   const char *fmt, va_list ap) {
        Diag d = {
                .level = level,
                .code = code,
                .line = loc ? loc->line : 0,
                .column = loc ? loc->column : 0,
        };

        if (vasprintf(&d.message, fmt, ap) < 0)
                return -ENOMEM;
        if (loc && loc->file) {
                d.file = strdup(loc->file);
                if (!d.file) {
                        diag_deinit(&d);
                        return -ENOMEM;
                }
        }
        return diag_list_push(l, &d);
}

int diag_list_add(DiagList *l, DiagLevel level, DiagCode code, const SourceLoc *loc,
                  const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = diag_list_addv(l, level, code, loc, fmt, ap);
        va_end(ap);
        return r;
}

int diag_list_append(DiagList *dst, const DiagList *src) {
        size_t stored_errors = 0;

        for (size_t i = 0; i < src->n_items; i++) {
                const Diag *s = &src->items[i];
                SourceLoc loc = { .file = s->file, .line = s->line, .column = s->column };
                int r = diag_list_add(dst, s->level, s->code, &loc, "%s", s->message);
                if (r < 0)
                        return r;
                if (s->level == DIAG_ERROR)
                        stored_errors++;
        }
        /* errors src counted but did not keep still count */
        dst->n_errors += src->n_errors - stored_errors;
        dst->n_dropped += src->n_dropped;
        return 0;
}

static int diag_compare(const Diag *a, const Diag *b) {
        int c = strcmp(strempty(a->file), strempty(b->file));
        if (c)
                return c;
        if (a->line != b->line)
                return a->line < b->line ? -1 : 1;
        if (a->column != b->column)
                return a->column < b->column ? -1 : 1;
        return 0;
}

void diag_list_sort(DiagList *l) {
        /* Insertion sort: stable, and the lists are short and nearly sorted. */
        for (size_t i = 1; i < l->n_items; i++) {
                Diag d = l->items[i];
                size_t j = i;
                while (j > 0 && diag_compare(&l->items[j - 1], &d) > 0) {
                        l->items[j] = l->items[j - 1];
                        j--;
                }
                l->items[j] = d;
        }
}

int diag_format(const Diag *d, FILE *f) {
        if (d->file)
                fputs(d->file, f);
        if (d->line > 0)
                fprintf(f, "%s%u", d->file ? ":" : "line ", d->line);
        if (d->line > 0 && d->column > 0)
                fprintf(f, ":%u", d->column);
        if (d->file || d->line > 0)
                fputs(": ", f);
        fprintf(f, "%s: %s\n", diag_level_to_string(d->level), d->message);
        return ferror(f) ? -EIO : 0;
}

int diag_list_print(const DiagList *l, FILE *f) {
        for (size_t i = 0; i < l->n_items; i++) {
                int r = diag_format(&l->items[i], f);
                if (r < 0)
                        return r;
        }
        if (l->n_dropped > 0)
                fprintf(f, "note: %zu further diagnostics not shown\n", l->n_dropped);
        return ferror(f) ? -EIO : 0;
}
