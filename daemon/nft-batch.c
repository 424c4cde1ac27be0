/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft-batch: the list of libnftnl objects a compile produces and a commit
 * consumes, and the dumps a decompile reads.
 */

#include <stdlib.h>

#include "nft-batch.h"

static void nft_message_free_object(NftMessage *m) {
        switch (m->kind) {
        case NFT_MESSAGE_NEW_TABLE:
        case NFT_MESSAGE_DEL_TABLE:
                nftnl_table_free(m->table);
                break;
        case NFT_MESSAGE_NEW_CHAIN:
                nftnl_chain_free(m->chain);
                break;
        case NFT_MESSAGE_NEW_SET:
                nftnl_set_free(m->set);
                break;
        case NFT_MESSAGE_NEW_RULE:
                nftnl_rule_free(m->rule);
                break;
        case _NFT_MESSAGE_KIND_MAX:
        case _NFT_MESSAGE_KIND_INVALID:
                break;
        }
}

void nft_batch_deinit(NftBatch *b) {
        if (!b)
                return;
        for (size_t i = 0; i < b->n_messages; i++)
                nft_message_free_object(&b->messages[i]);
        free(b->messages);
        *b = NFT_BATCH_INIT;
}

int nft_batch_add(NftBatch *b, NftMessageKind kind, void *object, const SourceLoc *loc) {
        if (b->n_messages == b->n_allocated) {
                size_t n = b->n_allocated ? b->n_allocated * 2 : 64;
                NftMessage *m = reallocarray(b->messages, n, sizeof(NftMessage));
                if (!m)
                        return -ENOMEM;
                b->messages = m;
                b->n_allocated = n;
        }
        b->messages[b->n_messages++] = (NftMessage){
                .kind = kind,
                .table = object, /* the union's members share one pointer */
                .loc = loc ? *loc : SOURCE_LOC_NULL,
        };
        if (kind == NFT_MESSAGE_NEW_RULE)
                b->n_rules++;
        return 0;
}

void nft_table_dump_deinit(NftTableDump *d) {
        if (!d)
                return;
        if (d->table)
                nftnl_table_free(d->table);
        if (d->chains)
                nftnl_chain_list_free(d->chains);
        if (d->sets)
                nftnl_set_list_free(d->sets);
        if (d->rules)
                nftnl_rule_list_free(d->rules);
        *d = (NftTableDump){};
}
