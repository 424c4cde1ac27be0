/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * manager: nfwalld's composition root and its service actions.
 *
 * It holds the settings, the ruleset in force (both families, as one
 * Ruleset), where each family's rules came from and when, the two
 * nf_tables sockets and the control server, and it is the only module
 * that decides what to do to the firewall and logs it. The layers below
 * (parse, compile, netlink, decompile, print, modules) return
 * diagnostics; here they are logged once and handed to the client.
 *
 * Every change of the kernel is one transaction over both families
 * (nft_compile_ruleset + nft_socket_commit): a reload, a restart, panic
 * on and off are swaps with no moment without a firewall, and a refused
 * transaction changes nothing, so the model here is replaced only after
 * the kernel accepted its successor.
 *
 * Panic is "drop everything, keep the rules": a DROP rule, tagged with
 * the comment PANIC_COMMENT, at the top of every base chain of filter in
 * both families, in front of the rules in force, committed as one
 * transaction. It is a rule rather than RHEL's policy DROP because a
 * policy does not stop the ACCEPT rules before it, and the issue asks
 * for everything dropped. Being in the kernel, it survives a crash of
 * the daemon: adoption recognises the tagged rules and comes back in
 * panic.
 *
 * What the kernel holds is checked against what we committed whenever
 * another process commits to nf_tables (generation events whose pid is
 * not ours): the first difference is logged and reported by status, and
 * nothing is put back behind the administrator's back.
 */

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "conf.h"
#include "control.h"
#include "log.h"
#include "manager.h"
#include "modules.h"
#include "nft-compile.h"
#include "nft-decompile.h"
#include "nft-edit.h"
#include "nft-netlink.h"
#include "ruleset-names.h"
#include "ruleset-parse.h"
#include "ruleset-print.h"

/* What tags panic's DROP rules, so that a restarted daemon recognises them. */
#define PANIC_COMMENT "nfwall panic"
/* Diagnostics kept per request: a file with thousands of errors still gives a bounded reply and log. */
#define DIAG_LIST_MAX 1000
/* A foreign commit is checked a little later, so a burst of them costs one dump. */
#define VERIFY_DELAY_USEC (200 * 1000ULL)
/* How stale the counters in status may be. */
#define SNAPSHOT_MAX_AGE_USEC (1000 * 1000ULL)
/* Generation events of a large commit of our own arrive all at once. */
#define EVENTS_RCVBUF (8 * 1024 * 1024)

static const char *const manager_state_table[_MANAGER_STATE_MAX] = {
        [MANAGER_RUNNING] = "running",
        [MANAGER_PANIC] = "panic",
        [MANAGER_STOPPED] = "stopped",
        [MANAGER_FAILED] = "failed",
};
DEFINE_STRING_TABLE_LOOKUP(manager_state, ManagerState);

static const char *const rules_source_table[_RULES_SOURCE_MAX] = {
        [RULES_SOURCE_NONE] = "none",
        [RULES_SOURCE_FILE] = "file",
        [RULES_SOURCE_FALLBACK] = "fallback",
        [RULES_SOURCE_KERNEL] = "adopted",
        [RULES_SOURCE_KEPT] = "kept",
};
DEFINE_STRING_TABLE_LOOKUP(rules_source, RulesSource);

static const char *const family_label[_FAMILY_MAX] = {
        [FAMILY_IPV4] = "IPv4",
        [FAMILY_IPV6] = "IPv6",
};

typedef struct FamilyState {
        RulesSource source;
        char *path;             /* FILE, FALLBACK: the file loaded */
        struct stat st;         /* that file as loaded, to tell whether it changed on disk since */
        bool has_stat;
        bool differs;           /* KERNEL, KEPT: what is in force is not what the rules file says */
        unsigned n_unsaved;     /* runtime edits since the rules were loaded or saved */
} FamilyState;

struct Manager {
        sd_event *event;
        char *config_path;
        Settings *settings;
        gid_t control_gid;
        Control *control;
        NftSocket *nft;                 /* commands and dumps */
        NftSocket *nft_events;          /* subscribed to generation events, nothing else */
        sd_event_source *events_source;
        sd_event_source *verify_source;
        bool verify_pending;

        /* RUNNING, STOPPED or FAILED; panic is on top of it. */
        ManagerState state;
        bool panic;
        Ruleset *rules;                 /* in force, panic's rules aside; NULL: none */
        Ruleset *panic_rules;           /* in panic: what the kernel holds */
        FamilyState family[_FAMILY_MAX];
        uint64_t loaded_usec;           /* CLOCK_REALTIME */
        const char *loaded_by;          /* the action that loaded them */
        char *problem;                  /* the last failure that left things as they were: one line */
        Ruleset *panic_template;        /* the panic rule, per family, in filter's INPUT */

        /*
         * Runtime edits (nfwallctl -A ...) build on these: per family,
         * whether every chain's and rule's handle in rules is the
         * kernel's, and the compile contexts that know our tables' sets.
         * Made by a commit of rules, or by one dump at the first edit
         * after anything else (adoption, panic).
         */
        NftCompileState compile;
        bool edit_ready[_FAMILY_MAX];

        /*
         * The kernel's tables as last read, for status: 200 clients asking
         * at once cost one dump, not 200. Reused while the generation is
         * the same and it is younger than SNAPSHOT_MAX_AGE_USEC (counters
         * move without a new generation).
         */
        Ruleset *snapshot;
        DiagList snapshot_diags;
        uint32_t snapshot_genid;
        uint64_t snapshot_usec;         /* CLOCK_MONOTONIC */
        uint64_t snapshot_serial;       /* counts readings */
        /* The snapshot's tables as status renders them, for the flags in tables_key. */
        StrBuf tables_text;
        uint64_t tables_serial;         /* 0: nothing rendered */
        unsigned tables_key;

        bool changed_outside;
        uint64_t changed_usec;
        uint32_t changed_genid;
        uint32_t changed_pid;           /* who, when nf_tables said (0: unknown) */
        char changed_comm[16];
        /*
         * Every nf_tables generation up to this one was a commit of ours,
         * or its events were read (a foreign one is checked). When a large
         * commit of ours overflows the events socket, this tells that
         * nothing else was lost, and no check is needed.
         */
        uint32_t accounted_genid;
        uint32_t last_foreign_genid;
        uint32_t last_foreign_pid;
        char last_foreign_comm[16];
};

static int manager_verify(Manager *m);
static void manager_notify_status(Manager *m, const char *extra);

/* ---- small helpers ---- */

/* "1 rule", "2 rules": what nfwallctl prints is read by people. */
static const char *plural_s(size_t n) {
        return n == 1 ? "" : "s";
}

static uint64_t now_usec(clockid_t clock) {
        struct timespec ts;

        clock_gettime(clock, &ts);
        return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

static void format_time(uint64_t usec, char *buf, size_t size) {
        time_t t = (time_t)(usec / 1000000ULL);
        struct tm tm;

        if (!localtime_r(&t, &tm) || strftime(buf, size, "%Y-%m-%d %H:%M:%S %Z", &tm) == 0)
                snprintf(buf, size, "@%llu", (unsigned long long)(usec / 1000000ULL));
}

static void format_time_utc(uint64_t usec, char *buf, size_t size) {
        time_t t = (time_t)(usec / 1000000ULL);
        struct tm tm;

        if (!gmtime_r(&t, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                snprintf(buf, size, "@%llu", (unsigned long long)(usec / 1000000ULL));
}

static int level_to_priority(DiagLevel level) {
        switch (level) {
        case DIAG_ERROR:
                return LOG_ERR;
        case DIAG_WARNING:
                return LOG_WARNING;
        case DIAG_NOTE:
        case _DIAG_LEVEL_MAX:
        case _DIAG_LEVEL_INVALID:
                break;
        }
        return LOG_INFO;
}

/* One diagnostic as a line of text, "FILE:LINE:COL: level: message", without the newline. */
static char *diag_to_string(const Diag *d) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f;

        f = open_memstream(&buf, &size);
        if (!f)
                return NULL;
        (void)diag_format(d, f);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        if (size > 0 && buf[size - 1] == '\n')
                buf[size - 1] = 0;
        return buf;
}

/* The one place diagnostics reach the log. */
static void log_diags(const DiagList *l) {
        for (size_t i = 0; i < l->n_items; i++) {
                _cleanup_free_ char *s = diag_to_string(&l->items[i]);

                log_full_errno(level_to_priority(l->items[i].level), 0, "%s", s ? s : l->items[i].message);
        }
        if (l->n_dropped > 0)
                log_warning("%zu further diagnostics not shown", l->n_dropped);
}

/* The first error of a list as one line, for status and STATUS=. */
static char *diags_first_error(const DiagList *l) {
        for (size_t i = 0; i < l->n_items; i++)
                if (l->items[i].level == DIAG_ERROR)
                        return diag_to_string(&l->items[i]);
        return NULL;
}

static void manager_set_problem(Manager *m, const DiagList *diags, const char *fallback) {
        char *s = diags ? diags_first_error(diags) : NULL;

        if (!s && fallback)
                s = strdup(fallback);
        free(m->problem);
        m->problem = s;
}

static void manager_clear_problem(Manager *m) {
        free(m->problem);
        m->problem = NULL;
}

/* ---- the model: copies, moves, comparisons ---- */

static void ruleset_zero_counters(Ruleset *rs) {
        for (Family f = 0; f < _FAMILY_MAX; f++)
                for (TableType t = 0; t < _TABLE_TYPE_MAX; t++) {
                        Table *table = rs->tables[f][t];

                        if (!table)
                                continue;
                        for (size_t i = 0; i < table->n_chains; i++) {
                                Chain *c = table->chains[i];

                                c->counters = (Counters){};
                                for (size_t k = 0; k < c->n_rules; k++)
                                        c->rules[k]->counters = (Counters){};
                        }
                }
}

static bool ruleset_has_tables(const Ruleset *rs, unsigned families) {
        if (!rs)
                return false;
        for (Family f = 0; f < _FAMILY_MAX; f++)
                for (TableType t = 0; t < _TABLE_TYPE_MAX; t++)
                        if ((families & FAMILY_BIT(f)) && rs->tables[f][t])
                                return true;
        return false;
}

static size_t ruleset_count_family(const Ruleset *rs, Family f) {
        size_t n = 0;

        if (!rs)
                return 0;
        for (TableType t = 0; t < _TABLE_TYPE_MAX; t++) {
                const Table *table = rs->tables[f][t];

                for (size_t i = 0; table && i < table->n_chains; i++)
                        n += table->chains[i]->n_rules;
        }
        return n;
}

static size_t ruleset_count_foreign(const Ruleset *rs) {
        size_t n = 0;

        if (!rs)
                return 0;
        for (Family f = 0; f < _FAMILY_MAX; f++)
                for (TableType t = 0; t < _TABLE_TYPE_MAX; t++) {
                        const Table *table = rs->tables[f][t];

                        for (size_t i = 0; table && i < table->n_chains; i++)
                                for (size_t k = 0; k < table->chains[i]->n_rules; k++)
                                        if (table->chains[i]->rules[k]->foreign)
                                                n++;
                }
        return n;
}

/* Moves one family's tables from src to dst (replacing dst's), with the file names they point to. */
static int ruleset_move_family(Ruleset *dst, Ruleset *src, Family f) {
        char **files;

        if (src->n_files > 0) {
                files = reallocarray(dst->files, dst->n_files + src->n_files, sizeof(char *));
                if (!files)
                        return -ENOMEM;
                dst->files = files;
                memcpy(dst->files + dst->n_files, src->files, src->n_files * sizeof(char *));
                dst->n_files += src->n_files;
                src->n_files = 0;
        }
        for (TableType t = 0; t < _TABLE_TYPE_MAX; t++) {
                table_free(dst->tables[f][t]);
                dst->tables[f][t] = TAKE_PTR(src->tables[f][t]);
        }
        return 0;
}

static int intern_loc(Ruleset *dst, const SourceLoc *src, SourceLoc *ret) {
        *ret = *src;
        if (src->file) {
                ret->file = ruleset_intern_file(dst, src->file);
                if (!ret->file)
                        return -ENOMEM;
        }
        return 0;
}

/*
 * A deep copy. Foreign rules (read back from the kernel, not written by
 * nfwall) cannot be compiled again: with skip_foreign they are left out,
 * each with a warning, for a copy that is to be committed.
 */
static int ruleset_copy(const Ruleset *src, bool skip_foreign, DiagList *diags, Ruleset **ret) {
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        int r;

        r = ruleset_new(&rs);
        if (r < 0)
                return r;
        if (!src) {
                *ret = TAKE_PTR(rs);
                return 0;
        }
        for (Family f = 0; f < _FAMILY_MAX; f++)
                for (TableType t = 0; t < _TABLE_TYPE_MAX; t++) {
                        const Table *st = src->tables[f][t];
                        SourceLoc loc;
                        Table *dt;

                        if (!st)
                                continue;
                        r = intern_loc(rs, &st->loc, &loc);
                        if (r < 0)
                                return r;
                        r = ruleset_ensure_table(rs, f, t, &loc, &dt);
                        if (r < 0)
                                return r;
                        for (size_t i = 0; i < st->n_chains; i++) {
                                const Chain *sc = st->chains[i];
                                Chain *dc;

                                r = intern_loc(rs, &sc->loc, &loc);
                                if (r < 0)
                                        return r;
                                if (sc->builtin) {
                                        dc = table_find_chain(dt, sc->name);
                                        if (!dc)
                                                return -EINVAL;
                                        dc->policy = sc->policy;
                                        dc->counters = sc->counters;
                                        dc->loc = loc;
                                } else {
                                        r = table_add_chain(dt, sc->name, &loc, &dc);
                                        if (r < 0)
                                                return r;
                                }
                                for (size_t k = 0; k < sc->n_rules; k++) {
                                        const Rule *sr = sc->rules[k];
                                        Rule *nr;

                                        if (sr->foreign && skip_foreign) {
                                                r = diag_list_add(diags, DIAG_WARNING, DIAG_KERNEL, NULL,
                                                                  "%s %s, chain %s, rule handle %llu: not written by nfwall, "
                                                                  "cannot be carried over; left out",
                                                                  family_label[f], nft_table_name(t), sc->name,
                                                                  (unsigned long long)sr->handle);
                                                if (r < 0)
                                                        return r;
                                                continue;
                                        }
                                        r = rule_dup(sr, &nr);
                                        if (r < 0)
                                                return r;
                                        r = intern_loc(rs, &sr->loc, &nr->loc);
                                        if (r >= 0)
                                                r = chain_insert_rule(dc, dc->n_rules, nr);
                                        if (r < 0) {
                                                rule_free(nr);
                                                return r;
                                        }
                                }
                        }
                }
        *ret = TAKE_PTR(rs);
        return 0;
}

/* A table that does nothing to a packet: built-in chains only, policy ACCEPT, no rules. */
static bool table_is_trivial(const Table *t) {
        if (!t)
                return true;
        for (size_t i = 0; i < t->n_chains; i++) {
                const Chain *c = t->chains[i];

                if (!c->builtin || c->policy != POLICY_ACCEPT || c->n_rules > 0)
                        return false;
        }
        return true;
}

static bool table_same(const Table *a, const Table *b) {
        if (table_is_trivial(a) && table_is_trivial(b))
                return true;
        if (!a || !b || a->n_chains != b->n_chains)
                return false;
        for (size_t i = 0; i < a->n_chains; i++) {
                const Chain *ca = a->chains[i], *cb = b->chains[i];

                if (!streq(ca->name, cb->name) || ca->builtin != cb->builtin || ca->n_rules != cb->n_rules)
                        return false;
                if (ca->builtin && ca->policy != cb->policy)
                        return false;
                for (size_t k = 0; k < ca->n_rules; k++)
                        if (!rule_equal(ca->rules[k], cb->rules[k]))
                                return false;
        }
        return true;
}

/* Same rules, chains and policies (counters, handles and source lines aside); NULL is the empty ruleset. */
static bool ruleset_same(const Ruleset *a, const Ruleset *b, unsigned families) {
        for (Family f = 0; f < _FAMILY_MAX; f++) {
                if (!(families & FAMILY_BIT(f)))
                        continue;
                for (TableType t = 0; t < _TABLE_TYPE_MAX; t++)
                        if (!table_same(a ? a->tables[f][t] : NULL, b ? b->tables[f][t] : NULL))
                                return false;
        }
        return true;
}

/* ---- panic ---- */

static int panic_template_new(Ruleset **ret) {
        static const char text[] = "*filter\n"
                                   "-A INPUT -m comment --comment \"" PANIC_COMMENT "\" -j DROP\n"
                                   "COMMIT\n";
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        DiagList diags = DIAG_LIST_INIT;
        int r;

        r = ruleset_new(&rs);
        for (Family f = 0; r >= 0 && f < _FAMILY_MAX; f++) {
                _cleanup_(ruleset_freep) Ruleset *one = NULL;

                r = ruleset_parse_string(text, sizeof(text) - 1, "<panic>", f, &diags, &one);
                if (r >= 0)
                        r = ruleset_move_family(rs, one, f);
        }
        diag_list_deinit(&diags);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(rs);
        return 0;
}

static const Rule *panic_rule(const Manager *m, Family f) {
        const Chain *c = table_find_chain(m->panic_template->tables[f][TABLE_FILTER], "INPUT");

        return c->rules[0];
}

/* The rules with a DROP in front of everything: at the top of every base chain of filter. */
static int panic_build(Manager *m, const Ruleset *base, DiagList *diags, Ruleset **ret) {
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        int r;

        r = ruleset_copy(base, true, diags, &rs);
        if (r < 0)
                return r;
        for (Family f = 0; f < _FAMILY_MAX; f++) {
                Table *t;

                r = ruleset_ensure_table(rs, f, TABLE_FILTER, NULL, &t);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < t->n_chains; i++) {
                        Rule *drop;

                        if (!t->chains[i]->builtin)
                                continue;
                        r = rule_dup(panic_rule(m, f), &drop);
                        if (r < 0)
                                return r;
                        drop->loc = SOURCE_LOC_NULL;
                        r = chain_insert_rule(t->chains[i], 0, drop);
                        if (r < 0) {
                                rule_free(drop);
                                return r;
                        }
                }
        }
        *ret = TAKE_PTR(rs);
        return 0;
}

/*
 * Takes panic's rules out of a ruleset read back from the kernel. A filter
 * table that only panic made (nothing left in it, and none in reference)
 * goes too. Returns whether there were any.
 */
static bool panic_strip(const Manager *m, Ruleset *rs, const Ruleset *reference) {
        bool found = false;

        for (Family f = 0; f < _FAMILY_MAX; f++) {
                Table *t = rs->tables[f][TABLE_FILTER];
                bool here = false;

                if (!t)
                        continue;
                for (size_t i = 0; i < t->n_chains; i++) {
                        Chain *c = t->chains[i];

                        if (c->builtin && c->n_rules > 0 && !c->rules[0]->foreign &&
                            rule_equal(c->rules[0], panic_rule(m, f))) {
                                rule_free(chain_take_rule(c, 0));
                                here = true;
                        }
                }
                if (here && table_is_trivial(t) && !(reference && reference->tables[f][TABLE_FILTER]))
                        ruleset_remove_table(rs, f, TABLE_FILTER);
                found = found || here;
        }
        return found;
}

/* ---- the kernel ---- */

/* What a reading of our tables also hands each table's dump to (before it is freed). */
typedef int (*DumpFn)(Manager *m, Family f, TableType t, const NftTableDump *dump, void *userdata);

/* Our tables of the families, as the kernel holds them, with counters; each dump to on_dump too. */
static int manager_read_kernel_full(Manager *m, unsigned families, DiagList *diags, DumpFn on_dump, void *userdata,
                                    Ruleset **ret) {
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        int r;

        r = ruleset_new(&rs);
        if (r < 0)
                return r;
        for (Family f = 0; f < _FAMILY_MAX; f++) {
                _cleanup_(nft_table_names_freep) char **names = NULL;

                if (!(families & FAMILY_BIT(f)))
                        continue;
                r = nft_socket_list_tables(m->nft, nft_family(f), NFT_TABLE_PREFIX, &names);
                if (r < 0) {
                        (void)diag_list_add(diags, DIAG_ERROR, DIAG_KERNEL, NULL, "cannot list the %s tables: %s",
                                            family_label[f], strerror(-r));
                        return r;
                }
                for (char **n = names; n && *n; n++) {
                        NftTableDump dump = {};

                        if ((int)nft_table_from_name(*n) < 0) {
                                r = diag_list_add(diags, DIAG_WARNING, DIAG_KERNEL, NULL,
                                                  "%s table %s has nfwall's prefix but is none of nfwall's tables, ignored",
                                                  family_label[f], *n);
                                if (r < 0)
                                        return r;
                                continue;
                        }
                        r = nft_socket_dump_table(m->nft, nft_family(f), *n, &dump);
                        if (r == -ENOENT) {
                                /* gone since the listing */
                                nft_table_dump_deinit(&dump);
                                continue;
                        }
                        if (r >= 0)
                                r = nft_decompile_table(&dump, rs, diags);
                        if (r >= 0 && on_dump)
                                r = on_dump(m, f, nft_table_from_name(*n), &dump, userdata);
                        nft_table_dump_deinit(&dump);
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0) {
                                (void)diag_list_add(diags, DIAG_ERROR, DIAG_KERNEL, NULL,
                                                    "%s table %s cannot be read back: %s", family_label[f], *n,
                                                    r == -EBADMSG ? "its chains are not what nfwall makes"
                                                                  : strerror(-r));
                                return r;
                        }
                }
        }
        *ret = TAKE_PTR(rs);
        return 0;
}

/* Which of our tables the kernel holds now, in the families. */
static int manager_present_tables(Manager *m, unsigned families, NftPresentTables *ret) {
        for (Family f = 0; f < _FAMILY_MAX; f++) {
                _cleanup_(nft_table_names_freep) char **names = NULL;
                int r;

                if (!(families & FAMILY_BIT(f)))
                        continue;
                r = nft_socket_list_tables(m->nft, nft_family(f), NFT_TABLE_PREFIX, &names);
                if (r < 0)
                        return r;
                nft_present_tables_add(ret, f, names);
        }
        return 0;
}

static int manager_read_kernel(Manager *m, unsigned families, DiagList *diags, Ruleset **ret) {
        return manager_read_kernel_full(m, families, diags, NULL, NULL, ret);
}

/*
 * What the kernel holds, read again unless the last reading is of the
 * same generation and at most max_age_usec old. The ruleset is borrowed:
 * it lives until the next call.
 */
static int manager_snapshot(Manager *m, uint64_t max_age_usec, DiagList *diags, const Ruleset **ret) {
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        DiagList read_diags = DIAG_LIST_INIT;
        uint32_t genid = 0;
        bool have_genid;
        int r;

        have_genid = nft_socket_get_genid(m->nft, &genid) >= 0;
        if (have_genid && m->snapshot && m->snapshot_genid == genid &&
            now_usec(CLOCK_MONOTONIC) - m->snapshot_usec <= max_age_usec) {
                if (diag_list_append(diags, &m->snapshot_diags) < 0)
                        return -ENOMEM;
                *ret = m->snapshot;
                return 0;
        }

        read_diags.max_items = DIAG_LIST_MAX;
        r = manager_read_kernel(m, FAMILY_ANY, &read_diags, &rs);
        if (diag_list_append(diags, &read_diags) < 0)
                r = -ENOMEM;
        if (r < 0) {
                diag_list_deinit(&read_diags);
                return r;
        }
        ruleset_free(m->snapshot);
        diag_list_deinit(&m->snapshot_diags);
        m->snapshot = TAKE_PTR(rs);
        m->snapshot_diags = read_diags;
        m->snapshot_serial++;
        /* A commit between the genid and the dump only makes the next call read again. */
        m->snapshot_genid = have_genid ? genid : 0;
        m->snapshot_usec = have_genid ? now_usec(CLOCK_MONOTONIC) : 0;
        *ret = m->snapshot;
        return 0;
}

/* After a commit of ours: its generation is accounted for if nothing else committed since the last one that was. */
static void manager_account_own_commit(Manager *m) {
        uint32_t genid;

        if (nft_socket_get_genid(m->nft, &genid) >= 0 && genid == m->accounted_genid + 1)
                m->accounted_genid = genid;
}

/* Edits of the families must read the kernel again first: what they built on is gone. */
static void manager_drop_edit_state(Manager *m, unsigned families) {
        nft_compile_state_drop(&m->compile, families);
        for (Family f = 0; f < _FAMILY_MAX; f++)
                if (families & FAMILY_BIT(f))
                        m->edit_ready[f] = false;
}

/*
 * One transaction: our tables of the families become what rs says.
 * On failure nothing changed (the kernel applies all of it or nothing),
 * and diags say why, at the rules' file:line. On success, handles_to
 * (rs, or the ruleset of its shape that becomes m->rules; NULL when
 * the kernel holds something else, as in panic) gets the kernel's
 * handles, and edits build on this commit.
 */
static int manager_commit(Manager *m, const Ruleset *rs, unsigned families, Ruleset *handles_to, DiagList *diags) {
        _cleanup_(ruleset_freep) Ruleset *empty = NULL;
        NftCompileState made = {};
        NftBatch batch = NFT_BATCH_INIT;
        int r;

        if (!rs) {
                r = ruleset_new(&empty);
                if (r < 0)
                        return r;
                rs = empty;
        }
        /*
         * First only our tables the kernel holds are replaced, read at the
         * generation the commit names; if another commit came between
         * (-ERESTART: nothing applied), every table type, blind.
         */
        for (unsigned attempt = 0;; attempt++) {
                _cleanup_(diag_list_deinit) DiagList attempt_diags = { .max_items = diags->max_items };
                NftPresentTables present = {};
                uint32_t genid = 0;
                bool known = attempt == 0 && nft_socket_get_genid(m->nft, &genid) >= 0 &&
                             manager_present_tables(m, families, &present) >= 0;

                r = nft_compile_ruleset_keep(rs, families, known ? &present : NULL, &batch, &attempt_diags,
                                             handles_to ? &made : NULL);
                if (r >= 0)
                        r = nft_socket_commit(m->nft, &batch, known ? NFT_COMMIT_GENID : 0, genid, &attempt_diags,
                                              NULL);
                if (r == -ERESTART && attempt == 0) {
                        log_debug("the ruleset changed while the load was built; building it again");
                        nft_compile_state_drop(&made, FAMILY_ANY);
                        nft_batch_deinit(&batch);
                        batch = NFT_BATCH_INIT;
                        continue;
                }
                if (diag_list_append(diags, &attempt_diags) < 0 && r >= 0)
                        r = -ENOMEM;
                break;
        }

        if (r == -ENOBUFS) {
                /* Replies were lost: whether it was committed is for the kernel to say. */
                _cleanup_(ruleset_freep) Ruleset *now = NULL;
                DiagList ignored = DIAG_LIST_INIT;

                if (manager_read_kernel(m, families, &ignored, &now) >= 0 && ruleset_same(now, rs, families))
                        r = 0;
                diag_list_deinit(&ignored);
                if (r < 0)
                        (void)diag_list_add(diags, DIAG_ERROR, DIAG_KERNEL, NULL,
                                            "the kernel's answers were lost and the transaction did not take effect");
        } else if (r < 0 && !diag_list_has_errors(diags))
                (void)diag_list_add(diags, DIAG_ERROR, DIAG_KERNEL, NULL, "the transaction failed: %s", strerror(-r));

        if (r >= 0) {
                manager_account_own_commit(m);
                manager_drop_edit_state(m, families);
                if (handles_to) {
                        /* the tables were made anew: the handles the compiler predicted are the kernel's */
                        nft_compile_assign_handles(handles_to, families, &batch);
                        for (Family f = 0; f < _FAMILY_MAX; f++) {
                                if (!(families & FAMILY_BIT(f)))
                                        continue;
                                for (TableType t = 0; t < _TABLE_TYPE_MAX; t++)
                                        m->compile.tables[f][t] = TAKE_PTR(made.tables[f][t]);
                                m->edit_ready[f] = true;
                        }
                }
        }
        nft_compile_state_drop(&made, FAMILY_ANY);
        nft_batch_deinit(&batch);
        return r;
}

/* Compile and have the kernel validate, then abort: `nft -c`. */
static int manager_kernel_check(Manager *m, const Ruleset *rs, unsigned families, DiagList *diags) {
        NftBatch batch = NFT_BATCH_INIT;
        int r;

        r = nft_compile_ruleset(rs, families, &batch, diags);
        if (r >= 0)
                r = nft_socket_commit(m->nft, &batch, NFT_COMMIT_CHECK, 0, diags, NULL);
        nft_batch_deinit(&batch);
        return r;
}

/* ---- settings and rules files ---- */

static int manager_read_settings(Manager *m, DiagList *diags, Settings **ret_settings, gid_t *ret_gid) {
        _cleanup_(settings_freep) Settings *s = NULL;
        gid_t gid = (gid_t)-1;
        int r;

        r = settings_load(m->config_path, &s, diags);
        if (r < 0)
                return r;
        if (!streq(s->control_group, "")) {
                SourceLoc loc = settings_source(s, SETTING_CONTROL_GROUP);

                r = control_group_lookup(s->control_group, &gid);
                if (r < 0) {
                        (void)diag_list_add(diags, DIAG_ERROR, DIAG_SEMANTIC, &loc, "control_group: %s \"%s\"",
                                            r == -ENOENT ? "no such group" : strerror(-r), s->control_group);
                        return r == -ENOMEM ? r : -EINVAL;
                }
        }
        *ret_settings = TAKE_PTR(s);
        *ret_gid = gid;
        return 0;
}

static void manager_apply_settings(Manager *m, Settings *s, gid_t gid) {
        if (m->control && !control_is_socket_activated(m->control) && m->settings &&
            !streq(m->settings->control_socket, s->control_socket))
                log_warning("control_socket changed to %s: it takes effect when nfwalld is started again, "
                            "until then nfwalld answers on %s",
                            s->control_socket, m->settings->control_socket);
        if (m->control && gid != m->control_gid) {
                int r = control_set_group(m->control, gid);
                if (r < 0)
                        log_warning_errno(r, "Failed to give the control socket to group %s, ignoring: %m",
                                          s->control_group);
        }
        m->control_gid = gid;
        if (m->settings && m->control && !control_is_socket_activated(m->control)) {
                /* the path stays what was bound: keep the old value visible until a restart */
                char *bound = TAKE_PTR(m->settings->control_socket);
                free(s->control_socket);
                s->control_socket = bound;
        }
        settings_free(m->settings);
        m->settings = s;
}

static const char *rules_path(const Settings *s, Family f) {
        return f == FAMILY_IPV6 ? s->rules_v6 : s->rules_v4;
}

static const char *fallback_path(const Settings *s, Family f) {
        return f == FAMILY_IPV6 ? s->fallback_rules_v6 : s->fallback_rules_v4;
}

/* One family's rules file, parsed and checked; counters only when the settings keep them. */
static int parse_rules(const char *path, Family f, bool counters, DiagList *diags, Ruleset **ret) {
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        int r;

        r = ruleset_parse_file(path, f, diags, &rs);
        if (r < 0)
                return r;
        /* iptables-restore without -c ignores [p:b]: RHEL passes -c only with IPTABLES_SAVE_COUNTER. */
        if (!counters)
                ruleset_zero_counters(rs);
        *ret = TAKE_PTR(rs);
        return 0;
}

static void family_state_done(FamilyState *fs) {
        free(fs->path);
        *fs = (FamilyState){};
}

static int family_state_set(FamilyState *fs, RulesSource source, const char *path, bool differs) {
        FamilyState n = { .source = source, .differs = differs };

        if (path) {
                n.path = strdup(path);
                if (!n.path)
                        return -ENOMEM;
                n.has_stat = stat(path, &n.st) >= 0;
        }
        family_state_done(fs);
        *fs = n;
        return 0;
}

/* Whether the file the family's rules came from is no longer what was loaded. */
static bool family_file_changed(const FamilyState *fs) {
        struct stat st;

        if (!fs->path || !fs->has_stat)
                return false;
        if (stat(fs->path, &st) < 0)
                return true;
        return st.st_ino != fs->st.st_ino || st.st_dev != fs->st.st_dev || st.st_size != fs->st.st_size ||
               st.st_mtim.tv_sec != fs->st.st_mtim.tv_sec || st.st_mtim.tv_nsec != fs->st.st_mtim.tv_nsec;
}

/* ---- sd_notify ---- */

static void manager_notify_status(Manager *m, const char *extra) {
        char line[512];
        size_t n = m->rules ? ruleset_count_rules(m->rules) : 0;

        if (m->panic)
                snprintf(line, sizeof(line), "Panic: dropping all traffic (%zu rules kept underneath)", n);
        else
                switch (m->state) {
                case MANAGER_RUNNING:
                        if (m->problem)
                                snprintf(line, sizeof(line), "Running, %zu rules; last action failed: %s", n,
                                         m->problem);
                        else if (m->changed_outside)
                                snprintf(line, sizeof(line), "Running, %zu rules; nfwall's tables were changed outside nfwall",
                                         n);
                        else if (m->family[FAMILY_IPV4].source == RULES_SOURCE_KERNEL ||
                                 m->family[FAMILY_IPV6].source == RULES_SOURCE_KERNEL)
                                snprintf(line, sizeof(line), "Running, %zu rules adopted from the kernel%s", n,
                                         m->family[FAMILY_IPV4].differs || m->family[FAMILY_IPV6].differs
                                                 ? " (they differ from the rules files)"
                                                 : "");
                        else if (m->family[FAMILY_IPV4].n_unsaved + m->family[FAMILY_IPV6].n_unsaved > 0)
                                snprintf(line, sizeof(line), "Running, %zu rules, %u unsaved changes", n,
                                         m->family[FAMILY_IPV4].n_unsaved + m->family[FAMILY_IPV6].n_unsaved);
                        else
                                snprintf(line, sizeof(line), "Running, %zu rules", n);
                        break;
                case MANAGER_STOPPED:
                        snprintf(line, sizeof(line), "Stopped: no firewall of nfwall's");
                        break;
                case MANAGER_FAILED:
                        snprintf(line, sizeof(line), "Failed, NO FIREWALL: %s", m->problem ? m->problem : "see the log");
                        break;
                case MANAGER_PANIC:
                case _MANAGER_STATE_MAX:
                case _MANAGER_STATE_INVALID:
                        snprintf(line, sizeof(line), "?");
                        break;
                }
        /* STATUS= is one line */
        for (char *p = line; *p; p++)
                if (*p == '\n')
                        *p = ' ';
        (void)sd_notifyf(false, "%s%sSTATUS=%s", strempty(extra), extra ? "\n" : "", line);
}

/* ---- start ---- */

/*
 * Loads the rules files into the kernel, replacing whatever our tables
 * hold, as start does. For each family the rules file is used; if it has
 * errors, the fallback file the settings name (with use_fallback); else
 * what our tables of that family hold stays, and the family is reported
 * (with no tables at all that means no firewall, and the log and STATUS=
 * say so). If the kernel refuses the transaction, the fallbacks are tried
 * in one more.
 */
static ProtoExit manager_load(Manager *m, const char *action, bool use_fallback, StrBuf *text, DiagList *diags) {
        _cleanup_(settings_freep) Settings *s = NULL;
        _cleanup_(ruleset_freep) Ruleset *next = NULL;
        FamilyState fs[_FAMILY_MAX] = {};
        SourceLoc modules_loc;
        unsigned replace = 0, committed = 0;
        bool errors = false, not_configured = false;
        ProtoExit ret = PROTO_EXIT_OK;
        gid_t gid;
        int r;

        r = manager_read_settings(m, diags, &s, &gid);
        if (r < 0) {
                log_error("%s: the settings file %s has errors; nothing was changed:", action, m->config_path);
                log_diags(diags);
                manager_set_problem(m, diags, "the settings file has errors");
                manager_notify_status(m, NULL);
                return r == -ENOENT ? PROTO_EXIT_NOT_CONFIGURED : PROTO_EXIT_FAILURE;
        }
        manager_apply_settings(m, TAKE_PTR(s), gid);

        /* DESIGN.md: modules, then rules; a module that fails does not keep the rules out. */
        modules_loc = settings_source(m->settings, SETTING_MODULES);
        r = modules_load(m->settings->modules, &modules_loc, diags);
        if (r < 0)
                ret = PROTO_EXIT_FAILURE;

        r = ruleset_new(&next);
        if (r < 0)
                return PROTO_EXIT_FAILURE;

        for (int attempt = 0; attempt < 2; attempt++) {
                bool retry = false;

                replace = 0;
                for (Family f = 0; f < _FAMILY_MAX; f++) {
                        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
                        const char *path = rules_path(m->settings, f), *fallback = fallback_path(m->settings, f);

                        if (attempt == 0 || fs[f].source == RULES_SOURCE_FILE) {
                                if (attempt == 0) {
                                        r = parse_rules(path, f, m->settings->save_counter, diags, &rs);
                                        if (r >= 0) {
                                                r = ruleset_move_family(next, rs, f);
                                                if (r < 0)
                                                        return PROTO_EXIT_FAILURE;
                                                (void)family_state_set(&fs[f], RULES_SOURCE_FILE, path, false);
                                                replace |= FAMILY_BIT(f);
                                                continue;
                                        }
                                        if (r == -ENOMEM)
                                                return PROTO_EXIT_FAILURE;
                                        errors = true;
                                        if (r == -ENOENT)
                                                not_configured = true;
                                }
                                if (use_fallback && fallback) {
                                        rs = ruleset_free(rs);
                                        r = parse_rules(fallback, f, m->settings->save_counter, diags, &rs);
                                        if (r >= 0) {
                                                r = ruleset_move_family(next, rs, f);
                                                if (r < 0)
                                                        return PROTO_EXIT_FAILURE;
                                                (void)family_state_set(&fs[f], RULES_SOURCE_FALLBACK, fallback,
                                                                       true);
                                                replace |= FAMILY_BIT(f);
                                                continue;
                                        }
                                        if (r == -ENOMEM)
                                                return PROTO_EXIT_FAILURE;
                                }
                                /* Keep what our tables of this family hold, whatever that is. */
                                rs = ruleset_free(rs);
                                r = manager_read_kernel(m, FAMILY_BIT(f), diags, &rs);
                                if (r >= 0)
                                        r = ruleset_move_family(next, rs, f);
                                else
                                        for (TableType t = 0; t < _TABLE_TYPE_MAX; t++)
                                                ruleset_remove_table(next, f, t);
                                (void)family_state_set(&fs[f], RULES_SOURCE_KEPT, NULL, true);
                        } else if (fs[f].source == RULES_SOURCE_FALLBACK || fs[f].source == RULES_SOURCE_KEPT)
                                replace |= fs[f].source == RULES_SOURCE_FALLBACK ? FAMILY_BIT(f) : 0;
                }

                if (replace == 0)
                        break;
                r = manager_commit(m, next, replace, next, diags);
                if (r >= 0) {
                        committed = replace;
                        break;
                }
                errors = true;
                /* The kernel refused the files: one more transaction with the fallbacks, if any. */
                for (Family f = 0; attempt == 0 && use_fallback && f < _FAMILY_MAX; f++)
                        if (fs[f].source == RULES_SOURCE_FILE && fallback_path(m->settings, f))
                                retry = true;
                if (!retry) {
                        /* Nothing changed in the kernel: our model is what it holds. */
                        _cleanup_(ruleset_freep) Ruleset *now = NULL;

                        for (Family f = 0; f < _FAMILY_MAX; f++)
                                (void)family_state_set(&fs[f], RULES_SOURCE_KEPT, NULL, true);
                        if (manager_read_kernel(m, FAMILY_ANY, diags, &now) >= 0) {
                                ruleset_free(next);
                                next = TAKE_PTR(now);
                        }
                        replace = 0;
                        break;
                }
                for (Family f = 0; f < _FAMILY_MAX; f++)
                        if (fs[f].source == RULES_SOURCE_FILE && !fallback_path(m->settings, f)) {
                                /* no fallback for this one: keep what it holds, read again below */
                                _cleanup_(ruleset_freep) Ruleset *kept = NULL;

                                if (manager_read_kernel(m, FAMILY_BIT(f), diags, &kept) >= 0)
                                        (void)ruleset_move_family(next, kept, f);
                                (void)family_state_set(&fs[f], RULES_SOURCE_KEPT, NULL, true);
                        }
        }

        /* The kernel holds next now; edits of what this load did not commit read the kernel first. */
        ruleset_free(m->rules);
        m->rules = TAKE_PTR(next);
        manager_drop_edit_state(m, FAMILY_ANY & ~committed);
        m->panic_rules = ruleset_free(m->panic_rules);
        m->panic = false;
        for (Family f = 0; f < _FAMILY_MAX; f++) {
                family_state_done(&m->family[f]);
                m->family[f] = fs[f];
                fs[f] = (FamilyState){};
        }
        m->loaded_usec = now_usec(CLOCK_REALTIME);
        m->loaded_by = action;
        m->changed_outside = false;

        if (errors) {
                bool uncovered = false;

                manager_set_problem(m, diags, "the rules files have errors");
                m->state = ruleset_has_tables(m->rules, FAMILY_ANY) ? MANAGER_RUNNING : MANAGER_FAILED;
                /* As RHEL's start: a fallback that loaded makes the start a success (with the errors shown). */
                for (Family f = 0; f < _FAMILY_MAX; f++)
                        if (m->family[f].source == RULES_SOURCE_KEPT)
                                uncovered = true;
                if (uncovered)
                        ret = not_configured ? PROTO_EXIT_NOT_CONFIGURED : PROTO_EXIT_FAILURE;
        } else {
                manager_clear_problem(m);
                m->state = MANAGER_RUNNING;
        }

        log_diags(diags);
        for (Family f = 0; f < _FAMILY_MAX; f++) {
                const FamilyState *st = &m->family[f];
                size_t n = ruleset_count_family(m->rules, f);

                switch (st->source) {
                case RULES_SOURCE_FILE:
                        log_info("%s: %s: %zu rules from %s", action, family_label[f], n, st->path);
                        strbuf_printf(text, "%s: %zu rule%s from %s\n", family_label[f], n, plural_s(n), st->path);
                        break;
                case RULES_SOURCE_FALLBACK:
                        log_warning("%s: %s: %zu rules from the fallback %s, because %s has errors", action,
                                    family_label[f], n, st->path, rules_path(m->settings, f));
                        strbuf_printf(text, "%s: %zu rule%s from the fallback %s\n", family_label[f], n, plural_s(n), st->path);
                        break;
                case RULES_SOURCE_KEPT:
                        if (ruleset_has_tables(m->rules, FAMILY_BIT(f))) {
                                log_warning("%s: %s: %s has errors; nothing of it was applied, the %zu rules our tables held are kept",
                                            action, family_label[f], rules_path(m->settings, f), n);
                                strbuf_printf(text, "%s: rules not loaded; the %zu rules in force are kept\n",
                                              family_label[f], n);
                        } else {
                                log_warning("%s: %s: %s has errors and nfwall's tables are empty: NO %s FIREWALL",
                                            action, family_label[f], rules_path(m->settings, f), family_label[f]);
                                strbuf_printf(text, "%s: rules not loaded: NO %s FIREWALL\n", family_label[f],
                                              family_label[f]);
                        }
                        break;
                case RULES_SOURCE_NONE:
                case RULES_SOURCE_KERNEL:
                case _RULES_SOURCE_MAX:
                case _RULES_SOURCE_INVALID:
                        break;
                }
        }
        manager_notify_status(m, NULL);
        return ret;
}

/* ---- adoption ---- */

/*
 * Our tables are in the kernel (nfwalld was restarted, or crashed): they
 * stay in force untouched, and become our model. Whether they are what
 * the rules files say is found out and reported, never acted on.
 */
static int manager_adopt(Manager *m, Ruleset *kernel, DiagList *diags) {
        _cleanup_(ruleset_freep) Ruleset *rules = kernel, *panic_rules = NULL;
        SourceLoc modules_loc;
        size_t n_foreign;
        int r;

        /* In panic, the kernel's ruleset is what to compare with later; the rules are what is under it. */
        r = ruleset_copy(rules, false, diags, &panic_rules);
        if (r < 0)
                return r;
        m->panic = panic_strip(m, rules, NULL);
        m->rules = TAKE_PTR(rules);
        manager_drop_edit_state(m, FAMILY_ANY);
        m->panic_rules = m->panic ? TAKE_PTR(panic_rules) : NULL;
        m->state = MANAGER_RUNNING;
        m->loaded_usec = now_usec(CLOCK_REALTIME);
        m->loaded_by = "adoption";

        for (Family f = 0; f < _FAMILY_MAX; f++) {
                _cleanup_(ruleset_freep) Ruleset *file = NULL;
                DiagList file_diags = DIAG_LIST_INIT;
                const char *path = rules_path(m->settings, f);
                bool differs;

                r = parse_rules(path, f, false, &file_diags, &file);
                differs = r < 0 || !ruleset_same(m->rules, file, FAMILY_BIT(f));
                /* a broken rules file at start is reported error by error, with file:line */
                if (r < 0)
                        log_diags(&file_diags);
                diag_list_deinit(&file_diags);
                (void)family_state_set(&m->family[f], RULES_SOURCE_KERNEL, NULL, differs);
                if (r < 0)
                        log_warning("%s: %s has errors; the rules in force are kept", family_label[f], path);
                else if (differs)
                        log_warning("%s: the rules in force differ from %s; kept (reload applies the file, save writes the rules in force to it)",
                                    family_label[f], path);
        }

        n_foreign = ruleset_count_foreign(m->rules);
        if (n_foreign > 0) {
                m->changed_outside = true;
                m->changed_usec = now_usec(CLOCK_REALTIME);
                log_warning("nfwall's tables hold %zu rules nfwall did not write (changed while nfwalld was not running)",
                            n_foreign);
        }

        modules_loc = settings_source(m->settings, SETTING_MODULES);
        (void)modules_load(m->settings->modules, &modules_loc, diags);
        log_diags(diags);

        log_info("Adopted nfwall's tables from the kernel: IPv4 %zu rules, IPv6 %zu rules%s; they stay in force",
                 ruleset_count_family(m->rules, FAMILY_IPV4), ruleset_count_family(m->rules, FAMILY_IPV6),
                 m->panic ? ", in PANIC (all traffic dropped)" : "");
        return 0;
}

/* ---- the generation events ---- */

static int on_verify_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        (void)manager_verify(m);
        return 0;
}

static void manager_schedule_verify(Manager *m) {
        int r;

        if (m->verify_pending)
                return;
        m->verify_pending = true;
        r = sd_event_source_set_time_relative(m->verify_source, VERIFY_DELAY_USEC);
        if (r >= 0)
                r = sd_event_source_set_enabled(m->verify_source, SD_EVENT_ONESHOT);
        if (r < 0) {
                log_warning_errno(r, "Failed to schedule a check of nfwall's tables, checking now: %m");
                (void)manager_verify(m);
        }
}

static int on_nft_events(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;
        uint32_t genid = 0;
        bool foreign = false;
        int r;

        r = nft_socket_read_generations(m->nft_events, &genid, &foreign);
        if (r == -ENOBUFS) {
                uint32_t now = 0;
                bool known = nft_socket_get_genid(m->nft, &now) >= 0;

                /* A large commit of ours overflows the socket: then nothing else was lost. */
                if (!foreign && known && now == m->accounted_genid) {
                        log_debug("nf_tables events lost, all of them of nfwall's own commits (generation %u)", now);
                        return 0;
                }
                log_debug("nf_tables events lost, checking nfwall's tables");
                if (foreign) {
                        m->last_foreign_genid = genid;
                        nft_socket_get_foreign_origin(m->nft_events, &m->last_foreign_genid, &m->last_foreign_pid,
                                                      m->last_foreign_comm);
                }
                if (known)
                        m->accounted_genid = now;
                manager_schedule_verify(m);
                return 0;
        }
        if (r > 0)
                m->accounted_genid = genid;
        if (r < 0) {
                log_warning_errno(r, "Failed to read nf_tables events, ignoring: %m");
                return 0;
        }
        if (r > 0 && foreign) {
                /*
                 * Another process committed: maybe to its own tables (Docker,
                 * libvirt do all the time), maybe to ours. The dump tells.
                 */
                m->last_foreign_genid = genid;
                nft_socket_get_foreign_origin(m->nft_events, &m->last_foreign_genid, &m->last_foreign_pid,
                                              m->last_foreign_comm);
                manager_schedule_verify(m);
        }
        return 0;
}

/*
 * Compares what the kernel holds with what we committed. The first
 * difference is logged, with the rules that differ, and reported in
 * status until a commit of ours (or someone undoing the change) ends it.
 */
static int manager_verify(Manager *m) {
        const Ruleset *kernel = NULL;
        DiagList diags = DIAG_LIST_INIT;
        const Ruleset *expected = m->panic ? m->panic_rules : m->rules;
        bool same;
        int r;

        m->verify_pending = false;
        (void)sd_event_source_set_enabled(m->verify_source, SD_EVENT_OFF);

        diags.max_items = DIAG_LIST_MAX;
        r = manager_snapshot(m, 0, &diags, &kernel);
        same = r >= 0 && ruleset_same(kernel, expected, FAMILY_ANY);
        if (!same && !m->changed_outside) {
                m->changed_outside = true;
                m->changed_usec = now_usec(CLOCK_REALTIME);
                m->changed_genid = m->last_foreign_genid;
                m->changed_pid = m->last_foreign_pid;
                memcpy(m->changed_comm, m->last_foreign_comm, sizeof(m->changed_comm));
                if (m->changed_pid > 0)
                        log_warning("nfwall's tables were changed by pid %u (%s), nf_tables generation %u; "
                                    "left as they are: status shows them, reload or restart loads the rules files again",
                                    m->changed_pid, m->changed_comm, m->changed_genid);
                else
                        log_warning("nfwall's tables were changed by another process (nf_tables generation %u); "
                                    "left as they are: status shows them, reload or restart loads the rules files again",
                                    m->changed_genid);
                log_diags(&diags);
                manager_notify_status(m, NULL);
        } else if (same && m->changed_outside) {
                m->changed_outside = false;
                log_info("nfwall's tables are again what nfwall loaded");
                manager_notify_status(m, NULL);
        }
        diag_list_deinit(&diags);
        return 0;
}

/* ---- lifecycle ---- */

/**
 * manager_new() - read the settings, open the nf_tables sockets
 * @event: the loop
 * @config_path: the settings file
 * @ret: the manager
 *
 * Changes nothing: no rules, no socket file.
 *
 * Return: 0; -EINVAL (or -ENOENT...) when the settings cannot be used,
 * another negative errno when netlink cannot be; both logged.
 */
int manager_new(sd_event *event, const char *config_path, Manager **ret) {
        _cleanup_(manager_freep) Manager *m = NULL;
        DiagList diags = DIAG_LIST_INIT;
        Settings *s = NULL;
        gid_t gid;
        int r;

        m = calloc(1, sizeof(*m));
        if (!m)
                return log_error_errno(-ENOMEM, "Out of memory");
        m->event = sd_event_ref(event);
        m->state = MANAGER_STOPPED;
        m->control_gid = (gid_t)-1;
        m->config_path = strdup(config_path);
        if (!m->config_path)
                return log_error_errno(-ENOMEM, "Out of memory");

        diags.max_items = DIAG_LIST_MAX;
        r = manager_read_settings(m, &diags, &s, &gid);
        if (r < 0) {
                log_error("The settings file %s cannot be used:", config_path);
                log_diags(&diags);
                diag_list_deinit(&diags);
                return r;
        }
        diag_list_deinit(&diags);
        manager_apply_settings(m, s, gid);

        r = panic_template_new(&m->panic_template);
        if (r < 0)
                return log_error_errno(r, "Failed to prepare the panic rules: %m");

        r = nft_socket_open(&m->nft);
        if (r < 0)
                return log_error_errno(r, "Failed to open an nf_tables netlink socket: %m");
        r = nft_socket_open(&m->nft_events);
        if (r >= 0)
                r = nft_socket_subscribe(m->nft_events, EVENTS_RCVBUF);
        if (r < 0)
                return log_error_errno(r, "Failed to subscribe to nf_tables events: %m");
        /* from here on, every generation's events are read */
        (void)nft_socket_get_genid(m->nft, &m->accounted_genid);
        r = sd_event_add_io(event, &m->events_source, nft_socket_get_fd(m->nft_events), EPOLLIN, on_nft_events, m);
        if (r < 0)
                return log_error_errno(r, "Failed to watch nf_tables events: %m");
        r = sd_event_add_time_relative(event, &m->verify_source, CLOCK_MONOTONIC, VERIFY_DELAY_USEC, 0,
                                       on_verify_timer, m);
        if (r >= 0)
                r = sd_event_source_set_enabled(m->verify_source, SD_EVENT_OFF);
        if (r < 0)
                return log_error_errno(r, "Failed to set up a timer: %m");

        *ret = TAKE_PTR(m);
        return 0;
}

/**
 * manager_free() - let go of everything; the kernel's rules stay as they are
 * @m: the manager, or NULL
 *
 * Return: NULL.
 */
Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        control_free(m->control);
        sd_event_source_disable_unref(m->events_source);
        sd_event_source_disable_unref(m->verify_source);
        nft_socket_free(m->nft_events);
        nft_socket_free(m->nft);
        ruleset_free(m->rules);
        ruleset_free(m->panic_rules);
        ruleset_free(m->panic_template);
        nft_compile_state_drop(&m->compile, FAMILY_ANY);
        ruleset_free(m->snapshot);
        diag_list_deinit(&m->snapshot_diags);
        strbuf_deinit(&m->tables_text);
        for (Family f = 0; f < _FAMILY_MAX; f++)
                family_state_done(&m->family[f]);
        settings_free(m->settings);
        free(m->problem);
        free(m->config_path);
        sd_event_unref(m->event);
        free(m);
        return NULL;
}

ManagerState manager_get_state(const Manager *m) {
        return m->panic ? MANAGER_PANIC : m->state;
}

/**
 * manager_startup() - take the control socket, then adopt or start
 * @m: the manager
 *
 * The socket comes first: if another nfwalld answers on it, this one
 * must not touch the kernel. Then our tables, if the kernel holds any,
 * are adopted as they are; else the rules are loaded as start does.
 * READY=1 follows either way: a daemon that could not load its rules
 * still runs, to be told about a fixed file (reload) and to say, in
 * status and STATUS=, that there is no firewall.
 *
 * Return: 0, or a negative errno (logged) when nfwalld cannot run.
 */
int manager_startup(Manager *m) {
        _cleanup_(ruleset_freep) Ruleset *kernel = NULL;
        DiagList diags = DIAG_LIST_INIT;
        StrBuf text = STRBUF_INIT;
        int r;

        r = control_new(m->event, m->settings->control_socket, m->control_gid, manager_handle_request, m,
                        &m->control);
        if (r == -EADDRINUSE)
                return log_error_errno(r, "Another nfwalld answers on %s; this one leaves the firewall alone and exits",
                                       m->settings->control_socket);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the control socket %s: %m", m->settings->control_socket);
        if (control_is_socket_activated(m->control))
                log_debug("Using the control socket passed by systemd");

        diags.max_items = DIAG_LIST_MAX;
        r = manager_read_kernel(m, FAMILY_ANY, &diags, &kernel);
        if (r >= 0 && ruleset_has_tables(kernel, FAMILY_ANY)) {
                r = manager_adopt(m, TAKE_PTR(kernel), &diags);
                if (r < 0)
                        return log_error_errno(r, "Failed to adopt nfwall's tables: %m");
        } else {
                if (r < 0) {
                        log_warning("nfwall's tables in the kernel cannot be read back; the rules files replace them:");
                        log_diags(&diags);
                }
                diag_list_clear(&diags);
                (void)manager_load(m, "start", true, &text, &diags);
        }
        diag_list_deinit(&diags);
        strbuf_deinit(&text);

        manager_notify_status(m, "READY=1");
        return 0;
}

/* ---- save ---- */

static int write_all(int fd, const char *data, size_t size) {
        while (size > 0) {
                ssize_t n = write(fd, data, size);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                data += n;
                size -= (size_t)n;
        }
        return 0;
}

/*
 * Our temporary files are hidden, ".BASE.nfwall-XXXXXX", so that one
 * left by a kill in the middle of a save is recognised as ours and
 * removed by the next save, and never mistaken for a user's file.
 */
static void remove_stale_temporaries(int dir_fd, const char *base) {
        _cleanup_free_ char *prefix = NULL;
        DIR *d;
        struct dirent *de;
        int fd;

        if (asprintf(&prefix, ".%s.nfwall-", base) < 0)
                return;
        fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return;
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return;
        }
        while ((de = readdir(d)))
                if (strncmp(de->d_name, prefix, strlen(prefix)) == 0 && strlen(de->d_name) == strlen(prefix) + 6)
                        (void)unlinkat(dir_fd, de->d_name, 0);
        closedir(d);
}

/* A new file with data: written, synced, mode 0600, under a temporary name. */
static int write_temporary(int dir_fd, const char *base, const char *data, size_t size, char **ret_name) {
        _cleanup_free_ char *name = NULL;
        _cleanup_close_ int fd = -1;
        int r;

        for (int attempt = 0; attempt < 100; attempt++) {
                free(name);
                if (asprintf(&name, ".%s.nfwall-%06u", base, (unsigned)((now_usec(CLOCK_MONOTONIC) + (uint64_t)attempt * 7919) % 1000000)) < 0) {
                        name = NULL;
                        return -ENOMEM;
                }
                fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
                if (fd >= 0 || errno != EEXIST)
                        break;
        }
        if (fd < 0)
                return negative_errno();
        r = write_all(fd, data, size);
        if (r >= 0 && fchmod(fd, 0600) < 0)
                r = negative_errno();
        if (r >= 0 && fsync(fd) < 0)
                r = negative_errno();
        if (r < 0) {
                (void)unlinkat(dir_fd, name, 0);
                return r;
        }
        *ret_name = TAKE_PTR(name);
        return 0;
}

static int read_all_fd(int fd, char **ret, size_t *ret_size) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, cap = 0;

        for (;;) {
                ssize_t n;

                if (size == cap) {
                        char *b;

                        cap = cap ? cap * 2 : 65536;
                        b = realloc(buf, cap);
                        if (!b)
                                return -ENOMEM;
                        buf = b;
                }
                n = read(fd, buf + size, cap - size);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (n == 0)
                        break;
                size += (size_t)n;
        }
        *ret = TAKE_PTR(buf);
        *ret_size = size;
        return 0;
}

/*
 * Replaces path with data so that, whenever the machine or nfwalld dies,
 * path is the old file or the new one, whole: the new one is written and
 * synced under a temporary name and renamed over, then the directory is
 * synced. The old one is kept as path.save, replaced the same way, before.
 */
static int save_file(const char *path, const char *data, size_t size) {
        _cleanup_free_ char *dir = NULL, *tmp = NULL, *save_tmp = NULL, *save_name = NULL;
        _cleanup_close_ int dir_fd = -1, old_fd = -1;
        const char *base, *slash;
        int r;

        slash = strrchr(path, '/');
        if (!slash || !slash[1])
                return -EINVAL;
        base = slash + 1;
        dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
        if (!dir || asprintf(&save_name, "%s.save", base) < 0)
                return -ENOMEM;
        dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0)
                return negative_errno();

        remove_stale_temporaries(dir_fd, base);
        r = write_temporary(dir_fd, base, data, size, &tmp);
        if (r < 0)
                return r;

        old_fd = openat(dir_fd, base, O_RDONLY | O_CLOEXEC);
        if (old_fd >= 0) {
                _cleanup_free_ char *old = NULL;
                size_t old_size;

                r = read_all_fd(old_fd, &old, &old_size);
                if (r >= 0)
                        r = write_temporary(dir_fd, base, old, old_size, &save_tmp);
                if (r >= 0 && renameat(dir_fd, save_tmp, dir_fd, save_name) < 0)
                        r = negative_errno();
                if (r < 0) {
                        if (save_tmp)
                                (void)unlinkat(dir_fd, save_tmp, 0);
                        (void)unlinkat(dir_fd, tmp, 0);
                        return r;
                }
        } else if (errno != ENOENT) {
                r = negative_errno();
                (void)unlinkat(dir_fd, tmp, 0);
                return r;
        }

        if (renameat(dir_fd, tmp, dir_fd, base) < 0) {
                r = negative_errno();
                (void)unlinkat(dir_fd, tmp, 0);
                return r;
        }
        if (fsync(dir_fd) < 0)
                return negative_errno();
        return 0;
}

/* Writes the rules in force, as the kernel holds them, to the rules files. */
static ProtoExit manager_do_save(Manager *m, const char *action, StrBuf *text, DiagList *diags) {
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        ProtoExit ret = PROTO_EXIT_OK;
        size_t n_foreign;
        int r;

        if (!m->rules && !m->panic) {
                (void)diag_list_add(diags, DIAG_ERROR, DIAG_SEMANTIC, NULL,
                                    "nothing to save: the firewall is not running");
                return PROTO_EXIT_NOT_CONFIGURED;
        }
        /* The kernel's counters, and what it holds if that is not what we loaded: iptables-save's truth. */
        r = manager_read_kernel(m, FAMILY_ANY, diags, &rs);
        if (r < 0) {
                log_error("%s: cannot read nfwall's tables back; no file was written", action);
                log_diags(diags);
                return PROTO_EXIT_FAILURE;
        }
        if (m->panic)
                (void)panic_strip(m, rs, m->rules);

        n_foreign = ruleset_count_foreign(rs);
        if (n_foreign > 0)
                (void)diag_list_add(diags, DIAG_WARNING, DIAG_KERNEL, NULL,
                                    "%zu rules in nfwall's tables were not written by nfwall: saved as comments, "
                                    "they will not be loaded again",
                                    n_foreign);

        for (Family f = 0; f < _FAMILY_MAX; f++) {
                StrBuf out = STRBUF_INIT;
                const char *path = rules_path(m->settings, f);

                if (!ruleset_has_tables(rs, FAMILY_BIT(f))) {
                        /* Never an empty ruleset over a file. */
                        (void)diag_list_add(diags, DIAG_NOTE, DIAG_IO, NULL,
                                            "no %s tables in force: %s left as it is", family_label[f], path);
                        continue;
                }
                ruleset_print_save(rs, f, m->settings->save_counter ? PRINT_COUNTERS : 0, &out);
                r = out.error;
                if (r >= 0 && out.len == 0)
                        r = -ENODATA;
                if (r >= 0)
                        r = save_file(path, out.data, out.len);
                strbuf_deinit(&out);
                if (r < 0) {
                        SourceLoc loc = { .file = path };

                        (void)diag_list_add(diags, DIAG_ERROR, DIAG_IO, &loc, "cannot save the %s rules: %s",
                                            family_label[f], strerror(-r));
                        ret = PROTO_EXIT_FAILURE;
                        continue;
                }
                strbuf_printf(text, "%s: %zu rule%s saved to %s (the previous version is %s.save)\n",
                              family_label[f], ruleset_count_family(rs, f), plural_s(ruleset_count_family(rs, f)),
                              path, path);
                log_info("%s: %s: %zu rules saved to %s", action, family_label[f], ruleset_count_family(rs, f),
                         path);
                /* The file is what is in force now. */
                if (m->family[f].source == RULES_SOURCE_FILE)
                        (void)family_state_set(&m->family[f], RULES_SOURCE_FILE, path, n_foreign > 0);
                else
                        m->family[f].differs = n_foreign > 0;
                m->family[f].n_unsaved = 0;
        }
        if (ret != PROTO_EXIT_OK)
                log_diags(diags);
        manager_notify_status(m, NULL);
        return ret;
}

ProtoExit manager_save(Manager *m, StrBuf *text, DiagList *diags) {
        return manager_do_save(m, "save", text, diags);
}

/* ---- the actions ---- */

ProtoExit manager_start(Manager *m, StrBuf *text, DiagList *diags) {
        if (m->state == MANAGER_RUNNING) {
                strbuf_puts(text, "nfwall is already running\n");
                return PROTO_EXIT_OK;
        }
        return manager_load(m, "start", true, text, diags);
}

/* Our tables out of the kernel; other programs' tables are not touched. */
static ProtoExit manager_do_stop(Manager *m, const char *action, StrBuf *text, DiagList *diags) {
        SourceLoc modules_loc;
        ProtoExit ret = PROTO_EXIT_OK;
        int r;

        if (m->state == MANAGER_STOPPED && !m->panic) {
                strbuf_puts(text, "nfwall is not running\n");
                return PROTO_EXIT_OK;
        }
        if (m->settings->save_on_stop && m->rules && m->state == MANAGER_RUNNING) {
                ret = manager_do_save(m, action, text, diags);
                if (ret != PROTO_EXIT_OK)
                        log_warning("%s: save_on_stop: saving failed; stopping all the same", action);
        }

        r = manager_commit(m, NULL, FAMILY_ANY, NULL, diags);
        if (r < 0) {
                log_error("%s: nfwall's tables could not be removed:", action);
                log_diags(diags);
                manager_set_problem(m, diags, "stop failed");
                manager_notify_status(m, NULL);
                return PROTO_EXIT_FAILURE;
        }
        m->rules = ruleset_free(m->rules);
        m->panic_rules = ruleset_free(m->panic_rules);
        m->panic = false;
        m->state = MANAGER_STOPPED;
        m->changed_outside = false;
        manager_clear_problem(m);
        for (Family f = 0; f < _FAMILY_MAX; f++)
                family_state_done(&m->family[f]);
        log_info("%s: nfwall's tables removed; the firewall is stopped", action);
        strbuf_puts(text, "nfwall's tables removed: the firewall is stopped\n");

        if (m->settings->modules_unload) {
                modules_loc = settings_source(m->settings, SETTING_MODULES);
                r = modules_unload(m->settings->modules, &modules_loc, diags);
                if (r < 0)
                        ret = PROTO_EXIT_FAILURE;
        }
        log_diags(diags);
        manager_notify_status(m, NULL);
        return ret;
}

ProtoExit manager_stop(Manager *m, StrBuf *text, DiagList *diags) {
        return manager_do_stop(m, "stop", text, diags);
}

/*
 * reload and restart: settings and rules files read again and swapped in
 * by one transaction. On any error nothing changes: not the kernel, not
 * the settings in use. reload keeps panic on; restart ends it.
 */
static ProtoExit manager_replace(Manager *m, const char *action, bool keep_panic, StrBuf *text, DiagList *diags) {
        _cleanup_(settings_freep) Settings *s = NULL;
        _cleanup_(ruleset_freep) Ruleset *next = NULL, *next_panic = NULL;
        SourceLoc modules_loc;
        ProtoExit ret = PROTO_EXIT_OK;
        bool errors = false;
        gid_t gid;
        int r;

        r = manager_read_settings(m, diags, &s, &gid);
        if (r < 0) {
                log_warning("%s: the settings file %s has errors; nothing was changed:", action, m->config_path);
                log_diags(diags);
                manager_set_problem(m, diags, "the settings file has errors");
                return r == -ENOENT ? PROTO_EXIT_NOT_CONFIGURED : PROTO_EXIT_FAILURE;
        }

        r = ruleset_new(&next);
        if (r < 0)
                return PROTO_EXIT_FAILURE;
        for (Family f = 0; f < _FAMILY_MAX; f++) {
                _cleanup_(ruleset_freep) Ruleset *rs = NULL;

                /* Both files, so that every error of both is reported. */
                r = parse_rules(rules_path(s, f), f, s->save_counter, diags, &rs);
                if (r == -ENOMEM)
                        return PROTO_EXIT_FAILURE;
                if (r < 0) {
                        errors = true;
                        if (r == -ENOENT)
                                ret = PROTO_EXIT_NOT_CONFIGURED;
                        continue;
                }
                r = ruleset_move_family(next, rs, f);
                if (r < 0)
                        return PROTO_EXIT_FAILURE;
        }
        if (errors) {
                log_warning("%s: the rules files have errors; the rules in force are unchanged:", action);
                log_diags(diags);
                manager_set_problem(m, diags, "the rules files have errors");
                manager_notify_status(m, NULL);
                return ret != PROTO_EXIT_OK ? ret : PROTO_EXIT_FAILURE;
        }

        /* The kernel takes the new rules (under panic's drops, if panic stays) or nothing. */
        if (keep_panic && m->panic) {
                r = panic_build(m, next, diags, &next_panic);
                if (r < 0)
                        return PROTO_EXIT_FAILURE;
        }

        modules_loc = settings_source(s, SETTING_MODULES);
        r = modules_load(s->modules, &modules_loc, diags);
        if (r < 0)
                ret = PROTO_EXIT_FAILURE;

        r = manager_commit(m, next_panic ? next_panic : next, FAMILY_ANY, next_panic ? NULL : next, diags);
        if (r < 0) {
                log_warning("%s: the kernel refused the rules; the rules in force are unchanged:", action);
                log_diags(diags);
                manager_set_problem(m, diags, "the kernel refused the rules");
                manager_notify_status(m, NULL);
                return PROTO_EXIT_FAILURE;
        }

        manager_apply_settings(m, TAKE_PTR(s), gid);
        ruleset_free(m->rules);
        m->rules = TAKE_PTR(next);
        ruleset_free(m->panic_rules);
        m->panic_rules = TAKE_PTR(next_panic);
        m->panic = m->panic_rules != NULL;
        m->state = MANAGER_RUNNING;
        m->loaded_usec = now_usec(CLOCK_REALTIME);
        m->loaded_by = action;
        m->changed_outside = false;
        manager_clear_problem(m);
        log_diags(diags);
        for (Family f = 0; f < _FAMILY_MAX; f++) {
                size_t n = ruleset_count_family(m->rules, f);

                (void)family_state_set(&m->family[f], RULES_SOURCE_FILE, rules_path(m->settings, f), false);
                log_info("%s: %s: %zu rules from %s", action, family_label[f], n, rules_path(m->settings, f));
                strbuf_printf(text, "%s: %zu rule%s from %s\n", family_label[f], n, plural_s(n), rules_path(m->settings, f));
        }
        if (m->panic)
                strbuf_puts(text, "panic stays on: all traffic is dropped\n");
        return ret;
}

ProtoExit manager_reload(Manager *m, StrBuf *text, DiagList *diags) {
        ProtoExit ret;
        char extra[64];

        if (m->state == MANAGER_STOPPED) {
                log_notice("reload: nfwall is stopped, nothing to reload");
                (void)diag_list_add(diags, DIAG_ERROR, DIAG_SEMANTIC, NULL, "nfwall is not running (start loads the rules)");
                return PROTO_EXIT_NOT_RUNNING;
        }
        snprintf(extra, sizeof(extra), "RELOADING=1\nMONOTONIC_USEC=%llu",
                 (unsigned long long)now_usec(CLOCK_MONOTONIC));
        (void)sd_notify(false, extra);
        if (m->state == MANAGER_FAILED && !m->panic)
                /* Nothing in force to keep: a reload is the start that failed, tried again (no fallback). */
                ret = manager_load(m, "reload", false, text, diags);
        else
                ret = manager_replace(m, "reload", true, text, diags);
        manager_notify_status(m, "READY=1");
        return ret;
}

ProtoExit manager_restart(Manager *m, StrBuf *text, DiagList *diags) {
        ProtoExit ret;

        if (m->state != MANAGER_RUNNING && !m->panic)
                return manager_load(m, "restart", true, text, diags);
        /* In panic the kernel holds panic's drops, not rules worth saving over the files. */
        if (m->settings->save_on_restart && !m->panic) {
                ret = manager_do_save(m, "restart", text, diags);
                if (ret != PROTO_EXIT_OK) {
                        log_warning("restart: save_on_restart: saving failed; nothing was changed");
                        return ret;
                }
        }
        ret = manager_replace(m, "restart", false, text, diags);
        manager_notify_status(m, NULL);
        return ret;
}

ProtoExit manager_condrestart(Manager *m, StrBuf *text, DiagList *diags) {
        if (m->state != MANAGER_RUNNING && !m->panic) {
                strbuf_puts(text, "nfwall is not running: nothing to restart\n");
                return PROTO_EXIT_OK;
        }
        return manager_restart(m, text, diags);
}

ProtoExit manager_panic(Manager *m, const char *what, StrBuf *text, DiagList *diags) {
        _cleanup_(ruleset_freep) Ruleset *next = NULL;
        int r;

        if (streq(what, "status")) {
                strbuf_puts(text, m->panic ? "on\n" : "off\n");
                return PROTO_EXIT_OK;
        }
        if (streq(what, "on")) {
                if (m->panic) {
                        strbuf_puts(text, "panic is already on\n");
                        return PROTO_EXIT_OK;
                }
                r = panic_build(m, m->rules, diags, &next);
                if (r < 0)
                        return PROTO_EXIT_FAILURE;
                /* Panic is one transaction over our tables: what others changed in them does not survive it. */
                if (m->changed_outside)
                        (void)diag_list_add(diags, DIAG_WARNING, DIAG_KERNEL, NULL,
                                            "nfwall's tables were changed outside nfwall: panic replaces those changes, "
                                            "and panic off restores the rules nfwall loaded");
                r = manager_commit(m, next, FAMILY_ANY, NULL, diags);
                if (r < 0) {
                        log_error("panic on: the kernel refused the transaction; nothing was changed:");
                        log_diags(diags);
                        return PROTO_EXIT_FAILURE;
                }
                ruleset_free(m->panic_rules);
                m->panic_rules = TAKE_PTR(next);
                m->panic = true;
                log_diags(diags);
                log_warning("PANIC: all traffic is dropped (the rules are kept underneath; panic off restores them)");
                strbuf_puts(text, "panic on: all traffic is dropped\n");
                manager_notify_status(m, NULL);
                return PROTO_EXIT_OK;
        }
        if (streq(what, "off")) {
                if (!m->panic) {
                        strbuf_puts(text, "panic is already off\n");
                        return PROTO_EXIT_OK;
                }
                /* What was in force before, rules nfwall could not write again aside (warned). */
                r = ruleset_copy(m->rules, true, diags, &next);
                if (r < 0)
                        return PROTO_EXIT_FAILURE;
                r = manager_commit(m, next, FAMILY_ANY, NULL, diags);
                if (r < 0) {
                        log_error("panic off: the kernel refused the transaction; panic stays on:");
                        log_diags(diags);
                        return PROTO_EXIT_FAILURE;
                }
                if (ruleset_count_foreign(m->rules) > 0) {
                        ruleset_free(m->rules);
                        m->rules = TAKE_PTR(next);
                }
                m->panic_rules = ruleset_free(m->panic_rules);
                m->panic = false;
                log_diags(diags);
                log_info("panic off: the rules are in force again");
                strbuf_puts(text, "panic off: the rules are in force again\n");
                manager_notify_status(m, NULL);
                return PROTO_EXIT_OK;
        }
        (void)diag_list_add(diags, DIAG_ERROR, DIAG_SYNTAX, NULL, "panic: expected on, off or status, got \"%s\"",
                            what);
        return PROTO_EXIT_USAGE;
}

ProtoExit manager_check(Manager *m, char *const *files, bool ipv6, StrBuf *text, DiagList *diags) {
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        bool errors = false;
        int r;

        if (!files || !files[0]) {
                _cleanup_(settings_freep) Settings *s = NULL;
                gid_t gid;

                r = manager_read_settings(m, diags, &s, &gid);
                if (r < 0)
                        return PROTO_EXIT_FAILURE;
                strbuf_printf(text, "%s: ok\n", m->config_path);
                r = ruleset_new(&rs);
                if (r < 0)
                        return PROTO_EXIT_FAILURE;
                for (Family f = 0; f < _FAMILY_MAX; f++) {
                        r = ruleset_parse_file_into(rs, rules_path(s, f), f, diags);
                        if (r < 0)
                                errors = true;
                }
                if (errors)
                        return PROTO_EXIT_FAILURE;
                r = manager_kernel_check(m, rs, FAMILY_ANY, diags);
                if (r < 0)
                        return PROTO_EXIT_FAILURE;
                for (Family f = 0; f < _FAMILY_MAX; f++)
                        strbuf_printf(text, "%s: ok, %zu rule%s\n", rules_path(s, f), ruleset_count_family(rs, f),
                                      plural_s(ruleset_count_family(rs, f)));
                return PROTO_EXIT_OK;
        }

        for (char *const *p = files; *p; p++) {
                _cleanup_(ruleset_freep) Ruleset *one = NULL;
                Family f = ipv6 ? FAMILY_IPV6 : FAMILY_IPV4;

                if ((*p)[0] != '/') {
                        (void)diag_list_add(diags, DIAG_ERROR, DIAG_SYNTAX, NULL,
                                            "%s: not an absolute path (nfwalld does not know the caller's directory)", *p);
                        return PROTO_EXIT_USAGE;
                }
                r = ruleset_parse_file(*p, f, diags, &one);
                if (r == -ENOMEM)
                        return PROTO_EXIT_FAILURE;
                if (r >= 0)
                        r = manager_kernel_check(m, one, FAMILY_BIT(f), diags);
                if (r < 0) {
                        errors = true;
                        continue;
                }
                strbuf_printf(text, "%s: ok, %zu rule%s\n", *p, ruleset_count_family(one, f),
                              plural_s(ruleset_count_family(one, f)));
        }
        return errors ? PROTO_EXIT_FAILURE : PROTO_EXIT_OK;
}

int manager_shutdown(Manager *m) {
        DiagList diags = DIAG_LIST_INIT;
        StrBuf text = STRBUF_INIT;
        ProtoExit ret;

        (void)sd_notify(false, "STOPPING=1\nSTATUS=Stopping: removing nfwall's tables");
        diags.max_items = DIAG_LIST_MAX;
        ret = manager_do_stop(m, "stop", &text, &diags);
        diag_list_deinit(&diags);
        strbuf_deinit(&text);
        return ret == PROTO_EXIT_OK ? 0 : -EIO;
}

/* ---- status ---- */

static void json_string(StrBuf *out, const char *s) {
        strbuf_putc(out, '"');
        for (const unsigned char *p = (const unsigned char *)strempty(s); *p; p++)
                switch (*p) {
                case '"':
                        strbuf_puts(out, "\\\"");
                        break;
                case '\\':
                        strbuf_puts(out, "\\\\");
                        break;
                case '\n':
                        strbuf_puts(out, "\\n");
                        break;
                case '\t':
                        strbuf_puts(out, "\\t");
                        break;
                default:
                        if (*p < 0x20)
                                strbuf_printf(out, "\\u%04x", *p);
                        else
                                strbuf_putc(out, (char)*p);
                }
        strbuf_putc(out, '"');
}

static void json_key(StrBuf *out, const char *key) {
        json_string(out, key);
        strbuf_putc(out, ':');
}

static void json_time(StrBuf *out, const char *key, uint64_t usec) {
        char buf[64];

        json_key(out, key);
        if (usec == 0) {
                strbuf_puts(out, "null");
                return;
        }
        format_time_utc(usec, buf, sizeof(buf));
        json_string(out, buf);
}

static void status_json_tables(const Ruleset *rs, StrBuf *out) {
        bool first_table = true;
        StrBuf spec = STRBUF_INIT;

        strbuf_putc(out, '[');
        for (Family f = 0; rs && f < _FAMILY_MAX; f++)
                for (TableType t = 0; t < _TABLE_TYPE_MAX; t++) {
                        const Table *table = rs->tables[f][t];

                        if (!table)
                                continue;
                        if (!first_table)
                                strbuf_putc(out, ',');
                        first_table = false;
                        strbuf_puts(out, "{\"family\":");
                        json_string(out, family_to_string(f));
                        strbuf_puts(out, ",\"table\":");
                        json_string(out, table_type_to_string(t));
                        strbuf_puts(out, ",\"chains\":[");
                        for (size_t i = 0; i < table->n_chains; i++) {
                                const Chain *c = table->chains[i];

                                if (i > 0)
                                        strbuf_putc(out, ',');
                                strbuf_puts(out, "{\"name\":");
                                json_string(out, c->name);
                                strbuf_puts(out, ",\"builtin\":");
                                strbuf_puts(out, c->builtin ? "true" : "false");
                                if (c->builtin) {
                                        strbuf_puts(out, ",\"policy\":");
                                        json_string(out, policy_to_string(c->policy));
                                        strbuf_printf(out, ",\"packets\":%llu,\"bytes\":%llu",
                                                      (unsigned long long)c->counters.packets,
                                                      (unsigned long long)c->counters.bytes);
                                }
                                strbuf_puts(out, ",\"rules\":[");
                                for (size_t k = 0; k < c->n_rules; k++) {
                                        const Rule *r = c->rules[k];

                                        if (k > 0)
                                                strbuf_putc(out, ',');
                                        strbuf_printf(out, "{\"num\":%zu,\"handle\":%llu", k + 1,
                                                      (unsigned long long)r->handle);
                                        if (r->foreign) {
                                                strbuf_puts(out, ",\"foreign\":");
                                                json_string(out, r->foreign);
                                        } else {
                                                strbuf_reset(&spec);
                                                strbuf_puts(&spec, "-A ");
                                                strbuf_puts(&spec, c->name);
                                                rule_print_spec(r, f, &spec);
                                                strbuf_puts(out, ",\"rule\":");
                                                json_string(out, strbuf_str(&spec));
                                        }
                                        strbuf_printf(out, ",\"packets\":%llu,\"bytes\":%llu}",
                                                      (unsigned long long)r->counters.packets,
                                                      (unsigned long long)r->counters.bytes);
                                }
                                strbuf_puts(out, "]}");
                        }
                        strbuf_puts(out, "]}");
                }
        strbuf_putc(out, ']');
        if (spec.error)
                out->error = spec.error;
        strbuf_deinit(&spec);
}

static void status_json(Manager *m, const StrBuf *tables, StrBuf *out) {
        strbuf_puts(out, "{\"version\":");
        json_string(out, PACKAGE_VERSION);
        strbuf_puts(out, ",\"state\":");
        json_string(out, manager_state_to_string(manager_get_state(m)));
        strbuf_printf(out, ",\"panic\":%s", m->panic ? "true" : "false");
        strbuf_puts(out, ",\"loaded_by\":");
        if (m->loaded_by)
                json_string(out, m->loaded_by);
        else
                strbuf_puts(out, "null");
        strbuf_putc(out, ',');
        json_time(out, "loaded_at", m->rules ? m->loaded_usec : 0);
        strbuf_puts(out, ",\"problem\":");
        if (m->problem)
                json_string(out, m->problem);
        else
                strbuf_puts(out, "null");
        strbuf_puts(out, ",\"families\":{");
        for (Family f = 0; f < _FAMILY_MAX; f++) {
                const FamilyState *fs = &m->family[f];

                if (f > 0)
                        strbuf_putc(out, ',');
                json_key(out, family_to_string(f));
                strbuf_puts(out, "{\"source\":");
                json_string(out, rules_source_to_string(fs->source));
                strbuf_puts(out, ",\"file\":");
                if (fs->path)
                        json_string(out, fs->path);
                else
                        strbuf_puts(out, "null");
                strbuf_puts(out, ",\"rules_file\":");
                json_string(out, rules_path(m->settings, f));
                strbuf_printf(out,
                              ",\"rules\":%zu,\"differs_from_rules_file\":%s,\"file_changed_since_loaded\":%s,"
                              "\"unsaved_changes\":%u}",
                              ruleset_count_family(m->rules, f), fs->differs || fs->n_unsaved > 0 ? "true" : "false",
                              family_file_changed(fs) ? "true" : "false", fs->n_unsaved);
        }
        strbuf_puts(out, "},\"changed_outside\":");
        if (m->changed_outside) {
                strbuf_puts(out, "{");
                json_time(out, "at", m->changed_usec);
                strbuf_printf(out, ",\"generation\":%u,\"pid\":", m->changed_genid);
                if (m->changed_pid > 0) {
                        strbuf_printf(out, "%u,\"comm\":", m->changed_pid);
                        json_string(out, m->changed_comm);
                } else
                        strbuf_puts(out, "null,\"comm\":null");
                strbuf_putc(out, '}');
        } else
                strbuf_puts(out, "null");
        strbuf_puts(out, ",\"tables\":");
        if (tables->len > 0)
                strbuf_put(out, tables->data, tables->len);
        else
                strbuf_puts(out, "[]");
        strbuf_puts(out, "}\n");
}

static void status_text_tables(const Ruleset *kernel, unsigned print_flags, StrBuf *out) {
        for (Family f = 0; kernel && f < _FAMILY_MAX; f++)
                for (TableType t = 0; t < _TABLE_TYPE_MAX; t++) {
                        const Table *table = kernel->tables[f][t];

                        if (!table)
                                continue;
                        strbuf_printf(out, "\nTable: %s (%s)\n", table_type_to_string(t), family_label[f]);
                        (void)table_print_list(table, NULL, print_flags, out);
                }
}

static void status_text(Manager *m, const StrBuf *tables, StrBuf *out) {
        char when[64];

        strbuf_printf(out, "nfwalld %s: %s\n", PACKAGE_VERSION, manager_state_to_string(manager_get_state(m)));
        switch (manager_get_state(m)) {
        case MANAGER_STOPPED:
                strbuf_puts(out, "Firewall is not running.\n");
                return;
        case MANAGER_FAILED:
                strbuf_puts(out, "Firewall is not running: NO FIREWALL of nfwall's is in force.\n");
                break;
        case MANAGER_PANIC:
                strbuf_puts(out, "PANIC: all traffic is dropped; the rules below are kept underneath.\n");
                break;
        case MANAGER_RUNNING:
        case _MANAGER_STATE_MAX:
        case _MANAGER_STATE_INVALID:
                break;
        }
        if (m->problem)
                strbuf_printf(out, "Last failure: %s\n", m->problem);
        if (m->loaded_by) {
                format_time(m->loaded_usec, when, sizeof(when));
                strbuf_printf(out, "Loaded: %s, by %s\n", when, m->loaded_by);
        }
        for (Family f = 0; f < _FAMILY_MAX; f++) {
                const FamilyState *fs = &m->family[f];
                const char *file = rules_path(m->settings, f);

                strbuf_printf(out, "%s rules: ", family_label[f]);
                switch (fs->source) {
                case RULES_SOURCE_FILE:
                        strbuf_printf(out, "%s%s\n", fs->path,
                                      family_file_changed(fs) ? " (changed on disk since: reload applies it)" : "");
                        break;
                case RULES_SOURCE_FALLBACK:
                        strbuf_printf(out, "the fallback %s (%s had errors)\n", fs->path, file);
                        break;
                case RULES_SOURCE_KERNEL:
                        strbuf_printf(out, "adopted from the kernel when nfwalld started; %s\n",
                                      fs->differs ? "they DIFFER from the rules file" : "the same as the rules file");
                        break;
                case RULES_SOURCE_KEPT:
                        strbuf_printf(out, "%s had errors: %s\n", file,
                                      ruleset_has_tables(m->rules, FAMILY_BIT(f)) ? "what nfwall's tables held was kept"
                                                                                  : "NO FIREWALL");
                        break;
                case RULES_SOURCE_NONE:
                case _RULES_SOURCE_MAX:
                case _RULES_SOURCE_INVALID:
                        strbuf_puts(out, "none\n");
                        break;
                }
                if (fs->n_unsaved > 0)
                        strbuf_printf(out, "%s: %u unsaved change%s: the rules in force differ from %s (save writes them)\n",
                                      family_label[f], fs->n_unsaved, fs->n_unsaved == 1 ? "" : "s", file);
        }
        if (m->changed_outside) {
                format_time(m->changed_usec, when, sizeof(when));
                if (m->changed_pid > 0)
                        strbuf_printf(out, "Warning: nfwall's tables were changed outside nfwall by pid %u (%s), noticed %s; "
                                      "shown as the kernel holds them\n",
                                      m->changed_pid, m->changed_comm, when);
                else
                        strbuf_printf(out, "Warning: nfwall's tables were changed outside nfwall (noticed %s); "
                                      "shown as the kernel holds them\n",
                                      when);
        }
        if (tables->len > 0)
                strbuf_put(out, tables->data, tables->len);
}

ProtoExit manager_status(Manager *m, unsigned flags, StrBuf *text, DiagList *diags) {
        const Ruleset *kernel = NULL;
        const StrBuf none = STRBUF_INIT, *tables = &none;
        unsigned print_flags = 0;
        ManagerState state;

        /* A foreign commit not looked at yet: look now, so status is current. */
        if (m->verify_pending)
                (void)manager_verify(m);

        if (m->settings->status_numeric)
                print_flags |= PRINT_NUMERIC;
        if (m->settings->status_verbose)
                print_flags |= PRINT_VERBOSE;
        if (m->settings->status_linenumbers)
                print_flags |= PRINT_LINE_NUMBERS;
        if (flags & PROTO_FLAG_NUMERIC)
                print_flags |= PRINT_NUMERIC;
        if (flags & PROTO_FLAG_NO_NUMERIC)
                print_flags &= ~(unsigned)PRINT_NUMERIC;
        if (flags & PROTO_FLAG_VERBOSE)
                print_flags |= PRINT_VERBOSE;
        if (flags & PROTO_FLAG_NO_VERBOSE)
                print_flags &= ~(unsigned)PRINT_VERBOSE;
        if (flags & PROTO_FLAG_LINE_NUMBERS)
                print_flags |= PRINT_LINE_NUMBERS;
        if (flags & PROTO_FLAG_NO_LINE_NUMBERS)
                print_flags &= ~(unsigned)PRINT_LINE_NUMBERS;
        if (flags & PROTO_FLAG_EXACT)
                print_flags |= PRINT_EXACT;

        state = manager_get_state(m);
        /* What the kernel holds, with its counters: status shows the truth, not our intent. */
        if (state != MANAGER_STOPPED && manager_snapshot(m, SNAPSHOT_MAX_AGE_USEC, diags, &kernel) < 0)
                kernel = NULL;

        /* The tables' text is the same for every client until the next reading: render it once. */
        if (kernel) {
                unsigned key = print_flags | ((flags & PROTO_FLAG_JSON) ? 1u << 31 : 0);

                if (m->tables_serial != m->snapshot_serial || m->tables_key != key || m->tables_text.error) {
                        strbuf_reset(&m->tables_text);
                        m->tables_text.error = 0;
                        if (flags & PROTO_FLAG_JSON)
                                status_json_tables(kernel, &m->tables_text);
                        else
                                status_text_tables(kernel, print_flags, &m->tables_text);
                        m->tables_serial = m->snapshot_serial;
                        m->tables_key = key;
                }
                if (m->tables_text.error)
                        text->error = m->tables_text.error;
                tables = &m->tables_text;
        }
        if (flags & PROTO_FLAG_JSON)
                status_json(m, tables, text);
        else
                status_text(m, tables, text);

        switch (state) {
        case MANAGER_RUNNING:
        case MANAGER_PANIC:
                return PROTO_EXIT_OK;
        case MANAGER_STOPPED:
        case MANAGER_FAILED:
        case _MANAGER_STATE_MAX:
        case _MANAGER_STATE_INVALID:
                break;
        }
        return PROTO_EXIT_NOT_RUNNING;
}

/* ---- the iptables command language ---- */

/* One table of ours as the kernel holds it, with counters, into rs. */
static int manager_read_table(Manager *m, Family f, TableType t, DiagList *diags, Ruleset **ret) {
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        NftTableDump dump = {};
        int r;

        r = ruleset_new(&rs);
        if (r < 0)
                return r;
        r = nft_socket_dump_table(m->nft, nft_family(f), nft_table_name(t), &dump);
        if (r >= 0)
                r = nft_decompile_table(&dump, rs, diags);
        nft_table_dump_deinit(&dump);
        if (r < 0 && r != -ENOENT) {
                (void)diag_list_add(diags, DIAG_ERROR, DIAG_KERNEL, NULL, "%s table %s cannot be read: %s",
                                    family_label[f], nft_table_name(t), strerror(-r));
                return r;
        }
        *ret = TAKE_PTR(rs);
        return 0;
}

/*
 * Makes the family's handles and compile contexts exact, if the last
 * commit did not: one dump of the family, which must hold what the model
 * says (then its handles are taken), and fresh contexts whose new sets
 * cannot take the name of a set the tables already have.
 */
typedef struct AdoptSets {
        NftCompileState state;
        uint32_t genid;
} AdoptSets;

/* Each table read: a context for its edits that knows its sets, and names new ones after the generation. */
static int adopt_table_sets(Manager *m, Family f, TableType t, const NftTableDump *dump, void *userdata) {
        AdoptSets *a = userdata;
        const Table *table = ruleset_get_table(m->rules, f, t);
        int r;

        if (!table || (int)t < 0)
                return 0;
        r = nft_compile_context_new(table, NULL, NULL, &a->state.tables[f][t]);
        if (r < 0)
                return r;
        nft_compile_context_name_sets(a->state.tables[f][t], a->genid);
        return nft_compile_context_adopt_sets(a->state.tables[f][t], dump);
}

static int manager_edit_prepare(Manager *m, Family f, DiagList *diags) {
        _cleanup_(ruleset_freep) Ruleset *kernel = NULL;
        AdoptSets adopt = {};
        int r;

        if (m->edit_ready[f])
                return 0;
        r = nft_socket_get_genid(m->nft, &adopt.genid);
        if (r >= 0)
                r = manager_read_kernel_full(m, FAMILY_BIT(f), diags, adopt_table_sets, &adopt, &kernel);
        if (r < 0) {
                nft_compile_state_drop(&adopt.state, FAMILY_ANY);
                return r;
        }
        nft_compile_state_drop(&m->compile, FAMILY_BIT(f));
        for (TableType tt = 0; tt < _TABLE_TYPE_MAX; tt++) {
                Table *t = ruleset_get_table(m->rules, f, tt), *kt = ruleset_get_table(kernel, f, tt);

                if (!t)
                        continue;
                if (!kt || !table_same(t, kt) || t->n_chains != kt->n_chains)
                        goto changed;
                for (size_t i = 0; i < t->n_chains; i++) {
                        t->chains[i]->handle = kt->chains[i]->handle;
                        for (size_t k = 0; k < t->chains[i]->n_rules; k++)
                                t->chains[i]->rules[k]->handle = kt->chains[i]->rules[k]->handle;
                }
                m->compile.tables[f][tt] = TAKE_PTR(adopt.state.tables[f][tt]);
                if (!m->compile.tables[f][tt]) {
                        r = nft_compile_context_new(t, NULL, NULL, &m->compile.tables[f][tt]);
                        if (r < 0) {
                                nft_compile_state_drop(&adopt.state, FAMILY_ANY);
                                return r;
                        }
                        nft_compile_context_name_sets(m->compile.tables[f][tt], adopt.genid);
                }
        }
        nft_compile_state_drop(&adopt.state, FAMILY_ANY);
        m->edit_ready[f] = true;
        return 0;

changed:
        nft_compile_state_drop(&adopt.state, FAMILY_ANY);
        nft_compile_state_drop(&m->compile, FAMILY_BIT(f));
        (void)diag_list_add(diags, DIAG_ERROR, DIAG_KERNEL, NULL,
                            "nfwall's %s tables are not what nfwall loaded (changed outside nfwall): "
                            "reload or restart first", family_label[f]);
        return -ESTALE;
}

/* The family an iptables command line is for: -6 makes it ip6tables, as in a rules file. */
static Family command_line_family(char *const *args, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (streq(args[i], "-6") || streq(args[i], "--ipv6"))
                        return FAMILY_IPV6;
        return FAMILY_IPV4;
}

/* A table nothing was put in, as iptables shows one: its built-in chains, empty. It lives in *holder. */
static int empty_table(Family f, TableType type, Ruleset **holder, Table **ret) {
        int r = ruleset_new(holder);

        return r < 0 ? r : ruleset_ensure_table(*holder, f, type, NULL, ret);
}

/* -L and -S, from the model; with counters asked for, from the kernel's table (counters live there). */
static ProtoExit manager_iptables_list(Manager *m, Family f, const Command *c, StrBuf *text, DiagList *diags) {
        _cleanup_(ruleset_freep) Ruleset *read = NULL, *empty = NULL;
        const Ruleset *from = m->panic ? m->panic_rules : m->rules;
        bool counters = c->flags & COMMAND_VERBOSE;
        const char *chain = (c->flags & COMMAND_HAS_CHAIN) ? c->chain : NULL;
        const Table *t;
        unsigned flags = 0;
        int r;

        if (counters) {
                r = manager_read_table(m, f, c->table, diags, &read);
                if (r < 0)
                        return PROTO_EXIT_FAILURE;
                from = read;
        }
        t = ruleset_get_table(from, f, c->table);
        if (!t) {
                Table *e;

                if (empty_table(f, c->table, &empty, &e) < 0)
                        return PROTO_EXIT_FAILURE;
                t = e;
        }
        if (chain && !table_find_chain(t, chain)) {
                (void)diag_list_add(diags, DIAG_ERROR, DIAG_SEMANTIC, &c->loc, "chain %s does not exist in table %s",
                                    chain, table_type_to_string(c->table));
                return PROTO_EXIT_FAILURE;
        }

        if (chain && (c->flags & COMMAND_HAS_RULENUM)) {
                const Chain *ch = table_find_chain(t, chain);

                if (c->rulenum > ch->n_rules) {
                        (void)diag_list_add(diags, DIAG_ERROR, DIAG_SEMANTIC, &c->loc,
                                            "no rule %zu in chain %s: it has %zu rule%s", c->rulenum, ch->name,
                                            ch->n_rules, ch->n_rules == 1 ? "" : "s");
                        return PROTO_EXIT_FAILURE;
                }
        }
        if (c->type == COMMAND_LIST_RULES)
                r = table_print_rules(t, chain, (c->flags & COMMAND_HAS_RULENUM) ? c->rulenum : 0,
                                      counters ? PRINT_COUNTERS : 0, text);
        else {
                if (c->flags & COMMAND_NUMERIC)
                        flags |= PRINT_NUMERIC;
                if (c->flags & COMMAND_VERBOSE)
                        flags |= PRINT_VERBOSE;
                if (c->flags & COMMAND_EXACT)
                        flags |= PRINT_EXACT;
                if (c->flags & COMMAND_LINE_NUMBERS)
                        flags |= PRINT_LINE_NUMBERS;
                if (c->flags & COMMAND_HAS_RULENUM)
                        r = table_print_list_rule(t, chain, c->rulenum, flags, text);
                else
                        r = table_print_list(t, chain, flags, text);
        }
        return r < 0 ? PROTO_EXIT_FAILURE : PROTO_EXIT_OK;
}

/*
 * A modifying command: checked on the model, compiled to the messages
 * of one transaction, committed, and only then carried out on the model.
 */
static ProtoExit manager_iptables_edit(Manager *m, Family f, Command *c, StrBuf *text, DiagList *diags) {
        NftBatch batch = NFT_BATCH_INIT;
        NftCompileContext *ctx = NULL;
        NftEdit edit;
        bool new_table = false, new_ctx = false;
        Table *t;
        int r;

        if (c->type != COMMAND_CHECK) {
                if (m->panic) {
                        (void)diag_list_add(diags, DIAG_ERROR, DIAG_SEMANTIC, NULL,
                                            "panic is on (all traffic is dropped): rules cannot be edited until "
                                            "\"nfwallctl panic off\"");
                        return PROTO_EXIT_FAILURE;
                }
                if (m->changed_outside) {
                        (void)diag_list_add(diags, DIAG_ERROR, DIAG_SEMANTIC, NULL,
                                            "nfwall's tables were changed outside nfwall (see status): "
                                            "reload or restart first, so that edits apply to the rules nfwall loaded");
                        return PROTO_EXIT_FAILURE;
                }
                r = manager_edit_prepare(m, f, diags);
                if (r < 0)
                        return PROTO_EXIT_FAILURE;
        }

        /* in panic, -C answers from what is in force, as -S shows it */
        t = ruleset_get_table(m->panic && c->type == COMMAND_CHECK ? m->panic_rules : m->rules, f, c->table);
        if (!t) {
                if (c->type == COMMAND_CHECK || c->type == COMMAND_DELETE || c->type == COMMAND_REPLACE) {
                        /* nothing to find in a table that is not there: the same answer as its empty chains give */
                        _cleanup_(ruleset_freep) Ruleset *empty = NULL;
                        Table *e;

                        if (empty_table(f, c->table, &empty, &e) >= 0)
                                (void)command_resolve(e, c, diags, &edit.plan);
                        return PROTO_EXIT_FAILURE;
                }
                r = ruleset_ensure_table(m->rules, f, c->table, &c->loc, &t);
                if (r < 0)
                        return PROTO_EXIT_FAILURE;
                new_table = true;
        }

        ctx = m->compile.tables[f][c->table];
        if (!ctx && c->type != COMMAND_CHECK) {
                uint32_t genid = 0;

                r = nft_socket_get_genid(m->nft, &genid);
                if (r >= 0)
                        r = nft_compile_context_new(t, NULL, diags, &ctx);
                if (r < 0)
                        goto finish;
                nft_compile_context_name_sets(ctx, genid);
                m->compile.tables[f][c->table] = ctx;
                new_ctx = true;
        }
        r = nft_edit_begin(&edit, ctx, t, new_table, c, &batch, diags);
        if (r < 0 || c->type == COMMAND_CHECK)
                goto finish;
        if (batch.n_messages > 0) {
                NftCommitStats stats = {};

                r = nft_socket_commit(m->nft, &batch, NFT_COMMIT_ECHO, 0, diags, &stats);
                if (r >= 0)
                        manager_account_own_commit(m);
                /* tests/bench/run-edit reads this line (nfwalld --debug); the stats are set once sent */
                if (stats.n_messages > 0)
                        log_debug("edit commit: %zu messages, %" PRIu64 " bytes, build %" PRIu64 " us, sendmsg %" PRIu64
                                  " us, drain %" PRIu64 " us",
                                  stats.n_messages, stats.n_bytes, stats.build_usec, stats.sendmsg_usec,
                                  stats.drain_usec);
                if (r == -ENOBUFS) {
                        /* whether it took effect is unknown: the next edit reads the kernel, verify tells */
                        m->edit_ready[f] = false;
                        manager_schedule_verify(m);
                        (void)diag_list_add(diags, DIAG_ERROR, DIAG_KERNEL, NULL,
                                            "the kernel's answers were lost: whether the edit took effect is unknown "
                                            "(status tells what is in force)");
                } else if (r < 0 && !diag_list_has_errors(diags))
                        (void)diag_list_add(diags, DIAG_ERROR, DIAG_KERNEL, NULL, "the transaction failed: %s",
                                            strerror(-r));
        }
        if (r < 0) {
                (void)nft_edit_end(&edit, &batch, false);
                goto finish;
        }
        r = nft_edit_end(&edit, &batch, true);
        if (r < 0) {
                /* the kernel has it, the model not: read the kernel's rules into the model */
                _cleanup_(ruleset_freep) Ruleset *now = NULL;

                log_error("Out of memory while recording an edit the kernel took; reading nfwall's tables back");
                if (manager_read_kernel(m, FAMILY_BIT(f), diags, &now) >= 0)
                        (void)ruleset_move_family(m->rules, now, f);
                m->edit_ready[f] = false;
                r = 0;
        }
        new_table = false;
        new_ctx = false;
        /* zeroed counters, or a flush of nothing, leave the rules as the file has them */
        if (c->type != COMMAND_ZERO && batch.n_messages > 0)
                m->family[f].n_unsaved++;

finish:
        nft_batch_deinit(&batch);
        if (new_ctx) {
                nft_compile_context_free(m->compile.tables[f][c->table]);
                m->compile.tables[f][c->table] = NULL;
        }
        if (new_table)
                ruleset_remove_table(m->rules, f, c->table);
        if (r == -ENOMEM)
                (void)diag_list_add(diags, DIAG_ERROR, DIAG_IO, NULL, "out of memory");
        if (r >= 0)
                return PROTO_EXIT_OK;
        /* iptables exits 2 for what it refuses while reading the command line */
        for (size_t i = 0; i < diags->n_items; i++)
                if (diags->items[i].level == DIAG_ERROR)
                        return diags->items[i].code == DIAG_PARAMETER ? PROTO_EXIT_USAGE : PROTO_EXIT_FAILURE;
        return PROTO_EXIT_FAILURE;
}

/**
 * manager_iptables() - one iptables command line against the running firewall
 * @m: the manager
 * @args: the command line after "nfwallctl", as given
 * @n_args: how many
 * @text: what iptables would print (-L, -S)
 * @diags: what is wrong, as data
 *
 * The rules file's grammar reads it; the model answers -C, -L, -S and
 * says where an edit goes; an edit is one transaction (see
 * manager_iptables_edit()). Requests are handled one at a time, so
 * concurrent edits are serialised.
 *
 * Return: iptables' exit status: 0; 1 for a refused or failed command
 * (-C: no such rule); 2 for a command line that does not parse.
 */
ProtoExit manager_iptables(Manager *m, char *const *args, size_t n_args, StrBuf *text, DiagList *diags) {
        _cleanup_free_ Token *tokens = NULL;
        _cleanup_(command_deinit) Command c = COMMAND_INIT;
        Family f = command_line_family(args, n_args);
        ParseContext pc = {
                .family = f,
                .table = TABLE_FILTER,
                .diags = diags,
        };
        ProtoExit ret;
        int r;

        if (n_args == 0) {
                (void)diag_list_add(diags, DIAG_ERROR, DIAG_SYNTAX, NULL, "no command given");
                return PROTO_EXIT_USAGE;
        }
        tokens = calloc(n_args, sizeof(Token));
        if (!tokens)
                return PROTO_EXIT_FAILURE;
        for (size_t i = 0; i < n_args; i++)
                /* the shell has unquoted them already: a lone "!" is negation, as for iptables */
                tokens[i] = (Token){ .text = args[i], .column = (unsigned)i + 1 };
        r = command_parse(&pc, tokens, n_args, &c);
        if (r < 0)
                return r == -ENOMEM ? PROTO_EXIT_FAILURE : PROTO_EXIT_USAGE;

        if (m->state != MANAGER_RUNNING && !m->panic) {
                (void)diag_list_add(diags, DIAG_ERROR, DIAG_SEMANTIC, NULL,
                                    "nfwall is %s: there is no firewall to %s (start loads the rules)",
                                    manager_state_to_string(m->state),
                                    c.type == COMMAND_LIST || c.type == COMMAND_LIST_RULES ? "list" : "edit");
                return PROTO_EXIT_FAILURE;
        }

        if (c.type == COMMAND_LIST || c.type == COMMAND_LIST_RULES) {
                ret = manager_iptables_list(m, f, &c, text, diags);
                if (ret != PROTO_EXIT_OK || !(c.flags & COMMAND_LIST_ZERO))
                        return ret;
                /* -L -Z: what was listed is zeroed, as one more transaction */
                c.type = COMMAND_ZERO;
                c.flags &= ~(unsigned)COMMAND_HAS_RULENUM;
        }

        ret = manager_iptables_edit(m, f, &c, text, diags);
        if (ret == PROTO_EXIT_OK && c.type != COMMAND_CHECK) {
                StrBuf line = STRBUF_INIT;

                for (size_t i = 0; i < n_args; i++)
                        strbuf_printf(&line, "%s%s", i > 0 ? " " : "", args[i]);
                log_info("%s: %s", family_label[f], line.error ? "(an edit)" : line.data);
                strbuf_deinit(&line);
                manager_notify_status(m, NULL);
        }
        return ret;
}

/* ---- requests ---- */

static bool request_no_args(const ProtoMessage *request, DiagList *diags) {
        if (request->n_args == 0)
                return true;
        (void)diag_list_add(diags, DIAG_ERROR, DIAG_SYNTAX, NULL, "%s: unexpected argument \"%s\"",
                            proto_command_to_string(request->command), request->args[0]);
        return false;
}

/**
 * manager_handle_request() - answer one request from the control socket
 * @userdata: the manager
 * @peer: who asks (already authorised by control)
 * @request: the request
 * @reply: to fill: status, text, diagnostics
 */
void manager_handle_request(void *userdata, const ControlPeer *peer, const ProtoMessage *request,
                            ProtoMessage *reply) {
        Manager *m = userdata;
        StrBuf text = STRBUF_INIT;
        DiagList *diags = &reply->diags;
        ProtoExit status = PROTO_EXIT_USAGE;

        diags->max_items = DIAG_LIST_MAX;
        if (request->command != PROTO_STATUS && request->command != PROTO_VERSION_CMD &&
            !(request->command == PROTO_PANIC && request->n_args == 1 && streq(request->args[0], "status")))
                log_info("%s requested by uid %u (pid %d)", strempty(proto_command_to_string(request->command)),
                         (unsigned)peer->uid, (int)peer->pid);

        switch (request->command) {
        case PROTO_START:
                if (request_no_args(request, diags))
                        status = manager_start(m, &text, diags);
                break;
        case PROTO_STOP:
                if (request_no_args(request, diags))
                        status = manager_stop(m, &text, diags);
                break;
        case PROTO_RESTART:
                if (request_no_args(request, diags))
                        status = manager_restart(m, &text, diags);
                break;
        case PROTO_RELOAD:
                if (request_no_args(request, diags))
                        status = manager_reload(m, &text, diags);
                break;
        case PROTO_CONDRESTART:
                if (request_no_args(request, diags))
                        status = manager_condrestart(m, &text, diags);
                break;
        case PROTO_STATUS:
                if (request_no_args(request, diags))
                        status = manager_status(m, request->flags, &text, diags);
                break;
        case PROTO_SAVE:
                if (request_no_args(request, diags))
                        status = manager_save(m, &text, diags);
                break;
        case PROTO_PANIC:
                if (request->n_args != 1)
                        (void)diag_list_add(diags, DIAG_ERROR, DIAG_SYNTAX, NULL, "panic: expected on, off or status");
                else
                        status = manager_panic(m, request->args[0], &text, diags);
                break;
        case PROTO_CHECK:
                status = manager_check(m, request->args, request->flags & PROTO_FLAG_IPV6, &text, diags);
                break;
        case PROTO_VERSION_CMD:
                if (request_no_args(request, diags)) {
                        strbuf_printf(&text, "nfwalld %s\nprotocol %d\n", PACKAGE_VERSION, PROTO_VERSION);
                        status = PROTO_EXIT_OK;
                }
                break;
        case PROTO_IPTABLES:
                status = manager_iptables(m, request->args, request->n_args, &text, diags);
                break;
        case _PROTO_COMMAND_MAX:
        case _PROTO_COMMAND_INVALID:
                (void)diag_list_add(diags, DIAG_ERROR, DIAG_SYNTAX, NULL, "unknown command");
                break;
        }

        if (text.error) {
                strbuf_deinit(&text);
                diag_list_clear(diags);
                (void)diag_list_add(diags, DIAG_ERROR, DIAG_IO, NULL, "out of memory");
                status = PROTO_EXIT_FAILURE;
        }
        reply->status = status;
        if (text.len > 0)
                proto_message_set_text(reply, TAKE_PTR(text.data), text.len);
        strbuf_deinit(&text);
}
