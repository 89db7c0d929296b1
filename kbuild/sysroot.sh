#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# rkm: build core, compiler_builtins and alloc for the kernel target into DIR,
# once per flag set. Usage: sysroot.sh DIR RUSTC LIBSRC BUILTINS_RS FLAGS...
# RUSTC is a command line (rustc-kernel and the real rustc).
# Concurrent builds of the same DIR are serialised; DIR appears complete or not at all.
set -eu
dir=$1 rustc=$2 libsrc=$3 builtins=$4
shift 4
[ -f "$dir/liballoc.rlib" ] && exit 0
mkdir -p "$(dirname "$dir")"
exec 9>"$dir.lock"
flock 9
[ -f "$dir/liballoc.rlib" ] && exit 0
tmp=$dir.tmp.$$
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
echo "  RUSTC   core, alloc ($(basename "$dir"))" >&2
start=$(date +%s)
lib="-Zforce-unstable-if-unmarked -Ccodegen-units=1 --cfg no_fp_fmt_parse --edition 2024 --crate-type rlib --sysroot=/dev/null -L $tmp --cap-lints allow"
$rustc "$@" $lib --crate-name core -o "$tmp/libcore.rlib" "$libsrc/core/src/lib.rs"
$rustc "$@" $lib --crate-name compiler_builtins -o "$tmp/libcompiler_builtins.rlib" "$builtins"
$rustc "$@" $lib --crate-name alloc -o "$tmp/liballoc.rlib" "$libsrc/alloc/src/lib.rs"
echo "$(( $(date +%s) - start ))" > "$tmp/build-seconds"
printf '%s\n' "$@" > "$tmp/flags"
mv "$tmp" "$dir"
trap - EXIT
