#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# rkm: choose the prebuilt Rust object of a DKMS package that fits a kernel,
# or explain in one line why none does. Needs no Rust toolchain.
# Usage: rkm-check.sh PKGDIR NAME KDIR [PROFILE]
#   PKGDIR  the package (prebuilt/PROFILE/NAME-rust.o_shipped + rkm-object, rkm/include/rkm_abi.h,
#           rkm/kernels: "NAME RELEASE OBJECT-DIR" for each kernel `rkm dkms` made it for)
#   KDIR    the kernel build directory (include/config/auto.conf, Module.symvers)
#   PROFILE the kernel's profile from kbuild/profile.mk; computed from KDIR if absent
# Prints the chosen object's path. Env: NM, READELF (default nm, readelf).
#        rkm-check.sh --fits OBJECT-PROFILE KERNEL-PROFILE
# Prints why an object of the first profile cannot serve a kernel of the
# second (nothing if it can) and fails if it cannot: how `rkm dkms` decides
# which profiles need an object of their own.
set -eu
NM=${NM:-nm} READELF=${READELF:-readelf}

has() { case " $1 " in *" $2 "*) return 0;; esac; return 1; }
pad() { printf '%s\n' $1 | sed -n 's/^padding//p'; }
field() { sed -n "s/^$1=//p" "$2"; }

# What the object really is, read from the object itself: rkm ABI it links
# against, and the features visible in it (IBT property note, padding before
# functions, return/indirect thunks, KASAN calls).
object_facts() {
	o=$1
	undef=$($NM -u "$o" | awk '{print $2}')
	oabi=$(printf '%s\n' $undef | sed -n 's/^rkm_abi_version_\([0-9][0-9]*\)$/\1/p')
	f=""
	$READELF -nW "$o" | grep -q 'x86 feature:.*IBT' && f="$f ibt"
	printf '%s\n' $undef | grep -q '^__x86_indirect_thunk_' && f="$f retpoline"
	printf '%s\n' $undef | grep -qx '__x86_return_thunk' && f="$f rethunk"
	n=$( { $READELF -rW "$o" | awk '/^Relocation section .\.rela__patchable_function_entries/ { p = 1; next }
			p && $5 == ".text" { print "E", $7; p = 0 }'
		tx=$($READELF -SW "$o" | sed -n 's/^ *\[ *\([0-9]*\)\] \.text .*/\1/p')
		$READELF -sW "$o" | awk -v tx="$tx" '$4 == "FUNC" && $7 == tx { print "F", $2 }'; } |
		awk 'function hex(s,  i, v) { v = 0; s = tolower(s)
			for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
			return v }
		$1 == "E" && !have { e = hex($2); have = 1 } $1 == "F" { fn[hex($2)] = 1 }
		END { if (!have) { print 0; exit } for (k in fn) { v = k + 0; if (v >= e && (best == "" || v < best)) best = v }
			print best == "" ? "?" : best - e }')
	[ "$n" != 0 ] && f="$f padding$n"
	printf '%s\n' $undef | grep -q '^__asan_' && f="$f kasan"
	ofacts=${f# }
}

# Compatibility of an object's profile with the kernel's, decided from the
# two profiles alone (never from the symbols an object happens to use, which
# change with the optimiser): every mitigation the kernel uses must be in the
# object; call padding must be the same size when the kernel has CALL_PADDING
# (its call-depth thunks are written into it) and is inert otherwise; extra
# IBT (ENDBR64) and SLS (int3) are inert; retpoline and rethunk must match
# both ways: the object's indirect calls and returns go through the kernel's
# thunks, which only a kernel with that mitigation has (an object with no
# indirect call today may have one after the next driver change); KASAN must
# match both ways.
incompatible() {
	op=$1 kprof=$2 r=""
	for k in $kprof; do
		case $k in
		none) ;;
		padding*) [ "$(pad "$op")" = "$(pad "$kprof")" ] ||
			r="$r; kernel pads functions by $(pad "$kprof") bytes, object by $(pad "$op" | grep . || echo 0)" ;;
		*) has "$op" "$k" || r="$r; object lacks $k" ;;
		esac
	done
	for k in $op; do
		case $k in
		ibt|sls|padding*) ;;
		retpoline|rethunk) has "$kprof" "$k" ||
			r="$r; object is built for $k, kernel is not: the object's $k thunks are not in it" ;;
		kasan) has "$kprof" kasan || r="$r; object is KASAN-instrumented, kernel is not" ;;
		*) r="$r; unknown object feature $k" ;;
		esac
	done
	printf '%s' "${r#; }"
}

if [ "$1" = --fits ]; then
	why=$(incompatible "$2" "$3")
	[ -z "$why" ] || { echo "$why"; exit 1; }
	exit 0
fi

pkg=$1 name=$2 kdir=$3
die() { echo "rkm: $name for $krel: $*" >&2; exit 1; }
krel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$kdir/include/generated/utsrelease.h" 2>/dev/null)
kprof=${4:-$(env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -f "$pkg/rkm/kbuild/profile.mk" \
	KCONFIG="$kdir/include/config/auto.conf" print-profile)} || die "cannot read $kdir/include/config/auto.conf"
grep -q '^CONFIG_X86_64=y' "$kdir/include/config/auto.conf" || die "this package holds x86_64 objects only"
abi=$(sed -n 's/^#define RKM_ABI_VERSION \([0-9][0-9]*\).*/\1/p' "$pkg/rkm/include/rkm_abi.h")
has "$kprof" kcfi &&
	die "kernel uses clang kCFI (CONFIG_CFI_CLANG), which rkm does not support yet: its Rust objects carry no kCFI type hashes; no package can serve this kernel"

chosen="" tried="" nosym=""
for meta in "$pkg"/prebuilt/*/rkm-object; do
	[ -f "$meta" ] || continue
	o=${meta%/rkm-object}/$name-rust.o_shipped
	oprof=$(field profile "$meta")
	[ "$(field arch "$meta")" = x86_64 ] || continue
	[ -f "$o" ] || die "package is broken: no $o"
	[ "$(sha256sum < "$o" | cut -d' ' -f1)" = "$(field sha256 "$meta")" ] ||
		die "package is broken: $o differs from the sha256 in $meta"
	object_facts "$o"
	[ "$oabi" = "$(field abi "$meta")" ] && [ "$oabi" = "$abi" ] ||
		die "the prebuilt Rust object $o was built for rkm ABI ${oabi:-none} (recorded: $(field abi "$meta")), the glue in this package implements ABI $abi: rebuild the package with the same rkm (rkm dkms)"
	# SLS is invisible once returns and indirect jumps go through thunks, and
	# retpoline only shows if the code has indirect calls: objtool checks both.
	for k in ibt rethunk padding$(pad "$oprof") padding$(pad "$ofacts") kasan retpoline; do
		[ "$k" = padding ] && continue
		if has "$ofacts" "$k" && ! has "$oprof" "$k" ||
		   { [ "$k" != retpoline ] && has "$oprof" "$k" && ! has "$ofacts" "$k"; }; then
			die "package is broken: $o is recorded as '$oprof' but shows '$ofacts'"
		fi
	done
	why=$(incompatible "$oprof" "$kprof")
	if [ -n "$why" ]; then
		tried="$tried, '$oprof' ($why)"
		continue
	fi
	# Every symbol the object needs from the kernel must be exported by it.
	miss=$(printf '%s\n' $undef | grep -v '^rkm_' | while read -r s; do
		awk -v s="$s" '$2 == s { f = 1 } END { exit !f }' "$kdir/Module.symvers" || printf '%s ' "$s"; done)
	if [ -n "$miss" ]; then
		# The profile fits: another object would need the same symbols.
		slug=$(basename "$(dirname "$o")")
		have=$(awk -v o="$slug" '$3 == o { printf "%s%s", n++ ? ", " : "", $2 }' "$pkg/rkm/kernels" 2>/dev/null)
		nosym="kernel does not export ${miss% }, which the Rust object $slug needs; its profile fits this kernel, so rebuilding the package cannot help (kernels that export it: ${have:-none known}): the kernel lacks the export, or its Module.symvers is incomplete"
		continue
	fi
	# Prefer an exact profile match over a superset.
	[ "$oprof" = "$kprof" ] && { chosen=$o; break; }
	[ -n "$chosen" ] || chosen=$o
done
[ -n "$chosen" ] || [ -z "$nosym" ] || die "$nosym"
if [ -z "$chosen" ]; then
	# The command that makes a package with an object for this kernel too.
	cmd="rkm dkms DIR$(awk -v r="$krel" '$2 != r { printf " --kernel %s", $1 }' "$pkg/rkm/kernels" 2>/dev/null) --kernel $krel"
	die "kernel profile '$kprof' needs a Rust object this package does not ship: ${tried#, }${tried:+; }make a package with one on a machine with rkm and this kernel's headers: \`$cmd\` (DIR: the source of $name)"
fi
echo "rkm: $name for $krel (profile '$kprof'): using $(basename "$(dirname "$chosen")") sha256 $(sha256sum < "$chosen" | cut -c1-16)" >&2
echo "$chosen"
