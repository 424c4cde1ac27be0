/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ext-target: the targets REJECT, LOG, NFLOG, TCPMSS, TOS, DSCP, TTL and
 * HL. Each reads its options as iptables 1.8 (nf_tables backend) does,
 * keeps the normalised result in the payload of ext-target.h, and prints
 * it back as iptables-save and iptables -L do: REJECT's abbreviations and
 * aliases become the canonical name, LOG's level names a number, TOS's
 * --and/--or/--xor-tos and names a --set-tos value/mask, DSCP classes a
 * --set-dscp value.
 *
 * Where iptables silently cuts a string down (LOG and NFLOG prefixes) or
 * ignores an option (--nflog-range), we do the same, so that a file
 * iptables-restore takes loads here too, but leave a warning.
 */

#include <ctype.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <string.h>
#include <strings.h>

#include "ext-list.h"
#include "ext-target.h"

/*
 * iptables' .excl for targets whose options all exclude each other
 * (TOS, DSCP, TTL, HL): refuses the current option if another was given.
 */
static int check_exclusive(ExtParse *p, const ExtOption *options, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (options[i].id != p->option->id && ext_seen(p, options[i].id))
                        return ext_error(p, "--%s cannot be used together with --%s", p->option->name,
                                         options[i].name);
        return 0;
}

/* The kernel's check for targets that only work on TCP (TCPMSS, REJECT --reject-with tcp-reset). */
static bool rule_is_tcp(const Rule *r) {
        return (r->flags & RULE_HAS_PROTO) && !(r->flags & RULE_INV_PROTO) && r->proto == IPPROTO_TCP;
}

/*
 * A string option as iptables stores it in a fixed buffer: not empty, no
 * newline (the kernel writes it into a log line), and cut to max bytes
 * with a warning where iptables cuts it without one.
 */
static int parse_prefix(ExtParse *p, char *buf, size_t max) {
        size_t len = strlen(p->arg);

        if (len == 0)
                return ext_error(p, "--%s must not be empty", p->option->name);
        if (strchr(p->arg, '\n'))
                return ext_error(p, "--%s must not contain a newline", p->option->name);
        if (len > max) {
                len = max;
                int r = ext_warning(p, DIAG_SEMANTIC,
                                    "--%s is longer than %zu characters; iptables keeps the first %zu, so do we",
                                    p->option->name, max, max);
                if (r < 0)
                        return r;
        }
        memcpy(buf, p->arg, len);
        buf[len] = 0;
        return 0;
}

/* ---- REJECT ---- */

enum {
        OPT_REJECT_WITH,
};

typedef struct RejectName {
        const char *name;               /* what iptables-save prints */
        const char *alias;
        uint8_t type;                   /* RejectType */
        uint8_t code;
} RejectName;

/* In iptables' order, which decides what an abbreviation means ("icmp-host" is host-unreachable). */
static const RejectName reject_names_ipv4[] = {
        { "icmp-net-unreachable", "net-unreach", REJECT_ICMP, ICMP_NET_UNREACH },
        { "icmp-host-unreachable", "host-unreach", REJECT_ICMP, ICMP_HOST_UNREACH },
        { "icmp-proto-unreachable", "proto-unreach", REJECT_ICMP, ICMP_PROT_UNREACH },
        { "icmp-port-unreachable", "port-unreach", REJECT_ICMP, ICMP_PORT_UNREACH },
        { "icmp-net-prohibited", "net-prohib", REJECT_ICMP, ICMP_NET_ANO },
        { "icmp-host-prohibited", "host-prohib", REJECT_ICMP, ICMP_HOST_ANO },
        { "tcp-reset", "tcp-rst", REJECT_TCP_RST, 0 },
        { "icmp-admin-prohibited", "admin-prohib", REJECT_ICMP, ICMP_PKT_FILTERED },
};

static const RejectName reject_names_ipv6[] = {
        { "icmp6-no-route", "no-route", REJECT_ICMP, ICMP6_DST_UNREACH_NOROUTE },
        { "icmp6-adm-prohibited", "adm-prohibited", REJECT_ICMP, ICMP6_DST_UNREACH_ADMIN },
        { "icmp6-addr-unreachable", "addr-unreach", REJECT_ICMP, ICMP6_DST_UNREACH_ADDR },
        { "icmp6-port-unreachable", "port-unreach", REJECT_ICMP, ICMP6_DST_UNREACH_NOPORT },
        { "tcp-reset", "tcp-reset", REJECT_TCP_RST, 0 },
        { "icmp6-policy-fail", "policy-fail", REJECT_ICMP, 5 },         /* RFC 4443 */
        { "icmp6-reject-route", "reject-route", REJECT_ICMP, 6 },
};

/* Without --reject-with: port unreachable, the fourth entry of both tables. */
#define REJECT_DEFAULT 3

static const RejectName *reject_names(Family family, size_t *ret_n) {
        if (family == FAMILY_IPV6) {
                *ret_n = ELEMENTSOF(reject_names_ipv6);
                return reject_names_ipv6;
        }
        *ret_n = ELEMENTSOF(reject_names_ipv4);
        return reject_names_ipv4;
}

bool reject_is_known(Family family, const TargetReject *r) {
        size_t n;
        const RejectName *names = reject_names(family, &n);

        for (size_t i = 0; i < n; i++)
                if (names[i].type == r->type && names[i].code == r->code)
                        return true;
        return false;
}

static int reject_parse(ExtParse *p, void *data) {
        TargetReject *r = data;
        size_t n, len = strlen(p->arg);
        const RejectName *names = reject_names(p->family, &n);

        /* iptables takes any case-insensitive prefix of a name or alias, the first in table order. */
        for (size_t i = 0; i < n; i++)
                if (strncasecmp(names[i].name, p->arg, len) == 0 ||
                    strncasecmp(names[i].alias, p->arg, len) == 0) {
                        *r = (TargetReject){ names[i].type, names[i].code };
                        return 0;
                }
        return ext_error(p, "--reject-with: unknown reject type \"%s\" for %s", p->arg,
                         p->family == FAMILY_IPV6 ? "IPv6 (icmp6-*, tcp-reset)" :
                                                    "IPv4 (icmp-*, tcp-reset)");
}

static int reject_finish(ExtParse *p, void *data) {
        TargetReject *r = data;
        size_t n;
        const RejectName *names = reject_names(p->family, &n);

        if (!ext_seen(p, OPT_REJECT_WITH)) {
                *r = (TargetReject){ names[REJECT_DEFAULT].type, names[REJECT_DEFAULT].code };
        }
        if (r->type == REJECT_TCP_RST && !rule_is_tcp(p->rule))
                return ext_error(p, "REJECT --reject-with tcp-reset needs -p tcp");
        return 0;
}

static void reject_print(const TargetReject *r, ExtPrint *p, const char *option) {
        size_t n;
        const RejectName *names = reject_names(p->family, &n);

        for (size_t i = 0; i < n; i++)
                if (names[i].type == r->type && names[i].code == r->code) {
                        strbuf_puts(p->buf, option);
                        strbuf_puts(p->buf, names[i].name);
                        return;
                }
}

static void reject_save(const void *data, ExtPrint *p) {
        reject_print(data, p, " --reject-with ");
}

static void reject_list(const void *data, ExtPrint *p) {
        reject_print(data, p, " reject-with ");
}

static const ExtOption reject_options[] = {
        { "reject-with", OPT_REJECT_WITH, EXT_OPT_ARG },
};

/* The kernel's ipt_REJECT and ip6t_REJECT: filter table, INPUT, FORWARD, OUTPUT. */
const Extension ext_target_reject = {
        .name = "REJECT",
        .is_target = true,
        .type = TARGET_REJECT,
        .families = FAMILY_ANY,
        .tables = TABLE_BIT(TABLE_FILTER),
        .hooks = HOOK_BIT(HOOK_INPUT) | HOOK_BIT(HOOK_FORWARD) | HOOK_BIT(HOOK_OUTPUT),
        .size = sizeof(TargetReject),
        .options = reject_options,
        .n_options = ELEMENTSOF(reject_options),
        .parse = reject_parse,
        .finish = reject_finish,
        .save = reject_save,
        .list = reject_list,
};

/* ---- LOG ---- */

enum {
        OPT_LOG_LEVEL,
        OPT_LOG_PREFIX,
        OPT_LOG_TCP_SEQUENCE,
        OPT_LOG_TCP_OPTIONS,
        OPT_LOG_IP_OPTIONS,
        OPT_LOG_UID,
        OPT_LOG_MACDECODE,
};

/*
 * Syslog level names: those iptables reads (xtables' list) and the one
 * iptables -L shows for each level (glibc's prioritynames, first match),
 * which differ: -L says "err" and "warn", --log-level wants "error" and
 * "warning".
 */
static const struct {
        const char *name;
        uint8_t level;
        bool read;
        bool listed;
} log_levels[] = {
        { "emerg", 0, true, true },
        { "panic", 0, true, false },
        { "alert", 1, true, true },
        { "crit", 2, true, true },
        { "err", 3, false, true },
        { "error", 3, true, false },
        { "warn", 4, false, true },
        { "warning", 4, true, false },
        { "notice", 5, true, true },
        { "info", 6, true, true },
        { "debug", 7, true, true },
};

/* The flag options, in the order iptables prints them, with their -L words. */
static const struct {
        uint8_t id;
        uint8_t flag;
        const char *name;
        const char *listed;
} log_flag_options[] = {
        { OPT_LOG_TCP_SEQUENCE, LOG_FLAG_TCPSEQ, "log-tcp-sequence", "tcp-sequence" },
        { OPT_LOG_TCP_OPTIONS, LOG_FLAG_TCPOPT, "log-tcp-options", "tcp-options" },
        { OPT_LOG_IP_OPTIONS, LOG_FLAG_IPOPT, "log-ip-options", "ip-options" },
        { OPT_LOG_UID, LOG_FLAG_UID, "log-uid", "uid" },
        { OPT_LOG_MACDECODE, LOG_FLAG_MACDECODE, "log-macdecode", "macdecode" },
};

static void log_init(void *data) {
        TargetLog *l = data;

        l->level = LOG_LEVEL_DEFAULT;
}

static int log_parse_level(ExtParse *p, TargetLog *l) {
        uint64_t v;

        if (isdigit((unsigned char)p->arg[0])) {
                if (ext_parse_uint(p, p->arg, 7, &v) < 0)
                        return -EINVAL;
                l->level = (uint8_t)v;
                return 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(log_levels); i++)
                if (log_levels[i].read && streq(log_levels[i].name, p->arg)) {
                        l->level = log_levels[i].level;
                        return 0;
                }
        return ext_error(p, "--log-level: unknown level \"%s\" (0-7, emerg, alert, crit, error, warning, "
                         "notice, info, debug)", p->arg);
}

static int log_parse(ExtParse *p, void *data) {
        TargetLog *l = data;

        switch (p->option->id) {
        case OPT_LOG_LEVEL:
                return log_parse_level(p, l);
        case OPT_LOG_PREFIX:
                return parse_prefix(p, l->prefix, LOG_PREFIX_MAX);
        }
        for (size_t i = 0; i < ELEMENTSOF(log_flag_options); i++)
                if (log_flag_options[i].id == p->option->id)
                        l->flags |= log_flag_options[i].flag;
        return 0;
}

static void log_save(const void *data, ExtPrint *p) {
        const TargetLog *l = data;

        if (l->prefix[0]) {
                strbuf_puts(p->buf, " --log-prefix ");
                strbuf_put_quoted(p->buf, l->prefix);
        }
        if (l->level != LOG_LEVEL_DEFAULT) {
                strbuf_puts(p->buf, " --log-level ");
                strbuf_put_u64(p->buf, l->level);
        }
        for (size_t i = 0; i < ELEMENTSOF(log_flag_options); i++)
                if (l->flags & log_flag_options[i].flag)
                        ext_print_option(p, false, log_flag_options[i].name);
}

/* iptables -L: numbers with -n, names without; the prefix in plain quotes either way. */
static void log_list(const void *data, ExtPrint *p) {
        const TargetLog *l = data;

        strbuf_puts(p->buf, " LOG");
        if (p->numeric) {
                strbuf_puts(p->buf, " flags ");
                strbuf_put_u64(p->buf, l->flags);
                strbuf_puts(p->buf, " level ");
                strbuf_put_u64(p->buf, l->level);
        } else {
                for (size_t i = 0; i < ELEMENTSOF(log_levels); i++)
                        if (log_levels[i].listed && log_levels[i].level == l->level) {
                                strbuf_puts(p->buf, " level ");
                                strbuf_puts(p->buf, log_levels[i].name);
                                break;
                        }
                for (size_t i = 0; i < ELEMENTSOF(log_flag_options); i++)
                        if (l->flags & log_flag_options[i].flag) {
                                strbuf_putc(p->buf, ' ');
                                strbuf_puts(p->buf, log_flag_options[i].listed);
                        }
        }
        if (l->prefix[0]) {
                strbuf_puts(p->buf, " prefix \"");
                strbuf_puts(p->buf, l->prefix);
                strbuf_putc(p->buf, '"');
        }
}

static const ExtOption log_options[] = {
        { "log-level", OPT_LOG_LEVEL, EXT_OPT_ARG },
        { "log-prefix", OPT_LOG_PREFIX, EXT_OPT_ARG },
        { "log-tcp-sequence", OPT_LOG_TCP_SEQUENCE, 0 },
        { "log-tcp-options", OPT_LOG_TCP_OPTIONS, 0 },
        { "log-ip-options", OPT_LOG_IP_OPTIONS, 0 },
        { "log-uid", OPT_LOG_UID, 0 },
        { "log-macdecode", OPT_LOG_MACDECODE, 0 },
};

const Extension ext_target_log = {
        .name = "LOG",
        .is_target = true,
        .type = TARGET_LOG,
        .families = FAMILY_ANY,
        .tables = TABLE_ANY,
        .hooks = HOOK_ANY,
        .size = sizeof(TargetLog),
        .options = log_options,
        .n_options = ELEMENTSOF(log_options),
        .init = log_init,
        .parse = log_parse,
        .save = log_save,
        .list = log_list,
};

/* ---- NFLOG ---- */

enum {
        OPT_NFLOG_GROUP,
        OPT_NFLOG_PREFIX,
        OPT_NFLOG_RANGE,
        OPT_NFLOG_SIZE,
        OPT_NFLOG_THRESHOLD,
};

static int nflog_parse(ExtParse *p, void *data) {
        TargetNflog *n = data;
        uint64_t v;

        switch (p->option->id) {
        case OPT_NFLOG_GROUP:
        case OPT_NFLOG_THRESHOLD:
                if (ext_parse_uint(p, p->arg, UINT16_MAX, &v) < 0)
                        return -EINVAL;
                if (p->option->id == OPT_NFLOG_GROUP)
                        n->group = (uint16_t)v;
                else
                        n->threshold = (uint16_t)v;
                return 0;
        case OPT_NFLOG_PREFIX:
                return parse_prefix(p, n->prefix, NFLOG_PREFIX_MAX);
        case OPT_NFLOG_RANGE:
        case OPT_NFLOG_SIZE:
                if (ext_seen(p, OPT_NFLOG_RANGE) || ext_seen(p, OPT_NFLOG_SIZE))
                        return ext_error(p, "--nflog-range cannot be used together with --nflog-size");
                if (ext_parse_uint(p, p->arg, UINT32_MAX, &v) < 0)
                        return -EINVAL;
                if (p->option->id == OPT_NFLOG_RANGE) {
                        /* As iptables-nft: the kernel never honoured it, nf_tables has no place for it. */
                        /* at the option: the value is irrelevant */
                        p->arg = NULL;
                        return ext_warning(p, DIAG_UNSUPPORTED,
                                           "--nflog-range has never worked and is ignored, as by iptables-nft; "
                                           "use --nflog-size");
                }
                n->size = (uint32_t)v;
                n->has_size = true;
                return 0;
        }
        return 0;
}

static void nflog_print(const TargetNflog *n, ExtPrint *p, const char *dashes) {
        if (n->prefix[0]) {
                strbuf_printf(p->buf, " %snflog-prefix ", dashes);
                strbuf_put_quoted(p->buf, n->prefix);
        }
        if (n->group)
                strbuf_printf(p->buf, " %snflog-group %u", dashes, n->group);
        if (n->has_size)
                strbuf_printf(p->buf, " %snflog-size %u", dashes, n->size);
        if (n->threshold)
                strbuf_printf(p->buf, " %snflog-threshold %u", dashes, n->threshold);
}

static void nflog_save(const void *data, ExtPrint *p) {
        nflog_print(data, p, "--");
}

static void nflog_list(const void *data, ExtPrint *p) {
        nflog_print(data, p, "");
}

static const ExtOption nflog_options[] = {
        { "nflog-group", OPT_NFLOG_GROUP, EXT_OPT_ARG },
        { "nflog-prefix", OPT_NFLOG_PREFIX, EXT_OPT_ARG },
        { "nflog-range", OPT_NFLOG_RANGE, EXT_OPT_ARG },
        { "nflog-size", OPT_NFLOG_SIZE, EXT_OPT_ARG },
        { "nflog-threshold", OPT_NFLOG_THRESHOLD, EXT_OPT_ARG },
};

const Extension ext_target_nflog = {
        .name = "NFLOG",
        .is_target = true,
        .type = TARGET_NFLOG,
        .families = FAMILY_ANY,
        .tables = TABLE_ANY,
        .hooks = HOOK_ANY,
        .size = sizeof(TargetNflog),
        .options = nflog_options,
        .n_options = ELEMENTSOF(nflog_options),
        .parse = nflog_parse,
        .save = nflog_save,
        .list = nflog_list,
};

/* ---- TCPMSS ---- */

enum {
        OPT_SET_MSS,
        OPT_CLAMP_MSS,
};

static int tcpmss_parse(ExtParse *p, void *data) {
        TargetTcpmss *t = data;
        /* The largest MSS that fits a 64k packet after the IP header. */
        uint64_t max = UINT16_MAX - (p->family == FAMILY_IPV6 ? 40 : 20), v = 0;

        /* Not exclusive in iptables: the later option wins. Field by field: the padding stays zero. */
        if (p->option->id == OPT_SET_MSS && ext_parse_uint(p, p->arg, max, &v) < 0)
                return -EINVAL;
        t->mss = (uint16_t)v;
        t->clamp_pmtu = p->option->id == OPT_CLAMP_MSS;
        return 0;
}

static int tcpmss_finish(ExtParse *p, _unused_ void *data) {
        if (p->seen == 0)
                return ext_error(p, "TCPMSS needs --set-mss or --clamp-mss-to-pmtu");
        if (!rule_is_tcp(p->rule))
                return ext_error(p, "TCPMSS needs -p tcp");
        return 0;
}

static void tcpmss_save(const void *data, ExtPrint *p) {
        const TargetTcpmss *t = data;

        if (t->clamp_pmtu)
                strbuf_puts(p->buf, " --clamp-mss-to-pmtu");
        else {
                strbuf_puts(p->buf, " --set-mss ");
                strbuf_put_u64(p->buf, t->mss);
        }
}

static void tcpmss_list(const void *data, ExtPrint *p) {
        const TargetTcpmss *t = data;

        if (t->clamp_pmtu)
                strbuf_puts(p->buf, " TCPMSS clamp to PMTU");
        else {
                strbuf_puts(p->buf, " TCPMSS set ");
                strbuf_put_u64(p->buf, t->mss);
        }
}

static const ExtOption tcpmss_options[] = {
        { "set-mss", OPT_SET_MSS, EXT_OPT_ARG },
        { "clamp-mss-to-pmtu", OPT_CLAMP_MSS, 0 },
};

/*
 * Any table and hook; the kernel allows --clamp-mss-to-pmtu only from
 * FORWARD, OUTPUT and POSTROUTING, which a descriptor cannot say per
 * option (the checker has to).
 */
/* The kernel's tcpmss_tg4_check(): clamping needs the route, known from FORWARD on. */
static unsigned tcpmss_hooks(const void *data) {
        const TargetTcpmss *t = data;

        if (!t->clamp_pmtu)
                return HOOK_ANY;
        return HOOK_BIT(HOOK_FORWARD) | HOOK_BIT(HOOK_OUTPUT) | HOOK_BIT(HOOK_POSTROUTING);
}

const Extension ext_target_tcpmss = {
        .payload_hooks = tcpmss_hooks,
        .name = "TCPMSS",
        .is_target = true,
        .type = TARGET_TCPMSS,
        .families = FAMILY_ANY,
        .tables = TABLE_ANY,
        .hooks = HOOK_ANY,
        .size = sizeof(TargetTcpmss),
        .options = tcpmss_options,
        .n_options = ELEMENTSOF(tcpmss_options),
        .parse = tcpmss_parse,
        .finish = tcpmss_finish,
        .save = tcpmss_save,
        .list = tcpmss_list,
};

/* ---- TOS ---- */

enum {
        OPT_SET_TOS,
        OPT_AND_TOS,
        OPT_OR_TOS,
        OPT_XOR_TOS,
};

/* The symbolic TOS values; a name sets the four TOS bits and the lowest precedence bits (mask 0x3f). */
#define TOS_NAME_MASK 0x3f
static const struct {
        const char *name;
        uint8_t value;
} tos_names[] = {
        { "Minimize-Delay", 0x10 },
        { "Maximize-Throughput", 0x08 },
        { "Maximize-Reliability", 0x04 },
        { "Minimize-Cost", 0x02 },
        { "Normal-Service", 0x00 },
};

static const ExtOption tos_options[] = {
        { "set-tos", OPT_SET_TOS, EXT_OPT_ARG },
        { "and-tos", OPT_AND_TOS, EXT_OPT_ARG },
        { "or-tos", OPT_OR_TOS, EXT_OPT_ARG },
        { "xor-tos", OPT_XOR_TOS, EXT_OPT_ARG },
};

static int tos_parse_set(ExtParse *p, TargetTos *t) {
        uint32_t v, m;

        if (isdigit((unsigned char)p->arg[0])) {
                if (ext_parse_value_mask(p, p->arg, UINT8_MAX, &v, &m) < 0)
                        return -EINVAL;
                *t = (TargetTos){ (uint8_t)v, (uint8_t)m };
                return 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(tos_names); i++)
                if (strcasecmp(tos_names[i].name, p->arg) == 0) {
                        *t = (TargetTos){ tos_names[i].value, TOS_NAME_MASK };
                        return 0;
                }
        return ext_error(p, "--set-tos: \"%s\" is neither VALUE[/MASK] nor a TOS name (Minimize-Delay, "
                         "Maximize-Throughput, Maximize-Reliability, Minimize-Cost, Normal-Service)",
                         p->arg);
}

/* Everything becomes --set-tos value/mask, as iptables-save prints it. */
static int tos_parse(ExtParse *p, void *data) {
        TargetTos *t = data;
        uint64_t v;

        if (check_exclusive(p, tos_options, ELEMENTSOF(tos_options)) < 0)
                return -EINVAL;
        if (p->option->id == OPT_SET_TOS)
                return tos_parse_set(p, t);
        if (ext_parse_uint(p, p->arg, UINT8_MAX, &v) < 0)
                return -EINVAL;
        switch (p->option->id) {
        case OPT_AND_TOS:
                *t = (TargetTos){ 0, (uint8_t)~v };
                break;
        case OPT_OR_TOS:
                *t = (TargetTos){ (uint8_t)v, (uint8_t)v };
                break;
        case OPT_XOR_TOS:
                *t = (TargetTos){ (uint8_t)v, 0 };
                break;
        }
        return 0;
}

static int tos_finish(ExtParse *p, _unused_ void *data) {
        if (p->seen == 0)
                return ext_error(p, "TOS needs one of --set-tos, --and-tos, --or-tos, --xor-tos");
        return 0;
}

static void tos_save(const void *data, ExtPrint *p) {
        const TargetTos *t = data;

        strbuf_printf(p->buf, " --set-tos 0x%02x/0x%02x", t->value, t->mask);
}

/* iptables -L (without -n) shows the operation the pair stands for. */
static void tos_list(const void *data, ExtPrint *p) {
        const TargetTos *t = data;

        if (p->numeric) {
                strbuf_printf(p->buf, " TOS set 0x%02x/0x%02x", t->value, t->mask);
                return;
        }
        if (t->mask == TOS_NAME_MASK)
                for (size_t i = 0; i < ELEMENTSOF(tos_names); i++)
                        if (tos_names[i].value == t->value) {
                                /* Sic: iptables prints an extra space and none before the name. */
                                strbuf_printf(p->buf, "  TOS set%s", tos_names[i].name);
                                return;
                        }
        if (t->value == 0)
                strbuf_printf(p->buf, " TOS and 0x%02x", (uint8_t)~t->mask);
        else if (t->value == t->mask)
                strbuf_printf(p->buf, " TOS or 0x%02x", t->value);
        else if (t->mask == 0)
                strbuf_printf(p->buf, " TOS xor 0x%02x", t->value);
        else
                strbuf_printf(p->buf, " TOS set 0x%02x/0x%02x", t->value, t->mask);
}

/* The kernel's xt_DSCP.c (TOS, DSCP) and xt_HL.c (TTL, HL) register for the mangle table only. */
const Extension ext_target_tos = {
        .name = "TOS",
        .is_target = true,
        .type = TARGET_TOS,
        .families = FAMILY_ANY,
        .tables = TABLE_BIT(TABLE_MANGLE),
        .hooks = HOOK_ANY,
        .size = sizeof(TargetTos),
        .options = tos_options,
        .n_options = ELEMENTSOF(tos_options),
        .parse = tos_parse,
        .finish = tos_finish,
        .save = tos_save,
        .list = tos_list,
};

/* ---- DSCP ---- */

enum {
        OPT_SET_DSCP,
        OPT_SET_DSCP_CLASS,
};

#define DSCP_MAX 0x3f

/* The DiffServ class names (RFC 2474, 2597, 3246). */
static const struct {
        const char *name;
        uint8_t dscp;
} dscp_classes[] = {
        { "CS0", 0x00 }, { "CS1", 0x08 }, { "CS2", 0x10 }, { "CS3", 0x18 },
        { "CS4", 0x20 }, { "CS5", 0x28 }, { "CS6", 0x30 }, { "CS7", 0x38 },
        { "BE", 0x00 },
        { "AF11", 0x0a }, { "AF12", 0x0c }, { "AF13", 0x0e },
        { "AF21", 0x12 }, { "AF22", 0x14 }, { "AF23", 0x16 },
        { "AF31", 0x1a }, { "AF32", 0x1c }, { "AF33", 0x1e },
        { "AF41", 0x22 }, { "AF42", 0x24 }, { "AF43", 0x26 },
        { "EF", 0x2e },
};

static const ExtOption dscp_options[] = {
        { "set-dscp", OPT_SET_DSCP, EXT_OPT_ARG },
        { "set-dscp-class", OPT_SET_DSCP_CLASS, EXT_OPT_ARG },
};

static int dscp_parse(ExtParse *p, void *data) {
        TargetDscp *d = data;
        uint64_t v;

        if (check_exclusive(p, dscp_options, ELEMENTSOF(dscp_options)) < 0)
                return -EINVAL;
        if (p->option->id == OPT_SET_DSCP) {
                if (ext_parse_uint(p, p->arg, DSCP_MAX, &v) < 0)
                        return -EINVAL;
                d->dscp = (uint8_t)v;
                return 0;
        }
        /* iptables compares only the class name's length: "af11xyz" is AF11. */
        for (size_t i = 0; i < ELEMENTSOF(dscp_classes); i++)
                if (strncasecmp(p->arg, dscp_classes[i].name, strlen(dscp_classes[i].name)) == 0) {
                        d->dscp = dscp_classes[i].dscp;
                        return 0;
                }
        return ext_error(p, "--set-dscp-class: unknown class \"%s\" (CS0-CS7, BE, AF11-AF43, EF)", p->arg);
}

static int dscp_finish(ExtParse *p, _unused_ void *data) {
        if (p->seen == 0)
                return ext_error(p, "DSCP needs --set-dscp or --set-dscp-class");
        return 0;
}

static void dscp_save(const void *data, ExtPrint *p) {
        const TargetDscp *d = data;

        strbuf_printf(p->buf, " --set-dscp 0x%02x", d->dscp);
}

static void dscp_list(const void *data, ExtPrint *p) {
        const TargetDscp *d = data;

        strbuf_printf(p->buf, " DSCP set 0x%02x", d->dscp);
}

const Extension ext_target_dscp = {
        .name = "DSCP",
        .is_target = true,
        .type = TARGET_DSCP,
        .families = FAMILY_ANY,
        .tables = TABLE_BIT(TABLE_MANGLE),
        .hooks = HOOK_ANY,
        .size = sizeof(TargetDscp),
        .options = dscp_options,
        .n_options = ELEMENTSOF(dscp_options),
        .parse = dscp_parse,
        .finish = dscp_finish,
        .save = dscp_save,
        .list = dscp_list,
};

/* ---- TTL and HL ---- */

/* Option ids are the TtlMode they select. */
static const ExtOption ttl_options[] = {
        { "ttl-set", TTL_SET, EXT_OPT_ARG },
        { "ttl-dec", TTL_DEC, EXT_OPT_ARG },
        { "ttl-inc", TTL_INC, EXT_OPT_ARG },
};

static const ExtOption hl_options[] = {
        { "hl-set", TTL_SET, EXT_OPT_ARG },
        { "hl-dec", TTL_DEC, EXT_OPT_ARG },
        { "hl-inc", TTL_INC, EXT_OPT_ARG },
};

/* What each mode is called in iptables-save (after "--ttl-" / "--hl-") and in iptables -L. */
static const struct {
        const char *saved;
        const char *listed;
} ttl_modes[_TTL_MODE_MAX] = {
        [TTL_SET] = { "set", "set to" },
        [TTL_INC] = { "inc", "increment by" },
        [TTL_DEC] = { "dec", "decrement by" },
};

static int ttl_parse(ExtParse *p, void *data) {
        /* TTL is IPv4's, HL IPv6's; their tables hold the same ids. */
        const ExtOption *options = p->family == FAMILY_IPV6 ? hl_options : ttl_options;
        TargetTtl *t = data;
        uint64_t v;

        if (check_exclusive(p, options, ELEMENTSOF(ttl_options)) < 0)
                return -EINVAL;
        if (ext_parse_uint(p, p->arg, UINT8_MAX, &v) < 0)
                return -EINVAL;
        if (v == 0 && p->option->id != TTL_SET)
                return ext_error(p, "--%s: \"%s\" is not a number from 1 to 255", p->option->name, p->arg);
        *t = (TargetTtl){ p->option->id, (uint8_t)v };
        return 0;
}

static int ttl_finish(ExtParse *p, _unused_ void *data) {
        if (p->seen == 0)
                return ext_error(p, "%s", p->family == FAMILY_IPV6 ?
                                                  "HL needs --hl-set, --hl-dec or --hl-inc" :
                                                  "TTL needs --ttl-set, --ttl-dec or --ttl-inc");
        return 0;
}

static void ttl_print(const TargetTtl *t, ExtPrint *p, const char *label, bool save) {
        TtlMode m = t->mode < _TTL_MODE_MAX ? t->mode : TTL_SET;

        if (save)
                strbuf_printf(p->buf, " --%s-%s %u", label, ttl_modes[m].saved, t->value);
        else
                strbuf_printf(p->buf, " %s %s %u", label, ttl_modes[m].listed, t->value);
}

static void ttl_save(const void *data, ExtPrint *p) {
        ttl_print(data, p, "ttl", true);
}

static void ttl_list(const void *data, ExtPrint *p) {
        ttl_print(data, p, "TTL", false);
}

static void hl_save(const void *data, ExtPrint *p) {
        ttl_print(data, p, "hl", true);
}

static void hl_list(const void *data, ExtPrint *p) {
        ttl_print(data, p, "HL", false);
}

const Extension ext_target_ttl = {
        .name = "TTL",
        .is_target = true,
        .type = TARGET_TTL,
        .families = FAMILY_BIT(FAMILY_IPV4),
        .tables = TABLE_BIT(TABLE_MANGLE),
        .hooks = HOOK_ANY,
        .size = sizeof(TargetTtl),
        .options = ttl_options,
        .n_options = ELEMENTSOF(ttl_options),
        .parse = ttl_parse,
        .finish = ttl_finish,
        .save = ttl_save,
        .list = ttl_list,
};

const Extension ext_target_hl = {
        .name = "HL",
        .is_target = true,
        .type = TARGET_HL,
        .families = FAMILY_BIT(FAMILY_IPV6),
        .tables = TABLE_BIT(TABLE_MANGLE),
        .hooks = HOOK_ANY,
        .size = sizeof(TargetTtl),
        .options = hl_options,
        .n_options = ELEMENTSOF(hl_options),
        .parse = ttl_parse,
        .finish = ttl_finish,
        .save = hl_save,
        .list = hl_list,
};
