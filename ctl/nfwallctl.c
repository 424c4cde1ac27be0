/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nfwallctl: the control tool. A table of verbs; each handler turns its
 * arguments into work and its outcome into an exit status.
 */

#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "iptables-config.h"
#include "log.h"
#include "macro.h"

/* The RHEL script's codes where they overlap (DESIGN.md, "Service semantics"). */
enum {
        EXIT_OK = 0,
        EXIT_FAIL = 1,
        EXIT_USAGE = 2,
};

/* What import-config will read: an iptables-config is a few hundred bytes. */
#define IMPORT_FILE_MAX (1024 * 1024)

typedef struct Verb {
        const char *name;
        const char *args;       /* synopsis after the name, for the usage text */
        int (*handler)(int argc, char *argv[]);
        const char *help;
} Verb;

static int verb_help(int argc, char *argv[]);
static int verb_version(int argc, char *argv[]);
static int verb_import_config(int argc, char *argv[]);
static int verb_not_implemented(int argc, char *argv[]);

static const Verb verbs[] = {
        { "start", "", verb_not_implemented, "Load modules and rules, start the firewall" },
        { "stop", "", verb_not_implemented, "Remove nfwall's tables (save first if save_on_stop)" },
        { "restart", "", verb_not_implemented, "Swap in the rules from disk with no unprotected window" },
        { "reload", "", verb_not_implemented, "Re-read settings and rules; keep the old ones on error" },
        { "status", "[--json]", verb_not_implemented, "Show the daemon's state and every table" },
        { "save", "", verb_not_implemented, "Write the running rules to rules.v4 and rules.v6" },
        { "panic", "on|off", verb_not_implemented, "Drop all traffic (rules kept), or stop doing so" },
        { "check", "[FILE...]", verb_not_implemented, "Parse and validate rules without applying them" },
        { "import-config", "FILE [-o OUT]", verb_import_config,
          "Convert an iptables-config (shell variables) to nfwall.conf" },
        { "version", "", verb_version, "Show the version" },
        { "help", "", verb_help, "Show this help" },
};

/* What iptables takes as its command (or the options before it): nfwallctl's rule language. */
static const char *const rule_options[] = {
        "-4", "-6", "-t", "-A", "-C", "-D", "-I", "-R", "-P", "-F", "-N", "-X", "-E", "-Z", "-L", "-S",
        "--ipv4", "--ipv6", "--table", "--append", "--check", "--delete", "--insert", "--replace",
        "--policy", "--flush", "--new-chain", "--delete-chain", "--rename-chain", "--zero", "--list",
        "--list-rules", "-n", "-v", "-x", "--numeric", "--verbose", "--exact", "--line-numbers",
};

static void usage(FILE *f) {
        int width = 0;

        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                int w = (int)(strlen(verbs[i].name) + 1 + strlen(verbs[i].args));
                width = MAX(width, w);
        }

        fprintf(f,
                "Usage: nfwallctl COMMAND [ARGS...]\n"
                "       nfwallctl [-6] [-t TABLE] -A|-C|-D|-I|-R|-P|-F|-N|-X|-E|-Z|-L|-S ...\n"
                "\n"
                "Commands:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                _cleanup_free_ char *synopsis = NULL;

                if (asprintf(&synopsis, "%s%s%s", verbs[i].name, verbs[i].args[0] ? " " : "",
                             verbs[i].args) < 0)
                        return;
                fprintf(f, "  %-*s  %s\n", width, synopsis, verbs[i].help);
        }
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
        return EXIT_USAGE;
}

static int verb_help(int argc, char *argv[]) {
        if (argc > 1)
                return usage_error("%s: unexpected argument '%s'", argv[0], argv[1]);
        usage(stdout);
        return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}

static int verb_version(int argc, char *argv[]) {
        if (argc > 1)
                return usage_error("%s: unexpected argument '%s'", argv[0], argv[1]);
        printf("nfwallctl %s\n", PACKAGE_VERSION);
        return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}

static int verb_not_implemented(int argc, char *argv[]) {
        log_error("%s: not implemented yet", argv[0]);
        return EXIT_FAIL;
}

static void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}

/* Reads all of path ("-" = stdin), NUL-terminated; returns its size. */
static int read_text_file(const char *path, size_t max, char **ret) {
        _cleanup_(fclosep) FILE *owned = NULL;
        _cleanup_free_ char *buf = NULL;
        FILE *f = stdin;
        size_t n;

        if (!streq(path, "-")) {
                struct stat st;

                f = owned = fopen(path, "re");
                if (!f)
                        return negative_errno();
                if (fstat(fileno(f), &st) < 0)
                        return negative_errno();
                if (S_ISDIR(st.st_mode))
                        return -EISDIR;
        }

        buf = malloc(max + 2);
        if (!buf)
                return -ENOMEM;
        n = fread(buf, 1, max + 1, f);
        if (ferror(f))
                return -EIO;
        if (n > max)
                return -EFBIG;
        buf[n] = 0;

        *ret = TAKE_PTR(buf);
        return (int)n;
}

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

static int verb_import_config(int argc, char *argv[]) {
        static const struct option options[] = {
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
        while ((c = getopt_long(argc, argv, ":o:h", options, NULL)) >= 0)
                switch (c) {
                case 'o':
                        output = optarg;
                        break;
                case 'h':
                        printf("Usage: nfwallctl import-config FILE [-o OUT]\n"
                               "\n"
                               "Converts an iptables-config (IPTABLES_MODULES=\"...\" and the like) to\n"
                               "nfwall.conf settings, written to standard output or atomically to OUT.\n"
                               "FILE may be \"-\" for standard input.\n");
                        return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
                case ':':
                        return usage_error("%s: option '%s' needs an argument", argv[0], argv[optind - 1]);
                default:
                        if (optopt > 0)
                                return usage_error("%s: unknown option '-%c'", argv[0], optopt);
                        return usage_error("%s: unknown option '%s'", argv[0], argv[optind - 1]);
                }

        if (optind >= argc)
                return usage_error("%s: missing FILE", argv[0]);
        input = argv[optind++];
        if (optind < argc)
                return usage_error("%s: unexpected argument '%s'", argv[0], argv[optind]);

        name = streq(input, "-") ? "<stdin>" : input;
        r = read_text_file(input, IMPORT_FILE_MAX, &text);
        if (r == -EFBIG) {
                log_error("%s: larger than %d bytes, not an iptables-config", name, IMPORT_FILE_MAX);
                return EXIT_FAIL;
        }
        if (r < 0) {
                log_error_errno(r, "%s: cannot read: %m", name);
                return EXIT_FAIL;
        }
        if (strlen(text) != (size_t)r) {
                log_error("%s: contains a NUL byte, not an iptables-config", name);
                return EXIT_FAIL;
        }

        r = iptables_config_convert(text, name, &out, &diags);
        (void)diag_list_print(&diags, stderr);
        if (r == -EINVAL)
                return EXIT_FAIL;
        if (r < 0) {
                log_error_errno(r, "Failed to convert %s: %m", name);
                return EXIT_FAIL;
        }

        if (!output) {
                fputs(out, stdout);
                if (fflush(stdout) != 0) {
                        log_error_errno(negative_errno(), "Failed to write to standard output: %m");
                        return EXIT_FAIL;
                }
                return EXIT_OK;
        }

        r = write_file_atomic(output, out, strlen(out));
        if (r < 0) {
                log_error_errno(r, "Failed to write %s: %m", output);
                return EXIT_FAIL;
        }
        return EXIT_OK;
}

static bool is_rule_option(const char *arg) {
        for (size_t i = 0; i < ELEMENTSOF(rule_options); i++) {
                size_t n = strlen(rule_options[i]);

                /* iptables glues short options and their values: "-tnat", "-nL". */
                if (rule_options[i][1] != '-' ? strncmp(arg, rule_options[i], n) == 0 :
                                                streq(arg, rule_options[i]))
                        return true;
        }
        return false;
}

int main(int argc, char *argv[]) {
        const char *verb;

        log_set_program("nfwallctl");

        if (argc < 2)
                return usage_error("missing command");
        verb = argv[1];

        if (streq(verb, "-h") || streq(verb, "--help"))
                return verb_help(1, argv + 1);
        if (streq(verb, "--version"))
                return verb_version(1, argv + 1);

        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verb, verbs[i].name))
                        return verbs[i].handler(argc - 1, argv + 1);

        if (verb[0] == '-' && is_rule_option(verb)) {
                log_error("iptables rule commands are not implemented yet");
                return EXIT_FAIL;
        }

        return usage_error("unknown command '%s'", verb);
}
