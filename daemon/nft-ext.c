/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft-ext: the codec tables, the verdict codecs, and the expression
 * builders and readers every codec shares, so that each expression shape
 * is written and read by one function.
 */

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "nft-ext-list.h"

static const NftCodec *const match_codecs[_MATCH_TYPE_MAX] = {
        [MATCH_TCP] = &nft_codec_tcp,
        [MATCH_UDP] = &nft_codec_udp,
        [MATCH_ICMP] = &nft_codec_icmp,
        [MATCH_ICMP6] = &nft_codec_icmp6,
        [MATCH_MULTIPORT] = &nft_codec_multiport,
        [MATCH_CONNTRACK] = &nft_codec_conntrack,
        [MATCH_STATE] = &nft_codec_state,
        [MATCH_MARK] = &nft_codec_mark,
        [MATCH_CONNMARK] = &nft_codec_connmark,
        [MATCH_LIMIT] = &nft_codec_limit,
        [MATCH_COMMENT] = &nft_codec_comment,
        [MATCH_IPRANGE] = &nft_codec_iprange,
        [MATCH_ADDRTYPE] = &nft_codec_addrtype,
        [MATCH_MAC] = &nft_codec_mac,
        [MATCH_PKTTYPE] = &nft_codec_pkttype,
        [MATCH_LENGTH] = &nft_codec_length,
        [MATCH_TTL] = &nft_codec_ttl,
        [MATCH_HL] = &nft_codec_hl,
        [MATCH_TOS] = &nft_codec_tos,
        [MATCH_DSCP] = &nft_codec_dscp,
        [MATCH_OWNER] = &nft_codec_owner,
};

static const NftCodec *const target_codecs[_TARGET_TYPE_MAX] = {
        [TARGET_ACCEPT] = &nft_codec_ACCEPT,
        [TARGET_DROP] = &nft_codec_DROP,
        [TARGET_RETURN] = &nft_codec_RETURN,
        [TARGET_JUMP] = &nft_codec_jump,
        [TARGET_GOTO] = &nft_codec_goto,
        [TARGET_REJECT] = &nft_codec_REJECT,
        [TARGET_LOG] = &nft_codec_LOG,
        [TARGET_NFLOG] = &nft_codec_NFLOG,
        [TARGET_SNAT] = &nft_codec_SNAT,
        [TARGET_DNAT] = &nft_codec_DNAT,
        [TARGET_MASQUERADE] = &nft_codec_MASQUERADE,
        [TARGET_REDIRECT] = &nft_codec_REDIRECT,
        [TARGET_NETMAP] = &nft_codec_NETMAP,
        [TARGET_CT] = &nft_codec_CT,
        [TARGET_NOTRACK] = &nft_codec_NOTRACK,
        [TARGET_MARK] = &nft_codec_MARK,
        [TARGET_CONNMARK] = &nft_codec_CONNMARK,
        [TARGET_TCPMSS] = &nft_codec_TCPMSS,
        [TARGET_TOS] = &nft_codec_TOS,
        [TARGET_DSCP] = &nft_codec_DSCP,
        [TARGET_TTL] = &nft_codec_TTL,
        [TARGET_HL] = &nft_codec_HL,
};

const NftCodec *nft_codec_for_match(MatchType type) {
        return (unsigned)type < _MATCH_TYPE_MAX ? match_codecs[type] : NULL;
}

const NftCodec *nft_codec_for_target(TargetType type) {
        return (unsigned)type < _TARGET_TYPE_MAX ? target_codecs[type] : NULL;
}

/* Builders */

int nft_add_expr(NftRuleBuilder *b, struct nftnl_expr *e) {
        if (!e)
                return -ENOMEM;
        nftnl_rule_add_expr(b->rule, e);
        b->n_exprs++;
        return 0;
}

struct nftnl_expr *nft_expr_new(NftRuleBuilder *b, const char *name) {
        struct nftnl_expr *e = nftnl_expr_alloc(name);

        if (!e)
                return NULL;
        nft_add_expr(b, e);
        return e;
}

int nft_compile_unsupported(NftRuleBuilder *b, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = diag_list_addv(b->diags, DIAG_ERROR, DIAG_UNSUPPORTED, &b->loc, fmt, ap);
        va_end(ap);
        return r < 0 ? r : -EOPNOTSUPP;
}

int nft_build_payload(NftRuleBuilder *b, uint32_t base, uint32_t offset, uint32_t len, uint32_t dreg) {
        struct nftnl_expr *e = nft_expr_new(b, "payload");

        if (!e)
                return -ENOMEM;
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
        return 0;
}

int nft_build_meta(NftRuleBuilder *b, uint32_t key, uint32_t dreg) {
        struct nftnl_expr *e = nft_expr_new(b, "meta");

        if (!e)
                return -ENOMEM;
        nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
        nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
        return 0;
}

int nft_build_ct(NftRuleBuilder *b, uint32_t key, int dir, uint32_t dreg) {
        struct nftnl_expr *e = nft_expr_new(b, "ct");

        if (!e)
                return -ENOMEM;
        nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
        if (dir >= 0)
                nftnl_expr_set_u8(e, NFTNL_EXPR_CT_DIR, (uint8_t)dir);
        nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, dreg);
        return 0;
}

int nft_build_cmp(NftRuleBuilder *b, uint32_t sreg, uint32_t op, const void *data, uint32_t len) {
        struct nftnl_expr *e = nft_expr_new(b, "cmp");

        if (!e)
                return -ENOMEM;
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, sreg);
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
        nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
        return 0;
}

int nft_build_bitwise(NftRuleBuilder *b, uint32_t reg, uint32_t len, const void *mask, const void *xor) {
        struct nftnl_expr *e = nft_expr_new(b, "bitwise");

        if (!e)
                return -ENOMEM;
        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, reg);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, reg);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
        nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
        nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, xor, len);
        return 0;
}

int nft_build_range(NftRuleBuilder *b, uint32_t sreg, uint32_t op, const void *from, const void *to, uint32_t len) {
        struct nftnl_expr *e = nft_expr_new(b, "range");

        if (!e)
                return -ENOMEM;
        nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_SREG, sreg);
        nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_OP, op);
        nftnl_expr_set(e, NFTNL_EXPR_RANGE_FROM_DATA, from, len);
        nftnl_expr_set(e, NFTNL_EXPR_RANGE_TO_DATA, to, len);
        return 0;
}

int nft_build_immediate(NftRuleBuilder *b, uint32_t dreg, const void *data, uint32_t len) {
        struct nftnl_expr *e = nft_expr_new(b, "immediate");

        if (!e)
                return -ENOMEM;
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, dreg);
        nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, data, len);
        return 0;
}

/* Readers */

const struct nftnl_expr *nft_read_expr(NftExprReader *rd, const char *name) {
        const struct nftnl_expr *e;

        if (rd->pos >= rd->n_exprs)
                return NULL;
        e = rd->exprs[rd->pos];
        if (!streq(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), name))
                return NULL;
        rd->pos++;
        return e;
}

static bool expr_u32_is(const struct nftnl_expr *e, uint16_t attr, uint32_t want) {
        return nftnl_expr_is_set(e, attr) && nftnl_expr_get_u32(e, attr) == want;
}

/* Copies an attribute of exactly len bytes. */
static bool expr_data(const struct nftnl_expr *e, uint16_t attr, void *ret, uint32_t len) {
        uint32_t got = 0;
        const void *p;

        if (!nftnl_expr_is_set(e, attr))
                return false;
        p = nftnl_expr_get(e, attr, &got);
        if (!p || got != len)
                return false;
        memcpy(ret, p, len);
        return true;
}

int nft_read_payload(NftExprReader *rd, uint32_t base, uint32_t offset, uint32_t len, uint32_t dreg) {
        const struct nftnl_expr *e = nft_read_expr(rd, "payload");

        if (!e || !expr_u32_is(e, NFTNL_EXPR_PAYLOAD_BASE, base) || !expr_u32_is(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset) ||
            !expr_u32_is(e, NFTNL_EXPR_PAYLOAD_LEN, len) || !expr_u32_is(e, NFTNL_EXPR_PAYLOAD_DREG, dreg))
                return -EBADMSG;
        return 0;
}

int nft_read_meta(NftExprReader *rd, uint32_t key, uint32_t dreg) {
        const struct nftnl_expr *e = nft_read_expr(rd, "meta");

        if (!e || !expr_u32_is(e, NFTNL_EXPR_META_KEY, key) || !expr_u32_is(e, NFTNL_EXPR_META_DREG, dreg))
                return -EBADMSG;
        return 0;
}

int nft_read_ct(NftExprReader *rd, uint32_t key, int dir, uint32_t dreg) {
        const struct nftnl_expr *e = nft_read_expr(rd, "ct");

        if (!e || !expr_u32_is(e, NFTNL_EXPR_CT_KEY, key) || !expr_u32_is(e, NFTNL_EXPR_CT_DREG, dreg))
                return -EBADMSG;
        if (dir < 0 ? nftnl_expr_is_set(e, NFTNL_EXPR_CT_DIR)
                    : (!nftnl_expr_is_set(e, NFTNL_EXPR_CT_DIR) || nftnl_expr_get_u8(e, NFTNL_EXPR_CT_DIR) != dir))
                return -EBADMSG;
        return 0;
}

int nft_read_cmp(NftExprReader *rd, uint32_t sreg, uint32_t *ret_op, void *ret_data, uint32_t len) {
        const struct nftnl_expr *e = nft_read_expr(rd, "cmp");

        if (!e || !expr_u32_is(e, NFTNL_EXPR_CMP_SREG, sreg) || !nftnl_expr_is_set(e, NFTNL_EXPR_CMP_OP) ||
            !expr_data(e, NFTNL_EXPR_CMP_DATA, ret_data, len))
                return -EBADMSG;
        *ret_op = nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP);
        return 0;
}

int nft_read_bitwise(NftExprReader *rd, uint32_t reg, uint32_t len, void *ret_mask, void *ret_xor) {
        const struct nftnl_expr *e = nft_read_expr(rd, "bitwise");

        if (!e || !expr_u32_is(e, NFTNL_EXPR_BITWISE_SREG, reg) || !expr_u32_is(e, NFTNL_EXPR_BITWISE_DREG, reg) ||
            !expr_u32_is(e, NFTNL_EXPR_BITWISE_LEN, len) || !expr_data(e, NFTNL_EXPR_BITWISE_MASK, ret_mask, len) ||
            !expr_data(e, NFTNL_EXPR_BITWISE_XOR, ret_xor, len))
                return -EBADMSG;
        /* a shift or another operation is not ours */
        if (nftnl_expr_is_set(e, NFTNL_EXPR_BITWISE_OP) && nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_OP) != NFT_BITWISE_BOOL)
                return -EBADMSG;
        return 0;
}

int nft_read_range(NftExprReader *rd, uint32_t sreg, uint32_t *ret_op, void *ret_from, void *ret_to, uint32_t len) {
        const struct nftnl_expr *e = nft_read_expr(rd, "range");

        if (!e || !expr_u32_is(e, NFTNL_EXPR_RANGE_SREG, sreg) || !nftnl_expr_is_set(e, NFTNL_EXPR_RANGE_OP) ||
            !expr_data(e, NFTNL_EXPR_RANGE_FROM_DATA, ret_from, len) || !expr_data(e, NFTNL_EXPR_RANGE_TO_DATA, ret_to, len))
                return -EBADMSG;
        *ret_op = nftnl_expr_get_u32(e, NFTNL_EXPR_RANGE_OP);
        return 0;
}

int nft_read_immediate(NftExprReader *rd, uint32_t dreg, void *ret_data, uint32_t len) {
        const struct nftnl_expr *e = nft_read_expr(rd, "immediate");

        if (!e || !expr_u32_is(e, NFTNL_EXPR_IMM_DREG, dreg) || !expr_data(e, NFTNL_EXPR_IMM_DATA, ret_data, len))
                return -EBADMSG;
        return 0;
}

static struct nftnl_set *reader_find_set(NftExprReader *rd, const char *name) {
        /* hashed by name in the list (libnftnl): a table with many sets costs no walk per lookup */
        return rd->sets && name ? nftnl_set_list_lookup_byname(rd->sets, name) : NULL;
}

/* Big-endian key + 1, for the exclusive ends of interval sets. */
static void key_decrement(uint8_t *key, uint32_t len) {
        for (uint32_t i = len; i-- > 0;)
                if (key[i]-- != 0)
                        break;
}

typedef struct RawElement {
        NftSetElement e;
        bool end;
} RawElement;

/* By key, then inclusive end: the order compile sorts its elements in. */
static int raw_element_cmp(const void *a, const void *b) {
        const RawElement *x = a, *y = b;
        int c = memcmp(x->e.key, y->e.key, sizeof(x->e.key));

        return c ? c : memcmp(x->e.key_end, y->e.key_end, sizeof(x->e.key_end));
}

/**
 * nft_set_spec_from_set() - what a set of ours holds, as the compiler specifies it
 * @set: the set, with its elements (from a dump, or made by a compile)
 * @ret: its key, flags, elements (sorted, intervals paired) and userdata; the caller's (nft_set_spec_done())
 *
 * Return: 0; -EBADMSG for a set nfwall would not have made; -ENOMEM.
 */
int nft_set_spec_from_set(const struct nftnl_set *set, NftSetSpec *ret) {
        struct nftnl_set_elems_iter *it;
        struct nftnl_set_elem *el;
        NftSetSpec spec = {};
        uint32_t flags;
        int r = 0;

        flags = nftnl_set_get_u32(set, NFTNL_SET_FLAGS);
        spec.key_type = nftnl_set_get_u32(set, NFTNL_SET_KEY_TYPE);
        spec.key_len = nftnl_set_get_u32(set, NFTNL_SET_KEY_LEN);
        if (spec.key_len == 0 || spec.key_len > 16)
                return -EBADMSG;
        if (flags & NFT_SET_INTERVAL)
                spec.flags |= NFT_SET_SPEC_INTERVAL;
        if (flags & NFT_SET_MAP) {
                spec.data_type = nftnl_set_get_u32(set, NFTNL_SET_DATA_TYPE);
                spec.data_len = nftnl_set_get_u32(set, NFTNL_SET_DATA_LEN);
                if (spec.data_len == 0 || spec.data_len > NFT_MAP_DATA_MAX || (flags & NFT_SET_INTERVAL))
                        return -EBADMSG;
        }
        if (flags & NFT_SET_CONCAT) {
                uint32_t n = 0;
                const uint8_t *fl = nftnl_set_get_data(set, NFTNL_SET_DESC_CONCAT, &n);
                if (!fl || n == 0 || n > 4)
                        return -EBADMSG;
                memcpy(spec.field_len, fl, n);
                spec.n_fields = (uint8_t)n;
                spec.flags |= NFT_SET_SPEC_CONCAT;
        }

        it = nftnl_set_elems_iter_create((struct nftnl_set *)set);
        if (!it)
                return -ENOMEM;
        /*
         * Single-field interval sets hold [start, end+1 with INTERVAL_END];
         * concatenated ones carry an inclusive KEY_END per element. The
         * kernel dumps rbtree sets in descending order, pipapo ones in its
         * own: collect everything, sort by key, then pair starts and ends.
         */
        RawElement *raw = NULL;
        size_t n_raw = 0;
        while ((el = nftnl_set_elems_iter_next(it))) {
                uint32_t klen = 0;
                const void *key = nftnl_set_elem_get(el, NFTNL_SET_ELEM_KEY, &klen);
                RawElement *x;

                if (!key || klen != spec.key_len) {
                        r = -EBADMSG;
                        break;
                }
                x = reallocarray(raw, n_raw + 1, sizeof(RawElement));
                if (!x) {
                        r = -ENOMEM;
                        break;
                }
                raw = x;
                x = &raw[n_raw++];
                memset(x, 0, sizeof(*x));
                memcpy(x->e.key, key, klen);
                memset(x->e.key_end, 0xff, klen); /* open end unless an END follows */
                if (!(spec.flags & NFT_SET_SPEC_INTERVAL))
                        memcpy(x->e.key_end, key, klen);
                if (spec.data_len) {
                        uint32_t dlen = 0;
                        const void *d = nftnl_set_elem_get(el, NFTNL_SET_ELEM_DATA, &dlen);
                        if (!d || dlen != spec.data_len) {
                                r = -EBADMSG;
                                break;
                        }
                        memcpy(x->e.data, d, dlen);
                }
                if (nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_FLAGS))
                        x->end = nftnl_set_elem_get_u32(el, NFTNL_SET_ELEM_FLAGS) & NFT_SET_ELEM_INTERVAL_END;
                if (nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_KEY_END)) {
                        uint32_t elen = 0;
                        const void *end = nftnl_set_elem_get(el, NFTNL_SET_ELEM_KEY_END, &elen);
                        if (!end || elen != klen) {
                                r = -EBADMSG;
                                break;
                        }
                        memcpy(x->e.key_end, end, elen);
                }
        }
        if (r == 0 && n_raw)
                qsort(raw, n_raw, sizeof(RawElement), raw_element_cmp);
        for (size_t i = 0; r == 0 && i < n_raw; i++) {
                NftSetElement *elements;
                if (raw[i].end) {
                        if (spec.n_elements > 0) {
                                memcpy(spec.elements[spec.n_elements - 1].key_end, raw[i].e.key, spec.key_len);
                                key_decrement(spec.elements[spec.n_elements - 1].key_end, spec.key_len);
                        }
                        continue;
                }
                elements = reallocarray(spec.elements, spec.n_elements + 1, sizeof(NftSetElement));
                if (!elements) {
                        r = -ENOMEM;
                        break;
                }
                spec.elements = elements;
                spec.elements[spec.n_elements++] = raw[i].e;
        }
        free(raw);
        nftnl_set_elems_iter_destroy(it);
        if (r == 0 && nftnl_set_is_set(set, NFTNL_SET_USERDATA)) {
                uint32_t len = 0;
                const void *u = nftnl_set_get_data(set, NFTNL_SET_USERDATA, &len);
                void *copy = len ? malloc(len) : NULL;
                if (len && !copy)
                        r = -ENOMEM;
                else if (len) {
                        memcpy(copy, u, len);
                        spec.udata = copy;
                        spec.udata_len = len;
                }
        }
        if (r < 0) {
                nft_set_spec_done(&spec);
                return r;
        }
        *ret = spec;
        return 0;
}

/*
 * A lookup from sreg: into dreg (a map) or none (-1, a set), the set it
 * names with its elements, and its flags.
 */
static int read_lookup(NftExprReader *rd, uint32_t sreg, int dreg, NftSetSpec *ret_spec, uint32_t *ret_flags) {
        const struct nftnl_expr *e = nft_read_expr(rd, "lookup");
        struct nftnl_set *set;
        int r;

        if (!e || !expr_u32_is(e, NFTNL_EXPR_LOOKUP_SREG, sreg) ||
            (dreg < 0 ? nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG)
                      : !expr_u32_is(e, NFTNL_EXPR_LOOKUP_DREG, (uint32_t)dreg)))
                return -EBADMSG;
        set = reader_find_set(rd, nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET));
        if (!set)
                return -EBADMSG;
        r = nft_set_spec_from_set(set, ret_spec);
        if (r < 0)
                return r;
        /* values exactly where a map is looked up */
        if ((ret_spec->data_len != 0) != (dreg >= 0)) {
                nft_set_spec_done(ret_spec);
                return -EBADMSG;
        }
        *ret_flags = nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_FLAGS) ? nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_FLAGS) : 0;
        return 0;
}

int nft_read_lookup(NftExprReader *rd, uint32_t sreg, NftSetSpec *ret_spec, bool *ret_invert) {
        uint32_t flags;
        int r = read_lookup(rd, sreg, -1, ret_spec, &flags);

        if (r >= 0)
                *ret_invert = flags & NFT_LOOKUP_F_INV;
        return r;
}

int nft_read_map(NftExprReader *rd, uint32_t sreg, uint32_t dreg, NftSetSpec *ret_spec) {
        uint32_t flags;
        int r = read_lookup(rd, sreg, (int)dreg, ret_spec, &flags);

        if (r >= 0 && flags != 0) {
                nft_set_spec_done(ret_spec);
                return -EBADMSG;
        }
        return r;
}

void nft_set_spec_done(NftSetSpec *spec) {
        free(spec->elements);
        free((void *)spec->udata);
        *spec = (NftSetSpec){};
}

/* Verdicts: one immediate into the verdict register. */

int nft_build_verdict(NftRuleBuilder *b, int verdict, const char *chain) {
        struct nftnl_expr *e = nft_expr_new(b, "immediate");

        if (!e)
                return -ENOMEM;
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
        if (chain)
                nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
        return 0;
}

static int verdict_decompile(NftExprReader *rd, int verdict, char *ret_chain) {
        const struct nftnl_expr *e = nft_read_expr(rd, "immediate");
        const char *chain;

        if (!e || !expr_u32_is(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT) ||
            (int)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT) != verdict)
                return -EBADMSG;
        chain = nftnl_expr_is_set(e, NFTNL_EXPR_IMM_CHAIN) ? nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN) : NULL;
        if (!ret_chain)
                return chain ? -EBADMSG : 0;
        if (!chain || strlen(chain) > CHAIN_NAME_MAX)
                return -EBADMSG;
        strcpy(ret_chain, chain);
        return 0;
}

#define VERDICT_CODEC(ident, verdict)                                           \
        static int ident##_compile(NftRuleBuilder *b, const void *data) {       \
                return nft_build_verdict(b, verdict, NULL);                       \
        }                                                                       \
        static int ident##_decompile(NftExprReader *rd, void *data) {           \
                return verdict_decompile(rd, verdict, NULL);                    \
        }                                                                       \
        const NftCodec nft_codec_##ident = { ident##_compile, ident##_decompile }

VERDICT_CODEC(ACCEPT, NF_ACCEPT);
VERDICT_CODEC(DROP, NF_DROP);
VERDICT_CODEC(RETURN, NFT_RETURN);

static int jump_compile(NftRuleBuilder *b, const void *data) {
        return nft_build_verdict(b, NFT_JUMP, ((const TargetChain *)data)->chain);
}

static int jump_decompile(NftExprReader *rd, void *data) {
        return verdict_decompile(rd, NFT_JUMP, ((TargetChain *)data)->chain);
}

static int goto_compile(NftRuleBuilder *b, const void *data) {
        return nft_build_verdict(b, NFT_GOTO, ((const TargetChain *)data)->chain);
}

static int goto_decompile(NftExprReader *rd, void *data) {
        return verdict_decompile(rd, NFT_GOTO, ((TargetChain *)data)->chain);
}

const NftCodec nft_codec_jump = { jump_compile, jump_decompile };
const NftCodec nft_codec_goto = { goto_compile, goto_decompile };
