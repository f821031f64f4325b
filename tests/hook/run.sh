#!/bin/sh
# examples/pre-commit, exercised in a scratch git repository: a good rule
# change commits; an unformatted, a broken or an untested one does not.
#   sh tests/hook/run.sh build/ptrules
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
expect() { # name, wanted exit (0 commits, 1 refused), command...
	name=$1 want=$2
	shift 2
	"$@" >"$tmp/out" 2>&1
	rc=$?
	[ $rc -ne 0 ] && rc=1
	if [ $rc = "$want" ]; then pass=$((pass + 1)); else
		fail=$((fail + 1)); echo "FAIL pre-commit hook: $name (exit $rc, wanted $want)"; tail -5 "$tmp/out"; fi
}
cd "$tmp" && git init -q repo && cd repo
git config user.email t@example.invalid && git config user.name test
mkdir -p tests && cp -r "$root/rules" . && cp -r "$root/tests/rules" tests/
cp "$root/examples/pre-commit" .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit
export PTRULES="$bin"
git add -A
expect "the shipped rules and tests commit" 0 git commit -qm initial
echo "notes" >README && git add README
expect "a change without rule files skips the checks" 0 git commit -qm readme
sed -i 's/^  name "dポイント"/  name   "dポイント"/' rules/dpoint.rules && git add rules
expect "an unformatted rule file is refused" 1 git commit -qm unformatted
git checkout -q HEAD -- rules && sed -i 's/require basis >= 5000 yen/require basis >= 5000/' rules/dpoint.rules && git add rules
expect "a rule that does not compile is refused" 1 git commit -qm broken
git checkout -q HEAD -- rules && sed -i 's/"★2" from 50 points: multiplier 1.5/"★2" from 50 points: multiplier 1.2/' rules/dpoint.rules && git add rules
expect "a change the rule tests catch is refused" 1 git commit -qm untested
echo "hook tests: $pass passed, $fail failed"
[ $fail = 0 ]
