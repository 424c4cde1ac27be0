/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nfwall-load: the kernel backend without the daemon, for the integration
 * tests and the benchmarks. It runs in whatever network namespace it is
 * started in (the tests make their own):
 *
 *   nfwall-load apply [-6] [--stats] [--echo] FILE   parse, compile, one transaction
 *                                           (the compiler predicts every handle; --echo has
 *                                           the kernel send each rule back, to learn them)
 *   nfwall-load check [-6] FILE             the same, validated by the kernel and aborted
 *   nfwall-load save [-6] [--counters]      dump our tables, decompile, print iptables-save form
 *   nfwall-load flush [-6]                  remove our tables of the family
 *
 * Exit status: 0 ok, 1 refused (diagnostics on stderr), 2 usage.
 *
 * apply and check end the process as soon as the kernel has answered, as
 * tools do: giving a 100k-rule model and batch back to malloc piece by
 * piece takes longer than the kernel takes to unmap them. The library's
 * own paths free everything (the tests run them under ASan); this is the
 * tool's choice alone.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nft-compile.h"
#include "nft-decompile.h"
#include "nft-netlink.h"
#include "ruleset-parse.h"
#include "ruleset-print.h"

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t parse_usec;

static int usage(void) {
        fprintf(stderr, "usage: nfwall-load apply|check [-6] [--stats] [--echo] FILE | save [-6] [--counters] | flush [-6]\n");
        return 2;
}

/* Compiles rs into @batch (the caller's) and commits it; diagnostics on stderr. */
static int commit(Ruleset *rs, Family family, unsigned flags, bool stats, NftBatch *batch) {
        _cleanup_(nft_socket_freep) NftSocket *sock = NULL;
        _cleanup_(diag_list_deinit) DiagList diags = DIAG_LIST_INIT;
        NftCommitStats st = {};
        int r;

        _cleanup_(nft_table_names_freep) char **names = NULL;
        NftPresentTables present = {};
        uint32_t genid = 0;
        uint64_t compile_usec = 0;

        /* as nfwalld does: replace the tables of ours the kernel holds, at the generation they were read */
        r = nft_socket_open(&sock);
        if (r < 0) {
                fprintf(stderr, "nfwall-load: cannot open a netlink socket: %s\n", strerror(-r));
                return r;
        }
        if (nft_socket_get_genid(sock, &genid) >= 0 &&
            nft_socket_list_tables(sock, nft_family(family), NFT_TABLE_PREFIX, &names) >= 0) {
                nft_present_tables_add(&present, family, names);
                flags |= NFT_COMMIT_GENID;
        }
        uint64_t t0 = now_usec();
        r = nft_compile_ruleset_keep(rs, FAMILY_BIT(family), (flags & NFT_COMMIT_GENID) ? &present : NULL, batch,
                                     &diags, NULL);
        compile_usec = now_usec() - t0;
        if (r >= 0)
                r = nft_socket_commit(sock, batch, flags, genid, &diags, &st);
        diag_list_sort(&diags);
        diag_list_print(&diags, stderr);
        if (stats && r >= 0)
                printf("rules %zu messages %zu bytes %llu pages %zu parse_usec %llu compile_usec %llu build_usec %llu "
                       "sendmsg_usec %llu drain_usec %llu echoes %zu\n",
                       batch->n_rules, st.n_messages, (unsigned long long)st.n_bytes, st.n_pages,
                       (unsigned long long)parse_usec, (unsigned long long)compile_usec,
                       (unsigned long long)st.build_usec, (unsigned long long)st.sendmsg_usec,
                       (unsigned long long)st.drain_usec, st.n_echoes);
        return r;
}

static int do_save(Family family, bool counters) {
        _cleanup_(nft_socket_freep) NftSocket *sock = NULL;
        _cleanup_(nft_table_names_freep) char **names = NULL;
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        DiagList diags = DIAG_LIST_INIT;
        StrBuf out = STRBUF_INIT;
        int r;

        r = ruleset_new(&rs);
        if (r >= 0)
                r = nft_socket_open(&sock);
        if (r >= 0)
                r = nft_socket_list_tables(sock, nft_family(family), NFT_TABLE_PREFIX, &names);
        for (char **n = names; r >= 0 && n && *n; n++) {
                NftTableDump dump = {};
                r = nft_socket_dump_table(sock, nft_family(family), *n, &dump);
                if (r >= 0)
                        r = nft_decompile_table(&dump, rs, &diags);
                nft_table_dump_deinit(&dump);
        }
        diag_list_print(&diags, stderr);
        diag_list_deinit(&diags);
        if (r < 0) {
                fprintf(stderr, "nfwall-load: save failed: %s\n", strerror(-r));
                return r;
        }
        ruleset_print_save(rs, family, counters ? PRINT_COUNTERS : 0, &out);
        r = strbuf_flush(&out, stdout);
        strbuf_deinit(&out);
        return r;
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "stats", no_argument, NULL, 's' },
                { "counters", no_argument, NULL, 'c' },
                { "echo", no_argument, NULL, 'e' },
                {},
        };
        bool stats = false, counters = false, echo = false;
        Family family = FAMILY_IPV4;
        const char *verb;
        int c, r;

        if (argc < 2)
                return usage();
        verb = argv[1];
        optind = 2;
        while ((c = getopt_long(argc, argv, "6", options, NULL)) >= 0)
                switch (c) {
                case '6':
                        family = FAMILY_IPV6;
                        break;
                case 's':
                        stats = true;
                        break;
                case 'c':
                        counters = true;
                        break;
                case 'e':
                        echo = true;
                        break;
                default:
                        return usage();
                }

        if (streq(verb, "apply") || streq(verb, "check")) {
                _cleanup_(ruleset_freep) Ruleset *rs = NULL;
                DiagList diags = DIAG_LIST_INIT;
                NftBatch batch = NFT_BATCH_INIT;

                if (optind + 1 != argc)
                        return usage();
                uint64_t t0 = now_usec();
                r = ruleset_parse_file(argv[optind], family, &diags, &rs);
                parse_usec = now_usec() - t0;
                diag_list_print(&diags, stderr);
                diag_list_deinit(&diags);
                if (r < 0)
                        return 1;
                r = commit(rs, family, streq(verb, "check") ? NFT_COMMIT_CHECK : echo ? NFT_COMMIT_ECHO : 0, stats,
                           &batch);
                /* Done: the kernel takes the memory back at once (see the top of the file). */
                fflush(stdout);
                fflush(stderr);
                _exit(r < 0 ? 1 : 0);
        }
        if (streq(verb, "save"))
                return optind == argc && do_save(family, counters) >= 0 ? 0 : 1;
        if (streq(verb, "flush")) {
                _cleanup_(ruleset_freep) Ruleset *rs = NULL;
                _cleanup_(nft_batch_deinit) NftBatch batch = NFT_BATCH_INIT;

                if (optind != argc || ruleset_new(&rs) < 0)
                        return usage();
                return commit(rs, family, 0, false, &batch) < 0 ? 1 : 0;
        }
        return usage();
}
