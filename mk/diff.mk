# mk/diff.mk - `ptrules diff` and `ptrules gen-carts` (docs/ci.md):
#
#   make diff-test   tests/diff/run.sh: gen-carts determinism, the corpus,
#                    golden reports (tests/diff/cases), every --fail-if form
#                    and exit code, usage errors, .ptbc and stdin, and the
#                    commands of docs/ci.md (in `make check`)
#   make corpus      rewrite tests/corpus/ with the generator (2,000 carts,
#                    seed 20241003; tests/corpus/regen.sh); review the diff

.PHONY: diff-test corpus

diff-test: $(B)/ptrules
	@sh tests/diff/run.sh $(B)/ptrules

corpus: $(B)/ptrules
	sh tests/corpus/regen.sh $(B)/ptrules tests/corpus

check: diff-test
