/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The one printer: iptables-save's canonical text, iptables -S and
 * iptables -L, for save, status, the offline check and the tests alike.
 * print(parse(print(x))) is print(x).
 */

#include "ruleset.h"
#include "strbuf.h"

typedef enum PrintFlags {
        PRINT_COUNTERS = 1u << 0,       /* save: "[p:b] -A ..."; -S: "-c p b" */
        PRINT_NUMERIC = 1u << 1,        /* -L -n */
        PRINT_VERBOSE = 1u << 2,        /* -L -v: counters and interfaces */
        PRINT_EXACT = 1u << 3,          /* -L -x: counters without K/M/G */
        PRINT_LINE_NUMBERS = 1u << 4,   /* -L --line-numbers */
} PrintFlags;

/* One rule's specification, as after "-A CHAIN" (leading space included, no newline). */
void rule_print_spec(const Rule *r, Family family, StrBuf *out);
/* The iptables-save block of one table: *table ... COMMIT. */
void table_print_save(const Table *t, unsigned flags, StrBuf *out);
/* Every table of a family, in the model's table order. */
void ruleset_print_save(const Ruleset *rs, Family family, unsigned flags, StrBuf *out);
/* iptables -S [CHAIN [RULENUM]]: chain NULL = the whole table; rulenum 0 = all rules. */
int table_print_rules(const Table *t, const char *chain, size_t rulenum, unsigned flags, StrBuf *out);
/* iptables -L [CHAIN]. */
int table_print_list(const Table *t, const char *chain, unsigned flags, StrBuf *out);
/* iptables -L CHAIN N: that rule's line alone. -ENOENT, -ERANGE. */
int table_print_list_rule(const Table *t, const char *chain, size_t rulenum, unsigned flags, StrBuf *out);
