#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# rkm: a fabricated kernel for the profile and DKMS tests: a copy of a
# kernel's headers (KDIR) under another release, with configuration options
# changed and exports removed. Modules build against it as against the
# original; nothing boots it.
#   tests/dkms/fake-kdir.sh KDIR OUT RELEASE [CONFIG_X=VALUE | CONFIG_X=n | -SYMBOL | -PREFIX*]...
# CONFIG_X=VALUE sets an option in include/config/auto.conf (what make reads)
# and include/generated/autoconf.h (what C reads), CONFIG_X=n removes it;
# -SYMBOL drops that export from Module.symvers (-PREFIX* every one so named).
set -eu
src=$1 out=$2 rel=$3
shift 3
[ -f "$src/include/config/auto.conf" ] || { echo "fake-kdir: $src is not a kernel build directory" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$(dirname "$out")"
cp -a "$src" "$out"
# Debian's headers link scripts/ and tools/ relatively: point them at the originals.
for l in "$out"/*; do
	if [ -L "$l" ]; then ln -sfn "$(readlink -f "$src/${l##*/}")" "$l"; fi
done
conf=$out/include/config/auto.conf hdr=$out/include/generated/autoconf.h
sed -i "s/^#define UTS_RELEASE .*/#define UTS_RELEASE \"$rel\"/" "$out/include/generated/utsrelease.h"
for a; do
	case $a in
	CONFIG_*=*)
		o=${a%%=*} v=${a#*=}
		sed -i "/^$o=/d" "$conf"
		sed -i "/^#define $o /d" "$hdr"
		[ "$v" = n ] && continue
		echo "$a" >>"$conf"
		[ "$v" = y ] && v=1
		echo "#define $o $v" >>"$hdr" ;;
	-*\*)
		p=${a#-}
		awk -v p="${p%\*}" 'index($2, p) != 1' "$out/Module.symvers" >"$out/Module.symvers.new" ;;
	-*)
		awk -v s="${a#-}" '$2 != s' "$out/Module.symvers" >"$out/Module.symvers.new" ;;
	*)
		echo "fake-kdir: bad argument '$a'" >&2; exit 1 ;;
	esac
	[ ! -f "$out/Module.symvers.new" ] || mv "$out/Module.symvers.new" "$out/Module.symvers"
done
