/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft-ext-conntrack: the codecs of conntrack, state, mark and connmark,
 * and of the targets CT, NOTRACK, MARK and CONNMARK: ct and meta loads,
 * bitwise, cmp and range for the matches; immediate or load + bitwise,
 * then a ct or meta set, for the targets; notrack. In nft's encodings
 * (checked with nft --debug=netlink) wherever they mean what the xt
 * module does, and read back by walking exactly those shapes.
 *
 * Where nft's encoding and the xt module part ways, the xt module wins:
 *
 *  - nf_tables' ct loads end the rule (NFT_BREAK) on a packet without a
 *    connection, all but "ct state". xt_conntrack instead matches such a
 *    packet as soon as --ctstate admits it (INVALID, UNTRACKED), skipping
 *    every other criterion, and tests SNAT/DNAT only on packets with a
 *    connection. Whatever would need "no connection, or ..." is refused.
 *  - --ctexpire counts whole seconds (jiffies / HZ); ct expiration is in
 *    milliseconds, so "5" is the range 5000-5999, not iptables-translate's
 *    "ct expiration 5".
 *  - CONNMARK --save-mark and --restore-mark with masks combine two
 *    registers, which bitwise can do only from kernel 6.13 (and libnftnl
 *    has no attribute for it here): refused unless one side is whole.
 *  - CT --helper needs a ct helper object and a rule after conntrack has
 *    made the connection; in the raw table (priority -300) "ct helper set"
 *    does nothing. The rule attaches the template plain CT attaches and
 *    refers to the helper's object (for the read back); nft-compile
 *    replays the raw table after conntrack to assign it.
 */

#include <inttypes.h>
#include <netinet/in.h>
#include <string.h>

#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tuple_common.h>

#include "ext-conntrack.h"
#include "nft-ext-list.h"

/* The model keeps nf_tables' ct state and ct status bits. */
_Static_assert((unsigned)CT_STATE_INVALID == NF_CT_STATE_INVALID_BIT, "ct state bits");
_Static_assert((unsigned)CT_STATE_ESTABLISHED == NF_CT_STATE_BIT(IP_CT_ESTABLISHED), "ct state bits");
_Static_assert((unsigned)CT_STATE_RELATED == NF_CT_STATE_BIT(IP_CT_RELATED), "ct state bits");
_Static_assert((unsigned)CT_STATE_NEW == NF_CT_STATE_BIT(IP_CT_NEW), "ct state bits");
_Static_assert((unsigned)CT_STATE_UNTRACKED == NF_CT_STATE_UNTRACKED_BIT, "ct state bits");
_Static_assert((unsigned)CT_STATUS_EXPECTED == IPS_EXPECTED && (unsigned)CT_STATUS_SEEN_REPLY == IPS_SEEN_REPLY &&
                       (unsigned)CT_STATUS_ASSURED == IPS_ASSURED && (unsigned)CT_STATUS_CONFIRMED == IPS_CONFIRMED,
               "ct status bits");

/* States of packets without a connection, and of packets with one. */
#define CT_STATES_CTLESS (CT_STATE_INVALID | CT_STATE_UNTRACKED)
#define CT_STATES_TRACKED (CT_STATE_NEW | CT_STATE_RELATED | CT_STATE_ESTABLISHED)
#define CT_STATES_PLAIN (CT_STATES_CTLESS | CT_STATES_TRACKED)
#define CT_STATES_NAT (CT_STATE_SNAT | CT_STATE_DNAT)
#define CT_STATUS_ALL (CT_STATUS_EXPECTED | CT_STATUS_SEEN_REPLY | CT_STATUS_ASSURED | CT_STATUS_CONFIRMED)

/* The largest --ctexpire bounds whose milliseconds fit ct expiration's 32 bits. */
#define EXPIRE_MIN_MAX (UINT32_MAX / 1000)              /* from: s * 1000 */
#define EXPIRE_MAX_MAX ((UINT32_MAX - 999) / 1000)      /* to: s * 1000 + 999 */

/* ---- shared builders and readers ---- */

static bool expr_u32_is(const struct nftnl_expr *e, uint16_t attr, uint32_t want) {
        return nftnl_expr_is_set(e, attr) && nftnl_expr_get_u32(e, attr) == want;
}

/* The next expression, whatever it is; NULL at the end. */
static const struct nftnl_expr *peek(const NftExprReader *rd) {
        return rd->pos < rd->n_exprs ? rd->exprs[rd->pos] : NULL;
}

static bool next_is(const NftExprReader *rd, const char *name) {
        const struct nftnl_expr *e = peek(rd);

        return e && streq(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), name);
}

/* Whether the next expression is a ct load of key, in direction dir (-1: none), into dreg. */
static bool next_is_ct(const NftExprReader *rd, uint32_t key, int dir, uint32_t dreg) {
        NftExprReader probe = *rd;

        return nft_read_ct(&probe, key, dir, dreg) == 0;
}

/* cmp reg 1 with a 32-bit host-order value: marks, ct state, ct status. */
static int build_cmp_u32(NftRuleBuilder *b, uint32_t op, uint32_t value) {
        return nft_build_cmp(b, NFT_REG_1, op, &value, sizeof(value));
}

/* reg1 & mask, unless the mask keeps every bit. */
static int build_mask_u32(NftRuleBuilder *b, uint32_t mask) {
        const uint32_t zero = 0;

        if (mask == UINT32_MAX)
                return 0;
        return nft_build_bitwise(b, NFT_REG_1, sizeof(mask), &mask, &zero);
}

/* An optional bitwise "& mask ^ 0" on reg1: the mask, or all ones when there is none. */
static int read_mask_u32(NftExprReader *rd, uint32_t *ret_mask) {
        uint32_t mask, xor;

        if (!next_is(rd, "bitwise")) {
                *ret_mask = UINT32_MAX;
                return 0;
        }
        if (nft_read_bitwise(rd, NFT_REG_1, sizeof(mask), &mask, &xor) < 0 || xor != 0 || mask == UINT32_MAX)
                return -EBADMSG;
        *ret_mask = mask;
        return 0;
}

/* "ct set KEY with reg 1" or "meta set KEY with reg 1". */
static int build_set(NftRuleBuilder *b, bool ct, uint32_t key, int dir) {
        struct nftnl_expr *e = nft_expr_new(b, ct ? "ct" : "meta");

        if (!e)
                return -ENOMEM;
        nftnl_expr_set_u32(e, ct ? NFTNL_EXPR_CT_KEY : NFTNL_EXPR_META_KEY, key);
        nftnl_expr_set_u32(e, ct ? NFTNL_EXPR_CT_SREG : NFTNL_EXPR_META_SREG, NFT_REG_1);
        if (dir >= 0)
                nftnl_expr_set_u8(e, NFTNL_EXPR_CT_DIR, (uint8_t)dir);
        return 0;
}

/* The direction of a ct set of key from reg 1: -1 none, else IP_CT_DIR_*; -EBADMSG if it is not one. */
static int read_set(NftExprReader *rd, bool ct, uint32_t key, int *ret_dir) {
        const struct nftnl_expr *e = nft_read_expr(rd, ct ? "ct" : "meta");
        int dir = -1;

        if (!e || !expr_u32_is(e, ct ? NFTNL_EXPR_CT_KEY : NFTNL_EXPR_META_KEY, key) ||
            !expr_u32_is(e, ct ? NFTNL_EXPR_CT_SREG : NFTNL_EXPR_META_SREG, NFT_REG_1) ||
            nftnl_expr_is_set(e, ct ? NFTNL_EXPR_CT_DREG : NFTNL_EXPR_META_DREG))
                return -EBADMSG;
        if (ct && nftnl_expr_is_set(e, NFTNL_EXPR_CT_DIR)) {
                dir = nftnl_expr_get_u8(e, NFTNL_EXPR_CT_DIR);
                if (dir != IP_CT_DIR_ORIGINAL && dir != IP_CT_DIR_REPLY)
                        return -EBADMSG;
        }
        if (ret_dir)
                *ret_dir = dir;
        else if (dir >= 0)
                return -EBADMSG;
        return 0;
}

/* ---- conntrack ---- */

static uint32_t nat_state_to_status(uint16_t state) {
        return (state & CT_STATE_SNAT ? IPS_SRC_NAT : 0) | (state & CT_STATE_DNAT ? IPS_DST_NAT : 0);
}

static uint16_t nat_status_to_state(uint32_t status) {
        return (status & IPS_SRC_NAT ? CT_STATE_SNAT : 0) | (status & IPS_DST_NAT ? CT_STATE_DNAT : 0);
}

/* The ct state values the kernel gives a packet, in order: always exactly one of them. */
static const uint32_t ct_state_values[] = {
        CT_STATE_INVALID, CT_STATE_ESTABLISHED, CT_STATE_RELATED, CT_STATE_NEW, CT_STATE_UNTRACKED,
};

/*
 * Whether mask is a run of consecutive values of ct_state_values (one value
 * or more), with its ends in *ret_from and *ret_to.
 */
static bool state_mask_is_run(uint32_t mask, uint32_t *ret_from, uint32_t *ret_to) {
        size_t first = ELEMENTSOF(ct_state_values), last = 0;

        if (mask == 0 || (mask & ~(uint32_t)CT_STATES_PLAIN))
                return false;
        for (size_t i = 0; i < ELEMENTSOF(ct_state_values); i++)
                if (mask & ct_state_values[i]) {
                        if (first == ELEMENTSOF(ct_state_values))
                                first = i;
                        last = i;
                }
        for (size_t i = first; i <= last; i++)
                if (!(mask & ct_state_values[i]))
                        return false;
        *ret_from = ct_state_values[first];
        *ret_to = ct_state_values[last];
        return true;
}

/*
 * ct load state, then: any of the states in mask, or (invert) none of them.
 * A packet's state is exactly one bit, below 256 (so memcmp orders it as a
 * number in either byte order): one state is a cmp, a run of neighbours a
 * range, both an expression shorter than the general "& mask, cmp 0".
 */
static int build_state_test(NftRuleBuilder *b, uint32_t mask, bool invert) {
        uint32_t from, to;
        int r;

        r = nft_build_ct(b, NFT_CT_STATE, -1, NFT_REG_1);
        if (r < 0)
                return r;
        if (state_mask_is_run(mask, &from, &to)) {
                if (from == to)
                        return build_cmp_u32(b, invert ? NFT_CMP_NEQ : NFT_CMP_EQ, from);
                return nft_build_range(b, NFT_REG_1, invert ? NFT_RANGE_NEQ : NFT_RANGE_EQ, &from, &to, sizeof(from));
        }
        r = build_mask_u32(b, mask);
        if (r >= 0)
                r = build_cmp_u32(b, invert ? NFT_CMP_EQ : NFT_CMP_NEQ, 0);
        return r;
}


/* ct load status, & the SNAT/DNAT bits, cmp 0. */
static int build_nat_test(NftRuleBuilder *b, uint32_t status, bool invert) {
        int r;

        r = nft_build_ct(b, NFT_CT_STATUS, -1, NFT_REG_1);
        if (r >= 0)
                r = build_mask_u32(b, status);
        if (r >= 0)
                r = build_cmp_u32(b, invert ? NFT_CMP_EQ : NFT_CMP_NEQ, 0);
        return r;
}

/*
 * xt_conntrack's state test: the packet's state bit, plus SNAT/DNAT from
 * ct status when it has a connection, meets the mask (or, inverted, does
 * not). `others`: the match tests more, which a packet without a
 * connection skips in xt_conntrack but cannot skip here.
 */
static int compile_state(NftRuleBuilder *b, uint16_t state, bool invert, bool others) {
        uint16_t plain = state & CT_STATES_PLAIN, nat = state & CT_STATES_NAT;
        /* the states without a connection that pass the test */
        uint16_t ctless_pass = (invert ? ~plain : plain) & CT_STATES_CTLESS;
        /* SNAT/DNAT decide for some packet with a connection, unless every such packet is decided already */
        bool needs_status = nat && (plain & CT_STATES_TRACKED) != CT_STATES_TRACKED;
        uint32_t mask[2], zero[2] = {};
        int r;

        if (ctless_pass && needs_status)
                return nft_compile_unsupported(b, "conntrack: this --ctstate admits packets without a connection "
                                                  "(INVALID, UNTRACKED) and tests SNAT/DNAT on the others; "
                                                  "nf_tables can test SNAT/DNAT only where there is a connection");
        if (ctless_pass && others)
                return nft_compile_unsupported(b, "conntrack: this --ctstate admits packets without a connection "
                                                  "(INVALID, UNTRACKED), for which iptables skips the other "
                                                  "conntrack criteria; nf_tables cannot skip them");
        if (!needs_status)
                /*
                 * The SNAT/DNAT bits, if any, stay in the mask: the kernel never sets ct state
                 * bits 7 and 8, so they test nothing, and they say what was written.
                 */
                return build_state_test(b, state, invert);
        if (invert) {
                /* neither the states (INVALID and UNTRACKED among them, so ct status is safe) nor NAT */
                r = build_state_test(b, plain, true);
                return r < 0 ? r : build_nat_test(b, nat_state_to_status(nat), true);
        }
        if (!plain)
                /* nft's "ct status dnat" */
                return build_nat_test(b, nat_state_to_status(nat), false);
        /*
         * "state in plain OR status has NAT": ct state and ct status side by side in
         * one 8-byte register, masked, compared with zero as a whole.
         */
        mask[0] = plain;
        mask[1] = nat_state_to_status(nat);
        r = nft_build_ct(b, NFT_CT_STATE, -1, NFT_REG_1);
        if (r >= 0)
                r = nft_build_ct(b, NFT_CT_STATUS, -1, NFT_REG32_01);
        if (r >= 0)
                r = nft_build_bitwise(b, NFT_REG_1, sizeof(mask), mask, zero);
        if (r >= 0)
                r = nft_build_cmp(b, NFT_REG_1, NFT_CMP_NEQ, zero, sizeof(zero));
        return r;
}

/* bitwise & mask (mandatory here), cmp eq/neq 0: the mask and whether it was eq. */
static int read_bit_test(NftExprReader *rd, uint32_t *ret_mask, bool *ret_eq) {
        uint32_t mask, xor, value, op;

        if (nft_read_bitwise(rd, NFT_REG_1, sizeof(mask), &mask, &xor) < 0 || xor != 0 ||
            nft_read_cmp(rd, NFT_REG_1, &op, &value, sizeof(value)) < 0 || value != 0 ||
            (op != NFT_CMP_EQ && op != NFT_CMP_NEQ))
                return -EBADMSG;
        *ret_mask = mask;
        *ret_eq = op == NFT_CMP_EQ;
        return 0;
}

/* The mirror of build_state_test() after its ct load: the states and whether inverted. */
static int read_state_test(NftExprReader *rd, uint32_t *ret_mask, bool *ret_invert) {
        uint32_t from, to, run_from, run_to, op, mask = 0;
        bool eq;

        if (next_is(rd, "cmp")) {
                if (nft_read_cmp(rd, NFT_REG_1, &op, &from, sizeof(from)) < 0 ||
                    (op != NFT_CMP_EQ && op != NFT_CMP_NEQ) || !state_mask_is_run(from, &from, &to) || from != to)
                        return -EBADMSG;
                *ret_mask = from;
                *ret_invert = op == NFT_CMP_NEQ;
                return 0;
        }
        if (next_is(rd, "range")) {
                if (nft_read_range(rd, NFT_REG_1, &op, &from, &to, sizeof(from)) < 0 ||
                    (op != NFT_RANGE_EQ && op != NFT_RANGE_NEQ))
                        return -EBADMSG;
                for (size_t i = 0; i < ELEMENTSOF(ct_state_values); i++)
                        if (ct_state_values[i] >= from && ct_state_values[i] <= to)
                                mask |= ct_state_values[i];
                /* the range we would write for that mask: its ends are states, and not one */
                if (!state_mask_is_run(mask, &run_from, &run_to) || run_from != from || run_to != to || from == to)
                        return -EBADMSG;
                *ret_mask = mask;
                *ret_invert = op == NFT_RANGE_NEQ;
                return 0;
        }
        if (read_bit_test(rd, ret_mask, &eq) < 0)
                return -EBADMSG;
        *ret_invert = eq;
        return 0;
}

/* Whether the next expressions are ct status & SNAT/DNAT bits: the state's test, not --ctstatus. */
static bool next_is_nat_test(const NftExprReader *rd) {
        NftExprReader probe = *rd;
        uint32_t mask;
        bool eq;

        return nft_read_ct(&probe, NFT_CT_STATUS, -1, NFT_REG_1) == 0 && read_bit_test(&probe, &mask, &eq) == 0 &&
               mask != 0 && !(mask & ~(uint32_t)IPS_NAT_MASK);
}

static int read_nat_test(NftExprReader *rd, uint16_t *ret_state, bool *ret_eq) {
        uint32_t mask;

        if (nft_read_ct(rd, NFT_CT_STATUS, -1, NFT_REG_1) < 0 || read_bit_test(rd, &mask, ret_eq) < 0)
                return -EBADMSG;
        *ret_state = nat_status_to_state(mask);
        return 0;
}

/* The state test, if the match starts with one: 1 read, 0 none, -EBADMSG. */
static int read_state(NftExprReader *rd, uint16_t *ret_state, bool *ret_invert) {
        uint32_t mask[2], xor[2], zero[2] = {}, value[2], op;
        uint16_t nat;
        bool eq, nat_eq;

        if (next_is_nat_test(rd)) {
                if (read_nat_test(rd, ret_state, &eq) < 0 || eq)
                        return -EBADMSG;
                *ret_invert = false;
                return 1;
        }
        if (!next_is_ct(rd, NFT_CT_STATE, -1, NFT_REG_1))
                return 0;
        (void)nft_read_ct(rd, NFT_CT_STATE, -1, NFT_REG_1);

        if (next_is_ct(rd, NFT_CT_STATUS, -1, NFT_REG32_01)) {
                (void)nft_read_ct(rd, NFT_CT_STATUS, -1, NFT_REG32_01);
                if (nft_read_bitwise(rd, NFT_REG_1, sizeof(mask), mask, xor) < 0 || memcmp(xor, zero, sizeof(xor)) ||
                    nft_read_cmp(rd, NFT_REG_1, &op, value, sizeof(value)) < 0 || op != NFT_CMP_NEQ ||
                    memcmp(value, zero, sizeof(value)) || (mask[0] & ~(uint32_t)CT_STATES_PLAIN) ||
                    !mask[1] || (mask[1] & ~(uint32_t)IPS_NAT_MASK))
                        return -EBADMSG;
                *ret_state = (uint16_t)mask[0] | nat_status_to_state(mask[1]);
                *ret_invert = false;
                return 1;
        }

        if (read_state_test(rd, &mask[0], &eq) < 0 || !mask[0] ||
            (mask[0] & ~(uint32_t)(CT_STATES_PLAIN | CT_STATES_NAT)))
                return -EBADMSG;
        *ret_state = (uint16_t)mask[0];
        *ret_invert = eq;
        if (eq && next_is_nat_test(rd)) {
                if (read_nat_test(rd, &nat, &nat_eq) < 0 || !nat_eq || (*ret_state & CT_STATES_NAT))
                        return -EBADMSG;
                *ret_state |= nat;
        }
        return 1;
}

/* ct keys and directions of the address and port criteria, by field. */
static const struct {
        uint32_t key;
        int dir;
} conntrack_ct_keys[_CONNTRACK_FIELD_MAX] = {
        [CONNTRACK_PROTO] = { NFT_CT_PROTOCOL, -1 },    /* the kernel keeps no direction for it */
        [CONNTRACK_ORIGSRC] = { NFT_CT_SRC, IP_CT_DIR_ORIGINAL },
        [CONNTRACK_ORIGDST] = { NFT_CT_DST, IP_CT_DIR_ORIGINAL },
        [CONNTRACK_REPLSRC] = { NFT_CT_SRC, IP_CT_DIR_REPLY },
        [CONNTRACK_REPLDST] = { NFT_CT_DST, IP_CT_DIR_REPLY },
        [CONNTRACK_ORIGSRC_PORT] = { NFT_CT_PROTO_SRC, IP_CT_DIR_ORIGINAL },
        [CONNTRACK_ORIGDST_PORT] = { NFT_CT_PROTO_DST, IP_CT_DIR_ORIGINAL },
        [CONNTRACK_REPLSRC_PORT] = { NFT_CT_PROTO_SRC, IP_CT_DIR_REPLY },
        [CONNTRACK_REPLDST_PORT] = { NFT_CT_PROTO_DST, IP_CT_DIR_REPLY },
        [CONNTRACK_STATUS] = { NFT_CT_STATUS, -1 },
        [CONNTRACK_EXPIRE] = { NFT_CT_EXPIRATION, -1 },
        [CONNTRACK_DIR] = { NFT_CT_DIRECTION, -1 },
};

static bool addr_is_all(const Addr *a, size_t len, uint8_t byte) {
        for (size_t i = 0; i < len; i++)
                if (a->bytes[i] != byte)
                        return false;
        return true;
}

/* As the core's -s/-d: [bitwise & mask] when the mask is not full, then cmp (the address has no host bits). */
static int compile_addr(NftRuleBuilder *b, const AddrMask *am, bool invert) {
        uint32_t len = (uint32_t)family_addr_len(b->family);
        static const Addr zero;
        int r = 0;

        if (!addr_is_all(&am->mask, len, 0xff))
                r = nft_build_bitwise(b, NFT_REG_1, len, &am->mask, &zero);
        if (r >= 0)
                r = nft_build_cmp(b, NFT_REG_1, invert ? NFT_CMP_NEQ : NFT_CMP_EQ, &am->addr, len);
        return r;
}

static int read_addr(NftExprReader *rd, AddrMask *ret, bool *ret_invert) {
        uint32_t len = (uint32_t)family_addr_len(rd->family), op;
        AddrMask am = {};
        Addr xor = {};

        memset(&am.mask, 0xff, len);
        if (next_is(rd, "bitwise") && (nft_read_bitwise(rd, NFT_REG_1, len, &am.mask, &xor) < 0 ||
                                       !addr_is_all(&xor, len, 0) || addr_is_all(&am.mask, len, 0xff)))
                return -EBADMSG;
        if (nft_read_cmp(rd, NFT_REG_1, &op, &am.addr, len) < 0 || (op != NFT_CMP_EQ && op != NFT_CMP_NEQ))
                return -EBADMSG;
        for (size_t i = 0; i < len; i++)
                if (am.addr.bytes[i] & ~am.mask.bytes[i])
                        return -EBADMSG;
        *ret = am;
        *ret_invert = op == NFT_CMP_NEQ;
        return 0;
}

/* Ports in network order: cmp for one, range for several, as the tcp/udp codecs do. */
static int compile_port(NftRuleBuilder *b, const PortRange *pr, bool invert) {
        uint16_t from = htons(pr->min), to = htons(pr->max);

        if (pr->min == pr->max)
                return nft_build_cmp(b, NFT_REG_1, invert ? NFT_CMP_NEQ : NFT_CMP_EQ, &from, sizeof(from));
        return nft_build_range(b, NFT_REG_1, invert ? NFT_RANGE_NEQ : NFT_RANGE_EQ, &from, &to, sizeof(from));
}

static int read_port(NftExprReader *rd, PortRange *ret, bool *ret_invert) {
        uint16_t from, to;
        uint32_t op;

        if (next_is(rd, "range")) {
                if (nft_read_range(rd, NFT_REG_1, &op, &from, &to, sizeof(from)) < 0 ||
                    (op != NFT_RANGE_EQ && op != NFT_RANGE_NEQ) || ntohs(from) >= ntohs(to))
                        return -EBADMSG;
                *ret_invert = op == NFT_RANGE_NEQ;
        } else {
                if (nft_read_cmp(rd, NFT_REG_1, &op, &from, sizeof(from)) < 0 ||
                    (op != NFT_CMP_EQ && op != NFT_CMP_NEQ))
                        return -EBADMSG;
                to = from;
                *ret_invert = op == NFT_CMP_NEQ;
        }
        ret->min = ntohs(from);
        ret->max = ntohs(to);
        return 0;
}

/*
 * --ctexpire MIN:MAX in seconds is jiffies / HZ in [MIN, MAX], which is
 * ct expiration (jiffies_to_msecs) in [MIN * 1000, MAX * 1000 + 999]; an
 * open end stays open. ct expiration is host order: to range over it, nft
 * turns it to network order first, and so do we.
 */
static int compile_expire(NftRuleBuilder *b, uint32_t min, uint32_t max, bool invert) {
        struct nftnl_expr *e;
        uint32_t from, to;

        if (min > EXPIRE_MIN_MAX || (max != UINT32_MAX && max > EXPIRE_MAX_MAX))
                return nft_compile_unsupported(b,
                                               "conntrack: --ctexpire %" PRIu32 ":%" PRIu32 " does not fit nf_tables' "
                                               "ct expiration, 32 bits of milliseconds (up to %u s, or an open end)",
                                               min, max, (unsigned)EXPIRE_MAX_MAX);
        from = htonl(min * 1000);
        to = htonl(max == UINT32_MAX ? UINT32_MAX : max * 1000 + 999);

        e = nft_expr_new(b, "byteorder");
        if (!e)
                return -ENOMEM;
        nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_DREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_OP, NFT_BYTEORDER_HTON);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_LEN, sizeof(uint32_t));
        nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SIZE, sizeof(uint32_t));
        return nft_build_range(b, NFT_REG_1, invert ? NFT_RANGE_NEQ : NFT_RANGE_EQ, &from, &to, sizeof(from));
}

static int read_expire(NftExprReader *rd, uint32_t *ret_min, uint32_t *ret_max, bool *ret_invert) {
        const struct nftnl_expr *e = nft_read_expr(rd, "byteorder");
        uint32_t from, to, op;

        if (!e || !expr_u32_is(e, NFTNL_EXPR_BYTEORDER_SREG, NFT_REG_1) ||
            !expr_u32_is(e, NFTNL_EXPR_BYTEORDER_DREG, NFT_REG_1) ||
            !expr_u32_is(e, NFTNL_EXPR_BYTEORDER_OP, NFT_BYTEORDER_HTON) ||
            !expr_u32_is(e, NFTNL_EXPR_BYTEORDER_LEN, sizeof(uint32_t)) ||
            !expr_u32_is(e, NFTNL_EXPR_BYTEORDER_SIZE, sizeof(uint32_t)))
                return -EBADMSG;
        if (nft_read_range(rd, NFT_REG_1, &op, &from, &to, sizeof(from)) < 0 ||
            (op != NFT_RANGE_EQ && op != NFT_RANGE_NEQ))
                return -EBADMSG;
        from = ntohl(from);
        to = ntohl(to);
        if (from % 1000 != 0 || (to != UINT32_MAX && (to % 1000 != 999 || to < from)))
                return -EBADMSG;
        *ret_min = from / 1000;
        *ret_max = to == UINT32_MAX ? UINT32_MAX : to / 1000;
        *ret_invert = op == NFT_RANGE_NEQ;
        return 0;
}

static int conntrack_compile(NftRuleBuilder *b, const void *data) {
        const MatchConntrack *ct = data;
        int r = 0;

        if (ct->fields & (1u << CONNTRACK_STATE)) {
                r = compile_state(b, ct->state, ct->invert & (1u << CONNTRACK_STATE),
                                  ct->fields & ~(1u << CONNTRACK_STATE));
                if (r < 0)
                        return r;
        }
        /* the rest in ConntrackField order, each a ct load into reg 1 and its test */
        for (ConntrackField f = CONNTRACK_PROTO; f < _CONNTRACK_FIELD_MAX; f++) {
                bool invert = ct->invert & (1u << f);
                uint32_t status = ct->status;

                if (!(ct->fields & (1u << f)))
                        continue;
                r = nft_build_ct(b, conntrack_ct_keys[f].key, conntrack_ct_keys[f].dir, NFT_REG_1);
                if (r < 0)
                        return r;
                switch (f) {
                case CONNTRACK_PROTO:
                        r = nft_build_cmp(b, NFT_REG_1, invert ? NFT_CMP_NEQ : NFT_CMP_EQ, &ct->proto, 1);
                        break;
                case CONNTRACK_ORIGSRC:
                case CONNTRACK_ORIGDST:
                case CONNTRACK_REPLSRC:
                case CONNTRACK_REPLDST:
                        r = compile_addr(b, &ct->addr[f - CONNTRACK_ORIGSRC], invert);
                        break;
                case CONNTRACK_ORIGSRC_PORT:
                case CONNTRACK_ORIGDST_PORT:
                case CONNTRACK_REPLSRC_PORT:
                case CONNTRACK_REPLDST_PORT:
                        r = compile_port(b, &ct->port[f - CONNTRACK_ORIGSRC_PORT], invert);
                        break;
                case CONNTRACK_STATUS: {
                        /* any of the bits (NONE, the empty set: never; inverted: always), as nft's "ct status" */
                        const uint32_t zero = 0;

                        r = nft_build_bitwise(b, NFT_REG_1, sizeof(status), &status, &zero);
                        if (r >= 0)
                                r = build_cmp_u32(b, invert ? NFT_CMP_EQ : NFT_CMP_NEQ, 0);
                        break;
                }
                case CONNTRACK_EXPIRE:
                        r = compile_expire(b, ct->expire_min, ct->expire_max, invert);
                        break;
                case CONNTRACK_DIR: {
                        uint8_t dir = ct->dir == CONNTRACK_DIR_REPLY ? IP_CT_DIR_REPLY : IP_CT_DIR_ORIGINAL;

                        r = nft_build_cmp(b, NFT_REG_1, NFT_CMP_EQ, &dir, 1);
                        break;
                }
                case CONNTRACK_STATE:
                case _CONNTRACK_FIELD_MAX:
                case _CONNTRACK_FIELD_INVALID:
                        return -EINVAL;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The field a ct load belongs to, from its key and direction. */
static ConntrackField conntrack_field_of(const struct nftnl_expr *e) {
        int dir;

        if (!e || !streq(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "ct") || !nftnl_expr_is_set(e, NFTNL_EXPR_CT_KEY))
                return _CONNTRACK_FIELD_INVALID;
        dir = nftnl_expr_is_set(e, NFTNL_EXPR_CT_DIR) ? nftnl_expr_get_u8(e, NFTNL_EXPR_CT_DIR) : -1;
        for (ConntrackField f = CONNTRACK_PROTO; f < _CONNTRACK_FIELD_MAX; f++)
                if (conntrack_ct_keys[f].key == nftnl_expr_get_u32(e, NFTNL_EXPR_CT_KEY) &&
                    conntrack_ct_keys[f].dir == dir)
                        return f;
        return _CONNTRACK_FIELD_INVALID;
}

static int conntrack_decompile(NftExprReader *rd, void *data) {
        MatchConntrack *ct = data;
        ConntrackField last = CONNTRACK_STATE;
        bool invert = false;
        int r;

        r = read_state(rd, &ct->state, &invert);
        if (r < 0)
                return r;
        if (r > 0) {
                ct->fields |= 1u << CONNTRACK_STATE;
                ct->invert |= invert ? 1u << CONNTRACK_STATE : 0;
        }

        while (!nft_read_done(rd)) {
                ConntrackField f = conntrack_field_of(peek(rd));
                uint32_t mask;
                uint8_t byte;
                uint32_t op;

                /* each field once, in the order compile writes them */
                if (f < 0 || f <= last)
                        return -EBADMSG;
                if (nft_read_ct(rd, conntrack_ct_keys[f].key, conntrack_ct_keys[f].dir, NFT_REG_1) < 0)
                        return -EBADMSG;
                invert = false;
                switch (f) {
                case CONNTRACK_PROTO:
                        if (nft_read_cmp(rd, NFT_REG_1, &op, &byte, 1) < 0 ||
                            (op != NFT_CMP_EQ && op != NFT_CMP_NEQ) || byte == 0)
                                return -EBADMSG;
                        ct->proto = byte;
                        invert = op == NFT_CMP_NEQ;
                        break;
                case CONNTRACK_ORIGSRC:
                case CONNTRACK_ORIGDST:
                case CONNTRACK_REPLSRC:
                case CONNTRACK_REPLDST:
                        if (read_addr(rd, &ct->addr[f - CONNTRACK_ORIGSRC], &invert) < 0)
                                return -EBADMSG;
                        break;
                case CONNTRACK_ORIGSRC_PORT:
                case CONNTRACK_ORIGDST_PORT:
                case CONNTRACK_REPLSRC_PORT:
                case CONNTRACK_REPLDST_PORT:
                        if (read_port(rd, &ct->port[f - CONNTRACK_ORIGSRC_PORT], &invert) < 0)
                                return -EBADMSG;
                        break;
                case CONNTRACK_STATUS:
                        if (read_bit_test(rd, &mask, &invert) < 0 || (mask & ~(uint32_t)CT_STATUS_ALL))
                                return -EBADMSG;
                        ct->status = (uint8_t)mask;
                        break;
                case CONNTRACK_EXPIRE:
                        if (read_expire(rd, &ct->expire_min, &ct->expire_max, &invert) < 0)
                                return -EBADMSG;
                        break;
                case CONNTRACK_DIR:
                        if (nft_read_cmp(rd, NFT_REG_1, &op, &byte, 1) < 0 || op != NFT_CMP_EQ ||
                            (byte != IP_CT_DIR_ORIGINAL && byte != IP_CT_DIR_REPLY))
                                return -EBADMSG;
                        ct->dir = byte == IP_CT_DIR_REPLY ? CONNTRACK_DIR_REPLY : CONNTRACK_DIR_ORIGINAL;
                        break;
                case CONNTRACK_STATE:
                case _CONNTRACK_FIELD_MAX:
                case _CONNTRACK_FIELD_INVALID:
                        return -EBADMSG;
                }
                ct->fields |= 1u << f;
                ct->invert |= invert ? 1u << f : 0;
                last = f;
        }
        return ct->fields ? 0 : -EBADMSG;
}

const NftCodec nft_codec_conntrack = { conntrack_compile, conntrack_decompile };

/* ---- state: xt_state is ct state & mask, inverted by the rule ---- */

static int state_compile(NftRuleBuilder *b, const void *data) {
        const MatchState *st = data;

        return build_state_test(b, st->state, st->invert);
}

static int state_decompile(NftExprReader *rd, void *data) {
        MatchState *st = data;
        uint32_t mask;
        bool eq;

        if (nft_read_ct(rd, NFT_CT_STATE, -1, NFT_REG_1) < 0 || read_state_test(rd, &mask, &eq) < 0 || !mask ||
            (mask & ~(uint32_t)CT_STATES_PLAIN))
                return -EBADMSG;
        st->state = (uint16_t)mask;
        st->invert = eq;
        return 0;
}

const NftCodec nft_codec_state = { state_compile, state_decompile };

/*
 * ---- mark (meta mark), connmark (ct mark) ----
 * (mark & mask) == value, inverted or not: load, [& mask], cmp. A value
 * with bits outside the mask never matches, in xt_mark as here. Without a
 * connection, ct mark ends the rule: xt_connmark is false then, "!" or not.
 */

static int mark_match_compile(NftRuleBuilder *b, bool ct, const MatchMark *m) {
        int r;

        r = ct ? nft_build_ct(b, NFT_CT_MARK, -1, NFT_REG_1) : nft_build_meta(b, NFT_META_MARK, NFT_REG_1);
        if (r >= 0)
                r = build_mask_u32(b, m->mask);
        if (r >= 0)
                r = build_cmp_u32(b, m->invert ? NFT_CMP_NEQ : NFT_CMP_EQ, m->value);
        return r;
}

static int mark_match_decompile(NftExprReader *rd, bool ct, MatchMark *m) {
        uint32_t op;

        if ((ct ? nft_read_ct(rd, NFT_CT_MARK, -1, NFT_REG_1) : nft_read_meta(rd, NFT_META_MARK, NFT_REG_1)) < 0 ||
            read_mask_u32(rd, &m->mask) < 0 || nft_read_cmp(rd, NFT_REG_1, &op, &m->value, sizeof(m->value)) < 0 ||
            (op != NFT_CMP_EQ && op != NFT_CMP_NEQ))
                return -EBADMSG;
        m->invert = op == NFT_CMP_NEQ;
        return 0;
}

static int mark_compile(NftRuleBuilder *b, const void *data) {
        return mark_match_compile(b, false, data);
}

static int mark_decompile(NftExprReader *rd, void *data) {
        return mark_match_decompile(rd, false, data);
}

static int connmark_compile(NftRuleBuilder *b, const void *data) {
        return mark_match_compile(b, true, data);
}

static int connmark_decompile(NftExprReader *rd, void *data) {
        return mark_match_decompile(rd, true, data);
}

const NftCodec nft_codec_mark = { mark_compile, mark_decompile };
const NftCodec nft_codec_connmark = { connmark_compile, connmark_decompile };

/*
 * ---- CT, NOTRACK ----
 * xt_CT attaches a template to a packet not yet tracked: zone 0 without
 * options, which is no change but for keeping later CT rules off the
 * packet. "ct zone set" attaches one the same way (and leaves a packet
 * already tracked, or untracked, alone), so plain CT is "ct zone set 0".
 * --notrack is the notrack expression, which xt_CT's NOTRACK mirrors.
 */

static int ct_compile(NftRuleBuilder *b, const void *data) {
        const TargetCt *ct = data;
        int dir = ct->flags & TARGET_CT_ZONE_ORIG    ? IP_CT_DIR_ORIGINAL
                  : ct->flags & TARGET_CT_ZONE_REPLY ? IP_CT_DIR_REPLY
                                                     : -1;
        int r;

        if ((ct->flags & TARGET_CT_NOTRACK) && (ct->helper[0] || ct->zone))
                return nft_compile_unsupported(b, "CT --notrack with --helper or --zone: the kernel ignores them "
                                                  "with --notrack; write CT --notrack alone");
        if (ct->flags & TARGET_CT_NOTRACK)
                return nft_expr_new(b, "notrack") ? 0 : -ENOMEM;

        /* the zone is a host-order u16 in the register, as nft writes it */
        r = nft_build_immediate(b, NFT_REG_1, &ct->zone, sizeof(ct->zone));
        if (r >= 0)
                r = build_set(b, true, NFT_CT_ZONE, dir);
        if (r >= 0 && ct->helper[0])
                r = nft_build_ct_helper(b, ct->helper);
        return r;
}

static int ct_decompile(NftExprReader *rd, void *data) {
        TargetCt *ct = data;
        int dir;

        if (nft_read_expr(rd, "notrack")) {
                ct->flags = TARGET_CT_NOTRACK;
                return 0;
        }
        if (nft_read_immediate(rd, NFT_REG_1, &ct->zone, sizeof(ct->zone)) < 0 ||
            read_set(rd, true, NFT_CT_ZONE, &dir) < 0)
                return -EBADMSG;
        if (next_is(rd, "objref") && nft_read_ct_helper(rd, ct->helper, sizeof(ct->helper)) < 0)
                return -EBADMSG;
        if (dir >= 0) {
                /* a direction comes only with a zone (ct_finish) */
                if (ct->zone == 0)
                        return -EBADMSG;
                ct->flags = dir == IP_CT_DIR_ORIGINAL ? TARGET_CT_ZONE_ORIG : TARGET_CT_ZONE_REPLY;
        }
        return 0;
}

static int notrack_compile(NftRuleBuilder *b, const void *data) {
        return nft_expr_new(b, "notrack") ? 0 : -ENOMEM;
}

static int notrack_decompile(NftExprReader *rd, void *data) {
        return nft_read_expr(rd, "notrack") ? 0 : -EBADMSG;
}

const NftCodec nft_codec_CT = { ct_compile, ct_decompile };
const NftCodec nft_codec_NOTRACK = { notrack_compile, notrack_decompile };

/*
 * ---- MARK, CONNMARK ----
 * new = (old & ~mask) ^ value: "immediate value" when the mask is whole
 * (nft's "meta mark set 0x5"), else load, bitwise (~mask, value), as nft's
 * "meta mark set mark and ~mask xor value"; then the set. Without a
 * connection, ct mark loads end the rule and ct set does nothing: both
 * leave the packet to the next rule, as xt_CONNMARK's XT_CONTINUE.
 */

static int xmark_compile(NftRuleBuilder *b, bool ct, uint32_t value, uint32_t mask) {
        uint32_t keep = ~mask;
        int r;

        if (mask == UINT32_MAX)
                r = nft_build_immediate(b, NFT_REG_1, &value, sizeof(value));
        else {
                r = ct ? nft_build_ct(b, NFT_CT_MARK, -1, NFT_REG_1) : nft_build_meta(b, NFT_META_MARK, NFT_REG_1);
                if (r >= 0)
                        r = nft_build_bitwise(b, NFT_REG_1, sizeof(keep), &keep, &value);
        }
        return r < 0 ? r : build_set(b, ct, ct ? NFT_CT_MARK : NFT_META_MARK, -1);
}

/* After the load of the old mark: bitwise and set. */
static int xmark_read_rest(NftExprReader *rd, bool ct, uint32_t *ret_value, uint32_t *ret_mask) {
        uint32_t keep, value;

        if (nft_read_bitwise(rd, NFT_REG_1, sizeof(keep), &keep, &value) < 0 || keep == 0 ||
            read_set(rd, ct, ct ? NFT_CT_MARK : NFT_META_MARK, NULL) < 0)
                return -EBADMSG;
        *ret_value = value;
        *ret_mask = ~keep;
        return 0;
}

static int mark_target_compile(NftRuleBuilder *b, const void *data) {
        const TargetMark *m = data;

        return xmark_compile(b, false, m->value, m->mask);
}

static int mark_target_decompile(NftExprReader *rd, void *data) {
        TargetMark *m = data;

        if (next_is(rd, "immediate")) {
                if (nft_read_immediate(rd, NFT_REG_1, &m->value, sizeof(m->value)) < 0)
                        return -EBADMSG;
                m->mask = UINT32_MAX;
                return read_set(rd, false, NFT_META_MARK, NULL);
        }
        if (nft_read_meta(rd, NFT_META_MARK, NFT_REG_1) < 0)
                return -EBADMSG;
        return xmark_read_rest(rd, false, &m->value, &m->mask);
}

static int connmark_target_compile(NftRuleBuilder *b, const void *data) {
        const TargetConnmark *cm = data;
        int r;

        switch ((ConnmarkMode)cm->mode) {
        case CONNMARK_SET:
                return xmark_compile(b, true, cm->value, cm->ctmask);
        case CONNMARK_SAVE:
                /* ctmark = (ctmark & ~ctmask) ^ (mark & nfmask): two registers unless ctmask is whole */
                if (cm->ctmask != UINT32_MAX)
                        return nft_compile_unsupported(b, "CONNMARK --save-mark with a --ctmask (or --mask) other than "
                                                          "0xffffffff: nf_tables cannot merge the packet mark into "
                                                          "part of the connection mark");
                r = nft_build_meta(b, NFT_META_MARK, NFT_REG_1);
                if (r >= 0)
                        r = build_mask_u32(b, cm->nfmask);
                return r < 0 ? r : build_set(b, true, NFT_CT_MARK, -1);
        case CONNMARK_RESTORE:
                /* mark = (mark & ~nfmask) ^ (ctmark & ctmask): two registers unless nfmask is whole */
                if (cm->nfmask != UINT32_MAX)
                        return nft_compile_unsupported(b, "CONNMARK --restore-mark with an --nfmask (or --mask) other "
                                                          "than 0xffffffff: nf_tables cannot merge the connection "
                                                          "mark into part of the packet mark");
                r = nft_build_ct(b, NFT_CT_MARK, -1, NFT_REG_1);
                if (r >= 0)
                        r = build_mask_u32(b, cm->ctmask);
                return r < 0 ? r : build_set(b, false, NFT_META_MARK, -1);
        case _CONNMARK_MODE_MAX:
        case _CONNMARK_MODE_INVALID:
                break;
        }
        return -EINVAL;
}

static int connmark_target_decompile(NftExprReader *rd, void *data) {
        TargetConnmark *cm = data;
        uint32_t mask;

        if (next_is(rd, "immediate")) {
                if (nft_read_immediate(rd, NFT_REG_1, &cm->value, sizeof(cm->value)) < 0)
                        return -EBADMSG;
                cm->mode = CONNMARK_SET;
                cm->ctmask = cm->nfmask = UINT32_MAX;
                return read_set(rd, true, NFT_CT_MARK, NULL);
        }
        if (next_is(rd, "meta")) {
                if (nft_read_meta(rd, NFT_META_MARK, NFT_REG_1) < 0)
                        return -EBADMSG;
                /* save: mark [& nfmask] into ct mark */
                if (read_mask_u32(rd, &mask) < 0 || read_set(rd, true, NFT_CT_MARK, NULL) < 0)
                        return -EBADMSG;
                cm->mode = CONNMARK_SAVE;
                cm->value = 0;
                cm->nfmask = mask;
                cm->ctmask = UINT32_MAX;
                return 0;
        }
        if (nft_read_ct(rd, NFT_CT_MARK, -1, NFT_REG_1) < 0)
                return -EBADMSG;
        /* restore (ct mark [& ctmask] into mark), or set (ct mark & ~ctmask ^ value into ct mark) */
        {
                NftExprReader probe = *rd;

                if (read_mask_u32(&probe, &mask) == 0 && read_set(&probe, false, NFT_META_MARK, NULL) == 0) {
                        *rd = probe;
                        cm->mode = CONNMARK_RESTORE;
                        cm->value = 0;
                        cm->ctmask = mask;
                        cm->nfmask = UINT32_MAX;
                        return 0;
                }
        }
        cm->mode = CONNMARK_SET;
        cm->nfmask = UINT32_MAX;
        return xmark_read_rest(rd, true, &cm->value, &cm->ctmask);
}

const NftCodec nft_codec_MARK = { mark_target_compile, mark_target_decompile };
const NftCodec nft_codec_CONNMARK = { connmark_target_compile, connmark_target_decompile };
