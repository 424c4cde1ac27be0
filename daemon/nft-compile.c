/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft-compile: the model becomes the messages of one transaction: our
 * tables, their base chains with iptables' hooks, types and priorities,
 * user chains, the sets the rules look up (shared per table), and the
 * rules, each laid out as core matches, matches, counter, target, with
 * its comment and its layout in userdata. Pure: nothing here talks to
 * the kernel.
 *
 * Each message is serialised into the batch as soon as its object is
 * built, and the object freed (rules reuse one scratch object per table),
 * so a big ruleset never exists as a tree of libnftnl objects. Tables are
 * always made anew, so the compiler knows the handle the kernel will give
 * every chain, set and rule: one counter per table, in message order.
 */

#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/object.h>
#include <libnftnl/udata.h>

#include "ext-conntrack.h"
#include "nft-compile.h"
#include "nft-ext.h"
#include "nft-layout.h"
#include "ruleset-ext.h"
#include "ruleset-names.h"

/* Our objects' names: a ct helper's ("ftp-tcp"); the kernel takes NFT_OBJ_MAXNAMELEN. */
#define NFT_OBJ_NAME_MAX 32

static const char *const nft_table_names[_TABLE_TYPE_MAX] = {
        [TABLE_FILTER] = NFT_TABLE_PREFIX "filter",
        [TABLE_NAT] = NFT_TABLE_PREFIX "nat",
        [TABLE_MANGLE] = NFT_TABLE_PREFIX "mangle",
        [TABLE_RAW] = NFT_TABLE_PREFIX "raw",
        [TABLE_SECURITY] = NFT_TABLE_PREFIX "security",
};

const char *nft_table_name(TableType t) {
        return (unsigned)t < _TABLE_TYPE_MAX ? nft_table_names[t] : NULL;
}

TableType nft_table_from_name(const char *name) {
        for (TableType t = 0; t < _TABLE_TYPE_MAX; t++)
                if (streq(nft_table_names[t], name))
                        return t;
        return _TABLE_TYPE_INVALID;
}

int nft_family(Family f) {
        return f == FAMILY_IPV6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
}

/* iptables' base chains: type and priority by table and hook (netfilter-notes §1.1). */
static const char *chain_type(TableType t, Hook h) {
        if (t == TABLE_NAT)
                return "nat";
        if (t == TABLE_MANGLE && h == HOOK_OUTPUT)
                return "route";
        return "filter";
}

static int chain_priority(TableType t, Hook h) {
        switch (t) {
        case TABLE_RAW:
                return -300;
        case TABLE_MANGLE:
                return -150;
        case TABLE_NAT:
                return h == HOOK_PREROUTING || h == HOOK_OUTPUT ? -100 : 100;
        case TABLE_FILTER:
                return 0;
        case TABLE_SECURITY:
                return 50; /* NF_IP_PRI_SECURITY, as iptables-legacy */
        case _TABLE_TYPE_MAX:
        case _TABLE_TYPE_INVALID:
                break;
        }
        return 0;
}

/* Sets of one table, de-duplicated by content: 100k rules must not mean 100k anonymous sets. */
typedef struct CompiledSet {
        uint64_t hash;
        NftSetSpec spec;                /* owns elements and udata */
        uint32_t id;                    /* NFTA_SET_ID in the batch; 0 without one */
        uint32_t refs;                  /* lookups of the table's rules in it */
        bool gone;                      /* deleted by an edit: kept only so that names stay unique */
        char name[24];
} CompiledSet;

/* What a compiled lookup does to its set's count of references. */
typedef enum SetRefMode {
        SET_REF_ACQUIRE,                /* a rule that goes in */
        SET_REF_RELEASE,                /* a rule that goes out: the set is not made if missing */
        SET_REF_KEEP,                   /* a rule that replaces itself (-Z) */
} SetRefMode;

/* One change of a set's references during an edit, to undo if the kernel refuses it. */
typedef struct SetRefChange {
        size_t index;
        int32_t delta;
} SetRefChange;

struct NftCompileContext {
        const Table *table;
        NftBatch *batch;
        DiagList *diags;
        CompiledSet *sets;
        size_t n_sets;
        size_t n_sets_allocated;
        size_t *buckets;                /* index + 1 into sets, open addressing */
        size_t n_buckets;
        uint32_t *next_set_id;          /* batch-wide */
        uint32_t own_set_id;
        /*
         * The handles the chains, sets and rules of this context's messages
         * use up, in the kernel's per-table counter: exact when the batch
         * made the table just before, as nft_compile_ruleset() does.
         */
        uint64_t last_handle;
        /*
         * Names of new sets: "set<n>" in a table the batch makes anew;
         * "g<generation>.<n>" in one made by an earlier transaction, which
         * may hold "set<n>" already (see nft_compile_context_name_sets()).
         */
        uint32_t set_generation;
        bool named_by_generation;
        /*
         * An edit's bookkeeping (nft_compile_context_edit_begin()): the
         * sets there were before it, the references it took and dropped,
         * the sets it left without one.
         */
        SetRefMode ref_mode;
        bool in_edit;
        size_t edit_n_sets;
        SetRefChange *journal;
        size_t n_journal;
        size_t n_journal_allocated;
        size_t *unused;
        size_t n_unused;
        size_t n_unused_allocated;
        /*
         * CT --helper (the replay of the raw table after conntrack, below):
         * the helper objects made, and whether the table can be replayed.
         */
        char (*objects)[NFT_OBJ_NAME_MAX];
        size_t n_objects;
        size_t edit_n_objects;          /* before the edit under way */
        bool replay_checked;
        const Rule *replay_blocker;     /* a rule in the way, or NULL */
        const char *replay_why;         /* what it does that the replay cannot */
        /* Reused for every rule streamed into the batch: no tree of objects per rule. */
        struct nftnl_rule *scratch;
        const Chain *scratch_chain;
        struct nftnl_udata_buf *udata;
};

int nft_compile_context_new(const Table *t, NftBatch *batch, DiagList *diags, NftCompileContext **ret) {
        NftCompileContext *ctx = calloc(1, sizeof(*ctx));

        if (!ctx)
                return -ENOMEM;
        ctx->table = t;
        ctx->batch = batch;
        ctx->diags = diags;
        ctx->next_set_id = &ctx->own_set_id;
        *ret = ctx;
        return 0;
}

NftCompileContext *nft_compile_context_free(NftCompileContext *ctx) {
        if (!ctx)
                return NULL;
        for (size_t i = 0; i < ctx->n_sets; i++)
                nft_set_spec_done(&ctx->sets[i].spec);
        free(ctx->sets);
        free(ctx->buckets);
        free(ctx->journal);
        free(ctx->unused);
        free(ctx->objects);
        if (ctx->scratch)
                nftnl_rule_free(ctx->scratch);
        if (ctx->udata)
                nftnl_udata_buf_free(ctx->udata);
        free(ctx);
        return NULL;
}

/*
 * 64-bit words at a time, mixed by multiplication (FNV's prime and a
 * shift): a set's elements are 32 bytes each, hashed for every lookup a
 * rule makes, and a byte-wise FNV-1a showed in profiles. Equality is
 * checked anyway; this only spreads the buckets.
 */
static uint64_t hash_bytes(uint64_t h, const void *data, size_t len) {
        const uint8_t *p = data;

        for (; len >= 8; p += 8, len -= 8) {
                uint64_t w;

                memcpy(&w, p, 8);
                h = (h ^ w) * 0x100000001b3ULL;
                h ^= h >> 29;
        }
        for (; len > 0; p++, len--)
                h = (h ^ *p) * 0x100000001b3ULL;
        return h;
}

static uint64_t set_spec_hash(const NftSetSpec *s) {
        uint64_t h = 0xcbf29ce484222325ULL;

        h = hash_bytes(h, &s->key_type, sizeof(s->key_type));
        h = hash_bytes(h, &s->key_len, sizeof(s->key_len));
        h = hash_bytes(h, &s->data_type, sizeof(s->data_type));
        h = hash_bytes(h, &s->data_len, sizeof(s->data_len));
        h = hash_bytes(h, s->field_len, sizeof(s->field_len));
        h = hash_bytes(h, &s->n_fields, sizeof(s->n_fields));
        h = hash_bytes(h, &s->flags, sizeof(s->flags));
        h = hash_bytes(h, s->elements, s->n_elements * sizeof(NftSetElement));
        if (s->udata_len)
                h = hash_bytes(h, s->udata, s->udata_len);
        return h;
}

static bool set_spec_equal(const NftSetSpec *a, const NftSetSpec *b) {
        return a->key_type == b->key_type && a->key_len == b->key_len && a->data_type == b->data_type &&
               a->data_len == b->data_len && !memcmp(a->field_len, b->field_len, sizeof(a->field_len)) && a->n_fields == b->n_fields &&
               a->flags == b->flags && a->n_elements == b->n_elements &&
               !memcmp(a->elements, b->elements, a->n_elements * sizeof(NftSetElement)) &&
               a->udata_len == b->udata_len && (!a->udata_len || !memcmp(a->udata, b->udata, a->udata_len));
}

/* The live sets into the buckets: a set an edit deleted is found no more. */
static void context_fill_buckets(NftCompileContext *ctx, size_t *b, size_t n) {
        memset(b, 0, n * sizeof(size_t));
        for (size_t i = 0; i < ctx->n_sets; i++) {
                size_t k;

                if (ctx->sets[i].gone)
                        continue;
                k = ctx->sets[i].hash & (n - 1);
                while (b[k])
                        k = (k + 1) & (n - 1);
                b[k] = i + 1;
        }
}

static int context_grow_buckets(NftCompileContext *ctx) {
        size_t n = ctx->n_buckets ? ctx->n_buckets * 2 : 64;
        size_t *b = calloc(n, sizeof(size_t));

        if (!b)
                return -ENOMEM;
        context_fill_buckets(ctx, b, n);
        free(ctx->buckets);
        ctx->buckets = b;
        ctx->n_buckets = n;
        return 0;
}

static int context_count_ref(NftCompileContext *ctx, size_t index, int32_t delta) {
        CompiledSet *cs = &ctx->sets[index];

        if (ctx->in_edit) {
                if (ctx->n_journal == ctx->n_journal_allocated) {
                        size_t n = ctx->n_journal_allocated ? ctx->n_journal_allocated * 2 : 16;
                        SetRefChange *j = reallocarray(ctx->journal, n, sizeof(SetRefChange));
                        if (!j)
                                return -ENOMEM;
                        ctx->journal = j;
                        ctx->n_journal_allocated = n;
                }
                ctx->journal[ctx->n_journal++] = (SetRefChange){ index, delta };
        }
        cs->refs = (uint32_t)((int64_t)cs->refs + delta);
        if (cs->refs == 0 && ctx->in_edit) {
                if (ctx->n_unused == ctx->n_unused_allocated) {
                        size_t n = ctx->n_unused_allocated ? ctx->n_unused_allocated * 2 : 8;
                        size_t *u = reallocarray(ctx->unused, n, sizeof(size_t));
                        if (!u)
                                return -ENOMEM;
                        ctx->unused = u;
                        ctx->n_unused_allocated = n;
                }
                ctx->unused[ctx->n_unused++] = index;
        }
        return 0;
}

/* Element keys as the kernel wants them for this set (netfilter-notes §4.2). */
static int set_add_elements(struct nftnl_set *set, const NftSetSpec *spec) {
        bool interval = spec->flags & NFT_SET_SPEC_INTERVAL, concat = spec->flags & NFT_SET_SPEC_CONCAT;
        static const uint8_t zero[16];

        for (size_t i = 0; i < spec->n_elements; i++) {
                const NftSetElement *e = &spec->elements[i];
                struct nftnl_set_elem *el;
                uint8_t end[16];
                bool is_max = true;

                if (interval && !concat && i == 0 && memcmp(e->key, zero, spec->key_len) != 0) {
                        /* nft's convention: the interval tree starts with an end at 0 */
                        el = nftnl_set_elem_alloc();
                        if (!el)
                                return -ENOMEM;
                        nftnl_set_elem_set(el, NFTNL_SET_ELEM_KEY, zero, spec->key_len);
                        nftnl_set_elem_set_u32(el, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
                        nftnl_set_elem_add(set, el);
                }
                el = nftnl_set_elem_alloc();
                if (!el)
                        return -ENOMEM;
                nftnl_set_elem_set(el, NFTNL_SET_ELEM_KEY, e->key, spec->key_len);
                if (spec->data_len)
                        nftnl_set_elem_set(el, NFTNL_SET_ELEM_DATA, e->data, spec->data_len);
                if (concat && interval)
                        nftnl_set_elem_set(el, NFTNL_SET_ELEM_KEY_END, e->key_end, spec->key_len);
                nftnl_set_elem_add(set, el);
                if (!interval || concat)
                        continue;

                /* the exclusive end: key_end + 1, none when key_end is the largest key */
                memcpy(end, e->key_end, spec->key_len);
                for (uint32_t k = spec->key_len; k-- > 0;) {
                        if (end[k] != 0xff)
                                is_max = false;
                        if (++end[k] != 0)
                                break;
                }
                if (is_max)
                        continue;
                el = nftnl_set_elem_alloc();
                if (!el)
                        return -ENOMEM;
                nftnl_set_elem_set(el, NFTNL_SET_ELEM_KEY, end, spec->key_len);
                nftnl_set_elem_set_u32(el, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
                nftnl_set_elem_add(set, el);
        }
        return 0;
}

/* The set as its NEWSET and NEWSETELEM messages carry it, and as a dump gives it back. */
static struct nftnl_set *set_object_new(const NftCompileContext *ctx, const CompiledSet *cs) {
        const NftSetSpec *spec = &cs->spec;
        struct nftnl_set *set = nftnl_set_alloc();
        uint32_t flags = NFT_SET_CONSTANT;

        if (!set)
                return NULL;
        if (spec->flags & NFT_SET_SPEC_INTERVAL)
                flags |= NFT_SET_INTERVAL;
        if (spec->flags & NFT_SET_SPEC_CONCAT)
                flags |= NFT_SET_CONCAT;
        if (spec->data_len) {
                flags |= NFT_SET_MAP;
                nftnl_set_set_u32(set, NFTNL_SET_DATA_TYPE, spec->data_type);
                nftnl_set_set_u32(set, NFTNL_SET_DATA_LEN, spec->data_len);
        }
        nftnl_set_set_str(set, NFTNL_SET_TABLE, nft_table_name(ctx->table->type));
        nftnl_set_set_str(set, NFTNL_SET_NAME, cs->name);
        nftnl_set_set_u32(set, NFTNL_SET_FAMILY, (uint32_t)nft_family(ctx->table->family));
        nftnl_set_set_u32(set, NFTNL_SET_KEY_LEN, spec->key_len);
        nftnl_set_set_u32(set, NFTNL_SET_KEY_TYPE, spec->key_type);
        nftnl_set_set_u32(set, NFTNL_SET_FLAGS, flags);
        if (cs->id)
                nftnl_set_set_u32(set, NFTNL_SET_ID, cs->id);
        if (spec->flags & NFT_SET_SPEC_CONCAT)
                nftnl_set_set_data(set, NFTNL_SET_DESC_CONCAT, spec->field_len, spec->n_fields);
        if (spec->udata_len)
                nftnl_set_set_data(set, NFTNL_SET_USERDATA, spec->udata, spec->udata_len);
        if (set_add_elements(set, spec) < 0) {
                nftnl_set_free(set);
                return NULL;
        }
        return set;
}

static int context_emit_set(NftCompileContext *ctx, const CompiledSet *cs) {
        struct nftnl_set *set = set_object_new(ctx, cs);
        int r;

        if (!set)
                return -ENOMEM;
        r = nft_batch_add_set(ctx->batch, set, &ctx->table->loc, ctx->last_handle + 1);
        nftnl_set_free(set);
        if (r < 0)
                return r;
        ctx->last_handle++;
        return 0;
}

/* The name of the table's set with these contents, making it (and its message) the first time. */
static int context_get_set(NftCompileContext *ctx, const NftSetSpec *spec, const char **ret_name, uint32_t *ret_id) {
        uint64_t h = set_spec_hash(spec);
        CompiledSet *cs;
        size_t k;
        int r;

        if (spec->udata_len > 200 || spec->key_len == 0 || spec->key_len > 16 || spec->data_len > NFT_MAP_DATA_MAX ||
            (spec->data_len && (spec->flags & NFT_SET_SPEC_INTERVAL)))
                return -EINVAL;
        if (ctx->n_buckets) {
                for (k = h & (ctx->n_buckets - 1); ctx->buckets[k]; k = (k + 1) & (ctx->n_buckets - 1)) {
                        cs = &ctx->sets[ctx->buckets[k] - 1];
                        if (cs->hash == h && set_spec_equal(&cs->spec, spec)) {
                                *ret_name = cs->name;
                                *ret_id = 0; /* made earlier in this batch: found by name */
                                if (ctx->ref_mode == SET_REF_KEEP)
                                        return 0;
                                return context_count_ref(ctx, (size_t)(cs - ctx->sets),
                                                         ctx->ref_mode == SET_REF_RELEASE ? -1 : 1);
                        }
                }
        }
        if (ctx->ref_mode == SET_REF_RELEASE) {
                /* a set this context did not make (a table read back): not ours to count */
                *ret_name = "";
                *ret_id = 0;
                return 0;
        }
        if ((ctx->n_sets + 1) * 2 > ctx->n_buckets) {
                r = context_grow_buckets(ctx);
                if (r < 0)
                        return r;
        }
        if (ctx->n_sets == ctx->n_sets_allocated) {
                size_t n = ctx->n_sets_allocated ? ctx->n_sets_allocated * 2 : 16;
                CompiledSet *s = reallocarray(ctx->sets, n, sizeof(CompiledSet));
                if (!s)
                        return -ENOMEM;
                ctx->sets = s;
                ctx->n_sets_allocated = n;
        }
        cs = &ctx->sets[ctx->n_sets];
        *cs = (CompiledSet){ .hash = h, .spec = *spec, .refs = 1 };
        cs->spec.elements = NULL;
        cs->spec.udata = NULL;
        cs->spec.elements = spec->n_elements ? malloc(spec->n_elements * sizeof(NftSetElement)) : NULL;
        if (spec->n_elements && !cs->spec.elements)
                return -ENOMEM;
        memcpy(cs->spec.elements, spec->elements, spec->n_elements * sizeof(NftSetElement));
        if (spec->udata_len) {
                void *u = malloc(spec->udata_len);
                if (!u) {
                        free(cs->spec.elements);
                        return -ENOMEM;
                }
                memcpy(u, spec->udata, spec->udata_len);
                cs->spec.udata = u;
        }
        if (ctx->named_by_generation)
                snprintf(cs->name, sizeof(cs->name), "g%" PRIu32 ".%zu", ctx->set_generation, ctx->n_sets);
        else
                snprintf(cs->name, sizeof(cs->name), "set%zu", ctx->n_sets);
        ctx->n_sets++;
        for (k = h & (ctx->n_buckets - 1); ctx->buckets[k]; k = (k + 1) & (ctx->n_buckets - 1))
                ;
        ctx->buckets[k] = ctx->n_sets;

        cs->id = ctx->batch ? ++*ctx->next_set_id : 0;
        if (ctx->batch) {
                r = context_emit_set(ctx, cs);
                if (r < 0)
                        return r;
        }
        *ret_id = cs->id;
        *ret_name = cs->name;
        return 0;
}

/**
 * nft_compile_context_attach() - point a kept context at the table, batch and diagnostics of a runtime edit
 * @ctx: a context a compile kept (nft_compile_ruleset_keep()) or made for edits
 * @t: the table as the model holds it now (the same family and type)
 * @batch: the edit's batch: new sets the edit needs go there
 * @diags: where the edit's problems go (the load's list is long gone)
 *
 * Sets made before are referred to by name; their batch-local ids are gone.
 */
void nft_compile_context_attach(NftCompileContext *ctx, const Table *t, NftBatch *batch, DiagList *diags) {
        ctx->table = t;
        ctx->batch = batch;
        ctx->diags = diags;
        ctx->next_set_id = &ctx->own_set_id;
        ctx->own_set_id = 0;
        for (size_t i = 0; i < ctx->n_sets; i++)
                ctx->sets[i].id = 0;
        if (ctx->scratch) {
                nftnl_rule_free(ctx->scratch);
                ctx->scratch = NULL;
                ctx->scratch_chain = NULL;
        }
}

static int count_lookup(struct nftnl_expr *e, void *userdata) {
        NftCompileContext *ctx = userdata;
        const char *name;

        if (!streq(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "lookup"))
                return 0;
        name = nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET);
        for (size_t i = 0; name && i < ctx->n_sets; i++)
                if (streq(ctx->sets[i].name, name)) {
                        ctx->sets[i].refs++;
                        break;
                }
        return 0;
}

/**
 * nft_compile_context_adopt_sets() - make a table's sets, as the kernel holds them, the context's
 * @ctx: a new context for edits of the dumped table
 * @dump: the table, with its sets and rules
 *
 * Each set nfwall could have made is known by its contents under its
 * kernel name, and counted for every rule of the dump that looks it up:
 * an edit then shares it, and deletes it with the last rule that used
 * it, as in a table this daemon compiled. A set of another shape is left
 * alone. Give new sets other names (nft_compile_context_name_sets()).
 *
 * Return: 0, or -ENOMEM.
 */
int nft_compile_context_adopt_sets(NftCompileContext *ctx, const NftTableDump *dump) {
        struct nftnl_set_list_iter *si;
        struct nftnl_rule_list_iter *ri;
        struct nftnl_set *set;
        struct nftnl_rule *rule;
        int r = 0;

        if (!dump->sets)
                return 0;
        si = nftnl_set_list_iter_create(dump->sets);
        if (!si)
                return -ENOMEM;
        while (r >= 0 && (set = nftnl_set_list_iter_next(si))) {
                const char *name = nftnl_set_get_str(set, NFTNL_SET_NAME);
                NftSetSpec spec = {};
                CompiledSet *cs;

                if (!name || strlen(name) >= sizeof(cs->name))
                        continue;
                r = nft_set_spec_from_set(set, &spec);
                if (r == -EBADMSG) {
                        r = 0;
                        continue;
                }
                if (r < 0)
                        break;
                if ((ctx->n_sets + 1) * 2 > ctx->n_buckets)
                        r = context_grow_buckets(ctx);
                if (r >= 0 && ctx->n_sets == ctx->n_sets_allocated) {
                        size_t n = ctx->n_sets_allocated ? ctx->n_sets_allocated * 2 : 16;
                        CompiledSet *a = reallocarray(ctx->sets, n, sizeof(CompiledSet));
                        if (!a)
                                r = -ENOMEM;
                        else {
                                ctx->sets = a;
                                ctx->n_sets_allocated = n;
                        }
                }
                if (r < 0) {
                        nft_set_spec_done(&spec);
                        break;
                }
                cs = &ctx->sets[ctx->n_sets++];
                *cs = (CompiledSet){ .hash = set_spec_hash(&spec), .spec = spec };
                strcpy(cs->name, name);
        }
        nftnl_set_list_iter_destroy(si);
        if (r < 0)
                return r;
        if (ctx->n_buckets > 0)
                context_fill_buckets(ctx, ctx->buckets, ctx->n_buckets);

        if (!dump->rules)
                return 0;
        ri = nftnl_rule_list_iter_create(dump->rules);
        if (!ri)
                return -ENOMEM;
        while ((rule = nftnl_rule_list_iter_next(ri)))
                nftnl_expr_foreach(rule, count_lookup, ctx);
        nftnl_rule_list_iter_destroy(ri);
        return 0;
}

/**
 * nft_compile_context_name_sets() - name new sets after a generation
 * @ctx: a context for edits of a table an earlier transaction made
 * @generation: the nf_tables generation the table was read at
 *
 * Such a table holds sets this context does not know ("set0"...), and a
 * set is only ever added by a transaction that ends that generation, so
 * "g<generation>.<n>" names no set the table has.
 */
void nft_compile_context_name_sets(NftCompileContext *ctx, uint32_t generation) {
        ctx->named_by_generation = true;
        ctx->set_generation = generation;
}

/**
 * nft_compile_context_edit_begin() - start the bookkeeping of one runtime edit
 * @ctx: the table's context, attached
 *
 * Until nft_compile_context_edit_end(), the sets the edit makes and the
 * references its rules take (compiled) and drop
 * (nft_compile_context_release_rule()) are recorded, so that a refused
 * edit leaves the context as the kernel's table is.
 */
void nft_compile_context_edit_begin(NftCompileContext *ctx) {
        ctx->in_edit = true;
        ctx->edit_n_sets = ctx->n_sets;
        ctx->edit_n_objects = ctx->n_objects;
        ctx->n_journal = 0;
        ctx->n_unused = 0;
        ctx->ref_mode = SET_REF_ACQUIRE;
}

/**
 * nft_compile_context_edit_end() - the kernel took the edit, or refused it
 * @ctx: the context
 * @committed: whether the kernel took it
 *
 * Taken: the sets it deleted (nft_compile_context_delete_unused()) are
 * found no more. Refused: the references are as before, and the sets it
 * would have made are forgotten.
 */
void nft_compile_context_edit_end(NftCompileContext *ctx, bool committed) {
        if (!ctx->in_edit)
                return;
        if (committed) {
                for (size_t i = 0; i < ctx->n_unused; i++)
                        if (ctx->sets[ctx->unused[i]].refs == 0)
                                ctx->sets[ctx->unused[i]].gone = true;
        } else {
                for (size_t i = ctx->n_journal; i-- > 0;) {
                        CompiledSet *cs = &ctx->sets[ctx->journal[i].index];
                        cs->refs = (uint32_t)((int64_t)cs->refs - ctx->journal[i].delta);
                }
                for (size_t i = ctx->edit_n_sets; i < ctx->n_sets; i++)
                        nft_set_spec_done(&ctx->sets[i].spec);
                ctx->n_sets = ctx->edit_n_sets;
                /* the helper objects it would have made do not exist either */
                ctx->n_objects = ctx->edit_n_objects;
        }
        if (ctx->n_buckets > 0)
                context_fill_buckets(ctx, ctx->buckets, ctx->n_buckets);
        ctx->in_edit = false;
        ctx->n_journal = ctx->n_unused = 0;
        ctx->ref_mode = SET_REF_ACQUIRE;
}

/* A rule compiled for its lookups only: in release or keep mode, nothing is made. */
static int context_count_rule(NftCompileContext *ctx, const Chain *chain, const Rule *rule, SetRefMode mode,
                              struct nftnl_rule **ret) {
        struct nftnl_rule *nr = NULL;
        int r;

        ctx->ref_mode = mode;
        r = nft_compile_rule(ctx, chain, rule, &nr);
        ctx->ref_mode = SET_REF_ACQUIRE;
        if (r >= 0 && ret)
                *ret = nr;
        else if (nr)
                nftnl_rule_free(nr);
        return r;
}

/**
 * nft_compile_context_release_rule() - a rule leaves the table: its sets lose a reference
 * @ctx: the context, in an edit
 * @chain: the rule's chain
 * @rule: the rule (not a foreign one: it has no lookups of ours)
 *
 * Return: 0, or a negative errno.
 */
int nft_compile_context_release_rule(NftCompileContext *ctx, const Chain *chain, const Rule *rule) {
        if (rule->foreign)
                return 0;
        return context_count_rule(ctx, chain, rule, SET_REF_RELEASE, NULL);
}

/* nft_compile_rule() for a rule put in place of itself (-Z): its sets keep their count. */
int nft_compile_rule_again(NftCompileContext *ctx, const Chain *chain, const Rule *rule, struct nftnl_rule **ret) {
        return context_count_rule(ctx, chain, rule, SET_REF_KEEP, ret);
}

/**
 * nft_compile_context_delete_unused() - DELSET for each set the edit left without a rule
 * @ctx: the context, in an edit, attached to its batch
 *
 * After the edit's rule messages, so that the kernel has unbound them.
 *
 * Return: 0, or a negative errno.
 */
int nft_compile_context_delete_unused(NftCompileContext *ctx) {
        for (size_t i = 0; i < ctx->n_unused; i++) {
                const CompiledSet *cs = &ctx->sets[ctx->unused[i]];
                bool seen = false;
                int r;

                if (cs->refs != 0 || cs->gone)
                        continue;
                for (size_t k = 0; k < i && !seen; k++)
                        seen = ctx->unused[k] == ctx->unused[i];
                if (seen)
                        continue;
                r = nft_batch_del_set(ctx->batch, nft_family(ctx->table->family), nft_table_name(ctx->table->type),
                                      cs->name, &ctx->table->loc);
                if (r < 0)
                        return r;
        }
        return 0;
}

const NftSetSpec *nft_compile_context_find_set(const NftCompileContext *ctx, const char *name) {
        const char *digits = name + strlen(name);
        size_t i;

        /* The set's index ends its name ("set7", "g42.7"): the decompiler asks once per lookup. */
        while (digits > name && digits[-1] >= '0' && digits[-1] <= '9')
                digits--;
        if (*digits && strlen(digits) < 20) {
                i = (size_t)strtoull(digits, NULL, 10);
                if (i < ctx->n_sets && streq(ctx->sets[i].name, name))
                        return &ctx->sets[i].spec;
        }
        for (i = 0; i < ctx->n_sets; i++)
                if (streq(ctx->sets[i].name, name))
                        return &ctx->sets[i].spec;
        return NULL;
}

/**
 * nft_compile_context_get_sets() - the sets this context made, as objects
 * @ctx: the context
 * @ret: a new list, the caller's: each set with its elements and userdata,
 *       as the batch sends it and a dump of the table would give it back
 *
 * The batch keeps no objects, so whoever wants to read the sets a compile
 * made (the tests, to decompile what they compiled) has them made again
 * from the context's specs.
 *
 * Return: 0 or -ENOMEM.
 */
int nft_compile_context_get_sets(const NftCompileContext *ctx, struct nftnl_set_list **ret) {
        _cleanup_(nftnl_set_list_freep) struct nftnl_set_list *list = nftnl_set_list_alloc();

        if (!list)
                return -ENOMEM;
        for (size_t i = 0; i < ctx->n_sets; i++) {
                struct nftnl_set *set;

                if (ctx->sets[i].gone)
                        continue; /* deleted by an edit: no dump has it */
                set = set_object_new(ctx, &ctx->sets[i]);
                if (!set)
                        return -ENOMEM;
                nftnl_set_list_add_tail(set, list);
        }
        *ret = TAKE_PTR(list);
        return 0;
}

static int build_lookup(NftRuleBuilder *b, uint32_t sreg, int dreg, const NftSetSpec *spec, bool invert) {
        struct nftnl_expr *e;
        const char *name;
        uint32_t id;
        int r;

        r = context_get_set(b->ctx, spec, &name, &id);
        if (r < 0)
                return r;
        e = nft_expr_new(b, "lookup");
        if (!e)
                return -ENOMEM;
        nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, sreg);
        if (dreg >= 0)
                nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, (uint32_t)dreg);
        nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, name);
        if (id)
                nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, id);
        if (invert)
                nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
        return 0;
}

int nft_build_lookup(NftRuleBuilder *b, uint32_t sreg, const NftSetSpec *spec, bool invert) {
        if (spec->data_len)
                return -EINVAL;
        return build_lookup(b, sreg, -1, spec, invert);
}

int nft_build_map(NftRuleBuilder *b, uint32_t sreg, uint32_t dreg, const NftSetSpec *spec) {
        if (!spec->data_len)
                return -EINVAL;
        return build_lookup(b, sreg, (int)dreg, spec, false);
}

/* Core matches: -i -o -p -s -d -f, in iptables-nft's order. */

static int compile_iface(NftRuleBuilder *b, uint32_t key, const char *name, bool invert) {
        uint8_t buf[IFNAMSIZ] = {};
        size_t len = strlen(name);
        int r;

        r = nft_build_meta(b, key, NFT_REG_1);
        if (r < 0)
                return r;
        if (len > 0 && name[len - 1] == '+') {
                if (len == 1) {
                        /* "! -i +": no interface is no interface; never matches */
                        r = nft_build_bitwise(b, NFT_REG_1, IFNAMSIZ, buf, buf);
                        return r < 0 ? r : nft_build_cmp(b, NFT_REG_1, NFT_CMP_NEQ, buf, IFNAMSIZ);
                }
                return nft_build_cmp(b, NFT_REG_1, invert ? NFT_CMP_NEQ : NFT_CMP_EQ, name, (uint32_t)len - 1);
        }
        memcpy(buf, name, len);
        return nft_build_cmp(b, NFT_REG_1, invert ? NFT_CMP_NEQ : NFT_CMP_EQ, buf, IFNAMSIZ);
}

static int compile_addr(NftRuleBuilder *b, const AddrMask *am, bool src, bool invert) {
        bool v6 = b->family == FAMILY_IPV6;
        uint32_t len = v6 ? 16 : 4, offset = v6 ? (src ? 8 : 24) : (src ? 12 : 16);
        int plen = addr_mask_prefix(b->family, &am->mask);
        /* a prefix of whole bytes (not /0): their number, else 0 */
        uint32_t prefix = plen > 0 && plen % 8 == 0 ? (uint32_t)plen / 8 : 0;
        static const Addr zero;
        int r;

        /*
         * A prefix of whole bytes loads only those bytes, as nft does: one
         * expression less for the kernel to parse, and for each packet.
         */
        r = nft_build_payload(b, NFT_PAYLOAD_NETWORK_HEADER, offset, prefix ? prefix : len, NFT_REG_1);
        if (r < 0)
                return r;
        if (!prefix) {
                r = nft_build_bitwise(b, NFT_REG_1, len, &am->mask, &zero);
                if (r < 0)
                        return r;
        }
        return nft_build_cmp(b, NFT_REG_1, invert ? NFT_CMP_NEQ : NFT_CMP_EQ, &am->addr, prefix ? prefix : len);
}

static int compile_fragment(NftRuleBuilder *b, bool invert) {
        uint16_t mask = htons(0x1fff), zero = 0;
        int r;

        r = nft_build_payload(b, NFT_PAYLOAD_NETWORK_HEADER, 6, 2, NFT_REG_1);
        if (r >= 0)
                r = nft_build_bitwise(b, NFT_REG_1, 2, &mask, &zero);
        if (r >= 0)
                r = nft_build_cmp(b, NFT_REG_1, invert ? NFT_CMP_EQ : NFT_CMP_NEQ, &zero, 2);
        return r;
}

static int compile_core(NftRuleBuilder *b) {
        const Rule *r = b->model;
        int k = 0;

        if (r->iniface[0])
                k = compile_iface(b, NFT_META_IIFNAME, r->iniface, r->flags & RULE_INV_IN);
        if (k >= 0 && r->outiface[0])
                k = compile_iface(b, NFT_META_OIFNAME, r->outiface, r->flags & RULE_INV_OUT);
        if (k >= 0 && (r->flags & RULE_HAS_PROTO)) {
                k = nft_build_meta(b, NFT_META_L4PROTO, NFT_REG_1);
                if (k >= 0)
                        k = nft_build_cmp(b, NFT_REG_1, (r->flags & RULE_INV_PROTO) ? NFT_CMP_NEQ : NFT_CMP_EQ,
                                          &r->proto, 1);
        }
        if (k >= 0 && (r->flags & RULE_HAS_SRC))
                k = compile_addr(b, &r->src, true, r->flags & RULE_INV_SRC);
        if (k >= 0 && (r->flags & RULE_HAS_DST))
                k = compile_addr(b, &r->dst, false, r->flags & RULE_INV_DST);
        if (k >= 0 && (r->flags & RULE_FRAGMENT))
                k = compile_fragment(b, r->flags & RULE_INV_FRAGMENT);
        return k;
}

/* A userdata TLV's type and length bytes (struct nftnl_udata). */
#define UDATA_TLV_HEADER 2

static int build_udata(NftRuleBuilder *b, const NftLayout *layout, const SourceLoc *loc) {
        NftCompileContext *ctx = b->ctx;
        uint8_t tag[NFT_LAYOUT_MAX_BYTES];
        size_t tag_len;
        int r = 0;

        tag_len = nft_layout_encode(layout, tag, sizeof(tag));
        /*
         * Measured here: libnftnl's nftnl_udata_put() (1.2.4) checks a value
         * against the buffer's size, not against the room left in it, and
         * would write past its end.
         */
        if ((b->comment ? UDATA_TLV_HEADER + strlen(b->comment) + 1 : 0) + UDATA_TLV_HEADER + tag_len > NFT_UDATA_MAX)
                r = -E2BIG;
        else if (!ctx->udata) {
                ctx->udata = nftnl_udata_buf_alloc(NFT_UDATA_MAX);
                if (!ctx->udata)
                        return -ENOMEM;
        } else
                /* Putting nothing empties it: one buffer for all the context's rules. */
                nftnl_udata_buf_put(ctx->udata, "", 0);
        if (r == 0 && b->comment && !nftnl_udata_put_strz(ctx->udata, NFT_UDATA_COMMENT, b->comment))
                r = -E2BIG;
        if (r == 0 && !nftnl_udata_put(ctx->udata, NFT_UDATA_NFWALL, (uint32_t)tag_len, tag))
                r = -E2BIG;
        if (r == 0 && nftnl_rule_set_data(b->rule, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(ctx->udata),
                                          nftnl_udata_buf_len(ctx->udata)) < 0)
                r = -ENOMEM;
        if (r == -E2BIG) {
                int k = diag_list_add(b->diags, DIAG_ERROR, DIAG_UNSUPPORTED, loc,
                                      "the comment is too long for nf_tables (at most %d characters with this rule)",
                                      NFT_UDATA_MAX - 2 * UDATA_TLV_HEADER - 1 - (int)tag_len);
                return k < 0 ? k : -EOPNOTSUPP;
        }
        return r;
}

/* The rule's expressions and userdata, into @nr, which has its table, chain and family and nothing else. */
static int compile_rule_into(NftCompileContext *ctx, const Rule *rule, struct nftnl_rule *nr) {
        const Table *t = ctx->table;
        NftRuleBuilder b = {
                .ctx = ctx,
                .rule = nr,
                .family = t->family,
                .table = t->type,
                .model = rule,
                .loc = rule->loc,
                .diags = ctx->diags,
        };
        NftLayout layout = {};
        struct nftnl_expr *counter;
        unsigned before;
        int r;

        /* a rule read back that nfwall did not write has no iptables form to compile from */
        if (rule->foreign) {
                r = diag_list_add(ctx->diags, DIAG_ERROR, DIAG_SEMANTIC, &rule->loc,
                                  "a rule nfwall did not write cannot be loaded again (handle %llu)",
                                  (unsigned long long)rule->handle);
                return r < 0 ? r : -EINVAL;
        }

        r = compile_core(&b);
        layout.n_core = (uint8_t)b.n_exprs;
        for (const Match *m = rule->matches; r >= 0 && m; m = m->next) {
                const NftCodec *codec = nft_codec_for_match(m->ext->type);
                before = b.n_exprs;
                b.loc.column = m->column;
                r = codec->compile(&b, match_data(m));
                if (r >= 0)
                        r = nft_layout_add(&layout, false, m->ext->type, b.n_exprs - before);
        }
        if (r >= 0) {
                counter = nft_expr_new(&b, "counter");
                if (!counter)
                        r = -ENOMEM;
                else if (rule->counters.packets != 0 || rule->counters.bytes != 0) {
                        /* As nft does: a counter without values starts at zero, in 24 bytes less a rule. */
                        nftnl_expr_set_u64(counter, NFTNL_EXPR_CTR_PACKETS, rule->counters.packets);
                        nftnl_expr_set_u64(counter, NFTNL_EXPR_CTR_BYTES, rule->counters.bytes);
                }
        }
        if (r >= 0 && rule->target) {
                const NftCodec *codec = nft_codec_for_target(rule->target->ext->type);
                before = b.n_exprs;
                b.loc.column = rule->target->column;
                r = codec->compile(&b, target_data(rule->target));
                if (r >= 0)
                        r = nft_layout_add(&layout, true, rule->target->ext->type, b.n_exprs - before);
        }
        if (r >= 0 && b.n_exprs > NFT_RULE_MAX_EXPRS) {
                r = diag_list_add(ctx->diags, DIAG_ERROR, DIAG_UNSUPPORTED, &rule->loc,
                                  "nf_tables takes at most %u expressions in a rule, this one needs %u",
                                  NFT_RULE_MAX_EXPRS, b.n_exprs);
                if (r >= 0)
                        r = -EOPNOTSUPP;
        }
        if (r >= 0)
                r = build_udata(&b, &layout, &rule->loc);
        return r;
}

static struct nftnl_rule *rule_object_new(const NftCompileContext *ctx, const Chain *chain) {
        struct nftnl_rule *nr = nftnl_rule_alloc();

        if (!nr)
                return NULL;
        if (nftnl_rule_set_str(nr, NFTNL_RULE_TABLE, nft_table_name(ctx->table->type)) < 0 ||
            nftnl_rule_set_str(nr, NFTNL_RULE_CHAIN, chain->name) < 0) {
                nftnl_rule_free(nr);
                return NULL;
        }
        nftnl_rule_set_u32(nr, NFTNL_RULE_FAMILY, (uint32_t)nft_family(ctx->table->family));
        return nr;
}

/**
 * nft_compile_rule() - one rule as a libnftnl object
 * @ctx: the table's context; sets the rule looks up are made in its batch, if it has one
 * @chain: the rule's chain
 * @rule: the rule
 * @ret: the rule, the caller's
 *
 * Return: 0; -EOPNOTSUPP or -EINVAL after a diagnostic at the rule; -ENOMEM.
 */
int nft_compile_rule(NftCompileContext *ctx, const Chain *chain, const Rule *rule, struct nftnl_rule **ret) {
        struct nftnl_rule *nr = rule_object_new(ctx, chain);
        int r;

        if (!nr)
                return -ENOMEM;
        r = compile_rule_into(ctx, rule, nr);
        if (r < 0) {
                nftnl_rule_free(nr);
                return r;
        }
        *ret = nr;
        return 0;
}

static int expr_drop(struct nftnl_expr *e, void *userdata) {
        nftnl_rule_del_expr(e);
        nftnl_expr_free(e);
        return 0;
}

/*
 * A rule straight into the batch, by way of the context's scratch object:
 * its table and family stay, its chain changes with the chain, its
 * expressions are freed once serialised.
 */
static int compile_rule_to_batch(NftCompileContext *ctx, const Chain *chain, const Rule *rule) {
        int r;

        if (!ctx->scratch) {
                ctx->scratch = rule_object_new(ctx, chain);
                if (!ctx->scratch)
                        return -ENOMEM;
                ctx->scratch_chain = chain;
        } else if (ctx->scratch_chain != chain) {
                if (nftnl_rule_set_str(ctx->scratch, NFTNL_RULE_CHAIN, chain->name) < 0)
                        return -ENOMEM;
                ctx->scratch_chain = chain;
        }

        r = compile_rule_into(ctx, rule, ctx->scratch);
        if (r >= 0) {
                r = nft_batch_add_rule(ctx->batch, ctx->scratch, &rule->loc, ctx->last_handle + 1);
                if (r >= 0)
                        ctx->last_handle++;
        }
        nftnl_expr_foreach(ctx->scratch, expr_drop, NULL);
        nftnl_rule_unset(ctx->scratch, NFTNL_RULE_USERDATA);
        return r;
}

/**
 * nft_compile_chain() - the NEWCHAIN message of a chain, into the context's batch
 * @ctx: the table's context, with a batch
 * @c: the chain: a base chain with its hook, policy and policy counters, or a user chain
 *
 * Return: 0, -ENOMEM, -EINVAL.
 */
int nft_compile_chain(NftCompileContext *ctx, const Chain *c) {
        const Table *t = ctx->table;
        struct nftnl_chain *chain = nftnl_chain_alloc();
        int r;

        if (!chain)
                return -ENOMEM;
        nftnl_chain_set_str(chain, NFTNL_CHAIN_TABLE, nft_table_name(t->type));
        nftnl_chain_set_str(chain, NFTNL_CHAIN_NAME, c->name);
        nftnl_chain_set_u32(chain, NFTNL_CHAIN_FAMILY, (uint32_t)nft_family(t->family));
        if (c->builtin) {
                nftnl_chain_set_u32(chain, NFTNL_CHAIN_HOOKNUM, (uint32_t)c->hook); /* Hook follows NF_INET_* */
                nftnl_chain_set_s32(chain, NFTNL_CHAIN_PRIO, chain_priority(t->type, c->hook));
                nftnl_chain_set_str(chain, NFTNL_CHAIN_TYPE, chain_type(t->type, c->hook));
                nftnl_chain_set_u32(chain, NFTNL_CHAIN_POLICY, c->policy == POLICY_DROP ? NF_DROP : NF_ACCEPT);
                /* the policy's counters exist only if given when the chain is made */
                nftnl_chain_set_u64(chain, NFTNL_CHAIN_PACKETS, c->counters.packets);
                nftnl_chain_set_u64(chain, NFTNL_CHAIN_BYTES, c->counters.bytes);
        }
        r = nft_batch_add_chain(ctx->batch, chain, &c->loc, ctx->last_handle + 1);
        nftnl_chain_free(chain);
        if (r < 0)
                return r;
        ctx->last_handle++;
        return 0;
}

static int batch_add_table(NftBatch *batch, NftMessageKind kind, Family f, TableType t, const SourceLoc *loc) {
        struct nftnl_table *table = nftnl_table_alloc();
        int r;

        if (!table)
                return -ENOMEM;
        nftnl_table_set_str(table, NFTNL_TABLE_NAME, nft_table_name(t));
        nftnl_table_set_u32(table, NFTNL_TABLE_FAMILY, (uint32_t)nft_family(f));
        r = nft_batch_add_table(batch, kind, table, loc);
        nftnl_table_free(table);
        return r;
}

/*
 * The rules of a chain lie all over the heap (a file adds to many chains
 * in turn), and each is one allocation with its matches and target: ask
 * for the next but one while compiling this one, or the compile waits on
 * memory at every rule.
 */
static void rule_prefetch(const Rule *rule) {
        const char *p = (const char *)rule;

        for (size_t i = 0; i < 6; i++)
                __builtin_prefetch(p + i * 64);
}

/**
 * nft_compile_table_head() - a table and its chains, without rules
 * @ctx: the table's context, with a batch
 *
 * NEWTABLE (made if missing) and a NEWCHAIN for each chain of the table.
 *
 * Return: 0, -ENOMEM, -EINVAL.
 */
int nft_compile_table_head(NftCompileContext *ctx) {
        const Table *t = ctx->table;
        int r;

        r = batch_add_table(ctx->batch, NFT_MESSAGE_NEW_TABLE, t->family, t->type, &t->loc);
        for (size_t i = 0; r >= 0 && i < t->n_chains; i++)
                r = nft_compile_chain(ctx, t->chains[i]);
        return r;
}

/*
 * ---- CT --helper: the raw table replayed after conntrack ----
 *
 * xt_CT attaches a template carrying the helper in raw (priority -300),
 * before conntrack (-200) makes the connection; nf_tables assigns a helper
 * only to a connection conntrack has made ("ct helper set", an objref to a
 * ct helper object), so after it. nfwall keeps the raw table as written,
 * CT --helper compiled there as the template plain CT attaches (which
 * keeps later CT and NOTRACK rules off the packet, as in xt) and the
 * objref, which does nothing to a template and names the helper when the
 * table is read back. Then it replays the table in chains of its own at
 * priority -199 (NFT_REPLAY_PRIORITY), whose rules have the same matches
 * and only their effect on the walk: CT --helper assigns the helper (to a
 * new connection that is not an expected one: those keep their master's,
 * as with the template) and ends the walk, as CT, NOTRACK and every
 * verdict do (xt_CT leaves a packet with a template alone); RETURN, jumps
 * and gotos go to the replayed chains; other rules leave nothing to
 * replay. That walk is the raw table's only where every match gives the
 * same answer at -199 as at -300: no rule of the table may change the
 * packet (MARK, TTL, ...), keep state from packet to packet (limit) or
 * test conntrack (state, conntrack, connmark). Otherwise CT --helper is
 * refused, naming the rule in the way.
 */


/* What a rule of the raw table does to the replay's walk. */
typedef enum ReplayAction {
        REPLAY_NONE,                    /* nothing: LOG, NFLOG, no target */
        REPLAY_HELPER,                  /* assign the helper, then end the walk */
        REPLAY_END,                     /* end the walk: a verdict, CT, NOTRACK */
        REPLAY_RETURN,
        REPLAY_JUMP,
        REPLAY_GOTO,
        _REPLAY_ACTION_INVALID = -EINVAL,       /* a target the replay cannot take */
} ReplayAction;

static ReplayAction replay_action(const Rule *r) {
        if (!r->target)
                return REPLAY_NONE;
        switch (r->target->ext->type) {
        case TARGET_CT:
                return ((const TargetCt *)target_data(r->target))->helper[0] ? REPLAY_HELPER : REPLAY_END;
        case TARGET_ACCEPT:
        case TARGET_DROP:
        case TARGET_REJECT:
        case TARGET_NOTRACK:
                return REPLAY_END;
        case TARGET_RETURN:
                return REPLAY_RETURN;
        case TARGET_JUMP:
                return REPLAY_JUMP;
        case TARGET_GOTO:
                return REPLAY_GOTO;
        case TARGET_LOG:
        case TARGET_NFLOG:
                return REPLAY_NONE;
        case TARGET_SNAT:
        case TARGET_DNAT:
        case TARGET_MASQUERADE:
        case TARGET_REDIRECT:
        case TARGET_NETMAP:
        case TARGET_MARK:
        case TARGET_CONNMARK:
        case TARGET_TCPMSS:
        case TARGET_TOS:
        case TARGET_DSCP:
        case TARGET_TTL:
        case TARGET_HL:
        case _TARGET_TYPE_MAX:
        case _TARGET_TYPE_INVALID:
                break;
        }
        return _REPLAY_ACTION_INVALID;
}

/* Why the rule's walk could differ after conntrack, or NULL. */
static const char *replay_obstacle(const Rule *r) {
        for (const Match *m = r->matches; m; m = m->next) {
                MatchType t = m->ext->type;

                if (t == MATCH_CONNTRACK || t == MATCH_STATE || t == MATCH_CONNMARK)
                        return "tests conntrack, which has made the connection by then";
                if (t == MATCH_LIMIT)
                        return "counts packets, which a second evaluation would count again";
        }
        if (replay_action(r) == _REPLAY_ACTION_INVALID)
                return "changes the packet";
        return NULL;
}

/* The first rule of the table that keeps it from being replayed, or NULL. */
static const Rule *table_replay_blocker(const Table *t, const char **ret_why) {
        for (size_t i = 0; i < t->n_chains; i++)
                for (size_t k = 0; k < t->chains[i]->n_rules; k++) {
                        const char *why = replay_obstacle(t->chains[i]->rules[k]);
                        if (why) {
                                *ret_why = why;
                                return t->chains[i]->rules[k];
                        }
                }
        return NULL;
}

/* Once per compile of a whole table; a table still being read back is checked whole by nft_compile_replay(). */
static void context_check_replay(NftCompileContext *ctx) {
        if (ctx->replay_checked)
                return;
        ctx->replay_checked = true;
        ctx->replay_blocker = table_replay_blocker(ctx->table, &ctx->replay_why);
}

bool nft_rule_has_helper(const Rule *r) {
        return replay_action(r) == REPLAY_HELPER;
}

bool nft_table_has_helpers(const Table *t) {
        if (t->type != TABLE_RAW)
                return false;
        for (size_t i = 0; i < t->n_chains; i++)
                for (size_t k = 0; k < t->chains[i]->n_rules; k++)
                        if (nft_rule_has_helper(t->chains[i]->rules[k]))
                                return true;
        return false;
}

const char *nft_replay_chain_name(const char *chain, char *buf, size_t size) {
        snprintf(buf, size, "%s%s", NFT_REPLAY_CHAIN_PREFIX, chain);
        return buf;
}

/* "ftp-tcp": the helper's ct helper object for the protocol; a helper is per layer-4 protocol. */
static int helper_object_name(const char *helper, uint8_t proto, char ret[static NFT_OBJ_NAME_MAX]) {
        const char *p = proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" : NULL;

        if (!p)
                return -EINVAL;
        snprintf(ret, NFT_OBJ_NAME_MAX, "%s-%s", helper, p);
        return 0;
}

static int context_make_helper(NftCompileContext *ctx, const char *name, const char *helper, uint8_t proto,
                               const SourceLoc *loc) {
        _cleanup_(nftnl_obj_freep) struct nftnl_obj *obj = NULL;
        char(*o)[NFT_OBJ_NAME_MAX];
        int r;

        for (size_t i = 0; i < ctx->n_objects; i++)
                if (streq(ctx->objects[i], name))
                        return 0;
        o = reallocarray(ctx->objects, ctx->n_objects + 1, sizeof(*o));
        if (!o)
                return -ENOMEM;
        ctx->objects = o;
        if (ctx->batch) {
                obj = nftnl_obj_alloc();
                if (!obj)
                        return -ENOMEM;
                nftnl_obj_set_str(obj, NFTNL_OBJ_TABLE, nft_table_name(ctx->table->type));
                nftnl_obj_set_str(obj, NFTNL_OBJ_NAME, name);
                nftnl_obj_set_u32(obj, NFTNL_OBJ_FAMILY, (uint32_t)nft_family(ctx->table->family));
                nftnl_obj_set_u32(obj, NFTNL_OBJ_TYPE, NFT_OBJECT_CT_HELPER);
                nftnl_obj_set_str(obj, NFTNL_OBJ_CT_HELPER_NAME, helper);
                nftnl_obj_set_u16(obj, NFTNL_OBJ_CT_HELPER_L3PROTO, (uint16_t)nft_family(ctx->table->family));
                nftnl_obj_set_u8(obj, NFTNL_OBJ_CT_HELPER_L4PROTO, proto);
                r = nft_batch_add_obj(ctx->batch, obj, loc, ctx->last_handle + 1);
                if (r < 0)
                        return r;
                ctx->last_handle++;
        }
        snprintf(ctx->objects[ctx->n_objects++], NFT_OBJ_NAME_MAX, "%s", name);
        return 0;
}

static int build_objref_helper(NftRuleBuilder *b, const char *name) {
        struct nftnl_expr *e = nft_expr_new(b, "objref");

        if (!e)
                return -ENOMEM;
        nftnl_expr_set_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE, NFT_OBJECT_CT_HELPER);
        nftnl_expr_set_str(e, NFTNL_EXPR_OBJREF_IMM_NAME, name);
        return 0;
}

int nft_build_ct_helper(NftRuleBuilder *b, const char *helper) {
        NftCompileContext *ctx = b->ctx;
        const Rule *r = b->model;
        char name[NFT_OBJ_NAME_MAX];
        int k;

        if (!(r->flags & RULE_HAS_PROTO) || (r->flags & RULE_INV_PROTO) ||
            helper_object_name(helper, r->proto, name) < 0)
                return nft_compile_unsupported(b, "CT --helper needs -p tcp or -p udp (without \"!\"), as iptables does");
        context_check_replay(ctx);
        if (ctx->replay_blocker)
                return nft_compile_unsupported(b, "CT --helper: nf_tables assigns helpers only after conntrack, where "
                                                  "nfwall replays the raw table; it cannot replay line %u, which %s",
                                               ctx->replay_blocker->loc.line, ctx->replay_why);
        k = context_make_helper(ctx, name, helper, r->proto, &b->loc);
        return k < 0 ? k : build_objref_helper(b, name);
}

int nft_read_ct_helper(NftExprReader *rd, char *ret, size_t size) {
        const struct nftnl_expr *e = nft_read_expr(rd, "objref");
        const Rule *r = rd->model;
        char want[NFT_OBJ_NAME_MAX];
        const char *name, *dash;

        if (!e || !nftnl_expr_is_set(e, NFTNL_EXPR_OBJREF_IMM_TYPE) ||
            nftnl_expr_get_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE) != NFT_OBJECT_CT_HELPER ||
            !nftnl_expr_is_set(e, NFTNL_EXPR_OBJREF_IMM_NAME))
                return -EBADMSG;
        name = nftnl_expr_get_str(e, NFTNL_EXPR_OBJREF_IMM_NAME);
        dash = strrchr(name, '-');
        if (!dash || dash == name || (size_t)(dash - name) >= size)
                return -EBADMSG;
        memcpy(ret, name, (size_t)(dash - name));
        ret[dash - name] = 0;
        /* the object of that helper for the rule's protocol, as compile names it */
        if (!r || helper_object_name(ret, r->proto, want) < 0 || !streq(want, name))
                return -EBADMSG;
        return 0;
}

/*
 * One rule of the replay, into @nr (table, chain, family set): the rule's
 * matches, then what it does to the walk. A helper rule is two: the
 * assignment (@second false), then the end of the walk (@second true).
 */
static int compile_replay_rule(NftCompileContext *ctx, const Rule *rule, bool second, struct nftnl_rule *nr) {
        NftRuleBuilder b = {
                .ctx = ctx,
                .rule = nr,
                .family = ctx->table->family,
                .table = ctx->table->type,
                .model = rule,
                .loc = rule->loc,
                .diags = ctx->diags,
        };
        ReplayAction a = replay_action(rule);
        char chain[NFT_NAME_MAXLEN];
        int r;

        r = compile_core(&b);
        for (const Match *m = rule->matches; r >= 0 && m; m = m->next)
                r = nft_codec_for_match(m->ext->type)->compile(&b, match_data(m));
        if (r < 0)
                return r;
        switch (a) {
        case REPLAY_HELPER:
                if (!second) {
                        const uint32_t expected = IPS_EXPECTED, zero = 0;
                        char name[NFT_OBJ_NAME_MAX];

                        r = nft_build_ct(&b, NFT_CT_STATUS, -1, NFT_REG_1);
                        if (r >= 0)
                                r = nft_build_bitwise(&b, NFT_REG_1, sizeof(expected), &expected, &zero);
                        if (r >= 0)
                                r = nft_build_cmp(&b, NFT_REG_1, NFT_CMP_EQ, &zero, sizeof(zero));
                        if (r >= 0)
                                r = helper_object_name(((const TargetCt *)target_data(rule->target))->helper,
                                                       rule->proto, name);
                        return r < 0 ? r : build_objref_helper(&b, name);
                }
                return nft_build_verdict(&b, NF_ACCEPT, NULL);
        case REPLAY_END:
                return nft_build_verdict(&b, NF_ACCEPT, NULL);
        case REPLAY_RETURN:
                return nft_build_verdict(&b, NFT_RETURN, NULL);
        case REPLAY_JUMP:
        case REPLAY_GOTO:
                nft_replay_chain_name(((const TargetChain *)target_data(rule->target))->chain, chain, sizeof(chain));
                return nft_build_verdict(&b, a == REPLAY_JUMP ? NFT_JUMP : NFT_GOTO, chain);
        case REPLAY_NONE:
        case _REPLAY_ACTION_INVALID:
                break;
        }
        return -EINVAL;
}

/**
 * nft_compile_replay() - the raw table's replay after conntrack, chain by chain
 * @ctx: the raw table's context, its rules compiled (their helpers made)
 * @fn: called with each replay chain (its rules NULL), then with each of its rules
 * @userdata: for @fn
 *
 * Nothing when the table has no CT --helper rule.
 *
 * Return: 0, what @fn returned, -EBADMSG for a table that cannot be
 * replayed (a compile refuses its helpers first), or -ENOMEM.
 */
static int compile_replay_of(NftCompileContext *ctx, const Table *t, NftReplayFn fn, void *userdata) {
        _cleanup_(nftnl_rule_freep) struct nftnl_rule *nr = NULL;
        char name[NFT_NAME_MAXLEN];
        const char *why;
        int r;

        if (!nft_table_has_helpers(t))
                return 0;
        if (table_replay_blocker(t, &why))
                return -EBADMSG;
        for (size_t i = 0; i < t->n_chains; i++) {
                const Chain *c = t->chains[i];

                nft_replay_chain_name(c->name, name, sizeof(name));
                r = fn(ctx, c, name, NULL, NULL, userdata);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < t->n_chains; i++) {
                const Chain *c = t->chains[i];

                nft_replay_chain_name(c->name, name, sizeof(name));
                for (size_t k = 0; k < c->n_rules; k++) {
                        const Rule *rule = c->rules[k];
                        ReplayAction a = replay_action(rule);

                        for (unsigned pass = 0; pass < (a == REPLAY_HELPER ? 2u : a == REPLAY_NONE ? 0u : 1u); pass++) {
                                nr = nftnl_rule_alloc();
                                if (!nr)
                                        return -ENOMEM;
                                nftnl_rule_set_str(nr, NFTNL_RULE_TABLE, nft_table_name(t->type));
                                nftnl_rule_set_str(nr, NFTNL_RULE_CHAIN, name);
                                nftnl_rule_set_u32(nr, NFTNL_RULE_FAMILY, (uint32_t)nft_family(t->family));
                                r = compile_replay_rule(ctx, rule, pass == 1, nr);
                                if (r >= 0)
                                        r = fn(ctx, c, name, rule, nr, userdata);
                                if (r < 0)
                                        return r;
                                nftnl_rule_free(TAKE_PTR(nr));
                        }
                }
        }
        return 0;
}

int nft_compile_replay(NftCompileContext *ctx, NftReplayFn fn, void *userdata) {
        return compile_replay_of(ctx, ctx->table, fn, userdata);
}

/* Into the batch: the chains (base chains at NFT_REPLAY_PRIORITY), then the rules. */
static int replay_to_batch(NftCompileContext *ctx, const Chain *c, const char *name, const Rule *rule,
                           struct nftnl_rule *nr, _unused_ void *userdata) {
        int r;

        if (nr) {
                /* refused, it is the rule it replays that the kernel refused */
                r = nft_batch_add_rule(ctx->batch, nr, &rule->loc, ctx->last_handle + 1);
        } else {
                _cleanup_(nftnl_chain_freep) struct nftnl_chain *chain = nftnl_chain_alloc();

                if (!chain)
                        return -ENOMEM;
                nftnl_chain_set_str(chain, NFTNL_CHAIN_TABLE, nft_table_name(ctx->table->type));
                nftnl_chain_set_str(chain, NFTNL_CHAIN_NAME, name);
                nftnl_chain_set_u32(chain, NFTNL_CHAIN_FAMILY, (uint32_t)nft_family(ctx->table->family));
                if (c->builtin) {
                        nftnl_chain_set_u32(chain, NFTNL_CHAIN_HOOKNUM, (uint32_t)c->hook);
                        nftnl_chain_set_s32(chain, NFTNL_CHAIN_PRIO, NFT_REPLAY_PRIORITY);
                        nftnl_chain_set_str(chain, NFTNL_CHAIN_TYPE, "filter");
                        nftnl_chain_set_u32(chain, NFTNL_CHAIN_POLICY, NF_ACCEPT);
                }
                r = nft_batch_add_chain(ctx->batch, chain, &ctx->table->loc, ctx->last_handle + 1);
        }
        if (r >= 0)
                ctx->last_handle++;
        return r;
}

static int replay_ignore(NftCompileContext *ctx, const Chain *c, const char *name, const Rule *rule,
                         struct nftnl_rule *nr, void *userdata) {
        return 0;
}

/**
 * nft_compile_context_edit_replay() - an edit's new replay of the raw table after conntrack
 * @ctx: the raw table's context, in an edit, attached to its batch
 * @before: the table as it is
 * @after: the table as the edit leaves it (a copy with the command carried out)
 *
 * The old replay gives up its sets and its chains go (flushed first, as
 * they jump to each other); the new one is made from @after, its helpers'
 * objects too. Nothing when neither has a CT --helper rule.
 *
 * Return: 0; -EOPNOTSUPP after a diagnostic at @rule when @after cannot be
 * replayed; -ENOMEM; the batch's errors.
 */
int nft_compile_context_edit_replay(NftCompileContext *ctx, const Table *before, const Table *after,
                                    const SourceLoc *loc) {
        char name[NFT_NAME_MAXLEN];
        const Rule *blocker;
        const char *why;
        int r;

        if (nft_table_has_helpers(before)) {
                ctx->ref_mode = SET_REF_RELEASE;
                r = compile_replay_of(ctx, before, replay_ignore, NULL);
                ctx->ref_mode = SET_REF_ACQUIRE;
                if (r < 0)
                        return r;
                for (size_t pass = 0; pass < 2; pass++)
                        for (size_t i = 0; i < before->n_chains; i++) {
                                nft_replay_chain_name(before->chains[i]->name, name, sizeof(name));
                                r = pass == 0 ? nft_batch_del_rule(ctx->batch, nft_family(before->family),
                                                                   nft_table_name(before->type), name, 0, loc)
                                              : nft_batch_del_chain(ctx->batch, nft_family(before->family),
                                                                    nft_table_name(before->type), name, loc);
                                if (r < 0)
                                        return r;
                        }
        }
        if (!nft_table_has_helpers(after))
                return 0;
        blocker = table_replay_blocker(after, &why);
        if (blocker) {
                r = diag_list_add(ctx->diags, DIAG_ERROR, DIAG_UNSUPPORTED, loc,
                                  "CT --helper: nf_tables assigns helpers only after conntrack, where nfwall replays "
                                  "the raw table; it could not replay this rule, which %s",
                                  why);
                return r < 0 ? r : -EOPNOTSUPP;
        }
        for (size_t i = 0; i < after->n_chains; i++)
                for (size_t k = 0; k < after->chains[i]->n_rules; k++) {
                        const Rule *rule = after->chains[i]->rules[k];
                        char object[NFT_OBJ_NAME_MAX];

                        if (replay_action(rule) != REPLAY_HELPER)
                                continue;
                        r = helper_object_name(((const TargetCt *)target_data(rule->target))->helper, rule->proto,
                                               object);
                        if (r >= 0)
                                r = context_make_helper(ctx, object, ((const TargetCt *)target_data(rule->target))->helper,
                                                        rule->proto, &rule->loc);
                        if (r < 0)
                                return r;
                }
        ctx->batch->replay = true;
        r = compile_replay_of(ctx, after, replay_to_batch, NULL);
        ctx->batch->replay = false;
        return r;
}

static int compile_table_replay(NftCompileContext *ctx) {
        int r;

        ctx->batch->replay = true;
        r = nft_compile_replay(ctx, replay_to_batch, NULL);
        ctx->batch->replay = false;
        return r;
}

static int compile_table(const Table *t, NftBatch *batch, uint32_t *next_set_id, DiagList *diags,
                         NftCompileContext **ret) {
        _cleanup_(nft_compile_context_freep) NftCompileContext *ctx = NULL;
        int r, err = 0;

        r = nft_compile_context_new(t, batch, diags, &ctx);
        if (r < 0)
                return r;
        /* set ids are unique in the whole transaction */
        ctx->next_set_id = next_set_id;

        /* Made anew (the caller deleted it before): its handles count from 1, in message order. */
        r = nft_compile_table_head(ctx);
        for (size_t i = 0; r >= 0 && i < t->n_chains; i++) {
                const Chain *c = t->chains[i];
                for (size_t k = 0; r >= 0 && k < c->n_rules; k++) {
                        int k_r;

                        if (k + 2 < c->n_rules)
                                rule_prefetch(c->rules[k + 2]);
                        k_r = compile_rule_to_batch(ctx, c, c->rules[k]);
                        if (k_r == -EOPNOTSUPP || k_r == -EINVAL) {
                                /* reported: go on, to report every rule that cannot be compiled */
                                err = k_r;
                                continue;
                        }
                        r = k_r;
                }
        }
        if (r >= 0 && err == 0)
                r = compile_table_replay(ctx);
        if (r >= 0 && err == 0 && ret) {
                /* kept for edits: nothing of this batch's, or of the caller's, may be used after it is gone */
                ctx->next_set_id = &ctx->own_set_id;
                ctx->batch = NULL;
                ctx->diags = NULL;
                *ret = TAKE_PTR(ctx);
        }
        return r < 0 ? r : err;
}

void nft_compile_state_drop(NftCompileState *s, unsigned families) {
        for (Family f = 0; f < _FAMILY_MAX; f++)
                if (families & FAMILY_BIT(f))
                        for (TableType t = 0; t < _TABLE_TYPE_MAX; t++)
                                s->tables[f][t] = nft_compile_context_free(s->tables[f][t]);
}

/**
 * nft_compile_ruleset_keep() - nft_compile_ruleset(), keeping what edits build on
 * @rs: the ruleset
 * @families: FAMILY_BIT()s
 * @present: our tables the kernel holds, or NULL (unknown: every type)
 * @batch: where the messages go
 * @diags: where problems go
 * @state: NULL, or where each compiled table's context is kept (replacing
 *         those of the families), once every table compiled: the sets
 *         the batch makes, for edits after the kernel took it
 *
 * Return: as nft_compile_ruleset(); @state is changed only on success.
 */
void nft_present_tables_add(NftPresentTables *p, Family f, char *const *names) {
        for (; names && *names; names++) {
                TableType t = nft_table_from_name(*names);

                if ((int)t >= 0)
                        p->types[f] |= 1u << t;
        }
}

int nft_compile_ruleset_keep(const Ruleset *rs, unsigned families, const NftPresentTables *present, NftBatch *batch,
                             DiagList *diags, NftCompileState *state) {
        NftCompileState made = {};
        uint32_t next_set_id = 0;
        int r, err = 0;

        for (Family f = 0; f < _FAMILY_MAX; f++) {
                if (!(families & FAMILY_BIT(f)))
                        continue;
                /* create-if-missing then delete: 6.1 has no DESTROY, and DEL must not fail */
                for (TableType t = 0; t < _TABLE_TYPE_MAX; t++) {
                        if (present && !(present->types[f] & (1u << t)))
                                continue;
                        r = batch_add_table(batch, NFT_MESSAGE_NEW_TABLE, f, t, NULL);
                        if (r >= 0)
                                r = batch_add_table(batch, NFT_MESSAGE_DEL_TABLE, f, t, NULL);
                        if (r < 0) {
                                nft_compile_state_drop(&made, FAMILY_ANY);
                                return r;
                        }
                }
                for (TableType t = 0; t < _TABLE_TYPE_MAX; t++) {
                        const Table *table = ruleset_get_table(rs, f, t);
                        if (!table)
                                continue;
                        r = compile_table(table, batch, &next_set_id, diags, state ? &made.tables[f][t] : NULL);
                        if (r == -ENOMEM) {
                                nft_compile_state_drop(&made, FAMILY_ANY);
                                return r;
                        }
                        if (r < 0 && err == 0)
                                err = r;
                }
        }
        if (err < 0 || !state) {
                nft_compile_state_drop(&made, FAMILY_ANY);
                return err;
        }
        nft_compile_state_drop(state, families);
        for (Family f = 0; f < _FAMILY_MAX; f++)
                for (TableType t = 0; t < _TABLE_TYPE_MAX; t++)
                        if (made.tables[f][t])
                                state->tables[f][t] = made.tables[f][t];
        return 0;
}

int nft_compile_ruleset(const Ruleset *rs, unsigned families, NftBatch *batch, DiagList *diags) {
        return nft_compile_ruleset_keep(rs, families, NULL, batch, diags, NULL);
}

/**
 * nft_compile_assign_handles() - the kernel's handles into the model
 * @rs: the ruleset a batch was compiled from (or one of the same shape)
 * @families: the families that batch was compiled for
 * @b: the batch, committed: its chain and rule messages carry their handles
 *
 * The compiler writes chains and rules in the model's order, table by
 * table, so the n-th chain or rule message is the n-th of the model.
 */
void nft_compile_assign_handles(Ruleset *rs, unsigned families, const NftBatch *b) {
        size_t next_chain = 0, next_rule = 0;

        for (Family f = 0; f < _FAMILY_MAX; f++) {
                if (!(families & FAMILY_BIT(f)))
                        continue;
                for (TableType tt = 0; tt < _TABLE_TYPE_MAX; tt++) {
                        Table *t = ruleset_get_table(rs, f, tt);
                        if (!t)
                                continue;
                        for (size_t i = 0; i < t->n_chains; i++) {
                                while (next_chain < b->n_messages && (b->messages[next_chain].kind != NFT_MESSAGE_NEW_CHAIN ||
                                                                      b->messages[next_chain].replay))
                                        next_chain++;
                                if (next_chain == b->n_messages)
                                        return;
                                t->chains[i]->handle = b->messages[next_chain++].handle;
                        }
                        for (size_t i = 0; i < t->n_chains; i++) {
                                Chain *c = t->chains[i];
                                for (size_t k = 0; k < c->n_rules; k++) {
                                        while (next_rule < b->n_messages &&
                                                       (b->messages[next_rule].kind != NFT_MESSAGE_NEW_RULE ||
                                                        b->messages[next_rule].replay))
                                                next_rule++;
                                        if (next_rule == b->n_messages)
                                                return;
                                        c->rules[k]->handle = b->messages[next_rule++].handle;
                                }
                        }
                }
        }
}
