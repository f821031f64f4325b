/* cc.h - state shared by the compiler passes (compile.c, sema.c, gen.c).
 *
 * The driver parses every source into one AST arena, gathers each
 * program's declarations into a pt_prog_info, then runs sema (names and
 * units) and gen (bytecode) per program.  Builders are growable arrays;
 * at the end everything is copied into the rule set's own arena. */
#ifndef PT_CC_H
#define PT_CC_H

#include "ast.h"
#include "rules.h"

/* A tier table: every dated version of `tiers NAME by KEY`. */
typedef struct pt_tier_info {
	const char *name;
	pt_decl *versions[16];
	int nversions;
	int key_input;              /* input slot of the key */
	pt_unit key_unit;
	const char *fields[16];     /* field names, from the first row */
	pt_unit units[16];
	bool integral[16];
	int slots[16];              /* local slot per field */
	int nfields;
	bool used_redeem, used_earn;
} pt_tier_info;

/* A name visible in the current scope. */
typedef struct pt_binding {
	const char *name;
	int slot;
	pt_unit unit;
	bool integral;
} pt_binding;

typedef enum { PT_SEC_NONE, PT_SEC_REDEEM, PT_SEC_EARN, PT_SEC_POLICY } pt_section;

typedef struct pt_prog_info {
	pt_prog_ast *ast;
	int index;
	const pt_src *src;
	pt_decl *name, *valid;
	pt_strlist *exclude;
	pt_decl *redeems[16], *earns[16];
	int nredeems, nearns;
	pt_decl *checks[16];        /* a policy's check blocks */
	int nchecks;
	pt_tier_info *tiers[8];     /* in the AST arena: inline, they made each program 5.5 KB */
	int ntiers;
	int nlocals;
	int slot_basis, slot_acc, slot_value, slot_maxp;
	pt_section sec;
	const char *granted;
	int expr_depth;             /* check_expr recursion, bounded */
	bool covered_exclusions;    /* coverage points for `exclude` emitted */
	bool locals_reported;       /* the locals limit was reported */
	bool too_deep;
} pt_prog_info;

#define PT_MAX_EXPR_DEPTH 1000
#define PT_MAX_EXCLUDES 256   /* excluded categories per program */

typedef struct pt_cc {
	pt_diags *d;
	const pt_src *srcs;
	size_t nsrcs;
	pt_arena ast;               /* AST of every source */
	pt_prog_info *progs;        /* the programs, then the policies */
	size_t nprogs;              /* programs only */
	size_t npolicies;
	/* builders */
	uint32_t *code;
	pt_line_def *lines;
	size_t ncode, capcode;
	size_t caplines;            /* the line table's room, capcode once it grew with the code */
	pt_rat *consts;
	size_t nconsts, capconsts;
	const char **strs;
	size_t nstrs, capstrs;
	pt_input_def *inputs;
	size_t ninputs, capinputs;
	pt_rule_def *rules;
	size_t nrules, caprules;
	pt_cover_def *covers;
	size_t ncovers, capcovers;
	pt_binding scope[64];       /* the let names in scope: sema checks one program at a time */
	int nscope;
	bool oom;                   /* a builder failed to grow (or a limit was reached: then limit too) */
	bool limit;                 /* a compiler limit was reached (PT_MAX_CODE, _CONSTS, _STRS) */
	bool inputs_full;           /* PT_MAX_INPUTS reached (reported once) */
	struct pt_itab {            /* interning tables (compile.c) */
		uint32_t *slot;
		uint32_t mask;
		size_t used;
	} const_tab, str_tab, input_tab;
	const pt_src *line_src;     /* source line_starts indexes */
	size_t *line_starts;
	size_t nlines;
	int cur_file;               /* file of the code being emitted */
	int cur_line;
} pt_cc;

/* compile.c: interning and emission helpers. */
int pt_cc_const(pt_cc *cc, pt_rat v);
int pt_cc_str(pt_cc *cc, const char *s);
int pt_cc_input(pt_cc *cc, pt_input_kind kind, int builtin, int prog, const char *name, pt_unit type);
int pt_cc_find_input(pt_cc *cc, pt_input_kind kind, int builtin, int prog, const char *name);  /* -1: none */
int pt_cc_rule(pt_cc *cc, const pt_prog_info *pi, pt_loc loc, pt_unit unit);
uint32_t pt_cc_emit(pt_cc *cc, int op, uint32_t arg);
void pt_cc_cover(pt_cc *cc, const pt_prog_info *pi, uint32_t pc, unsigned mask, int line, const char *what);
void pt_cc_patch(pt_cc *cc, uint32_t at, uint32_t target);
/* Report an error with its stable code (docs/diagnostics.md). */
void pt_cc_error(pt_cc *cc, const pt_prog_info *pi, pt_loc loc, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* sema.c: resolve names and check units; false on any error. */
bool pt_sema_program(pt_cc *cc, pt_prog_info *pi);
/* The yen spent on eligible items: total minus excluded categories. */
void pt_gen_eligible(pt_cc *cc, pt_prog_info *pi);
/* lint.c: warnings for a checked program; read[] collects the inputs
 * its expressions read, for pt_lint_unread after the last program. */
void pt_lint_program(pt_cc *cc, pt_prog_info *pi, bool *read);
void pt_lint_unread(pt_cc *cc, const bool *read);
/* gen.c: emit both sections of a program. */
void pt_gen_program(pt_cc *cc, pt_prog_info *pi, pt_program *out);
/* gen.c: emit a policy's check section. */
void pt_gen_policy(pt_cc *cc, pt_prog_info *pi, pt_program *out);

#endif
