#!/bin/sh
# Documentation that cannot rot: every example in docs/diagnostics.md is
# compiled, and every bad one must produce its code while every good one
# passes `ptrules check --strict`.
#   sh tests/docs/run.sh build/ptrules
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
# Split the ```rules bad|good CODE blocks into files NNN-bad-CODE.rules.
awk -v dir="$tmp" '
	/^```rules (bad|good) PT[0-9]+$/ { n++; out = sprintf("%s/%03d-%s-%s.rules", dir, n, $2, $3); next }
	/^```/ { out = ""; next }
	out != "" { print > out }
' "$root/docs/diagnostics.md"
# PT011's bad example is generated: a sum of 1,002 terms (1,001 operators).
for f in "$tmp"/*-bad-PT011.rules; do
	[ -f "$f" ] || continue
	awk 'BEGIN { printf "program p {\n  name \"P\"\n  earn {\n    add 1 points"; for (i = 0; i < 1001; i++) printf " + 1 points"; printf "\n  }\n}\n" }' >"$f"
done
for f in "$tmp"/*.rules; do
	name=$(basename "$f" .rules)
	code=${name##*-}
	case $name in
	*-bad-*)
		out=$("$bin" check "$f" 2>&1)
		if printf '%s' "$out" | grep -q "\[$code\]"; then pass=$((pass + 1)); else
			echo "FAIL docs/diagnostics.md: the bad $code example does not report $code:"; printf '%s\n' "$out" | head -5
			fail=$((fail + 1)); fi ;;
	*-good-*)
		if out=$("$bin" check --strict "$f" 2>&1); then pass=$((pass + 1)); else
			echo "FAIL docs/diagnostics.md: the good $code example is not clean:"; printf '%s\n' "$out" | head -5
			fail=$((fail + 1)); fi ;;
	esac
done
[ $pass -ge 32 ] || { echo "FAIL docs/diagnostics.md: only $pass examples found"; fail=$((fail + 1)); }
echo "docs tests: $pass passed, $fail failed"
[ $fail = 0 ]
