/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ruleset-ext: the registry of extensions the grammar and the printer
 * dispatch to, the standard targets, and the value parsers and printers
 * the extensions share (ports, addresses, value/mask pairs), so that each
 * kind of value is read and written by exactly one function.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ext-list.h"
#include "ruleset-names.h"

static const Extension *const match_table[_MATCH_TYPE_MAX] = {
        [MATCH_TCP] = &ext_match_tcp,
        [MATCH_UDP] = &ext_match_udp,
        [MATCH_ICMP] = &ext_match_icmp,
        [MATCH_ICMP6] = &ext_match_icmp6,
        [MATCH_MULTIPORT] = &ext_match_multiport,
        [MATCH_CONNTRACK] = &ext_match_conntrack,
        [MATCH_STATE] = &ext_match_state,
        [MATCH_MARK] = &ext_match_mark,
        [MATCH_CONNMARK] = &ext_match_connmark,
        [MATCH_LIMIT] = &ext_match_limit,
        [MATCH_COMMENT] = &ext_match_comment,
        [MATCH_IPRANGE] = &ext_match_iprange,
        [MATCH_ADDRTYPE] = &ext_match_addrtype,
        [MATCH_MAC] = &ext_match_mac,
        [MATCH_PKTTYPE] = &ext_match_pkttype,
        [MATCH_LENGTH] = &ext_match_length,
        [MATCH_TTL] = &ext_match_ttl,
        [MATCH_HL] = &ext_match_hl,
        [MATCH_TOS] = &ext_match_tos,
        [MATCH_DSCP] = &ext_match_dscp,
        [MATCH_OWNER] = &ext_match_owner,
};

static const Extension *const target_table[_TARGET_TYPE_MAX] = {
        [TARGET_ACCEPT] = &ext_target_accept,
        [TARGET_DROP] = &ext_target_drop,
        [TARGET_RETURN] = &ext_target_return,
        [TARGET_JUMP] = &ext_target_jump,
        [TARGET_GOTO] = &ext_target_goto,
        [TARGET_REJECT] = &ext_target_reject,
        [TARGET_LOG] = &ext_target_log,
        [TARGET_NFLOG] = &ext_target_nflog,
        [TARGET_SNAT] = &ext_target_snat,
        [TARGET_DNAT] = &ext_target_dnat,
        [TARGET_MASQUERADE] = &ext_target_masquerade,
        [TARGET_REDIRECT] = &ext_target_redirect,
        [TARGET_NETMAP] = &ext_target_netmap,
        [TARGET_CT] = &ext_target_ct,
        [TARGET_NOTRACK] = &ext_target_notrack,
        [TARGET_MARK] = &ext_target_mark,
        [TARGET_CONNMARK] = &ext_target_connmark,
        [TARGET_TCPMSS] = &ext_target_tcpmss,
        [TARGET_TOS] = &ext_target_tos,
        [TARGET_DSCP] = &ext_target_dscp,
        [TARGET_TTL] = &ext_target_ttl,
        [TARGET_HL] = &ext_target_hl,
};

/* Standard verdicts: no options, no payload; the printer writes them itself. */
#define STANDARD_TARGET(ident, verdict, t)      \
        const Extension ident = {               \
                .name = verdict,                \
                .is_target = true,              \
                .type = t,                      \
                .families = FAMILY_ANY,         \
                .tables = TABLE_ANY,            \
                .hooks = HOOK_ANY,              \
        }

STANDARD_TARGET(ext_target_accept, "ACCEPT", TARGET_ACCEPT);
STANDARD_TARGET(ext_target_drop, "DROP", TARGET_DROP);
STANDARD_TARGET(ext_target_return, "RETURN", TARGET_RETURN);

const Extension ext_target_jump = {
        .name = "(jump)",
        .is_target = true,
        .type = TARGET_JUMP,
        .families = FAMILY_ANY,
        .tables = TABLE_ANY,
        .hooks = HOOK_ANY,
        .size = sizeof(TargetChain),
};

const Extension ext_target_goto = {
        .name = "(goto)",
        .is_target = true,
        .type = TARGET_GOTO,
        .families = FAMILY_ANY,
        .tables = TABLE_ANY,
        .hooks = HOOK_ANY,
        .size = sizeof(TargetChain),
};

/*
 * iptables extensions that exist but that nfwall does not compile to
 * native nf_tables; refused by name rather than reported as unknown.
 */
static const char *const unsupported_matches[] = {
        "ah", "bpf", "cgroup", "cluster", "connbytes", "connlabel", "connlimit", "cpu", "dccp",
        "devgroup", "dst", "ecn", "esp", "eui64", "frag", "hashlimit", "hbh", "helper", "icmpv6",
        "ipcomp", "ipv6header", "ipvs", "mh", "nfacct", "osf", "physdev", "policy", "quota",
        "rateest", "realm", "recent", "rpfilter", "rt", "sctp", "set", "socket", "srh", "statistic",
        "string", "tcpmss", "time", "u32", "udplite",
};

static const char *const unsupported_targets[] = {
        "AUDIT", "CHECKSUM", "CLASSIFY", "CLUSTERIP", "CONNSECMARK", "DNPT", "ECN", "HMARK",
        "IDLETIMER", "LED", "MIRROR", "NFQUEUE", "QUEUE", "RATEEST", "SAME", "SECMARK", "SET",
        "SNPT", "SYNPROXY", "TCPOPTSTRIP", "TEE", "TPROXY", "TRACE", "ULOG",
};

const Extension *extension_by_match_type(MatchType type) {
        if ((unsigned)type >= _MATCH_TYPE_MAX)
                return NULL;
        return match_table[type];
}

const Extension *extension_by_target_type(TargetType type) {
        if ((unsigned)type >= _TARGET_TYPE_MAX)
                return NULL;
        return target_table[type];
}

const Extension *extension_find_match(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(match_table); i++)
                if (match_table[i]->name[0] == name[0] && streq(match_table[i]->name, name))
                        return match_table[i];
        /* ip6tables' own name for the icmp6 match */
        if (streq(name, "ipv6-icmp"))
                return &ext_match_icmp6;
        return NULL;
}

const Extension *extension_find_target(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(target_table); i++)
                if (i != TARGET_JUMP && i != TARGET_GOTO && target_table[i]->name[0] == name[0] &&
                    streq(target_table[i]->name, name))
                        return target_table[i];
        return NULL;
}

const char *extension_unsupported_reason(const char *name, bool target) {
        const char *const *list = target ? unsupported_targets : unsupported_matches;
        size_t n = target ? ELEMENTSOF(unsupported_targets) : ELEMENTSOF(unsupported_matches);

        for (size_t i = 0; i < n; i++)
                if (streq(list[i], name))
                        return "it has no native nf_tables translation in nfwall";
        return NULL;
}

int extension_find_option(const Extension *ext, const char *name, const ExtOption **ret) {
        const ExtOption *found = NULL;
        size_t len = strlen(name);
        unsigned n_prefix = 0;

        for (size_t i = 0; i < ext->n_options; i++) {
                const ExtOption *o = &ext->options[i];
                if (streq(o->name, name)) {
                        *ret = o;
                        return 0;
                }
                if (len > 0 && strncmp(o->name, name, len) == 0) {
                        /* Aliases share an id: a prefix of both is not ambiguous. */
                        if (!found || found->id != o->id)
                                n_prefix++;
                        found = o;
                }
        }
        if (n_prefix == 0)
                return -ENOENT;
        if (n_prefix > 1)
                return -EADDRINUSE;
        *ret = found;
        return 0;
}

static int ext_errorv(ExtParse *p, DiagCode code, const char *fmt, va_list ap) _printf_(3, 0);
static int ext_errorv(ExtParse *p, DiagCode code, const char *fmt, va_list ap) {
        const SourceLoc *loc = p->arg && p->arg_loc.line ? &p->arg_loc : &p->loc;
        int r;

        r = diag_list_addv(p->diags, DIAG_ERROR, code, loc, fmt, ap);
        return r < 0 ? r : -EINVAL;
}

int ext_warning(ExtParse *p, DiagCode code, const char *fmt, ...) {
        const SourceLoc *loc = p->arg && p->arg_loc.line ? &p->arg_loc : &p->loc;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = diag_list_addv(p->diags, DIAG_WARNING, code, loc, fmt, ap);
        va_end(ap);
        return r;
}

int ext_error(ExtParse *p, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = ext_errorv(p, DIAG_SYNTAX, fmt, ap);
        va_end(ap);
        return r;
}

int ext_error_code(ExtParse *p, DiagCode code, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = ext_errorv(p, code, fmt, ap);
        va_end(ap);
        return r;
}

static const char *ext_option_name(const ExtParse *p) {
        return p->option ? p->option->name : "?";
}

/* Numbers as iptables reads them (strtoul base 0: decimal, 0x hex, 0 octal), never negative. */
static int parse_u64(const char *s, uint64_t max, uint64_t *ret) {
        unsigned long long v;
        char *end;

        if (!s || !*s || !isdigit((unsigned char)*s))
                return -EINVAL;
        /* Short decimals are nearly every number in a rules file: skip strtoull's generality. */
        if (s[0] != '0' || s[1] == 0) {
                uint64_t d = 0;
                size_t i = 0;
                for (; i < 9 && s[i] >= '0' && s[i] <= '9'; i++)
                        d = d * 10 + (uint64_t)(s[i] - '0');
                if (s[i] == 0) {
                        if (d > max)
                                return -ERANGE;
                        *ret = d;
                        return 0;
                }
        }
        errno = 0;
        v = strtoull(s, &end, 0);
        if (errno || *end || v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}

int ext_parse_uint(ExtParse *p, const char *s, uint64_t max, uint64_t *ret) {
        if (parse_u64(s, max, ret) < 0)
                return ext_error(p, "--%s: \"%s\" is not a number from 0 to %llu", ext_option_name(p), s,
                                 (unsigned long long)max);
        return 0;
}

int ext_parse_port(ExtParse *p, const char *s, uint16_t *ret) {
        uint64_t v;
        int port;

        if (parse_u64(s, 65535, &v) == 0) {
                *ret = (uint16_t)v;
                return 0;
        }
        if (*s && !isdigit((unsigned char)*s) && *s != '-') {
                port = service_from_name(s, p->rule && (p->rule->flags & RULE_HAS_PROTO) ? p->rule->proto : 0);
                if (port >= 0) {
                        *ret = (uint16_t)port;
                        return 0;
                }
                return ext_error(p, "--%s: unknown service name \"%s\" (nfwall knows the IANA names; use a number)",
                                 ext_option_name(p), s);
        }
        return ext_error(p, "--%s: \"%s\" is not a port from 0 to 65535", ext_option_name(p), s);
}

/* Copies an argument to split it in place; arguments of values are short. */
static int ext_copy_arg(ExtParse *p, const char *s, char *buf, size_t size) {
        size_t len = strlen(s);

        if (len >= size)
                return ext_error(p, "--%s: \"%.32s...\" is too long", ext_option_name(p), s);
        memcpy(buf, s, len + 1);
        return 0;
}

int ext_parse_port_range(ExtParse *p, const char *s, PortRange *ret) {
        char copy[64], *colon;
        PortRange r = { 0, 65535 };

        if (ext_copy_arg(p, s, copy, sizeof(copy)) < 0)
                return -EINVAL;
        colon = strchr(copy, ':');
        if (colon)
                *colon = 0;
        if (*copy && ext_parse_port(p, copy, &r.min) < 0)
                return -EINVAL;
        if (!colon)
                r.max = r.min;
        else if (colon[1] && ext_parse_port(p, colon + 1, &r.max) < 0)
                return -EINVAL;
        if (r.min > r.max)
                return ext_error(p, "--%s: range \"%s\" ends before it starts", ext_option_name(p), s);
        *ret = r;
        return 0;
}

int ext_parse_value_mask(ExtParse *p, const char *s, uint32_t max, uint32_t *ret_value, uint32_t *ret_mask) {
        uint64_t v, m = max;
        char copy[64], *slash;

        if (ext_copy_arg(p, s, copy, sizeof(copy)) < 0)
                return -EINVAL;
        slash = strchr(copy, '/');
        if (slash)
                *slash = 0;
        if (parse_u64(copy, max, &v) < 0 || (slash && parse_u64(slash + 1, max, &m) < 0))
                return ext_error(p, "--%s: \"%s\" is not VALUE[/MASK] with numbers up to 0x%x", ext_option_name(p),
                                 s, max);
        *ret_value = (uint32_t)v;
        *ret_mask = (uint32_t)m;
        return 0;
}

int ext_parse_u32_range(ExtParse *p, const char *s, char sep, uint32_t *ret_min, uint32_t *ret_max) {
        uint64_t lo, hi;
        char copy[64], *dash;

        if (ext_copy_arg(p, s, copy, sizeof(copy)) < 0)
                return -EINVAL;
        dash = strchr(copy, sep);
        if (dash)
                *dash = 0;
        if (parse_u64(copy, UINT32_MAX, &lo) < 0)
                return ext_error(p, "--%s: \"%s\" is not a number or a range", ext_option_name(p), s);
        hi = lo;
        if (dash && parse_u64(dash + 1, UINT32_MAX, &hi) < 0)
                return ext_error(p, "--%s: \"%s\" is not a number or a range", ext_option_name(p), s);
        if (lo > hi)
                return ext_error(p, "--%s: range \"%s\" ends before it starts", ext_option_name(p), s);
        *ret_min = (uint32_t)lo;
        *ret_max = (uint32_t)hi;
        return 0;
}

static int addr_from_string(Family family, const char *s, Addr *ret) {
        Addr a = {};

        if (inet_pton(family == FAMILY_IPV6 ? AF_INET6 : AF_INET, s, &a) != 1)
                return -EINVAL;
        *ret = a;
        return 0;
}

int ext_parse_addr(ExtParse *p, const char *s, Addr *ret) {
        if (addr_from_string(p->family, s, ret) < 0)
                return ext_error(p, "--%s: \"%s\" is not an %s address (host names are not resolved)",
                                 ext_option_name(p), s, p->family == FAMILY_IPV6 ? "IPv6" : "IPv4");
        return 0;
}

static void mask_from_prefix(Family family, unsigned prefix, Addr *ret) {
        Addr m = {};

        for (unsigned i = 0; i < family_addr_len(family); i++) {
                unsigned bits = prefix > 8 * i ? prefix - 8 * i : 0;
                m.bytes[i] = bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);
        }
        *ret = m;
}

int ext_parse_addr_mask(ExtParse *p, const char *s, AddrMask *ret) {
        unsigned max = p->family == FAMILY_IPV6 ? 128 : 32;
        AddrMask am = {};
        uint64_t prefix = max;
        char copy[128], *slash;

        if (ext_copy_arg(p, s, copy, sizeof(copy)) < 0)
                return -EINVAL;
        slash = strchr(copy, '/');
        if (slash)
                *slash = 0;
        if (ext_parse_addr(p, copy, &am.addr) < 0)
                return -EINVAL;
        if (slash && addr_from_string(p->family, slash + 1, &am.mask) == 0)
                ; /* a mask written as an address, e.g. 255.0.255.0 */
        else if (slash && parse_u64(slash + 1, max, &prefix) < 0)
                return ext_error(p, "\"%s\": the prefix length must be a number from 0 to %u", s, max);
        else
                mask_from_prefix(p->family, (unsigned)prefix, &am.mask);
        for (size_t i = 0; i < 16; i++)
                am.addr.bytes[i] &= am.mask.bytes[i];
        *ret = am;
        return 0;
}

void ext_print_option(ExtPrint *p, bool invert, const char *name) {
        strbuf_puts(p->buf, invert ? " ! --" : " --");
        strbuf_puts(p->buf, name);
}

void ext_print_addr(ExtPrint *p, const Addr *a) {
        char tmp[INET6_ADDRSTRLEN];

        if (p->family == FAMILY_IPV4) {
                /* inet_ntop is the hot spot of printing 100k rules; dotted quads are easy. */
                for (int i = 0; i < 4; i++) {
                        if (i)
                                strbuf_putc(p->buf, '.');
                        strbuf_put_u64(p->buf, a->bytes[i]);
                }
                return;
        }
        inet_ntop(AF_INET6, a, tmp, sizeof(tmp));
        strbuf_puts(p->buf, tmp);
}

void ext_print_addr_mask(ExtPrint *p, const AddrMask *am) {
        int prefix = addr_mask_prefix(p->family, &am->mask);

        ext_print_addr(p, &am->addr);
        strbuf_putc(p->buf, '/');
        if (prefix >= 0)
                strbuf_put_u64(p->buf, (uint64_t)prefix);
        else
                ext_print_addr(p, &am->mask);
}

void ext_print_port_range(ExtPrint *p, const PortRange *r, char sep) {
        strbuf_put_u64(p->buf, r->min);
        if (r->max != r->min) {
                strbuf_putc(p->buf, sep);
                strbuf_put_u64(p->buf, r->max);
        }
}
