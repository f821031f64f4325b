/* jit.c - the register code of fast.c as x86-64 machine code (jit.h).
 *
 * One pass per program over its register instructions, in order: each
 * becomes a fixed template (a load from [rbx + offset], the operation, a
 * checked store), with rel32 jumps patched once the code is laid out.
 * Registers of the generated code:
 *   rbx  the register file R          rbp  the program's pt_prog_result
 *   r13  in[], the inputs read in place (jit.h; pt_bind_in_place)
 *        (all three BIAS bytes on, for short displacements)
 *   r14, r15  which inline notes the redeem and earn sections have
 *        noted, a bit each (jit_note.c; pt_section_result.noted)
 *   r8 to r12  registers of R the program keeps out of memory, those its
 *        earn section names most (pt_jit_plan_cache), stored by the
 *        stubs and around calls (jit_emit.h, cache_reg)
 *   rax, rcx, rdx, rsi, rdi  scratch
 * rbx, rbp and r12 to r15 are callee-saved, so C can be called: a reason
 * is noted inline, without a branch, where pt_jit_plan_notes shows that
 * pt_sec_reason would simply append it, and by calling C elsewhere.
 * Every way out that is not the program's end goes through a stub that
 * returns 1 + the instruction's index (jit.h).  What is worked out about
 * the register code before any of it is laid out (which programs compile,
 * the notes, the registers' denominators and signs, rbx's base, what is
 * kept in r8 to r12) is in jit_plan.c, how a note is marked in
 * jit_note.c, the working tables and the pages the code ends in in
 * jit_scratch.c. */
#include "jit.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "fast_int.h"
#include "grow.h"
#include "jit_int.h"
#include "jit_emit.h"
#include "rules.h"

#if PT_JIT_X64   /* (jit_int.h) */

/* The most machine code one rule set gets: an absolute bound, so every
 * rel32 reaches, and one proportional to the register code (no template
 * is longer than JIT_MAX_INS bytes, a program's start JIT_MAX_PROG), so a
 * forged .ptbc cannot make the code much larger than what it describes. */
#define PT_JIT_MAX_CODE ((size_t)1 << 30)
#define JIT_MAX_INS 192
#define JIT_MAX_PROG 1024

/* Labels past the instructions' and stubs': */
#define L_RETURN(j) ((uint32_t)(2 * (j)->ncode))                   /* return 0: every program ran */
#define L_EPILOGUE(j) ((uint32_t)(2 * (j)->ncode + 1))             /* return eax */
#define L_DERIVE_FAILED(j) ((uint32_t)(2 * (j)->ncode + 2))        /* return PT_JIT_DERIVE_FAILED */
#define L_NEXT(j, p) ((uint32_t)(2 * (j)->ncode + 3 + (p)))          /* program p ended: on to p + 1 */
#define L_PROG(j, p) ((uint32_t)(2 * (j)->ncode + 3 + (j)->nprogs + (p)))   /* program p starts */
#define L_ZERO_ONE(j) ((uint32_t)(2 * (j)->ncode + 3 + 2 * (j)->nprogs))   /* 16 bytes of data: 0, 1 */
#define L_UNLINKED(j, p) ((uint32_t)(2 * (j)->ncode + 4 + 2 * (j)->nprogs + (p)))   /* program p: not linked */
#define L_HEAD(j) ((uint32_t)(2 * (j)->ncode + 4 + 3 * (j)->nprogs))   /* 16 bytes: a result's head (prog_start) */
#define L_SEC(j) ((uint32_t)(2 * (j)->ncode + 5 + 3 * (j)->nprogs))    /* 16 bytes: a section's start (sec_start) */
#define L_STORED(j, p) ((uint32_t)(2 * (j)->ncode + 6 + 3 * (j)->nprogs + (p)))   /* program p ended, its counts stored */
#define L_ZERO_SEC(j) ((uint32_t)(2 * (j)->ncode + 7 + 4 * (j)->nprogs))   /* 32 bytes: 0, 1, a section's start */
#define NLABELS(ncode, nprogs) (3 * (ncode) + 8 + 4 * (nprogs))   /* and PT_JIT_L_MIN, PT_JIT_L_TABLE (jit_int.h) */

/* base[off] = 0/1, a rational zero. */
static void st_zero(jasm *j, int base, uint32_t off)
{
	st_imm(j, base, off, 0);
	st_imm(j, base, off + 8, 1);
}
/* Whether the denominator at base[off] is 1 already, so the code need
 * not store it: a register typed whole (pt_jit_type_dens), or an output field
 * no instruction of the program gives a fraction (pt_jit_plan_outs). */
static bool den_one(const jasm *j, int base, uint32_t off)
{
	const uint32_t out0 = (uint32_t)offsetof(pt_prog_result, out), R = sizeof(pt_rat);
	if (base == RBP)   /* an output field no instruction of the program gives a fraction */
		return off >= out0 && (off - out0) % R == 0 && (off - out0) / R < PT_OUT__COUNT &&
		       !(j->out_frac >> ((off - out0) / R) & 1);
	return base == RBX && off % R == 0 && j->den[off / R] == DEN_WHOLE;
}
/* base[off] = pt_rat_int(register r): rax or rcx, or r8 to r12 (8 to
 * 12) into a result's field; its denominator stored where it is not 1
 * already (den_one). */
static void st_int_from(jasm *j, int r, int base, uint32_t off)
{
	if (r >= 8)
		op_mem(j, 0x4C, (const uint8_t[]){ 0x89 }, 1, r & 7, base, off);   /* mov [base + off], r8..r12 */
	else
		st(j, base, off, r);
	if (!den_one(j, base, off))
		st_imm(j, base, off + 8, 1);
}
/* R[off] = pt_rat_int(rax) */
static void st_int(jasm *j, int base, uint32_t off) { st_int_from(j, RAX, base, off); }
/* Copy the rational R[from] (numerator and denominator) to base[to];
 * the numerator alone where the denominator is 1 already (den_one). */
static void copy(jasm *j, uint32_t from, int base, uint32_t to)
{
	if (den_one(j, base, to)) {   /* so R[from] is whole too (pt_jit_type_dens) */
		ld(j, RAX, RBX, from);
		st(j, base, to, RAX);
		return;
	}
	ld(j, RAX, RBX, from);
	ld(j, RCX, RBX, from + 8);
	st(j, base, to, RAX);
	st(j, base, to + 8, RCX);
}
/* rax/rcx (a rational) clamped at 0: negative becomes 0/1 (fast_clamp). */
static void clamp_rat(jasm *j)
{
	zero(j, RDX);
	movi(j, RSI, 1);
	test(j, RAX);
	cmov(j, CC_S, RAX, RDX);
	cmov(j, CC_S, RCX, RSI);
}
/* rax clamped at 0 (a whole number). */
static void clamp_int(jasm *j)
{
	zero(j, RDX);
	test(j, RAX);
	cmov(j, CC_S, RAX, RDX);
}

/* vmovups ymm<r> (l256) or xmm<r>, [rip + label]: VEX, two bytes. */
static void vload(jasm *j, bool l256, int r, uint32_t label)
{
	put(j, (const uint8_t[]){ 0xC5, (uint8_t)(0xF8 | l256 << 2), 0x10, (uint8_t)(0x05 | r << 3) }, 4);
	rel(j, label);
}

/* The constants a program's start stores, kept in xmm0 (L_ZERO_ONE:
 * an output's 0/1), xmm1 (L_HEAD: a result's head) and xmm2 (L_SEC: a
 * section's start), or with j->avx in ymm0 (two outputs' 0/1), ymm1
 * (the head and an output's 0/1), ymm2 (an output's 0/1 and a section's
 * start) and xmm3 (a section's start): loaded by the prologue and again
 * after each call, which may change them (they are caller-saved)
 * (jit_int.h). */
void pt_jit_xmm_load(jasm *j)
{
	if (j->avx) {
		vload(j, true, 0, L_ZERO_ONE(j));
		vload(j, true, 1, L_HEAD(j));
		vload(j, true, 2, L_ZERO_SEC(j));
		vload(j, false, 3, L_SEC(j));
		return;
	}
	put(j, (const uint8_t[]){ 0x0F, 0x10, 0x05 }, 3);   /* movups xmm0, [rip + rel32] */
	rel(j, L_ZERO_ONE(j));
	put(j, (const uint8_t[]){ 0x0F, 0x10, 0x0D }, 3);   /* movups xmm1, [rip + rel32] */
	rel(j, L_HEAD(j));
	put(j, (const uint8_t[]){ 0x0F, 0x10, 0x15 }, 3);   /* movups xmm2, [rip + rel32] */
	rel(j, L_SEC(j));
}

/* vmovups [rbp + off], ymm<r> (l256) or xmm<r>: VEX, two bytes. */
static void vstore(jasm *j, bool l256, int r, uint32_t off)
{
	put(j, (const uint8_t[]){ 0xC5, (uint8_t)(0xF8 | l256 << 2), 0x11 }, 3);
	mem(j, r, RBP, off);
}


/* rax = floor(rax / rcx) for rcx > 0 and rax not INT64_MIN (floor_div in
 * fast.c); where rax is at least 0 (nn), the quotient is the floor. */
static void floor_div_rcx(jasm *j, bool nn)
{
	b1(j, 0x48);
	b1(j, 0x99);                                   /* cqo */
	rr(j, (const uint8_t[]){ 0xF7 }, 1, 7, RCX);    /* idiv rcx */
	if (nn)
		return;
	test(j, RDX);
	size_t at = skip(j, CC_NS);                    /* a remainder below 0: round down */
	rr(j, (const uint8_t[]){ 0xFF }, 1, 1, RAX);    /* dec rax */
	skip_here(j, at);
}

/* Whether register r (an index) is a constant whose numerator fits an
 * imm32 (and is not INT64_MIN): *v is it, for an operation with rax
 * (op_rax_imm). */
static bool imm_reg(const pt_ruleset *rs, const pt_fast *f, uint32_t r, int32_t *v)
{
	pt_rat c;
	if (!pt_jit_const_reg(rs, f, r, &c) || c.n < INT32_MIN || c.n > INT32_MAX)
		return false;
	*v = (int32_t)c.n;
	return true;
}
/* op rax, imm32 (sign-extended): the short form for rax of add (0x05),
 * sub (0x2D) and cmp (0x3D). */
static void op_rax_imm(jasm *j, uint8_t op, int32_t v)
{
	b1(j, 0x48);
	b1(j, op);
	b4(j, (uint32_t)v);
}
/* imul rax, rax, imm32 (sign-extended) */
static void imul_imm(jasm *j, int32_t v)
{
	rr(j, (const uint8_t[]){ 0x69 }, 1, RAX, RAX);
	b4(j, (uint32_t)v);
}
/* cmp rax, R[rb].n (rb an index): with an immediate for a constant. */
static void cmp_b(jasm *j, const pt_ruleset *rs, const pt_fast *f, uint32_t rb)
{
	int32_t v;
	if (imm_reg(rs, f, rb, &v))
		op_rax_imm(j, 0x3D, v);
	else
		cmp_m(j, RAX, rb * (uint32_t)sizeof(pt_rat));
}

/* rax = floor(rax / d) for a divisor d >= 1 known now and rax not
 * INT64_MIN: nothing, an arithmetic shift (which floors), or, as a
 * compiler divides by a constant, a multiplication by pt_jit_div_magic's
 * reciprocal of |rax| folded by the sign (floor(a / d) == t ^ ((a ^ t) /
 * d), t = a >> 63): a few cycles where idiv takes a dozen or more, on
 * the chain every earn rule's amount waits for.  Where rax is at least 0
 * (nn), t is 0 and not folded. */
static void floor_div_const(jasm *j, uint64_t d, bool nn)
{
	if (d == 1)
		return;
	if ((d & (d - 1)) == 0) {
		rr(j, (const uint8_t[]){ 0xC1 }, 1, 7, RAX);   /* sar rax, log2 d */
		b1(j, (uint8_t)__builtin_ctzll(d));
		return;
	}
	uint64_t m;
	unsigned s;
	pt_jit_div_magic(d, &m, &s);
	if (!nn) {
		b1(j, 0x48);
		b1(j, 0x99);                                      /* cqo: rdx = t */
		rr(j, (const uint8_t[]){ 0x89 }, 1, RDX, RSI);    /* mov rsi, rdx */
		rr(j, (const uint8_t[]){ 0x31 }, 1, RDX, RAX);    /* xor rax, rdx: |a|, or |a| - 1 below 0 */
	}
	b1(j, 0x48);
	b1(j, 0xB9);                                      /* mov rcx, imm64 */
	b8(j, m);
	rr(j, (const uint8_t[]){ 0xF7 }, 1, 4, RCX);      /* mul rcx: rdx = high half */
	if (s) {
		rr(j, (const uint8_t[]){ 0xC1 }, 1, 5, RDX);   /* shr rdx, s */
		b1(j, (uint8_t)s);
	}
	if (!nn)
		rr(j, (const uint8_t[]){ 0x31 }, 1, RSI, RDX);    /* xor rdx, rsi */
	rr(j, (const uint8_t[]){ 0x89 }, 1, RDX, RAX);    /* mov rax, rdx */
}

/* Whether register r (an index) is at least 0 as the instruction being
 * laid out starts: as pt_jit_plan_signs found for the first 64 locals and
 * temporaries, as pt_jit_type_signs typed the whole code otherwise. */
static bool nneg(const jasm *j, uint32_t r)
{
	uint32_t i = r - j->nn_lo;
	if (r >= j->nn_lo && r < j->nn_hi)
		return j->nn_cur >> i & 1;
	return j->nonneg[r];
}

/* Whether register r (an index) is other than INT64_MIN here for
 * certain: a derived value (derive checks them), a register typed at
 * least 0 (pt_jit_type_signs), or a register this straight run of code
 * wrote with a checked result, or checked, since the last jump target
 * (track_writes). */
static bool known_not_min(const jasm *j, uint32_t r)
{
	return (r >= j->derived0 && r < j->derived1) || nneg(j, r) || j->nmark[r] == j->wgen;
}

/* rax = floor(rax * R[b]) for whole rax and a rational R[b] (an index;
 * as fast_mulfloor_ir); leaves for the interpreter where it would refuse.
 * A constant rate (a percentage, yen per point) is multiplied as an
 * immediate and divided by floor_div_const; a rate whose denominator is
 * always 1 is not divided, one always a power of two (a rank's 1.5)
 * shifted by it (bsf, sar): no idiv, no branch. */
static void mulfloor_ir(jasm *j, const pt_ruleset *rs, const pt_fast *f, size_t k, uint32_t ra, uint32_t rb)
{
	const uint32_t b = rb * (uint32_t)sizeof(pt_rat);
	pt_rat v;
	bool known = pt_jit_const_reg(rs, f, rb, &v) && v.d >= 1;
	uint8_t kind = known ? DEN_ANY : pt_jit_den_src(j, rs, f, rb);
	bool nn = nneg(j, ra) && nneg(j, rb);   /* the product is at least 0 */
	if (!known_not_min(j, ra)) {   /* rax is R[a] */
		cmp_min(j, RAX);
		bail(j, CC_E, k);
	}
	if (known && v.n == 1) {
		/* a unit fraction (1%, 0.5%): the product is rax, not INT64_MIN */
	} else if (known && v.n >= INT32_MIN && v.n <= INT32_MAX) {
		imul_imm(j, (int32_t)v.n);
		checked_nn(j, k, nn);
	} else {
		imul_m(j, RAX, b);
		checked_nn(j, k, nn);
	}
	if (known) {
		floor_div_const(j, (uint64_t)v.d, nn);
		return;
	}
	if (kind == DEN_WHOLE)
		return;
	if (kind == DEN_POW2) {
		ld(j, RCX, RBX, b + 8);
		rr(j, (const uint8_t[]){ 0x0F, 0xBC }, 2, RCX, RCX);   /* bsf rcx, rcx: log2 of the denominator */
		rr(j, (const uint8_t[]){ 0xD3 }, 1, 7, RAX);           /* sar rax, cl: floors */
		return;
	}
	ld(j, RCX, RBX, b + 8);
	rr(j, (const uint8_t[]){ 0x83 }, 1, 7, RCX);   /* cmp rcx, 1 */
	b1(j, 1);
	size_t at = skip(j, CC_E);   /* b.d == 1: the product is the floor */
	floor_div_rcx(j, nn);
	skip_here(j, at);
}

/* Zero n locals from register l (the interpreter's HALT_R and FAIL_R,
 * and next_program with zero_locals): a few inline, more in a loop, so
 * no instruction's code grows with the number of locals. */
static void zero_locals(jasm *j, uint32_t l, uint32_t n)
{
	const uint32_t R = sizeof(pt_rat);
	if (n <= 4) {
		for (uint32_t i = 0; i < n; i++)
			st_zero(j, RBX, (l + i) * R);
		return;
	}
	rm_mem(j, (const uint8_t[]){ 0x8D }, 1, RDI, RBX, l * R);   /* lea rdi, [rbx + l] */
	movi(j, RCX, n);
	put(j, (const uint8_t[]){
		0x48, 0xC7, 0x07, 0, 0, 0, 0,          /* mov qword [rdi], 0 */
		0x48, 0xC7, 0x47, 0x08, 1, 0, 0, 0,    /* mov qword [rdi + 8], 1 */
		0x48, 0x83, 0xC7, 0x10,                /* add rdi, 16 */
		0xFF, 0xC9,                            /* dec ecx */
		0x75, 0xE9,                            /* jnz back 23 bytes, to the first mov */
	}, 23);
}


/* rax, instruction k's whole result, to register d, unless the cap
 * laid out next takes it from rax and nothing reads it after
 * (FUSE_KEEP, FUSE_KEEP_B: pt_jit_plan_fuse). */
static void st_kept(jasm *j, size_t k, uint32_t d)
{
	if (!(j->fuse[k] & (FUSE_KEEP | FUSE_KEEP_B)))
		st_int(j, RBX, d);
}
/* rax, instruction k's whole result: to register d (st_kept), or clamped
 * at 0 to output field dst when to_out (the _O forms; nn: it is at least
 * 0 already). */
static void st_result(jasm *j, size_t k, bool to_out, uint32_t d, uint32_t dst, bool nn)
{
	if (to_out) {
		if (!nn)
			clamp_int(j);
		st_int(j, RBP, OFF_OUT(dst));
	} else {
		st_kept(j, k, d);
	}
}

/* mov rax, R[r] (an index), unless rax holds it already: have is the
 * register the template before left in rax (j->rax), read as a template
 * starts, so only a template's first load may use it. */
static void ld_rax(jasm *j, uint32_t have, uint32_t r)
{
	if (have != r)
		ld(j, RAX, RBX, r * (uint32_t)sizeof(pt_rat));
}
/* Leave for the interpreter at instruction k when R[r] (an index) is
 * INT64_MIN, loading it as ld_rax does (it is left in rax); no test
 * where it is known not to be. */
static void check_min(jasm *j, uint32_t have, uint32_t r, size_t k)
{
	ld_rax(j, have, r);
	if (known_not_min(j, r))
		return;
	cmp_min(j, RAX);
	bail(j, CC_E, k);
	j->nmark[r] = j->wgen;   /* going on, it is not */
}
/* rcx = R[c->a] - R[c->b] for SUB_I c (instruction k) whose result
 * the CAP_I after it takes from rcx (FUSE_SUB_RCX), checked as the
 * template checks it; rax, holding R[have], is left alone. */
static void sub_rcx(jasm *j, const pt_ruleset *rs, const pt_fast *f, const pt_fast_ins *c, size_t k, uint32_t have)
{
	const uint32_t R = sizeof(pt_rat);
	int32_t v;
	bool imm = imm_reg(rs, f, c->b, &v), in_mem = imm || known_not_min(j, c->b);
	if (!in_mem) {   /* b tested for INT64_MIN first, as the template does */
		ld(j, RDX, RBX, c->b * R);
		cmp_min(j, RDX);
		bail(j, CC_E, k);
		j->nmark[c->b] = j->wgen;
	}
	if (have == c->a)
		rr(j, (const uint8_t[]){ 0x89 }, 1, RAX, RCX);   /* mov rcx, rax */
	else
		ld(j, RCX, RBX, c->a * R);
	if (imm) {
		rr(j, (const uint8_t[]){ 0x81 }, 1, 5, RCX);   /* sub rcx, imm32 */
		b4(j, (uint32_t)v);
	} else if (in_mem) {
		rd_mem(j, (const uint8_t[]){ 0x2B }, 1, RCX, c->b * R);   /* sub rcx, [b] */
	} else {
		rr(j, (const uint8_t[]){ 0x29 }, 1, RDX, RCX);   /* sub rcx, rdx */
	}
	if (!nneg(j, c->a) || !nneg(j, c->b))   /* the difference is in rcx (-1 - INT64_MAX is INT64_MIN) */
		checked_reg(j, RCX, k);
}
/* Output field o = R[a] clamped at 0 (fast_clamp; nn: it is at least 0
 * already; loaded: rax holds R[a]'s numerator already). */
static void out_rat(jasm *j, uint32_t a, uint32_t o, bool nn, bool loaded)
{
	if (!loaded)
		ld(j, RAX, RBX, a);
	ld(j, RCX, RBX, a + 8);
	if (!nn)
		clamp_rat(j);
	st(j, RBP, OFF_OUT(o), RAX);
	st(j, RBP, OFF_OUT(o) + 8, RCX);
}

/* Whether register r (an index) holds a whole number here for certain:
 * a derived value, a local or temporary typed whole (pt_jit_type_dens), or a
 * register this straight run of code wrote with a whole number
 * (wrote_reg) since the last jump target. */
static bool known_whole(const jasm *j, uint32_t r)
{
	return (r >= j->derived0 && r < j->derived1) || j->wmark[r] == j->wgen || j->den[r] == DEN_WHOLE;
}
/* Register r was just written: with a whole number, or not known to be;
 * with a number other than INT64_MIN, or not known to be. */
static void wrote_reg(jasm *j, uint32_t r, bool whole, bool not_min)
{
	j->wmark[r] = whole ? j->wgen : 0;
	j->nmark[r] = not_min ? j->wgen : 0;
}

/* base[off] = v, a 64-bit value known now (rax is scratch). */
static void st_i64(jasm *j, int base, uint32_t off, int64_t v)
{
	if (v >= INT32_MIN && v <= INT32_MAX) {
		st_imm(j, base, off, (int32_t)v);
		return;
	}
	b1(j, 0x48);
	b1(j, 0xB8);   /* mov rax, imm64 */
	b8(j, (uint64_t)v);
	st(j, base, off, RAX);
}
/* base[off] = v, a rational known now. */
static void st_rat_imm(jasm *j, int base, uint32_t off, pt_rat v)
{
	st_i64(j, base, off, v.n);
	if (!den_one(j, base, off))   /* else v is whole (pt_jit_type_dens) */
		st_i64(j, base, off + 8, v.d);
}
/* R[to] = R[from] (indexes): a copy, or two immediate stores when R[from]
 * is a constant; with check, leave for the interpreter at k when it is
 * INT64_MIN (a constant that is goes the general way), loading it as
 * ld_rax does.  Returns whether rax holds R[to]'s numerator after it. */
static bool mov_reg(jasm *j, const pt_ruleset *rs, const pt_fast *f, uint32_t from, uint32_t to, bool check, size_t k,
		    uint32_t have)
{
	const uint32_t R = sizeof(pt_rat);
	pt_rat v;
	if (pt_jit_const_reg(rs, f, from, &v) && v.n != INT64_MIN) {
		st_rat_imm(j, RBX, to * R, v);
		return false;
	}
	if (check && !known_not_min(j, from))   /* (else check_min would only load what copy loads) */
		check_min(j, have, from, k);
	copy(j, from * R, RBX, to * R);
	return true;
}
/* Output field o = R[from] clamped at 0 (out_rat): a constant folded, a
 * register known whole (known_whole) as a whole number, without reading
 * its denominator; with check, as mov_reg; not loaded again where rax
 * holds it (have: what the template before left there).  Returns whether
 * rax holds R[from]'s numerator after (loaded, and not clamped). */
static bool out_reg(jasm *j, const pt_ruleset *rs, const pt_fast *f, uint32_t from, uint32_t o, bool check, size_t k,
		    uint32_t have)
{
	const uint32_t a = from * (uint32_t)sizeof(pt_rat);
	pt_rat v;
	if (pt_jit_const_reg(rs, f, from, &v) && v.n != INT64_MIN) {
		st_rat_imm(j, RBP, OFF_OUT(o), v.n < 0 ? pt_rat_int(0) : v);
		return false;
	}
	if (check)
		check_min(j, have, from, k);   /* leaves R[from].n in rax */
	if (known_whole(j, from)) {
		if (!check)
			ld_rax(j, have, from);
		if (!nneg(j, from))
			clamp_int(j);
		st_int(j, RBP, OFF_OUT(o));
		return nneg(j, from);
	}
	out_rat(j, a, o, nneg(j, from), check || have == from);
	return nneg(j, from);
}

/* mov byte [rbp + d], v */
static void st8(jasm *j, uint32_t d, uint8_t v)
{
	op_mem(j, 0, (const uint8_t[]){ 0xC6 }, 1, 0, RBP, d);
	b1(j, v);
}
/* mov byte [rbp + d], 1: a bool set. */
static void set_true(jasm *j, uint32_t d) { st8(j, d, 1); }
/* mov dword [rbp + d], v */
static void st32(jasm *j, uint32_t d, uint32_t v)
{
	op_mem(j, 0, (const uint8_t[]){ 0xC7 }, 1, 0, RBP, d);
	b4(j, v);
}

/* The result's tier = -1: no tier. */
static void st_no_tier(jasm *j) { st32(j, (uint32_t)offsetof(pt_prog_result, tier), UINT32_MAX); }
/* Where the program's start left the tier unset (j->tier_late) and no
 * way into instruction k set it: store -1, as the start would have, on a
 * way that ends the program or leaves for the interpreter there. */
static void tier_unset(jasm *j, size_t k)
{
	if (j->tier_late && j->tier_in[k] == TIER_UNSET)
		st_no_tier(j);
}

/* The first 16 bytes of a section's result as a program starts (the
 * interpreter's next_program): ran, not failed, no reasons, status OK,
 * from xmm2 (pt_jit_xmm_load). */
static void sec_start(jasm *j, uint32_t sec)
{
	op_mem(j, 0, (const uint8_t[]){ 0x0F, 0x11 }, 2, 2, RBP, sec);   /* movups [rbp + sec], xmm2 */
}
/* L_SEC's 16 bytes: the start of every section's result. */
static void sec_start_data(jasm *j)
{
	pt_section_result s;
	memset(&s, 0, sizeof s);
	s.ran = true;
	s.failed = false;
	s.nreasons = 0;
	s.status = PT_VM_OK;
	s.status_pc = 0;
	_Static_assert(offsetof(pt_section_result, status_pc) + sizeof(uint32_t) <= 16 &&
			       offsetof(pt_section_result, reasons) >= 16,
		       "what a section's start sets lies in its first 16 bytes, and nothing else does");
	put(j, &s, 16);
}
/* A section failed with one reason, s noted at pc: two stores where four
 * were (the not-linked and earn-stub failures run on most carts, and
 * their stores were most of what those carts stored).  Writes rax.  The
 * head's usable is the caller's (the not-linked path stores the head
 * whole). */
static void sec_fail1(jasm *j, uint32_t sec, uint32_t s, uint32_t pc)
{
	/* failed and nreasons 1, in one 2-byte store: mov word [rbp + ..], 0x0101 */
	_Static_assert(offsetof(pt_section_result, nreasons) == offsetof(pt_section_result, failed) + 1,
		       "failed, nreasons side by side");
	op_mem(j, 0x66, (const uint8_t[]){ 0xC7 }, 1, 0, RBP, sec + (uint32_t)offsetof(pt_section_result, failed));
	b1(j, 1);
	b1(j, 1);
	/* Only where the section marks no note (the not-linked case lays out
	 * with none marked, an earn stub's section is one FAIL): marks would
	 * follow this reason at the program's end.  Declined otherwise. */
	j->bad = j->bad || pt_jit_note_marks(j, sec);
	/* the reason, str then pc, in one 8-byte store: mov rax, imm64; mov [rbp + ..], rax
	 * (the callers hold nothing in rax) */
	_Static_assert(offsetof(pt_reason, pc) == offsetof(pt_reason, str) + 4, "str, pc side by side");
	put(j, (const uint8_t[]){ 0x48, 0xB8 }, 2);
	b8(j, (uint64_t)pc << 32 | s);
	rm_mem(j, (const uint8_t[]){ 0x89 }, 1, RAX, RBP, sec + (uint32_t)offsetof(pt_section_result, reasons));
}

/* Whether R[r] is other than INT64_MIN for certain once the code laid
 * out so far has run: a constant other than it, or known_not_min. */
static bool nm_now(const jasm *j, const pt_ruleset *rs, const pt_fast *f, uint32_t r)
{
	pt_rat v;
	return pt_jit_const_reg(rs, f, r, &v) ? v.n != INT64_MIN : known_not_min(j, r);
}

/* Whether R[r] holds a whole number for certain once the code laid out
 * so far has run: a whole constant, or known_whole. */
static bool whole_now(const jasm *j, const pt_ruleset *rs, const pt_fast *f, uint32_t r)
{
	pt_rat v;
	return pt_jit_const_reg(rs, f, r, &v) ? v.d == 1 : known_whole(j, r);
}

/* What instruction c's template wrote to registers: whether each is
 * whole (for known_whole: the whole-number forms write whole numbers; a
 * copy is as whole as what it copied; anything else is not known) and
 * whether it is other than INT64_MIN (for known_not_min: a checked
 * result is; a copy, a minimum or a cap is when what it chose from is;
 * anything else is not known).  Both are worked out before either is
 * marked, since a register may be read and written at once. */
static void track_writes(jasm *j, const pt_ruleset *rs, const pt_fast *f, const pt_fast_ins *c)
{
	const unsigned rd = pt_fast_reads(c->op);   /* a and b are registers only where read */
	bool nma = (rd & 1) && nm_now(j, rs, f, c->a), nmb = (rd & 2) && nm_now(j, rs, f, c->b);
	switch ((pt_fast_op)c->op) {
	case F_ADD_I: case F_SUB_I: case F_MUL_I: case F_MULFLOOR_I: case F_MULFLOOR_IR: case F_DIVFLOOR:
		wrote_reg(j, c->dst, true, true);   /* checked */
		return;
	case F_MIN_I:
		wrote_reg(j, c->dst, true, nma && nmb);
		return;
	case F_MAX_I:
		wrote_reg(j, c->dst, true, nma || nmb);
		return;
	case F_CAP_I:   /* a, or a cap of at least 0 */
		wrote_reg(j, c->dst, true, nma);
		return;
	case F_MOV:
		wrote_reg(j, c->dst, whole_now(j, rs, f, c->a), nma);
		return;
	case F_MOVC: case F_NEG:   /* both leave on INT64_MIN */
		wrote_reg(j, c->dst, whole_now(j, rs, f, c->a), true);
		return;
	case F_MOV2: {   /* the second read sees the first write, as the template does */
		bool wb = c->b == c->dst ? whole_now(j, rs, f, c->a) : whole_now(j, rs, f, c->b);
		bool nb = c->b == c->dst ? nma : nmb;
		wrote_reg(j, c->dst, whole_now(j, rs, f, c->a), nma);
		wrote_reg(j, c->x, wb, nb);
		return;
	}
	default:
		if (pt_fast_writes(c->op))
			wrote_reg(j, c->dst, false, false);
		if (pt_fast_props[c->op] & FP_WX)
			wrote_reg(j, c->x, false, false);
		return;
	}
}

/* jmp to instruction t (or, t SIZE_MAX, the program's end) from
 * instruction k, unless t's code stands where it is and every
 * instruction between lays out no code where it stands (j->empty: a
 * failure laid out after every program, an instruction the program's
 * start never reaches), so the code falls there. */
static void jmp_on(jasm *j, size_t k, size_t t)
{
	size_t to = t == SIZE_MAX ? j->pend : t;
	bool falls = to > k && (to == j->pend || (to < j->pend && !j->empty[to]));   /* (a failure's code is elsewhere) */
	for (size_t i = k + 1; falls && i < to; i++)
		falls = j->empty[i];
	if (!falls)
		jmp(j, t == SIZE_MAX ? j->end : (uint32_t)t);
}

static void template(jasm *j, const pt_ruleset *rs, const pt_fast *f, const pt_fast_ins *c, size_t k, uint32_t sec);

/* Translate instruction k (in index form, c) of a program whose section
 * at [rbp + sec] it belongs to.  Instructions without a template leave
 * for the interpreter. */
static void ins(jasm *j, const pt_ruleset *rs, const pt_fast *f, const pt_fast_ins *c, size_t k, uint32_t sec)
{
	template(j, rs, f, c, k, sec);
	track_writes(j, rs, f, c);
}

/* A merged guards' failure in j->cold: the first guard's index with this bit. */
#define COLD_GUARDS 0x80000000u
static void defer(jasm *j, uint32_t k, uint32_t p);

/* The condition on which guard c (JZ, JF_*, TIERSEL as its first row's
 * JF_GE_I) jumps, after its test: rax loaded with R[c->a] (have: what rax
 * holds) and compared with R[c->b], or tested. */
static int guard_test(jasm *j, const pt_ruleset *rs, const pt_fast *f, const pt_fast_ins *c, uint32_t have)
{
	static const int on[] = { [F_JF_EQ_I] = CC_NE, [F_JF_NE_I] = CC_E, [F_JF_LT_I] = CC_GE,
				  [F_JF_LE_I] = CC_G, [F_JF_GT_I] = CC_LE, [F_JF_GE_I] = CC_L,
				  [F_TIERSEL] = CC_L };
	ld_rax(j, have, c->a);
	if (c->op == F_JZ) {
		test(j, RAX);
		return CC_E;
	}
	cmp_b(j, rs, f, c->b);
	return on[c->op];
}

/* Guards k and k + 1 laid out as one branch (pt_jit_plan_guards): dl is
 * whether the first fails, cl the second; on either, to the failure
 * laid out after every program (lay_cold), which takes the first's if
 * dl says so. */
static void merged_guards(jasm *j, const pt_ruleset *rs, const pt_fast *f, const pt_fast_ins *c, size_t k,
			  uint32_t have)
{
	put(j, (const uint8_t[]){ 0x0F, (uint8_t)(0x90 | guard_test(j, rs, f, c, have)), 0xC2 }, 3);   /* setcc dl */
	put(j, (const uint8_t[]){ 0x0F, (uint8_t)(0x90 | guard_test(j, rs, f, c + 1, c->a)), 0xC1 }, 3);   /* setcc cl */
	put(j, (const uint8_t[]){ 0x08, 0xD1 }, 2);   /* or cl, dl */
	jcc(j, CC_NE, (uint32_t)(j->ncode + k + 1));   /* the second's stub label: it lays out no code */
	defer(j, (uint32_t)k | COLD_GUARDS, (uint32_t)j->pcur);
	j->rax = c[1].a;
}

/* Output field o set to 0/1 by a failure at instruction k, unless no way
 * into k wrote it since the program's start did (pt_jit_plan_written). */
static void out_zero(jasm *j, size_t k, uint32_t o)
{
	if (j->out_in[k] >> o & 1)
		st_zero(j, RBP, OFF_OUT(o));
}

/* The template of instruction k (ins). */
static void template(jasm *j, const pt_ruleset *rs, const pt_fast *f, const pt_fast_ins *c, size_t k, uint32_t sec)
{
	const uint32_t R = sizeof(pt_rat);
	uint32_t d = c->dst * R, a = c->a * R, b = c->b * R;
	const uint32_t have = j->rax;   /* for the first load only (ld_rax) */
	j->rax = NO_REG;   /* unless the template says otherwise below */
	if (j->gmerge[k] == PT_JIT_GUARDS_FAIL) {   /* a guard and the next as one branch (pt_jit_plan_guards) */
		merged_guards(j, rs, f, c, k, have);
		return;
	}
	if (c->op == F_TIERSEL && j->tsel[k]) {   /* the row found by counting (jit_tier.c) */
		pt_jit_tier_emit(j, rs, f, c - k, k, have);
		size_t t = pt_jit_tier_next(c - k, k);
		if (t < j->pend)
			j->rax_in[t] = NO_REG;   /* rax holds the label */
		jmp_on(j, k, t);
		return;
	}
	switch ((pt_fast_op)c->op) {
	case F_MOV:
	case F_MOVC:
		if (mov_reg(j, rs, f, c->a, c->dst, c->op == F_MOVC, k, have))
			j->rax = c->dst;
		break;
	case F_MOV2:   /* in order: the second read sees the first write */
		mov_reg(j, rs, f, c->a, c->dst, false, k, NO_REG);
		if (mov_reg(j, rs, f, c->b, c->x, false, k, NO_REG))
			j->rax = c->x;
		break;
	case F_ADD_I: {
		int32_t v;
		ld_rax(j, have, c->a);
		if (imm_reg(rs, f, c->b, &v))
			op_rax_imm(j, 0x05, v);   /* add rax, imm32 */
		else
			add_m(j, RAX, b);
		checked_nn(j, k, nneg(j, c->a) && nneg(j, c->b));
		st_kept(j, k, d);
		j->rax = c->dst;
		break;
	}
	case F_SUB_I: {
		int32_t v;
		if (j->fuse[k] & FUSE_SUB_RCX) {   /* into rcx, for the cap after (rax kept) */
			sub_rcx(j, rs, f, c, k, have);
			j->rax = have == c->dst ? NO_REG : have;
			break;
		}
		if (imm_reg(rs, f, c->b, &v)) {   /* a constant b: not INT64_MIN */
			ld_rax(j, have, c->a);
			op_rax_imm(j, 0x2D, v);   /* sub rax, imm32 */
		} else {
			ld(j, RCX, RBX, b);
			if (!known_not_min(j, c->b)) {
				cmp_min(j, RCX);
				bail(j, CC_E, k);
				j->nmark[c->b] = j->wgen;
			}
			ld_rax(j, have, c->a);
			rr(j, (const uint8_t[]){ 0x29 }, 1, RCX, RAX);   /* sub rax, rcx */
		}
		if (!nneg(j, c->a) || !nneg(j, c->b))   /* else between -INT64_MAX and INT64_MAX */
			checked(j, k);
		st_kept(j, k, d);
		j->rax = c->dst;
		break;
	}
	case F_MUL_I:
	case F_MULFLOOR_I:
	case F_MULFLOOR_I_O:
		ld_rax(j, have, c->a);
		imul_m(j, RAX, b);
		checked_nn(j, k, nneg(j, c->a) && nneg(j, c->b));
		st_result(j, k, c->op == F_MULFLOOR_I_O, d, c->dst, nneg(j, c->a) && nneg(j, c->b));
		j->rax = c->op == F_MULFLOOR_I_O ? NO_REG : c->dst;
		break;
	case F_MULFLOOR_IR:
	case F_MULFLOOR_IR_O:
		ld_rax(j, have, c->a);
		mulfloor_ir(j, rs, f, k, c->a, c->b);
		st_result(j, k, c->op == F_MULFLOOR_IR_O, d, c->dst, nneg(j, c->a) && nneg(j, c->b));
		j->rax = c->op == F_MULFLOOR_IR_O ? NO_REG : c->dst;
		break;
	case F_NEG:
		check_min(j, have, c->a, k);
		rr(j, (const uint8_t[]){ 0xF7 }, 1, 3, RAX);   /* neg rax */
		st(j, RBX, d, RAX);
		if (!den_one(j, RBX, d)) {
			ld(j, RCX, RBX, a + 8);
			st(j, RBX, d + 8, RCX);
		}
		break;
	case F_DIVFLOOR: {   /* fast_divfloor's whole-number case; the rest in the interpreter */
		pt_rat v;   /* a constant divisor above 0 (yen per point) divides as floor_div_const */
		bool known = pt_jit_const_reg(rs, f, c->b, &v) && v.n > 0 && v.d >= 1 && v.d <= INT32_MAX;
		if (!known) {
			ld(j, RCX, RBX, b);
			test(j, RCX);
			bail(j, CC_LE, k);             /* b.n > 0 (so not INT64_MIN) */
		}
		if (!whole_now(j, rs, f, c->a)) {
			ld(j, RAX, RBX, a + 8);
			rr(j, (const uint8_t[]){ 0x83 }, 1, 7, RAX);   /* cmp rax, 1: a.d == 1 */
			b1(j, 1);
			bail(j, CC_NE, k);
		}
		ld(j, RAX, RBX, a);
		if (known) {
			imul_imm(j, (int32_t)v.d);   /* a.n * b.d */
		} else {
			imul_m(j, RAX, b + 8);         /* a.n * b.d (INT64_MIN stays or overflows: checked) */
		}
		checked_nn(j, k, nneg(j, c->a));   /* b.d is at least 1 */
		if (known)
			floor_div_const(j, (uint64_t)v.n, nneg(j, c->a));
		else
			floor_div_rcx(j, nneg(j, c->a));
		st_kept(j, k, d);
		j->rax = c->dst;
		break;
	}
	case F_MIN_I:
	case F_MAX_I:
	case F_MAX_I_O: {
		pt_rat v;
		if (c->op == F_MAX_I_O && pt_jit_const_reg(rs, f, c->b, &v) && v.n <= 0) {   /* max(a, b <= 0) clamped: a clamped */
			int m = cache_reg(j, RBX, a);
			if (have != c->a && m >= 0 && nneg(j, c->a)) {   /* stored from r8..r12 as it is */
				st_int_from(j, m, RBP, OFF_OUT(c->dst));
				break;
			}
			ld_rax(j, have, c->a);
			st_result(j, k, true, d, c->dst, nneg(j, c->a));
			break;
		}
		ld_rax(j, have, c->a);
		ld(j, RCX, RBX, b);
		rr(j, (const uint8_t[]){ 0x39 }, 1, RAX, RCX);   /* cmp rcx, rax */
		cmov(j, c->op == F_MIN_I ? CC_L : CC_G, RAX, RCX);
		st_result(j, k, c->op == F_MAX_I_O, d, c->dst, nneg(j, c->a) || nneg(j, c->b));
		j->rax = c->op == F_MAX_I_O ? NO_REG : c->dst;
		break;
	}
	case F_CAP_I: {   /* a above max(b, 0) becomes it, with the cap's reason */
		pt_rat v;
		bool in_rcx = j->fuse[k] & FUSE_B_RCX;   /* the SUB_I before left b there */
		uint8_t before = k > 0 ? j->fuse[k - 1] : 0;
		if (((before & FUSE_KEEP) && have != c->a) || ((before & FUSE_KEEP_B) && have != c->b))
			j->bad = true;   /* not reached: R[a] or R[b] is only in rax (pt_jit_plan_fuse) */
		if (before & FUSE_KEEP_B) {   /* b from rax, before a is loaded there */
			rr(j, (const uint8_t[]){ 0x89 }, 1, RAX, RCX);   /* mov rcx, rax */
			in_rcx = true;
		}
		ld_rax(j, before & FUSE_KEEP_B ? NO_REG : have, c->a);
		if (!in_rcx && pt_jit_const_reg(rs, f, c->b, &v) && v.n <= INT32_MAX) {   /* a constant cap: max(b, 0) now */
			movi(j, RCX, (uint32_t)(v.n < 0 ? 0 : v.n));
		} else {
			if (!in_rcx)
				ld(j, RCX, RBX, b);
			if (!nneg(j, c->b)) {   /* else max(b, 0) is b */
				zero(j, RDX);
				test(j, RCX);
				cmov(j, CC_S, RCX, RDX);
			}
		}
		/* a at least 0, as the cap is: compared unsigned, a above the cap is the
		 * carry, which the note marks (pt_jit_note_if) */
		bool carry = nneg(j, c->a), keep_a = j->fuse[k] & FUSE_KEEP_A;
		if (carry)
			rr(j, (const uint8_t[]){ 0x39 }, 1, RAX, RCX);   /* cmp rcx, rax */
		else
			rr(j, (const uint8_t[]){ 0x39 }, 1, RCX, RAX);   /* cmp rax, rcx */
		if (keep_a) {   /* the result in rcx, R[a] left in rax for the REASON_LE_I after */
			cmov(j, carry ? CC_AE : CC_LE, RCX, RAX);
			st_int_from(j, RCX, RBX, d);   /* mov leaves the flags */
		} else {
			cmov(j, carry ? CC_B : CC_G, RAX, RCX);
			st_kept(j, k, d);
		}
		if (c->x != PT_NO_STR)
			pt_jit_note_if(j, carry ? CC_B : CC_G, sec, PT_INS_ARG(rs->code[c->x]), c->x, k);
		j->rax = c->x != PT_NO_STR && !j->inline_note[k] ? NO_REG : keep_a ? c->a : c->dst;   /* a call changes rax */
		break;
	}
	case F_JF_EQ_I: case F_JF_NE_I: case F_JF_LT_I: case F_JF_LE_I: case F_JF_GT_I: case F_JF_GE_I:
	case F_TIERSEL:   /* TIERSEL is its first row's JF_GE_I; the rows follow */
	case F_JZ:
		jcc(j, guard_test(j, rs, f, c, have), c->x);
		j->rax = c->a;   /* going on; where it jumps to is a jump target */
		break;
	case F_JMP:
		jmp_on(j, k, c->x);
		break;
	case F_OUT:
		if (out_reg(j, rs, f, c->a, c->x, false, k, have))
			j->rax = c->a;
		break;
	case F_OUT_MOVC: {   /* the check first, then both fields */
		pt_rat v;
		bool folded = pt_jit_const_reg(rs, f, c->b, &v) && v.n != INT64_MIN;
		if (!folded && c->a == c->b && known_whole(j, c->b)) {   /* one value, clamped once */
			check_min(j, have, c->b, k);
			if (!nneg(j, c->b))
				clamp_int(j);
			st_int(j, RBP, OFF_OUT(c->x));
			st_int(j, RBP, OFF_OUT(c->dst));
			break;
		}
		if (!folded)
			check_min(j, have, c->b, k);
		out_reg(j, rs, f, c->a, c->x, false, k, NO_REG);
		out_reg(j, rs, f, c->b, c->dst, false, k, NO_REG);
		break;
	}
	case F_MOVC_O:
		out_reg(j, rs, f, c->a, c->dst, true, k, have);
		break;
	case F_REASON_LE_I: {
		pt_rat v;
		ld_rax(j, have, c->a);
		if (nneg(j, c->a) && pt_jit_const_reg(rs, f, c->b, &v) && v.d == 1 && v.n >= 0 && v.n < INT32_MAX) {
			op_rax_imm(j, 0x3D, (int32_t)v.n + 1);   /* cmp rax, b + 1: a <= b is the carry (both at least 0) */
			pt_jit_note_if(j, CC_B, sec, c->dst, c->x, k);
		} else {
			cmp_b(j, rs, f, c->b);
			pt_jit_note_if(j, CC_LE, sec, c->dst, c->x, k);
		}
		j->rax = j->inline_note[k] ? c->a : NO_REG;   /* a call changes rax */
		break;
	}
	case F_TIERJ:
		st32(j, (uint32_t)offsetof(pt_prog_result, tier), c->a);
		jmp_on(j, k, c->x);
		break;
	case F_HALT_R:
		zero_locals(j, f->reg_locals, c->dst);
		jmp_on(j, k, c->x);
		break;
	case F_FAIL_R:
	case F_FAIL_RE:
		if (c->op == F_FAIL_RE)
			tier_unset(j, k);
		set_true(j, OFF_FAILED(OFF_REDEEM));
		st32(j, (uint32_t)offsetof(pt_prog_result, usable), 0);
		pt_jit_note_always(j, OFF_REDEEM, c->b, c->x, k);
		out_zero(j, k, PT_OUT_R_MAX_POINTS);
		out_zero(j, k, PT_OUT_R_VALUE_YEN);
		if (c->op == F_FAIL_R) {
			zero_locals(j, f->reg_locals, c->dst);
			jmp(j, c->a);
		} else {
			jmp(j, j->end);
		}
		break;
	case F_FAIL_E:
		tier_unset(j, k);
		set_true(j, OFF_FAILED(OFF_EARN));
		pt_jit_note_always(j, OFF_EARN, c->b, c->x, k);
		out_zero(j, k, PT_OUT_E_POINTS);
		jmp(j, j->end);
		break;
	case F_HALT_E:
		tier_unset(j, k);
		jmp_on(j, k, SIZE_MAX);
		break;
	default:   /* no template: the interpreter runs it, and the rest of the program.  So
		    * do TIER and REASON alone: no rule set the tests hold keeps them
		    * unfused (TIERJ, REASON_LE_I), so a template would go untested */
		j->want_stub[k] = 1;
		jmp(j, (uint32_t)(j->ncode + k));
		break;
	}
}

/* Whether instruction op is laid out after every program (defer): a
 * section's failure, which most carts do not reach.  Out of the way, the
 * code every cart runs lies in fewer cache lines: with 20 programs the
 * machine code outgrew the first-level instruction cache, and its time
 * moved by a third with where the code was mapped (docs/performance.md). */
static bool is_cold(uint32_t op) { return pt_jit_failure(op); }

/* Lay instruction k of program p (or, k UINT32_MAX, p's unlinked_fail)
 * out after every program (lay_cold). */
static void defer(jasm *j, uint32_t k, uint32_t p)
{
	if (!pt_grow((void **)&j->cold, &j->capcold, j->ncold + 1, sizeof *j->cold, 64)) {
		j->bad = true;
		return;
	}
	j->cold[j->ncold++] = (cold){ k, p };
}

/* The deferred code, in order: each piece at its label, knowing nothing
 * of rax or of the registers (it is reached by jumps only), ending as it
 * would in line (at its program's end, or in its earn section). */
static void lay_cold(jasm *j, const pt_ruleset *rs, const pt_fast *f, const pt_fast_ins *code)
{
	for (size_t i = 0; i < j->ncold && !j->bad; i++) {
		const cold c = j->cold[i];
		const pt_fast_prog *fp = &f->progs[c.p];
		j->end = L_NEXT(j, c.p);
		j->wgen++;
		j->rax = NO_REG;
		j->out_frac = UINT32_MAX;   /* failures store 0/1 whole anyway */
		j->tier_late = j->tier_late_on[c.p];
		j->cnt_cur = j->cnt_on[c.p];
		j->pcur = c.p;
		if (c.k == UINT32_MAX) {
			j->label[L_UNLINKED(j, c.p)] = (uint32_t)j->n;
			j->cnt_cur = 0;   /* the notes are stored (none marked): on past where the program's end stores them */
			if (j->tier_late)   /* its start left the tier to its instructions */
				st_no_tier(j);
			/* the head: not linked, not usable, use_valid, no runtime error, in one
			 * store: pshufd xmm3, xmm1, 0xEF (L_HEAD's dwords 3, 3, 2, 3); movups [rbp], xmm3 */
			if (j->avx) {   /* vpshufd xmm4, xmm1, 0xEF (xmm3 is kept); vmovups [rbp], xmm4 */
				put(j, (const uint8_t[]){ 0xC5, 0xF9, 0x70, 0xE1, 0xEF }, 5);
				vstore(j, false, 4, 0);
			} else {
				put(j, (const uint8_t[]){ 0x66, 0x0F, 0x70, 0xD9, 0xEF }, 5);
				op_mem(j, 0, (const uint8_t[]){ 0x0F, 0x11 }, 2, 3, RBP, 0);
			}
			sec_fail1(j, OFF_REDEEM, fp->unlinked_str[0], fp->unlinked[0]);
			sec_fail1(j, OFF_EARN, fp->unlinked_str[1], fp->unlinked[1]);
			jmp(j, L_STORED(j, c.p));
			continue;
		}
		if (c.k & COLD_GUARDS) {   /* merged guards' failure: the first's if dl, else the second's */
			const uint32_t k = c.k & ~COLD_GUARDS, f1 = code[k].x, f2 = code[k + 1].x;
			j->label[j->ncode + k + 1] = (uint32_t)j->n;
			movi(j, RAX, (uint32_t)1 << j->site_bit[f2]);
			movi(j, RCX, (uint32_t)1 << j->site_bit[f1]);
			put(j, (const uint8_t[]){ 0x84, 0xD2, 0x0F, 0x45, 0xC1 }, 5);   /* test dl, dl; cmovne eax, ecx */
			j->note_eax = true;   /* the failure template notes with eax (pt_jit_note_always) */
			j->nn_cur = j->nn_in[f1];
			ins(j, rs, f, &code[f1], f1, f1 < fp->entry[1] ? OFF_REDEEM : OFF_EARN);
			j->note_eax = false;
			continue;
		}
		j->label[c.k] = (uint32_t)j->n;
		j->nn_cur = j->nn_in[c.k];
		ins(j, rs, f, &code[c.k], c.k, c.k < fp->entry[1] ? OFF_REDEEM : OFF_EARN);
	}
}

/* What the interpreter's next_program does before a program's first
 * instruction, with what it tests of the program settled here: the
 * result's fields as a program starts, a program the cart does not link
 * concluded at once (unlinked_fail), an earn section that only fails
 * settled (earn_stub), locals zeroed (zero_locals). */
static void prog_start(jasm *j, const pt_fast *f, const pt_fast_prog *fp, size_t p)
{
	ld(j, RAX, RBX, fp->linked * (uint32_t)sizeof(pt_rat));
	test(j, RAX);
	if (j->avx) {   /* the 128 bytes from the head to the redeem section's start, and the earn section's */
		_Static_assert(OFF_OUT(0) == 16 && OFF_REDEEM == OFF_OUT(PT_OUT__COUNT) && PT_OUT__COUNT == 6,
			       "a result's start is four 32-byte stores");
		vstore(j, true, 1, 0);
		vstore(j, true, 0, 32);
		vstore(j, true, 0, 64);
		vstore(j, true, 2, 96);
		vstore(j, false, 3, OFF_EARN);
		if (!fp->unlinked_fail)
			op_mem(j, 0, (const uint8_t[]){ 0x0F, 0x95 }, 2, 0, RBP, (uint32_t)offsetof(pt_prog_result, linked));   /* setne */
	}
	/* the head (vm.h): linked, usable, use_valid, no runtime error; where
	 * the program is concluded at once when not linked, after that jump
	 * (the not-linked head stored whole there: lay_cold), else linked's
	 * low byte from the test */
	if (!fp->unlinked_fail && !j->avx) {
		op_mem(j, 0, (const uint8_t[]){ 0x0F, 0x11 }, 2, 1, RBP, 0);   /* movups [rbp + 0], xmm1 */
		op_mem(j, 0, (const uint8_t[]){ 0x0F, 0x95 }, 2, 0, RBP, (uint32_t)offsetof(pt_prog_result, linked));   /* setne */
	}
	if (!j->avx) {   /* the sections' starts, every output 0/1 (xmm0) */
		sec_start(j, OFF_REDEEM);
		sec_start(j, OFF_EARN);
		for (uint32_t o = 0; o < PT_OUT__COUNT; o++)
			op_mem(j, 0, (const uint8_t[]){ 0x0F, 0x11 }, 2, 0, RBP, OFF_OUT(o));   /* movups [rbp + out[o]], xmm0 */
	}
	if (!j->tier_late)   /* else the ways that set no tier store -1 (tier_unset) */
		st_no_tier(j);
	if (fp->unlinked_fail) {   /* the flags of the test above: mov and setcc keep them */
		jcc(j, CC_E, L_UNLINKED(j, p));
		defer(j, UINT32_MAX, p);   /* unlinked: both sections fail there (lay_cold) */
		if (!j->avx)   /* (else stored above, and overwritten there) */
			op_mem(j, 0, (const uint8_t[]){ 0x0F, 0x11 }, 2, 1, RBP, 0);   /* movups [rbp + 0], xmm1: linked */
	}
	for (uint32_t sec = OFF_REDEEM, i = 0; i < 2; sec = OFF_EARN, i++)   /* no reasons yet (after the jump: xor sets flags) */
		if (pt_jit_note_marks(j, sec)) {   /* xor r14d, r14d or r15d, r15d */
			put(j, (const uint8_t[]){ 0x45, 0x31 }, 2);
			b1(j, (uint8_t)(0xC0 | (pt_jit_note_reg(sec) << 3) | pt_jit_note_reg(sec)));
		}
	if (fp->earn_stub)
		sec_fail1(j, OFF_EARN, fp->earn_fail_str, fp->earn_fail);
	if (fp->zero_locals)
		zero_locals(j, f->reg_locals, fp->nlocals);
}

/* The prologue every entry point starts with: push rbx; push rbp; push
 * r12; push r13; push r14; push r15; push rax (the stack is then 16-byte
 * aligned for calls); lea rbx, [rdi + rbase + BIAS]; lea rbp, [rsi +
 * BIAS]; lea r13, [rdx + BIAS]. */
static void prologue(jasm *j)
{
	put(j, (const uint8_t[]){ 0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57, 0x50, 0x48, 0x8D, 0x9F },
	    14);
	b4(j, j->rbase + BIAS);
	put(j, (const uint8_t[]){ 0x48, 0x8D, 0xAE }, 3);
	b4(j, BIAS);
	if (j->nin) {
		put(j, (const uint8_t[]){ 0x4C, 0x8D, 0xAA }, 3);
		b4(j, BIAS);
	}
	pt_jit_xmm_load(j);
}

/* The derived registers (fast_derive in fast.c): the total minus each
 * exclusion list's category sums, every step checked, and the value
 * below 0 leaving too (pt_jit_type_signs types them at least 0; the
 * sign test after the last step covers INT64_MIN).  Where the total and
 * a list's sums are typed at least 0 (a cart's, always), the value only
 * falls step by step, so a step below 0 would end below 0 or overflow,
 * and each step tests the sign alone: at least 0 before it, it cannot
 * overflow. */
static void derive(jasm *j, const pt_fast *f)
{
	const uint32_t R = sizeof(pt_rat);
	const uint32_t *k = f->dset_slots;   /* byte offsets, the lists consecutive */
	for (uint32_t s = 0; s < f->nderived; s++) {
		const uint32_t *end = f->dset_slots + f->dset_start[s + 1];
		bool falls = f->dtotal >= 0 && (uint32_t)f->dtotal < f->nregs && j->nonneg[f->dtotal];
		for (const uint32_t *q = k; q < end; q++)
			falls = falls && *q % R == 0 && *q / R < f->nregs && j->nonneg[*q / R];
		ld(j, RAX, RBX, (uint32_t)f->dtotal * R);
		if (k == end)
			test(j, RAX);
		for (; k < end; k++) {
			rd_mem(j, (const uint8_t[]){ 0x2B }, 1, RAX, *k);   /* sub rax, [slot] */
			if (falls && k + 1 < end)
				jcc(j, CC_S, L_DERIVE_FAILED(j));
			else if (k + 1 < end)
				checked_to(j, L_DERIVE_FAILED(j));
			else if (!falls)
				jcc(j, CC_O, L_DERIVE_FAILED(j));
		}
		jcc(j, CC_S, L_DERIVE_FAILED(j));
		st_int(j, RBX, (f->reg_derived + s) * R);
	}
}

/* What rax holds on instruction c's jump (just laid out) to an
 * instruction before end, joined with what the ways into it laid out
 * before left there (rax_at_target): the register compared or tested
 * by a conditional jump, which loads it into rax first (JF_*, TIERSEL,
 * JZ); nothing known after the others. */
static void rax_on_jump(jasm *j, const pt_fast_ins *c, size_t end)
{
	size_t t = pt_jit_jump_target(c);
	if (t >= end)
		return;
	uint32_t r = NO_REG;
	switch ((pt_fast_op)c->op) {
	case F_JF_EQ_I: case F_JF_NE_I: case F_JF_LT_I: case F_JF_LE_I: case F_JF_GT_I: case F_JF_GE_I:
	case F_TIERSEL: case F_JZ:
		r = j->rax;   /* c->a, as the template leaves it */
		break;
	default:
		break;
	}
	j->rax_in[t] = j->rax_in[t] == RAX_NO_WAY || j->rax_in[t] == r ? r : NO_REG;
}

/* What rax holds at instruction k, a jump target of the program starting
 * at start: the register every way into it leaves there (jumps are
 * forward, so every jump to k is laid out by now), the instruction
 * before falling into it included; else NO_REG.  A tier table's rows
 * each compare the same register, and the row after a failed one is
 * reached only by its jump. */
static uint32_t rax_at_target(const jasm *j, const pt_fast_ins *code, size_t start, size_t k)
{
	uint32_t r = j->rax_in[k];
	if (k > start && !pt_jit_ends(code[k - 1].op))   /* the instruction before falls in (pt_jit_succ) */
		r = r == RAX_NO_WAY || r == j->rax ? j->rax : NO_REG;
	return r == RAX_NO_WAY ? NO_REG : r;
}

/* Lay out the whole rule set as one chain: the entry `all` (prologue,
 * derived values), then every program in order, each ending by moving
 * rbp to the next result; then the entries `from` p (prologue, a jump to
 * program p), the stubs and the shared epilogue.  A program the JIT
 * declines prepares its result and leaves at its first instruction. */
static void assemble(jasm *j, const pt_ruleset *rs, const pt_fast *f, const pt_fast_ins *code, uint32_t *entry,
		     uint8_t *native)
{
	entry[rs->nprogs] = (uint32_t)j->n;   /* all */
	prologue(j);
	derive(j, f);
	for (size_t p = 0; p < rs->nprogs && !j->bad; p++) {
		const pt_fast_prog *fp = &f->progs[p];
		size_t end = p + 1 < rs->nprogs ? f->progs[p + 1].entry[0] : j->ncode;
		j->label[L_PROG(j, p)] = (uint32_t)j->n;
		j->end = L_NEXT(j, p);
		pt_jit_plan_outs(j, rs, f, code, fp->start, end);
		pt_jit_plan_written(j, code, fp->start, end);
		j->any_frac |= j->out_frac;
		native[p] = pt_jit_compilable(j, f, fp, code, fp->start, end);
		j->cnt_cur = 0;
		j->tier_late = false;
		j->pcur = p;
		j->site0[2 * p] = j->site0[2 * p + 1] = j->nsites;   /* no inline notes, unless planned */
		if (native[p]) {
			pt_jit_plan_notes(j, rs, fp, code, fp->start, end);
			pt_jit_plan_signs(j, rs, f, code, fp->start, end);
			pt_jit_plan_tier(j, code, fp->start, end);
			pt_jit_plan_tables(j, rs, f, code, fp->start, end);   /* (clears rows' reach) */
			pt_jit_plan_guards(j, code, fp->start, end);          /* (likewise) */
			pt_jit_plan_fuse(j, f, code, fp->start, end);         /* (after both: reads reach) */
			pt_jit_plan_cache(j, f, code, fp->start, fp->entry[1], end);   /* (counts what fuse leaves) */
			for (size_t k = fp->start; k < end; k++)   /* the sections with inline notes mark them in registers */
				if (j->inline_note[k])
					j->cnt_cur |= k < fp->entry[1] ? 1 : 2;
		}
		j->cnt_on[p] = j->cnt_cur;
		j->tier_late_on[p] = j->tier_late;
		j->ncache_on[p] = native[p] ? j->ncache : 0;
		memcpy(j->cache_on + PT_JIT_NCACHE * p, j->cache_off, sizeof j->cache_off);
		j->ncache = 0;   /* (the start reads and writes memory) */
		prog_start(j, f, fp, p);
		j->ncache = j->ncache_on[p];   /* the program's instructions keep them in r8 to r12 */
		if (!native[p]) {
			j->want_stub[fp->start] = 1;
			jmp(j, (uint32_t)(j->ncode + fp->start));
		}
		j->wgen++;   /* nothing is known of the registers as a program starts */
		j->rax = NO_REG;
		for (size_t k = fp->start; native[p] && k < end; k++)
			j->rax_in[k] = RAX_NO_WAY;
		j->pend = end;
		for (size_t k = fp->start; native[p] && k < end; k++) {   /* what lays out no code where it stands */
			bool fallen = k == fp->start || (j->reach[k - 1] && !pt_jit_ends(code[k - 1].op));
			j->empty[k] = !j->reach[k] || j->gmerge[k] == PT_JIT_GUARDS_IN || (is_cold(code[k].op) && !fallen);
		}
		for (size_t k = fp->start; native[p] && k < end; k++) {
			j->wgen += j->target[k];
			if (j->target[k])
				j->rax = rax_at_target(j, code, fp->start, k);
			if (j->gmerge[k] == PT_JIT_GUARDS_IN) {   /* laid out with the guard before (pt_jit_plan_guards) */
				j->label[k] = (uint32_t)j->n;
				continue;
			}
			if (!j->reach[k] && !is_cold(code[k].op)) {   /* never run: nothing laid out */
				j->label[k] = (uint32_t)j->n;
				j->rax = NO_REG;
				continue;
			}
			if (is_cold(code[k].op)) {   /* laid out after every program: only a jump here, if fallen into */
				if (!j->empty[k])   /* prog_start or k - 1 falls in */
					jmp(j, (uint32_t)k);
				defer(j, (uint32_t)k, (uint32_t)p);   /* (a failure writes no register) */
				j->rax = NO_REG;
			} else {
				j->label[k] = (uint32_t)j->n;
				j->nn_cur = j->nn_in[k];
				ins(j, rs, f, &code[k], k, k < fp->entry[1] ? OFF_REDEEM : OFF_EARN);
			}
			rax_on_jump(j, &code[k], end);
		}
		j->ncache = 0;   /* nothing after a program's end reads them */
		j->label[L_NEXT(j, p)] = (uint32_t)j->n;
		pt_jit_note_flush(j);
		j->label[L_STORED(j, p)] = (uint32_t)j->n;
		rm_mem(j, (const uint8_t[]){ 0x8D }, 1, RBP, RBP, (uint32_t)sizeof(pt_prog_result) + BIAS);   /* lea rbp, [rbp + size] */
	}
	jmp(j, L_RETURN(j));
	lay_cold(j, rs, f, code);
	for (size_t p = 0; p < rs->nprogs; p++) {
		entry[p] = (uint32_t)j->n;
		prologue(j);
		jmp(j, L_PROG(j, p));
	}
	for (size_t k = 0, p = 0; k < j->ncode; k++) {
		while (p + 1 < rs->nprogs && k >= f->progs[p + 1].entry[0])
			p++;
		if (j->want_stub[k]) {   /* leaving for the interpreter, which reads the counts */
			j->label[j->ncode + k] = (uint32_t)j->n;
			j->cnt_cur = j->cnt_on[p];
			pt_jit_note_flush(j);
			j->tier_late = j->tier_late_on[p];
			tier_unset(j, k);
			pt_jit_cache_move(j, j->cache_on + PT_JIT_NCACHE * p, j->ncache_on[p], j->cache_done[k], false);
			movi(j, RAX, (uint32_t)k + 1);
			jmp(j, L_EPILOGUE(j));
		}
	}
	j->label[L_DERIVE_FAILED(j)] = (uint32_t)j->n;
	movi(j, RAX, PT_JIT_DERIVE_FAILED);
	jmp(j, L_EPILOGUE(j));
	j->label[L_RETURN(j)] = (uint32_t)j->n;
	zero(j, RAX);
	j->label[L_EPILOGUE(j)] = (uint32_t)j->n;
	vzeroupper(j);
	put(j, (const uint8_t[]){ 0x59, 0x41, 0x5F, 0x41, 0x5E, 0x41, 0x5D, 0x41, 0x5C, 0x5D, 0x5B, 0xC3 }, 12);   /* pop rcx;
		pop r15; pop r14; pop r13; pop r12; pop rbp; pop rbx; ret */
	while (j->n % 16 && !j->bad)
		b1(j, 0xCC);   /* int3: never run */
	j->text = j->n;
	j->label[L_ZERO_ONE(j)] = (uint32_t)j->n;   /* two outputs' 0/1, the head and one, one and the section's start */
	for (int i = 0; i < 2; i++) {
		b8(j, 0);
		b8(j, 1);
	}
	j->label[L_HEAD(j)] = (uint32_t)j->n;
	_Static_assert(offsetof(pt_prog_result, linked) == 0 && offsetof(pt_prog_result, usable) == 4 &&
			       offsetof(pt_prog_result, use_valid) == 8 && offsetof(pt_prog_result, runtime_error) == 12,
		       "L_HEAD's layout");
	b4(j, 1);   /* linked (prog_start: else not stored, or its byte set by setne) */
	b4(j, 1);   /* usable until the redeem section fails */
	b4(j, 1);   /* use_valid */
	b4(j, 0);   /* runtime_error: a runtime error leaves the machine code */
	j->label[L_ZERO_SEC(j)] = (uint32_t)j->n;
	b8(j, 0);
	b8(j, 1);
	j->label[L_SEC(j)] = (uint32_t)j->n;
	sec_start_data(j);
	j->label[PT_JIT_L_MIN(j)] = (uint32_t)j->n;
	b8(j, (uint64_t)1 << 63);
	pt_jit_tier_data(j, rs, f, code);
}

/* Compile f (jit.h): check what every offset needs, lay the chain out,
 * patch the jumps, then map the code read-only and executable. */
pt_jit *pt_jit_build(const pt_ruleset *rs, const pt_fast *f)
{
	return pt_jit_build_with(rs, f, pt_jit_avx());
}

/* Whether this processor and its system run AVX (the upper halves
 * saved): a result's start is then stored 32 bytes at a time. */
bool pt_jit_avx(void)
{
	return __builtin_cpu_supports("avx");
}

/* (jit.h) */
pt_jit *pt_jit_build_with(const pt_ruleset *rs, const pt_fast *f, bool avx)
{
	if (!f || !rs->nprogs || f->ncode >= UINT32_MAX / 4 || rs->nprogs >= UINT32_MAX / 4)
		return NULL;
	/* every offset into the registers fits a displacement, every
	 * program's locals are few enough (checked again per program) */
	if ((uint64_t)f->nregs * sizeof(pt_rat) > INT32_MAX - 64)
		return NULL;
	for (size_t p = 0; p < rs->nprogs; p++)
		if (f->progs[p].nlocals > PT_MAX_LOCALS || f->progs[p].nlocals > f->nregs - f->reg_locals)
			return NULL;
	size_t limit = JIT_MAX_INS * (f->ncode + 1) + JIT_MAX_PROG * rs->nprogs + 65536;
	jasm j = { .ncode = f->ncode, .nprogs = rs->nprogs,
		   .limit = limit < PT_JIT_MAX_CODE ? limit : PT_JIT_MAX_CODE, .avx = avx };
	pt_fast_ins *code = malloc(f->ncode * sizeof *code);
	uint32_t *entry = malloc((rs->nprogs + 1) * sizeof *entry);
	size_t nlabels = NLABELS(f->ncode, rs->nprogs);
	j.label = malloc(nlabels * sizeof *j.label);
	pt_jit *jit = malloc(sizeof *jit + rs->nprogs * sizeof jit->from[0]);
	uint8_t *native = calloc(rs->nprogs, 1);
	if (!pt_jit_scratch_new(&j, rs, f) || !code || !entry || !j.label || !jit || !native)
		goto fail;
	for (size_t k = 0; k < f->ncode; k++) {   /* index form: registers, fields and targets */
		code[k] = f->code[k];
		pt_fast_encode(&code[k], false);
	}
	j.live = malloc((f->ncode + 1) * sizeof *j.live);   /* out of memory: nothing fused */
	if (j.live && (!pt_fast_live_temps(f, code, f->ncode, j.live) || pt_jit_temps_cross(rs, f, code, j.live))) {
		free(j.live);
		j.live = NULL;
	}
	for (size_t k = 0; k < nlabels; k++)
		j.label[k] = UINT32_MAX;
	pt_jit_choose_rbase(&j, f, code);
	pt_jit_type_dens(&j, rs, f, code);
	(void)pt_jit_plan_exposed(&j, f, code);   /* out of memory: nothing is kept in r8 to r12 */
	pt_jit_type_signs(&j, rs, f, code);
	assemble(&j, rs, f, code, entry, native);
	if (j.bad)
		goto fail;
	if (!pt_jit_scratch_finish(&j, rs, f, entry, native, jit))
		goto fail;
	native = NULL;
	goto out;
fail:
	free(jit);
	jit = NULL;
out:
	free(native);
	free(code);
	free(entry);
	free(j.label);
	pt_jit_scratch_free(&j);
	return jit;
}

/* Machine code is built here (jit.h). */
bool pt_jit_supported(void) { return true; }


#else   /* no JIT here: the interpreter runs everything */

/* No machine code here: the interpreter runs everything. */
pt_jit *pt_jit_build(const pt_ruleset *rs, const pt_fast *f)
{
	(void)rs;
	(void)f;
	return NULL;
}

pt_jit *pt_jit_build_with(const pt_ruleset *rs, const pt_fast *f, bool avx)
{
	(void)avx;
	return pt_jit_build(rs, f);
}

bool pt_jit_avx(void) { return false; }

/* Machine code is not built here. */
bool pt_jit_supported(void) { return false; }

/* Nothing was mapped. */
void pt_jit_free(pt_jit *j) { (void)j; }

#endif

