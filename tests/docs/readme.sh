#!/bin/sh
# A document's commands cannot rot: every `$ command` line in a ```text
# block of the file (README.md by default) is run from the repository
# root (with build/ on PATH) and its output must be exactly the lines
# that follow it in the block; at least MIN commands must be found.
#   sh tests/docs/readme.sh build/ptrules [FILE.md [MIN]]
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
bindir=$(cd "$(dirname "$1")" && pwd)
doc=${2:-README.md}
min=${3:-8}
label=$(basename "$doc" .md)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Split into tmp/NNN.cmd and tmp/NNN.want.
awk -v dir="$tmp" '
	/^```text$/ { inblock = 1; cur = ""; next }
	/^```/ { inblock = 0; cur = ""; next }
	inblock && /^\$ / { n++; cur = sprintf("%s/%03d", dir, n); print substr($0, 3) > (cur ".cmd"); printf "" > (cur ".want"); next }
	inblock && cur != "" { print >> (cur ".want") }
' "$root/$doc"
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
		echo "FAIL $doc: \$ $(cat "$c")"
		diff -u "$want" "$tmp/got" | head -20
	fi
done
[ $((pass + fail)) -ge "$min" ] || { echo "FAIL $doc: only $((pass + fail)) commands found"; fail=$((fail + 1)); }
echo "$label tests: $pass passed, $fail failed"
[ $fail = 0 ]
