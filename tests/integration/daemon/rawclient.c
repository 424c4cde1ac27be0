/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rawclient — speaks the control protocol to nfwalld byte by byte, so that
 * test-daemon.sh can send what nfwallctl never would.
 *
 *   rawclient SOCKET CASE
 *   rawclient SOCKET stall SECONDS
 *   rawclient SOCKET flood N
 *   rawclient notify-listen PATH SECONDS
 *
 * Cases (each on one fresh connection):
 *   ping             a well-formed version request
 *   status           a well-formed status request (prints the reply's text too)
 *   bad-version      payload version 99
 *   bad-kind         kind 7
 *   bad-command      command 999
 *   reply-as-request a well-formed message of kind reply
 *   truncated-attr   an attribute whose length runs past the payload
 *   bad-flags        a flags attribute of 3 bytes
 *   nul-arg          a string argument with a NUL inside
 *   too-many-args    PROTO_ARGS_MAX + 1 arguments
 *   short-payload    a payload of 2 bytes (no command)
 *   empty            a frame of length 0
 *   oversized        a header announcing PROTO_REQUEST_MAX + 1 bytes (no body sent)
 *   oversized-huge   a header announcing 0xffffffff bytes
 *   oversized-body   PROTO_REQUEST_MAX + 1 bytes announced and sent
 *   truncated-frame  a header announcing 100 bytes, 20 sent, then end of input
 *   short-header     2 bytes of header, then end of input
 *   garbage          64 bytes that are no frame (length 0x41414141)
 *
 * Output, one line: "reply STATUS [first diagnostic or first text line]",
 * "closed" (end of input without a reply) or "timeout" (nothing within 5 s).
 * Exit 0 when one of these was printed, 1 when the connection failed, 2 usage.
 *
 * stall: connects, sends 2 bytes of a header and holds the connection for
 * SECONDS without sending more; prints "held" at the end (or "closed" if the
 * daemon hung up first).
 *
 * flood N: N connections, each sends a status request as soon as it is
 * connected (so a daemon that accepts fewer at a time still serves all),
 * then all replies are awaited together (10 s); each connection is closed
 * as soon as its reply is complete, as nfwallctl does. Prints "N_OK N_ERR N_CLOSED
 * N_TIMEOUT" where N_OK counts valid replies of status 0.
 *
 * notify-listen PATH SECONDS: binds a datagram socket at PATH (for
 * NOTIFY_SOCKET) and prints every message received, one line per
 * assignment, prefixed with milliseconds since start, for SECONDS.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"

#define TIMEOUT_MS 5000

static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int connect_to(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct timeval tv = { .tv_sec = 5 };
        int fd;

        if (strlen(path) >= sizeof(sa.sun_path)) {
                fprintf(stderr, "rawclient: socket path too long\n");
                return -1;
        }
        strcpy(sa.sun_path, path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -1;
        /* a full backlog makes connect() wait; SO_SNDTIMEO bounds it */
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                fprintf(stderr, "rawclient: connect %s: %s\n", path, strerror(errno));
                close(fd);
                return -1;
        }
        return fd;
}

static int send_all(int fd, const void *p, size_t n) {
        const uint8_t *b = p;
        while (n > 0) {
                ssize_t k = send(fd, b, n, MSG_NOSIGNAL);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                b += k;
                n -= (size_t)k;
        }
        return 0;
}

/* Reads exactly n bytes within the deadline: 1 done, 0 end of input, -ETIMEDOUT, -errno. */
static int recv_all(int fd, void *p, size_t n, int64_t deadline) {
        uint8_t *b = p;
        while (n > 0) {
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                int64_t left = deadline - now_ms();
                ssize_t k;

                if (left <= 0)
                        return -ETIMEDOUT;
                if (poll(&pfd, 1, (int)left) < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (pfd.revents == 0)
                        continue;
                k = recv(fd, b, n, 0);
                if (k < 0) {
                        if (errno == EINTR || errno == EAGAIN)
                                continue;
                        if (errno == ECONNRESET)
                                return 0;
                        return -errno;
                }
                if (k == 0)
                        return 0;
                b += k;
                n -= (size_t)k;
        }
        return 1;
}

/* Waits for one reply and prints the verdict line. */
static int read_reply(int fd, bool print_text) {
        int64_t deadline = now_ms() + TIMEOUT_MS;
        uint8_t header[PROTO_HEADER_SIZE];
        ProtoMessage m = PROTO_MESSAGE_INIT;
        uint8_t *payload;
        size_t len;
        int r;

        r = recv_all(fd, header, sizeof(header), deadline);
        if (r == -ETIMEDOUT) {
                printf("timeout\n");
                return 0;
        }
        if (r <= 0) {
                printf("closed\n");
                return 0;
        }
        r = proto_frame_length(header, PROTO_REPLY_MAX, &len);
        if (r < 0) {
                printf("bad-reply-header %s\n", strerror(-r));
                return 0;
        }
        payload = malloc(len);
        if (!payload)
                return 1;
        r = recv_all(fd, payload, len, deadline);
        if (r <= 0) {
                printf("truncated-reply\n");
                free(payload);
                return 0;
        }
        r = proto_message_decode(payload, len, &m);
        free(payload);
        if (r < 0) {
                printf("bad-reply %s\n", strerror(-r));
                return 0;
        }
        if (m.kind != PROTO_REPLY) {
                printf("bad-reply kind %d\n", (int)m.kind);
                proto_message_done(&m);
                return 0;
        }
        printf("reply %u", m.status);
        if (m.diags.n_items > 0)
                printf(" %s", m.diags.items[0].message);
        else if (m.text) {
                const char *nl = strchr(m.text, '\n');
                printf(" %.*s", nl ? (int)(nl - m.text) : (int)strlen(m.text), m.text);
        }
        printf("\n");
        if (print_text && m.text)
                fputs(m.text, stdout);
        proto_message_done(&m);
        return 0;
}

/* A frame: header + version, kind, command, then `attrs` as given. */
static size_t frame(uint8_t *buf, uint8_t version, uint8_t kind, uint16_t command, const void *attrs,
                    size_t attrs_len) {
        uint32_t n = htonl((uint32_t)(4 + attrs_len));
        uint16_t c = htons(command);

        memcpy(buf, &n, 4);
        buf[4] = version;
        buf[5] = kind;
        memcpy(buf + 6, &c, 2);
        if (attrs_len)
                memcpy(buf + 8, attrs, attrs_len);
        return 8 + attrs_len;
}

static size_t attr(uint8_t *buf, uint16_t type, const void *data, uint32_t len) {
        uint16_t t = htons(type);
        uint32_t l = htonl(len);

        memcpy(buf, &t, 2);
        memcpy(buf + 2, &l, 4);
        if (len)
                memcpy(buf + 6, data, len);
        return 6 + len;
}

static int encode_request(ProtoCommand command, uint8_t **ret, size_t *ret_len) {
        ProtoMessage m = PROTO_MESSAGE_INIT;
        int r;

        m.kind = PROTO_REQUEST;
        m.command = command;
        r = proto_message_encode(&m, PROTO_REQUEST_MAX, ret, ret_len);
        proto_message_done(&m);
        return r;
}

static int one_case(const char *path, const char *name) {
        static uint8_t buf[PROTO_REQUEST_MAX + 64];
        uint8_t attrs[16384];
        size_t n = 0, a = 0;
        bool print_text = false, shut = false;
        int fd, r;

        if (!strcmp(name, "ping") || !strcmp(name, "status")) {
                uint8_t *p;
                size_t len;
                r = encode_request(!strcmp(name, "ping") ? PROTO_VERSION_CMD : PROTO_STATUS, &p, &len);
                if (r < 0)
                        return 1;
                memcpy(buf, p, len);
                n = len;
                free(p);
                print_text = !strcmp(name, "status");
        } else if (!strcmp(name, "bad-version"))
                n = frame(buf, 99, PROTO_REQUEST, PROTO_STATUS, NULL, 0);
        else if (!strcmp(name, "bad-kind"))
                n = frame(buf, PROTO_VERSION, 7, PROTO_STATUS, NULL, 0);
        else if (!strcmp(name, "bad-command"))
                n = frame(buf, PROTO_VERSION, PROTO_REQUEST, 999, NULL, 0);
        else if (!strcmp(name, "reply-as-request")) {
                uint32_t st = htonl(0);
                a = attr(attrs, PROTO_ATTR_STATUS, &st, 4);
                n = frame(buf, PROTO_VERSION, PROTO_REPLY, PROTO_STATUS, attrs, a);
        } else if (!strcmp(name, "truncated-attr")) {
                a = attr(attrs, PROTO_ATTR_ARG, "on", 2);
                /* claim 200 bytes where 2 follow */
                uint32_t l = htonl(200);
                memcpy(attrs + 2, &l, 4);
                n = frame(buf, PROTO_VERSION, PROTO_REQUEST, PROTO_PANIC, attrs, a);
        } else if (!strcmp(name, "bad-flags")) {
                a = attr(attrs, PROTO_ATTR_FLAGS, "\0\0\1", 3);
                n = frame(buf, PROTO_VERSION, PROTO_REQUEST, PROTO_STATUS, attrs, a);
        } else if (!strcmp(name, "nul-arg")) {
                a = attr(attrs, PROTO_ATTR_ARG, "o\0n", 3);
                n = frame(buf, PROTO_VERSION, PROTO_REQUEST, PROTO_PANIC, attrs, a);
        } else if (!strcmp(name, "too-many-args")) {
                for (unsigned i = 0; i <= PROTO_ARGS_MAX; i++)
                        a += attr(attrs + a, PROTO_ATTR_ARG, "x", 1);
                n = frame(buf, PROTO_VERSION, PROTO_REQUEST, PROTO_CHECK, attrs, a);
        } else if (!strcmp(name, "short-payload")) {
                uint32_t l = htonl(2);
                memcpy(buf, &l, 4);
                buf[4] = PROTO_VERSION;
                buf[5] = PROTO_REQUEST;
                n = 6;
        } else if (!strcmp(name, "empty")) {
                memset(buf, 0, 4);
                n = 4;
        } else if (!strcmp(name, "oversized") || !strcmp(name, "oversized-huge")) {
                uint32_t l = htonl(!strcmp(name, "oversized") ? PROTO_REQUEST_MAX + 1 : 0xffffffffu);
                memcpy(buf, &l, 4);
                n = 4;
        } else if (!strcmp(name, "oversized-body")) {
                uint32_t l = htonl(PROTO_REQUEST_MAX + 1);
                memcpy(buf, &l, 4);
                memset(buf + 4, 'A', PROTO_REQUEST_MAX + 1);
                n = 4 + PROTO_REQUEST_MAX + 1;
        } else if (!strcmp(name, "truncated-frame")) {
                uint32_t l = htonl(100);
                memcpy(buf, &l, 4);
                buf[4] = PROTO_VERSION;
                buf[5] = PROTO_REQUEST;
                memset(buf + 6, 0, 18);
                n = 24;
                shut = true;
        } else if (!strcmp(name, "short-header")) {
                buf[0] = 0;
                buf[1] = 0;
                n = 2;
                shut = true;
        } else if (!strcmp(name, "garbage")) {
                memset(buf, 'A', 64);
                n = 64;
        } else {
                fprintf(stderr, "rawclient: unknown case %s\n", name);
                return 2;
        }

        fd = connect_to(path);
        if (fd < 0)
                return 1;
        /* the daemon may answer and hang up before all of it is sent: that is fine */
        (void)send_all(fd, buf, n);
        if (shut)
                shutdown(fd, SHUT_WR);
        r = read_reply(fd, print_text);
        close(fd);
        return r;
}

static int stall(const char *path, int seconds) {
        int64_t end = now_ms() + (int64_t)seconds * 1000;
        int fd = connect_to(path);
        char c;

        if (fd < 0)
                return 1;
        (void)send_all(fd, "\0\0", 2);
        for (;;) {
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                int64_t left = end - now_ms();
                if (left <= 0)
                        break;
                if (poll(&pfd, 1, (int)left) > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR))) {
                        if (recv(fd, &c, 1, MSG_DONTWAIT) <= 0) {
                                printf("closed\n");
                                close(fd);
                                return 0;
                        }
                }
        }
        printf("held\n");
        close(fd);
        return 0;
}

typedef struct Conn {
        int fd;
        uint8_t header[PROTO_HEADER_SIZE];
        size_t got;             /* bytes of header + payload received */
        uint8_t *payload;
        size_t len;
        int state;              /* 0 waiting, 1 ok, 2 error reply, 3 closed */
} Conn;

static int flood(const char *path, int count) {
        Conn *c = calloc((size_t)count, sizeof(Conn));
        struct pollfd *pfd = calloc((size_t)count, sizeof(struct pollfd));
        int64_t deadline = now_ms() + 10000;
        int ok = 0, err = 0, closed = 0, waiting = 0;
        uint8_t *req;
        size_t req_len;

        if (!c || !pfd || encode_request(PROTO_STATUS, &req, &req_len) < 0)
                return 1;
        for (int i = 0; i < count; i++) {
                c[i].fd = connect_to(path);
                if (c[i].fd < 0 || send_all(c[i].fd, req, req_len) < 0) {
                        c[i].state = 3;
                        continue;
                }
                fcntl(c[i].fd, F_SETFL, O_NONBLOCK);
                waiting++;
        }
        while (waiting > 0 && now_ms() < deadline) {
                int k = 0;
                for (int i = 0; i < count; i++) {
                        pfd[i].fd = c[i].state == 0 ? c[i].fd : -1;
                        pfd[i].events = POLLIN;
                        pfd[i].revents = 0;
                }
                k = poll(pfd, (nfds_t)count, (int)(deadline - now_ms()));
                if (k < 0 && errno != EINTR)
                        break;
                for (int i = 0; i < count; i++) {
                        Conn *x = &c[i];
                        ssize_t r;
                        if (x->state != 0 || !pfd[i].revents)
                                continue;
                        if (x->got < PROTO_HEADER_SIZE)
                                r = recv(x->fd, x->header + x->got, PROTO_HEADER_SIZE - x->got, 0);
                        else
                                r = recv(x->fd, x->payload + (x->got - PROTO_HEADER_SIZE),
                                         x->len - (x->got - PROTO_HEADER_SIZE), 0);
                        if (r < 0 && (errno == EAGAIN || errno == EINTR))
                                continue;
                        if (r <= 0) {
                                x->state = 3;
                                waiting--;
                                continue;
                        }
                        x->got += (size_t)r;
                        if (x->got == PROTO_HEADER_SIZE) {
                                if (proto_frame_length(x->header, PROTO_REPLY_MAX, &x->len) < 0 ||
                                    !(x->payload = malloc(x->len))) {
                                        x->state = 2;
                                        waiting--;
                                }
                                continue;
                        }
                        if (x->got == PROTO_HEADER_SIZE + x->len) {
                                ProtoMessage m = PROTO_MESSAGE_INIT;
                                if (proto_message_decode(x->payload, x->len, &m) == 0 && m.kind == PROTO_REPLY &&
                                    m.status == 0 && m.text_len > 0)
                                        x->state = 1;
                                else
                                        x->state = 2;
                                proto_message_done(&m);
                                waiting--;
                                /* as nfwallctl does: one request, one reply, then hang up */
                                close(x->fd);
                                x->fd = -1;
                        }
                }
        }
        for (int i = 0; i < count; i++) {
                if (c[i].state == 1)
                        ok++;
                else if (c[i].state == 2)
                        err++;
                else if (c[i].state == 3)
                        closed++;
                if (c[i].fd >= 0)
                        close(c[i].fd);
                free(c[i].payload);
        }
        printf("%d %d %d %d\n", ok, err, closed, count - ok - err - closed);
        free(req);
        free(c);
        free(pfd);
        return 0;
}

static int notify_listen(const char *path, int seconds) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int64_t start = now_ms(), end = start + (int64_t)seconds * 1000;
        char buf[4096];
        int fd;

        if (strlen(path) >= sizeof(sa.sun_path))
                return 2;
        strcpy(sa.sun_path, path);
        unlink(path);
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                fprintf(stderr, "rawclient: bind %s: %s\n", path, strerror(errno));
                return 1;
        }
        setvbuf(stdout, NULL, _IOLBF, 0);
        printf("listening\n");
        for (;;) {
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                int64_t left = end - now_ms();
                ssize_t k;
                if (left <= 0)
                        break;
                if (poll(&pfd, 1, (int)left) <= 0)
                        continue;
                k = recv(fd, buf, sizeof(buf) - 1, 0);
                if (k <= 0)
                        continue;
                buf[k] = 0;
                for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line;
                     line = strtok_r(NULL, "\n", &save))
                        printf("%lld %s\n", (long long)(now_ms() - start), line);
        }
        close(fd);
        unlink(path);
        return 0;
}

int main(int argc, char *argv[]) {
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (argc == 4 && !strcmp(argv[1], "notify-listen"))
                return notify_listen(argv[2], atoi(argv[3]));
        if (argc == 4 && !strcmp(argv[2], "stall"))
                return stall(argv[1], atoi(argv[3]));
        if (argc == 4 && !strcmp(argv[2], "flood"))
                return flood(argv[1], atoi(argv[3]));
        if (argc == 3)
                return one_case(argv[1], argv[2]);
        fprintf(stderr, "usage: rawclient SOCKET CASE | SOCKET stall SECONDS | SOCKET flood N | "
                        "notify-listen PATH SECONDS\n");
        return 2;
}
