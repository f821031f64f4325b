#!/bin/sh
# `ptrules fmt` end to end:
#   sh tests/fmt/run.sh build/ptrules
#
#  1. tests/fmt/cases/NAME.in formats to NAME.out exactly, and NAME.out is
#     already formatted;
#  2. every .rules file in rules/ and tests/ is formatted (fuzz seeds
#     aside);
#  3. over every .rules file in the repository and every rules file
#     embedded in tests/lang/*.test: formatting is idempotent and keeps
#     every comment word for word; text that does not parse is refused
#     with a located diagnostic, exit 1 and no output;
#  4. one canonical layout: the same files with their whitespace mangled
#     (indentation, spacing, tabs, CRLF, extra blank lines) format to the
#     same text;
#  5. formatting never changes the compiled program: the instructions,
#     constants and inputs of `ptrules disasm`, and every eval result
#     (JSON, text, and the values --explain shows) over every cart we
#     have, are the same before and after formatting (for the files as
#     they are, mangled, and joined into one line);
#  6. --check: exit 0 and silence when formatted, exit 1 and a unified
#     diff that `patch` applies when not;
#  7. -w: rewrites atomically (a new inode, mode kept, no temporary file
#     left, unchanged files untouched, symbolic links kept); a file that
#     does not parse or cannot be written is left exactly as it was;
#  8. usage errors exit 2.
set -u
LC_ALL=C   # byte-wise sed and awk: disasm may cut a UTF-8 character
export LC_ALL
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { # name, status (0 = pass)
	if [ "$2" = 0 ]; then pass=$((pass + 1)); else echo "FAIL fmt: $1"; fail=$((fail + 1)); fi
}
cd "$root" || exit 1

# The comments of a .rules text, one per line, trailing blanks dropped
# (a '#' inside a string is not a comment).
comments() {
	awk '{
		sub(/\r$/, "")
		s = 0
		for (i = 1; i <= length($0); i++) {
			c = substr($0, i, 1)
			if (s) { if (c == "\\") i++; else if (c == "\"") s = 0 }
			else if (c == "\"") s = 1
			else if (c == "#") { t = substr($0, i); sub(/[ \t\r]+$/, "", t); print t; break }
		}
	}' "$1"
}

# The text with its whitespace mangled but the same tokens and lines:
# indentation replaced, every space run widened, spaces inside () and []
# and before , : %, trailing blanks, doubled blank lines, CRLF.
mangle() {
	awk '{
		sub(/\r$/, "")
		line = $0
		sub(/^[ \t]+/, "", line)
		if (line == "") { printf "\r\n \t\r\n"; next }
		out = (NR % 2) ? "\t " : "   "
		s = 0
		for (i = 1; i <= length(line); i++) {
			c = substr(line, i, 1)
			if (s) {
				out = out c
				if (c == "\\") { i++; out = out substr(line, i, 1) }
				else if (c == "\"") s = 0
			} else if (c == "\"") { s = 1; out = out c }
			else if (c == "#") { out = out " " substr(line, i); break }
			else if (c == " " || c == "\t") {
				while (substr(line, i + 1, 1) ~ /[ \t]/) i++
				out = out " \t  "
			}
			else if (c == "(" || c == "[") out = out c " "
			else if (c == ")" || c == "]" || c == "," || c == ":" || c == "%") out = out " " c
			else out = out c
		}
		printf "%s \t\r\n", out
	}' "$1"
}

# The code of a .rules text on one line: comments dropped, lines joined.
join_lines() {
	awk '{
		sub(/\r$/, "")
		s = 0
		for (i = 1; i <= length($0); i++) {
			c = substr($0, i, 1)
			if (s) { if (c == "\\") i++; else if (c == "\"") s = 0 }
			else if (c == "\"") s = 1
			else if (c == "#") { $0 = substr($0, 1, i - 1); break }
		}
		printf "%s ", $0
	} END { print "" }' "$1"
}

# ---- 1. golden cases ---------------------------------------------------------
for case_in in tests/fmt/cases/*.in; do
	name=$(basename "$case_in" .in)
	out=${case_in%.in}.out
	"$bin" fmt "$case_in" >"$tmp/got" 2>"$tmp/err"
	rc=$?
	[ $rc = 0 ] && cmp -s "$tmp/got" "$out" && [ ! -s "$tmp/err" ]
	check "case $name: fmt $case_in gives $out (exit $rc)" $?
	cmp -s "$tmp/got" "$out" || diff -u "$out" "$tmp/got" | head -40
	"$bin" fmt --check "$out" >"$tmp/got" 2>&1
	check "case $name: $out is formatted" $?
done

# ---- 2. the repository's rules are formatted ----------------------------------
# Every .rules file under rules/ and tests/, except the fuzzing seeds
# (inputs kept as they were found, broken ones included).  `make fmt`
# rewrites them.
# shellcheck disable=SC2046
"$bin" fmt --check $(find rules tests -name '*.rules' -not -path 'tests/fuzz/*' | sort) >"$tmp/got" 2>&1
rc=$?
[ $rc = 0 ] && [ ! -s "$tmp/got" ] && [ "$(find rules tests -name '*.rules' -not -path 'tests/fuzz/*' | wc -l)" -ge 4 ]
check "every .rules file in rules/ and tests/ is formatted (make fmt rewrites them)" $?
[ $rc = 0 ] || head -40 "$tmp/got"

# ---- 3. idempotent, comments kept, bad text refused -----------------------------
mkdir -p "$tmp/all"
find . -name '*.rules' -not -path './build/*' -not -path './.git/*' | sort >"$tmp/list"
for t in tests/lang/*.test; do
	awk -v d="$tmp/all" -v n="$(basename "$t" .test)" '
		/^--- file rules\// { f = $3; sub(/^rules\//, "", f); out = d "/" n "-" f; printf "" > out; next }
		/^--- / { out = "" }
		out != "" { print >> out }' "$t"
done
ls "$tmp"/all/*.rules >>"$tmp/list" 2>/dev/null
nok=0
nbad=0
while read -r f; do
	if "$bin" fmt "$f" >"$tmp/o1" 2>"$tmp/e1"; then
		nok=$((nok + 1))
		"$bin" fmt "$tmp/o1" >"$tmp/o2" 2>&1
		cmp -s "$tmp/o1" "$tmp/o2"; check "idempotent: $f" $?
		comments "$f" >"$tmp/c1"
		comments "$tmp/o1" >"$tmp/c2"
		cmp -s "$tmp/c1" "$tmp/c2"; check "comments kept ($(wc -l <"$tmp/c1") of them): $f" $?
	else
		rc=$?
		nbad=$((nbad + 1))
		[ $rc = 1 ] && [ ! -s "$tmp/o1" ] && grep -q '^[^:]*:[0-9][0-9]*:[0-9][0-9]*: error: ' "$tmp/e1"
		check "refused with exit 1 and a located error: $f ($(head -1 "$tmp/e1"))" $?
	fi
done <"$tmp/list"
[ $nok -ge 10 ] && [ $nbad -ge 2 ]
check "enough files: $nok formatted, $nbad refused" $?

# ---- 4. one canonical layout ----------------------------------------------------
for f in rules/*.rules tests/rules-extra/*.rules tests/fmt/cases/*.out; do
	"$bin" fmt "$f" >"$tmp/want" 2>&1
	mangle "$f" >"$tmp/mangled.rules"
	"$bin" fmt "$tmp/mangled.rules" >"$tmp/got" 2>&1
	cmp -s "$tmp/want" "$tmp/got"; check "mangled whitespace formats the same: $f" $?
done
printf 'program crlf {\r\n  name "CRLF"\r\n  redeem {\r\n    value 2 yen per point\r\n  }\r\n}\r\n' >"$tmp/crlf.rules"
"$bin" fmt "$tmp/crlf.rules" >"$tmp/got"
printf 'program crlf {\n  name "CRLF"\n  redeem {\n    value 2 yen per point\n  }\n}\n' | cmp -s - "$tmp/got"
check "CRLF becomes LF" $?
printf 'program a {\n  name "a"\n  redeem {\n    value 1 yen per point\n  }\n}' >"$tmp/nonl.rules"
"$bin" fmt "$tmp/nonl.rules" | tail -c 2 | od -c | grep -q '}  *\\n'
check "a final newline is added" $?

# ---- 5. formatting never changes the compiled program --------------------------
# Normalised disasm: source locations, and the rule texts TRACE shows,
# dropped; everything else (opcodes, operands, constants, inputs, string
# comments) compared.
norm_disasm() {
	sed -E -e 's#[^ ()]*\.rules:[0-9]+##g' -e 's/^(  [0-9]{5}  TRACE +[0-9]+).*/\1/' -e 's/ +$//'
}
# Normalised results: locations and rule texts dropped from --explain and
# from messages; the values stay.
norm_eval() {
	sed -E -e 's#^( +)[^ ]*\.rules:[0-9]+: .* => #\1=> #' -e 's#[^ ()]*\.rules:[0-9]+##g'
}
mkdir -p "$tmp/carts"
cp examples/cart.txt tests/carts/*.txt "$tmp/carts/"
for t in tests/lang/*.test; do
	awk -v out="$tmp/carts/lang-$(basename "$t" .test).txt" '
		/^--- file cart.txt$/ { on = 1; next }
		/^--- / { on = 0 }
		on { print > out }' "$t"
done
# The results of one rule set over every cart, normalised.
results() { # dir
	for c in "$tmp"/carts/*.txt; do
		echo "== $(basename "$c")"
		for opt in "--format json" "--format text" "--explain"; do
			# shellcheck disable=SC2086
			"$bin" eval $opt --rules "$1" "$c" >"$tmp/r.out" 2>"$tmp/r.err"
			echo "exit $?"
			cat "$tmp/r.out"
			echo "stderr:"
			cat "$tmp/r.err"
		done
	done | norm_eval
}
mkdir -p "$tmp/src"
cp rules/*.rules tests/rules-extra/*.rules "$tmp/src/"
"$bin" disasm "$tmp/src" | norm_disasm >"$tmp/disasm.src"
results "$tmp/src" >"$tmp/results.src"
grep -q '"earn":{"points":110' "$tmp/results.src" && [ "$(grep -c '^  [0-9]' "$tmp/disasm.src")" -gt 100 ]
check "the reference results are meaningful" $?
for variant in as-is mangled joined; do
	rm -rf "$tmp/v" "$tmp/f"
	mkdir -p "$tmp/v" "$tmp/f"
	for f in "$tmp"/src/*.rules; do
		case $variant in
		as-is) cp "$f" "$tmp/v/" ;;
		mangled) mangle "$f" >"$tmp/v/$(basename "$f")" ;;
		joined) join_lines "$f" >"$tmp/v/$(basename "$f")" ;;
		esac
		"$bin" fmt "$tmp/v/$(basename "$f")" >"$tmp/f/$(basename "$f")"
	done
	for d in v f; do
		"$bin" disasm "$tmp/$d" | norm_disasm >"$tmp/disasm.$d"
		results "$tmp/$d" >"$tmp/results.$d"
	done
	cmp -s "$tmp/disasm.src" "$tmp/disasm.v"; check "same bytecode ($variant, before formatting)" $?
	cmp -s "$tmp/disasm.src" "$tmp/disasm.f"; check "same bytecode ($variant, after formatting)" $?
	cmp -s "$tmp/results.src" "$tmp/results.f"; check "same results over $(ls "$tmp/carts" | wc -l) carts ($variant, after formatting)" $?
	cmp -s "$tmp/disasm.src" "$tmp/disasm.f" || diff "$tmp/disasm.src" "$tmp/disasm.f" | head -20
	cmp -s "$tmp/results.src" "$tmp/results.f" || diff "$tmp/results.src" "$tmp/results.f" | head -20
done
# The joined one-line form is split into one statement per line.
[ "$(wc -l <"$tmp/f/dpoint.rules")" -gt 30 ]
check "one statement per line from a one-line file" $?

# ---- 6. --check ------------------------------------------------------------------
mkdir -p "$tmp/c"
cp tests/fmt/cases/layout.out "$tmp/c/good.rules"
cp tests/fmt/cases/spacing.in "$tmp/c/bad.rules"
"$bin" fmt --check "$tmp/c/good.rules" >"$tmp/out" 2>"$tmp/err"
[ $? = 0 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ]
check "--check on a formatted file: exit 0, no output" $?
(cd "$tmp/c" && "$bin" fmt --check good.rules bad.rules >"$tmp/out" 2>"$tmp/err")
rc=$?
[ $rc = 1 ] && head -2 "$tmp/out" | tr '\n' '|' | grep -qx -- '--- bad.rules|+++ bad.rules (formatted)|' &&
	grep -q '^@@ -1,17 +1,17 @@$' "$tmp/out" && grep -q '^-program   spacing{$' "$tmp/out" &&
	grep -q '^+program spacing {$' "$tmp/out" && ! grep -q 'good.rules' "$tmp/out" &&
	grep -q '^1 file is not formatted' "$tmp/err"
check "--check on an unformatted file: exit 1 (got $rc) and a unified diff" $?
(cd "$tmp/c" && patch -s -p0 <"$tmp/out") && cmp -s "$tmp/c/bad.rules" tests/fmt/cases/spacing.out
check "the --check diff applies with patch and gives the formatted text" $?
# A diff for each of many small changes: hunks, context, line numbers.
for f in tests/fmt/cases/*.in "$tmp"/all/*.rules; do
	"$bin" fmt "$f" >"$tmp/want" 2>/dev/null || continue
	cp "$f" "$tmp/c/p.rules"
	(cd "$tmp/c" && "$bin" fmt --check p.rules >"$tmp/out" 2>/dev/null)
	rc=$?
	if cmp -s "$f" "$tmp/want"; then
		[ $rc = 0 ] && [ ! -s "$tmp/out" ]
	else
		[ $rc = 1 ] && (cd "$tmp/c" && patch -s -p0 <"$tmp/out") && cmp -s "$tmp/c/p.rules" "$tmp/want"
	fi
	check "--check diff of $(basename "$f") applies" $?
done
printf 'program a {\n  name "a"\n  redeem {\n    value 1 yen per point\n  }\n}' >"$tmp/c/nonl.rules"
(cd "$tmp/c" && "$bin" fmt --check nonl.rules >"$tmp/out" 2>/dev/null)
printf -- '--- nonl.rules\n+++ nonl.rules (formatted)\n@@ -3,4 +3,4 @@\n   redeem {\n     value 1 yen per point\n   }\n-}\n\\ No newline at end of file\n+}\n' |
	cmp -s - "$tmp/out"
check "--check shows a missing final newline" $?
printf 'program a { name "a" redeem { value 1 yen per point' >"$tmp/c/broken.rules"
"$bin" fmt --check "$tmp/c/broken.rules" >"$tmp/out" 2>"$tmp/err"
[ $? = 1 ] && [ ! -s "$tmp/out" ] && grep -q 'broken.rules:1:[0-9]*: error: unexpected end of file' "$tmp/err"
check "--check on a file that does not parse: exit 1 and a located error" $?

# ---- 7. -w -------------------------------------------------------------------------
mkdir -p "$tmp/w"
cp tests/fmt/cases/spacing.in "$tmp/w/a.rules"
cp tests/fmt/cases/layout.out "$tmp/w/same.rules"
chmod 640 "$tmp/w/a.rules"
ino_a=$(ls -i "$tmp/w/a.rules" | awk '{print $1}')
ino_s=$(ls -i "$tmp/w/same.rules" | awk '{print $1}')
touch -d '2001-01-01 00:00:00' "$tmp/w/same.rules"
"$bin" fmt -w "$tmp/w/a.rules" "$tmp/w/same.rules" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 0 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ] && cmp -s "$tmp/w/a.rules" tests/fmt/cases/spacing.out
check "-w rewrites an unformatted file (exit $rc)" $?
[ "$(ls -i "$tmp/w/a.rules" | awk '{print $1}')" != "$ino_a" ]
check "-w replaces the file by renaming a new one over it" $?
[ "$(ls -l "$tmp/w/a.rules" | cut -c1-10)" = "-rw-r-----" ]
check "-w keeps the file mode ($(ls -l "$tmp/w/a.rules" | cut -c1-10))" $?
[ "$(ls -i "$tmp/w/same.rules" | awk '{print $1}')" = "$ino_s" ] && [ -z "$(find "$tmp/w/same.rules" -newer "$tmp/w/a.rules")" ] &&
	[ "$(find "$tmp/w/same.rules" -newermt '2001-01-02' | wc -l)" = 0 ]
check "-w leaves a formatted file untouched" $?
[ "$(ls -A "$tmp/w" | wc -l)" = 2 ]
check "-w leaves no temporary file" $?
# A file that does not parse: nothing written, located error, exit 1;
# the other files are still formatted.
cp tests/fmt/cases/spacing.in "$tmp/w/b.rules"
printf 'program bad {\n  name "Bad"\n  redeem {\n    value 1 yen per point\n    require payment.card = "jcb" else "x"\n  }\n}\n' >"$tmp/w/bad.rules"
cp "$tmp/w/bad.rules" "$tmp/bad.orig"
ino_b=$(ls -i "$tmp/w/bad.rules" | awk '{print $1}')
"$bin" fmt -w "$tmp/w/bad.rules" "$tmp/w/b.rules" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 1 ] && cmp -s "$tmp/w/bad.rules" "$tmp/bad.orig" && [ "$(ls -i "$tmp/w/bad.rules" | awk '{print $1}')" = "$ino_b" ] &&
	grep -q "bad.rules:5:26: error: unexpected '='" "$tmp/err" && grep -q 'bad.rules: not formatted: it has errors (the file is unchanged)' "$tmp/err" &&
	cmp -s "$tmp/w/b.rules" tests/fmt/cases/spacing.out
check "-w on a file that does not parse: exit 1 (got $rc), located error, file unchanged, others formatted" $?
[ "$(ls -A "$tmp/w" | wc -l)" = 4 ]
check "-w leaves no temporary file after an error" $?
# A write that fails half way (file size limit) leaves the old file whole.
{
	cat tests/fmt/cases/spacing.in
	i=0
	while [ $i -lt 400 ]; do echo "      # filler comment line $i, long enough to need many blocks"; i=$((i + 1)); done
} >"$tmp/w/big.rules"
cp "$tmp/w/big.rules" "$tmp/big.orig"
(trap '' XFSZ; ulimit -f 8 2>/dev/null && exec "$bin" fmt -w "$tmp/w/big.rules") >/dev/null 2>"$tmp/err"
rc=$?
[ $rc = 1 ] && cmp -s "$tmp/w/big.rules" "$tmp/big.orig" && grep -q 'big.rules: error: cannot write: .*(the file is unchanged)' "$tmp/err" &&
	[ "$(ls -A "$tmp/w" | wc -l)" = 5 ]
check "-w whose write fails half way: exit 1 (got $rc), old file whole, no temporary file" $?
# A symbolic link stays a link; the file it points to is formatted.
cp tests/fmt/cases/spacing.in "$tmp/w/target.rules"
ln -s target.rules "$tmp/w/link.rules"
"$bin" fmt -w "$tmp/w/link.rules" 2>"$tmp/err"
[ $? = 0 ] && [ -L "$tmp/w/link.rules" ] && cmp -s "$tmp/w/target.rules" tests/fmt/cases/spacing.out
check "-w through a symbolic link" $?
# A directory: its *.rules files and its subdirectories', recursively, in
# name order (not hidden files or directories, not other files, not
# through a symbolic link to a directory).
mkdir -p "$tmp/d" "$tmp/d/sub.rules" "$tmp/d/a/b" "$tmp/d/.git" "$tmp/elsewhere"
cp tests/fmt/cases/spacing.in "$tmp/d/x.rules"
cp tests/fmt/cases/layout.in "$tmp/d/y.rules"
cp tests/fmt/cases/spacing.in "$tmp/d/.hidden.rules"
cp tests/fmt/cases/spacing.in "$tmp/d/notes.txt"
cp tests/fmt/cases/layout.in "$tmp/d/sub.rules/z.rules"
cp tests/fmt/cases/spacing.in "$tmp/d/a/b/deep.rules"
cp tests/fmt/cases/spacing.in "$tmp/d/.git/hidden-dir.rules"
cp tests/fmt/cases/spacing.in "$tmp/elsewhere/linked.rules"
ln -s "$tmp/elsewhere" "$tmp/d/link"
ln -s "$tmp/d" "$tmp/d/a/loop"
"$bin" fmt "$tmp/d" >"$tmp/out"
cat tests/fmt/cases/spacing.out tests/fmt/cases/layout.out tests/fmt/cases/spacing.out tests/fmt/cases/layout.out |
	cmp -s - "$tmp/out"
check "a directory prints the .rules files of its tree in name order (a/b/deep, sub.rules/z, x, y)" $?
"$bin" fmt -w "$tmp/d" && cmp -s "$tmp/d/x.rules" tests/fmt/cases/spacing.out && cmp -s "$tmp/d/y.rules" tests/fmt/cases/layout.out &&
	cmp -s "$tmp/d/sub.rules/z.rules" tests/fmt/cases/layout.out && cmp -s "$tmp/d/a/b/deep.rules" tests/fmt/cases/spacing.out &&
	cmp -s "$tmp/d/.hidden.rules" tests/fmt/cases/spacing.in && cmp -s "$tmp/d/notes.txt" tests/fmt/cases/spacing.in &&
	cmp -s "$tmp/d/.git/hidden-dir.rules" tests/fmt/cases/spacing.in && cmp -s "$tmp/elsewhere/linked.rules" tests/fmt/cases/spacing.in
check "-w on a directory rewrites the .rules files of its tree only (not hidden ones, not through links)" $?
"$bin" fmt --check "$tmp/d" >/dev/null 2>&1
check "--check on the rewritten tree: every file formatted" $?
# A directory we may not write to: exit 1, file unchanged.
if [ "$(id -u)" != 0 ]; then
	mkdir -p "$tmp/ro"
	cp tests/fmt/cases/spacing.in "$tmp/ro/a.rules"
	chmod 555 "$tmp/ro"
	"$bin" fmt -w "$tmp/ro/a.rules" 2>"$tmp/err"
	rc=$?
	[ $rc = 1 ] && cmp -s "$tmp/ro/a.rules" tests/fmt/cases/spacing.in && grep -q 'cannot create a temporary file' "$tmp/err"
	check "-w in a read-only directory: exit 1 (got $rc), file unchanged" $?
	chmod 755 "$tmp/ro"
fi
# Standard input.
"$bin" fmt - <tests/fmt/cases/spacing.in | cmp -s - tests/fmt/cases/spacing.out
check "fmt - reads standard input" $?
"$bin" fmt --check - <tests/fmt/cases/spacing.in >"$tmp/out" 2>/dev/null
[ $? = 1 ] && head -1 "$tmp/out" | grep -qx -- '--- <stdin>'
check "fmt --check - names <stdin>" $?

# ---- 8. usage errors -------------------------------------------------------------------
usage_case() { # name, expected message, args...
	n=$1
	msg=$2
	shift 2
	"$bin" fmt "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	[ $rc = 2 ] && [ ! -s "$tmp/out" ] && grep -qF -- "$msg" "$tmp/err" && grep -q '^usage: ptrules fmt' "$tmp/err"
	check "usage error exits 2: $n (got $rc)" $?
}
usage_case "no path" "needs at least one file"
usage_case "unknown option" "unknown option '--frobnicate'" --frobnicate rules
usage_case "--check and -w" "either --check or -w" --check -w rules
usage_case "-w on stdin" "cannot rewrite standard input" -w -
usage_case "missing file" "does-not-exist.rules: No such file or directory" rules/does-not-exist.rules
cp tests/fmt/cases/spacing.in "$tmp/w/keep.rules"
"$bin" fmt -w "$tmp/w/keep.rules" "$tmp/w/missing.rules" 2>/dev/null
[ $? = 2 ] && cmp -s "$tmp/w/keep.rules" tests/fmt/cases/spacing.in
check "a missing path stops -w before anything is written" $?
"$bin" fmt --help >"$tmp/out" 2>&1
[ $? = 0 ] && grep -q '^usage: ptrules fmt' "$tmp/out"
check "fmt --help exits 0" $?
"$bin" --help | grep -q 'ptrules fmt \[--check | -w\] PATH\.\.\.'
check "ptrules --help lists fmt" $?

# ---- 9. the examples of docs/language.md, "Formatting (`ptrules fmt`)" ------------
# Every code block that follows a line ending in `NAME.rules`: is written
# to NAME.rules; every text block that starts with `$ ./build/ptrules fmt`
# is run in that directory and must print the rest of the block (standard
# output, then standard error).
mkdir -p "$tmp/doc"
awk -v dir="$tmp/doc" '
	/^## Formatting \(`ptrules fmt`\)/ { on = 1; next }
	on && /^## / { on = 0 }
	!on { next }
	fence && /^```$/ { fence = 0; close(out); next }
	fence { print > out; next }
	/^```/ { fence = 1; n++; out = dir "/block" n; printf "" > out
		 if (label != "") print label > (dir "/block" n ".name"); label = ""; next }
	/`[A-Za-z0-9_.-]+\.rules`:$/ { label = $0; sub(/`:$/, "", label); sub(/.*`/, "", label); next }
	NF { label = "" }' docs/language.md
for n in "$tmp"/doc/block*.name; do
	[ -f "$n" ] && cp "${n%.name}" "$tmp/doc/$(cat "$n")"
done
ndoc=0
for b in "$tmp"/doc/block*; do
	case $b in *.name) continue ;; esac
	first=$(head -1 "$b")
	case $first in
	'$ ./build/ptrules fmt'*) ;;
	*) continue ;;
	esac
	cmd=${first#\$ ./build/ptrules }
	# shellcheck disable=SC2086
	(cd "$tmp/doc" && "$bin" $cmd >"$tmp/doc.out" 2>"$tmp/doc.err")
	cat "$tmp/doc.out" "$tmp/doc.err" >"$tmp/doc.got"
	tail -n +2 "$b" | cmp -s - "$tmp/doc.got"
	check "docs/language.md: $first" $?
	tail -n +2 "$b" | diff - "$tmp/doc.got" | head -20
	ndoc=$((ndoc + 1))
done
[ -f "$tmp/doc/messy.rules" ] && [ -f "$tmp/doc/broken.rules" ] && [ $ndoc -ge 3 ]
check "docs/language.md: the fmt examples were found ($ndoc commands)" $?

echo "fmt tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
