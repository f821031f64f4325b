/* jit_fixture.h - what the machine-code tests (test_jit.c,
 * test_jit_signs.c) share: a host rule set whose fast code a test's own
 * register code replaces, the comparison of results field by field, and
 * the built case of one program run three ways (machine code, computed
 * goto, switch), as test_jit.c's built cases have always used them.
 *
 * Include it after cmocka.h and helpers.h.  Everything is static inline,
 * so a test file that uses part of it compiles without unused-function
 * warnings. */
#ifndef PT_TEST_JIT_FIXTURE_H
#define PT_TEST_JIT_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "fast_int.h"
#include "jit.h"
#include "rules.h"
#include "vm.h"

/* The host: a real rule set whose stack code the interpreter falls
 * back to on an error (the same for every way, so results still
 * compare) and whose pt_fast the built code replaces; HOST_PROGRAM(id)
 * is one of its programs, host_rules_one the rule set of one. */
#define HOST_PROGRAM(id) \
	"program " id " {\n" \
	"  name \"" id "\"\n" \
	"  exclude categories kindle, giftcard, digital\n" \
	"  redeem {\n" \
	"    value 1 yen per point\n" \
	"  }\n" \
	"  earn {\n" \
	"    granted at payment\n" \
	"    basis floor(total / 1.1)\n" \
	"    add floor(basis * 2%) as points cap 3000 points else \"per-transaction cap\"\n" \
	"  }\n" \
	"}\n"
static const char *const host_rules_one = HOST_PROGRAM("one");

/* Program p's result x as every reader sees it: the notes the machine
 * code of rs marked moved into reasons[] (vm.h, pt_fast_prog_expand). */
static inline pt_prog_result jfx_seen(const pt_ruleset *rs, size_t p, const pt_prog_result *x)
{
	pt_prog_result r = *x;
	pt_fast_prog_expand(rs, p, &r);
	return r;
}

/* Two results of program p agree in every field the printers and the
 * API read, as they read them (jfx_seen), and each one's head says what
 * its sections say (vm.h: the machine code keeps it, pt_res_settle
 * settles it after the interpreters). */
static inline void same_result(const pt_ruleset *rs, size_t p, const pt_prog_result *x0, const pt_prog_result *y0)
{
	const pt_prog_result xs = jfx_seen(rs, p, x0), ys = jfx_seen(rs, p, y0), *x = &xs, *y = &ys;
	const pt_prog_result *xy[2] = { x, y };
	for (int k = 0; k < 2; k++) {
		pt_prog_result s = *xy[k];
		pt_res_settle(&s, 1);
		assert_int_equal(xy[k]->usable, s.usable);
		assert_int_equal(xy[k]->use_valid, 1);
		assert_int_equal(xy[k]->runtime_error, s.runtime_error);
	}
	assert_int_equal(x->linked, y->linked);
	assert_int_equal(x->tier, y->tier);
	for (int f = 0; f < PT_OUT__COUNT; f++) {
		assert_int_equal(x->out[f].n, y->out[f].n);
		assert_int_equal(x->out[f].d, y->out[f].d);
	}
	const pt_section_result *a[2] = { &x->redeem, &x->earn }, *b[2] = { &y->redeem, &y->earn };
	for (int k = 0; k < 2; k++) {
		assert_int_equal(a[k]->ran, b[k]->ran);
		assert_int_equal(a[k]->failed, b[k]->failed);
		assert_int_equal(a[k]->status, b[k]->status);
		assert_int_equal(a[k]->status_pc, b[k]->status_pc);
		assert_int_equal(a[k]->nreasons, b[k]->nreasons);
		for (int i = 0; i < a[k]->nreasons; i++) {
			assert_int_equal(a[k]->reasons[i].str, b[k]->reasons[i].str);
			assert_int_equal(a[k]->reasons[i].pc, b[k]->reasons[i].pc);
		}
	}
}

/* A host rule set of nprogs programs, compiled (its diagnostics, none,
 * freed). */
static inline pt_ruleset *host_compile(const char *text, size_t nprogs)
{
	pt_diags d;
	pt_diags_init(&d);
	pt_src src = { "host.rules", text, strlen(text), 0 };
	pt_ruleset *rs = pt_compile(&src, 1, &d);
	pt_diags_free(&d);
	assert_non_null(rs);
	assert_non_null(rs->fast);
	assert_int_equal(rs->nprogs, nprogs);
	return rs;
}

/* A built case (the tests below): the host rule set of one program,
 * whose fast code f (a copy of the host's) replaces, the program's entry
 * fp, three register files of JFX_REGS registers and the locals. */
enum { JFX_REGS = 64 };
typedef struct jfx {
	pt_ruleset *rs;
	pt_fast *host, f;
	pt_fast_prog fp;
	pt_rat *regs[3], *locals;
} jfx;

/* Compile the host and make room for the register files; the test is
 * skipped where there is no JIT. */
static inline void jfx_init(jfx *x)
{
	if (!pt_jit_supported())
		skip();
	x->rs = host_compile(host_rules_one, 1);
	x->host = x->rs->fast;
	x->f = *x->host;
	x->f.jit = NULL;   /* the host's stays the host's */
	x->locals = calloc(x->rs->max_locals + 1, sizeof *x->locals);
	assert_non_null(x->locals);
	for (int m = 0; m < 3; m++)
		assert_non_null(x->regs[m] = calloc(JFX_REGS, sizeof(pt_rat)));
}

/* The machine code freed, the host's fast code put back, all freed. */
static inline void jfx_free(jfx *x)
{
	pt_jit_free(x->f.jit);
	x->rs->fast = x->host;
	pt_ruleset_free(x->rs);
	for (int m = 0; m < 3; m++)
		free(x->regs[m]);
	free(x->locals);
}

/* Make x->f the fast code of the host: one program over code (index
 * form, encoded here) of ncode instructions, its earn section from
 * earn, registers up to nregs, with the derived values x->f says (the
 * caller's: test_derive_typing's); the JIT must give it machine code
 * (the previous case's is freed). */
static inline void jfx_build(jfx *x, pt_fast_ins *code, uint32_t ncode, uint32_t earn, uint32_t nregs)
{
	assert_true(nregs <= JFX_REGS);
	for (uint32_t k = 0; k < ncode; k++)
		pt_fast_encode(&code[k], true);
	pt_jit_free(x->f.jit);
	x->fp = (pt_fast_prog){ .entry = { 0, earn }, .linked = 1 };
	x->f.code = code;
	x->f.ncode = ncode;
	x->f.progs = &x->fp;
	x->f.nregs = nregs;
	x->f.jit = NULL;
	x->rs->fast = &x->f;
	x->f.jit = pt_jit_build(x->rs, &x->f);
	assert_non_null(x->f.jit);
	assert_true(x->f.jit->native[0]);
}

/* jfx_build without derived values: what every other built case needs. */
static inline void one_program(jfx *x, pt_fast_ins *code, uint32_t ncode, uint32_t earn, uint32_t nregs)
{
	x->f.nderived = 0;
	jfx_build(x, code, ncode, earn, nregs);
}

/* A case's register file as it starts: every register v, the linked
 * input (register 1) 1. */
static inline void jfx_start(pt_rat *regs, uint32_t nregs, int64_t v)
{
	for (uint32_t r = 0; r < nregs; r++)
		regs[r] = pt_rat_int(v);
	regs[1] = pt_rat_int(1);   /* linked */
}

/* What the three ways (machine code, computed goto, switch) left: the
 * same status, results of np programs (res[m] each way's first) and
 * nregs registers, but for those the machine code keeps in its own
 * registers (pt_jit.kept), which it leaves unwritten past the program,
 * and, where it fused any pair (pt_jit.nfused), the temporaries, which
 * it leaves unwritten where it passes one to a cap in a machine register
 * (pt_jit_plan_fuse; a temporary is dead past the instruction that reads
 * it); the interpreters still agree on them. */
static inline void same_ways(const pt_ruleset *rs, const bool ok[3], pt_prog_result *const res[3], size_t np,
			     pt_rat *const regs[3], uint32_t nregs)
{
	const pt_fast *f = rs->fast;
	const uint8_t *kept = f && f->jit ? f->jit->kept : NULL;
	for (int m = 1; m < 3; m++) {
		assert_int_equal(ok[0], ok[m]);
		for (size_t p = 0; p < np; p++)
			same_result(rs, p, &res[0][p], &res[m][p]);
		for (uint32_t r = 0; r < nregs; r++)
			if ((!kept || !kept[r]) && !(f && f->jit && f->jit->nfused && r >= f->reg_temps && r < f->reg_derived))
				assert_memory_equal(&regs[0][r], &regs[m][r], sizeof(pt_rat));
	}
	assert_memory_equal(regs[1], regs[2], nregs * sizeof(pt_rat));
}

/* Evaluate the one program over x->regs[0..2] (the same values, the
 * caller's) as machine code, computed goto and switch: the same status,
 * results and registers every way.  Returns the status. */
static inline bool three_ways(jfx *x, uint32_t nregs, pt_prog_result res[3])
{
	bool ok[3];
	for (int m = 0; m < 3; m++) {
		memset(&res[m], 0xA5, sizeof res[m]);   /* every field must be written */
		ok[m] = pt_fast_eval(x->rs, x->regs[m], x->locals, &res[m], (pt_fast_how)m, NULL);
	}
	same_ways(x->rs, ok, (pt_prog_result *const[3]){ &res[0], &res[1], &res[2] }, 1, x->regs, nregs);
	return ok[0];
}

/* The host's constants with the first n replaced by vals, in the case's
 * array mine, their count kept (the host's stack code, which the
 * reference VM runs when a case's program fails, reads them all); the
 * host's returned, for the case to put back. */
static inline pt_rat *case_consts(pt_ruleset *rs, pt_rat mine[8], const pt_rat *vals, size_t n)
{
	pt_rat *host = rs->consts;
	assert_true(rs->nconsts >= n && rs->nconsts <= 8);
	memcpy(mine, host, rs->nconsts * sizeof *mine);
	memcpy(mine, vals, n * sizeof *vals);
	rs->consts = mine;
	return host;
}

/* Build the one program of code (its earn section from earn), evaluate
 * it three ways from the register values init, and compare; res gets
 * the results.  (A program that leaves for the interpreter is evaluated
 * again from its start, which hides what went wrong before: each case of
 * test_tracking_cases is a program of its own.) */
static inline void gap_run(jfx *x, pt_fast_ins *code, uint32_t n, uint32_t earn, uint32_t nregs,
			   const pt_rat *init, pt_prog_result res[3])
{
	one_program(x, code, n, earn, nregs);
	for (int m = 0; m < 3; m++)
		memcpy(x->regs[m], init, nregs * sizeof(pt_rat));
	(void)three_ways(x, nregs, res);   /* a case may fail: the same way every way */
}

/* code = HALT_R, then the n instructions of pre with their registers
 * (dst, a, b, and MOV2's x) counted from base: the start of a one-program
 * case whose registers the caller names from base.  Returns how many. */
static inline uint32_t with_pre(pt_fast_ins *code, uint32_t base, const pt_fast_ins *pre, uint32_t n)
{
	code[0] = (pt_fast_ins){ F_HALT_R, 0, 0, 0, 1 };
	for (uint32_t k = 0; k < n; k++) {
		pt_fast_ins c = pre[k];
		c.dst += base;
		c.a += base;
		if (c.op != F_MOV && c.op != F_MOVC && c.op != F_NEG)
			c.b += base;
		if (c.op == F_MOV2)
			c.x += base;
		code[1 + k] = c;
	}
	return 1 + n;
}

/* How many INT64_MIN tests (cmp rax or rcx, [rip + INT64_MIN]) the machine code
 * of jit's one program holds: the bytes before its entry point (the
 * entry `all`, the program, the code laid out after it). */
static inline int min_tests(const pt_jit *jit)
{
	void *at;
	memcpy(&at, &jit->from[0], sizeof at);
	int n = 0;
	for (const uint8_t *p = jit->mem, *end = at; p + 3 <= end; p++)
		n += p[0] == 0x48 && p[1] == 0x3B && (p[2] == 0x05 || p[2] == 0x0D);
	return n;
}

#endif
