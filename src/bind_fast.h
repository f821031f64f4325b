/* bind_fast.h - a prepared cart of the common shape bound where it is
 * evaluated (ptrules_evaluate_packed, ptrules_evaluate, the bench's
 * anatomy.c), inline: binding is the first step of every evaluation of a
 * prepared cart, and as a call of its own it cost a call, a return, the
 * registers saved around it and the results passed through memory
 * (docs/performance.md).  Every other shape goes to bind.c
 * (pt_bind_prepared_other), which also makes the plan read here. */
#ifndef PT_BIND_FAST_H
#define PT_BIND_FAST_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "rules.h"
#include "vm.h"

/* What binding a prepared cart of the common shape reads of the rule
 * set's binding plan: the plan's first member (bind.c, pt_bind_plan). */
typedef struct pt_bind_quick {
	uint64_t shape;     /* a preparation bound inline: its nkept and ninputs (pt_bind_prep_shape) */
	uint32_t cat_lo;    /* the category sums are inputs [cat_lo, cat_lo + ncatsums), or UINT32_MAX */
	uint32_t sink;      /* the slot a prepared item in no sum adds to (a total, written over after), or PT_PREP_NO_SUM */
	uint32_t *totals;   /* the slots that hold the cart total, the sink first */
	uint32_t ntotals;
} pt_bind_quick;

/* Items are laid out (a batch's preparations: pt_bind_prepare's pad)
 * and added this many at a time. */
#define PT_PREP_CHUNK 4u

/* The arrays that follow a pt_prep header: the items first, then the
 * nkept values read in place (bind.c has the rest). */
static inline pt_prep_item *pt_bind_items(const pt_prep *p) { return (pt_prep_item *)(p + 1); }
static inline int64_t *pt_bind_dense(const pt_prep *p) { return (int64_t *)(pt_bind_items(p) + p->nlaid); }

/* A preparation's nkept and ninputs, side by side, as one word: what
 * pt_bind_prepared compares with the plan's shape to know, in one test,
 * that the common shape applies. */
static inline uint64_t pt_bind_prep_shape(const pt_prep *p)
{
	_Static_assert(offsetof(pt_prep, ninputs) == offsetof(pt_prep, nkept) + 4, "nkept, ninputs side by side");
	uint64_t w;
	memcpy(&w, &p->nkept, sizeof w);
	return w;
}

/* Set the numerators of the n sums side by side at z to 0 (their
 * denominators are 1 already): up to eight with no loop, by a jump that
 * the rule set's count, the same for every cart, makes predictable (a
 * loop of two at a time took 25 instructions a cart for the shipped
 * rules' six). */
static inline __attribute__((always_inline)) void pt_bind_zero_sums(pt_rat *z, size_t n)
{
	switch (n) {
	case 8: z[7].n = 0; /* fall through */
	case 7: z[6].n = 0; /* fall through */
	case 6: z[5].n = 0; /* fall through */
	case 5: z[4].n = 0; /* fall through */
	case 4: z[3].n = 0; /* fall through */
	case 3: z[2].n = 0; /* fall through */
	case 2: z[1].n = 0; /* fall through */
	case 1: z[0].n = 0; /* fall through */
	case 0: break;
	default:
		for (size_t i = 0; i < n; i++)
			z[i].n = 0;
	}
}

/* Add item it's amount to its sum; returns the amount. */
static inline __attribute__((always_inline)) uint64_t pt_bind_add_item(const pt_prep_item *it, pt_rat *inputs)
{
	uint64_t t = (uint64_t)it->price * it->qty;
	*(uint64_t *)((char *)inputs + it->at) += t;   /* (the numerator: first in a pt_rat) */
	return t;
}

/* Add the items of p to their category sums (already 0) and write the
 * cart total to every total slot (the sink is the first: bind.c,
 * prep_template), for a plan with a sink (every item has a slot, and
 * there is a total; sink is inputs + bf->sink, which a caller looping
 * over carts works out once).  Four items at a time, with no test between them:
 * the items laid out past nitems add 0 to the sink, and a cart of up to
 * four items, most carts, never loops back (the loop's end, which varies
 * from cart to cart, was a mispredicted branch on nearly every cart:
 * about 3.5 ns of the packed sweep, docs/performance.md).  No overflow
 * checks: preparing summed the same items in the same order and refused
 * a cart whose sums overflow, and a preparation never changes.  Wrapping
 * arithmetic keeps C from calling it undefined all the same. */
static inline __attribute__((always_inline)) void pt_bind_add_sunk(const pt_bind_quick *bf, const pt_prep *p,
								    pt_rat *inputs, pt_rat *sink)
{
	const pt_prep_item *it = pt_bind_items(p), *end = it + p->nlaid;
	uint64_t total = 0;
	_Static_assert(PT_PREP_CHUNK == 4, "four pt_bind_add_item below");
	if (p->nlaid % PT_PREP_CHUNK == 0 && p->nlaid) {
		do {   /* PT_PREP_CHUNK at a time: a cart of up to four items (most) never loops back */
			total += pt_bind_add_item(&it[0], inputs) + pt_bind_add_item(&it[1], inputs) +
				 pt_bind_add_item(&it[2], inputs) + pt_bind_add_item(&it[3], inputs);
			it += PT_PREP_CHUNK;
		} while (it < end);
	} else {   /* laid out one by one (a cart's own preparation: see pt_bind_prepare's pad) */
		for (; it < end; it++)
			total += pt_bind_add_item(it, inputs);
	}
	*sink = pt_rat_int((int64_t)total);   /* the first total, and the rest */
	for (uint32_t k = 1; k < bf->ntotals; k++)
		inputs[bf->totals[k]] = pt_rat_int((int64_t)total);
}

/* Add the items of p to their category sums (already 0), and to the
 * totals when the plan has a sink (pt_bind_add_sunk). */
static inline __attribute__((always_inline)) void pt_bind_add_items(const pt_bind_quick *bf, const pt_prep *p,
								     pt_rat *inputs)
{
	if (bf->sink != PT_PREP_NO_SUM) {
		pt_bind_add_sunk(bf, p, inputs, inputs + bf->sink);
		return;
	}
	for (const pt_prep_item *it = pt_bind_items(p), *end = it + p->nlaid; it < end; it++) {   /* no total */
		uint64_t t = (uint64_t)it->price * it->qty;
		/* An item outside every category sum adds 0 to inputs[0]
		 * (there is always one), by masks rather than a choice
		 * between two addresses, which gcc compiles to a branch:
		 * which items those are varies per cart, so it was
		 * mispredicted. */
		uint64_t in_sum = -(uint64_t)(it->at != PT_PREP_NO_SUM);
		*(uint64_t *)((char *)inputs + (it->at & (uint32_t)in_sum)) += t & in_sum;
	}
}

bool pt_bind_prepared_other(const pt_ruleset *rs, const pt_prep *p, pt_rat *inputs, int64_t *room, const int64_t **in);

/* Bind p, made for rs (the callers check that: a cart's prep_rules, a
 * batch's rules), into inputs[], but for the inputs pt_bind_in_place
 * names: those are left where *in says (p itself, or room, which holds
 * PT_PREP_DENSE_MAX values), input r at (*in)[pt_bind_in_pos(rs, r)],
 * for the machine code to read; false
 * (nothing written) when p's shape does not fit rs.  pt_bind_materialize
 * writes them into inputs[] for anything else that reads them.
 * inputs[0] must exist and hold a value even when rs has no inputs: an
 * item in no category sum adds 0 to it.  Nothing reads the inputs left
 * in place from inputs[] before pt_bind_materialize writes them there.
 * Their denominators in inputs[] are 1 already, since the evaluator
 * starts every input at 0/1 and every binding writes whole numbers there
 * (cart values are whole, and the dense form ends before the first
 * default that is not).  The common shape (dense, covering every input,
 * the sums side by side) is bound here; the others by
 * pt_bind_prepared_other. */
static inline __attribute__((always_inline)) bool pt_bind_prepared(const pt_ruleset *rs, const pt_prep *p,
								    pt_rat *inputs, int64_t *room, const int64_t **in)
{
	const pt_bind_quick *bf = (const pt_bind_quick *)rs->bind_plan;   /* the plan's first member */
	if (!bf || pt_bind_prep_shape(p) != bf->shape)   /* not the common shape */
		return pt_bind_prepared_other(rs, p, inputs, room, in);
	*in = pt_bind_dense(p);   /* (a dense preparation that covers every input has no values past them) */
	pt_bind_zero_sums(inputs + bf->cat_lo, rs->ncatsums);   /* the item sums start from 0 */
	pt_bind_add_items(bf, p, inputs);
	return true;
}

#endif
