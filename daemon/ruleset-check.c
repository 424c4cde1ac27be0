/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ruleset-check: validation of a parsed (or edited) ruleset as a whole,
 * before anything is compiled. Pure: model in, diagnostics out.
 */

#include <stdlib.h>
#include <string.h>

#include "ruleset-check.h"
#include "ruleset-ext.h"
#include "ruleset-names.h"

static const char *target_chain(const Rule *r) {
        if (!r->target || (r->target->ext->type != TARGET_JUMP && r->target->ext->type != TARGET_GOTO))
                return NULL;
        return ((const TargetChain *)target_data(r->target))->chain;
}

/* code: DIAG_PARAMETER for what iptables refuses while reading the command line (exit 2 at runtime). */
static int rule_error(DiagList *diags, DiagCode code, const Rule *r, unsigned column, const char *fmt, ...)
        _printf_(5, 6);
static int rule_error(DiagList *diags, DiagCode code, const Rule *r, unsigned column, const char *fmt, ...) {
        SourceLoc loc = r->loc;
        va_list ap;
        int k;

        if (column)
                loc.column = column;
        va_start(ap, fmt);
        k = diag_list_addv(diags, DIAG_ERROR, code, &loc, fmt, ap);
        va_end(ap);
        return k < 0 ? k : -EINVAL;
}

typedef struct ChainState {
        unsigned hooks;         /* hooks the chain is reached from */
        int visiting;           /* 1 on the DFS stack, 2 done */
} ChainState;

static size_t chain_index(const Table *t, const Chain *c) {
        for (size_t i = 0; i < t->n_chains; i++)
                if (t->chains[i] == c)
                        return i;
        return 0;
}

/* Depth-first over jumps: reports loops and collects the hooks reaching each chain. */
static int visit_chain(const Table *t, ChainState *st, size_t i, unsigned hooks, DiagList *diags, int *err) {
        const Chain *c = t->chains[i];

        if (st[i].visiting == 1)
                return 1; /* back edge: a loop, reported by the caller at the jump */
        if (st[i].visiting == 2 && (st[i].hooks | hooks) == st[i].hooks)
                return 0;
        st[i].hooks |= hooks;
        st[i].visiting = 1;
        for (size_t k = 0; k < c->n_rules; k++) {
                const Rule *r = c->rules[k];
                const char *name = target_chain(r);
                Chain *next;

                if (!name)
                        continue;
                next = table_find_chain(t, name);
                if (!next || next->builtin)
                        continue; /* reported in table_check() */
                if (visit_chain(t, st, chain_index(t, next), st[i].hooks, diags, err) == 1) {
                        int k_r = rule_error(diags, DIAG_SEMANTIC, r, r->target->column,
                                             "jump from chain %s to %s makes a loop", c->name, name);
                        if (*err == 0)
                                *err = k_r;
                }
        }
        st[i].visiting = 2;
        return 0;
}

static void hooks_to_string(unsigned hooks, char *buf, size_t size) {
        buf[0] = 0;
        for (Hook h = 0; h < _HOOK_MAX; h++)
                if (hooks & HOOK_BIT(h)) {
                        if (buf[0])
                                strncat(buf, ", ", size - strlen(buf) - 1);
                        strncat(buf, hook_to_string(h), size - strlen(buf) - 1);
                }
}

static int check_extension(const Table *t, const Chain *c, const Rule *r, const Extension *ext, const void *data,
                           unsigned column, unsigned hooks, DiagList *diags) {
        const char *kind = ext->is_target ? "target" : "match";
        unsigned valid = ext->hooks & (ext->payload_hooks ? ext->payload_hooks(data) : HOOK_ANY);
        char allowed[64], reached[64];

        if (!(ext->tables & TABLE_BIT(t->type)))
                return rule_error(diags, DIAG_SEMANTIC, r, column, "%s %s cannot be used in table %s", kind,
                                  ext->name, table_type_to_string(t->type));
        if (hooks & ~valid) {
                hooks_to_string(valid & table_type_hooks(t->type), allowed, sizeof(allowed));
                hooks_to_string(hooks & ~valid, reached, sizeof(reached));
                if (c->builtin)
                        return rule_error(diags, DIAG_SEMANTIC, r, column, "%s %s is only valid in %s, not in %s",
                                          kind, ext->name, allowed, c->name);
                return rule_error(diags, DIAG_SEMANTIC, r, column,
                                  "%s %s is only valid in %s, but chain %s is reached from %s", kind, ext->name,
                                  allowed, c->name, reached);
        }
        return 0;
}

static int check_rule_extensions(const Table *t, const Chain *c, const Rule *rule, unsigned hooks, DiagList *diags) {
        int r, err = 0;

        /* iptables' one rule of taste: its nat table sees only a connection's first packet */
        if (t->type == TABLE_NAT && rule->target && rule->target->ext->type == TARGET_DROP)
                return rule_error(diags, DIAG_PARAMETER, rule, rule->target->column,
                                       "the nat table is not for filtering: DROP is refused there, as iptables does");

        for (const Match *m = rule->matches; m; m = m->next) {
                r = check_extension(t, c, rule, m->ext, match_data(m), m->column, hooks, diags);
                if (r < 0 && err == 0)
                        err = r;
        }
        if (rule->target) {
                r = check_extension(t, c, rule, rule->target->ext, target_data(rule->target), rule->target->column,
                                    hooks, diags);
                if (r < 0 && err == 0)
                        err = r;
        }
        return err;
}

/*
 * iptables refuses -i in OUTPUT/POSTROUTING and -o in PREROUTING/INPUT
 * ("Can't use -o with INPUT"). In user chains both are allowed: such a
 * chain may be reached from several hooks, and there the test is false.
 */
static int check_interfaces(const Chain *c, const Rule *r, DiagList *diags) {
        if (!c->builtin)
                return 0;
        if (r->iniface[0] && (c->hook == HOOK_OUTPUT || c->hook == HOOK_POSTROUTING))
                return rule_error(diags, DIAG_PARAMETER, r, 0,
                                  "-i cannot be used in %s: those packets have no input interface", c->name);
        if (r->outiface[0] && (c->hook == HOOK_PREROUTING || c->hook == HOOK_INPUT))
                return rule_error(diags, DIAG_PARAMETER, r, 0,
                                  "-o cannot be used in %s: those packets have no output interface yet", c->name);
        return 0;
}

int table_check(const Table *t, DiagList *diags) {
        _cleanup_free_ ChainState *st = NULL;
        int err = 0, r;

        st = calloc(t->n_chains ? t->n_chains : 1, sizeof(ChainState));
        if (!st)
                return -ENOMEM;

        /* Jumps go to user chains that exist. */
        for (size_t i = 0; i < t->n_chains; i++)
                for (size_t k = 0; k < t->chains[i]->n_rules; k++) {
                        const Rule *rule = t->chains[i]->rules[k];
                        const char *name = target_chain(rule);
                        const Chain *dst;

                        if (!name)
                                continue;
                        dst = table_find_chain(t, name);
                        if (!dst)
                                r = rule_error(diags, DIAG_PARAMETER, rule, rule->target->column,
                                               "chain %s does not exist in table %s (and %s is no target nfwall knows)",
                                               name, table_type_to_string(t->type), name);
                        else if (dst->builtin)
                                r = rule_error(diags, DIAG_PARAMETER, rule, rule->target->column,
                                               "cannot jump to built-in chain %s", name);
                        else
                                r = 0;
                        if (r < 0 && err == 0)
                                err = r;
                }
        if (err < 0)
                return err;

        for (size_t i = 0; i < t->n_chains; i++)
                if (t->chains[i]->builtin)
                        visit_chain(t, st, i, HOOK_BIT(t->chains[i]->hook), diags, &err);
        /* Unreachable user chains still must not loop. */
        for (size_t i = 0; i < t->n_chains; i++)
                if (!t->chains[i]->builtin && st[i].visiting == 0)
                        visit_chain(t, st, i, 0, diags, &err);
        if (err < 0)
                return err;

        for (size_t i = 0; i < t->n_chains; i++) {
                const Chain *c = t->chains[i];
                for (size_t k = 0; k < c->n_rules; k++) {
                        const Rule *rule = c->rules[k];
                        r = check_interfaces(c, rule, diags);
                        if (r < 0 && err == 0)
                                err = r;
                        r = check_rule_extensions(t, c, rule, st[i].hooks, diags);
                        if (r < 0 && err == 0)
                                err = r;
                }
        }
        return err;
}

int ruleset_check(const Ruleset *rs, DiagList *diags) {
        int err = 0;

        for (int f = 0; f < _FAMILY_MAX; f++)
                for (int t = 0; t < _TABLE_TYPE_MAX; t++) {
                        int r;
                        if (!rs->tables[f][t])
                                continue;
                        r = table_check(rs->tables[f][t], diags);
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0 && err == 0)
                                err = r;
                }
        return err;
}

/**
 * table_check_rule() - whether a table stays valid with one more rule, or another in a place
 * @t: the table, valid as it is
 * @c: the rule's chain
 * @position: where the rule goes (0-based)
 * @replace: the rule takes the place of the one at @position instead of going before it
 * @rule: the rule
 * @diags: where the problems go, at the rule's location
 *
 * A runtime edit must not cost a walk of 50k rules when it need not: a
 * rule of a built-in chain that jumps nowhere is checked alone, since
 * nothing else can change with it. Any other rule changes which hooks
 * reach which chains, or may close a loop: the table is checked with the
 * rule in place, and left as it was.
 *
 * Return: 0, -EINVAL after diagnostics, -ENOMEM.
 */
int table_check_rule(Table *t, Chain *c, size_t position, bool replace, Rule *rule, DiagList *diags) {
        Rule *old = NULL;
        int r, k;

        if (c->builtin && !target_chain(rule)) {
                r = check_interfaces(c, rule, diags);
                k = check_rule_extensions(t, c, rule, HOOK_BIT(c->hook), diags);
                return r < 0 ? r : k;
        }

        if (replace) {
                old = c->rules[position];
                c->rules[position] = rule;
        } else {
                r = chain_insert_rule(c, position, rule);
                if (r < 0)
                        return r;
        }
        r = table_check(t, diags);
        if (replace)
                c->rules[position] = old;
        else
                (void)chain_take_rule(c, position);
        return r;
}
