/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft-ext-target: REJECT, LOG, NFLOG, TCPMSS, TOS, DSCP, TTL and HL as
 * native nf_tables expressions, encoded the way nft encodes its own
 * "reject", "log", "tcp option maxseg size set", "ip dscp set" and
 * "ip ttl set" (netfilter-notes §5), and with every attribute the kernel
 * dumps back, so that a rule read back is the rule we wrote.
 *
 * Terminal or not as in iptables: reject drops (the kernel's reject
 * expression sets NF_DROP, as ipt_REJECT returns it); the others write
 * or log and leave the verdict alone, so the chain goes on with the next
 * rule, as after XT_CONTINUE.
 *
 * TTL --ttl-inc/--ttl-dec and HL --hl-inc/--hl-dec: nf_tables has no
 * arithmetic on packet data (bitwise is and/xor/shift, no add), so the
 * byte goes through a map from its old to its new value, one per table
 * and amount, shared like every set.
 */

#include <arpa/inet.h>
#include <string.h>

#include <linux/netfilter/nf_log.h>

#include "ext-target.h"
#include "nft-ext-list.h"

_Static_assert((int)REJECT_ICMP == (int)NFT_REJECT_ICMP_UNREACH && (int)REJECT_TCP_RST == (int)NFT_REJECT_TCP_RST,
               "RejectType follows nf_tables' reject types");
_Static_assert(LOG_FLAG_TCPSEQ == NF_LOG_TCPSEQ && LOG_FLAG_TCPOPT == NF_LOG_TCPOPT &&
                       LOG_FLAG_IPOPT == NF_LOG_IPOPT && LOG_FLAG_UID == NF_LOG_UID &&
                       LOG_FLAG_MACDECODE == NF_LOG_MACDECODE,
               "LogFlags follow the kernel's NF_LOG_*");

#define LOG_FLAGS_ALL (LOG_FLAG_TCPSEQ | LOG_FLAG_TCPOPT | LOG_FLAG_IPOPT | LOG_FLAG_UID | LOG_FLAG_MACDECODE)

/* TCP's maximum segment size option (kind 2): its 2-byte value sits at offset 2. */
#define TCPOPT_MAXSEG_KIND 2
#define TCP_FLAGS_OFFSET 13
#define TCP_FLAG_SYN 0x02

/* IPv4 header: the TOS byte is at 1, TTL at 8, the header checksum at 10. IPv6: hop limit at 7. */
#define IPV4_TTL_OFFSET 8
#define IPV4_CSUM_OFFSET 10
#define IPV6_HOPLIMIT_OFFSET 7

static uint32_t get_u32_or(const struct nftnl_expr *e, uint16_t attr, uint32_t dflt) {
        return nftnl_expr_is_set(e, attr) ? nftnl_expr_get_u32(e, attr) : dflt;
}

/* A string attribute, or NULL. */
static const char *get_str(const struct nftnl_expr *e, uint16_t attr) {
        return nftnl_expr_is_set(e, attr) ? nftnl_expr_get_str(e, attr) : NULL;
}

/* ---- REJECT ---- */

static int reject_compile(NftRuleBuilder *b, const void *data) {
        const TargetReject *r = data;
        struct nftnl_expr *e = nft_expr_new(b, "reject");

        if (!e)
                return -ENOMEM;
        nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, r->type);
        /* the kernel keeps (and dumps) a code only for ICMP */
        if (r->type == REJECT_ICMP)
                nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, r->code);
        return 0;
}

static int reject_decompile(NftExprReader *rd, void *data) {
        const struct nftnl_expr *e = nft_read_expr(rd, "reject");
        TargetReject r = {};

        if (!e || !nftnl_expr_is_set(e, NFTNL_EXPR_REJECT_TYPE))
                return -EBADMSG;
        switch (nftnl_expr_get_u32(e, NFTNL_EXPR_REJECT_TYPE)) {
        case NFT_REJECT_ICMP_UNREACH:
                if (!nftnl_expr_is_set(e, NFTNL_EXPR_REJECT_CODE))
                        return -EBADMSG;
                r = (TargetReject){ REJECT_ICMP, nftnl_expr_get_u8(e, NFTNL_EXPR_REJECT_CODE) };
                break;
        case NFT_REJECT_TCP_RST:
                if (nftnl_expr_is_set(e, NFTNL_EXPR_REJECT_CODE))
                        return -EBADMSG;
                r = (TargetReject){ REJECT_TCP_RST, 0 };
                break;
        default:
                return -EBADMSG; /* ICMPX is for inet tables, never ours */
        }
        /* only what --reject-with can say: the printer has a name for nothing else */
        if (!reject_is_known(rd->family, &r))
                return -EBADMSG;
        *(TargetReject *)data = r;
        return 0;
}

const NftCodec nft_codec_REJECT = { reject_compile, reject_decompile };

/* ---- LOG and NFLOG: the log expression, to syslog or (with a group) to nfnetlink_log ---- */

static int log_compile(NftRuleBuilder *b, const void *data) {
        const TargetLog *l = data;
        struct nftnl_expr *e = nft_expr_new(b, "log");

        if (!e)
                return -ENOMEM;
        if (l->prefix[0])
                nftnl_expr_set_str(e, NFTNL_EXPR_LOG_PREFIX, l->prefix);
        /* the kernel dumps the level even when it was left to its default (4, as LOG's) */
        nftnl_expr_set_u32(e, NFTNL_EXPR_LOG_LEVEL, l->level);
        if (l->flags)
                nftnl_expr_set_u32(e, NFTNL_EXPR_LOG_FLAGS, l->flags);
        return 0;
}

/* A prefix attribute as we set it: absent for none, else 1..max characters on one line. */
static int read_prefix(const struct nftnl_expr *e, char *buf, size_t max) {
        const char *prefix = get_str(e, NFTNL_EXPR_LOG_PREFIX);
        size_t len;

        if (!prefix)
                return 0;
        len = strlen(prefix);
        if (len == 0 || len > max || strchr(prefix, '\n'))
                return -EBADMSG;
        memcpy(buf, prefix, len + 1);
        return 0;
}

static int log_decompile(NftExprReader *rd, void *data) {
        const struct nftnl_expr *e = nft_read_expr(rd, "log");
        TargetLog *l = data;
        uint32_t level, flags;

        if (!e || nftnl_expr_is_set(e, NFTNL_EXPR_LOG_GROUP) || nftnl_expr_is_set(e, NFTNL_EXPR_LOG_SNAPLEN) ||
            nftnl_expr_is_set(e, NFTNL_EXPR_LOG_QTHRESHOLD) || !nftnl_expr_is_set(e, NFTNL_EXPR_LOG_LEVEL))
                return -EBADMSG;
        level = nftnl_expr_get_u32(e, NFTNL_EXPR_LOG_LEVEL);
        flags = get_u32_or(e, NFTNL_EXPR_LOG_FLAGS, 0);
        /* 8 is nft's "audit", no syslog level */
        if (level > 7 || (flags & ~(uint32_t)LOG_FLAGS_ALL) ||
            (nftnl_expr_is_set(e, NFTNL_EXPR_LOG_FLAGS) && flags == 0))
                return -EBADMSG;
        if (read_prefix(e, l->prefix, LOG_PREFIX_MAX) < 0)
                return -EBADMSG;
        l->level = (uint8_t)level;
        l->flags = (uint8_t)flags;
        return 0;
}

const NftCodec nft_codec_LOG = { log_compile, log_decompile };

static int nflog_compile(NftRuleBuilder *b, const void *data) {
        const TargetNflog *n = data;
        struct nftnl_expr *e = nft_expr_new(b, "log");

        if (!e)
                return -ENOMEM;
        if (n->prefix[0])
                nftnl_expr_set_str(e, NFTNL_EXPR_LOG_PREFIX, n->prefix);
        nftnl_expr_set_u16(e, NFTNL_EXPR_LOG_GROUP, n->group);
        /* as xt_NFLOG: a size (0 too) only when given; else the whole packet */
        if (n->has_size)
                nftnl_expr_set_u32(e, NFTNL_EXPR_LOG_SNAPLEN, n->size);
        /* 0 is the kernel's default, which it does not dump */
        if (n->threshold)
                nftnl_expr_set_u16(e, NFTNL_EXPR_LOG_QTHRESHOLD, n->threshold);
        return 0;
}

static int nflog_decompile(NftExprReader *rd, void *data) {
        const struct nftnl_expr *e = nft_read_expr(rd, "log");
        TargetNflog *n = data;

        if (!e || !nftnl_expr_is_set(e, NFTNL_EXPR_LOG_GROUP) || nftnl_expr_is_set(e, NFTNL_EXPR_LOG_LEVEL) ||
            nftnl_expr_is_set(e, NFTNL_EXPR_LOG_FLAGS))
                return -EBADMSG;
        if (read_prefix(e, n->prefix, NFLOG_PREFIX_MAX) < 0)
                return -EBADMSG;
        n->group = nftnl_expr_get_u16(e, NFTNL_EXPR_LOG_GROUP);
        if (nftnl_expr_is_set(e, NFTNL_EXPR_LOG_SNAPLEN)) {
                n->size = nftnl_expr_get_u32(e, NFTNL_EXPR_LOG_SNAPLEN);
                n->has_size = true;
        }
        if (nftnl_expr_is_set(e, NFTNL_EXPR_LOG_QTHRESHOLD)) {
                n->threshold = nftnl_expr_get_u16(e, NFTNL_EXPR_LOG_QTHRESHOLD);
                if (n->threshold == 0)
                        return -EBADMSG;
        }
        return 0;
}

const NftCodec nft_codec_NFLOG = { nflog_compile, nflog_decompile };

/* ---- Writing packet headers ---- */

/* A payload write of the network header from NFT_REG_1, with the checksum fix-up nft uses for it. */
static int build_payload_write(NftRuleBuilder *b, uint32_t offset, uint32_t len, bool ipv4_csum) {
        struct nftnl_expr *e = nft_expr_new(b, "payload");

        if (!e)
                return -ENOMEM;
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_NETWORK_HEADER);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
        /* all three, as the kernel dumps them */
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_CSUM_TYPE, ipv4_csum ? NFT_PAYLOAD_CSUM_INET : NFT_PAYLOAD_CSUM_NONE);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_CSUM_OFFSET, ipv4_csum ? IPV4_CSUM_OFFSET : 0);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_FLAGS, 0);
        return 0;
}

static int read_payload_write(NftExprReader *rd, uint32_t offset, uint32_t len, bool ipv4_csum) {
        const struct nftnl_expr *e = nft_read_expr(rd, "payload");

        if (!e || nftnl_expr_is_set(e, NFTNL_EXPR_PAYLOAD_DREG) || get_u32_or(e, NFTNL_EXPR_PAYLOAD_SREG, 0) != NFT_REG_1 ||
            get_u32_or(e, NFTNL_EXPR_PAYLOAD_BASE, UINT32_MAX) != NFT_PAYLOAD_NETWORK_HEADER ||
            get_u32_or(e, NFTNL_EXPR_PAYLOAD_OFFSET, UINT32_MAX) != offset ||
            get_u32_or(e, NFTNL_EXPR_PAYLOAD_LEN, 0) != len ||
            get_u32_or(e, NFTNL_EXPR_PAYLOAD_CSUM_TYPE, NFT_PAYLOAD_CSUM_NONE) !=
                    (ipv4_csum ? NFT_PAYLOAD_CSUM_INET : NFT_PAYLOAD_CSUM_NONE) ||
            get_u32_or(e, NFTNL_EXPR_PAYLOAD_CSUM_OFFSET, 0) != (ipv4_csum ? IPV4_CSUM_OFFSET : 0) ||
            get_u32_or(e, NFTNL_EXPR_PAYLOAD_FLAGS, 0) != 0)
                return -EBADMSG;
        return 0;
}

/*
 * Two header bytes at offset become (bytes & mask) ^ xor: load, bitwise,
 * write back. Two, at an even offset, even for one byte: the kernel folds
 * the IPv4 header checksum in 16-bit words, which is why nft writes
 * "ip dscp" and "ip ttl" this way too.
 */
static int build_rewrite16(NftRuleBuilder *b, uint32_t offset, const uint8_t mask[2], const uint8_t xor[2]) {
        bool ipv4 = b->family == FAMILY_IPV4;
        int r;

        r = nft_build_payload(b, NFT_PAYLOAD_NETWORK_HEADER, offset, 2, NFT_REG_1);
        if (r >= 0)
                r = nft_build_bitwise(b, NFT_REG_1, 2, mask, xor);
        if (r >= 0)
                r = build_payload_write(b, offset, 2, ipv4);
        return r;
}

static int read_rewrite16(NftExprReader *rd, uint32_t offset, uint8_t ret_mask[2], uint8_t ret_xor[2]) {
        if (nft_read_payload(rd, NFT_PAYLOAD_NETWORK_HEADER, offset, 2, NFT_REG_1) < 0 ||
            nft_read_bitwise(rd, NFT_REG_1, 2, ret_mask, ret_xor) < 0 ||
            read_payload_write(rd, offset, 2, rd->family == FAMILY_IPV4) < 0)
                return -EBADMSG;
        return 0;
}

/*
 * The TOS byte (IPv4) or traffic class (IPv6) becomes (tos & ~mask) ^
 * value, as xt_DSCP's tos_tg does. In IPv6 the class straddles the first
 * two bytes, after the 4-bit version and before the flow label.
 */
static int tos_rewrite_compile(NftRuleBuilder *b, uint8_t value, uint8_t mask) {
        uint8_t keep = (uint8_t)~mask;

        if (b->family == FAMILY_IPV6)
                return build_rewrite16(b, 0, (const uint8_t[2]){ 0xf0 | keep >> 4, (uint8_t)(keep << 4) | 0x0f },
                                       (const uint8_t[2]){ value >> 4, (uint8_t)(value << 4) });
        return build_rewrite16(b, 0, (const uint8_t[2]){ 0xff, keep }, (const uint8_t[2]){ 0x00, value });
}

static int tos_rewrite_decompile(NftExprReader *rd, uint8_t *ret_value, uint8_t *ret_mask) {
        uint8_t m[2], x[2], keep;

        if (read_rewrite16(rd, 0, m, x) < 0)
                return -EBADMSG;
        if (rd->family == FAMILY_IPV6) {
                /* version and flow label kept, nothing xored into them */
                if ((m[0] & 0xf0) != 0xf0 || (m[1] & 0x0f) != 0x0f || (x[0] & 0xf0) || (x[1] & 0x0f))
                        return -EBADMSG;
                keep = (uint8_t)(m[0] << 4 | m[1] >> 4);
                *ret_value = (uint8_t)(x[0] << 4 | x[1] >> 4);
        } else {
                if (m[0] != 0xff || x[0] != 0)
                        return -EBADMSG;
                keep = m[1];
                *ret_value = x[1];
        }
        *ret_mask = (uint8_t)~keep;
        return 0;
}

static int tos_compile(NftRuleBuilder *b, const void *data) {
        const TargetTos *t = data;

        return tos_rewrite_compile(b, t->value, t->mask);
}

static int tos_decompile(NftExprReader *rd, void *data) {
        TargetTos *t = data;

        return tos_rewrite_decompile(rd, &t->value, &t->mask);
}

const NftCodec nft_codec_TOS = { tos_compile, tos_decompile };

/* DSCP: the upper six bits of the TOS byte, the two ECN bits kept; nft's "ip dscp set". */
#define DSCP_SHIFT 2
#define DSCP_TOS_MASK 0xfc

static int dscp_compile(NftRuleBuilder *b, const void *data) {
        const TargetDscp *d = data;

        return tos_rewrite_compile(b, (uint8_t)(d->dscp << DSCP_SHIFT), DSCP_TOS_MASK);
}

static int dscp_decompile(NftExprReader *rd, void *data) {
        TargetDscp *d = data;
        uint8_t value, mask;

        if (tos_rewrite_decompile(rd, &value, &mask) < 0 || mask != DSCP_TOS_MASK || (value & ~DSCP_TOS_MASK))
                return -EBADMSG;
        d->dscp = value >> DSCP_SHIFT;
        return 0;
}

const NftCodec nft_codec_DSCP = { dscp_compile, dscp_decompile };

/* nft's datatype number for plain integers: the keys and values of the TTL and HL maps. */
#define NFT_TYPE_INTEGER 4

/*
 * The map for --ttl-inc/--ttl-dec N (and HL's), as xt_HL computes the new
 * value: saturated at 255 and at 0. A value the target leaves as it is
 * (255 up, 0 down) has no entry: the lookup misses and ends the rule
 * there, after its counter and with no verdict to skip, so the packet
 * goes on unwritten, as xt_HL leaves it. Elements in key order.
 */
static size_t ttl_map_elements(uint8_t mode, uint8_t amount, NftSetElement ret[256]) {
        size_t n = 0;

        for (int v = 0; v < 256; v++) {
                int to = mode == TTL_INC ? MIN(v + amount, 255) : MAX(v - amount, 0);

                if (to == v)
                        continue;
                ret[n] = (NftSetElement){};
                ret[n].key[0] = ret[n].key_end[0] = (uint8_t)v;
                ret[n].data[0] = (uint8_t)to;
                n++;
        }
        return n;
}

/*
 * Load the byte, map it, write it back: one byte, at an even offset for
 * IPv4's TTL (8), so the kernel's checksum update of the written bytes
 * lines up with the header's 16-bit words.
 */
static int ttl_map_compile(NftRuleBuilder *b, const TargetTtl *t, uint32_t offset, bool ipv4_csum) {
        NftSetElement elements[256];
        NftSetSpec spec = {
                .key_type = NFT_TYPE_INTEGER,
                .key_len = 1,
                .data_type = NFT_TYPE_INTEGER,
                .data_len = 1,
                .elements = elements,
                .n_elements = ttl_map_elements(t->mode, t->value, elements),
        };
        int r;

        r = nft_build_payload(b, NFT_PAYLOAD_NETWORK_HEADER, offset, 1, NFT_REG_1);
        if (r >= 0)
                r = nft_build_map(b, NFT_REG_1, NFT_REG_1, &spec);
        if (r >= 0)
                r = build_payload_write(b, offset, 1, ipv4_csum);
        return r;
}

static int ttl_map_decompile(NftExprReader *rd, uint32_t offset, bool ipv4_csum, TargetTtl *ret) {
        _cleanup_(nft_set_spec_done) NftSetSpec spec = {};
        NftSetElement want[256];
        uint8_t mode, amount;

        if (nft_read_payload(rd, NFT_PAYLOAD_NETWORK_HEADER, offset, 1, NFT_REG_1) < 0 ||
            nft_read_map(rd, NFT_REG_1, NFT_REG_1, &spec) < 0 || read_payload_write(rd, offset, 1, ipv4_csum) < 0)
                return -EBADMSG;
        if (spec.key_len != 1 || spec.data_len != 1 || spec.flags != 0 || spec.udata_len != 0 || spec.n_elements == 0)
                return -EBADMSG;
        /* up maps 0 to the amount; down maps 255 to 255 - amount, and has no 0 */
        if (spec.elements[0].key[0] == 0) {
                mode = TTL_INC;
                amount = spec.elements[0].data[0];
        } else {
                mode = TTL_DEC;
                amount = (uint8_t)(255 - spec.elements[spec.n_elements - 1].data[0]);
        }
        if (amount == 0 || ttl_map_elements(mode, amount, want) != spec.n_elements ||
            memcmp(want, spec.elements, spec.n_elements * sizeof(NftSetElement)) != 0)
                return -EBADMSG;
        *ret = (TargetTtl){ mode, amount };
        return 0;
}

/* Whether the target's expressions start with a one-byte load: the map form. */
static bool next_is_byte_load(const NftExprReader *rd, uint32_t offset) {
        NftExprReader probe = *rd;

        return nft_read_payload(&probe, NFT_PAYLOAD_NETWORK_HEADER, offset, 1, NFT_REG_1) == 0;
}

/* IPv4: setting writes TTL and protocol as one 16-bit word for the checksum, as nft writes "ip ttl set". */
static int ttl_compile(NftRuleBuilder *b, const void *data) {
        const TargetTtl *t = data;

        if (t->mode != TTL_SET)
                return ttl_map_compile(b, t, IPV4_TTL_OFFSET, true);
        return build_rewrite16(b, IPV4_TTL_OFFSET, (const uint8_t[2]){ 0x00, 0xff },
                               (const uint8_t[2]){ t->value, 0x00 });
}

static int ttl_decompile(NftExprReader *rd, void *data) {
        TargetTtl *t = data;
        uint8_t m[2], x[2];

        if (next_is_byte_load(rd, IPV4_TTL_OFFSET))
                return ttl_map_decompile(rd, IPV4_TTL_OFFSET, true, t);
        if (read_rewrite16(rd, IPV4_TTL_OFFSET, m, x) < 0 || m[0] != 0x00 || m[1] != 0xff || x[1] != 0)
                return -EBADMSG;
        *t = (TargetTtl){ TTL_SET, x[0] };
        return 0;
}

const NftCodec nft_codec_TTL = { ttl_compile, ttl_decompile };

/* IPv6 has no header checksum: the hop limit is written alone, as nft's "ip6 hoplimit set". */
static int hl_compile(NftRuleBuilder *b, const void *data) {
        const TargetTtl *t = data;
        int r;

        if (t->mode != TTL_SET)
                return ttl_map_compile(b, t, IPV6_HOPLIMIT_OFFSET, false);
        r = nft_build_immediate(b, NFT_REG_1, &t->value, 1);
        return r < 0 ? r : build_payload_write(b, IPV6_HOPLIMIT_OFFSET, 1, false);
}

static int hl_decompile(NftExprReader *rd, void *data) {
        TargetTtl *t = data;
        uint8_t v;

        if (next_is_byte_load(rd, IPV6_HOPLIMIT_OFFSET))
                return ttl_map_decompile(rd, IPV6_HOPLIMIT_OFFSET, false, t);
        if (nft_read_immediate(rd, NFT_REG_1, &v, 1) < 0 || read_payload_write(rd, IPV6_HOPLIMIT_OFFSET, 1, false) < 0)
                return -EBADMSG;
        *t = (TargetTtl){ TTL_SET, v };
        return 0;
}

const NftCodec nft_codec_HL = { hl_compile, hl_decompile };

/* ---- TCPMSS ---- */

/*
 * [tcp flags & syn == syn] [new MSS → reg 1] [exthdr write tcpopt maxseg].
 *
 * xt_TCPMSS rewrites whatever packet reaches it and relies on the rule to
 * match SYNs only (iptables-legacy refuses a rule without such a match;
 * iptables-nft does not check, and then adds an MSS option to every
 * segment without payload). The SYN test here keeps it to SYNs whatever
 * the rule says. The kernel's tcp option write never raises the MSS, as
 * xt_TCPMSS; --clamp-mss-to-pmtu is nft's "rt mtu", the smaller of the
 * route's MTU and the reverse route's, less 40 (IPv4) or 60 (IPv6), as
 * xt_TCPMSS computes it.
 *
 * What nf_tables cannot do: add the option to a SYN that has none
 * (xt_TCPMSS adds one of at most 536, or 1220 for IPv6).
 */
static int tcpmss_compile(NftRuleBuilder *b, const void *data) {
        const TargetTcpmss *t = data;
        static const uint8_t syn = TCP_FLAG_SYN, zero = 0;
        struct nftnl_expr *e;
        int r;

        r = nft_build_payload(b, NFT_PAYLOAD_TRANSPORT_HEADER, TCP_FLAGS_OFFSET, 1, NFT_REG_1);
        if (r >= 0)
                r = nft_build_bitwise(b, NFT_REG_1, 1, &syn, &zero);
        if (r >= 0)
                r = nft_build_cmp(b, NFT_REG_1, NFT_CMP_EQ, &syn, 1);
        if (r < 0)
                return r;

        if (t->clamp_pmtu) {
                e = nft_expr_new(b, "rt");
                if (!e)
                        return -ENOMEM;
                nftnl_expr_set_u32(e, NFTNL_EXPR_RT_KEY, NFT_RT_TCPMSS);
                nftnl_expr_set_u32(e, NFTNL_EXPR_RT_DREG, NFT_REG_1);
                /* rt gives the MSS in host order; the option holds it in network order */
                e = nft_expr_new(b, "byteorder");
                if (!e)
                        return -ENOMEM;
                nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SREG, NFT_REG_1);
                nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_DREG, NFT_REG_1);
                nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_OP, NFT_BYTEORDER_HTON);
                nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_LEN, 2);
                nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SIZE, 2);
        } else {
                uint16_t mss = htons(t->mss);

                r = nft_build_immediate(b, NFT_REG_1, &mss, sizeof(mss));
                if (r < 0)
                        return r;
        }

        e = nft_expr_new(b, "exthdr");
        if (!e)
                return -ENOMEM;
        /* no NFTA_EXTHDR_FLAGS: the kernel refuses them on a write (it dumps them as 0) */
        nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_SREG, NFT_REG_1);
        nftnl_expr_set_u8(e, NFTNL_EXPR_EXTHDR_TYPE, TCPOPT_MAXSEG_KIND);
        nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_OFFSET, 2);
        nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_LEN, 2);
        nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_OP, NFT_EXTHDR_OP_TCPOPT);
        return 0;
}

static int tcpmss_decompile(NftExprReader *rd, void *data) {
        TargetTcpmss *t = data;
        const struct nftnl_expr *e;
        uint8_t mask, xor, syn;
        uint32_t op;
        uint16_t mss;

        if (nft_read_payload(rd, NFT_PAYLOAD_TRANSPORT_HEADER, TCP_FLAGS_OFFSET, 1, NFT_REG_1) < 0 ||
            nft_read_bitwise(rd, NFT_REG_1, 1, &mask, &xor) < 0 || mask != TCP_FLAG_SYN || xor != 0 ||
            nft_read_cmp(rd, NFT_REG_1, &op, &syn, 1) < 0 || op != NFT_CMP_EQ || syn != TCP_FLAG_SYN)
                return -EBADMSG;

        if ((e = nft_read_expr(rd, "rt"))) {
                if (get_u32_or(e, NFTNL_EXPR_RT_KEY, UINT32_MAX) != NFT_RT_TCPMSS ||
                    get_u32_or(e, NFTNL_EXPR_RT_DREG, 0) != NFT_REG_1)
                        return -EBADMSG;
                e = nft_read_expr(rd, "byteorder");
                if (!e || get_u32_or(e, NFTNL_EXPR_BYTEORDER_SREG, 0) != NFT_REG_1 ||
                    get_u32_or(e, NFTNL_EXPR_BYTEORDER_DREG, 0) != NFT_REG_1 ||
                    get_u32_or(e, NFTNL_EXPR_BYTEORDER_OP, UINT32_MAX) != NFT_BYTEORDER_HTON ||
                    get_u32_or(e, NFTNL_EXPR_BYTEORDER_LEN, 0) != 2 || get_u32_or(e, NFTNL_EXPR_BYTEORDER_SIZE, 0) != 2)
                        return -EBADMSG;
                *t = (TargetTcpmss){ .clamp_pmtu = true };
        } else {
                if (nft_read_immediate(rd, NFT_REG_1, &mss, sizeof(mss)) < 0)
                        return -EBADMSG;
                /* what --set-mss takes: an MSS that fits a 64k packet after the IP header */
                if (ntohs(mss) > UINT16_MAX - (rd->family == FAMILY_IPV6 ? 40 : 20))
                        return -EBADMSG;
                *t = (TargetTcpmss){ .mss = ntohs(mss) };
        }

        e = nft_read_expr(rd, "exthdr");
        if (!e || nftnl_expr_is_set(e, NFTNL_EXPR_EXTHDR_DREG) || get_u32_or(e, NFTNL_EXPR_EXTHDR_SREG, 0) != NFT_REG_1 ||
            !nftnl_expr_is_set(e, NFTNL_EXPR_EXTHDR_TYPE) ||
            nftnl_expr_get_u8(e, NFTNL_EXPR_EXTHDR_TYPE) != TCPOPT_MAXSEG_KIND ||
            get_u32_or(e, NFTNL_EXPR_EXTHDR_OFFSET, UINT32_MAX) != 2 || get_u32_or(e, NFTNL_EXPR_EXTHDR_LEN, 0) != 2 ||
            get_u32_or(e, NFTNL_EXPR_EXTHDR_OP, UINT32_MAX) != NFT_EXTHDR_OP_TCPOPT ||
            get_u32_or(e, NFTNL_EXPR_EXTHDR_FLAGS, 0) != 0)
                return -EBADMSG;
        return 0;
}

const NftCodec nft_codec_TCPMSS = { tcpmss_compile, tcpmss_decompile };
