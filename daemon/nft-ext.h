/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Codecs: how each match and target of the model becomes native nf_tables
 * expressions (compile), and how those expressions become the match or
 * target again (decompile). Pure: libnftnl objects in and out, no socket.
 *
 * A rule is laid out as
 *
 *   [-i -o -p -s -d -f] [match 1] ... [match n] [counter] [target]
 *
 * and its private userdata records how many expressions each block has,
 * so the decompiler hands every codec exactly the expressions its compile
 * produced. A decompiled rule is compiled again and must give the same
 * expressions; otherwise it was changed behind our back.
 *
 * The codec tables live in nft-ext.c; the codecs in nft-ext-*.c, grouped
 * like the extensions in ext-*.c.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h> /* before the linux/ headers, which it supersedes */

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>

#include "diag.h"
#include "ruleset.h"

/* Registers: 16-byte NFT_REG_1..4; the 4-byte NFT_REG32_00.. overlay them. */

/*
 * A set a rule looks up in, or a map it looks a value up in: shared by all
 * rules of the table with the same key, data and elements.
 */
#define NFT_MAP_DATA_MAX 4

typedef struct NftSetElement {
        uint8_t key[16];
        uint8_t key_end[16];            /* interval sets: inclusive end; equal to key for a single value */
        uint8_t data[NFT_MAP_DATA_MAX]; /* maps: the value, data_len bytes; zero in sets */
} NftSetElement;

typedef enum NftSetFlags {
        NFT_SET_SPEC_INTERVAL = 1u << 0,        /* elements are ranges */
        NFT_SET_SPEC_CONCAT = 1u << 1,          /* key is field_len[0] . field_len[1] ... */
} NftSetFlags;

typedef struct NftSetSpec {
        uint32_t key_type;              /* nft's datatype number, for nft list: 13 = inet_service ... */
        uint32_t key_len;               /* bytes; concatenations: each field rounded up to 4 */
        uint32_t data_type;             /* maps: nft's datatype of the values */
        uint32_t data_len;              /* maps: bytes of each value, at most NFT_MAP_DATA_MAX; 0 for a set */
        uint8_t field_len[4];           /* concatenations: the length of each field */
        uint8_t n_fields;               /* 0 = a single field */
        uint8_t flags;                  /* NftSetFlags */
        NftSetElement *elements;        /* sorted, no overlaps */
        size_t n_elements;
        /*
         * Opaque to everyone but the codec, kept in the set's userdata (at most
         * 200 bytes): what the elements cannot say, such as the order a port
         * list was written in. Sets are shared only when this is equal too.
         */
        const void *udata;
        uint32_t udata_len;
} NftSetSpec;

typedef struct NftCompileContext NftCompileContext;

/* What a codec's compile gets: the rule being built. */
typedef struct NftRuleBuilder {
        NftCompileContext *ctx;
        struct nftnl_rule *rule;
        Family family;
        TableType table;
        const Rule *model;              /* the whole rule: -p and friends */
        const char *comment;            /* set by the comment codec; goes to userdata */
        unsigned n_exprs;               /* added so far, in this rule */
        SourceLoc loc;                  /* of the -m / -j being compiled */
        DiagList *diags;
} NftRuleBuilder;

/* Appends an expression to the rule (takes ownership, also on failure). */
int nft_add_expr(NftRuleBuilder *b, struct nftnl_expr *e);
/* A new expression appended to the rule, for the caller to set; NULL on ENOMEM. */
struct nftnl_expr *nft_expr_new(NftRuleBuilder *b, const char *name);
/* Refuses to compile: DIAG_UNSUPPORTED at the codec's -m/-j, returns -EOPNOTSUPP. */
int nft_compile_unsupported(NftRuleBuilder *b, const char *fmt, ...) _printf_(2, 3);

/* The common shapes. Data is in network byte order where the packet has it so. */
int nft_build_payload(NftRuleBuilder *b, uint32_t base, uint32_t offset, uint32_t len, uint32_t dreg);
int nft_build_meta(NftRuleBuilder *b, uint32_t key, uint32_t dreg);
/* dir: -1 for none, else IP_CT_DIR_ORIGINAL / IP_CT_DIR_REPLY */
int nft_build_ct(NftRuleBuilder *b, uint32_t key, int dir, uint32_t dreg);
int nft_build_cmp(NftRuleBuilder *b, uint32_t sreg, uint32_t op, const void *data, uint32_t len);
/* reg = (reg & mask) ^ xor */
int nft_build_bitwise(NftRuleBuilder *b, uint32_t reg, uint32_t len, const void *mask, const void *xor);
int nft_build_range(NftRuleBuilder *b, uint32_t sreg, uint32_t op, const void *from, const void *to, uint32_t len);
int nft_build_immediate(NftRuleBuilder *b, uint32_t dreg, const void *data, uint32_t len);
/* A lookup in the table's set with these elements (made once, shared); the spec is copied. */
int nft_build_lookup(NftRuleBuilder *b, uint32_t sreg, const NftSetSpec *spec, bool invert);
/* A verdict (NF_ACCEPT, NFT_JUMP ...): an immediate into the verdict register; @chain for jumps and gotos. */
int nft_build_verdict(NftRuleBuilder *b, int verdict, const char *chain);
/*
 * CT --helper: the objref to the table's ct helper object of that helper
 * for the rule's -p (made the first time), which names it; refused, with
 * the reason, where the raw table cannot be replayed after conntrack.
 */
int nft_build_ct_helper(NftRuleBuilder *b, const char *helper);
/* dreg = map[sreg]; a key the map lacks ends the rule there. spec->data_len must be set. */
int nft_build_map(NftRuleBuilder *b, uint32_t sreg, uint32_t dreg, const NftSetSpec *spec);

/* What a codec's decompile gets: its own expressions, and the table's sets. */
typedef struct NftExprReader {
        const struct nftnl_expr *const *exprs;
        size_t n_exprs;
        size_t pos;
        Family family;
        TableType table;
        const Rule *model;              /* core fields and the matches before this one */
        const char *comment;            /* from userdata, for the comment codec */
        struct nftnl_set_list *sets;    /* the table's sets, with elements */
} NftExprReader;

/* The next expression if it has this name (and moves past it), else NULL. */
const struct nftnl_expr *nft_read_expr(NftExprReader *rd, const char *name);
static inline bool nft_read_done(const NftExprReader *rd) {
        return rd->pos >= rd->n_exprs;
}
/* Each reads the next expression and checks it has exactly this shape: 0, or -EBADMSG. */
int nft_read_payload(NftExprReader *rd, uint32_t base, uint32_t offset, uint32_t len, uint32_t dreg);
int nft_read_meta(NftExprReader *rd, uint32_t key, uint32_t dreg);
int nft_read_ct(NftExprReader *rd, uint32_t key, int dir, uint32_t dreg);
/* Reads a cmp on sreg of len bytes: its op and data. */
int nft_read_cmp(NftExprReader *rd, uint32_t sreg, uint32_t *ret_op, void *ret_data, uint32_t len);
int nft_read_bitwise(NftExprReader *rd, uint32_t reg, uint32_t len, void *ret_mask, void *ret_xor);
int nft_read_range(NftExprReader *rd, uint32_t sreg, uint32_t *ret_op, void *ret_from, void *ret_to, uint32_t len);
int nft_read_immediate(NftExprReader *rd, uint32_t dreg, void *ret_data, uint32_t len);
/*
 * A lookup on sreg: the set's elements and userdata (owned by the caller:
 * nft_set_spec_done()) and inversion.
 */
int nft_read_lookup(NftExprReader *rd, uint32_t sreg, NftSetSpec *ret_spec, bool *ret_invert);
/* The helper an objref names, checked against the rule's -p: into ret (size bytes). */
int nft_read_ct_helper(NftExprReader *rd, char *ret, size_t size);
/* Reads a map lookup from sreg into dreg: the map, with its values. */
int nft_read_map(NftExprReader *rd, uint32_t sreg, uint32_t dreg, NftSetSpec *ret_spec);
/* A set of ours as its spec (elements sorted, intervals paired): 0, -EBADMSG, -ENOMEM. */
int nft_set_spec_from_set(const struct nftnl_set *set, NftSetSpec *ret);

void nft_set_spec_done(NftSetSpec *spec);

typedef struct NftCodec {
        /* Appends the expressions for the payload. 0, -EOPNOTSUPP (after a diagnostic), -ENOMEM. */
        int (*compile)(NftRuleBuilder *b, const void *data);
        /* Fills the zeroed payload from exactly the expressions compile made; -EBADMSG if they are not. */
        int (*decompile)(NftExprReader *rd, void *data);
} NftCodec;

const NftCodec *nft_codec_for_match(MatchType type);
const NftCodec *nft_codec_for_target(TargetType type);
