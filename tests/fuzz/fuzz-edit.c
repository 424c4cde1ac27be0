/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-edit: libFuzzer target for runtime edits, without a kernel. Each
 * input line is an iptables command against a loaded ruleset, taken as
 * nfwalld takes it: parsed, resolved, checked, compiled into the messages
 * of an edit with the table's kept context, then "committed" (the kernel's
 * echo played by handing out handles) or "refused" (as the line says), and
 * only then carried out on the model. After every step: the model prints
 * and reads back the same, and the sets the context holds are exactly
 * those a fresh compile of the table makes. Anything else aborts.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nft-compile.h"
#include "nft-edit.h"
#include "ruleset-parse.h"
#include "ruleset-print.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char base[] =
        "*filter\n"
        ":INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:web - [0:0]\n:log - [0:0]\n"
        "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
        "-A INPUT -p tcp -m multiport --dports 80,443 -j web\n"
        "-A INPUT -p udp -m multiport --dports 53,123 -j ACCEPT\n"
        "-A web -s 10.0.0.0/8 -j ACCEPT\n"
        "-A web -p tcp -m multiport --dports 80,443 -j log\n"
        "-A log -j LOG --log-prefix \"web \"\n"
        "COMMIT\n"
        "*nat\n"
        ":PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
        "-A PREROUTING -p tcp -m multiport --dports 8080,8443 -j DNAT --to-destination 10.0.0.2\n"
        "COMMIT\n"
        /* CT --helper: the raw table's replay after conntrack shares its sets; edits of it are refused */
        "*raw\n"
        ":PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:helpers - [0:0]\n"
        "-A PREROUTING -j helpers\n"
        "-A helpers -p tcp -m multiport --dports 21,2121 -j CT --helper ftp\n"
        "COMMIT\n";

static size_t count_sets(const NftCompileContext *ctx) {
        struct nftnl_set_list *list = NULL;
        struct nftnl_set_list_iter *it;
        size_t n = 0;

        if (nft_compile_context_get_sets(ctx, &list) < 0)
                return SIZE_MAX;
        it = nftnl_set_list_iter_create(list);
        while (it && nftnl_set_list_iter_next(it))
                n++;
        if (it)
                nftnl_set_list_iter_destroy(it);
        nftnl_set_list_free(list);
        return n;
}

/* The sets a fresh compile of the table makes: what the kept context must hold. */
static void check_sets(const Table *t, const NftCompileContext *kept) {
        _cleanup_(diag_list_deinit) DiagList diags = DIAG_LIST_INIT;
        _cleanup_(nft_compile_context_freep) NftCompileContext *fresh = NULL;
        size_t want, have;

        if (nft_compile_context_new(t, NULL, &diags, &fresh) < 0)
                return;
        for (size_t i = 0; i < t->n_chains; i++)
                for (size_t k = 0; k < t->chains[i]->n_rules; k++) {
                        struct nftnl_rule *nr = NULL;

                        if (nft_compile_rule(fresh, t->chains[i], t->chains[i]->rules[k], &nr) < 0)
                                abort(); /* every rule of the model was compiled once already */
                        nftnl_rule_free(nr);
                }
        want = count_sets(fresh);
        have = count_sets(kept);
        if (want == SIZE_MAX || have == SIZE_MAX)
                return;
        if (want != have) {
                fprintf(stderr, "the context holds %zu sets, the table needs %zu\n", have, want);
                abort();
        }
}

/* The model prints, and the print reads back the same. */
static void check_model(const Ruleset *rs) {
        _cleanup_(diag_list_deinit) DiagList diags = DIAG_LIST_INIT;
        _cleanup_(ruleset_freep) Ruleset *again = NULL;
        StrBuf first = STRBUF_INIT, second = STRBUF_INIT;

        ruleset_print_save(rs, FAMILY_IPV4, 0, &first);
        if (!first.error && ruleset_parse_string(strbuf_str(&first), first.len, "model", FAMILY_IPV4, &diags,
                                                 &again) == 0) {
                ruleset_print_save(again, FAMILY_IPV4, 0, &second);
                if (!second.error && (first.len != second.len || memcmp(first.data, second.data, first.len))) {
                        fprintf(stderr, "the model does not read back:\n%s---\n%s", strbuf_str(&first),
                                strbuf_str(&second));
                        abort();
                }
        } else if (!first.error && diags.n_errors > 0) {
                fprintf(stderr, "the model's print does not parse:\n%s", strbuf_str(&first));
                diag_list_print(&diags, stderr);
                abort();
        }
        strbuf_deinit(&first);
        strbuf_deinit(&second);
}

static void edit_line(Ruleset *rs, NftCompileState *state, const char *line, size_t len, uint64_t *next_handle) {
        _cleanup_(diag_list_deinit) DiagList diags = DIAG_LIST_INIT;
        NftBatch batch = NFT_BATCH_INIT;
        ParseContext pc = { .family = FAMILY_IPV4, .file = "fuzz", .line = 1, .table = TABLE_FILTER, .diags = &diags };
        TokenBuffer tb = TOKEN_BUFFER_INIT;
        Command c = COMMAND_INIT;
        bool new_table = false, refuse = len % 7 == 3;
        NftEdit e;
        Table *t;
        int r;

        if (line_tokenize(&pc, line, len, &tb) < 0 || tb.n_tokens == 0 ||
            command_parse(&pc, tb.tokens, tb.n_tokens, &c) < 0 || c.type == COMMAND_LIST ||
            c.type == COMMAND_LIST_RULES)
                goto out;
        t = ruleset_get_table(rs, FAMILY_IPV4, c.table);
        if (!t) {
                if (ruleset_ensure_table(rs, FAMILY_IPV4, c.table, NULL, &t) < 0)
                        goto out;
                if (nft_compile_context_new(t, NULL, NULL, &state->tables[FAMILY_IPV4][c.table]) < 0) {
                        ruleset_remove_table(rs, FAMILY_IPV4, c.table);
                        goto out;
                }
                nft_compile_context_name_sets(state->tables[FAMILY_IPV4][c.table], 1);
                new_table = true;
        }
        r = nft_edit_begin(&e, state->tables[FAMILY_IPV4][c.table], t, new_table, &c, &batch, &diags);
        if (r < 0 && r != -ENOMEM && diags.n_errors == 0)
                abort(); /* the edit's contract: a refusal comes with its reason */
        if (r >= 0 && diags.n_errors > 0)
                abort();
        if (r < 0 || c.type == COMMAND_CHECK)
                goto undo;
        if (refuse) {
                (void)nft_edit_end(&e, &batch, false);
                goto undo;
        }

        /* the kernel's echo: a handle for every rule and chain made anew */
        for (size_t i = 0; i < batch.n_messages; i++)
                if ((batch.messages[i].kind == NFT_MESSAGE_NEW_RULE || batch.messages[i].kind == NFT_MESSAGE_NEW_CHAIN) &&
                    batch.messages[i].handle == 0)
                        batch.messages[i].handle = ++*next_handle;
        if (nft_edit_end(&e, &batch, true) < 0)
                abort(); /* nothing here runs out of memory */
        check_sets(t, e.ctx);
        check_model(rs);
        goto out;

undo:
        if (new_table) {
                state->tables[FAMILY_IPV4][c.table] = nft_compile_context_free(state->tables[FAMILY_IPV4][c.table]);
                ruleset_remove_table(rs, FAMILY_IPV4, c.table);
        }
out:
        nft_batch_deinit(&batch);
        command_deinit(&c);
        token_buffer_deinit(&tb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(diag_list_deinit) DiagList diags = DIAG_LIST_INIT;
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        NftBatch batch = NFT_BATCH_INIT;
        NftCompileState state = {};
        uint64_t next_handle = 1000;
        size_t lines = 0;

        if (size > 8192 || ruleset_parse_string(base, strlen(base), "base", FAMILY_IPV4, &diags, &rs) < 0)
                return 0;
        if (nft_compile_ruleset_keep(rs, FAMILY_BIT(FAMILY_IPV4), NULL, &batch, &diags, &state) < 0)
                abort();
        nft_compile_assign_handles(rs, FAMILY_BIT(FAMILY_IPV4), &batch);
        nft_batch_deinit(&batch);

        for (size_t start = 0; start < size && lines < 64; lines++) {
                const char *p = (const char *)data + start;
                const char *nl = memchr(p, '\n', size - start);
                size_t len = nl ? (size_t)(nl - p) : size - start;

                if (!memchr(p, 0, len))
                        edit_line(rs, &state, p, len, &next_handle);
                start += len + 1;
        }
        nft_compile_state_drop(&state, FAMILY_ANY);
        return 0;
}
