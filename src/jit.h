/* jit.h - native x86-64 code for the register code of fast.c.
 *
 * Each program's register code is translated once, when the rule set is
 * loaded, into one machine-code function per program: every register
 * instruction becomes a short template with its operands as constant
 * displacements, so the interpreter's dispatch and its indirect jumps
 * disappear and every test of the rules is a branch of its own.
 *
 * The JIT is an accelerator, never the reference.  Instructions it has no
 * template for (rational arithmetic, rare forms), and every check that
 * fails (an overflow, INT64_MIN), leave the function and hand the
 * interpreter the instruction to resume at; the interpreter runs it (and,
 * on an error, the reference VM reruns the program and says where).  So
 * the JIT only has to agree with the interpreter on the instructions it
 * compiles, and tests/fastdiff checks it does over the corpus.
 *
 * Built on x86-64 Linux (the System V calling convention; the BSDs and
 * macOS would need their own mmap flags and are not tested); elsewhere,
 * with -DPT_NO_JIT, or when the system refuses executable memory,
 * pt_jit_build leaves no code and the interpreter runs everything. */
#ifndef PT_JIT_H
#define PT_JIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm.h"

/* Compiled code over the register file R and the results from res on;
 * the inputs pt_bind_in_place names, below nin, are read from
 * in[pt_bind_in_pos(r)] instead of R[r] (a dense prepared cart's values
 * where they are kept: pt_bind_prepared), and their numerators in R are
 * not read.
 * Returns 0 when every program ran to its end; PT_JIT_DERIVE_FAILED when
 * a derived value does not fit (nothing ran: the reference VM evaluates
 * the cart); else 1 + the index of the register instruction where the
 * interpreter must go on, in the program whose result the instructions
 * belong to (the results of the programs before it are complete, and
 * that program's result is prepared as next_program prepares it). */
typedef uint32_t (*pt_jit_fn)(pt_rat *R, pt_prog_result *res, const int64_t *in);
#define PT_JIT_DERIVE_FAILED UINT32_MAX

enum { DEN_ANY = 0, DEN_POW2 = 1, DEN_WHOLE = 2 };   /* pt_jit.den: any, a power of two, 1 */

typedef struct pt_jit {
	void *mem;           /* the executable pages (mmap) */
	size_t size;
	size_t len;          /* the bytes of code in it (tests/unit/test_jit.c holds it to a budget) */
	size_t nfused;       /* pairs laid out as one (jit_int.h, FUSE_*; test_jit.c counts them) */
	size_t text;         /* bytes of instructions at mem; the constants and tables follow, up to len */
	bool avx;            /* built with 32-byte stores (pt_jit_build_with) */
	size_t nprogs;
	uint8_t *native;     /* per program: compiled (else it leaves at its first instruction) */
	uint8_t *den;        /* per register: what a local's, temporary's or derived register's
			      * denominator is at every moment, DEN_* above; the code relies on
			      * it (never storing a DEN_WHOLE one), so a register file given to
			      * the code must keep it so: a derived register's is 1, as
			      * pt_fast_init_regs leaves it.  Kept only for tests/unit/test_jit.c,
			      * which starts from such register files (f->nregs bytes) */
	uint8_t *nonneg;     /* per register: at least 0 whenever the code runs (pt_jit_type_signs);
			      * the code relies on it too, so test_jit's register files keep
			      * it (f->nregs bytes, kept for that test only) */
	uint8_t *kept;       /* per register: some program keeps it in r8 to r12 instead (jit_plan.c:
			      * pt_jit_plan_cache), storing it only where the interpreter takes
			      * over or C is called, so what R holds of it past an evaluation is
			      * not what the interpreter would leave.  For test_jit, which
			      * compares the register files the ways leave (f->nregs bytes) */
	uint32_t nin;        /* inputs below nin may be read from in[] (at most PT_PREP_DENSE_MAX) */
	uint32_t nruns;      /* pt_fast_copy_in's runs of inputs side by side in in[] (pt_bind_in_pos) */
	struct pt_jit_run {
		uint16_t src, dst, len;   /* inputs [src, src + len) are in[dst, dst + len) */
	} runs[PT_PREP_DENSE_MAX / 2 + 1];
	bool amounts_whole;  /* no program gives redeem.max_points, redeem.value_yen, earn.points or
			      * earn.basis_yen a fraction (pt_jit_plan_outs), whether the machine
			      * code or the interpreter writes them: ptrules_amounts need no floor */
	pt_reason *sites;    /* every section's inline notes, in order: bit k of a section's
			      * noted is sites[site0[2 * p + earn] + k] (vm.h) */
	uint32_t *site0;     /* 2 per program: where its redeem's and its earn's notes start */
	pt_jit_fn all;       /* the derived values, then every program (res: the first result) */
	pt_jit_fn from[];    /* program p and those after it (res: p's result) */
} pt_jit;

struct pt_ruleset;
struct pt_fast;

/* Compile the fast code of rs; NULL when unsupported here, out of memory
 * or refused executable memory (never an error: the interpreter runs). */
pt_jit *pt_jit_build(const struct pt_ruleset *rs, const struct pt_fast *f);
/* The same, a result's start stored 32 bytes at a time (AVX) or 16
 * (SSE2): pt_jit_build asks pt_jit_avx; tests build both. */
pt_jit *pt_jit_build_with(const struct pt_ruleset *rs, const struct pt_fast *f, bool avx);
bool pt_jit_avx(void);

/* Whether this build translates to machine code at all (x86-64, not
 * -DPT_NO_JIT): tests require the code where it is built. */
bool pt_jit_supported(void);

/* The multiplier m and shift s that floor n / d as (n * m) >> (64 + s)
 * for every 0 <= n < 2^63 and 2 <= d < 2^63: how the machine code divides
 * by a constant (exposed for tests/unit/test_jit.c). */
void pt_jit_div_magic(uint64_t d, uint64_t *m, unsigned *s);

/* The inline notes of program p's redeem (earn false) or earn section,
 * by bit (pt_section_result.noted). */
static inline const pt_reason *pt_jit_sites(const pt_jit *jit, size_t p, bool earn)
{
	return jit->sites + jit->site0[2 * p + earn];
}

/* Move the notes marked in s->noted (its section's sites) into
 * s->reasons, after those there, and clear noted: the reasons as the
 * interpreter keeps them. */
void pt_jit_sec_expand(pt_section_result *s, const pt_reason *sites);

/* Release the code of pt_jit_build (NULL is fine). */
void pt_jit_free(pt_jit *j);

#endif
