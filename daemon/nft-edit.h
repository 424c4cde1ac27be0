/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Runtime edits: one iptables command (-A -I -R -D -N -X -P -F -E -Z)
 * on a table of the model becomes the messages of one nf_tables
 * transaction that does to the kernel's table what command_execute()
 * will do to the model. Positions become handles from the model; nothing
 * is read from the kernel. Pure: no socket.
 */

#include "diag.h"
#include "nft-batch.h"
#include "nft-compile.h"
#include "ruleset-parse.h"

/*
 * One edit from the command to the kernel's answer, the same for nfwalld,
 * the tests and the fuzzer: nft_edit_begin() checks the command on the
 * model and compiles the messages; the socket's owner commits them;
 * nft_edit_end() records the answer and, when the kernel took it, carries
 * the command out on the model.
 */
typedef struct NftEdit {
        NftCompileContext *ctx;
        Table *table;
        Command *command;
        CommandPlan plan;
        bool new_table;         /* the edit makes the table: its head went first */
        bool open;              /* the context's bookkeeping awaits the answer */
} NftEdit;

int nft_edit_begin(NftEdit *e, NftCompileContext *ctx, Table *t, bool new_table, Command *c, NftBatch *batch,
                   DiagList *diags);
int nft_edit_end(NftEdit *e, const NftBatch *batch, bool committed);
