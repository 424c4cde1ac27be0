/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-nft-ct: the codecs of conntrack, state, mark, connmark, CT,
 * NOTRACK, MARK and CONNMARK. Every rule of the ct golden files, and the
 * extra cases below, is compiled (with a real batch), and each of its
 * blocks of this group is decompiled from exactly its expressions: the
 * payload must come back byte for byte. The expression texts of a subset
 * are those nft --debug=netlink (nftables 1.0.6) showed for the same
 * constructs in a network namespace, where nft has an exact equivalent;
 * the others (xt semantics nft's translation misses) are noted. Payloads
 * no expression can carry must be refused with DIAG_UNSUPPORTED at their
 * -m or -j.
 */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ext-conntrack.h"
#include "nft-compile.h"
#include "nft-ext-list.h"
#include "nft-layout.h"
#include "ruleset-ext.h"
#include "ruleset-parse.h"
#include "ruleset-print.h"
#include "strbuf.h"

#include "nft-codec-test.h"

static bool is_ours(const NftLayoutBlock *b) {
        if (b->target)
                return b->type == TARGET_CT || b->type == TARGET_NOTRACK || b->type == TARGET_MARK ||
                       b->type == TARGET_CONNMARK;
        return b->type == MATCH_CONNTRACK || b->type == MATCH_STATE || b->type == MATCH_MARK ||
               b->type == MATCH_CONNMARK;
}

/* ---- a compiled rule's blocks ---- */

/* The block of the rule's target, or its match number `match`. */
static unsigned find_block(const NftLayout *l, int match) {
        for (unsigned i = 0; i < l->n_blocks; i++)
                if (match < 0 ? l->blocks[i].target : (!l->blocks[i].target && match-- == 0))
                        return i;
        ck_abort_msg("no such block");
        return 0;
}

/*
 * Decompiles every block of this group in the rule with its codec and
 * checks the payload is the model's, byte for byte. Returns the blocks checked.
 */
static unsigned check_round_trip(const Table *t, const Rule *rule, const struct nftnl_rule *nr) {
        const Match *m = rule->matches;
        RuleExprs re;
        unsigned checked = 0;

        rule_exprs(nr, &re);
        for (unsigned i = 0; i < re.layout.n_blocks; i++) {
                const NftLayoutBlock *blk = &re.layout.blocks[i];
                const Extension *ext;
                const NftCodec *codec;
                const void *want;
                uint32_t size;
                NftExprReader rd;
                uint8_t *payload;

                if (blk->target) {
                        ck_assert_ptr_nonnull(rule->target);
                        ck_assert_int_eq(blk->type, rule->target->ext->type);
                        ext = rule->target->ext;
                        want = target_data(rule->target);
                        size = rule->target->size;
                        codec = nft_codec_for_target(blk->type);
                } else {
                        ck_assert_ptr_nonnull(m);
                        ck_assert_int_eq(blk->type, m->ext->type);
                        ext = m->ext;
                        want = match_data(m);
                        size = m->size;
                        codec = nft_codec_for_match(blk->type);
                        m = m->next;
                }
                if (!is_ours(blk))
                        continue;
                rd = block_reader(&re, i, t, rule, NULL);
                payload = calloc(1, ext->size + 1);
                ck_assert_ptr_nonnull(payload);
                ck_assert_msg(codec->decompile(&rd, payload) == 0, "%s:%u: block %u (%s) does not decompile",
                              rule->loc.file, rule->loc.line, i, ext->name);
                ck_assert_msg(nft_read_done(&rd), "%s:%u: block %u: %zu of %zu expressions read", rule->loc.file,
                              rule->loc.line, i, rd.pos, rd.n_exprs);
                ck_assert_uint_le(size, ext->size);
                ck_assert_msg(memcmp(payload, want, size) == 0, "%s:%u: block %u (%s) decompiles to another payload",
                              rule->loc.file, rule->loc.line, i, ext->name);
                free(payload);
                checked++;
        }
        return checked;
}

/* A rule's compile: 0 and the rule, or the error with the diagnostics in diags. */
static int compile_one(const Table *t, const Chain *chain, const Rule *rule, DiagList *diags,
                       struct nftnl_rule **ret) {
        _cleanup_(nft_compile_context_freep) NftCompileContext *ctx = NULL;
        NftBatch batch = NFT_BATCH_INIT;
        int r;

        ck_assert_int_eq(nft_compile_context_new(t, &batch, diags, &ctx), 0);
        r = nft_compile_rule(ctx, chain, rule, ret);
        /* none of these codecs makes a set; CT --helper makes its helper's object */
        for (size_t i = 0; i < batch.n_messages; i++)
                ck_assert_int_eq(batch.messages[i].kind, NFT_MESSAGE_NEW_OBJ);
        nft_batch_deinit(&batch);
        return r;
}

/* The diagnostics say "unsupported" once, at this column. */
static void check_unsupported(const DiagList *diags, unsigned column, const char *what) {
        ck_assert_msg(diags->n_items == 1, "%s: %zu diagnostics", what, diags->n_items);
        ck_assert_msg(diags->items[0].code == DIAG_UNSUPPORTED && diags->items[0].level == DIAG_ERROR,
                      "%s: not DIAG_UNSUPPORTED: %s", what, diags->items[0].message);
        ck_assert_msg(diags->items[0].column == column, "%s: at column %u, not %u", what, diags->items[0].column,
                      column);
}

/* The column of the -m/-j of this group that the rule has (the first). */
static unsigned our_column(const Rule *rule) {
        for (const Match *m = rule->matches; m; m = m->next)
                if (m->ext->type == MATCH_CONNTRACK || m->ext->type == MATCH_STATE || m->ext->type == MATCH_MARK ||
                    m->ext->type == MATCH_CONNMARK)
                        return m->column;
        ck_assert_ptr_nonnull(rule->target);
        return rule->target->column;
}

/* ---- golden files ---- */

static const char *const golden_files[] = {
        "ct-conntrack.v4", "ct-conntrack.v6", "ct-list.v4", "ct-list-raw.v4", "ct-matches.v4", "ct-targets.v4",
};

/* blocks of this group in each file that round-trip, and rules refused: keeps the test from passing on nothing */
static const unsigned golden_blocks[] = { 28, 4, 26, 6, 19, 43 };
static const unsigned golden_n_refused[] = { 1, 1, 4, 1, 0, 6 };

/* The golden rules nf_tables cannot express, by their specification. */
static const char *const golden_refused[] = {
        /* the kernel cannot count 4294967295 s in 32 bits of milliseconds */
        " -m conntrack --ctexpire 4294967295",
        /* UNTRACKED admits packets without a connection, DNAT needs one */
        " -m conntrack --ctstate UNTRACKED,DNAT --ctrepldstport 53 -j ACCEPT",
        /* --notrack with what it ignores */
        " -j CT --notrack --helper ftp --zone 3",
        /* part of one mark into part of the other: two registers */
        " -j CONNMARK --save-mark --nfmask 0xff --ctmask 0xff",
        " -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xff",
        " -j CONNMARK --restore-mark --nfmask 0x3 --ctmask 0x3",
        " -j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xf0",
        " -j CONNMARK --restore-mark --nfmask 0xfffffff --ctmask 0xffffffff",
};

static bool golden_is_refused(const char *spec) {
        for (size_t i = 0; i < N_ELEMENTS(golden_refused); i++)
                if (streq(spec, golden_refused[i]))
                        return true;
        return false;
}

START_TEST(test_golden) {
        const char *name = golden_files[_i];
        Family family = strstr(name, ".v6") ? FAMILY_IPV6 : FAMILY_IPV4;
        _cleanup_(ruleset_freep) Ruleset *rs = parse_golden(name, family);
        DiagList diags = DIAG_LIST_INIT;
        unsigned blocks = 0, refused = 0;
        int r;

        for (TableType tt = 0; tt < _TABLE_TYPE_MAX; tt++) {
                const Table *t = ruleset_get_table(rs, family, tt);

                if (!t)
                        continue;
                for (size_t i = 0; i < t->n_chains; i++)
                        for (size_t k = 0; k < t->chains[i]->n_rules; k++) {
                                const Rule *rule = t->chains[i]->rules[k];
                                struct nftnl_rule *nr = NULL;
                                StrBuf spec = STRBUF_INIT;

                                rule_print_spec(rule, family, &spec);
                                r = compile_one(t, t->chains[i], rule, &diags, &nr);
                                if (golden_is_refused(strbuf_str(&spec))) {
                                        ck_assert_msg(r == -EOPNOTSUPP, "%s:%u compiles: %s", name, rule->loc.line,
                                                      strbuf_str(&spec));
                                        check_unsupported(&diags, our_column(rule), strbuf_str(&spec));
                                        refused++;
                                } else {
                                        if (r < 0)
                                                diag_list_print(&diags, stderr);
                                        ck_assert_msg(r == 0, "%s:%u does not compile: %s", name, rule->loc.line,
                                                      strbuf_str(&spec));
                                        blocks += check_round_trip(t, rule, nr);
                                        nftnl_rule_free(nr);
                                }
                                diag_list_clear(&diags);
                                strbuf_deinit(&spec);
                        }
        }
        diag_list_deinit(&diags);
        ck_assert_uint_eq(blocks, golden_blocks[_i]);
        ck_assert_uint_eq(refused, golden_n_refused[_i]);
}
END_TEST

/* Every refusal listed is met in some golden file. */
START_TEST(test_golden_refusals_exist) {
        size_t found = 0;

        for (size_t f = 0; f < N_ELEMENTS(golden_files); f++) {
                Family family = strstr(golden_files[f], ".v6") ? FAMILY_IPV6 : FAMILY_IPV4;
                _cleanup_(ruleset_freep) Ruleset *rs = parse_golden(golden_files[f], family);

                for (TableType tt = 0; tt < _TABLE_TYPE_MAX; tt++) {
                        const Table *t = ruleset_get_table(rs, family, tt);
                        for (size_t i = 0; t && i < t->n_chains; i++)
                                for (size_t k = 0; k < t->chains[i]->n_rules; k++) {
                                        StrBuf spec = STRBUF_INIT;
                                        rule_print_spec(t->chains[i]->rules[k], family, &spec);
                                        found += golden_is_refused(strbuf_str(&spec));
                                        strbuf_deinit(&spec);
                                }
                }
        }
        /* ct-list.v4 and ct-targets.v4 share four of them, ct-list-raw.v4 and ct-targets.v4 one */
        ck_assert_uint_eq(found, N_ELEMENTS(golden_refused) + 5);
}
END_TEST

/* ---- chosen rules: exact expressions and round trip ---- */

typedef struct ExprCase {
        Family family;
        TableType table;
        const char *rule;               /* after "-A <first built-in chain> " */
        int block;                      /* which match; -1: the target */
        const char *exprs;              /* its expressions; NULL: only the round trip */
} ExprCase;

#define V4 FAMILY_IPV4
#define V6 FAMILY_IPV6

static const ExprCase expr_cases[] = {
        /* ct state: nft's "ct state related,established" and "ct state ! invalid,untracked" */
        { V4, TABLE_FILTER, "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", 0,
          /* a packet's state is one bit: neighbouring states are a range */
          "[ ct load state => reg 1 ]\n"
          "[ range eq reg 1 0x00000002 0x00000004 ]" },
        /* not neighbours (RELATED lies between): the general test */
        { V4, TABLE_FILTER, "-m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT", 0,
          "[ ct load state => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x0000000a ) ^ 0x00000000 ]\n"
          "[ cmp neq reg 1 0x00000000 ]" },
        { V4, TABLE_FILTER, "-m conntrack ! --ctstate INVALID,UNTRACKED", 0,
          "[ ct load state => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x00000041 ) ^ 0x00000000 ]\n"
          "[ cmp eq reg 1 0x00000000 ]" },
        { V4, TABLE_FILTER, "-m state --state NEW -j ACCEPT", 0,
          "[ ct load state => reg 1 ]\n"
          "[ cmp eq reg 1 0x00000008 ]" },
        { V4, TABLE_FILTER, "-m state ! --state INVALID -j ACCEPT", 0,
          "[ ct load state => reg 1 ]\n"
          "[ cmp neq reg 1 0x00000001 ]" },
        { V6, TABLE_FILTER, "-m state ! --state INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED", 0,
          "[ ct load state => reg 1 ]\n"
          "[ range neq reg 1 0x00000001 0x00000040 ]" },
        /* SNAT/DNAT alone: nft's "ct status dnat" */
        { V4, TABLE_FILTER, "-m conntrack --ctstate DNAT -j ACCEPT", 0,
          "[ ct load status => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x00000020 ) ^ 0x00000000 ]\n"
          "[ cmp neq reg 1 0x00000000 ]" },
        { V4, TABLE_FILTER, "-m conntrack --ctstate SNAT,DNAT --ctproto 17", 0,
          "[ ct load status => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x00000030 ) ^ 0x00000000 ]\n"
          "[ cmp neq reg 1 0x00000000 ]\n"
          "[ ct load protocol => reg 1 ]\n"
          "[ cmp eq reg 1 0x00000011 ]" },
        /* states OR NAT (iptables-translate drops the states): state and status side by side, != 0 */
        { V4, TABLE_FILTER, "-m conntrack --ctstate NEW,SNAT", 0,
          "[ ct load state => reg 1 ]\n"
          "[ ct load status => reg 9 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x00000008 0x00000010 ) ^ 0x00000000 0x00000000 ]\n"
          "[ cmp neq reg 1 0x00000000 0x00000000 ]" },
        /* no state but INVALID/UNTRACKED (then ct status is safe), and no NAT */
        { V4, TABLE_FILTER, "-m conntrack ! --ctstate INVALID,UNTRACKED,SNAT,DNAT", 0,
          "[ ct load state => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x00000041 ) ^ 0x00000000 ]\n"
          "[ cmp eq reg 1 0x00000000 ]\n"
          "[ ct load status => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x00000030 ) ^ 0x00000000 ]\n"
          "[ cmp eq reg 1 0x00000000 ]" },
        /* every tracked state: NAT decides nothing; its bits (never set in ct state) stay in the mask */
        { V4, TABLE_FILTER, "-m conntrack --ctstate NEW,RELATED,ESTABLISHED,DNAT", 0,
          "[ ct load state => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x0000010e ) ^ 0x00000000 ]\n"
          "[ cmp neq reg 1 0x00000000 ]" },
        { V4, TABLE_FILTER, "-m conntrack ! --ctstate INVALID,NEW,RELATED,ESTABLISHED,SNAT", 0,
          "[ ct load state => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x0000008f ) ^ 0x00000000 ]\n"
          "[ cmp eq reg 1 0x00000000 ]" },
        { V4, TABLE_FILTER, "-m conntrack --ctstate INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED,SNAT,DNAT", 0, NULL },
        { V4, TABLE_FILTER, "-m conntrack ! --ctstate INVALID,UNTRACKED,NEW,DNAT --ctdir REPLY", 0, NULL },
        { V4, TABLE_FILTER, "-m conntrack --ctstate RELATED,SNAT,DNAT --ctorigdstport 80", 0, NULL },
        /* ct protocol (its direction is not kept by the kernel), addresses, ports */
        { V4, TABLE_FILTER, "-m conntrack ! --ctproto udp", 0,
          "[ ct load protocol => reg 1 ]\n"
          "[ cmp neq reg 1 0x00000011 ]" },
        { V4, TABLE_FILTER, "-m conntrack --ctorigsrc 10.0.0.0/8 ! --ctrepldst 5.6.7.8", 0,
          "[ ct load src => reg 1 , dir original ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x000000ff ) ^ 0x00000000 ]\n"
          "[ cmp eq reg 1 0x0000000a ]\n"
          "[ ct load dst => reg 1 , dir reply ]\n"
          "[ cmp neq reg 1 0x08070605 ]" },
        /* nft's "ct reply saddr & 255.255.0.255 == 1.2.0.3" */
        { V4, TABLE_FILTER, "-m conntrack --ctreplsrc 1.2.0.3/255.255.0.255 --ctorigdst 0.0.0.0/0", 0,
          "[ ct load dst => reg 1 , dir original ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x00000000 ) ^ 0x00000000 ]\n"
          "[ cmp eq reg 1 0x00000000 ]\n"
          "[ ct load src => reg 1 , dir reply ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0xff00ffff ) ^ 0x00000000 ]\n"
          "[ cmp eq reg 1 0x03000201 ]" },
        { V6, TABLE_FILTER, "-m conntrack --ctorigsrc 2001:db8::1 ! --ctreplsrc 2001:db8::/32", 0,
          "[ ct load src => reg 1 , dir original ]\n"
          "[ cmp eq reg 1 0xb80d0120 0x00000000 0x00000000 0x01000000 ]\n"
          "[ ct load src => reg 1 , dir reply ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0xffffffff 0x00000000 0x00000000 0x00000000 ) ^ "
          "0x00000000 0x00000000 0x00000000 0x00000000 ]\n"
          "[ cmp neq reg 1 0xb80d0120 0x00000000 0x00000000 0x00000000 ]" },
        /* nft's "ct original proto-src 22", "ct reply proto-dst != 1000-2000" */
        { V4, TABLE_FILTER, "-m conntrack --ctorigsrcport 22 ! --ctrepldstport 1000:2000", 0,
          "[ ct load proto_src => reg 1 , dir original ]\n"
          "[ cmp eq reg 1 0x00001600 ]\n"
          "[ ct load proto_dst => reg 1 , dir reply ]\n"
          "[ range neq reg 1 0x0000e803 0x0000d007 ]" },
        { V4, TABLE_FILTER, "-m conntrack --ctorigdstport 1:2 ! --ctreplsrcport 3", 0,
          "[ ct load proto_dst => reg 1 , dir original ]\n"
          "[ range eq reg 1 0x00000100 0x00000200 ]\n"
          "[ ct load proto_src => reg 1 , dir reply ]\n"
          "[ cmp neq reg 1 0x00000300 ]" },
        /* nft's "ct status seen-reply,assured", "ct status ! expected" */
        { V4, TABLE_FILTER, "-m conntrack --ctstatus ASSURED,SEEN_REPLY", 0,
          "[ ct load status => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x00000006 ) ^ 0x00000000 ]\n"
          "[ cmp neq reg 1 0x00000000 ]" },
        { V4, TABLE_FILTER, "-m conntrack ! --ctstatus EXPECTED", 0,
          "[ ct load status => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x00000001 ) ^ 0x00000000 ]\n"
          "[ cmp eq reg 1 0x00000000 ]" },
        { V4, TABLE_FILTER, "-m conntrack --ctstatus NONE", 0, NULL },
        { V4, TABLE_FILTER, "-m conntrack ! --ctstatus NONE", 0, NULL },
        /* whole seconds: 5000-10999 ms, host order turned to network order as nft does for ranges */
        { V4, TABLE_FILTER, "-m conntrack --ctexpire 5:10", 0,
          "[ ct load expiration => reg 1 ]\n"
          "[ byteorder reg 1 = hton(reg 1, 4, 4) ]\n"
          "[ range eq reg 1 0x88130000 0xf72a0000 ]" },
        { V4, TABLE_FILTER, "-m conntrack ! --ctexpire 5:", 0,
          "[ ct load expiration => reg 1 ]\n"
          "[ byteorder reg 1 = hton(reg 1, 4, 4) ]\n"
          "[ range neq reg 1 0x88130000 0xffffffff ]" },
        { V4, TABLE_FILTER, "-m conntrack --ctexpire 0", 0, NULL },
        { V4, TABLE_FILTER, "-m conntrack --ctexpire 4294966", 0, NULL },
        { V4, TABLE_FILTER, "-m conntrack --ctexpire 4294967:4294967295", 0, NULL },
        /* nft's "ct direction reply" */
        { V4, TABLE_FILTER, "-m conntrack --ctdir REPLY", 0,
          "[ ct load direction => reg 1 ]\n"
          "[ cmp eq reg 1 0x00000001 ]" },
        { V4, TABLE_FILTER, "-m conntrack --ctdir ORIGINAL --ctstate NEW", 0,
          "[ ct load state => reg 1 ]\n"
          "[ cmp eq reg 1 0x00000008 ]\n"
          "[ ct load direction => reg 1 ]\n"
          "[ cmp eq reg 1 0x00000000 ]" },
        { V6, TABLE_FILTER,
          "-m conntrack --ctstate NEW --ctproto 6 --ctorigsrc ::1 --ctorigdst ::/0 --ctreplsrc fe80::/10 "
          "! --ctrepldst 2001:db8::/ffff:ffff:: --ctorigsrcport 1 --ctorigdstport 2:3 --ctreplsrcport 4 "
          "! --ctrepldstport 5:65535 ! --ctstatus CONFIRMED --ctexpire 7:8 --ctdir REPLY -j ACCEPT",
          0, NULL },
        /* mark and connmark: nft's "meta mark and 0xff != 0x1", "ct mark and 0xf0 == 0x5" */
        { V4, TABLE_MANGLE, "-m mark --mark 1", 0,
          "[ meta load mark => reg 1 ]\n"
          "[ cmp eq reg 1 0x00000001 ]" },
        { V4, TABLE_MANGLE, "-m mark ! --mark 1/0xff", 0,
          "[ meta load mark => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x000000ff ) ^ 0x00000000 ]\n"
          "[ cmp neq reg 1 0x00000001 ]" },
        { V4, TABLE_MANGLE, "-m connmark --mark 5/0xf0", 0,
          "[ ct load mark => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x000000f0 ) ^ 0x00000000 ]\n"
          "[ cmp eq reg 1 0x00000005 ]" },
        { V6, TABLE_MANGLE, "-m connmark ! --mark 0xffffffff/0", 0, NULL },
        { V4, TABLE_MANGLE, "-m mark --mark 1 -m connmark --mark 2 -m state --state NEW -j ACCEPT", 2, NULL },
        /* MARK: nft's "meta mark set 0x5", "meta mark set mark and 0xffffff0a xor 0x5" */
        { V4, TABLE_MANGLE, "-j MARK --set-mark 5", -1,
          "[ immediate reg 1 0x00000005 ]\n"
          "[ meta set mark with reg 1 ]" },
        { V4, TABLE_MANGLE, "-j MARK --set-xmark 5/0xf5", -1,
          "[ meta load mark => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0xffffff0a ) ^ 0x00000005 ]\n"
          "[ meta set mark with reg 1 ]" },
        { V4, TABLE_MANGLE, "-j MARK --set-xmark 0/0", -1,
          "[ meta load mark => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0xffffffff ) ^ 0x00000000 ]\n"
          "[ meta set mark with reg 1 ]" },
        { V4, TABLE_MANGLE, "-j MARK --and-mark 0xf", -1, NULL },
        { V6, TABLE_MANGLE, "-j MARK --xor-mark 0xf", -1, NULL },
        /* CONNMARK: nft's "ct mark set 0x5", "ct mark set ct mark and 0xffffff0a xor 0x5", "ct mark set mark" ... */
        { V4, TABLE_MANGLE, "-j CONNMARK --set-mark 5", -1,
          "[ immediate reg 1 0x00000005 ]\n"
          "[ ct set mark with reg 1 ]" },
        { V4, TABLE_MANGLE, "-j CONNMARK --set-xmark 5/0xf5", -1,
          "[ ct load mark => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0xffffff0a ) ^ 0x00000005 ]\n"
          "[ ct set mark with reg 1 ]" },
        { V4, TABLE_MANGLE, "-j CONNMARK --save-mark", -1,
          "[ meta load mark => reg 1 ]\n"
          "[ ct set mark with reg 1 ]" },
        { V4, TABLE_MANGLE, "-j CONNMARK --save-mark --nfmask 0xff", -1,
          "[ meta load mark => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x000000ff ) ^ 0x00000000 ]\n"
          "[ ct set mark with reg 1 ]" },
        { V4, TABLE_MANGLE, "-j CONNMARK --restore-mark", -1,
          "[ ct load mark => reg 1 ]\n"
          "[ meta set mark with reg 1 ]" },
        { V4, TABLE_MANGLE, "-j CONNMARK --restore-mark --ctmask 0xff00", -1,
          "[ ct load mark => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x0000ff00 ) ^ 0x00000000 ]\n"
          "[ meta set mark with reg 1 ]" },
        { V4, TABLE_MANGLE, "-j CONNMARK --save-mark --nfmask 0", -1, NULL },
        { V4, TABLE_MANGLE, "-j CONNMARK --restore-mark --ctmask 0", -1, NULL },
        { V4, TABLE_MANGLE, "-j CONNMARK --set-xmark 0/0", -1, NULL },
        { V4, TABLE_MANGLE, "-m conntrack --ctstate NEW,RELATED -j CONNMARK --set-xmark 0xa00/0xff00", -1, NULL },
        /* CT: nft's "notrack", "ct zone set 5", "ct original zone set 5"; plain CT attaches zone 0 */
        { V4, TABLE_RAW, "-j CT --notrack", -1, "[ notrack ]" },
        { V6, TABLE_RAW, "-j NOTRACK", -1, "[ notrack ]" },
        { V4, TABLE_RAW, "-j CT --zone 5", -1,
          "[ immediate reg 1 0x00000005 ]\n"
          "[ ct set zone with reg 1 ]" },
        { V4, TABLE_RAW, "-j CT --zone-orig 5", -1,
          "[ immediate reg 1 0x00000005 ]\n"
          "[ ct set zone with reg 1 , dir original ]" },
        { V6, TABLE_RAW, "-j CT --zone-reply 65535", -1,
          "[ immediate reg 1 0x0000ffff ]\n"
          "[ ct set zone with reg 1 , dir reply ]" },
        { V4, TABLE_RAW, "-j CT", -1,
          "[ immediate reg 1 0x00000000 ]\n"
          "[ ct set zone with reg 1 ]" },
        { V4, TABLE_RAW, "-p udp -m udp --dport 53 -j CT --zone 3", -1, NULL },
        /* CT --helper: the template, and the helper's object named (assigned by the replay after conntrack) */
        { V4, TABLE_RAW, "-p tcp -m tcp --dport 21 -j CT --helper ftp", -1,
          "[ immediate reg 1 0x00000000 ]\n"
          "[ ct set zone with reg 1 ]\n"
          "[ objref type 3 name ftp-tcp ]" },
        { V6, TABLE_RAW, "-p udp -j CT --zone 2 --helper netbios-ns", -1,
          "[ immediate reg 1 0x00000002 ]\n"
          "[ ct set zone with reg 1 ]\n"
          "[ objref type 3 name netbios-ns-udp ]" },
};

static const char *first_chain(TableType t) {
        return t == TABLE_FILTER ? "INPUT" : t == TABLE_NAT ? "POSTROUTING" : "PREROUTING";
}

static const char *table_word(TableType t) {
        return t == TABLE_FILTER ? "filter" : t == TABLE_MANGLE ? "mangle" : t == TABLE_RAW ? "raw" : "nat";
}

static Ruleset *parse_rule(Family family, TableType table, const char *rule) {
        DiagList diags = DIAG_LIST_INIT;
        Ruleset *rs = NULL;
        char text[2048];
        int r;

        snprintf(text, sizeof(text), "*%s\n-A %s %s\nCOMMIT\n", table_word(table), first_chain(table), rule);
        r = ruleset_parse_string(text, strlen(text), "case", family, &diags, &rs);
        if (r < 0)
                diag_list_print(&diags, stderr);
        ck_assert_msg(r == 0, "does not parse: %s", rule);
        diag_list_deinit(&diags);
        return rs;
}

static const Chain *case_chain(const Table *t) {
        const Chain *c = table_find_chain(t, first_chain(t->type));

        ck_assert_ptr_nonnull(c);
        ck_assert_uint_eq(c->n_rules, 1);
        return c;
}

START_TEST(test_exprs) {
        const ExprCase *tc = &expr_cases[_i];
        _cleanup_(ruleset_freep) Ruleset *rs = parse_rule(tc->family, tc->table, tc->rule);
        const Table *t = ruleset_get_table(rs, tc->family, tc->table);
        const Chain *chain = case_chain(t);
        DiagList diags = DIAG_LIST_INIT;
        struct nftnl_rule *nr = NULL;
        char text[4096];
        RuleExprs re;
        int r;

        r = compile_one(t, chain, chain->rules[0], &diags, &nr);
        if (r < 0)
                diag_list_print(&diags, stderr);
        ck_assert_msg(r == 0, "does not compile: %s", tc->rule);
        ck_assert_uint_ge(check_round_trip(t, chain->rules[0], nr), 1);
        if (tc->exprs) {
                rule_exprs(nr, &re);
                block_text(nr, find_block(&re.layout, tc->block), text, sizeof(text));
                ck_assert_msg(streq(text, tc->exprs), "%s:\n--- expected ---\n%s\n--- got ---\n%s", tc->rule,
                              tc->exprs, text);
        }
        nftnl_rule_free(nr);
        diag_list_deinit(&diags);
}
END_TEST

/* ---- what nf_tables cannot express ---- */

typedef struct RefuseCase {
        Family family;
        TableType table;
        const char *rule;
} RefuseCase;

static const RefuseCase refuse_cases[] = {
        /* packets without a connection pass --ctstate, and SNAT/DNAT needs one (ct status breaks the rule) */
        { V4, TABLE_FILTER, "-m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP" },
        { V4, TABLE_FILTER, "-m conntrack --ctstate INVALID,SNAT" },
        { V6, TABLE_FILTER, "-m conntrack ! --ctstate INVALID,NEW,SNAT" },
        /* ... and xt_conntrack skips every other criterion for them */
        { V4, TABLE_FILTER, "-m conntrack --ctstate INVALID --ctproto 6" },
        { V4, TABLE_FILTER, "-m conntrack --ctstate NEW,UNTRACKED --ctorigsrc 10.0.0.0/8" },
        { V4, TABLE_FILTER, "-m conntrack ! --ctstate NEW --ctdir REPLY" },
        { V6, TABLE_FILTER, "-m conntrack ! --ctstate INVALID --ctexpire 5" },
        /* seconds that do not fit 32 bits of milliseconds */
        { V4, TABLE_FILTER, "-m conntrack --ctexpire 4294968:4294967295" },
        { V4, TABLE_FILTER, "-m conntrack --ctexpire 1:4294967" },
        { V4, TABLE_FILTER, "-m conntrack ! --ctexpire 4294967295" },
        /* CONNMARK merging part of one mark into the other */
        { V4, TABLE_MANGLE, "-j CONNMARK --save-mark --mask 0xff" },
        { V4, TABLE_MANGLE, "-j CONNMARK --save-mark --ctmask 0xffff0000" },
        { V4, TABLE_MANGLE, "-j CONNMARK --restore-mark --nfmask 0xff" },
        { V6, TABLE_MANGLE, "-j CONNMARK --restore-mark --mask 0x3f00" },
        /* CT: a helper is for one layer-4 protocol, as in iptables; --notrack with what it ignores */
        { V4, TABLE_RAW, "-j CT --helper ftp" },
        { V6, TABLE_RAW, "! -p udp -j CT --helper tftp" },
        { V4, TABLE_RAW, "-j CT --notrack --zone 3" },
        { V4, TABLE_RAW, "-j CT --notrack --zone-orig 3" },
};

START_TEST(test_refuse) {
        const RefuseCase *tc = &refuse_cases[_i];
        _cleanup_(ruleset_freep) Ruleset *rs = parse_rule(tc->family, tc->table, tc->rule);
        const Table *t = ruleset_get_table(rs, tc->family, tc->table);
        const Chain *chain = case_chain(t);
        DiagList diags = DIAG_LIST_INIT;
        struct nftnl_rule *nr = NULL;

        ck_assert_int_eq(compile_one(t, chain, chain->rules[0], &diags, &nr), -EOPNOTSUPP);
        ck_assert_ptr_null(nr);
        check_unsupported(&diags, our_column(chain->rules[0]), tc->rule);
        diag_list_deinit(&diags);
}
END_TEST

/* ---- what the decompilers refuse ---- */

typedef struct RejectCase {
        Family family;
        TableType table;
        const char *rule;
        int block;                      /* which match; -1: the target */
        const NftCodec *codec;          /* decompile it with this one */
        bool drop_last;                 /* after removing its last expression */
} RejectCase;

static const RejectCase reject_cases[] = {
        /* another codec's shapes */
        { V4, TABLE_FILTER, "-m conntrack --ctstate NEW,SNAT", 0, &nft_codec_state, false },
        { V4, TABLE_FILTER, "-m conntrack --ctstate DNAT", 0, &nft_codec_state, false },
        { V4, TABLE_FILTER, "-m mark --mark 1", 0, &nft_codec_connmark, false },
        { V4, TABLE_FILTER, "-m connmark --mark 1", 0, &nft_codec_mark, false },
        { V4, TABLE_FILTER, "-m state --state NEW", 0, &nft_codec_mark, false },
        { V4, TABLE_MANGLE, "-j MARK --set-mark 1", -1, &nft_codec_CONNMARK, false },
        { V4, TABLE_MANGLE, "-j CONNMARK --save-mark", -1, &nft_codec_MARK, false },
        { V4, TABLE_MANGLE, "-j CONNMARK --restore-mark", -1, &nft_codec_MARK, false },
        { V4, TABLE_RAW, "-j CT --zone 1", -1, &nft_codec_NOTRACK, false },
        { V4, TABLE_RAW, "-j NOTRACK", -1, &nft_codec_MARK, false },
        /* a test or an action cut short */
        { V4, TABLE_FILTER, "-m conntrack --ctstate NEW,SNAT", 0, &nft_codec_conntrack, true },
        { V4, TABLE_FILTER, "-m conntrack ! --ctstate INVALID,UNTRACKED,DNAT", 0, &nft_codec_conntrack, true },
        { V4, TABLE_FILTER, "-m conntrack --ctexpire 3", 0, &nft_codec_conntrack, true },
        { V4, TABLE_FILTER, "-m conntrack --ctorigsrc 1.0.0.0/8", 0, &nft_codec_conntrack, true },
        { V4, TABLE_FILTER, "-m state --state NEW", 0, &nft_codec_state, true },
        { V4, TABLE_FILTER, "-m connmark --mark 1/1", 0, &nft_codec_connmark, true },
        { V4, TABLE_MANGLE, "-j MARK --set-xmark 1/3", -1, &nft_codec_MARK, true },
        { V4, TABLE_MANGLE, "-j CONNMARK --set-xmark 1/3", -1, &nft_codec_CONNMARK, true },
        { V4, TABLE_MANGLE, "-j CONNMARK --save-mark --nfmask 1", -1, &nft_codec_CONNMARK, true },
        { V4, TABLE_RAW, "-j CT --zone-reply 1", -1, &nft_codec_CT, true },
};

START_TEST(test_reject) {
        const RejectCase *tc = &reject_cases[_i];
        _cleanup_(ruleset_freep) Ruleset *rs = parse_rule(tc->family, tc->table, tc->rule);
        const Table *t = ruleset_get_table(rs, tc->family, tc->table);
        const Chain *chain = case_chain(t);
        DiagList diags = DIAG_LIST_INIT;
        struct nftnl_rule *nr = NULL;
        uint8_t payload[256] = {};
        NftExprReader rd;
        RuleExprs re;
        unsigned block;
        int r;

        ck_assert_int_eq(compile_one(t, chain, chain->rules[0], &diags, &nr), 0);
        rule_exprs(nr, &re);
        block = find_block(&re.layout, tc->block);
        rd = block_reader(&re, block, t, chain->rules[0], NULL);
        rd.n_exprs -= tc->drop_last ? 1 : 0;
        r = tc->codec->decompile(&rd, payload);
        ck_assert_msg(r < 0 || !nft_read_done(&rd), "%s: accepted", tc->rule);
        if (r < 0)
                ck_assert_int_eq(r, -EBADMSG);
        nftnl_rule_free(nr);
        diag_list_deinit(&diags);
}
END_TEST

/* A conntrack match whose fields come out of order, or twice, is not one we wrote. */
START_TEST(test_reject_order) {
        _cleanup_(ruleset_freep) Ruleset *rs =
                parse_rule(V4, TABLE_FILTER, "-m conntrack --ctproto 6 -m conntrack --ctproto 17 -m conntrack --ctdir REPLY");
        const Table *t = ruleset_get_table(rs, V4, TABLE_FILTER);
        const Chain *chain = case_chain(t);
        DiagList diags = DIAG_LIST_INIT;
        struct nftnl_rule *nr = NULL;
        MatchConntrack ct = {};
        NftExprReader rd;
        RuleExprs re;

        ck_assert_int_eq(compile_one(t, chain, chain->rules[0], &diags, &nr), 0);
        rule_exprs(nr, &re);
        ck_assert_uint_eq(re.layout.n_blocks, 3);
        /* the three matches' expressions as one block: proto, proto, dir */
        rd = (NftExprReader){ .exprs = re.exprs + block_start(&re.layout, 0), .n_exprs = 6, .family = V4 };
        ck_assert_int_eq(nft_codec_conntrack.decompile(&rd, &ct), -EBADMSG);
        /* dir, then nothing: fine; dir then proto: out of order */
        rd = (NftExprReader){ .exprs = re.exprs + block_start(&re.layout, 2), .n_exprs = 2, .family = V4 };
        memset(&ct, 0, sizeof(ct));
        ck_assert_int_eq(nft_codec_conntrack.decompile(&rd, &ct), 0);
        ck_assert_uint_eq(ct.fields, 1u << CONNTRACK_DIR);
        {
                const struct nftnl_expr *swapped[4] = { re.exprs[block_start(&re.layout, 2)],
                                                        re.exprs[block_start(&re.layout, 2) + 1],
                                                        re.exprs[block_start(&re.layout, 0)],
                                                        re.exprs[block_start(&re.layout, 0) + 1] };
                rd = (NftExprReader){ .exprs = swapped, .n_exprs = 4, .family = V4 };
                memset(&ct, 0, sizeof(ct));
                ck_assert_int_eq(nft_codec_conntrack.decompile(&rd, &ct), -EBADMSG);
        }
        /* an empty block is no conntrack match */
        rd = (NftExprReader){ .exprs = re.exprs, .n_exprs = 0, .family = V4 };
        memset(&ct, 0, sizeof(ct));
        ck_assert_int_eq(nft_codec_conntrack.decompile(&rd, &ct), -EBADMSG);
        nftnl_rule_free(nr);
        diag_list_deinit(&diags);
}
END_TEST

static Suite *nft_ct_suite(void) {
        Suite *s = suite_create("nft-ct");
        TCase *tc;

        tc = tcase_create("golden");
        tcase_add_loop_test(tc, test_golden, 0, N_ELEMENTS(golden_files));
        tcase_add_test(tc, test_golden_refusals_exist);
        suite_add_tcase(s, tc);

        tc = tcase_create("exprs");
        tcase_add_loop_test(tc, test_exprs, 0, N_ELEMENTS(expr_cases));
        suite_add_tcase(s, tc);

        tc = tcase_create("refuse");
        tcase_add_loop_test(tc, test_refuse, 0, N_ELEMENTS(refuse_cases));
        suite_add_tcase(s, tc);

        tc = tcase_create("reject");
        tcase_add_loop_test(tc, test_reject, 0, N_ELEMENTS(reject_cases));
        tcase_add_test(tc, test_reject_order);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(nft_ct_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
