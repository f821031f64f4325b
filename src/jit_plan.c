/* jit_plan.c - what the machine-code compiler (jit.c) works out about
 * the register code before laying any of it out: which programs it can
 * compile, where the jumps land and which reason notes can be made
 * inline, what the locals' and temporaries' denominators are at every
 * moment and which output fields may hold a fraction, where rbx points,
 * which registers a program keeps in r8 to r12, and the multiplier that
 * divides by a constant.  None of it writes machine code. */
#include <stdlib.h>
#include <string.h>

#include "jit_int.h"

/* The multiplier m and shift s with floor(n / d) == (n * m) >> (64 + s)
 * for every 0 <= n < 2^63, for 2 <= d < 2^63 (Granlund and Montgomery's
 * rounded-up reciprocal).  With l = ceil(log2 d), m = ceil(2^(63 + l) / d)
 * fits 64 bits, and n * m / 2^(63 + l) exceeds n / d by less than
 * n / 2^(63 + l) < 1 / d, too little to reach the next whole quotient;
 * s = l - 1.  (tests/unit/test_jit.c checks it against division.) */
void pt_jit_div_magic(uint64_t d, uint64_t *m, unsigned *s)
{
	unsigned l = 64 - (unsigned)__builtin_clzll(d - 1);   /* ceil(log2 d), d >= 2 */
	uint64_t r = (uint64_t)1 << (l - 1), q = 0;   /* 2^(63 + l) = r * 2^64, r < d */
	for (int i = 0; i < 64; i++) {   /* long division, a bit at a time (2r < 2d fits) */
		r <<= 1;
		q = (q << 1) | (r >= d);
		r -= r >= d ? d : 0;
	}
	*m = q + (r != 0);   /* rounded up */
	*s = l - 1;
}

/* The reason instruction c, in section sec (0 redeem, 1 earn), notes
 * when its condition holds (a failure: whenever it runs), if any. */
static bool note_of(const pt_ruleset *rs, const pt_fast_ins *c, int sec, uint32_t *s)
{
	if (c->op == F_CAP_I && c->x != PT_NO_STR)
		*s = PT_INS_ARG(rs->code[c->x]);
	else if (c->op == F_REASON_LE_I)
		*s = c->dst;
	else if (((c->op == F_FAIL_R || c->op == F_FAIL_RE) && sec == 0) || (c->op == F_FAIL_E && sec == 1))
		*s = c->b;   /* a section's failure, in that section (elsewhere, which only tests build: a call) */
	else
		return false;
	return true;
}

/* Whether op leaves when its test says so (a guard: JZ, JF_*_I). */
static bool is_guard(uint32_t op) { return op == F_JZ || (op >= F_JF_EQ_I && op <= F_JF_GE_I); }

/* Whether the template of instruction k (c) leaves its register result
 * in rax, stored as well (jit.c): the value ops, a CAP_I whose note
 * makes no call. */
static bool leaves_rax(const jasm *j, const pt_fast_ins *c, size_t k)
{
	switch ((pt_fast_op)c->op) {
	case F_ADD_I: case F_SUB_I: case F_MUL_I: case F_MULFLOOR_I: case F_MULFLOOR_IR: case F_MIN_I: case F_MAX_I:
	case F_DIVFLOOR:
		return true;
	case F_CAP_I:
		return c->x == PT_NO_STR || j->inline_note[k];
	default:
		return false;
	}
}

/* (jit_int.h) */
bool pt_jit_temps_cross(const pt_ruleset *rs, const pt_fast *f, const pt_fast_ins *code, const pt_fast_tset *live)
{
	for (size_t p = 0; p < rs->nprogs; p++)
		for (int s = 0; s < 2; s++) {
			size_t k = f->progs[p].entry[s];
			if (k >= f->ncode)
				continue;
			pt_fast_tset in = pt_fast_live_before(f, &code[k], live[k]);
			if (in.w[0] || in.w[1])
				return true;
		}
	return false;
}

/* (jit_int.h) */
void pt_jit_plan_fuse(jasm *j, const pt_fast *f, const pt_fast_ins *code, size_t from, size_t end)
{
	for (size_t k = from; k < end; k++)
		j->fuse[k] = 0;
	for (size_t k = from; j->live && k + 1 < end; k++) {
		const pt_fast_ins *c = &code[k], *n = &code[k + 1];
		uint32_t t = c->dst;
		if (c->op == F_CAP_I && n->op == F_REASON_LE_I && n->a == c->a && c->dst != c->a && j->reach[k] &&
		    j->reach[k + 1] && !j->target[k + 1] && !(j->fuse[k] & FUSE_B_RCX)) {
			j->fuse[k] |= FUSE_KEEP_A;
			j->nfused++;
			continue;
		}
		if (n->op != F_CAP_I || !j->reach[k] || !j->reach[k + 1] || j->target[k + 1] || j->gmerge[k] ||
		    j->gmerge[k + 1] || j->tsel[k] || j->tsel[k + 1] || !pt_fast_writes(c->op) ||
		    !pt_fast_is_temp(f, t) || pt_fast_live(f, &j->live[k + 1], t))
			continue;
		if (n->a == t && n->b != t && leaves_rax(j, c, k)) {
			j->fuse[k] |= FUSE_KEEP;
			j->nfused++;
		} else if (n->b == t && n->a != t && c->op == F_SUB_I) {
			j->fuse[k] |= FUSE_SUB_RCX;
			j->fuse[k + 1] |= FUSE_B_RCX;
			j->nfused++;
		} else if (n->b == t && n->a != t && leaves_rax(j, c, k)) {
			j->fuse[k] |= FUSE_KEEP_B;
			j->nfused++;
		}
	}
}

/* (jit_int.h) */
void pt_jit_plan_guards(jasm *j, const pt_fast_ins *code, size_t from, size_t end)
{
	for (size_t k = from; k < end; k++)
		j->gmerge[k] = 0;
	for (size_t k = from; k + 1 < end; k++) {
		const pt_fast_ins *c = &code[k], *d = &code[k + 1];
		if (!is_guard(c->op) || !j->reach[k])
			continue;
		if (!is_guard(d->op) || !j->reach[k + 1] || j->target[k + 1] || c->x >= end || d->x >= end || c->x == d->x)
			continue;
		const pt_fast_ins *f1 = &code[c->x], *f2 = &code[d->x];
		if (!pt_jit_failure(f1->op) || f1->op != f2->op || f1->a != f2->a || f1->dst != f2->dst ||
		    !j->inline_note[c->x] || !j->inline_note[d->x] || j->tier_in[c->x] != j->tier_in[d->x])
			continue;
		j->gmerge[k] = PT_JIT_GUARDS_FAIL;
		j->gmerge[k + 1] = PT_JIT_GUARDS_IN;   /* its test is laid out with k's */
		k++;
	}
}

/* Which instructions of a program (from .. end) a jump lands on
 * (j->target, for known_whole), and which reason notes pt_jit_note_if makes
 * inline: those with, in their section and on every path before
 * them, no note of the same string and fewer than PT_MAX_REASONS notes,
 * so that pt_sec_reason would add the note at index nreasons without
 * finding it, and at most 32 in a section: each gets the next bit of its
 * section's noted (j->site_bit) and is recorded in j->sites from
 * j->site0[2 * j->pcur + section], in order; and where an inline note may come
 * before (j->marked_in).  Paths go forward only (pt_jit_compilable), so
 * one pass in order sees every way into an instruction before the
 * instruction; the ways
 * are the machine code's (pt_jit_succ: TIERSEL also falls into its first
 * row, which forged .ptbc files in tests/fastdiff/forged showed
 * missing). */
void pt_jit_plan_notes(jasm *j, const pt_ruleset *rs, const pt_fast_prog *fp, const pt_fast_ins *code, size_t from,
		       size_t end)
{
	const size_t bound[3] = { from, fp->entry[1], end };
	for (size_t k = from; k < end; k++)
		j->target[k] = 0;
	for (size_t k = from; k < end; k++) {
		size_t t = pt_jit_jump_target(&code[k]);
		if (t < end)   /* redeem's ends land in earn: past its first instruction in a program of the
				* unlinked_fail shape */
			j->target[t] = 1;
	}
	for (int sec = 0; sec < 2; sec++) {
		uint32_t str[64];   /* the notes seen so far, by number */
		int nsites = 0;
		uint32_t bit = 0;   /* the section's inline notes so far: the next one's bit in noted */
		uint64_t inl = 0;   /* which of the notes so far, by number, are inline */
		bool track = sec == 0 || !fp->earn_stub;   /* a stub's earn section, one FAIL, is settled at the
							 * program's start (sec_fail1, with no note marked) */
		j->site0[2 * j->pcur + (size_t)sec] = j->nsites;
		for (size_t k = bound[sec]; k < bound[sec + 1]; k++) {
			j->before[k] = 0;
			j->nbefore[k] = 0;
			j->inline_note[k] = 0;
		}
		for (size_t k = bound[sec]; k < bound[sec + 1]; k++) {
			uint64_t before = j->before[k];
			uint8_t n = j->nbefore[k];
			uint32_t s;
			j->marked_in[k] = (before & inl) != 0;
			if (note_of(rs, &code[k], sec, &s)) {
				track = track && nsites < 64;
				if (track) {
					bool seen = false;
					for (uint64_t m = before; m; m &= m - 1)
						seen = seen || str[__builtin_ctzll(m)] == s;
					j->inline_note[k] = !seen && n < PT_MAX_REASONS && bit < 32;
					if (j->inline_note[k]) {   /* its pt_reason, as pt_jit_note_if notes it */
						inl |= (uint64_t)1 << nsites;
						j->site_bit[k] = (uint8_t)bit++;
						j->sites[j->nsites++] = (pt_reason){ s, code[k].x };
					}
					str[nsites] = s;
					before |= (uint64_t)1 << nsites++;
				}
				n = n < PT_MAX_REASONS ? n + 1 : n;
			}
			size_t succ[2];
			for (int i = pt_jit_succ(&code[k], k, succ) - 1; i >= 0; i--)
				if (succ[i] > k && succ[i] < bound[sec + 1]) {
					j->before[succ[i]] |= before;
					j->nbefore[succ[i]] = n > j->nbefore[succ[i]] ? n : j->nbefore[succ[i]];
				}
		}
	}
}

/* Whether the instructions [from, end) of a program can be compiled:
 * both sections end with an instruction that never falls through (so
 * no code runs into the next program's), every jump lands inside, in the
 * same section (sections change only at HALT_R and FAIL_R), and the
 * locals a section end zeroes are registers (pt_jit_build checked the
 * register file and each program's nlocals).  Verified code always
 * passes; the checks keep the machine code memory-safe whatever it is
 * given. */
bool pt_jit_compilable(const jasm *j, const pt_fast *f, const pt_fast_prog *fp, const pt_fast_ins *code, size_t from,
		       size_t end)
{
	size_t earn = fp->entry[1];
	if (from >= earn || earn >= end || !pt_jit_ends(code[earn - 1].op) || !pt_jit_ends(code[end - 1].op))
		return false;
	for (size_t k = from; k < end; k++) {
		const pt_fast_ins *c = &code[k];
		const uint8_t pr = pt_fast_props[c->op];
		const unsigned rd = pt_fast_reads(c->op);
		if (((pr & FP_W) && c->dst >= f->nregs) || ((pr & FP_WX) && c->x >= f->nregs) ||
		    ((rd & 1) && c->a >= f->nregs) || ((rd & 2) && c->b >= f->nregs))
			return false;   /* the translator never makes these; the tracking indexes by register */
		if (((pr & FP_W) && c->dst < j->nin && j->in_place[c->dst]) ||
		    ((pr & FP_WX) && c->x < j->nin && j->in_place[c->x]))
			return false;   /* nor these: a write to an input read in place would not be read */
		size_t t = pt_jit_jump_target(c);
		if (t == SIZE_MAX)
			continue;
		bool cross = c->op == F_HALT_R || c->op == F_FAIL_R;
		if (t < from || t >= end || t <= k || (!cross && (k < earn) != (t < earn)) || (cross && t < earn))
			return false;
		if (cross && (c->dst > PT_MAX_LOCALS || c->dst > f->nregs - f->reg_locals))
			return false;
	}
	return true;
}

/* What register r's denominator is at every moment, as far as pt_jit_type_dens
 * knows so far (DEN_*): a constant's own, a derived value's 1, an input's
 * 1 where binding writes it whole (pt_fast_input_whole), a local's or
 * temporary's as typed; anything else (the registers of tests' random
 * code between the inputs and the locals) DEN_ANY. */
uint8_t pt_jit_den_src(const jasm *j, const pt_ruleset *rs, const pt_fast *f, uint32_t r)
{
	pt_rat v;
	if (pt_jit_const_reg(rs, f, r, &v))
		return v.d == 1 ? DEN_WHOLE : (v.d & (v.d - 1)) == 0 ? DEN_POW2 : DEN_ANY;
	if (r >= j->derived0 && r < j->derived1)
		return DEN_WHOLE;
	if (r >= f->reg_locals && r < f->reg_derived && r < f->nregs)
		return j->den[r];
	return r < rs->ninputs && r < f->reg_consts && pt_fast_input_whole(rs, r) ? DEN_WHOLE : DEN_ANY;
}

/* Whether register r holds a whole number at every moment (pt_jit_den_src). */
static bool whole_src(const jasm *j, const pt_ruleset *rs, const pt_fast *f, uint32_t r)
{
	return pt_jit_den_src(j, rs, f, r) == DEN_WHOLE;
}

/* What the denominators of the locals, temporaries and derived
 * registers are at every moment of every evaluation (j->den): 1
 * (DEN_WHOLE), a power of two (DEN_POW2: a rank's rate such as 1.5), or
 * anything.  They start at 0/1 (ptrules_eval_new; a section's end zeroes
 * locals to 0/1), nothing but
 * the register code writes them (the reference VM has locals of its
 * own), and every instruction of the rule set that writes one writes, in
 * the interpreter as here, a value of the kind typed: an _I form, a
 * floor, a comparison give whole numbers; a copy, a minimum, a sum, a
 * difference or a product of whole numbers is whole, of numbers with
 * power-of-two denominators has one too (the greatest fixed point, the
 * lesser kind winning).  A whole register's denominator is never stored
 * (den_one), and the templates know it whole (known_whole); a rate of
 * DEN_POW2 floors a product by a shift (mulfloor_ir).  Unlike fast_opt.c's
 * typing per program, which lets a temporary hold a fraction in another
 * program, this holds for the whole code, since a denominator not stored
 * must be right for every reader. */
void pt_jit_type_dens(jasm *j, const pt_ruleset *rs, const pt_fast *f, const pt_fast_ins *code)
{
	for (uint32_t r = f->reg_locals; r < f->reg_derived && r < f->nregs; r++)
		j->den[r] = DEN_WHOLE;
	/* The derived registers: 0/1 at the start too, and written only whole
	 * (derive in jit.c, fast_derive in fast.c), never by an instruction. */
	for (uint32_t r = j->derived0; r < j->derived1 && r < f->nregs; r++)
		j->den[r] = DEN_WHOLE;
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t k = 0; k < f->ncode; k++) {
			const pt_fast_ins *c = &code[k];
			uint8_t da = pt_jit_den_src(j, rs, f, c->a), db = pt_jit_den_src(j, rs, f, c->b), res;
			switch ((pt_fast_op)c->op) {
			case F_MOV: case F_MOVC: case F_NEG:
				res = da;
				break;
			case F_ADD: case F_SUB: case F_MUL: case F_MIN: case F_MAX: case F_CAP:
				res = da < db ? da : db;
				break;
			case F_MOV2:   /* R[dst] = R[a], then R[x] = R[b] (when b is dst, R[a] again:
					* typed so once dst is, by the fixed point) */
				res = da;
				if (c->x < f->nregs && j->den[c->x] > db) {
					j->den[c->x] = db;
					changed = true;
				}
				break;
			case F_ADD_I: case F_SUB_I: case F_MUL_I: case F_MULFLOOR_I: case F_MULFLOOR_IR:
			case F_DIVFLOOR_I: case F_MIN_I: case F_MAX_I: case F_CAP_I: case F_MULFLOOR: case F_DIVFLOOR:
			case F_FLOOR: case F_CEIL: case F_ROUND: case F_NOT: case F_EQ: case F_NE: case F_LT: case F_LE:
			case F_GT: case F_GE: case F_AND: case F_OR:
				res = DEN_WHOLE;   /* pt_rat_int or a floor, whatever they read */
				break;
			default:
				res = DEN_ANY;
				break;
			}
			if (pt_fast_writes(c->op) && c->dst < f->nregs && j->den[c->dst] > res) {
				j->den[c->dst] = res;
				changed = true;
			}
		}
	}
}

/* What the sign typing knows of a value: at least 0 (SG_NN), at least 1
 * (SG_POS, which implies SG_NN: an amount less 1, a multiplier of 3 less
 * 1, stays at least 0). */
enum { SG_NN = 1, SG_POS = 3 };

/* What register r, which no instruction writes, is whenever the machine
 * code runs: a constant's own sign, a derived value at least 0 (derive
 * leaves for the reference where one is below 0), an input as binding
 * writes it (pt_fast_input_nonneg, pt_fast_input_pos); anything else (the
 * registers of tests' random code between the inputs and the locals)
 * unknown. */
static unsigned sign_src(const jasm *j, const pt_ruleset *rs, const pt_fast *f, uint32_t r)
{
	pt_rat v;
	if (pt_jit_const_reg(rs, f, r, &v))
		return v.d < 1 || v.n < 0 ? 0 : v.n >= v.d ? SG_POS : SG_NN;
	if (r >= j->derived0 && r < j->derived1)
		return SG_NN;
	if (r < rs->ninputs && r < f->reg_consts && pt_fast_input_nonneg(rs, r))
		return pt_fast_input_pos(rs, r) ? SG_POS : SG_NN;
	return 0;
}

/* What instruction c, reading operands of signs sa and sb, writes to a
 * register whenever it writes one: the interpreter's semantics
 * (fast_run.h), an error writing nothing.  A difference is at least 0
 * where it takes a constant of at most 0 from a number at least 0, or of
 * at most 1 from one at least 1 (SUB_I: a numerator of at most 1). */
static unsigned writes_sign(const pt_ruleset *rs, const pt_fast *f, const pt_fast_ins *c, unsigned sa, unsigned sb)
{
	pt_rat v;
	switch ((pt_fast_op)c->op) {
	case F_MOV: case F_MOVC: case F_FLOOR: case F_CEIL: case F_ROUND:
		return sa;
	case F_CAP: case F_CAP_I:   /* a, or a cap of at least 0 (at least 1 where b is) */
		return (sa & SG_NN) | (sa & sb);
	case F_ADD: case F_ADD_I:   /* an overflow writes nothing */
		return (sa & sb & SG_NN) ? (sa | sb) : 0;
	case F_MUL: case F_MUL_I: case F_MULFLOOR: case F_MULFLOOR_I: case F_MULFLOOR_IR: case F_MIN: case F_MIN_I:
		return sa & sb;
	case F_DIV: case F_DIVFLOOR: case F_DIVFLOOR_I:   /* a division by 0 writes nothing */
		return sa & sb & SG_NN;
	case F_MAX: case F_MAX_I:
		return sa | sb;
	case F_NOT: case F_EQ: case F_NE: case F_LT: case F_LE: case F_GT: case F_GE: case F_AND: case F_OR:
		return SG_NN;   /* 0 or 1 */
	case F_SUB: case F_SUB_I:
		if (!pt_jit_const_reg(rs, f, c->b, &v) || v.d < 1)
			return 0;
		if (v.n <= 0)
			return sa;
		/* SUB_I takes b's numerator only (fast_run.h): 2/3 subtracts 2 */
		return (c->op == F_SUB_I ? v.n <= 1 : v.n <= v.d) && sa == SG_POS ? SG_NN : 0;
	default:   /* a negation, anything else */
		return 0;
	}
}

/* Which registers are at least 0, or at least 1, at every moment of
 * every evaluation the machine code runs (j->nonneg, SG_*), as
 * pt_jit_type_dens types denominators: locals and temporaries start at 0
 * and a section's end zeroes locals, so one is at least 0 when every
 * instruction writing it writes a value at least 0 (the greatest fixed
 * point); the others as sign_src says, unless an instruction writes one
 * that may be below.  What it buys: no INT64_MIN test of a register at
 * least 0, no overflow test of a difference of two, no clamp of one at
 * 0, no sign handling when one is divided.  It rests on binding
 * (pt_fast_input_nonneg): the tests give the machine code only register
 * files that keep it (test_jit). */
void pt_jit_type_signs(jasm *j, const pt_ruleset *rs, const pt_fast *f, const pt_fast_ins *code)
{
	for (uint32_t r = 0; r < f->nregs; r++)
		j->nonneg[r] = (uint8_t)(r >= f->reg_locals && r < f->reg_derived ? SG_NN : sign_src(j, rs, f, r));
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t k = 0; k < f->ncode; k++) {
			const pt_fast_ins *c = &code[k];
			const unsigned rd = pt_fast_reads(c->op);
			unsigned sa = (rd & 1) && c->a < f->nregs ? j->nonneg[c->a] : 0;
			unsigned sb = (rd & 2) && c->b < f->nregs ? j->nonneg[c->b] : 0;
			uint32_t w[2] = { NO_REG, NO_REG };
			unsigned v[2] = { 0, 0 };
			if (c->op == F_MOV2) {   /* R[dst] = R[a], then R[x] = R[b] (R[a] again when b is dst) */
				w[0] = c->dst, v[0] = sa;
				w[1] = c->x, v[1] = c->b == c->dst ? sa : sb;
			} else {
				if (pt_fast_writes(c->op))
					w[0] = c->dst, v[0] = writes_sign(rs, f, c, sa, sb);
				if (pt_fast_props[c->op] & FP_WX)
					w[1] = c->x, v[1] = 0;
			}
			for (int i = 0; i < 2; i++)
				if (w[i] < f->nregs && (j->nonneg[w[i]] & v[i]) != j->nonneg[w[i]]) {   /* whatever register it is */
					j->nonneg[w[i]] &= (uint8_t)v[i];
					changed = true;
				}
		}
	}
}

/* What register r is in state (nn, pos) (pt_jit_plan_signs): its bits
 * for the first 64 locals and temporaries, the typing for the whole code
 * otherwise. */
static unsigned sign_in_state(const jasm *j, const pt_fast *f, uint64_t nn, uint64_t pos, uint32_t r)
{
	uint32_t i = r - f->reg_locals;
	if (r >= f->reg_locals && r < f->reg_derived && i < 64)
		return (pos >> i & 1) ? SG_POS : (nn >> i & 1) ? SG_NN : 0;
	return r < f->nregs ? j->nonneg[r] : 0;
}

/* The state (nn, pos) with register r's bits (when it has them) saying v. */
static void sign_set(const pt_fast *f, uint64_t *nn, uint64_t *pos, uint32_t r, unsigned v)
{
	uint32_t i = r - f->reg_locals;
	if (!(r >= f->reg_locals && r < f->reg_derived && i < 64))
		return;
	uint64_t bit = (uint64_t)1 << i;
	*nn = v & SG_NN ? *nn | bit : *nn & ~bit;
	*pos = v == SG_POS ? *pos | bit : *pos & ~bit;
}

void pt_jit_plan_signs(jasm *j, const pt_ruleset *rs, const pt_fast *f, const pt_fast_ins *code, size_t from,
		       size_t end)
{
	uint64_t entry = 0, entry_pos = 0;   /* what the typing for the whole code says as the program starts */
	for (uint32_t i = 0; i < 64 && f->reg_locals + i < f->reg_derived && f->reg_locals + i < f->nregs; i++) {
		entry |= (uint64_t)((j->nonneg[f->reg_locals + i] & SG_NN) != 0) << i;
		entry_pos |= (uint64_t)(j->nonneg[f->reg_locals + i] == SG_POS) << i;
	}
	for (size_t k = from; k < end; k++) {
		j->nn_in[k] = entry;   /* refined below where a way in is known */
		j->pos_in[k] = entry_pos;
		j->nn_seen[k] = 0;
		j->reach[k] = 0;
	}
	j->nn_seen[from] = 1;
	j->reach[from] = 1;
	for (size_t k = from; k < end; k++) {
		const pt_fast_ins *c = &code[k];
		if (!j->nn_seen[k]) {   /* no way in known: the typing for the whole code, which holds anywhere */
			j->nn_in[k] = entry;
			j->pos_in[k] = entry_pos;
		}
		uint64_t m = j->nn_in[k], mp = j->pos_in[k];
		const unsigned rd = pt_fast_reads(c->op);
		unsigned sa = (rd & 1) ? sign_in_state(j, f, m, mp, c->a) : 0;
		unsigned sb = (rd & 2) ? sign_in_state(j, f, m, mp, c->b) : 0;
		if (c->op == F_MOV2) {   /* R[dst] = R[a], then R[x] = R[b] (R[a] again when b is dst) */
			sign_set(f, &m, &mp, c->dst, sa);
			sign_set(f, &m, &mp, c->x, c->b == c->dst ? sa : sb);
		} else {
			if (pt_fast_writes(c->op))
				sign_set(f, &m, &mp, c->dst, writes_sign(rs, f, c, sa, sb));
			if (pt_fast_props[c->op] & FP_WX)
				sign_set(f, &m, &mp, c->x, 0);
		}
		if (c->op == F_HALT_R || c->op == F_FAIL_R)   /* locals zeroed, then on in the earn section */
			for (uint32_t l = 0; l < c->dst; l++)
				sign_set(f, &m, &mp, f->reg_locals + l, SG_NN);
		size_t succ[3];
		int ns = pt_jit_ways(c, k, succ);
		for (int i = 0; i < ns; i++)
			if (succ[i] > k && succ[i] < end) {
				size_t q = succ[i];
				j->nn_in[q] = j->nn_seen[q] ? j->nn_in[q] & m : m;
				j->pos_in[q] = j->nn_seen[q] ? j->pos_in[q] & mp : mp;
				j->nn_seen[q] = 1;
				j->reach[q] |= j->reach[k];
			}
	}
}

/* Which output fields some instruction of the program [from, end) may
 * give a fraction (j->out_frac): those it copies a register or constant
 * to that is not typed whole (whole_src).  Every other field holds 0/1
 * from prog_start until a whole number is stored, so its denominator is
 * not stored again (den_one); where the interpreter takes over, it
 * stores what it writes whole. */
void pt_jit_plan_outs(jasm *j, const pt_ruleset *rs, const pt_fast *f, const pt_fast_ins *code, size_t from,
		      size_t end)
{
	_Static_assert(PT_OUT__COUNT <= 32, "out_frac has a bit per output field");
	j->out_frac = 0;
	for (size_t k = from; k < end; k++) {
		const pt_fast_ins *c = &code[k];
		uint32_t field[2] = { UINT32_MAX, UINT32_MAX };
		if ((c->op == F_OUT || c->op == F_OUT_MOVC) && !whole_src(j, rs, f, c->a))
			field[0] = c->x;
		if ((c->op == F_OUT_MOVC && !whole_src(j, rs, f, c->b)) ||
		    (c->op == F_MOVC_O && !whole_src(j, rs, f, c->a)))
			field[1] = c->dst;
		for (int i = 0; i < 2; i++)
			if (field[i] < PT_OUT__COUNT)
				j->out_frac |= (uint32_t)1 << field[i];
			else if (field[i] != UINT32_MAX)
				j->out_frac = UINT32_MAX;   /* not a field: nothing is assumed */
	}
}

/* The output fields instruction c may leave other than 0/1: a bit per
 * field; none for the redeem section's end, which goes on to the earn
 * section (HALT_R writes no field, FAIL_R sets its two to 0/1); every
 * bit for an instruction left to the interpreter (FAIL, HALT: nothing
 * comes back from it) or a field past 31.  The other ends of a section
 * end the program: no way on. */
static uint32_t outs_written(const pt_fast_ins *c)
{
	uint32_t f[2] = { UINT32_MAX, UINT32_MAX };   /* the fields named, or none */
	switch ((pt_fast_op)c->op) {
	case F_OUT:
		f[0] = c->x;
		break;
	case F_OUT_MOVC:
		f[0] = c->x;
		f[1] = c->dst;
		break;
	case F_MOVC_O: case F_MULFLOOR_I_O: case F_MULFLOOR_IR_O: case F_MAX_I_O:
		f[0] = c->dst;
		break;
	case F_JF_EQ: case F_JF_NE: case F_JF_LT: case F_JF_LE: case F_JF_GT: case F_JF_GE:
	case F_JF_EQ_I: case F_JF_NE_I: case F_JF_LT_I: case F_JF_LE_I: case F_JF_GT_I: case F_JF_GE_I:
	case F_JZ: case F_JMP: case F_TIERSEL: case F_TIERJ: case F_TIER: case F_REASON: case F_REASON_LE_I:
	case F_MOV2: case F_HALT_R: case F_FAIL_R:
		return 0;
	default:
		if (c->op <= F_MOVC)   /* the register operations: MOV .. MOVC in the list */
			return 0;
		return UINT32_MAX;
	}
	uint32_t m = 0;
	for (int i = 0; i < 2; i++)
		if (f[i] != UINT32_MAX)
			m |= f[i] < 32 ? (uint32_t)1 << f[i] : UINT32_MAX;
	return m;
}

/* (jit_int.h) */
void pt_jit_plan_written(jasm *j, const pt_fast_ins *code, size_t from, size_t end)
{
	for (size_t k = from; k < end; k++)
		j->out_in[k] = 0;
	for (size_t k = from; k < end; k++) {   /* jumps go forward: every way into k is counted by now */
		uint32_t out = j->out_in[k] | outs_written(&code[k]);
		size_t succ[3];
		int ns = pt_jit_ways(&code[k], k, succ);
		for (int i = 0; i < ns; i++) {
			if (succ[i] <= k) {   /* a way back (forged code): unsure everywhere */
				for (size_t q = from; q < end; q++)
					j->out_in[q] = UINT32_MAX;
				return;
			}
			if (succ[i] < end)
				j->out_in[succ[i]] |= out;
		}
	}
}

/* Where rbx points (j->rbase): at the first of the 16 registers the code
 * names most through rbx, so that those take a one-byte displacement.
 * Inputs read in place are named through r13 instead, so for the
 * shipped rules the window moves from the first inputs to the locals and
 * temporaries; in a rule set of many programs, where every register past
 * the 16th took four bytes, the code is smaller. */
void pt_jit_choose_rbase(jasm *j, const pt_fast *f, const pt_fast_ins *code)
{
	uint32_t *uses = calloc((size_t)f->nregs + 1, sizeof *uses);
	if (!uses)
		return;   /* rbase 0: as good, only larger */
	for (size_t k = 0; k < f->ncode; k++) {
		const pt_fast_ins *c = &code[k];
		const uint8_t pr = pt_fast_props[c->op];
		const unsigned rd = pt_fast_reads(c->op);
		const uint32_t r[4] = { (rd & 1) ? c->a : NO_REG, (rd & 2) ? c->b : NO_REG, (pr & FP_W) ? c->dst : NO_REG,
					(pr & FP_WX) ? c->x : NO_REG };
		for (int i = 0; i < 4; i++)
			if (r[i] < f->nregs && !(r[i] < j->nin && j->in_place[r[i]]))
				uses[r[i]]++;
	}
	uint64_t in = 0, best = 0;   /* a window of 16 sliding over the registers */
	for (uint32_t r = 0; r < f->nregs; r++) {
		in += uses[r];
		if (r >= 16)
			in -= uses[r - 16];
		if (in > best) {
			best = in;
			j->rbase = (r >= 15 ? r - 15 : 0) * (uint32_t)sizeof(pt_rat);
		}
	}
	free(uses);
}

/* Where instruction c at index k may go on, in the machine code or the
 * interpreter (pt_jit_succ, pt_fast_succ, and a redeem section's end on
 * into the earn section, pt_jit_jump_target): into succ (room for 6),
 * returning how many, some perhaps twice. */
static int any_succ(const pt_fast_ins *c, size_t k, size_t succ[6])
{
	int ns = pt_jit_succ(c, k, succ);
	ns += pt_fast_succ(c, k, succ + ns);
	size_t t = pt_jit_jump_target(c);
	if (t != SIZE_MAX)
		succ[ns++] = t;
	return ns;
}

void pt_jit_plan_tier(jasm *j, const pt_fast_ins *code, size_t from, size_t end)
{
	bool late = from < end;
	for (size_t k = from; k < end; k++)
		j->tier_in[k] = TIER_NO_WAY;
	if (from < end)
		j->tier_in[from] = TIER_UNSET;
	for (size_t k = from; k < end; k++) {
		const pt_fast_ins *c = &code[k];
		uint8_t in = j->tier_in[k];
		if (in == TIER_NO_WAY)   /* never run */
			continue;
		if (in == TIER_SOME)
			late = false;
		const uint8_t out = c->op == F_TIERJ || c->op == F_TIER ? TIER_SET : in;
		size_t succ[6];
		int ns = any_succ(c, k, succ);
		for (int i = 0; i < ns; i++)
			if (succ[i] > k && succ[i] < end) {
				uint8_t *q = &j->tier_in[succ[i]];
				*q = *q == TIER_NO_WAY || *q == out ? out : TIER_SOME;
			}
	}
	j->tier_late = late;
}

/* The bits of j->cache_off that hold register r's fields (n, d). */
static uint8_t cache_bits(const jasm *j, uint32_t r)
{
	uint8_t m = 0;
	for (uint8_t i = 0; i < j->ncache; i++)
		if (j->cache_off[i] / sizeof(pt_rat) == r)
			m |= (uint8_t)(1u << i);
	return m;
}

/* The registers instruction c writes: its dst, and MOV2's x;
 * UINT32_MAX where it writes none. */
static void written(const pt_fast_ins *c, uint32_t w[2])
{
	uint8_t pr = pt_fast_props[c->op];
	w[0] = pr & FP_W ? c->dst : UINT32_MAX;
	w[1] = pr & FP_WX ? c->x : UINT32_MAX;
}

/* Set (bset) or read (bget) bit i of the set s. */
static inline void bset(uint64_t *s, uint32_t i) { s[i / 64] |= (uint64_t)1 << (i % 64); }
static inline bool bget(const uint64_t *s, uint32_t i) { return s[i / 64] >> (i % 64) & 1; }

/* The locals and temporaries program q may read before it writes them,
 * into exp (j->exp_w words, bit r - reg_locals), ORed in: a forward pass
 * over its instructions, the ways into each joined by AND (jumps go
 * forward), the ways the machine code and the interpreter take both
 * counted; with zeroing, locals its start or its redeem section's end
 * zeroes in the register file count as written.  Scratch: j->exp_wr. */
static void exposed_reads(jasm *j, const pt_fast *f, const pt_fast_ins *code, size_t q, bool zeroing, uint64_t *exp)
{
	uint64_t *wr = j->exp_wr;
	const pt_fast_prog *fp = &f->progs[q];
	const size_t from = fp->start, end = q + 1 < j->nprogs ? f->progs[q + 1].entry[0] : j->ncode;
	const uint32_t lo = f->reg_locals, n = f->reg_derived - f->reg_locals, W = j->exp_w;
	uint8_t *seen = j->cache_seen;
	if (from >= end || end > j->ncode)
		return;
	for (size_t k = from; k < end; k++)
		seen[k] = 0;
	seen[from] = 1;
	memset(wr, 0, W * sizeof *wr);   /* nothing written as the program starts */
	if (zeroing && fp->special && fp->zero_locals)
		for (uint32_t l = 0; l < fp->nlocals && l < n; l++)
			bset(wr, l);
	for (size_t k = from; k < end; k++) {
		if (!seen[k])
			continue;
		uint64_t *cur = wr + (k - from) * W;
		const pt_fast_ins *c = &code[k];
		uint8_t pr = pt_fast_props[c->op];
		const uint32_t rd[2] = { c->a, c->b };
		for (int i = 0; i < 2; i++)
			if ((pr & (FP_A << i)) && rd[i] >= lo && rd[i] - lo < n && !bget(cur, rd[i] - lo))
				bset(exp, rd[i] - lo);
		uint32_t wr_k[2];
		written(c, wr_k);
		for (int i = 0; i < 2; i++)
			if (wr_k[i] >= lo && wr_k[i] - lo < n)
				bset(cur, wr_k[i] - lo);
		if (zeroing && (c->op == F_HALT_R || c->op == F_FAIL_R))   /* zeroes its dst locals */
			for (uint32_t l = 0; l < c->dst && l < n; l++)
				bset(cur, l);
		size_t succ[6];
		int ns = any_succ(c, k, succ);
		for (int i = 0; i < ns; i++) {
			if (succ[i] <= k || succ[i] >= end)
				continue;
			uint64_t *to = wr + (succ[i] - from) * W;
			for (uint32_t w = 0; w < W; w++)
				to[w] = seen[succ[i]] ? to[w] & cur[w] : cur[w];
			seen[succ[i]] = 1;
		}
	}
}

bool pt_jit_plan_exposed(jasm *j, const pt_fast *f, const pt_fast_ins *code)
{
	const uint32_t n = f->reg_derived > f->reg_locals ? f->reg_derived - f->reg_locals : 0;
	const uint32_t W = n / 64 + 1;
	size_t most = 0;   /* the longest program */
	for (size_t q = 0; q < j->nprogs; q++) {
		size_t end = q + 1 < j->nprogs ? f->progs[q + 1].entry[0] : j->ncode;
		if (end > f->progs[q].start && end - f->progs[q].start > most)
			most = end - f->progs[q].start;
	}
	j->exp_w = W;
	j->exposed_after = calloc((j->nprogs + 1) * W, sizeof *j->exposed_after);
	j->exp_wr = malloc((most + 1) * W * sizeof *j->exp_wr);
	j->exp_self = malloc(3 * W * sizeof *j->exp_self);   /* and exp_wrote, exp_seen after it */
	if (!j->exposed_after || !j->exp_wr || !j->exp_self) {
		free(j->exposed_after);
		j->exposed_after = NULL;   /* (pt_jit_build frees the rest) */
		return false;
	}
	for (size_t q = j->nprogs; q-- > 1;) {   /* after[q - 1] = after[q] and what q reads first */
		uint64_t *after = j->exposed_after + (q - 1) * W;
		memcpy(after, after + W, W * sizeof *after);
		exposed_reads(j, f, code, q, true, after);
	}
	return true;
}

/* Whether register r may be kept in machine registers in the program
 * being planned (pt_jit_plan_cache): a local or temporary it reads only
 * after writing it (exp_self), that its redeem section does not write
 * (exp_wrote: a call in a redeem failure's code would lose it) and that
 * no program after it reads before writing it (pt_jit_plan_exposed), since
 * its value is left in a machine register.  A lookup: every set was
 * made in one pass. */
static bool cacheable(const jasm *j, const pt_fast *f, uint32_t r)
{
	const uint32_t i = r - f->reg_locals;
	return r >= f->reg_locals && r < f->reg_derived && !bget(j->exposed_after + j->pcur * j->exp_w, i) &&
	       !bget(j->exp_self, i) && !bget(j->exp_self + j->exp_w, i);
}

/* How often the earn section [earn, end) names register r: its reads
 * and writes, a tier's rows' (MOV2) counted once, since one row runs;
 * not a temporary passed to a cap in a machine register
 * (pt_jit_plan_fuse), which is neither stored nor loaded. */
static uint32_t cache_score(const jasm *j, const pt_fast_ins *code, size_t earn, size_t end, uint32_t r)
{
	uint32_t n = 0;
	bool row = false;
	for (size_t k = earn; k < end; k++) {
		const pt_fast_ins *c = &code[k];
		uint8_t pr = pt_fast_props[c->op], fz = j->fuse[k], before = k > earn ? j->fuse[k - 1] : 0;
		uint32_t w[2];
		written(c, w);
		n += ((pr & FP_A) && c->a == r && !(before & FUSE_KEEP)) +
		     ((pr & FP_B) && c->b == r && !(before & (FUSE_KEEP_B | FUSE_SUB_RCX)));
		if ((fz & (FUSE_KEEP | FUSE_KEEP_B | FUSE_SUB_RCX)) && c->dst == r)
			continue;   /* never stored */
		if (w[0] == r || w[1] == r) {
			row = row || c->op == F_MOV2;
			n += c->op != F_MOV2;
		}
	}
	return n + row;
}

void pt_jit_plan_cache(jasm *j, const pt_fast *f, const pt_fast_ins *code, size_t from, size_t earn, size_t end)
{
	const uint32_t R = sizeof(pt_rat), W = j->exp_w, lo = f->reg_locals, nr = f->reg_derived - lo;
	j->ncache = 0;
	for (size_t k = from; k < end; k++)
		j->cache_done[k] = 0;
	if (!j->exposed_after)
		return;
	for (size_t k = earn; k < end; k++)   /* a section's end in the earn section (only tests build one): keep none */
		if (code[k].op == F_HALT_R || code[k].op == F_FAIL_R || code[k].op == F_FAIL_RE)
			return;
	/* what the program reads before writing, zeroing not counted (the
	 * machine registers are not zeroed); what its redeem section writes;
	 * no register considered yet */
	uint64_t *wrote = j->exp_self + W, *considered = j->exp_self + 2 * W;
	memset(j->exp_self, 0, 3 * W * sizeof *j->exp_self);
	exposed_reads(j, f, code, j->pcur, false, j->exp_self);
	for (size_t k = from; k < earn; k++) {
		uint32_t w[2];
		written(&code[k], w);
		for (int i = 0; i < 2; i++)
			if (w[i] >= lo && w[i] - lo < nr)
				bset(wrote, w[i] - lo);
	}
	/* the candidates, every register the earn section writes, by
	 * cache_score (the first written first among equals), each taken
	 * while its fields fit */
	enum { MAXC = 64 };
	uint32_t cand[MAXC], score[MAXC], nc = 0;
	for (size_t k = earn; k < end && nc < MAXC; k++) {
		uint32_t regs[2];
		written(&code[k], regs);
		for (int i = 0; i < 2 && nc < MAXC; i++) {
			uint32_t r = regs[i];
			if (r < lo || r - lo >= nr || bget(considered, r - lo))
				continue;
			bset(considered, r - lo);
			if (cacheable(j, f, r)) {
				cand[nc] = r;
				score[nc++] = cache_score(j, code, earn, end, r);
			}
		}
	}
	while (nc && j->ncache < PT_JIT_NCACHE) {
		uint32_t best = 0;
		for (uint32_t q = 1; q < nc; q++)
			best = score[q] > score[best] ? q : best;
		uint32_t r = cand[best];
		nc--;
		memmove(cand + best, cand + best + 1, (nc - best) * sizeof *cand);   /* the rest in order */
		memmove(score + best, score + best + 1, (nc - best) * sizeof *score);
		uint8_t need = j->den[r] == DEN_WHOLE ? 1 : 2;
		if (j->ncache + need > PT_JIT_NCACHE)
			continue;
		j->cache_off[j->ncache++] = r * R;
		if (need == 2)
			j->cache_off[j->ncache++] = r * R + 8;
	}
	/* the fields written on every way in: forward, ways joined by AND
	 * (jumps go forward, so one pass in order sees every way first) */
	uint8_t *seen = j->cache_seen;   /* (exposed_reads used it too) */
	for (size_t k = from; k < end; k++)
		seen[k] = 0;
	if (!j->ncache || from >= end)
		return;
	seen[from] = 1;
	for (size_t k = from; k < end; k++) {
		if (!seen[k])
			continue;
		const pt_fast_ins *c = &code[k];
		uint32_t w[2];
		written(c, w);
		uint8_t out = j->cache_done[k] | cache_bits(j, w[0]) | cache_bits(j, w[1]);
		size_t succ[3];
		int ns = pt_jit_ways(c, k, succ);
		for (int i = 0; i < ns; i++)
			if (succ[i] > k && succ[i] < end) {
				j->cache_done[succ[i]] = seen[succ[i]] ? (uint8_t)(j->cache_done[succ[i]] & out) : out;
				seen[succ[i]] = 1;
			}
	}
}
