/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ruleset: the model's constructors, destructors and edits. No I/O, no
 * netlink: every stage of the pipeline builds or reads these objects.
 */

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "ruleset-ext.h"
#include "ruleset-names.h"
#include "ruleset.h"

int ruleset_new(Ruleset **ret) {
        Ruleset *rs = calloc(1, sizeof(*rs));
        if (!rs)
                return -ENOMEM;
        *ret = rs;
        return 0;
}

Ruleset *ruleset_free(Ruleset *rs) {
        if (!rs)
                return NULL;
        for (int f = 0; f < _FAMILY_MAX; f++)
                for (int t = 0; t < _TABLE_TYPE_MAX; t++)
                        table_free(rs->tables[f][t]);
        for (size_t i = 0; i < rs->n_files; i++)
                free(rs->files[i]);
        free(rs->files);
        free(rs);
        return NULL;
}

const char *ruleset_intern_file(Ruleset *rs, const char *file) {
        char **files, *copy;

        if (!file)
                return NULL;
        for (size_t i = 0; i < rs->n_files; i++)
                if (streq(rs->files[i], file))
                        return rs->files[i];
        copy = strdup(file);
        if (!copy)
                return NULL;
        files = reallocarray(rs->files, rs->n_files + 1, sizeof(char *));
        if (!files) {
                free(copy);
                return NULL;
        }
        rs->files = files;
        rs->files[rs->n_files++] = copy;
        return copy;
}

Table *ruleset_get_table(const Ruleset *rs, Family family, TableType type) {
        if ((unsigned)family >= _FAMILY_MAX || (unsigned)type >= _TABLE_TYPE_MAX)
                return NULL;
        return rs->tables[family][type];
}

bool table_has_builtin(TableType type, Hook hook) {
        return table_type_hooks(type) & HOOK_BIT(hook);
}

static int table_push_chain(Table *t, size_t position, Chain *c) {
        if (t->n_chains == t->n_allocated) {
                size_t n = t->n_allocated ? t->n_allocated * 2 : 8;
                Chain **chains = reallocarray(t->chains, n, sizeof(Chain *));
                if (!chains)
                        return -ENOMEM;
                t->chains = chains;
                t->n_allocated = n;
        }
        memmove(t->chains + position + 1, t->chains + position, (t->n_chains - position) * sizeof(Chain *));
        t->chains[position] = c;
        t->n_chains++;
        c->table = t;
        return 0;
}

static Chain *chain_free(Chain *c) {
        if (!c)
                return NULL;
        chain_flush(c);
        free(c->rules);
        free(c);
        return NULL;
}

static int table_new(Family family, TableType type, const SourceLoc *loc, Table **ret) {
        Table *t;
        int r;

        t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        t->family = family;
        t->type = type;
        if (loc)
                t->loc = *loc;

        for (Hook h = 0; h < _HOOK_MAX; h++) {
                Chain *c;

                if (!table_has_builtin(type, h))
                        continue;
                c = calloc(1, sizeof(*c));
                if (!c) {
                        table_free(t);
                        return -ENOMEM;
                }
                strcpy(c->name, hook_to_string(h));
                c->builtin = true;
                c->hook = h;
                c->policy = POLICY_ACCEPT;
                if (loc)
                        c->loc = *loc;
                r = table_push_chain(t, t->n_chains, c);
                if (r < 0) {
                        chain_free(c);
                        table_free(t);
                        return r;
                }
        }
        *ret = t;
        return 0;
}

Table *table_free(Table *t) {
        if (!t)
                return NULL;
        for (size_t i = 0; i < t->n_chains; i++)
                chain_free(t->chains[i]);
        free(t->chains);
        free(t);
        return NULL;
}

int ruleset_ensure_table(Ruleset *rs, Family family, TableType type, const SourceLoc *loc, Table **ret) {
        Table *t = ruleset_get_table(rs, family, type);
        int r;

        if (!t) {
                r = table_new(family, type, loc, &t);
                if (r < 0)
                        return r;
                rs->tables[family][type] = t;
        }
        if (ret)
                *ret = t;
        return 0;
}

int ruleset_reset_table(Ruleset *rs, Family family, TableType type, const SourceLoc *loc, Table **ret) {
        Table *t;
        int r;

        r = table_new(family, type, loc, &t);
        if (r < 0)
                return r;
        table_free(rs->tables[family][type]);
        rs->tables[family][type] = t;
        if (ret)
                *ret = t;
        return 0;
}

void ruleset_remove_table(Ruleset *rs, Family family, TableType type) {
        rs->tables[family][type] = table_free(rs->tables[family][type]);
}

size_t ruleset_count_rules(const Ruleset *rs) {
        size_t n = 0;

        for (int f = 0; f < _FAMILY_MAX; f++)
                for (int t = 0; t < _TABLE_TYPE_MAX; t++) {
                        const Table *table = rs->tables[f][t];
                        if (!table)
                                continue;
                        for (size_t i = 0; i < table->n_chains; i++)
                                n += table->chains[i]->n_rules;
                }
        return n;
}

/* Built-in chains come first; user chains are kept sorted after them. */
static size_t table_first_user_chain(const Table *t) {
        size_t i = 0;

        while (i < t->n_chains && t->chains[i]->builtin)
                i++;
        return i;
}

ssize_t table_find_chain_index(const Table *t, const char *name) {
        size_t lo = table_first_user_chain(t), hi = t->n_chains;

        for (size_t i = 0; i < lo; i++)
                if (streq(t->chains[i]->name, name))
                        return (ssize_t)i;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strcmp(t->chains[mid]->name, name);
                if (c == 0)
                        return (ssize_t)mid;
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return -ENOENT;
}

Chain *table_find_chain(const Table *t, const char *name) {
        ssize_t i = table_find_chain_index(t, name);

        return i < 0 ? NULL : t->chains[i];
}

static size_t table_user_chain_position(const Table *t, const char *name) {
        size_t lo = table_first_user_chain(t), hi = t->n_chains;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (strcmp(t->chains[mid]->name, name) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

int table_add_chain(Table *t, const char *name, const SourceLoc *loc, Chain **ret) {
        Chain *c;
        int r;

        if (strlen(name) > CHAIN_NAME_MAX)
                return -ENAMETOOLONG;
        if (table_find_chain(t, name))
                return -EEXIST;
        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        strcpy(c->name, name);
        if (loc)
                c->loc = *loc;
        r = table_push_chain(t, table_user_chain_position(t, name), c);
        if (r < 0) {
                free(c);
                return r;
        }
        if (ret)
                *ret = c;
        return 0;
}

static size_t table_chain_index(const Table *t, const Chain *c) {
        for (size_t i = 0; i < t->n_chains; i++)
                if (t->chains[i] == c)
                        return i;
        return t->n_chains;
}

int table_remove_chain(Table *t, Chain *c) {
        size_t i = table_chain_index(t, c);

        if (i == t->n_chains || c->builtin)
                return -EINVAL;
        memmove(t->chains + i, t->chains + i + 1, (t->n_chains - i - 1) * sizeof(Chain *));
        t->n_chains--;
        chain_free(c);
        return 0;
}

int table_rename_chain(Table *t, Chain *c, const char *name) {
        size_t i = table_chain_index(t, c);

        if (i == t->n_chains || c->builtin)
                return -EINVAL;
        if (strlen(name) > CHAIN_NAME_MAX)
                return -ENAMETOOLONG;
        if (table_find_chain(t, name))
                return -EEXIST;
        memmove(t->chains + i, t->chains + i + 1, (t->n_chains - i - 1) * sizeof(Chain *));
        t->n_chains--;
        strcpy(c->name, name);
        /* Cannot fail: the array just had room for this chain. */
        return table_push_chain(t, table_user_chain_position(t, name), c);
}

size_t table_count_references(const Table *t, const char *chain) {
        size_t n = 0;

        for (size_t i = 0; i < t->n_chains; i++)
                for (size_t j = 0; j < t->chains[i]->n_rules; j++) {
                        const Target *tg = t->chains[i]->rules[j]->target;
                        if (tg && (tg->ext->type == TARGET_JUMP || tg->ext->type == TARGET_GOTO) &&
                            streq(((const TargetChain *)target_data(tg))->chain, chain))
                                n++;
                }
        return n;
}

int chain_insert_rule(Chain *c, size_t position, Rule *r) {
        if (position > c->n_rules)
                return -ERANGE;
        if (c->n_rules == c->n_allocated) {
                size_t n = c->n_allocated ? c->n_allocated * 2 : 8;
                Rule **rules = reallocarray(c->rules, n, sizeof(Rule *));
                if (!rules)
                        return -ENOMEM;
                c->rules = rules;
                c->n_allocated = n;
        }
        memmove(c->rules + position + 1, c->rules + position, (c->n_rules - position) * sizeof(Rule *));
        c->rules[position] = r;
        c->n_rules++;
        return 0;
}

Rule *chain_take_rule(Chain *c, size_t position) {
        Rule *r;

        if (position >= c->n_rules)
                return NULL;
        r = c->rules[position];
        memmove(c->rules + position, c->rules + position + 1, (c->n_rules - position - 1) * sizeof(Rule *));
        c->n_rules--;
        return r;
}

void chain_flush(Chain *c) {
        for (size_t i = 0; i < c->n_rules; i++)
                rule_free(c->rules[i]);
        c->n_rules = 0;
}

int rule_new(Rule **ret) {
        Rule *r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        *ret = r;
        return 0;
}

Match *match_free(Match *m) {
        free(m);
        return NULL;
}

Target *target_free(Target *t) {
        free(t);
        return NULL;
}

Rule *rule_free(Rule *r) {
        if (!r || r->in_scratch)
                return NULL;
        if (!r->packed) {
                for (Match *m = r->matches, *next; m; m = next) {
                        next = m->next;
                        match_free(m);
                }
                target_free(r->target);
        }
        free(r->foreign);
        free(r);
        return NULL;
}

/* The scratch area a rule was made in: its address sits just before the rule. */
static RuleScratch *rule_scratch(const Rule *r) {
        return *(RuleScratch **)((uint8_t *)r - 8);
}

/* Zeroed memory for a part of r: from its scratch area if it has one. */
static void *rule_part_alloc(Rule *r, size_t size) {
        RuleScratch *s;
        void *p;

        if (!r->in_scratch)
                return calloc(1, size);
        s = rule_scratch(r);
        size = (size + 7) & ~(size_t)7;
        if (s->used + size > s->size)
                return NULL; /* no rule of iptables' grammar comes near the scratch size */
        p = s->data + s->used;
        s->used += size;
        memset(p, 0, size);
        return p;
}

static void rule_part_free(const Rule *r, void *p) {
        if (!r->in_scratch)
                free(p);
}

void rule_scratch_deinit(RuleScratch *s) {
        free(s->data);
        *s = RULE_SCRATCH_INIT;
}

int rule_new_in_scratch(RuleScratch *s, Rule **ret) {
        /* 32 matches of the largest payloads fit many times over */
        static const size_t size = 64 * 1024;
        Rule *r;

        if (!s->data) {
                s->data = malloc(size);
                if (!s->data)
                        return -ENOMEM;
                s->size = size;
        }
        *(RuleScratch **)s->data = s;
        r = (Rule *)(s->data + 8);
        memset(r, 0, sizeof(*r));
        r->in_scratch = true;
        s->used = 8 + ((sizeof(Rule) + 7) & ~(size_t)7);
        *ret = r;
        return 0;
}

int rule_add_match(Rule *r, const Extension *ext, unsigned column, Match **ret) {
        Match *m, **tail;

        assert(!r->packed);
        m = rule_part_alloc(r, sizeof(Match) + ext->size);
        if (!m)
                return -ENOMEM;
        m->ext = ext;
        m->column = column;
        m->size = (uint32_t)ext->size;
        for (tail = &r->matches; *tail; tail = &(*tail)->next)
                ;
        *tail = m;
        if (ret)
                *ret = m;
        return 0;
}

int rule_set_target(Rule *r, const Extension *ext, unsigned column, Target **ret) {
        Target *t;

        assert(!r->packed);
        t = rule_part_alloc(r, sizeof(Target) + ext->size);
        if (!t)
                return -ENOMEM;
        t->ext = ext;
        t->column = column;
        t->size = (uint32_t)ext->size;
        rule_part_free(r, r->target);
        r->target = t;
        if (ret)
                *ret = t;
        return 0;
}

const Match *rule_find_match(const Rule *r, MatchType type) {
        for (const Match *m = r->matches; m; m = m->next)
                if (m->ext->type == (unsigned)type)
                        return m;
        return NULL;
}

#define PACK_ALIGN(n) (((n) + 7) & ~(size_t)7)

static size_t match_used_size(const Match *m) {
        return m->ext->used_size ? MIN(m->ext->used_size(m->data), (size_t)m->size) : m->size;
}

int rule_dup(const Rule *r, Rule **ret) {
        size_t total = PACK_ALIGN(sizeof(Rule));
        Match **tail;
        uint8_t *p;
        Rule *n;

        for (const Match *m = r->matches; m; m = m->next)
                total += PACK_ALIGN(sizeof(Match) + match_used_size(m));
        if (r->target)
                total += PACK_ALIGN(sizeof(Target) + r->target->size);

        n = malloc(total);
        if (!n)
                return -ENOMEM;
        *n = *r;
        n->packed = true;
        n->in_scratch = false;
        if (r->foreign) {
                n->foreign = strdup(r->foreign);
                if (!n->foreign) {
                        free(n);
                        return -ENOMEM;
                }
        }
        n->matches = NULL;
        p = (uint8_t *)n + PACK_ALIGN(sizeof(Rule));
        tail = &n->matches;
        for (const Match *m = r->matches; m; m = m->next) {
                size_t size = match_used_size(m);
                Match *c = (Match *)p;

                memcpy(c, m, sizeof(Match) + size);
                c->size = (uint32_t)size;
                c->next = NULL;
                *tail = c;
                tail = &c->next;
                p += PACK_ALIGN(sizeof(Match) + size);
        }
        if (r->target) {
                n->target = (Target *)p;
                memcpy(n->target, r->target, sizeof(Target) + r->target->size);
        }
        *ret = n;
        return 0;
}

int rule_pack(Rule **r) {
        Rule *packed;
        int k;

        if ((*r)->packed)
                return 0;
        k = rule_dup(*r, &packed);
        if (k < 0)
                return k;
        rule_free(*r);
        *r = packed;
        return 0;
}

/* A payload shrunk by rule_shrink() equals its unshrunk twin: the bytes cut off were zero. */
static bool payload_equal(const uint8_t *a, size_t a_size, const uint8_t *b, size_t b_size) {
        size_t n = MIN(a_size, b_size);

        if (memcmp(a, b, n) != 0)
                return false;
        for (size_t i = n; i < a_size; i++)
                if (a[i])
                        return false;
        for (size_t i = n; i < b_size; i++)
                if (b[i])
                        return false;
        return true;
}

bool rule_equal(const Rule *a, const Rule *b) {
        const Match *ma, *mb;

        if (a->foreign || b->foreign)
                return a->foreign && b->foreign && streq(a->foreign, b->foreign);

        if (memcmp(&a->src, &b->src, sizeof(a->src)) || memcmp(&a->dst, &b->dst, sizeof(a->dst)) ||
            strcmp(a->iniface, b->iniface) || strcmp(a->outiface, b->outiface) || a->flags != b->flags ||
            a->proto != b->proto)
                return false;
        for (ma = a->matches, mb = b->matches; ma && mb; ma = ma->next, mb = mb->next)
                if (ma->ext != mb->ext || !payload_equal(ma->data, ma->size, mb->data, mb->size))
                        return false;
        if (ma || mb)
                return false;
        if (!a->target || !b->target)
                return a->target == b->target;
        return a->target->ext == b->target->ext &&
               payload_equal(a->target->data, a->target->size, b->target->data, b->target->size);
}

int addr_mask_prefix(Family family, const Addr *m) {
        unsigned n = 0, len = (unsigned)family_addr_len(family);
        unsigned i = 0;

        for (; i < len && m->bytes[i] == 0xff; i++)
                n += 8;
        if (i < len) {
                uint8_t b = m->bytes[i];
                while (b & 0x80) {
                        n++;
                        b <<= 1;
                }
                if (b)
                        return -1;
                for (i++; i < len; i++)
                        if (m->bytes[i])
                                return -1;
        }
        return (int)n;
}
