# mk/plan.mk - `ptrules plan` (docs/plan.md) in `make check`: the shown runs
# of docs/plan.md re-run and compared exactly (tests/plan/run.sh).  The
# plans themselves are tested by tests/lang/plan_*.test and
# tests/unit/test_plan.c, which the Makefile already runs.
#
#   make plan-test   run tests/plan/run.sh

.PHONY: plan-test

plan-test: $(B)/ptrules
	@sh tests/plan/run.sh $(B)/ptrules

check: plan-test
