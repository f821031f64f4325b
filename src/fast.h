/* fast.h - the fast form of a verified rule set and its interpreter.
 *
 * After a rule set is verified, each section's stack code is translated
 * once into register code (fast.c): every operand names a slot of one
 * register file that holds the cart inputs, the constants, the locals,
 * stack temporaries and values derived once per cart (the "eligible" yen
 * of each distinct exclusion set).  Compare-and-branch, multiply-and-floor
 * and divide-and-floor are fused, TRACE disappears, and stores write the
 * producing instruction's result straight into the local.  fast_opt.c
 * then types the registers and rewrites the code (whole-number forms,
 * outputs written by their producers; fast_int.h).
 *
 * On x86-64 Linux the register code is also translated into machine code
 * (jit.c), which hands back to the interpreter wherever it stops.
 *
 * The stack code stays the reference: --explain and coverage run it, and
 * so does any cart or program the fast code cannot finish exactly (a
 * derived value or an instruction that overflows, a division by zero).
 * Results are therefore identical by construction; tests/fastdiff checks
 * it over the corpus. */
#ifndef PT_FAST_H
#define PT_FAST_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

#include "jit.h"
#include "vm.h"

typedef struct pt_fast_ins {
	uint32_t op;              /* pt_fast_op (fast.c) */
	uint32_t dst, a, b;       /* registers */
	uint32_t x;               /* jump target, string index or output field */
} pt_fast_ins;

/* What the interpreter needs of one program, in one place. */
typedef struct pt_fast_prog {
	uint32_t entry[2];        /* first instruction of redeem, earn */
	uint32_t start;           /* where redeem runs from: past its "not linked" test when
				   * unlinked_fail settles that case before */
	uint32_t unlinked[2];     /* stack pcs of the FAILs "not linked" (both sections start with
				   * one) when unlinked_fail */
	uint32_t linked;          /* the program's linked input */
	uint32_t nlocals;
	uint32_t earn_fail;       /* the stack pc of the FAIL that is the whole earn section, when earn_stub */
	uint32_t unlinked_str[2]; /* the strings of the FAILs of unlinked[] */
	uint32_t earn_fail_str;   /* and of earn_fail */
	bool earn_stub;           /* the earn section only fails: its result is written before redeem runs */
	bool unlinked_fail;       /* unlinked: both sections fail at once */
	bool special;             /* any of unlinked_fail, earn_stub, zero_locals */
	bool zero_locals;         /* some local may be read before written: zero them before each section */
} pt_fast_prog;

typedef struct pt_fast {
	pt_fast_prog *progs;      /* per program */
	pt_fast_ins *code;
	size_t ncode;
	uint32_t *entry;          /* 2 per program: redeem, earn */
	uint32_t *unlinked;       /* 2 per program: the stack pc of the FAIL a section starts with when
				   * the program is not linked, or UINT32_MAX (the section must run) */
	uint8_t *zero_locals;     /* per program: some local may be read before written, zero them (each section) */
	uint32_t nregs;           /* size of the register file */
	uint32_t reg_consts;      /* first constant register (inputs start at 0) */
	uint32_t reg_locals;      /* first local register */
	uint32_t reg_temps;       /* first stack temporary */
	uint32_t reg_derived;     /* first derived register */
	uint32_t nderived;
	uint32_t *dset_start;     /* nderived + 1 offsets into dset_slots */
	uint32_t *dset_slots;     /* the category-sum inputs subtracted from the total (byte offsets) */
	int32_t dtotal;           /* the TOTAL input the derived values start from */
	struct pt_jit *jit;       /* the programs as machine code (jit.c), or NULL; owned */
} pt_fast;

/* Translate the verified code of rs into rs->fast (allocated in its
 * arena).  Leaves rs->fast NULL when the code has a shape the translator
 * does not handle or memory runs out; evaluation then uses the reference
 * VM.  Never fails otherwise. */
void pt_fast_build(pt_ruleset *rs);

/* Print the fast code of rs (tests/fastdiff --dump). */
void pt_fast_dump(FILE *out, const pt_ruleset *rs);

/* Fill the constant registers of a register file of f->nregs slots
 * (once per evaluator). */
void pt_fast_init_regs(const pt_ruleset *rs, pt_rat *regs);

/* How pt_fast_eval runs the register code: machine code where the JIT
 * compiled it (jit.h) and the computed-goto loop for the rest, or one of
 * the interpreter loops alone (tests run all three; -DPT_FAST_SWITCH_ONLY
 * builds the switch loop alone, which then also runs the machine code). */
typedef enum {
	PT_FAST_NATIVE = 0,
	PT_FAST_SWITCH = 1,
	PT_FAST_GOTO = 2,
} pt_fast_how;

/* The loops behind pt_fast_eval (fast.c); resume is what jit->all
 * returned when the machine code ran first (not 0), else 0; in is what
 * the machine code reads in place (jit.h), with R complete, or NULL: in
 * is then made from R. */
bool pt_fast_run(const pt_ruleset *rs, pt_rat *regs, pt_rat *locals, pt_prog_result *results, pt_fast_how how,
		 uint32_t resume, const int64_t *in);

/* The inputs the machine code reads in place (jit.h) copied from regs
 * into copy (room for PT_PREP_DENSE_MAX + 3), each at the place a dense
 * preparation keeps it (pt_bind_in_pos), and copy returned: for a cart
 * bound the ordinary way.  Run by run (the shipped rules have three: the
 * inputs before the category sums, between the sums and the total, and
 * after the total), four at a time: the loop
 * costs more than the copies.  A run's last four may write up to three
 * values past it, which the next run writes over, and read up to three
 * registers past it: the constants, locals and at least PT_MAX_STACK
 * temporaries follow the inputs (pt_fast_build). */
static inline const int64_t *pt_fast_copy_in(const pt_jit *jit, const pt_rat *regs, int64_t *copy)
{
	_Static_assert(PT_MAX_STACK >= 3, "registers follow the inputs");
	for (const struct pt_jit_run *u = jit->runs, *end = u + jit->nruns; u < end; u++) {
		const pt_rat *s = regs + u->src;
		for (int64_t *d = copy + u->dst, *e = d + u->len; d < e; d += 4, s += 4) {   /* pointers: no index to widen */
			d[0] = s[0].n;
			d[1] = s[1].n;
			d[2] = s[2].n;
			d[3] = s[3].n;
		}
	}
	return copy;
}

/* Section s (earn or not) of program p's result as a reader sees it:
 * every reason in s->reasons, in order.  s itself when the machine code
 * marked none of them in s->noted (vm.h), else buf, a copy with them
 * moved there.  Every reader of a result's reasons goes through it. */
static inline const pt_section_result *pt_fast_sec_view(const pt_ruleset *rs, size_t p, bool earn,
							  const pt_section_result *s, pt_section_result *buf)
{
	if (!s->noted)
		return s;
	*buf = *s;
	pt_jit_sec_expand(buf, pt_jit_sites(rs->fast->jit, p, earn));
	return buf;
}

/* Program p's result r with the notes of both sections moved into their
 * reasons[] (in place). */
void pt_fast_prog_expand(const pt_ruleset *rs, size_t p, pt_prog_result *r);

/* Program p's result as a reader sees it (pt_fast_sec_view for both
 * sections): r itself, or buf, a copy with its notes moved. */
static inline const pt_prog_result *pt_fast_prog_view(const pt_ruleset *rs, size_t p, const pt_prog_result *r,
							pt_prog_result *buf)
{
	if (!(r->redeem.noted | r->earn.noted))
		return r;
	*buf = *r;
	pt_fast_prog_expand(rs, p, buf);
	return buf;
}

/* What follows when the machine code (jit->all over regs, results and
 * dense) returned k, not 0: the program it left handed to the
 * interpreter, which resumes it at the instruction k names and runs the
 * rest, with the inputs bound in place written into regs first. */
static inline bool pt_fast_resume(const pt_ruleset *rs, pt_rat *regs, pt_rat *locals, pt_prog_result *results,
				  uint32_t k, const int64_t *dense)
{
	pt_bind_materialize(rs, dense, regs);
	return pt_fast_run(rs, regs, locals, results, PT_FAST_NATIVE, k, dense);
}

/* Evaluate every program over a bound cart whose inputs are regs[0 ..
 * ninputs), whole numbers (d == 1) except an account key's fractional
 * default (the optimiser's typing relies on it: fast_opt.c).  dense, when
 * not NULL, holds the inputs pt_bind_prepared left in place, which regs
 * does not (then, if anything other than the machine code runs, they are
 * written into regs first: pt_bind_materialize).  locals is the reference
 * VM's scratch (rs->max_locals), used when a program falls back to it.
 * Same contract as pt_eval_all.  Inline: where the machine code runs
 * every program to its end, that is the whole call. */
static inline bool pt_fast_eval(const pt_ruleset *rs, pt_rat *regs, pt_rat *locals, pt_prog_result *results,
				pt_fast_how how, const int64_t *dense)
{
	const pt_jit *jit = rs->fast->jit;
	if (how == PT_FAST_NATIVE && jit && dense) {
		uint32_t k = jit->all(regs, results, dense);
		return !k || pt_fast_resume(rs, regs, locals, results, k, dense);
	}
	if (dense)
		pt_bind_materialize(rs, dense, regs);
	return pt_fast_run(rs, regs, locals, results, how, 0, dense);
}

#endif
