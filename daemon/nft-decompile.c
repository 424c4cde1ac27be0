/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft-decompile: a dumped table of ours back into the model. Each rule's
 * private userdata says how its expressions divide into core matches,
 * matches, counter and target; each codec reads its own block. The rule
 * is then compiled again and must give the same expressions: a rule that
 * does not, or that carries no layout, was not written by nfwall (or was
 * changed since) and is kept as a foreign rule. Pure: no socket.
 */

#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/udata.h>

#include "nft-compile.h"
#include "nft-decompile.h"
#include "nft-ext.h"
#include "nft-layout.h"
#include "ruleset-ext.h"
#include "ruleset-names.h"

typedef struct RuleUdata {
        char comment[256];
        bool has_comment;
        NftLayout layout;
        bool has_layout;
} RuleUdata;

static int udata_cb(const struct nftnl_udata *attr, void *data) {
        RuleUdata *u = data;
        uint8_t type = nftnl_udata_type(attr);
        uint8_t len = nftnl_udata_len(attr);
        const char *value = nftnl_udata_get(attr);

        switch (type) {
        case NFT_UDATA_COMMENT:
                if (len == 0 || value[len - 1] != 0)
                        return -1;
                memcpy(u->comment, value, len);
                u->has_comment = true;
                break;
        case NFT_UDATA_NFWALL:
                if (nft_layout_decode((const uint8_t *)value, len, &u->layout) == 0)
                        u->has_layout = true;
                break;
        default:
                break;
        }
        return 0;
}

static void rule_read_udata(const struct nftnl_rule *r, RuleUdata *ret) {
        uint32_t len = 0;
        const void *data;

        *ret = (RuleUdata){};
        if (!nftnl_rule_is_set(r, NFTNL_RULE_USERDATA))
                return;
        data = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);
        if (data && nftnl_udata_parse(data, len, udata_cb, ret) < 0)
                ret->has_layout = false;
}

static const char *expr_name(const struct nftnl_expr *e) {
        return nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
}

/* Core matches: the mirror of nft-compile's compile_core(). */

static int read_iface(NftExprReader *rd, uint32_t key, char *ret_name, bool *ret_invert) {
        const struct nftnl_expr *cmp;
        uint8_t buf[IFNAMSIZ] = {}, zero[IFNAMSIZ] = {};
        uint32_t op, len = 0;
        const void *data;

        if (nft_read_meta(rd, key, NFT_REG_1) < 0)
                return -EBADMSG;
        if (nft_read_bitwise(rd, NFT_REG_1, IFNAMSIZ, buf, buf) == 0) {
                /* "! -i +" */
                if (memcmp(buf, zero, IFNAMSIZ) || nft_read_cmp(rd, NFT_REG_1, &op, buf, IFNAMSIZ) < 0 ||
                    op != NFT_CMP_NEQ || memcmp(buf, zero, IFNAMSIZ))
                        return -EBADMSG;
                strcpy(ret_name, "+");
                *ret_invert = true;
                return 0;
        }
        cmp = nft_read_expr(rd, "cmp");
        if (!cmp || nftnl_expr_get_u32(cmp, NFTNL_EXPR_CMP_SREG) != NFT_REG_1)
                return -EBADMSG;
        op = nftnl_expr_get_u32(cmp, NFTNL_EXPR_CMP_OP);
        if (op != NFT_CMP_EQ && op != NFT_CMP_NEQ)
                return -EBADMSG;
        data = nftnl_expr_get(cmp, NFTNL_EXPR_CMP_DATA, &len);
        if (!data || len == 0 || len > IFNAMSIZ)
                return -EBADMSG;
        if (len == IFNAMSIZ) {
                const char *name = data;
                if (memchr(name, 0, IFNAMSIZ) == NULL || name[0] == 0)
                        return -EBADMSG;
                strcpy(ret_name, name);
        } else {
                /* a prefix: "eth+" */
                if (memchr(data, 0, len) || len > IFACE_NAME_MAX - 1)
                        return -EBADMSG;
                memcpy(ret_name, data, len);
                ret_name[len] = '+';
                ret_name[len + 1] = 0;
        }
        *ret_invert = op == NFT_CMP_NEQ;
        return 0;
}

static int read_addr(NftExprReader *rd, Family family, bool src, AddrMask *ret, bool *ret_invert) {
        bool v6 = family == FAMILY_IPV6;
        uint32_t len = v6 ? 16 : 4, offset = v6 ? (src ? 8 : 24) : (src ? 12 : 16), op;
        const struct nftnl_expr *e = rd->pos < rd->n_exprs ? rd->exprs[rd->pos] : NULL;
        /* how much the load takes: a prefix of whole bytes loads only those, with no bitwise */
        uint32_t load = e && streq(expr_name(e), "payload") ? nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN) : 0;
        AddrMask am = {};
        Addr xor = {};

        if (load == 0 || load > len || nft_read_payload(rd, NFT_PAYLOAD_NETWORK_HEADER, offset, load, NFT_REG_1) < 0)
                return -EBADMSG;
        if (load < len) {
                if (nft_read_cmp(rd, NFT_REG_1, &op, &am.addr, load) < 0 || (op != NFT_CMP_EQ && op != NFT_CMP_NEQ))
                        return -EBADMSG;
                memset(&am.mask, 0xff, load);
                *ret = am;
                *ret_invert = op == NFT_CMP_NEQ;
                return 0;
        }
        if (nft_read_bitwise(rd, NFT_REG_1, len, &am.mask, &xor) < 0) {
                memset(&am.mask, 0xff, len);
        } else {
                static const Addr zero;
                if (memcmp(&xor, &zero, sizeof(xor)))
                        return -EBADMSG;
        }
        if (nft_read_cmp(rd, NFT_REG_1, &op, &am.addr, len) < 0 || (op != NFT_CMP_EQ && op != NFT_CMP_NEQ))
                return -EBADMSG;
        *ret = am;
        *ret_invert = op == NFT_CMP_NEQ;
        return 0;
}

static int read_core(NftExprReader *rd, Family family, Rule *r) {
        bool invert;
        uint32_t op;

        if (nft_read_done(rd))
                return 0;
        /* the order compile_core() writes: -i -o -p -s -d -f, each optional */
        {
                size_t save = rd->pos;
                if (nft_read_meta(rd, NFT_META_IIFNAME, NFT_REG_1) == 0) {
                        rd->pos = save;
                        if (read_iface(rd, NFT_META_IIFNAME, r->iniface, &invert) < 0)
                                return -EBADMSG;
                        if (invert)
                                r->flags |= RULE_INV_IN;
                } else
                        rd->pos = save;
        }
        {
                size_t save = rd->pos;
                if (nft_read_meta(rd, NFT_META_OIFNAME, NFT_REG_1) == 0) {
                        rd->pos = save;
                        if (read_iface(rd, NFT_META_OIFNAME, r->outiface, &invert) < 0)
                                return -EBADMSG;
                        if (invert)
                                r->flags |= RULE_INV_OUT;
                } else
                        rd->pos = save;
        }
        {
                size_t save = rd->pos;
                if (nft_read_meta(rd, NFT_META_L4PROTO, NFT_REG_1) == 0) {
                        if (nft_read_cmp(rd, NFT_REG_1, &op, &r->proto, 1) < 0 ||
                            (op != NFT_CMP_EQ && op != NFT_CMP_NEQ) || r->proto == 0)
                                return -EBADMSG;
                        r->flags |= RULE_HAS_PROTO | (op == NFT_CMP_NEQ ? RULE_INV_PROTO : 0);
                } else
                        rd->pos = save;
        }
        for (int k = 0; k < 2; k++) {
                bool src = k == 0;
                uint32_t offset = family == FAMILY_IPV6 ? (src ? 8 : 24) : (src ? 12 : 16);
                const struct nftnl_expr *e = rd->pos < rd->n_exprs ? rd->exprs[rd->pos] : NULL;

                if (!e || !streq(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "payload") ||
                    nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE) != NFT_PAYLOAD_NETWORK_HEADER ||
                    nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET) != offset)
                        continue;
                if (read_addr(rd, family, src, src ? &r->src : &r->dst, &invert) < 0)
                        return -EBADMSG;
                r->flags |= src ? RULE_HAS_SRC : RULE_HAS_DST;
                if (invert)
                        r->flags |= src ? RULE_INV_SRC : RULE_INV_DST;
        }
        if (family == FAMILY_IPV4 && !nft_read_done(rd)) {
                uint16_t mask, xor, zero;
                if (nft_read_payload(rd, NFT_PAYLOAD_NETWORK_HEADER, 6, 2, NFT_REG_1) < 0 ||
                    nft_read_bitwise(rd, NFT_REG_1, 2, &mask, &xor) < 0 || mask != htons(0x1fff) || xor != 0 ||
                    nft_read_cmp(rd, NFT_REG_1, &op, &zero, 2) < 0 || zero != 0 ||
                    (op != NFT_CMP_EQ && op != NFT_CMP_NEQ))
                        return -EBADMSG;
                r->flags |= RULE_FRAGMENT | (op == NFT_CMP_EQ ? RULE_INV_FRAGMENT : 0);
        }
        return nft_read_done(rd) ? 0 : -EBADMSG;
}

typedef struct TableContext {
        const NftTableDump *dump;
        Table *table;
        NftCompileContext *verify;      /* recompiles rules to check them: sets by name, no messages */
        DiagList *diags;
} TableContext;

static bool set_spec_same(const NftSetSpec *a, const NftSetSpec *b) {
        return a->key_len == b->key_len && a->data_len == b->data_len && a->flags == b->flags &&
               a->n_elements == b->n_elements &&
               !memcmp(a->elements, b->elements, a->n_elements * sizeof(NftSetElement)) &&
               a->udata_len == b->udata_len && (!a->udata_len || !memcmp(a->udata, b->udata, a->udata_len));
}

/* Two lookups are the same if they look up the same way in sets of the same contents, whatever the names. */
static bool lookup_same(TableContext *tc, const struct nftnl_expr *kernel, const struct nftnl_expr *ours) {
        const struct nftnl_expr *one[1] = { kernel };
        NftExprReader rd = { .exprs = one, .n_exprs = 1, .sets = tc->dump->sets };
        const NftSetSpec *want;
        NftSetSpec got;
        bool invert, same;
        uint32_t sreg = nftnl_expr_get_u32(ours, NFTNL_EXPR_LOOKUP_SREG);

        want = nft_compile_context_find_set(tc->verify, nftnl_expr_get_str(ours, NFTNL_EXPR_LOOKUP_SET));
        if (!want)
                return false;
        if (nftnl_expr_is_set(ours, NFTNL_EXPR_LOOKUP_DREG)) {
                /* a map: the same value register, and no invert */
                if (nft_read_map(&rd, sreg, nftnl_expr_get_u32(ours, NFTNL_EXPR_LOOKUP_DREG), &got) < 0)
                        return false;
                same = set_spec_same(&got, want);
                nft_set_spec_done(&got);
                return same;
        }
        if (nft_read_lookup(&rd, sreg, &got, &invert) < 0)
                return false;
        same = set_spec_same(&got, want) &&
               invert == (nftnl_expr_is_set(ours, NFTNL_EXPR_LOOKUP_FLAGS) &&
                          (nftnl_expr_get_u32(ours, NFTNL_EXPR_LOOKUP_FLAGS) & NFT_LOOKUP_F_INV));
        nft_set_spec_done(&got);
        return same;
}

static bool exprs_same(TableContext *tc, const struct nftnl_expr *const *kernel, size_t n, const struct nftnl_rule *ours) {
        struct nftnl_expr_iter *it = nftnl_expr_iter_create(ours);
        struct nftnl_expr *e;
        size_t i = 0;
        bool same = true;
        char a[512], b[512];

        if (!it)
                return false;
        while (same && (e = nftnl_expr_iter_next(it))) {
                if (i >= n || !streq(expr_name(kernel[i]), expr_name(e)))
                        same = false;
                else if (streq(expr_name(e), "counter"))
                        ; /* its values are the kernel's business */
                else if (streq(expr_name(e), "lookup"))
                        same = lookup_same(tc, kernel[i], e);
                else {
                        nftnl_expr_snprintf(a, sizeof(a), kernel[i], NFTNL_OUTPUT_DEFAULT, 0);
                        nftnl_expr_snprintf(b, sizeof(b), e, NFTNL_OUTPUT_DEFAULT, 0);
                        same = streq(a, b);
                }
                i++;
        }
        nftnl_expr_iter_destroy(it);
        return same && i == n;
}

static int decompile_block(TableContext *tc, Rule *r, const NftLayoutBlock *block,
                           const struct nftnl_expr *const *exprs, const RuleUdata *u) {
        const Extension *ext;
        const NftCodec *codec;
        NftExprReader rd = {
                .exprs = exprs,
                .n_exprs = block->n_exprs,
                .family = tc->table->family,
                .table = tc->table->type,
                .model = r,
                .comment = u->has_comment ? u->comment : NULL,
                .sets = tc->dump->sets,
        };
        void *data;
        int k;

        if (block->target) {
                Target *t;
                ext = extension_by_target_type(block->type);
                codec = nft_codec_for_target(block->type);
                if (!ext || !codec || r->target)
                        return -EBADMSG;
                k = rule_set_target(r, ext, 0, &t);
                data = k < 0 ? NULL : target_data(t);
        } else {
                Match *m;
                ext = extension_by_match_type(block->type);
                codec = nft_codec_for_match(block->type);
                if (!ext || !codec)
                        return -EBADMSG;
                k = rule_add_match(r, ext, 0, &m);
                data = k < 0 ? NULL : match_data(m);
        }
        if (k < 0)
                return k;
        k = codec->decompile(&rd, data);
        if (k == -ENOMEM)
                return k;
        if (k < 0 || !nft_read_done(&rd))
                return -EBADMSG;
        return 0;
}

/* The rule our layout describes, or -EBADMSG if the expressions are not what we would write. */
static int decompile_rule(TableContext *tc, const Chain *chain, const struct nftnl_rule *nr,
                          const struct nftnl_expr *const *exprs, size_t n, Rule **ret) {
        _cleanup_(rule_freep) Rule *r = NULL;
        struct nftnl_rule *again = NULL;
        RuleUdata u;
        size_t pos;
        int k;

        rule_read_udata(nr, &u);
        if (!u.has_layout || nft_layout_n_exprs(&u.layout) != n)
                return -EBADMSG;
        k = rule_new(&r);
        if (k < 0)
                return k;

        NftExprReader core = { .exprs = exprs, .n_exprs = u.layout.n_core, .family = tc->table->family };
        if (read_core(&core, tc->table->family, r) < 0)
                return -EBADMSG;
        pos = u.layout.n_core;
        for (unsigned i = 0; i < u.layout.n_blocks; i++) {
                const NftLayoutBlock *block = &u.layout.blocks[i];
                if (block->target) {
                        /* the counter stands between the matches and the target */
                        if (!streq(expr_name(exprs[pos]), "counter"))
                                return -EBADMSG;
                        pos++;
                }
                k = decompile_block(tc, r, block, exprs + pos, &u);
                if (k < 0)
                        return k;
                pos += block->n_exprs;
        }
        if (!r->target) {
                if (pos + 1 != n || !streq(expr_name(exprs[pos]), "counter"))
                        return -EBADMSG;
        }
        for (size_t i = 0; i < n; i++)
                if (streq(expr_name(exprs[i]), "counter")) {
                        r->counters.packets = nftnl_expr_get_u64(exprs[i], NFTNL_EXPR_CTR_PACKETS);
                        r->counters.bytes = nftnl_expr_get_u64(exprs[i], NFTNL_EXPR_CTR_BYTES);
                }
        r->handle = nftnl_rule_get_u64(nr, NFTNL_RULE_HANDLE);
        k = rule_pack(&r);
        if (k < 0)
                return k;

        /* what we would write for this rule must be what the kernel holds */
        k = nft_compile_rule(tc->verify, chain, r, &again);
        if (k == -ENOMEM)
                return k;
        if (k < 0 || !exprs_same(tc, exprs, n, again)) {
                if (again)
                        nftnl_rule_free(again);
                return -EBADMSG;
        }
        nftnl_rule_free(again);
        *ret = TAKE_PTR(r);
        return 0;
}

static int add_foreign(TableContext *tc, Chain *chain, const struct nftnl_rule *nr, bool ours) {
        _cleanup_(rule_freep) Rule *r = NULL;
        char buf[4096];
        uint64_t handle = nftnl_rule_get_u64(nr, NFTNL_RULE_HANDLE);
        SourceLoc loc = { .file = nft_table_name(tc->table->type) };
        int k;

        k = rule_new(&r);
        if (k < 0)
                return k;
        nftnl_rule_snprintf(buf, sizeof(buf), nr, NFTNL_OUTPUT_DEFAULT, 0);
        r->foreign = strdup(buf);
        if (!r->foreign)
                return -ENOMEM;
        r->handle = handle;
        k = diag_list_add(tc->diags, DIAG_WARNING, DIAG_KERNEL, &loc,
                          "%s %s, chain %s, rule handle %llu: %s", family_to_string(tc->table->family),
                          nft_table_name(tc->table->type), chain->name, (unsigned long long)handle,
                          ours ? "changed outside nfwall; kept as the kernel holds it"
                               : "not written by nfwall; kept as the kernel holds it");
        if (k < 0)
                return k;
        k = chain_insert_rule(chain, chain->n_rules, r);
        if (k < 0)
                return k;
        TAKE_PTR(r);
        return 0;
}

/* The raw table's replay after conntrack: not the model's, checked whole by check_replay(). */
static bool is_replay_chain(const char *name) {
        return name && strncmp(name, NFT_REPLAY_CHAIN_PREFIX, strlen(NFT_REPLAY_CHAIN_PREFIX)) == 0;
}

/* A dumped rule's expressions, in order: -EBADMSG for more than the kernel takes. */
static int rule_exprs(struct nftnl_rule *nr, const struct nftnl_expr *ret[static NFT_RULE_MAX_EXPRS], size_t *ret_n) {
        struct nftnl_expr_iter *it = nftnl_expr_iter_create(nr);
        struct nftnl_expr *e;
        size_t n = 0;

        if (!it)
                return -ENOMEM;
        while ((e = nftnl_expr_iter_next(it)) && n < NFT_RULE_MAX_EXPRS)
                ret[n++] = e;
        nftnl_expr_iter_destroy(it);
        /* the loop stopped at one more than the kernel takes */
        if (e)
                return -EBADMSG;
        *ret_n = n;
        return 0;
}

static int decompile_rules(TableContext *tc) {
        struct nftnl_rule_list_iter *it;
        struct nftnl_rule *nr;
        int k = 0;

        if (!tc->dump->rules)
                return 0;
        it = nftnl_rule_list_iter_create(tc->dump->rules);
        if (!it)
                return -ENOMEM;
        while (k >= 0 && (nr = nftnl_rule_list_iter_next(it))) {
                const struct nftnl_expr *exprs[NFT_RULE_MAX_EXPRS];
                size_t n = 0;
                Chain *chain = table_find_chain(tc->table, nftnl_rule_get_str(nr, NFTNL_RULE_CHAIN));
                Rule *r = NULL;
                RuleUdata u;

                if (is_replay_chain(nftnl_rule_get_str(nr, NFTNL_RULE_CHAIN)))
                        continue;       /* checked whole, by check_replay() */
                if (!chain) {
                        k = -EBADMSG;
                        break;
                }
                k = rule_exprs(nr, exprs, &n);
                if (k >= 0)
                        k = decompile_rule(tc, chain, nr, exprs, n, &r);
                if (k == 0)
                        k = chain_insert_rule(chain, chain->n_rules, r);
                else if (k == -EBADMSG) {
                        rule_read_udata(nr, &u);
                        k = add_foreign(tc, chain, nr, u.has_layout);
                }
                if (k < 0)
                        rule_free(r);
        }
        nftnl_rule_list_iter_destroy(it);
        return k;
}

/* Walks the dump's replay chains, then their rules, in the order a compile writes them. */
typedef struct ReplayCheck {
        TableContext *tc;
        struct nftnl_chain_list_iter *chains;
        struct nftnl_rule_list_iter *rules;
} ReplayCheck;

static struct nftnl_chain *next_replay_chain(ReplayCheck *rc) {
        struct nftnl_chain *c;

        while ((c = nftnl_chain_list_iter_next(rc->chains)))
                if (is_replay_chain(nftnl_chain_get_str(c, NFTNL_CHAIN_NAME)))
                        return c;
        return NULL;
}

static struct nftnl_rule *next_replay_rule(ReplayCheck *rc) {
        struct nftnl_rule *r;

        while ((r = nftnl_rule_list_iter_next(rc->rules)))
                if (is_replay_chain(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN)))
                        return r;
        return NULL;
}

static int replay_same(NftCompileContext *ctx, const Chain *c, const char *name, _unused_ const Rule *rule,
                       struct nftnl_rule *want, void *userdata) {
        ReplayCheck *rc = userdata;

        if (!want) {
                struct nftnl_chain *got = next_replay_chain(rc);

                if (!got || !streq(nftnl_chain_get_str(got, NFTNL_CHAIN_NAME), name) ||
                    nftnl_chain_is_set(got, NFTNL_CHAIN_HOOKNUM) != c->builtin)
                        return -EBADMSG;
                if (c->builtin && ((Hook)nftnl_chain_get_u32(got, NFTNL_CHAIN_HOOKNUM) != c->hook ||
                                   nftnl_chain_get_s32(got, NFTNL_CHAIN_PRIO) != NFT_REPLAY_PRIORITY ||
                                   nftnl_chain_get_u32(got, NFTNL_CHAIN_POLICY) != NF_ACCEPT))
                        return -EBADMSG;
                return 0;
        }
        {
                struct nftnl_rule *got = next_replay_rule(rc);
                const struct nftnl_expr *exprs[NFT_RULE_MAX_EXPRS];
                size_t n = 0;
                int k;

                if (!got || !streq(nftnl_rule_get_str(got, NFTNL_RULE_CHAIN), name))
                        return -EBADMSG;
                k = rule_exprs(got, exprs, &n);
                if (k < 0)
                        return k;
                return exprs_same(rc->tc, exprs, n, want) ? 0 : -EBADMSG;
        }
}

/*
 * The raw table's replay after conntrack (CT --helper) is not in the
 * model: it must be exactly what the model's raw table makes, and absent
 * without a CT --helper rule.
 */
static int check_replay(TableContext *tc) {
        ReplayCheck rc = { .tc = tc };
        int k = 0;

        if (tc->dump->chains) {
                rc.chains = nftnl_chain_list_iter_create(tc->dump->chains);
                if (!rc.chains)
                        return -ENOMEM;
        }
        if (tc->dump->rules) {
                rc.rules = nftnl_rule_list_iter_create(tc->dump->rules);
                if (!rc.rules)
                        k = -ENOMEM;
        }
        if (k >= 0 && rc.chains && rc.rules)
                k = nft_compile_replay(tc->verify, replay_same, &rc);
        /* nothing more than the model makes */
        if (k >= 0 && ((rc.chains && next_replay_chain(&rc)) || (rc.rules && next_replay_rule(&rc))))
                k = -EBADMSG;
        if (k >= 0 && nft_table_has_helpers(tc->table) && (!rc.chains || !rc.rules))
                k = -EBADMSG;
        if (rc.chains)
                nftnl_chain_list_iter_destroy(rc.chains);
        if (rc.rules)
                nftnl_rule_list_iter_destroy(rc.rules);
        return k;
}

static int decompile_chains(TableContext *tc) {
        struct nftnl_chain_list_iter *it;
        struct nftnl_chain *nc;
        int k = 0;

        if (!tc->dump->chains)
                return 0;
        it = nftnl_chain_list_iter_create(tc->dump->chains);
        if (!it)
                return -ENOMEM;
        while (k >= 0 && (nc = nftnl_chain_list_iter_next(it))) {
                const char *name = nftnl_chain_get_str(nc, NFTNL_CHAIN_NAME);
                Chain *c;

                if (is_replay_chain(name))
                        continue;       /* checked whole, by check_replay() */
                if (nftnl_chain_is_set(nc, NFTNL_CHAIN_HOOKNUM)) {
                        Hook h = (Hook)nftnl_chain_get_u32(nc, NFTNL_CHAIN_HOOKNUM);
                        c = table_find_chain(tc->table, name);
                        if (!c || !c->builtin || c->hook != h) {
                                k = -EBADMSG;
                                break;
                        }
                        c->policy = nftnl_chain_get_u32(nc, NFTNL_CHAIN_POLICY) == NF_DROP ? POLICY_DROP : POLICY_ACCEPT;
                        if (nftnl_chain_is_set(nc, NFTNL_CHAIN_PACKETS)) {
                                c->counters.packets = nftnl_chain_get_u64(nc, NFTNL_CHAIN_PACKETS);
                                c->counters.bytes = nftnl_chain_get_u64(nc, NFTNL_CHAIN_BYTES);
                        }
                } else
                        k = table_add_chain(tc->table, name, NULL, &c);
                if (k >= 0)
                        c->handle = nftnl_chain_get_u64(nc, NFTNL_CHAIN_HANDLE);
        }
        nftnl_chain_list_iter_destroy(it);
        return k;
}

int nft_decompile_table(const NftTableDump *dump, Ruleset *rs, DiagList *diags) {
        _cleanup_(nft_compile_context_freep) NftCompileContext *verify = NULL;
        const char *name;
        TableContext tc = { .dump = dump, .diags = diags };
        TableType type;
        Family family;
        uint32_t nf;
        int k;

        if (!dump->table)
                return -EBADMSG;
        name = nftnl_table_get_str(dump->table, NFTNL_TABLE_NAME);
        nf = nftnl_table_get_u32(dump->table, NFTNL_TABLE_FAMILY);
        type = nft_table_from_name(name);
        if ((int)type < 0 || (nf != NFPROTO_IPV4 && nf != NFPROTO_IPV6))
                return -EBADMSG;
        family = nf == NFPROTO_IPV6 ? FAMILY_IPV6 : FAMILY_IPV4;

        k = ruleset_reset_table(rs, family, type, NULL, &tc.table);
        if (k < 0)
                return k;
        k = nft_compile_context_new(tc.table, NULL, diags, &verify);
        if (k < 0)
                return k;
        tc.verify = verify;
        k = decompile_chains(&tc);
        if (k >= 0)
                k = decompile_rules(&tc);
        if (k >= 0)
                k = check_replay(&tc);
        if (k < 0)
                ruleset_remove_table(rs, family, type);
        return k;
}
