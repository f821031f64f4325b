/* lint.c - warnings about rules that compile but probably do not say what
 * their author meant (`ptrules check`; codes PT101.. in docs/diagnostics.md).
 *
 * The main tool is an interval analysis: every cart amount is a whole
 * number >= 0, days of the month are 1..31, tier fields range over their
 * rows, and each expression's range follows from those.  A cap whose
 * value can never exceed it never binds; a condition whose sides cannot
 * meet never holds.  Ranges are exact rationals; an overflow widens a
 * bound to infinity, so the analysis only ever errs towards silence. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cc.h"
#include "date.h"

/* A closed interval; an infinite end is flagged, its value unused. */
typedef struct iv {
	bool lo_inf, hi_inf;
	pt_rat lo, hi;
} iv;

typedef struct lint {
	pt_cc *cc;
	pt_prog_info *pi;
	iv env[PT_MAX_LOCALS];     /* range of each local slot */
	bool *read;                /* inputs some expression reads */
} lint;

static const iv IV_ALL = { true, true, { 0, 1 }, { 0, 1 } };

/* [v, v]. */
static iv iv_pt(pt_rat v) { return (iv){ false, false, v, v }; }
/* [a, b] for whole numbers. */
static iv iv_int(int64_t a, int64_t b) { return (iv){ false, false, pt_rat_int(a), pt_rat_int(b) }; }
/* [0, +inf): any cart amount. */
static iv iv_nonneg(void) { return (iv){ false, true, pt_rat_int(0), pt_rat_int(0) }; }

/* Report a warning with its code at loc in the program's file. */
static void warn(lint *l, pt_loc loc, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void warn(lint *l, pt_loc loc, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int len = loc.last_line == loc.first_line ? loc.last_column - loc.first_column + 1 : 1;
	size_t before = l->cc->d->n;
	pt_diag_vat(l->cc->d, PT_WARNING, l->pi->src, loc.first_line, loc.first_column, len, fmt, ap);
	va_end(ap);
	if (l->cc->d->n > before)
		snprintf(l->cc->d->v[l->cc->d->n - 1].code, sizeof l->cc->d->v[0].code, "%s", code);
}

/* Smaller / larger of two finite values. */
static pt_rat rmin(pt_rat a, pt_rat b) { return pt_rat_cmp(a, b) <= 0 ? a : b; }
static pt_rat rmax(pt_rat a, pt_rat b) { return pt_rat_cmp(a, b) >= 0 ? a : b; }

/* a + b (sub: a - b); any infinity or overflow gives an infinite end. */
static iv iv_add(iv a, iv b, bool sub)
{
	iv r;
	bool blo_inf = sub ? b.hi_inf : b.lo_inf, bhi_inf = sub ? b.lo_inf : b.hi_inf;
	pt_rat blo = sub ? b.hi : b.lo, bhi = sub ? b.lo : b.hi;
	r.lo_inf = a.lo_inf || blo_inf ||
		   !(sub ? pt_rat_sub(a.lo, blo, &r.lo) : pt_rat_add(a.lo, blo, &r.lo));
	r.hi_inf = a.hi_inf || bhi_inf ||
		   !(sub ? pt_rat_sub(a.hi, bhi, &r.hi) : pt_rat_add(a.hi, bhi, &r.hi));
	return r;
}

/* Whether an interval lies within [0, +inf). */
static bool nonneg(iv a) { return !a.lo_inf && pt_rat_cmp(a.lo, pt_rat_int(0)) >= 0; }

/* a * b: exact on finite intervals, and for non-negative ones with an
 * open top; everything else is "anything". */
static iv iv_mul(iv a, iv b)
{
	if (!a.lo_inf && !a.hi_inf && !b.lo_inf && !b.hi_inf) {
		pt_rat p[4];
		if (!pt_rat_mul(a.lo, b.lo, &p[0]) || !pt_rat_mul(a.lo, b.hi, &p[1]) ||
		    !pt_rat_mul(a.hi, b.lo, &p[2]) || !pt_rat_mul(a.hi, b.hi, &p[3]))
			return IV_ALL;
		iv r = iv_pt(p[0]);
		for (int i = 1; i < 4; i++) {
			r.lo = rmin(r.lo, p[i]);
			r.hi = rmax(r.hi, p[i]);
		}
		return r;
	}
	if (nonneg(a) && nonneg(b)) {
		iv r = iv_nonneg();
		if (!pt_rat_mul(a.lo, b.lo, &r.lo))
			r.lo = pt_rat_int(0);
		return r;
	}
	return IV_ALL;
}

/* a / b for non-negative a and a strictly positive b; else anything. */
static iv iv_div(iv a, iv b)
{
	if (!nonneg(a) || b.lo_inf || pt_rat_cmp(b.lo, pt_rat_int(0)) <= 0)
		return IV_ALL;
	iv r = iv_nonneg();
	if (!b.hi_inf && !pt_rat_div(a.lo, b.hi, &r.lo))
		r.lo = pt_rat_int(0);
	r.hi_inf = a.hi_inf || !pt_rat_div(a.hi, b.lo, &r.hi);
	return r;
}

/* min (is_max: max) of two intervals. */
static iv iv_minmax(iv a, iv b, bool is_max)
{
	iv r;
	if (!is_max) {
		r.lo_inf = a.lo_inf || b.lo_inf;
		r.lo = r.lo_inf ? a.lo : rmin(a.lo, b.lo);
		r.hi_inf = a.hi_inf && b.hi_inf;
		r.hi = a.hi_inf ? b.hi : b.hi_inf ? a.hi : rmin(a.hi, b.hi);
	} else {
		r.hi_inf = a.hi_inf || b.hi_inf;
		r.hi = r.hi_inf ? a.hi : rmax(a.hi, b.hi);
		r.lo_inf = a.lo_inf && b.lo_inf;
		r.lo = a.lo_inf ? b.lo : b.lo_inf ? a.lo : rmax(a.lo, b.lo);
	}
	return r;
}

/* Smallest interval holding both. */
static iv iv_union(iv a, iv b)
{
	iv lo = iv_minmax(a, b, false), hi = iv_minmax(a, b, true);
	return (iv){ lo.lo_inf, hi.hi_inf, lo.lo, hi.hi };
}

/* The range a cart input can take. */
static iv input_range(const pt_input_def *in)
{
	if (in->kind == PT_IN_BUILTIN)
		switch ((pt_builtin)in->builtin) {
		case PT_B_DAY: return iv_int(1, 31);
		case PT_B_MONTH: return iv_int(1, 12);
		case PT_B_WEEKDAY: return iv_int(1, 7);
		case PT_B_DATE:
		case PT_B_CARD:
		case PT_B_METHOD: return IV_ALL;
		default: return iv_nonneg();
		}
	if (in->kind == PT_IN_LINKED || in->type == PT_U_BOOL)
		return iv_int(0, 1);
	if (in->type == PT_U_DATE || in->type == PT_U_STR)
		return IV_ALL;
	return iv_nonneg();
}

/* Whether e, a comparison tree, can never be true over these ranges. */
static bool never_true(lint *l, const pt_expr *e);
static iv eval(lint *l, const pt_expr *e);

/* Warn about rounding every term of a sum (it loses up to one unit per
 * term; rounding the sum once loses less). */
static void check_sum_rounding(lint *l, const pt_expr *e)
{
	const pt_expr *a = e->a, *b = e->b;
	while (a->kind == PT_E_AS)
		a = a->a;
	while (b->kind == PT_E_AS)
		b = b->a;
	bool ra = a->kind == PT_E_CALL && a->fn <= PT_F_ROUND && !a->a->integral;
	bool rb = b->kind == PT_E_CALL && b->fn <= PT_F_ROUND && !b->a->integral;
	if (ra && rb)
		warn(l, e->loc, "PT106",
		     "each term is rounded before they are added, which can lose up to one unit per term; round the sum once instead");
}

/* The range of an expression's value. */
static iv eval(lint *l, const pt_expr *e)
{
	iv a, b;
	switch (e->kind) {
	case PT_E_NUM:
		return iv_pt(e->num);
	case PT_E_BOOL:
		return iv_pt(e->num);
	case PT_E_DATE:
	case PT_E_STR:
		return IV_ALL;
	case PT_E_NAME:
		if (e->ref == PT_R_INPUT) {
			l->read[e->slot] = true;
			return input_range(&l->cc->inputs[e->slot]);
		}
		if (e->ref == PT_R_LOCAL && e->slot >= 0 && e->slot < PT_MAX_LOCALS)
			return l->env[e->slot];
		if (e->ref == PT_R_ELIGIBLE) {
			l->read[pt_cc_input(l->cc, PT_IN_BUILTIN, PT_B_TOTAL, -1, NULL, PT_U_YEN)] = true;
			return iv_nonneg();
		}
		return IV_ALL;
	case PT_E_BIN:
		a = eval(l, e->a);
		b = eval(l, e->b);
		switch (e->op) {
		case PT_BIN_ADD:
		case PT_BIN_SUB:
			check_sum_rounding(l, e);
			return iv_add(a, b, e->op == PT_BIN_SUB);
		case PT_BIN_MUL: return iv_mul(a, b);
		case PT_BIN_DIV: return iv_div(a, b);
		default: return iv_int(0, 1);
		}
	case PT_E_NOT:
		eval(l, e->a);
		return iv_int(0, 1);
	case PT_E_NEG:
		a = eval(l, e->a);
		return (iv){ a.hi_inf, a.lo_inf, { -a.hi.n, a.hi.d }, { -a.lo.n, a.lo.d } };
	case PT_E_CALL:
		a = eval(l, e->a);
		if (e->fn == PT_F_MIN || e->fn == PT_F_MAX)
			return iv_minmax(a, eval(l, e->b), e->fn == PT_F_MAX);
		{
			pt_rat (*f)(pt_rat) = e->fn == PT_F_FLOOR ? pt_rat_floor : e->fn == PT_F_CEIL ? pt_rat_ceil : pt_rat_round;
			a.lo = f(a.lo);
			a.hi = f(a.hi);
			return a;
		}
	case PT_E_IF:
		eval(l, e->c);
		return iv_union(eval(l, e->a), eval(l, e->b));
	case PT_E_AS:
		return eval(l, e->a);
	case PT_E_IN:
		eval(l, e->a);
		return iv_int(0, 1);
	}
	return IV_ALL;
}

/* a < b holds for no values in the ranges (strict: a <= b). */
static bool all_ge(iv a, iv b, bool strict)
{
	if (a.lo_inf || b.hi_inf)
		return false;
	int c = pt_rat_cmp(a.lo, b.hi);
	return strict ? c > 0 : c >= 0;
}

/* Comparisons that their operands' ranges can never satisfy (evaluates
 * every part of the condition once). */
static bool never_true(lint *l, const pt_expr *e)
{
	if (e->kind != PT_E_BIN || e->op == PT_BIN_ADD || e->op == PT_BIN_SUB || e->op == PT_BIN_MUL ||
	    e->op == PT_BIN_DIV) {
		eval(l, e);
		return false;
	}
	if (e->op == PT_BIN_AND || e->op == PT_BIN_OR) {
		bool a = never_true(l, e->a), b = never_true(l, e->b);
		return e->op == PT_BIN_AND ? a || b : a && b;
	}
	if (e->a->unit == PT_U_STR || e->a->unit == PT_U_DATE || e->a->unit == PT_U_BOOL) {
		eval(l, e);
		return false;
	}
	iv a = eval(l, e->a), b = eval(l, e->b);
	switch (e->op) {
	case PT_BIN_LT: return all_ge(a, b, false);
	case PT_BIN_LE: return all_ge(a, b, true);
	case PT_BIN_GT: return all_ge(b, a, false);
	case PT_BIN_GE: return all_ge(b, a, true);
	case PT_BIN_EQ: return all_ge(a, b, true) || all_ge(b, a, true);
	default: return false;
	}
}

/* Apply `cap c` to value range v, warning when it can never bind. */
static iv apply_cap(lint *l, iv v, const pt_expr *cap, pt_loc loc)
{
	iv c = iv_minmax(eval(l, cap), iv_int(0, 0), true);   /* a cap never goes below 0 */
	if (!v.hi_inf && !c.lo_inf && pt_rat_cmp(v.hi, c.lo) <= 0) {
		char vb[48], cb[48];
		pt_rat_format(v.hi, vb, sizeof vb);
		pt_rat_format(c.lo, cb, sizeof cb);
		warn(l, loc, "PT102", "this cap never binds: the value is at most %s and the cap is at least %s", vb, cb);
	}
	return iv_minmax(v, c, false);
}

/* Walk one block's statements, tracking ranges of locals and points. */
static void walk(lint *l, const pt_stmt *s, iv *acc)
{
	for (; s; s = s->next) {
		iv v;
		switch (s->kind) {
		case PT_S_LET:
			v = eval(l, s->e);
			if (s->cap)
				v = apply_cap(l, v, s->cap, s->loc);
			if (s->slot >= 0 && s->slot < PT_MAX_LOCALS)
				l->env[s->slot] = v;
			break;
		case PT_S_ADD:
			v = eval(l, s->e);
			if (s->cap)
				v = apply_cap(l, v, s->cap, s->loc);
			*acc = iv_add(*acc, v, false);
			break;
		case PT_S_REQUIRE:
			if (never_true(l, s->e))
				warn(l, s->e->loc, "PT104",
				     "this condition can never hold, so this section always fails with \"%s\"", s->reason);
			break;
		case PT_S_WHEN:
			if (never_true(l, s->e))
				warn(l, s->e->loc, "PT104", "this condition can never hold, so the block below never runs");
			walk(l, s->body, acc);
			break;
		case PT_S_BASIS:
			l->env[l->pi->slot_basis] = eval(l, s->e);
			break;
		case PT_S_VALUE:
			eval(l, s->e);
			break;
		case PT_S_CAP:
			if (l->pi->sec == PT_SEC_EARN)
				*acc = apply_cap(l, *acc, s->e, s->loc);
			else
				eval(l, s->e);
			break;
		case PT_S_GRANTED:
			break;
		}
	}
}

/* Dated versions, in order of their start: overlaps hide the later one,
 * gaps leave dates with no version in force. */
static void check_versions(lint *l, pt_decl *const *v, int n, const char *what)
{
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++) {
			const pt_decl *a = v[i], *b = v[j];
			if (!(a->has_from || a->has_until) || !(b->has_from || b->has_until))
				continue;
			if (a->from <= b->until && b->from <= a->until) {
				char d1[16], d2[16];
				pt_date_format(a->from > b->from ? a->from : b->from, d1);
				pt_date_format(a->until < b->until ? a->until : b->until, d2);
				warn(l, b->loc, "PT103",
				     "this %s overlaps the one on line %d%s%s%s%s; only the first in the file is used there",
				     what, a->loc.first_line, a->from > b->from || b->has_from ? " from " : "",
				     a->from > b->from || b->has_from ? d1 : "", b->has_until || a->has_until ? " until " : "",
				     b->has_until || a->has_until ? d2 : "");
			}
		}
	/* Gaps: sort the dated versions' [from, until] and look between them. */
	const pt_decl *s[16];
	int m = 0;
	for (int i = 0; i < n && m < 16; i++)
		if (v[i]->has_from || v[i]->has_until)
			s[m++] = v[i];
	if (m != n)
		return;   /* an undated version covers every gap */
	for (int i = 1; i < m; i++)
		for (int j = i; j > 0 && s[j]->from < s[j - 1]->from; j--) {
			const pt_decl *t = s[j];
			s[j] = s[j - 1];
			s[j - 1] = t;
		}
	for (int i = 1; i < m; i++)
		if (s[i - 1]->until != PT_DATE_MAX && s[i]->from > s[i - 1]->until + 1) {
			char d1[16], d2[16];
			pt_date_format(s[i - 1]->until + 1, d1);
			pt_date_format(s[i]->from - 1, d2);
			warn(l, s[i]->loc, "PT103", "no %s is in force from %s to %s (between this one and the one on line %d)",
			     what, d1, d2, s[i - 1]->loc.first_line);
		}
}

/* Tier rows after one every key value reaches can never be chosen. */
static void check_tier_rows(lint *l, pt_tier_info *ti)
{
	iv key = input_range(&l->cc->inputs[ti->key_input]);
	l->read[ti->key_input] = true;
	for (int v = 0; v < ti->nversions; v++)
		for (const pt_tier_row *r = ti->versions[v]->rows; r; r = r->next)
			if (r->threshold && r->next && !key.lo_inf && pt_rat_cmp(r->threshold->num, key.lo) <= 0) {
				warn(l, r->next->loc, "PT101",
				     "this row can never be chosen: every value of the key reaches the row above (\"%s\")",
				     r->label);
				break;
			}
}

/* Set a tier field's range to what its rows hold. */
static void tier_ranges(lint *l, const pt_tier_info *ti)
{
	for (int f = 0; f < ti->nfields; f++) {
		bool first = true;
		iv r = IV_ALL;
		for (int v = 0; v < ti->nversions; v++)
			for (const pt_tier_row *row = ti->versions[v]->rows; row; row = row->next) {
				const pt_field *fl = row->fields;
				for (int k = 0; fl && k < f; k++)
					fl = fl->next;
				if (!fl || fl->e->kind != PT_E_NUM)
					continue;
				r = first ? iv_pt(fl->e->num) : iv_union(r, iv_pt(fl->e->num));
				first = false;
			}
		if (ti->slots[f] >= 0 && ti->slots[f] < PT_MAX_LOCALS)
			l->env[ti->slots[f]] = r;
	}
}

/* Lint one checked program: versions, tiers, sections, unread inputs. */
void pt_lint_program(pt_cc *cc, pt_prog_info *pi, bool *read)
{
	/* Only the slots sema gave out: zeroing and filling all
	 * PT_MAX_LOCALS ranges per program was 4% of checking 1,000 programs. */
	lint l;
	l.cc = cc;
	l.pi = pi;
	l.read = read;
	int nslots = pi->nlocals < PT_MAX_LOCALS ? pi->nlocals : PT_MAX_LOCALS;
	for (int i = 0; i < nslots; i++)
		l.env[i] = IV_ALL;
	check_versions(&l, pi->redeems, pi->nredeems, "redeem block");
	check_versions(&l, pi->earns, pi->nearns, "earn block");
	for (int t = 0; t < pi->ntiers; t++) {
		check_versions(&l, pi->tiers[t]->versions, pi->tiers[t]->nversions, "version of this tier table");
		check_tier_rows(&l, pi->tiers[t]);
		tier_ranges(&l, pi->tiers[t]);
	}
	for (int sec = 0; sec < 2; sec++) {
		pi->sec = sec ? PT_SEC_EARN : PT_SEC_REDEEM;
		pt_decl *const *blocks = sec ? pi->earns : pi->redeems;
		int n = sec ? pi->nearns : pi->nredeems;
		for (int i = 0; i < n; i++) {
			iv acc = iv_int(0, 0);
			l.env[pi->slot_basis] = iv_nonneg();
			walk(&l, blocks[i]->body, &acc);
		}
	}
	pi->sec = PT_SEC_NONE;
}

/* After every program: declared inputs that no rule reads. */
void pt_lint_unread(pt_cc *cc, const bool *read)
{
	for (size_t i = 0; i < cc->ninputs; i++) {
		const pt_input_def *in = &cc->inputs[i];
		if (in->kind != PT_IN_ACCOUNT || read[i] || in->prog < 0 || (size_t)in->prog >= cc->nprogs)
			continue;
		pt_prog_info *pi = &cc->progs[in->prog];
		for (pt_decl *d = pi->ast->decls; d; d = d->next)
			if (d->kind == PT_D_INPUT && strncmp(d->name, "account.", 8) == 0 && strcmp(d->name + 8, in->name) == 0) {
				lint l = { .cc = cc, .pi = pi };
				warn(&l, d->name_loc, "PT105", "input %s is declared but no rule reads it", d->name);
			}
	}
}
