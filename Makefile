# ptrules - build, run and test.  `make run` and `make check` are all a
# newcomer needs: both install flex, bison and cmocka when missing.

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla
GENWARN := -std=c11 -Wno-unused-function -Wno-sign-compare -Wno-unused-but-set-variable
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -Iinclude -Isrc -Ibuild
PREFIX  ?= /usr/local
# Where the installed CLI finds the shipped rules when ./rules is absent.
SHAREDIR ?= $(PREFIX)/share/ptrules/rules
LDLIBS  ?=
B       := build

# `make JIT=0`: no machine code; the interpreter runs every program
# (docs/library.md, "Machine code").
ifeq ($(JIT),0)
CPPFLAGS += -DPT_NO_JIT
endif

ifeq ($(SANITIZE),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

# The CLI: main.c and the subcommands in cmd_*.c use the public API only.
CLI_SRCS := src/main.c $(wildcard src/cmd_*.c)
CLI_OBJS := $(CLI_SRCS:src/%.c=$(B)/%.o)
SRCS := $(filter-out $(CLI_SRCS),$(wildcard src/*.c))
OBJS := $(SRCS:src/%.c=$(B)/%.o) $(B)/lexer.o $(B)/parser.o
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/%)

.PHONY: all run check unit lang bytecode rules-test docs-test deps clean
all: $(B)/ptrules

# Tools we need, and the Debian packages that provide them.
deps: $(B)/.deps
$(B)/.deps:
	@mkdir -p $(B)
	@sh tools/deps.sh
	@touch $@

$(B)/parser.c $(B)/parser.h: grammar/parser.y | $(B)/.deps
	bison -Wall -Werror -o $(B)/parser.c --header=$(B)/parser.h $<

$(B)/lexer.c $(B)/lexer.h: grammar/lexer.l $(B)/parser.h | $(B)/.deps
	flex --header-file=$(B)/lexer.h -o $(B)/lexer.c $<

# -MMD on the generated sources too: they include ast.h, whose layout
# changing under a stale lexer.o or parser.o breaks every parse.
$(B)/lexer.o: $(B)/lexer.c $(B)/parser.h
	$(CC) $(CPPFLAGS) $(CFLAGS) $(GENWARN) -MMD -MP -c -o $@ $<
$(B)/parser.o: $(B)/parser.c $(B)/lexer.h
	$(CC) $(CPPFLAGS) $(CFLAGS) $(GENWARN) -MMD -MP -c -o $@ $<

$(B)/%.o: src/%.c $(B)/parser.h $(B)/lexer.h
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -c -o $@ $<

# The CLI is built on the public API only (include/ptrules.h).
$(CLI_OBJS): $(B)/%.o: src/%.c include/ptrules.h src/cli.h | $(B)/.deps
	$(CC) -D_POSIX_C_SOURCE=200809L -Iinclude $(CFLAGS) $(WARN) -DPT_SHAREDIR='"$(SHAREDIR)"' -MMD -MP -c -o $@ $<

$(B)/libpt.a: $(OBJS)
	rm -f $@ && ar rcs $@ $^

$(B)/ptrules: $(CLI_OBJS) $(B)/libpt.a
	$(CC) $(LDFLAGS) -pthread -o $@ $^ $(LDLIBS)

$(B)/test_%: tests/unit/test_%.c tests/unit/helpers.h tests/unit/jit_fixture.h $(B)/libpt.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $< $(B)/libpt.a $(LDFLAGS) -lcmocka $(LDLIBS)

run: $(B)/ptrules
	$(B)/ptrules eval --rules rules examples/cart.txt

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

lang: $(B)/ptrules
	@sh tests/run-lang.sh $(B)/ptrules tests/lang

bytecode: $(B)/ptrules
	@sh tests/bytecode/run.sh $(B)/ptrules

# The shipped rules' own tests, which must exercise every rule part.
rules-test: $(B)/ptrules
	@$(B)/ptrules test --rules rules --min-coverage 100 tests/rules | tail -2

docs-test: $(B)/ptrules
	@sh tests/docs/run.sh $(B)/ptrules
	@sh tests/docs/readme.sh $(B)/ptrules
	@sh tests/hook/run.sh $(B)/ptrules

check: unit lang bytecode rules-test docs-test
	@echo "make check: all tests passed"

# The unit tests and the language tests share the binary's library.
$(UNIT_BINS): | $(B)/.deps

clean:
	rm -rf $(B)

# Feature makefiles (fuzzing, installation, ...) add their own targets.
include $(sort $(wildcard mk/*.mk))

-include $(wildcard $(B)/*.d)
