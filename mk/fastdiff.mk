# mk/fastdiff.mk - the differential check of the fast paths (issue 7;
# docs/performance.md, "Same results, two paths"):
#
#   make fastdiff   tests/fastdiff/run.sh: every cart of tests/corpus,
#                   tests/carts and the tests/lang cases bound and evaluated
#                   the reference way and the fast way (the machine code of
#                   src/jit.c and both dispatch loops), compared field by
#                   field (in `make check`)
#   make portable   the builds this machine does not run compile cleanly:
#                   without the JIT (-DPT_NO_JIT, what non-x86-64 systems
#                   get) and with the switch loop alone (-DPT_FAST_SWITCH_ONLY,
#                   compilers without computed goto) (in `make check`)

.PHONY: fastdiff portable

$(B)/fastdiff: tests/fastdiff/fastdiff.c $(B)/libpt.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $< $(B)/libpt.a $(LDFLAGS) $(LDLIBS)

fastdiff: $(B)/fastdiff $(B)/ptrules
	@sh tests/fastdiff/run.sh $(B)/fastdiff $(B)/ptrules

portable: | $(B)/.deps
	$(CC) $(CPPFLAGS) -DPT_NO_JIT $(CFLAGS) $(WARN) -fsyntax-only src/jit.c src/jit_note.c src/fast.c
	$(CC) $(CPPFLAGS) -DPT_FAST_SWITCH_ONLY $(CFLAGS) $(WARN) -fsyntax-only src/fast.c

check: fastdiff portable
