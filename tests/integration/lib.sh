# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# lib.sh — shared helpers for nfwall's packet tests. Source it from bash.
#
# Everything happens inside network namespaces this file creates; the host's
# interfaces, addresses, routes, sysctls and firewall are never touched. Every
# command that configures anything runs as `ip -n NS ...` or
# `ip netns exec NS ...`. Namespaces are deleted on exit, error, Ctrl-C or
# SIGTERM (trap), and every wait loop is bounded.
#
# Environment:
#   LOADER        iptables-nft | nfwall. Default: $NFWALL_LOADER_DEFAULT, else
#                 nfwall when $NFWALL_LOAD is executable, else iptables-nft.
#   NFWALL_LOAD   path of the nfwall-load test tool (LOADER=nfwall).
#   PROBE, SERVER paths of the probe and server programs (meson passes them;
#                 when unset, they are looked for next to this file and in
#                 ./build*, else compiled into the temporary directory).
#   PROBE_TIMEOUT_MS  timeout of one probe (default 1000).
#   NFW_VERBOSE   1: echo every probe command.
#
# Topologies (addresses exist only inside the namespaces):
#
#   topo_create NAME        NAME-cli ──eth0──eth0── NAME-fw ──eth1──eth0── NAME-srv
#                           10.250.1.2        10.250.1.1   10.250.2.1       10.250.2.2
#                           fd00:250:1::2  fd00:250:1::1   fd00:250:2::1    fd00:250:2::2
#                           fw forwards (v4, v6); cli and srv route via fw.
#   topo_create_pair NAME   NAME-cli ──eth0──eth0── NAME-srv
#                           10.250.3.2 / fd00:250:3::2     10.250.3.1 / fd00:250:3::1
#
# Neighbour entries are static (nud permanent), so rulesets that drop ICMPv6
# neighbour discovery do not break the test network itself. Each namespace
# gets quiet, namespace-local sysctls (see nfw_ns_add): no ICMP rate limit,
# no DAD / router solicitations, MLD at once, short-lived half-open TCP.
#
# Main helpers: nfw_require_root (exit 77 unless root and netns work),
# topo_create / topo_create_pair / topo_destroy, start_server, load_rules,
# expect_verdict, probe_verdict, loader_save, loader_flush, rule_counter,
# policy_counter, show_counters, list_tables, nfw_ok / nfw_not_ok /
# nfw_skip / assert_eq, finish ("N passed, N failed", exit 1 on failure).

# ---------------------------------------------------------------- addresses
CLI4=10.250.1.2   FWC4=10.250.1.1   FWS4=10.250.2.1   SRV4=10.250.2.2
CLI6=fd00:250:1::2 FWC6=fd00:250:1::1 FWS6=fd00:250:2::1 SRV6=fd00:250:2::2
PCLI4=10.250.3.2  PSRV4=10.250.3.1
PCLI6=fd00:250:3::2 PSRV6=fd00:250:3::1
# shellcheck disable=SC2034 # used by the scripts that source this file
NFW_ADDRS_DOC="see lib.sh header"

NFW_LIBDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROBE_TIMEOUT_MS=${PROBE_TIMEOUT_MS:-1000}

NFW_PASS=0
NFW_FAIL=0
NFW_SKIP=0
NFW_NAMESPACES=()
NFW_PIDS=()
NFW_TMP=
NFW_CLEANED=0

# ------------------------------------------------------------------ output
nfw_diag() { local l; while IFS= read -r l; do printf '#   %s\n' "$l"; done; }
section() { printf '# --- %s\n' "$*"; }

nfw_ok() {
        NFW_PASS=$((NFW_PASS + 1))
        printf 'ok - %s\n' "$1"
}

nfw_not_ok() {
        NFW_FAIL=$((NFW_FAIL + 1))
        if [ -n "${2:-}" ]; then
                printf 'not ok - %s (%s)\n' "$1" "$2"
        else
                printf 'not ok - %s\n' "$1"
        fi
}

nfw_skip() {
        NFW_SKIP=$((NFW_SKIP + 1))
        printf 'ok - %s # SKIP %s\n' "$1" "$2"
}

# assert_eq GOT WANT DESCRIPTION
assert_eq() {
        if [ "$1" = "$2" ]; then
                nfw_ok "$3"
        else
                nfw_not_ok "$3" "got $1, want $2"
        fi
}

# assert_true DESCRIPTION COMMAND... — passes when COMMAND exits 0.
assert_true() {
        local desc=$1
        shift
        if "$@"; then
                nfw_ok "$desc"
        else
                nfw_not_ok "$desc" "command failed: $*"
        fi
}

# finish — summary line, exit status 1 when anything failed.
finish() {
        printf '1..%d\n' $((NFW_PASS + NFW_FAIL + NFW_SKIP))
        printf '%d passed, %d failed' "$NFW_PASS" "$NFW_FAIL"
        [ "$NFW_SKIP" -gt 0 ] && printf ' (%d skipped)' "$NFW_SKIP"
        printf '\n'
        if [ "$NFW_FAIL" -gt 0 ]; then
                exit 1
        fi
        exit 0
}

nfw_skip_all() {
        printf '1..0 # SKIP %s\n' "$1"
        exit 77
}

nfw_die() {
        printf 'Bail out! %s\n' "$*"
        exit 1
}

# ----------------------------------------------------------------- cleanup
nfw_cleanup() {
        local pid ns
        [ "$NFW_CLEANED" = 1 ] && return 0
        NFW_CLEANED=1
        for pid in "${NFW_PIDS[@]}"; do
                kill "$pid" 2>/dev/null
        done
        for ns in "${NFW_NAMESPACES[@]}"; do
                nfw_ns_delete "$ns"
        done
        NFW_NAMESPACES=()
        for pid in "${NFW_PIDS[@]}"; do
                for _ in 1 2 3 4 5 6 7 8 9 10; do
                        kill -0 "$pid" 2>/dev/null || continue 2
                        sleep 0.05
                done
                kill -9 "$pid" 2>/dev/null
        done
        NFW_PIDS=()
        if [ -n "$NFW_TMP" ] && [ -d "$NFW_TMP" ]; then
                rm -rf "$NFW_TMP"
        fi
}

nfw_on_exit() {
        local rc=$?
        nfw_cleanup
        exit "$rc"
}

nfw_on_signal() {
        trap - EXIT INT TERM HUP
        printf '# interrupted (signal %s), cleaning up\n' "$1"
        nfw_cleanup
        exit $((128 + $2))
}

trap nfw_on_exit EXIT
trap 'nfw_on_signal INT 2' INT
trap 'nfw_on_signal TERM 15' TERM
trap 'nfw_on_signal HUP 1' HUP

# ------------------------------------------------------------ requirements
# nfw_require_root — exit 77 (skip) unless we are root and may create a
# network namespace; pick the loader; find or build probe and server.
nfw_require_root() {
        local chk
        [ "$(id -u)" = 0 ] || nfw_skip_all "not root"
        command -v ip >/dev/null 2>&1 || nfw_skip_all "no ip(8)"
        command -v nft >/dev/null 2>&1 || nfw_skip_all "no nft(8)"
        chk="nfwchk$$"
        if ! ip netns add "$chk" 2>/dev/null; then
                nfw_skip_all "cannot create a network namespace (ip netns add)"
        fi
        ip netns del "$chk" 2>/dev/null
        NFW_TMP=$(mktemp -d "${TMPDIR:-/tmp}/nfwall-integ.XXXXXX") || nfw_die "mktemp failed"
        nfw_pick_loader
        nfw_find_tools
}

nfw_pick_loader() {
        local explicit=${LOADER:-}
        if [ -z "$explicit" ]; then
                LOADER=${NFWALL_LOADER_DEFAULT:-}
                # No choice made, or meson's default names a tool that is not
                # built (yet): nfwall when its tool is there, else the reference.
                if [ -z "$LOADER" ] || { [ "$LOADER" = nfwall ] && [ ! -x "${NFWALL_LOAD:-}" ]; }; then
                        if [ -n "${NFWALL_LOAD:-}" ] && [ -x "${NFWALL_LOAD}" ]; then
                                LOADER=nfwall
                        else
                                LOADER=iptables-nft
                        fi
                fi
        fi
        case "$LOADER" in
        iptables-nft)
                nfw_require_reference
                ;;
        nfwall)
                if [ -z "${NFWALL_LOAD:-}" ] || [ ! -x "${NFWALL_LOAD}" ]; then
                        nfw_die "LOADER=nfwall but NFWALL_LOAD='${NFWALL_LOAD:-}' is not executable"
                fi
                # The reference tools are still used to build "other programs'"
                # tables in the coexistence tests.
                ;;
        *) nfw_die "unknown LOADER '$LOADER' (iptables-nft or nfwall)" ;;
        esac
        export LOADER
        if [ "$LOADER" = nfwall ]; then
                printf '# loader: nfwall (%s)\n' "$NFWALL_LOAD"
        else
                printf '# loader: iptables-nft (reference)\n'
        fi
}

nfw_require_reference() {
        command -v iptables-nft-restore >/dev/null 2>&1 || nfw_skip_all "no iptables-nft-restore"
        command -v ip6tables-nft-restore >/dev/null 2>&1 || nfw_skip_all "no ip6tables-nft-restore"
        command -v iptables-nft-save >/dev/null 2>&1 || nfw_skip_all "no iptables-nft-save"
}

# nfw_find_bin VAR NAME SUBDIR — $VAR from the environment, else the newest
# build*/SUBDIR/NAME of the source tree; fails when there is none.
nfw_find_bin() {
        local var=$1 name=$2 sub=$3 cand best=
        if [ -z "${!var:-}" ]; then
                for cand in "$NFW_LIBDIR"/../../build*/"$sub/$name"; do
                        [ -x "$cand" ] || continue
                        if [ -z "$best" ] || [ "$cand" -nt "$best" ]; then
                                best=$cand
                        fi
                done
                printf -v "$var" '%s' "$best"
        fi
        [ -n "${!var:-}" ] && [ -x "${!var}" ]
}

nfw_find_tools() {
        local t var path cand
        for t in probe server; do
                var=$(printf '%s' "$t" | tr '[:lower:]' '[:upper:]')
                path=${!var:-}
                if [ -z "$path" ]; then
                        for cand in "$NFW_LIBDIR/$t" "$NFW_LIBDIR"/../../build*/tests/integration/"$t"; do
                                if [ -x "$cand" ]; then
                                        path=$cand
                                        break
                                fi
                        done
                fi
                if [ -z "$path" ]; then
                        path="$NFW_TMP/$t"
                        "${CC:-cc}" -std=gnu11 -D_GNU_SOURCE -O2 -o "$path" "$NFW_LIBDIR/$t.c" ||
                                nfw_die "cannot build $t"
                fi
                [ -x "$path" ] || nfw_die "$var=$path is not executable"
                printf -v "$var" '%s' "$path"
        done
}

# --------------------------------------------------------------- namespaces
# Run a command in a namespace.
nsx() {
        local ns=$1
        shift
        ip netns exec "$ns" "$@"
}

nfw_ns_add() {
        local ns=$1
        ip netns add "$ns" || nfw_die "ip netns add $ns failed (does it exist already?)"
        NFW_NAMESPACES+=("$ns")
        ip -n "$ns" link set lo up || nfw_die "lo up in $ns"
        # Namespace-local sysctls only (each new netns has its own copy):
        # - no ICMP rate limit, so a REJECT answers every probe;
        # - ping sockets for root;
        # - quiet IPv6: no duplicate address detection, no router
        #   solicitations, MLD reports sent at once rather than over seconds;
        # - TCP gives up quickly on half-dead connections (no SYN-ACK
        #   retransmission, one retry for orphans), so that traffic stops
        #   soon after the last probe and counters can be compared exactly.
        nsx "$ns" sysctl -q -w \
                net.ipv4.icmp_ratelimit=0 \
                net.ipv6.icmp.ratelimit=0 \
                "net.ipv4.ping_group_range=0 2147483647" \
                net.ipv6.conf.all.accept_dad=0 \
                net.ipv6.conf.default.accept_dad=0 \
                net.ipv6.conf.all.router_solicitations=0 \
                net.ipv6.conf.default.router_solicitations=0 \
                net.ipv6.conf.all.accept_ra=0 \
                net.ipv6.conf.default.accept_ra=0 \
                net.ipv6.conf.all.mldv2_unsolicited_report_interval=0 \
                net.ipv6.conf.default.mldv2_unsolicited_report_interval=0 \
                net.ipv6.conf.all.mldv1_unsolicited_report_interval=0 \
                net.ipv6.conf.default.mldv1_unsolicited_report_interval=0 \
                net.ipv4.tcp_synack_retries=0 \
                net.ipv4.tcp_orphan_retries=1 >/dev/null ||
                nfw_die "sysctl in $ns"
}

# nfw_ns_delete NS — kill what runs in it (only our servers can), delete it.
nfw_ns_delete() {
        local ns=$1 pid
        ip netns list 2>/dev/null | grep -q "^$ns\( \|$\)" || return 0
        for pid in $(ip netns pids "$ns" 2>/dev/null); do
                kill "$pid" 2>/dev/null
        done
        for _ in 1 2 3 4 5 6 7 8 9 10; do
                [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break
                sleep 0.05
        done
        for pid in $(ip netns pids "$ns" 2>/dev/null); do
                kill -9 "$pid" 2>/dev/null
        done
        ip netns del "$ns" 2>/dev/null
}

# nfw_link NS_A IF_A MAC_A NS_B IF_B MAC_B — veth pair created directly
# inside the two namespaces (never in the host's).
nfw_link() {
        ip -n "$1" link add "$2" address "$3" type veth peer name "$5" address "$6" netns "$4" ||
                nfw_die "veth $1/$2 <-> $4/$5"
        ip -n "$1" link set "$2" up
        ip -n "$4" link set "$5" up
}

# nfw_addr NS IF ADDR4/24 ADDR6/64
nfw_addr() {
        ip -n "$1" addr add "$3" dev "$2" || nfw_die "addr $3 in $1"
        ip -n "$1" addr add "$4" dev "$2" nodad || nfw_die "addr $4 in $1"
}

# nfw_neigh NS IF ADDR4 ADDR6 MAC — static neighbour entries.
nfw_neigh() {
        ip -n "$1" neigh replace "$3" lladdr "$5" dev "$2" nud permanent || nfw_die "neigh $3 in $1"
        ip -n "$1" -6 neigh replace "$4" lladdr "$5" dev "$2" nud permanent || nfw_die "neigh $4 in $1"
}

# topo_create NAME — three namespaces: client, router/firewall, server.
topo_create() {
        local n=$1
        local mc=02:fa:01:00:00:02 mfc=02:fa:01:00:00:01 mfs=02:fa:02:00:00:01 ms=02:fa:02:00:00:02
        nfw_ns_add "$n-cli"
        nfw_ns_add "$n-fw"
        nfw_ns_add "$n-srv"
        nfw_link "$n-cli" eth0 "$mc" "$n-fw" eth0 "$mfc"
        nfw_link "$n-fw" eth1 "$mfs" "$n-srv" eth0 "$ms"
        nfw_addr "$n-cli" eth0 "$CLI4/24" "$CLI6/64"
        nfw_addr "$n-fw" eth0 "$FWC4/24" "$FWC6/64"
        nfw_addr "$n-fw" eth1 "$FWS4/24" "$FWS6/64"
        nfw_addr "$n-srv" eth0 "$SRV4/24" "$SRV6/64"
        nfw_neigh "$n-cli" eth0 "$FWC4" "$FWC6" "$mfc"
        nfw_neigh "$n-fw" eth0 "$CLI4" "$CLI6" "$mc"
        nfw_neigh "$n-fw" eth1 "$SRV4" "$SRV6" "$ms"
        nfw_neigh "$n-srv" eth0 "$FWS4" "$FWS6" "$mfs"
        ip -n "$n-cli" route add default via "$FWC4" || nfw_die "route in $n-cli"
        ip -n "$n-cli" -6 route add default via "$FWC6" || nfw_die "route6 in $n-cli"
        ip -n "$n-srv" route add default via "$FWS4" || nfw_die "route in $n-srv"
        ip -n "$n-srv" -6 route add default via "$FWS6" || nfw_die "route6 in $n-srv"
        nsx "$n-fw" sysctl -q -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null ||
                nfw_die "forwarding in $n-fw"
}

# topo_create_pair NAME — two namespaces, client and server, one link; the
# firewall under test runs on the server (INPUT) or on the client.
topo_create_pair() {
        local n=$1 mc=02:fa:03:00:00:02 ms=02:fa:03:00:00:01
        nfw_ns_add "$n-cli"
        nfw_ns_add "$n-srv"
        nfw_link "$n-cli" eth0 "$mc" "$n-srv" eth0 "$ms"
        nfw_addr "$n-cli" eth0 "$PCLI4/24" "$PCLI6/64"
        nfw_addr "$n-srv" eth0 "$PSRV4/24" "$PSRV6/64"
        nfw_neigh "$n-cli" eth0 "$PSRV4" "$PSRV6" "$ms"
        nfw_neigh "$n-srv" eth0 "$PCLI4" "$PCLI6" "$mc"
}

# topo_destroy NAME — delete NAME-cli, NAME-fw, NAME-srv (whichever exist)
# and forget the servers that ran there.
topo_destroy() {
        local n=$1 ns keep=() pid alive=()
        for ns in "$n-cli" "$n-fw" "$n-srv"; do
                nfw_ns_delete "$ns"
        done
        for ns in "${NFW_NAMESPACES[@]}"; do
                case "$ns" in
                "$n-cli" | "$n-fw" | "$n-srv") ;;
                *) keep+=("$ns") ;;
                esac
        done
        NFW_NAMESPACES=("${keep[@]}")
        for pid in "${NFW_PIDS[@]}"; do
                kill -0 "$pid" 2>/dev/null && alive+=("$pid")
        done
        NFW_PIDS=("${alive[@]}")
}

# ------------------------------------------------------------------ servers
# start_server NS PROTO PORT... [PROTO PORT...] — background server in NS;
# sets SERVER_PID and SERVER_LOG (one line per connection:
# "tcp|udp LOCALPORT PEERADDR PEERPORT").
SERVER_SEQ=0
start_server() {
        local ns=$1 _i ready
        shift
        SERVER_SEQ=$((SERVER_SEQ + 1))
        SERVER_LOG="$NFW_TMP/server-$ns-$SERVER_SEQ.log"
        ready="$NFW_TMP/server-$ns-$SERVER_SEQ.ready"
        ip netns exec "$ns" "$SERVER" "$@" --ready "$ready" >"$SERVER_LOG" 2>"$SERVER_LOG.err" &
        SERVER_PID=$!
        disown "$SERVER_PID" 2>/dev/null
        NFW_PIDS+=("$SERVER_PID")
        for _i in $(seq 1 100); do
                [ -e "$ready" ] && return 0
                kill -0 "$SERVER_PID" 2>/dev/null || break
                sleep 0.05
        done
        nfw_diag <"$SERVER_LOG.err"
        nfw_die "server in $ns ($*) did not start"
}

stop_server() {
        local pid=$1 _i
        kill "$pid" 2>/dev/null
        for _i in 1 2 3 4 5 6 7 8 9 10; do
                kill -0 "$pid" 2>/dev/null || return 0
                sleep 0.05
        done
        kill -9 "$pid" 2>/dev/null
}

# server_peers LOG PROTO LOCALPORT — peer addresses seen, one per line.
server_peers() {
        awk -v p="$2" -v l="$3" '$1 == p && $2 == l { print $3 }' "$1"
}

# server_last PROTO LOCALPORT [LOG] — last "ADDR PORT" the server saw.
server_last() {
        awk -v p="$1" -v l="$2" '$1 == p && $2 == l { last = $3 " " $4 } END { print last }' "${3:-$SERVER_LOG}"
}

# ------------------------------------------------------------------ probing
# probe_verdict NS PROTO ADDR PORT [PROBE OPTIONS...] — prints the probe's
# output (the verdict; with --reply a second line).
probe_verdict() {
        local ns=$1 proto=$2 addr=$3 port=$4
        shift 4
        local args=("$proto" "$addr")
        [ "$proto" != icmp ] && args+=("$port")
        [ "${NFW_VERBOSE:-0}" = 1 ] && printf '# ip netns exec %s probe %s --timeout %s %s\n' \
                "$ns" "${args[*]}" "$PROBE_TIMEOUT_MS" "$*" >&2
        ip netns exec "$ns" "$PROBE" "${args[@]}" --timeout "$PROBE_TIMEOUT_MS" "$@" 2>&1
}

# expect_verdict NS PROTO ADDR PORT WANT [DESCRIPTION] [-- PROBE OPTIONS...]
# WANT may list alternatives separated by '|'. PORT is ignored for icmp.
expect_verdict() {
        local ns=$1 proto=$2 addr=$3 port=$4 want=$5 desc='' got w
        shift 5
        if [ $# -gt 0 ] && [ "$1" != -- ]; then
                desc=$1
                shift
        fi
        [ "${1:-}" = -- ] && shift
        [ -n "$desc" ] || desc="$proto $addr${port:+ $port}"
        [ "$proto" = icmp ] && port=-
        got=$(probe_verdict "$ns" "$proto" "$addr" "$port" "$@" | head -n 1)
        local IFS='|'
        for w in $want; do
                if [ "$got" = "$w" ]; then
                        nfw_ok "$desc: $want"
                        return 0
                fi
        done
        nfw_not_ok "$desc" "got $got, want $want"
        return 1
}

# ------------------------------------------------------------------ loading
# load_rules NS FAMILY FILE — FAMILY 4 or 6; loads FILE with $LOADER.
# Returns the loader's status; its stderr is kept in $NFW_LOAD_ERR.
load_rules() {
        load_rules_with "$LOADER" "$@"
}

load_rules_with() {
        local loader=$1 ns=$2 fam=$3 file=$4 rc
        NFW_LOAD_ERR="$NFW_TMP/load.err"
        case "$loader" in
        iptables-nft)
                if [ "$fam" = 6 ]; then
                        ip netns exec "$ns" ip6tables-nft-restore <"$file" 2>"$NFW_LOAD_ERR"
                else
                        ip netns exec "$ns" iptables-nft-restore <"$file" 2>"$NFW_LOAD_ERR"
                fi
                ;;
        nfwall)
                if [ "$fam" = 6 ]; then
                        ip netns exec "$ns" "$NFWALL_LOAD" apply -6 "$file" 2>"$NFW_LOAD_ERR"
                else
                        ip netns exec "$ns" "$NFWALL_LOAD" apply "$file" 2>"$NFW_LOAD_ERR"
                fi
                ;;
        *) nfw_die "unknown loader $loader" ;;
        esac
        rc=$?
        return $rc
}

# load_ok NS FAMILY FILE DESCRIPTION — load, and report ok / not ok.
load_ok() {
        if load_rules "$1" "$2" "$3"; then
                nfw_ok "$4: loaded"
                return 0
        fi
        nfw_not_ok "$4: loaded" "$LOADER failed"
        nfw_diag <"$NFW_LOAD_ERR"
        return 1
}

# rules_file NAME <<EOF ... EOF — write a ruleset from stdin into the
# temporary directory, print its path.
rules_file() {
        local f="$NFW_TMP/$1"
        cat >"$f"
        printf '%s\n' "$f"
}

# loader_save NS FAMILY [--counters] — the loaded ruleset in iptables-save
# form, as the loader reads it back from the kernel.
loader_save() {
        loader_save_with "$LOADER" "$@"
}

loader_save_with() {
        local loader=$1 ns=$2 fam=$3 counters=${4:-}
        case "$loader" in
        iptables-nft)
                local tool=iptables-nft-save
                [ "$fam" = 6 ] && tool=ip6tables-nft-save
                if [ "$counters" = --counters ]; then
                        ip netns exec "$ns" "$tool" -c
                else
                        ip netns exec "$ns" "$tool"
                fi
                ;;
        nfwall)
                local args=(save)
                [ "$fam" = 6 ] && args+=(-6)
                [ "$counters" = --counters ] && args+=(--counters)
                ip netns exec "$ns" "$NFWALL_LOAD" "${args[@]}"
                ;;
        esac
}

# loader_flush NS — remove the loader's own tables (both families).
# iptables-nft: its tables ip/ip6 filter, nat, mangle, raw, security.
# nfwall: `nfwall-load flush` and `flush -6` (only nfwall's tables).
loader_flush() {
        loader_flush_with "$LOADER" "$@"
}

loader_flush_with() {
        local loader=$1 ns=$2 fam tbl
        case "$loader" in
        iptables-nft)
                nsx "$ns" nft list tables 2>/dev/null | while read -r _ fam tbl; do
                        case "$fam:$tbl" in
                        ip:filter | ip:nat | ip:mangle | ip:raw | ip:security | \
                                ip6:filter | ip6:nat | ip6:mangle | ip6:raw | ip6:security)
                                nsx "$ns" nft delete table "$fam" "$tbl" 2>/dev/null
                                ;;
                        esac
                done
                ;;
        nfwall)
                nsx "$ns" "$NFWALL_LOAD" flush
                nsx "$ns" "$NFWALL_LOAD" flush -6
                ;;
        esac
}

# list_tables NS — `nft list tables` in NS, one "family name" per line.
list_tables() {
        nsx "$1" nft list tables 2>/dev/null | awk '$1 == "table" { print $2, $3 }'
}

# show_counters NS FAMILY — human-readable counters for diagnostics:
# iptables-nft -L -v -x -n for the reference, `nfwall-load save --counters`
# for nfwall.
show_counters() {
        local ns=$1 fam=$2 t
        case "$LOADER" in
        iptables-nft)
                local tool=iptables-nft
                [ "$fam" = 6 ] && tool=ip6tables-nft
                for t in filter nat; do
                        nsx "$ns" "$tool" -t "$t" -L -v -x -n 2>/dev/null
                done
                ;;
        nfwall) loader_save "$ns" "$fam" --counters ;;
        esac
}

# nfw_save_table TABLE — filter iptables-save text (stdin) to one table.
nfw_save_table() {
        awk -v t="$1" '/^\*/ { in_t = ($0 == "*" t); next } in_t { print }'
}

# rule_counter NS FAMILY TABLE PATTERN — "PACKETS BYTES" of the first rule
# of TABLE whose saved line contains PATTERN (fixed string). Understands
# both "[p:b] -A ..." and "-c p b" forms. Prints nothing when not found.
rule_counter() {
        local ns=$1 fam=$2 table=$3 pat=$4
        loader_save "$ns" "$fam" --counters | nfw_save_table "$table" | awk -v pat="$pat" '
                index($0, pat) && /-A / {
                        if (match($0, /^\[[0-9]+:[0-9]+\]/)) {
                                s = substr($0, 2, RLENGTH - 2); split(s, a, ":")
                                print a[1], a[2]; exit
                        }
                        if (match($0, /-c [0-9]+ [0-9]+/)) {
                                split(substr($0, RSTART, RLENGTH), a, " ")
                                print a[2], a[3]; exit
                        }
                }'
}

# policy_counter NS FAMILY TABLE CHAIN — "PACKETS BYTES" of CHAIN's policy.
policy_counter() {
        local ns=$1 fam=$2 table=$3 chain=$4
        loader_save "$ns" "$fam" --counters | nfw_save_table "$table" | awk -v c=":$chain" '
                $1 == c && match($0, /\[[0-9]+:[0-9]+\]/) {
                        s = substr($0, RSTART + 1, RLENGTH - 2); split(s, a, ":")
                        print a[1], a[2]; exit
                }'
}

# ------------------------------------------------------------------ loaders
# is_nfwall — true when the loader under test is nfwall; tests that only
# mean something for nfwall call nfw_skip otherwise.
is_nfwall() { [ "$LOADER" = nfwall ]; }
