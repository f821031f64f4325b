/* sema.c - name resolution and unit checking.
 *
 * Gathers a program's declarations, then walks every expression once,
 * giving it a unit (yen, points, percent, number, bool, date, word) and
 * whether it is known to be a whole number.  Mixing units wrongly,
 * reading an undeclared cart field, or adding points that may be
 * fractional without saying how to round are compile errors here. */
#include <string.h>

#include "cc.h"

static pt_unit check_expr(pt_cc *cc, pt_prog_info *pi, pt_expr *e);
static pt_unit check_node(pt_cc *cc, pt_prog_info *pi, pt_expr *e);

/* Whether u is a quantity arithmetic applies to. */
static bool numeric(pt_unit u)
{
	return u == PT_U_NUM || u == PT_U_PCT || u == PT_U_YEN || u == PT_U_POINTS;
}

/* Allocate a local slot, reporting the limit once. */
static int new_slot(pt_cc *cc, pt_prog_info *pi, pt_loc loc)
{
	if (pi->nlocals >= PT_MAX_LOCALS) {
		if (!pi->locals_reported)   /* once: every later value is over too */
			pt_cc_error(cc, pi, loc, "PT011", "too many values in one program (limit is %d)", PT_MAX_LOCALS);
		pi->locals_reported = true;
		return 0;
	}
	return pi->nlocals++;
}

/* The input slot of a declared `account.KEY`, or -1. */
static int account_input(pt_cc *cc, const pt_prog_info *pi, const char *key)
{
	return pt_cc_find_input(cc, PT_IN_ACCOUNT, 0, pi->index, key);
}

/* Set e's resolution to a cart input. */
static pt_unit as_input(pt_expr *e, int slot, pt_unit u, bool integral)
{
	e->ref = PT_R_INPUT;
	e->slot = slot;
	e->integral = integral;
	return u;
}

/* Resolve use.NAME: what the cart's `use` records intend to spend.
 * use.points_yen is known only once every redeem section has run. */
static pt_unit use_name(pt_cc *cc, pt_prog_info *pi, pt_expr *e)
{
	const char *n = e->str + 4;
	if (strcmp(n, "points") == 0) {
		if (pi->sec == PT_SEC_POLICY) {
			pt_cc_error(cc, pi, e->loc, "PT006", "'use.points' is a program's own use; a policy reads use.points_yen, use.programs and use.giftcard");
			return PT_U_NONE;
		}
		return as_input(e, pt_cc_input(cc, PT_IN_USE_POINTS, 0, pi->index, "use.points", PT_U_POINTS),
				PT_U_POINTS, true);
	}
	if (strcmp(n, "giftcard") == 0)
		return as_input(e, pt_cc_input(cc, PT_IN_USE_GIFTCARD, 0, -1, NULL, PT_U_YEN), PT_U_YEN, true);
	if (strcmp(n, "programs") == 0)
		return as_input(e, pt_cc_input(cc, PT_IN_USE_PROGRAMS, 0, -1, NULL, PT_U_NUM), PT_U_NUM, true);
	if (strcmp(n, "points_yen") == 0) {
		if (pi->sec == PT_SEC_REDEEM || pi->sec == PT_SEC_NONE) {
			pt_cc_error(cc, pi, e->loc, "PT006", "'use.points_yen' is known only after every redeem section has run; read it in earn or check blocks");
			return PT_U_NONE;
		}
		return as_input(e, pt_cc_input(cc, PT_IN_USE_POINTS_YEN, 0, -1, NULL, PT_U_YEN), PT_U_YEN, true);
	}
	pt_cc_error(cc, pi, e->loc, "PT006", "unknown name '%s'; expected use.points, use.points_yen, use.giftcard or use.programs",
		    e->str);
	return PT_U_NONE;
}

/* Resolve a (possibly dotted) name in the current scope. */
static pt_unit resolve_name(pt_cc *cc, pt_prog_info *pi, pt_expr *e)
{
	const char *n = e->str;
	for (int i = cc->nscope - 1; i >= 0; i--)
		if (strcmp(cc->scope[i].name, n) == 0) {
			e->ref = PT_R_LOCAL;
			e->slot = cc->scope[i].slot;
			e->integral = cc->scope[i].integral;
			return cc->scope[i].unit;
		}
	if (strcmp(n, "basis") == 0 && pi->sec != PT_SEC_NONE && pi->sec != PT_SEC_POLICY) {
		e->ref = PT_R_LOCAL;
		e->slot = pi->slot_basis;
		e->integral = true;
		return PT_U_YEN;
	}
	if (strncmp(n, "use.", 4) == 0)
		return use_name(cc, pi, e);
	if (pi->sec == PT_SEC_POLICY && (strcmp(n, "eligible") == 0 || strncmp(n, "account.", 8) == 0)) {
		pt_cc_error(cc, pi, e->loc, "PT006", "'%s' belongs to a program; a policy reads total, order.*, payment.*, category.* and use.*",
			    n);
		return PT_U_NONE;
	}
	if (strcmp(n, "eligible") == 0) {
		e->ref = PT_R_ELIGIBLE;
		e->integral = true;
		return PT_U_YEN;
	}
	static const struct { const char *name; pt_builtin b; pt_unit u; } builtins[] = {
		{ "total", PT_B_TOTAL, PT_U_YEN }, { "order.total", PT_B_TOTAL, PT_U_YEN },
		{ "order.date", PT_B_DATE, PT_U_DATE }, { "order.day", PT_B_DAY, PT_U_NUM },
		{ "order.month", PT_B_MONTH, PT_U_NUM }, { "order.weekday", PT_B_WEEKDAY, PT_U_NUM },
		{ "order.items", PT_B_ITEMS, PT_U_NUM }, { "payment.card", PT_B_CARD, PT_U_STR },
		{ "payment.method", PT_B_METHOD, PT_U_STR },
	};
	for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
		if (strcmp(n, builtins[i].name) == 0)
			return as_input(e, pt_cc_input(cc, PT_IN_BUILTIN, (int)builtins[i].b, -1, NULL,
						       builtins[i].u), builtins[i].u, true);
	if (strcmp(n, "account.balance") == 0)
		return as_input(e, pt_cc_input(cc, PT_IN_BALANCE, 0, pi->index, "balance", PT_U_POINTS),
				PT_U_POINTS, true);
	if (strncmp(n, "account.", 8) == 0) {
		int slot = account_input(cc, pi, n + 8);
		if (slot >= 0)
			return as_input(e, slot, cc->inputs[slot].type, true);
		pt_cc_error(cc, pi, e->loc,
			    "PT005", "'%s' is not declared; add `input %s: points = 0 points` (with its real unit and default) to program %s",
			    n, n, pi->ast->id);
		return PT_U_NONE;
	}
	if (strncmp(n, "category.", 9) == 0 && !strchr(n + 9, '.'))
		return as_input(e, pt_cc_input(cc, PT_IN_CATSUM, 0, -1, n + 9, PT_U_YEN), PT_U_YEN, true);
	const char *dot = strchr(n, '.');
	if (dot)
		for (int t = 0; t < pi->ntiers; t++) {
			pt_tier_info *ti = pi->tiers[t];
			if (strlen(ti->name) != (size_t)(dot - n) || strncmp(ti->name, n, (size_t)(dot - n)) != 0)
				continue;
			for (int f = 0; f < ti->nfields; f++)
				if (strcmp(ti->fields[f], dot + 1) == 0) {
					if (pi->sec == PT_SEC_REDEEM)
						ti->used_redeem = true;
					else
						ti->used_earn = true;
					e->ref = PT_R_LOCAL;
					e->slot = ti->slots[f];
					e->integral = ti->integral[f];
					return ti->units[f];
				}
			pt_cc_error(cc, pi, e->loc, "PT006", "tier table '%s' has no field '%s'", ti->name, dot + 1);
			return PT_U_NONE;
		}
	if (strcmp(n, "basis") == 0)
		pt_cc_error(cc, pi, e->loc, "PT006", "'basis' exists only inside redeem and earn blocks");
	else
		pt_cc_error(cc, pi, e->loc,
			    "PT006", "unknown name '%s'; expected a let name, basis, eligible, total, order.*, payment.*, account.*, category.*, use.* or a tier field",
			    n);
	return PT_U_NONE;
}

/* Explain a unit clash, suggesting the unit a bare number is missing. */
static void unit_clash(pt_cc *cc, pt_prog_info *pi, pt_expr *e, const char *what)
{
	pt_unit ua = e->a->unit, ub = e->b->unit;
	pt_expr *bare = (ua == PT_U_NUM && e->a->kind == PT_E_NUM) ? e->a :
			(ub == PT_U_NUM && e->b->kind == PT_E_NUM) ? e->b : NULL;
	pt_unit want = bare == e->a ? ub : ua;
	if (bare && (want == PT_U_YEN || want == PT_U_POINTS)) {
		char buf[48];
		pt_rat_format(bare->num, buf, sizeof buf);
		pt_cc_error(cc, pi, bare->loc, "PT003", "%s %s and a plain number; write %s %s",
			    what, pt_unit_name(want), buf, pt_unit_name(want));
	} else {
		pt_cc_error(cc, pi, e->loc, "PT003", "%s %s and %s", what, pt_unit_name(ua), pt_unit_name(ub));
	}
}

/* Units and integrality of a binary operation. */
static pt_unit check_bin(pt_cc *cc, pt_prog_info *pi, pt_expr *e)
{
	pt_unit ua = check_expr(cc, pi, e->a), ub = check_expr(cc, pi, e->b);
	if (ua == PT_U_NONE || ub == PT_U_NONE)
		return PT_U_NONE;
	bool both = e->a->integral && e->b->integral;
	switch (e->op) {
	case PT_BIN_ADD:
	case PT_BIN_SUB:
		if (ua != ub || !numeric(ua)) {
			unit_clash(cc, pi, e, e->op == PT_BIN_ADD ? "cannot add" : "cannot subtract");
			return PT_U_NONE;
		}
		e->integral = both;
		return ua;
	case PT_BIN_MUL:
		e->integral = both;
		if (!numeric(ua) || !numeric(ub))
			break;
		if (ua == PT_U_NUM)
			return ub;
		if (ub == PT_U_NUM)
			return ua;
		if (ua == PT_U_PCT && ub != PT_U_PCT)
			return ub;
		if (ub == PT_U_PCT && ua != PT_U_PCT)
			return ua;
		pt_cc_error(cc, pi, e->loc,
			    "PT003", "cannot multiply %s by %s; one side must be a plain number or a percentage",
			    pt_unit_name(ua), pt_unit_name(ub));
		return PT_U_NONE;
	case PT_BIN_DIV:
		e->integral = false;
		if (!numeric(ua) || !numeric(ub))
			break;
		if (ua == ub)
			return PT_U_NUM;
		if (ub == PT_U_NUM || ub == PT_U_PCT)
			return ua;
		pt_cc_error(cc, pi, e->loc, "PT003", "cannot divide %s by %s", pt_unit_name(ua), pt_unit_name(ub));
		return PT_U_NONE;
	case PT_BIN_EQ:
	case PT_BIN_NE:
		if (ua != ub) {
			unit_clash(cc, pi, e, "cannot compare");
			return PT_U_NONE;
		}
		return PT_U_BOOL;
	case PT_BIN_LT:
	case PT_BIN_LE:
	case PT_BIN_GT:
	case PT_BIN_GE:
		if (ua != ub || !(numeric(ua) || ua == PT_U_DATE)) {
			unit_clash(cc, pi, e, "cannot compare");
			return PT_U_NONE;
		}
		return PT_U_BOOL;
	case PT_BIN_AND:
	case PT_BIN_OR:
		if (ua != PT_U_BOOL || ub != PT_U_BOOL) {
			pt_cc_error(cc, pi, e->loc, "PT003", "'%s' needs a condition (bool) on both sides, found %s and %s",
				    e->op == PT_BIN_AND ? "and" : "or", pt_unit_name(ua), pt_unit_name(ub));
			return PT_U_NONE;
		}
		return PT_U_BOOL;
	}
	pt_cc_error(cc, pi, e->loc, "PT003", "arithmetic needs numbers, found %s and %s",
		    pt_unit_name(ua), pt_unit_name(ub));
	return PT_U_NONE;
}

/* Type one expression, bounding the recursion (a long chain of `+` is as
 * deep as it is long), then the node itself.  PT_MAX_EXPR_DEPTH operators
 * nest, with the leaf below them: 1000 operators in a chain are fine. */
static pt_unit check_expr(pt_cc *cc, pt_prog_info *pi, pt_expr *e)
{
	if (pi->expr_depth > PT_MAX_EXPR_DEPTH) {
		if (!pi->too_deep)
			pt_cc_error(cc, pi, e->loc, "PT011", "expression is too long or too deep (limit is %d operators in a chain)",
				    PT_MAX_EXPR_DEPTH);
		pi->too_deep = true;
		return PT_U_NONE;
	}
	pi->expr_depth++;
	pt_unit u = check_node(cc, pi, e);
	pi->expr_depth--;
	return u;
}

/* Type one node, recording unit and integrality on it. */
static pt_unit check_node(pt_cc *cc, pt_prog_info *pi, pt_expr *e)
{
	pt_unit u = PT_U_NONE, ua, ub;
	switch (e->kind) {
	case PT_E_NUM:
		u = e->lit_unit;
		e->integral = pt_rat_is_int(e->num);
		break;
	case PT_E_STR:
		u = PT_U_STR;
		break;
	case PT_E_BOOL:
		u = PT_U_BOOL;
		break;
	case PT_E_DATE:
		u = PT_U_DATE;
		break;
	case PT_E_NAME:
		u = resolve_name(cc, pi, e);
		break;
	case PT_E_BIN:
		u = check_bin(cc, pi, e);
		break;
	case PT_E_NOT:
		if ((ua = check_expr(cc, pi, e->a)) == PT_U_BOOL)
			u = PT_U_BOOL;
		else if (ua != PT_U_NONE)
			pt_cc_error(cc, pi, e->loc, "PT003", "'not' needs a condition, found %s", pt_unit_name(ua));
		break;
	case PT_E_NEG:
		ua = check_expr(cc, pi, e->a);
		e->integral = e->a->integral;
		if (numeric(ua))
			u = ua;
		else if (ua != PT_U_NONE)
			pt_cc_error(cc, pi, e->loc, "PT003", "cannot negate %s", pt_unit_name(ua));
		break;
	case PT_E_CALL:
		ua = check_expr(cc, pi, e->a);
		if (e->fn == PT_F_MIN || e->fn == PT_F_MAX) {
			ub = check_expr(cc, pi, e->b);
			e->integral = e->a->integral && e->b->integral;
			if (ua == PT_U_NONE || ub == PT_U_NONE)
				break;
			if (ua != ub || !numeric(ua))
				unit_clash(cc, pi, e, e->fn == PT_F_MIN ? "min() of" : "max() of");
			else
				u = ua;
		} else {
			e->integral = true;
			if (numeric(ua))
				u = ua;
			else if (ua != PT_U_NONE)
				pt_cc_error(cc, pi, e->loc, "PT003", "only numbers can be rounded, found %s", pt_unit_name(ua));
		}
		break;
	case PT_E_IF:
		if ((ua = check_expr(cc, pi, e->c)) != PT_U_BOOL && ua != PT_U_NONE)
			pt_cc_error(cc, pi, e->c->loc, "PT003", "'if' needs a condition, found %s", pt_unit_name(ua));
		ua = check_expr(cc, pi, e->a);
		ub = check_expr(cc, pi, e->b);
		e->integral = e->a->integral && e->b->integral;
		if (ua != PT_U_NONE && ub != PT_U_NONE) {
			if (ua != ub)
				pt_cc_error(cc, pi, e->loc, "PT003", "'if' branches differ: %s and %s",
					    pt_unit_name(ua), pt_unit_name(ub));
			else
				u = ua;
		}
		break;
	case PT_E_AS:
		ua = check_expr(cc, pi, e->a);
		e->integral = e->a->integral;
		if ((ua == PT_U_YEN && e->as_unit == PT_U_POINTS) || (ua == PT_U_POINTS && e->as_unit == PT_U_YEN))
			u = e->as_unit;
		else if (ua != PT_U_NONE)
			pt_cc_error(cc, pi, e->loc, "PT003", "'as %s' converts between yen and points one for one; this is %s",
				    pt_unit_name(e->as_unit), pt_unit_name(ua));
		break;
	case PT_E_IN:
		if ((ua = check_expr(cc, pi, e->a)) == PT_U_STR)
			u = PT_U_BOOL;
		else if (ua != PT_U_NONE)
			pt_cc_error(cc, pi, e->loc, "PT003", "'in [...]' tests a word such as payment.card, found %s",
				    pt_unit_name(ua));
		break;
	}
	e->unit = u;
	return u;
}

/* Check e and require unit want; 'what' names the place in messages. */
static bool expect(pt_cc *cc, pt_prog_info *pi, pt_expr *e, pt_unit want, const char *what)
{
	pt_unit u = check_expr(cc, pi, e);
	if (u == PT_U_NONE)
		return false;
	if (u != want) {
		if (e->kind == PT_E_NUM && u == PT_U_NUM && (want == PT_U_YEN || want == PT_U_POINTS)) {
			char buf[48];
			pt_rat_format(e->num, buf, sizeof buf);
			pt_cc_error(cc, pi, e->loc, "PT003", "%s must be %s, found a plain number; write %s %s",
				    what, pt_unit_name(want), buf, pt_unit_name(want));
		} else {
			pt_cc_error(cc, pi, e->loc, "PT003", "%s must be %s, found %s", what, pt_unit_name(want), pt_unit_name(u));
		}
		return false;
	}
	return true;
}

/* Require that points reaching the result are whole. */
static void expect_whole(pt_cc *cc, pt_prog_info *pi, pt_expr *e, const char *what)
{
	if (e->unit != PT_U_NONE && !e->integral)
		pt_cc_error(cc, pi, e->loc,
			    "PT004", "%s may be fractional; say how to round it: floor(...), ceil(...) or round(...)", what);
}

/* The value of a constant expression (literals and arithmetic on them),
 * or false when it depends on the cart or does not fit. */
static bool const_value(const pt_expr *e, pt_rat *out)
{
	pt_rat a, b;
	switch (e->kind) {
	case PT_E_NUM:
		*out = e->num;
		return true;
	case PT_E_NEG:
		if (!const_value(e->a, &a) || a.n == INT64_MIN)
			return false;
		*out = (pt_rat){ -a.n, a.d };
		return true;
	case PT_E_BIN:
		if (!const_value(e->a, &a) || !const_value(e->b, &b))
			return false;
		switch (e->op) {
		case PT_BIN_ADD: return pt_rat_add(a, b, out);
		case PT_BIN_SUB: return pt_rat_sub(a, b, out);
		case PT_BIN_MUL: return pt_rat_mul(a, b, out);
		case PT_BIN_DIV: return pt_rat_div(a, b, out);
		default: return false;
		}
	default:
		return false;
	}
}

/* Check a block's statements in a new scope. */
static void check_stmts(pt_cc *cc, pt_prog_info *pi, pt_stmt *s, const pt_decl *top)
{
	int scope_mark = cc->nscope;
	bool seen_value = false;
	for (; s; s = s->next) {
		bool earn = pi->sec == PT_SEC_EARN;
		switch (s->kind) {
		case PT_S_LET:
			check_expr(cc, pi, s->e);
			if (s->cap && expect(cc, pi, s->cap, s->e->unit, "a cap") && !s->cap->integral)
				s->e->integral = false;
			for (int i = scope_mark; i < cc->nscope; i++)
				if (strcmp(cc->scope[i].name, s->name) == 0)
					pt_cc_error(cc, pi, s->name_loc, "PT010", "'%s' is already defined in this block", s->name);
			if (cc->nscope >= (int)(sizeof cc->scope / sizeof cc->scope[0])) {
				pt_cc_error(cc, pi, s->loc, "PT011", "too many let names in scope (limit is 64)");
				break;
			}
			s->slot = new_slot(cc, pi, s->loc);
			cc->scope[cc->nscope++] = (pt_binding){ s->name, s->slot, s->e->unit, s->e->integral };
			break;
		case PT_S_ADD:
			if (!earn) {
				pt_cc_error(cc, pi, s->loc, "PT010", "'add' belongs in an earn block");
				break;
			}
			if (expect(cc, pi, s->e, PT_U_POINTS, "points added"))
				expect_whole(cc, pi, s->e, "points added here");
			if (s->cap && expect(cc, pi, s->cap, PT_U_POINTS, "a cap on points"))
				expect_whole(cc, pi, s->cap, "this cap");
			break;
		case PT_S_REQUIRE:
			expect(cc, pi, s->e, PT_U_BOOL, "a require condition");
			break;
		case PT_S_WHEN:
			expect(cc, pi, s->e, PT_U_BOOL, "a when condition");
			if (s->has_from && s->has_until && s->from > s->until)
				pt_cc_error(cc, pi, s->loc, "PT008", "'from' date is after 'until' date");
			check_stmts(cc, pi, s->body, NULL);
			break;
		case PT_S_BASIS:
			if (pi->sec == PT_SEC_POLICY) {
				pt_cc_error(cc, pi, s->loc, "PT010", "'basis' belongs in a redeem or earn block");
				break;
			}
			if (expect(cc, pi, s->e, PT_U_YEN, "the basis"))
				expect_whole(cc, pi, s->e, "the basis");
			break;
		case PT_S_VALUE:
			if (pi->sec != PT_SEC_REDEEM || !top) {
				pt_cc_error(cc, pi, s->loc, "PT010", "'value N yen per point' belongs at the top of a redeem block");
				break;
			}
			if (seen_value)
				pt_cc_error(cc, pi, s->loc, "PT010", "a redeem block has one value");
			seen_value = true;
			pt_rat v;
			if (expect(cc, pi, s->e, PT_U_YEN, "a point's value") && const_value(s->e, &v) && v.n <= 0)
				pt_cc_error(cc, pi, s->e->loc, "PT010", "a point's value must be more than 0 yen");
			break;
		case PT_S_GRANTED:
			if (!earn || !top)
				pt_cc_error(cc, pi, s->loc, "PT010", "'granted at' belongs at the top of an earn block");
			else
				pi->granted = s->name;
			break;
		case PT_S_CAP:
			if (pi->sec == PT_SEC_POLICY) {
				pt_cc_error(cc, pi, s->loc, "PT010", "'limit' belongs in a redeem or earn block; a check block has require, let and when");
				break;
			}
			if (pi->sec == PT_SEC_REDEEM && !top)
				pt_cc_error(cc, pi, s->loc, "PT010", "a redeem cap belongs at the top of the redeem block");
			if (expect(cc, pi, s->e, PT_U_POINTS, "a cap"))
				expect_whole(cc, pi, s->e, "this cap");
			break;
		}
	}
	if (top && pi->sec == PT_SEC_REDEEM && !seen_value)
		pt_cc_error(cc, pi, top->loc,
			    "PT010", "redeem block needs a point's value, e.g. `value 1 yen per point`");
	cc->nscope = scope_mark;
}

/* Check one tier table's versions: key, rows in order, fields alike. */
static void check_tiers(pt_cc *cc, pt_prog_info *pi, pt_tier_info *ti)
{
	pt_decl *first = ti->versions[0];
	pt_expr key = { .kind = PT_E_NAME, .str = first->key, .loc = first->key_loc };
	ti->key_unit = check_expr(cc, pi, &key);
	ti->key_input = key.slot;
	if (ti->key_unit != PT_U_NONE && key.ref != PT_R_INPUT)
		pt_cc_error(cc, pi, first->key_loc, "PT007", "a tier table is keyed by a cart field such as account.earned_3mo");
	for (int v = 0; v < ti->nversions; v++) {
		pt_decl *d = ti->versions[v];
		if (strcmp(d->key, first->key) != 0)
			pt_cc_error(cc, pi, d->key_loc, "PT007", "every version of '%s' must be keyed by %s",
				    ti->name, first->key);
		pt_tier_row *last = NULL;
		bool seen_otherwise = false;
		for (pt_tier_row *r = d->rows; r; r = r->next) {
			if (seen_otherwise)
				pt_cc_error(cc, pi, r->loc, "PT007", "row after `otherwise` can never be chosen");
			if (!r->threshold) {
				seen_otherwise = true;
			} else {
				if (ti->key_unit == PT_U_NONE)
					;   /* the key's error is enough */
				else if (r->threshold->kind != PT_E_NUM)
					pt_cc_error(cc, pi, r->threshold->loc, "PT007", "a tier threshold is a number with its unit");
				else if (expect(cc, pi, r->threshold, ti->key_unit, "this threshold") && last &&
					 last->threshold && pt_rat_cmp(r->threshold->num, last->threshold->num) >= 0)
					pt_cc_error(cc, pi, r->threshold->loc,
						    "PT007", "tier rows go from the highest threshold down; this one is not below the row above");
			}
			int f = 0;
			for (pt_field *fl = r->fields; fl; fl = fl->next, f++) {
				pt_unit u = check_expr(cc, pi, fl->e);
				if (fl->e->kind != PT_E_NUM && fl->e->kind != PT_E_BOOL && fl->e->kind != PT_E_STR) {
					pt_cc_error(cc, pi, fl->e->loc, "PT007", "a tier field is a literal value");
					u = PT_U_NONE;   /* still record the name so later rows line up */
				}
				if (ti->nfields == 0 || f >= ti->nfields) {
					if (v == 0 && r == d->rows && f < 16) {
						ti->fields[f] = fl->name;
						ti->units[f] = u;
						ti->integral[f] = fl->e->integral;
						continue;
					}
					if (v == 0 && r == d->rows) {
						if (f == 16)
							pt_cc_error(cc, pi, fl->loc, "PT011",
								    "too many fields in one tier row (limit is 16)");
						continue;
					}
					pt_cc_error(cc, pi, fl->loc, "PT007", "field '%s' is not in the first row of '%s'",
						    fl->name, ti->name);
					continue;
				}
				if (!ti->fields[f] || u == PT_U_NONE)
					continue;
				if (strcmp(ti->fields[f], fl->name) != 0)
					pt_cc_error(cc, pi, fl->loc, "PT007", "expected field '%s' here (same fields in the same order in every row)",
						    ti->fields[f]);
				else if (u != ti->units[f] && ti->units[f] != PT_U_NONE)
					pt_cc_error(cc, pi, fl->e->loc, "PT007", "'%s' is %s in the first row but %s here",
						    fl->name, pt_unit_name(ti->units[f]), pt_unit_name(u));
				ti->integral[f] = ti->integral[f] && fl->e->integral;
			}
			if (v == 0 && r == d->rows)
				ti->nfields = f > 16 ? 16 : f;
			else if (f < ti->nfields)
				pt_cc_error(cc, pi, r->loc, "PT007", "row is missing field '%s'", ti->fields[f]);
			last = r;
		}
		if (!seen_otherwise)
			pt_cc_error(cc, pi, d->loc, "PT007", "tier table '%s' needs a last `\"label\" otherwise: ...` row",
				    ti->name);
	}
	for (int f = 0; f < ti->nfields; f++)
		ti->slots[f] = new_slot(cc, pi, first->loc);
}

/* Record a declared `input account.KEY: unit = default`. */
static void declare_input(pt_cc *cc, pt_prog_info *pi, pt_decl *d)
{
	if (strncmp(d->name, "account.", 8) != 0 || strchr(d->name + 8, '.')) {
		pt_cc_error(cc, pi, d->name_loc,
			    "PT009", "inputs are account fields such as account.earned_3mo; order.*, payment.* and items are built in");
		return;
	}
	const char *key = d->name + 8;
	if (strcmp(key, "balance") == 0 || strcmp(key, "program") == 0) {
		pt_cc_error(cc, pi, d->name_loc, "PT009", "account.%s is built in; do not declare it", key);
		return;
	}
	if (account_input(cc, pi, key) >= 0) {
		pt_cc_error(cc, pi, d->name_loc, "PT009", "%s is declared twice", d->name);
		return;
	}
	if (d->type == PT_U_PCT) {
		pt_cc_error(cc, pi, d->loc, "PT009", "a cart holds whole numbers; declare this input as number, yen or points");
		return;
	}
	int slot = pt_cc_input(cc, PT_IN_ACCOUNT, 0, pi->index, key, d->type);
	if (cc->oom)   /* no slot was made: slot 0 may not exist */
		return;
	cc->inputs[slot].file = pi->ast->file;
	cc->inputs[slot].line = d->loc.first_line;
	if (!d->dflt)
		return;
	pt_input_def *in = &cc->inputs[slot];
	in->file = pi->ast->file;
	in->line = d->loc.first_line;
	pt_expr *e = d->dflt;
	pt_unit u = check_expr(cc, pi, e);
	bool literal = e->kind == PT_E_NUM || e->kind == PT_E_BOOL || e->kind == PT_E_DATE || e->kind == PT_E_STR;
	if (!literal)
		pt_cc_error(cc, pi, e->loc, "PT009", "a default is a literal value");
	else if (u != d->type)
		expect(cc, pi, e, d->type, "the default");
	else if (!e->integral && u != PT_U_STR && u != PT_U_BOOL && u != PT_U_DATE)
		pt_cc_error(cc, pi, e->loc, "PT009", "a cart field's default must be a whole number");
	else {
		in->has_default = true;
		in->dflt = u == PT_U_STR ? pt_rat_int(pt_cc_str(cc, e->str)) : e->num;
	}
}

/* Versions are tried in source order and an undated one is always in
 * force, so anything after it could never be chosen: an error. */
static void unreachable_versions(pt_cc *cc, pt_prog_info *pi, pt_decl **v, int n, const char *what)
{
	for (int i = 0; i + 1 < n; i++)
		if (!v[i]->has_from && !v[i]->has_until) {
			pt_cc_error(cc, pi, v[i + 1]->loc,
				    "PT008", "this %s can never be in force: the undated one on line %d always is; give each version from/until dates",
				    what, v[i]->loc.first_line);
			return;
		}
}

/* Gather declarations, then check tiers and both sections. */
bool pt_sema_program(pt_cc *cc, pt_prog_info *pi)
{
	size_t errors = cc->d->n_errors;
	cc->nscope = 0;   /* (every block leaves the scope as it found it) */
	for (pt_decl *d = pi->ast->decls; d; d = d->next) {
		switch (d->kind) {
		case PT_D_NAME:
			if (pi->name)
				pt_cc_error(cc, pi, d->loc, "PT010", "program %s already has a name", pi->ast->id);
			pi->name = d;
			break;
		case PT_D_VALID:
			if (pi->valid)
				pt_cc_error(cc, pi, d->loc, "PT008", "program %s already has a validity period; use dated blocks for versions",
					    pi->ast->id);
			if (d->from > d->until)
				pt_cc_error(cc, pi, d->loc, "PT008", "'from' date is after 'until' date");
			pi->valid = d;
			break;
		case PT_D_INPUT:
			declare_input(cc, pi, d);
			break;
		case PT_D_EXCLUDE: {
			size_t count = 0;
			for (pt_strlist *l = pi->exclude; l; l = l->next)
				count++;
			for (pt_strlist *l = d->list; l; l = l->next)
				if (++count > PT_MAX_EXCLUDES) {
					pt_cc_error(cc, pi, l->loc, "PT011", "too many excluded categories (limit is %d)",
						    PT_MAX_EXCLUDES);
					break;
				}
			if (count > PT_MAX_EXCLUDES)
				break;
			for (pt_strlist *l = d->list; l; l = l->next) {
				pt_cc_input(cc, PT_IN_CATSUM, 0, -1, l->s, PT_U_YEN);
				for (pt_strlist *m = pi->exclude; m; m = m->next)
					if (strcmp(m->s, l->s) == 0)
						pt_cc_error(cc, pi, l->loc, "PT010", "category '%s' is already excluded", l->s);
				for (pt_strlist *m = d->list; m != l; m = m->next)
					if (strcmp(m->s, l->s) == 0) {
						pt_cc_error(cc, pi, l->loc, "PT010", "category '%s' is listed twice", l->s);
						break;   /* once per repeated name */
					}
			}
			if (pi->exclude) {
				pt_strlist **t = &pi->exclude;
				while (*t)
					t = &(*t)->next;
				*t = d->list;
			} else {
				pi->exclude = d->list;
			}
			break;
		}
		case PT_D_CHECK:   /* the grammar allows it in policies only */
			if (pi->nchecks >= 16)
				pt_cc_error(cc, pi, d->loc, "PT011", "too many dated versions (limit is 16)");
			else
				pi->checks[pi->nchecks++] = d;
			if (d->from > d->until)
				pt_cc_error(cc, pi, d->loc, "PT008", "'from' date is after 'until' date");
			break;
		case PT_D_REDEEM:
		case PT_D_EARN: {
			pt_decl **arr = d->kind == PT_D_REDEEM ? pi->redeems : pi->earns;
			int *n = d->kind == PT_D_REDEEM ? &pi->nredeems : &pi->nearns;
			if (*n >= 16)
				pt_cc_error(cc, pi, d->loc, "PT011", "too many dated versions (limit is 16)");
			else
				arr[(*n)++] = d;
			if (d->from > d->until)
				pt_cc_error(cc, pi, d->loc, "PT008", "'from' date is after 'until' date");
			break;
		}
		case PT_D_TIERS: {
			int t = 0;
			while (t < pi->ntiers && strcmp(pi->tiers[t]->name, d->name) != 0)
				t++;
			if (t == pi->ntiers) {
				if (pi->ntiers >= 8) {
					pt_cc_error(cc, pi, d->loc, "PT011", "too many tier tables (limit is 8)");
					break;
				}
				pi->tiers[t] = pt_arena_alloc(&cc->ast, sizeof *pi->tiers[t]);
				if (!pi->tiers[t]) {
					cc->oom = true;
					break;
				}
				pi->ntiers++;
				pi->tiers[t]->name = d->name;
			}
			if (pi->tiers[t]->nversions >= 16)
				pt_cc_error(cc, pi, d->loc, "PT011", "too many dated versions (limit is 16)");
			else
				pi->tiers[t]->versions[pi->tiers[t]->nversions++] = d;
			if (d->from > d->until)
				pt_cc_error(cc, pi, d->loc, "PT008", "'from' date is after 'until' date");
			break;
		}
		}
	}
	if (!pi->name && !pi->ast->policy)
		pt_cc_error(cc, pi, pi->ast->id_loc, "PT010", "program %s needs a display name: name \"...\"", pi->ast->id);
	if (pi->ast->policy) {
		if (!pi->name)
			pt_cc_error(cc, pi, pi->ast->id_loc, "PT010", "policy %s needs a display name: name \"...\"", pi->ast->id);
		if (!pi->nchecks)
			pt_cc_error(cc, pi, pi->ast->id_loc, "PT010", "policy %s has no check block; add check { require ... }",
				    pi->ast->id);
		unreachable_versions(cc, pi, pi->checks, pi->nchecks, "check block");
		pi->sec = PT_SEC_POLICY;
		for (int i = 0; i < pi->nchecks; i++)
			check_stmts(cc, pi, pi->checks[i]->body, pi->checks[i]);
		pi->sec = PT_SEC_NONE;
		return cc->d->n_errors == errors;
	}
	if (!pi->nredeems && !pi->nearns)
		pt_cc_error(cc, pi, pi->ast->id_loc, "PT010", "program %s neither redeems nor earns; add a redeem or earn block",
			    pi->ast->id);
	pi->slot_basis = new_slot(cc, pi, pi->ast->loc);
	pi->slot_acc = new_slot(cc, pi, pi->ast->loc);
	pi->slot_value = new_slot(cc, pi, pi->ast->loc);
	pi->slot_maxp = new_slot(cc, pi, pi->ast->loc);
	for (int t = 0; t < pi->ntiers; t++)
		check_tiers(cc, pi, pi->tiers[t]);
	unreachable_versions(cc, pi, pi->redeems, pi->nredeems, "redeem block");
	unreachable_versions(cc, pi, pi->earns, pi->nearns, "earn block");
	for (int t = 0; t < pi->ntiers; t++)
		unreachable_versions(cc, pi, pi->tiers[t]->versions, pi->tiers[t]->nversions, "tier table version");
	pi->sec = PT_SEC_REDEEM;
	for (int i = 0; i < pi->nredeems; i++)
		check_stmts(cc, pi, pi->redeems[i]->body, pi->redeems[i]);
	pi->sec = PT_SEC_EARN;
	for (int i = 0; i < pi->nearns; i++)
		check_stmts(cc, pi, pi->earns[i]->body, pi->earns[i]);
	pi->sec = PT_SEC_NONE;
	return cc->d->n_errors == errors;
}
