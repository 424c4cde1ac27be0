/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nft-codec-test: the harness the codec tests share (rule expressions, layout, block text, golden files). */

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libnftnl/udata.h>

#include "nft-codec-test.h"

static int udata_cb(const struct nftnl_udata *attr, void *data) {
        RuleExprs *re = data;
        uint8_t len = nftnl_udata_len(attr);

        if (nftnl_udata_type(attr) == NFT_UDATA_NFWALL) {
                ck_assert_int_eq(nft_layout_decode(nftnl_udata_get(attr), len, &re->layout), 0);
                re->layout_seen = true;
        } else if (nftnl_udata_type(attr) == NFT_UDATA_COMMENT) {
                ck_assert_uint_gt(len, 0);
                memcpy(re->comment, nftnl_udata_get(attr), len);
                ck_assert_uint_eq(re->comment[len - 1], 0);
                re->has_comment = true;
        }
        return 0;
}

void rule_exprs(const struct nftnl_rule *nr, RuleExprs *ret) {
        struct nftnl_expr_iter *it = nftnl_expr_iter_create(nr);
        struct nftnl_expr *e;
        uint32_t len = 0;
        const void *udata;

        *ret = (RuleExprs){};
        ck_assert_ptr_nonnull(it);
        while ((e = nftnl_expr_iter_next(it))) {
                ck_assert_uint_lt(ret->n, N_ELEMENTS(ret->exprs));
                ret->exprs[ret->n++] = e;
        }
        nftnl_expr_iter_destroy(it);
        udata = nftnl_rule_get_data(nr, NFTNL_RULE_USERDATA, &len);
        ck_assert_ptr_nonnull(udata);
        ck_assert_int_ge(nftnl_udata_parse(udata, len, udata_cb, ret), 0);
        ck_assert(ret->layout_seen);
        ck_assert_uint_eq(nft_layout_n_exprs(&ret->layout), ret->n);
}

size_t block_start(const NftLayout *l, unsigned i) {
        size_t pos = l->n_core;

        for (unsigned k = 0; k < i; k++)
                pos += l->blocks[k].n_exprs;
        return pos + (l->blocks[i].target ? 1 : 0);
}

NftExprReader block_reader(const RuleExprs *re, unsigned i, const Table *t, const Rule *model,
                           struct nftnl_set_list *sets) {
        ck_assert_uint_lt(i, re->layout.n_blocks);
        return (NftExprReader){
                .exprs = re->exprs + block_start(&re->layout, i),
                .n_exprs = re->layout.blocks[i].n_exprs,
                .family = t->family,
                .table = t->type,
                .model = model,
                .comment = re->has_comment ? re->comment : NULL,
                .sets = sets,
        };
}

char *expr_lines(const struct nftnl_rule *nr, size_t first, size_t last, size_t *ret_n) {
        char rule_text[8192], *save = NULL, *buf = NULL;
        size_t size = 0, k = 0;
        FILE *f;

        ck_assert_int_gt(nftnl_rule_snprintf(rule_text, sizeof(rule_text), nr, NFTNL_OUTPUT_DEFAULT, 0), 0);
        f = open_memstream(&buf, &size);
        ck_assert_ptr_nonnull(f);
        for (char *line = strtok_r(rule_text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (strncmp(line, "  [ ", 4) != 0)
                        continue;
                if (k >= first && k < last)
                        fprintf(f, "%s\n", line + 2);
                k++;
        }
        fclose(f);
        *ret_n = k;
        return buf;
}

void block_text(const struct nftnl_rule *nr, unsigned block, char *ret, size_t size) {
        _cleanup_free_ char *lines = NULL;
        RuleExprs re;
        size_t first, n, len;

        rule_exprs(nr, &re);
        ck_assert_uint_lt(block, re.layout.n_blocks);
        first = block_start(&re.layout, block);
        lines = expr_lines(nr, first, first + re.layout.blocks[block].n_exprs, &n);
        ck_assert_uint_eq(n, re.n);
        len = strlen(lines);
        if (len > 0 && lines[len - 1] == '\n')
                lines[--len] = 0;
        snprintf(ret, size, "%s", lines);
}

struct nftnl_set_list *compiled_sets(const NftCompileContext *ctx) {
        struct nftnl_set_list *list = NULL;

        ck_assert_int_eq(nft_compile_context_get_sets(ctx, &list), 0);
        return list;
}

char *diags_text(const DiagList *d) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        diag_list_print(d, f);
        fclose(f);
        return buf;
}

void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

const char *golden_dir(void) {
        static char path[PATH_MAX - 64];
        const char *root = getenv("NFWALL_SOURCE_ROOT");

        snprintf(path, sizeof(path), "%s/tests/data/golden", root ? root : ".");
        return path;
}

bool golden_is_valid(const char *name, char **ret_path) {
        _cleanup_free_ char *save = NULL;
        size_t len = strlen(name);

        if (len < 3 || (strcmp(name + len - 3, ".v4") != 0 && strcmp(name + len - 3, ".v6") != 0))
                return false;
        ck_assert_int_gt(asprintf(ret_path, "%s/%s", golden_dir(), name), 0);
        ck_assert_int_gt(asprintf(&save, "%s.save", *ret_path), 0);
        if (access(save, F_OK) == 0)
                return true; /* only the valid ones have a .save */
        free(*ret_path);
        *ret_path = NULL;
        return false;
}

static bool has_prefix(const char *name, const char *const *prefixes) {
        for (; *prefixes; prefixes++)
                if (strncmp(name, *prefixes, strlen(*prefixes)) == 0)
                        return true;
        return false;
}

unsigned golden_for_each_rule(const char *const *prefixes, GoldenRuleFn fn, void *userdata) {
        _cleanup_(closedirp) DIR *d = opendir(golden_dir());
        struct dirent *de;
        unsigned files = 0;

        ck_assert_ptr_nonnull(d);
        while ((de = readdir(d))) {
                _cleanup_(ruleset_freep) Ruleset *rs = NULL;
                DiagList diags = DIAG_LIST_INIT;
                Family family = strstr(de->d_name, ".v6") ? FAMILY_IPV6 : FAMILY_IPV4;
                _cleanup_free_ char *path = NULL;

                if (!has_prefix(de->d_name, prefixes) || !golden_is_valid(de->d_name, &path))
                        continue;
                files++;
                ck_assert_msg(ruleset_parse_file(path, family, &diags, &rs) == 0, "%s does not parse", path);
                diag_list_clear(&diags);
                for (TableType tt = 0; tt < _TABLE_TYPE_MAX; tt++) {
                        const Table *t = ruleset_get_table(rs, family, tt);
                        _cleanup_(nft_compile_context_freep) NftCompileContext *ctx = NULL;
                        NftBatch batch = NFT_BATCH_INIT;

                        if (!t)
                                continue;
                        ck_assert_int_eq(nft_compile_context_new(t, &batch, &diags, &ctx), 0);
                        for (size_t i = 0; i < t->n_chains; i++)
                                for (size_t k = 0; k < t->chains[i]->n_rules; k++)
                                        fn(t, t->chains[i], t->chains[i]->rules[k], ctx, &diags, userdata);
                        ctx = nft_compile_context_free(ctx);
                        nft_batch_deinit(&batch);
                }
                diag_list_deinit(&diags);
        }
        return files;
}

Ruleset *parse_golden(const char *name, Family family) {
        DiagList diags = DIAG_LIST_INIT;
        _cleanup_free_ char *path = NULL;
        Ruleset *rs = NULL;
        int r;

        ck_assert_int_gt(asprintf(&path, "%s/%s", golden_dir(), name), 0);
        r = ruleset_parse_file(path, family, &diags, &rs);
        if (r < 0)
                diag_list_print(&diags, stderr);
        ck_assert_int_eq(r, 0);
        diag_list_deinit(&diags);
        return rs;
}

Ruleset *parse_text(const char *text, Family family) {
        DiagList diags = DIAG_LIST_INIT;
        Ruleset *rs = NULL;
        int r;

        r = ruleset_parse_string(text, strlen(text), "case", family, &diags, &rs);
        if (r < 0 || diags.n_errors > 0) {
                _cleanup_free_ char *msg = diags_text(&diags);
                ck_abort_msg("does not parse (%d):\n%s%s", r, text, strempty(msg));
        }
        diag_list_deinit(&diags);
        return rs;
}

const Rule *only_rule(const Ruleset *rs, Family family, const Table **ret_table, const Chain **ret_chain) {
        for (TableType tt = 0; tt < _TABLE_TYPE_MAX; tt++) {
                const Table *t = ruleset_get_table(rs, family, tt);
                if (!t)
                        continue;
                for (size_t i = 0; i < t->n_chains; i++)
                        if (t->chains[i]->n_rules == 1) {
                                *ret_table = t;
                                *ret_chain = t->chains[i];
                                return t->chains[i]->rules[0];
                        }
        }
        ck_abort_msg("no rule");
        return NULL;
}
