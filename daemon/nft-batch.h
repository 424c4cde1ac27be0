/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The compiled form of a ruleset, between the pure compiler and the one
 * module that owns a netlink socket: libnftnl objects in transaction
 * order, each with the source location to blame if the kernel refuses
 * it. And the dumped form, between netlink and the pure decompiler.
 * Neither knows the model: they carry bytes, not rules.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "diag.h"

/* Our tables' names: "nfwall-" + the iptables table name, in families ip and ip6. */
#define NFT_TABLE_PREFIX "nfwall-"

/* Rule userdata (NFTNL_UDATA_RULE_*): TLV 0 is the comment nft and iptables show; ours is private. */
#define NFT_UDATA_COMMENT 0
#define NFT_UDATA_NFWALL 0xf0
/* The kernel's NFT_USERDATA_MAXLEN. */
#define NFT_UDATA_MAX 256

typedef enum NftMessageKind {
        NFT_MESSAGE_NEW_TABLE,          /* NLM_F_CREATE: no error when it exists */
        NFT_MESSAGE_DEL_TABLE,          /* with everything in it */
        NFT_MESSAGE_NEW_CHAIN,
        NFT_MESSAGE_NEW_SET,            /* followed by its elements, in as many messages as needed */
        NFT_MESSAGE_NEW_RULE,           /* appended; its handle is learned by echo */
        _NFT_MESSAGE_KIND_MAX,
        _NFT_MESSAGE_KIND_INVALID = -EINVAL,
} NftMessageKind;

typedef struct NftMessage {
        NftMessageKind kind;
        union {
                struct nftnl_table *table;
                struct nftnl_chain *chain;
                struct nftnl_set *set;
                struct nftnl_rule *rule;
        };
        SourceLoc loc;                  /* borrowed from the model: the batch must not outlive it */
        uint64_t handle;                /* out, rules: the kernel's handle after a commit with echo */
} NftMessage;

typedef struct NftBatch {
        NftMessage *messages;
        size_t n_messages;
        size_t n_allocated;
        size_t n_rules;
} NftBatch;

#define NFT_BATCH_INIT ((NftBatch){})

void nft_batch_deinit(NftBatch *b);
/* Takes the object (ownership) on success; on failure frees nothing. */
int nft_batch_add(NftBatch *b, NftMessageKind kind, void *object, const SourceLoc *loc);

/* One of our tables as the kernel holds it. */
typedef struct NftTableDump {
        struct nftnl_table *table;
        struct nftnl_chain_list *chains;
        struct nftnl_set_list *sets;    /* with their elements */
        struct nftnl_rule_list *rules;  /* in chain order */
} NftTableDump;

void nft_table_dump_deinit(NftTableDump *d);
