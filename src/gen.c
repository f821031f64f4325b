/* gen.c - bytecode for a checked program.
 *
 * Each program has two sections, redeem and earn, each a straight run of
 * forward-only code ending in HALT or FAIL.  Failing `require`s jump to
 * out-of-line FAIL stubs after the section's HALT, so the common path is
 * straight-line.  Every statement records its source line, and TRACE
 * instructions feed --explain. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc.h"
#include "date.h"
#include "grow.h"
#include "opcodes.h"

/* A pending jump to an out-of-line FAIL with its reason. */
typedef struct pt_fail {
	uint32_t at;
	int reason;
	int line;
} pt_fail;

typedef struct pt_gen {
	pt_cc *cc;
	pt_prog_info *pi;
	pt_fail *fails;        /* out-of-line FAIL stubs of the section */
	size_t nfails, capfails;
	int nrequires;         /* user requires in the section, bounded */
	uint32_t *jumps;       /* scratch: forward jumps to patch (tier rows) */
	size_t njumps, capjumps;
} pt_gen;

#define PT_MAX_REQUIRES 256

/* Append to a growable array of the generator; false (and OOM) if it
 * cannot grow. */
static bool gen_grow(pt_gen *g, void **v, size_t *cap, size_t n, size_t elem)
{
	if (pt_grow(v, cap, n + 1, elem, 32))
		return true;
	g->cc->oom = true;
	return false;
}

/* Point the line table at a node's line for the code that follows. */
static void at_line(pt_gen *g, pt_loc loc)
{
	g->cc->cur_line = loc.first_line;
}

static void emit_expr(pt_gen *g, const pt_expr *e);

/* Push the yen spent on items this program may count. */
void pt_gen_eligible(pt_cc *cc, pt_prog_info *pi)
{
	pt_cc_emit(cc, PT_OP_INPUT, (uint32_t)pt_cc_input(cc, PT_IN_BUILTIN, PT_B_TOTAL, -1, NULL, PT_U_YEN));
	for (pt_strlist *l = pi->exclude; l; l = l->next) {
		pt_cc_emit(cc, PT_OP_INPUT, (uint32_t)pt_cc_input(cc, PT_IN_CATSUM, 0, -1, l->s, PT_U_YEN));
		pt_cc_emit(cc, PT_OP_SUB, 0);
	}
}

/* Code for a binary operator whose operands are on the stack. */
static const int binop_code[] = {
	[PT_BIN_ADD] = PT_OP_ADD, [PT_BIN_SUB] = PT_OP_SUB, [PT_BIN_MUL] = PT_OP_MUL,
	[PT_BIN_DIV] = PT_OP_DIV, [PT_BIN_EQ] = PT_OP_EQ, [PT_BIN_NE] = PT_OP_NE,
	[PT_BIN_LT] = PT_OP_LT, [PT_BIN_LE] = PT_OP_LE, [PT_BIN_GT] = PT_OP_GT,
	[PT_BIN_GE] = PT_OP_GE, [PT_BIN_AND] = PT_OP_AND, [PT_BIN_OR] = PT_OP_OR,
};

/* Push the value of e. */
static void emit_expr(pt_gen *g, const pt_expr *e)
{
	pt_cc *cc = g->cc;
	switch (e->kind) {
	case PT_E_NUM:
	case PT_E_BOOL:
	case PT_E_DATE:
		pt_cc_emit(cc, PT_OP_CONST, (uint32_t)pt_cc_const(cc, e->num));
		break;
	case PT_E_STR:
		pt_cc_emit(cc, PT_OP_CONST, (uint32_t)pt_cc_const(cc, pt_rat_int(pt_cc_str(cc, e->str))));
		break;
	case PT_E_NAME:
		if (e->ref == PT_R_ELIGIBLE)
			pt_gen_eligible(cc, g->pi);
		else
			pt_cc_emit(cc, e->ref == PT_R_INPUT ? PT_OP_INPUT : PT_OP_LOAD, (uint32_t)e->slot);
		break;
	case PT_E_BIN:
		emit_expr(g, e->a);
		emit_expr(g, e->b);
		pt_cc_emit(cc, binop_code[e->op], 0);
		break;
	case PT_E_NOT:
		emit_expr(g, e->a);
		pt_cc_emit(cc, PT_OP_NOT, 0);
		break;
	case PT_E_NEG:
		emit_expr(g, e->a);
		pt_cc_emit(cc, PT_OP_NEG, 0);
		break;
	case PT_E_CALL: {
		static const int fn_code[] = { PT_OP_FLOOR, PT_OP_CEIL, PT_OP_ROUND, PT_OP_MIN, PT_OP_MAX };
		emit_expr(g, e->a);
		if (e->b)
			emit_expr(g, e->b);
		pt_cc_emit(cc, fn_code[e->fn], 0);
		break;
	}
	case PT_E_IF: {
		emit_expr(g, e->c);
		uint32_t jf = pt_cc_emit(cc, PT_OP_JMPF, 0);
		emit_expr(g, e->a);
		uint32_t j = pt_cc_emit(cc, PT_OP_JMP, 0);
		pt_cc_patch(cc, jf, (uint32_t)cc->ncode);
		emit_expr(g, e->b);
		pt_cc_patch(cc, j, (uint32_t)cc->ncode);
		break;
	}
	case PT_E_AS:
		emit_expr(g, e->a);   /* one for one: the unit changes, not the value */
		break;
	case PT_E_IN: {
		int n = 0;
		for (pt_strlist *l = e->list; l; l = l->next, n++) {
			emit_expr(g, e->a);
			pt_cc_emit(cc, PT_OP_CONST, (uint32_t)pt_cc_const(cc, pt_rat_int(pt_cc_str(cc, l->s))));
			pt_cc_emit(cc, PT_OP_EQ, 0);
			if (n)
				pt_cc_emit(cc, PT_OP_OR, 0);
		}
		break;
	}
	}
}

/* Push whether the order date lies in [from, until]. */
static void emit_in_period(pt_gen *g, bool hf, int32_t from, bool hu, int32_t until)
{
	pt_cc *cc = g->cc;
	int date = pt_cc_input(cc, PT_IN_BUILTIN, PT_B_DATE, -1, NULL, PT_U_DATE);
	if (hf) {
		pt_cc_emit(cc, PT_OP_INPUT, (uint32_t)date);
		pt_cc_emit(cc, PT_OP_CONST, (uint32_t)pt_cc_const(cc, pt_rat_int(from)));
		pt_cc_emit(cc, PT_OP_GE, 0);
	}
	if (hu) {
		pt_cc_emit(cc, PT_OP_INPUT, (uint32_t)date);
		pt_cc_emit(cc, PT_OP_CONST, (uint32_t)pt_cc_const(cc, pt_rat_int(until)));
		pt_cc_emit(cc, PT_OP_LE, 0);
		if (hf)
			pt_cc_emit(cc, PT_OP_AND, 0);
	}
	if (!hf && !hu)
		pt_cc_emit(cc, PT_OP_CONST, (uint32_t)pt_cc_const(cc, pt_rat_int(1)));
}

/* Join the NULL-terminated strings in ap into buf (cap bytes, cut as
 * snprintf cuts): the texts code generation writes per program, joined
 * by hand since vsnprintf made them 8% of `ptrules check` over 1,000
 * programs (docs/performance.md). */
static void vjoin(char *buf, size_t cap, va_list ap)
{
	size_t n = 0;
	for (const char *part; (part = va_arg(ap, const char *)) != NULL;) {
		size_t len = strlen(part);
		if (len > cap - 1 - n)
			len = cap - 1 - n;
		memcpy(buf + n, part, len);
		n += len;
	}
	buf[n] = '\0';
}

/* vjoin's strings given in the call. */
static void join(char *buf, size_t cap, ...) __attribute__((sentinel));
static void join(char *buf, size_t cap, ...)
{
	va_list ap;
	va_start(ap, cap);
	vjoin(buf, cap, ap);
	va_end(ap);
}

/* Record a coverage point (see rules.h) for `ptrules test --coverage`,
 * its text the NULL-terminated strings that follow, joined. */
static void cover(pt_gen *g, uint32_t pc, unsigned mask, int line, ...) __attribute__((sentinel));
static void cover(pt_gen *g, uint32_t pc, unsigned mask, int line, ...)
{
	char what[256];
	va_list ap;
	va_start(ap, line);
	vjoin(what, sizeof what, ap);
	va_end(ap);
	pt_cc_cover(g->cc, g->pi, pc, mask, line, what);
}

/* Both ways a branch or cap at pc can go, as two coverage points (their
 * texts as they are: formatting them was a tenth of `ptrules check`). */
static void cover2(pt_gen *g, uint32_t pc, int line, const char *taken, const char *not_taken)
{
	pt_cc_cover(g->cc, g->pi, pc, PT_HIT_TAKEN, line, taken);
	pt_cc_cover(g->cc, g->pi, pc, PT_HIT_NOT_TAKEN, line, not_taken);
}

/* Jump to an out-of-line FAIL with reason when the top of stack is 0;
 * returns the pc of the jump. */
static uint32_t fail_unless(pt_gen *g, const char *reason, int line)
{
	uint32_t at = pt_cc_emit(g->cc, PT_OP_JMPF, 0);
	if (gen_grow(g, (void **)&g->fails, &g->capfails, g->nfails, sizeof *g->fails))
		g->fails[g->nfails++] = (pt_fail){ at, pt_cc_str(g->cc, reason), line };
	return at;
}

/* Emit the FAIL stubs collected for the section just ended. */
static void flush_fails(pt_gen *g)
{
	for (size_t i = 0; i < g->nfails; i++) {
		g->cc->cur_line = g->fails[i].line;
		pt_cc_patch(g->cc, g->fails[i].at, (uint32_t)g->cc->ncode);
		pt_cc_emit(g->cc, PT_OP_FAIL, (uint32_t)g->fails[i].reason);
	}
	g->nfails = 0;
	g->nrequires = 0;
}

/* Apply an optional `cap X else "reason"` to the value on the stack. */
static void emit_cap(pt_gen *g, const pt_expr *cap, const char *reason, int line)
{
	if (!cap)
		return;
	emit_expr(g, cap);
	uint32_t at = pt_cc_emit(g->cc, PT_OP_CAP, reason ? (uint32_t)pt_cc_str(g->cc, reason) : PT_NO_STR);
	cover2(g, at, line, "the cap binds", "the cap does not bind");
}

/* Publish a point's value and what the cart's `use` points pay, as
 * soon as the value is known (also when a later require fails). */
static void emit_use_value(pt_gen *g)
{
	pt_cc *cc = g->cc;
	pt_prog_info *pi = g->pi;
	int use = pt_cc_input(cc, PT_IN_USE_POINTS, 0, pi->index, "use.points", PT_U_POINTS);
	pt_cc_emit(cc, PT_OP_LOAD, (uint32_t)pi->slot_value);
	pt_cc_emit(cc, PT_OP_OUT, PT_OUT_R_POINT_VALUE);
	pt_cc_emit(cc, PT_OP_INPUT, (uint32_t)use);   /* most carts use no points: skip the product */
	uint32_t none = pt_cc_emit(cc, PT_OP_JMPF, 0);
	pt_cc_emit(cc, PT_OP_INPUT, (uint32_t)use);
	pt_cc_emit(cc, PT_OP_LOAD, (uint32_t)pi->slot_value);
	pt_cc_emit(cc, PT_OP_MUL, 0);
	pt_cc_emit(cc, PT_OP_FLOOR, 0);
	pt_cc_emit(cc, PT_OP_OUT, PT_OUT_R_USE_YEN);
	pt_cc_patch(cc, none, (uint32_t)cc->ncode);
}

/* Statements of one block. */
static void emit_stmts(pt_gen *g, const pt_stmt *s)
{
	pt_cc *cc = g->cc;
	pt_prog_info *pi = g->pi;
	for (; s; s = s->next) {
		at_line(g, s->loc);
		static const pt_unit traced[] = {
			[PT_S_LET] = PT_U_NONE, [PT_S_ADD] = PT_U_POINTS, [PT_S_REQUIRE] = PT_U_BOOL,
			[PT_S_WHEN] = PT_U_BOOL, [PT_S_BASIS] = PT_U_YEN, [PT_S_VALUE] = PT_U_YEN,
			[PT_S_GRANTED] = PT_U_NONE, [PT_S_CAP] = PT_U_POINTS,
		};
		if (s->kind == PT_S_GRANTED || (s->kind == PT_S_CAP && pi->sec == PT_SEC_REDEEM))
			continue;
		int rule = pt_cc_rule(cc, pi, s->loc, s->kind == PT_S_LET ? s->e->unit : traced[s->kind]);
		switch (s->kind) {
		case PT_S_LET:
			emit_expr(g, s->e);
			emit_cap(g, s->cap, s->reason, s->loc.first_line);
			pt_cc_emit(cc, PT_OP_TRACE, (uint32_t)rule);
			pt_cc_emit(cc, PT_OP_STORE, (uint32_t)s->slot);
			break;
		case PT_S_ADD:
			emit_expr(g, s->e);
			emit_cap(g, s->cap, s->reason, s->loc.first_line);
			pt_cc_emit(cc, PT_OP_TRACE, (uint32_t)rule);
			pt_cc_emit(cc, PT_OP_LOAD, (uint32_t)pi->slot_acc);
			pt_cc_emit(cc, PT_OP_ADD, 0);
			pt_cc_emit(cc, PT_OP_STORE, (uint32_t)pi->slot_acc);
			break;
		case PT_S_REQUIRE:
			if (pi->sec == PT_SEC_POLICY) {   /* every failing check is reported */
				emit_expr(g, s->e);
				pt_cc_emit(cc, PT_OP_TRACE, (uint32_t)rule);
				pt_cc_emit(cc, PT_OP_NOT, 0);
				uint32_t holds = pt_cc_emit(cc, PT_OP_JMPF, 0);
				cover2(g, holds, s->loc.first_line, "the check holds", "the check fails");
				pt_cc_emit(cc, PT_OP_REASON, (uint32_t)pt_cc_str(cc, s->reason));
				pt_cc_patch(cc, holds, (uint32_t)cc->ncode);
				break;
			}
			if (++g->nrequires == PT_MAX_REQUIRES + 1)
				pt_cc_error(cc, pi, s->loc, "PT011", "too many require statements in one section (limit is %d)",
					    PT_MAX_REQUIRES);
			emit_expr(g, s->e);
			pt_cc_emit(cc, PT_OP_TRACE, (uint32_t)rule);
			cover2(g, fail_unless(g, s->reason, s->loc.first_line), s->loc.first_line,
			       "the require fails", "the require holds");
			break;
		case PT_S_WHEN: {
			emit_expr(g, s->e);
			if (s->has_from || s->has_until) {
				emit_in_period(g, s->has_from, s->from, s->has_until, s->until);
				pt_cc_emit(cc, PT_OP_AND, 0);
			}
			pt_cc_emit(cc, PT_OP_TRACE, (uint32_t)rule);
			uint32_t skip = pt_cc_emit(cc, PT_OP_JMPF, 0);
			cover2(g, skip, s->loc.first_line, "the when condition is false", "the when condition is true");
			emit_stmts(g, s->body);
			pt_cc_patch(cc, skip, (uint32_t)cc->ncode);
			break;
		}
		case PT_S_BASIS:
			emit_expr(g, s->e);
			pt_cc_emit(cc, PT_OP_TRACE, (uint32_t)rule);
			pt_cc_emit(cc, PT_OP_STORE, (uint32_t)pi->slot_basis);
			if (pi->sec == PT_SEC_EARN) {   /* reported even if a require fails later */
				pt_cc_emit(cc, PT_OP_LOAD, (uint32_t)pi->slot_basis);
				pt_cc_emit(cc, PT_OP_OUT, PT_OUT_E_BASIS);
			}
			break;
		case PT_S_VALUE:
			emit_expr(g, s->e);
			pt_cc_emit(cc, PT_OP_TRACE, (uint32_t)rule);
			pt_cc_emit(cc, PT_OP_STORE, (uint32_t)pi->slot_value);
			emit_use_value(g);
			break;
		case PT_S_CAP:   /* in earn: caps the points so far (redeem caps: see emit_redeem_end) */
			pt_cc_emit(cc, PT_OP_LOAD, (uint32_t)pi->slot_acc);
			emit_cap(g, s->e, s->reason, s->loc.first_line);
			pt_cc_emit(cc, PT_OP_TRACE, (uint32_t)rule);
			pt_cc_emit(cc, PT_OP_STORE, (uint32_t)pi->slot_acc);
			break;
		case PT_S_GRANTED:
			break;
		}
	}
}

/* Select a tier row for every table this section reads. */
static void emit_tiers(pt_gen *g, pt_section sec)
{
	pt_cc *cc = g->cc;
	pt_prog_info *pi = g->pi;
	char msg[160];
	for (int t = 0; t < pi->ntiers; t++) {
		pt_tier_info *ti = pi->tiers[t];
		if (!(sec == PT_SEC_REDEEM ? ti->used_redeem : ti->used_earn))
			continue;
		g->njumps = 0;   /* the jumps from each chosen row to the end */
		for (int v = 0; v < ti->nversions; v++) {
			pt_decl *d = ti->versions[v];
			at_line(g, d->loc);
			uint32_t next_version = 0;
			bool dated = d->has_from || d->has_until;
			if (dated) {
				emit_in_period(g, d->has_from, d->from, d->has_until, d->until);
				next_version = pt_cc_emit(cc, PT_OP_JMPF, 0);
			}
			for (pt_tier_row *r = d->rows; r; r = r->next) {
				at_line(g, r->loc);
				uint32_t next_row = 0;
				if (r->threshold) {
					pt_cc_emit(cc, PT_OP_INPUT, (uint32_t)ti->key_input);
					emit_expr(g, r->threshold);
					pt_cc_emit(cc, PT_OP_GE, 0);
					next_row = pt_cc_emit(cc, PT_OP_JMPF, 0);
				}
				int f = 0;
				for (pt_field *fl = r->fields; fl && f < ti->nfields; fl = fl->next, f++) {
					emit_expr(g, fl->e);
					pt_cc_emit(cc, PT_OP_STORE, (uint32_t)ti->slots[f]);
				}
				cover(g, pt_cc_emit(cc, PT_OP_TIER, (uint32_t)pt_cc_str(cc, r->label)), PT_HIT_RUN,
				      r->loc.first_line, "tier row \"", r->label, "\" of ", ti->name, " is chosen", (char *)NULL);
				uint32_t j = pt_cc_emit(cc, PT_OP_JMP, 0);
				if (gen_grow(g, (void **)&g->jumps, &g->capjumps, g->njumps, sizeof *g->jumps))
					g->jumps[g->njumps++] = j;
				if (r->threshold)
					pt_cc_patch(cc, next_row, (uint32_t)cc->ncode);
				if (!r->threshold)
					break;
			}
			if (dated)
				pt_cc_patch(cc, next_version, (uint32_t)cc->ncode);
		}
		join(msg, sizeof msg, "no '", ti->name, "' table is in force on the order date", (char *)NULL);
		pt_cc_emit(cc, PT_OP_FAIL, (uint32_t)pt_cc_str(cc, msg));
		for (size_t i = 0; i < g->njumps; i++)
			pt_cc_patch(cc, g->jumps[i], (uint32_t)cc->ncode);
	}
}

/* Prologue shared by both sections: validity period and linked account. */
static void emit_prologue(pt_gen *g)
{
	pt_cc *cc = g->cc;
	pt_prog_info *pi = g->pi;
	char msg[200], day[16];
	at_line(g, pi->ast->loc);
	if (pi->valid) {
		at_line(g, pi->valid->loc);
		if (pi->valid->has_from) {
			pt_date_format(pi->valid->from, day);
			join(msg, sizeof msg, "program ", pi->ast->id, " starts on ", day, (char *)NULL);
			emit_in_period(g, true, pi->valid->from, false, 0);
			cover2(g, fail_unless(g, msg, pi->valid->loc.first_line), pi->valid->loc.first_line,
			       "an order before the program starts", "an order after the program starts");
		}
		if (pi->valid->has_until) {
			pt_date_format(pi->valid->until, day);
			join(msg, sizeof msg, "program ended on ", day, (char *)NULL);
			emit_in_period(g, false, 0, true, pi->valid->until);
			cover2(g, fail_unless(g, msg, pi->valid->loc.first_line), pi->valid->loc.first_line,
			       "an order after the program ended", "an order while the program is in force");
		}
	}
	at_line(g, pi->ast->loc);
	pt_cc_emit(cc, PT_OP_INPUT, (uint32_t)pt_cc_input(cc, PT_IN_LINKED, 0, pi->index, NULL, PT_U_BOOL));
	join(msg, sizeof msg, "not linked: the cart has no `account program=", pi->ast->id, "` line", (char *)NULL);
	fail_unless(g, msg, pi->ast->loc.first_line);
	uint32_t first = (uint32_t)cc->ncode;
	pt_gen_eligible(cc, pi);
	if (!pi->covered_exclusions) {   /* once per program: both sections share them */
		pi->covered_exclusions = true;
		uint32_t pc = first + 1;     /* INPUT total, then INPUT category, SUB for each */
		for (pt_strlist *l = pi->exclude; l; l = l->next, pc += 2)
			cover(g, pc, PT_HIT_NONZERO, l->loc.first_line, "an excluded ", l->s, " item is in a cart",
			      (char *)NULL);
	}
	pt_cc_emit(cc, PT_OP_STORE, (uint32_t)pi->slot_basis);
	if (pi->sec == PT_SEC_EARN) {
		pt_cc_emit(cc, PT_OP_LOAD, (uint32_t)pi->slot_basis);
		pt_cc_emit(cc, PT_OP_OUT, PT_OUT_E_BASIS);
	}
	pt_cc_emit(cc, PT_OP_CONST, (uint32_t)pt_cc_const(cc, pt_rat_int(0)));
	pt_cc_emit(cc, PT_OP_STORE, (uint32_t)pi->slot_acc);
}

/* Redeem epilogue: usable points = min(balance, eligible / value), caps. */
static void emit_redeem_end(pt_gen *g, const pt_decl *blk)
{
	pt_cc *cc = g->cc;
	pt_prog_info *pi = g->pi;
	at_line(g, blk->loc);
	int balance = pt_cc_input(cc, PT_IN_BALANCE, 0, pi->index, "balance", PT_U_POINTS);
	pt_cc_emit(cc, PT_OP_INPUT, (uint32_t)balance);
	pt_cc_emit(cc, PT_OP_LOAD, (uint32_t)pi->slot_basis);
	pt_cc_emit(cc, PT_OP_LOAD, (uint32_t)pi->slot_value);
	pt_cc_emit(cc, PT_OP_DIV, 0);
	pt_cc_emit(cc, PT_OP_FLOOR, 0);
	cover2(g, pt_cc_emit(cc, PT_OP_CAP, (uint32_t)pt_cc_str(cc, "limited to what the eligible items are worth")),
	       blk->loc.first_line, "the balance is more than the eligible items are worth",
	       "the balance is less than the eligible items are worth");
	for (const pt_stmt *s = blk->body; s; s = s->next)
		if (s->kind == PT_S_CAP) {
			at_line(g, s->loc);
			emit_cap(g, s->e, s->reason, s->loc.first_line);
			pt_cc_emit(cc, PT_OP_TRACE, (uint32_t)pt_cc_rule(cc, pi, s->loc, PT_U_POINTS));
		}
	at_line(g, blk->loc);
	pt_cc_emit(cc, PT_OP_STORE, (uint32_t)pi->slot_maxp);
	pt_cc_emit(cc, PT_OP_INPUT, (uint32_t)balance);
	pt_cc_emit(cc, PT_OP_CONST, (uint32_t)pt_cc_const(cc, pt_rat_int(0)));
	pt_cc_emit(cc, PT_OP_LE, 0);
	uint32_t has_points = pt_cc_emit(cc, PT_OP_JMPF, 0);
	pt_cc_emit(cc, PT_OP_REASON, (uint32_t)pt_cc_str(cc, "no points to use (balance is 0)"));
	pt_cc_patch(cc, has_points, (uint32_t)cc->ncode);
	pt_cc_emit(cc, PT_OP_LOAD, (uint32_t)pi->slot_maxp);
	pt_cc_emit(cc, PT_OP_OUT, PT_OUT_R_MAX_POINTS);
	pt_cc_emit(cc, PT_OP_LOAD, (uint32_t)pi->slot_maxp);
	pt_cc_emit(cc, PT_OP_LOAD, (uint32_t)pi->slot_value);
	pt_cc_emit(cc, PT_OP_MUL, 0);
	pt_cc_emit(cc, PT_OP_FLOOR, 0);
	pt_cc_emit(cc, PT_OP_OUT, PT_OUT_R_VALUE_YEN);
	pt_cc_emit(cc, PT_OP_HALT, 0);
}

/* Earn epilogue: publish points and basis. */
static void emit_earn_end(pt_gen *g, const pt_decl *blk)
{
	pt_cc *cc = g->cc;
	at_line(g, blk->loc);
	pt_cc_emit(cc, PT_OP_LOAD, (uint32_t)g->pi->slot_acc);
	pt_cc_emit(cc, PT_OP_CONST, (uint32_t)pt_cc_const(cc, pt_rat_int(0)));
	pt_cc_emit(cc, PT_OP_MAX, 0);   /* an order never earns fewer than 0 points */
	pt_cc_emit(cc, PT_OP_OUT, PT_OUT_E_POINTS);
	pt_cc_emit(cc, PT_OP_HALT, 0);
}

/* One section: prologue, tiers, the dated block in force, epilogue. */
static uint32_t emit_section(pt_gen *g, pt_section sec, pt_decl **blocks, int nblocks)
{
	pt_cc *cc = g->cc;
	pt_prog_info *pi = g->pi;
	uint32_t entry = (uint32_t)cc->ncode;
	pi->sec = sec;
	at_line(g, pi->ast->loc);
	if (nblocks == 0) {
		pt_cc_emit(cc, PT_OP_FAIL, (uint32_t)pt_cc_str(cc, sec == PT_SEC_REDEEM ?
			"this program's points cannot be used here" : "this program does not earn points here"));
		return entry;
	}
	if (sec != PT_SEC_POLICY) {
		emit_prologue(g);
		emit_tiers(g, sec);
	}
	for (int i = 0; i < nblocks; i++) {
		pt_decl *blk = blocks[i];
		uint32_t next = 0;
		bool dated = blk->has_from || blk->has_until;
		at_line(g, blk->loc);
		if (dated) {
			emit_in_period(g, blk->has_from, blk->from, blk->has_until, blk->until);
			next = pt_cc_emit(cc, PT_OP_JMPF, 0);
			char d1[16] = "", d2[16] = "";
			if (blk->has_from)
				pt_date_format(blk->from, d1);
			if (blk->has_until)
				pt_date_format(blk->until, d2);
			cover(g, next, PT_HIT_NOT_TAKEN, blk->loc.first_line, "the ",
			      sec == PT_SEC_REDEEM ? "redeem" : "earn", " block ", blk->has_from ? "from " : "", d1,
			      blk->has_from && blk->has_until ? " " : "", blk->has_until ? "until " : "", d2, " is in force",
			      (char *)NULL);
		}
		emit_stmts(g, blk->body);
		if (sec == PT_SEC_REDEEM)
			emit_redeem_end(g, blk);
		else if (sec == PT_SEC_EARN)
			emit_earn_end(g, blk);
		else
			pt_cc_emit(cc, PT_OP_HALT, 0);
		if (dated)
			pt_cc_patch(cc, next, (uint32_t)cc->ncode);
		else
			break;   /* an undated block is always in force */
	}
	bool all_dated = true;
	for (int i = 0; i < nblocks; i++)
		all_dated = all_dated && (blocks[i]->has_from || blocks[i]->has_until);
	if (all_dated && sec == PT_SEC_POLICY)
		pt_cc_emit(cc, PT_OP_HALT, 0);   /* no checks in force: nothing to report */
	else if (all_dated)
		pt_cc_emit(cc, PT_OP_FAIL, (uint32_t)pt_cc_str(cc, sec == PT_SEC_REDEEM ?
			"no redeem rules are in force on the order date" :
			"no earn rules are in force on the order date"));
	flush_fails(g);
	pi->sec = PT_SEC_NONE;
	return entry;
}

/* Emit a policy's check section and fill in its table entry. */
void pt_gen_policy(pt_cc *cc, pt_prog_info *pi, pt_program *out)
{
	pt_gen g = { .cc = cc, .pi = pi };
	cc->cur_file = pi->ast->file;
	out->redeem_pc = emit_section(&g, PT_SEC_POLICY, pi->checks, pi->nchecks);
	out->redeem_end = (uint32_t)cc->ncode;
	out->earn_pc = out->earn_end = out->redeem_end;
	out->nlocals = (uint32_t)pi->nlocals;
	out->linked_input = out->balance_input = -1;
	free(g.fails);
	free(g.jumps);
}

/* Emit a program's two sections and fill in its table entry. */
void pt_gen_program(pt_cc *cc, pt_prog_info *pi, pt_program *out)
{
	pt_gen g = { .cc = cc, .pi = pi };
	cc->cur_file = pi->ast->file;
	out->redeem_pc = emit_section(&g, PT_SEC_REDEEM, pi->redeems, pi->nredeems);
	out->redeem_end = (uint32_t)cc->ncode;
	out->earn_pc = emit_section(&g, PT_SEC_EARN, pi->earns, pi->nearns);
	out->earn_end = (uint32_t)cc->ncode;
	out->redeems = pi->nredeems > 0;
	out->earns = pi->nearns > 0;
	out->granted = pi->granted;
	out->nlocals = (uint32_t)pi->nlocals;
	free(g.fails);
	free(g.jumps);
}
