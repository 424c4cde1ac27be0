/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Golden files for the grammar and the printer: tests/data/golden/NAME.v4
 * (or .v6) is parsed; NAME.v4.save must equal the canonical print,
 * NAME.v4.err the diagnostics, NAME.v4.list the -L -n -v listing. Every
 * valid input must also survive print → parse → print unchanged.
 */

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ruleset-parse.h"
#include "ruleset-print.h"

#define MAX_CASES 512

static char *cases[MAX_CASES];
static size_t n_cases;
static const char *golden_dir;

static char *read_file(const char *path) {
        FILE *f = fopen(path, "re");
        char *buf = NULL;
        size_t len = 0;

        if (!f)
                return NULL;
        FILE *m = open_memstream(&buf, &len);
        int c;
        while ((c = fgetc(f)) != EOF)
                fputc(c, m);
        fclose(m);
        fclose(f);
        return buf;
}

static bool exists(const char *path) {
        return access(path, F_OK) == 0;
}

static void check_text(const char *what, const char *name, const char *got, const char *want) {
        if (strcmp(got, want) != 0) {
                fprintf(stderr, "--- %s of %s: expected ---\n%s--- got ---\n%s---\n", what, name, want, got);
                ck_abort_msg("%s of %s differs from the golden file", what, name);
        }
}

START_TEST(test_golden) {
        const char *name = cases[_i];
        Family family = strstr(name, ".v6") ? FAMILY_IPV6 : FAMILY_IPV4;
        _cleanup_(ruleset_freep) Ruleset *rs = NULL, *again = NULL;
        DiagList diags = DIAG_LIST_INIT, diags2 = DIAG_LIST_INIT;
        char path[PATH_MAX];
        StrBuf out = STRBUF_INIT, out2 = STRBUF_INIT;
        int r;

        ck_assert_int_eq(chdir(golden_dir), 0);
        r = ruleset_parse_file(name, family, &diags, &rs);

        snprintf(path, sizeof(path), "%s.err", name);
        if (exists(path)) {
                _cleanup_free_ char *want = read_file(path), *got = NULL;
                size_t len = 0;
                FILE *m = open_memstream(&got, &len);

                ck_assert_int_lt(r, 0);
                ck_assert_ptr_null(rs);
                diag_list_print(&diags, m);
                fclose(m);
                check_text("diagnostics", name, got, want);
                diag_list_deinit(&diags);
                return;
        }

        if (r < 0)
                diag_list_print(&diags, stderr);
        ck_assert_int_eq(r, 0);
        ck_assert_uint_eq(diags.n_errors, 0);

        ruleset_print_save(rs, family, 0, &out);
        snprintf(path, sizeof(path), "%s.save", name);
        if (exists(path)) {
                _cleanup_free_ char *want = read_file(path);
                check_text("canonical print", name, strbuf_str(&out), want);
        } else {
                snprintf(path, sizeof(path), "%s.list", name);
                ck_assert_msg(exists(path), "%s has no .save, .err or .list", name);
        }

        /* print(parse(print(x))) == print(x) */
        r = ruleset_parse_string(strbuf_str(&out), out.len, name, family, &diags2, &again);
        if (r < 0)
                diag_list_print(&diags2, stderr);
        ck_assert_int_eq(r, 0);
        ruleset_print_save(again, family, 0, &out2);
        check_text("reprint", name, strbuf_str(&out2), strbuf_str(&out));

        snprintf(path, sizeof(path), "%s.list", name);
        if (exists(path)) {
                _cleanup_free_ char *want = read_file(path);
                StrBuf list = STRBUF_INIT;
                bool first = true;

                for (TableType t = 0; t < _TABLE_TYPE_MAX; t++) {
                        if (!rs->tables[family][t])
                                continue;
                        if (!first)
                                strbuf_putc(&list, '\n');
                        first = false;
                        table_print_list(rs->tables[family][t], NULL, PRINT_NUMERIC | PRINT_VERBOSE, &list);
                }
                check_text("listing (-L -n -v)", name, strbuf_str(&list), want);
                strbuf_deinit(&list);
        }

        strbuf_deinit(&out);
        strbuf_deinit(&out2);
        diag_list_deinit(&diags);
        diag_list_deinit(&diags2);
}
END_TEST

static int compare_names(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static void collect_cases(void) {
        DIR *d = opendir(golden_dir);
        struct dirent *de;

        if (!d) {
                fprintf(stderr, "cannot open %s\n", golden_dir);
                exit(EXIT_FAILURE);
        }
        while ((de = readdir(d))) {
                size_t len = strlen(de->d_name);
                if (len > 3 && (streq(de->d_name + len - 3, ".v4") || streq(de->d_name + len - 3, ".v6")) &&
                    n_cases < MAX_CASES)
                        cases[n_cases++] = strdup(de->d_name);
        }
        closedir(d);
        qsort(cases, n_cases, sizeof(char *), compare_names);
}

int main(int argc, char *argv[]) {
        Suite *s = suite_create("golden");
        TCase *tc = tcase_create("golden");
        SRunner *sr;
        int failed;

        golden_dir = argc > 1 ? argv[1] : "tests/data/golden";
        collect_cases();
        if (n_cases == 0) {
                fprintf(stderr, "no golden files in %s\n", golden_dir);
                return EXIT_FAILURE;
        }
        tcase_add_loop_test(tc, test_golden, 0, (int)n_cases);
        suite_add_tcase(s, tc);
        sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        for (size_t i = 0; i < n_cases; i++)
                free(cases[i]);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
