#!/bin/sh
# A read error part way through the carts: `eval` on several threads
# (src/cmd_pipe.c cuts the input itself) prints what one thread prints,
# byte for byte, standard output and error together, and exits the same:
# the carts before the error, the diagnostics of the complete lines of
# the cart it drops, the `cannot read` message and the count of errors.
#
#   sh tests/readfail/run.sh PTRULES-READFAIL
#
# PTRULES-READFAIL is ptrules linked with tests/readfail/wrap.c, which
# fails standard input with EIO after PTRULES_FAIL_AFTER bytes.  The
# error comes at every byte of a small file with a bad cart, every 97th
# of 60 generated carts and every 61st of them after a record before the
# first `cart` line, with two and three threads and parts of 7 bytes and
# of 256 KiB.
set -u
[ $# -ge 1 ] || { echo "usage: $0 PTRULES-READFAIL" >&2; exit 2; }
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0 fail=0

printf 'cart id=a\norder date=2026-03-05\nitem price=100\ncart id=b\norder date=2026-03-05\nbogus line\nitem price=3,98\nitem price=5\ncart\norder date=2026-03-06\nitem price=7 qty=x\nitem price=8\n' >"$tmp/small.txt"
"$bin" gen-carts 60 --seed 11 >"$tmp/gen.txt"
printf 'item price=1\n' >"$tmp/pre.txt"
cat "$tmp/gen.txt" >>"$tmp/pre.txt"

# run NAME STEP FILE: every STEP-th byte of FILE as the failing one
run() {
	name=$1 step=$2 file=$3
	size=$(wc -c <"$file")
	at=0
	while [ "$at" -lt "$size" ]; do
		PTRULES_FAIL_AFTER=$at "$bin" eval --jobs 1 --format json --rules "$root/rules" - <"$file" >"$tmp/one" 2>&1
		echo "exit $?" >>"$tmp/one"
		for v in 2:7 3:7 2:262144; do
			PTRULES_FAIL_AFTER=$at PTRULES_PART_BYTES=${v#*:} "$bin" eval --jobs ${v%:*} --format json \
				--rules "$root/rules" - <"$file" >"$tmp/par" 2>&1
			echo "exit $?" >>"$tmp/par"
			if cmp -s "$tmp/one" "$tmp/par"; then
				pass=$((pass + 1))
			else
				echo "FAIL readfail: $name, error after $at bytes, --jobs ${v%:*}, parts of ${v#*:} bytes"
				diff "$tmp/one" "$tmp/par" | head -6
				fail=$((fail + 1))
			fi
		done
		at=$((at + step))
	done
}
run small 1 "$tmp/small.txt"
run generated 97 "$tmp/gen.txt"
run records-first 61 "$tmp/pre.txt"
# The wrapper does fail: the middle of the small file gives the message.
PTRULES_FAIL_AFTER=60 "$bin" eval --jobs 2 --format json --rules "$root/rules" - <"$tmp/small.txt" >"$tmp/par" 2>&1
if grep -q '^-: error: cannot read: Input/output error$' "$tmp/par"; then
	pass=$((pass + 1))
else
	echo "FAIL readfail: no 'cannot read' message from a failing standard input"
	fail=$((fail + 1))
fi
echo "readfail tests: $pass passed, $fail failed"
[ $fail = 0 ]
