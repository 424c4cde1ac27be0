/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PLACEHOLDER so the tree links while the real codecs are written: replace this whole file. */

#include "nft-ext-list.h"

static int placeholder_compile(NftRuleBuilder *b, const void *data) {
        return nft_compile_unsupported(b, "not compiled to nf_tables yet");
}

static int placeholder_decompile(NftExprReader *rd, void *data) {
        return -EBADMSG;
}

const NftCodec nft_codec_limit = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_comment = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_iprange = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_addrtype = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_mac = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_pkttype = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_length = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_ttl = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_hl = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_tos = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_dscp = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_owner = { placeholder_compile, placeholder_decompile };
