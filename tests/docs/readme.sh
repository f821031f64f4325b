#!/bin/sh
# README.md's commands cannot rot: every `$ command` line in a ```text
# block is run from the repository root (with build/ on PATH) and its
# output must be exactly the lines that follow it in the block.
#   sh tests/docs/readme.sh build/ptrules
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
bindir=$(cd "$(dirname "$1")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Split into tmp/NNN.cmd and tmp/NNN.want.
awk -v dir="$tmp" '
	/^```text$/ { inblock = 1; cur = ""; next }
	/^```/ { inblock = 0; cur = ""; next }
	inblock && /^\$ / { n++; cur = sprintf("%s/%03d", dir, n); print substr($0, 3) > (cur ".cmd"); printf "" > (cur ".want"); next }
	inblock && cur != "" { print >> (cur ".want") }
' "$root/README.md"
pass=0
fail=0
cd "$root"
for c in "$tmp"/*.cmd; do
	[ -f "$c" ] || continue
	want=${c%.cmd}.want
	PATH="$bindir:$PATH" sh -c "$(cat "$c")" >"$tmp/got" 2>&1
	if cmp -s "$tmp/got" "$want"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL README.md: \$ $(cat "$c")"
		diff -u "$want" "$tmp/got" | head -20
	fi
done
[ $((pass + fail)) -ge 8 ] || { echo "FAIL README.md: only $((pass + fail)) commands found"; fail=$((fail + 1)); }
echo "README tests: $pass passed, $fail failed"
[ $fail = 0 ]
