#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test-unit.sh UNIT NFWALLD NFWALLCTL — the configured firewall.service:
# `systemd-analyze verify` accepts it (with ExecStart/ExecReload pointed at
# the built binaries, since the install paths need not exist yet), and
# `systemd-analyze security --offline=yes` rates it at most 1.4 (user nfwall,
# CAP_NET_ADMIN its only capability; the unit's comments say what is left).
# Nothing is started; the host's systemd is only asked to parse a file.
# Exit: 0 passed, 1 failed, 77 no systemd-analyze.
set -u
unit=$(realpath "$1") nfwalld=$(realpath "$2") nfwallctl=$(realpath "$3")
command -v systemd-analyze >/dev/null 2>&1 || { echo "1..0 # SKIP no systemd-analyze"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nfwall-unit.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fail=1; echo "not ok $n - $1"; }

grep -q '^Alias=nfwall.service$' "$unit" && ok "Alias=nfwall.service" || not_ok "Alias=nfwall.service"
grep -q '^Type=notify$' "$unit" && ok "Type=notify" || not_ok "Type=notify"
grep -q '^PrivateNetwork=' "$unit" && not_ok "no PrivateNetwork" || ok "no PrivateNetwork"
grep -q '^User=nfwall$' "$unit" && ok "User=nfwall" || not_ok "User=nfwall"
grep -q '^CapabilityBoundingSet=CAP_NET_ADMIN$' "$unit" && ok "CapabilityBoundingSet=CAP_NET_ADMIN" \
        || not_ok "CapabilityBoundingSet=CAP_NET_ADMIN"
grep -q '^AmbientCapabilities=CAP_NET_ADMIN$' "$unit" && ok "AmbientCapabilities=CAP_NET_ADMIN" \
        || not_ok "AmbientCapabilities=CAP_NET_ADMIN"
grep -q '@[a-z]*@' "$unit" && not_ok "every @variable@ configured" || ok "every @variable@ configured"

mkdir "$tmp/u"
sed -e "s|^ExecStart=.*|ExecStart=$nfwalld|" -e "s|^ExecReload=.*|ExecReload=$nfwallctl reload|" \
        "$unit" > "$tmp/u/firewall.service"
if out=$(systemd-analyze verify --man=no "$tmp/u/firewall.service" 2>&1) && [ -z "$out" ]; then
        ok "systemd-analyze verify"
else
        not_ok "systemd-analyze verify"
        printf '#   %s\n' "$out"
fi

cp "$unit" "$tmp/firewall.service"
out=$(systemd-analyze security --offline=yes "$tmp/firewall.service" 2>&1)
level=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for firewall\.service: \([0-9.]*\).*/\1/p')
if [ -z "$level" ]; then
        not_ok "systemd-analyze security: no Overall exposure level line"
        printf '%s\n' "$out" | sed 's/^/#   /'
elif awk -v l="$level" 'BEGIN { exit !(l <= 1.4) }'; then
        ok "exposure level $level <= 1.4"
else
        not_ok "exposure level $level > 1.4"
        printf '%s\n' "$out" | grep '✗' | sed 's/^/#   /'
fi
echo "1..$n"
exit $fail
