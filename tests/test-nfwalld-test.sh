#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# nfwalld --test: exit codes, diagnostics and canonical print, exactly.
# Usage: test-nfwalld-test.sh NFWALLD
set -uo pipefail
nfwalld=$(readlink -f -- "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
passed=0 failed=0
expect() { # NAME WANT_RC WANT_STDOUT WANT_STDERR -- CMD...
  local name=$1 want_rc=$2 want_out=$3 want_err=$4
  shift 5
  "$@" > out 2> err
  local rc=$?
  if [ "$rc" = "$want_rc" ] && [ "$(cat out)" = "$want_out" ] && [ "$(cat err)" = "$want_err" ]; then
    echo "ok - $name"; passed=$((passed + 1))
  else
    echo "not ok - $name"; failed=$((failed + 1))
    echo "  rc $rc (want $want_rc)"; echo "  stdout:"; sed 's/^/    /' out; echo "  stderr:"; sed 's/^/    /' err
  fi
}

printf '%s\n' '*filter' ':INPUT DROP [0:0]' '-A INPUT -p tcp --dport 22 -j ACCEPT' '-A INPUT -s 10.1.2.3/8 -j DROP' 'COMMIT' > good.v4
printf '%s\n' '*filter' '-A INPUT -p tcp --dport 99999 -j ACCEPT' '-A INPUT -m recent --set' '-A INPUT -j NOPE' 'COMMIT' > bad.v4
printf '%s\n' '*filter' '-A INPUT -s 2001:db8::1/32 -p ipv6-icmp -j ACCEPT' 'COMMIT' > good.v6
printf '%s\n' '*nat' '-A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:1000-2000/1500' 'COMMIT' > uncompilable.v4

canon='*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
-A INPUT -s 10.0.0.0/8 -j DROP
COMMIT'

expect "valid file: exit 0, nothing printed" 0 "" "" -- "$nfwalld" --test --no-kernel good.v4
expect "valid file with --print: the canonical form" 0 "$canon" "" -- "$nfwalld" --test --no-kernel --print good.v4
expect "invalid file: exit 1, every error with file:line:column" 1 "" \
'bad.v4:2:25: error: --dport: "99999" is not a port from 0 to 65535
bad.v4:3:13: error: match "recent" is not supported by nfwall: it has no native nf_tables translation in nfwall
bad.v4:4:13: error: chain NOPE does not exist in table filter (and NOPE is no target nfwall knows)' \
  -- "$nfwalld" --test --no-kernel --print bad.v4
expect "-6 reads ip6tables syntax" 0 '*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -s 2001:db8::/32 -p ipv6-icmp -j ACCEPT
COMMIT' "" -- "$nfwalld" --test --no-kernel --print -6 good.v6
expect "an IPv6 file read as IPv4 fails at the address" 1 "" \
'good.v6:2:13: error: --source: "2001:db8::1" is not an IPv4 address (host names are not resolved)' \
  -- "$nfwalld" --test --no-kernel good.v6
expect "what nf_tables cannot express is found without the kernel" 1 "" \
'uncompilable.v4:2:25: error: DNAT'"'"'s base port ("/1500") has no nf_tables form: the nat expression has no register for it (Linux 6.18 has none); map the ports without it' \
  -- "$nfwalld" --test --no-kernel uncompilable.v4
# A rule's userdata holds 256 bytes: its comment and nfwall's tag (8 bytes
# for this rule), each with a 2-byte header, the comment with its NUL.
long_comment() { printf '%s\n' '*filter' "-A INPUT -p tcp --dport 25 -m comment --comment \"$(printf 'c%.0s' $(seq 1 "$1"))\" -j ACCEPT" 'COMMIT'; }
long_comment 243 > comment243.v4
long_comment 244 > comment244.v4
expect "the longest comment nf_tables has room for with this rule" 0 "" "" -- "$nfwalld" --test --no-kernel comment243.v4
expect "one character more: refused at its line" 1 "" \
  'comment244.v4:2:1: error: the comment is too long for nf_tables (at most 243 characters with this rule)' \
  -- "$nfwalld" --test --no-kernel comment244.v4
expect "a missing file" 1 "" 'missing.v4: error: cannot open: No such file or directory' \
  -- "$nfwalld" --test --no-kernel missing.v4
expect "--print without --test is a usage error" 2 "" 'nfwalld: --print, --counters, --no-kernel, -6 and FILE go with --test' \
  -- "$nfwalld" --print
expect "an unknown option is a usage error" 2 "" "$nfwalld: unrecognized option '--bogus'" -- "$nfwalld" --bogus
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
