#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# rkm: tools/setup.sh's kernel matrix resolver on fabricated apt archives
# (tests/setup/fake-apt-cache): newer and older 6.12 point releases, one
# without its -rt headers, the 6.1 metapackage. Point releases here are
# fabricated (900 and up), never Debian's. KTAP-like output.
set -eu
cd "$(dirname "$0")/../.."
out=$PWD/build/selftest/resolve
mkdir -p "$out"
n=0 failed=0

# scenario DESCRIPTION ARCHIVE EXPECTED: EXPECTED is the matrix
# setup.sh --resolve must print, or "error: TEXT" for its message.
scenario() {
	n=$((n + 1))
	printf '%s\n' "$2" > "$out/archive"
	got=$(RKM_APT_CACHE=$PWD/tests/setup/fake-apt-cache RKM_FAKE_ARCHIVE=$out/archive \
		RKM_CACHE=$out/cache tools/setup.sh --resolve 2>&1) && rc=0 || rc=$?
	case $3 in
	error:*) [ $rc != 0 ] && case $got in *"${3#error: }"*) true ;; *) false ;; esac ;;
	*) [ $rc = 0 ] && [ "$got" = "$3" ] ;;
	esac && { echo "ok $n $1"; return; }
	failed=$((failed + 1))
	echo "not ok $n $1"
	echo "$got" | sed 's/^/    # got: /'
	echo "$3" | sed 's/^/    # expected: /'
}

# Two complete 6.12 releases and the 6.1 of the metapackage; cloud images
# and an older 6.1 ABI are noise.
base='linux-image-amd64 6.1.950-1 linux-image-6.1.0-902-amd64
linux-image-6.1.0-902-amd64 6.1.950-1
linux-headers-6.1.0-902-amd64 6.1.950-1
linux-image-6.1.0-901-amd64 6.1.940-1
linux-image-6.12.940+deb12-amd64 6.12.940-1~deb12u1
linux-headers-6.12.940+deb12-amd64 6.12.940-1~deb12u1
linux-image-6.12.940+deb12-rt-amd64 6.12.940-1~deb12u1
linux-headers-6.12.940+deb12-rt-amd64 6.12.940-1~deb12u1
linux-image-6.12.950+deb12-amd64 6.12.950-1~deb12u1
linux-headers-6.12.950+deb12-amd64 6.12.950-1~deb12u1
linux-image-6.12.950+deb12-rt-amd64 6.12.950-1~deb12u1
linux-headers-6.12.950+deb12-rt-amd64 6.12.950-1~deb12u1
linux-image-6.12.990+deb12-cloud-amd64 6.12.990-1~deb12u1'
m950='6.1 6.1.0-902-amd64
6.12 6.12.950+deb12-amd64
6.12-rt 6.12.950+deb12-rt-amd64'

newer='linux-image-6.12.960+deb12-amd64 6.12.960-1~deb12u1
linux-headers-6.12.960+deb12-amd64 6.12.960-1~deb12u1
linux-image-6.12.960+deb12-rt-amd64 6.12.960-1~deb12u1
linux-headers-6.12.960+deb12-rt-amd64 6.12.960-1~deb12u1'

scenario "the newest complete 6.12 and the metapackage's 6.1" "$base" "$m950"
scenario "a newer 6.12 point release without -rt headers is passed over" \
	"$base
$(echo "$newer" | grep -v '^linux-headers-.*-rt-amd64')" "$m950"
scenario "a newer 6.12 point release without headers is passed over" \
	"$base
$(echo "$newer" | grep -v '^linux-headers-.*+deb12-amd64')" "$m950"
scenario "point releases compare as versions (9000 after 950), not as strings" \
	"$base
$(echo "$newer" | sed 's/960/9000/g')" '6.1 6.1.0-902-amd64
6.12 6.12.9000+deb12-amd64
6.12-rt 6.12.9000+deb12-rt-amd64'
scenario "6.1 is the one linux-image-amd64 depends on" \
	"$(echo "$base" | sed 's/^linux-image-amd64 .*/linux-image-amd64 6.1.940-1 linux-image-6.1.0-901-amd64/')" \
	'6.1 6.1.0-901-amd64
6.12 6.12.950+deb12-amd64
6.12-rt 6.12.950+deb12-rt-amd64'
scenario "no 6.12 with an -rt twin is one clear error" "$(echo "$base" | grep -v -- '-rt-amd64')" \
	"error: no linux-image-6.12.*+deb12-amd64 with headers and -rt twin in the archive"
scenario "no 6.1 metapackage is one clear error" "$(echo "$base" | grep -v '^linux-image-amd64 ')" \
	"error: no linux-image-amd64 (6.1) in the apt archive"

echo "setup resolve: $((n - failed)) passed, $failed failed"
[ $failed = 0 ]
