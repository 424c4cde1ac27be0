#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test-daemon.sh — the service: nfwalld and nfwallctl, every action, every
# setting's effect and every exit code (issue 4; DESIGN.md "Service
# semantics"; ../shared/docs/anchors.md §1).
#
# Each case starts its own nfwalld in a network namespace of its own (the
# server side of a veth pair from lib.sh), with a settings file, rules files
# and a control socket in a temporary directory; it waits (bounded) until
# the socket answers, and the daemon is stopped and the namespaces deleted
# at the end of the case, or on exit, error or signal (lib.sh's trap).
# Rules are proven with traffic: probe (client) → server, port 80 accepted,
# port 81 rejected with an ICMP port unreachable (icmp:3:3 / icmp6:1:4).
#
# Cases (NFWD_ONLY picks them by name): client (usage, no daemon), actions
# (each action, its exit code and its effect; SIGHUP, SIGTERM), atomic
# (restart/reload/condrestart under probes: never open), save,
# save-counter, no-save-counter, save-on-stop, no-save-on-stop,
# save-on-restart, status-settings (and the -n/-v/--line-numbers/--no-*
# overrides), modules, modules-no-unload (only where nf_conntrack_ftp is
# built in), modules-missing, fallback, broken-at-start, not-configured,
# broken-at-reload (rules and settings), broken-settings, adopt (kill -9,
# a new daemon adopts, without a gap), kill-during-save (30 kills, never a
# torn file), unprivileged (setpriv as nobody: control_group members read,
# nobody changes; exit 4), frames (rawclient: malformed, truncated,
# oversized, stalled), concurrent (200 nfwallctl status during reloads; 200
# raw connections at once), notify (sd_notify and the watchdog),
# socket-activation (systemd-socket-activate), out-of-band (nft changes our
# table behind nfwalld's back).
#
# Environment (meson passes them; by hand they are looked for in build*/):
#   NFWALLD NFWALLCTL RAWCLIENT PROBE SERVER
#   NFWD_ONLY   run only the cases whose name matches this regex (debugging)
#
# Exit: 0 all passed, 1 something failed, 77 skipped (not root / no netns).

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# ------------------------------------------------------------ requirements
[ "$(id -u)" = 0 ] || nfw_skip_all "not root"
command -v ip >/dev/null 2>&1 || nfw_skip_all "no ip(8)"
command -v nft >/dev/null 2>&1 || nfw_skip_all "no nft(8)"
chk="nfwdchk$$"
ip netns add "$chk" 2>/dev/null || nfw_skip_all "cannot create a network namespace (ip netns add)"
ip netns del "$chk" 2>/dev/null
NFW_TMP=$(mktemp -d "${TMPDIR:-/tmp}/nfwall-daemon.XXXXXX") || nfw_die "mktemp failed"
# nobody must reach the sockets below it (the unprivileged-caller case)
chmod 0711 "$NFW_TMP"
nfw_find_tools

nfw_find_bin NFWALLD nfwalld daemon || nfw_die "nfwalld not found (set NFWALLD)"
nfw_find_bin NFWALLCTL nfwallctl ctl || nfw_die "nfwallctl not found (set NFWALLCTL)"
nfw_find_bin RAWCLIENT rawclient tests/integration || nfw_die "rawclient not found (set RAWCLIENT)"
printf '# nfwalld: %s\n# nfwallctl: %s\n' "$NFWALLD" "$NFWALLCTL"

VERSION=$("$NFWALLD" --version 2>/dev/null | awk '{ print $2; exit }')
PFX="nfwd$$"
K=0
T=
C=
S=
D_PID=

# ------------------------------------------------------------------ rules
# RULES_A: 80 accepted, 81 rejected (both families), comments that a save
# drops, so that "the old file" and "a save" always differ.
write_rules_a() {
        cat >"$1" <<'EOF'
# rules A (v4): 80 open, 81 rejected
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 81 -j REJECT --reject-with icmp-port-unreachable
COMMIT
EOF
}
write_rules6_a() {
        cat >"$1" <<'EOF'
# rules A (v6): 80 open, 81 rejected
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 81 -j REJECT --reject-with icmp6-port-unreachable
COMMIT
EOF
}
# RULES_B: 81 opened (no reject), 82 rejected instead.
write_rules_b() {
        cat >"$1" <<'EOF'
# rules B (v4): 80 and 81 open, 82 rejected
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 82 -j REJECT --reject-with icmp-port-unreachable
COMMIT
EOF
}
# BROKEN: would open 81, but line 6 has an error (and line 8 another one).
BROKEN_LINE=6
BROKEN_LINE2=8
write_rules_broken() {
        cat >"$1" <<'EOF'
# broken (v4): would open 81
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp -m tcp --dport 99999 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT
-A INPUT -j NO_SUCH_CHAIN
COMMIT
EOF
}
# FALLBACK: 80 rejected too.
write_rules_fallback() {
        cat >"$1" <<'EOF'
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable
-A INPUT -p tcp -m tcp --dport 81 -j REJECT --reject-with icmp-port-unreachable
COMMIT
EOF
}
# BIG N: N host rules, then rules A (a save or a reload takes a while).
write_rules_big() {
        local f=$1 n=$2
        {
                echo "# big (v4): $n rules, then rules A"
                echo "*filter"
                echo ":INPUT ACCEPT [0:0]"
                echo ":FORWARD ACCEPT [0:0]"
                echo ":OUTPUT ACCEPT [0:0]"
                awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++)
                        printf "-A INPUT -s 10.99.%d.%d/32 -p tcp -m tcp --dport %d -j ACCEPT\n", int(i / 250), i % 250 + 1, 1000 + i % 50 }'
                echo "-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT"
                echo "-A INPUT -p tcp -m tcp --dport 81 -j REJECT --reject-with icmp-port-unreachable"
                echo "COMMIT"
        } >"$f"
}

# canon4 FILE / canon6 FILE — the canonical print, what a save must write.
canon4() { "$NFWALLD" --test --print --no-kernel "$1" 2>/dev/null; }
canon6() { "$NFWALLD" --test --print --no-kernel -6 "$1" 2>/dev/null; }
# nocomment FILE — a file without its comment lines (a save's header).
nocomment() { grep -v '^#' "$1"; }
# nocounters — "[p:b] -A" → "-A", chain counters → [0:0].
nocounters() { sed -E 's/^\[[0-9]+:[0-9]+\] //; s/^(:[^ ]+ [^ ]+) \[[0-9]+:[0-9]+\]$/\1 [0:0]/'; }

# ------------------------------------------------------------------ cases
# case_begin NAME [SETTING LINES...] — fresh pair C (client) / S (server,
# the daemon's namespace), servers on tcp 80 81 82, rules A in D_DIR,
# settings file D_CONF with the extra lines appended. Returns 1 (and the
# case is skipped) when NFWD_ONLY does not match NAME.
case_begin() {
        local name=$1
        shift
        if [ -n "${NFWD_ONLY:-}" ] && ! [[ $name =~ $NFWD_ONLY ]]; then
                return 1
        fi
        case_end
        section "$name"
        K=$((K + 1))
        T="${PFX}c$K"
        topo_create_pair "$T"
        C=$T-cli S=$T-srv
        start_server "$S" tcp 80 81 82
        D_NS=$S
        D_DIR="$NFW_TMP/$name"
        mkdir -p "$D_DIR"
        chmod 0711 "$D_DIR"
        D_CONF="$D_DIR/nfwall.conf"
        D_SOCK="$D_DIR/control"
        D_LOG="$D_DIR/nfwalld.log"
        D_ENV=()
        : >"$D_LOG"
        write_rules_a "$D_DIR/rules.v4"
        write_rules6_a "$D_DIR/rules.v6"
        write_conf "$@"
        return 0
}

# write_conf [SETTING LINES...] — the settings file, paths in D_DIR.
write_conf() {
        {
                echo "# test settings"
                echo "rules_v4 = \"$D_DIR/rules.v4\";"
                echo "rules_v6 = \"$D_DIR/rules.v6\";"
                echo "control_socket = \"$D_SOCK\";"
                [ $# -gt 0 ] && printf '%s\n' "$@"
        } >"$D_CONF"
}

case_end() {
        [ -n "$D_PID" ] && daemon_kill
        [ -n "$T" ] && topo_destroy "$T"
        T=
}

# daemon_spawn — nfwalld in D_NS, in the background; D_PID. No waiting.
daemon_spawn() {
        ip netns exec "$D_NS" env "${D_ENV[@]}" "$NFWALLD" --config "$D_CONF" >>"$D_LOG" 2>&1 &
        D_PID=$!
        # Not in NFW_PIDS: it is our child until case_end or daemon_* reaps
        # it (so its pid cannot be reused meanwhile), and on an early exit
        # lib.sh's cleanup kills what runs in the case's namespaces.
}

# daemon_start — spawn, then wait (10 s) until the socket answers.
# Returns 1 when the daemon died or never answered.
daemon_start() {
        local i
        daemon_spawn
        for i in $(seq 1 200); do
                if ! kill -0 "$D_PID" 2>/dev/null; then
                        { wait "$D_PID"; } 2>/dev/null
                        D_EXIT=$?
                        D_PID=
                        printf '# nfwalld exited with %s during start; its log:\n' "$D_EXIT"
                        nfw_diag <"$D_LOG"
                        return 1
                fi
                if [ -S "$D_SOCK" ] && "$RAWCLIENT" "$D_SOCK" ping 2>/dev/null | grep -q '^reply'; then
                        return 0
                fi
                sleep 0.05
        done
        printf '# nfwalld did not answer within 10 s; its log:\n'
        nfw_diag <"$D_LOG"
        return 1
}

# daemon_start_ok DESC — daemon_start with a test line.
daemon_start_ok() {
        if daemon_start; then
                nfw_ok "${1:-nfwalld starts and answers on its socket}"
                return 0
        fi
        nfw_not_ok "${1:-nfwalld starts and answers on its socket}"
        return 1
}

# daemon_wait_exit SECONDS — wait for the daemon to end; D_EXIT, or 1 on timeout.
daemon_wait_exit() {
        local i n=$(($1 * 20))
        for i in $(seq 1 "$n"); do
                kill -0 "$D_PID" 2>/dev/null || break
                sleep 0.05
        done
        if kill -0 "$D_PID" 2>/dev/null; then
                return 1
        fi
        { wait "$D_PID"; } 2>/dev/null
        D_EXIT=$?
        D_PID=
        return 0
}

# daemon_term — SIGTERM (stop and exit); D_EXIT. 1 when it did not end in 10 s.
daemon_term() {
        kill -TERM "$D_PID" 2>/dev/null
        if daemon_wait_exit 10; then
                return 0
        fi
        daemon_kill
        return 1
}

# daemon_kill — SIGKILL, for crashes and cleanup.
daemon_kill() {
        [ -n "$D_PID" ] || return 0
        kill -KILL "$D_PID" 2>/dev/null
        { wait "$D_PID"; } 2>/dev/null
        D_PID=
}

log_mark() { D_MARK=$(stat -c %s "$D_LOG"); }
log_since() { tail -c +$((D_MARK + 1)) "$D_LOG"; }

# ctl ARGS... — nfwallctl on this case's socket (30 s bound): CTL_RC, CTL_OUT
# (stdout), CTL_ERR (stderr), CTL_ALL (both).
ctl() {
        ctl_as "" "$@"
}

# ctl_as "SETPRIV ARGS" ARGS... — the same, as another user (setpriv).
ctl_as() {
        local who=$1 bin=$NFWALLCTL
        shift
        if [ -n "$who" ]; then
                # shellcheck disable=SC2086 # who is a list of setpriv options
                CTL_OUT=$(timeout 30 setpriv $who "$NOBODY_CTL" --socket "$D_SOCK" "$@" 2>"$NFW_TMP/ctl.err")
        else
                CTL_OUT=$(timeout 30 "$bin" --socket "$D_SOCK" "$@" 2>"$NFW_TMP/ctl.err")
        fi
        CTL_RC=$?
        CTL_ERR=$(cat "$NFW_TMP/ctl.err")
        CTL_ALL="$CTL_OUT
$CTL_ERR"
}

ctl_diag() {
        printf '%s\n' "$CTL_ALL" | head -n 15 | nfw_diag
}

# expect_ctl RC DESC ARGS... — nfwallctl ARGS exits with RC.
expect_ctl() {
        local want=$1 desc=$2
        shift 2
        ctl "$@"
        if [ "$CTL_RC" = "$want" ]; then
                nfw_ok "$desc: exit $want"
                return 0
        fi
        nfw_not_ok "$desc" "nfwallctl $*: exit $CTL_RC, want $want"
        ctl_diag
        return 1
}

# expect_as RC DESC "SETPRIV ARGS" ARGS...
expect_as() {
        local want=$1 desc=$2 who=$3
        shift 3
        ctl_as "$who" "$@"
        if [ "$CTL_RC" = "$want" ]; then
                nfw_ok "$desc: exit $want"
                return 0
        fi
        nfw_not_ok "$desc" "nfwallctl $*: exit $CTL_RC, want $want"
        ctl_diag
        return 1
}

# out_has DESC REGEX [TEXT] — TEXT (default CTL_ALL) matches the ERE.
out_has() {
        local desc=$1 re=$2 text=${3-$CTL_ALL}
        if printf '%s\n' "$text" | grep -Eq -- "$re"; then
                nfw_ok "$desc"
                return 0
        fi
        nfw_not_ok "$desc" "no match for /$re/"
        printf '%s\n' "$text" | head -n 15 | nfw_diag
        return 1
}

out_lacks() {
        local desc=$1 re=$2 text=${3-$CTL_ALL}
        if ! printf '%s\n' "$text" | grep -Eq -- "$re"; then
                nfw_ok "$desc"
                return 0
        fi
        nfw_not_ok "$desc" "unexpected match for /$re/"
        printf '%s\n' "$text" | grep -E -- "$re" | head -n 5 | nfw_diag
        return 1
}

# same_file DESC FILE EXPECTED_TEXT — FILE's content is exactly the text.
same_text() {
        local desc=$1 got=$2 want=$3
        if [ "$got" = "$want" ]; then
                nfw_ok "$desc"
                return 0
        fi
        nfw_not_ok "$desc" "contents differ"
        diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | head -n 20 | nfw_diag
        return 1
}

# Traffic: v4 PORT WANT DESC / v6 PORT WANT DESC.
v4() { expect_verdict "$C" tcp "$PSRV4" "$1" "$2" "$3"; }
v6() { expect_verdict "$C" tcp "$PSRV6" "$1" "$2" "$3"; }
V_OPEN=open
V_REJ4=icmp:3:3
V_REJ6=icmp6:1:4

# rules_a_enforced WHAT — the verdicts of rules A in both families.
rules_a_enforced() {
        v4 80 "$V_OPEN" "$1: v4 80 accepted"
        v4 81 "$V_REJ4" "$1: v4 81 rejected"
        v6 81 "$V_REJ6" "$1: v6 81 rejected"
}

# wait_v4 PORT WANT DESC — poll until the verdict is WANT (5 s), for
# asynchronous changes (signals).
wait_v4() {
        local i got
        for i in $(seq 1 25); do
                got=$(ip netns exec "$C" "$PROBE" tcp "$PSRV4" "$1" --timeout 200 2>&1 | head -n 1)
                [ "$got" = "$2" ] && break
                sleep 0.2
        done
        assert_eq "$got" "$2" "$3"
}

# dir_extra DIR REGEX — the names in DIR (hidden ones too) other than the
# case's own files and those matching REGEX, on one line.
dir_extra() {
        find "$1" -mindepth 1 -maxdepth 1 -printf '%f\n' |
                grep -Ev "^(nfwall\.conf|nfwalld\.log|control|$2)\$" | sort | tr '\n' ' '
}

# probe_loop_start PORT — probe v4 PORT over and over in the background;
# probe_loop_wait N — until N more probes have answered (10 s at most), so
# that the probes span what comes next however slow they start (ASan);
# probe_loop_check WHAT — stop, and pass when no probe found it open.
probe_loop_start() {
        PL_STOP="$D_DIR/probe.stop"
        PL_OUT="$D_DIR/verdicts"
        rm -f "$PL_STOP"
        (
                while [ ! -e "$PL_STOP" ]; do
                        "$PROBE" tcp "$PSRV4" "$1" --netns "$C" --timeout 300 2>&1 | head -n 1
                done
        ) >"$PL_OUT" &
        PL_PID=$!
}
probe_loop_wait() {
        local want _i
        want=$(($(wc -l <"$PL_OUT") + $1))
        for _i in $(seq 1 200); do
                [ "$(wc -l <"$PL_OUT")" -ge "$want" ] && return 0
                sleep 0.05
        done
}
probe_loop_check() {
        local n bad lost
        touch "$PL_STOP"
        wait "$PL_PID"
        n=$(wc -l <"$PL_OUT")
        # "open" is the gap this is about; a timeout (a reply lost on a
        # loaded machine) is only noted
        bad=$(grep -Evc "^($V_REJ4|timeout)\$" "$PL_OUT")
        lost=$(grep -c '^timeout$' "$PL_OUT")
        assert_eq "$bad" 0 "$1: v4 81 never open in $n probes ($lost without an answer)"
        if [ "$n" -lt 5 ]; then
                nfw_not_ok "$1: enough probes" "only $n"
        fi
}

# our_tables — our tables in D_NS, "family name" per line.
our_tables() { list_tables "$D_NS" | grep ' nfwall-' | sort; }

json_valid() {
        if command -v jq >/dev/null 2>&1; then
                jq -e . >/dev/null 2>&1
        elif command -v python3 >/dev/null 2>&1; then
                python3 -c 'import json, sys; json.load(sys.stdin)' 2>/dev/null
        else
                return 2
        fi
}

# json_field FILTER WANT DESC — jq FILTER of CTL_OUT is WANT (skipped without jq).
json_field() {
        if ! command -v jq >/dev/null 2>&1; then
                nfw_skip "$3" "no jq"
                return 0
        fi
        assert_eq "$(printf '%s' "$CTL_OUT" | jq -r "$1" 2>&1)" "$2" "$3"
}

# ======================================================================
# The client alone
# ======================================================================
if [ -z "${NFWD_ONLY:-}" ] || [[ client =~ $NFWD_ONLY ]]; then
        section "client: usage and a daemon that is not there"
        D_SOCK="$NFW_TMP/no-such-socket"
        expect_ctl 2 "no action" 
        expect_ctl 2 "unknown action" frobnicate
        expect_ctl 2 "panic without on/off/status" panic
        expect_ctl 2 "panic with a bad argument" panic sideways
        expect_ctl 3 "status, no daemon at the socket (not running)" status
        out_has "status, no daemon: says so" "$D_SOCK|not running|[Cc]onnect"
        expect_ctl 3 "reload, no daemon at the socket" reload
        expect_ctl 3 "start, no daemon (only the service manager starts nfwalld)" start
        out_has "start, no daemon: says how to start the service" 'systemctl'
        expect_ctl 3 "stop, no daemon" stop
        expect_ctl 3 "version, no daemon" version
        out_has "version, no daemon: the client's version" "^nfwallctl $VERSION"
        expect_ctl 0 "condrestart, no daemon (LSB: nothing to do)" condrestart
        expect_ctl 0 "try-restart, no daemon" try-restart
fi

# ======================================================================
# Every action and its exit code
# ======================================================================
if case_begin actions; then
        daemon_start_ok
        rules_a_enforced "after start"
        assert_eq "$(our_tables | tr '\n' ' ')" "ip nfwall-filter ip6 nfwall-filter " "our tables after start"

        expect_ctl 0 "status" status
        out_has "status lists INPUT like iptables -L" '^Chain INPUT \(policy ACCEPT'
        out_has "status (status_linenumbers default true): line numbers" '^num +target +prot'
        out_has "status (status_numeric default true): numeric" 'dpt:80'
        out_lacks "status (status_verbose default false): no counters" '^ *(num +)?pkts +bytes'
        out_has "status says where the rules came from" "$D_DIR/rules.v4"
        expect_ctl 0 "status --json" status --json
        printf '%s' "$CTL_OUT" | json_valid
        assert_eq "$?" 0 "status --json is one valid JSON document"
        out_has "status --json names the INPUT chain" '"INPUT"' "$CTL_OUT"
        json_field '.state' running "status --json: state"
        json_field '.panic' false "status --json: panic"
        expect_ctl 0 "status --no-numeric" status --no-numeric
        out_has "status --no-numeric overrides status_numeric" 'anywhere'
        expect_ctl 0 "status --no-line-numbers" status --no-line-numbers
        out_lacks "status --no-line-numbers overrides status_linenumbers" '^num '
        expect_ctl 0 "status -n --no-numeric (the last one wins)" status -n --no-numeric
        out_has "status -n --no-numeric: names" 'anywhere'
        expect_ctl 0 "status -v" status -v
        out_has "status -v: counters" 'pkts +bytes'

        expect_ctl 0 "start when started (nothing to do)" start
        expect_ctl 0 "version" version
        out_has "version prints the version" "$VERSION"
        expect_ctl 0 "check (the rules files)" check
        write_rules_b "$D_DIR/other.v4"
        expect_ctl 0 "check FILE (valid)" check "$D_DIR/other.v4"
        write_rules_broken "$D_DIR/broken.v4"
        expect_ctl 1 "check FILE (broken)" check "$D_DIR/broken.v4"
        out_has "check FILE: the error's file:line" "$D_DIR/broken.v4:$BROKEN_LINE:"
        out_has "check FILE: every error (the second's file:line)" "$D_DIR/broken.v4:$BROKEN_LINE2:"
        expect_ctl 0 "check -6 FILE (valid)" check -6 "$D_DIR/rules.v6"
        expect_ctl 1 "check -6 FILE (an IPv4 file)" check -6 "$D_DIR/other.v4"
        expect_ctl 1 "check FILE (missing)" check "$D_DIR/missing.v4"
        out_has "check FILE (missing): names the file" "$D_DIR/missing.v4"
        rules_a_enforced "after check (changes nothing)"

        expect_ctl 0 "reload" reload
        expect_ctl 0 "restart" restart
        expect_ctl 0 "condrestart (running)" condrestart
        expect_ctl 0 "try-restart (running)" try-restart
        rules_a_enforced "after reload, restart, condrestart"

        expect_ctl 0 "panic status (off)" panic status
        out_has "panic status says off" '\boff\b'
        expect_ctl 0 "panic on" panic on
        v4 80 timeout "panic: v4 80 dropped"
        v6 80 timeout "panic: v6 80 dropped"
        expect_ctl 0 "panic status (on)" panic status
        out_has "panic status says on" '\bon\b'
        expect_ctl 0 "status during panic" status
        out_has "status during panic: the rules are kept" 'dpt:81'
        expect_ctl 0 "status --json during panic" status --json
        json_field '.panic' true "status --json during panic: panic"
        expect_ctl 0 "panic off" panic off
        rules_a_enforced "after panic off"

        nsx "$D_NS" nft add table inet other-program
        nsx "$D_NS" nft add table ip filter
        expect_ctl 0 "stop" stop
        assert_eq "$(our_tables | tr '\n' ' ')" "" "stop deletes our tables"
        assert_eq "$(list_tables "$D_NS" | grep -v nfwall- | sort | tr '\n' ' ')" "inet other-program ip filter " \
                "stop keeps other programs' tables"
        v4 81 "$V_OPEN" "after stop: v4 81 open"
        v6 81 "$V_OPEN" "after stop: v6 81 open"
        assert_true "nfwalld keeps running after stop" kill -0 "$D_PID"
        expect_ctl 3 "status (stopped)" status
        expect_ctl 3 "status --json (stopped)" status --json
        json_field '.state' stopped "status --json (stopped): state"
        cp "$D_DIR/rules.v4" "$D_DIR/rules.v4.before"
        expect_ctl 6 "save (stopped: nothing to save)" save
        assert_true "save (stopped) leaves the rules file as it was" cmp -s "$D_DIR/rules.v4" "$D_DIR/rules.v4.before"
        assert_true "save (stopped) makes no .save" test ! -e "$D_DIR/rules.v4.save"
        expect_ctl 0 "condrestart (stopped: nothing to do)" condrestart
        expect_ctl 0 "try-restart (stopped: nothing to do)" try-restart
        expect_ctl 3 "status after condrestart while stopped: still stopped" status
        expect_ctl 0 "panic status (stopped)" panic status
        expect_ctl 0 "start (stopped)" start
        rules_a_enforced "after start again"
        expect_ctl 0 "status (started again)" status
        expect_ctl 0 "stop" stop
        expect_ctl 0 "restart (stopped: starts)" restart
        rules_a_enforced "after restart from stopped"

        section "actions: signals"
        write_rules_b "$D_DIR/rules.v4"
        kill -HUP "$D_PID"
        wait_v4 81 "$V_OPEN" "SIGHUP reloads: rules B open v4 81"
        wait_v4 82 "$V_REJ4" "SIGHUP reloads: rules B reject v4 82"
        assert_true "nfwalld still running after SIGHUP" kill -0 "$D_PID"
        if daemon_term; then
                assert_eq "$D_EXIT" 0 "SIGTERM: nfwalld exits 0"
        else
                nfw_not_ok "SIGTERM: nfwalld exits within 10 s"
        fi
        assert_eq "$(our_tables | tr '\n' ' ')" "" "SIGTERM stops: our tables deleted"
        assert_eq "$(list_tables "$D_NS" | grep -c other-program)" 1 "SIGTERM keeps other programs' tables"
        v4 82 "$V_OPEN" "after SIGTERM: v4 82 open"
        assert_true "the socket is gone after exit" test ! -S "$D_SOCK"
fi

# ======================================================================
# restart and reload are one transaction: never a moment without rules
# ======================================================================
if case_begin atomic; then
        write_rules_big "$D_DIR/rules.v4" 1000
        daemon_start_ok
        rules_a_enforced "big ruleset"
        probe_loop_start 81
        probe_loop_wait 2
        rcs=
        for i in 1 2 3 4; do
                ctl restart
                rcs="$rcs$CTL_RC"
                ctl reload
                rcs="$rcs$CTL_RC"
                ctl condrestart
                rcs="$rcs$CTL_RC"
        done
        probe_loop_wait 3
        assert_eq "$rcs" 000000000000 "12 restarts, reloads and condrestarts all exit 0"
        probe_loop_check "during the swaps"
fi

# ======================================================================
# save: contents, backup, mode, counters
# ======================================================================
if case_begin save "save_counter = false;"; then
        daemon_start_ok
        cp "$D_DIR/rules.v4" "$D_DIR/orig.v4"
        cp "$D_DIR/rules.v6" "$D_DIR/orig.v6"
        chmod 0644 "$D_DIR/rules.v4"
        v4 81 "$V_REJ4" "traffic before save (counters move)"
        expect_ctl 0 "save" save
        # chain policy counters are saved as iptables-save prints them (always);
        # rule counters only with save_counter
        same_text "save: rules.v4 is the canonical print of the running rules" \
                "$(nocomment "$D_DIR/rules.v4" | nocounters)" "$(canon4 "$D_DIR/orig.v4")"
        same_text "save: rules.v6 is the canonical print of the running rules" \
                "$(nocomment "$D_DIR/rules.v6" | nocounters)" "$(canon6 "$D_DIR/orig.v6")"
        assert_true "save: rules.v4.save is the previous file" cmp -s "$D_DIR/rules.v4.save" "$D_DIR/orig.v4"
        assert_true "save: rules.v6.save is the previous file" cmp -s "$D_DIR/rules.v6.save" "$D_DIR/orig.v6"
        assert_eq "$(stat -c %a "$D_DIR/rules.v4")" 600 "save: rules.v4 mode 0600"
        assert_eq "$(stat -c %a "$D_DIR/rules.v6")" 600 "save: rules.v6 mode 0600"
        assert_eq "$(stat -c %a "$D_DIR/rules.v4.save")" 600 "save: rules.v4.save mode 0600"
        assert_eq "$(grep -cE '^\[[0-9]+:[0-9]+\] -A' "$D_DIR/rules.v4")" 0 \
                "save (save_counter false): no rule counters"
        cp "$D_DIR/rules.v4" "$D_DIR/first-save.v4"
        expect_ctl 0 "save again" save
        assert_true "second save: .save is the first save" cmp -s "$D_DIR/rules.v4.save" "$D_DIR/first-save.v4"
        assert_eq "$(dir_extra "$D_DIR" 'rules\.v[46](\.save)?|orig\.v[46]|first-save\.v4')" "" \
                "save leaves no temporary files"
        write_rules_a "$D_DIR/rules.v4"
        expect_ctl 0 "restart from the saved files" restart
        rules_a_enforced "saved files load again"
        expect_ctl 0 "check the saved files" check
fi

if case_begin save-counter "save_counter = true;"; then
        sed -i 's/^-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT$/[7:420] &/' "$D_DIR/rules.v4"
        cp "$D_DIR/rules.v4" "$D_DIR/orig.v4"
        daemon_start_ok
        for i in 1 2 3; do
                v4 81 "$V_REJ4" "probe $i to 81 (counted)"
        done
        expect_ctl 0 "status -v -x" status -v -x
        out_has "save_counter true: the file's counters are restored on start (status -v)" \
                '^ *(1 +)?7 +420 +ACCEPT +(tcp|6) '
        expect_ctl 0 "save" save
        out_has "save_counter true: saved with the restored counter of the 80 rule" \
                '^\[7:420\] -A INPUT -p tcp -m tcp --dport 80 -j ACCEPT$' "$(cat "$D_DIR/rules.v4")"
        n=$(sed -nE 's/^\[([0-9]+):[0-9]+\] -A INPUT -p tcp -m tcp --dport 81 .*/\1/p' "$D_DIR/rules.v4")
        if [ -n "$n" ] && [ "$n" -ge 3 ]; then
                nfw_ok "save_counter true: the 81 rule's counter counts the probes ($n >= 3)"
        else
                nfw_not_ok "save_counter true: the 81 rule's counter counts the probes" "got '$n'"
        fi
        same_text "save_counter true: without the counters, the canonical print" \
                "$(nocomment "$D_DIR/rules.v4" | nocounters)" "$(canon4 "$D_DIR/orig.v4" | nocounters)"
fi

if case_begin no-save-counter "save_counter = false;"; then
        sed -i 's/^-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT$/[7:420] &/' "$D_DIR/rules.v4"
        daemon_start_ok
        expect_ctl 0 "status -v -x" status -v -x
        out_has "save_counter false: the file's counters are not restored (status -v)" \
                '^ *(1 +)?0 +0 +ACCEPT +(tcp|6) '
fi

# ======================================================================
# save_on_stop, save_on_restart
# ======================================================================
# The running rules are A; the file is then changed to B: a save brings A
# back into the file (B in .save), no save leaves B.
if case_begin save-on-stop "save_on_stop = true;" "save_on_restart = false;"; then
        canon_a=$(canon4 "$D_DIR/rules.v4")
        daemon_start_ok
        write_rules_b "$D_DIR/rules.v4"
        cp "$D_DIR/rules.v4" "$D_DIR/b.v4"
        expect_ctl 0 "stop" stop
        same_text "save_on_stop: stop saved the running rules" "$(nocomment "$D_DIR/rules.v4" | nocounters)" "$canon_a"
        assert_true "save_on_stop: the file before stop is .save" cmp -s "$D_DIR/rules.v4.save" "$D_DIR/b.v4"
        expect_ctl 0 "start" start
        rules_a_enforced "start after a saving stop"
        write_rules_b "$D_DIR/rules.v4"
        rm -f "$D_DIR/rules.v4.save"
        expect_ctl 0 "restart (save_on_restart false)" restart
        assert_true "save_on_stop alone: restart does not save" cmp -s "$D_DIR/rules.v4" "$D_DIR/b.v4"
        v4 81 "$V_OPEN" "restart loaded the file (rules B): v4 81 open"
        write_rules_a "$D_DIR/rules.v4"
        expect_ctl 0 "reload (rules A)" reload
        write_rules_b "$D_DIR/rules.v4"
        if daemon_term; then
                assert_eq "$D_EXIT" 0 "SIGTERM: exit 0"
        else
                nfw_not_ok "SIGTERM: nfwalld exits within 10 s"
        fi
        same_text "save_on_stop: SIGTERM saved the running rules" "$(nocomment "$D_DIR/rules.v4" | nocounters)" "$canon_a"
fi

if case_begin no-save-on-stop "save_on_stop = false;" "save_on_restart = false;"; then
        daemon_start_ok
        write_rules_b "$D_DIR/rules.v4"
        cp "$D_DIR/rules.v4" "$D_DIR/b.v4"
        expect_ctl 0 "stop" stop
        assert_true "save_on_stop false: stop does not save" cmp -s "$D_DIR/rules.v4" "$D_DIR/b.v4"
        assert_true "save_on_stop false: no .save" test ! -e "$D_DIR/rules.v4.save"
        expect_ctl 0 "start" start
        v4 81 "$V_OPEN" "start loads the file (rules B)"
        daemon_term
        assert_true "save_on_stop false: SIGTERM does not save" cmp -s "$D_DIR/rules.v4" "$D_DIR/b.v4"
fi

if case_begin save-on-restart "save_on_restart = true;" "save_on_stop = false;"; then
        canon_a=$(canon4 "$D_DIR/rules.v4")
        daemon_start_ok
        write_rules_b "$D_DIR/rules.v4"
        cp "$D_DIR/rules.v4" "$D_DIR/b.v4"
        expect_ctl 0 "restart" restart
        same_text "save_on_restart: restart saved the running rules first" "$(nocomment "$D_DIR/rules.v4" | nocounters)" "$canon_a"
        assert_true "save_on_restart: the file before restart is .save" cmp -s "$D_DIR/rules.v4.save" "$D_DIR/b.v4"
        rules_a_enforced "save_on_restart: the saved rules were loaded again"
        write_rules_b "$D_DIR/rules.v4"
        rm -f "$D_DIR/rules.v4.save"
        expect_ctl 0 "condrestart" condrestart
        same_text "save_on_restart: condrestart saves too" "$(nocomment "$D_DIR/rules.v4" | nocounters)" "$canon_a"
        write_rules_b "$D_DIR/rules.v4"
        expect_ctl 0 "reload" reload
        assert_true "save_on_restart: reload does not save" cmp -s "$D_DIR/rules.v4" "$D_DIR/b.v4"
        v4 81 "$V_OPEN" "reload loaded the file (rules B)"
        expect_ctl 0 "stop (save_on_stop false)" stop
        assert_true "save_on_restart alone: stop does not save" cmp -s "$D_DIR/rules.v4" "$D_DIR/b.v4"
fi

# ======================================================================
# status_* settings and the -n / -v / --line-numbers overrides
# ======================================================================
if case_begin status-settings "status_numeric = false;" "status_verbose = true;" "status_linenumbers = false;"; then
        daemon_start_ok
        expect_ctl 0 "status" status
        out_has "status_numeric false: names" 'anywhere'
        out_has "status_numeric false: service names" 'dpt:http'
        out_has "status_verbose true: counters" 'pkts +bytes'
        out_lacks "status_linenumbers false: no numbers" '^num '
        expect_ctl 0 "status -n" status -n
        out_has "status -n overrides status_numeric" 'dpt:80'
        out_lacks "status -n: no names" 'anywhere'
        expect_ctl 0 "status --line-numbers" status --line-numbers
        out_has "status --line-numbers overrides status_linenumbers" '^num '
        expect_ctl 0 "status -v" status -v
        out_has "status -v (already verbose)" 'pkts +bytes'
        expect_ctl 0 "status --no-verbose" status --no-verbose
        out_lacks "status --no-verbose overrides status_verbose" 'pkts +bytes'
        write_conf
        expect_ctl 0 "reload with the default status_* settings" reload
        expect_ctl 0 "status after the reload" status
        out_has "reload re-reads the settings: numeric again" 'dpt:80'
        out_has "reload re-reads the settings: line numbers again" '^num '
        out_lacks "reload re-reads the settings: not verbose again" 'pkts +bytes'
fi

# ======================================================================
# modules, modules_unload
# ======================================================================
# Modules are the host's, not the namespace's: these cases run only where
# nf_conntrack_ftp is built into the kernel (no /proc/modules, or
# /sys/module/nf_conntrack_ftp without an initstate), so that nothing is
# loaded into or removed from the running kernel.
ftp_builtin=0
if [ ! -e /proc/modules ] || { [ -d /sys/module/nf_conntrack_ftp ] && [ ! -e /sys/module/nf_conntrack_ftp/initstate ]; }; then
        ftp_builtin=1
fi
if [ "$ftp_builtin" = 0 ]; then
        nfw_skip "modules, modules_unload" "nf_conntrack_ftp is not built into this kernel (the test would load or unload a host module)"
elif case_begin modules 'modules = [ "nf_conntrack_ftp" ];' "modules_unload = true;"; then
        daemon_start_ok
        out_has "modules: the built-in module is logged at start" 'nf_conntrack_ftp' "$(cat "$D_LOG")"
        expect_ctl 0 "status with a built-in module listed" status
        rules_a_enforced "modules: rules applied"
        log_mark
        expect_ctl 0 "stop (modules_unload true, built-in module)" stop
        out_has "modules_unload true: the built-in module is logged as skipped" \
                'nf_conntrack_ftp.*(built|skip)|(built|skip).*nf_conntrack_ftp' "$(log_since)"
        assert_true "the built-in module is still there" test -d /sys/module/nf_conntrack_ftp
        expect_ctl 0 "start again" start
fi

if [ "$ftp_builtin" = 1 ] && case_begin modules-no-unload 'modules = [ "nf_conntrack_ftp" ];' "modules_unload = false;"; then
        daemon_start_ok
        log_mark
        expect_ctl 0 "stop (modules_unload false)" stop
        out_lacks "modules_unload false: no unloading on stop" 'nf_conntrack_ftp' "$(log_since)"
fi

if case_begin modules-missing 'modules = [ "nfwall_no_such_module" ];'; then
        daemon_start
        out_has "a module that does not exist is named in the log" 'nfwall_no_such_module' "$(cat "$D_LOG")"
        rules_a_enforced "a missing module: the rules are applied anyway"
fi

# ======================================================================
# A broken rules file at start: fallback, or nothing applied
# ======================================================================
if case_begin fallback "fallback_rules_v4 = \"$NFW_TMP/fallback/fallback.v4\";" \
        "fallback_rules_v6 = \"$NFW_TMP/fallback/fallback.v6\";"; then
        mkdir -p "$NFW_TMP/fallback"
        write_rules_fallback "$NFW_TMP/fallback/fallback.v4"
        # the v6 fallback rejects 80 too; it is not used while rules.v6 is valid
        sed 's/icmp-port-unreachable/icmp6-port-unreachable/' "$NFW_TMP/fallback/fallback.v4" >"$NFW_TMP/fallback/fallback.v6"
        write_rules_broken "$D_DIR/rules.v4"
        daemon_start_ok "broken rules.v4 with a fallback: nfwalld starts"
        out_has "broken rules at start: the error's file:line in the log" "$D_DIR/rules.v4:$BROKEN_LINE:" "$(cat "$D_LOG")"
        out_has "broken rules at start: every error's file:line in the log" "$D_DIR/rules.v4:$BROKEN_LINE2:" "$(cat "$D_LOG")"
        out_has "broken rules at start: the log says the fallback is used" 'fallback' "$(cat "$D_LOG")"
        v4 80 "$V_REJ4" "fallback in force: v4 80 rejected"
        v4 81 "$V_REJ4" "fallback in force: v4 81 rejected"
        v6 81 "$V_REJ6" "rules.v6 (valid) applied: v6 81 rejected"
        v6 80 "$V_OPEN" "rules.v6 (valid) applied: v6 80 open"
        ctl status
        out_has "status says the fallback is in force" '[Ff]allback'
        expect_ctl 1 "reload with the file still broken" reload
        out_has "reload: the error's file:line" "$D_DIR/rules.v4:$BROKEN_LINE:"
        v4 80 "$V_REJ4" "failed reload keeps the fallback (reload never uses it)"
        write_rules_a "$D_DIR/rules.v4"
        expect_ctl 0 "reload with the file fixed" reload
        rules_a_enforced "after the fix"

        section "fallback: a broken rules.v6 at start"
        daemon_term
        printf '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p icmp6 --bogus\nCOMMIT\n' >"$D_DIR/rules.v6"
        log_mark
        daemon_start_ok "broken rules.v6 with a fallback: nfwalld starts"
        out_has "broken rules.v6: the error's file:line in the log" "$D_DIR/rules.v6:3:" "$(log_since)"
        v6 80 "$V_REJ6" "v6 fallback in force: v6 80 rejected"
        v4 80 "$V_OPEN" "rules.v4 (valid) applied: v4 80 open"
        v4 81 "$V_REJ4" "rules.v4 (valid) applied: v4 81 rejected"
fi

if case_begin broken-at-start; then
        write_rules_broken "$D_DIR/rules.v4"
        daemon_start_ok "broken rules.v4, no fallback, no tables: nfwalld starts"
        out_has "broken rules at start: the error's file:line in the log" "$D_DIR/rules.v4:$BROKEN_LINE:" "$(cat "$D_LOG")"
        assert_eq "$(our_tables | grep -c '^ip ')" 0 "nothing of the broken file applied (no ip table of ours)"
        v4 81 "$V_OPEN" "no v4 rules: 81 open"
        ctl status
        out_has "status says the rules did not load" "$D_DIR/rules.v4|[Ee]rror|[Ff]ailed|not"
        printf '# status exit code with a broken file at start: %s\n' "$CTL_RC"
        cp "$D_DIR/rules.v4" "$D_DIR/broken.v4"
        expect_ctl 0 "save with no IPv4 rules in force (saves IPv6)" save
        assert_true "save never writes an empty ruleset over rules.v4" cmp -s "$D_DIR/rules.v4" "$D_DIR/broken.v4"
        assert_true "save made no rules.v4.save" test ! -e "$D_DIR/rules.v4.save"
        write_rules_a "$D_DIR/rules.v4"
        expect_ctl 0 "start (or reload) once the file is fixed" reload
        rules_a_enforced "after the fix"

        section "broken-at-start: our tables already there are kept"
        daemon_kill
        write_rules_broken "$D_DIR/rules.v4"
        log_mark
        daemon_start_ok "broken rules.v4, our tables present: nfwalld starts"
        out_has "broken rules, tables kept: file:line in the log" "$D_DIR/rules.v4:$BROKEN_LINE:" "$(log_since)"
        rules_a_enforced "broken rules at start keep what our tables hold"
fi

# ======================================================================
# No rules file: not configured (exit 6)
# ======================================================================
if case_begin not-configured; then
        rm -f "$D_DIR/rules.v4"
        daemon_start_ok "rules.v4 missing: nfwalld starts"
        out_has "rules.v4 missing: named in the log" "$D_DIR/rules.v4" "$(cat "$D_LOG")"
        assert_eq "$(our_tables | grep -c '^ip ')" 0 "rules.v4 missing: no IPv4 table of ours"
        v6 81 "$V_REJ6" "rules.v4 missing: rules.v6 applied all the same"
        ctl status
        out_has "status says IPv4 has no firewall" 'IPv4.*(NO FIREWALL|no firewall|error)'
        expect_ctl 6 "reload with rules.v4 missing (not configured)" reload
        write_rules_a "$D_DIR/rules.v4"
        expect_ctl 0 "reload once rules.v4 is there" reload
        rules_a_enforced "rules.v4 created"
fi

# ======================================================================
# A broken rules file at reload: the old rules stay (traffic)
# ======================================================================
if case_begin broken-at-reload; then
        daemon_start_ok
        rules_a_enforced "rules A"
        write_rules_broken "$D_DIR/rules.v4"
        expect_ctl 1 "reload with a broken rules.v4" reload
        out_has "failed reload: the first error's file:line" "$D_DIR/rules.v4:$BROKEN_LINE:"
        out_has "failed reload: the second error's file:line" "$D_DIR/rules.v4:$BROKEN_LINE2:"
        rules_a_enforced "failed reload: the old rules are still enforced"
        expect_ctl 0 "status after a failed reload" status
        expect_ctl 1 "restart with a broken rules.v4" restart
        out_has "failed restart: the error's file:line" "$D_DIR/rules.v4:$BROKEN_LINE:"
        rules_a_enforced "failed restart: the old rules are still enforced"
        log_mark
        kill -HUP "$D_PID"
        for i in $(seq 1 50); do
                log_since | grep -q "rules.v4:$BROKEN_LINE:" && break
                sleep 0.1
        done
        out_has "SIGHUP with a broken file: file:line in the log" "$D_DIR/rules.v4:$BROKEN_LINE:" "$(log_since)"
        assert_true "SIGHUP with a broken file: nfwalld still running" kill -0 "$D_PID"
        rules_a_enforced "failed SIGHUP reload: the old rules are still enforced"

        section "broken-at-reload: a broken settings file"
        write_rules_b "$D_DIR/rules.v4"
        cp "$D_CONF" "$D_DIR/good.conf"
        printf 'save_on_stop = "yes";\n' >>"$D_CONF"
        bad_line=$(wc -l <"$D_CONF")
        expect_ctl 1 "reload with a broken settings file" reload
        out_has "failed reload: the settings error's file:line" "$D_CONF:$bad_line:"
        rules_a_enforced "failed reload (settings): the old rules are still enforced"
        cp "$D_DIR/good.conf" "$D_CONF"
        expect_ctl 0 "reload with both fixed" reload
        v4 81 "$V_OPEN" "reload applied rules B"
fi

# ======================================================================
# A broken settings file: nfwalld refuses to start
# ======================================================================
if case_begin broken-settings; then
        cat >>"$D_CONF" <<'EOF'
save_on_stop = "yes";
no_such_key = 1;
EOF
        daemon_spawn
        if daemon_wait_exit 10; then
                nfw_ok "broken settings: nfwalld exits"
                assert_eq "$D_EXIT" 6 "broken settings: exit status 6 (not configured)"
        else
                nfw_not_ok "broken settings: nfwalld exits within 10 s"
                daemon_kill
        fi
        out_has "broken settings: the first error's file:line" "$D_CONF:5:" "$(cat "$D_LOG")"
        out_has "broken settings: the second error's file:line" "$D_CONF:6:" "$(cat "$D_LOG")"
        assert_eq "$(our_tables | wc -l)" 0 "broken settings: nothing applied"
        assert_true "broken settings: no socket" test ! -S "$D_SOCK"
        D_CONF="$D_DIR/missing.conf"
        : >"$D_LOG"
        daemon_spawn
        if daemon_wait_exit 10; then
                assert_eq "$D_EXIT" 6 "missing settings file: exit status 6 (not configured)"
        else
                nfw_not_ok "missing settings file: nfwalld exits within 10 s"
                daemon_kill
        fi
        out_has "missing settings file: named in the message" "$D_DIR/missing.conf" "$(cat "$D_LOG")"
fi

# ======================================================================
# kill -9: the rules stay, a new daemon adopts them
# ======================================================================
if case_begin adopt; then
        daemon_start_ok
        # -s: without counters (the probes move them); -a: with handles, which
        # a new commit would change
        before=$(nsx "$D_NS" nft -a -s list table ip nfwall-filter 2>&1)
        daemon_kill
        rules_a_enforced "after kill -9: the rules are still enforced"
        assert_eq "$(our_tables | tr '\n' ' ')" "ip nfwall-filter ip6 nfwall-filter " "after kill -9: our tables are there"
        # the crashed daemon's socket file stays behind: the new one must cope
        log_mark
        daemon_start_ok "a new nfwalld starts over our tables"
        rules_a_enforced "after the new daemon's start"
        ctl status
        assert_eq "$CTL_RC" 0 "status after adoption: exit 0"
        out_has "status says the tables were adopted" '[Aa]dopt'
        out_lacks "status: adopted tables are the same as the file" '[Dd][Ii][Ff][Ff][Ee][Rr]'
        assert_eq "$(nsx "$D_NS" nft -a -s list table ip nfwall-filter 2>&1)" "$before" \
                "adoption leaves the kernel's table as it was"

        section "adopt: tables that differ from the file"
        daemon_kill
        write_rules_b "$D_DIR/rules.v4"
        probe_loop_start 81
        probe_loop_wait 2
        daemon_start_ok "a new nfwalld starts over tables that differ from the file"
        probe_loop_wait 3
        probe_loop_check "while the new nfwalld starts"
        rules_a_enforced "adoption without a gap: the tables are kept, not replaced"
        ctl status
        out_has "status says the running rules differ from the file" '[Dd][Ii][Ff][Ff][Ee][Rr]'
        expect_ctl 0 "reload" reload
        v4 81 "$V_OPEN" "reload loads the file (rules B)"
        ctl status
        out_lacks "after reload: nothing differs" '[Dd][Ii][Ff][Ff][Ee][Rr]'
fi

# ======================================================================
# kill -9 in the middle of a save, in a loop: never a torn file
# ======================================================================
if case_begin kill-during-save; then
        write_rules_big "$D_DIR/rules.v4" 3000
        cp "$D_DIR/rules.v4" "$D_DIR/old.v4"
        canon4 "$D_DIR/old.v4" >"$D_DIR/new.v4"
        cp "$D_DIR/rules.v6" "$D_DIR/old.v6"
        canon6 "$D_DIR/old.v6" >"$D_DIR/new.v6"
        daemon_start_ok
        t0=$(date +%s%N)
        ctl save
        t1=$(date +%s%N)
        save_us=$(((t1 - t0) / 1000))
        printf '# one save of 3000 rules: %d µs\n' "$save_us"
        [ "$save_us" -lt 2000 ] && save_us=2000
        torn=0 old=0 new=0 iters=0 leftovers=
        for i in $(seq 1 30); do
                cp "$D_DIR/old.v4" "$D_DIR/rules.v4"
                cp "$D_DIR/old.v6" "$D_DIR/rules.v6"
                rm -f "$D_DIR/rules.v4.save" "$D_DIR/rules.v6.save"
                [ -n "$D_PID" ] || { rm -f "$D_SOCK"; daemon_start || break; }
                delay=$(awk -v s="$save_us" -v r="$RANDOM" 'BEGIN { printf "%.6f", s * (r / 32767) * 1.2 / 1e6 }')
                timeout 10 "$NFWALLCTL" --socket "$D_SOCK" save >/dev/null 2>&1 &
                cpid=$!
                sleep "$delay"
                daemon_kill
                wait "$cpid" 2>/dev/null
                iters=$((iters + 1))
                for f in v4 v6; do
                        # old has a comment line that no save writes: cmp tells them apart
                        if cmp -s "$D_DIR/rules.$f" "$D_DIR/old.$f"; then
                                old=$((old + 1))
                        elif nocomment "$D_DIR/rules.$f" | nocounters | cmp -s - "$D_DIR/new.$f"; then
                                new=$((new + 1))
                        else
                                torn=$((torn + 1))
                                cp "$D_DIR/rules.$f" "$D_DIR/torn.$i.$f"
                        fi
                        if [ -e "$D_DIR/rules.$f.save" ] && ! cmp -s "$D_DIR/rules.$f.save" "$D_DIR/old.$f"; then
                                torn=$((torn + 1))
                                cp "$D_DIR/rules.$f.save" "$D_DIR/torn-save.$i.$f"
                        fi
                done
        done
        leftovers=$(dir_extra "$D_DIR" 'rules\.v[46](\.save)?|old\.v[46]|new\.v[46]|torn.*')
        assert_eq "$iters" 30 "30 saves killed at random points"
        assert_eq "$torn" 0 "never a torn rules file or .save ($old old, $new new complete files)"
        [ -n "$leftovers" ] && printf '# left behind by the killed saves: %s\n' "$leftovers"
        if [ "$new" -gt 0 ] && [ "$old" -gt 0 ]; then
                nfw_ok "the kills hit before and after the rename (old $old, new $new)"
        else
                nfw_skip "the kills hit before and after the rename" "all $old old, $new new: timing did not vary"
        fi
        rules_a_enforced "after 30 kills"
fi

# ======================================================================
# Unprivileged callers
# ======================================================================
if case_begin unprivileged 'control_group = "nogroup";'; then
        if ! command -v setpriv >/dev/null 2>&1 || ! getent passwd nobody >/dev/null || ! getent group nogroup >/dev/null; then
                nfw_skip "unprivileged callers" "no setpriv, user nobody or group nogroup"
        else
                mkdir -p "$NFW_TMP/bin"
                chmod 0755 "$NFW_TMP/bin"
                NOBODY_CTL="$NFW_TMP/bin/nfwallctl"
                cp "$NFWALLCTL" "$NOBODY_CTL"
                chmod 0755 "$NOBODY_CTL"
                daemon_start_ok
                assert_eq "$(stat -c '%a %G' "$D_SOCK")" "660 nogroup" "the socket: mode 0660, group control_group"
                member="--reuid=nobody --regid=nogroup --clear-groups"
                member2="--reuid=nobody --regid=54321 --groups=nogroup"
                stranger="--reuid=nobody --regid=54321 --clear-groups"
                expect_as 0 "control_group member (primary group) reads status" "$member" status
                out_has "member's status lists the rules" '^Chain INPUT'
                expect_as 0 "control_group member (supplementary group) reads status" "$member2" status
                expect_as 0 "control_group member: version" "$member" version
                for a in stop start restart reload condrestart save "panic on" "panic off"; do
                        # shellcheck disable=SC2086 # a may be two words
                        expect_as 4 "control_group member is refused: $a" "$member" $a
                done
                out_has "the refusal says why" '[Pp]ermission|[Pp]rivilege|not allowed|refused|root|CAP_NET_ADMIN'
                capped="$member --inh-caps=+net_admin --ambient-caps=+net_admin"
                expect_as 0 "nobody with CAP_NET_ADMIN (a control_group member, to pass the socket's mode) may reload" \
                        "$capped" reload
                expect_as 4 "not a member: status refused" "$stranger" status
                expect_as 4 "not a member: stop refused" "$stranger" stop
                chmod 0666 "$D_SOCK"
                expect_as 4 "not a member, socket opened to all: the daemon refuses status" "$stranger" status
                out_has "the daemon's refusal is a clear message" '[Pp]ermission|[Pp]rivilege|not allowed|refused|group'
                expect_as 4 "not a member, socket opened to all: the daemon refuses stop" "$stranger" stop
                chmod 0660 "$D_SOCK"
                rules_a_enforced "after the refused requests: unchanged"
                expect_ctl 0 "root: status" status
                assert_true "nfwalld still running" kill -0 "$D_PID"

                section "unprivileged: control_group empty (root only)"
                write_conf 'control_group = "";'
                daemon_term
                daemon_start_ok
                expect_as 4 "root-only socket: nobody's status refused" "$member" status
        fi
fi

# ======================================================================
# Malformed, truncated and oversized frames
# ======================================================================
if case_begin frames; then
        daemon_start_ok
        # docs/protocol.md: status 1 for another version, 2 for anything
        # malformed, empty, too large or cut short; always a reply, then a close
        for c in bad-version bad-kind bad-command reply-as-request truncated-attr bad-flags nul-arg \
                too-many-args short-payload empty garbage oversized oversized-huge oversized-body \
                truncated-frame short-header; do
                want=2
                [ "$c" = bad-version ] && want=1
                got=$("$RAWCLIENT" "$D_SOCK" "$c" 2>&1 | head -n 1)
                case "$got" in
                "reply $want "*) nfw_ok "$c: an error reply, status $want (${got#"reply $want "})" ;;
                *) nfw_not_ok "$c: an error reply, status $want" "got: $got" ;;
                esac
                expect_ctl 0 "after $c: the daemon answers" status
        done
        stallers=()
        for i in 1 2 3 4 5; do
                "$RAWCLIENT" "$D_SOCK" stall 6 >"$D_DIR/stall.$i" 2>&1 &
                stallers+=($!)
        done
        sleep 0.3
        t0=$(date +%s%N)
        expect_ctl 0 "5 clients stalled mid-header: status still answered" status
        ms=$((($(date +%s%N) - t0) / 1000000))
        if [ "$ms" -lt 2000 ]; then
                nfw_ok "status answered in $ms ms while 5 clients stall"
        else
                nfw_not_ok "status answered promptly while 5 clients stall" "$ms ms"
        fi
        expect_ctl 0 "reload while clients stall" reload
        wait "${stallers[@]}"
        assert_eq "$(cat "$D_DIR"/stall.* | sort | uniq -c | awk '{ print $1, $2 }')" "5 closed" \
                "the stalled clients are cut off by the daemon's 5 s request limit"
        assert_true "nfwalld still running after every bad frame" kill -0 "$D_PID"
        rules_a_enforced "after the bad frames"
fi

# ======================================================================
# 200 concurrent status clients during reloads
# ======================================================================
if case_begin concurrent; then
        write_rules_big "$D_DIR/rules.v4" 1000
        daemon_start_ok
        mkdir -p "$D_DIR/c"
        t0=$(date +%s%N)
        (
                for i in 1 2 3 4 5; do
                        timeout 30 "$NFWALLCTL" --socket "$D_SOCK" reload >/dev/null 2>&1
                        printf '%s' "$?"
                done
        ) >"$D_DIR/reloads" &
        jobs_=("$!")
        for i in $(seq 1 200); do
                (
                        timeout 30 "$NFWALLCTL" --socket "$D_SOCK" status >"$D_DIR/c/out.$i" 2>&1
                        echo $? >"$D_DIR/c/rc.$i"
                ) &
                jobs_+=("$!")
        done
        wait "${jobs_[@]}"
        ms=$((($(date +%s%N) - t0) / 1000000))
        ok=0 valid=0
        for i in $(seq 1 200); do
                [ "$(cat "$D_DIR/c/rc.$i" 2>/dev/null)" = 0 ] && ok=$((ok + 1))
                grep -q '^Chain INPUT' "$D_DIR/c/out.$i" && valid=$((valid + 1))
        done
        assert_eq "$ok" 200 "200 concurrent status clients: all exit 0"
        assert_eq "$valid" 200 "200 concurrent status clients: all got the listing"
        assert_eq "$(cat "$D_DIR/reloads")" 00000 "the 5 reloads meanwhile all exit 0"
        if [ "$ms" -lt 30000 ]; then
                nfw_ok "200 clients and 5 reloads done in $ms ms"
        else
                nfw_not_ok "200 clients and 5 reloads done in bounded time" "$ms ms"
        fi
        ( timeout 30 "$NFWALLCTL" --socket "$D_SOCK" reload >/dev/null 2>&1 ) &
        rl=$!
        got=$("$RAWCLIENT" "$D_SOCK" flood 200)
        wait "$rl"
        assert_eq "$got" "200 0 0 0" "200 connections at once (raw, during a reload): 200 valid replies"
        assert_true "nfwalld still running" kill -0 "$D_PID"
        rules_a_enforced "after the crowd"
fi

# ======================================================================
# sd_notify: READY after the first commit, RELOADING/READY, STOPPING, watchdog
# ======================================================================
if case_begin notify; then
        "$RAWCLIENT" notify-listen "$D_DIR/notify" 20 >"$D_DIR/notify.log" 2>&1 &
        nl=$!
        for i in $(seq 1 50); do
                grep -q listening "$D_DIR/notify.log" && break
                sleep 0.05
        done
        D_ENV=(NOTIFY_SOCKET="$D_DIR/notify" WATCHDOG_USEC=400000)
        daemon_start_ok
        sleep 1.2
        expect_ctl 0 "reload" reload
        sleep 0.3
        daemon_term
        sleep 0.2
        kill "$nl" 2>/dev/null
        wait "$nl" 2>/dev/null
        msgs=$(awk '{ print $2 }' "$D_DIR/notify.log")
        out_has "READY=1 sent" '^READY=1$' "$msgs"
        out_has "STATUS= sent" '^STATUS=.' "$msgs"
        out_has "RELOADING=1 sent on reload" '^RELOADING=1$' "$msgs"
        assert_eq "$(printf '%s\n' "$msgs" | sed -n '/^RELOADING=1$/,$p' | grep -c '^READY=1$')" 1 \
                "one READY=1 after RELOADING=1"
        out_has "STOPPING=1 sent on SIGTERM" '^STOPPING=1$' "$msgs"
        wd=$(printf '%s\n' "$msgs" | grep -c '^WATCHDOG=1$')
        if [ "$wd" -ge 3 ]; then
                nfw_ok "watchdog pings with WATCHDOG_USEC=400000 ($wd in ~2 s)"
        else
                nfw_not_ok "watchdog pings with WATCHDOG_USEC=400000" "$wd pings"
        fi
        printf '# notify messages:\n'
        nfw_diag <"$D_DIR/notify.log"
fi

# ======================================================================
# A socket handed over by systemd (sd_listen_fds)
# ======================================================================
if command -v systemd-socket-activate >/dev/null 2>&1; then
        if case_begin socket-activation; then
                # control_socket names another path: the passed socket must win
                sed -i "s|^control_socket = .*|control_socket = \"$D_DIR/from-settings\";|" "$D_CONF"
                D_ENV=()
                ip netns exec "$D_NS" systemd-socket-activate -l "$D_SOCK" \
                        "$NFWALLD" --config "$D_CONF" >>"$D_LOG" 2>&1 &
                D_PID=$!
                ok=0
                for i in $(seq 1 200); do
                        if "$RAWCLIENT" "$D_SOCK" ping 2>/dev/null | grep -q '^reply'; then
                                ok=1
                                break
                        fi
                        sleep 0.05
                done
                assert_eq "$ok" 1 "socket activation: nfwalld answers on the passed socket"
                assert_true "socket activation: the settings' control_socket is not bound" \
                        test ! -e "$D_DIR/from-settings"
                expect_ctl 0 "socket activation: status" status
                rules_a_enforced "socket activation"
                if daemon_term; then
                        assert_eq "$D_EXIT" 0 "socket activation: SIGTERM, exit 0"
                else
                        nfw_not_ok "socket activation: nfwalld exits within 10 s"
                fi
                assert_true "socket activation: the socket file (systemd's) is left in place" test -S "$D_SOCK"
        fi
else
        nfw_skip "socket activation" "no systemd-socket-activate"
fi

# ======================================================================
# Out-of-band changes to our tables
# ======================================================================
if case_begin out-of-band; then
        daemon_start_ok
        log_mark
        nsx "$D_NS" nft insert rule ip nfwall-filter INPUT tcp dport 81 accept
        sleep 0.5
        v4 81 "$V_OPEN" "the out-of-band rule is in force (nothing silently overwritten)"
        ctl status
        out_has "status reports the out-of-band change" '[Oo]ut[- ]of[- ]band|[Cc]hanged|[Mm]odified|[Ff]oreign'
        out_has "the log reports the out-of-band change" '[Oo]ut[- ]of[- ]band|[Cc]hanged|[Mm]odified|[Ff]oreign' "$(log_since)"
        expect_ctl 0 "reload puts the file's rules back" reload
        v4 81 "$V_REJ4" "after reload: 81 rejected again"
fi

case_end
finish
