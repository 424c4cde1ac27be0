/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ruleset-parse: text → model. Tokenizes a line like a shell, reads one
 * iptables command from the tokens (core options here, extension options
 * through their descriptors), and runs rules files block by block. Errors
 * are diagnostics with file:line:column; the caller sees a ruleset only
 * when there were none.
 */

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ruleset-check.h"
#include "ruleset-ext.h"
#include "ruleset-names.h"
#include "ruleset-parse.h"

static const char *const command_type_table[_COMMAND_TYPE_MAX] = {
        [COMMAND_APPEND] = "-A",
        [COMMAND_CHECK] = "-C",
        [COMMAND_DELETE] = "-D",
        [COMMAND_INSERT] = "-I",
        [COMMAND_REPLACE] = "-R",
        [COMMAND_LIST] = "-L",
        [COMMAND_LIST_RULES] = "-S",
        [COMMAND_FLUSH] = "-F",
        [COMMAND_ZERO] = "-Z",
        [COMMAND_NEW_CHAIN] = "-N",
        [COMMAND_DELETE_CHAIN] = "-X",
        [COMMAND_POLICY] = "-P",
        [COMMAND_RENAME_CHAIN] = "-E",
};
DEFINE_STRING_TABLE_LOOKUP(command_type, CommandType);

void command_deinit(Command *c) {
        if (!c)
                return;
        c->rule = rule_free(c->rule);
}

/* Tokenizer */

void token_buffer_deinit(TokenBuffer *b) {
        free(b->text);
        free(b->tokens);
        *b = TOKEN_BUFFER_INIT;
}

/* Characters that end a run of plain token text. */
static const bool token_special[256] = {
        [' '] = true, ['\t'] = true, ['\r'] = true, ['\n'] = true, ['"'] = true, ['\''] = true, ['\\'] = true,
};

static bool is_blank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int line_tokenize(const ParseContext *ctx, const char *line, size_t len, TokenBuffer *b) {
        size_t n = 0, o = 0, i = 0;

        /* Unquoting never makes text longer: len + one NUL per token fits. */
        if (b->text_cap < 2 * len + 1) {
                char *t = realloc(b->text, 2 * len + 1);
                if (!t)
                        return -ENOMEM;
                b->text = t;
                b->text_cap = 2 * len + 1;
        }
        b->n_tokens = 0;

        while (i < len) {
                char quote = 0;
                unsigned column;
                bool quoted = false;
                size_t start;

                while (i < len && is_blank(line[i]))
                        i++;
                if (i >= len)
                        break;

                column = (unsigned)i + 1;
                start = o;
                for (;;) {
                        size_t run = i;

                        if (!quote) {
                                while (run < len && !token_special[(unsigned char)line[run]])
                                        run++;
                                memcpy(b->text + o, line + i, run - i);
                                o += run - i;
                                i = run;
                        }
                        if (i >= len)
                                break;
                        char c = line[i];
                        if (quote == '\'') {
                                if (c == '\'')
                                        quote = 0;
                                else
                                        b->text[o++] = c;
                        } else if (quote == '"') {
                                if (c == '\\' && i + 1 < len)
                                        b->text[o++] = line[++i];
                                else if (c == '"')
                                        quote = 0;
                                else
                                        b->text[o++] = c;
                        } else if (c == '"' || c == '\'') {
                                quote = c;
                                quoted = true;
                        } else if (c == '\\' && i + 1 < len) {
                                b->text[o++] = line[++i];
                                quoted = true;
                        } else if (is_blank(c))
                                break;
                        else
                                b->text[o++] = c; /* a lone trailing backslash */
                        i++;
                }
                if (quote) {
                        SourceLoc loc = { ctx->file, ctx->line, column };
                        int r = diag_list_add(ctx->diags, DIAG_ERROR, DIAG_SYNTAX, &loc, "unterminated %s quote",
                                              quote == '"' ? "double" : "single");
                        return r < 0 ? r : -EINVAL;
                }
                b->text[o++] = 0;

                if (n == b->tokens_cap) {
                        size_t k = b->tokens_cap ? b->tokens_cap * 2 : 32;
                        Token *t = reallocarray(b->tokens, k, sizeof(Token));
                        if (!t)
                                return -ENOMEM;
                        b->tokens = t;
                        b->tokens_cap = k;
                }
                /* an offset for now: b->text is final only after the loop */
                b->tokens[n++] = (Token){ (const char *)(uintptr_t)start, column, quoted };
        }

        for (size_t k = 0; k < n; k++)
                b->tokens[k].text = b->text + (uintptr_t)b->tokens[k].text;
        b->n_tokens = n;
        return 0;
}

/* Core options */

typedef enum CoreOption {
        OPT_APPEND,
        OPT_CHECK,
        OPT_DELETE,
        OPT_INSERT,
        OPT_REPLACE,
        OPT_LIST,
        OPT_LIST_RULES,
        OPT_FLUSH,
        OPT_ZERO,
        OPT_NEW_CHAIN,
        OPT_DELETE_CHAIN,
        OPT_POLICY,
        OPT_RENAME_CHAIN,
        OPT_SOURCE,
        OPT_DESTINATION,
        OPT_PROTOCOL,
        OPT_IN_INTERFACE,
        OPT_OUT_INTERFACE,
        OPT_FRAGMENT,
        OPT_JUMP,
        OPT_GOTO,
        OPT_MATCH,
        OPT_SET_COUNTERS,
        OPT_TABLE,
        OPT_NUMERIC,
        OPT_VERBOSE,
        OPT_EXACT,
        OPT_LINE_NUMBERS,
        OPT_IPV4,
        OPT_IPV6,
        OPT_WAIT,
        OPT_WAIT_INTERVAL,
        _OPT_MAX,
} CoreOption;

typedef struct CoreOptionInfo {
        const char *name;
        char short_name;
        CoreOption id;
        bool has_arg;
        bool invertible;
} CoreOptionInfo;

/*
 * Sorted by long name, for bsearch(): most long options of a rules file
 * are an extension's, so a miss here must be cheap. test-ruleset-parse
 * checks the order. The ids of the commands are their CommandType.
 */
static const CoreOptionInfo core_options[] = {
        { "append", 'A', OPT_APPEND, true, false },
        { "check", 'C', OPT_CHECK, true, false },
        { "delete", 'D', OPT_DELETE, true, false },
        { "delete-chain", 'X', OPT_DELETE_CHAIN, false, false },
        { "destination", 'd', OPT_DESTINATION, true, true },
        { "dst", 0, OPT_DESTINATION, true, true },
        { "exact", 'x', OPT_EXACT, false, false },
        { "flush", 'F', OPT_FLUSH, false, false },
        { "fragment", 'f', OPT_FRAGMENT, false, true },
        { "goto", 'g', OPT_GOTO, true, false },
        { "in-interface", 'i', OPT_IN_INTERFACE, true, true },
        { "insert", 'I', OPT_INSERT, true, false },
        { "ipv4", '4', OPT_IPV4, false, false },
        { "ipv6", '6', OPT_IPV6, false, false },
        { "jump", 'j', OPT_JUMP, true, false },
        { "line-numbers", 0, OPT_LINE_NUMBERS, false, false },
        { "list", 'L', OPT_LIST, false, false },
        { "list-rules", 'S', OPT_LIST_RULES, false, false },
        { "match", 'm', OPT_MATCH, true, false },
        { "new", 0, OPT_NEW_CHAIN, true, false },
        { "new-chain", 'N', OPT_NEW_CHAIN, true, false },
        { "numeric", 'n', OPT_NUMERIC, false, false },
        { "out-interface", 'o', OPT_OUT_INTERFACE, true, true },
        { "policy", 'P', OPT_POLICY, true, false },
        { "protocol", 'p', OPT_PROTOCOL, true, true },
        { "rename-chain", 'E', OPT_RENAME_CHAIN, true, false },
        { "replace", 'R', OPT_REPLACE, true, false },
        { "set-counters", 'c', OPT_SET_COUNTERS, true, false },
        { "source", 's', OPT_SOURCE, true, true },
        { "src", 0, OPT_SOURCE, true, true },
        { "table", 't', OPT_TABLE, true, false },
        { "verbose", 'v', OPT_VERBOSE, false, false },
        { "wait", 'w', OPT_WAIT, false, false },
        { "wait-interval", 'W', OPT_WAIT_INTERVAL, true, false },
        { "zero", 'Z', OPT_ZERO, false, false },
};

static const CoreOptionInfo *core_option_by_short(char c) {
        for (size_t i = 0; i < ELEMENTSOF(core_options); i++)
                if (core_options[i].short_name == c)
                        return &core_options[i];
        return NULL;
}

static int core_option_key_compare(const void *key, const void *elem) {
        return strcmp(key, ((const CoreOptionInfo *)elem)->name);
}

static const CoreOptionInfo *core_option_exact(const char *name) {
        return bsearch(name, core_options, ELEMENTSOF(core_options), sizeof(CoreOptionInfo), core_option_key_compare);
}

bool core_options_sorted(void) {
        for (size_t i = 1; i < ELEMENTSOF(core_options); i++)
                if (strcmp(core_options[i - 1].name, core_options[i].name) >= 0)
                        return false;
        return true;
}

/* Parser state of one command */

#define EXT_INSTANCES_MAX 32

typedef struct ExtInstance {
        const Extension *ext;
        void *data;
        uint32_t seen;
        SourceLoc loc;
} ExtInstance;

typedef struct CommandParser {
        const ParseContext *ctx;
        const Token *tokens;
        size_t n_tokens;
        size_t pos;
        Command *cmd;
        Rule *rule;
        bool has_command;
        unsigned rule_options;          /* CoreOption bits of rule-specification options given */
        ExtInstance instances[EXT_INSTANCES_MAX];       /* the target, if any, is instances[0] */
        size_t n_instances;
        bool has_target;
        SourceLoc target_loc;
} CommandParser;

static SourceLoc parser_loc(const CommandParser *p, const Token *t) {
        return (SourceLoc){ p->ctx->file, p->ctx->line, t ? t->column : 0 };
}

static int parser_error(CommandParser *p, const Token *t, DiagCode code, const char *fmt, ...) _printf_(4, 5);
static int parser_error(CommandParser *p, const Token *t, DiagCode code, const char *fmt, ...) {
        SourceLoc loc = parser_loc(p, t);
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = diag_list_addv(p->ctx->diags, DIAG_ERROR, code, &loc, fmt, ap);
        va_end(ap);
        return r < 0 ? r : -EINVAL;
}

static bool token_is_bang(const Token *t) {
        return !t->quoted && streq(t->text, "!");
}

static bool token_is_option(const char *s) {
        return s[0] == '-' && s[1] != 0 && !(s[1] >= '0' && s[1] <= '9');
}

/* iptables-save writes chain names bare: only names that read back the same are allowed. */
static bool chain_name_printable(const char *name) {
        return !name[strcspn(name, " \t\r\n\"'\\")];
}

static int parse_chain_name(CommandParser *p, const Token *t, char *ret) {
        size_t len = strlen(t->text);

        if (len == 0)
                return parser_error(p, t, DIAG_SYNTAX, "empty chain name");
        if (len > CHAIN_NAME_MAX)
                return parser_error(p, t, DIAG_SYNTAX, "chain name \"%s\" is longer than %d characters", t->text,
                                    CHAIN_NAME_MAX);
        if (t->text[0] == '-' || t->text[0] == '!')
                return parser_error(p, t, DIAG_SYNTAX, "chain name \"%s\" may not start with '%c'", t->text,
                                    t->text[0]);
        if (!chain_name_printable(t->text))
                return parser_error(p, t, DIAG_SYNTAX, "chain name \"%s\" may not contain blanks, quotes or backslashes",
                                    t->text);
        strcpy(ret, t->text);
        return 0;
}

static bool token_is_number(const Token *t) {
        const char *s = t->text;

        if (!*s)
                return false;
        for (; *s; s++)
                if (!isdigit((unsigned char)*s))
                        return false;
        return true;
}

static int parse_rulenum(CommandParser *p, const Token *t, size_t *ret) {
        char *end;
        unsigned long v;

        errno = 0;
        v = strtoul(t->text, &end, 10);
        if (!isdigit((unsigned char)t->text[0]) || *end || errno || v == 0 || v > UINT32_MAX)
                return parser_error(p, t, DIAG_SYNTAX, "\"%s\" is not a rule number (1, 2, ...)", t->text);
        *ret = v;
        return 0;
}

static const Token *parser_peek(const CommandParser *p) {
        return p->pos < p->n_tokens ? &p->tokens[p->pos] : NULL;
}

/* An optional argument of a command: the next token when it is not an option. */
static const Token *parser_take_optional(CommandParser *p) {
        const Token *t = parser_peek(p);

        if (!t || token_is_option(t->text) || token_is_bang(t))
                return NULL;
        p->pos++;
        return t;
}

static int parser_set_command(CommandParser *p, const Token *t, CommandType type, const char *arg,
                              const Token *arg_token) {
        Command *c = p->cmd;
        const Token *extra;
        Token chain_token;
        int r;

        if (p->has_command) {
                /* iptables' one pair: -L -Z lists, then zeroes what it listed */
                if (!p->ctx->restore && !(c->flags & COMMAND_LIST_ZERO) &&
                    ((c->type == COMMAND_LIST && type == COMMAND_ZERO) ||
                     (c->type == COMMAND_ZERO && type == COMMAND_LIST))) {
                        c->type = COMMAND_LIST;
                        c->flags |= COMMAND_LIST_ZERO;
                        arg_token = parser_take_optional(p);
                        if (!arg_token)
                                return 0;
                        if (c->flags & COMMAND_HAS_CHAIN)
                                return parser_error(p, arg_token, DIAG_SYNTAX, "-L -Z take one chain, not two");
                        r = parse_chain_name(p, arg_token, c->chain);
                        if (r < 0)
                                return r;
                        c->flags |= COMMAND_HAS_CHAIN;
                        return 0;
                }
                return parser_error(p, t, DIAG_SYNTAX, "only one command per line: %s and %s",
                                    command_type_to_string(c->type), command_type_to_string(type));
        }
        p->has_command = true;
        c->type = type;
        c->loc = parser_loc(p, t);

        if (arg) {
                chain_token = (Token){ arg, arg_token ? arg_token->column : t->column };
                arg_token = &chain_token;
        } else if (type != COMMAND_LIST && type != COMMAND_LIST_RULES && type != COMMAND_FLUSH &&
                   type != COMMAND_ZERO && type != COMMAND_DELETE_CHAIN)
                return parser_error(p, t, DIAG_SYNTAX, "%s needs a chain name", command_type_to_string(type));
        else
                arg_token = parser_take_optional(p);

        if (arg_token) {
                r = parse_chain_name(p, arg_token, c->chain);
                if (r < 0)
                        return r;
                c->flags |= COMMAND_HAS_CHAIN;
        }

        switch (type) {
        case COMMAND_INSERT:
        case COMMAND_LIST:
        case COMMAND_LIST_RULES:
        case COMMAND_ZERO:
                /* optional rule number */
                extra = parser_peek(p);
                if (extra && (c->flags & COMMAND_HAS_CHAIN) && token_is_number(extra)) {
                        p->pos++;
                        r = parse_rulenum(p, extra, &c->rulenum);
                        if (r < 0)
                                return r;
                        c->flags |= COMMAND_HAS_RULENUM;
                }
                break;
        case COMMAND_DELETE:
                extra = parser_peek(p);
                if (extra && token_is_number(extra)) {
                        p->pos++;
                        r = parse_rulenum(p, extra, &c->rulenum);
                        if (r < 0)
                                return r;
                        c->flags |= COMMAND_HAS_RULENUM;
                }
                break;
        case COMMAND_REPLACE:
                extra = parser_take_optional(p);
                if (!extra)
                        return parser_error(p, t, DIAG_SYNTAX, "-R needs a rule number after the chain");
                r = parse_rulenum(p, extra, &c->rulenum);
                if (r < 0)
                        return r;
                c->flags |= COMMAND_HAS_RULENUM;
                break;
        case COMMAND_POLICY:
                extra = parser_take_optional(p);
                if (!extra)
                        return parser_error(p, t, DIAG_SYNTAX, "-P needs a policy (ACCEPT or DROP)");
                c->policy = policy_from_string(extra->text);
                if ((int)c->policy < 0)
                        return parser_error(p, extra, DIAG_SYNTAX,
                                            "\"%s\" is not a policy: built-in chains take ACCEPT or DROP",
                                            extra->text);
                break;
        case COMMAND_RENAME_CHAIN:
                extra = parser_take_optional(p);
                if (!extra)
                        return parser_error(p, t, DIAG_SYNTAX, "-E needs the old and the new chain name");
                r = parse_chain_name(p, extra, c->new_name);
                if (r < 0)
                        return r;
                break;
        case COMMAND_APPEND:
        case COMMAND_CHECK:
        case COMMAND_FLUSH:
        case COMMAND_NEW_CHAIN:
        case COMMAND_DELETE_CHAIN:
        case _COMMAND_TYPE_MAX:
        case _COMMAND_TYPE_INVALID:
                break;
        }
        return 0;
}

static int parse_iface(CommandParser *p, const Token *t, const char *arg, bool invert, bool in) {
        size_t len = strlen(arg);
        char *dst = in ? p->rule->iniface : p->rule->outiface;

        if (len == 0 || len > IFACE_NAME_MAX)
                return parser_error(p, t, DIAG_SYNTAX, "interface name \"%s\" must have 1 to %d characters", arg,
                                    IFACE_NAME_MAX);
        for (const char *s = arg; *s; s++)
                if (*s == '/' || *s == ' ' || (*s == '+' && s[1]))
                        return parser_error(p, t, DIAG_SYNTAX, "invalid interface name \"%s\"", arg);
        /* "-i +" matches every interface: iptables drops it. "! -i +" stays. */
        if (streq(arg, "+") && !invert)
                return 0;
        strcpy(dst, arg);
        if (invert)
                p->rule->flags |= in ? RULE_INV_IN : RULE_INV_OUT;
        return 0;
}

static bool is_zero_mask(const AddrMask *am) {
        static const Addr zero;
        return memcmp(&am->mask, &zero, sizeof(zero)) == 0;
}

static int parse_addr_option(CommandParser *p, const Token *t, const char *arg, bool invert, bool src) {
        ExtParse ep = {
                .arg = arg,
                .family = p->ctx->family,
                .loc = parser_loc(p, t),
                .arg_loc = parser_loc(p, t),
                .diags = p->ctx->diags,
        };
        static const ExtOption src_opt = { "source", 0, EXT_OPT_ARG }, dst_opt = { "destination", 0, EXT_OPT_ARG };

        ep.option = src ? &src_opt : &dst_opt;
        if (strchr(arg, ','))
                return parser_error(p, t, DIAG_UNSUPPORTED,
                                    "several addresses in one %s (\"%s\") are not supported: write one rule each",
                                    src ? "-s" : "-d", arg);
        if (ext_parse_addr_mask(&ep, arg, src ? &p->rule->src : &p->rule->dst) < 0)
                return -EINVAL;
        /* "-s 0.0.0.0/0" matches everything: iptables stores it as no -s at all. */
        if (!invert && is_zero_mask(src ? &p->rule->src : &p->rule->dst))
                return 0;
        p->rule->flags |= src ? RULE_HAS_SRC : RULE_HAS_DST;
        if (invert)
                p->rule->flags |= src ? RULE_INV_SRC : RULE_INV_DST;
        return 0;
}

static int parse_counters_arg(CommandParser *p, const Token *t, const char *arg) {
        unsigned long long pk, by;
        const Token *next;
        char *end;

        errno = 0;
        if (!isdigit((unsigned char)arg[0]))
                goto bad;
        pk = strtoull(arg, &end, 10);
        if (errno)
                goto bad;
        if (*end == 0 && (next = parser_peek(p)) && token_is_number(next)) {
                /* "-c PACKETS BYTES" */
                p->pos++;
                end = (char *)next->text;
        } else if (*end == ',' && isdigit((unsigned char)end[1]))
                end++;
        else
                goto bad;
        by = strtoull(end, &end, 10);
        if (errno || *end)
                goto bad;
        p->cmd->counters = (Counters){ pk, by };
        p->cmd->flags |= COMMAND_HAS_COUNTERS;
        return 0;
bad:
        return parser_error(p, t, DIAG_SYNTAX, "-c takes PACKETS,BYTES or PACKETS BYTES, not \"%s\"", arg);
}

static int parser_add_instance(CommandParser *p, const Token *t, const Extension *ext, void *data) {
        if (p->n_instances >= EXT_INSTANCES_MAX)
                return parser_error(p, t, DIAG_SYNTAX, "too many matches in one rule (at most %d)",
                                    EXT_INSTANCES_MAX - 1);
        if (ext->init)
                ext->init(data);
        p->instances[p->n_instances++] = (ExtInstance){ ext, data, 0, parser_loc(p, t) };
        return 0;
}

static int parser_check_family(CommandParser *p, const Token *t, const Extension *ext) {
        if (ext->families & FAMILY_BIT(p->ctx->family))
                return 0;
        return parser_error(p, t, DIAG_SEMANTIC, "%s \"%s\" is not available for %s", ext->is_target ? "target" : "match",
                            ext->name, p->ctx->family == FAMILY_IPV6 ? "IPv6 (ip6tables)" : "IPv4 (iptables)");
}

static int parser_load_match(CommandParser *p, const Token *t, const Extension *ext) {
        Match *m;
        int r;

        r = parser_check_family(p, t, ext);
        if (r < 0)
                return r;
        r = rule_add_match(p->rule, ext, t->column, &m);
        if (r < 0)
                return r;
        return parser_add_instance(p, t, ext, match_data(m));
}

static int parse_match_option(CommandParser *p, const Token *t, const char *name) {
        const Extension *ext = extension_find_match(name);
        const char *why;

        if (ext)
                return parser_load_match(p, t, ext);
        why = extension_unsupported_reason(name, false);
        if (why)
                return parser_error(p, t, DIAG_UNSUPPORTED, "match \"%s\" is not supported by nfwall: %s", name, why);
        return parser_error(p, t, DIAG_SYNTAX, "unknown match \"%s\"", name);
}

static bool name_is_reserved(const char *name) {
        return extension_find_target(name) || extension_unsupported_reason(name, true);
}

static int parse_target_option(CommandParser *p, const Token *t, const char *name, bool is_goto) {
        const Extension *ext;
        Target *target;
        const char *why;
        int r;

        if (p->has_target)
                return parser_error(p, t, DIAG_SYNTAX, "only one -j or -g per rule");
        if (is_goto) {
                if (name_is_reserved(name))
                        return parser_error(p, t, DIAG_SYNTAX, "-g needs a user chain, not \"%s\"", name);
                ext = extension_by_target_type(TARGET_GOTO);
        } else {
                ext = extension_find_target(name);
                if (!ext) {
                        why = extension_unsupported_reason(name, true);
                        if (why)
                                return parser_error(p, t, DIAG_UNSUPPORTED,
                                                    "target \"%s\" is not supported by nfwall: %s", name, why);
                        ext = extension_by_target_type(TARGET_JUMP);
                }
        }
        r = parser_check_family(p, t, ext);
        if (r < 0)
                return r;
        r = rule_set_target(p->rule, ext, t->column, &target);
        if (r < 0)
                return r;
        if (ext->type == TARGET_JUMP || ext->type == TARGET_GOTO) {
                Token chain = { name, t->column };
                r = parse_chain_name(p, &chain, ((TargetChain *)target_data(target))->chain);
                if (r < 0)
                        return r;
        }
        /* The target's options are looked up first: keep it at the front. */
        if (p->n_instances >= EXT_INSTANCES_MAX)
                return parser_error(p, t, DIAG_SYNTAX, "too many matches in one rule");
        memmove(p->instances + 1, p->instances, p->n_instances * sizeof(ExtInstance));
        p->n_instances++;
        p->instances[0] = (ExtInstance){ ext, target_data(target), 0, parser_loc(p, t) };
        if (ext->init)
                ext->init(target_data(target));
        p->has_target = true;
        p->target_loc = parser_loc(p, t);
        return 0;
}

/* The target first, then the matches, the latest loaded first: as iptables merges their options. */
static ExtInstance *parser_instance_by_precedence(CommandParser *p, size_t k) {
        if (p->has_target) {
                if (k == 0)
                        return &p->instances[0];
                return &p->instances[p->n_instances - k];
        }
        return &p->instances[p->n_instances - 1 - k];
}

/*
 * Finds who owns a long option: exact names first (the target, then the
 * matches, latest first), then unambiguous prefixes among all of them and
 * the core options, as getopt_long() does over iptables' merged table.
 */
static int parser_find_option(CommandParser *p, const char *name, ExtInstance **ret_inst,
                              const ExtOption **ret_opt, const CoreOptionInfo **ret_core) {
        ExtInstance *found_inst = NULL;
        const ExtOption *found_opt = NULL;
        const CoreOptionInfo *found_core = NULL;
        size_t len = strlen(name);
        unsigned n_found = 0;

        for (size_t k = 0; k < p->n_instances; k++) {
                ExtInstance *inst = parser_instance_by_precedence(p, k);
                for (size_t i = 0; i < inst->ext->n_options; i++)
                        if (inst->ext->options[i].name[0] == name[0] && streq(inst->ext->options[i].name, name)) {
                                *ret_inst = inst;
                                *ret_opt = &inst->ext->options[i];
                                return 0;
                        }
        }
        for (size_t k = 0; k < p->n_instances; k++) {
                ExtInstance *inst = &p->instances[k];
                const ExtOption *o;
                int r = extension_find_option(inst->ext, name, &o);
                if (r == -EADDRINUSE)
                        n_found += 2;
                else if (r == 0 && (!found_opt || found_inst->ext != inst->ext || found_opt->id != o->id)) {
                        n_found++;
                        found_inst = inst;
                        found_opt = o;
                }
        }
        for (size_t i = 0; i < ELEMENTSOF(core_options); i++)
                if (strncmp(core_options[i].name, name, len) == 0 &&
                    (!found_core || found_core->id != core_options[i].id)) {
                        n_found++;
                        found_core = &core_options[i];
                }
        if (n_found > 1)
                return -EADDRINUSE;
        if (n_found == 0)
                return -ENOENT;
        if (found_core)
                *ret_core = found_core;
        else {
                *ret_inst = found_inst;
                *ret_opt = found_opt;
        }
        return 0;
}

static const Extension *implicit_match(const CommandParser *p) {
        if (!(p->rule->flags & RULE_HAS_PROTO) || (p->rule->flags & RULE_INV_PROTO))
                return NULL;
        switch (p->rule->proto) {
        case IPPROTO_TCP:
                return extension_by_match_type(MATCH_TCP);
        case IPPROTO_UDP:
                return extension_by_match_type(MATCH_UDP);
        case IPPROTO_ICMP:
                return p->ctx->family == FAMILY_IPV4 ? extension_by_match_type(MATCH_ICMP) : NULL;
        case IPPROTO_ICMPV6:
                return p->ctx->family == FAMILY_IPV6 ? extension_by_match_type(MATCH_ICMP6) : NULL;
        default:
                return NULL;
        }
}

static bool parser_has_match(const CommandParser *p, const Extension *ext) {
        for (size_t k = 0; k < p->n_instances; k++)
                if (p->instances[k].ext == ext)
                        return true;
        return false;
}

static int parse_core_option(CommandParser *p, const Token *t, const CoreOptionInfo *o, const char *inline_arg,
                             bool invert);

static int parse_ext_option(CommandParser *p, const Token *t, const char *name, const char *inline_arg,
                            bool invert) {
        ExtInstance *inst = NULL;
        const ExtOption *opt = NULL;
        const CoreOptionInfo *core = NULL;
        const Token *a1 = NULL, *a2 = NULL;
        int r;

        r = parser_find_option(p, name, &inst, &opt, &core);
        if (r == -ENOENT) {
                const Extension *implicit = implicit_match(p);
                if (implicit && !parser_has_match(p, implicit)) {
                        r = parser_load_match(p, t, implicit);
                        if (r < 0)
                                return r;
                        r = parser_find_option(p, name, &inst, &opt, &core);
                }
        }
        if (r == -EADDRINUSE)
                return parser_error(p, t, DIAG_SYNTAX, "option \"--%s\" is ambiguous", name);
        if (r < 0) {
                if (p->n_instances == 0)
                        return parser_error(p, t, DIAG_SYNTAX, "unknown option \"--%s\"", name);
                return parser_error(p, t, DIAG_SYNTAX, "unknown option \"--%s\" (for %s%s%s)", name,
                                    p->instances[p->n_instances - 1].ext->is_target ? "target " : "match ",
                                    p->instances[p->n_instances - 1].ext->name,
                                    p->n_instances > 1 ? " and the others loaded" : "");
        }
        if (core)
                return parse_core_option(p, t, core, inline_arg, invert);

        if (invert && !(opt->flags & EXT_OPT_INVERT))
                return parser_error(p, t, DIAG_SYNTAX, "option \"--%s\" cannot be inverted", opt->name);
        if ((inst->seen & (1u << opt->id)) && !(opt->flags & EXT_OPT_MULTI))
                return parser_error(p, t, DIAG_SYNTAX, "option \"--%s\" given more than once", opt->name);

        if (opt->flags & (EXT_OPT_ARG | EXT_OPT_ARG2)) {
                if (!inline_arg) {
                        a1 = parser_peek(p);
                        if (!a1)
                                return parser_error(p, t, DIAG_SYNTAX, "option \"--%s\" needs an argument",
                                                    opt->name);
                        p->pos++;
                        if (token_is_bang(a1) && (opt->flags & EXT_OPT_INVERT))
                                return parser_error(p, a1, DIAG_SYNTAX,
                                                    "\"--%s ! VALUE\" is the old form: write \"! --%s VALUE\"",
                                                    opt->name, opt->name);
                }
                if (opt->flags & EXT_OPT_ARG2) {
                        a2 = parser_peek(p);
                        if (!a2)
                                return parser_error(p, t, DIAG_SYNTAX, "option \"--%s\" needs two arguments",
                                                    opt->name);
                        p->pos++;
                }
        } else if (inline_arg)
                return parser_error(p, t, DIAG_SYNTAX, "option \"--%s\" takes no argument", opt->name);

        ExtParse ep = {
                .option = opt,
                .arg = inline_arg ? inline_arg : a1 ? a1->text : NULL,
                .arg2 = a2 ? a2->text : NULL,
                .invert = invert,
                .family = p->ctx->family,
                .table = p->ctx->table,
                .rule = p->rule,
                .seen = inst->seen,
                .loc = parser_loc(p, t),
                .arg_loc = parser_loc(p, a1 ? a1 : t),
                .diags = p->ctx->diags,
        };
        r = inst->ext->parse(&ep, inst->data);
        if (r < 0)
                return r;
        inst->seen |= 1u << opt->id;
        return 0;
}

static int parse_core_option(CommandParser *p, const Token *t, const CoreOptionInfo *o, const char *inline_arg,
                             bool invert) {
        const char *arg = inline_arg;
        const Token *arg_token = t;
        int r;

        if (invert && !o->invertible)
                return parser_error(p, t, DIAG_SYNTAX, "\"!\" cannot go before \"%s\"", t->text);
        if (o->has_arg && !arg) {
                arg_token = parser_peek(p);
                if (!arg_token)
                        return parser_error(p, t, DIAG_SYNTAX, "option \"%s\" needs an argument", t->text);
                p->pos++;
                arg = arg_token->text;
                if (token_is_bang(arg_token) && o->invertible)
                        return parser_error(p, arg_token, DIAG_SYNTAX,
                                            "\"%s ! VALUE\" is the old form: write \"! %s VALUE\"", t->text, t->text);
        } else if (!o->has_arg && arg && o->id < OPT_SOURCE && o->id != OPT_WAIT)
                return parser_error(p, t, DIAG_SYNTAX, "\"%s\" takes no argument here", t->text);

        if (o->id >= OPT_SOURCE && o->id <= OPT_FRAGMENT) {
                if (p->rule_options & (1u << o->id))
                        return parser_error(p, t, DIAG_SYNTAX, "option \"%s\" given more than once", t->text);
                p->rule_options |= 1u << o->id;
        }

        switch (o->id) {
        case OPT_APPEND:
        case OPT_CHECK:
        case OPT_DELETE:
        case OPT_INSERT:
        case OPT_REPLACE:
        case OPT_LIST:
        case OPT_LIST_RULES:
        case OPT_FLUSH:
        case OPT_ZERO:
        case OPT_NEW_CHAIN:
        case OPT_DELETE_CHAIN:
        case OPT_POLICY:
        case OPT_RENAME_CHAIN:
                return parser_set_command(p, t, (CommandType)o->id, arg, arg_token == t ? NULL : arg_token);
        case OPT_SOURCE:
        case OPT_DESTINATION:
                return parse_addr_option(p, arg_token, arg, invert, o->id == OPT_SOURCE);
        case OPT_PROTOCOL:
                r = protocol_from_string(arg);
                if (r < 0)
                        return parser_error(p, arg_token, DIAG_SYNTAX, "unknown protocol \"%s\"", arg);
                if (r == 0) {
                        if (invert)
                                return parser_error(p, arg_token, DIAG_SYNTAX,
                                                    "\"! -p %s\" would never match a packet", arg);
                        return 0;
                }
                p->rule->proto = (uint8_t)r;
                p->rule->flags |= RULE_HAS_PROTO | (invert ? RULE_INV_PROTO : 0);
                return 0;
        case OPT_IN_INTERFACE:
        case OPT_OUT_INTERFACE:
                return parse_iface(p, arg_token, arg, invert, o->id == OPT_IN_INTERFACE);
        case OPT_FRAGMENT:
                if (p->ctx->family != FAMILY_IPV4)
                        return parser_error(p, t, DIAG_SYNTAX, "-f exists for IPv4 only");
                p->rule->flags |= RULE_FRAGMENT | (invert ? RULE_INV_FRAGMENT : 0);
                return 0;
        case OPT_JUMP:
        case OPT_GOTO:
                return parse_target_option(p, arg_token, arg, o->id == OPT_GOTO);
        case OPT_MATCH:
                return parse_match_option(p, arg_token, arg);
        case OPT_SET_COUNTERS:
                return parse_counters_arg(p, arg_token, arg);
        case OPT_TABLE:
                if (p->ctx->restore)
                        return parser_error(p, t, DIAG_SYNTAX, "-t cannot be used in a rules file: use *TABLE");
                p->cmd->table = table_type_from_string(arg);
                if ((int)p->cmd->table < 0)
                        return parser_error(p, arg_token, DIAG_SYNTAX, "unknown table \"%s\"", arg);
                p->cmd->flags |= COMMAND_HAS_TABLE;
                return 0;
        case OPT_NUMERIC:
                p->cmd->flags |= COMMAND_NUMERIC;
                return 0;
        case OPT_VERBOSE:
                p->cmd->flags |= COMMAND_VERBOSE;
                return 0;
        case OPT_EXACT:
                p->cmd->flags |= COMMAND_EXACT;
                return 0;
        case OPT_LINE_NUMBERS:
                p->cmd->flags |= COMMAND_LINE_NUMBERS;
                return 0;
        case OPT_IPV4:
                p->cmd->flags |= COMMAND_IPV4;
                return 0;
        case OPT_IPV6:
                p->cmd->flags |= COMMAND_IPV6;
                return 0;
        case OPT_WAIT: {
                /*
                 * -w [SECONDS], as kube-proxy and Docker pass it: nfwall
                 * serialises requests itself, so the time is read and not needed.
                 */
                Token number = { .text = arg, .column = t->column };
                const Token *next = parser_peek(p);

                if (arg && !token_is_number(&number))
                        return parser_error(p, t, DIAG_SYNTAX, "--wait: \"%s\" is not a number of seconds", arg);
                if (!arg && next && token_is_number(next))
                        p->pos++;
                return 0;
        }
        case OPT_WAIT_INTERVAL:
                /* nfwall serialises requests itself: accepted for compatibility. */
                return 0;
        case _OPT_MAX:
                break;
        }
        return -EINVAL;
}

/* "-pTCP", "-nvL": short options, bundled, with an attached argument. */
static int parse_short_options(CommandParser *p, const Token *t, bool invert) {
        for (const char *s = t->text + 1; *s; s++) {
                const CoreOptionInfo *o = core_option_by_short(*s);
                int r;

                if (!o)
                        return parser_error(p, t, DIAG_SYNTAX, "unknown option \"-%c\"", *s);
                if (o->has_arg) {
                        r = parse_core_option(p, t, o, s[1] ? s + 1 : NULL, invert);
                        return r;
                }
                r = parse_core_option(p, t, o, NULL, invert);
                if (r < 0)
                        return r;
                invert = false;
        }
        return 0;
}

static int parse_long_option(CommandParser *p, const Token *t, bool invert) {
        _cleanup_free_ char *copy = NULL;
        const char *name = t->text + 2, *inline_arg = NULL;
        const CoreOptionInfo *o;
        char *eq;

        if (!*name)
                return parser_error(p, t, DIAG_SYNTAX, "unexpected \"--\"");
        eq = strchr(name, '=');
        if (eq) {
                copy = strdup(name);
                if (!copy)
                        return -ENOMEM;
                copy[eq - name] = 0;
                inline_arg = copy + (eq - name) + 1;
                name = copy;
        }

        o = core_option_exact(name);
        if (o)
                return parse_core_option(p, t, o, inline_arg, invert);

        /* An extension's exact option beats a core prefix ("--dport" is not "--destination"). */
        return parse_ext_option(p, t, name, inline_arg, invert);
}

static int command_finish_rule(CommandParser *p) {
        int r = 0;

        for (size_t k = 0; k < p->n_instances; k++) {
                ExtInstance *inst = &p->instances[k];
                ExtParse ep = {
                        .family = p->ctx->family,
                        .table = p->ctx->table,
                        .rule = p->rule,
                        .seen = inst->seen,
                        .loc = inst->loc,
                        .diags = p->ctx->diags,
                };
                int k_r;

                if (!inst->ext->finish)
                        continue;
                k_r = inst->ext->finish(&ep, inst->data);
                if (k_r < 0 && r == 0)
                        r = k_r;
        }
        return r;
}

static bool command_takes_rule(CommandType t, bool has_rulenum) {
        switch (t) {
        case COMMAND_APPEND:
        case COMMAND_CHECK:
        case COMMAND_INSERT:
        case COMMAND_REPLACE:
                return true;
        case COMMAND_DELETE:
                return !has_rulenum;
        case COMMAND_LIST:
        case COMMAND_LIST_RULES:
        case COMMAND_FLUSH:
        case COMMAND_ZERO:
        case COMMAND_NEW_CHAIN:
        case COMMAND_DELETE_CHAIN:
        case COMMAND_POLICY:
        case COMMAND_RENAME_CHAIN:
        case _COMMAND_TYPE_MAX:
        case _COMMAND_TYPE_INVALID:
                break;
        }
        return false;
}

int command_parse(const ParseContext *ctx, const Token *tokens, size_t n, Command *ret) {
        _cleanup_(rule_freep) Rule *rule = NULL;
        Command cmd = COMMAND_INIT;
        CommandParser p = {
                .ctx = ctx,
                .tokens = tokens,
                .n_tokens = n,
                .cmd = &cmd,
        };
        bool invert = false;
        const Token *invert_token = NULL;
        int r;

        cmd.table = ctx->table;
        r = ctx->scratch ? rule_new_in_scratch(ctx->scratch, &rule) : rule_new(&rule);
        if (r < 0)
                return r;
        p.rule = rule;

        while (p.pos < n) {
                const Token *t = &tokens[p.pos++];

                if (token_is_bang(t)) {
                        if (invert)
                                return parser_error(&p, t, DIAG_SYNTAX, "\"!\" given twice");
                        invert = true;
                        invert_token = t;
                        continue;
                }
                if (t->text[0] != '-' || t->text[1] == 0)
                        return parser_error(&p, t, DIAG_SYNTAX, "unexpected \"%s\": expected an option", t->text);
                if (t->text[1] == '-')
                        r = parse_long_option(&p, t, invert);
                else
                        r = parse_short_options(&p, t, invert);
                if (r < 0)
                        return r;
                invert = false;
        }
        if (invert)
                return parser_error(&p, invert_token, DIAG_SYNTAX, "\"!\" at the end of the line");
        if (!p.has_command)
                return parser_error(&p, n > 0 ? &tokens[0] : NULL, DIAG_SYNTAX,
                                    "no command: expected -A, -I, -D, -R, -N, -X, -P, -F, -Z, -E, -C, -L or -S");

        if (command_takes_rule(cmd.type, cmd.flags & COMMAND_HAS_RULENUM)) {
                r = command_finish_rule(&p);
                if (r < 0)
                        return r;
                rule->loc = (SourceLoc){ ctx->file, ctx->line, 1 };
                if (cmd.flags & COMMAND_HAS_COUNTERS)
                        rule->counters = cmd.counters;
                r = rule_pack(&rule);
                if (r < 0)
                        return r;
                cmd.rule = TAKE_PTR(rule);
        } else if (p.rule_options || p.n_instances > 0 || p.has_target)
                return parser_error(&p, &tokens[0], DIAG_SYNTAX, "%s takes no rule specification",
                                    command_type_to_string(cmd.type));

        *ret = cmd;
        return 0;
}

/* Executing commands on the model */

static int apply_error(DiagList *diags, const Command *c, int err, const char *fmt, ...) _printf_(4, 5);
static int apply_error(DiagList *diags, const Command *c, int err, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = diag_list_addv(diags, DIAG_ERROR, DIAG_SEMANTIC, &c->loc, fmt, ap);
        va_end(ap);
        return r < 0 ? r : err;
}

ssize_t chain_find_rule(const Chain *c, const Rule *spec) {
        for (size_t i = 0; i < c->n_rules; i++)
                if (rule_equal(c->rules[i], spec))
                        return (ssize_t)i;
        return -ENOENT;
}

static int command_get_chain(Table *t, const Command *c, DiagList *diags, Chain **ret) {
        Chain *chain = table_find_chain(t, c->chain);

        if (!chain)
                return apply_error(diags, c, -ENOENT, "chain %s does not exist in table %s", c->chain,
                                   table_type_to_string(t->type));
        *ret = chain;
        return 0;
}

static int check_rulenum(const Chain *chain, const Command *c, DiagList *diags, size_t max) {
        if (c->rulenum <= max)
                return 0;
        return apply_error(diags, c, -ENOENT, "no rule %zu in chain %s: it has %zu rule%s", c->rulenum, chain->name,
                           chain->n_rules, chain->n_rules == 1 ? "" : "s");
}

static int check_new_chain_name(Table *t, const Command *c, const char *name, DiagList *diags) {
        if (table_find_chain(t, name))
                return apply_error(diags, c, -EEXIST, "chain %s already exists", name);
        if (name_is_reserved(name) || policy_from_string(name) >= 0 || streq(name, "RETURN")) {
                /* iptables refuses it as it reads the command line */
                int r = diag_list_add(diags, DIAG_ERROR, DIAG_PARAMETER, &c->loc, "chain name %s is reserved for a target",
                                      name);
                return r < 0 ? r : -EINVAL;
        }
        return 0;
}

static void chain_zero(Chain *chain) {
        chain->counters = (Counters){};
        for (size_t i = 0; i < chain->n_rules; i++)
                chain->rules[i]->counters = (Counters){};
}

/**
 * command_resolve() - check a modifying command against a table, and find what it acts on
 * @t: the table
 * @c: the command (-A -I -D -R -C -N -X -P -F -E -Z)
 * @diags: where the reasons for refusing it go, at the command's location
 * @ret: the chain and the rule's position
 *
 * Changes nothing, so that the kernel can be asked first and the model
 * changed (command_execute()) only once it agreed.
 *
 * Return: 0; -ENOENT for "no such chain or rule" (how -C and -D tell);
 * -EEXIST, -EBUSY, -ENOTEMPTY, -EINVAL for the other refusals; -ENOMEM.
 */
int command_resolve(Table *t, const Command *c, DiagList *diags, CommandPlan *ret) {
        CommandPlan plan = {};
        Chain *chain = NULL;
        ssize_t idx;
        int r;

        if ((c->flags & COMMAND_HAS_CHAIN) && c->type != COMMAND_NEW_CHAIN) {
                r = command_get_chain(t, c, diags, &chain);
                if (r < 0)
                        return r;
        }
        plan.chain = chain;

        switch (c->type) {
        case COMMAND_APPEND:
                plan.index = chain->n_rules;
                break;
        case COMMAND_INSERT: {
                size_t pos = (c->flags & COMMAND_HAS_RULENUM) ? c->rulenum : 1;
                if (pos > chain->n_rules + 1)
                        return apply_error(diags, c, -ENOENT,
                                           "cannot insert at position %zu in chain %s: it has %zu rule%s", pos,
                                           chain->name, chain->n_rules, chain->n_rules == 1 ? "" : "s");
                plan.index = pos - 1;
                break;
        }
        case COMMAND_REPLACE:
                r = check_rulenum(chain, c, diags, chain->n_rules);
                if (r < 0)
                        return r;
                plan.index = c->rulenum - 1;
                break;
        case COMMAND_DELETE:
        case COMMAND_CHECK:
                if (c->type == COMMAND_DELETE && (c->flags & COMMAND_HAS_RULENUM)) {
                        r = check_rulenum(chain, c, diags, chain->n_rules);
                        if (r < 0)
                                return r;
                        idx = (ssize_t)c->rulenum - 1;
                } else {
                        idx = chain_find_rule(chain, c->rule);
                        if (idx < 0)
                                return apply_error(diags, c, -ENOENT, "no rule in chain %s matches this one",
                                                   chain->name);
                }
                plan.index = (size_t)idx;
                break;
        case COMMAND_NEW_CHAIN:
                r = check_new_chain_name(t, c, c->chain, diags);
                if (r < 0)
                        return r;
                break;
        case COMMAND_DELETE_CHAIN:
                if (chain) {
                        size_t refs;
                        if (chain->builtin)
                                return apply_error(diags, c, -EINVAL, "built-in chain %s cannot be deleted",
                                                   chain->name);
                        refs = table_count_references(t, chain->name);
                        if (refs > 0)
                                return apply_error(diags, c, -EBUSY, "chain %s is still referenced by %zu rule%s",
                                                   chain->name, refs, refs == 1 ? "" : "s");
                        if (chain->n_rules > 0)
                                return apply_error(diags, c, -ENOTEMPTY, "chain %s is not empty: it has %zu rule%s",
                                                   chain->name, chain->n_rules, chain->n_rules == 1 ? "" : "s");
                        break;
                }
                for (size_t i = 0; i < t->n_chains; i++) {
                        Chain *u = t->chains[i];
                        if (u->builtin)
                                continue;
                        if (u->n_rules > 0)
                                return apply_error(diags, c, -ENOTEMPTY, "chain %s is not empty: it has %zu rule%s",
                                                   u->name, u->n_rules, u->n_rules == 1 ? "" : "s");
                        if (table_count_references(t, u->name) > 0)
                                return apply_error(diags, c, -EBUSY, "chain %s is still referenced", u->name);
                }
                break;
        case COMMAND_POLICY:
                if (!chain->builtin)
                        return apply_error(diags, c, -EINVAL, "chain %s is not a built-in chain: it has no policy",
                                           chain->name);
                break;
        case COMMAND_FLUSH:
                break;
        case COMMAND_ZERO:
                if (chain && (c->flags & COMMAND_HAS_RULENUM)) {
                        r = check_rulenum(chain, c, diags, chain->n_rules);
                        if (r < 0)
                                return r;
                        plan.index = c->rulenum - 1;
                }
                break;
        case COMMAND_RENAME_CHAIN:
                if (chain->builtin)
                        return apply_error(diags, c, -EINVAL, "built-in chain %s cannot be renamed", chain->name);
                r = check_new_chain_name(t, c, c->new_name, diags);
                if (r < 0)
                        return r;
                break;
        case COMMAND_LIST:
        case COMMAND_LIST_RULES:
        case _COMMAND_TYPE_MAX:
        case _COMMAND_TYPE_INVALID:
                return apply_error(diags, c, -EINVAL, "%s does not change the ruleset",
                                   strempty(command_type_to_string(c->type)));
        }
        *ret = plan;
        return 0;
}

/**
 * command_execute() - carry out a resolved command on the table
 * @t: the table command_resolve() saw, unchanged since
 * @c: the command; its rule is taken by -A -I -R
 * @plan: what command_resolve() found
 *
 * Return: 0, or -ENOMEM (nothing changed then).
 */
int command_execute(Table *t, Command *c, const CommandPlan *plan) {
        Chain *chain = plan->chain;
        int r;

        switch (c->type) {
        case COMMAND_APPEND:
        case COMMAND_INSERT:
                r = chain_insert_rule(chain, plan->index, c->rule);
                if (r < 0)
                        return r;
                c->rule = NULL;
                return 0;
        case COMMAND_REPLACE:
                rule_free(chain->rules[plan->index]);
                chain->rules[plan->index] = TAKE_PTR(c->rule);
                return 0;
        case COMMAND_DELETE:
                rule_free(chain_take_rule(chain, plan->index));
                return 0;
        case COMMAND_CHECK:
                return 0;
        case COMMAND_NEW_CHAIN:
                return table_add_chain(t, c->chain, &c->loc, NULL);
        case COMMAND_DELETE_CHAIN:
                if (chain)
                        return table_remove_chain(t, chain);
                while (t->n_chains > 0 && !t->chains[t->n_chains - 1]->builtin)
                        table_remove_chain(t, t->chains[t->n_chains - 1]);
                return 0;
        case COMMAND_POLICY:
                chain->policy = c->policy;
                if (c->flags & COMMAND_HAS_COUNTERS)
                        chain->counters = c->counters;
                return 0;
        case COMMAND_FLUSH:
                if (chain)
                        chain_flush(chain);
                else
                        for (size_t i = 0; i < t->n_chains; i++)
                                chain_flush(t->chains[i]);
                return 0;
        case COMMAND_ZERO:
                if (chain && (c->flags & COMMAND_HAS_RULENUM))
                        chain->rules[plan->index]->counters = (Counters){};
                else if (chain)
                        chain_zero(chain);
                else
                        for (size_t i = 0; i < t->n_chains; i++)
                                chain_zero(t->chains[i]);
                return 0;
        case COMMAND_RENAME_CHAIN:
                /* Jumps follow the chain, as they do in the kernel. */
                for (size_t i = 0; i < t->n_chains; i++)
                        for (size_t j = 0; j < t->chains[i]->n_rules; j++) {
                                Target *tg = t->chains[i]->rules[j]->target;
                                TargetChain *tc;
                                if (!tg || (tg->ext->type != TARGET_JUMP && tg->ext->type != TARGET_GOTO))
                                        continue;
                                tc = target_data(tg);
                                if (streq(tc->chain, chain->name))
                                        strcpy(tc->chain, c->new_name);
                        }
                return table_rename_chain(t, chain, c->new_name);
        case COMMAND_LIST:
        case COMMAND_LIST_RULES:
        case _COMMAND_TYPE_MAX:
        case _COMMAND_TYPE_INVALID:
                break;
        }
        return -EINVAL;
}

int command_apply(Table *t, Command *c, DiagList *diags) {
        CommandPlan plan;
        int r;

        r = command_resolve(t, c, diags, &plan);
        if (r < 0)
                return r;
        return command_execute(t, c, &plan);
}

/* Rules files */

struct RulesetParser {
        Ruleset *rs;
        Family family;
        const char *file;               /* interned in rs */
        unsigned line;
        DiagList *diags;
        size_t errors_at_start;
        Table *block;                   /* the *table being read, not yet in rs */
        TokenBuffer tokens;
        RuleScratch scratch;
        unsigned block_line;
};

int ruleset_parser_new(Family family, const char *file, DiagList *diags, RulesetParser **ret) {
        _cleanup_(ruleset_parser_freep) RulesetParser *p = NULL;
        int r;

        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        r = ruleset_new(&p->rs);
        if (r < 0)
                return r;
        p->family = family;
        p->diags = diags;
        p->errors_at_start = diags->n_errors;
        p->file = ruleset_intern_file(p->rs, file ? file : "<input>");
        if (!p->file)
                return -ENOMEM;
        *ret = TAKE_PTR(p);
        return 0;
}

RulesetParser *ruleset_parser_free(RulesetParser *p) {
        if (!p)
                return NULL;
        table_free(p->block);
        ruleset_free(p->rs);
        token_buffer_deinit(&p->tokens);
        rule_scratch_deinit(&p->scratch);
        free(p);
        return NULL;
}

static int parser_line_error(RulesetParser *p, unsigned column, DiagCode code, const char *fmt, ...)
        _printf_(4, 5);
static int parser_line_error(RulesetParser *p, unsigned column, DiagCode code, const char *fmt, ...) {
        SourceLoc loc = { p->file, p->line, column };
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = diag_list_addv(p->diags, DIAG_ERROR, code, &loc, fmt, ap);
        va_end(ap);
        return r < 0 ? r : 0;
}

/* A fresh Table not yet in the ruleset: the block replaces the table at COMMIT. */
static int parser_begin_block(RulesetParser *p, const char *name, unsigned column) {
        TableType type = table_type_from_string(name);
        SourceLoc loc = { p->file, p->line, column };
        Ruleset *tmp = NULL;
        int r;

        if (p->block) {
                r = parser_line_error(p, column, DIAG_SYNTAX, "table %s (line %u) has no COMMIT before this line",
                                      table_type_to_string(p->block->type), p->block_line);
                if (r < 0)
                        return r;
                p->block = table_free(p->block);
        }
        if ((int)type < 0)
                return parser_line_error(p, column + 1, DIAG_SYNTAX,
                                         "unknown table \"%s\": expected filter, nat, mangle, raw or security", name);
        r = ruleset_new(&tmp);
        if (r < 0)
                return r;
        r = ruleset_reset_table(tmp, p->family, type, &loc, &p->block);
        tmp->tables[p->family][type] = NULL;
        ruleset_free(tmp);
        if (r < 0)
                return r;
        p->block_line = p->line;
        return 0;
}

static int parser_commit_block(RulesetParser *p, unsigned column) {
        if (!p->block)
                return parser_line_error(p, column, DIAG_SYNTAX, "COMMIT outside of a table");
        /*
         * Installed even after errors in the block (the file fails anyway): the
         * checker then still sees the table and reports what is wrong with the
         * lines that did parse.
         */
        TableType type = p->block->type;
        table_free(p->rs->tables[p->family][type]);
        p->rs->tables[p->family][type] = TAKE_PTR(p->block);
        return 0;
}

static int parse_bracket_counters(const char *s, Counters *ret) {
        unsigned long long pk, by;
        char *end;

        if (*s != '[' || !isdigit((unsigned char)s[1]))
                return -EINVAL;
        errno = 0;
        pk = strtoull(s + 1, &end, 10);
        if (errno || *end != ':' || !isdigit((unsigned char)end[1]))
                return -EINVAL;
        by = strtoull(end + 1, &end, 10);
        if (errno || strcmp(end, "]") != 0)
                return -EINVAL;
        *ret = (Counters){ pk, by };
        return 0;
}

static int parser_chain_line(RulesetParser *p, const Token *tokens, size_t n) {
        const char *name = tokens[0].text + 1;
        Chain *chain;
        Counters counters = {};
        bool has_counters = false;
        int r;

        if (!*name)
                return parser_line_error(p, tokens[0].column, DIAG_SYNTAX, "\":\" without a chain name");
        if (strlen(name) > CHAIN_NAME_MAX)
                return parser_line_error(p, tokens[0].column + 1, DIAG_SYNTAX,
                                         "chain name \"%s\" is longer than %d characters", name, CHAIN_NAME_MAX);
        if (n < 2)
                return parser_line_error(p, tokens[0].column, DIAG_SYNTAX,
                                         "chain %s: expected a policy (ACCEPT, DROP, or - for a user chain)", name);
        if (n > 3)
                return parser_line_error(p, tokens[3].column, DIAG_SYNTAX, "unexpected \"%s\" after the chain's counters",
                                         tokens[3].text);
        if (n == 3) {
                if (parse_bracket_counters(tokens[2].text, &counters) < 0)
                        return parser_line_error(p, tokens[2].column, DIAG_SYNTAX,
                                                 "\"%s\" is not [PACKETS:BYTES]", tokens[2].text);
                has_counters = true;
        }

        chain = table_find_chain(p->block, name);
        if (chain && chain->builtin) {
                Policy policy = policy_from_string(tokens[1].text);
                if ((int)policy < 0)
                        return parser_line_error(p, tokens[1].column, DIAG_SYNTAX,
                                                 "\"%s\" is not a policy: built-in chains take ACCEPT or DROP",
                                                 tokens[1].text);
                chain->policy = policy;
                if (has_counters)
                        chain->counters = counters;
                chain->loc = (SourceLoc){ p->file, p->line, tokens[0].column };
                return 0;
        }
        if (chain)
                return parser_line_error(p, tokens[0].column, DIAG_SEMANTIC, "chain %s is declared twice", name);
        if (!streq(tokens[1].text, "-"))
                return parser_line_error(p, tokens[1].column, DIAG_SYNTAX,
                                         "user chain %s cannot have a policy (\"%s\"): write -", name, tokens[1].text);
        if (name[0] == '-' || name[0] == '!')
                return parser_line_error(p, tokens[0].column + 1, DIAG_SYNTAX, "chain name \"%s\" may not start with '%c'",
                                         name, name[0]);
        if (!chain_name_printable(name))
                return parser_line_error(p, tokens[0].column + 1, DIAG_SYNTAX,
                                         "chain name \"%s\" may not contain blanks, quotes or backslashes", name);
        if (name_is_reserved(name) || policy_from_string(name) >= 0 || streq(name, "RETURN"))
                return parser_line_error(p, tokens[0].column + 1, DIAG_SEMANTIC, "chain name %s is reserved for a target",
                                         name);
        SourceLoc loc = { p->file, p->line, tokens[0].column };
        r = table_add_chain(p->block, name, &loc, NULL);
        return r == -EEXIST ? 0 : r;
}

static bool command_allowed_in_file(CommandType t) {
        return t != COMMAND_LIST && t != COMMAND_LIST_RULES;
}

static int parser_command_line(RulesetParser *p, const Token *tokens, size_t n) {
        _cleanup_(command_deinit) Command cmd = COMMAND_INIT;
        ParseContext ctx = {
                .family = p->family,
                .file = p->file,
                .line = p->line,
                .restore = true,
                .table = p->block->type,
                .diags = p->diags,
                .scratch = &p->scratch,
        };
        Counters counters;
        bool has_counters = false;
        int r;

        if (n > 0 && tokens[0].text[0] == '[') {
                if (parse_bracket_counters(tokens[0].text, &counters) < 0)
                        return parser_line_error(p, tokens[0].column, DIAG_SYNTAX, "\"%s\" is not [PACKETS:BYTES]",
                                                 tokens[0].text);
                has_counters = true;
                tokens++;
                n--;
        }
        r = command_parse(&ctx, tokens, n, &cmd);
        if (r == -EINVAL)
                return 0;
        if (r < 0)
                return r;
        /* iptables-restore skips lines marked for the other family (-4 / -6) */
        if ((cmd.flags & (p->family == FAMILY_IPV6 ? COMMAND_IPV4 : COMMAND_IPV6)) &&
            !(cmd.flags & (p->family == FAMILY_IPV6 ? COMMAND_IPV6 : COMMAND_IPV4)))
                return 0;
        if (!command_allowed_in_file(cmd.type))
                return parser_line_error(p, cmd.loc.column, DIAG_SYNTAX, "%s cannot be used in a rules file",
                                         command_type_to_string(cmd.type));
        if (has_counters && cmd.rule)
                cmd.rule->counters = counters;
        r = command_apply(p->block, &cmd, p->diags);
        return r == -ENOMEM ? r : 0;
}

int ruleset_parser_feed_line(RulesetParser *p, const char *line, size_t len) {
        const Token *tokens;
        size_t n, i = 0;
        ParseContext ctx = { .family = p->family, .file = p->file, .diags = p->diags };
        int r;

        p->line++;
        ctx.line = p->line;

        while (i < len && (line[i] == ' ' || line[i] == '\t'))
                i++;
        if (i == len || line[i] == '#' || line[i] == '\r')
                return 0;

        if (line[i] == '*') {
                size_t e = len;
                while (e > i && (line[e - 1] == ' ' || line[e - 1] == '\t' || line[e - 1] == '\r'))
                        e--;
                _cleanup_free_ char *name = strndup(line + i + 1, e - i - 1);
                if (!name)
                        return -ENOMEM;
                return parser_begin_block(p, name, (unsigned)i + 1);
        }

        r = line_tokenize(&ctx, line, len, &p->tokens);
        if (r == -EINVAL)
                return 0;
        if (r < 0)
                return r;
        tokens = p->tokens.tokens;
        n = p->tokens.n_tokens;
        if (n == 0)
                return 0;

        if (streq(tokens[0].text, "COMMIT")) {
                if (n > 1)
                        return parser_line_error(p, tokens[1].column, DIAG_SYNTAX, "unexpected \"%s\" after COMMIT",
                                                 tokens[1].text);
                return parser_commit_block(p, tokens[0].column);
        }
        if (!p->block)
                return parser_line_error(p, tokens[0].column, DIAG_SYNTAX,
                                         "\"%s\" outside of a table: expected *filter, *nat, *mangle, *raw or *security first",
                                         tokens[0].text);
        if (tokens[0].text[0] == ':')
                return parser_chain_line(p, tokens, n);
        return parser_command_line(p, tokens, n);
}

int ruleset_parser_finish(RulesetParser *p, Ruleset **ret) {
        int r;

        if (p->block) {
                SourceLoc loc = { p->file, p->block_line, 1 };
                r = diag_list_add(p->diags, DIAG_ERROR, DIAG_SYNTAX, &loc, "table %s has no COMMIT",
                                  table_type_to_string(p->block->type));
                if (r < 0)
                        return r;
                p->block = table_free(p->block);
        }
        r = ruleset_check(p->rs, p->diags);
        if (r < 0 && r != -EINVAL)
                return r;
        diag_list_sort(p->diags);
        if (p->diags->n_errors > p->errors_at_start)
                return -EINVAL;
        *ret = TAKE_PTR(p->rs);
        return 0;
}

static int ruleset_parse_stream(FILE *f, const char *name, Family family, DiagList *diags, Ruleset **ret) {
        _cleanup_(ruleset_parser_freep) RulesetParser *p = NULL;
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        int r;

        r = ruleset_parser_new(family, name, diags, &p);
        if (r < 0)
                return r;
        while ((len = getline(&line, &cap, f)) >= 0) {
                if (len > 0 && line[len - 1] == '\n')
                        len--;
                r = ruleset_parser_feed_line(p, line, (size_t)len);
                if (r < 0)
                        return r;
        }
        if (ferror(f)) {
                SourceLoc loc = { .file = name };
                diag_list_add(diags, DIAG_ERROR, DIAG_IO, &loc, "read error");
                return -EIO;
        }
        return ruleset_parser_finish(p, ret);
}

int ruleset_parse_file(const char *path, Family family, DiagList *diags, Ruleset **ret) {
        FILE *f;
        int r;

        if (streq(path, "-"))
                return ruleset_parse_stream(stdin, "<stdin>", family, diags, ret);
        f = fopen(path, "re");
        if (!f) {
                SourceLoc loc = { .file = path };
                r = negative_errno();
                diag_list_add(diags, DIAG_ERROR, DIAG_IO, &loc, "cannot open: %s", strerror(-r));
                return r;
        }
        r = ruleset_parse_stream(f, path, family, diags, ret);
        fclose(f);
        return r;
}

int ruleset_parse_string(const char *text, size_t len, const char *name, Family family, DiagList *diags,
                         Ruleset **ret) {
        _cleanup_(ruleset_parser_freep) RulesetParser *p = NULL;
        size_t i = 0;
        int r;

        r = ruleset_parser_new(family, name, diags, &p);
        if (r < 0)
                return r;
        while (i < len) {
                const char *nl = memchr(text + i, '\n', len - i);
                size_t e = nl ? (size_t)(nl - text) : len;
                r = ruleset_parser_feed_line(p, text + i, e - i);
                if (r < 0)
                        return r;
                i = e + 1;
        }
        return ruleset_parser_finish(p, ret);
}

int ruleset_parse_file_into(Ruleset *rs, const char *path, Family family, DiagList *diags) {
        _cleanup_(ruleset_freep) Ruleset *parsed = NULL;
        char **files;
        int r;

        r = ruleset_parse_file(path, family, diags, &parsed);
        if (r < 0)
                return r;
        files = reallocarray(rs->files, rs->n_files + parsed->n_files, sizeof(char *));
        if (!files)
                return -ENOMEM;
        rs->files = files;
        /* The tables' locations point into parsed->files: move both. */
        memcpy(rs->files + rs->n_files, parsed->files, parsed->n_files * sizeof(char *));
        rs->n_files += parsed->n_files;
        parsed->n_files = 0;
        for (int t = 0; t < _TABLE_TYPE_MAX; t++) {
                table_free(rs->tables[family][t]);
                rs->tables[family][t] = TAKE_PTR(parsed->tables[family][t]);
        }
        return 0;
}
