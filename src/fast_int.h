/* fast_int.h - the register instructions of the fast code, shared by the
 * translator (fast.c) and its optimiser (fast_opt.c); not a public
 * interface.
 *
 * Generic operations take any rational; the _I forms are chosen by the
 * optimiser for registers it proved always hold whole numbers and work on
 * the numerators alone (still checked: an overflow sends the program back
 * to the reference VM).  The _O forms write a result field (dst is the
 * output index, PT_OUT_*) instead of a register. */
#ifndef PT_FAST_INT_H
#define PT_FAST_INT_H

#include "fast.h"

#define PT_FAST_OPS(X) \
	X(MOV) X(ADD) X(SUB) X(MUL) X(DIV) X(MULFLOOR) X(DIVFLOOR) X(MIN) X(MAX) \
	X(NEG) X(FLOOR) X(CEIL) X(ROUND) X(NOT) \
	X(EQ) X(NE) X(LT) X(LE) X(GT) X(GE) X(AND) X(OR) X(CAP) \
	X(ADD_I) X(SUB_I) X(MUL_I) X(MULFLOOR_I) X(MULFLOOR_IR) X(DIVFLOOR_I) X(MIN_I) X(MAX_I) X(CAP_I) X(MOVC) \
	X(JF_EQ) X(JF_NE) X(JF_LT) X(JF_LE) X(JF_GT) X(JF_GE) \
	X(JF_EQ_I) X(JF_NE_I) X(JF_LT_I) X(JF_LE_I) X(JF_GT_I) X(JF_GE_I) X(JZ) X(JMP) \
	X(OUT) X(OUT_MOVC) X(MOVC_O) X(MULFLOOR_I_O) X(MULFLOOR_IR_O) X(MAX_I_O) \
	X(REASON) X(REASON_LE_I) X(TIER) X(MOV2) X(TIERJ) X(FAIL) X(HALT) \
	X(FAIL_R) X(FAIL_E) X(HALT_R) X(HALT_E) X(FAIL_RE) X(TIERSEL)

typedef enum {
#define PT_FAST_ENUM(name) F_##name,
	PT_FAST_OPS(PT_FAST_ENUM)
#undef PT_FAST_ENUM
	F__COUNT   /* also marks a deleted instruction until compaction */
} pt_fast_op;

/* What an instruction does with its fields (pt_fast_props). */
enum {
	FP_W = 1,     /* writes register dst */
	FP_A = 2,     /* reads register a */
	FP_B = 4,     /* reads register b */
	FP_J = 8,     /* x is a jump target (a fast index) */
	FP_END = 16,  /* never falls through */
	FP_WX = 32,   /* writes register x (MOV2) */
};

extern const uint8_t pt_fast_props[F__COUNT + 1];

/* Whether op transfers control to its x. */
static inline bool pt_fast_branches(uint32_t op) { return pt_fast_props[op] & FP_J; }
/* Whether op writes register dst. */
static inline bool pt_fast_writes(uint32_t op) { return pt_fast_props[op] & FP_W; }
/* Where control goes after instruction c at index i (its jump target,
 * then the next instruction): the successors of the optimiser's forward
 * passes.  Returns how many. */
static inline int pt_fast_succ(const pt_fast_ins *c, size_t i, size_t succ[2])
{
	int ns = 0;
	if (pt_fast_props[c->op] & FP_J)
		succ[ns++] = c->x;
	if (!(pt_fast_props[c->op] & FP_END))
		succ[ns++] = i + 1;
	return ns;
}
/* Which of a and b op reads: bit 0 a, bit 1 b. */
static inline unsigned pt_fast_reads(uint32_t op) { return (pt_fast_props[op] >> 1) & 3; }

/* Run-time encoding: pt_fast_build stores register operands as byte
 * offsets into the register file, output fields as byte offsets into
 * pt_prog_result.out and jump targets as byte offsets into the code, so
 * the interpreter adds instead of scaling.  pt_fast_encode converts one
 * instruction (scale true) or back (false, for the dump). */
void pt_fast_encode(pt_fast_ins *c, bool scale);

/* Whether, in the section [a, b), every read of a register in [lo, lo +
 * n) follows a write of it on every path (fast_opt.c; n at most 256). */
bool pt_fast_assigned(const pt_fast_ins *code, size_t a, size_t b, uint32_t lo, uint32_t n);

/* Whether register r is a stack temporary (PT_MAX_STACK + 1 of them:
 * a pt_fast_tset holds them all). */
static inline bool pt_fast_is_temp(const pt_fast *f, uint32_t r) { return r >= f->reg_temps && r < f->reg_derived; }
_Static_assert(PT_MAX_STACK + 1 <= 128, "a pt_fast_tset holds every temporary");

/* A set of temporaries, bit r - reg_temps. */
typedef struct pt_fast_tset {
	uint64_t w[2];
} pt_fast_tset;

/* The temporaries live after each instruction of code[0 .. n) (out[i]):
 * read on some way on before a write (fast_opt.c).  Within a section:
 * a section's end (HALT_R, FAIL_R, a program's) passes nothing on, so a
 * user across sections must check that none is live where a section
 * starts (pt_jit_plan_fuse's caller does).  Serves the optimiser's dead
 * copies and the machine code's dead stores (jit_plan.c).  False when
 * out of memory, or with more temporaries than a set holds. */
bool pt_fast_live_temps(const pt_fast *f, const pt_fast_ins *code, size_t n, pt_fast_tset *out);

/* The temporaries live before instruction c, given those live after it
 * (its writes out, its reads in): the step of pt_fast_live_temps. */
pt_fast_tset pt_fast_live_before(const pt_fast *f, const pt_fast_ins *c, pt_fast_tset after);

/* Whether r is live in s: any register that is not a temporary is. */
static inline bool pt_fast_live(const pt_fast *f, const pt_fast_tset *s, uint32_t r)
{
	uint32_t d = r - f->reg_temps;
	return !pt_fast_is_temp(f, r) || (s->w[d / 64] >> (d % 64) & 1);
}

/* Whether binding always writes input r (below rs->ninputs) as a whole
 * number (fast_opt.c; jit.c types registers with it too). */
bool pt_fast_input_whole(const pt_ruleset *rs, uint32_t r);

/* Whether binding never writes input r (below rs->ninputs) below 0
 * (fast_opt.c; jit.c relies on it). */
bool pt_fast_input_nonneg(const pt_ruleset *rs, uint32_t r);
/* Whether it never writes one below 1 (fast_opt.c). */
bool pt_fast_input_pos(const pt_ruleset *rs, uint32_t r);

/* Improve the register code of f in place (fast_opt.c): whole-number
 * forms, folded constants, forwarded copies, outputs written by their
 * producer.  Deleted instructions are marked F__COUNT for the caller's
 * compaction; entry[0 .. nentries) are the section starts.  False when
 * out of memory (the code is then unchanged or still correct). */
bool pt_fast_optimise(const pt_ruleset *rs, const pt_fast *f, pt_fast_ins *code, size_t n,
		      const uint32_t *entry, size_t nentries);

#endif
