/* fast.c - register code translated from verified stack code, and its
 * interpreter (see fast.h for why both forms exist).
 *
 * The translator walks each section once, keeping the stack as a list of
 * registers (a LOAD, INPUT or CONST pushes its register, no copy).  An
 * operator writes the temporary of its stack depth; at a jump or a jump
 * target the stack is put in canonical form (entry d in temporary d), so
 * every path into a target agrees.  Code is forward-only, so jump targets
 * are patched once at the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fast_int.h"
#include "grow.h"
#include "jit.h"

/* ---- translation ------------------------------------------------------- */

/* Whether op transfers control (its x is a jump target). */
static bool branches(uint32_t op) { return pt_fast_branches(op); }

typedef struct tr {
	pt_ruleset *rs;
	pt_fast *f;
	pt_fast_ins *out;
	size_t n, cap;
	bool bad;                     /* OOM or a shape not handled */
	uint32_t *map;                /* pc -> first fast instruction */
	int *tdepth;                  /* stack depth at a jump target, -1 unknown */
	uint8_t *target;              /* pc is a jump target */
	uint32_t sym[PT_MAX_STACK + 2];
	int depth;
	bool live;                    /* the current pc is reachable */
	size_t block;                 /* first instruction a peephole may rewrite */
	uint32_t *dstart, *dslots;    /* derived sets being interned */
	size_t nd, capd, nds, capds;
} tr;

/* Append an instruction; returns its index (or 0 once out of memory). */
static size_t emit(tr *t, uint32_t op, uint32_t dst, uint32_t a, uint32_t b, uint32_t x)
{
	if (!pt_grow((void **)&t->out, &t->cap, t->n + 1, sizeof *t->out, 256)) {
		t->bad = true;
		return 0;
	}
	t->out[t->n] = (pt_fast_ins){ op, dst, a, b, x };
	return t->n++;
}

/* The temporary register of stack depth d. */
static uint32_t temp(const tr *t, int d) { return t->f->reg_temps + (uint32_t)d; }

/* Put stack entry d in its temporary. */
static void materialise(tr *t, int d)
{
	if (t->sym[d] != temp(t, d)) {
		emit(t, F_MOV, temp(t, d), t->sym[d], 0, 0);
		t->sym[d] = temp(t, d);
	}
}

/* Canonical stack before a jump or a jump target. */
static void flush(tr *t)
{
	for (int d = 0; d < t->depth; d++)
		materialise(t, d);
}

/* The last instruction, if it wrote reg r in the current block and a
 * peephole may rewrite it; else NULL. */
static pt_fast_ins *producer(tr *t, uint32_t r)
{
	if (t->n <= t->block || t->n == 0)
		return NULL;
	pt_fast_ins *p = &t->out[t->n - 1];
	if (p->dst != r || !pt_fast_writes(p->op))
		return NULL;   /* only instructions that compute a value */
	return p;
}

/* Record that a jump to pc leaves depth values on the stack. */
static void jump_to(tr *t, uint32_t pc)
{
	if (t->tdepth[pc] < 0)
		t->tdepth[pc] = t->depth;
	else if (t->tdepth[pc] != t->depth)
		t->bad = true;
	t->block = t->n;
}

static bool push(tr *t, uint32_t r)
{
	if (t->depth > PT_MAX_STACK) {
		t->bad = true;
		return false;
	}
	t->sym[t->depth++] = r;
	return true;
}

static uint32_t pop(tr *t)
{
	if (t->depth <= 0) {
		t->bad = true;
		return 0;
	}
	return t->sym[--t->depth];
}

/* Intern the derived value total - sum of the category inputs slots[0..n):
 * returns its register. */
static uint32_t derived(tr *t, const uint32_t *slots, size_t n)
{
	for (size_t s = 0; s < t->nd; s++)
		if (t->dstart[s + 1] - t->dstart[s] == n && memcmp(t->dslots + t->dstart[s], slots, n * sizeof *slots) == 0)
			return (uint32_t)s;
	uint32_t *a = t->nd + 2 > t->capd ? realloc(t->dstart, (t->capd = 2 * t->capd + 16) * sizeof *a) : t->dstart;
	if (!a) {
		t->bad = true;
		return 0;
	}
	t->dstart = a;
	uint32_t *b = t->nds + n > t->capds ? realloc(t->dslots, (t->capds = 2 * t->capds + n + 64) * sizeof *b) : t->dslots;
	if (!b) {
		t->bad = true;
		return 0;
	}
	t->dslots = b;
	if (t->nd == 0)
		t->dstart[0] = 0;
	memcpy(t->dslots + t->nds, slots, n * sizeof *slots);
	t->nds += n;
	t->dstart[t->nd + 1] = (uint32_t)t->nds;
	return (uint32_t)t->nd++;
}

/* At an INPUT of the total followed by INPUT category, SUB pairs (the
 * eligible yen): the number of instructions the pattern spans, else 0.
 * slots receives the categories. */
static uint32_t eligible_span(tr *t, uint32_t pc, uint32_t end, uint32_t *slots, size_t *n)
{
	const pt_ruleset *rs = t->rs;
	uint32_t in = PT_INS_ARG(rs->code[pc]);
	if (rs->inputs[in].kind != PT_IN_BUILTIN || rs->inputs[in].builtin != PT_B_TOTAL || (int)in != rs->total_slot)
		return 0;
	uint32_t k = pc + 1;
	*n = 0;
	while (k + 1 < end && PT_INS_OP(rs->code[k]) == PT_OP_INPUT && PT_INS_OP(rs->code[k + 1]) == PT_OP_SUB &&
	       !t->target[k] && !t->target[k + 1] && *n < PT_MAX_STACK) {
		uint32_t c = PT_INS_ARG(rs->code[k]);
		if (rs->inputs[c].kind != PT_IN_CATSUM)
			break;
		slots[(*n)++] = c;
		k += 2;
	}
	return *n ? k - pc : 0;
}

/* Translate one verified section [start, end).  Sections are verified
 * one by one and may overlap in a forged file, so jump targets, depths
 * and the pc map are per section, and its jumps are patched here. */
static void section(tr *t, uint32_t start, uint32_t end, uint32_t nlocals_base)
{
	const pt_ruleset *rs = t->rs;
	size_t first = t->n;
	for (uint32_t pc = start; pc < end; pc++) {
		t->tdepth[pc] = -1;
		t->target[pc] = 0;
	}
	for (uint32_t pc = start; pc < end; pc++) {
		uint32_t op = PT_INS_OP(rs->code[pc]), arg = PT_INS_ARG(rs->code[pc]);
		if ((op == PT_OP_JMP || op == PT_OP_JMPF) && arg > pc && arg < end)   /* as verified */
			t->target[arg] = 1;
	}
	t->depth = 0;
	t->live = true;
	t->block = t->n;
	for (uint32_t pc = start; pc < end && !t->bad; pc++) {
		if (t->target[pc]) {
			if (t->live) {
				if (t->tdepth[pc] >= 0 && t->tdepth[pc] != t->depth) {
					t->bad = true;
					break;
				}
				flush(t);
			} else if (t->tdepth[pc] >= 0) {
				t->live = true;
				t->depth = t->tdepth[pc];
				for (int d = 0; d < t->depth; d++)
					t->sym[d] = temp(t, d);
			}
			t->block = t->n;
		}
		t->map[pc] = (uint32_t)t->n;
		if (!t->live)
			continue;
		uint32_t ins = rs->code[pc], op = PT_INS_OP(ins), arg = PT_INS_ARG(ins);
		uint32_t a, b, dst;
		pt_fast_ins *p;
		switch (op) {
		case PT_OP_NOP:
		case PT_OP_TRACE:
			break;
		case PT_OP_CONST:
			push(t, t->f->reg_consts + arg);
			break;
		case PT_OP_INPUT: {
			uint32_t slots[PT_MAX_STACK];
			size_t n = 0;
			uint32_t span = eligible_span(t, pc, end, slots, &n);
			if (span) {
				uint32_t r = derived(t, slots, n);
				for (uint32_t k = pc + 1; k < pc + span; k++)
					t->map[k] = (uint32_t)t->n;
				pc += span - 1;
				push(t, UINT32_MAX - r);   /* resolved once the derived registers are placed */
			} else {
				push(t, arg);
			}
			break;
		}
		case PT_OP_LOAD:
			push(t, nlocals_base + arg);
			break;
		case PT_OP_STORE: {
			uint32_t l = nlocals_base + arg, x = pop(t);
			bool aliased = false;
			for (int d = 0; d < t->depth; d++)
				aliased = aliased || t->sym[d] == l;
			if (!aliased && x == temp(t, t->depth) && (p = producer(t, x)) != NULL) {
				p->dst = l;
				break;
			}
			for (int d = 0; d < t->depth; d++)
				if (t->sym[d] == l)
					materialise(t, d);
			emit(t, F_MOV, l, x, 0, 0);
			break;
		}
		case PT_OP_ADD: case PT_OP_SUB: case PT_OP_MUL: case PT_OP_DIV: case PT_OP_MIN: case PT_OP_MAX:
		case PT_OP_EQ: case PT_OP_NE: case PT_OP_LT: case PT_OP_LE: case PT_OP_GT: case PT_OP_GE:
		case PT_OP_AND: case PT_OP_OR: case PT_OP_CAP: {
			static const uint8_t fop[PT_OP__COUNT] = {
				[PT_OP_ADD] = F_ADD, [PT_OP_SUB] = F_SUB, [PT_OP_MUL] = F_MUL, [PT_OP_DIV] = F_DIV,
				[PT_OP_MIN] = F_MIN, [PT_OP_MAX] = F_MAX, [PT_OP_EQ] = F_EQ, [PT_OP_NE] = F_NE,
				[PT_OP_LT] = F_LT, [PT_OP_LE] = F_LE, [PT_OP_GT] = F_GT, [PT_OP_GE] = F_GE,
				[PT_OP_AND] = F_AND, [PT_OP_OR] = F_OR, [PT_OP_CAP] = F_CAP,
			};
			b = pop(t);
			a = pop(t);
			dst = temp(t, t->depth);
			/* a reason's x is its stack pc: the string and the rule's line */
			emit(t, fop[op], dst, a, b, op == PT_OP_CAP ? (arg == PT_NO_STR ? PT_NO_STR : pc) : 0);
			push(t, dst);
			break;
		}
		case PT_OP_FLOOR:
			a = pop(t);
			dst = temp(t, t->depth);
			if (a == dst && (p = producer(t, a)) != NULL && (p->op == F_MUL || p->op == F_DIV))
				p->op = p->op == F_MUL ? F_MULFLOOR : F_DIVFLOOR;
			else
				emit(t, F_FLOOR, dst, a, 0, 0);
			push(t, dst);
			break;
		case PT_OP_NEG: case PT_OP_CEIL: case PT_OP_ROUND: case PT_OP_NOT:
			a = pop(t);
			dst = temp(t, t->depth);
			emit(t, op == PT_OP_NEG ? F_NEG : op == PT_OP_CEIL ? F_CEIL : op == PT_OP_ROUND ? F_ROUND : F_NOT,
			     dst, a, 0, 0);
			push(t, dst);
			break;
		case PT_OP_JMPF: {
			uint32_t c = pop(t);
			if (c == temp(t, t->depth) && (p = producer(t, c)) != NULL && p->op >= F_EQ && p->op <= F_GE) {
				pt_fast_ins cmp = *p;
				t->n--;
				flush(t);
				emit(t, F_JF_EQ + (cmp.op - F_EQ), 0, cmp.a, cmp.b, arg);
			} else {
				flush(t);
				emit(t, F_JZ, 0, c, 0, arg);
			}
			jump_to(t, arg);
			break;
		}
		case PT_OP_JMP:
			flush(t);
			emit(t, F_JMP, 0, 0, 0, arg);
			jump_to(t, arg);
			t->live = false;
			break;
		case PT_OP_OUT:
			a = pop(t);
			emit(t, F_OUT, 0, a, 0, arg);
			break;
		case PT_OP_REASON:
			emit(t, F_REASON, 0, 0, arg, pc);   /* x: the stack pc (line), b: the string */
			break;
		case PT_OP_TIER:
			emit(t, F_TIER, 0, 0, 0, arg);
			break;
		case PT_OP_FAIL:
		case PT_OP_HALT:
			if (t->depth != 0)
				t->bad = true;
			emit(t, op == PT_OP_FAIL ? F_FAIL : F_HALT, 0, 0, op == PT_OP_FAIL ? arg : 0, op == PT_OP_FAIL ? pc : 0);   /* FAIL: as REASON */
			t->live = false;
			break;
		default:
			t->bad = true;
			break;
		}
	}
	if (t->live)   /* verified code never runs off a section's end */
		t->bad = true;
	for (size_t i = first; !t->bad && i < t->n; i++)
		if (branches(t->out[i].op)) {
			if (t->out[i].x <= start || t->out[i].x >= end)
				t->bad = true;   /* never for verified code */
			else
				t->out[i].x = t->map[t->out[i].x];
		}
}

/* ---- clean-up passes over the register code ----------------------------
 * Run after jump targets are fast indices.  Deleted instructions are
 * marked F__COUNT and squeezed out by compact(). */


/* Which of a and b op reads: bit 0 a, bit 1 b. */
static unsigned operands(uint32_t op) { return pt_fast_reads(op); }

/* Whether the instruction writes register dst. */
static bool writes_dst(uint32_t op) { return pt_fast_writes(op); }

/* Squeeze out deleted instructions, moving jumps and entries with them
 * (a jump to a deleted instruction goes to the next one kept). */
static bool compact(tr *t, pt_fast *f, size_t nentries)
{
	uint32_t *to = malloc((t->n + 1) * sizeof *to);
	if (!to)
		return false;
	uint32_t k = 0;
	for (size_t i = 0; i < t->n; i++) {
		to[i] = k;
		k += t->out[i].op != F__COUNT;
	}
	to[t->n] = k;
	for (size_t e = 0; e < nentries; e++)
		f->entry[e] = to[f->entry[e]];
	k = 0;
	for (size_t i = 0; i < t->n; i++) {
		pt_fast_ins c = t->out[i];
		if (c.op == F__COUNT)
			continue;
		if (branches(c.op))
			c.x = to[c.x];
		t->out[k++] = c;
	}
	t->n = k;
	free(to);
	return true;
}

/* A local every write of which copies the same read-only register X
 * (a constant, an input, a derived value), written before any read in
 * each section that reads it (and before any jump, other than to a FAIL
 * or HALT), always holds X when read: reads use X and the copies go. */
static void propagate_copies(tr *t, const pt_fast *f, const pt_ruleset *rs)
{
	for (size_t p = 0; p < rs->nprogs; p++) {
		size_t start[3] = { f->entry[2 * p], f->entry[2 * p + 1], p + 1 < rs->nprogs ? f->entry[2 * p + 2] : t->n };
		for (uint32_t l = 0; l < rs->progs[p].nlocals; l++) {
			uint32_t L = f->reg_locals + l, X = UINT32_MAX;
			bool ok = true;
			for (size_t i = start[0]; ok && i < start[2]; i++) {
				const pt_fast_ins *c = &t->out[i];
				if (!writes_dst(c->op) || c->dst != L)
					continue;
				bool readonly = c->a < f->reg_locals || (c->a >= f->reg_derived && c->a < f->nregs);
				ok = c->op == F_MOV && readonly && (X == UINT32_MAX || X == c->a);
				X = c->a;
			}
			for (int sct = 0; ok && X != UINT32_MAX && sct < 2; sct++) {
				bool jumped = false;
				for (size_t i = start[sct]; i < start[sct + 1]; i++) {
					const pt_fast_ins *c = &t->out[i];
					unsigned rd = operands(c->op);
					if (((rd & 1) && c->a == L) || ((rd & 2) && c->b == L)) {
						ok = false;   /* read before any write */
						break;
					}
					if (writes_dst(c->op) && c->dst == L) {
						ok = !jumped;   /* the write must come before any branch */
						break;
					}
					/* a jump straight to the section's end (FAIL, HALT) reads nothing */
					jumped = jumped || (branches(c->op) && c->x < t->n && t->out[c->x].op != F_FAIL &&
							    t->out[c->x].op != F_HALT);
				}
			}
			if (!ok || X == UINT32_MAX)
				continue;
			for (size_t i = start[0]; i < start[2]; i++) {
				pt_fast_ins *c = &t->out[i];
				unsigned rd = operands(c->op);
				if (writes_dst(c->op) && c->dst == L) {
					c->op = F__COUNT;
					continue;
				}
				if ((rd & 1) && c->a == L)
					c->a = X;
				if ((rd & 2) && c->b == L)
					c->b = X;
			}
		}
	}
}

/* Whether reg r is written by any instruction in (i, j). */
static bool written_between(const tr *t, size_t i, size_t j, uint32_t r)
{
	for (size_t k = i + 1; k < j; k++)
		if (t->out[k].op != F__COUNT && writes_dst(t->out[k].op) && t->out[k].dst == r)
			return true;
	return false;
}

/* Branch on the parts of a condition: `JZ t` where t = a AND b becomes
 * `JZ a; JZ b`, and `JZ t` where t = a CMP b becomes `JF_CMP a, b`, when
 * the producer is in the same straight-line run, its operands are not
 * written in between and t is a temporary (read by that JZ only).  So
 * `when x == 5 and y from D` costs one branch when x is not 5.  Runs to a
 * fixed point; false when out of memory. */
static bool split_conditions(tr *t, pt_fast *f, size_t nentries)
{
	for (int round = 0; round < 16; round++) {
		uint8_t *target = calloc(t->n + 1, 1);
		pt_fast_ins *extra = calloc(t->n + 1, sizeof *extra);
		if (!target || !extra) {
			free(target);
			free(extra);
			return false;
		}
		for (size_t i = 0; i < t->n; i++)
			if (branches(t->out[i].op))
				target[t->out[i].x] = 1;
		for (size_t e = 0; e < nentries; e++)
			target[f->entry[e]] = 1;
		bool changed = false;
		for (size_t j = 0; j < t->n; j++) {
			pt_fast_ins *jz = &t->out[j];
			uint32_t u = jz->a;
			if (jz->op != F_JZ || u < f->reg_temps || u >= f->reg_derived)
				continue;
			size_t i = j;
			bool found = false;
			while (i > 0 && !target[i]) {   /* the producer, in the same run */
				const pt_fast_ins *c = &t->out[--i];
				if (c->op == F__COUNT)
					continue;
				if (writes_dst(c->op) && c->dst == u) {
					found = true;
					break;
				}
				unsigned rd = operands(c->op);
				if (((rd & 1) && c->a == u) || ((rd & 2) && c->b == u))
					break;   /* (a branch in between is fine: only jumps into the run are not) */
			}
			if (!found)
				continue;
			pt_fast_ins *p = &t->out[i];
			bool cmp = p->op >= F_EQ && p->op <= F_GE;
			if ((!cmp && p->op != F_AND) || written_between(t, i, j, p->a) || written_between(t, i, j, p->b))
				continue;
			if (cmp) {
				*jz = (pt_fast_ins){ F_JF_EQ + (p->op - F_EQ), 0, p->a, p->b, jz->x };
			} else {
				extra[j] = (pt_fast_ins){ F_JZ, 0, p->b, 0, jz->x };
				*jz = (pt_fast_ins){ F_JZ, 0, p->a, 0, jz->x };
			}
			p->op = F__COUNT;
			changed = true;
		}
		free(target);
		if (!changed) {
			free(extra);
			return true;
		}
		/* rebuild with the extra branches in place */
		size_t n2 = 0;
		for (size_t j = 0; j < t->n; j++)
			n2 += 1 + (extra[j].op == F_JZ);
		pt_fast_ins *out2 = malloc((n2 + 1) * sizeof *out2);
		uint32_t *to = malloc((t->n + 1) * sizeof *to);
		if (!out2 || !to) {
			free(out2);
			free(to);
			free(extra);
			return false;
		}
		size_t k = 0;
		for (size_t j = 0; j < t->n; j++) {
			to[j] = (uint32_t)k;
			out2[k++] = t->out[j];
			if (extra[j].op == F_JZ)
				out2[k++] = extra[j];
		}
		to[t->n] = (uint32_t)k;
		for (size_t j = 0; j < k; j++)
			if (branches(out2[j].op))
				out2[j].x = to[out2[j].x];
		for (size_t e = 0; e < nentries; e++)
			f->entry[e] = to[f->entry[e]];
		free(t->out);
		t->out = out2;
		t->n = t->cap = k;
		free(to);
		free(extra);
		if (!compact(t, f, nentries))
			return false;
	}
	return true;
}

/* Whether every read of one of program p's locals follows a write of it
 * on every path through the same section (pt_fast_assigned over the
 * register code, before fuse_pairs): then the program's locals need no
 * zeroing per cart.  False when unsure. */
static bool locals_assigned(const tr *t, const pt_fast *f, size_t a, size_t b, uint32_t nlocals)
{
	if (nlocals > 256 || a >= b)
		return nlocals == 0;
	return pt_fast_assigned(t->out, a, b, f->reg_locals, nlocals);
}

/* Drop the copies into locals that the section [a, b) never reads.  For
 * a program whose every local read follows a write in the same section
 * (locals_assigned), no other section sees them either. */
static void dead_local_copies(tr *t, const pt_fast *f, size_t a, size_t b, uint32_t nlocals)
{
	uint64_t read[4] = { 0, 0, 0, 0 };
	if (nlocals > 256)
		return;
	for (size_t i = a; i < b; i++) {
		const pt_fast_ins *c = &t->out[i];
		uint32_t r[2] = { c->a, c->b };
		for (int k = 0; k < 2; k++) {
			uint32_t l = r[k] - f->reg_locals;
			if ((operands(c->op) >> k & 1) && r[k] >= f->reg_locals && l < nlocals)
				read[l / 64] |= (uint64_t)1 << (l % 64);
		}
	}
	for (size_t i = a; i < b; i++) {
		pt_fast_ins *c = &t->out[i];
		uint32_t l = c->dst - f->reg_locals;
		if (c->op == F_MOV && c->dst >= f->reg_locals && l < nlocals && !(read[l / 64] >> (l % 64) & 1))
			c->op = F__COUNT;
	}
}

/* Fuse MOV, MOV into MOV2 and TIER, JMP into TIERJ where no jump lands
 * between them and they are in the same section. */
static void fuse_pairs(tr *t, const pt_fast *f, size_t nentries)
{
	uint8_t *target = calloc(t->n + 1, 1);
	if (!target)
		return;
	for (size_t i = 0; i < t->n; i++)
		if (branches(t->out[i].op))
			target[t->out[i].x] = 1;
	for (size_t e = 0; e < nentries; e++)
		target[f->entry[e]] = 1;   /* never fuse across a section start */
	for (size_t i = 0; i + 1 < t->n; i++) {
		pt_fast_ins *c = &t->out[i], *d = &t->out[i + 1];
		if (target[i + 1])
			continue;
		if (c->op == F_MOV && d->op == F_MOV) {
			*c = (pt_fast_ins){ F_MOV2, c->dst, c->a, d->a, d->dst };
			d->op = F__COUNT;
			i++;
		} else if (c->op == F_TIER && d->op == F_JMP) {
			*c = (pt_fast_ins){ F_TIERJ, 0, c->x, 0, d->x };
			d->op = F__COUNT;
			i++;
		}
	}
	free(target);
}

/* The length of the tier table's chain of rows at k, or 0: at least two rows
 * JF_GE_I key thr (to the next row), MOV2, TIERJ, then a last MOV2,
 * TIERJ.  The rows stay in place (a jump into them still runs them one
 * by one); TIERSEL at k reads them in one dispatch. */
static size_t tier_chain_at(const pt_fast_ins *c, size_t n, size_t k)
{
	size_t p = k, rows = 0;
	while (p + 3 < n && c[p].op == F_JF_GE_I && c[p].a == c[k].a && c[p].x == p + 3 && c[p + 1].op == F_MOV2 &&
	       c[p + 2].op == F_TIERJ) {
		p += 3;
		rows++;
	}
	return rows >= 2 && p + 1 < n && c[p].op == F_MOV2 && c[p + 1].op == F_TIERJ ? p + 2 - k : 0;
}

/* Turn the first test of each tier table's chain into TIERSEL, so
 * choosing a row costs one dispatch instead of two or three per row
 * passed (the rows' outcome is data-dependent: dispatch mispredicts). */
static void tier_chains(tr *t)
{
	for (size_t k = 0; k < t->n; k++) {
		size_t len = tier_chain_at(t->out, t->n, k);
		if (len) {   /* the rows after the first keep their JF_GE_I: TIERSEL reads them */
			t->out[k].op = F_TIERSEL;
			k += len - 1;
		}
	}
}

/* Translate the verified code of rs into rs->fast. */
void pt_fast_build(pt_ruleset *rs)
{
	rs->fast = NULL;
	if (rs->nprogs == 0)   /* only policies: nothing for the fast code to run */
		return;
	pt_fast *f = pt_arena_alloc(&rs->arena, sizeof *f);
	if (!f)
		return;
	memset(f, 0, sizeof *f);
	f->reg_consts = (uint32_t)rs->ninputs;
	f->reg_locals = f->reg_consts + (uint32_t)rs->nconsts;
	f->reg_temps = f->reg_locals + rs->max_locals;
	f->reg_derived = f->reg_temps + PT_MAX_STACK + 1;
	f->dtotal = rs->total_slot;
	tr t = { .rs = rs, .f = f };
	t.map = calloc(rs->ncode + 1, sizeof *t.map);
	t.tdepth = malloc((rs->ncode + 1) * sizeof *t.tdepth);
	t.target = calloc(rs->ncode + 1, 1);
	f->entry = pt_arena_alloc(&rs->arena, (2 * rs->nprogs + 1) * sizeof *f->entry);
	t.bad = !t.map || !t.tdepth || !t.target || !f->entry;
	for (size_t pc = 0; !t.bad && pc < rs->ncode; pc++)
		t.tdepth[pc] = -1;
	for (size_t i = 0; !t.bad && i < rs->nprogs; i++) {
		const pt_program *pg = &rs->progs[i];
		f->entry[2 * i] = (uint32_t)t.n;
		section(&t, pg->redeem_pc, pg->redeem_end, f->reg_locals);
		f->entry[2 * i + 1] = (uint32_t)t.n;
		section(&t, pg->earn_pc, pg->earn_end, f->reg_locals);
	}
	f->nderived = (uint32_t)t.nd;
	f->nregs = f->reg_derived + f->nderived;
	for (size_t i = 0; !t.bad && i < t.n; i++) {
		pt_fast_ins *p = &t.out[i];
		uint32_t *r[3] = { &p->dst, &p->a, &p->b };
		for (int k = 0; k < 3; k++)
			if (*r[k] > UINT32_MAX - t.nd)
				*r[k] = f->reg_derived + (UINT32_MAX - *r[k]);
	}
	if (!t.bad) {
		propagate_copies(&t, f, rs);
		t.bad = !compact(&t, f, 2 * rs->nprogs) || !split_conditions(&t, f, 2 * rs->nprogs);
	}
	if (!t.bad) {   /* false: out of memory, the code left correct */
		(void)pt_fast_optimise(rs, f, t.out, t.n, f->entry, 2 * rs->nprogs);
		t.bad = !compact(&t, f, 2 * rs->nprogs);
	}
	if (!t.bad) {
		f->zero_locals = pt_arena_alloc(&rs->arena, rs->nprogs + 1);
		t.bad = !f->zero_locals;
	}
	for (size_t p = 0; !t.bad && p < rs->nprogs; p++) {
		size_t end = p + 1 < rs->nprogs ? f->entry[2 * p + 2] : t.n;
		uint32_t nl = rs->progs[p].nlocals;
		f->zero_locals[p] = !(locals_assigned(&t, f, f->entry[2 * p], f->entry[2 * p + 1], nl) &&
				      locals_assigned(&t, f, f->entry[2 * p + 1], end, nl));
		if (!f->zero_locals[p]) {
			dead_local_copies(&t, f, f->entry[2 * p], f->entry[2 * p + 1], nl);
			dead_local_copies(&t, f, f->entry[2 * p + 1], end, nl);
		}
	}
	if (!t.bad) {
		fuse_pairs(&t, f, 2 * rs->nprogs);
		t.bad = !compact(&t, f, 2 * rs->nprogs);
	}
	if (!t.bad)
		tier_chains(&t);
	if (!t.bad) {
		f->code = pt_arena_alloc(&rs->arena, (t.n + 1) * sizeof *f->code);
		f->dset_start = pt_arena_alloc(&rs->arena, (t.nd + 1) * sizeof *f->dset_start);
		f->dset_slots = pt_arena_alloc(&rs->arena, (t.nds + 1) * sizeof *f->dset_slots);
		t.bad = !f->code || !f->dset_start || !f->dset_slots;
	}
	if (!t.bad) {
		f->unlinked = pt_arena_alloc(&rs->arena, (2 * rs->nprogs + 1) * sizeof *f->unlinked);
		t.bad = !f->unlinked;
	}
	for (size_t e = 0; !t.bad && e < 2 * rs->nprogs; e++) {   /* JZ linked -> FAIL at a section's entry */
		const pt_fast_ins *j = &t.out[f->entry[e]];
		f->unlinked[e] = UINT32_MAX;
		if (j->op == F_JZ && j->a == (uint32_t)rs->progs[e / 2].linked_input && j->x < t.n &&
		    t.out[j->x].op == F_FAIL)
			f->unlinked[e] = t.out[j->x].x;
	}
	if (!t.bad) {
		f->progs = pt_arena_alloc(&rs->arena, (rs->nprogs + 1) * sizeof *f->progs);
		t.bad = !f->progs;
	}
	for (size_t p = 0; !t.bad && p < rs->nprogs; p++) {
		pt_fast_prog *fp = &f->progs[p];
		*fp = (pt_fast_prog){ .entry = { f->entry[2 * p], f->entry[2 * p + 1] },
				      .unlinked = { f->unlinked[2 * p], f->unlinked[2 * p + 1] },
				      .linked = (uint32_t)rs->progs[p].linked_input, .nlocals = rs->progs[p].nlocals,
				      .zero_locals = f->zero_locals[p] };
		/* an earn section that is one FAIL (a program with no earn block)
		 * is settled with the rest of the result when the program
		 * starts, unless redeem writes the points it zeroes */
		const pt_fast_ins *e0 = &t.out[f->entry[2 * p + 1]];
		fp->earn_stub = e0->op == F_FAIL;
		for (size_t i = f->entry[2 * p]; fp->earn_stub && i < f->entry[2 * p + 1]; i++) {
			const pt_fast_ins *c = &t.out[i];
			fp->earn_stub = !((c->op == F_OUT && c->x == PT_OUT_E_POINTS) ||
					  (c->op == F_OUT_MOVC && (c->x == PT_OUT_E_POINTS || c->dst == PT_OUT_E_POINTS)) ||
					  ((c->op == F_MOVC_O || c->op == F_MULFLOOR_I_O || c->op == F_MULFLOOR_IR_O ||
					    c->op == F_MAX_I_O) && c->dst == PT_OUT_E_POINTS));
		}
		if (fp->earn_stub) {
			fp->earn_fail = e0->x;
			if (fp->unlinked[1] == UINT32_MAX)
				fp->unlinked[1] = e0->x;
		}
		fp->unlinked_fail = fp->unlinked[0] != UINT32_MAX && fp->unlinked[1] != UINT32_MAX;
		if (fp->unlinked_fail)
			for (int s = 0; s < 2; s++)
				fp->unlinked_str[s] = PT_INS_ARG(rs->code[fp->unlinked[s]]);
		if (fp->earn_stub)
			fp->earn_fail_str = PT_INS_ARG(rs->code[fp->earn_fail]);
		fp->special = fp->unlinked_fail || fp->earn_stub || fp->zero_locals;
		/* with unlinked_fail the code runs only for a linked program: the
		 * sections' leading "JZ linked" never jumps, start past it */
		uint32_t earn_start = fp->entry[1] + (fp->unlinked_fail && f->unlinked[2 * p + 1] != UINT32_MAX);
		fp->start = fp->entry[0] + fp->unlinked_fail;
		/* a section's end says which section it ends: on to the earn
		 * section (its entry) or to the next program */
		for (int s = 0; s < 2; s++) {
			size_t end = s == 0 ? f->entry[2 * p + 1] : p + 1 < rs->nprogs ? f->entry[2 * p + 2] : t.n;
			for (size_t i = f->entry[2 * p + s]; i < end; i++) {
				pt_fast_ins *c = &t.out[i];
				/* dst of HALT_R and FAIL_R: the locals to zero before the
				 * earn section (the reference runs each section on zeroed
				 * locals; see zero_locals) */
				uint32_t z = fp->zero_locals ? fp->nlocals : 0;
				if (c->op == F_FAIL && s == 0 && fp->earn_stub)
					*c = (pt_fast_ins){ F_FAIL_RE, 0, 0, c->b, c->x };
				else if (c->op == F_HALT && s == 0 && fp->earn_stub)
					*c = (pt_fast_ins){ F_HALT_E, 0, 0, 0, 0 };
				else if (c->op == F_FAIL && s == 0)
					*c = (pt_fast_ins){ F_FAIL_R, z, earn_start, c->b, c->x };
				else if (c->op == F_FAIL)
					c->op = F_FAIL_E;
				else if (c->op == F_HALT)
					*c = (pt_fast_ins){ s == 0 ? F_HALT_R : F_HALT_E, s == 0 ? z : 0, 0, 0, s == 0 ? earn_start : 0 };
			}
		}
	}
	/* offsets must fit the 32-bit fields (see pt_fast_encode) */
	if ((uint64_t)f->nregs * sizeof(pt_rat) > UINT32_MAX || (uint64_t)(t.n + 1) * sizeof(pt_fast_ins) > UINT32_MAX)
		t.bad = true;
	for (size_t i = 0; !t.bad && i < t.n; i++)
		pt_fast_encode(&t.out[i], true);
	if (!t.bad) {
		memcpy(f->code, t.out, t.n * sizeof *f->code);
		f->ncode = t.n;
		f->dset_start[0] = 0;
		if (t.nd)
			memcpy(f->dset_start, t.dstart, (t.nd + 1) * sizeof *f->dset_start);
		if (t.nds)
			for (size_t k = 0; k < t.nds; k++)   /* byte offsets into the registers */
				f->dset_slots[k] = t.dslots[k] * (uint32_t)sizeof(pt_rat);
		rs->fast = f;
		f->jit = pt_jit_build(rs, f);   /* optional: NULL leaves it to the interpreter */
	}
	free(t.out);
	free(t.map);
	free(t.tdepth);
	free(t.target);
	free(t.dstart);
	free(t.dslots);
}

/* (fast.h) Only the machine code marks notes, so a section with any
 * belongs to a rule set with it. */
void pt_fast_prog_expand(const pt_ruleset *rs, size_t p, pt_prog_result *r)
{
	if (r->redeem.noted)
		pt_jit_sec_expand(&r->redeem, pt_jit_sites(rs->fast->jit, p, false));
	if (r->earn.noted)
		pt_jit_sec_expand(&r->earn, pt_jit_sites(rs->fast->jit, p, true));
}

/* Fill the constant registers (once per evaluator). */
void pt_fast_init_regs(const pt_ruleset *rs, pt_rat *regs)
{
	const pt_fast *f = rs->fast;
	for (uint32_t i = 0; i < f->nregs; i++)
		regs[i] = pt_rat_int(0);
	memcpy(regs + f->reg_consts, rs->consts, rs->nconsts * sizeof *rs->consts);
}

/* Print the fast code (tests/fastdiff --dump; for reading, not parsing). */
void pt_fast_dump(FILE *out, const pt_ruleset *rs)
{
	static const char *const names[F__COUNT] = {
#define PT_FAST_NAME(name) [F_##name] = #name,
		PT_FAST_OPS(PT_FAST_NAME)
#undef PT_FAST_NAME
	};
	const pt_fast *f = rs->fast;
	if (!f) {
		fprintf(out, "no fast code\n");
		return;
	}
	fprintf(out, "registers: inputs 0.., constants %u.., locals %u.., temporaries %u.., derived %u..%u\n",
		f->reg_consts, f->reg_locals, f->reg_temps, f->reg_derived, f->nregs);
	for (size_t i = 0; i < f->ncode; i++) {
		for (size_t p = 0; p < rs->nprogs; p++)
			if (f->entry[2 * p] == i || f->entry[2 * p + 1] == i)
				fprintf(out, "%s %s:%s\n", rs->progs[p].id, f->entry[2 * p] == i ? "redeem" : "earn",
					f->entry[2 * p] == i && f->zero_locals[p] ? " (locals zeroed per section)" : "");
		pt_fast_ins c = f->code[i];
		pt_fast_encode(&c, false);   /* indices, not byte offsets */
		fprintf(out, "  %05zu  %-9s dst %-5u a %-5u b %-5u x %u\n", i, names[c.op], c.dst, c.a, c.b, c.x);
	}
}

/* ---- interpretation ---------------------------------------------------- */

/* Compare, with the whole-number case inline. */
static inline int fast_cmp(pt_rat a, pt_rat b)
{
	if (a.d == 1 && b.d == 1)
		return (a.n > b.n) - (a.n < b.n);
	return pt_rat_cmp(a, b);
}

/* Add the reason of the stack instruction at pc (REASON, FAIL or CAP:
 * its string, and the pc for the rule's line) to a section once, keeping
 * the first few (as vm.c). */
static inline void fast_reason(pt_section_result *sec, const uint32_t *stack_code, uint32_t pc)
{
	pt_sec_reason(sec, PT_INS_ARG(stack_code[pc]), pc);
}

/* floor(p / d) for d > 0. */
static inline int64_t floor_div(int64_t p, int64_t d)
{
	int64_t q = p / d;
	return p % d != 0 && p < 0 ? q - 1 : q;
}

/* floor(a * b), as pt_rat_mul then pt_rat_floor give it.  When one side
 * is whole, the product of the numerators over the other denominator
 * floors to the same value, with no gcd; when that product does not fit
 * (the reference may still fit by cancelling first), ask the reference. */
static inline bool fast_mulfloor(pt_rat a, pt_rat b, pt_rat *out)
{
	int64_t p;
	if ((a.d == 1 || b.d == 1) && a.n != INT64_MIN && b.n != INT64_MIN &&
	    !__builtin_mul_overflow(a.n, b.n, &p) && p != INT64_MIN) {
		*out = pt_rat_int(floor_div(p, a.d == 1 ? b.d : a.d));
		return true;
	}
	pt_rat r;
	if (!pt_rat_mul(a, b, &r))
		return false;
	*out = pt_rat_floor(r);
	return true;
}

/* floor(a / b) for b != 0, as pt_rat_div then pt_rat_floor give it. */
static inline bool fast_divfloor(pt_rat a, pt_rat b, pt_rat *out)
{
	int64_t p;
	if (a.d == 1 && b.n > 0 && a.n != INT64_MIN && b.n != INT64_MIN &&
	    !__builtin_mul_overflow(a.n, b.d, &p) && p != INT64_MIN) {
		*out = pt_rat_int(floor_div(p, b.n));
		return true;
	}
	pt_rat r;
	if (!pt_rat_div(a, b, &r))
		return false;
	*out = pt_rat_floor(r);
	return true;
}

/* floor(a * b) for whole a: false when the product of the numerators
 * leaves 64 bits or a is INT64_MIN (the reference VM then decides). */
static inline bool fast_mulfloor_ir(int64_t a, pt_rat b, int64_t *out)
{
	int64_t p;
	if (a == INT64_MIN || __builtin_mul_overflow(a, b.n, &p) || p == INT64_MIN)
		return false;
	*out = b.d == 1 ? p : floor_div(p, b.d);
	return true;
}

/* floor(a * b) for whole a and b, as the reference's checked product. */
static inline bool fast_mul_i(int64_t a, int64_t b, int64_t *out)
{
	return !__builtin_mul_overflow(a, b, out) && *out != INT64_MIN;
}

/* floor(a / b) for whole a and b; false where the reference refuses (b
 * is 0, or a or b is INT64_MIN). */
static inline bool fast_divfloor_i(int64_t a, int64_t b, int64_t *out)
{
	if (b == 0 || a == INT64_MIN || b == INT64_MIN)
		return false;
	int64_t q = a / b, r = a % b;
	*out = r != 0 && (r < 0) != (b < 0) ? q - 1 : q;
	return true;
}

/* The derived registers: the total minus each exclusion list's category
 * sums, step by step as the reference computes them (each step must fit
 * and not be INT64_MIN; binding writes whole numbers there).  False when
 * a value does not fit or is below 0 (the reference then evaluates the
 * cart: the machine code types derived values at least 0, and the
 * interpreters go the same way, so every way leaves the same registers). */
static inline bool fast_derive(const pt_fast *f, pt_rat *R)
{
	const uint32_t *k = f->dset_slots;   /* the lists are consecutive */
	const char *base = (const char *)R;
	for (uint32_t s = 0; s < f->nderived; s++) {
		int64_t v = R[f->dtotal].n;
		for (const uint32_t *end = f->dset_slots + f->dset_start[s + 1]; k < end; k++) {
			if (__builtin_sub_overflow(v, ((const pt_rat *)(base + *k))->n, &v))
				return false;
			if (v == INT64_MIN)
				return false;
		}
		if (v < 0)   /* as the machine code, which types them at least 0 (jit_plan.c) */
			return false;
		R[f->reg_derived + s] = pt_rat_int(v);
	}
	return true;
}

/* A value as it is left in a result field: negative amounts become 0
 * (the reference clamps once at the end; no instruction reads a field,
 * so clamping each write gives the same). */
static inline pt_rat fast_clamp(pt_rat v) { return v.n < 0 ? pt_rat_int(0) : v; }

/* pt_fast_eval stays a bare tail call to one of the loops (inlining one
 * would give it a frame of its own on every call) */
#if defined(__GNUC__)
#define FAST_NOINLINE __attribute__((noinline))
#else
#define FAST_NOINLINE
#endif

#if defined(__GNUC__) && !defined(PT_FAST_SWITCH_ONLY)
#define FAST_RUN_NAME fast_run_goto
#define FAST_RUN_GOTO 1
#include "fast_run.h"
#undef FAST_RUN_NAME
#undef FAST_RUN_GOTO
#endif

#define FAST_RUN_NAME fast_run_switch
#define FAST_RUN_GOTO 0
#include "fast_run.h"
#undef FAST_RUN_NAME
#undef FAST_RUN_GOTO

/* Evaluate every program with the fast code, going on from where the
 * machine code stopped when resume is not 0; programs (or carts) it
 * cannot finish exactly are evaluated again by the reference VM.  Each
 * program the loops finish has its head settled (pt_res_settle); the
 * machine code keeps the heads of those it runs to their end.  The
 * machine code reads some inputs from in (jit.h): without one, they are
 * copied from regs here (tests and tools; the API copies them into the
 * evaluator's own room, pt_api_run). */
bool pt_fast_run(const pt_ruleset *rs, pt_rat *regs, pt_rat *locals, pt_prog_result *results, pt_fast_how how,
		 uint32_t resume, const int64_t *in)
{
	const pt_jit *jit = how == PT_FAST_NATIVE ? rs->fast->jit : NULL;
	int64_t copy[PT_PREP_DENSE_MAX + 3];
	if (jit && !in)
		in = pt_fast_copy_in(jit, regs, copy);
#if defined(__GNUC__) && !defined(PT_FAST_SWITCH_ONLY)
	return how == PT_FAST_SWITCH ? fast_run_switch(rs, rs->fast, regs, locals, results, NULL, 0, NULL)
				     : fast_run_goto(rs, rs->fast, regs, locals, results, jit, resume, in);
#else
	return fast_run_switch(rs, rs->fast, regs, locals, results, jit, resume, in);
#endif
}
