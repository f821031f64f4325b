/* ptrules.h - the public C API of libptrules.
 *
 * Load a rule set (from .rules sources or a compiled .ptbc file), read
 * carts (from cart.txt text, or build one field by field), evaluate them
 * and read the results per program, or format them as text or JSON.
 *
 * Conventions
 * - Every handle is opaque and created/freed by the library.
 * - Functions that can fail return a ptrules_status.  Problems in what a
 *   user wrote (rules, carts, compiled files) are PTRULES_EINVALID with
 *   located diagnostics in the ptrules_diags the caller passed; the
 *   library never prints, never exits.
 * - Strings returned by the library stay valid as long as the handle they
 *   came from (rule set strings: until the last release of the rule set;
 *   cart strings: until the cart is cleared or read over).
 *
 * Threads
 * - A ptrules_rules is immutable once loaded and reference counted
 *   (ptrules_retain / ptrules_release, atomic).  Any number of threads
 *   may evaluate against it at once, each with its own ptrules_eval and
 *   ptrules_cart.
 * - Hot swap: load the new rule set and publish it in a slot the service
 *   owns, guarded by a lock held only while reading the slot and calling
 *   ptrules_retain (a bare atomic pointer would let a reader retain a rule
 *   set the publisher has just released).  Each thread creates its next
 *   ptrules_eval from what it retained.  A ptrules_eval retains its rule
 *   set, so the old one is freed when the last evaluation context using
 *   it is freed and the service releases its own reference.
 *   docs/library.md shows the whole scheme; tests/unit/test_threads.c
 *   runs it.
 *
 * Allocation
 * - Loading, creating handles and reporting diagnostics allocate.
 *   Reading carts (after the first few, once the cart's buffers have
 *   grown to size), evaluating and formatting into a caller buffer do
 *   not allocate at all (tests/unit/test_noalloc.c proves it with a
 *   counting malloc interposer).
 *
 * NULL
 * - Every ptrules_diags argument may be NULL (diagnostics are dropped).
 * - Every _free function and ptrules_release accept NULL.
 * - A NULL label when formatting means the cart's id, else "cart".
 */
#ifndef PTRULES_H
#define PTRULES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && defined(PTRULES_BUILDING)
#define PTRULES_API __attribute__((visibility("default")))
#else
#define PTRULES_API
#endif

#define PTRULES_VERSION "0.7.0"

typedef enum ptrules_status {
	PTRULES_OK = 0,
	PTRULES_EINVALID = 1,  /* bad rules, cart or compiled file: see diagnostics */
	PTRULES_EIO = 2,       /* a file could not be read or written */
	PTRULES_ENOMEM = 3,    /* out of memory */
	PTRULES_ERUNTIME = 4,  /* a rule overflowed or divided by zero; results say where */
	PTRULES_EARG = 5       /* a NULL handle or an index out of range */
} ptrules_status;

/* A short English description of a status code. */
PTRULES_API const char *ptrules_strerror(ptrules_status s);

/* ---- diagnostics ---------------------------------------------------- */

typedef enum { PTRULES_ERROR = 0, PTRULES_WARNING = 1, PTRULES_NOTE = 2 } ptrules_severity;

/* One diagnostic.  line is 0 for a file-level message; for compiled
 * files, col holds the byte offset when one is known. */
typedef struct ptrules_diag {
	ptrules_severity severity;
	const char *code;          /* stable code such as "PT001", or "" */
	const char *file;
	int line, col, len;        /* 1-based line and byte column; len underlined */
	const char *message;
	const char *source_line;   /* the offending line, or NULL */
} ptrules_diag;

typedef struct ptrules_diags ptrules_diags;

PTRULES_API ptrules_diags *ptrules_diags_new(void);
PTRULES_API void ptrules_diags_free(ptrules_diags *d);
PTRULES_API void ptrules_diags_clear(ptrules_diags *d);
PTRULES_API size_t ptrules_diags_count(const ptrules_diags *d);
PTRULES_API size_t ptrules_diags_errors(const ptrules_diags *d);
PTRULES_API size_t ptrules_diags_warnings(const ptrules_diags *d);
/* Fill *out with diagnostic i; PTRULES_EARG when i is out of range. */
PTRULES_API ptrules_status ptrules_diags_get(const ptrules_diags *d, size_t i, ptrules_diag *out);
/* Print gcc-style (file:line:col: error: message, source line, ^~~~). */
PTRULES_API void ptrules_diags_print(const ptrules_diags *d, FILE *out);
/* Print the count line compilers end with ("2 errors and 1 warning
 * generated."); nothing when the list is empty. */
PTRULES_API void ptrules_diags_print_summary(const ptrules_diags *d, FILE *out);

/* ---- rule sets -------------------------------------------------------- */

typedef struct ptrules_rules ptrules_rules;

/* A named buffer of .rules source text. */
typedef struct ptrules_source {
	const char *name;
	const char *text;
	size_t len;
} ptrules_source;

/* Compile sources into a verified rule set (refcount 1). */
PTRULES_API ptrules_status ptrules_load_sources(ptrules_rules **out, const ptrules_source *srcs,
						size_t n, ptrules_diags *d);
/* Compile .rules files and directories of them (sorted by name). */
PTRULES_API ptrules_status ptrules_load_paths(ptrules_rules **out, const char *const *paths,
					      size_t n, ptrules_diags *d);
/* Like ptrules_load_paths, and also report lint warnings (codes PT1xx,
 * docs/diagnostics.md): unreachable tier rows, caps that never bind,
 * conditions that never hold, dated versions that overlap or leave
 * gaps, inputs no rule reads, rounding before summing.  Made for
 * checking: the rule set evaluates correctly but without the fast path
 * (serve carts from a rule set loaded with ptrules_load_paths). */
PTRULES_API ptrules_status ptrules_lint_paths(ptrules_rules **out, const char *const *paths,
					      size_t n, ptrules_diags *d);
/* Load a compiled rule set from memory; `name` is used in messages.  The
 * bytes are untrusted: every field is checked, then the verifier runs. */
PTRULES_API ptrules_status ptrules_load_bytecode(ptrules_rules **out, const void *data, size_t len,
						 const char *name, ptrules_diags *d);
/* Load a compiled rule set from a file. */
PTRULES_API ptrules_status ptrules_load_bytecode_file(ptrules_rules **out, const char *path,
						      ptrules_diags *d);
/* Whether the file starts like a compiled rule set (by its magic). */
PTRULES_API int ptrules_is_bytecode_file(const char *path);
/* Serialise to the .ptbc format; the same rule set always gives the same
 * bytes.  *out is malloc'ed; free it with free(). */
PTRULES_API ptrules_status ptrules_save_bytecode(const ptrules_rules *r, unsigned char **out,
						 size_t *len);
/* Write the .ptbc file atomically (temporary file, fsync, rename). */
PTRULES_API ptrules_status ptrules_write_bytecode_file(const ptrules_rules *r, const char *path,
						       ptrules_diags *d);
PTRULES_API ptrules_rules *ptrules_retain(ptrules_rules *r);
PTRULES_API void ptrules_release(ptrules_rules *r);

PTRULES_API size_t ptrules_program_count(const ptrules_rules *r);
PTRULES_API const char *ptrules_program_id(const ptrules_rules *r, size_t i);
PTRULES_API const char *ptrules_program_name(const ptrules_rules *r, size_t i);
/* The rule set's policies (order-level checks), in the same way. */
PTRULES_API size_t ptrules_policy_count(const ptrules_rules *r);
PTRULES_API const char *ptrules_policy_id(const ptrules_rules *r, size_t i);
PTRULES_API const char *ptrules_policy_name(const ptrules_rules *r, size_t i);
/* Upper bound on VM instructions one evaluation of the rule set runs
 * (every jump goes forward, so no instruction runs twice). */
PTRULES_API size_t ptrules_cost_bound(const ptrules_rules *r);
/* The same bound for program i alone. */
PTRULES_API size_t ptrules_program_cost(const ptrules_rules *r, size_t i);
/* 1 when program i runs as machine code here, 0 when the interpreter runs
 * it (docs/library.md, "Machine code").  Results are the same either
 * way, and a program with machine code still hands a cart back to the
 * interpreter where its code stops (an overflow, a fraction).  On x86-64
 * Linux it is 1 unless the library was built without the JIT, the system
 * refused executable memory, an earn section of the rule set reads
 * use.points_yen (no fast code at all), or the rule set or program has a
 * shape or size the fast code or the JIT declines. */
PTRULES_API int ptrules_program_native(const ptrules_rules *r, size_t i);
/* Print a bytecode listing (offsets, opcodes, operands, source lines). */
PTRULES_API void ptrules_disasm(const ptrules_rules *r, FILE *out);

/* ---- carts ------------------------------------------------------------ */

typedef struct ptrules_cart ptrules_cart;
typedef struct ptrules_reader ptrules_reader;

/* Read the carts of a cart.txt text one at a time.  The text must stay
 * alive while the reader is used. */
PTRULES_API ptrules_reader *ptrules_reader_new(const char *text, size_t len, const char *name);
/* ptrules_reader_new over one part of a larger cart file, so that several
 * threads can read the file's parts at once: text's first byte begins
 * line first_line (>= 1) of the file and carts_before (>= 0) carts of the
 * file come before it, so messages and ptrules_reader_index count as in
 * the whole file.  The part reads as the whole file's reader would read
 * those lines when it is the file's first part, or when it begins with a
 * `cart` line; NULL when out of memory or for a bad argument. */
PTRULES_API ptrules_reader *ptrules_reader_new_part(const char *text, size_t len, const char *name, int first_line,
						    int carts_before);
/* Whether the line at line (len bytes, without its LF) starts a new cart
 * for the reader: after blanks, the word `cart`.  A program that cuts a
 * cart file into parts for ptrules_reader_new_part cuts before such
 * lines. */
PTRULES_API int ptrules_is_cart_line(const char *line, size_t len);
PTRULES_API void ptrules_reader_free(ptrules_reader *r);
/* Where a streaming reader gets its bytes: copy at most cap bytes into
 * buf and return how many, 0 at the end of input, or -1 after a read
 * error (with errno set). */
typedef long (*ptrules_read_fn)(void *ctx, char *buf, size_t cap);
/* Read carts from a stream, pulling chunk bytes at a time (0: 64 KiB;
 * at most 16 MiB).  The reader keeps only the current cart's text and
 * the chunk being read, so memory is bounded by the largest cart, not
 * by the input.  Messages name the input `name`. */
PTRULES_API ptrules_reader *ptrules_reader_new_stream(ptrules_read_fn read, void *ctx, size_t chunk,
						      const char *name);
/* Read carts from an open FILE (stdin included) with fread, streaming as
 * ptrules_reader_new_stream does.  The FILE is not closed by the reader. */
PTRULES_API ptrules_reader *ptrules_reader_new_file(FILE *f, const char *name);
/* 0, or the errno of the read error that ended a streaming reader:
 * ptrules_reader_next then returned 0 early, dropping the cart it was
 * reading. */
PTRULES_API int ptrules_reader_error(const ptrules_reader *r);
/* Next cart: 1 and *cart set (valid until the next call), 0 at the end.
 * A malformed cart is still returned, with its errors in d and
 * ptrules_cart_errors() > 0; the caller reports and skips it. */
PTRULES_API int ptrules_reader_next(ptrules_reader *r, const ptrules_cart **cart, ptrules_diags *d);
/* 1-based index of the cart last returned. */
PTRULES_API int ptrules_reader_index(const ptrules_reader *r);
/* Whether the text separates carts with `cart` lines (so even the first
 * cart is one of several). */
PTRULES_API int ptrules_reader_has_cart_lines(const ptrules_reader *r);

/* A cart built field by field (reusable: ptrules_cart_clear). */
PTRULES_API ptrules_cart *ptrules_cart_new(void);
PTRULES_API void ptrules_cart_free(ptrules_cart *c);
PTRULES_API void ptrules_cart_clear(ptrules_cart *c);
/* date is "YYYY-MM-DD" or NULL (then evaluated at today in Japan). */
PTRULES_API ptrules_status ptrules_cart_set_order(ptrules_cart *c, const char *id, const char *date);
PTRULES_API ptrules_status ptrules_cart_add_item(ptrules_cart *c, int64_t price_yen, int64_t qty,
						 const char *category, const char *name);
/* card (e.g. "jcb") and/or method (e.g. "giftcard"); either may be NULL. */
PTRULES_API ptrules_status ptrules_cart_set_payment(ptrules_cart *c, const char *card, const char *method);
PTRULES_API ptrules_status ptrules_cart_add_account(ptrules_cart *c, const char *program, int64_t balance);
/* Further keys of the account line for `program` (added before). */
PTRULES_API ptrules_status ptrules_cart_set_int(ptrules_cart *c, const char *program, const char *key,
						int64_t value);
PTRULES_API ptrules_status ptrules_cart_set_bool(ptrules_cart *c, const char *program, const char *key,
						 int value);
PTRULES_API ptrules_status ptrules_cart_set_word(ptrules_cart *c, const char *program, const char *key,
						 const char *word);
/* Intended use (the cart's `use` records): spend points of program, or,
 * with ptrules_cart_set_giftcard, gift-card yen.  Adding a program's use
 * again replaces it; points 0 removes it. */
PTRULES_API ptrules_status ptrules_cart_set_use(ptrules_cart *c, const char *program, int64_t points);
PTRULES_API ptrules_status ptrules_cart_set_giftcard(ptrules_cart *c, int64_t yen);
/* Copy any cart (one from a reader, too) into the built cart dst, which
 * can then be changed: what-if questions such as `ptrules plan`. */
PTRULES_API ptrules_status ptrules_cart_copy(ptrules_cart *dst, const ptrules_cart *src);
/* Prepare a built cart for evaluation with rules r: its names (categories,
 * programs, keys, card and method words, date) are resolved to r's slots
 * once, so each ptrules_evaluate with an evaluator of r only sums the
 * items and runs the rules.  For carts evaluated many times, or loaded
 * ahead of a batch.  Results are the same as without it.  The cart holds
 * a reference to r until it changes (any setter, ptrules_cart_clear), is
 * prepared for other rules (r NULL: no longer prepared) or is freed.  A
 * cart with errors, without an order date (evaluated at today's date)
 * or needing a diagnostic, or any cart for rules the fast binding does
 * not cover (docs/library.md),
 * is left unprepared and evaluated as usual; PTRULES_OK either way,
 * PTRULES_ENOMEM when memory runs out.  A prepared cart is
 * only read by evaluation: evaluators on several threads may share it. */
PTRULES_API ptrules_status ptrules_cart_prepare(ptrules_cart *c, ptrules_rules *r);
/* 1 when c is prepared for r. */
PTRULES_API int ptrules_cart_prepared(const ptrules_cart *c, const ptrules_rules *r);
/* A hint for loops over many carts held in memory: c will be evaluated
 * soon (call it for the cart two or three ahead), so the part of it that
 * evaluation reads first, a typical prepared cart's values included,
 * starts loading into the cache now.  Changes nothing; c may be NULL. */
PTRULES_API void ptrules_cart_prefetch(const ptrules_cart *c);
PTRULES_API size_t ptrules_cart_errors(const ptrules_cart *c);
/* The cart's id (cart id=, else order id=), or NULL. */
PTRULES_API const char *ptrules_cart_id(const ptrules_cart *c);

/* ---- evaluation -------------------------------------------------------- */

typedef struct ptrules_eval ptrules_eval;

#define PTRULES_EVAL_EXPLAIN  1   /* record which rules ran and what they saw */
#define PTRULES_EVAL_COVERAGE 2   /* accumulate which rule parts were exercised */

/* An evaluation context for one thread; retains r.  flags: 0 or
 * PTRULES_EVAL_* bits (1, the old `explain` argument, still works). */
PTRULES_API ptrules_eval *ptrules_eval_new(ptrules_rules *r, int flags);
PTRULES_API void ptrules_eval_free(ptrules_eval *e);
PTRULES_API ptrules_rules *ptrules_eval_rules(const ptrules_eval *e);
/* Evaluate a cart.  PTRULES_EINVALID: the cart does not fit the rules
 * (diagnostics in d, no results); PTRULES_ERUNTIME: a rule failed at run
 * time (results are readable and name the rule). */
PTRULES_API ptrules_status ptrules_evaluate(ptrules_eval *e, const ptrules_cart *c, ptrules_diags *d);

/* ---- batches of packed carts ---------------------------------------- */

/* Carts packed for one rule set, one after another in one block of
 * memory, for batch jobs over many carts held in memory (a day's orders,
 * years of history).  Packing resolves a cart's names to the rules'
 * slots, as ptrules_cart_prepare does, and copies only what evaluation
 * reads (about 200 bytes for a cart of three items), so a sweep over the
 * batch reads memory in order; the cart itself can then be changed,
 * reused (a reader's cart) or freed.  A batch is only read by
 * evaluation: evaluators on several threads may share it. */
typedef struct ptrules_batch ptrules_batch;

/* An empty batch for rules r (retained); NULL when out of memory. */
PTRULES_API ptrules_batch *ptrules_batch_new(ptrules_rules *r);
PTRULES_API void ptrules_batch_free(ptrules_batch *b);
/* Pack a copy of cart c (built or from a reader) at the end of b: its
 * index is the count before the call.  PTRULES_EINVALID, and nothing
 * added, for a cart that cannot be packed: one with errors, without an
 * order date (evaluated at today's date), needing a diagnostic or
 * overflowing a sum, and every cart when the rules are not covered by
 * the fast binding (docs/library.md); evaluate those with
 * ptrules_evaluate.  PTRULES_ENOMEM when memory runs out. */
PTRULES_API ptrules_status ptrules_batch_add(ptrules_batch *b, const ptrules_cart *c);
PTRULES_API size_t ptrules_batch_count(const ptrules_batch *b);
/* Empty b and keep its memory for the next carts. */
PTRULES_API void ptrules_batch_clear(ptrules_batch *b);
/* Evaluate cart i of b with e (an evaluator of b's rules; PTRULES_EARG
 * otherwise or when i is out of range), with the results ptrules_evaluate
 * gives for the cart it was packed from.  Results are read the same way;
 * they point into b, so keep b while reading them.  ptrules_format_* with
 * c NULL label the output with the packed cart's id. */
PTRULES_API ptrules_status ptrules_evaluate_packed(ptrules_eval *e, const ptrules_batch *b, size_t i);

#define PTRULES_MAX_REASONS 4

/* What one program concluded about the last evaluated cart. */
typedef struct ptrules_result {
	const char *id, *name;
	int linked;
	const char *tier;              /* tier label, or NULL */
	int redeem_usable;
	int64_t redeem_max_points, redeem_value_yen;
	const char *redeem_reasons[PTRULES_MAX_REASONS];
	int redeem_nreasons;
	int64_t earn_points, earn_basis_yen;
	const char *earn_granted;      /* e.g. "shipment", or NULL */
	const char *earn_reasons[PTRULES_MAX_REASONS];
	int earn_nreasons;
	int runtime_error;             /* 1 when a rule failed at run time */
	const char *error_file;        /* where, when runtime_error */
	int error_line;
	/* Where each reason comes from (file and line of the rule). */
	const char *redeem_reason_files[PTRULES_MAX_REASONS];
	int redeem_reason_lines[PTRULES_MAX_REASONS];
	const char *earn_reason_files[PTRULES_MAX_REASONS];
	int earn_reason_lines[PTRULES_MAX_REASONS];
	/* One point's value in yen, exactly num/den (0/1 when no redeem
	 * value applies to this cart). */
	int64_t point_value_num, point_value_den;
	/* The cart's `use` record for this program: points intended, the yen
	 * they pay, and whether the rules allow it (ptrules_order_get and
	 * ptrules_problem_get say why not). */
	int64_t use_points, use_value_yen;
	int use_valid;
} ptrules_result;

PTRULES_API size_t ptrules_result_count(const ptrules_eval *e);
PTRULES_API ptrules_status ptrules_result_get(const ptrules_eval *e, size_t i, ptrules_result *out);
/* The amounts of ptrules_result_get alone, without strings, reasons or
 * source lines: for a checkout path that needs only the numbers (the
 * same values, for about a tenth of the work). */
typedef struct ptrules_amounts {
	int linked, redeem_usable, use_valid, runtime_error;
	int64_t redeem_max_points, redeem_value_yen;
	int64_t earn_points, earn_basis_yen;
	int64_t point_value_num, point_value_den;
	int64_t use_points, use_value_yen;
} ptrules_amounts;
PTRULES_API ptrules_status ptrules_amounts_get(const ptrules_eval *e, size_t i, ptrules_amounts *out);
/* Every program's amounts at once: out[i] for programs 0 .. n-1 (or as
 * many as there are), as ptrules_amounts_get gives them; returns the
 * number of programs (0 when there are no results). */
PTRULES_API size_t ptrules_amounts_list(const ptrules_eval *e, ptrules_amounts *out, size_t n);
/* Evaluate carts from .. from+n-1 of batch b with e, as
 * ptrules_evaluate_packed does one by one, and write each cart's
 * amounts as ptrules_amounts_list gives them: cart from+k's program p at
 * out[k * stride + p], for the first min(stride, program count)
 * programs.  The batch job's loop in one call.  PTRULES_ERUNTIME when a
 * rule failed at run time on some cart (every cart is still evaluated;
 * runtime_error says which); PTRULES_EARG, nothing written, when e is
 * not an evaluator of b's rules, the range is not within b, or n is not
 * 0 and out is NULL or stride 0.  Afterwards e's results describe the
 * range's last cart, as after ptrules_evaluate_packed (none when n is
 * 0). */
PTRULES_API ptrules_status ptrules_evaluate_range(ptrules_eval *e, const ptrules_batch *b, size_t from, size_t n,
						  ptrules_amounts *out, size_t stride);
/* The order as a whole: what its `use` records pay and whether every
 * program's rules and every policy allow them. */
typedef struct ptrules_order {
	int has_uses;                  /* the cart has `use` records */
	int valid;                     /* no problem found */
	int64_t total_yen;
	int64_t giftcard_yen;          /* use program=giftcard yen=N */
	int64_t points_yen;            /* what the intended points pay */
	int64_t pay_yen;               /* total - gift card - points, at least 0 */
	size_t nproblems;              /* ptrules_problem_get(0 .. nproblems-1) */
} ptrules_order;

/* One thing wrong with the intended use, in words a person acts on. */
typedef struct ptrules_problem {
	const char *program;           /* the program concerned, or NULL: the order */
	const char *text;
	int cart_line;                 /* the cart's `use` line, or 0 */
	const char *rule_file;         /* the rule that says so, or NULL */
	int rule_line;
} ptrules_problem;

PTRULES_API ptrules_status ptrules_order_get(const ptrules_eval *e, ptrules_order *out);
PTRULES_API ptrules_status ptrules_problem_get(const ptrules_eval *e, size_t i, ptrules_problem *out);

/* A rule part (tier row, cap, exclusion, dated version, each way of a
 * condition) and whether any evaluation with this context exercised it.
 * Rule sets loaded from .ptbc files carry no coverage points. */
typedef struct ptrules_cover {
	const char *program, *file;
	int line;
	const char *what;
	int hit;
} ptrules_cover;

PTRULES_API size_t ptrules_coverage_count(const ptrules_eval *e);
PTRULES_API ptrules_status ptrules_coverage_get(const ptrules_eval *e, size_t i, ptrules_cover *out);

/* Format the last evaluation like `ptrules eval` (JSON: one line, with a
 * final newline).  Returns the length the full text needs, excluding the
 * NUL; writes at most cap bytes including a NUL (snprintf semantics). */
PTRULES_API size_t ptrules_format_json(const ptrules_eval *e, const ptrules_cart *c, const char *label,
				       char *buf, size_t cap);
PTRULES_API size_t ptrules_format_text(const ptrules_eval *e, const ptrules_cart *c, const char *label,
				       char *buf, size_t cap);

/* ---- rule sources ------------------------------------------------------ */

/* The canonical layout of a .rules text: comments and the author's blank
 * lines kept, indentation and spacing normalised; formatting formatted
 * text changes nothing, and never changes the compiled bytecode.  *out
 * is malloc'ed (free it with free()).  PTRULES_EINVALID with diagnostics
 * when the text cannot be formatted (it does not parse). */
PTRULES_API ptrules_status ptrules_fmt(const char *text, size_t len, const char *name, char **out,
				       size_t *out_len, ptrules_diags *d);

/* ---- explain trace and payment (read by the planner, docs/plan.md) ---- */

/* One rule of the last evaluation with PTRULES_EVAL_EXPLAIN: where it is,
 * whether it ran, and the value it saw (exactly num/den, in unit). */
typedef struct ptrules_explain {
	const char *program;           /* program or policy id */
	const char *file;
	int line;
	const char *rule;              /* the statement's first line */
	const char *unit;              /* "yen", "points", "bool", ... */
	int ran;
	int64_t value_num, value_den;  /* 0/1 when it did not run */
} ptrules_explain;

/* Rules in the trace: every rule of the rule set, or 0 when the context
 * was created without PTRULES_EVAL_EXPLAIN or nothing was evaluated. */
PTRULES_API size_t ptrules_explain_count(const ptrules_eval *e);
PTRULES_API ptrules_status ptrules_explain_get(const ptrules_eval *e, size_t i, ptrules_explain *out);
/* Where the tier row program i chose in the last evaluation is written.
 * With a context made with PTRULES_EVAL_COVERAGE and used for one
 * evaluation, the row that ran; otherwise the row with that label, when
 * only one row has it (PTRULES_EINVALID when dated versions repeat it).
 * PTRULES_EARG when the program chose no tier. */
PTRULES_API ptrules_status ptrules_tier_row_get(const ptrules_eval *e, size_t i, const char **file, int *line);
/* The cart's payment: its card word, else its method word, else NULL. */
PTRULES_API const char *ptrules_cart_payment(const ptrules_cart *c);

/* ---- planning: the best way to pay for a cart (docs/plan.md) ---------- */

/* At most this many combinations of point use are evaluated per cart. */
#define PTRULES_PLAN_MAX_COMBINATIONS 4096
/* Threshold advice looks at most this many yen of added items ahead. */
#define PTRULES_PLAN_MAX_ADD_YEN 1000000
#define PTRULES_PLAN_MAX_ADVICE 16

typedef struct ptrules_plan ptrules_plan;

/* A planner for one thread; retains r.  Planning allocates. */
PTRULES_API ptrules_plan *ptrules_plan_new(ptrules_rules *r);
PTRULES_API void ptrules_plan_free(ptrules_plan *p);
/* Search the allowed combinations of point use for cart c (its program
 * `use` records are ignored, its gift card kept) and rank them; then
 * compute advice for the best.  PTRULES_EINVALID: the cart does not fit
 * the rules (diagnostics in d), or the search could not be made
 * (ptrules_plan_info's error says why: too many combinations, none
 * allowed); PTRULES_ERUNTIME: a rule failed on the cart as it is. */
PTRULES_API ptrules_status ptrules_plan_cart(ptrules_plan *p, const ptrules_cart *c, ptrules_diags *d);

typedef struct ptrules_plan_info {
	int64_t total_yen, giftcard_yen;
	const char *payment;           /* card or method word, or NULL */
	size_t combinations;           /* combinations evaluated */
	size_t allowed;                /* of them, allowed by the rules: the ranked options */
	size_t nprograms;              /* entries per option (ptrules_plan_program_get) */
	size_t nadvice;
	const char *error;             /* why there is no plan, or NULL */
	int error_line;                /* the cart line the error concerns, or 0 */
} ptrules_plan_info;

/* One ranked option (rank 0 is the best, 1 the runner-up, ...). */
typedef struct ptrules_plan_option {
	int64_t pay_yen, points_yen, giftcard_yen;
	size_t nuses;                  /* programs whose points it spends */
	int64_t earn_value_num, earn_value_den;    /* yen the earned points are worth */
	int64_t spent_value_num, spent_value_den;  /* yen the spent points are worth */
} ptrules_plan_option;

/* What one program does in one option. */
typedef struct ptrules_plan_program {
	const char *id, *name;
	int64_t use_points, use_value_yen;
	int64_t earn_points;
	const char *earn_granted;      /* e.g. "shipment", or NULL */
	int64_t point_value_num, point_value_den;
} ptrules_plan_program;

typedef enum ptrules_advice_kind {
	PTRULES_ADVICE_THRESHOLD = 0,  /* add yen of items to pass a condition */
	PTRULES_ADVICE_CAP = 1,        /* a cap is reached: more items earn no more */
	PTRULES_ADVICE_SPENDING = 2,   /* spending points lowers what is earned */
	PTRULES_ADVICE_UNUSABLE = 3,   /* a linked program's points cannot pay for this order */
	PTRULES_ADVICE_TIER = 4        /* add yen of items to reach another tier */
} ptrules_advice_kind;

typedef struct ptrules_advice {
	ptrules_advice_kind kind;
	const char *program, *name;
	const char *text;              /* in words a person acts on */
	const char *rule_file;         /* the rule it comes from */
	int rule_line;
	const char *reason;            /* the rule's reason or text */
	int64_t add_yen;               /* THRESHOLD, TIER: yen of items to add */
	int64_t points;                /* points gained (THRESHOLD, TIER) or lost (SPENDING) */
	const char *tier;              /* TIER: the tier reached, else NULL */
} ptrules_advice;

PTRULES_API ptrules_status ptrules_plan_info_get(const ptrules_plan *p, ptrules_plan_info *out);
PTRULES_API ptrules_status ptrules_plan_option_get(const ptrules_plan *p, size_t rank, ptrules_plan_option *out);
PTRULES_API ptrules_status ptrules_plan_program_get(const ptrules_plan *p, size_t rank, size_t prog,
						    ptrules_plan_program *out);
PTRULES_API ptrules_status ptrules_plan_advice_get(const ptrules_plan *p, size_t i, ptrules_advice *out);
/* Format the last plan like `ptrules plan` (snprintf semantics, as
 * ptrules_format_text; JSON is one line with a final newline). */
PTRULES_API size_t ptrules_plan_format_text(const ptrules_plan *p, const char *label, char *buf, size_t cap);
PTRULES_API size_t ptrules_plan_format_json(const ptrules_plan *p, const char *label, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif

#endif
