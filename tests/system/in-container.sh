#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# in-container.sh — firewall.service end to end under a real systemd: run as
# root by tests/system/sandbox.sh inside the container it boots, where
# test-systemd.sh has installed nfwall with `meson install --destdir`
# (--prefix=/usr: /usr/sbin, /etc/nfwall, /etc/init.d/firewall, the unit,
# sysusers.d and tmpfiles.d). It edits /etc/nfwall and creates users: never
# run it on a real machine.
#
# The machine under test is the container itself (its network namespace is
# "the system's", where firewall.service runs). A namespace "peer" made here
# is linked to it by a veth pair; a server listens in the container, probes
# from peer give the verdicts:
#
#   container fw0 10.250.3.1 fd00:250:3::1 ── peer eth0 10.250.3.2 fd00:250:3::2
#
# With the shipped rules, tcp 22 is open and everything else is rejected
# (icmp-host-prohibited, icmp6-adm-prohibited). The checks: the package's
# postinst steps (sysusers, tmpfiles) and the unit's user and capabilities;
# `systemctl start` (rules enforced, StatusText, `systemctl status`, tables);
# `systemctl reload` of an edited file; a broken file (reload fails, the old
# rules stay in force, file:line in the journal and in StatusText);
# `systemctl restart` (a new nfwalld); `service firewall save` (file,
# .save, owner, mode) and `service firewall panic [off]`; the control group
# under the dedicated user (and a non-root client with CAP_NET_ADMIN);
# `systemctl stop` with save_on_stop (file
# written), nfwall's tables gone and other programs' tables intact;
# /etc/init.d/firewall called directly goes through systemctl.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# lib.sh's packet tools and probe timeout
PROBE=$here/probe SERVER=$here/server PROBE_TIMEOUT_MS=1000
export PROBE SERVER PROBE_TIMEOUT_MS
# shellcheck source=../integration/lib.sh disable=SC1091 # copied next to us in the container
. "$here/lib.sh"
NFW_TMP=$(mktemp -d /tmp/nfwall-e2e.XXXXXX)

[ "$(cat /proc/1/comm)" = systemd ] || nfw_die "PID 1 is not systemd"
conf=/etc/nfwall
HOST4=10.250.3.1 PEER4=10.250.3.2 HOST6=fd00:250:3::1 PEER6=fd00:250:3::2
REJ4=icmp:3:10 REJ6=icmp6:1:1

# expect_rc WANT DESCRIPTION COMMAND... — COMMAND's exit status; its output
# is kept in $NFW_TMP/out and shown when the status is not WANT.
expect_rc() {
        local want=$1 desc=$2 rc=0
        shift 2
        "$@" >"$NFW_TMP/out" 2>&1 || rc=$?
        if [ "$rc" = "$want" ]; then
                nfw_ok "$desc (exit $rc)"
        else
                nfw_not_ok "$desc" "exit $rc, want $want"
                nfw_diag <"$NFW_TMP/out"
        fi
}
# v4 PROTO PORT WANT DESC / v6 ... — one probe from peer to the container.
v4() { expect_verdict peer "$1" "$HOST4" "$2" "$3" "v4 $1 $2 $4" || true; }
v6() { expect_verdict peer "$1" "$HOST6" "$2" "$3" "v6 $1 $2 $4" || true; }
prop() { systemctl show -P "$1" firewall.service; }
tables() { nft list tables | awk '$1 == "table" { print $2, $3 }' | LC_ALL=C sort | paste -sd ' ' -; }
others() { nft list table inet other; iptables-nft -S; }
rules_in() { cat "$@" | grep -c '^-A '; }
canon4() { /usr/sbin/nfwalld --test --print --no-kernel "$1" 2>/dev/null; }
canon6() { /usr/sbin/nfwalld --test --print --no-kernel -6 "$1" 2>/dev/null; }
# nocomment FILE — a saved file without its header; chain counters as [0:0]
# (a save writes them, and packets moved them)
nocomment() { grep -v '^#' "$1" | sed -E 's/^(:[^ ]+ [^ ]+) \[[0-9]+:[0-9]+\]$/\1 [0:0]/'; }
main_proc() { grep "^$1:" "/proc/$(prop MainPID)/status" | cut -f2- | tr '\t' ' '; }
# set_setting KEY VALUE — one line of nfwall.conf
set_setting() { sed -i "s|^$1 = .*|$1 = $2;|" "$conf/nfwall.conf"; }
# journal_has TEXT — the unit's journal holds the line TEXT (journald may lag a little)
journal_has() {
        for _ in $(seq 1 20); do
                journalctl -u firewall.service -o cat --no-pager | grep -qxF -- "$1" && return 0
                sleep 0.1
        done
        return 1
}

section "install: what a package's postinst does"
expect_rc 0 "systemd-sysusers nfwall.conf" systemd-sysusers nfwall.conf
expect_rc 0 "systemd-tmpfiles --create nfwall.conf" systemd-tmpfiles --create nfwall.conf
assert_eq "$(getent passwd nfwall | cut -d: -f1)" nfwall "the user nfwall exists"
assert_eq "$(getent passwd nfwall | cut -d: -f7 | sed 's|.*/||')" nologin "nfwall has no login shell"
assert_eq "$(stat -c '%a %U %G' "$conf")" "770 root nfwall" "$conf: 0770 root:nfwall"
assert_eq "$(stat -c '%a %U %G' "$conf/nfwall.conf")" "640 root nfwall" "nfwall.conf: 0640 root:nfwall"
assert_eq "$(stat -c '%a %U %G' "$conf/rules.v4")" "600 nfwall nfwall" "rules.v4: 0600 nfwall:nfwall"
assert_eq "$(stat -c '%a %U %G' "$conf/rules.v6")" "600 nfwall nfwall" "rules.v6: 0600 nfwall:nfwall"
expect_rc 0 "systemctl daemon-reload" systemctl daemon-reload
assert_eq "$(prop User)" nfwall "unit: User=nfwall"
assert_eq "$(prop AmbientCapabilities)" cap_net_admin "unit: AmbientCapabilities=cap_net_admin"
assert_eq "$(prop CapabilityBoundingSet)" cap_net_admin "unit: CapabilityBoundingSet=cap_net_admin"

section "network: peer namespace, server in the container"
sysctl -q -w net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 \
        net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 >/dev/null
nfw_ns_add peer
ip link add fw0 address 02:fa:03:00:00:01 type veth peer name eth0 address 02:fa:03:00:00:02 netns peer
ip link set fw0 up
ip -n peer link set eth0 up
ip addr add "$HOST4/24" dev fw0
ip addr add "$HOST6/64" dev fw0 nodad
nfw_addr peer eth0 "$PEER4/24" "$PEER6/64"
ip neigh replace "$PEER4" lladdr 02:fa:03:00:00:02 dev fw0 nud permanent
ip -6 neigh replace "$PEER6" lladdr 02:fa:03:00:00:02 dev fw0 nud permanent
nfw_neigh peer eth0 "$HOST4" "$HOST6" 02:fa:03:00:00:01
"$SERVER" tcp 22 8002 8003 udp 8002 --ready "$NFW_TMP/ready" >"$NFW_TMP/server.log" 2>&1 &
NFW_PIDS+=($!)
for _ in $(seq 1 100); do [ -e "$NFW_TMP/ready" ] && break; sleep 0.05; done
[ -e "$NFW_TMP/ready" ] || nfw_die "the server did not start"
# other programs' tables, which nfwall must leave alone
nft add table inet other
nft add chain inet other input '{ type filter hook input priority 10; policy accept; }'
nft add rule inet other input tcp dport 9 counter accept
iptables-nft -A INPUT -s 192.0.2.1/32 -j DROP
others >"$NFW_TMP/others.before"
assert_eq "$(tables)" "inet other ip filter" "before start: only the other programs' tables"
v4 tcp 8002 open "before start (no firewall)"

n=$(rules_in "$conf/rules.v4" "$conf/rules.v6")

section "systemctl start firewall"
expect_rc 0 "systemctl start firewall" systemctl start firewall
assert_eq "$(systemctl is-active firewall)" active "is-active: active"
assert_eq "$(journalctl -b -o cat --no-pager | grep -c 'ordering cycle' || true)" 0 "no ordering cycle"
assert_eq "$(prop StatusText)" "Running, $n rules" "StatusText: Running, $n rules"
expect_rc 0 "systemctl status firewall" systemctl status --no-pager --lines=0 firewall
assert_eq "$(sed -n 's/^ *Status: //p' "$NFW_TMP/out")" "\"Running, $n rules\"" "systemctl status shows the STATUS= line"
assert_eq "$(main_proc Uid)" "$(id -u nfwall) $(id -u nfwall) $(id -u nfwall) $(id -u nfwall)" "nfwalld runs as nfwall"
assert_eq "$(main_proc CapEff)" 0000000000001000 "nfwalld's effective capabilities: CAP_NET_ADMIN only"
assert_eq "$(main_proc CapBnd)" 0000000000001000 "nfwalld's bounding set: CAP_NET_ADMIN only"
assert_eq "$(stat -c '%a %U %G %F' /run/nfwall/control)" "660 nfwall nfwall socket" "control socket 0660 nfwall:nfwall"
assert_eq "$(tables)" "inet other ip filter ip nfwall-filter ip6 nfwall-filter" "tables: ours added, the others kept"
expect_rc 0 "nfwallctl status as root" nfwallctl status
v4 tcp 22 open "shipped rules: ssh"
v4 tcp 8002 "$REJ4" "shipped rules: rejected"
v4 udp 8002 "$REJ4" "shipped rules: rejected"
v6 tcp 22 open "shipped rules: ssh"
v6 tcp 8002 "$REJ6" "shipped rules: rejected"

section "systemctl reload: an edited rules file"
sed -i 's/^-A INPUT -j REJECT/-A INPUT -p tcp -m tcp --dport 8002 -j ACCEPT\n&/' "$conf/rules.v4"
pid=$(prop MainPID)
expect_rc 0 "systemctl reload firewall" systemctl reload firewall
assert_eq "$(prop MainPID)" "$pid" "reload: the same nfwalld"
assert_eq "$(prop StatusText)" "Running, $((n + 1)) rules" "StatusText: Running, $((n + 1)) rules"
v4 tcp 8002 open "after reload: the new rule"
v4 tcp 8003 "$REJ4" "after reload"
v4 udp 8002 "$REJ4" "after reload"

section "systemctl reload: a broken rules file fails, the old rules stay"
cp "$conf/rules.v4" "$NFW_TMP/good.v4"
# without the 8002 rule, and one bad line: applied in part or whole, it would show
sed -e '/--dport 8002 -j ACCEPT/d' -e 's/^-A INPUT -j REJECT/-A INPUT -p tcp --dport 70000 -j ACCEPT\n&/' \
        "$NFW_TMP/good.v4" >"$conf/rules.v4"
bad_line=$(grep -n -- '--dport 70000' "$conf/rules.v4" | cut -d: -f1)
diag=$(/usr/sbin/nfwalld --test --no-kernel "$conf/rules.v4" 2>&1 >/dev/null || true)
assert_eq "$(printf '%s\n' "$diag" | grep -c "^$conf/rules.v4:$bad_line:[0-9]*: error: ")" 1 \
        "nfwalld --test names rules.v4:$bad_line"
expect_rc 1 "systemctl reload firewall (broken file)" systemctl reload firewall
assert_true "the journal has the error with file:line: $diag" journal_has "$diag"
assert_eq "$(systemctl is-active firewall)" active "still active"
assert_eq "$(prop MainPID)" "$pid" "the same nfwalld"
assert_eq "$(prop StatusText)" "Running, $((n + 1)) rules; last action failed: $diag" "StatusText names the error"
v4 tcp 8002 open "the old rules in force"
v4 tcp 8003 "$REJ4" "the old rules in force"
cp "$NFW_TMP/good.v4" "$conf/rules.v4"
expect_rc 0 "systemctl reload firewall (repaired file)" systemctl reload firewall
assert_eq "$(prop StatusText)" "Running, $((n + 1)) rules" "StatusText: the problem is gone"

section "systemctl restart firewall"
expect_rc 0 "systemctl restart firewall" systemctl restart firewall
assert_true "restart: a new nfwalld" test "$(prop MainPID)" != "$pid" -a "$(prop MainPID)" != 0
assert_eq "$(systemctl is-active firewall)" active "is-active: active"
assert_eq "$(prop StatusText)" "Running, $((n + 1)) rules" "StatusText: Running, $((n + 1)) rules"
v4 tcp 8002 open "after restart"
v4 tcp 8003 "$REJ4" "after restart"

section "service firewall save"
rm -f "$conf/rules.v4.save" "$conf/rules.v6.save"
cp "$conf/rules.v4" "$NFW_TMP/before.v4"
cp "$conf/rules.v6" "$NFW_TMP/before.v6"
expect_rc 0 "service firewall save" service firewall save
assert_true "rules.v4.save is the previous file" cmp -s "$conf/rules.v4.save" "$NFW_TMP/before.v4"
assert_true "rules.v6.save is the previous file" cmp -s "$conf/rules.v6.save" "$NFW_TMP/before.v6"
assert_eq "$(nocomment "$conf/rules.v4")" "$(canon4 "$NFW_TMP/before.v4")" "rules.v4: the running rules, canonical"
assert_eq "$(nocomment "$conf/rules.v6")" "$(canon6 "$NFW_TMP/before.v6")" "rules.v6: the running rules, canonical"
assert_eq "$(stat -c '%a %U %G' "$conf/rules.v4")" "600 nfwall nfwall" "rules.v4 written by nfwall, 0600"
assert_eq "$(find "$conf" -mindepth 1 -printf '%f\n' | LC_ALL=C sort | paste -sd ' ' -)" "nfwall.conf rules.v4 rules.v4.save rules.v6 rules.v6.save" \
        "$conf: no temporary files left"
cp "$conf/rules.v4" "$NFW_TMP/saved.v4"

section "service firewall panic"
expect_rc 0 "service firewall panic" service firewall panic
assert_eq "$(prop StatusText)" "Panic: dropping all traffic ($((n + 1)) rules kept underneath)" "StatusText: panic"
v4 tcp 22 timeout "panic"
expect_rc 0 "service firewall panic off" service firewall panic off
v4 tcp 22 open "panic off"

section "the control group, under the dedicated user"
useradd --no-create-home --groups nfwall nfwtest
as_member() { setpriv --reuid=nfwtest --regid=nfwtest --init-groups "$@"; }
as_capped() { setpriv --reuid=nfwtest --regid=nfwtest --init-groups --inh-caps=+net_admin --ambient-caps=+net_admin "$@"; }
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
expect_rc 4 "control_group unset: a member of group nfwall may not read status" as_member nfwallctl status
set_setting control_group '"nfwall"'
expect_rc 0 "systemctl reload (control_group = \"nfwall\")" systemctl reload firewall
expect_rc 0 "a member of the control group reads status" as_member nfwallctl status
expect_rc 4 "a member of the control group may not stop" as_member nfwallctl stop
# nfwalld (user nfwall) may not look at another user's /proc/PID/ns/user: its uid_map tells instead
expect_rc 0 "a member with CAP_NET_ADMIN may reload" as_capped nfwallctl reload
expect_rc 4 "a member, root of a user namespace of its own, may not reload" \
        as_member unshare --user --map-root-user nfwallctl reload
expect_rc 4 "nobody may not read status" as_nobody nfwallctl status
assert_eq "$(systemctl is-active firewall)" active "still active"

section "systemctl stop firewall, save_on_stop"
set_setting save_on_stop true
expect_rc 0 "systemctl reload (save_on_stop = true)" systemctl reload firewall
{ cat "$NFW_TMP/saved.v4"; echo "# not what is in force"; } >"$conf/rules.v4"
cp "$conf/rules.v4" "$NFW_TMP/edited.v4"
expect_rc 0 "systemctl stop firewall" systemctl stop firewall
assert_eq "$(systemctl is-active firewall || true)" inactive "is-active: inactive"
expect_rc 3 "systemctl status firewall (stopped)" systemctl status --no-pager --lines=0 firewall
assert_true "save_on_stop: rules.v4.save is the file before the stop" cmp -s "$conf/rules.v4.save" "$NFW_TMP/edited.v4"
assert_eq "$(nocomment "$conf/rules.v4")" "$(nocomment "$NFW_TMP/saved.v4")" "save_on_stop: rules.v4 holds the rules in force"
assert_eq "$(tables)" "inet other ip filter" "stop: nfwall's tables gone, the others kept"
others >"$NFW_TMP/others.after"
assert_true "stop: the other programs' tables unchanged" cmp -s "$NFW_TMP/others.before" "$NFW_TMP/others.after"
v4 tcp 8003 open "after stop (no firewall)"

section "the init script called directly hands the verbs to systemctl"
expect_rc 0 "/etc/init.d/firewall start" /etc/init.d/firewall start
assert_eq "$(head -n 1 "$NFW_TMP/out")" "firewall: start via systemctl (firewall.service)" "start: via systemctl"
assert_eq "$(systemctl is-active firewall)" active "is-active: active"
v4 tcp 8003 "$REJ4" "started by the init script"
pid=$(prop MainPID)
expect_rc 0 "/etc/init.d/firewall restart" /etc/init.d/firewall restart
assert_true "restart: a new nfwalld, under systemd" test "$(prop MainPID)" != "$pid" -a "$(prop MainPID)" != 0
expect_rc 0 "/etc/init.d/firewall status" /etc/init.d/firewall status
expect_rc 0 "/etc/init.d/firewall stop" /etc/init.d/firewall stop
assert_eq "$(systemctl is-active firewall || true)" inactive "is-active: inactive"
expect_rc 3 "/etc/init.d/firewall status (stopped)" /etc/init.d/firewall status
assert_eq "$(tables)" "inet other ip filter" "stopped by the init script: nfwall's tables gone"

finish
