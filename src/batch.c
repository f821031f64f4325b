/* batch.c - carts packed for one rule set (ptrules_batch_*): what
 * evaluation reads of each cart, one cart after another in one block of
 * memory.
 *
 * A batch job holds thousands or millions of carts.  Evaluated one cart
 * object at a time, each cart is its own allocation somewhere in the heap,
 * and the time goes on waiting for memory (docs/performance.md).  Packed,
 * a cart is a 16-byte header followed by its preparation (bind.c: the
 * inputs that differ from the rule set's template, then each item's
 * amount and category slot), about 150 bytes for three items, and a sweep
 * over the batch reads memory in order, which the hardware prefetches.
 * Packing copies: the cart can be changed, reused or freed afterwards. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PTRULES_BUILDING 1
#include "ptrules.h"

#include "api.h"

/* What precedes each packed preparation. */
typedef struct batch_head {
	int64_t total;            /* the cart's total in yen */
	uint32_t label, order;    /* 1 + offset of the cart id / order id in ids, or 0 */
} batch_head;

struct ptrules_batch {
	ptrules_rules *rules;     /* retained */
	unsigned char *mem;       /* the packed carts, 8-byte aligned */
	size_t used, cap;
	size_t *off;              /* where cart i starts in mem */
	size_t n, cap_off;
	char *ids;                /* the carts' id strings, NUL-terminated */
	size_t ids_used, ids_cap;
	pt_rat *scratch;          /* rs->ninputs + 1 values, for packing */
};

/* An empty batch for rules r. */
PTRULES_API ptrules_batch *ptrules_batch_new(ptrules_rules *r)
{
	if (!r)
		return NULL;
	ptrules_batch *b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	if (!(b->scratch = calloc(r->rs->ninputs + 1, sizeof *b->scratch))) {
		free(b);
		return NULL;
	}
	b->rules = ptrules_retain(r);
	return b;
}

PTRULES_API void ptrules_batch_free(ptrules_batch *b)
{
	if (!b)
		return;
	ptrules_release(b->rules);
	free(b->mem);
	free(b->off);
	free(b->ids);
	free(b->scratch);
	free(b);
}

PTRULES_API size_t ptrules_batch_count(const ptrules_batch *b)
{
	return b ? b->n : 0;
}

/* Make room for need more bytes in a growing buffer; false when out of
 * memory or the size would overflow. */
static bool grow(void **buf, size_t *cap, size_t used, size_t need)
{
	if (need <= *cap - used)
		return true;
	if (need > SIZE_MAX / 4 - used)
		return false;
	size_t c = *cap ? *cap : 4096;
	while (c - used < need)
		c *= 2;
	void *p = realloc(*buf, c);
	if (!p)
		return false;
	*buf = p;
	*cap = c;
	return true;
}

/* Copy s into the id pool; its 1-based offset, 0 for NULL, or -1 when out
 * of memory or past what a 32-bit offset reaches. */
static int64_t keep_id(ptrules_batch *b, const char *s)
{
	if (!s)
		return 0;
	size_t len = strlen(s) + 1;
	if (b->ids_used + len >= UINT32_MAX || !grow((void **)&b->ids, &b->ids_cap, b->ids_used, len))
		return -1;
	memcpy(b->ids + b->ids_used, s, len);
	b->ids_used += len;
	return (int64_t)(b->ids_used - len) + 1;
}

/* Pack cart c at the end of b, or add nothing when it cannot be packed
 * (the header says which carts those are). */
PTRULES_API ptrules_status ptrules_batch_add(ptrules_batch *b, const ptrules_cart *c)
{
	if (!b || !c)
		return PTRULES_EARG;
	const pt_cart *pc = &c->c;
	const pt_ruleset *rs = b->rules->rs;
	int64_t total;
	if (pc->n_errors || !pc->has_date || pc->n_uses || !pt_cart_total(pc, &total))
		return PTRULES_EINVALID;
	size_t size = sizeof(batch_head) + pt_bind_prep_size(rs, pc);
	if (!grow((void **)&b->mem, &b->cap, b->used, size) ||
	    !grow((void **)&b->off, &b->cap_off, b->n * sizeof *b->off, sizeof *b->off))
		return PTRULES_ENOMEM;
	unsigned char *at = b->mem + b->used;
	const pt_prep *p = (const pt_prep *)(at + sizeof(batch_head));
	if (!pt_bind_prepare(rs, pc, pc->date, at + sizeof(batch_head), b->scratch) ||
	    !pt_bind_prepared(rs, p, b->scratch))   /* a category sum overflows: only binding can say so */
		return PTRULES_EINVALID;
	size_t ids_before = b->ids_used;
	int64_t label = keep_id(b, pc->id), order = keep_id(b, pc->order_id);
	if (label < 0 || order < 0) {
		b->ids_used = ids_before;
		return PTRULES_ENOMEM;
	}
	*(batch_head *)at = (batch_head){ total, (uint32_t)label, (uint32_t)order };
	b->off[b->n++] = b->used;
	b->used += sizeof(batch_head) + pt_bind_prep_used(p);   /* a multiple of 8 */
	return PTRULES_OK;
}

/* Evaluate packed cart i: the template and the cart's values into the
 * inputs, then the same run as ptrules_evaluate. */
PTRULES_API ptrules_status ptrules_evaluate_packed(ptrules_eval *e, const ptrules_batch *b, size_t i)
{
	if (!e)
		return PTRULES_EARG;
	e->have = false;   /* a failed call leaves no results */
	if (!b || i >= b->n || e->rules != b->rules)
		return PTRULES_EARG;
	const unsigned char *at = b->mem + b->off[i];
	const batch_head *h = (const batch_head *)at;
	const pt_prep *p = (const pt_prep *)(at + sizeof *h);
	if (!pt_bind_prepared(b->rules->rs, p, e->inputs))
		return PTRULES_EINVALID;   /* not reached: packing tried the same sums */
	return pt_api_run(e, NULL, h->label ? b->ids + h->label - 1 : NULL, h->order ? b->ids + h->order - 1 : NULL,
			  pt_bind_prep_date(p), true, h->total, pt_bind_prep_items(p));
}
