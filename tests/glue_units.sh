#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# rkm: every glue unit of kbuild/glue.mk compiled alone (with the units it
# needs, nothing else) against each kernel's headers. A module compiles in
# only the units its Rust object calls, so a unit that silently relies on
# another's #include or type would fail only for the first driver that
# happens to use it without the other: it fails here instead.
# Usage: tests/glue_units.sh [KERNEL...]   (default: every kernel rkm lists)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/selftest/glue-units
rm -rf "$out"
mkdir -p "$out"
units=$(printf 'p:\n\t@echo "$(rkm-glue-units)"\n' | make -s -f "$root/kbuild/glue.mk" -f - p)
names=$(printf '%s\n' $units | sed 's/.*://' | sort -u)
# A unit is chosen by the functions its file defines: a function outside
# the file's #ifdef RKM_GLUE_NAME would pull the unit into a module that
# only calls that function (core functions belong in common.c).
for u in $units; do
	f=$root/glue/${u%%:*}.c
	awk -v f="$f" '/^#ifdef RKM_GLUE_/ { inside = 1 }
		/^#endif \/\* RKM_GLUE_/ { inside = 0 }
		!inside && /^[A-Za-z_][^(]*[ *]rkm_[a-z0-9_]*\(/ && !/^static/ {
			print "not ok " f ": defined outside its #ifdef RKM_GLUE_: " $0; bad = 1 }
		END { exit bad }' "$f" || exit 1
done
# glue.mk's own rule adds what each unit needs.
for name in NONE $names; do
	on=$name
	[ "$name" = NONE ] && on=
	{
		printf 'p:\n\t@on="%s"; $(rkm-glue-defines)\n' "$on" | make -s -f "$root/kbuild/glue.mk" -f - p
		echo '#include "rkm_glue.c"'
	} > "$out/u_$name.c"
done
# What a unit lacks (an undeclared function, type or constant) is an error
# of the compiler's front end: each unit is checked with Kbuild's flags for
# an assembly file, under -fsyntax-only, which writes nothing (no object for
# objtool or the export checks to read) in half the time of a compile. The
# modules that link the units compile them whole.
printf 'obj-m := $(patsubst %%.c,%%.o,$(notdir $(wildcard $(src)/u_*.c)))\nccflags-y += -I%s/include -I%s/glue -Werror -fsyntax-only\n' \
	"$root" "$root" > "$out/Kbuild"
objs=$(cd "$out" && ls u_*.c | sed 's/\.c$/.s/')
"$root/build/bin/rkm" kernels | awk 'NR > 1 && $4 ~ /^\// { print $1, $4 }' | while read -r k headers; do
	[ $# -eq 0 ] || case " $* " in *" $k "*) ;; *) continue ;; esac
	if make -k -s -j"$(nproc)" -C "$headers" M="$out" $objs >"$out/$k.log" 2>&1; then
		echo "ok glue units alone for $k: none" $names
	else
		grep -E 'error' "$out/$k.log" | head -20
		echo "not ok glue units alone for $k (log: $out/$k.log)"
		exit 1
	fi
done
