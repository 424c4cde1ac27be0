/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The manager: nfwalld's composition root. It owns the settings, the
 * ruleset in force (both families), the two nf_tables sockets (one for
 * commands, one subscribed to generation events) and the control socket,
 * and it implements the service actions of DESIGN.md "Service semantics":
 * start, stop, restart, reload, condrestart, status, save, panic, check,
 * version. It is the one place that logs what happened to the firewall.
 */

#include <stdbool.h>

#include <systemd/sd-event.h>

#include "control.h"
#include "diag.h"
#include "macro.h"
#include "proto.h"
#include "strbuf.h"

typedef enum ManagerState {
        MANAGER_RUNNING,        /* our ruleset is in force */
        MANAGER_PANIC,          /* our ruleset is kept, under a DROP at the top of filter's base chains */
        MANAGER_STOPPED,        /* our tables are removed (stop), or were never loaded */
        MANAGER_FAILED,         /* a start found errors and nothing of ours is in force: no firewall */
        _MANAGER_STATE_MAX,
        _MANAGER_STATE_INVALID = -EINVAL,
} ManagerState;

/* Where a family's rules in force came from. */
typedef enum RulesSource {
        RULES_SOURCE_NONE,              /* nothing: stopped, or never loaded */
        RULES_SOURCE_FILE,              /* rules_v4 / rules_v6 */
        RULES_SOURCE_FALLBACK,          /* fallback_rules_v4 / _v6: the rules file had errors at start */
        RULES_SOURCE_KERNEL,            /* adopted: our tables were in the kernel when nfwalld started */
        RULES_SOURCE_KEPT,              /* the rules file had errors at start: what our tables held was kept */
        _RULES_SOURCE_MAX,
        _RULES_SOURCE_INVALID = -EINVAL,
} RulesSource;

DECLARE_STRING_TABLE_LOOKUP(manager_state, ManagerState);
DECLARE_STRING_TABLE_LOOKUP(rules_source, RulesSource);

typedef struct Manager Manager;

/*
 * Reads the settings and opens the nf_tables sockets; changes nothing.
 * -EINVAL when the settings file has errors (logged with file:line), a
 * negative errno when the sockets cannot be opened (logged).
 */
int manager_new(sd_event *event, const char *config_path, Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free);

/*
 * Takes the control socket, then adopts our tables if the kernel holds
 * them (a restarted daemon keeps enforcing them, with no gap), or starts
 * (modules, rules). Sends READY=1. Negative only when nfwalld cannot run
 * (another daemon owns the socket): then nothing was changed.
 */
int manager_startup(Manager *m);

/* SIGTERM: stop (save_on_stop, remove our tables, modules_unload), STOPPING=1. */
int manager_shutdown(Manager *m);

/*
 * The actions. Each returns the exit status nfwallctl is to give
 * (ProtoExit), writes what nfwallctl prints to text and its problems to
 * diags, and logs what it changed.
 */
ProtoExit manager_start(Manager *m, StrBuf *text, DiagList *diags);
ProtoExit manager_stop(Manager *m, StrBuf *text, DiagList *diags);
ProtoExit manager_restart(Manager *m, StrBuf *text, DiagList *diags);
ProtoExit manager_condrestart(Manager *m, StrBuf *text, DiagList *diags);
ProtoExit manager_reload(Manager *m, StrBuf *text, DiagList *diags);
/* flags: ProtoFlags (JSON, and -n/-v/-x/--line-numbers over the status_* settings). */
ProtoExit manager_status(Manager *m, unsigned flags, StrBuf *text, DiagList *diags);
ProtoExit manager_save(Manager *m, StrBuf *text, DiagList *diags);
/* what: "on", "off" or "status". */
ProtoExit manager_panic(Manager *m, const char *what, StrBuf *text, DiagList *diags);
/* files: NULL-terminated paths (absolute), or none for the settings and the rules files they name. */
ProtoExit manager_check(Manager *m, char *const *files, bool ipv6, StrBuf *text, DiagList *diags);

/* An iptables command line (-A INPUT ...): iptables' exit status, what it prints, what is wrong. */
ProtoExit manager_iptables(Manager *m, char *const *args, size_t n_args, StrBuf *text, DiagList *diags);

/* The control socket's handler (ControlHandler): userdata is the manager. */
void manager_handle_request(void *userdata, const ControlPeer *peer, const ProtoMessage *request,
                            ProtoMessage *reply);

ManagerState manager_get_state(const Manager *m);
