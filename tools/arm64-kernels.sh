#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# rkm: Debian's arm64 kernels, for cross builds (and boots) on this amd64
# host: arm64-kernels.sh CACHE prints "NAME RELEASE VMLINUZ KDIR" lines
# (arm64-6.1, arm64-6.12), after fetching what is missing into CACHE/arm64.
#
# The arm64 packages are never installed: linux-headers-*-arm64 depends on
# gcc-12:arm64, which apt would install by removing the host's own gcc,
# rustc and headers. They are resolved with apt lists of rkm's own
# (CACHE/arm64/apt: the host's sources, arm64 only, no dpkg architecture
# added), fetched with `apt-get download` and unpacked with `dpkg -x` into
# CACHE/arm64/RELEASE: the image (vmlinuz, modules), the headers, their
# common part (arch: all) and the amd64 linux-kbuild package of the same
# version (fixdep, modpost: the headers' scripts/ and tools/ link to it),
# with the modules' modules.dep written by the host's depmod.
# The headers' Makefile names the common part at /usr/src: it is pointed at
# the unpacked one, so the tree needs nothing of the host's.
set -eu

cache=$1
dir=$cache/arm64
apt_get=${RKM_APT_GET:-apt-get}
apt_cache=${RKM_APT_CACHE:-apt-cache}
die() { echo "rkm setup: arm64: $*" >&2; exit 1; }

lists=$dir/apt/lists
O="-o APT::Architecture=arm64 -o APT::Architectures::=arm64 -o Dir::State::Lists=$lists
   -o Dir::Cache=$dir/apt/cache -o Dir::State::status=/dev/null -o Debug::NoLocking=1"
mkdir -p "$lists/partial" "$dir/apt/cache/archives/partial"

update() {
	# shellcheck disable=SC2086
	"$apt_get" $O update -qq >/dev/null 2>&1 ||
		die "'apt-get update' of the arm64 package lists failed: check the apt sources (Debian 12, bookworm and bookworm-security)"
}

# NAME's newest version in rkm's arm64 lists, or nothing.
version() {
	# shellcheck disable=SC2086
	"$apt_cache" $O show --no-all-versions "$1" 2>/dev/null | sed -n 's/^Version: //p' | head -n 1
}

# Newest 6.1: what linux-image-arm64 depends on; newest 6.12.N+deb12 with headers.
resolve() {
	# shellcheck disable=SC2086
	r61=$("$apt_cache" $O depends linux-image-arm64 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\(6\.1\.[^ :]*-arm64\)\(:arm64\)\{0,1\}$/\1/p' | head -n 1)
	# shellcheck disable=SC2086
	r612=$("$apt_cache" $O pkgnames linux-image-6.12. 2>/dev/null |
		sed -n 's/^linux-image-\(6\.12\.[0-9]*+deb12-arm64\)$/\1/p' | sort -rV | while read -r r; do
			[ -n "$(version "linux-headers-$r")" ] && { echo "$r"; break; }
		done)
}

[ -n "$(ls "$lists" 2>/dev/null | grep -v partial)" ] || update
resolve
if [ -z "$r61" ] || [ -z "$r612" ]; then
	update
	resolve
fi
[ -n "$r61" ] || die "no linux-image-arm64 (6.1) in the arm64 package lists"
[ -n "$r612" ] || die "no linux-image-6.12.*+deb12-arm64 with headers in the arm64 package lists"

# RELEASE unpacked into $dir/RELEASE (once; a partial one is redone).
fetch() {
	rel=$1
	root=$dir/$rel
	[ -f "$root/.complete" ] && return 0
	# shellcheck disable=SC2086
	show=$("$apt_cache" $O show --no-all-versions "linux-headers-$rel" 2>/dev/null)
	hv=$(printf '%s\n' "$show" | sed -n 's/^Version: //p' | head -n 1)
	[ -n "$hv" ] || die "no linux-headers-$rel in the arm64 package lists"
	common=$(printf '%s\n' "$show" | sed -n 's/^Depends:.*\(linux-headers-[^ ,]*-common\).*/\1/p' | head -n 1)
	kbuild=$(printf '%s\n' "$show" | sed -n 's/^Depends:.*\(linux-kbuild-[^ ,]*\).*/\1/p' | head -n 1)
	image=linux-image-$rel-unsigned
	[ -n "$(version "$image")" ] || image=linux-image-$rel
	[ -n "$common" ] && [ -n "$kbuild" ] || die "linux-headers-$rel names no -common or linux-kbuild package"
	tmp=$root.tmp
	rm -rf "$tmp" "$root"
	mkdir -p "$tmp/debs"
	echo "rkm setup: arm64: fetching $rel ($image, linux-headers-$rel, $common, $kbuild:amd64)" >&2
	# The amd64 kbuild comes from the host's own lists, at the headers' version.
	(cd "$tmp/debs" &&
		# shellcheck disable=SC2086
		"$apt_get" $O download -qq "$image=$hv" "linux-headers-$rel=$hv" "$common=$hv" >/dev/null 2>&1 &&
		"$apt_get" download -qq "$kbuild:amd64=$hv" >/dev/null 2>&1) || return 1
	for f in "$tmp"/debs/*.deb; do
		dpkg -x "$f" "$tmp" || die "cannot unpack $f"
	done
	rm -rf "$tmp/debs"
	h=$tmp/usr/src/linux-headers-$rel
	[ -f "$h/Makefile" ] && [ -f "$tmp/boot/vmlinuz-$rel" ] || die "$rel: no headers or no vmlinuz in the packages"
	sed -i "s|^include /usr/src/|include $root/usr/src/|" "$h/Makefile"
	# modules.dep, which the package leaves to depmod on the target: how
	# rkm finds the kernel's own modules (twins, their dependencies).
	/sbin/depmod -b "$tmp" "$rel" || die "depmod of $rel's modules failed"
	: > "$tmp/.complete"
	mv "$tmp" "$root"
}

for rel in "$r61" "$r612"; do
	# Lists older than the archive name a package it no longer has: once more, updated.
	fetch "$rel" || { update && fetch "$rel"; } || die "cannot fetch $rel's packages from the archive"
done
# Releases the lists no longer name: gone.
for old in "$dir"/*; do
	case ${old##*/} in apt | "$r61" | "$r612") ;; *) rm -rf "$old" ;; esac
done
echo "arm64-6.1 $r61 $dir/$r61/boot/vmlinuz-$r61 $dir/$r61/usr/src/linux-headers-$r61"
echo "arm64-6.12 $r612 $dir/$r612/boot/vmlinuz-$r612 $dir/$r612/usr/src/linux-headers-$r612"
