#!/bin/sh
# Install what `make bench` measures against or with, when missing: Lua 5.4
# and LuaJIT (the scripting-language columns) and valgrind (instructions
# per cart).  Uses apt-get (as root, or through sudo), as tools/deps.sh
# does for the build.  Never fails: the benchmark skips a column whose
# tool is missing and says why.
missing=""
command -v lua5.4 >/dev/null 2>&1 || missing="$missing lua5.4"
command -v luajit >/dev/null 2>&1 || missing="$missing luajit"
command -v valgrind >/dev/null 2>&1 || missing="$missing valgrind"
[ -z "$missing" ] && exit 0
echo "bench: installing missing tools:$missing"
if command -v apt-get >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else sudo="none"; fi
	if [ "$sudo" != none ]; then
		for p in $missing; do
			DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "$p" >/dev/null 2>&1 ||
			{ $sudo apt-get update -q >/dev/null 2>&1 &&
			  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "$p" >/dev/null 2>&1; } ||
			echo "bench: cannot install $p; its column will be skipped" >&2
		done
		exit 0
	fi
fi
echo "bench: cannot install$missing automatically (install these Debian packages); their columns will be skipped" >&2
exit 0
