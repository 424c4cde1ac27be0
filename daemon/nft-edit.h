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
 * @ctx is the table's context, attached to @t (as it is before the
 * command) and to the batch. 0, or a negative errno after diagnostics
 * at the command (-EOPNOTSUPP: a rule nf_tables cannot take; -EINVAL: a
 * rule or chain whose handle is unknown).
 */
int nft_edit_compile(NftCompileContext *ctx, const Table *t, const Command *c, const CommandPlan *plan,
                     NftBatch *batch, DiagList *diags);

/* After the kernel took it and the model carried it out: new rules' and chains' handles, from the echoes. */
void nft_edit_take_handles(Table *t, bool new_table, const Command *c, Rule *added, const NftBatch *b);
