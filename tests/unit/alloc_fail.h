/* alloc_fail.h - the failing interposer over alloc_wrap.h's allocator:
 * allocation number N of a call made to fail, or every one from N on,
 * for a program linked with NOALLOC_WRAP (mk/install.mk).  Shared by
 * test_oom (the shipped rules, carts, batches) and the oom fuzz target
 * (tests/fuzz/fuzz_oom.c: any rules text); include it once per program,
 * as it defines the __wrap_ functions. */
#ifndef PX_ALLOC_FAIL_H
#define PX_ALLOC_FAIL_H

#include <errno.h>
#include <string.h>

#include "alloc_wrap.h"

static long fail_at;      /* the allocation that fails, counted from 1; 0: none */
static long calls;        /* allocations since the count was armed */
static int sticky;        /* every allocation from fail_at on fails, not that one alone */
static size_t min_size;   /* only allocations of at least this many bytes count (an arena's blocks) */

/* Whether this allocation is the one to fail. */
static inline int failing(size_t size)
{
	if (!fail_at || size < min_size)
		return 0;
	return sticky ? ++calls >= fail_at : ++calls == fail_at;
}

void *__wrap_malloc(size_t n) { return failing(n) ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) { return failing(n * size) ? NULL : __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t n) { return failing(n) ? NULL : __real_realloc(p, n); }
void __wrap_free(void *p) { __real_free(p); }
char *__wrap_strdup(const char *s) { return failing(strlen(s) + 1) ? NULL : __real_strdup(s); }
char *__wrap_strndup(const char *s, size_t n) { return failing(n + 1) ? NULL : __real_strndup(s, n); }
int __wrap_posix_memalign(void **p, size_t align, size_t n)
{
	return failing(n) ? ENOMEM : __real_posix_memalign(p, align, n);
}
void *__wrap_aligned_alloc(size_t align, size_t n) { return failing(n) ? NULL : __real_aligned_alloc(align, n); }

/* Arm allocation n to fail (0: none), and with from every one after it. */
static inline void arm_from(long n, int from)
{
	calls = 0;
	sticky = from;
	fail_at = n;
}
static inline void arm(long n) { arm_from(n, 0); }

/* Whether the armed allocation was reached (and failed); disarms. */
static inline int reached(void)
{
	int r = fail_at && calls >= fail_at;
	fail_at = 0;
	return r;
}

#endif
