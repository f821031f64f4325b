/* test_parser.c - the grammar (grammar/parser.y) through pt_parse: the
 * tree it builds, operator precedence, syntax errors with exact
 * locations and expected-token lists, recovery that reports every
 * independent error, and bounded nesting. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ast.h"
#include "date.h"

#define PX_FILE "syn.rules"
#include "helpers.h"

/* Diagnostic i must be an error at line:col with exactly msg. */
static void expect_err(const px *x, size_t i, int line, int col, const char *msg)
{
	if (i >= x->d.n)
		fail_msg("expected diagnostic %zu (\"%s\"), only %zu reported", i, msg, x->d.n);
	const pt_diag *r = &x->d.v[i];
	assert_int_equal(r->sev, PT_ERROR);
	assert_string_equal(r->file, "syn.rules");
	assert_string_equal(r->msg, msg);
	assert_int_equal(r->line, line);
	assert_int_equal(r->col, col);
}

/* Diagnostic i is at line:col and its message contains every string of
 * the NULL-terminated list. */
static void expect_err_has(const px *x, size_t i, int line, int col, ...)
{
	if (i >= x->d.n)
		fail_msg("expected diagnostic %zu, only %zu reported", i, x->d.n);
	const pt_diag *r = &x->d.v[i];
	assert_int_equal(r->sev, PT_ERROR);
	assert_int_equal(r->line, line);
	assert_int_equal(r->col, col);
	va_list ap;
	va_start(ap, col);
	for (const char *s; (s = va_arg(ap, const char *)) != NULL;)
		if (!strstr(r->msg, s))
			fail_msg("message \"%s\" lacks \"%s\"", r->msg, s);
	va_end(ap);
}

/* Number of programs parsed. */
static int count_progs(const px *x)
{
	int n = 0;
	for (const pt_prog_ast *g = x->p.progs; g; g = g->next)
		n++;
	return n;
}

/* The first declaration of kind k in program g. */
static pt_decl *find_decl(const pt_prog_ast *g, pt_decl_kind k)
{
	for (pt_decl *d = g->decls; d; d = d->next)
		if (d->kind == k)
			return d;
	fail_msg("no declaration of kind %d in %s", (int)k, g->id);
	return NULL;
}

/* The value of `let name = ...` in the first earn block of program 0. */
static pt_expr *let_expr(const px *x, const char *name)
{
	pt_decl *earn = find_decl(x->p.progs, PT_D_EARN);
	for (pt_stmt *s = earn->body; s; s = s->next)
		if (s->kind == PT_S_LET && strcmp(s->name, name) == 0)
			return s->e;
	fail_msg("no let %s", name);
	return NULL;
}

static const char full_program[] =
	"program dp {\n"
	"  name \"dポイント\"\n"
	"  valid until 2026-01-12\n"
	"  input account.earned_3mo: points = 0 points\n"
	"  input account.prime: bool = no\n"
	"  exclude categories kindle, digital\n"
	"  redeem {\n"
	"    value 3.5 yen per point\n"
	"    require payment.card == \"jcb\" else \"JCB only\"\n"
	"  }\n"
	"  tiers rank by account.earned_3mo from 2024-10-03 {\n"
	"    \"gold\" from 5000 points: multiplier 2, monthly_cap 200 points\n"
	"    \"base\" otherwise: multiplier 1, monthly_cap 100 points\n"
	"  }\n"
	"  earn {\n"
	"    granted at shipment\n"
	"    basis eligible\n"
	"    let base = floor(basis * 1%) as points cap 100 points else \"cap\"\n"
	"    add base cap rank.monthly_cap\n"
	"    when order.day == 5 from 2026-03-01 until 2026-12-31 {\n"
	"      add base\n"
	"    }\n"
	"    limit 500 points else \"order cap\"\n"
	"  }\n"
	"}\n"
	"program second { name \"2\" earn { add 1 points } }\n";

/* A complete program becomes the expected tree: declarations in order
 * with their fields, tier rows, statements and dated blocks. */
static void test_full_program_tree(void **state)
{
	(void)state;
	px x;
	px_parse(&x, full_program);
	assert_true(x.ok);
	assert_int_equal(x.d.n, 0);
	assert_int_equal(count_progs(&x), 2);
	const pt_prog_ast *g = x.p.progs;
	assert_string_equal(g->id, "dp");
	assert_int_equal(g->id_loc.first_line, 1);
	assert_int_equal(g->id_loc.first_column, 9);
	assert_string_equal(g->next->id, "second");
	static const pt_decl_kind order[] = { PT_D_NAME, PT_D_VALID, PT_D_INPUT, PT_D_INPUT,
		PT_D_EXCLUDE, PT_D_REDEEM, PT_D_TIERS, PT_D_EARN };
	size_t i = 0;
	for (pt_decl *d = g->decls; d; d = d->next, i++) {
		assert_true(i < sizeof order / sizeof order[0]);
		assert_int_equal(d->kind, order[i]);
	}
	assert_int_equal(i, sizeof order / sizeof order[0]);

	assert_string_equal(find_decl(g, PT_D_NAME)->name, "dポイント");
	pt_decl *v = find_decl(g, PT_D_VALID);
	assert_false(v->has_from);
	assert_true(v->has_until);
	assert_int_equal(v->from, PT_DATE_MIN);
	assert_int_equal(v->until, pt_date_from_ymd(2026, 1, 12));
	pt_decl *in = find_decl(g, PT_D_INPUT);
	assert_string_equal(in->name, "account.earned_3mo");
	assert_int_equal(in->type, PT_U_POINTS);
	assert_non_null(in->dflt);
	assert_int_equal(in->next->type, PT_U_BOOL);
	assert_int_equal(in->next->dflt->kind, PT_E_BOOL);
	assert_int_equal(in->next->dflt->num.n, 0);
	pt_decl *ex = find_decl(g, PT_D_EXCLUDE);
	assert_string_equal(ex->list->s, "kindle");
	assert_string_equal(ex->list->next->s, "digital");
	assert_null(ex->list->next->next);

	pt_decl *rd = find_decl(g, PT_D_REDEEM);
	assert_int_equal(rd->body->kind, PT_S_VALUE);
	assert_int_equal(rd->body->e->num.n, 7);
	assert_int_equal(rd->body->e->num.d, 2);
	assert_int_equal(rd->body->next->kind, PT_S_REQUIRE);
	assert_string_equal(rd->body->next->reason, "JCB only");
	assert_int_equal(rd->body->next->e->op, PT_BIN_EQ);

	pt_decl *t = find_decl(g, PT_D_TIERS);
	assert_string_equal(t->name, "rank");
	assert_string_equal(t->key, "account.earned_3mo");
	assert_true(t->has_from);
	assert_int_equal(t->from, pt_date_from_ymd(2024, 10, 3));
	assert_string_equal(t->rows->label, "gold");
	assert_int_equal(t->rows->threshold->num.n, 5000);
	assert_string_equal(t->rows->fields->name, "multiplier");
	assert_string_equal(t->rows->fields->next->name, "monthly_cap");
	assert_string_equal(t->rows->next->label, "base");
	assert_null(t->rows->next->threshold);
	assert_null(t->rows->next->next);

	pt_decl *e = find_decl(g, PT_D_EARN);
	static const pt_stmt_kind stmts[] = { PT_S_GRANTED, PT_S_BASIS, PT_S_LET, PT_S_ADD, PT_S_WHEN, PT_S_CAP };
	i = 0;
	for (pt_stmt *s = e->body; s; s = s->next, i++) {
		assert_true(i < sizeof stmts / sizeof stmts[0]);
		assert_int_equal(s->kind, stmts[i]);
	}
	assert_int_equal(i, sizeof stmts / sizeof stmts[0]);
	pt_stmt *s = e->body;
	assert_string_equal(s->name, "shipment");
	s = s->next->next;   /* let base */
	assert_string_equal(s->name, "base");
	assert_int_equal(s->e->kind, PT_E_AS);
	assert_int_equal(s->e->as_unit, PT_U_POINTS);
	assert_int_equal(s->e->a->kind, PT_E_CALL);
	assert_int_equal(s->e->a->fn, PT_F_FLOOR);
	assert_non_null(s->cap);
	assert_string_equal(s->reason, "cap");
	s = s->next;         /* add base cap ... */
	assert_non_null(s->cap);
	assert_null(s->reason);
	s = s->next;         /* when */
	assert_true(s->has_from && s->has_until);
	assert_int_equal(s->until, pt_date_from_ymd(2026, 12, 31));
	assert_int_equal(s->body->kind, PT_S_ADD);
	assert_null(s->body->next);
	assert_string_equal(s->next->reason, "order cap");
	px_free(&x);
}

/* Precedence: * over +, `as` over whole sums, comparisons over `and`,
 * `not` over `and`, `and` over `or`; unary minus binds tightest. */
static void test_precedence(void **state)
{
	(void)state;
	px x;
	px_parse(&x, "program a { earn {\n"
		     "  let s = 1 + 2 * 3\n"
		     "  let t = 1 yen + 2 yen as points\n"
		     "  let u = not a and b or c\n"
		     "  let v = a < b and c >= d\n"
		     "  let w = -2 * 3\n"
		     "  let y = 10 - 4 - 3\n"
		     "  let z = if a then 1 else 2 + 3\n"
		     "  let q = payment.card in [\"jcb\", \"visa\"] and yes\n"
		     "  let m = min(1, max(2, 3))\n"
		     "} }\n");
	assert_true(x.ok);
	pt_expr *e = let_expr(&x, "s");
	assert_int_equal(e->op, PT_BIN_ADD);
	assert_int_equal(e->b->op, PT_BIN_MUL);
	e = let_expr(&x, "t");
	assert_int_equal(e->kind, PT_E_AS);
	assert_int_equal(e->a->op, PT_BIN_ADD);
	e = let_expr(&x, "u");
	assert_int_equal(e->op, PT_BIN_OR);
	assert_int_equal(e->a->op, PT_BIN_AND);
	assert_int_equal(e->a->a->kind, PT_E_NOT);
	e = let_expr(&x, "v");
	assert_int_equal(e->op, PT_BIN_AND);
	assert_int_equal(e->a->op, PT_BIN_LT);
	assert_int_equal(e->b->op, PT_BIN_GE);
	e = let_expr(&x, "w");
	assert_int_equal(e->op, PT_BIN_MUL);
	assert_int_equal(e->a->kind, PT_E_NEG);
	e = let_expr(&x, "y");   /* left associative: (10 - 4) - 3 */
	assert_int_equal(e->op, PT_BIN_SUB);
	assert_int_equal(e->a->kind, PT_E_BIN);
	assert_int_equal(e->b->kind, PT_E_NUM);
	assert_int_equal(e->b->num.n, 3);
	e = let_expr(&x, "z");   /* the else branch extends as far as it can */
	assert_int_equal(e->kind, PT_E_IF);
	assert_int_equal(e->b->op, PT_BIN_ADD);
	e = let_expr(&x, "q");
	assert_int_equal(e->op, PT_BIN_AND);
	assert_int_equal(e->a->kind, PT_E_IN);
	assert_string_equal(e->a->list->s, "jcb");
	assert_string_equal(e->a->list->next->s, "visa");
	e = let_expr(&x, "m");
	assert_int_equal(e->fn, PT_F_MIN);
	assert_int_equal(e->b->fn, PT_F_MAX);
	px_free(&x);
}

/* Comparisons do not chain: `1 < 2 < 3` is a syntax error at the
 * second '<'. */
static void test_comparisons_do_not_chain(void **state)
{
	(void)state;
	px x;
	px_parse(&x, "program a { earn { require 1 < 2 < 3 else \"x\" } }");
	assert_false(x.ok);
	assert_int_equal(x.d.n_errors, 1);
	expect_err_has(&x, 0, 1, 34, "unexpected '<'", (char *)NULL);
	px_free(&x);
}

/* Syntax errors name the token found and list the expected ones, at
 * the exact line and column, with hints for '=' and a missing else. */
static void test_syntax_error_messages(void **state)
{
	(void)state;
	px x;
	px_parse(&x, "program a {\n  redeem {\n    value 1 yen per\n  }\n}\n");
	assert_false(x.ok);
	assert_int_equal(x.d.n_errors, 1);
	expect_err(&x, 0, 4, 3, "unexpected '}'; expected 'points'");
	px_free(&x);

	px_parse(&x, "program a {\n  earn {\n    add (1 points\n  }\n}\n");
	assert_false(x.ok);
	expect_err(&x, 0, 4, 3, "unexpected '}'; expected ')' or an operator");
	px_free(&x);

	px_parse(&x, "program a {\n  earn {\n    add min(1 points 2 points)\n  }\n}\n");
	assert_false(x.ok);
	expect_err(&x, 0, 3, 22, "unexpected number literal; expected ',' or an operator");
	px_free(&x);

	px_parse(&x, "program a { earn { let x == 2 } }");
	assert_false(x.ok);
	expect_err(&x, 0, 1, 26, "unexpected '=='; expected '='");
	px_free(&x);

	px_parse(&x, "}\nprogram a { }\n");
	assert_false(x.ok);
	expect_err(&x, 0, 1, 1, "unexpected '}'; expected end of file, 'program' or 'policy'");
	px_free(&x);

	/* the list of everything a declaration may start with */
	px_parse(&x, "program a {\n  name \"x\"\n  earning { }\n}\n");
	assert_false(x.ok);
	expect_err_has(&x, 0, 3, 3, "unexpected ", "expected 'name', 'valid', 'input', 'exclude', 'redeem', 'earn', 'tiers' or '}'",
		       (char *)NULL);
	px_free(&x);

	/* the hints */
	px_parse(&x, "program a { redeem { require payment.card = \"jcb\" else \"j\" } }");
	assert_false(x.ok);
	expect_err(&x, 0, 1, 43,
		   "unexpected '='; expected 'else' or an operator ('=' only follows let; compare with ==)");
	px_free(&x);
	px_parse(&x, "program a {\n  earn {\n    require total >= 5000 yen\n    add 10 points\n  }\n}\n");
	assert_false(x.ok);
	expect_err(&x, 0, 4, 5,
		   "unexpected 'add'; expected 'else' or an operator (a require needs else \"reason\")");
	px_free(&x);
}

/* A file that ends inside a program reports "end of file" at the end of
 * the last line, with what could have come next. */
static void test_unexpected_eof(void **state)
{
	(void)state;
	px x;
	px_parse(&x, "program a {\n  name \"x\"\n");
	assert_false(x.ok);
	assert_int_equal(x.d.n_errors, 1);
	expect_err(&x, 0, 2, 11,
		   "unexpected end of file; expected 'name', 'valid', 'input', 'exclude', 'redeem', 'earn', 'tiers' or '}'");
	px_free(&x);
}

/* Regression (grammar/lexer.l end of input, fixed in b3806e7): without
 * a final newline, "unexpected end of file" is just past the last byte
 * (1:23), not at the last token (`add`, 1:20) as it once was. */
static void test_unexpected_eof_no_newline(void **state)
{
	(void)state;
	px x;
	px_parse(&x, "program a { earn { add");
	assert_false(x.ok);
	assert_int_equal(x.d.n_errors, 1);
	expect_err_has(&x, 0, 1, 23, "unexpected end of file", "expected", (char *)NULL);
	px_free(&x);
}

/* Three independent mistakes in one file are all reported, in order,
 * each at its own line and column (the tests/lang/diag_syntax case). */
static void test_several_syntax_errors(void **state)
{
	(void)state;
	px x;
	px_parse(&x, "program demo {\n"
		     "  name \"Demo\"\n"
		     "  redeem {\n"
		     "    value 1 yen per point\n"
		     "    require payment.card = \"jcb\" else \"JCB only\"\n"
		     "  }\n"
		     "  earn {\n"
		     "    require total >= 5000 yen\n"
		     "    add 10 points\n"
		     "  }\n"
		     "  tiers rank by account.x {\n"
		     "    \"gold\" from 100 points multiplier 2\n"
		     "  }\n"
		     "}\n");
	assert_false(x.ok);
	assert_int_equal(x.d.n_errors, 3);
	expect_err_has(&x, 0, 5, 26, "unexpected '='", "expected 'else'", (char *)NULL);
	expect_err_has(&x, 1, 9, 5, "unexpected 'add'", "expected 'else'", (char *)NULL);
	expect_err_has(&x, 2, 12, 28, "unexpected ", "expected ':'", (char *)NULL);
	/* recovery kept the program and its declarations */
	assert_int_equal(count_progs(&x), 1);
	assert_string_equal(x.p.progs->id, "demo");
	assert_string_equal(find_decl(x.p.progs, PT_D_NAME)->name, "Demo");
	px_free(&x);
}

/* An error in one program does not hide the programs after it, nor an
 * error in a later program. */
static void test_recovery_across_programs(void **state)
{
	(void)state;
	px x;
	px_parse(&x, "program a {\n"
		     "  name \"A\"\n"
		     "  earn { add 1 points + }\n"
		     "}\n"
		     "program b { name \"B\" earn { add 2 points } }\n"
		     "program c {\n"
		     "  name \"C\" earn { let = 3 }\n"
		     "}\n");
	assert_false(x.ok);
	assert_int_equal(x.d.n_errors, 2);
	expect_err_has(&x, 0, 3, 25, "unexpected '}'", (char *)NULL);
	expect_err_has(&x, 1, 7, 23, "unexpected '='", (char *)NULL);
	assert_int_equal(count_progs(&x), 3);
	assert_string_equal(x.p.progs->next->id, "b");
	assert_string_equal(x.p.progs->next->next->id, "c");
	px_free(&x);
}

/* More errors than the cap: recording stops at 50 and says so, and the
 * parse still ends. */
static void test_error_cap(void **state)
{
	(void)state;
	size_t cap = 100 * 32 + 64;
	char *text = malloc(cap);
	assert_non_null(text);
	size_t n = (size_t)snprintf(text, cap, "program a {\n");
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(text + n, cap - n, "  earn { add @ }\n");
	n += (size_t)snprintf(text + n, cap - n, "}\n");
	px x;
	px_parse_n(&x, text, n);
	assert_false(x.ok);
	assert_true(x.d.n_errors >= 100);
	assert_int_equal(x.d.n, 50);
	assert_true(x.d.truncated);
	expect_err(&x, 0, 2, 14, "unexpected character '@'");
	px_free(&x);
	free(text);
}

/* An empty file and a file of comments parse to no programs without
 * errors. */
static void test_empty_file(void **state)
{
	(void)state;
	px x;
	px_parse(&x, "");
	assert_true(x.ok);
	assert_null(x.p.progs);
	px_free(&x);
	px_parse(&x, "# nothing here\n\n   \n");
	assert_true(x.ok);
	assert_null(x.p.progs);
	px_free(&x);
}

/* Build `program a { earn { add PRE^n core POST^n } }` on the heap. */
static char *nested(const char *pre, const char *core, const char *post, int n, size_t *len)
{
	size_t lp = strlen(pre), lc = strlen(core), lq = strlen(post);
	size_t cap = 64 + (lp + lq) * (size_t)n + lc;
	char *s = malloc(cap);
	if (!s)
		return NULL;
	size_t k = (size_t)snprintf(s, cap, "program a { earn { add ");
	for (int i = 0; i < n; i++, k += lp)
		memcpy(s + k, pre, lp);
	memcpy(s + k, core, lc);
	k += lc;
	for (int i = 0; i < n; i++, k += lq)
		memcpy(s + k, post, lq);
	k += (size_t)snprintf(s + k, cap - k, " } }\n");
	*len = k;
	return s;
}

/* Parse text in a child process.  Returns the child's exit code: 0 when
 * the parse failed with the nesting error, 1 when it succeeded, 2 for
 * any other outcome, or 128 + signal when the child crashed. */
static int parse_in_child(const char *text, size_t len)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		px x;
		px_parse_n(&x, text, len);
		int code = 2;
		if (x.ok)
			code = 1;
		else
			for (size_t i = 0; i < x.d.n; i++)
				if (strstr(x.d.v[i].msg, "nested too deeply"))
					code = 0;
		px_free(&x);
		_exit(code);
	}
	return wait_child(pid);
}

/* 5,000 nested parentheses, `not`s, minus signs or if-expressions give
 * "rules nested too deeply", never a crash; modest nesting parses. */
static void test_deep_nesting(void **state)
{
	(void)state;
	static const struct { const char *pre, *core, *post; } shapes[] = {
		{ "(", "1 points", ")" },
		{ "not ", "yes", "" },
		{ "- ", "1 points", "" },
		{ "if yes then ", "1 points", " else 2 points" },
		{ "floor(", "1 points", ")" },
		{ "min(1 points, ", "1 points", ")" },
	};
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		size_t len;
		char *text = nested(shapes[i].pre, shapes[i].core, shapes[i].post, 5000, &len);
		assert_non_null(text);
		int rc = parse_in_child(text, len);
		if (rc != 0)
			fail_msg("shape %zu (%s...): child result %d, wanted the nesting error", i,
				 shapes[i].pre, rc);
		free(text);
		text = nested(shapes[i].pre, shapes[i].core, shapes[i].post, 50, &len);
		assert_non_null(text);
		assert_int_equal(parse_in_child(text, len), 1);
		free(text);
	}

	/* nested blocks too */
	size_t cap = 5000 * 16 + 128, k = 0;
	char *text = malloc(cap);
	assert_non_null(text);
	k += (size_t)snprintf(text + k, cap - k, "program a { earn { ");
	for (int i = 0; i < 5000; i++)
		k += (size_t)snprintf(text + k, cap - k, "when yes { ");
	for (int i = 0; i < 5000; i++)
		k += (size_t)snprintf(text + k, cap - k, "} ");
	k += (size_t)snprintf(text + k, cap - k, "} }\n");
	assert_int_equal(parse_in_child(text, k), 0);
	free(text);

	/* the error is reported where the parser gave up, and only once */
	px x;
	size_t len = 0;
	text = nested("(", "1 points", ")", 5000, &len);
	px_parse_n(&x, text, len);
	assert_false(x.ok);
	assert_int_equal(x.d.n_errors, 1);
	assert_int_equal(x.d.v[0].line, 1);
	assert_true(x.d.v[0].col > 24 && x.d.v[0].col < 24 + 5000);
	assert_string_equal(x.d.v[0].msg, "rules nested too deeply (limit is 200 levels)");
	px_free(&x);
	free(text);
}

/* Regression (nesting limit, fixed in b3806e7): the error says "limit
 * is 200 levels" and 300 nested parentheses are refused; the bison stack
 * once let 1,000 through. */
static void test_nesting_limit_is_the_stated_one(void **state)
{
	(void)state;
	size_t len = 0;
	char *text = nested("(", "1 points", ")", 300, &len);
	assert_non_null(text);
	int rc = parse_in_child(text, len);
	free(text);
	assert_int_equal(rc, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_program_tree),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_comparisons_do_not_chain),
		cmocka_unit_test(test_syntax_error_messages),
		cmocka_unit_test(test_unexpected_eof),
		cmocka_unit_test(test_unexpected_eof_no_newline),
		cmocka_unit_test(test_several_syntax_errors),
		cmocka_unit_test(test_recovery_across_programs),
		cmocka_unit_test(test_error_cap),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_nesting_limit_is_the_stated_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
