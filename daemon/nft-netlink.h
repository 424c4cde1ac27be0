/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The one module that owns a netlink socket: it sends an NftBatch's pages
 * as one nf_tables transaction and turns the kernel's refusals into
 * diagnostics at the source locations the batch carries, it dumps our
 * tables into NftTableDumps, and it reports generation changes. It knows
 * netlink bytes and libnftnl objects, never the ruleset model.
 */

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "macro.h"
#include "nft-batch.h"

typedef struct NftSocket NftSocket;

/* nft_socket_commit() flags. */
enum {
        NFT_COMMIT_ECHO = 1u << 0,      /* echo every rule: its handle into NftMessage.handle (the compiler predicts it) */
        NFT_COMMIT_CHECK = 1u << 1,     /* no BATCH_END: the kernel validates everything, then aborts */
        NFT_COMMIT_GENID = 1u << 2,     /* -ERESTART unless the ruleset is still at the genid given */
};

typedef struct NftCommitStats {
        uint64_t n_bytes;               /* the batch on the wire */
        size_t n_messages;              /* netlink messages, BATCH_BEGIN and BATCH_END included */
        size_t n_pages;                 /* the batch's pages, sent by one sendmsg() with BEGIN and END */
        size_t n_errors;                /* messages the kernel refused */
        size_t n_echoes;                /* rules echoed back */
        uint64_t build_usec;            /* iovecs and socket buffers: the compiler serialised the messages */
        uint64_t sendmsg_usec;          /* the kernel runs and commits the batch inside sendmsg() */
        uint64_t drain_usec;
} NftCommitStats;

int nft_socket_open(NftSocket **ret);
NftSocket *nft_socket_free(NftSocket *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(NftSocket *, nft_socket_free);

int nft_socket_get_fd(NftSocket *s);
int nft_socket_get_genid(NftSocket *s, uint32_t *ret);

int nft_socket_commit(NftSocket *s, NftBatch *b, unsigned flags, uint32_t genid,
                      DiagList *diags, NftCommitStats *ret_stats);

int nft_socket_list_tables(NftSocket *s, int family, const char *prefix, char ***ret_names);
char **nft_table_names_free(char **names);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, nft_table_names_free);

int nft_socket_dump_table(NftSocket *s, int family, const char *table, NftTableDump *ret);

/*
 * Generation events. A subscribed socket receives every nf_tables event
 * of the network namespace, so keep one socket for this alone.
 */
int nft_socket_subscribe(NftSocket *s, int rcvbuf);
int nft_socket_read_generations(NftSocket *s, uint32_t *ret_genid, bool *ret_foreign);
/* NFT_MSG_NEWGEN's NFTA_GEN_PROC_PID and _NAME of the newest generation another process committed. */
void nft_socket_get_foreign_origin(NftSocket *s, uint32_t *ret_genid, uint32_t *ret_pid, char ret_comm[static 16]);
