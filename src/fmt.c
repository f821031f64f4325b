/* fmt.c - the canonical layout of a .rules text (`ptrules fmt`).
 *
 * The text is parsed first (pt_parse), so text that does not parse is
 * rejected with the parser's located diagnostics and never formatted.
 * The syntax tree tells where every declaration, statement and tier row
 * starts; the text is then re-tokenized (comments included) and written
 * out again token by token:
 *
 * - the author's line breaks are kept, and a line break is added before
 *   every declaration, statement, tier row and '}' and after every '{'
 *   that shares a line with something else (one statement per line); a
 *   '{' alone on a line moves up to the end of the line before it;
 * - indentation is two spaces per open '{'; a line that continues a
 *   statement (one that starts with neither a statement nor '}') gets
 *   one more level;
 * - one space between tokens, none after '(' '[' and a unary '-', none
 *   before ')' ']' ',' ':' and '%', none between floor/ceil/round/min/max
 *   and '(';
 * - comments are kept word for word (trailing blanks dropped), on their
 *   own line (indented like the code line after them, or one level
 *   deeper when that line is a '}') or at the end of a line; end-of-line
 *   comments on consecutive lines are aligned one space after the
 *   longest code of the run;
 * - blank lines are kept, at most one in a row, none at the start or end
 *   of the file, after a '{' or before a '}'; lines end in LF (CRLF is
 *   normalised) and the text ends in one newline.
 *
 * Only the whitespace between tokens changes: the tokens themselves are
 * the same, in the same order, so the compiled bytecode is the same
 * (apart from line numbers).  As a safety net the result is
 * re-tokenized and compared with the input before it is returned. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define PTRULES_BUILDING 1
#include "ptrules.h"

#include "api.h"

#include "ast.h"
#include "diag.h"
#include "rules.h"


/* ---- tokens ----------------------------------------------------------- */

typedef enum {
	FT_COMMENT, FT_STRING, FT_NUMBER, FT_DATE, FT_WORD, FT_PATH, FT_PUNCT, FT_BAD
} ftok_kind;

typedef struct ftok {
	ftok_kind kind;
	const char *s;
	size_t n;              /* comments: without trailing blanks */
	int line, col;         /* 1-based; col counts bytes, as the lexer does */
	int nl_before;         /* newlines between the previous token and this one */
	bool start;            /* a program, declaration, statement or tier row starts here */
	bool unary;            /* a '-' that negates */
} ftok;

typedef struct ftoks {
	ftok *v;
	size_t n, cap;
} ftoks;

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_id0(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
static bool is_id(char c) { return is_id0(c) || is_digit(c); }

static bool push(ftoks *t, ftok k)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		ftok *v = realloc(t->v, cap * sizeof *v);
		if (!v)
			return false;
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n++] = k;
	return true;
}

/* Length of an identifier at s[i..n), 0 if none. */
static size_t id_len(const char *s, size_t i, size_t n)
{
	size_t j = i;
	if (j < n && is_id0(s[j]))
		for (j++; j < n && is_id(s[j]); j++)
			;
	return j - i;
}

/* A scanner over a text: the position and what has been passed. */
typedef struct scan {
	const char *s;
	size_t n, i;
	size_t bol;            /* offset of the current line's first byte */
	int line;
} scan;

/* The next token of the text the way grammar/lexer.l splits it (longest
 * match), comments included; false at the end.  Text that the lexer
 * rejects gives FT_BAD tokens (the formatter only sees text that parsed). */
static bool next_token(scan *sc, ftok *k)
{
	const char *s = sc->s;
	size_t n = sc->n, i = sc->i;
	int nl = 0;
	while (i < n) {
		char c = s[i];
		if (c == '\n') {
			sc->line++;
			nl++;
			sc->bol = ++i;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			i++;
		} else if (i == 0 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
			i += 3;   /* a byte order mark, skipped as the lexer does: not kept */
		} else {
			break;
		}
	}
	if (i >= n) {
		sc->i = i;
		return false;
	}
	char c = s[i];
	*k = (ftok){ .s = s + i, .line = sc->line, .col = (int)(i - sc->bol) + 1, .nl_before = nl };
	size_t len = 1;
	if (c == '#') {
		while (i + len < n && s[i + len] != '\n')
			len++;
		k->kind = FT_COMMENT;
		size_t m = len;
		while (m > 1 && (s[i + m - 1] == ' ' || s[i + m - 1] == '\t' || s[i + m - 1] == '\r' ||
				 s[i + m - 1] == '\f' || s[i + m - 1] == '\v'))
			m--;
		k->n = m;
	} else if (is_digit(c)) {
		size_t num = 1;
		while (i + num < n && (is_digit(s[i + num]) || s[i + num] == '_'))
			num++;
		if (i + num + 1 < n && s[i + num] == '.' && is_digit(s[i + num + 1])) {
			num += 2;
			while (i + num < n && is_digit(s[i + num]))
				num++;
		}
		bool date = i + 10 <= n;
		for (int j = 0; date && j < 10; j++)
			date = (j == 4 || j == 7) ? s[i + j] == '-' : is_digit(s[i + j]);
		k->kind = date ? FT_DATE : FT_NUMBER;   /* a date is longer than the number in it */
		len = date ? 10 : num;
	} else if (is_id0(c)) {
		len = id_len(s, i, n);
		k->kind = FT_WORD;
		size_t m;
		while (i + len + 1 < n && s[i + len] == '.' && (m = id_len(s, i + len + 1, n)) > 0) {
			len += 1 + m;
			k->kind = FT_PATH;
		}
	} else if (c == '"') {
		k->kind = FT_STRING;
		for (;;) {
			if (i + len >= n || s[i + len] == '\n') {
				k->kind = FT_BAD;   /* unterminated */
				break;
			}
			if (s[i + len] == '\\' && i + len + 1 < n && s[i + len + 1] != '\n') {
				len += 2;
				continue;
			}
			if (s[i + len++] == '"')
				break;
		}
	} else if (i + 1 < n && s[i + 1] == '=' && (c == '=' || c == '!' || c == '<' || c == '>')) {
		k->kind = FT_PUNCT;
		len = 2;
	} else if (c != '\0' && strchr("-+*/%{}<>=:,[]()", c)) {
		k->kind = FT_PUNCT;
	} else {
		k->kind = FT_BAD;
	}
	if (k->kind != FT_COMMENT)
		k->n = len;
	sc->i = i + len;
	return true;
}

/* Every token of a text. */
static bool tokenize(const char *s, size_t n, ftoks *out)
{
	scan sc = { .s = s, .n = n, .line = 1 };
	ftok k;
	while (next_token(&sc, &k))
		if (!push(out, k))
			return false;
	return true;
}

static bool tok_is(const ftok *t, const char *w)
{
	return t && (t->kind == FT_WORD || t->kind == FT_PUNCT) && strlen(w) == t->n &&
	       memcmp(t->s, w, t->n) == 0;
}

static bool tok_in(const ftok *t, const char *const *ws)
{
	for (; *ws; ws++)
		if (tok_is(t, *ws))
			return true;
	return false;
}

/* The reserved words of grammar/lexer.l. */
static const char *const keywords[] = {
	"program", "policy", "check", "name", "valid", "from", "until", "input", "exclude", "categories", "redeem",
	"earn", "tiers", "by", "otherwise", "let", "add", "require", "else", "when", "basis",
	"value", "per", "granted", "at", "cap", "limit", "if", "then", "and", "or", "not", "as",
	"in", "yen", "points", "point", "percent", "number", "bool", "date", "word", "yes",
	"true", "no", "false", "floor", "ceil", "round", "min", "max", NULL
};
/* Keywords that end an operand: literals and units. */
static const char *const operand_keywords[] = {
	"yes", "true", "no", "false", "yen", "points", "point", NULL
};
static const char *const functions[] = { "floor", "ceil", "round", "min", "max", NULL };

/* Whether t ends an operand, so that a '-' after it subtracts. */
static bool ends_operand(const ftok *t)
{
	if (!t)
		return false;
	switch (t->kind) {
	case FT_NUMBER: case FT_DATE: case FT_STRING: case FT_PATH:
		return true;
	case FT_WORD:
		if (tok_is(t, "basis"))
			return !t->start;   /* the name, not the statement keyword */
		return tok_in(t, operand_keywords) || !tok_in(t, keywords);
	case FT_PUNCT:
		return tok_is(t, ")") || tok_is(t, "]") || tok_is(t, "%");
	default:
		return false;
	}
}

/* Whether a space separates prev and t on one line. */
static bool space_between(const ftok *prev, const ftok *t)
{
	if (tok_is(t, ")") || tok_is(t, "]") || tok_is(t, ",") || tok_is(t, ":") || tok_is(t, "%"))
		return false;
	if (tok_is(prev, "(") || tok_is(prev, "["))
		return false;
	if (tok_is(prev, "-") && prev->unary)
		return false;
	if (tok_is(t, "(") && tok_in(prev, functions))
		return false;
	return true;
}

/* ---- where statements start, from the syntax tree ------------------------ */

typedef struct pos {
	int line, col;
} pos;

typedef struct posv {
	pos *v;
	size_t n, cap;
	bool oom;
} posv;

static void add_pos(posv *p, pt_loc l)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 128;
		pos *v = realloc(p->v, cap * sizeof *v);
		if (!v) {
			p->oom = true;
			return;
		}
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = (pos){ l.first_line, l.first_column };
}

static void add_stmts(posv *p, const pt_stmt *s)
{
	for (; s; s = s->next) {
		add_pos(p, s->loc);
		if (s->kind == PT_S_WHEN)
			add_stmts(p, s->body);
	}
}

static int cmp_pos(const void *a, const void *b)
{
	const pos *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return (x->col > y->col) - (x->col < y->col);
}

/* ---- output lines --------------------------------------------------------- */

typedef struct fline {
	int indent;            /* levels of two spaces */
	bool blank_before;
	bool has_code, opens;      /* code on the line; it ends with '{' */
	size_t code, code_len; /* range in the code buffer */
	const char *comment;   /* end-of-line or own-line comment, or NULL */
	size_t comment_len;
	int width, column;     /* code width; where an end-of-line comment goes */
} fline;

typedef struct buf {
	char *s;
	size_t n, cap;
	bool oom;
} buf;

static void put(buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (b->n + n + 1 > cap)
			cap *= 2;
		char *ns = realloc(b->s, cap);
		if (!ns) {
			b->oom = true;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

static void put_spaces(buf *b, int n)
{
	static const char sp[] = "                                ";
	while (n > 0) {
		int k = n < 32 ? n : 32;
		put(b, sp, (size_t)k);
		n -= k;
	}
}

typedef struct lines {
	fline *v;
	size_t n, cap;
	bool oom;
} lines;

static fline *new_line(lines *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 128;
		fline *v = realloc(l->v, cap * sizeof *v);
		if (!v) {
			l->oom = true;
			return NULL;
		}
		l->v = v;
		l->cap = cap;
	}
	fline *f = &l->v[l->n++];
	memset(f, 0, sizeof *f);
	return f;
}

/* Lay the tokens out as lines; false only when out of memory. */
static bool layout(ftoks *t, lines *L, buf *code)
{
	int depth = 0;
	size_t pending = 0;        /* own-line comments waiting for the next code line */
	const ftok *prev = NULL;   /* previous code token */
	bool open = false;         /* the last line takes more code */
	for (size_t i = 0; i < t->n; i++) {
		ftok *k = &t->v[i];
		fline *last = L->n ? &L->v[L->n - 1] : NULL;
		if (k->kind == FT_COMMENT) {
			if (k->nl_before == 0 && last && last->has_code && !last->comment) {
				last->comment = k->s;
				last->comment_len = k->n;
			} else {
				fline *f = new_line(L);
				if (!f)
					return false;
				f->blank_before = k->nl_before >= 2 && last && !last->opens;
				f->comment = k->s;
				f->comment_len = k->n;
				f->indent = -1;
				pending++;
			}
			open = false;
			continue;
		}
		bool close = tok_is(k, "}");
		bool join_brace = tok_is(k, "{") && last && last->has_code && !last->comment &&
				  !last->opens && k->nl_before > 0;
		if (tok_is(k, "-"))
			k->unary = !ends_operand(prev);
		if (join_brace || (open && k->nl_before == 0 && !k->start && !close)) {
			fline *f = &L->v[L->n - 1];
			bool sp = space_between(prev, k);
			if (sp)
				put(code, " ", 1);
			put(code, k->s, k->n);
			f->code_len += k->n + (sp ? 1 : 0);
		} else {
			if (close && depth > 0)
				depth--;
			fline *f = new_line(L);
			if (!f)
				return false;
			f->indent = depth + (k->start || close ? 0 : 1);
			f->blank_before = k->nl_before >= 2 && last && !last->opens && !close;
			f->has_code = true;
			f->code = code->n;
			f->code_len = k->n;
			put(code, k->s, k->n);
			for (size_t j = L->n - 1 - pending; j < L->n - 1; j++)
				L->v[j].indent = close ? f->indent + 1 : f->indent;
			pending = 0;
		}
		fline *f = &L->v[L->n - 1];
		f->opens = tok_is(k, "{");
		if (f->opens)
			depth++;
		open = !f->opens;
		prev = k;
	}
	for (size_t j = L->n - pending; j < L->n; j++)
		L->v[j].indent = 0;
	return !code->oom;
}

/* Align end-of-line comments of consecutive lines; write the text. */
static void render(lines *L, const buf *code, buf *out)
{
	for (size_t i = 0; i < L->n; i++) {
		fline *f = &L->v[i];
		f->width = f->indent * 2 + (f->has_code ? pt_text_width(code->s + f->code, f->code_len) : 0);
	}
	for (size_t i = 0; i < L->n;) {
		size_t j = i;
		int w = 0;
		while (j < L->n && L->v[j].has_code && L->v[j].comment && (j == i || !L->v[j].blank_before)) {
			if (L->v[j].width > w)
				w = L->v[j].width;
			j++;
		}
		for (size_t k = i; k < j; k++)
			L->v[k].column = w + 1;
		i = j > i ? j : i + 1;
	}
	for (size_t i = 0; i < L->n; i++) {
		const fline *f = &L->v[i];
		if (f->blank_before && i > 0)
			put(out, "\n", 1);
		put_spaces(out, f->indent * 2);
		if (f->has_code) {
			put(out, code->s + f->code, f->code_len);
			if (f->comment)
				put_spaces(out, f->column - f->width);
		}
		if (f->comment)
			put(out, f->comment, f->comment_len);
		put(out, "\n", 1);
	}
}

/* Whether text s[0..n) holds exactly the tokens of t (comments included). */
static bool same_tokens(const ftoks *t, const char *s, size_t n)
{
	scan sc = { .s = s, .n = n, .line = 1 };
	ftok k;
	size_t i = 0;
	for (; next_token(&sc, &k); i++)
		if (i >= t->n || k.kind != t->v[i].kind || k.n != t->v[i].n || memcmp(k.s, t->v[i].s, k.n) != 0)
			return false;
	return i == t->n;
}

PTRULES_API ptrules_status ptrules_fmt(const char *text, size_t len, const char *name, char **out,
				       size_t *out_len, ptrules_diags *d)
{
	if (!out || (!text && len))
		return PTRULES_EARG;
	*out = NULL;
	if (out_len)
		*out_len = 0;
	if (!text)
		text = "";
	if (!name)
		name = "<input>";
	pt_diags scratch;
	pt_diags *dd = d ? &d->d : &scratch;
	if (!d)
		pt_diags_init(&scratch);
	pt_diags_begin_call(dd);
	ptrules_status st = PTRULES_OK;
	ftoks toks = { 0 };
	posv starts = { 0 };
	lines L = { 0 };
	buf code = { 0 }, res = { 0 };
	pt_arena arena;
	pt_arena_init(&arena, 1 << 16);

	if (len > PT_MAX_SOURCE) {
		pt_diag_file(dd, PT_ERROR, name, "rules file is too large (limit is %u bytes)",
			     (unsigned)PT_MAX_SOURCE);
		st = PTRULES_EINVALID;
		goto out;
	}
	/* 1. It must parse; the tree says where statements start. */
	pt_src src = { name, text, len, 0 };
	pt_parser p = { .arena = &arena, .diags = dd, .src = &src };
	bool parsed = pt_parse(&p);
	if (p.oom || dd->oom) {   /* (dd->oom: a diagnostic lost for want of memory) */
		st = PTRULES_ENOMEM;
		goto out;
	}
	if (!parsed) {
		st = PTRULES_EINVALID;
		goto out;
	}
	for (const pt_prog_ast *g = p.progs; g; g = g->next) {
		add_pos(&starts, g->loc);
		for (const pt_decl *x = g->decls; x; x = x->next) {
			add_pos(&starts, x->loc);
			if (x->kind == PT_D_REDEEM || x->kind == PT_D_EARN || x->kind == PT_D_CHECK)
				add_stmts(&starts, x->body);
			for (const pt_tier_row *r = x->kind == PT_D_TIERS ? x->rows : NULL; r; r = r->next)
				add_pos(&starts, r->loc);
		}
	}
	if (starts.oom || !tokenize(text, len, &toks)) {
		st = PTRULES_ENOMEM;
		goto out;
	}
	if (starts.n > 1)
		qsort(starts.v, starts.n, sizeof *starts.v, cmp_pos);
	size_t si = 0, bad = 0;
	for (size_t i = 0; i < toks.n; i++) {
		ftok *k = &toks.v[i];
		if (k->kind == FT_BAD)
			bad++;
		while (si < starts.n && cmp_pos(&starts.v[si], &(pos){ k->line, k->col }) < 0)
			si++, bad++;   /* a start that is not a token */
		if (si < starts.n && starts.v[si].line == k->line && starts.v[si].col == k->col) {
			k->start = true;
			si++;
		}
	}
	/* 2. Lay out, write, and check that only whitespace changed. */
	if (bad || si != starts.n) {
		pt_diag_file(dd, PT_ERROR, name, "internal error: the formatter does not understand this text");
		st = PTRULES_EINVALID;
		goto out;
	}
	if (!layout(&toks, &L, &code) || L.oom) {
		st = PTRULES_ENOMEM;
		goto out;
	}
	render(&L, &code, &res);
	put(&res, "", 0);
	if (res.oom) {
		st = PTRULES_ENOMEM;
		goto out;
	}
	if (!same_tokens(&toks, res.s ? res.s : "", res.n)) {
		pt_diag_file(dd, PT_ERROR, name, "internal error: formatting would change the tokens");
		st = PTRULES_EINVALID;
		goto out;
	}
	if (!res.s) {
		res.s = malloc(1);
		if (!res.s) {
			st = PTRULES_ENOMEM;
			goto out;
		}
		res.s[0] = '\0';
	}
	*out = res.s;
	if (out_len)
		*out_len = res.n;
	res.s = NULL;
out:
	free(res.s);
	free(code.s);
	free(L.v);
	free(starts.v);
	free(toks.v);
	pt_arena_free(&arena);
	if (!d)
		pt_diags_free(&scratch);
	return st;
}
