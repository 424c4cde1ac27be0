/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The extension descriptors, one per MatchType and TargetType. Each is
 * defined in the ext-*.c file of its group; ruleset-ext.c indexes them.
 */

#include "ruleset-ext.h"

/* ext-l4.c */
extern const Extension ext_match_tcp, ext_match_udp, ext_match_icmp, ext_match_icmp6, ext_match_multiport;
/* ext-conntrack.c */
extern const Extension ext_match_conntrack, ext_match_state, ext_match_mark, ext_match_connmark;
extern const Extension ext_target_ct, ext_target_notrack, ext_target_mark, ext_target_connmark;
/* ext-misc.c */
extern const Extension ext_match_limit, ext_match_comment, ext_match_iprange, ext_match_addrtype,
        ext_match_mac, ext_match_pkttype, ext_match_length, ext_match_ttl, ext_match_hl, ext_match_tos,
        ext_match_dscp, ext_match_owner;
/* ext-nat.c */
extern const Extension ext_target_snat, ext_target_dnat, ext_target_masquerade, ext_target_redirect,
        ext_target_netmap;
/* ext-target.c */
extern const Extension ext_target_reject, ext_target_log, ext_target_nflog, ext_target_tcpmss, ext_target_tos,
        ext_target_dscp, ext_target_ttl, ext_target_hl;
/* ruleset-ext.c: the standard targets */
extern const Extension ext_target_accept, ext_target_drop, ext_target_return, ext_target_jump, ext_target_goto;
