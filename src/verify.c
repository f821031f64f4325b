/* verify.c - check bytecode before anything runs it.
 *
 * In the spirit of libpcap's validate_filter and the eBPF verifier: a rule
 * set may come from a file we did not write, so every opcode, operand and
 * table index is checked, jumps must go strictly forward inside their
 * section (so every run ends, within as many steps as the section has
 * instructions), the stack depth is computed on every path and must agree
 * where paths meet, and every path must end in HALT or FAIL. */
#include <stdlib.h>
#include <string.h>

#include "opcodes.h"
#include "rules.h"

/* The kinds of section, for the outputs each may write. */
enum { PT_VSEC_REDEEM, PT_VSEC_EARN, PT_VSEC_POLICY };

/* Report one verifier error about rule set `what`. */
#define VERR(...) do { pt_diag_file(d, PT_ERROR, what, __VA_ARGS__); ok = false; } while (0)

/* Check operand `arg` of the instruction at pc against its kind. */
static bool check_arg(const pt_ruleset *rs, const pt_program *pg, uint32_t pc, uint32_t end, int sec,
		      pt_diags *d, const char *what)
{
	bool ok = true;
	uint32_t ins = rs->code[pc], op = PT_INS_OP(ins), arg = PT_INS_ARG(ins);
	const char *name = pt_op_names[op];
	switch (pt_op_arg[op]) {
	case PT_ARG_NONE:
		if (arg)
			VERR("bytecode pc %u: %s takes no operand (found %u)", pc, name, arg);
		break;
	case PT_ARG_CONST:
		if (arg >= rs->nconsts)
			VERR("bytecode pc %u: constant %u out of range (pool has %zu)", pc, arg, rs->nconsts);
		break;
	case PT_ARG_INPUT:
		if (arg >= rs->ninputs)
			VERR("bytecode pc %u: input %u out of range (rule set reads %zu)", pc, arg, rs->ninputs);
		break;
	case PT_ARG_LOCAL:
		if (arg >= pg->nlocals)
			VERR("bytecode pc %u: local %u out of range (program %s has %u)", pc, arg, pg->id, pg->nlocals);
		break;
	case PT_ARG_JUMP:
		if (arg <= pc || arg >= end)
			VERR("bytecode pc %u: %s target %u is not a later instruction of the same section", pc, name, arg);
		break;
	case PT_ARG_STR:
		if (arg >= rs->nstrs)
			VERR("bytecode pc %u: string %u out of range (table has %zu)", pc, arg, rs->nstrs);
		break;
	case PT_ARG_OPTSTR:
		if (arg >= rs->nstrs && arg != PT_NO_STR)
			VERR("bytecode pc %u: string %u out of range (table has %zu)", pc, arg, rs->nstrs);
		break;
	case PT_ARG_OUT:
		if (arg >= PT_OUT__COUNT)
			VERR("bytecode pc %u: output field %u does not exist", pc, arg);
		else if (sec == PT_VSEC_POLICY || (arg == PT_OUT_E_POINTS || arg == PT_OUT_E_BASIS) != (sec == PT_VSEC_EARN))
			VERR("bytecode pc %u: the %s section writes %s", pc,
			     sec == PT_VSEC_EARN ? "earn" : sec == PT_VSEC_POLICY ? "policy" : "redeem", pt_out_names[arg]);
		break;
	case PT_ARG_RULE:
		if (arg >= rs->nrules)
			VERR("bytecode pc %u: rule %u out of range (table has %zu)", pc, arg, rs->nrules);
		break;
	}
	return ok;
}

/* Verify one section [start, end): operands, flow and stack depth. */
static bool verify_section(pt_ruleset *rs, const pt_program *pg, uint32_t start, uint32_t end, int sec,
			   int *depth, pt_diags *d, const char *what)
{
	bool ok = true;
	if (start >= end) {
		VERR("program %s: empty section at pc %u", pg->id, start);
		return false;
	}
	for (uint32_t pc = start; pc < end; pc++)
		depth[pc] = -1;
	depth[start] = 0;
	for (uint32_t pc = start; pc < end && ok; pc++) {
		uint32_t op = PT_INS_OP(rs->code[pc]);
		if (op >= PT_OP__COUNT) {
			VERR("bytecode pc %u: unknown opcode %u", pc, op);
			break;
		}
		if (!check_arg(rs, pg, pc, end, sec, d, what)) {
			ok = false;
			break;
		}
		if (depth[pc] < 0)
			continue;   /* unreachable: checked, never run */
		int dep = depth[pc];
		if (dep < pt_op_pops[op]) {
			VERR("bytecode pc %u: %s needs %d stack values, has %d", pc, pt_op_names[op], pt_op_pops[op], dep);
			break;
		}
		int after = dep - pt_op_pops[op] + pt_op_pushes[op];
		if (after > PT_MAX_STACK) {
			VERR("bytecode pc %u: stack deeper than %d", pc, PT_MAX_STACK);
			break;
		}
		if ((uint32_t)after > rs->max_stack)
			rs->max_stack = (uint32_t)after;
		uint32_t succ[2];
		int nsucc = 0;
		if (op == PT_OP_HALT || op == PT_OP_FAIL) {
			if (dep != 0)
				VERR("bytecode pc %u: %s with %d values left on the stack", pc, pt_op_names[op], dep);
		} else if (op == PT_OP_JMP) {
			succ[nsucc++] = PT_INS_ARG(rs->code[pc]);
		} else {
			if (op == PT_OP_JMPF)
				succ[nsucc++] = PT_INS_ARG(rs->code[pc]);
			if (pc + 1 >= end)
				VERR("bytecode pc %u: section of program %s runs off its end (no HALT or FAIL)", pc, pg->id);
			else
				succ[nsucc++] = pc + 1;
		}
		for (int i = 0; i < nsucc && ok; i++) {
			if (depth[succ[i]] < 0)
				depth[succ[i]] = after;
			else if (depth[succ[i]] != after)
				VERR("bytecode pc %u: stack depth %d meets %d from another path", succ[i], after,
				     depth[succ[i]]);
		}
	}
	return ok;
}

/* Check tables, then every section of every program. */
bool pt_verify(pt_ruleset *rs, pt_diags *d, const char *what)
{
	bool ok = true;
	if (rs->ncode > PT_MAX_CODE)
		VERR("too many instructions (%zu, limit is %u)", rs->ncode, PT_MAX_CODE);
	if (rs->nconsts > PT_MAX_CONSTS || rs->nstrs > PT_MAX_STRS || rs->ninputs > PT_MAX_INPUTS ||
	    rs->nprogs > PT_MAX_PROGRAMS || rs->npolicies > PT_MAX_PROGRAMS)
		VERR("rule set tables exceed their limits (docs/language.md, Limits)");
	for (size_t i = 0; ok && i < rs->nconsts; i++)
		if (rs->consts[i].d <= 0)
			VERR("constant %zu has a non-positive denominator", i);
	for (size_t i = 0; ok && i < rs->nstrs; i++)
		if (!rs->strs[i])
			VERR("string %zu is missing", i);
	size_t paid_inputs = 0;   /* the VM sets one use.points_yen slot */
	for (size_t i = 0; ok && i < rs->ninputs; i++) {
		const pt_input_def *in = &rs->inputs[i];
		if (in->kind == PT_IN_USE_POINTS_YEN && ++paid_inputs > 1)
			VERR("input %zu repeats use.points_yen", i);
		if ((unsigned)in->kind >= PT_IN__COUNT)
			VERR("input %zu has unknown kind %d", i, (int)in->kind);
		else if (in->kind == PT_IN_BUILTIN && (in->builtin < 0 || in->builtin >= PT_B__COUNT))
			VERR("input %zu names unknown built-in %d", i, in->builtin);
		else if (in->kind != PT_IN_BUILTIN && in->kind != PT_IN_CATSUM && in->kind != PT_IN_USE_GIFTCARD &&
			 in->kind != PT_IN_USE_PROGRAMS && in->kind != PT_IN_USE_POINTS_YEN &&
			 (in->prog < 0 || (size_t)in->prog >= rs->nprogs))
			VERR("input %zu belongs to program %d, which does not exist", i, in->prog);
		else if ((in->kind == PT_IN_CATSUM || in->kind == PT_IN_ACCOUNT) && !in->name)
			VERR("input %zu has no name", i);
		else if (in->kind == PT_IN_ACCOUNT && (in->file < 0 || (size_t)in->file >= rs->nfiles))
			VERR("input %zu names file %d, which does not exist", i, in->file);
	}
	for (size_t i = 0; ok && i < rs->nrules; i++)
		if (rs->rules[i].file < 0 || (size_t)rs->rules[i].file >= rs->nfiles || rs->rules[i].prog < 0 ||
		    (size_t)rs->rules[i].prog >= rs->nprogs + rs->npolicies || !rs->rules[i].text)
			VERR("rule %zu names a file or program that does not exist", i);
	for (size_t i = 0; ok && rs->ncode && i < rs->ncovers; i++)
		if (rs->covers[i].pc >= rs->ncode || rs->covers[i].file < 0 || (size_t)rs->covers[i].file >= rs->nfiles ||
		    rs->covers[i].prog < 0 || (size_t)rs->covers[i].prog >= rs->nprogs + rs->npolicies)
			VERR("coverage point %zu is out of range", i);
	for (size_t i = 0; ok && i < rs->ncode; i++)
		if (rs->lines[i].file >= rs->nfiles)
			VERR("line table entry %zu names file %u, which does not exist", i, (unsigned)rs->lines[i].file);
	for (size_t i = 0; ok && i < rs->nprogs + rs->npolicies; i++) {
		bool pol = i >= rs->nprogs;
		const pt_program *pg = pol ? &rs->policies[i - rs->nprogs] : &rs->progs[i];
		if (pg->file < 0 || (size_t)pg->file >= rs->nfiles)
			VERR("%s %zu names a file that does not exist", pol ? "policy" : "program", pol ? i - rs->nprogs : i);
	}
	if (!ok || rs->ncode == 0) {
		if (ok)
			VERR("rule set has no code");
		return false;
	}
	int *depth = malloc(rs->ncode * sizeof *depth);
	if (!depth) {
		pt_diag_oom(d, what);
		return false;
	}
	rs->max_stack = 0;
	rs->max_locals = 0;
	for (size_t i = 0; ok && i < rs->nprogs + rs->npolicies; i++) {   /* programs, then policies */
		bool pol = i >= rs->nprogs;   /* a policy has one section, in the redeem bounds */
		const pt_program *pg = pol ? &rs->policies[i - rs->nprogs] : &rs->progs[i];
		const char *kind = pol ? "policy" : "program";
		if (!pg->id || !pg->name)
			VERR("%s %zu has no id or name", kind, pol ? i - rs->nprogs : i);
		else if (pg->nlocals > PT_MAX_LOCALS)
			VERR("%s %s has %u locals (limit is %d)", kind, pg->id, pg->nlocals, PT_MAX_LOCALS);
		else if (pg->redeem_pc >= pg->redeem_end ||
			 (pol ? pg->redeem_end > rs->ncode :
				pg->redeem_end > pg->earn_pc || pg->earn_pc >= pg->earn_end || pg->earn_end > rs->ncode))
			VERR("%s %s: section bounds are out of order or out of range", kind, pg->id);
		else if (!pol && (pg->linked_input < 0 || (size_t)pg->linked_input >= rs->ninputs ||
				  pg->balance_input < 0 || (size_t)pg->balance_input >= rs->ninputs))
			VERR("program %s: account inputs out of range", pg->id);
		if (!ok)
			break;
		if (pg->nlocals > rs->max_locals)
			rs->max_locals = pg->nlocals;
		ok = pol ? verify_section(rs, pg, pg->redeem_pc, pg->redeem_end, PT_VSEC_POLICY, depth, d, what) :
			   verify_section(rs, pg, pg->redeem_pc, pg->redeem_end, PT_VSEC_REDEEM, depth, d, what) &&
			   verify_section(rs, pg, pg->earn_pc, pg->earn_end, PT_VSEC_EARN, depth, d, what);
	}
	free(depth);
	return ok;
}
