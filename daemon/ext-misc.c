/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ext-misc: the small matches — limit, comment, iprange, addrtype, mac,
 * pkttype, length, ttl, hl, tos, dscp and owner.
 *
 * Each one reads its options the way iptables 1.8's libxt_* extension
 * does (same accepted spellings, same quirks where rulesets in the wild
 * depend on them, same refusals), stores the normalised value the
 * compiler needs, and prints it back as iptables-save and iptables -L do.
 * What nf_tables cannot express natively is refused as unsupported.
 */

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ext-list.h"
#include "ext-misc.h"
#include "ruleset-names.h"

#define OPT_BIT(id) (1u << (id))

/*
 * Numbers as xtables_strtoul() reads them: strtoumax() in base 0, so
 * decimal, 0x hex and 0 octal, with leading blanks and a sign tolerated
 * (a negative number wraps and fails the range check). Without ret_end
 * the whole string must be the number.
 */
static bool xt_strtoul(const char *s, char **ret_end, uint64_t max, uint64_t *ret) {
        uintmax_t v;
        char *end;

        errno = 0;
        v = strtoumax(s, &end, 0);
        if (end == s || errno == ERANGE || v > max || (!ret_end && *end))
                return false;
        if (ret_end)
                *ret_end = end;
        *ret = v;
        return true;
}

static int parse_number(ExtParse *p, uint64_t max, uint64_t *ret) {
        if (!xt_strtoul(p->arg, NULL, max, ret))
                return ext_error(p, "--%s: \"%s\" is not a number from 0 to %" PRIu64, p->option->name,
                                 p->arg, max);
        return 0;
}

/* xtables' .excl: options of `ids` exclude each other; names the one given before. */
static int refuse_together(ExtParse *p, const ExtOption *options, size_t n, uint32_t ids) {
        uint32_t others = p->seen & ids & ~OPT_BIT(p->option->id);

        for (size_t i = 0; i < n; i++)
                if (others & OPT_BIT(options[i].id))
                        return ext_error(p, "--%s cannot be used together with --%s", p->option->name,
                                         options[i].name);
        return 0;
}

/* A finish() for matches that mean nothing without one of the options in ids. */
#define DEFINE_FINISH_REQUIRE(ident, ids, what)                       \
        static int ident##_finish(ExtParse *p, _unused_ void *data) { \
                if (!(p->seen & (ids)))                               \
                        return ext_error(p, "%s", what);              \
                return 0;                                             \
        }

static void put_hex_byte(StrBuf *b, uint8_t v) {
        static const char digits[] = "0123456789abcdef";

        strbuf_putc(b, digits[v >> 4]);
        strbuf_putc(b, digits[v & 0xf]);
}

/* "0x%02x" */
static void put_hex_value(StrBuf *b, uint8_t v) {
        strbuf_puts(b, "0x");
        put_hex_byte(b, v);
}

static void put_u_range(StrBuf *b, uint32_t min, uint32_t max, char sep) {
        strbuf_put_u64(b, min);
        if (min != max) {
                strbuf_putc(b, sep);
                strbuf_put_u64(b, max);
        }
}

/* ---- limit ---- */

/*
 * --limit reads the unit as any prefix of the long word; iptables prints
 * the short one. Ordered from the longest period: the printer picks the
 * coarsest unit that still shows the rate without losing much.
 */
static const struct LimitUnit {
        const char *word;
        const char *abbrev;
        uint32_t seconds;
} limit_units[] = {
        { "day", "day", 24 * 60 * 60 },
        { "hour", "hour", 60 * 60 },
        { "minute", "min", 60 },
        { "second", "sec", 1 },
};

/* iptables' print_rate(): the coarsest unit that loses little of the rate to rounding. */
static const struct LimitUnit *limit_unit_for(uint32_t avg) {
        size_t i;

        for (i = 1; i < ELEMENTSOF(limit_units); i++) {
                uint32_t mult = LIMIT_SCALE * limit_units[i].seconds;

                if (avg > mult || mult / avg < mult % avg)
                        break;
        }
        return &limit_units[i - 1];
}

/**
 * match_limit_rate() - the rate a limit match stands for, as iptables prints it
 * @l: the payload; avg must not be 0
 * @ret_rate: packets per unit
 * @ret_unit_seconds: the unit: 1, 60, 3600 or 86400 seconds
 *
 * This is also what nf_tables' limit expression takes (rate, unit).
 */
void match_limit_rate(const MatchLimit *l, uint32_t *ret_rate, uint32_t *ret_unit_seconds) {
        const struct LimitUnit *u = limit_unit_for(l->avg);

        *ret_rate = LIMIT_SCALE * u->seconds / l->avg;
        *ret_unit_seconds = u->seconds;
}

/**
 * match_limit_avg() - the period --limit RATE/UNIT stores
 * @rate: packets per unit, not 0
 * @unit_seconds: the unit in seconds
 *
 * Returns: LIMIT_SCALE * unit_seconds / rate, or 0 when that rounds to
 * nothing (faster than 10000 packets per second).
 */
uint32_t match_limit_avg(uint32_t rate, uint32_t unit_seconds) {
        if (rate == 0)
                return 0;
        return (uint32_t)((uint64_t)LIMIT_SCALE * unit_seconds / rate);
}

static const ExtOption limit_options[] = {
        { "limit", 0, EXT_OPT_ARG },
        { "limit-burst", 1, EXT_OPT_ARG },
};

static void limit_init(void *data) {
        MatchLimit *m = data;

        /* iptables' defaults: 3/hour, burst 5 */
        m->avg = match_limit_avg(3, 60 * 60);
        m->burst = LIMIT_BURST_DEFAULT;
}

static int limit_parse_rate(ExtParse *p, uint32_t *ret) {
        const char *slash = strchr(p->arg, '/');
        uint32_t seconds = 1, count, avg;

        if (slash) {
                size_t n = strlen(slash + 1);

                seconds = 0;
                for (size_t i = 0; n > 0 && i < ELEMENTSOF(limit_units); i++)
                        if (strncasecmp(slash + 1, limit_units[i].word, n) == 0) {
                                seconds = limit_units[i].seconds;
                                break;
                        }
        }
        /* iptables reads the count with atoi(): "5x/sec" is 5, a negative count wraps to "too fast" */
        count = (uint32_t)(int)strtol(p->arg, NULL, 10);
        if (seconds == 0 || count == 0)
                return ext_error(p,
                                 "--limit: bad rate \"%s\" (expected a number of packets, then optionally "
                                 "/second, /minute, /hour or /day)",
                                 p->arg);
        avg = match_limit_avg(count, seconds);
        if (avg == 0)
                return ext_error(p, "--limit: rate \"%s\" is too fast (at most 10000/second)", p->arg);
        /*
         * Keep the period of the rate iptables prints for avg, which is what
         * iptables-nft loads (nf_tables' limit takes rate and unit) and reads
         * back. For 50 of the periods --limit can give the two differ by one
         * (4838/min is 124, printed and loaded as 80/sec, which is 125); for
         * all others this changes nothing.
         */
        match_limit_rate(&(MatchLimit){ .avg = avg }, &count, &seconds);
        *ret = match_limit_avg(count, seconds);
        return 0;
}

static int limit_parse(ExtParse *p, void *data) {
        MatchLimit *m = data;
        uint64_t v = 0;

        if (p->option->id == 0)
                return limit_parse_rate(p, &m->avg);
        if (parse_number(p, 10000, &v) < 0)
                return -EINVAL;
        /* nf_tables' limit turns a burst of 0 into its default, and so does iptables-nft */
        m->burst = v > 0 ? (uint32_t)v : LIMIT_BURST_DEFAULT;
        return 0;
}

static void limit_print_rate(ExtPrint *p, const MatchLimit *m) {
        const struct LimitUnit *u;

        if (m->avg == 0) {
                /* iptables' printf("%f", INFINITY) */
                strbuf_puts(p->buf, " inf");
                return;
        }
        u = limit_unit_for(m->avg);
        strbuf_putc(p->buf, ' ');
        strbuf_put_u64(p->buf, LIMIT_SCALE * u->seconds / m->avg);
        strbuf_putc(p->buf, '/');
        strbuf_puts(p->buf, u->abbrev);
}

static void limit_save(const void *data, ExtPrint *p) {
        const MatchLimit *m = data;

        strbuf_puts(p->buf, " --limit");
        limit_print_rate(p, m);
        if (m->burst != LIMIT_BURST_DEFAULT) {
                strbuf_puts(p->buf, " --limit-burst ");
                strbuf_put_u64(p->buf, m->burst);
        }
}

static void limit_list(const void *data, ExtPrint *p) {
        const MatchLimit *m = data;

        strbuf_puts(p->buf, " limit: avg");
        limit_print_rate(p, m);
        strbuf_puts(p->buf, " burst ");
        strbuf_put_u64(p->buf, m->burst);
}

/* ---- comment ---- */

static const ExtOption comment_options[] = {
        { "comment", 0, EXT_OPT_ARG },
};

static int comment_parse(ExtParse *p, void *data) {
        MatchComment *m = data;
        size_t n = strlen(p->arg);

        if (n > COMMENT_LEN_MAX)
                return ext_error(p, "--comment: the comment is %zu characters long, at most %u are allowed",
                                 n, COMMENT_LEN_MAX);
        memcpy(m->text, p->arg, n);
        return 0;
}

DEFINE_FINISH_REQUIRE(comment, OPT_BIT(0), "-m comment needs --comment")

static void comment_save(const void *data, ExtPrint *p) {
        const MatchComment *m = data;

        strbuf_puts(p->buf, " --comment ");
        strbuf_put_quoted(p->buf, m->text);
}

static void comment_list(const void *data, ExtPrint *p) {
        const MatchComment *m = data;

        strbuf_puts(p->buf, " /* ");
        strbuf_puts(p->buf, m->text);
        strbuf_puts(p->buf, " */");
}

/* ---- iprange ---- */

static const ExtOption iprange_options[] = {
        { "src-range", 0, EXT_OPT_ARG | EXT_OPT_INVERT },
        { "dst-range", 1, EXT_OPT_ARG | EXT_OPT_INVERT },
};

static int iprange_parse(ExtParse *p, void *data) {
        MatchIprange *m = data;
        bool dst = p->option->id == 1;
        Addr *min = dst ? &m->dst_min : &m->src_min;
        Addr *max = dst ? &m->dst_max : &m->src_max;
        _cleanup_free_ char *copy = strdup(p->arg);
        char *dash;

        if (!copy)
                return -ENOMEM;
        /* "a-b", or a single address "a" as the range a-a */
        dash = strchr(copy, '-');
        if (dash)
                *dash = 0;
        if (ext_parse_addr(p, copy, min) < 0 || ext_parse_addr(p, dash ? dash + 1 : copy, max) < 0)
                return -EINVAL;
        if (memcmp(min, max, family_addr_len(p->family)) > 0) {
                int r = ext_warning(p, DIAG_SEMANTIC, "--%s: range \"%s\" is reversed and will never match",
                                    p->option->name, p->arg);
                if (r < 0)
                        return r;
        }
        m->flags |= dst ? IPRANGE_MATCH_DST : IPRANGE_MATCH_SRC;
        if (p->invert)
                m->flags |= dst ? IPRANGE_MATCH_DST_INV : IPRANGE_MATCH_SRC_INV;
        return 0;
}

DEFINE_FINISH_REQUIRE(iprange, OPT_BIT(0) | OPT_BIT(1), "-m iprange needs --src-range or --dst-range")

static void iprange_print_range(ExtPrint *p, const Addr *min, const Addr *max) {
        strbuf_putc(p->buf, ' ');
        ext_print_addr(p, min);
        strbuf_putc(p->buf, '-');
        ext_print_addr(p, max);
}

static void iprange_save(const void *data, ExtPrint *p) {
        const MatchIprange *m = data;

        if (m->flags & IPRANGE_MATCH_SRC) {
                ext_print_option(p, m->flags & IPRANGE_MATCH_SRC_INV, "src-range");
                iprange_print_range(p, &m->src_min, &m->src_max);
        }
        if (m->flags & IPRANGE_MATCH_DST) {
                ext_print_option(p, m->flags & IPRANGE_MATCH_DST_INV, "dst-range");
                iprange_print_range(p, &m->dst_min, &m->dst_max);
        }
}

static void iprange_list(const void *data, ExtPrint *p) {
        const MatchIprange *m = data;

        if (m->flags & IPRANGE_MATCH_SRC) {
                strbuf_puts(p->buf,
                            m->flags & IPRANGE_MATCH_SRC_INV ? " source IP range !" : " source IP range");
                iprange_print_range(p, &m->src_min, &m->src_max);
        }
        if (m->flags & IPRANGE_MATCH_DST) {
                strbuf_puts(p->buf, m->flags & IPRANGE_MATCH_DST_INV ? " destination IP range !"
                                                                     : " destination IP range");
                iprange_print_range(p, &m->dst_min, &m->dst_max);
        }
}

/* ---- addrtype ---- */

static const char *const addr_type_table[_ADDR_TYPE_MAX] = {
        [ADDR_TYPE_UNSPEC] = "UNSPEC",
        [ADDR_TYPE_UNICAST] = "UNICAST",
        [ADDR_TYPE_LOCAL] = "LOCAL",
        [ADDR_TYPE_BROADCAST] = "BROADCAST",
        [ADDR_TYPE_ANYCAST] = "ANYCAST",
        [ADDR_TYPE_MULTICAST] = "MULTICAST",
        [ADDR_TYPE_BLACKHOLE] = "BLACKHOLE",
        [ADDR_TYPE_UNREACHABLE] = "UNREACHABLE",
        [ADDR_TYPE_PROHIBIT] = "PROHIBIT",
        [ADDR_TYPE_THROW] = "THROW",
        [ADDR_TYPE_NAT] = "NAT",
        [ADDR_TYPE_XRESOLVE] = "XRESOLVE",
};

/* What xt_addrtype accepts for IPv6 (the kernel refuses the rest). */
#define ADDR_TYPES_IPV6                                                             \
        (1u << ADDR_TYPE_UNSPEC | 1u << ADDR_TYPE_UNICAST | 1u << ADDR_TYPE_LOCAL | \
         1u << ADDR_TYPE_ANYCAST | 1u << ADDR_TYPE_MULTICAST | 1u << ADDR_TYPE_UNREACHABLE)

static const ExtOption addrtype_options[] = {
        { "src-type", 0, EXT_OPT_ARG | EXT_OPT_INVERT },
        { "dst-type", 1, EXT_OPT_ARG | EXT_OPT_INVERT },
        { "limit-iface-in", 2, 0 },
        { "limit-iface-out", 3, 0 },
};

/* A case-insensitive prefix of a type name, the first in table order ("L" is LOCAL, "U" UNSPEC). */
static AddrType addr_type_from_prefix(const char *s, size_t n) {
        if (n == 0)
                return _ADDR_TYPE_INVALID;
        for (AddrType t = 0; t < _ADDR_TYPE_MAX; t++)
                if (strncasecmp(s, addr_type_table[t], n) == 0)
                        return t;
        return _ADDR_TYPE_INVALID;
}

static int addrtype_parse_types(ExtParse *p, uint16_t *ret) {
        uint16_t mask = 0;

        for (const char *s = p->arg;; s++) {
                size_t n = strcspn(s, ",");
                AddrType t = addr_type_from_prefix(s, n);

                if (t < 0)
                        return ext_error(
                                p,
                                "--%s: unknown address type \"%.*s\" (known: UNSPEC, UNICAST, LOCAL, "
                                "BROADCAST, ANYCAST, MULTICAST, BLACKHOLE, UNREACHABLE, PROHIBIT, THROW, "
                                "NAT, XRESOLVE)",
                                p->option->name, (int)n, s);
                if (p->family == FAMILY_IPV6 && !(ADDR_TYPES_IPV6 & (1u << t)))
                        return ext_error_code(
                                p, DIAG_SEMANTIC,
                                "--%s: %s cannot be matched in IPv6 (the kernel knows UNSPEC, UNICAST, "
                                "LOCAL, ANYCAST, MULTICAST and UNREACHABLE there)",
                                p->option->name, addr_type_table[t]);
                mask |= 1u << t;
                s += n;
                if (!*s)
                        break;
        }
        *ret = mask;
        return 0;
}

static int addrtype_parse(ExtParse *p, void *data) {
        MatchAddrtype *m = data;

        switch (p->option->id) {
        case 0:
                if (p->invert)
                        m->flags |= ADDRTYPE_INV_SRC;
                return addrtype_parse_types(p, &m->src);
        case 1:
                if (p->invert)
                        m->flags |= ADDRTYPE_INV_DST;
                return addrtype_parse_types(p, &m->dst);
        }
        if (refuse_together(p, addrtype_options, ELEMENTSOF(addrtype_options), OPT_BIT(2) | OPT_BIT(3)) < 0)
                return -EINVAL;
        m->flags |= p->option->id == 2 ? ADDRTYPE_LIMIT_IFACE_IN : ADDRTYPE_LIMIT_IFACE_OUT;
        return 0;
}

DEFINE_FINISH_REQUIRE(addrtype, OPT_BIT(0) | OPT_BIT(1), "-m addrtype needs --src-type or --dst-type")

static void addrtype_print_types(ExtPrint *p, uint16_t mask) {
        const char *sep = "";

        for (AddrType t = 0; t < _ADDR_TYPE_MAX; t++)
                if (mask & (1u << t)) {
                        strbuf_puts(p->buf, sep);
                        strbuf_puts(p->buf, addr_type_table[t]);
                        sep = ",";
                }
}

/* The kernel's addrtype_mt_checkentry(): no input interface on the way out, no output one on the way in. */
static unsigned addrtype_hooks(const void *data) {
        const MatchAddrtype *m = data;
        unsigned hooks = HOOK_ANY;

        if (m->flags & ADDRTYPE_LIMIT_IFACE_IN)
                hooks &= ~(HOOK_BIT(HOOK_OUTPUT) | HOOK_BIT(HOOK_POSTROUTING));
        if (m->flags & ADDRTYPE_LIMIT_IFACE_OUT)
                hooks &= ~(HOOK_BIT(HOOK_PREROUTING) | HOOK_BIT(HOOK_INPUT));
        return hooks;
}

static void addrtype_save(const void *data, ExtPrint *p) {
        const MatchAddrtype *m = data;

        if (m->src) {
                ext_print_option(p, m->flags & ADDRTYPE_INV_SRC, "src-type");
                strbuf_putc(p->buf, ' ');
                addrtype_print_types(p, m->src);
        }
        if (m->dst) {
                ext_print_option(p, m->flags & ADDRTYPE_INV_DST, "dst-type");
                strbuf_putc(p->buf, ' ');
                addrtype_print_types(p, m->dst);
        }
        if (m->flags & ADDRTYPE_LIMIT_IFACE_IN)
                strbuf_puts(p->buf, " --limit-iface-in");
        if (m->flags & ADDRTYPE_LIMIT_IFACE_OUT)
                strbuf_puts(p->buf, " --limit-iface-out");
}

static void addrtype_list(const void *data, ExtPrint *p) {
        const MatchAddrtype *m = data;

        strbuf_puts(p->buf, " ADDRTYPE match");
        if (m->src) {
                strbuf_puts(p->buf, m->flags & ADDRTYPE_INV_SRC ? " src-type !" : " src-type ");
                addrtype_print_types(p, m->src);
        }
        if (m->dst) {
                strbuf_puts(p->buf, m->flags & ADDRTYPE_INV_DST ? " dst-type !" : " dst-type ");
                addrtype_print_types(p, m->dst);
        }
        if (m->flags & ADDRTYPE_LIMIT_IFACE_IN)
                strbuf_puts(p->buf, " limit-in");
        if (m->flags & ADDRTYPE_LIMIT_IFACE_OUT)
                strbuf_puts(p->buf, " limit-out");
}

/* ---- mac ---- */

static const ExtOption mac_options[] = {
        { "mac-source", 0, EXT_OPT_ARG | EXT_OPT_INVERT },
};

static int mac_parse(ExtParse *p, void *data) {
        MatchMac *m = data;
        const char *s = p->arg;

        /* xtables' ethermac reading: six groups of at most two hex digits, an empty group is 00 */
        for (size_t i = 0; i < ELEMENTSOF(m->addr); i++) {
                char *end;
                unsigned long v = strtoul(s, &end, 16);

                if (end - s > 2 || *end != (i + 1 < ELEMENTSOF(m->addr) ? ':' : '\0'))
                        return ext_error(
                                p,
                                "--mac-source: \"%s\" is not a MAC address (six hexadecimal bytes "
                                "separated by colons, e.g. 00:1a:2b:3c:4d:5e)%s",
                                p->arg,
                                strstr(p->arg, "XX") ? "; an anonymised placeholder cannot be loaded" : "");
                m->addr[i] = (uint8_t)v;
                s = end + 1;
        }
        m->invert = p->invert;
        return 0;
}

DEFINE_FINISH_REQUIRE(mac, OPT_BIT(0), "-m mac needs --mac-source")

static void mac_print_addr(ExtPrint *p, const MatchMac *m) {
        for (size_t i = 0; i < ELEMENTSOF(m->addr); i++) {
                strbuf_putc(p->buf, i ? ':' : ' ');
                put_hex_byte(p->buf, m->addr[i]);
        }
}

static void mac_save(const void *data, ExtPrint *p) {
        const MatchMac *m = data;

        ext_print_option(p, m->invert, "mac-source");
        mac_print_addr(p, m);
}

static void mac_list(const void *data, ExtPrint *p) {
        const MatchMac *m = data;

        strbuf_puts(p->buf, m->invert ? " MAC !" : " MAC");
        mac_print_addr(p, m);
}

/* ---- pkttype ---- */

/* The kernel's PACKET_* values (unicast is PACKET_HOST); the first name of a value is printed. */
static const struct {
        const char *name;
        uint8_t type;
} pkttype_names[] = {
        { "unicast", 0 }, { "broadcast", 1 }, { "multicast", 2 }, { "otherhost", 3 },
        { "bcast", 1 },   { "mcast", 2 },     { "host", 0 },
};

static const ExtOption pkttype_options[] = {
        { "pkt-type", 0, EXT_OPT_ARG | EXT_OPT_INVERT },
};

static int pkttype_parse(ExtParse *p, void *data) {
        MatchPkttype *m = data;

        for (size_t i = 0; i < ELEMENTSOF(pkttype_names); i++)
                if (strcasecmp(p->arg, pkttype_names[i].name) == 0) {
                        m->pkttype = pkttype_names[i].type;
                        m->invert = p->invert;
                        return 0;
                }
        return ext_error(
                p, "--pkt-type: unknown packet type \"%s\" (unicast, broadcast, multicast or otherhost)",
                p->arg);
}

DEFINE_FINISH_REQUIRE(pkttype, OPT_BIT(0), "-m pkttype needs --pkt-type")

static void pkttype_print_type(ExtPrint *p, uint8_t type) {
        for (size_t i = 0; i < ELEMENTSOF(pkttype_names); i++)
                if (pkttype_names[i].type == type) {
                        strbuf_puts(p->buf, pkttype_names[i].name);
                        return;
                }
        strbuf_put_u64(p->buf, type);
}

static void pkttype_save(const void *data, ExtPrint *p) {
        const MatchPkttype *m = data;

        ext_print_option(p, m->invert, "pkt-type");
        strbuf_putc(p->buf, ' ');
        pkttype_print_type(p, m->pkttype);
}

static void pkttype_list(const void *data, ExtPrint *p) {
        const MatchPkttype *m = data;

        strbuf_puts(p->buf, m->invert ? " PKTTYPE != " : " PKTTYPE = ");
        pkttype_print_type(p, m->pkttype);
}

/* ---- length ---- */

static const ExtOption length_options[] = {
        { "length", 0, EXT_OPT_ARG | EXT_OPT_INVERT },
};

static int length_parse(ExtParse *p, void *data) {
        MatchLength *m = data;
        uint64_t v[2] = { 0, UINT16_MAX };
        const char *s = p->arg;
        unsigned n = 0;

        /* xtables' uint16 range: "a", "a:b", ":b" (from 0), "a:" (to 65535), ":" */
        for (;;) {
                char *end = (char *)s;

                if (n == 2)
                        return ext_error(p, "--length: \"%s\" has more than two parts", p->arg);
                if (*s && *s != ':' && (!xt_strtoul(s, &end, UINT16_MAX, &v[n]) || (*end && *end != ':')))
                        return ext_error(
                                p,
                                "--length: \"%s\" is not a length or a range LOW:HIGH of lengths from 0 "
                                "to 65535",
                                p->arg);
                n++;
                if (!*end)
                        break;
                s = end + 1;
        }
        if (n == 1)
                v[1] = v[0];
        if (v[0] > v[1])
                return ext_error(p, "--length: range \"%s\" ends before it starts", p->arg);
        m->min = (uint16_t)v[0];
        m->max = (uint16_t)v[1];
        m->invert = p->invert;
        return 0;
}

DEFINE_FINISH_REQUIRE(length, OPT_BIT(0), "-m length needs --length")

static void length_save(const void *data, ExtPrint *p) {
        const MatchLength *m = data;

        ext_print_option(p, m->invert, "length");
        strbuf_putc(p->buf, ' ');
        put_u_range(p->buf, m->min, m->max, ':');
}

static void length_list(const void *data, ExtPrint *p) {
        const MatchLength *m = data;

        strbuf_puts(p->buf, m->invert ? " length !" : " length ");
        put_u_range(p->buf, m->min, m->max, ':');
}

/* ---- ttl (IPv4) and hl (IPv6) ---- */

static const char *const ttl_mode_suffix[_TTL_MATCH_MODE_MAX] = {
        [TTL_MATCH_EQ] = "-eq",
        [TTL_MATCH_NE] = "-eq",
        [TTL_MATCH_LT] = "-lt",
        [TTL_MATCH_GT] = "-gt",
};

static const char *const ttl_mode_operator[_TTL_MATCH_MODE_MAX] = {
        [TTL_MATCH_EQ] = "==",
        [TTL_MATCH_NE] = "!=",
        [TTL_MATCH_LT] = "<",
        [TTL_MATCH_GT] = ">",
};

/* Ids: 0 equal (the bare --ttl/--hl is an old alias), 1 less than, 2 greater than. */
static const ExtOption ttl_options[] = {
        { "ttl-eq", 0, EXT_OPT_ARG | EXT_OPT_INVERT },
        { "ttl", 0, EXT_OPT_ARG },
        { "ttl-lt", 1, EXT_OPT_ARG },
        { "ttl-gt", 2, EXT_OPT_ARG },
};

static const ExtOption hl_options[] = {
        { "hl-eq", 0, EXT_OPT_ARG | EXT_OPT_INVERT },
        { "hl", 0, EXT_OPT_ARG },
        { "hl-lt", 1, EXT_OPT_ARG },
        { "hl-gt", 2, EXT_OPT_ARG },
};

static int ttl_parse_common(ExtParse *p, MatchTtl *m, const ExtOption *options, size_t n) {
        static const TtlMatchMode modes[] = { TTL_MATCH_EQ, TTL_MATCH_LT, TTL_MATCH_GT };
        uint64_t v = 0;

        if (refuse_together(p, options, n, OPT_BIT(0) | OPT_BIT(1) | OPT_BIT(2)) < 0 ||
            parse_number(p, UINT8_MAX, &v) < 0)
                return -EINVAL;
        m->mode = p->invert ? TTL_MATCH_NE : modes[p->option->id];
        m->value = (uint8_t)v;
        return 0;
}

static int ttl_parse(ExtParse *p, void *data) {
        return ttl_parse_common(p, data, ttl_options, ELEMENTSOF(ttl_options));
}

static int hl_parse(ExtParse *p, void *data) {
        return ttl_parse_common(p, data, hl_options, ELEMENTSOF(hl_options));
}

DEFINE_FINISH_REQUIRE(ttl, OPT_BIT(0) | OPT_BIT(1) | OPT_BIT(2),
                      "-m ttl needs one of --ttl-eq, --ttl-lt or --ttl-gt")

DEFINE_FINISH_REQUIRE(hl, OPT_BIT(0) | OPT_BIT(1) | OPT_BIT(2),
                      "-m hl needs one of --hl-eq, --hl-lt or --hl-gt")

static void ttl_save_common(const MatchTtl *m, ExtPrint *p, const char *prefix) {
        strbuf_puts(p->buf, m->mode == TTL_MATCH_NE ? " ! --" : " --");
        strbuf_puts(p->buf, prefix);
        strbuf_puts(p->buf, ttl_mode_suffix[m->mode]);
        strbuf_putc(p->buf, ' ');
        strbuf_put_u64(p->buf, m->value);
}

static void ttl_list_common(const MatchTtl *m, ExtPrint *p, const char *label) {
        strbuf_printf(p->buf, " %s match %s %s ", label, label, ttl_mode_operator[m->mode]);
        strbuf_put_u64(p->buf, m->value);
}

static void ttl_save(const void *data, ExtPrint *p) {
        ttl_save_common(data, p, "ttl");
}

static void hl_save(const void *data, ExtPrint *p) {
        ttl_save_common(data, p, "hl");
}

static void ttl_list(const void *data, ExtPrint *p) {
        ttl_list_common(data, p, "TTL");
}

static void hl_list(const void *data, ExtPrint *p) {
        ttl_list_common(data, p, "HL");
}

/* ---- tos ---- */

static const struct {
        const char *name;
        uint8_t value;
} tos_names[] = {
        { "Minimize-Delay", 0x10 }, { "Maximize-Throughput", 0x08 }, { "Maximize-Reliability", 0x04 },
        { "Minimize-Cost", 0x02 },  { "Normal-Service", 0x00 },
};

/* A TOS name compares the byte under this mask: the three precedence bits are ignored. */
#define TOS_NAME_MASK 0x3f

/**
 * tos_from_name() - the value of a symbolic TOS name (Minimize-Delay ...)
 * @name: the name, in any case
 *
 * Returns: the TOS value (to compare under TOS_NAME_MASK, 0x3f), or -ENOENT.
 */
int tos_from_name(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(tos_names); i++)
                if (strcasecmp(name, tos_names[i].name) == 0)
                        return tos_names[i].value;
        return -ENOENT;
}

/**
 * tos_to_name() - the symbolic name iptables -L shows for a TOS value
 * @value: the value (meaningful under the mask 0x3f only)
 *
 * Returns: the name, or NULL.
 */
const char *tos_to_name(uint8_t value) {
        for (size_t i = 0; i < ELEMENTSOF(tos_names); i++)
                if (tos_names[i].value == value)
                        return tos_names[i].name;
        return NULL;
}

static const ExtOption tos_options[] = {
        { "tos", 0, EXT_OPT_ARG | EXT_OPT_INVERT },
};

static int tos_parse(ExtParse *p, void *data) {
        MatchTos *m = data;
        uint64_t v, mask = UINT8_MAX;
        char *end;
        int r;

        /* A leading number in range makes it VALUE[/MASK]; anything else must be a name. */
        if (xt_strtoul(p->arg, &end, UINT8_MAX, &v)) {
                if ((*end == '/' && !xt_strtoul(end + 1, &end, UINT8_MAX, &mask)) || *end)
                        return ext_error(p, "--tos: \"%s\" is not VALUE[/MASK] with numbers up to 0xff",
                                         p->arg);
        } else {
                r = tos_from_name(p->arg);
                if (r < 0)
                        return ext_error(
                                p,
                                "--tos: \"%s\" is neither a number up to 0xff nor one of Minimize-Delay, "
                                "Maximize-Throughput, Maximize-Reliability, Minimize-Cost, Normal-Service",
                                p->arg);
                v = (uint64_t)r;
                mask = TOS_NAME_MASK;
        }
        m->value = (uint8_t)v;
        m->mask = (uint8_t)mask;
        m->invert = p->invert;
        return 0;
}

DEFINE_FINISH_REQUIRE(tos, OPT_BIT(0), "-m tos needs --tos")

static void tos_print_value_mask(ExtPrint *p, const MatchTos *m) {
        put_hex_value(p->buf, m->value);
        strbuf_putc(p->buf, '/');
        put_hex_value(p->buf, m->mask);
}

static void tos_save(const void *data, ExtPrint *p) {
        const MatchTos *m = data;

        ext_print_option(p, m->invert, "tos");
        strbuf_putc(p->buf, ' ');
        tos_print_value_mask(p, m);
}

static void tos_list(const void *data, ExtPrint *p) {
        const MatchTos *m = data;
        const char *name = m->mask == TOS_NAME_MASK ? tos_to_name(m->value) : NULL;

        /* iptables writes no blank before the numeric form: "tos match0x10/0xff" */
        strbuf_puts(p->buf, m->invert ? " tos match!" : " tos match");
        if (name && !p->numeric) {
                strbuf_putc(p->buf, ' ');
                strbuf_puts(p->buf, name);
        } else
                tos_print_value_mask(p, m);
}

/* ---- dscp ---- */

/* In iptables' order, which decides what a prefix-matching argument ("CS01") means. */
static const struct {
        const char *name;
        uint8_t dscp;
} dscp_classes[] = {
        { "CS0", 0x00 },  { "CS1", 0x08 },  { "CS2", 0x10 },  { "CS3", 0x18 },  { "CS4", 0x20 },
        { "CS5", 0x28 },  { "CS6", 0x30 },  { "CS7", 0x38 },  { "BE", 0x00 },   { "AF11", 0x0a },
        { "AF12", 0x0c }, { "AF13", 0x0e }, { "AF21", 0x12 }, { "AF22", 0x14 }, { "AF23", 0x16 },
        { "AF31", 0x1a }, { "AF32", 0x1c }, { "AF33", 0x1e }, { "AF41", 0x22 }, { "AF42", 0x24 },
        { "AF43", 0x26 }, { "EF", 0x2e },
};

#define DSCP_MAX 0x3f

/**
 * dscp_class_from_name() - the DSCP of a DiffServ class (--dscp-class, --set-dscp-class)
 * @name: the argument; as in iptables, the first class it starts with wins, in any case
 *
 * Returns: the DSCP (0-0x3f), or -ENOENT.
 */
int dscp_class_from_name(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(dscp_classes); i++)
                if (strncasecmp(name, dscp_classes[i].name, strlen(dscp_classes[i].name)) == 0)
                        return dscp_classes[i].dscp;
        return -ENOENT;
}

static const ExtOption dscp_options[] = {
        { "dscp", 0, EXT_OPT_ARG | EXT_OPT_INVERT },
        { "dscp-class", 1, EXT_OPT_ARG | EXT_OPT_INVERT },
};

static int dscp_parse(ExtParse *p, void *data) {
        MatchDscp *m = data;
        uint64_t v = 0;
        int r;

        if (refuse_together(p, dscp_options, ELEMENTSOF(dscp_options), OPT_BIT(0) | OPT_BIT(1)) < 0)
                return -EINVAL;
        if (p->option->id == 0) {
                if (parse_number(p, DSCP_MAX, &v) < 0)
                        return -EINVAL;
        } else {
                r = dscp_class_from_name(p->arg);
                if (r < 0)
                        return ext_error(
                                p,
                                "--dscp-class: unknown DiffServ class \"%s\" (CS0-CS7, BE, AF11-AF43 "
                                "or EF)",
                                p->arg);
                v = (uint64_t)r;
        }
        m->dscp = (uint8_t)v;
        m->invert = p->invert;
        return 0;
}

DEFINE_FINISH_REQUIRE(dscp, OPT_BIT(0) | OPT_BIT(1), "-m dscp needs --dscp or --dscp-class")

static void dscp_save(const void *data, ExtPrint *p) {
        const MatchDscp *m = data;

        ext_print_option(p, m->invert, "dscp");
        strbuf_putc(p->buf, ' ');
        put_hex_value(p->buf, m->dscp);
}

static void dscp_list(const void *data, ExtPrint *p) {
        const MatchDscp *m = data;

        strbuf_puts(p->buf, m->invert ? " DSCP match !" : " DSCP match ");
        put_hex_value(p->buf, m->dscp);
}

/* ---- owner ---- */

static const ExtOption owner_options[] = {
        { "uid-owner", 0, EXT_OPT_ARG | EXT_OPT_INVERT },
        { "gid-owner", 1, EXT_OPT_ARG | EXT_OPT_INVERT },
        { "socket-exists", 2, EXT_OPT_INVERT },
        { "suppl-groups", 3, 0 },
};

/* (uint32_t)-1 is the kernel's invalid id. */
#define OWNER_ID_MAX (UINT32_MAX - 1)

static int owner_parse_ids(ExtParse *p, bool group, uint32_t *ret_min, uint32_t *ret_max) {
        uint64_t lo, hi;
        uint32_t id;
        char *end;

        /* "N", "N-M" or "N:M" */
        if (xt_strtoul(p->arg, &end, OWNER_ID_MAX, &lo)) {
                hi = lo;
                if (((*end == '-' || *end == ':') && !xt_strtoul(end + 1, &end, OWNER_ID_MAX, &hi)) || *end)
                        goto bad;
                if (lo > hi)
                        return ext_error(p, "--%s: range \"%s\" ends before it starts", p->option->name,
                                         p->arg);
                *ret_min = (uint32_t)lo;
                *ret_max = (uint32_t)hi;
                return 0;
        }
        if ((group ? group_from_name(p->arg, &id) : user_from_name(p->arg, &id)) >= 0) {
                *ret_min = *ret_max = id;
                return 0;
        }
        if (isalpha((unsigned char)p->arg[0]) || p->arg[0] == '_')
                return ext_error(
                        p,
                        "--%s: %s names other than root are not resolved (the rules must mean the same "
                        "on every host); use the numeric id instead of \"%s\"",
                        p->option->name, group ? "group" : "user", p->arg);
bad:
        return ext_error(p, "--%s: \"%s\" is not an id or a range of ids from 0 to %" PRIu32,
                         p->option->name, p->arg, (uint32_t)OWNER_ID_MAX);
}

static int owner_parse(ExtParse *p, void *data) {
        MatchOwner *m = data;
        OwnerFlags flag;

        switch (p->option->id) {
        case 0:
                flag = OWNER_UID;
                if (owner_parse_ids(p, false, &m->uid_min, &m->uid_max) < 0)
                        return -EINVAL;
                break;
        case 1:
                flag = OWNER_GID;
                if (owner_parse_ids(p, true, &m->gid_min, &m->gid_max) < 0)
                        return -EINVAL;
                break;
        case 2:
                /* meta skuid cannot test for a missing socket: it just does not match */
                if (p->invert)
                        return ext_error_code(
                                p, DIAG_UNSUPPORTED,
                                "! --socket-exists is not supported: nf_tables cannot match packets "
                                "that have no socket");
                flag = OWNER_SOCKET;
                break;
        default:
                if (!(m->match & OWNER_GID))
                        return ext_error(p, "--suppl-groups needs --gid-owner before it");
                return ext_error_code(
                        p, DIAG_UNSUPPORTED,
                        "--suppl-groups is not supported: nf_tables' meta skgid sees only the primary "
                        "group");
        }
        m->match |= flag;
        if (p->invert)
                m->invert |= flag;
        return 0;
}

DEFINE_FINISH_REQUIRE(owner, OPT_BIT(0) | OPT_BIT(1) | OPT_BIT(2),
                      "-m owner needs --uid-owner, --gid-owner or --socket-exists")

/* One criterion as iptables prints it; only 0 has a name we can know ("root") without asking NSS. */
static void owner_print_item(ExtPrint *p, const MatchOwner *m, OwnerFlags flag, const char *label,
                             bool names) {
        uint32_t min, max;

        if (!(m->match & flag))
                return;
        if (m->invert & flag)
                strbuf_puts(p->buf, " !");
        strbuf_putc(p->buf, ' ');
        strbuf_puts(p->buf, label);
        if (flag == OWNER_SOCKET)
                return;
        min = flag == OWNER_UID ? m->uid_min : m->gid_min;
        max = flag == OWNER_UID ? m->uid_max : m->gid_max;
        strbuf_putc(p->buf, ' ');
        if (min == max && min == 0 && names)
                strbuf_puts(p->buf, "root");
        else
                put_u_range(p->buf, min, max, '-');
}

static void owner_save(const void *data, ExtPrint *p) {
        owner_print_item(p, data, OWNER_SOCKET, "--socket-exists", false);
        owner_print_item(p, data, OWNER_UID, "--uid-owner", false);
        owner_print_item(p, data, OWNER_GID, "--gid-owner", false);
}

static void owner_list(const void *data, ExtPrint *p) {
        owner_print_item(p, data, OWNER_SOCKET, "owner socket exists", !p->numeric);
        owner_print_item(p, data, OWNER_UID, "owner UID match", !p->numeric);
        owner_print_item(p, data, OWNER_GID, "owner GID match", !p->numeric);
}

/* ---- descriptors ---- */

/* A rule keeps only the bytes of its comment: most are far shorter than 255. */
static size_t comment_used_size(const void *data) {
        const MatchComment *m = data;
        return offsetof(MatchComment, text) + strlen(m->text) + 1;
}

#define MISC_MATCH(ident, type_, families_, hooks_, payload, ...)                       \
        const Extension ext_match_##ident = { .name = #ident,                           \
                                              .type = type_,                            \
                                              .families = families_,                    \
                                              .tables = TABLE_ANY,                      \
                                              .hooks = hooks_,                          \
                                              .size = sizeof(payload),                  \
                                              .options = ident##_options,               \
                                              .n_options = ELEMENTSOF(ident##_options), \
                                              .parse = ident##_parse,                   \
                                              .save = ident##_save,                     \
                                              .list = ident##_list,                     \
                                              __VA_ARGS__ }

/* xt_mac reads the link-layer header, which exists only on the way in. */
#define HOOKS_MAC (HOOK_BIT(HOOK_PREROUTING) | HOOK_BIT(HOOK_INPUT) | HOOK_BIT(HOOK_FORWARD))
/* xt_owner needs the local socket of an outgoing packet. */
#define HOOKS_OWNER (HOOK_BIT(HOOK_OUTPUT) | HOOK_BIT(HOOK_POSTROUTING))

MISC_MATCH(limit, MATCH_LIMIT, FAMILY_ANY, HOOK_ANY, MatchLimit, .init = limit_init);
MISC_MATCH(comment, MATCH_COMMENT, FAMILY_ANY, HOOK_ANY, MatchComment, .finish = comment_finish,
           .used_size = comment_used_size);
MISC_MATCH(iprange, MATCH_IPRANGE, FAMILY_ANY, HOOK_ANY, MatchIprange, .finish = iprange_finish);
MISC_MATCH(addrtype, MATCH_ADDRTYPE, FAMILY_ANY, HOOK_ANY, MatchAddrtype, .finish = addrtype_finish,
           .payload_hooks = addrtype_hooks);
MISC_MATCH(mac, MATCH_MAC, FAMILY_ANY, HOOKS_MAC, MatchMac, .finish = mac_finish);
MISC_MATCH(pkttype, MATCH_PKTTYPE, FAMILY_ANY, HOOK_ANY, MatchPkttype, .finish = pkttype_finish);
MISC_MATCH(length, MATCH_LENGTH, FAMILY_ANY, HOOK_ANY, MatchLength, .finish = length_finish);
MISC_MATCH(ttl, MATCH_TTL, FAMILY_BIT(FAMILY_IPV4), HOOK_ANY, MatchTtl, .finish = ttl_finish);
MISC_MATCH(hl, MATCH_HL, FAMILY_BIT(FAMILY_IPV6), HOOK_ANY, MatchTtl, .finish = hl_finish);
MISC_MATCH(tos, MATCH_TOS, FAMILY_ANY, HOOK_ANY, MatchTos, .finish = tos_finish);
MISC_MATCH(dscp, MATCH_DSCP, FAMILY_ANY, HOOK_ANY, MatchDscp, .finish = dscp_finish);
MISC_MATCH(owner, MATCH_OWNER, FAMILY_ANY, HOOKS_OWNER, MatchOwner, .finish = owner_finish);
