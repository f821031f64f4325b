# mk/readfail.mk - a read error part way through the carts, on one thread
# and on several (tests/readfail/run.sh):
#
#   make readfail   ptrules linked with tests/readfail/wrap.c (standard
#                   input fails with EIO after PTRULES_FAIL_AFTER bytes),
#                   `eval --jobs 2` and `--jobs 3` against `--jobs 1` (in
#                   `make check`)

.PHONY: readfail

$(B)/readfail_wrap.o: tests/readfail/wrap.c | $(B)/.deps
	$(CC) $(CFLAGS) $(WARN) -c -o $@ $<

$(B)/ptrules-readfail: $(CLI_OBJS) $(B)/readfail_wrap.o $(B)/libpt.a
	$(CC) $(LDFLAGS) -pthread -o $@ $(CLI_OBJS) $(B)/readfail_wrap.o $(B)/libpt.a $(LDLIBS) \
		-Wl,--wrap=fread -Wl,--wrap=ferror

readfail: $(B)/ptrules-readfail
	@sh tests/readfail/run.sh $(B)/ptrules-readfail

check: readfail
