/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nfwalld: argv, logging, run(). Today it offers the offline check
 * (`nfwalld --test`, in the manner of `sshd -t`); the service itself
 * comes with the manager and control modules.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "conf.h"
#include "log.h"
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
        const char *file;
} Arguments;

static void help(void) {
        printf("Usage: nfwalld [--config FILE]\n"
               "       nfwalld --test [--print [--counters]] [-6] [FILE]\n"
               "\n"
               "Host firewall daemon: loads iptables-save rulesets into nf_tables.\n"
               "\n"
               "  -c, --config FILE  settings file (default " NFWALL_CONFIG_PATH ")\n"
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
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "c:tp6h", options, NULL)) >= 0)
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

int main(int argc, char *argv[]) {
        Arguments args = {};
        int r;

        log_set_program("nfwalld");
        r = parse_argv(argc, argv, &args);
        if (r <= 0)
                return r < 0 ? 2 : 0;

        if (args.test)
                return run_test(&args) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;

        log_error("the service mode is not implemented yet; use --test to check rules files");
        return EXIT_FAILURE;
}
