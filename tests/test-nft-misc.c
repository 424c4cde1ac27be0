/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-nft-misc: the codecs of nft-ext-misc.c (limit, comment, iprange,
 * addrtype, mac, pkttype, length, ttl, hl, tos, dscp, owner). Every rule
 * of the misc-* golden files is compiled with nft_compile_rule() into a
 * real batch (so the sets exist); each of its misc blocks, found through
 * the layout in the rule's userdata, is decompiled by its codec and must
 * give the payload back byte for byte. A chosen few are compared with the
 * expression text nft --debug=netlink showed for the same construct (6.18,
 * nft 1.0.6; where we differ, the case says why). What nf_tables cannot
 * match exactly must be refused with DIAG_UNSUPPORTED at the match, and
 * the decoders must refuse expressions they did not write.
 */

#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/rtnetlink.h>

#include "ext-misc.h"
#include "nft-compile.h"
#include "nft-ext.h"
#include "nft-layout.h"
#include "ruleset-ext.h"
#include "ruleset-parse.h"
#include "ruleset-print.h"

#include "nft-codec-test.h"

static bool is_misc_match(MatchType t) {
        switch (t) {
        case MATCH_LIMIT:
        case MATCH_COMMENT:
        case MATCH_IPRANGE:
        case MATCH_ADDRTYPE:
        case MATCH_MAC:
        case MATCH_PKTTYPE:
        case MATCH_LENGTH:
        case MATCH_TTL:
        case MATCH_HL:
        case MATCH_TOS:
        case MATCH_DSCP:
        case MATCH_OWNER:
                return true;
        case MATCH_TCP:
        case MATCH_UDP:
        case MATCH_ICMP:
        case MATCH_ICMP6:
        case MATCH_MULTIPORT:
        case MATCH_CONNTRACK:
        case MATCH_STATE:
        case MATCH_MARK:
        case MATCH_CONNMARK:
        case _MATCH_TYPE_MAX:
        case _MATCH_TYPE_INVALID:
                break;
        }
        return false;
}

/* What the codecs refuse (see their comments): the first such match of the rule, or NULL. */
static const Match *expect_unsupported(Family family, const Rule *r) {
        bool comment = false;

        for (const Match *m = r->matches; m; m = m->next) {
                const void *data = match_data(m);

                if (m->ext->type == MATCH_COMMENT) {
                        if (comment)
                                return m;
                        comment = true;
                } else if (m->ext->type == MATCH_OWNER) {
                        const MatchOwner *o = data;
                        if (!((o->match & ~o->invert) & (OWNER_UID | OWNER_GID)))
                                return m;
                } else if (m->ext->type == MATCH_ADDRTYPE && family == FAMILY_IPV6) {
                        const MatchAddrtype *a = data;
                        const uint16_t class6 = 1u << ADDR_TYPE_UNSPEC | 1u << ADDR_TYPE_UNICAST |
                                                1u << ADDR_TYPE_MULTICAST,
                                       route6 = 1u << ADDR_TYPE_LOCAL | 1u << ADDR_TYPE_ANYCAST |
                                                1u << ADDR_TYPE_UNREACHABLE;
                        bool iface = a->flags & (ADDRTYPE_LIMIT_IFACE_IN | ADDRTYPE_LIMIT_IFACE_OUT);
                        if (iface && !((a->src | a->dst) & route6))
                                return m;
                        if ((a->src | a->dst) & 1u << ADDR_TYPE_UNREACHABLE)
                                return m;
                        if (iface && ((a->src | a->dst) & 1u << ADDR_TYPE_ANYCAST))
                                return m;
                        if ((a->flags & ADDRTYPE_INV_SRC) &&
                            __builtin_popcount(a->src & class6) + !!(a->src & route6) > 1)
                                return m;
                        if ((a->flags & ADDRTYPE_INV_DST) &&
                            __builtin_popcount(a->dst & class6) + !!(a->dst & route6) > 1)
                                return m;
                }
        }
        return NULL;
}

/* The same rule with only the misc matches: for when another group's match cannot be compiled yet. */
static Rule *strip_foreign(const Rule *src) {
        Rule *r = NULL;

        ck_assert_int_eq(rule_new(&r), 0);
        r->loc = src->loc;
        r->src = src->src;
        r->dst = src->dst;
        memcpy(r->iniface, src->iniface, sizeof(r->iniface));
        memcpy(r->outiface, src->outiface, sizeof(r->outiface));
        r->flags = src->flags;
        r->proto = src->proto;
        for (const Match *m = src->matches; m; m = m->next) {
                Match *copy;
                if (!is_misc_match(m->ext->type))
                        continue;
                ck_assert_int_eq(rule_add_match(r, m->ext, m->column, &copy), 0);
                memcpy(match_data(copy), match_data(m), m->size);
        }
        if (src->target) {
                Target *t;
                ck_assert_int_eq(rule_set_target(r, src->target->ext, src->target->column, &t), 0);
                memcpy(target_data(t), target_data(src->target), src->target->size);
        }
        return r;
}

static bool column_is_misc(const Rule *r, unsigned column) {
        for (const Match *m = r->matches; m; m = m->next)
                if (m->column == column)
                        return is_misc_match(m->ext->type);
        return false;
}

/* Decompiles every misc block of a compiled rule and compares it with the rule's match. */
static unsigned check_blocks(const Table *t, const Rule *rule, const struct nftnl_rule *nr,
                             const NftCompileContext *ctx) {
        RuleExprs re;
        struct nftnl_set_list *sets;
        const Match *m = rule->matches;
        unsigned n = 0;

        rule_exprs(nr, &re);
        sets = compiled_sets(ctx);
        for (unsigned i = 0; i < re.layout.n_blocks; i++, m = m ? m->next : NULL) {
                const NftLayoutBlock *block = &re.layout.blocks[i];
                _cleanup_free_ uint8_t *payload = NULL;
                NftExprReader rd;
                int r;

                if (block->target)
                        break;
                ck_assert_ptr_nonnull(m);
                ck_assert_uint_eq(block->type, m->ext->type);
                if (!is_misc_match(m->ext->type))
                        continue;
                payload = calloc(1, m->ext->size);
                ck_assert_ptr_nonnull(payload);
                rd = block_reader(&re, i, t, rule, sets);
                r = nft_codec_for_match(m->ext->type)->decompile(&rd, payload);
                ck_assert_msg(r == 0, "%s:%u: -m %s: decompile gives %d", rule->loc.file, rule->loc.line,
                              m->ext->name, r);
                ck_assert_msg(nft_read_done(&rd), "%s:%u: -m %s: decompile left expressions", rule->loc.file,
                              rule->loc.line, m->ext->name);
                ck_assert_msg(memcmp(payload, match_data(m), m->size) == 0,
                              "%s:%u: -m %s: payload differs after decompile", rule->loc.file, rule->loc.line,
                              m->ext->name);
                for (size_t k = m->size; k < m->ext->size; k++)
                        ck_assert_uint_eq(payload[k], 0);
                n++;
        }
        nftnl_set_list_free(sets);
        return n;
}

typedef struct Counts {
        unsigned compiled, blocks, refused;
} Counts;

static void check_rule(const Table *t, const Chain *c, const Rule *rule, NftCompileContext *ctx, DiagList *diags,
                       Counts *counts) {
        const Match *refused = expect_unsupported(t->family, rule);
        _cleanup_(rule_freep) Rule *stripped = NULL;
        const Rule *compiled = rule;
        struct nftnl_rule *nr = NULL;
        int r;

        diag_list_clear(diags);
        r = nft_compile_rule(ctx, c, rule, &nr);
        if (r == -EOPNOTSUPP && diags->n_items > 0 && !column_is_misc(rule, diags->items[0].column)) {
                /* a match of another group refused: test ours alone */
                diag_list_clear(diags);
                stripped = strip_foreign(rule);
                compiled = stripped;
                r = nft_compile_rule(ctx, c, stripped, &nr);
        }
        if (r == -EOPNOTSUPP && diags->n_items == 1 && strstr(diags->items[0].message, "comment is too long")) {
                /* the compiler's: a comment must share the 256 bytes of userdata with the layout */
                const Match *m = rule->matches;
                while (m && m->ext->type != MATCH_COMMENT)
                        m = m->next;
                ck_assert_ptr_nonnull(m);
                ck_assert_uint_gt(strlen(((const MatchComment *)match_data(m))->text), 200);
                counts->refused++;
                return;
        }
        if (refused) {
                ck_assert_msg(r == -EOPNOTSUPP, "%s:%u: should be refused, got %d", rule->loc.file, rule->loc.line, r);
                ck_assert_uint_eq(diags->n_items, 1);
                ck_assert_int_eq(diags->items[0].level, DIAG_ERROR);
                ck_assert_int_eq(diags->items[0].code, DIAG_UNSUPPORTED);
                ck_assert_uint_eq(diags->items[0].line, rule->loc.line);
                ck_assert_uint_eq(diags->items[0].column, refused->column);
                counts->refused++;
                return;
        }
        if (r < 0) {
                _cleanup_free_ char *text = diags_text(diags);
                ck_abort_msg("%s:%u: does not compile (%d):\n%s", rule->loc.file, rule->loc.line, r, strempty(text));
        }
        counts->compiled++;
        counts->blocks += check_blocks(t, compiled, nr, ctx);
        nftnl_rule_free(nr);
}


static bool rule_has_misc(const Rule *r) {
        for (const Match *m = r->matches; m; m = m->next)
                if (is_misc_match(m->ext->type))
                        return true;
        return false;
}

static void golden_rule(const Table *t, const Chain *c, const Rule *rule, NftCompileContext *ctx, DiagList *diags,
                        void *userdata) {
        if (rule_has_misc(rule))
                check_rule(t, c, rule, ctx, diags, userdata);
}

START_TEST(test_golden_round_trip) {
        static const char *const prefixes[] = { "misc-", NULL };
        Counts total = {};
        unsigned files = golden_for_each_rule(prefixes, golden_rule, &total);

        ck_assert_uint_ge(files, 4);
        /* as many as the golden files hold today; more is fine */
        ck_assert_uint_ge(total.blocks, 100);
        ck_assert_uint_ge(total.refused, 5);
        fprintf(stderr, "golden: %u files, %u rules compiled, %u blocks decompiled, %u rules refused\n", files,
                total.compiled, total.blocks, total.refused);
}
END_TEST

/* ---- Expressions, as nft --debug=netlink shows them for the same construct ---- */

typedef struct TextCase {
        Family family;
        const char *rule;               /* "-A CHAIN ..." of the filter table, unless it starts with '*' */
        const char *want;               /* the match blocks, one expression per line */
        const char *set;                /* the lookup's set, as its elements print; NULL: none */
} TextCase;

static const TextCase text_cases[] = {
        /* nft: limit rate 5/second burst 10 packets */
        { FAMILY_IPV4, "-A INPUT -m limit --limit 5/sec --limit-burst 10",
          "[ limit rate 5/second burst 10 type packets flags 0x0 ]\n" },
        /* nft: limit rate 3/hour burst 5 packets (iptables-translate's form for the defaults) */
        { FAMILY_IPV4, "-A INPUT -m limit", "[ limit rate 3/hour burst 5 type packets flags 0x0 ]\n" },
        /* iptables-translate: limit rate 61/minute; 3000/sec is avg 3, 3333/second */
        { FAMILY_IPV4, "-A INPUT -m limit --limit 61/min",
          "[ limit rate 61/minute burst 5 type packets flags 0x0 ]\n" },
        { FAMILY_IPV4, "-A INPUT -m limit --limit 3000/sec",
          "[ limit rate 3333/second burst 5 type packets flags 0x0 ]\n" },
        /* 4838/min is avg 124, which iptables(-nft) shows and loads as 80/second */
        { FAMILY_IPV6, "-A INPUT -m limit --limit 4838/min --limit-burst 0",
          "[ limit rate 80/second burst 5 type packets flags 0x0 ]\n" },
        /* nft: comment "x": no expression at all */
        { FAMILY_IPV4, "-A INPUT -m comment --comment x", "" },
        /* nft: ip saddr 10.0.0.1-10.0.0.9 */
        { FAMILY_IPV4, "-A INPUT -m iprange --src-range 10.0.0.1-10.0.0.9",
          "[ payload load 4b @ network header + 12 => reg 1 ]\n"
          "[ cmp gte reg 1 0x0100000a ]\n"
          "[ cmp lte reg 1 0x0900000a ]\n" },
        /* nft: ip saddr != 10.0.0.1-10.0.0.9 ip daddr 1.1.1.1-1.1.1.1 (source first, as xt_iprange tests) */
        { FAMILY_IPV4, "-A INPUT -m iprange --dst-range 1.1.1.1 ! --src-range 10.0.0.1-10.0.0.9",
          "[ payload load 4b @ network header + 12 => reg 1 ]\n"
          "[ range neq reg 1 0x0100000a 0x0900000a ]\n"
          "[ payload load 4b @ network header + 16 => reg 1 ]\n"
          "[ cmp gte reg 1 0x01010101 ]\n"
          "[ cmp lte reg 1 0x01010101 ]\n" },
        /* nft: ip6 saddr 2001:db8::1-2001:db8::10 */
        { FAMILY_IPV6, "-A INPUT -m iprange --src-range 2001:db8::1-2001:db8::10",
          "[ payload load 16b @ network header + 8 => reg 1 ]\n"
          "[ cmp gte reg 1 0xb80d0120 0x00000000 0x00000000 0x01000000 ]\n"
          "[ cmp lte reg 1 0xb80d0120 0x00000000 0x00000000 0x10000000 ]\n" },
        /* nft: fib daddr type local */
        { FAMILY_IPV4, "-A INPUT -m addrtype --dst-type LOCAL",
          "[ fib daddr type => reg 1 ]\n"
          "[ cmp eq reg 1 0x00000002 ]\n" },
        /* nft: fib daddr . iif type != local */
        { FAMILY_IPV4, "-A INPUT -m addrtype ! --dst-type LOCAL --limit-iface-in",
          "[ fib daddr . iif type => reg 1 ]\n"
          "[ cmp neq reg 1 0x00000002 ]\n" },
        /*
         * nft: fib saddr type { unicast, local } fib daddr type broadcast
         * (iptables-translate drops the --dst-type here, xt_addrtype tests both)
         */
        { FAMILY_IPV4, "-A INPUT -m addrtype --src-type UNICAST,LOCAL --dst-type BROADCAST",
          "[ fib saddr type => reg 1 ]\n"
          "[ lookup reg 1 set set0 ]\n"
          "[ fib daddr type => reg 1 ]\n"
          "[ cmp eq reg 1 0x00000003 ]\n",
          "element 00000001  : 0 [end]\telement 00000002  : 0 [end]" },
        /* nft: fib saddr . oif type != { unicast, local } */
        { FAMILY_IPV4, "-A OUTPUT -m addrtype ! --src-type UNICAST,LOCAL --limit-iface-out",
          "[ fib saddr . oif type => reg 1 ]\n"
          "[ lookup reg 1 set set0 0x1 ]\n",
          "element 00000001  : 0 [end]\telement 00000002  : 0 [end]" },
        /* IPv6 route types: fib type, UNREACHABLE being every failed lookup */
        { FAMILY_IPV6, "-A INPUT -m addrtype --dst-type LOCAL",
          "[ fib daddr type => reg 1 ]\n"
          "[ cmp eq reg 1 0x00000002 ]\n" },
        { FAMILY_IPV6, "-A INPUT -m addrtype ! --src-type LOCAL,ANYCAST",
          "[ fib saddr type => reg 1 ]\n"
          "[ lookup reg 1 set set0 0x1 ]\n",
          "element 00000002  : 0 [end]\telement 00000004  : 0 [end]" },
        /* IPv6 address classes: ip6 daddr & ff00:: == ff00:: is one byte; ANDed with the route types */
        { FAMILY_IPV6, "-A INPUT -m addrtype --dst-type LOCAL,MULTICAST --limit-iface-in",
          "[ payload load 1b @ network header + 24 => reg 1 ]\n"
          "[ cmp eq reg 1 0x000000ff ]\n"
          "[ fib daddr . iif type => reg 1 ]\n"
          "[ cmp eq reg 1 0x00000002 ]\n" },
        { FAMILY_IPV6, "-A INPUT -m addrtype ! --src-type UNSPEC",
          "[ payload load 16b @ network header + 8 => reg 1 ]\n"
          "[ cmp neq reg 1 0x00000000 0x00000000 0x00000000 0x00000000 ]\n" },
        /* nft: ip6 saddr != { ::, ::ffff:0.0.0.0/96, ff00::/8 } */
        { FAMILY_IPV6, "-A INPUT -m addrtype --src-type UNICAST",
          "[ payload load 16b @ network header + 8 => reg 1 ]\n"
          "[ lookup reg 1 set set0 0x1 ]\n",
          "element 00000000 00000000 00000000 00000000  : 0 [end]\t"
          "element 00000000 00000000 00000000 01000000  : 1 [end]\t"
          "element 00000000 00000000 ffff0000 00000000  : 0 [end]\t"
          "element 00000000 00000000 00000100 00000000  : 1 [end]\t"
          "element 000000ff 00000000 00000000 00000000  : 0 [end]" },
        /* nft: ether saddr 00:11:22:33:44:55 */
        { FAMILY_IPV4, "-A INPUT -m mac --mac-source 00:11:22:33:44:55",
          "[ meta load iiftype => reg 1 ]\n"
          "[ cmp eq reg 1 0x00000001 ]\n"
          "[ payload load 6b @ link header + 6 => reg 1 ]\n"
          "[ cmp eq reg 1 0x33221100 0x00005544 ]\n" },
        /* nft: ether saddr != 00:11:22:33:44:55 */
        { FAMILY_IPV6, "-A FORWARD -m mac ! --mac-source 00:11:22:33:44:55",
          "[ meta load iiftype => reg 1 ]\n"
          "[ cmp eq reg 1 0x00000001 ]\n"
          "[ payload load 6b @ link header + 6 => reg 1 ]\n"
          "[ cmp neq reg 1 0x33221100 0x00005544 ]\n" },
        /* nft: pkttype broadcast; pkttype != 3 */
        { FAMILY_IPV4, "-A INPUT -m pkttype --pkt-type broadcast",
          "[ meta load pkttype => reg 1 ]\n"
          "[ cmp eq reg 1 0x00000001 ]\n" },
        { FAMILY_IPV4, "-A INPUT -m pkttype ! --pkt-type otherhost",
          "[ meta load pkttype => reg 1 ]\n"
          "[ cmp neq reg 1 0x00000003 ]\n" },
        /* nft: meta length 100-200; meta length != 100-200; meta length != 100 */
        { FAMILY_IPV4, "-A INPUT -m length --length 100:200",
          "[ meta load len => reg 1 ]\n"
          "[ byteorder reg 1 = hton(reg 1, 4, 4) ]\n"
          "[ cmp gte reg 1 0x64000000 ]\n"
          "[ cmp lte reg 1 0xc8000000 ]\n" },
        { FAMILY_IPV6, "-A INPUT -m length ! --length 100:200",
          "[ meta load len => reg 1 ]\n"
          "[ byteorder reg 1 = hton(reg 1, 4, 4) ]\n"
          "[ range neq reg 1 0x64000000 0xc8000000 ]\n" },
        { FAMILY_IPV4, "-A INPUT -m length ! --length 100",
          "[ meta load len => reg 1 ]\n"
          "[ cmp neq reg 1 0x00000064 ]\n" },
        /* nft: ip ttl 5; ip ttl != 5; ip ttl lt 5; ip ttl gt 5 */
        { FAMILY_IPV4, "-A INPUT -m ttl --ttl-eq 5",
          "[ payload load 1b @ network header + 8 => reg 1 ]\n"
          "[ cmp eq reg 1 0x00000005 ]\n" },
        { FAMILY_IPV4, "-A INPUT -m ttl ! --ttl-eq 5",
          "[ payload load 1b @ network header + 8 => reg 1 ]\n"
          "[ cmp neq reg 1 0x00000005 ]\n" },
        { FAMILY_IPV4, "-A INPUT -m ttl --ttl-lt 5",
          "[ payload load 1b @ network header + 8 => reg 1 ]\n"
          "[ cmp lt reg 1 0x00000005 ]\n" },
        { FAMILY_IPV4, "-A INPUT -m ttl --ttl-gt 5",
          "[ payload load 1b @ network header + 8 => reg 1 ]\n"
          "[ cmp gt reg 1 0x00000005 ]\n" },
        /* nft: ip6 hoplimit 5 */
        { FAMILY_IPV6, "-A INPUT -m hl --hl-eq 5",
          "[ payload load 1b @ network header + 7 => reg 1 ]\n"
          "[ cmp eq reg 1 0x00000005 ]\n" },
        /* nft: ip dscp 0x0a; ip dscp != 0x0a; ip6 dscp 0x0a */
        { FAMILY_IPV4, "-A INPUT -m dscp --dscp 0x0a",
          "[ payload load 1b @ network header + 1 => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x000000fc ) ^ 0x00000000 ]\n"
          "[ cmp eq reg 1 0x00000028 ]\n" },
        { FAMILY_IPV4, "-A INPUT -m dscp ! --dscp 0x0a",
          "[ payload load 1b @ network header + 1 => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x000000fc ) ^ 0x00000000 ]\n"
          "[ cmp neq reg 1 0x00000028 ]\n" },
        { FAMILY_IPV6, "-A INPUT -m dscp --dscp 0x0a",
          "[ payload load 2b @ network header + 0 => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x0000c00f ) ^ 0x00000000 ]\n"
          "[ cmp eq reg 1 0x00008002 ]\n" },
        /* TOS has no nft form (iptables-translate cannot): ip dscp's shape with TOS's mask, none for 0xff */
        { FAMILY_IPV4, "-A INPUT -m tos --tos 0x10/0x3f",
          "[ payload load 1b @ network header + 1 => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x0000003f ) ^ 0x00000000 ]\n"
          "[ cmp eq reg 1 0x00000010 ]\n" },
        { FAMILY_IPV4, "-A INPUT -m tos ! --tos 0x10",
          "[ payload load 1b @ network header + 1 => reg 1 ]\n"
          "[ cmp neq reg 1 0x00000010 ]\n" },
        { FAMILY_IPV6, "-A INPUT -m tos --tos 0xb8/0xfc",
          "[ payload load 2b @ network header + 0 => reg 1 ]\n"
          "[ bitwise reg 1 = ( reg 1 & 0x0000c00f ) ^ 0x00000000 ]\n"
          "[ cmp eq reg 1 0x0000800b ]\n" },
        /* nft: skuid 10; skuid 10-20; skgid != 10-20 */
        { FAMILY_IPV4, "-A OUTPUT -m owner --uid-owner 10",
          "[ meta load skuid => reg 1 ]\n"
          "[ cmp eq reg 1 0x0000000a ]\n" },
        { FAMILY_IPV4, "-A OUTPUT -m owner --uid-owner 10-20 ! --gid-owner 10-20",
          "[ meta load skuid => reg 1 ]\n"
          "[ byteorder reg 1 = hton(reg 1, 4, 4) ]\n"
          "[ cmp gte reg 1 0x0a000000 ]\n"
          "[ cmp lte reg 1 0x14000000 ]\n"
          "[ meta load skgid => reg 1 ]\n"
          "[ byteorder reg 1 = hton(reg 1, 4, 4) ]\n"
          "[ range neq reg 1 0x0a000000 0x14000000 ]\n" },
        /* --socket-exists next to a positive id test: implied by it, kept as a bare load */
        { FAMILY_IPV6, "*mangle\n-A POSTROUTING -m owner --socket-exists --gid-owner 0",
          "[ meta load skuid => reg 1 ]\n"
          "[ meta load skgid => reg 1 ]\n"
          "[ cmp eq reg 1 0x00000000 ]\n" },
};

static char *case_text(const char *rule) {
        char *text = NULL;

        if (rule[0] == '*')
                ck_assert_int_gt(asprintf(&text, "%s\nCOMMIT\n", rule), 0);
        else
                ck_assert_int_gt(asprintf(&text, "*filter\n%s\nCOMMIT\n", rule), 0);
        return text;
}

/* The text of the rule's match blocks (one expression a line) and of the elements of its set. */
static void rule_block_text(const struct nftnl_rule *nr, const NftCompileContext *ctx, char **ret_blocks,
                            char **ret_set) {
        struct nftnl_set_list *sets = compiled_sets(ctx);
        struct nftnl_set_list_iter *it;
        struct nftnl_set *set;
        size_t n_lines, end;
        RuleExprs re;

        rule_exprs(nr, &re);
        end = nft_layout_n_exprs(&re.layout) - 1; /* without the counter */
        for (unsigned i = 0; i < re.layout.n_blocks; i++)
                if (re.layout.blocks[i].target)
                        end -= re.layout.blocks[i].n_exprs;
        *ret_blocks = expr_lines(nr, re.layout.n_core, end, &n_lines);

        *ret_set = NULL;
        it = nftnl_set_list_iter_create(sets);
        ck_assert_ptr_nonnull(it);
        while ((set = nftnl_set_list_iter_next(it))) {
                char set_text[4096], *elements;
                ck_assert_ptr_null(*ret_set);
                ck_assert_int_gt(nftnl_set_snprintf(set_text, sizeof(set_text), set, NFTNL_OUTPUT_DEFAULT, 0), 0);
                elements = strstr(set_text, "element");
                *ret_set = strdup(elements ? elements : "");
                /* the trailing blanks nftnl writes after the last element */
                for (size_t n = strlen(*ret_set); n > 0 && strchr(" \t\n", (*ret_set)[n - 1]); n--)
                        (*ret_set)[n - 1] = 0;
        }
        nftnl_set_list_iter_destroy(it);
        nftnl_set_list_free(sets);
}

START_TEST(test_expression_text) {
        const TextCase *tc = &text_cases[_i];
        _cleanup_free_ char *text = case_text(tc->rule), *blocks = NULL, *set = NULL;
        _cleanup_(ruleset_freep) Ruleset *rs = parse_text(text, tc->family);
        _cleanup_(nft_compile_context_freep) NftCompileContext *ctx = NULL;
        NftBatch batch = NFT_BATCH_INIT;
        DiagList diags = DIAG_LIST_INIT;
        struct nftnl_rule *nr = NULL;
        const Table *t;
        const Chain *c;
        const Rule *rule = only_rule(rs, tc->family, &t, &c);
        int r;

        ck_assert_int_eq(nft_compile_context_new(t, &batch, &diags, &ctx), 0);
        r = nft_compile_rule(ctx, c, rule, &nr);
        if (r < 0) {
                _cleanup_free_ char *msg = diags_text(&diags);
                ck_abort_msg("does not compile (%d):\n%s%s", r, text, strempty(msg));
        }
        rule_block_text(nr, ctx, &blocks, &set);
        if (!streq(blocks, tc->want))
                ck_abort_msg("%s--- want ---\n%s--- got ---\n%s", text, tc->want, blocks);
        if (tc->set || set)
                ck_assert_msg(tc->set && set && streq(set, tc->set), "%s: set elements\nwant: %s\ngot:  %s", text,
                              strempty(tc->set), strempty(set));
        /* and it decompiles */
        ck_assert_uint_eq(check_blocks(t, rule, nr, ctx), 1);
        nftnl_rule_free(nr);
        nft_batch_deinit(&batch);
        diag_list_deinit(&diags);
}
END_TEST

/* ---- Refusals ---- */

typedef struct RefuseCase {
        Family family;
        const char *rule;
        const char *message;            /* a part of the diagnostic */
} RefuseCase;

static const RefuseCase refuse_cases[] = {
        { FAMILY_IPV4, "-A INPUT -m comment --comment a -m comment --comment b", "one comment per rule" },
        { FAMILY_IPV4, "-A OUTPUT -m owner ! --uid-owner 1000", "without a socket" },
        { FAMILY_IPV4, "-A OUTPUT -m owner ! --uid-owner 1000 ! --gid-owner 5", "without a socket" },
        { FAMILY_IPV6, "-A OUTPUT -m owner --socket-exists ! --gid-owner 5", "without a socket" },
        { FAMILY_IPV4, "-A OUTPUT -m owner --socket-exists", "kernel's own" },
        { FAMILY_IPV6, "-A INPUT -m addrtype ! --dst-type LOCAL,MULTICAST", "negate only one test" },
        { FAMILY_IPV6, "-A INPUT -m addrtype ! --src-type UNICAST,UNSPEC", "negate only one test" },
        { FAMILY_IPV6, "-A INPUT -m addrtype --dst-type MULTICAST --limit-iface-in", "--limit-iface-in" },
        { FAMILY_IPV6, "-A OUTPUT -m addrtype --dst-type UNICAST --limit-iface-out", "--limit-iface-out" },
        { FAMILY_IPV6, "-A INPUT -m addrtype --dst-type UNREACHABLE", "disagree" },
        { FAMILY_IPV6, "-A INPUT -m addrtype --src-type LOCAL,UNREACHABLE --limit-iface-in", "disagree" },
        { FAMILY_IPV6, "-A INPUT -m addrtype --dst-type LOCAL,ANYCAST --limit-iface-in", "bound to the interface" },
};

START_TEST(test_refused) {
        const RefuseCase *rc = &refuse_cases[_i];
        _cleanup_free_ char *text = case_text(rc->rule);
        _cleanup_(ruleset_freep) Ruleset *rs = parse_text(text, rc->family);
        _cleanup_(nft_compile_context_freep) NftCompileContext *ctx = NULL;
        NftBatch batch = NFT_BATCH_INIT;
        DiagList diags = DIAG_LIST_INIT;
        struct nftnl_rule *nr = NULL;
        const Table *t;
        const Chain *c;
        const Rule *rule = only_rule(rs, rc->family, &t, &c);
        const Match *last = rule->matches;

        while (last->next)
                last = last->next;
        ck_assert_int_eq(nft_compile_context_new(t, &batch, &diags, &ctx), 0);
        ck_assert_int_eq(nft_compile_rule(ctx, c, rule, &nr), -EOPNOTSUPP);
        ck_assert_ptr_null(nr);
        ck_assert_uint_eq(diags.n_items, 1);
        ck_assert_int_eq(diags.items[0].code, DIAG_UNSUPPORTED);
        ck_assert_int_eq(diags.items[0].level, DIAG_ERROR);
        ck_assert_uint_eq(diags.items[0].line, rule->loc.line);
        ck_assert_uint_eq(diags.items[0].column, last->column);
        ck_assert_msg(strstr(diags.items[0].message, rc->message), "message \"%s\" lacks \"%s\"",
                      diags.items[0].message, rc->message);
        ck_assert_ptr_eq(expect_unsupported(rc->family, rule), last);
        ck_assert_uint_eq(batch.n_messages, 0);
        nft_batch_deinit(&batch);
        diag_list_deinit(&diags);
}
END_TEST

/* ---- limit: the avg <-> rate/unit round trip ---- */

static uint32_t limit_normalise(uint32_t avg) {
        uint32_t rate, unit;

        match_limit_rate(&(MatchLimit){ .avg = avg }, &rate, &unit);
        return match_limit_avg(rate, unit);
}

/*
 * Every period --limit can give: LIMIT_SCALE * unit / rate for each unit
 * and rate. Below sqrt(LIMIT_SCALE * unit), every value is one of them,
 * so rates up to 30000 and all periods up to 30000 cover all of them.
 */
START_TEST(test_limit_lossless) {
        static const uint32_t units[] = { 1, 60, 60 * 60, 24 * 60 * 60 };
        unsigned changed = 0;

        for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++)
                for (uint32_t rate = 1; rate <= 30000; rate++) {
                        uint32_t avg = match_limit_avg(rate, units[u]), norm, r1, u1, r2, u2;

                        if (avg == 0)
                                break;
                        norm = limit_normalise(avg);
                        changed += norm != avg;
                        /* the print does not change, and the normalised period is a fixed point */
                        match_limit_rate(&(MatchLimit){ .avg = avg }, &r1, &u1);
                        match_limit_rate(&(MatchLimit){ .avg = norm }, &r2, &u2);
                        ck_assert_uint_eq(r1, r2);
                        ck_assert_uint_eq(u1, u2);
                        ck_assert_uint_eq(limit_normalise(norm), norm);
                }
        for (uint32_t avg = 1; avg <= 30000; avg++) {
                uint32_t norm = limit_normalise(avg);
                changed += norm != avg;
                ck_assert_uint_eq(limit_normalise(norm), norm);
        }
        ck_assert_uint_gt(changed, 0);
}
END_TEST

/* What the parser keeps is what decompile gives back, for rates where the print loses precision. */
START_TEST(test_limit_parse_normalises) {
        static const struct {
                const char *rate;
                uint32_t avg;
                const char *print;
        } cases[] = {
                { "4838/min", 125, "80/sec" },
                { "3000/sec", 3, "3333/sec" },
                { "120/min", 5000, "2/sec" },
                { "86405/day", 10000, "1/sec" },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                _cleanup_free_ char *rule = NULL, *text = NULL;
                _cleanup_(ruleset_freep) Ruleset *rs = NULL;
                StrBuf out = STRBUF_INIT;
                const Table *t;
                const Chain *c;
                const Rule *r;

                ck_assert_int_gt(asprintf(&rule, "-A INPUT -m limit --limit %s", cases[i].rate), 0);
                text = case_text(rule);
                rs = parse_text(text, FAMILY_IPV4);
                r = only_rule(rs, FAMILY_IPV4, &t, &c);
                ck_assert_uint_eq(((const MatchLimit *)match_data(r->matches))->avg, cases[i].avg);
                ruleset_print_save(rs, FAMILY_IPV4, 0, &out);
                ck_assert_ptr_nonnull(strstr(strbuf_str(&out), cases[i].print));
                strbuf_deinit(&out);
        }
}
END_TEST

/* ---- The decoders refuse what they did not write ---- */

static int decode(MatchType type, Family family, struct nftnl_expr **exprs, size_t n, void *payload) {
        NftExprReader rd = { .exprs = (const struct nftnl_expr *const *)exprs, .n_exprs = n, .family = family };
        int r;

        memset(payload, 0, 512);
        r = nft_codec_for_match(type)->decompile(&rd, payload);
        for (size_t i = 0; i < n; i++)
                nftnl_expr_free(exprs[i]);
        return r < 0 || nft_read_done(&rd) ? r : -EBADMSG;
}

static struct nftnl_expr *limit(uint64_t rate, uint64_t unit, uint32_t burst, uint32_t type, uint32_t flags) {
        struct nftnl_expr *e = nftnl_expr_alloc("limit");

        nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, rate);
        nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, unit);
        nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_BURST, burst);
        nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_TYPE, type);
        nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_FLAGS, flags);
        return e;
}

static struct nftnl_expr *payload(uint32_t base, uint32_t offset, uint32_t len) {
        struct nftnl_expr *e = nftnl_expr_alloc("payload");

        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
        return e;
}

static struct nftnl_expr *meta(uint32_t key) {
        struct nftnl_expr *e = nftnl_expr_alloc("meta");

        nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
        nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
        return e;
}

static struct nftnl_expr *cmp(uint32_t op, const void *data, uint32_t len) {
        struct nftnl_expr *e = nftnl_expr_alloc("cmp");

        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
        nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
        return e;
}

static struct nftnl_expr *bitwise(const void *mask, const void *xor, uint32_t len) {
        struct nftnl_expr *e = nftnl_expr_alloc("bitwise");

        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
        nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
        nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, xor, len);
        return e;
}

static struct nftnl_expr *fib(uint32_t flags, uint32_t result) {
        struct nftnl_expr *e = nftnl_expr_alloc("fib");

        nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, flags);
        nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, result);
        nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
        return e;
}

static struct nftnl_expr *hton(uint32_t len) {
        struct nftnl_expr *e = nftnl_expr_alloc("byteorder");

        nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_DREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_OP, NFT_BYTEORDER_HTON);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_LEN, len);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SIZE, len);
        return e;
}

START_TEST(test_foreign_expressions) {
        static const uint8_t ff = 0xff, five = 5, zero8 = 0, mask3f = 0x3f, ten = 10, dscp_mask = 0xfc,
                             low_bits = 0x29, mac[6] = { 0, 1, 2, 3, 4, 5 };
        static const uint16_t ether = 1, not_ether = 772;
        uint32_t u5 = 5, u7 = 7, u2 = 2, u16 = 16, be10 = htonl(10), be20 = htonl(20);
        _Alignas(8) uint8_t p[512];
        struct nftnl_expr *e[6];

        /* limit: what we write decodes; another unit, type, flag or a rate no avg gives does not */
        e[0] = limit(5, 1, 10, NFT_LIMIT_PKTS, 0);
        ck_assert_int_eq(decode(MATCH_LIMIT, FAMILY_IPV4, e, 1, p), 0);
        ck_assert_uint_eq(((MatchLimit *)p)->avg, 2000);
        ck_assert_uint_eq(((MatchLimit *)p)->burst, 10);
        e[0] = limit(5, 7, 10, NFT_LIMIT_PKTS, 0);
        ck_assert_int_eq(decode(MATCH_LIMIT, FAMILY_IPV4, e, 1, p), -EBADMSG);
        e[0] = limit(5, 1, 10, NFT_LIMIT_PKT_BYTES, 0);
        ck_assert_int_eq(decode(MATCH_LIMIT, FAMILY_IPV4, e, 1, p), -EBADMSG);
        e[0] = limit(5, 1, 10, NFT_LIMIT_PKTS, NFT_LIMIT_F_INV);
        ck_assert_int_eq(decode(MATCH_LIMIT, FAMILY_IPV4, e, 1, p), -EBADMSG);
        e[0] = limit(5, 1, 0, NFT_LIMIT_PKTS, 0);
        ck_assert_int_eq(decode(MATCH_LIMIT, FAMILY_IPV4, e, 1, p), -EBADMSG);
        /* 120/minute: iptables would have written 2/second */
        e[0] = limit(120, 60, 5, NFT_LIMIT_PKTS, 0);
        ck_assert_int_eq(decode(MATCH_LIMIT, FAMILY_IPV4, e, 1, p), -EBADMSG);
        e[0] = limit(10001, 1, 5, NFT_LIMIT_PKTS, 0);
        ck_assert_int_eq(decode(MATCH_LIMIT, FAMILY_IPV4, e, 1, p), -EBADMSG);

        /* comment: only from userdata, and it takes no expression */
        ck_assert_int_eq(decode(MATCH_COMMENT, FAMILY_IPV4, e, 0, p), -EBADMSG);

        /* ttl: lte is not a mode; hl's offset is not ttl's */
        e[0] = payload(NFT_PAYLOAD_NETWORK_HEADER, 8, 1);
        e[1] = cmp(NFT_CMP_LTE, &five, 1);
        ck_assert_int_eq(decode(MATCH_TTL, FAMILY_IPV4, e, 2, p), -EBADMSG);
        e[0] = payload(NFT_PAYLOAD_NETWORK_HEADER, 7, 1);
        e[1] = cmp(NFT_CMP_EQ, &five, 1);
        ck_assert_int_eq(decode(MATCH_TTL, FAMILY_IPV4, e, 2, p), -EBADMSG);
        e[0] = payload(NFT_PAYLOAD_NETWORK_HEADER, 7, 1);
        e[1] = cmp(NFT_CMP_GT, &five, 1);
        ck_assert_int_eq(decode(MATCH_HL, FAMILY_IPV6, e, 2, p), 0);
        ck_assert_uint_eq(((MatchTtl *)p)->mode, TTL_MATCH_GT);

        /* mac: no device type test, another device type, or an lt */
        e[0] = payload(NFT_PAYLOAD_LL_HEADER, 6, 6);
        e[1] = cmp(NFT_CMP_EQ, mac, 6);
        ck_assert_int_eq(decode(MATCH_MAC, FAMILY_IPV4, e, 2, p), -EBADMSG);
        e[0] = meta(NFT_META_IIFTYPE);
        e[1] = cmp(NFT_CMP_EQ, &not_ether, 2);
        e[2] = payload(NFT_PAYLOAD_LL_HEADER, 6, 6);
        e[3] = cmp(NFT_CMP_EQ, mac, 6);
        ck_assert_int_eq(decode(MATCH_MAC, FAMILY_IPV4, e, 4, p), -EBADMSG);
        e[0] = meta(NFT_META_IIFTYPE);
        e[1] = cmp(NFT_CMP_EQ, &ether, 2);
        e[2] = payload(NFT_PAYLOAD_LL_HEADER, 6, 6);
        e[3] = cmp(NFT_CMP_LT, mac, 6);
        ck_assert_int_eq(decode(MATCH_MAC, FAMILY_IPV4, e, 4, p), -EBADMSG);

        /* tos: a bitwise with mask 0xff is never ours (no bitwise then); a xor is never ours */
        e[0] = payload(NFT_PAYLOAD_NETWORK_HEADER, 1, 1);
        e[1] = bitwise(&ff, &zero8, 1);
        e[2] = cmp(NFT_CMP_EQ, &ten, 1);
        ck_assert_int_eq(decode(MATCH_TOS, FAMILY_IPV4, e, 3, p), -EBADMSG);
        e[0] = payload(NFT_PAYLOAD_NETWORK_HEADER, 1, 1);
        e[1] = bitwise(&mask3f, &mask3f, 1);
        e[2] = cmp(NFT_CMP_EQ, &ten, 1);
        ck_assert_int_eq(decode(MATCH_TOS, FAMILY_IPV4, e, 3, p), -EBADMSG);
        e[0] = payload(NFT_PAYLOAD_NETWORK_HEADER, 1, 1);
        e[1] = bitwise(&mask3f, &zero8, 1);
        e[2] = cmp(NFT_CMP_NEQ, &ten, 1);
        ck_assert_int_eq(decode(MATCH_TOS, FAMILY_IPV4, e, 3, p), 0);
        ck_assert(((MatchTos *)p)->invert);
        ck_assert_uint_eq(((MatchTos *)p)->mask, 0x3f);
        /* dscp: the two ECN bits set in the value, or another mask */
        e[0] = payload(NFT_PAYLOAD_NETWORK_HEADER, 1, 1);
        e[1] = bitwise(&dscp_mask, &zero8, 1);
        e[2] = cmp(NFT_CMP_EQ, &low_bits, 1);
        ck_assert_int_eq(decode(MATCH_DSCP, FAMILY_IPV4, e, 3, p), -EBADMSG);
        e[0] = payload(NFT_PAYLOAD_NETWORK_HEADER, 1, 1);
        e[1] = bitwise(&mask3f, &zero8, 1);
        e[2] = cmp(NFT_CMP_EQ, &ten, 1);
        ck_assert_int_eq(decode(MATCH_DSCP, FAMILY_IPV4, e, 3, p), -EBADMSG);

        /* length: one value written as a range, or a range without the byteorder */
        e[0] = meta(NFT_META_LEN);
        e[1] = hton(4);
        e[2] = cmp(NFT_CMP_GTE, &be10, 4);
        e[3] = cmp(NFT_CMP_LTE, &be10, 4);
        ck_assert_int_eq(decode(MATCH_LENGTH, FAMILY_IPV4, e, 4, p), -EBADMSG);
        e[0] = meta(NFT_META_LEN);
        e[1] = cmp(NFT_CMP_GTE, &be10, 4);
        e[2] = cmp(NFT_CMP_LTE, &be20, 4);
        ck_assert_int_eq(decode(MATCH_LENGTH, FAMILY_IPV4, e, 3, p), -EBADMSG);
        e[0] = meta(NFT_META_LEN);
        e[1] = hton(4);
        e[2] = cmp(NFT_CMP_GTE, &be10, 4);
        e[3] = cmp(NFT_CMP_LTE, &be20, 4);
        ck_assert_int_eq(decode(MATCH_LENGTH, FAMILY_IPV4, e, 4, p), 0);
        ck_assert_uint_eq(((MatchLength *)p)->min, 10);
        ck_assert_uint_eq(((MatchLength *)p)->max, 20);
        /* a length a 16-bit --length cannot say */
        e[0] = meta(NFT_META_LEN);
        e[1] = cmp(NFT_CMP_EQ, &(uint32_t){ 70000 }, 4);
        ck_assert_int_eq(decode(MATCH_LENGTH, FAMILY_IPV4, e, 2, p), -EBADMSG);

        /* owner: only a negated test (we refuse to write it), or gid before uid */
        e[0] = meta(NFT_META_SKUID);
        e[1] = cmp(NFT_CMP_NEQ, &u5, 4);
        ck_assert_int_eq(decode(MATCH_OWNER, FAMILY_IPV4, e, 2, p), -EBADMSG);
        e[0] = meta(NFT_META_SKGID);
        e[1] = cmp(NFT_CMP_EQ, &u5, 4);
        e[2] = meta(NFT_META_SKUID);
        e[3] = cmp(NFT_CMP_EQ, &u7, 4);
        ck_assert_int_eq(decode(MATCH_OWNER, FAMILY_IPV4, e, 4, p), -EBADMSG);
        e[0] = meta(NFT_META_SKUID);
        ck_assert_int_eq(decode(MATCH_OWNER, FAMILY_IPV4, e, 1, p), -EBADMSG);
        e[0] = meta(NFT_META_SKUID);
        e[1] = meta(NFT_META_SKGID);
        e[2] = cmp(NFT_CMP_EQ, &u5, 4);
        ck_assert_int_eq(decode(MATCH_OWNER, FAMILY_IPV4, e, 3, p), 0);
        ck_assert_uint_eq(((MatchOwner *)p)->match, OWNER_SOCKET | OWNER_GID);

        /* addrtype: fib's oif result, both interfaces, destination before source, no flags at all */
        e[0] = fib(NFTA_FIB_F_DADDR, NFT_FIB_RESULT_OIF);
        e[1] = cmp(NFT_CMP_EQ, &u2, 4);
        ck_assert_int_eq(decode(MATCH_ADDRTYPE, FAMILY_IPV4, e, 2, p), -EBADMSG);
        e[0] = fib(NFTA_FIB_F_DADDR | NFTA_FIB_F_IIF | NFTA_FIB_F_OIF, NFT_FIB_RESULT_ADDRTYPE);
        e[1] = cmp(NFT_CMP_EQ, &u2, 4);
        ck_assert_int_eq(decode(MATCH_ADDRTYPE, FAMILY_IPV4, e, 2, p), -EBADMSG);
        e[0] = fib(NFTA_FIB_F_DADDR, NFT_FIB_RESULT_ADDRTYPE);
        e[1] = cmp(NFT_CMP_EQ, &u2, 4);
        e[2] = fib(NFTA_FIB_F_SADDR, NFT_FIB_RESULT_ADDRTYPE);
        e[3] = cmp(NFT_CMP_EQ, &u2, 4);
        ck_assert_int_eq(decode(MATCH_ADDRTYPE, FAMILY_IPV4, e, 4, p), -EBADMSG);
        /* an interface on one test only */
        e[0] = fib(NFTA_FIB_F_SADDR | NFTA_FIB_F_IIF, NFT_FIB_RESULT_ADDRTYPE);
        e[1] = cmp(NFT_CMP_EQ, &u2, 4);
        e[2] = fib(NFTA_FIB_F_DADDR, NFT_FIB_RESULT_ADDRTYPE);
        e[3] = cmp(NFT_CMP_EQ, &u2, 4);
        ck_assert_int_eq(decode(MATCH_ADDRTYPE, FAMILY_IPV4, e, 4, p), -EBADMSG);
        /* a type beyond XRESOLVE */
        e[0] = fib(NFTA_FIB_F_SADDR, NFT_FIB_RESULT_ADDRTYPE);
        e[1] = cmp(NFT_CMP_EQ, &u16, 4);
        ck_assert_int_eq(decode(MATCH_ADDRTYPE, FAMILY_IPV4, e, 2, p), -EBADMSG);
        /* IPv6: route types compile does not write (UNREACHABLE, BROADCAST), ANYCAST with an interface */
        e[0] = fib(NFTA_FIB_F_SADDR, NFT_FIB_RESULT_ADDRTYPE);
        e[1] = cmp(NFT_CMP_EQ, &u7, 4);
        ck_assert_int_eq(decode(MATCH_ADDRTYPE, FAMILY_IPV6, e, 2, p), -EBADMSG);
        e[0] = fib(NFTA_FIB_F_SADDR, NFT_FIB_RESULT_ADDRTYPE);
        e[1] = cmp(NFT_CMP_EQ, &(uint32_t){ RTN_BROADCAST }, 4);
        ck_assert_int_eq(decode(MATCH_ADDRTYPE, FAMILY_IPV6, e, 2, p), -EBADMSG);
        e[0] = fib(NFTA_FIB_F_SADDR | NFTA_FIB_F_IIF, NFT_FIB_RESULT_ADDRTYPE);
        e[1] = cmp(NFT_CMP_EQ, &(uint32_t){ RTN_ANYCAST }, 4);
        ck_assert_int_eq(decode(MATCH_ADDRTYPE, FAMILY_IPV6, e, 2, p), -EBADMSG);
        e[0] = fib(NFTA_FIB_F_SADDR | NFTA_FIB_F_IIF, NFT_FIB_RESULT_ADDRTYPE);
        e[1] = cmp(NFT_CMP_EQ, &(uint32_t){ RTN_LOCAL }, 4);
        ck_assert_int_eq(decode(MATCH_ADDRTYPE, FAMILY_IPV6, e, 2, p), 0);
        ck_assert_uint_eq(((MatchAddrtype *)p)->flags, ADDRTYPE_LIMIT_IFACE_IN);
        /* IPv6 classes: a second test in a negated direction, a multicast test on another byte */
        e[0] = payload(NFT_PAYLOAD_NETWORK_HEADER, 24, 1);
        e[1] = cmp(NFT_CMP_NEQ, &ff, 1);
        e[2] = fib(NFTA_FIB_F_DADDR, NFT_FIB_RESULT_ADDRTYPE);
        e[3] = cmp(NFT_CMP_EQ, &u2, 4);
        ck_assert_int_eq(decode(MATCH_ADDRTYPE, FAMILY_IPV6, e, 4, p), -EBADMSG);
        e[0] = payload(NFT_PAYLOAD_NETWORK_HEADER, 25, 1);
        e[1] = cmp(NFT_CMP_EQ, &ff, 1);
        ck_assert_int_eq(decode(MATCH_ADDRTYPE, FAMILY_IPV6, e, 2, p), -EBADMSG);
        e[0] = payload(NFT_PAYLOAD_NETWORK_HEADER, 24, 1);
        e[1] = cmp(NFT_CMP_EQ, &ff, 1);
        e[2] = fib(NFTA_FIB_F_DADDR, NFT_FIB_RESULT_ADDRTYPE);
        e[3] = cmp(NFT_CMP_EQ, &u2, 4);
        ck_assert_int_eq(decode(MATCH_ADDRTYPE, FAMILY_IPV6, e, 4, p), 0);
        ck_assert_uint_eq(((MatchAddrtype *)p)->dst, 1u << ADDR_TYPE_MULTICAST | 1u << ADDR_TYPE_LOCAL);

        /* iprange: destination before source */
        e[0] = payload(NFT_PAYLOAD_NETWORK_HEADER, 16, 4);
        e[1] = cmp(NFT_CMP_GTE, &be10, 4);
        e[2] = cmp(NFT_CMP_LTE, &be20, 4);
        e[3] = payload(NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
        e[4] = cmp(NFT_CMP_GTE, &be10, 4);
        e[5] = cmp(NFT_CMP_LTE, &be20, 4);
        ck_assert_int_eq(decode(MATCH_IPRANGE, FAMILY_IPV4, e, 6, p), -EBADMSG);

        /* pkttype: an ordered compare */
        e[0] = meta(NFT_META_PKTTYPE);
        e[1] = cmp(NFT_CMP_GT, &zero8, 1);
        ck_assert_int_eq(decode(MATCH_PKTTYPE, FAMILY_IPV4, e, 2, p), -EBADMSG);
}
END_TEST

static Suite *nft_misc_suite(void) {
        Suite *s = suite_create("nft-misc");
        TCase *tc = tcase_create("codecs");

        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_golden_round_trip);
        tcase_add_loop_test(tc, test_expression_text, 0, sizeof(text_cases) / sizeof(text_cases[0]));
        tcase_add_loop_test(tc, test_refused, 0, sizeof(refuse_cases) / sizeof(refuse_cases[0]));
        tcase_add_test(tc, test_limit_lossless);
        tcase_add_test(tc, test_limit_parse_normalises);
        tcase_add_test(tc, test_foreign_expressions);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(nft_misc_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
