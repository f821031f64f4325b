/* cmd_diff_expr.c - the --fail-if language of `ptrules diff` (prefix
 * fexpr_): parsing an expression into nodes with column-exact messages,
 * resolving program names against the rule sets, and evaluating the
 * comparisons exactly against the diff totals. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptrules.h"

#include "cmd_diff.h"

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

static const char *const earn_fields[] = { "total_before", "total_after", "total_change", "carts_up",
					   "carts_down", "max_increase", "max_decrease" };
static const char *const redeem_fields[] = { "total_before_yen", "total_after_yen", "total_change_yen",
					     "carts_up", "carts_down", "max_increase_yen",
					     "max_decrease_yen" };

static const char *const op_text[] = { ">", ">=", "<", "<=", "==", "!=" };

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
int fexpr_parse(fexpr *e, const char *text)
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

/* ---- --fail-if evaluation --------------------------------------------------- */

/* The value a comparison reads, its base for percentages and its unit. */
fval fexpr_value(const diff *df, const fnode *n)
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
int fexpr_eval_cmp(const diff *df, const fnode *n)
{
	fval f = fexpr_value(df, n);
	int c;
	if (!n->percent) {
		c = f.v < n->mant ? -1 : f.v > n->mant;
	} else if (f.base == 0) {
		/* no base: the change is 0%, or infinitely large */
		c = f.v > 0 ? 1 : f.v < 0 ? -1 : (0 < n->mant ? -1 : 0 > n->mant);
	} else {
		/* v / base  vs  mant / (100 * 10^scale), with base > 0 */
		wide lhs = dnum_mul(f.v, 100 * pow10i(n->scale));
		wide rhs = dnum_mul(n->mant, f.base);
		c = dnum_cmp(lhs, rhs);
	}
	return apply_op(n->op, c);
}

/* The value of node id: and/or of its comparisons. */
int fexpr_eval(const diff *df, const fexpr *e, int id)
{
	const fnode *n = &e->n[id];
	if (n->kind == N_OR)
		return fexpr_eval(df, e, n->a) | fexpr_eval(df, e, n->b);
	if (n->kind == N_AND)
		return fexpr_eval(df, e, n->a) & fexpr_eval(df, e, n->b);
	return fexpr_eval_cmp(df, n);
}

/* The comparisons that made a true expression true: every true branch of
 * an 'or', every branch of an 'and'. */
void fexpr_witnesses(const diff *df, const fexpr *e, int id, int *out, int *nout)
{
	const fnode *n = &e->n[id];
	if (n->kind == N_CMP) {
		if (*nout < MAX_NODES)
			out[(*nout)++] = id;
		return;
	}
	if (n->kind == N_AND) {
		fexpr_witnesses(df, e, n->a, out, nout);
		fexpr_witnesses(df, e, n->b, out, nout);
		return;
	}
	if (fexpr_eval(df, e, n->a))
		fexpr_witnesses(df, e, n->a, out, nout);
	if (fexpr_eval(df, e, n->b))
		fexpr_witnesses(df, e, n->b, out, nout);
}

/* The comparisons of an expression in source order. */
void fexpr_cmps(const fexpr *e, int id, int *out, int *nout)
{
	const fnode *n = &e->n[id];
	if (n->kind == N_CMP) {
		if (*nout < MAX_NODES)
			out[(*nout)++] = id;
		return;
	}
	fexpr_cmps(e, n->a, out, nout);
	fexpr_cmps(e, n->b, out, nout);
}

/* "earn.dpoint.total_change > 2%" as written (the comparison's text). */
void fexpr_cmp_text(const fexpr *e, const fnode *n, char *buf, size_t cap)
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
void fexpr_cmp_value(const diff *df, const fnode *n, char *buf, size_t cap)
{
	fval f = fexpr_value(df, n);
	char a[40], b[40], c[40];
	int change = n->field == F_EARN_CHANGE || n->field == F_RED_CHANGE;
	if (n->percent)
		snprintf(buf, cap, "%s (%s of %s %s)",
			 dnum_pctd(a, sizeof a, f.v, f.base, change, n->scale > 2 ? 3 : 2), dnum_fmt(b, sizeof b, f.v, change),
			 dnum_fmt(c, sizeof c, f.base, 0), unit_name(f.unit, f.base));
	else
		snprintf(buf, cap, "%s %s", dnum_fmt(a, sizeof a, f.v, change), unit_name(f.unit, f.v));
}

/* Resolve the program names of every comparison; 0 with a message. */
int fexpr_resolve(fexpr *e, const diff *df)
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
