/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fake-nfwalld: a scripted stand-in for the daemon's control socket, for
 * test-nfwallctl.sh. It serves one connection: decodes the request, writes
 * what it got to LOG (command, flags, arguments), and answers as MODE says
 * — a good reply, or one of the broken ones nfwallctl must survive. Not a
 * daemon: no sd-event, no permissions, one client, then exit.
 *
 *   fake-nfwalld SOCKET LOG MODE [ARG]
 *
 *   reply STATUS [TEXT]  a reply with that status and text
 *   diags STATUS         a reply with diagnostics, with and without location
 *   big BYTES            a reply with that much text
 *   version2             a reply of protocol version 2
 *   malformed            a frame whose payload does not decode
 *   huge                 a header announcing more than PROTO_REPLY_MAX
 *   empty                a header announcing 0 bytes
 *   close                no reply: the connection is closed
 *   cut                  a header announcing 100 bytes, 10 bytes, then the end
 *   silent               no reply: the connection stays open (until killed, at most 60 s)
 *   request              a request where a reply should be
 *   status300            a reply with exit status 300
 *   refuse STATUS TEXT   answers before reading the request, and closes
 */

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "macro.h"
#include "proto.h"

static int write_all(int fd, const void *p, size_t n) {
        const uint8_t *d = p;

        while (n > 0) {
                ssize_t k = send(fd, d, n, MSG_NOSIGNAL);

                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                d += k;
                n -= (size_t)k;
        }
        return 0;
}

static int read_all(int fd, void *p, size_t n) {
        uint8_t *d = p;

        while (n > 0) {
                ssize_t k = recv(fd, d, n, 0);

                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        return -EPIPE;
                d += k;
                n -= (size_t)k;
        }
        return 0;
}

static int read_request(int fd, const char *log_path, ProtoMessage *ret) {
        uint8_t header[PROTO_HEADER_SIZE];
        _cleanup_free_ uint8_t *payload = NULL;
        size_t len;
        FILE *log;
        int r;

        r = read_all(fd, header, sizeof(header));
        if (r < 0)
                return r;
        r = proto_frame_length(header, PROTO_REQUEST_MAX, &len);
        if (r < 0)
                return r;
        payload = malloc(len);
        if (!payload)
                return -ENOMEM;
        r = read_all(fd, payload, len);
        if (r < 0)
                return r;
        r = proto_message_decode(payload, len, ret);
        if (r < 0)
                return r;

        log = fopen(log_path, "we");
        if (!log)
                return -errno;
        fprintf(log, "kind=%d command=%s flags=0x%x args=%zu\n", ret->kind,
                proto_command_to_string(ret->command), ret->flags, ret->n_args);
        for (size_t i = 0; i < ret->n_args; i++)
                fprintf(log, "arg=%s\n", ret->args[i]);
        return fclose(log) == 0 ? 0 : -errno;
}

static int send_reply(int fd, const ProtoMessage *m) {
        _cleanup_free_ uint8_t *frame = NULL;
        size_t len;
        int r;

        r = proto_message_encode(m, PROTO_REPLY_MAX, &frame, &len);
        if (r < 0)
                return r;
        return write_all(fd, frame, len);
}

static int serve(int fd, const char *log_path, const char *mode, const char *arg, const char *arg2) {
        _cleanup_(proto_message_done) ProtoMessage req = PROTO_MESSAGE_INIT, reply = PROTO_MESSAGE_INIT;
        int r;

        reply.kind = PROTO_REPLY;

        if (streq(mode, "refuse")) {
                reply.status = (uint32_t)atoi(arg);
                proto_message_set_text(&reply, strdup(strempty(arg2)), strlen(strempty(arg2)));
                return send_reply(fd, &reply);
        }

        r = read_request(fd, log_path, &req);
        if (r < 0)
                return r;
        reply.command = req.command;

        if (streq(mode, "reply")) {
                reply.status = (uint32_t)atoi(arg);
                if (arg2 && arg2[0])
                        proto_message_set_text(&reply, strdup(arg2), strlen(arg2));
                return send_reply(fd, &reply);
        }
        if (streq(mode, "diags")) {
                SourceLoc loc = { "/etc/nfwall/rules.v4", 3, 7 }, line_only = { NULL, 9, 0 };

                reply.status = (uint32_t)atoi(arg);
                proto_message_set_text(&reply, strdup("Firewall rules are not changed.\n"), 32);
                (void)diag_list_add(&reply.diags, DIAG_ERROR, DIAG_SYNTAX, &loc, "unknown option \"--bogus\"");
                (void)diag_list_add(&reply.diags, DIAG_WARNING, DIAG_SEMANTIC, &line_only, "a warning");
                (void)diag_list_add(&reply.diags, DIAG_NOTE, DIAG_IO, NULL, "the old rules stay in force");
                return send_reply(fd, &reply);
        }
        if (streq(mode, "big")) {
                size_t n = strtoul(arg, NULL, 10);
                char *text = malloc(n + 1);

                if (!text)
                        return -ENOMEM;
                for (size_t i = 0; i < n; i++)
                        text[i] = i % 64 == 63 ? '\n' : 'x';
                text[n] = 0;
                proto_message_set_text(&reply, text, n);
                return send_reply(fd, &reply);
        }
        if (streq(mode, "version2")) {
                static const uint8_t frame[] = { 0, 0, 0, 4, 2, 1, 0, 5 };
                return write_all(fd, frame, sizeof(frame));
        }
        if (streq(mode, "malformed")) {
                /* an attribute header cut short inside the payload */
                static const uint8_t frame[] = { 0, 0, 0, 7, 1, 1, 0, 5, 0, 3, 0 };
                return write_all(fd, frame, sizeof(frame));
        }
        if (streq(mode, "huge")) {
                uint32_t n = htonl(PROTO_REPLY_MAX + 1);
                return write_all(fd, &n, 4);
        }
        if (streq(mode, "empty")) {
                static const uint8_t frame[] = { 0, 0, 0, 0 };
                return write_all(fd, frame, sizeof(frame));
        }
        if (streq(mode, "close"))
                return 0;
        if (streq(mode, "cut")) {
                static const uint8_t frame[] = { 0, 0, 0, 100, 1, 1, 0, 5, 0, 4, 0, 0, 0, 50 };
                return write_all(fd, frame, sizeof(frame));
        }
        if (streq(mode, "silent")) {
                char c;
                /* until the client gives up and closes */
                (void)recv(fd, &c, 1, 0);
                return 0;
        }
        if (streq(mode, "request")) {
                reply.kind = PROTO_REQUEST;
                return send_reply(fd, &reply);
        }
        if (streq(mode, "status300")) {
                reply.status = 300;
                return send_reply(fd, &reply);
        }
        return -EINVAL;
}

int main(int argc, char *argv[]) {
        union {
                struct sockaddr sa;
                struct sockaddr_un un;
        } sa = { .un.sun_family = AF_UNIX };
        _cleanup_close_ int listener = -1, fd = -1;
        _cleanup_free_ char *tmp = NULL;
        int r;

        if (argc < 4 || asprintf(&tmp, "%s.tmp", argv[1]) < 0 || strlen(tmp) >= sizeof(sa.un.sun_path)) {
                fprintf(stderr, "usage: fake-nfwalld SOCKET LOG MODE [ARG [ARG]]\n");
                return 2;
        }
        /* bound and listening under another name, then renamed: SOCKET appears ready */
        memcpy(sa.un.sun_path, tmp, strlen(tmp));

        /* never outlive a test that forgot us */
        alarm(60);

        listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (listener < 0) {
                perror("socket");
                return 1;
        }
        (void)unlink(tmp);
        if (bind(listener, &sa.sa, sizeof(sa.un)) < 0 || listen(listener, 8) < 0 || rename(tmp, argv[1]) < 0) {
                perror("bind");
                return 1;
        }
        fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
                perror("accept");
                return 1;
        }
        r = serve(fd, argv[2], argv[3], argc > 4 ? argv[4] : "0", argc > 5 ? argv[5] : NULL);
        (void)unlink(argv[1]);
        if (r < 0) {
                fprintf(stderr, "fake-nfwalld: %s\n", strerror(-r));
                return 1;
        }
        return 0;
}
