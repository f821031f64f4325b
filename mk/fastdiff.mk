# mk/fastdiff.mk - the differential check of the fast paths (issue 7;
# docs/performance.md, "Same results, two paths"):
#
#   make fastdiff   tests/fastdiff/run.sh: every cart of tests/corpus,
#                   tests/carts and the tests/lang cases bound and evaluated
#                   the reference way and the fast way (both dispatch
#                   loops), compared field by field (in `make check`)

.PHONY: fastdiff

$(B)/fastdiff: tests/fastdiff/fastdiff.c $(B)/libpt.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $< $(B)/libpt.a $(LDFLAGS) $(LDLIBS)

fastdiff: $(B)/fastdiff $(B)/ptrules
	@sh tests/fastdiff/run.sh $(B)/fastdiff $(B)/ptrules

check: fastdiff
