/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft-layout: the few bytes of private rule userdata that map a rule's
 * expressions back to its matches and target.
 */

#include <errno.h>

#include "nft-layout.h"

int nft_layout_add(NftLayout *l, bool target, unsigned type, unsigned n_exprs) {
        if (l->n_blocks >= NFT_LAYOUT_MAX_BLOCKS || type > 0x7f || n_exprs > 0xff)
                return -E2BIG;
        l->blocks[l->n_blocks++] = (NftLayoutBlock){ target, (uint8_t)type, (uint8_t)n_exprs };
        return 0;
}

size_t nft_layout_encode(const NftLayout *l, uint8_t *buf, size_t size) {
        size_t n = 0;

        if (size < 2 + 2 * (size_t)l->n_blocks)
                return 0;
        buf[n++] = NFT_LAYOUT_VERSION;
        buf[n++] = l->n_core;
        for (unsigned i = 0; i < l->n_blocks; i++) {
                buf[n++] = (uint8_t)(l->blocks[i].type | (l->blocks[i].target ? 0x80 : 0));
                buf[n++] = l->blocks[i].n_exprs;
        }
        return n;
}

int nft_layout_decode(const uint8_t *buf, size_t len, NftLayout *ret) {
        NftLayout l = {};

        if (len < 2 || len % 2 != 0 || buf[0] != NFT_LAYOUT_VERSION || (len - 2) / 2 > NFT_LAYOUT_MAX_BLOCKS)
                return -EBADMSG;
        l.n_core = buf[1];
        for (size_t i = 2; i < len; i += 2) {
                bool target = buf[i] & 0x80;
                /* the target, if any, comes last */
                if (l.n_blocks > 0 && l.blocks[l.n_blocks - 1].target)
                        return -EBADMSG;
                l.blocks[l.n_blocks++] = (NftLayoutBlock){ target, (uint8_t)(buf[i] & 0x7f), buf[i + 1] };
        }
        *ret = l;
        return 0;
}

unsigned nft_layout_n_exprs(const NftLayout *l) {
        unsigned n = l->n_core + 1;

        for (unsigned i = 0; i < l->n_blocks; i++)
                n += l->blocks[i].n_exprs;
        return n;
}
