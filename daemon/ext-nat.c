/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ext-nat: the NAT targets SNAT, DNAT, MASQUERADE, REDIRECT and NETMAP.
 * The first four share one payload and one reader for iptables' range
 * syntax (ADDR[-ADDR][:PORT[-PORT[/BASE]]], IPv6 addresses in brackets
 * when ports follow), so they accept, refuse and print ranges alike, the
 * way iptables 1.8's libxt_NAT does. NETMAP maps a whole network.
 *
 * Ports need a -p that iptables knows to carry them (tcp, udp, sctp,
 * dccp, icmp); iptables checks that while reading the option, so only a
 * -p given before it counts, and "! -p tcp" counts as tcp, as there.
 */

#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "ext-list.h"
#include "ext-nat.h"
#include "ruleset-names.h"

enum {
        OPT_TO_SOURCE,
        OPT_TO_DESTINATION,
        OPT_TO_PORTS,
        OPT_RANDOM,
        OPT_RANDOM_FULLY,
        OPT_PERSISTENT,
        OPT_TO,                 /* NETMAP */
};

/* The flag options, in the order iptables prints them. */
static const struct {
        uint8_t id;
        uint16_t flag;
        const char *name;
} nat_flag_options[] = {
        { OPT_RANDOM, NAT_RANDOM, "random" },
        { OPT_RANDOM_FULLY, NAT_RANDOM_FULLY, "random-fully" },
        { OPT_PERSISTENT, NAT_PERSISTENT, "persistent" },
};

static bool nat_ports_allowed(const ExtParse *p) {
        if (!p->rule || !(p->rule->flags & RULE_HAS_PROTO))
                return false;
        switch (p->rule->proto) {
        case IPPROTO_TCP:
        case IPPROTO_UDP:
        case IPPROTO_SCTP:
        case IPPROTO_DCCP:
        case IPPROTO_ICMP:
                return true;
        default:
                return false;
        }
}

/*
 * A number at the start of s, read as xtables_strtoui reads it (base 0:
 * decimal, 0x hex, 0 octal; no sign); *end is left after it.
 */
static bool parse_number_prefix(const char *s, unsigned min, unsigned max, unsigned *ret, const char **end) {
        const char *q = s;
        unsigned long v;
        char *e;

        while (isspace((unsigned char)*q))
                q++;
        if (*q == '-')
                return false;
        errno = 0;
        v = strtoul(q, &e, 0);
        if (e == q || errno == ERANGE || v < min || v > max)
                return false;
        *ret = (unsigned)v;
        *end = e;
        return true;
}

/* A number that is the whole of s, else a service name of any protocol, as getservbyname(name, NULL). */
static int parse_port_or_service(const char *s, unsigned min, unsigned *ret) {
        const char *end;
        int port;

        if (parse_number_prefix(s, min, UINT16_MAX, ret, &end) && *end == 0)
                return 0;
        port = service_from_name(s, 0);
        if (port < 0 || (unsigned)port < min)
                return -EINVAL;
        *ret = (unsigned)port;
        return 0;
}

/*
 * "PORT", "PORT-PORT", and for DNAT "PORT-PORT/BASE". Only a lone first
 * port and the base may be service names: "ssh" is a port, "10-ssh" and
 * "ssh-22" are not, as in iptables.
 */
static int nat_parse_ports(ExtParse *p, const char *s, TargetNat *n) {
        const char *name = p->option->name, *end;
        unsigned lo, hi, base;

        if (!nat_ports_allowed(p))
                return ext_error(p, "--%s: a port (\"%s\") needs -p tcp, udp, sctp, dccp or icmp before it",
                                 name, s);
        if (!parse_number_prefix(s, 0, UINT16_MAX, &lo, &end)) {
                if (parse_port_or_service(s, 0, &lo) < 0)
                        return ext_error(p, "--%s: \"%s\" is not a port (0-65535) or a known service name",
                                         name, s);
                end = "";
        }
        hi = lo;
        if (*end == ':')
                return ext_error(p, "--%s: \"%s\": write a port range with a dash, PORT-PORT", name, s);
        if (*end == '-') {
                if (!parse_number_prefix(end + 1, 0, UINT16_MAX, &hi, &end))
                        return ext_error(p, "--%s: \"%s\": the range must end in a port (0-65535)", name, s);
                if (hi < lo)
                        return ext_error(p, "--%s: port range \"%s\" ends before it starts", name, s);
                if (*end == '/') {
                        /* iptables takes one for SNAT and MASQUERADE too, but prints it back as "/0". */
                        if (p->option->id != OPT_TO_DESTINATION)
                                return ext_error_code(p, DIAG_UNSUPPORTED,
                                                      "--%s: \"%s\": only DNAT takes a base port (/PORT)",
                                                      name, s);
                        if (parse_port_or_service(end + 1, 1, &base) < 0)
                                return ext_error(p, "--%s: \"%s\": the base port must be from 1 to 65535 "
                                                 "or a service name", name, s);
                        n->flags |= NAT_PROTO_OFFSET;
                        n->base_port = (uint16_t)base;
                        end = "";
                }
        }
        if (*end)
                return ext_error(p, "--%s: \"%s\": unexpected \"%s\" after the port", name, s, end);
        n->flags |= NAT_PROTO_SPECIFIED;
        n->min_port = (uint16_t)lo;
        n->max_port = (uint16_t)hi;
        return 0;
}

/* ADDR[-ADDR][:PORTS]; for IPv6 with ports: [ADDR[-ADDR]]:PORTS. Either part may be left out. */
static int nat_parse_range(ExtParse *p, TargetNat *n) {
        _cleanup_free_ char *copy = strdup(p->arg);
        char *start, *colon, *dash;
        int r;

        if (!copy)
                return -ENOMEM;
        start = copy;
        if (*copy == '[') {
                char *close = strchr(copy, ']');

                if (p->family != FAMILY_IPV6 || !close || (close[1] && close[1] != ':'))
                        return ext_error(p, "--%s: \"%s\" is not %s", p->option->name, p->arg,
                                         p->family == FAMILY_IPV6 ?
                                                 "[ADDR[-ADDR]][:PORT[-PORT]]" :
                                                 "ADDR[-ADDR][:PORT[-PORT]] (brackets are for IPv6)");
                *close = 0;
                start = copy + 1;
                colon = close[1] ? close + 1 : NULL;
        } else {
                /* One colon starts the ports; more are an IPv6 address (which then takes no ports). */
                colon = strchr(copy, ':');
                if (colon && strchr(colon + 1, ':'))
                        colon = NULL;
        }
        if (colon) {
                *colon = 0;
                r = nat_parse_ports(p, colon + 1, n);
                if (r < 0)
                        return r;
                if (!*start)
                        return 0;
        }
        dash = strchr(start, '-');
        if (dash)
                *dash = 0;
        if (ext_parse_addr(p, start, &n->min_addr) < 0)
                return -EINVAL;
        if (!dash)
                n->max_addr = n->min_addr;
        else if (ext_parse_addr(p, dash + 1, &n->max_addr) < 0)
                return -EINVAL;
        n->flags |= NAT_MAP_IPS;
        return 0;
}

static int nat_parse(ExtParse *p, void *data) {
        TargetNat *n = data;

        switch (p->option->id) {
        case OPT_TO_SOURCE:
        case OPT_TO_DESTINATION:
                return nat_parse_range(p, n);
        case OPT_TO_PORTS:
                return nat_parse_ports(p, p->arg, n);
        }
        for (size_t i = 0; i < ELEMENTSOF(nat_flag_options); i++)
                if (nat_flag_options[i].id == p->option->id)
                        n->flags |= nat_flag_options[i].flag;
        return 0;
}

static int nat_require(ExtParse *p, unsigned id, const char *target, const char *option) {
        if (!ext_seen(p, id))
                return ext_error(p, "%s needs --%s", target, option);
        return 0;
}

static int snat_finish(ExtParse *p, _unused_ void *data) {
        return nat_require(p, OPT_TO_SOURCE, "SNAT", "to-source");
}

static int dnat_finish(ExtParse *p, _unused_ void *data) {
        return nat_require(p, OPT_TO_DESTINATION, "DNAT", "to-destination");
}

/*
 * The range after `option` (nothing when there is none), then the flags.
 * MASQUERADE and REDIRECT have no addresses and print their ports
 * without the leading colon (skip_colon); IPv6 addresses go in brackets
 * when ports follow.
 */
static void nat_print(const TargetNat *n, ExtPrint *p, const char *option, bool skip_colon,
                      const char *flag_prefix) {
        bool brackets = p->family == FAMILY_IPV6 && (n->flags & NAT_PROTO_SPECIFIED);

        if (n->flags & (NAT_MAP_IPS | NAT_PROTO_SPECIFIED)) {
                strbuf_putc(p->buf, ' ');
                strbuf_puts(p->buf, option);
        }
        if (n->flags & NAT_MAP_IPS) {
                if (brackets)
                        strbuf_putc(p->buf, '[');
                ext_print_addr(p, &n->min_addr);
                if (memcmp(&n->min_addr, &n->max_addr, sizeof(Addr)) != 0) {
                        strbuf_putc(p->buf, '-');
                        ext_print_addr(p, &n->max_addr);
                }
                if (brackets)
                        strbuf_putc(p->buf, ']');
        }
        if (n->flags & NAT_PROTO_SPECIFIED) {
                if (!skip_colon || (n->flags & NAT_MAP_IPS))
                        strbuf_putc(p->buf, ':');
                strbuf_put_u64(p->buf, n->min_port);
                if (n->max_port != n->min_port) {
                        strbuf_putc(p->buf, '-');
                        strbuf_put_u64(p->buf, n->max_port);
                }
                if (n->flags & NAT_PROTO_OFFSET) {
                        strbuf_putc(p->buf, '/');
                        strbuf_put_u64(p->buf, n->base_port);
                }
        }
        for (size_t i = 0; i < ELEMENTSOF(nat_flag_options); i++)
                if (n->flags & nat_flag_options[i].flag) {
                        strbuf_putc(p->buf, ' ');
                        strbuf_puts(p->buf, flag_prefix);
                        strbuf_puts(p->buf, nat_flag_options[i].name);
                }
}

/* Each target's save and list: its option name and iptables -L label. */
#define NAT_PRINTERS(name, save_option, list_label, skip_colon)                 \
        static void name##_save(const void *data, ExtPrint *p) {                \
                nat_print(data, p, save_option, skip_colon, "--");              \
        }                                                                       \
        static void name##_list(const void *data, ExtPrint *p) {                \
                nat_print(data, p, list_label, skip_colon, "");                 \
        }

NAT_PRINTERS(snat, "--to-source ", "to:", false)
NAT_PRINTERS(dnat, "--to-destination ", "to:", false)
NAT_PRINTERS(masquerade, "--to-ports ", "masq ports: ", true)
NAT_PRINTERS(redirect, "--to-ports ", "redir ports ", true)

static const ExtOption snat_options[] = {
        { "to-source", OPT_TO_SOURCE, EXT_OPT_ARG },
        { "random", OPT_RANDOM, 0 },
        { "random-fully", OPT_RANDOM_FULLY, 0 },
        { "persistent", OPT_PERSISTENT, 0 },
};

/* iptables 1.8's DNAT has no --random-fully. */
static const ExtOption dnat_options[] = {
        { "to-destination", OPT_TO_DESTINATION, EXT_OPT_ARG },
        { "random", OPT_RANDOM, 0 },
        { "persistent", OPT_PERSISTENT, 0 },
};

static const ExtOption masquerade_options[] = {
        { "to-ports", OPT_TO_PORTS, EXT_OPT_ARG },
        { "random", OPT_RANDOM, 0 },
        { "random-fully", OPT_RANDOM_FULLY, 0 },
};

static const ExtOption redirect_options[] = {
        { "to-ports", OPT_TO_PORTS, EXT_OPT_ARG },
        { "random", OPT_RANDOM, 0 },
};

/* The hooks are the kernel's: xt_nat, xt_MASQUERADE, xt_REDIRECT. */
const Extension ext_target_snat = {
        .name = "SNAT",
        .is_target = true,
        .type = TARGET_SNAT,
        .families = FAMILY_ANY,
        .tables = TABLE_BIT(TABLE_NAT),
        .hooks = HOOK_BIT(HOOK_POSTROUTING) | HOOK_BIT(HOOK_INPUT),
        .size = sizeof(TargetNat),
        .options = snat_options,
        .n_options = ELEMENTSOF(snat_options),
        .parse = nat_parse,
        .finish = snat_finish,
        .save = snat_save,
        .list = snat_list,
};

const Extension ext_target_dnat = {
        .name = "DNAT",
        .is_target = true,
        .type = TARGET_DNAT,
        .families = FAMILY_ANY,
        .tables = TABLE_BIT(TABLE_NAT),
        .hooks = HOOK_BIT(HOOK_PREROUTING) | HOOK_BIT(HOOK_OUTPUT),
        .size = sizeof(TargetNat),
        .options = dnat_options,
        .n_options = ELEMENTSOF(dnat_options),
        .parse = nat_parse,
        .finish = dnat_finish,
        .save = dnat_save,
        .list = dnat_list,
};

const Extension ext_target_masquerade = {
        .name = "MASQUERADE",
        .is_target = true,
        .type = TARGET_MASQUERADE,
        .families = FAMILY_ANY,
        .tables = TABLE_BIT(TABLE_NAT),
        .hooks = HOOK_BIT(HOOK_POSTROUTING),
        .size = sizeof(TargetNat),
        .options = masquerade_options,
        .n_options = ELEMENTSOF(masquerade_options),
        .parse = nat_parse,
        .save = masquerade_save,
        .list = masquerade_list,
};

const Extension ext_target_redirect = {
        .name = "REDIRECT",
        .is_target = true,
        .type = TARGET_REDIRECT,
        .families = FAMILY_ANY,
        .tables = TABLE_BIT(TABLE_NAT),
        .hooks = HOOK_BIT(HOOK_PREROUTING) | HOOK_BIT(HOOK_OUTPUT),
        .size = sizeof(TargetNat),
        .options = redirect_options,
        .n_options = ELEMENTSOF(redirect_options),
        .parse = nat_parse,
        .save = redirect_save,
        .list = redirect_list,
};

/* ---- NETMAP ---- */

static bool mask_is_contiguous(const Addr *m) {
        bool seen_zero = false;

        for (size_t i = 0; i < sizeof(m->bytes); i++)
                for (int b = 7; b >= 0; b--) {
                        bool one = (m->bytes[i] >> b) & 1;
                        if (one && seen_zero)
                                return false;
                        seen_zero = seen_zero || !one;
                }
        return true;
}

static int netmap_parse(ExtParse *p, void *data) {
        TargetNetmap *n = data;

        if (ext_parse_addr_mask(p, p->arg, &n->to) < 0)
                return -EINVAL;
        /* iptables silently turns a non-contiguous mask into /32 (or /128); refuse it instead. */
        if (!mask_is_contiguous(&n->to.mask))
                return ext_error_code(p, DIAG_UNSUPPORTED,
                                      "--to: the mask of \"%s\" is not contiguous; give a prefix length",
                                      p->arg);
        return 0;
}

static int netmap_finish(ExtParse *p, _unused_ void *data) {
        return nat_require(p, OPT_TO, "NETMAP", "to");
}

static void netmap_save(const void *data, ExtPrint *p) {
        const TargetNetmap *n = data;

        strbuf_puts(p->buf, " --to ");
        ext_print_addr_mask(p, &n->to);
}

static void netmap_list(const void *data, ExtPrint *p) {
        const TargetNetmap *n = data;

        strbuf_puts(p->buf, " to:");
        ext_print_addr_mask(p, &n->to);
}

static const ExtOption netmap_options[] = {
        { "to", OPT_TO, EXT_OPT_ARG },
};

const Extension ext_target_netmap = {
        .name = "NETMAP",
        .is_target = true,
        .type = TARGET_NETMAP,
        .families = FAMILY_ANY,
        .tables = TABLE_BIT(TABLE_NAT),
        .hooks = HOOK_ANY,
        .size = sizeof(TargetNetmap),
        .options = netmap_options,
        .n_options = ELEMENTSOF(netmap_options),
        .parse = netmap_parse,
        .finish = netmap_finish,
        .save = netmap_save,
        .list = netmap_list,
};
