/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-iptables-config: RHEL's iptables-config → nfwall.conf text, checked
 * to the byte, and every converted file loaded back through conf.c.
 */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "iptables-config.h"

#define HEADER(name)                                                                            \
        "# nfwall.conf, converted by \"nfwallctl import-config\" from " name ".\n"             \
        "# Settings not given there keep nfwall's defaults, which are those of iptables-services.\n" \
        "\n"

static char *diags_render(const DiagList *l) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(diag_list_print(l, f), 0);
        ck_assert_int_eq(fclose(f), 0);
        return buf;
}

/* The settings the daemon would read from a converted file; it must load without a word. */
static Settings *settings_from(const char *text) {
        DiagList diags = DIAG_LIST_INIT;
        Settings *s = NULL;
        int r;

        r = settings_load_string(text, "converted", &s, &diags);
        if (r < 0)
                ck_abort_msg("converted text does not load (%d):\n%s\n%s", r, diags_render(&diags), text);
        ck_assert_uint_eq(diags.n_items, 0);
        diag_list_deinit(&diags);
        return s;
}

/*
 * Converts text that must convert; checks the output and the rendered
 * warnings ("" for none) exactly, and that the output loads.
 */
static Settings *convert_ok(const char *text, const char *expected, const char *expected_diags) {
        DiagList diags = DIAG_LIST_INIT;
        char *out = NULL, *rendered;
        Settings *s;
        int r;

        r = iptables_config_convert(text, "iptables-config", &out, &diags);
        rendered = diags_render(&diags);
        if (r < 0)
                ck_abort_msg("conversion failed (%d):\n%s", r, rendered);
        ck_assert_uint_eq(diags.n_errors, 0);
        ck_assert_str_eq(rendered, expected_diags);
        ck_assert_str_eq(out, expected);

        s = settings_from(out);
        free(rendered);
        free(out);
        diag_list_deinit(&diags);
        return s;
}

static void convert_fail(const char *text, const char *expected_diags) {
        DiagList diags = DIAG_LIST_INIT;
        char *out = NULL, *rendered;

        ck_assert_int_eq(iptables_config_convert(text, "iptables-config", &out, &diags), -EINVAL);
        ck_assert_ptr_null(out);
        rendered = diags_render(&diags);
        ck_assert_str_eq(rendered, expected_diags);
        free(rendered);
        diag_list_deinit(&diags);
}

/*
 * Modelled on the file iptables-services ships (el6/early el7: with
 * MODULES_UNLOAD; el7: the sysctl and wait variables, commented out),
 * edited the way an administrator would: helpers added, one switch
 * flipped, the sysctl list enabled.
 */
static const char rhel_config[] =
        "# Load additional iptables modules (nat helpers)\n"                                    /* 1 */
        "#   Default: -none-\n"
        "# Space separated list of nat helpers (e.g. 'ip_nat_ftp ip_nat_irc'), which\n"
        "# are loaded after the firewall rules are applied. Options for the helpers are\n"
        "# stored in /etc/modprobe.conf.\n"                                                     /* 5 */
        "IPTABLES_MODULES=\"nf_conntrack_ftp nf_nat_ftp\"\n"
        "\n"
        "# Unload modules on restart and stop\n"
        "#   Value: yes|no,  default: yes\n"
        "# This option has to be 'yes' to get to a sane state for a firewall\n"                 /* 10 */
        "# restart or stop. Only set to 'no' if there are problems unloading netfilter\n"
        "# modules.\n"
        "IPTABLES_MODULES_UNLOAD=\"yes\"\n"
        "\n"
        "# Save current firewall rules on stop.\n"                                              /* 15 */
        "#   Value: yes|no,  default: no\n"
        "# Saves all firewall rules to /etc/sysconfig/iptables if firewall gets stopped\n"
        "# (e.g. on system shutdown).\n"
        "IPTABLES_SAVE_ON_STOP=\"no\"\n"
        "\n"                                                                                    /* 20 */
        "# Save current firewall rules on restart.\n"
        "#   Value: yes|no,  default: no\n"
        "# Saves all firewall rules to /etc/sysconfig/iptables if firewall gets\n"
        "# restarted.\n"
        "IPTABLES_SAVE_ON_RESTART=\"yes\"\n"                                                   /* 25 */
        "\n"
        "# Save (and restore) rule and chain counter.\n"
        "#   Value: yes|no,  default: no\n"
        "# Save counters for rules and chains to /etc/sysconfig/iptables if\n"
        "# 'service iptables save' is called or on stop or restart if SAVE_ON_STOP or\n"        /* 30 */
        "# SAVE_ON_RESTART is enabled.\n"
        "IPTABLES_SAVE_COUNTER=\"no\"\n"
        "\n"
        "# Numeric status output\n"
        "#   Value: yes|no,  default: yes\n"                                                    /* 35 */
        "# Print IP addresses and port numbers in numeric format in the status output.\n"
        "IPTABLES_STATUS_NUMERIC=\"yes\"\n"
        "\n"
        "# Verbose status output\n"
        "#   Value: yes|no,  default: yes\n"                                                    /* 40 */
        "# Print info about the number of packets and bytes plus the \"input-\" and\n"
        "# \"outputdevice\" in the status output.\n"
        "IPTABLES_STATUS_VERBOSE=\"no\"\n"
        "\n"
        "# Status output with numbered lines\n"                                                 /* 45 */
        "#   Value: yes|no,  default: yes\n"
        "# Print a counter/number for every rule in the status output.\n"
        "IPTABLES_STATUS_LINENUMBERS=\"yes\"\n"
        "\n"
        "# Reload sysctl settings on start and restart\n"                                       /* 50 */
        "#   Default: -none-\n"
        "# Space separated list of sysctl items which are to be reloaded on start.\n"
        "# List items will be matched by fgrep.\n"
        "IPTABLES_SYSCTL_LOAD_LIST=\".nf_conntrack .bridge-nf\"\n"
        "\n"                                                                                    /* 55 */
        "# Set wait option for iptables-restore calls in seconds\n"
        "#   Default: 600\n"
        "# Set to 0 to deactivate the wait.\n"
        "#IPTABLES_RESTORE_WAIT=600\n"
        "\n"                                                                                    /* 60 */
        "# Set wait interval option for iptables-restore calls in microseconds\n"
        "#   Default: 1000000\n"
        "# Set to 100000 to try to get the lock every 100000 microseconds, 10 times a\n"
        "# second.\n"
        "# Only usable with IPTABLES_RESTORE_WAIT > 0\n"                                        /* 65 */
        "IPTABLES_RESTORE_WAIT_INTERVAL=1000000\n";

START_TEST(test_rhel_config) {
        Settings *s = convert_ok(
                rhel_config,
                HEADER("iptables-config")
                "modules = [ \"nf_conntrack_ftp\", \"nf_nat_ftp\" ];\n"
                "modules_unload = true;\n"
                "save_on_stop = false;\n"
                "save_on_restart = true;\n"
                "save_counter = false;\n"
                "status_numeric = true;\n"
                "status_verbose = false;\n"
                "status_linenumbers = true;\n"
                "\n"
                "# Not converted (line 54): IPTABLES_SYSCTL_LOAD_LIST=\".nf_conntrack .bridge-nf\": "
                "use sysctl.d(5) files, which systemd-sysctl applies at boot.\n"
                "# Not converted (line 66): IPTABLES_RESTORE_WAIT_INTERVAL=\"1000000\": "
                "nfwall commits rules in one nf_tables transaction and takes no xtables lock.\n",
                "iptables-config:54: warning: IPTABLES_SYSCTL_LOAD_LIST is not converted: "
                "use sysctl.d(5) files, which systemd-sysctl applies at boot\n"
                "iptables-config:66: warning: IPTABLES_RESTORE_WAIT_INTERVAL is not converted: "
                "nfwall commits rules in one nf_tables transaction and takes no xtables lock\n");

        ck_assert_uint_eq(s->n_modules, 2);
        ck_assert_str_eq(s->modules[0], "nf_conntrack_ftp");
        ck_assert_str_eq(s->modules[1], "nf_nat_ftp");
        ck_assert(s->modules_unload);
        ck_assert(!s->save_on_stop);
        ck_assert(s->save_on_restart);
        ck_assert(!s->save_counter);
        ck_assert(s->status_numeric);
        ck_assert(!s->status_verbose);
        ck_assert(s->status_linenumbers);
        settings_free(s);
}
END_TEST

/* Each variable, set against its default, reaches its own setting. */
static const struct {
        const char *text;
        const char *line;
        size_t offset;
        bool value;
} bool_keys[] = {
        { "IPTABLES_MODULES_UNLOAD=no", "modules_unload = false;\n", offsetof(Settings, modules_unload), false },
        { "IPTABLES_SAVE_ON_STOP=yes", "save_on_stop = true;\n", offsetof(Settings, save_on_stop), true },
        { "IPTABLES_SAVE_ON_RESTART=yes", "save_on_restart = true;\n", offsetof(Settings, save_on_restart), true },
        { "IPTABLES_SAVE_COUNTER=yes", "save_counter = true;\n", offsetof(Settings, save_counter), true },
        { "IPTABLES_STATUS_NUMERIC=no", "status_numeric = false;\n", offsetof(Settings, status_numeric), false },
        { "IPTABLES_STATUS_VERBOSE=yes", "status_verbose = true;\n", offsetof(Settings, status_verbose), true },
        { "IPTABLES_STATUS_LINENUMBERS=no", "status_linenumbers = false;\n", offsetof(Settings, status_linenumbers), false },
        /* ip6tables-config spells them IP6TABLES_; case does not matter in the value. */
        { "IP6TABLES_SAVE_ON_STOP=YES", "save_on_stop = true;\n", offsetof(Settings, save_on_stop), true },
        { "IP6TABLES_STATUS_NUMERIC=No", "status_numeric = false;\n", offsetof(Settings, status_numeric), false },
        { "IP6TABLES_SAVE_COUNTER='yEs'", "save_counter = true;\n", offsetof(Settings, save_counter), true },
};

START_TEST(test_each_key) {
        char *expected;
        Settings *s;

        ck_assert_int_ge(asprintf(&expected, HEADER("iptables-config") "%s", bool_keys[_i].line), 0);
        s = convert_ok(bool_keys[_i].text, expected, "");
        ck_assert_int_eq(*(bool *)((char *)s + bool_keys[_i].offset), bool_keys[_i].value);
        settings_free(s);
        free(expected);
}
END_TEST

START_TEST(test_modules) {
        Settings *s;

        s = convert_ok("IPTABLES_MODULES=\"\"\n", HEADER("iptables-config") "modules = [ ];\n", "");
        ck_assert_uint_eq(s->n_modules, 0);
        settings_free(s);

        s = convert_ok("IP6TABLES_MODULES=nf_conntrack_ftp\n",
                       HEADER("iptables-config") "modules = [ \"nf_conntrack_ftp\" ];\n", "");
        ck_assert_uint_eq(s->n_modules, 1);
        settings_free(s);

        /* sh splits on any IFS whitespace, and a double-quoted value may span lines. */
        s = convert_ok("IPTABLES_MODULES=\"  nf_conntrack_sip\tnf_nat_sip\n"
                       "   nf_conntrack_tftp \"\n"
                       "IPTABLES_SAVE_COUNTER=yes\n",
                       HEADER("iptables-config")
                       "modules = [ \"nf_conntrack_sip\", \"nf_nat_sip\", \"nf_conntrack_tftp\" ];\n"
                       "save_counter = true;\n",
                       "");
        ck_assert_uint_eq(s->n_modules, 3);
        ck_assert_str_eq(s->modules[2], "nf_conntrack_tftp");
        settings_free(s);
}
END_TEST

START_TEST(test_quote_forms) {
        Settings *s;

        s = convert_ok("# quotes of every kind\n"                                              /* 1 */
                       "  export IPTABLES_MODULES='nf_conntrack_ftp nf_nat_ftp'   # helpers\n"
                       "IPTABLES_SAVE_ON_STOP=\"y\"'e's\n"
                       "IPTABLES_SAVE_COUNTER=\\y\\es\n"
                       "export IPTABLES_STATUS_VERBOSE\n"                                      /* 5 */
                       "export\tIPTABLES_STATUS_VERBOSE=\"yes\"\t\n"
                       "IPTABLES_STATUS_LINENUMBERS=\"n\\\n"
                       "o\"\n"
                       "IPTABLES_STATUS_NUMERIC=no\\\n"
                       "\n"                                                                    /* 10 */
                       "IPTABLES_X=1\n",
                       HEADER("iptables-config")
                       "modules = [ \"nf_conntrack_ftp\", \"nf_nat_ftp\" ];\n"
                       "save_on_stop = true;\n"
                       "save_counter = true;\n"
                       "status_numeric = false;\n"
                       "status_verbose = true;\n"
                       "status_linenumbers = false;\n"
                       "\n"
                       "# Not converted (line 11): IPTABLES_X=\"1\": "
                       "unknown iptables-config variable, nfwall has no equivalent.\n",
                       "iptables-config:11: warning: IPTABLES_X is not converted: "
                       "unknown iptables-config variable, nfwall has no equivalent\n");
        settings_free(s);

        /* In double quotes, \ escapes only $ ` " \ and newline; sh starts a comment only at a word's start. */
        convert_fail("IPTABLES_STATUS_NUMERIC=\"n\\o\"\n"
                     "IPTABLES_STATUS_LINENUMBERS=\"\\\"no\\\"\"\n"
                     "IPTABLES_STATUS_VERBOSE=\"no\"#comment\n",
                     "iptables-config:1: error: IPTABLES_STATUS_NUMERIC: expected \"yes\" or \"no\", got \"n\\o\"\n"
                     "iptables-config:2: error: IPTABLES_STATUS_LINENUMBERS: expected \"yes\" or \"no\", got \"\"no\"\"\n"
                     "iptables-config:3: error: IPTABLES_STATUS_VERBOSE: expected \"yes\" or \"no\", "
                     "got \"no#comment\"\n");
}
END_TEST

START_TEST(test_unknown_keys) {
        Settings *s;

        s = convert_ok("IPTABLES_STATUS_WAIT=\"yes\"\n"
                       "IPTABLES_SAVE_ON_STOP=yes\n"
                       "\n"
                       "IPTABLES_RESTORE_WAIT=600\n"
                       "PATH=/sbin\n"
                       "IP6TABLES_SYSCTL_LOAD_LIST=\".net.ipv6\"\n",
                       HEADER("iptables-config")
                       "save_on_stop = true;\n"
                       "\n"
                       "# Not converted (line 1): IPTABLES_STATUS_WAIT=\"yes\": "
                       "unknown iptables-config variable, nfwall has no equivalent.\n"
                       "# Not converted (line 4): IPTABLES_RESTORE_WAIT=\"600\": "
                       "nfwall commits rules in one nf_tables transaction and takes no xtables lock.\n"
                       "# Not converted (line 5): PATH=\"/sbin\": not an iptables-config variable.\n"
                       "# Not converted (line 6): IP6TABLES_SYSCTL_LOAD_LIST=\".net.ipv6\": "
                       "use sysctl.d(5) files, which systemd-sysctl applies at boot.\n",
                       "iptables-config:1: warning: IPTABLES_STATUS_WAIT is not converted: "
                       "unknown iptables-config variable, nfwall has no equivalent\n"
                       "iptables-config:4: warning: IPTABLES_RESTORE_WAIT is not converted: "
                       "nfwall commits rules in one nf_tables transaction and takes no xtables lock\n"
                       "iptables-config:5: warning: PATH is not converted: not an iptables-config variable\n"
                       "iptables-config:6: warning: IP6TABLES_SYSCTL_LOAD_LIST is not converted: "
                       "use sysctl.d(5) files, which systemd-sysctl applies at boot\n");
        ck_assert(s->save_on_stop);
        settings_free(s);
}
END_TEST

START_TEST(test_unknown_key_comment_safe) {
        Settings *s;

        /* A value spanning lines must not break out of its comment. */
        s = convert_ok("IPTABLES_FOO=\"a\n"
                       "modules = 1;\"\n",
                       HEADER("iptables-config")
                       "\n"
                       "# Not converted (line 1): IPTABLES_FOO=\"a?modules = 1;\": "
                       "unknown iptables-config variable, nfwall has no equivalent.\n",
                       "iptables-config:1: warning: IPTABLES_FOO is not converted: "
                       "unknown iptables-config variable, nfwall has no equivalent\n");
        settings_free(s);
}
END_TEST

START_TEST(test_override_and_empty) {
        Settings *s;

        s = convert_ok("IPTABLES_SAVE_ON_STOP=yes\n"
                       "IP6TABLES_SAVE_ON_STOP=no\n"
                       "IPTABLES_SAVE_COUNTER=\n",
                       HEADER("iptables-config")
                       "save_on_stop = false;\n"
                       "save_counter = false;\n",
                       "iptables-config:2: warning: IP6TABLES_SAVE_ON_STOP overrides the value from line 1\n"
                       "iptables-config:3: warning: IPTABLES_SAVE_COUNTER is empty, "
                       "converted as \"no\" as iptables.init reads it\n");
        ck_assert(!s->save_on_stop);
        settings_free(s);
}
END_TEST

START_TEST(test_empty_input) {
        Settings *s;

        s = convert_ok("", HEADER("iptables-config"), "");
        settings_free(s);
        s = convert_ok("# only comments\n\n   \n\t# indented\n", HEADER("iptables-config"), "");
        settings_free(s);
}
END_TEST

START_TEST(test_malformed) {
        convert_fail("# a broken file: every error is reported, nothing is written\n"   /* 1 */
                     "IPTABLES_MODULES = \"nf_conntrack_ftp\"\n"
                     "IPTABLES_SAVE_ON_STOP=maybe\n"
                     "IPTABLES_MODULES=\"$HELPERS\"\n"
                     "IPTABLES_MODULES=nf_conntrack_ftp nf_nat_ftp\n"                     /* 5 */
                     "modprobe nf_conntrack_ftp\n"
                     "IPTABLES_MODULES=\"nf_conntrack_ftp ../../tmp/evil\"\n"
                     "IPTABLES_SAVE_ON_STOP=yes\n"
                     "IPTABLES_STATUS_VERBOSE=`echo yes`\n"
                     "IPTABLES_STATUS_VERBOSE=yes; echo\n"                                /* 10 */
                     "=yes\n"
                     "IPTABLES_MODULES=\"unterminated\n"
                     "\n",
                     "iptables-config:2: error: no spaces are allowed around '=' in IPTABLES_MODULES\n"
                     "iptables-config:3: error: IPTABLES_SAVE_ON_STOP: expected \"yes\" or \"no\", got \"maybe\"\n"
                     "iptables-config:4: error: shell expansion ('$') is not supported\n"
                     "iptables-config:5: error: unexpected text after the value (quote values that contain spaces)\n"
                     "iptables-config:6: error: expected NAME=VALUE\n"
                     "iptables-config:7: error: IPTABLES_MODULES: \"../../tmp/evil\" is not a module name\n"
                     "iptables-config:9: error: shell expansion ('`') is not supported\n"
                     "iptables-config:10: error: shell syntax (';') is not supported\n"
                     "iptables-config:11: error: expected NAME=VALUE\n"
                     "iptables-config:12: error: unterminated double quote\n");

        convert_fail("IPTABLES_MODULES='x\n\n", "iptables-config:1: error: unterminated single quote\n");
        convert_fail("\n\nIPTABLES_MODULES=x\\", "iptables-config:3: error: backslash at end of file\n");
        convert_fail("export\n", "iptables-config:1: error: expected NAME=VALUE\n");
        convert_fail("export =1\n", "iptables-config:1: error: expected NAME or NAME=VALUE after export\n");
        convert_fail("IPTABLES_MODULES+=x\n", "iptables-config:1: error: expected NAME=VALUE\n");
}
END_TEST

/* Warnings before an error still count; the output is withheld. */
START_TEST(test_malformed_after_warning) {
        convert_fail("IPTABLES_SYSCTL_LOAD_LIST=x\nIPTABLES_SAVE_ON_STOP=1\n",
                     "iptables-config:1: warning: IPTABLES_SYSCTL_LOAD_LIST is not converted: "
                     "use sysctl.d(5) files, which systemd-sysctl applies at boot\n"
                     "iptables-config:2: error: IPTABLES_SAVE_ON_STOP: expected \"yes\" or \"no\", got \"1\"\n");
}
END_TEST

START_TEST(test_name_in_header) {
        DiagList diags = DIAG_LIST_INIT;
        char *out = NULL;

        ck_assert_int_eq(iptables_config_convert("", "/etc/sysconfig/ip\ntables-config", &out, &diags), 0);
        ck_assert_str_eq(out,
                         "# nfwall.conf, converted by \"nfwallctl import-config\" from /etc/sysconfig/ip?tables-config.\n"
                         "# Settings not given there keep nfwall's defaults, which are those of iptables-services.\n"
                         "\n");
        free(out);
        diag_list_deinit(&diags);
}
END_TEST

static Suite *iptables_config_suite(void) {
        Suite *s = suite_create("iptables-config");
        TCase *tc;

        tc = tcase_create("convert");
        tcase_add_test(tc, test_rhel_config);
        tcase_add_loop_test(tc, test_each_key, 0, ELEMENTSOF(bool_keys));
        tcase_add_test(tc, test_modules);
        tcase_add_test(tc, test_quote_forms);
        tcase_add_test(tc, test_unknown_keys);
        tcase_add_test(tc, test_unknown_key_comment_safe);
        tcase_add_test(tc, test_override_and_empty);
        tcase_add_test(tc, test_empty_input);
        tcase_add_test(tc, test_name_in_header);
        suite_add_tcase(s, tc);

        tc = tcase_create("errors");
        tcase_add_test(tc, test_malformed);
        tcase_add_test(tc, test_malformed_after_warning);
        suite_add_tcase(s, tc);

        return s;
}

int main(void) {
        SRunner *sr = srunner_create(iptables_config_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
