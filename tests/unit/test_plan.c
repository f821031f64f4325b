/* test_plan.c - the planner (src/plan.c, docs/plan.md): the ranking and
 * its tie-breaks on options built by hand, then whole searches through
 * the public API over small rule sets written here, whose expected plans
 * are worked out in the comments: earned value breaks a tie in pay,
 * spending fewer points breaks a tie in both, the boundary amounts found
 * by binary search, the bound of PTRULES_PLAN_MAX_COMBINATIONS (exactly
 * at it, and one program over), and the advice records. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "helpers.h"

/* ---- ranking --------------------------------------------------------- */

/* An option with the three ranking keys (value = n/d yen). */
static pt_plan_opt opt(size_t index, int64_t pay, int64_t earn_n, int64_t earn_d, int64_t spent, size_t nuses)
{
	pt_plan_opt o = { 0 };
	o.index = index;
	o.pay_yen = pay;
	assert_true(pt_rat_make(earn_n, earn_d, &o.earn_value));
	o.spent_value = pt_rat_int(spent);
	o.nuses = nuses;
	return o;
}

/* Pay first, whatever the earnings. */
static void test_rank_pay_first(void **state)
{
	(void)state;
	pt_plan_opt cheap = opt(5, 100, 0, 1, 900, 1), dear = opt(0, 101, 1000, 1, 0, 0);
	assert_true(pt_plan_compare(&cheap, &dear) < 0);
	assert_true(pt_plan_compare(&dear, &cheap) > 0);
}

/* Same pay: more earned value first, compared exactly (7/2 > 3 > 17/6:
 * 3.5 yen beats 3 yen, and 3 beats 2.83...). */
static void test_rank_earned_value_exact(void **state)
{
	(void)state;
	pt_plan_opt a = opt(2, 500, 7, 2, 0, 1), b = opt(0, 500, 3, 1, 0, 1), c = opt(1, 500, 17, 6, 0, 1);
	assert_true(pt_plan_compare(&a, &b) < 0);
	assert_true(pt_plan_compare(&b, &c) < 0);
	assert_true(pt_plan_compare(&a, &c) < 0);
	pt_plan_opt d = opt(3, 500, 6, 2, 0, 1);   /* 6/2 == 3: a tie, the next keys decide */
	assert_int_equal(pt_rat_cmp(d.earn_value, b.earn_value), 0);
	assert_true(pt_plan_compare(&b, &d) < 0);  /* by index */
}

/* Same pay and earnings: spend less; then fewer programs; then the
 * enumeration order, so the order is total and deterministic. */
static void test_rank_tie_breaks(void **state)
{
	(void)state;
	pt_plan_opt less = opt(9, 0, 0, 1, 1000, 1), more = opt(1, 0, 0, 1, 2000, 2);
	assert_true(pt_plan_compare(&less, &more) < 0);
	pt_plan_opt one = opt(9, 0, 0, 1, 1000, 1), two = opt(1, 0, 0, 1, 1000, 2);
	assert_true(pt_plan_compare(&one, &two) < 0);
	pt_plan_opt first = opt(1, 0, 0, 1, 1000, 1), second = opt(2, 0, 0, 1, 1000, 1);
	assert_true(pt_plan_compare(&first, &second) < 0);
	assert_int_equal(pt_plan_compare(&first, &first), 0);
}

/* ---- searches ---------------------------------------------------------- */

/* Plan the first cart of text with rules r; returns the status. */
static ptrules_status plan_text(ptrules_plan *p, const char *text)
{
	ptrules_reader *rd = ptrules_reader_new(text, strlen(text), "cart.txt");
	const ptrules_cart *c;
	assert_non_null(rd);
	assert_int_equal(ptrules_reader_next(rd, &c, NULL), 1);
	assert_int_equal(ptrules_cart_errors(c), 0);
	ptrules_status st = ptrules_plan_cart(p, c, NULL);
	ptrules_reader_free(rd);
	return st;
}

/* Points program `id` spends in option rank. */
static int64_t used(const ptrules_plan *p, size_t rank, size_t prog)
{
	ptrules_plan_program pp;
	assert_int_equal(ptrules_plan_program_get(p, rank, prog, &pp), PTRULES_OK);
	return pp.use_points;
}

/* Two programs worth 1 yen a point, each able to pay the whole 1,000 yen
 * order, no policy: spending 1,000 of either pays 0; spending both also
 * pays 0 (pay is never below 0) but spends 2,000 yen of points, so it
 * ranks after them ("keep points when nothing is gained"); between a and
 * b the enumeration order decides (a first).  Last: no points, 1,000. */
static void test_search_keep_points(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_text("program a {\n  name \"A\"\n  redeem {\n    value 1 yen per point\n  }\n}\n"
				     "program b {\n  name \"B\"\n  redeem {\n    value 1 yen per point\n  }\n}\n");
	ptrules_plan *p = ptrules_plan_new(r);
	assert_non_null(p);
	assert_int_equal(plan_text(p, "order date=2025-06-01\nitem price=1000\naccount program=a balance=5000\n"
					  "account program=b balance=5000\n"),
			 PTRULES_OK);
	ptrules_plan_info info;
	assert_int_equal(ptrules_plan_info_get(p, &info), PTRULES_OK);
	assert_int_equal(info.combinations, 4);   /* {0, 1,000} x {0, 1,000} */
	assert_int_equal(info.allowed, 4);
	assert_null(info.error);
	ptrules_plan_option o;
	int64_t want[4][3] = { { 1000, 0, 0 }, { 0, 1000, 0 }, { 1000, 1000, 0 }, { 0, 0, 1000 } };
	for (size_t k = 0; k < 4; k++) {
		assert_int_equal(ptrules_plan_option_get(p, k, &o), PTRULES_OK);
		assert_int_equal(used(p, k, 0), want[k][0]);
		assert_int_equal(used(p, k, 1), want[k][1]);
		assert_int_equal(o.pay_yen, want[k][2]);
	}
	assert_int_equal(ptrules_plan_option_get(p, 4, &o), PTRULES_EARG);
	ptrules_plan_free(p);
	ptrules_release(r);
}

/* Program a earns 10% of the points it spends (floored), b earns nothing;
 * a policy allows one program.  Both can pay the whole 1,000 yen, so pay
 * ties at 0 and a's 100 earned points (worth 100 yen) rank it first.
 * a's candidates are {0, 1,000, 9}: 9 is the most a can spend and still
 * earn what it earns at 0 (floor(9 x 10%) = 0, floor(10 x 10%) = 1),
 * found by binary search.  3 x 2 = 6 combinations; the policy rejects
 * a 9 + b 1,000 and a 1,000 + b 1,000: 4 allowed. */
static void test_search_earned_value_and_boundary(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_text(
		"program a {\n  name \"A\"\n  redeem {\n    value 1 yen per point\n  }\n"
		"  earn {\n    add floor(use.points * 10%)\n  }\n}\n"
		"program b {\n  name \"B\"\n  redeem {\n    value 1 yen per point\n  }\n}\n"
		"policy one {\n  name \"One\"\n  check {\n    require use.programs <= 1 else \"one program\"\n  }\n}\n");
	ptrules_plan *p = ptrules_plan_new(r);
	assert_int_equal(plan_text(p, "order date=2025-06-01\nitem price=1000\naccount program=a balance=1000\n"
					  "account program=b balance=1000\n"),
			 PTRULES_OK);
	ptrules_plan_info info;
	ptrules_plan_info_get(p, &info);
	assert_int_equal(info.combinations, 6);
	assert_int_equal(info.allowed, 4);
	ptrules_plan_option o;
	ptrules_plan_option_get(p, 0, &o);
	assert_int_equal(used(p, 0, 0), 1000);
	assert_int_equal(o.pay_yen, 0);
	assert_int_equal(o.earn_value_num, 100);
	assert_int_equal(o.earn_value_den, 1);
	ptrules_plan_option_get(p, 1, &o);   /* b: pays the same, earns nothing */
	assert_int_equal(used(p, 1, 1), 1000);
	assert_int_equal(o.earn_value_num, 0);
	ptrules_plan_option_get(p, 2, &o);   /* a's boundary amount */
	assert_int_equal(used(p, 2, 0), 9);
	assert_int_equal(o.pay_yen, 991);
	ptrules_plan_option_get(p, 3, &o);
	assert_int_equal(o.pay_yen, 1000);
	ptrules_plan_free(p);
	ptrules_release(r);
}

/* n programs worth 1 yen a point, 10 points each, on a 10,000 yen cart. */
static void many(int n, char *rules, size_t rcap, char *cart, size_t ccap)
{
	size_t rl = 0, cl = (size_t)snprintf(cart, ccap, "order date=2025-06-01\nitem price=10000\n");
	for (int i = 1; i <= n; i++) {
		rl += (size_t)snprintf(rules + rl, rcap - rl,
				       "program p%02d {\n  name \"P%02d\"\n  redeem {\n    value 1 yen per point\n  }\n}\n", i, i);
		cl += (size_t)snprintf(cart + cl, ccap - cl, "account program=p%02d balance=10\n", i);
	}
}

/* 12 programs: 2^12 = 4,096 combinations, exactly the limit: planned,
 * best spends all 120 points (pay 9,880), runner-up leaves out one
 * program (9,890).  13 programs: 8,192, refused with the limit named. */
static void test_search_bound(void **state)
{
	(void)state;
	static char rules[16384], cart[4096];
	many(12, rules, sizeof rules, cart, sizeof cart);
	ptrules_rules *r = px_load_text(rules);
	ptrules_plan *p = ptrules_plan_new(r);
	assert_int_equal(plan_text(p, cart), PTRULES_OK);
	ptrules_plan_info info;
	ptrules_plan_info_get(p, &info);
	assert_int_equal(info.combinations, PTRULES_PLAN_MAX_COMBINATIONS);
	assert_int_equal(info.allowed, 4096);
	ptrules_plan_option o;
	ptrules_plan_option_get(p, 0, &o);
	assert_int_equal(o.pay_yen, 9880);
	assert_int_equal(o.nuses, 12);
	ptrules_plan_option_get(p, 1, &o);
	assert_int_equal(o.pay_yen, 9890);
	ptrules_plan_free(p);
	ptrules_release(r);

	many(13, rules, sizeof rules, cart, sizeof cart);
	r = px_load_text(rules);
	p = ptrules_plan_new(r);
	assert_int_equal(plan_text(p, cart), PTRULES_EINVALID);
	ptrules_plan_info_get(p, &info);
	assert_non_null(info.error);
	assert_non_null(strstr(info.error, "8,192 combinations"));
	assert_non_null(strstr(info.error, "limit of 4,096"));
	assert_int_equal(info.allowed, 0);
	assert_int_equal(ptrules_plan_option_get(p, 0, &o), PTRULES_EARG);
	char buf[64];
	assert_int_equal(ptrules_plan_format_text(p, "x", buf, sizeof buf), 0);   /* nothing to print */
	ptrules_plan_free(p);
	ptrules_release(r);
}

/* The SPU-like rules: balance 2,000 on 2,500 yen; spending a leaves the
 * basis 2,500 - a, which must stay >= 1,000 to earn: the binary search
 * finds a = 1,500 (the runner-up), and the advice records name lines 20
 * (threshold: 500 yen more earn 10) and 19 (spending loses 25). */
static void test_search_spu_boundary_and_advice(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_rules("tests/rules-extra/spu.rules", NULL);
	ptrules_plan *p = ptrules_plan_new(r);
	assert_int_equal(plan_text(p, "order date=2026-11-24\nitem price=2500\naccount program=spu balance=2000\n"),
			 PTRULES_OK);
	ptrules_plan_info info;
	ptrules_plan_info_get(p, &info);
	assert_int_equal(info.combinations, 3);
	assert_int_equal(used(p, 0, 0), 2000);
	assert_int_equal(used(p, 1, 0), 1500);
	assert_int_equal(used(p, 2, 0), 0);
	assert_int_equal(info.nadvice, 2);
	ptrules_advice a;
	assert_int_equal(ptrules_plan_advice_get(p, 0, &a), PTRULES_OK);
	assert_int_equal(a.kind, PTRULES_ADVICE_THRESHOLD);
	assert_int_equal(a.add_yen, 500);
	assert_int_equal(a.points, 10);
	assert_int_equal(a.rule_line, 20);
	assert_string_equal(a.program, "spu");
	assert_int_equal(ptrules_plan_advice_get(p, 1, &a), PTRULES_OK);
	assert_int_equal(a.kind, PTRULES_ADVICE_SPENDING);
	assert_int_equal(a.points, 25);
	assert_int_equal(a.rule_line, 19);
	assert_int_equal(ptrules_plan_advice_get(p, 2, &a), PTRULES_EARG);
	ptrules_plan_free(p);
	ptrules_release(r);
}

/* dポイント, 4,780 yen: the threshold advice is exactly 220 yen (the
 * search checks that 219 is not enough) for 50 points, rule line 47. */
static void test_threshold_advice_exact(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_rules("rules/dpoint.rules", NULL);
	ptrules_plan *p = ptrules_plan_new(r);
	assert_int_equal(plan_text(p, "order date=2025-06-01\nitem price=4780 category=grocery\n"
					  "account program=dpoint balance=0\n"),
			 PTRULES_OK);
	ptrules_advice a;
	assert_int_equal(ptrules_plan_advice_get(p, 0, &a), PTRULES_OK);
	assert_int_equal(a.kind, PTRULES_ADVICE_THRESHOLD);
	assert_int_equal(a.add_yen, 220);
	assert_int_equal(a.points, 50);
	assert_int_equal(a.rule_line, 47);
	assert_non_null(strstr(a.rule_file, "dpoint.rules"));
	assert_string_equal(a.reason, "below the 5,000 yen threshold");
	/* 4,999 yen: 1 yen short. */
	assert_int_equal(plan_text(p, "order date=2025-06-01\nitem price=4999 category=grocery\n"
					  "account program=dpoint balance=0\n"),
			 PTRULES_OK);
	assert_int_equal(ptrules_plan_advice_get(p, 0, &a), PTRULES_OK);
	assert_int_equal(a.add_yen, 1);
	/* 5,000 yen: no threshold to reach, no advice. */
	assert_int_equal(plan_text(p, "order date=2025-06-01\nitem price=5000 category=grocery\n"
					  "account program=dpoint balance=0\n"),
			 PTRULES_OK);
	ptrules_plan_info info;
	ptrules_plan_info_get(p, &info);
	assert_int_equal(info.nadvice, 0);
	ptrules_plan_free(p);
	ptrules_release(r);
}

/* ptrules_tier_row_get: dpoint.rules repeats every label in its two
 * dated tables, so only a context with coverage, used once, can say
 * which row ran: ★1 of the seed table (line 29) for an order of
 * 2024-06-01, ★1 of the 2024-10-03 table (line 39) for 2025-06-01.
 * Without coverage the label is ambiguous: PTRULES_EINVALID. */
static void test_tier_row_lines(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_rules("rules/dpoint.rules", NULL);
	const char *dates[2] = { "2024-06-01", "2025-06-01" };
	int lines[2] = { 29, 39 };
	for (int k = 0; k < 2; k++) {
		ptrules_cart *c = ptrules_cart_new();
		assert_int_equal(ptrules_cart_set_order(c, "t", dates[k]), PTRULES_OK);
		assert_int_equal(ptrules_cart_add_item(c, 1000, 1, "grocery", NULL), PTRULES_OK);
		assert_int_equal(ptrules_cart_add_account(c, "dpoint", 0), PTRULES_OK);
		ptrules_eval *once = ptrules_eval_new(r, PTRULES_EVAL_COVERAGE), *plain = ptrules_eval_new(r, 0);
		assert_int_equal(ptrules_evaluate(once, c, NULL), PTRULES_OK);
		assert_int_equal(ptrules_evaluate(plain, c, NULL), PTRULES_OK);
		const char *file = NULL;
		int line = 0;
		assert_int_equal(ptrules_tier_row_get(once, 0, &file, &line), PTRULES_OK);
		assert_int_equal(line, lines[k]);
		assert_non_null(strstr(file, "dpoint.rules"));
		assert_int_equal(ptrules_tier_row_get(plain, 0, &file, &line), PTRULES_EINVALID);
		assert_int_equal(ptrules_tier_row_get(plain, 1, &file, &line), PTRULES_EARG);
		ptrules_eval_free(once);
		ptrules_eval_free(plain);
		ptrules_cart_free(c);
	}
	ptrules_release(r);
}

/* NULL handles and unplanned planners answer PTRULES_EARG. */
static void test_null_and_unplanned(void **state)
{
	(void)state;
	ptrules_plan_info info;
	ptrules_plan_option o;
	ptrules_advice a;
	assert_null(ptrules_plan_new(NULL));
	ptrules_plan_free(NULL);
	assert_int_equal(ptrules_plan_cart(NULL, NULL, NULL), PTRULES_EARG);
	assert_int_equal(ptrules_plan_info_get(NULL, &info), PTRULES_EARG);
	ptrules_rules *r = px_load_rules("rules/recruit.rules", NULL);
	ptrules_plan *p = ptrules_plan_new(r);
	assert_int_equal(ptrules_plan_info_get(p, &info), PTRULES_EARG);
	assert_int_equal(ptrules_plan_option_get(p, 0, &o), PTRULES_EARG);
	assert_int_equal(ptrules_plan_advice_get(p, 0, &a), PTRULES_EARG);
	assert_int_equal(ptrules_plan_cart(p, NULL, NULL), PTRULES_EARG);
	ptrules_plan_free(p);
	ptrules_release(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rank_pay_first),
		cmocka_unit_test(test_rank_earned_value_exact),
		cmocka_unit_test(test_rank_tie_breaks),
		cmocka_unit_test(test_search_keep_points),
		cmocka_unit_test(test_search_earned_value_and_boundary),
		cmocka_unit_test(test_search_bound),
		cmocka_unit_test(test_search_spu_boundary_and_advice),
		cmocka_unit_test(test_threshold_advice_exact),
		cmocka_unit_test(test_tier_row_lines),
		cmocka_unit_test(test_null_and_unplanned),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
