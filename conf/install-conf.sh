#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# install-conf.sh DIR FILE... — meson's install script for the settings and
# rules: FILE goes to $DESTDIR/DIR/FILE unless a file is already there. An
# existing file that differs from the new default is left alone (the
# administrator's edits, or rules saved by `nfwallctl save`), and the new
# default goes next to it as FILE.new (mode 0644), as rpm's .rpmnew.
set -eu
dir=$1; shift
destdir=${MESON_INSTALL_DESTDIR_PREFIX%"$MESON_INSTALL_PREFIX"}
target=$destdir$dir
mkdir -p "$target"
for f in "$@"; do
        name=$(basename "$f")
        if [ ! -e "$target/$name" ]; then
                install -m 0644 "$f" "$target/$name"
                echo "Installing $f to $target"
        elif cmp -s "$f" "$target/$name"; then
                echo "Up to date: $target/$name"
        else
                install -m 0644 "$f" "$target/$name.new"
                echo "Kept $target/$name (changed); the new default is $target/$name.new"
        fi
done
