/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-nft-targets: the codecs of nft-ext-nat.c and nft-ext-target.c.
 * Every rule of the nat-* and target-* golden files is compiled with
 * nft_compile_rule(); its target block, found through the layout in the
 * rule's userdata, is decompiled by the codec and must give the payload
 * back byte for byte. A chosen few are compared with the expression text
 * nft --debug=netlink showed for the same construct (on 6.18, nft 1.0.6;
 * where we differ from nft the case says why). What nf_tables cannot say
 * must be refused with DIAG_UNSUPPORTED at the target, and the decoders
 * must refuse expressions they did not write.
 */

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ext-nat.h"
#include "ext-target.h"
#include "nft-compile.h"
#include "nft-ext.h"
#include "nft-layout.h"
#include "ruleset-ext.h"
#include "ruleset-parse.h"

#include "nft-codec-test.h"

static bool is_our_target(TargetType t) {
        switch (t) {
        case TARGET_REJECT:
        case TARGET_LOG:
        case TARGET_NFLOG:
        case TARGET_SNAT:
        case TARGET_DNAT:
        case TARGET_MASQUERADE:
        case TARGET_REDIRECT:
        case TARGET_NETMAP:
        case TARGET_TCPMSS:
        case TARGET_TOS:
        case TARGET_DSCP:
        case TARGET_TTL:
        case TARGET_HL:
                return true;
        case TARGET_ACCEPT:
        case TARGET_DROP:
        case TARGET_RETURN:
        case TARGET_JUMP:
        case TARGET_GOTO:
        case TARGET_CT:
        case TARGET_NOTRACK:
        case TARGET_MARK:
        case TARGET_CONNMARK:
        case _TARGET_TYPE_MAX:
        case _TARGET_TYPE_INVALID:
                break;
        }
        return false;
}

/* What nf_tables cannot express (see the codecs' comments): these must be refused, nothing else. */
static bool expect_unsupported(const Chain *c, const Rule *r) {
        const void *data = target_data(r->target);
        TargetType type = r->target->ext->type;

        if (type == TARGET_DNAT)
                return ((const TargetNat *)data)->flags & NAT_PROTO_OFFSET;
        if (type == TARGET_NETMAP)
                return !c->builtin;
        return false;
}

/* The rule's expressions, and its target block (from the layout): the last one, after the counter. */
static unsigned target_block(const struct nftnl_rule *nr, RuleExprs *re) {
        rule_exprs(nr, re);
        for (unsigned i = 0; i < re->layout.n_blocks; i++)
                if (re->layout.blocks[i].target) {
                        ck_assert_uint_eq(i, re->layout.n_blocks - 1u);
                        ck_assert_str_eq(nftnl_expr_get_str(re->exprs[block_start(&re->layout, i) - 1],
                                                            NFTNL_EXPR_NAME),
                                         "counter");
                        return i;
                }
        ck_abort_msg("no target block in the layout");
        return 0;
}

/* The same rule without its -m matches: for when another group's match codecs cannot compile yet. */
static Rule *strip_matches(const Rule *src) {
        Rule *r = NULL;
        Target *t;

        ck_assert_int_eq(rule_new(&r), 0);
        r->loc = src->loc;
        r->src = src->src;
        r->dst = src->dst;
        memcpy(r->iniface, src->iniface, sizeof(r->iniface));
        memcpy(r->outiface, src->outiface, sizeof(r->outiface));
        r->flags = src->flags;
        r->proto = src->proto;
        ck_assert_int_eq(rule_set_target(r, src->target->ext, src->target->column, &t), 0);
        memcpy(target_data(t), target_data(src->target), src->target->size);
        return r;
}

typedef struct Counts {
        unsigned compiled, decompiled, refused;
        unsigned stripped;              /* compiled without their matches (another group's codec refused) */
} Counts;

/*
 * Compiles one rule (the whole of it, or without its matches if a match
 * cannot be compiled yet), decompiles the target block, compares.
 */
static void check_rule(const Table *t, const Chain *c, const Rule *rule, NftCompileContext *ctx, DiagList *diags,
                       Counts *counts) {
        RuleExprs re;
        struct nftnl_rule *nr = NULL;
        _cleanup_(rule_freep) Rule *stripped = NULL;
        const Rule *compiled = rule;
        const NftCodec *codec = nft_codec_for_target(rule->target->ext->type);
        size_t size = rule->target->size;
        _cleanup_free_ uint8_t *payload = NULL;
        int r;

        diag_list_clear(diags);
        r = nft_compile_rule(ctx, c, rule, &nr);
        if (r == -EOPNOTSUPP && diags->n_items > 0 && diags->items[0].column != rule->target->column) {
                /* a match of another group refused: test the target alone */
                diag_list_clear(diags);
                stripped = strip_matches(rule);
                compiled = stripped;
                counts->stripped++;
                r = nft_compile_rule(ctx, c, stripped, &nr);
        }

        if (expect_unsupported(c, rule)) {
                ck_assert_msg(r == -EOPNOTSUPP, "%s:%u: should be refused, got %d", rule->loc.file, rule->loc.line, r);
                ck_assert_uint_eq(diags->n_items, 1);
                ck_assert_int_eq(diags->items[0].level, DIAG_ERROR);
                ck_assert_int_eq(diags->items[0].code, DIAG_UNSUPPORTED);
                ck_assert_uint_eq(diags->items[0].line, rule->loc.line);
                ck_assert_uint_eq(diags->items[0].column, rule->target->column);
                counts->refused++;
                return;
        }
        if (r < 0) {
                _cleanup_free_ char *text = diags_text(diags);
                ck_abort_msg("%s:%u: does not compile (%d):\n%s", rule->loc.file, rule->loc.line, r, strempty(text));
        }
        counts->compiled++;

        unsigned block = target_block(nr, &re);
        payload = calloc(1, rule->target->ext->size);
        ck_assert_ptr_nonnull(payload);
        struct nftnl_set_list *sets = compiled_sets(ctx);
        NftExprReader rd = block_reader(&re, block, t, compiled, sets);
        r = codec->decompile(&rd, payload);
        nftnl_set_list_free(sets);
        ck_assert_msg(r == 0, "%s:%u: decompile gives %d", rule->loc.file, rule->loc.line, r);
        ck_assert_msg(nft_read_done(&rd), "%s:%u: decompile left expressions", rule->loc.file, rule->loc.line);
        ck_assert_msg(memcmp(payload, target_data(rule->target), size) == 0, "%s:%u: payload differs after decompile",
                      rule->loc.file, rule->loc.line);
        for (size_t i = size; i < rule->target->ext->size; i++)
                ck_assert_uint_eq(payload[i], 0);
        counts->decompiled++;
        nftnl_rule_free(nr);
}


static void golden_rule(const Table *t, const Chain *c, const Rule *rule, NftCompileContext *ctx, DiagList *diags,
                        void *userdata) {
        if (rule->target && is_our_target(rule->target->ext->type))
                check_rule(t, c, rule, ctx, diags, userdata);
}

START_TEST(test_golden_round_trip) {
        static const char *const prefixes[] = { "nat", "target-", NULL };
        Counts total = {};
        unsigned files = golden_for_each_rule(prefixes, golden_rule, &total);

        ck_assert_uint_ge(files, 10);
        /* as many as the golden files hold today; more is fine */
        ck_assert_uint_ge(total.decompiled, 240);
        ck_assert_uint_ge(total.refused, 8);
        fprintf(stderr, "golden: %u files, %u rules compiled and decompiled (%u without their matches), %u refused\n",
                files, total.decompiled, total.stripped, total.refused);
}
END_TEST

/* ---- Expressions, as nft --debug=netlink shows them for the same construct ---- */

typedef struct TextCase {
        Family family;
        const char *rules;              /* a rules file with one rule */
        const char *want;               /* the target block, one expression per line */
} TextCase;

static const TextCase text_cases[] = {
        /* nft: snat to 1.1.1.1 (the kernel dumps addr_max and flags 0x1 itself) */
        { FAMILY_IPV4, "*nat\n-A POSTROUTING -j SNAT --to-source 1.1.1.1\nCOMMIT\n",
          "[ immediate reg 1 0x01010101 ]\n"
          "[ nat snat ip addr_min reg 1 addr_max reg 1 flags 0x1 ]\n" },
        /* nft: meta l4proto tcp snat to 1.1.1.1-1.1.1.10:1025-65535 random,persistent */
        { FAMILY_IPV4,
          "*nat\n-A POSTROUTING -p tcp -j SNAT --to-source 1.1.1.1-1.1.1.10:1025-65535 --random --persistent\n"
          "COMMIT\n",
          "[ immediate reg 1 0x01010101 ]\n"
          "[ immediate reg 2 0x0a010101 ]\n"
          "[ immediate reg 3 0x00000104 ]\n"
          "[ immediate reg 4 0x0000ffff ]\n"
          "[ nat snat ip addr_min reg 1 addr_max reg 2 proto_min reg 3 proto_max reg 4 flags 0xf ]\n" },
        /* nft: meta l4proto udp dnat to :5353 */
        { FAMILY_IPV4, "*nat\n-A PREROUTING -p udp -j DNAT --to-destination :5353\nCOMMIT\n",
          "[ immediate reg 1 0x0000e914 ]\n"
          "[ nat dnat ip proto_min reg 1 proto_max reg 1 flags 0x2 ]\n" },
        /* nft: meta l4proto tcp dnat to [dead::beef]:80 */
        { FAMILY_IPV6, "*nat\n-A PREROUTING -p tcp -j DNAT --to-destination [dead::beef]:80\nCOMMIT\n",
          "[ immediate reg 1 0x0000adde 0x00000000 0x00000000 0xefbe0000 ]\n"
          "[ immediate reg 2 0x00005000 ]\n"
          "[ nat dnat ip6 addr_min reg 1 addr_max reg 1 proto_min reg 2 proto_max reg 2 flags 0x3 ]\n" },
        /* nft: masquerade */
        { FAMILY_IPV4, "*nat\n-A POSTROUTING -j MASQUERADE\nCOMMIT\n", "[ masq ]\n" },
        /* nft: masquerade random,fully-random */
        { FAMILY_IPV4, "*nat\n-A POSTROUTING -j MASQUERADE --random-fully --random\nCOMMIT\n",
          "[ masq flags 0x14 ]\n" },
        /* nft: meta l4proto tcp masquerade to :1024-2000 */
        { FAMILY_IPV4, "*nat\n-A POSTROUTING -p tcp -j MASQUERADE --to-ports 1024-2000\nCOMMIT\n",
          "[ immediate reg 1 0x00000004 ]\n"
          "[ immediate reg 2 0x0000d007 ]\n"
          "[ masq proto_min reg 1 proto_max reg 2 flags 0x2 ]\n" },
        /* nft: meta l4proto tcp redirect to :42 */
        { FAMILY_IPV4, "*nat\n-A PREROUTING -p tcp -j REDIRECT --to-ports 42\nCOMMIT\n",
          "[ immediate reg 1 0x00002a00 ]\n"
          "[ redir proto_min reg 1 proto_max reg 1 flags 0x2 ]\n" },
        /* nft: redirect random */
        { FAMILY_IPV4, "*nat\n-A OUTPUT -j REDIRECT --random\nCOMMIT\n", "[ redir flags 0x4 ]\n" },
        /* nft: dnat ip prefix to 1.2.3.0/24 (and snat in POSTROUTING) */
        { FAMILY_IPV4, "*nat\n-A PREROUTING -j NETMAP --to 1.2.3.0/24\nCOMMIT\n",
          "[ immediate reg 1 0x00030201 ]\n"
          "[ immediate reg 2 0xff030201 ]\n"
          "[ nat dnat ip addr_min reg 1 addr_max reg 2 flags 0x41 ]\n" },
        { FAMILY_IPV4, "*nat\n-A POSTROUTING -j NETMAP --to 1.2.3.0/24\nCOMMIT\n",
          "[ immediate reg 1 0x00030201 ]\n"
          "[ immediate reg 2 0xff030201 ]\n"
          "[ nat snat ip addr_min reg 1 addr_max reg 2 flags 0x41 ]\n" },
        /* nft: dnat ip6 prefix to dead::/64 */
        { FAMILY_IPV6, "*nat\n-A OUTPUT -j NETMAP --to dead::/64\nCOMMIT\n",
          "[ immediate reg 1 0x0000adde 0x00000000 0x00000000 0x00000000 ]\n"
          "[ immediate reg 2 0x0000adde 0x00000000 0xffffffff 0xffffffff ]\n"
          "[ nat dnat ip6 addr_min reg 1 addr_max reg 2 flags 0x41 ]\n" },
        /* nft: reject; reject with icmp type admin-prohibited; reject with tcp reset */
        { FAMILY_IPV4, "*filter\n-A INPUT -j REJECT\nCOMMIT\n", "[ reject type 0 code 3 ]\n" },
        { FAMILY_IPV4, "*filter\n-A INPUT -j REJECT --reject-with icmp-admin-prohibited\nCOMMIT\n",
          "[ reject type 0 code 13 ]\n" },
        { FAMILY_IPV4, "*filter\n-A INPUT -p tcp -j REJECT --reject-with tcp-reset\nCOMMIT\n",
          "[ reject type 1 code 0 ]\n" },
        /* nft (ip6): reject; reject with icmpv6 type 5 */
        { FAMILY_IPV6, "*filter\n-A INPUT -j REJECT\nCOMMIT\n", "[ reject type 0 code 4 ]\n" },
        { FAMILY_IPV6, "*filter\n-A INPUT -j REJECT --reject-with icmp6-policy-fail\nCOMMIT\n",
          "[ reject type 0 code 5 ]\n" },
        /* nft: log (the kernel dumps "level 4") */
        { FAMILY_IPV4, "*filter\n-A INPUT -j LOG\nCOMMIT\n", "[ log level 4 ]\n" },
        /* nft: log prefix "x" level debug flags tcp sequence,options flags skuid flags ether */
        { FAMILY_IPV4,
          "*filter\n-A INPUT -j LOG --log-prefix x --log-level 7 --log-tcp-sequence --log-tcp-options --log-uid "
          "--log-macdecode\nCOMMIT\n",
          "[ log prefix x level 7 tcpseq tcpopt uid macdecode ]\n" },
        /* nft: log group 0 */
        { FAMILY_IPV4, "*filter\n-A INPUT -j NFLOG\nCOMMIT\n", "[ log group 0 snaplen 0 qthreshold 0 ]\n" },
        /* nft: log prefix "x" snaplen 7 queue-threshold 5 group 3 */
        { FAMILY_IPV4,
          "*filter\n-A INPUT -j NFLOG --nflog-group 3 --nflog-prefix x --nflog-size 7 --nflog-threshold 5\nCOMMIT\n",
          "[ log prefix x group 3 snaplen 7 qthreshold 5 ]\n" },
        /*
         * nft: tcp flags & syn == syn tcp option maxseg size set 1400 (the
         * SYN test is ours: iptables-translate leaves it out).
         */
        { FAMILY_IPV4, "*mangle\n-A FORWARD -p tcp -j TCPMSS --set-mss 1400\nCOMMIT\n",
          "[ payload load 1b @ transport header + 13 => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x00000002 ) ^ 0x00000000 ]\n"
          "[ cmp eq reg 1 0x00000002 ]\n"
          "[ immediate reg 1 0x00007805 ]\n"
          "[ exthdr write tcpopt reg 1 => 2b @ 2 + 2 ]\n" },
        /* nft: tcp flags & syn == syn tcp option maxseg size set rt mtu */
        { FAMILY_IPV6,
          "*mangle\n-A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu\nCOMMIT\n",
          "[ payload load 1b @ transport header + 13 => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x00000002 ) ^ 0x00000000 ]\n"
          "[ cmp eq reg 1 0x00000002 ]\n"
          "[ rt load tcpmss => reg 1 ]\n"
          "[ byteorder reg 1 = hton(reg 1, 2, 2) ]\n"
          "[ exthdr write tcpopt reg 1 => 2b @ 2 + 2 ]\n" },
        /* nft: ip dscp set 0x2e */
        { FAMILY_IPV4, "*mangle\n-A FORWARD -j DSCP --set-dscp 0x2e\nCOMMIT\n",
          "[ payload load 2b @ network header + 0 => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x000003ff ) ^ 0x0000b800 ]\n"
          "[ payload write reg 1 => 2b @ network header + 0 csum_type 1 csum_off 10 csum_flags 0x0 ]\n" },
        /* nft: ip6 dscp set 0x2e */
        { FAMILY_IPV6, "*mangle\n-A FORWARD -j DSCP --set-dscp 0x2e\nCOMMIT\n",
          "[ payload load 2b @ network header + 0 => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x00003ff0 ) ^ 0x0000800b ]\n"
          "[ payload write reg 1 => 2b @ network header + 0 csum_type 0 csum_off 0 csum_flags 0x0 ]\n" },
        /* TOS has no nft form of its own (iptables-translate gets it wrong): ip dscp's, with TOS's mask */
        { FAMILY_IPV4, "*mangle\n-A PREROUTING -j TOS --set-tos 0x10/0x3f\nCOMMIT\n",
          "[ payload load 2b @ network header + 0 => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x0000c0ff ) ^ 0x00001000 ]\n"
          "[ payload write reg 1 => 2b @ network header + 0 csum_type 1 csum_off 10 csum_flags 0x0 ]\n" },
        { FAMILY_IPV6, "*mangle\n-A PREROUTING -j TOS --xor-tos 0x12\nCOMMIT\n",
          "[ payload load 2b @ network header + 0 => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x0000ffff ) ^ 0x00002001 ]\n"
          "[ payload write reg 1 => 2b @ network header + 0 csum_type 0 csum_off 0 csum_flags 0x0 ]\n" },
        /* nft: ip ttl set 42 */
        { FAMILY_IPV4, "*mangle\n-A POSTROUTING -j TTL --ttl-set 42\nCOMMIT\n",
          "[ payload load 2b @ network header + 8 => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x0000ff00 ) ^ 0x0000002a ]\n"
          "[ payload write reg 1 => 2b @ network header + 8 csum_type 1 csum_off 10 csum_flags 0x0 ]\n" },
        /* nft: ip6 hoplimit set 42 */
        { FAMILY_IPV6, "*mangle\n-A POSTROUTING -j HL --hl-set 42\nCOMMIT\n",
          "[ immediate reg 1 0x0000002a ]\n"
          "[ payload write reg 1 => 1b @ network header + 7 csum_type 0 csum_off 0 csum_flags 0x0 ]\n" },
        /* no arithmetic in nf_tables: the byte through a map (test_ttl_maps has its elements) */
        { FAMILY_IPV4, "*mangle\n-A POSTROUTING -j TTL --ttl-inc 1\nCOMMIT\n",
          "[ payload load 1b @ network header + 8 => reg 1 ]\n"
          "[ lookup reg 1 set set0 dreg 1 ]\n"
          "[ payload write reg 1 => 1b @ network header + 8 csum_type 1 csum_off 10 csum_flags 0x0 ]\n" },
        { FAMILY_IPV6, "*mangle\n-A PREROUTING -j HL --hl-dec 3\nCOMMIT\n",
          "[ payload load 1b @ network header + 7 => reg 1 ]\n"
          "[ lookup reg 1 set set0 dreg 1 ]\n"
          "[ payload write reg 1 => 1b @ network header + 7 csum_type 0 csum_off 0 csum_flags 0x0 ]\n" },
};

/* The map of --ttl-inc/--ttl-dec and --hl-inc/--hl-dec: xt_HL's saturating sums, unchanged values left out. */
typedef struct TtlMapCase {
        Family family;
        const char *rules;
        int amount;                     /* added, or (negative) taken away */
} TtlMapCase;

static const TtlMapCase ttl_map_cases[] = {
        { FAMILY_IPV4, "*mangle\n-A POSTROUTING -j TTL --ttl-inc 1\nCOMMIT\n", 1 },
        { FAMILY_IPV4, "*mangle\n-A PREROUTING -j TTL --ttl-dec 255\nCOMMIT\n", -255 },
        { FAMILY_IPV4, "*mangle\n-A FORWARD -j TTL --ttl-inc 200\nCOMMIT\n", 200 },
        { FAMILY_IPV6, "*mangle\n-A POSTROUTING -j HL --hl-inc 255\nCOMMIT\n", 255 },
        { FAMILY_IPV6, "*mangle\n-A PREROUTING -j HL --hl-dec 3\nCOMMIT\n", -3 },
};

START_TEST(test_ttl_maps) {
        const TtlMapCase *tc = &ttl_map_cases[_i];
        _cleanup_(ruleset_freep) Ruleset *rs = parse_text(tc->rules, tc->family);
        _cleanup_(nft_compile_context_freep) NftCompileContext *ctx = NULL;
        NftBatch batch = NFT_BATCH_INIT;
        DiagList diags = DIAG_LIST_INIT;
        struct nftnl_rule *nr = NULL;
        struct nftnl_set_list *sets;
        struct nftnl_set *set;
        NftSetSpec spec;
        const Table *t;
        const Chain *c;
        const Rule *rule = only_rule(rs, tc->family, &t, &c);
        size_t n = 0;
        RuleExprs re;
        unsigned block;
        TargetTtl got = {};

        ck_assert_int_eq(nft_compile_context_new(t, &batch, &diags, &ctx), 0);
        ck_assert_int_eq(nft_compile_rule(ctx, c, rule, &nr), 0);
        sets = compiled_sets(ctx);
        set = nftnl_set_list_lookup_byname(sets, "set0");
        ck_assert_ptr_nonnull(set);
        ck_assert_uint_eq(nftnl_set_get_u32(set, NFTNL_SET_FLAGS), NFT_SET_CONSTANT | NFT_SET_MAP);
        ck_assert_int_eq(nft_set_spec_from_set(set, &spec), 0);
        ck_assert_uint_eq(spec.key_len, 1);
        ck_assert_uint_eq(spec.data_len, 1);
        for (int v = 0; v < 256; v++) {
                int to = v + tc->amount < 0 ? 0 : v + tc->amount > 255 ? 255 : v + tc->amount;
                if (to == v)
                        continue;
                ck_assert_uint_lt(n, spec.n_elements);
                ck_assert_uint_eq(spec.elements[n].key[0], (unsigned)v);
                ck_assert_uint_eq(spec.elements[n].data[0], (unsigned)to);
                n++;
        }
        ck_assert_uint_eq(n, spec.n_elements);

        /* it reads back; a map with one value changed does not */
        block = target_block(nr, &re);
        NftExprReader rd = block_reader(&re, block, t, rule, sets);
        ck_assert_int_eq(nft_codec_for_target(rule->target->ext->type)->decompile(&rd, &got), 0);
        ck_assert_mem_eq(&got, target_data(rule->target), sizeof(got));

        spec.elements[n / 2].data[0] ^= 1;
        {
                struct nftnl_set_list *bad = nftnl_set_list_alloc();
                struct nftnl_set *copy = nftnl_set_alloc();
                ck_assert_ptr_nonnull(bad);
                ck_assert_ptr_nonnull(copy);
                nftnl_set_set_str(copy, NFTNL_SET_NAME, "set0");
                nftnl_set_set_u32(copy, NFTNL_SET_FLAGS, NFT_SET_CONSTANT | NFT_SET_MAP);
                nftnl_set_set_u32(copy, NFTNL_SET_KEY_LEN, 1);
                nftnl_set_set_u32(copy, NFTNL_SET_DATA_LEN, 1);
                for (size_t i = 0; i < spec.n_elements; i++) {
                        struct nftnl_set_elem *el = nftnl_set_elem_alloc();
                        nftnl_set_elem_set(el, NFTNL_SET_ELEM_KEY, spec.elements[i].key, 1);
                        nftnl_set_elem_set(el, NFTNL_SET_ELEM_DATA, spec.elements[i].data, 1);
                        nftnl_set_elem_add(copy, el);
                }
                nftnl_set_list_add(copy, bad);
                rd = block_reader(&re, block, t, rule, bad);
                ck_assert_int_eq(nft_codec_for_target(rule->target->ext->type)->decompile(&rd, &got), -EBADMSG);
                nftnl_set_list_free(bad);
        }
        nft_set_spec_done(&spec);
        nftnl_set_list_free(sets);
        nftnl_rule_free(nr);
        nft_batch_deinit(&batch);
        diag_list_deinit(&diags);
}
END_TEST

/* Compiles the case's rule; the rule text is nftnl's, and the target block one expression a line. */
static struct nftnl_rule *compile_case(const char *text, Family family, DiagList *diags, int *ret,
                                       char **ret_block) {
        _cleanup_(ruleset_freep) Ruleset *rs = parse_text(text, family);
        _cleanup_(nft_compile_context_freep) NftCompileContext *ctx = NULL;
        NftBatch batch = NFT_BATCH_INIT;
        struct nftnl_rule *nr = NULL;
        const Table *t;
        const Chain *c;
        const Rule *rule = only_rule(rs, family, &t, &c);
        _cleanup_(rule_freep) Rule *stripped = NULL;
        size_t pos, len, n;
        RuleExprs re;
        unsigned block;

        ck_assert_int_eq(nft_compile_context_new(t, &batch, diags, &ctx), 0);
        *ret = nft_compile_rule(ctx, c, rule, &nr);
        if (*ret == -EOPNOTSUPP && diags->n_items > 0 && diags->items[0].column != rule->target->column) {
                diag_list_clear(diags);
                stripped = strip_matches(rule);
                *ret = nft_compile_rule(ctx, c, stripped, &nr);
        }
        nft_batch_deinit(&batch);
        if (*ret < 0)
                return NULL;
        /* the target block's lines of nftnl's text of the rule: what nft --debug=netlink prints */
        block = target_block(nr, &re);
        pos = block_start(&re.layout, block);
        len = re.layout.blocks[block].n_exprs;
        *ret_block = expr_lines(nr, pos, pos + len, &n);
        ck_assert_uint_eq(n, pos + len);
        return nr;
}

START_TEST(test_expression_text) {
        const TextCase *tc = &text_cases[_i];
        DiagList diags = DIAG_LIST_INIT;
        _cleanup_free_ char *block = NULL;
        struct nftnl_rule *nr;
        char rule_text[4096];
        int r;

        nr = compile_case(tc->rules, tc->family, &diags, &r, &block);
        if (!nr) {
                _cleanup_free_ char *msg = diags_text(&diags);
                ck_abort_msg("does not compile (%d):\n%s%s", r, tc->rules, strempty(msg));
        }
        /* the whole rule prints, too: what nft-decompile shows for a foreign rule */
        ck_assert_int_gt(nftnl_rule_snprintf(rule_text, sizeof(rule_text), nr, NFTNL_OUTPUT_DEFAULT, 0), 0);
        if (!streq(block, tc->want))
                ck_abort_msg("%s--- want ---\n%s--- got ---\n%s--- rule ---\n%s", tc->rules, tc->want, block,
                             rule_text);
        nftnl_rule_free(nr);
        diag_list_deinit(&diags);
}
END_TEST

/* ---- Refusals ---- */

typedef struct RefuseCase {
        Family family;
        const char *rules;
        const char *message;            /* a part of the diagnostic */
} RefuseCase;

static const RefuseCase refuse_cases[] = {
        { FAMILY_IPV4, "*nat\n-A PREROUTING -p tcp -j DNAT --to-destination 1.1.1.1:1000-2000/1000\nCOMMIT\n",
          "base port" },
        { FAMILY_IPV6, "*nat\n-A PREROUTING -p tcp -j DNAT --to-destination [dead::beef]:10-20/ftp\nCOMMIT\n",
          "base port" },
        { FAMILY_IPV4, "*nat\n:mapped - [0:0]\n-A PREROUTING -j mapped\n-A mapped -j NETMAP --to 10.0.0.0/8\nCOMMIT\n",
          "user chain mapped" },
};

START_TEST(test_refused) {
        const RefuseCase *rc = &refuse_cases[_i];
        _cleanup_(ruleset_freep) Ruleset *rs = parse_text(rc->rules, rc->family);
        _cleanup_(nft_compile_context_freep) NftCompileContext *ctx = NULL;
        NftBatch batch = NFT_BATCH_INIT;
        DiagList diags = DIAG_LIST_INIT;
        struct nftnl_rule *nr = NULL;
        const Table *t = NULL;
        const Chain *c = NULL;
        const Rule *rule = NULL;

        for (TableType tt = 0; tt < _TABLE_TYPE_MAX && !rule; tt++) {
                const Table *tab = ruleset_get_table(rs, rc->family, tt);
                for (size_t i = 0; tab && i < tab->n_chains && !rule; i++)
                        for (size_t k = 0; k < tab->chains[i]->n_rules; k++) {
                                const Rule *x = tab->chains[i]->rules[k];
                                if (x->target && is_our_target(x->target->ext->type)) {
                                        t = tab;
                                        c = tab->chains[i];
                                        rule = x;
                                }
                        }
        }
        ck_assert_ptr_nonnull(rule);
        ck_assert_int_eq(nft_compile_context_new(t, &batch, &diags, &ctx), 0);
        ck_assert_int_eq(nft_compile_rule(ctx, c, rule, &nr), -EOPNOTSUPP);
        ck_assert_ptr_null(nr);
        ck_assert_uint_eq(diags.n_items, 1);
        ck_assert_int_eq(diags.items[0].code, DIAG_UNSUPPORTED);
        ck_assert_int_eq(diags.items[0].level, DIAG_ERROR);
        ck_assert_uint_eq(diags.items[0].line, rule->loc.line);
        ck_assert_uint_eq(diags.items[0].column, rule->target->column);
        ck_assert_msg(strstr(diags.items[0].message, rc->message), "message \"%s\" lacks \"%s\"",
                      diags.items[0].message, rc->message);
        /* nothing half-built went into the batch */
        ck_assert_uint_eq(batch.n_messages, 0);
        nft_batch_deinit(&batch);
        diag_list_deinit(&diags);
}
END_TEST

/* ---- The decoders refuse what they did not write ---- */

static int decode(TargetType type, Family family, struct nftnl_expr **exprs, size_t n, void *payload) {
        NftExprReader rd = { .exprs = (const struct nftnl_expr *const *)exprs, .n_exprs = n, .family = family };
        int r = nft_codec_for_target(type)->decompile(&rd, payload);

        for (size_t i = 0; i < n; i++)
                nftnl_expr_free(exprs[i]);
        return r < 0 || nft_read_done(&rd) ? r : -EBADMSG;
}

static struct nftnl_expr *imm(uint32_t reg, const void *data, uint32_t len) {
        struct nftnl_expr *e = nftnl_expr_alloc("immediate");

        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, reg);
        nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, data, len);
        return e;
}

static struct nftnl_expr *nat(uint32_t type, uint32_t family, uint32_t amin, uint32_t amax, uint32_t flags) {
        struct nftnl_expr *e = nftnl_expr_alloc("nat");

        nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, type);
        nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, family);
        if (amin) {
                nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, amin);
                nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MAX, amax);
        }
        if (flags)
                nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FLAGS, flags);
        return e;
}

START_TEST(test_foreign_expressions) {
        static const uint8_t a1[4] = { 1, 1, 1, 1 }, a2[4] = { 1, 1, 1, 10 }, net_lo[4] = { 10, 0, 0, 0 },
                             bad_hi[4] = { 10, 0, 255, 0 }, port[2] = { 0, 80 };
        uint8_t payload[512];
        struct nftnl_expr *e[4];

        /* what we write decodes */
        memset(payload, 0, sizeof(payload));
        e[0] = imm(NFT_REG_1, a1, 4);
        e[1] = imm(NFT_REG_2, a2, 4);
        e[2] = nat(NFT_NAT_SNAT, NFPROTO_IPV4, NFT_REG_1, NFT_REG_2, 0x1);
        ck_assert_int_eq(decode(TARGET_SNAT, FAMILY_IPV4, e, 3, payload), 0);
        ck_assert_uint_eq(((TargetNat *)payload)->flags, NAT_MAP_IPS);

        /* SNAT read as DNAT, or of another family */
        e[0] = imm(NFT_REG_1, a1, 4);
        e[1] = nat(NFT_NAT_SNAT, NFPROTO_IPV4, NFT_REG_1, NFT_REG_1, 0x1);
        ck_assert_int_eq(decode(TARGET_DNAT, FAMILY_IPV4, e, 2, payload), -EBADMSG);
        e[0] = imm(NFT_REG_1, a1, 4);
        e[1] = nat(NFT_NAT_SNAT, NFPROTO_IPV6, NFT_REG_1, NFT_REG_1, 0x1);
        ck_assert_int_eq(decode(TARGET_SNAT, FAMILY_IPV4, e, 2, payload), -EBADMSG);
        /* the same address twice: we write one register */
        e[0] = imm(NFT_REG_1, a1, 4);
        e[1] = imm(NFT_REG_2, a1, 4);
        e[2] = nat(NFT_NAT_SNAT, NFPROTO_IPV4, NFT_REG_1, NFT_REG_2, 0x1);
        ck_assert_int_eq(decode(TARGET_SNAT, FAMILY_IPV4, e, 3, payload), -EBADMSG);
        /* registers out of our order */
        e[0] = imm(NFT_REG_2, a1, 4);
        e[1] = nat(NFT_NAT_SNAT, NFPROTO_IPV4, NFT_REG_2, NFT_REG_2, 0x1);
        ck_assert_int_eq(decode(TARGET_SNAT, FAMILY_IPV4, e, 2, payload), -EBADMSG);
        /* flags that say addresses without registers, or a flag DNAT cannot have */
        e[0] = nat(NFT_NAT_SNAT, NFPROTO_IPV4, 0, 0, 0x1);
        ck_assert_int_eq(decode(TARGET_SNAT, FAMILY_IPV4, e, 1, payload), -EBADMSG);
        e[0] = imm(NFT_REG_1, a1, 4);
        e[1] = nat(NFT_NAT_DNAT, NFPROTO_IPV4, NFT_REG_1, NFT_REG_1, 0x1 | NAT_RANDOM_FULLY);
        ck_assert_int_eq(decode(TARGET_DNAT, FAMILY_IPV4, e, 2, payload), -EBADMSG);
        /* a base port's flag: we never write it */
        e[0] = imm(NFT_REG_1, port, 2);
        e[1] = nftnl_expr_alloc("nat");
        nftnl_expr_set_u32(e[1], NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
        nftnl_expr_set_u32(e[1], NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
        nftnl_expr_set_u32(e[1], NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG_1);
        nftnl_expr_set_u32(e[1], NFTNL_EXPR_NAT_REG_PROTO_MAX, NFT_REG_1);
        nftnl_expr_set_u32(e[1], NFTNL_EXPR_NAT_FLAGS, 0x2 | NAT_PROTO_OFFSET);
        ck_assert_int_eq(decode(TARGET_DNAT, FAMILY_IPV4, e, 2, payload), -EBADMSG);
        /* NETMAP: not a network (host bits in the first address, holes in the mask) */
        e[0] = imm(NFT_REG_1, a1, 4);
        e[1] = imm(NFT_REG_2, a2, 4);
        e[2] = nat(NFT_NAT_DNAT, NFPROTO_IPV4, NFT_REG_1, NFT_REG_2, 0x41);
        ck_assert_int_eq(decode(TARGET_NETMAP, FAMILY_IPV4, e, 3, payload), -EBADMSG);
        e[0] = imm(NFT_REG_1, net_lo, 4);
        e[1] = imm(NFT_REG_2, bad_hi, 4);
        e[2] = nat(NFT_NAT_DNAT, NFPROTO_IPV4, NFT_REG_1, NFT_REG_2, 0x41);
        ck_assert_int_eq(decode(TARGET_NETMAP, FAMILY_IPV4, e, 3, payload), -EBADMSG);
        /* a plain SNAT is no NETMAP */
        e[0] = imm(NFT_REG_1, a1, 4);
        e[1] = nat(NFT_NAT_SNAT, NFPROTO_IPV4, NFT_REG_1, NFT_REG_1, 0x1);
        ck_assert_int_eq(decode(TARGET_NETMAP, FAMILY_IPV4, e, 2, payload), -EBADMSG);
        /* masq with a flag MASQUERADE has no option for */
        e[0] = nftnl_expr_alloc("masq");
        nftnl_expr_set_u32(e[0], NFTNL_EXPR_MASQ_FLAGS, NAT_PERSISTENT);
        ck_assert_int_eq(decode(TARGET_MASQUERADE, FAMILY_IPV4, e, 1, payload), -EBADMSG);
        /* redir with a stray immediate before it */
        e[0] = imm(NFT_REG_1, port, 2);
        e[1] = nftnl_expr_alloc("redir");
        ck_assert_int_eq(decode(TARGET_REDIRECT, FAMILY_IPV4, e, 2, payload), -EBADMSG);

        /* LOG with a group is NFLOG, NFLOG with a level is LOG; nft's audit level is neither */
        e[0] = nftnl_expr_alloc("log");
        nftnl_expr_set_u16(e[0], NFTNL_EXPR_LOG_GROUP, 1);
        ck_assert_int_eq(decode(TARGET_LOG, FAMILY_IPV4, e, 1, payload), -EBADMSG);
        e[0] = nftnl_expr_alloc("log");
        nftnl_expr_set_u32(e[0], NFTNL_EXPR_LOG_LEVEL, 4);
        ck_assert_int_eq(decode(TARGET_NFLOG, FAMILY_IPV4, e, 1, payload), -EBADMSG);
        e[0] = nftnl_expr_alloc("log");
        nftnl_expr_set_u32(e[0], NFTNL_EXPR_LOG_LEVEL, 8);
        ck_assert_int_eq(decode(TARGET_LOG, FAMILY_IPV4, e, 1, payload), -EBADMSG);
        /* a prefix longer than LOG keeps */
        e[0] = nftnl_expr_alloc("log");
        nftnl_expr_set_u32(e[0], NFTNL_EXPR_LOG_LEVEL, 4);
        nftnl_expr_set_str(e[0], NFTNL_EXPR_LOG_PREFIX, "0123456789012345678901234567890");
        ck_assert_int_eq(decode(TARGET_LOG, FAMILY_IPV4, e, 1, payload), -EBADMSG);

        /* reject: ICMPX (inet's), a code --reject-with has no name for, TCP reset with a code */
        e[0] = nftnl_expr_alloc("reject");
        nftnl_expr_set_u32(e[0], NFTNL_EXPR_REJECT_TYPE, NFT_REJECT_ICMPX_UNREACH);
        nftnl_expr_set_u8(e[0], NFTNL_EXPR_REJECT_CODE, 1);
        ck_assert_int_eq(decode(TARGET_REJECT, FAMILY_IPV4, e, 1, payload), -EBADMSG);
        e[0] = nftnl_expr_alloc("reject");
        nftnl_expr_set_u32(e[0], NFTNL_EXPR_REJECT_TYPE, NFT_REJECT_ICMP_UNREACH);
        nftnl_expr_set_u8(e[0], NFTNL_EXPR_REJECT_CODE, 4);
        ck_assert_int_eq(decode(TARGET_REJECT, FAMILY_IPV4, e, 1, payload), -EBADMSG);
        e[0] = nftnl_expr_alloc("reject");
        nftnl_expr_set_u32(e[0], NFTNL_EXPR_REJECT_TYPE, NFT_REJECT_ICMP_UNREACH);
        nftnl_expr_set_u8(e[0], NFTNL_EXPR_REJECT_CODE, 4);
        ck_assert_int_eq(decode(TARGET_REJECT, FAMILY_IPV6, e, 1, payload), 0); /* icmp6-port-unreachable */
        e[0] = nftnl_expr_alloc("reject");
        nftnl_expr_set_u32(e[0], NFTNL_EXPR_REJECT_TYPE, NFT_REJECT_TCP_RST);
        nftnl_expr_set_u8(e[0], NFTNL_EXPR_REJECT_CODE, 0);
        ck_assert_int_eq(decode(TARGET_REJECT, FAMILY_IPV4, e, 1, payload), -EBADMSG);

        /* HL: a write elsewhere than the hop limit */
        e[0] = imm(NFT_REG_1, port, 1);
        e[1] = nftnl_expr_alloc("payload");
        nftnl_expr_set_u32(e[1], NFTNL_EXPR_PAYLOAD_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e[1], NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_NETWORK_HEADER);
        nftnl_expr_set_u32(e[1], NFTNL_EXPR_PAYLOAD_OFFSET, 6);
        nftnl_expr_set_u32(e[1], NFTNL_EXPR_PAYLOAD_LEN, 1);
        ck_assert_int_eq(decode(TARGET_HL, FAMILY_IPV6, e, 2, payload), -EBADMSG);
}
END_TEST

/* DSCP and TOS share an encoding: a TOS that is no DSCP write does not decode as DSCP. */
START_TEST(test_tos_is_not_dscp) {
        DiagList diags = DIAG_LIST_INIT;
        _cleanup_free_ char *block = NULL;
        RuleExprs re;
        struct nftnl_rule *nr;
        unsigned target;
        TargetDscp d = {};
        TargetTos tos = {};
        int r;

        nr = compile_case("*mangle\n-A PREROUTING -j TOS --set-tos 0x10/0x3f\nCOMMIT\n", FAMILY_IPV4, &diags, &r,
                          &block);
        ck_assert_ptr_nonnull(nr);
        target = target_block(nr, &re);
        NftExprReader rd = { .exprs = re.exprs + block_start(&re.layout, target),
                             .n_exprs = re.layout.blocks[target].n_exprs,
                             .family = FAMILY_IPV4 };
        ck_assert_int_eq(nft_codec_for_target(TARGET_DSCP)->decompile(&rd, &d), -EBADMSG);
        rd.pos = 0;
        ck_assert_int_eq(nft_codec_for_target(TARGET_TOS)->decompile(&rd, &tos), 0);
        ck_assert_uint_eq(tos.value, 0x10);
        ck_assert_uint_eq(tos.mask, 0x3f);
        nftnl_rule_free(nr);
        diag_list_deinit(&diags);
}
END_TEST

static Suite *targets_suite(void) {
        Suite *s = suite_create("nft-targets");
        TCase *tc;

        tc = tcase_create("golden");
        tcase_add_test(tc, test_golden_round_trip);
        tcase_set_timeout(tc, 60);
        suite_add_tcase(s, tc);

        tc = tcase_create("expressions");
        tcase_add_loop_test(tc, test_expression_text, 0, N_ELEMENTS(text_cases));
        tcase_add_test(tc, test_tos_is_not_dscp);
        tcase_add_loop_test(tc, test_ttl_maps, 0, N_ELEMENTS(ttl_map_cases));
        suite_add_tcase(s, tc);

        tc = tcase_create("refused");
        tcase_add_loop_test(tc, test_refused, 0, N_ELEMENTS(refuse_cases));
        tcase_add_test(tc, test_foreign_expressions);
        suite_add_tcase(s, tc);

        return s;
}

int main(void) {
        SRunner *sr = srunner_create(targets_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
