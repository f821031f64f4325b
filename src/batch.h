/* batch.h - the layout of a ptrules_batch (batch.c), for the library
 * and for the benchmark's timing of each step of an evaluation
 * (bench/anatomy.c). */
#ifndef PT_BATCH_H
#define PT_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "api.h"

/* What precedes each packed preparation: this, then n_uses pt_use
 * records and, when there are any, the cart's n_accounts account lines
 * without their keys (the use check reads their balances). */
typedef struct batch_head {
	int64_t total;            /* the cart's total in yen */
	const char *label, *order;   /* the cart id and order id, or NULL */
	uint32_t n_uses, n_accounts;
} batch_head;

/* Where a packed cart's header and its preparation lie in the batch's
 * memory: both known at once, so that finding the preparation waits on
 * one load, not on the header's counts too. */
typedef struct batch_at {
	size_t head, prep;   /* offsets in mem, multiples of 8; head's low bit is PT_BATCH_COMMON */
} batch_at;

/* In batch_at.head: the cart has no `use` records and its preparation
 * has the shape pt_bind_prepared binds inline for the batch's rules,
 * both known when it is packed, so ptrules_evaluate_range tests one bit
 * for them, not two fields in two places. */
#define PT_BATCH_COMMON ((size_t)1)

struct ptrules_batch {
	ptrules_rules *rules;     /* retained */
	unsigned char *mem;       /* the packed carts, 8-byte aligned */
	size_t used, cap;
	batch_at *at;             /* where cart i lies in mem */
	size_t n, cap_at;
	pt_arena strs;            /* the carts' strings */
	pt_rat *scratch;          /* rs->ninputs + 1 values, for packing */
};

/* What follows header h: its `use` records, then its account lines. */
static inline const pt_use *pt_batch_uses(const batch_head *h) { return (const pt_use *)(h + 1); }
static inline const pt_account *pt_batch_accounts(const batch_head *h)
{
	return (const pt_account *)(pt_batch_uses(h) + h->n_uses);
}

/* Packed cart i of b (i < b->n): its header in *h and its preparation,
 * which follows the header's `use` records and account lines. */
static inline const pt_prep *pt_batch_cart(const ptrules_batch *b, size_t i, const batch_head **h)
{
	const batch_at *a = &b->at[i];
	*h = (const batch_head *)(b->mem + (a->head & ~PT_BATCH_COMMON));
	return (const pt_prep *)(b->mem + a->prep);
}

#endif
