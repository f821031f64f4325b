/* api.h - definitions the library's public-API files share (api.c,
 * batch.c, fmt.c): the structs behind opaque handles that more than one
 * of them fills in, and the evaluation step they share. */
#ifndef PT_API_H
#define PT_API_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#include "ptrules.h"

#include "arena.h"
#include "cart.h"
#include "diag.h"
#include "fast.h"
#include "out.h"
#include "use.h"
#include "vm.h"

/* The public ptrules_diags handle wraps the internal record list. */
struct ptrules_diags {
	pt_diags d;
};

struct ptrules_rules {
	pt_ruleset *rs;
	atomic_int refs;
};

#define PREP_INLINE 256   /* bytes: a typical cart's preparation (docs/performance.md) */

struct ptrules_cart {
	/* First, with the fields evaluation reads and room for a typical
	 * preparation right after them: evaluating a prepared cart then reads
	 * one run of memory whose address is known at once (prefetched). */
	pt_prep *prep;         /* ptrules_cart_prepare; every change to the cart drops it */
	ptrules_rules *prep_rules;   /* retained while prepared for them */
	pt_cart c;
	alignas(16) unsigned char prep_inline[PREP_INLINE];
	pt_arena arena;        /* built carts: their strings and arrays */
	size_t cap_items, cap_accounts, cap_uses;
	const pt_src *src;     /* where the cart came from, for messages */
	void *prep_mem;        /* owned: room for a preparation, reused while it fits */
	size_t prep_cap;
};

struct ptrules_reader {
	pt_cart_reader r;
	pt_src src;
	char *name;
	struct ptrules_cart cart;
	int index;
};

struct ptrules_eval {
	ptrules_rules *rules;
	pt_rat *inputs, *locals;   /* inputs: the first slots of the fast register file when there is one */
	int64_t *in;               /* room for the inputs the machine code reads in place (pt_bind_prepared) */
	pt_prog_result *res;
	pt_trace_event *ev;
	uint8_t *hits;         /* coverage bits per pc, or NULL */
	pt_trace trace;
	const pt_jit *jit;     /* rules->rs->fast->jit when evaluation does not trace (fixed by
				* ptrules_eval_new), else NULL: what pt_api_run runs, tested once */
	bool have;             /* results describe the last cart */
	size_t nprogs;         /* rules->rs->nprogs, one load away for ptrules_amounts_get */
	size_t nwhole;         /* nprogs when every evaluation runs fast code whose amounts are whole
				* (pt_jit.amounts_whole), else 0 */
	size_t nsimple;        /* nprogs when the results describe the last cart (have), nwhole is
				* not 0 and the cart has no `use` records, else 0: fill_amounts'
				* simple case holds for every program, and this is all
				* ptrules_amounts_get tests before taking it (testing have, nprogs
				* and whether it applies apart cost the 20 programs' 20 calls 80
				* instructions an evaluation); cleared with have (pt_api_forget) */
	pt_cart_view view;
	pt_use_report use;     /* the cart's intended use, checked */
};

/* e's results no longer describe a cart: an evaluation that fails
 * before it runs leaves none (ptrules_evaluate forgets first,
 * ptrules_evaluate_packed on its error paths; pt_api_run sets both
 * anew). */
static inline void pt_api_forget(ptrules_eval *e)
{
	e->have = false;
	e->nsimple = 0;
}

/* The head of a result is the head of its amounts (vm.h). */
_Static_assert(offsetof(pt_prog_result, linked) == offsetof(ptrules_amounts, linked) &&
		       offsetof(pt_prog_result, usable) == offsetof(ptrules_amounts, redeem_usable) &&
		       offsetof(pt_prog_result, use_valid) == offsetof(ptrules_amounts, use_valid) &&
		       offsetof(pt_prog_result, runtime_error) == offsetof(ptrules_amounts, runtime_error) &&
		       sizeof(int) == sizeof(int32_t),
	       "pt_prog_result starts as ptrules_amounts does");

/* ptrules_amounts where the outputs are whole numbers and the cart has no
 * `use` records (the common case, known by the caller): the flags are
 * the result's head, settled (pt_res_settle), copied as they lie, and
 * no floor is taken. */
static inline __attribute__((always_inline)) void pt_api_fill_simple(const pt_prog_result *r, ptrules_amounts *out)
{
	memcpy(out, r, offsetof(ptrules_amounts, redeem_max_points));
	out->redeem_max_points = r->out[PT_OUT_R_MAX_POINTS].n;
	out->redeem_value_yen = r->out[PT_OUT_R_VALUE_YEN].n;
	out->earn_points = r->out[PT_OUT_E_POINTS].n;
	out->earn_basis_yen = r->out[PT_OUT_E_BASIS].n;
	out->point_value_num = r->out[PT_OUT_R_POINT_VALUE].n;
	out->point_value_den = r->out[PT_OUT_R_POINT_VALUE].d;
	out->use_points = out->use_value_yen = 0;
}

/* ptrules_amounts_list for the first np programs of e's results when
 * some program's amounts may not be simple (e->nsimple is 0); returns
 * e->nprogs (api.c). */
size_t pt_api_amounts_general(const ptrules_eval *e, ptrules_amounts *out, size_t np);

/* What the printers say of the cart e's results describe: its label,
 * order id, date, total and item count (pt_api_run's arguments). */
static inline __attribute__((always_inline)) void pt_api_view(ptrules_eval *e, const char *label, const char *order_id,
							       int32_t date, bool has_date, int64_t total, size_t n_items)
{
	/* field by field: view.use is &e->use from ptrules_eval_new on */
	e->view.label = label;
	e->view.order_id = order_id;
	e->view.date = date;
	e->view.date_from_order = has_date;
	e->view.total_yen = total;
	e->view.n_items = n_items;
}

/* Run every program over e's bound inputs and keep what the printers
 * need: the step ptrules_evaluate and ptrules_evaluate_packed
 * share.  dense: the inputs binding left in place (pt_bind_prepared), or
 * NULL.  c gives the cart's use records, or is NULL for a cart without
 * any; label names the cart in printed results when the caller does not
 * (NULL: "cart"); total is the cart's total in yen. */
static inline __attribute__((always_inline)) ptrules_status
pt_api_run(ptrules_eval *e, const int64_t *dense, const pt_cart *c, const char *label, const char *order_id,
	   int32_t date, bool has_date, int64_t total, size_t n_items)
{
	static const pt_cart no_uses;   /* read-only: a cart without `use` records */
	const pt_ruleset *rs = e->rules->rs;
	if (!c)
		c = &no_uses;
	pt_api_view(e, label, order_id, date, has_date, total, n_items);
	/* The fast code is built only for rule sets whose earn sections do not
	 * read use.points_yen; --explain and coverage run the reference VM. */
	pt_trace *tr = NULL;   /* e->jit is NULL whenever there is a trace to keep */
	bool ok;
	if (e->jit && dense) {   /* the common case: bound in place, the machine code first */
		uint32_t k = e->jit->all(e->inputs, e->res, dense);
		ok = !k || pt_fast_resume(rs, e->inputs, e->locals, e->res, k, dense);
	} else {
		if (e->ev || e->hits) {   /* --explain or coverage: the trace starts empty */
			tr = &e->trace;
			tr->n = tr->dropped = 0;
		}
		if (tr || !rs->fast) {
			if (dense)
				pt_bind_materialize(rs, dense, e->inputs);
			ok = pt_eval_all(rs, e->inputs, e->locals, e->res, tr);
		} else {
			if (!dense && rs->fast->jit)   /* bound the ordinary way */
				dense = pt_fast_copy_in(rs->fast->jit, e->inputs, e->in);
			ok = pt_fast_eval(rs, e->inputs, e->locals, e->res, PT_FAST_NATIVE, dense);
		}
	}
	if (c->n_uses) {   /* policies judge the intended use; without one there is nothing to judge */
		if (dense)
			pt_bind_materialize(rs, dense, e->inputs);
		bool fits = pt_eval_paid(rs, e->inputs, e->res);
		ok = pt_eval_policies(rs, e->inputs, e->locals, e->res, tr, fits) && ok;
	}   /* else pt_use_check reads no policy result */
	pt_use_check(rs, c, total, e->res, &e->use);
	e->nsimple = e->nwhole & ((size_t)e->use.any - 1);   /* the fast code ran (tr is NULL then) */
	e->have = true;
	return ok ? PTRULES_OK : PTRULES_ERUNTIME;
}

#endif
