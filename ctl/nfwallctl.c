/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nfwallctl: the control tool. A table of actions; each handler turns its
 * arguments into one request, sends it to nfwalld over the control socket,
 * prints the reply (text on stdout, diagnostics on stderr) and hands back
 * the reply's exit status. All logic stays in the daemon; the wire format
 * is daemon/common/proto.h, described in docs/protocol.md.
 *
 * Functions return 0 (or the daemon's exit status, >= 0) or a negative
 * errno; exit_status() in main turns that into the exit code.
 */

#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "diag.h"
#include "iptables-config.h"
#include "log.h"
#include "macro.h"
#include "proto.h"

/* How long to wait for a reply: a status of a large ruleset takes a while. */
#define DEFAULT_TIMEOUT_SEC 30u
#define TIMEOUT_SEC_MAX (7u * 24u * 3600u)

/* What import-config will read: an iptables-config is a few hundred bytes. */
#define IMPORT_FILE_MAX (1024 * 1024)

/*
 * Internal codes that exit_status() maps onto the exit codes that are not
 * just "failure": ERR_USAGE (only usage_error() returns it, and no call
 * here can fail with EDOM), ERR_NOT_RUNNING (only connect_daemon()), and
 * -EACCES or -EPERM: we may not talk to nfwalld, or not read a file.
 */
#define ERR_USAGE (-EDOM)
#define ERR_NOT_RUNNING (-ESRCH)

static const char *arg_socket = NULL;
static unsigned arg_timeout_sec = DEFAULT_TIMEOUT_SEC;

typedef struct Verb Verb;
struct Verb {
        const char *name;
        const char *args;       /* synopsis after the name, for the usage text */
        int (*handler)(const Verb *verb, int argc, char *argv[]);
        ProtoCommand command;   /* what the request asks for; _PROTO_COMMAND_INVALID: none */
        const char *help;
        const char *details;    /* more lines for "nfwallctl ACTION --help", or NULL */
};

static int verb_simple(const Verb *verb, int argc, char *argv[]);
static int verb_status(const Verb *verb, int argc, char *argv[]);
static int verb_panic(const Verb *verb, int argc, char *argv[]);
static int verb_check(const Verb *verb, int argc, char *argv[]);
static int verb_version(const Verb *verb, int argc, char *argv[]);
static int verb_import_config(const Verb *verb, int argc, char *argv[]);
static int verb_help(const Verb *verb, int argc, char *argv[]);

static const Verb verbs[] = {
        { "start", "", verb_simple, PROTO_START, "Load modules and rules (the fallback file on error)",
          "nfwalld loads the rules when it starts; this re-applies them after a stop.\n"
          "Start the daemon itself with: systemctl start firewall\n" },
        { "stop", "", verb_simple, PROTO_STOP, "Remove nfwall's tables (save first if save_on_stop)",
          "Other programs' tables stay. nfwalld keeps running, and answers status.\n" },
        { "restart", "", verb_simple, PROTO_RESTART,
          "Save if save_on_restart, swap in the rules atomically", NULL },
        { "reload", "", verb_simple, PROTO_RELOAD, "Re-read settings and rules; keep the old on error", NULL },
        { "condrestart", "", verb_simple, PROTO_CONDRESTART, "Restart only if nfwalld is running",
          "Exits 0 without doing anything when nfwalld is not running.\n" },
        { "try-restart", "", verb_simple, PROTO_CONDRESTART, "Same as condrestart", NULL },
        { "status", "[-nvx] [--json]", verb_status, PROTO_STATUS,
          "Show the daemon's state and every table",
          "Options (each overrides the settings' status_* key for this call):\n"
          "  -n, --numeric        Numeric addresses and ports\n"
          "      --no-numeric     Names instead (no lookups: services and protocols only)\n"
          "  -v, --verbose        Counters, interfaces and options\n"
          "      --no-verbose     Without them\n"
          "  -x, --exact          Exact counter values, no K/M/G\n"
          "      --line-numbers   Number the rules\n"
          "      --no-line-numbers\n"
          "      --json           One JSON document for machines\n"
          "Of -n/--no-numeric, -v/--no-verbose, --line-numbers/--no-line-numbers the last given wins.\n" },
        { "save", "", verb_simple, PROTO_SAVE, "Write the running rules to rules.v4 and rules.v6",
          "The previous files are kept as rules.v4.save and rules.v6.save.\n" },
        { "panic", "on|off|status", verb_panic, PROTO_PANIC, "Drop all traffic (rules kept), or stop doing so",
          NULL },
        { "check", "[-6] [FILE...]", verb_check, PROTO_CHECK, "Have nfwalld and the kernel validate rules",
          "Without FILE, the settings and the rules files they name; with FILEs, those, read\n"
          "as IPv4 rules unless -6 is given. Nothing is applied. nfwalld opens each FILE:\n"
          "relative names are made absolute here, and the daemon must be able to see the\n"
          "file (mind the unit's PrivateTmp= and ProtectHome=).\n" },
        { "version", "", verb_version, PROTO_VERSION_CMD, "Show nfwallctl's and nfwalld's versions", NULL },
        { "import-config", "FILE [-o OUT]", verb_import_config, _PROTO_COMMAND_INVALID,
          "Convert an iptables-config to nfwall.conf settings",
          "Works without nfwalld. FILE may be \"-\" for standard input; the result goes to\n"
          "standard output, or atomically to OUT.\n" },
        { "help", "[ACTION]", verb_help, _PROTO_COMMAND_INVALID, "Show this help, or an action's", NULL },
};

typedef struct Option {
        const char *name;
        const char *arg;
        const char *help;
} Option;

/* Only for the usage text: main() parses them, before the action. */
static const Option options[] = {
        { "--socket", "PATH", "The control socket (default " NFWALL_CONTROL_SOCKET ")" },
        { "--timeout", "SECONDS", "Seconds to wait for a reply (default 30; 0: forever)" },
        { "-h, --help", NULL, "Show this help" },
        { "--version", NULL, "Show nfwallctl's version only" },
};

static void usage(FILE *f) {
        int width = 0;

        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                int w = (int)(strlen(verbs[i].name) + 1 + strlen(verbs[i].args));
                width = MAX(width, w);
        }
        for (size_t i = 0; i < ELEMENTSOF(options); i++) {
                int w = (int)(strlen(options[i].name) + 1 + strlen(strempty(options[i].arg)));
                width = MAX(width, w);
        }

        fprintf(f,
                "Usage: nfwallctl [OPTIONS] ACTION [ARGS...]\n"
                "       nfwallctl [OPTIONS] [-4|-6] [-t TABLE] -A|-C|-D|-I|-R|-P|-F|-N|-X|-E|-Z|-L|-S ...\n"
                "\n"
                "Actions:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                _cleanup_free_ char *synopsis = NULL;

                if (asprintf(&synopsis, "%s%s%s", verbs[i].name, verbs[i].args[0] ? " " : "",
                             verbs[i].args) < 0)
                        return;
                fprintf(f, "  %-*s  %s\n", width, synopsis, verbs[i].help);
        }

        fputs("\nOptions:\n", f);
        for (size_t i = 0; i < ELEMENTSOF(options); i++) {
                _cleanup_free_ char *synopsis = NULL;

                if (asprintf(&synopsis, "%s%s%s", options[i].name, options[i].arg ? " " : "",
                             strempty(options[i].arg)) < 0)
                        return;
                fprintf(f, "  %-*s  %s\n", width, synopsis, options[i].help);
        }

        fputs("\n$NFWALL_SOCKET, when set, replaces the default socket. An argument that\n"
              "starts with '-' and is none of these options begins an iptables command,\n"
              "which nfwalld runs against the live rules. 'nfwallctl help ACTION' says more.\n"
              "\n"
              "Exit status: 0 done, 1 failed, 2 usage error, 3 nfwalld not running,\n"
              "4 not privileged, 6 not configured; iptables commands exit as iptables does.\n",
              f);
}

static void verb_usage(const Verb *verb, FILE *f) {
        fprintf(f, "Usage: nfwallctl [OPTIONS] %s%s%s\n\n%s.\n", verb->name, verb->args[0] ? " " : "",
                verb->args, verb->help);
        if (verb->details)
                fprintf(f, "\n%s", verb->details);
}

static int usage_error(const char *fmt, ...) _printf_(1, 2);
static int usage_error(const char *fmt, ...) {
        va_list ap;

        fputs("nfwallctl: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputs("\n\n", stderr);
        usage(stderr);
        return ERR_USAGE;
}

static int flush_stdout(void) {
        if (fflush(stdout) != 0 || ferror(stdout))
                return log_error_errno(errno > 0 ? -errno : -EIO, "Failed to write to standard output: %m");
        return 0;
}

static bool is_help(const char *arg) {
        return streq(arg, "-h") || streq(arg, "--help");
}

/* The common case of an action without arguments: only --help. */
static int parse_no_args(const Verb *verb, int argc, char *argv[]) {
        if (argc > 1 && is_help(argv[1])) {
                verb_usage(verb, stdout);
                return flush_stdout() < 0 ? -EIO : 1;
        }
        if (argc > 1)
                return usage_error("%s: unexpected argument '%s'", verb->name, argv[1]);
        return 0;
}

/* Talking to nfwalld */

static uint64_t now_usec(void) {
        struct timespec ts;

        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* 0 = no deadline. */
static uint64_t deadline_usec(void) {
        return arg_timeout_sec == 0 ? 0 : now_usec() + (uint64_t)arg_timeout_sec * 1000000u;
}

/* Waits for events on fd until deadline: 0, or -ETIMEDOUT. */
static int wait_fd(int fd, short events, uint64_t deadline) {
        for (;;) {
                struct pollfd p = { .fd = fd, .events = events };
                int timeout_ms = -1, n;

                if (deadline != 0) {
                        uint64_t now = now_usec();

                        if (now >= deadline)
                                return -ETIMEDOUT;
                        timeout_ms = (int)MIN((deadline - now + 999) / 1000, (uint64_t)INT_MAX);
                }
                n = poll(&p, 1, timeout_ms);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                if (n > 0)
                        return 0;
        }
}

static const char *socket_path(void) {
        return arg_socket ? arg_socket : NFWALL_CONTROL_SOCKET;
}

/*
 * Connects to the control socket, and says in words what went wrong: a
 * missing socket or nobody listening is ERR_NOT_RUNNING (unless quiet,
 * the caller's message), a refused one -EACCES.
 */
static int connect_daemon(ProtoCommand command, int *ret_fd) {
        _cleanup_close_ int fd = -1;
        union {
                struct sockaddr sa;
                struct sockaddr_un un;
        } sa = { .un.sun_family = AF_UNIX };
        const char *path = socket_path();
        struct timeval tv = { .tv_sec = arg_timeout_sec };

        /* set_socket() checked the length; this is for the compiler's peace of mind */
        if (strlen(path) >= sizeof(sa.un.sun_path))
                return -ENAMETOOLONG;
        memcpy(sa.un.sun_path, path, strlen(path));

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return log_error_errno(negative_errno(), "Failed to create a socket: %m");

        /* A full listen queue makes connect() block: at most the timeout, then EAGAIN. */
        if (arg_timeout_sec > 0)
                (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));

        while (connect(fd, &sa.sa, sizeof(sa.un)) < 0) {
                int r = negative_errno();

                struct stat st;

                /* a regular file or a directory refuses too: that is a wrong path, not a stopped daemon */
                if (r == -ECONNREFUSED && stat(path, &st) >= 0 && !S_ISSOCK(st.st_mode))
                        return log_error_errno(-ENOTSOCK, "Failed to connect to %s: %m", path);

                switch (r) {
                case -EINTR:
                        continue;
                case -ECONNREFUSED:
                case -ENOENT:
                        if (command == PROTO_CONDRESTART)
                                return ERR_NOT_RUNNING;
                        log_error("nfwalld is not running: %s %s", path,
                                  r == -ENOENT ? "does not exist" : "has no listener");
                        if (command == PROTO_START || command == PROTO_RESTART)
                                log_error("nfwalld loads the rules when it starts; start the service with "
                                          "'systemctl start firewall'");
                        return ERR_NOT_RUNNING;
                case -EACCES:
                case -EPERM:
                        log_error("Permission denied on %s: only root and members of the settings' "
                                  "control_group may connect",
                                  path);
                        return -EACCES;
                case -EAGAIN:
                        return log_error_errno(-ETIMEDOUT,
                                               "nfwalld is busy: its connection queue on %s stayed full for %u s",
                                               path, arg_timeout_sec);
                default:
                        return log_error_errno(r, "Failed to connect to %s: %m", path);
                }
        }

        /* From here on, every wait is a poll() against the deadline. */
        if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
                return log_error_errno(negative_errno(), "Failed to make the socket non-blocking: %m");

        *ret_fd = TAKE_FD(fd);
        return 0;
}

static int send_all(int fd, const uint8_t *data, size_t size, uint64_t deadline) {
        while (size > 0) {
                ssize_t n = send(fd, data, size, MSG_NOSIGNAL);

                if (n < 0) {
                        int r = negative_errno();

                        if (r == -EINTR)
                                continue;
                        if (r != -EAGAIN)
                                return r;
                        r = wait_fd(fd, POLLOUT, deadline);
                        if (r < 0)
                                return r;
                        continue;
                }
                data += n;
                size -= (size_t)n;
        }
        return 0;
}

/* Exactly size bytes: 0, -ECONNRESET at a clean end of stream before the first byte, -EPIPE in the middle. */
static int recv_all(int fd, uint8_t *data, size_t size, uint64_t deadline) {
        size_t got = 0;

        while (got < size) {
                ssize_t n = recv(fd, data + got, size - got, 0);

                if (n < 0) {
                        int r = negative_errno();

                        if (r == -EINTR)
                                continue;
                        if (r != -EAGAIN)
                                return r;
                        r = wait_fd(fd, POLLIN, deadline);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (n == 0)
                        return got == 0 ? -ECONNRESET : -EPIPE;
                got += (size_t)n;
        }
        return 0;
}

static int receive_reply(int fd, uint64_t deadline, ProtoMessage *ret) {
        uint8_t header[PROTO_HEADER_SIZE];
        _cleanup_free_ uint8_t *payload = NULL;
        size_t len;
        int r;

        r = recv_all(fd, header, sizeof(header), deadline);
        if (r == -ETIMEDOUT)
                return log_error_errno(r, "No reply from nfwalld within %u s (see --timeout)", arg_timeout_sec);
        if (r == -ECONNRESET)
                return log_error_errno(r, "nfwalld closed the connection without a reply");
        if (r == -EPIPE)
                return log_error_errno(-EBADMSG, "Malformed reply from nfwalld: the frame header is cut short");
        if (r < 0)
                return log_error_errno(r, "Failed to read nfwalld's reply: %m");

        r = proto_frame_length(header, PROTO_REPLY_MAX, &len);
        if (r == -EMSGSIZE)
                return log_error_errno(-EBADMSG,
                                       "Malformed reply from nfwalld: the frame announces more than %u bytes",
                                       PROTO_REPLY_MAX);
        if (r < 0)
                return log_error_errno(-EBADMSG, "Malformed reply from nfwalld: an empty frame");

        payload = malloc(len);
        if (!payload)
                return log_error_errno(-ENOMEM, "Failed to allocate %zu bytes for the reply: %m", len);
        r = recv_all(fd, payload, len, deadline);
        if (r == -ETIMEDOUT)
                return log_error_errno(r, "No complete reply from nfwalld within %u s (see --timeout)",
                                       arg_timeout_sec);
        if (r == -ECONNRESET || r == -EPIPE)
                return log_error_errno(-EBADMSG,
                                       "Malformed reply from nfwalld: the connection ended inside a %zu-byte frame",
                                       len);
        if (r < 0)
                return log_error_errno(r, "Failed to read nfwalld's reply: %m");

        r = proto_message_decode(payload, len, ret);
        if (r == -EPROTONOSUPPORT)
                return log_error_errno(r,
                                       "nfwalld speaks protocol version %u, nfwallctl version %u: "
                                       "install matching versions of both",
                                       payload[0], PROTO_VERSION);
        if (r == -EBADMSG)
                return log_error_errno(r, "Malformed reply from nfwalld: the %zu-byte payload does not decode",
                                       len);
        if (r < 0)
                return log_error_errno(r, "Failed to decode nfwalld's reply: %m");
        if (ret->kind != PROTO_REPLY) {
                proto_message_done(ret);
                return log_error_errno(-EBADMSG, "Malformed reply from nfwalld: a request, not a reply");
        }
        if (ret->status > 255) {
                uint32_t status = ret->status;

                proto_message_done(ret);
                return log_error_errno(-EBADMSG, "Malformed reply from nfwalld: exit status %u is out of range",
                                       status);
        }
        return 0;
}

/* Text on stdout, diagnostics on stderr. */
static int print_reply(const ProtoMessage *reply) {
        int r;

        if (reply->text_len > 0 && fwrite(reply->text, 1, reply->text_len, stdout) != reply->text_len)
                return log_error_errno(-EIO, "Failed to write to standard output: %m");
        r = flush_stdout();
        if (r < 0)
                return r;
        for (size_t i = 0; i < reply->diags.n_items; i++)
                (void)diag_format(&reply->diags.items[i], stderr);
        return 0;
}

/*
 * One request, one reply: returns the reply's exit status (>= 0), or a
 * negative errno after saying what went wrong.
 */
static int call(const ProtoMessage *request) {
        _cleanup_(proto_message_done) ProtoMessage reply = PROTO_MESSAGE_INIT;
        _cleanup_free_ uint8_t *frame = NULL;
        _cleanup_close_ int fd = -1;
        size_t frame_len;
        uint64_t deadline;
        int r, send_error;

        r = proto_message_encode(request, PROTO_REQUEST_MAX, &frame, &frame_len);
        if (r == -EMSGSIZE)
                return usage_error("the request is larger than the protocol's limit of %u bytes",
                                   PROTO_REQUEST_MAX);
        if (r < 0)
                return log_error_errno(r, "Failed to encode the request: %m");

        r = connect_daemon(request->command, &fd);
        if (r == ERR_NOT_RUNNING && request->command == PROTO_CONDRESTART)
                return 0;       /* LSB: try-restart of a stopped service succeeds */
        if (r < 0)
                return r;

        deadline = deadline_usec();
        send_error = send_all(fd, frame, frame_len, deadline);
        if (send_error == -ETIMEDOUT)
                return log_error_errno(send_error, "nfwalld did not take the request within %u s (see --timeout)",
                                       arg_timeout_sec);
        /*
         * A daemon that refuses a connection (too many) answers and closes
         * without reading: the answer may still be there to read.
         */
        if (send_error < 0 && send_error != -EPIPE && send_error != -ECONNRESET)
                return log_error_errno(send_error, "Failed to send the request to nfwalld: %m");

        r = receive_reply(fd, deadline, &reply);
        if (r < 0)
                return r;
        r = print_reply(&reply);
        if (r < 0)
                return r;
        return (int)reply.status;
}

static void request_new(const Verb *verb, ProtoMessage *ret) {
        *ret = PROTO_MESSAGE_INIT;
        ret->kind = PROTO_REQUEST;
        ret->command = verb->command;
}

/* Actions */

static int verb_simple(const Verb *verb, int argc, char *argv[]) {
        _cleanup_(proto_message_done) ProtoMessage req = PROTO_MESSAGE_INIT;
        int r;

        r = parse_no_args(verb, argc, argv);
        if (r != 0)
                return r > 0 ? 0 : r;
        request_new(verb, &req);
        return call(&req);
}

static int verb_status(const Verb *verb, int argc, char *argv[]) {
        enum {
                ARG_LINE_NUMBERS = 0x100,
                ARG_NO_NUMERIC,
                ARG_NO_VERBOSE,
                ARG_NO_LINE_NUMBERS,
                ARG_JSON,
        };
        static const struct option opts[] = {
                { "numeric", no_argument, NULL, 'n' },
                { "verbose", no_argument, NULL, 'v' },
                { "exact", no_argument, NULL, 'x' },
                { "line-numbers", no_argument, NULL, ARG_LINE_NUMBERS },
                { "no-numeric", no_argument, NULL, ARG_NO_NUMERIC },
                { "no-verbose", no_argument, NULL, ARG_NO_VERBOSE },
                { "no-line-numbers", no_argument, NULL, ARG_NO_LINE_NUMBERS },
                { "json", no_argument, NULL, ARG_JSON },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_(proto_message_done) ProtoMessage req = PROTO_MESSAGE_INIT;
        uint32_t flags = 0;
        int c;

        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+nvxh", opts, NULL)) >= 0)
                switch (c) {
                case 'n':
                        flags = (flags & ~PROTO_FLAG_NO_NUMERIC) | PROTO_FLAG_NUMERIC;
                        break;
                case ARG_NO_NUMERIC:
                        flags = (flags & ~PROTO_FLAG_NUMERIC) | PROTO_FLAG_NO_NUMERIC;
                        break;
                case 'v':
                        flags = (flags & ~PROTO_FLAG_NO_VERBOSE) | PROTO_FLAG_VERBOSE;
                        break;
                case ARG_NO_VERBOSE:
                        flags = (flags & ~PROTO_FLAG_VERBOSE) | PROTO_FLAG_NO_VERBOSE;
                        break;
                case ARG_LINE_NUMBERS:
                        flags = (flags & ~PROTO_FLAG_NO_LINE_NUMBERS) | PROTO_FLAG_LINE_NUMBERS;
                        break;
                case ARG_NO_LINE_NUMBERS:
                        flags = (flags & ~PROTO_FLAG_LINE_NUMBERS) | PROTO_FLAG_NO_LINE_NUMBERS;
                        break;
                case 'x':
                        flags |= PROTO_FLAG_EXACT;
                        break;
                case ARG_JSON:
                        flags |= PROTO_FLAG_JSON;
                        break;
                case 'h':
                        verb_usage(verb, stdout);
                        return flush_stdout();
                default:
                        if (optopt > 0)
                                return usage_error("%s: unknown option '-%c'", verb->name, optopt);
                        return usage_error("%s: unknown option '%s'", verb->name, argv[optind - 1]);
                }
        if (optind < argc)
                return usage_error("%s: unexpected argument '%s'", verb->name, argv[optind]);

        request_new(verb, &req);
        req.flags = flags;
        return call(&req);
}

static int verb_panic(const Verb *verb, int argc, char *argv[]) {
        _cleanup_(proto_message_done) ProtoMessage req = PROTO_MESSAGE_INIT;
        int r;

        if (argc > 1 && is_help(argv[1])) {
                verb_usage(verb, stdout);
                return flush_stdout();
        }
        /* Never "on" by default: a typo must not cut the host off. */
        if (argc < 2)
                return usage_error("%s: missing on, off or status", verb->name);
        if (!streq(argv[1], "on") && !streq(argv[1], "off") && !streq(argv[1], "status"))
                return usage_error("%s: '%s' is not on, off or status", verb->name, argv[1]);
        if (argc > 2)
                return usage_error("%s: unexpected argument '%s'", verb->name, argv[2]);

        request_new(verb, &req);
        r = proto_message_add_arg(&req, argv[1]);
        if (r < 0)
                return log_error_errno(r, "Failed to build the request: %m");
        return call(&req);
}

/* The daemon opens the file, from another working directory. */
static int make_absolute(const char *path, char **ret) {
        _cleanup_free_ char *cwd = NULL;

        if (path[0] == '/') {
                *ret = strdup(path);
                return *ret ? 0 : -ENOMEM;
        }
        cwd = getcwd(NULL, 0);
        if (!cwd)
                return negative_errno();
        if (asprintf(ret, "%s%s%s", cwd, streq(cwd, "/") ? "" : "/", path) < 0)
                return -ENOMEM;
        return 0;
}

static int verb_check(const Verb *verb, int argc, char *argv[]) {
        static const struct option opts[] = {
                { "ipv4", no_argument, NULL, '4' },
                { "ipv6", no_argument, NULL, '6' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_(proto_message_done) ProtoMessage req = PROTO_MESSAGE_INIT;
        bool ipv6 = false;
        int c, r;

        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "46h", opts, NULL)) >= 0)
                switch (c) {
                case '4':
                        ipv6 = false;
                        break;
                case '6':
                        ipv6 = true;
                        break;
                case 'h':
                        verb_usage(verb, stdout);
                        return flush_stdout();
                default:
                        if (optopt > 0)
                                return usage_error("%s: unknown option '-%c'", verb->name, optopt);
                        return usage_error("%s: unknown option '%s'", verb->name, argv[optind - 1]);
                }
        if (ipv6 && optind >= argc)
                return usage_error("%s: -6 goes with a FILE; without one both configured files are checked",
                                   verb->name);

        request_new(verb, &req);
        if (ipv6)
                req.flags |= PROTO_FLAG_IPV6;
        for (int i = optind; i < argc; i++) {
                _cleanup_free_ char *path = NULL;

                if (streq(argv[i], "-") || argv[i][0] == 0)
                        return usage_error("%s: '%s' is no file name; nfwalld reads the file itself", verb->name,
                                           argv[i]);
                r = make_absolute(argv[i], &path);
                if (r < 0)
                        return log_error_errno(r, "Failed to make '%s' an absolute path: %m", argv[i]);
                r = proto_message_add_arg(&req, path);
                if (r == -E2BIG)
                        return usage_error("%s: more than %d files", verb->name, PROTO_ARGS_MAX);
                if (r < 0)
                        return log_error_errno(r, "Failed to build the request: %m");
        }
        return call(&req);
}

static int verb_version(const Verb *verb, int argc, char *argv[]) {
        _cleanup_(proto_message_done) ProtoMessage req = PROTO_MESSAGE_INIT;
        int r;

        r = parse_no_args(verb, argc, argv);
        if (r != 0)
                return r > 0 ? 0 : r;

        /* ours first: it is known even when the daemon is not running */
        printf("nfwallctl %s\n", PACKAGE_VERSION);
        r = flush_stdout();
        if (r < 0)
                return r;

        request_new(verb, &req);
        return call(&req);
}

static int verb_help(const Verb *verb, int argc, char *argv[]) {
        if (argc > 2)
                return usage_error("%s: unexpected argument '%s'", verb->name, argv[2]);
        if (argc == 2) {
                for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                        if (streq(argv[1], verbs[i].name)) {
                                verb_usage(&verbs[i], stdout);
                                return flush_stdout();
                        }
                return usage_error("%s: unknown action '%s'", verb->name, argv[1]);
        }
        usage(stdout);
        return flush_stdout();
}

/* The iptables command language: argv as it is, parsed by nfwalld's grammar. */
static int run_iptables(int argc, char *argv[]) {
        _cleanup_(proto_message_done) ProtoMessage req = PROTO_MESSAGE_INIT;
        int r;

        req.kind = PROTO_REQUEST;
        req.command = PROTO_IPTABLES;
        for (int i = 0; i < argc; i++) {
                r = proto_message_add_arg(&req, argv[i]);
                if (r == -E2BIG)
                        return usage_error("more than %d arguments", PROTO_ARGS_MAX);
                if (r < 0)
                        return log_error_errno(r, "Failed to build the request: %m");
        }
        return call(&req);
}

/* import-config: local, no daemon */

static int write_all(int fd, const char *data, size_t size) {
        while (size > 0) {
                ssize_t n = write(fd, data, size);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                data += n;
                size -= (size_t)n;
        }
        return 0;
}

/*
 * Never a half-written settings file, even on a crash: write a temporary
 * file next to the target, sync it, rename it over, sync the directory.
 * An existing file keeps its mode.
 */
static int write_file_atomic(const char *path, const char *data, size_t size) {
        _cleanup_free_ char *tmp = NULL, *dir_copy = NULL;
        _cleanup_close_ int fd = -1, dir_fd = -1;
        mode_t mode = 0644;
        struct stat st;
        int r;

        if (stat(path, &st) >= 0)
                mode = st.st_mode & 07777;

        if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
                return -ENOMEM;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return negative_errno();

        r = write_all(fd, data, size);
        if (r >= 0 && fchmod(fd, mode) < 0)
                r = negative_errno();
        if (r >= 0 && fsync(fd) < 0)
                r = negative_errno();
        if (r >= 0 && rename(tmp, path) < 0)
                r = negative_errno();
        if (r < 0) {
                (void)unlink(tmp);
                return r;
        }

        dir_copy = strdup(path);
        if (!dir_copy)
                return -ENOMEM;
        dir_fd = open(dirname(dir_copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0 || fsync(dir_fd) < 0)
                return negative_errno();
        return 0;
}

static int verb_import_config(const Verb *verb, int argc, char *argv[]) {
        static const struct option opts[] = {
                { "output", required_argument, NULL, 'o' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_free_ char *text = NULL, *out = NULL;
        _cleanup_(diag_list_deinit) DiagList diags = DIAG_LIST_INIT;
        const char *input, *output = NULL, *name;
        int c, r;

        /* GNU getopt permutes, so -o may come before or after FILE. */
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) >= 0)
                switch (c) {
                case 'o':
                        output = optarg;
                        break;
                case 'h':
                        verb_usage(verb, stdout);
                        return flush_stdout();
                case ':':
                        return usage_error("%s: option '%s' needs an argument", verb->name, argv[optind - 1]);
                default:
                        if (optopt > 0)
                                return usage_error("%s: unknown option '-%c'", verb->name, optopt);
                        return usage_error("%s: unknown option '%s'", verb->name, argv[optind - 1]);
                }

        if (optind >= argc)
                return usage_error("%s: missing FILE", verb->name);
        input = argv[optind++];
        if (optind < argc)
                return usage_error("%s: unexpected argument '%s'", verb->name, argv[optind]);

        name = streq(input, "-") ? "<stdin>" : input;
        r = read_text_file(input, IMPORT_FILE_MAX, &text);
        if (r == -EFBIG)
                return log_error_errno(r, "%s: larger than %d bytes, not an iptables-config", name,
                                       IMPORT_FILE_MAX);
        if (r < 0)
                return log_error_errno(r, "%s: cannot read: %m", name);
        if (strlen(text) != (size_t)r)
                return log_error_errno(-EBADMSG, "%s: contains a NUL byte, not an iptables-config", name);

        r = iptables_config_convert(text, name, &out, &diags);
        (void)diag_list_print(&diags, stderr);
        if (r == -EINVAL)
                return -EBADMSG;        /* the diagnostics said why; not a usage error */
        if (r < 0)
                return log_error_errno(r, "Failed to convert %s: %m", name);

        if (!output) {
                fputs(out, stdout);
                return flush_stdout();
        }

        r = write_file_atomic(output, out, strlen(out));
        if (r < 0)
                return log_error_errno(r, "Failed to write %s: %m", output);
        return 0;
}

/* main */

static int parse_timeout(const char *s, unsigned *ret) {
        unsigned long v;
        char *end;

        if (!s[0] || s[0] == '-' || s[0] == '+')
                return -EINVAL;
        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno != 0 || *end != 0 || v > TIMEOUT_SEC_MAX)
                return -EINVAL;
        *ret = (unsigned)v;
        return 0;
}

static int set_socket(const char *path, const char *origin) {
        if (!path[0])
                return usage_error("%s: an empty socket path", origin);
        if (strlen(path) >= sizeof(((struct sockaddr_un *)NULL)->sun_path))
                return usage_error("%s: the socket path is longer than %zu bytes", origin,
                                   sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1);
        arg_socket = path;
        return 0;
}

/*
 * The options before the action. Returns the index of the first argument
 * that is not one of them, 0 when done (help, version), or -errno.
 */
static int parse_argv(int argc, char *argv[]) {
        const char *env = getenv("NFWALL_SOCKET");
        int i, r;

        if (env && env[0]) {
                r = set_socket(env, "$NFWALL_SOCKET");
                if (r < 0)
                        return r;
        }

        for (i = 1; i < argc; i++) {
                const char *a = argv[i], *value;

                if (is_help(a)) {
                        usage(stdout);
                        r = flush_stdout();
                        return r < 0 ? r : 0;
                }
                if (streq(a, "--version")) {
                        printf("nfwallctl %s\n", PACKAGE_VERSION);
                        r = flush_stdout();
                        return r < 0 ? r : 0;
                }

                if (streq(a, "--socket") || streq(a, "--timeout")) {
                        if (i + 1 >= argc)
                                return usage_error("option '%s' needs an argument", a);
                        value = argv[++i];
                } else if (strncmp(a, "--socket=", 9) == 0 || strncmp(a, "--timeout=", 10) == 0)
                        value = strchr(a, '=') + 1;
                else
                        break;

                if (a[2] == 's') {
                        r = set_socket(value, "--socket");
                        if (r < 0)
                                return r;
                } else if (parse_timeout(value, &arg_timeout_sec) < 0)
                        return usage_error("--timeout: '%s' is not a number of seconds from 0 to %u", value,
                                           TIMEOUT_SEC_MAX);
        }

        if (i >= argc)
                return usage_error("missing action");
        return i;
}

static int run(int argc, char *argv[]) {
        const char *action;
        int i;

        i = parse_argv(argc, argv);
        if (i <= 0)
                return i;
        action = argv[i];

        for (size_t k = 0; k < ELEMENTSOF(verbs); k++)
                if (streq(action, verbs[k].name))
                        return verbs[k].handler(&verbs[k], argc - i, argv + i);

        if (action[0] == '-' && action[1] != 0)
                return run_iptables(argc - i, argv + i);

        return usage_error("unknown action '%s'", action);
}

/* The one place where outcomes become exit codes (docs/protocol.md, "Exit status"). */
static int exit_status(int r) {
        if (r >= 0)
                return r;       /* 0, or the daemon's status */
        switch (r) {
        case ERR_USAGE:
                return PROTO_EXIT_USAGE;
        case ERR_NOT_RUNNING:
                return PROTO_EXIT_NOT_RUNNING;
        case -EACCES:
        case -EPERM:
                return PROTO_EXIT_NOT_PRIVILEGED;
        default:
                return PROTO_EXIT_FAILURE;
        }
}

int main(int argc, char *argv[]) {
        log_set_program("nfwallctl");
        return exit_status(run(argc, argv));
}
