/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nfwalld: argv, logging, run(). The service runs in the foreground on
 * an sd-event loop; the manager does the work, this file wires signals
 * to it: SIGTERM and SIGINT stop the firewall and exit (as a systemd
 * service treats both), SIGHUP reloads. `nfwalld --test` is the offline
 * check, in the manner of `sshd -t`.
 */

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <systemd/sd-event.h>

#include "conf.h"
#include "log.h"
#include "manager.h"
#include "nft-compile.h"
#include "nft-netlink.h"
#include "ruleset-names.h"
#include "ruleset-parse.h"
#include "ruleset-print.h"

typedef struct Arguments {
        const char *config;
        bool test;
        bool print;
        bool ipv6;
        bool counters;
        bool no_kernel;
        bool debug;
        const char *file;
} Arguments;

static void help(void) {
        printf("Usage: nfwalld [--config FILE] [--debug]\n"
               "       nfwalld --test [--print [--counters]] [-6] [FILE]\n"
               "\n"
               "Host firewall daemon: loads iptables-save rulesets into nf_tables.\n"
               "\n"
               "  -c, --config FILE  settings file (default " NFWALL_CONFIG_PATH ")\n"
               "  -d, --debug        log debug messages too\n"
               "  -t, --test         check the rules files (or FILE) and exit: 0 valid, 1 invalid\n"
               "  -p, --print        with --test: print the canonical iptables-save form\n"
               "      --counters     with --print: include rule counters\n"
               "      --no-kernel    with --test: do not ask the kernel to validate the compiled ruleset\n"
               "                     (it is asked when nfwalld may use netlink; it checks, then aborts)\n"
               "  -6                 FILE is in ip6tables syntax\n"
               "  -h, --help         this text\n"
               "      --version      version\n");
}

static int parse_argv(int argc, char *argv[], Arguments *args) {
        enum { ARG_VERSION = 0x100, ARG_COUNTERS, ARG_NO_KERNEL };
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "test", no_argument, NULL, 't' },
                { "print", no_argument, NULL, 'p' },
                { "counters", no_argument, NULL, ARG_COUNTERS },
                { "no-kernel", no_argument, NULL, ARG_NO_KERNEL },
                { "debug", no_argument, NULL, 'd' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "c:tp6hd", options, NULL)) >= 0)
                switch (c) {
                case 'c':
                        args->config = optarg;
                        break;
                case 't':
                        args->test = true;
                        break;
                case 'p':
                        args->print = true;
                        break;
                case ARG_COUNTERS:
                        args->counters = true;
                        break;
                case ARG_NO_KERNEL:
                        args->no_kernel = true;
                        break;
                case 'd':
                        args->debug = true;
                        break;
                case '6':
                        args->ipv6 = true;
                        break;
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("nfwalld " PACKAGE_VERSION "\n");
                        return 0;
                default:
                        return -EINVAL;
                }

        if (optind < argc)
                args->file = argv[optind++];
        if (optind < argc) {
                log_error("unexpected argument \"%s\"", argv[optind]);
                return -EINVAL;
        }
        if ((args->print || args->ipv6 || args->file || args->counters || args->no_kernel) && !args->test) {
                log_error("--print, --counters, --no-kernel, -6 and FILE go with --test");
                return -EINVAL;
        }
        return 1;
}

/* Parses one rules file into rs; prints its diagnostics. 0, or -EINVAL when invalid. */
static int check_file(Ruleset *rs, const char *path, Family family) {
        DiagList diags = DIAG_LIST_INIT;
        int r;

        r = ruleset_parse_file_into(rs, path, family, &diags);
        diag_list_print(&diags, stderr);
        diag_list_deinit(&diags);
        if (r == -ENOMEM)
                return log_error_errno(r, "Out of memory");
        return r < 0 ? -EINVAL : 0;
}

/*
 * Compiles the ruleset (pure: what nf_tables cannot express is found
 * here), then asks the kernel to validate it, as `nft -c` does: the whole
 * transaction without its end, which the kernel checks and aborts. The
 * second step is skipped, with a note, where netlink is not ours to use.
 */
static int check_compile(const Ruleset *rs, unsigned families, bool kernel) {
        _cleanup_(nft_socket_freep) NftSocket *sock = NULL;
        NftBatch batch = NFT_BATCH_INIT;
        DiagList diags = DIAG_LIST_INIT;
        int r;

        r = nft_compile_ruleset(rs, families, &batch, &diags);
        if (r >= 0 && kernel) {
                DiagList kernel_diags = DIAG_LIST_INIT;

                r = nft_socket_open(&sock);
                if (r >= 0)
                        r = nft_socket_commit(sock, &batch, NFT_COMMIT_CHECK, 0, &kernel_diags, NULL);
                if (r == -EPERM || r == -EACCES || r == -EPROTONOSUPPORT || r == -EAFNOSUPPORT) {
                        log_info("kernel validation skipped: %s", strerror(-r));
                        r = 0;
                } else if (diag_list_append(&diags, &kernel_diags) < 0)
                        r = -ENOMEM;
                diag_list_deinit(&kernel_diags);
        }
        diag_list_sort(&diags);
        diag_list_print(&diags, stderr);
        diag_list_deinit(&diags);
        nft_batch_deinit(&batch);
        if (r == -ENOMEM)
                return log_error_errno(r, "Out of memory");
        return r < 0 ? -EINVAL : 0;
}

static int run_test(const Arguments *args) {
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        _cleanup_(settings_freep) Settings *settings = NULL;
        StrBuf out = STRBUF_INIT;
        bool families_checked[_FAMILY_MAX] = {};
        int r, result = 0;

        r = ruleset_new(&rs);
        if (r < 0)
                return log_error_errno(r, "Out of memory");

        if (args->file) {
                Family f = args->ipv6 ? FAMILY_IPV6 : FAMILY_IPV4;
                result = check_file(rs, args->file, f);
                families_checked[f] = true;
        } else {
                DiagList diags = DIAG_LIST_INIT;
                const char *config = args->config ? args->config : NFWALL_CONFIG_PATH;

                r = settings_load(config, &settings, &diags);
                diag_list_print(&diags, stderr);
                diag_list_deinit(&diags);
                if (r < 0)
                        return -EINVAL;
                r = check_file(rs, settings->rules_v4, FAMILY_IPV4);
                if (r < 0)
                        result = r;
                r = check_file(rs, settings->rules_v6, FAMILY_IPV6);
                if (r < 0)
                        result = r;
                families_checked[FAMILY_IPV4] = families_checked[FAMILY_IPV6] = true;
        }
        if (result < 0)
                return result;

        {
                unsigned families = 0;
                for (Family f = 0; f < _FAMILY_MAX; f++)
                        if (families_checked[f])
                                families |= FAMILY_BIT(f);
                r = check_compile(rs, families, !args->no_kernel);
                if (r < 0)
                        return r;
        }

        if (args->print) {
                for (Family f = 0; f < _FAMILY_MAX; f++)
                        if (families_checked[f])
                                ruleset_print_save(rs, f, args->counters ? PRINT_COUNTERS : 0, &out);
                r = strbuf_flush(&out, stdout);
                strbuf_deinit(&out);
                if (r < 0 || fflush(stdout) != 0)
                        return log_error_errno(r < 0 ? r : -EIO, "Failed to write the ruleset: %m");
        }
        return 0;
}

/* journald reads our stderr (systemd says so in JOURNAL_STREAM): "<N>" prefixes instead of our name. */
static bool stderr_is_journal(void) {
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;

        if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
                return false;
        if (fstat(STDERR_FILENO, &st) < 0)
                return false;
        return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

static int on_terminate(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;
        int r;

        log_info("Received %s: stopping the firewall and exiting", si->ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
        r = manager_shutdown(m);
        return sd_event_exit(sd_event_source_get_event(s), r < 0 ? EXIT_FAILURE : EXIT_SUCCESS);
}

static int on_reload(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;
        DiagList diags = DIAG_LIST_INIT;
        StrBuf text = STRBUF_INIT;

        log_info("Received SIGHUP: reloading");
        (void)manager_reload(m, &text, &diags);
        diag_list_deinit(&diags);
        strbuf_deinit(&text);
        return 0;
}

/*
 * The service. Exit status: 0 after a stop by signal, 6 when the
 * settings cannot be used (LSB "not configured"), 1 otherwise.
 */
static int run(const Arguments *args) {
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        _cleanup_(manager_freep) Manager *m = NULL;
        const char *config = args->config ? args->config : NFWALL_CONFIG_PATH;
        sigset_t mask;
        int r;

        /* sd-event takes signals through a signalfd: they must be blocked first. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(errno, "Failed to block signals: %m"), EXIT_FAILURE;
        /* A client that hangs up on its reply must not end the daemon. */
        signal(SIGPIPE, SIG_IGN);

        r = sd_event_default(&event);
        if (r < 0)
                return log_error_errno(r, "Failed to create the event loop: %m"), EXIT_FAILURE;

        r = manager_new(event, config, &m);
        if (r == -EINVAL || r == -ENOENT || r == -EACCES || r == -EISDIR || r == -EFBIG)
                return 6;
        if (r < 0)
                return EXIT_FAILURE;

        r = sd_event_add_signal(event, NULL, SIGTERM, on_terminate, m);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGINT, on_terminate, m);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGHUP, on_reload, m);
        if (r < 0)
                return log_error_errno(r, "Failed to watch signals: %m"), EXIT_FAILURE;
        /* WATCHDOG_USEC, when systemd sets it: sd-event pings at half the interval. */
        r = sd_event_set_watchdog(event, true);
        if (r < 0)
                log_warning_errno(r, "Failed to enable the watchdog, ignoring: %m");

        r = manager_startup(m);
        if (r < 0)
                return EXIT_FAILURE;

        r = sd_event_loop(event);
        if (r < 0)
                return log_error_errno(r, "The event loop failed: %m"), EXIT_FAILURE;
        return r;
}

int main(int argc, char *argv[]) {
        Arguments args = {};
        int r;

        log_set_program("nfwalld");
        r = parse_argv(argc, argv, &args);
        if (r <= 0)
                return r < 0 ? 2 : 0;
        if (args.debug)
                log_set_max_level(LOG_DEBUG);

        if (args.test)
                return run_test(&args) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;

        if (stderr_is_journal())
                log_set_prefix_priority(true);
        return run(&args);
}
