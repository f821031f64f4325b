#!/bin/sh
# tests/install/run.sh - `make install` into a temporary DESTDIR with
# PREFIX=/usr, check what it installed, compile the example of
# docs/library.md (which must be examples/embed.c byte for byte) against
# the installed header and library with pkg-config, statically and as a
# shared library, run both, then `make uninstall` and check that nothing
# is left.  Run from `make check` (mk/install.mk: install-test).
#
# Environment: MAKE (default make), CC (default cc), EMBED_CFLAGS and
# EMBED_LDFLAGS (the build's CFLAGS/LDFLAGS, e.g. the sanitizers').
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
MAKE=${MAKE:-make}
CC=${CC:-cc}
EMBED_CFLAGS=${EMBED_CFLAGS:--O2 -g}
EMBED_LDFLAGS=${EMBED_LDFLAGS:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ptrules-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest
fails=0
passes=0

ok() { passes=$((passes + 1)); }
fail() { echo "install test: FAIL: $*" >&2; fails=$((fails + 1)); }
check() { # check DESCRIPTION COMMAND...
	d=$1; shift
	if "$@"; then ok; else fail "$d"; fi
}

# ---- the example shown in docs/library.md is examples/embed.c --------------
awk 'f == 0 && /examples\/embed\.c, reproduced here/ { f = 1; next }
     f == 1 && /^```c$/ { f = 2; next }
     f == 2 && /^```$/ { exit }
     f == 2 { print }' "$root/docs/library.md" >"$tmp/embed.c" 2>/dev/null || true
if [ -s "$tmp/embed.c" ] && cmp -s "$tmp/embed.c" "$root/examples/embed.c"; then
	ok
else
	fail "the code block after 'examples/embed.c, reproduced here' in docs/library.md differs from examples/embed.c:"
	diff -u "$root/examples/embed.c" "$tmp/embed.c" | head -40 >&2 || true
fi

# ---- install ------------------------------------------------------------------
if ! $MAKE -C "$root" --no-print-directory install PREFIX=/usr DESTDIR="$dest" >"$tmp/install.log" 2>&1; then
	cat "$tmp/install.log" >&2
	echo "install test: FAIL: make install" >&2
	exit 1
fi

for f in bin/ptrules lib/libptrules.a lib/libptrules.so.0.7.0 include/ptrules.h \
	 lib/pkgconfig/ptrules.pc share/man/man1/ptrules.1; do
	check "missing /usr/$f" test -f "$dest/usr/$f"
done
check "bin/ptrules is not executable" test -x "$dest/usr/bin/ptrules"
check "libptrules.so is not a link to libptrules.so.0" test "$(readlink "$dest/usr/lib/libptrules.so")" = libptrules.so.0
check "libptrules.so.0 is not a link to libptrules.so.0.7.0" \
	test "$(readlink "$dest/usr/lib/libptrules.so.0")" = libptrules.so.0.7.0
for r in "$root"/rules/*.rules; do
	check "shipped rule file $(basename "$r") not installed identically" \
		cmp -s "$r" "$dest/usr/share/ptrules/rules/$(basename "$r")"
done
check "installed header differs from include/ptrules.h" cmp -s "$root/include/ptrules.h" "$dest/usr/include/ptrules.h"
for f in bin/ptrules lib/libptrules.a lib/libptrules.so.0.7.0 include/ptrules.h lib/pkgconfig/ptrules.pc \
	 share/man/man1/ptrules.1 share/ptrules/rules/dpoint.rules; do
	mode=$(stat -c %a "$dest/usr/$f" 2>/dev/null || echo none)
	case $f in bin/*|*.so.*) want=755 ;; *) want=644 ;; esac
	check "/usr/$f has mode $mode, not $want" test "$mode" = "$want"
done

# The shared library: its soname, and only ptrules_* names exported.
soname=$(readelf -d "$dest/usr/lib/libptrules.so.0.7.0" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
check "soname is '$soname', not libptrules.so.0" test "$soname" = libptrules.so.0
bad=$(nm -D --defined-only "$dest/usr/lib/libptrules.so.0.7.0" | awk '$2 ~ /^[A-Z]$/ && $3 !~ /^ptrules_/ { print $3 }')
check "libptrules.so exports non-API symbols: $bad" test -z "$bad"
# The static library too: one object whose only global names are ptrules_*.
bad=$(nm -g --defined-only "$dest/usr/lib/libptrules.a" 2>/dev/null | awk 'NF == 3 && $3 !~ /^ptrules_/ { print $3 }')
check "libptrules.a defines non-API global symbols: $bad" test -z "$bad"

# The installed command: version, and the installed rules as its fallback.
version=$(sed -n 's/^#define PTRULES_VERSION "\(.*\)"/\1/p' "$root/include/ptrules.h")
check "ptrules --version does not say $version" sh -c "'$dest/usr/bin/ptrules' --version | grep -q '$version'"
check "ptrules --help does not name /usr/share/ptrules/rules as the fallback" \
	sh -c "'$dest/usr/bin/ptrules' --help | grep -q /usr/share/ptrules/rules"
(cd "$tmp" && "$dest/usr/bin/ptrules" eval --format json --rules "$dest/usr/share/ptrules/rules" \
	"$root/examples/cart.txt") >"$tmp/cli.json" 2>"$tmp/cli.err" || fail "installed ptrules eval failed: $(cat "$tmp/cli.err")"

# The man page renders without warnings (when groff is there).
if command -v groff >/dev/null 2>&1; then
	groff -k -man -Tutf8 -ww -z "$dest/usr/share/man/man1/ptrules.1" >"$tmp/groff.log" 2>&1 || true
	check "groff warns about ptrules.1: $(cat "$tmp/groff.log")" test ! -s "$tmp/groff.log"
fi
check "the installed man page does not name /usr/share/ptrules/rules" \
	grep -q '^\.IR* */usr/share/ptrules/rules' "$dest/usr/share/man/man1/ptrules.1"

# ---- pkg-config and the example -------------------------------------------------
if ! command -v pkg-config >/dev/null 2>&1; then
	echo "install test: FAIL: pkg-config is missing (Debian package pkg-config; tools/deps.sh installs it)" >&2
	exit 1
fi
PKG_CONFIG_PATH=$dest/usr/lib/pkgconfig
PKG_CONFIG_LIBDIR=$dest/usr/lib/pkgconfig
PKG_CONFIG_SYSROOT_DIR=$dest
# /usr/include and /usr/lib are "system" directories pkg-config leaves out;
# under a sysroot they are the DESTDIR's and must be kept.
PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1
PKG_CONFIG_ALLOW_SYSTEM_LIBS=1
export PKG_CONFIG_PATH PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_ALLOW_SYSTEM_CFLAGS PKG_CONFIG_ALLOW_SYSTEM_LIBS
pcver=$(pkg-config --modversion ptrules)
check "pkg-config --modversion ptrules is '$pcver', not $version" test "$pcver" = "$version"
cflags=$(pkg-config --cflags ptrules)
libs=$(pkg-config --libs ptrules)
rulesdir=$(pkg-config --variable=rulesdir ptrules)
check "pkg-config rulesdir is '$rulesdir'" test "${rulesdir#"$dest"}" = /usr/share/ptrules/rules
case $cflags in *"$dest/usr/include"*) ok ;; *) fail "pkg-config --cflags ptrules ($cflags) does not point into DESTDIR" ;; esac
case $libs in *"-L$dest/usr/lib"*-lptrules*) ok ;; *) fail "pkg-config --libs ptrules ($libs) does not point into DESTDIR" ;; esac

# The example uses the installed rules as its default (EMBED_RULES); it must
# not see the source tree's include/ or src/.
rules=$dest/usr/share/ptrules/rules
# shellcheck disable=SC2086
if $CC -std=c11 -Wall -Wextra -Werror -pedantic $EMBED_CFLAGS -DEMBED_RULES="\"$rules\"" $cflags \
	-o "$tmp/embed-static" "$tmp/embed.c" -Wl,-Bstatic $libs -Wl,-Bdynamic $EMBED_LDFLAGS 2>"$tmp/cc.log"; then
	ok
else
	fail "compiling docs/library.md's example against the installed static library: $(cat "$tmp/cc.log")"
fi
# shellcheck disable=SC2086
if $CC -std=c11 -Wall -Wextra -Werror -pedantic $EMBED_CFLAGS -DEMBED_RULES="\"$rules\"" $cflags \
	-o "$tmp/embed-shared" "$tmp/embed.c" $libs -Wl,-rpath,"$dest/usr/lib" $EMBED_LDFLAGS 2>"$tmp/cc.log"; then
	ok
else
	fail "compiling docs/library.md's example against the installed shared library: $(cat "$tmp/cc.log")"
fi

cat >"$tmp/expected" <<'EOF'
3 programs, at most NNN instructions per cart
dpoint (dポイント, tier ★4)
  use:  1200 points worth 1200 yen
  earn: 110 points on 7960 yen, granted at shipment
        because: monthly cap for this rank reached
okidoki (OkiDokiポイント)
  use:  not usable
        because: program ended on 2026-01-12
  earn: 0 points
        because: this program does not earn points here
recruit (リクルートポイント)
  use:  500 points worth 500 yen
  earn: 0 points
        because: this program does not earn points here
EOF
cat "$tmp/cli.json" >>"$tmp/expected"
echo "the cart read from text gives the same results" >>"$tmp/expected"

for kind in static shared; do
	exe=$tmp/embed-$kind
	[ -x "$exe" ] || continue
	if [ "$kind" = shared ]; then
		lib=$(ldd "$exe" | awk '$1 == "libptrules.so.0" { print $3 }')
		check "embed-shared loads libptrules.so.0 from '$lib', not the DESTDIR" test "$lib" = "$dest/usr/lib/libptrules.so.0"
	else
		if ldd "$exe" 2>/dev/null | grep -q libptrules; then fail "embed-static depends on libptrules.so"; else ok; fi
	fi
	# No arguments: the default rules, which are the installed ones.
	if (cd "$tmp" && "$exe") >"$tmp/out" 2>"$tmp/err"; then ok; else fail "embed-$kind exited with status $?: $(cat "$tmp/err")"; fi
	sed 's/at most [0-9][0-9]* instructions/at most NNN instructions/' "$tmp/out" >"$tmp/out.norm"
	if cmp -s "$tmp/expected" "$tmp/out.norm"; then
		ok
	else
		fail "embed-$kind printed something else:"
		diff -u "$tmp/expected" "$tmp/out.norm" >&2 || true
	fi
	check "embed-$kind wrote to stderr: $(cat "$tmp/err")" test ! -s "$tmp/err"
	# A rules directory on the command line, with an extra program.
	if "$exe" "$rules" "$root/tests/rules-extra/airwallet.rules" >"$tmp/out2" 2>"$tmp/err"; then ok; else fail "embed-$kind with airwallet: $(cat "$tmp/err")"; fi
	check "embed-$kind with airwallet does not list 4 programs" grep -q '^4 programs' "$tmp/out2"
	check "embed-$kind with airwallet shows no airwallet result" grep -q '^airwallet (Airウォレット) - not linked' "$tmp/out2"
	# Bad rules: a diagnostic on stderr and exit status 1.
	printf 'program broken {\n  name "x"\n  earn {\n' >"$tmp/broken.rules"
	if "$exe" "$tmp/broken.rules" >"$tmp/out3" 2>"$tmp/err"; then
		fail "embed-$kind accepted broken rules"
	else
		check "embed-$kind: no 'broken.rules:LINE:COL: error:' diagnostic for broken rules" \
			grep -q 'broken.rules:[0-9]*:[0-9]*: error:' "$tmp/err"
	fi
done

# ---- uninstall --------------------------------------------------------------------
if ! $MAKE -C "$root" --no-print-directory uninstall PREFIX=/usr DESTDIR="$dest" >"$tmp/uninstall.log" 2>&1; then
	cat "$tmp/uninstall.log" >&2
	fail "make uninstall"
fi
left=$(cd "$dest" && find . ! -type d | sort)
check "make uninstall left files behind: $left" test -z "$left"
check "make uninstall left share/ptrules behind" test ! -e "$dest/usr/share/ptrules"
# Uninstalling again (nothing installed) still succeeds.
check "a second make uninstall failed" $MAKE -C "$root" --no-print-directory uninstall PREFIX=/usr DESTDIR="$dest" >/dev/null 2>&1

echo "install: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
