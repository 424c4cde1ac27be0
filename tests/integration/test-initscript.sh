#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test-initscript.sh INITSCRIPT NFWALLD NFWALLCTL BUILD_INITSCRIPTS_DIR — every verb of
# the SysV init script (initscripts/firewall), without systemd: nfwalld is
# started by the script inside a network namespace of our own, with the
# settings, rules, socket, pid file and log in a temporary directory (the
# script takes them from NFWALL_CONFIG, NFWALL_PIDFILE, NFWALL_LOG, and the
# binaries from NFWALLD, NFWALLCTL). Exit codes and effects are asserted.
# The namespace and the daemon are removed on exit.
# Exit: 0 passed, 1 failed, 77 not root / no netns / no nft.
set -u
# shellcheck disable=SC2034 # legacy and pid are used inside check's eval strings
init=$(realpath "$1") nfwalld=$(realpath "$2") nfwallctl=$(realpath "$3") legacy=$(realpath "$4")
src=$(cd "$(dirname "$0")/../.." && pwd)

[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP not root"; exit 77; }
command -v nft >/dev/null 2>&1 || { echo "1..0 # SKIP no nft"; exit 77; }
ns="nfwinit$$"
ip netns add "$ns" 2>/dev/null || { echo "1..0 # SKIP cannot create a network namespace"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nfwall-init.XXXXXX") || { ip netns del "$ns"; exit 1; }
cleanup() {
        local p
        if [ -r "$tmp/nfwalld.pid" ]; then
                read -r p < "$tmp/nfwalld.pid"
                [ -n "$p" ] && kill -KILL "$p" 2>/dev/null
        fi
        ip netns pids "$ns" 2>/dev/null | while read -r p; do kill -KILL "$p" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
        rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

cp "$src/conf/rules.v4" "$tmp/rules.v4"
cp "$src/conf/rules.v6" "$tmp/rules.v6"
cat > "$tmp/nfwall.conf" <<EOC
rules_v4 = "$tmp/rules.v4";
rules_v6 = "$tmp/rules.v6";
control_socket = "$tmp/control";
save_on_stop = false;
EOC

n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fail=1; echo "not ok $n - $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/#   /'; }
# SYSTEMCTL_SKIP_REDIRECT: where systemd is PID 1 the script would hand
# the verbs to firewall.service (tests/system covers that)
run_env=(env SYSTEMCTL_SKIP_REDIRECT=1 NFWALLD="$nfwalld" NFWALLCTL="$nfwallctl" NFWALL_CONFIG="$tmp/nfwall.conf"
         NFWALL_PIDFILE="$tmp/nfwalld.pid" NFWALL_LOG="$tmp/nfwalld.log" NFWALL_START_TIMEOUT=20)
# fw EXPECTED DESC VERB... — run the script in the namespace, check the exit code
fw() {
        local want=$1 desc=$2 rc; shift 2
        out=$(ip netns exec "$ns" "${run_env[@]}" timeout 60 sh "$init" "$@" 2>&1)
        rc=$?
        if [ "$rc" = "$want" ]; then ok "$desc (exit $rc)"; else not_ok "$desc: exit $rc, want $want" "$out"; fi
}
tables() { ip netns exec "$ns" nft list tables 2>/dev/null | grep -c 'nfwall-' ; }
other() { ip netns exec "$ns" nft list tables 2>/dev/null | grep -c 'other-program' ; }
ssh_rules() { ip netns exec "$ns" nft list table ip nfwall-filter 2>/dev/null | grep -c 'tcp dport 22 ' ; }
ctl() { ip netns exec "$ns" env NFWALL_SOCKET="$tmp/control" "$nfwallctl" "$@" >/dev/null 2>&1; }
check() { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; }

fw 2 "no verb: usage" 
fw 2 "unknown verb: usage" frobnicate
fw 3 "status before start: not running" status
fw 0 "condrestart when stopped" condrestart
fw 0 "try-restart when stopped" try-restart
fw 0 "stop when stopped" stop
fw 7 "reload when stopped" reload
ip netns exec "$ns" nft add table inet other-program
fw 0 "start" start
fw 0 "status after start" status
check "start: our tables present" '[ "$(tables)" -ge 2 ]'
check "start: nfwalld runs (pid file)" 'kill -0 "$(cat "$tmp/nfwalld.pid")"'
# shellcheck disable=SC2034 # used in check's eval strings
pid=$(cat "$tmp/nfwalld.pid")
fw 0 "start again (running)" start
check "start again: the same nfwalld" '[ "$(cat "$tmp/nfwalld.pid")" = "$pid" ]'
fw 0 "reload" reload
fw 0 "force-reload" force-reload
# a broken rules file: reload fails and names the line; the rules in force stay
cp "$tmp/rules.v4" "$tmp/rules.v4.good"
printf '%s\n' '*filter' '-A INPUT -p tcp --dport 70000 -j ACCEPT' 'COMMIT' > "$tmp/rules.v4"
fw 1 "reload with a broken rules file fails" reload
check "reload: the error names rules.v4:2" 'printf "%s\n" "$out" | grep -q "^$tmp/rules.v4:2:[0-9]*: error: "'
check "reload failed: the rules in force stay" '[ "$(ssh_rules)" = 1 ]'
fw 1 "force-reload with a broken rules file fails" force-reload
mv "$tmp/rules.v4.good" "$tmp/rules.v4"
fw 2 "panic with a bad argument: usage" panic sideways
fw 0 "restart (hitless, same daemon)" restart
check "restart: the same nfwalld" 'kill -0 "$pid"'
fw 0 "condrestart (running)" condrestart
fw 0 "try-restart (running)" try-restart
rm -f "$tmp/rules.v4"
fw 0 "save" save
check "save writes rules.v4" 'grep -q "^-A INPUT" "$tmp/rules.v4"'
check "save: mode 0600" '[ "$(stat -c %a "$tmp/rules.v4")" = 600 ]'
cp "$tmp/rules.v4" "$tmp/first-save.v4"
fw 0 "save again" save
check "save keeps the previous file as .save" 'cmp -s "$tmp/rules.v4.save" "$tmp/first-save.v4"'
fw 0 "panic" panic
check "panic: on" 'ip netns exec "$ns" env NFWALL_SOCKET="$tmp/control" "$nfwallctl" panic status | grep -qw on'
fw 0 "panic off" panic off
check "panic off: off" 'ip netns exec "$ns" env NFWALL_SOCKET="$tmp/control" "$nfwallctl" panic status | grep -qw off'
fw 0 "panic status" panic status
check "legacy action save execs the init script save" 'grep -q "firewall save$" "$legacy/legacy-action-save" && [ "$(wc -l < "$legacy/legacy-action-save")" = 2 ]'
check "legacy action panic execs the init script panic" 'grep -q "firewall panic$" "$legacy/legacy-action-panic" && [ "$(wc -l < "$legacy/legacy-action-panic")" = 2 ]'
# the daemon runs, the firewall is stopped (nfwallctl stop)
check "nfwallctl stop" 'ctl stop'
fw 3 "status, firewall stopped: not running" status
fw 7 "reload, firewall stopped: not running" reload
fw 7 "force-reload, firewall stopped: not running" force-reload
fw 0 "try-restart, firewall stopped" try-restart
fw 0 "start, firewall stopped: applies the rules" start
check "start: the same nfwalld" '[ "$(cat "$tmp/nfwalld.pid")" = "$pid" ]'
fw 0 "status after start" status
fw 0 "stop" stop
fw 3 "status after stop" status
fw 7 "save when stopped: not running" save
fw 7 "panic when stopped: not running" panic
fw 7 "force-reload when stopped: not running" force-reload
check "stop: our tables gone" '[ "$(tables)" = 0 ]'
check "stop: other programs' tables stay" '[ "$(other)" = 1 ]'
check "stop: nfwalld exited" '! kill -0 "$pid" 2>/dev/null'
fw 0 "condrestart after stop" condrestart
fw 3 "status after condrestart while stopped" status
fw 0 "restart when stopped: starts" restart
fw 0 "status after restart" status
fw 0 "stop again" stop
mv "$tmp/nfwall.conf" "$tmp/nfwall.conf.away"
fw 6 "start without settings: not configured" start
mv "$tmp/nfwall.conf.away" "$tmp/nfwall.conf"
if command -v setpriv >/dev/null 2>&1; then
        out=$(ip netns exec "$ns" setpriv --reuid=65534 --regid=65534 --clear-groups "${run_env[@]}" sh "$init" start 2>&1)
        rc=$?
        if [ "$rc" = 4 ]; then ok "start as nobody: not privileged (exit 4)"; else not_ok "start as nobody: exit $rc, want 4" "$out"; fi
fi
echo "1..$n"
exit $fail
