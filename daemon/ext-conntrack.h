/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Payloads of the connection-tracking and mark extensions: the matches
 * conntrack, state, mark and connmark, the targets CT, NOTRACK, MARK and
 * CONNMARK. Values are kept in the form nf_tables compiles them to (ct
 * state and ct status bits, xor/mask pairs for marks), normalised so that
 * rules printing the same compare equal byte for byte.
 */

#include <stdbool.h>
#include <stdint.h>

#include "ruleset.h"

/* nf_tables' ct state bits (NF_CT_STATE_*), which xt_conntrack shares. */
typedef enum CtState {
        CT_STATE_INVALID = 1u << 0,
        CT_STATE_ESTABLISHED = 1u << 1,
        CT_STATE_RELATED = 1u << 2,
        CT_STATE_NEW = 1u << 3,
        CT_STATE_UNTRACKED = 1u << 6,
        /* xt_conntrack's pseudo-states; nf_tables has them as ct status snat/dnat. */
        CT_STATE_SNAT = 1u << 7,
        CT_STATE_DNAT = 1u << 8,
} CtState;

/* The ct status bits (IPS_*) --ctstatus knows. */
typedef enum CtStatus {
        CT_STATUS_EXPECTED = 1u << 0,
        CT_STATUS_SEEN_REPLY = 1u << 1,
        CT_STATUS_ASSURED = 1u << 2,
        CT_STATUS_CONFIRMED = 1u << 3,
} CtStatus;

/* The criteria of -m conntrack, in the order iptables-save prints them. */
typedef enum ConntrackField {
        CONNTRACK_STATE,
        CONNTRACK_PROTO,
        CONNTRACK_ORIGSRC,
        CONNTRACK_ORIGDST,
        CONNTRACK_REPLSRC,
        CONNTRACK_REPLDST,
        CONNTRACK_ORIGSRC_PORT,
        CONNTRACK_ORIGDST_PORT,
        CONNTRACK_REPLSRC_PORT,
        CONNTRACK_REPLDST_PORT,
        CONNTRACK_STATUS,
        CONNTRACK_EXPIRE,
        CONNTRACK_DIR,
        _CONNTRACK_FIELD_MAX,
        _CONNTRACK_FIELD_INVALID = -EINVAL,
} ConntrackField;

typedef enum ConntrackDir {
        CONNTRACK_DIR_ORIGINAL,
        CONNTRACK_DIR_REPLY,
        _CONNTRACK_DIR_MAX,
        _CONNTRACK_DIR_INVALID = -EINVAL,
} ConntrackDir;

/* MATCH_CONNTRACK (revision 3). */
typedef struct MatchConntrack {
        AddrMask addr[4];               /* by field - CONNTRACK_ORIGSRC; host bits cleared */
        PortRange port[4];              /* by field - CONNTRACK_ORIGSRC_PORT */
        uint32_t expire_min;            /* seconds, inclusive */
        uint32_t expire_max;
        uint16_t fields;                /* 1 << ConntrackField given */
        uint16_t invert;                /* 1 << ConntrackField negated */
        uint16_t state;                 /* CtState */
        uint8_t status;                 /* CtStatus; 0 is "NONE" */
        uint8_t proto;                  /* never 0: iptables refuses it */
        uint8_t dir;                    /* ConntrackDir */
} MatchConntrack;

/* MATCH_STATE: ct state, printed as -m state. */
typedef struct MatchState {
        uint16_t state;                 /* CtState, never SNAT/DNAT */
        bool invert;
} MatchState;

/* MATCH_MARK (meta mark) and MATCH_CONNMARK (ct mark): (mark & mask) == value. */
typedef struct MatchMark {
        uint32_t value;
        uint32_t mask;
        bool invert;
} MatchMark;

typedef enum TargetCtFlags {
        TARGET_CT_NOTRACK = 1u << 0,
        /* The zone applies to one direction only; neither bit: both (--zone). */
        TARGET_CT_ZONE_ORIG = 1u << 1,
        TARGET_CT_ZONE_REPLY = 1u << 2,
} TargetCtFlags;

/* TARGET_CT (raw table); TARGET_NOTRACK has no payload. */
typedef struct TargetCt {
        char helper[16];                /* NF_CT_HELPER_NAME_LEN; "" = none */
        uint16_t zone;                  /* 0 = the default zone, no direction bits */
        uint8_t flags;                  /* TargetCtFlags */
} TargetCt;

/* TARGET_MARK, always in --set-xmark form: mark = (mark & ~mask) ^ value. */
typedef struct TargetMark {
        uint32_t value;
        uint32_t mask;
} TargetMark;

typedef enum ConnmarkMode {
        CONNMARK_SET,                   /* ctmark = (ctmark & ~ctmask) ^ value */
        CONNMARK_SAVE,                  /* ctmark = (ctmark & ~ctmask) ^ (mark & nfmask) */
        CONNMARK_RESTORE,               /* mark = (mark & ~nfmask) ^ (ctmark & ctmask) */
        _CONNMARK_MODE_MAX,
        _CONNMARK_MODE_INVALID = -EINVAL,
} ConnmarkMode;

/* TARGET_CONNMARK. */
typedef struct TargetConnmark {
        uint32_t value;                 /* CONNMARK_SET only, else 0 */
        uint32_t ctmask;
        uint32_t nfmask;                /* all ones in CONNMARK_SET */
        uint8_t mode;                   /* ConnmarkMode */
} TargetConnmark;
