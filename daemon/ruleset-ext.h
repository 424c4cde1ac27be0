/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Extensions: the matches (-m NAME) and targets (-j NAME) the grammar
 * knows. Each extension describes its options and brings the code that
 * turns their arguments into its typed payload and prints the payload
 * back, in iptables-save form and in iptables -L form. The grammar
 * (ruleset-parse) drives them; the printer (ruleset-print) calls them;
 * nothing else parses or prints an extension.
 *
 * The table of all extensions, and of the iptables extensions we refuse
 * by name, lives in ruleset-ext.c.
 */

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "ruleset.h"
#include "strbuf.h"

typedef enum ExtOptionFlags {
        EXT_OPT_ARG = 1u << 0,          /* takes one argument */
        EXT_OPT_ARG2 = 1u << 1,         /* takes two arguments (--tcp-flags MASK COMP) */
        EXT_OPT_INVERT = 1u << 2,       /* may be preceded by "!" */
        EXT_OPT_MULTI = 1u << 3,        /* may be given more than once */
} ExtOptionFlags;

typedef struct ExtOption {
        const char *name;               /* without the leading "--" */
        uint8_t id;                     /* < 32: bit in ExtParse.seen */
        uint8_t flags;                  /* ExtOptionFlags */
} ExtOption;

/*
 * What an extension's parse and finish callbacks get: the option and its
 * argument(s), where they stand, the rule as parsed so far, and the
 * diagnostics list to report into (through ext_error()).
 */
typedef struct ExtParse {
        const ExtOption *option;        /* NULL in finish() */
        const char *arg;                /* first argument, NULL if none */
        const char *arg2;               /* second argument (EXT_OPT_ARG2) */
        bool invert;
        Family family;
        TableType table;
        const Rule *rule;               /* in finish(): complete, -p included */
        uint32_t seen;                  /* option ids given so far to this instance */
        SourceLoc loc;                  /* of the option (or, in finish(), of "-m"/"-j") */
        SourceLoc arg_loc;              /* of the argument */
        DiagList *diags;
} ExtParse;

typedef struct ExtPrint {
        StrBuf *buf;
        Family family;
        bool numeric;                   /* -L -n: no service names */
} ExtPrint;

struct Extension {
        const char *name;               /* as after -m / -j */
        const char *list_name;          /* -L's target column, where it differs (NOTRACK shows as CT) */
        bool is_target;
        unsigned type;                  /* MatchType or TargetType */
        uint8_t families;               /* FAMILY_BIT()s */
        uint16_t tables;                /* TABLE_BIT()s where allowed */
        uint16_t hooks;                 /* HOOK_BIT()s from which it may be reached */
        /* Optional: narrows .hooks for this payload (e.g. addrtype --limit-iface-in is not for OUTPUT). */
        unsigned (*payload_hooks)(const void *data);
        size_t size;                    /* payload size */
        const ExtOption *options;
        size_t n_options;
        /* Optional: set defaults in the zeroed payload. */
        void (*init)(void *data);
        /* One option: 0, or a negative errno after ext_error(). */
        int (*parse)(ExtParse *p, void *data);
        /* After the rule: required options, -p requirements, normalisation. Optional. */
        int (*finish)(ExtParse *p, void *data);
        /*
         * Optional: bytes of the payload in use, for payloads with a large
         * string buffer at their end (comment). The rest is never stored,
         * so it must be zero and must not be read.
         */
        size_t (*used_size)(const void *data);
        /* The options in iptables-save order, each preceded by a space (the printer wrote "-m NAME"). */
        void (*save)(const void *data, ExtPrint *p);
        /* The options as iptables -L shows them, each preceded by a space. */
        void (*list)(const void *data, ExtPrint *p);
};

/* Registry */
const Extension *extension_find_match(const char *name);
const Extension *extension_find_target(const char *name);
const Extension *extension_by_match_type(MatchType type);
const Extension *extension_by_target_type(TargetType type);
/* For iptables extensions nfwall refuses: a reason to show, else NULL. */
const char *extension_unsupported_reason(const char *name, bool target);
/* Option lookup: exact name first, then an unambiguous prefix. -ENOENT, -EADDRINUSE (ambiguous). */
int extension_find_option(const Extension *ext, const char *name, const ExtOption **ret);

/* Reporting from callbacks: adds an error at arg_loc (or loc) and returns -EINVAL. */
int ext_error(ExtParse *p, const char *fmt, ...) _printf_(2, 3);
int ext_error_code(ExtParse *p, DiagCode code, const char *fmt, ...) _printf_(3, 4);
/* A warning at arg_loc (or loc): the rule is kept. 0, or -ENOMEM. */
int ext_warning(ExtParse *p, DiagCode code, const char *fmt, ...) _printf_(3, 4);
static inline bool ext_seen(const ExtParse *p, unsigned id) {
        return p->seen & (1u << id);
}

/*
 * Value parsers shared by extensions; each returns 0 or -EINVAL after
 * reporting what is wrong with p->arg.
 */
int ext_parse_uint(ExtParse *p, const char *s, uint64_t max, uint64_t *ret);   /* decimal or 0x hex */
int ext_parse_port(ExtParse *p, const char *s, uint16_t *ret);                 /* number or service name */
/* "a", "a:b", ":b", "a:", ":" as iptables reads port ranges. */
int ext_parse_port_range(ExtParse *p, const char *s, PortRange *ret);
/* "value[/mask]"; mask defaults to all ones of max. */
int ext_parse_value_mask(ExtParse *p, const char *s, uint32_t max, uint32_t *ret_value, uint32_t *ret_mask);
/* Address with optional /prefix or /mask for p->family; host bits cleared. */
int ext_parse_addr_mask(ExtParse *p, const char *s, AddrMask *ret);
int ext_parse_addr(ExtParse *p, const char *s, Addr *ret);
/* "a" or "a-b" (uids, gids, lengths). */
int ext_parse_u32_range(ExtParse *p, const char *s, char sep, uint32_t *ret_min, uint32_t *ret_max);

/* Printers shared by extensions. */
void ext_print_option(ExtPrint *p, bool invert, const char *name);     /* " [! ]--name" */
void ext_print_addr(ExtPrint *p, const Addr *a);
/* "addr/prefix", or "addr/mask" where the mask is not contiguous. */
void ext_print_addr_mask(ExtPrint *p, const AddrMask *am);
void ext_print_port_range(ExtPrint *p, const PortRange *r, char sep);   /* "a" or "a<sep>b" */
