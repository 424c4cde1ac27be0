/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Model → the messages of one nf_tables transaction, without a socket:
 * each object is built with libnftnl, serialised into the batch's pages
 * and freed.
 */

#include "diag.h"
#include "nft-batch.h"
#include "nft-ext.h"
#include "ruleset.h"

/* The nf_tables table name of one of ours ("nfwall-filter"), and back. */
const char *nft_table_name(TableType t) _const_;
TableType nft_table_from_name(const char *name) _pure_;
int nft_family(Family f) _const_;       /* NFPROTO_IPV4 / NFPROTO_IPV6 */

/*
 * Replaces every table of ours in the families of `families` (FAMILY_BIT()s)
 * with what rs holds: each is created if missing, deleted (with
 * nft_compile_ruleset_keep()'s @present: only those the kernel holds), and made again
 * with its chains, sets and rules, so that the transaction starts from
 * nothing whatever the kernel held. Tables rs does not have end up absent.
 * Since every table is made anew, each chain, set and rule message
 * carries the handle the kernel will give it (NftMessage.handle), and a
 * commit needs no echo to learn them.
 * 0, or a negative errno after diagnostics at the offending rules.
 */
int nft_compile_ruleset(const Ruleset *rs, unsigned families, NftBatch *batch, DiagList *diags);

typedef struct NftCompileContext NftCompileContext;

/*
 * What runtime edits of a table build on, per table of both families: the
 * context its last compile used, which knows the sets the kernel holds
 * (by content and name). NULL where there is none.
 */
typedef struct NftCompileState {
        NftCompileContext *tables[_FAMILY_MAX][_TABLE_TYPE_MAX];
} NftCompileState;

void nft_compile_state_drop(NftCompileState *s, unsigned families);

/*
 * Which of our tables the kernel holds, per family: bit (1 << TableType).
 * Read at a generation the commit then names (NFT_COMMIT_GENID), it lets a
 * load delete just those, instead of creating and deleting every table
 * type blind, which has the kernel make, announce and free tables that
 * never were.
 */
typedef struct NftPresentTables {
        unsigned types[_FAMILY_MAX];
} NftPresentTables;

/* Adds the names of a family's tables (nft_socket_list_tables()) that are ours. */
void nft_present_tables_add(NftPresentTables *p, Family f, char *const *names);

/*
 * nft_compile_ruleset(), keeping each table's context in @state (NULL: not)
 * when all compiled; with @present (NULL: unknown), only those of our
 * tables are deleted first.
 */
int nft_compile_ruleset_keep(const Ruleset *rs, unsigned families, const NftPresentTables *present, NftBatch *batch,
                             DiagList *diags, NftCompileState *state);
/*
 * CT --helper: the raw table replayed after conntrack (nft-compile.c says
 * why and how), in chains named NFT_REPLAY_CHAIN_PREFIX + the chain's name:
 * longer than any iptables chain name, so never one of the model's.
 */
#define NFT_REPLAY_CHAIN_PREFIX "after-conntrack-for-helpers:"
/* Its base chains' priority: NF_IP_PRI_CONNTRACK + 1, the connection made, not yet confirmed. */
#define NFT_REPLAY_PRIORITY (-199)
_Static_assert(sizeof(NFT_REPLAY_CHAIN_PREFIX) - 1 >= CHAIN_NAME_MAX, "replay chains must not be model chains");

bool nft_rule_has_helper(const Rule *r);        /* -j CT --helper */
bool nft_table_has_helpers(const Table *t);
const char *nft_replay_chain_name(const char *chain, char *buf, size_t size);
/* A replay chain (@rule and @nr NULL) or one of its rules (replaying @rule), in batch order. */
typedef int (*NftReplayFn)(NftCompileContext *ctx, const Chain *c, const char *name, const Rule *rule,
                           struct nftnl_rule *nr, void *userdata);
int nft_compile_replay(NftCompileContext *ctx, NftReplayFn fn, void *userdata);
int nft_compile_context_edit_replay(NftCompileContext *ctx, const Table *before, const Table *after,
                                    const SourceLoc *loc);

/* After the kernel took the batch: each chain's and rule's handle, from its message, into rs. */
void nft_compile_assign_handles(Ruleset *rs, unsigned families, const NftBatch *b);

/*
 * One rule, for runtime edits and for the decompiler's check that a rule
 * read back is the rule we would write. The context carries the table's
 * shared sets; nft_compile_context_new() with batch NULL makes sets known
 * by name only (no messages), as the decompiler needs.
 */
int nft_compile_context_new(const Table *t, NftBatch *batch, DiagList *diags, NftCompileContext **ret);
NftCompileContext *nft_compile_context_free(NftCompileContext *ctx);
DEFINE_TRIVIAL_CLEANUP_FUNC(NftCompileContext *, nft_compile_context_free);
int nft_compile_rule(NftCompileContext *ctx, const Chain *chain, const Rule *rule, struct nftnl_rule **ret);
/* For edits: the table as the model holds it now, the edit's batch and diagnostics. */
void nft_compile_context_attach(NftCompileContext *ctx, const Table *t, NftBatch *batch, DiagList *diags);
/* New sets named after the generation the table was read at: it holds sets this context does not know. */
void nft_compile_context_name_sets(NftCompileContext *ctx, uint32_t generation);
/* A table read back: its sets (by contents, with the count of rules that look each up) become the context's. */
int nft_compile_context_adopt_sets(NftCompileContext *ctx, const NftTableDump *dump);
/*
 * One edit's bookkeeping of the table's sets: references taken by rules
 * compiled, dropped by rules released, sets made; undone when the kernel
 * refuses the edit (committed false). A set left without a reference is
 * deleted by the edit (nft_compile_context_delete_unused(), after its
 * rule messages).
 */
void nft_compile_context_edit_begin(NftCompileContext *ctx);
void nft_compile_context_edit_end(NftCompileContext *ctx, bool committed);
int nft_compile_context_release_rule(NftCompileContext *ctx, const Chain *chain, const Rule *rule);
int nft_compile_context_delete_unused(NftCompileContext *ctx);
/* A rule in place of itself (-Z): its sets keep their count of references. */
int nft_compile_rule_again(NftCompileContext *ctx, const Chain *chain, const Rule *rule, struct nftnl_rule **ret);
/* NEWCHAIN of one chain, and NEWTABLE with every chain of the context's table, into its batch. */
int nft_compile_chain(NftCompileContext *ctx, const Chain *c);
int nft_compile_table_head(NftCompileContext *ctx);
/* The spec of a set this context made, by name; NULL if it made none of that name. */
const NftSetSpec *nft_compile_context_find_set(const NftCompileContext *ctx, const char *name);
/* The sets this context made, as a dump would list them: a new list for the caller. */
int nft_compile_context_get_sets(const NftCompileContext *ctx, struct nftnl_set_list **ret);
