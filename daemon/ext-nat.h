/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Payloads of the NAT targets: SNAT, DNAT, MASQUERADE, REDIRECT and
 * NETMAP. They hold what the nf_tables nat, masq and redir expressions
 * take (address range, port range, flags), in host order for ports, so
 * the compiler loads them into registers without re-parsing anything.
 */

#include <stdint.h>

#include "ruleset.h"

/*
 * What a NAT range carries. The values are the kernel's NF_NAT_RANGE_*
 * bits, which NFTA_NAT_FLAGS, NFTA_MASQ_FLAGS and NFTA_REDIR_FLAGS take
 * as they are.
 */
typedef enum NatFlags {
        NAT_MAP_IPS = 1u << 0,          /* an address or address range was given */
        NAT_PROTO_SPECIFIED = 1u << 1,  /* a port or port range was given */
        NAT_RANDOM = 1u << 2,           /* --random */
        NAT_PERSISTENT = 1u << 3,       /* --persistent */
        NAT_RANDOM_FULLY = 1u << 4,     /* --random-fully */
        NAT_PROTO_OFFSET = 1u << 5,     /* DNAT's /base-port: shifted port mapping */
} NatFlags;

/*
 * SNAT --to-source, DNAT --to-destination, MASQUERADE and REDIRECT
 * --to-ports. Addresses are only set with NAT_MAP_IPS (MASQUERADE and
 * REDIRECT never set them); ports only with NAT_PROTO_SPECIFIED, and
 * base_port only with NAT_PROTO_OFFSET. max_addr == min_addr for a
 * single address; iptables keeps a reversed range as given.
 */
typedef struct TargetNat {
        Addr min_addr;
        Addr max_addr;
        uint16_t min_port;
        uint16_t max_port;
        uint16_t base_port;
        uint16_t flags;                 /* NatFlags */
} TargetNat;

/*
 * NETMAP --to: the network to map onto (host bits cleared, contiguous
 * mask). The kernel maps addr | (original & ~mask).
 */
typedef struct TargetNetmap {
        AddrMask to;
} TargetNetmap;
