/* rules.h - a compiled rule set: programs, bytecode, constants, strings,
 * the cart inputs it reads, and debug tables (pc -> line, explain rules).
 *
 * A rule set is immutable once built and owns all of its memory in one
 * arena, so any number of threads may evaluate carts against it. */
#ifndef PT_RULES_H
#define PT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "rat.h"

/* Built-in cart values every rule set may read. */
typedef enum {
	PT_B_DATE, PT_B_DAY, PT_B_MONTH, PT_B_WEEKDAY, PT_B_TOTAL,
	PT_B_CARD, PT_B_METHOD, PT_B_ITEMS, PT_B__COUNT
} pt_builtin;

typedef enum {
	PT_IN_BUILTIN,   /* one of pt_builtin */
	PT_IN_CATSUM,    /* yen spent on items of one category */
	PT_IN_LINKED,    /* the cart has an account line for the program */
	PT_IN_BALANCE,   /* that account's balance */
	PT_IN_ACCOUNT,   /* a declared account key */
	PT_IN_USE_POINTS,    /* points the program's `use` record spends */
	PT_IN_USE_GIFTCARD,  /* yen of `use program=giftcard yen=N` */
	PT_IN_USE_PROGRAMS,  /* programs with a `use` record of more than 0 points */
	PT_IN_USE_POINTS_YEN /* yen those points pay: set after the redeem sections ran */
} pt_input_kind;
#define PT_IN__COUNT (PT_IN_USE_POINTS_YEN + 1)

/* One slot of the input vector a cart is bound to before evaluation. */
typedef struct pt_input_def {
	pt_input_kind kind;
	int builtin;          /* PT_IN_BUILTIN */
	int prog;             /* program index for LINKED/BALANCE/ACCOUNT */
	const char *name;     /* category or account key */
	pt_unit type;
	bool has_default;
	pt_rat dflt;          /* word defaults hold a string index */
	int file, line;       /* declaration, for messages */
} pt_input_def;

/* A statement --explain reports on. */
typedef struct pt_rule_def {
	int file, line, col;
	const char *text;     /* the statement's first source line, trimmed */
	int prog;
	pt_unit unit;         /* unit of the value TRACE records */
} pt_rule_def;

/* A coverage point: an instruction and the way it must have run (any of
 * the mask's bits) for `ptrules test --coverage` to count the rule part
 * as exercised.  The VM records these bits per pc when asked. */
#define PT_HIT_RUN       1u   /* the instruction ran */
#define PT_HIT_TAKEN     2u   /* JMPF jumped; CAP bound */
#define PT_HIT_NOT_TAKEN 4u   /* JMPF fell through; CAP did not bind */
#define PT_HIT_NONZERO   2u   /* INPUT pushed a value other than 0 */

typedef struct pt_cover_def {
	uint32_t pc;
	unsigned mask;
	int file, line, prog;
	const char *what;
} pt_cover_def;

typedef struct pt_line_def {
	uint16_t file;
	uint32_t line;
} pt_line_def;

typedef struct pt_program {
	const char *id;
	const char *name;           /* display name, UTF-8 */
	int file, line;
	uint32_t redeem_pc, earn_pc;   /* section entry points */
	uint32_t redeem_end, earn_end; /* one past the last instruction */
	bool redeems, earns;
	const char *granted;        /* grant timing word, or NULL */
	uint32_t nlocals;
	int linked_input, balance_input;
	int32_t valid_from, valid_until;
	bool earn_reads_paid;       /* the earn section reads use.points_yen (pt_ruleset_index) */
} pt_program;

typedef struct pt_ruleset {
	pt_arena arena;             /* owns everything below */
	pt_program *progs;
	size_t nprogs;
	pt_program *policies;       /* order-level checks: one section each (redeem_pc) */
	size_t npolicies;
	int use_yen_slot;           /* the USE_POINTS_YEN input, or -1 */
	bool earn_reads_paid;       /* some program's earn section reads it: programs run in two phases */
	uint32_t *code;
	size_t ncode;
	pt_line_def *lines;         /* one per instruction */
	pt_rat *consts;
	size_t nconsts;
	const char **strs;
	size_t nstrs;
	pt_input_def *inputs;
	size_t ninputs;
	pt_rule_def *rules;
	size_t nrules;
	const char **files;
	size_t nfiles;
	pt_cover_def *covers;       /* rule parts for coverage; none when loaded from .ptbc */
	size_t ncovers;
	uint64_t source_hash;       /* FNV-1a of the sources' names and texts */
	uint32_t *catsum_slots;     /* the CATSUM inputs, for one pass over items */
	size_t ncatsums;
	int total_slot;             /* the TOTAL input, or -1 */
	uint32_t *str_index;        /* open-addressing hash of strs: index + 1, 0 empty */
	uint32_t str_mask;          /* table size - 1 */
	struct pt_fast *fast;
	struct pt_bind_plan *bind_plan;   /* slots the fast binding fills (bind.c), or NULL */       /* register code for plain evaluation (fast.c), or NULL */
	struct pt_out_jtext *json;  /* strings escaped for JSON once (out.c, pt_out_prepare), or NULL */
	uint32_t max_stack;         /* computed by the verifier */
	uint32_t max_locals;
} pt_ruleset;

/* Limits, each with an error that names it (docs/language.md, Limits). */
#define PT_MAX_PROGRAMS   1000
#define PT_MAX_CODE       (1u << 22)
#define PT_MAX_CONSTS     65536
#define PT_MAX_STRS       65536
#define PT_MAX_INPUTS     65536
#define PT_MAX_LOCALS     256
#define PT_MAX_STACK      64
#define PT_MAX_SOURCE     (4u << 20)

/* Compile n sources into a verified rule set.  On any error returns NULL
 * and leaves located diagnostics in d. */
pt_ruleset *pt_compile(const pt_src *srcs, size_t n, pt_diags *d);
/* The same, also reporting lint warnings (PT1xx) when lint is set. */
pt_ruleset *pt_compile_ex(const pt_src *srcs, size_t n, pt_diags *d, bool lint);
void pt_ruleset_free(pt_ruleset *rs);
/* FNV-1a 64-bit hash, continued from h (start with PT_FNV_INIT). */
#define PT_FNV_INIT 0xcbf29ce484222325ull
uint64_t pt_fnv1a(uint64_t h, const void *p, size_t n);
/* Index of the string s in the rule set's table, or -1 (hashed; cart
 * words are looked up once per cart). */
int pt_ruleset_find_str(const pt_ruleset *rs, const char *s);
/* Index of the program with this id, or -1. */
int pt_ruleset_find_prog(const pt_ruleset *rs, const char *id);
/* Build the lookup structures of a verified rule set; with fast, also
 * the fast binding and the register code evaluation uses (a rule set
 * compiled only to be checked skips them and evaluates the reference
 * way).  False on OOM. */
bool pt_ruleset_index(pt_ruleset *rs, bool fast);

/* Check the bytecode of rs before anything runs it: opcodes, operands,
 * jump targets, stack depth and termination (verify.c). */
bool pt_verify(pt_ruleset *rs, pt_diags *d, const char *what);

#endif
