#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# sandbox.sh — boots a throwaway, real systemd (systemd-nspawn --boot) on this
# machine's root file system and runs one command in it, for the end-to-end
# tests of firewall.service (tests/system/test-systemd.sh).
#
#   sandbox.sh [--timeout SEC] STAGE OUT -- COMMAND [ARG...]
#
#   STAGE    a directory tree laid over the container's root before it boots
#            (a `meson install --destdir` and the test's own files)
#   OUT      an empty directory, bound to /sandbox-out inside; gets rc,
#            test.log (COMMAND's output), journal.txt and console.log
#   COMMAND  runs as root once the boot has finished, as a service of the
#            container's systemd, with SANDBOX_OUT=/sandbox-out
#
# Isolation: the container has its own PID, mount, UTS, IPC, cgroup and
# network namespaces (only lo inside: tests make their own veth pairs). Its
# root is an overlay: this machine's / read-only below, a tmpfs above, so
# everything written inside (the installed files, the journal, saved rules)
# is gone at the end. The host's firewall, network and /run are never
# touched: every mount is made in a private mount namespace, the container
# boots its own target (basic.target and the runner, not the host's
# multi-user.target), and the processes run in a cgroup of our own, which is
# emptied by pid and removed at the end, also after a timeout or a signal.
#
# Cgroup: on a host whose PID 1 is systemd, systemd-run --scope with
# Delegate=yes gives nspawn a subtree it may manage; elsewhere (CI
# containers, VMs with another init) we make the cgroup ourselves, under the
# cgroup2 root or the name=systemd v1 hierarchy. Either way nspawn runs with
# --keep-unit --register=no: it needs neither D-Bus nor systemd-machined.
#
# Exit: COMMAND's status; 77 this machine cannot run the sandbox (not root,
# no systemd-nspawn, no overlayfs, no writable cgroup); 124 time limit;
# 125 the sandbox failed (boot, setup); 130/143 interrupted.
set -euo pipefail

timeout_s=90
boot_timeout_s=45
while [ $# -gt 0 ]; do
        case $1 in
        --timeout) timeout_s=$2; shift 2 ;;
        --) shift; break ;;
        -*) echo "sandbox.sh: unknown option $1" >&2; exit 125 ;;
        *) break ;;
        esac
done
if [ $# -lt 4 ] || [ "$3" != -- ]; then
        echo "usage: sandbox.sh [--timeout SEC] STAGE OUT -- COMMAND [ARG...]" >&2
        exit 125
fi
stage=$1 out=$2
shift 3

say() { printf '# sandbox: %s\n' "$*" >&2; }
skip() { say "cannot run here: $*"; exit 77; }
fail() { say "error: $*"; exit 125; }

[ "$(id -u)" = 0 ] || skip "not root"
command -v systemd-nspawn >/dev/null 2>&1 || skip "no systemd-nspawn (apt-get install systemd-container)"
for t in unshare timeout tar mount; do
        command -v "$t" >/dev/null 2>&1 || skip "no $t"
done
[ -x /lib/systemd/systemd ] || [ -x /usr/lib/systemd/systemd ] || skip "no systemd in this root file system"
# Loading overlayfs is the one change we make to the host: a module, no state.
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || true
grep -qw overlay /proc/filesystems || skip "the kernel has no overlayfs"
[ -d "$stage" ] || fail "no stage directory $stage"
mkdir -p "$out"
[ -z "$(ls -A "$out")" ] || fail "$out is not empty"
stage=$(realpath -e "$stage") out=$(realpath -e "$out")
[[ $out != *:* ]] || fail "the output path must not contain ':' (nspawn --bind)"

work=$(mktemp -d "${TMPDIR:-/tmp}/nfwall-sandbox.XXXXXX")
name="nfwall-sbx-$$-$RANDOM"
cg_dirs=()
scope=
job=
cleaned=0

# --- cgroup -------------------------------------------------------------
if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1; then
        scope="$name.scope"
else
        case $(stat -fc %T /sys/fs/cgroup 2>/dev/null) in
        cgroup2fs) cg_dirs=("/sys/fs/cgroup/$name") ;;
        tmpfs)
                [ "$(stat -fc %T /sys/fs/cgroup/systemd 2>/dev/null)" = cgroupfs ] ||
                        skip "cgroup v1 without a name=systemd hierarchy"
                cg_dirs=("/sys/fs/cgroup/systemd/$name")
                [ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] &&
                        cg_dirs+=("/sys/fs/cgroup/unified/$name")
                ;;
        *) skip "no cgroup file system at /sys/fs/cgroup" ;;
        esac
fi

cg_pids() {
        [ ${#cg_dirs[@]} -gt 0 ] && [ -d "${cg_dirs[0]}" ] || return 0
        find "${cg_dirs[0]}" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -un
}

# Ends what is left of the container: its PID 1 first (that ends its whole
# PID namespace), then, by pid, anything else in our cgroup.
kill_leftovers() {
        local p pids
        if [ -n "$scope" ]; then
                systemctl kill --signal=KILL "$scope" >/dev/null 2>&1 || true
                for _ in $(seq 1 50); do
                        systemctl is-active --quiet "$scope" 2>/dev/null || return 0
                        sleep 0.1
                done
                return 0
        fi
        pids=$(cg_pids)
        [ -n "$pids" ] || return 0
        # shellcheck disable=SC2086 # one pid per word
        say "ending leftover processes: $(printf '%s ' $pids)"
        for p in $pids; do
                grep -qE '^NSpid:.*[[:space:]]1$' "/proc/$p/status" 2>/dev/null && kill -KILL "$p" 2>/dev/null
        done
        for _ in $(seq 1 50); do
                pids=$(cg_pids)
                [ -n "$pids" ] || return 0
                for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done
                sleep 0.1
        done
        say "warning: processes still left in ${cg_dirs[0]}"
}

# shellcheck disable=SC2317 # called from the traps
cleanup() {
        local d
        [ "$cleaned" = 1 ] && return 0
        cleaned=1
        set +e
        if [ -n "$job" ] && kill -0 "$job" 2>/dev/null; then
                # timeout(1) passes SIGTERM on to nspawn, which halts the container
                [ -s "$work/timeout.pid" ] && kill -TERM "$(cat "$work/timeout.pid")" 2>/dev/null
                for _ in $(seq 1 100); do kill -0 "$job" 2>/dev/null || break; sleep 0.1; done
        fi
        kill_leftovers
        [ -n "$job" ] && wait "$job" 2>/dev/null
        for d in "${cg_dirs[@]}"; do
                [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
                [ -d "$d" ] && say "warning: could not remove cgroup $d"
        done
        if grep -qF " $work/" /proc/self/mountinfo; then
                say "warning: something is mounted under $work; not removing it"
        else
                rm -rf --one-file-system -- "$work"
        fi
}
trap cleanup EXIT
trap 'say interrupted; cleanup; exit 130' INT
trap 'say terminated; cleanup; exit 143' TERM HUP

# --- the container's own files ------------------------------------------
mkdir -p "$work/lower" "$work/merged" "$work/scratch" "$work/own/sandbox" "$work/own/etc/systemd/system"
{
        printf '#!/bin/bash\nexec'
        printf ' %q' "$@"
        printf '\n'
} > "$work/own/sandbox/command"
cmd_timeout=$((timeout_s - 15))
[ "$cmd_timeout" -ge 10 ] || fail "--timeout must be at least 25"
# The runner: waits for the boot to end, runs the command, hands its status
# to nspawn through `systemctl exit`.
cat > "$work/own/sandbox/runner" <<EOF
#!/bin/bash
state=\$(timeout 30 systemctl is-system-running --wait 2>/dev/null)
echo "# sandbox: booted, system state \${state:-unknown}"
[ "\$state" = running ] || systemctl list-units --failed --no-legend --plain --no-pager | sed 's/^/# sandbox: failed unit: /'
touch /sandbox-out/.booted
export SANDBOX_OUT=/sandbox-out
cd /sandbox
timeout -k 5 $cmd_timeout /sandbox/command > /sandbox-out/test.log 2>&1 < /dev/null
rc=\$?
journalctl -b --no-pager -o short-precise > /sandbox-out/journal.txt 2>&1
echo "\$rc" > /sandbox-out/rc
sync
systemctl --no-block exit "\$rc" || kill -s SIGRTMIN+4 1
EOF
chmod 0755 "$work/own/sandbox/command" "$work/own/sandbox/runner"
cat > "$work/own/etc/systemd/system/sandbox.target" <<'EOF'
[Unit]
Description=nfwall sandbox: basic.target and the test runner only
Requires=basic.target
After=basic.target
Wants=sandbox-runner.service
AllowIsolate=yes
EOF
cat > "$work/own/etc/systemd/system/sandbox-runner.service" <<'EOF'
[Unit]
Description=nfwall sandbox: the test command
After=basic.target

[Service]
Type=exec
ExecStart=/sandbox/runner
StandardInput=null
StandardOutput=tty
StandardError=inherit
TTYPath=/dev/console
TTYReset=no
TTYVHangup=no
TimeoutStopSec=10
EOF

# --- boot ---------------------------------------------------------------
# Runs in a private mount namespace (unshare): the tmpfs /run, the overlay and
# its tmpfs exist only there and vanish with it. `mount -n`: no libmount
# state written to the host's /run.
# shellcheck disable=SC2016 # expanded by the inner shell
inner='
set -eu
mount -n -t tmpfs -o mode=0755,nosuid,nodev sandbox-run /run
mount -n -t tmpfs -o mode=0700,size=1G sandbox-scratch "$SB_WORK/scratch"
mkdir "$SB_WORK/scratch/upper" "$SB_WORK/scratch/work"
mount -n --bind / "$SB_WORK/lower"
mount -n -o remount,bind,ro "$SB_WORK/lower"
mount -n -t overlay sandbox-root \
        -o "lowerdir=$SB_WORK/lower,upperdir=$SB_WORK/scratch/upper,workdir=$SB_WORK/scratch/work" "$SB_WORK/merged"
for d in "$SB_STAGE" "$SB_WORK/own"; do
        tar -C "$d" --owner=0 --group=0 --numeric-owner -cf - . |
                tar -C "$SB_WORK/merged" -xpf - --no-overwrite-dir --keep-directory-symlink
done
exec systemd-nspawn "$@"
'
nspawn=(--quiet --boot --directory="$work/merged" --machine="$name"
        --register=no --keep-unit --link-journal=no --private-network
        --resolv-conf=off --timezone=off --console=read-only
        --drop-capability=CAP_MKNOD --setenv=SYSTEMD_COLORS=0
        --bind="$out:/sandbox-out"
        -- systemd.unit=sandbox.target)
export SB_WORK="$work" SB_STAGE="$stage"
for d in "${cg_dirs[@]}"; do mkdir "$d" || skip "cannot create the cgroup $d"; done

start=$SECONDS
(
        launcher=()
        if [ -n "$scope" ]; then
                launcher=(systemd-run --quiet --scope --collect --unit="$scope" -p Delegate=yes --)
        else
                for d in "${cg_dirs[@]}"; do echo "$BASHPID" > "$d/cgroup.procs"; done
        fi
        "${launcher[@]}" timeout --kill-after=15 "$timeout_s" \
                unshare --mount --propagation private -- bash -c "$inner" sandbox-inner "${nspawn[@]}" &
        echo $! > "$work/timeout.pid"
        wait $!
) < /dev/null > "$out/console.log" 2>&1 &
job=$!

# Watch: the boot must reach the runner in time; after the command's result
# the container must go down by itself soon.
halt_at=
while kill -0 "$job" 2>/dev/null; do
        if [ -z "$halt_at" ]; then
                if [ ! -e "$out/.booted" ] && [ $((SECONDS - start)) -ge "$boot_timeout_s" ]; then
                        say "the container did not boot within ${boot_timeout_s}s"
                        halt_at=$SECONDS
                elif [ -e "$out/rc" ] && [ -z "${rc_at:-}" ]; then
                        rc_at=$SECONDS
                elif [ -n "${rc_at:-}" ] && [ $((SECONDS - rc_at)) -ge 20 ]; then
                        say "the container did not shut down after the command"
                        halt_at=$SECONDS
                fi
                [ -n "$halt_at" ] && [ -s "$work/timeout.pid" ] && kill -TERM "$(cat "$work/timeout.pid")" 2>/dev/null
        elif [ $((SECONDS - halt_at)) -ge 15 ]; then
                kill_leftovers
                halt_at=$((SECONDS + 3600))
        fi
        sleep 0.2
done
nspawn_rc=0
wait "$job" || nspawn_rc=$?
job=
elapsed=$((SECONDS - start))

if [ -s "$out/rc" ]; then
        rc=$(cat "$out/rc")
        [[ $rc =~ ^[0-9]+$ ]] || rc=125
        say "the command exited $rc; container up ${elapsed}s"
elif [ "$elapsed" -ge "$timeout_s" ]; then
        say "time limit (${timeout_s}s) reached"
        rc=124
else
        say "no result from the container (nspawn exit $nspawn_rc); console:"
        sed 's/^/#   /' "$out/console.log" >&2
        rc=125
fi
rm -f "$out/.booted"
exit "$rc"
