/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The model: Ruleset → Table → Chain → Rule → matches, target.
 *
 * One model for every stage: the parser and the decompiler fill it, the
 * checker, the compiler and the printer read it. Every node keeps the
 * source location it came from. Match and target payloads are typed
 * structs defined next to their extension (ext-*.h); the model only
 * stores them, zero-initialised and normalised, so two equal rules
 * compare equal byte for byte (what -C and -D by specification rely on).
 */

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "diag.h"
#include "macro.h"

typedef enum Family {
        FAMILY_IPV4,
        FAMILY_IPV6,
        _FAMILY_MAX,
        _FAMILY_INVALID = -EINVAL,
} Family;

typedef enum TableType {
        TABLE_FILTER,
        TABLE_NAT,
        TABLE_MANGLE,
        TABLE_RAW,
        TABLE_SECURITY,
        _TABLE_TYPE_MAX,
        _TABLE_TYPE_INVALID = -EINVAL,
} TableType;

/* In the order iptables lists built-in chains. */
typedef enum Hook {
        HOOK_PREROUTING,
        HOOK_INPUT,
        HOOK_FORWARD,
        HOOK_OUTPUT,
        HOOK_POSTROUTING,
        _HOOK_MAX,
        _HOOK_INVALID = -EINVAL,
} Hook;

typedef enum Policy {
        POLICY_ACCEPT,
        POLICY_DROP,
        _POLICY_MAX,
        _POLICY_INVALID = -EINVAL,
} Policy;

#define FAMILY_BIT(f) (1u << (f))
#define FAMILY_ANY (FAMILY_BIT(FAMILY_IPV4) | FAMILY_BIT(FAMILY_IPV6))
#define TABLE_BIT(t) (1u << (t))
#define TABLE_ANY ((1u << _TABLE_TYPE_MAX) - 1)
#define HOOK_BIT(h) (1u << (h))
#define HOOK_ANY ((1u << _HOOK_MAX) - 1)

/* iptables' limits: XT_EXTENSION_MAXNAMELEN, IFNAMSIZ, xt_comment. */
#define CHAIN_NAME_MAX 28
#define IFACE_NAME_MAX (IFNAMSIZ - 1)

typedef enum MatchType {
        MATCH_TCP,
        MATCH_UDP,
        MATCH_ICMP,
        MATCH_ICMP6,
        MATCH_MULTIPORT,
        MATCH_CONNTRACK,
        MATCH_STATE,
        MATCH_MARK,
        MATCH_CONNMARK,
        MATCH_LIMIT,
        MATCH_COMMENT,
        MATCH_IPRANGE,
        MATCH_ADDRTYPE,
        MATCH_MAC,
        MATCH_PKTTYPE,
        MATCH_LENGTH,
        MATCH_TTL,
        MATCH_HL,
        MATCH_TOS,
        MATCH_DSCP,
        MATCH_OWNER,
        _MATCH_TYPE_MAX,
        _MATCH_TYPE_INVALID = -EINVAL,
} MatchType;

typedef enum TargetType {
        TARGET_ACCEPT,
        TARGET_DROP,
        TARGET_RETURN,
        TARGET_JUMP,            /* -j CHAIN */
        TARGET_GOTO,            /* -g CHAIN */
        TARGET_REJECT,
        TARGET_LOG,
        TARGET_NFLOG,
        TARGET_SNAT,
        TARGET_DNAT,
        TARGET_MASQUERADE,
        TARGET_REDIRECT,
        TARGET_NETMAP,
        TARGET_CT,
        TARGET_NOTRACK,
        TARGET_MARK,
        TARGET_CONNMARK,
        TARGET_TCPMSS,
        TARGET_TOS,
        TARGET_DSCP,
        TARGET_TTL,
        TARGET_HL,
        _TARGET_TYPE_MAX,
        _TARGET_TYPE_INVALID = -EINVAL,
} TargetType;

typedef struct Counters {
        uint64_t packets;
        uint64_t bytes;
} Counters;

typedef union Addr {
        struct in_addr in;
        struct in6_addr in6;
        uint8_t bytes[16];
        uint32_t words[4];
} Addr;

typedef struct AddrMask {
        Addr addr;
        Addr mask;
} AddrMask;

typedef struct PortRange {
        uint16_t min;
        uint16_t max;
} PortRange;

typedef struct Extension Extension;

/*
 * A match or a target: the extension that owns the payload, the column
 * of its name (after "-m"/"-j", or of the option that loaded it
 * implicitly) in the source line, then the payload itself, sized by the
 * extension (ext->size) and always fully zero-initialised.
 */
typedef struct Match {
        struct Match *next;
        const Extension *ext;
        unsigned column;
        uint32_t size;                  /* payload bytes stored: ext->size, or less (ext->used_size) */
        uint8_t data[] __attribute__((aligned(8)));
} Match;

typedef struct Target {
        const Extension *ext;
        unsigned column;
        uint32_t size;
        uint8_t data[] __attribute__((aligned(8)));
} Target;

/* Payload of TARGET_JUMP and TARGET_GOTO. */
typedef struct TargetChain {
        char chain[CHAIN_NAME_MAX + 1];
} TargetChain;

typedef enum RuleFlags {
        RULE_INV_SRC = 1u << 0,
        RULE_INV_DST = 1u << 1,
        RULE_INV_IN = 1u << 2,
        RULE_INV_OUT = 1u << 3,
        RULE_INV_PROTO = 1u << 4,
        RULE_FRAGMENT = 1u << 5,        /* -f (IPv4 only) */
        RULE_INV_FRAGMENT = 1u << 6,
        RULE_HAS_PROTO = 1u << 7,       /* -p given (and not "all") */
        RULE_HAS_SRC = 1u << 8,         /* -s given: distinguishes -s 0.0.0.0/0 from none */
        RULE_HAS_DST = 1u << 9,
} RuleFlags;

typedef struct Rule {
        SourceLoc loc;
        Counters counters;
        AddrMask src;
        AddrMask dst;
        char iniface[IFNAMSIZ];
        char outiface[IFNAMSIZ];
        uint16_t flags;                 /* RuleFlags */
        uint8_t proto;
        bool packed;                    /* matches and target live in this rule's own allocation */
        bool in_scratch;                /* built in a RuleScratch: freed with it, never on its own */
        Match *matches;                 /* in the order given: iptables-save keeps it */
        Target *target;                 /* NULL: no target (a counting rule) */
        uint64_t handle;                /* kernel rule handle, 0 = not in the kernel */
        /*
         * Read back from the kernel but not a rule nfwall wrote (or one changed
         * since): what the kernel holds, in nft's words. Printed as such, never
         * as an iptables rule. Owned.
         */
        char *foreign;
} Rule;

typedef struct Table Table;

typedef struct Chain {
        char name[CHAIN_NAME_MAX + 1];
        bool builtin;
        Hook hook;                      /* builtin only */
        Policy policy;                  /* builtin only */
        Counters counters;              /* builtin only: the policy's counters */
        uint64_t handle;                /* kernel chain handle, 0 = not known */
        SourceLoc loc;
        Table *table;
        Rule **rules;
        size_t n_rules;
        size_t n_allocated;
} Chain;

struct Table {
        Family family;
        TableType type;
        SourceLoc loc;
        /* Built-in chains first in hook order, then user chains sorted by name. */
        Chain **chains;
        size_t n_chains;
        size_t n_allocated;
};

typedef struct Ruleset {
        Table *tables[_FAMILY_MAX][_TABLE_TYPE_MAX];
        /* File names every SourceLoc.file of this ruleset points into. */
        char **files;
        size_t n_files;
} Ruleset;

/* Ruleset */
int ruleset_new(Ruleset **ret);
Ruleset *ruleset_free(Ruleset *rs);
DEFINE_TRIVIAL_CLEANUP_FUNC(Ruleset *, ruleset_free);
/* Interns a file name; the returned pointer lives as long as the ruleset. */
const char *ruleset_intern_file(Ruleset *rs, const char *file);
Table *ruleset_get_table(const Ruleset *rs, Family family, TableType type);
/* Creates the table with its built-in chains (policy ACCEPT) if it does not exist. */
int ruleset_ensure_table(Ruleset *rs, Family family, TableType type, const SourceLoc *loc, Table **ret);
/* Replaces the table with an empty one (its built-in chains only). */
int ruleset_reset_table(Ruleset *rs, Family family, TableType type, const SourceLoc *loc, Table **ret);
void ruleset_remove_table(Ruleset *rs, Family family, TableType type);
size_t ruleset_count_rules(const Ruleset *rs);

/* Table */
Table *table_free(Table *t);
Chain *table_find_chain(const Table *t, const char *name);
/* Its index in t->chains, or -ENOENT. */
ssize_t table_find_chain_index(const Table *t, const char *name);
/* Adds a user chain at its sorted place; -EEXIST if a chain of that name exists. */
int table_add_chain(Table *t, const char *name, const SourceLoc *loc, Chain **ret);
/* Removes and frees a user chain. */
int table_remove_chain(Table *t, Chain *c);
int table_rename_chain(Table *t, Chain *c, const char *name);
/* Number of rules in the table that jump or go to the chain. */
size_t table_count_references(const Table *t, const char *chain);
bool table_has_builtin(TableType type, Hook hook);

/* Chain */
/* Inserts at position (0-based); position == n_rules appends. Takes ownership on success. */
int chain_insert_rule(Chain *c, size_t position, Rule *r);
/* Removes the rule at position and returns it (caller owns). */
Rule *chain_take_rule(Chain *c, size_t position);
void chain_flush(Chain *c);

/* Rule */
int rule_new(Rule **ret);
Rule *rule_free(Rule *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(Rule *, rule_free);
/* A packed copy: the rule, its matches and its target in one allocation. */
int rule_dup(const Rule *r, Rule **ret);
/* Same specification (everything but location, counters and handle). */
bool rule_equal(const Rule *a, const Rule *b);
/*
 * Building a rule: matches and the target are added one allocation each.
 * rule_pack() then moves the whole rule into one allocation, keeping only
 * the payload bytes in use (ext->used_size): a finished rule is packed,
 * which is what keeps 100k rules small and quick to walk. A packed rule
 * takes no more matches.
 */
int rule_add_match(Rule *r, const Extension *ext, unsigned column, Match **ret);
int rule_set_target(Rule *r, const Extension *ext, unsigned column, Target **ret);
int rule_pack(Rule **r);

/*
 * Where a parser builds rules before rule_pack(): one buffer, reset for
 * each rule, so that reading a large file costs one allocation per rule
 * rather than one per match. A rule made here is never freed on its own.
 */
typedef struct RuleScratch {
        uint8_t *data;
        size_t size;
        size_t used;
} RuleScratch;

#define RULE_SCRATCH_INIT ((RuleScratch){})

void rule_scratch_deinit(RuleScratch *s);
/* Resets the scratch area and makes an empty rule in it; its matches and target go there too. */
int rule_new_in_scratch(RuleScratch *s, Rule **ret);
const Match *rule_find_match(const Rule *r, MatchType type);

Match *match_free(Match *m);
Target *target_free(Target *t);

static inline void *match_data(const Match *m) {
        return (void *)m->data;
}

static inline void *target_data(const Target *t) {
        return (void *)t->data;
}

/* The prefix length of a mask of ones then zeros (/24: 24), or -1. */
int addr_mask_prefix(Family family, const Addr *mask) _pure_;

static inline size_t family_addr_len(Family f) {
        return f == FAMILY_IPV6 ? 16 : 4;
}
