#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# rkm: build the debug kernel of the matrix from Debian's linux-source-6.12:
# tinyconfig plus tools/debug-kernel.config (what the harness and samples
# need, the stock mitigations, and the kernel's memory-safety and locking
# checkers). Called by `tools/setup.sh --debug`.
#
#   debug-kernel.sh SOURCE_TARBALL CACHE_DIR
#
# Prints the matrix line "debug RELEASE BZIMAGE BUILD_DIR". The build is
# cached in CACHE_DIR/debug-<hash of the tarball's name and size and the
# config fragment>: changing the fragment rebuilds it, nothing else does.
set -eu

tarball=$1
cache=$2
fragment=$(cd "$(dirname "$0")" && pwd)/debug-kernel.config
die() { echo "rkm setup: $*" >&2; exit 1; }
[ -r "$tarball" ] || die "no kernel source at $tarball: apt-get install linux-source-6.12"
[ -r "$fragment" ] || die "no $fragment"

key=$(printf '%s %s\n' "$(basename "$tarball")" "$(stat -c %s "$tarball")" |
	cat - "$fragment" | sha256sum | cut -c1-12)
dir=$cache/debug-$key
line() { echo "debug $(cat "$dir/.rkm-release") $dir/arch/x86/boot/bzImage $dir"; }
if [ -f "$dir/.rkm-built" ]; then
	line
	exit 0
fi

mkdir -p "$cache"
exec 9>"$dir.lock"
flock 9
if [ ! -f "$dir/.rkm-built" ]; then
	start=$(date +%s)
	echo "rkm setup: building the debug kernel in $dir (about 6 minutes on 2 cores, once)" >&2
	rm -rf "$dir"
	mkdir -p "$dir"
	tar -xJf "$tarball" -C "$dir" --strip-components=1
	cd "$dir"
	make -s tinyconfig >/dev/null
	# Later assignments win in a .config: the fragment overrides tinyconfig.
	grep -v '^#' "$fragment" | grep . >> .config
	grep '^# CONFIG_.* is not set$' "$fragment" >> .config
	make -s olddefconfig >/dev/null 2>&1
	# olddefconfig silently drops what it cannot satisfy.
	for opt in $(sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=y$/\1/p' "$fragment"); do
		grep -qx "$opt=y" .config || die "debug kernel config: $opt=y did not survive olddefconfig"
	done
	make -s -j"$(nproc)" bzImage modules >build.log 2>&1 ||
		{ tail -n 30 build.log >&2; die "debug kernel build failed (log: $dir/build.log)"; }
	echo "$(($(date +%s) - start))" > .rkm-build-seconds
	make -s kernelrelease > .rkm-release
	touch .rkm-built
	echo "rkm setup: debug kernel $(cat .rkm-release) built in $(cat .rkm-build-seconds) s" >&2
fi
line
