/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * measure: runs a command RUNS times and prints the median wall time in
 * milliseconds and the largest peak RSS in KiB of the command itself
 * (wait4's rusage), so tools are compared by what they cost, not by
 * how they are started. Output: "MEDIAN_MS MAX_RSS_KIB EXIT".
 *
 * With --netns NAME, measure first joins the network namespace NAME
 * (/run/netns/NAME, as `ip netns add` makes it), outside the timing, and
 * the command inherits it: a command of a millisecond is timed without
 * `ip netns exec`'s own cost (a mount namespace and a remount of /sys).
 *
 * Usage: measure RUNS [--netns NAME] [--stdin FILE] -- COMMAND [ARGS...]
 */

#define _GNU_SOURCE

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int compare_double(const void *a, const void *b) {
        double x = *(const double *)a, y = *(const double *)b;
        return x < y ? -1 : x > y;
}

int main(int argc, char *argv[]) {
        const char *input = NULL, *netns = NULL;
        double times[64];
        long max_rss = 0;
        int runs, status = 0, arg = 2;

        if (argc < 4 || (runs = atoi(argv[1])) < 1 || runs > 64) {
                fprintf(stderr, "usage: measure RUNS [--netns NAME] [--stdin FILE] -- COMMAND [ARGS...]\n");
                return 2;
        }
        if (strcmp(argv[arg], "--netns") == 0 && arg + 1 < argc) {
                netns = argv[arg + 1];
                arg += 2;
        }
        if (arg + 1 < argc && strcmp(argv[arg], "--stdin") == 0) {
                input = argv[arg + 1];
                arg += 2;
        }
        if (arg >= argc || strcmp(argv[arg], "--") != 0) {
                fprintf(stderr, "measure: expected -- before the command\n");
                return 2;
        }
        arg++;
        if (netns) {
                char path[4096];
                int fd;

                snprintf(path, sizeof(path), "/run/netns/%s", netns);
                fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
                        perror(path);
                        return 1;
                }
                close(fd);
        }

        for (int i = 0; i < runs; i++) {
                struct rusage ru;
                double t0 = now_ms();
                pid_t pid = fork();

                if (pid < 0)
                        return 1;
                if (pid == 0) {
                        int null = open("/dev/null", O_WRONLY);
                        if (input) {
                                int in = open(input, O_RDONLY);
                                if (in < 0)
                                        _exit(127);
                                dup2(in, 0);
                        }
                        dup2(null, 1);
                        execvp(argv[arg], argv + arg);
                        _exit(127);
                }
                if (wait4(pid, &status, 0, &ru) < 0)
                        return 1;
                times[i] = now_ms() - t0;
                if (ru.ru_maxrss > max_rss)
                        max_rss = ru.ru_maxrss;
        }
        qsort(times, runs, sizeof(double), compare_double);
        printf("%.2f %ld %d\n", times[runs / 2], max_rss, WIFEXITED(status) ? WEXITSTATUS(status) : 128);
        return 0;
}
