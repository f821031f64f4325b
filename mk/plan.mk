# mk/plan.mk - `ptrules plan` (docs/plan.md) in `make check`: the shown runs
# of docs/plan.md re-run and compared exactly (tests/docs/readme.sh).  The
# plans themselves are tested by tests/lang/plan_*.test and
# tests/unit/test_plan.c, which the Makefile already runs.
#
#   make plan-test   re-run docs/plan.md's commands

.PHONY: plan-test

plan-test: $(B)/ptrules
	@sh tests/docs/readme.sh $(B)/ptrules docs/plan.md 5

check: plan-test
