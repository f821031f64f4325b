/* plan.c - `ptrules plan`: search the allowed combinations of point use
 * for a cart and rank them (docs/plan.md).
 *
 * Candidates per program whose points are usable (linked, redeem usable,
 * max_points > 0): 0, max_points, and the boundary amounts where another
 * program's earnings change (binary search over evaluations).  The gift
 * card stays as the cart states it.  The product of the candidate sets is
 * evaluated, at most PTRULES_PLAN_MAX_COMBINATIONS combinations; those
 * the rules reject (ptrules_order valid == 0) are dropped, the rest are
 * ranked: out-of-pocket yen ascending, then the earned points valued at
 * their redemption value descending, then the value of the points spent
 * ascending (exact rationals throughout). */
#define PTRULES_BUILDING 1
#include "plan.h"

#include "out.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Create a planner with its own evaluation context and what-if cart. */
PTRULES_API ptrules_plan *ptrules_plan_new(ptrules_rules *r)
{
	if (!r)
		return NULL;
	ptrules_plan *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->nprogs = ptrules_program_count(r);
	p->e = ptrules_eval_new(r, PTRULES_EVAL_EXPLAIN);
	p->work = ptrules_cart_new();
	p->amounts = calloc(p->nprogs + 1, sizeof *p->amounts);
	if (!p->e || !p->work || !p->amounts) {
		ptrules_plan_free(p);
		return NULL;
	}
	p->rules = ptrules_retain(r);
	return p;
}

/* Free the planner and release its rule set. */
PTRULES_API void ptrules_plan_free(ptrules_plan *p)
{
	if (!p)
		return;
	ptrules_eval_free(p->e);
	ptrules_cart_free(p->work);
	ptrules_release(p->rules);
	free(p->amounts);
	free(p->opts);
	free(p->progbuf);
	free(p);
}

/* Rebuild the what-if cart and evaluate it. */
ptrules_status pt_plan_eval(ptrules_plan *p, const int64_t *amounts, int64_t add_yen)
{
	ptrules_status st = ptrules_cart_copy(p->work, p->src);
	for (size_t i = 0; st == PTRULES_OK && i < p->nprogs; i++)
		st = ptrules_cart_set_use(p->work, ptrules_program_id(p->rules, i), amounts ? amounts[i] : 0);
	if (st == PTRULES_OK && add_yen > 0)
		st = ptrules_cart_add_item(p->work, add_yen, 1, "general", "added by ptrules plan");
	if (st != PTRULES_OK)
		return st;
	return ptrules_evaluate(p->e, p->work, NULL);
}

/* Program i's earned points in the last evaluation. */
int64_t pt_plan_earned(const ptrules_plan *p, size_t i)
{
	ptrules_result r;
	return ptrules_result_get(p->e, i, &r) == PTRULES_OK ? r.earn_points : 0;
}

/* Order two options by the ranking of docs/plan.md. */
int pt_plan_compare(const pt_plan_opt *a, const pt_plan_opt *b)
{
	if (a->pay_yen != b->pay_yen)
		return a->pay_yen < b->pay_yen ? -1 : 1;
	int c = pt_rat_cmp(b->earn_value, a->earn_value);   /* more earned value first */
	if (c)
		return c;
	c = pt_rat_cmp(a->spent_value, b->spent_value);     /* keep points when nothing is gained */
	if (c)
		return c;
	if (a->nuses != b->nuses)
		return a->nuses < b->nuses ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* qsort adaptor for pt_plan_compare. */
static int cmp_opts(const void *x, const void *y)
{
	return pt_plan_compare(x, y);
}

/* Set the planner's error text; returns st. */
static ptrules_status fail(ptrules_plan *p, ptrules_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static ptrules_status fail(ptrules_plan *p, ptrules_status st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->error, sizeof p->error, fmt, ap);
	va_end(ap);
	return st;
}

/* p->amounts = zero except program i, which spends a points. */
static void only(ptrules_plan *p, size_t i, int64_t a)
{
	memset(p->amounts, 0, p->nprogs * sizeof *p->amounts);
	p->amounts[i] = a;
}

/* The largest a in [lo, hi) such that, spending a points of program i
 * alone, program j still earns as at 0 (same == true) or earns anything
 * (same == false).  The predicate holds at lo and fails at hi; the search
 * ends with it true at the result and false one point above. */
static ptrules_status last_true(ptrules_plan *p, size_t i, size_t j, bool same, int64_t e0, int64_t lo, int64_t hi,
				int64_t *out)
{
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;
		only(p, i, mid);
		ptrules_status st = pt_plan_eval(p, p->amounts, 0);
		if (st != PTRULES_OK && st != PTRULES_ERUNTIME)
			return st;
		int64_t e = pt_plan_earned(p, j);
		if (same ? e == e0 : e > 0)
			lo = mid;
		else
			hi = mid;
	}
	*out = lo;
	return PTRULES_OK;
}

/* Add amount a to a candidate set unless it is there or the set is full. */
static void add_cand(int64_t *set, size_t *n, int64_t a)
{
	for (size_t k = 0; k < *n; k++)
		if (set[k] == a)
			return;
	if (*n < PT_PLAN_MAX_CANDS)
		set[(*n)++] = a;
}

/* Candidate amounts of every program (cands: nprogs x PT_PLAN_MAX_CANDS). */
static ptrules_status candidates(ptrules_plan *p, int64_t *cands, size_t *ncand, int64_t *e0, int64_t *em)
{
	ptrules_status st = pt_plan_eval(p, NULL, 0);
	if (st != PTRULES_OK && st != PTRULES_ERUNTIME)
		return st;
	for (size_t i = 0; i < p->nprogs; i++) {
		ptrules_result r;
		ptrules_result_get(p->e, i, &r);
		e0[i] = r.earn_points;
		ncand[i] = 1;
		cands[i * PT_PLAN_MAX_CANDS] = 0;
		if (r.linked && r.redeem_usable && r.redeem_max_points > 0)
			cands[i * PT_PLAN_MAX_CANDS + ncand[i]++] = r.redeem_max_points;
	}
	for (size_t i = 0; i < p->nprogs; i++) {
		if (ncand[i] < 2)
			continue;
		int64_t max = cands[i * PT_PLAN_MAX_CANDS + 1];
		only(p, i, max);
		st = pt_plan_eval(p, p->amounts, 0);
		if (st != PTRULES_OK && st != PTRULES_ERUNTIME)
			return st;
		for (size_t j = 0; j < p->nprogs; j++)
			em[j] = pt_plan_earned(p, j);
		for (size_t j = 0; j < p->nprogs; j++) {
			int64_t b;
			if (em[j] == e0[j])
				continue;
			/* the most points that keep program j's earnings whole */
			if ((st = last_true(p, i, j, true, e0[j], 0, max, &b)) != PTRULES_OK)
				return st;
			add_cand(&cands[i * PT_PLAN_MAX_CANDS], &ncand[i], b);
			/* the most points that keep it earning at all (a threshold) */
			if (e0[j] > 0 && em[j] == 0) {
				if ((st = last_true(p, i, j, false, e0[j], 0, max, &b)) != PTRULES_OK)
					return st;
				add_cand(&cands[i * PT_PLAN_MAX_CANDS], &ncand[i], b);
			}
		}
	}
	return PTRULES_OK;
}

/* Record the combination just evaluated as an allowed option. */
static ptrules_status keep(ptrules_plan *p, size_t index, const ptrules_order *o)
{
	if (p->nopts == p->capopts) {
		size_t nc = p->capopts ? p->capopts * 2 : 16;
		pt_plan_opt *v = realloc(p->opts, nc * sizeof *v);
		if (!v)
			return PTRULES_ENOMEM;
		p->opts = v;
		p->capopts = nc;
	}
	if ((p->nopts + 1) * p->nprogs > p->capprog) {
		size_t nc = p->capprog ? p->capprog * 2 : 16 * (p->nprogs + 1);
		while (nc < (p->nopts + 1) * p->nprogs)
			nc *= 2;
		pt_plan_prog *v = realloc(p->progbuf, nc * sizeof *v);
		if (!v)
			return PTRULES_ENOMEM;
		p->progbuf = v;
		p->capprog = nc;
	}
	pt_plan_opt *opt = &p->opts[p->nopts];
	*opt = (pt_plan_opt){ index, o->pay_yen, o->points_yen, 0, pt_rat_int(0), pt_rat_int(0), p->nopts * p->nprogs };
	for (size_t i = 0; i < p->nprogs; i++) {
		ptrules_result r;
		ptrules_result_get(p->e, i, &r);
		pt_plan_prog *pp = &p->progbuf[opt->prog_at + i];
		pt_rat v = pt_rat_int(0), t;
		if (r.point_value_den > 0 && !pt_rat_make(r.point_value_num, r.point_value_den, &v))
			v = pt_rat_int(0);
		*pp = (pt_plan_prog){ r.use_points, r.use_value_yen, r.earn_points, v };
		if (r.use_points > 0)
			opt->nuses++;
		if (!pt_rat_mul(pt_rat_int(r.earn_points), v, &t) || !pt_rat_add(opt->earn_value, t, &opt->earn_value) ||
		    !pt_rat_mul(pt_rat_int(r.use_points), v, &t) || !pt_rat_add(opt->spent_value, t, &opt->spent_value))
			return fail(p, PTRULES_ERUNTIME, "the value of the points does not fit in 64 bits");
	}
	p->nopts++;
	return PTRULES_OK;
}

/* Evaluate the product of the candidate sets, keeping what is allowed. */
static ptrules_status enumerate(ptrules_plan *p, const int64_t *cands, const size_t *ncand)
{
	uint64_t total = 1;
	bool huge = false;
	for (size_t i = 0; i < p->nprogs; i++)
		huge = huge || __builtin_mul_overflow(total, (uint64_t)ncand[i], &total);
	if (huge || total > PTRULES_PLAN_MAX_COMBINATIONS) {
		char lim[32], n[32];
		pt_out_group(PTRULES_PLAN_MAX_COMBINATIONS, lim, sizeof lim);
		pt_out_group(huge || total > INT64_MAX ? INT64_MAX : (long long)total, n, sizeof n);
		return fail(p, PTRULES_EINVALID,
			    "%s%s combinations of point use to search, more than the limit of %s; "
			    "link fewer programs in the cart", huge ? "over " : "", n, lim);
	}
	size_t *at = calloc(p->nprogs + 1, sizeof *at);
	if (!at)
		return PTRULES_ENOMEM;
	ptrules_status st = PTRULES_OK;
	for (size_t k = 0; k < (size_t)total && st == PTRULES_OK; k++) {
		for (size_t i = 0; i < p->nprogs; i++)
			p->amounts[i] = cands[i * PT_PLAN_MAX_CANDS + at[i]];
		st = pt_plan_eval(p, p->amounts, 0);
		ptrules_order o;
		if (st == PTRULES_OK && ptrules_order_get(p->e, &o) == PTRULES_OK && o.valid)
			st = keep(p, k, &o);
		else if (st == PTRULES_ERUNTIME)
			st = PTRULES_OK;   /* a rule failed for this combination: not allowed */
		for (size_t i = 0; i < p->nprogs; i++) {   /* next combination, first program fastest */
			if (++at[i] < ncand[i])
				break;
			at[i] = 0;
		}
	}
	p->combinations = (size_t)total;
	free(at);
	return st;
}

/* Plan one cart: validate it, search, rank, advise. */
PTRULES_API ptrules_status ptrules_plan_cart(ptrules_plan *p, const ptrules_cart *c, ptrules_diags *d)
{
	if (!p || !c)
		return PTRULES_EARG;
	p->have = false;
	p->nopts = p->nadvice = p->combinations = 0;
	p->error[0] = '\0';
	p->error_line = 0;
	ptrules_status st = ptrules_evaluate(p->e, c, d);
	if (st == PTRULES_EINVALID || st == PTRULES_EARG)
		return st;
	ptrules_order o;
	ptrules_order_get(p->e, &o);
	p->total_yen = o.total_yen;
	p->giftcard_yen = o.giftcard_yen;
	const char *pay = ptrules_cart_payment(c);
	p->has_payment = pay != NULL;
	snprintf(p->payment, sizeof p->payment, "%s", pay ? pay : "");
	p->have = true;
	if (st == PTRULES_ERUNTIME) {
		for (size_t i = 0; i < p->nprogs; i++) {
			ptrules_result r;
			if (ptrules_result_get(p->e, i, &r) == PTRULES_OK && r.runtime_error)
				return fail(p, st, "a rule failed on this cart at %s:%d", r.error_file ? r.error_file : "?",
					    r.error_line);
		}
		return fail(p, st, "a rule failed on this cart");
	}
	p->src = c;
	size_t n = p->nprogs + 1;
	int64_t *cands = calloc(n * PT_PLAN_MAX_CANDS, sizeof *cands), *e0 = calloc(n, sizeof *e0),
		*em = calloc(n, sizeof *em);
	size_t *ncand = calloc(n, sizeof *ncand);
	if (!cands || !e0 || !em || !ncand)
		st = PTRULES_ENOMEM;
	else
		st = candidates(p, cands, ncand, e0, em);
	if (st == PTRULES_OK)
		st = enumerate(p, cands, ncand);
	free(cands);
	free(e0);
	free(em);
	free(ncand);
	if (st == PTRULES_OK && p->nopts == 0) {
		st = fail(p, PTRULES_EINVALID, "no combination of point use is allowed by the rules");
		ptrules_problem pr;
		if (pt_plan_eval(p, NULL, 0) == PTRULES_OK && ptrules_problem_get(p->e, 0, &pr) == PTRULES_OK) {
			size_t l = strlen(p->error);
			p->error_line = pr.cart_line;
			if (pr.rule_file)
				snprintf(p->error + l, sizeof p->error - l, ": %s:%d: %s", pr.rule_file, pr.rule_line, pr.text);
			else
				snprintf(p->error + l, sizeof p->error - l, ": %s", pr.text);
		}
	}
	if (st == PTRULES_OK) {
		qsort(p->opts, p->nopts, sizeof *p->opts, cmp_opts);
		st = pt_plan_advise(p);
	}
	p->src = NULL;
	if (st != PTRULES_OK && !p->error[0])
		snprintf(p->error, sizeof p->error, "%s", ptrules_strerror(st));
	return st;
}

/* ---- reading a plan ---------------------------------------------------- */

/* What the last plan searched, or why it could not. */
PTRULES_API ptrules_status ptrules_plan_info_get(const ptrules_plan *p, ptrules_plan_info *out)
{
	if (!p || !out || !p->have)
		return PTRULES_EARG;
	*out = (ptrules_plan_info){ p->total_yen, p->giftcard_yen, p->has_payment ? p->payment : NULL,
				    p->combinations, p->nopts, p->nprogs, p->nadvice,
				    p->error[0] ? p->error : NULL, p->error_line };
	return PTRULES_OK;
}

/* The option of this rank (0: the best). */
PTRULES_API ptrules_status ptrules_plan_option_get(const ptrules_plan *p, size_t rank, ptrules_plan_option *out)
{
	if (!p || !out || !p->have || rank >= p->nopts)
		return PTRULES_EARG;
	const pt_plan_opt *o = &p->opts[rank];
	*out = (ptrules_plan_option){ o->pay_yen, o->points_yen, p->giftcard_yen, o->nuses,
				      o->earn_value.n, o->earn_value.d, o->spent_value.n, o->spent_value.d };
	return PTRULES_OK;
}

/* What program prog spends and earns in the option of this rank. */
PTRULES_API ptrules_status ptrules_plan_program_get(const ptrules_plan *p, size_t rank, size_t prog,
						    ptrules_plan_program *out)
{
	if (!p || !out || !p->have || rank >= p->nopts || prog >= p->nprogs)
		return PTRULES_EARG;
	const pt_plan_prog *pp = &p->progbuf[p->opts[rank].prog_at + prog];
	ptrules_result r;
	const char *granted = NULL;
	if (ptrules_result_get(p->e, prog, &r) == PTRULES_OK)
		granted = r.earn_granted;   /* a property of the program, not of the cart */
	*out = (ptrules_plan_program){ ptrules_program_id(p->rules, prog), ptrules_program_name(p->rules, prog),
				       pp->use_points, pp->use_value_yen, pp->earn_points, granted,
				       pp->point_value.n, pp->point_value.d };
	return PTRULES_OK;
}

/* Advice i for the best option. */
PTRULES_API ptrules_status ptrules_plan_advice_get(const ptrules_plan *p, size_t i, ptrules_advice *out)
{
	if (!p || !out || !p->have || i >= p->nadvice)
		return PTRULES_EARG;
	*out = p->advice[i].a;
	return PTRULES_OK;
}
