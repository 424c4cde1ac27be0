#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# apply-sysusers-tmpfiles.sh SYSUSERS TMPFILES — meson's install script for
# the user nfwall and the ownership of the settings directory: on a real
# install (no DESTDIR) run systemd-sysusers and systemd-tmpfiles --create on
# the installed snippets, as a package's postinst does, so that
# `systemctl start firewall` works right after `meson install`. A DESTDIR
# install (packaging) leaves that to the package's scripts.
set -eu
sysusers=$1 tmpfiles=$2
destdir=${MESON_INSTALL_DESTDIR_PREFIX%"$MESON_INSTALL_PREFIX"}
if [ -n "$destdir" ]; then
        echo "DESTDIR install: run systemd-sysusers $sysusers and systemd-tmpfiles --create $tmpfiles on the target"
        exit 0
fi
if ! command -v systemd-sysusers >/dev/null 2>&1 || ! command -v systemd-tmpfiles >/dev/null 2>&1; then
        echo "no systemd-sysusers/systemd-tmpfiles: the user nfwall is not created (the init script runs nfwalld as root)"
        exit 0
fi
systemd-sysusers "$sysusers"
systemd-tmpfiles --create "$tmpfiles"
echo "Created the user nfwall and applied $tmpfiles"
