/* arena.c - bump allocator used for ASTs, rule sets and carts. */
#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct pt_arena_block {
	pt_arena_block *next;
	size_t size, used;
	alignas(max_align_t) unsigned char data[];
};

/* Set up an empty arena; blocks are allocated lazily. */
void pt_arena_init(pt_arena *a, size_t block_size)
{
	a->head = NULL;
	a->block_size = block_size ? block_size : 4096;
}

/* Bump-allocate n uninitialised bytes from the newest block, adding a
 * block (each twice the last, up to PT_ARENA_MAX_BLOCK) when it is full. */
static void *arena_bump(pt_arena *a, size_t n)
{
	size_t align = alignof(max_align_t);
	if (n > SIZE_MAX - align)
		return NULL;
	n = (n + align - 1) & ~(align - 1);
	if (n == 0)
		n = align;
	pt_arena_block *b = a->head;
	if (!b || b->size - b->used < n) {
		size_t sz = n > a->block_size ? n : a->block_size;
		b = malloc(sizeof *b + sz);
		if (!b)
			return NULL;
		b->size = sz;
		b->used = 0;
		b->next = a->head;
		a->head = b;
		if (a->block_size < PT_ARENA_MAX_BLOCK)   /* geometric: small arenas stay small */
			a->block_size *= 2;
	}
	void *p = b->data + b->used;
	b->used += n;
	return p;
}

/* Bump-allocate n zeroed bytes. */
void *pt_arena_alloc(pt_arena *a, size_t n)
{
	void *p = arena_bump(a, n);
	if (p)
		memset(p, 0, n);
	return p;
}

/* Bump-allocate n bytes the caller fills before reading them. */
void *pt_arena_alloc_uninit(pt_arena *a, size_t n)
{
	return arena_bump(a, n);
}

/* Copy a byte range into the arena as a C string. */
char *pt_arena_strndup(pt_arena *a, const char *s, size_t n)
{
	char *p = n < SIZE_MAX ? arena_bump(a, n + 1) : NULL;   /* filled below: no zeroing */
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* Forget every allocation.  When the arena had grown past one block, the
 * blocks are replaced by one block as large as all of them, so a reused
 * arena stops allocating once it has seen its largest load. */
void pt_arena_reset(pt_arena *a)
{
	pt_arena_block *b = a->head;
	if (b && b->next) {
		size_t total = 0;
		while (b) {
			pt_arena_block *next = b->next;
			total += b->size;
			free(b);
			b = next;
		}
		b = malloc(sizeof *b + total);
		if (b) {
			b->size = total;
			b->next = NULL;
		}
		a->head = b;
	}
	if (b)
		b->used = 0;
}

/* Release every block. */
void pt_arena_free(pt_arena *a)
{
	pt_arena_block *b = a->head;
	while (b) {
		pt_arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
}
