# mk/bench.mk - `make bench` (issue 7; docs/performance.md).  Not part of
# `make check`.
#
#   make bench [BENCH_CARTS=100000] [BENCH_SEED=20241003] [BENCH_BIG=1000000]
#              [BENCH_MID=250000] [BENCH_ROUNDS=7] [BENCH_CG_CARTS=10000]
#   make bench-quick   only the in-process comparison (ptrules, C, Lua 5.4,
#                      LuaJIT), the reader, 20 programs and allocations: a
#                      few seconds, for trying a VM change
#
# Both print a table and write $(B)/bench.json.  The library, the CLI and the
# benchmark are compiled apart from the normal build, in $(BENCH_DIR), with
# the compiler and flags pinned below, so the figures do not depend on how
# $(B) was last built (SANITIZE=1, CFLAGS=-O0, clang, ...).  The data sets
# come from `ptrules gen-carts` (deterministic) and are kept in
# $(BENCH_DIR) between runs; `make bench-clean` removes them.
#
# lua5.4, luajit and valgrind are installed when missing (bench/deps.sh,
# as tools/deps.sh does for the build); a column whose tool cannot be had
# is skipped, and the table and bench.json say why.

BENCH_CC       := gcc
BENCH_CFLAGS   := -O2 -g
BENCH_CARTS    ?= 100000
BENCH_SEED     ?= 20241003
BENCH_BIG      ?= 1000000
BENCH_MID      ?= 250000
BENCH_ROUNDS   ?= 7
BENCH_CG_CARTS ?= 10000
BENCH_DIR      := $(B)/bench

BENCH_LIB_OBJS := $(SRCS:src/%.c=$(BENCH_DIR)/obj/%.o) $(BENCH_DIR)/obj/lexer.o $(BENCH_DIR)/obj/parser.o
BENCH_CLI_OBJS := $(CLI_SRCS:src/%.c=$(BENCH_DIR)/obj/%.o)
BENCH_WARN     := $(filter-out -Werror,$(WARN))
# Every allocation the library makes goes through the driver's counters.
BENCH_WRAP     := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup,--wrap=posix_memalign,--wrap=aligned_alloc

BENCH_DATA     := $(BENCH_DIR)/carts-$(BENCH_CARTS)-s$(BENCH_SEED)
BENCH_BIGFILE  := $(BENCH_DIR)/carts-$(BENCH_BIG)-s$(BENCH_SEED).txt
BENCH_MIDFILE  := $(BENCH_DIR)/carts-$(BENCH_MID)-s$(BENCH_SEED).txt

.PHONY: bench bench-quick bench-build bench-deps bench-clean

bench: bench-build bench-deps $(BENCH_DATA).flat $(BENCH_BIGFILE) $(BENCH_MIDFILE)
	$(BENCH_DIR)/bench --data $(BENCH_DATA).flat --luadat $(BENCH_DATA).luadat --text $(BENCH_DATA).txt \
		--lua-script bench/bench.lua --ptrules $(BENCH_DIR)/ptrules --rules rules \
		--big $(BENCH_BIGFILE) --mid $(BENCH_MIDFILE) --tmp $(BENCH_DIR)/tmp --json $(B)/bench.json \
		--rounds $(BENCH_ROUNDS) --cg-carts $(BENCH_CG_CARTS)

bench-quick: bench-build bench-deps $(BENCH_DATA).flat
	$(BENCH_DIR)/bench --quick --data $(BENCH_DATA).flat --luadat $(BENCH_DATA).luadat --text $(BENCH_DATA).txt \
		--lua-script bench/bench.lua --rules rules --tmp $(BENCH_DIR)/tmp --json $(B)/bench.json \
		--rounds $(BENCH_ROUNDS)

bench-build: $(BENCH_DIR)/bench $(BENCH_DIR)/ptrules $(BENCH_DIR)/mkdata

bench-deps:
	@sh bench/deps.sh

$(BENCH_DIR)/.dir:
	@mkdir -p $(BENCH_DIR)/obj $(BENCH_DIR)/tmp && touch $@

# The library and the CLI, as the Makefile builds them, with the pinned flags.
$(BENCH_DIR)/obj/%.o: src/%.c $(B)/parser.h $(B)/lexer.h | $(BENCH_DIR)/.dir
	$(BENCH_CC) $(CPPFLAGS) $(BENCH_CFLAGS) $(BENCH_WARN) -MMD -MP -c -o $@ $<
$(BENCH_DIR)/obj/lexer.o: $(B)/lexer.c $(B)/parser.h | $(BENCH_DIR)/.dir
	$(BENCH_CC) $(CPPFLAGS) $(BENCH_CFLAGS) $(GENWARN) -MMD -MP -c -o $@ $<
$(BENCH_DIR)/obj/parser.o: $(B)/parser.c $(B)/lexer.h | $(BENCH_DIR)/.dir
	$(BENCH_CC) $(CPPFLAGS) $(BENCH_CFLAGS) $(GENWARN) -MMD -MP -c -o $@ $<
$(BENCH_CLI_OBJS): $(BENCH_DIR)/obj/%.o: src/%.c include/ptrules.h src/cli.h | $(BENCH_DIR)/.dir
	$(BENCH_CC) -D_POSIX_C_SOURCE=200809L -Iinclude $(BENCH_CFLAGS) $(BENCH_WARN) \
		-DPT_SHAREDIR='"$(SHAREDIR)"' -MMD -MP -c -o $@ $<

$(BENCH_DIR)/libptrules.a: $(BENCH_LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BENCH_DIR)/ptrules: $(BENCH_CLI_OBJS) $(BENCH_DIR)/libptrules.a
	$(BENCH_CC) -pthread -o $@ $^

# The driver and the hand-written C see the public header only; anatomy.c,
# which times the steps of an evaluation, the internal ones too.
$(BENCH_DIR)/anatomy.o: bench/anatomy.c bench/bench.h bench/flat.h include/ptrules.h | $(BENCH_DIR)/.dir
	$(BENCH_CC) $(CPPFLAGS) $(BENCH_CFLAGS) $(BENCH_WARN) -MMD -MP -c -o $@ bench/anatomy.c

$(BENCH_DIR)/bench: bench/bench.c bench/report.c bench/native.c bench/bench.h bench/flat.h include/ptrules.h \
		$(BENCH_DIR)/anatomy.o $(BENCH_DIR)/libptrules.a
	$(BENCH_CC) -Iinclude $(BENCH_CFLAGS) $(BENCH_WARN) -o $@ bench/bench.c bench/report.c bench/native.c \
		$(BENCH_DIR)/anatomy.o $(BENCH_DIR)/libptrules.a $(BENCH_WRAP)

$(BENCH_DIR)/mkdata: bench/mkdata.c bench/flat.h | $(BENCH_DIR)/.dir
	$(BENCH_CC) $(BENCH_CFLAGS) $(BENCH_WARN) -o $@ bench/mkdata.c

# Data sets: deterministic, so they are made once per size and seed (the
# generator is only an order-only prerequisite: a rebuilt CLI does not
# regenerate them).
$(BENCH_DIR)/carts-%.txt: | $(BENCH_DIR)/ptrules
	n=$$(echo $* | sed 's/-s.*//'); s=$$(echo $* | sed 's/.*-s//'); \
	$(BENCH_DIR)/ptrules gen-carts $$n --seed $$s > $@.tmp && mv $@.tmp $@

$(BENCH_DIR)/%.flat $(BENCH_DIR)/%.luadat: $(BENCH_DIR)/%.txt $(BENCH_DIR)/mkdata
	$(BENCH_DIR)/mkdata $< $(BENCH_DIR)/$*.flat $(BENCH_DIR)/$*.luadat

.PRECIOUS: $(BENCH_DIR)/carts-%.txt

bench-clean:
	rm -rf $(BENCH_DIR) $(B)/bench.json

-include $(wildcard $(BENCH_DIR)/obj/*.d) $(wildcard $(BENCH_DIR)/anatomy.d)
