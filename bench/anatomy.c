/* anatomy.c - where a packed cart's time goes (make bench): the steps of
 * ptrules_evaluate_packed timed one at a time, over the same carts as
 * the headline figure.
 *
 * The rest of the driver sees the public header only; this file reads
 * the library's internal headers (src/api.h, src/batch.h, src/fast.h) so
 * that it can stop part way through an evaluation.  Each sweep does the
 * headline sweep's work up to a point and folds the same checksum, with
 * the results read straight from the evaluator instead of through
 * ptrules_amounts_list:
 *   stage 0  find each packed cart and bind it (pt_bind_prepared); the
 *            programs do not run, so the fold reads the results of the
 *            last evaluation (the checksum means nothing);
 *   stage 1  and run the programs (pt_fast_eval: the machine code, and
 *            the interpreter when it hands a cart back);
 *   stage 2  the whole of ptrules_evaluate_packed.
 * The headline sweep adds ptrules_amounts_list to stage 2.  The
 * differences between them are what each step costs. */
#include <stdint.h>
#include <string.h>

#include "ptrules.h"

#include "api.h"
#include "batch.h"
#include "bind_fast.h"
#include "fast.h"

#include "bench.h"
#include "flat.h"

/* Whether the stages can be timed: the rule set has register code (the
 * stage 1 sweep calls it directly). */
int bench_anatomy_ready(const ptrules_eval *e)
{
	return e->rules->rs->fast != NULL;
}

/* What ptrules_amounts_get gives for one program, read from the result
 * itself: the outputs are whole numbers here (a fraction would change
 * the checksum, which the driver compares with the headline's). */
static inline void read_prog(const pt_prog_result *p, int64_t *use, int64_t *max, int64_t *yen, int64_t *earn)
{
	*use = !p->redeem.failed & (p->redeem.status == PT_VM_OK);
	*max = p->out[PT_OUT_R_MAX_POINTS].n;
	*yen = p->out[PT_OUT_R_VALUE_YEN].n;
	if (earn)
		*earn = p->out[PT_OUT_E_POINTS].n;
}

/* Fold e's results for the three programs at idx into the checksum, as
 * the headline sweep's fold does. */
static inline void fold_res(const ptrules_eval *e, const int idx[3], int64_t *w, int64_t *ck)
{
	bench_res r;
	memset(&r, 0, sizeof r);
	if (idx[0] >= 0)
		read_prog(&e->res[idx[0]], &r.dp_use, &r.dp_max, &r.dp_yen, &r.dp_earn);
	if (idx[1] >= 0)
		read_prog(&e->res[idx[1]], &r.ok_use, &r.ok_max, &r.ok_yen, NULL);
	if (idx[2] >= 0)
		read_prog(&e->res[idx[2]], &r.rc_use, &r.rc_max, &r.rc_yen, NULL);
	bench_fold(&r, w, ck);
}

/* One sweep over packed carts 0..n-1 of b, up to the given stage; the
 * checksum of the results read (stage 0: of stale results).  Not static:
 * callgrind can collect inside it. */
__attribute__((noinline)) int64_t bench_anatomy_sweep(ptrules_eval *e, const ptrules_batch *b, uint32_t n,
						      const int idx[3], int stage)
{
	const pt_ruleset *rs = e->rules->rs;
	int64_t ck = 0, w = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (stage == 2) {
			if (ptrules_evaluate_packed(e, b, i) != PTRULES_OK)
				bench_die("ptrules_evaluate_packed failed on cart %u", i + 1);
		} else {
			const batch_head *h;
			const pt_prep *p = pt_batch_cart(b, i, &h);
			const int64_t *dense;
			if (h->n_uses || !pt_bind_prepared(rs, p, e->inputs, e->in, &dense))
				bench_die("packed cart %u has use records or does not bind", i + 1);
			if (stage == 1 && !pt_fast_eval(rs, e->inputs, e->locals, e->res, PT_FAST_NATIVE, dense))
				bench_die("cart %u: a runtime error", i + 1);
		}
		fold_res(e, idx, &w, &ck);
	}
	return ck;
}
