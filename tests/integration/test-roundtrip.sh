#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Round trip through the kernel: for every ruleset, apply → dump →
# decompile → print must equal the canonical print of the input
# (nfwalld --test --print). Rulesets: the golden files that have a .save,
# and the real-world rulesets that real-world.expect says parse. Each runs in
# a network namespace of its own.
#
# Rulesets listed in roundtrip-unloadable (beside this script) must instead
# be refused: they hold rules nf_tables cannot express.
#
# Usage: test-roundtrip.sh NFWALLD NFWALL_LOAD GOLDEN_DIR EXPECT_FILE [REALWORLD_DIR]
set -uo pipefail
nfwalld=$(readlink -f -- "$1") load=$(readlink -f -- "$2") golden=$3 expect=$4
realworld=${5:-${NFWALL_REALWORLD_DIR:-}}
unloadable=$(dirname "$(readlink -f -- "${BASH_SOURCE[0]}")")/roundtrip-unloadable

if [ "$(id -u)" -ne 0 ]; then
  echo "not root: cannot make network namespaces; skipped"
  exit 77
fi
ns=nfwall-rt-$$
if ! ip netns add "$ns" 2>/dev/null; then
  echo "cannot make a network namespace; skipped"
  exit 77
fi
work=$(mktemp -d)
trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$work"' EXIT

passed=0 failed=0 rules=0 refused=0
check() { # FILE FAMILY-FLAG NAME
  local file=$1 fam=$2 name=$3
  if grep -q "^$name[[:space:]]" "$unloadable"; then
    if ip netns exec "$ns" "$nfwalld" --test $fam "$file" >/dev/null 2>&1; then
      echo "not ok - $name: listed as unloadable, but it loads"; failed=$((failed + 1))
    else
      echo "ok - $name: refused, as listed"; refused=$((refused + 1)); passed=$((passed + 1))
    fi
    return
  fi
  ip netns exec "$ns" "$load" flush >/dev/null 2>&1
  ip netns exec "$ns" "$load" flush -6 >/dev/null 2>&1
  if ! ip netns exec "$ns" "$nfwalld" --test --print $fam "$file" > "$work/want" 2> "$work/err"; then
    echo "not ok - $name: does not parse"; sed 's/^/    /' "$work/err"; failed=$((failed + 1)); return
  fi
  if ! ip netns exec "$ns" "$load" apply $fam "$file" 2> "$work/err"; then
    echo "not ok - $name: the kernel load failed"; sed 's/^/    /' "$work/err" | head -20; failed=$((failed + 1)); return
  fi
  if ! ip netns exec "$ns" "$load" save $fam > "$work/got" 2> "$work/err"; then
    echo "not ok - $name: save failed"; sed 's/^/    /' "$work/err"; failed=$((failed + 1)); return
  fi
  if [ -s "$work/err" ]; then
    echo "not ok - $name: decompile warnings"; sed 's/^/    /' "$work/err" | head -20; failed=$((failed + 1)); return
  fi
  if ! diff -u "$work/want" "$work/got" > "$work/diff"; then
    echo "not ok - $name: the kernel's ruleset differs"; head -40 "$work/diff" | sed 's/^/    /'; failed=$((failed + 1)); return
  fi
  rules=$((rules + $(grep -c '^-A ' "$work/want")))
  echo "ok - $name"
  passed=$((passed + 1))
}

for f in "$golden"/*.v4 "$golden"/*.v6; do
  [ -f "$f.save" ] || continue
  case $f in *.v6) fam=-6 ;; *) fam= ;; esac
  check "$f" "$fam" "golden/$(basename "$f")"
done

if [ -n "$realworld" ] && [ -d "$realworld" ]; then
  while read -r file verdict _; do
    case $file in '#'* | '') continue ;; esac
    [ "$verdict" = ok ] || continue
    case $file in *.ip6.*) fam=-6 ;; *) fam= ;; esac
    check "$realworld/$file" "$fam" "real-world/$file"
  done < "$expect"
else
  echo "# no real-world rulesets (NFWALL_REALWORLD_DIR): only the golden files"
fi

echo "# $rules rules round-tripped through the kernel; $refused rulesets refused as listed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
