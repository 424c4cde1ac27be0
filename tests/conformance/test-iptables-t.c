/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Conformance with iptables' own extension tests (the .t files of extensions/): every
 * in-scope OK line must parse and print as its expected iptables-save
 * form, every in-scope FAIL line must be refused. A line nfwall refuses as
 * unsupported (an extension or option outside its scope, and nothing else
 * wrong) is counted as skipped, never as passed. Deviations we accept are
 * listed, with reasons, in iptables-t.expect; one that starts to pass
 * fails the test, so the list stays true.
 *
 * Usage: test-iptables-t DIR EXPECT-FILE
 */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ruleset-parse.h"
#include "ruleset-print.h"

typedef struct Counts {
        unsigned ok_passed, ok_failed, fail_passed, fail_failed, skipped, deviations, stale;
        /* distinct test lines: passed in every chain and family it runs in, skipped in all, other */
        unsigned lines_ok, lines_fail, lines_skipped, lines_other;
} Counts;

/* Classifies one test line by what its runs (chains × families) added to the counts. */
static void count_line(Counts *c, const Counts *before, bool want_ok) {
        unsigned good = (c->ok_passed - before->ok_passed) + (c->fail_passed - before->fail_passed);
        unsigned skipped = c->skipped - before->skipped;
        unsigned bad = (c->ok_failed - before->ok_failed) + (c->fail_failed - before->fail_failed) +
                       (c->deviations - before->deviations) + (c->stale - before->stale);

        if (bad == 0 && good > 0 && skipped == 0) {
                if (want_ok)
                        c->lines_ok++;
                else
                        c->lines_fail++;
        } else if (bad == 0 && good == 0 && skipped > 0)
                c->lines_skipped++;
        else
                c->lines_other++;
}

typedef struct Expect {
        char **keys;    /* "file:line:family:chain" */
        bool *used;
        size_t n;
} Expect;

static void expect_load(Expect *e, const char *path) {
        FILE *f = fopen(path, "re");
        char *line = NULL;
        size_t cap = 0;

        if (!f)
                return;
        while (getline(&line, &cap, f) > 0) {
                char key[512];
                if (line[0] == '#' || line[0] == '\n')
                        continue;
                if (sscanf(line, "%511s", key) != 1)
                        continue;
                e->keys = realloc(e->keys, (e->n + 1) * sizeof(char *));
                e->used = realloc(e->used, (e->n + 1) * sizeof(bool));
                e->keys[e->n] = strdup(key);
                e->used[e->n] = false;
                e->n++;
        }
        free(line);
        fclose(f);
}

static bool expect_take(Expect *e, const char *key) {
        for (size_t i = 0; i < e->n; i++)
                if (streq(e->keys[i], key)) {
                        e->used[i] = true;
                        return true;
                }
        return false;
}

static char *trim(char *s) {
        char *end;

        while (*s == ' ' || *s == '\t')
                s++;
        end = s + strlen(s);
        while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
                *--end = 0;
        return s;
}

typedef enum Outcome { OUT_ACCEPTED, OUT_REFUSED, OUT_UNSUPPORTED } Outcome;

/* Runs one rule through the rules-file grammar; *printed gets the -A line. */
static Outcome run_rule(const char *table, const char *chain, const char *rule, Family family, char **printed,
                        char **why) {
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        DiagList diags = DIAG_LIST_INIT;
        char *text = NULL;
        Outcome o;
        int r;

        if (asprintf(&text, "*%s\n-A %s %s\nCOMMIT\n", table, chain, rule) < 0)
                abort();
        r = ruleset_parse_string(text, strlen(text), "t", family, &diags, &rs);
        free(text);
        *printed = NULL;
        *why = NULL;
        if (r == 0) {
                Table *t = NULL;
                for (TableType k = 0; k < _TABLE_TYPE_MAX; k++)
                        if (rs->tables[family][k])
                                t = rs->tables[family][k];
                Chain *c = table_find_chain(t, chain);
                StrBuf out = STRBUF_INIT;
                strbuf_puts(&out, "-A ");
                strbuf_puts(&out, chain);
                if (c && c->n_rules == 1)
                        rule_print_spec(c->rules[0], family, &out);
                *printed = strdup(strbuf_str(&out));
                strbuf_deinit(&out);
                o = OUT_ACCEPTED;
        } else {
                bool all_unsupported = diags.n_items > 0;
                for (size_t i = 0; i < diags.n_items; i++)
                        if (diags.items[i].level == DIAG_ERROR && diags.items[i].code != DIAG_UNSUPPORTED)
                                all_unsupported = false;
                if (diags.n_items > 0)
                        *why = strdup(diags.items[0].message);
                o = all_unsupported ? OUT_UNSUPPORTED : OUT_REFUSED;
        }
        diag_list_deinit(&diags);
        return o;
}

static void run_file(const char *dir, const char *name, Expect *expect, Counts *c) {
        char path[4096], *line = NULL;
        char table[32] = "filter", chains[256] = "INPUT";
        size_t cap = 0;
        unsigned lineno = 0;
        bool fam[_FAMILY_MAX] = {};
        FILE *f;

        if (strncmp(name, "libip6t_", 8) == 0)
                fam[FAMILY_IPV6] = true;
        else if (strncmp(name, "libxt_", 6) == 0)
                fam[FAMILY_IPV4] = fam[FAMILY_IPV6] = true;
        else
                fam[FAMILY_IPV4] = true;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        f = fopen(path, "re");
        if (!f) {
                perror(path);
                exit(EXIT_FAILURE);
        }
        while (getline(&line, &cap, f) > 0) {
                char *l = trim(line), *fields[5] = {}, *save = NULL;
                size_t n = 0;

                lineno++;
                if (!*l || *l == '#' || *l == '@' || *l == '%')
                        continue;
                if (*l == ':') {
                        snprintf(chains, sizeof(chains), "%s", l + 1);
                        continue;
                }
                if (*l == '*') {
                        snprintf(table, sizeof(table), "%s", l + 1);
                        continue;
                }
                /* RULE;EXPECTED;RESULT[;VARIANT[;ALT]]: the rule itself never contains ';' here */
                for (char *tok = strtok_r(l, ";", &save); tok && n < 5; tok = strtok_r(NULL, ";", &save))
                        fields[n++] = tok;
                /* an empty EXPECTED collapses in strtok: "RULE;;FAIL" */
                if (n == 2) {
                        fields[2] = fields[1];
                        fields[1] = (char *)"";
                        n = 3;
                }
                if (n < 3)
                        continue;

                const char *rule = trim(fields[0]), *expected = trim(fields[1]), *result = trim(fields[2]);
                bool want_ok = streq(result, "OK"), compare = true;
                if (n >= 4 && streq(trim(fields[3]), "LEGACY")) {
                        /* nf_tables backend: the alternative result, else the inverse */
                        const char *alt = n >= 5 ? trim(fields[4]) : NULL;
                        if (!alt)
                                want_ok = !want_ok;
                        else if (streq(alt, "NOMATCH"))
                                want_ok = true, compare = false;
                        else if (streq(alt, "="))
                                want_ok = true, expected = "="; /* accepted, listed exactly as written */
                        else
                                want_ok = streq(alt, "OK");
                }

                Counts before = *c;
                for (Family fm = 0; fm < _FAMILY_MAX; fm++) {
                        _cleanup_free_ char *chains_copy = NULL;
                        char *csave = NULL;

                        if (!fam[fm])
                                continue;
                        chains_copy = strdup(chains);
                        for (char *chain = strtok_r(chains_copy, ",", &csave); chain;
                             chain = strtok_r(NULL, ",", &csave)) {
                                _cleanup_free_ char *printed = NULL, *why = NULL, *want = NULL;
                                char key[512];
                                Outcome o = run_rule(table, chain, rule, fm, &printed, &why);
                                bool good;

                                snprintf(key, sizeof(key), "%s:%u:%s:%s", name, lineno, fm == FAMILY_IPV6 ? "ipv6" : "ipv4",
                                         chain);
                                if (o == OUT_UNSUPPORTED) {
                                        c->skipped++;
                                        continue;
                                }
                                if (want_ok) {
                                        if (asprintf(&want, "-A %s %s", chain, streq(expected, "=") ? rule : expected) < 0)
                                                abort();
                                        /* "-A INPUT " with an empty expectation prints as "-A INPUT" */
                                        char *w = trim(want);
                                        good = o == OUT_ACCEPTED && (!compare || streq(printed, w));
                                } else
                                        good = o == OUT_REFUSED;

                                if (expect_take(expect, key)) {
                                        if (good) {
                                                printf("STALE %s: listed as a deviation but passes\n", key);
                                                c->stale++;
                                        } else
                                                c->deviations++;
                                        continue;
                                }
                                if (good) {
                                        if (want_ok)
                                                c->ok_passed++;
                                        else
                                                c->fail_passed++;
                                        continue;
                                }
                                if (want_ok) {
                                        c->ok_failed++;
                                        printf("FAIL %s: %s\n    expected: %s\n    got:      %s\n", key, rule, trim(want),
                                               o == OUT_ACCEPTED ? printed : why ? why : "(refused)");
                                } else {
                                        c->fail_failed++;
                                        printf("FAIL %s: %s\n    expected: refused\n    got:      %s\n", key, rule,
                                               printed);
                                }
                        }
                }
                count_line(c, &before, want_ok);
        }
        free(line);
        fclose(f);
}

static int compare_names(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char *argv[]) {
        const char *dir = argc > 1 && argv[1][0] ? argv[1] : getenv("NFWALL_CONFORMANCE_DIR");
        Expect expect = {};
        Counts c = {};
        char **names = NULL;
        size_t n = 0;
        struct dirent *de;
        DIR *d;

        if (!dir || !(d = opendir(dir))) {
                printf("no iptables extension tests found (set NFWALL_CONFORMANCE_DIR or -Dconformance_dir): skipped\n");
                return 77;
        }
        if (argc > 2)
                expect_load(&expect, argv[2]);
        while ((de = readdir(d))) {
                size_t len = strlen(de->d_name);
                if (len > 2 && streq(de->d_name + len - 2, ".t")) {
                        names = realloc(names, (n + 1) * sizeof(char *));
                        names[n++] = strdup(de->d_name);
                }
        }
        closedir(d);
        qsort(names, n, sizeof(char *), compare_names);
        for (size_t i = 0; i < n; i++) {
                run_file(dir, names[i], &expect, &c);
                free(names[i]);
        }
        free(names);

        for (size_t i = 0; i < expect.n; i++)
                if (!expect.used[i]) {
                        printf("STALE %s: listed as a deviation but no such test line\n", expect.keys[i]);
                        c.stale++;
                }

        for (size_t i = 0; i < expect.n; i++)
                free(expect.keys[i]);
        free(expect.keys);
        free(expect.used);

        printf("\niptables extension tests (%zu files; each line once per chain and family):\n", n);
        printf("  OK lines parsed and printed as expected:   %u\n", c.ok_passed);
        printf("  FAIL lines refused:                        %u\n", c.fail_passed);
        printf("  skipped (outside nfwall's scope):          %u\n", c.skipped);
        printf("  known deviations (iptables-t.expect):      %u\n", c.deviations);
        printf("  OK lines failing:                          %u\n", c.ok_failed);
        printf("  FAIL lines accepted:                       %u\n", c.fail_failed);
        printf("  stale deviations:                          %u\n", c.stale);
        printf("distinct test lines: %u OK lines pass, %u FAIL lines refused, %u skipped (out of scope), "
               "%u mixed or deviating\n",
               c.lines_ok, c.lines_fail, c.lines_skipped, c.lines_other);
        return c.ok_failed + c.fail_failed + c.stale == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
