/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft-edit: a runtime edit, as the messages of one transaction. The
 * model says where every rule is (its handle) and what sets the table
 * has (the kept compile context), so an edit costs the messages it needs
 * and no dump: an insert at 1 is one NEWRULE before the first rule's
 * handle, a delete one DELRULE by handle, whatever the chain's length.
 * Pure: no socket.
 */

#include <stdarg.h>
#include <string.h>

#include "nft-edit.h"
#include "ruleset-check.h"
#include "ruleset-names.h"

#include <linux/netfilter.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>

typedef struct Edit {
        NftCompileContext *ctx;
        const Table *table;
        const Command *command;
        NftBatch *batch;
        DiagList *diags;
} Edit;

static int edit_error(const Edit *e, int err, const char *fmt, ...) _printf_(3, 4);
static int edit_error(const Edit *e, int err, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = diag_list_addv(e->diags, DIAG_ERROR, DIAG_KERNEL, &e->command->loc, fmt, ap);
        va_end(ap);
        return r < 0 ? r : err;
}

static int edit_batch_error(const Edit *e, int r) {
        if (r == -ENOMEM)
                return r;
        if (r == -E2BIG)
                return edit_error(e, -EOPNOTSUPP,
                                  "the rule is larger than nf_tables takes (at most %d expressions, and %d bytes "
                                  "for its comment and nfwall's tag)",
                                  NFT_RULE_MAX_EXPRS, NFT_UDATA_MAX);
        return edit_error(e, r, "the edit cannot be written as nf_tables messages: %s", strerror(-r));
}

/* The handle of a rule the edit refers to: known for every rule the model has from a commit or a dump. */
static int rule_handle(const Edit *e, const Chain *c, size_t index, uint64_t *ret) {
        const Rule *r = c->rules[index];

        if (r->handle == 0)
                return edit_error(e, -EINVAL, "the kernel handle of rule %zu of chain %s is not known", index + 1,
                                  c->name);
        *ret = r->handle;
        return 0;
}

/* The rule compiled, into the batch at the place. */
static int edit_put_rule(const Edit *e, const Chain *c, const Rule *rule, NftRulePlace place, uint64_t ref) {
        struct nftnl_rule *nr = NULL;
        int r;

        r = nft_compile_rule(e->ctx, c, rule, &nr);
        if (r < 0)
                return r;
        r = nft_batch_add_rule_at(e->batch, nr, place, ref, &rule->loc);
        nftnl_rule_free(nr);
        return r < 0 ? edit_batch_error(e, r) : 0;
}

static struct nftnl_chain *chain_object_new(const Edit *e, const char *name) {
        struct nftnl_chain *nc = nftnl_chain_alloc();

        if (!nc)
                return NULL;
        nftnl_chain_set_str(nc, NFTNL_CHAIN_TABLE, nft_table_name(e->table->type));
        nftnl_chain_set_str(nc, NFTNL_CHAIN_NAME, name);
        nftnl_chain_set_u32(nc, NFTNL_CHAIN_FAMILY, (uint32_t)nft_family(e->table->family));
        return nc;
}

static int edit_put_chain(const Edit *e, struct nftnl_chain *nc) {
        int r = nft_batch_add_chain(e->batch, nc, &e->command->loc, 0);

        nftnl_chain_free(nc);
        return r < 0 ? edit_batch_error(e, r) : 0;
}

/* -P: the policy, and the policy's counters only when -c gave them (else they keep counting). */
static int edit_policy(const Edit *e, const Chain *c) {
        struct nftnl_chain *nc = chain_object_new(e, c->name);

        if (!nc)
                return -ENOMEM;
        nftnl_chain_set_u32(nc, NFTNL_CHAIN_POLICY, e->command->policy == POLICY_DROP ? NF_DROP : NF_ACCEPT);
        if (e->command->flags & COMMAND_HAS_COUNTERS) {
                nftnl_chain_set_u64(nc, NFTNL_CHAIN_PACKETS, e->command->counters.packets);
                nftnl_chain_set_u64(nc, NFTNL_CHAIN_BYTES, e->command->counters.bytes);
        }
        return edit_put_chain(e, nc);
}

/* -E: by the chain's handle, which is how nf_tables renames; jumps follow by themselves. */
static int edit_rename(const Edit *e, const Chain *c) {
        struct nftnl_chain *nc;

        if (c->handle == 0)
                return edit_error(e, -EINVAL, "the kernel handle of chain %s is not known", c->name);
        nc = chain_object_new(e, e->command->new_name);
        if (!nc)
                return -ENOMEM;
        nftnl_chain_set_u64(nc, NFTNL_CHAIN_HANDLE, c->handle);
        return edit_put_chain(e, nc);
}

/*
 * -Z: nf_tables has no "zero this counter"; as iptables-nft does, each
 * rule is replaced by itself with a fresh counter, in place (the handle
 * stays), and a base chain's policy counters are given as zero.
 */
static int edit_zero_rule(const Edit *e, const Chain *c, size_t index) {
        const Rule *rule = c->rules[index];
        struct nftnl_rule *nr = NULL;
        Rule zeroed;
        uint64_t handle = 0;
        int r;

        if (rule->foreign) {
                r = diag_list_add(e->diags, DIAG_WARNING, DIAG_KERNEL, &e->command->loc,
                                  "rule %zu of chain %s was not written by nfwall: its counters are left as they are",
                                  index + 1, c->name);
                return r < 0 ? r : 0;
        }
        r = rule_handle(e, c, index, &handle);
        if (r < 0)
                return r;
        /* a shallow copy: the compiler only reads the matches and target it points to */
        zeroed = *rule;
        zeroed.counters = (Counters){};
        r = nft_compile_rule_again(e->ctx, c, &zeroed, &nr);
        if (r < 0)
                return r;
        r = nft_batch_add_rule_at(e->batch, nr, NFT_RULE_REPLACE, handle, &rule->loc);
        nftnl_rule_free(nr);
        return r < 0 ? edit_batch_error(e, r) : 0;
}

static int edit_zero_chain(const Edit *e, const Chain *c) {
        int r;

        for (size_t i = 0; i < c->n_rules; i++) {
                r = edit_zero_rule(e, c, i);
                if (r < 0)
                        return r;
        }
        if (c->builtin) {
                struct nftnl_chain *nc = chain_object_new(e, c->name);

                if (!nc)
                        return -ENOMEM;
                nftnl_chain_set_u64(nc, NFTNL_CHAIN_PACKETS, 0);
                nftnl_chain_set_u64(nc, NFTNL_CHAIN_BYTES, 0);
                return edit_put_chain(e, nc);
        }
        return 0;
}

static int edit_flush_chain(const Edit *e, const Chain *c) {
        int r;

        if (c->n_rules == 0)
                return 0;
        for (size_t i = 0; i < c->n_rules; i++) {
                r = nft_compile_context_release_rule(e->ctx, c, c->rules[i]);
                if (r < 0)
                        return r;
        }
        r = nft_batch_del_rule(e->batch, nft_family(e->table->family), nft_table_name(e->table->type), c->name, 0,
                               &e->command->loc);
        return r < 0 ? edit_batch_error(e, r) : 0;
}

static int edit_delete_chain(const Edit *e, const Chain *c) {
        int r = nft_batch_del_chain(e->batch, nft_family(e->table->family), nft_table_name(e->table->type), c->name,
                                    &e->command->loc);

        return r < 0 ? edit_batch_error(e, r) : 0;
}

/* The command's own messages. */
static int edit_compile(NftCompileContext *ctx, const Table *t, const Command *c, const CommandPlan *plan,
                     NftBatch *batch, DiagList *diags) {
        const Edit e = { .ctx = ctx, .table = t, .command = c, .batch = batch, .diags = diags };
        const Chain *chain = plan->chain;
        uint64_t handle = 0;
        int r;

        switch (c->type) {
        case COMMAND_APPEND:
                return edit_put_rule(&e, chain, c->rule, NFT_RULE_APPEND, 0);
        case COMMAND_INSERT:
                if (plan->index == chain->n_rules)
                        return edit_put_rule(&e, chain, c->rule, NFT_RULE_APPEND, 0);
                r = rule_handle(&e, chain, plan->index, &handle);
                if (r < 0)
                        return r;
                return edit_put_rule(&e, chain, c->rule, NFT_RULE_BEFORE, handle);
        case COMMAND_REPLACE:
                r = rule_handle(&e, chain, plan->index, &handle);
                if (r >= 0)
                        r = edit_put_rule(&e, chain, c->rule, NFT_RULE_REPLACE, handle);
                /* after the new rule took its references: a set both use stays */
                if (r >= 0)
                        r = nft_compile_context_release_rule(ctx, chain, chain->rules[plan->index]);
                return r;
        case COMMAND_DELETE:
                r = rule_handle(&e, chain, plan->index, &handle);
                if (r >= 0)
                        r = nft_compile_context_release_rule(ctx, chain, chain->rules[plan->index]);
                if (r < 0)
                        return r;
                r = nft_batch_del_rule(batch, nft_family(t->family), nft_table_name(t->type), chain->name, handle,
                                       &c->loc);
                return r < 0 ? edit_batch_error(&e, r) : 0;
        case COMMAND_CHECK:
                return 0;
        case COMMAND_NEW_CHAIN: {
                Chain user = { .loc = c->loc };

                strcpy(user.name, c->chain);
                return nft_compile_chain(ctx, &user) < 0 ? -ENOMEM : 0;
        }
        case COMMAND_DELETE_CHAIN:
                if (chain)
                        return edit_delete_chain(&e, chain);
                for (size_t i = 0; i < t->n_chains; i++)
                        if (!t->chains[i]->builtin) {
                                r = edit_delete_chain(&e, t->chains[i]);
                                if (r < 0)
                                        return r;
                        }
                return 0;
        case COMMAND_POLICY:
                return edit_policy(&e, chain);
        case COMMAND_FLUSH:
                if (chain)
                        return edit_flush_chain(&e, chain);
                for (size_t i = 0; i < t->n_chains; i++) {
                        r = edit_flush_chain(&e, t->chains[i]);
                        if (r < 0)
                                return r;
                }
                return 0;
        case COMMAND_ZERO:
                if (chain && (c->flags & COMMAND_HAS_RULENUM))
                        return edit_zero_rule(&e, chain, plan->index);
                if (chain)
                        return edit_zero_chain(&e, chain);
                for (size_t i = 0; i < t->n_chains; i++) {
                        r = edit_zero_chain(&e, t->chains[i]);
                        if (r < 0)
                                return r;
                }
                return 0;
        case COMMAND_RENAME_CHAIN:
                return edit_rename(&e, chain);
        case COMMAND_LIST:
        case COMMAND_LIST_RULES:
        case _COMMAND_TYPE_MAX:
        case _COMMAND_TYPE_INVALID:
                break;
        }
        return edit_error(&e, -EINVAL, "%s does not change the ruleset", strempty(command_type_to_string(c->type)));
}

/*
 * Whether the command changes the raw table's replay after conntrack
 * (CT --helper, nft-compile): the table has helpers, or gets one, and
 * the command changes rules or chains (-Z and -P do not: the replay has
 * neither counters nor policies of its own to follow).
 */
static bool edit_touches_replay(const Table *t, const Command *c) {
        bool adds_helper = c->rule && nft_rule_has_helper(c->rule);

        if (t->type != TABLE_RAW || (!adds_helper && !nft_table_has_helpers(t)))
                return false;
        switch (c->type) {
        case COMMAND_APPEND:
        case COMMAND_DELETE:
        case COMMAND_INSERT:
        case COMMAND_REPLACE:
        case COMMAND_FLUSH:
        case COMMAND_NEW_CHAIN:
        case COMMAND_DELETE_CHAIN:
        case COMMAND_RENAME_CHAIN:
                return true;
        case COMMAND_CHECK:
        case COMMAND_LIST:
        case COMMAND_LIST_RULES:
        case COMMAND_ZERO:
        case COMMAND_POLICY:
        case _COMMAND_TYPE_MAX:
        case _COMMAND_TYPE_INVALID:
                break;
        }
        return false;
}

/* A copy of the table with the command carried out on it: what the replay is made from. */
static int table_after_command(const Table *t, const Command *c, Ruleset **ret) {
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        _cleanup_(diag_list_deinit) DiagList ignored = DIAG_LIST_INIT;
        Command copy = *c;
        CommandPlan plan;
        Table *t2;
        int r;

        r = ruleset_new(&rs);
        if (r >= 0)
                r = ruleset_ensure_table(rs, t->family, t->type, &t->loc, &t2);
        for (size_t i = 0; r >= 0 && i < t->n_chains; i++) {
                const Chain *from = t->chains[i];
                Chain *to = table_find_chain(t2, from->name);

                if (!to)
                        r = table_add_chain(t2, from->name, &from->loc, &to);
                for (size_t k = 0; r >= 0 && k < from->n_rules; k++) {
                        Rule *d;

                        r = rule_dup(from->rules[k], &d);
                        if (r >= 0) {
                                r = chain_insert_rule(to, to->n_rules, d);
                                if (r < 0)
                                        rule_free(d);
                        }
                }
        }
        if (r < 0)
                return r;
        copy.rule = NULL;
        if (c->rule) {
                r = rule_dup(c->rule, &copy.rule);
                if (r < 0)
                        return r;
        }
        /* resolved on the model already: the copy has the same chains and rules */
        r = command_resolve(t2, &copy, &ignored, &plan);
        if (r >= 0)
                r = command_execute(t2, &copy, &plan);
        command_deinit(&copy);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(rs);
        return 0;
}

/*
 * The messages of one runtime edit.
 * @ctx: the table's context, attached to @t and @batch, in an edit (nft_compile_context_edit_begin())
 * @t: the table, as it is before the command
 * @c: the command, resolved
 * @plan: what command_resolve() found
 * @batch: where the messages go; with echo on, so that new rules and chains tell their handles
 * @diags: where problems go, at the command
 *
 * The rules the command removes give up their sets; a set left without a
 * rule is deleted in the same transaction, after them.
 *
 * Return: 0; -EOPNOTSUPP, -EINVAL after diagnostics; -ENOMEM.
 */
static int edit_compile_all(NftCompileContext *ctx, const Table *t, const Command *c, const CommandPlan *plan,
                            NftBatch *batch, DiagList *diags) {
        _cleanup_(ruleset_freep) Ruleset *after = NULL;
        int r;

        r = edit_compile(ctx, t, c, plan, batch, diags);
        if (r >= 0 && edit_touches_replay(t, c)) {
                r = table_after_command(t, c, &after);
                if (r >= 0)
                        r = nft_compile_context_edit_replay(ctx, t, ruleset_get_table(after, t->family, t->type),
                                                            &c->loc);
        }
        if (r >= 0)
                r = nft_compile_context_delete_unused(ctx);
        return r;
}

/*
 * The handles the kernel gave an edit, into the model.
 * @t: the table, the command carried out on it
 * @new_table: the edit made the table (its head is in the batch, chains in the table's order)
 * @c: the command
 * @added: the rule -A, -I or -R put in, or NULL
 * @b: the edit's batch, committed with echo
 */
static void edit_take_handles(Table *t, bool new_table, const Command *c, Rule *added, const NftBatch *b) {
        size_t next_chain = 0;
        const NftMessage *last_rule = NULL, *last_chain = NULL;

        for (size_t i = 0; i < b->n_messages; i++) {
                const NftMessage *msg = &b->messages[i];

                if (msg->replay)
                        continue;       /* the raw table's replay after conntrack: not the model's */
                if (msg->kind == NFT_MESSAGE_NEW_RULE)
                        last_rule = msg;
                else if (msg->kind == NFT_MESSAGE_NEW_CHAIN) {
                        /* a new table's chains come first, in the table's order */
                        if (new_table && next_chain < t->n_chains)
                                t->chains[next_chain++]->handle = msg->handle;
                        else
                                last_chain = msg;
                }
        }
        if (added && last_rule)
                added->handle = last_rule->handle;
        if (c->type == COMMAND_NEW_CHAIN && last_chain) {
                Chain *made = table_find_chain(t, c->chain);
                if (made)
                        made->handle = last_chain->handle;
        }
}

/**
 * nft_edit_begin() - check a command on its table and compile the messages of its transaction
 * @e: the edit, filled in
 * @ctx: the table's context (kept from a compile, or made for edits)
 * @t: the table as the model holds it
 * @new_table: the model's table was made for this edit: its head goes into the batch first
 * @c: the command (modifying, or -C)
 * @batch: where the messages go; echo is turned on, for the handles of new rules and chains
 * @diags: where the reasons for refusing it go
 *
 * The command is resolved on the model (command_resolve()), a rule it
 * adds is checked in place (table_check_rule()), and the context's
 * bookkeeping of the table's sets is opened. For -C nothing is compiled:
 * 0 says the rule exists. The caller commits the batch, unless it is
 * empty, and hands the answer to nft_edit_end().
 *
 * Return: 0; the refusal after diagnostics (-ENOENT for no such chain or
 * rule, -EINVAL...); -ENOMEM. On failure nothing is left open.
 */
int nft_edit_begin(NftEdit *e, NftCompileContext *ctx, Table *t, bool new_table, Command *c, NftBatch *batch,
                   DiagList *diags) {
        int r;

        *e = (NftEdit){ .ctx = ctx, .table = t, .command = c, .new_table = new_table };
        r = command_resolve(t, c, diags, &e->plan);
        if (r >= 0 && c->rule && c->type != COMMAND_CHECK && c->type != COMMAND_DELETE)
                r = table_check_rule(t, e->plan.chain, e->plan.index, c->type == COMMAND_REPLACE, c->rule, diags);
        if (r < 0 || c->type == COMMAND_CHECK)
                return r;

        nft_batch_set_echo(batch, true);
        nft_compile_context_attach(ctx, t, batch, diags);
        nft_compile_context_edit_begin(ctx);
        e->open = true;
        if (new_table)
                r = nft_compile_table_head(ctx);
        if (r >= 0)
                r = edit_compile_all(ctx, t, c, &e->plan, batch, diags);
        if (r < 0)
                (void)nft_edit_end(e, batch, false);
        return r;
}

/**
 * nft_edit_end() - what the kernel answered, into the context and the model
 * @e: the edit nft_edit_begin() compiled
 * @batch: its batch, committed with echo (or refused, or never sent)
 * @committed: the kernel took it (an empty batch counts as taken)
 *
 * Taken: the context's sets are as the kernel now holds them, the command
 * is carried out on the model (command_execute()), and new rules and
 * chains get the handles the kernel echoed. Refused: the context is as it
 * was, and the model was never touched.
 *
 * Return: 0, or -ENOMEM when the model could not follow the kernel.
 */
int nft_edit_end(NftEdit *e, const NftBatch *batch, bool committed) {
        Command *c = e->command;
        Rule *added;
        int r;

        if (!e->open)
                return 0;
        e->open = false;
        nft_compile_context_edit_end(e->ctx, committed);
        if (!committed)
                return 0;
        added = c->type == COMMAND_APPEND || c->type == COMMAND_INSERT || c->type == COMMAND_REPLACE ? c->rule : NULL;
        r = command_execute(e->table, c, &e->plan);
        if (r < 0)
                return r;
        edit_take_handles(e->table, e->new_table, c, added, batch);
        return 0;
}
