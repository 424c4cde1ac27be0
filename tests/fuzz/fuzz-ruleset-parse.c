/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-ruleset-parse: libFuzzer target for the grammar. Feeds the input to
 * ruleset_parse_string() as an IPv4 and as an IPv6 rules file. Whatever
 * parses must print (save, -S, -L), and its save text must parse again and
 * print the same: print(parse(print(x))) == print(x). It must compile too
 * (pure: no socket), or be refused with a diagnostic at a rule. Anything
 * else aborts.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nft-compile.h"
#include "ruleset-parse.h"
#include "ruleset-print.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The parser's contract: a ruleset exactly when there was no error. */
static void check_contract(int r, const DiagList *diags, const Ruleset *rs) {
        if (r == 0 && (diags->n_errors > 0 || !rs))
                abort();
        if (r == -EINVAL && (diags->n_errors == 0 || rs))
                abort();
        if (r < 0 && r != -EINVAL && r != -ENOMEM)
                abort();
}

static void render_diags(const DiagList *diags) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        if (!f)
                return;
        (void)diag_list_print(diags, f);
        fclose(f);
        free(buf);
}

/* Every printer over every table: none may crash or fail. */
static void print_all(const Ruleset *rs, Family family) {
        static const unsigned list_flags[] = {
                0,
                PRINT_NUMERIC | PRINT_VERBOSE | PRINT_EXACT | PRINT_LINE_NUMBERS,
                PRINT_VERBOSE,
        };
        StrBuf b = STRBUF_INIT;

        for (TableType t = 0; t < _TABLE_TYPE_MAX; t++) {
                const Table *table = ruleset_get_table(rs, family, t);
                if (!table)
                        continue;
                if (table_print_rules(table, NULL, 0, PRINT_COUNTERS, &b) < 0)
                        abort();
                for (size_t i = 0; i < sizeof(list_flags) / sizeof(list_flags[0]); i++)
                        if (table_print_list(table, NULL, list_flags[i], &b) < 0)
                                abort();
                for (size_t i = 0; i < table->n_chains; i++) {
                        const Chain *c = table->chains[i];
                        if (table_print_rules(table, c->name, c->n_rules, 0, &b) < 0)
                                abort();
                        if (table_print_list(table, c->name, PRINT_NUMERIC, &b) < 0)
                                abort();
                }
                strbuf_reset(&b);
        }
        strbuf_deinit(&b);
}

/* The compiler's contract: the messages of a transaction, or errors at the rules it refused. */
static void compile(const Ruleset *rs, Family family) {
        _cleanup_(diag_list_deinit) DiagList diags = DIAG_LIST_INIT;
        NftBatch batch = NFT_BATCH_INIT;
        int r;

        r = nft_compile_ruleset(rs, FAMILY_BIT(family), &batch, &diags);
        if (r == 0 && (diags.n_errors > 0 || batch.n_messages == 0))
                abort();
        if (r < 0 && r != -ENOMEM && diags.n_errors == 0)
                abort();
        render_diags(&diags);
        nft_batch_deinit(&batch);
}

static void fuzz_family(const char *text, size_t len, Family family) {
        _cleanup_(diag_list_deinit) DiagList diags = DIAG_LIST_INIT, diags2 = DIAG_LIST_INIT;
        _cleanup_(ruleset_freep) Ruleset *rs = NULL, *again = NULL;
        StrBuf first = STRBUF_INIT, second = STRBUF_INIT;
        int r;

        r = ruleset_parse_string(text, len, "fuzz", family, &diags, &rs);
        check_contract(r, &diags, rs);
        render_diags(&diags);
        if (r < 0)
                return;

        print_all(rs, family);
        compile(rs, family);
        ruleset_print_save(rs, family, PRINT_COUNTERS, &first);
        if (first.error)
                goto out;

        r = ruleset_parse_string(strbuf_str(&first), first.len, "reprint", family, &diags2, &again);
        if (r == -ENOMEM)
                goto out;
        if (r < 0) {
                /* what we print, we must read back */
                fprintf(stderr, "the print does not parse:\n%s", strbuf_str(&first));
                diag_list_print(&diags2, stderr);
                abort();
        }
        ruleset_print_save(again, family, PRINT_COUNTERS, &second);
        if (second.error)
                goto out;
        if (first.len != second.len || memcmp(strbuf_str(&first), strbuf_str(&second), first.len) != 0) {
                fprintf(stderr, "print(parse(print(x))) != print(x):\n--- print(x)\n%s--- print(parse(print(x)))\n%s",
                        strbuf_str(&first), strbuf_str(&second));
                abort();
        }
        if (ruleset_count_rules(again) != ruleset_count_rules(rs))
                abort();
out:
        strbuf_deinit(&first);
        strbuf_deinit(&second);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        /* Rules files are text; a parse costs about the input's size, so large inputs add nothing. */
        if (size > 64 * 1024)
                return 0;
        fuzz_family((const char *)data, size, FAMILY_IPV4);
        fuzz_family((const char *)data, size, FAMILY_IPV6);
        return 0;
}
