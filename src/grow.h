/* grow.h - the one way a malloc'ed array grows.
 *
 * Builders across the library (the compiler's tables, the code
 * generator's lists, the register code, the JIT's bytes and fixups, a
 * batch's block) keep an array, its capacity and a count; pt_grow makes
 * room by doubling, with every size checked. */
#ifndef PT_GROW_H
#define PT_GROW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

/* Make room in *v, an array of *cap elements of elem bytes, for need
 * elements: the capacity doubles from *cap (or first, when 0) until it
 * is enough.  False, with *v and *cap left as they were, when the size
 * would overflow or memory runs out. */
static inline bool pt_grow(void **v, size_t *cap, size_t need, size_t elem, size_t first)
{
	if (need <= *cap)
		return true;
	size_t nc = *cap ? *cap : first;
	while (nc < need) {
		if (nc > SIZE_MAX / 2)
			return false;
		nc *= 2;
	}
	if (nc > SIZE_MAX / elem)
		return false;
	void *p = realloc(*v, nc * elem);
	if (!p)
		return false;
	*v = p;
	*cap = nc;
	return true;
}

#endif
