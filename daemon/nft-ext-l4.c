/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PLACEHOLDER so the tree links while the real codecs are written: replace this whole file. */

#include "nft-ext-list.h"

static int placeholder_compile(NftRuleBuilder *b, const void *data) {
        return nft_compile_unsupported(b, "not compiled to nf_tables yet");
}

static int placeholder_decompile(NftExprReader *rd, void *data) {
        return -EBADMSG;
}

const NftCodec nft_codec_tcp = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_udp = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_icmp = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_icmp6 = { placeholder_compile, placeholder_decompile };
const NftCodec nft_codec_multiport = { placeholder_compile, placeholder_decompile };
