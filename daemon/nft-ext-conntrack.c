/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PLACEHOLDER so the tree links while the real codecs are written: replace this whole file. */

#include "nft-ext-list.h"

static int placeholder_compile(NftRuleBuilder *b, const void *data) {
        return nft_compile_unsupported(b, "not compiled to nf_tables yet");
}

static int placeholder_decompile(NftExprReader *rd, void *data) {
        return -EBADMSG;
}

const NftCodec nft_codec_conntrack = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_state = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_mark = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_connmark = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_CT = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_NOTRACK = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_MARK = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_CONNMARK = { placeholder_compile, placeholder_decompile };
