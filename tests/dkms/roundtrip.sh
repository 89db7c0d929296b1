#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# rkm: DKMS round trip, as root from anywhere in the rkm tree:
#   tests/dkms/roundtrip.sh [SAMPLE...]   (default: rust_echo rust_semaphore)
# For each sample: `rkm dkms` makes the package; Debian's dkms builds it for
# every stock kernel (and, with --kernelsourcedir, the debug kernel) with a
# PATH without rustc/cargo; the modules are booted with the sample's test and
# C twin. Negatives: a package whose stock object is a 6.1-profile object
# (relabelled, or honestly labelled) or whose glue is for another ABI must
# fail `dkms build` on 6.12 with one `rkm:` line in make.log and no .ko.
# NO_BOOT=1 skips QEMU.
set -eu
cd "$(dirname "$0")/../.."
rkm=${RKM:-$PWD/build/bin/rkm} out=$PWD/build/dkms ver=0.1
samples=${*:-rust_echo rust_semaphore}
fail() { echo "FAIL: $*"; exit 1; }

# A PATH of symlinks to everything but rust*/cargo*.
nr=$out/norust-bin
mkdir -p "$nr"
for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
	for f in "$d"/*; do
		n=${f##*/}
		case $n in rust*|cargo*) continue ;; esac
		[ -e "$nr/$n" ] || [ ! -x "$f" ] || ln -s "$f" "$nr/$n"
	done
done
! PATH=$nr command -v rustc >/dev/null || fail "rustc still in $nr"

# NAME RELEASE KDIR per kernel of the matrix ("stock" or a built kernel's dir);
# "all": not the arm64 kernels, which rkm does not boot yet.
kernels=$("$rkm" kernels all | awk 'NR > 1 { print $1, $2, ($3 ~ /^\/boot\//) ? "stock" : $4 }')
stock_releases=$(echo "$kernels" | awk '$3 == "stock" { print $2 }')
nstock=$(echo "$stock_releases" | grep -c . || true)
[ "$nstock" -ge 1 ] || fail "no stock kernel in the matrix: run 'make setup'"

# dkms_build PKGDIR NAME VERSION RELEASE KDIR: 0 if a .ko came out (copied to $ko).
dkms_build() {
	rm -rf "/usr/src/$2-$3"
	cp -r "$1" "/usr/src/$2-$3"
	dkms add "$2/$3" >/dev/null
	src=
	[ "$5" = stock ] || src="--kernelsourcedir $5"
	r=0
	PATH=$nr dkms build "$2/$3" -k "$4" $src >"$out/dkms-$2-$3-$4.log" 2>&1 || r=$?
	# build/make.log after a failure, KVER/ARCH/log/make.log after a success
	log=$(find "/var/lib/dkms/$2/$3" -name make.log 2>/dev/null | head -n 1)
	cp "$log" "$out/make-$2-$3-$4.log" 2>/dev/null || true
	m=$(find "/var/lib/dkms/$2/$3/$4" -name "$2.ko*" 2>/dev/null | head -1)
	rm -f "$ko"
	case $m in
	*.ko.xz) xz -dc "$m" >"$ko" ;;
	*.ko.zst) zstd -qdc "$m" >"$ko" ;;
	*.ko) cp "$m" "$ko" ;;
	esac
	dkms remove "$2/$3" --all >/dev/null 2>&1 || true
	rm -rf "/usr/src/$2-$3" "/var/lib/dkms/$2"
	[ $r = 0 ] && [ -n "$m" ]
}

for s in $samples; do
	pkg=$out/$s-$ver
	"$rkm" dkms "samples/$s" --version $ver --out "$pkg" | grep -v '^  BUILD'
	echo "$kernels" | while read -r k rel kdir; do
		mkdir -p "$out/ko/$s/$k"
		ko=$out/ko/$s/$k/$s.ko
		dkms_build "$pkg" "$s" $ver "$rel" "$kdir" ||
			fail "dkms build of $s for $rel: see $out/make-$s-$ver-$rel.log"
		# The object rkm-check.sh chose, and its sha256.
		echo "ok dkms $s $rel: $(grep -o 'using .*' "$out/make-$s-$ver-$rel.log" | head -n 1)"
	done | tee "$out/used-$s"
	# One object for every stock kernel: the same profile and the same bytes.
	n=$(for r in $stock_releases; do grep -F "ok dkms $s $r: using " "$out/used-$s"; done |
		grep -c 'using [a-z0-9-]*padding16 sha256' || true)
	sums=$(grep -o 'using [a-z0-9-]*padding16 sha256 [0-9a-f]*' "$out/used-$s" | sort -u)
	[ "$n" = "$nstock" ] && [ "$(echo "$sums" | wc -l)" = 1 ] ||
		fail "$s: the stock kernels did not all use one object: $sums"
	echo "ok one object for $n stock kernels: $s $sums"
done

# Negatives, on 6.12, from rust_echo's package and its 6.1-profile object.
s=rust_echo pkg=$out/rust_echo-$ver neg=$out/neg
rel612=$(echo "$kernels" | awk '$1 == "6.12" { print $2 }')
"$rkm" build samples/$s --kernel 6.1 >/dev/null
o61=samples/$s/build/6.1/$s-rust.o
stock=$(cd "$pkg/prebuilt" && ls -d *-padding16)
for case in relabelled replaced abi; do
	rm -rf "$neg" && cp -r "$pkg" "$neg"
	sed -i "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=\"0.0$case\"/" "$neg/dkms.conf"
	case $case in
	relabelled)
		cp "$o61" "$neg/prebuilt/$stock/$s-rust.o_shipped"
		sed -i "s/^sha256=.*/sha256=$(sha256sum <"$o61" | cut -d' ' -f1)/" "$neg/prebuilt/$stock/rkm-object" ;;
	replaced)
		mv "$neg/prebuilt/$stock" "$neg/prebuilt/retpoline-rethunk-sls"
		cp "$o61" "$neg/prebuilt/retpoline-rethunk-sls/$s-rust.o_shipped"
		sed -i "s/^sha256=.*/sha256=$(sha256sum <"$o61" | cut -d' ' -f1)/; s/^profile=.*/profile=retpoline rethunk sls/" \
			"$neg/prebuilt/retpoline-rethunk-sls/rkm-object" ;;
	abi)
		sed -i 's/^#define RKM_ABI_VERSION .*/#define RKM_ABI_VERSION 999/' "$neg/rkm/include/rkm_abi.h" ;;
	esac
	ko=$out/neg.ko
	! dkms_build "$neg" $s "0.0$case" "$rel612" stock || fail "negative $case: dkms built a module"
	[ ! -e "$ko" ] || fail "negative $case: a .ko came out"
	n=$(grep -c '^rkm:' "$out/make-$s-0.0$case-$rel612.log" || true)
	[ "$n" = 1 ] || fail "negative $case: $n rkm: lines in make.log"
	echo "ok negative $case: $(grep '^rkm:' "$out/make-$s-0.0$case-$rel612.log")"
done
rm -rf "$neg"

for s in $samples; do
	grep -H '^sha256=\|^profile=' "$out/$s-$ver"/prebuilt/*/rkm-object | sed "s|^$out/||"
done
[ "${NO_BOOT:-0}" = 1 ] && exit 0

# Boot: the dkms-built modules with the sample's test and C twin.
for s in $samples; do
	twin=samples/$s/c_${s#rust_}
	"$rkm" build "$twin" >/dev/null
	cc -static -O2 -Wall -Wextra -Werror -Itests/lib -o "samples/$s/build/$s-test" "samples/$s/test.c" -lpthread
	"$rkm" run $(echo "$kernels" | awk '{ printf "--kernel %s ", $1 }') \
		--ship "$out/ko/$s/%k/$s.ko" --ship "$twin/build/%k/${twin##*/}.ko" \
		--test "$s-test=samples/$s/build/$s-test"
done
