/* vm.c - the interpreter loop.
 *
 * A stack machine over exact rationals.  Code is verified first, so the
 * loop trusts operands and stack depth; it still bounds every access so a
 * bug cannot turn into memory corruption.  Dispatch goes through the
 * vmdispatch/vmcase/vmbreak macros (after Lua) so the bodies stay the
 * same whether the compiler offers computed goto or only switch. */
#include <string.h>

#include "vm.h"

#define vmdispatch(o) switch (o)
#define vmcase(l) case PT_OP_##l:
#define vmbreak break

/* Add reason s to a section once, keeping the first few. */
static void add_reason(pt_section_result *sec, uint32_t s)
{
	for (int i = 0; i < sec->nreasons; i++)
		if (sec->reasons[i] == s)
			return;
	if (sec->nreasons < PT_MAX_REASONS)
		sec->reasons[sec->nreasons++] = s;
}

/* Execute from pc until HALT or FAIL. */
pt_vm_status pt_vm_run(const pt_ruleset *rs, const pt_program *pg, uint32_t pc,
		       const pt_rat *inputs, pt_rat *locals, pt_prog_result *res,
		       pt_section_result *sec, pt_trace *trace)
{
	pt_rat stack[PT_MAX_STACK + 1];
	int sp = 0;
	const uint32_t *code = rs->code;
	const pt_rat *k = rs->consts;
	uint32_t nlocals = pg->nlocals;
	uint8_t *hits = trace ? trace->hits : NULL;
	sec->ran = true;
	for (uint32_t steps = 0; steps <= rs->ncode && pc < rs->ncode; steps++) {
		uint32_t ins = code[pc], arg = PT_INS_ARG(ins);
		pt_rat a, b, r;
		uint32_t at = pc++;
#define POP2() (b = stack[--sp], a = stack[--sp])
#define CHECK(x) do { if (!(x)) { sec->status = PT_VM_OVERFLOW; sec->status_pc = at; return sec->status; } } while (0)
		uint32_t op = PT_INS_OP(ins);
		if (op >= PT_OP__COUNT || sp < pt_op_pops[op] || sp > PT_MAX_STACK)
			goto bad;
		if (hits)
			hits[at] |= PT_HIT_RUN;
		vmdispatch(op) {
		vmcase(NOP) vmbreak;
		vmcase(CONST) stack[sp++] = k[arg]; vmbreak;
		vmcase(INPUT)
			stack[sp++] = inputs[arg];
			if (hits && inputs[arg].n != 0)
				hits[at] |= PT_HIT_NONZERO;
			vmbreak;
		vmcase(LOAD) if (arg >= nlocals) goto bad; stack[sp++] = locals[arg]; vmbreak;
		vmcase(STORE) if (arg >= nlocals) goto bad; locals[arg] = stack[--sp]; vmbreak;
		vmcase(ADD) POP2(); CHECK(pt_rat_add(a, b, &r)); stack[sp++] = r; vmbreak;
		vmcase(SUB) POP2(); CHECK(pt_rat_sub(a, b, &r)); stack[sp++] = r; vmbreak;
		vmcase(MUL) POP2(); CHECK(pt_rat_mul(a, b, &r)); stack[sp++] = r; vmbreak;
		vmcase(DIV)
			POP2();
			if (b.n == 0) {
				sec->status = PT_VM_DIVZERO;
				sec->status_pc = at;
				return sec->status;
			}
			CHECK(pt_rat_div(a, b, &r));
			stack[sp++] = r;
			vmbreak;
		vmcase(NEG) CHECK(stack[sp - 1].n != INT64_MIN); stack[sp - 1].n = -stack[sp - 1].n; vmbreak;
		vmcase(MIN) POP2(); stack[sp++] = pt_rat_cmp(a, b) <= 0 ? a : b; vmbreak;
		vmcase(MAX) POP2(); stack[sp++] = pt_rat_cmp(a, b) >= 0 ? a : b; vmbreak;
		vmcase(FLOOR) stack[sp - 1] = pt_rat_floor(stack[sp - 1]); vmbreak;
		vmcase(CEIL) stack[sp - 1] = pt_rat_ceil(stack[sp - 1]); vmbreak;
		vmcase(ROUND) stack[sp - 1] = pt_rat_round(stack[sp - 1]); vmbreak;
		vmcase(EQ) POP2(); stack[sp++] = pt_rat_int(pt_rat_cmp(a, b) == 0); vmbreak;
		vmcase(NE) POP2(); stack[sp++] = pt_rat_int(pt_rat_cmp(a, b) != 0); vmbreak;
		vmcase(LT) POP2(); stack[sp++] = pt_rat_int(pt_rat_cmp(a, b) < 0); vmbreak;
		vmcase(LE) POP2(); stack[sp++] = pt_rat_int(pt_rat_cmp(a, b) <= 0); vmbreak;
		vmcase(GT) POP2(); stack[sp++] = pt_rat_int(pt_rat_cmp(a, b) > 0); vmbreak;
		vmcase(GE) POP2(); stack[sp++] = pt_rat_int(pt_rat_cmp(a, b) >= 0); vmbreak;
		vmcase(AND) POP2(); stack[sp++] = pt_rat_int(a.n != 0 && b.n != 0); vmbreak;
		vmcase(OR) POP2(); stack[sp++] = pt_rat_int(a.n != 0 || b.n != 0); vmbreak;
		vmcase(NOT) stack[sp - 1] = pt_rat_int(stack[sp - 1].n == 0); vmbreak;
		vmcase(JMP) pc = arg; vmbreak;
		vmcase(JMPF)
			if (stack[--sp].n == 0)
				pc = arg;
			if (hits)
				hits[at] |= pc == arg ? PT_HIT_TAKEN : PT_HIT_NOT_TAKEN;
			vmbreak;
		vmcase(CAP)
			POP2();
			if (b.n < 0)
				b = pt_rat_int(0);
			if (pt_rat_cmp(a, b) > 0) {
				a = b;
				if (arg != PT_NO_STR)
					add_reason(sec, arg);
				if (hits)
					hits[at] |= PT_HIT_TAKEN;
			} else if (hits) {
				hits[at] |= PT_HIT_NOT_TAKEN;
			}
			stack[sp++] = a;
			vmbreak;
		vmcase(OUT) if (arg >= PT_OUT__COUNT) goto bad; res->out[arg] = stack[--sp]; vmbreak;
		vmcase(REASON) add_reason(sec, arg); vmbreak;
		vmcase(TIER) res->tier = (int)arg; vmbreak;
		vmcase(TRACE)
			if (trace) {
				if (trace->n < trace->cap)
					trace->ev[trace->n++] = (pt_trace_event){ arg, at, stack[sp - 1] };
				else
					trace->dropped++;
			}
			vmbreak;
		vmcase(FAIL)
			sec->failed = true;
			add_reason(sec, arg);
			return PT_VM_OK;
		vmcase(HALT) return PT_VM_OK;
		default:
			goto bad;
		}
#undef POP2
#undef CHECK
	}
bad:
	sec->status = PT_VM_BAD;
	sec->status_pc = pc;
	return PT_VM_BAD;
}

/* Run every program's two sections. */
bool pt_eval_all(const pt_ruleset *rs, const pt_rat *inputs, pt_rat *locals,
		 pt_prog_result *results, pt_trace *trace)
{
	bool ok = true;
	for (size_t i = 0; i < rs->nprogs; i++) {
		const pt_program *pg = &rs->progs[i];
		pt_prog_result *res = &results[i];
		memset(res, 0, sizeof *res);
		for (int f = 0; f < PT_OUT__COUNT; f++)
			res->out[f] = pt_rat_int(0);
		res->tier = -1;
		res->linked = inputs[pg->linked_input].n != 0;
		for (uint32_t l = 0; l < pg->nlocals; l++)
			locals[l] = pt_rat_int(0);
		if (pt_vm_run(rs, pg, pg->redeem_pc, inputs, locals, res, &res->redeem, trace) != PT_VM_OK)
			ok = false;
		if (res->redeem.failed || res->redeem.status) {
			res->out[PT_OUT_R_MAX_POINTS] = pt_rat_int(0);
			res->out[PT_OUT_R_VALUE_YEN] = pt_rat_int(0);
		}
		if (pt_vm_run(rs, pg, pg->earn_pc, inputs, locals, res, &res->earn, trace) != PT_VM_OK)
			ok = false;
		if (res->earn.failed || res->earn.status)
			res->out[PT_OUT_E_POINTS] = pt_rat_int(0);
	}
	return ok;
}
