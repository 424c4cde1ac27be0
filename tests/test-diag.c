/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-diag: diagnostics as data. Adding and rendering
 * ("FILE:LINE:COL: level: message" and its shorter forms), error
 * counting, the stable sort by position, the max_items cap with its
 * dropped count, appending one list to another, and complete string
 * tables for levels and codes.
 */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

/* Renders a whole list the way the daemon prints it. */
static char *render_list(const DiagList *l) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(diag_list_print(l, f), 0);
        ck_assert_int_eq(fclose(f), 0);
        return buf;
}

static char *render_one(const Diag *d) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(diag_format(d, f), 0);
        ck_assert_int_eq(fclose(f), 0);
        return buf;
}

/* ---- format ---- */

static const struct {
        const char *file;
        unsigned line;
        unsigned column;
        DiagLevel level;
        const char *expected;
} format_cases[] = {
        { "rules.v4", 12, 7, DIAG_ERROR, "rules.v4:12:7: error: bad thing 42\n" },
        { "rules.v4", 12, 0, DIAG_ERROR, "rules.v4:12: error: bad thing 42\n" },
        { "rules.v4", 0, 0, DIAG_ERROR, "rules.v4: error: bad thing 42\n" },
        /* a column without a line means nothing: it is not printed */
        { "rules.v4", 0, 5, DIAG_WARNING, "rules.v4: warning: bad thing 42\n" },
        { NULL, 3, 9, DIAG_ERROR, "line 3:9: error: bad thing 42\n" },
        { NULL, 3, 0, DIAG_NOTE, "line 3: note: bad thing 42\n" },
        { NULL, 0, 0, DIAG_ERROR, "error: bad thing 42\n" },
        { NULL, 0, 4, DIAG_NOTE, "note: bad thing 42\n" },
        { "/etc/nfwall/rules.v6", 1, 1, DIAG_WARNING, "/etc/nfwall/rules.v6:1:1: warning: bad thing 42\n" },
};

START_TEST(test_format) {
        DiagList l = DIAG_LIST_INIT;
        SourceLoc loc = { format_cases[_i].file, format_cases[_i].line, format_cases[_i].column };
        char *out;

        ck_assert_int_eq(diag_list_add(&l, format_cases[_i].level, DIAG_SYNTAX, &loc, "bad %s %d", "thing", 42), 0);
        ck_assert_uint_eq(l.n_items, 1);
        ck_assert_int_eq(l.items[0].level, format_cases[_i].level);
        ck_assert_int_eq(l.items[0].code, DIAG_SYNTAX);
        ck_assert_uint_eq(l.items[0].line, format_cases[_i].line);
        ck_assert_uint_eq(l.items[0].column, format_cases[_i].column);
        ck_assert_str_eq(l.items[0].message, "bad thing 42");
        out = render_one(&l.items[0]);
        ck_assert_str_eq(out, format_cases[_i].expected);
        free(out);
        out = render_list(&l);
        ck_assert_str_eq(out, format_cases[_i].expected);
        free(out);
        diag_list_deinit(&l);
}
END_TEST

START_TEST(test_format_no_loc) {
        DiagList l = DIAG_LIST_INIT;
        char *out;

        ck_assert_int_eq(diag_list_add(&l, DIAG_ERROR, DIAG_IO, NULL, "cannot open: %s", "No such file"), 0);
        ck_assert_ptr_null(l.items[0].file);
        ck_assert_uint_eq(l.items[0].line, 0);
        ck_assert_uint_eq(l.items[0].column, 0);
        out = render_list(&l);
        ck_assert_str_eq(out, "error: cannot open: No such file\n");
        free(out);
        diag_list_deinit(&l);
}
END_TEST

START_TEST(test_file_is_copied) {
        DiagList l = DIAG_LIST_INIT;
        char name[] = "first.rules";
        SourceLoc loc = { name, 2, 3 };
        char *out;

        ck_assert_int_eq(diag_list_add(&l, DIAG_ERROR, DIAG_SYNTAX, &loc, "x"), 0);
        ck_assert_ptr_ne(l.items[0].file, name);
        memcpy(name, "other", 6);
        out = render_list(&l);
        ck_assert_str_eq(out, "first.rules:2:3: error: x\n");
        free(out);
        diag_list_deinit(&l);
}
END_TEST

START_TEST(test_print_many) {
        DiagList l = DIAG_LIST_INIT;
        SourceLoc a = { "a", 1, 2 }, b = { "a", 5, 0 };
        char *out;

        ck_assert_int_eq(diag_list_add(&l, DIAG_ERROR, DIAG_SYNTAX, &a, "one"), 0);
        ck_assert_int_eq(diag_list_add(&l, DIAG_WARNING, DIAG_SEMANTIC, &b, "two"), 0);
        ck_assert_int_eq(diag_list_add(&l, DIAG_NOTE, DIAG_SEMANTIC, NULL, "three"), 0);
        out = render_list(&l);
        ck_assert_str_eq(out, "a:1:2: error: one\n"
                              "a:5: warning: two\n"
                              "note: three\n");
        free(out);
        diag_list_deinit(&l);
}
END_TEST

/* ---- counting ---- */

START_TEST(test_count_errors) {
        DiagList l = DIAG_LIST_INIT;

        ck_assert(!diag_list_has_errors(&l));
        ck_assert_int_eq(diag_list_add(&l, DIAG_WARNING, DIAG_SYNTAX, NULL, "w"), 0);
        ck_assert_int_eq(diag_list_add(&l, DIAG_NOTE, DIAG_SYNTAX, NULL, "n"), 0);
        ck_assert(!diag_list_has_errors(&l));
        ck_assert_uint_eq(l.n_errors, 0);
        ck_assert_int_eq(diag_list_add(&l, DIAG_ERROR, DIAG_KERNEL, NULL, "e"), 0);
        ck_assert_int_eq(diag_list_add(&l, DIAG_ERROR, DIAG_IO, NULL, "e"), 0);
        ck_assert(diag_list_has_errors(&l));
        ck_assert_uint_eq(l.n_errors, 2);
        ck_assert_uint_eq(l.n_items, 4);

        diag_list_clear(&l);
        ck_assert_uint_eq(l.n_items, 0);
        ck_assert_uint_eq(l.n_errors, 0);
        ck_assert(!diag_list_has_errors(&l));
        /* usable again after clear */
        ck_assert_int_eq(diag_list_add(&l, DIAG_ERROR, DIAG_SYNTAX, NULL, "again"), 0);
        ck_assert_uint_eq(l.n_items, 1);
        ck_assert_str_eq(l.items[0].message, "again");
        diag_list_deinit(&l);
        ck_assert_ptr_null(l.items);
        ck_assert_uint_eq(l.n_items, 0);
        diag_list_deinit(NULL);
}
END_TEST

START_TEST(test_grow) {
        DiagList l = DIAG_LIST_INIT;

        for (unsigned i = 0; i < 1000; i++) {
                SourceLoc loc = { "f", i + 1, 1 };
                ck_assert_int_eq(diag_list_add(&l, i % 2 ? DIAG_WARNING : DIAG_ERROR, DIAG_SYNTAX, &loc, "d%u", i), 0);
        }
        ck_assert_uint_eq(l.n_items, 1000);
        ck_assert_uint_eq(l.n_errors, 500);
        ck_assert_uint_eq(l.n_dropped, 0);
        ck_assert_str_eq(l.items[999].message, "d999");
        ck_assert_uint_eq(l.items[999].line, 1000);
        diag_list_deinit(&l);
}
END_TEST

/* ---- max_items ---- */

START_TEST(test_max_items) {
        DiagList l = DIAG_LIST_INIT;
        char *out;

        l.max_items = 2;
        for (unsigned i = 0; i < 5; i++) {
                SourceLoc loc = { "f", i + 1, 0 };
                ck_assert_int_eq(diag_list_add(&l, i == 4 ? DIAG_WARNING : DIAG_ERROR, DIAG_SYNTAX, &loc, "d%u", i),
                                 0);
        }
        ck_assert_uint_eq(l.n_items, 2);
        ck_assert_uint_eq(l.n_dropped, 3);
        /* dropped errors still count: the input failed */
        ck_assert_uint_eq(l.n_errors, 4);
        out = render_list(&l);
        ck_assert_str_eq(out, "f:1: error: d0\n"
                              "f:2: error: d1\n"
                              "note: 3 further diagnostics not shown\n");
        free(out);

        diag_list_clear(&l);
        ck_assert_uint_eq(l.n_dropped, 0);
        ck_assert_uint_eq(l.max_items, 2);
        diag_list_deinit(&l);
}
END_TEST

START_TEST(test_max_items_unbounded) {
        DiagList l = DIAG_LIST_INIT;
        char *out;

        ck_assert_uint_eq(l.max_items, 0);
        for (unsigned i = 0; i < 20; i++)
                ck_assert_int_eq(diag_list_add(&l, DIAG_ERROR, DIAG_SYNTAX, NULL, "d"), 0);
        ck_assert_uint_eq(l.n_items, 20);
        ck_assert_uint_eq(l.n_dropped, 0);
        out = render_list(&l);
        ck_assert_ptr_null(strstr(out, "further"));
        free(out);
        diag_list_deinit(&l);
}
END_TEST

/* ---- append ---- */

START_TEST(test_append) {
        DiagList a = DIAG_LIST_INIT, b = DIAG_LIST_INIT;
        SourceLoc l1 = { "one", 1, 1 }, l2 = { "two", 2, 0 };
        char *out;

        ck_assert_int_eq(diag_list_add(&a, DIAG_ERROR, DIAG_SYNTAX, &l1, "first"), 0);
        ck_assert_int_eq(diag_list_add(&b, DIAG_WARNING, DIAG_KERNEL, &l2, "second %%s"), 0);
        ck_assert_int_eq(diag_list_add(&b, DIAG_ERROR, DIAG_SEMANTIC, NULL, "third"), 0);
        ck_assert_int_eq(diag_list_append(&a, &b), 0);
        ck_assert_uint_eq(a.n_items, 3);
        ck_assert_uint_eq(a.n_errors, 2);
        ck_assert_int_eq(a.items[1].level, DIAG_WARNING);
        ck_assert_int_eq(a.items[1].code, DIAG_KERNEL);
        ck_assert_int_eq(a.items[2].code, DIAG_SEMANTIC);
        /* a copy: the source can go */
        ck_assert_ptr_ne(a.items[1].file, b.items[0].file);
        ck_assert_ptr_ne(a.items[1].message, b.items[0].message);
        diag_list_deinit(&b);
        out = render_list(&a);
        /* a message with '%' in it is not a format the second time */
        ck_assert_str_eq(out, "one:1:1: error: first\n"
                              "two:2: warning: second %s\n"
                              "error: third\n");
        free(out);
        diag_list_deinit(&a);
}
END_TEST

START_TEST(test_append_dropped) {
        DiagList a = DIAG_LIST_INIT, b = DIAG_LIST_INIT;
        char *out;

        b.max_items = 1;
        ck_assert_int_eq(diag_list_add(&b, DIAG_ERROR, DIAG_SYNTAX, NULL, "kept"), 0);
        ck_assert_int_eq(diag_list_add(&b, DIAG_ERROR, DIAG_SYNTAX, NULL, "dropped"), 0);
        ck_assert_int_eq(diag_list_add(&b, DIAG_WARNING, DIAG_SYNTAX, NULL, "dropped"), 0);
        ck_assert_int_eq(diag_list_append(&a, &b), 0);
        ck_assert_uint_eq(a.n_items, 1);
        ck_assert_uint_eq(a.n_dropped, 2);
        out = render_list(&a);
        ck_assert_str_eq(out, "error: kept\n"
                              "note: 2 further diagnostics not shown\n");
        free(out);
        diag_list_deinit(&a);
        diag_list_deinit(&b);
}
END_TEST

START_TEST(test_append_capped) {
        DiagList a = DIAG_LIST_INIT, b = DIAG_LIST_INIT;

        a.max_items = 2;
        for (int i = 0; i < 4; i++)
                ck_assert_int_eq(diag_list_add(&b, DIAG_ERROR, DIAG_SYNTAX, NULL, "d%d", i), 0);
        ck_assert_int_eq(diag_list_append(&a, &b), 0);
        ck_assert_uint_eq(a.n_items, 2);
        ck_assert_uint_eq(a.n_dropped, 2);
        ck_assert_uint_eq(a.n_errors, 4);
        ck_assert_str_eq(a.items[1].message, "d1");
        diag_list_deinit(&a);
        diag_list_deinit(&b);
}
END_TEST

START_TEST(test_append_empty) {
        DiagList a = DIAG_LIST_INIT, b = DIAG_LIST_INIT;

        ck_assert_int_eq(diag_list_append(&a, &b), 0);
        ck_assert_uint_eq(a.n_items, 0);
        ck_assert_uint_eq(a.n_errors, 0);
        diag_list_deinit(&a);
}
END_TEST

/* ---- sort ---- */

START_TEST(test_sort) {
        DiagList l = DIAG_LIST_INIT;
        static const struct {
                const char *file;
                unsigned line, column;
                const char *msg;
        } in[] = {
                { "b", 1, 1, "b1" },      { "a", 10, 0, "a10" },   { "a", 2, 5, "a2:5 first" },
                { "a", 2, 3, "a2:3" },    { NULL, 7, 0, "none7" }, { "a", 2, 5, "a2:5 second" },
                { "a", 2, 0, "a2" },      { NULL, 1, 0, "none1" }, { "a", 2, 5, "a2:5 third" },
                { "a", 9, 0, "a9" },
        };
        static const char *const expected[] = {
                "none1", "none7", "a2", "a2:3", "a2:5 first", "a2:5 second", "a2:5 third", "a9", "a10", "b1",
        };

        for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
                SourceLoc loc = { in[i].file, in[i].line, in[i].column };
                ck_assert_int_eq(diag_list_add(&l, DIAG_ERROR, DIAG_SYNTAX, &loc, "%s", in[i].msg), 0);
        }
        diag_list_sort(&l);
        ck_assert_uint_eq(l.n_items, sizeof(expected) / sizeof(expected[0]));
        for (size_t i = 0; i < l.n_items; i++)
                ck_assert_str_eq(l.items[i].message, expected[i]);
        diag_list_deinit(&l);
}
END_TEST

START_TEST(test_sort_stable_same_position) {
        DiagList l = DIAG_LIST_INIT;
        SourceLoc loc = { "f", 4, 2 };
        char msg[8];

        /* same position, different levels and codes: order of addition kept */
        for (int i = 0; i < 50; i++)
                ck_assert_int_eq(diag_list_add(&l, (DiagLevel)(i % 3), (DiagCode)(i % 5), &loc, "%d", i), 0);
        diag_list_sort(&l);
        for (int i = 0; i < 50; i++) {
                snprintf(msg, sizeof(msg), "%d", i);
                ck_assert_str_eq(l.items[i].message, msg);
                ck_assert_int_eq(l.items[i].level, i % 3);
                ck_assert_int_eq(l.items[i].code, i % 5);
        }
        diag_list_deinit(&l);
}
END_TEST

START_TEST(test_sort_reverse) {
        DiagList l = DIAG_LIST_INIT;

        for (unsigned i = 100; i > 0; i--) {
                SourceLoc loc = { "f", i, 0 };
                ck_assert_int_eq(diag_list_add(&l, DIAG_ERROR, DIAG_SYNTAX, &loc, "%u", i), 0);
        }
        diag_list_sort(&l);
        for (unsigned i = 0; i < 100; i++)
                ck_assert_uint_eq(l.items[i].line, i + 1);
        diag_list_deinit(&l);

        /* empty and single lists */
        diag_list_sort(&l);
        ck_assert_int_eq(diag_list_add(&l, DIAG_ERROR, DIAG_SYNTAX, NULL, "one"), 0);
        diag_list_sort(&l);
        ck_assert_str_eq(l.items[0].message, "one");
        diag_list_deinit(&l);
}
END_TEST

/* ---- string tables ---- */

START_TEST(test_level_names) {
        static const char *const names[] = { "error", "warning", "note" };

        ck_assert_int_eq(_DIAG_LEVEL_MAX, 3);
        for (int i = 0; i < _DIAG_LEVEL_MAX; i++) {
                const char *s = diag_level_to_string((DiagLevel)i);
                ck_assert_ptr_nonnull(s);
                ck_assert_str_eq(s, names[i]);
                ck_assert_int_eq(diag_level_from_string(s), i);
        }
        ck_assert_ptr_null(diag_level_to_string(_DIAG_LEVEL_MAX));
        ck_assert_ptr_null(diag_level_to_string(_DIAG_LEVEL_INVALID));
        ck_assert_int_eq(diag_level_from_string("fatal"), _DIAG_LEVEL_INVALID);
        ck_assert_int_eq(diag_level_from_string("Error"), _DIAG_LEVEL_INVALID);
        ck_assert_int_eq(diag_level_from_string(""), _DIAG_LEVEL_INVALID);
        ck_assert_int_eq(diag_level_from_string(NULL), _DIAG_LEVEL_INVALID);
}
END_TEST

START_TEST(test_code_names) {
        static const char *const names[] = { "syntax", "unsupported", "semantic", "kernel", "io", "parameter" };

        ck_assert_int_eq(_DIAG_CODE_MAX, 6);
        for (int i = 0; i < _DIAG_CODE_MAX; i++) {
                const char *s = diag_code_to_string((DiagCode)i);
                ck_assert_ptr_nonnull(s);
                ck_assert_str_eq(s, names[i]);
                ck_assert_int_eq(diag_code_from_string(s), i);
        }
        ck_assert_ptr_null(diag_code_to_string(_DIAG_CODE_MAX));
        ck_assert_ptr_null(diag_code_to_string(_DIAG_CODE_INVALID));
        ck_assert_int_eq(diag_code_from_string("SYNTAX"), _DIAG_CODE_INVALID);
        ck_assert_int_eq(diag_code_from_string(NULL), _DIAG_CODE_INVALID);
}
END_TEST

/* Every level renders with its name. */
START_TEST(test_level_rendered) {
        DiagList l = DIAG_LIST_INIT;
        SourceLoc loc = { "f", 1, 1 };
        char expected[64];
        char *out;

        ck_assert_int_eq(diag_list_add(&l, (DiagLevel)_i, DIAG_SYNTAX, &loc, "m"), 0);
        out = render_list(&l);
        snprintf(expected, sizeof(expected), "f:1:1: %s: m\n", diag_level_to_string((DiagLevel)_i));
        ck_assert_str_eq(out, expected);
        free(out);
        diag_list_deinit(&l);
}
END_TEST

static Suite *diag_suite(void) {
        Suite *s = suite_create("diag");
        TCase *tc;

        tc = tcase_create("format");
        tcase_add_loop_test(tc, test_format, 0, sizeof(format_cases) / sizeof(format_cases[0]));
        tcase_add_test(tc, test_format_no_loc);
        tcase_add_test(tc, test_file_is_copied);
        tcase_add_test(tc, test_print_many);
        tcase_add_loop_test(tc, test_level_rendered, 0, _DIAG_LEVEL_MAX);
        suite_add_tcase(s, tc);

        tc = tcase_create("count");
        tcase_add_test(tc, test_count_errors);
        tcase_add_test(tc, test_grow);
        suite_add_tcase(s, tc);

        tc = tcase_create("max_items");
        tcase_add_test(tc, test_max_items);
        tcase_add_test(tc, test_max_items_unbounded);
        suite_add_tcase(s, tc);

        tc = tcase_create("append");
        tcase_add_test(tc, test_append);
        tcase_add_test(tc, test_append_dropped);
        tcase_add_test(tc, test_append_capped);
        tcase_add_test(tc, test_append_empty);
        suite_add_tcase(s, tc);

        tc = tcase_create("sort");
        tcase_add_test(tc, test_sort);
        tcase_add_test(tc, test_sort_stable_same_position);
        tcase_add_test(tc, test_sort_reverse);
        suite_add_tcase(s, tc);

        tc = tcase_create("names");
        tcase_add_test(tc, test_level_names);
        tcase_add_test(tc, test_code_names);
        suite_add_tcase(s, tc);

        return s;
}

int main(void) {
        SRunner *sr = srunner_create(diag_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
