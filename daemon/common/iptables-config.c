/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iptables-config: reads the shell-variable file of iptables-services (the
 * subset of sh it is written in) and prints the equivalent nfwall.conf.
 */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iptables-config.h"
#include "module-name.h"

typedef enum IptKey {
        IPT_MODULES,
        IPT_MODULES_UNLOAD,
        IPT_SAVE_ON_STOP,
        IPT_SAVE_ON_RESTART,
        IPT_SAVE_COUNTER,
        IPT_STATUS_NUMERIC,
        IPT_STATUS_VERBOSE,
        IPT_STATUS_LINENUMBERS,
        _IPT_KEY_MAX,
        _IPT_KEY_INVALID = -EINVAL,
} IptKey;

/* The variable's name without its IPTABLES_/IP6TABLES_ prefix. */
static const char *const ipt_key_table[_IPT_KEY_MAX] = {
        [IPT_MODULES] = "MODULES",
        [IPT_MODULES_UNLOAD] = "MODULES_UNLOAD",
        [IPT_SAVE_ON_STOP] = "SAVE_ON_STOP",
        [IPT_SAVE_ON_RESTART] = "SAVE_ON_RESTART",
        [IPT_SAVE_COUNTER] = "SAVE_COUNTER",
        [IPT_STATUS_NUMERIC] = "STATUS_NUMERIC",
        [IPT_STATUS_VERBOSE] = "STATUS_VERBOSE",
        [IPT_STATUS_LINENUMBERS] = "STATUS_LINENUMBERS",
};
DECLARE_STRING_TABLE_LOOKUP(ipt_key, IptKey);
DEFINE_STRING_TABLE_LOOKUP(ipt_key, IptKey);

/*
 * The nfwall.conf keys, in the order the output lists them. Spelled out
 * here because common/ cannot link the daemon's conf.c; the unit test
 * loads every converted file with conf.c, which keeps the two in step.
 */
static const char *const ipt_key_setting_table[_IPT_KEY_MAX] = {
        [IPT_MODULES] = "modules",
        [IPT_MODULES_UNLOAD] = "modules_unload",
        [IPT_SAVE_ON_STOP] = "save_on_stop",
        [IPT_SAVE_ON_RESTART] = "save_on_restart",
        [IPT_SAVE_COUNTER] = "save_counter",
        [IPT_STATUS_NUMERIC] = "status_numeric",
        [IPT_STATUS_VERBOSE] = "status_verbose",
        [IPT_STATUS_LINENUMBERS] = "status_linenumbers",
};

#define NO_XTABLES_LOCK "nfwall commits rules in one nf_tables transaction and takes no xtables lock"

/* iptables-services variables nfwall deliberately has no setting for, and what to do instead. */
static const struct {
        const char *suffix;
        const char *reason;
} ipt_unconverted[] = {
        { "SYSCTL_LOAD_LIST", "use sysctl.d(5) files, which systemd-sysctl applies at boot" },
        { "RESTORE_WAIT", NO_XTABLES_LOCK },
        { "RESTORE_WAIT_INTERVAL", NO_XTABLES_LOCK },
};

typedef struct IptValue {
        bool set;
        unsigned line;
        bool enabled;
        char **modules;         /* NULL-terminated once set */
        size_t n_modules;
} IptValue;

typedef struct IptParser {
        const char *name;
        DiagList *diags;
        const char *p;          /* cursor into the text */
        unsigned line;          /* of the cursor */
        unsigned stmt_line;     /* where the current assignment starts */

        IptValue values[_IPT_KEY_MAX];

        /* The "not converted" comments, in input order. */
        char *notes;
        size_t notes_size;
        FILE *notes_f;
} IptParser;

static void strv_freep(char ***l) {
        if (!*l)
                return;
        for (char **p = *l; *p; p++)
                free(*p);
        free(*l);
        *l = NULL;
}

static void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}

static void ipt_parser_deinit(IptParser *c) {
        for (size_t i = 0; i < _IPT_KEY_MAX; i++)
                strv_freep(&c->values[i].modules);
        if (c->notes_f)
                fclose(c->notes_f);
        free(c->notes);
}

static int ipt_parser_diag(IptParser *c, DiagLevel level, unsigned line, const char *fmt, ...)
        _printf_(4, 5);
static int ipt_parser_diag(IptParser *c, DiagLevel level, unsigned line, const char *fmt, ...) {
        DiagCode code = level == DIAG_ERROR ? DIAG_SYNTAX : DIAG_UNSUPPORTED;
        SourceLoc loc = { .file = c->name, .line = line };
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = diag_list_addv(c->diags, level, code, &loc, fmt, ap);
        va_end(ap);
        return r;
}

/* A comment line must stay one line, whatever bytes the input held. */
static void fputs_comment_safe(const char *s, FILE *f) {
        for (; *s; s++)
                fputc((unsigned char) *s < ' ' || *s == 0x7f ? '?' : *s, f);
}

static int ipt_parser_not_converted(IptParser *c, const char *var, const char *value, const char *reason) {
        fprintf(c->notes_f, "# Not converted (line %u): %s=\"", c->stmt_line, var);
        fputs_comment_safe(value, c->notes_f);
        fputs("\": ", c->notes_f);
        fputs(reason, c->notes_f);
        fputs(".\n", c->notes_f);
        if (ferror(c->notes_f))
                return -ENOMEM;

        return ipt_parser_diag(c, DIAG_WARNING, c->stmt_line, "%s is not converted: %s", var, reason);
}

static int ipt_parser_set_bool(IptParser *c, const char *var, const char *value, IptValue *v) {
        if (strcasecmp(value, "yes") == 0)
                v->enabled = true;
        else if (strcasecmp(value, "no") == 0)
                v->enabled = false;
        else if (value[0] == 0) {
                /* iptables.init compares with "yes", so an empty value means no. */
                v->enabled = false;
                return ipt_parser_diag(c, DIAG_WARNING, c->stmt_line,
                                       "%s is empty, converted as \"no\" as iptables.init reads it", var);
        } else
                return ipt_parser_diag(c, DIAG_ERROR, c->stmt_line,
                                       "%s: expected \"yes\" or \"no\", got \"%s\"", var, value);
        return 0;
}

static int ipt_parser_set_modules(IptParser *c, const char *var, const char *value, IptValue *v) {
        _cleanup_(strv_freep) char **l = NULL;
        size_t n = 0, allocated = 0;
        bool ok = true;
        int r;

        /* iptables.init splits the list on IFS: spaces, tabs and newlines. */
        for (const char *p = value + strspn(value, " \t\n"); *p; p += strspn(p, " \t\n")) {
                size_t len = strcspn(p, " \t\n");
                _cleanup_free_ char *m = strndup(p, len);

                p += len;
                if (!m)
                        return -ENOMEM;

                if (!module_name_is_valid(m)) {
                        r = ipt_parser_diag(c, DIAG_ERROR, c->stmt_line, "%s: \"%s\" is not a module name",
                                            var, m);
                        if (r < 0)
                                return r;
                        ok = false;
                        continue;
                }

                if (n + 2 > allocated) {
                        size_t k = allocated ? allocated * 2 : 8;
                        char **t = reallocarray(l, k, sizeof(char *));

                        if (!t)
                                return -ENOMEM;
                        l = t;
                        allocated = k;
                }
                l[n++] = TAKE_PTR(m);
                l[n] = NULL;
        }

        if (!ok)
                return 0;

        if (!l) {
                l = calloc(1, sizeof(char *));
                if (!l)
                        return -ENOMEM;
        }

        strv_freep(&v->modules);
        v->modules = TAKE_PTR(l);
        v->n_modules = n;
        return 0;
}

static int ipt_parser_assign(IptParser *c, const char *var, const char *value) {
        size_t n_errors = c->diags->n_errors;
        const char *suffix = NULL;
        IptValue *v;
        IptKey key;
        int r;

        if (strncmp(var, "IPTABLES_", 9) == 0)
                suffix = var + 9;
        else if (strncmp(var, "IP6TABLES_", 10) == 0)
                suffix = var + 10;
        else
                return ipt_parser_not_converted(c, var, value, "not an iptables-config variable");

        key = ipt_key_from_string(suffix);
        if (key < 0) {
                for (size_t i = 0; i < ELEMENTSOF(ipt_unconverted); i++)
                        if (streq(suffix, ipt_unconverted[i].suffix))
                                return ipt_parser_not_converted(c, var, value, ipt_unconverted[i].reason);
                return ipt_parser_not_converted(c, var, value,
                                                "unknown iptables-config variable, nfwall has no equivalent");
        }

        v = &c->values[key];
        if (v->set) {
                r = ipt_parser_diag(c, DIAG_WARNING, c->stmt_line, "%s overrides the value from line %u",
                                    var, v->line);
                if (r < 0)
                        return r;
        }

        switch (key) {
        case IPT_MODULES:
                r = ipt_parser_set_modules(c, var, value, v);
                break;
        case IPT_MODULES_UNLOAD:
        case IPT_SAVE_ON_STOP:
        case IPT_SAVE_ON_RESTART:
        case IPT_SAVE_COUNTER:
        case IPT_STATUS_NUMERIC:
        case IPT_STATUS_VERBOSE:
        case IPT_STATUS_LINENUMBERS:
                r = ipt_parser_set_bool(c, var, value, v);
                break;
        case _IPT_KEY_MAX:
        case _IPT_KEY_INVALID:
                return -EINVAL;
        }
        if (r < 0)
                return r;
        if (c->diags->n_errors > n_errors)
                return 0;

        v->set = true;
        v->line = c->stmt_line;
        return 0;
}

static bool is_name_start(char ch) {
        return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_';
}

static bool is_name_char(char ch) {
        return is_name_start(ch) || (ch >= '0' && ch <= '9');
}

static bool is_blank(char ch) {
        return ch == ' ' || ch == '\t';
}

static void ipt_parser_skip_line(IptParser *c) {
        while (*c->p && *c->p != '\n')
                c->p++;
}

/* Returns 1 on success, 0 after recording an error, <0 on failure. */
static int ipt_parser_error(IptParser *c, const char *fmt, ...) _printf_(2, 3);
static int ipt_parser_error(IptParser *c, const char *fmt, ...) {
        SourceLoc loc = { .file = c->name, .line = c->line };
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = diag_list_addv(c->diags, DIAG_ERROR, DIAG_SYNTAX, &loc, fmt, ap);
        va_end(ap);
        return r < 0 ? r : 0;
}

/*
 * One shell word: bare characters, '...' and "..." glued together, as sh
 * reads an assignment's value. Anything that would make sh run or expand
 * something is refused: we convert what the file says, not what a shell
 * would compute from it.
 */
static int ipt_parser_read_word(IptParser *c, FILE *out) {
        for (;;) {
                char ch = *c->p;

                switch (ch) {
                case 0:
                case ' ':
                case '\t':
                case '\n':
                        return 1;

                case '\'':
                        c->p++;
                        for (; *c->p != '\''; c->p++) {
                                if (!*c->p) {
                                        c->line = c->stmt_line;
                                        return ipt_parser_error(c, "unterminated single quote");
                                }
                                if (*c->p == '\n')
                                        c->line++;
                                fputc(*c->p, out);
                        }
                        c->p++;
                        break;

                case '"':
                        c->p++;
                        for (; *c->p != '"'; c->p++) {
                                if (!*c->p) {
                                        c->line = c->stmt_line;
                                        return ipt_parser_error(c, "unterminated double quote");
                                }
                                if (*c->p == '$' || *c->p == '`')
                                        return ipt_parser_error(c, "shell expansion ('%c') is not supported",
                                                                *c->p);
                                if (*c->p == '\\' && c->p[1] == '\n') {
                                        c->p++;
                                        c->line++;
                                        continue;
                                }
                                if (*c->p == '\\' && c->p[1] && strchr("$`\"\\", c->p[1]))
                                        c->p++;
                                else if (*c->p == '\n')
                                        c->line++;
                                fputc(*c->p, out);
                        }
                        c->p++;
                        break;

                case '\\':
                        c->p++;
                        if (!*c->p)
                                return ipt_parser_error(c, "backslash at end of file");
                        if (*c->p == '\n')
                                c->line++;
                        else
                                fputc(*c->p, out);
                        c->p++;
                        break;

                case '$':
                case '`':
                        return ipt_parser_error(c, "shell expansion ('%c') is not supported", ch);

                case ';':
                case '&':
                case '|':
                case '<':
                case '>':
                case '(':
                case ')':
                        return ipt_parser_error(c, "shell syntax ('%c') is not supported", ch);

                default:
                        fputc(ch, out);
                        c->p++;
                }
        }
}

/* Returns 1 if a name was read into buf. */
static int ipt_parser_read_name(IptParser *c, char *buf, size_t size) {
        size_t n = 0;

        if (!is_name_start(*c->p))
                return 0;
        while (is_name_char(*c->p)) {
                if (n + 1 >= size)
                        return 0;
                buf[n++] = *c->p++;
        }
        buf[n] = 0;
        return 1;
}

/* Blanks, then an optional comment, then the end of the line. */
static int ipt_parser_finish_line(IptParser *c, const char *what) {
        while (is_blank(*c->p))
                c->p++;
        if (*c->p == '#')
                ipt_parser_skip_line(c);
        if (*c->p && *c->p != '\n') {
                const char *hint = streq(what, "the value") ? " (quote values that contain spaces)" : "";

                return ipt_parser_error(c, "unexpected text after %s%s", what, hint);
        }
        return 1;
}

static int ipt_parser_statement(IptParser *c) {
        _cleanup_free_ char *value = NULL;
        _cleanup_(fclosep) FILE *f = NULL;
        bool exported = false;
        char var[256];
        size_t size = 0;
        int r;

        if (!ipt_parser_read_name(c, var, sizeof(var)))
                return ipt_parser_error(c, "expected NAME=VALUE");

        if (streq(var, "export") && is_blank(*c->p)) {
                while (is_blank(*c->p))
                        c->p++;
                if (!ipt_parser_read_name(c, var, sizeof(var)))
                        return ipt_parser_error(c, "expected NAME or NAME=VALUE after export");
                exported = true;
        }

        if (*c->p != '=') {
                const char *q = c->p;

                /* "export NAME" alone only marks a variable for export. */
                if (exported && (!*q || *q == '\n' || is_blank(*q) || *q == '#'))
                        return ipt_parser_finish_line(c, "export");

                while (is_blank(*q))
                        q++;
                if (*q == '=')
                        return ipt_parser_error(c, "no spaces are allowed around '=' in %s", var);
                return ipt_parser_error(c, "expected NAME=VALUE");
        }
        c->p++;

        f = open_memstream(&value, &size);
        if (!f)
                return -ENOMEM;
        r = ipt_parser_read_word(c, f);
        if (r <= 0)
                return r;
        if (fflush(f) != 0 || ferror(f))
                return -ENOMEM;

        r = ipt_parser_finish_line(c, "the value");
        if (r <= 0)
                return r;

        r = ipt_parser_assign(c, var, value);
        return r < 0 ? r : 1;
}

static int ipt_parser_run(IptParser *c, const char *text) {
        int r;

        c->p = text;
        c->line = 1;

        for (;;) {
                while (is_blank(*c->p) || *c->p == '\n')
                        if (*c->p++ == '\n')
                                c->line++;
                if (!*c->p)
                        return 0;
                if (*c->p == '#') {
                        ipt_parser_skip_line(c);
                        continue;
                }

                c->stmt_line = c->line;
                r = ipt_parser_statement(c);
                if (r < 0)
                        return r;
                if (r == 0)
                        /* Recover at the next line, so every broken line gets its error. */
                        ipt_parser_skip_line(c);
        }
}

static int ipt_parser_print(IptParser *c, FILE *f) {
        fputs("# nfwall.conf, converted by \"nfwallctl import-config\" from ", f);
        fputs_comment_safe(c->name, f);
        fputs(".\n"
              "# Settings not given there keep nfwall's defaults, which are those of iptables-services.\n"
              "\n", f);

        for (IptKey k = 0; k < _IPT_KEY_MAX; k++) {
                const IptValue *v = &c->values[k];

                if (!v->set)
                        continue;

                fprintf(f, "%s = ", ipt_key_setting_table[k]);
                switch (k) {
                case IPT_MODULES:
                        /* module_name_is_valid() leaves nothing that needs escaping. */
                        fputs("[", f);
                        for (size_t i = 0; i < v->n_modules; i++)
                                fprintf(f, "%s \"%s\"", i > 0 ? "," : "", v->modules[i]);
                        fputs(" ];\n", f);
                        break;
                case IPT_MODULES_UNLOAD:
                case IPT_SAVE_ON_STOP:
                case IPT_SAVE_ON_RESTART:
                case IPT_SAVE_COUNTER:
                case IPT_STATUS_NUMERIC:
                case IPT_STATUS_VERBOSE:
                case IPT_STATUS_LINENUMBERS:
                        fprintf(f, "%s;\n", v->enabled ? "true" : "false");
                        break;
                case _IPT_KEY_MAX:
                case _IPT_KEY_INVALID:
                        return -EINVAL;
                }
        }

        if (c->notes_size > 0) {
                fputc('\n', f);
                fputs(c->notes, f);
        }

        return ferror(f) ? -ENOMEM : 0;
}

int iptables_config_convert(const char *text, const char *name, char **ret, DiagList *diags) {
        _cleanup_(ipt_parser_deinit) IptParser c = {
                .name = name ?: "<string>",
                .diags = diags,
        };
        _cleanup_free_ char *out = NULL;
        _cleanup_(fclosep) FILE *f = NULL;
        size_t n_errors = diags->n_errors, size = 0;
        int r;

        c.notes_f = open_memstream(&c.notes, &c.notes_size);
        if (!c.notes_f)
                return -ENOMEM;

        r = ipt_parser_run(&c, text);
        if (r < 0)
                return r;
        if (diags->n_errors > n_errors)
                return -EINVAL;
        if (fflush(c.notes_f) != 0)
                return -ENOMEM;

        f = open_memstream(&out, &size);
        if (!f)
                return -ENOMEM;
        r = ipt_parser_print(&c, f);
        if (r < 0)
                return r;
        if (fflush(f) != 0)
                return -ENOMEM;
        /* Closing is what makes open_memstream's buffer final. */
        fclose(TAKE_PTR(f));

        *ret = TAKE_PTR(out);
        return 0;
}
