/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ext-conntrack: the connection-tracking and mark extensions. Matches
 * conntrack (revision 3), state, mark and connmark; targets CT, NOTRACK,
 * MARK and CONNMARK. Each reads its options as libxt_NAME does and prints
 * them back the way libxt_NAME's save and print functions do, so that
 * iptables-save and iptables -L output stays byte-identical. Marks are
 * kept in xor/mask form, which is both what iptables-save prints and what
 * nf_tables' bitwise expression computes.
 */

#include <string.h>
#include <strings.h>

#include "ext-conntrack.h"
#include "ext-list.h"
#include "ruleset-names.h"

/* A keyword of a comma-separated flag list (--ctstate, --ctstatus, --state). */
typedef struct NameBit {
        const char *name;
        uint16_t bit;
} NameBit;

/*
 * In the order iptables prints them. iptables accepts any abbreviation;
 * no two names share a first letter, so the order of trying is moot.
 */
static const NameBit ct_state_names[] = {
        { "INVALID", CT_STATE_INVALID },
        { "NEW", CT_STATE_NEW },
        { "RELATED", CT_STATE_RELATED },
        { "ESTABLISHED", CT_STATE_ESTABLISHED },
        { "UNTRACKED", CT_STATE_UNTRACKED },
        { "SNAT", CT_STATE_SNAT },
        { "DNAT", CT_STATE_DNAT },
};

/* "NONE" is the empty set: printed only when nothing else is. */
static const NameBit ct_status_names[] = {
        { "EXPECTED", CT_STATUS_EXPECTED },
        { "SEEN_REPLY", CT_STATUS_SEEN_REPLY },
        { "ASSURED", CT_STATUS_ASSURED },
        { "CONFIRMED", CT_STATUS_CONFIRMED },
        { "NONE", 0 },
};

#define STATE_MATCH_STATES \
        (CT_STATE_INVALID | CT_STATE_NEW | CT_STATE_RELATED | CT_STATE_ESTABLISHED | CT_STATE_UNTRACKED)

static const char *const conntrack_dir_names[_CONNTRACK_DIR_MAX] = {
        [CONNTRACK_DIR_ORIGINAL] = "ORIGINAL",
        [CONNTRACK_DIR_REPLY] = "REPLY",
};

/* Only the bits in `allowed` (NONE always) may be named. */
static int parse_name_list(ExtParse *p, const NameBit *names, size_t n, uint16_t allowed, const char *what,
                           uint16_t *ret) {
        const char *s = p->arg;
        uint16_t mask = 0;

        if (!*s)
                return ext_error(p, "--%s: empty argument", p->option->name);
        for (;;) {
                size_t len = strcspn(s, ",");
                size_t i;

                if (len == 0)
                        return ext_error(p, "--%s: empty %s in \"%s\"", p->option->name, what, p->arg);
                for (i = 0; i < n; i++)
                        if (!(names[i].bit & ~allowed) && strncasecmp(s, names[i].name, len) == 0)
                                break;
                if (i == n)
                        return ext_error(p, "--%s: unknown %s \"%.*s\"", p->option->name, what, (int)len, s);
                mask |= names[i].bit;
                if (!s[len])
                        break;
                s += len + 1;
        }
        *ret = mask;
        return 0;
}

static void print_name_list(StrBuf *b, const NameBit *names, size_t n, uint16_t mask) {
        char sep = ' ';

        for (size_t i = 0; i < n; i++)
                if (names[i].bit ? (mask & names[i].bit) : (mask == 0)) {
                        strbuf_putc(b, sep);
                        strbuf_puts(b, names[i].name);
                        sep = ',';
                }
}

/* " [!] --name" in iptables-save, " [!] name" in iptables -L. */
static void print_option(ExtPrint *p, bool invert, const char *name, bool save) {
        if (save) {
                ext_print_option(p, invert, name);
                return;
        }
        strbuf_puts(p->buf, invert ? " ! " : " ");
        strbuf_puts(p->buf, name);
}

/* conntrack */

static const ExtOption conntrack_options[] = {
        /* In ConntrackField order: the printer names fields by these entries. */
        { "ctstate", CONNTRACK_STATE, EXT_OPT_ARG | EXT_OPT_INVERT },
        { "ctproto", CONNTRACK_PROTO, EXT_OPT_ARG | EXT_OPT_INVERT },
        { "ctorigsrc", CONNTRACK_ORIGSRC, EXT_OPT_ARG | EXT_OPT_INVERT },
        { "ctorigdst", CONNTRACK_ORIGDST, EXT_OPT_ARG | EXT_OPT_INVERT },
        { "ctreplsrc", CONNTRACK_REPLSRC, EXT_OPT_ARG | EXT_OPT_INVERT },
        { "ctrepldst", CONNTRACK_REPLDST, EXT_OPT_ARG | EXT_OPT_INVERT },
        { "ctorigsrcport", CONNTRACK_ORIGSRC_PORT, EXT_OPT_ARG | EXT_OPT_INVERT },
        { "ctorigdstport", CONNTRACK_ORIGDST_PORT, EXT_OPT_ARG | EXT_OPT_INVERT },
        { "ctreplsrcport", CONNTRACK_REPLSRC_PORT, EXT_OPT_ARG | EXT_OPT_INVERT },
        { "ctrepldstport", CONNTRACK_REPLDST_PORT, EXT_OPT_ARG | EXT_OPT_INVERT },
        { "ctstatus", CONNTRACK_STATUS, EXT_OPT_ARG | EXT_OPT_INVERT },
        { "ctexpire", CONNTRACK_EXPIRE, EXT_OPT_ARG | EXT_OPT_INVERT },
        { "ctdir", CONNTRACK_DIR, EXT_OPT_ARG },
};

/* "a", "a:b", ":b", "a:" and ":" as iptables reads --ctexpire. */
static int parse_expire(ExtParse *p, uint32_t *ret_min, uint32_t *ret_max) {
        const char *colon = strchr(p->arg, ':');
        uint64_t lo = 0, hi = UINT32_MAX;

        if (!colon) {
                if (ext_parse_uint(p, p->arg, UINT32_MAX, &lo) < 0)
                        return -EINVAL;
                hi = lo;
        } else {
                if (colon > p->arg &&
                    ext_parse_uint(p, strndupa(p->arg, colon - p->arg), UINT32_MAX, &lo) < 0)
                        return -EINVAL;
                if (strchr(colon + 1, ':'))
                        return ext_error(p, "--%s: \"%s\" is not a number or a range", p->option->name,
                                         p->arg);
                if (colon[1] && ext_parse_uint(p, colon + 1, UINT32_MAX, &hi) < 0)
                        return -EINVAL;
        }
        if (lo > hi)
                return ext_error(p, "--%s: range \"%s\" ends before it starts", p->option->name, p->arg);
        *ret_min = (uint32_t)lo;
        *ret_max = (uint32_t)hi;
        return 0;
}

static int conntrack_parse(ExtParse *p, void *data) {
        MatchConntrack *ct = data;
        ConntrackField f = p->option->id;
        int proto, r = 0;

        if (!*p->arg)
                return ext_error(p, "--%s: empty argument", p->option->name);

        switch (f) {
        case CONNTRACK_STATE:
                r = parse_name_list(p, ct_state_names, ELEMENTSOF(ct_state_names), UINT16_MAX, "state",
                                    &ct->state);
                break;
        case CONNTRACK_PROTO:
                proto = protocol_from_string(p->arg);
                if (proto < 0)
                        return ext_error(p, "--ctproto: unknown protocol \"%s\"", p->arg);
                /* Newer iptables refuse it either way: it matches nothing, or everything. */
                if (proto == 0)
                        return ext_error(p, "--ctproto: \"%s\" is protocol 0, which no connection has",
                                         p->arg);
                ct->proto = (uint8_t)proto;
                break;
        case CONNTRACK_ORIGSRC:
        case CONNTRACK_ORIGDST:
        case CONNTRACK_REPLSRC:
        case CONNTRACK_REPLDST:
                /*
                 * Host bits cleared, where iptables-save would print them back: the kernel
                 * compares under the mask, so they change nothing, and nf_tables keeps
                 * only the masked address.
                 */
                r = ext_parse_addr_mask(p, p->arg, &ct->addr[f - CONNTRACK_ORIGSRC]);
                break;
        case CONNTRACK_ORIGSRC_PORT:
        case CONNTRACK_ORIGDST_PORT:
        case CONNTRACK_REPLSRC_PORT:
        case CONNTRACK_REPLDST_PORT:
                r = ext_parse_port_range(p, p->arg, &ct->port[f - CONNTRACK_ORIGSRC_PORT]);
                break;
        case CONNTRACK_STATUS: {
                uint16_t status;

                r = parse_name_list(p, ct_status_names, ELEMENTSOF(ct_status_names), UINT16_MAX, "status",
                                    &status);
                ct->status = (uint8_t)status;
                break;
        }
        case CONNTRACK_EXPIRE:
                r = parse_expire(p, &ct->expire_min, &ct->expire_max);
                break;
        case CONNTRACK_DIR:
                if (strcasecmp(p->arg, "ORIGINAL") == 0)
                        ct->dir = CONNTRACK_DIR_ORIGINAL;
                else if (strcasecmp(p->arg, "REPLY") == 0)
                        ct->dir = CONNTRACK_DIR_REPLY;
                else
                        return ext_error(p, "--ctdir: \"%s\" is neither ORIGINAL nor REPLY", p->arg);
                break;
        case _CONNTRACK_FIELD_MAX:
        case _CONNTRACK_FIELD_INVALID:
                return -EINVAL;
        }
        if (r < 0)
                return r;

        ct->fields |= 1u << f;
        if (p->invert)
                ct->invert |= 1u << f;
        return 0;
}

static int conntrack_finish(ExtParse *p, void *data) {
        const MatchConntrack *ct = data;

        if (ct->fields == 0)
                return ext_error(p, "-m conntrack: at least one option is required");
        return 0;
}

static bool addr_is_zero(const Addr *a, Family family) {
        for (size_t i = 0; i < family_addr_len(family); i++)
                if (a->bytes[i])
                        return false;
        return true;
}

static bool mask_is_full(const Addr *m, Family family) {
        for (size_t i = 0; i < family_addr_len(family); i++)
                if (m->bytes[i] != 0xff)
                        return false;
        return true;
}

/* Address with "/prefix" (or "/mask") unless it is a host address, as xtables_ip*mask_to_numeric. */
static void conntrack_print_addr(ExtPrint *p, const AddrMask *am, bool save) {
        strbuf_putc(p->buf, ' ');
        if (!save && !p->numeric && addr_is_zero(&am->addr, p->family))
                strbuf_puts(p->buf, "anywhere");
        else if (mask_is_full(&am->mask, p->family))
                ext_print_addr(p, &am->addr);
        else
                ext_print_addr_mask(p, am);
}

static void conntrack_print(const MatchConntrack *ct, ExtPrint *p, bool save) {
        StrBuf *b = p->buf;

        for (ConntrackField f = 0; f < _CONNTRACK_FIELD_MAX; f++) {
                if (!(ct->fields & (1u << f)))
                        continue;
                print_option(p, ct->invert & (1u << f), conntrack_options[f].name, save);
                switch (f) {
                case CONNTRACK_STATE:
                        print_name_list(b, ct_state_names, ELEMENTSOF(ct_state_names), ct->state);
                        break;
                case CONNTRACK_PROTO:
                        strbuf_putc(b, ' ');
                        strbuf_put_u64(b, ct->proto);
                        break;
                case CONNTRACK_ORIGSRC:
                case CONNTRACK_ORIGDST:
                case CONNTRACK_REPLSRC:
                case CONNTRACK_REPLDST:
                        conntrack_print_addr(p, &ct->addr[f - CONNTRACK_ORIGSRC], save);
                        break;
                case CONNTRACK_ORIGSRC_PORT:
                case CONNTRACK_ORIGDST_PORT:
                case CONNTRACK_REPLSRC_PORT:
                case CONNTRACK_REPLDST_PORT:
                        strbuf_putc(b, ' ');
                        ext_print_port_range(p, &ct->port[f - CONNTRACK_ORIGSRC_PORT], ':');
                        break;
                case CONNTRACK_STATUS:
                        print_name_list(b, ct_status_names, ELEMENTSOF(ct_status_names), ct->status);
                        break;
                case CONNTRACK_EXPIRE:
                        strbuf_putc(b, ' ');
                        strbuf_put_u64(b, ct->expire_min);
                        if (ct->expire_max != ct->expire_min) {
                                strbuf_putc(b, ':');
                                strbuf_put_u64(b, ct->expire_max);
                        }
                        break;
                case CONNTRACK_DIR:
                        strbuf_putc(b, ' ');
                        strbuf_puts(b, conntrack_dir_names[ct->dir]);
                        break;
                case _CONNTRACK_FIELD_MAX:
                case _CONNTRACK_FIELD_INVALID:
                        break;
                }
        }
}

static void conntrack_save(const void *data, ExtPrint *p) {
        conntrack_print(data, p, true);
}

static void conntrack_list(const void *data, ExtPrint *p) {
        conntrack_print(data, p, false);
}

const Extension ext_match_conntrack = {
        .name = "conntrack",
        .type = MATCH_CONNTRACK,
        .families = FAMILY_ANY,
        .tables = TABLE_ANY,
        .hooks = HOOK_ANY,
        .size = sizeof(MatchConntrack),
        .options = conntrack_options,
        .n_options = ELEMENTSOF(conntrack_options),
        .parse = conntrack_parse,
        .finish = conntrack_finish,
        .save = conntrack_save,
        .list = conntrack_list,
};

/* state */

static const ExtOption state_options[] = {
        { "state", 0, EXT_OPT_ARG | EXT_OPT_INVERT },
};

static int state_parse(ExtParse *p, void *data) {
        MatchState *st = data;

        st->invert = p->invert;
        return parse_name_list(p, ct_state_names, ELEMENTSOF(ct_state_names), STATE_MATCH_STATES, "state",
                               &st->state);
}

/* Both -m state and -m mark/connmark have a single mandatory option. */
static int require_option(ExtParse *p, const char *match, const char *option) {
        if (p->seen == 0)
                return ext_error(p, "-m %s: --%s is required", match, option);
        return 0;
}

static int state_finish(ExtParse *p, void *data) {
        return require_option(p, "state", "state");
}

static void state_print(const MatchState *st, ExtPrint *p, bool save) {
        print_option(p, st->invert, "state", save);
        print_name_list(p->buf, ct_state_names, ELEMENTSOF(ct_state_names), st->state);
}

static void state_save(const void *data, ExtPrint *p) {
        state_print(data, p, true);
}

static void state_list(const void *data, ExtPrint *p) {
        state_print(data, p, false);
}

const Extension ext_match_state = {
        .name = "state",
        .type = MATCH_STATE,
        .families = FAMILY_ANY,
        .tables = TABLE_ANY,
        .hooks = HOOK_ANY,
        .size = sizeof(MatchState),
        .options = state_options,
        .n_options = ELEMENTSOF(state_options),
        .parse = state_parse,
        .finish = state_finish,
        .save = state_save,
        .list = state_list,
};

/* mark, connmark */

static const ExtOption mark_match_options[] = {
        { "mark", 0, EXT_OPT_ARG | EXT_OPT_INVERT },
};

static int mark_match_parse(ExtParse *p, void *data) {
        MatchMark *m = data;

        m->invert = p->invert;
        return ext_parse_value_mask(p, p->arg, UINT32_MAX, &m->value, &m->mask);
}

static int mark_match_finish(ExtParse *p, void *data) {
        return require_option(p, "mark", "mark");
}

static int connmark_match_finish(ExtParse *p, void *data) {
        return require_option(p, "connmark", "mark");
}

/* " 0xV" or " 0xV/0xM", as both libxt_mark and libxt_connmark print it. */
static void print_mark_value(StrBuf *b, uint32_t value, uint32_t mask) {
        strbuf_putc(b, ' ');
        strbuf_put_hex(b, value);
        if (mask != UINT32_MAX) {
                strbuf_putc(b, '/');
                strbuf_put_hex(b, mask);
        }
}

static void mark_match_save(const void *data, ExtPrint *p) {
        const MatchMark *m = data;

        ext_print_option(p, m->invert, "mark");
        print_mark_value(p->buf, m->value, m->mask);
}

static void mark_match_list(const void *data, ExtPrint *p) {
        const MatchMark *m = data;

        strbuf_puts(p->buf, m->invert ? " mark match !" : " mark match");
        print_mark_value(p->buf, m->value, m->mask);
}

static void connmark_match_list(const void *data, ExtPrint *p) {
        const MatchMark *m = data;

        /* As libxt_connmark: "!" sticks to "match ", so the plain form has two spaces. */
        strbuf_puts(p->buf, m->invert ? " connmark match !" : " connmark match ");
        print_mark_value(p->buf, m->value, m->mask);
}

const Extension ext_match_mark = {
        .name = "mark",
        .type = MATCH_MARK,
        .families = FAMILY_ANY,
        .tables = TABLE_ANY,
        .hooks = HOOK_ANY,
        .size = sizeof(MatchMark),
        .options = mark_match_options,
        .n_options = ELEMENTSOF(mark_match_options),
        .parse = mark_match_parse,
        .finish = mark_match_finish,
        .save = mark_match_save,
        .list = mark_match_list,
};

const Extension ext_match_connmark = {
        .name = "connmark",
        .type = MATCH_CONNMARK,
        .families = FAMILY_ANY,
        .tables = TABLE_ANY,
        .hooks = HOOK_ANY,
        .size = sizeof(MatchMark),
        .options = mark_match_options,
        .n_options = ELEMENTSOF(mark_match_options),
        .parse = mark_match_parse,
        .finish = connmark_match_finish,
        .save = mark_match_save,
        .list = connmark_match_list,
};

/* CT, NOTRACK */

enum {
        CT_OPT_NOTRACK,
        CT_OPT_HELPER,
        CT_OPT_TIMEOUT,
        CT_OPT_CTEVENTS,
        CT_OPT_EXPEVENTS,
        CT_OPT_ZONE_ORIG,
        CT_OPT_ZONE_REPLY,
        CT_OPT_ZONE,
};

static const ExtOption ct_options[] = {
        { "notrack", CT_OPT_NOTRACK, 0 },
        { "helper", CT_OPT_HELPER, EXT_OPT_ARG },
        { "timeout", CT_OPT_TIMEOUT, EXT_OPT_ARG },
        { "ctevents", CT_OPT_CTEVENTS, EXT_OPT_ARG },
        { "expevents", CT_OPT_EXPEVENTS, EXT_OPT_ARG },
        { "zone-orig", CT_OPT_ZONE_ORIG, EXT_OPT_ARG },
        { "zone-reply", CT_OPT_ZONE_REPLY, EXT_OPT_ARG },
        { "zone", CT_OPT_ZONE, EXT_OPT_ARG },
};

/* The characters of the kernel's helper names (ftp, Q.931, netbios-ns, snmp_trap, ...). */
#define HELPER_NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"

static int ct_parse(ExtParse *p, void *data) {
        TargetCt *ct = data;
        uint64_t zone;

        switch (p->option->id) {
        case CT_OPT_NOTRACK:
                ct->flags |= TARGET_CT_NOTRACK;
                return 0;
        case CT_OPT_HELPER:
                /* iptables would truncate silently, and print it unquoted. */
                if (strlen(p->arg) >= sizeof(ct->helper))
                        return ext_error(p, "--helper: \"%s\" is longer than %zu characters", p->arg,
                                         sizeof(ct->helper) - 1);
                if (p->arg[strspn(p->arg, HELPER_NAME_CHARS)])
                        return ext_error(p, "--helper: \"%s\" is not a conntrack helper name", p->arg);
                strncpy(ct->helper, p->arg, sizeof(ct->helper));
                return 0;
        case CT_OPT_TIMEOUT:
        case CT_OPT_CTEVENTS:
        case CT_OPT_EXPEVENTS:
                return ext_error_code(p, DIAG_UNSUPPORTED, "CT --%s is not supported by nfwall",
                                      p->option->name);
        case CT_OPT_ZONE_ORIG:
        case CT_OPT_ZONE_REPLY:
        case CT_OPT_ZONE:
                if (strcasecmp(p->arg, "mark") == 0)
                        return ext_error_code(p, DIAG_UNSUPPORTED,
                                              "CT --%s mark (the zone from the packet mark) is not "
                                              "supported by nfwall",
                                              p->option->name);
                if (ext_parse_uint(p, p->arg, UINT16_MAX, &zone) < 0)
                        return -EINVAL;
                /* As iptables: the last zone wins, the directions add up. */
                ct->zone = (uint16_t)zone;
                if (p->option->id == CT_OPT_ZONE_ORIG)
                        ct->flags |= TARGET_CT_ZONE_ORIG;
                else if (p->option->id == CT_OPT_ZONE_REPLY)
                        ct->flags |= TARGET_CT_ZONE_REPLY;
                return 0;
        }
        return -EINVAL;
}

static int ct_finish(ExtParse *p, void *data) {
        TargetCt *ct = data;
        const uint8_t dirs = TARGET_CT_ZONE_ORIG | TARGET_CT_ZONE_REPLY;

        /* Both directions is the plain zone; zone 0 is no zone: both print as such. */
        if ((ct->flags & dirs) == dirs || ct->zone == 0)
                ct->flags &= ~dirs;
        return 0;
}

static void ct_print(const TargetCt *ct, ExtPrint *p, bool save) {
        StrBuf *b = p->buf;

        if (!save)
                strbuf_puts(b, " CT");
        if (ct->flags & TARGET_CT_NOTRACK)
                print_option(p, false, "notrack", save);
        if (ct->helper[0]) {
                print_option(p, false, "helper", save);
                strbuf_putc(b, ' ');
                strbuf_puts(b, ct->helper);
        }
        if (ct->zone) {
                print_option(p, false,
                             ct->flags & TARGET_CT_ZONE_ORIG    ? "zone-orig"
                             : ct->flags & TARGET_CT_ZONE_REPLY ? "zone-reply"
                                                                : "zone",
                             save);
                strbuf_putc(b, ' ');
                strbuf_put_u64(b, ct->zone);
        }
}

static void ct_save(const void *data, ExtPrint *p) {
        ct_print(data, p, true);
}

static void ct_list(const void *data, ExtPrint *p) {
        ct_print(data, p, false);
}

const Extension ext_target_ct = {
        .name = "CT",
        .is_target = true,
        .type = TARGET_CT,
        .families = FAMILY_ANY,
        .tables = TABLE_BIT(TABLE_RAW),
        .hooks = HOOK_ANY,
        .size = sizeof(TargetCt),
        .options = ct_options,
        .n_options = ELEMENTSOF(ct_options),
        .parse = ct_parse,
        .finish = ct_finish,
        .save = ct_save,
        .list = ct_list,
};

static void notrack_list(const void *data, ExtPrint *p) {
        strbuf_puts(p->buf, " NOTRACK");
}

const Extension ext_target_notrack = {
        .name = "NOTRACK",
        .list_name = "CT",
        .is_target = true,
        .type = TARGET_NOTRACK,
        .families = FAMILY_ANY,
        .tables = TABLE_BIT(TABLE_RAW),
        .hooks = HOOK_ANY,
        .list = notrack_list,
};

/* MARK, CONNMARK */

/* Option ids of both targets: MARK has the first five. */
enum {
        MARK_OPT_SET_XMARK,
        MARK_OPT_SET_MARK,
        MARK_OPT_AND_MARK,
        MARK_OPT_OR_MARK,
        MARK_OPT_XOR_MARK,
        MARK_OPT_SAVE_MARK,
        MARK_OPT_RESTORE_MARK,
        MARK_OPT_LEFT_SHIFT_MARK,
        MARK_OPT_RIGHT_SHIFT_MARK,
        MARK_OPT_CTMASK,
        MARK_OPT_NFMASK,
        MARK_OPT_MASK,
};

#define MARK_OPS_SET                                                                                   \
        ((1u << MARK_OPT_SET_XMARK) | (1u << MARK_OPT_SET_MARK) | (1u << MARK_OPT_AND_MARK) |           \
         (1u << MARK_OPT_OR_MARK) | (1u << MARK_OPT_XOR_MARK))
#define CONNMARK_OPS (MARK_OPS_SET | (1u << MARK_OPT_SAVE_MARK) | (1u << MARK_OPT_RESTORE_MARK))

static const ExtOption mark_target_options[] = {
        { "set-xmark", MARK_OPT_SET_XMARK, EXT_OPT_ARG },
        { "set-mark", MARK_OPT_SET_MARK, EXT_OPT_ARG },
        { "and-mark", MARK_OPT_AND_MARK, EXT_OPT_ARG },
        { "or-mark", MARK_OPT_OR_MARK, EXT_OPT_ARG },
        { "xor-mark", MARK_OPT_XOR_MARK, EXT_OPT_ARG },
};

static const ExtOption connmark_target_options[] = {
        { "set-xmark", MARK_OPT_SET_XMARK, EXT_OPT_ARG },
        { "set-mark", MARK_OPT_SET_MARK, EXT_OPT_ARG },
        { "and-mark", MARK_OPT_AND_MARK, EXT_OPT_ARG },
        { "or-mark", MARK_OPT_OR_MARK, EXT_OPT_ARG },
        { "xor-mark", MARK_OPT_XOR_MARK, EXT_OPT_ARG },
        { "save-mark", MARK_OPT_SAVE_MARK, 0 },
        { "restore-mark", MARK_OPT_RESTORE_MARK, 0 },
        { "left-shift-mark", MARK_OPT_LEFT_SHIFT_MARK, EXT_OPT_ARG },
        { "right-shift-mark", MARK_OPT_RIGHT_SHIFT_MARK, EXT_OPT_ARG },
        { "ctmask", MARK_OPT_CTMASK, EXT_OPT_ARG },
        { "nfmask", MARK_OPT_NFMASK, EXT_OPT_ARG },
        { "mask", MARK_OPT_MASK, EXT_OPT_ARG },
};

/* Refuses the option if one of `group` other than itself came before (iptables' .excl). */
static int check_exclusive(ExtParse *p, const ExtOption *options, size_t n, uint32_t group) {
        uint32_t others = p->seen & group & ~(1u << p->option->id);

        if (!others)
                return 0;
        for (size_t i = 0; i < n; i++)
                if (others & (1u << options[i].id))
                        return ext_error(p, "--%s cannot be used together with --%s", p->option->name,
                                         options[i].name);
        return -EINVAL;
}

/* The five ways of writing a mark operation, as the xor/mask pair the kernel applies. */
static int parse_xmark(ExtParse *p, uint32_t *ret_value, uint32_t *ret_mask) {
        uint32_t value, mask;
        uint64_t bits;

        if (p->option->id == MARK_OPT_SET_XMARK || p->option->id == MARK_OPT_SET_MARK) {
                if (ext_parse_value_mask(p, p->arg, UINT32_MAX, &value, &mask) < 0)
                        return -EINVAL;
                /* --set-mark V/M clears M, then ORs V in. */
                if (p->option->id == MARK_OPT_SET_MARK)
                        mask |= value;
        } else {
                if (ext_parse_uint(p, p->arg, UINT32_MAX, &bits) < 0)
                        return -EINVAL;
                value = p->option->id == MARK_OPT_AND_MARK ? 0 : (uint32_t)bits;
                mask = p->option->id == MARK_OPT_AND_MARK  ? ~(uint32_t)bits
                       : p->option->id == MARK_OPT_OR_MARK ? (uint32_t)bits
                                                           : 0;
        }
        *ret_value = value;
        *ret_mask = mask;
        return 0;
}

static int mark_target_parse(ExtParse *p, void *data) {
        TargetMark *m = data;

        if (check_exclusive(p, mark_target_options, ELEMENTSOF(mark_target_options), MARK_OPS_SET) < 0)
                return -EINVAL;
        return parse_xmark(p, &m->value, &m->mask);
}

static int mark_target_finish(ExtParse *p, void *data) {
        if (p->seen == 0)
                return ext_error(p, "-j MARK: one of --set-xmark, --set-mark, --and-mark, --or-mark or "
                                    "--xor-mark is required");
        return 0;
}

static void print_xmark(StrBuf *b, uint32_t value, uint32_t mask) {
        strbuf_puts(b, " --set-xmark ");
        strbuf_put_hex(b, value);
        strbuf_putc(b, '/');
        strbuf_put_hex(b, mask);
}

/* The operation in the words of libxt_MARK's and libxt_CONNMARK's print. */
static void list_xmark(StrBuf *b, const char *target, uint32_t value, uint32_t mask) {
        strbuf_putc(b, ' ');
        strbuf_puts(b, target);
        if (value == 0) {
                strbuf_puts(b, " and ");
                strbuf_put_hex(b, ~mask);
        } else if (value == mask) {
                strbuf_puts(b, " or ");
                strbuf_put_hex(b, value);
        } else if (mask == 0) {
                strbuf_puts(b, " xor ");
                strbuf_put_hex(b, value);
        } else if (mask == UINT32_MAX) {
                strbuf_puts(b, " set ");
                strbuf_put_hex(b, value);
        } else {
                strbuf_puts(b, " xset ");
                strbuf_put_hex(b, value);
                strbuf_putc(b, '/');
                strbuf_put_hex(b, mask);
        }
}

static void mark_target_save(const void *data, ExtPrint *p) {
        const TargetMark *m = data;

        print_xmark(p->buf, m->value, m->mask);
}

static void mark_target_list(const void *data, ExtPrint *p) {
        const TargetMark *m = data;

        list_xmark(p->buf, "MARK", m->value, m->mask);
}

const Extension ext_target_mark = {
        .name = "MARK",
        .is_target = true,
        .type = TARGET_MARK,
        .families = FAMILY_ANY,
        .tables = TABLE_ANY,
        .hooks = HOOK_ANY,
        .size = sizeof(TargetMark),
        .options = mark_target_options,
        .n_options = ELEMENTSOF(mark_target_options),
        .parse = mark_target_parse,
        .finish = mark_target_finish,
        .save = mark_target_save,
        .list = mark_target_list,
};

static void connmark_target_init(void *data) {
        TargetConnmark *cm = data;

        /* --save-mark and --restore-mark without masks copy every bit. */
        cm->ctmask = UINT32_MAX;
        cm->nfmask = UINT32_MAX;
}

static int connmark_target_parse(ExtParse *p, void *data) {
        const ExtOption *opts = connmark_target_options;
        const size_t n = ELEMENTSOF(connmark_target_options);
        TargetConnmark *cm = data;
        uint64_t mask;

        switch (p->option->id) {
        case MARK_OPT_SET_XMARK:
        case MARK_OPT_SET_MARK:
        case MARK_OPT_AND_MARK:
        case MARK_OPT_OR_MARK:
        case MARK_OPT_XOR_MARK:
                if (check_exclusive(p, opts, n, CONNMARK_OPS) < 0)
                        return -EINVAL;
                cm->mode = CONNMARK_SET;
                return parse_xmark(p, &cm->value, &cm->ctmask);
        case MARK_OPT_SAVE_MARK:
        case MARK_OPT_RESTORE_MARK:
                if (check_exclusive(p, opts, n, CONNMARK_OPS) < 0)
                        return -EINVAL;
                cm->mode = p->option->id == MARK_OPT_SAVE_MARK ? CONNMARK_SAVE : CONNMARK_RESTORE;
                return 0;
        case MARK_OPT_LEFT_SHIFT_MARK:
        case MARK_OPT_RIGHT_SHIFT_MARK:
                return ext_error_code(p, DIAG_UNSUPPORTED, "CONNMARK --%s is not supported by nfwall",
                                      p->option->name);
        case MARK_OPT_CTMASK:
        case MARK_OPT_NFMASK:
        case MARK_OPT_MASK:
                if (check_exclusive(p, opts, n,
                                    p->option->id == MARK_OPT_MASK
                                            ? (1u << MARK_OPT_CTMASK) | (1u << MARK_OPT_NFMASK)
                                            : 1u << MARK_OPT_MASK) < 0)
                        return -EINVAL;
                if (ext_parse_uint(p, p->arg, UINT32_MAX, &mask) < 0)
                        return -EINVAL;
                /* In the order given, as iptables: a later --set-xmark V/M overrides --ctmask. */
                if (p->option->id != MARK_OPT_NFMASK)
                        cm->ctmask = (uint32_t)mask;
                if (p->option->id != MARK_OPT_CTMASK)
                        cm->nfmask = (uint32_t)mask;
                return 0;
        }
        return -EINVAL;
}

static int connmark_target_finish(ExtParse *p, void *data) {
        TargetConnmark *cm = data;

        if (!(p->seen & CONNMARK_OPS))
                return ext_error(p, "-j CONNMARK: no operation given (--set-xmark, --set-mark, --and-mark, "
                                    "--or-mark, --xor-mark, --save-mark or --restore-mark)");
        /* Setting ignores and never prints the nfmask: the rule must equal its saved form. */
        if (cm->mode == CONNMARK_SET)
                cm->nfmask = UINT32_MAX;
        return 0;
}

static void connmark_target_save(const void *data, ExtPrint *p) {
        const TargetConnmark *cm = data;
        StrBuf *b = p->buf;

        if (cm->mode == CONNMARK_SET) {
                print_xmark(b, cm->value, cm->ctmask);
                return;
        }
        strbuf_puts(b, cm->mode == CONNMARK_SAVE ? " --save-mark --nfmask " : " --restore-mark --nfmask ");
        strbuf_put_hex(b, cm->nfmask);
        strbuf_puts(b, " --ctmask ");
        strbuf_put_hex(b, cm->ctmask);
}

static void connmark_target_list(const void *data, ExtPrint *p) {
        const TargetConnmark *cm = data;
        StrBuf *b = p->buf;
        /* save: nfmask, then ~ctmask; restore: ctmask, then ~nfmask (libxt_CONNMARK's words). */
        uint32_t first = cm->mode == CONNMARK_SAVE ? cm->nfmask : cm->ctmask;
        uint32_t second = cm->mode == CONNMARK_SAVE ? cm->ctmask : cm->nfmask;

        if (cm->mode == CONNMARK_SET) {
                list_xmark(b, "CONNMARK", cm->value, cm->ctmask);
                return;
        }
        strbuf_puts(b, cm->mode == CONNMARK_SAVE ? " CONNMARK save" : " CONNMARK restore");
        if (first == UINT32_MAX && second == UINT32_MAX)
                return;
        if (first == second) {
                strbuf_puts(b, " mask ");
                strbuf_put_hex(b, first);
                return;
        }
        strbuf_puts(b, cm->mode == CONNMARK_SAVE ? " nfmask " : " ctmask ");
        strbuf_put_hex(b, first);
        strbuf_puts(b, cm->mode == CONNMARK_SAVE ? " ctmask ~" : " nfmask ~");
        strbuf_put_hex(b, second);
}

const Extension ext_target_connmark = {
        .name = "CONNMARK",
        .is_target = true,
        .type = TARGET_CONNMARK,
        .families = FAMILY_ANY,
        .tables = TABLE_ANY,
        .hooks = HOOK_ANY,
        .size = sizeof(TargetConnmark),
        .options = connmark_target_options,
        .n_options = ELEMENTSOF(connmark_target_options),
        .init = connmark_target_init,
        .parse = connmark_target_parse,
        .finish = connmark_target_finish,
        .save = connmark_target_save,
        .list = connmark_target_list,
};
