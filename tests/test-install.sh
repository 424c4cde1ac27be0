#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test-install.sh BUILDDIR SBINDIR SYSCONFDIR LIBEXECDIR UNITDIR MANDIR man|noman
# BASHCOMPLETIONDIR SYSUSERSDIR TMPFILESDIR DOCDIR — `meson
# install --destdir` of this build into a temporary directory lays out the
# system: exactly the expected files, with their modes; a second install
# keeps a settings or rules file the administrator changed and puts the new
# default next to it as FILE.new. The directories are absolute install paths.
# Exit: 0 passed, 1 failed, 77 no meson on PATH.
set -u
build=$(realpath "$1") sbindir=$2 sysconfdir=$3 libexecdir=$4 unitdir=$5 mandir=$6 man=$7
completiondir=$8 sysusersdir=$9 tmpfilesdir=${10} docdir=${11}
command -v meson >/dev/null 2>&1 || { echo "1..0 # SKIP no meson on PATH"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nfwall-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fail=1; echo "not ok $n - $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/#   /'; }

inst() { meson install -C "$build" --no-rebuild --quiet --destdir "$tmp/root" >"$tmp/log" 2>&1; }
if inst; then ok "meson install --destdir"; else not_ok "meson install --destdir" "$(cat "$tmp/log")"; fi

# man pages are installed only when scdoc was found: not part of the list
actual=$(cd "$tmp/root" && find . \( -type f -o -type l \) ! -path '*/share/man/*' -printf '%m %p\n' | sed 's| \./| /|' | sort)
expected=$(sort <<EOL
755 $sbindir/nfwalld
755 $sbindir/nfwallctl
644 $sysconfdir/nfwall/nfwall.conf
644 $sysconfdir/nfwall/rules.v4
644 $sysconfdir/nfwall/rules.v6
644 $unitdir/firewall.service
755 $sysconfdir/init.d/firewall
755 $libexecdir/initscripts/legacy-actions/firewall/save
755 $libexecdir/initscripts/legacy-actions/firewall/panic
644 $completiondir/nfwallctl
644 $sysusersdir/nfwall.conf
644 $tmpfilesdir/nfwall.conf
644 $docdir/README.md
644 $docdir/architecture.md
644 $docdir/protocol.md
644 $docdir/performance.md
EOL
)
if [ "$actual" = "$expected" ]; then
        ok "installed files"
else
        not_ok "installed files" "$(diff <(echo "$expected") <(echo "$actual"))"
fi
unit=$tmp/root$unitdir/firewall.service
if [ "$man" = man ]; then
        for p in man8/nfwalld.8 man8/nfwallctl.8 man5/nfwall.conf.5; do
                [ -s "$tmp/root$mandir/$p" ] && ok "man page $p" || not_ok "man page $p"
        done
fi
grep -q "^ExecStart=$sbindir/nfwalld\$" "$unit" && ok "unit: ExecStart names the installed nfwalld" \
        || not_ok "unit: ExecStart names the installed nfwalld" "$(grep ^Exec "$unit")"
grep -q "^ReadWritePaths=$sysconfdir/nfwall\$" "$unit" && ok "unit: ReadWritePaths is the settings directory" \
        || not_ok "unit: ReadWritePaths is the settings directory"
grep -qx "d $sysconfdir/nfwall 0770 root nfwall -" "$tmp/root$tmpfilesdir/nfwall.conf" \
        && ok "tmpfiles: the settings directory, group nfwall" || not_ok "tmpfiles: the settings directory, group nfwall"
grep -qx 'u nfwall - "nfwall host firewall" - -' "$tmp/root$sysusersdir/nfwall.conf" \
        && ok "sysusers: the user nfwall" || not_ok "sysusers: the user nfwall"
grep -q "^NFWALLD=\${NFWALLD:-$sbindir/nfwalld}\$" "$tmp/root$sysconfdir/init.d/firewall" \
        && ok "init script: the installed nfwalld" || not_ok "init script: the installed nfwalld"
grep -qx "exec $sysconfdir/init.d/firewall save" "$tmp/root$libexecdir/initscripts/legacy-actions/firewall/save" \
        && ok "legacy action save: the installed init script" || not_ok "legacy action save: the installed init script"

# upgrade: an edited file stays; the new default goes to .new; unchanged files are replaced quietly
conf=$tmp/root$sysconfdir/nfwall
echo "-A INPUT -p tcp --dport 443 -j ACCEPT # admin" >> "$conf/rules.v4"
cp "$conf/rules.v4" "$tmp/edited"
if inst; then ok "second meson install"; else not_ok "second meson install" "$(cat "$tmp/log")"; fi
cmp -s "$conf/rules.v4" "$tmp/edited" && ok "upgrade keeps the edited rules.v4" || not_ok "upgrade keeps the edited rules.v4"
[ -f "$conf/rules.v4.new" ] && ! grep -q '# admin' "$conf/rules.v4.new" && ok "upgrade: the new default in rules.v4.new" \
        || not_ok "upgrade: the new default in rules.v4.new"
[ ! -e "$conf/nfwall.conf.new" ] && ok "upgrade: no nfwall.conf.new for an unchanged file" \
        || not_ok "upgrade: no nfwall.conf.new for an unchanged file"
echo "1..$n"
exit $fail
