#!/bin/sh
# Data-driven language tests, in the style of jq's tests/jq.test.
#
# Each tests/lang/*.test file holds one case:
#   # free text describing the case
#   args: eval --format json $CART        (the ptrules command line)
#   exit: 0                               (expected exit code)
#   --- file NAME                         (any number: files written into
#   ...                                    a scratch dir; $DIR names it)
#   --- stdout                            (expected standard output, exact)
#   --- stderr                            (expected standard error, exact;
#                                          compared only when present)
# $CART is $DIR/cart.txt, $RULES is $DIR/rules (when any file is written
# under rules/), $ROOT is the repository.  A mismatch writes NAME.got
# beside the test and prints a diff.
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
dir=$2
root=$(cd "$(dirname "$0")/.." && pwd)
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for t in "$dir"/*.test; do
	case_dir="$tmp/$(basename "$t" .test)"
	rm -f "${t%.test}.stdout.got" "${t%.test}.stderr.got"   # never keep a stale one
	mkdir -p "$case_dir"
	# Split the file into its sections.
	awk -v d="$case_dir" '
		BEGIN { out = "" }
		/^--- file / { out = d "/" $3; if ($3 ~ /\//) { sub(/\/[^\/]*$/, "", $3); system("mkdir -p \"" d "/" $3 "\"") } printf "" > out; next }
		/^--- stdout$/ { out = d "/.expect_stdout"; printf "" > out; next }
		/^--- stderr$/ { out = d "/.expect_stderr"; printf "" > out; next }
		out == "" && /^args: / { sub(/^args: /, ""); print > (d "/.args"); next }
		out == "" && /^exit: / { sub(/^exit: /, ""); print > (d "/.exit"); next }
		out != "" { print >> out }
	' "$t"
	args=$(cat "$case_dir/.args" 2>/dev/null)
	want_rc=$(cat "$case_dir/.exit" 2>/dev/null || echo 0)
	cmd=$(printf '%s' "$args" | sed -e "s|\\\$CART|$case_dir/cart.txt|g" -e "s|\\\$RULES|$case_dir/rules|g" \
		-e "s|\\\$DIR|$case_dir|g" -e "s|\\\$ROOT|$root|g")
	(cd "$case_dir" && eval "\"$bin\" $cmd" >"$case_dir/.stdout" 2>"$case_dir/.stderr")
	rc=$?
	# Paths in output are made relative to the scratch dir and the root.
	for f in .stdout .stderr; do
		sed -i -e "s|$case_dir/||g" -e "s|$root/||g" "$case_dir/$f"
	done
	ok=1
	[ "$rc" = "$want_rc" ] || { echo "FAIL $t: exit code $rc, expected $want_rc"; ok=0; }
	if ! cmp -s "$case_dir/.stdout" "$case_dir/.expect_stdout" 2>/dev/null; then
		[ -f "$case_dir/.expect_stdout" ] || : >"$case_dir/.expect_stdout"
		echo "FAIL $t: stdout differs (got in ${t%.test}.stdout.got)"
		diff -u "$case_dir/.expect_stdout" "$case_dir/.stdout" | head -30
		cp "$case_dir/.stdout" "${t%.test}.stdout.got"
		ok=0
	fi
	if [ -f "$case_dir/.expect_stderr" ] && ! cmp -s "$case_dir/.stderr" "$case_dir/.expect_stderr"; then
		echo "FAIL $t: stderr differs (got in ${t%.test}.stderr.got)"
		diff -u "$case_dir/.expect_stderr" "$case_dir/.stderr" | head -30
		cp "$case_dir/.stderr" "${t%.test}.stderr.got"
		ok=0
	fi
	if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "lang tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
