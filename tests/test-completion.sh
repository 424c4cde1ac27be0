#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test-completion.sh COMPLETION — the bash completion of nfwallctl
# (shell-completion/nfwallctl.bash): sourced into this shell, asked as bash
# asks it (COMP_WORDS, COMP_CWORD), it must offer exactly the expected words.
# Exit: 0 passed, 1 failed.
set -euo pipefail
completion=$(realpath "$1")
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fail=1; echo "not ok $n - $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/#   /'; }

# shellcheck source=/dev/null
. "$completion"
if [ "$(complete -p nfwallctl 2>/dev/null)" = "complete -F _nfwallctl nfwallctl" ]; then
        ok "registered: complete -F _nfwallctl nfwallctl"
else
        not_ok "registered: complete -F _nfwallctl nfwallctl" "$(complete -p nfwallctl 2>&1 || true)"
fi

# expect "WANT" WORD... — the command line split into words, the last being
# the one completed; WANT is the sorted completions, one space between.
expect() {
        local want=$1 got
        shift
        COMP_WORDS=("$@")
        COMP_CWORD=$(($# - 1))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        COMPREPLY=()
        _nfwallctl nfwallctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
        got=$(printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | LC_ALL=C sort | paste -sd ' ' -)
        if [ "$got" = "$want" ]; then
                ok "'$*' -> '$want'"
        else
                not_ok "'$*'" "got:  '$got'"$'\n'"want: '$want'"
        fi
}

expect "check condrestart help import-config panic reload restart save start status stop try-restart version" \
        nfwallctl ""
expect "reload restart" nfwallctl re
expect "save start status stop" nfwallctl s
expect "--help --socket --timeout --version" nfwallctl --
expect "--help --socket --timeout --version -4 -6 -A -C -D -E -F -I -L -N -P -R -S -X -Z -h -t" nfwallctl -
expect "start status stop" nfwallctl --socket /run/x st
expect "reload restart" nfwallctl --timeout 5 re
expect "save" nfwallctl --socket = /run/x sa
expect "save" nfwallctl --socket=/run/x sa
expect "" nfwallctl --timeout ""
expect "off on status" nfwallctl panic ""
expect "" nfwallctl panic on ""
expect "--exact --help --json --line-numbers --no-line-numbers --no-numeric --no-verbose --numeric --verbose -n -v -x" \
        nfwallctl status -
expect "--no-line-numbers --no-numeric --no-verbose" nfwallctl status --no
expect "--help" nfwallctl save -
expect "--help --ipv4 --ipv6 -4 -6" nfwallctl check -
expect "--help --output -o" nfwallctl import-config -
expect "import-config" nfwallctl help im
expect "filter mangle nat raw security" nfwallctl -t ""
expect "FORWARD INPUT OUTPUT" nfwallctl -A ""
expect "INPUT" nfwallctl -I IN
expect "INPUT OUTPUT POSTROUTING PREROUTING" nfwallctl -t nat -A ""
expect "OUTPUT PREROUTING" nfwallctl -6 -t raw -S ""
expect "FORWARD INPUT OUTPUT POSTROUTING PREROUTING" nfwallctl -t mangle -F ""
expect "ACCEPT DROP" nfwallctl -P INPUT ""
expect "-4 -6 -A -C -D -E -F -I -L -N -P -R -S -X -Z" nfwallctl -t filter -
expect "-A -C -D -E -F -I -L -N -P -R -S -X -Z" nfwallctl -6 -t nat -
expect "" nfwallctl -N ""
expect "" nfwallctl -A INPUT -

# file names where a file is wanted
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nfwall-completion.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
touch "$tmp/rules.v4" "$tmp/rules.v6" "$tmp/other"
expect "$tmp/rules.v4 $tmp/rules.v6" nfwallctl check "$tmp/rules"
expect "$tmp/rules.v4 $tmp/rules.v6" nfwallctl import-config -o "$tmp/ru"
echo "1..$n"
exit $fail
