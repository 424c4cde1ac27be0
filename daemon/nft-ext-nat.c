/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft-ext-nat: the NAT targets as nf_tables' own expressions. SNAT, DNAT
 * and NETMAP become "nat", MASQUERADE "masq", REDIRECT "redir"; the
 * addresses and ports go into registers by immediates first, as nft
 * encodes "snat to", "masquerade to" and "redirect to". Like the xt
 * targets, each of these ends the rule's evaluation with the verdict of
 * nf_nat_setup_info() (accept): they are terminal.
 *
 * Registers are given out from NFT_REG_1 in order: minimum address,
 * maximum address (only when it differs), minimum port, maximum port
 * (only when it differs); a bound without a register of its own names
 * the minimum's. That is what the kernel dumps for what nft sends (it
 * fills in the maximum), so a rule read back is the rule we wrote.
 * Likewise the flags always carry NF_NAT_RANGE_MAP_IPS and
 * _PROTO_SPECIFIED when there are addresses or ports: the kernel (6.18
 * here, and we believe since the netmap work of 5.8) adds them itself and
 * dumps them; an older one keeps what we sent, which is the same.
 *
 * Not expressible, refused at compile time:
 * - DNAT's base port (ADDR:PORT-PORT/BASE, NF_NAT_RANGE_PROTO_OFFSET): the
 *   nat expression has no register for the base (NFTA_NAT_REG_PROTO_BASE
 *   was proposed in 2023 but is in no kernel, 6.18 included), and the
 *   flag alone would shift by a base of 0.
 * - NETMAP in a user chain, for now: whether it maps sources or
 *   destinations depends on the hook the packet is in, and nf_tables
 *   fixes that per expression; see netmap_nat_type().
 */

#include <arpa/inet.h>
#include <string.h>

#include <linux/netfilter/nf_nat.h>

#include "ext-nat.h"
#include "nft-compile.h"
#include "nft-ext-list.h"
#include "ruleset-names.h"

/* ext-nat.h keeps the kernel's bits, so the flags go to the kernel as they are. */
_Static_assert(NAT_MAP_IPS == NF_NAT_RANGE_MAP_IPS, "NAT flag values");
_Static_assert(NAT_PROTO_SPECIFIED == NF_NAT_RANGE_PROTO_SPECIFIED, "NAT flag values");
_Static_assert(NAT_RANDOM == NF_NAT_RANGE_PROTO_RANDOM, "NAT flag values");
_Static_assert(NAT_PERSISTENT == NF_NAT_RANGE_PERSISTENT, "NAT flag values");
_Static_assert(NAT_RANDOM_FULLY == NF_NAT_RANGE_PROTO_RANDOM_FULLY, "NAT flag values");
_Static_assert(NAT_PROTO_OFFSET == NF_NAT_RANGE_PROTO_OFFSET, "NAT flag values");

/* The attributes of one of the three expressions, so one loader and one reader serve all. */
typedef struct NatExprKind {
        const char *name;               /* "nat", "masq", "redir" */
        bool has_addr;                  /* only nat takes addresses */
        uint16_t attr_addr_min, attr_addr_max;
        uint16_t attr_proto_min, attr_proto_max;
        uint16_t attr_flags;
} NatExprKind;

static const NatExprKind kind_nat = {
        "nat", true,
        NFTNL_EXPR_NAT_REG_ADDR_MIN, NFTNL_EXPR_NAT_REG_ADDR_MAX,
        NFTNL_EXPR_NAT_REG_PROTO_MIN, NFTNL_EXPR_NAT_REG_PROTO_MAX,
        NFTNL_EXPR_NAT_FLAGS,
};

static const NatExprKind kind_masq = {
        "masq", false,
        0, 0,
        NFTNL_EXPR_MASQ_REG_PROTO_MIN, NFTNL_EXPR_MASQ_REG_PROTO_MAX,
        NFTNL_EXPR_MASQ_FLAGS,
};

static const NatExprKind kind_redir = {
        "redir", false,
        0, 0,
        NFTNL_EXPR_REDIR_REG_PROTO_MIN, NFTNL_EXPR_REDIR_REG_PROTO_MAX,
        NFTNL_EXPR_REDIR_FLAGS,
};

/* The flags each target can carry: its options, and what its ranges imply. */
#define SNAT_FLAGS (NAT_MAP_IPS | NAT_PROTO_SPECIFIED | NAT_RANDOM | NAT_RANDOM_FULLY | NAT_PERSISTENT)
#define DNAT_FLAGS (NAT_MAP_IPS | NAT_PROTO_SPECIFIED | NAT_RANDOM | NAT_PERSISTENT)
#define MASQUERADE_FLAGS (NAT_PROTO_SPECIFIED | NAT_RANDOM | NAT_RANDOM_FULLY)
#define REDIRECT_FLAGS (NAT_PROTO_SPECIFIED | NAT_RANDOM)
#define NETMAP_FLAGS (NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_NETMAP)

static uint32_t addr_len(Family f) {
        return f == FAMILY_IPV6 ? 16 : 4;
}

/* Registers of a range: 0 where there is none. */
typedef struct NatRegs {
        uint32_t addr_min, addr_max;
        uint32_t proto_min, proto_max;
} NatRegs;

/* One value, or two when the bounds differ; *reg is the next free register. */
static int load_bounds(NftRuleBuilder *b, const void *min, const void *max, uint32_t len, uint32_t *reg,
                       uint32_t *ret_min, uint32_t *ret_max) {
        int r;

        r = nft_build_immediate(b, *reg, min, len);
        if (r < 0)
                return r;
        *ret_min = *ret_max = (*reg)++;
        if (memcmp(min, max, len) == 0)
                return 0;
        r = nft_build_immediate(b, *reg, max, len);
        if (r < 0)
                return r;
        *ret_max = (*reg)++;
        return 0;
}

/* The immediates for the range's addresses (when addrs) and ports, and which registers hold them. */
static int load_range(NftRuleBuilder *b, const Addr *min_addr, const Addr *max_addr, const TargetNat *n,
                      NatRegs *ret) {
        uint32_t reg = NFT_REG_1;
        NatRegs regs = {};
        int r;

        if (min_addr) {
                r = load_bounds(b, min_addr, max_addr, addr_len(b->family), &reg, &regs.addr_min, &regs.addr_max);
                if (r < 0)
                        return r;
        }
        if (n && (n->flags & NAT_PROTO_SPECIFIED)) {
                /* in network byte order: the kernel takes the ports as the packet has them */
                uint16_t lo = htons(n->min_port), hi = htons(n->max_port);

                r = load_bounds(b, &lo, &hi, sizeof(lo), &reg, &regs.proto_min, &regs.proto_max);
                if (r < 0)
                        return r;
        }
        *ret = regs;
        return 0;
}

static int build_nat_expr(NftRuleBuilder *b, const NatExprKind *kind, int nat_type, const NatRegs *regs,
                          uint32_t flags) {
        struct nftnl_expr *e = nft_expr_new(b, kind->name);

        if (!e)
                return -ENOMEM;
        if (nat_type >= 0) {
                nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, (uint32_t)nat_type);
                nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, (uint32_t)nft_family(b->family));
        }
        if (regs->addr_min) {
                nftnl_expr_set_u32(e, kind->attr_addr_min, regs->addr_min);
                nftnl_expr_set_u32(e, kind->attr_addr_max, regs->addr_max);
        }
        if (regs->proto_min) {
                nftnl_expr_set_u32(e, kind->attr_proto_min, regs->proto_min);
                nftnl_expr_set_u32(e, kind->attr_proto_max, regs->proto_max);
        }
        /* the kernel dumps no flags when they are 0 */
        if (flags)
                nftnl_expr_set_u32(e, kind->attr_flags, flags);
        return 0;
}

/* Reading back */

/* The last expression of the block, if it is of this kind (the immediates before it say nothing alone). */
static const struct nftnl_expr *peek_last(const NftExprReader *rd, const char *name) {
        const struct nftnl_expr *e;

        if (rd->n_exprs == 0)
                return NULL;
        e = rd->exprs[rd->n_exprs - 1];
        return streq(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), name) ? e : NULL;
}

static uint32_t get_u32_or(const struct nftnl_expr *e, uint16_t attr, uint32_t dflt) {
        return nftnl_expr_is_set(e, attr) ? nftnl_expr_get_u32(e, attr) : dflt;
}

/*
 * A pair of bound registers as load_bounds() gives them out: the minimum
 * in *reg, the maximum the same or the next. Reads their immediates.
 */
static int read_bounds(NftExprReader *rd, const struct nftnl_expr *e, uint16_t attr_min, uint16_t attr_max,
                       uint32_t len, uint32_t *reg, void *ret_min, void *ret_max) {
        uint32_t rmin = get_u32_or(e, attr_min, 0), rmax = get_u32_or(e, attr_max, 0);

        if (rmin != *reg || (rmax != rmin && rmax != rmin + 1))
                return -EBADMSG;
        if (nft_read_immediate(rd, rmin, ret_min, len) < 0)
                return -EBADMSG;
        (*reg)++;
        if (rmax == rmin) {
                memcpy(ret_max, ret_min, len);
                return 0;
        }
        if (nft_read_immediate(rd, rmax, ret_max, len) < 0 || memcmp(ret_min, ret_max, len) == 0)
                return -EBADMSG;
        (*reg)++;
        return 0;
}

/*
 * The immediates and the final expression load_range() and
 * build_nat_expr() made: the range into n (addresses into min/max_addr
 * when the kind has them), the flags into *ret_flags, the expression into
 * *ret_expr (for its type). Everything else is -EBADMSG.
 */
static int read_range(NftExprReader *rd, const NatExprKind *kind, Addr *min_addr, Addr *max_addr, TargetNat *n,
                      uint32_t *ret_flags, const struct nftnl_expr **ret_expr) {
        const struct nftnl_expr *e = peek_last(rd, kind->name);
        uint32_t reg = NFT_REG_1, flags;
        bool has_addr, has_proto;

        if (!e)
                return -EBADMSG;
        flags = get_u32_or(e, kind->attr_flags, 0);
        has_addr = kind->has_addr && nftnl_expr_is_set(e, kind->attr_addr_min);
        has_proto = nftnl_expr_is_set(e, kind->attr_proto_min);
        /* the flags say what the registers do, and the kernel requires one of them for nat */
        if (has_addr != !!(flags & NF_NAT_RANGE_MAP_IPS) || has_proto != !!(flags & NF_NAT_RANGE_PROTO_SPECIFIED))
                return -EBADMSG;
        if (kind->has_addr && !has_addr && nftnl_expr_is_set(e, kind->attr_addr_max))
                return -EBADMSG;
        if (!has_proto && nftnl_expr_is_set(e, kind->attr_proto_max))
                return -EBADMSG;
        if (has_addr && (!min_addr || read_bounds(rd, e, kind->attr_addr_min, kind->attr_addr_max,
                                                  addr_len(rd->family), &reg, min_addr, max_addr) < 0))
                return -EBADMSG;
        if (has_proto) {
                uint16_t lo, hi;

                if (!n || read_bounds(rd, e, kind->attr_proto_min, kind->attr_proto_max, sizeof(lo), &reg, &lo,
                                      &hi) < 0)
                        return -EBADMSG;
                n->min_port = ntohs(lo);
                n->max_port = ntohs(hi);
        }
        if (nft_read_expr(rd, kind->name) != e)
                return -EBADMSG;
        *ret_flags = flags;
        *ret_expr = e;
        return 0;
}

/* SNAT and DNAT */

static int nat_compile(NftRuleBuilder *b, const TargetNat *n, int nat_type) {
        NatRegs regs;
        int r;

        if (n->flags & NAT_PROTO_OFFSET)
                return nft_compile_unsupported(
                        b, "DNAT's base port (\"/%u\") has no nf_tables form: the nat expression has no "
                           "register for it (Linux 6.18 has none); map the ports without it",
                        n->base_port);
        r = load_range(b, (n->flags & NAT_MAP_IPS) ? &n->min_addr : NULL, &n->max_addr, n, &regs);
        if (r < 0)
                return r;
        return build_nat_expr(b, &kind_nat, nat_type, &regs, n->flags);
}

static int nat_decompile(NftExprReader *rd, TargetNat *n, int nat_type, uint32_t allowed) {
        const struct nftnl_expr *e;
        uint32_t flags;

        if (read_range(rd, &kind_nat, &n->min_addr, &n->max_addr, n, &flags, &e) < 0)
                return -EBADMSG;
        if ((flags & ~allowed) || get_u32_or(e, NFTNL_EXPR_NAT_TYPE, UINT32_MAX) != (uint32_t)nat_type ||
            get_u32_or(e, NFTNL_EXPR_NAT_FAMILY, 0) != (uint32_t)nft_family(rd->family))
                return -EBADMSG;
        n->flags = (uint16_t)flags;
        return 0;
}

static int snat_compile(NftRuleBuilder *b, const void *data) {
        return nat_compile(b, data, NFT_NAT_SNAT);
}

static int snat_decompile(NftExprReader *rd, void *data) {
        return nat_decompile(rd, data, NFT_NAT_SNAT, SNAT_FLAGS);
}

static int dnat_compile(NftRuleBuilder *b, const void *data) {
        return nat_compile(b, data, NFT_NAT_DNAT);
}

static int dnat_decompile(NftExprReader *rd, void *data) {
        return nat_decompile(rd, data, NFT_NAT_DNAT, DNAT_FLAGS);
}

const NftCodec nft_codec_SNAT = { snat_compile, snat_decompile };
const NftCodec nft_codec_DNAT = { dnat_compile, dnat_decompile };

/* MASQUERADE and REDIRECT: ports only, the address is the interface's. */

static int ports_compile(NftRuleBuilder *b, const NatExprKind *kind, const TargetNat *n) {
        NatRegs regs;
        int r;

        r = load_range(b, NULL, NULL, n, &regs);
        if (r < 0)
                return r;
        return build_nat_expr(b, kind, -1, &regs, n->flags);
}

static int ports_decompile(NftExprReader *rd, const NatExprKind *kind, TargetNat *n, uint32_t allowed) {
        const struct nftnl_expr *e;
        uint32_t flags;

        if (read_range(rd, kind, NULL, NULL, n, &flags, &e) < 0 || (flags & ~allowed))
                return -EBADMSG;
        n->flags = (uint16_t)flags;
        return 0;
}

static int masquerade_compile(NftRuleBuilder *b, const void *data) {
        return ports_compile(b, &kind_masq, data);
}

static int masquerade_decompile(NftExprReader *rd, void *data) {
        return ports_decompile(rd, &kind_masq, data, MASQUERADE_FLAGS);
}

static int redirect_compile(NftRuleBuilder *b, const void *data) {
        return ports_compile(b, &kind_redir, data);
}

static int redirect_decompile(NftExprReader *rd, void *data) {
        return ports_decompile(rd, &kind_redir, data, REDIRECT_FLAGS);
}

const NftCodec nft_codec_MASQUERADE = { masquerade_compile, masquerade_decompile };
const NftCodec nft_codec_REDIRECT = { redirect_compile, redirect_decompile };

/*
 * NETMAP: nft's "snat/dnat prefix to NET", a nat expression with the
 * network's first and last address and NF_NAT_RANGE_NETMAP, which makes
 * the kernel keep the packet's host bits (kernel 5.8 and later; Debian
 * 12's 6.1 uapi headers have the flag). xt_NETMAP maps destinations in PREROUTING and
 * OUTPUT and sources in INPUT and POSTROUTING; an expression has one type,
 * and the kernel allows dnat only in the former hooks and snat only in the
 * latter.
 */
static int netmap_nat_type(NftRuleBuilder *b) {
        const char *chain = nftnl_rule_get_str(b->rule, NFTNL_RULE_CHAIN);
        Hook h = chain ? hook_from_string(chain) : _HOOK_INVALID;

        /*
         * The builder does not say which hooks reach a user chain, so only
         * a built-in chain tells the direction. (A user chain reached from
         * both sides could not be expressed at all.)
         */
        switch (h) {
        case HOOK_PREROUTING:
        case HOOK_OUTPUT:
                return NFT_NAT_DNAT;
        case HOOK_INPUT:
        case HOOK_POSTROUTING:
                return NFT_NAT_SNAT;
        case HOOK_FORWARD:
        case _HOOK_MAX:
        case _HOOK_INVALID:
                break;
        }
        return nft_compile_unsupported(
                b, "NETMAP in user chain %s: nf_tables must know whether it maps sources (INPUT, POSTROUTING) "
                   "or destinations (PREROUTING, OUTPUT); use it in a built-in chain",
                strempty(chain));
}

static int netmap_compile(NftRuleBuilder *b, const void *data) {
        const TargetNetmap *nm = data;
        uint32_t len = addr_len(b->family);
        Addr last = nm->to.addr;
        NatRegs regs;
        int type, r;

        type = netmap_nat_type(b);
        if (type < 0)
                return type;
        for (uint32_t i = 0; i < len; i++)
                last.bytes[i] |= (uint8_t)~nm->to.mask.bytes[i];
        r = load_range(b, &nm->to.addr, &last, NULL, &regs);
        if (r < 0)
                return r;
        return build_nat_expr(b, &kind_nat, type, &regs, NETMAP_FLAGS);
}

static int netmap_decompile(NftExprReader *rd, void *data) {
        TargetNetmap *nm = data;
        const struct nftnl_expr *e;
        uint32_t len = addr_len(rd->family), flags, type;
        Addr first = {}, last = {};
        AddrMask to = {};

        if (read_range(rd, &kind_nat, &first, &last, NULL, &flags, &e) < 0 || flags != NETMAP_FLAGS)
                return -EBADMSG;
        type = get_u32_or(e, NFTNL_EXPR_NAT_TYPE, UINT32_MAX);
        if ((type != NFT_NAT_SNAT && type != NFT_NAT_DNAT) ||
            get_u32_or(e, NFTNL_EXPR_NAT_FAMILY, 0) != (uint32_t)nft_family(rd->family))
                return -EBADMSG;
        /* the first and the last address of one network: they differ in the host bits only */
        for (uint32_t i = 0; i < len; i++) {
                to.mask.bytes[i] = (uint8_t)~(first.bytes[i] ^ last.bytes[i]);
                to.addr.bytes[i] = first.bytes[i];
                if (first.bytes[i] & ~to.mask.bytes[i])
                        return -EBADMSG;
        }
        if (addr_mask_prefix(rd->family, &to.mask) < 0)
                return -EBADMSG;
        nm->to = to;
        return 0;
}

const NftCodec nft_codec_NETMAP = { netmap_compile, netmap_decompile };
