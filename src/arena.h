/* arena.h - bump allocator: one owner frees everything at once.
 *
 * The AST, the compiled rule set and each parsed cart live in arenas, so
 * every path out of a pass frees with one call and nothing leaks. */
#ifndef PT_ARENA_H
#define PT_ARENA_H

#include <stddef.h>

typedef struct pt_arena_block pt_arena_block;

typedef struct pt_arena {
	pt_arena_block *head;   /* current block, newest first */
	size_t block_size;      /* default size for new blocks */
} pt_arena;

#define PT_ARENA_MAX_BLOCK (1u << 20)   /* each new block is twice the last, up to this size (bytes) */

void pt_arena_init(pt_arena *a, size_t block_size);
/* Allocate n zeroed bytes aligned for any object; NULL only on OOM. */
void *pt_arena_alloc(pt_arena *a, size_t n);
/* Allocate n bytes, not zeroed, for memory the caller fills before
 * reading it (the cart reader's arrays and string pool). */
void *pt_arena_alloc_uninit(pt_arena *a, size_t n);
/* Copy n bytes of s and NUL-terminate the copy. */
char *pt_arena_strndup(pt_arena *a, const char *s, size_t n);
/* Forget everything allocated but keep the first block for reuse. */
void pt_arena_reset(pt_arena *a);
void pt_arena_free(pt_arena *a);

#endif
