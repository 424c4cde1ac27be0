/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PLACEHOLDER so the tree links while the real codecs are written: replace this whole file. */

#include "nft-ext-list.h"

static int placeholder_compile(NftRuleBuilder *b, const void *data) {
        return nft_compile_unsupported(b, "not compiled to nf_tables yet");
}

static int placeholder_decompile(NftExprReader *rd, void *data) {
        return -EBADMSG;
}

const NftCodec nft_codec_REJECT = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_LOG = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_NFLOG = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_TCPMSS = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_TOS = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_DSCP = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_TTL = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_HL = { placeholder_compile, placeholder_decompile };
