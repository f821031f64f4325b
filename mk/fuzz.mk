# mk/fuzz.mk - fuzzing, fuzz replay, input-limit and determinism tests,
# and the valgrind run (docs/testing.md).
#
#   make fuzz [FUZZ_SECONDS=60]   run every libFuzzer target N seconds (clang)
#   make fuzz-NAME                run one target: fuzz-rules, fuzz-cart, fuzz-bytecode, fuzz-diff, fuzz-oom
#   make fuzz-build               build them (build/fuzz/fuzz_NAME)
#   make fuzz-replay              replay seeds, regressions and known problems (gcc; in `make check`)
#   make limits                   tests/run-limits.sh (in `make check`)
#   make determinism              tests/run-determinism.sh (in `make check`)
#   make check VALGRIND=1         also run the language, limit and replay tests under memcheck
#
# A target is tests/fuzz/fuzz_NAME.c defining LLVMFuzzerTestOneInput; its
# seeds are tests/fuzz/corpus/NAME/, its past crashes and hangs
# tests/fuzz/regressions/NAME/, inputs of still open problems
# tests/fuzz/known/NAME/, its dictionary tests/fuzz/NAME.dict.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   ?=
FUZZ_DIR     := $(B)/fuzz
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_ROOT    := -DPT_FUZZ_ROOT='"$(CURDIR)"'
FUZZ_CFLAGS  := -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
		-fno-sanitize-recover=undefined
FUZZ_OBJS    := $(SRCS:src/%.c=$(FUZZ_DIR)/%.o) $(FUZZ_DIR)/lexer.o $(FUZZ_DIR)/parser.o
REPLAY_BINS  := $(FUZZ_TARGETS:%=$(B)/replay_%)

.PHONY: fuzz fuzz-build fuzz-replay limits determinism lang-valgrind replay-valgrind
.PHONY: $(FUZZ_TARGETS:%=fuzz-%)

check: fuzz-replay limits determinism

# --- libFuzzer builds (clang), objects apart from the gcc ones ----------
$(FUZZ_DIR)/.dir:
	@mkdir -p $(FUZZ_DIR) && touch $@

# clang warns about other things than gcc: warnings here do not fail.
$(FUZZ_DIR)/%.o: src/%.c $(B)/parser.h $(B)/lexer.h | $(FUZZ_DIR)/.dir
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) $(filter-out -Werror,$(WARN)) -MMD -MP -c -o $@ $<
$(FUZZ_DIR)/lexer.o: $(B)/lexer.c $(B)/parser.h | $(FUZZ_DIR)/.dir
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) $(GENWARN) -MMD -MP -c -o $@ $<
$(FUZZ_DIR)/parser.o: $(B)/parser.c $(B)/lexer.h | $(FUZZ_DIR)/.dir
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) $(GENWARN) -MMD -MP -c -o $@ $<

FUZZ_HDRS := tests/fuzz/fuzz_common.h include/ptrules.h

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_HDRS) $(FUZZ_OBJS)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_ROOT) $(FUZZ_CFLAGS) $(filter-out -Werror,$(WARN)) \
		-fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS)

# fuzz_oom makes the library's allocations fail: the allocator wrapped as
# test_oom's is (NOALLOC_WRAP, mk/install.mk).  Its inputs are rules text
# after two bytes: the rules' dictionary serves.
FUZZ_DICT_oom := tests/fuzz/rules.dict
$(FUZZ_DIR)/fuzz_oom: tests/fuzz/fuzz_oom.c tests/unit/alloc_fail.h tests/unit/alloc_wrap.h $(FUZZ_HDRS) $(FUZZ_OBJS)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_ROOT) $(FUZZ_CFLAGS) $(filter-out -Werror,$(WARN)) \
		-fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) $(NOALLOC_WRAP)

fuzz-build: $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)

# Keep the objects (make would delete them as intermediates of fuzz_%).
.SECONDARY: $(FUZZ_OBJS)

# New corpus entries go to build/fuzz/corpus/NAME (the seeds stay as they
# are); crashes, leaks and hangs to build/fuzz/artifacts/NAME/.
$(FUZZ_TARGETS:%=fuzz-%): fuzz-%: $(FUZZ_DIR)/fuzz_%
	@mkdir -p $(FUZZ_DIR)/corpus/$* $(FUZZ_DIR)/artifacts/$*
	$(FUZZ_DIR)/fuzz_$* -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/artifacts/$*/ \
		$(addprefix -dict=,$(or $(FUZZ_DICT_$*),$(wildcard tests/fuzz/$*.dict))) $(FUZZ_FLAGS) \
		$(FUZZ_DIR)/corpus/$* tests/fuzz/corpus/$* \
		$(wildcard tests/fuzz/regressions/$*)

fuzz: $(FUZZ_TARGETS:%=fuzz-%)

# --- replay with the normal compiler (and SANITIZE=1 flags) ------------
$(B)/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(FUZZ_HDRS) $(B)/libpt.a
	$(CC) $(CPPFLAGS) $(FUZZ_ROOT) $(CFLAGS) $(WARN) -o $@ $< tests/fuzz/replay.c \
		$(B)/libpt.a $(LDFLAGS) $(LDLIBS)

$(B)/replay_oom: tests/fuzz/fuzz_oom.c tests/fuzz/replay.c tests/unit/alloc_fail.h tests/unit/alloc_wrap.h $(FUZZ_HDRS) $(B)/libpt.a
	$(CC) $(CPPFLAGS) $(FUZZ_ROOT) $(CFLAGS) $(WARN) -o $@ $< tests/fuzz/replay.c \
		$(B)/libpt.a $(LDFLAGS) $(NOALLOC_WRAP) $(LDLIBS)

# tests/fuzz/known/NAME holds inputs of open problems: replayed and
# expected to fail, so that a fix shows up as XPASS and the input moves
# to regressions/.
fuzz-replay: $(REPLAY_BINS)
	@set -e; for t in $(FUZZ_TARGETS); do \
		$(B)/replay_$$t tests/fuzz/corpus/$$t \
			$$(test -d tests/fuzz/regressions/$$t && echo tests/fuzz/regressions/$$t); \
		if test -d tests/fuzz/known/$$t; then \
			$(B)/replay_$$t -t 5 -x tests/fuzz/known/$$t; \
		fi; \
	done

# --- input limits and determinism (tests/run-*.sh take the binary) -----
limits: $(B)/ptrules
	@sh tests/run-limits.sh $(B)/ptrules

determinism: $(B)/ptrules
	@sh tests/run-determinism.sh $(B)/ptrules

# --- valgrind: the CLI tests and the replays under memcheck -------------
VALGRIND_CMD := valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect

$(B)/ptrules-valgrind: $(B)/ptrules
	@printf '#!/bin/sh\nexec %s "%s" "$$@"\n' '$(VALGRIND_CMD)' '$(CURDIR)/$(B)/ptrules' >$@
	@chmod +x $@

lang-valgrind: $(B)/ptrules-valgrind
	@command -v valgrind >/dev/null || { echo "VALGRIND=1 needs valgrind (apt-get install valgrind)"; exit 1; }
	@echo "== language tests under valgrind"
	@sh tests/run-lang.sh $(B)/ptrules-valgrind tests/lang
	@echo "== limit tests under valgrind (the compile-time cases are skipped)"
	@PT_TIME_SCALE=30 PT_LIMITS_QUICK=1 sh tests/run-limits.sh $(B)/ptrules-valgrind

replay-valgrind: $(REPLAY_BINS)
	@echo "== fuzz replay under valgrind"
	@set -e; for t in $(FUZZ_TARGETS); do \
		$(VALGRIND_CMD) $(B)/replay_$$t -t 60 tests/fuzz/corpus/$$t \
			$$(test -d tests/fuzz/regressions/$$t && echo tests/fuzz/regressions/$$t); \
	done

ifeq ($(VALGRIND),1)
ifeq ($(SANITIZE),1)
$(error VALGRIND=1 and SANITIZE=1 do not mix: run them one after the other, with make clean between)
endif
check: lang-valgrind replay-valgrind
endif

-include $(wildcard $(FUZZ_DIR)/*.d)
