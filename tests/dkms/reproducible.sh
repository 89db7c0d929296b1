#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# rkm: reproducible builds: the same tree in two checkout directories of
# different names and lengths gives byte-identical objects, module and DKMS
# package (as a tarball with fixed order, owners and times).
#   tests/dkms/reproducible.sh [SAMPLE [KERNEL]]   (default: rust_echo 6.12)
# The checkouts are copies of this tree's files (tracked and untracked, not
# ignored), so uncommitted changes are tested too. The second uses a cache
# of its own path whose core/alloc builds are the first's (links): the
# sysroot's path must not be recorded either.
set -eu
cd "$(dirname "$0")/../.."
s=${1:-rust_echo} k=${2:-6.12}
t=$PWD/build/selftest/repro
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$t"
mkdir -p "$t"
real=${RKM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rkm}
for d in a checkout-b; do
	mkdir "$t/$d"
	if [ $d = checkout-b ]; then
		mkdir "$t/cache-b"
		cp "$real/kernels" "$t/cache-b/"
		for c in "$real"/sysroot-*; do
			if [ -f "$c/liballoc.rlib" ]; then ln -s "$c" "$t/cache-b/"; fi
		done
		export RKM_CACHE=$t/cache-b
	fi
	git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -xf - -C "$t/$d"
	make -s -C "$t/$d" build/bin/rkm >/dev/null
	"$t/$d/build/bin/rkm" build "$t/$d/samples/$s" --kernel "$k" >"$t/$d.log" ||
		{ cat "$t/$d.log"; fail "$s does not build in $t/$d"; }
	"$t/$d/build/bin/rkm" dkms "$t/$d/samples/$s" --kernel "$k" --out "$t/$d/pkg" >>"$t/$d.log" ||
		{ cat "$t/$d.log"; fail "no package of $s in $t/$d"; }
	tar -C "$t/$d" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$t/$d/pkg.tar" pkg
done
n=0
for f in samples/$s/build/$k/$s-rust.o samples/$s/build/$k/rkm-glue.o samples/$s/build/$k/$s.mod.o \
	 samples/$s/build/$k/$s.ko pkg.tar; do
	cmp "$t/a/$f" "$t/checkout-b/$f" || fail "$f differs between the checkouts"
	grep -qaF "$t/" "$t/a/$f" && fail "$f names its checkout $t/a"
	echo "ok identical: $f sha256 $(sha256sum <"$t/a/$f" | cut -c1-16)"
	n=$((n + 1))
done
echo "reproducible: $n files identical in two checkouts"
rm -rf "$t"
