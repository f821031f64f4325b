/* alloc_wrap.h - the allocator, as a test linked with
 * -Wl,--wrap=malloc,calloc,realloc,free,strdup,strndup,posix_memalign,aligned_alloc
 * sees it (mk/install.mk, NOALLOC_WRAP): the library's calls reach the
 * test's __wrap_ functions, which reach the C library's through __real_.
 * Shared by test_noalloc (counting) and test_oom (failing). */
#ifndef PX_ALLOC_WRAP_H
#define PX_ALLOC_WRAP_H

#include <stddef.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
int __real_posix_memalign(void **p, size_t align, size_t n);
void *__real_aligned_alloc(size_t align, size_t n);

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
int __wrap_posix_memalign(void **p, size_t align, size_t n);
void *__wrap_aligned_alloc(size_t align, size_t n);

#endif
