/* cmd_diff.c - `ptrules diff`: what a rule change does to a corpus of carts.
 *
 *   ptrules diff --old PATH --new PATH [--format text|json] [--fail-if EXPR]
 *                [--top N] CART...
 *
 * Every cart is evaluated under both rule sets.  The report gives the
 * number of carts, the carts whose results changed (any field of any
 * program), per program the earned points and redeemable yen before and
 * after, the largest per-cart changes and a histogram of per-cart earn
 * changes.  --fail-if turns the report into an exit code for CI.
 *
 * All arithmetic is on integers: totals are exact int64 sums (checked for
 * overflow), percentages are basis points rounded half away from zero for
 * display, and --fail-if compares percentages exactly by cross
 * multiplication in 128 bits.
 *
 * Exit codes: 0 no error and no --fail-if condition true; 1 a rules error,
 * a cart that could not be read or evaluated under either rule set, or a
 * --fail-if condition true; 2 a usage error (including a bad --fail-if
 * expression).
 *
 * Built on the public API (include/ptrules.h) and libc only. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ptrules.h"

#include "cli.h"

static const char diff_usage[] =
	"usage: ptrules diff --old PATH --new PATH [--format text|json] [--fail-if EXPR] [--top N] CART...\n"
	"  --old PATH      the rule set before the change: a .rules file, a directory\n"
	"                  of them (repeatable), or one compiled .ptbc file\n"
	"  --new PATH      the rule set after the change, likewise\n"
	"  --format F      text (the default) or json (one object)\n"
	"  --fail-if EXPR  exit 1 when EXPR holds, e.g. 'earn.dpoint.total_change < -2%'\n"
	"                  or 'changed_carts > 100' (repeatable; see docs/ci.md)\n"
	"  --top N         how many of the largest changes to list (0..100, default 10)\n"
	"  CART            a cart file, a directory (its *.txt files), or - for stdin\n";

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("ptrules diff: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	fputs(diff_usage, stderr);
	return 2;
}

/* ---- exact integer helpers ------------------------------------------------ */

/* A signed 128-bit value as sign and magnitude. */
typedef struct wide {
	int neg;
	uint64_t hi, lo;
} wide;

static uint64_t mag(int64_t a)
{
	return a < 0 ? (uint64_t)0 - (uint64_t)a : (uint64_t)a;
}

/* a * b exactly. */
static wide wide_mul(int64_t a, int64_t b)
{
	uint64_t x = mag(a), y = mag(b);
	uint64_t x0 = x & 0xFFFFFFFFu, x1 = x >> 32, y0 = y & 0xFFFFFFFFu, y1 = y >> 32;
	uint64_t p00 = x0 * y0, p01 = x0 * y1, p10 = x1 * y0, p11 = x1 * y1;
	uint64_t mid = (p00 >> 32) + (p01 & 0xFFFFFFFFu) + (p10 & 0xFFFFFFFFu);
	wide w;
	w.lo = (mid << 32) | (p00 & 0xFFFFFFFFu);
	w.hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
	w.neg = (w.hi || w.lo) && ((a < 0) != (b < 0));
	return w;
}

static int wide_cmp(wide a, wide b)
{
	if (a.neg != b.neg)
		return a.neg ? -1 : 1;
	int m = a.hi != b.hi ? (a.hi < b.hi ? -1 : 1) : a.lo != b.lo ? (a.lo < b.lo ? -1 : 1) : 0;
	return a.neg ? -m : m;
}

/* (hi:lo) / d for hi < d; the remainder in *rem. */
static uint64_t wide_div(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *rem)
{
	uint64_t q = 0, r = hi;
	for (int i = 63; i >= 0; i--) {
		uint64_t carry = r >> 63;
		r = (r << 1) | ((lo >> i) & 1);
		q <<= 1;
		if (carry || r >= d) {
			r -= d;
			q |= 1;
		}
	}
	*rem = r;
	return q;
}

/* part / whole x mult, rounded half away from zero: mult 10000 gives
 * basis points (1/100 of a percent).  0 when whole and part are 0; *ok = 0
 * when whole is 0 and part is not (no finite ratio) or the result does not
 * fit. */
static int64_t scaled_ratio(int64_t part, int64_t whole, int64_t mult, int *ok)
{
	*ok = 1;
	if (whole == 0) {
		*ok = part == 0;
		return 0;
	}
	wide p = wide_mul(part, mult);
	uint64_t w = mag(whole), rem;
	if (p.hi >= w) {
		*ok = 0;
		return 0;
	}
	uint64_t q = wide_div(p.hi, p.lo, w, &rem);
	if (rem >= w - rem)     /* rem * 2 >= w without overflow */
		q++;
	if (q > (uint64_t)INT64_MAX) {
		*ok = 0;
		return 0;
	}
	return (p.neg != (whole < 0)) ? -(int64_t)q : (int64_t)q;
}

static int64_t basis_points(int64_t part, int64_t whole, int *ok)
{
	return scaled_ratio(part, whole, 10000, ok);
}

/* n with thousands commas; a '+' for positive numbers when plus is set. */
static const char *num(char *buf, size_t cap, int64_t n, int plus)
{
	char digits[32];
	uint64_t m = mag(n);
	int len = snprintf(digits, sizeof digits, "%" PRIu64, m);
	size_t o = 0;
	if (n < 0)
		buf[o++] = '-';
	else if (plus && n > 0)
		buf[o++] = '+';
	for (int i = 0; i < len && o + 2 < cap; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

/* part / whole as a signed percentage with `decimals` decimals (2 or 3),
 * e.g. "+5.30%", "0.00%", "-12.00%"; "n/a" when there is no finite value. */
static const char *pctd(char *buf, size_t cap, int64_t part, int64_t whole, int plus, int decimals)
{
	int ok;
	int64_t unit = decimals == 3 ? 1000 : 100;
	int64_t v = scaled_ratio(part, whole, 100 * unit, &ok);
	if (!ok) {
		snprintf(buf, cap, "n/a");
		return buf;
	}
	uint64_t m = mag(v);
	snprintf(buf, cap, "%s%" PRIu64 ".%0*" PRIu64 "%%", v < 0 ? "-" : (plus && v > 0 ? "+" : ""),
		 m / (uint64_t)unit, decimals == 3 ? 3 : 2, m % (uint64_t)unit);
	return buf;
}

static const char *pct(char *buf, size_t cap, int64_t part, int64_t whole, int plus)
{
	return pctd(buf, cap, part, whole, plus, 2);
}


/* ---- the --fail-if language ------------------------------------------------
 *
 *   expr := and ('or' and)*
 *   and  := atom ('and' atom)*
 *   atom := '(' expr ')' | FIELD OP NUMBER ['%']
 *   OP   := '>' | '>=' | '<' | '<=' | '==' | '!='
 *
 * FIELD: carts, changed_carts, error_carts, earn.P.F, redeem.P.F and
 * program.P.changed_carts (see field_names below).  NUMBER: digits,
 * optionally with thousands commas and a sign; decimals only before '%'.
 * A percentage compares the field relative to its base: a total change to
 * the total before, a count of carts to all carts. */

enum { F_CARTS, F_CHANGED, F_ERRORS, F_PROG_CHANGED,
       F_EARN_BEFORE, F_EARN_AFTER, F_EARN_CHANGE, F_EARN_UP, F_EARN_DOWN, F_EARN_MAXINC, F_EARN_MAXDEC,
       F_RED_BEFORE, F_RED_AFTER, F_RED_CHANGE, F_RED_UP, F_RED_DOWN, F_RED_MAXINC, F_RED_MAXDEC };

static const char *const earn_fields[] = { "total_before", "total_after", "total_change", "carts_up",
					   "carts_down", "max_increase", "max_decrease" };
static const char *const redeem_fields[] = { "total_before_yen", "total_after_yen", "total_change_yen",
					     "carts_up", "carts_down", "max_increase_yen",
					     "max_decrease_yen" };

enum { OP_GT, OP_GE, OP_LT, OP_LE, OP_EQ, OP_NE };
static const char *const op_text[] = { ">", ">=", "<", "<=", "==", "!=" };

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

typedef struct fexpr {
	const char *text;
	fnode n[MAX_NODES];
	int nn, root;
	/* parsing */
	int pos;
	int err;                   /* a message was printed */
} fexpr;

__attribute__((format(printf, 4, 5))) static void fexpr_error(fexpr *e, int col0, int len, const char *fmt, ...)
{
	if (e->err)
		return;
	e->err = 1;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "ptrules diff: error: in --fail-if at column %d: ", col0 + 1);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n  %s\n  %*s^", e->text, col0, "");
	for (int i = 1; i < len; i++)
		fputc('~', stderr);
	fputc('\n', stderr);
	fputs("  fields: carts, changed_carts, error_carts, program.P.changed_carts,\n"
	      "          earn.P.{total_before,total_after,total_change,carts_up,carts_down,max_increase,max_decrease},\n"
	      "          redeem.P.{total_before_yen,total_after_yen,total_change_yen,carts_up,carts_down,\n"
	      "                    max_increase_yen,max_decrease_yen}\n"
	      "  e.g. 'earn.dpoint.total_change < -2% or changed_carts > 100'\n", stderr);
}

static void skip_space(fexpr *e)
{
	while (e->text[e->pos] == ' ' || e->text[e->pos] == '\t')
		e->pos++;
}

static int is_word_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_word_char(char c)
{
	return is_word_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The token at pos, for messages. */
static const char *token_text(fexpr *e, int pos, char *buf, size_t cap, int *len)
{
	const char *t = e->text + pos;
	int n = 0;
	if (!*t) {
		*len = 1;
		return "end of expression";
	}
	if (is_word_start(*t) || is_digit(*t)) {
		while (t[n] && (is_word_char(t[n]) || t[n] == ','))
			n++;
	} else {
		n = 1;
		if ((t[0] == '>' || t[0] == '<' || t[0] == '=' || t[0] == '!') && t[1] == '=')
			n = 2;
	}
	*len = n;
	snprintf(buf, cap, "'%.*s'", n, t);
	return buf;
}

static int new_node(fexpr *e, int kind, int start)
{
	if (e->nn >= MAX_NODES) {
		fexpr_error(e, start, 1, "the expression is too long (at most %d comparisons and connectives)", MAX_NODES);
		return -1;
	}
	fnode *n = &e->n[e->nn];
	memset(n, 0, sizeof *n);
	n->kind = kind;
	n->start = start;
	return e->nn++;
}

/* A keyword ('and', 'or') at pos, followed by a non-word character. */
static int at_keyword(fexpr *e, const char *kw)
{
	size_t n = strlen(kw);
	return strncmp(e->text + e->pos, kw, n) == 0 && !is_word_char(e->text[e->pos + n]);
}

static int parse_or(fexpr *e, int depth);

/* Resolve the field name text[s, t): sets field, and pstart/pend for the
 * program part.  0 with a message when unknown. */
static int parse_field(fexpr *e, int id, int s, int t)
{
	fnode *n = &e->n[id];
	char name[256];
	int len = t - s;
	if (len >= (int)sizeof name) {
		fexpr_error(e, s, len, "field name too long");
		return 0;
	}
	memcpy(name, e->text + s, (size_t)len);
	name[len] = '\0';
	if (strcmp(name, "carts") == 0) {
		n->field = F_CARTS;
		return 1;
	}
	if (strcmp(name, "changed_carts") == 0) {
		n->field = F_CHANGED;
		return 1;
	}
	if (strcmp(name, "error_carts") == 0) {
		n->field = F_ERRORS;
		return 1;
	}
	char *d1 = strchr(name, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	if (!d1 || !d2 || d2 == d1 + 1 || strchr(d2 + 1, '.')) {
		fexpr_error(e, s, len,
			    "unknown field '%s'; expected carts, changed_carts, error_carts, "
			    "earn.PROGRAM.FIELD, redeem.PROGRAM.FIELD or program.PROGRAM.changed_carts",
			    name);
		return 0;
	}
	*d1 = *d2 = '\0';
	const char *group = name, *field = d2 + 1;
	n->pstart = s + (int)(d1 + 1 - name);
	n->pend = s + (int)(d2 - name);
	int fcol = s + (int)(field - name), flen = (int)strlen(field);
	if (strcmp(group, "earn") == 0 || strcmp(group, "redeem") == 0) {
		int earn = group[0] == 'e';
		const char *const *names = earn ? earn_fields : redeem_fields;
		for (int i = 0; i < 7; i++)
			if (strcmp(field, names[i]) == 0) {
				n->field = (earn ? F_EARN_BEFORE : F_RED_BEFORE) + i;
				return 1;
			}
		fexpr_error(e, fcol, flen ? flen : 1,
			    earn ? "unknown earn field '%s'; expected total_before, total_after, total_change, "
				   "carts_up, carts_down, max_increase or max_decrease"
				 : "unknown redeem field '%s'; expected total_before_yen, total_after_yen, "
				   "total_change_yen, carts_up, carts_down, max_increase_yen or max_decrease_yen",
			    field);
		return 0;
	}
	if (strcmp(group, "program") == 0) {
		if (strcmp(field, "changed_carts") == 0) {
			n->field = F_PROG_CHANGED;
			return 1;
		}
		fexpr_error(e, fcol, flen ? flen : 1, "unknown program field '%s'; expected changed_carts", field);
		return 0;
	}
	fexpr_error(e, s, (int)strlen(group), "unknown group '%s'; expected earn, redeem or program", group);
	return 0;
}

/* Whether a percentage makes sense for the field (it has a base). */
static int has_base(int field)
{
	switch (field) {
	case F_CHANGED: case F_ERRORS: case F_PROG_CHANGED: case F_EARN_CHANGE: case F_EARN_UP:
	case F_EARN_DOWN: case F_RED_CHANGE: case F_RED_UP: case F_RED_DOWN:
		return 1;
	default:
		return 0;
	}
}

/* NUMBER ['%'] at pos into node id. */
static int parse_number(fexpr *e, int id, int op_pos)
{
	fnode *n = &e->n[id];
	skip_space(e);
	int s = e->pos, p = s, neg = 0;
	const char *t = e->text;
	if (t[p] == '-' || t[p] == '+') {
		neg = t[p] == '-';
		p++;
	}
	if (!is_digit(t[p])) {
		char buf[80];
		int len;
		const char *found = token_text(e, s, buf, sizeof buf, &len);
		fexpr_error(e, s, len, "expected a number after '%s', found %s", op_text[n->op], found);
		return 0;
	}
	int64_t m = 0;
	int digits = 0, group = 0, commas = 0, scale = 0;
	int num_start = p;
	for (;;) {
		if (is_digit(t[p])) {
			if (++digits > 15) {
				fexpr_error(e, s, p - s + 1, "too many digits in this number (at most 15)");
				return 0;
			}
			m = m * 10 + (t[p] - '0');
			group++;
			p++;
		} else if (t[p] == ',' && is_digit(t[p + 1])) {
			if ((commas == 0 && group > 3) || (commas > 0 && group != 3) || group == 0)
				break;
			commas++;
			group = 0;
			p++;
		} else {
			break;
		}
	}
	if (commas && group != 3) {
		fexpr_error(e, num_start, p - num_start,
			    "misplaced comma in this number; group digits in threes, e.g. 1,000");
		return 0;
	}
	if (t[p] == '.') {
		int q = p + 1;
		if (!is_digit(t[q])) {
			fexpr_error(e, p, 1, "expected digits after the decimal point");
			return 0;
		}
		while (is_digit(t[q])) {
			if (++scale > 3 || ++digits > 15) {
				fexpr_error(e, s, q - s + 1,
					    "too many digits in this number (at most 3 decimals, 15 digits)");
				return 0;
			}
			m = m * 10 + (t[q] - '0');
			q++;
		}
		p = q;
	}
	if (is_word_char(t[p]) || t[p] == ',') {
		int q = p;
		while (t[q] && (is_word_char(t[q]) || t[q] == ','))
			q++;
		fexpr_error(e, p, q - p, "unexpected '%.*s' after the number", q - p, t + p);
		return 0;
	}
	n->mant = neg ? -m : m;
	n->scale = scale;
	int numend = p;
	e->pos = p;
	skip_space(e);
	if (t[e->pos] == '%') {
		n->percent = 1;
		e->pos++;
		numend = e->pos;
		if (!has_base(n->field)) {
			char name[256];
			snprintf(name, sizeof name, "%.*s", op_pos - n->start, t + n->start);
			while (name[0] && name[strlen(name) - 1] == ' ')
				name[strlen(name) - 1] = '\0';
			fexpr_error(e, numend - 1, 1,
				    "a percentage needs a field with a base (total_change, total_change_yen or a "
				    "count of carts); '%s' has none",
				    name);
			return 0;
		}
	} else if (scale) {
		fexpr_error(e, s, numend - s,
			    "'%.*s' is not a whole number; only percentages may have decimals (e.g. 2.5%%)",
			    numend - s, t + s);
		return 0;
	}
	n->end = numend;
	return 1;
}

static int parse_atom(fexpr *e, int depth)
{
	skip_space(e);
	const char *t = e->text;
	int s = e->pos;
	if (t[s] == '(') {
		if (depth > 32) {
			fexpr_error(e, s, 1, "parentheses nested too deeply");
			return -1;
		}
		e->pos++;
		int id = parse_or(e, depth + 1);
		if (id < 0)
			return -1;
		skip_space(e);
		if (t[e->pos] != ')') {
			char buf[80];
			int len;
			const char *found = token_text(e, e->pos, buf, sizeof buf, &len);
			fexpr_error(e, e->pos, len, "expected ')' to close the '(' at column %d, found %s", s + 1, found);
			return -1;
		}
		e->pos++;
		return id;
	}
	if (!is_word_start(t[s])) {
		char buf[80];
		int len;
		const char *found = token_text(e, s, buf, sizeof buf, &len);
		fexpr_error(e, s, len, "expected a field name such as changed_carts or earn.dpoint.total_change, found %s",
			    found);
		return -1;
	}
	int p = s;
	while (is_word_char(t[p]))
		p++;
	int id = new_node(e, N_CMP, s);
	if (id < 0 || !parse_field(e, id, s, p))
		return -1;
	e->pos = p;
	skip_space(e);
	int op = -1, o = e->pos;
	if (t[o] == '>')
		op = t[o + 1] == '=' ? OP_GE : OP_GT;
	else if (t[o] == '<')
		op = t[o + 1] == '=' ? OP_LE : OP_LT;
	else if (t[o] == '=' && t[o + 1] == '=')
		op = OP_EQ;
	else if (t[o] == '!' && t[o + 1] == '=')
		op = OP_NE;
	if (op < 0) {
		char buf[80], name[256];
		int len;
		const char *found = token_text(e, o, buf, sizeof buf, &len);
		snprintf(name, sizeof name, "%.*s", p - s, t + s);
		if (t[o] == '=')
			fexpr_error(e, o, 1, "expected a comparison (>, >=, <, <=, ==, !=) after '%s', found '='; "
					     "write == to compare", name);
		else
			fexpr_error(e, o, len, "expected a comparison (>, >=, <, <=, ==, !=) after '%s', found %s",
				    name, found);
		return -1;
	}
	e->n[id].op = op;
	e->pos = o + (int)strlen(op_text[op]);
	if (!parse_number(e, id, o))
		return -1;
	return id;
}

static int parse_and(fexpr *e, int depth)
{
	int left = parse_atom(e, depth);
	for (;;) {
		if (left < 0)
			return -1;
		skip_space(e);
		if (!at_keyword(e, "and"))
			return left;
		int s = e->pos;
		e->pos += 3;
		int right = parse_atom(e, depth);
		if (right < 0)
			return -1;
		int id = new_node(e, N_AND, s);
		if (id < 0)
			return -1;
		e->n[id].a = left;
		e->n[id].b = right;
		left = id;
	}
}

static int parse_or(fexpr *e, int depth)
{
	int left = parse_and(e, depth);
	for (;;) {
		if (left < 0)
			return -1;
		skip_space(e);
		if (!at_keyword(e, "or"))
			return left;
		int s = e->pos;
		e->pos += 2;
		int right = parse_and(e, depth);
		if (right < 0)
			return -1;
		int id = new_node(e, N_OR, s);
		if (id < 0)
			return -1;
		e->n[id].a = left;
		e->n[id].b = right;
		left = id;
	}
}

/* Parse text into e; 0 with a message printed on error. */
static int fexpr_parse(fexpr *e, const char *text)
{
	memset(e, 0, sizeof *e);
	e->text = text;
	for (const char *p = text; *p; p++)
		if (*p == '\n' || *p == '\r') {
			fexpr_error(e, (int)(p - text), 1, "the expression must be on one line");
			return 0;
		}
	skip_space(e);
	if (!text[e->pos]) {
		fexpr_error(e, e->pos, 1, "empty expression; expected a comparison such as 'changed_carts > 100'");
		return 0;
	}
	e->root = parse_or(e, 0);
	if (e->root < 0)
		return 0;
	skip_space(e);
	if (text[e->pos]) {
		char buf[80];
		int len;
		const char *found = token_text(e, e->pos, buf, sizeof buf, &len);
		if (text[e->pos] == ')')
			fexpr_error(e, e->pos, 1, "unmatched ')'");
		else
			fexpr_error(e, e->pos, len, "expected 'and', 'or' or the end of the expression, found %s",
				    found);
		return 0;
	}
	return 1;
}

/* ---- the comparison ------------------------------------------------------- */

#define NBUCKETS 7
static const char *const bucket_label[NBUCKETS] = { "< -100", "-100..-11", "-10..-1", "0",
						    "1..10", "11..100", "> 100" };
static const char *const bucket_min[NBUCKETS] = { "null", "-100", "-10", "0", "1", "11", "101" };
static const char *const bucket_max[NBUCKETS] = { "-101", "-11", "-1", "0", "10", "100", "null" };

static int bucket_of(int64_t change)
{
	if (change < -100)
		return 0;
	if (change <= -11)
		return 1;
	if (change <= -1)
		return 2;
	if (change == 0)
		return 3;
	if (change <= 10)
		return 4;
	if (change <= 100)
		return 5;
	return 6;
}

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

#define LABEL_MAX 256

typedef struct top {
	char label[LABEL_MAX];
	size_t prog;
	int64_t before, after, change;
} top;

typedef struct errent {
	char label[LABEL_MAX];
	const char *under;
} errent;

#define MAX_TOP 100
#define MAX_ERR_LIST 20
#define MAX_SHOWN_DIAGS 50

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

static void add(diff *df, int64_t *acc, int64_t v)
{
	if (__builtin_add_overflow(*acc, v, acc))
		df->overflow = 1;
}

/* The label `ptrules eval` gives a cart, truncated at a character
 * boundary. */
static void cart_label(char *buf, const ptrules_cart *c, const ptrules_reader *r, const char *name)
{
	int idx = ptrules_reader_index(r);
	if (ptrules_cart_id(c))
		snprintf(buf, LABEL_MAX, "%s", ptrules_cart_id(c));
	else if (ptrules_reader_has_cart_lines(r) || idx > 1)
		snprintf(buf, LABEL_MAX, "%s#%d", name, idx);
	else
		snprintf(buf, LABEL_MAX, "%s", name);
	/* cut at a character boundary when the label did not fit */
	size_t n = strlen(buf);
	if (n == LABEL_MAX - 1) {
		size_t lead = n;
		while (lead > 0 && ((unsigned char)buf[lead - 1] & 0xC0) == 0x80)
			lead--;
		if (lead > 0 && ((unsigned char)buf[lead - 1] & 0x80)) {
			unsigned char b = (unsigned char)buf[lead - 1];
			size_t need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
			if (n - (lead - 1) < need)
				buf[lead - 1] = '\0';
		}
	}
}

static void record_error(diff *df, const char *label, const char *under)
{
	df->errors++;
	if (df->nerrs < MAX_ERR_LIST) {
		snprintf(df->errs[df->nerrs].label, LABEL_MAX, "%s", label);
		df->errs[df->nerrs].under = under;
		df->nerrs++;
	}
}

/* Insert into a top list sorted by |change| descending; ties keep the
 * corpus order. */
static void top_insert(top *list, int *n, int cap, const char *label, size_t p, int64_t before, int64_t after,
		       int64_t change)
{
	uint64_t m = mag(change);
	if (cap == 0 || change == 0 || (*n == cap && m <= mag(list[*n - 1].change)))
		return;
	int i = *n < cap ? (*n)++ : cap - 1;
	while (i > 0 && mag(list[i - 1].change) < m) {
		list[i] = list[i - 1];
		i--;
	}
	snprintf(list[i].label, LABEL_MAX, "%s", label);
	list[i].prog = p;
	list[i].before = before;
	list[i].after = after;
	list[i].change = change;
}

static int same_str(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static int same_result(const ptrules_result *a, const ptrules_result *b)
{
	if (a->linked != b->linked || !same_str(a->name, b->name) || !same_str(a->tier, b->tier) ||
	    a->redeem_usable != b->redeem_usable || a->redeem_max_points != b->redeem_max_points ||
	    a->redeem_value_yen != b->redeem_value_yen || a->redeem_nreasons != b->redeem_nreasons ||
	    a->earn_points != b->earn_points || a->earn_basis_yen != b->earn_basis_yen ||
	    !same_str(a->earn_granted, b->earn_granted) || a->earn_nreasons != b->earn_nreasons ||
	    a->runtime_error != b->runtime_error)
		return 0;
	for (int i = 0; i < a->redeem_nreasons && i < PTRULES_MAX_REASONS; i++)
		if (!same_str(a->redeem_reasons[i], b->redeem_reasons[i]))
			return 0;
	for (int i = 0; i < a->earn_nreasons && i < PTRULES_MAX_REASONS; i++)
		if (!same_str(a->earn_reasons[i], b->earn_reasons[i]))
			return 0;
	return 1;
}

/* Whether every diagnostic of b is also in a (same place and message). */
static int diags_within(const ptrules_diags *a, const ptrules_diags *b)
{
	size_t na = ptrules_diags_count(a), nb = ptrules_diags_count(b);
	for (size_t j = 0; j < nb; j++) {
		ptrules_diag y;
		ptrules_diags_get(b, j, &y);
		int found = 0;
		for (size_t i = 0; i < na && !found; i++) {
			ptrules_diag x;
			ptrules_diags_get(a, i, &x);
			found = x.severity == y.severity && x.line == y.line && x.col == y.col &&
				same_str(x.message, y.message) && same_str(x.file, y.file);
		}
		if (!found)
			return 0;
	}
	return 1;
}

static void show_diags(diff *df, const ptrules_diags *d, const char *heading)
{
	size_t n = ptrules_diags_count(d);
	if (!n)
		return;
	if (df->diags_shown >= MAX_SHOWN_DIAGS) {
		df->diags_hidden += n;
		return;
	}
	if (heading)
		fprintf(stderr, "ptrules diff: %s\n", heading);
	ptrules_diags_print(d, stderr);
	df->diags_shown += n;
}

/* A rule that failed at run time: name it. */
static void show_runtime(diff *df, const ptrules_eval *e, const char *label, const char *side)
{
	size_t n = ptrules_result_count(e);
	for (size_t i = 0; i < n; i++) {
		ptrules_result r;
		if (ptrules_result_get(e, i, &r) != PTRULES_OK || !r.runtime_error)
			continue;
		if (df->diags_shown >= MAX_SHOWN_DIAGS) {
			df->diags_hidden++;
			continue;
		}
		df->diags_shown++;
		fprintf(stderr, "%s:%d: error: cart %s: program %s failed at run time under the %s rules\n",
			r.error_file ? r.error_file : "?", r.error_line, label, r.id, side);
	}
}

/* Compare the results of one cart evaluated under both rule sets. */
static void compare_cart(diff *df, const char *label)
{
	int cart_changed = 0;
	for (size_t p = 0; p < df->nprogs; p++) {
		prog *pg = &df->progs[p];
		ptrules_result ro, rn;
		int ho = pg->old_i >= 0 && ptrules_result_get(df->eo, (size_t)pg->old_i, &ro) == PTRULES_OK;
		int hn = pg->new_i >= 0 && ptrules_result_get(df->en, (size_t)pg->new_i, &rn) == PTRULES_OK;
		int64_t eb = ho ? ro.earn_points : 0, ea = hn ? rn.earn_points : 0;
		int64_t yb = ho ? ro.redeem_value_yen : 0, ya = hn ? rn.redeem_value_yen : 0;
		int changed = ho != hn || (ho && hn && !same_result(&ro, &rn));
		if (changed) {
			pg->changed++;
			cart_changed = 1;
		}
		int64_t de, dy;
		if (__builtin_sub_overflow(ea, eb, &de) || __builtin_sub_overflow(ya, yb, &dy)) {
			df->overflow = 1;
			continue;
		}
		add(df, &pg->earn.before, eb);
		add(df, &pg->earn.after, ea);
		add(df, &pg->redeem.before, yb);
		add(df, &pg->redeem.after, ya);
		pg->hist[bucket_of(de)]++;
		if (de > 0) {
			pg->earn.up++;
			if (de > pg->earn.max_inc)
				pg->earn.max_inc = de;
		} else if (de < 0) {
			pg->earn.down++;
			if (-de > pg->earn.max_dec)
				pg->earn.max_dec = -de;
		}
		if (dy > 0) {
			pg->redeem.up++;
			if (dy > pg->redeem.max_inc)
				pg->redeem.max_inc = dy;
		} else if (dy < 0) {
			pg->redeem.down++;
			if (-dy > pg->redeem.max_dec)
				pg->redeem.max_dec = -dy;
		}
		top_insert(df->earn_top, &df->n_earn_top, df->topn, label, p, eb, ea, de);
		top_insert(df->redeem_top, &df->n_redeem_top, df->topn, label, p, yb, ya, dy);
	}
	if (cart_changed)
		df->changed++;
}

/* Evaluate and compare every cart of one file; 0 if the file could not be
 * read. */
static int diff_file(diff *df, const char *path)
{
	size_t len;
	char *text = cli_read_file(path, &len);
	df->files++;
	if (!text)
		return 0;
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	ptrules_reader *r = ptrules_reader_new(text, len, name);
	if (!r) {
		fputs("ptrules diff: out of memory\n", stderr);
		free(text);
		return 0;
	}
	const ptrules_cart *c;
	char label[LABEL_MAX];
	while (ptrules_reader_next(r, &c, df->dold)) {
		df->carts++;
		cart_label(label, c, r, name);
		if (ptrules_cart_errors(c)) {
			show_diags(df, df->dold, NULL);
			ptrules_diags_clear(df->dold);
			record_error(df, label, "cart");
			continue;
		}
		ptrules_status so = ptrules_evaluate(df->eo, c, df->dold);
		ptrules_status sn = ptrules_evaluate(df->en, c, df->dnew);
		if (diags_within(df->dold, df->dnew) && diags_within(df->dnew, df->dold)) {
			show_diags(df, df->dold, NULL);
		} else {
			char h[LABEL_MAX + 64];
			snprintf(h, sizeof h, "cart %s under the old rules:", label);
			show_diags(df, df->dold, h);
			snprintf(h, sizeof h, "cart %s under the new rules:", label);
			show_diags(df, df->dnew, h);
		}
		ptrules_diags_clear(df->dold);
		ptrules_diags_clear(df->dnew);
		if (so == PTRULES_ERUNTIME)
			show_runtime(df, df->eo, label, "old");
		if (sn == PTRULES_ERUNTIME)
			show_runtime(df, df->en, label, "new");
		if (so != PTRULES_OK || sn != PTRULES_OK) {
			record_error(df, label, so != PTRULES_OK && sn != PTRULES_OK ? "both" : so != PTRULES_OK ? "old" : "new");
			continue;
		}
		compare_cart(df, label);
	}
	/* problems after the last cart (none today, but the reader may report) */
	show_diags(df, df->dold, NULL);
	ptrules_diags_clear(df->dold);
	ptrules_reader_free(r);
	free(text);
	return 1;
}

/* ---- --fail-if evaluation --------------------------------------------------- */

typedef struct fval {
	int64_t v, base;
	int has_base;
	const char *unit;          /* "points", "yen" or "carts" */
} fval;

static fval field_value(const diff *df, const fnode *n)
{
	fval f = { 0, 0, 0, "carts" };
	const prog *p = n->prog >= 0 && (size_t)n->prog < df->nprogs ? &df->progs[n->prog] : NULL;
	switch (n->field) {
	case F_CARTS: f.v = df->carts; break;
	case F_CHANGED: f.v = df->changed; break;
	case F_ERRORS: f.v = df->errors; break;
	case F_PROG_CHANGED: f.v = p->changed; break;
	case F_EARN_BEFORE: f.v = p->earn.before; break;
	case F_EARN_AFTER: f.v = p->earn.after; break;
	case F_EARN_CHANGE: f.v = p->earn.after - p->earn.before; break;
	case F_EARN_UP: f.v = p->earn.up; break;
	case F_EARN_DOWN: f.v = p->earn.down; break;
	case F_EARN_MAXINC: f.v = p->earn.max_inc; break;
	case F_EARN_MAXDEC: f.v = p->earn.max_dec; break;
	case F_RED_BEFORE: f.v = p->redeem.before; break;
	case F_RED_AFTER: f.v = p->redeem.after; break;
	case F_RED_CHANGE: f.v = p->redeem.after - p->redeem.before; break;
	case F_RED_UP: f.v = p->redeem.up; break;
	case F_RED_DOWN: f.v = p->redeem.down; break;
	case F_RED_MAXINC: f.v = p->redeem.max_inc; break;
	case F_RED_MAXDEC: f.v = p->redeem.max_dec; break;
	}
	if (n->field == F_EARN_CHANGE) {
		f.base = p->earn.before;
		f.has_base = 1;
	} else if (n->field == F_RED_CHANGE) {
		f.base = p->redeem.before;
		f.has_base = 1;
	} else if (has_base(n->field)) {
		f.base = df->carts;
		f.has_base = 1;
	}
	if (n->field >= F_EARN_BEFORE && n->field <= F_EARN_MAXDEC && n->field != F_EARN_UP &&
	    n->field != F_EARN_DOWN)
		f.unit = "points";
	if (n->field >= F_RED_BEFORE && n->field <= F_RED_MAXDEC && n->field != F_RED_UP &&
	    n->field != F_RED_DOWN)
		f.unit = "yen";
	return f;
}

static int apply_op(int op, int c)
{
	switch (op) {
	case OP_GT: return c > 0;
	case OP_GE: return c >= 0;
	case OP_LT: return c < 0;
	case OP_LE: return c <= 0;
	case OP_EQ: return c == 0;
	default: return c != 0;
	}
}

static int64_t pow10i(int k)
{
	int64_t p = 1;
	while (k-- > 0)
		p *= 10;
	return p;
}

/* One comparison, exactly. */
static int eval_cmp(const diff *df, const fnode *n)
{
	fval f = field_value(df, n);
	int c;
	if (!n->percent) {
		c = f.v < n->mant ? -1 : f.v > n->mant;
	} else if (f.base == 0) {
		/* no base: the change is 0%, or infinitely large */
		c = f.v > 0 ? 1 : f.v < 0 ? -1 : (0 < n->mant ? -1 : 0 > n->mant);
	} else {
		/* v / base  vs  mant / (100 * 10^scale), with base > 0 */
		wide lhs = wide_mul(f.v, 100 * pow10i(n->scale));
		wide rhs = wide_mul(n->mant, f.base);
		c = wide_cmp(lhs, rhs);
	}
	return apply_op(n->op, c);
}

static int eval_node(const diff *df, const fexpr *e, int id)
{
	const fnode *n = &e->n[id];
	if (n->kind == N_OR)
		return eval_node(df, e, n->a) | eval_node(df, e, n->b);
	if (n->kind == N_AND)
		return eval_node(df, e, n->a) & eval_node(df, e, n->b);
	return eval_cmp(df, n);
}

/* The comparisons that made a true expression true: every true branch of
 * an 'or', every branch of an 'and'. */
static void witnesses(const diff *df, const fexpr *e, int id, int *out, int *nout)
{
	const fnode *n = &e->n[id];
	if (n->kind == N_CMP) {
		if (*nout < MAX_NODES)
			out[(*nout)++] = id;
		return;
	}
	if (n->kind == N_AND) {
		witnesses(df, e, n->a, out, nout);
		witnesses(df, e, n->b, out, nout);
		return;
	}
	if (eval_node(df, e, n->a))
		witnesses(df, e, n->a, out, nout);
	if (eval_node(df, e, n->b))
		witnesses(df, e, n->b, out, nout);
}

/* The comparisons of an expression in source order. */
static void all_cmps(const fexpr *e, int id, int *out, int *nout)
{
	const fnode *n = &e->n[id];
	if (n->kind == N_CMP) {
		if (*nout < MAX_NODES)
			out[(*nout)++] = id;
		return;
	}
	all_cmps(e, n->a, out, nout);
	all_cmps(e, n->b, out, nout);
}

/* "earn.dpoint.total_change > 2%" as written (the comparison's text). */
static void cmp_text(const fexpr *e, const fnode *n, char *buf, size_t cap)
{
	snprintf(buf, cap, "%.*s", n->end - n->start, e->text + n->start);
}

/* "points"/"point", "carts"/"cart", "yen" for the amount n. */
static const char *unit_name(const char *unit, int64_t n)
{
	if (n != 1 && n != -1)
		return unit;
	return strcmp(unit, "points") == 0 ? "point" : strcmp(unit, "carts") == 0 ? "cart" : unit;
}

/* The field's value as the comparison sees it, e.g. "+3.41% (+1,234 of
 * 36,200 points)" or "412". */
static void cmp_value(const diff *df, const fnode *n, char *buf, size_t cap)
{
	fval f = field_value(df, n);
	char a[40], b[40], c[40];
	int change = n->field == F_EARN_CHANGE || n->field == F_RED_CHANGE;
	if (n->percent)
		snprintf(buf, cap, "%s (%s of %s %s)",
			 pctd(a, sizeof a, f.v, f.base, change, n->scale > 2 ? 3 : 2), num(b, sizeof b, f.v, change),
			 num(c, sizeof c, f.base, 0), unit_name(f.unit, f.base));
	else
		snprintf(buf, cap, "%s %s", num(a, sizeof a, f.v, change), unit_name(f.unit, f.v));
}

/* Resolve the program names of every comparison; 0 with a message. */
static int fexpr_resolve(fexpr *e, const diff *df)
{
	for (int i = 0; i < e->nn; i++) {
		fnode *n = &e->n[i];
		n->prog = -1;
		if (n->kind != N_CMP || n->pend == n->pstart)
			continue;
		for (size_t p = 0; p < df->nprogs; p++)
			if ((int)strlen(df->progs[p].id) == n->pend - n->pstart &&
			    strncmp(df->progs[p].id, e->text + n->pstart, (size_t)(n->pend - n->pstart)) == 0)
				n->prog = (int)p;
		if (n->prog < 0) {
			char name[256], list[1024];
			size_t o = 0;
			list[0] = '\0';
			for (size_t p = 0; p < df->nprogs && o + 2 < sizeof list; p++)
				o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", p ? ", " : "", df->progs[p].id);
			if (o >= sizeof list)
				o = sizeof list - 1;
			snprintf(name, sizeof name, "%.*s", n->pend - n->pstart, e->text + n->pstart);
			fexpr_error(e, n->pstart, n->pend - n->pstart,
				    "no program '%s' in the old or the new rules; they have %s", name,
				    df->nprogs ? list : "no programs");
			return 0;
		}
	}
	return 1;
}

/* ---- output ------------------------------------------------------------------ */

/* A small table: cells of text, the first column left-aligned, the others
 * right-aligned, two spaces apart. */
#define TCELL 320
#define TCOLS 8

typedef struct table {
	int ncols, nrows, cap;
	char (*cell)[TCOLS][TCELL];
	int left[TCOLS];
} table;

static int table_init(table *t, int ncols, int rows)
{
	t->ncols = ncols;
	t->nrows = 0;
	t->cap = rows;
	t->cell = calloc((size_t)rows, sizeof *t->cell);
	memset(t->left, 0, sizeof t->left);
	t->left[0] = 1;
	return t->cell != NULL;
}

static char *table_row(table *t)
{
	return t->nrows < t->cap ? t->cell[t->nrows++][0] : NULL;
}

static void table_set(table *t, int col, const char *s)
{
	snprintf(t->cell[t->nrows - 1][col], TCELL, "%s", s);
}

/* Display width: one column per UTF-8 character. */
static int width(const char *s)
{
	int w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

static void table_print(table *t, FILE *out)
{
	int w[TCOLS] = { 0 };
	for (int r = 0; r < t->nrows; r++)
		for (int c = 0; c < t->ncols; c++)
			if (width(t->cell[r][c]) > w[c])
				w[c] = width(t->cell[r][c]);
	for (int r = 0; r < t->nrows; r++) {
		fputs("  ", out);
		int pad = 0;
		for (int c = 0; c < t->ncols; c++) {
			const char *s = t->cell[r][c];
			int sw = width(s);
			if (c > 0)
				pad += 2;
			if (!t->left[c])
				pad += w[c] - sw;
			/* trailing blanks never printed: pad lazily */
			if (*s) {
				fprintf(out, "%*s%s", pad, "", s);
				pad = 0;
			}
			if (t->left[c])
				pad += w[c] - sw;
		}
		fputc('\n', out);
	}
	free(t->cell);
	t->cell = NULL;
}

static void print_paths(FILE *out, const char *const *paths, int n)
{
	for (int i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? ", " : "", paths[i]);
}

typedef struct run {
	const char **old_paths, **new_paths;
	int nold, nnew;
	fexpr *exprs;
	int nexprs;
	int json;
} run;

static void text_totals(const diff *df, int earn)
{
	table t;
	char a[40], b[40], c[40], d[40];
	if (!table_init(&t, 7, (int)df->nprogs + 1))
		return;
	printf("%s\n", earn ? "earned points" : "redeemable yen");
	table_row(&t);
	table_set(&t, 0, "program");
	table_set(&t, 1, "before");
	table_set(&t, 2, "after");
	table_set(&t, 3, "change");
	table_set(&t, 4, "%");
	table_set(&t, 5, "carts up");
	table_set(&t, 6, "down");
	for (size_t p = 0; p < df->nprogs; p++) {
		const prog *pg = &df->progs[p];
		const totals *x = earn ? &pg->earn : &pg->redeem;
		table_row(&t);
		table_set(&t, 0, pg->id);
		table_set(&t, 1, num(a, sizeof a, x->before, 0));
		table_set(&t, 2, num(b, sizeof b, x->after, 0));
		table_set(&t, 3, num(c, sizeof c, x->after - x->before, 1));
		table_set(&t, 4, pct(d, sizeof d, x->after - x->before, x->before, 1));
		table_set(&t, 5, num(a, sizeof a, x->up, 0));
		table_set(&t, 6, num(b, sizeof b, x->down, 0));
	}
	table_print(&t, stdout);
	putchar('\n');
}

static void text_top(const diff *df, const top *list, int n, int earn)
{
	int64_t with = 0;
	for (size_t p = 0; p < df->nprogs; p++)
		with += earn ? df->progs[p].earn.up + df->progs[p].earn.down
			     : df->progs[p].redeem.up + df->progs[p].redeem.down;
	if (n == 0) {
		printf("largest %s changes: none\n\n", earn ? "earn" : "redeem");
		return;
	}
	char a[40], b[40], c[40];
	printf("largest %s changes (top %d of %s, by |%s change|)\n", earn ? "earn" : "redeem", n,
	       num(a, sizeof a, with, 0), earn ? "points" : "yen");
	table t;
	if (!table_init(&t, 5, n + 1))
		return;
	table_row(&t);
	table_set(&t, 0, "cart");
	table_set(&t, 1, "program");
	table_set(&t, 2, "before");
	table_set(&t, 3, "after");
	table_set(&t, 4, "change");
	t.left[1] = 1;
	for (int i = 0; i < n; i++) {
		table_row(&t);
		table_set(&t, 0, list[i].label);
		table_set(&t, 1, df->progs[list[i].prog].id);
		table_set(&t, 2, num(a, sizeof a, list[i].before, 0));
		table_set(&t, 3, num(b, sizeof b, list[i].after, 0));
		table_set(&t, 4, num(c, sizeof c, list[i].change, 1));
	}
	table_print(&t, stdout);
	putchar('\n');
}

static void text_hist(const diff *df)
{
	for (size_t p = 0; p < df->nprogs; p++) {
		const prog *pg = &df->progs[p];
		if (!pg->earn.before && !pg->earn.after && !pg->earn.up && !pg->earn.down)
			continue;
		printf("earn change per cart: %s (points)\n", pg->id);
		int64_t max = 0;
		for (int b = 0; b < NBUCKETS; b++)
			if (pg->hist[b] > max)
				max = pg->hist[b];
		table t;
		if (!table_init(&t, 3, NBUCKETS))
			return;
		t.left[2] = 1;
		for (int b = 0; b < NBUCKETS; b++) {
			char a[40], bar[48];
			int64_t len = max ? pg->hist[b] * 40 / max : 0;
			if (pg->hist[b] && len == 0)
				len = 1;
			memset(bar, '#', (size_t)len);
			bar[len] = '\0';
			table_row(&t);
			table_set(&t, 0, bucket_label[b]);
			table_set(&t, 1, num(a, sizeof a, pg->hist[b], 0));
			table_set(&t, 2, bar);
		}
		table_print(&t, stdout);
		putchar('\n');
	}
}

static void text_fail_if(const diff *df, const run *ru, const int *results)
{
	for (int i = 0; i < ru->nexprs; i++) {
		const fexpr *e = &ru->exprs[i];
		printf("fail-if %s: %s\n", e->text, results[i] ? "true" : "false");
		int ids[MAX_NODES], n = 0;
		all_cmps(e, e->root, ids, &n);
		table t;
		if (!table_init(&t, 3, n))
			return;
		t.left[1] = t.left[2] = 1;
		for (int k = 0; k < n; k++) {
			char s[TCELL], v[TCELL];
			cmp_text(e, &e->n[ids[k]], s, sizeof s);
			cmp_value(df, &e->n[ids[k]], v, sizeof v);
			table_row(&t);
			table_set(&t, 0, s);
			table_set(&t, 1, eval_cmp(df, &e->n[ids[k]]) ? "true" : "false");
			table_set(&t, 2, v);
		}
		table_print(&t, stdout);
		putchar('\n');
	}
}

static void report_text(const diff *df, const run *ru, const int *results)
{
	char a[40], b[40], c[40], d[40], e[40];
	printf("ptrules diff: old ");
	print_paths(stdout, ru->old_paths, ru->nold);
	printf(", new ");
	print_paths(stdout, ru->new_paths, ru->nnew);
	printf("\ncarts: %s in %s file%s; changed: %s (%s); errors: %s\n\n", num(a, sizeof a, df->carts, 0),
	       num(b, sizeof b, df->files, 0), df->files == 1 ? "" : "s", num(c, sizeof c, df->changed, 0),
	       pct(d, sizeof d, df->changed, df->carts, 0), num(e, sizeof e, df->errors, 0));
	if (df->nprogs) {
		printf("changed carts per program:");
		for (size_t p = 0; p < df->nprogs; p++) {
			const prog *pg = &df->progs[p];
			printf(" %s %s%s%s", pg->id, num(a, sizeof a, pg->changed, 0),
			       pg->old_i < 0 ? " (new program)" : pg->new_i < 0 ? " (removed)" : "",
			       p + 1 < df->nprogs ? "," : "");
		}
		printf("\n\n");
	}
	text_totals(df, 1);
	text_totals(df, 0);
	if (df->topn > 0)
		text_top(df, df->earn_top, df->n_earn_top, 1);
	if (df->topn > 0 && df->n_redeem_top)
		text_top(df, df->redeem_top, df->n_redeem_top, 0);
	text_hist(df);
	if (df->errors) {
		printf("carts with errors (%s):", num(a, sizeof a, df->errors, 0));
		for (int i = 0; i < df->nerrs; i++)
			printf(" %s (%s)%s", df->errs[i].label,
			       strcmp(df->errs[i].under, "cart") == 0 ? "cart" :
			       strcmp(df->errs[i].under, "both") == 0 ? "old and new rules" :
			       strcmp(df->errs[i].under, "old") == 0 ? "old rules" : "new rules",
			       i + 1 < df->nerrs ? "," : "");
		if (df->errors > df->nerrs)
			printf(" and %s more", num(a, sizeof a, df->errors - df->nerrs, 0));
		printf("\n\n");
	}
	text_fail_if(df, ru, results);
}

static void json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p == '\t')
			fputs("\\t", out);
		else if (*p < 0x20 || *p == 0x7F)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static void json_paths(FILE *out, const char *const *paths, int n)
{
	fputc('[', out);
	for (int i = 0; i < n; i++) {
		if (i)
			fputc(',', out);
		json_str(out, paths[i]);
	}
	fputc(']', out);
}

static void json_bp(FILE *out, int64_t part, int64_t whole)
{
	int ok;
	int64_t bp = basis_points(part, whole, &ok);
	if (ok)
		fprintf(out, "%" PRId64, bp);
	else
		fputs("null", out);
}

static void json_totals(FILE *out, const totals *x, int earn)
{
	const char *y = earn ? "" : "_yen";
	fprintf(out, "\"total_before%s\":%" PRId64 ",\"total_after%s\":%" PRId64 ",\"total_change%s\":%" PRId64
		",\"total_change_bp\":",
		y, x->before, y, x->after, y, x->after - x->before);
	json_bp(out, x->after - x->before, x->before);
	fprintf(out, ",\"carts_up\":%" PRId64 ",\"carts_down\":%" PRId64 ",\"max_increase%s\":%" PRId64
		",\"max_decrease%s\":%" PRId64,
		x->up, x->down, y, x->max_inc, y, x->max_dec);
}

static void json_top(FILE *out, const diff *df, const top *list, int n, int earn)
{
	const char *y = earn ? "" : "_yen";
	fputc('[', out);
	for (int i = 0; i < n; i++) {
		fputs(i ? ",{\"cart\":" : "{\"cart\":", out);
		json_str(out, list[i].label);
		fputs(",\"program\":", out);
		json_str(out, df->progs[list[i].prog].id);
		fprintf(out, ",\"before%s\":%" PRId64 ",\"after%s\":%" PRId64 ",\"change%s\":%" PRId64 "}", y,
			list[i].before, y, list[i].after, y, list[i].change);
	}
	fputc(']', out);
}

static void report_json(const diff *df, const run *ru, const int *results)
{
	FILE *out = stdout;
	fputs("{\"old\":", out);
	json_paths(out, ru->old_paths, ru->nold);
	fputs(",\"new\":", out);
	json_paths(out, ru->new_paths, ru->nnew);
	fprintf(out, ",\"files\":%" PRId64 ",\"carts\":%" PRId64 ",\"changed_carts\":%" PRId64
		",\"error_carts\":%" PRId64 ",\"programs\":[",
		df->files, df->carts, df->changed, df->errors);
	for (size_t p = 0; p < df->nprogs; p++) {
		const prog *pg = &df->progs[p];
		fputs(p ? ",{\"id\":" : "{\"id\":", out);
		json_str(out, pg->id);
		fputs(",\"name\":", out);
		json_str(out, pg->name);
		fprintf(out, ",\"in_old\":%s,\"in_new\":%s,\"changed_carts\":%" PRId64 ",\"earn\":{",
			pg->old_i >= 0 ? "true" : "false", pg->new_i >= 0 ? "true" : "false", pg->changed);
		json_totals(out, &pg->earn, 1);
		fputs(",\"histogram\":[", out);
		for (int b = 0; b < NBUCKETS; b++) {
			fprintf(out, "%s{\"range\":", b ? "," : "");
			json_str(out, bucket_label[b]);
			fprintf(out, ",\"min\":%s,\"max\":%s,\"carts\":%" PRId64 "}", bucket_min[b], bucket_max[b],
				pg->hist[b]);
		}
		fputs("]},\"redeem\":{", out);
		json_totals(out, &pg->redeem, 0);
		fputs("}}", out);
	}
	fputs("],\"largest_earn_changes\":", out);
	json_top(out, df, df->earn_top, df->n_earn_top, 1);
	fputs(",\"largest_redeem_changes\":", out);
	json_top(out, df, df->redeem_top, df->n_redeem_top, 0);
	fputs(",\"errors\":[", out);
	for (int i = 0; i < df->nerrs; i++) {
		fputs(i ? ",{\"cart\":" : "{\"cart\":", out);
		json_str(out, df->errs[i].label);
		fputs(",\"under\":", out);
		json_str(out, df->errs[i].under);
		fputc('}', out);
	}
	fputs("],\"fail_if\":[", out);
	for (int i = 0; i < ru->nexprs; i++) {
		const fexpr *e = &ru->exprs[i];
		fputs(i ? ",{\"expression\":" : "{\"expression\":", out);
		json_str(out, e->text);
		fprintf(out, ",\"result\":%s,\"comparisons\":[", results[i] ? "true" : "false");
		int ids[MAX_NODES], n = 0;
		all_cmps(e, e->root, ids, &n);
		for (int k = 0; k < n; k++) {
			const fnode *c = &e->n[ids[k]];
			char s[TCELL];
			fval f = field_value(df, c);
			cmp_text(e, c, s, sizeof s);
			fputs(k ? ",{\"text\":" : "{\"text\":", out);
			json_str(out, s);
			fprintf(out, ",\"result\":%s,\"value\":%" PRId64, eval_cmp(df, c) ? "true" : "false", f.v);
			if (c->percent) {
				fprintf(out, ",\"base\":%" PRId64 ",\"value_bp\":", f.base);
				json_bp(out, f.v, f.base);
			}
			fputc('}', out);
		}
		fputs("]}", out);
	}
	fputs("]}\n", out);
}

/* ---- the command ------------------------------------------------------------- */

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The *.txt files of a directory, sorted, appended to *list. */
static int list_dir(const char *dir, char ***list, int *n, int *cap)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "%s: error: cannot open: %s\n", dir, strerror(errno));
		return 0;
	}
	int first = *n;
	struct dirent *ent;
	while ((ent = readdir(d))) {
		size_t len = strlen(ent->d_name);
		if (ent->d_name[0] == '.' || len < 5 || strcmp(ent->d_name + len - 4, ".txt") != 0)
			continue;
		if (*n == *cap) {
			int nc = *cap ? *cap * 2 : 16;
			char **nl = realloc(*list, (size_t)nc * sizeof **list);
			if (!nl)
				break;
			*list = nl;
			*cap = nc;
		}
		size_t dl = strlen(dir);
		char *p = malloc(dl + len + 2);
		if (!p)
			break;
		snprintf(p, dl + len + 2, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", ent->d_name);
		(*list)[(*n)++] = p;
	}
	closedir(d);
	qsort(*list + first, (size_t)(*n - first), sizeof **list, str_cmp);
	return 1;
}

/* Load one side's rule set; NULL with diagnostics printed. */
static ptrules_rules *load_side(const char *side, const char **paths, int n)
{
	ptrules_diags *d = ptrules_diags_new();
	ptrules_rules *r = NULL;
	if (!d) {
		fputs("ptrules diff: out of memory\n", stderr);
		return NULL;
	}
	ptrules_status st;
	if (n == 1 && ptrules_is_bytecode_file(paths[0]))
		st = ptrules_load_bytecode_file(&r, paths[0], d);
	else
		st = ptrules_load_paths(&r, paths, (size_t)n, d);
	if (ptrules_diags_count(d) || st != PTRULES_OK) {
		if (st != PTRULES_OK)
			fprintf(stderr, "ptrules diff: the %s rules cannot be loaded:\n", side);
		ptrules_diags_print(d, stderr);
		size_t e = ptrules_diags_errors(d), w = ptrules_diags_warnings(d);
		if (e && w)
			fprintf(stderr, "%zu error%s and %zu warning%s generated.\n", e, e == 1 ? "" : "s", w,
				w == 1 ? "" : "s");
		else if (e)
			fprintf(stderr, "%zu error%s generated.\n", e, e == 1 ? "" : "s");
		else if (w)
			fprintf(stderr, "%zu warning%s generated.\n", w, w == 1 ? "" : "s");
		if (st != PTRULES_OK && !e)
			fprintf(stderr, "ptrules diff: error: %s\n", ptrules_strerror(st));
	}
	ptrules_diags_free(d);
	return st == PTRULES_OK ? r : NULL;
}

/* The union of both rule sets' programs: the old ones in order, then the
 * ones only the new rules have. */
static int build_programs(diff *df, ptrules_rules *ro, ptrules_rules *rn)
{
	size_t no = ptrules_program_count(ro), nn = ptrules_program_count(rn);
	df->progs = calloc(no + nn + 1, sizeof *df->progs);
	if (!df->progs)
		return 0;
	for (size_t i = 0; i < no; i++) {
		prog *p = &df->progs[df->nprogs++];
		p->id = ptrules_program_id(ro, i);
		p->name = ptrules_program_name(ro, i);
		p->old_i = (int)i;
		p->new_i = -1;
	}
	for (size_t j = 0; j < nn; j++) {
		const char *id = ptrules_program_id(rn, j);
		size_t i;
		for (i = 0; i < df->nprogs; i++)
			if (strcmp(df->progs[i].id, id) == 0)
				break;
		if (i == df->nprogs) {
			prog *p = &df->progs[df->nprogs++];
			p->id = id;
			p->name = ptrules_program_name(rn, j);
			p->old_i = -1;
		}
		df->progs[i].new_i = (int)j;
	}
	return 1;
}

int cmd_diff(int argc, char **argv)
{
	const char **old_paths = calloc((size_t)argc + 1, sizeof *old_paths);
	const char **new_paths = calloc((size_t)argc + 1, sizeof *new_paths);
	const char **texts = calloc((size_t)argc + 1, sizeof *texts);
	const char **carts = calloc((size_t)argc + 1, sizeof *carts);
	fexpr *exprs = NULL;
	char **files = NULL;
	int nold = 0, nnew = 0, ntexts = 0, ncarts = 0, nfiles = 0, capfiles = 0, json = 0, topn = 10;
	int rc = 0, dashdash = 0;
	ptrules_rules *ro = NULL, *rn = NULL;
	diff *df = NULL;
	int *results = NULL;
	if (!old_paths || !new_paths || !texts || !carts) {
		fputs("ptrules diff: out of memory\n", stderr);
		rc = 1;
		goto done;
	}
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (dashdash || a[0] != '-' || a[1] == '\0') {
			carts[ncarts++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			dashdash = 1;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(diff_usage, stdout);
			goto done;
		}
		static const char *const opts[] = { "--old", "--new", "--format", "--fail-if", "--top" };
		int k = -1;
		const char *v = NULL;
		for (int j = 0; j < 5 && k < 0; j++) {
			size_t n = strlen(opts[j]);
			if (strncmp(a, opts[j], n) == 0 && (a[n] == '\0' || a[n] == '=')) {
				k = j;
				v = a[n] == '=' ? a + n + 1 : (i + 1 < argc ? argv[++i] : NULL);
			}
		}
		if (k < 0) {
			rc = usage_error("unknown option '%s'", a);
			goto done;
		}
		if (!v || (!*v && k != 3)) {
			rc = usage_error("%s needs a value", opts[k]);
			goto done;
		}
		switch (k) {
		case 0: old_paths[nold++] = v; break;
		case 1: new_paths[nnew++] = v; break;
		case 2:
			if (strcmp(v, "text") == 0)
				json = 0;
			else if (strcmp(v, "json") == 0)
				json = 1;
			else {
				rc = usage_error("--format must be text or json, found '%s'", v);
				goto done;
			}
			break;
		case 3: texts[ntexts++] = v; break;
		default: {
			char *end;
			errno = 0;
			long t = strtol(v, &end, 10);
			if (*end || errno || t < 0 || t > MAX_TOP || !(v[0] >= '0' && v[0] <= '9')) {
				rc = usage_error("--top must be a number from 0 to 100, found '%s'", v);
				goto done;
			}
			topn = (int)t;
		}
		}
	}
	if (!nold || !nnew) {
		rc = usage_error(!nold ? "diff needs --old PATH (the rules before the change)%s"
				       : "diff needs --new PATH (the rules after the change)%s", "");
		goto done;
	}
	for (int side = 0; side < 2; side++) {
		const char **paths = side ? new_paths : old_paths;
		int n = side ? nnew : nold;
		for (int i = 0; n > 1 && i < n; i++)
			if (ptrules_is_bytecode_file(paths[i])) {
				rc = usage_error("a compiled .ptbc file must be the only path of its side: '%s'",
						 paths[i]);
				goto done;
			}
	}
	if (!ncarts) {
		rc = usage_error("diff needs at least one cart file or directory (- for stdin)%s", "");
		goto done;
	}
	exprs = calloc((size_t)ntexts + 1, sizeof *exprs);
	results = calloc((size_t)ntexts + 1, sizeof *results);
	if (!exprs || !results) {
		fputs("ptrules diff: out of memory\n", stderr);
		rc = 1;
		goto done;
	}
	for (int i = 0; i < ntexts; i++)
		if (!fexpr_parse(&exprs[i], texts[i])) {
			rc = 2;
			goto done;
		}

	/* Expand directories into their *.txt files. */
	for (int i = 0; i < ncarts; i++) {
		struct stat st;
		if (strcmp(carts[i], "-") != 0 && stat(carts[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (!list_dir(carts[i], &files, &nfiles, &capfiles))
				rc = 1;
			continue;
		}
		if (nfiles == capfiles) {
			int nc = capfiles ? capfiles * 2 : 16;
			char **nl = realloc(files, (size_t)nc * sizeof *files);
			if (!nl) {
				fputs("ptrules diff: out of memory\n", stderr);
				rc = 1;
				goto done;
			}
			files = nl;
			capfiles = nc;
		}
		files[nfiles] = malloc(strlen(carts[i]) + 1);
		if (!files[nfiles]) {
			rc = 1;
			goto done;
		}
		strcpy(files[nfiles++], carts[i]);
	}

	ro = load_side("old", old_paths, nold);
	rn = load_side("new", new_paths, nnew);
	if (!ro || !rn) {
		rc = 1;
		goto done;
	}
	df = calloc(1, sizeof *df);
	if (!df || !build_programs(df, ro, rn)) {
		fputs("ptrules diff: out of memory\n", stderr);
		rc = 1;
		goto done;
	}
	for (int i = 0; i < ntexts; i++)
		if (!fexpr_resolve(&exprs[i], df)) {
			rc = 2;
			goto done;
		}
	df->topn = topn;
	df->eo = ptrules_eval_new(ro, 0);
	df->en = ptrules_eval_new(rn, 0);
	df->dold = ptrules_diags_new();
	df->dnew = ptrules_diags_new();
	if (!df->eo || !df->en || !df->dold || !df->dnew) {
		fputs("ptrules diff: out of memory\n", stderr);
		rc = 1;
		goto done;
	}
	for (int i = 0; i < nfiles; i++)
		if (!diff_file(df, files[i]))
			rc = 1;
	if (df->diags_hidden)
		fprintf(stderr, "ptrules diff: %zu more diagnostic%s not shown\n", df->diags_hidden,
			df->diags_hidden == 1 ? "" : "s");
	if (df->overflow) {
		fputs("ptrules diff: error: a total does not fit in 64 bits; the report is not exact\n", stderr);
		rc = 1;
	}
	if (df->errors) {
		fprintf(stderr, "ptrules diff: %" PRId64 " cart%s could not be compared\n", df->errors,
			df->errors == 1 ? "" : "s");
		rc = 1;
	}

	int fired = 0;
	for (int i = 0; i < ntexts; i++) {
		results[i] = eval_node(df, &exprs[i], exprs[i].root);
		fired |= results[i];
	}
	run ru = { old_paths, new_paths, nold, nnew, exprs, ntexts, json };
	if (json)
		report_json(df, &ru, results);
	else
		report_text(df, &ru, results);
	fflush(stdout);
	for (int i = 0; i < ntexts; i++) {
		if (!results[i])
			continue;
		int ids[MAX_NODES], n = 0;
		witnesses(df, &exprs[i], exprs[i].root, ids, &n);
		for (int k = 0; k < n; k++) {
			char s[TCELL], v[TCELL];
			cmp_text(&exprs[i], &exprs[i].n[ids[k]], s, sizeof s);
			cmp_value(df, &exprs[i].n[ids[k]], v, sizeof v);
			fprintf(stderr, "ptrules diff: --fail-if: %s is true: %s\n", s, v);
		}
	}
	if (fired)
		rc = 1;
	if (ferror(stdout)) {
		fprintf(stderr, "ptrules diff: cannot write the report: %s\n", strerror(errno));
		rc = 1;
	}

done:
	if (df) {
		ptrules_eval_free(df->eo);
		ptrules_eval_free(df->en);
		ptrules_diags_free(df->dold);
		ptrules_diags_free(df->dnew);
		free(df->progs);
		free(df);
	}
	ptrules_release(ro);
	ptrules_release(rn);
	for (int i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	free(exprs);
	free(results);
	free(old_paths);
	free(new_paths);
	free(texts);
	free(carts);
	return rc;
}
