/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * server — listens on the given ports until killed and tells every client
 * which address it saw.
 *
 *   server tcp|udp PORT... [tcp|udp PORT...]... [--ready FILE]
 *
 * Every port is opened twice: IPv4 (0.0.0.0) and IPv6 (::, IPV6_V6ONLY), so
 * peers print in their own family rather than as v4-mapped addresses.
 *
 * TCP: accept, write "peer ADDR PORT\n" to the client, close.
 * UDP: answer each datagram with "peer ADDR PORT\n", sent from the address
 *      the datagram was sent to (IP_PKTINFO / IPV6_RECVPKTINFO), so
 *      connected clients and conntrack see the reply they expect.
 * stdout gets one line per connection or datagram, flushed at once:
 *      "tcp|udp LOCALPORT PEERADDR PEERPORT"
 * That is how a test sees SNAT/MASQUERADE (PEERADDR is the translated
 * source) and REDIRECT/DNAT (LOCALPORT is where the packet ended up).
 * --ready FILE is created once every socket is bound and listening.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_SOCKS 512

union sa {
        struct sockaddr sa;
        struct sockaddr_in in4;
        struct sockaddr_in6 in6;
        struct sockaddr_storage ss;
};

struct lsock {
        int fd;
        bool tcp;
        int family;
        int port;
};

static struct lsock socks[MAX_SOCKS];
static int nsocks;

static void usage(void)
{
        fprintf(stderr, "usage: server tcp|udp PORT... [tcp|udp PORT...]... [--ready FILE]\n");
}

static void peer_text(const union sa *u, char *addr, size_t alen, int *port)
{
        if (u->sa.sa_family == AF_INET) {
                inet_ntop(AF_INET, &u->in4.sin_addr, addr, (socklen_t)alen);
                *port = ntohs(u->in4.sin_port);
        } else {
                inet_ntop(AF_INET6, &u->in6.sin6_addr, addr, (socklen_t)alen);
                *port = ntohs(u->in6.sin6_port);
        }
}

static int open_one(bool tcp, int family, int port)
{
        int one = 1;
        int fd = socket(family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        union sa ss;
        socklen_t len;

        if (fd < 0) {
                if (family == AF_INET6 && (errno == EAFNOSUPPORT))
                        return 0; /* no IPv6 here: IPv4 only */
                fprintf(stderr, "server: socket: %s\n", strerror(errno));
                return -1;
        }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        memset(&ss, 0, sizeof(ss));
        if (family == AF_INET) {
                ss.in4.sin_family = AF_INET;
                ss.in4.sin_addr.s_addr = htonl(INADDR_ANY);
                ss.in4.sin_port = htons((uint16_t)port);
                len = sizeof(ss.in4);
                if (!tcp)
                        setsockopt(fd, SOL_IP, IP_PKTINFO, &one, sizeof(one));
        } else {
                ss.in6.sin6_family = AF_INET6;
                ss.in6.sin6_addr = in6addr_any;
                ss.in6.sin6_port = htons((uint16_t)port);
                len = sizeof(ss.in6);
                setsockopt(fd, SOL_IPV6, IPV6_V6ONLY, &one, sizeof(one));
                if (!tcp)
                        setsockopt(fd, SOL_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
        }
        if (bind(fd, &ss.sa, len) < 0) {
                fprintf(stderr, "server: bind %s %s port %d: %s\n", tcp ? "tcp" : "udp",
                        family == AF_INET ? "IPv4" : "IPv6", port, strerror(errno));
                close(fd);
                return -1;
        }
        if (tcp && listen(fd, 128) < 0) {
                fprintf(stderr, "server: listen: %s\n", strerror(errno));
                close(fd);
                return -1;
        }
        if (nsocks >= MAX_SOCKS) {
                fprintf(stderr, "server: too many ports\n");
                close(fd);
                return -1;
        }
        socks[nsocks++] = (struct lsock){ fd, tcp, family, port };
        return 0;
}

static void serve_tcp(const struct lsock *l)
{
        for (int i = 0; i < 64; i++) {
                union sa peer;
                socklen_t plen = sizeof(peer);
                char addr[INET6_ADDRSTRLEN] = "?", line[128];
                int port = 0, n;
                int c = accept4(l->fd, &peer.sa, &plen, SOCK_CLOEXEC | SOCK_NONBLOCK);

                if (c < 0)
                        return;
                peer_text(&peer, addr, sizeof(addr), &port);
                printf("tcp %d %s %d\n", l->port, addr, port);
                n = snprintf(line, sizeof(line), "peer %s %d\n", addr, port);
                (void)!send(c, line, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
                close(c);
        }
}

static void serve_udp(const struct lsock *l)
{
        for (int i = 0; i < 64; i++) {
                char data[2048], addr[INET6_ADDRSTRLEN] = "?", line[128];
                union {
                        char buf[256];
                        struct cmsghdr align;
                } control, reply_control;
                union sa peer;
                struct iovec iov = { data, sizeof(data) };
                struct msghdr msg = {
                        .msg_name = &peer,
                        .msg_namelen = sizeof(peer),
                        .msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = control.buf,
                        .msg_controllen = sizeof(control.buf),
                };
                struct msghdr out;
                struct iovec oiov;
                int port = 0, n;

                if (recvmsg(l->fd, &msg, MSG_DONTWAIT) < 0)
                        return;
                peer_text(&peer, addr, sizeof(addr), &port);
                printf("udp %d %s %d\n", l->port, addr, port);
                n = snprintf(line, sizeof(line), "peer %s %d\n", addr, port);

                oiov = (struct iovec){ line, (size_t)n };
                out = (struct msghdr){
                        .msg_name = &peer,
                        .msg_namelen = msg.msg_namelen,
                        .msg_iov = &oiov,
                        .msg_iovlen = 1,
                };
                memset(&reply_control, 0, sizeof(reply_control));
                /* Reply from the address the datagram was sent to. */
                for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
                        if (c->cmsg_level == SOL_IP && c->cmsg_type == IP_PKTINFO) {
                                struct in_pktinfo pi;
                                struct cmsghdr *oc;
                                memcpy(&pi, CMSG_DATA(c), sizeof(pi));
                                pi.ipi_spec_dst = pi.ipi_addr;
                                pi.ipi_ifindex = 0;
                                out.msg_control = reply_control.buf;
                                out.msg_controllen = CMSG_SPACE(sizeof(pi));
                                oc = CMSG_FIRSTHDR(&out);
                                oc->cmsg_level = SOL_IP;
                                oc->cmsg_type = IP_PKTINFO;
                                oc->cmsg_len = CMSG_LEN(sizeof(pi));
                                memcpy(CMSG_DATA(oc), &pi, sizeof(pi));
                        } else if (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
                                struct in6_pktinfo pi;
                                struct cmsghdr *oc;
                                memcpy(&pi, CMSG_DATA(c), sizeof(pi));
                                pi.ipi6_ifindex = 0;
                                out.msg_control = reply_control.buf;
                                out.msg_controllen = CMSG_SPACE(sizeof(pi));
                                oc = CMSG_FIRSTHDR(&out);
                                oc->cmsg_level = SOL_IPV6;
                                oc->cmsg_type = IPV6_PKTINFO;
                                oc->cmsg_len = CMSG_LEN(sizeof(pi));
                                memcpy(CMSG_DATA(oc), &pi, sizeof(pi));
                        }
                }
                (void)!sendmsg(l->fd, &out, MSG_DONTWAIT);
        }
}

int main(int argc, char **argv)
{
        static struct pollfd pfds[MAX_SOCKS];
        const char *ready = NULL;
        int proto = -1; /* 1 tcp, 0 udp */

        signal(SIGPIPE, SIG_IGN);
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (argc < 3) {
                usage();
                return 2;
        }
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                char *end;
                long port;

                if (strcmp(a, "tcp") == 0) {
                        proto = 1;
                        continue;
                }
                if (strcmp(a, "udp") == 0) {
                        proto = 0;
                        continue;
                }
                if (strcmp(a, "--ready") == 0 && i + 1 < argc) {
                        ready = argv[++i];
                        continue;
                }
                errno = 0;
                port = strtol(a, &end, 10);
                if (proto < 0 || errno || end == a || *end || port < 1 || port > 65535) {
                        usage();
                        return 2;
                }
                if (open_one(proto == 1, AF_INET, (int)port) < 0 || open_one(proto == 1, AF_INET6, (int)port) < 0)
                        return 1;
        }
        if (nsocks == 0) {
                usage();
                return 2;
        }
        if (ready) {
                int fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                if (fd < 0) {
                        fprintf(stderr, "server: %s: %s\n", ready, strerror(errno));
                        return 1;
                }
                close(fd);
        }
        for (int i = 0; i < nsocks; i++)
                pfds[i] = (struct pollfd){ socks[i].fd, POLLIN, 0 };
        for (;;) {
                int r = poll(pfds, (nfds_t)nsocks, -1);

                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        fprintf(stderr, "server: poll: %s\n", strerror(errno));
                        return 1;
                }
                for (int i = 0; i < nsocks; i++) {
                        if (!(pfds[i].revents & POLLIN))
                                continue;
                        if (socks[i].tcp)
                                serve_tcp(&socks[i]);
                        else
                                serve_udp(&socks[i]);
                }
        }
}
