/* fast_opt.c - the optimiser of the register code (fast_int.h).
 *
 * Runs once per rule set, after translation (fast.c).  Every rewrite
 * keeps results identical to the reference VM: a form that cannot finish
 * a value exactly (an overflow, a value the reference would refuse) stops
 * the program, and the reference VM evaluates it again. */
#include <stdlib.h>
#include <string.h>

#include "fast_int.h"

#define VAL (FP_W | FP_A | FP_B)
const uint8_t pt_fast_props[F__COUNT + 1] = {
	[F_MOV] = FP_W | FP_A, [F_ADD] = VAL, [F_SUB] = VAL, [F_MUL] = VAL, [F_DIV] = VAL,
	[F_MULFLOOR] = VAL, [F_DIVFLOOR] = VAL, [F_MIN] = VAL, [F_MAX] = VAL,
	[F_NEG] = FP_W | FP_A, [F_FLOOR] = FP_W | FP_A, [F_CEIL] = FP_W | FP_A, [F_ROUND] = FP_W | FP_A,
	[F_NOT] = FP_W | FP_A, [F_EQ] = VAL, [F_NE] = VAL, [F_LT] = VAL, [F_LE] = VAL, [F_GT] = VAL, [F_GE] = VAL,
	[F_AND] = VAL, [F_OR] = VAL, [F_CAP] = VAL,
	[F_ADD_I] = VAL, [F_SUB_I] = VAL, [F_MUL_I] = VAL, [F_MULFLOOR_I] = VAL, [F_MULFLOOR_IR] = VAL,
	[F_DIVFLOOR_I] = VAL, [F_MIN_I] = VAL, [F_MAX_I] = VAL, [F_CAP_I] = VAL, [F_MOVC] = FP_W | FP_A,
	[F_JF_EQ] = FP_A | FP_B | FP_J, [F_JF_NE] = FP_A | FP_B | FP_J, [F_JF_LT] = FP_A | FP_B | FP_J,
	[F_JF_LE] = FP_A | FP_B | FP_J, [F_JF_GT] = FP_A | FP_B | FP_J, [F_JF_GE] = FP_A | FP_B | FP_J,
	[F_JF_EQ_I] = FP_A | FP_B | FP_J, [F_JF_NE_I] = FP_A | FP_B | FP_J, [F_JF_LT_I] = FP_A | FP_B | FP_J,
	[F_JF_LE_I] = FP_A | FP_B | FP_J, [F_JF_GT_I] = FP_A | FP_B | FP_J, [F_JF_GE_I] = FP_A | FP_B | FP_J,
	[F_JZ] = FP_A | FP_J, [F_JMP] = FP_J | FP_END,
	[F_OUT] = FP_A, [F_OUT_MOVC] = FP_A | FP_B, [F_MOVC_O] = FP_A, [F_MULFLOOR_I_O] = FP_A | FP_B,
	[F_MULFLOOR_IR_O] = FP_A | FP_B, [F_MAX_I_O] = FP_A | FP_B,
	[F_REASON] = 0, [F_REASON_LE_I] = FP_A | FP_B, [F_TIER] = 0, [F_MOV2] = VAL | FP_WX, [F_TIERJ] = FP_J | FP_END,
	[F_FAIL] = FP_END, [F_HALT] = FP_END, [F_FAIL_R] = FP_END, [F_FAIL_E] = FP_END,
	[F_HALT_R] = FP_END, [F_HALT_E] = FP_END, [F_FAIL_RE] = FP_END,
	[F_TIERSEL] = FP_A | FP_B | FP_J | FP_END, [F__COUNT] = 0,
};
#undef VAL

typedef struct opt {
	const pt_ruleset *rs;
	const pt_fast *f;
	pt_fast_ins *code;
	size_t n;
	uint8_t *whole;    /* per register: always holds a whole number */
	uint8_t *target;   /* per instruction: a jump lands there or a section starts */
} opt;

/* Whether r is a constant register holding exactly 1. */
static bool is_one(const opt *o, uint32_t r)
{
	return r >= o->f->reg_consts && r < o->f->reg_locals && o->rs->consts[r - o->f->reg_consts].n == 1 &&
	       o->rs->consts[r - o->f->reg_consts].d == 1;
}

/* Whether r can never hold the numerator INT64_MIN (which the reference
 * refuses to multiply or divide): a constant other than it, or a derived
 * value (pt_fast_eval checks them). */
static bool never_min(const opt *o, uint32_t r)
{
	const pt_fast *f = o->f;
	if (r >= f->reg_consts && r < f->reg_locals)
		return o->rs->consts[r - f->reg_consts].n != INT64_MIN;
	return r >= f->reg_derived && r < f->nregs;
}

static bool is_temp(const opt *o, uint32_t r) { return pt_fast_is_temp(o->f, r); }

/* Whether binding always writes input r (below rs->ninputs) as a whole
 * number: every input but an account key whose default is fractional (left
 * out in case that changes). */
bool pt_fast_input_whole(const pt_ruleset *rs, uint32_t r)
{
	const pt_input_def *in = &rs->inputs[r];
	return !(in->kind == PT_IN_ACCOUNT && in->has_default && in->dflt.d != 1);
}

/* Whether binding never writes input r (below rs->ninputs) below 0: a
 * cart's numbers cannot be negative (the reader and the API refuse
 * them), sums of them are not, and neither are a count, a flag, a day,
 * a month or a weekday; an account key of a numeric or yes/no type is
 * not, unless its default is (a missing key takes it).  A date, a word
 * (absent: -1; unknown: below that) or a key of another type may be.
 * The machine code relies on it (pt_jit_type_signs), so each kind here is
 * one binding writes at least 0 on every path. */
bool pt_fast_input_nonneg(const pt_ruleset *rs, uint32_t r)
{
	const pt_input_def *in = &rs->inputs[r];
	switch (in->kind) {
	case PT_IN_BUILTIN:
		return in->builtin == PT_B_DAY || in->builtin == PT_B_MONTH || in->builtin == PT_B_WEEKDAY ||
		       in->builtin == PT_B_TOTAL || in->builtin == PT_B_ITEMS;
	case PT_IN_CATSUM:
	case PT_IN_LINKED:
	case PT_IN_BALANCE:
	case PT_IN_USE_POINTS:
	case PT_IN_USE_GIFTCARD:
	case PT_IN_USE_PROGRAMS:
	case PT_IN_USE_POINTS_YEN:
		return true;
	case PT_IN_ACCOUNT:
		return (in->type == PT_U_YEN || in->type == PT_U_POINTS || in->type == PT_U_NUM || in->type == PT_U_BOOL) &&
		       (!in->has_default || (in->dflt.n >= 0 && in->dflt.d >= 1));
	default:
		return false;
	}
}

/* Whether binding never writes input r below 1 (one it never writes
 * below 0, pt_fast_input_nonneg): a day, a month, a weekday. */
bool pt_fast_input_pos(const pt_ruleset *rs, uint32_t r)
{
	const pt_input_def *in = &rs->inputs[r];
	return in->kind == PT_IN_BUILTIN &&
	       (in->builtin == PT_B_DAY || in->builtin == PT_B_MONTH || in->builtin == PT_B_WEEKDAY);
}

/* Which registers always hold whole numbers (d == 1).  Inputs do
 * (binding writes whole numbers; a default is whole too, but an account
 * key with a fractional one is left out in case that changes); constants
 * when they are whole; derived values do. */
static void type_fixed(opt *o)
{
	const pt_ruleset *rs = o->rs;
	const pt_fast *f = o->f;
	for (uint32_t r = 0; r < f->reg_locals; r++) {
		if (r < f->reg_consts) {
			o->whole[r] = pt_fast_input_whole(rs, r);
		} else {
			o->whole[r] = rs->consts[r - f->reg_consts].d == 1;
		}
	}
	for (uint32_t r = f->reg_derived; r < f->nregs; r++)
		o->whole[r] = 1;
}

/* A local or temporary holds whole numbers when every instruction of
 * [lo, hi) writing it produces a whole number from whole operands: the
 * greatest fixed point.  Sound when what the code of [lo, hi) reads from
 * them is 0 or written by it: for the whole code (registers start at 0),
 * or for one program whose temporaries are written before read in each
 * section (pt_fast_assigned) and whose locals are zeroed per cart or
 * written before read (pt_fast_assigned, from fast.c). */
static void type_registers(opt *o, size_t lo, size_t hi)
{
	uint8_t *w = o->whole;
	memset(w + o->f->reg_locals, 1, o->f->reg_derived - o->f->reg_locals);
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t i = lo; i < hi; i++) {
			const pt_fast_ins *c = &o->code[i];
			bool res;
			switch (c->op) {
			case F_MOV: case F_MOVC: case F_NEG:
				res = w[c->a];
				break;
			case F_ADD: case F_SUB: case F_MUL: case F_MIN: case F_MAX: case F_CAP:
			case F_ADD_I: case F_SUB_I: case F_MUL_I: case F_MIN_I: case F_MAX_I: case F_CAP_I:
				res = w[c->a] && w[c->b];
				break;
			case F_DIV:
				res = false;
				break;
			case F_MOV2:
				res = w[c->a];
				if (!w[c->b] && w[c->x]) {
					w[c->x] = 0;
					changed = true;
				}
				break;
			default:   /* floors, comparisons, logic: whole whatever they read */
				res = true;
				break;
			}
			if (pt_fast_writes(c->op) && !res && w[c->dst]) {
				w[c->dst] = 0;
				changed = true;
			}
		}
	}
}

/* A multiplication or division by the constant 1 is a copy: MOV when the
 * operand cannot be INT64_MIN, else MOVC, which stops the program on it
 * as the reference would.  (A floor of a whole number changes nothing.) */
static void fold_ones(opt *o, size_t lo, size_t hi)
{
	for (size_t i = lo; i < hi; i++) {
		pt_fast_ins *c = &o->code[i];
		if (c->op != F_MUL && c->op != F_DIV && c->op != F_MULFLOOR && c->op != F_DIVFLOOR)
			continue;
		if ((c->op == F_MUL || c->op == F_MULFLOOR) && is_one(o, c->a)) {
			uint32_t t = c->a;
			c->a = c->b;
			c->b = t;
		}
		if (!is_one(o, c->b) || ((c->op == F_MULFLOOR || c->op == F_DIVFLOOR) && !o->whole[c->a]))
			continue;
		c->op = never_min(o, c->a) ? F_MOV : F_MOVC;
		c->b = 0;
	}
}

/* The whole-number forms, where the typing allows them. */
static void specialise(opt *o, size_t lo, size_t hi)
{
	const uint8_t *w = o->whole;
	for (size_t i = lo; i < hi; i++) {
		pt_fast_ins *c = &o->code[i];
		unsigned rd = pt_fast_reads(c->op);   /* (other ops' a and b are not registers) */
		bool wa = (rd & 1) && w[c->a], wb = (rd & 2) && w[c->b];
		switch (c->op) {
		case F_ADD: case F_SUB: case F_MUL: case F_MIN: case F_MAX: case F_CAP: case F_DIVFLOOR:
			if (wa && wb)
				c->op = c->op == F_ADD ? F_ADD_I : c->op == F_SUB ? F_SUB_I : c->op == F_MUL ? F_MUL_I :
					c->op == F_MIN ? F_MIN_I : c->op == F_MAX ? F_MAX_I : c->op == F_CAP ? F_CAP_I :
					F_DIVFLOOR_I;
			break;
		case F_MULFLOOR:
			if (wa && wb) {
				c->op = F_MULFLOOR_I;
			} else if (wa || wb) {
				if (!wa) {   /* the whole operand first */
					uint32_t t = c->a;
					c->a = c->b;
					c->b = t;
				}
				c->op = F_MULFLOOR_IR;
			}
			break;
		case F_JF_EQ: case F_JF_NE: case F_JF_LT: case F_JF_LE: case F_JF_GT: case F_JF_GE:
			if (wa && wb)
				c->op += F_JF_EQ_I - F_JF_EQ;
			break;
		default:
			break;
		}
	}
}

/* The first instruction kept at or after k. */
static size_t land(const opt *o, size_t k)
{
	while (k < o->n && o->code[k].op == F__COUNT)
		k++;
	return k;
}

/* Whether instruction k ends its section (reads no temporary). */
static bool ends_section(const opt *o, size_t k)
{
	k = land(o, k);
	return k < o->n && (o->code[k].op == F_FAIL || o->code[k].op == F_HALT);
}

/* After `MOV t, s` with t a temporary, later reads of t in the same
 * straight run (a branch to a section end does not end it) read s
 * instead, until t or s is written again. */
static void forward_copies(opt *o)
{
	for (size_t i = 0; i < o->n; i++) {
		const pt_fast_ins *c = &o->code[i];
		if (c->op != F_MOV || !is_temp(o, c->dst) || c->dst == c->a)
			continue;
		uint32_t t = c->dst, s = c->a;
		for (size_t j = i + 1; j < o->n && !o->target[j]; j++) {
			pt_fast_ins *d = &o->code[j];
			if (d->op == F__COUNT)
				continue;
			unsigned rd = pt_fast_reads(d->op);
			if ((rd & 1) && d->a == t)
				d->a = s;
			if ((rd & 2) && d->b == t)
				d->b = s;
			uint8_t pr = pt_fast_props[d->op];
			if (((pr & FP_W) && (d->dst == t || d->dst == s)) || ((pr & FP_WX) && (d->x == t || d->x == s)))
				break;
			if ((pr & FP_END) || ((pr & FP_J) && !ends_section(o, d->x)))
				break;
		}
	}
}

/* The temporaries live before instruction c (fast_int.h). */
pt_fast_tset pt_fast_live_before(const pt_fast *f, const pt_fast_ins *c, pt_fast_tset after)
{
	const uint8_t pr = pt_fast_props[c->op];
	const uint32_t base = f->reg_temps;
	uint32_t d = c->dst - base;
	if ((pr & FP_W) && pt_fast_is_temp(f, c->dst))
		after.w[d / 64] &= ~((uint64_t)1 << (d % 64));
	d = c->x - base;
	if ((pr & FP_WX) && pt_fast_is_temp(f, c->x))
		after.w[d / 64] &= ~((uint64_t)1 << (d % 64));
	uint32_t r[2] = { c->a, c->b };
	for (int k = 0; k < 2; k++) {
		d = r[k] - base;
		if ((pr & (FP_A << k)) && pt_fast_is_temp(f, r[k]))
			after.w[d / 64] |= (uint64_t)1 << (d % 64);
	}
	return after;
}

/* Live temporaries after each instruction (fast_int.h), by one backward
 * pass (jumps only go forward). */
bool pt_fast_live_temps(const pt_fast *f, const pt_fast_ins *code, size_t n, pt_fast_tset *out)
{
	if (f->reg_derived < f->reg_temps || f->reg_derived - f->reg_temps > 128)
		return false;   /* more than a set holds (only hand-built code: PT_MAX_STACK) */
	pt_fast_tset *in = calloc(n + 1, sizeof *in);
	if (!in)
		return false;
	for (size_t i = n; i-- > 0;) {
		const pt_fast_ins *c = &code[i];
		uint8_t pr = pt_fast_props[c->op];
		pt_fast_tset s = { { 0, 0 } };
		if (c->op == F__COUNT) {
			in[i] = in[i + 1];
			out[i] = s;
			continue;
		}
		if (!(pr & FP_END) || c->op == F_TIERSEL)   /* a tier chain's first row follows it */
			s = in[i + 1];
		if (pr & FP_J) {
			if (c->x <= i || c->x > n) {
				s.w[0] = s.w[1] = UINT64_MAX;   /* never for translated code */
			} else {
				s.w[0] |= in[c->x].w[0];
				s.w[1] |= in[c->x].w[1];
			}
		}
		out[i] = s;
		in[i] = pt_fast_live_before(f, c, s);
	}
	free(in);
	return true;
}

/* Whether, in the section [a, b) of code, every read of a register in
 * [lo, lo + n) follows a write of it on every path from a: a forward
 * data-flow (jumps go forward and stay in the section; n is at most 256).
 * False when unsure or out of memory.  Serves the temporaries here and a
 * program's locals (fast.c). */
bool pt_fast_assigned(const pt_fast_ins *code, size_t a, size_t b, uint32_t lo, uint32_t n)
{
	typedef struct { uint64_t w[4]; } rset;
	if (a >= b)
		return true;
	if (n > 256)
		return false;
	rset *in = malloc((b - a + 1) * sizeof *in);
	uint8_t *seen = calloc(b - a + 1, 1);
	bool ok = in && seen;
	if (ok) {
		in[0] = (rset){ { 0, 0, 0, 0 } };
		seen[0] = 1;
	}
	for (size_t i = a; ok && i < b; i++) {
		if (!seen[i - a])
			continue;   /* unreachable */
		rset cur = in[i - a];
		const pt_fast_ins *c = &code[i];
		uint8_t pr = pt_fast_props[c->op];
		uint32_t r[2] = { c->a, c->b };
		for (int k = 0; k < 2; k++) {
			uint32_t d = r[k] - lo;
			if ((pr & (FP_A << k)) && r[k] >= lo && d < n && !(cur.w[d / 64] >> (d % 64) & 1))
				ok = false;
		}
		uint32_t d = c->dst - lo;
		if ((pr & FP_W) && c->dst >= lo && d < n)
			cur.w[d / 64] |= (uint64_t)1 << (d % 64);
		d = c->x - lo;
		if ((pr & FP_WX) && c->x >= lo && d < n)
			cur.w[d / 64] |= (uint64_t)1 << (d % 64);
		size_t succ[2];
		int ns = pt_fast_succ(c, i, succ);
		for (int k = 0; ok && k < ns; k++) {
			if (succ[k] <= i || succ[k] >= b) {
				ok = false;   /* verified code stays inside its section, going forward */
				break;
			}
			size_t s2 = succ[k] - a;
			if (!seen[s2]) {
				in[s2] = cur;
				seen[s2] = 1;
			} else {
				for (int w = 0; w < 4; w++)
					in[s2].w[w] &= cur.w[w];
			}
		}
	}
	free(in);
	free(seen);
	return ok;
}

/* The output form of a value instruction, or F__COUNT. */
static uint32_t out_form(uint32_t op)
{
	switch (op) {
	case F_MOVC: return F_MOVC_O;
	case F_MULFLOOR_I: return F_MULFLOOR_I_O;
	case F_MULFLOOR_IR: return F_MULFLOOR_IR_O;
	case F_MAX_I: return F_MAX_I_O;
	default: return F__COUNT;
	}
}

/* Drop copies into dead temporaries; let a producer write the output an
 * OUT right after it copies out of a dead temporary. */
static bool outputs(opt *o)
{
	pt_fast_tset *lo = malloc((o->n + 1) * sizeof *lo);
	if (!lo || !pt_fast_live_temps(o->f, o->code, o->n, lo)) {
		free(lo);
		return false;
	}
	for (size_t i = 0; i < o->n; i++) {
		pt_fast_ins *c = &o->code[i];
		if (c->op == F_MOV && is_temp(o, c->dst) && !pt_fast_live(o->f, &lo[i], c->dst))
			c->op = F__COUNT;
	}
	for (size_t i = 0; i < o->n; i++) {
		pt_fast_ins *c = &o->code[i];
		uint32_t form = out_form(c->op);
		size_t j = land(o, i + 1);
		if (form == F__COUNT || j >= o->n || o->target[j] || !is_temp(o, c->dst))
			continue;
		for (size_t k = i + 1; k <= j && k < o->n; k++)
			if (o->target[k])
				form = F__COUNT;
		pt_fast_ins *d = &o->code[j];
		if (form == F__COUNT || d->op != F_OUT || d->a != c->dst || pt_fast_live(o->f, &lo[j], c->dst))
			continue;
		c->op = form;
		c->dst = d->x;
		d->op = F__COUNT;
	}
	free(lo);
	for (size_t i = 0; i < o->n; i++) {   /* JF_LE_I over a REASON: the REASON, when */
		pt_fast_ins *c = &o->code[i];
		size_t j = land(o, i + 1), k = j < o->n ? land(o, j + 1) : o->n;
		if (c->op != F_JF_LE_I || j >= o->n || o->code[j].op != F_REASON || k >= o->n || c->x > k ||
		    land(o, c->x) != k)
			continue;
		bool ok = true;
		for (size_t q = i + 1; ok && q <= j; q++)
			ok = !o->target[q];
		if (!ok)
			continue;
		/* dst: the string, x: the stack pc; the jump's target stays a
		 * target of whatever else jumps there */
		*c = (pt_fast_ins){ F_REASON_LE_I, o->code[j].b, c->a, c->b, o->code[j].x };
		o->code[j].op = F__COUNT;
	}
	for (size_t i = 0; i < o->n; i++) {   /* OUT, MOVC_O: one instruction */
		pt_fast_ins *c = &o->code[i];
		size_t j = land(o, i + 1);
		bool ok = c->op == F_OUT && j < o->n && o->code[j].op == F_MOVC_O;
		for (size_t k = i + 1; ok && k <= j; k++)
			ok = !o->target[k];
		if (!ok)
			continue;
		*c = (pt_fast_ins){ F_OUT_MOVC, o->code[j].dst, c->a, o->code[j].a, c->x };
		o->code[j].op = F__COUNT;
	}
	return true;
}

/* An OUT of register r into field o where every path already wrote r
 * there, with r unchanged since, writes nothing new: dropped.  A forward
 * data-flow per section over what each field is known to hold. */
static bool redundant_outs(opt *o, size_t a, size_t b)
{
	enum { NONE = UINT32_MAX };
	typedef struct { uint32_t r[PT_OUT__COUNT]; } avail;
	if (a >= b)
		return true;
	avail *in = malloc((b - a + 1) * sizeof *in);
	uint8_t *seen = calloc(b - a + 1, 1);
	if (!in || !seen) {
		free(in);
		free(seen);
		return false;
	}
	for (int k = 0; k < PT_OUT__COUNT; k++)
		in[0].r[k] = NONE;
	seen[0] = 1;
	for (size_t i = a; i < b; i++) {
		if (!seen[i - a])
			continue;
		avail cur = in[i - a];
		pt_fast_ins *c = &o->code[i];
		uint8_t pr = pt_fast_props[c->op];
		if (c->op == F_OUT && c->x < PT_OUT__COUNT) {
			if (cur.r[c->x] == c->a)
				c->op = F__COUNT;
			else
				cur.r[c->x] = c->a;
		} else if (c->op == F_MOVC_O || c->op == F_MULFLOOR_I_O || c->op == F_MULFLOOR_IR_O ||
			   c->op == F_MAX_I_O || c->op == F_OUT_MOVC || c->op == F_OUT) {
			for (int k = 0; k < PT_OUT__COUNT; k++)
				cur.r[k] = NONE;   /* (not made yet; forget everything) */
		}
		for (int k = 0; k < PT_OUT__COUNT; k++)
			if (((pr & FP_W) && cur.r[k] == c->dst) || ((pr & FP_WX) && cur.r[k] == c->x))
				cur.r[k] = NONE;
		size_t succ[2];
		int ns = pt_fast_succ(c, i, succ);
		for (int k = 0; k < ns; k++) {
			if (succ[k] <= i || succ[k] >= b)
				continue;   /* never for translated code; nothing to learn */
			size_t s2 = succ[k] - a;
			if (!seen[s2]) {
				in[s2] = cur;
				seen[s2] = 1;
			} else {
				for (int q = 0; q < PT_OUT__COUNT; q++)
					if (in[s2].r[q] != cur.r[q])
						in[s2].r[q] = NONE;
			}
		}
	}
	free(in);
	free(seen);
	return true;
}

/* Scale (or unscale) one instruction's fields (see fast_int.h). */
void pt_fast_encode(pt_fast_ins *c, bool scale)
{
	const uint32_t reg = sizeof(pt_rat), ins = sizeof(pt_fast_ins);
	uint8_t pr = pt_fast_props[c->op];
	uint32_t *f[5] = { NULL, NULL, NULL, NULL, NULL };   /* fields, and their unit */
	uint32_t unit[5] = { reg, reg, reg, reg, ins };
	if (pr & FP_W)
		f[0] = &c->dst;
	if (pr & FP_A)
		f[1] = &c->a;
	if (pr & FP_B)
		f[2] = &c->b;
	if (pr & FP_WX)
		f[3] = &c->x;
	if (pr & FP_J)
		f[4] = &c->x;
	switch (c->op) {
	case F_OUT:   /* output fields: offsets into out[], like registers */
		f[3] = &c->x;
		break;
	case F_MOVC_O: case F_MULFLOOR_I_O: case F_MULFLOOR_IR_O: case F_MAX_I_O:
		f[0] = &c->dst;
		break;
	case F_OUT_MOVC:
		f[0] = &c->dst;
		f[3] = &c->x;
		break;
	case F_HALT_R:   /* the earn section's entry */
		f[4] = &c->x;
		break;
	case F_FAIL_R:
		f[4] = &c->a;
		break;
	default:
		break;
	}
	for (int k = 0; k < 5; k++)
		if (f[k])
			*f[k] = scale ? *f[k] * unit[k] : *f[k] / unit[k];
}

/* Improve the code (see fast_int.h). */
bool pt_fast_optimise(const pt_ruleset *rs, const pt_fast *f, pt_fast_ins *code, size_t n, const uint32_t *entry,
		      size_t nentries)
{
	opt o = { rs, f, code, n, calloc(f->nregs + 1, 1), calloc(n + 1, 1) };
	bool ok = o.whole && o.target;
	if (ok) {
		for (size_t i = 0; i < n; i++)
			if (pt_fast_branches(code[i].op) && code[i].x <= n)
				o.target[code[i].x] = 1;
		for (size_t e = 0; e < nentries; e++)
			o.target[entry[e]] = 1;
		/* typed per program where its temporaries allow it (a closer fit
		 * than the whole code's typing, which is the fallback) */
		size_t nprogs = nentries / 2;
		uint8_t *global = malloc(f->nregs + 1);
		ok = global != NULL;
		type_fixed(&o);
		type_registers(&o, 0, n);
		if (ok)
			memcpy(global, o.whole, f->nregs);
		for (size_t p = 0; ok && p < nprogs; p++) {
			size_t lo = entry[2 * p], mid = entry[2 * p + 1], hi = p + 1 < nprogs ? entry[2 * p + 2] : n;
			bool own = pt_fast_assigned(o.code, lo, mid, f->reg_temps, f->reg_derived - f->reg_temps) &&
				   pt_fast_assigned(o.code, mid, hi, f->reg_temps, f->reg_derived - f->reg_temps);
			for (int round = 0; round < 2; round++) {
				if (own)
					type_registers(&o, lo, hi);
				else
					memcpy(o.whole, global, f->nregs);
				if (round == 0)
					fold_ones(&o, lo, hi);
			}
			specialise(&o, lo, hi);
		}
		free(global);
		for (size_t e = 0; ok && e < nentries; e++)
			ok = redundant_outs(&o, entry[e], e + 1 < nentries ? entry[e + 1] : n);
		forward_copies(&o);
		ok = ok && outputs(&o);
	}
	free(o.whole);
	free(o.target);
	return ok;
}
