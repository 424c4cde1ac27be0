/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The control protocol between nfwallctl and nfwalld, defined once and
 * linked by both. A frame is a 4-byte big-endian payload length, then the
 * payload: version, kind (request or reply), command, and attributes
 * (16-bit type, 32-bit big-endian length, data). No sockets here, no
 * sd-event: bytes in, messages out. docs/protocol.md says the same.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "macro.h"

#define PROTO_VERSION 1
#define PROTO_HEADER_SIZE 4
/* Requests are small: a command line, or the path of a file to check. */
#define PROTO_REQUEST_MAX (64u * 1024u)
/* Replies carry listings and saves of large rulesets. */
#define PROTO_REPLY_MAX (256u * 1024u * 1024u)
#define PROTO_ARGS_MAX 1024

typedef enum ProtoKind {
        PROTO_REQUEST,
        PROTO_REPLY,
        _PROTO_KIND_MAX,
        _PROTO_KIND_INVALID = -EINVAL,
} ProtoKind;

typedef enum ProtoCommand {
        PROTO_START,
        PROTO_STOP,
        PROTO_RESTART,
        PROTO_RELOAD,
        PROTO_CONDRESTART,      /* also try-restart */
        PROTO_STATUS,
        PROTO_SAVE,
        PROTO_PANIC,            /* args: on | off | status */
        PROTO_CHECK,            /* args: [FILE] */
        PROTO_VERSION_CMD,
        PROTO_IPTABLES,         /* args: an iptables command line (-A INPUT ...) */
        _PROTO_COMMAND_MAX,
        _PROTO_COMMAND_INVALID = -EINVAL,
} ProtoCommand;

typedef enum ProtoAttr {
        PROTO_ATTR_ARG = 1,     /* string, repeatable, in order */
        PROTO_ATTR_FLAGS,       /* u32 ProtoFlags */
        PROTO_ATTR_STATUS,      /* reply: u32 exit status */
        PROTO_ATTR_TEXT,        /* reply: what nfwallctl prints on stdout */
        PROTO_ATTR_DIAG,        /* reply: one diagnostic, repeatable (see proto.c for its layout) */
        _PROTO_ATTR_MAX,
} ProtoAttr;

typedef enum ProtoFlags {
        PROTO_FLAG_JSON = 1u << 0,
        PROTO_FLAG_NUMERIC = 1u << 1,           /* -n */
        PROTO_FLAG_VERBOSE = 1u << 2,           /* -v */
        PROTO_FLAG_LINE_NUMBERS = 1u << 3,      /* --line-numbers */
        PROTO_FLAG_EXACT = 1u << 4,             /* -x */
        PROTO_FLAG_NO_NUMERIC = 1u << 5,        /* status: override the settings' numeric */
        PROTO_FLAG_NO_VERBOSE = 1u << 6,
        PROTO_FLAG_NO_LINE_NUMBERS = 1u << 7,
        PROTO_FLAG_IPV6 = 1u << 8,              /* -6 */
} ProtoFlags;

/* Exit statuses: the RHEL iptables.init's where they overlap, iptables' for rule commands. */
typedef enum ProtoExit {
        PROTO_EXIT_OK = 0,
        PROTO_EXIT_FAILURE = 1,
        PROTO_EXIT_USAGE = 2,
        PROTO_EXIT_NOT_RUNNING = 3,
        PROTO_EXIT_NOT_PRIVILEGED = 4,
        PROTO_EXIT_NOT_CONFIGURED = 6,
} ProtoExit;

DECLARE_STRING_TABLE_LOOKUP(proto_command, ProtoCommand);

typedef struct ProtoMessage {
        ProtoKind kind;
        ProtoCommand command;
        char **args;                    /* NULL-terminated; NULL when none */
        size_t n_args;
        uint32_t flags;                 /* ProtoFlags */
        uint32_t status;                /* reply: ProtoExit or an iptables exit code */
        char *text;                     /* reply: NUL-terminated */
        size_t text_len;
        DiagList diags;                 /* reply */
} ProtoMessage;

#define PROTO_MESSAGE_INIT ((ProtoMessage){ .diags = DIAG_LIST_INIT })

void proto_message_done(ProtoMessage *m);
int proto_message_add_arg(ProtoMessage *m, const char *arg);
/* Takes text (ownership), len bytes without the NUL. */
void proto_message_set_text(ProtoMessage *m, char *text, size_t len);

/* The whole frame, header included. ret is malloc()ed. -EMSGSIZE above max. */
int proto_message_encode(const ProtoMessage *m, size_t max, uint8_t **ret, size_t *ret_len);
/* The payload length a header announces: -EMSGSIZE above max, -EBADMSG for an empty frame. */
int proto_frame_length(const uint8_t header[PROTO_HEADER_SIZE], size_t max, size_t *ret);
/*
 * A payload (without the header) into a message. -EBADMSG for anything
 * malformed (truncated attributes, unknown kind or command, bad strings,
 * too many arguments), -EPROTONOSUPPORT for another version.
 */
int proto_message_decode(const uint8_t *payload, size_t len, ProtoMessage *ret);
