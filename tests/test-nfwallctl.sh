#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# nfwallctl as a user runs it, without nfwalld: usage errors, "not running",
# import-config; then against fake-nfwalld, a scripted socket that records
# each request and answers well or badly: what goes on the wire for each
# action, the reply's text, diagnostics and status, and every broken reply.
# Usage: test-nfwallctl.sh NFWALLCTL FAKE-NFWALLD
set -uo pipefail
ctl=$(readlink -f -- "$1")
fake=$(readlink -f -- "$2")
work=$(mktemp -d)
fake_pid=
cleanup() {
  [ -n "$fake_pid" ] && kill "$fake_pid" 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work" || exit 1
unset NFWALL_SOCKET
version=$("$ctl" --version | sed 's/^nfwallctl //')
passed=0 failed=0

ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() {
  echo "not ok - $1"; failed=$((failed + 1))
  echo "  rc $rc (want $2)"; echo "  stdout:"; head -20 out | sed 's/^/    /'; echo "  stderr:"; head -20 err | sed 's/^/    /'
}

# expect NAME WANT_RC WANT_STDOUT WANT_STDERR -- CMD...: all exactly
expect() {
  local name=$1 want_rc=$2 want_out=$3 want_err=$4
  shift 5
  "$@" > out 2> err
  rc=$?
  if [ "$rc" = "$want_rc" ] && [ "$(cat out)" = "$want_out" ] && [ "$(cat err)" = "$want_err" ]; then
    ok "$name"
  else
    not_ok "$name" "$want_rc"
  fi
}

# expect_usage NAME FIRST_STDERR_LINE -- CMD...: exit 2, the message, then the usage text, nothing on stdout
expect_usage() {
  local name=$1 want_first=$2
  shift 3
  "$@" > out 2> err
  rc=$?
  if [ "$rc" = 2 ] && [ ! -s out ] && [ "$(head -1 err)" = "$want_first" ] &&
     grep -q '^Usage: nfwallctl \[OPTIONS\] ACTION' err; then
    ok "$name"
  else
    not_ok "$name" "2 with usage"
  fi
}

# expect_log NAME WANT: what fake-nfwalld recorded of the last request
expect_log() {
  if [ "$(cat log 2> /dev/null)" = "$2" ]; then
    ok "$1"
  else
    echo "not ok - $1"; failed=$((failed + 1))
    echo "  recorded:"; sed 's/^/    /' log 2> /dev/null; echo "  want:"; printf '%s\n' "$2" | sed 's/^/    /'
  fi
}

# fake MODE [ARGS]: a fake nfwalld on ./sock for one connection
fake() {
  rm -f sock log
  "$fake" "$work/sock" "$work/log" "$@" 2> fake.err &
  fake_pid=$!
  for _ in $(seq 200); do
    [ -S sock ] && return 0
    sleep 0.05
  done
  echo "fake-nfwalld did not start:"; cat fake.err
  exit 1
}

fake_done() {
  wait "$fake_pid" 2> /dev/null
  fake_pid=
}

# ---- without a daemon ----

"$ctl" --help > out 2> err
rc=$?
missing=
for a in start stop restart reload condrestart try-restart status save panic check version import-config help; do
  grep -q "^  $a\\b" out || missing="$missing $a"
done
if [ "$rc" = 0 ] && [ ! -s err ] && [ -z "$missing" ] && grep -q -- '--socket PATH' out; then
  ok "--help: every action and option, on stdout"
else
  not_ok "--help: every action and option, on stdout (missing:$missing)" 0
fi
expect "-h is --help" 0 "$(cat out)" "" -- "$ctl" -h
expect "help is --help" 0 "$(cat out)" "" -- "$ctl" help
expect "help ACTION" 0 "Usage: nfwallctl [OPTIONS] panic on|off|status

Drop all traffic (rules kept), or stop doing so." "" -- "$ctl" help panic
expect "ACTION --help" 0 "Usage: nfwallctl [OPTIONS] reload

Re-read settings and rules; keep the old on error." "" -- "$ctl" reload --help
expect "--version: the client only, no daemon needed" 0 "nfwallctl $version" "" -- "$ctl" --socket /nonexistent --version

expect_usage "no action" "nfwallctl: missing action" -- "$ctl"
expect_usage "only options" "nfwallctl: missing action" -- "$ctl" --socket /nonexistent
expect_usage "unknown action" "nfwallctl: unknown action 'bogus'" -- "$ctl" bogus
expect_usage "help of an unknown action" "nfwallctl: help: unknown action 'bogus'" -- "$ctl" help bogus
expect_usage "an argument to an action that takes none" "nfwallctl: reload: unexpected argument 'now'" -- "$ctl" reload now
expect_usage "status: an unknown option" "nfwallctl: status: unknown option '--bogus'" -- "$ctl" status --bogus
expect_usage "status: an unknown short option" "nfwallctl: status: unknown option '-q'" -- "$ctl" status -q
expect_usage "status: an operand" "nfwallctl: status: unexpected argument 'filter'" -- "$ctl" status filter
expect_usage "panic without on/off" "nfwallctl: panic: missing on, off or status" -- "$ctl" panic
expect_usage "panic with something else" "nfwallctl: panic: 'yes' is not on, off or status" -- "$ctl" panic yes
expect_usage "panic with two" "nfwallctl: panic: unexpected argument 'off'" -- "$ctl" panic on off
expect_usage "check -6 without a file" \
  "nfwallctl: check: -6 goes with a FILE; without one both configured files are checked" -- "$ctl" check -6
expect_usage "check of standard input" "nfwallctl: check: '-' is no file name; nfwalld reads the file itself" \
  -- "$ctl" check -
expect_usage "--timeout without a value" "nfwallctl: option '--timeout' needs an argument" -- "$ctl" --timeout
expect_usage "--timeout not a number" "nfwallctl: --timeout: 'soon' is not a number of seconds from 0 to 604800" \
  -- "$ctl" --timeout soon status
expect_usage "--timeout negative" "nfwallctl: --timeout: '-1' is not a number of seconds from 0 to 604800" \
  -- "$ctl" --timeout=-1 status
expect_usage "--socket empty" "nfwallctl: --socket: an empty socket path" -- "$ctl" --socket= status
long=/tmp/$(printf 'x%.0s' $(seq 120))
expect_usage "--socket too long for sun_path" "nfwallctl: --socket: the socket path is longer than 107 bytes" \
  -- "$ctl" --socket "$long" status
expect_usage "\$NFWALL_SOCKET too long" \
  "nfwallctl: \$NFWALL_SOCKET: the socket path is longer than 107 bytes" -- env NFWALL_SOCKET="$long" "$ctl" status
expect_usage "import-config without FILE" "nfwallctl: import-config: missing FILE" -- "$ctl" import-config

not_running="nfwallctl: nfwalld is not running: /nonexistent does not exist"
for action in stop reload restart save status "status --json" "panic on" "panic status" check "check /etc/hosts" \
              "-A INPUT -j ACCEPT" "-L"; do
  want=$not_running
  [ "$action" = restart ] && want="$want
nfwallctl: nfwalld loads the rules when it starts; start the service with 'systemctl start firewall'"
  # shellcheck disable=SC2086
  expect "no daemon: $action exits 3" 3 "" "$want" -- "$ctl" --socket /nonexistent $action
done
expect "no daemon: start says who starts nfwalld" 3 "" "$not_running
nfwallctl: nfwalld loads the rules when it starts; start the service with 'systemctl start firewall'" \
  -- "$ctl" --socket /nonexistent start
expect "no daemon: condrestart succeeds quietly (LSB)" 0 "" "" -- "$ctl" --socket /nonexistent condrestart
expect "no daemon: try-restart too" 0 "" "" -- "$ctl" --socket /nonexistent try-restart
expect "no daemon: version prints ours and says so" 3 "nfwallctl $version" "$not_running" \
  -- "$ctl" --socket /nonexistent version
expect "\$NFWALL_SOCKET names the socket" 3 "" "$not_running" -- env NFWALL_SOCKET=/nonexistent "$ctl" status
expect "--socket wins over \$NFWALL_SOCKET" 3 "" "nfwallctl: nfwalld is not running: /nonexistent2 does not exist" \
  -- env NFWALL_SOCKET=/nonexistent "$ctl" --socket=/nonexistent2 status
touch regular
expect "a socket path that is a regular file" 1 "" \
  "nfwallctl: Failed to connect to regular: Socket operation on non-socket" -- "$ctl" --socket regular status
fake silent
kill -9 "$fake_pid"
fake_done
expect "a socket nobody listens on (nfwalld killed)" 3 "" "nfwallctl: nfwalld is not running: sock has no listener" \
  -- "$ctl" --socket sock status

# not privileged: only where we can become someone else
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null &&
   setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$ctl" 2> /dev/null; then
  mkdir -m 0700 private
  fake reply 0
  mv sock private/sock
  expect "a socket we may not reach exits 4" 4 "" \
    "nfwallctl: Permission denied on $work/private/sock: only root and members of the settings' control_group may connect" \
    -- setpriv --reuid=65534 --regid=65534 --clear-groups "$ctl" --socket "$work/private/sock" status
  kill "$fake_pid" 2> /dev/null
  fake_done
else
  echo "ok - a socket we may not reach exits 4 # SKIP needs root, setpriv and a build nobody can execute"
fi

printf '%s\n' '# Load additional iptables modules' 'IPTABLES_MODULES="nf_conntrack_ftp"' \
  'IPTABLES_SAVE_ON_STOP="yes"' 'IPTABLES_STATUS_NUMERIC="no"' 'IPTABLES_RESTORE_WAIT=600' > iptables-config
"$ctl" import-config iptables-config > out 2> err
rc=$?
if [ "$rc" = 0 ] && grep -qx 'modules = \[ "nf_conntrack_ftp" \];' out && grep -qx 'save_on_stop = true;' out &&
   grep -qx 'status_numeric = false;' out && grep -q 'IPTABLES_RESTORE_WAIT' err; then
  ok "import-config converts a sample file, without a daemon"
else
  not_ok "import-config converts a sample file, without a daemon" 0
fi
cp out converted
expect "import-config -o writes the same atomically" 0 "" "$(cat err)" -- "$ctl" import-config iptables-config -o out.conf
if cmp -s converted out.conf; then ok "import-config -o: the same text"; else rc=1; not_ok "import-config -o: the same text" 0; fi
expect "import-config of a missing file" 1 "" "nfwallctl: missing-config: cannot read: No such file or directory" \
  -- "$ctl" import-config missing-config

# ---- against fake-nfwalld: the request on the wire, the reply on the terminal ----

fake reply 0 $'Firewall is running.\n'
expect "status: the reply's text on stdout, its status as ours" 0 "Firewall is running." "" -- "$ctl" --socket sock status
fake_done
expect_log "status: a bare request" "kind=0 command=status flags=0x0 args=0"

fake reply 0
"$ctl" --socket sock status -nvx --line-numbers --json > out 2> err
fake_done
expect_log "status -nvx --line-numbers --json: the flags" "kind=0 command=status flags=0x1f args=0"
fake reply 0
"$ctl" --socket sock status -n -v --line-numbers --no-numeric --no-verbose --no-line-numbers > out 2> err
fake_done
expect_log "status --no-*: the last of a pair wins" "kind=0 command=status flags=0xe0 args=0"
fake reply 0
"$ctl" --socket sock status --no-numeric -n > out 2> err
fake_done
expect_log "status --no-numeric -n: numeric" "kind=0 command=status flags=0x2 args=0"

for pair in start:start stop:stop restart:restart reload:reload condrestart:condrestart try-restart:condrestart \
            save:save version:version; do
  fake reply 0
  "$ctl" --socket sock "${pair%%:*}" > out 2> err
  fake_done
  expect_log "${pair%%:*} sends ${pair#*:}" "kind=0 command=${pair#*:} flags=0x0 args=0"
done

fake reply 0
"$ctl" --socket sock panic on > out 2> err
fake_done
expect_log "panic on: the argument" "kind=0 command=panic flags=0x0 args=1
arg=on"

mkdir -p sub
fake reply 0
"$ctl" --socket sock check sub/rules.v4 > out 2> err
fake_done
expect_log "check FILE: made absolute for the daemon" "kind=0 command=check flags=0x0 args=1
arg=$work/sub/rules.v4"
fake reply 0
"$ctl" --socket sock check sub/rules.v6 -6 > out 2> err
fake_done
expect_log "check -6 FILE: the IPv6 flag" "kind=0 command=check flags=0x100 args=1
arg=$work/sub/rules.v6"
fake reply 0
(cd / && "$ctl" --socket "$work/sock" check etc/nfwall/rules.v4 > "$work/out" 2> "$work/err")
fake_done
expect_log "check FILE from /: one slash" "kind=0 command=check flags=0x0 args=1
arg=/etc/nfwall/rules.v4"
fake reply 0
"$ctl" --socket sock check /a.v4 b.v4 > out 2> err
fake_done
expect_log "check FILE...: several files" "kind=0 command=check flags=0x0 args=2
arg=/a.v4
arg=$work/b.v4"
fake reply 0
"$ctl" --socket sock check > out 2> err
fake_done
expect_log "check: the configured files" "kind=0 command=check flags=0x0 args=0"

fake reply 2 ""
"$ctl" --socket sock -t nat -A POSTROUTING -o eth0 -j MASQUERADE --comment "two words" > out 2> err
rc=$?
fake_done
expect_log "an iptables command: argv as it is" "kind=0 command=iptables flags=0x0 args=10
arg=-t
arg=nat
arg=-A
arg=POSTROUTING
arg=-o
arg=eth0
arg=-j
arg=MASQUERADE
arg=--comment
arg=two words"
if [ "$rc" = 2 ]; then ok "an iptables command exits with the reply's status"; else not_ok "iptables command status" 2; fi
fake reply 0
"$ctl" --socket sock -6 -L > out 2> err
fake_done
expect_log "-6 -L: also an iptables command" "kind=0 command=iptables flags=0x0 args=2
arg=-6
arg=-L"
fake reply 0
"$ctl" --socket sock --timeout 5 --bogus > out 2> err
fake_done
expect_log "an unknown long option goes to nfwalld's grammar" "kind=0 command=iptables flags=0x0 args=1
arg=--bogus"

for status in 1 3 4 6; do
  fake reply "$status" "why $status"
  expect "the reply's status $status is ours" "$status" "why $status" "" -- "$ctl" --socket sock reload
  fake_done
done

fake diags 1
expect "diagnostics on stderr, rendered like the compiler's" 1 "Firewall rules are not changed." \
"/etc/nfwall/rules.v4:3:7: error: unknown option \"--bogus\"
line 9: warning: a warning
note: the old rules stay in force" -- "$ctl" --socket sock reload
fake_done

fake reply 0 $'nfwalld 9.9.9\n'
expect "version: ours, then the daemon's" 0 "nfwallctl $version
nfwalld 9.9.9" "" -- "$ctl" --socket sock version
fake_done

fake big 20000000
"$ctl" --socket sock status > out 2> err
rc=$?
fake_done
size=$(stat -c %s out)
if [ "$rc" = 0 ] && [ "$size" = 20000000 ] && [ ! -s err ]; then
  ok "a 20 MB reply arrives whole"
else
  not_ok "a 20 MB reply arrives whole (got $size bytes)" 0
fi

fake refuse 1 $'nfwalld: too many connections\n'
expect "an answer before the request was read (refused connection)" 1 "nfwalld: too many connections" "" \
  -- "$ctl" --socket sock status
fake_done

# ---- broken replies: exit 1 and a message that names the problem ----

fake malformed
expect "a payload that does not decode" 1 "" \
  "nfwallctl: Malformed reply from nfwalld: the 7-byte payload does not decode" -- "$ctl" --socket sock status
fake_done
fake version2
expect "another protocol version" 1 "" \
  "nfwallctl: nfwalld speaks protocol version 2, nfwallctl version 1: install matching versions of both" \
  -- "$ctl" --socket sock status
fake_done
fake huge
expect "a frame larger than the limit" 1 "" \
  "nfwallctl: Malformed reply from nfwalld: the frame announces more than 268435456 bytes" -- "$ctl" --socket sock status
fake_done
fake empty
expect "an empty frame" 1 "" "nfwallctl: Malformed reply from nfwalld: an empty frame" -- "$ctl" --socket sock status
fake_done
fake close
expect "no reply at all" 1 "" "nfwallctl: nfwalld closed the connection without a reply" -- "$ctl" --socket sock status
fake_done
fake cut
expect "a frame cut short" 1 "" \
  "nfwallctl: Malformed reply from nfwalld: the connection ended inside a 100-byte frame" -- "$ctl" --socket sock status
fake_done
fake request
expect "a request instead of a reply" 1 "" "nfwallctl: Malformed reply from nfwalld: a request, not a reply" \
  -- "$ctl" --socket sock status
fake_done
fake status300
expect "an exit status beyond 255" 1 "" "nfwallctl: Malformed reply from nfwalld: exit status 300 is out of range" \
  -- "$ctl" --socket sock status
fake_done
fake silent
start=$(date +%s)
expect "no reply within --timeout" 1 "" "nfwallctl: No reply from nfwalld within 1 s (see --timeout)" \
  -- "$ctl" --socket sock --timeout 1 status
took=$(($(date +%s) - start))
fake_done
if [ "$took" -le 5 ]; then ok "the timeout is kept ($took s)"; else rc=$took; not_ok "the timeout is kept" "<= 5 s"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
