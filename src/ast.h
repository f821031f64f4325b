/* ast.h - the syntax tree of a .rules file.
 *
 * Grammar actions only build these nodes (in an arena owned by the
 * pt_parser); name resolution, unit checking and code generation are
 * passes over the tree (sema.c, gen.c). */
#ifndef PT_AST_H
#define PT_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "rat.h"

/* A source range; bison's YYLTYPE. */
typedef struct pt_loc {
	int first_line, first_column, last_line, last_column;
} pt_loc;

/* Units are the static types of the language. */
typedef enum {
	PT_U_NONE,      /* not yet known / error already reported */
	PT_U_NUM,       /* plain number, e.g. a multiplier 2.5 */
	PT_U_PCT,       /* percentage: 1% is the number 1/100 */
	PT_U_YEN,
	PT_U_POINTS,
	PT_U_BOOL,
	PT_U_DATE,
	PT_U_STR        /* words such as payment.card */
} pt_unit;

const char *pt_unit_name(pt_unit u);

typedef enum {
	PT_E_NUM, PT_E_STR, PT_E_BOOL, PT_E_DATE, PT_E_NAME,
	PT_E_BIN, PT_E_NOT, PT_E_NEG, PT_E_CALL, PT_E_IF, PT_E_AS, PT_E_IN
} pt_expr_kind;

typedef enum {
	PT_BIN_ADD, PT_BIN_SUB, PT_BIN_MUL, PT_BIN_DIV,
	PT_BIN_EQ, PT_BIN_NE, PT_BIN_LT, PT_BIN_LE, PT_BIN_GT, PT_BIN_GE,
	PT_BIN_AND, PT_BIN_OR
} pt_binop;

typedef enum { PT_F_FLOOR, PT_F_CEIL, PT_F_ROUND, PT_F_MIN, PT_F_MAX } pt_func;

typedef struct pt_expr pt_expr;
typedef struct pt_strlist {
	const char *s;
	pt_loc loc;
	struct pt_strlist *next;
} pt_strlist;

/* How sema resolved a name (filled in by sema.c). */
typedef enum {
	PT_R_NONE, PT_R_INPUT, PT_R_LOCAL, PT_R_ELIGIBLE
} pt_ref_kind;

struct pt_expr {   /* laid out without holes: 1,000 programs hold ~38,000 of them */
	pt_expr_kind kind;
	pt_loc loc;
	/* literals */
	pt_unit lit_unit;      /* NUM: unit written after the number */
	pt_rat num;            /* NUM value; BOOL 0/1; DATE day number */
	const char *str;       /* STR text; NAME dotted path "account.prime" */
	/* operators */
	pt_binop op;
	pt_func fn;
	pt_expr *a, *b, *c;    /* operands; CALL args a,b; IF c?a:b */
	pt_unit as_unit;       /* AS target */
	pt_ref_kind ref;       /* filled in by sema, as are unit, slot and integral */
	pt_strlist *list;      /* IN list */
	pt_unit unit;
	int slot;              /* input index or local slot */
	bool integral;         /* value is known to be a whole number */
};

typedef enum {
	PT_S_LET, PT_S_ADD, PT_S_REQUIRE, PT_S_WHEN, PT_S_BASIS,
	PT_S_VALUE, PT_S_GRANTED, PT_S_CAP
} pt_stmt_kind;

typedef struct pt_stmt pt_stmt;
struct pt_stmt {
	pt_stmt_kind kind;
	pt_loc loc;
	const char *name;      /* LET name; GRANTED word */
	pt_loc name_loc;
	pt_expr *e;            /* LET/ADD/BASIS value, REQUIRE/WHEN condition,
				  VALUE yen per point, CAP limit */
	pt_expr *cap;          /* optional cap on LET/ADD */
	const char *reason;    /* REQUIRE else / cap else / CAP else */
	pt_loc reason_loc;
	int32_t from, until;   /* WHEN dates (INT32_MIN/INT32_MAX when open) */
	bool has_from, has_until;
	pt_stmt *body;         /* WHEN */
	pt_stmt *next;
	int slot;              /* LET: local slot (sema) */
};

typedef struct pt_field {
	const char *name;
	pt_loc loc;
	pt_expr *e;
	struct pt_field *next;
} pt_field;

typedef struct pt_tier_row {
	const char *label;
	pt_loc loc;
	pt_expr *threshold;    /* NULL for `otherwise` */
	pt_field *fields;
	struct pt_tier_row *next;
} pt_tier_row;

typedef enum {
	PT_D_NAME, PT_D_VALID, PT_D_INPUT, PT_D_EXCLUDE, PT_D_REDEEM,
	PT_D_EARN, PT_D_TIERS, PT_D_CHECK
} pt_decl_kind;

typedef struct pt_decl pt_decl;
struct pt_decl {
	pt_decl_kind kind;
	pt_loc loc;
	const char *name;      /* NAME text; INPUT path; TIERS table name */
	pt_loc name_loc;
	const char *key;       /* TIERS key path */
	pt_loc key_loc;
	pt_unit type;          /* INPUT */
	pt_expr *dflt;         /* INPUT default, may be NULL */
	pt_strlist *list;      /* EXCLUDE categories */
	pt_stmt *body;         /* REDEEM/EARN/CHECK */
	pt_tier_row *rows;     /* TIERS */
	int32_t from, until;
	bool has_from, has_until;
	pt_decl *next;
};

typedef struct pt_prog_ast {
	const char *id;
	pt_loc loc, id_loc;
	int file;              /* index into the compile's file list */
	pt_decl *decls;
	bool policy;           /* `policy ID { ... }`: order-level checks */
	struct pt_prog_ast *next;
} pt_prog_ast;

/* Parser state shared by lexer and grammar actions (see grammar/). */
typedef struct pt_parser {
	pt_arena *arena;       /* owns every node */
	pt_diags *diags;
	const pt_src *src;
	int file;              /* file index stored in each program */
	pt_prog_ast *progs;    /* result, in source order */
	pt_prog_ast **tail;
	bool oom;              /* an allocation failed; result is unusable */
	bool too_deep;         /* nesting limit hit: further syntax errors are noise */
	int depth;             /* open parentheses, bounded by PT_MAX_NESTING */
	pt_expr spare_e;       /* written instead of a node when out of memory */
	pt_stmt spare_s;
	pt_decl spare_d;
	/* The lexer's keyword index, built on first use: per first byte of
	 * a keyword, 1 + its index in the keyword table, chained by kw_next. */
	bool kw_ready;
	unsigned char kw_head[128];
	unsigned char kw_next[96];
	/* The scanner's memory (lexer.l's yyalloc): flex's only way out of a
	 * failed allocation is exit(), so when malloc fails the few small
	 * blocks a scanner needs come from scan_spare and the parse fails with
	 * "out of memory" instead. */
	max_align_t scan_spare[16];
	size_t scan_spare_used;
	bool scan_oom;              /* a scanner allocation failed */
	const char *scan_fatal;     /* flex's fatal error, if one was raised */
	int scan_fail_from;         /* tests: scanner allocations from this (1-based) on fail */
	int scan_nallocs;
} pt_parser;

#define PT_MAX_NESTING 200
#define PT_DATE_MIN INT32_MIN
#define PT_DATE_MAX INT32_MAX

/* Parse src into p->progs; false when any error was reported. */
bool pt_parse(pt_parser *p);

/* Constructors used by grammar actions. */
pt_expr *pt_expr_new(pt_parser *p, pt_expr_kind k, pt_loc loc);
pt_stmt *pt_stmt_new(pt_parser *p, pt_stmt_kind k, pt_loc loc);
pt_decl *pt_decl_new(pt_parser *p, pt_decl_kind k, pt_loc loc);
/* Report a located error through the parser's diagnostics. */
void pt_parse_error(pt_parser *p, pt_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
