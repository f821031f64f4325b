#!/bin/sh
# Tests of `ptrules gen-carts` and `ptrules diff` (run by `make check`):
#   sh tests/diff/run.sh build/ptrules
#
# 1. gen-carts is deterministic: same (N, seed) same bytes, another seed
#    other carts, --start splits a corpus without changing it; bad
#    arguments are usage errors.
# 2. tests/corpus/ is exactly what tests/corpus/regen.sh writes, and every
#    cart in it evaluates without a diagnostic under rules/ and under both
#    rule sets of tests/diff/.
# 3. The golden cases in tests/diff/cases/*.test (the format of
#    tests/lang, run by tests/run-lang.sh): identical rule sets, a real
#    change as text and JSON, --fail-if, errors and usage errors.
# 4. Every --fail-if form with its exit code, and usage errors (exit 2).
# 5. A compiled .ptbc on either side gives the same report as its sources;
#    stdin and directories of carts.
# 6. The commands in docs/ci.md: the shown `ptrules diff` output, and the
#    CI workflow's diff step run in a scratch git repository.
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root"
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL diff: $1"; fail=$((fail + 1)); }
check() { # name, status (0 = pass)
	if [ "$2" = 0 ]; then ok; else bad "$1"; fi
}
old=tests/diff/old
new=tests/diff/new

# ---- 1. gen-carts -------------------------------------------------------------
"$bin" gen-carts 300 --seed 42 >"$tmp/a.txt"; check "gen-carts exit 0" $?
"$bin" gen-carts 300 --seed 42 >"$tmp/b.txt"
cmp -s "$tmp/a.txt" "$tmp/b.txt"; check "gen-carts: same seed, same bytes" $?
"$bin" gen-carts 300 --seed=42 >"$tmp/b2.txt"
cmp -s "$tmp/a.txt" "$tmp/b2.txt"; check "gen-carts: --seed=S is --seed S" $?
"$bin" gen-carts 300 --seed 43 >"$tmp/c.txt"
! cmp -s "$tmp/a.txt" "$tmp/c.txt"; check "gen-carts: another seed, other carts" $?
[ "$(grep -c '^cart id=g' "$tmp/a.txt")" = 300 ]; check "gen-carts: 300 carts, ids g1..g300" $?
grep -q '^cart id=g300$' "$tmp/a.txt"; check "gen-carts: last id g300" $?
{ "$bin" gen-carts 120 --seed 42; "$bin" gen-carts 180 --seed 42 --start 121; } | grep -v '^#' >"$tmp/split.txt"
grep -v '^#' "$tmp/a.txt" | cmp -s - "$tmp/split.txt"; check "gen-carts: --start splits a corpus" $?
"$bin" gen-carts 2 >"$tmp/d1.txt" && "$bin" gen-carts 2 --seed 1 >"$tmp/d2.txt"
cmp -s "$tmp/d1.txt" "$tmp/d2.txt"; check "gen-carts: the default seed is 1" $?
"$bin" gen-carts 0 --seed 5 >"$tmp/zero.txt"; check "gen-carts 0 exits 0" $?
[ "$(grep -c '^cart' "$tmp/zero.txt")" = 0 ]; check "gen-carts 0 writes no cart" $?
"$bin" eval "$tmp/a.txt" >/dev/null 2>"$tmp/a.err"
[ $? = 0 ] && [ ! -s "$tmp/a.err" ]; check "gen-carts: seed 42 carts evaluate without a diagnostic" $?
# What the corpus must contain (the brief of gen-carts): every category,
# payment, rank band, flag and dated change.
c=tests/corpus
for pat in 'category=grocery' 'category=books' 'category=electronics' 'category=kindle' \
	'category=audible' 'category=prime_fee' 'category=digital' 'category=subscription' \
	'category=giftcard' 'card=jcb' 'card=visa' 'card=mastercard' 'card=amex' 'method=giftcard' \
	'method=cod' 'program=dpoint' 'program=recruit' 'program=okidoki' 'dvaluepass=yes' 'prime=yes' \
	'earned_this_month=100 ' 'earned_this_month=250' 'bonus_earned_this_month=600' \
	'date=2024-10-02' 'date=2024-10-03' 'date=2026-01-12' 'date=2026-01-13' 'date=2026-02-28' \
	'date=2026-03-01' 'date=2026-0[3-9]-05' 'price=[0-9],[0-9][0-9][0-9]' 'price=[2-9][0-9],\{0,1\}[0-9][0-9][0-9] ' \
	'qty=' 'name="' 'use program=giftcard' 'use program=dpoint'; do
	grep -q -- "$pat" $c/carts-*.txt; check "corpus has $pat" $?
done
for band in 0 '[1-4][0-9]' '[5-9][0-9]' '[1-5][0-9][0-9]' '[6-9][0-9][0-9]\|1[0-4][0-9][0-9]' \
	'1[5-9][0-9][0-9]\|[2-4][0-9][0-9][0-9]\|[2-4],[0-9][0-9][0-9]' '[5-9],\{0,1\}[0-9][0-9][0-9]\|[1-9][0-9],\{0,1\}[0-9][0-9][0-9]'; do
	grep -q "earned_3mo=\($band\)\( \|$\)" $c/carts-*.txt; check "corpus has earned_3mo in band $band" $?
done
n=$(grep -h '^cart' $c/carts-*.txt | wc -l)
[ "$n" = 2000 ]; check "corpus holds 2,000 carts (found $n)" $?
max=$(awk '/^cart/ { if (n > m) m = n; n = 0 } /^item/ { n++ } END { if (n > m) m = n; print m }' $c/carts-*.txt)
[ "$max" -ge 30 ] && [ "$max" -le 50 ]; check "corpus: largest cart has 30..50 items (found $max)" $?
ones=$(awk '/^cart/ { if (seen) c[n]++; n = 0; seen = 1 } /^item/ { n++ } END { c[n]++; print c[1] }' $c/carts-*.txt)
[ "$ones" -ge 600 ] && [ "$ones" -le 1000 ]; check "corpus: skewed, 30..50% one-item carts (found $ones)" $?
size=$(cat $c/carts-*.txt | wc -c)
[ "$size" -lt 1000000 ]; check "corpus is under 1 MB ($size bytes)" $?
usage() { # name, args...: exit 2 and a usage line on stderr
	name=$1
	shift
	"$bin" "$@" >"$tmp/u.out" 2>"$tmp/u.err"
	rc=$?
	[ $rc = 2 ] && grep -q '^usage: ' "$tmp/u.err" && [ ! -s "$tmp/u.out" ]
	check "$name (exit $rc)" $?
}
usage "gen-carts without N" gen-carts
usage "gen-carts N not a number" gen-carts ten
usage "gen-carts N too large" gen-carts 10000001
usage "gen-carts negative N" gen-carts -5
usage "gen-carts two counts" gen-carts 5 6
usage "gen-carts --seed without value" gen-carts 5 --seed
usage "gen-carts --seed not a number" gen-carts 5 --seed 0x10
usage "gen-carts --seed too large" gen-carts 5 --seed 18446744073709551616
usage "gen-carts --start 0" gen-carts 5 --start 0
usage "gen-carts unknown option" gen-carts 5 --sed 3

# ---- 2. the corpus --------------------------------------------------------------
mkdir "$tmp/corpus"
sh tests/corpus/regen.sh "$bin" "$tmp/corpus"
for f in tests/corpus/carts-*.txt; do
	cmp -s "$f" "$tmp/corpus/$(basename "$f")"
	check "$f is what tests/corpus/regen.sh writes (make corpus)" $?
done
[ "$(ls "$tmp/corpus" | wc -l)" = "$(ls tests/corpus/carts-*.txt | wc -l)" ]
check "tests/corpus has every generated file" $?
for rules in rules $old $new; do
	"$bin" eval --rules $rules tests/corpus/carts-*.txt >/dev/null 2>"$tmp/eval.err"
	[ $? = 0 ] && [ ! -s "$tmp/eval.err" ]
	check "the corpus evaluates without a diagnostic under $rules" $?
done

# ---- 3. golden cases --------------------------------------------------------------
sh tests/run-lang.sh "$bin" tests/diff/cases >"$tmp/cases.out" 2>&1
rc=$?
grep -v '^lang tests:' "$tmp/cases.out"
check "golden cases in tests/diff/cases ($(tail -1 "$tmp/cases.out"))" $rc

# ---- 4. --fail-if forms and exit codes ------------------------------------------------
# Over the corpus, tests/diff/new earns +5.30% dpoint points (77,917 ->
# 82,049: +4,132), 337 carts change (16.85%), 175 earn more, 80 less.
fail_if() { # expected exit, expression...
	want=$1
	shift
	args=""
	for e in "$@"; do
		args="$args --fail-if '$e'"
	done
	eval "\"$bin\" diff --old $old --new $new $args tests/corpus" >"$tmp/f.out" 2>"$tmp/f.err"
	rc=$?
	[ $rc = "$want" ] && { [ $rc = 0 ] && [ ! -s "$tmp/f.err" ] || grep -q 'is true' "$tmp/f.err"; }
	check "--fail-if $* => exit $rc, expected $want" $?
}
fail_if 1 'earn.dpoint.total_change > 2%'
fail_if 0 'earn.dpoint.total_change < -5%'
fail_if 1 'earn.dpoint.total_change > 5.303%'
fail_if 0 'earn.dpoint.total_change > 5.304%'
fail_if 0 'earn.dpoint.total_change >= 5.304%'
fail_if 1 'earn.dpoint.total_change > 4,131'
fail_if 0 'earn.dpoint.total_change > 4,132'
fail_if 1 'earn.dpoint.total_change >= 4132'
fail_if 1 'earn.dpoint.total_change == 4132'
fail_if 0 'earn.dpoint.total_change != 4132'
fail_if 1 'earn.dpoint.total_after <= 82049'
fail_if 0 'earn.dpoint.total_before < 77917'
fail_if 1 'changed_carts > 100'
fail_if 0 'changed_carts > 337'
fail_if 1 'changed_carts >= 16.85%'
fail_if 0 'changed_carts > 16.85%'
fail_if 0 'changed_carts > 20%'
fail_if 1 'program.dpoint.changed_carts == 337'
fail_if 0 'program.okidoki.changed_carts > 0'
fail_if 1 'earn.dpoint.carts_down > 50'
fail_if 1 'earn.dpoint.carts_up >= 175 and earn.dpoint.carts_down >= 80'
fail_if 0 'earn.dpoint.carts_up >= 175 and earn.dpoint.carts_down > 80'
fail_if 1 'earn.dpoint.max_increase == 50 and earn.dpoint.max_decrease == 50'
fail_if 0 'redeem.okidoki.total_change_yen < 0'
fail_if 0 'redeem.dpoint.total_change_yen != 0 or redeem.dpoint.total_change_yen < -1%'
fail_if 0 'error_carts > 0'
fail_if 1 'carts == 2,000'
fail_if 1 'error_carts > 0 or changed_carts > 300'
fail_if 0 'error_carts > 0 or changed_carts > 400'
fail_if 0 'changed_carts > 300 and earn.dpoint.total_change < 0'
fail_if 1 'changed_carts > 400 or changed_carts > 300 and earn.dpoint.total_change > 0'
fail_if 0 '(changed_carts > 400 or changed_carts > 300) and earn.dpoint.total_change < 0'
fail_if 1 'earn.okidoki.total_change == 0%'
fail_if 1 'earn.recruit.total_change<=0%'
fail_if 1 'earn.dpoint.total_change < -5%' 'changed_carts > 100'
fail_if 0 'earn.dpoint.total_change < -5%' 'changed_carts > 1,000'
# A percentage of nothing: no points before and after is 0%; points that
# appear from nothing are an infinitely large increase.
printf 'cart id=aw\norder date=2025-06-01\nitem price=11,000\naccount program=airwallet\n' >"$tmp/aw.txt"
"$bin" diff --old $old --new $old --new tests/rules-extra/airwallet.rules \
	--fail-if 'earn.airwallet.total_change > 1000%' "$tmp/aw.txt" >"$tmp/aw.out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q '^  airwallet .* n/a ' "$tmp/aw.out"
check "a new program's earn change from 0 is above any percentage (exit $rc)" $?
"$bin" diff --old $old --new $old --new tests/rules-extra/airwallet.rules \
	--fail-if 'earn.airwallet.total_change < 1000%' "$tmp/aw.txt" >/dev/null 2>&1
rc=$?
[ $rc = 0 ]; check "... and not below one (exit $rc)" $?

bad_if() { # expression, expected column
	"$bin" diff --old $old --new $new --fail-if "$1" tests/corpus >"$tmp/b.out" 2>"$tmp/b.err"
	rc=$?
	[ $rc = 2 ] && [ ! -s "$tmp/b.out" ] && grep -q "in --fail-if at column $2:" "$tmp/b.err"
	check "bad --fail-if '$1' => exit $rc, column $2 ($(head -1 "$tmp/b.err" | cut -c1-90))" $?
}
bad_if '' 1
bad_if 'changed_carts' 14
bad_if 'changed_carts >' 16
bad_if 'changed_carts > x' 17
bad_if 'changed_carts => 5' 15
bad_if 'changed_carts = 5' 15
bad_if 'changed_carts > 2.5' 17
bad_if 'changed_carts > 5 yen' 19
bad_if 'changed_carts > 5points' 18
bad_if 'changed_carts > 1,00' 17
bad_if 'changed_carts > 1234567890123456' 17
bad_if 'earn.dpoint.total_change > 2.5555%' 28
bad_if 'earn.dpoint.total_before > 2%' 29
bad_if 'redeem.dpoint.max_increase_yen > 1%' 35
bad_if 'carts > 5%' 10
bad_if 'earn.dpoint.totl_change > 2%' 13
bad_if 'earn.dpoint > 2%' 1
bad_if 'earn..total_change > 2%' 1
bad_if 'points.dpoint.total_change > 2%' 1
bad_if 'program.dpoint.carts_up > 2' 16
bad_if 'redeem.okidoki.total_change < 0' 16
bad_if 'earn.nope.total_change > 2%' 6
bad_if 'changed_carts > 5 or' 21
bad_if 'changed_carts > 5 and and carts > 1' 23
bad_if 'changed_carts > 5 xor carts > 1' 19
bad_if '(changed_carts > 5' 19
bad_if 'changed_carts > 5)' 18
bad_if '> 5' 1
bad_if 'changed_carts > 5 # comment' 19

usage "diff without arguments" diff
usage "diff without --old" diff --new $new tests/corpus
usage "diff without --new" diff --old $old tests/corpus
usage "diff without carts" diff --old $old --new $new
usage "diff --format xml" diff --format xml --old $old --new $new tests/corpus
usage "diff --top 101" diff --top 101 --old $old --new $new tests/corpus
usage "diff --top x" diff --top x --old $old --new $new tests/corpus
usage "diff --old without value" diff tests/corpus --old
usage "diff unknown option" diff --olds $old --new $new tests/corpus
usage "diff --fail-if without value" diff --old $old --new $new tests/corpus --fail-if
"$bin" compile -o "$tmp/old.ptbc" $old 2>/dev/null
usage "diff .ptbc among other paths" diff --old "$tmp/old.ptbc" --old $old --new $new tests/corpus
"$bin" diff --help >"$tmp/h.out" 2>&1
[ $? = 0 ] && grep -q '^usage: ptrules diff' "$tmp/h.out"; check "diff --help exits 0" $?
"$bin" --help | grep -q 'ptrules diff --old PATH --new PATH'; check "ptrules --help names diff" $?
"$bin" --help | grep -q 'ptrules gen-carts N'; check "ptrules --help names gen-carts" $?

# A missing cart file is reported and counted: exit 1, the others compared.
"$bin" diff --old $old --new $new tests/corpus/carts-1.txt "$tmp/none.txt" >"$tmp/m.out" 2>"$tmp/m.err"
[ $? = 1 ] && grep -q 'none.txt: error: cannot open' "$tmp/m.err" && grep -q '^carts: 500 in 2 files' "$tmp/m.out"
check "a missing cart file: exit 1, the other files compared" $?
# Rules that do not load on the old side: exit 1, no report.
"$bin" diff --old "$tmp/nothing-here" --new $new tests/corpus >"$tmp/r.out" 2>"$tmp/r.err"
[ $? = 1 ] && [ ! -s "$tmp/r.out" ] && grep -q 'old rules cannot be loaded' "$tmp/r.err"
check "old rules that do not load: exit 1" $?

# ---- 5. bytecode, stdin, directories ---------------------------------------------------
"$bin" diff --old $old --new $new tests/corpus >"$tmp/src.txt"
"$bin" compile -o "$tmp/new.ptbc" $new 2>/dev/null
"$bin" diff --old "$tmp/old.ptbc" --new "$tmp/new.ptbc" tests/corpus >"$tmp/bc.txt"
check "diff of two .ptbc files exits 0" $?
sed 1d "$tmp/src.txt" >"$tmp/src.body"
sed 1d "$tmp/bc.txt" | cmp -s - "$tmp/src.body"; check ".ptbc on both sides: the same report as the sources" $?
"$bin" diff --old "$tmp/old.ptbc" --new $old tests/corpus >"$tmp/same.txt"
[ $? = 0 ] && grep -q '; changed: 0 (0.00%); errors: 0$' "$tmp/same.txt"
check ".ptbc of the old rules against their sources: no change" $?
sed 1,2d "$tmp/src.txt" >"$tmp/src.body2"
cat tests/corpus/carts-*.txt | "$bin" diff --old $old --new $new - >"$tmp/stdin.txt"
[ $? = 0 ] && grep -q '^carts: 2,000 in 1 file; changed: 337 (16.85%); errors: 0$' "$tmp/stdin.txt" &&
	sed 1,2d "$tmp/stdin.txt" | cmp -s - "$tmp/src.body2"
check "carts from stdin: the same report" $?
"$bin" diff --old $old --new $new tests/corpus/carts-1.txt tests/corpus/carts-2.txt \
	tests/corpus/carts-3.txt tests/corpus/carts-4.txt | cmp -s - "$tmp/src.txt"
check "a directory is its *.txt files in name order" $?
"$bin" diff --format json --old $old --new $new --top 100 tests/corpus >"$tmp/top.json"
[ "$(grep -o '"cart":"g[0-9]*","program":"dpoint","before":' "$tmp/top.json" | wc -l)" = 100 ]
check "--top 100 lists 100 changes" $?

# ---- 6. docs/ci.md ----------------------------------------------------------------------
# Every ```text block of docs/ci.md that starts with `$ ptrules ...` shows
# that command's standard output, run from the repository root.
awk -v d="$tmp/doc" '
	/^```text$/ { inblock = 1; first = 1; next }
	/^```$/ { if (inblock && cmd) close(out); inblock = 0; cmd = 0; next }
	inblock && first { first = 0; if ($0 ~ /^\$ ptrules /) { n++; cmd = 1; out = d "." n ".expect"
		sub(/^\$ ptrules /, ""); print > (d "." n ".cmd"); close(d "." n ".cmd"); printf "" > out }
		next }
	inblock && cmd { print >> out }
' docs/ci.md
ndoc=0
for f in "$tmp"/doc.*.cmd; do
	[ -f "$f" ] || continue
	ndoc=$((ndoc + 1))
	eval "\"$bin\" $(cat "$f")" >"${f%.cmd}.got" 2>/dev/null
	cmp -s "${f%.cmd}.got" "${f%.cmd}.expect"
	check "docs/ci.md: output of 'ptrules $(cat "$f")'" $?
	cmp -s "${f%.cmd}.got" "${f%.cmd}.expect" || diff "${f%.cmd}.expect" "${f%.cmd}.got" | head -20
done
[ $ndoc -ge 1 ]; check "docs/ci.md shows at least one ptrules diff run ($ndoc)" $?

# The workflow's diff step (between the `# begin: rules diff` and `# end:
# rules diff` lines), run in a scratch repository whose main branch has
# tests/diff/old as rules/ and whose working tree has tests/diff/new.
if command -v git >/dev/null 2>&1; then
	repo="$tmp/repo"
	mkdir -p "$repo/build" "$repo/tests"
	cp -r $old "$repo/rules"
	(cd "$repo" && git init -q -b main . 2>/dev/null || { git init -q . && git checkout -q -b main; }) &&
		(cd "$repo" && git add rules && git -c user.name=t -c user.email=t@example.com commit -q -m base)
	rm -rf "$repo/rules" && cp -r $new "$repo/rules" && cp -r tests/corpus "$repo/tests/corpus"
	ln -s "$bin" "$repo/build/ptrules"
	sed -n '/# begin: rules diff/,/# end: rules diff/p' docs/ci.md | sed 's/^ *//' >"$tmp/step.sh"
	[ -s "$tmp/step.sh" ]; check "docs/ci.md has the diff step" $?
	(cd "$repo" && BASE_REF=main GITHUB_STEP_SUMMARY="$tmp/summary.md" sh -e "$tmp/step.sh") \
		>"$tmp/step.out" 2>"$tmp/step.err"
	rc=$?
	[ $rc = 1 ] && grep -q 'earn.dpoint.total_change > 2% is true' "$tmp/step.err" &&
		grep -q '^  dpoint   77,917  82,049  +4,132  +5.30%' "$tmp/step.out" &&
		grep -q '^  dpoint   77,917  82,049  +4,132  +5.30%' "$tmp/summary.md"
	check "docs/ci.md diff step: blocks the +5.30% change (exit $rc)" $?
	(cd "$repo" && rm -rf rules && git checkout -q main -- rules)
	(cd "$repo" && BASE_REF=main sh -e "$tmp/step.sh") >"$tmp/step2.out" 2>"$tmp/step2.err"
	rc=$?
	[ $rc = 0 ] && grep -q '; changed: 0 (0.00%); errors: 0$' "$tmp/step2.out"
	check "docs/ci.md diff step: passes an unchanged rule set (exit $rc)" $?
else
	echo "diff tests: git not found, the docs/ci.md workflow step was not run"
fi

echo "diff tests: $pass passed, $fail failed"
[ $fail = 0 ]
