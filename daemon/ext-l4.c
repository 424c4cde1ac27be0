/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ext-l4: the transport-header matches tcp, udp, icmp, icmp6 and
 * multiport. Each reads its options as iptables 1.8 does (same accepted
 * spellings, same refusals, same normalisation), stores the result in
 * the payload of ext-l4.h, and prints it back the way iptables-save and
 * iptables -L print it.
 *
 * The protocol requirements (-m tcp needs -p tcp, ...) are the kernel's
 * xt checks in iptables: checked once the rule is complete, except for
 * multiport, which iptables checks while reading its option and so only
 * sees a -p given before it.
 */

#include <ctype.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ext-l4.h"
#include "ext-list.h"
#include "ruleset-names.h"

/* Option ids; tcp and udp share the port ones, so their parsers share code. */
enum {
        OPT_SPORT,
        OPT_DPORT,
        OPT_SYN,
        OPT_TCP_FLAGS,
        OPT_TCP_OPTION,
};

/* ---- ports (tcp, udp, multiport) ---- */

#define PORT_OPTIONS                                                            \
        { "source-port", OPT_SPORT, EXT_OPT_ARG | EXT_OPT_INVERT },             \
        { "sport", OPT_SPORT, EXT_OPT_ARG | EXT_OPT_INVERT },                   \
        { "destination-port", OPT_DPORT, EXT_OPT_ARG | EXT_OPT_INVERT },        \
        { "dport", OPT_DPORT, EXT_OPT_ARG | EXT_OPT_INVERT }

static void list_port(ExtPrint *p, uint16_t port, uint8_t proto) {
        const char *name = p->numeric ? NULL : service_to_name(port, proto);

        if (name)
                strbuf_puts(p->buf, name);
        else
                strbuf_put_u64(p->buf, port);
}

static bool port_range_is_any(const PortRange *r) {
        return r->min == 0 && r->max == UINT16_MAX;
}

static int parse_ports(ExtParse *p, PortRange *ret, uint8_t *invert, uint8_t bit) {
        if (ext_parse_port_range(p, p->arg, ret) < 0)
                return -EINVAL;
        if (p->invert)
                *invert |= bit;
        return 0;
}

/* iptables-save prints a port test unless it is the full range, uninverted. */
static void save_ports(ExtPrint *p, const char *name, const PortRange *r, bool invert) {
        if (port_range_is_any(r) && !invert)
                return;
        ext_print_option(p, invert, name);
        strbuf_putc(p->buf, ' ');
        ext_print_port_range(p, r, ':');
}

/* " spt:22", " spts:!1:1023" ... */
static void list_ports(ExtPrint *p, const char *name, const PortRange *r, bool invert, uint8_t proto) {
        if (port_range_is_any(r) && !invert)
                return;
        strbuf_putc(p->buf, ' ');
        strbuf_puts(p->buf, name);
        strbuf_puts(p->buf, r->min == r->max ? ":" : "s:");
        if (invert)
                strbuf_putc(p->buf, '!');
        list_port(p, r->min, proto);
        if (r->min != r->max) {
                strbuf_putc(p->buf, ':');
                list_port(p, r->max, proto);
        }
}

/* The xt module of each match only accepts packets of its protocol, and never with "! -p". */
static int require_proto(ExtParse *p, const char *match, uint8_t proto) {
        const char *name = protocol_to_name(proto);

        if (!(p->rule->flags & RULE_HAS_PROTO) || p->rule->proto != proto)
                return ext_error_code(p, DIAG_SEMANTIC, "-m %s requires -p %s", match, name);
        if (p->rule->flags & RULE_INV_PROTO)
                return ext_error_code(p, DIAG_SEMANTIC, "-m %s cannot be used with ! -p %s", match, name);
        return 0;
}

/* A number from 0 to 255 as xtables_strtoui() reads it (base 0); the rest of s in *ret_end. */
static int parse_u8_prefix(const char *s, uint8_t *ret, const char **ret_end) {
        unsigned long v;
        char *end;

        if (!isdigit((unsigned char)*s))
                return -EINVAL;
        errno = 0;
        v = strtoul(s, &end, 0);
        if (errno || v > 255)
                return -ERANGE;
        *ret = (uint8_t)v;
        *ret_end = end;
        return 0;
}

/* ---- udp ---- */

static const ExtOption udp_options[] = {
        PORT_OPTIONS,
};

static void udp_init(void *data) {
        UdpMatch *u = data;

        u->sport.max = u->dport.max = UINT16_MAX;
}

static int udp_parse(ExtParse *p, void *data) {
        UdpMatch *u = data;

        if (p->option->id == OPT_SPORT)
                return parse_ports(p, &u->sport, &u->invert, L4_INV_SPORT);
        return parse_ports(p, &u->dport, &u->invert, L4_INV_DPORT);
}

static int udp_finish(ExtParse *p, void *data _unused_) {
        return require_proto(p, "udp", IPPROTO_UDP);
}

static void udp_save(const void *data, ExtPrint *p) {
        const UdpMatch *u = data;

        save_ports(p, "sport", &u->sport, u->invert & L4_INV_SPORT);
        save_ports(p, "dport", &u->dport, u->invert & L4_INV_DPORT);
}

static void udp_list(const void *data, ExtPrint *p) {
        const UdpMatch *u = data;

        strbuf_puts(p->buf, " udp");
        list_ports(p, "spt", &u->sport, u->invert & L4_INV_SPORT, IPPROTO_UDP);
        list_ports(p, "dpt", &u->dport, u->invert & L4_INV_DPORT, IPPROTO_UDP);
}

const Extension ext_match_udp = {
        .name = "udp",
        .type = MATCH_UDP,
        .families = FAMILY_ANY,
        .tables = TABLE_ANY,
        .hooks = HOOK_ANY,
        .size = sizeof(UdpMatch),
        .options = udp_options,
        .n_options = ELEMENTSOF(udp_options),
        .init = udp_init,
        .parse = udp_parse,
        .finish = udp_finish,
        .save = udp_save,
        .list = udp_list,
};

/* ---- tcp ---- */

/* The single flags first: printing walks them in this order; ALL and NONE are input only. */
static const struct {
        const char *name;
        uint8_t bits;
} tcp_flag_names[] = {
        { "FIN", TCP_FLAG_FIN },
        { "SYN", TCP_FLAG_SYN },
        { "RST", TCP_FLAG_RST },
        { "PSH", TCP_FLAG_PSH },
        { "ACK", TCP_FLAG_ACK },
        { "URG", TCP_FLAG_URG },
        { "ALL", TCP_FLAG_ALL },
        { "NONE", 0 },
};

#define TCP_N_SINGLE_FLAGS 6

static const ExtOption tcp_options[] = {
        PORT_OPTIONS,
        { "syn", OPT_SYN, EXT_OPT_INVERT },
        { "tcp-flags", OPT_TCP_FLAGS, EXT_OPT_ARG | EXT_OPT_ARG2 | EXT_OPT_INVERT },
        { "tcp-option", OPT_TCP_OPTION, EXT_OPT_ARG | EXT_OPT_INVERT },
};

/* "SYN,ACK": comma-separated, any case, empty items ignored (iptables uses strtok). */
static int parse_tcp_flag_list(ExtParse *p, const char *s, uint8_t *ret) {
        uint8_t bits = 0;

        for (const char *item = s + strspn(s, ","); *item; item += strspn(item, ",")) {
                size_t len = strcspn(item, ",");
                size_t i;

                for (i = 0; i < ELEMENTSOF(tcp_flag_names); i++)
                        if (strlen(tcp_flag_names[i].name) == len &&
                            strncasecmp(tcp_flag_names[i].name, item, len) == 0)
                                break;
                if (i == ELEMENTSOF(tcp_flag_names))
                        return ext_error(p, "--tcp-flags: unknown TCP flag \"%.*s\" in \"%s\" "
                                         "(FIN, SYN, RST, PSH, ACK, URG, ALL, NONE)", (int)len, item, s);
                bits |= tcp_flag_names[i].bits;
                item += len;
        }
        *ret = bits;
        return 0;
}

static void tcp_init(void *data) {
        TcpMatch *t = data;

        t->sport.max = t->dport.max = UINT16_MAX;
}

static int tcp_parse(ExtParse *p, void *data) {
        TcpMatch *t = data;
        const char *end;

        switch (p->option->id) {
        case OPT_SPORT:
                return parse_ports(p, &t->sport, &t->invert, L4_INV_SPORT);
        case OPT_DPORT:
                return parse_ports(p, &t->dport, &t->invert, L4_INV_DPORT);
        case OPT_SYN:
        case OPT_TCP_FLAGS:
                if (ext_seen(p, p->option->id == OPT_SYN ? OPT_TCP_FLAGS : OPT_SYN))
                        return ext_error_code(p, DIAG_SEMANTIC, "only one of --syn and --tcp-flags may be given");
                if (p->option->id == OPT_SYN) {
                        t->flags_mask = TCP_FLAG_FIN | TCP_FLAG_SYN | TCP_FLAG_RST | TCP_FLAG_ACK;
                        t->flags_cmp = TCP_FLAG_SYN;
                } else if (parse_tcp_flag_list(p, p->arg, &t->flags_mask) < 0 ||
                           parse_tcp_flag_list(p, p->arg2, &t->flags_cmp) < 0)
                        return -EINVAL;
                if (p->invert)
                        t->invert |= L4_INV_FLAGS;
                return 0;
        case OPT_TCP_OPTION:
                if (parse_u8_prefix(p->arg, &t->option, &end) < 0 || *end || t->option == 0)
                        return ext_error(p, "--tcp-option: \"%s\" is not a TCP option kind from 1 to 255", p->arg);
                if (p->invert)
                        t->invert |= L4_INV_OPTION;
                return 0;
        }
        return -EINVAL;
}

static int tcp_finish(ExtParse *p, void *data _unused_) {
        return require_proto(p, "tcp", IPPROTO_TCP);
}

/* "FIN,SYN,RST,ACK"; "NONE" for no flag. */
static void print_tcp_flags(ExtPrint *p, uint8_t bits) {
        bool first = true;

        for (size_t i = 0; i < TCP_N_SINGLE_FLAGS; i++) {
                if (!(bits & tcp_flag_names[i].bits))
                        continue;
                if (!first)
                        strbuf_putc(p->buf, ',');
                strbuf_puts(p->buf, tcp_flag_names[i].name);
                first = false;
        }
        if (first)
                strbuf_puts(p->buf, "NONE");
}

/*
 * Whether a flags test is present. iptables-save leaves out a test with
 * an empty mask even when it compares against set flags (a test that
 * never matches); printing it keeps the rule's meaning through a save.
 */
static bool tcp_has_flags(const TcpMatch *t) {
        return t->flags_mask || t->flags_cmp || (t->invert & L4_INV_FLAGS);
}

static void tcp_save(const void *data, ExtPrint *p) {
        const TcpMatch *t = data;

        save_ports(p, "sport", &t->sport, t->invert & L4_INV_SPORT);
        save_ports(p, "dport", &t->dport, t->invert & L4_INV_DPORT);
        if (t->option || (t->invert & L4_INV_OPTION)) {
                ext_print_option(p, t->invert & L4_INV_OPTION, "tcp-option");
                strbuf_putc(p->buf, ' ');
                strbuf_put_u64(p->buf, t->option);
        }
        if (tcp_has_flags(t)) {
                ext_print_option(p, t->invert & L4_INV_FLAGS, "tcp-flags");
                strbuf_putc(p->buf, ' ');
                print_tcp_flags(p, t->flags_mask);
                strbuf_putc(p->buf, ' ');
                print_tcp_flags(p, t->flags_cmp);
        }
}

static void tcp_list(const void *data, ExtPrint *p) {
        const TcpMatch *t = data;

        strbuf_puts(p->buf, " tcp");
        list_ports(p, "spt", &t->sport, t->invert & L4_INV_SPORT, IPPROTO_TCP);
        list_ports(p, "dpt", &t->dport, t->invert & L4_INV_DPORT, IPPROTO_TCP);
        if (t->option || (t->invert & L4_INV_OPTION)) {
                strbuf_puts(p->buf, t->invert & L4_INV_OPTION ? " option=!" : " option=");
                strbuf_put_u64(p->buf, t->option);
        }
        if (tcp_has_flags(t)) {
                strbuf_puts(p->buf, t->invert & L4_INV_FLAGS ? " flags:!" : " flags:");
                if (p->numeric)
                        strbuf_printf(p->buf, "0x%02X/0x%02X", t->flags_mask, t->flags_cmp);
                else {
                        print_tcp_flags(p, t->flags_mask);
                        strbuf_putc(p->buf, '/');
                        print_tcp_flags(p, t->flags_cmp);
                }
        }
}

const Extension ext_match_tcp = {
        .name = "tcp",
        .type = MATCH_TCP,
        .families = FAMILY_ANY,
        .tables = TABLE_ANY,
        .hooks = HOOK_ANY,
        .size = sizeof(TcpMatch),
        .options = tcp_options,
        .n_options = ELEMENTSOF(tcp_options),
        .init = tcp_init,
        .parse = tcp_parse,
        .finish = tcp_finish,
        .save = tcp_save,
        .list = tcp_list,
};

/* ---- icmp, icmp6 ---- */

typedef struct IcmpName {
        const char *name;
        uint8_t type;
        uint8_t code_min;
        uint8_t code_max;
} IcmpName;

/* iptables' tables (libxt_icmp.h), aliases after the name they stand for: -L prints the first. */
static const IcmpName icmp_names[] = {
        { "any", ICMP_TYPE_ANY, 0, 255 },
        { "echo-reply", 0, 0, 255 },
        { "pong", 0, 0, 255 },
        { "destination-unreachable", 3, 0, 255 },
        { "network-unreachable", 3, 0, 0 },
        { "host-unreachable", 3, 1, 1 },
        { "protocol-unreachable", 3, 2, 2 },
        { "port-unreachable", 3, 3, 3 },
        { "fragmentation-needed", 3, 4, 4 },
        { "source-route-failed", 3, 5, 5 },
        { "network-unknown", 3, 6, 6 },
        { "host-unknown", 3, 7, 7 },
        { "network-prohibited", 3, 9, 9 },
        { "host-prohibited", 3, 10, 10 },
        { "TOS-network-unreachable", 3, 11, 11 },
        { "TOS-host-unreachable", 3, 12, 12 },
        { "communication-prohibited", 3, 13, 13 },
        { "host-precedence-violation", 3, 14, 14 },
        { "precedence-cutoff", 3, 15, 15 },
        { "source-quench", 4, 0, 255 },
        { "redirect", 5, 0, 255 },
        { "network-redirect", 5, 0, 0 },
        { "host-redirect", 5, 1, 1 },
        { "TOS-network-redirect", 5, 2, 2 },
        { "TOS-host-redirect", 5, 3, 3 },
        { "echo-request", 8, 0, 255 },
        { "ping", 8, 0, 255 },
        { "router-advertisement", 9, 0, 255 },
        { "router-solicitation", 10, 0, 255 },
        { "time-exceeded", 11, 0, 255 },
        { "ttl-exceeded", 11, 0, 255 },
        { "ttl-zero-during-transit", 11, 0, 0 },
        { "ttl-zero-during-reassembly", 11, 1, 1 },
        { "parameter-problem", 12, 0, 255 },
        { "ip-header-bad", 12, 0, 0 },
        { "required-option-missing", 12, 1, 1 },
        { "timestamp-request", 13, 0, 255 },
        { "timestamp-reply", 14, 0, 255 },
        { "address-mask-request", 17, 0, 255 },
        { "address-mask-reply", 18, 0, 255 },
};

static const IcmpName icmpv6_names[] = {
        { "destination-unreachable", 1, 0, 255 },
        { "no-route", 1, 0, 0 },
        { "communication-prohibited", 1, 1, 1 },
        { "beyond-scope", 1, 2, 2 },
        { "address-unreachable", 1, 3, 3 },
        { "port-unreachable", 1, 4, 4 },
        { "failed-policy", 1, 5, 5 },
        { "reject-route", 1, 6, 6 },
        { "packet-too-big", 2, 0, 255 },
        { "time-exceeded", 3, 0, 255 },
        { "ttl-exceeded", 3, 0, 255 },
        { "ttl-zero-during-transit", 3, 0, 0 },
        { "ttl-zero-during-reassembly", 3, 1, 1 },
        { "parameter-problem", 4, 0, 255 },
        { "bad-header", 4, 0, 0 },
        { "unknown-header-type", 4, 1, 1 },
        { "unknown-option", 4, 2, 2 },
        { "echo-request", 128, 0, 255 },
        { "ping", 128, 0, 255 },
        { "echo-reply", 129, 0, 255 },
        { "pong", 129, 0, 255 },
        { "mld-listener-query", 130, 0, 255 },
        { "mld-listener-report", 131, 0, 255 },
        { "mld-listener-done", 132, 0, 255 },
        { "mld-listener-reduction", 132, 0, 255 },
        { "router-solicitation", 133, 0, 255 },
        { "router-advertisement", 134, 0, 255 },
        { "neighbour-solicitation", 135, 0, 255 },
        { "neighbor-solicitation", 135, 0, 255 },
        { "neighbour-advertisement", 136, 0, 255 },
        { "neighbor-advertisement", 136, 0, 255 },
        { "redirect", 137, 0, 255 },
};

/* What differs between icmp and icmp6; the code is shared. */
typedef struct IcmpFlavour {
        const char *option;             /* without "--" */
        const char *kind;               /* for messages */
        const char *list_prefix;        /* what iptables -L prints first */
        const IcmpName *names;
        size_t n_names;
        bool type_any;                  /* type 255 is the kernel's wildcard, saved as "any" */
} IcmpFlavour;

static const IcmpFlavour icmp_flavour = {
        "icmp-type", "ICMP", " icmp", icmp_names, ELEMENTSOF(icmp_names), true,
};

static const IcmpFlavour icmpv6_flavour = {
        "icmpv6-type", "ICMPv6", " ipv6-icmp", icmpv6_names, ELEMENTSOF(icmpv6_names), false,
};

/* "N" or "N:M", as iptables reads icmp types and codes. */
static int parse_u8_range(const char *s, uint8_t ret[2], const char **ret_end) {
        if (parse_u8_prefix(s, &ret[0], &s) < 0)
                return -EINVAL;
        ret[1] = ret[0];
        if (*s == ':' && parse_u8_prefix(s + 1, &ret[1], &s) < 0)
                return -EINVAL;
        *ret_end = s;
        return 0;
}

/* A name, or an unambiguous prefix of one (any case); else "type[/code[:code]]". */
static int parse_icmp_type(ExtParse *p, const IcmpFlavour *f, IcmpMatch *ret) {
        const char *s = p->arg, *rest;
        const IcmpName *match = NULL;
        uint8_t type[2], code[2] = { 0, 255 };
        size_t len = strlen(s);

        for (size_t i = 0; i < f->n_names; i++) {
                if (strncasecmp(f->names[i].name, s, len) != 0)
                        continue;
                if (match)
                        return ext_error(p, "--%s: ambiguous %s type \"%s\": \"%s\" or \"%s\"?", f->option,
                                         f->kind, s, match->name, f->names[i].name);
                match = &f->names[i];
        }
        if (match) {
                ret->type = match->type;
                ret->code_min = match->code_min;
                ret->code_max = match->code_max;
                return 0;
        }

        if (parse_u8_range(s, type, &rest) < 0)
                return ext_error(p, "--%s: unknown %s type \"%s\"", f->option, f->kind, s);
        if (*rest == '/' && parse_u8_range(rest + 1, code, &rest) < 0)
                return ext_error(p, "--%s: unknown %s code in \"%s\"", f->option, f->kind, s);
        if (*rest)
                return ext_error(p, "--%s: unexpected \"%s\" in \"%s\"", f->option, rest, s);
        if (type[0] != type[1])
                return ext_error(p, "--%s: %s type ranges are not supported (\"%s\")", f->option, f->kind, s);
        if (code[0] > code[1])
                return ext_error(p, "--%s: code range in \"%s\" ends before it starts", f->option, s);
        ret->type = type[0];
        ret->code_min = code[0];
        ret->code_max = code[1];
        /*
         * IPv4's wildcard type ignores the codes (xt_icmp), so "255/255" is
         * "any": stored as such, it is what iptables-save prints and what
         * the compiled rule can give back.
         */
        if (f->type_any && ret->type == ICMP_TYPE_ANY) {
                ret->code_min = 0;
                ret->code_max = 255;
        }
        return 0;
}

static void icmp_init(void *data) {
        IcmpMatch *m = data;

        m->code_max = 255;
}

static int icmp_parse_flavour(ExtParse *p, IcmpMatch *m, const IcmpFlavour *f) {
        if (parse_icmp_type(p, f, m) < 0)
                return -EINVAL;
        m->invert = p->invert;
        return 0;
}

static int icmp_parse(ExtParse *p, void *data) {
        return icmp_parse_flavour(p, data, &icmp_flavour);
}

static int icmpv6_parse(ExtParse *p, void *data) {
        return icmp_parse_flavour(p, data, &icmpv6_flavour);
}

/* Both have a single option, id 0, that must be given. */
static int icmp_finish_flavour(ExtParse *p, const char *match, const IcmpFlavour *f, uint8_t proto) {
        if (!ext_seen(p, 0))
                return ext_error(p, "-m %s: option --%s must be given", match, f->option);
        return require_proto(p, match, proto);
}

static int icmp_finish(ExtParse *p, void *data _unused_) {
        return icmp_finish_flavour(p, "icmp", &icmp_flavour, IPPROTO_ICMP);
}

static int icmpv6_finish(ExtParse *p, void *data _unused_) {
        return icmp_finish_flavour(p, "icmp6", &icmpv6_flavour, IPPROTO_ICMPV6);
}

static bool icmp_codes_all(const IcmpMatch *m) {
        return m->code_min == 0 && m->code_max == 255;
}

/*
 * " --icmp-type 8", " --icmp-type 3/3"; "any" for IPv4's wildcard.
 * iptables-save prints only the first code of a code range, which
 * turns "3/1:5" into "3/1" on the next restore; the range is printed
 * whole here so a save keeps the rule's meaning.
 */
static void icmp_save_flavour(const IcmpMatch *m, ExtPrint *p, const IcmpFlavour *f) {
        ext_print_option(p, m->invert, f->option);
        if (f->type_any && m->type == ICMP_TYPE_ANY && icmp_codes_all(m)) {
                strbuf_puts(p->buf, " any");
                return;
        }
        strbuf_putc(p->buf, ' ');
        strbuf_put_u64(p->buf, m->type);
        if (icmp_codes_all(m))
                return;
        strbuf_putc(p->buf, '/');
        strbuf_put_u64(p->buf, m->code_min);
        if (m->code_max != m->code_min) {
                strbuf_putc(p->buf, ':');
                strbuf_put_u64(p->buf, m->code_max);
        }
}

static void icmp_save(const void *data, ExtPrint *p) {
        icmp_save_flavour(data, p, &icmp_flavour);
}

static void icmpv6_save(const void *data, ExtPrint *p) {
        icmp_save_flavour(data, p, &icmpv6_flavour);
}

/* " icmp echo-request", " icmp !echo-request"; unnamed: " icmptype 3 code 77" (sic: no space). */
static void icmp_list_flavour(const IcmpMatch *m, ExtPrint *p, const IcmpFlavour *f) {
        strbuf_puts(p->buf, f->list_prefix);
        for (size_t i = 0; !p->numeric && i < f->n_names; i++) {
                const IcmpName *n = &f->names[i];

                if (n->type == m->type && n->code_min == m->code_min && n->code_max == m->code_max) {
                        strbuf_puts(p->buf, m->invert ? " !" : " ");
                        strbuf_puts(p->buf, n->name);
                        return;
                }
        }
        if (m->invert)
                strbuf_puts(p->buf, " !");
        strbuf_puts(p->buf, "type ");
        strbuf_put_u64(p->buf, m->type);
        if (m->code_min == m->code_max) {
                strbuf_puts(p->buf, " code ");
                strbuf_put_u64(p->buf, m->code_min);
        } else if (!icmp_codes_all(m)) {
                strbuf_puts(p->buf, " codes ");
                strbuf_put_u64(p->buf, m->code_min);
                strbuf_putc(p->buf, '-');
                strbuf_put_u64(p->buf, m->code_max);
        }
}

static void icmp_list(const void *data, ExtPrint *p) {
        icmp_list_flavour(data, p, &icmp_flavour);
}

static void icmpv6_list(const void *data, ExtPrint *p) {
        icmp_list_flavour(data, p, &icmpv6_flavour);
}

static const ExtOption icmp_options[] = {
        { "icmp-type", 0, EXT_OPT_ARG | EXT_OPT_INVERT },
};

static const ExtOption icmpv6_options[] = {
        { "icmpv6-type", 0, EXT_OPT_ARG | EXT_OPT_INVERT },
};

const Extension ext_match_icmp = {
        .name = "icmp",
        .type = MATCH_ICMP,
        .families = FAMILY_BIT(FAMILY_IPV4),
        .tables = TABLE_ANY,
        .hooks = HOOK_ANY,
        .size = sizeof(IcmpMatch),
        .options = icmp_options,
        .n_options = ELEMENTSOF(icmp_options),
        .init = icmp_init,
        .parse = icmp_parse,
        .finish = icmp_finish,
        .save = icmp_save,
        .list = icmp_list,
};

const Extension ext_match_icmp6 = {
        .name = "icmp6",
        .type = MATCH_ICMP6,
        .families = FAMILY_BIT(FAMILY_IPV6),
        .tables = TABLE_ANY,
        .hooks = HOOK_ANY,
        .size = sizeof(IcmpMatch),
        .options = icmpv6_options,
        .n_options = ELEMENTSOF(icmpv6_options),
        .init = icmp_init,
        .parse = icmpv6_parse,
        .finish = icmpv6_finish,
        .save = icmpv6_save,
        .list = icmpv6_list,
};

/* ---- multiport ---- */

/* Indexed by MultiportDir, which is also the option id. */
static const char *const multiport_dir_table[_MULTIPORT_DIR_MAX] = {
        [MULTIPORT_SOURCE] = "sports",
        [MULTIPORT_DESTINATION] = "dports",
        [MULTIPORT_EITHER] = "ports",
};

static const ExtOption multiport_options[] = {
        { "source-ports", MULTIPORT_SOURCE, EXT_OPT_ARG | EXT_OPT_INVERT },
        { "sports", MULTIPORT_SOURCE, EXT_OPT_ARG | EXT_OPT_INVERT },
        { "destination-ports", MULTIPORT_DESTINATION, EXT_OPT_ARG | EXT_OPT_INVERT },
        { "dports", MULTIPORT_DESTINATION, EXT_OPT_ARG | EXT_OPT_INVERT },
        { "ports", MULTIPORT_EITHER, EXT_OPT_ARG | EXT_OPT_INVERT },
};

static bool multiport_proto_ok(uint8_t proto) {
        switch (proto) {
        case IPPROTO_TCP:
        case IPPROTO_UDP:
        case IPPROTO_UDPLITE:
        case IPPROTO_SCTP:
        case IPPROTO_DCCP:
                return true;
        }
        return false;
}

/* "22,80:90,443": items in order, a range "a:b" (a < b) taking two slots. */
static int parse_multiport_list(ExtParse *p, MultiportMatch *m) {
        _cleanup_free_ char *copy = strdup(p->arg);
        const char *opt = p->option->name;
        char *item, *next;
        unsigned n = 0;

        if (!copy)
                return -ENOMEM;
        for (item = copy; item; item = next) {
                char *colon;

                next = strchr(item, ',');
                if (next)
                        *next++ = 0;
                colon = strchr(item, ':');
                if (colon)
                        *colon++ = 0;
                if (!*item || (colon && !*colon))
                        return ext_error(p, "--%s: empty port in \"%s\"", opt, p->arg);
                if (n + (colon ? 2 : 1) > MULTIPORT_MAX)
                        return ext_error(p, "--%s: too many ports in \"%s\" (at most %u, a range counts as two)",
                                         opt, p->arg, MULTIPORT_MAX);
                if (ext_parse_port(p, item, &m->ports[n]) < 0)
                        return -EINVAL;
                if (colon) {
                        if (ext_parse_port(p, colon, &m->ports[n + 1]) < 0)
                                return -EINVAL;
                        if (m->ports[n] >= m->ports[n + 1])
                                return ext_error(p, "--%s: invalid port range \"%s:%s\" (the first port must be "
                                                 "lower than the second)", opt, item, colon);
                        m->ranges |= 1u << n;
                        n++;
                }
                n++;
        }
        m->n_ports = (uint8_t)n;
        return 0;
}

static int multiport_parse(ExtParse *p, void *data) {
        MultiportMatch *m = data;
        const Rule *r = p->rule;

        /* One of --sports, --dports, --ports per match; repeats are the grammar's to refuse. */
        for (unsigned d = 0; d < _MULTIPORT_DIR_MAX; d++)
                if (d != p->option->id && ext_seen(p, d))
                        return ext_error_code(p, DIAG_SEMANTIC, "-m multiport: --%s cannot be combined with --%s",
                                              p->option->name, multiport_dir_table[d]);
        /* Like iptables, only a -p given before the option counts. */
        if (!(r->flags & RULE_HAS_PROTO))
                return ext_error_code(p, DIAG_SEMANTIC,
                                      "-m multiport needs -p tcp, -p udp, -p udplite, -p sctp or -p dccp before --%s",
                                      p->option->name);
        if (r->flags & RULE_INV_PROTO)
                return ext_error_code(p, DIAG_SEMANTIC, "-m multiport cannot be used with ! -p");
        if (!multiport_proto_ok(r->proto))
                return ext_error_code(p, DIAG_SEMANTIC, "-m multiport only works with -p tcp, udp, udplite, sctp or dccp");
        if (parse_multiport_list(p, m) < 0)
                return -EINVAL;
        m->dir = p->option->id;
        m->invert = p->invert;
        m->proto = r->proto;
        return 0;
}

static int multiport_finish(ExtParse *p, void *data _unused_) {
        if (p->seen == 0)
                return ext_error(p, "-m multiport needs one of --sports, --dports or --ports");
        return 0;
}

static void print_multiport_list(const MultiportMatch *m, ExtPrint *p) {
        for (unsigned i = 0; i < m->n_ports; i++) {
                if (i > 0)
                        strbuf_putc(p->buf, ',');
                list_port(p, m->ports[i], m->proto);
                if (m->ranges & (1u << i)) {
                        strbuf_putc(p->buf, ':');
                        list_port(p, m->ports[++i], m->proto);
                }
        }
}

static void multiport_save(const void *data, ExtPrint *p) {
        const MultiportMatch *m = data;
        ExtPrint numeric = *p;

        numeric.numeric = true;
        ext_print_option(p, m->invert, multiport_dir_table[m->dir]);
        strbuf_putc(p->buf, ' ');
        print_multiport_list(m, &numeric);
}

/* " multiport dports 22,80", inverted " multiport dports  !22" (sic: two spaces). */
static void multiport_list(const void *data, ExtPrint *p) {
        const MultiportMatch *m = data;

        strbuf_puts(p->buf, " multiport ");
        strbuf_puts(p->buf, multiport_dir_table[m->dir]);
        strbuf_puts(p->buf, m->invert ? "  !" : " ");
        print_multiport_list(m, p);
}

const Extension ext_match_multiport = {
        .name = "multiport",
        .type = MATCH_MULTIPORT,
        .families = FAMILY_ANY,
        .tables = TABLE_ANY,
        .hooks = HOOK_ANY,
        .size = sizeof(MultiportMatch),
        .options = multiport_options,
        .n_options = ELEMENTSOF(multiport_options),
        .parse = multiport_parse,
        .finish = multiport_finish,
        .save = multiport_save,
        .list = multiport_list,
};
