/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Real-world rulesets (saved by firewalld, ufw, Shorewall, Docker,
 * kube-proxy, hand-written): each must parse and round-trip through the
 * printer, or fail exactly as real-world.expect says, line for line:
 *
 *   FILE ok
 *   FILE invalid=LINES [unsupported=LINES]
 *   FILE unsupported=LINES
 *
 * "invalid" lines are errors in the data itself; "unsupported" lines use
 * iptables extensions nfwall refuses by name. LINES is like 3,10-12.
 *
 * Usage: test-real-world DIR EXPECT-FILE
 */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ruleset-parse.h"
#include "ruleset-print.h"

#define MAX_LINE 100000

typedef struct LineSet {
        unsigned char *bits;    /* MAX_LINE + 1 entries */
        size_t n;
} LineSet;

static int lineset_parse(LineSet *s, const char *spec) {
        _cleanup_free_ char *copy = strdup(spec);
        char *save = NULL;

        for (char *part = strtok_r(copy, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
                unsigned a, b;
                if (sscanf(part, "%u-%u", &a, &b) != 2) {
                        if (sscanf(part, "%u", &a) != 1)
                                return -EINVAL;
                        b = a;
                }
                if (a == 0 || b < a || b > MAX_LINE)
                        return -EINVAL;
                for (unsigned l = a; l <= b; l++)
                        if (!s->bits[l]) {
                                s->bits[l] = 1;
                                s->n++;
                        }
        }
        return 0;
}

/* Prints the difference between want and got as line lists; returns whether they differ. */
static bool lineset_report(const char *file, const char *what, const LineSet *want, const LineSet *got) {
        bool differ = false;

        for (unsigned l = 1; l <= MAX_LINE; l++) {
                if (want->bits[l] == got->bits[l])
                        continue;
                if (!differ)
                        printf("FAIL %s: %s lines differ:\n", file, what);
                differ = true;
                printf("    line %u: %s\n", l, want->bits[l] ? "expected an error, got none" : "unexpected error");
        }
        return differ;
}

typedef struct Expectation {
        char file[256];
        bool ok;
        char invalid[8192];
        char unsupported[8192];
} Expectation;

static size_t load_expectations(const char *path, Expectation **ret) {
        FILE *f = fopen(path, "re");
        Expectation *e = NULL;
        char *line = NULL;
        size_t n = 0, cap = 0;

        if (!f) {
                perror(path);
                exit(EXIT_FAILURE);
        }
        while (getline(&line, &cap, f) > 0) {
                char *save = NULL, *tok;
                if (line[0] == '#' || line[0] == '\n')
                        continue;
                e = realloc(e, (n + 1) * sizeof(*e));
                memset(&e[n], 0, sizeof(*e));
                tok = strtok_r(line, " \t\n", &save);
                snprintf(e[n].file, sizeof(e[n].file), "%s", tok);
                while ((tok = strtok_r(NULL, " \t\n", &save))) {
                        if (streq(tok, "ok"))
                                e[n].ok = true;
                        else if (strncmp(tok, "invalid=", 8) == 0)
                                snprintf(e[n].invalid, sizeof(e[n].invalid), "%s", tok + 8);
                        else if (strncmp(tok, "unsupported=", 12) == 0)
                                snprintf(e[n].unsupported, sizeof(e[n].unsupported), "%s", tok + 12);
                }
                n++;
        }
        free(line);
        fclose(f);
        *ret = e;
        return n;
}

static bool run_file(const char *dir, const Expectation *e, size_t *n_rules) {
        _cleanup_(ruleset_freep) Ruleset *rs = NULL, *again = NULL;
        Family family = strstr(e->file, ".ip6.") ? FAMILY_IPV6 : FAMILY_IPV4;
        DiagList diags = DIAG_LIST_INIT;
        LineSet want_inv = { calloc(MAX_LINE + 1, 1) }, want_uns = { calloc(MAX_LINE + 1, 1) };
        LineSet got_inv = { calloc(MAX_LINE + 1, 1) }, got_uns = { calloc(MAX_LINE + 1, 1) };
        char path[4096];
        bool good = true;
        int r;

        snprintf(path, sizeof(path), "%s/%s", dir, e->file);
        if ((e->invalid[0] && lineset_parse(&want_inv, e->invalid) < 0) ||
            (e->unsupported[0] && lineset_parse(&want_uns, e->unsupported) < 0)) {
                printf("FAIL %s: bad line list in the expectation file\n", e->file);
                return false;
        }
        r = ruleset_parse_file(path, family, &diags, &rs);
        for (size_t i = 0; i < diags.n_items; i++) {
                const Diag *d = &diags.items[i];
                if (d->level != DIAG_ERROR || d->line == 0 || d->line > MAX_LINE)
                        continue;
                LineSet *s = d->code == DIAG_UNSUPPORTED ? &got_uns : &got_inv;
                if (!s->bits[d->line]) {
                        s->bits[d->line] = 1;
                        s->n++;
                }
        }

        if (e->ok) {
                if (r < 0) {
                        printf("FAIL %s: expected to parse, got:\n", e->file);
                        diag_list_print(&diags, stdout);
                        good = false;
                } else {
                        StrBuf out = STRBUF_INIT, out2 = STRBUF_INIT;
                        DiagList d2 = DIAG_LIST_INIT;
                        ruleset_print_save(rs, family, PRINT_COUNTERS, &out);
                        r = ruleset_parse_string(strbuf_str(&out), out.len, e->file, family, &d2, &again);
                        if (r == 0)
                                ruleset_print_save(again, family, PRINT_COUNTERS, &out2);
                        if (r < 0 || !streq(strbuf_str(&out), strbuf_str(&out2))) {
                                printf("FAIL %s: print → parse → print is not stable\n", e->file);
                                diag_list_print(&d2, stdout);
                                good = false;
                        }
                        *n_rules += ruleset_count_rules(rs);
                        strbuf_deinit(&out);
                        strbuf_deinit(&out2);
                        diag_list_deinit(&d2);
                }
        } else {
                if (r == 0 || rs) {
                        printf("FAIL %s: expected errors, but it parsed\n", e->file);
                        good = false;
                }
                if (lineset_report(e->file, "invalid", &want_inv, &got_inv))
                        good = false;
                if (lineset_report(e->file, "unsupported", &want_uns, &got_uns))
                        good = false;
        }
        if (good)
                printf("ok   %-70s %s\n", e->file,
                       e->ok ? "round trip" : e->invalid[0] ? "refused at the expected lines" : "unsupported lines refused");
        free(want_inv.bits);
        free(want_uns.bits);
        free(got_inv.bits);
        free(got_uns.bits);
        diag_list_deinit(&diags);
        return good;
}

int main(int argc, char *argv[]) {
        const char *dir = argc > 1 && argv[1][0] ? argv[1] : getenv("NFWALL_REALWORLD_DIR");
        Expectation *e = NULL;
        size_t n, failed = 0, n_ok = 0, n_rules = 0, n_files = 0;
        struct dirent *de;
        DIR *d;

        if (!dir || !(d = opendir(dir))) {
                printf("no real-world rulesets found (set NFWALL_REALWORLD_DIR or -Drealworld_dir): skipped\n");
                return 77;
        }
        n = load_expectations(argc > 2 ? argv[2] : "real-world.expect", &e);
        /* every file of the directory needs an expectation */
        while ((de = readdir(d))) {
                bool known = false;
                if (de->d_name[0] == '.' || streq(de->d_name, "README.md"))
                        continue;
                n_files++;
                for (size_t i = 0; i < n; i++)
                        known = known || streq(e[i].file, de->d_name);
                if (!known) {
                        printf("FAIL %s: no expectation in real-world.expect\n", de->d_name);
                        failed++;
                }
        }
        closedir(d);
        for (size_t i = 0; i < n; i++) {
                if (!run_file(dir, &e[i], &n_rules))
                        failed++;
                else if (e[i].ok)
                        n_ok++;
        }
        printf("\nreal-world rulesets: %zu files; %zu round-trip (%zu rules); %zu fail as expected; %zu failures\n",
               n_files, n_ok, n_rules, n - n_ok - failed, failed);
        free(e);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
