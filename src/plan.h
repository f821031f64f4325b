/* plan.h - the planner behind ptrules_plan_* (include/ptrules.h): the
 * search over point use (plan.c), advice (plan_advice.c) and the text
 * and JSON printers (plan_out.c) share this state.
 *
 * The planner is built on the public API: it evaluates what-if carts
 * (ptrules_cart_copy, ptrules_cart_set_use, ptrules_cart_add_item) with
 * its own evaluation context and reads the results like any embedder,
 * so it depends on nothing inside the VM.  Exact values are pt_rat. */
#ifndef PT_PLAN_H
#define PT_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "ptrules.h"
#include "rat.h"

/* Candidate amounts per program: 0, max and boundaries. */
#define PT_PLAN_MAX_CANDS 8
#define PT_PLAN_TEXT 512

/* What one program does in one evaluated option. */
typedef struct pt_plan_prog {
	int64_t use_points, use_value_yen, earn_points;
	pt_rat point_value;
} pt_plan_prog;

/* One evaluated, allowed combination. */
typedef struct pt_plan_opt {
	size_t index;            /* enumeration order: the last tie-break */
	int64_t pay_yen, points_yen;
	size_t nuses;
	pt_rat earn_value, spent_value;
	size_t prog_at;          /* its nprogs entries start at progbuf[prog_at] */
} pt_plan_opt;

/* One piece of advice with its own text storage. */
typedef struct pt_plan_advice {
	ptrules_advice a;
	char text[PT_PLAN_TEXT];
	char reason[PT_PLAN_TEXT];
} pt_plan_advice;

struct ptrules_plan {
	ptrules_rules *rules;
	ptrules_eval *e;         /* with PTRULES_EVAL_EXPLAIN: advice reads rule lines */
	ptrules_cart *work;      /* the what-if cart, rebuilt from src each time */
	const ptrules_cart *src; /* the cart being planned (during ptrules_plan_cart) */
	size_t nprogs;
	bool have;
	int64_t total_yen, giftcard_yen;
	char payment[64];
	bool has_payment;
	size_t combinations;
	pt_plan_opt *opts;       /* allowed options, best first */
	size_t nopts, capopts;
	pt_plan_prog *progbuf;   /* nopts x nprogs */
	size_t capprog;
	int64_t *amounts;        /* nprogs: the amounts of the combination at hand */
	pt_plan_advice advice[PTRULES_PLAN_MAX_ADVICE];
	size_t nadvice;
	char error[PT_PLAN_TEXT];
	int error_line;          /* the cart's line the error concerns, or 0 */
};

/* Rebuild p->work as src with program uses `amounts` (NULL: none), the
 * gift card as src states it, and, when add_yen > 0, one more item of
 * category general priced add_yen; then evaluate it. */
ptrules_status pt_plan_eval(ptrules_plan *p, const int64_t *amounts, int64_t add_yen);
/* Program i's earned points in the last evaluation (0 on error). */
int64_t pt_plan_earned(const ptrules_plan *p, size_t i);
/* Order two options: negative when a ranks before b (docs/plan.md). */
int pt_plan_compare(const pt_plan_opt *a, const pt_plan_opt *b);
/* Fill p->advice for the best option (plan_advice.c). */
ptrules_status pt_plan_advise(ptrules_plan *p);

#endif
