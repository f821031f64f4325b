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
#   make cart-nosimd the fast cart reader against the reference reader
#                   (tests/unit/test_cart_diff.c) with its SSE2 spans
#                   compiled out (-DPT_CART_NO_SIMD, the byte loops that
#                   non-x86 systems run) (in `make check`)

.PHONY: fastdiff portable cart-nosimd

$(B)/fastdiff: tests/fastdiff/fastdiff.c $(B)/libpt.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $< $(B)/libpt.a $(LDFLAGS) $(LDLIBS)

fastdiff: $(B)/fastdiff $(B)/ptrules
	@sh tests/fastdiff/run.sh $(B)/fastdiff $(B)/ptrules

portable: | $(B)/.deps
	$(CC) $(CPPFLAGS) -DPT_NO_JIT $(CFLAGS) $(WARN) -fsyntax-only src/jit.c src/jit_note.c src/fast.c
	$(CC) $(CPPFLAGS) -DPT_FAST_SWITCH_ONLY $(CFLAGS) $(WARN) -fsyntax-only src/fast.c

# This build's cart_fast.o, linked before the library, replaces the
# library's (its one external name is pt_cart_fast_lines).
$(B)/nosimd/cart_fast.o: src/cart_fast.c | $(B)/.deps
	@mkdir -p $(B)/nosimd
	$(CC) $(CPPFLAGS) -DPT_CART_NO_SIMD $(CFLAGS) $(WARN) -MMD -MP -c -o $@ $<

$(B)/test_cart_diff_nosimd: tests/unit/test_cart_diff.c tests/unit/helpers.h $(B)/nosimd/cart_fast.o $(B)/libpt.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $< $(B)/nosimd/cart_fast.o $(B)/libpt.a $(LDFLAGS) -lcmocka $(LDLIBS)

cart-nosimd: $(B)/test_cart_diff_nosimd
	@echo "== $<" && $<

-include $(wildcard $(B)/nosimd/*.d)

check: fastdiff portable cart-nosimd
