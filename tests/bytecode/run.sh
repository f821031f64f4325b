#!/bin/sh
# Compiled rule sets: reproducible bytes, identical results to the
# sources over every cart we have, and clear errors for damaged files.
#   sh tests/bytecode/run.sh build/ptrules
set -u
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
pass=0
check() { # name, condition result
	if [ "$2" = 0 ]; then pass=$((pass + 1)); else echo "FAIL bytecode: $1"; fail=$((fail + 1)); fi
}
cd "$root"

# 1. The same sources give the same bytes.
"$bin" compile -o "$tmp/a.ptbc" rules && "$bin" compile -o "$tmp/b.ptbc" rules/
cmp -s "$tmp/a.ptbc" "$tmp/b.ptbc"; check "compile is reproducible" $?
"$bin" compile -o "$tmp/x.ptbc" rules tests/rules-extra/airwallet.rules
check "compile with an extra program" $?
ls "$tmp" | grep -q tmp; [ $? = 1 ]; check "no temporary file left behind" $?

# 2. --bytecode gives exactly what --rules gives, on every cart we have:
# the shipped carts and every cart.txt embedded in the language tests.
mkdir -p "$tmp/carts"
cp examples/cart.txt tests/carts/*.txt tests/corpus/*.txt "$tmp/carts/"
for t in tests/lang/*.test; do
	awk -v out="$tmp/carts/$(basename "$t" .test).txt" '
		/^--- file cart.txt$/ { on = 1; next }
		/^--- / { on = 0 }
		on { print > out }' "$t"
done
n=0
for c in "$tmp"/carts/*.txt; do
	for fmt in json text; do
		"$bin" eval --format $fmt --explain --rules rules --rules tests/rules-extra/airwallet.rules "$c" \
			>"$tmp/src.out" 2>"$tmp/src.err"
		rs=$?
		"$bin" eval --format $fmt --explain --bytecode "$tmp/x.ptbc" "$c" >"$tmp/bc.out" 2>"$tmp/bc.err"
		rb=$?
		cmp -s "$tmp/src.out" "$tmp/bc.out" && cmp -s "$tmp/src.err" "$tmp/bc.err" && [ $rs = $rb ]
		check "same results for $(basename "$c") ($fmt)" $?
		n=$((n + 1))
	done
done

# 3. Damaged files: an error naming the file and what is wrong, exit 1.
expect_error() { # name, file, message
	"$bin" eval --bytecode "$2" examples/cart.txt >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc = 1 ] && grep -qF "$3" "$tmp/err"
	check "$1 (exit $rc: $(head -1 "$tmp/err"))" $?
}
head -c 100 "$tmp/a.ptbc" >"$tmp/trunc.ptbc"
expect_error "truncated file" "$tmp/trunc.ptbc" "trunc.ptbc: error: byte 16: the header says"
cp "$tmp/a.ptbc" "$tmp/flip.ptbc"
printf '\377' | dd of="$tmp/flip.ptbc" bs=1 seek=600 conv=notrunc 2>/dev/null
expect_error "flipped payload byte" "$tmp/flip.ptbc" "checksum mismatch: the file is corrupted"
cp "$tmp/a.ptbc" "$tmp/ver.ptbc"
printf '\003' | dd of="$tmp/ver.ptbc" bs=1 seek=8 conv=notrunc 2>/dev/null
expect_error "future format version" "$tmp/ver.ptbc" "format version 3 is not supported"
expect_error "not a compiled file" examples/cart.txt "not a compiled ptrules file (bad magic)"
: >"$tmp/empty.ptbc"
expect_error "empty file" "$tmp/empty.ptbc" "not a compiled ptrules file"
expect_error "missing file" "$tmp/none.ptbc" "cannot open"

# 4. A failed write leaves the old file as it was.
cp "$tmp/a.ptbc" "$tmp/keep.ptbc"
mkdir "$tmp/ro" && cp "$tmp/a.ptbc" "$tmp/ro/keep.ptbc" && chmod 555 "$tmp/ro"
if [ "$(id -u)" != 0 ]; then
	"$bin" compile -o "$tmp/ro/keep.ptbc" tests/rules-extra/airwallet.rules 2>/dev/null
	[ $? = 1 ] && cmp -s "$tmp/ro/keep.ptbc" "$tmp/a.ptbc"; check "failed write keeps the old file" $?
fi
chmod 755 "$tmp/ro"
"$bin" compile -o "$tmp/keep.ptbc" tests/rules-extra/bad-does-not-exist.rules 2>/dev/null
[ $? = 1 ] && cmp -s "$tmp/keep.ptbc" "$tmp/a.ptbc"; check "failed compile keeps the old file" $?

# 5. disasm reads compiled files too, and says the same as on sources.
"$bin" disasm rules >"$tmp/d1" && "$bin" disasm "$tmp/a.ptbc" >"$tmp/d2"
cmp -s "$tmp/d1" "$tmp/d2"; check "disasm of .ptbc equals disasm of sources" $?

echo "bytecode tests: $pass passed, $fail failed ($n source/bytecode comparisons)"
[ $fail = 0 ]
