# mk/fmt.mk - `ptrules fmt` in `make check` (tests/fmt/run.sh): golden
# layouts, every .rules file in rules/ and tests/ already formatted,
# idempotence and comments over every .rules file, unchanged bytecode and
# results, --check diffs, atomic -w, usage errors, the docs' examples.
# (tests/unit/test_fmt.c runs with the other unit tests.)
#
#   make fmt        rewrite the repository's .rules files in the canonical layout
#   make fmt-test   run tests/fmt/run.sh

# The fuzzing seeds are inputs kept as they were found (broken ones too).
PT_FMT_FILES = $(shell find rules tests -name '*.rules' -not -path 'tests/fuzz/*' | sort)

.PHONY: fmt fmt-test

fmt-test: $(B)/ptrules
	@sh tests/fmt/run.sh $(B)/ptrules

fmt: $(B)/ptrules
	$(B)/ptrules fmt -w $(PT_FMT_FILES)

check: fmt-test
