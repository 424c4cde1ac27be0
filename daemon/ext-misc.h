/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Payloads of the small matches: limit, comment, iprange, addrtype, mac,
 * pkttype, length, ttl, hl, tos, dscp and owner. Each keeps the values
 * the compiler turns into one native expression (limit, payload and
 * meta comparisons, ranges, fib lookups, the comment's udata), already
 * normalised, so rules that print the same compare equal byte for byte.
 */

#include <stdbool.h>
#include <stdint.h>

#include "ruleset.h"

/* xt_limit's fixed point: a period of 1 second is LIMIT_SCALE. */
#define LIMIT_SCALE 10000u
#define LIMIT_BURST_DEFAULT 5u

/*
 * MATCH_LIMIT. avg is xt_rateinfo's period (LIMIT_SCALE * seconds per
 * packet), which is what iptables prints the rate from, normalised to
 * the period of that printed rate (what iptables-nft loads); burst is
 * never 0 (nf_tables turns 0 into the default, so we do it first).
 */
typedef struct MatchLimit {
        uint32_t avg;
        uint32_t burst;
} MatchLimit;

/* The rate and unit (1, 60, 3600 or 86400 seconds) iptables prints for avg: N/unit packets. */
void match_limit_rate(const MatchLimit *l, uint32_t *ret_rate, uint32_t *ret_unit_seconds);
/* The period for rate packets per unit_seconds, as --limit computes it; 0 if too fast. */
uint32_t match_limit_avg(uint32_t rate, uint32_t unit_seconds) _const_;

/* xt_comment: 256 bytes, NUL included. */
#define COMMENT_LEN_MAX 255

/* MATCH_COMMENT: the text as given (the rule's udata comment). */
typedef struct MatchComment {
        char text[COMMENT_LEN_MAX + 1];
} MatchComment;

typedef enum IprangeFlags {
        IPRANGE_MATCH_SRC = 1u << 0,
        IPRANGE_MATCH_DST = 1u << 1,
        IPRANGE_MATCH_SRC_INV = 1u << 2,
        IPRANGE_MATCH_DST_INV = 1u << 3,
} IprangeFlags;

/*
 * MATCH_IPRANGE: inclusive ranges in network order, for the rule's
 * family. A reversed range is kept (iptables accepts it; it never
 * matches, and its inversion always does).
 */
typedef struct MatchIprange {
        Addr src_min;
        Addr src_max;
        Addr dst_min;
        Addr dst_max;
        uint8_t flags; /* IprangeFlags */
} MatchIprange;

/* Route types (RTN_*), as --src-type/--dst-type name them, in iptables' print order. */
typedef enum AddrType {
        ADDR_TYPE_UNSPEC,
        ADDR_TYPE_UNICAST,
        ADDR_TYPE_LOCAL,
        ADDR_TYPE_BROADCAST,
        ADDR_TYPE_ANYCAST,
        ADDR_TYPE_MULTICAST,
        ADDR_TYPE_BLACKHOLE,
        ADDR_TYPE_UNREACHABLE,
        ADDR_TYPE_PROHIBIT,
        ADDR_TYPE_THROW,
        ADDR_TYPE_NAT,
        ADDR_TYPE_XRESOLVE,
        _ADDR_TYPE_MAX,
        _ADDR_TYPE_INVALID = -EINVAL,
} AddrType;

typedef enum AddrtypeFlags {
        ADDRTYPE_INV_SRC = 1u << 0,
        ADDRTYPE_INV_DST = 1u << 1,
        ADDRTYPE_LIMIT_IFACE_IN = 1u << 2,  /* fib ... . iif */
        ADDRTYPE_LIMIT_IFACE_OUT = 1u << 3, /* fib ... . oif */
} AddrtypeFlags;

/* MATCH_ADDRTYPE (revision 1): sets of route types, 1 << AddrType each; 0 = no test. */
typedef struct MatchAddrtype {
        uint16_t src;
        uint16_t dst;
        uint8_t flags; /* AddrtypeFlags */
} MatchAddrtype;

/* MATCH_MAC: ether saddr. */
typedef struct MatchMac {
        uint8_t addr[6];
        bool invert;
} MatchMac;

/* MATCH_PKTTYPE: meta pkttype, the kernel's PACKET_* value. */
typedef struct MatchPkttype {
        uint8_t pkttype;
        bool invert;
} MatchPkttype;

/* MATCH_LENGTH: meta length in an inclusive range. */
typedef struct MatchLength {
        uint16_t min;
        uint16_t max;
        bool invert;
} MatchLength;

typedef enum TtlMatchMode {
        TTL_MATCH_EQ,
        TTL_MATCH_NE, /* ! --ttl-eq */
        TTL_MATCH_LT,
        TTL_MATCH_GT,
        _TTL_MATCH_MODE_MAX,
        _TTL_MATCH_MODE_INVALID = -EINVAL,
} TtlMatchMode;

/* MATCH_TTL (IPv4 ttl) and MATCH_HL (IPv6 hop limit): header byte <mode> value. */
typedef struct MatchTtl {
        uint8_t mode; /* TtlMatchMode */
        uint8_t value;
} MatchTtl;

/* MATCH_TOS (revision 1): (tos or traffic class & mask) == value. */
typedef struct MatchTos {
        uint8_t value;
        uint8_t mask;
        bool invert;
} MatchTos;

/* MATCH_DSCP: the 6-bit DSCP; --dscp-class is stored as its number. */
typedef struct MatchDscp {
        uint8_t dscp;
        bool invert;
} MatchDscp;

typedef enum OwnerFlags {
        OWNER_UID = 1u << 0,
        OWNER_GID = 1u << 1,
        OWNER_SOCKET = 1u << 2,
} OwnerFlags;

/* MATCH_OWNER (revision 1): meta skuid/skgid in inclusive ranges. */
typedef struct MatchOwner {
        uint32_t uid_min;
        uint32_t uid_max;
        uint32_t gid_min;
        uint32_t gid_max;
        uint8_t match;  /* OwnerFlags given */
        uint8_t invert; /* OwnerFlags negated */
} MatchOwner;

/*
 * Names the TOS and DSCP targets share: the value, or -ENOENT.
 * tos_from_name() ignores case; dscp_class_from_name() also accepts, as
 * iptables does, any argument that starts with a class name ("ef1").
 */
int tos_from_name(const char *name);
const char *tos_to_name(uint8_t value) _pure_;
int dscp_class_from_name(const char *name);
