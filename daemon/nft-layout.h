/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The layout of a compiled rule, kept in its private userdata: how many
 * expressions the core matches took, then each match's and the target's
 * type and expression count. It lets the decompiler give every codec its
 * own expressions, and tells our rules from rules someone else wrote.
 *
 * Encoding: version (1), n_core, then one (type | 0x80 for the target,
 * n_exprs) byte pair per block. The counter between matches and target
 * is implied.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NFT_LAYOUT_VERSION 1
#define NFT_LAYOUT_MAX_BLOCKS 33        /* 32 matches and a target */
#define NFT_LAYOUT_MAX_BYTES (2 + 2 * NFT_LAYOUT_MAX_BLOCKS)

typedef struct NftLayoutBlock {
        bool target;
        uint8_t type;                   /* MatchType or TargetType */
        uint8_t n_exprs;
} NftLayoutBlock;

typedef struct NftLayout {
        uint8_t n_core;
        uint8_t n_blocks;
        NftLayoutBlock blocks[NFT_LAYOUT_MAX_BLOCKS];
} NftLayout;

int nft_layout_add(NftLayout *l, bool target, unsigned type, unsigned n_exprs);
size_t nft_layout_encode(const NftLayout *l, uint8_t *buf, size_t size);
/* 0, or -EBADMSG for anything that is not a layout we wrote. */
int nft_layout_decode(const uint8_t *buf, size_t len, NftLayout *ret);
/* Expressions the layout accounts for: core, blocks, and the counter. */
unsigned nft_layout_n_exprs(const NftLayout *l);
