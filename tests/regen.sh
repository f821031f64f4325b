#!/bin/sh
# Rewrite the expected output of data-driven tests from the current binary:
#   sh tests/regen.sh tests/lang/NAME.test...
# Review the diff (git diff tests/lang) before committing: a regenerated
# expectation is only right if the new output is.
for t in "$@"; do
	for f in stdout stderr; do
		[ -f "${t%.test}.$f.got" ] || continue
		awk -v sec="$f" -v got="${t%.test}.$f.got" '
			$0 == "--- " sec { print; while ((getline l < got) > 0) print l; skip = 1; next }
			/^--- / { skip = 0 }
			!skip { print }
		' "$t" >"$t.new" && mv "$t.new" "$t"
		rm -f "${t%.test}.$f.got"
	done
done
