#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Checks the errno names of rust/src/error.rs (or ERROR_RS) against the
# kernel's own headers, for every kernel of the matrix (`rkm kernels`) or the
# kernel source/header trees given with -k DIR:
#   include/uapi/asm-generic/errno-base.h, errno.h: each name, alias included,
#     is a public constant of error.rs with the header's value;
#   include/linux/errno.h (kernel-internal, 512 and up): each name is a
#     crate-only constant (after @crate_only) with the header's value;
# and error.rs names nothing the headers do not define. Nothing is pinned
# here: the list is the headers'.
#
#   tests/errno_names.sh [-k KERNEL_TREE]... [ERROR_RS]
#
# Exit 0: "errno names: 0 difference(s) (...)"; 1: a difference; 2: cannot run.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
trees=
while [ $# -gt 0 ] && [ "$1" = -k ]; do
	trees="$trees $2"
	shift 2
done
error_rs=${1:-$root/rust/src/error.rs}
[ -r "$error_rs" ] || { echo "errno names: no $error_rs" >&2; exit 2; }

if [ -z "$trees" ]; then
	# The HEADERS column of `rkm kernels matrix` (the debug kernel: its build tree).
	trees=$("$root/build/bin/rkm" kernels matrix | awk 'NR > 1 { print $4 }') ||
		{ echo "errno names: 'rkm kernels' failed: run 'make tools' and 'make setup'" >&2; exit 2; }
fi

# A Debian linux-headers-*-amd64 directory includes the -common one's Makefile,
# which holds include/.
src_of() {
	if [ -f "$1/include/uapi/asm-generic/errno.h" ]; then
		echo "$1"
	else
		dirname "$(sed -n 's/^include //p' "$1/Makefile" 2>/dev/null)"
	fi
}

# NAME VALUE lines of a header, aliases (#define EWOULDBLOCK EAGAIN) resolved.
defines() {
	awk '$1 == "#define" && $2 ~ /^E[A-Z0-9_]+$/ && $3 ~ /^[0-9A-Z_]+$/ { print $2, $3 }' "$@" |
		awk '{ if ($2 ~ /^[0-9]+$/) v[$1] = $2; else v[$1] = v[$2]; print $1, v[$1] }'
}

# NAME VALUE KIND (pub or crate) of error.rs's declare_errors! block.
declared() {
	awk '
	/^declare_errors! \{/ { on = 1; kind = "pub"; next }
	on && /^\}/ { exit }
	on && /@crate_only/ { kind = "crate" }
	on && match($0, /^ *[A-Z][A-Z0-9_]* = [A-Z0-9_]+,/) {
		split(substr($0, RSTART, RLENGTH - 1), w, " = ")
		sub(/^ */, "", w[1])
		if (w[2] ~ /^[0-9]+$/) v[w[1]] = w[2]; else v[w[1]] = v[w[2]]
		print w[1], v[w[1]], kind
	}' "$1"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
declared "$error_rs" | sort > "$tmp/rs"
[ -s "$tmp/rs" ] || { echo "errno names: no declare_errors! block in $error_rs" >&2; exit 2; }

diffs=0 nk=0
for t in $trees; do
	s=$(src_of "$t")
	u=$s/include/uapi/asm-generic
	if [ ! -f "$u/errno-base.h" ] || [ ! -f "$u/errno.h" ] || [ ! -f "$s/include/linux/errno.h" ]; then
		echo "errno names: no errno headers under $t ($s)" >&2
		exit 2
	fi
	nk=$((nk + 1))
	{
		defines "$u/errno-base.h" "$u/errno.h" | sed 's/$/ pub/'
		defines "$u/errno-base.h" "$u/errno.h" "$s/include/linux/errno.h" |
			awk '$2 >= 512 { print $0, "crate" }'
	} | sort > "$tmp/h"
	[ "$(wc -l < "$tmp/h")" -gt 100 ] ||
		{ echo "errno names: too few errno names in $s's headers" >&2; exit 2; }
	# Header lines error.rs lacks as they are: a name missing or wrong.
	out=$(comm -23 "$tmp/h" "$tmp/rs" | while read -r n v k; do
		r=$(awk -v n="$n" '$1 == n { print $2, "(" $3 ")" }' "$tmp/rs")
		echo "errno names: $n: $s has $v ($k), error.rs has ${r:-nothing}"
	done
	# Names the headers do not have.
	join -v1 -o 1.1,1.2 "$tmp/rs" "$tmp/h" | while read -r n v; do
		echo "errno names: $n: error.rs has $v, $s has nothing"
	done)
	if [ -n "$out" ]; then
		echo "$out"
		diffs=$((diffs + $(echo "$out" | wc -l)))
	fi
done
echo "errno names: $diffs difference(s) ($(wc -l < "$tmp/rs") names in $(basename "$error_rs"), $nk kernel tree(s))"
[ "$diffs" = 0 ]
