/* batch.c - carts packed for one rule set (ptrules_batch_*): what
 * evaluation reads of each cart, one cart after another in one block of
 * memory.
 *
 * A batch job holds thousands or millions of carts.  Evaluated one cart
 * object at a time, each cart is its own allocation somewhere in the
 * heap, and the time goes on waiting for memory (docs/performance.md).
 * Packed, a cart is a 32-byte header; its `use` records and account
 * lines (without their keys: the use check reads the balances) when it
 * has `use` records; and its preparation (bind.c: each item's amount and
 * category slot, then the inputs, dense: the faster form to bind, since a
 * batch is read in order): about 320 bytes for three items of the
 * shipped rules.  A sweep over the batch
 * reads memory in order, which the hardware prefetches.  The strings
 * (ids, the programs of `use` records and accounts) go to an arena, where
 * they never move.  Packing copies: the cart can be changed, reused or
 * freed afterwards.  A packed cart is evaluated alone
 * (ptrules_evaluate_packed) or with the carts after it, its amounts
 * written to the caller's array (ptrules_evaluate_range: a batch job's
 * loop without a call per cart). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PTRULES_BUILDING 1
#include "ptrules.h"

#include "api.h"
#include "batch.h"
#include "bind_fast.h"
#include "grow.h"

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
	pt_arena_init(&b->strs, 4096);
	b->rules = ptrules_retain(r);
	return b;
}

PTRULES_API void ptrules_batch_free(ptrules_batch *b)
{
	if (!b)
		return;
	ptrules_release(b->rules);
	free(b->mem);
	free(b->at);
	pt_arena_free(&b->strs);
	free(b->scratch);
	free(b);
}

/* Empty b, keeping its memory for the next carts (a job that packs and
 * evaluates its carts a block at a time stays at one block's memory). */
PTRULES_API void ptrules_batch_clear(ptrules_batch *b)
{
	if (b) {
		b->n = b->used = 0;
		pt_arena_reset(&b->strs);
	}
}

PTRULES_API size_t ptrules_batch_count(const ptrules_batch *b)
{
	return b ? b->n : 0;
}

/* Make room for need more bytes in a growing buffer of used bytes
 * (pt_grow); false when out of memory or the size would overflow. */
static bool grow(void **buf, size_t *cap, size_t used, size_t need)
{
	return need <= SIZE_MAX / 4 - used && pt_grow(buf, cap, used + need, 1, 4096);
}

/* s kept in b's arena (NULL stays NULL); false when out of memory. */
static bool keep(ptrules_batch *b, const char *s, const char **out)
{
	*out = s ? pt_arena_strndup(&b->strs, s, strlen(s)) : NULL;
	return !s || *out;
}

/* Pack cart c at the end of b, or add nothing when it cannot be packed
 * (the header says which carts those are). */
PTRULES_API ptrules_status ptrules_batch_add(ptrules_batch *b, const ptrules_cart *c)
{
	if (!b || !c)
		return PTRULES_EARG;
	const pt_cart *pc = &c->c;
	const pt_ruleset *rs = b->rules->rs;
	int64_t total = 0;
	if (pc->n_errors || !pc->has_date || pc->n_uses > UINT32_MAX || pc->n_accounts > UINT32_MAX)
		return PTRULES_EINVALID;
	size_t nacc = pc->n_uses ? pc->n_accounts : 0;
	if (pc->n_uses > (SIZE_MAX / 8) / sizeof(pt_use) || nacc > (SIZE_MAX / 8) / sizeof(pt_account))
		return PTRULES_ENOMEM;
	size_t head = sizeof(batch_head) + pc->n_uses * sizeof(pt_use) + nacc * sizeof(pt_account);
	if (!grow((void **)&b->mem, &b->cap, b->used, head + pt_bind_prep_size(rs, pc)) ||
	    !grow((void **)&b->at, &b->cap_at, b->n * sizeof *b->at, sizeof *b->at))
		return PTRULES_ENOMEM;
	unsigned char *at = b->mem + b->used;
	const pt_prep *p = (const pt_prep *)(at + head);
	if (!pt_bind_prepare(rs, pc, pc->date, at + head, b->scratch, true, true, &total))   /* items four at a time */
		return PTRULES_EINVALID;   /* binding found a diagnostic, or a sum (the total too) that overflows */
	batch_head *h = (batch_head *)at;
	*h = (batch_head){ .total = total, .n_uses = (uint32_t)pc->n_uses, .n_accounts = (uint32_t)nacc };
	pt_use *uses = (pt_use *)(h + 1);
	pt_account *accts = (pt_account *)(uses + pc->n_uses);
	bool ok = keep(b, pc->id, &h->label) && keep(b, pc->order_id, &h->order);
	for (size_t k = 0; ok && k < pc->n_uses; k++) {
		uses[k] = pc->uses[k];
		ok = keep(b, pc->uses[k].program, &uses[k].program);
	}
	for (size_t k = 0; ok && k < nacc; k++) {
		accts[k] = pc->accounts[k];
		accts[k].keys = NULL;
		accts[k].n_keys = 0;
		ok = keep(b, pc->accounts[k].program, &accts[k].program);
	}
	if (!ok)   /* strings already kept stay in the arena until it is cleared */
		return PTRULES_ENOMEM;
	const pt_bind_quick *bf = (const pt_bind_quick *)rs->bind_plan;   /* (see pt_bind_prepared) */
	bool common = bf && pt_bind_prep_shape(p) == bf->shape && !pc->n_uses;
	_Static_assert(sizeof(batch_head) % 8 == 0 && sizeof(pt_use) % 8 == 0 && sizeof(pt_account) % 8 == 0,
		       "packed carts start at multiples of 8: the low bit of head is free for PT_BATCH_COMMON");
	b->at[b->n++] = (batch_at){ b->used | (common ? PT_BATCH_COMMON : 0), b->used + head };
	b->used += head + pt_bind_prep_used(p);   /* a multiple of 8 */
	return PTRULES_OK;
}

/* The run of ptrules_evaluate_packed for a cart with `use` records (at
 * h, bound from p): out of line, so the common case keeps no cart view on
 * its stack. */
static __attribute__((noinline)) ptrules_status run_with_uses(ptrules_eval *e, const batch_head *h, const pt_prep *p,
							      const int64_t *dense)
{
	pt_cart v;   /* what the policies and the use check read: the records and balances */
	memset(&v, 0, sizeof v);
	v.uses = (pt_use *)pt_batch_uses(h);   /* only read */
	v.n_uses = h->n_uses;
	v.accounts = (pt_account *)pt_batch_accounts(h);
	v.n_accounts = h->n_accounts;
	return pt_api_run(e, dense, &v, h->label, h->order, pt_bind_prep_date(p), true, h->total, pt_bind_prep_items(p));
}

/* Evaluate packed cart i of b (in range, packed for e's rules: the
 * callers check): the template and the cart's values into the inputs,
 * then the same run as ptrules_evaluate. */
static inline __attribute__((always_inline)) ptrules_status packed_run(ptrules_eval *e, const ptrules_batch *b,
									size_t i)
{
	const batch_head *h;
	const pt_prep *p = pt_batch_cart(b, i, &h);
	const int64_t *dense;
	if (!pt_bind_prepared(b->rules->rs, p, e->inputs, e->in, &dense)) {
		pt_api_forget(e);
		return PTRULES_EINVALID;   /* not reached: b was packed for these rules */
	}
	if (h->n_uses)
		return run_with_uses(e, h, p, dense);
	return pt_api_run(e, dense, NULL, h->label, h->order, pt_bind_prep_date(p), true, h->total, pt_bind_prep_items(p));
}

PTRULES_API ptrules_status ptrules_evaluate_packed(ptrules_eval *e, const ptrules_batch *b, size_t i)
{
	if (!e)
		return PTRULES_EARG;
	if (!b || i >= b->n || e->rules != b->rules) {
		pt_api_forget(e);   /* a failed call leaves no results; a run sets them anew */
		return PTRULES_EARG;
	}
	return packed_run(e, b, i);
}

/* Cart i of b's amounts, np programs at out, from e's results of it
 * (ptrules_amounts_list's work, inline). */
static inline __attribute__((always_inline)) void range_amounts(const ptrules_eval *e, ptrules_amounts *out, size_t np)
{
	if (e->nsimple) {
		for (size_t k = 0; k < np; k++)
			pt_api_fill_simple(&e->res[k], &out[k]);
	} else {
		pt_api_amounts_general(e, out, np);
	}
}

/* ptrules_evaluate_range where every cart may take any path: each one
 * through packed_run, as ptrules_evaluate_packed takes it. */
static ptrules_status range_general(ptrules_eval *e, const ptrules_batch *b, size_t from, size_t n,
				    ptrules_amounts *out, size_t stride, size_t np)
{
	ptrules_status st = PTRULES_OK;
	for (size_t k = 0; k < n; k++) {   /* out + k * stride: never past the caller's last cart */
		ptrules_status s = packed_run(e, b, from + k);
		if (s != PTRULES_OK && s != PTRULES_ERUNTIME)
			return s;   /* not reached: every cart of b fits its rules */
		if (s != PTRULES_OK)
			st = s;
		range_amounts(e, out + k * stride, np);
	}
	return st;
}

/* Every cart of the range in one call: the checks of a call once, not
 * per cart; what each cart's run reads of e, b and the rules held in
 * locals, not loaded again after the call into the machine code; each
 * cart's amounts written where the caller reads them; and what the
 * printers read of a cart (pt_api_view) written for the last one only.
 * A cart of the common shape without `use` records, under rules whose
 * fast code gives whole amounts, is bound and run here as pt_api_run
 * does; any other goes through packed_run. */
PTRULES_API ptrules_status ptrules_evaluate_range(ptrules_eval *e, const ptrules_batch *b, size_t from, size_t n,
						  ptrules_amounts *out, size_t stride)
{
	if (!e)
		return PTRULES_EARG;
	pt_api_forget(e);   /* no results until a cart has run */
	if (!b || e->rules != b->rules || from > b->n || n > b->n - from || (n && (!out || !stride)))
		return PTRULES_EARG;
	size_t np = e->nprogs < stride ? e->nprogs : stride;
	const pt_ruleset *rs = b->rules->rs;
	const pt_jit *jit = e->jit;
	const pt_bind_quick *plan = (const pt_bind_quick *)rs->bind_plan;   /* (see pt_bind_prepared) */
	if (!n || !jit || !plan || !e->nwhole || plan->sink == PT_PREP_NO_SUM || plan->cat_lo == UINT32_MAX)
		return range_general(e, b, from, n, out, stride, np);
	const pt_bind_quick bf = *plan;
	const size_t ncatsums = rs->ncatsums;
	pt_rat *inputs = e->inputs, *sink = inputs + bf.sink;
	pt_prog_result *res = e->res;
	const unsigned char *mem = b->mem;
	const size_t rbytes = np * sizeof *res;   /* the results to copy, each cart */
	ptrules_status st = PTRULES_OK;
	/* cart k's amounts at out + at, at = k * stride: an index, so that no
	 * pointer is formed past the caller's array after the last cart */
	size_t at = 0;
	for (const batch_at *a = &b->at[from], *end = a + n; a < end; a++, at += stride) {
		const pt_prep *p = (const pt_prep *)(mem + a->prep);
		if (!(a->head & PT_BATCH_COMMON)) {
			ptrules_status s = packed_run(e, b, (size_t)(a - b->at));
			if (s != PTRULES_OK && s != PTRULES_ERUNTIME)
				return s;   /* not reached: every cart of b fits its rules */
			if (s != PTRULES_OK)
				st = s;
			range_amounts(e, out + at, np);
			continue;
		}
		pt_bind_zero_sums(inputs + bf.cat_lo, ncatsums);
		pt_bind_add_sunk(&bf, p, inputs, sink);
		const int64_t *dense = pt_bind_dense(p);
		uint32_t k = jit->all(inputs, res, dense);
		if (k && !pt_fast_resume(rs, inputs, e->locals, res, k, dense))
			st = PTRULES_ERUNTIME;
		ptrules_amounts *o = out + at;   /* whole amounts (nwhole), no `use` records */
		for (const pt_prog_result *r = res, *rend = (const pt_prog_result *)((const char *)res + rbytes); r < rend;
		     r++, o++)
			pt_api_fill_simple(r, o);
	}
	const batch_head *h;
	const pt_prep *p = pt_batch_cart(b, from + n - 1, &h);
	if (b->at[from + n - 1].head & PT_BATCH_COMMON) {   /* e's results as pt_api_run leaves them */
		pt_api_view(e, h->label, h->order, pt_bind_prep_date(p), true, h->total, pt_bind_prep_items(p));
		e->use.any = false;   /* as pt_use_check leaves a cart without `use` records */
		e->nsimple = e->nwhole;
		e->have = true;
	}
	return st;
}
