#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Checks rust/src/abi.rs (or ABI_RS) against include/rkm_abi.h: bindgen
# renders the header as Rust, tests/abi_drift.c compares the two item by item
# (names, argument and field types, constant values) and prints each drift.
#
#   tests/abi_drift.sh [ABI_RS]
#
# Exit 0: "abi drift: 0 difference(s) (...)"; 1: drift; 2: cannot run.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
abi_rs=${1:-$root/rust/src/abi.rs}

command -v bindgen >/dev/null ||
	{ echo "abi drift: bindgen not found: apt-get install bindgen" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
${CC:-cc} -O2 -Wall -Wextra -Werror -o "$tmp/abi_drift" "$root/tests/abi_drift.c"

# Only the header's own items, in core::ffi types, without what bindgen adds
# for Rust's convenience (layout tests, derives, doc comments); enums as
# plain constants named as in C; size_t as usize, as the crate declares it.
bindgen "$root/include/rkm_abi.h" -o "$tmp/header.rs" \
	--use-core --ctypes-prefix core::ffi --size_t-is-usize \
	--allowlist-function 'rkm_.*' --allowlist-var 'rkm_.*|RKM_.*' --allowlist-type 'rkm_.*' \
	--default-enum-style consts --no-prepend-enum-name \
	--no-layout-tests --no-doc-comments --no-derive-debug --no-derive-copy \
	-- -I"$root/include" ||
	{ echo "abi drift: bindgen failed on include/rkm_abi.h" >&2; exit 2; }

# The crate's other sources hold the rkm_rust_* definitions (module!).
srcs=$(find "$root/rust/src" -name '*.rs' ! -path "$root/rust/src/abi.rs" | sort)
rc=0
# shellcheck disable=SC2086 # one word per source path
"$tmp/abi_drift" "$tmp/header.rs" "$abi_rs" $srcs || rc=$?
exit $rc
