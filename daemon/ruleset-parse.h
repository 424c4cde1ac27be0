/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The one grammar: iptables-restore files and the iptables command
 * language. A line of a rules file ("-A INPUT -p tcp --dport 22 -j ACCEPT")
 * and the argv of "nfwallctl -A INPUT -p tcp --dport 22 -j ACCEPT" are both
 * read by command_parse(); a file is a sequence of such commands inside
 * "*table ... COMMIT" blocks, executed on the model by command_apply().
 *
 * The parser is reentrant and fed one line at a time; it reports every
 * bad line (recovering at the next) and yields a ruleset only when there
 * were no errors.
 */

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "ruleset.h"

typedef enum CommandType {
        COMMAND_APPEND,         /* -A */
        COMMAND_CHECK,          /* -C */
        COMMAND_DELETE,         /* -D */
        COMMAND_INSERT,         /* -I */
        COMMAND_REPLACE,        /* -R */
        COMMAND_LIST,           /* -L */
        COMMAND_LIST_RULES,     /* -S */
        COMMAND_FLUSH,          /* -F */
        COMMAND_ZERO,           /* -Z */
        COMMAND_NEW_CHAIN,      /* -N */
        COMMAND_DELETE_CHAIN,   /* -X */
        COMMAND_POLICY,         /* -P */
        COMMAND_RENAME_CHAIN,   /* -E */
        _COMMAND_TYPE_MAX,
        _COMMAND_TYPE_INVALID = -EINVAL,
} CommandType;

DECLARE_STRING_TABLE_LOOKUP(command_type, CommandType);

typedef enum CommandFlags {
        COMMAND_NUMERIC = 1u << 0,      /* -n */
        COMMAND_VERBOSE = 1u << 1,      /* -v */
        COMMAND_EXACT = 1u << 2,        /* -x */
        COMMAND_LINE_NUMBERS = 1u << 3, /* --line-numbers */
        COMMAND_HAS_TABLE = 1u << 4,    /* -t given */
        COMMAND_HAS_CHAIN = 1u << 5,
        COMMAND_HAS_RULENUM = 1u << 6,
        COMMAND_HAS_COUNTERS = 1u << 7, /* -c or [p:b] */
        COMMAND_IPV4 = 1u << 8,         /* -4 */
        COMMAND_IPV6 = 1u << 9,         /* -6 */
        COMMAND_LIST_ZERO = 1u << 10,   /* -L -Z: list, then zero the counters listed */
} CommandFlags;

typedef struct Command {
        CommandType type;
        unsigned flags;                 /* CommandFlags */
        TableType table;
        char chain[CHAIN_NAME_MAX + 1];
        char new_name[CHAIN_NAME_MAX + 1];      /* -E */
        Policy policy;                  /* -P */
        size_t rulenum;                 /* 1-based, COMMAND_HAS_RULENUM */
        Counters counters;              /* -P with -c, or the rule's */
        Rule *rule;                     /* -A -C -D (by specification) -I -R */
        SourceLoc loc;
} Command;

#define COMMAND_INIT ((Command){ .type = _COMMAND_TYPE_INVALID, .table = TABLE_FILTER })

void command_deinit(Command *c);

/* A token of a line: its text (unquoted) and where it started. */
typedef struct Token {
        const char *text;
        unsigned column;
        bool quoted;            /* any part was quoted or escaped: "!" is then an argument, not negation */
} Token;

typedef struct ParseContext {
        Family family;
        const char *file;               /* for diagnostics; must outlive the rules made */
        unsigned line;
        bool restore;                   /* inside a rules file: -t not allowed */
        TableType table;                /* the *table block, or -t's default */
        DiagList *diags;
        RuleScratch *scratch;           /* optional: where to build the rule before it is packed */
} ParseContext;

/* Tokens of one line; reused from line to line so a large file costs no allocation per line. */
typedef struct TokenBuffer {
        char *text;                     /* the unquoted token texts, NUL-separated */
        size_t text_cap;
        Token *tokens;
        size_t n_tokens;
        size_t tokens_cap;
} TokenBuffer;

#define TOKEN_BUFFER_INIT ((TokenBuffer){})

void token_buffer_deinit(TokenBuffer *b);

/*
 * Splits a line into tokens the way iptables-restore and a shell do: blanks
 * separate, "..." with backslash escapes, '...' literal. The tokens are valid
 * until the buffer is used again.
 */
int line_tokenize(const ParseContext *ctx, const char *line, size_t len, TokenBuffer *b);

/* One iptables command from tokens (no program name). 0, or -EINVAL after diagnostics. */
int command_parse(const ParseContext *ctx, const Token *tokens, size_t n, Command *ret);

/*
 * Executes a modifying command (-A -I -D -R -N -X -P -F -E -Z) on a table
 * of the model. Takes the command's rule on success. Errors are reported
 * at the command's location; -ENOENT for "no such rule" (so -C and -D
 * can tell), -EINVAL for everything else.
 */
int command_apply(Table *t, Command *c, DiagList *diags);

/* What a modifying command acts on. */
typedef struct CommandPlan {
        Chain *chain;           /* the chain named; NULL: every chain of the table (-F -Z -X without one) */
        size_t index;           /* -A -I: where the rule goes; -R -D -C, -Z N: the rule named (0-based) */
} CommandPlan;

/*
 * command_apply() in two steps, for runtime edits, where the kernel must
 * agree before the model changes: command_resolve() checks and finds
 * (changing nothing; the same errors as command_apply()), and
 * command_execute() carries it out (only -ENOMEM, changing nothing then).
 */
int command_resolve(Table *t, const Command *c, DiagList *diags, CommandPlan *ret);
int command_execute(Table *t, Command *c, const CommandPlan *plan);

/* For the tests: the core option table is sorted for bsearch(). */
bool core_options_sorted(void);

/* Finds the rule a -C/-D-by-specification names: its index, or -ENOENT. */
ssize_t chain_find_rule(const Chain *c, const Rule *spec);

typedef struct RulesetParser RulesetParser;

int ruleset_parser_new(Family family, const char *file, DiagList *diags, RulesetParser **ret);
RulesetParser *ruleset_parser_free(RulesetParser *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(RulesetParser *, ruleset_parser_free);
/* One line without its newline. Errors go to the diagnostics; only allocation failure is returned. */
int ruleset_parser_feed_line(RulesetParser *p, const char *line, size_t len);
/* Ends the input, runs the checker; hands out the ruleset when nothing was wrong (-EINVAL otherwise). */
int ruleset_parser_finish(RulesetParser *p, Ruleset **ret);

/* Whole inputs. path "-" is stdin. */
int ruleset_parse_file(const char *path, Family family, DiagList *diags, Ruleset **ret);
int ruleset_parse_string(const char *text, size_t len, const char *name, Family family, DiagList *diags,
                         Ruleset **ret);
/* Adds to an existing ruleset (the other family of the same Ruleset). */
int ruleset_parse_file_into(Ruleset *rs, const char *path, Family family, DiagList *diags);
