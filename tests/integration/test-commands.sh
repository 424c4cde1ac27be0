#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test-commands.sh — the iptables command language against the running
# firewall (`nfwallctl -A|-C|-D|-I|-R|-P|-F|-N|-X|-E|-Z|-L|-S`, issue 5),
# side by side with iptables-nft as the reference.
#
# Two copies of lib.sh's three-namespace topology (client ── firewall ──
# server, the same addresses in both): on side A's firewall the commands go
# to iptables-nft / ip6tables-nft, on side B's to nfwallctl and an nfwalld
# started there on empty rules files. Every command runs with the SAME argv
# on both sides. After each step the exit codes are compared; after each
# group of steps every table involved is compared: -S, -S CHAIN for every
# chain, -S CHAIN N for every rule, -L -n, -L -n -v -x --line-numbers and
# -S -v, and nfwall's -S (its model) against its -S -v (read from the
# kernel); then real probes from the client (TCP, UDP, ICMP; accepted,
# dropped, rejected; DNAT and MASQUERADE shown by the address the server
# saw) must give the same verdict on both sides.
#
# Counters are compared exactly where the traffic is deterministic (ICMP
# echo and UDP, IPv4, before any TCP probe: the "counters" group, which
# tests -Z on the table, a chain and one rule). Elsewhere they are compared
# with the numbers blanked: how many packets a TCP connection takes (FIN
# and ACK merged or not) depends on timing, and IPv6 neighbour and MLD
# traffic reaches INPUT whenever the kernel sends it.
#
# Error cases check three things: the exit code beside iptables-nft's
# (pinned: what iptables 1.8.9 does), nfwall's exact message, and that
# nfwall's rules did not change. Where nfwall differs from iptables-nft on
# purpose, the check asserts nfwall's behaviour and the comment says why.
#
# Then nfwalld is killed and started again: it adopts its tables, and
# edits go on beside iptables-nft, the sets of before the restart deleted
# with their last rule.
#
# Then nfwall alone: status counts unsaved changes, save writes the rules
# in force, reload drops runtime edits, 20 concurrent edits all land once,
# no edit while panic is on.
#
# Environment (meson passes them; by hand they are looked for in build*/):
#   NFWALLD NFWALLCTL PROBE SERVER; PROBE_TIMEOUT_MS (default 1000).
#
# Exit: 0 all passed, 1 something failed, 77 skipped (not root / no netns /
# no iptables-nft).

set -euo pipefail

PROBE_TIMEOUT_MS=${PROBE_TIMEOUT_MS:-1000}
# The reference is what nfw_require_root has to find (it skips without it).
# shellcheck disable=SC2034 # read by lib.sh
LOADER=iptables-nft

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# lib.sh's cleanup is written for `set +e`: a kill of a server that is
# already gone must not end the cleanup half way.
# shellcheck disable=SC2317 # run by the trap
cmd_on_exit() {
        local rc=$?
        set +e
        nfw_cleanup
        exit "$rc"
}
trap cmd_on_exit EXIT
trap 'set +e; nfw_on_signal INT 2' INT
trap 'set +e; nfw_on_signal TERM 15' TERM
trap 'set +e; nfw_on_signal HUP 1' HUP

nfw_require_root
command -v iptables-nft >/dev/null 2>&1 || nfw_skip_all "no iptables-nft"
command -v ip6tables-nft >/dev/null 2>&1 || nfw_skip_all "no ip6tables-nft"

nfw_find_bin NFWALLD nfwalld daemon || nfw_die "nfwalld not found (set NFWALLD)"
nfw_find_bin NFWALLCTL nfwallctl ctl || nfw_die "nfwallctl not found (set NFWALLCTL)"
printf '# nfwalld: %s\n# nfwallctl: %s\n# reference: %s\n' "$NFWALLD" "$NFWALLCTL" \
        "$(iptables-nft --version 2>&1)"

T0=$(date +%s)
TA="nfcmd$$a"
TB="nfcmd$$b"
FWA=$TA-fw
FWB=$TB-fw

# ------------------------------------------------------------ the two sides
section "setup: two topologies, iptables-nft on A's firewall, nfwalld on B's"
topo_create "$TA"
topo_create "$TB"
# servers behind the firewall (FORWARD) and on it (INPUT), on both sides
start_server "$TA-srv" tcp 80 81 443 8080 udp 53 54
SRV_LOG_A=$SERVER_LOG
start_server "$TB-srv" tcp 80 81 443 8080 udp 53 54
SRV_LOG_B=$SERVER_LOG
start_server "$FWA" tcp 22 2222 2223 udp 5353 5354
start_server "$FWB" tcp 22 2222 2223 udp 5353 5354

D_DIR="$NFW_TMP/nfwall"
mkdir -p "$D_DIR"
D_CONF="$D_DIR/nfwall.conf"
D_SOCK="$D_DIR/control"
D_LOG="$D_DIR/nfwalld.log"
for f in rules.v4 rules.v6; do
        printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n' >"$D_DIR/$f"
done
cat >"$D_CONF" <<EOF
# test-commands: nfwalld on side B
rules_v4 = "$D_DIR/rules.v4";
rules_v6 = "$D_DIR/rules.v6";
control_socket = "$D_SOCK";
save_on_stop = false;
save_on_restart = false;
EOF

# ctl ARGS... — nfwallctl on side B (bounded); its status is returned.
ctl() {
        ip netns exec "$FWB" timeout 20 "$NFWALLCTL" --socket "$D_SOCK" "$@"
}

# start_daemon — nfwalld on side B, until it answers (10 s at most). D_PID.
start_daemon() {
        local up=0
        ip netns exec "$FWB" "$NFWALLD" --config "$D_CONF" >>"$D_LOG" 2>&1 &
        D_PID=$!
        NFW_PIDS+=("$D_PID")
        for _ in $(seq 1 200); do
                if ! kill -0 "$D_PID" 2>/dev/null; then
                        break
                fi
                if [ -S "$D_SOCK" ] && ctl status >/dev/null 2>&1; then
                        up=1
                        break
                fi
                sleep 0.05
        done
        if [ "$up" != 1 ]; then
                nfw_diag <"$D_LOG"
                nfw_die "nfwalld did not answer on its socket within 10 s"
        fi
}
start_daemon
nfw_ok "nfwalld runs on side B and answers"

# ----------------------------------------------------------------- running
# run_a ARGS... — the reference on side A: ip6tables-nft when the argv
# has -6 (which it accepts), else iptables-nft. A_RC, A_OUT, A_ERR.
run_a() {
        local tool=iptables-nft a
        for a in "$@"; do
                if [ "$a" = -6 ]; then
                        tool=ip6tables-nft
                fi
        done
        if A_OUT=$(ip netns exec "$FWA" timeout 20 "$tool" "$@" 2>"$NFW_TMP/a.err"); then
                A_RC=0
        else
                A_RC=$?
        fi
        A_ERR=$(cat "$NFW_TMP/a.err")
}

# run_b ARGS... — nfwallctl ARGS on side B. B_RC, B_OUT, B_ERR.
run_b() {
        if B_OUT=$(ctl "$@" 2>"$NFW_TMP/b.err"); then
                B_RC=0
        else
                B_RC=$?
        fi
        B_ERR=$(cat "$NFW_TMP/b.err")
}

both() {
        run_a "$@"
        run_b "$@"
}

diag_ab() {
        {
                printf 'iptables-nft (exit %s):\n%s\n%s\n' "$A_RC" "$A_OUT" "$A_ERR"
                printf 'nfwallctl (exit %s):\n%s\n%s\n' "$B_RC" "$B_OUT" "$B_ERR"
        } | head -n 30 | nfw_diag
}

diff_diag() {
        diff <(printf '%s\n' "$1") <(printf '%s\n' "$2") | head -n 20 | nfw_diag || true
}

# same ARGS... — both sides exit 0 with the same output.
same() {
        both "$@"
        if [ "$A_RC" = 0 ] && [ "$B_RC" = 0 ] && [ "$A_OUT" = "$B_OUT" ] && [ -z "$B_ERR" ]; then
                nfw_ok "$*: exit 0 on both${A_OUT:+, same output}"
        else
                nfw_not_ok "$*" "iptables-nft exit $A_RC, nfwallctl exit $B_RC, or the outputs differ"
                diag_ab
        fi
}

# same_rc RC ARGS... — both sides exit RC with the same stdout; when RC is
# 1 (-C, -D of a missing rule) nfwall says which chain it looked in.
same_rc() {
        local want=$1 chain
        shift
        both "$@"
        if [ "$A_RC" = "$want" ] && [ "$B_RC" = "$want" ] && [ "$A_OUT" = "$B_OUT" ]; then
                nfw_ok "$*: exit $want on both"
        else
                nfw_not_ok "$*" "want exit $want: iptables-nft $A_RC, nfwallctl $B_RC"
                diag_ab
                return 0
        fi
        if [ "$want" = 1 ]; then
                chain=$(cmd_chain "$@")
                assert_eq "$B_ERR" "error: no rule in chain $chain matches this one" "$*: nfwall's message"
        fi
}

# cmd_chain ARGS... — the chain a command line names (the word after -A -C -D ...).
cmd_chain() {
        while [ $# -gt 1 ]; do
                case "$1" in
                -A | -C | -D | -I | -R | -L | -S | -F | -Z | -X | -N | -E | -P)
                        printf '%s' "$2"
                        return 0
                        ;;
                esac
                shift
        done
}

# ------------------------------------------------------------- comparing
# norm_counters — blank the packet and byte counts of -L -v -x
# --line-numbers and -S -v (see the header for where and why).
norm_counters() {
        sed -E 's/^([0-9]+) +[0-9]+ +[0-9]+ /\1 <counters> /;
                s/\(policy ([A-Z]+) [0-9]+ packets, [0-9]+ bytes\)/(policy \1 <counters>)/;
                s/ -c [0-9]+ [0-9]+( |$)/ -c <counters>\1/'
}

strip_counters() { sed -E 's/ -c [0-9]+ [0-9]+( |$)/\1/; s/ +$//'; }

# view_same MODE DESC ARGS... — both exit 0 with the same output (counters
# blanked when MODE is norm); one check.
view_same() {
        local mode=$1 desc=$2 a b
        shift 2
        both "$@"
        a=$A_OUT b=$B_OUT
        if [ "$mode" = norm ]; then
                a=$(printf '%s\n' "$a" | norm_counters)
                b=$(printf '%s\n' "$b" | norm_counters)
        fi
        if [ "$A_RC" = 0 ] && [ "$B_RC" = 0 ] && [ "$a" = "$b" ]; then
                nfw_ok "$desc"
        else
                nfw_not_ok "$desc" "iptables-nft exit $A_RC, nfwallctl exit $B_RC, outputs differ"
                diff_diag "$a" "$b"
                [ -n "$B_ERR" ] && printf '%s\n' "$B_ERR" | nfw_diag
        fi
        return 0
}

# compare_table MODE TABLE [-6] — every view of one table on both sides.
compare_table() {
        local mode=$1 tbl=$2 fam=${3:-}
        local fl=(-t "$tbl") chains c i n_rules bad=() n_views=0 model kernel label
        [ -n "$fam" ] && fl=("$fam" -t "$tbl")
        label="${fam:+$fam }-t $tbl"
        view_same exact "$label -S: same rules" "${fl[@]}" -S
        chains=$(printf '%s\n' "$A_OUT" | awk '$1 == "-P" || $1 == "-N" { print $2 }')
        for c in $chains; do
                both "${fl[@]}" -S "$c"
                n_views=$((n_views + 1))
                if [ "$A_RC" != 0 ] || [ "$B_RC" != 0 ] || [ "$A_OUT" != "$B_OUT" ]; then
                        bad+=("-S $c")
                        continue
                fi
                n_rules=$(printf '%s\n' "$A_OUT" | grep -c '^-A ' || true)
                for i in $(seq 1 "$n_rules"); do
                        both "${fl[@]}" -S "$c" "$i"
                        n_views=$((n_views + 1))
                        if [ "$A_RC" != 0 ] || [ "$B_RC" != 0 ] || [ "$A_OUT" != "$B_OUT" ]; then
                                bad+=("-S $c $i")
                        fi
                done
                both "${fl[@]}" -L "$c" -n -v -x --line-numbers
                n_views=$((n_views + 1))
                if [ "$mode" = norm ]; then
                        A_OUT=$(printf '%s\n' "$A_OUT" | norm_counters)
                        B_OUT=$(printf '%s\n' "$B_OUT" | norm_counters)
                fi
                if [ "$A_RC" != 0 ] || [ "$B_RC" != 0 ] || [ "$A_OUT" != "$B_OUT" ]; then
                        bad+=("-L $c -n -v -x --line-numbers")
                fi
        done
        if [ ${#bad[@]} -eq 0 ]; then
                nfw_ok "$label: -S CHAIN, -S CHAIN N and -L CHAIN -n -v -x --line-numbers the same ($n_views views)"
        else
                nfw_not_ok "$label: per chain and per rule views" "differ: ${bad[*]}"
        fi
        view_same exact "$label -L -n: the same" "${fl[@]}" -L -n
        view_same "$mode" "$label -L -n -v -x --line-numbers: the same ($mode counters)" \
                "${fl[@]}" -L -n -v -x --line-numbers
        view_same "$mode" "$label -S -v: the same ($mode counters)" "${fl[@]}" -S -v
        # nfwall's -S comes from its model, -S -v from the kernel: they agree.
        run_b "${fl[@]}" -S
        model=$B_OUT
        run_b "${fl[@]}" -S -v
        kernel=$(printf '%s\n' "$B_OUT" | strip_counters)
        if [ "$model" = "$kernel" ]; then
                nfw_ok "$label: nfwall's model (-S) is what the kernel holds (-S -v)"
        else
                nfw_not_ok "$label: nfwall's model (-S) is what the kernel holds (-S -v)"
                diff_diag "$model" "$kernel"
        fi
}

# ------------------------------------------------------------------ probes
probe_cmd() {
        local ns=$1 proto=$2 addr=$3 port=$4
        if [ "$proto" = icmp ]; then
                ip netns exec "$ns" "$PROBE" icmp "$addr" --timeout "$PROBE_TIMEOUT_MS"
        else
                ip netns exec "$ns" "$PROBE" "$proto" "$addr" "$port" --timeout "$PROBE_TIMEOUT_MS"
        fi
}

# verdicts DESC SPEC... — SPEC is "FROM PROTO ADDR PORT WANT" (FROM: cli or
# srv; PORT - for icmp). Every probe runs from FROM on both sides, all at
# once, so a dropped probe costs one timeout per group; one check per SPEC:
# both sides saw WANT.
verdicts() {
        local desc=$1 i=0 spec from proto addr port want ga gb p pids=()
        local dir="$NFW_TMP/probes"
        shift
        rm -rf "$dir"
        mkdir -p "$dir"
        for spec in "$@"; do
                read -r from proto addr port want <<<"$spec"
                probe_cmd "$TA-$from" "$proto" "$addr" "$port" >"$dir/a$i" 2>&1 &
                pids+=("$!")
                probe_cmd "$TB-$from" "$proto" "$addr" "$port" >"$dir/b$i" 2>&1 &
                pids+=("$!")
                i=$((i + 1))
        done
        for p in "${pids[@]}"; do
                wait "$p" || true
        done
        i=0
        for spec in "$@"; do
                read -r from proto addr port want <<<"$spec"
                ga=$(head -n 1 "$dir/a$i")
                gb=$(head -n 1 "$dir/b$i")
                [ "$proto" = icmp ] && port=
                if [ "$ga" = "$want" ] && [ "$gb" = "$want" ]; then
                        nfw_ok "$desc: $proto $addr${port:+ $port} from $from: $want on both"
                else
                        nfw_not_ok "$desc: $proto $addr${port:+ $port} from $from" \
                                "iptables-nft: $ga, nfwall: $gb, want $want"
                fi
                i=$((i + 1))
        done
}

# peer_seen DESC WANT — the address side A's and side B's server saw last on tcp 80.
peer_seen() {
        local a b
        a=$(server_last tcp 80 "$SRV_LOG_A")
        b=$(server_last tcp 80 "$SRV_LOG_B")
        a=${a%% *} b=${b%% *}
        if [ "$a" = "$2" ] && [ "$b" = "$2" ]; then
                nfw_ok "$1: the server saw $2 on both"
        else
                nfw_not_ok "$1" "server saw $a (iptables-nft), $b (nfwall); want $2"
        fi
}

# b_counter CHAIN N — packets of rule N of CHAIN (filter, IPv4) on side B, from -S -v.
b_counter() {
        ctl -S "$1" "$2" -v | awk '{ for (i = 1; i < NF; i++) if ($i == "-c") { print $(i + 1); exit } }'
}

# ---------------------------------------------------------------- errors
# b_rules ARGS... — everything nfwall holds for the family ARGS name (-6 or
# not): -S of each table, for "nothing changed" checks.
b_rules() {
        local fam=() a t
        for a in "$@"; do
                if [ "$a" = -6 ]; then
                        fam=(-6)
                fi
        done
        for t in filter nat mangle raw; do
                printf '*%s\n' "$t"
                ctl "${fam[@]}" -t "$t" -S 2>&1 || true
        done
}

# expect_err REF NFW MESSAGE ARGS... — an error: iptables-nft exits REF
# ("-": not run on side A, the comment says why), nfwallctl exits NFW with
# exactly "error: MESSAGE" on stderr and nothing on stdout, and nfwall's
# rules are as they were.
expect_err() {
        local ref=$1 want=$2 msg=$3 before after
        shift 3
        before=$(b_rules "$@")
        if [ "$ref" = - ]; then
                run_b "$@"
                A_RC=-
        else
                both "$@"
        fi
        if [ "$B_RC" = "$want" ] && [ "$A_RC" = "$ref" ]; then
                if [ "$ref" = "$want" ]; then
                        nfw_ok "$*: exit $want, as iptables-nft"
                elif [ "$ref" = - ]; then
                        nfw_ok "$*: exit $want (not run on iptables-nft)"
                else
                        nfw_ok "$*: exit $want (iptables-nft: $ref, a deliberate difference)"
                fi
        else
                nfw_not_ok "$*: exit $want (iptables-nft: $ref)" "nfwallctl exit $B_RC, iptables-nft exit $A_RC"
                diag_ab
        fi
        if [ "$B_ERR" = "error: $msg" ] && [ -z "$B_OUT" ]; then
                nfw_ok "$*: error: $msg"
        else
                nfw_not_ok "$*: error: $msg" "got: $B_ERR${B_OUT:+ / stdout: $B_OUT}"
        fi
        after=$(b_rules "$@")
        if [ "$before" = "$after" ]; then
                nfw_ok "$*: nfwall's rules unchanged"
        else
                nfw_not_ok "$*: nfwall's rules unchanged"
                diff_diag "$before" "$after"
        fi
}

# ======================================================================
section "the start: both sides empty"
for fam in "" -6; do
        for t in filter nat mangle raw; do
                view_same exact "${fam:+$fam }-t $t -S: the same, empty" ${fam:+"$fam"} -t "$t" -S
                view_same exact "${fam:+$fam }-t $t -L -n -v -x --line-numbers: the same, empty" \
                        ${fam:+"$fam"} -t "$t" -L -n -v -x --line-numbers
        done
done

# iptables-nft makes a built-in chain when it is first used, and gives it a
# policy counter only when -P (or a restore, or -Z once it exists) made
# it: a chain that -A made counts no policy. nfwall's built-in chains
# always count their policy, as iptables-legacy's do. -P on every
# built-in chain first, with the same argv on both sides, makes the
# reference count too, so that policy counters can be compared.
section "-P on every built-in chain (so that iptables-nft counts policies too)"
for fam in "" -6; do
        for tc in filter:INPUT filter:FORWARD filter:OUTPUT \
                nat:PREROUTING nat:INPUT nat:OUTPUT nat:POSTROUTING \
                mangle:PREROUTING mangle:INPUT mangle:FORWARD mangle:OUTPUT mangle:POSTROUTING \
                raw:PREROUTING raw:OUTPUT; do
                same ${fam:+"$fam"} -t "${tc%%:*}" -P "${tc#*:}" ACCEPT
        done
done

# ======================================================================
# Counters first, while the only traffic is the probes' (ICMP echo, UDP):
# every packet is counted the same on both sides, so compare exactly.
section "counters: -A, traffic, -Z of one rule, a chain, the table"
same -A FORWARD -p icmp -j ACCEPT
same -A FORWARD -p udp -m udp --dport 53 -j ACCEPT
same -A FORWARD -p udp --dport 54 -j DROP
same -A INPUT -p icmp -j ACCEPT
compare_table exact filter
verdicts "counters" \
        "cli icmp $SRV4 - open" \
        "cli icmp $SRV4 - open" \
        "cli udp $SRV4 53 open" \
        "cli udp $SRV4 54 timeout" \
        "cli icmp $FWC4 - open"
compare_table exact filter
# two echoes and their replies; the request to 53 (its reply goes to the
# policy); the one datagram to 54
assert_eq "$(b_counter FORWARD 1)" 4 "FORWARD rule 1 counted 2 echo requests and 2 replies"
assert_eq "$(b_counter FORWARD 2)" 1 "FORWARD rule 2 counted the datagram to port 53"
assert_eq "$(b_counter FORWARD 3)" 1 "FORWARD rule 3 counted the datagram to port 54"
assert_eq "$(b_counter INPUT 1)" 1 "INPUT rule 1 counted the echo request to the firewall"
same -Z FORWARD 2
compare_table exact filter
assert_eq "$(b_counter FORWARD 2) $(b_counter FORWARD 1)" "0 4" "-Z FORWARD 2 zeroed rule 2 and only it"
same -Z INPUT
compare_table exact filter
assert_eq "$(b_counter INPUT 1) $(b_counter FORWARD 1)" "0 4" "-Z INPUT zeroed INPUT, not FORWARD"
verdicts "counters again" "cli udp $SRV4 53 open" "cli icmp $FWC4 - open"
view_same exact "-L -v -x (no -n): the same" -L -v -x
view_same exact "-L -v (short counters): the same" -L -v -n
same -Z
compare_table exact filter
assert_eq "$(ctl -S -v | grep -cv -- '-c 0 0' || true)" 0 "-Z: every counter of the table is 0 (-S -v)"

# ======================================================================
section "-A, -I (default, N, len+1), -R, -C and -D by specification and number"
same -F INPUT
same -A INPUT -p tcp --dport 22 -j ACCEPT
same -A INPUT -s 10.250.1.0/24 -p udp -m udp --dport 5353 -j DROP
same -I INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
same -I INPUT 3 -p icmp --icmp-type echo-request -j ACCEPT
# the chain has 4 rules: position 5 is the end
same -I INPUT 5 -p tcp --dport 2222 -j REJECT --reject-with tcp-reset
same -A INPUT -p tcp -m multiport --dports 2223,2224 -j ACCEPT
same -R INPUT 6 -p tcp -m multiport --dports 2223,2224 -j REJECT
same -A INPUT -p udp --dport 5354 -j REJECT --reject-with icmp-host-prohibited
same -S INPUT 1
same -S INPUT 6
compare_table exact filter
verdicts "INPUT built" \
        "cli tcp $FWC4 22 open" \
        "cli tcp $FWC4 2222 refused" \
        "cli tcp $FWC4 2223 icmp:3:3" \
        "cli udp $FWC4 5353 timeout" \
        "cli udp $FWC4 5354 icmp:3:10" \
        "cli icmp $FWC4 - open"

# -C: the same rule written another way is the same rule; what iptables-nft
# tells apart (the order of matches, a port list in another order, a
# different set of states) nfwall tells apart too.
same_rc 0 -C INPUT -p tcp -m tcp --dport 22 -j ACCEPT
same_rc 0 -C INPUT -p tcp --destination-port 22 -j ACCEPT
same_rc 0 -C INPUT --protocol tcp --dpo 22 --jump ACCEPT
same_rc 0 -C INPUT -p 6 --dport ssh -j ACCEPT
same_rc 0 -C INPUT -p TCP --dport=22 -j ACCEPT
same_rc 1 -C INPUT -p tcp --dport 22 -j DROP
same_rc 1 -C INPUT -p tcp --dport 23 -j ACCEPT
same_rc 1 -C INPUT -p tcp -j ACCEPT
same_rc 0 -C INPUT -p udp -s 10.250.1.0/24 --dport 5353 -j DROP
same_rc 0 -C INPUT --src 10.250.1.77/255.255.255.0 -p udp --destination-p 5353 -j DROP
same_rc 1 -C INPUT -s 10.250.1.77 -p udp --dport 5353 -j DROP
same_rc 0 -C INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
same_rc 0 -C INPUT -m conntrack --ctstate=ESTABLISHED,RELATED -j ACCEPT
same_rc 1 -C INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT
same_rc 1 -C INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT
same_rc 0 -C INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT
same_rc 0 -C INPUT -p icmp --icmp-type echo-request -j ACCEPT
same_rc 0 -C INPUT -p tcp --dport 2222 -j REJECT --reject-with tcp-rst
same_rc 1 -C INPUT -p tcp --dport 2222 -j REJECT
same_rc 0 -C INPUT -p tcp -m multiport --destination-ports 2223,2224 -j REJECT --reject-with icmp-port-unreachable
same_rc 1 -C INPUT -p tcp -m multiport --dports 2224,2223 -j REJECT
same_rc 1 -C INPUT -p tcp -m tcp -m multiport --dports 2223,2224 -j REJECT
# iptables 1.8.9 cannot read an argument attached to -p or -j ("-ptcp":
# unknown protocol "-ptcp"); getopt, and nfwall, can.
run_a -C INPUT -ptcp --dport 22 -jACCEPT
run_b -C INPUT -ptcp --dport 22 -jACCEPT
assert_eq "$B_RC $A_RC" "0 2" "-C INPUT -ptcp --dport 22 -jACCEPT: nfwall reads -ptcp and -jACCEPT (exit 0; iptables 1.8.9 cannot: 2)"

# -D by specification, written another way than it was added
same -D INPUT --proto tcp --dport 2222 --jump REJECT --reject-with tcp-reset
same -D INPUT -p udp -s 10.250.1.0/24 --destination-port 5353 -j DROP
same_rc 1 -D INPUT -p udp -s 10.250.1.0/24 --destination-port 5353 -j DROP
same -D INPUT 1
same -D INPUT 3
compare_table norm filter
verdicts "INPUT after -D" \
        "cli tcp $FWC4 2222 open" \
        "cli udp $FWC4 5353 open" \
        "cli tcp $FWC4 2223 open" \
        "cli udp $FWC4 5354 icmp:3:10"

# ======================================================================
section "user chains: -N, jumps and goto, -E, -P, -F CHAIN, -X CHAIN, -X, -F"
same -N WEB
same -A WEB -p tcp -m tcp --dport 80 -j ACCEPT
same -A WEB -p tcp -m tcp --dport 81 -j REJECT
same -A WEB -j RETURN
same -N BLOCK
same -A BLOCK -p tcp -j REJECT --reject-with tcp-reset
same -I FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
same -A FORWARD -d 10.250.2.2 -p tcp -j WEB
same -I FORWARD 5 -p tcp --dport 443 -g BLOCK
compare_table norm filter
verdicts "user chains" \
        "cli tcp $SRV4 80 open" \
        "cli tcp $SRV4 81 icmp:3:3" \
        "cli tcp $SRV4 443 refused" \
        "cli tcp $SRV4 8080 open"
# the jump follows the renamed chain, in the model as in the kernel
same -E WEB SERVICES
same -P FORWARD DROP
compare_table norm filter
verdicts "renamed, FORWARD policy DROP" \
        "cli tcp $SRV4 80 open" \
        "cli tcp $SRV4 81 icmp:3:3" \
        "cli tcp $SRV4 443 refused" \
        "cli tcp $SRV4 8080 timeout" \
        "cli icmp $SRV4 - open"
same -P FORWARD ACCEPT
same -F SERVICES
compare_table norm filter
verdicts "SERVICES flushed" "cli tcp $SRV4 81 open" "cli tcp $SRV4 8080 open"
same -D FORWARD -d 10.250.2.2/32 -p tcp -j SERVICES
same -X SERVICES
same -N EMPTY
same -N EMPTY2
same -D FORWARD 5
same -F BLOCK
# -X without a chain: every user chain (BLOCK, EMPTY, EMPTY2), empty and unreferenced now
same -X
compare_table norm filter
same -F
compare_table norm filter
verdicts "table flushed" "cli tcp $SRV4 443 open" "cli udp $SRV4 54 open" "cli tcp $FWC4 2223 open"

# ======================================================================
section "-t nat: DNAT port forward and MASQUERADE, proven with packets"
same -t nat -A PREROUTING -d 10.250.1.1 -p tcp --dport 8080 -j DNAT --to-destination 10.250.2.2:80
same -t nat -A POSTROUTING -o eth1 -j MASQUERADE
compare_table norm nat
verdicts "DNAT and MASQUERADE" "cli tcp $FWC4 8080 open"
peer_seen "MASQUERADE on eth1" "$FWS4"
same_rc 0 -t nat -C PREROUTING -p tcp -d 10.250.1.1/32 --destination-port 8080 -j DNAT --to-destination 10.250.2.2:80
same_rc 1 -t nat -C PREROUTING -p tcp -d 10.250.1.1/32 --destination-port 8080 -j DNAT --to-destination 10.250.2.2:81
same -t nat -D POSTROUTING --out-interface eth1 --jump MASQUERADE
compare_table norm nat
verdicts "DNAT without MASQUERADE" "cli tcp $FWC4 8080 open"
peer_seen "no MASQUERADE" "$CLI4"
same -t nat -N PORTFW
same -t nat -A PORTFW -p tcp --dport 8081 -j DNAT --to-destination 10.250.2.2:81
same -t nat -I PREROUTING -j PORTFW
same -t nat -Z
compare_table norm nat
verdicts "DNAT from a user chain" "cli tcp $FWC4 8081 open"
same -t nat -F
same -t nat -X PORTFW
compare_table norm nat
verdicts "nat flushed" "cli tcp $FWC4 8080 refused"

# ======================================================================
section "-t mangle and -t raw"
same -t mangle -A PREROUTING -p tcp --dport 22 -j TOS --set-tos 0x10
same -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
same -t mangle -A OUTPUT -j MARK --set-mark 0x1
same -t mangle -I POSTROUTING -j CONNMARK --save-mark
same -t mangle -N MARKS
same -t mangle -A MARKS -m mark --mark 0x1 -j RETURN
same -t mangle -A INPUT -j MARKS
same -t raw -A PREROUTING -p udp --dport 53 -j CT --notrack
compare_table norm mangle
compare_table norm raw
# no addresses here, so -L without -n has no names to look up (see below)
view_same norm "-t mangle -L: the same" -t mangle -L
same_rc 0 -t mangle -C FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
same_rc 0 -t mangle -C OUTPUT -j MARK --set-xmark 0x1/0xffffffff
same -t mangle -D OUTPUT 1
same -t mangle -R PREROUTING 1 -p tcp --dport 22 -j TOS --set-tos 0x08
same -t mangle -D INPUT -j MARKS
same -t mangle -F MARKS
same -t mangle -X MARKS
same -t raw -D PREROUTING -p udp -m udp --dport 53 -j CT --notrack
compare_table norm mangle
compare_table norm raw
# CT --helper at runtime: nfwall makes the raw table's replay after
# conntrack again in the edit's transaction (test-nft-netlink checks the
# replay itself). A raw table the replay cannot follow is refused.
same -t raw -A PREROUTING -p tcp --dport 21 -j CT --helper ftp
same -t raw -I PREROUTING -p udp --dport 69 -j CT --helper tftp
compare_table norm raw
raw_before=$(ctl -t raw -S)
both -t raw -A PREROUTING -j MARK --set-mark 1
assert_eq "$A_RC $B_RC" "0 1" "-t raw -A ... -j MARK beside CT --helper: iptables-nft takes it, nfwall exits 1"
assert_eq "$B_ERR" "error: CT --helper: nf_tables assigns helpers only after conntrack, where nfwall replays the raw table; it could not replay this rule, which changes the packet" \
        "MARK beside CT --helper: nfwall's message"
assert_eq "$(ctl -t raw -S)" "$raw_before" "MARK beside CT --helper: nfwall's raw table unchanged"
run_a -t raw -D PREROUTING -j MARK --set-mark 1
same -t raw -D PREROUTING -p tcp -m tcp --dport 21 -j CT --helper ftp
same -t raw -D PREROUTING 1
compare_table norm raw

# ======================================================================
section "IPv6 (-6): ip6tables-nft beside nfwallctl -6"
same -6 -A INPUT -p tcp --dport 22 -j ACCEPT
same -6 -A INPUT -s fd00:250:1::/64 -p udp --dport 5353 -j DROP
same -6 -I INPUT -p ipv6-icmp --icmpv6-type echo-request -j ACCEPT
same -6 -I INPUT 3 -p tcp --dport 2222 -j REJECT --reject-with icmp6-adm-prohibited
same -6 -A INPUT -p tcp --dport 2223 -j REJECT
same -6 -N V6
same -6 -A V6 -p tcp --dport 81 -j REJECT --reject-with tcp-reset
same -6 -A FORWARD -d fd00:250:2::2 -j V6
same -6 -R INPUT 2 -p tcp -m tcp --dport 22 -j ACCEPT
compare_table norm filter -6
verdicts "IPv6" \
        "cli tcp $FWC6 22 open" \
        "cli tcp $FWC6 2222 icmp6:1:1" \
        "cli tcp $FWC6 2223 icmp6:1:4" \
        "cli udp $FWC6 5353 timeout" \
        "cli icmp $FWC6 - open" \
        "cli tcp $SRV6 80 open" \
        "cli tcp $SRV6 81 refused"
same_rc 0 -6 -C INPUT -s fd00:250:1:0::0/64 -p udp --destination-port 5353 -j DROP
same_rc 0 -6 -C INPUT -p icmpv6 --icmpv6-type 128 -j ACCEPT
same_rc 0 -6 -C INPUT -p 58 -m icmp6 --icmpv6-type echo-request -j ACCEPT
same_rc 1 -6 -C INPUT -p ipv6-icmp --icmpv6-type echo-reply -j ACCEPT
same_rc 1 -6 -C INPUT -p tcp --dport 2222 -j REJECT
same -6 -D INPUT -p udp --dport 5353 -s fd00:250:1::/64 -j DROP
same -6 -E V6 V6WEB
same -6 -Z INPUT 1
same -6 -t nat -A POSTROUTING -o eth1 -j MASQUERADE
compare_table norm filter -6
compare_table norm nat -6
verdicts "IPv6 after -D, -E" "cli udp $FWC6 5353 open" "cli tcp $SRV6 81 refused" "cli tcp $SRV6 80 open"
peer_seen "IPv6 MASQUERADE" "$FWS6"
same -6 -t nat -F
same -6 -F
same -6 -X
compare_table norm filter -6

# ======================================================================
# Every error. State on both sides first: INPUT has 3 rules and jumps to
# X (empty); Y is empty and unused; Z has one rule and is unused.
section "errors: exit codes beside iptables-nft, nfwall's message, nothing changed"
same -A INPUT -p tcp --dport 22 -j ACCEPT
same -A INPUT -p udp --dport 53 -j ACCEPT
same -N X
same -N Y
same -N Z
same -A Z -j ACCEPT
same -A INPUT -j X
same -t nat -N DOCKER
same -t nat -A POSTROUTING -j DOCKER
compare_table norm filter
compare_table norm nat

# bad parameters: exit 2 on both
expect_err 2 2 'unknown option "--bogus"' -A INPUT --bogus -j ACCEPT
expect_err 2 2 'unknown option "-Y"' -Y
expect_err 2 2 'unknown option "--dport"' -A INPUT --dport 22 -j DROP
expect_err 2 2 '--dport: "99999" is not a port from 0 to 65535' -A INPUT -p tcp --dport 99999 -j ACCEPT
expect_err 2 2 '--dport: "2:3" is not a port from 0 to 65535' -A INPUT -p tcp --dport 1:2:3 -j ACCEPT
expect_err 2 2 '--source: "300.1.1.1" is not an IPv4 address (host names are not resolved)' \
        -A INPUT -s 300.1.1.1 -j DROP
expect_err 2 2 '"10.0.0.0/33": the prefix length must be a number from 0 to 32' -A INPUT -s 10.0.0.0/33 -j DROP
expect_err 2 2 'unknown protocol "bogus"' -A INPUT -p bogus -j DROP
expect_err 2 2 'unknown match "bogus"' -A INPUT -m bogus -j DROP
expect_err 2 2 '--ctstate: unknown state "BOGUS"' -A INPUT -m conntrack --ctstate BOGUS -j DROP
# iptables: unknown option "--ctst"; nfwall names why (--ctstate, --ctstatus)
expect_err 2 2 'option "--ctst" is ambiguous' -C INPUT -m conntrack --ctst NEW -j ACCEPT
expect_err 2 2 '--reject-with: unknown reject type "bogus" for IPv4 (icmp-*, tcp-reset)' \
        -A INPUT -j REJECT --reject-with bogus
expect_err 2 2 '--log-level: "9" is not a number from 0 to 7' -A INPUT -j LOG --log-level 9
expect_err 2 2 '-m tcp requires -p tcp' -A INPUT -m tcp --dport 22 -j ACCEPT
expect_err 2 2 'option "-s" given more than once' -A INPUT -s 1.1.1.1 -s 2.2.2.2 -j DROP
expect_err 2 2 '"!" cannot go before "-j"' -A INPUT ! -j DROP
expect_err 2 2 'only one command per line: -A and -D' -A INPUT -D INPUT
expect_err 2 2 'option "-A" needs an argument' -A
expect_err 2 2 'option "-j" needs an argument' -A INPUT -j
expect_err 2 2 '"0" is not a rule number (1, 2, ...)' -D INPUT 0
expect_err 2 2 '"0" is not a rule number (1, 2, ...)' -I INPUT 0 -j ACCEPT
expect_err 2 2 '-R needs a rule number after the chain' -R INPUT -j ACCEPT
expect_err 2 2 '-P needs a policy (ACCEPT or DROP)' -P INPUT
expect_err 2 2 '-E needs the old and the new chain name' -E X
expect_err 2 2 'unexpected "extra": expected an option' -F INPUT extra
expect_err 2 2 'unexpected "x": expected an option' -D INPUT x
expect_err 2 2 'chain name "a b" may not contain blanks, quotes or backslashes' -N 'a b'
expect_err 2 2 'chain name "CHAIN_NAME_OF_MORE_THAN_28_CHARS" is longer than 28 characters' \
        -N CHAIN_NAME_OF_MORE_THAN_28_CHARS
expect_err 2 2 'unknown option "--icmp-type"' -6 -A INPUT -p icmp --icmp-type 8 -j ACCEPT
expect_err 2 2 '-f exists for IPv4 only' -6 -A INPUT -f -j DROP

# no such chain, no such rule, refused: exit 1 on both
expect_err 1 1 'chain NOCHAIN does not exist in table filter' -A NOCHAIN -j ACCEPT
expect_err 1 1 'chain NOCHAIN does not exist in table filter' -I NOCHAIN 1 -j ACCEPT
expect_err 1 1 'chain NOCHAIN does not exist in table filter' -R NOCHAIN 1 -j ACCEPT
expect_err 1 1 'chain NOCHAIN does not exist in table filter' -D NOCHAIN 1
expect_err 1 1 'chain NOCHAIN does not exist in table filter' -D NOCHAIN -j ACCEPT
expect_err 1 1 'chain NOCHAIN does not exist in table filter' -C NOCHAIN -j ACCEPT
expect_err 1 1 'chain NOCHAIN does not exist in table filter' -F NOCHAIN
expect_err 1 1 'chain NOCHAIN does not exist in table filter' -Z NOCHAIN
expect_err 1 1 'chain NOCHAIN does not exist in table filter' -X NOCHAIN
expect_err 1 1 'chain NOCHAIN does not exist in table filter' -E NOCHAIN W
expect_err 1 1 'chain NOCHAIN does not exist in table filter' -P NOCHAIN DROP
expect_err 1 1 'chain NOCHAIN does not exist in table filter' -L NOCHAIN -n
expect_err 1 1 'chain NOCHAIN does not exist in table filter' -S NOCHAIN
expect_err 1 1 'chain NOCHAIN does not exist in table nat' -t nat -A NOCHAIN -j ACCEPT
expect_err 1 1 'chain NOCHAIN does not exist in table filter' -6 -A NOCHAIN -j ACCEPT
expect_err 1 1 'no rule 7 in chain INPUT: it has 3 rules' -D INPUT 7
expect_err 1 1 'no rule 4 in chain INPUT: it has 3 rules' -R INPUT 4 -j ACCEPT
expect_err 1 1 'no rule 1 in chain FORWARD: it has 0 rules' -D FORWARD 1
expect_err 1 1 'cannot insert at position 5 in chain INPUT: it has 3 rules' -I INPUT 5 -j ACCEPT
expect_err 1 1 'no rule in chain INPUT matches this one' -C INPUT -p tcp --dport 22 -j DROP
expect_err 1 1 'no rule in chain INPUT matches this one' -D INPUT -p tcp --dport 23 -j ACCEPT
expect_err 1 1 'no rule in chain Y matches this one' -C Y -j ACCEPT
expect_err 1 1 'chain Y already exists' -N Y
expect_err 1 1 'chain Y already exists' -E X Y
expect_err 1 1 'chain INPUT already exists' -E X INPUT
expect_err 1 1 'chain X is not a built-in chain: it has no policy' -P X DROP

# iptables-nft lets the kernel refuse these and exits 4 (its "resource
# problem"); nfwall refuses them itself, before the kernel, with 1 as
# iptables-legacy does: nfwallctl's 4 means "not privileged".
expect_err 4 1 'chain X is still referenced by 1 rule' -X X
expect_err 4 1 'chain Z is not empty: it has 1 rule' -X Z
expect_err 4 1 'chain X is still referenced' -X
expect_err 4 1 'built-in chain INPUT cannot be deleted' -X INPUT
expect_err 4 1 'target DNAT cannot be used in table filter' -A INPUT -p tcp -j DNAT --to-destination 10.1.1.1
expect_err 4 1 'target MASQUERADE cannot be used in table filter' -A FORWARD -j MASQUERADE
expect_err 4 1 'target REJECT cannot be used in table nat' -t nat -A PREROUTING -p tcp -j REJECT
expect_err 4 1 'target DNAT is only valid in PREROUTING, OUTPUT, not in INPUT' \
        -t nat -A INPUT -p tcp -j DNAT --to-destination 10.1.1.1
expect_err 4 1 'target MASQUERADE is only valid in POSTROUTING, not in PREROUTING' \
        -t nat -A PREROUTING -j MASQUERADE
expect_err 4 1 'target DNAT is only valid in PREROUTING, OUTPUT, but chain DOCKER is reached from POSTROUTING' \
        -t nat -A DOCKER -p tcp -j DNAT --to-destination 10.1.1.1
# A bad policy is a bad value to nfwall (2); iptables hands it to the kernel (1).
expect_err 1 2 '"BOGUS" is not a policy: built-in chains take ACCEPT or DROP' -P INPUT BOGUS
expect_err 1 2 '"RETURN" is not a policy: built-in chains take ACCEPT or DROP' -P INPUT RETURN
# iptables exits 3 for a table it cannot open; nfwallctl's 3 means "not running".
expect_err 3 2 'unknown table "bogus"' -t bogus -S
# iptables-nft prints nothing and exits 0 for a rule number past the end
# (-S, and -Z, where iptables-legacy says "Index of counter too big", 1);
# nfwall says there is no such rule.
expect_err 0 1 'no rule 9 in chain INPUT: it has 3 rules' -S INPUT 9
expect_err 0 1 'no rule 9 in chain INPUT: it has 3 rules' -Z INPUT 9
# Not run on iptables-nft, which renames the base chain INPUT (and then
# cannot list its own table); iptables-legacy refuses (1).
expect_err - 1 'built-in chain INPUT cannot be renamed' -E INPUT W
# Not run on iptables-nft, which renames X to RETURN (or DROP): a chain
# nothing can jump to; iptables-legacy refuses (1). nfwall refuses it as
# iptables refuses -N RETURN: a bad parameter (2).
expect_err - 2 'chain name RETURN is reserved for a target' -E X RETURN
# iptables-nft warns and adds the rule; no interface can have that name.
expect_err - 2 'invalid interface name "eth0/1"' -A INPUT -i eth0/1 -j DROP
# A comment nf_tables has no room for beside nfwall's tag (the rule's
# userdata holds 256 bytes): refused when compiled, the rules unchanged.
# iptables-nft keeps no tag and takes it.
expect_err - 1 'the comment is too long for nf_tables (at most 243 characters with this rule)' \
        -A INPUT -p tcp --dport 25 -m comment --comment "$(printf 'c%.0s' $(seq 1 250))" -j ACCEPT
# Out of nfwall's scope (no native nf_tables translation): refused by
# name; iptables-nft runs it through xt compat.
expect_err - 2 'match "recent" is not supported by nfwall: it has no native nf_tables translation in nfwall' \
        -A INPUT -m recent --set

# Bad parameters to iptables (2, legacy too), which nfwall finds in its
# table check: a jump to a chain that does not exist, -i/-o where the
# hook has no such interface, a chain named like a target, DROP in nat.
expect_err 2 2 'chain NOWHERE does not exist in table filter (and NOWHERE is no target nfwall knows)' \
        -A INPUT -j NOWHERE
expect_err 2 2 'chain NOWHERE does not exist in table filter (and NOWHERE is no target nfwall knows)' \
        -A INPUT -p tcp --dport 22 -g NOWHERE
expect_err 2 2 '-o cannot be used in INPUT: those packets have no output interface yet' -A INPUT -o eth0 -j ACCEPT
expect_err 2 2 '-i cannot be used in OUTPUT: those packets have no input interface' -A OUTPUT -i eth0 -j ACCEPT
expect_err 2 2 'chain name ACCEPT is reserved for a target' -N ACCEPT
expect_err 2 2 'chain name RETURN is reserved for a target' -N RETURN
expect_err 2 2 'the nat table is not for filtering: DROP is refused there, as iptables does' \
        -t nat -A PREROUTING -j DROP
# -L CHAIN N lists that rule alone; -L -Z lists, then zeroes.
view_same exact "-L INPUT 1 -n -v --line-numbers: the same" -L INPUT 1 -n -v --line-numbers
view_same exact "-L INPUT 2 -n: the same" -L INPUT 2 -n
view_same exact "-L -Z -n: the same" -L -Z -n
compare_table norm filter
compare_table norm nat

# edits while panic is on: refused, nothing changes; -C still answers
before=$(b_rules)
assert_eq "$(ctl panic on >/dev/null 2>&1; echo $?)" 0 "panic on"
run_b -A INPUT -j ACCEPT
assert_eq "$B_RC" 1 "-A during panic: exit 1"
assert_eq "$B_ERR" 'error: panic is on (all traffic is dropped): rules cannot be edited until "nfwallctl panic off"' \
        "-A during panic: nfwall's message"
run_b -C INPUT -p tcp --dport 22 -j ACCEPT
assert_eq "$B_RC" 0 "-C during panic: answers from the rules (exit 0)"
assert_eq "$(ctl panic off >/dev/null 2>&1; echo $?)" 0 "panic off"
assert_eq "$(b_rules)" "$before" "after panic on, a refused edit and panic off: nfwall's rules unchanged"

# -L without -n: nfwall never looks names up (iptables resolves addresses
# with the system's resolver, 127.0.0.1 as "localhost"): addresses stay
# numbers, 0.0.0.0/0 is "anywhere" as in iptables.
run_b -A INPUT -d 127.0.0.1 -j ACCEPT
run_b -L INPUT
assert_eq "$(printf '%s\n' "$B_OUT" | tail -n 1)" \
        "ACCEPT     all  --  anywhere             127.0.0.1           " "-L without -n: numeric addresses, anywhere"
run_b -D INPUT -d 127.0.0.1 -j ACCEPT

# Runtime edits make nf_tables sets (multiport port lists) and delete the
# ones their rules leave unused: add/delete cycles leave none behind.
before=$(ip netns exec "$FWB" nft list sets ip 2>/dev/null | grep -c '^[[:space:]]*set ' || true)
for i in 1 2 3; do
        run_b -A INPUT -p tcp -m multiport --dports 3000,$((3000 + i)) -j DROP
        run_b -D INPUT -p tcp -m multiport --dports 3000,$((3000 + i)) -j DROP
done
after=$(ip netns exec "$FWB" nft list sets ip 2>/dev/null | grep -c '^[[:space:]]*set ' || true)
assert_eq "$after" "$before" "3 multiport rules added and deleted: no set left behind"

# ======================================================================
section "the end state: every table, both families"
for t in filter nat mangle raw; do
        compare_table norm "$t"
done
for t in filter nat mangle raw; do
        compare_table norm "$t" -6
done

# A restarted nfwalld adopts its tables as the kernel holds them: it knows
# no handle and none of the tables' sets until its first edit reads them.
section "nfwalld killed (SIGKILL) and started again: it adopts its tables, and edits go on"
# b_sets — how many nf_tables sets side B's tables hold
b_sets() { ip netns exec "$FWB" nft list sets ip 2>/dev/null | grep -c '^[[:space:]]*set ' || true; }
sets_before=$(b_sets)
same -A FORWARD -p udp -m multiport --dports 7001,7002 -j DROP
assert_eq "$(b_sets)" $((sets_before + 1)) "a rule with a new port list: one set more"
kill -KILL "$D_PID"
wait "$D_PID" 2>/dev/null || true
start_daemon
nfw_ok "nfwalld started again and answers"
compare_table norm filter
same -I INPUT 1 -p tcp --dport 2223 -j REJECT --reject-with tcp-reset
same -I INPUT 2 -p udp -m multiport --dports 5353,5354 -j DROP
same -R INPUT 1 -p tcp --dport 2223 -j DROP
same -I FORWARD 1 -p tcp -m multiport --dports 81,8080 -j REJECT --reject-with tcp-reset
same -N ADOPTED
same -A ADOPTED -p tcp --dport 2222 -j REJECT
same -I INPUT 1 -j ADOPTED
same -E ADOPTED ADOPTED2
same -D INPUT 1
same -F ADOPTED2
same -X ADOPTED2
same -Z INPUT
# kube-proxy passes -w SECONDS -W USECS, Docker --wait: taken and not needed
same -w 5 -W 100000 -I INPUT 1 -p tcp --dport 2224 -j DROP
same --wait -D INPUT 1
compare_table norm filter
verdicts "after adoption and edits" \
        "cli tcp $FWC4 2223 timeout" \
        "cli udp $FWC4 5353 timeout" \
        "cli tcp $SRV4 81 refused"
same -D INPUT -p tcp --dport 2223 -j DROP
same -D INPUT -p udp -m multiport --dports 5353,5354 -j DROP
same -D FORWARD -p tcp -m multiport --dports 81,8080 -j REJECT --reject-with tcp-reset
# the set made before the restart goes with its last rule too
same -D FORWARD -p udp -m multiport --dports 7001,7002 -j DROP
assert_eq "$(b_sets)" "$sets_before" "after adoption: the sets edits left unused are deleted, older ones too"
compare_table norm filter

# ======================================================================
# nfwall alone from here: status, save, reload, concurrent edits.
section "status counts unsaved changes; save writes the rules in force; reload drops edits"

# save_as_S TABLE <FILE — a rules file's table as -S prints it.
save_as_S() {
        awk -v t="$1" '
                /^\*/ { in_t = ($0 == "*" t); next }
                !in_t || /^#/ || /^COMMIT/ { next }
                /^:/ {
                        name = substr($1, 2)
                        if ($2 == "-") n[++nn] = "-N " name; else p[++np] = "-P " name " " $2
                        next
                }
                { sub(/^\[[0-9]+:[0-9]+\] /, ""); r[++nr] = $0 }
                END {
                        for (i = 1; i <= np; i++) print p[i]
                        for (i = 1; i <= nn; i++) print n[i]
                        for (i = 1; i <= nr; i++) print r[i]
                }'
}

# file_is_rules_in_force DESC FAMFLAG FILE — FILE, table by table, is
# what nfwallctl -S shows (and iptables-nft -S shows on side A when WITH_A).
file_is_rules_in_force() {
        local desc=$1 fam=$2 file=$3 t got bad=() tables
        mapfile -t tables < <(awk '/^\*/ { print substr($0, 2) }' "$file")
        for t in "${tables[@]}"; do
                got=$(save_as_S "$t" <"$file")
                run_b ${fam:+"$fam"} -t "$t" -S
                [ "$got" = "$B_OUT" ] || bad+=("$t")
                if [ "${WITH_A:-0}" = 1 ]; then
                        run_a ${fam:+"$fam"} -t "$t" -S
                        [ "$got" = "$A_OUT" ] || bad+=("$t (iptables-nft)")
                fi
        done
        if [ ${#bad[@]} -eq 0 ] && grep -q '^\*filter$' "$file"; then
                nfw_ok "$desc"
        else
                nfw_not_ok "$desc" "tables differ: ${bad[*]:-no *filter}"
        fi
}

status_line() { ctl status 2>&1 | grep -E "^$1: [0-9]+ unsaved" || true; }

assert_eq "$(ctl save >/dev/null 2>&1; echo $?)" 0 "save: exit 0"
assert_eq "$(status_line IPv4)$(status_line IPv6)" "" "after save: status shows no unsaved changes"
# three edits in IPv4 (on both sides, to compare the file with the
# reference), one in IPv6; -C, -Z and a refused edit change nothing.
same -A INPUT -s 10.8.0.1 -j DROP
same -I INPUT -s 10.8.0.2 -j DROP
same -D INPUT -s 10.8.0.1 -j DROP
same_rc 0 -C INPUT -s 10.8.0.2 -j DROP
same -Z INPUT
run_b -A NOCHAIN -j DROP
same -6 -A INPUT -s fd00:8::1 -j DROP
assert_eq "$(status_line IPv4)" \
        "IPv4: 3 unsaved changes: the rules in force differ from $D_DIR/rules.v4 (save writes them)" \
        "status after 3 edits (and a -C, a -Z, a refused edit): IPv4: 3 unsaved changes"
assert_eq "$(status_line IPv6)" \
        "IPv6: 1 unsaved change: the rules in force differ from $D_DIR/rules.v6 (save writes them)" \
        "status after 1 IPv6 edit: IPv6: 1 unsaved change"
run_b save
assert_eq "$B_RC" 0 "save: exit 0"
assert_eq "$(printf '%s\n' "$B_OUT" | head -n 1)" \
        "IPv4: 9 rules saved to $D_DIR/rules.v4 (the previous version is $D_DIR/rules.v4.save)" \
        "save: IPv4: 9 rules saved"
assert_eq "$(printf '%s\n' "$B_OUT" | sed -n 2p)" \
        "IPv6: 1 rule saved to $D_DIR/rules.v6 (the previous version is $D_DIR/rules.v6.save)" \
        "save: IPv6: 1 rule saved"
WITH_A=1 file_is_rules_in_force "rules.v4 after save: -S of every table, as on both sides" "" "$D_DIR/rules.v4"
WITH_A=1 file_is_rules_in_force "rules.v6 after save: -6 -S of every table, as on both sides" -6 "$D_DIR/rules.v6"
assert_eq "$(status_line IPv4)$(status_line IPv6)" "" "after save: no unsaved changes"

run_b -A INPUT -s 10.8.0.3 -j DROP
run_b -t nat -A POSTROUTING -o eth0 -j MASQUERADE
assert_eq "$(status_line IPv4)" \
        "IPv4: 2 unsaved changes: the rules in force differ from $D_DIR/rules.v4 (save writes them)" \
        "2 more edits: IPv4: 2 unsaved changes"
assert_eq "$(ctl reload >/dev/null 2>&1; echo $?)" 0 "reload: exit 0"
file_is_rules_in_force "after reload: the rules file wins (the 2 runtime edits are gone)" "" "$D_DIR/rules.v4"
assert_eq "$(status_line IPv4)" "" "after reload: no unsaved changes"
# the edits after a reload find the reloaded rules
same_rc 0 -C INPUT -s 10.8.0.2/32 -j DROP
same -D INPUT -s 10.8.0.2/32 -j DROP
compare_table norm filter

section "20 concurrent edits"
assert_eq "$(ctl save >/dev/null 2>&1; echo $?)" 0 "save: exit 0"
dir="$NFW_TMP/concurrent"
mkdir -p "$dir"
pids=()
for i in $(seq 1 20); do
        (
                rc=0
                ctl -A INPUT -s "10.9.0.$i" -j DROP >"$dir/out.$i" 2>&1 || rc=$?
                echo "$rc" >"$dir/rc.$i"
        ) &
        pids+=("$!")
done
for p in "${pids[@]}"; do
        wait "$p" || true
done
assert_eq "$(cat "$dir"/rc.* | sort | uniq -c | awk '{ print $1 ":" $2 }')" "20:0" "20 concurrent -A: all exit 0"
run_b -S INPUT
got=$(printf '%s\n' "$B_OUT" | grep -E '^-A INPUT -s 10\.9\.0\.[0-9]+/32 -j DROP$' | sort -t . -k 4 -n | uniq)
want=$(for i in $(seq 1 20); do echo "-A INPUT -s 10.9.0.$i/32 -j DROP"; done)
same_text_ok=0
[ "$got" = "$want" ] && same_text_ok=1
assert_eq "$same_text_ok $(printf '%s\n' "$B_OUT" | grep -c '10\.9\.0\.' || true)" "1 20" \
        "20 concurrent -A: each rule is there exactly once"
run_b -S INPUT -v
assert_eq "$(printf '%s\n' "$B_OUT" | strip_counters)" "$(ctl -S INPUT)" \
        "20 concurrent -A: the kernel holds the same rules, in the same order, as the model"
assert_eq "$(status_line IPv4)" \
        "IPv4: 20 unsaved changes: the rules in force differ from $D_DIR/rules.v4 (save writes them)" \
        "20 concurrent -A: IPv4: 20 unsaved changes"
# the same 20 on side A, in nfwall's order: the tables are the same again
for line in $(printf '%s\n' "$B_OUT" | grep -o '10\.9\.0\.[0-9]*'); do
        run_a -A INPUT -s "$line" -j DROP
done
compare_table norm filter

if kill -0 "$D_PID" 2>/dev/null; then
        nfw_ok "nfwalld still runs after every command"
else
        nfw_not_ok "nfwalld still runs after every command"
        tail -n 20 "$D_LOG" | nfw_diag
fi
printf '# %s seconds\n' "$(($(date +%s) - T0))"
finish
