#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# rkm: which kernels a DKMS package serves, on fabricated user kernels
# (copies of the 6.12 headers made by tests/dkms/fake-kdir.sh, named with
# `rkm kernels add`; nothing boots):
#   tests/dkms/profiles.sh
# - without retpoline: a package made for 6.12 alone is refused from the
#   profiles, for rust_minimal (its object calls a retpoline thunk) and
#   rust_echo (its object calls none) alike, with the command that makes a
#   package for it; a package for every kernel known (`rkm dkms DIR`) ships
#   a second object for it, and the package's Kbuild links it there;
# - same profile, one export missing: says which symbol, that rebuilding
#   cannot help, and which kernels export it;
# - clang kCFI: refused by `rkm dkms` (the build) and by the package's
#   install-time check, with the reason.
# Every verdict is printed; the suite (tests/selftest.c) matches them.
set -eu
cd "$(dirname "$0")/../.."
rkm=$PWD/build/bin/rkm t=$PWD/build/selftest/profiles
fail() { echo "FAIL: $*"; exit 1; }

# The headers of the matrix's 6.12 kernel (column HEADERS).
kdir=$("$rkm" kernels 6.12 | awk 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i } NR == 2 { print $c["HEADERS"] }')

# A cache of its own (the real matrix, the fabricated kernels as user
# kernels) that reuses the real cache's core/alloc builds.
real=${RKM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rkm}
mkdir -p "$t/cache"
cp "$real/kernels" "$t/cache/kernels"
rm -f "$t/cache/user-kernels"
for s in "$real"/sysroot-*; do
	if [ -f "$s/liballoc.rlib" ] && [ ! -e "$t/cache/${s##*/}" ]; then ln -s "$s" "$t/cache/"; fi
done
tests/dkms/fake-kdir.sh "$kdir" "$t/kdir-noretp" 6.12.0-900-noretp \
	CONFIG_MITIGATION_RETPOLINE=n CONFIG_RETPOLINE=n '-__x86_indirect_thunk_*'
tests/dkms/fake-kdir.sh "$kdir" "$t/kdir-noexport" 6.12.0-901-noexport -__x86_return_thunk
tests/dkms/fake-kdir.sh "$kdir" "$t/kdir-kcfi" 6.12.0-902-kcfi CONFIG_CFI_CLANG=y
export RKM_CACHE=$t/cache
for k in noretp noexport kcfi; do
	"$rkm" kernels add $k "$t/kdir-$k" >/dev/null
done

# check PKG NAME KERNEL: the package's install-time verdict for a fabricated kernel.
check() {
	if sh "$1/rkm/kbuild/rkm-check.sh" "$1" "$2" "$t/kdir-$3" >/dev/null 2>"$t/why"; then
		echo "accepted $2 on $3: $(cat "$t/why")"
	else
		echo "refused $2 on $3: $(cat "$t/why")"
	fi
}

for s in rust_minimal rust_echo; do
	pkg=$t/pkg-$s
	"$rkm" dkms "samples/$s" --kernel 6.12 --out "$pkg" >"$t/dkms-$s.log" || { cat "$t/dkms-$s.log"; fail "rkm dkms $s"; }
	echo "$s: its object calls $(nm -u "$pkg"/prebuilt/*/$s-rust.o_shipped |
		grep -c ' __x86_indirect_thunk_' || true) retpoline thunk(s)"
	check "$pkg" $s noretp
done
check "$t/pkg-rust_minimal" rust_minimal noexport
check "$t/pkg-rust_minimal" rust_minimal kcfi

if "$rkm" dkms samples/rust_minimal --kernel 6.12 --kernel kcfi --out "$t/pkg-kcfi" >"$t/dkms-kcfi.log" 2>&1; then
	fail "rkm dkms made a package for a kCFI kernel"
fi
grep 'rkm: ' "$t/dkms-kcfi.log"
[ ! -e "$t/pkg-kcfi" ] || fail "rkm dkms left a package for a kCFI kernel"

# By default a package is for every kernel rkm knows, the user's too: the
# one without retpoline gets a second object (what the refusal's command
# gives), which the package's own Kbuild (what dkms runs) links there.
"$rkm" kernels remove noexport >/dev/null
"$rkm" kernels remove kcfi >/dev/null
"$rkm" dkms samples/rust_echo --out "$t/pkg-all" | grep -v '^  BUILD'
for k in noretp kcfi; do
	rm -rf "$t/mod-$k" && cp -r "$t/pkg-all" "$t/mod-$k"
	if make -s -C "$t/kdir-$k" M="$t/mod-$k" modules >"$t/make-$k.log" 2>&1; then
		echo "module for $k: $(modinfo -F vermagic "$t/mod-$k/rust_echo.ko"); $(grep '^rkm:' "$t/make-$k.log")"
	else
		echo "no module for $k: $(grep '^rkm:' "$t/make-$k.log")"
		[ ! -e "$t/mod-$k/rust_echo.ko" ] || fail "a .ko came out for $k"
	fi
done
