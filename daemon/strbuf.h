/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * A growable text buffer for the printer. Printing 100k rules must cost
 * well under a microsecond each, which rules out stdio's format parsing
 * on the hot path; these appenders are plain copies.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"

typedef struct StrBuf {
        char *data;             /* NUL-terminated whenever len > 0 */
        size_t len;
        size_t cap;
        int error;              /* first -ENOMEM; later appends are no-ops */
} StrBuf;

#define STRBUF_INIT ((StrBuf){})

void strbuf_deinit(StrBuf *b);
void strbuf_reset(StrBuf *b);
int strbuf_reserve(StrBuf *b, size_t extra);
void strbuf_put_slow(StrBuf *b, const char *s, size_t n);

/* The printer calls these a dozen times per rule: keep the common case inline. */
static inline void strbuf_put(StrBuf *b, const char *s, size_t n) {
        if (_likely_(b->len + n < b->cap)) {
                memcpy(b->data + b->len, s, n);
                b->len += n;
                b->data[b->len] = 0;
                return;
        }
        strbuf_put_slow(b, s, n);
}

static inline void strbuf_puts(StrBuf *b, const char *s) {
        strbuf_put(b, s, strlen(s));
}

static inline void strbuf_putc(StrBuf *b, char c) {
        strbuf_put(b, &c, 1);
}
void strbuf_put_u64(StrBuf *b, uint64_t v);
void strbuf_put_hex(StrBuf *b, uint32_t v);        /* "0x%x" */
void strbuf_printf(StrBuf *b, const char *fmt, ...) _printf_(2, 3);
/* Pads with spaces up to column width counted from `start` (at least one space if pad_min). */
void strbuf_pad(StrBuf *b, size_t start, size_t width);
/* iptables-save's string form: bare if only [A-Za-z0-9_-], else "..." with \ before " \ '. */
void strbuf_put_quoted(StrBuf *b, const char *s);
/* A name (interface, ...) bare unless the grammar would read it otherwise: then quoted as above. */
void strbuf_put_word(StrBuf *b, const char *s);
/* Writes the buffer to f and empties it. */
int strbuf_flush(StrBuf *b, FILE *f);

static inline const char *strbuf_str(const StrBuf *b) {
        return b->len > 0 ? b->data : "";
}
