#!/bin/sh
# Determinism: the same inputs give byte-identical output.
#
#   sh tests/run-determinism.sh PTRULES
#
# Over tests/carts/*.txt, tests/corpus/*.txt (when present) and 400 carts
# generated here (an awk LCG with a fixed seed: every program, category,
# card and tier boundary, dates around every dated version), against
# rules/ and tests/rules-extra/, it checks that
#   1. two runs of `eval --format json` print the same bytes (stdout,
#      stderr and exit status), and so do text output and --explain;
#   2. the locale and the TZ variable change nothing (undated carts are
#      evaluated at today's date in Japan whatever TZ says);
#   3. each cart's result does not depend on the carts around it: the
#      generated file evaluated whole equals its carts evaluated one file
#      each (100 of them), and reading it from standard input changes
#      nothing;
#   4. when the binary has `compile` and `eval --bytecode`: compiling
#      twice gives the same bytes, and the compiled rules give the same
#      output as the sources;
#   5. eval on several threads (src/cmd_pipe.c: the file cut into parts
#      at `cart` lines, each read, evaluated and formatted by a worker)
#      prints what one thread prints, byte for byte, with standard output
#      and error interleaved as written and the same exit status: two
#      threads with the default parts, and three or four with parts of
#      1, 97 and 4,096 bytes (PTRULES_PART_BYTES) so that every file is
#      cut into many; over the files above, one file of more than 7,000
#      carts mixing them, standard input, --explain, and files made to
#      trip the cutting: records before the first `cart` line (a first
#      part with one cart more than its `cart` lines, which every later
#      part must be read again for), `cart` lines with blanks before
#      them, CRLF, a comment or a word after them, words that only begin
#      with cart, carts without ids (file#N labels), no `cart` line at
#      all, an empty file, and a last line without a newline.
set -u
[ $# -ge 1 ] || { echo "usage: $0 PTRULES" >&2; exit 2; }
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0 fail=0
# Undated carts are evaluated at today's date in Japan: if that changes
# during the run (15:00 UTC), a failure is not trusted and the run is
# repeated once.
day0=$(TZ=Asia/Tokyo date +%F)

# Generated carts, deterministic: cart ids g1..gN, all dated but every 25th.
awk -v n=400 'BEGIN {
	seed = 20261125
	split("grocery kindle audible prime_fee digital subscription giftcard books electronics general", cat, " ")
	split("jcb visa mastercard amex", card, " ")
	split("giftcard cod", meth, " ")
	split("2024-06-01 2024-10-02 2024-10-03 2025-06-01 2026-01-12 2026-01-13 2026-03-01 2026-03-05 2026-11-24 2026-12-31", fixed, " ")
	for (c = 1; c <= n; c++) {
		printf "cart id=g%d\n", c
		if (c % 25 != 0) {
			if (r(3) == 0) d = fixed[1 + r(10)]
			else d = sprintf("%04d-%02d-%02d", 2024 + r(3), 1 + r(12), 1 + r(28))
			printf "order id=250-%07d date=%s\n", r(10000000), d
		}
		ni = r(6)
		for (i = 0; i < ni; i++) {
			printf "item price=%d", 1 + r(30000)
			if (r(3) == 0) printf " qty=%d", 1 + r(5)
			if (r(2) == 0) printf " category=%s", cat[1 + r(10)]
			if (r(4) == 0) printf " name=\"item %d\"", i
			printf "\n"
		}
		k = r(6)
		if (k < 4) printf "payment card=%s\n", card[1 + k]
		else if (k == 4) printf "payment method=%s\n", meth[1 + r(2)]
		if (r(3) > 0) printf "account program=dpoint balance=%d earned_3mo=%d earned_this_month=%d dvaluepass=%s prime=%s\n", r(5000), r(6000), r(300), r(2) ? "yes" : "no", r(2) ? "yes" : "no"
		if (r(2) == 0) printf "account program=recruit balance=%d\n", r(3000)
		if (r(2) == 0) printf "account program=okidoki balance=%d\n", r(2000)
		if (r(3) == 0) printf "account program=airwallet balance=%d earned_this_month=%d\n", r(100), r(12000)
		if (r(5) == 0) printf "use program=dpoint points=%d\n", r(1000)
		printf "\n"
	}
}
function r(m) { seed = (seed * 1103515245 + 12345) % 2147483648; return int(seed / 65536) % m }
' >"$tmp/gen.txt"

set -- "$tmp/gen.txt"
for f in "$root"/tests/carts/*.txt "$root"/tests/corpus/*.txt; do
	[ -f "$f" ] && set -- "$@" "$f"
done
rules="--rules $root/rules --rules $root/tests/rules-extra"

# eval_to NAME ARGS...: ptrules ARGS > NAME.out, NAME.err, exit in NAME.rc
eval_to() {
	name=$1
	shift
	"$bin" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	echo $? >"$tmp/$name.rc"
}
# same WHAT A B: compare two runs' outputs.
same() {
	if cmp -s "$tmp/$2.out" "$tmp/$3.out" && cmp -s "$tmp/$2.err" "$tmp/$3.err" && cmp -s "$tmp/$2.rc" "$tmp/$3.rc"; then
		pass=$((pass + 1))
	else
		echo "FAIL determinism: $1"
		diff "$tmp/$2.out" "$tmp/$3.out" | head -5
		diff "$tmp/$2.err" "$tmp/$3.err" | head -5
		fail=$((fail + 1))
	fi
}

# 1. Run twice.
eval_to json1 eval --format json $rules "$@"
eval_to json2 eval --format json $rules "$@"
same "two runs of eval --format json" json1 json2
[ -s "$tmp/json1.out" ] || { echo "FAIL determinism: eval printed nothing"; fail=$((fail + 1)); }
eval_to text1 eval --explain $rules "$@"
eval_to text2 eval --explain $rules "$@"
same "two runs of eval --explain" text1 text2

# 2. Locale and time zone.
LC_ALL=C TZ=UTC eval_to envA eval --format json $rules "$@"
LC_ALL=C.UTF-8 TZ=Pacific/Kiritimati eval_to envB eval --format json $rules "$@"
LANG=ja_JP.UTF-8 LC_ALL= TZ=America/Los_Angeles eval_to envC eval --format json $rules "$@"
same "LC_ALL=C TZ=UTC against LC_ALL=C.UTF-8 TZ=Pacific/Kiritimati" envA envB
same "LC_ALL=C TZ=UTC against LANG=ja_JP.UTF-8 TZ=America/Los_Angeles" envA envC

# 3. Carts do not influence each other.
eval_to whole eval --format json $rules "$tmp/gen.txt"
mkdir -p "$tmp/split"
awk -v d="$tmp/split" '/^cart / { n++; f = sprintf("%s/c%03d.txt", d, n) } n <= 100 && f { print > f }' "$tmp/gen.txt"
: >"$tmp/parts.out"
for f in "$tmp"/split/c*.txt; do
	"$bin" eval --format json $rules "$f" >>"$tmp/parts.out" 2>/dev/null
done
head -n 100 "$tmp/whole.out" >"$tmp/whole100.out"
if cmp -s "$tmp/whole100.out" "$tmp/parts.out"; then
	pass=$((pass + 1))
else
	echo "FAIL determinism: a cart's result depends on the carts before it"
	diff "$tmp/whole100.out" "$tmp/parts.out" | head -5
	fail=$((fail + 1))
fi
"$bin" eval --format json $rules - <"$tmp/gen.txt" >"$tmp/stdin.out" 2>"$tmp/stdin.err"
echo $? >"$tmp/stdin.rc"
same "a cart file against the same bytes on standard input" whole stdin

# 4. Compiled rules, when the binary can write them.
if "$bin" --help 2>&1 | grep -q -- '--bytecode'; then
	"$bin" compile -o "$tmp/a.ptbc" $rules >/dev/null 2>&1 &&
	"$bin" compile -o "$tmp/b.ptbc" $rules >/dev/null 2>&1
	if cmp -s "$tmp/a.ptbc" "$tmp/b.ptbc" && [ -s "$tmp/a.ptbc" ]; then
		pass=$((pass + 1))
	else
		echo "FAIL determinism: two compiles of the same rules differ (or compile failed)"
		fail=$((fail + 1))
	fi
	eval_to bc eval --format json --bytecode "$tmp/a.ptbc" "$@"
	same "eval --bytecode against eval --rules" json1 bc
	eval_to bcx eval --explain --bytecode "$tmp/a.ptbc" "$@"
	same "eval --explain --bytecode against eval --explain --rules" text1 bcx
fi

# 5. Several threads against one.
if "$bin" --help 2>&1 | grep -q -- '--jobs'; then
	# jobs NAME ARGS...: eval ARGS with --jobs 1, then with each of the
	# thread counts and part sizes below; stdout and stderr in one file
	# (their order is part of the output)
	jobs() {
		name=$1
		shift
		"$bin" eval --jobs 1 "$@" >"$tmp/$name-j1.out" 2>&1
		echo $? >"$tmp/$name-j1.rc"
		: >"$tmp/$name-j1.err"
		for v in 2:0 3:1 4:97 3:4096; do
			j=${v%:*} pb=${v#*:}
			if [ "$pb" = 0 ]; then
				"$bin" eval --jobs $j "$@" >"$tmp/$name-par.out" 2>&1
			else
				PTRULES_PART_BYTES=$pb "$bin" eval --jobs $j "$@" >"$tmp/$name-par.out" 2>&1
			fi
			echo $? >"$tmp/$name-par.rc"
			: >"$tmp/$name-par.err"
			same "eval --jobs $j (parts of ${pb:-default} bytes) against --jobs 1 ($name)" "$name-j1" "$name-par"
		done
	}
	jobs json --format json $rules "$@"
	jobs text $rules "$@"
	jobs explain --explain --format json $rules "$@"
	jobs shipped --format json --rules "$root/rules" "$@"
	for i in 1 2 3; do
		"$bin" gen-carts 2000 --seed $i --start $((i * 2000))
		cat "$@"
	done >"$tmp/mixed.txt"
	jobs mixed --format json $rules "$tmp/mixed.txt"
	jobs mixed-text --rules "$root/rules" "$tmp/mixed.txt" "$tmp/gen.txt"
	printf 'item price=100 category=grocery\norder date=2026-03-05\n\ncart id=a\norder date=2026-03-05\nitem price=200\n' >"$tmp/pre.txt"
	cat "$tmp/gen.txt" >>"$tmp/pre.txt"
	printf 'cart\norder date=2026-03-05\nitem price=7\n' >>"$tmp/pre.txt"   # labelled by its number: pre.txt#403
	printf 'cart\norder date=2026-03-05\nitem price=1\n  cart\r\norder date=2026-03-05\r\nitem price=2\r\n' >"$tmp/odd.txt"
	printf '\tcart # a comment\norder date=2026-03-05\ncartx id=1\ncart-y\nitem price=3\ncart id=z\nitem price=4 qty=x\n' >>"$tmp/odd.txt"
	cat "$tmp/gen.txt" >>"$tmp/odd.txt"
	printf 'cart\norder date=2026-03-06\nitem price=5' >>"$tmp/odd.txt"
	printf 'order date=2026-03-05\nitem price=100\nitem price=200 category=book\n' >"$tmp/one.txt"
	: >"$tmp/empty.txt"
	printf '# nothing but a comment\n\n' >"$tmp/comment.txt"
	for f in pre odd one empty comment; do
		jobs "file-$f" --format json $rules "$tmp/$f.txt"
	done
	jobs files-text $rules "$tmp/pre.txt" "$tmp/odd.txt" "$tmp/one.txt" "$tmp/empty.txt"
	"$bin" eval --jobs 1 --format json $rules - <"$tmp/mixed.txt" >"$tmp/stdin-j1.out" 2>&1
	echo $? >"$tmp/stdin-j1.rc"
	for v in 2:0 3:97; do
		j=${v%:*} pb=${v#*:}
		PTRULES_PART_BYTES=$([ "$pb" = 0 ] && echo 262144 || echo "$pb") \
			"$bin" eval --jobs $j --format json $rules - <"$tmp/mixed.txt" >"$tmp/stdin-par.out" 2>&1
		echo $? >"$tmp/stdin-par.rc"
		: >"$tmp/stdin-j1.err"
		: >"$tmp/stdin-par.err"
		same "eval --jobs $j against --jobs 1 (standard input, parts of $pb bytes)" stdin-j1 stdin-par
	done
fi

if [ $fail != 0 ] && [ "$(TZ=Asia/Tokyo date +%F)" != "$day0" ] && [ -z "${PT_DETERMINISM_RETRY:-}" ]; then
	echo "the date in Japan changed during the run; running again"
	rm -rf "$tmp"
	PT_DETERMINISM_RETRY=1 exec sh "$0" "$bin"
fi
echo "determinism tests: $pass passed, $fail failed"
[ $fail = 0 ]
