/* jit_int.h - what the machine-code compiler shares between laying the
 * code out (jit.c) and the analyses it makes of the register code first
 * (jit_plan.c): the assembly in progress, the register code's control
 * flow as the machine code sees it, and the plans. */
#ifndef PT_JIT_INT_H
#define PT_JIT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fast_int.h"
#include "jit.h"
#include "rules.h"

/* Where machine code is built (else pt_jit_build leaves none). */
#if defined(__x86_64__) && defined(__linux__) && !defined(PT_NO_JIT)
#define PT_JIT_X64 1
#else
#define PT_JIT_X64 0
#endif

/* Where a result's fields are (from the result's start; rbp is BIAS past it). */
#define OFF_OUT(x) ((uint32_t)offsetof(pt_prog_result, out) + (x) * (uint32_t)sizeof(pt_rat))
#define OFF_REDEEM ((uint32_t)offsetof(pt_prog_result, redeem))
#define OFF_EARN ((uint32_t)offsetof(pt_prog_result, earn))
#define OFF_FAILED(sec) ((sec) + (uint32_t)offsetof(pt_section_result, failed))

typedef struct fixup {
	uint32_t at;      /* where the rel32 is */
	uint32_t label;   /* instruction k, its stub ncode + k, or an L_* label (jit.c) */
} fixup;

/* Code laid out after every program instead of in line (assemble): a
 * section's failure (FAIL_*), a program the cart does not link. */
typedef struct cold {
	uint32_t k;       /* the instruction, or UINT32_MAX: program p's unlinked_fail */
	uint32_t p;       /* its program */
} cold;

/* How many register-file fields a program may keep in machine
 * registers (r8 to r12, which nothing else uses: pt_jit_plan_cache). */
#define PT_JIT_NCACHE 5

/* The label of the 8 bytes of INT64_MIN after the code (cmp_min; jit.c
 * lays the labels out: NLABELS). */
#define PT_JIT_L_MIN(j) ((uint32_t)(2 * (j)->ncode + 6 + 4 * (j)->nprogs))
/* The label of the table of instruction k's tier chain laid out in the
 * counting form (jit_tier.c), after the code. */
#define PT_JIT_L_TABLE(j, k) ((uint32_t)(2 * (j)->ncode + 8 + 4 * (j)->nprogs + (k)))

/* The machine code being laid out (jit.c) and what the plans made
 * before it found (jit_plan.c). */
typedef struct jasm jasm;
struct jasm {
	uint8_t *buf;
	size_t n, cap;
	fixup *fix;
	size_t nfix, capfix;
	uint32_t *label;    /* code offset per label, UINT32_MAX unplaced */
	uint8_t *want_stub; /* per instruction: some check leaves through its stub */
	uint8_t *inline_note;   /* per instruction: its reason is noted without a call (pt_jit_plan_notes) */
	uint8_t *target;    /* per instruction: a jump lands there (pt_jit_plan_notes) */
	uint32_t *wmark;    /* per register: wgen when the code just laid out wrote it whole */
	uint32_t *nmark;    /* per register: wgen when it wrote it, or checked it, other than INT64_MIN */
	uint8_t *den;       /* per register: a local's or temporary's denominator, DEN_* (pt_jit_type_dens) */
	uint8_t *nonneg;    /* per register: at least 0 (1) or at least 1 (3) whenever the code runs
			     * (pt_jit_type_signs), else 0 */
	uint64_t *nn_in;    /* per instruction: which of the first 64 locals and temporaries are at
			     * least 0 on every way into it (pt_jit_plan_signs) */
	uint64_t *pos_in;   /* and which are at least 1 there */
	uint8_t *nn_seen;   /* per instruction: a way into it was seen (pt_jit_plan_signs) */
	uint8_t *reach;     /* per instruction: the program's start reaches it (pt_jit_plan_signs) */
	uint8_t *empty;     /* per instruction: lays out no code where it stands (jit.c, assemble) */
	uint8_t *tsel;      /* per instruction: a tier chain's rows, found by counting (pt_jit_plan_tables), or 0 */
	uint8_t *jin;       /* per instruction: scratch for pt_jit_plan_tables (ways in, up to 2) */
	uint8_t *gmerge;    /* per instruction: guards laid out with it as one branch (pt_jit_plan_guards) */
	uint8_t *fuse;      /* per instruction: FUSE_* (pt_jit_plan_fuse) */
	size_t nfused;      /* how many pairs it fused */
	size_t text;        /* bytes of instructions: the constants and tier tables follow */
	bool avx;           /* a result's start stored 32 bytes at a time (pt_jit_build_with) */
	pt_fast_tset *live; /* per instruction: the temporaries live after it (pt_fast_live_temps), or NULL */
	bool note_eax;      /* pt_jit_note_always marks the bits in eax (a merged guards' failure) */
	size_t pend;        /* the end of the program being laid out (an instruction index) */
	uint64_t nn_cur;    /* nn_in of the instruction being laid out */
	uint32_t nn_lo, nn_hi;   /* the registers nn_in has a bit for: the first 64 locals and temporaries */
	uint8_t *cnt_on;    /* per program: which sections mark their notes in r14 and r15 (bit 0
			     * redeem, bit 1 earn: those with inline notes; jit.c, cnt_reg) */
	uint8_t cnt_cur;    /* cnt_on of the program being laid out */
	uint8_t *site_bit;  /* per instruction with an inline note: its bit in the section's noted */
	uint8_t *marked_in; /* per instruction: an inline note of its section may come before it */
	pt_reason *sites;   /* every section's inline notes, in order (pt_jit.sites) */
	uint32_t nsites;    /* how many so far */
	uint32_t *site0;    /* 2 per program: where its sections' notes start in sites (pt_jit.site0) */
	size_t pcur;        /* the program being planned or laid out */
	uint32_t out_frac;  /* output fields the program being laid out may give a fraction (pt_jit_plan_outs) */
	bool tier_late;     /* its start does not preset the tier to -1 (pt_jit_plan_tier) */
	uint8_t *tier_late_on;   /* per program: its tier_late (for the code laid out after every program) */
	uint8_t *tier_in;   /* per instruction: TIER_* on every way into it (pt_jit_plan_tier) */
	uint32_t *out_in;   /* per instruction: output fields some way into it may have written (pt_jit_plan_written) */
	uint32_t any_frac;  /* the union of every program's out_frac */
	uint32_t wgen;      /* advanced at every jump target: what is known before does not hold there */
	uint32_t derived0, derived1;   /* the derived registers, whole whenever a program runs */
	uint8_t *in_place;  /* per input below nin: read from in[] (pt_bind_in_place) */
	uint16_t *in_pos;   /* and where in in[] (pt_bind_in_pos) */
	uint32_t nin;
	uint32_t rbase;     /* rbx is R + rbase + BIAS (bytes; pt_jit_choose_rbase) */
	uint32_t rax;       /* the register whose numerator the template just laid out left in rax, or NO_REG */
	uint32_t *rax_in;   /* per instruction: what rax holds on every jump to it so far (rax_on_jump) */
	uint32_t cache_off[PT_JIT_NCACHE];   /* register-file offsets kept in r8 to r12 while the program
				 * being laid out runs (pt_jit_plan_cache; jit_emit.h reads and writes
				 * them there) */
	uint8_t ncache;     /* how many; 0 where nothing is kept (cold code, stubs) */
	uint32_t *cache_on; /* per program: its cache_off (PT_JIT_NCACHE each), for the stubs */
	uint8_t *ncache_on; /* per program: its ncache */
	uint8_t *cache_done;   /* per instruction: the fields (bit i: cache_off[i]) every way into it wrote */
	uint8_t *cache_seen;   /* per instruction: scratch for pt_jit_plan_cache */
	uint64_t *exposed_after;   /* per program: the locals and temporaries (bit r - reg_locals) a
				* program after it may read before writing (pt_jit_plan_exposed) */
	uint32_t exp_w;     /* 64-bit words per program there */
	uint64_t *exp_wr;   /* scratch for those analyses: exp_w words per instruction of a program */
	uint64_t *exp_self; /* exp_w words: what the program being planned reads before writing */
	uint64_t *before;   /* pt_jit_plan_notes: per instruction, the notes on some path before it */
	uint8_t *nbefore;   /* and the most notes on any path before it */
	size_t ncode, nprogs;
	uint32_t end;       /* the label a program's end goes to (L_NEXT of the one being laid out) */
	cold *cold;         /* what goes after every program (defer) */
	size_t ncold, capcold;
	size_t limit;       /* the most code this rule set may get (PT_JIT_MAX_CODE) */
	bool bad;           /* out of memory, or a shape the JIT declines */
};

#define NO_REG UINT32_MAX
#define RAX_NO_WAY (UINT32_MAX - 1)   /* rax_in: no jump to it yet */

/* Whether op ends a section in the machine code: it never falls through
 * (TIERSEL, which the interpreter never falls out of, does here: its
 * rows follow it). */
static inline bool pt_jit_ends(uint32_t op) { return (pt_fast_props[op] & FP_END) && op != F_TIERSEL; }

/* Where control goes in the machine code after instruction c at index
 * k: its jump target, then the next instruction unless c ends its
 * section (pt_fast_succ, with TIERSEL falling through as its template
 * does).  Returns how many. */
static inline int pt_jit_succ(const pt_fast_ins *c, size_t k, size_t succ[2])
{
	int ns = 0;
	if (pt_fast_branches(c->op))
		succ[ns++] = c->x;
	if (!pt_jit_ends(c->op))
		succ[ns++] = k + 1;
	return ns;
}

/* Whether op is a section's failure (FAIL_R, FAIL_RE, FAIL_E). */
static inline bool pt_jit_failure(uint32_t op) { return op == F_FAIL_R || op == F_FAIL_RE || op == F_FAIL_E; }

/* Where instruction c jumps in the machine code, or SIZE_MAX: a jump's
 * target, and where a redeem section's HALT_R or FAIL_R goes on in the
 * earn section. */
static inline size_t pt_jit_jump_target(const pt_fast_ins *c)
{
	return pt_fast_branches(c->op) || c->op == F_HALT_R ? c->x : c->op == F_FAIL_R ? c->a : SIZE_MAX;
}

/* Every way on from instruction c at index k in the machine code:
 * pt_jit_succ's, and where a section's end goes on (pt_jit_jump_target)
 * unless that is pt_jit_succ's jump already.  Returns how many. */
static inline int pt_jit_ways(const pt_fast_ins *c, size_t k, size_t succ[3])
{
	int ns = pt_jit_succ(c, k, succ);
	size_t t = pt_jit_jump_target(c);
	if (t != SIZE_MAX && (ns == 0 || succ[0] != t))
		succ[ns++] = t;
	return ns;
}

/* Whether register r (an index) is one of the rule set's constants,
 * which nothing writes (pt_fast_init_regs): then *v is its value, and
 * the templates below store it as an immediate instead of loading it. */
static inline bool pt_jit_const_reg(const pt_ruleset *rs, const pt_fast *f, uint32_t r, pt_rat *v)
{
	if (r < f->reg_consts || r - f->reg_consts >= rs->nconsts)
		return false;
	*v = rs->consts[r - f->reg_consts];
	return true;
}

/* Which instructions of a program (from .. end) a jump lands on
 * (j->target, for known_whole), and which reason notes pt_jit_note_if makes
 * inline: those with, in their section and on every path before
 * them, no note of the same string and fewer than PT_MAX_REASONS notes,
 * so that pt_sec_reason would add the note at index nreasons without
 * finding it, and at most 32 in a section: each gets the next bit of its
 * section's noted (j->site_bit) and is recorded in j->sites from
 * j->site0[2 * j->pcur + section], in order; and where an inline note may come
 * before (j->marked_in).  Paths go forward only (pt_jit_compilable), so
 * one pass in order sees every way into an instruction before the
 * instruction; the ways
 * are the machine code's (pt_jit_succ: TIERSEL also falls into its first
 * row, which forged .ptbc files in tests/fastdiff/forged showed
 * missing). */
void pt_jit_plan_notes(jasm *j, const pt_ruleset *rs, const pt_fast_prog *fp, const pt_fast_ins *code, size_t from,
		       size_t end);

/* Whether the instructions [from, end) of a program can be compiled:
 * both sections end with an instruction that never falls through (so
 * no code runs into the next program's), every jump lands inside, in the
 * same section (sections change only at HALT_R and FAIL_R), and the
 * locals a section end zeroes are registers (pt_jit_build checked the
 * register file and each program's nlocals).  Verified code always
 * passes; the checks keep the machine code memory-safe whatever it is
 * given. */
bool pt_jit_compilable(const jasm *j, const pt_fast *f, const pt_fast_prog *fp, const pt_fast_ins *code, size_t from,
		       size_t end);

/* What register r's denominator is at every moment, as far as pt_jit_type_dens
 * knows so far (DEN_*): a constant's own, a derived value's 1, an input's
 * 1 where binding writes it whole (pt_fast_input_whole), a local's or
 * temporary's as typed; anything else (the registers of tests' random
 * code between the inputs and the locals) DEN_ANY. */
uint8_t pt_jit_den_src(const jasm *j, const pt_ruleset *rs, const pt_fast *f, uint32_t r);

/* What the denominators of the locals and temporaries are at every
 * moment of every evaluation (j->den): 1 (DEN_WHOLE), a power of two
 * (DEN_POW2: a rank's rate such as 1.5), or anything.  They start at 0/1
 * (ptrules_eval_new; a section's end zeroes locals to 0/1), nothing but
 * the register code writes them (the reference VM has locals of its
 * own), and every instruction of the rule set that writes one writes, in
 * the interpreter as here, a value of the kind typed: an _I form, a
 * floor, a comparison give whole numbers; a copy, a minimum, a sum, a
 * difference or a product of whole numbers is whole, of numbers with
 * power-of-two denominators has one too (the greatest fixed point, the
 * lesser kind winning).  A whole register's denominator is never stored
 * (den_one), and the templates know it whole (known_whole); a rate of
 * DEN_POW2 floors a product by a shift (mulfloor_ir).  Unlike fast_opt.c's
 * typing per program, which lets a temporary hold a fraction in another
 * program, this holds for the whole code, since a denominator not stored
 * must be right for every reader. */
void pt_jit_type_dens(jasm *j, const pt_ruleset *rs, const pt_fast *f, const pt_fast_ins *code);

/* Which registers are at least 0 whenever the machine code runs
 * (j->nonneg, every register: jit_plan.c says how). */
void pt_jit_type_signs(jasm *j, const pt_ruleset *rs, const pt_fast *f, const pt_fast_ins *code);

/* Which of the first 64 locals and temporaries are at least 0 on every
 * way into each instruction of a program [from, end) (j->nn_in; at least
 * 1, j->pos_in), and which instructions its start reaches (j->reach): from the
 * typing for the whole code as it starts, each write as writes_nonneg
 * says, the locals a section's end zeroes at least 0, and the states of
 * the ways into a jump target joined (paths go forward only, so one
 * pass in order sees them all, as in pt_jit_plan_notes).  Sharper than
 * the typing for the whole code where a temporary holds a difference in
 * one place and an amount in another. */
void pt_jit_plan_signs(jasm *j, const pt_ruleset *rs, const pt_fast *f, const pt_fast_ins *code, size_t from,
		       size_t end);

/* Which output fields some instruction of the program [from, end) may
 * give a fraction (j->out_frac): those it copies a register or constant
 * to that is not typed whole (pt_jit_den_src).  Every other field holds 0/1
 * from prog_start until a whole number is stored, so its denominator is
 * not stored again (den_one); where the interpreter takes over, it
 * stores what it writes whole. */
void pt_jit_plan_outs(jasm *j, const pt_ruleset *rs, const pt_fast *f, const pt_fast_ins *code, size_t from,
		      size_t end);

/* What the ways into an instruction have done with a result's tier
 * (j->tier_in): set it on none, on every one, on some only. */
enum { TIER_UNSET = 0, TIER_SET = 1, TIER_SOME = 2, TIER_NO_WAY = 3 };

/* Whether the program [from, end) can leave its tier to the ways that do
 * not set it (j->tier_late): where no way into any instruction has set
 * it on some ways only (TIER_SOME), each way's end, and each way out to
 * the interpreter, knows whether to store -1 (TIER_UNSET there), so its
 * start need not.  The ways are the machine code's and the
 * interpreter's (pt_jit_succ, pt_fast_succ, and a section's end on into
 * the earn section, pt_jit_jump_target); TIERJ and TIER set the tier. */
void pt_jit_plan_tier(jasm *j, const pt_fast_ins *code, size_t from, size_t end);

/* Which output fields some way into each instruction of the program
 * [from, end) may have written (j->out_in; a bit per field, every bit
 * when unsure): those a section's failure sets to 0 again.  The others
 * are 0/1 as the program's start stored them, and the failure's
 * template leaves them be.  Most carts fail a section somewhere, and the
 * stores were a third of such a failure's code. */
void pt_jit_plan_written(jasm *j, const pt_fast_ins *code, size_t from, size_t end);

/* Which register-file fields the program [from, end), whose earn
 * section starts at earn, keeps in r8 to r12 instead of storing them
 * (j->cache_off, j->ncache), and which of them every way into each of
 * its instructions wrote (j->cache_done).  Candidates: the locals and
 * temporaries only the earn section writes, which the program reads only
 * after a write on every way and no program after it reads before
 * writing them (pt_jit_plan_exposed); taken in the order of how often
 * the earn section names them (a tier's rows, of which one runs, once),
 * their numerators, and their denominators unless typed whole, at most
 * PT_JIT_NCACHE fields.  In the 20 programs of the bench that is the
 * running sum, the temporaries of the earn rule and the rank's cap, each
 * stored and read back per cart before.  Nothing but the program's own
 * instructions reads them: where the code leaves for the interpreter
 * (a stub) it stores those written, and around a call into C (which may
 * change r8 to r11, not r12) it stores and loads r8 to r11 (jit_emit.h:
 * pt_jit_cache_move). */
void pt_jit_plan_cache(jasm *j, const pt_fast *f, const pt_fast_ins *code, size_t from, size_t earn, size_t end);

/* Which locals and temporaries a program after each may read before
 * writing them, so read as an earlier program left them
 * (j->exposed_after): those pt_jit_plan_cache may not keep out of the
 * register file.  False when out of memory. */
bool pt_jit_plan_exposed(jasm *j, const pt_fast *f, const pt_fast_ins *code);

/* A tier chain's row chosen without a branch (jit_tier.c).
 * pt_jit_plan_tables: which chains of the program [from, end) are laid
 * out so (j->tsel), after pt_jit_plan_signs (the key must be at least 0
 * there), and which of their rows then lay out no code (j->reach
 * cleared); pt_jit_tier_emit: chain k's code up to the jump past it
 * (to pt_jit_tier_next; rax holds register have); pt_jit_tier_data:
 * every such chain's table of rows, after the code. */
void pt_jit_plan_tables(jasm *j, const pt_ruleset *rs, const pt_fast *f, const pt_fast_ins *code, size_t from,
			size_t end);
void pt_jit_tier_emit(jasm *j, const pt_ruleset *rs, const pt_fast *f, const pt_fast_ins *code, size_t k,
		      uint32_t have);
size_t pt_jit_tier_next(const pt_fast_ins *code, size_t k);
void pt_jit_tier_data(jasm *j, const pt_ruleset *rs, const pt_fast *f, const pt_fast_ins *code);

/* Two guards in a row (JZ, JF_*: a test and a jump when it fails), each
 * leaving for a failure of its own (FAIL_*, laid out after every
 * program), laid out as one branch where each guard's outcome, varying
 * from cart to cart, made two (j->gmerge: PT_JIT_GUARDS_FAIL at the
 * first, PT_JIT_GUARDS_IN at the second, which lays out no code but is
 * reached as before, so that what follows is fallen into): where no jump
 * lands on the second, the failures are the same instruction but for
 * their reason, both noted inline, and their ways in agree on the tier
 * (j->tier_in).  One jump if either fails, to a failure that takes the
 * first's reason if it failed, else the second's, its bit chosen without
 * a branch (jit.c, lay_cold).  A program's validity date and its linked
 * account are such a pair, each close to a coin toss over a batch of
 * carts.  (Guards going to one place, a `when`'s conditions, were merged
 * too and made the 20 programs' evaluation 10 to 20 ns slower for no
 * measurable gain: docs/performance.md.) */
#define PT_JIT_GUARDS_FAIL 0xFF
#define PT_JIT_GUARDS_IN 0xFE
void pt_jit_plan_guards(jasm *j, const pt_fast_ins *code, size_t from, size_t end);

/* A temporary passed from one instruction to the CAP_I right after it,
 * in a register, where nothing reads it after the cap (j->live): its
 * store is dropped.  FUSE_KEEP: instruction k leaves its result in rax,
 * where the cap takes it as the value capped.  FUSE_SUB_RCX: k is a
 * SUB_I giving the cap, worked out in rcx, where the CAP_I (marked
 * FUSE_B_RCX) takes it; rax is left as it was, so a value capped that
 * rax held before the subtraction is not loaded again.  `cap
 * rank.monthly_cap - account.earned_this_month` is such a pair in most
 * programs: two stores, two loads and a copy fewer.  Only where the
 * CAP_I is laid out right after k (reached, not a jump target, neither
 * a merged guard nor a tier row).  FUSE_KEEP_B: instruction k (not a
 * SUB_I) leaves the cap itself in rax, whence the CAP_I copies it to
 * rcx (okidoki's balance capped at the total's worth in points, a
 * DIVFLOOR).  FUSE_KEEP_A: a CAP_I followed by a
 * REASON_LE_I testing the value it capped (`cap balance ... else` then
 * a reason when the balance is 0) works its result out in rcx, leaving
 * that value in rax for the test. */
enum { FUSE_KEEP = 1, FUSE_SUB_RCX = 2, FUSE_B_RCX = 4, FUSE_KEEP_A = 8, FUSE_KEEP_B = 16 };
void pt_jit_plan_fuse(jasm *j, const pt_fast *f, const pt_fast_ins *code, size_t from, size_t end);
/* Whether some temporary is live where a section starts (live: after
 * each instruction, pt_fast_live_temps), which the liveness does not
 * follow from the section before: then nothing is fused.  The compiler's
 * temporaries never are (a statement's stack); forged code may be. */
bool pt_jit_temps_cross(const pt_ruleset *rs, const pt_fast *f, const pt_fast_ins *code, const pt_fast_tset *live);

/* The compiler's working tables for f's code and rs's programs
 * (jit_scratch.c): made zeroed (false when out of memory), and freed
 * with what the layout grew. */
bool pt_jit_scratch_new(jasm *j, const pt_ruleset *rs, const pt_fast *f);
void pt_jit_scratch_free(jasm *j);
/* Patch j's jumps and map its code into jit (jit_scratch.c); false when
 * that fails (jit and native are the caller's still). */
bool pt_jit_scratch_finish(jasm *j, const pt_ruleset *rs, const pt_fast *f, const uint32_t *entry, uint8_t *native,
			   pt_jit *jit);

/* Where rbx points (j->rbase): at the first of the 16 registers the code
 * names most through rbx, so that those take a one-byte displacement.
 * Inputs read in place are named through r13 instead, so for the
 * shipped rules the window moves from the first inputs to the locals and
 * temporaries; in a rule set of many programs, where every register past
 * the 16th took four bytes, the code is smaller. */
void pt_jit_choose_rbase(jasm *j, const pt_fast *f, const pt_fast_ins *code);

/* Load xmm0 to xmm2 (with j->avx: ymm0 to ymm2 and xmm3) with the
 * constants a program's start stores (jit.c): by the prologue, and
 * again after each call. */
void pt_jit_xmm_load(jasm *j);

/* How the machine code notes reasons (jit_note.c).  While a program
 * runs, a section with inline notes marks them in a register, a bit
 * each; pt_jit_note_reg is that register's low three bits (r14 for the
 * redeem section at OFF_REDEEM, r15 for earn), pt_jit_note_marks
 * whether the program being laid out marks section sec's notes
 * (j->cnt_cur), pt_jit_note_flush stores both registers in the result's
 * noted (where anything else reads them: the program's end, a stub). */
int pt_jit_note_reg(uint32_t sec);
bool pt_jit_note_marks(const jasm *j, uint32_t sec);
void pt_jit_note_flush(jasm *j);
/* Note reason s, noted at pc, in section sec with a call to C at
 * instruction k (after a FAIL, or where pt_jit_plan_notes did not make
 * the note inline); rax, rcx, rdx, rsi, rdi and the flags do not
 * survive it. */
void pt_jit_note_call(jasm *j, uint32_t sec, uint32_t s, uint32_t pc, size_t k);
/* Note reason s (noted at pc) at instruction k when cc holds of the
 * flags: inline where pt_jit_plan_notes found it safe, else with a call
 * past a jump on the opposite condition. */
void pt_jit_note_if(jasm *j, int cc, uint32_t sec, uint32_t s, uint32_t pc, size_t k);
/* The same where the note is always made (a section's failure, FAIL_*):
 * its bit set, or the call. */
void pt_jit_note_always(jasm *j, uint32_t sec, uint32_t s, uint32_t pc, size_t k);

#endif
