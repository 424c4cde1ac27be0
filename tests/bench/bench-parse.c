/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench-parse: the cost of the grammar and the printer alone. Parses a
 * rules file, prints it in canonical form to /dev/null, and reports the
 * median time per rule of each over several runs, and the peak RSS of the
 * process per rule. Not a test: it prints figures.
 *
 * Usage: bench-parse FILE [RUNS]
 */

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "ruleset-parse.h"
#include "ruleset-print.h"

static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int compare_double(const void *a, const void *b) {
        double x = *(const double *)a, y = *(const double *)b;
        return x < y ? -1 : x > y;
}

int main(int argc, char *argv[]) {
        int runs = argc > 2 ? atoi(argv[2]) : 5;
        double parse[64], print[64];
        size_t n_rules = 0;
        struct rusage ru;
        FILE *null;

        if (argc < 2 || runs < 1 || runs > 64) {
                fprintf(stderr, "usage: bench-parse FILE [RUNS (1-64)]\n");
                return 2;
        }
        null = fopen("/dev/null", "we");
        for (int i = 0; i < runs; i++) {
                Ruleset *rs = NULL;
                DiagList diags = DIAG_LIST_INIT;
                StrBuf out = STRBUF_INIT;
                double t0, t1, t2;

                t0 = now();
                if (ruleset_parse_file(argv[1], FAMILY_IPV4, &diags, &rs) < 0) {
                        diag_list_print(&diags, stderr);
                        return 1;
                }
                t1 = now();
                for (TableType t = 0; t < _TABLE_TYPE_MAX; t++)
                        if (rs->tables[FAMILY_IPV4][t]) {
                                table_print_save(rs->tables[FAMILY_IPV4][t], 0, &out);
                                strbuf_flush(&out, null);
                        }
                t2 = now();
                n_rules = ruleset_count_rules(rs);
                parse[i] = t1 - t0;
                print[i] = t2 - t1;
                strbuf_deinit(&out);
                ruleset_free(rs);
                diag_list_deinit(&diags);
        }
        qsort(parse, runs, sizeof(double), compare_double);
        qsort(print, runs, sizeof(double), compare_double);
        getrusage(RUSAGE_SELF, &ru);
        printf("rules %zu  runs %d  parse %.3f us/rule  print %.3f us/rule  parse+print %.3f us/rule  "
               "peak RSS %ld KiB = %.3f KiB/rule\n",
               n_rules, runs, parse[runs / 2] * 1e6 / n_rules, print[runs / 2] * 1e6 / n_rules,
               (parse[runs / 2] + print[runs / 2]) * 1e6 / n_rules, ru.ru_maxrss, (double)ru.ru_maxrss / n_rules);
        fclose(null);
        return 0;
}
