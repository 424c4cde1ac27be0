/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * probe — one connection attempt, one word for what the client saw.
 *
 *   probe tcp  ADDR PORT [options]
 *   probe udp  ADDR PORT [options]
 *   probe icmp ADDR      [options]      (ICMP or ICMPv6 echo, by address family)
 *
 * options: --timeout MS (default 1000), --src ADDR, --sport PORT,
 *          --payload TEXT (udp: the datagram, default "probe"; tcp: sent
 *          once connected, default nothing), --reply (print the server's
 *          answer on a second line), --netns NAME (enter the network
 *          namespace /run/netns/NAME first: what `ip netns exec` does for
 *          the network, without its mount namespace work).
 *
 * In TEXT the two-character escapes \r and \n stand for CR and LF, so that
 * a shell argument can carry the lines of a protocol like FTP; any other
 * backslash is sent as it is. Over TCP, each line of TEXT (up to and
 * including its LF) goes out in a segment of its own: the kernel's FTP
 * helper reads a command only in a segment that starts where an earlier
 * segment of the same direction ended a line, so a PORT command must follow
 * another line to be seen. The probe then waits until the peer has
 * acknowledged the text (at most 200 ms, not past the deadline) before it
 * closes; the verdict stays "open" whatever happens to the text (a note on
 * stderr says when it was not acknowledged).
 *
 * Verdicts, printed alone on the first line of stdout:
 *   open            TCP connected / UDP reply received / echo reply received
 *   refused         TCP RST (ECONNREFUSED with no ICMP error queued)
 *   timeout         nothing came back before the deadline (dropped)
 *   icmp:T:C        an ICMP error of type T, code C reached the socket
 *   icmp6:T:C       the same for ICMPv6
 *   error:ENAME     the local stack refused (e.g. error:EPERM when our own
 *                   OUTPUT chain drops, error:ENETUNREACH without a route)
 *
 * ICMP errors are read from the socket error queue (IP_RECVERR /
 * IPV6_RECVERR, MSG_ERRQUEUE, struct sock_extended_err), so the exact type
 * and code are known; a TCP RST queues nothing, which is how "refused" and
 * "icmp:3:3" are told apart.
 *
 * Exit status: 0 when a verdict was printed, 1 when the probe could not run
 * (socket or bind failed), 2 on usage errors.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <linux/sockios.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum proto { P_TCP, P_UDP, P_ICMP };

struct opts {
        enum proto proto;
        const char *addr;
        int port;
        int timeout_ms;
        const char *src;
        int sport;
        const char *payload;
        size_t payload_len;
        bool payload_set; /* --payload given: TCP sends it */
        const char *netns;
        bool reply;
};

union sa {
        struct sockaddr sa;
        struct sockaddr_in in4;
        struct sockaddr_in6 in6;
        struct sockaddr_storage ss;
};

static char reply_buf[512];
static bool have_reply;

static void usage(void)
{
        fprintf(stderr,
                "usage: probe tcp|udp ADDR PORT [--timeout MS] [--src ADDR] [--sport PORT]\n"
                "                               [--payload TEXT] [--reply]\n"
                "       (TEXT: \\r and \\n are CR and LF; tcp sends it once connected)\n"
                "       probe icmp ADDR [--timeout MS] [--src ADDR] [--reply]\n"
                "       (any of them: --netns NAME)\n");
}

static long long now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int remaining_ms(long long deadline)
{
        long long r = deadline - now_ms();

        return r < 0 ? 0 : (int)r;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || end == s || *end || v < lo || v > hi)
                return -1;
        *out = (int)v;
        return 0;
}

static int make_addr(const char *text, int port, union sa *out, socklen_t *len)
{
        memset(out, 0, sizeof(*out));
        if (inet_pton(AF_INET, text, &out->in4.sin_addr) == 1) {
                out->in4.sin_family = AF_INET;
                out->in4.sin_port = htons((uint16_t)port);
                *len = sizeof(out->in4);
                return AF_INET;
        }
        if (inet_pton(AF_INET6, text, &out->in6.sin6_addr) == 1) {
                out->in6.sin6_family = AF_INET6;
                out->in6.sin6_port = htons((uint16_t)port);
                *len = sizeof(out->in6);
                return AF_INET6;
        }
        return -1;
}

static void print_errno_verdict(int err)
{
        const char *name = strerrorname_np(err);

        if (name)
                printf("error:%s\n", name);
        else
                printf("error:%d\n", err);
}

/* Read the socket error queue. Returns 1 and prints a verdict when an ICMP
 * error (or a local error) was queued, 0 when the queue was empty. */
static int drain_errqueue(int fd)
{
        int printed = 0;

        for (int i = 0; i < 16; i++) {
                char data[256];
                union {
                        char buf[512];
                        struct cmsghdr align;
                } control;
                struct iovec iov = { data, sizeof(data) };
                union sa from;
                struct msghdr msg = {
                        .msg_name = &from,
                        .msg_namelen = sizeof(from),
                        .msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = control.buf,
                        .msg_controllen = sizeof(control.buf),
                };

                if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
                        break;
                for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
                        struct sock_extended_err ee;

                        if (!((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
                              (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)))
                                continue;
                        memcpy(&ee, CMSG_DATA(c), sizeof(ee));
                        if (printed)
                                continue; /* report the first one only */
                        if (ee.ee_origin == SO_EE_ORIGIN_ICMP)
                                printf("icmp:%u:%u\n", ee.ee_type, ee.ee_code);
                        else if (ee.ee_origin == SO_EE_ORIGIN_ICMP6)
                                printf("icmp6:%u:%u\n", ee.ee_type, ee.ee_code);
                        else
                                print_errno_verdict((int)ee.ee_errno);
                        printed = 1;
                }
        }
        return printed;
}

static int set_recverr(int fd, int family)
{
        int one = 1;

        if (family == AF_INET)
                return setsockopt(fd, SOL_IP, IP_RECVERR, &one, sizeof(one));
        return setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &one, sizeof(one));
}

static int bind_source(int fd, const struct opts *o, int family)
{
        union sa src;
        socklen_t len;

        if (!o->src && !o->sport)
                return 0;
        if (o->src) {
                if (make_addr(o->src, o->sport, &src, &len) != family) {
                        fprintf(stderr, "probe: --src %s is not an address of the target's family\n", o->src);
                        return -2;
                }
        } else {
                memset(&src, 0, sizeof(src));
                src.sa.sa_family = (sa_family_t)family;
                if (family == AF_INET) {
                        src.in4.sin_port = htons((uint16_t)o->sport);
                        len = sizeof(src.in4);
                } else {
                        src.in6.sin6_port = htons((uint16_t)o->sport);
                        len = sizeof(src.in6);
                }
        }
        if (o->sport) {
                int one = 1;
                setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        }
        if (bind(fd, &src.sa, len) < 0) {
                fprintf(stderr, "probe: bind: %s\n", strerror(errno));
                return -1;
        }
        return 0;
}

/* Decode the escapes \r and \n of --payload TEXT into CR and LF; any other
 * backslash stays. Returns a new buffer (NULL when out of memory) and its
 * length; text without backslashes comes back unchanged. */
static char *unescape(const char *text, size_t *len)
{
        char *out = malloc(strlen(text) + 1);
        size_t n = 0;

        if (!out)
                return NULL;
        while (*text) {
                if (text[0] == '\\' && (text[1] == 'r' || text[1] == 'n')) {
                        out[n++] = text[1] == 'r' ? '\r' : '\n';
                        text += 2;
                } else {
                        out[n++] = *text++;
                }
        }
        out[n] = 0;
        *len = n;
        return out;
}

/* Send the payload over a connected TCP socket, each line (up to and
 * including its LF) in a segment of its own: TCP_NODELAY sends every line at
 * once, and MSG_EOR keeps a later line out of a segment still queued. Then
 * wait until the peer has acknowledged everything (SIOCOUTQ 0), at most
 * 200 ms and not past the deadline, or until the connection is reset, so
 * that the close that follows cannot throw unsent text away (closing with
 * the server's greeting unread sends a RST and empties the send queue).
 * Failures only go to stderr: the verdict is about the connection. */
static void send_payload(int fd, const struct opts *o, long long deadline)
{
        const char *p = o->payload, *end = o->payload + o->payload_len;
        long long wait_end = now_ms() + 200;
        int one = 1, queued = 0;

        if (wait_end > deadline)
                wait_end = deadline;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *line_end = nl ? nl + 1 : end;
                ssize_t n = send(fd, p, (size_t)(line_end - p), MSG_EOR | MSG_NOSIGNAL);

                if (n >= 0) {
                        p += n;
                        continue;
                }
                if (errno == EINTR)
                        continue;
                if (errno == EAGAIN) {
                        struct pollfd pf = { fd, POLLOUT, 0 };

                        if (poll(&pf, 1, remaining_ms(deadline)) > 0)
                                continue;
                        fprintf(stderr, "probe: send: no room before the deadline\n");
                } else {
                        fprintf(stderr, "probe: send: %s\n", strerror(errno));
                }
                break;
        }
        for (;;) {
                struct pollfd pf = { fd, 0, 0 };

                if (ioctl(fd, SIOCOUTQ, &queued) < 0 || queued == 0)
                        return;
                if (now_ms() >= wait_end)
                        break;
                /* POLLERR / POLLHUP: reset, nothing more will be acknowledged. */
                if (poll(&pf, 1, 5) > 0 && (pf.revents & (POLLERR | POLLHUP)))
                        break;
        }
        fprintf(stderr, "probe: %d bytes of the payload not acknowledged\n", queued);
}

/* After a successful exchange, optionally wait for one line of text. */
static void read_reply(int fd, long long deadline)
{
        size_t used = 0;

        while (used < sizeof(reply_buf) - 1) {
                struct pollfd p = { fd, POLLIN, 0 };
                ssize_t n;

                if (poll(&p, 1, remaining_ms(deadline)) <= 0)
                        break;
                n = recv(fd, reply_buf + used, sizeof(reply_buf) - 1 - used, MSG_DONTWAIT);
                if (n <= 0)
                        break;
                used += (size_t)n;
                if (memchr(reply_buf, '\n', used))
                        break;
        }
        reply_buf[used] = 0;
        reply_buf[strcspn(reply_buf, "\n")] = 0;
        have_reply = used > 0;
}

static int run_tcp(const struct opts *o)
{
        union sa dst;
        socklen_t dlen;
        int family = make_addr(o->addr, o->port, &dst, &dlen);
        long long deadline = now_ms() + o->timeout_ms;
        int fd, r;

        fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
                fprintf(stderr, "probe: socket: %s\n", strerror(errno));
                return 1;
        }
        if (set_recverr(fd, family) < 0) {
                fprintf(stderr, "probe: IP_RECVERR: %s\n", strerror(errno));
                return 1;
        }
        r = bind_source(fd, o, family);
        if (r < 0)
                return r == -2 ? 2 : 1;

        if (connect(fd, &dst.sa, dlen) == 0) {
                puts("open");
                goto opened;
        }
        if (errno != EINPROGRESS) {
                int err = errno;
                if (!drain_errqueue(fd))
                        print_errno_verdict(err);
                close(fd);
                return 0;
        }

        for (;;) {
                struct pollfd p = { fd, POLLOUT, 0 };
                int left = remaining_ms(deadline);
                int err = 0;
                socklen_t elen = sizeof(err);

                if (left == 0) {
                        puts("timeout");
                        close(fd);
                        return 0;
                }
                r = poll(&p, 1, left);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        continue;
                if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
                        err = errno;
                if (err == 0 && (p.revents & POLLOUT) && !(p.revents & POLLERR)) {
                        puts("open");
                        goto opened;
                }
                if (err == 0 && !drain_errqueue(fd))
                        continue; /* spurious wake-up */
                if (err == 0) {
                        close(fd);
                        return 0;
                }
                /* An ICMP error queued by IP_RECVERR takes precedence; a
                 * plain ECONNREFUSED without one is a TCP RST. */
                if (!drain_errqueue(fd)) {
                        if (err == ECONNREFUSED)
                                puts("refused");
                        else if (err == ETIMEDOUT)
                                puts("timeout");
                        else
                                print_errno_verdict(err);
                }
                close(fd);
                return 0;
        }

opened:
        if (o->payload_set)
                send_payload(fd, o, deadline);
        if (o->reply) {
                read_reply(fd, now_ms() + o->timeout_ms);
                printf("%s\n", have_reply ? reply_buf : "-");
        }
        close(fd);
        return 0;
}

static int run_udp(const struct opts *o)
{
        union sa dst;
        socklen_t dlen;
        int family = make_addr(o->addr, o->port, &dst, &dlen);
        long long deadline = now_ms() + o->timeout_ms;
        int fd, r;

        fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
                fprintf(stderr, "probe: socket: %s\n", strerror(errno));
                return 1;
        }
        if (set_recverr(fd, family) < 0) {
                fprintf(stderr, "probe: IP_RECVERR: %s\n", strerror(errno));
                return 1;
        }
        r = bind_source(fd, o, family);
        if (r < 0)
                return r == -2 ? 2 : 1;
        if (connect(fd, &dst.sa, dlen) < 0) {
                print_errno_verdict(errno);
                close(fd);
                return 0;
        }
        if (send(fd, o->payload, o->payload_len, 0) < 0) {
                int err = errno;
                if (!drain_errqueue(fd))
                        print_errno_verdict(err);
                close(fd);
                return 0;
        }
        for (;;) {
                struct pollfd p = { fd, POLLIN, 0 };
                int left = remaining_ms(deadline);
                ssize_t n;

                if (left == 0) {
                        puts("timeout");
                        break;
                }
                r = poll(&p, 1, left);
                if (r <= 0)
                        continue;
                if ((p.revents & POLLERR) && drain_errqueue(fd))
                        break;
                if (!(p.revents & POLLIN))
                        continue;
                n = recv(fd, reply_buf, sizeof(reply_buf) - 1, MSG_DONTWAIT);
                if (n < 0) {
                        if (errno == EAGAIN || errno == EINTR)
                                continue;
                        if (!drain_errqueue(fd))
                                print_errno_verdict(errno);
                        break;
                }
                reply_buf[n] = 0;
                reply_buf[strcspn(reply_buf, "\n")] = 0;
                have_reply = true;
                puts("open");
                if (o->reply)
                        printf("%s\n", reply_buf);
                break;
        }
        close(fd);
        return 0;
}

static uint16_t inet_checksum(const void *data, size_t len)
{
        const uint8_t *p = data;
        uint32_t sum = 0;

        for (size_t i = 0; i + 1 < len; i += 2)
                sum += (uint32_t)(p[i] << 8 | p[i + 1]);
        if (len & 1)
                sum += (uint32_t)(p[len - 1] << 8);
        while (sum >> 16)
                sum = (sum & 0xffff) + (sum >> 16);
        return htons((uint16_t)~sum);
}

/* Echo request over a ping (datagram) socket when the ping_group_range
 * allows it, else over a raw socket (needs CAP_NET_RAW). Errors come from
 * the error queue either way: the kernel queues ICMP errors that quote our
 * echo request on both kinds of socket when IP_RECVERR is set. */
static int run_icmp(const struct opts *o)
{
        union sa dst;
        socklen_t dlen;
        int family = make_addr(o->addr, 0, &dst, &dlen);
        int proto = family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
        long long deadline = now_ms() + o->timeout_ms;
        uint16_t id = (uint16_t)(getpid() & 0xffff), seq = 1;
        bool raw = false;
        uint8_t pkt[64];
        int fd, r;

        fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
        if (fd < 0) {
                fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
                raw = true;
        }
        if (fd < 0) {
                fprintf(stderr, "probe: icmp socket: %s\n", strerror(errno));
                return 1;
        }
        if (set_recverr(fd, family) < 0) {
                fprintf(stderr, "probe: IP_RECVERR: %s\n", strerror(errno));
                return 1;
        }
        if (raw && family == AF_INET6) {
                /* Only echo replies on the normal queue. */
                struct icmp6_filter f;
                ICMP6_FILTER_SETBLOCKALL(&f);
                ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
                setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
        }
        r = bind_source(fd, o, family);
        if (r < 0)
                return r == -2 ? 2 : 1;

        memset(pkt, 0, sizeof(pkt));
        pkt[0] = family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
        pkt[4] = (uint8_t)(id >> 8);
        pkt[5] = (uint8_t)id;
        pkt[6] = (uint8_t)(seq >> 8);
        pkt[7] = (uint8_t)seq;
        memcpy(pkt + 8, "nfwall-probe", 12);
        if (raw && family == AF_INET) {
                uint16_t c = inet_checksum(pkt, 20);
                memcpy(pkt + 2, &c, 2);
        }
        if (sendto(fd, pkt, 20, 0, &dst.sa, dlen) < 0) {
                int err = errno;
                if (!drain_errqueue(fd))
                        print_errno_verdict(err);
                close(fd);
                return 0;
        }

        for (;;) {
                struct pollfd p = { fd, POLLIN, 0 };
                int left = remaining_ms(deadline);
                uint8_t buf[1500];
                union sa from;
                socklen_t flen = sizeof(from);
                const uint8_t *icmp;
                ssize_t n;

                if (left == 0) {
                        puts("timeout");
                        break;
                }
                r = poll(&p, 1, left);
                if (r <= 0)
                        continue;
                if ((p.revents & POLLERR) && drain_errqueue(fd))
                        break;
                if (!(p.revents & POLLIN))
                        continue;
                n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, &from.sa, &flen);
                if (n < 0) {
                        if (errno == EAGAIN || errno == EINTR)
                                continue;
                        if (!drain_errqueue(fd))
                                print_errno_verdict(errno);
                        break;
                }
                icmp = buf;
                if (raw && family == AF_INET) {
                        size_t ihl = (size_t)(buf[0] & 0x0f) * 4;
                        if ((size_t)n < ihl + 8)
                                continue;
                        icmp = buf + ihl;
                        n -= (ssize_t)ihl;
                }
                if (n < 8)
                        continue;
                if (icmp[0] != (family == AF_INET ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY))
                        continue;
                /* A ping socket rewrites the identifier; a raw one does not. */
                if (raw && (uint16_t)(icmp[4] << 8 | icmp[5]) != id)
                        continue;
                if ((uint16_t)(icmp[6] << 8 | icmp[7]) != seq)
                        continue;
                if (family == AF_INET ? memcmp(&from.in4.sin_addr, &dst.in4.sin_addr, 4) != 0
                                      : memcmp(&from.in6.sin6_addr, &dst.in6.sin6_addr, 16) != 0)
                        continue;
                puts("open");
                if (o->reply) {
                        char text[INET6_ADDRSTRLEN] = "?";
                        inet_ntop(family, family == AF_INET ? (void *)&from.in4.sin_addr
                                                            : (void *)&from.in6.sin6_addr,
                                  text, sizeof(text));
                        printf("echo-reply %s\n", text);
                }
                break;
        }
        close(fd);
        return 0;
}

int main(int argc, char **argv)
{
        struct opts o = { .timeout_ms = 1000, .payload = "probe" };
        int i;

        if (argc < 3) {
                usage();
                return 2;
        }
        if (strcmp(argv[1], "tcp") == 0)
                o.proto = P_TCP;
        else if (strcmp(argv[1], "udp") == 0)
                o.proto = P_UDP;
        else if (strcmp(argv[1], "icmp") == 0 || strcmp(argv[1], "icmp6") == 0)
                o.proto = P_ICMP;
        else {
                usage();
                return 2;
        }
        o.addr = argv[2];
        i = 3;
        if (o.proto != P_ICMP) {
                if (argc < 4 || parse_int(argv[3], 1, 65535, &o.port) < 0) {
                        usage();
                        return 2;
                }
                i = 4;
        }
        for (; i < argc; i++) {
                const char *a = argv[i];
                const char *v = i + 1 < argc ? argv[i + 1] : NULL;

                if (strcmp(a, "--reply") == 0) {
                        o.reply = true;
                        continue;
                }
                if (!v) {
                        usage();
                        return 2;
                }
                if (strcmp(a, "--timeout") == 0) {
                        if (parse_int(v, 1, 60000, &o.timeout_ms) < 0) {
                                usage();
                                return 2;
                        }
                } else if (strcmp(a, "--src") == 0) {
                        o.src = v;
                } else if (strcmp(a, "--sport") == 0) {
                        if (parse_int(v, 1, 65535, &o.sport) < 0) {
                                usage();
                                return 2;
                        }
                } else if (strcmp(a, "--payload") == 0) {
                        o.payload = v;
                        o.payload_set = true;
                } else if (strcmp(a, "--netns") == 0) {
                        o.netns = v;
                } else {
                        usage();
                        return 2;
                }
                i++;
        }
        {
                union sa tmp;
                socklen_t len;
                if (make_addr(o.addr, 0, &tmp, &len) < 0) {
                        fprintf(stderr, "probe: not an IPv4 or IPv6 address: %s\n", o.addr);
                        return 2;
                }
        }
        o.payload = unescape(o.payload, &o.payload_len);
        if (!o.payload) {
                fprintf(stderr, "probe: out of memory\n");
                return 1;
        }
        if (o.netns) {
                char path[4096];
                int fd;

                if (strchr(o.netns, '/') || snprintf(path, sizeof(path), "/run/netns/%s", o.netns) >= (int)sizeof(path)) {
                        fprintf(stderr, "probe: bad namespace name %s\n", o.netns);
                        return 2;
                }
                fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
                        fprintf(stderr, "probe: cannot enter %s: %s\n", path, strerror(errno));
                        return 1;
                }
                close(fd);
        }
        setvbuf(stdout, NULL, _IOLBF, 0);
        switch (o.proto) {
        case P_TCP:
                return run_tcp(&o);
        case P_UDP:
                return run_udp(&o);
        case P_ICMP:
                return run_icmp(&o);
        }
        return 2;
}
