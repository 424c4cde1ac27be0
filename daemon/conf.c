/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * conf: nfwall.conf (libconfig) → Settings, strictly typed and validated,
 * every problem returned as a diagnostic with file:line.
 */

#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "fileio.h"
#include "conf.h"
#include "module-name.h"

static const char *const setting_key_table[_SETTING_KEY_MAX] = {
        [SETTING_MODULES] = "modules",
        [SETTING_MODULES_UNLOAD] = "modules_unload",
        [SETTING_SAVE_ON_STOP] = "save_on_stop",
        [SETTING_SAVE_ON_RESTART] = "save_on_restart",
        [SETTING_SAVE_COUNTER] = "save_counter",
        [SETTING_STATUS_NUMERIC] = "status_numeric",
        [SETTING_STATUS_VERBOSE] = "status_verbose",
        [SETTING_STATUS_LINENUMBERS] = "status_linenumbers",
        [SETTING_RULES_V4] = "rules_v4",
        [SETTING_RULES_V6] = "rules_v6",
        [SETTING_CONTROL_SOCKET] = "control_socket",
        [SETTING_CONTROL_GROUP] = "control_group",
        [SETTING_FALLBACK_RULES_V4] = "fallback_rules_v4",
        [SETTING_FALLBACK_RULES_V6] = "fallback_rules_v6",
};
DEFINE_STRING_TABLE_LOOKUP(setting_key, SettingKey);

typedef enum SettingType {
        SETTING_TYPE_MODULE_LIST,
        SETTING_TYPE_BOOL,
        SETTING_TYPE_PATH,              /* absolute */
        SETTING_TYPE_SOCKET_PATH,       /* absolute, and bind() must be able to take it */
        SETTING_TYPE_GROUP,             /* a group name, or "" */
} SettingType;

static const struct {
        SettingType type;
        size_t offset;
} setting_info[_SETTING_KEY_MAX] = {
        [SETTING_MODULES] = { SETTING_TYPE_MODULE_LIST, offsetof(Settings, modules) },
        [SETTING_MODULES_UNLOAD] = { SETTING_TYPE_BOOL, offsetof(Settings, modules_unload) },
        [SETTING_SAVE_ON_STOP] = { SETTING_TYPE_BOOL, offsetof(Settings, save_on_stop) },
        [SETTING_SAVE_ON_RESTART] = { SETTING_TYPE_BOOL, offsetof(Settings, save_on_restart) },
        [SETTING_SAVE_COUNTER] = { SETTING_TYPE_BOOL, offsetof(Settings, save_counter) },
        [SETTING_STATUS_NUMERIC] = { SETTING_TYPE_BOOL, offsetof(Settings, status_numeric) },
        [SETTING_STATUS_VERBOSE] = { SETTING_TYPE_BOOL, offsetof(Settings, status_verbose) },
        [SETTING_STATUS_LINENUMBERS] = { SETTING_TYPE_BOOL, offsetof(Settings, status_linenumbers) },
        [SETTING_RULES_V4] = { SETTING_TYPE_PATH, offsetof(Settings, rules_v4) },
        [SETTING_RULES_V6] = { SETTING_TYPE_PATH, offsetof(Settings, rules_v6) },
        [SETTING_CONTROL_SOCKET] = { SETTING_TYPE_SOCKET_PATH, offsetof(Settings, control_socket) },
        [SETTING_CONTROL_GROUP] = { SETTING_TYPE_GROUP, offsetof(Settings, control_group) },
        [SETTING_FALLBACK_RULES_V4] = { SETTING_TYPE_PATH, offsetof(Settings, fallback_rules_v4) },
        [SETTING_FALLBACK_RULES_V6] = { SETTING_TYPE_PATH, offsetof(Settings, fallback_rules_v6) },
};

static char **strv_free(char **l) {
        if (!l)
                return NULL;
        for (char **p = l; *p; p++)
                free(*p);
        free(l);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free);

static int free_and_strdup(char **p, const char *s) {
        char *t = NULL;

        if (s) {
                t = strdup(s);
                if (!t)
                        return -ENOMEM;
        }
        free(*p);
        *p = t;
        return 0;
}

Settings *settings_free(Settings *s) {
        if (!s)
                return NULL;
        strv_free(s->modules);
        free(s->rules_v4);
        free(s->rules_v6);
        free(s->control_socket);
        free(s->control_group);
        free(s->fallback_rules_v4);
        free(s->fallback_rules_v6);
        free(s->path);
        free(s);
        return NULL;
}

/* The defaults are iptables-services' (anchors.md §1.1), so converted configs keep their meaning. */
int settings_new(Settings **ret) {
        _cleanup_(settings_freep) Settings *s = NULL;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;

        *s = (Settings) {
                .modules_unload = true,
                .status_numeric = true,
                .status_linenumbers = true,
        };

        s->modules = calloc(1, sizeof(char *));
        s->rules_v4 = strdup(NFWALL_RULES_V4_PATH);
        s->rules_v6 = strdup(NFWALL_RULES_V6_PATH);
        s->control_socket = strdup(NFWALL_CONTROL_SOCKET);
        s->control_group = strdup("");
        if (!s->modules || !s->rules_v4 || !s->rules_v6 || !s->control_socket || !s->control_group)
                return -ENOMEM;

        *ret = TAKE_PTR(s);
        return 0;
}

SourceLoc settings_source(const Settings *s, SettingKey key) {
        return (SourceLoc) {
                .file = s->path,
                .line = key >= 0 && key < _SETTING_KEY_MAX ? s->line[key] : 0,
        };
}

static const char *config_type_describe(int type) {
        switch (type) {
        case CONFIG_TYPE_GROUP:
                return "a group";
        case CONFIG_TYPE_INT:
        case CONFIG_TYPE_INT64:
                return "an integer";
        case CONFIG_TYPE_FLOAT:
                return "a floating-point number";
        case CONFIG_TYPE_STRING:
                return "a string";
        case CONFIG_TYPE_BOOL:
                return "a boolean";
        case CONFIG_TYPE_ARRAY:
                return "an array";
        case CONFIG_TYPE_LIST:
                return "a list";
        default:        /* libconfig's type codes, not our enum */
                return "a value of unknown type";
        }
}

/* Context of one parse: where diagnostics go and what they name. */
typedef struct SettingsParser {
        const char *name;
        DiagList *diags;
        Settings *settings;
} SettingsParser;

static int settings_parser_error(SettingsParser *p, const config_setting_t *cs, const char *fmt, ...)
        _printf_(3, 4);
static int settings_parser_error(SettingsParser *p, const config_setting_t *cs, const char *fmt, ...) {
        SourceLoc loc = {
                .file = p->name,
                .line = cs ? config_setting_source_line(cs) : 0,
        };
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = diag_list_addv(p->diags, DIAG_ERROR, DIAG_SEMANTIC, &loc, fmt, ap);
        va_end(ap);
        return r;
}

static int settings_parse_bool(SettingsParser *p, SettingKey key, const config_setting_t *cs, bool *v) {
        const char *name = setting_key_to_string(key);
        int type = config_setting_type(cs);

        if (type == CONFIG_TYPE_BOOL) {
                *v = config_setting_get_bool(cs);
                return 0;
        }

        /* The commonest slip of anyone coming from iptables-config. */
        if (type == CONFIG_TYPE_STRING) {
                const char *s = config_setting_get_string(cs);

                if (strcasecmp(s, "yes") == 0 || strcasecmp(s, "no") == 0)
                        return settings_parser_error(p, cs,
                                                     "%s: expected a boolean, got a string (write %s, not \"%s\")",
                                                     name, strcasecmp(s, "yes") == 0 ? "true" : "false", s);
        }

        return settings_parser_error(p, cs, "%s: expected a boolean (true or false), got %s",
                                     name, config_type_describe(type));
}

static int settings_parse_modules(SettingsParser *p, const config_setting_t *cs, char ***v, size_t *n) {
        _cleanup_(strv_freep) char **l = NULL;
        int type = config_setting_type(cs);
        size_t k = 0;
        int length, r;

        if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST)
                return settings_parser_error(p, cs,
                                             "modules: expected a list of strings, e.g. [ \"nf_conntrack_ftp\" ], got %s",
                                             config_type_describe(type));

        length = config_setting_length(cs);
        l = calloc((size_t)length + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;

        for (int i = 0; i < length; i++) {
                const config_setting_t *e = config_setting_get_elem(cs, i);
                const char *m;

                if (config_setting_type(e) != CONFIG_TYPE_STRING) {
                        r = settings_parser_error(p, e, "modules: element %d: expected a string, got %s",
                                                  i + 1, config_type_describe(config_setting_type(e)));
                        if (r < 0)
                                return r;
                        continue;
                }

                m = config_setting_get_string(e);
                if (!module_name_is_valid(m)) {
                        if (strpbrk(m, " \t\n"))
                                r = settings_parser_error(
                                        p, e, "modules: \"%s\" is not a module name; give each module as its own string",
                                        m);
                        else
                                r = settings_parser_error(
                                        p, e,
                                        "modules: \"%s\" is not a module name (empty, too long, or contains '/', a quote or a control character)",
                                        m);
                        if (r < 0)
                                return r;
                        continue;
                }

                l[k] = strdup(m);
                if (!l[k])
                        return -ENOMEM;
                k++;
        }

        strv_free(*v);
        *v = TAKE_PTR(l);
        *n = k;
        return 0;
}

static int settings_get_string(SettingsParser *p, SettingKey key, const config_setting_t *cs,
                               const char **ret) {
        if (config_setting_type(cs) != CONFIG_TYPE_STRING)
                return settings_parser_error(p, cs, "%s: expected a string, got %s",
                                             setting_key_to_string(key),
                                             config_type_describe(config_setting_type(cs)));
        *ret = config_setting_get_string(cs);
        return 0;
}

static int settings_parse_path(SettingsParser *p, SettingKey key, SettingType type,
                               const config_setting_t *cs, char **v) {
        const size_t sun_path_max = sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1;
        bool is_fallback = key == SETTING_FALLBACK_RULES_V4 || key == SETTING_FALLBACK_RULES_V6;
        const char *name = setting_key_to_string(key);
        const char *s = NULL;
        int r;

        r = settings_get_string(p, key, cs, &s);
        if (r < 0 || !s)
                return r;

        /* The daemon runs in "/", so a relative path would only mislead. */
        if (s[0] != '/')
                return settings_parser_error(p, cs, "%s: \"%s\" is not an absolute path%s", name, s,
                                             is_fallback ? " (for no fallback, leave the setting out)" : "");
        if (type == SETTING_TYPE_SOCKET_PATH && strlen(s) > sun_path_max)
                return settings_parser_error(p, cs,
                                             "%s: \"%s\" is longer than a Unix socket path may be (%zu bytes)",
                                             name, s, sun_path_max);

        return free_and_strdup(v, s);
}

static int settings_parse_group(SettingsParser *p, SettingKey key, const config_setting_t *cs, char **v) {
        const char *name = setting_key_to_string(key);
        const char *s = NULL;
        int r;

        r = settings_get_string(p, key, cs, &s);
        if (r < 0 || !s)
                return r;

        /* Whether the group exists is for the daemon to find out when it binds, not for the parser. */
        if (strlen(s) > 255)
                return settings_parser_error(p, cs, "%s: group name is too long", name);
        for (const char *c = s; *c; c++)
                if (*c <= ' ' || *c == 0x7f || *c == ':' || *c == '/')
                        return settings_parser_error(p, cs, "%s: \"%s\" is not a group name", name, s);

        return free_and_strdup(v, s);
}

static int settings_parse_one(SettingsParser *p, SettingKey key, const config_setting_t *cs) {
        SettingType type = setting_info[key].type;
        void *field = (char *)p->settings + setting_info[key].offset;
        size_t n_before = p->diags->n_errors;
        int r = -EINVAL;

        switch (type) {
        case SETTING_TYPE_MODULE_LIST:
                r = settings_parse_modules(p, cs, field, &p->settings->n_modules);
                break;
        case SETTING_TYPE_BOOL:
                r = settings_parse_bool(p, key, cs, field);
                break;
        case SETTING_TYPE_PATH:
        case SETTING_TYPE_SOCKET_PATH:
                r = settings_parse_path(p, key, type, cs, field);
                break;
        case SETTING_TYPE_GROUP:
                r = settings_parse_group(p, key, cs, field);
                break;
        }
        if (r < 0)
                return r;

        if (p->diags->n_errors == n_before)
                p->settings->line[key] = config_setting_source_line(cs);
        return 0;
}

/*
 * libconfig would open whatever an @include names, relative to the
 * current directory. One settings file keeps every diagnostic pointing
 * into it, and keeps the fuzzer away from the file system. libconfig only
 * honours the directive at the start of a line, so this check is exact.
 */
static int settings_check_no_include(SettingsParser *p, const char *text) {
        unsigned line = 1;

        for (const char *l = text; l; line++) {
                const char *c = l + strspn(l, " \t");

                if (strncmp(c, "@include", 8) == 0) {
                        SourceLoc loc = { .file = p->name, .line = line };
                        int r;

                        r = diag_list_add(p->diags, DIAG_ERROR, DIAG_UNSUPPORTED, &loc,
                                          "@include is not supported; nfwall.conf is a single file");
                        if (r < 0)
                                return r;
                }

                l = strchr(l, '\n');
                if (l)
                        l++;
        }
        return 0;
}

int settings_load_string(const char *text, const char *name, Settings **ret, DiagList *diags) {
        _cleanup_(settings_freep) Settings *s = NULL;
        _cleanup_free_ char *terminated = NULL;
        size_t n_errors = diags->n_errors;
        config_setting_t *root;
        SettingsParser p;
        int r;

        if (!name)
                name = "<string>";

        r = settings_new(&s);
        if (r < 0)
                return r;
        r = free_and_strdup(&s->path, name);
        if (r < 0)
                return r;

        p = (SettingsParser) {
                .name = s->path,
                .diags = diags,
                .settings = s,
        };

        r = settings_check_no_include(&p, text);
        if (r < 0)
                return r;
        if (diags->n_errors > n_errors)
                return -EINVAL;

        /* libconfig 1.5 calls a comment on the last line a syntax error unless a newline ends it. */
        size_t len = strlen(text);
        if (len > 0 && text[len - 1] != '\n') {
                if (asprintf(&terminated, "%s\n", text) < 0)
                        return -ENOMEM;
                text = terminated;
        }

        _cleanup_(config_destroy) config_t cfg;
        config_init(&cfg);
        /* Strict types: an integer where a boolean belongs is an error, not a conversion. */
        config_set_auto_convert(&cfg, false);

        if (!config_read_string(&cfg, text)) {
                SourceLoc loc = {
                        .file = config_error_file(&cfg) ?: p.name,
                        .line = config_error_line(&cfg) > 0 ? (unsigned)config_error_line(&cfg) : 0,
                };

                r = diag_list_add(diags, DIAG_ERROR, DIAG_SYNTAX, &loc, "%s",
                                  config_error_text(&cfg) ?: "cannot parse settings");
                return r < 0 ? r : -EINVAL;
        }

        root = config_root_setting(&cfg);
        for (int i = 0; i < config_setting_length(root); i++) {
                const config_setting_t *cs = config_setting_get_elem(root, i);
                const char *key_name = config_setting_name(cs);
                SettingKey key;

                key = setting_key_from_string(key_name);
                if (key < 0) {
                        bool iptables = strncmp(key_name, "IPTABLES_", 9) == 0 ||
                                        strncmp(key_name, "IP6TABLES_", 10) == 0;

                        if (iptables)
                                r = settings_parser_error(
                                        &p, cs,
                                        "unknown setting '%s' (\"nfwallctl import-config\" converts an iptables-config)",
                                        key_name);
                        else
                                r = settings_parser_error(&p, cs, "unknown setting '%s'", key_name);
                } else
                        r = settings_parse_one(&p, key, cs);
                if (r < 0)
                        return r;
        }

        if (diags->n_errors > n_errors)
                return -EINVAL;

        *ret = TAKE_PTR(s);
        return 0;
}

int settings_load(const char *path, Settings **ret, DiagList *diags) {
        _cleanup_free_ char *text = NULL;
        SourceLoc loc = { .file = path };
        int r;

        r = read_text_file(path, SETTINGS_FILE_MAX, &text);
        if (r < 0) {
                int q;

                if (r == -EFBIG)
                        q = diag_list_add(diags, DIAG_ERROR, DIAG_IO, &loc,
                                          "settings file is larger than %d bytes", SETTINGS_FILE_MAX);
                else
                        q = diag_list_add(diags, DIAG_ERROR, DIAG_IO, &loc,
                                          "cannot read settings: %s", strerror(-r));
                return q < 0 ? q : r;
        }

        /* libconfig stops at a NUL and would silently ignore the rest. */
        if (strlen(text) != (size_t)r) {
                loc.line = 1;
                for (const char *c = text; *c; c++)
                        if (*c == '\n')
                                loc.line++;
                r = diag_list_add(diags, DIAG_ERROR, DIAG_SYNTAX, &loc, "settings file contains a NUL byte");
                return r < 0 ? r : -EINVAL;
        }

        return settings_load_string(text, path, ret, diags);
}
