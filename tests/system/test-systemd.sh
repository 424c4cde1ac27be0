#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test-systemd.sh SOURCE_ROOT BUILD_ROOT — firewall.service and
# /etc/init.d/firewall under a real systemd, end to end: nfwall is installed
# as the README says (meson setup --prefix=/usr, meson install) into a
# throwaway container that tests/system/sandbox.sh boots on this machine's
# root file system, and tests/system/in-container.sh drives it there with
# systemctl and service, proving every step with packets (its header lists
# the checks).
#
# The install needs the system layout (/usr/sbin, /etc/nfwall,
# /etc/init.d), which the build under test may not have (meson's default
# prefix is /usr/local): the same sources are configured once more with
# --prefix=/usr in BUILD_ROOT/system-layout, compiled (incremental after the
# first run) and installed with --destdir into the container's staging tree.
#
# Exit: 0 passed, 1 failed, 77 cannot run here (not root, no systemd-nspawn:
# tools/deps installs systemd-container; no overlayfs or cgroups).
set -euo pipefail
src=$(realpath "$1") build=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)

skip() { echo "1..0 # SKIP $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "not root"
command -v systemd-nspawn >/dev/null 2>&1 || skip "no systemd-nspawn (apt-get install systemd-container)"
command -v meson >/dev/null 2>&1 || skip "no meson on PATH"
command -v "${CC:-cc}" >/dev/null 2>&1 || skip "no C compiler for the probes"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nfwall-systemd.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# step DESCRIPTION COMMAND... — a preparation step; its output only when it fails
step() {
        local desc=$1
        shift
        if ! "$@" >"$tmp/step.log" 2>&1; then
                echo "Bail out! $desc failed:"
                sed 's/^/#   /' "$tmp/step.log"
                exit 1
        fi
        echo "# $desc"
}

layout=$build/system-layout
if [ ! -f "$layout/build.ninja" ]; then
        step "meson setup --prefix=/usr $layout" \
                meson setup --prefix=/usr -Dtests=disabled -Dfuzz=disabled "$layout" "$src"
fi
step "meson compile -C $layout" meson compile -C "$layout"
step "meson install --destdir (the container's staging tree)" \
        meson install -C "$layout" --no-rebuild --destdir "$tmp/stage"
# The packet tools, plain builds: the test's build may carry sanitizers.
mkdir -p "$tmp/stage/sandbox"
step "build probe and server" sh -c "
        ${CC:-cc} -std=gnu11 -D_GNU_SOURCE -O2 -o '$tmp/stage/sandbox/probe' '$src/tests/integration/probe.c' &&
        ${CC:-cc} -std=gnu11 -D_GNU_SOURCE -O2 -o '$tmp/stage/sandbox/server' '$src/tests/integration/server.c'"
install -m 0755 "$here/in-container.sh" "$tmp/stage/sandbox/in-container.sh"
install -m 0644 "$src/tests/integration/lib.sh" "$tmp/stage/sandbox/lib.sh"

echo "# booting the container"
start=$SECONDS
rc=0
"$here/sandbox.sh" --timeout 100 "$tmp/stage" "$tmp/out" -- /sandbox/in-container.sh || rc=$?
case $rc in
77) skip "the sandbox cannot run on this machine (see above)" ;;
0 | 1) ;;
*) echo "# the sandbox ended with status $rc" ;;
esac
[ -f "$tmp/out/test.log" ] && cat "$tmp/out/test.log"
echo "# container run: $((SECONDS - start))s"
if [ "$rc" != 0 ] && [ -f "$tmp/out/journal.txt" ]; then
        echo "# the container's journal, firewall.service and nfwalld:"
        grep -E 'firewall|nfwall' "$tmp/out/journal.txt" | tail -n 60 | sed 's/^/#   /'
fi
[ "$rc" = 0 ] && exit 0
exit 1
