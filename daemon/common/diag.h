/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Diagnostics as data. Every stage below the top (parse, check, compile,
 * netlink) appends Diag records; only main, manager, control and nfwallctl
 * render them, once, as "FILE:LINE:COL: error: message".
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "macro.h"

typedef struct SourceLoc {
        const char *file;       /* borrowed: owned by whoever made the location */
        unsigned line;          /* 1-based; 0 = no line */
        unsigned column;        /* 1-based; 0 = whole line */
} SourceLoc;

#define SOURCE_LOC_NULL ((SourceLoc){})

typedef enum DiagLevel {
        DIAG_ERROR,
        DIAG_WARNING,
        DIAG_NOTE,
        _DIAG_LEVEL_MAX,
        _DIAG_LEVEL_INVALID = -EINVAL,
} DiagLevel;

/*
 * What kind of problem: callers (tests, the conformance harness, the
 * control protocol) decide on this, never on message text.
 */
typedef enum DiagCode {
        DIAG_SYNTAX,            /* malformed input: bad token, missing argument, ... */
        DIAG_UNSUPPORTED,       /* valid iptables, but an extension or option nfwall refuses */
        DIAG_SEMANTIC,          /* well-formed but wrong: unknown chain, bad combination */
        DIAG_KERNEL,            /* the kernel refused it */
        DIAG_IO,                /* reading or writing a file */
        DIAG_PARAMETER,         /* well-formed, but a parameter iptables refuses as it reads the command line
                                 * (its PARAMETER_PROBLEM, exit 2): a jump to no chain, -o in INPUT, ... */
        _DIAG_CODE_MAX,
        _DIAG_CODE_INVALID = -EINVAL,
} DiagCode;

typedef struct Diag {
        char *file;             /* owned copy: diagnostics outlive their sources */
        unsigned line;
        unsigned column;
        DiagLevel level;
        DiagCode code;
        char *message;
} Diag;

typedef struct DiagList {
        Diag *items;
        size_t n_items;
        size_t n_allocated;
        size_t n_errors;
        size_t max_items;       /* 0 = unbounded; further diagnostics are counted, not stored */
        size_t n_dropped;
} DiagList;

#define DIAG_LIST_INIT ((DiagList){})

DECLARE_STRING_TABLE_LOOKUP(diag_level, DiagLevel);
DECLARE_STRING_TABLE_LOOKUP(diag_code, DiagCode);

void diag_list_deinit(DiagList *l);
int diag_list_addv(DiagList *l, DiagLevel level, DiagCode code, const SourceLoc *loc,
                   const char *fmt, va_list ap) _printf_(5, 0);
int diag_list_add(DiagList *l, DiagLevel level, DiagCode code, const SourceLoc *loc,
                  const char *fmt, ...) _printf_(5, 6);
int diag_list_append(DiagList *dst, const DiagList *src);
void diag_list_clear(DiagList *l);
/* Orders by file, line and column, keeping the order of equal positions. */
void diag_list_sort(DiagList *l);

static inline bool diag_list_has_errors(const DiagList *l) {
        return l->n_errors > 0;
}

int diag_format(const Diag *d, FILE *f);
int diag_list_print(const DiagList *l, FILE *f);
