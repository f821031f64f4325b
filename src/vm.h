/* vm.h - the bytecode interpreter and per-cart results.
 *
 * A cart is first bound to the rule set's input vector (bind.c); then each
 * program's redeem and earn sections run over it.  The VM allocates
 * nothing: the caller provides the input vector, a locals scratch area of
 * rs->max_locals values and the result array. */
#ifndef PT_VM_H
#define PT_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "cart.h"
#include "opcodes.h"
#include "rules.h"

#define PT_MAX_REASONS 4

typedef enum {
	PT_VM_OK = 0,
	PT_VM_OVERFLOW,     /* an amount does not fit in 64 bits */
	PT_VM_DIVZERO,      /* division by zero */
	PT_VM_BAD           /* unverified code misbehaved (never after pt_verify) */
} pt_vm_status;

/* A reason a section noted: its string, and where it was noted (a line
 * table index), side by side so that one is written as one 8-byte
 * value (pt_sec_reason, the failures the machine code lays out). */
typedef struct pt_reason {
	uint32_t str;
	uint32_t pc;
} pt_reason;

/* What one section (redeem or earn) concluded.  The fields a program's
 * start sets lie in the first 16 bytes, so the machine code sets them
 * with one store (jit.c, sec_start).  Its reasons are reasons[0 ..
 * nreasons), then, in order, the inline notes of the machine code that
 * noted (bit k: its section's k-th inline note, pt_jit.sites): the
 * machine code marks a note in a register where storing it cost a store
 * whether or not the note held (jit_note.c).  Only the machine code
 * sets noted; every reader of reasons takes them from pt_fast_sec_view
 * (fast.h), which puts them in order in one array. */
typedef struct pt_section_result {
	bool ran;                /* the section has rules (not a stub) */
	bool failed;             /* FAIL: not usable / earns nothing */
	uint8_t nreasons;        /* at most PT_MAX_REASONS */
	uint32_t noted;          /* the machine code's inline notes that noted, after reasons[] */
	pt_vm_status status;
	uint32_t status_pc;      /* where a runtime error happened */
	pt_reason reasons[PT_MAX_REASONS];   /* in order */
} pt_section_result;

/* One program's result.  Its first four fields are ptrules_amounts'
 * first four, laid out as they are there (api.c asserts it), so that
 * reading a program's amounts copies them: linked is set as a program
 * starts; usable (redeem not failed, no runtime error), use_valid (1: the
 * use check keeps its own verdicts) and runtime_error follow from the
 * sections, and are kept by the machine code as it runs and settled by
 * pt_res_settle wherever anything else wrote the result. */
typedef struct pt_prog_result {
	_Alignas(16) int32_t linked;
	int32_t usable;
	int32_t use_valid;
	int32_t runtime_error;
	pt_rat out[PT_OUT__COUNT];
	pt_section_result redeem, earn;
	int tier;                /* string index of the tier label, or -1 */
} pt_prog_result;
/* Results lie 16 bytes apart at least (_Alignas on linked): the machine
 * code starts one with 16-byte stores (jit.c, prog_start), which at 216
 * bytes a result straddled a cache line in every other result, and the
 * 20 programs' evaluation took 8% longer (docs/performance.md). */
_Static_assert(sizeof(pt_prog_result) % 16 == 0, "pt_prog_result's stride");

/* Settle the flags at the head of results[0 .. n) from their sections:
 * after the interpreters or the reference VM wrote them. */
static inline void pt_res_settle(pt_prog_result *results, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		pt_prog_result *r = &results[i];
		r->usable = !r->redeem.failed && r->redeem.status == PT_VM_OK;
		r->use_valid = 1;
		r->runtime_error = (r->redeem.status | r->earn.status) != PT_VM_OK;
	}
}

/* Add reason s, noted at pc (its rule's line), to a section once,
 * keeping the first few.  Shared by the VM and the fast code. */
static inline void pt_sec_reason(pt_section_result *sec, uint32_t s, uint32_t pc)
{
	for (int i = 0; i < sec->nreasons; i++)
		if (sec->reasons[i].str == s)
			return;
	if (sec->nreasons < PT_MAX_REASONS)
		sec->reasons[sec->nreasons++] = (pt_reason){ s, pc };
}

/* One --explain event: a rule and the value it saw. */
typedef struct pt_trace_event {
	uint32_t rule;
	uint32_t pc;
	pt_rat value;
} pt_trace_event;

/* Caller-owned trace buffer; events past cap are counted, not stored. */
typedef struct pt_trace {
	pt_trace_event *ev;
	size_t n, cap, dropped;
	uint8_t *hits;           /* NULL, or rs->ncode PT_HIT_* bit sets (coverage) */
} pt_trace;

/* Run the section of pg starting at pc. */
pt_vm_status pt_vm_run(const pt_ruleset *rs, const pt_program *pg, uint32_t pc,
		       const pt_rat *inputs, pt_rat *locals, pt_prog_result *res,
		       pt_section_result *sec, pt_trace *trace);

/* Evaluate every program (not the policies): all redeem sections, then
 * use.points_yen (written into inputs when an earn section reads it),
 * then all earn sections; results
 * has rs->nprogs + rs->npolicies entries.  Returns false when any section
 * hit a runtime error. */
bool pt_eval_all(const pt_ruleset *rs, pt_rat *inputs, pt_rat *locals,
		 pt_prog_result *results, pt_trace *trace);

/* Evaluate program i alone, redeem then earn: the fast path's fallback,
 * for rule sets whose earn sections do not read use.points_yen. */
bool pt_eval_prog(const pt_ruleset *rs, size_t i, const pt_rat *inputs, pt_rat *locals,
		  pt_prog_result *res, pt_trace *trace);

/* Set inputs[use.points_yen] from the redeem results; false when the sum
 * leaves 64 bits (then it is 0 and nothing may read it). */
bool pt_eval_paid(const pt_ruleset *rs, pt_rat *inputs, const pt_prog_result *results);

/* Run the policies' checks into results[rs->nprogs ...], after the
 * programs and pt_eval_paid (whose result is fits). */
bool pt_eval_policies(const pt_ruleset *rs, const pt_rat *inputs, pt_rat *locals,
		      pt_prog_result *results, pt_trace *trace, bool fits);

/* Bind a cart to the rule set's inputs (bind.c).  Reports cart errors
 * (wrong value types, missing required keys, overflow) against src and
 * warnings for keys no rule reads.  Returns false on any error. */
bool pt_bind(const pt_ruleset *rs, const pt_cart *cart, int32_t date,
	     pt_rat *inputs, const pt_src *src, pt_diags *d);
/* The same without the fast binding (tests compare the two). */
bool pt_bind_reference(const pt_ruleset *rs, const pt_cart *cart, int32_t date,
		       pt_rat *inputs, const pt_src *src, pt_diags *d);
/* The fast binding alone: false (having reported nothing, inputs in any
 * state) when rs has no plan or the cart needs a diagnostic. */
bool pt_bind_fast(const pt_ruleset *rs, const pt_cart *cart, int32_t date, pt_rat *inputs);
/* Build rs->bind_plan for the fast binding; NULL when not possible. */
void pt_bind_plan_build(pt_ruleset *rs);

/* A cart prepared for one rule set: its names resolved to slots once, so
 * evaluating it sums the items and does no string work (bind.c). */
typedef struct pt_prep {
	int32_t date;             /* the order date the values were made for */
	uint32_t nitems, nvals;
	uint32_t nkept;           /* dense: the values of the inputs read in place (pt_bind_in_pos), else 0 */
	uint32_t ninputs;         /* of the rule set it was made for */
	uint32_t nlaid;           /* items laid out: nitems, or (pt_bind_prepare's pad) up to a multiple of four */
	/* then nlaid pt_prep_items (nitems, then items of no amount: four
	 * for a cart of none), nkept values (int64_t), nvals slots
	 * (uint32_t, past the inputs the dense form covers) padded to 8
	 * bytes, and nvals values (int64_t) (bind.c) */
} pt_prep;
typedef struct pt_prep_item {
	int64_t price;
	uint32_t qty;             /* at most PT_CART_MAX_QTY */
	uint32_t at;              /* its category sum's place in the inputs, in bytes (pt_prep_at: no scaling per item); outside every sum, a total slot's (written over after the items), or PT_PREP_NO_SUM when there is none */
} pt_prep_item;
#define PT_PREP_NO_SUM UINT32_MAX
/* Where slot's value lies in the inputs, in bytes, for pt_prep_item.at
 * (PT_MAX_INPUTS slots of 16 bytes fit 32 bits); PT_PREP_NO_SUM stays. */
static inline uint32_t pt_prep_at(uint32_t slot)
{
	_Static_assert((uint64_t)PT_MAX_INPUTS * sizeof(pt_rat) < PT_PREP_NO_SUM, "a slot's place fits below PT_PREP_NO_SUM");
	return slot == PT_PREP_NO_SUM ? PT_PREP_NO_SUM : slot * (uint32_t)sizeof(pt_rat);
}
/* Inputs prepared carts keep whole, at most: 2 KiB a cart. */
#define PT_PREP_DENSE_MAX 256
/* The bytes preparing cart c for rs takes at most, and the preparation
 * itself into caller memory of that size (8-byte aligned), with scratch
 * room for rs->ninputs + 1 values; false when the cart needs a diagnostic
 * (evaluate it the ordinary way).  dense: the form that binds faster, or
 * the compact one (bind.c, "prepared carts"); *total (when not NULL)
 * gets the cart's total. */
size_t pt_bind_prep_size(const pt_ruleset *rs, const pt_cart *c);
bool pt_bind_prepare(const pt_ruleset *rs, const pt_cart *c, int32_t date, void *mem, pt_rat *scratch, bool dense,
		     bool pad, int64_t *total);
size_t pt_bind_prep_used(const pt_prep *p);
/* The date a prepared cart was made for, and its number of items. */
static inline int32_t pt_bind_prep_date(const pt_prep *p) { return p->date; }
static inline size_t pt_bind_prep_items(const pt_prep *p) { return p->nitems; }
/* pt_bind_prepared, which binds a prepared cart: bind_fast.h. */
bool pt_bind_in_place(const pt_ruleset *rs, uint32_t r);
uint32_t pt_bind_in_pos(const pt_ruleset *rs, uint32_t r);
void pt_bind_materialize(const pt_ruleset *rs, const int64_t *dense, pt_rat *inputs);

#endif
