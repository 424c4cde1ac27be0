/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nft-codec-test: the harness the codec tests share (rule expressions, layout, block text, golden files). */
#pragma once

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>

#include <libnftnl/rule.h>
#include <libnftnl/set.h>

#include "diag.h"
#include "nft-compile.h"
#include "nft-ext.h"
#include "nft-layout.h"
#include "ruleset-parse.h"

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

/* A compiled rule's expressions, and what its userdata says: the layout and the comment. */
typedef struct RuleExprs {
        const struct nftnl_expr *exprs[256];
        size_t n;
        NftLayout layout;
        bool layout_seen;
        char comment[256];
        bool has_comment;
} RuleExprs;

/* Reads the rule's expressions and userdata; the layout must be there and count the expressions. */
void rule_exprs(const struct nftnl_rule *nr, RuleExprs *ret);

/* Where block i starts: after the core, the blocks before it, and the counter before a target. */
size_t block_start(const NftLayout *l, unsigned i);

/* A reader over exactly block i's expressions, for the model rule of table t (sets: may be NULL). */
NftExprReader block_reader(const RuleExprs *re, unsigned i, const Table *t, const Rule *model,
                           struct nftnl_set_list *sets);

/*
 * The "[ ... ]" lines nftnl_rule_snprintf() gives for expressions first to last - 1, without the
 * indentation, each ending in a newline; *ret_n: how many expression lines the rule has.
 */
char *expr_lines(const struct nftnl_rule *nr, size_t first, size_t last, size_t *ret_n);

/* The lines of one block, joined by newlines (no final one), into ret. */
void block_text(const struct nftnl_rule *nr, unsigned block, char *ret, size_t size);

/* The sets the compile made, in a list the readers can search, as a dump would give them. */
struct nftnl_set_list *compiled_sets(const NftCompileContext *ctx);

/* The diagnostics as diag_list_print() writes them (to free). */
char *diags_text(const DiagList *d);

void closedirp(DIR **d);

/* tests/data/golden of the source tree. */
const char *golden_dir(void);

/* A valid golden ruleset file (.v4 or .v6, with a .save): true and its path (to free). */
bool golden_is_valid(const char *name, char **ret_path);

/*
 * Every rule of the valid golden files whose names start with one of
 * prefixes (NULL-terminated), each table compiled with a context that makes
 * its sets: fn sees each rule with that context. Returns the files read.
 */
typedef void (*GoldenRuleFn)(const Table *t, const Chain *c, const Rule *rule, NftCompileContext *ctx,
                             DiagList *diags, void *userdata);
unsigned golden_for_each_rule(const char *const *prefixes, GoldenRuleFn fn, void *userdata);

/* A golden file, parsed: it must parse. */
Ruleset *parse_golden(const char *name, Family family);

/* A ruleset from text: it must parse without errors. */
Ruleset *parse_text(const char *text, Family family);

/* The one rule of the case's only table, with its table and chain. */
const Rule *only_rule(const Ruleset *rs, Family family, const Table **ret_table, const Chain **ret_chain);
