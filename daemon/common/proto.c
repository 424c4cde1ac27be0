/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * proto: encoding and decoding of control-protocol frames. Decoding trusts
 * nothing: every length is checked against what is left, every string
 * must be NUL-free and every count bounded, because the daemon decodes
 * what any local user sends.
 *
 * A diagnostic attribute is: u8 level, u8 code, u32 line, u32 column,
 * u16 file length, file bytes, then the message bytes to the end.
 */

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

static const char *const proto_command_table[_PROTO_COMMAND_MAX] = {
        [PROTO_START] = "start",
        [PROTO_STOP] = "stop",
        [PROTO_RESTART] = "restart",
        [PROTO_RELOAD] = "reload",
        [PROTO_CONDRESTART] = "condrestart",
        [PROTO_STATUS] = "status",
        [PROTO_SAVE] = "save",
        [PROTO_PANIC] = "panic",
        [PROTO_CHECK] = "check",
        [PROTO_VERSION_CMD] = "version",
        [PROTO_IPTABLES] = "iptables",
};
DEFINE_STRING_TABLE_LOOKUP(proto_command, ProtoCommand);

void proto_message_done(ProtoMessage *m) {
        if (!m)
                return;
        for (size_t i = 0; i < m->n_args; i++)
                free(m->args[i]);
        free(m->args);
        free(m->text);
        diag_list_deinit(&m->diags);
        *m = PROTO_MESSAGE_INIT;
}

int proto_message_add_arg(ProtoMessage *m, const char *arg) {
        char **args, *copy;

        if (m->n_args >= PROTO_ARGS_MAX)
                return -E2BIG;
        copy = strdup(arg);
        if (!copy)
                return -ENOMEM;
        args = reallocarray(m->args, m->n_args + 2, sizeof(char *));
        if (!args) {
                free(copy);
                return -ENOMEM;
        }
        m->args = args;
        m->args[m->n_args++] = copy;
        m->args[m->n_args] = NULL;
        return 0;
}

void proto_message_set_text(ProtoMessage *m, char *text, size_t len) {
        free(m->text);
        m->text = text;
        m->text_len = len;
}

/* Encoding */

typedef struct Writer {
        uint8_t *data;
        size_t len, cap, max;
        int error;
} Writer;

static void writer_put(Writer *w, const void *p, size_t n) {
        /* nothing to copy (and p may be NULL: a diagnostic without a file) */
        if (w->error || n == 0)
                return;
        if (w->len + n > w->max) {
                w->error = -EMSGSIZE;
                return;
        }
        if (w->len + n > w->cap) {
                size_t cap = w->cap ? w->cap : 256;
                uint8_t *d;
                while (cap < w->len + n)
                        cap *= 2;
                d = realloc(w->data, cap);
                if (!d) {
                        w->error = -ENOMEM;
                        return;
                }
                w->data = d;
                w->cap = cap;
        }
        memcpy(w->data + w->len, p, n);
        w->len += n;
}

static void writer_u8(Writer *w, uint8_t v) {
        writer_put(w, &v, 1);
}

static void writer_u16(Writer *w, uint16_t v) {
        v = htons(v);
        writer_put(w, &v, 2);
}

static void writer_u32(Writer *w, uint32_t v) {
        v = htonl(v);
        writer_put(w, &v, 4);
}

static void writer_attr(Writer *w, ProtoAttr type, const void *p, size_t n) {
        if (n > UINT32_MAX) {
                w->error = -EMSGSIZE;
                return;
        }
        writer_u16(w, (uint16_t)type);
        writer_u32(w, (uint32_t)n);
        writer_put(w, p, n);
}

static void writer_attr_u32(Writer *w, ProtoAttr type, uint32_t v) {
        v = htonl(v);
        writer_attr(w, type, &v, 4);
}

static void writer_diag(Writer *w, const Diag *d) {
        size_t flen = d->file ? strlen(d->file) : 0, mlen = strlen(d->message);
        size_t n = 1 + 1 + 4 + 4 + 2 + flen + mlen;

        if (flen > UINT16_MAX) {
                w->error = -EMSGSIZE;
                return;
        }
        writer_u16(w, PROTO_ATTR_DIAG);
        writer_u32(w, (uint32_t)n);
        writer_u8(w, (uint8_t)d->level);
        writer_u8(w, (uint8_t)d->code);
        writer_u32(w, d->line);
        writer_u32(w, d->column);
        writer_u16(w, (uint16_t)flen);
        writer_put(w, d->file, flen);
        writer_put(w, d->message, mlen);
}

int proto_message_encode(const ProtoMessage *m, size_t max, uint8_t **ret, size_t *ret_len) {
        Writer w = { .max = max + PROTO_HEADER_SIZE };
        uint32_t payload;

        writer_u32(&w, 0); /* the length, filled in below */
        writer_u8(&w, PROTO_VERSION);
        writer_u8(&w, (uint8_t)m->kind);
        writer_u16(&w, (uint16_t)m->command);
        for (size_t i = 0; i < m->n_args; i++)
                writer_attr(&w, PROTO_ATTR_ARG, m->args[i], strlen(m->args[i]));
        if (m->flags)
                writer_attr_u32(&w, PROTO_ATTR_FLAGS, m->flags);
        if (m->kind == PROTO_REPLY) {
                writer_attr_u32(&w, PROTO_ATTR_STATUS, m->status);
                if (m->text_len)
                        writer_attr(&w, PROTO_ATTR_TEXT, m->text, m->text_len);
                for (size_t i = 0; i < m->diags.n_items; i++)
                        writer_diag(&w, &m->diags.items[i]);
        }
        if (w.error) {
                free(w.data);
                return w.error;
        }
        payload = htonl((uint32_t)(w.len - PROTO_HEADER_SIZE));
        memcpy(w.data, &payload, 4);
        *ret = w.data;
        *ret_len = w.len;
        return 0;
}

/* Decoding */

int proto_frame_length(const uint8_t header[PROTO_HEADER_SIZE], size_t max, size_t *ret) {
        uint32_t n;

        memcpy(&n, header, 4);
        n = ntohl(n);
        if (n == 0)
                return -EBADMSG;
        if (n > max)
                return -EMSGSIZE;
        *ret = n;
        return 0;
}

typedef struct Reader {
        const uint8_t *p;
        size_t left;
} Reader;

static int reader_get(Reader *r, void *out, size_t n) {
        if (r->left < n)
                return -EBADMSG;
        memcpy(out, r->p, n);
        r->p += n;
        r->left -= n;
        return 0;
}

static int reader_u16(Reader *r, uint16_t *v) {
        int k = reader_get(r, v, 2);
        *v = ntohs(*v);
        return k;
}

static int reader_u32(Reader *r, uint32_t *v) {
        int k = reader_get(r, v, 4);
        *v = ntohl(*v);
        return k;
}

/* A string attribute: no NUL inside, copied with one added. */
static int dup_string(const uint8_t *p, size_t n, char **ret) {
        char *s;

        if (memchr(p, 0, n))
                return -EBADMSG;
        s = malloc(n + 1);
        if (!s)
                return -ENOMEM;
        memcpy(s, p, n);
        s[n] = 0;
        *ret = s;
        return 0;
}

static int decode_diag(const uint8_t *p, size_t n, DiagList *diags) {
        Reader r = { p, n };
        uint8_t level, code;
        uint32_t line, column;
        uint16_t flen;
        _cleanup_free_ char *file = NULL, *message = NULL;
        SourceLoc loc;
        int k;

        if (reader_get(&r, &level, 1) < 0 || reader_get(&r, &code, 1) < 0 || reader_u32(&r, &line) < 0 ||
            reader_u32(&r, &column) < 0 || reader_u16(&r, &flen) < 0 || r.left < flen)
                return -EBADMSG;
        if (level >= _DIAG_LEVEL_MAX || code >= _DIAG_CODE_MAX)
                return -EBADMSG;
        if (flen > 0) {
                k = dup_string(r.p, flen, &file);
                if (k < 0)
                        return k;
        }
        k = dup_string(r.p + flen, r.left - flen, &message);
        if (k < 0)
                return k;
        loc = (SourceLoc){ file, line, column };
        return diag_list_add(diags, (DiagLevel)level, (DiagCode)code, flen ? &loc : (line ? &loc : NULL), "%s",
                             message);
}

int proto_message_decode(const uint8_t *payload, size_t len, ProtoMessage *ret) {
        ProtoMessage m = PROTO_MESSAGE_INIT;
        Reader r = { payload, len };
        uint8_t version, kind;
        uint16_t command;
        int k = 0;

        if (reader_get(&r, &version, 1) < 0)
                return -EBADMSG;
        if (version != PROTO_VERSION)
                return -EPROTONOSUPPORT;
        if (reader_get(&r, &kind, 1) < 0 || reader_u16(&r, &command) < 0)
                return -EBADMSG;
        if (kind >= _PROTO_KIND_MAX || command >= _PROTO_COMMAND_MAX)
                return -EBADMSG;
        m.kind = (ProtoKind)kind;
        m.command = (ProtoCommand)command;

        while (k == 0 && r.left > 0) {
                uint16_t type;
                uint32_t n;
                const uint8_t *data;

                if (reader_u16(&r, &type) < 0 || reader_u32(&r, &n) < 0 || r.left < n) {
                        k = -EBADMSG;
                        break;
                }
                data = r.p;
                r.p += n;
                r.left -= n;

                /* a newer peer's attribute: skipped, as the length allows */
                if (type == 0 || type >= _PROTO_ATTR_MAX)
                        continue;

                switch ((ProtoAttr)type) {
                case PROTO_ATTR_ARG: {
                        char *s;
                        k = dup_string(data, n, &s);
                        if (k < 0)
                                break;
                        k = proto_message_add_arg(&m, s);
                        free(s);
                        if (k == -E2BIG)
                                k = -EBADMSG;
                        break;
                }
                case PROTO_ATTR_FLAGS:
                case PROTO_ATTR_STATUS: {
                        uint32_t v;
                        if (n != 4) {
                                k = -EBADMSG;
                                break;
                        }
                        memcpy(&v, data, 4);
                        if (type == PROTO_ATTR_FLAGS)
                                m.flags = ntohl(v);
                        else
                                m.status = ntohl(v);
                        break;
                }
                case PROTO_ATTR_TEXT:
                        if (m.text) {
                                k = -EBADMSG;
                                break;
                        }
                        k = dup_string(data, n, &m.text);
                        m.text_len = n;
                        break;
                case PROTO_ATTR_DIAG:
                        k = decode_diag(data, n, &m.diags);
                        break;
                case _PROTO_ATTR_MAX:
                        break;
                }
        }
        if (k < 0) {
                proto_message_done(&m);
                return k;
        }
        *ret = m;
        return 0;
}
