/* plan_advice.c - advice for the best plan, found by evaluating what-if
 * carts against the compiled rules, never written per program
 * (docs/plan.md):
 *
 * - threshold: a program's earn section stopped on a condition (a reason
 *   whose rule is a yes/no require); the smallest Δ yen of an added
 *   eligible item (category general) that removes that reason is found by
 *   binary search up to PTRULES_PLAN_MAX_ADD_YEN, and Δ - 1 is checked
 *   not to suffice;
 * - cap: a reason from a capped amount, where adding
 *   PTRULES_PLAN_MAX_ADD_YEN yen of items earns no more;
 * - tier: the smallest Δ yen of an added item that changes a program's
 *   tier (binary search, Δ - 1 checked), named by the tier row's line;
 * - unusable: a linked program's redeem rules refuse this order (a card
 *   the program does not take, a program that ended), with that rule;
 * - spending: the best plan spends points and a program earns less than
 *   with no points spent; the rule named is the first of that program
 *   whose value differs between the two carts (the explain trace).
 *
 * Each piece of advice names the rule line it comes from. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"
#include "plan.h"

/* The next free advice slot, or NULL when they are all used. */
static pt_plan_advice *slot(ptrules_plan *p)
{
	if (p->nadvice >= PTRULES_PLAN_MAX_ADVICE)
		return NULL;
	pt_plan_advice *a = &p->advice[p->nadvice];
	memset(a, 0, sizeof *a);
	return a;
}

/* Publish the advice in slot a (its strings point into the slot). */
static void commit(ptrules_plan *p, pt_plan_advice *a, ptrules_advice_kind kind, size_t prog, const char *file,
		   int line)
{
	a->a.kind = kind;
	a->a.program = ptrules_program_id(p->rules, prog);
	a->a.name = ptrules_program_name(p->rules, prog);
	a->a.text = a->text;
	a->a.reason = a->reason;
	a->a.rule_file = file;
	a->a.rule_line = line;
	p->nadvice++;
}

/* What the rule at file:line is: 'c' a yes/no condition (a require),
 * 'a' an amount (a capped let, add or limit), 0 no rule statement (a
 * reason such as "this program does not earn points here"). */
static int rule_kind(const ptrules_plan *p, const char *file, int line)
{
	size_t n = ptrules_explain_count(p->e);
	for (size_t i = 0; i < n; i++) {
		ptrules_explain x;
		if (ptrules_explain_get(p->e, i, &x) == PTRULES_OK && x.line == line && strcmp(x.file, file) == 0)
			return strcmp(x.unit, "bool") == 0 ? 'c' : 'a';
	}
	return 0;
}

/* Whether program j's last result has no reason from file:line. */
static bool reason_gone(const ptrules_plan *p, size_t j, const char *file, int line)
{
	ptrules_result r;
	if (ptrules_result_get(p->e, j, &r) != PTRULES_OK)
		return false;
	for (int k = 0; k < r.earn_nreasons; k++)
		if (r.earn_reason_lines[k] == line && r.earn_reason_files[k] && strcmp(r.earn_reason_files[k], file) == 0)
			return false;
	return true;
}

/* Evaluate the best plan's cart with add_yen more; false on a failure. */
static bool eval_plus(ptrules_plan *p, const int64_t *best, int64_t add_yen)
{
	ptrules_status st = pt_plan_eval(p, best, add_yen);
	return st == PTRULES_OK || st == PTRULES_ERUNTIME;
}

/* Threshold advice for program j's condition at file:line (earning e0). */
static ptrules_status threshold(ptrules_plan *p, const int64_t *best, size_t j, const char *file, int line,
				const char *why, int64_t e0)
{
	int64_t lo = 0, hi = PTRULES_PLAN_MAX_ADD_YEN;
	if (!eval_plus(p, best, hi) || !reason_gone(p, j, file, line))
		return PTRULES_OK;   /* adding items does not lift this condition */
	while (hi - lo > 1) {   /* the condition holds at hi, not at lo */
		int64_t mid = lo + (hi - lo) / 2;
		if (!eval_plus(p, best, mid))
			return PTRULES_OK;
		if (reason_gone(p, j, file, line))
			hi = mid;
		else
			lo = mid;
	}
	if (hi > 1 && (!eval_plus(p, best, hi - 1) || reason_gone(p, j, file, line)))
		return PTRULES_OK;   /* not monotonic: no advice rather than a wrong one */
	if (!eval_plus(p, best, hi))
		return PTRULES_OK;
	int64_t gain = pt_plan_earned(p, j) - e0;
	pt_plan_advice *a = slot(p);
	if (gain <= 0 || !a)
		return PTRULES_OK;
	char y[32], g[32];
	pt_out_group(hi, y, sizeof y);
	pt_out_group(gain, g, sizeof g);
	snprintf(a->reason, sizeof a->reason, "%s", why);
	snprintf(a->text, sizeof a->text, "add %s yen of items to earn %s%s %s (%s:%d: %s)", y, g, e0 > 0 ? " more" : "",
		 ptrules_program_name(p->rules, j), file, line, why);
	a->a.add_yen = hi;
	a->a.points = gain;
	commit(p, a, PTRULES_ADVICE_THRESHOLD, j, file, line);
	return PTRULES_OK;
}

/* Cap advice for program j's capped amount at file:line (earning e0). */
static ptrules_status cap(ptrules_plan *p, const int64_t *best, size_t j, const char *file, int line,
			  const char *why, int64_t e0)
{
	if (!eval_plus(p, best, PTRULES_PLAN_MAX_ADD_YEN) || pt_plan_earned(p, j) > e0)
		return PTRULES_OK;   /* more items would still earn more */
	pt_plan_advice *a = slot(p);
	if (!a)
		return PTRULES_OK;
	snprintf(a->reason, sizeof a->reason, "%s", why);
	snprintf(a->text, sizeof a->text, "%s: a cap is reached, so adding items earns no more (%s:%d: %s)",
		 ptrules_program_name(p->rules, j), file, line, why);
	commit(p, a, PTRULES_ADVICE_CAP, j, file, line);
	return PTRULES_OK;
}

/* Program j's tier label in the last evaluation, or NULL. */
static const char *tier_label(const ptrules_plan *p, size_t j)
{
	ptrules_result r;
	return ptrules_result_get(p->e, j, &r) == PTRULES_OK ? r.tier : NULL;
}

/* Whether the last evaluation left program j in a tier other than now. */
static bool tier_moved(const ptrules_plan *p, size_t j, const char *now)
{
	const char *t = tier_label(p, j);
	return t && strcmp(t, now) != 0;
}

/* Tier advice: the fewest yen of added items that move program j out of
 * tier `now` (earning e0), named by the row of the tier reached. */
static ptrules_status tier(ptrules_plan *p, const int64_t *best, size_t j, const char *now, int64_t e0)
{
	int64_t lo = 0, hi = PTRULES_PLAN_MAX_ADD_YEN;
	if (!eval_plus(p, best, hi) || !tier_moved(p, j, now))
		return PTRULES_OK;
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;
		if (!eval_plus(p, best, mid))
			return PTRULES_OK;
		if (tier_moved(p, j, now))
			hi = mid;
		else
			lo = mid;
	}
	if (hi > 1 && (!eval_plus(p, best, hi - 1) || tier_moved(p, j, now)))
		return PTRULES_OK;   /* not monotonic: no advice rather than a wrong one */
	if (!eval_plus(p, best, hi))
		return PTRULES_OK;
	const char *to = tier_label(p, j), *file = NULL;
	int line = 0;
	int64_t gain = pt_plan_earned(p, j) - e0;
	/* A context of its own, used once, says which row ran. */
	ptrules_eval *once = ptrules_eval_new(p->rules, PTRULES_EVAL_COVERAGE);
	if (!once)
		return PTRULES_ENOMEM;
	ptrules_status st = ptrules_evaluate(once, p->work, NULL);
	bool named = (st == PTRULES_OK || st == PTRULES_ERUNTIME) && ptrules_tier_row_get(once, j, &file, &line) == PTRULES_OK;
	ptrules_eval_free(once);
	pt_plan_advice *a = slot(p);
	if (!named || !to || !a)
		return PTRULES_OK;   /* advice always names its rule line */
	char y[32], g[32];
	pt_out_group(hi, y, sizeof y);
	pt_out_group(gain < 0 ? -gain : gain, g, sizeof g);
	const char *name = ptrules_program_name(p->rules, j);
	snprintf(a->reason, sizeof a->reason, "tier \"%s\"", to);
	int k = snprintf(a->text, sizeof a->text, "add %s yen of items to reach %s's tier \"%s\"", y, name, to);
	if (gain && k > 0 && (size_t)k < sizeof a->text)
		k += snprintf(a->text + k, sizeof a->text - (size_t)k, " and earn %s %s %s", g, gain > 0 ? "more" : "fewer",
			      name);
	if (k > 0 && (size_t)k < sizeof a->text)
		snprintf(a->text + k, sizeof a->text - (size_t)k, " (%s:%d: tier \"%s\")", file, line, to);
	a->a.add_yen = hi;
	a->a.points = gain;
	a->a.tier = to;
	commit(p, a, PTRULES_ADVICE_TIER, j, file, line);
	return PTRULES_OK;
}

/* Whether program j redeems at all: its redeem section states `value E
 * per point`, which every redeem section does exactly once. */
static bool redeems(const ptrules_plan *p, size_t j)
{
	const char *id = ptrules_program_id(p->rules, j);
	size_t n = ptrules_explain_count(p->e);
	for (size_t i = 0; i < n; i++) {
		ptrules_explain x;
		if (ptrules_explain_get(p->e, i, &x) == PTRULES_OK && strcmp(x.program, id) == 0 &&
		    strncmp(x.rule, "value ", 6) == 0)
			return true;
	}
	return false;
}

/* Unusable advice: program j is linked and redeems, but its points
 * cannot pay for this order. */
static void unusable(ptrules_plan *p, size_t j, const ptrules_result *r)
{
	if (!r->linked || r->redeem_usable || !r->redeem_nreasons || !r->redeem_reason_files[0] || !redeems(p, j))
		return;
	pt_plan_advice *a = slot(p);
	if (!a)
		return;
	snprintf(a->reason, sizeof a->reason, "%s", r->redeem_reasons[0]);
	snprintf(a->text, sizeof a->text, "%s cannot pay for this order: %s (%s:%d)", r->name, r->redeem_reasons[0],
		 r->redeem_reason_files[0], r->redeem_reason_lines[0]);
	commit(p, a, PTRULES_ADVICE_UNUSABLE, j, r->redeem_reason_files[0], r->redeem_reason_lines[0]);
}

/* Unusable, tier, threshold and cap advice for each linked program. */
static ptrules_status reasons(ptrules_plan *p, const int64_t *best)
{
	for (size_t j = 0; j < p->nprogs; j++) {
		if (!eval_plus(p, best, 0))
			return PTRULES_OK;
		ptrules_result r;
		if (ptrules_result_get(p->e, j, &r) != PTRULES_OK || !r.linked)
			continue;
		unusable(p, j, &r);
		int64_t e0 = r.earn_points;
		if (r.tier) {
			ptrules_status st = tier(p, best, j, r.tier, e0);
			if (st != PTRULES_OK)
				return st;
			if (!eval_plus(p, best, 0))
				return PTRULES_OK;
		}
		for (int k = 0; k < r.earn_nreasons; k++) {
			if (!r.earn_reason_files[k])
				continue;
			if (!eval_plus(p, best, 0))   /* the searches moved the context on */
				return PTRULES_OK;
			int kind = rule_kind(p, r.earn_reason_files[k], r.earn_reason_lines[k]);
			if (!kind)
				continue;
			ptrules_status st = (kind == 'c' ? threshold : cap)(p, best, j, r.earn_reason_files[k],
									    r.earn_reason_lines[k], r.earn_reasons[k], e0);
			if (st != PTRULES_OK)
				return st;
		}
	}
	return PTRULES_OK;
}

/* One rule's value in the explain trace. */
typedef struct seen {
	int ran;
	pt_rat v;
} seen;

/* Spending advice: compare the best plan with spending no points. */
static ptrules_status spending(ptrules_plan *p, const int64_t *best)
{
	if (p->opts[0].nuses == 0)
		return PTRULES_OK;
	if (!eval_plus(p, NULL, 0))
		return PTRULES_OK;
	size_t n = ptrules_explain_count(p->e);
	seen *none = calloc(n + 1, sizeof *none);
	int64_t *earned = calloc(p->nprogs + 1, sizeof *earned);
	if (!none || !earned) {
		free(none);
		free(earned);
		return PTRULES_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		ptrules_explain x;
		ptrules_explain_get(p->e, i, &x);
		none[i] = (seen){ x.ran, { x.value_num, x.value_den } };
	}
	for (size_t j = 0; j < p->nprogs; j++)
		earned[j] = pt_plan_earned(p, j);
	if (eval_plus(p, best, 0)) {
		for (size_t j = 0; j < p->nprogs; j++) {
			int64_t now = pt_plan_earned(p, j);
			if (now >= earned[j])
				continue;
			const char *id = ptrules_program_id(p->rules, j);
			ptrules_explain x = { 0 };
			bool found = false;
			for (size_t i = 0; i < n && !found; i++)
				found = ptrules_explain_get(p->e, i, &x) == PTRULES_OK && strcmp(x.program, id) == 0 && x.ran &&
					none[i].ran && (x.value_num != none[i].v.n || x.value_den != none[i].v.d);
			pt_plan_advice *a = slot(p);
			if (!a)
				break;
			char l[32], w[32], o[32];
			pt_out_group(earned[j] - now, l, sizeof l);
			pt_out_group(now, w, sizeof w);
			pt_out_group(earned[j], o, sizeof o);
			snprintf(a->reason, sizeof a->reason, "%s", found ? x.rule : "");
			int k = snprintf(a->text, sizeof a->text,
					 "spending points lowers what %s earns by %s points: %s instead of %s without them",
					 ptrules_program_name(p->rules, j), l, w, o);
			if (found && k > 0 && (size_t)k < sizeof a->text)
				snprintf(a->text + k, sizeof a->text - (size_t)k, " (%s:%d: %s)", x.file, x.line, x.rule);
			a->a.points = earned[j] - now;
			commit(p, a, PTRULES_ADVICE_SPENDING, j, found ? x.file : NULL, found ? x.line : 0);
		}
	}
	free(none);
	free(earned);
	return PTRULES_OK;
}

/* Advice for the best option: thresholds and caps, then spending. */
ptrules_status pt_plan_advise(ptrules_plan *p)
{
	p->nadvice = 0;
	if (p->nopts == 0)
		return PTRULES_OK;
	int64_t *best = calloc(p->nprogs + 1, sizeof *best);
	if (!best)
		return PTRULES_ENOMEM;
	for (size_t i = 0; i < p->nprogs; i++)
		best[i] = p->progbuf[p->opts[0].prog_at + i].use_points;
	ptrules_status st = reasons(p, best);
	if (st == PTRULES_OK)
		st = spending(p, best);
	free(best);
	return st;
}
