/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Whole-ruleset checks the grammar cannot make line by line: jumps to
 * chains that exist, no loops, and every match and target used only in
 * the tables and hooks its kernel counterpart allows (for user chains:
 * every hook they are reached from).
 */

#include "diag.h"
#include "ruleset.h"

/* 0, or -EINVAL after adding diagnostics at the offending rules. */
int ruleset_check(const Ruleset *rs, DiagList *diags);
int table_check(const Table *t, DiagList *diags);

/*
 * For a runtime edit: the table with @rule at @position of @c (inserted,
 * or with @replace in place of the rule there), which is left as it was.
 * 0, or -EINVAL after diagnostics at the rule.
 */
int table_check_rule(Table *t, Chain *c, size_t position, bool replace, Rule *rule, DiagList *diags);
