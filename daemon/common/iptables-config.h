/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * RHEL's iptables-config (/etc/sysconfig/iptables-config, shell variables
 * sourced by iptables.init) → nfwall.conf text, for "nfwallctl
 * import-config". Pure: text in, text and diagnostics out.
 */

#include "diag.h"

/*
 * text: the file's contents; name: what diagnostics and the output's
 * header call it. Only the variables present are written: the others keep
 * nfwall's defaults, which are iptables-services' own. Variables nfwall
 * has no setting for (IPTABLES_SYSCTL_LOAD_LIST, ...) become warnings and
 * comments in the output. Returns 0 and the text in *ret (warnings in
 * diags), -EINVAL with errors in diags and *ret untouched, or -ENOMEM.
 */
int iptables_config_convert(const char *text, const char *name, char **ret, DiagList *diags);
