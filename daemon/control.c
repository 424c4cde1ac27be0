/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * control: the control socket's server, on the manager's sd-event loop.
 *
 * Every local client is untrusted: a request is read with a bounded
 * buffer and decoded by proto, which trusts nothing; a frame announced
 * larger than PROTO_REQUEST_MAX, cut short, or malformed gets an error
 * reply and the connection is closed, and nothing a client does can stop
 * the loop or block it on that client. Replies are written without
 * blocking: what the socket does not take now goes out on EPOLLOUT.
 *
 * Who may do what comes from the peer's credentials, taken when it
 * connected (SO_PEERCRED, SO_PEERGROUPS): uid 0 or CAP_NET_ADMIN may
 * change things, members of the control group may read status and the
 * version, and everyone else is refused with PROTO_EXIT_NOT_PRIVILEGED.
 * CAP_NET_ADMIN is read from /proc/PID/status, and counts only for a
 * process in our own user namespace (in a namespace of its own, any user
 * has every capability there); see peer_in_our_userns() for how that is
 * told when nfwalld is not root. The process is pinned with SO_PEERPIDFD
 * where the kernel has it (6.5), so a recycled pid cannot lend its
 * capabilities; where it does not, only the capability check has that
 * (tiny) window, never the uid check.
 *
 * The number of connections is bounded: at CONTROL_CONNECTIONS_MAX the
 * listening socket is left alone, so further clients wait in the kernel's
 * backlog for a free slot instead of failing: a burst of status requests
 * during a long reload is served, not refused. A slot is never held for
 * long: a connection must deliver its request within
 * CONTROL_REQUEST_TIMEOUT_USEC and take its reply with progress every
 * CONTROL_WRITE_TIMEOUT_USEC. Connections are served before new ones are
 * accepted (event priorities), and one request per connection is in
 * flight: the next is read only after the reply has gone.
 */

#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/capability.h>
#include <systemd/sd-daemon.h>

#include "control.h"
#include "fileio.h"
#include "log.h"

/* Linux 6.5; older headers lack it, older kernels answer ENOPROTOOPT. */
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

/* A uid_map has at most 340 lines of three numbers. */
#define UID_MAP_MAX 16384

/* Connections are served first, new ones accepted after. */
#define PRIORITY_CONNECTION SD_EVENT_PRIORITY_NORMAL
#define PRIORITY_LISTEN (SD_EVENT_PRIORITY_NORMAL + 10)

typedef enum ConnectionPhase {
        PHASE_READ_HEADER,      /* waiting for a request */
        PHASE_READ_PAYLOAD,
        PHASE_WRITE,            /* a reply is going out */
        PHASE_DISCARD,          /* an error reply went out: reading what the client still sends, then closing */
} ConnectionPhase;

typedef struct Connection Connection;

struct Connection {
        Control *control;
        Connection *prev, *next;
        int fd;
        sd_event_source *io;
        sd_event_source *timer;
        ControlPeer peer;

        ConnectionPhase phase;
        uint8_t header[PROTO_HEADER_SIZE];
        size_t header_len;
        uint8_t *payload;
        size_t payload_len;
        size_t payload_got;
        size_t discarded;

        uint8_t *out;
        size_t out_len;
        size_t out_sent;
        bool close_after_write;
};

struct Control {
        sd_event *event;
        sd_event_source *listen_source;
        int listen_fd;
        char *path;             /* the socket file we bound, removed on free; NULL when systemd passed it */
        bool activated;
        gid_t gid;
        struct stat userns;     /* our user namespace, to tell whether a peer's capabilities count */
        bool userns_known;
        char *uid_map;          /* our /proc/self/uid_map, or NULL: the same, where the above cannot be used */
        ControlHandler handler;
        void *userdata;
        Connection *connections;
        size_t n_connections;
};

static int connection_arm_timer(Connection *conn, uint64_t usec);
static int connection_on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata);
static int connection_on_timer(sd_event_source *s, uint64_t usec, void *userdata);

/* ---- peers ---- */

/* The process a pidfd refers to is still running: what we read about its pid was about it. */
static bool pidfd_alive(int pidfd) {
        struct pollfd p = { .fd = pidfd, .events = POLLIN };

        /* A pidfd polls readable once its process has exited. */
        return poll(&p, 1, 0) == 0;
}

/*
 * Whether the process lives in our user namespace. /proc/PID/ns/user names
 * the namespace, but only to those who may ptrace the process: nfwalld
 * running as a user of its own (firewall.service, User=nfwall) may not, for
 * other users' processes. Then the process's uid_map, which anyone may
 * read, stands in: shown from our namespace, another namespace's map can
 * equal ours only if whoever wrote it held CAP_SETUID over every id of
 * ours, and so could have been uid 0 here anyway.
 */
static bool peer_in_our_userns(const Control *c, pid_t pid) {
        _cleanup_free_ char *map = NULL;
        char path[64];
        struct stat st;

        snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
        if (stat(path, &st) >= 0)
                return c->userns_known && st.st_dev == c->userns.st_dev && st.st_ino == c->userns.st_ino;
        if ((errno != EACCES && errno != EPERM) || !c->uid_map)
                return false;
        snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
        if (read_text_file(path, UID_MAP_MAX, &map) < 0)
                return false;
        return streq(map, c->uid_map);
}

static bool peer_has_cap_net_admin(const Control *c, pid_t pid, int pidfd) {
        char path[64], line[256];
        bool found = false, result = false;
        uint64_t caps = 0;
        FILE *f;

        if (pid <= 0 || !peer_in_our_userns(c, pid))
                return false;

        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        f = fopen(path, "re");
        if (!f)
                return false;
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, "CapEff:", 7) == 0) {
                        found = sscanf(line + 7, "%" SCNx64, &caps) == 1;
                        break;
                }
        fclose(f);
        if (found)
                result = caps & (UINT64_C(1) << CAP_NET_ADMIN);

        /* Without a pidfd, the pid might have been reused in between: that window remains. */
        if (result && pidfd >= 0 && !pidfd_alive(pidfd))
                result = false;
        return result;
}

static bool peer_in_group(int fd, gid_t primary, gid_t gid) {
        _cleanup_free_ gid_t *groups = NULL;
        socklen_t len = 64 * sizeof(gid_t);

        if (gid == (gid_t)-1)
                return false;
        if (primary == gid)
                return true;
        for (int attempt = 0; attempt < 4; attempt++) {
                gid_t *g = realloc(groups, len);

                if (!g)
                        return false;
                groups = g;
                if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) >= 0) {
                        for (size_t i = 0; i < len / sizeof(gid_t); i++)
                                if (groups[i] == gid)
                                        return true;
                        return false;
                }
                if (errno != ERANGE)
                        return false;
                /* the kernel wrote the size it needs into len */
        }
        return false;
}

static int peer_identify(Control *c, int fd, ControlPeer *ret) {
        struct ucred cred;
        socklen_t len = sizeof(cred);
        _cleanup_close_ int pidfd = -1;
        ControlPeer p = {};

        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
                return negative_errno();
        len = sizeof(pidfd);
        if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) < 0)
                pidfd = -1;

        p.pid = cred.pid;
        p.uid = cred.uid;
        p.gid = cred.gid;
        p.privileged = cred.uid == 0 || peer_has_cap_net_admin(c, cred.pid, pidfd);
        p.reader = p.privileged || peer_in_group(fd, cred.gid, c->gid);
        *ret = p;
        return 0;
}

/**
 * control_request_is_read_only() - whether a group member may send it
 * @request: the request
 *
 * Return: true for status, version and "panic status".
 */
bool control_request_is_read_only(const ProtoMessage *request) {
        switch (request->command) {
        case PROTO_STATUS:
        case PROTO_VERSION_CMD:
                return true;
        case PROTO_PANIC:
                return request->n_args == 1 && streq(request->args[0], "status");
        case PROTO_START:
        case PROTO_STOP:
        case PROTO_RESTART:
        case PROTO_RELOAD:
        case PROTO_CONDRESTART:
        case PROTO_SAVE:
        /* check reads files as root, and asks the kernel */
        case PROTO_CHECK:
        case PROTO_IPTABLES:
        case _PROTO_COMMAND_MAX:
        case _PROTO_COMMAND_INVALID:
                return false;
        }
        return false;
}

/* ---- connections ---- */

static Connection *connection_free(Connection *conn) {
        Control *c;

        if (!conn)
                return NULL;
        c = conn->control;
        if (conn->prev)
                conn->prev->next = conn->next;
        else
                c->connections = conn->next;
        if (conn->next)
                conn->next->prev = conn->prev;
        c->n_connections--;

        sd_event_source_disable_unref(conn->io);
        sd_event_source_disable_unref(conn->timer);
        if (conn->fd >= 0)
                close(conn->fd);
        free(conn->payload);
        free(conn->out);
        free(conn);

        /* A slot is free again: take the next client from the backlog. */
        if (c->listen_source && c->n_connections < CONTROL_CONNECTIONS_MAX)
                (void)sd_event_source_set_enabled(c->listen_source, SD_EVENT_ON);
        return NULL;
}

static int connection_set_events(Connection *conn, uint32_t events) {
        int r;

        if (events == 0)
                return sd_event_source_set_enabled(conn->io, SD_EVENT_OFF);
        r = sd_event_source_set_io_events(conn->io, events);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(conn->io, SD_EVENT_ON);
}

static void connection_reset_request(Connection *conn) {
        free(conn->payload);
        conn->payload = NULL;
        conn->payload_len = conn->payload_got = 0;
        conn->header_len = 0;
}

/* Writes what the socket takes now. 1 when all is out, 0 when more must wait, negative on error. */
static int connection_flush(Connection *conn) {
        while (conn->out_sent < conn->out_len) {
                ssize_t n = send(conn->fd, conn->out + conn->out_sent, conn->out_len - conn->out_sent,
                                 MSG_DONTWAIT | MSG_NOSIGNAL);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return 0;
                        return negative_errno();
                }
                conn->out_sent += (size_t)n;
                /* progress: the client gets another full period */
                (void)connection_arm_timer(conn, CONTROL_WRITE_TIMEOUT_USEC);
        }
        return 1;
}

/* The reply is out: wait for the next request, or for the client to go. */
static int connection_write_done(Connection *conn) {
        free(conn->out);
        conn->out = NULL;
        conn->out_len = conn->out_sent = 0;

        if (conn->close_after_write) {
                /*
                 * The stream cannot be trusted to be framed any more. Say we
                 * are done, and read what the client still sends before
                 * closing: a client blocked writing the rest of a large
                 * frame then gets to read the reply instead of an EPIPE.
                 */
                (void)shutdown(conn->fd, SHUT_WR);
                conn->phase = PHASE_DISCARD;
                conn->discarded = 0;
                (void)connection_arm_timer(conn, CONTROL_DISCARD_TIMEOUT_USEC);
                return connection_set_events(conn, EPOLLIN);
        }
        conn->phase = PHASE_READ_HEADER;
        connection_reset_request(conn);
        (void)connection_arm_timer(conn, CONTROL_REQUEST_TIMEOUT_USEC);
        return connection_set_events(conn, EPOLLIN);
}

static int connection_send(Connection *conn, const ProtoMessage *reply) {
        _cleanup_free_ uint8_t *data = NULL;
        size_t len;
        int r;

        r = proto_message_encode(reply, PROTO_REPLY_MAX, &data, &len);
        if (r == -EMSGSIZE) {
                /* Only a listing of an enormous ruleset gets here; say so instead of truncating it. */
                ProtoMessage small = PROTO_MESSAGE_INIT;

                small.kind = PROTO_REPLY;
                small.command = reply->command;
                small.status = PROTO_EXIT_FAILURE;
                r = diag_list_add(&small.diags, DIAG_ERROR, DIAG_IO, NULL,
                                  "the reply would exceed the protocol's limit of %u bytes", PROTO_REPLY_MAX);
                if (r >= 0)
                        r = proto_message_encode(&small, PROTO_REPLY_MAX, &data, &len);
                proto_message_done(&small);
        }
        if (r < 0)
                return r;

        free(conn->out);
        conn->out = TAKE_PTR(data);
        conn->out_len = len;
        conn->out_sent = 0;
        conn->phase = PHASE_WRITE;
        (void)connection_arm_timer(conn, CONTROL_WRITE_TIMEOUT_USEC);

        r = connection_flush(conn);
        if (r < 0)
                return r;
        if (r > 0)
                return connection_write_done(conn);
        return connection_set_events(conn, EPOLLOUT);
}

/*
 * An error reply with one diagnostic. A request that could not be decoded
 * has no command: its reply carries command 0, which clients ignore.
 */
static int connection_send_error(Connection *conn, ProtoCommand command, ProtoExit status, bool close_after,
                                 const char *fmt, ...) _printf_(5, 6);
static int connection_send_error(Connection *conn, ProtoCommand command, ProtoExit status, bool close_after,
                                 const char *fmt, ...) {
        ProtoMessage reply = PROTO_MESSAGE_INIT;
        va_list ap;
        int r;

        reply.kind = PROTO_REPLY;
        reply.command = command;
        reply.status = status;
        va_start(ap, fmt);
        r = diag_list_addv(&reply.diags, DIAG_ERROR, DIAG_SYNTAX, NULL, fmt, ap);
        va_end(ap);
        conn->close_after_write = close_after;
        if (r >= 0)
                r = connection_send(conn, &reply);
        proto_message_done(&reply);
        return r;
}

static int connection_dispatch(Connection *conn) {
        ProtoMessage request = PROTO_MESSAGE_INIT, reply = PROTO_MESSAGE_INIT;
        Control *c = conn->control;
        int r;

        /* One request at a time: nothing more is read until its reply is out. */
        r = connection_set_events(conn, 0);
        if (r < 0)
                return r;
        (void)sd_event_source_set_enabled(conn->timer, SD_EVENT_OFF);

        r = proto_message_decode(conn->payload, conn->payload_len, &request);
        connection_reset_request(conn);
        if (r == -EPROTONOSUPPORT)
                return connection_send_error(conn, 0, PROTO_EXIT_FAILURE, true,
                                             "protocol version not supported (nfwalld speaks version %d)",
                                             PROTO_VERSION);
        if (r == -ENOMEM)
                return connection_send_error(conn, 0, PROTO_EXIT_FAILURE, true, "out of memory");
        if (r < 0 || request.kind != PROTO_REQUEST) {
                proto_message_done(&request);
                log_debug("control: malformed request from pid %d, refused", (int)conn->peer.pid);
                return connection_send_error(conn, 0, PROTO_EXIT_USAGE, true, "malformed request");
        }

        if (!conn->peer.privileged && !(conn->peer.reader && control_request_is_read_only(&request))) {
                log_notice("control: %s refused to uid %u (pid %d): not privileged",
                           strempty(proto_command_to_string(request.command)), (unsigned)conn->peer.uid,
                           (int)conn->peer.pid);
                r = connection_send_error(
                        conn, request.command, PROTO_EXIT_NOT_PRIVILEGED, false,
                        conn->peer.reader ? "permission denied: \"%s\" needs root or CAP_NET_ADMIN"
                                          : "permission denied: \"%s\" needs root, CAP_NET_ADMIN or the control group",
                        strempty(proto_command_to_string(request.command)));
                proto_message_done(&request);
                return r;
        }

        reply.kind = PROTO_REPLY;
        reply.command = request.command;
        c->handler(c->userdata, &conn->peer, &request, &reply);
        proto_message_done(&request);

        conn->close_after_write = false;
        r = connection_send(conn, &reply);
        proto_message_done(&reply);
        return r;
}

/* Reads what is there. 1 when a whole frame is in, 0 when more must come, negative to close. */
static int connection_read(Connection *conn) {
        for (;;) {
                uint8_t *dst;
                size_t want;
                ssize_t n;

                if (conn->phase == PHASE_READ_HEADER) {
                        dst = conn->header + conn->header_len;
                        want = PROTO_HEADER_SIZE - conn->header_len;
                } else {
                        dst = conn->payload + conn->payload_got;
                        want = conn->payload_len - conn->payload_got;
                }

                n = recv(conn->fd, dst, want, MSG_DONTWAIT);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return 0;
                        return negative_errno();
                }
                if (n == 0) {
                        /* The client went away: between requests that is the normal end. */
                        if (conn->phase == PHASE_READ_HEADER && conn->header_len == 0)
                                return -ECONNRESET;
                        return -EPIPE;
                }

                if (conn->phase == PHASE_READ_HEADER) {
                        size_t len;
                        int r;

                        conn->header_len += (size_t)n;
                        if (conn->header_len < PROTO_HEADER_SIZE)
                                continue;
                        r = proto_frame_length(conn->header, PROTO_REQUEST_MAX, &len);
                        if (r < 0)
                                return r;
                        conn->payload = malloc(len);
                        if (!conn->payload)
                                return -ENOMEM;
                        conn->payload_len = len;
                        conn->payload_got = 0;
                        conn->phase = PHASE_READ_PAYLOAD;
                } else {
                        conn->payload_got += (size_t)n;
                        if (conn->payload_got == conn->payload_len)
                                return 1;
                }
        }
}

static int connection_discard(Connection *conn) {
        uint8_t buf[4096];

        for (;;) {
                ssize_t n = recv(conn->fd, buf, sizeof(buf), MSG_DONTWAIT);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return 0;
                        return negative_errno();
                }
                if (n == 0)
                        return -ECONNRESET;
                conn->discarded += (size_t)n;
                if (conn->discarded > CONTROL_DISCARD_MAX)
                        return -EMSGSIZE;
        }
}

/*
 * Reads what the client sent and acts on it: a whole request is answered,
 * a broken one refused. At the deadline, a request still incomplete is
 * refused as stalled, and an idle connection simply closed. Returns 0
 * while the connection lives, -ECONNRESET once it was freed.
 */
static int connection_handle_input(Connection *conn, bool deadline) {
        int r;

        r = connection_read(conn);
        if (r > 0) {
                r = connection_dispatch(conn);
                if (r >= 0)
                        return 0;
                log_warning_errno(r, "control: cannot answer pid %d, closing: %m", (int)conn->peer.pid);
                connection_free(conn);
                return -ECONNRESET;
        }
        if (r == 0) {
                if (!deadline)
                        return 0;
                if (conn->phase == PHASE_READ_HEADER && conn->header_len == 0) {
                        /* idle between requests: simply the end */
                        connection_free(conn);
                        return -ECONNRESET;
                }
                log_notice("control: pid %d sent part of a request and stalled, dropped", (int)conn->peer.pid);
                /* Tell it why, in case it listens; the discard phase's own timer ends it. */
                if (connection_set_events(conn, 0) >= 0 &&
                    connection_send_error(conn, 0, PROTO_EXIT_USAGE, true, "request not completed within %llu seconds",
                                          CONTROL_REQUEST_TIMEOUT_USEC / 1000000ULL) >= 0)
                        return 0;
                connection_free(conn);
                return -ECONNRESET;
        }

        switch (r) {
        case -ECONNRESET:
                break;
        case -EMSGSIZE:
                log_notice("control: pid %d announced a request larger than %u bytes, refused", (int)conn->peer.pid,
                           PROTO_REQUEST_MAX);
                if (connection_set_events(conn, 0) >= 0 &&
                    connection_send_error(conn, 0, PROTO_EXIT_USAGE, true, "request too large (at most %u bytes)",
                                          PROTO_REQUEST_MAX) >= 0)
                        return 0;
                break;
        case -EBADMSG:
                if (connection_set_events(conn, 0) >= 0 &&
                    connection_send_error(conn, 0, PROTO_EXIT_USAGE, true, "malformed request (empty frame)") >= 0)
                        return 0;
                break;
        case -EPIPE:
                /* Half a frame, then end of input: the client may still read (shutdown(SHUT_WR)). */
                log_debug("control: pid %d sent a truncated request", (int)conn->peer.pid);
                if (connection_set_events(conn, 0) >= 0 &&
                    connection_send_error(conn, 0, PROTO_EXIT_USAGE, true, "truncated request") >= 0)
                        return 0;
                break;
        default:
                log_debug_errno(r, "control: connection of pid %d failed: %m", (int)conn->peer.pid);
                break;
        }
        connection_free(conn);
        return -ECONNRESET;
}

/* Sends what the socket takes. At the deadline, a client that took nothing more is dropped. */
static void connection_handle_output(Connection *conn, bool deadline) {
        size_t before = conn->out_sent;
        int r;

        r = connection_flush(conn);
        if (r < 0) {
                log_debug_errno(r, "control: pid %d did not take its reply: %m", (int)conn->peer.pid);
                connection_free(conn);
                return;
        }
        if (r > 0) {
                if (connection_write_done(conn) < 0)
                        connection_free(conn);
                return;
        }
        /* progress re-armed the timer in connection_flush() */
        if (deadline && conn->out_sent == before) {
                log_notice("control: pid %d does not read its reply, dropped", (int)conn->peer.pid);
                connection_free(conn);
        }
}

static int connection_on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Connection *conn = userdata;

        switch (conn->phase) {
        case PHASE_WRITE:
                connection_handle_output(conn, false);
                break;
        case PHASE_DISCARD:
                if (connection_discard(conn) < 0)
                        connection_free(conn);
                break;
        case PHASE_READ_HEADER:
        case PHASE_READ_PAYLOAD:
                (void)connection_handle_input(conn, false);
                break;
        }
        return 0;
}

/*
 * A deadline passed. What the client sent (or took) while a long action
 * held the loop is looked at first: only a client that really is slow is
 * dropped.
 */
static int connection_on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Connection *conn = userdata;

        switch (conn->phase) {
        case PHASE_WRITE:
                connection_handle_output(conn, true);
                break;
        case PHASE_DISCARD:
                connection_free(conn);
                break;
        case PHASE_READ_HEADER:
        case PHASE_READ_PAYLOAD:
                (void)connection_handle_input(conn, true);
                break;
        }
        return 0;
}

static int connection_arm_timer(Connection *conn, uint64_t usec) {
        int r;

        r = sd_event_source_set_time_relative(conn->timer, usec);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(conn->timer, SD_EVENT_ONESHOT);
}

static int control_on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Control *c = userdata;
        _cleanup_close_ int cfd = -1;
        Connection *conn;
        int r;

        if (c->n_connections >= CONTROL_CONNECTIONS_MAX) {
                (void)sd_event_source_set_enabled(s, SD_EVENT_OFF);
                return 0;
        }

        cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd < 0) {
                if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
                        return 0;
                /* Out of descriptors: pause until a connection closes, instead of spinning. */
                if ((errno == EMFILE || errno == ENFILE) && c->n_connections > 0)
                        (void)sd_event_source_set_enabled(s, SD_EVENT_OFF);
                log_warning_errno(errno, "control: cannot accept a connection: %m");
                return 0;
        }

        conn = calloc(1, sizeof(*conn));
        if (!conn) {
                log_error("control: out of memory, connection refused");
                return 0;
        }
        conn->control = c;
        conn->fd = TAKE_FD(cfd);
        conn->next = c->connections;
        if (c->connections)
                c->connections->prev = conn;
        c->connections = conn;
        c->n_connections++;

        r = peer_identify(c, conn->fd, &conn->peer);
        if (r < 0) {
                log_warning_errno(r, "control: cannot read a client's credentials, connection refused: %m");
                connection_free(conn);
                return 0;
        }
        r = sd_event_add_io(c->event, &conn->io, conn->fd, EPOLLIN, connection_on_io, conn);
        if (r >= 0)
                r = sd_event_source_set_priority(conn->io, PRIORITY_CONNECTION);
        if (r >= 0)
                r = sd_event_add_time_relative(c->event, &conn->timer, CLOCK_MONOTONIC, CONTROL_REQUEST_TIMEOUT_USEC,
                                               100000, connection_on_timer, conn);
        if (r < 0) {
                log_warning_errno(r, "control: cannot watch a connection, refused: %m");
                connection_free(conn);
                return 0;
        }
        conn->phase = PHASE_READ_HEADER;
        log_debug("control: connection from pid %d uid %u%s", (int)conn->peer.pid, (unsigned)conn->peer.uid,
                  conn->peer.privileged ? " (privileged)" : conn->peer.reader ? " (control group)" : "");

        if (c->n_connections >= CONTROL_CONNECTIONS_MAX)
                (void)sd_event_source_set_enabled(s, SD_EVENT_OFF);
        return 0;
}

/* ---- the listening socket ---- */

static int mkdir_parents(const char *path, mode_t mode) {
        _cleanup_free_ char *copy = strdup(path);
        char *slash;

        if (!copy)
                return -ENOMEM;
        for (slash = strchr(copy + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
                *slash = 0;
                if (mkdir(copy, mode) < 0 && errno != EEXIST)
                        return negative_errno();
                *slash = '/';
        }
        return 0;
}

typedef union SocketAddress {
        struct sockaddr sa;
        struct sockaddr_un un;
} SocketAddress;

/* Whether a daemon answers on the socket file: then it is not stale, and not ours to remove. */
static bool socket_is_live(const SocketAddress *sa, socklen_t len) {
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

        if (fd < 0)
                return false;
        if (connect(fd, &sa->sa, len) >= 0)
                return true;
        /* a full backlog still means someone listens */
        return errno == EAGAIN;
}

static int control_bind(Control *c, const char *path) {
        SocketAddress sa = { .un.sun_family = AF_UNIX };
        _cleanup_close_ int fd = -1;
        socklen_t len;
        mode_t old_umask;
        int r;

        if (!path || path[0] != '/')
                return -EINVAL;
        if (strlen(path) >= sizeof(sa.un.sun_path))
                return -ENAMETOOLONG;
        memcpy(sa.un.sun_path, path, strlen(path) + 1);
        len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);

        r = mkdir_parents(path, 0755);
        if (r < 0)
                return r;

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return negative_errno();

        if (socket_is_live(&sa, len))
                return -EADDRINUSE;
        /* A socket file without a listener is what a crashed daemon leaves. */
        if (unlink(path) < 0 && errno != ENOENT)
                return negative_errno();

        /* Born with the right mode: no moment in which anyone may connect. */
        old_umask = umask(0177);
        r = bind(fd, &sa.sa, len);
        umask(old_umask);
        if (r < 0)
                return negative_errno();
        c->path = strdup(path);
        if (!c->path)
                return -ENOMEM;
        if (c->gid != (gid_t)-1 && chown(path, (uid_t)-1, c->gid) < 0)
                return negative_errno();
        if (chmod(path, 0660) < 0)
                return negative_errno();
        if (listen(fd, SOMAXCONN) < 0)
                return negative_errno();

        c->listen_fd = TAKE_FD(fd);
        return 0;
}

/**
 * control_new() - start serving the control socket
 * @event: the loop
 * @path: where to bind when systemd passed no socket
 * @gid: the control group, or (gid_t)-1
 * @handler: called for each authorised request
 * @userdata: for the handler
 * @ret: the server
 *
 * Return: 0, or a negative errno (-EADDRINUSE: another daemon answers on @path).
 */
int control_new(sd_event *event, const char *path, gid_t gid, ControlHandler handler, void *userdata,
                Control **ret) {
        _cleanup_(control_freep) Control *c = NULL;
        int n, r;

        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->event = sd_event_ref(event);
        c->listen_fd = -1;
        c->gid = gid;
        c->handler = handler;
        c->userdata = userdata;
        c->userns_known = stat("/proc/self/ns/user", &c->userns) >= 0;
        (void)read_text_file("/proc/self/uid_map", UID_MAP_MAX, &c->uid_map);     /* NULL when unreadable */

        n = sd_listen_fds(true);
        if (n < 0)
                return n;
        if (n > 1)
                return -EINVAL;
        if (n == 1) {
                r = sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_STREAM, 1, NULL, 0);
                if (r < 0)
                        return r;
                if (r == 0)
                        return -EINVAL;
                c->listen_fd = SD_LISTEN_FDS_START;
                c->activated = true;
                r = fcntl(c->listen_fd, F_GETFL);
                if (r < 0 || fcntl(c->listen_fd, F_SETFL, r | O_NONBLOCK) < 0)
                        return negative_errno();
                (void)fcntl(c->listen_fd, F_SETFD, FD_CLOEXEC);
        } else {
                r = control_bind(c, path);
                if (r < 0)
                        return r;
        }

        r = sd_event_add_io(event, &c->listen_source, c->listen_fd, EPOLLIN, control_on_accept, c);
        if (r < 0)
                return r;
        r = sd_event_source_set_priority(c->listen_source, PRIORITY_LISTEN);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(c);
        return 0;
}

/**
 * control_free() - stop serving
 * @c: the server, or NULL
 *
 * Return: NULL.
 */
Control *control_free(Control *c) {
        if (!c)
                return NULL;
        while (c->connections)
                connection_free(c->connections);
        c->listen_source = sd_event_source_disable_unref(c->listen_source);
        if (c->listen_fd >= 0)
                close(c->listen_fd);
        if (c->path)
                (void)unlink(c->path);
        free(c->path);
        free(c->uid_map);
        sd_event_unref(c->event);
        free(c);
        return NULL;
}

/**
 * control_set_group() - change the group whose members may read status
 * @c: the server
 * @gid: the group, or (gid_t)-1
 *
 * Return: 0, or a negative errno when the socket file's group could not be changed.
 */
int control_set_group(Control *c, gid_t gid) {
        c->gid = gid;
        if (c->path && chown(c->path, (uid_t)-1, gid == (gid_t)-1 ? 0 : gid) < 0)
                return negative_errno();
        return 0;
}

bool control_is_socket_activated(const Control *c) {
        return c->activated;
}

size_t control_get_n_connections(const Control *c) {
        return c->n_connections;
}

/**
 * control_group_lookup() - a group's id
 * @name: the group's name
 * @ret: its id
 *
 * Return: 0, -ENOENT when there is no such group, another negative errno.
 */
int control_group_lookup(const char *name, gid_t *ret) {
        _cleanup_free_ char *buf = NULL;
        struct group grp, *result = NULL;
        size_t size = 1024;
        int r;

        for (;;) {
                char *b = realloc(buf, size);

                if (!b)
                        return -ENOMEM;
                buf = b;
                r = getgrnam_r(name, &grp, buf, size, &result);
                if (r != ERANGE)
                        break;
                if (size > 1024 * 1024)
                        return -E2BIG;
                size *= 2;
        }
        if (r != 0)
                return -r;
        if (!result)
                return -ENOENT;
        *ret = result->gr_gid;
        return 0;
}
