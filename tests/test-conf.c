/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-conf: nfwall.conf → Settings: defaults, every key, wrong types,
 * unknown keys and syntax errors with their exact file:line.
 */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"

/* Renders diagnostics the way the daemon prints them. */
static char *diags_render(const DiagList *l) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(diag_list_print(l, f), 0);
        ck_assert_int_eq(fclose(f), 0);
        return buf;
}

/* Parses text that must fail and returns the rendered diagnostics. */
static char *load_fail(const char *text) {
        DiagList diags = DIAG_LIST_INIT;
        Settings *s = NULL;
        char *out;

        ck_assert_int_eq(settings_load_string(text, "test.conf", &s, &diags), -EINVAL);
        ck_assert_ptr_null(s);
        ck_assert_int_gt(diags.n_errors, 0);
        out = diags_render(&diags);
        diag_list_deinit(&diags);
        return out;
}

static Settings *load_ok(const char *text) {
        DiagList diags = DIAG_LIST_INIT;
        Settings *s = NULL;
        int r;

        r = settings_load_string(text, "test.conf", &s, &diags);
        if (r < 0) {
                char *out = diags_render(&diags);
                ck_abort_msg("unexpected failure %d:\n%s", r, out);
        }
        ck_assert_uint_eq(diags.n_items, 0);
        diag_list_deinit(&diags);
        return s;
}

/* Writes text to a new temporary file; returns its path. */
static char *write_temp(const char *text) {
        char *path = strdup("/tmp/test-conf-XXXXXX");
        int fd;

        ck_assert_ptr_nonnull(path);
        fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
        ck_assert_int_eq(close(fd), 0);
        return path;
}

static void assert_defaults(const Settings *s) {
        ck_assert_ptr_nonnull(s->modules);
        ck_assert_ptr_null(s->modules[0]);
        ck_assert_uint_eq(s->n_modules, 0);
        ck_assert(s->modules_unload);
        ck_assert(!s->save_on_stop);
        ck_assert(!s->save_on_restart);
        ck_assert(!s->save_counter);
        ck_assert(s->status_numeric);
        ck_assert(!s->status_verbose);
        ck_assert(s->status_linenumbers);
        ck_assert_str_eq(s->rules_v4, NFWALL_RULES_V4_PATH);
        ck_assert_str_eq(s->rules_v6, NFWALL_RULES_V6_PATH);
        ck_assert_str_eq(s->control_socket, NFWALL_CONTROL_SOCKET);
        ck_assert_str_eq(s->control_group, "");
        ck_assert_ptr_null(s->fallback_rules_v4);
        ck_assert_ptr_null(s->fallback_rules_v6);
}

START_TEST(test_defaults) {
        Settings *s = NULL;

        ck_assert_int_eq(settings_new(&s), 0);
        assert_defaults(s);
        ck_assert_ptr_null(s->path);
        for (SettingKey k = 0; k < _SETTING_KEY_MAX; k++)
                ck_assert_uint_eq(s->line[k], 0);
        ck_assert_ptr_null(settings_free(s));
        ck_assert_ptr_null(settings_free(NULL));
}
END_TEST

START_TEST(test_empty_is_defaults) {
        Settings *s = load_ok("# nothing but a comment\n\n// and another\n");

        assert_defaults(s);
        ck_assert_str_eq(s->path, "test.conf");
        settings_free(s);
}
END_TEST

START_TEST(test_key_names) {
        for (SettingKey k = 0; k < _SETTING_KEY_MAX; k++) {
                const char *name = setting_key_to_string(k);

                ck_assert_ptr_nonnull(name);
                ck_assert_int_eq(setting_key_from_string(name), k);
        }
        ck_assert_ptr_null(setting_key_to_string(_SETTING_KEY_MAX));
        ck_assert_int_eq(setting_key_from_string("IPTABLES_MODULES"), -EINVAL);
        ck_assert_int_eq(setting_key_from_string(NULL), -EINVAL);
}
END_TEST

START_TEST(test_every_key) {
        Settings *s = load_ok(
                "modules = [ \"nf_conntrack_ftp\", \"nf_nat_ftp\" ];\n"     /* 1 */
                "modules_unload = false;\n"
                "save_on_stop = true;\n"
                "save_on_restart = true;\n"
                "save_counter = true;\n"                                    /* 5 */
                "status_numeric = false;\n"
                "status_verbose = true;\n"
                "status_linenumbers = false;\n"
                "rules_v4 = \"/srv/fw/v4.rules\";\n"
                "rules_v6 = \"/srv/fw/v6.rules\";\n"                        /* 10 */
                "control_socket = \"/run/fw.sock\";\n"
                "control_group = \"wheel\";\n"
                "fallback_rules_v4 = \"/srv/fw/v4.fallback\";\n"
                "\n"
                "fallback_rules_v6 = \"/srv/fw/v6.fallback\";\n");          /* 15 */
        SourceLoc loc;

        ck_assert_uint_eq(s->n_modules, 2);
        ck_assert_str_eq(s->modules[0], "nf_conntrack_ftp");
        ck_assert_str_eq(s->modules[1], "nf_nat_ftp");
        ck_assert_ptr_null(s->modules[2]);
        ck_assert(!s->modules_unload);
        ck_assert(s->save_on_stop);
        ck_assert(s->save_on_restart);
        ck_assert(s->save_counter);
        ck_assert(!s->status_numeric);
        ck_assert(s->status_verbose);
        ck_assert(!s->status_linenumbers);
        ck_assert_str_eq(s->rules_v4, "/srv/fw/v4.rules");
        ck_assert_str_eq(s->rules_v6, "/srv/fw/v6.rules");
        ck_assert_str_eq(s->control_socket, "/run/fw.sock");
        ck_assert_str_eq(s->control_group, "wheel");
        ck_assert_str_eq(s->fallback_rules_v4, "/srv/fw/v4.fallback");
        ck_assert_str_eq(s->fallback_rules_v6, "/srv/fw/v6.fallback");

        /* Every key remembers its line; the file order is the enum's. */
        for (SettingKey k = 0; k < SETTING_FALLBACK_RULES_V6; k++)
                ck_assert_uint_eq(s->line[k], (unsigned)k + 1);
        ck_assert_uint_eq(s->line[SETTING_FALLBACK_RULES_V6], 15);

        loc = settings_source(s, SETTING_CONTROL_GROUP);
        ck_assert_str_eq(loc.file, "test.conf");
        ck_assert_uint_eq(loc.line, 12);
        settings_free(s);
}
END_TEST

START_TEST(test_modules_forms) {
        Settings *s;

        /* A libconfig list works as well as an array. */
        s = load_ok("modules = ( \"nf_conntrack_sip\" );");
        ck_assert_uint_eq(s->n_modules, 1);
        ck_assert_str_eq(s->modules[0], "nf_conntrack_sip");
        ck_assert_ptr_null(s->modules[1]);
        settings_free(s);

        s = load_ok("modules = [ ];");
        ck_assert_uint_eq(s->n_modules, 0);
        ck_assert_ptr_null(s->modules[0]);
        settings_free(s);

        /* libconfig's other syntax: ':' and no semicolon; booleans in any case. */
        s = load_ok("modules: [\"a-b_c.d\"]\nsave_on_stop = TRUE\ncontrol_group = \"\";");
        ck_assert_str_eq(s->modules[0], "a-b_c.d");
        ck_assert(s->save_on_stop);
        ck_assert_str_eq(s->control_group, "");
        settings_free(s);
}
END_TEST

/* One wrong value per line of this table: text, exact diagnostics. */
static const struct {
        const char *text;
        const char *diags;
} wrong_values[] = {
        { "save_on_stop = \"yes\";",
          "test.conf:1: error: save_on_stop: expected a boolean, got a string (write true, not \"yes\")\n" },
        { "\nstatus_numeric = \"No\";",
          "test.conf:2: error: status_numeric: expected a boolean, got a string (write false, not \"No\")\n" },
        { "modules_unload = \"on\";",
          "test.conf:1: error: modules_unload: expected a boolean (true or false), got a string\n" },
        { "save_counter = 1;",
          "test.conf:1: error: save_counter: expected a boolean (true or false), got an integer\n" },
        { "status_verbose = [ true ];",
          "test.conf:1: error: status_verbose: expected a boolean (true or false), got an array\n" },
        { "status_linenumbers = 1.5;",
          "test.conf:1: error: status_linenumbers: expected a boolean (true or false), got a floating-point number\n" },
        { "save_on_restart = { a = true; };",
          "test.conf:1: error: save_on_restart: expected a boolean (true or false), got a group\n" },
        { "rules_v4 = true;",
          "test.conf:1: error: rules_v4: expected a string, got a boolean\n" },
        { "rules_v6 = \"rules.v6\";",
          "test.conf:1: error: rules_v6: \"rules.v6\" is not an absolute path\n" },
        { "fallback_rules_v4 = \"\";",
          "test.conf:1: error: fallback_rules_v4: \"\" is not an absolute path (for no fallback, leave the setting out)\n" },
        { "fallback_rules_v6 = 6;",
          "test.conf:1: error: fallback_rules_v6: expected a string, got an integer\n" },
        { "control_socket = \"/run/nfwall/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\";",
          "test.conf:1: error: control_socket: \"/run/nfwall/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" is longer than a Unix socket path may be (107 bytes)\n" },
        { "control_group = \"adm:x\";",
          "test.conf:1: error: control_group: \"adm:x\" is not a group name\n" },
        { "control_group = 0;",
          "test.conf:1: error: control_group: expected a string, got an integer\n" },
        { "modules = \"nf_conntrack_ftp nf_nat_ftp\";",
          "test.conf:1: error: modules: expected a list of strings, e.g. [ \"nf_conntrack_ftp\" ], got a string\n" },
        { "modules = [ \"nf_conntrack_ftp nf_nat_ftp\" ];",
          "test.conf:1: error: modules: \"nf_conntrack_ftp nf_nat_ftp\" is not a module name; give each module as its own string\n" },
        { "modules = (\n  \"ok\",\n  \"../evil\",\n  \"\",\n  3\n);",
          "test.conf:3: error: modules: \"../evil\" is not a module name (empty, too long, or contains '/', a quote or a control character)\n"
          "test.conf:4: error: modules: \"\" is not a module name (empty, too long, or contains '/', a quote or a control character)\n"
          "test.conf:5: error: modules: element 4: expected a string, got an integer\n" },
};

START_TEST(test_wrong_values) {
        char *out = load_fail(wrong_values[_i].text);

        ck_assert_str_eq(out, wrong_values[_i].diags);
        free(out);
}
END_TEST

START_TEST(test_every_error_reported) {
        char *out = load_fail(
                "save_on_stop = true;\n"
                "save_counter = \"no\";\n"
                "bogus = 1;\n"
                "rules_v4 = \"/ok\";\n"
                "rules_v6 = \"relative\";\n"
                "IPTABLES_MODULES = \"nf_nat_ftp\";\n");

        ck_assert_str_eq(out,
                         "test.conf:2: error: save_counter: expected a boolean, got a string (write false, not \"no\")\n"
                         "test.conf:3: error: unknown setting 'bogus'\n"
                         "test.conf:5: error: rules_v6: \"relative\" is not an absolute path\n"
                         "test.conf:6: error: unknown setting 'IPTABLES_MODULES' (\"nfwallctl import-config\" converts an iptables-config)\n");
        free(out);
}
END_TEST

START_TEST(test_unknown_key_file_line) {
        DiagList diags = DIAG_LIST_INIT;
        Settings *s = NULL;
        char *path, *expected, *out;

        path = write_temp("# settings\n"
                          "save_on_stop = false;\n"
                          "status = { numeric = true; };\n");
        ck_assert_int_eq(settings_load(path, &s, &diags), -EINVAL);
        ck_assert_ptr_null(s);
        ck_assert_uint_eq(diags.n_items, 1);
        ck_assert_str_eq(diags.items[0].file, path);
        ck_assert_uint_eq(diags.items[0].line, 3);
        ck_assert_int_eq(diags.items[0].level, DIAG_ERROR);

        ck_assert_int_ge(asprintf(&expected, "%s:3: error: unknown setting 'status'\n", path), 0);
        out = diags_render(&diags);
        ck_assert_str_eq(out, expected);

        free(out);
        free(expected);
        diag_list_deinit(&diags);
        unlink(path);
        free(path);
}
END_TEST

START_TEST(test_load_file) {
        DiagList diags = DIAG_LIST_INIT;
        Settings *s = NULL;
        char *path;

        path = write_temp("modules = [ \"nf_conntrack_ftp\" ];\nsave_counter = true;\n");
        ck_assert_int_eq(settings_load(path, &s, &diags), 0);
        ck_assert_uint_eq(diags.n_items, 0);
        ck_assert_str_eq(s->path, path);
        ck_assert_str_eq(s->modules[0], "nf_conntrack_ftp");
        ck_assert(s->save_counter);
        ck_assert_uint_eq(s->line[SETTING_SAVE_COUNTER], 2);
        settings_free(s);
        unlink(path);
        free(path);
}
END_TEST

START_TEST(test_syntax_error) {
        char *out;

        out = load_fail("save_on_stop = true;\n\nsave_counter = ;\nbogus = 1;\n");
        /* libconfig stops at its first syntax error. */
        ck_assert_str_eq(out, "test.conf:3: error: syntax error\n");
        free(out);

        out = load_fail("save_on_stop = true;\nsave_on_stop = false;\n");
        ck_assert_str_eq(out, "test.conf:2: error: duplicate setting name\n");
        free(out);

        /* An unterminated string runs to the end of the file, where libconfig notices. */
        out = load_fail("rules_v4 = \"/unterminated;\n\n");
        ck_assert_str_eq(out, "test.conf:3: error: syntax error\n");
        free(out);
}
END_TEST

START_TEST(test_syntax_error_file) {
        DiagList diags = DIAG_LIST_INIT;
        Settings *s = NULL;
        char *path, *expected, *out;

        path = write_temp("save_on_stop = true;\nsave_counter = yes;\n");
        ck_assert_int_eq(settings_load(path, &s, &diags), -EINVAL);
        ck_assert_ptr_null(s);
        ck_assert_int_ge(asprintf(&expected, "%s:2: error: syntax error\n", path), 0);
        out = diags_render(&diags);
        ck_assert_str_eq(out, expected);
        ck_assert_int_eq(diags.items[0].code, DIAG_SYNTAX);

        free(out);
        free(expected);
        diag_list_deinit(&diags);
        unlink(path);
        free(path);
}
END_TEST

START_TEST(test_include_refused) {
        char *out = load_fail("save_on_stop = true;\n  @include \"/etc/passwd\"\n");

        ck_assert_str_eq(out, "test.conf:2: error: @include is not supported; nfwall.conf is a single file\n");
        free(out);
}
END_TEST

START_TEST(test_missing_file) {
        DiagList diags = DIAG_LIST_INIT;
        Settings *s = NULL;
        char *out;

        ck_assert_int_eq(settings_load("/nonexistent/nfwall.conf", &s, &diags), -ENOENT);
        ck_assert_ptr_null(s);
        ck_assert_uint_eq(diags.n_items, 1);
        ck_assert_int_eq(diags.items[0].code, DIAG_IO);
        ck_assert_int_eq(diags.items[0].level, DIAG_ERROR);
        out = diags_render(&diags);
        ck_assert_str_eq(out, "/nonexistent/nfwall.conf: error: cannot read settings: No such file or directory\n");
        free(out);
        diag_list_deinit(&diags);

        ck_assert_int_eq(settings_load("/", &s, &diags), -EISDIR);
        ck_assert_int_eq(diags.items[0].code, DIAG_IO);
        diag_list_deinit(&diags);
}
END_TEST

START_TEST(test_nul_byte) {
        DiagList diags = DIAG_LIST_INIT;
        Settings *s = NULL;
        char path[] = "/tmp/test-conf-XXXXXX";
        const char text[] = "save_on_stop = true;\nx\0y = 1;\n";
        char *out, *expected;
        int fd;

        fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
        close(fd);

        ck_assert_int_eq(settings_load(path, &s, &diags), -EINVAL);
        ck_assert_int_ge(asprintf(&expected, "%s:2: error: settings file contains a NUL byte\n", path), 0);
        out = diags_render(&diags);
        ck_assert_str_eq(out, expected);
        free(out);
        free(expected);
        diag_list_deinit(&diags);
        unlink(path);
}
END_TEST

START_TEST(test_string_name) {
        DiagList diags = DIAG_LIST_INIT;
        Settings *s = NULL;
        char *out;

        ck_assert_int_eq(settings_load_string("foo = 1;", NULL, &s, &diags), -EINVAL);
        out = diags_render(&diags);
        ck_assert_str_eq(out, "<string>:1: error: unknown setting 'foo'\n");
        free(out);
        diag_list_deinit(&diags);

        ck_assert_int_eq(settings_load_string("save_counter = true;", NULL, &s, &diags), 0);
        ck_assert(s->save_counter);
        ck_assert_str_eq(s->path, "<string>");
        settings_free(s);
}
END_TEST

/* Errors already in the list (from an earlier stage) are not ours to fail on. */
START_TEST(test_diags_appended) {
        DiagList diags = DIAG_LIST_INIT;
        Settings *s = NULL;

        ck_assert_int_eq(diag_list_add(&diags, DIAG_ERROR, DIAG_SYNTAX, NULL, "earlier"), 0);
        ck_assert_int_eq(settings_load_string("save_counter = true;", "x", &s, &diags), 0);
        ck_assert_ptr_nonnull(s);
        ck_assert_uint_eq(diags.n_items, 1);
        settings_free(s);

        ck_assert_int_eq(settings_load_string("save_counter = 2;", "x", &s, &diags), -EINVAL);
        ck_assert_uint_eq(diags.n_items, 2);
        diag_list_deinit(&diags);
}
END_TEST

/* The shipped conf/nfwall.conf is valid and says exactly the defaults. */
START_TEST(test_shipped_conf) {
        const char *root = getenv("NFWALL_SOURCE_ROOT");
        DiagList diags = DIAG_LIST_INIT;
        Settings *s = NULL;
        char *path;

        if (!root) {
                fprintf(stderr, "NFWALL_SOURCE_ROOT not set, not checking conf/nfwall.conf\n");
                return;
        }

        ck_assert_int_ge(asprintf(&path, "%s/conf/nfwall.conf", root), 0);
        ck_assert_int_eq(settings_load(path, &s, &diags), 0);
        ck_assert_uint_eq(diags.n_items, 0);
        assert_defaults(s);
        settings_free(s);
        free(path);
}
END_TEST

static Suite *conf_suite(void) {
        Suite *s = suite_create("conf");
        TCase *tc;

        tc = tcase_create("defaults");
        tcase_add_test(tc, test_defaults);
        tcase_add_test(tc, test_empty_is_defaults);
        tcase_add_test(tc, test_key_names);
        tcase_add_test(tc, test_shipped_conf);
        suite_add_tcase(s, tc);

        tc = tcase_create("keys");
        tcase_add_test(tc, test_every_key);
        tcase_add_test(tc, test_modules_forms);
        tcase_add_test(tc, test_load_file);
        tcase_add_test(tc, test_string_name);
        suite_add_tcase(s, tc);

        tc = tcase_create("errors");
        tcase_add_loop_test(tc, test_wrong_values, 0, ELEMENTSOF(wrong_values));
        tcase_add_test(tc, test_every_error_reported);
        tcase_add_test(tc, test_unknown_key_file_line);
        tcase_add_test(tc, test_syntax_error);
        tcase_add_test(tc, test_syntax_error_file);
        tcase_add_test(tc, test_include_refused);
        tcase_add_test(tc, test_missing_file);
        tcase_add_test(tc, test_nul_byte);
        tcase_add_test(tc, test_diags_appended);
        suite_add_tcase(s, tc);

        return s;
}

int main(void) {
        SRunner *sr = srunner_create(conf_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
