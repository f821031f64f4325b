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
#include "ptbc.h"   /* the header's size and checksum, to patch a file */

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

/* The carts of text, each copied into a built cart of out[] (n of them). */
static void read_carts(const char *text, ptrules_cart **out, size_t n)
{
	ptrules_reader *rd = ptrules_reader_new(text, strlen(text), "dense.txt");
	const ptrules_cart *c;
	size_t k = 0;
	while (ptrules_reader_next(rd, &c, NULL)) {
		assert_true(k < n);
		assert_int_equal(ptrules_cart_errors(c), 0);
		out[k] = ptrules_cart_new();
		assert_int_equal(ptrules_cart_copy(out[k++], c), PTRULES_OK);
	}
	assert_int_equal(k, n);
	ptrules_reader_free(rd);
}

/* Evaluate the n carts, prepared and packed into a batch, in the order of
 * seq (indexes) with one evaluator: each must describe as it does alone
 * in a fresh evaluator, unprepared.  Binding a prepared cart writes only
 * what varies; this checks that nothing of the cart before leaks into
 * it, in both forms (bind.c: a batch keeps its carts dense; a cart object
 * compact when only that fits inside it). */
static void same_in_sequence(ptrules_rules *r, ptrules_cart **carts, size_t n, const int *seq, size_t nseq)
{
	static char want[4][1 << 16], got[1 << 16];
	assert_true(n <= 4);
	for (size_t k = 0; k < n; k++) {
		ptrules_eval *fresh = ptrules_eval_new(r, 0);
		px_describe(fresh, carts[k], ptrules_evaluate(fresh, carts[k], NULL), want[k], sizeof want[k]);
		ptrules_eval_free(fresh);
	}
	ptrules_batch *b = ptrules_batch_new(r);
	for (size_t k = 0; k < n; k++) {
		assert_int_equal(ptrules_cart_prepare(carts[k], r), PTRULES_OK);
		assert_int_equal(ptrules_batch_add(b, carts[k]), PTRULES_OK);
	}
	ptrules_eval *e = ptrules_eval_new(r, 0);
	for (size_t s = 0; s < 2 * nseq; s++) {
		int k = seq[s % nseq];
		bool packed = s >= nseq;
		ptrules_status st = packed ? ptrules_evaluate_packed(e, b, (size_t)k) : ptrules_evaluate(e, carts[k], NULL);
		px_describe(e, packed ? NULL : carts[k], st, got, sizeof got);
		if (strcmp(want[k], got) != 0) {
			fprintf(stderr, "cart %d, step %zu of the sequence%s:\n%s---\n%s", k, s % nseq,
				packed ? ", packed" : "", want[k], got);
			fail();
		}
	}
	ptrules_eval_free(e);
	ptrules_batch_free(b);
}

/* The bytecode (malloc'd, *len bytes) of rules compiled from src, for a
 * test to patch and load again (load_patched). */
static unsigned char *bytecode_of(const char *src, size_t *len)
{
	ptrules_rules *orig = px_load_text(src);
	unsigned char *bc;
	assert_int_equal(ptrules_save_bytecode(orig, &bc, len), PTRULES_OK);
	ptrules_release(orig);
	return bc;
}

/* A compiled rule set bc (len bytes, malloc'd, freed here) patched by the
 * caller, its checksum made right again and loaded as name. */
static ptrules_rules *load_patched(unsigned char *bc, size_t len, const char *name)
{
	uint32_t crc = pt_crc32c(bc + PT_PTBC_HEADER, len - PT_PTBC_HEADER);
	for (int k = 0; k < 4; k++)
		bc[20 + k] = (unsigned char)(crc >> (8 * k));
	ptrules_rules *r = NULL;
	ptrules_diags *d = ptrules_diags_new();
	ptrules_status st = ptrules_load_bytecode(&r, bc, len, name, d);
	if (st != PTRULES_OK)
		ptrules_diags_print(d, stderr);
	ptrules_diags_free(d);
	free(bc);
	assert_int_equal(st, PTRULES_OK);
	return r;
}

/* A rule set from .ptbc may give an account key a default that is a
 * fraction (the language does not): a prepared cart keeps the inputs
 * before it whole, and past it the template and the cart's differences,
 * so that cart 0 gets 777,777/2 back after carts that gave a whole rate.
 * The default is written as 777,777/1 and patched to /2 in the file. */

/* Rules compiled from src, with the one constant n/1 in their bytecode
 * made n/den and loaded again: a default no .rules file can write, as a
 * forged or damaged file may hold it. */
static ptrules_rules *forged(const char *src, uint32_t n, uint8_t den)
{
	size_t len;
	unsigned char *bc = bytecode_of(src, &len);
	unsigned char want[16] = { 0 };
	for (int k = 0; k < 4; k++)
		want[k] = (unsigned char)(n >> (8 * k));
	want[8] = 1;
	size_t at = 0, found = 0;
	for (size_t i = PT_PTBC_HEADER; i + 16 <= len; i++)
		if (memcmp(bc + i, want, 16) == 0) {
			at = i;
			found++;
		}
	assert_int_equal(found, 1);   /* n, then d = 1 */
	bc[at + 8] = den;
	return load_patched(bc, len, "frac.ptbc");
}

static void test_dense_fraction(void **state)
{
	(void)state;
	ptrules_rules *r = forged("program frac {\n"
				  "  name \"Frac\"\n"
				  "  input account.m: number = 2\n"
				  "  input account.rate: number = 777777\n"
				  "  input account.k: number = 4\n"
				  "  earn {\n"
				  "    add floor(total * account.m * account.rate / account.k) as points\n"
				  "  }\n"
				  "}\n",
				  777777, 2);
	ptrules_cart *c[4];
	read_carts("cart id=0\norder date=2026-03-05\nitem price=1000\naccount program=frac balance=0\n"
		   "cart id=1\norder date=2026-03-05\nitem price=1000\naccount program=frac balance=0 m=3 rate=2 k=5\n"
		   "cart id=2\norder date=2026-03-05\nitem price=1000\naccount program=frac balance=0 rate=1\n"
		   "cart id=3\norder date=2026-03-05\nitem price=1000\naccount program=frac balance=0 m=1 k=8\n",
		   c, 4);
	static const int seq[] = { 0, 1, 0, 2, 3, 1, 3, 2, 0 };
	same_in_sequence(r, c, 4, seq, sizeof seq / sizeof seq[0]);
	ptrules_eval *e = ptrules_eval_new(r, 0);
	ptrules_amounts a;
	/* 1,000 x 2 x 777,777/2 / 4; 1,000 x 3 x 2 / 5; 1,000 x 2 / 4; 1,000 x 777,777/2 / 8 */
	static const int64_t earn[4] = { 194444250, 1200, 500, 48611062 };
	for (int k = 3; k >= 0; k--) {
		assert_true(ptrules_cart_prepared(c[k], r));
		assert_int_equal(ptrules_evaluate(e, c[k], NULL), PTRULES_OK);
		assert_int_equal(ptrules_amounts_get(e, 0, &a), PTRULES_OK);
		assert_int_equal(a.earn_points, earn[k]);
		ptrules_cart_free(c[k]);
	}
	ptrules_eval_free(e);
	ptrules_release(r);
}

/* More inputs than a prepared cart keeps whole (60 programs of 6): the
 * programs past them are bound from the template and the cart's
 * differences, and a cart without their accounts gets the template back. */
static void test_many_inputs(void **state)
{
	(void)state;
	static char src[1 << 16];
	size_t len = 0;
	for (int p = 0; p < 60; p++)
		len += (size_t)snprintf(src + len, sizeof src - len,
					"program p%02d {\n  name \"P%d\"\n"
					"  input account.a: points = %d points\n  input account.b: points = 0 points\n"
					"  input account.c: number = 1\n  input account.d: points = 0 points\n"
					"  redeem {\n    value 1 yen per point\n  }\n"
					"  earn {\n    add floor(total * account.c / 100) as points\n"
					"    add account.a + account.b - account.d\n  }\n}\n",
					p, p, p);
	ptrules_rules *r = px_load_text(src);
	ptrules_cart *c[3];
	read_carts("cart id=0\norder date=2026-03-05\nitem price=1000\naccount program=p00 balance=5 a=1 b=2 c=3 d=4\n"
		   "account program=p31 balance=7 b=9 c=2\naccount program=p59 balance=11 a=1000 d=1\n"
		   "cart id=1\norder date=2026-03-05\nitem price=2000\naccount program=p01 balance=3\n"
		   "cart id=2\norder date=2026-03-05\nitem price=500\naccount program=p59 balance=2 c=4\n",
		   c, 3);
	static const int seq[] = { 0, 1, 2, 0, 2, 1, 1, 0 };
	same_in_sequence(r, c, 3, seq, sizeof seq / sizeof seq[0]);
	for (int k = 0; k < 3; k++) {
		assert_true(ptrules_cart_prepared(c[k], r));
		ptrules_cart_free(c[k]);
	}
	ptrules_release(r);
}

/* Items in no category sum, prepared: with a total input they add to it
 * before it is written over (the sink), without one (a policy alone)
 * they add nothing (masked).  Each program's earn must be its book sum /
 * 100 plus the account's bonus, whatever else the cart holds, and the
 * policy must see the books alone. */
static void test_items_in_no_sum(void **state)
{
	(void)state;
	static const char *const rules[2] = {
		"program books {\n  name \"Books\"\n  input account.bonus: points = 0 points\n"
		"  earn {\n    add floor(category.books / 100) as points\n    add account.bonus\n  }\n}\n",
		"program books {\n  name \"Books\"\n  input account.bonus: points = 0 points\n"
		"  earn {\n    add floor(category.books / 100) as points\n    add account.bonus\n"
		"    add floor(total / 100000) as points\n  }\n}\n",
	};
	for (int w = 0; w < 2; w++) {
		ptrules_rules *r = px_load_text(rules[w]);
		ptrules_cart *c[3];
		read_carts("cart id=0\norder date=2026-03-05\nitem price=1000 category=books\nitem price=5000 category=grocery\n"
			   "item price=500 qty=2 category=books\naccount program=books balance=0 bonus=7\n"
			   "cart id=1\norder date=2026-03-05\nitem price=90000 category=home\nitem price=300 category=books\n"
			   "account program=books balance=0\n"
			   "cart id=2\norder date=2026-03-05\nitem price=4000 category=books\nitem price=70\n"
			   "account program=books balance=0 bonus=1\n",
			   c, 3);
		static const int seq[] = { 0, 1, 2, 1, 0, 2 };
		same_in_sequence(r, c, 3, seq, sizeof seq / sizeof seq[0]);
		ptrules_eval *e = ptrules_eval_new(r, 0);
		/* 2,000 / 100 + 7; 300 / 100 + 0; 4,000 / 100 + 1; the second
		 * rules add total / 100,000: 0, 0 and 0, and 0 for 90,300 */
		static const int64_t earn[3] = { 27, 3, 41 };
		for (int k = 0; k < 3; k++) {
			assert_true(ptrules_cart_prepared(c[k], r));
			assert_int_equal(ptrules_evaluate(e, c[k], NULL), PTRULES_OK);
			ptrules_amounts a;
			assert_int_equal(ptrules_amounts_get(e, 0, &a), PTRULES_OK);
			assert_int_equal(a.earn_points, earn[k]);
			ptrules_cart_free(c[k]);
		}
		ptrules_eval_free(e);
		ptrules_release(r);
	}
	/* A policy alone reads no total: the grocery item must add nothing,
	 * to the book sum (input 0) or to anything else. */
	ptrules_rules *r = px_load_text("policy books {\n  name \"Books\"\n  check {\n"
					"    require category.books <= 2500 yen else \"too many books\"\n"
					"    require use.giftcard <= 100 yen else \"too much gift card\"\n  }\n}\n");
	ptrules_cart *c[2];
	read_carts("cart id=0\norder date=2026-03-05\nitem price=1000 category=books\nitem price=5000 category=grocery\n"
		   "item price=500 qty=2 category=books\nuse program=giftcard yen=50\n"
		   "cart id=1\norder date=2026-03-05\nitem price=3000 category=books\nitem price=80\n"
		   "use program=giftcard yen=50\n",
		   c, 2);
	static const int seq[] = { 0, 1, 1, 0 };
	same_in_sequence(r, c, 2, seq, sizeof seq / sizeof seq[0]);
	ptrules_eval *e = ptrules_eval_new(r, 0);
	for (int k = 0; k < 2; k++) {   /* 2,000 yen of books, then 3,000 */
		assert_true(ptrules_cart_prepared(c[k], r));
		assert_int_equal(ptrules_evaluate(e, c[k], NULL), PTRULES_OK);
		ptrules_order o;
		assert_int_equal(ptrules_order_get(e, &o), PTRULES_OK);
		assert_int_equal(o.valid, k == 0);
		assert_int_equal(o.nproblems, k == 0 ? 0 : 1);
		ptrules_cart_free(c[k]);
	}
	ptrules_eval_free(e);
	ptrules_release(r);
}

/* An amount that is a fraction, which only a forged file can give (the
 * compiler asks for a rounding): ptrules_amounts_get and
 * ptrules_amounts_list floor it, prepared or not, whatever the shipped
 * rules let them assume (amounts_simple). */
static void test_fractional_amount(void **state)
{
	(void)state;
	ptrules_rules *r = forged("program frac {\n  name \"Frac\"\n  input account.bonus: points = 777777 points\n"
				  "  earn {\n    add account.bonus\n  }\n}\n",
				  777777, 2);
	ptrules_cart *c[2];
	read_carts("cart id=0\norder date=2026-03-05\nitem price=1000\naccount program=frac balance=0\n"
		   "cart id=1\norder date=2026-03-05\nitem price=1000\naccount program=frac balance=0 bonus=5\n",
		   c, 2);
	static const int seq[] = { 0, 1, 1, 0 };
	same_in_sequence(r, c, 2, seq, sizeof seq / sizeof seq[0]);
	static const int64_t earn[2] = { 388888, 5 };   /* 777,777/2 floored; 5 */
	/* the fast code, then the reference VM (explain, coverage): each floors */
	static const int flags[3] = { 0, PTRULES_EVAL_EXPLAIN, PTRULES_EVAL_COVERAGE };
	for (int f = 0; f < 3; f++) {
		ptrules_eval *e = ptrules_eval_new(r, flags[f]);
		assert_non_null(e);
		for (int k = 0; k < 2; k++) {
			assert_int_equal(ptrules_evaluate(e, c[k], NULL), PTRULES_OK);
			ptrules_amounts a, l;
			assert_int_equal(ptrules_amounts_get(e, 0, &a), PTRULES_OK);
			assert_int_equal(ptrules_amounts_list(e, &l, 1), 1);
			assert_int_equal(a.earn_points, earn[k]);
			assert_memory_equal(&a, &l, sizeof a);
		}
		ptrules_eval_free(e);
	}
	for (int k = 0; k < 2; k++)
		ptrules_cart_free(c[k]);
	ptrules_release(r);
}

/* Rules compiled from src with the input named name patched in their
 * bytecode and loaded again, as a forged file may hold them: the input
 * whose default is dflt (n/1) gets the default to_n/1 and, unless kind
 * is -1, that kind and built-in (pt_input_kind, pt_builtin in rules.h). */
static ptrules_rules *forged_input(const char *src, const char *name, int64_t dflt, int64_t to_n, int kind,
				   int builtin)
{
	size_t len;
	unsigned char *bc = bytecode_of(src, &len);
	/* an input: kind, unit, has a default (a byte each), built-in and
	 * program (4 bytes each), its name (4 bytes of length, then the
	 * bytes), its default (8 bytes each of n and d) */
	unsigned char want[64] = { 0 };
	size_t nl = strlen(name), wl = 4 + nl + 16;
	assert_true(wl <= sizeof want);
	for (int k = 0; k < 4; k++)
		want[k] = (unsigned char)(nl >> (8 * k));
	memcpy(want + 4, name, nl);
	for (int k = 0; k < 8; k++)
		want[4 + nl + k] = (unsigned char)((uint64_t)dflt >> (8 * k));
	want[4 + nl + 8] = 1;
	size_t at = 0, found = 0;
	for (size_t i = PT_PTBC_HEADER + 11; i + wl <= len; i++)
		if (memcmp(bc + i, want, wl) == 0) {
			at = i;
			found++;
		}
	assert_int_equal(found, 1);
	for (int k = 0; k < 8; k++)
		bc[at + 4 + nl + k] = (unsigned char)((uint64_t)to_n >> (8 * k));
	if (kind >= 0) {
		bc[at - 11] = (unsigned char)kind;
		for (int k = 0; k < 4; k++)
			bc[at - 8 + k] = (unsigned char)((uint32_t)builtin >> (8 * k));
	}
	return load_patched(bc, len, "forged.ptbc");
}

/* Each of the n carts evaluated by the fast code (as read, prepared,
 * packed) and by the reference VM (an evaluator with coverage): the same
 * amounts every way, for each of the rules' np programs; earn[k * np +
 * p] is cart k's program p earn. */
static void amounts_as_reference(ptrules_rules *r, ptrules_cart **c, size_t n, size_t np, const int64_t *earn)
{
	ptrules_eval *fast = ptrules_eval_new(r, 0), *ref = ptrules_eval_new(r, PTRULES_EVAL_COVERAGE);
	ptrules_batch *b = ptrules_batch_new(r);
	assert_true(fast && ref && b);
	assert_int_equal(ptrules_program_count(r), np);
	for (size_t k = 0; k < n; k++) {
		ptrules_amounts want[16], got[16];
		assert_true(np <= 16);
		assert_int_equal(ptrules_evaluate(ref, c[k], NULL), PTRULES_OK);
		for (size_t p = 0; p < np; p++) {
			assert_int_equal(ptrules_amounts_get(ref, p, &want[p]), PTRULES_OK);
			if (want[p].earn_points != earn[k * np + p])
				fail_msg("cart %zu, program %zu: the reference earns %lld, not %lld", k, p,
					 (long long)want[p].earn_points, (long long)earn[k * np + p]);
		}
		for (int way = 0; way < 3; way++) {
			ptrules_status st;
			if (way == 2) {
				assert_int_equal(ptrules_batch_add(b, c[k]), PTRULES_OK);
				st = ptrules_evaluate_packed(fast, b, ptrules_batch_count(b) - 1);
			} else {
				if (way == 1) {
					assert_int_equal(ptrules_cart_prepare(c[k], r), PTRULES_OK);
					if (!ptrules_cart_prepared(c[k], r))
						fail_msg("cart %zu not prepared", k);
				}
				st = ptrules_evaluate(fast, c[k], NULL);
			}
			assert_int_equal(st, PTRULES_OK);
			for (size_t p = 0; p < np; p++) {
				assert_int_equal(ptrules_amounts_get(fast, p, &got[p]), PTRULES_OK);
				if (memcmp(&want[p], &got[p], sizeof got[p]) != 0)
					fail_msg("cart %zu, program %zu, way %d: earn %lld, the reference %lld", k, p, way,
						 (long long)got[p].earn_points, (long long)want[p].earn_points);
			}
		}
	}
	ptrules_batch_free(b);
	ptrules_eval_free(fast);
	ptrules_eval_free(ref);
}

/* The machine code takes the inputs binding never writes below 0 as at
 * least 0 (pt_fast_input_nonneg in fast_opt.c) and drops their clamps;
 * a forged file can give an account key of points a default below 0, or
 * make an input the order date (below 0 before 1970).  Added up and
 * clamped at 0, such a value earns 0 the fast way as in the reference VM:
 * 777,777 points patched to -777,777, and the key made order.date. */
static void test_inputs_below_zero(void **state)
{
	(void)state;
	static const char src[] = "program neg {\n  name \"Neg\"\n  input account.bonus: points = 777777 points\n"
				  "  earn {\n    add account.bonus\n  }\n}\n";
	for (int w = 0; w < 2; w++) {
		/* kind 0 (PT_IN_BUILTIN), built-in 0 (PT_B_DATE) */
		ptrules_rules *r = w == 0 ? forged_input(src, "bonus", 777777, -777777, -1, 0)
					  : forged_input(src, "bonus", 777777, 777777, 0, 0);
#if defined(__x86_64__) && defined(__linux__) && !defined(PT_NO_JIT)
		assert_true(ptrules_program_native(r, 0));   /* the machine code runs it (as test_api asks) */
#endif
		ptrules_cart *c[3];
		static const char *const carts[2] = {
			"cart id=0\norder date=2026-03-05\nitem price=1000\naccount program=neg balance=0\n"
			"cart id=1\norder date=2026-03-05\nitem price=1000\naccount program=neg balance=0 bonus=5\n"
			"cart id=2\norder date=2026-03-05\nitem price=1000\n",
			"cart id=0\norder date=1950-01-01\nitem price=1000\naccount program=neg balance=0\n"
			"cart id=1\norder date=1969-12-31\nitem price=1000\naccount program=neg balance=0\n"
			"cart id=2\norder date=2026-03-05\nitem price=1000\naccount program=neg balance=0\n",
		};
		read_carts(carts[w], c, 3);
		/* the default below 0, 5, unlinked (earning nothing); the date (the key
		 * is no account key now): 1950-01-01 is day -7,305, 1969-12-31 day -1,
		 * 2026-03-05 day 20,517 */
		static const int64_t earn[2][3] = { { 0, 5, 0 }, { 0, 0, 20517 } };
		amounts_as_reference(r, c, 3, 1, earn[w]);
		for (int k = 0; k < 3; k++)
			ptrules_cart_free(c[k]);
		ptrules_release(r);
	}
}

/* The inputs the machine code takes as at least 1 (pt_fast_input_pos in
 * fast_opt.c: order.day, order.month, order.weekday), whose value less
 * 1 it then takes as at least 0, writing it out unclamped: binding never
 * writes one below 1, whatever a cart or a forged file says.  Each
 * program earns one input less 1: those three, at their least (the 1st,
 * January, a Monday; before 1970, and in 1900, where the day number is
 * far below 0), and, for a typing too bold, inputs at least 0 that may
 * be 0 (the items, the total, a category, the balance, an account key),
 * which must stay clamped.  Then the last program's account key, whose
 * default is 777,777, made each of the three by a patched .ptbc with a
 * default of -5, 0 or -1, which binding must not give it; and the day,
 * the month and the weekday each alone in a rule set (binding splits
 * the date only for a rule set that reads the day or the month).  Read,
 * prepared and packed, every program's amounts must be the reference
 * VM's, and the calendar's. */
static void test_inputs_at_least_one(void **state)
{
	(void)state;
	enum { NP = 9, NC = 4 };
	static const char *const progs[NP] = {
		"program pd {\n  name \"Day\"\n  earn {\n    add (order.day - 1) * 1 points\n  }\n}\n",
		"program pm {\n  name \"Month\"\n  earn {\n    add (order.month - 1) * 1 points\n  }\n}\n",
		"program pw {\n  name \"Weekday\"\n  earn {\n    add (order.weekday - 1) * 1 points\n  }\n}\n",
		"program pi {\n  name \"Items\"\n  earn {\n    add (order.items - 1) * 1 points\n  }\n}\n",
		"program pt {\n  name \"Total\"\n  earn {\n    add (total - 1 yen) as points\n  }\n}\n",
		"program pc {\n  name \"Books\"\n  earn {\n    add (category.books - 1 yen) as points\n  }\n}\n",
		"program pb {\n  name \"Balance\"\n  earn {\n    add account.balance - 1 points\n  }\n}\n",
		"program pk {\n  name \"Key\"\n  input account.k: number = 0\n  earn {\n    add (account.k - 1) * 1 points\n  }\n}\n",
		"program pf {\n  name \"Forged\"\n  input account.f: number = 777777\n"
		"  earn {\n    add (account.f - 1) * 1 points\n  }\n}\n",
	};
	static const char *const ids[NP] = { "pd", "pm", "pw", "pi", "pt", "pc", "pb", "pk", "pf" };
	/* Mondays the 1st of January, a Monday the 29th of December, a
	 * Thursday the 5th of March; no item, a book of 1 yen, 2,000 yen with
	 * 1,000 of books, an item of 0 yen; the balance and account.k */
	static const char *const cart_head[NC] = {
		"order date=2024-01-01\n",
		"order date=1969-12-29\nitem price=1 category=books\n",
		"order date=2026-03-05\nitem price=1000\nitem price=500 qty=2 category=books\n",
		"order date=1900-01-01\nitem price=0\n",
	};
	static const char *const balance[NC] = { "0", "1", "7", "0" }, *const key[NC] = { "", " k=1", " k=5", " k=0" };
	static const int64_t earn[NC][NP] = {
		{ 0, 0, 0, 0, 0, 0, 0, 0, 777776 },
		{ 28, 11, 0, 0, 0, 0, 0, 0, 777776 },
		{ 4, 2, 3, 1, 1999, 999, 6, 4, 777776 },
		{ 0, 0, 0, 0, 0, 0, 0, 0, 777776 },
	};
	/* ways 1 to 3: account.f made order.day, order.month, order.weekday
	 * (kind 0, PT_IN_BUILTIN; built-ins 1 to 3), its default -5, 0, -1;
	 * ways 4 to 6: the day, the month, the weekday alone */
	static const int builtin[7] = { -1, 1, 2, 3, -1, -1, -1 };
	static const int64_t dflt[7] = { 777777, -5, 0, -1, 777777, 777777, 777777 };
	for (int w = 0; w < 7; w++) {
		size_t first = w < 4 ? 0 : (size_t)w - 4, np = w < 4 ? NP : 1;
		char src[4096], carts[8192];
		size_t ls = 0, lc = 0;
		for (size_t p = first; p < first + np; p++)
			ls += (size_t)snprintf(src + ls, sizeof src - ls, "%s", progs[p]);
		for (int k = 0; k < NC; k++) {
			lc += (size_t)snprintf(carts + lc, sizeof carts - lc, "cart id=%d\n%s", k, cart_head[k]);
			for (size_t p = first; p < first + np; p++)
				lc += (size_t)snprintf(carts + lc, sizeof carts - lc, "account program=%s balance=%s%s\n", ids[p],
						       p == 6 ? balance[k] : "0", p == 7 ? key[k] : "");
		}
		assert_true(ls < sizeof src && lc < sizeof carts);
		ptrules_rules *r = builtin[w] < 0 ? px_load_text(src) : forged_input(src, "f", 777777, dflt[w], 0, builtin[w]);
#if defined(__x86_64__) && defined(__linux__) && !defined(PT_NO_JIT)
		for (size_t p = 0; p < np; p++)
			assert_true(ptrules_program_native(r, p));   /* the machine code runs each */
#endif
		int64_t want[NC * NP];
		for (int k = 0; k < NC; k++)
			for (size_t p = 0; p < np; p++)   /* a forged key is the day, month or weekday less 1 */
				want[(size_t)k * np + p] = earn[k][p + first == NP - 1 && w > 0 ? (size_t)w - 1 : p + first];
		ptrules_cart *c[NC];
		read_carts(carts, c, NC);
		amounts_as_reference(r, c, NC, np, want);
		for (int k = 0; k < NC; k++)
			ptrules_cart_free(c[k]);
		ptrules_release(r);
	}
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
		cmocka_unit_test(test_dense_fraction),
		cmocka_unit_test(test_many_inputs),
		cmocka_unit_test(test_items_in_no_sum),
		cmocka_unit_test(test_fractional_amount),
		cmocka_unit_test(test_inputs_below_zero),
		cmocka_unit_test(test_inputs_at_least_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
