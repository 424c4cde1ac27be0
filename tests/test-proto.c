/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-proto: the control protocol (daemon/common/proto.c) as both ends
 * see it. Encode → decode round trips of requests and replies; the exact
 * bytes docs/protocol.md describes; the frame header's limits; and a
 * decoder that refuses every malformed payload with -EBADMSG (or
 * -EPROTONOSUPPORT for another version) without crashing: every prefix of
 * a valid frame, every byte flipped, random bytes. Links only the common
 * library, like nfwallctl. The dev build runs it under ASan and UBSan.
 */

#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "proto.h"

/* ---- helpers ---- */

/* A hand-built payload, for what the encoder never produces. */
typedef struct Buf {
        uint8_t data[8192];
        size_t len;
} Buf;

static void buf_put(Buf *b, const void *p, size_t n) {
        ck_assert_uint_le(b->len + n, sizeof(b->data));
        memcpy(b->data + b->len, p, n);
        b->len += n;
}

static void buf_u8(Buf *b, uint8_t v) {
        buf_put(b, &v, 1);
}

static void buf_u16(Buf *b, uint16_t v) {
        v = htons(v);
        buf_put(b, &v, 2);
}

static void buf_u32(Buf *b, uint32_t v) {
        v = htonl(v);
        buf_put(b, &v, 4);
}

/* version, kind, command */
static void buf_start(Buf *b, uint8_t version, uint8_t kind, uint16_t command) {
        b->len = 0;
        buf_u8(b, version);
        buf_u8(b, kind);
        buf_u16(b, command);
}

static void buf_attr(Buf *b, uint16_t type, const void *p, uint32_t n) {
        buf_u16(b, type);
        buf_u32(b, n);
        buf_put(b, p, n);
}

static void buf_attr_str(Buf *b, uint16_t type, const char *s) {
        buf_attr(b, type, s, (uint32_t)strlen(s));
}

static int decode_buf(const Buf *b, ProtoMessage *ret) {
        return proto_message_decode(b->data, b->len, ret);
}

/* The whole frame; checks the header against the length. */
static uint8_t *encode(const ProtoMessage *m, size_t max, size_t *ret_len) {
        uint8_t *frame = NULL;
        size_t len = 0, announced = 0;

        ck_assert_int_eq(proto_message_encode(m, max, &frame, &len), 0);
        ck_assert_ptr_nonnull(frame);
        ck_assert_uint_ge(len, PROTO_HEADER_SIZE + 4);
        ck_assert_int_eq(proto_frame_length(frame, max, &announced), 0);
        ck_assert_uint_eq(announced, len - PROTO_HEADER_SIZE);
        *ret_len = len;
        return frame;
}

static bool str_eq_null(const char *a, const char *b) {
        return (!a && !b) || (a && b && streq(a, b));
}

/*
 * What the encoding carries for a message of this kind: a request has no
 * status, text or diagnostics on the wire, and an empty text is none.
 */
static void assert_same_on_wire(const ProtoMessage *a, const ProtoMessage *b) {
        ck_assert_int_eq(a->kind, b->kind);
        ck_assert_int_eq(a->command, b->command);
        ck_assert_uint_eq(a->n_args, b->n_args);
        for (size_t i = 0; i < a->n_args; i++)
                ck_assert_str_eq(a->args[i], b->args[i]);
        if (a->n_args == 0) {
                ck_assert_ptr_null(a->args);
                ck_assert_ptr_null(b->args);
        } else {
                ck_assert_ptr_null(a->args[a->n_args]);
                ck_assert_ptr_null(b->args[b->n_args]);
        }
        ck_assert_uint_eq(a->flags, b->flags);
        if (a->kind != PROTO_REPLY)
                return;
        ck_assert_uint_eq(a->status, b->status);
        ck_assert_uint_eq(a->text_len, b->text_len);
        if (a->text_len > 0)
                ck_assert_mem_eq(a->text, b->text, a->text_len);
        ck_assert_uint_eq(a->diags.n_items, b->diags.n_items);
        ck_assert_uint_eq(a->diags.n_errors, b->diags.n_errors);
        for (size_t i = 0; i < a->diags.n_items; i++) {
                const Diag *x = &a->diags.items[i], *y = &b->diags.items[i];

                ck_assert(str_eq_null(x->file, y->file));
                ck_assert_uint_eq(x->line, y->line);
                ck_assert_uint_eq(x->column, y->column);
                ck_assert_int_eq(x->level, y->level);
                ck_assert_int_eq(x->code, y->code);
                ck_assert_str_eq(x->message, y->message);
        }
}

/* encode → decode → compare; returns the frame for more checks. */
static uint8_t *round_trip(const ProtoMessage *m, size_t max, size_t *ret_len) {
        ProtoMessage back = PROTO_MESSAGE_INIT;
        uint8_t *frame = encode(m, max, ret_len);

        ck_assert_int_eq(proto_message_decode(frame + PROTO_HEADER_SIZE, *ret_len - PROTO_HEADER_SIZE, &back), 0);
        assert_same_on_wire(m, &back);
        proto_message_done(&back);
        return frame;
}

static void add_diag(ProtoMessage *m, DiagLevel level, DiagCode code, const char *file, unsigned line,
                     unsigned column, const char *message) {
        SourceLoc loc = { file, line, column };

        ck_assert_int_eq(diag_list_add(&m->diags, level, code, file || line ? &loc : NULL, "%s", message), 0);
}

/* A request with everything a request carries. */
static void make_request(ProtoMessage *m) {
        *m = PROTO_MESSAGE_INIT;
        m->kind = PROTO_REQUEST;
        m->command = PROTO_IPTABLES;
        ck_assert_int_eq(proto_message_add_arg(m, "-A"), 0);
        ck_assert_int_eq(proto_message_add_arg(m, "INPUT"), 0);
        ck_assert_int_eq(proto_message_add_arg(m, ""), 0);
        ck_assert_int_eq(proto_message_add_arg(m, "--comment"), 0);
        ck_assert_int_eq(proto_message_add_arg(m, "two words, \"quoted\" — ü"), 0);
        m->flags = PROTO_FLAG_IPV6 | PROTO_FLAG_NUMERIC;
}

/* A reply with everything a reply carries. */
static void make_reply(ProtoMessage *m) {
        *m = PROTO_MESSAGE_INIT;
        m->kind = PROTO_REPLY;
        m->command = PROTO_RELOAD;
        m->status = PROTO_EXIT_FAILURE;
        m->flags = PROTO_FLAG_JSON;
        proto_message_set_text(m, strdup("Firewall rules are not changed.\n"), 32);
        ck_assert_ptr_nonnull(m->text);
        add_diag(m, DIAG_ERROR, DIAG_SYNTAX, "/etc/nfwall/rules.v4", 12, 7, "bad thing");
        add_diag(m, DIAG_WARNING, DIAG_SEMANTIC, "/etc/nfwall/rules.v6", 3, 0, "file and line");
        add_diag(m, DIAG_NOTE, DIAG_IO, "/etc/nfwall/nfwall.conf", 0, 0, "file only");
        add_diag(m, DIAG_ERROR, DIAG_KERNEL, NULL, 4, 2, "line and column, no file");
        add_diag(m, DIAG_ERROR, DIAG_UNSUPPORTED, NULL, 0, 0, "no location at all");
}

/* The offsets after the fixed header and after each attribute: where a payload may end. */
static size_t attribute_boundaries(const uint8_t *payload, size_t len, size_t *out, size_t max_out) {
        size_t n = 0, pos = 4;

        out[n++] = pos;
        while (pos < len) {
                uint32_t alen;

                memcpy(&alen, payload + pos + 2, 4);
                pos += 6 + ntohl(alen);
                ck_assert_uint_le(pos, len);
                ck_assert_uint_lt(n, max_out);
                out[n++] = pos;
        }
        return n;
}

/* ---- round trips ---- */

START_TEST(test_request_every_command) {
        ProtoMessage m = PROTO_MESSAGE_INIT;
        uint8_t *frame;
        size_t len;

        m.kind = PROTO_REQUEST;
        m.command = (ProtoCommand)_i;
        frame = round_trip(&m, PROTO_REQUEST_MAX, &len);
        /* header, version, kind, command: nothing else for a bare request */
        ck_assert_uint_eq(len, PROTO_HEADER_SIZE + 4);
        free(frame);

        ck_assert_int_eq(proto_message_add_arg(&m, "on"), 0);
        m.flags = PROTO_FLAG_JSON | PROTO_FLAG_VERBOSE;
        free(round_trip(&m, PROTO_REQUEST_MAX, &len));
        proto_message_done(&m);
}
END_TEST

START_TEST(test_request_args_and_flags) {
        ProtoMessage m;
        size_t len;

        make_request(&m);
        free(round_trip(&m, PROTO_REQUEST_MAX, &len));
        proto_message_done(&m);
}
END_TEST

START_TEST(test_request_every_flag) {
        ProtoMessage m = PROTO_MESSAGE_INIT;
        size_t len;

        m.kind = PROTO_REQUEST;
        m.command = PROTO_STATUS;
        for (unsigned bit = 0; bit < 32; bit++) {
                m.flags = 1u << bit;
                free(round_trip(&m, PROTO_REQUEST_MAX, &len));
        }
        m.flags = UINT32_MAX;
        free(round_trip(&m, PROTO_REQUEST_MAX, &len));
}
END_TEST

START_TEST(test_request_max_args) {
        ProtoMessage m = PROTO_MESSAGE_INIT;
        size_t len;

        m.kind = PROTO_REQUEST;
        m.command = PROTO_IPTABLES;
        for (int i = 0; i < PROTO_ARGS_MAX; i++)
                ck_assert_int_eq(proto_message_add_arg(&m, i % 2 ? "-j" : "x"), 0);
        /* the API refuses one more ... */
        ck_assert_int_eq(proto_message_add_arg(&m, "one too many"), -E2BIG);
        ck_assert_uint_eq(m.n_args, PROTO_ARGS_MAX);
        /* ... and exactly the maximum goes through */
        free(round_trip(&m, PROTO_REQUEST_MAX, &len));
        proto_message_done(&m);
}
END_TEST

START_TEST(test_reply_everything) {
        ProtoMessage m;
        size_t len;

        make_reply(&m);
        free(round_trip(&m, PROTO_REPLY_MAX, &len));
        proto_message_done(&m);
}
END_TEST

START_TEST(test_reply_every_level_and_code) {
        ProtoMessage m = PROTO_MESSAGE_INIT;
        size_t len;

        m.kind = PROTO_REPLY;
        m.command = PROTO_CHECK;
        for (int l = 0; l < _DIAG_LEVEL_MAX; l++)
                for (int c = 0; c < _DIAG_CODE_MAX; c++)
                        add_diag(&m, (DiagLevel)l, (DiagCode)c, "f", (unsigned)l + 1, (unsigned)c, "m");
        free(round_trip(&m, PROTO_REPLY_MAX, &len));
        proto_message_done(&m);
}
END_TEST

START_TEST(test_reply_diag_extremes) {
        ProtoMessage m = PROTO_MESSAGE_INIT;
        _cleanup_free_ char *long_file = malloc(UINT16_MAX + 1);
        uint8_t *frame;
        size_t len;

        ck_assert_ptr_nonnull(long_file);
        memset(long_file, 'f', UINT16_MAX);
        long_file[UINT16_MAX] = 0;

        m.kind = PROTO_REPLY;
        m.command = PROTO_CHECK;
        add_diag(&m, DIAG_ERROR, DIAG_SYNTAX, "x", UINT32_MAX, UINT32_MAX, "largest line and column");
        add_diag(&m, DIAG_ERROR, DIAG_SYNTAX, long_file, 1, 1, "the longest file name the layout allows");
        add_diag(&m, DIAG_NOTE, DIAG_SYNTAX, NULL, 0, 0, "");
        free(round_trip(&m, PROTO_REPLY_MAX, &len));

        /* one byte more does not fit the 16-bit file length: refused, not cut */
        long_file = realloc(long_file, UINT16_MAX + 2);
        ck_assert_ptr_nonnull(long_file);
        memcpy(long_file + UINT16_MAX, "f", 2);
        add_diag(&m, DIAG_ERROR, DIAG_SYNTAX, long_file, 1, 1, "too long");
        frame = NULL;
        ck_assert_int_eq(proto_message_encode(&m, PROTO_REPLY_MAX, &frame, &len), -EMSGSIZE);
        ck_assert_ptr_null(frame);
        proto_message_done(&m);
}
END_TEST

START_TEST(test_reply_empty_text_is_none) {
        ProtoMessage m = PROTO_MESSAGE_INIT, back = PROTO_MESSAGE_INIT;
        uint8_t *frame;
        size_t len;

        m.kind = PROTO_REPLY;
        m.command = PROTO_SAVE;
        proto_message_set_text(&m, strdup(""), 0);
        frame = encode(&m, PROTO_REPLY_MAX, &len);
        /* header, fixed part, the status attribute only */
        ck_assert_uint_eq(len, PROTO_HEADER_SIZE + 4 + 6 + 4);
        ck_assert_int_eq(proto_message_decode(frame + 4, len - 4, &back), 0);
        ck_assert_ptr_null(back.text);
        ck_assert_uint_eq(back.text_len, 0);
        ck_assert_uint_eq(back.status, 0);
        free(frame);
        proto_message_done(&m);
        proto_message_done(&back);
}
END_TEST

START_TEST(test_reply_large_text) {
        ProtoMessage m = PROTO_MESSAGE_INIT;
        size_t n = 4u * 1024u * 1024u, len;
        char *text = malloc(n + 1);

        ck_assert_ptr_nonnull(text);
        for (size_t i = 0; i < n; i++)
                text[i] = (char)('a' + i % 26);
        text[n] = 0;
        m.kind = PROTO_REPLY;
        m.command = PROTO_STATUS;
        proto_message_set_text(&m, text, n);
        free(round_trip(&m, PROTO_REPLY_MAX, &len));
        ck_assert_uint_eq(len, PROTO_HEADER_SIZE + 4 + 10 + 6 + n);
        proto_message_done(&m);
}
END_TEST

START_TEST(test_request_drops_reply_fields) {
        ProtoMessage m = PROTO_MESSAGE_INIT, back = PROTO_MESSAGE_INIT;
        uint8_t *frame;
        size_t len;

        /* status, text and diagnostics belong to replies: a request does not send them */
        m.kind = PROTO_REQUEST;
        m.command = PROTO_STATUS;
        m.status = 3;
        proto_message_set_text(&m, strdup("x"), 1);
        add_diag(&m, DIAG_ERROR, DIAG_SYNTAX, NULL, 0, 0, "d");
        frame = encode(&m, PROTO_REQUEST_MAX, &len);
        ck_assert_uint_eq(len, PROTO_HEADER_SIZE + 4);
        ck_assert_int_eq(proto_message_decode(frame + 4, len - 4, &back), 0);
        ck_assert_uint_eq(back.status, 0);
        ck_assert_ptr_null(back.text);
        ck_assert_uint_eq(back.diags.n_items, 0);
        free(frame);
        proto_message_done(&m);
        proto_message_done(&back);
}
END_TEST

/* ---- the exact bytes (docs/protocol.md shows the same) ---- */

START_TEST(test_wire_request) {
        ProtoMessage m = PROTO_MESSAGE_INIT;
        static const uint8_t expected[] = {
                0x00, 0x00, 0x00, 0x16,                         /* payload length 22 */
                0x01,                                           /* version 1 */
                0x00,                                           /* kind: request */
                0x00, 0x07,                                     /* command 7: panic */
                0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 'o', 'n',   /* ARG "on" */
                0x00, 0x02, 0x00, 0x00, 0x00, 0x04,             /* FLAGS, 4 bytes */
                0x00, 0x00, 0x00, 0x03,                         /* JSON | NUMERIC */
        };
        uint8_t *frame;
        size_t len;

        m.kind = PROTO_REQUEST;
        m.command = PROTO_PANIC;
        m.flags = PROTO_FLAG_JSON | PROTO_FLAG_NUMERIC;
        ck_assert_int_eq(proto_message_add_arg(&m, "on"), 0);
        frame = encode(&m, PROTO_REQUEST_MAX, &len);
        ck_assert_uint_eq(len, sizeof(expected));
        ck_assert_mem_eq(frame, expected, sizeof(expected));
        free(frame);
        proto_message_done(&m);
}
END_TEST

START_TEST(test_wire_reply) {
        ProtoMessage m = PROTO_MESSAGE_INIT;
        static const uint8_t expected[] = {
                0x00, 0x00, 0x00, 0x31,                         /* payload length 49 */
                0x01, 0x01, 0x00, 0x03,                         /* version 1, reply, command 3: reload */
                0x00, 0x03, 0x00, 0x00, 0x00, 0x04,             /* STATUS, 4 bytes */
                0x00, 0x00, 0x00, 0x01,                         /* 1 */
                0x00, 0x04, 0x00, 0x00, 0x00, 0x03, 'n', 'o', '\n', /* TEXT "no\n" */
                0x00, 0x05, 0x00, 0x00, 0x00, 0x14,             /* DIAG, 20 bytes */
                0x01,                                           /* level: warning */
                0x03,                                           /* code: kernel */
                0x00, 0x00, 0x00, 0x0c,                         /* line 12 */
                0x00, 0x00, 0x00, 0x07,                         /* column 7 */
                0x00, 0x04, 'r', '.', 'v', '4',                 /* file "r.v4" */
                'o', 'o', 'p', 's',                             /* message "oops" */
        };
        uint8_t *frame;
        size_t len;

        m.kind = PROTO_REPLY;
        m.command = PROTO_RELOAD;
        m.status = 1;
        proto_message_set_text(&m, strdup("no\n"), 3);
        add_diag(&m, DIAG_WARNING, DIAG_KERNEL, "r.v4", 12, 7, "oops");
        frame = encode(&m, PROTO_REPLY_MAX, &len);
        ck_assert_uint_eq(len, sizeof(expected));
        ck_assert_mem_eq(frame, expected, sizeof(expected));
        free(frame);
        proto_message_done(&m);
}
END_TEST

/* The command numbers are the wire's: appending is fine, renumbering is not. */
START_TEST(test_wire_numbers) {
        ck_assert_int_eq(PROTO_VERSION, 1);
        ck_assert_int_eq(PROTO_HEADER_SIZE, 4);
        ck_assert_int_eq(PROTO_REQUEST, 0);
        ck_assert_int_eq(PROTO_REPLY, 1);
        ck_assert_int_eq(PROTO_START, 0);
        ck_assert_int_eq(PROTO_STOP, 1);
        ck_assert_int_eq(PROTO_RESTART, 2);
        ck_assert_int_eq(PROTO_RELOAD, 3);
        ck_assert_int_eq(PROTO_CONDRESTART, 4);
        ck_assert_int_eq(PROTO_STATUS, 5);
        ck_assert_int_eq(PROTO_SAVE, 6);
        ck_assert_int_eq(PROTO_PANIC, 7);
        ck_assert_int_eq(PROTO_CHECK, 8);
        ck_assert_int_eq(PROTO_VERSION_CMD, 9);
        ck_assert_int_eq(PROTO_IPTABLES, 10);
        ck_assert_int_eq(PROTO_ATTR_ARG, 1);
        ck_assert_int_eq(PROTO_ATTR_FLAGS, 2);
        ck_assert_int_eq(PROTO_ATTR_STATUS, 3);
        ck_assert_int_eq(PROTO_ATTR_TEXT, 4);
        ck_assert_int_eq(PROTO_ATTR_DIAG, 5);
        ck_assert_int_eq(PROTO_FLAG_JSON, 0x1);
        ck_assert_int_eq(PROTO_FLAG_NUMERIC, 0x2);
        ck_assert_int_eq(PROTO_FLAG_VERBOSE, 0x4);
        ck_assert_int_eq(PROTO_FLAG_LINE_NUMBERS, 0x8);
        ck_assert_int_eq(PROTO_FLAG_EXACT, 0x10);
        ck_assert_int_eq(PROTO_FLAG_NO_NUMERIC, 0x20);
        ck_assert_int_eq(PROTO_FLAG_NO_VERBOSE, 0x40);
        ck_assert_int_eq(PROTO_FLAG_NO_LINE_NUMBERS, 0x80);
        ck_assert_int_eq(PROTO_FLAG_IPV6, 0x100);
        ck_assert_int_eq(DIAG_ERROR, 0);
        ck_assert_int_eq(DIAG_WARNING, 1);
        ck_assert_int_eq(DIAG_NOTE, 2);
        ck_assert_int_eq(DIAG_SYNTAX, 0);
        ck_assert_int_eq(DIAG_UNSUPPORTED, 1);
        ck_assert_int_eq(DIAG_SEMANTIC, 2);
        ck_assert_int_eq(DIAG_KERNEL, 3);
        ck_assert_int_eq(DIAG_IO, 4);
        ck_assert_uint_eq(PROTO_REQUEST_MAX, 65536);
        ck_assert_uint_eq(PROTO_REPLY_MAX, 268435456);
        ck_assert_int_eq(PROTO_ARGS_MAX, 1024);
}
END_TEST

START_TEST(test_command_names) {
        static const char *const names[] = {
                "start", "stop", "restart", "reload", "condrestart", "status",
                "save", "panic", "check", "version", "iptables",
        };

        ck_assert_uint_eq(ELEMENTSOF(names), _PROTO_COMMAND_MAX);
        for (int i = 0; i < _PROTO_COMMAND_MAX; i++) {
                ck_assert_str_eq(proto_command_to_string((ProtoCommand)i), names[i]);
                ck_assert_int_eq(proto_command_from_string(names[i]), i);
        }
        ck_assert_ptr_null(proto_command_to_string(_PROTO_COMMAND_MAX));
        /* try-restart is nfwallctl's alias: on the wire it is condrestart */
        ck_assert_int_eq(proto_command_from_string("try-restart"), -EINVAL);
        ck_assert_int_eq(proto_command_from_string(""), -EINVAL);
        ck_assert_int_eq(proto_command_from_string(NULL), -EINVAL);
}
END_TEST

/* ---- the frame header ---- */

static void header(uint8_t h[PROTO_HEADER_SIZE], uint32_t n) {
        n = htonl(n);
        memcpy(h, &n, 4);
}

START_TEST(test_frame_length) {
        uint8_t h[PROTO_HEADER_SIZE];
        size_t n = 12345;

        header(h, 4);
        ck_assert_int_eq(proto_frame_length(h, PROTO_REQUEST_MAX, &n), 0);
        ck_assert_uint_eq(n, 4);

        header(h, PROTO_REQUEST_MAX);
        ck_assert_int_eq(proto_frame_length(h, PROTO_REQUEST_MAX, &n), 0);
        ck_assert_uint_eq(n, PROTO_REQUEST_MAX);

        /* one more than a request may be, the largest reply, one more than that, everything */
        n = 7;
        header(h, PROTO_REQUEST_MAX + 1);
        ck_assert_int_eq(proto_frame_length(h, PROTO_REQUEST_MAX, &n), -EMSGSIZE);
        ck_assert_uint_eq(n, 7);
        header(h, PROTO_REPLY_MAX);
        ck_assert_int_eq(proto_frame_length(h, PROTO_REQUEST_MAX, &n), -EMSGSIZE);
        ck_assert_int_eq(proto_frame_length(h, PROTO_REPLY_MAX, &n), 0);
        ck_assert_uint_eq(n, PROTO_REPLY_MAX);
        header(h, PROTO_REPLY_MAX + 1);
        ck_assert_int_eq(proto_frame_length(h, PROTO_REPLY_MAX, &n), -EMSGSIZE);
        header(h, UINT32_MAX);
        ck_assert_int_eq(proto_frame_length(h, PROTO_REPLY_MAX, &n), -EMSGSIZE);
        header(h, 0x80000000u);
        ck_assert_int_eq(proto_frame_length(h, PROTO_REPLY_MAX, &n), -EMSGSIZE);
}
END_TEST

START_TEST(test_frame_zero_length) {
        uint8_t h[PROTO_HEADER_SIZE] = {};
        size_t n = 7;

        ck_assert_int_eq(proto_frame_length(h, PROTO_REQUEST_MAX, &n), -EBADMSG);
        ck_assert_int_eq(proto_frame_length(h, PROTO_REPLY_MAX, &n), -EBADMSG);
        ck_assert_uint_eq(n, 7);
        /* and a zero-length payload does not decode either */
        ck_assert_int_eq(proto_message_decode(h, 0, &(ProtoMessage){}), -EBADMSG);
}
END_TEST

START_TEST(test_encode_limit) {
        ProtoMessage m = PROTO_MESSAGE_INIT;
        /* payload: 4 fixed bytes + 6 attribute header + the argument = the limit */
        size_t fits = PROTO_REQUEST_MAX - 4 - 6, len;
        char *arg = malloc(fits + 2);
        uint8_t *frame = NULL;

        ck_assert_ptr_nonnull(arg);
        memset(arg, 'a', fits);
        arg[fits] = 0;
        m.kind = PROTO_REQUEST;
        m.command = PROTO_CHECK;
        ck_assert_int_eq(proto_message_add_arg(&m, arg), 0);
        frame = round_trip(&m, PROTO_REQUEST_MAX, &len);
        ck_assert_uint_eq(len, PROTO_HEADER_SIZE + PROTO_REQUEST_MAX);
        free(frame);
        proto_message_done(&m);

        /* one byte more: -EMSGSIZE, and nothing returned */
        arg[fits] = 'a';
        arg[fits + 1] = 0;
        m.kind = PROTO_REQUEST;
        m.command = PROTO_CHECK;
        ck_assert_int_eq(proto_message_add_arg(&m, arg), 0);
        frame = NULL;
        ck_assert_int_eq(proto_message_encode(&m, PROTO_REQUEST_MAX, &frame, &len), -EMSGSIZE);
        ck_assert_ptr_null(frame);
        /* the same message is a fine reply-sized frame */
        free(round_trip(&m, PROTO_REPLY_MAX, &len));
        proto_message_done(&m);
        free(arg);
}
END_TEST

/* ---- malformed payloads ---- */

/* Every prefix: a payload ends only after the fixed part or after a whole attribute. */
static void check_every_prefix(const ProtoMessage *m, size_t max) {
        size_t len, bounds[64], n_bounds, b = 0;
        uint8_t *frame = encode(m, max, &len);
        const uint8_t *payload = frame + PROTO_HEADER_SIZE;
        size_t plen = len - PROTO_HEADER_SIZE;

        n_bounds = attribute_boundaries(payload, plen, bounds, ELEMENTSOF(bounds));
        ck_assert_uint_eq(bounds[n_bounds - 1], plen);

        for (size_t cut = 0; cut <= plen; cut++) {
                ProtoMessage back = PROTO_MESSAGE_INIT;
                /* a copy of exactly cut bytes, so ASan sees every read past the end */
                uint8_t *copy = malloc(cut ? cut : 1);
                int r;

                ck_assert_ptr_nonnull(copy);
                memcpy(copy, payload, cut);
                r = proto_message_decode(copy, cut, &back);
                while (b < n_bounds && bounds[b] < cut)
                        b++;
                if (b < n_bounds && bounds[b] == cut)
                        ck_assert_msg(r == 0, "prefix of %zu bytes (a boundary): %d", cut, r);
                else
                        ck_assert_msg(r == -EBADMSG, "prefix of %zu bytes: %d, want -EBADMSG", cut, r);
                if (cut == plen)
                        assert_same_on_wire(m, &back);
                proto_message_done(&back);
                free(copy);
        }
        free(frame);
}

START_TEST(test_truncated_request) {
        ProtoMessage m;

        make_request(&m);
        check_every_prefix(&m, PROTO_REQUEST_MAX);
        proto_message_done(&m);
}
END_TEST

START_TEST(test_truncated_reply) {
        ProtoMessage m;

        make_reply(&m);
        check_every_prefix(&m, PROTO_REPLY_MAX);
        proto_message_done(&m);
}
END_TEST

START_TEST(test_wrong_version) {
        static const uint8_t versions[] = { 0, 2, 3, 0x7f, 0x80, 0xff };
        Buf b;

        for (size_t i = 0; i < ELEMENTSOF(versions); i++) {
                ProtoMessage m = PROTO_MESSAGE_INIT;

                /* the version is looked at first: whatever follows does not matter */
                buf_start(&b, versions[i], PROTO_REPLY, PROTO_STATUS);
                ck_assert_int_eq(decode_buf(&b, &m), -EPROTONOSUPPORT);
                b.len = 1;
                ck_assert_int_eq(decode_buf(&b, &m), -EPROTONOSUPPORT);
                buf_start(&b, versions[i], 0xff, 0xffff);
                buf_u8(&b, 0xff);
                ck_assert_int_eq(decode_buf(&b, &m), -EPROTONOSUPPORT);
                ck_assert_ptr_null(m.args);
        }
}
END_TEST

START_TEST(test_unknown_kind) {
        static const uint8_t kinds[] = { _PROTO_KIND_MAX, 3, 0x80, 0xff };
        ProtoMessage m = PROTO_MESSAGE_INIT;
        Buf b;

        for (size_t i = 0; i < ELEMENTSOF(kinds); i++) {
                buf_start(&b, PROTO_VERSION, kinds[i], PROTO_STATUS);
                ck_assert_int_eq(decode_buf(&b, &m), -EBADMSG);
        }
}
END_TEST

START_TEST(test_unknown_command) {
        static const uint16_t commands[] = { _PROTO_COMMAND_MAX, _PROTO_COMMAND_MAX + 1, 0x100, 0x7fff, 0xffff };
        ProtoMessage m = PROTO_MESSAGE_INIT;
        Buf b;

        for (size_t i = 0; i < ELEMENTSOF(commands); i++) {
                buf_start(&b, PROTO_VERSION, PROTO_REQUEST, commands[i]);
                ck_assert_int_eq(decode_buf(&b, &m), -EBADMSG);
                buf_start(&b, PROTO_VERSION, PROTO_REPLY, commands[i]);
                ck_assert_int_eq(decode_buf(&b, &m), -EBADMSG);
        }
}
END_TEST

START_TEST(test_short_fixed_part) {
        ProtoMessage m = PROTO_MESSAGE_INIT;
        Buf b;

        buf_start(&b, PROTO_VERSION, PROTO_REQUEST, PROTO_STATUS);
        for (b.len = 0; b.len < 4; b.len++)
                ck_assert_int_eq(decode_buf(&b, &m), -EBADMSG);
        b.len = 4;
        ck_assert_int_eq(decode_buf(&b, &m), 0);
        ck_assert_int_eq(m.command, PROTO_STATUS);
        proto_message_done(&m);
}
END_TEST

START_TEST(test_nul_in_strings) {
        static const char nul_arg[] = { 'a', 0, 'b' };
        static const char lone_nul[] = { 0 };
        ProtoMessage m = PROTO_MESSAGE_INIT;
        Buf b;

        buf_start(&b, PROTO_VERSION, PROTO_REQUEST, PROTO_CHECK);
        buf_attr(&b, PROTO_ATTR_ARG, nul_arg, sizeof(nul_arg));
        ck_assert_int_eq(decode_buf(&b, &m), -EBADMSG);

        buf_start(&b, PROTO_VERSION, PROTO_REQUEST, PROTO_CHECK);
        buf_attr_str(&b, PROTO_ATTR_ARG, "fine");
        buf_attr(&b, PROTO_ATTR_ARG, lone_nul, sizeof(lone_nul));
        ck_assert_int_eq(decode_buf(&b, &m), -EBADMSG);

        /* a C string's terminator must not travel either */
        buf_start(&b, PROTO_VERSION, PROTO_REQUEST, PROTO_CHECK);
        buf_attr(&b, PROTO_ATTR_ARG, "abc", 4);
        ck_assert_int_eq(decode_buf(&b, &m), -EBADMSG);

        buf_start(&b, PROTO_VERSION, PROTO_REPLY, PROTO_STATUS);
        buf_attr(&b, PROTO_ATTR_TEXT, nul_arg, sizeof(nul_arg));
        ck_assert_int_eq(decode_buf(&b, &m), -EBADMSG);
        ck_assert_ptr_null(m.text);
}
END_TEST

/* A diagnostic attribute by hand: level, code, line, column, file length, file, message. */
static void buf_diag(Buf *b, uint8_t level, uint8_t code, uint32_t line, uint32_t column, const void *file,
                     uint16_t flen, const void *message, size_t mlen) {
        buf_u16(b, PROTO_ATTR_DIAG);
        buf_u32(b, (uint32_t)(12 + flen + mlen));
        buf_u8(b, level);
        buf_u8(b, code);
        buf_u32(b, line);
        buf_u32(b, column);
        buf_u16(b, flen);
        buf_put(b, file, flen);
        buf_put(b, message, mlen);
}

START_TEST(test_diag_malformed) {
        ProtoMessage m = PROTO_MESSAGE_INIT;
        Buf b;

        /* well-formed by hand first: the helper is right */
        buf_start(&b, PROTO_VERSION, PROTO_REPLY, PROTO_CHECK);
        buf_diag(&b, DIAG_ERROR, DIAG_IO, 3, 4, "f.v4", 4, "msg", 3);
        ck_assert_int_eq(decode_buf(&b, &m), 0);
        ck_assert_uint_eq(m.diags.n_items, 1);
        ck_assert_str_eq(m.diags.items[0].file, "f.v4");
        ck_assert_str_eq(m.diags.items[0].message, "msg");
        ck_assert_uint_eq(m.diags.items[0].line, 3);
        ck_assert_uint_eq(m.diags.items[0].column, 4);
        ck_assert_uint_eq(m.diags.n_errors, 1);
        proto_message_done(&m);

        /* NUL in the file name, in the message */
        buf_start(&b, PROTO_VERSION, PROTO_REPLY, PROTO_CHECK);
        buf_diag(&b, DIAG_ERROR, DIAG_IO, 3, 4, "f\0v4", 4, "msg", 3);
        ck_assert_int_eq(decode_buf(&b, &m), -EBADMSG);
        buf_start(&b, PROTO_VERSION, PROTO_REPLY, PROTO_CHECK);
        buf_diag(&b, DIAG_ERROR, DIAG_IO, 3, 4, "f.v4", 4, "m\0g", 3);
        ck_assert_int_eq(decode_buf(&b, &m), -EBADMSG);

        /* unknown level, unknown code */
        buf_start(&b, PROTO_VERSION, PROTO_REPLY, PROTO_CHECK);
        buf_diag(&b, _DIAG_LEVEL_MAX, DIAG_IO, 1, 1, "f", 1, "m", 1);
        ck_assert_int_eq(decode_buf(&b, &m), -EBADMSG);
        buf_start(&b, PROTO_VERSION, PROTO_REPLY, PROTO_CHECK);
        buf_diag(&b, 0xff, DIAG_IO, 1, 1, "f", 1, "m", 1);
        ck_assert_int_eq(decode_buf(&b, &m), -EBADMSG);
        buf_start(&b, PROTO_VERSION, PROTO_REPLY, PROTO_CHECK);
        buf_diag(&b, DIAG_ERROR, _DIAG_CODE_MAX, 1, 1, "f", 1, "m", 1);
        ck_assert_int_eq(decode_buf(&b, &m), -EBADMSG);

        /* the file length runs past the attribute (but not past the payload) */
        buf_start(&b, PROTO_VERSION, PROTO_REPLY, PROTO_CHECK);
        buf_u16(&b, PROTO_ATTR_DIAG);
        buf_u32(&b, 12 + 2);
        buf_u8(&b, 0);
        buf_u8(&b, 0);
        buf_u32(&b, 1);
        buf_u32(&b, 1);
        buf_u16(&b, 3);
        buf_put(&b, "ab", 2);
        buf_attr_str(&b, PROTO_ATTR_ARG, "after");
        ck_assert_int_eq(decode_buf(&b, &m), -EBADMSG);

        /* shorter than the fixed part, each length */
        for (uint32_t n = 0; n < 12; n++) {
                static const uint8_t zeros[12] = {};

                buf_start(&b, PROTO_VERSION, PROTO_REPLY, PROTO_CHECK);
                buf_attr(&b, PROTO_ATTR_DIAG, zeros, n);
                ck_assert_int_eq(decode_buf(&b, &m), -EBADMSG);
        }

        /* exactly the fixed part: an empty message without location is fine */
        buf_start(&b, PROTO_VERSION, PROTO_REPLY, PROTO_CHECK);
        buf_diag(&b, DIAG_NOTE, DIAG_SYNTAX, 0, 0, "", 0, "", 0);
        ck_assert_int_eq(decode_buf(&b, &m), 0);
        ck_assert_uint_eq(m.diags.n_items, 1);
        ck_assert_ptr_null(m.diags.items[0].file);
        ck_assert_str_eq(m.diags.items[0].message, "");
        proto_message_done(&m);
}
END_TEST

START_TEST(test_too_many_args) {
        ProtoMessage m = PROTO_MESSAGE_INIT;
        Buf *b = malloc(sizeof(Buf));

        ck_assert_ptr_nonnull(b);
        buf_start(b, PROTO_VERSION, PROTO_REQUEST, PROTO_IPTABLES);
        for (int i = 0; i < PROTO_ARGS_MAX; i++)
                buf_attr(b, PROTO_ATTR_ARG, "", 0);
        ck_assert_int_eq(decode_buf(b, &m), 0);
        ck_assert_uint_eq(m.n_args, PROTO_ARGS_MAX);
        proto_message_done(&m);

        buf_attr(b, PROTO_ATTR_ARG, "", 0);
        ck_assert_int_eq(decode_buf(b, &m), -EBADMSG);
        ck_assert_ptr_null(m.args);
        free(b);
}
END_TEST

START_TEST(test_unknown_attributes_skipped) {
        static const uint16_t types[] = { 0, _PROTO_ATTR_MAX, 0x100, 0x7fff, 0xffff };
        ProtoMessage m = PROTO_MESSAGE_INIT;
        Buf b;

        for (size_t i = 0; i < ELEMENTSOF(types); i++) {
                buf_start(&b, PROTO_VERSION, PROTO_REPLY, PROTO_STATUS);
                buf_attr(&b, types[i], "", 0);
                buf_attr_str(&b, PROTO_ATTR_ARG, "first");
                /* contents that would be malformed as anything known: NULs, odd length */
                buf_attr(&b, types[i], "\0\0\0\xff\x01", 5);
                buf_attr_str(&b, PROTO_ATTR_TEXT, "text");
                buf_attr(&b, types[i], "x", 1);
                ck_assert_int_eq(decode_buf(&b, &m), 0);
                ck_assert_uint_eq(m.n_args, 1);
                ck_assert_str_eq(m.args[0], "first");
                ck_assert_str_eq(m.text, "text");
                ck_assert_uint_eq(m.text_len, 4);
                proto_message_done(&m);

                /* but its length must still fit */
                buf_start(&b, PROTO_VERSION, PROTO_REPLY, PROTO_STATUS);
                buf_u16(&b, types[i]);
                buf_u32(&b, 10);
                buf_put(&b, "short", 5);
                ck_assert_int_eq(decode_buf(&b, &m), -EBADMSG);
        }
}
END_TEST

START_TEST(test_attribute_lengths) {
        static const uint32_t bad[] = { 0, 1, 3, 5, 8 };
        ProtoMessage m = PROTO_MESSAGE_INIT;
        Buf b;

        /* FLAGS and STATUS are exactly 4 bytes */
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                static const uint8_t bytes[8] = { 0, 0, 0, 1, 0, 0, 0, 1 };

                buf_start(&b, PROTO_VERSION, PROTO_REPLY, PROTO_STATUS);
                buf_attr(&b, PROTO_ATTR_FLAGS, bytes, bad[i]);
                ck_assert_int_eq(decode_buf(&b, &m), -EBADMSG);
                buf_start(&b, PROTO_VERSION, PROTO_REPLY, PROTO_STATUS);
                buf_attr(&b, PROTO_ATTR_STATUS, bytes, bad[i]);
                ck_assert_int_eq(decode_buf(&b, &m), -EBADMSG);
        }

        /* an attribute header cut short, a length beyond the payload, a length that would wrap */
        buf_start(&b, PROTO_VERSION, PROTO_REQUEST, PROTO_STATUS);
        buf_u16(&b, PROTO_ATTR_ARG);
        buf_u16(&b, 0);
        ck_assert_int_eq(decode_buf(&b, &m), -EBADMSG);
        buf_start(&b, PROTO_VERSION, PROTO_REQUEST, PROTO_STATUS);
        buf_u16(&b, PROTO_ATTR_ARG);
        buf_u32(&b, 1);
        ck_assert_int_eq(decode_buf(&b, &m), -EBADMSG);
        buf_start(&b, PROTO_VERSION, PROTO_REQUEST, PROTO_STATUS);
        buf_u16(&b, PROTO_ATTR_ARG);
        buf_u32(&b, UINT32_MAX);
        buf_put(&b, "abcdef", 6);
        ck_assert_int_eq(decode_buf(&b, &m), -EBADMSG);
        buf_start(&b, PROTO_VERSION, PROTO_REQUEST, PROTO_STATUS);
        buf_u16(&b, 0xffff);
        buf_u32(&b, UINT32_MAX - 2);
        ck_assert_int_eq(decode_buf(&b, &m), -EBADMSG);

        /* the last of repeated FLAGS / STATUS wins; a second TEXT is an error */
        buf_start(&b, PROTO_VERSION, PROTO_REPLY, PROTO_STATUS);
        buf_attr(&b, PROTO_ATTR_STATUS, "\0\0\0\x01", 4);
        buf_attr(&b, PROTO_ATTR_STATUS, "\0\0\0\x03", 4);
        ck_assert_int_eq(decode_buf(&b, &m), 0);
        ck_assert_uint_eq(m.status, 3);
        proto_message_done(&m);
        buf_start(&b, PROTO_VERSION, PROTO_REPLY, PROTO_STATUS);
        buf_attr_str(&b, PROTO_ATTR_TEXT, "one");
        buf_attr_str(&b, PROTO_ATTR_TEXT, "two");
        ck_assert_int_eq(decode_buf(&b, &m), -EBADMSG);
        ck_assert_ptr_null(m.text);
}
END_TEST

/*
 * Whatever decodes must encode again, to a frame that decodes to the same
 * message, and encode once more to the same bytes.
 */
static void check_stable(const uint8_t *payload, size_t len) {
        ProtoMessage a = PROTO_MESSAGE_INIT, b = PROTO_MESSAGE_INIT;
        uint8_t *f1 = NULL, *f2 = NULL;
        size_t l1 = 0, l2 = 0;
        int r;

        r = proto_message_decode(payload, len, &a);
        ck_assert_msg(r == 0 || r == -EBADMSG || r == -EPROTONOSUPPORT, "decode: %d", r);
        if (r < 0) {
                ck_assert_ptr_null(a.args);
                ck_assert_ptr_null(a.text);
                ck_assert_ptr_null(a.diags.items);
                return;
        }
        ck_assert_int_eq(proto_message_encode(&a, PROTO_REPLY_MAX, &f1, &l1), 0);
        ck_assert_int_eq(proto_message_decode(f1 + 4, l1 - 4, &b), 0);
        assert_same_on_wire(&a, &b);
        ck_assert_int_eq(proto_message_encode(&b, PROTO_REPLY_MAX, &f2, &l2), 0);
        ck_assert_uint_eq(l1, l2);
        ck_assert_mem_eq(f1, f2, l1);
        proto_message_done(&a);
        proto_message_done(&b);
        free(f1);
        free(f2);
}

static void flip_every_byte(const ProtoMessage *m, size_t max) {
        static const uint8_t masks[] = { 0x01, 0x02, 0x10, 0x80, 0xff };
        size_t len;
        uint8_t *frame = encode(m, max, &len);
        size_t plen = len - PROTO_HEADER_SIZE;
        uint8_t *copy = malloc(plen);

        ck_assert_ptr_nonnull(copy);
        for (size_t pos = 0; pos < plen; pos++)
                for (size_t k = 0; k < ELEMENTSOF(masks) + 2; k++) {
                        memcpy(copy, frame + PROTO_HEADER_SIZE, plen);
                        if (k < ELEMENTSOF(masks))
                                copy[pos] ^= masks[k];
                        else
                                copy[pos] = k == ELEMENTSOF(masks) ? 0x00 : 0xff;
                        check_stable(copy, plen);
                }
        free(copy);
        free(frame);
}

START_TEST(test_flip_request) {
        ProtoMessage m;

        make_request(&m);
        flip_every_byte(&m, PROTO_REQUEST_MAX);
        proto_message_done(&m);
}
END_TEST

START_TEST(test_flip_reply) {
        ProtoMessage m;

        make_reply(&m);
        flip_every_byte(&m, PROTO_REPLY_MAX);
        proto_message_done(&m);
}
END_TEST

/* xorshift: the same sequence on every run */
static uint32_t rnd_state = 2463534242u;
static uint32_t rnd(void) {
        rnd_state ^= rnd_state << 13;
        rnd_state ^= rnd_state >> 17;
        rnd_state ^= rnd_state << 5;
        return rnd_state;
}

START_TEST(test_random_mutations) {
        ProtoMessage m;
        size_t len;
        uint8_t *frame, *copy;

        make_reply(&m);
        frame = encode(&m, PROTO_REPLY_MAX, &len);
        copy = malloc(len);
        ck_assert_ptr_nonnull(copy);
        for (int round = 0; round < 20000; round++) {
                size_t plen = len - PROTO_HEADER_SIZE, n = 1 + rnd() % 4;

                memcpy(copy, frame + PROTO_HEADER_SIZE, plen);
                /* keep the version most of the time, so the mutation reaches the attributes */
                for (size_t i = 0; i < n; i++)
                        copy[1 + rnd() % (plen - 1)] = (uint8_t)rnd();
                if (rnd() % 4 == 0)
                        plen = rnd() % plen;
                check_stable(copy, plen);
        }
        free(copy);
        free(frame);
        proto_message_done(&m);
}
END_TEST

START_TEST(test_random_bytes) {
        uint8_t buf[256];

        for (int round = 0; round < 20000; round++) {
                size_t n = rnd() % sizeof(buf);
                uint8_t *copy;

                for (size_t i = 0; i < n; i++)
                        buf[i] = (uint8_t)rnd();
                if (n > 0)
                        buf[0] = PROTO_VERSION;
                if (n > 1)
                        buf[1] &= 1;
                if (n > 3)
                        buf[2] = 0, buf[3] &= 0x0f;
                copy = malloc(n ? n : 1);
                ck_assert_ptr_nonnull(copy);
                memcpy(copy, buf, n);
                check_stable(copy, n);
                free(copy);
        }
}
END_TEST

/* ---- the message API ---- */

START_TEST(test_message_done) {
        ProtoMessage m;

        proto_message_done(NULL);
        make_reply(&m);
        ck_assert_int_eq(proto_message_add_arg(&m, "x"), 0);
        proto_message_done(&m);
        ck_assert_ptr_null(m.args);
        ck_assert_ptr_null(m.text);
        ck_assert_uint_eq(m.n_args, 0);
        ck_assert_uint_eq(m.diags.n_items, 0);
        /* twice is harmless */
        proto_message_done(&m);
}
END_TEST

START_TEST(test_set_text_replaces) {
        ProtoMessage m = PROTO_MESSAGE_INIT;

        proto_message_set_text(&m, strdup("first"), 5);
        proto_message_set_text(&m, strdup("second"), 6);
        ck_assert_str_eq(m.text, "second");
        ck_assert_uint_eq(m.text_len, 6);
        proto_message_set_text(&m, NULL, 0);
        ck_assert_ptr_null(m.text);
        proto_message_done(&m);
}
END_TEST

START_TEST(test_decode_failure_leaves_nothing) {
        ProtoMessage m = PROTO_MESSAGE_INIT;
        Buf b;

        /* args and a diagnostic decoded, then an error: all freed (ASan checks), nothing returned */
        buf_start(&b, PROTO_VERSION, PROTO_REPLY, PROTO_CHECK);
        buf_attr_str(&b, PROTO_ATTR_ARG, "one");
        buf_attr_str(&b, PROTO_ATTR_TEXT, "text");
        buf_diag(&b, DIAG_ERROR, DIAG_IO, 1, 1, "f", 1, "m", 1);
        buf_attr(&b, PROTO_ATTR_ARG, "a\0b", 3);
        ck_assert_int_eq(decode_buf(&b, &m), -EBADMSG);
        ck_assert_ptr_null(m.args);
        ck_assert_ptr_null(m.text);
        ck_assert_ptr_null(m.diags.items);
}
END_TEST

static Suite *proto_suite(void) {
        Suite *s = suite_create("proto");
        TCase *tc;

        tc = tcase_create("round-trip");
        tcase_add_loop_test(tc, test_request_every_command, 0, _PROTO_COMMAND_MAX);
        tcase_add_test(tc, test_request_args_and_flags);
        tcase_add_test(tc, test_request_every_flag);
        tcase_add_test(tc, test_request_max_args);
        tcase_add_test(tc, test_reply_everything);
        tcase_add_test(tc, test_reply_every_level_and_code);
        tcase_add_test(tc, test_reply_diag_extremes);
        tcase_add_test(tc, test_reply_empty_text_is_none);
        tcase_add_test(tc, test_reply_large_text);
        tcase_add_test(tc, test_request_drops_reply_fields);
        suite_add_tcase(s, tc);

        tc = tcase_create("wire");
        tcase_add_test(tc, test_wire_request);
        tcase_add_test(tc, test_wire_reply);
        tcase_add_test(tc, test_wire_numbers);
        tcase_add_test(tc, test_command_names);
        suite_add_tcase(s, tc);

        tc = tcase_create("frame");
        tcase_add_test(tc, test_frame_length);
        tcase_add_test(tc, test_frame_zero_length);
        tcase_add_test(tc, test_encode_limit);
        suite_add_tcase(s, tc);

        tc = tcase_create("malformed");
        tcase_add_test(tc, test_truncated_request);
        tcase_add_test(tc, test_truncated_reply);
        tcase_add_test(tc, test_wrong_version);
        tcase_add_test(tc, test_unknown_kind);
        tcase_add_test(tc, test_unknown_command);
        tcase_add_test(tc, test_short_fixed_part);
        tcase_add_test(tc, test_nul_in_strings);
        tcase_add_test(tc, test_diag_malformed);
        tcase_add_test(tc, test_too_many_args);
        tcase_add_test(tc, test_unknown_attributes_skipped);
        tcase_add_test(tc, test_attribute_lengths);
        tcase_add_test(tc, test_decode_failure_leaves_nothing);
        suite_add_tcase(s, tc);

        tc = tcase_create("robustness");
        tcase_add_test(tc, test_flip_request);
        tcase_add_test(tc, test_flip_reply);
        tcase_add_test(tc, test_random_mutations);
        tcase_add_test(tc, test_random_bytes);
        tcase_set_timeout(tc, 120);
        suite_add_tcase(s, tc);

        tc = tcase_create("api");
        tcase_add_test(tc, test_message_done);
        tcase_add_test(tc, test_set_text_replaces);
        suite_add_tcase(s, tc);

        return s;
}

int main(void) {
        SRunner *sr = srunner_create(proto_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
