#!/bin/sh
# Writes the cart corpus: 2,000 synthetic carts from `ptrules gen-carts`,
# seed 20241003, as four files of 500 (cart ids g1..g2000).
#   sh tests/corpus/regen.sh build/ptrules [DIR]    (DIR defaults to tests/corpus)
# `make corpus` runs it; tests/diff/run.sh runs it into a scratch directory
# and checks the committed files are exactly what the generator writes.
set -eu
bin=$1
dir=${2:-$(dirname "$0")}
seed=20241003
per=500
for i in 1 2 3 4; do
	"$bin" gen-carts $per --seed $seed --start $(((i - 1) * per + 1)) >"$dir/carts-$i.txt.tmp"
	mv "$dir/carts-$i.txt.tmp" "$dir/carts-$i.txt"
done
