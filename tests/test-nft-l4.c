/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-nft-l4: the codecs of tcp, udp, icmp, icmp6 and multiport. Every
 * rule of the l4 golden files, and the extra cases below, is compiled
 * (with a real batch, so that sets are made), and each of its l4 blocks is
 * decompiled from exactly its expressions and the batch's sets: the
 * payload must come back byte for byte. The expression texts of a subset
 * are those nft --debug=netlink (nftables 1.0.6) and iptables-nft 1.8.9
 * showed for the same constructs in a network namespace, where nf_tables
 * has them; payloads no expression can carry must be refused with
 * DIAG_UNSUPPORTED.
 */

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ext-l4.h"
#include "nft-compile.h"
#include "nft-ext-list.h"
#include "nft-layout.h"
#include "ruleset-ext.h"
#include "ruleset-parse.h"

#include "nft-codec-test.h"

static bool is_l4(const NftLayoutBlock *b) {
        return !b->target && (b->type == MATCH_TCP || b->type == MATCH_UDP || b->type == MATCH_ICMP ||
                              b->type == MATCH_ICMP6 || b->type == MATCH_MULTIPORT);
}

/* ---- a compiled table: its rules, and its sets as a dump would list them ---- */

typedef struct Compiled {
        const Table *table;
        NftBatch batch;
        DiagList diags;
        NftCompileContext *ctx;
        struct nftnl_rule **rules;      /* in chain order, for the rules that compiled */
        const Rule **models;
        size_t n_rules;
        struct nftnl_set_list *sets;
} Compiled;

static int compiled_rule(Compiled *c, const Chain *chain, const Rule *rule) {
        struct nftnl_rule *nr;
        int r;

        r = nft_compile_rule(c->ctx, chain, rule, &nr);
        if (r < 0)
                return r;
        c->rules = reallocarray(c->rules, c->n_rules + 1, sizeof(*c->rules));
        c->models = reallocarray(c->models, c->n_rules + 1, sizeof(*c->models));
        ck_assert(c->rules && c->models);
        c->rules[c->n_rules] = nr;
        c->models[c->n_rules] = rule;
        c->n_rules++;
        return 0;
}

/* The sets the compile made, in a list the readers can search, as a dump would give them. */
static void compiled_collect_sets(Compiled *c) {
        c->sets = compiled_sets(c->ctx);
}

/* The one set the compile made. */
static struct nftnl_set *compiled_only_set(const Compiled *c) {
        struct nftnl_set_list_iter *it = nftnl_set_list_iter_create(c->sets);
        struct nftnl_set *set;

        ck_assert_ptr_nonnull(it);
        set = nftnl_set_list_iter_next(it);
        ck_assert_ptr_nonnull(set);
        ck_assert_ptr_null(nftnl_set_list_iter_next(it));
        nftnl_set_list_iter_destroy(it);
        return set;
}

static size_t compiled_n_sets(const Compiled *c) {
        size_t n = 0;

        for (size_t i = 0; i < c->batch.n_messages; i++)
                n += c->batch.messages[i].kind == NFT_MESSAGE_NEW_SET;
        return n;
}

static void compiled_init(Compiled *c, const Table *t) {
        *c = (Compiled){ .table = t, .batch = NFT_BATCH_INIT, .diags = DIAG_LIST_INIT };
        ck_assert_int_eq(nft_compile_context_new(t, &c->batch, &c->diags, &c->ctx), 0);
}

static void compiled_done(Compiled *c) {
        if (c->sets)
                nftnl_set_list_free(c->sets);
        for (size_t i = 0; i < c->n_rules; i++)
                nftnl_rule_free(c->rules[i]);
        free(c->rules);
        free(c->models);
        nft_compile_context_free(c->ctx);
        nft_batch_deinit(&c->batch);
        diag_list_deinit(&c->diags);
}

/*
 * Decompiles every l4 block of compiled rule k with its codec and checks
 * the payload is the model's, byte for byte. Returns the blocks checked.
 */
static unsigned check_rule_round_trip(const Compiled *c, size_t k) {
        const Rule *rule = c->models[k];
        const Match *m = rule->matches;
        RuleExprs re;
        unsigned checked = 0;

        rule_exprs(c->rules[k], &re);
        for (unsigned i = 0; i < re.layout.n_blocks; i++, m = m ? m->next : NULL) {
                const NftLayoutBlock *blk = &re.layout.blocks[i];
                NftExprReader rd;
                uint8_t *payload;

                if (blk->target)
                        break;
                ck_assert_ptr_nonnull(m);
                ck_assert_int_eq(blk->type, m->ext->type);
                if (!is_l4(blk))
                        continue;
                rd = block_reader(&re, i, c->table, rule, c->sets);
                payload = calloc(1, m->ext->size);
                ck_assert_ptr_nonnull(payload);
                ck_assert_msg(nft_codec_for_match(blk->type)->decompile(&rd, payload) == 0,
                              "%s:%u: block %u (%s) does not decompile", rule->loc.file, rule->loc.line, i,
                              m->ext->name);
                ck_assert_msg(nft_read_done(&rd), "%s:%u: block %u: %zu of %zu expressions read", rule->loc.file,
                              rule->loc.line, i, rd.pos, rd.n_exprs);
                ck_assert_uint_le(m->size, m->ext->size);
                ck_assert_msg(memcmp(payload, match_data(m), m->size) == 0,
                              "%s:%u: block %u (%s) decompiles to another payload", rule->loc.file, rule->loc.line,
                              i, m->ext->name);
                for (size_t b = m->size; b < m->ext->size; b++)
                        ck_assert_int_eq(payload[b], 0);
                free(payload);
                checked++;
        }
        return checked;
}

/* ---- golden files ---- */

static const char *const golden_files[] = {
        "l4-tcp.v4", "l4-udp.v6", "l4-icmp.v4", "l4-icmp6.v6", "l4-multiport.v4", "l4-list.v4",
};

/* l4 blocks in each file: keeps the test from passing on a short parse */
static const unsigned golden_blocks[] = { 27, 11, 26, 18, 19, 16 };

START_TEST(test_golden) {
        const char *name = golden_files[_i];
        Family family = strstr(name, ".v6") ? FAMILY_IPV6 : FAMILY_IPV4;
        _cleanup_(ruleset_freep) Ruleset *rs = parse_golden(name, family);
        unsigned blocks = 0;

        for (TableType tt = 0; tt < _TABLE_TYPE_MAX; tt++) {
                const Table *t = ruleset_get_table(rs, family, tt);
                Compiled c;

                if (!t)
                        continue;
                compiled_init(&c, t);
                for (size_t i = 0; i < t->n_chains; i++)
                        for (size_t k = 0; k < t->chains[i]->n_rules; k++) {
                                const Rule *rule = t->chains[i]->rules[k];
                                int r = compiled_rule(&c, t->chains[i], rule);
                                if (r < 0)
                                        diag_list_print(&c.diags, stderr);
                                ck_assert_msg(r == 0, "%s:%u does not compile: %d", name, rule->loc.line, r);
                        }
                compiled_collect_sets(&c);
                for (size_t k = 0; k < c.n_rules; k++)
                        blocks += check_rule_round_trip(&c, k);
                if (streq(name, "l4-multiport.v4"))
                        /* equal lists share a set: 16 multiport matches, 12 distinct lists */
                        ck_assert_uint_eq(compiled_n_sets(&c), 12);
                compiled_done(&c);
        }
        ck_assert_uint_eq(blocks, golden_blocks[_i]);
}
END_TEST

/* ---- chosen rules: exact expressions and round trip ---- */

typedef struct ExprCase {
        Family family;
        const char *rule;               /* after "-A INPUT " */
        unsigned block;                 /* which match */
        const char *exprs;              /* its expressions; NULL: only the round trip */
        const char *set;                /* nftnl_set_snprintf() of the one set made; NULL: none checked */
} ExprCase;

static const ExprCase expr_cases[] = {
        /* tcp and udp ports: as iptables-nft 1.8.9 loads them */
        { FAMILY_IPV4, "-p tcp -m tcp --dport 22 -j ACCEPT", 0,
          "[ payload load 2b @ transport header + 2 => reg 1 ]\n"
          "[ cmp eq reg 1 0x00001600 ]" },
        { FAMILY_IPV4, "-p tcp -m tcp ! --sport 1:1023 --dport 80:90 -j ACCEPT", 0,
          "[ payload load 2b @ transport header + 0 => reg 1 ]\n"
          "[ range neq reg 1 0x00000100 0x0000ff03 ]\n"
          "[ payload load 2b @ transport header + 2 => reg 1 ]\n"
          "[ range eq reg 1 0x00005000 0x00005a00 ]" },
        { FAMILY_IPV4, "-p tcp -m tcp --sport 22 --dport 80", 0,
          "[ payload load 2b @ transport header + 0 => reg 1 ]\n"
          "[ cmp eq reg 1 0x00001600 ]\n"
          "[ payload load 2b @ transport header + 2 => reg 1 ]\n"
          "[ cmp eq reg 1 0x00005000 ]" },
        { FAMILY_IPV4, "-p udp -m udp ! --dport 53 -j ACCEPT", 0,
          "[ payload load 2b @ transport header + 2 => reg 1 ]\n"
          "[ cmp neq reg 1 0x00003500 ]" },
        { FAMILY_IPV6, "-p udp -m udp --sport 67:68 ! --dport 67", 0,
          "[ payload load 2b @ transport header + 0 => reg 1 ]\n"
          "[ range eq reg 1 0x00004300 0x00004400 ]\n"
          "[ payload load 2b @ transport header + 2 => reg 1 ]\n"
          "[ cmp neq reg 1 0x00004300 ]" },
        /* "! --sport 0:65535" never matches: nft's "tcp sport != 0-65535" */
        { FAMILY_IPV4, "-p tcp -m tcp ! --sport 0:65535", 0,
          "[ payload load 2b @ transport header + 0 => reg 1 ]\n"
          "[ range neq reg 1 0x00000000 0x0000ffff ]" },
        /* no test: still a read of the header, as xt_tcp and xt_udp need one (see nft-ext-l4.c) */
        { FAMILY_IPV4, "-p tcp -m tcp", 0,
          "[ payload load 2b @ transport header + 0 => reg 1 ]\n"
          "[ range eq reg 1 0x00000000 0x0000ffff ]" },
        { FAMILY_IPV6, "-p udp -m udp -j DROP", 0,
          "[ payload load 2b @ transport header + 0 => reg 1 ]\n"
          "[ range eq reg 1 0x00000000 0x0000ffff ]" },
        /* tcp flags: iptables-nft's encoding */
        { FAMILY_IPV4, "-p tcp -m tcp --syn -j ACCEPT", 0,
          "[ payload load 1b @ transport header + 13 => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x00000017 ) ^ 0x00000000 ]\n"
          "[ cmp eq reg 1 0x00000002 ]" },
        { FAMILY_IPV4, "-p tcp -m tcp ! --tcp-flags ALL NONE", 0,
          "[ payload load 1b @ transport header + 13 => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x0000003f ) ^ 0x00000000 ]\n"
          "[ cmp neq reg 1 0x00000000 ]" },
        { FAMILY_IPV4, "-p tcp -m tcp ! --tcp-flags NONE NONE", 0,
          "[ payload load 1b @ transport header + 13 => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x00000000 ) ^ 0x00000000 ]\n"
          "[ cmp neq reg 1 0x00000000 ]" },
        { FAMILY_IPV4, "-p tcp -m tcp --dport 80 ! --syn -j DROP", 0,
          "[ payload load 2b @ transport header + 2 => reg 1 ]\n"
          "[ cmp eq reg 1 0x00005000 ]\n"
          "[ payload load 1b @ transport header + 13 => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x00000017 ) ^ 0x00000000 ]\n"
          "[ cmp neq reg 1 0x00000002 ]" },
        /* tcp options: nft's "tcp option 2 exists" and "tcp option 30 missing" */
        { FAMILY_IPV4, "-p tcp -m tcp --tcp-option 2 -j ACCEPT", 0,
          "[ exthdr load tcpopt 1b @ 2 + 0 present => reg 1 ]\n"
          "[ cmp eq reg 1 0x00000001 ]" },
        { FAMILY_IPV4, "-p tcp -m tcp ! --tcp-option 30", 0,
          "[ payload load 2b @ transport header + 0 => reg 1 ]\n"
          "[ range eq reg 1 0x00000000 0x0000ffff ]\n"
          "[ exthdr load tcpopt 1b @ 30 + 0 present => reg 1 ]\n"
          "[ cmp eq reg 1 0x00000000 ]" },
        { FAMILY_IPV6, "-p tcp -m tcp --dport 443 ! --tcp-option 8", 0,
          "[ payload load 2b @ transport header + 2 => reg 1 ]\n"
          "[ cmp eq reg 1 0x0000bb01 ]\n"
          "[ exthdr load tcpopt 1b @ 8 + 0 present => reg 1 ]\n"
          "[ cmp eq reg 1 0x00000000 ]" },
        { FAMILY_IPV4, "-p tcp -m tcp --sport 1024:65535 --dport 443 --tcp-option 255 --syn -j ACCEPT", 0, NULL },
        /* icmp: nft's "icmp type echo-request", "icmp type 3 icmp code 3" (merged by nft into one load) */
        { FAMILY_IPV4, "-p icmp -m icmp --icmp-type 8 -j ACCEPT", 0,
          "[ payload load 1b @ transport header + 0 => reg 1 ]\n"
          "[ cmp eq reg 1 0x00000008 ]" },
        { FAMILY_IPV4, "-p icmp -m icmp ! --icmp-type echo-request", 0,
          "[ payload load 1b @ transport header + 0 => reg 1 ]\n"
          "[ cmp neq reg 1 0x00000008 ]" },
        { FAMILY_IPV4, "-p icmp -m icmp --icmp-type port-unreachable", 0,
          "[ payload load 2b @ transport header + 0 => reg 1 ]\n"
          "[ cmp eq reg 1 0x00000303 ]" },
        { FAMILY_IPV4, "-p icmp -m icmp ! --icmp-type 3/3", 0,
          "[ payload load 2b @ transport header + 0 => reg 1 ]\n"
          "[ cmp neq reg 1 0x00000303 ]" },
        { FAMILY_IPV4, "-p icmp -m icmp --icmp-type 3/1:5", 0,
          "[ payload load 2b @ transport header + 0 => reg 1 ]\n"
          "[ range eq reg 1 0x00000103 0x00000503 ]" },
        { FAMILY_IPV4, "-p icmp -m icmp ! --icmp-type 11/0:1", 0,
          "[ payload load 2b @ transport header + 0 => reg 1 ]\n"
          "[ range neq reg 1 0x0000000b 0x0000010b ]" },
        /* IPv4's wildcard: every ICMP packet but later fragments; "!": none */
        { FAMILY_IPV4, "-p icmp -m icmp --icmp-type any -j ACCEPT", 0,
          "[ payload load 1b @ transport header + 0 => reg 1 ]\n"
          "[ range eq reg 1 0x00000000 0x000000ff ]" },
        { FAMILY_IPV4, "-p icmp -m icmp ! --icmp-type any", 0,
          "[ payload load 1b @ transport header + 0 => reg 1 ]\n"
          "[ range neq reg 1 0x00000000 0x000000ff ]" },
        { FAMILY_IPV4, "-p icmp -m icmp --icmp-type 255/7", 0,
          "[ payload load 1b @ transport header + 0 => reg 1 ]\n"
          "[ range eq reg 1 0x00000000 0x000000ff ]" },
        { FAMILY_IPV4, "-p icmp -m icmp --icmp-type 0/0:255", 0, NULL },
        { FAMILY_IPV4, "-p icmp -m icmp --icmp-type 3/0:254", 0, NULL },
        { FAMILY_IPV4, "-p icmp -m icmp ! --icmp-type 254/255", 0, NULL },
        /* icmp6: nft's "icmpv6 type 128"; 255 is a plain type there */
        { FAMILY_IPV6, "-p ipv6-icmp -m icmp6 --icmpv6-type echo-request -j ACCEPT", 0,
          "[ payload load 1b @ transport header + 0 => reg 1 ]\n"
          "[ cmp eq reg 1 0x00000080 ]" },
        { FAMILY_IPV6, "-p ipv6-icmp -m icmp6 --icmpv6-type 255", 0,
          "[ payload load 1b @ transport header + 0 => reg 1 ]\n"
          "[ cmp eq reg 1 0x000000ff ]" },
        { FAMILY_IPV6, "-p ipv6-icmp -m icmp6 ! --icmpv6-type 255/3:4", 0,
          "[ payload load 2b @ transport header + 0 => reg 1 ]\n"
          "[ range neq reg 1 0x000003ff 0x000004ff ]" },
        { FAMILY_IPV6, "-p ipv6-icmp -m icmp6 ! --icmpv6-type no-route", 0,
          "[ payload load 2b @ transport header + 0 => reg 1 ]\n"
          "[ cmp neq reg 1 0x00000001 ]" },
        /* multiport: the set nft makes for "tcp dport { 22, 80-90, 443 }" */
        { FAMILY_IPV4, "-p tcp -m multiport --dports 443,80:90,22 -j ACCEPT", 0,
          "[ payload load 2b @ transport header + 2 => reg 1 ]\n"
          "[ lookup reg 1 set set0 ]",
          "set0 nfwall-filter 6\n"
          "\telement 00000000  : 1 [end]\telement 00001600  : 0 [end]\telement 00001700  : 1 [end]"
          "\telement 00005000  : 0 [end]\telement 00005b00  : 1 [end]\telement 0000bb01  : 0 [end]"
          "\telement 0000bc01  : 1 [end]" },
        { FAMILY_IPV4, "-p udp -m multiport ! --sports 53,123", 0,
          "[ payload load 2b @ transport header + 0 => reg 1 ]\n"
          "[ lookup reg 1 set set0 0x1 ]" },
        /* overlapping, adjacent and repeated items: merged elements, the list kept in userdata */
        { FAMILY_IPV4, "-p tcp -m multiport --dports 80:90,91,85:100,22,22,65535", 0, NULL,
          "set0 nfwall-filter 6\n"
          "\telement 00000000  : 1 [end]\telement 00001600  : 0 [end]\telement 00001700  : 1 [end]"
          "\telement 00005000  : 0 [end]\telement 00006500  : 1 [end]\telement 0000ffff  : 0 [end]" },
        { FAMILY_IPV4, "-p tcp -m multiport --dports 0:65535", 0, NULL,
          "set0 nfwall-filter 6\n"
          "\telement 00000000  : 0 [end]" },
        /* --ports: sport . dport as nft writes "tcp sport . tcp dport { 0-65535 . 53, 53 . 0-65535 }" */
        { FAMILY_IPV4, "-p tcp -m multiport --ports 53", 0,
          "[ payload load 2b @ transport header + 0 => reg 1 ]\n"
          "[ payload load 2b @ transport header + 2 => reg 9 ]\n"
          "[ lookup reg 1 set set0 ]",
          "set0 nfwall-filter 86\n"
          "\telement 00000000 00003500  - 0000ffff 00003500  : 0 [end]"
          "\telement 00003500 00000000  - 00003500 0000ffff  : 0 [end]" },
        /* with 0 or 65535, disjoint pieces: the kernel refuses the overlapping form */
        { FAMILY_IPV4, "-p tcp -m multiport ! --ports 0", 0,
          "[ payload load 2b @ transport header + 0 => reg 1 ]\n"
          "[ payload load 2b @ transport header + 2 => reg 9 ]\n"
          "[ lookup reg 1 set set0 0x1 ]",
          "set0 nfwall-filter 86\n"
          "\telement 00000000 00000000  - 00000000 0000ffff  : 0 [end]"
          "\telement 00000100 00000000  - 0000ffff 00000000  : 0 [end]" },
        { FAMILY_IPV6, "-p sctp -m multiport --ports 1,2,3,4,5,6,7,8,9,10,11,12,13,65534:65535", 0, NULL },
        { FAMILY_IPV6, "-p dccp -m multiport --ports 9,7,5,3,1,0,2,4,6,8,10,12,14,16,65535", 0, NULL },
        { FAMILY_IPV4, "-p udplite -m multiport --ports 10:20,30:40,50:60,1000:2000,3000", 0, NULL },
        /* two l4 matches in one rule, each block on its own */
        { FAMILY_IPV4, "-p tcp -m tcp --syn -m multiport --dports 25,587 -m multiport ! --sports 1:1023 -j ACCEPT", 2,
          "[ payload load 2b @ transport header + 0 => reg 1 ]\n"
          "[ lookup reg 1 set set1 0x1 ]" },
};

static Ruleset *parse_rule(Family family, const char *rule) {
        DiagList diags = DIAG_LIST_INIT;
        Ruleset *rs = NULL;
        char text[1024];
        int r;

        snprintf(text, sizeof(text), "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT %s\nCOMMIT\n", rule);
        r = ruleset_parse_string(text, strlen(text), "case", family, &diags, &rs);
        if (r < 0)
                diag_list_print(&diags, stderr);
        ck_assert_msg(r == 0, "does not parse: %s", rule);
        diag_list_deinit(&diags);
        return rs;
}

static const Chain *input_chain(const Table *t) {
        const Chain *c = table_find_chain(t, "INPUT");

        ck_assert_ptr_nonnull(c);
        ck_assert_uint_eq(c->n_rules, 1);
        return c;
}

START_TEST(test_exprs) {
        const ExprCase *tc = &expr_cases[_i];
        _cleanup_(ruleset_freep) Ruleset *rs = parse_rule(tc->family, tc->rule);
        const Table *t = ruleset_get_table(rs, tc->family, TABLE_FILTER);
        const Chain *chain = input_chain(t);
        char text[4096];
        Compiled c;

        compiled_init(&c, t);
        ck_assert_int_eq(compiled_rule(&c, chain, chain->rules[0]), 0);
        compiled_collect_sets(&c);
        ck_assert_uint_ge(check_rule_round_trip(&c, 0), tc->block + 1);
        if (tc->exprs) {
                block_text(c.rules[0], tc->block, text, sizeof(text));
                ck_assert_msg(streq(text, tc->exprs), "%s:\n--- expected ---\n%s\n--- got ---\n%s", tc->rule,
                              tc->exprs, text);
        }
        if (tc->set) {
                ck_assert_uint_eq(compiled_n_sets(&c), 1);
                nftnl_set_snprintf(text, sizeof(text), compiled_only_set(&c), NFTNL_OUTPUT_DEFAULT, 0);
                ck_assert_msg(streq(text, tc->set), "%s:\n--- expected ---\n%s\n--- got ---\n%s", tc->rule, tc->set,
                              text);
        }
        compiled_done(&c);
}
END_TEST

/* The written order and ranges come back from the set's userdata, though the elements are the same. */
START_TEST(test_multiport_order) {
        static const char *const lists[] = { "22,80:90", "80:90,22", "22,80,81,82,83,84,85,86,87,88,89,90" };
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        DiagList diags = DIAG_LIST_INIT;
        char text[1024];
        const Table *t;
        const Chain *chain;
        Compiled c;
        int n;

        n = snprintf(text, sizeof(text), "*filter\n:INPUT ACCEPT [0:0]\n");
        for (size_t i = 0; i < N_ELEMENTS(lists); i++)
                n += snprintf(text + n, sizeof(text) - (size_t)n, "-A INPUT -p tcp -m multiport --dports %s\n", lists[i]);
        snprintf(text + n, sizeof(text) - (size_t)n, "COMMIT\n");
        ck_assert_int_eq(ruleset_parse_string(text, strlen(text), "order", FAMILY_IPV4, &diags, &rs), 0);
        diag_list_deinit(&diags);
        t = ruleset_get_table(rs, FAMILY_IPV4, TABLE_FILTER);
        chain = table_find_chain(t, "INPUT");
        compiled_init(&c, t);
        for (size_t k = 0; k < chain->n_rules; k++)
                ck_assert_int_eq(compiled_rule(&c, chain, chain->rules[k]), 0);
        /* same elements, three lists: three sets */
        ck_assert_uint_eq(compiled_n_sets(&c), 3);
        compiled_collect_sets(&c);
        for (size_t k = 0; k < c.n_rules; k++)
                ck_assert_uint_eq(check_rule_round_trip(&c, k), 1);
        compiled_done(&c);
}
END_TEST

/* ---- what the decompilers refuse ---- */

/* Decompiles block `block` of the rule with another codec, or after dropping its last expression. */
static int decompile_block_with(const Compiled *c, unsigned block, const NftCodec *codec, bool drop_last,
                                bool *ret_done) {
        RuleExprs re;
        NftExprReader rd;
        uint8_t payload[256] = {};
        int r;

        rule_exprs(c->rules[0], &re);
        rd = block_reader(&re, block, c->table, c->models[0], c->sets);
        rd.n_exprs -= drop_last ? 1 : 0;
        r = codec->decompile(&rd, payload);
        *ret_done = nft_read_done(&rd);
        return r;
}

typedef struct RejectCase {
        Family family;
        const char *rule;
        const NftCodec *codec;          /* decompile the first block with this one */
        bool drop_last;                 /* after removing its last expression */
} RejectCase;

static const RejectCase reject_cases[] = {
        /* what udp would never write: a flags test */
        { FAMILY_IPV4, "-p tcp -m tcp --syn", &nft_codec_udp, false },
        /* icmp's wildcard is IPv4's only */
        { FAMILY_IPV4, "-p icmp -m icmp --icmp-type any", &nft_codec_icmp6, false },
        { FAMILY_IPV4, "-p icmp -m icmp --icmp-type 8", &nft_codec_tcp, false },
        { FAMILY_IPV4, "-p tcp -m multiport --dports 22", &nft_codec_tcp, false },
        /* a test cut short */
        { FAMILY_IPV4, "-p tcp -m tcp --dport 22", &nft_codec_tcp, true },
        { FAMILY_IPV4, "-p tcp -m tcp --tcp-option 2", &nft_codec_tcp, true },
        { FAMILY_IPV4, "-p icmp -m icmp --icmp-type 3/3", &nft_codec_icmp, true },
        { FAMILY_IPV4, "-p tcp -m multiport --ports 22", &nft_codec_multiport, true },
};

START_TEST(test_reject) {
        const RejectCase *tc = &reject_cases[_i];
        _cleanup_(ruleset_freep) Ruleset *rs = parse_rule(tc->family, tc->rule);
        const Table *t = ruleset_get_table(rs, tc->family, TABLE_FILTER);
        const Chain *chain = input_chain(t);
        Compiled c;
        bool done;
        int r;

        compiled_init(&c, t);
        ck_assert_int_eq(compiled_rule(&c, chain, chain->rules[0]), 0);
        compiled_collect_sets(&c);
        r = decompile_block_with(&c, 0, tc->codec, tc->drop_last, &done);
        ck_assert_msg(r < 0 || !done, "%s: accepted", tc->rule);
        if (r < 0)
                ck_assert_int_eq(r, -EBADMSG);
        compiled_done(&c);
}
END_TEST

/* A multiport set whose elements no longer say what its userdata says is not ours. */
START_TEST(test_reject_changed_set) {
        _cleanup_(ruleset_freep) Ruleset *rs = parse_rule(FAMILY_IPV4, "-p tcp -m multiport --dports 22,80");
        const Table *t = ruleset_get_table(rs, FAMILY_IPV4, TABLE_FILTER);
        const Chain *chain = input_chain(t);
        struct nftnl_set_elem *el;
        struct nftnl_set *set = NULL;
        uint16_t port = htons(8080);
        Compiled c;
        bool done;

        compiled_init(&c, t);
        ck_assert_int_eq(compiled_rule(&c, chain, chain->rules[0]), 0);
        compiled_collect_sets(&c);
        ck_assert_int_eq(decompile_block_with(&c, 0, &nft_codec_multiport, false, &done), 0);
        ck_assert(done);
        set = compiled_only_set(&c);
        el = nftnl_set_elem_alloc();
        ck_assert_ptr_nonnull(el);
        nftnl_set_elem_set(el, NFTNL_SET_ELEM_KEY, &port, sizeof(port));
        nftnl_set_elem_add(set, el);
        ck_assert_int_eq(decompile_block_with(&c, 0, &nft_codec_multiport, false, &done), -EBADMSG);
        compiled_done(&c);
}
END_TEST

/* ---- payloads no expression can say: refused at the match ---- */

typedef struct UnsupportedCase {
        Family family;
        const char *rule;
        void (*spoil)(void *payload);
} UnsupportedCase;

static void spoil_tcp_option(void *p) {
        ((TcpMatch *)p)->option = 0; /* "! --tcp-option 0" */
}

static void spoil_tcp_flags(void *p) {
        ((TcpMatch *)p)->flags_mask = 0xc0; /* ECE, CWR: no such --tcp-flags */
}

static void spoil_tcp_invert(void *p) {
        ((TcpMatch *)p)->invert |= 0x80;
}

static void spoil_udp_invert(void *p) {
        ((UdpMatch *)p)->invert |= L4_INV_FLAGS;
}

static void spoil_icmp_codes(void *p) {
        ((IcmpMatch *)p)->code_min = 9; /* 9:5 */
}

static void spoil_multiport_empty(void *p) {
        ((MultiportMatch *)p)->n_ports = 0;
}

static void spoil_multiport_range(void *p) {
        ((MultiportMatch *)p)->ranges = 1u << 1; /* a range from the last slot */
}

static void spoil_multiport_reversed(void *p) {
        MultiportMatch *m = p;
        m->ports[0] = 90; /* 90:80 */
}

static void spoil_multiport_dir(void *p) {
        ((MultiportMatch *)p)->dir = _MULTIPORT_DIR_MAX;
}

static const UnsupportedCase unsupported_cases[] = {
        { FAMILY_IPV4, "-p tcp -m tcp ! --tcp-option 2", spoil_tcp_option },
        { FAMILY_IPV4, "-p tcp -m tcp --syn", spoil_tcp_flags },
        { FAMILY_IPV4, "-p tcp -m tcp --dport 1", spoil_tcp_invert },
        { FAMILY_IPV6, "-p udp -m udp --dport 1", spoil_udp_invert },
        { FAMILY_IPV4, "-p icmp -m icmp --icmp-type 3/1:5", spoil_icmp_codes },
        { FAMILY_IPV6, "-p ipv6-icmp -m icmp6 --icmpv6-type 1/1:5", spoil_icmp_codes },
        { FAMILY_IPV4, "-p tcp -m multiport --dports 22", spoil_multiport_empty },
        { FAMILY_IPV4, "-p tcp -m multiport --dports 22,80", spoil_multiport_range },
        { FAMILY_IPV4, "-p tcp -m multiport --dports 80:90", spoil_multiport_reversed },
        { FAMILY_IPV4, "-p tcp -m multiport --dports 22", spoil_multiport_dir },
};

START_TEST(test_unsupported) {
        const UnsupportedCase *tc = &unsupported_cases[_i];
        _cleanup_(ruleset_freep) Ruleset *rs = parse_rule(tc->family, tc->rule);
        const Table *t = ruleset_get_table(rs, tc->family, TABLE_FILTER);
        const Chain *chain = input_chain(t);
        Compiled c;

        tc->spoil(match_data(chain->rules[0]->matches));
        compiled_init(&c, t);
        ck_assert_int_eq(compiled_rule(&c, chain, chain->rules[0]), -EOPNOTSUPP);
        ck_assert_uint_eq(c.diags.n_items, 1);
        ck_assert_int_eq(c.diags.items[0].code, DIAG_UNSUPPORTED);
        ck_assert_int_eq(c.diags.items[0].level, DIAG_ERROR);
        /* at the match: "-A INPUT " is 9 columns, then the rule up to "-m" */
        ck_assert_uint_eq(c.diags.items[0].column, 10 + (unsigned)(strstr(tc->rule, "-m ") - tc->rule) + 3);
        ck_assert_uint_eq(compiled_n_sets(&c), 0);
        compiled_done(&c);
}
END_TEST

static Suite *l4_suite(void) {
        Suite *s = suite_create("nft-l4");
        TCase *tc;

        tc = tcase_create("golden");
        tcase_add_loop_test(tc, test_golden, 0, N_ELEMENTS(golden_files));
        suite_add_tcase(s, tc);

        tc = tcase_create("exprs");
        tcase_add_loop_test(tc, test_exprs, 0, N_ELEMENTS(expr_cases));
        tcase_add_test(tc, test_multiport_order);
        suite_add_tcase(s, tc);

        tc = tcase_create("reject");
        tcase_add_loop_test(tc, test_reject, 0, N_ELEMENTS(reject_cases));
        tcase_add_test(tc, test_reject_changed_set);
        suite_add_tcase(s, tc);

        tc = tcase_create("unsupported");
        tcase_add_loop_test(tc, test_unsupported, 0, N_ELEMENTS(unsupported_cases));
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(l4_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
