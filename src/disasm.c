/* disasm.c - a bytecode listing: offsets, opcodes, operands resolved to
 * constants, inputs, strings and rules, and each instruction's source
 * line (in the spirit of SQLite's EXPLAIN). */
#include <string.h>

#include "date.h"
#include "load.h"
#include "opcodes.h"

/* Describe input slot i ("account.earned_3mo of dpoint", "order.date"). */
static void input_name(const pt_ruleset *rs, uint32_t i, char *buf, size_t n)
{
	static const char *const builtin[] = {
		"order.date", "order.day", "order.month", "order.weekday", "total",
		"payment.card", "payment.method", "order.items"
	};
	const pt_input_def *in = &rs->inputs[i];
	switch (in->kind) {
	case PT_IN_BUILTIN: snprintf(buf, n, "%s", builtin[in->builtin]); break;
	case PT_IN_CATSUM: snprintf(buf, n, "category.%s", in->name); break;
	case PT_IN_LINKED: snprintf(buf, n, "%s linked", rs->progs[in->prog].id); break;
	case PT_IN_BALANCE: snprintf(buf, n, "%s account.balance", rs->progs[in->prog].id); break;
	case PT_IN_ACCOUNT: snprintf(buf, n, "%s account.%s", rs->progs[in->prog].id, in->name); break;
	case PT_IN_USE_POINTS: snprintf(buf, n, "%s use.points", rs->progs[in->prog].id); break;
	case PT_IN_USE_GIFTCARD: snprintf(buf, n, "use.giftcard"); break;
	case PT_IN_USE_PROGRAMS: snprintf(buf, n, "use.programs"); break;
	case PT_IN_USE_POINTS_YEN: snprintf(buf, n, "use.points_yen"); break;
	}
}

/* The comment column for one instruction. */
static void comment(const pt_ruleset *rs, uint32_t ins, char *buf, size_t n)
{
	uint32_t op = PT_INS_OP(ins), arg = PT_INS_ARG(ins);
	buf[0] = '\0';
	switch (pt_op_arg[op]) {
	case PT_ARG_CONST:
		pt_rat_format(rs->consts[arg], buf, n);
		break;
	case PT_ARG_INPUT:
		input_name(rs, arg, buf, n);
		break;
	case PT_ARG_STR:
		snprintf(buf, n, "\"%s\"", rs->strs[arg]);
		break;
	case PT_ARG_OPTSTR:
		if (arg != PT_NO_STR)
			snprintf(buf, n, "\"%s\"", rs->strs[arg]);
		break;
	case PT_ARG_OUT:
		snprintf(buf, n, "%s", pt_out_names[arg]);
		break;
	case PT_ARG_RULE:
		snprintf(buf, n, "%s", rs->rules[arg].text);
		break;
	default:
		break;
	}
}

/* Print one section's instructions under its heading. */
static void section(FILE *f, const pt_ruleset *rs, const char *what, uint32_t start, uint32_t end)
{
	char c[256];
	fprintf(f, "  %s:\n  %5s  %-7s %8s  %-44s %s\n", what, "pc", "opcode", "operand", "comment", "line");
	for (uint32_t pc = start; pc < end; pc++) {
		uint32_t ins = rs->code[pc], op = PT_INS_OP(ins);
		comment(rs, ins, c, sizeof c);
		char arg[16] = "";
		if (pt_op_arg[op] != PT_ARG_NONE && !(pt_op_arg[op] == PT_ARG_OPTSTR && PT_INS_ARG(ins) == PT_NO_STR))
			snprintf(arg, sizeof arg, "%u", PT_INS_ARG(ins));
		fprintf(f, "  %05u  %-7s %8s  %-44.44s %s:%u\n", pc, pt_op_names[op], arg, c,
			rs->files[rs->lines[pc].file], (unsigned)rs->lines[pc].line);
	}
}

/* Print the whole rule set: programs, policies, then the tables. */
void pt_disasm(FILE *f, const pt_ruleset *rs)
{
	char c[256];
	for (size_t p = 0; p < rs->nprogs; p++) {
		const pt_program *pg = &rs->progs[p];
		fprintf(f, "program %s \"%s\"  (%s:%d, %u locals)\n", pg->id, pg->name, rs->files[pg->file],
			pg->line, pg->nlocals);
		section(f, rs, "redeem", pg->redeem_pc, pg->redeem_end);
		section(f, rs, "earn", pg->earn_pc, pg->earn_end);
	}
	for (size_t p = 0; p < rs->npolicies; p++) {
		const pt_program *pg = &rs->policies[p];
		fprintf(f, "policy %s \"%s\"  (%s:%d, %u locals)\n", pg->id, pg->name, rs->files[pg->file],
			pg->line, pg->nlocals);
		section(f, rs, "check", pg->redeem_pc, pg->redeem_end);
	}
	fprintf(f, "constants (%zu):\n", rs->nconsts);
	for (size_t i = 0; i < rs->nconsts; i++) {
		pt_rat_format(rs->consts[i], c, sizeof c);
		fprintf(f, "  k%-4zu %s\n", i, c);
	}
	fprintf(f, "inputs (%zu):\n", rs->ninputs);
	for (size_t i = 0; i < rs->ninputs; i++) {
		input_name(rs, (uint32_t)i, c, sizeof c);
		fprintf(f, "  i%-4zu %s : %s\n", i, c, pt_unit_name(rs->inputs[i].type));
	}
	fprintf(f, "code: %zu instructions, max stack %u, max locals %u\n", rs->ncode, rs->max_stack,
		rs->max_locals);
}
