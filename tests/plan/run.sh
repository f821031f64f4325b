#!/bin/sh
# docs/plan.md cannot rot: every `$ ./build/ptrules plan ...` line in a
# ```text block is run from the repository root and its output must be
# exactly the lines that follow it in the block.
#   sh tests/plan/run.sh build/ptrules
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk -v dir="$tmp" '
	/^```text$/ { inblock = 1; cur = ""; next }
	/^```/ { inblock = 0; cur = ""; next }
	inblock && /^\$ \.\/build\/ptrules plan / { n++; cur = sprintf("%s/%03d", dir, n); print substr($0, 19) > (cur ".cmd"); printf "" > (cur ".want"); next }
	inblock && cur != "" { print >> (cur ".want") }
' "$root/docs/plan.md"
pass=0
fail=0
cd "$root"
for c in "$tmp"/*.cmd; do
	[ -f "$c" ] || continue
	want=${c%.cmd}.want
	sh -c "\"$bin\" $(cat "$c")" >"$tmp/got" 2>&1
	if cmp -s "$tmp/got" "$want"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL docs/plan.md: \$ ./build/ptrules $(cat "$c")"
		diff -u "$want" "$tmp/got" | head -20
	fi
done
[ $((pass + fail)) -ge 5 ] || { echo "FAIL docs/plan.md: only $((pass + fail)) plan commands found"; fail=$((fail + 1)); }
echo "plan docs tests: $pass passed, $fail failed"
[ $fail = 0 ]
