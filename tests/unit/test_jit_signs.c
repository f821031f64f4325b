/* test_jit_signs.c - what the machine code of src/jit.c assumes of the
 * values it computes, held to the interpreter it accelerates.
 *
 * The JIT types registers at least 0 or at least 1 (pt_jit_type_signs,
 * pt_jit_plan_signs in jit_plan.c) and drops INT64_MIN tests, overflow
 * tests, clamps and sign handling for them; derived values are at least
 * 0 because derivation leaves when one is below; where both operands of
 * a cap or a reason's test are typed at least 0 it compares unsigned and
 * counts the note by the carry; reasons noted by calling C keep the
 * counts in r14 and r15 and the constants in xmm0 to xmm2 right.  Each
 * test here is a set of built programs (jit_fixture.h) whose output
 * would differ from the interpreters' if one of those assumptions were
 * made where it does not hold; the machine code, the computed-goto loop
 * and the switch loop must agree on every result and register. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ptrules.h"
#include "fast_int.h"
#include "helpers.h"
#include "jit.h"
#include "jit_fixture.h"
#include "vm.h"

/* code[0 .. n) with its registers counted from base, as the fast code
 * names them: dst where the instruction writes a register, a and b
 * where it reads them, MOV2's x (fields, jump targets and strings stay
 * as they are). */
static void map_regs(pt_fast_ins *code, uint32_t n, uint32_t base)
{
	for (uint32_t k = 0; k < n; k++) {
		pt_fast_ins *c = &code[k];
		const unsigned rd = pt_fast_reads(c->op);
		if (pt_fast_writes(c->op))
			c->dst += base;
		if (rd & 1)
			c->a += base;
		if (rd & 2)
			c->b += base;
		if (pt_fast_props[c->op] & FP_WX)
			c->x += base;
	}
}

/* The end of jit's machine code, all of it from jit->mem (the entries,
 * the programs, the code laid out after them, the stubs, the constants):
 * where the scans below stop. */
static const uint8_t *code_end(const pt_jit *jit) { return (const uint8_t *)jit->mem + jit->len; }

/* How many reasons jit's code marks on the carry of an unsigned compare
 * (note_if: cmovb r14d, edx or cmovb r15d, edx), so that a test of the
 * carry notes can tell they are the ones it runs. */
static int carry_notes(const pt_jit *jit)
{
	int n = 0;
	for (const uint8_t *p = jit->mem, *end = code_end(jit); p + 4 <= end; p++)
		n += p[0] == 0x44 && p[1] == 0x0F && p[2] == 0x42 && (p[3] == 0xF2 || p[3] == 0xFA);
	return n;
}

/* What each register of a sign case is, counted from base: four whose
 * sign the typing knows nothing of (registers between the inputs and
 * the locals), four temporaries, four constants (K0 is 1). */
enum { SU0, SU1, SU2, SU3, ST, SV, SW, SX, SK0, SK1, SK2, SK3, SREGS };

/* One case of test_sign_rules: ops write ST from the constants K1 to K3
 * and the registers U0 to U3, then (or, before, first) the probe writes
 * ST clamped at 0 to earn.points and ST - 1 clamped to earn.basis_yen. */
typedef struct sign_case {
	const char *what;
	bool before;       /* ops has no template: the probe reads what an evaluation before left in ST */
	pt_rat k[3];       /* K1 to K3 */
	pt_rat u[4];       /* U0 to U3 */
	uint32_t n;
	pt_fast_ins ops[2];
	uint8_t typed;     /* what pt_jit_type_signs types ST (0, or 1: at least 0) */
	int64_t points, basis;   /* the probe's outputs, as the interpreters give them */
} sign_case;

#define I(v) { (v), 1 }
#define Q(n, d) { (n), (d) }
static const sign_case sign_cases[] = {
	/* MOV, MOVC, FLOOR, CEIL, ROUND: what they copy or round */
	{ "MOV of -5", false, { I(0) }, { I(-5) }, 1, { { F_MOV, ST, SU0, 0, 0 } }, 0, 0, 0 },
	{ "MOV of 0, at least 0 but not 1", false, { I(0) }, { I(0) }, 1, { { F_MOV, ST, SK1, 0, 0 } }, 1, 0, 0 },
	{ "MOVC of -5", false, { I(0) }, { I(-5) }, 1, { { F_MOVC, ST, SU0, 0, 0 } }, 0, 0, 0 },
	{ "MOVC of 0", false, { I(0) }, { I(0) }, 1, { { F_MOVC, ST, SK1, 0, 0 } }, 1, 0, 0 },
	{ "FLOOR of -5/2", true, { I(0) }, { Q(-5, 2) }, 1, { { F_FLOOR, ST, SU0, 0, 0 } }, 0, 0, 0 },
	{ "CEIL of -5/2", true, { I(0) }, { Q(-5, 2) }, 1, { { F_CEIL, ST, SU0, 0, 0 } }, 0, 0, 0 },
	{ "ROUND of -5/2", true, { I(0) }, { Q(-5, 2) }, 1, { { F_ROUND, ST, SU0, 0, 0 } }, 0, 0, 0 },
	/* CAP_I, CAP: a, or a cap of at least 0 */
	{ "CAP_I of -5 by 3", false, { I(3) }, { I(-5) }, 1, { { F_CAP_I, ST, SU0, SK1, PT_NO_STR } }, 0, 0, 0 },
	{ "CAP_I of 5 by 0", false, { I(5), I(0) }, { I(0) }, 1, { { F_CAP_I, ST, SK1, SK2, PT_NO_STR } }, 1, 0, 0 },
	{ "CAP_I of 5 by -3 in a register", false, { I(5) }, { I(-3) }, 1, { { F_CAP_I, ST, SK1, SU0, PT_NO_STR } }, 1,
	  0, 0 },
	{ "CAP_I of 5 by a constant -3", false, { I(5), I(-3) }, { I(0) }, 1, { { F_CAP_I, ST, SK1, SK2, PT_NO_STR } }, 1,
	  0, 0 },
	{ "CAP of -5/2 by 3", true, { I(3) }, { Q(-5, 2) }, 1, { { F_CAP, ST, SU0, SK1, PT_NO_STR } }, 0, 0, 0 },
	/* ADD_I, ADD: at least 0 only of two at least 0 */
	{ "ADD_I of 3 and -5", false, { I(3) }, { I(-5) }, 1, { { F_ADD_I, ST, SK1, SU0, 0 } }, 0, 0, 0 },
	{ "ADD_I of 0 and 0", false, { I(0) }, { I(0) }, 1, { { F_ADD_I, ST, SK1, SK1, 0 } }, 1, 0, 0 },
	{ "ADD of -5/2 and 1/2", true, { Q(1, 2) }, { Q(-5, 2) }, 1, { { F_ADD, ST, SU0, SK1, 0 } }, 0, 0, 0 },
	/* MUL_I, MULFLOOR_I, MULFLOOR_IR, MIN_I and their rational forms: both */
	{ "MUL_I of 3 and -2", false, { I(3) }, { I(-2) }, 1, { { F_MUL_I, ST, SK1, SU0, 0 } }, 0, 0, 0 },
	{ "MUL_I of 3 and 0", false, { I(3), I(0) }, { I(0) }, 1, { { F_MUL_I, ST, SK1, SK2, 0 } }, 1, 0, 0 },
	{ "MULFLOOR_I of 3 and -2", false, { I(3) }, { I(-2) }, 1, { { F_MULFLOOR_I, ST, SK1, SU0, 0 } }, 0, 0, 0 },
	{ "MULFLOOR_I of 3 and 0", false, { I(3), I(0) }, { I(0) }, 1, { { F_MULFLOOR_I, ST, SK1, SK2, 0 } }, 1, 0, 0 },
	{ "MULFLOOR_IR of 3 and a constant -1/2", false, { I(3), Q(-1, 2) }, { I(0) }, 1,
	  { { F_MULFLOOR_IR, ST, SK1, SK2, 0 } }, 0, 0, 0 },
	{ "MULFLOOR_IR of 3 and -1/2 in a register", false, { I(3) }, { Q(-1, 2) }, 1,
	  { { F_MULFLOOR_IR, ST, SK1, SU0, 0 } }, 0, 0, 0 },
	{ "MULFLOOR_IR of 1 and 1/2", false, { I(1), Q(1, 2) }, { I(0) }, 1, { { F_MULFLOOR_IR, ST, SK1, SK2, 0 } }, 1,
	  0, 0 },
	{ "MIN_I of 3 and -2", false, { I(3) }, { I(-2) }, 1, { { F_MIN_I, ST, SK1, SU0, 0 } }, 0, 0, 0 },
	{ "MIN_I of 3 and 0", false, { I(3), I(0) }, { I(0) }, 1, { { F_MIN_I, ST, SK1, SK2, 0 } }, 1, 0, 0 },
	{ "MUL of 3 and -1/2", true, { I(3) }, { Q(-1, 2) }, 1, { { F_MUL, ST, SK1, SU0, 0 } }, 0, 0, 0 },
	{ "MULFLOOR of 3 and -1/2", true, { I(3) }, { Q(-1, 2) }, 1, { { F_MULFLOOR, ST, SK1, SU0, 0 } }, 0, 0, 0 },
	{ "MIN of 3 and -1/2", true, { I(3) }, { Q(-1, 2) }, 1, { { F_MIN, ST, SK1, SU0, 0 } }, 0, 0, 0 },
	/* DIVFLOOR and the other divisions: at least 0 of two at least 0, never at least 1 */
	{ "DIVFLOOR of -6 by 3", false, { I(3) }, { I(-6) }, 1, { { F_DIVFLOOR, ST, SU0, SK1, 0 } }, 0, 0, 0 },
	{ "DIVFLOOR of -6 by 3 in a register", false, { I(0) }, { I(-6), I(3) }, 1, { { F_DIVFLOOR, ST, SU0, SU1, 0 } },
	  0, 0, 0 },
	{ "DIVFLOOR of 1 by 2", false, { I(1), I(2) }, { I(0) }, 1, { { F_DIVFLOOR, ST, SK1, SK2, 0 } }, 1, 0, 0 },
	{ "DIV of -1 by 2", true, { I(2) }, { I(-1) }, 1, { { F_DIV, ST, SU0, SK1, 0 } }, 0, 0, 0 },
	{ "DIVFLOOR_I of -6 by 4", true, { I(4) }, { I(-6) }, 1, { { F_DIVFLOOR_I, ST, SU0, SK1, 0 } }, 0, 0, 0 },
	/* MAX_I, MAX: at least what either is */
	{ "MAX_I of 0 and -5", false, { I(0) }, { I(-5) }, 1, { { F_MAX_I, ST, SK1, SU0, 0 } }, 1, 0, 0 },
	{ "MAX_I of -5 and -3", false, { I(0) }, { I(-5), I(-3) }, 1, { { F_MAX_I, ST, SU0, SU1, 0 } }, 0, 0, 0 },
	{ "MAX of -5/2 and -1/2", true, { I(0) }, { Q(-5, 2), Q(-1, 2) }, 1, { { F_MAX, ST, SU0, SU1, 0 } }, 0, 0, 0 },
	/* SUB_I, SUB: a constant of at most 0 keeps a's sign; one of at most 1
	 * from a number at least 1 leaves one at least 0; anything else, none */
	{ "SUB_I of 0 from -5", false, { I(0) }, { I(-5) }, 1, { { F_SUB_I, ST, SU0, SK1, 0 } }, 0, 0, 0 },
	{ "SUB_I of -2 from -5", false, { I(-2) }, { I(-5) }, 1, { { F_SUB_I, ST, SU0, SK1, 0 } }, 0, 0, 0 },
	{ "SUB_I of 1 from 1", false, { I(0) }, { I(0) }, 1, { { F_SUB_I, ST, SK0, SK0, 0 } }, 1, 0, 0 },
	{ "SUB_I of 1 from 0", false, { I(0) }, { I(0) }, 1, { { F_SUB_I, ST, SK1, SK0, 0 } }, 0, 0, 0 },
	{ "SUB_I of 5 in a register from 3", false, { I(3) }, { I(5) }, 1, { { F_SUB_I, ST, SK1, SU0, 0 } }, 0, 0, 0 },
	{ "SUB of 3/2 from 1", true, { Q(3, 2) }, { I(0) }, 1, { { F_SUB, ST, SK0, SK1, 0 } }, 0, 0, 0 },
	{ "SUB of 1 from 1/2", true, { Q(1, 2) }, { I(0) }, 1, { { F_SUB, ST, SK1, SK0, 0 } }, 0, 0, 0 },
	{ "SUB of 0 from -5/2", true, { I(0) }, { Q(-5, 2) }, 1, { { F_SUB, ST, SU0, SK1, 0 } }, 0, 0, 0 },
	/* NEG, and anything else: nothing known */
	{ "NEG of 3", false, { I(3) }, { I(0) }, 1, { { F_NEG, ST, SK1, 0, 0 } }, 0, 0, 0 },
	/* NOT and the comparisons: 0 or 1, at least 0 (a register typed at
	 * least 0 starts so, so no typing of theirs can be too bold: these
	 * hold the typing to what it buys) */
	{ "NOT of 1", true, { I(0) }, { I(0) }, 1, { { F_NOT, ST, SK0, 0, 0 } }, 1, 0, 0 },
	{ "EQ of -5 and 3", true, { I(3) }, { I(-5) }, 1, { { F_EQ, ST, SU0, SK1, 0 } }, 1, 0, 0 },
	{ "NE of 3 and 3", true, { I(3) }, { I(0) }, 1, { { F_NE, ST, SK1, SK1, 0 } }, 1, 0, 0 },
	{ "LT of 3 and -5", true, { I(3) }, { I(-5) }, 1, { { F_LT, ST, SK1, SU0, 0 } }, 1, 0, 0 },
	{ "LE of 3 and -5", true, { I(3) }, { I(-5) }, 1, { { F_LE, ST, SK1, SU0, 0 } }, 1, 0, 0 },
	{ "GT of -5 and 3", true, { I(3) }, { I(-5) }, 1, { { F_GT, ST, SU0, SK1, 0 } }, 1, 0, 0 },
	{ "GE of -5 and 3", true, { I(3) }, { I(-5) }, 1, { { F_GE, ST, SU0, SK1, 0 } }, 1, 0, 0 },
	{ "AND of 0 and 3", true, { I(3), I(0) }, { I(0) }, 1, { { F_AND, ST, SK2, SK1, 0 } }, 1, 0, 0 },
	{ "OR of 0 and 0", true, { I(0) }, { I(0) }, 1, { { F_OR, ST, SK1, SK1, 0 } }, 1, 0, 0 },
	/* and, without a template, values the typing must know at least 0 */
	{ "FLOOR of 5/2", true, { Q(5, 2) }, { I(0) }, 1, { { F_FLOOR, ST, SK1, 0, 0 } }, 1, 2, 1 },
	{ "CEIL of 5/2", true, { Q(5, 2) }, { I(0) }, 1, { { F_CEIL, ST, SK1, 0, 0 } }, 1, 3, 2 },
	{ "ROUND of 5/2", true, { Q(5, 2) }, { I(0) }, 1, { { F_ROUND, ST, SK1, 0, 0 } }, 1, 3, 2 },
	/* (the probe's SUB_I takes a numerator: 5/2 less 1 is 4) */
	{ "CAP of 5/2 by 3", true, { Q(5, 2), I(3) }, { I(0) }, 1, { { F_CAP, ST, SK1, SK2, PT_NO_STR } }, 1, 5, 4 },
	{ "ADD of 1/2 and 1/2", true, { Q(1, 2) }, { I(0) }, 1, { { F_ADD, ST, SK1, SK1, 0 } }, 1, 1, 0 },
	{ "MUL of 3 and 1/2", true, { I(3), Q(1, 2) }, { I(0) }, 1, { { F_MUL, ST, SK1, SK2, 0 } }, 1, 3, 2 },
	{ "MULFLOOR of 3 and 1/2", true, { I(3), Q(1, 2) }, { I(0) }, 1, { { F_MULFLOOR, ST, SK1, SK2, 0 } }, 1, 1, 0 },
	{ "MIN of 3 and 1/2", true, { I(3), Q(1, 2) }, { I(0) }, 1, { { F_MIN, ST, SK1, SK2, 0 } }, 1, 1, 0 },
	{ "DIV of 1 by 2", true, { I(2) }, { I(0) }, 1, { { F_DIV, ST, SK0, SK1, 0 } }, 1, 1, 0 },
	{ "DIVFLOOR_I of 6 by 4", true, { I(6), I(4) }, { I(0) }, 1, { { F_DIVFLOOR_I, ST, SK1, SK2, 0 } }, 1, 1, 0 },
	{ "MAX of -5/2 and 1/2", true, { Q(1, 2) }, { Q(-5, 2) }, 1, { { F_MAX, ST, SU0, SK1, 0 } }, 1, 1, 0 },
	{ "SUB of 1/2 from 1", true, { Q(1, 2) }, { I(0) }, 1, { { F_SUB, ST, SK0, SK1, 0 } }, 1, 1, 0 },
	{ "SUB of 0 from 3/2", true, { Q(3, 2), I(0) }, { I(0) }, 1, { { F_SUB, ST, SK1, SK2, 0 } }, 1, 3, 2 },
	/* one the typing must know: (3 - 1) * 3 is at least 0, at least 1 even */
	{ "(3 - 1) * 3", false, { I(3) }, { I(0) }, 2, { { F_SUB_I, SW, SK1, SK0, 0 }, { F_MUL_I, ST, SW, SK1, 0 } }, 1,
	  6, 5 },
};
#undef I
#undef Q

/* writes_sign (jit_plan.c), opcode by opcode: for each case it has, a
 * program whose output differs from the interpreters' when the typing is
 * bolder than the instruction: a value below 0 typed at least 0 loses
 * its clamp at the probe's first output, a value of 0 typed at least 1
 * makes the probe's ST - 1 at least 0 and loses the clamp of the second.
 * Where the machine code has a template for the instruction, the probe
 * follows it (pt_jit_plan_signs); where it has none, the machine code
 * leaves there, so the probe comes first and reads, in a second
 * evaluation over the same register files, what the first left: a
 * temporary keeps its value from one cart to the next, and the typing
 * for the whole code (pt_jit_type_signs) must hold of it as the program
 * starts.  Also what that typing says of ST, so that it is known to be
 * no bolder, nor more timid, than it is today. */
static void test_sign_rules(void **state)
{
	(void)state;
	jfx x;
	jfx_init(&x);
	pt_ruleset *rs = x.rs;
	const uint32_t base = (uint32_t)rs->ninputs, nregs = base + SREGS;
	pt_rat consts[8], *host_consts = rs->consts;
	x.f.reg_locals = x.f.reg_temps = base + ST;
	x.f.reg_derived = base + SK0;
	x.f.reg_consts = base + SK0;
	size_t ncases = sizeof sign_cases / sizeof sign_cases[0];
	for (size_t ci = 0; ci < ncases; ci++) {
		const sign_case *sc = &sign_cases[ci];
		pt_rat k[4] = { pt_rat_int(1) };   /* K0 is 1; a constant the case leaves out, 0 */
		for (int i = 1; i < 4; i++)
			k[i] = sc->k[i - 1].d ? sc->k[i - 1] : pt_rat_int(0);
		(void)case_consts(rs, consts, k, 4);
		const pt_fast_ins probe[3] = {
			{ F_OUT, 0, ST, 0, PT_OUT_E_POINTS },
			{ F_SUB_I, SV, ST, SK0, 0 },
			{ F_OUT, 0, SV, 0, PT_OUT_E_BASIS },
		};
		pt_fast_ins code[8];
		uint32_t n = 0;
		code[n++] = (pt_fast_ins){ F_HALT_R, 0, 0, 0, 1 };
		for (int part = 0; part < 2; part++) {
			if (part == (sc->before ? 0 : 1)) {
				memcpy(code + n, probe, sizeof probe);
				map_regs(code + n, 3, base);
				n += 3;
			} else {
				memcpy(code + n, sc->ops, sc->n * sizeof *code);
				map_regs(code + n, sc->n, base);
				n += sc->n;
			}
		}
		code[n++] = (pt_fast_ins){ F_HALT_E, 0, 0, 0, 0 };
		pt_rat init[JFX_REGS];
		for (uint32_t r = 0; r < nregs; r++)
			init[r] = pt_rat_int(0);   /* temporaries start at 0 */
		init[1] = pt_rat_int(1);      /* linked */
		for (int i = 0; i < 4; i++) {
			init[base + SU0 + i] = sc->u[i].d ? sc->u[i] : pt_rat_int(0);
			init[base + SK0 + i] = k[i];
		}
		pt_prog_result res[3];
		gap_run(&x, code, n, 1, nregs, init, res);
		if (sc->before)   /* the next cart: the probe reads what this one left */
			(void)three_ways(&x, nregs, res);
		if (res[0].out[PT_OUT_E_POINTS].n != sc->points || res[0].out[PT_OUT_E_BASIS].n != sc->basis)
			fail_msg("%s: earn %lld, basis %lld (want %lld, %lld)", sc->what,
				 (long long)res[0].out[PT_OUT_E_POINTS].n, (long long)res[0].out[PT_OUT_E_BASIS].n,
				 (long long)sc->points, (long long)sc->basis);
		if (x.f.jit->nonneg[base + ST] != sc->typed)
			fail_msg("%s: typed %d, not %d", sc->what, x.f.jit->nonneg[base + ST], sc->typed);
	}
	rs->consts = host_consts;
	jfx_free(&x);
}

/* One case of test_derive_typing: the derived values (fast_derive in
 * fast.c, derive in jit.c) of the registers named here, total less each
 * list's slots; DH_TOTAL and DH_SUM0.. are the host's total and
 * category sums (typed at least 0: a cart's, never below), 0 to 3 the
 * registers past the inputs, whose sign nothing says. */
enum { DH_TOTAL = 100, DH_SUM0 = 101, DH_NONE = 999 };
typedef struct derive_case {
	const char *what;
	uint32_t total;
	uint32_t nderived;
	uint32_t slots[2][4];     /* each list, ended by DH_NONE */
	int64_t val[5][2];        /* register, value: DH_NONE ends */
	bool fails;               /* a derived value is below 0 or does not fit */
	int64_t d0, d1;           /* else the values */
} derive_case;

/* Derived values are typed at least 0 (sign_src in jit_plan.c), and the
 * machine code writes them out unclamped and divides them without sign
 * handling, because derivation fails for a cart where one is below 0:
 * the machine code returns PT_JIT_DERIVE_FAILED, the interpreter's
 * fast_derive fails too, and the reference VM evaluates the cart.  Each
 * case here makes one derived value below 0 (or too large) one way, or
 * exactly at an edge that must pass: a step below 0 where the total and
 * sums are typed at least 0 (each step then tests the sign alone, and
 * a later step could overflow back above 0), the last step below 0, an
 * overflow of an untyped total, a list of no sums, a second list.  The
 * program writes the derived values out, unclamped since they are typed
 * at least 0.  The machine code must say itself whether derivation
 * fails, and every way must give what the reference VM gives the cart
 * then, or, where it passes, the values. */
static void test_derive_typing(void **state)
{
	(void)state;
	static const derive_case cases[] = {
		{ "typed steps: 5 - 10 - INT64_MAX", DH_TOTAL, 1, { { DH_SUM0, DH_SUM0 + 1, DH_NONE } },
		  { { DH_TOTAL, 5 }, { DH_SUM0, 10 }, { DH_SUM0 + 1, INT64_MAX }, { DH_NONE, 0 } }, true, 0, 0 },
		{ "typed steps: 5 - 5 - 0 is 0", DH_TOTAL, 1, { { DH_SUM0, DH_SUM0 + 1, DH_NONE } },
		  { { DH_TOTAL, 5 }, { DH_SUM0, 5 }, { DH_SUM0 + 1, 0 }, { DH_NONE, 0 } }, false, 0, 0 },
		{ "typed: INT64_MAX - 0", DH_TOTAL, 1, { { DH_SUM0, DH_NONE } },
		  { { DH_TOTAL, INT64_MAX }, { DH_SUM0, 0 }, { DH_NONE, 0 } }, false, INT64_MAX, 0 },
		{ "typed: 5 - 6", DH_TOTAL, 1, { { DH_SUM0, DH_NONE } }, { { DH_TOTAL, 5 }, { DH_SUM0, 6 }, { DH_NONE, 0 } },
		  true, 0, 0 },
		{ "untyped total: INT64_MIN + 5 - 10 overflows", 0, 1, { { DH_SUM0, DH_NONE } },
		  { { 0, INT64_MIN + 5 }, { DH_SUM0, 10 }, { DH_NONE, 0 } }, true, 0, 0 },
		{ "untyped total: INT64_MIN + 5 - 10 - 0 overflows", 0, 1, { { DH_SUM0, DH_SUM0 + 1, DH_NONE } },
		  { { 0, INT64_MIN + 5 }, { DH_SUM0, 10 }, { DH_SUM0 + 1, 0 }, { DH_NONE, 0 } }, true, 0, 0 },
		{ "untyped total: INT64_MIN + 1 - 1", 0, 1, { { DH_SUM0, DH_NONE } },
		  { { 0, INT64_MIN + 1 }, { DH_SUM0, 1 }, { DH_NONE, 0 } }, true, 0, 0 },
		/* INT64_MIN on the way, then back above 0 (fast_derive fails there too) */
		{ "untyped: INT64_MIN + 1 - 1 - -INT64_MAX - -2", 0, 1, { { DH_SUM0, 1, 2, DH_NONE } },
		  { { 0, INT64_MIN + 1 }, { DH_SUM0, 1 }, { 1, -INT64_MAX }, { 2, -2 }, { DH_NONE, 0 } }, true, 0, 0 },
		{ "untyped total -1, no sums", 0, 1, { { DH_NONE } }, { { 0, -1 }, { DH_NONE, 0 } }, true, 0, 0 },
		{ "untyped total INT64_MIN, no sums", 0, 1, { { DH_NONE } }, { { 0, INT64_MIN }, { DH_NONE, 0 } }, true, 0,
		  0 },
		{ "untyped total 0, no sums", 0, 1, { { DH_NONE } }, { { 0, 0 }, { DH_NONE, 0 } }, false, 0, 0 },
		{ "untyped sum: 5 - -10", DH_TOTAL, 1, { { 1, DH_NONE } }, { { DH_TOTAL, 5 }, { 1, -10 }, { DH_NONE, 0 } },
		  false, 15, 0 },
		{ "untyped sum: INT64_MAX - -1 overflows", DH_TOTAL, 1, { { 1, DH_SUM0, DH_NONE } },
		  { { DH_TOTAL, INT64_MAX }, { 1, -1 }, { DH_SUM0, 0 }, { DH_NONE, 0 } }, true, 0, 0 },
		{ "the second list below 0", DH_TOTAL, 2, { { DH_SUM0, DH_NONE }, { DH_SUM0 + 1, DH_NONE } },
		  { { DH_TOTAL, 5 }, { DH_SUM0, 1 }, { DH_SUM0 + 1, 6 }, { DH_NONE, 0 } }, true, 0, 0 },
		{ "two lists, the second 0", DH_TOTAL, 2, { { DH_SUM0, DH_NONE }, { DH_SUM0 + 1, DH_SUM0 + 2, DH_NONE } },
		  { { DH_TOTAL, 5 }, { DH_SUM0, 1 }, { DH_SUM0 + 1, 3 }, { DH_SUM0 + 2, 2 }, { DH_NONE, 0 } }, false, 4, 0 },
	};
	jfx x;
	jfx_init(&x);
	pt_ruleset *rs = x.rs;
	assert_true(rs->total_slot >= 0 && rs->ncatsums >= 3);
	/* registers from base: 0 to 3 untyped, a temporary, the two derived values */
	const uint32_t base = (uint32_t)rs->ninputs, D0 = base + 5, nregs = base + 7;
	x.f.reg_locals = x.f.reg_temps = base + 4;
	x.f.reg_derived = D0;
	x.f.reg_consts = nregs;   /* no constants */
	uint32_t dstart[3], dslots[8];
	x.f.dset_start = dstart;
	x.f.dset_slots = dslots;
	for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
		const derive_case *dc = &cases[ci];
#define DREG(r) \
	((r) == DH_TOTAL ? (uint32_t)rs->total_slot : (r) >= DH_SUM0 ? rs->catsum_slots[(r) - DH_SUM0] : base + (r))
		x.f.dtotal = (int32_t)DREG(dc->total);
		x.f.nderived = dc->nderived;
		dstart[0] = 0;
		for (uint32_t s = 0; s < dc->nderived; s++) {
			uint32_t n = dstart[s];
			for (const uint32_t *q = dc->slots[s]; *q != DH_NONE; q++)
				dslots[n++] = DREG(*q) * (uint32_t)sizeof(pt_rat);
			dstart[s + 1] = n;
		}
		pt_fast_ins code[] = {
			{ F_HALT_R, 0, 0, 0, 1 },
			{ F_OUT, 0, D0, 0, PT_OUT_E_POINTS },       /* unclamped: typed at least 0 */
			{ F_OUT, 0, D0 + 1, 0, PT_OUT_E_BASIS },
			{ F_HALT_E, 0, 0, 0, 0 },
		};
		jfx_build(&x, code, sizeof code / sizeof code[0], 1, nregs);
		for (uint32_t s = 0; s < dc->nderived; s++)
			assert_int_equal(x.f.jit->nonneg[D0 + s], 1);   /* what the machine code relies on */
		pt_rat init[JFX_REGS];
		for (uint32_t r = 0; r < nregs; r++)
			init[r] = pt_rat_int(0);
		init[0] = init[1] = pt_rat_int(1);   /* linked: the host's (0) and the case's (1) */
		for (int i = 0; dc->val[i][0] != DH_NONE; i++)
			init[DREG((uint32_t)dc->val[i][0])] = pt_rat_int(dc->val[i][1]);
#undef DREG
		/* the machine code alone says whether derivation fails */
		pt_rat regs[JFX_REGS];
		pt_prog_result res[3], ref[2];
		int64_t in[PT_PREP_DENSE_MAX + 3];
		memcpy(regs, init, nregs * sizeof *regs);
		memset(res, 0, sizeof res);
		uint32_t k = x.f.jit->all(regs, res, pt_fast_copy_in(x.f.jit, regs, in));
		if ((k == PT_JIT_DERIVE_FAILED) != dc->fails)
			fail_msg("%s: the machine code returned %u", dc->what, k);
		for (int m = 0; m < 3; m++)
			memcpy(x.regs[m], init, nregs * sizeof(pt_rat));
		(void)three_ways(&x, nregs, res);
		if (dc->fails) {   /* what the reference VM gives the cart */
			memcpy(regs, init, nregs * sizeof *regs);
			memset(ref, 0, sizeof ref);
			(void)pt_eval_all(rs, regs, x.locals, ref, NULL);
			same_result(x.rs, 0, &res[0], &ref[0]);
		} else {
			assert_int_equal(k, 0);
			assert_int_equal(x.regs[0][D0].n, dc->d0);
			assert_int_equal(res[0].out[PT_OUT_E_POINTS].n, dc->d0);
			if (dc->nderived == 2)
				assert_int_equal(res[0].out[PT_OUT_E_BASIS].n, dc->d1);
		}
	}
	jfx_free(&x);
}

/* n distinct strings that CAP_I notes, as stack pcs of the host's code
 * (a cap's reason is its pc's argument), none of them 100 to 109 (the
 * REASON_LE_I strings of the tests here). */
static void cap_pcs(const pt_ruleset *rs, uint32_t *pc, int n)
{
	int found = 0;
	for (uint32_t at = 0; at < rs->ncode && found < n; at++) {
		uint32_t s = PT_INS_ARG(rs->code[at]);
		bool fresh = s < 100 || s >= 110;
		for (int i = 0; i < found; i++)
			fresh = fresh && PT_INS_ARG(rs->code[pc[i]]) != s;
		if (fresh)
			pc[found++] = at;
	}
	assert_int_equal(found, n);
}

/* CAP_I and REASON_LE_I where what they compare is typed at least 0:
 * compared unsigned, with the note counted by adding the carry (note_if),
 * and REASON_LE_I's a <= b as a < b + 1 against an immediate.  Two
 * programs of notes, each section at most PT_MAX_REASONS of them so that
 * they are noted inline: caps of 0, INT32_MAX - 1, INT32_MAX (the largest
 * loaded as an immediate), 2^40 (a constant loaded from its register), a
 * register typed at least 0, a register that may be below 0 (clamped at
 * 0) and a constant -3 (0); REASON_LE_I against 0 and INT32_MAX - 1 (b +
 * 1 as an immediate) and, the other way, INT32_MAX, 2^40, -3 and a
 * register, and of a register that may be below 0.  The value compared
 * runs over the edges (0, 1, each bound, one either side of it, past 32
 * bits, INT64_MAX) and the register caps over it, one less and one more:
 * every note must fire exactly when the interpreters' does, the counts
 * and the reasons in order must be theirs, and each note must fire for
 * some values and not for others.  The carry notes are counted in the
 * code, so that this is known to test them. */
static void test_carry_edges(void **state)
{
	(void)state;
	jfx x;
	jfx_init(&x);
	pt_ruleset *rs = x.rs;
	const uint32_t base = (uint32_t)rs->ninputs, U = base, A = base + 1, CR = base + 2, T1 = base + 3,
		       T2 = base + 4, T3 = base + 5, K0 = base + 6, KM = base + 7, KX = base + 8, KB = base + 9,
		       KN = base + 10, nregs = base + 11;
	pt_rat consts[8],
		*host_consts = case_consts(rs, consts,
					   (const pt_rat[]){ pt_rat_int(0), pt_rat_int(INT32_MAX - 1), pt_rat_int(INT32_MAX),
							     pt_rat_int((int64_t)1 << 40), pt_rat_int(-3) },
					   5);
	x.f.reg_locals = A;   /* A, CR and the caps' results: locals, at least 0 */
	x.f.reg_temps = x.f.reg_derived = K0;
	x.f.reg_consts = K0;
	uint32_t cap[4];
	cap_pcs(rs, cap, 4);
	enum { NPROGS = 2, MAXN = 10 };
	struct { uint32_t n, earn; int carry; pt_fast_ins code[MAXN]; } progs[NPROGS] = {
		{ 10, 5, 8, {   /* every note counted by the carry */
			{ F_CAP_I, T1, A, K0, cap[0] },           /* a cap of 0 (an immediate) */
			{ F_REASON_LE_I, 100, A, K0, 1 },         /* a < 1 */
			{ F_REASON_LE_I, 101, A, KM, 2 },         /* a < INT32_MAX */
			{ F_CAP_I, T2, A, KX, cap[1] },           /* a cap of INT32_MAX (an immediate) */
			{ F_HALT_R, 0, 0, 0, 5 },
			{ F_CAP_I, T3, A, KB, cap[2] },           /* a cap of 2^40 (from its register) */
			{ F_CAP_I, T1, A, CR, cap[3] },           /* a register at least 0 */
			{ F_CAP_I, T2, A, U, cap[0] },            /* a register clamped at 0 */
			{ F_CAP_I, T3, A, KN, cap[1] },           /* -3: a cap of 0 */
			{ F_HALT_E, 0, 0, 0, 0 },
		} },
		{ 10, 5, 1, {   /* the notes that are not (b not below INT32_MAX, not a constant, below 0; a untyped) */
			{ F_REASON_LE_I, 100, A, KX, 1 },
			{ F_REASON_LE_I, 101, A, KB, 2 },
			{ F_REASON_LE_I, 102, U, K0, 3 },
			{ F_REASON_LE_I, 103, A, KN, 4 },
			{ F_HALT_R, 0, 0, 0, 5 },
			{ F_REASON_LE_I, 104, A, CR, 5 },
			{ F_CAP_I, T1, U, K0, cap[0] },
			{ F_CAP_I, T2, U, CR, cap[1] },
			{ F_REASON_LE_I, 105, A, KM, 6 },         /* and one that is */
			{ F_HALT_E, 0, 0, 0, 0 },
		} },
	};
	static const int64_t edges[] = {
		0, 1, 2, INT32_MAX - 2, INT32_MAX - 1, INT32_MAX, (int64_t)INT32_MAX + 1, UINT32_MAX - 1, UINT32_MAX,
		(int64_t)1 << 32, ((int64_t)1 << 32) + INT32_MAX - 1, ((int64_t)1 << 32) + INT32_MAX,
		((int64_t)1 << 40) - 1, (int64_t)1 << 40, ((int64_t)1 << 40) + 1, INT64_MAX - 1, INT64_MAX,
	};
	const size_t nedges = sizeof edges / sizeof edges[0];
	long runs = 0;
	for (int p = 0; p < NPROGS; p++) {
		pt_fast_ins code[MAXN];
		memcpy(code, progs[p].code, sizeof code);
		one_program(&x, code, progs[p].n, progs[p].earn, nregs);
		assert_int_equal(carry_notes(x.f.jit), progs[p].carry);
		/* per section and note: evaluations where it fired, and where it did not */
		long fired[2][MAXN] = { { 0 } }, quiet[2][MAXN] = { { 0 } };
		for (size_t e = 0; e < nedges; e++) {
			const int64_t a = edges[e];
			const int64_t caps[] = { a - 1, a, a < INT64_MAX ? a + 1 : a };
			const int64_t us[] = { a - 1, a, a < INT64_MAX ? a + 1 : a, -3, INT64_MIN, 0 };
			for (size_t ci = 0; ci < 3; ci++)
				for (size_t ui = 0; ui < 6; ui++) {
					if (caps[ci] < 0)
						continue;   /* CR is typed at least 0 */
					pt_prog_result res[3];
					for (int m = 0; m < 3; m++) {
						jfx_start(x.regs[m], nregs, 0);
						x.regs[m][A] = pt_rat_int(a);
						x.regs[m][CR] = pt_rat_int(caps[ci]);
						x.regs[m][U] = pt_rat_int(us[ui]);
						for (uint32_t c = 0; c < 5; c++)
							x.regs[m][K0 + c] = consts[c];
					}
					assert_true(three_ways(&x, nregs, res));
					runs++;
					const pt_section_result *sec[2] = { &res[1].redeem, &res[1].earn };
					for (uint32_t k = 0; k < progs[p].n; k++) {   /* the interpreter's, by site */
						const pt_fast_ins *c = &progs[p].code[k];
						if (c->op != F_CAP_I && c->op != F_REASON_LE_I)
							continue;
						int s = k >= progs[p].earn;
						uint32_t str = c->op == F_CAP_I ? PT_INS_ARG(rs->code[c->x]) : c->dst;
						bool hit = false;
						for (int i = 0; i < sec[s]->nreasons; i++)
							hit = hit || sec[s]->reasons[i].str == str;
						fired[s][k] += hit;
						quiet[s][k] += !hit;
					}
				}
		}
		for (uint32_t k = 0; k < progs[p].n; k++) {
			int s = k >= progs[p].earn;
			uint32_t op = progs[p].code[k].op;
			bool never = op == F_REASON_LE_I && progs[p].code[k].b == KN;   /* a <= -3, a at least 0 */
			if ((op == F_CAP_I || op == F_REASON_LE_I) && ((!fired[s][k] && !never) || !quiet[s][k]))
				fail_msg("program %d, note %u: fired %ld times, not %ld times", p, k, fired[s][k],
					 quiet[s][k]);
		}
	}
	assert_true(runs > 500);
	rs->consts = host_consts;
	jfx_free(&x);
}

/* The failures in jit's code that mark their note's bit in r14 or r15
 * (or r14d or r15d, imm8: pt_jit_note_always) instead of calling C. */
static int or_marks(const pt_jit *jit)
{
	int n = 0;
	for (const uint8_t *p = jit->mem, *end = code_end(jit); p + 3 <= end; p++)
		n += p[0] == 0x41 && p[1] == 0x83 && (p[2] == 0xCE || p[2] == 0xCF);
	return n;
}

/* The calls to C in jit's code (call_reason: mov rax, imm64; call rax;
 * built with AVX, vzeroupper before the call), each of which must be
 * followed within a few bytes (the counts loaded back first) by the
 * loads of the constants a result's start stores (xmm_load: movups
 * xmm0 to xmm2, [rip + rel32]; with AVX vmovups ymm0 to ymm2 and xmm3);
 * returns how many, and fails at one that is not.  Every call goes to
 * the same function. */
static int calls_reloading_xmm(const pt_jit *jit)
{
	static const uint8_t sse[3][3] = { { 0x0F, 0x10, 0x05 }, { 0x0F, 0x10, 0x0D }, { 0x0F, 0x10, 0x15 } };
	static const uint8_t avx[4][4] = { { 0xC5, 0xFC, 0x10, 0x05 }, { 0xC5, 0xFC, 0x10, 0x0D }, { 0xC5, 0xFC, 0x10, 0x15 },
					   { 0xC5, 0xF8, 0x10, 0x1D } };
	const size_t call = jit->avx ? 15 : 12;   /* mov rax, imm64 [vzeroupper] call rax */
	int n = 0;
	uint64_t to = 0;
	for (const uint8_t *p = jit->mem, *end = code_end(jit); p + call <= end; p++) {
		if (!(p[0] == 0x48 && p[1] == 0xB8 && p[call - 2] == 0xFF && p[call - 1] == 0xD0) ||
		    (jit->avx && !(p[10] == 0xC5 && p[11] == 0xF8 && p[12] == 0x77)))
			continue;
		uint64_t fn;
		memcpy(&fn, p + 2, sizeof fn);
		assert_true(n == 0 || fn == to);
		to = fn;
		n++;
		bool reloads = false;
		for (const uint8_t *q = p + call; !reloads && q < p + call + 16 && q + 32 <= end; q++) {
			reloads = true;
			for (int r = 0; r < (jit->avx ? 4 : 3); r++)   /* each load: its bytes, then a rel32 */
				reloads = reloads && (jit->avx ? memcmp(q + 8 * r, avx[r], 4) == 0 : memcmp(q + 7 * r, sse[r], 3) == 0);
		}
		if (!reloads)
			fail_msg("the call at byte %td does not load the constants again", p - (const uint8_t *)jit->mem);
	}
	return n;
}

/* Reasons noted by calling C (jit_reason: a repeated reason, FAIL_R
 * with the first note's reason) between reasons noted inline (FAIL_E's
 * too, after a call), in two programs: the section's
 * count, kept in r14 or r15 while it notes inline, must be stored before
 * the call (the callee appends at nreasons) and loaded after it (the
 * callee may have counted one more), so that the inline note after the
 * call writes at the next index and the count at the program's end is
 * right; and the second program starts (its result's head, its sections'
 * starts, its outputs: stores of xmm0 to xmm2) after calls in the first.
 * Every combination of which notes fire and which sections fail, over
 * registers typed at least 0 (carry notes) and not (conditional moves):
 * results and registers as the interpreters give them.  The callee as
 * built happens to leave xmm0 to xmm2 alone, so a missing reload would
 * change no result today: the code is checked for the reloads. */
static void test_call_abi(void **state)
{
	(void)state;
	if (!pt_jit_supported())
		skip();
	pt_ruleset *rs = host_compile(HOST_PROGRAM("one") HOST_PROGRAM("two"), 2);
	pt_fast *host = rs->fast, f = *host;
	const uint32_t base = (uint32_t)rs->ninputs, S1 = base + 6, S2 = base + 7, Z = base + 8, nregs = base + 9;
	pt_rat consts[8], *host_consts = case_consts(rs, consts, (const pt_rat[]){ pt_rat_int(0) }, 1);
	enum { NP = 2, PLEN = 12 };
	pt_fast_ins code[NP * PLEN];
	pt_fast_prog fp[NP];
	for (uint32_t p = 0; p < NP; p++) {
		const uint32_t o = p * PLEN, e = o + 6, s = 100 + 10 * p;
		uint32_t a[6];
		for (uint32_t i = 0; i < 6; i++)   /* the second program reads them the other way round */
			a[i] = base + (p ? 5 - i : i);
		const pt_fast_ins prog[PLEN] = {
			{ F_REASON_LE_I, s, a[0], Z, 1 },         /* inline */
			{ F_REASON_LE_I, s, a[1], Z, 2 },         /* the same reason: a call, which adds it if the first did not */
			{ F_REASON_LE_I, s + 1, a[2], Z, 3 },     /* inline, after the call */
			{ F_JZ, 0, S1, 0, o + 5 },
			{ F_FAIL_R, 0, e, s, 4 },                 /* the first note's reason again: a call, then on */
			{ F_HALT_R, 0, 0, 0, e },
			{ F_REASON_LE_I, s + 3, a[3], Z, 5 },
			{ F_REASON_LE_I, s + 3, a[4], Z, 6 },
			{ F_REASON_LE_I, s + 4, a[5], Z, 7 },
			{ F_JZ, 0, S2, 0, o + 11 },
			{ F_FAIL_E, 0, 0, s + 5, 8 },             /* a reason of its own: its bit, after a call */
			{ F_HALT_E, 0, 0, 0, 0 },
		};
		memcpy(code + o, prog, sizeof prog);
		fp[p] = (pt_fast_prog){ .entry = { o, e }, .start = o, .linked = 1 };
	}
	for (uint32_t k = 0; k < NP * PLEN; k++)
		pt_fast_encode(&code[k], true);
	f.code = code;
	f.ncode = NP * PLEN;
	f.progs = fp;
	f.nregs = nregs;
	f.nderived = 0;
	f.reg_consts = Z;
	pt_rat *regs[3], *locals = calloc(rs->max_locals + 1, sizeof *locals);
	assert_non_null(locals);
	for (int m = 0; m < 3; m++)
		assert_non_null(regs[m] = calloc(nregs, sizeof(pt_rat)));
	long full = 0;
	for (int typed = 0; typed < 4; typed++) {
		/* typed & 1: the notes' registers and S1, S2 are locals (at least
		 * 0); typed & 2: built with AVX, where the processor has it */
		f.reg_locals = typed & 1 ? base : Z;
		f.reg_temps = f.reg_derived = Z;
		f.jit = NULL;
		rs->fast = &f;
		f.jit = pt_jit_build_with(rs, &f, typed & 2 && pt_jit_avx());
		assert_non_null(f.jit);
		assert_true(f.jit->native[0] && f.jit->native[1]);
		assert_int_equal(calls_reloading_xmm(f.jit), 3 * NP);   /* the repeats, FAIL_R */
		assert_int_equal(or_marks(f.jit), NP);   /* FAIL_E: or r15d, imm8 */
		for (uint32_t bits = 0; bits < 256; bits++) {
			pt_prog_result res[3][NP];
			bool ok[3];
			for (int m = 0; m < 3; m++) {
				jfx_start(regs[m], nregs, 0);
				for (uint32_t i = 0; i < 6; i++)   /* a note fires for 0 (typed) or -1 */
					regs[m][base + i] = pt_rat_int(bits >> i & 1 ? (typed & 1 ? 0 : -1) : 1);
				regs[m][S1] = pt_rat_int(bits >> 6 & 1);
				regs[m][S2] = pt_rat_int(bits >> 7 & 1);
				regs[m][Z] = consts[0];
				memset(res[m], 0xA5, sizeof res[m]);   /* every field must be written */
				ok[m] = pt_fast_eval(rs, regs[m], locals, res[m], (pt_fast_how)m, NULL);
			}
			same_ways(rs, ok, (pt_prog_result *const[3]){ res[0], res[1], res[2] }, NP, regs, nregs);
			const pt_prog_result seen = jfx_seen(rs, 1, &res[0][1]);   /* the machine code's */
			full += seen.redeem.nreasons == 2 && seen.earn.nreasons == 3;   /* (FAIL_R's is the first's) */
		}
		pt_jit_free(f.jit);
		f.jit = NULL;
	}
	assert_true(full > 0);   /* every note and failure at once, in the second program too */
	rs->fast = host;
	rs->consts = host_consts;
	pt_ruleset_free(rs);
	for (int m = 0; m < 3; m++)
		free(regs[m]);
	free(locals);
}

/* A section with more inline notes than noted has bits: the first
 * marks bit 0, then 40 rows, one of which a cart picks (JZ over the
 * others), each note a reason of its own.  Rows 0 to 30 mark bits 1 to
 * 31 (from bit 7 on with a 4-byte displacement, note_if), rows 31 to 39
 * call (jit_reason_marked), which moves bit 0's note into reasons[]
 * first.  Whatever row, the machine code's reasons are the
 * interpreters' and in order: the first note, then the row's. */
static void test_many_notes(void **state)
{
	(void)state;
	jfx x;
	jfx_init(&x);
	pt_ruleset *rs = x.rs;
	enum { ROWS = 40, FIRST = 199, ROW0 = 100 };
	const uint32_t base = (uint32_t)rs->ninputs, A = base + ROWS, K0 = A + 1, nregs = K0 + 1;
	assert_true(nregs <= JFX_REGS);
	pt_rat consts[8], *host_consts = case_consts(rs, consts, (const pt_rat[]){ pt_rat_int(0) }, 1);
	x.f.reg_locals = x.f.reg_temps = x.f.reg_derived = x.f.reg_consts = K0;   /* A and the rows' registers: untyped */
	enum { END = 1 + 3 * ROWS, N = END + 2 };
	pt_fast_ins code[N];
	code[0] = (pt_fast_ins){ F_REASON_LE_I, FIRST, A, K0, 1 };   /* A <= 0 */
	for (uint32_t r = 0; r < ROWS; r++) {
		code[1 + 3 * r] = (pt_fast_ins){ F_JZ, 0, base + r, 0, 1 + 3 * (r + 1) };
		code[2 + 3 * r] = (pt_fast_ins){ F_REASON_LE_I, ROW0 + r, A, K0, 2 + r };
		code[3 + 3 * r] = (pt_fast_ins){ F_JMP, 0, 0, 0, END };
	}
	code[END] = (pt_fast_ins){ F_HALT_R, 0, 0, 0, END + 1 };
	code[END + 1] = (pt_fast_ins){ F_HALT_E, 0, 0, 0, 0 };
	one_program(&x, code, N, END + 1, nregs);
	int wide = 0;   /* lea edx, [r14 + bit] with a 4-byte bit: bits 7 to 31 */
	for (const uint8_t *p = x.f.jit->mem, *end = code_end(x.f.jit); p + 7 <= end; p++) {
		uint32_t bit;
		memcpy(&bit, p + 3, 4);
		wide += p[0] == 0x41 && p[1] == 0x8D && p[2] == 0x96 && bit >= 128 && !(bit & (bit - 1));
	}
	assert_int_equal(wide, 25);
	static const int rows[] = { -1, 0, 5, 6, 7, 29, 30, 31, 32, 39 };
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		for (int64_t a = -1; a <= 1; a += 2) {
			pt_prog_result res[3];
			for (int m = 0; m < 3; m++) {
				jfx_start(x.regs[m], nregs, 0);
				if (rows[i] >= 0)
					x.regs[m][base + (uint32_t)rows[i]] = pt_rat_int(1);
				x.regs[m][A] = pt_rat_int(a);
				x.regs[m][K0] = consts[0];
			}
			assert_true(three_ways(&x, nregs, res));
			const pt_prog_result seen = jfx_seen(x.rs, 0, &res[0]);
			const pt_section_result *s = &seen.redeem;
			assert_int_equal(s->noted, 0);
			if (a > 0) {   /* no note holds */
				assert_int_equal(s->nreasons, 0);
				continue;
			}
			assert_int_equal(s->nreasons, rows[i] >= 0 ? 2 : 1);
			assert_int_equal(s->reasons[0].str, FIRST);
			assert_int_equal(s->reasons[0].pc, 1);
			if (rows[i] >= 0) {
				assert_int_equal(s->reasons[1].str, ROW0 + (uint32_t)rows[i]);
				assert_int_equal(s->reasons[1].pc, 2 + (uint32_t)rows[i]);
			}
			/* marked (rows before 31) or moved by the call (31 on) */
			assert_int_equal(res[0].redeem.noted != 0, rows[i] < 31);
		}
	rs->consts = host_consts;
	jfx_free(&x);
}

/* Registers only the earn section writes are kept in r8 to r12, not
 * stored (pt_jit_plan_cache): here a tier's rate and cap (MOV2), copied
 * from untyped registers, so numerators and denominators, four fields,
 * and the DIVFLOOR's whole result, a fifth.  They must be stored where
 * the interpreter takes over (the DIVFLOOR of a fraction, which the
 * machine code leaves to it, reads the first) and survive a call (the
 * repeated reason, jit_reason; the OUT after it reads the second).
 * Every way, the interpreters' results. */
static void test_kept_registers(void **state)
{
	(void)state;
	jfx x;
	jfx_init(&x);
	const uint32_t base = (uint32_t)x.rs->ninputs, frac = base, n1 = base + 1, z = base + 2, g1 = base + 3,
		       g2 = base + 4, L0 = base + 5, L1 = base + 6, L2 = base + 7, nregs = base + 8;
	pt_fast_ins code[] = {
		{ F_HALT_R, 0, 0, 0, 1 },                 /* the redeem section */
		{ F_MOV2, L0, g1, g2, L1 },               /* the earn section: L0 = g1, L1 = g2 */
		{ F_REASON_LE_I, 100, n1, z, 1 },         /* n1 <= 0: inline */
		{ F_REASON_LE_I, 100, n1, z, 2 },         /* the same reason again: a call */
		{ F_DIVFLOOR, L2, frac, L0, 0 },          /* a fraction: the interpreter's */
		{ F_OUT, 0, L2, 0, PT_OUT_E_POINTS },
		{ F_OUT, 0, L1, 0, PT_OUT_E_BASIS },
		{ F_HALT_E, 0, 0, 0, 0 },
	};
	x.f.reg_locals = L0;   /* frac to g2 untyped, L0 to L2 locals */
	x.f.reg_temps = x.f.reg_derived = x.f.reg_consts = nregs;
	one_program(&x, code, sizeof code / sizeof code[0], 1, nregs);
	assert_true(x.f.jit->kept[L0] && x.f.jit->kept[L1] && x.f.jit->kept[L2]);   /* five fields: r8 to r12 */
	int loads = 0;   /* after the call: mov r8..r11, [rbx + disp8] (r12 is the callee's to keep) */
	for (const uint8_t *p = x.f.jit->mem, *end = code_end(x.f.jit); p + 3 <= end; p++)
		loads += p[0] == 0x4C && p[1] == 0x8B && (p[2] & 0xC7) == 0x43;
	assert_int_equal(loads, 4);
	static const pt_rat fracs[] = { { 7, 3 }, { 12, 1 } }, g2s[] = { { 5, 2 }, { 9, 1 } };
	for (int i = 0; i < 2; i++)
		for (int note = 0; note < 2; note++)
			for (int g = 0; g < 2; g++) {
				pt_prog_result res[3];
				for (int m = 0; m < 3; m++) {
					jfx_start(x.regs[m], nregs, 5);   /* L0 and L1 as an earlier program left them */
					x.regs[m][frac] = fracs[i];
					x.regs[m][n1] = pt_rat_int(note ? 0 : 1);
					x.regs[m][z] = pt_rat_int(0);
					x.regs[m][g1] = (pt_rat){ 3, 2 };
					x.regs[m][g2] = g2s[g];
				}
				assert_true(three_ways(&x, nregs, res));
				/* floor(frac / 1.5), and L1 as given */
				assert_int_equal(res[0].out[PT_OUT_E_POINTS].n, i ? 8 : 1);
				assert_memory_equal(&res[0].out[PT_OUT_E_BASIS], &g2s[g], sizeof(pt_rat));
				assert_int_equal(jfx_seen(x.rs, 0, &res[0]).earn.nreasons, note ? 1 : 0);
			}
	jfx_free(&x);
}

/* A section's end (HALT_R, FAIL_R) in the earn section, which only
 * tests build (the translator ends the redeem section with them): it
 * zeroes locals in the register file, by a loop past four, and FAIL_R
 * calls C from the code laid out after every program, so a register
 * kept in r8 to r12 would keep its value, or lose it.  Such a program
 * keeps none (pt_jit_plan_cache), and gives the interpreters' results. */
static void test_kept_section_end(void **state)
{
	(void)state;
	jfx x;
	jfx_init(&x);
	const uint32_t base = (uint32_t)x.rs->ninputs, g1 = base, g2 = base + 1, L0 = base + 2, L1 = base + 3,
		       nregs = base + 10;
	for (int fail = 0; fail < 2; fail++) {
		pt_fast_ins code[] = {
			{ F_HALT_R, 0, 0, 0, 1 },                 /* the redeem section */
			{ F_MOV2, L0, g1, g2, L1 },               /* the earn section */
			fail ? (pt_fast_ins){ F_FAIL_R, 0, 3, 100, 2 }   /* a reason by a call, on to 3 */
			     : (pt_fast_ins){ F_HALT_R, 6, 0, 0, 3 },   /* six locals zeroed, by a loop */
			{ F_OUT, 0, L0, 0, PT_OUT_E_POINTS },
			{ F_OUT, 0, L1, 0, PT_OUT_E_BASIS },
			{ F_HALT_E, 0, 0, 0, 0 },
		};
		x.f.reg_locals = L0;   /* g1, g2 untyped; eight locals */
		x.f.reg_temps = x.f.reg_derived = x.f.reg_consts = nregs;
		one_program(&x, code, sizeof code / sizeof code[0], 1, nregs);
		for (uint32_t r = 0; r < nregs; r++)
			assert_false(x.f.jit->kept[r]);
		pt_prog_result res[3];
		for (int m = 0; m < 3; m++) {
			jfx_start(x.regs[m], nregs, 5);
			x.regs[m][g1] = pt_rat_int(77);
			x.regs[m][g2] = pt_rat_int(88);
		}
		three_ways(&x, nregs, res);
		assert_int_equal(res[0].out[PT_OUT_E_POINTS].n, fail ? 77 : 0);   /* the interpreters' */
	}
	jfx_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_rules),
		cmocka_unit_test(test_derive_typing),
		cmocka_unit_test(test_carry_edges),
		cmocka_unit_test(test_call_abi),
		cmocka_unit_test(test_many_notes),
		cmocka_unit_test(test_kept_registers),
		cmocka_unit_test(test_kept_section_end),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
