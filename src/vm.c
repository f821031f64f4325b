/* vm.c - the interpreter loop.
 *
 * A stack machine over exact rationals.  Code is verified first, so the
 * loop trusts operands and stack depth, as an eBPF interpreter trusts
 * what its verifier accepted.  Dispatch goes through the
 * vmdispatch/vmcase/vmbreak macros (after Lua) so the bodies stay the
 * same whether the compiler offers computed goto or only switch. */
#include <string.h>

#include "vm.h"

#define vmdispatch(o) switch (o)
#define vmcase(l) case PT_OP_##l:
#define vmbreak break

/* Compare, with the common whole-number case inline. */
static inline int cmp(pt_rat a, pt_rat b)
{
	if (a.d == 1 && b.d == 1)
		return (a.n > b.n) - (a.n < b.n);
	return pt_rat_cmp(a, b);
}

/* Execute from pc until HALT or FAIL.  The code has been verified (every
 * operand in range, stack depth known at each pc, jumps forward, every
 * path ends), so the loop does no per-instruction checks of its own. */
pt_vm_status pt_vm_run(const pt_ruleset *rs, const pt_program *pg, uint32_t pc,
		       const pt_rat *inputs, pt_rat *locals, pt_prog_result *res,
		       pt_section_result *sec, pt_trace *trace)
{
	pt_rat stack[PT_MAX_STACK + 1];
	pt_rat *sp = stack;   /* next free slot */
	const uint32_t *code = rs->code;
	const pt_rat *k = rs->consts;
	uint8_t *hits = trace ? trace->hits : NULL;
	(void)pg;
	sec->ran = true;
	for (;;) {
		uint32_t at = pc, ins = code[pc++], arg = PT_INS_ARG(ins);
		pt_rat r;
#define A (sp[-2])
#define B (sp[-1])
#define OVERFLOW() do { sec->status = PT_VM_OVERFLOW; sec->status_pc = at; return sec->status; } while (0)
		if (hits)
			hits[at] |= PT_HIT_RUN;
		vmdispatch(PT_INS_OP(ins)) {
		vmcase(NOP) vmbreak;
		vmcase(CONST) *sp++ = k[arg]; vmbreak;
		vmcase(INPUT)
			*sp++ = inputs[arg];
			if (hits && inputs[arg].n != 0)
				hits[at] |= PT_HIT_NONZERO;
			vmbreak;
		vmcase(LOAD) *sp++ = locals[arg]; vmbreak;
		vmcase(STORE) locals[arg] = *--sp; vmbreak;
		vmcase(ADD)
			if (A.d == 1 && B.d == 1) {
				if (__builtin_add_overflow(A.n, B.n, &r.n) || r.n == INT64_MIN)
					OVERFLOW();
				r.d = 1;
			} else if (!pt_rat_add(A, B, &r)) {
				OVERFLOW();
			}
			*(sp -= 2) = r, sp++;
			vmbreak;
		vmcase(SUB)
			if (A.d == 1 && B.d == 1) {
				if (__builtin_sub_overflow(A.n, B.n, &r.n) || r.n == INT64_MIN)
					OVERFLOW();
				r.d = 1;
			} else if (!pt_rat_sub(A, B, &r)) {
				OVERFLOW();
			}
			*(sp -= 2) = r, sp++;
			vmbreak;
		vmcase(MUL)
			if (!pt_rat_mul(A, B, &r))
				OVERFLOW();
			*(sp -= 2) = r, sp++;
			vmbreak;
		vmcase(DIV)
			if (B.n == 0) {
				sec->status = PT_VM_DIVZERO;
				sec->status_pc = at;
				return sec->status;
			}
			if (!pt_rat_div(A, B, &r))
				OVERFLOW();
			*(sp -= 2) = r, sp++;
			vmbreak;
		vmcase(NEG)
			if (B.n == INT64_MIN)
				OVERFLOW();
			B.n = -B.n;
			vmbreak;
		vmcase(MIN) if (cmp(B, A) < 0) A = B; sp--; vmbreak;
		vmcase(MAX) if (cmp(B, A) > 0) A = B; sp--; vmbreak;
		vmcase(FLOOR) B = pt_rat_floor(B); vmbreak;
		vmcase(CEIL) B = pt_rat_ceil(B); vmbreak;
		vmcase(ROUND) B = pt_rat_round(B); vmbreak;
		vmcase(EQ) A = pt_rat_int(cmp(A, B) == 0); sp--; vmbreak;
		vmcase(NE) A = pt_rat_int(cmp(A, B) != 0); sp--; vmbreak;
		vmcase(LT) A = pt_rat_int(cmp(A, B) < 0); sp--; vmbreak;
		vmcase(LE) A = pt_rat_int(cmp(A, B) <= 0); sp--; vmbreak;
		vmcase(GT) A = pt_rat_int(cmp(A, B) > 0); sp--; vmbreak;
		vmcase(GE) A = pt_rat_int(cmp(A, B) >= 0); sp--; vmbreak;
		vmcase(AND) A = pt_rat_int(A.n != 0 && B.n != 0); sp--; vmbreak;
		vmcase(OR) A = pt_rat_int(A.n != 0 || B.n != 0); sp--; vmbreak;
		vmcase(NOT) B = pt_rat_int(B.n == 0); vmbreak;
		vmcase(JMP) pc = arg; vmbreak;
		vmcase(JMPF)
			if ((--sp)->n == 0)
				pc = arg;
			if (hits)
				hits[at] |= pc == arg ? PT_HIT_TAKEN : PT_HIT_NOT_TAKEN;
			vmbreak;
		vmcase(CAP) {
			pt_rat cap = B.n < 0 ? pt_rat_int(0) : B;
			sp--;
			if (cmp(B, cap) > 0) {
				B = cap;
				if (arg != PT_NO_STR)
					pt_sec_reason(sec, arg, at);
				if (hits)
					hits[at] |= PT_HIT_TAKEN;
			} else if (hits) {
				hits[at] |= PT_HIT_NOT_TAKEN;
			}
			vmbreak;
		}
		vmcase(OUT) res->out[arg] = *--sp; vmbreak;
		vmcase(REASON) pt_sec_reason(sec, arg, at); vmbreak;
		vmcase(TIER) res->tier = (int)arg; vmbreak;
		vmcase(TRACE)
			if (trace) {
				if (trace->n < trace->cap)
					trace->ev[trace->n++] = (pt_trace_event){ arg, at, B };
				else
					trace->dropped++;
			}
			vmbreak;
		vmcase(FAIL)
			sec->failed = true;
			pt_sec_reason(sec, arg, at);
			return PT_VM_OK;
		vmcase(HALT) return PT_VM_OK;
		default:
			sec->status = PT_VM_BAD;   /* unreachable for verified code */
			sec->status_pc = at;
			return PT_VM_BAD;
		}
#undef A
#undef B
#undef OVERFLOW
	}
}

/* Clear a result before its sections run. */
static void reset_result(pt_prog_result *res)
{
	memset(res, 0, sizeof *res);
	for (int f = 0; f < PT_OUT__COUNT; f++)
		res->out[f] = pt_rat_int(0);
	res->tier = -1;
}

/* Zero what a failed section leaves and any negative amount: compiled
 * code cannot make one (the earn epilogue clamps), a forged file must
 * not either. */
static void settle_redeem(pt_prog_result *res)
{
	if (res->redeem.failed || res->redeem.status) {
		res->out[PT_OUT_R_MAX_POINTS] = pt_rat_int(0);
		res->out[PT_OUT_R_VALUE_YEN] = pt_rat_int(0);
	}
}
static void settle_earn(pt_prog_result *res)
{
	if (res->earn.failed || res->earn.status)
		res->out[PT_OUT_E_POINTS] = pt_rat_int(0);
	for (int f = 0; f < PT_OUT__COUNT; f++)
		if (res->out[f].n < 0)
			res->out[f] = pt_rat_int(0);
}

/* Run the section of pg at pc on zeroed locals; when it may not run
 * (it reads a use.points_yen that left 64 bits), fail it with an
 * overflow at its entry instead.  False on a runtime error. */
static bool run_section(const pt_ruleset *rs, const pt_program *pg, uint32_t pc, bool may_run,
			const pt_rat *inputs, pt_rat *locals, pt_prog_result *res, pt_section_result *sec,
			pt_trace *trace)
{
	for (uint32_t l = 0; l < pg->nlocals; l++)
		locals[l] = pt_rat_int(0);
	if (!may_run) {
		sec->ran = true;
		sec->status = PT_VM_OVERFLOW;
		sec->status_pc = pc;
		return false;
	}
	return pt_vm_run(rs, pg, pc, inputs, locals, res, sec, trace) == PT_VM_OK;
}

/* Start program i's result and run its redeem section. */
static bool run_redeem(const pt_ruleset *rs, size_t i, const pt_rat *inputs, pt_rat *locals,
		       pt_prog_result *res, pt_trace *trace)
{
	const pt_program *pg = &rs->progs[i];
	reset_result(res);
	res->linked = inputs[pg->linked_input].n != 0;
	bool ok = run_section(rs, pg, pg->redeem_pc, true, inputs, locals, res, &res->redeem, trace);
	settle_redeem(res);
	return ok;
}

/* Run program i's two sections with the reference VM (results[i] is
 * initialised here).  Only for rule sets whose earn sections do not read
 * use.points_yen (rs->earn_reads_paid false).  False when a section hit
 * a runtime error. */
bool pt_eval_prog(const pt_ruleset *rs, size_t i, const pt_rat *inputs, pt_rat *locals,
		  pt_prog_result *res, pt_trace *trace)
{
	const pt_program *pg = &rs->progs[i];
	bool ok = run_redeem(rs, i, inputs, locals, res, trace);
	ok = run_section(rs, pg, pg->earn_pc, true, inputs, locals, res, &res->earn, trace) && ok;
	settle_earn(res);
	pt_res_settle(res, 1);
	return ok;
}

/* Set use.points_yen: the yen the cart's `use` points pay, over every
 * program whose point value its redeem section established.  False (and
 * 0) when the sum leaves 64 bits. */
bool pt_eval_paid(const pt_ruleset *rs, pt_rat *inputs, const pt_prog_result *results)
{
	int64_t sum = 0;
	bool fits = true;
	for (size_t i = 0; i < rs->nprogs && fits; i++) {
		int64_t y = results[i].out[PT_OUT_R_USE_YEN].n;   /* FLOOR made it whole */
		if (y > 0 && __builtin_add_overflow(sum, y, &sum))
			fits = false;
	}
	if (rs->use_yen_slot >= 0)
		inputs[rs->use_yen_slot] = pt_rat_int(fits ? sum : 0);
	return fits;
}

/* Every program: all redeem sections, then use.points_yen when an earn
 * section reads it, then all earn sections. */
bool pt_eval_all(const pt_ruleset *rs, pt_rat *inputs, pt_rat *locals,
		 pt_prog_result *results, pt_trace *trace)
{
	bool ok = true;
	for (size_t i = 0; i < rs->nprogs; i++)
		if (!run_redeem(rs, i, inputs, locals, &results[i], trace))
			ok = false;
	/* only an earn section reading use.points_yen needs it now (the
	 * caller sets it for the policies) */
	bool fits = rs->earn_reads_paid ? pt_eval_paid(rs, inputs, results) : true;
	for (size_t i = 0; i < rs->nprogs; i++) {
		const pt_program *pg = &rs->progs[i];
		pt_prog_result *res = &results[i];
		if (!run_section(rs, pg, pg->earn_pc, fits || !pg->earn_reads_paid, inputs, locals, res, &res->earn, trace))
			ok = false;
		settle_earn(res);
	}
	pt_res_settle(results, rs->nprogs);
	return ok;
}

/* Run every policy's checks into results[rs->nprogs + j], once the
 * programs have run and pt_eval_paid has set use.points_yen (fits says
 * whether it could). */
bool pt_eval_policies(const pt_ruleset *rs, const pt_rat *inputs, pt_rat *locals,
		      pt_prog_result *results, pt_trace *trace, bool fits)
{
	bool ok = true;
	for (size_t j = 0; j < rs->npolicies; j++) {
		const pt_program *pg = &rs->policies[j];
		pt_prog_result *res = &results[rs->nprogs + j];
		reset_result(res);
		if (!run_section(rs, pg, pg->redeem_pc, fits, inputs, locals, res, &res->redeem, trace))
			ok = false;
		pt_res_settle(res, 1);
	}
	return ok;
}
