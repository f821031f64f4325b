/* test_jit_branches.c - branches and stores the machine code leaves out,
 * held to the interpreter it accelerates: a tier table's row found by
 * counting (src/jit_tier.c), two guards laid out as one branch (jit.c,
 * pt_jit_plan_guards), and a failure's outputs left as the program's
 * start stored them (pt_jit_plan_written).
 *
 * A tier chain whose thresholds are whole constants going down, whose
 * key is typed at least 0 and whose rows write constants to the same two
 * registers counts how many thresholds the key is below (cmp, sbb) and
 * loads the row's fields and label from a table after the code.  Each
 * case here is a built program (jit_fixture.h): the counting form, and
 * the shapes that must keep the rows' branches (a key of either sign, a
 * threshold going up, one past 31 bits), and a jump from outside into a
 * row, which must find the row laid out.  Every key around every
 * threshold runs three ways (machine code, computed goto, switch), which
 * must agree on every result and register. */
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

/* How often the byte string pat (n bytes) occurs in jit's code. */
static int count_bytes(const pt_jit *jit, const uint8_t *pat, size_t n)
{
	int c = 0;
	for (const uint8_t *p = jit->mem, *end = p + jit->len; p + n <= end; p++)
		c += memcmp(p, pat, n) == 0;
	return c;
}

/* The registers of the cases: the host's inputs, then U (untyped), the
 * locals K (the key, which no instruction writes, so typed at least 0),
 * Z (a flag), L0 and L1 (the rows' fields), then the five constants. */
enum { U = 7, K = 8, Z = 9, L0 = 10, L1 = 11, C0 = 12, NREGS = C0 + 5 };
enum { HUNDRED = C0, FIFTY = C0 + 1, TEN = C0 + 2, HALVES = C0 + 3, ONE = C0 + 4 };

/* A case of this file: the host with the five constants below in place
 * of its own (the host's returned, for case_end) and the registers laid
 * out as the enum above says. */
static const pt_rat case_vals[5] = { { 100, 1 }, { 50, 1 }, { 10, 1 }, { 7, 2 }, { 1, 1 } };
static pt_rat *case_begin(jfx *x, pt_rat consts[8])
{
	jfx_init(x);
	pt_rat *host = case_consts(x->rs, consts, case_vals, 5);
	x->f.reg_locals = K;   /* U untyped; K to L1 locals */
	x->f.reg_temps = x->f.reg_derived = x->f.reg_consts = C0;
	return host;
}

/* Register file m of x as a case starts: every register 0, the linked
 * input 1, the constants. */
static void case_regs(jfx *x, int m, const pt_rat consts[8])
{
	jfx_start(x->regs[m], NREGS, 0);
	for (int c = 0; c < 5; c++)
		x->regs[m][C0 + c] = consts[c];
}

/* The shapes below: counted (COUNTED, JUMP_IN, JUMP_PAST), or keeping
 * their branches: a key of either sign, a threshold going up, one past
 * 31 bits, one below 0, a row writing another register (first or
 * second), a row going
 * elsewhere, a row's field from a register (first or second). */
enum { COUNTED, JUMP_IN, JUMP_PAST, SIGNED_KEY, GOING_UP, WIDE, BELOW_0, OTHER_DST, OTHER_X, OTHER_END, FIELD_REG,
       FIELD_REG_B, NSHAPES };

/* Four rows: key >= 100, >= 50, >= 10, otherwise (labels 0 to 3), each
 * writing two constants to L0 and L1, then the outputs read both and Z.
 * With a jump (JUMP_IN, JUMP_PAST), a JZ on Z before the table jumps to
 * the second row's test, or past the table, leaving Z in rax where the
 * table's code leaves the label.  Returns the number of instructions; the
 * earn section starts at 1. */
static uint32_t table_code(pt_fast_ins *code, int shape)
{
	uint32_t n = 0, key = shape == SIGNED_KEY ? U : K, t0 = shape == GOING_UP ? TEN : HUNDRED,
		 t2 = shape == GOING_UP ? HUNDRED : TEN;
	code[n++] = (pt_fast_ins){ F_HALT_R, 0, 0, 0, 1 };
	if (shape == JUMP_IN || shape == JUMP_PAST)
		code[n++] = (pt_fast_ins){ F_JZ, 0, Z, 0, shape == JUMP_IN ? 5 : 13 };   /* the second row, or past */
	uint32_t r0 = n, end = r0 + 11;
	code[n++] = (pt_fast_ins){ F_TIERSEL, 0, key, t0, r0 + 3 };
	code[n++] = (pt_fast_ins){ F_MOV2, L0, HALVES, HUNDRED, L1 };
	code[n++] = (pt_fast_ins){ F_TIERJ, 0, 0, 0, end };
	code[n++] = (pt_fast_ins){ F_JF_GE_I, 0, key, FIFTY, r0 + 6 };
	code[n++] = (pt_fast_ins){ F_MOV2, shape == OTHER_DST ? U : L0, ONE, FIFTY, shape == OTHER_X ? U : L1 };
	code[n++] = (pt_fast_ins){ F_TIERJ, 0, 1, 0, shape == OTHER_END ? end + 2 : end };
	code[n++] = (pt_fast_ins){ F_JF_GE_I, 0, key, t2, r0 + 9 };
	code[n++] = (pt_fast_ins){ F_MOV2, L0, TEN, ONE, L1 };
	code[n++] = (pt_fast_ins){ F_TIERJ, 0, 2, 0, end };
	code[n++] = (pt_fast_ins){ F_MOV2, L0, shape == FIELD_REG ? U : FIFTY, shape == FIELD_REG_B ? U : TEN, L1 };
	code[n++] = (pt_fast_ins){ F_TIERJ, 0, 3, 0, end };
	code[n++] = (pt_fast_ins){ F_JZ, 0, Z, 0, end + 2 };   /* rax is Z here by the jump past, not by the table */
	code[n++] = (pt_fast_ins){ F_OUT, 0, Z, 0, PT_OUT_R_MAX_POINTS };
	code[n++] = (pt_fast_ins){ F_OUT, 0, L0, 0, PT_OUT_E_POINTS };
	code[n++] = (pt_fast_ins){ F_OUT, 0, L1, 0, PT_OUT_E_BASIS };
	code[n++] = (pt_fast_ins){ F_HALT_E, 0, 0, 0, 0 };
	return n;
}

/* Every shape, every key around every threshold: the three ways agree;
 * where the table is counted its code is there (one sbb rcx, rcx and an
 * sbb rcx, 0 for each threshold after the first) and the rows' fields are
 * the row's (label, L0 as points, L1 as basis); where it is not, no sbb. */
static void test_tier_counting(void **state)
{
	(void)state;
	jfx x;
	pt_rat consts[8], *host_consts = case_begin(&x, consts);
	const pt_rat *vals = case_vals;
	static const int64_t keys[] = { 0, 1, 9, 10, 11, 49, 50, 51, 99, 100, 101, INT32_MAX, INT64_MAX };
	static const int64_t signed_keys[] = { INT64_MIN + 1, -100, -1 };
	static const int64_t wide = (int64_t)1 << 40;
	for (int shape = 0; shape < NSHAPES; shape++) {
		pt_fast_ins code[20];
		bool jump = shape == JUMP_IN || shape == JUMP_PAST;
		uint32_t n = table_code(code, shape);
		consts[0] = shape == WIDE ? pt_rat_int(wide) : vals[0];   /* the first threshold past 31 bits */
		consts[2] = shape == BELOW_0 ? pt_rat_int(-10) : vals[2];   /* the third below 0 */
		one_program(&x, code, n, 1, NREGS);
		bool counted = shape == COUNTED || jump;
		assert_int_equal(count_bytes(x.f.jit, (const uint8_t[]){ 0x48, 0x19, 0xC9 }, 3), counted);
		assert_int_equal(count_bytes(x.f.jit, (const uint8_t[]){ 0x48, 0x83, 0xD9, 0x00 }, 4), counted ? 2 : 0);
		if (shape == COUNTED)   /* L1's rows are whole: kept in a machine register, loaded there */
			assert_true(x.f.jit->kept[L1]);
		size_t nk = sizeof keys / sizeof keys[0] + (shape == SIGNED_KEY ? 3 : 0);
		for (size_t i = 0; i < nk; i++)
			for (int z = jump ? 0 : 1; z < 3; z++) {
				int64_t key = i < sizeof keys / sizeof keys[0] ? keys[i] : signed_keys[i - sizeof keys / sizeof keys[0]];
				pt_prog_result res[3];
				for (int m = 0; m < 3; m++) {
					case_regs(&x, m, consts);
					x.regs[m][shape == SIGNED_KEY ? U : K] = pt_rat_int(key);
					if (shape != SIGNED_KEY)
						x.regs[m][U] = pt_rat_int(-7);
					x.regs[m][Z] = pt_rat_int(z);
				}
				assert_true(three_ways(&x, NREGS, res));
				if (shape != OTHER_END)   /* (whose second row goes past the OUT) */
					assert_int_equal(res[0].out[PT_OUT_R_MAX_POINTS].n, z);
				if (shape != COUNTED)
					continue;
				static const int64_t points[4][2] = { { 7, 2 }, { 1, 1 }, { 10, 1 }, { 50, 1 } },
						     basis[4] = { 100, 50, 1, 10 };
				int row = key >= 100 ? 0 : key >= 50 ? 1 : key >= 10 ? 2 : 3;
				assert_int_equal(res[0].tier, row);
				assert_int_equal(res[0].out[PT_OUT_E_POINTS].n, points[row][0]);
				assert_int_equal(res[0].out[PT_OUT_E_POINTS].d, points[row][1]);
				assert_int_equal(res[0].out[PT_OUT_E_BASIS].n, basis[row]);
				assert_int_equal(res[0].out[PT_OUT_E_BASIS].d, 1);
			}
	}
	x.rs->consts = host_consts;
	jfx_free(&x);
}

/* The shapes of test_merged_guards: merged, or laid out one by one: a
 * jump lands on the second guard, the failures differ in their kind or
 * in where they go on, the second's reason was noted before (a call). */
enum { MERGED, MERGED_AFTER_NOTE, MERGED_INTO_FAIL, SECOND_TARGET, OTHER_KIND, OTHER_ON, OTHER_ZEROING, NOTED_BEFORE,
       NGSHAPES };

/* A redeem section of two guards (D <= LIM, else reason 301; Lk not 0,
 * else 302), an output, and their failures; the earn section one
 * failure.  Returns the number of instructions and the earn's start. */
static uint32_t guards_code(pt_fast_ins *code, int shape, uint32_t *earn)
{
	enum { D = U, LK = K, Z0 = Z, V = L0 };
	uint32_t n = 0;
	if (shape == NOTED_BEFORE || shape == MERGED_AFTER_NOTE)   /* Z0 <= L1 (0): a note of 302, or of 303 */
		code[n++] = (pt_fast_ins){ F_REASON_LE_I, shape == NOTED_BEFORE ? 302 : 303, Z0, L1, 1 };
	if (shape == SECOND_TARGET) {
		code[n] = (pt_fast_ins){ F_JZ, 0, Z0, 0, n + 2 };   /* to the second guard */
		n++;
	}
	uint32_t g = n, f1 = g + 4, f2 = g + 5;
	code[n++] = (pt_fast_ins){ F_JF_LE_I, 0, D, FIFTY, f1 };
	code[n++] = (pt_fast_ins){ F_JZ, 0, LK, 0, f2 };
	if (shape == MERGED_INTO_FAIL) {   /* both hold: fallen into a third failure, laid out after every program */
		code[n++] = (pt_fast_ins){ F_FAIL_RE, 0, 0, 306, 10 };
		code[n++] = (pt_fast_ins){ F_HALT_E, 0, 0, 0, 0 };   /* (not reached) */
	} else {
		code[n++] = (pt_fast_ins){ F_OUT, 0, V, 0, PT_OUT_R_MAX_POINTS };
		code[n++] = (pt_fast_ins){ F_HALT_E, 0, 0, 0, 0 };
	}
	code[n++] = (pt_fast_ins){ shape == OTHER_KIND ? F_FAIL_R : F_FAIL_RE, 0, shape == OTHER_KIND ? f2 + 1 : 0, 301, 11 };
	code[n++] = shape == OTHER_ON ? (pt_fast_ins){ F_FAIL_R, 0, f2 + 1, 302, 12 }
				      : (pt_fast_ins){ F_FAIL_RE, 0, 0, 302, 12 };
	if (shape == OTHER_ON)   /* (the first failure too, going on elsewhere) */
		code[f1] = (pt_fast_ins){ F_FAIL_R, 0, f2 + 2, 301, 11 };
	if (shape == OTHER_ZEROING) {   /* both on to the earn section, the second zeroing two locals */
		code[f1] = (pt_fast_ins){ F_FAIL_R, 0, f2 + 1, 301, 11 };
		code[f2] = (pt_fast_ins){ F_FAIL_R, 2, f2 + 1, 302, 12 };
	}
	*earn = n;
	code[n++] = (pt_fast_ins){ F_FAIL_E, 0, 0, 304, 13 };
	if (shape == OTHER_ON)
		code[n++] = (pt_fast_ins){ F_FAIL_E, 0, 0, 305, 14 };
	return n;
}

/* Every shape, D either side of its bound and on it, Lk 0 and not, a
 * note before or not: the three ways agree on every result and register
 * (the reasons in order: jfx_seen), the merged shapes' code holds the one
 * branch (or cl, dl) and the others' not, and a merged pair's reasons
 * are the first failing guard's. */
static void test_merged_guards(void **state)
{
	(void)state;
	jfx x;
	pt_rat consts[8], *host_consts = case_begin(&x, consts);
	for (int shape = 0; shape < NGSHAPES; shape++) {
		pt_fast_ins code[16];
		uint32_t earn, n = guards_code(code, shape, &earn);
		one_program(&x, code, n, earn, NREGS);
		bool merged = shape == MERGED || shape == MERGED_AFTER_NOTE || shape == MERGED_INTO_FAIL;
		assert_int_equal(count_bytes(x.f.jit, (const uint8_t[]){ 0x08, 0xD1 }, 2) > 0, merged);
		for (int64_t d = 49; d <= 51; d++)
			for (int lk = 0; lk < 2; lk++)
				for (int z = 0; z < 2; z++) {
					pt_prog_result res[3];
					for (int m = 0; m < 3; m++) {
						case_regs(&x, m, consts);
						x.regs[m][U] = pt_rat_int(d);
						x.regs[m][K] = pt_rat_int(lk);
						x.regs[m][Z] = pt_rat_int(z);
						x.regs[m][L0] = pt_rat_int(9);
						if (shape == OTHER_ZEROING)   /* which the second failure zeroes */
							x.regs[m][L1] = pt_rat_int(4);
					}
					assert_true(three_ways(&x, NREGS, res));
					if (!merged)
						continue;
					const pt_prog_result seen = jfx_seen(x.rs, 0, &res[0]);
					const pt_section_result *r = &seen.redeem;
					bool noted = shape == MERGED_AFTER_NOTE && z == 0;
					uint32_t want = d > 50 ? 301 : lk == 0 ? 302 : shape == MERGED_INTO_FAIL ? 306 : 0;
					assert_int_equal(r->failed, want != 0);
					assert_int_equal(r->nreasons, noted + (want != 0));
					if (noted)
						assert_int_equal(r->reasons[0].str, 303);
					if (want)
						assert_int_equal(r->reasons[noted].str, want);
					else
						assert_int_equal(res[0].out[PT_OUT_R_MAX_POINTS].n, 9);
				}
	}
	x.rs->consts = host_consts;
	jfx_free(&x);
}

/* The instructions that write an output field, for
 * test_failure_outputs, and last a MOV, which writes none. */
static const uint8_t writers[] = { F_OUT, F_OUT_MOVC, F_MOVC_O, F_MULFLOOR_I_O, F_MULFLOOR_IR_O, F_MAX_I_O, F_MOV };
enum { NWRITERS = sizeof writers / sizeof writers[0], NO_WRITER = NWRITERS - 1 };

/* Writer w (an index into writers[]) giving field o (and, OUT_MOVC,
 * field o2 too) from L0: 9 as it is, times 10 or 7/2 floored, or the
 * larger of it and 1; the MOV copies L0 to U. */
static pt_fast_ins writer(int w, uint32_t o, uint32_t o2)
{
	switch (writers[w]) {
	case F_OUT: return (pt_fast_ins){ F_OUT, 0, L0, 0, o };
	case F_OUT_MOVC: return (pt_fast_ins){ F_OUT_MOVC, o2, L0, L0, o };
	case F_MOVC_O: return (pt_fast_ins){ F_MOVC_O, o, L0, 0, 0 };
	case F_MULFLOOR_I_O: return (pt_fast_ins){ F_MULFLOOR_I_O, o, L0, TEN, 0 };
	case F_MULFLOOR_IR_O: return (pt_fast_ins){ F_MULFLOOR_IR_O, o, L0, HALVES, 0 };
	case F_MAX_I_O: return (pt_fast_ins){ F_MAX_I_O, o, L0, ONE, 0 };
	default: return (pt_fast_ins){ F_MOV, U, L0, 0, 0 };
	}
}

/* The failures of test_failure_outputs: the redeem section's ending the
 * program (FAIL_RE), the earn section's (FAIL_E, after the redeem
 * section's end went on to it), the redeem section's going on to the earn
 * section (FAIL_R). */
enum { AT_FAIL_RE, AT_FAIL_E, AT_FAIL_R, NFAILS };

/* A section that writes the field its failure sets to 0 (the redeem's
 * maximum and value, the earn's points) when K is not 0, then fails when
 * Z is 0: writer w before failure at.  Returns the number of instructions
 * and the earn's start. */
static uint32_t written_code(pt_fast_ins *code, int w, int at, uint32_t *earn)
{
	uint32_t n = 0;
	if (at == AT_FAIL_E)
		code[n++] = (pt_fast_ins){ F_HALT_R, 0, 0, 0, 1 };
	uint32_t s = n;
	code[n++] = (pt_fast_ins){ F_JZ, 0, K, 0, s + 2 };   /* K 0: no write on this way */
	code[n++] = at == AT_FAIL_E ? writer(w, PT_OUT_E_POINTS, PT_OUT_E_BASIS)
				    : writer(w, PT_OUT_R_MAX_POINTS, PT_OUT_R_VALUE_YEN);
	code[n++] = (pt_fast_ins){ F_JZ, 0, Z, 0, s + 4 };
	switch (at) {
	case AT_FAIL_RE:
		code[n++] = (pt_fast_ins){ F_HALT_E, 0, 0, 0, 0 };
		code[n++] = (pt_fast_ins){ F_FAIL_RE, 0, 0, 301, 11 };
		code[n++] = (pt_fast_ins){ F_HALT_E, 0, 0, 0, 0 };   /* (not reached) */
		*earn = n;
		code[n++] = (pt_fast_ins){ F_FAIL_E, 0, 0, 304, 13 };
		break;
	case AT_FAIL_E:
		code[n++] = (pt_fast_ins){ F_HALT_E, 0, 0, 0, 0 };
		code[n++] = (pt_fast_ins){ F_FAIL_E, 0, 0, 304, 13 };
		*earn = 1;
		break;
	default:   /* AT_FAIL_R: both ends of the redeem section go on to the earn section */
		code[n++] = (pt_fast_ins){ F_HALT_R, 0, 0, 0, s + 5 };
		code[n++] = (pt_fast_ins){ F_FAIL_R, 0, s + 5, 301, 11 };
		*earn = n;
		code[n++] = (pt_fast_ins){ F_HALT_E, 0, 0, 0, 0 };
		break;
	}
	return n;
}

/* How often jit's code stores 0 into the numerator of output field o
 * (mov qword [rbp + d], 0, d from the result's start less the 128 bytes
 * rbp points past it): a failure's setting it to 0/1. */
static int zero_stores(const pt_jit *jit, uint32_t o)
{
	int d = (int)(offsetof(pt_prog_result, out) + o * sizeof(pt_rat)) - 128;
	return count_bytes(jit, (const uint8_t[]){ 0x48, 0xC7, 0x45, (uint8_t)d, 0, 0, 0, 0 }, 8);
}

/* A section's failure sets the fields it concludes (the redeem's maximum
 * and value, the earn's points) to 0 again when some way into it wrote
 * them, and leaves them as the program's start stored them when none did
 * (pt_jit_plan_written): every instruction that writes a field, on one
 * of the two ways in or on both, failing or not, before each kind of
 * failure.  The three ways agree; the field is 0/1 after a failure, the
 * writer's value otherwise; and the failure's code stores 0 into the
 * field only after a writer (none after the MOV). */
static void test_failure_outputs(void **state)
{
	(void)state;
	jfx x;
	pt_rat consts[8], *host_consts = case_begin(&x, consts);
	static const int64_t wrote[NWRITERS] = { 9, 9, 9, 90, 31, 9, 0 };
	for (int w = 0; w < NWRITERS; w++)
		for (int at = 0; at < NFAILS; at++) {
			pt_fast_ins code[10];
			uint32_t earn, n = written_code(code, w, at, &earn);
			one_program(&x, code, n, earn, NREGS);
			const uint32_t o = at == AT_FAIL_E ? PT_OUT_E_POINTS : PT_OUT_R_MAX_POINTS;
			assert_int_equal(zero_stores(x.f.jit, o) > 0, w != NO_WRITER);
			for (int k = 0; k < 2; k++)
				for (int z = 0; z < 2; z++) {
					pt_prog_result res[3];
					for (int m = 0; m < 3; m++) {
						case_regs(&x, m, consts);
						x.regs[m][K] = pt_rat_int(k);
						x.regs[m][Z] = pt_rat_int(z);
						x.regs[m][L0] = pt_rat_int(9);
					}
					assert_true(three_ways(&x, NREGS, res));
					int64_t want = z && k ? wrote[w] : 0;
					assert_int_equal(res[0].out[o].n, want);
					assert_int_equal(res[0].out[o].d, 1);
					if (at != AT_FAIL_E && writers[w] == F_OUT_MOVC)   /* its second field, the value */
						assert_int_equal(res[0].out[PT_OUT_R_VALUE_YEN].n, want);
				}
		}
	x.rs->consts = host_consts;
	jfx_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tier_counting),
		cmocka_unit_test(test_merged_guards),
		cmocka_unit_test(test_failure_outputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
