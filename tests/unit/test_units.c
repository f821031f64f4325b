/* test_units.c - the unit checker (src/sema.c) through pt_compile: yen,
 * points, percent, number, bool, date and word are static types; wrong
 * mixes, undeclared cart fields, fractional points and malformed tier
 * tables are located errors with a useful message, and correct rules
 * compile without a diagnostic. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

/* A program around one earn statement (on line 7, indented 4). */
static const char earn_tpl[] =
	"program t {\n"
	"  name \"T\"\n"
	"  input account.x: points = 0 points\n"
	"  input account.prime: bool = no\n"
	"  input account.since: date = 2020-01-01\n"
	"  earn {\n"
	"%s\n"
	"  }\n"
	"}\n";

/* A compile of one source with its diagnostics. */
typedef struct cx {
	char *text;
	pt_src src;
	pt_diags d;
	pt_ruleset *rs;
} cx;

/* Compile text as "u.rules". */
static void cx_compile(cx *c, const char *text)
{
	c->text = strdup(text);
	assert_non_null(c->text);
	c->src = (pt_src){ "u.rules", c->text, strlen(c->text), 0 };
	pt_diags_init(&c->d);
	c->rs = pt_compile(&c->src, 1, &c->d);
}

/* Compile the earn template around stmt. */
static void cx_earn(cx *c, const char *stmt)
{
	char buf[4096];
	snprintf(buf, sizeof buf, earn_tpl, stmt);
	cx_compile(c, buf);
}

static void cx_free(cx *c)
{
	pt_ruleset_free(c->rs);
	pt_diags_free(&c->d);
	free(c->text);
}

/* Print every diagnostic (to explain a failing assertion). */
static void cx_dump(const cx *c)
{
	for (size_t i = 0; i < c->d.n; i++)
		print_error("  %s:%d:%d: %s\n", c->d.v[i].file, c->d.v[i].line, c->d.v[i].col,
			    c->d.v[i].msg ? c->d.v[i].msg : "");
}

/* The compile failed with exactly one error, at line:col, with msg. */
static void expect_one_error(const cx *c, int line, int col, const char *msg)
{
	if (c->rs || c->d.n_errors != 1) {
		cx_dump(c);
		fail_msg("wanted exactly one error \"%s\", got %zu (rule set %s)", msg, c->d.n_errors,
			 c->rs ? "built" : "not built");
	}
	const pt_diag *r = &c->d.v[0];
	for (size_t i = 0; i < c->d.n && r->sev != PT_ERROR; i++)
		r = &c->d.v[i];
	assert_string_equal(r->msg, msg);
	assert_string_equal(r->file, "u.rules");
	assert_int_equal(r->line, line);
	assert_int_equal(r->col, col);
}

/* The statement stmt (line 7) fails with one error at col with msg. */
static void earn_error(const char *stmt, int col, const char *msg)
{
	cx c;
	cx_earn(&c, stmt);
	expect_one_error(&c, 7, col, msg);
	cx_free(&c);
}

/* The statement stmt compiles with no diagnostics at all. */
static void earn_ok(const char *stmt)
{
	cx c;
	cx_earn(&c, stmt);
	if (!c.rs || c.d.n) {
		cx_dump(&c);
		fail_msg("`%s` should compile cleanly", stmt);
	}
	cx_free(&c);
}

/* A bare number where yen is meant is an error that suggests the unit:
 * `basis >= 5000` -> write 5000 yen, on either side of the comparison. */
static void test_bare_number_suggests_unit(void **state)
{
	(void)state;
	earn_error("    require basis >= 5000 else \"x\"", 22,
		   "cannot compare yen and a plain number; write 5000 yen");
	earn_error("    require 5000 <= basis else \"x\"", 13,
		   "cannot compare yen and a plain number; write 5000 yen");
	earn_error("    require account.x < 2.5 else \"x\"", 25,
		   "cannot compare points and a plain number; write 2.5 points");
	earn_error("    add 5", 9, "points added must be points, found a plain number; write 5 points");
	earn_error("    add 10 points cap 100", 23, "a cap on points must be points, found a plain number; write 100 points");
	earn_error("    let m = min(basis, 10000)", 24, "min() of yen and a plain number; write 10000 yen");
	earn_error("    let s = basis + 10", 21, "cannot add yen and a plain number; write 10 yen");
}

/* yen and points never mix in + - and comparisons. */
static void test_yen_plus_points(void **state)
{
	(void)state;
	earn_error("    add 1 yen + 1 points", 9, "cannot add yen and points");
	earn_error("    let s = basis - account.x", 13, "cannot subtract yen and points");
	earn_error("    require basis > account.x else \"x\"", 13, "cannot compare yen and points");
	earn_error("    let s = max(basis, account.x)", 13, "max() of yen and points");
	earn_error("    let s = if account.prime then basis else account.x", 13,
		   "'if' branches differ: yen and points");
}

/* Products and quotients: one side of * must be a plain number or a
 * percentage; yen / points is meaningless. */
static void test_multiply_divide(void **state)
{
	(void)state;
	earn_error("    let s = basis * basis", 13,
		   "cannot multiply yen by yen; one side must be a plain number or a percentage");
	earn_error("    let s = 2 yen * 3 points", 13,
		   "cannot multiply yen by points; one side must be a plain number or a percentage");
	earn_error("    let s = 1% * 2%", 13,
		   "cannot multiply percent by percent; one side must be a plain number or a percentage");
	earn_error("    let s = basis / account.x", 13, "cannot divide yen by points");
	earn_error("    let s = account.prime * 2", 13, "arithmetic needs numbers, found bool and number");
}

/* Points reaching the result must be whole: rounding is explicit. */
static void test_fractional_points(void **state)
{
	(void)state;
	earn_error("    add basis * 1% as points", 9,
		   "points added here may be fractional; say how to round it: floor(...), ceil(...) or round(...)");
	earn_error("    add account.x * 1.5", 9,
		   "points added here may be fractional; say how to round it: floor(...), ceil(...) or round(...)");
	earn_error("    add account.x / 2", 9,
		   "points added here may be fractional; say how to round it: floor(...), ceil(...) or round(...)");
	earn_error("    add 10 points cap account.x * 0.5", 23,
		   "this cap may be fractional; say how to round it: floor(...), ceil(...) or round(...)");
	earn_error("    limit account.x * 1%", 11,
		   "this cap may be fractional; say how to round it: floor(...), ceil(...) or round(...)");
	/* fractional through a let */
	cx c;
	cx_earn(&c, "    let half = account.x * 0.5\n    add half");
	expect_one_error(&c, 8, 9,
			 "points added here may be fractional; say how to round it: floor(...), ceil(...) or round(...)");
	cx_free(&c);
	/* a let capped by a fractional value is fractional too */
	cx_earn(&c, "    let b = 10 points cap account.x * 0.5\n    add b");
	expect_one_error(&c, 8, 9,
			 "points added here may be fractional; say how to round it: floor(...), ceil(...) or round(...)");
	cx_free(&c);
}

/* Reading an account field that was not declared is an error telling
 * how to declare it. */
static void test_undeclared_account_field(void **state)
{
	(void)state;
	earn_error("    add account.y", 9,
		   "'account.y' is not declared; add `input account.y: points = 0 points` (with its real unit and default) to program t");
	earn_error("    require account.earned_3mo > 0 points else \"x\"", 13,
		   "'account.earned_3mo' is not declared; add `input account.earned_3mo: points = 0 points` (with its real unit and default) to program t");
	/* declared in another program is not declared here */
	cx c;
	cx_compile(&c, "program a { name \"A\" input account.y: points = 0 points earn { add account.y } }\n"
		       "program b { name \"B\" earn { add account.y } }\n");
	expect_one_error(&c, 2, 33,
			 "'account.y' is not declared; add `input account.y: points = 0 points` (with its real unit and default) to program b");
	cx_free(&c);
	/* built-in account.balance needs no declaration */
	earn_ok("    add account.balance cap 10 points");
}

/* Other names: unknown ones list what exists; basis only in blocks. */
static void test_unknown_names(void **state)
{
	(void)state;
	earn_error("    add bonus", 9,
		   "unknown name 'bonus'; expected a let name, basis, eligible, total, order.*, payment.*, account.*, category.*, use.* or a tier field");
	earn_error("    add rank.multiplier", 9,
		   "unknown name 'rank.multiplier'; expected a let name, basis, eligible, total, order.*, payment.*, account.*, category.*, use.* or a tier field");
}

/* Conditions must be bool; `and`/`not`/`in`/`as` check their operands. */
static void test_conditions_and_conversions(void **state)
{
	(void)state;
	earn_error("    require basis else \"x\"", 13, "a require condition must be bool, found yen");
	earn_error("    when account.x { }", 10, "a when condition must be bool, found points");
	earn_error("    require account.prime and basis else \"x\"", 13,
		   "'and' needs a condition (bool) on both sides, found bool and yen");
	earn_error("    require not basis else \"x\"", 13, "'not' needs a condition, found yen");
	earn_error("    require basis in [\"a\"] else \"x\"", 13,
		   "'in [...]' tests a word such as payment.card, found yen");
	earn_error("    let s = 5 as yen", 13, "'as yen' converts between yen and points one for one; this is number");
	earn_error("    let s = if basis then 1 else 2", 16, "'if' needs a condition, found yen");
	earn_error("    require order.date >= 5 else \"x\"", 13, "cannot compare date and number");
	earn_error("    require payment.card == 1 else \"x\"", 13, "cannot compare word and number");
	earn_error("    let s = floor(account.prime)", 13, "only numbers can be rounded, found bool");
	earn_error("    let s = -account.prime", 13, "cannot negate bool");
}

/* Tier tables: rows from the highest threshold down, a final
 * `otherwise`, the same fields with the same units in every row. */
static void test_tier_tables(void **state)
{
	(void)state;
	static const char tpl[] =
		"program t {\n"
		"  name \"T\"\n"
		"  input account.r: points = 0 points\n"
		"  tiers rank by account.r {\n"
		"%s"
		"  }\n"
		"  earn { add floor(10 points * rank.m) }\n"
		"}\n";
	char buf[2048];
	cx c;

	snprintf(buf, sizeof buf, tpl,
		 "    \"a\" from 10 points: m 1\n"
		 "    \"b\" from 20 points: m 2\n"
		 "    \"c\" otherwise: m 3\n");
	cx_compile(&c, buf);
	expect_one_error(&c, 6, 14, "tier rows go from the highest threshold down; this one is not below the row above");
	cx_free(&c);

	snprintf(buf, sizeof buf, tpl,
		 "    \"a\" from 10 points: m 1\n"
		 "    \"b\" from 10 points: m 2\n"
		 "    \"c\" otherwise: m 3\n");
	cx_compile(&c, buf);
	expect_one_error(&c, 6, 14, "tier rows go from the highest threshold down; this one is not below the row above");
	cx_free(&c);

	snprintf(buf, sizeof buf, tpl,
		 "    \"a\" from 20 points: m 1\n"
		 "    \"b\" from 10 points: m 2\n");
	cx_compile(&c, buf);
	expect_one_error(&c, 4, 3, "tier table 'rank' needs a last `\"label\" otherwise: ...` row");
	cx_free(&c);

	snprintf(buf, sizeof buf, tpl,
		 "    \"a\" otherwise: m 1\n"
		 "    \"b\" from 10 points: m 2\n");
	cx_compile(&c, buf);
	expect_one_error(&c, 6, 5, "row after `otherwise` can never be chosen");
	cx_free(&c);

	snprintf(buf, sizeof buf, tpl,
		 "    \"a\" from 20 yen: m 1\n"
		 "    \"b\" otherwise: m 2\n");
	cx_compile(&c, buf);
	expect_one_error(&c, 5, 14, "this threshold must be points, found yen");
	cx_free(&c);

	snprintf(buf, sizeof buf, tpl,
		 "    \"a\" from 20: m 1\n"
		 "    \"b\" otherwise: m 2\n");
	cx_compile(&c, buf);
	expect_one_error(&c, 5, 14, "this threshold must be points, found a plain number; write 20 points");
	cx_free(&c);

	snprintf(buf, sizeof buf, tpl,
		 "    \"a\" from 20 points: m 1\n"
		 "    \"b\" otherwise: m 2 yen\n");
	cx_compile(&c, buf);
	expect_one_error(&c, 6, 22, "'m' is number in the first row but yen here");
	cx_free(&c);

	snprintf(buf, sizeof buf, tpl,
		 "    \"a\" from 20 points: m 1\n"
		 "    \"b\" otherwise: n 2\n");
	cx_compile(&c, buf);
	expect_one_error(&c, 6, 20, "expected field 'm' here (same fields in the same order in every row)");
	cx_free(&c);

	snprintf(buf, sizeof buf, tpl,
		 "    \"a\" from 20 points: m 1, mc 5 points\n"
		 "    \"b\" otherwise: m 2\n");
	cx_compile(&c, buf);
	expect_one_error(&c, 6, 5, "row is missing field 'mc'");
	cx_free(&c);

	/* a correct table compiles; fractional multipliers need rounding */
	snprintf(buf, sizeof buf, tpl,
		 "    \"a\" from 20 points: m 2.5\n"
		 "    \"b\" from 10 points: m 2\n"
		 "    \"c\" otherwise: m 1\n");
	cx_compile(&c, buf);
	assert_non_null(c.rs);
	assert_int_equal(c.d.n, 0);
	cx_free(&c);
}

/* Tables keyed by something other than a declared cart field. */
static void test_tier_key(void **state)
{
	(void)state;
	cx c;
	cx_compile(&c, "program t {\n"
		       "  name \"T\"\n"
		       "  tiers rank by account.r {\n"
		       "    \"b\" otherwise: m 2\n"
		       "  }\n"
		       "  earn { add floor(10 points * rank.m) }\n"
		       "}\n");
	assert_null(c.rs);
	assert_true(c.d.n_errors >= 1);
	assert_string_equal(c.d.v[0].msg,
			    "'account.r' is not declared; add `input account.r: points = 0 points` (with its real unit and default) to program t");
	assert_int_equal(c.d.v[0].line, 3);
	assert_int_equal(c.d.v[0].col, 17);
	cx_free(&c);
}

/* Regression (src/sema.c check_tiers, fixed in b3806e7): an undeclared
 * tier key is the only error; each threshold row once added "this
 * threshold must be unknown, found points". */
static void test_tier_key_no_cascade(void **state)
{
	(void)state;
	cx c;
	cx_compile(&c, "program t {\n"
		       "  name \"T\"\n"
		       "  tiers rank by account.r {\n"
		       "    \"a\" from 10 points: m 3\n"
		       "    \"b\" otherwise: m 2\n"
		       "  }\n"
		       "  earn { add floor(10 points * rank.m) }\n"
		       "}\n");
	expect_one_error(&c, 3, 17,
			 "'account.r' is not declared; add `input account.r: points = 0 points` (with its real unit and default) to program t");
	cx_free(&c);
}

/* Declared inputs: defaults are literals of the declared unit; percent
 * is not a cart type; built-ins may not be redeclared. */
static void test_input_declarations(void **state)
{
	(void)state;
	static const char tpl[] =
		"program t {\n"
		"  name \"T\"\n"
		"%s\n"
		"  earn { add 1 points }\n"
		"}\n";
	static const struct { const char *decl; int col; const char *msg; } cases[] = {
		{ "  input account.z: points = 0 yen", 29, "the default must be points, found yen" },
		{ "  input account.z: points = 5", 29, "the default must be points, found a plain number; write 5 points" },
		{ "  input account.z: points = 1.5 points", 29, "a cart field's default must be a whole number" },
		{ "  input account.z: percent = 1%", 3, "a cart holds whole numbers; declare this input as number, yen or points" },
		{ "  input account.balance: points = 0 points", 9, "account.balance is built in; do not declare it" },
		{ "  input order.total: yen = 0 yen", 9,
		  "inputs are account fields such as account.earned_3mo; order.*, payment.* and items are built in" },
		{ "  input account.z: points = 1 points + 1 points", 29, "a default is a literal value" },
		{ "  input account.z: points = 0 points\n  input account.z: points = 0 points", 9,
		  "account.z is declared twice" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[1024];
		snprintf(buf, sizeof buf, tpl, cases[i].decl);
		cx c;
		cx_compile(&c, buf);
		expect_one_error(&c, strchr(cases[i].decl, '\n') ? 4 : 3, cases[i].col, cases[i].msg);
		cx_free(&c);
	}
}

/* Statements in the wrong block, and a redeem without a value. */
static void test_statement_placement(void **state)
{
	(void)state;
	cx c;
	cx_compile(&c, "program t {\n  name \"T\"\n  redeem {\n    value 1 yen per point\n    add 1 points\n  }\n}\n");
	expect_one_error(&c, 5, 5, "'add' belongs in an earn block");
	cx_free(&c);
	cx_compile(&c, "program t {\n  name \"T\"\n  redeem {\n    require yes else \"x\"\n  }\n}\n");
	expect_one_error(&c, 3, 3, "redeem block needs a point's value, e.g. `value 1 yen per point`");
	cx_free(&c);
	cx_compile(&c, "program t {\n  name \"T\"\n  redeem {\n    value 1 per point\n  }\n}\n");
	expect_one_error(&c, 4, 11, "a point's value must be yen, found a plain number; write 1 yen");
	cx_free(&c);
	earn_error("    value 1 yen per point", 5, "'value N yen per point' belongs at the top of a redeem block");
	cx_compile(&c, "program t {\n  earn { add 1 points }\n}\n");
	expect_one_error(&c, 1, 9, "program t needs a display name: name \"...\"");
	cx_free(&c);
	cx_compile(&c, "program t {\n  name \"T\"\n}\n");
	expect_one_error(&c, 1, 9, "program t neither redeems nor earns; add a redeem or earn block");
	cx_free(&c);
}

/* A point's value must be more than 0 yen: `value 0 yen per point` once
 * made every cart stop with PT_VM_DIVZERO.
 * BUG (src/sema.c check_stmts, case PT_S_VALUE): the check added in
 * c59f5f1 only looks at a bare literal (s->e->kind == PT_E_NUM), but the
 * language has no negative literals: `value -1 yen per point` is
 * PT_E_NEG(1 yen), passes, and silently offers 0 points on every cart
 * (floor(basis / -1) is negative, capped to 0).  It should get the same
 * error, at 3:18. */
static void test_value_must_be_positive(void **state)
{
	(void)state;
	static const char *const texts[] = {
		"program t {\n  name \"T\"\n  redeem { value 0 yen per point }\n}\n",
		"program t {\n  name \"T\"\n  redeem { value 0.0 yen per point }\n}\n",
		"program t {\n  name \"T\"\n  redeem { value -1 yen per point }\n}\n",
		"program t {\n  name \"T\"\n  redeem { value -(3.5 yen) per point }\n}\n",
	};
	int accepted = 0;
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		cx c;
		cx_compile(&c, texts[i]);
		if (c.rs || c.d.n_errors == 0) {
			print_error("case %zu: non-positive point value accepted\n", i);
			accepted++;
		} else {
			expect_one_error(&c, 3, 18, "a point's value must be more than 0 yen");
		}
		cx_free(&c);
	}
	assert_int_equal(accepted, 0);
}

/* The duplicate-let case reports the second name, on line 8. */
static void test_duplicate_let_location(void **state)
{
	(void)state;
	cx c;
	cx_earn(&c, "    let a = 1 points\n    let a = 2 points");
	expect_one_error(&c, 8, 9, "'a' is already defined in this block");
	cx_free(&c);
}

/* Independent unit errors in one program are all reported. */
static void test_several_unit_errors(void **state)
{
	(void)state;
	cx c;
	cx_earn(&c, "    require basis >= 5000 else \"x\"\n"
		    "    add 1 yen + 1 points\n"
		    "    add account.nope");
	assert_null(c.rs);
	assert_int_equal(c.d.n_errors, 3);
	assert_int_equal(c.d.v[0].line, 7);
	assert_int_equal(c.d.v[1].line, 8);
	assert_int_equal(c.d.v[2].line, 9);
	cx_free(&c);
}

/* Well-typed rules compile with no diagnostic: rounding, percentages,
 * min/max, if, in, dates, conversions, caps, category sums. */
static void test_valid_expressions(void **state)
{
	(void)state;
	static const char *const ok[] = {
		"    add floor(basis * 1%) as points",
		"    add floor(min(basis, 10000 yen) * 1%) as points cap 100 points else \"cap\"",
		"    let m = if account.prime then 5 else 3\n    add 10 points * (m - 1)",
		"    add round(basis / 3) as points",
		"    add ceil(account.x * 1.5)",
		"    require payment.card in [\"jcb\", \"visa\"] else \"card\"\n    add 1 points",
		"    require order.date >= 2024-10-03 and not account.prime else \"x\"",
		"    require account.since < order.date or order.day == 5 else \"x\"",
		"    let ratio = basis / 100 yen\n    add floor(ratio) * 1 points",
		"    add max(account.x - 5 points, 0 points)",
		"    add basis as points cap 100 points",
		"    add 10 points\n    limit 500 points else \"order cap\"",
		"    let pct = 2.5 * 1%\n    add floor(basis * pct) as points",
		"    require -basis < 0 yen else \"neg\"",
		"    basis eligible - category.books\n    add floor(basis * 2%) as points",
		"    basis total\n    require order.total >= 1 yen and order.items > 0 else \"empty\"",
		"    require order.weekday <= 7 and order.month >= 1 else \"x\"",
		"    require payment.method != \"cod\" else \"no cash on delivery\"",
		"    when account.prime { let bonus = 5 points\n add bonus }",
		"    let y = 10 yen as points\n    add y",
		"    let s = (1 points + 2 points) * 3 - 4 points\n    add s",
		"    require 1% * basis > 0 yen else \"x\"",
		"    require basis * 1% / 2 >= 0.5 yen else \"x\"",
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		earn_ok(ok[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bare_number_suggests_unit),
		cmocka_unit_test(test_yen_plus_points),
		cmocka_unit_test(test_multiply_divide),
		cmocka_unit_test(test_fractional_points),
		cmocka_unit_test(test_undeclared_account_field),
		cmocka_unit_test(test_unknown_names),
		cmocka_unit_test(test_conditions_and_conversions),
		cmocka_unit_test(test_tier_tables),
		cmocka_unit_test(test_tier_key),
		cmocka_unit_test(test_tier_key_no_cascade),
		cmocka_unit_test(test_input_declarations),
		cmocka_unit_test(test_statement_placement),
		cmocka_unit_test(test_value_must_be_positive),
		cmocka_unit_test(test_duplicate_let_location),
		cmocka_unit_test(test_several_unit_errors),
		cmocka_unit_test(test_valid_expressions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
