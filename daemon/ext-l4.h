/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Payloads of the transport-header matches: tcp, udp, icmp, icmp6 and
 * multiport. They keep the shape of the kernel's xt structures because
 * that is what iptables-save prints from, and every field is what the
 * compiler turns into a payload comparison (cmp, range, bitwise, exthdr,
 * lookup); no strings are kept.
 */

#include <stdint.h>

#include "ruleset.h"

/* Which parts of a tcp/udp match are negated ("! --sport" ...). */
typedef enum L4Invert {
        L4_INV_SPORT = 1u << 0,
        L4_INV_DPORT = 1u << 1,
        L4_INV_FLAGS = 1u << 2,         /* tcp only */
        L4_INV_OPTION = 1u << 3,        /* tcp only */
} L4Invert;

/* TCP header flag bits (byte 13), as --tcp-flags names them. */
typedef enum TcpFlag {
        TCP_FLAG_FIN = 0x01,
        TCP_FLAG_SYN = 0x02,
        TCP_FLAG_RST = 0x04,
        TCP_FLAG_PSH = 0x08,
        TCP_FLAG_ACK = 0x10,
        TCP_FLAG_URG = 0x20,
        TCP_FLAG_ALL = 0x3f,
} TcpFlag;

/*
 * -m tcp. A port range of 0:65535 that is not inverted matches every
 * packet and is not printed; --syn is stored as --tcp-flags
 * FIN,SYN,RST,ACK SYN. The flags test is (flags & flags_mask) ==
 * flags_cmp; flags_mask == flags_cmp == 0 without inversion means no test.
 */
typedef struct TcpMatch {
        PortRange sport;
        PortRange dport;
        uint8_t option;         /* TCP option kind that must be present (1-255); 0 = no test */
        uint8_t flags_mask;     /* TcpFlag bits */
        uint8_t flags_cmp;
        uint8_t invert;         /* L4Invert */
} TcpMatch;

/* -m udp: the port part of -m tcp. */
typedef struct UdpMatch {
        PortRange sport;
        PortRange dport;
        uint8_t invert;         /* L4_INV_SPORT, L4_INV_DPORT */
} UdpMatch;

/*
 * -m icmp and -m icmp6: type and an inclusive code range (0-255 when
 * only a type was given). For IPv4 only, type 255 is the kernel's
 * wildcard: it matches every ICMP packet whatever the codes ("any"), and
 * is always stored with codes 0-255.
 */
typedef struct IcmpMatch {
        uint8_t type;
        uint8_t code_min;
        uint8_t code_max;
        uint8_t invert;         /* bool */
} IcmpMatch;

#define ICMP_TYPE_ANY 0xff

/* Port slots of -m multiport; a range takes two. */
#define MULTIPORT_MAX 15

typedef enum MultiportDir {
        MULTIPORT_SOURCE,       /* --sports */
        MULTIPORT_DESTINATION,  /* --dports */
        MULTIPORT_EITHER,       /* --ports: source or destination */
        _MULTIPORT_DIR_MAX,
        _MULTIPORT_DIR_INVALID = -EINVAL,
} MultiportDir;

/*
 * -m multiport (revision 1): up to 15 slots in the order given; where
 * bit i of `ranges` is set, ports[i]..ports[i + 1] is one range and
 * slot i + 1 belongs to it.
 */
typedef struct MultiportMatch {
        uint16_t ports[MULTIPORT_MAX];
        uint16_t ranges;
        uint8_t n_ports;        /* slots used */
        uint8_t dir;            /* MultiportDir */
        uint8_t invert;         /* bool */
        uint8_t proto;          /* the rule's -p (tcp, udp, udplite, sctp, dccp): which header */
} MultiportMatch;
