/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The compiled form of a ruleset, between the pure compiler and the one
 * module that owns a netlink socket: the messages of one nf_tables
 * transaction, serialised into netlink pages as they are added, so that
 * the libnftnl object each came from can be freed at once. Per message
 * the batch keeps only what is needed once the kernel has answered: its
 * kind, the source location to blame, its sequence number, where its
 * bytes are, and its handle. And the dumped form, between netlink and the
 * pure decompiler. Neither knows the model: they carry bytes, not rules.
 *
 * The pages hold the object messages only. BATCH_BEGIN and BATCH_END are
 * the commit's: they carry what is decided when sending (a generation id,
 * whether to commit at all).
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/uio.h>
#include <linux/netlink.h>

#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/object.h>
#include <libnftnl/table.h>

#include "diag.h"

/* _cleanup_() for the libnftnl objects messages are written from, and for lists of them. */
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nftnl_table *, nftnl_table_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nftnl_chain *, nftnl_chain_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nftnl_set *, nftnl_set_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nftnl_set_list *, nftnl_set_list_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nftnl_rule *, nftnl_rule_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nftnl_obj *, nftnl_obj_free);

/* Our tables' names: "nfwall-" + the iptables table name, in families ip and ip6. */
#define NFT_TABLE_PREFIX "nfwall-"

/* Rule userdata (NFTNL_UDATA_RULE_*): TLV 0 is the comment nft and iptables show; ours is private. */
#define NFT_UDATA_COMMENT 0
#define NFT_UDATA_NFWALL 0xf0
/* The kernel's NFT_USERDATA_MAXLEN. */
#define NFT_UDATA_MAX 256
/* The kernel's NFT_RULE_MAXEXPRS: it refuses more. */
#define NFT_RULE_MAX_EXPRS 128

/*
 * Pages as nft and iptables-nft size them ("to support 3.5M rules"). A
 * message is started only where the largest one still fits, so it never
 * moves once written: a rule is at most NFT_RULE_MAX_EXPRS expressions
 * under a 16-bit nest, a set element message stops at the 16-bit
 * attribute length plus one element, the rest is small.
 */
#define NFT_BATCH_PAGE_SIZE (2u * 1024 * 1024)
#define NFT_BATCH_MESSAGE_MAX (UINT16_MAX + 1u + 4096u)

typedef enum NftMessageKind {
        NFT_MESSAGE_NEW_TABLE,          /* NLM_F_CREATE: no error when it exists */
        NFT_MESSAGE_DEL_TABLE,          /* with everything in it */
        NFT_MESSAGE_NEW_CHAIN,          /* made, or changed: renamed by handle, a new policy */
        NFT_MESSAGE_DEL_CHAIN,
        NFT_MESSAGE_NEW_SET,            /* followed by its elements, in as many messages as needed */
        NFT_MESSAGE_DEL_SET,            /* one no rule looks up any more */
        NFT_MESSAGE_NEW_RULE,           /* appended, inserted or replacing another */
        NFT_MESSAGE_DEL_RULE,           /* one rule, or every rule of a chain */
        NFT_MESSAGE_NEW_OBJ,            /* a stateful object: a ct helper */
        _NFT_MESSAGE_KIND_MAX,
        _NFT_MESSAGE_KIND_INVALID = -EINVAL,
} NftMessageKind;

typedef struct NftMessage {
        struct nlmsghdr *nlh;           /* its bytes in the batch's pages; a set's elements follow it */
        SourceLoc loc;                  /* borrowed from the model: the batch must not outlive it */
        /*
         * Chains, sets and rules: the handle the kernel gives the object,
         * 0 = unknown. In a table made by the same batch it is known
         * beforehand: the kernel numbers chains, sets and rules from one
         * counter per table, in message order, from 1. The compiler
         * records that; a commit with NFT_COMMIT_ECHO writes what the
         * kernel says for every rule.
         */
        uint64_t handle;
        uint32_t seq;                   /* its first sequence number; a set has one more per element message */
        NftMessageKind kind;
        /*
         * Of the raw table's replay after conntrack (nft-compile), not of a
         * model chain or rule: no model object takes its handle.
         */
        bool replay;
} NftMessage;

typedef struct NftBatch {
        NftMessage *messages;
        size_t n_messages;
        size_t n_allocated;
        size_t n_rules;
        struct iovec *pages;            /* iov_len: the bytes written; each NFT_BATCH_PAGE_SIZE long */
        size_t n_pages;
        size_t n_pages_allocated;
        uint64_t n_bytes;
        uint32_t n_seqs;                /* the messages use sequence numbers 1 .. n_seqs */
        bool echo;                      /* the rules' headers ask for NLM_F_ECHO */
        bool replay;                    /* messages added now are NftMessage.replay */
} NftBatch;

#define NFT_BATCH_INIT ((NftBatch){})

void nft_batch_deinit(NftBatch *b);

/*
 * Each serialises the object into the batch; the object stays the
 * caller's, to free right away. On failure nothing is added. @handle is
 * the kernel's handle the caller expects the object to get, or 0.
 * -EINVAL for an object without what its message needs (family, names),
 * -E2BIG for a rule the kernel would refuse for its size (more than
 * NFT_RULE_MAX_EXPRS expressions, more than NFT_UDATA_MAX bytes of
 * userdata), -ENOMEM.
 */
int nft_batch_add_table(NftBatch *b, NftMessageKind kind, const struct nftnl_table *table, const SourceLoc *loc);
int nft_batch_add_chain(NftBatch *b, const struct nftnl_chain *chain, const SourceLoc *loc, uint64_t handle);
int nft_batch_add_set(NftBatch *b, struct nftnl_set *set, const SourceLoc *loc, uint64_t handle);
int nft_batch_add_rule(NftBatch *b, struct nftnl_rule *rule, const SourceLoc *loc, uint64_t handle);
int nft_batch_add_obj(NftBatch *b, struct nftnl_obj *obj, const SourceLoc *loc, uint64_t handle);

/* Where a runtime edit puts a rule, relative to a rule already in the chain (by handle). */
typedef enum NftRulePlace {
        NFT_RULE_APPEND,                /* at the end of the chain */
        NFT_RULE_BEFORE,                /* just before the rule */
        NFT_RULE_REPLACE,               /* in place of the rule, keeping its handle */
        _NFT_RULE_PLACE_MAX,
        _NFT_RULE_PLACE_INVALID = -EINVAL,
} NftRulePlace;

/* NEWRULE for a runtime edit: @ref is the handle BEFORE and REPLACE refer to. Same errors as above. */
int nft_batch_add_rule_at(NftBatch *b, struct nftnl_rule *rule, NftRulePlace place, uint64_t ref,
                          const SourceLoc *loc);
/* DELRULE: the rule of that handle, or with handle 0 every rule of the chain. */
int nft_batch_del_rule(NftBatch *b, int family, const char *table, const char *chain, uint64_t handle,
                       const SourceLoc *loc);
/* DELSET: a set no rule looks up any more. */
int nft_batch_del_set(NftBatch *b, int family, const char *table, const char *set, const SourceLoc *loc);
/* DELCHAIN: an empty chain nothing jumps to. */
int nft_batch_del_chain(NftBatch *b, int family, const char *table, const char *chain, const SourceLoc *loc);

/* The message that sent sequence number @seq, or NULL (BATCH_BEGIN, BATCH_END, another request's). */
NftMessage *nft_batch_find_seq(NftBatch *b, uint32_t seq);

/*
 * Whether the kernel is to echo every new rule and chain back (with its
 * handle): rewrites their headers when it changes.
 */
void nft_batch_set_echo(NftBatch *b, bool echo);

/* One of our tables as the kernel holds it. */
typedef struct NftTableDump {
        struct nftnl_table *table;
        struct nftnl_chain_list *chains;
        struct nftnl_set_list *sets;    /* with their elements */
        struct nftnl_rule_list *rules;  /* in chain order */
} NftTableDump;

void nft_table_dump_deinit(NftTableDump *d);
