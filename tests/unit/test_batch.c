/* test_batch.c - carts packed into a batch (ptrules_batch_add) evaluate
 * exactly as the carts they were packed from.
 *
 * Every cart of the test carts, the corpus and the examples is read and
 * packed straight from its reader (packing copies, so the reader's cart
 * is reused underneath); after the files are closed, each packed cart's
 * JSON and text output, amounts and order must equal those of the cart as
 * read.  A batch takes exactly the carts ptrules_cart_prepare prepares,
 * less those with an overflowing sum, and says PTRULES_EINVALID for the
 * rest.  Carts with `use` records are packed with them: the order's
 * policies and the use report come out the same.  Then the edges: wrong
 * evaluator, index out of range, NULLs, the label printed for a packed
 * cart, a batch emptied and filled again, and the batch keeping its
 * rules alive (SANITIZE=1 checks the last). */
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

/* What pack_one needs, and what it collects. */
typedef struct pack_ctx {
	ptrules_rules *r;
	ptrules_eval *e;
	ptrules_batch *b;
	ptrules_cart *copy;
	char **expect;            /* what each packed cart must give */
	size_t uses;              /* packed carts with use records */
} pack_ctx;

/* One cart as read, and packed when the batch takes it: exactly the
 * carts ptrules_cart_prepare prepares, less overflowing ones. */
static void pack_one(const char *path, ptrules_reader *rd, const ptrules_cart *c, void *ctx)
{
	static char want[1 << 16];
	pack_ctx *x = ctx;
	(void)path;
	(void)rd;
	ptrules_status st = ptrules_evaluate(x->e, c, NULL);
	px_describe(x->e, c, st, want, sizeof want);
	int prepared = 0;
	if (!ptrules_cart_errors(c)) {
		assert_int_equal(ptrules_cart_copy(x->copy, c), PTRULES_OK);
		assert_int_equal(ptrules_cart_prepare(x->copy, x->r), PTRULES_OK);
		prepared = ptrules_cart_prepared(x->copy, x->r);
	}
	size_t n = ptrules_batch_count(x->b);
	ptrules_status add = ptrules_batch_add(x->b, c);
	if (add == PTRULES_EINVALID) {   /* exactly what the header says is left out */
		assert_int_equal(ptrules_batch_count(x->b), n);
		assert_true(!prepared || st == PTRULES_EINVALID);
		return;
	}
	assert_int_equal(add, PTRULES_OK);
	assert_true(prepared);
	x->uses += strstr(want, "\norder 1 ") != NULL;   /* px_describe: has_uses */
	assert_int_equal(ptrules_batch_count(x->b), n + 1);
	x->expect = realloc(x->expect, (n + 1) * sizeof *x->expect);
	assert_non_null(x->expect);
	x->expect[n] = strdup(want);
	assert_non_null(x->expect[n]);
}

/* Every packed cart of b through ptrules_evaluate_range, in ranges of
 * several lengths and with several strides: each cart's amounts must be
 * those ptrules_evaluate_packed and ptrules_amounts_list give it, slots
 * past the programs untouched; a call's status must be PTRULES_ERUNTIME
 * exactly when some cart of its range gave that; and afterwards e's
 * results must describe the range's last cart as expect says. */
static void compare_range(ptrules_eval *e, const ptrules_batch *b, char **expect)
{
	static char got_text[1 << 16];
	size_t n = ptrules_batch_count(b), np = ptrules_program_count(ptrules_eval_rules(e));
	ptrules_amounts *want = calloc(n * np + 1, sizeof *want), *got = calloc(n * (np + 2) + 1, sizeof *got);
	ptrules_status *st = calloc(n + 1, sizeof *st);
	assert_true(want && got && st && np > 1);
	size_t runtime = 0;
	for (size_t i = 0; i < n; i++) {
		st[i] = ptrules_evaluate_packed(e, b, i);
		runtime += st[i] == PTRULES_ERUNTIME;
		assert_int_equal(ptrules_amounts_list(e, &want[i * np], np), np);
	}
	static const size_t lens[] = { 1, 3, 64, 1000, SIZE_MAX };   /* SIZE_MAX: the whole batch at once */
	static const size_t extra[] = { 0, 1, 2, 0, 1 };              /* slots past the programs */
	for (size_t l = 0; l < sizeof lens / sizeof *lens; l++) {
		size_t len = lens[l] < n ? lens[l] : n, stride = np + extra[l];
		memset(got, 0xA5, n * stride * sizeof *got);
		for (size_t from = 0; from < n; from += len) {
			size_t m = n - from < len ? n - from : len;
			ptrules_status want_st = PTRULES_OK;
			for (size_t k = from; k < from + m; k++)
				if (st[k] != PTRULES_OK)
					want_st = st[k];
			assert_int_equal(ptrules_evaluate_range(e, b, from, m, &got[from * stride], stride), want_st);
			px_describe(e, NULL, st[from + m - 1], got_text, sizeof got_text);
			if (strcmp(expect[from + m - 1], got_text) != 0) {
				fprintf(stderr, "after the range %zu+%zu, cart %zu differs:\n%s---\n%s", from, m,
					from + m - 1, expect[from + m - 1], got_text);
				fail();
			}
		}
		ptrules_amounts untouched;
		memset(&untouched, 0xA5, sizeof untouched);
		for (size_t i = 0; i < n; i++) {
			for (size_t p = 0; p < np; p++)
				if (memcmp(&got[i * stride + p], &want[i * np + p], sizeof *got) != 0)
					fail_msg("cart %zu, program %zu: ranges of %zu give other amounts", i, p, len);
			for (size_t p = np; p < stride; p++)
				assert_memory_equal(&got[i * stride + p], &untouched, sizeof untouched);
		}
	}
	/* a stride below the program count: the first programs only */
	memset(got, 0xA5, n * sizeof *got);
	assert_int_equal(ptrules_evaluate_range(e, b, 0, n, got, 1), runtime ? PTRULES_ERUNTIME : PTRULES_OK);
	for (size_t i = 0; i < n; i++)
		assert_memory_equal(&got[i], &want[i * np], sizeof *got);
	free(st);
	free(got);
	free(want);
}

/* Every corpus cart packed into one batch for rules r, compared with the
 * cart as read; returns how many were packed. */
static size_t compare_all(ptrules_rules *r)
{
	static char got[1 << 16];
	pack_ctx x = { r, ptrules_eval_new(r, 0), ptrules_batch_new(r), ptrules_cart_new(), NULL, 0 };
	ptrules_eval *e = x.e;
	ptrules_batch *b = x.b;
	assert_non_null(e);
	assert_non_null(b);
	assert_non_null(x.copy);
	assert_true(px_each_corpus_cart(pack_one, &x) >= 2000);   /* the files are closed after */
	assert_true(x.uses >= 50);   /* carts with use records were packed too */
	char **expect = x.expect;
	size_t n = ptrules_batch_count(b);
	for (int twice = 0; twice < 2; twice++)   /* evaluating does not consume a packed cart */
		for (size_t i = 0; i < n; i++) {
			px_describe(e, NULL, ptrules_evaluate_packed(e, b, i), got, sizeof got);
			if (strcmp(expect[i], got) != 0) {
				fprintf(stderr, "packed cart %zu differs:\n%s---\n%s", i, expect[i], got);
				fail();
			}
		}
	compare_range(e, b, expect);
	for (size_t i = 0; i < n; i++)
		free(expect[i]);
	free(expect);
	ptrules_cart_free(x.copy);
	ptrules_batch_free(b);
	ptrules_eval_free(e);
	return n;
}

static void test_corpus_shipped(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_rules("rules", NULL);
	size_t n = compare_all(r);
	fprintf(stderr, "%zu carts packed\n", n);
	assert_true(n >= 1900);   /* the corpus is mostly dated carts without a diagnostic */
	ptrules_release(r);
}

/* The extra rules read use.points_yen, so the fast code is not built:
 * packed carts then run the reference VM, with the same results. */
static void test_corpus_extra(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_rules("rules", "tests/rules-extra");
	assert_true(compare_all(r) >= 100);
	ptrules_release(r);
}

/* dpoint's earned points for the last evaluation. */
static int64_t dpoint_earn(ptrules_eval *e)
{
	ptrules_rules *r = ptrules_eval_rules(e);
	for (size_t i = 0; i < ptrules_program_count(r); i++)
		if (strcmp(ptrules_program_id(r, i), "dpoint") == 0) {
			ptrules_amounts a;
			assert_int_equal(ptrules_amounts_get(e, i, &a), PTRULES_OK);
			return a.earn_points;
		}
	fail();
	return -1;
}

/* What is left out, and the batch is unchanged by it. */
static void test_left_out(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_rules("rules", NULL);
	ptrules_batch *b = ptrules_batch_new(r);
	ptrules_cart *c = px_small_cart("o1", NULL);   /* no date: evaluated at today's */
	assert_int_equal(ptrules_batch_add(b, c), PTRULES_EINVALID);
	assert_int_equal(ptrules_cart_set_order(c, "o1", "2025-06-01"), PTRULES_OK);
	assert_int_equal(ptrules_cart_set_word(c, "dpoint", "nickname", "x"), PTRULES_OK);   /* a warning */
	assert_int_equal(ptrules_batch_add(b, c), PTRULES_EINVALID);
	ptrules_cart_free(c);

	c = px_small_cart("o2", "2025-06-01");   /* the total overflows */
	assert_int_equal(ptrules_cart_add_item(c, INT64_MAX / 4, 3, "grocery", NULL), PTRULES_OK);
	assert_int_equal(ptrules_cart_add_item(c, INT64_MAX / 4, 3, "grocery", NULL), PTRULES_OK);
	assert_int_equal(ptrules_batch_add(b, c), PTRULES_EINVALID);
	ptrules_cart_free(c);

	assert_int_equal(ptrules_batch_count(b), 0);
	assert_int_equal(ptrules_batch_add(b, NULL), PTRULES_EARG);
	assert_int_equal(ptrules_batch_add(NULL, NULL), PTRULES_EARG);
	assert_int_equal(ptrules_batch_count(NULL), 0);
	assert_null(ptrules_batch_new(NULL));
	ptrules_batch_free(NULL);
	ptrules_batch_free(b);
	ptrules_release(r);
}

/* Indexes, evaluators of other rules, the label, and lifetimes: the
 * batch keeps its rules, and packed carts outlive their cart objects. */
static void test_edges(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_rules("rules", NULL), *other = px_load_rules("rules", NULL);
	ptrules_batch *b = ptrules_batch_new(r);
	ptrules_release(r);   /* the batch holds r */
	ptrules_eval *e = ptrules_eval_new(r, 0), *eo = ptrules_eval_new(other, 0);
	ptrules_cart *c = px_small_cart("first", "2025-06-01");
	assert_int_equal(ptrules_batch_add(b, c), PTRULES_OK);
	assert_int_equal(ptrules_cart_add_item(c, 4000, 1, "grocery", NULL), PTRULES_OK);   /* 10,000 yen */
	assert_int_equal(ptrules_batch_add(b, c), PTRULES_OK);
	assert_int_equal(ptrules_cart_set_use(c, "dpoint", 300), PTRULES_OK);
	assert_int_equal(ptrules_cart_set_giftcard(c, 1000), PTRULES_OK);
	assert_int_equal(ptrules_batch_add(b, c), PTRULES_OK);   /* with its use records */
	ptrules_cart_free(c);
	assert_int_equal(ptrules_batch_count(b), 3);

	assert_int_equal(ptrules_evaluate_packed(e, b, 2), PTRULES_OK);
	ptrules_order o;
	assert_int_equal(ptrules_order_get(e, &o), PTRULES_OK);
	assert_true(o.has_uses);
	assert_int_equal(o.total_yen, 10000);
	assert_int_equal(o.pay_yen, 10000 - 1000 - 300);   /* gift card first, then the points */

	assert_int_equal(ptrules_evaluate_packed(e, b, 1), PTRULES_OK);
	assert_int_equal(dpoint_earn(e), 100);   /* the base cap of 100 */
	assert_int_equal(ptrules_order_get(e, &o), PTRULES_OK);   /* nothing of cart 2's use is left */
	assert_false(o.has_uses);
	assert_true(o.valid);
	assert_int_equal(o.total_yen, 10000);
	assert_int_equal(o.giftcard_yen, 0);
	assert_int_equal(o.pay_yen, 10000);
	ptrules_amounts one[1];   /* ptrules_amounts_list fills no more than asked */
	one[0].earn_points = -7;
	assert_int_equal(ptrules_amounts_list(e, NULL, 0), ptrules_program_count(r));
	assert_int_equal(ptrules_amounts_list(e, one, 1), ptrules_program_count(r));
	assert_true(one[0].earn_points >= 0);
	assert_int_equal(ptrules_amounts_list(NULL, one, 1), 0);
	assert_int_equal(ptrules_evaluate_packed(e, b, 0), PTRULES_OK);
	assert_int_equal(dpoint_earn(e), 60);    /* floor(6,000 x 1%) */
	size_t np = ptrules_program_count(r);
	assert_int_equal(ptrules_amounts_get(e, np - 1, &one[0]), PTRULES_OK);
	assert_int_equal(ptrules_amounts_get(e, np, &one[0]), PTRULES_EARG);   /* past the last program */
	assert_int_equal(ptrules_amounts_get(e, 0, NULL), PTRULES_EARG);
	assert_int_equal(ptrules_amounts_get(NULL, 0, &one[0]), PTRULES_EARG);
	char out[8192];
	assert_true(ptrules_format_text(e, NULL, NULL, out, sizeof out) > 0);
	assert_non_null(strstr(out, "first"));   /* labelled with the packed cart's id */
	assert_true(ptrules_format_text(e, NULL, "mine", out, sizeof out) > 0);
	assert_non_null(strstr(out, "mine"));

	/* ptrules_evaluate_range: the three carts in one call, the last
	 * one's results readable after it */
	ptrules_amounts amt[3 * 8];
	assert_true(np <= 8);
	assert_int_equal(ptrules_evaluate_range(e, b, 0, 3, amt, np), PTRULES_OK);
	assert_int_equal(ptrules_order_get(e, &o), PTRULES_OK);
	assert_true(o.has_uses);   /* cart 2's */
	assert_int_equal(o.pay_yen, 10000 - 1000 - 300);
	assert_int_equal(ptrules_evaluate_range(e, b, 0, 2, amt, np), PTRULES_OK);
	assert_int_equal(dpoint_earn(e), 100);   /* cart 1's */
	assert_true(ptrules_format_text(e, NULL, NULL, out, sizeof out) > 0);
	assert_non_null(strstr(out, "first"));
	/* refused: nothing written, no results left, whichever check says no */
	memset(amt, 0x5A, sizeof amt);
	ptrules_amounts same[3 * 8];
	memcpy(same, amt, sizeof amt);
	const struct {
		ptrules_eval *e;
		const ptrules_batch *b;
		size_t from, n, stride;
		ptrules_amounts *out;
	} bad[] = {
		{ e, NULL, 0, 1, np, amt }, { eo, b, 0, 1, np, amt },   /* no batch; another rule set's evaluator */
		{ e, b, 0, 4, np, amt },    { e, b, 4, 0, np, amt },    /* past the end; starting past it */
		{ e, b, 2, SIZE_MAX, np, amt },                         /* from + n overflows */
		{ e, b, 0, 1, np, NULL },   { e, b, 0, 1, 0, amt },     /* nowhere to write */
	};
	for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
		if (bad[k].e == e)   /* results the refusal must drop */
			assert_int_equal(ptrules_evaluate_packed(e, b, 0), PTRULES_OK);
		assert_int_equal(ptrules_evaluate_range(bad[k].e, bad[k].b, bad[k].from, bad[k].n, bad[k].out,
							bad[k].stride),
				 PTRULES_EARG);
		assert_int_equal(ptrules_result_count(bad[k].e), 0);
		assert_memory_equal(amt, same, sizeof amt);
	}
	assert_int_equal(ptrules_evaluate_range(NULL, b, 0, 1, amt, np), PTRULES_EARG);
	assert_int_equal(ptrules_evaluate_packed(e, b, 0), PTRULES_OK);
	assert_int_equal(ptrules_evaluate_range(e, b, 3, 0, NULL, 0), PTRULES_OK);   /* an empty range at the end */
	assert_int_equal(ptrules_result_count(e), 0);   /* describes no cart */
	assert_memory_equal(amt, same, sizeof amt);

	/* a failed call leaves no results, whichever check refuses it, after
	 * a call that left some */
	assert_int_equal(ptrules_evaluate_packed(e, b, 3), PTRULES_EARG);
	assert_int_equal(ptrules_result_count(e), 0);
	assert_int_equal(ptrules_evaluate_packed(e, b, 0), PTRULES_OK);
	assert_int_equal(ptrules_evaluate_packed(e, NULL, 0), PTRULES_EARG);
	assert_int_equal(ptrules_result_count(e), 0);
	ptrules_batch *bo = ptrules_batch_new(other);
	c = px_small_cart("other", "2025-06-01");
	assert_int_equal(ptrules_batch_add(bo, c), PTRULES_OK);
	ptrules_cart_free(c);
	assert_int_equal(ptrules_evaluate_packed(eo, bo, 0), PTRULES_OK);
	assert_true(ptrules_result_count(eo) > 0);
	assert_int_equal(ptrules_evaluate_packed(eo, b, 0), PTRULES_EARG);   /* same files, other rules */
	assert_int_equal(ptrules_result_count(eo), 0);
	assert_int_equal(ptrules_evaluate_packed(e, b, 0), PTRULES_OK);
	assert_int_equal(ptrules_evaluate_packed(e, bo, 0), PTRULES_EARG);
	assert_int_equal(ptrules_evaluate_packed(NULL, b, 0), PTRULES_EARG);
	assert_int_equal(ptrules_result_count(e), 0);
	ptrules_batch_free(bo);
	assert_int_equal(ptrules_amounts_list(e, one, 1), 0);
	assert_int_equal(ptrules_amounts_get(e, 0, &one[0]), PTRULES_EARG);   /* nor amounts of one */

	ptrules_batch_clear(b);   /* empty, its memory kept for the next carts */
	assert_int_equal(ptrules_batch_count(b), 0);
	assert_int_equal(ptrules_evaluate_packed(e, b, 0), PTRULES_EARG);
	c = px_small_cart("again", "2025-06-01");
	assert_int_equal(ptrules_batch_add(b, c), PTRULES_OK);
	ptrules_cart_free(c);
	assert_int_equal(ptrules_evaluate_packed(e, b, 0), PTRULES_OK);
	assert_int_equal(dpoint_earn(e), 60);
	assert_true(ptrules_format_json(e, NULL, NULL, out, sizeof out) > 0);
	assert_non_null(strstr(out, "\"again\""));
	ptrules_batch_clear(NULL);

	ptrules_eval_free(eo);
	ptrules_release(other);
	ptrules_eval_free(e);
	ptrules_batch_free(b);   /* lets r go */
}

/* Ranges over carts whose rules fail at run time on some of them: two
 * programs of whole amounts in machine code, with category sums (so a
 * range binds and runs their carts in its own loop), one dividing by an
 * input that is 0 on every third cart.
 * compare_range requires PTRULES_ERUNTIME exactly for the ranges that
 * hold such a cart, every amount as one by one, and the last cart's
 * results after each call; with the explain trace, the evaluator runs
 * no machine code and a range takes the one-cart path. */
static void test_range_runtime_errors(void **state)
{
	(void)state;
	static const char text[] = "program divz {\n"
				   "  name \"Div\"\n"
				   "  input account.div: number = 1\n"
				   "  exclude categories giftcard\n"
				   "  earn {\n"
				   "    granted at payment\n"
				   "    basis eligible\n"
				   "    add floor(basis / account.div) as points\n"
				   "  }\n"
				   "}\n"
				   "program half {\n"
				   "  name \"Half\"\n"
				   "  exclude categories giftcard, kindle\n"
				   "  earn {\n"
				   "    granted at payment\n"
				   "    basis eligible\n"
				   "    add floor(basis / 2) as points cap 40 points else \"capped\"\n"
				   "  }\n"
				   "}\n";
	ptrules_source src = { "divz.rules", text, sizeof text - 1 };
	ptrules_diags *d = ptrules_diags_new();
	ptrules_rules *r = NULL;
	assert_int_equal(ptrules_load_sources(&r, &src, 1, d), PTRULES_OK);
	assert_int_equal(ptrules_program_count(r), 2);
	enum { N = 90 };
	for (int flags = 0; flags <= PTRULES_EVAL_EXPLAIN; flags += PTRULES_EVAL_EXPLAIN) {
		ptrules_eval *e = ptrules_eval_new(r, flags);
		ptrules_batch *b = ptrules_batch_new(r);
		ptrules_cart *c = ptrules_cart_new();
		char **expect = calloc(N, sizeof *expect), want[1 << 14];
		assert_true(e && b && c && expect);
		size_t failing = 0;
		for (int i = 0; i < N; i++) {
			char id[16];
			snprintf(id, sizeof id, "c%d", i);
			ptrules_cart_clear(c);
			assert_int_equal(ptrules_cart_set_order(c, id, "2026-01-01"), PTRULES_OK);
			for (int k = 0; k <= i % 6; k++)   /* 1 to 6 items: one chunk of four, or two */
				assert_int_equal(ptrules_cart_add_item(c, 10 + 7 * i + k, 1 + k % 2,
								       k % 3 == 1 ? "giftcard" : k % 3 == 2 ? "kindle" : NULL, NULL),
						 PTRULES_OK);
			if (i % 5 != 4) {   /* every fifth cart without the account: divz unlinked */
				assert_int_equal(ptrules_cart_add_account(c, "divz", 0), PTRULES_OK);
				assert_int_equal(ptrules_cart_set_int(c, "divz", "div", i % 3 == 0 ? 0 : 1 + i % 4), PTRULES_OK);
			}
			ptrules_status st = ptrules_evaluate(e, c, d);
			failing += st == PTRULES_ERUNTIME;
			px_describe(e, c, st, want, sizeof want);
			assert_non_null(expect[i] = strdup(want));
			assert_int_equal(ptrules_batch_add(b, c), PTRULES_OK);
		}
		assert_true(failing >= 20);
		assert_int_equal(ptrules_program_native(r, 0), 1);   /* the machine code runs them (flags 0) */
		assert_int_equal(ptrules_program_native(r, 1), 1);
		compare_range(e, b, expect);
		for (int i = 0; i < N; i++)
			free(expect[i]);
		free(expect);
		ptrules_cart_free(c);
		ptrules_batch_free(b);
		ptrules_eval_free(e);
	}
	ptrules_release(r);
	ptrules_diags_free(d);
}

/* A batch large enough to grow its memory many times over: every cart
 * still gives its own answer, the one its cart object gave. */
static void test_growth(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_rules("rules", NULL);
	ptrules_batch *b = ptrules_batch_new(r);
	ptrules_eval *e = ptrules_eval_new(r, 0);
	ptrules_cart *c = ptrules_cart_new();
	enum { N = 20000 };
	static int64_t earn[N];
	for (int i = 0; i < N; i++) {
		char id[32];
		snprintf(id, sizeof id, "g%d", i);
		ptrules_cart_clear(c);
		assert_int_equal(ptrules_cart_set_order(c, id, i % 2 ? "2025-06-01" : "2024-05-01"), PTRULES_OK);
		for (int k = 0; k <= i % 7; k++)
			assert_int_equal(ptrules_cart_add_item(c, 1000 * (i % 50 + 1), 1, "grocery", NULL), PTRULES_OK);
		assert_int_equal(ptrules_cart_add_account(c, "dpoint", 0), PTRULES_OK);
		assert_int_equal(ptrules_cart_set_int(c, "dpoint", "earned_3mo", 0), PTRULES_OK);
		assert_int_equal(ptrules_cart_set_int(c, "dpoint", "earned_this_month", i % 120), PTRULES_OK);
		assert_int_equal(ptrules_evaluate(e, c, NULL), PTRULES_OK);
		earn[i] = dpoint_earn(e);
		assert_int_equal(ptrules_batch_add(b, c), PTRULES_OK);
	}
	int64_t distinct = 0;
	for (int i = 0; i < N; i += 97) {
		assert_int_equal(ptrules_evaluate_packed(e, b, (size_t)i), PTRULES_OK);
		assert_int_equal(dpoint_earn(e), earn[i]);
		distinct += i && earn[i] != earn[i - 97];
		char out[8192], id[32];
		snprintf(id, sizeof id, "\"g%d\"", i);
		assert_true(ptrules_format_json(e, NULL, NULL, out, sizeof out) > 0);
		assert_non_null(strstr(out, id));
	}
	assert_true(distinct > 50);   /* the carts differ, so a mix-up would show */
	ptrules_cart_free(c);
	ptrules_eval_free(e);
	ptrules_batch_free(b);
	ptrules_release(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_shipped),
		cmocka_unit_test(test_corpus_extra),
		cmocka_unit_test(test_left_out),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_range_runtime_errors),
		cmocka_unit_test(test_growth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
