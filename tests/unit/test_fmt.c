/* test_fmt.c - ptrules_fmt (src/fmt.c): arguments, text that does not
 * parse (located diagnostics, no output), edge cases of the layout, and
 * a property test: any whitespace change to the shipped rules formats
 * to a fixed point whose compiled rule set equals the original in every
 * instruction, constant, string, input and program (only the line table
 * and the rule texts may differ). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptrules.h"

#include "helpers.h"
#include "rules.h"

/* Format text; the status, and the result in *out (NULL on error). */
static ptrules_status fmt(const char *text, size_t len, char **out, size_t *out_len, ptrules_diags *d)
{
	return ptrules_fmt(text, len, "t.rules", out, out_len, d);
}

/* fmt(text) must succeed and equal want. */
static void expect_fmt(const char *text, const char *want)
{
	char *out = NULL;
	size_t n = 0;
	ptrules_diags *d = ptrules_diags_new();
	ptrules_status st = fmt(text, strlen(text), &out, &n, d);
	if (st != PTRULES_OK)
		ptrules_diags_print(d, stderr);
	assert_int_equal(st, PTRULES_OK);
	assert_int_equal(ptrules_diags_count(d), 0);
	assert_non_null(out);
	assert_int_equal(n, strlen(out));
	assert_string_equal(out, want);
	free(out);
	ptrules_diags_free(d);
}

static void test_arguments(void **state)
{
	(void)state;
	char *out = (char *)"x";
	size_t n = 7;
	assert_int_equal(ptrules_fmt("x", 1, "a", NULL, &n, NULL), PTRULES_EARG);
	assert_int_equal(ptrules_fmt(NULL, 3, "a", &out, &n, NULL), PTRULES_EARG);
	/* NULL text of length 0, no name, no diagnostics, no length: fine. */
	assert_int_equal(ptrules_fmt(NULL, 0, NULL, &out, NULL, NULL), PTRULES_OK);
	assert_non_null(out);
	assert_string_equal(out, "");
	free(out);
}

static void test_empty_and_comments_only(void **state)
{
	(void)state;
	expect_fmt("", "");
	expect_fmt("\n\n   \n\t\r\n", "");
	expect_fmt("  # a   \r\n\n\n\n   # b", "# a\n\n# b\n");
}

static void test_syntax_error(void **state)
{
	(void)state;
	const char *bad = "program a {\n  name \"a\"\n  redeem {\n    value 1 yen per point\n"
			  "    require payment.card = \"jcb\" else \"x\"\n  }\n}\n";
	char *out = (char *)"untouched";
	size_t n = 99;
	ptrules_diags *d = ptrules_diags_new();
	assert_int_equal(fmt(bad, strlen(bad), &out, &n, d), PTRULES_EINVALID);
	assert_null(out);
	assert_int_equal(n, 0);
	assert_true(ptrules_diags_errors(d) >= 1);
	ptrules_diag g;
	assert_int_equal(ptrules_diags_get(d, 0, &g), PTRULES_OK);
	assert_string_equal(g.file, "t.rules");
	assert_int_equal(g.line, 5);
	assert_int_equal(g.col, 26);
	assert_non_null(strstr(g.message, "unexpected '='"));
	ptrules_diags_free(d);

	/* Lexical errors too, and without a diagnostics list. */
	const char *lex = "program a {\n  name \"unterminated\n}\n";
	assert_int_equal(fmt(lex, strlen(lex), &out, NULL, NULL), PTRULES_EINVALID);
	assert_null(out);
	const char *ascii = "program a { name \"a\" redeem { value 1 yen per point } let ポイント = 1 }\n";
	assert_int_equal(fmt(ascii, strlen(ascii), &out, NULL, NULL), PTRULES_EINVALID);
	/* A NUL byte in the text is an error, not the end of the text. */
	const char nul[] = "program a {\0}\n";
	assert_int_equal(fmt(nul, sizeof nul - 1, &out, NULL, NULL), PTRULES_EINVALID);
}

static void test_too_large(void **state)
{
	(void)state;
	size_t len = PT_MAX_SOURCE + 1;
	char *big = malloc(len);
	assert_non_null(big);
	memset(big, '\n', len);
	char *out = NULL;
	ptrules_diags *d = ptrules_diags_new();
	assert_int_equal(fmt(big, len, &out, NULL, d), PTRULES_EINVALID);
	ptrules_diag g;
	assert_int_equal(ptrules_diags_get(d, 0, &g), PTRULES_OK);
	assert_non_null(strstr(g.message, "too large"));
	assert_null(out);
	ptrules_diags_free(d);
	free(big);
}

static void test_layout_details(void **state)
{
	(void)state;
	/* Semantic errors do not stop formatting: only parsing matters. */
	expect_fmt("program a{name \"a\" earn{add  total+1 points}}",
		   "program a {\n  name \"a\"\n  earn {\n    add total + 1 points\n  }\n}\n");
	/* 'basis' is a statement keyword at the start, a name elsewhere. */
	expect_fmt("program a { name \"a\" earn { basis -total add basis -1 points } }\n",
		   "program a {\n  name \"a\"\n  earn {\n    basis -total\n    add basis - 1 points\n  }\n}\n");
	/* Units and truth values end an operand; keywords do not. */
	expect_fmt("program a { name \"a\" earn { let x = 5 yen -2 yen let y = if yes then -1 else -(2) "
		   "add x as points -y * -1% } }\n",
		   "program a {\n  name \"a\"\n  earn {\n    let x = 5 yen - 2 yen\n"
		   "    let y = if yes then -1 else -(2)\n    add x as points - y * -1%\n  }\n}\n");
	/* A '{' alone on its line moves up unless a comment is in the way. */
	expect_fmt("program a # c\n{\n name \"a\"\n redeem\n\n {\n value 1 yen per point\n }\n}\n",
		   "program a # c\n  {\n  name \"a\"\n  redeem {\n    value 1 yen per point\n  }\n}\n");
	/* Strings are kept byte for byte, tabs and escapes included. */
	expect_fmt("program a { name \"a  \\\\ \\\"b\\\"\\n\t x\" redeem { value 1 yen per point } }\n",
		   "program a {\n  name \"a  \\\\ \\\"b\\\"\\n\t x\"\n  redeem {\n    value 1 yen per point\n  }\n}\n");
	/* Dates, underscores and dotted names that contain keywords. */
	expect_fmt("program a{name \"a\" input account.date:date=2000-01-01 earn from 2024-01-01 until "
		   "2024-12-31{require account.date<2024-06-01 else \"x\" add 1_000 points}}",
		   "program a {\n  name \"a\"\n  input account.date: date = 2000-01-01\n"
		   "  earn from 2024-01-01 until 2024-12-31 {\n    require account.date < 2024-06-01 else \"x\"\n"
		   "    add 1_000 points\n  }\n}\n");
}

/* ---- property: whitespace changes never change the compiled rule set ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static unsigned rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

/* Copy text with random whitespace between tokens: replace blank runs,
 * add blanks next to ( ) [ ] , : % { }, and with newlines also line
 * breaks; never inside a string or a comment. */
static char *mutate(const char *s, size_t n, bool newlines, size_t *out_n)
{
	static const char *const blanks[] = { " ", "  ", "\t", " \t ", "\r" };
	static const char *const breaks[] = { "\n", "\n\n", " \n\t", "\r\n", "\n\n\n  " };
	char *o = malloc(n * 8 + 64);
	size_t k = 0;
	bool str = false, com = false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (com) {
			o[k++] = c;
			com = c != '\n';
			continue;
		}
		if (str) {
			o[k++] = c;
			if (c == '\\' && i + 1 < n)
				o[k++] = s[++i];
			else if (c == '"')
				str = false;
			continue;
		}
		if (c == ' ' || c == '\t') {
			while (i + 1 < n && (s[i + 1] == ' ' || s[i + 1] == '\t'))
				i++;
			const char *b = newlines && rnd(4) == 0 ? breaks[rnd(5)] : blanks[rnd(5)];
			memcpy(o + k, b, strlen(b));
			k += strlen(b);
			continue;
		}
		bool punct = strchr("()[],:%{}", c) != NULL;
		if (punct && rnd(2)) {
			const char *b = newlines && rnd(3) == 0 ? breaks[rnd(5)] : blanks[rnd(5)];
			memcpy(o + k, b, strlen(b));
			k += strlen(b);
		}
		o[k++] = c;
		if (punct && rnd(2)) {
			const char *b = newlines && rnd(3) == 0 ? breaks[rnd(5)] : blanks[rnd(5)];
			memcpy(o + k, b, strlen(b));
			k += strlen(b);
		}
		str = c == '"';
		com = c == '#';
	}
	*out_n = k;
	return o;
}

static bool rat_eq(pt_rat a, pt_rat b)
{
	return a.n == b.n && a.d == b.d;
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Two rule sets are the same program: code, constants, strings, inputs,
 * programs, rules (but not source lines or rule texts). */
static void assert_same_ruleset(const pt_ruleset *a, const pt_ruleset *b, const char *what)
{
	if (a->ncode != b->ncode || memcmp(a->code, b->code, a->ncode * sizeof *a->code) != 0)
		fail_msg("%s: the code differs", what);
	assert_int_equal(a->nconsts, b->nconsts);
	for (size_t i = 0; i < a->nconsts; i++)
		assert_true(rat_eq(a->consts[i], b->consts[i]));
	assert_int_equal(a->nstrs, b->nstrs);
	for (size_t i = 0; i < a->nstrs; i++)
		assert_string_equal(a->strs[i], b->strs[i]);
	assert_int_equal(a->ninputs, b->ninputs);
	for (size_t i = 0; i < a->ninputs; i++) {
		const pt_input_def *x = &a->inputs[i], *y = &b->inputs[i];
		assert_true(x->kind == y->kind && x->builtin == y->builtin && x->prog == y->prog &&
			    str_eq(x->name, y->name) && x->type == y->type && x->has_default == y->has_default &&
			    rat_eq(x->dflt, y->dflt));
	}
	assert_int_equal(a->nprogs, b->nprogs);
	for (size_t i = 0; i < a->nprogs; i++) {
		const pt_program *x = &a->progs[i], *y = &b->progs[i];
		assert_string_equal(x->id, y->id);
		assert_string_equal(x->name, y->name);
		assert_true(x->redeem_pc == y->redeem_pc && x->earn_pc == y->earn_pc &&
			    x->redeem_end == y->redeem_end && x->earn_end == y->earn_end &&
			    x->redeems == y->redeems && x->earns == y->earns && str_eq(x->granted, y->granted) &&
			    x->nlocals == y->nlocals && x->linked_input == y->linked_input &&
			    x->balance_input == y->balance_input && x->valid_from == y->valid_from &&
			    x->valid_until == y->valid_until);
	}
	assert_int_equal(a->nrules, b->nrules);
	for (size_t i = 0; i < a->nrules; i++)
		assert_true(a->rules[i].prog == b->rules[i].prog && a->rules[i].unit == b->rules[i].unit);
	assert_int_equal(a->max_stack, b->max_stack);
	assert_int_equal(a->max_locals, b->max_locals);
}

static char *slurp_file(const char *rel, size_t *len)
{
	char path[1024];
	root_path(path, sizeof path, rel);
	char *buf = px_slurp(path, len);
	if (!buf)
		fail_msg("cannot read %s", path);
	return buf;
}

static pt_ruleset *compile_text(const char *text, size_t len)
{
	pt_diags d;
	pt_diags_init(&d);
	pt_src src = { "x.rules", text, len, 0 };
	pt_ruleset *rs = pt_compile(&src, 1, &d);
	if (!rs)
		pt_diags_print(&d, stderr);
	pt_diags_free(&d);
	return rs;
}

static void test_whitespace_never_changes_the_program(void **state)
{
	(void)state;
	static const char *const files[] = {
		"rules/dpoint.rules", "rules/okidoki.rules", "rules/recruit.rules",
		"tests/rules-extra/airwallet.rules",
	};
	for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
		size_t len;
		char *src = slurp_file(files[f], &len);
		pt_ruleset *ref = compile_text(src, len);
		assert_non_null(ref);
		char *canon = NULL;
		size_t clen = 0;
		assert_int_equal(fmt(src, len, &canon, &clen, NULL), PTRULES_OK);
		for (int round = 0; round < 60; round++) {
			bool nl = round % 2 == 1;
			size_t mlen, olen, o2len;
			char *m = mutate(src, len, nl, &mlen);
			char *out = NULL, *out2 = NULL;
			ptrules_diags *d = ptrules_diags_new();
			if (fmt(m, mlen, &out, &olen, d) != PTRULES_OK) {
				ptrules_diags_print(d, stderr);
				fail_msg("%s round %d: the mutated text was refused:\n%.*s", files[f], round, (int)mlen, m);
			}
			/* A fixed point. */
			assert_int_equal(fmt(out, olen, &out2, &o2len, NULL), PTRULES_OK);
			if (o2len != olen || memcmp(out, out2, olen) != 0)
				fail_msg("%s round %d: not idempotent:\n%s\n----\n%s", files[f], round, out, out2);
			/* The same layout whenever no line break was added. */
			if (!nl && (olen != clen || memcmp(out, canon, clen) != 0))
				fail_msg("%s round %d: blanks changed the layout:\n%s", files[f], round, out);
			pt_ruleset *rs = compile_text(out, olen);
			assert_non_null(rs);
			assert_same_ruleset(ref, rs, files[f]);
			pt_ruleset_free(rs);
			ptrules_diags_free(d);
			free(out);
			free(out2);
			free(m);
		}
		free(canon);
		pt_ruleset_free(ref);
		free(src);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arguments),
		cmocka_unit_test(test_empty_and_comments_only),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_layout_details),
		cmocka_unit_test(test_whitespace_never_changes_the_program),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
