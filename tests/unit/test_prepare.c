/* test_prepare.c - carts prepared for a rule set (ptrules_cart_prepare)
 * evaluate exactly as the same carts do unprepared.
 *
 * Every cart of the test carts, the corpus and the examples is read,
 * copied into a built cart and prepared; its JSON and text output, its
 * amounts and its order must equal those of the cart as read.  The shipped
 * rules are used alone and with tests/rules-extra (word inputs, defaults,
 * use.points_yen, which runs the reference VM).  Then the lifetime rules:
 * any change drops the preparation, other rules are not fooled by it, a
 * cart without a date is not prepared, and the cart keeps its rules alive
 * after the caller lets them go (ASan and SANITIZE=1 check the last). */
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

/* What compare_one needs, and what it counts. */
typedef struct cmp_ctx {
	ptrules_rules *r;
	ptrules_eval *e;
	ptrules_cart *b;
	size_t prepared;
} cmp_ctx;

/* One cart as read, then copied and prepared: the same results, twice. */
static void compare_one(const char *path, ptrules_reader *rd, const ptrules_cart *c, void *ctx)
{
	static char want[1 << 16], got[1 << 16];
	cmp_ctx *x = ctx;
	if (ptrules_cart_errors(c))
		return;
	px_describe(x->e, c, ptrules_evaluate(x->e, c, NULL), want, sizeof want);
	assert_int_equal(ptrules_cart_copy(x->b, c), PTRULES_OK);
	assert_int_equal(ptrules_cart_prepare(x->b, x->r), PTRULES_OK);
	x->prepared += (size_t)ptrules_cart_prepared(x->b, x->r);
	for (int twice = 0; twice < 2; twice++) {   /* the image is not consumed */
		px_describe(x->e, x->b, ptrules_evaluate(x->e, x->b, NULL), got, sizeof got);
		if (strcmp(want, got) != 0) {
			fprintf(stderr, "%s: cart %d differs when prepared:\n%s---\n%s", path, ptrules_reader_index(rd),
				want, got);
			fail();
		}
	}
}

/* Every cart of the corpus, prepared and not, for rules r; returns how
 * many were prepared. */
static size_t compare_all(ptrules_rules *r)
{
	cmp_ctx x = { r, ptrules_eval_new(r, 0), ptrules_cart_new(), 0 };
	assert_non_null(x.e);
	assert_non_null(x.b);
	assert_true(px_each_corpus_cart(compare_one, &x) >= 2000);
	ptrules_cart_free(x.b);
	ptrules_eval_free(x.e);
	return x.prepared;
}

static void test_corpus_shipped(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_rules("rules", NULL);
	size_t n = compare_all(r);
	fprintf(stderr, "%zu carts prepared\n", n);
	assert_true(n >= 1900);   /* the corpus is mostly carts without a diagnostic */
	ptrules_release(r);
}

static void test_corpus_extra(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_rules("rules", "tests/rules-extra");
	assert_true(compare_all(r) >= 100);
	ptrules_release(r);
}

/* dpoint's amounts for c. */
static ptrules_amounts dpoint(ptrules_eval *e, ptrules_cart *c)
{
	assert_int_equal(ptrules_evaluate(e, c, NULL), PTRULES_OK);
	ptrules_rules *r = ptrules_eval_rules(e);
	for (size_t i = 0; i < ptrules_program_count(r); i++)
		if (strcmp(ptrules_program_id(r, i), "dpoint") == 0) {
			ptrules_amounts a;
			assert_int_equal(ptrules_amounts_get(e, i, &a), PTRULES_OK);
			return a;
		}
	fail();
	return (ptrules_amounts){ 0 };
}

/* Every setter drops the preparation, and the next evaluation sees the
 * change. */
static void test_changes_drop_it(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_rules("rules", NULL);
	ptrules_eval *e = ptrules_eval_new(r, 0);
	ptrules_cart *c = px_small_cart("o1", "2025-06-01");
	assert_int_equal(ptrules_cart_prepare(c, r), PTRULES_OK);
	assert_true(ptrules_cart_prepared(c, r));
	ptrules_cart_prefetch(c);      /* a hint: changes nothing */
	ptrules_cart_prefetch(NULL);
	assert_true(ptrules_cart_prepared(c, r));
	assert_int_equal(dpoint(e, c).redeem_max_points, 500);
	assert_int_equal(dpoint(e, c).earn_points, 60);   /* floor(6,000 x 1%) x 1.0 */

	assert_int_equal(ptrules_cart_add_item(c, 4000, 1, "grocery", NULL), PTRULES_OK);
	assert_false(ptrules_cart_prepared(c, r));
	assert_int_equal(dpoint(e, c).earn_points, 100);   /* 10,000 yen: the base cap of 100 */
	assert_int_equal(ptrules_cart_prepare(c, r), PTRULES_OK);
	assert_int_equal(ptrules_cart_set_int(c, "dpoint", "earned_this_month", 90), PTRULES_OK);
	assert_false(ptrules_cart_prepared(c, r));
	assert_int_equal(dpoint(e, c).earn_points, 10);    /* monthly cap 100 - 90 */
	assert_int_equal(ptrules_cart_prepare(c, r), PTRULES_OK);
	assert_int_equal(ptrules_cart_set_order(c, "o1", "2026-03-05"), PTRULES_OK);
	assert_false(ptrules_cart_prepared(c, r));
	assert_int_equal(ptrules_cart_prepare(c, r), PTRULES_OK);
	assert_int_equal(ptrules_cart_set_payment(c, "jcb", NULL), PTRULES_OK);
	assert_false(ptrules_cart_prepared(c, r));
	assert_int_equal(ptrules_cart_prepare(c, r), PTRULES_OK);
	assert_int_equal(ptrules_cart_set_bool(c, "dpoint", "dvaluepass", 1), PTRULES_OK);
	assert_false(ptrules_cart_prepared(c, r));
	assert_int_equal(ptrules_cart_prepare(c, r), PTRULES_OK);
	assert_int_equal(ptrules_cart_set_use(c, "dpoint", 100), PTRULES_OK);
	assert_false(ptrules_cart_prepared(c, r));
	assert_int_equal(dpoint(e, c).use_points, 100);
	assert_int_equal(ptrules_cart_prepare(c, r), PTRULES_OK);
	assert_true(ptrules_cart_prepared(c, r));   /* a cart with a use record is prepared too */
	assert_int_equal(dpoint(e, c).use_points, 100);
	assert_int_equal(ptrules_cart_set_giftcard(c, 10), PTRULES_OK);
	assert_false(ptrules_cart_prepared(c, r));
	assert_int_equal(ptrules_cart_prepare(c, r), PTRULES_OK);
	assert_int_equal(ptrules_cart_add_account(c, "recruit", 5), PTRULES_OK);
	assert_false(ptrules_cart_prepared(c, r));
	assert_int_equal(ptrules_cart_prepare(c, r), PTRULES_OK);
	assert_int_equal(ptrules_cart_set_word(c, "recruit", "tier", "gold"), PTRULES_OK);
	assert_false(ptrules_cart_prepared(c, r));
	assert_int_equal(ptrules_cart_prepare(c, r), PTRULES_OK);   /* a key no rule reads: a warning */
	assert_false(ptrules_cart_prepared(c, r));                 /* so it is left to the ordinary path */
	ptrules_cart_clear(c);
	assert_false(ptrules_cart_prepared(c, r));

	ptrules_cart *d = px_small_cart("o1", "2025-06-01");
	assert_int_equal(ptrules_cart_prepare(d, r), PTRULES_OK);
	assert_int_equal(ptrules_cart_copy(d, c), PTRULES_OK);   /* the destination changed */
	assert_false(ptrules_cart_prepared(d, r));
	assert_int_equal(ptrules_cart_prepare(d, r), PTRULES_OK);
	assert_int_equal(ptrules_cart_prepare(d, NULL), PTRULES_OK);
	assert_false(ptrules_cart_prepared(d, r));
	ptrules_cart_free(d);
	ptrules_cart_free(c);
	ptrules_eval_free(e);
	ptrules_release(r);
}

/* Prepared for one rule set, evaluated with another: the other's own
 * slots are used, not the preparation.  The cart keeps its rules alive. */
static void test_other_rules(void **state)
{
	(void)state;
	ptrules_rules *a = px_load_rules("rules/dpoint.rules", NULL), *b = px_load_rules("rules", NULL);
	ptrules_cart *c = px_small_cart("o1", "2025-06-01");
	assert_int_equal(ptrules_cart_add_account(c, "recruit", 70), PTRULES_OK);
	assert_int_equal(ptrules_cart_prepare(c, b), PTRULES_OK);
	assert_true(ptrules_cart_prepared(c, b));
	assert_false(ptrules_cart_prepared(c, a));
	ptrules_release(b);   /* the cart still holds b */
	ptrules_eval *ea = ptrules_eval_new(a, 0);
	ptrules_diags *dg = ptrules_diags_new();
	assert_int_equal(ptrules_evaluate(ea, c, dg), PTRULES_OK);
	assert_int_equal(ptrules_diags_warnings(dg), 1);   /* recruit is not in a: said, as unprepared */
	ptrules_amounts am;
	assert_int_equal(ptrules_amounts_get(ea, 0, &am), PTRULES_OK);
	assert_int_equal(am.earn_points, 60);
	ptrules_diags_free(dg);
	ptrules_eval_free(ea);
	ptrules_cart_free(c);   /* releases b */
	ptrules_release(a);
}

/* Preparing an unchanged cart again for the rules only it still holds
 * keeps the preparation (it used to release them first and read them
 * freed: SANITIZE=1 catches a return of that). */
static void test_prepare_again(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_rules("rules", NULL);
	ptrules_cart *c = px_small_cart("o1", "2025-06-01");
	assert_int_equal(ptrules_cart_prepare(c, r), PTRULES_OK);
	ptrules_release(r);   /* only the cart holds r now */
	assert_int_equal(ptrules_cart_prepare(c, r), PTRULES_OK);
	assert_true(ptrules_cart_prepared(c, r));
	ptrules_eval *e = ptrules_eval_new(r, 0);
	assert_non_null(e);
	assert_int_equal(dpoint(e, c).earn_points, 60);
	ptrules_eval_free(e);
	ptrules_cart_free(c);   /* lets r go */
}

/* A cart without an order date is evaluated at today's date: it is not
 * prepared, and says so. */
static void test_no_date(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_rules("rules", NULL);
	ptrules_cart *c = px_small_cart("o1", NULL);
	assert_int_equal(ptrules_cart_prepare(c, r), PTRULES_OK);
	assert_false(ptrules_cart_prepared(c, r));
	assert_int_equal(ptrules_cart_prepare(NULL, r), PTRULES_EARG);
	assert_false(ptrules_cart_prepared(NULL, r));
	ptrules_cart_free(c);
	ptrules_release(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_shipped),
		cmocka_unit_test(test_corpus_extra),
		cmocka_unit_test(test_changes_drop_it),
		cmocka_unit_test(test_other_rules),
		cmocka_unit_test(test_prepare_again),
		cmocka_unit_test(test_no_date),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
