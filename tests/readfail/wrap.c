/* wrap.c - a read error at a chosen byte of the input, for
 * tests/readfail/run.sh: linked into a ptrules of its own with
 * -Wl,--wrap=fread -Wl,--wrap=ferror, it makes fread fail with EIO once
 * PTRULES_FAIL_AFTER bytes of standard input have been read (only where
 * it has more bytes than that: past its end there is nothing to fail on),
 * and ferror say so from then on.  Other streams (the rules) and runs
 * without the variable get the real fread and ferror. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

size_t __real_fread(void *buf, size_t size, size_t n, FILE *f);
int __real_ferror(FILE *f);

struct fail_state {
	long read;     /* bytes fread has given so far */
	int failed;    /* the error has happened */
};

/* The one state of the wrapper: the count of bytes read so far. */
static struct fail_state *state(void)
{
	static struct fail_state s;   /* test-only wrapper: one process, one input */
	return &s;
}

/* fread, failing with EIO at byte PTRULES_FAIL_AFTER of the input. */
size_t __wrap_fread(void *buf, size_t size, size_t n, FILE *f)
{
	const char *e = getenv("PTRULES_FAIL_AFTER");
	struct fail_state *s = state();
	if (!e || size != 1 || f != stdin)
		return __real_fread(buf, size, n, f);
	long lim = atol(e);
	if (s->failed) {
		errno = EIO;
		return 0;
	}
	size_t can = s->read + (long)n > lim ? (size_t)(lim - s->read) : n;
	size_t got = __real_fread(buf, 1, can, f);
	s->read += (long)got;
	if (got == can && can < n) {   /* bytes remain past the limit: fail there */
		char probe;
		if (__real_fread(&probe, 1, 1, f) == 1) {
			s->failed = 1;
			errno = EIO;
		}
	}
	return got;
}

/* ferror, which says so once the error has happened. */
int __wrap_ferror(FILE *f)
{
	return f == stdin && state()->failed ? 1 : __real_ferror(f);
}
