/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The control socket: a Unix stream socket on the event loop that reads
 * framed requests (daemon/common/proto.h), decides from the peer's
 * credentials whether it may make them, hands them to a handler (the
 * manager) and writes the replies. It bounds everything a client
 * controls: frame size, connections, one request at a time per
 * connection, and time to send a request or read a reply.
 */

#include <stdbool.h>
#include <sys/types.h>

#include <systemd/sd-event.h>

#include "macro.h"
#include "proto.h"

/* At most this many connections at once; further clients wait in the listen backlog. */
#define CONTROL_CONNECTIONS_MAX 64
/* A request must arrive, whole, this long after the connection is ready for it. */
#define CONTROL_REQUEST_TIMEOUT_USEC (5 * 1000000ULL)
/* A reply being written must make progress at least this often. */
#define CONTROL_WRITE_TIMEOUT_USEC (30 * 1000000ULL)
/* After a refused frame, what the client still sends is read and dropped: this long, this much at most. */
#define CONTROL_DISCARD_TIMEOUT_USEC (1 * 1000000ULL)
#define CONTROL_DISCARD_MAX (16u * 1024u * 1024u)

typedef struct Control Control;

typedef struct ControlPeer {
        pid_t pid;
        uid_t uid;
        gid_t gid;
        bool privileged;        /* uid 0, or CAP_NET_ADMIN in our user namespace: may change things */
        bool reader;            /* privileged, or a member of the control group: may read status */
} ControlPeer;

/*
 * Handles one authorised request: fills the reply's status, text and
 * diagnostics (kind and command are set already). Runs on the event loop;
 * other clients wait meanwhile.
 */
typedef void (*ControlHandler)(void *userdata, const ControlPeer *peer, const ProtoMessage *request,
                               ProtoMessage *reply);

/*
 * Listens on the socket systemd passed (sd_listen_fds), else binds path:
 * its directory is made (0755) if missing, the socket gets mode 0660 and
 * group gid ((gid_t)-1: root's group). -EADDRINUSE when another daemon
 * answers on path; -EINVAL when systemd passed something else than one
 * listening Unix stream socket.
 */
int control_new(sd_event *event, const char *path, gid_t gid, ControlHandler handler, void *userdata,
                Control **ret);
/* Closes every connection; removes the socket file if it bound one. */
Control *control_free(Control *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(Control *, control_free);

/* The group whose members may read status; (gid_t)-1 for none. Applies to connections made from now on. */
int control_set_group(Control *c, gid_t gid);
/* Whether the socket came from systemd (then its path, mode and group are the unit's). */
bool control_is_socket_activated(const Control *c);
size_t control_get_n_connections(const Control *c);

/* A group name to its id: 0, -ENOENT when there is no such group, another negative errno. */
int control_group_lookup(const char *name, gid_t *ret);

/* Whether a command only reads (status, version, panic status): group members may send those. */
bool control_request_is_read_only(const ProtoMessage *request);
