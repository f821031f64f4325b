#!/bin/sh
# Regenerate the seed corpora of the fuzz targets from the repository's
# own inputs (run from anywhere; rewrites tests/fuzz/corpus/{rules,cart}):
#   rules: rules/*.rules, tests/rules-extra/*.rules, every `--- file
#          *.rules` section of tests/lang/*.test, every ```rules example
#          of docs/language.md, and a three-file seed
#          joined by the "#@file" marker (see fuzz_rules.c);
#   cart:  examples/cart.txt, tests/carts/*, and every other `--- file`
#          section of tests/lang/*.test.
#   bytecode: `ptrules compile` of every rules seed that compiles alone
#          (needs the binary: tests/fuzz/seed.sh build/ptrules);
#   diff:  the generator's input is any bytes: the first 256 bytes of
#          each cart seed, and a few fixed patterns.
# Files under tests/fuzz/corpus/*/hand-* are written by hand and kept.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(cd "$(dirname "${1:-$root/build/ptrules}")" && pwd)/$(basename "${1:-ptrules}")
c=$root/tests/fuzz/corpus
mkdir -p "$c/rules" "$c/cart" "$c/bytecode" "$c/diff"
find "$c/rules" "$c/cart" "$c/bytecode" "$c/diff" -type f ! -name 'hand-*' -delete
for f in "$root"/rules/*.rules "$root"/tests/rules-extra/*.rules; do
	cp "$f" "$c/rules/$(basename "$f")"
done
cp "$root/examples/cart.txt" "$c/cart/example.txt"
for f in "$root"/tests/carts/*; do
	cp "$f" "$c/cart/carts-$(basename "$f")"
done
# Sections of the language tests: rules files and carts.
for t in "$root"/tests/lang/*.test; do
	awk -v rules="$c/rules" -v carts="$c/cart" -v base="$(basename "$t" .test)" '
		/^--- file / {
			name = $3; gsub(/\//, "_", name)
			out = (name ~ /\.rules$/ ? rules : carts) "/lang-" base "-" name
			printf "" > out; next
		}
		/^--- (stdout|stderr)$/ { out = ""; next }
		out != "" { print >> out }
	' "$t"
done
# Every ```rules example of the language reference.
awk -v rules="$c/rules" '
	/^```rules$/ { n++; out = sprintf("%s/doc-language-%02d.rules", rules, n); printf "" > out; next }
	/^```/ { out = ""; next }
	out != "" { print >> out }
' "$root/docs/language.md"
{ cat "$root/rules/dpoint.rules"; printf '#@file\n'; cat "$root/rules/recruit.rules"; printf '#@file\n'; cat "$root/rules/recruit.rules"; } >"$c/rules/multi-file-duplicate.rules"
# Compiled rule sets: names are kept relative so the bytes do not depend
# on where the repository is.
(cd "$c/rules" && for f in *.rules; do
	case $f in multi-file-*) continue ;; esac
	"$bin" compile -o "$c/bytecode/${f%.rules}.ptbc" "$f" >/dev/null 2>&1 || rm -f "$c/bytecode/${f%.rules}.ptbc"
done)
(cd "$root" && "$bin" compile -o "$c/bytecode/shipped.ptbc" rules tests/rules-extra >/dev/null 2>&1)
for f in "$c"/cart/*; do
	head -c 256 "$f" >"$c/diff/$(basename "$f" .txt).bin"
done
printf '' >"$c/diff/empty.bin"
awk 'BEGIN { for (i = 0; i < 512; i++) printf "%c", 255 }' >"$c/diff/all-ff.bin"
awk 'BEGIN { for (i = 0; i < 512; i++) printf "%c", i % 256 }' >"$c/diff/ramp.bin"
echo "seeds: $(ls "$c/rules" | wc -l) rules, $(ls "$c/cart" | wc -l) carts, $(ls "$c/bytecode" | wc -l) compiled, $(ls "$c/diff" | wc -l) generator inputs"
