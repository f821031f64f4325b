#!/bin/sh
# tests/fastdiff/vex.sh FASTDIFF RULES... - the machine code's vector
# instructions, disassembled by objdump, for each rule set (a directory or
# file per argument) in both forms src/jit.c builds (fastdiff --jit-form):
#   - built for AVX: every instruction on an xmm or ymm register is
#     VEX-encoded (a legacy SSE one after a 32-byte store costs a state
#     transition on some processors), there is a ymm store and a
#     vzeroupper before C runs;
#   - built without: no VEX-encoded instruction at all (a processor
#     without AVX faults on one), and the 16-byte stores are there.
# Only where the machine code is built (x86-64, not make JIT=0: fastdiff
# exits 3 then); elsewhere it says so.
set -eu
fd=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
navx=0
nsse=0
for rules in "$@"; do
	for form in avx sse; do
		st=0
		"$fd" --rules "$rules" --jit-form "$form" --dump-jit "$tmp/code" >/dev/null 2>"$tmp/err" || st=$?
		if [ "$st" -eq 3 ]; then
			echo "vex: this build has no machine code: skipped"
			exit 0
		fi
		[ "$st" -eq 0 ] || { cat "$tmp/err" >&2; exit 1; }
		command -v objdump >/dev/null 2>&1 || { echo "vex: objdump (binutils) is missing" >&2; exit 1; }
		objdump -D -b binary -mi386:x86-64 "$tmp/code" >"$tmp/dis"
		# Prints: vector instructions, those of the wrong encoding, ymm
		# operands, vzeroupper; then the wrong ones themselves.
		awk -F '\t' -v form="$form" '
			NF >= 3 {
				split($3, w, " ")
				m = w[1]
				vexb = $2 ~ /^ *c[45] /   # a VEX prefix (LDS and LES do not exist in 64-bit code)
				vec = $3 ~ /%[xy]mm[0-9]/ || m == "vzeroupper"
				# without AVX nothing VEX-encoded, vector or not (BMI is
				# too); with it, no vector instruction that is not
				if (form == "sse" ? vexb : vec && !(m ~ /^v/ && vexb)) {
					bad++
					badl = badl "\n  " $0
				}
				if (!vec)
					next
				n++
				if ($3 ~ /%ymm/)
					y++
				if (m == "vzeroupper")
					z++
			}
			END { printf "%d %d %d %d%s\n", n, bad, y, z, badl }
		' "$tmp/dis" >"$tmp/count"
		read -r n bad y z <"$tmp/count"
		if [ "$bad" -ne 0 ]; then
			echo "vex: $rules built for $form has $bad instructions of the wrong encoding:" >&2
			tail -n +2 "$tmp/count" >&2
			exit 1
		fi
		if [ "$form" = avx ] && { [ "$y" -eq 0 ] || [ "$z" -eq 0 ]; }; then
			echo "vex: $rules built for AVX has $y ymm instructions and $z vzeroupper (want both)" >&2
			exit 1
		fi
		if [ "$form" = sse ] && [ "$n" -eq 0 ]; then
			echo "vex: $rules built without AVX has no vector instruction (a result's start stores 16 bytes at a time)" >&2
			exit 1
		fi
		if [ "$form" = avx ]; then navx=$((navx + n)); else nsse=$((nsse + n)); fi
	done
done
echo "vex: $# rule sets: $navx vector instructions built for AVX, all VEX; $nsse built without, none VEX"
