#!/bin/sh
# tests/fastdiff/run.sh FASTDIFF PTRULES - run the differential check of
# the fast paths (tests/fastdiff/fastdiff.c) over:
#   - the shipped rules with every corpus and test cart, compiled from
#     source and loaded from a .ptbc file (both must have fast code);
#   - tests/fastdiff/edge.rules with edge.txt: every kind of instruction
#     and every way back to the reference paths (runtime errors, carts
#     that need diagnostics), from source and from .ptbc;
#   - both again with the machine code built without AVX (--jit-form sse),
#     and vex.sh over both forms' encodings;
#   - forged .ptbc files the compiler never writes (forged/README.md);
#   - every tests/lang case that writes rules and a cart.
set -eu
fd=$1
pt=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
carts="$root/tests/corpus/carts-1.txt $root/tests/corpus/carts-2.txt $root/tests/corpus/carts-3.txt
  $root/tests/corpus/carts-4.txt $root/tests/carts/multi.txt $root/tests/carts/bad.txt $root/examples/cart.txt"
# shellcheck disable=SC2086
"$fd" --require-fast --rules "$root/rules" $carts
"$pt" compile -o "$tmp/shipped.ptbc" --rules "$root/rules"
# shellcheck disable=SC2086
"$fd" --require-fast --bytecode "$tmp/shipped.ptbc" $carts
# shellcheck disable=SC2086
"$fd" --rules "$root/rules" --rules "$root/tests/rules-extra" $carts
"$fd" --require-fast --rules "$root/tests/fastdiff/edge.rules" "$root/tests/fastdiff/edge.txt"
"$pt" compile -o "$tmp/edge.ptbc" "$root/tests/fastdiff/edge.rules"
"$fd" --require-fast --bytecode "$tmp/edge.ptbc" "$root/tests/fastdiff/edge.txt"
# Each run's output, indented under its name; a difference fails the run
# (a pipe into sed would hide fastdiff's exit status from set -e).
named() {
	name=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then st=0; else st=$?; fi
	sed "s|^|  $name: |" "$tmp/out"
	[ "$st" -eq 0 ] || { echo "fastdiff: failed on $name" >&2; exit 1; }
}
# A run that compares nothing the fast way must fail, not pass: carts
# without a date are never prepared.
printf 'cart id=undated\nitem price=100\n' >"$tmp/undated.txt"
if "$fd" --require-fast --rules "$root/rules" "$tmp/undated.txt" >"$tmp/out" 2>&1; then
	echo "fastdiff: passed a run that prepared no cart" >&2
	exit 1
fi
grep -q 'nothing was compared the fast way' "$tmp/out" || { cat "$tmp/out" >&2; exit 1; }
for b in "$root"/tests/fastdiff/forged/*.ptbc; do
	named "$(basename "$b")" "$fd" --require-fast --bytecode "$b" "$root/tests/fastdiff/forged/cart.txt"
done
n=0
for t in "$root"/tests/lang/*.test; do
	d="$tmp/lang/$(basename "$t" .test)"
	mkdir -p "$d"
	awk -v d="$d" '
		/^--- file / { out = d "/" $3; if ($3 ~ /\//) { sub(/\/[^\/]*$/, "", $3); system("mkdir -p \"" d "/" $3 "\"") } printf "" > out; next }
		/^--- (stdout|stderr)$/ { out = ""; next }
		out != "" { print >> out }
	' "$t"
	[ -f "$d/cart.txt" ] || continue
	if [ -d "$d/rules" ]; then
		rules="$d/rules"
	else
		rules="$root/rules"
	fi
	# Cases whose rules do not compile test the compiler, not evaluation.
	"$pt" check "$rules" >/dev/null 2>&1 || continue
	named "$(basename "$t" .test)" "$fd" --rules "$rules" "$d/cart.txt"
	n=$((n + 1))
done
echo "fastdiff: $n tests/lang cases: no difference"
# The form of the machine code the processor would not pick: without AVX
# (on a processor without AVX, the form the runs above ran again).
# shellcheck disable=SC2086
"$fd" --require-fast --jit-form sse --rules "$root/rules" $carts
"$fd" --require-fast --jit-form sse --rules "$root/tests/fastdiff/edge.rules" "$root/tests/fastdiff/edge.txt"
# The vector instructions of the shipped and edge rules' machine code,
# built with AVX and without: one encoding each (vex.sh).
sh "$root/tests/fastdiff/vex.sh" "$fd" "$root/rules" "$root/tests/fastdiff/edge.rules"
