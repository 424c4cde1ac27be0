/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * strbuf: the output buffer behind the one printer (ruleset-print) and the
 * extension printers it calls.
 */

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

void strbuf_deinit(StrBuf *b) {
        free(b->data);
        *b = STRBUF_INIT;
}

void strbuf_reset(StrBuf *b) {
        b->len = 0;
        if (b->data)
                b->data[0] = 0;
}

int strbuf_reserve(StrBuf *b, size_t extra) {
        size_t need;
        char *p;

        if (b->error)
                return b->error;
        need = b->len + extra + 1;
        if (need <= b->cap)
                return 0;
        size_t cap = b->cap ? b->cap : 256;
        while (cap < need)
                cap *= 2;
        p = realloc(b->data, cap);
        if (!p)
                return (b->error = -ENOMEM);
        b->data = p;
        b->cap = cap;
        return 0;
}

void strbuf_put_slow(StrBuf *b, const char *s, size_t n) {
        if (strbuf_reserve(b, n) < 0)
                return;
        memcpy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = 0;
}

void strbuf_put_u64(StrBuf *b, uint64_t v) {
        char tmp[21], *p = tmp + sizeof(tmp);

        do {
                *--p = (char)('0' + v % 10);
                v /= 10;
        } while (v);
        strbuf_put(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

void strbuf_put_hex(StrBuf *b, uint32_t v) {
        static const char digits[] = "0123456789abcdef";
        char tmp[10], *p = tmp + sizeof(tmp);

        do {
                *--p = digits[v & 0xf];
                v >>= 4;
        } while (v);
        *--p = 'x';
        *--p = '0';
        strbuf_put(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

void strbuf_printf(StrBuf *b, const char *fmt, ...) {
        va_list ap;
        int n;

        if (b->error)
                return;
        va_start(ap, fmt);
        n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n < 0 || strbuf_reserve(b, (size_t)n) < 0)
                return;
        va_start(ap, fmt);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
        b->len += (size_t)n;
}

void strbuf_pad(StrBuf *b, size_t start, size_t width) {
        size_t used = b->len - start;

        while (used++ < width)
                strbuf_putc(b, ' ');
}

void strbuf_put_quoted(StrBuf *b, const char *s) {
        static const char bare[] = "_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        size_t n = strspn(s, bare);

        if (n > 0 && s[n] == 0) {
                strbuf_put(b, s, n);
                return;
        }
        strbuf_putc(b, '"');
        for (; *s; s++) {
                if (*s == '"' || *s == '\\' || *s == '\'')
                        strbuf_putc(b, '\\');
                strbuf_putc(b, *s);
        }
        strbuf_putc(b, '"');
}

void strbuf_put_word(StrBuf *b, const char *s) {
        if (*s && !streq(s, "!") && *s != '#' && !s[strcspn(s, " \t\r\n\"'\\")]) {
                strbuf_puts(b, s);
                return;
        }
        strbuf_putc(b, '"');
        for (; *s; s++) {
                if (*s == '"' || *s == '\\')
                        strbuf_putc(b, '\\');
                strbuf_putc(b, *s);
        }
        strbuf_putc(b, '"');
}

int strbuf_flush(StrBuf *b, FILE *f) {
        if (b->error)
                return b->error;
        if (b->len > 0 && fwrite(b->data, 1, b->len, f) != b->len)
                return -EIO;
        strbuf_reset(b);
        return 0;
}
