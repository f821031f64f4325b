/* test_use.c - the intended use of a cart through the public API: use
 * records set on built and copied carts, the checks against program
 * rules and the shipped checkout policy, reason lines and point values. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ptrules.h"
#include "helpers.h"

/* The 1-based line of the first line of rules/FILE containing needle. */
static int rule_line(const char *file, const char *needle)
{
	char rel[256], path[4096], buf[4096];
	snprintf(rel, sizeof rel, "rules/%s", file);
	root_path(path, sizeof path, rel);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	int n = 0, found = 0;
	while (!found && fgets(buf, sizeof buf, f)) {
		n++;
		found = strstr(buf, needle) != NULL;
	}
	fclose(f);
	assert_true(found);
	return n;
}

/* Read the one cart in text into a built cart (through ptrules_cart_copy). */
static ptrules_cart *read_cart(const char *text)
{
	ptrules_reader *rd = ptrules_reader_new(text, strlen(text), "cart.txt");
	const ptrules_cart *c;
	assert_int_equal(ptrules_reader_next(rd, &c, NULL), 1);
	ptrules_cart *copy = ptrules_cart_new();
	assert_int_equal(ptrules_cart_copy(copy, c), PTRULES_OK);
	ptrules_reader_free(rd);   /* the copy owns everything it needs */
	return copy;
}

/* The result of program id after the last evaluation. */
static ptrules_result result_of(ptrules_eval *e, const char *id)
{
	ptrules_result r;
	for (size_t i = 0; i < ptrules_result_count(e); i++) {
		assert_int_equal(ptrules_result_get(e, i, &r), PTRULES_OK);
		if (strcmp(r.id, id) == 0)
			return r;
	}
	fail_msg("no program %s", id);
	return r;
}

static const char cart_text[] =
	"order date=2025-06-01\n"
	"item price=3980 qty=2 category=grocery\n"
	"item price=1200 category=kindle\n"
	"payment card=jcb\n"
	"account program=dpoint balance=1200 earned_3mo=1600\n"
	"account program=recruit balance=500\n"
	"account program=okidoki balance=300\n";

/* Setting, replacing and removing uses on a copied cart: the order's
 * verdict follows, with the policy's line for "one program per order". */
static void test_set_use_on_copy(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_rules("rules", NULL);
	ptrules_eval *e = ptrules_eval_new(r, 0);
	ptrules_cart *c = read_cart(cart_text);
	ptrules_order o;

	assert_int_equal(ptrules_evaluate(e, c, NULL), PTRULES_OK);
	assert_int_equal(ptrules_order_get(e, &o), PTRULES_OK);
	assert_false(o.has_uses);
	assert_true(o.valid);
	assert_int_equal(o.pay_yen, 9160);

	assert_int_equal(ptrules_cart_set_use(c, "dpoint", 1000), PTRULES_OK);
	assert_int_equal(ptrules_evaluate(e, c, NULL), PTRULES_OK);
	ptrules_result d = result_of(e, "dpoint");
	assert_int_equal(d.use_points, 1000);
	assert_int_equal(d.use_value_yen, 1000);
	assert_true(d.use_valid);
	ptrules_order_get(e, &o);
	assert_true(o.has_uses && o.valid);
	assert_int_equal(o.points_yen, 1000);
	assert_int_equal(o.pay_yen, 8160);   /* 7,960 + 1,200 - 1,000 */

	/* OkiDoki at 3.5 yen: 300 points pay 1,050 yen; two programs break the policy */
	assert_int_equal(ptrules_cart_set_use(c, "okidoki", 300), PTRULES_OK);
	assert_int_equal(ptrules_evaluate(e, c, NULL), PTRULES_OK);
	ptrules_result k = result_of(e, "okidoki");
	assert_int_equal(k.use_value_yen, 1050);
	assert_int_equal(k.point_value_num, 7);
	assert_int_equal(k.point_value_den, 2);
	ptrules_order_get(e, &o);
	assert_false(o.valid);
	assert_int_equal(o.points_yen, 2050);
	assert_int_equal(o.nproblems, 1);
	ptrules_problem p;
	assert_int_equal(ptrules_problem_get(e, 0, &p), PTRULES_OK);
	assert_null(p.program);
	assert_string_equal(p.text, "only one partner program may be used in one order");
	assert_non_null(strstr(p.rule_file, "checkout.rules"));
	assert_int_equal(p.rule_line, rule_line("checkout.rules", "use.programs <= 1"));
	assert_int_equal(ptrules_problem_get(e, 1, &p), PTRULES_EARG);

	/* removing okidoki's use (0 points) makes the order valid again */
	assert_int_equal(ptrules_cart_set_use(c, "okidoki", 0), PTRULES_OK);
	assert_int_equal(ptrules_cart_set_use(c, "dpoint", 1200), PTRULES_OK);   /* replaces */
	assert_int_equal(ptrules_evaluate(e, c, NULL), PTRULES_OK);
	ptrules_order_get(e, &o);
	assert_true(o.valid);
	assert_int_equal(o.points_yen, 1200);

	/* the gift card covers the order: partner points are not used */
	assert_int_equal(ptrules_cart_set_giftcard(c, 9160), PTRULES_OK);
	assert_int_equal(ptrules_evaluate(e, c, NULL), PTRULES_OK);
	ptrules_order_get(e, &o);
	assert_false(o.valid);
	assert_int_equal(o.giftcard_yen, 9160);
	assert_int_equal(o.pay_yen, 0);
	assert_int_equal(o.nproblems, 2);
	ptrules_problem_get(e, 0, &p);
	assert_string_equal(p.text, "the gift card covers the whole order, so partner points are not used");

	/* a cart without use records next: nothing of the last order's use
	 * (two problems, a gift card) shows through; only `any` is set per
	 * cart, and the accessors answer the rest */
	ptrules_cart *plain = read_cart(cart_text);
	assert_int_equal(ptrules_evaluate(e, plain, NULL), PTRULES_OK);
	assert_int_equal(ptrules_order_get(e, &o), PTRULES_OK);
	assert_false(o.has_uses);
	assert_true(o.valid);
	assert_int_equal(o.total_yen, 9160);
	assert_int_equal(o.giftcard_yen, 0);
	assert_int_equal(o.points_yen, 0);
	assert_int_equal(o.pay_yen, 9160);
	assert_int_equal(o.nproblems, 0);
	assert_int_equal(ptrules_problem_get(e, 0, &p), PTRULES_EARG);
	assert_int_equal(result_of(e, "dpoint").use_points, 0);
	char json[8192];
	assert_true(ptrules_format_json(e, plain, NULL, json, sizeof json) < sizeof json);
	assert_null(strstr(json, "\"use\""));
	ptrules_cart_free(plain);

	/* arguments */
	assert_int_equal(ptrules_cart_set_use(c, "giftcard", 5), PTRULES_EARG);
	assert_int_equal(ptrules_cart_set_use(c, "dpoint", -1), PTRULES_EINVALID);
	assert_int_equal(ptrules_cart_set_giftcard(c, -1), PTRULES_EINVALID);
	assert_int_equal(ptrules_cart_set_use(NULL, "dpoint", 1), PTRULES_EARG);
	assert_int_equal(ptrules_order_get(NULL, &o), PTRULES_EARG);
	ptrules_cart_free(c);
	ptrules_eval_free(e);
	ptrules_release(r);
}

/* Uses the program's rules do not allow: over the balance, over what the
 * eligible items are worth, a card the program does not take. */
static void test_program_checks(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_rules("rules", NULL);
	ptrules_eval *e = ptrules_eval_new(r, 0);
	ptrules_cart *c = read_cart("order date=2025-06-01\n"
				    "item price=2000 category=grocery\n"
				    "item price=5000 category=kindle\n"
				    "payment card=visa\n"
				    "account program=recruit balance=5000\n"
				    "account program=okidoki balance=300\n");
	ptrules_problem p;
	ptrules_order o;

	ptrules_cart_set_use(c, "recruit", 2500);
	assert_int_equal(ptrules_evaluate(e, c, NULL), PTRULES_OK);
	assert_false(result_of(e, "recruit").use_valid);
	ptrules_order_get(e, &o);
	assert_int_equal(o.nproblems, 1);
	ptrules_problem_get(e, 0, &p);
	assert_string_equal(p.program, "recruit");
	assert_string_equal(p.text, "recruit: uses 2,500 points, but at most 2,000 can be used on this order: "
				    "limited to what the eligible items are worth");
	assert_non_null(strstr(p.rule_file, "recruit.rules"));   /* the reason's rule: its redeem block */
	assert_int_equal(p.rule_line, rule_line("recruit.rules", "redeem {"));

	ptrules_cart_set_use(c, "recruit", 6000);
	ptrules_evaluate(e, c, NULL);
	ptrules_problem_get(e, 0, &p);
	assert_string_equal(p.text, "recruit: uses 6,000 points, but the balance is 5,000");
	assert_null(p.rule_file);

	ptrules_cart_set_use(c, "recruit", 0);
	ptrules_cart_set_use(c, "okidoki", 100);
	ptrules_evaluate(e, c, NULL);
	ptrules_problem_get(e, 0, &p);
	assert_string_equal(p.text, "okidoki: its points cannot be used on this order: "
				    "usable only when the order is paid with the linked JCB card");
	assert_non_null(strstr(p.rule_file, "okidoki.rules"));
	assert_int_equal(p.rule_line, rule_line("okidoki.rules", "payment.card == \"jcb\""));
	ptrules_cart_free(c);
	ptrules_eval_free(e);
	ptrules_release(r);
}

/* Each reason names its rule: the threshold's require in dpoint.rules. */
static void test_reason_lines(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_rules("rules", NULL);
	ptrules_eval *e = ptrules_eval_new(r, 0);
	ptrules_cart *c = read_cart("order date=2025-06-01\n"
				    "item price=4999 category=grocery\n"
				    "account program=dpoint\n");
	assert_int_equal(ptrules_evaluate(e, c, NULL), PTRULES_OK);
	ptrules_result d = result_of(e, "dpoint");
	assert_int_equal(d.earn_nreasons, 1);
	assert_string_equal(d.earn_reasons[0], "below the 5,000 yen threshold");
	assert_non_null(strstr(d.earn_reason_files[0], "dpoint.rules"));
	assert_int_equal(d.earn_reason_lines[0], rule_line("dpoint.rules", "require basis >= 5000 yen"));
	assert_null(d.earn_reason_files[1]);
	assert_int_equal(d.earn_reason_lines[1], 0);
	assert_int_equal(d.point_value_num, 1);
	assert_int_equal(d.point_value_den, 1);
	ptrules_cart_free(c);
	ptrules_eval_free(e);
	ptrules_release(r);
}

/* Copying: every string and array is the copy's own; a cart with errors
 * or a reader's cart as the destination is refused. */
static void test_copy(void **state)
{
	(void)state;
	const char *text = "cart id=a\norder id=o-1 date=2025-06-01\nitem price=100 name=\"x\" category=food\n"
			   "payment method=cod\naccount program=dpoint balance=5 earned_3mo=7\nuse program=dpoint points=3\n"
			   "cart id=bad\nitem price=oops\n";
	ptrules_reader *rd = ptrules_reader_new(text, strlen(text), "c.txt");
	const ptrules_cart *src;
	ptrules_cart *dst = ptrules_cart_new();
	assert_int_equal(ptrules_reader_next(rd, &src, NULL), 1);
	assert_int_equal(ptrules_cart_copy(dst, src), PTRULES_OK);
	assert_int_equal(ptrules_cart_copy((ptrules_cart *)src, dst), PTRULES_EARG);
	assert_int_equal(ptrules_cart_copy(dst, dst), PTRULES_EARG);
	assert_int_equal(ptrules_reader_next(rd, &src, NULL), 1);   /* the first cart's memory is reused */
	assert_true(ptrules_cart_errors(src) > 0);
	assert_int_equal(ptrules_cart_copy(dst, src), PTRULES_EINVALID);
	ptrules_reader_free(rd);

	/* the copy still evaluates like the text: same JSON as a fresh read */
	rd = ptrules_reader_new(text, strlen(text), "c.txt");
	assert_int_equal(ptrules_reader_next(rd, &src, NULL), 1);
	assert_int_equal(ptrules_cart_copy(dst, src), PTRULES_OK);
	ptrules_rules *r = px_load_rules("rules", NULL);
	ptrules_eval *e = ptrules_eval_new(r, 0);
	char a[8192], b[8192];
	assert_int_equal(ptrules_evaluate(e, src, NULL), PTRULES_OK);
	ptrules_format_json(e, src, "x", a, sizeof a);
	ptrules_reader_free(rd);
	assert_int_equal(ptrules_evaluate(e, dst, NULL), PTRULES_OK);
	ptrules_format_json(e, dst, "x", b, sizeof b);
	assert_string_equal(a, b);
	assert_non_null(strstr(b, "\"use\":{\"valid\":true"));
	assert_string_equal(ptrules_cart_id(dst), "a");
	ptrules_eval_free(e);
	ptrules_release(r);
	ptrules_cart_free(dst);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_use_on_copy),
		cmocka_unit_test(test_program_checks),
		cmocka_unit_test(test_reason_lines),
		cmocka_unit_test(test_copy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
