/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The codecs, one per MatchType and TargetType, defined in the nft-ext-*.c of their group. */

#include "nft-ext.h"

/* nft-ext-l4.c */
extern const NftCodec nft_codec_tcp, nft_codec_udp, nft_codec_icmp, nft_codec_icmp6, nft_codec_multiport;
/* nft-ext-conntrack.c */
extern const NftCodec nft_codec_conntrack, nft_codec_state, nft_codec_mark, nft_codec_connmark;
extern const NftCodec nft_codec_CT, nft_codec_NOTRACK, nft_codec_MARK, nft_codec_CONNMARK;
/* nft-ext-misc.c */
extern const NftCodec nft_codec_limit, nft_codec_comment, nft_codec_iprange, nft_codec_addrtype, nft_codec_mac,
        nft_codec_pkttype, nft_codec_length, nft_codec_ttl, nft_codec_hl, nft_codec_tos, nft_codec_dscp,
        nft_codec_owner;
/* nft-ext-nat.c */
extern const NftCodec nft_codec_SNAT, nft_codec_DNAT, nft_codec_MASQUERADE, nft_codec_REDIRECT, nft_codec_NETMAP;
/* nft-ext-target.c */
extern const NftCodec nft_codec_REJECT, nft_codec_LOG, nft_codec_NFLOG, nft_codec_TCPMSS, nft_codec_TOS,
        nft_codec_DSCP, nft_codec_TTL, nft_codec_HL;
/* nft-ext.c: verdicts */
extern const NftCodec nft_codec_ACCEPT, nft_codec_DROP, nft_codec_RETURN, nft_codec_jump, nft_codec_goto;
