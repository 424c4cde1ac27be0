/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Payloads of the non-NAT targets with options: REJECT, LOG, NFLOG,
 * TCPMSS, TOS, DSCP, TTL and HL. Each holds what its nf_tables
 * translation needs (reject type and code, log attributes, the byte to
 * write or the arithmetic on it), never the text it was read from.
 */

#include <stdbool.h>
#include <stdint.h>

#include "ruleset.h"

/* nf_tables' reject types (NFT_REJECT_ICMP_UNREACH, NFT_REJECT_TCP_RST). */
typedef enum RejectType {
        REJECT_ICMP = 0,                /* ICMP or ICMPv6 destination unreachable, with code */
        REJECT_TCP_RST = 1,
} RejectType;

/* REJECT: code is the ICMP (IPv4) or ICMPv6 destination-unreachable code. */
typedef struct TargetReject {
        uint8_t type;                   /* RejectType */
        uint8_t code;                   /* 0 for REJECT_TCP_RST */
} TargetReject;

/* Whether --reject-with has a name for this type and code in the family (what the decompiler may accept). */
bool reject_is_known(Family family, const TargetReject *r) _pure_;

/* xt_log_info's prefix[30]: iptables keeps 29 characters. */
#define LOG_PREFIX_MAX 29

/* The LOG flag bits; the values of the kernel's NF_LOG_*, which nft's log expression takes. */
typedef enum LogFlags {
        LOG_FLAG_TCPSEQ = 1u << 0,      /* --log-tcp-sequence */
        LOG_FLAG_TCPOPT = 1u << 1,      /* --log-tcp-options */
        LOG_FLAG_IPOPT = 1u << 2,       /* --log-ip-options */
        LOG_FLAG_UID = 1u << 3,         /* --log-uid */
        LOG_FLAG_MACDECODE = 1u << 5,   /* --log-macdecode */
} LogFlags;

/* The syslog level LOG uses when --log-level is not given (LOG_WARNING). */
#define LOG_LEVEL_DEFAULT 4

typedef struct TargetLog {
        char prefix[LOG_PREFIX_MAX + 1];        /* "" = none */
        uint8_t level;                          /* syslog level 0-7 */
        uint8_t flags;                          /* LogFlags */
} TargetLog;

/* nf_tables' NF_LOG_PREFIXLEN less the NUL: what iptables-nft keeps of --nflog-prefix. */
#define NFLOG_PREFIX_MAX 127

typedef struct TargetNflog {
        uint32_t size;                  /* --nflog-size: bytes copied to user space (nft snaplen) */
        uint16_t group;                 /* --nflog-group */
        uint16_t threshold;             /* --nflog-threshold; 0 = the kernel's default */
        uint8_t has_size;               /* bool: --nflog-size given (0 is a size too) */
        char prefix[NFLOG_PREFIX_MAX + 1];
} TargetNflog;

/* TCPMSS: either a fixed MSS or clamping to the path MTU (then mss is 0). */
typedef struct TargetTcpmss {
        uint16_t mss;
        uint8_t clamp_pmtu;             /* bool */
} TargetTcpmss;

/* TOS: the new TOS byte is (tos & ~mask) ^ value. */
typedef struct TargetTos {
        uint8_t value;
        uint8_t mask;
} TargetTos;

/* DSCP: the six DSCP bits of the TOS / traffic class byte. */
typedef struct TargetDscp {
        uint8_t dscp;                   /* 0-0x3f */
} TargetDscp;

typedef enum TtlMode {
        TTL_SET,
        TTL_INC,
        TTL_DEC,
        _TTL_MODE_MAX,
        _TTL_MODE_INVALID = -EINVAL,
} TtlMode;

/* TTL (IPv4) and HL (IPv6 hop limit): set, or add or subtract a value (1-255) without wrapping. */
typedef struct TargetTtl {
        uint8_t mode;                   /* TtlMode */
        uint8_t value;
} TargetTtl;
