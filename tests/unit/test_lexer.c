/* test_lexer.c - tokens of the .rules language (grammar/lexer.l), seen
 * through pt_parse: numbers with units, percentages, dates, strings and
 * their escapes, names, comments, and every lexical error with its exact
 * location and message. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ast.h"
#include "date.h"

#define PX_FILE "lex.rules"
#include "helpers.h"

/* Diagnostic i must be an error at line:col, underlining len bytes (len
 * 0: not checked), with exactly this message. */
static void expect_err(const px *x, size_t i, int line, int col, int len, const char *msg)
{
	if (i >= x->d.n)
		fail_msg("expected diagnostic %zu (\"%s\"), only %zu reported", i, msg, x->d.n);
	const pt_diag *r = &x->d.v[i];
	assert_int_equal(r->sev, PT_ERROR);
	assert_string_equal(r->file, "lex.rules");
	assert_string_equal(r->msg, msg);
	assert_int_equal(r->line, line);
	assert_int_equal(r->col, col);
	if (len)
		assert_int_equal(r->len, len);
}

/* The first declaration of kind k in the first program. */
static pt_decl *find_decl(const px *x, pt_decl_kind k)
{
	assert_non_null(x->p.progs);
	for (pt_decl *d = x->p.progs->decls; d; d = d->next)
		if (d->kind == k)
			return d;
	fail_msg("no declaration of kind %d", (int)k);
	return NULL;
}

/* The expression of `let name = ...` in the first earn block. */
static pt_expr *let_expr(const px *x, const char *name)
{
	pt_decl *earn = find_decl(x, PT_D_EARN);
	for (pt_stmt *s = earn->body; s; s = s->next)
		if (s->kind == PT_S_LET && strcmp(s->name, name) == 0)
			return s->e;
	fail_msg("no let %s", name);
	return NULL;
}

/* A numeric literal node with value n/d and written unit u. */
static void expect_num(const pt_expr *e, int64_t n, int64_t d, pt_unit u)
{
	assert_int_equal(e->kind, PT_E_NUM);
	assert_int_equal(e->num.n, n);
	assert_int_equal(e->num.d, d);
	assert_int_equal(e->lit_unit, u);
}

/* A string literal and its length, embedded NULs included. */
#define S(lit) lit, sizeof(lit) - 1

/* Numbers with their unit words, decimals, percentages and digit
 * separators become exact literals with the right unit. */
static void test_numbers_with_units(void **state)
{
	(void)state;
	px x;
	px_parse(&x, "program a {\n"
		     "  earn {\n"
		     "    let y = 5000 yen\n"
		     "    let p = 100 points\n"
		     "    let p1 = 1 point\n"
		     "    let m = 2.5\n"
		     "    let r = 1%\n"
		     "    let r2 = 0.5%\n"
		     "    let sep = 10_000 yen\n"
		     "    let sep2 = 1_0_0\n"
		     "    let v = 3.5 yen\n"
		     "    let z = 0\n"
		     "    let big = 999999999999999999 points\n"
		     "  }\n"
		     "}\n");
	assert_true(x.ok);
	assert_int_equal(x.d.n, 0);
	expect_num(let_expr(&x, "y"), 5000, 1, PT_U_YEN);
	expect_num(let_expr(&x, "p"), 100, 1, PT_U_POINTS);
	expect_num(let_expr(&x, "p1"), 1, 1, PT_U_POINTS);
	expect_num(let_expr(&x, "m"), 5, 2, PT_U_NUM);
	expect_num(let_expr(&x, "r"), 1, 100, PT_U_PCT);
	expect_num(let_expr(&x, "r2"), 1, 200, PT_U_PCT);
	expect_num(let_expr(&x, "sep"), 10000, 1, PT_U_YEN);
	expect_num(let_expr(&x, "sep2"), 100, 1, PT_U_NUM);
	expect_num(let_expr(&x, "v"), 7, 2, PT_U_YEN);
	expect_num(let_expr(&x, "z"), 0, 1, PT_U_NUM);
	expect_num(let_expr(&x, "big"), 999999999999999999, 1, PT_U_POINTS);
	/* `5000 yen` spans number and unit: line 3, columns 13..20 */
	pt_expr *y = let_expr(&x, "y");
	assert_int_equal(y->loc.first_line, 3);
	assert_int_equal(y->loc.first_column, 13);
	assert_int_equal(y->loc.last_column, 20);
	pt_expr *r = let_expr(&x, "r");
	assert_int_equal(r->loc.first_column, 13);
	assert_int_equal(r->loc.last_column, 14);
	px_free(&x);
}

/* Malformed and oversized numbers are reported where they are written. */
static void test_bad_numbers(void **state)
{
	(void)state;
	px x;
	px_parse(&x, "program a {\n"
		     "  earn {\n"
		     "    let a = 10_ yen\n"
		     "    let b = 99999999999999999999 yen\n"
		     "    let c = 1%\n"
		     "  }\n"
		     "}\n");
	assert_false(x.ok);
	assert_int_equal(x.d.n_errors, 2);
	expect_err(&x, 0, 3, 13, 3, "number '10_' is malformed: it ends with '_'");
	expect_err(&x, 1, 4, 13, 20,
		   "number '99999999999999999999' is too large (its digits, without the point, must be at most 9223372036854775807)");
	/* parsing goes on: the later let is still there */
	expect_num(let_expr(&x, "c"), 1, 100, PT_U_PCT);
	px_free(&x);
}

/* Dates become day numbers in `valid`, dated blocks and expressions;
 * impossible dates are errors naming the text. */
static void test_dates(void **state)
{
	(void)state;
	px x;
	px_parse(&x, "program a {\n"
		     "  valid from 2024-10-03 until 2026-01-12\n"
		     "  earn from 2024-02-29 {\n"
		     "    let d = 2000-01-01\n"
		     "  }\n"
		     "}\n");
	assert_true(x.ok);
	pt_decl *v = find_decl(&x, PT_D_VALID);
	assert_true(v->has_from);
	assert_true(v->has_until);
	assert_int_equal(v->from, pt_date_from_ymd(2024, 10, 3));
	assert_int_equal(v->until, pt_date_from_ymd(2026, 1, 12));
	pt_decl *e = find_decl(&x, PT_D_EARN);
	assert_true(e->has_from);
	assert_false(e->has_until);
	assert_int_equal(e->from, pt_date_from_ymd(2024, 2, 29));
	assert_int_equal(e->until, PT_DATE_MAX);
	pt_expr *d = let_expr(&x, "d");
	assert_int_equal(d->kind, PT_E_DATE);
	assert_int_equal(d->num.n, pt_date_from_ymd(2000, 1, 1));
	px_free(&x);

	px_parse(&x, "program a {\n"
		     "  valid from 2026-02-30\n"
		     "  valid until 2023-02-29\n"
		     "  valid until 2024-13-01\n"
		     "}\n");
	assert_false(x.ok);
	assert_int_equal(x.d.n_errors, 3);
	expect_err(&x, 0, 2, 14, 10, "'2026-02-30' is not a calendar date (expected YYYY-MM-DD)");
	expect_err(&x, 1, 3, 15, 10, "'2023-02-29' is not a calendar date (expected YYYY-MM-DD)");
	expect_err(&x, 2, 4, 15, 10, "'2024-13-01' is not a calendar date (expected YYYY-MM-DD)");
	px_free(&x);
}

/* String escapes \" \\ \n are undone; UTF-8 passes through; '#' inside a
 * string is text, not a comment. */
static void test_strings(void **state)
{
	(void)state;
	px x;
	px_parse(&x, "program a {\n"
		     "  name \"say \\\"hi\\\" \\\\ # not a comment\\nnext\"\n"
		     "  earn { let s = \"dポイント★5\" let e = \"\" }\n"
		     "}\n");
	assert_true(x.ok);
	assert_int_equal(x.d.n, 0);
	pt_decl *n = find_decl(&x, PT_D_NAME);
	assert_string_equal(n->name, "say \"hi\" \\ # not a comment\nnext");
	assert_int_equal(n->name_loc.first_line, 2);
	assert_int_equal(n->name_loc.first_column, 8);
	pt_expr *s = let_expr(&x, "s");
	assert_int_equal(s->kind, PT_E_STR);
	assert_string_equal(s->str, "dポイント★5");
	assert_string_equal(let_expr(&x, "e")->str, "");
	px_free(&x);
}

/* An unknown escape is an error on the string; the rest still parses. */
static void test_unknown_escape(void **state)
{
	(void)state;
	px x;
	px_parse(&x, "program a {\n  name \"tab\\there\"\n  earn { }\n}\n");
	assert_false(x.ok);
	assert_int_equal(x.d.n_errors, 1);
	expect_err(&x, 0, 2, 8, 11, "unknown escape '\\t' in string; use \\\", \\\\ or \\n");
	assert_non_null(x.p.progs);
	px_free(&x);
}

/* Invalid UTF-8 (a stray 0xff, a truncated sequence, an overlong 2-byte
 * form, a NUL byte) inside a string is an error naming the byte. */
static void test_invalid_utf8(void **state)
{
	(void)state;
	static const struct { const char *text; size_t len; const char *msg; } cases[] = {
		{ S("program a { name \"A\xff\xfe\" }"), "string is not valid UTF-8 (byte 0xff)" },
		{ S("program a { name \"A\xe3\x83\" }"), "string is not valid UTF-8 (byte 0xe3)" },
		{ S("program a { name \"A\xc0\xaf\" }"), "string is not valid UTF-8 (byte 0xc0)" },
		{ S("program a { name \"A\x80\" }"), "string is not valid UTF-8 (byte 0x80)" },
		{ S("program a { name \"A\0B\" }"), "string is not valid UTF-8 (byte 0x00)" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		px x;
		px_parse_n(&x, cases[i].text, cases[i].len);
		assert_false(x.ok);
		assert_int_equal(x.d.n_errors, 1);
		expect_err(&x, 0, 1, 18, 0, cases[i].msg);
		px_free(&x);
	}
}

/* Regression (grammar/lexer.l pt_lex_bad_utf8, fixed in b3806e7):
 * encoded UTF-16 surrogates (ED A0 80), overlong 3- and 4-byte forms
 * (E0 80 AF, F0 80 80 80) and lead bytes past U+10FFFF (F5..F7) are
 * "string is not valid UTF-8"; they were once accepted. */
static void test_invalid_utf8_strict(void **state)
{
	(void)state;
	static const struct { const char *text; size_t len; } cases[] = {
		{ S("program a { name \"A\xed\xa0\x80\" }") },        /* U+D800 */
		{ S("program a { name \"A\xe0\x80\xaf\" }") },        /* overlong '/' */
		{ S("program a { name \"A\xf0\x80\x80\xaf\" }") },    /* overlong '/' */
		{ S("program a { name \"A\xf5\x80\x80\x80\" }") },    /* > U+10FFFF */
	};
	int accepted = 0;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		px x;
		px_parse_n(&x, cases[i].text, cases[i].len);
		if (x.d.n_errors != 1 || strncmp(x.d.v[0].msg, "string is not valid UTF-8", 25) != 0) {
			print_error("case %zu: invalid UTF-8 accepted in a string\n", i);
			accepted++;
		}
		px_free(&x);
	}
	assert_int_equal(accepted, 0);
}

/* An unterminated string is reported at its opening quote, up to the end
 * of the line, and the next line is still read. */
static void test_unterminated_string(void **state)
{
	(void)state;
	px x;
	px_parse(&x, "program a {\n  name \"Demo\n  earn { let y = 1 yen }\n}\n");
	assert_false(x.ok);
	assert_int_equal(x.d.n_errors, 1);
	expect_err(&x, 0, 2, 8, 5, "unterminated string; expected a closing '\"' on the same line");
	expect_num(let_expr(&x, "y"), 1, 1, PT_U_YEN);
	px_free(&x);

	/* at the very end of the file, and ending in a lone backslash */
	px_parse(&x, "program a { name \"abc\\");
	assert_false(x.ok);
	expect_err(&x, 0, 1, 18, 5, "unterminated string; expected a closing '\"' on the same line");
	px_free(&x);
}

/* Characters outside the language: printable ones are quoted, control
 * bytes are shown in hex, and non-ASCII names are explained. */
static void test_unknown_characters(void **state)
{
	(void)state;
	px x;
	px_parse(&x, "program a {\n"
		     "  earn {\n"
		     "    let a = 1 @\n"
		     "    let b = 2 $ ~\n"
		     "    let c = 3 \x01\n"
		     "    let ポイント = 4\n"
		     "  }\n"
		     "}\n");
	assert_false(x.ok);
	assert_true(x.d.n_errors >= 5);
	expect_err(&x, 0, 3, 15, 1, "unexpected character '@'");
	expect_err(&x, 1, 4, 15, 1, "unexpected character '$'");
	expect_err(&x, 2, 4, 17, 1, "unexpected character '~'");
	expect_err(&x, 3, 5, 15, 1, "unexpected byte 0x01");
	expect_err(&x, 4, 6, 9, 12,
		   "non-ASCII text outside a string; names are ASCII, display text goes in \"...\"");
	/* the skipped characters did not stop the lets around them */
	expect_num(let_expr(&x, "a"), 1, 1, PT_U_NUM);
	expect_num(let_expr(&x, "c"), 3, 1, PT_U_NUM);
	px_free(&x);
}

/* Comments run to the end of the line; CR LF line ends and tabs are
 * whitespace, and columns count bytes from 1 on each line. */
static void test_comments_and_columns(void **state)
{
	(void)state;
	px x;
	px_parse(&x, "# leading comment @ $ \x01\r\n"
		     "program a { # trailing \"not a string\r\n"
		     "\tearn {\r\n"
		     "\t\tlet q = 7 yen # q\r\n"
		     "\t}\r\n"
		     "}\r\n");
	assert_true(x.ok);
	assert_int_equal(x.d.n, 0);
	pt_expr *q = let_expr(&x, "q");
	expect_num(q, 7, 1, PT_U_YEN);
	assert_int_equal(q->loc.first_line, 4);
	assert_int_equal(q->loc.first_column, 11);
	px_free(&x);
}

/* Names: keywords, the `point` synonym, identifiers that only start like
 * keywords, dotted paths, and the length limit. */
static void test_names(void **state)
{
	(void)state;
	px x;
	px_parse(&x, "program a {\n"
		     "  earn {\n"
		     "    let pointsx = account.earned_3mo\n"
		     "    let yen_total = order.date\n"
		     "    let k = basis\n"
		     "  }\n"
		     "}\n");
	assert_true(x.ok);
	assert_string_equal(x.p.progs->id, "a");
	pt_expr *e = let_expr(&x, "pointsx");
	assert_int_equal(e->kind, PT_E_NAME);
	assert_string_equal(e->str, "account.earned_3mo");
	assert_string_equal(let_expr(&x, "yen_total")->str, "order.date");
	assert_string_equal(let_expr(&x, "k")->str, "basis");
	px_free(&x);

	char text[256];
	snprintf(text, sizeof text, "program a {\n  earn { let %065d = 1 }\n}\n", 0);
	text[25] = 'x';   /* the name must start with a letter: x000...0 */
	px_parse(&x, text);
	assert_false(x.ok);
	expect_err(&x, 0, 2, 14, 65, "identifier is too long (limit is 64 bytes)");
	px_free(&x);
}

/* Every lexical error in a file is reported, in order, in one parse. */
static void test_several_lexical_errors(void **state)
{
	(void)state;
	px x;
	px_parse(&x, "program demo {\n"
		     "  name \"Demo\n"
		     "  valid from 2026-02-30\n"
		     "  redeem {\n"
		     "    value 1 yen per point @\n"
		     "  }\n"
		     "}\n");
	assert_false(x.ok);
	assert_int_equal(x.d.n_errors, 3);
	expect_err(&x, 0, 2, 8, 5, "unterminated string; expected a closing '\"' on the same line");
	expect_err(&x, 1, 3, 14, 10, "'2026-02-30' is not a calendar date (expected YYYY-MM-DD)");
	expect_err(&x, 2, 5, 27, 1, "unexpected character '@'");
	px_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers_with_units),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_unknown_escape),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_invalid_utf8_strict),
		cmocka_unit_test(test_unterminated_string),
		cmocka_unit_test(test_unknown_characters),
		cmocka_unit_test(test_comments_and_columns),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_several_lexical_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
