/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-proto: libFuzzer target for the control protocol's decoder, which
 * the daemon runs on whatever any local user sends. The input is a
 * payload (the frame without its 4-byte length). Whatever decodes must
 * encode again, decode to the same message, and encode to the same bytes;
 * a decode error must be -EBADMSG or -EPROTONOSUPPORT and leave nothing
 * allocated. The first four bytes also go through the frame header check.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same_string(const char *a, const char *b) {
        return (!a && !b) || (a && b && streq(a, b));
}

/* What the encoding of a message of this kind carries. */
static bool same_on_wire(const ProtoMessage *a, const ProtoMessage *b) {
        if (a->kind != b->kind || a->command != b->command || a->n_args != b->n_args || a->flags != b->flags)
                return false;
        for (size_t i = 0; i < a->n_args; i++)
                if (!streq(a->args[i], b->args[i]))
                        return false;
        if (a->kind != PROTO_REPLY)
                return true;
        if (a->status != b->status || a->text_len != b->text_len ||
            (a->text_len > 0 && memcmp(a->text, b->text, a->text_len) != 0))
                return false;
        if (a->diags.n_items != b->diags.n_items || a->diags.n_errors != b->diags.n_errors)
                return false;
        for (size_t i = 0; i < a->diags.n_items; i++) {
                const Diag *x = &a->diags.items[i], *y = &b->diags.items[i];

                if (!same_string(x->file, y->file) || x->line != y->line || x->column != y->column ||
                    x->level != y->level || x->code != y->code || !streq(x->message, y->message))
                        return false;
        }
        return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(proto_message_done) ProtoMessage a = PROTO_MESSAGE_INIT, b = PROTO_MESSAGE_INIT;
        _cleanup_free_ uint8_t *f1 = NULL, *f2 = NULL;
        size_t l1 = 0, l2 = 0, n;
        int r;

        if (size >= PROTO_HEADER_SIZE) {
                r = proto_frame_length(data, PROTO_REQUEST_MAX, &n);
                if (r < 0 && r != -EBADMSG && r != -EMSGSIZE)
                        abort();
                if (r == 0 && (n == 0 || n > PROTO_REQUEST_MAX))
                        abort();
        }

        r = proto_message_decode(data, size, &a);
        if (r < 0) {
                if (r != -EBADMSG && r != -EPROTONOSUPPORT && r != -ENOMEM)
                        abort();
                if (a.args || a.text || a.diags.items)
                        abort();
                return 0;
        }
        if (a.n_args > PROTO_ARGS_MAX || (a.text && strlen(a.text) != a.text_len))
                abort();

        if (proto_message_encode(&a, PROTO_REPLY_MAX, &f1, &l1) < 0)
                abort();
        if (proto_frame_length(f1, PROTO_REPLY_MAX, &n) < 0 || n != l1 - PROTO_HEADER_SIZE)
                abort();
        if (proto_message_decode(f1 + PROTO_HEADER_SIZE, l1 - PROTO_HEADER_SIZE, &b) < 0)
                abort();
        if (!same_on_wire(&a, &b))
                abort();
        if (proto_message_encode(&b, PROTO_REPLY_MAX, &f2, &l2) < 0 || l1 != l2 || memcmp(f1, f2, l1) != 0)
                abort();
        return 0;
}
