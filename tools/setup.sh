#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# rkm host setup: resolve the kernel matrix from the apt archive and install
# what is missing (Rust for the kernel, QEMU, kernel images and headers).
# Idempotent and quiet when everything is there. Writes $RKM_CACHE/kernels
# (the matrix); $RKM_CACHE/user-kernels (rkm kernels add) keeps its lines.
# (gnuplot-nox draws the benchmark's chart; clippy, rustfmt and
# rust-analyzer are for rkm lint and rkm rust-project; dkms, openssl and
# xz-utils for the DKMS round trip and rkm sign; gcc-aarch64-linux-gnu, its
# static libc and qemu-system-arm for the arm64 kernels (tools/arm64-kernels.sh);
# the packages of the host
# programs the manifests ship into the guest, from their 'program' lines.)
#
#   setup.sh           the stock kernels of the matrix
#   setup.sh --debug   also the debug kernel, built from linux-source-6.12
#                      (tools/debug-kernel.sh; cached, built once)
#   setup.sh --resolve only print the stock kernels the archive resolves to
#                      ("NAME RELEASE" lines, as in $RKM_CACHE/kernels)
#
# Environment: RKM_CACHE (default ~/.cache/rkm), RKM_EXTRA_PACKAGES (more
# packages to install), RKM_APT_GET, RKM_APT_CACHE, RKM_DPKG_QUERY (default
# apt-get, apt-cache, dpkg-query: tests/setup/resolve.sh fakes the archive).
set -eu

cache=${RKM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rkm}
apt_get=${RKM_APT_GET:-apt-get}
apt_cache=${RKM_APT_CACHE:-apt-cache}
dpkg_query=${RKM_DPKG_QUERY:-dpkg-query}

die() { echo "rkm setup: $*" >&2; exit 1; }
debug= resolve_only=
case "${1:-}" in
--debug) debug=1 ;;
--resolve) resolve_only=1 ;;
'') ;;
*) die "usage: setup.sh [--debug | --resolve]" ;;
esac

{ [ -n "$resolve_only" ] || command -v "$apt_get" >/dev/null 2>&1; } && command -v "$apt_cache" >/dev/null 2>&1 ||
	die "$apt_get not found: rkm needs a Debian 12 host with apt"

# PACKAGE or PACKAGE=VERSION
installed() {
	[ "$("$dpkg_query" -W -f='${Status} ${Version}\n' "${1%%=*}" 2>/dev/null |
		sed -n "s/^install ok installed //p")" ] &&
		case "$1" in
		*=*) [ "$("$dpkg_query" -W -f='${Version}' "${1%%=*}")" = "${1#*=}" ] ;;
		esac
}
in_archive() {
	case "$1" in
	*=*) "$apt_cache" show "${1%%=*}" 2>/dev/null | grep -qx "Version: ${1#*=}" ;;
	*) [ -n "$("$apt_cache" show --no-all-versions "$1" 2>/dev/null | grep '^Version:')" ] ;;
	esac
}

# Newest 6.1: what the linux-image-amd64 metapackage depends on.
resolve_61() {
	"$apt_cache" depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\(6\.1\.[^ ]*-amd64\)$/\1/p' | head -n 1
}

# Newest 6.12.N+deb12-amd64 whose image and headers, and -rt twins, all exist.
resolve_612() {
	"$apt_cache" pkgnames linux-image-6.12. 2>/dev/null |
		sed -n 's/^linux-image-\(6\.12\.[0-9]*+deb12\)-amd64$/\1/p' | sort -rV |
		while read -r v; do
			for p in linux-headers-$v-amd64 linux-image-$v-rt-amd64 linux-headers-$v-rt-amd64; do
				in_archive "$p" || continue 2
			done
			echo "$v"
			break
		done
}

# The packages of the host programs the tree's manifests ship into the guest:
# the PACKAGE of each 'program PACKAGE PROGRAM...' line of an rkm.manifest
# (README, "Manifests"), so the list is written once, in the manifests.
manifest_packages() {
	find "$(dirname "$0")/../samples" "$(dirname "$0")/../tests" -name rkm.manifest \
		-not -path '*/build/*' 2>/dev/null | sort | xargs -r sed -n \
		's/^[[:space:]]*program[[:space:]][[:space:]]*\([a-z0-9][a-z0-9+.-]*\)[[:space:]].*/\1/p' |
		sort -u
}

r61=$(resolve_61)
r612=$(resolve_612)
if { [ -z "$r61" ] || [ -z "$r612" ]; } && [ -z "$resolve_only" ]; then
	[ "$(id -u)" = 0 ] || die "the apt package lists know no 6.1/6.12 kernels: run 'sudo apt-get update' (or run setup as root)"
	"$apt_get" update -qq >/dev/null || die "'apt-get update' failed: check the apt sources"
	r61=$(resolve_61)
	r612=$(resolve_612)
fi
[ -n "$r61" ] || die "no linux-image-amd64 (6.1) in the apt archive: add Debian 12 (bookworm) to the apt sources"
[ -n "$r612" ] || die "no linux-image-6.12.*+deb12-amd64 with headers and -rt twin in the archive: add bookworm and bookworm-security to the apt sources"
matrix="6.1 $r61
6.12 $r612-amd64
6.12-rt $r612-rt-amd64"
if [ -n "$resolve_only" ]; then
	printf '%s\n' "$matrix"
	exit 0
fi

pkgs="rustc-web rust-web-src rust-web-clippy rustfmt-web rust-web-analyzer qemu-system-x86 cpio tiny-initramfs gnuplot-nox bindgen libclang-dev
	dkms openssl xz-utils libiberty-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm
	linux-image-$r61 linux-headers-$r61
	linux-image-$r612-amd64 linux-headers-$r612-amd64
	linux-image-$r612-rt-amd64 linux-headers-$r612-rt-amd64
	$(manifest_packages)
	${RKM_EXTRA_PACKAGES:-}"
# The debug kernel's source, of the same version as the stock 6.12, and what
# its build needs.
if [ -n "$debug" ]; then
	srcver=$("$apt_cache" show --no-all-versions "linux-image-$r612-amd64" 2>/dev/null | sed -n 's/^Version: //p')
	pkgs="$pkgs linux-source-6.12=$srcver bc bison flex libelf-dev libssl-dev"
fi

missing=
for p in $pkgs; do
	installed "$p" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	for p in $missing; do
		in_archive "$p" || die "package $p is not in the apt archive: run 'apt-get update' or add Debian 12 (bookworm, bookworm-security) to the apt sources"
	done
	[ "$(id -u)" = 0 ] || die "must be root to install:$missing (run: sudo make setup)"
	echo "rkm setup: installing$missing" >&2
	# tiny-initramfs is named so apt does not pull initramfs-tools, udev and
	# a systemd upgrade into the host.
	DEBIAN_FRONTEND=noninteractive "$apt_get" install -y -qq --no-install-recommends $missing >/dev/null ||
		die "apt-get install failed for:$missing"
fi

mkdir -p "$cache"
if [ -n "$debug" ]; then
	matrix="$matrix
$("$(dirname "$0")/debug-kernel.sh" /usr/src/linux-source-6.12.tar.xz "$cache")" || exit 1
else
	# A debug kernel built before stays in the matrix while its image is there.
	keep=$(grep '^debug ' "$cache/kernels" 2>/dev/null || true)
	if [ -n "$keep" ] && [ -f "$(echo "$keep" | cut -d' ' -f3)" ]; then
		matrix="$matrix
$keep"
	fi
fi
# The user's kernels are in $cache/user-kernels (rkm kernels add), never
# touched here. A line of the matrix file setup did not write (added by hand)
# moves there rather than vanish.
if [ -f "$cache/kernels" ]; then
	grep -vE '^[[:space:]]*(#|$)' "$cache/kernels" | while read -r name rest; do
		case $name in 6.1 | 6.12 | 6.12-rt | debug) continue ;; esac
		if awk -v n="$name" '$1 == n { found = 1 } END { exit !found }' "$cache/user-kernels" 2>/dev/null; then
			echo "rkm setup: dropped '$name $rest' from $cache/kernels: $cache/user-kernels has a kernel $name" >&2
		else
			printf '%s %s\n' "$name" "$rest" >> "$cache/user-kernels"
			echo "rkm setup: moved your kernel '$name $rest' from $cache/kernels (setup's) to $cache/user-kernels" >&2
		fi
	done
fi
if [ "$(cat "$cache/kernels" 2>/dev/null)" != "$matrix" ]; then
	printf '%s\n' "$matrix" > "$cache/kernels.tmp"
	mv "$cache/kernels.tmp" "$cache/kernels"
fi
# Debian's arm64 6.1 and 6.12, unpacked in the cache for cross builds.
arm64=$("$(dirname "$0")/arm64-kernels.sh" "$cache") || exit 1
if [ "$(cat "$cache/kernels-arm64" 2>/dev/null)" != "$arm64" ]; then
	printf '%s\n' "$arm64" > "$cache/kernels-arm64.tmp"
	mv "$cache/kernels-arm64.tmp" "$cache/kernels-arm64"
fi
