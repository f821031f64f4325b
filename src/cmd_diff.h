/* cmd_diff.h - what the parts of `ptrules diff` share: the totals the
 * comparison accumulates (cmd_diff.c, the driver), the --fail-if
 * expressions (cmd_diff_expr.c, prefix fexpr_), the exact arithmetic and
 * number formatting (cmd_diff_num.c, prefix dnum_) and the reports
 * (cmd_diff_report.c, prefix dreport_).  CLI code: public API only. */
#ifndef PT_CMD_DIFF_H
#define PT_CMD_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "ptrules.h"

/* ---- cmd_diff_num.c: exact integer helpers ------------------------------- */

/* A signed 128-bit value as sign and magnitude. */
typedef struct wide {
	int neg;
	uint64_t hi, lo;
} wide;

uint64_t dnum_mag(int64_t a);                       /* |a| */
wide dnum_mul(int64_t a, int64_t b);                /* a * b exactly */
int dnum_cmp(wide a, wide b);                       /* -1, 0, 1 */
/* part / whole x mult rounded half away from zero; *ok = 0 when there is
 * no finite value or it does not fit. */
int64_t dnum_ratio(int64_t part, int64_t whole, int64_t mult, int *ok);
int64_t dnum_bp(int64_t part, int64_t whole, int *ok);  /* basis points */
/* n with thousands commas ('+' for positives when plus); returns buf. */
const char *dnum_fmt(char *buf, size_t cap, int64_t n, int plus);
/* part / whole as "+5.30%" with 2 or 3 decimals, "n/a" when undefined. */
const char *dnum_pctd(char *buf, size_t cap, int64_t part, int64_t whole, int plus, int decimals);
const char *dnum_pct(char *buf, size_t cap, int64_t part, int64_t whole, int plus);  /* 2 decimals */

/* ---- cmd_diff.c: the comparison's totals ---------------------------------- */

#define NBUCKETS 7                 /* histogram of per-cart earn changes */
#define LABEL_MAX 256
#define MAX_TOP 100
#define MAX_ERR_LIST 20
#define MAX_SHOWN_DIAGS 50

typedef struct totals {
	int64_t before, after, up, down, max_inc, max_dec;
} totals;

typedef struct prog {
	const char *id, *name;
	int old_i, new_i;          /* index in each rule set, -1 when absent */
	int64_t changed;
	totals earn, redeem;
	int64_t hist[NBUCKETS];
} prog;

typedef struct top {
	char label[LABEL_MAX];
	size_t prog;
	int64_t before, after, change;
} top;

typedef struct errent {
	char label[LABEL_MAX];
	const char *under;
} errent;

typedef struct diff {
	ptrules_eval *eo, *en;
	prog *progs;
	size_t nprogs;
	int64_t carts, changed, errors, files;
	int topn;
	top earn_top[MAX_TOP], redeem_top[MAX_TOP];
	int n_earn_top, n_redeem_top;
	errent errs[MAX_ERR_LIST];
	int nerrs;
	int overflow;
	ptrules_diags *dold, *dnew;
	size_t diags_shown, diags_hidden;
} diff;

/* ---- cmd_diff_expr.c: the --fail-if language ------------------------------ */

enum { F_CARTS, F_CHANGED, F_ERRORS, F_PROG_CHANGED,
       F_EARN_BEFORE, F_EARN_AFTER, F_EARN_CHANGE, F_EARN_UP, F_EARN_DOWN, F_EARN_MAXINC, F_EARN_MAXDEC,
       F_RED_BEFORE, F_RED_AFTER, F_RED_CHANGE, F_RED_UP, F_RED_DOWN, F_RED_MAXINC, F_RED_MAXDEC };

enum { OP_GT, OP_GE, OP_LT, OP_LE, OP_EQ, OP_NE };

enum { N_OR, N_AND, N_CMP };

typedef struct fnode {
	int kind;
	int a, b;                  /* children (N_OR, N_AND) */
	int field, prog;           /* N_CMP: F_* and the program index (after resolving) */
	int op;
	int64_t mant;              /* the literal is mant / 10^scale (a percentage when percent) */
	int scale, percent;
	int start, end;            /* the comparison's text, [start, end) */
	int pstart, pend;          /* the program name inside the field, or 0, 0 */
} fnode;

#define MAX_NODES 256
#define TCELL 320                  /* one report cell, also a comparison's text */

typedef struct fexpr {
	const char *text;
	fnode n[MAX_NODES];
	int nn, root;
	/* parsing */
	int pos;
	int err;                   /* a message was printed */
} fexpr;

/* A field's value, with the base a percentage is relative to. */
typedef struct fval {
	int64_t v, base;
	int has_base;
	const char *unit;          /* "points", "yen" or "carts" */
} fval;

int fexpr_parse(fexpr *e, const char *text);        /* 0 after a message */
int fexpr_resolve(fexpr *e, const diff *df);        /* program names; 0 after a message */
fval fexpr_value(const diff *df, const fnode *n);   /* a comparison's field */
int fexpr_eval_cmp(const diff *df, const fnode *n); /* one comparison, exactly */
int fexpr_eval(const diff *df, const fexpr *e, int id);
/* The comparisons that made a true expression true / all of them. */
void fexpr_witnesses(const diff *df, const fexpr *e, int id, int *out, int *nout);
void fexpr_cmps(const fexpr *e, int id, int *out, int *nout);
void fexpr_cmp_text(const fexpr *e, const fnode *n, char *buf, size_t cap);
void fexpr_cmp_value(const diff *df, const fnode *n, char *buf, size_t cap);

/* ---- cmd_diff_report.c: the reports ---------------------------------------- */

/* What the command was asked: the paths and the --fail-if expressions. */
typedef struct run {
	const char **old_paths, **new_paths;
	int nold, nnew;
	fexpr *exprs;
	int nexprs;
	int json;
} run;

/* The report on stdout; results[i] is the value of ru->exprs[i]. */
void dreport_text(const diff *df, const run *ru, const int *results);
void dreport_json(const diff *df, const run *ru, const int *results);

#endif
