/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft-ext-misc: the small matches as nf_tables' own expressions, in the
 * encodings nft uses for what iptables-translate prints (checked with
 * nft --debug=netlink on 6.18):
 *
 *   limit     limit rate R/unit burst B packets (R/unit as iptables-nft derives them from avg)
 *   comment   nothing: the rule's userdata TLV 0
 *   iprange   payload nh, cmp gte + cmp lte (inverted: range neq), per address
 *   addrtype  fib saddr/daddr [. iif/oif] type, cmp or lookup in a set of types;
 *             IPv6's address classes (unspec, unicast, multicast) are payload tests
 *   mac       meta iiftype == ether, payload ll+6 (6 bytes), cmp
 *   pkttype   meta pkttype, cmp
 *   length    meta len, cmp (one value) or byteorder + cmp gte/lte (range neq)
 *   ttl, hl   payload nh+8 / nh+7, cmp eq/neq/lt/gt
 *   tos       payload nh+1 [bitwise mask], cmp; IPv6: the traffic class in nh+0..1
 *   dscp      payload, bitwise 0xfc (IPv6 0x0fc0 over two bytes), cmp
 *   owner     meta skuid / skgid, cmp or byteorder + cmp gte/lte (range neq)
 *
 * Each decompile reads back exactly that shape and nothing else. What
 * cannot be matched the way the xt match does is refused when compiling,
 * with the reason (see owner and addrtype).
 */

#include <arpa/inet.h>
#include <net/if_arp.h>
#include <string.h>

#include <linux/rtnetlink.h>

#include "ext-misc.h"
#include "nft-ext-list.h"

/* ---- shared shapes ---- */

static bool expr_is(const struct nftnl_expr *e, const char *name) {
        return streq(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), name);
}

static bool attr_u32_is(const struct nftnl_expr *e, uint16_t attr, uint32_t want) {
        return nftnl_expr_is_set(e, attr) && nftnl_expr_get_u32(e, attr) == want;
}

/* The expression after the next n, without moving; NULL past the end. */
static const struct nftnl_expr *peek(const NftExprReader *rd, size_t n) {
        return rd->pos + n < rd->n_exprs ? rd->exprs[rd->pos + n] : NULL;
}

static bool next_is(const NftExprReader *rd, const char *name) {
        const struct nftnl_expr *e = peek(rd, 0);
        return e && expr_is(e, name);
}

static uint32_t eq_op(bool invert) {
        return invert ? NFT_CMP_NEQ : NFT_CMP_EQ;
}

/* A cmp on NFT_REG_1 that must be eq or neq. */
static int read_cmp_eq(NftExprReader *rd, void *ret_data, uint32_t len, bool *ret_invert) {
        uint32_t op;
        int r;

        r = nft_read_cmp(rd, NFT_REG_1, &op, ret_data, len);
        if (r < 0)
                return r;
        if (op != NFT_CMP_EQ && op != NFT_CMP_NEQ)
                return -EBADMSG;
        *ret_invert = op == NFT_CMP_NEQ;
        return 0;
}

/*
 * from <= reg <= to, or its negation, on big-endian data: nft writes a
 * range as two cmps, and its negation as one range expression.
 */
static int build_range_test(NftRuleBuilder *b, const void *from, const void *to, uint32_t len, bool invert) {
        int r;

        if (invert)
                return nft_build_range(b, NFT_REG_1, NFT_RANGE_NEQ, from, to, len);
        r = nft_build_cmp(b, NFT_REG_1, NFT_CMP_GTE, from, len);
        return r < 0 ? r : nft_build_cmp(b, NFT_REG_1, NFT_CMP_LTE, to, len);
}

static int read_range_test(NftExprReader *rd, void *ret_from, void *ret_to, uint32_t len, bool *ret_invert) {
        uint32_t op;

        if (next_is(rd, "range")) {
                if (nft_read_range(rd, NFT_REG_1, &op, ret_from, ret_to, len) < 0 || op != NFT_RANGE_NEQ)
                        return -EBADMSG;
                *ret_invert = true;
                return 0;
        }
        if (nft_read_cmp(rd, NFT_REG_1, &op, ret_from, len) < 0 || op != NFT_CMP_GTE ||
            nft_read_cmp(rd, NFT_REG_1, &op, ret_to, len) < 0 || op != NFT_CMP_LTE)
                return -EBADMSG;
        *ret_invert = false;
        return 0;
}

/* Host-order 32-bit meta values become big endian before an ordered compare (cmp and range use memcmp). */
static int build_hton32(NftRuleBuilder *b) {
        struct nftnl_expr *e = nft_expr_new(b, "byteorder");

        if (!e)
                return -ENOMEM;
        nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_DREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_OP, NFT_BYTEORDER_HTON);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_LEN, 4);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SIZE, 4);
        return 0;
}

static int read_hton32(NftExprReader *rd) {
        const struct nftnl_expr *e = nft_read_expr(rd, "byteorder");

        if (!e || !attr_u32_is(e, NFTNL_EXPR_BYTEORDER_SREG, NFT_REG_1) ||
            !attr_u32_is(e, NFTNL_EXPR_BYTEORDER_DREG, NFT_REG_1) ||
            !attr_u32_is(e, NFTNL_EXPR_BYTEORDER_OP, NFT_BYTEORDER_HTON) ||
            !attr_u32_is(e, NFTNL_EXPR_BYTEORDER_LEN, 4) || !attr_u32_is(e, NFTNL_EXPR_BYTEORDER_SIZE, 4))
                return -EBADMSG;
        return 0;
}

/*
 * A 32-bit meta value (len, skuid, skgid) in [min, max]: one value is a
 * cmp on the host-order register, a range needs the byteorder first.
 * That is nft's encoding of "meta length 100" and "meta length 100-200".
 */
static int build_meta_u32_range(NftRuleBuilder *b, uint32_t key, uint32_t min, uint32_t max, bool invert) {
        uint32_t from = htonl(min), to = htonl(max);
        int r;

        r = nft_build_meta(b, key, NFT_REG_1);
        if (r < 0)
                return r;
        if (min == max)
                return nft_build_cmp(b, NFT_REG_1, eq_op(invert), &min, sizeof(min));
        r = build_hton32(b);
        return r < 0 ? r : build_range_test(b, &from, &to, sizeof(from), invert);
}

static int read_meta_u32_range(NftExprReader *rd, uint32_t key, uint32_t *ret_min, uint32_t *ret_max,
                               bool *ret_invert) {
        uint32_t from, to;

        if (nft_read_meta(rd, key, NFT_REG_1) < 0)
                return -EBADMSG;
        if (next_is(rd, "cmp")) {
                if (read_cmp_eq(rd, &from, sizeof(from), ret_invert) < 0)
                        return -EBADMSG;
                *ret_min = *ret_max = from;
                return 0;
        }
        if (read_hton32(rd) < 0 || read_range_test(rd, &from, &to, sizeof(from), ret_invert) < 0)
                return -EBADMSG;
        /* one value would have been a plain cmp */
        if (ntohl(from) >= ntohl(to))
                return -EBADMSG;
        *ret_min = ntohl(from);
        *ret_max = ntohl(to);
        return 0;
}

/* ---- limit ---- */

/*
 * iptables-nft hands the kernel rate and unit derived from xt_rateinfo's
 * avg (match_limit_rate()), and reads avg back as LIMIT_SCALE * unit /
 * rate. That round trip is lossless for every avg the parser keeps: it
 * normalises the few rates where it is not (see limit_parse_rate()).
 */
static int limit_compile(NftRuleBuilder *b, const void *data) {
        const MatchLimit *m = data;
        struct nftnl_expr *e;
        uint32_t rate, unit;

        if (m->avg == 0 || m->burst == 0)
                return nft_compile_unsupported(b, "-m limit: a rate of 0 or a burst of 0 cannot be loaded");
        match_limit_rate(m, &rate, &unit);
        e = nft_expr_new(b, "limit");
        if (!e)
                return -ENOMEM;
        nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, rate);
        nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, unit);
        nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_BURST, m->burst);
        nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
        nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_FLAGS, 0);
        return 0;
}

static int limit_decompile(NftExprReader *rd, void *data) {
        const struct nftnl_expr *e = nft_read_expr(rd, "limit");
        MatchLimit *m = data;
        uint64_t rate, unit;
        uint32_t burst, back_rate, back_unit;

        if (!e || !attr_u32_is(e, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS) ||
            (nftnl_expr_is_set(e, NFTNL_EXPR_LIMIT_FLAGS) && nftnl_expr_get_u32(e, NFTNL_EXPR_LIMIT_FLAGS) != 0) ||
            !nftnl_expr_is_set(e, NFTNL_EXPR_LIMIT_RATE) || !nftnl_expr_is_set(e, NFTNL_EXPR_LIMIT_UNIT) ||
            !nftnl_expr_is_set(e, NFTNL_EXPR_LIMIT_BURST))
                return -EBADMSG;
        rate = nftnl_expr_get_u64(e, NFTNL_EXPR_LIMIT_RATE);
        unit = nftnl_expr_get_u64(e, NFTNL_EXPR_LIMIT_UNIT);
        burst = nftnl_expr_get_u32(e, NFTNL_EXPR_LIMIT_BURST);
        if ((unit != 1 && unit != 60 && unit != 60 * 60 && unit != 24 * 60 * 60) || rate == 0 ||
            rate > (uint64_t)LIMIT_SCALE * unit || burst == 0 || burst > 10000)
                return -EBADMSG;
        m->avg = match_limit_avg((uint32_t)rate, (uint32_t)unit);
        m->burst = burst;
        /* only the rate and unit compile gives for some avg */
        match_limit_rate(m, &back_rate, &back_unit);
        if (m->avg == 0 || back_rate != rate || back_unit != unit)
                return -EBADMSG;
        return 0;
}

const NftCodec nft_codec_limit = { limit_compile, limit_decompile };

/* ---- comment ---- */

static int comment_compile(NftRuleBuilder *b, const void *data) {
        const MatchComment *m = data;

        if (b->comment)
                return nft_compile_unsupported(
                        b,
                        "a second -m comment is not supported: nf_tables keeps one comment per rule "
                        "(join the texts into one --comment)");
        b->comment = m->text;
        return 0;
}

static int comment_decompile(NftExprReader *rd, void *data) {
        MatchComment *m = data;
        size_t n;

        if (!rd->comment)
                return -EBADMSG;
        n = strlen(rd->comment);
        if (n > COMMENT_LEN_MAX)
                return -EBADMSG;
        memcpy(m->text, rd->comment, n + 1);
        return 0;
}

const NftCodec nft_codec_comment = { comment_compile, comment_decompile };

/* ---- iprange ---- */

static uint32_t addr_offset(Family f, bool dst) {
        if (f == FAMILY_IPV6)
                return dst ? 24 : 8;
        return dst ? 16 : 12;
}

static uint32_t addr_len(Family f) {
        return f == FAMILY_IPV6 ? 16 : 4;
}

/*
 * xt_iprange: min <= addr <= max, compared as big-endian numbers, source
 * first. A reversed range loads as it is: it never matches, its negation
 * always does, in both.
 */
static int iprange_compile(NftRuleBuilder *b, const void *data) {
        const MatchIprange *m = data;
        uint32_t len = addr_len(b->family);
        int r = 0;

        for (int dst = 0; r >= 0 && dst <= 1; dst++) {
                if (!(m->flags & (dst ? IPRANGE_MATCH_DST : IPRANGE_MATCH_SRC)))
                        continue;
                r = nft_build_payload(b, NFT_PAYLOAD_NETWORK_HEADER, addr_offset(b->family, dst), len, NFT_REG_1);
                if (r >= 0)
                        r = build_range_test(b, dst ? &m->dst_min : &m->src_min, dst ? &m->dst_max : &m->src_max,
                                             len, m->flags & (dst ? IPRANGE_MATCH_DST_INV : IPRANGE_MATCH_SRC_INV));
        }
        return r;
}

static int iprange_decompile(NftExprReader *rd, void *data) {
        MatchIprange *m = data;
        uint32_t len = addr_len(rd->family);
        int last_dir = -1;

        while (!nft_read_done(rd)) {
                const struct nftnl_expr *e = peek(rd, 0);
                bool invert;
                int dst;

                if (!expr_is(e, "payload") || !nftnl_expr_is_set(e, NFTNL_EXPR_PAYLOAD_OFFSET))
                        return -EBADMSG;
                dst = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET) == addr_offset(rd->family, true);
                /* the source's range before the destination's */
                if (dst <= last_dir ||
                    nft_read_payload(rd, NFT_PAYLOAD_NETWORK_HEADER, addr_offset(rd->family, dst), len, NFT_REG_1) < 0 ||
                    read_range_test(rd, dst ? &m->dst_min : &m->src_min, dst ? &m->dst_max : &m->src_max, len,
                                    &invert) < 0)
                        return -EBADMSG;
                last_dir = dst;
                m->flags |= dst ? IPRANGE_MATCH_DST : IPRANGE_MATCH_SRC;
                if (invert)
                        m->flags |= dst ? IPRANGE_MATCH_DST_INV : IPRANGE_MATCH_SRC_INV;
        }
        return m->flags ? 0 : -EBADMSG;
}

const NftCodec nft_codec_iprange = { iprange_compile, iprange_decompile };

/* ---- addrtype ---- */

/* The model's AddrType is the kernel's RTN_* numbering, which fib's type result uses too. */
_Static_assert((int)ADDR_TYPE_UNSPEC == RTN_UNSPEC && (int)ADDR_TYPE_LOCAL == RTN_LOCAL &&
                       (int)ADDR_TYPE_BROADCAST == RTN_BROADCAST && (int)ADDR_TYPE_ANYCAST == RTN_ANYCAST &&
                       (int)ADDR_TYPE_MULTICAST == RTN_MULTICAST && (int)ADDR_TYPE_BLACKHOLE == RTN_BLACKHOLE &&
                       (int)ADDR_TYPE_UNREACHABLE == RTN_UNREACHABLE && (int)ADDR_TYPE_PROHIBIT == RTN_PROHIBIT &&
                       (int)ADDR_TYPE_THROW == RTN_THROW && (int)ADDR_TYPE_NAT == RTN_NAT &&
                       (int)ADDR_TYPE_XRESOLVE == RTN_XRESOLVE,
               "AddrType follows RTN_*");

#define TYPE_BIT(t) (1u << (t))
/* nft's datatype number for fib_addrtype (TYPE_FIB_ADDR), so nft list prints the set */
#define NFT_TYPE_FIB_ADDR 38
#define NFT_TYPE_IP6ADDR 8

static int addrtype_build_fib(NftRuleBuilder *b, bool dst, uint8_t flags) {
        struct nftnl_expr *e = nft_expr_new(b, "fib");
        uint32_t f = dst ? NFTA_FIB_F_DADDR : NFTA_FIB_F_SADDR;

        if (!e)
                return -ENOMEM;
        if (flags & ADDRTYPE_LIMIT_IFACE_IN)
                f |= NFTA_FIB_F_IIF;
        if (flags & ADDRTYPE_LIMIT_IFACE_OUT)
                f |= NFTA_FIB_F_OIF;
        nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, f);
        nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
        nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
        return 0;
}

/* Reads a fib type load: whether it is on the destination, and its interface flags (AddrtypeFlags). */
static int addrtype_read_fib(NftExprReader *rd, bool *ret_dst, uint8_t *ret_iface) {
        const struct nftnl_expr *e = nft_read_expr(rd, "fib");
        uint32_t f;

        if (!e || !attr_u32_is(e, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE) ||
            !attr_u32_is(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1) || !nftnl_expr_is_set(e, NFTNL_EXPR_FIB_FLAGS))
                return -EBADMSG;
        f = nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_FLAGS);
        switch (f & ~(uint32_t)(NFTA_FIB_F_IIF | NFTA_FIB_F_OIF)) {
        case NFTA_FIB_F_SADDR:
                *ret_dst = false;
                break;
        case NFTA_FIB_F_DADDR:
                *ret_dst = true;
                break;
        default:
                return -EBADMSG;
        }
        if ((f & NFTA_FIB_F_IIF) && (f & NFTA_FIB_F_OIF))
                return -EBADMSG;
        *ret_iface = (f & NFTA_FIB_F_IIF) ? ADDRTYPE_LIMIT_IFACE_IN : (f & NFTA_FIB_F_OIF) ? ADDRTYPE_LIMIT_IFACE_OUT : 0;
        return 0;
}

/* The fib type in NFT_REG_1 is one of rtn (bits of RTN_* values): a cmp for one, else a set of types. */
static int addrtype_build_types(NftRuleBuilder *b, uint16_t rtn, bool invert) {
        NftSetElement elements[16] = {};
        NftSetSpec spec = {
                .key_type = NFT_TYPE_FIB_ADDR,
                .key_len = sizeof(uint32_t),
                .elements = elements,
        };

        for (uint32_t t = 0; t < 16; t++) {
                if (!(rtn & TYPE_BIT(t)))
                        continue;
                /* the register holds the type in host order, like fib_addrtype's elements */
                memcpy(elements[spec.n_elements].key, &t, sizeof(t));
                memcpy(elements[spec.n_elements].key_end, &t, sizeof(t));
                spec.n_elements++;
        }
        if (spec.n_elements == 1)
                return nft_build_cmp(b, NFT_REG_1, eq_op(invert), elements[0].key, sizeof(uint32_t));
        return nft_build_lookup(b, NFT_REG_1, &spec, invert);
}

static int addrtype_read_types(NftExprReader *rd, uint16_t *ret_rtn, bool *ret_invert) {
        _cleanup_(nft_set_spec_done) NftSetSpec spec = {};
        uint16_t rtn = 0;
        uint32_t t;

        if (next_is(rd, "cmp")) {
                if (read_cmp_eq(rd, &t, sizeof(t), ret_invert) < 0 || t >= 16)
                        return -EBADMSG;
                *ret_rtn = TYPE_BIT(t);
                return 0;
        }
        if (nft_read_lookup(rd, NFT_REG_1, &spec, ret_invert) < 0)
                return -EBADMSG;
        if (spec.key_type != NFT_TYPE_FIB_ADDR || spec.key_len != sizeof(uint32_t) || spec.flags != 0 ||
            spec.n_elements < 2 || spec.udata_len != 0)
                return -EBADMSG;
        /* a hash set: the kernel dumps its elements in any order */
        for (size_t i = 0; i < spec.n_elements; i++) {
                memcpy(&t, spec.elements[i].key, sizeof(t));
                if (t >= 16 || (rtn & TYPE_BIT(t)))
                        return -EBADMSG;
                rtn |= TYPE_BIT(t);
        }
        *ret_rtn = rtn;
        return 0;
}

/*
 * IPv6. xt_addrtype does not ask for one type there: match_type6() ANDs
 * tests. UNSPEC, UNICAST and MULTICAST are classes of the address itself
 * (ipv6_addr_type()): each one given must hold. LOCAL, ANYCAST and
 * UNREACHABLE come from a route lookup: at least one given must hold.
 * So each class is its own payload test and the route types are one fib
 * test, all ANDed, which only a non-negated list, or a negated list of
 * one test, can be in a single rule.
 *
 * fib ip6's lookup is not match_lookup_rt6()'s: xt looks up the address
 * alone, bound to the interface of --limit-iface-* (strictly, as the
 * source is unset); fib also passes the packet's other address, and for
 * link-local addresses binds to the packet's device. Measured against
 * ip6tables-nft with the same packets, they agree on LOCAL with
 * --limit-iface-* (both ask nf_ipv6_chk_addr() on the interface) and on
 * LOCAL and ANYCAST otherwise, except for the host's own link-local (and
 * fe80:: anycast) addresses in packets on another interface than the
 * address's (lo included: traffic to itself; or its own neighbour
 * discovery heard on a second port of one link): xt calls them local,
 * fib does not. They disagree on UNREACHABLE (xt's strict
 * lookup finds no route for the host's addresses on other interfaces;
 * fib's lookup depends on the other address) and on ANYCAST with an
 * interface (the same strict lookup): those are refused.
 */
#define ADDR_TYPES6_CLASS (TYPE_BIT(ADDR_TYPE_UNSPEC) | TYPE_BIT(ADDR_TYPE_UNICAST) | TYPE_BIT(ADDR_TYPE_MULTICAST))
#define ADDR_TYPES6_ROUTE (TYPE_BIT(ADDR_TYPE_LOCAL) | TYPE_BIT(ADDR_TYPE_ANYCAST) | TYPE_BIT(ADDR_TYPE_UNREACHABLE))

/* The tests of one direction, in this order. */
typedef enum Addrtype6Test {
        ADDRTYPE6_MULTICAST,    /* payload 1 byte, cmp 0xff */
        ADDRTYPE6_UNICAST,      /* payload 16 bytes, lookup (negated) in ipv6_addr_type()'s non-unicast */
        ADDRTYPE6_UNSPEC,       /* payload 16 bytes, cmp :: */
        ADDRTYPE6_ROUTE,        /* fib type */
        _ADDRTYPE6_TEST_MAX,
} Addrtype6Test;

static unsigned addrtype6_n_tests(uint16_t mask) {
        return (unsigned)__builtin_popcount(mask & ADDR_TYPES6_CLASS) + !!(mask & ADDR_TYPES6_ROUTE);
}

/* What ipv6_addr_type() does not call unicast: ::, ::ffff:0:0/96 (mapped) and ff00::/8. */
static void addrtype6_non_unicast(NftSetElement ret[3]) {
        memset(ret, 0, 3 * sizeof(NftSetElement));
        /* [::, ::] is all zeros */
        ret[1].key[10] = ret[1].key[11] = 0xff;
        memset(ret[1].key_end, 0, 10);
        memset(ret[1].key_end + 10, 0xff, 6);
        ret[2].key[0] = 0xff;
        memset(ret[2].key_end, 0xff, 16);
}

static void addrtype6_non_unicast_spec(NftSetSpec *spec, NftSetElement elements[3]) {
        addrtype6_non_unicast(elements);
        *spec = (NftSetSpec){
                .key_type = NFT_TYPE_IP6ADDR,
                .key_len = 16,
                .flags = NFT_SET_SPEC_INTERVAL,
                .elements = elements,
                .n_elements = 3,
        };
}

static int addrtype6_compile_dir(NftRuleBuilder *b, uint16_t mask, bool dst, bool invert, uint8_t flags) {
        static const uint8_t zero[16], ff = 0xff;
        uint32_t offset = addr_offset(FAMILY_IPV6, dst);
        int r = 0;

        if (mask & TYPE_BIT(ADDR_TYPE_UNREACHABLE))
                return nft_compile_unsupported(
                        b,
                        "--%s UNREACHABLE is not supported in IPv6: ip6tables looks the route up by the "
                        "address alone, nf_tables' fib also by the packet's other address and device, and "
                        "they disagree on which addresses are unreachable",
                        dst ? "dst-type" : "src-type");
        if ((mask & TYPE_BIT(ADDR_TYPE_ANYCAST)) && (flags & (ADDRTYPE_LIMIT_IFACE_IN | ADDRTYPE_LIMIT_IFACE_OUT)))
                return nft_compile_unsupported(
                        b,
                        "--%s ANYCAST with --limit-iface-%s is not supported in IPv6: ip6tables' route lookup "
                        "is bound to the interface, nf_tables' fib type lookup is not",
                        dst ? "dst-type" : "src-type", (flags & ADDRTYPE_LIMIT_IFACE_IN) ? "in" : "out");
        if (invert && addrtype6_n_tests(mask) > 1)
                return nft_compile_unsupported(
                        b,
                        "! --%s with more than one of (UNSPEC, UNICAST, MULTICAST, the route types LOCAL, "
                        "ANYCAST, UNREACHABLE) is not supported: ip6tables negates all of them together, "
                        "nf_tables can negate only one test in a rule",
                        dst ? "dst-type" : "src-type");
        if (mask & TYPE_BIT(ADDR_TYPE_MULTICAST)) {
                r = nft_build_payload(b, NFT_PAYLOAD_NETWORK_HEADER, offset, 1, NFT_REG_1);
                if (r >= 0)
                        r = nft_build_cmp(b, NFT_REG_1, eq_op(invert), &ff, 1);
        }
        if (r >= 0 && (mask & TYPE_BIT(ADDR_TYPE_UNICAST))) {
                NftSetElement elements[3];
                NftSetSpec spec;

                addrtype6_non_unicast_spec(&spec, elements);
                r = nft_build_payload(b, NFT_PAYLOAD_NETWORK_HEADER, offset, 16, NFT_REG_1);
                if (r >= 0)
                        r = nft_build_lookup(b, NFT_REG_1, &spec, !invert);
        }
        if (r >= 0 && (mask & TYPE_BIT(ADDR_TYPE_UNSPEC))) {
                r = nft_build_payload(b, NFT_PAYLOAD_NETWORK_HEADER, offset, 16, NFT_REG_1);
                if (r >= 0)
                        r = nft_build_cmp(b, NFT_REG_1, eq_op(invert), zero, 16);
        }
        if (r >= 0 && (mask & ADDR_TYPES6_ROUTE)) {
                r = addrtype_build_fib(b, dst, flags);
                if (r >= 0)
                        r = addrtype_build_types(b, mask & ADDR_TYPES6_ROUTE, invert);
        }
        return r;
}

/* One IPv6 test: its direction, kind, the type bit(s) it stands for, and whether it is negated. */
static int addrtype6_read_test(NftExprReader *rd, bool *ret_dst, Addrtype6Test *ret_test, uint16_t *ret_mask,
                               bool *ret_invert, uint8_t *ret_iface) {
        const struct nftnl_expr *e = peek(rd, 0);
        uint8_t data[16];
        uint16_t rtn;
        uint32_t offset, len;

        if (!e)
                return -EBADMSG;
        if (expr_is(e, "fib")) {
                if (addrtype_read_fib(rd, ret_dst, ret_iface) < 0 || addrtype_read_types(rd, &rtn, ret_invert) < 0)
                        return -EBADMSG;
                /* only the route types compile writes (the numbers are RTN_*, as AddrType) */
                if (rtn & ~(TYPE_BIT(ADDR_TYPE_LOCAL) | TYPE_BIT(ADDR_TYPE_ANYCAST)))
                        return -EBADMSG;
                *ret_mask = rtn;
                *ret_test = ADDRTYPE6_ROUTE;
                return 0;
        }
        if (!expr_is(e, "payload") || !nftnl_expr_is_set(e, NFTNL_EXPR_PAYLOAD_OFFSET) ||
            !nftnl_expr_is_set(e, NFTNL_EXPR_PAYLOAD_LEN))
                return -EBADMSG;
        offset = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET);
        len = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN);
        if (offset != addr_offset(FAMILY_IPV6, false) && offset != addr_offset(FAMILY_IPV6, true))
                return -EBADMSG;
        *ret_dst = offset == addr_offset(FAMILY_IPV6, true);
        *ret_iface = 0;
        if ((len != 1 && len != 16) || nft_read_payload(rd, NFT_PAYLOAD_NETWORK_HEADER, offset, len, NFT_REG_1) < 0)
                return -EBADMSG;
        if (len == 1) {
                if (read_cmp_eq(rd, data, 1, ret_invert) < 0 || data[0] != 0xff)
                        return -EBADMSG;
                *ret_test = ADDRTYPE6_MULTICAST;
                *ret_mask = TYPE_BIT(ADDR_TYPE_MULTICAST);
                return 0;
        }
        if (next_is(rd, "cmp")) {
                static const uint8_t zero[16];
                if (read_cmp_eq(rd, data, 16, ret_invert) < 0 || memcmp(data, zero, 16) != 0)
                        return -EBADMSG;
                *ret_test = ADDRTYPE6_UNSPEC;
                *ret_mask = TYPE_BIT(ADDR_TYPE_UNSPEC);
                return 0;
        }

        _cleanup_(nft_set_spec_done) NftSetSpec spec = {};
        NftSetElement want[3];
        bool lookup_invert;

        addrtype6_non_unicast(want);
        if (nft_read_lookup(rd, NFT_REG_1, &spec, &lookup_invert) < 0 || spec.key_type != NFT_TYPE_IP6ADDR ||
            spec.key_len != 16 || spec.flags != NFT_SET_SPEC_INTERVAL || spec.n_elements != 3 ||
            spec.udata_len != 0 || memcmp(spec.elements, want, sizeof(want)) != 0)
                return -EBADMSG;
        *ret_invert = !lookup_invert;
        *ret_test = ADDRTYPE6_UNICAST;
        *ret_mask = TYPE_BIT(ADDR_TYPE_UNICAST);
        return 0;
}

static int addrtype6_decompile(NftExprReader *rd, MatchAddrtype *m) {
        int last_dir = -1, last_test = -1;
        unsigned n_tests[2] = {};
        bool negated[2] = {}, have_fib = false;

        while (!nft_read_done(rd)) {
                Addrtype6Test test;
                uint16_t mask;
                uint8_t iface;
                bool dst, invert;

                if (addrtype6_read_test(rd, &dst, &test, &mask, &invert, &iface) < 0)
                        return -EBADMSG;
                /* source before destination, and each direction's tests in compile's order */
                if ((int)dst < last_dir || ((int)dst == last_dir && (int)test <= last_test))
                        return -EBADMSG;
                last_dir = dst;
                last_test = test;
                if (test == ADDRTYPE6_ROUTE) {
                        if (have_fib && (m->flags & (ADDRTYPE_LIMIT_IFACE_IN | ADDRTYPE_LIMIT_IFACE_OUT)) != iface)
                                return -EBADMSG;
                        have_fib = true;
                        m->flags |= iface;
                }
                *(dst ? &m->dst : &m->src) |= mask;
                n_tests[dst]++;
                negated[dst] |= invert;
        }
        for (int dst = 0; dst <= 1; dst++) {
                if (!negated[dst])
                        continue;
                if (n_tests[dst] != 1)
                        return -EBADMSG;
                m->flags |= dst ? ADDRTYPE_INV_DST : ADDRTYPE_INV_SRC;
        }
        /* compile refuses ANYCAST bound to an interface */
        if ((m->flags & (ADDRTYPE_LIMIT_IFACE_IN | ADDRTYPE_LIMIT_IFACE_OUT)) &&
            ((m->src | m->dst) & TYPE_BIT(ADDR_TYPE_ANYCAST)))
                return -EBADMSG;
        return m->src || m->dst ? 0 : -EBADMSG;
}

/*
 * IPv4: xt_addrtype's inet_dev_addr_type() of the address (on the
 * interface with --limit-iface-*) is exactly fib's type result, tested
 * against the set of types given; source first, then destination.
 */
static int addrtype_compile(NftRuleBuilder *b, const void *data) {
        const MatchAddrtype *m = data;
        int r = 0;

        if (b->family == FAMILY_IPV6 && (m->flags & (ADDRTYPE_LIMIT_IFACE_IN | ADDRTYPE_LIMIT_IFACE_OUT)) &&
            !((m->src | m->dst) & ADDR_TYPES6_ROUTE))
                return nft_compile_unsupported(
                        b,
                        "--limit-iface-%s is not supported without LOCAL, ANYCAST or UNREACHABLE: in IPv6 only "
                        "the route lookup uses the interface, so it changes nothing and nf_tables has "
                        "nowhere to keep it (drop the option)",
                        (m->flags & ADDRTYPE_LIMIT_IFACE_IN) ? "in" : "out");
        for (int dst = 0; r >= 0 && dst <= 1; dst++) {
                uint16_t mask = dst ? m->dst : m->src;
                bool invert = m->flags & (dst ? ADDRTYPE_INV_DST : ADDRTYPE_INV_SRC);

                if (!mask)
                        continue;
                if (b->family == FAMILY_IPV6) {
                        r = addrtype6_compile_dir(b, mask, dst, invert, m->flags);
                        continue;
                }
                r = addrtype_build_fib(b, dst, m->flags);
                if (r >= 0)
                        r = addrtype_build_types(b, mask, invert);
        }
        return r;
}

static int addrtype_decompile(NftExprReader *rd, void *data) {
        MatchAddrtype *m = data;
        int last_dir = -1;

        if (rd->family == FAMILY_IPV6)
                return addrtype6_decompile(rd, m);
        while (!nft_read_done(rd)) {
                uint8_t iface;
                uint16_t rtn;
                bool dst, invert;

                if (addrtype_read_fib(rd, &dst, &iface) < 0 || addrtype_read_types(rd, &rtn, &invert) < 0)
                        return -EBADMSG;
                if ((int)dst <= last_dir || rtn >= TYPE_BIT(_ADDR_TYPE_MAX))
                        return -EBADMSG;
                if (last_dir >= 0 && (m->flags & (ADDRTYPE_LIMIT_IFACE_IN | ADDRTYPE_LIMIT_IFACE_OUT)) != iface)
                        return -EBADMSG;
                last_dir = dst;
                m->flags |= iface;
                *(dst ? &m->dst : &m->src) = rtn;
                if (invert)
                        m->flags |= dst ? ADDRTYPE_INV_DST : ADDRTYPE_INV_SRC;
        }
        return last_dir >= 0 ? 0 : -EBADMSG;
}

const NftCodec nft_codec_addrtype = { addrtype_compile, addrtype_decompile };

/* ---- mac ---- */

/*
 * xt_mac matches only on an Ethernet device and a complete link-layer
 * header, negated or not; nft's "ether saddr" checks the input device's
 * type first, and its ll payload fails (no match) without a MAC header.
 */
static int mac_compile(NftRuleBuilder *b, const void *data) {
        const MatchMac *m = data;
        uint16_t ether = ARPHRD_ETHER;
        int r;

        r = nft_build_meta(b, NFT_META_IIFTYPE, NFT_REG_1);
        if (r >= 0)
                r = nft_build_cmp(b, NFT_REG_1, NFT_CMP_EQ, &ether, sizeof(ether));
        if (r >= 0)
                r = nft_build_payload(b, NFT_PAYLOAD_LL_HEADER, 6, sizeof(m->addr), NFT_REG_1);
        if (r >= 0)
                r = nft_build_cmp(b, NFT_REG_1, eq_op(m->invert), m->addr, sizeof(m->addr));
        return r;
}

static int mac_decompile(NftExprReader *rd, void *data) {
        MatchMac *m = data;
        uint16_t type;
        uint32_t op;

        if (nft_read_meta(rd, NFT_META_IIFTYPE, NFT_REG_1) < 0 ||
            nft_read_cmp(rd, NFT_REG_1, &op, &type, sizeof(type)) < 0 || op != NFT_CMP_EQ || type != ARPHRD_ETHER ||
            nft_read_payload(rd, NFT_PAYLOAD_LL_HEADER, 6, sizeof(m->addr), NFT_REG_1) < 0 ||
            read_cmp_eq(rd, m->addr, sizeof(m->addr), &m->invert) < 0)
                return -EBADMSG;
        return 0;
}

const NftCodec nft_codec_mac = { mac_compile, mac_decompile };

/* ---- pkttype ---- */

/* Both map a looped-back packet's PACKET_LOOPBACK to multicast or broadcast the same way. */
static int pkttype_compile(NftRuleBuilder *b, const void *data) {
        const MatchPkttype *m = data;
        int r;

        r = nft_build_meta(b, NFT_META_PKTTYPE, NFT_REG_1);
        return r < 0 ? r : nft_build_cmp(b, NFT_REG_1, eq_op(m->invert), &m->pkttype, sizeof(m->pkttype));
}

static int pkttype_decompile(NftExprReader *rd, void *data) {
        MatchPkttype *m = data;

        if (nft_read_meta(rd, NFT_META_PKTTYPE, NFT_REG_1) < 0 ||
            read_cmp_eq(rd, &m->pkttype, sizeof(m->pkttype), &m->invert) < 0)
                return -EBADMSG;
        return 0;
}

const NftCodec nft_codec_pkttype = { pkttype_compile, pkttype_decompile };

/* ---- length ---- */

/*
 * xt_length takes skb_ip_totlen() (IPv4) and skb->len (IPv6); meta len is
 * skb->len, which at every hook is the IP packet's length: the input path
 * trims the skb to it before PREROUTING, and a BIG TCP packet's length is
 * skb->len for skb_ip_totlen() too.
 */
static int length_compile(NftRuleBuilder *b, const void *data) {
        const MatchLength *m = data;

        return build_meta_u32_range(b, NFT_META_LEN, m->min, m->max, m->invert);
}

static int length_decompile(NftExprReader *rd, void *data) {
        MatchLength *m = data;
        uint32_t min, max;

        if (read_meta_u32_range(rd, NFT_META_LEN, &min, &max, &m->invert) < 0 || max > UINT16_MAX)
                return -EBADMSG;
        m->min = (uint16_t)min;
        m->max = (uint16_t)max;
        return 0;
}

const NftCodec nft_codec_length = { length_compile, length_decompile };

/* ---- ttl (IPv4) and hl (IPv6) ---- */

static const uint32_t ttl_ops[_TTL_MATCH_MODE_MAX] = {
        [TTL_MATCH_EQ] = NFT_CMP_EQ,
        [TTL_MATCH_NE] = NFT_CMP_NEQ,
        [TTL_MATCH_LT] = NFT_CMP_LT,
        [TTL_MATCH_GT] = NFT_CMP_GT,
};

static int ttl_compile_at(NftRuleBuilder *b, const MatchTtl *m, uint32_t offset) {
        int r;

        if (m->mode >= _TTL_MATCH_MODE_MAX)
                return -EINVAL;
        r = nft_build_payload(b, NFT_PAYLOAD_NETWORK_HEADER, offset, 1, NFT_REG_1);
        return r < 0 ? r : nft_build_cmp(b, NFT_REG_1, ttl_ops[m->mode], &m->value, 1);
}

static int ttl_decompile_at(NftExprReader *rd, MatchTtl *m, uint32_t offset) {
        uint32_t op;

        if (nft_read_payload(rd, NFT_PAYLOAD_NETWORK_HEADER, offset, 1, NFT_REG_1) < 0 ||
            nft_read_cmp(rd, NFT_REG_1, &op, &m->value, 1) < 0)
                return -EBADMSG;
        for (TtlMatchMode mode = 0; mode < _TTL_MATCH_MODE_MAX; mode++)
                if (ttl_ops[mode] == op) {
                        m->mode = (uint8_t)mode;
                        return 0;
                }
        return -EBADMSG;
}

/* iphdr.ttl */
static int ttl_compile(NftRuleBuilder *b, const void *data) {
        return ttl_compile_at(b, data, 8);
}

static int ttl_decompile(NftExprReader *rd, void *data) {
        return ttl_decompile_at(rd, data, 8);
}

/* ipv6hdr.hop_limit */
static int hl_compile(NftRuleBuilder *b, const void *data) {
        return ttl_compile_at(b, data, 7);
}

static int hl_decompile(NftExprReader *rd, void *data) {
        return ttl_decompile_at(rd, data, 7);
}

const NftCodec nft_codec_ttl = { ttl_compile, ttl_decompile };
const NftCodec nft_codec_hl = { hl_compile, hl_decompile };

/* ---- tos and dscp: the IPv4 TOS byte, or IPv6's traffic class across bytes 0 and 1 ---- */

/* IPv6: version(4) traffic class(8) flow label(20); the class is ntohs(bytes 0-1) >> 4. */
#define TCLASS_SHIFT 4
#define TCLASS_MASK16 0x0ff0

/* (byte & mask) == value, as xt_tos compares (value bits outside the mask never match). */
static int ds_compile(NftRuleBuilder *b, uint8_t value, uint8_t mask, bool invert) {
        int r;

        if (b->family == FAMILY_IPV6) {
                uint16_t mask16 = htons((uint16_t)(mask << TCLASS_SHIFT)),
                         value16 = htons((uint16_t)(value << TCLASS_SHIFT)), zero = 0;

                r = nft_build_payload(b, NFT_PAYLOAD_NETWORK_HEADER, 0, 2, NFT_REG_1);
                if (r >= 0)
                        r = nft_build_bitwise(b, NFT_REG_1, 2, &mask16, &zero);
                return r < 0 ? r : nft_build_cmp(b, NFT_REG_1, eq_op(invert), &value16, 2);
        }
        r = nft_build_payload(b, NFT_PAYLOAD_NETWORK_HEADER, 1, 1, NFT_REG_1);
        if (r >= 0 && mask != 0xff) {
                static const uint8_t zero;
                r = nft_build_bitwise(b, NFT_REG_1, 1, &mask, &zero);
        }
        return r < 0 ? r : nft_build_cmp(b, NFT_REG_1, eq_op(invert), &value, 1);
}

static int ds_decompile(NftExprReader *rd, uint8_t *ret_value, uint8_t *ret_mask, bool *ret_invert) {
        if (rd->family == FAMILY_IPV6) {
                uint16_t mask16, value16, xor16;

                if (nft_read_payload(rd, NFT_PAYLOAD_NETWORK_HEADER, 0, 2, NFT_REG_1) < 0 ||
                    nft_read_bitwise(rd, NFT_REG_1, 2, &mask16, &xor16) < 0 || xor16 != 0 ||
                    read_cmp_eq(rd, &value16, 2, ret_invert) < 0)
                        return -EBADMSG;
                mask16 = ntohs(mask16);
                value16 = ntohs(value16);
                if ((mask16 | value16) & ~TCLASS_MASK16)
                        return -EBADMSG;
                *ret_mask = (uint8_t)(mask16 >> TCLASS_SHIFT);
                *ret_value = (uint8_t)(value16 >> TCLASS_SHIFT);
                return 0;
        }
        if (nft_read_payload(rd, NFT_PAYLOAD_NETWORK_HEADER, 1, 1, NFT_REG_1) < 0)
                return -EBADMSG;
        *ret_mask = 0xff;
        if (next_is(rd, "bitwise")) {
                uint8_t xor;
                if (nft_read_bitwise(rd, NFT_REG_1, 1, ret_mask, &xor) < 0 || xor != 0 || *ret_mask == 0xff)
                        return -EBADMSG;
        }
        return read_cmp_eq(rd, ret_value, 1, ret_invert) < 0 ? -EBADMSG : 0;
}

static int tos_compile(NftRuleBuilder *b, const void *data) {
        const MatchTos *m = data;

        return ds_compile(b, m->value, m->mask, m->invert);
}

static int tos_decompile(NftExprReader *rd, void *data) {
        MatchTos *m = data;

        return ds_decompile(rd, &m->value, &m->mask, &m->invert);
}

const NftCodec nft_codec_tos = { tos_compile, tos_decompile };

/* xt_dscp: the upper six bits of the same byte; "ip dscp" and "ip6 dscp" in nft. */
#define DSCP_SHIFT 2
#define DSCP_BYTE_MASK 0xfc

static int dscp_compile(NftRuleBuilder *b, const void *data) {
        const MatchDscp *m = data;

        if (m->dscp > (DSCP_BYTE_MASK >> DSCP_SHIFT))
                return -EINVAL;
        return ds_compile(b, (uint8_t)(m->dscp << DSCP_SHIFT), DSCP_BYTE_MASK, m->invert);
}

static int dscp_decompile(NftExprReader *rd, void *data) {
        MatchDscp *m = data;
        uint8_t value, mask;

        if (ds_decompile(rd, &value, &mask, &m->invert) < 0 || mask != DSCP_BYTE_MASK || (value & ~DSCP_BYTE_MASK))
                return -EBADMSG;
        m->dscp = value >> DSCP_SHIFT;
        return 0;
}

const NftCodec nft_codec_dscp = { dscp_compile, dscp_decompile };

/* ---- owner ---- */

/*
 * xt_owner decides by the packet's socket: without one (forwarded in
 * POSTROUTING, or orphaned), or without a process's file on it (the
 * kernel's own sockets, such as those sending its resets), a criterion
 * passes only if it is negated (--socket-exists only if there is a
 * socket). meta skuid and skgid instead end the rule without a file.
 * The two agree exactly when at least one --uid-owner or --gid-owner is
 * not negated: then neither matches such packets. --socket-exists is
 * then implied; it is kept as a bare meta skuid load, which also stops
 * the rule without a process's socket.
 */
static int owner_compile(NftRuleBuilder *b, const void *data) {
        const MatchOwner *m = data;
        uint8_t positive = m->match & ~m->invert;
        int r = 0;

        if (!(positive & (OWNER_UID | OWNER_GID))) {
                if (m->match & (OWNER_UID | OWNER_GID))
                        return nft_compile_unsupported(
                                b,
                                "-m owner with only negated --uid-owner/--gid-owner is not supported: "
                                "iptables also matches packets without a socket of a process (forwarded "
                                "ones, the kernel's own), which nf_tables' meta skuid/skgid never match");
                return nft_compile_unsupported(
                        b,
                        "--socket-exists without --uid-owner or --gid-owner is not supported: nf_tables "
                        "sees only sockets that belong to a process, iptables also the kernel's own");
        }
        if (m->match & OWNER_SOCKET)
                r = nft_build_meta(b, NFT_META_SKUID, NFT_REG_1);
        if (r >= 0 && (m->match & OWNER_UID))
                r = build_meta_u32_range(b, NFT_META_SKUID, m->uid_min, m->uid_max, m->invert & OWNER_UID);
        if (r >= 0 && (m->match & OWNER_GID))
                r = build_meta_u32_range(b, NFT_META_SKGID, m->gid_min, m->gid_max, m->invert & OWNER_GID);
        return r;
}

static bool owner_next_is_meta(const NftExprReader *rd, uint32_t key) {
        const struct nftnl_expr *e = peek(rd, 0);
        return e && expr_is(e, "meta") && attr_u32_is(e, NFTNL_EXPR_META_KEY, key);
}

static int owner_decompile(NftExprReader *rd, void *data) {
        MatchOwner *m = data;
        const struct nftnl_expr *after;
        bool invert;

        /* the bare load: meta skuid followed by another meta or nothing */
        after = peek(rd, 1);
        if (owner_next_is_meta(rd, NFT_META_SKUID) && (!after || expr_is(after, "meta"))) {
                if (nft_read_meta(rd, NFT_META_SKUID, NFT_REG_1) < 0)
                        return -EBADMSG;
                m->match |= OWNER_SOCKET;
        }
        if (owner_next_is_meta(rd, NFT_META_SKUID)) {
                if (read_meta_u32_range(rd, NFT_META_SKUID, &m->uid_min, &m->uid_max, &invert) < 0)
                        return -EBADMSG;
                m->match |= OWNER_UID;
                m->invert |= invert ? OWNER_UID : 0;
        }
        if (owner_next_is_meta(rd, NFT_META_SKGID)) {
                if (read_meta_u32_range(rd, NFT_META_SKGID, &m->gid_min, &m->gid_max, &invert) < 0)
                        return -EBADMSG;
                m->match |= OWNER_GID;
                m->invert |= invert ? OWNER_GID : 0;
        }
        /* (uint32_t)-1 is no id, and compile refuses what has no positive id test */
        if (!((m->match & ~m->invert) & (OWNER_UID | OWNER_GID)) || m->uid_max == UINT32_MAX ||
            m->gid_max == UINT32_MAX)
                return -EBADMSG;
        return 0;
}

const NftCodec nft_codec_owner = { owner_compile, owner_decompile };
