# mk/install.mk - libptrules (static and shared), `make install`,
# `make uninstall` and the tests of the public API (included by the
# Makefile after its own rules; uses its B, CC, CPPFLAGS, CFLAGS, WARN,
# GENWARN, SRCS, LDFLAGS and LDLIBS).
#
#   make install [PREFIX=/usr/local] [DESTDIR=/tmp/stage]
#   make uninstall [PREFIX=/usr/local] [DESTDIR=/tmp/stage]
#
# Installed: $(BINDIR)/ptrules, $(LIBDIR)/libptrules.a, libptrules.so*,
# $(INCLUDEDIR)/ptrules.h, $(PKGCONFIGDIR)/ptrules.pc, the shipped rules
# in $(SHAREDIR) (the CLI's fallback rule set) and $(MANDIR)/man1/ptrules.1.

PREFIX       ?= /usr/local
BINDIR       ?= $(PREFIX)/bin
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
DATADIR      ?= $(PREFIX)/share
MANDIR       ?= $(DATADIR)/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
# Where the installed CLI looks for rules when neither --rules nor ./rules
# is there; compiled into it as -DPT_SHAREDIR="..." (the Makefile defines
# SHAREDIR the same way for $(B)/ptrules).
SHAREDIR     ?= $(DATADIR)/ptrules/rules
INSTALL      ?= install

# The version and the soname come from the header, the one place they live.
PT_LIBVERSION := $(shell sed -n 's/^.define PTRULES_VERSION "\(.*\)"/\1/p' include/ptrules.h)
PT_SOMAJOR    := $(firstword $(subst ., ,$(PT_LIBVERSION)))
PT_SONAME     := libptrules.so.$(PT_SOMAJOR)
PT_SOREAL     := libptrules.so.$(PT_LIBVERSION)

# ---- the library ------------------------------------------------------------
# Position-independent objects with hidden visibility: only the functions
# marked PTRULES_API in include/ptrules.h (the ptrules_* names) are exported.
PIC_OBJS  := $(SRCS:src/%.c=$(B)/pic/%.o) $(B)/pic/lexer.o $(B)/pic/parser.o
PIC_FLAGS := -fPIC -fvisibility=hidden -DPTRULES_BUILDING -Iinclude

# A shared library must not have undefined symbols (except under the
# sanitizers, whose runtime comes with the executable).
ifneq ($(SANITIZE),1)
PT_SO_LDFLAGS := -Wl,-z,defs -Wl,--gc-sections
endif

.PHONY: lib install uninstall install-test check-exports api-tests

all: $(B)/libptrules.a $(B)/libptrules.so
lib: $(B)/libptrules.a $(B)/libptrules.so

# The objects are rebuilt when the flags change (e.g. SANITIZE=1 in a
# build directory that was built without it).
PT_PIC_FLAGS_NOW := $(CC) $(CPPFLAGS) $(PIC_FLAGS) $(CFLAGS) $(LDFLAGS)
$(B)/pic/flags: FORCE
	@mkdir -p $(B)/pic
	@if [ "$$(cat $@ 2>/dev/null)" != '$(PT_PIC_FLAGS_NOW)' ]; then echo '$(PT_PIC_FLAGS_NOW)' > $@; fi
$(PIC_OBJS): $(B)/pic/flags

$(B)/pic/%.o: src/%.c $(B)/parser.h $(B)/lexer.h
	@mkdir -p $(B)/pic
	$(CC) $(CPPFLAGS) $(PIC_FLAGS) $(CFLAGS) $(WARN) -MMD -MP -c -o $@ $<
# The scanner a function to a section, so that linking the .so drops what
# flex writes and nothing calls (yy_fatal_error, which would print and
# exit: YY_FATAL_ERROR is pt_lex_fatal), which -O0 would otherwise keep.
$(B)/pic/lexer.o: $(B)/lexer.c $(B)/parser.h
	@mkdir -p $(B)/pic
	$(CC) $(CPPFLAGS) $(PIC_FLAGS) $(CFLAGS) $(GENWARN) -ffunction-sections -MMD -MP -c -o $@ $<
$(B)/pic/parser.o: $(B)/parser.c $(B)/lexer.h
	@mkdir -p $(B)/pic
	$(CC) $(CPPFLAGS) $(PIC_FLAGS) $(CFLAGS) $(GENWARN) -MMD -MP -c -o $@ $<

# The static library is one relocatable object whose hidden symbols are made
# local, so a program linking libptrules.a sees the same ptrules_* names as
# one linking the .so, and the internal pt_* names cannot clash with its own.
$(B)/libptrules.a: $(PIC_OBJS)
	$(CC) -r -nostdlib -o $(B)/pic/ptrules-all.o $(PIC_OBJS)
	objcopy --localize-hidden $(B)/pic/ptrules-all.o
	rm -f $@ && ar rcs $@ $(B)/pic/ptrules-all.o

$(B)/$(PT_SOREAL): $(PIC_OBJS)
	$(CC) -shared -Wl,-soname,$(PT_SONAME) $(PT_SO_LDFLAGS) $(LDFLAGS) -o $@ $(PIC_OBJS) $(LDLIBS)
$(B)/$(PT_SONAME): $(B)/$(PT_SOREAL)
	ln -sf $(PT_SOREAL) $@
$(B)/libptrules.so: $(B)/$(PT_SONAME)
	ln -sf $(PT_SONAME) $@

# Every dynamic symbol the library defines must be a ptrules_* name.
check-exports: $(B)/$(PT_SOREAL)
	@bad=$$(nm -D --defined-only $(B)/$(PT_SOREAL) | awk '$$2 ~ /^[A-Z]$$/ && $$3 !~ /^ptrules_/ { print $$3 }'); \
	if [ -n "$$bad" ]; then echo "libptrules.so exports non-API symbols:" $$bad >&2; exit 1; fi; \
	n=$$(nm -D --defined-only $(B)/$(PT_SOREAL) | grep -c ' T ptrules_'); \
	echo "libptrules.so: $$n functions exported, all ptrules_*"; \
	calls=$$(nm -u $(B)/$(PT_SOREAL) | awk '$$2 ~ /^(exit|_exit|abort|printf|puts|putchar|perror)(@|$$)/ { sub(/@.*/, "", $$2); print $$2 }'); \
	if [ -n "$$calls" ]; then echo "libptrules.so: warning: the library calls" $$calls "(it must never exit or print)" >&2; fi; \
	new=$$(nm -u $(B)/$(PT_SOREAL) | awk '{ sub(/@.*/, "", $$2); print $$2 }' | grep -vxE '$(LIBC_KNOWN_RE)'); \
	if [ -n "$$new" ]; then echo "libptrules.so calls" $$new ": add each to LIBC_KNOWN (mk/install.mk), and an allocator to NOALLOC_WRAP too" >&2; exit 1; fi

# What the library may call outside itself.  An allocator among them must
# be in NOALLOC_WRAP, or test_noalloc and test_oom would not see it
# (malloc, calloc, realloc, free, strdup); fopen, opendir and mkstemp
# allocate inside the C library and report failing as an error of their
# own, which load.c turns into a diagnostic; qsort falls back to sorting
# in place.  The last line: what a compiler calls in place of the calls
# above under other flags (-D_FORTIFY_SOURCE's checked copies, clang's
# bcmp for memcmp, fputs for fprintf at -Os, -pg's profiling hook).  A
# call not listed fails check-exports: decide which kind it is.
LIBC_KNOWN := _ITM_deregisterTMCloneTable _ITM_registerTMCloneTable __cxa_finalize __errno_location __gmon_start__ \
	calloc malloc realloc free strdup strndup posix_memalign aligned_alloc \
	chmod clearerr close closedir fclose ferror fileno fopen fprintf fread fstat fsync fwrite mkstemp \
	mmap mprotect munmap open opendir qsort read readdir rename snprintf stat stdin stdout sysconf time unlink vsnprintf write \
	memchr memcmp memcpy memmove memset strchr strcmp strcpy strerror strlen strncmp strrchr \
	__asan_.* __ubsan_.* __sanitizer_.* __stack_chk_fail __memcpy_chk __memset_chk __vsnprintf_chk __snprintf_chk __fprintf_chk \
	__memmove_chk __fread_chk __read_chk __strcpy_chk bcmp fputs fputc putc mcount _mcount __fentry__
pt_empty :=
pt_space := $(pt_empty) $(pt_empty)
LIBC_KNOWN_RE := $(subst $(pt_space),|,$(strip $(LIBC_KNOWN)))

-include $(wildcard $(B)/pic/*.d $(B)/inst/*.d)

# ---- the installed command --------------------------------------------------
# The CLI that `make install` installs is linked against libptrules.a (so it
# can use the public API only) and has the installed rules directory as its
# fallback.  It is built apart from $(B)/ptrules and rebuilt whenever
# SHAREDIR changes, so `make; make install PREFIX=/usr` never installs a
# binary that looks for its rules under another prefix.
$(B)/inst/sharedir: FORCE
	@mkdir -p $(B)/inst
	@if [ "$$(cat $@ 2>/dev/null)" != '$(SHAREDIR)' ]; then echo '$(SHAREDIR)' > $@; fi
INST_CLI_OBJS := $(patsubst src/%.c,$(B)/inst/%.o,$(or $(CLI_SRCS),src/main.c))
$(INST_CLI_OBJS): $(B)/inst/%.o: src/%.c include/ptrules.h $(wildcard src/cli.h) $(B)/inst/sharedir $(B)/pic/flags
	$(CC) -D_POSIX_C_SOURCE=200809L -Iinclude $(CFLAGS) $(WARN) -DPT_SHAREDIR='"$(SHAREDIR)"' -MMD -MP -c -o $@ $<
$(B)/inst/ptrules: $(INST_CLI_OBJS) $(B)/libptrules.a
	$(CC) $(LDFLAGS) -pthread -o $@ $^ $(LDLIBS)

.PHONY: FORCE
FORCE:

# ---- install / uninstall ----------------------------------------------------
PT_RULES_SHIPPED := $(sort $(wildcard rules/*.rules))

# Directories under the prefix are written as ${prefix}/..., as is usual.
pt_relprefix = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))
$(B)/ptrules.pc: ptrules.pc.in $(B)/inst/sharedir include/ptrules.h
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(call pt_relprefix,$(LIBDIR))|g' \
	    -e 's|@INCLUDEDIR@|$(call pt_relprefix,$(INCLUDEDIR))|g' \
	    -e 's|@RULESDIR@|$(call pt_relprefix,$(SHAREDIR))|g' \
	    -e 's|@VERSION@|$(PT_LIBVERSION)|g' ptrules.pc.in > $@.tmp && mv $@.tmp $@

# The man page names the rules directory of this prefix.
$(B)/ptrules.1: docs/ptrules.1 $(B)/inst/sharedir
	sed 's|/usr/local/share/ptrules/rules|$(SHAREDIR)|g' docs/ptrules.1 > $@.tmp && mv $@.tmp $@

install: $(B)/inst/ptrules $(B)/libptrules.a $(B)/$(PT_SOREAL) $(B)/ptrules.pc $(B)/ptrules.1
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(SHAREDIR) $(DESTDIR)$(MANDIR)/man1
	$(INSTALL) -m 755 $(B)/inst/ptrules $(DESTDIR)$(BINDIR)/ptrules
	$(INSTALL) -m 644 $(B)/libptrules.a $(DESTDIR)$(LIBDIR)/libptrules.a
	$(INSTALL) -m 755 $(B)/$(PT_SOREAL) $(DESTDIR)$(LIBDIR)/$(PT_SOREAL)
	ln -sf $(PT_SOREAL) $(DESTDIR)$(LIBDIR)/$(PT_SONAME)
	ln -sf $(PT_SONAME) $(DESTDIR)$(LIBDIR)/libptrules.so
	$(INSTALL) -m 644 include/ptrules.h $(DESTDIR)$(INCLUDEDIR)/ptrules.h
	$(INSTALL) -m 644 $(B)/ptrules.pc $(DESTDIR)$(PKGCONFIGDIR)/ptrules.pc
	$(INSTALL) -m 644 $(PT_RULES_SHIPPED) $(DESTDIR)$(SHAREDIR)/
	$(INSTALL) -m 644 $(B)/ptrules.1 $(DESTDIR)$(MANDIR)/man1/ptrules.1

# Removes exactly what install put there, and the rules directory it made;
# the standard directories (bin, lib, ...) are left alone.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/ptrules
	rm -f $(DESTDIR)$(LIBDIR)/libptrules.a $(DESTDIR)$(LIBDIR)/libptrules.so \
	      $(DESTDIR)$(LIBDIR)/$(PT_SONAME) $(DESTDIR)$(LIBDIR)/$(PT_SOREAL)
	rm -f $(DESTDIR)$(INCLUDEDIR)/ptrules.h
	rm -f $(DESTDIR)$(PKGCONFIGDIR)/ptrules.pc
	rm -f $(addprefix $(DESTDIR)$(SHAREDIR)/,$(notdir $(PT_RULES_SHIPPED)))
	rmdir $(DESTDIR)$(SHAREDIR) 2>/dev/null || true
	rmdir $(DESTDIR)$(DATADIR)/ptrules 2>/dev/null || true
	rm -f $(DESTDIR)$(MANDIR)/man1/ptrules.1

# ---- tests --------------------------------------------------------------------
# The API tests link libptrules.a, whose only global names are the ptrules_*
# functions: they can use nothing but the public header.
API_TEST_DEPS := tests/unit/helpers.h include/ptrules.h $(B)/libptrules.a | $(B)/.deps

$(B)/test_api: tests/unit/test_api.c $(API_TEST_DEPS)
	$(CC) $(CPPFLAGS) -Iinclude $(CFLAGS) $(WARN) -o $@ $< $(B)/libptrules.a $(LDFLAGS) -lcmocka $(LDLIBS)

$(B)/test_threads: tests/unit/test_threads.c $(API_TEST_DEPS)
	$(CC) $(CPPFLAGS) -Iinclude $(CFLAGS) $(WARN) -pthread -o $@ $< $(B)/libptrules.a $(LDFLAGS) -pthread -lcmocka $(LDLIBS)

# Every allocation the library makes goes through the test's counters.
NOALLOC_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,--wrap=strdup,--wrap=strndup,--wrap=posix_memalign,--wrap=aligned_alloc
$(B)/test_noalloc: tests/unit/test_noalloc.c tests/unit/alloc_wrap.h $(API_TEST_DEPS)
	$(CC) $(CPPFLAGS) -Iinclude $(CFLAGS) $(WARN) -o $@ $< $(B)/libptrules.a $(LDFLAGS) $(NOALLOC_WRAP) -lcmocka $(LDLIBS)

# The same wrapping, each allocation made to fail in turn.
$(B)/test_oom: tests/unit/test_oom.c tests/unit/alloc_fail.h tests/unit/alloc_wrap.h $(API_TEST_DEPS)
	$(CC) $(CPPFLAGS) -Iinclude $(CFLAGS) $(WARN) -o $@ $< $(B)/libptrules.a $(LDFLAGS) $(NOALLOC_WRAP) -lcmocka $(LDLIBS)

api-tests: $(B)/test_api $(B)/test_threads $(B)/test_noalloc $(B)/test_oom
	@set -e; for t in $^; do echo "== $$t"; $$t; done

# Installs into a temporary DESTDIR, builds the example of docs/library.md
# (examples/embed.c, which the doc must show byte for byte) against it with
# pkg-config, runs it, and uninstalls.  The sub-make builds what install needs.
install-test: $(B)/libptrules.a $(B)/$(PT_SONAME)
	@MAKE='$(MAKE)' EMBED_CFLAGS='$(CFLAGS)' EMBED_LDFLAGS='$(LDFLAGS)' CC='$(CC)' \
		sh tests/install/run.sh

check: check-exports install-test
