/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft-ext-l4: the codecs of tcp, udp, icmp, icmp6 and multiport. Each is
 * a test on the transport header (payload th, exthdr tcpopt, or a lookup
 * of the ports in a set), in the encoding iptables-nft and nft use, and
 * read back by walking exactly that encoding.
 *
 * The protocol check is the core's "-p". On top of it, every match reads
 * the transport header at least once, even one that tests nothing ("-m
 * tcp" alone is "tcp sport 0-65535"): the xt modules never match a packet
 * without a readable header, and in particular no later fragment, and a
 * transport-header load is nf_tables' way of saying the same. Kernels up
 * to at least 6.18 only half say it: the payload fast path (loads of 1, 2
 * or 4 aligned bytes) reads a later fragment's data as if it were the
 * header, so on those kernels a later fragment can match here where xt
 * would refuse it, exactly as iptables-nft's own native port and flag
 * matches do; the fix ("nf_tables: skip L4 header parsing for non-first
 * fragments", 2026) closes the gap without any change here. What nf_tables
 * cannot do at all is the xt modules' "hotdrop" of a packet whose header
 * is cut short: such a packet does not match instead of being dropped.
 */

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "ext-l4.h"
#include "nft-batch.h"
#include "nft-ext-list.h"

/* nft's datatype number for ports (TYPE_INET_SERVICE), and its concatenation shift. */
#define NFT_TYPE_INET_SERVICE 13
#define NFT_TYPE_BITS 6

/* ---- shared readers ---- */

/* Whether the next expression is a payload of this shape; never moves past it. */
static bool next_is_payload(NftExprReader *rd, uint32_t base, uint32_t offset, uint32_t len, uint32_t dreg) {
        size_t save = rd->pos;
        bool r = nft_read_payload(rd, base, offset, len, dreg) == 0;

        rd->pos = save;
        return r;
}

static bool next_is(NftExprReader *rd, const char *name) {
        size_t save = rd->pos;
        bool r = nft_read_expr(rd, name) != NULL;

        rd->pos = save;
        return r;
}

/* ---- ports (tcp, udp) ---- */

static bool ports_tested(const PortRange *r, bool invert) {
        return invert || r->min != 0 || r->max != UINT16_MAX;
}

/* payload th+offset (2 bytes), then cmp for one port or range for several; "!" is neq, as iptables-nft writes. */
static int compile_ports(NftRuleBuilder *b, uint32_t offset, const PortRange *r, bool invert) {
        uint16_t from = htons(r->min), to = htons(r->max);
        int k;

        k = nft_build_payload(b, NFT_PAYLOAD_TRANSPORT_HEADER, offset, 2, NFT_REG_1);
        if (k < 0)
                return k;
        if (r->min == r->max)
                return nft_build_cmp(b, NFT_REG_1, invert ? NFT_CMP_NEQ : NFT_CMP_EQ, &from, 2);
        return nft_build_range(b, NFT_REG_1, invert ? NFT_RANGE_NEQ : NFT_RANGE_EQ, &from, &to, 2);
}

/* The port test at offset if there is one: 1 read, 0 none, -EBADMSG. */
static int read_ports(NftExprReader *rd, uint32_t offset, PortRange *ret, bool *ret_invert) {
        uint16_t from, to;
        uint32_t op;

        if (!next_is_payload(rd, NFT_PAYLOAD_TRANSPORT_HEADER, offset, 2, NFT_REG_1))
                return 0;
        (void)nft_read_payload(rd, NFT_PAYLOAD_TRANSPORT_HEADER, offset, 2, NFT_REG_1);
        if (next_is(rd, "cmp")) {
                if (nft_read_cmp(rd, NFT_REG_1, &op, &from, 2) < 0 || (op != NFT_CMP_EQ && op != NFT_CMP_NEQ))
                        return -EBADMSG;
                ret->min = ret->max = ntohs(from);
                *ret_invert = op == NFT_CMP_NEQ;
                return 1;
        }
        if (nft_read_range(rd, NFT_REG_1, &op, &from, &to, 2) < 0 || (op != NFT_RANGE_EQ && op != NFT_RANGE_NEQ) ||
            ntohs(from) >= ntohs(to)) /* one port is a cmp */
                return -EBADMSG;
        ret->min = ntohs(from);
        ret->max = ntohs(to);
        *ret_invert = op == NFT_RANGE_NEQ;
        return 1;
}

/* ---- udp ---- */

static int udp_compile(NftRuleBuilder *b, const void *data) {
        const UdpMatch *u = data;
        bool inv_s = u->invert & L4_INV_SPORT, inv_d = u->invert & L4_INV_DPORT;
        bool sport = ports_tested(&u->sport, inv_s), dport = ports_tested(&u->dport, inv_d);
        int k = 0;

        if (u->invert & ~(L4_INV_SPORT | L4_INV_DPORT))
                return nft_compile_unsupported(b, "-m udp: unknown inversion flags 0x%x", u->invert);
        /* with no test at all, the full source range still reads the header (see the top of the file) */
        if (sport || !dport)
                k = compile_ports(b, 0, &u->sport, inv_s);
        if (k >= 0 && dport)
                k = compile_ports(b, 2, &u->dport, inv_d);
        return k;
}

static int udp_decompile(NftExprReader *rd, void *data) {
        UdpMatch *u = data;
        bool inv_s = false, inv_d = false;
        int s, d;

        u->sport.max = u->dport.max = UINT16_MAX;
        s = read_ports(rd, 0, &u->sport, &inv_s);
        if (s < 0)
                return s;
        d = read_ports(rd, 2, &u->dport, &inv_d);
        if (d < 0)
                return d;
        /* what compile writes: a dport test only if there is one, a sport test unless only dport is tested */
        if ((d && !ports_tested(&u->dport, inv_d)) || (!s && !d) ||
            (s && !ports_tested(&u->sport, inv_s) && d))
                return -EBADMSG;
        u->invert = (inv_s ? L4_INV_SPORT : 0) | (inv_d ? L4_INV_DPORT : 0);
        return 0;
}

const NftCodec nft_codec_udp = { udp_compile, udp_decompile };

/* ---- tcp ---- */

#define TCP_FLAGS_OFFSET 13

static int compile_tcp_flags(NftRuleBuilder *b, uint8_t mask, uint8_t cmp, bool invert) {
        static const uint8_t zero = 0;
        int k;

        /* iptables-nft's encoding: th+13, & mask, == or != cmp */
        k = nft_build_payload(b, NFT_PAYLOAD_TRANSPORT_HEADER, TCP_FLAGS_OFFSET, 1, NFT_REG_1);
        if (k >= 0)
                k = nft_build_bitwise(b, NFT_REG_1, 1, &mask, &zero);
        if (k >= 0)
                k = nft_build_cmp(b, NFT_REG_1, invert ? NFT_CMP_NEQ : NFT_CMP_EQ, &cmp, 1);
        return k;
}

/* "tcp option N exists|missing": the option's presence, 1 or 0 in a byte of reg 1 (nft's encoding). */
static int compile_tcp_option(NftRuleBuilder *b, uint8_t kind, bool invert) {
        struct nftnl_expr *e = nft_expr_new(b, "exthdr");
        uint8_t present = invert ? 0 : 1;

        if (!e)
                return -ENOMEM;
        nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_OP, NFT_EXTHDR_OP_TCPOPT);
        nftnl_expr_set_u8(e, NFTNL_EXPR_EXTHDR_TYPE, kind);
        nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_OFFSET, 0);
        nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_LEN, 1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_FLAGS, NFT_EXTHDR_F_PRESENT);
        nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_DREG, NFT_REG_1);
        return nft_build_cmp(b, NFT_REG_1, NFT_CMP_EQ, &present, 1);
}

static bool exthdr_u32_is(const struct nftnl_expr *e, uint16_t attr, uint32_t want) {
        return nftnl_expr_is_set(e, attr) && nftnl_expr_get_u32(e, attr) == want;
}

static int read_tcp_option(NftExprReader *rd, uint8_t *ret_kind, bool *ret_invert) {
        const struct nftnl_expr *e = nft_read_expr(rd, "exthdr");
        uint8_t present;
        uint32_t op;

        if (!e || !exthdr_u32_is(e, NFTNL_EXPR_EXTHDR_OP, NFT_EXTHDR_OP_TCPOPT) ||
            !exthdr_u32_is(e, NFTNL_EXPR_EXTHDR_OFFSET, 0) || !exthdr_u32_is(e, NFTNL_EXPR_EXTHDR_LEN, 1) ||
            !exthdr_u32_is(e, NFTNL_EXPR_EXTHDR_FLAGS, NFT_EXTHDR_F_PRESENT) ||
            !exthdr_u32_is(e, NFTNL_EXPR_EXTHDR_DREG, NFT_REG_1) || nftnl_expr_is_set(e, NFTNL_EXPR_EXTHDR_SREG) ||
            !nftnl_expr_is_set(e, NFTNL_EXPR_EXTHDR_TYPE))
                return -EBADMSG;
        *ret_kind = nftnl_expr_get_u8(e, NFTNL_EXPR_EXTHDR_TYPE);
        if (*ret_kind == 0 || nft_read_cmp(rd, NFT_REG_1, &op, &present, 1) < 0 || op != NFT_CMP_EQ || present > 1)
                return -EBADMSG;
        *ret_invert = present == 0;
        return 0;
}

static bool tcp_flags_tested(uint8_t mask, uint8_t cmp, bool invert) {
        return mask || cmp || invert;
}

/*
 * Whether the tcp match needs its source-port test although it is the
 * full range: when nothing else reads the header on a fragment (an
 * option test that must be missing does not: it says "missing" there).
 */
static bool tcp_needs_header_read(bool ports, bool flags, bool option, bool inv_option) {
        return !ports && !flags && !(option && !inv_option);
}

static int tcp_compile(NftRuleBuilder *b, const void *data) {
        const TcpMatch *t = data;
        bool inv_s = t->invert & L4_INV_SPORT, inv_d = t->invert & L4_INV_DPORT;
        bool inv_f = t->invert & L4_INV_FLAGS, inv_o = t->invert & L4_INV_OPTION;
        bool sport = ports_tested(&t->sport, inv_s), dport = ports_tested(&t->dport, inv_d);
        bool flags = tcp_flags_tested(t->flags_mask, t->flags_cmp, inv_f);
        int k = 0;

        if (t->invert & ~(L4_INV_SPORT | L4_INV_DPORT | L4_INV_FLAGS | L4_INV_OPTION))
                return nft_compile_unsupported(b, "-m tcp: unknown inversion flags 0x%x", t->invert);
        if ((t->flags_mask | t->flags_cmp) & ~TCP_FLAG_ALL)
                return nft_compile_unsupported(b, "--tcp-flags: only FIN, SYN, RST, PSH, ACK and URG can be tested");
        if (inv_o && t->option == 0)
                return nft_compile_unsupported(b, "--tcp-option: 0 is not a TCP option kind");

        if (sport || tcp_needs_header_read(dport, flags, t->option, inv_o))
                k = compile_ports(b, 0, &t->sport, inv_s);
        if (k >= 0 && dport)
                k = compile_ports(b, 2, &t->dport, inv_d);
        if (k >= 0 && flags)
                k = compile_tcp_flags(b, t->flags_mask, t->flags_cmp, inv_f);
        if (k >= 0 && t->option)
                k = compile_tcp_option(b, t->option, inv_o);
        return k;
}

static int tcp_decompile(NftExprReader *rd, void *data) {
        TcpMatch *t = data;
        bool inv_s = false, inv_d = false, inv_f = false, inv_o = false;
        int s, d;

        t->sport.max = t->dport.max = UINT16_MAX;
        s = read_ports(rd, 0, &t->sport, &inv_s);
        if (s < 0)
                return s;
        d = read_ports(rd, 2, &t->dport, &inv_d);
        if (d < 0)
                return d;
        if (d && !ports_tested(&t->dport, inv_d))
                return -EBADMSG;

        if (next_is(rd, "payload")) {
                uint8_t zero;
                uint32_t op;

                if (nft_read_payload(rd, NFT_PAYLOAD_TRANSPORT_HEADER, TCP_FLAGS_OFFSET, 1, NFT_REG_1) < 0 ||
                    nft_read_bitwise(rd, NFT_REG_1, 1, &t->flags_mask, &zero) < 0 || zero != 0 ||
                    nft_read_cmp(rd, NFT_REG_1, &op, &t->flags_cmp, 1) < 0 || (op != NFT_CMP_EQ && op != NFT_CMP_NEQ) ||
                    ((t->flags_mask | t->flags_cmp) & ~TCP_FLAG_ALL))
                        return -EBADMSG;
                inv_f = op == NFT_CMP_NEQ;
                if (!tcp_flags_tested(t->flags_mask, t->flags_cmp, inv_f))
                        return -EBADMSG;
        }
        if (next_is(rd, "exthdr") && read_tcp_option(rd, &t->option, &inv_o) < 0)
                return -EBADMSG;

        /* a full-range source test only where compile writes one */
        if (s && !ports_tested(&t->sport, inv_s) &&
            !tcp_needs_header_read(d, tcp_flags_tested(t->flags_mask, t->flags_cmp, inv_f), t->option, inv_o))
                return -EBADMSG;
        if (!s && tcp_needs_header_read(d, tcp_flags_tested(t->flags_mask, t->flags_cmp, inv_f), t->option, inv_o))
                return -EBADMSG;
        t->invert = (inv_s ? L4_INV_SPORT : 0) | (inv_d ? L4_INV_DPORT : 0) | (inv_f ? L4_INV_FLAGS : 0) |
                    (inv_o ? L4_INV_OPTION : 0);
        return 0;
}

const NftCodec nft_codec_tcp = { tcp_compile, tcp_decompile };

/* ---- icmp, icmp6 ---- */

static bool icmp_codes_all(uint8_t min, uint8_t max) {
        return min == 0 && max == UINT8_MAX;
}

/*
 * type only:              th+0 (1 byte) == / != type
 * type and codes:         th+0 (2 bytes) == / != type.code, or in / not in type.min - type.max: both
 *                         at once, so that "!" negates the pair as xt_icmp does (nft itself merges
 *                         "icmp type T icmp code C" into this one load)
 * IPv4 type 255 ("any"):  th+0 (1 byte) in / not in 0-255: every ICMP packet that is not a later
 *                         fragment, as xt_icmp's wildcard; inverted, none.
 */
static int icmp_compile_family(NftRuleBuilder *b, const IcmpMatch *m, bool type_any) {
        uint8_t lo[2] = { m->type, m->code_min }, hi[2] = { m->type, m->code_max };
        int k;

        if (m->invert > 1)
                return nft_compile_unsupported(b, "-m icmp: unknown inversion flags 0x%x", m->invert);
        if (m->code_min > m->code_max)
                return nft_compile_unsupported(b, "--icmp-type: code range %u:%u ends before it starts",
                                               m->code_min, m->code_max);

        if (type_any && m->type == ICMP_TYPE_ANY) {
                static const uint8_t from = 0, to = UINT8_MAX;
                k = nft_build_payload(b, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1, NFT_REG_1);
                return k < 0 ? k : nft_build_range(b, NFT_REG_1, m->invert ? NFT_RANGE_NEQ : NFT_RANGE_EQ, &from, &to, 1);
        }
        if (icmp_codes_all(m->code_min, m->code_max)) {
                k = nft_build_payload(b, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1, NFT_REG_1);
                return k < 0 ? k : nft_build_cmp(b, NFT_REG_1, m->invert ? NFT_CMP_NEQ : NFT_CMP_EQ, &m->type, 1);
        }
        k = nft_build_payload(b, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, NFT_REG_1);
        if (k < 0)
                return k;
        if (m->code_min == m->code_max)
                return nft_build_cmp(b, NFT_REG_1, m->invert ? NFT_CMP_NEQ : NFT_CMP_EQ, lo, 2);
        return nft_build_range(b, NFT_REG_1, m->invert ? NFT_RANGE_NEQ : NFT_RANGE_EQ, lo, hi, 2);
}

static int icmp_decompile_family(NftExprReader *rd, IcmpMatch *m, bool type_any) {
        uint8_t lo[2], hi[2];
        uint32_t op;

        if (next_is_payload(rd, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, NFT_REG_1)) {
                /* type and codes */
                (void)nft_read_payload(rd, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, NFT_REG_1);
                if (next_is(rd, "cmp")) {
                        if (nft_read_cmp(rd, NFT_REG_1, &op, lo, 2) < 0 || (op != NFT_CMP_EQ && op != NFT_CMP_NEQ))
                                return -EBADMSG;
                        memcpy(hi, lo, 2);
                        m->invert = op == NFT_CMP_NEQ;
                } else {
                        if (nft_read_range(rd, NFT_REG_1, &op, lo, hi, 2) < 0 ||
                            (op != NFT_RANGE_EQ && op != NFT_RANGE_NEQ) || lo[0] != hi[0] || lo[1] >= hi[1] ||
                            icmp_codes_all(lo[1], hi[1]))
                                return -EBADMSG;
                        m->invert = op == NFT_RANGE_NEQ;
                }
                if (type_any && lo[0] == ICMP_TYPE_ANY)
                        return -EBADMSG;
                m->type = lo[0];
                m->code_min = lo[1];
                m->code_max = hi[1];
                return 0;
        }

        if (nft_read_payload(rd, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1, NFT_REG_1) < 0)
                return -EBADMSG;
        m->code_min = 0;
        m->code_max = UINT8_MAX;
        if (next_is(rd, "range")) {
                if (!type_any || nft_read_range(rd, NFT_REG_1, &op, lo, hi, 1) < 0 ||
                    (op != NFT_RANGE_EQ && op != NFT_RANGE_NEQ) || !icmp_codes_all(lo[0], hi[0]))
                        return -EBADMSG;
                m->type = ICMP_TYPE_ANY;
                m->invert = op == NFT_RANGE_NEQ;
                return 0;
        }
        if (nft_read_cmp(rd, NFT_REG_1, &op, &m->type, 1) < 0 || (op != NFT_CMP_EQ && op != NFT_CMP_NEQ) ||
            (type_any && m->type == ICMP_TYPE_ANY))
                return -EBADMSG;
        m->invert = op == NFT_CMP_NEQ;
        return 0;
}

static int icmp_compile(NftRuleBuilder *b, const void *data) {
        return icmp_compile_family(b, data, true);
}

static int icmp_decompile(NftExprReader *rd, void *data) {
        return icmp_decompile_family(rd, data, true);
}

/* ICMPv6 has no wildcard type: 255 is a type like any other (xt_icmp6). */
static int icmp6_compile(NftRuleBuilder *b, const void *data) {
        return icmp_compile_family(b, data, false);
}

static int icmp6_decompile(NftExprReader *rd, void *data) {
        return icmp_decompile_family(rd, data, false);
}

const NftCodec nft_codec_icmp = { icmp_compile, icmp_decompile };
const NftCodec nft_codec_icmp6 = { icmp6_compile, icmp6_decompile };

/* ---- multiport ---- */

/*
 * The ports go in an interval set of inet_service, looked up from
 * th+0 (--sports) or th+2 (--dports); "!" is the inverted lookup. The
 * set's userdata keeps the list as written (order, duplicates, and
 * which items were ranges), which the merged elements cannot say, as
 * one TLV nft's userdata parser skips:
 *
 *   type MULTIPORT_UDATA_TYPE, length, version, n_ports, ranges (2 bytes, big endian), ports (2 bytes each)
 *
 * --ports (source or destination) is a lookup of sport . dport in a
 * concatenated interval set (nft's and iptables-translate's form).
 */
#define MULTIPORT_UDATA_TYPE NFT_UDATA_NFWALL
#define MULTIPORT_UDATA_VERSION 1
#define MULTIPORT_UDATA_MAX (2 + 4 + 2 * MULTIPORT_MAX)

/* Merged port intervals of a list: at most one per slot. */
typedef struct PortIntervals {
        PortRange items[MULTIPORT_MAX];
        unsigned n;
} PortIntervals;

/* Whether the payload is a list the parser could have made. */
static bool multiport_valid(const MultiportMatch *m) {
        if (m->n_ports == 0 || m->n_ports > MULTIPORT_MAX || m->dir >= _MULTIPORT_DIR_MAX || m->invert > 1 ||
            (m->ranges >> m->n_ports) != 0)
                return false;
        for (unsigned i = 0; i < m->n_ports; i++)
                if (m->ranges & (1u << i)) {
                        if (i + 1 >= m->n_ports || m->ports[i] >= m->ports[i + 1] || (m->ranges & (1u << (i + 1))))
                                return false;
                        i++;
                }
        return true;
}

static int port_range_cmp(const void *a, const void *b) {
        const PortRange *x = a, *y = b;

        return x->min != y->min ? (x->min < y->min ? -1 : 1) : (x->max < y->max ? -1 : x->max > y->max);
}

/* Sorted, with overlapping and adjacent items merged: what the kernel's interval sets want. */
static void multiport_intervals(const MultiportMatch *m, PortIntervals *ret) {
        PortRange items[MULTIPORT_MAX];
        unsigned n = 0;

        for (unsigned i = 0; i < m->n_ports; i++) {
                items[n].min = items[n].max = m->ports[i];
                if (m->ranges & (1u << i))
                        items[n].max = m->ports[++i];
                n++;
        }
        qsort(items, n, sizeof(items[0]), port_range_cmp);
        ret->n = 0;
        for (unsigned i = 0; i < n; i++) {
                PortRange *last = ret->n ? &ret->items[ret->n - 1] : NULL;
                if (last && (uint32_t)items[i].min <= (uint32_t)last->max + 1) {
                        if (items[i].max > last->max)
                                last->max = items[i].max;
                } else
                        ret->items[ret->n++] = items[i];
        }
}

static void put_port(uint8_t *p, uint16_t port) {
        p[0] = port >> 8;
        p[1] = port & 0xff;
}

static uint16_t get_port(const uint8_t *p) {
        return (uint16_t)(p[0] << 8 | p[1]);
}

/* sport . dport: each field in its own 4-byte register slot. */
static void concat_element(NftSetElement *e, PortRange s, PortRange d) {
        *e = (NftSetElement){};
        put_port(e->key, s.min);
        put_port(e->key + 4, d.min);
        put_port(e->key_end, s.max);
        put_port(e->key_end + 4, d.max);
}

static int element_cmp(const void *a, const void *b) {
        const NftSetElement *x = a, *y = b;
        int c = memcmp(x->key, y->key, sizeof(x->key));

        return c ? c : memcmp(x->key_end, y->key_end, sizeof(x->key_end));
}

/* Enough for the largest --ports set: 15 intervals, and 16 gaps times 15 intervals. */
#define MULTIPORT_MAX_ELEMENTS (MULTIPORT_MAX + (MULTIPORT_MAX + 1) * MULTIPORT_MAX)

/*
 * The set for the payload: elements (caller's array of MULTIPORT_MAX_ELEMENTS),
 * sorted, and the userdata (caller's MULTIPORT_UDATA_MAX bytes).
 */
static void multiport_set_spec(const MultiportMatch *m, NftSetElement *elements, uint8_t *udata, NftSetSpec *ret) {
        static const PortRange all = { 0, UINT16_MAX };
        NftSetSpec spec = { .key_type = NFT_TYPE_INET_SERVICE, .key_len = 2, .flags = NFT_SET_SPEC_INTERVAL };
        PortIntervals iv;
        size_t n = 0;
        uint8_t *u = udata;

        multiport_intervals(m, &iv);
        if (m->dir != MULTIPORT_EITHER) {
                for (unsigned i = 0; i < iv.n; i++) {
                        elements[n] = (NftSetElement){};
                        put_port(elements[n].key, iv.items[i].min);
                        put_port(elements[n].key_end, iv.items[i].max);
                        n++;
                }
        } else {
                spec.key_type = NFT_TYPE_INET_SERVICE << NFT_TYPE_BITS | NFT_TYPE_INET_SERVICE;
                spec.key_len = 8;
                spec.field_len[0] = spec.field_len[1] = 2;
                spec.n_fields = 2;
                spec.flags |= NFT_SET_SPEC_CONCAT;
                if (iv.items[0].min != 0 && iv.items[iv.n - 1].max != UINT16_MAX) {
                        /*
                         * iptables-translate's form: p . any and any . p. They overlap,
                         * which the kernel allows as long as no element starts or ends
                         * inside another: true unless a port is 0 or 65535.
                         */
                        for (unsigned i = 0; i < iv.n; i++) {
                                concat_element(&elements[n++], all, iv.items[i]);
                                concat_element(&elements[n++], iv.items[i], all);
                        }
                } else {
                        /*
                         * Otherwise (the kernel refuses "0 . any" next to "any . 0" with
                         * EEXIST) disjoint pieces of the same union: p . any, and
                         * (every gap between the ports) . p.
                         */
                        uint32_t next = 0;
                        for (unsigned i = 0; i <= iv.n; i++) {
                                uint32_t end = i < iv.n ? iv.items[i].min : (uint32_t)UINT16_MAX + 1;
                                if (next < end) {
                                        PortRange gap = { (uint16_t)next, (uint16_t)(end - 1) };
                                        for (unsigned j = 0; j < iv.n; j++)
                                                concat_element(&elements[n++], gap, iv.items[j]);
                                }
                                if (i < iv.n) {
                                        concat_element(&elements[n++], iv.items[i], all);
                                        next = (uint32_t)iv.items[i].max + 1;
                                }
                        }
                }
        }
        qsort(elements, n, sizeof(NftSetElement), element_cmp);
        spec.elements = elements;
        spec.n_elements = n;

        *u++ = MULTIPORT_UDATA_TYPE;
        *u++ = (uint8_t)(4 + 2 * m->n_ports);
        *u++ = MULTIPORT_UDATA_VERSION;
        *u++ = m->n_ports;
        put_port(u, m->ranges);
        u += 2;
        for (unsigned i = 0; i < m->n_ports; i++, u += 2)
                put_port(u, m->ports[i]);
        spec.udata = udata;
        spec.udata_len = (uint32_t)(u - udata);
        *ret = spec;
}

static int multiport_compile(NftRuleBuilder *b, const void *data) {
        const MultiportMatch *m = data;
        _cleanup_free_ NftSetElement *elements = NULL;
        uint8_t udata[MULTIPORT_UDATA_MAX];
        NftSetSpec spec;
        int k;

        if (!multiport_valid(m))
                return nft_compile_unsupported(b, "-m multiport: not a port list iptables could have written");
        elements = calloc(MULTIPORT_MAX_ELEMENTS, sizeof(NftSetElement));
        if (!elements)
                return -ENOMEM;
        multiport_set_spec(m, elements, udata, &spec);

        k = nft_build_payload(b, NFT_PAYLOAD_TRANSPORT_HEADER, m->dir == MULTIPORT_DESTINATION ? 2 : 0, 2, NFT_REG_1);
        if (k >= 0 && m->dir == MULTIPORT_EITHER)
                k = nft_build_payload(b, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_01);
        if (k >= 0)
                k = nft_build_lookup(b, NFT_REG_1, &spec, m->invert);
        return k;
}

/* The written list from the set's userdata. */
static int multiport_read_udata(const NftSetSpec *spec, MultiportMatch *m) {
        const uint8_t *u = spec->udata;
        unsigned n;

        if (!u || spec->udata_len < 6 || u[0] != MULTIPORT_UDATA_TYPE || u[1] != spec->udata_len - 2 ||
            u[2] != MULTIPORT_UDATA_VERSION)
                return -EBADMSG;
        n = u[3];
        if (n == 0 || n > MULTIPORT_MAX || spec->udata_len != 6 + 2 * n)
                return -EBADMSG;
        m->n_ports = (uint8_t)n;
        m->ranges = get_port(u + 4);
        for (unsigned i = 0; i < n; i++)
                m->ports[i] = get_port(u + 6 + 2 * i);
        return multiport_valid(m) ? 0 : -EBADMSG;
}

static bool multiport_proto_ok(const Rule *r) {
        if (!r || !(r->flags & RULE_HAS_PROTO) || (r->flags & RULE_INV_PROTO))
                return false;
        switch (r->proto) {
        case IPPROTO_TCP:
        case IPPROTO_UDP:
        case IPPROTO_UDPLITE:
        case IPPROTO_SCTP:
        case IPPROTO_DCCP:
                return true;
        }
        return false;
}

static int multiport_decompile(NftExprReader *rd, void *data) {
        _cleanup_free_ NftSetElement *want = NULL, *got = NULL;
        MultiportMatch *m = data;
        uint8_t udata[MULTIPORT_UDATA_MAX];
        NftSetSpec spec = {}, expected;
        bool invert;
        int r;

        if (next_is_payload(rd, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, NFT_REG_1)) {
                (void)nft_read_payload(rd, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, NFT_REG_1);
                m->dir = MULTIPORT_SOURCE;
                if (next_is(rd, "payload")) {
                        if (nft_read_payload(rd, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_01) < 0)
                                return -EBADMSG;
                        m->dir = MULTIPORT_EITHER;
                }
        } else if (nft_read_payload(rd, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1) == 0)
                m->dir = MULTIPORT_DESTINATION;
        else
                return -EBADMSG;
        if (!multiport_proto_ok(rd->model))
                return -EBADMSG;
        m->proto = rd->model->proto;

        r = nft_read_lookup(rd, NFT_REG_1, &spec, &invert);
        if (r < 0)
                return r;
        m->invert = invert;
        r = multiport_read_udata(&spec, m);
        if (r < 0)
                goto out;

        /* the elements must be those of the written list, in whatever order they were dumped */
        want = calloc(MULTIPORT_MAX_ELEMENTS, sizeof(NftSetElement));
        got = spec.n_elements ? calloc(spec.n_elements, sizeof(NftSetElement)) : NULL;
        if (!want || (spec.n_elements && !got)) {
                r = -ENOMEM;
                goto out;
        }
        multiport_set_spec(m, want, udata, &expected);
        memcpy(got, spec.elements, spec.n_elements * sizeof(NftSetElement));
        qsort(got, spec.n_elements, sizeof(NftSetElement), element_cmp);
        if (spec.key_type != expected.key_type || spec.key_len != expected.key_len || spec.flags != expected.flags ||
            spec.n_fields != expected.n_fields || memcmp(spec.field_len, expected.field_len, sizeof(spec.field_len)) ||
            spec.n_elements != expected.n_elements ||
            memcmp(got, want, expected.n_elements * sizeof(NftSetElement)))
                r = -EBADMSG;
out:
        nft_set_spec_done(&spec);
        return r;
}

const NftCodec nft_codec_multiport = { multiport_compile, multiport_decompile };
