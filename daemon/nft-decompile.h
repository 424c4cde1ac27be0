/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Kernel → model, without a socket: one of our tables, as dumped, becomes
 * the model's table again, with the kernel's counters and rule handles.
 */

#include "diag.h"
#include "nft-batch.h"
#include "ruleset.h"

/*
 * Adds the table to rs (replacing one there). A rule that nfwall did not
 * write, or that was changed since, is kept as a foreign rule (Rule.foreign,
 * nft's text of it) and reported with a warning naming chain and handle:
 * never dropped, never taken for a rule it is not. 0, -EBADMSG when the
 * table itself is not one of ours, -ENOMEM.
 */
int nft_decompile_table(const NftTableDump *dump, Ruleset *rs, DiagList *diags);
