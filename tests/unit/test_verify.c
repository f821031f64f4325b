/* test_verify.c - the bytecode verifier (src/verify.c).  A small valid
 * rule set is compiled, then copies of its code and tables are corrupted
 * one way at a time; pt_verify must refuse each with a message naming
 * the problem, and accept the original again once it is restored. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opcodes.h"
#include "rules.h"

static const char rules_text[] =
	"program v {\n"
	"  name \"V\"\n"
	"  input account.x: points = 0 points\n"
	"  redeem {\n"
	"    value 1 yen per point\n"
	"    require payment.card == \"jcb\" else \"jcb only\"\n"
	"  }\n"
	"  earn {\n"
	"    require basis >= 5000 yen else \"too small\"\n"
	"    add floor(basis * 1%) as points cap 100 points else \"capped\"\n"
	"    add if account.x > 0 points then 1 points else 2 points\n"
	"    add 1 points\n    add 1 points\n    add 1 points\n    add 1 points\n"
	"    add 1 points\n    add 1 points\n    add 1 points\n    add 1 points\n"
	"    add 1 points\n    add 1 points\n    add 1 points\n    add 1 points\n"
	"    add 1 points\n    add 1 points\n    add 1 points\n    add 1 points\n"
	"    add 2 points\n    add 2 points\n    add 2 points\n    add 2 points\n"
	"    add 2 points\n    add 2 points\n    add 2 points\n    add 2 points\n"
	"    add 2 points\n    add 2 points\n    add 2 points\n    add 2 points\n"
	"    add 2 points\n    add 2 points\n    add 2 points\n    add 2 points\n"
	"  }\n"
	"}\n";

/* The compiled rule set and a pristine copy of what tests corrupt. */
typedef struct fx {
	pt_src src;
	pt_ruleset *rs;
	uint32_t *code;
	pt_program prog;
	pt_diags d;
} fx;

/* Compile the rule set once per test and keep a copy of its code. */
static int setup(void **state)
{
	fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	f->src = (pt_src){ "v.rules", rules_text, sizeof rules_text - 1, 0 };
	pt_diags_init(&f->d);
	f->rs = pt_compile(&f->src, 1, &f->d);
	if (!f->rs) {
		pt_diags_print(&f->d, stderr);
		return -1;
	}
	pt_diags_free(&f->d);
	pt_diags_init(&f->d);
	f->code = malloc(f->rs->ncode * sizeof *f->code);
	if (!f->code)
		return -1;
	memcpy(f->code, f->rs->code, f->rs->ncode * sizeof *f->code);
	f->prog = f->rs->progs[0];
	*state = f;
	return 0;
}

/* The original code verifies again after every test's restore. */
static int teardown(void **state)
{
	fx *f = *state;
	memcpy(f->rs->code, f->code, f->rs->ncode * sizeof *f->code);
	f->rs->progs[0] = f->prog;
	pt_diags_free(&f->d);
	pt_diags_init(&f->d);
	bool ok = pt_verify(f->rs, &f->d, "restored");
	pt_diags_free(&f->d);
	pt_ruleset_free(f->rs);
	free(f->code);
	free(f);
	return ok ? 0 : -1;
}

/* Verify and expect failure with a first message equal to want. */
static void expect_reject(fx *f, const char *want)
{
	pt_diags_free(&f->d);
	pt_diags_init(&f->d);
	if (pt_verify(f->rs, &f->d, "test"))
		fail_msg("verifier accepted corrupted code; wanted \"%s\"", want);
	assert_true(f->d.n_errors >= 1);
	assert_int_equal(f->d.v[0].sev, PT_ERROR);
	assert_string_equal(f->d.v[0].file, "test");
	assert_int_equal(f->d.v[0].line, 0);
	assert_string_equal(f->d.v[0].msg, want);
}

/* Restore the pristine code and program entry. */
static void restore(fx *f)
{
	memcpy(f->rs->code, f->code, f->rs->ncode * sizeof *f->code);
	f->rs->progs[0] = f->prog;
}

/* First pc in [from, to) with opcode op, failing when there is none. */
static uint32_t find_op(const fx *f, uint32_t from, uint32_t to, int op)
{
	for (uint32_t pc = from; pc < to; pc++)
		if ((int)PT_INS_OP(f->rs->code[pc]) == op)
			return pc;
	fail_msg("no %s in [%u, %u)", pt_op_names[op], from, to);
	return 0;
}

/* Overwrite the earn section with ins[0..n) followed by HALTs. */
static void write_earn(fx *f, const uint32_t *ins, size_t n)
{
	const pt_program *pg = &f->rs->progs[0];
	assert_true(pg->earn_pc + n <= pg->earn_end);
	for (uint32_t pc = pg->earn_pc; pc < pg->earn_end; pc++)
		f->rs->code[pc] = PT_INS(PT_OP_HALT, 0);
	memcpy(f->rs->code + pg->earn_pc, ins, n * sizeof *ins);
}

/* The compiled rule set verifies cleanly and the verifier computes its
 * stack and locals needs. */
static void test_valid_code(void **state)
{
	fx *f = *state;
	f->rs->max_stack = 0;
	f->rs->max_locals = 0;
	assert_true(pt_verify(f->rs, &f->d, "test"));
	assert_int_equal(f->d.n, 0);
	assert_true(f->rs->max_stack >= 2);
	assert_int_equal(f->rs->max_locals, f->rs->progs[0].nlocals);
	assert_true(f->rs->progs[0].earn_end - f->rs->progs[0].earn_pc > 2 * PT_MAX_STACK + 1);
}

/* A jump to itself or backwards would loop: refused. */
static void test_backward_jump(void **state)
{
	fx *f = *state;
	const pt_program *pg = &f->rs->progs[0];
	char want[160];
	uint32_t pc = find_op(f, pg->earn_pc + 1, pg->earn_end, PT_OP_JMPF);
	f->rs->code[pc] = PT_INS(PT_OP_JMPF, pc);
	snprintf(want, sizeof want, "bytecode pc %u: JMPF target %u is not a later instruction of the same section", pc, pc);
	expect_reject(f, want);
	f->rs->code[pc] = PT_INS(PT_OP_JMPF, pc - 1);
	snprintf(want, sizeof want, "bytecode pc %u: JMPF target %u is not a later instruction of the same section", pc, pc - 1);
	expect_reject(f, want);
	restore(f);
	pc = find_op(f, pg->earn_pc, pg->earn_end, PT_OP_JMP);
	f->rs->code[pc] = PT_INS(PT_OP_JMP, pg->earn_pc);
	snprintf(want, sizeof want, "bytecode pc %u: JMP target %u is not a later instruction of the same section",
		 pc, pg->earn_pc);
	expect_reject(f, want);
}

/* Jumps out of their section: to its end, past the code, or into the
 * next section. */
static void test_jump_past_section(void **state)
{
	fx *f = *state;
	const pt_program *pg = &f->rs->progs[0];
	char want[160];
	uint32_t pc = find_op(f, pg->earn_pc, pg->earn_end, PT_OP_JMPF);
	f->rs->code[pc] = PT_INS(PT_OP_JMPF, pg->earn_end);
	snprintf(want, sizeof want, "bytecode pc %u: JMPF target %u is not a later instruction of the same section",
		 pc, pg->earn_end);
	expect_reject(f, want);
	f->rs->code[pc] = PT_INS(PT_OP_JMPF, PT_ARG_MAX);
	snprintf(want, sizeof want, "bytecode pc %u: JMPF target %u is not a later instruction of the same section",
		 pc, PT_ARG_MAX);
	expect_reject(f, want);
	restore(f);
	pc = find_op(f, pg->redeem_pc, pg->redeem_end, PT_OP_JMPF);
	f->rs->code[pc] = PT_INS(PT_OP_JMPF, pg->earn_pc + 1);   /* into the earn section */
	snprintf(want, sizeof want, "bytecode pc %u: JMPF target %u is not a later instruction of the same section",
		 pc, pg->earn_pc + 1);
	expect_reject(f, want);
}

/* Operands that index tables must be in range: constants, inputs,
 * locals, strings, output fields, rules. */
static void test_operands_out_of_range(void **state)
{
	fx *f = *state;
	const pt_ruleset *rs = f->rs;
	const pt_program *pg = &rs->progs[0];
	char want[160];
	uint32_t pc;

	pc = find_op(f, pg->earn_pc, pg->earn_end, PT_OP_CONST);
	f->rs->code[pc] = PT_INS(PT_OP_CONST, (uint32_t)rs->nconsts);
	snprintf(want, sizeof want, "bytecode pc %u: constant %zu out of range (pool has %zu)", pc, rs->nconsts, rs->nconsts);
	expect_reject(f, want);
	restore(f);

	pc = find_op(f, pg->earn_pc, pg->earn_end, PT_OP_INPUT);
	f->rs->code[pc] = PT_INS(PT_OP_INPUT, (uint32_t)rs->ninputs);
	snprintf(want, sizeof want, "bytecode pc %u: input %zu out of range (rule set reads %zu)", pc, rs->ninputs, rs->ninputs);
	expect_reject(f, want);
	restore(f);

	pc = find_op(f, pg->earn_pc, pg->earn_end, PT_OP_LOAD);
	f->rs->code[pc] = PT_INS(PT_OP_LOAD, pg->nlocals);
	snprintf(want, sizeof want, "bytecode pc %u: local %u out of range (program v has %u)", pc, pg->nlocals, pg->nlocals);
	expect_reject(f, want);
	restore(f);

	pc = find_op(f, pg->earn_pc, pg->earn_end, PT_OP_STORE);
	f->rs->code[pc] = PT_INS(PT_OP_STORE, PT_ARG_MAX);
	snprintf(want, sizeof want, "bytecode pc %u: local %u out of range (program v has %u)", pc, PT_ARG_MAX, pg->nlocals);
	expect_reject(f, want);
	restore(f);

	pc = find_op(f, pg->earn_pc, pg->earn_end, PT_OP_FAIL);
	f->rs->code[pc] = PT_INS(PT_OP_FAIL, (uint32_t)rs->nstrs);
	snprintf(want, sizeof want, "bytecode pc %u: string %zu out of range (table has %zu)", pc, rs->nstrs, rs->nstrs);
	expect_reject(f, want);
	restore(f);

	pc = find_op(f, pg->earn_pc, pg->earn_end, PT_OP_CAP);
	f->rs->code[pc] = PT_INS(PT_OP_CAP, (uint32_t)rs->nstrs);
	snprintf(want, sizeof want, "bytecode pc %u: string %zu out of range (table has %zu)", pc, rs->nstrs, rs->nstrs);
	expect_reject(f, want);
	f->rs->code[pc] = PT_INS(PT_OP_CAP, PT_NO_STR);   /* "no reason" is allowed */
	assert_true(pt_verify(f->rs, &f->d, "test"));
	restore(f);

	pc = find_op(f, pg->earn_pc, pg->earn_end, PT_OP_OUT);
	f->rs->code[pc] = PT_INS(PT_OP_OUT, PT_OUT__COUNT);
	snprintf(want, sizeof want, "bytecode pc %u: output field %d does not exist", pc, PT_OUT__COUNT);
	expect_reject(f, want);
	restore(f);

	pc = find_op(f, pg->earn_pc, pg->earn_end, PT_OP_TRACE);
	f->rs->code[pc] = PT_INS(PT_OP_TRACE, (uint32_t)rs->nrules);
	snprintf(want, sizeof want, "bytecode pc %u: rule %zu out of range (table has %zu)", pc, rs->nrules, rs->nrules);
	expect_reject(f, want);
	restore(f);

	pc = find_op(f, pg->earn_pc, pg->earn_end, PT_OP_ADD);
	f->rs->code[pc] = PT_INS(PT_OP_ADD, 5);
	snprintf(want, sizeof want, "bytecode pc %u: ADD takes no operand (found 5)", pc);
	expect_reject(f, want);
}

/* Opcodes past the end of the instruction set are refused. */
static void test_unknown_opcode(void **state)
{
	fx *f = *state;
	const pt_program *pg = &f->rs->progs[0];
	char want[160];
	uint32_t pc = pg->earn_pc + 3;
	f->rs->code[pc] = PT_INS(PT_OP__COUNT, 0);
	snprintf(want, sizeof want, "bytecode pc %u: unknown opcode %d", pc, PT_OP__COUNT);
	expect_reject(f, want);
	f->rs->code[pc] = 0xFFu;
	snprintf(want, sizeof want, "bytecode pc %u: unknown opcode 255", pc);
	expect_reject(f, want);
	/* in the redeem section too */
	restore(f);
	f->rs->code[pg->redeem_end - 1] = PT_INS(200, 0);
	snprintf(want, sizeof want, "bytecode pc %u: unknown opcode 200", pg->redeem_end - 1);
	expect_reject(f, want);
}

/* An instruction that pops more than the stack holds. */
static void test_stack_underflow(void **state)
{
	fx *f = *state;
	const pt_program *pg = &f->rs->progs[0];
	char want[160];
	f->rs->code[pg->earn_pc] = PT_INS(PT_OP_ADD, 0);
	snprintf(want, sizeof want, "bytecode pc %u: ADD needs 2 stack values, has 0", pg->earn_pc);
	expect_reject(f, want);
	f->rs->code[pg->earn_pc] = PT_INS(PT_OP_STORE, 0);
	snprintf(want, sizeof want, "bytecode pc %u: STORE needs 1 stack values, has 0", pg->earn_pc);
	expect_reject(f, want);
	/* one value where two are needed */
	const uint32_t ins[] = { PT_INS(PT_OP_CONST, 0), PT_INS(PT_OP_MUL, 0), PT_INS(PT_OP_HALT, 0) };
	write_earn(f, ins, 3);
	snprintf(want, sizeof want, "bytecode pc %u: MUL needs 2 stack values, has 1", pg->earn_pc + 1);
	expect_reject(f, want);
}

/* More than PT_MAX_STACK values pushed. */
static void test_stack_overflow(void **state)
{
	fx *f = *state;
	const pt_program *pg = &f->rs->progs[0];
	uint32_t ins[PT_MAX_STACK + 1];
	for (int i = 0; i <= PT_MAX_STACK; i++)
		ins[i] = PT_INS(PT_OP_CONST, 0);
	write_earn(f, ins, PT_MAX_STACK + 1);
	char want[160];
	snprintf(want, sizeof want, "bytecode pc %u: stack deeper than %d", pg->earn_pc + PT_MAX_STACK, PT_MAX_STACK);
	expect_reject(f, want);
	/* exactly PT_MAX_STACK deep is fine if it is popped again */
	uint32_t ok[2 * PT_MAX_STACK + 1];
	size_t n = 0;
	for (int i = 0; i < PT_MAX_STACK; i++)
		ok[n++] = PT_INS(PT_OP_CONST, 0);
	for (int i = 0; i < PT_MAX_STACK; i++) {
		uint32_t next = pg->earn_pc + (uint32_t)n + 1;
		ok[n++] = PT_INS(PT_OP_JMPF, next);
	}
	ok[n++] = PT_INS(PT_OP_HALT, 0);
	write_earn(f, ok, n);
	assert_true(pt_verify(f->rs, &f->d, "test"));
	assert_int_equal(f->rs->max_stack, PT_MAX_STACK);
}

/* A section whose last reachable instruction is not HALT or FAIL would
 * run into the next section. */
static void test_runs_off_end(void **state)
{
	fx *f = *state;
	const pt_program *pg = &f->rs->progs[0];
	char want[160];
	uint32_t last = pg->earn_end - 1;
	assert_int_equal(PT_INS_OP(f->rs->code[last]), PT_OP_FAIL);
	f->rs->code[last] = PT_INS(PT_OP_NOP, 0);
	snprintf(want, sizeof want, "bytecode pc %u: section of program v runs off its end (no HALT or FAIL)", last);
	expect_reject(f, want);
	restore(f);
	last = pg->redeem_end - 1;
	f->rs->code[last] = PT_INS(PT_OP_CONST, 0);
	snprintf(want, sizeof want, "bytecode pc %u: section of program v runs off its end (no HALT or FAIL)", last);
	expect_reject(f, want);
	/* a conditional jump on the last instruction falls through too */
	const uint32_t ins[] = { PT_INS(PT_OP_CONST, 0) };
	restore(f);
	write_earn(f, ins, 1);
	for (uint32_t pc = pg->earn_pc + 1; pc < pg->earn_end - 1; pc++)
		f->rs->code[pc] = PT_INS(PT_OP_NOP, 0);
	f->rs->code[pg->earn_end - 1] = PT_INS(PT_OP_STORE, 0);
	snprintf(want, sizeof want, "bytecode pc %u: section of program v runs off its end (no HALT or FAIL)", pg->earn_end - 1);
	expect_reject(f, want);
}

/* Paths that meet with different stack depths: an if whose else branch
 * pushes nothing, in compiled code and in a hand-written section. */
static void test_join_depth_mismatch(void **state)
{
	fx *f = *state;
	const pt_program *pg = &f->rs->progs[0];
	char want[160];
	/* compiled `if ... then 1 points else 2 points`: c JMPF a JMP b | join */
	uint32_t j = find_op(f, pg->earn_pc, pg->earn_end, PT_OP_JMP);
	uint32_t join = PT_INS_ARG(f->rs->code[j]);
	assert_int_equal(PT_INS_OP(f->rs->code[join - 1]), PT_OP_CONST);   /* the else value */
	f->rs->code[join - 1] = PT_INS(PT_OP_NOP, 0);
	/* the if starts on an empty stack: the then path brings 1 value, the
	 * else path now none */
	snprintf(want, sizeof want, "bytecode pc %u: stack depth 0 meets 1 from another path", join);
	expect_reject(f, want);
}

/* Paths that meet with different stack depths (hand-written). */
static void test_join_depth_mismatch_crafted(void **state)
{
	fx *f = *state;
	const pt_program *pg = &f->rs->progs[0];
	uint32_t b = pg->earn_pc;
	const uint32_t ins[] = {
		PT_INS(PT_OP_CONST, 0),       /* b+0: depth 0 -> 1 */
		PT_INS(PT_OP_JMPF, b + 4),    /* b+1: 1 -> 0, to b+4 with 0 */
		PT_INS(PT_OP_CONST, 0),       /* b+2: 0 -> 1 */
		PT_INS(PT_OP_NOP, 0),         /* b+3: falls into b+4 with 1 */
		PT_INS(PT_OP_HALT, 0),        /* b+4 */
	};
	write_earn(f, ins, 5);
	char want[160];
	snprintf(want, sizeof want, "bytecode pc %u: stack depth 1 meets 0 from another path", b + 4);
	expect_reject(f, want);
}

/* HALT and FAIL must leave an empty stack. */
static void test_values_left_on_stack(void **state)
{
	fx *f = *state;
	const pt_program *pg = &f->rs->progs[0];
	char want[160];
	const uint32_t ins[] = { PT_INS(PT_OP_CONST, 0), PT_INS(PT_OP_HALT, 0) };
	write_earn(f, ins, 2);
	snprintf(want, sizeof want, "bytecode pc %u: HALT with 1 values left on the stack", pg->earn_pc + 1);
	expect_reject(f, want);
	const uint32_t ins2[] = { PT_INS(PT_OP_CONST, 0), PT_INS(PT_OP_CONST, 0), PT_INS(PT_OP_FAIL, 0) };
	write_earn(f, ins2, 3);
	snprintf(want, sizeof want, "bytecode pc %u: FAIL with 2 values left on the stack", pg->earn_pc + 2);
	expect_reject(f, want);
}

/* Unreachable instructions are not run but their operands are still
 * checked; a valid unreachable one is accepted. */
static void test_unreachable_code(void **state)
{
	fx *f = *state;
	const pt_program *pg = &f->rs->progs[0];
	uint32_t b = pg->earn_pc;
	const uint32_t ok[] = { PT_INS(PT_OP_JMP, b + 2), PT_INS(PT_OP_ADD, 0), PT_INS(PT_OP_HALT, 0) };
	write_earn(f, ok, 3);
	assert_true(pt_verify(f->rs, &f->d, "test"));
	const uint32_t bad[] = { PT_INS(PT_OP_JMP, b + 2), PT_INS(PT_OP_CONST, (uint32_t)f->rs->nconsts),
				 PT_INS(PT_OP_HALT, 0) };
	write_earn(f, bad, 3);
	char want[160];
	snprintf(want, sizeof want, "bytecode pc %u: constant %zu out of range (pool has %zu)", b + 1,
		 f->rs->nconsts, f->rs->nconsts);
	expect_reject(f, want);
}

/* Table and program-level checks: constants, strings, inputs, section
 * bounds, locals, account inputs, empty code. */
static void test_tables(void **state)
{
	fx *f = *state;
	pt_ruleset *rs = f->rs;
	pt_program *pg = &rs->progs[0];
	char want[160];

	pt_rat c0 = rs->consts[0];
	rs->consts[0].d = 0;
	expect_reject(f, "constant 0 has a non-positive denominator");
	rs->consts[0].d = -1;
	expect_reject(f, "constant 0 has a non-positive denominator");
	rs->consts[0] = c0;

	const char *s0 = rs->strs[1];
	rs->strs[1] = NULL;
	expect_reject(f, "string 1 is missing");
	rs->strs[1] = s0;

	pt_input_def in0 = rs->inputs[0];
	rs->inputs[0].kind = (pt_input_kind)9;
	expect_reject(f, "input 0 has unknown kind 9");
	rs->inputs[0] = in0;
	size_t bi = 0;
	while (bi < rs->ninputs && rs->inputs[bi].kind != PT_IN_BUILTIN)
		bi++;
	assert_true(bi < rs->ninputs);
	pt_input_def b0 = rs->inputs[bi];
	rs->inputs[bi].builtin = PT_B__COUNT;
	snprintf(want, sizeof want, "input %zu names unknown built-in %d", bi, PT_B__COUNT);
	expect_reject(f, want);
	rs->inputs[bi] = b0;
	size_t ai = 0;
	while (ai < rs->ninputs && rs->inputs[ai].kind != PT_IN_ACCOUNT)
		ai++;
	assert_true(ai < rs->ninputs);
	pt_input_def a0 = rs->inputs[ai];
	rs->inputs[ai].prog = 1;
	snprintf(want, sizeof want, "input %zu belongs to program 1, which does not exist", ai);
	expect_reject(f, want);
	rs->inputs[ai].prog = 0;
	rs->inputs[ai].name = NULL;
	snprintf(want, sizeof want, "input %zu has no name", ai);
	expect_reject(f, want);
	rs->inputs[ai] = a0;

	pg->earn_pc = f->prog.redeem_pc;
	expect_reject(f, "program v: section bounds are out of order or out of range");
	restore(f);
	pg->earn_end = (uint32_t)rs->ncode + 1;
	expect_reject(f, "program v: section bounds are out of order or out of range");
	restore(f);
	pg->redeem_end = pg->redeem_pc;
	expect_reject(f, "program v: section bounds are out of order or out of range");
	restore(f);
	pg->nlocals = PT_MAX_LOCALS + 1;
	snprintf(want, sizeof want, "program v has %d locals (limit is %d)", PT_MAX_LOCALS + 1, PT_MAX_LOCALS);
	expect_reject(f, want);
	restore(f);
	pg->linked_input = (int)rs->ninputs;
	expect_reject(f, "program v: account inputs out of range");
	restore(f);
	pg->balance_input = -1;
	expect_reject(f, "program v: account inputs out of range");
	restore(f);
	const char *id = pg->id;
	pg->id = NULL;
	expect_reject(f, "program 0 has no id or name");
	pg->id = id;

	size_t n = rs->ncode;
	rs->ncode = 0;
	expect_reject(f, "rule set has no code");
	rs->ncode = n;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_valid_code, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backward_jump, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jump_past_section, setup, teardown),
		cmocka_unit_test_setup_teardown(test_operands_out_of_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_opcode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stack_underflow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stack_overflow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_runs_off_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_join_depth_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_join_depth_mismatch_crafted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_values_left_on_stack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreachable_code, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tables, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
