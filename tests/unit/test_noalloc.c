/* test_noalloc.c - zero heap allocations per evaluated cart after warm-up.
 *
 * Linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free
 * (and strdup, strndup, posix_memalign, aligned_alloc; see mk/install.mk),
 * so every allocation that libptrules.a makes goes through the counters
 * below.  After a warm-up the test requires zero allocations while it
 * reads thousands of carts from one text with ptrules_reader_next (in
 * memory and streamed in chunks),
 * evaluates them with ptrules_evaluate (plain, with the --explain trace,
 * and recording coverage; also carts whose rules fail at run time), reads
 * the results and formats JSON and text into its own buffers.  It requires
 * zero again while it rebuilds a cart field by field after
 * ptrules_cart_clear, and while it evaluates a prepared cart or a packed
 * one, one by one or a range at a time (ptrules_evaluate_range). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptrules.h"
#include "alloc_wrap.h"
#include "helpers.h"

/* ---- the counting interposer ---------------------------------------------------- */

static int counting;
static long n_allocs, n_frees;

void *__wrap_malloc(size_t n)
{
	n_allocs += counting;
	return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	n_allocs += counting;
	return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	n_allocs += counting;
	return __real_realloc(p, n);
}

void __wrap_free(void *p)
{
	n_frees += counting && p;
	__real_free(p);
}

char *__wrap_strdup(const char *s)
{
	n_allocs += counting;
	return __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
	n_allocs += counting;
	return __real_strndup(s, n);
}

int __wrap_posix_memalign(void **p, size_t align, size_t n)
{
	n_allocs += counting;
	return __real_posix_memalign(p, align, n);
}

void *__wrap_aligned_alloc(size_t align, size_t n)
{
	n_allocs += counting;
	return __real_aligned_alloc(align, n);
}

static void count_start(void)
{
	n_allocs = n_frees = 0;
	counting = 1;
}

static void count_stop(void)
{
	counting = 0;
}

/* ---- fixtures ----------------------------------------------------------------------- */

/* Carts with every kind of record and no unread keys (an unread key is a
 * warning, and a warning is a diagnostic record, which allocates). */
static const char *const patterns[] = {
	"order id=250-1234567 date=2026-11-24\n"
	"item price=3980 qty=2 category=grocery name=\"Coffee beans 1kg\"\n"
	"item price=1200 category=kindle name=\"e-book\"\n"
	"payment card=jcb\n"
	"account program=dpoint balance=1200 earned_3mo=1600 earned_this_month=40\n"
	"account program=recruit balance=500\n"
	"account program=okidoki balance=300\n",
	"order id=250-0000001 date=2024-06-01\n"
	"item price=20,000 name=\"Office chair\"\n"
	"payment card=visa\n"
	"account program=dpoint balance=500 earned_3mo=1600 earned_this_month=150\n",
	"order date=2025-06-01\n"
	"item price=2,000 category=grocery name=\"Green tea\"\n"
	"payment card=jcb\n"
	"account program=okidoki balance=300\n"
	"use program=okidoki points=100\n",
	"order id=bonus date=2026-03-05\n"
	"item price=9999 qty=3 category=grocery\n"
	"item price=500 qty=10 category=general name=\"A long name, with \\\"quotes\\\" and more text to copy\"\n"
	"item price=150 category=digital\n"
	"payment method=giftcard\n"
	"account program=dpoint balance=0 earned_3mo=6000 earned_this_month=10 dvaluepass=yes prime=yes "
	"bonus_earned_this_month=100\n"
	"account program=airwallet earned_this_month=9000\n",
	/* No order date: evaluated at today's date in Japan. */
	"item price=4,999 category=grocery\n"
	"payment card=mastercard\n"
	"account program=dpoint balance=0 earned_3mo=0 earned_this_month=0\n",
	/* Nothing linked. */
	"order id=empty date=2024-10-03\n"
	"item price=1 category=kindle\n",
};
#define NPATTERNS (sizeof patterns / sizeof *patterns)
#define ROUNDS 600

/* ROUNDS x every pattern, each cart behind a `cart id=` line. */
static char *multi_cart_text(size_t *len)
{
	size_t cap = 4096;
	for (size_t i = 0; i < NPATTERNS; i++)
		cap += (strlen(patterns[i]) + 32) * ROUNDS;
	char *s = malloc(cap);
	assert_non_null(s);
	size_t n = 0;
	for (int r = 0; r < ROUNDS; r++)
		for (size_t i = 0; i < NPATTERNS; i++)
			n += (size_t)snprintf(s + n, cap - n, "cart id=c%d-%zu\n%s\n", r, i, patterns[i]);
	*len = n;
	return s;
}

/* Text in memory served as a stream, in reads of `step` bytes. */
typedef struct feed {
	const char *text;
	size_t len, pos, step;
} feed;

/* ptrules_read_fn over a feed; allocates nothing. */
static long feed_read(void *ctx, char *buf, size_t cap)
{
	feed *f = ctx;
	size_t n = f->len - f->pos;
	n = n < cap ? n : cap;
	n = n < f->step ? n : f->step;
	memcpy(buf, f->text + f->pos, n);
	f->pos += n;
	return (long)n;
}

/* Evaluate every cart of text with each context; count allocations only
 * after the first warmup carts.  chunk 0 reads the text in memory; any
 * other size streams it in chunks of that size (and reads of 1,000
 * bytes).  Returns the number of carts counted. */
static long run_carts(ptrules_eval **ev, int nev, const char *text, size_t len, size_t warmup,
		      size_t chunk, long *allocs, long *frees)
{
	static char json[1 << 16], table[1 << 16];
	feed f = { text, len, 0, 1000 };
	ptrules_reader *rd = chunk ? ptrules_reader_new_stream(feed_read, &f, chunk, "carts.txt")
				   : ptrules_reader_new(text, len, "carts.txt");
	ptrules_diags *d = ptrules_diags_new();
	assert_non_null(rd);
	assert_non_null(d);
	const ptrules_cart *c;
	size_t index = 0;
	long counted = 0;
	for (;;) {
		if (index == warmup)
			count_start();
		if (!ptrules_reader_next(rd, &c, d))
			break;
		index++;
		counted += counting;
		for (int k = 0; k < nev; k++) {
			ptrules_status st = ptrules_evaluate(ev[k], c, k % 2 ? NULL : d);
			if (st != PTRULES_OK && st != PTRULES_ERUNTIME) {
				count_stop();
				ptrules_diags_print(d, stderr);
				fail_msg("cart %zu: status %d", index, (int)st);
			}
			for (size_t i = 0; i < ptrules_result_count(ev[k]); i++) {
				ptrules_result res;
				if (ptrules_result_get(ev[k], i, &res) != PTRULES_OK || !res.id)
					fail_msg("cart %zu: no result %zu", index, i);
			}
			size_t n1 = ptrules_format_json(ev[k], c, NULL, json, sizeof json);
			size_t n2 = ptrules_format_text(ev[k], c, "label", table, sizeof table);
			if (n1 >= sizeof json || n2 >= sizeof table || json[0] != '{')
				fail_msg("cart %zu: formatting failed", index);
		}
		if (ptrules_diags_count(d) != 0) {
			count_stop();
			ptrules_diags_print(d, stderr);
			fail_msg("cart %zu: unexpected diagnostics", index);
		}
	}
	count_stop();
	*allocs = n_allocs;
	*frees = n_frees;
	ptrules_diags_free(d);
	ptrules_reader_free(rd);
	return counted;
}

/* ---- tests ------------------------------------------------------------------------------ */

/* The counters see the library's allocations (else the tests below would
 * pass for the wrong reason). */
static void test_counter_sees_the_library(void **state)
{
	(void)state;
	count_start();
	ptrules_cart *c = ptrules_cart_new();
	ptrules_diags *d = ptrules_diags_new();
	ptrules_cart_add_item(c, 100, 1, "a-category-name", NULL);
	count_stop();
	assert_true(n_allocs >= 2);
	count_start();
	ptrules_cart_free(c);
	ptrules_diags_free(d);
	count_stop();
	assert_true(n_frees >= 2);
	/* Loading rules allocates, and so do diagnostics (strdup included). */
	count_start();
	ptrules_rules *r = px_load_rules("rules", NULL);
	count_stop();
	assert_true(n_allocs > 10);
	ptrules_release(r);
}

static void test_read_evaluate_format(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_rules("rules", "tests/rules-extra/airwallet.rules");
	ptrules_eval *ev[3] = { ptrules_eval_new(r, 0), ptrules_eval_new(r, PTRULES_EVAL_EXPLAIN),
				ptrules_eval_new(r, PTRULES_EVAL_EXPLAIN | PTRULES_EVAL_COVERAGE) };
	for (int k = 0; k < 3; k++)
		assert_non_null(ev[k]);
	size_t len;
	char *text = multi_cart_text(&len);
	long allocs, frees;
	long counted = run_carts(ev, 3, text, len, 2 * NPATTERNS, 0, &allocs, &frees);
	assert_int_equal(counted, (long)(ROUNDS - 2) * (long)NPATTERNS);
	if (allocs || frees)
		fail_msg("%ld allocations and %ld frees over %ld carts after warm-up", allocs, frees, counted);
	fprintf(stderr, "noalloc: %ld carts read, evaluated 3 ways and formatted, 0 allocations\n", counted);
	/* The same carts streamed: the buffer has grown by the warm-up. */
	counted = run_carts(ev, 3, text, len, 2 * NPATTERNS, 4096, &allocs, &frees);
	assert_int_equal(counted, (long)(ROUNDS - 2) * (long)NPATTERNS);
	if (allocs || frees)
		fail_msg("streamed: %ld allocations and %ld frees over %ld carts after warm-up", allocs, frees,
			 counted);
	fprintf(stderr, "noalloc: %ld carts streamed, evaluated 3 ways and formatted, 0 allocations\n",
		counted);
	assert_true(ptrules_coverage_count(ev[2]) > 0);
	free(text);
	for (int k = 0; k < 3; k++)
		ptrules_eval_free(ev[k]);
	ptrules_release(r);
}

/* Rules that fail at run time (division by zero) allocate nothing either. */
static void test_runtime_errors(void **state)
{
	(void)state;
	static const char rules[] =
		"program divz {\n"
		"  name \"Div\"\n"
		"  input account.div: number = 1\n"
		"  earn {\n"
		"    granted at payment\n"
		"    basis total\n"
		"    add floor(basis / account.div) as points\n"
		"  }\n"
		"}\n";
	ptrules_source src = { "divz.rules", rules, sizeof rules - 1 };
	ptrules_rules *r = NULL;
	assert_int_equal(ptrules_load_sources(&r, &src, 1, NULL), PTRULES_OK);
	ptrules_eval *ev[1] = { ptrules_eval_new(r, 1) };
	char text[1 << 16];
	size_t n = 0;
	for (int i = 0; i < 300; i++)
		n += (size_t)snprintf(text + n, sizeof text - n,
				      "cart\norder date=2026-01-01\nitem price=%d\naccount program=divz div=%d\n",
				      100 + i, i % 3);
	long allocs, frees;
	long counted = run_carts(ev, 1, text, n, 10, 0, &allocs, &frees);
	assert_int_equal(counted, 290);
	if (allocs || frees)
		fail_msg("%ld allocations and %ld frees over %ld carts after warm-up", allocs, frees, counted);
	ptrules_eval_free(ev[0]);
	ptrules_release(r);
}

/* A cart built field by field: rebuilding it after ptrules_cart_clear,
 * evaluating and formatting allocate nothing once it has been built. */
static void build(ptrules_cart *c, int i)
{
	ptrules_cart_clear(c);
	if (ptrules_cart_set_order(c, "250-1234567", i % 2 ? "2026-11-24" : "2026-03-05") ||
	    ptrules_cart_add_item(c, 3980, 2, "grocery", "Coffee beans 1kg") ||
	    ptrules_cart_add_item(c, 1200 + i % 100, 1, "kindle", "e-book") ||
	    ptrules_cart_set_payment(c, "jcb", NULL) ||
	    ptrules_cart_add_account(c, "dpoint", 1200) ||
	    ptrules_cart_set_int(c, "dpoint", "earned_3mo", 1600 + i % 5000) ||
	    ptrules_cart_set_int(c, "dpoint", "earned_this_month", 40) ||
	    ptrules_cart_set_bool(c, "dpoint", "dvaluepass", i % 2) ||
	    ptrules_cart_add_account(c, "recruit", 500) ||
	    ptrules_cart_add_account(c, "okidoki", 300) ||
	    ptrules_cart_add_account(c, "airwallet", 0) ||
	    ptrules_cart_set_int(c, "airwallet", "earned_this_month", i))
		fail_msg("building cart %d failed", i);
}

static void test_built_cart(void **state)
{
	(void)state;
	static char json[1 << 16];
	ptrules_rules *r = px_load_rules("rules", "tests/rules-extra/airwallet.rules");
	ptrules_eval *e = ptrules_eval_new(r, 1);
	ptrules_cart *c = ptrules_cart_new();
	ptrules_diags *d = ptrules_diags_new();
	for (int i = 0; i < 3; i++)
		build(c, i);
	long build_allocs = 0, eval_allocs = 0, frees = 0;
	for (int i = 0; i < 3000; i++) {
		count_start();
		build(c, i);
		count_stop();
		build_allocs += n_allocs;
		frees += n_frees;
		count_start();
		ptrules_status st = ptrules_evaluate(e, c, d);
		size_t n = ptrules_format_json(e, c, NULL, json, sizeof json);
		count_stop();
		eval_allocs += n_allocs;
		frees += n_frees;
		assert_int_equal(st, PTRULES_OK);
		assert_true(n < sizeof json);
		assert_int_equal(ptrules_diags_count(d), 0);
	}
	if (build_allocs || eval_allocs || frees)
		fail_msg("3000 built carts: %ld allocations building, %ld evaluating, %ld frees", build_allocs,
			 eval_allocs, frees);
	/* Prepared (ptrules_cart_prepare allocates; evaluating it does not). */
	assert_int_equal(ptrules_cart_prepare(c, r), PTRULES_OK);
	assert_true(ptrules_cart_prepared(c, r));
	count_start();
	for (int i = 0; i < 1000; i++)
		assert_int_equal(ptrules_evaluate(e, c, d), PTRULES_OK);
	count_stop();
	if (n_allocs || n_frees)
		fail_msg("a prepared cart: %ld allocations, %ld frees evaluating it", n_allocs, n_frees);
	/* Packed (ptrules_batch_add allocates; evaluating and printing do not). */
	ptrules_batch *b = ptrules_batch_new(r);
	for (int i = 0; i < 3; i++) {
		build(c, i);
		assert_int_equal(ptrules_batch_add(b, c), PTRULES_OK);
	}
	count_start();
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(ptrules_evaluate_packed(e, b, (size_t)i % 3), PTRULES_OK);
		assert_true(ptrules_format_json(e, NULL, NULL, json, sizeof json) < sizeof json);
	}
	ptrules_amounts amounts[3 * 8];   /* the three carts in one call: the shipped rules hold fewer than 8 programs */
	size_t np = ptrules_program_count(r);
	assert_true(np <= 8);
	for (int i = 0; i < 300; i++)
		assert_int_equal(ptrules_evaluate_range(e, b, 0, 3, amounts, np), PTRULES_OK);
	count_stop();
	if (n_allocs || n_frees)
		fail_msg("packed carts: %ld allocations, %ld frees evaluating them", n_allocs, n_frees);
	ptrules_batch_free(b);
	ptrules_diags_free(d);
	ptrules_cart_free(c);
	ptrules_eval_free(e);
	ptrules_release(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counter_sees_the_library),
		cmocka_unit_test(test_read_evaluate_format),
		cmocka_unit_test(test_runtime_errors),
		cmocka_unit_test(test_built_cart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
