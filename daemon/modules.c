/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * modules: load and unload the kernel modules the settings list, with
 * libkmod. The hard part is telling built-in modules apart, which libkmod
 * alone gets wrong (netfilter-notes §6): without modules.builtin for the
 * running kernel, kmod_module_get_initstate() calls a built-in module
 * with parameters "coming" and one without parameters unknown. So the
 * kernel is asked first:
 *
 *   1. no /proc/modules: no module support; everything is built in or
 *      absent, and there is nothing to load or unload;
 *   2. /sys/module/X/initstate exists: X is a loadable module, in that state;
 *   3. libkmod says built in, or /sys/module/X exists: built in;
 *   4. else X is not loaded: look it up and probe it in.
 *
 * The outcome of each module is a diagnostic for the caller to log.
 */

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libkmod.h>

#include "modules.h"
#include "module-name.h"

static const char *const module_state_table[_MODULE_STATE_MAX] = {
        [MODULE_NO_SUPPORT] = "no module support",
        [MODULE_BUILTIN] = "built in",
        [MODULE_LIVE] = "loaded",
        [MODULE_COMING] = "coming",
        [MODULE_GOING] = "going",
        [MODULE_NOT_LOADED] = "not loaded",
};
DEFINE_STRING_TABLE_LOOKUP(module_state, ModuleState);

static void kmod_ctx_unrefp(struct kmod_ctx **c) {
        if (*c)
                kmod_unref(*c);
}

static void kmod_module_unrefp(struct kmod_module **m) {
        if (*m)
                kmod_module_unref(*m);
}

static void kmod_module_unref_listp(struct kmod_list **l) {
        if (*l)
                kmod_module_unref_list(*l);
}

/* libkmod logs to stderr by default; below the top we only return diagnostics. */
static void kmod_log_silent(void *data, int priority, const char *file, int line, const char *fn,
                            const char *format, va_list args) {
}

static int kmod_context_new(struct kmod_ctx **ret) {
        struct kmod_ctx *ctx;

        ctx = kmod_new(NULL, NULL);
        if (!ctx)
                return -ENOMEM;
        kmod_set_log_fn(ctx, kmod_log_silent, NULL);
        /*
         * Without /lib/modules for the running kernel (a kernel without
         * module support, a container) this fails; lookups then find
         * nothing, which the caller handles.
         */
        (void)kmod_load_resources(ctx);
        *ret = ctx;
        return 0;
}

/* /sys/module spells names with '_' where modprobe accepts '-' too. */
static void module_name_normalize(const char *name, char buf[static MODULE_NAME_MAX + 1]) {
        size_t i;

        for (i = 0; name[i] && i < MODULE_NAME_MAX; i++)
                buf[i] = name[i] == '-' ? '_' : name[i];
        buf[i] = 0;
}

static bool path_exists(const char *root, const char *a, const char *b, const char *c) {
        char path[PATH_MAX];
        int n;

        n = snprintf(path, sizeof(path), "%s%s%s%s", strempty(root), a, strempty(b), strempty(c));
        if (n < 0 || (size_t)n >= sizeof(path))
                return false;
        return access(path, F_OK) >= 0;
}

/**
 * module_state() - what the kernel says about a module
 * @root: prefix for /proc and /sys (tests), or NULL
 * @name: the module's name
 *
 * Reads only /proc and /sys: libkmod's own idea of built-in modules needs
 * modules.builtin, which a kernel without modules does not ship, and
 * calls a built-in module with parameters "coming".
 *
 * Return: the state.
 */
ModuleState module_state(const char *root, const char *name) {
        char norm[MODULE_NAME_MAX + 1], path[PATH_MAX], buf[32] = {};
        _cleanup_close_ int fd = -1;
        ssize_t n;

        if (!path_exists(root, "/proc/modules", NULL, NULL))
                return MODULE_NO_SUPPORT;

        module_name_normalize(name, norm);
        if (snprintf(path, sizeof(path), "%s/sys/module/%s/initstate", strempty(root), norm) >= (int)sizeof(path))
                return MODULE_NOT_LOADED;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return path_exists(root, "/sys/module/", norm, NULL) ? MODULE_BUILTIN : MODULE_NOT_LOADED;

        n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return MODULE_COMING;
        buf[strcspn(buf, "\n")] = 0;
        if (streq(buf, "live"))
                return MODULE_LIVE;
        if (streq(buf, "going"))
                return MODULE_GOING;
        return MODULE_COMING;
}

static int note(DiagList *diags, const SourceLoc *loc, DiagLevel level, const char *name, const char *what) {
        return diag_list_add(diags, level, DIAG_KERNEL, loc, "module %s: %s", name, what);
}

static int module_load_one(struct kmod_ctx *ctx, const char *name, const SourceLoc *loc, DiagList *diags) {
        _cleanup_(kmod_module_unref_listp) struct kmod_list *list = NULL;
        struct kmod_list *e;
        int r, result = 0;

        switch (module_state(NULL, name)) {
        case MODULE_NO_SUPPORT:
                return note(diags, loc, DIAG_NOTE, name, "the kernel has no module support (built in or absent), skipped");
        case MODULE_BUILTIN:
                return note(diags, loc, DIAG_NOTE, name, "built in, skipped");
        case MODULE_LIVE:
        case MODULE_COMING:
                return note(diags, loc, DIAG_NOTE, name, "already loaded");
        case MODULE_GOING:
        case MODULE_NOT_LOADED:
                break;
        case _MODULE_STATE_MAX:
        case _MODULE_STATE_INVALID:
                return -EINVAL;
        }

        /* The name may be an alias (ip_conntrack_ftp): libkmod resolves it to modules. */
        r = kmod_module_new_from_lookup(ctx, name, &list);
        if (r < 0)
                return note(diags, loc, DIAG_ERROR, name, "lookup failed") < 0 ? -ENOMEM : r;
        if (!list) {
                r = note(diags, loc, DIAG_ERROR, name, "not available (no such module for the running kernel)");
                return r < 0 ? r : -ENOENT;
        }

        kmod_list_foreach(e, list) {
                _cleanup_(kmod_module_unrefp) struct kmod_module *mod = kmod_module_get_module(e);
                const char *real = kmod_module_get_name(mod);

                /* What the alias names may be built in even though the alias is not. */
                if (module_state(NULL, real) == MODULE_BUILTIN ||
                    kmod_module_get_initstate(mod) == KMOD_MODULE_BUILTIN) {
                        if (note(diags, loc, DIAG_NOTE, real, "built in, skipped") < 0)
                                return -ENOMEM;
                        continue;
                }
                r = kmod_module_probe_insert_module(mod, KMOD_PROBE_APPLY_BLACKLIST, NULL, NULL, NULL, NULL);
                if (r > 0) {
                        if (note(diags, loc, DIAG_WARNING, real, "blacklisted in modprobe.d, not loaded") < 0)
                                return -ENOMEM;
                } else if (r < 0) {
                        if (diag_list_add(diags, DIAG_ERROR, DIAG_KERNEL, loc, "module %s: cannot load: %s", real,
                                          strerror(-r)) < 0)
                                return -ENOMEM;
                        if (result == 0)
                                result = r;
                }
        }
        return result;
}

/**
 * modules_load() - load the modules the settings list
 * @names: NULL-terminated module names
 * @loc: the settings' line, for diagnostics
 * @diags: one diagnostic per module that was skipped or failed
 *
 * Return: 0, or the first failure's negative errno.
 */
int modules_load(char *const *names, const SourceLoc *loc, DiagList *diags) {
        _cleanup_(kmod_ctx_unrefp) struct kmod_ctx *ctx = NULL;
        int r, result = 0;

        if (!names || !names[0])
                return 0;
        r = kmod_context_new(&ctx);
        if (r < 0)
                return r;
        for (char *const *n = names; *n; n++) {
                r = module_load_one(ctx, *n, loc, diags);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 && result == 0)
                        result = r;
        }
        return result;
}

static int module_unload_one(struct kmod_ctx *ctx, const char *name, const SourceLoc *loc, DiagList *diags) {
        _cleanup_(kmod_module_unrefp) struct kmod_module *mod = NULL;
        char norm[MODULE_NAME_MAX + 1];
        int r;

        switch (module_state(NULL, name)) {
        case MODULE_NO_SUPPORT:
                return note(diags, loc, DIAG_NOTE, name, "the kernel has no module support (built in or absent), skipped");
        case MODULE_BUILTIN:
                return note(diags, loc, DIAG_NOTE, name, "built in, skipped");
        case MODULE_NOT_LOADED:
                return note(diags, loc, DIAG_NOTE, name, "not loaded");
        case MODULE_COMING:
        case MODULE_GOING:
                return note(diags, loc, DIAG_WARNING, name, "being loaded or unloaded, kept");
        case MODULE_LIVE:
                break;
        case _MODULE_STATE_MAX:
        case _MODULE_STATE_INVALID:
                return -EINVAL;
        }

        /* Loaded under /sys/module's spelling, so that is its name; an alias would not be loaded. */
        module_name_normalize(name, norm);
        r = kmod_module_new_from_name(ctx, norm, &mod);
        if (r < 0)
                return r;
        /*
         * modprobe -r refuses a module in use; so do we, and say so. That
         * is no failure of stop: RHEL's script quietly kept such modules.
         */
        r = kmod_module_get_refcnt(mod);
        if (r > 0)
                return note(diags, loc, DIAG_WARNING, name, "in use, kept");
        r = kmod_module_remove_module(mod, KMOD_REMOVE_NOLOG);
        if (r < 0) {
                if (diag_list_add(diags, DIAG_ERROR, DIAG_KERNEL, loc, "module %s: cannot unload: %s", name,
                                  strerror(-r)) < 0)
                        return -ENOMEM;
                return r;
        }
        return 0;
}

/**
 * modules_unload() - unload the modules the settings list
 * @names: NULL-terminated module names
 * @loc: the settings' line, for diagnostics
 * @diags: one diagnostic per module that was skipped or failed
 *
 * Return: 0, or the first failed removal's negative errno.
 */
int modules_unload(char *const *names, const SourceLoc *loc, DiagList *diags) {
        _cleanup_(kmod_ctx_unrefp) struct kmod_ctx *ctx = NULL;
        size_t n = 0;
        int r, result = 0;

        if (!names || !names[0])
                return 0;
        r = kmod_context_new(&ctx);
        if (r < 0)
                return r;
        while (names[n])
                n++;
        while (n-- > 0) {
                r = module_unload_one(ctx, names[n], loc, diags);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 && result == 0)
                        result = r;
        }
        return result;
}
