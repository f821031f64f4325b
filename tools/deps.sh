#!/bin/sh
# Install what the build needs (flex, bison, cmocka, pkg-config, objdump)
# when it is missing.
# Uses apt-get when available (as root, or through sudo); otherwise names
# the packages to install and fails.
missing=""
command -v flex >/dev/null 2>&1 || missing="$missing flex"
command -v bison >/dev/null 2>&1 || missing="$missing bison"
# pkg-config: the install test compiles examples/embed.c with it.
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
# objdump: tests/fastdiff/vex.sh disassembles the machine code, which
# only x86-64 has.
case $(uname -m) in
x86_64 | amd64) command -v objdump >/dev/null 2>&1 || missing="$missing binutils" ;;
esac
# libfl is not needed (noyywrap), but cmocka's header and library are.
if ! printf '#include <stdarg.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <setjmp.h>\n#include <cmocka.h>\nint main(void){return 0;}\n' \
	| ${CC:-cc} -x c -o /dev/null - -lcmocka >/dev/null 2>&1; then
	missing="$missing libcmocka-dev"
fi
[ -z "$missing" ] && exit 0
echo "ptrules: installing missing build dependencies:$missing"
if command -v apt-get >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else sudo="none"; fi
	if [ "$sudo" != none ]; then
		if DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q $missing >/dev/null 2>&1 ||
		   { $sudo apt-get update -q >/dev/null 2>&1 &&
		     DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q $missing >/dev/null 2>&1; }; then
			echo "ptrules: installed$missing"
			exit 0
		fi
	fi
fi
echo "ptrules: cannot install$missing automatically." >&2
echo "ptrules: please install these Debian packages (or your system's equivalents):$missing" >&2
exit 1
