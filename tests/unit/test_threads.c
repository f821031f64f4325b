/* test_threads.c - one rule set evaluated from several threads at once,
 * and a rule set swapped while threads evaluate (docs/library.md,
 * "Threads and hot swap").
 *
 * Every result is compared with what a single thread computes for the
 * same cart and the same rule set.  One prepared cart, and one batch of
 * the carts packed (evaluated one by one and by ranges), are shared by all threads; in the swap test each thread's built cart stays prepared for
 * the first rule set (and keeps it alive) while later ones are used.  Under `make check SANITIZE=1`,
 * AddressSanitizer also catches a rule set freed while still in use and
 * any rule set that is never freed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ptrules.h"
#include "helpers.h"

#define NTHREADS 4
#define NGEN     40               /* generated carts */
#define NCARTS   (NGEN + 1)       /* and the example cart, built field by field */
#define JSONCAP  (1 << 14)

enum { SET_A, SET_B, NSETS };     /* rules/, and rules/ + airwallet.rules */

static char *cart_text[NGEN];
static char *expected[NSETS][2][NCARTS];   /* [set][explain][cart] */
static char rules_dir[4096], airwallet[4096];
static unsigned char *set_bytes[NSETS];    /* the sets compiled, for loading from bytecode */
static size_t set_len[NSETS];

/* A mix of carts: dates before and after the rank change and OkiDoki's
 * end, bonus days, thresholds, caps, cards, excluded categories, and
 * accounts for one to four programs. */
static char *make_cart(int i)
{
	static const char *dates[] = { "2024-06-01", "2024-10-05", "2025-06-01", "2026-03-05", "2026-11-24" };
	static const char *cards[] = { "card=jcb", "card=visa", "method=giftcard", "card=mastercard" };
	static const char *cats[] = { "grocery", "general", "kindle", "digital", "books" };
	char *s = malloc(1024);
	int n = snprintf(s, 1024, "order id=gen-%d date=%s\n", i, dates[i % 5]);
	n += snprintf(s + n, 1024 - n, "item price=%d qty=%d category=%s\n", 1000 + (i * 977) % 25000,
		      1 + i % 3, cats[i % 5]);
	if (i % 2)
		n += snprintf(s + n, 1024 - n, "item price=%d category=%s\n", 300 + i * 31, cats[(i + 2) % 5]);
	n += snprintf(s + n, 1024 - n, "payment %s\n", cards[i % 4]);
	n += snprintf(s + n, 1024 - n,
		      "account program=dpoint balance=%d earned_3mo=%d earned_this_month=%d dvaluepass=%s prime=%s\n",
		      (i * 53) % 3000, (i * 397) % 6000, (i * 13) % 260, i % 3 ? "yes" : "no", i % 4 ? "no" : "yes");
	if (i % 3 != 1)
		n += snprintf(s + n, 1024 - n, "account program=okidoki balance=%d\n", (i * 71) % 900);
	if (i % 4 != 2)
		n += snprintf(s + n, 1024 - n, "account program=recruit balance=%d\n", (i * 29) % 1500);
	if (i % 2 == 0)
		n += snprintf(s + n, 1024 - n, "account program=airwallet earned_this_month=%d\n", (i * 601) % 11000);
	return s;
}

/* The example cart of examples/cart.txt, built field by field. */
static void build_example(ptrules_cart *c)
{
	ptrules_cart_clear(c);
	ptrules_cart_set_order(c, "250-1234567", "2026-11-24");
	ptrules_cart_add_item(c, 3980, 2, "grocery", "Coffee beans 1kg");
	ptrules_cart_add_item(c, 1200, 1, "kindle", "e-book");
	ptrules_cart_set_payment(c, "jcb", NULL);
	ptrules_cart_add_account(c, "dpoint", 1200);
	ptrules_cart_set_int(c, "dpoint", "earned_3mo", 1600);
	ptrules_cart_set_int(c, "dpoint", "earned_this_month", 40);
	ptrules_cart_add_account(c, "recruit", 500);
	ptrules_cart_add_account(c, "okidoki", 300);
}

/* One thread's carts: one reader per generated cart (each read once, so
 * its cart stays valid) and the built example. */
typedef struct carts {
	ptrules_reader *rd[NGEN];
	const ptrules_cart *c[NCARTS];
	ptrules_cart *built;
} carts;

static int carts_open(carts *k)
{
	for (int i = 0; i < NGEN; i++) {
		k->rd[i] = ptrules_reader_new(cart_text[i], strlen(cart_text[i]), "gen.txt");
		if (!k->rd[i] || !ptrules_reader_next(k->rd[i], &k->c[i], NULL) || ptrules_cart_errors(k->c[i]))
			return -1;
	}
	k->built = ptrules_cart_new();
	if (!k->built)
		return -1;
	build_example(k->built);
	k->c[NGEN] = k->built;
	return 0;
}

static void carts_close(carts *k)
{
	for (int i = 0; i < NGEN; i++)
		ptrules_reader_free(k->rd[i]);
	ptrules_cart_free(k->built);
}

/* Evaluate cart i and format it; returns the JSON in buf, or NULL. */
static const char *eval_json(ptrules_eval *e, const carts *k, int i, char *buf)
{
	ptrules_status st = ptrules_evaluate(e, k->c[i], NULL);
	if (st != PTRULES_OK && st != PTRULES_ERUNTIME)
		return NULL;
	if (ptrules_format_json(e, k->c[i], NULL, buf, JSONCAP) >= JSONCAP)
		return NULL;
	return buf;
}

static ptrules_rules *load_set(int set)
{
	const char *paths[2] = { rules_dir, airwallet };
	ptrules_rules *r = NULL;
	if (ptrules_load_paths(&r, paths, set == SET_A ? 1 : 2, NULL) != PTRULES_OK)
		return NULL;
	return r;
}

/* Which set a rule set is: B has the fourth program. */
static int set_of(const ptrules_rules *r)
{
	return ptrules_program_count(r) == 4 ? SET_B : SET_A;
}

static int setup(void **state)
{
	(void)state;
	root_path(rules_dir, sizeof rules_dir, "rules");
	root_path(airwallet, sizeof airwallet, "tests/rules-extra/airwallet.rules");
	for (int i = 0; i < NGEN; i++)
		cart_text[i] = make_cart(i);
	carts k;
	if (carts_open(&k))
		return -1;
	static char buf[JSONCAP];
	for (int set = 0; set < NSETS; set++) {
		ptrules_rules *r = load_set(set);
		if (!r || ptrules_save_bytecode(r, &set_bytes[set], &set_len[set]) != PTRULES_OK)
			return -1;
		for (int explain = 0; explain <= 1; explain++) {
			ptrules_eval *e = ptrules_eval_new(r, explain);
			for (int i = 0; i < NCARTS; i++) {
				if (!eval_json(e, &k, i, buf))
					return -1;
				expected[set][explain][i] = strdup(buf);
			}
			ptrules_eval_free(e);
		}
		ptrules_release(r);
	}
	carts_close(&k);
	/* The two sets differ on the carts with an airwallet account. */
	if (strcmp(expected[SET_A][0][0], expected[SET_B][0][0]) == 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < NGEN; i++)
		free(cart_text[i]);
	for (int s = 0; s < NSETS; s++) {
		free(set_bytes[s]);
		for (int x = 0; x < 2; x++)
			for (int i = 0; i < NCARTS; i++)
				free(expected[s][x][i]);
	}
	return 0;
}

/* ---- one rule set, many threads ------------------------------------------------ */

#define ITERATIONS 3000

typedef struct worker {
	int id;
	ptrules_rules *rules;
	const ptrules_cart *shared;   /* the example, prepared once, evaluated by every thread */
	const ptrules_batch *batch;   /* the carts packed once, evaluated by every thread */
	const int *packed_from;       /* the cart each packed cart came from */
	long evals, mismatches, failures;
	long per_set[NSETS];
} worker;

static void *shared_worker(void *arg)
{
	worker *w = arg;
	carts k;
	char *buf = malloc(JSONCAP);
	int explain = w->id == NTHREADS - 1;      /* one thread traces too */
	ptrules_eval *e = ptrules_eval_new(w->rules, explain);
	if (!buf || !e || carts_open(&k)) {
		w->failures++;
		return NULL;
	}
	k.c[NGEN] = w->shared;
	for (int n = 0; n < ITERATIONS; n++) {
		int i = (n * 7 + w->id * 13) % NCARTS;
		const char *got = eval_json(e, &k, i, buf);
		w->evals++;
		if (!got)
			w->failures++;
		else if (strcmp(got, expected[SET_A][explain][i]) != 0)
			w->mismatches++;
		size_t j = (size_t)n % ptrules_batch_count(w->batch);
		ptrules_status st;
		if (n % 4 == 3) {   /* a range of up to five carts ending at j: the results are j's */
			ptrules_amounts amounts[5 * 8];
			size_t from = j >= 4 ? j - 4 : 0;
			st = ptrules_evaluate_range(e, w->batch, from, j - from + 1, amounts, 8);
		} else {
			st = ptrules_evaluate_packed(e, w->batch, j);
		}
		if ((st != PTRULES_OK && st != PTRULES_ERUNTIME) || ptrules_format_json(e, NULL, NULL, buf, JSONCAP) >= JSONCAP)
			w->failures++;
		else if (strcmp(buf, expected[SET_A][explain][w->packed_from[j]]) != 0)
			w->mismatches++;
	}
	carts_close(&k);
	ptrules_eval_free(e);
	free(buf);
	return NULL;
}

static void test_one_rule_set_many_threads(void **state)
{
	(void)state;
	ptrules_rules *r = load_set(SET_A);
	assert_non_null(r);
	ptrules_cart *shared = ptrules_cart_new();
	assert_non_null(shared);
	build_example(shared);
	assert_int_equal(ptrules_cart_prepare(shared, r), PTRULES_OK);
	assert_true(ptrules_cart_prepared(shared, r));
	ptrules_batch *b = ptrules_batch_new(r);
	int from[NCARTS];
	carts k;
	assert_non_null(b);
	assert_int_equal(carts_open(&k), 0);
	k.c[NGEN] = shared;
	for (int i = 0; i < NCARTS; i++)
		if (ptrules_batch_add(b, k.c[i]) == PTRULES_OK)
			from[ptrules_batch_count(b) - 1] = i;
	carts_close(&k);   /* packing copied what evaluation reads */
	assert_true(ptrules_batch_count(b) > NCARTS / 2);
	pthread_t t[NTHREADS];
	worker w[NTHREADS];
	for (int i = 0; i < NTHREADS; i++) {
		w[i] = (worker){ .id = i, .rules = r, .shared = shared, .batch = b, .packed_from = from };
		assert_int_equal(pthread_create(&t[i], NULL, shared_worker, &w[i]), 0);
	}
	long evals = 0;
	for (int i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(w[i].failures, 0);
		assert_int_equal(w[i].mismatches, 0);
		evals += w[i].evals;
	}
	assert_int_equal(evals, (long)NTHREADS * ITERATIONS);
	ptrules_batch_free(b);
	ptrules_cart_free(shared);
	ptrules_release(r);
}

/* ---- hot swap ---------------------------------------------------------------------- */

/* The scheme of docs/library.md: the published rule set behind a lock
 * held only to copy the pointer and take a reference. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static ptrules_rules *current;
static atomic_int stop;

static ptrules_rules *rules_get(void)
{
	pthread_mutex_lock(&lock);
	ptrules_rules *r = ptrules_retain(current);
	pthread_mutex_unlock(&lock);
	return r;
}

static void rules_publish(ptrules_rules *fresh)
{
	pthread_mutex_lock(&lock);
	ptrules_rules *old = current;
	current = fresh;
	pthread_mutex_unlock(&lock);
	ptrules_release(old);
}

static void *swap_worker(void *arg)
{
	worker *w = arg;
	carts k;
	char *buf = malloc(JSONCAP);
	int explain = w->id == NTHREADS - 1;
	unsigned seed = (unsigned)w->id * 2654435761u + 1;
	ptrules_eval *e = NULL;
	if (!buf || carts_open(&k)) {
		w->failures++;
		free(buf);
		return NULL;
	}
	int until_refresh = 0;
	for (long n = 0; !atomic_load(&stop) || n < 200; n++) {
		if (until_refresh-- <= 0) {
			/* Pick up the published set; an old one is freed by
			 * whichever of its holders lets go last. */
			ptrules_rules *r = rules_get();
			if (!e || r != ptrules_eval_rules(e)) {
				ptrules_eval_free(e);
				e = ptrules_eval_new(r, explain);
				if (w->evals == 0 && (ptrules_cart_prepare(k.built, r) != PTRULES_OK ||
						      !ptrules_cart_prepared(k.built, r)))
					w->failures++;   /* prepared for the first set, which is soon swapped out */
			}
			ptrules_release(r);
			if (!e) {
				w->failures++;
				break;
			}
			seed = seed * 1103515245u + 12345u;
			until_refresh = (int)(seed >> 16) % 40;   /* sometimes keeps an old set a while */
		}
		int i = (int)((n * 11 + w->id * 5) % NCARTS);
		int set = set_of(ptrules_eval_rules(e));
		const char *got = eval_json(e, &k, i, buf);
		w->evals++;
		w->per_set[set]++;
		if (!got)
			w->failures++;
		else if (strcmp(got, expected[set][explain][i]) != 0)
			w->mismatches++;
	}
	ptrules_eval_free(e);
	carts_close(&k);
	free(buf);
	return NULL;
}

#define SWAPS 300

static void test_hot_swap(void **state)
{
	(void)state;
	current = load_set(SET_A);
	assert_non_null(current);
	atomic_store(&stop, 0);
	pthread_t t[NTHREADS];
	worker w[NTHREADS];
	for (int i = 0; i < NTHREADS; i++) {
		w[i] = (worker){ .id = i };
		assert_int_equal(pthread_create(&t[i], NULL, swap_worker, &w[i]), 0);
	}
	/* A new rule set each time, alternately compiled from the sources
	 * and loaded from bytecode. */
	int loaded = 0;
	for (int s = 1; s <= SWAPS; s++) {
		int set = s % 2 ? SET_B : SET_A;
		ptrules_rules *r = NULL;
		if (s % 4 < 2)
			r = load_set(set);
		else if (ptrules_load_bytecode(&r, set_bytes[set], set_len[set], "swap.ptbc", NULL) != PTRULES_OK)
			r = NULL;
		if (!r)
			break;
		loaded++;
		rules_publish(r);
		struct timespec ts = { 0, 200 * 1000 };
		nanosleep(&ts, NULL);
	}
	atomic_store(&stop, 1);
	long evals = 0, per_set[NSETS] = { 0 };
	for (int i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		evals += w[i].evals;
		for (int s = 0; s < NSETS; s++)
			per_set[s] += w[i].per_set[s];
	}
	rules_publish(NULL);
	for (int i = 0; i < NTHREADS; i++) {
		assert_int_equal(w[i].failures, 0);
		assert_int_equal(w[i].mismatches, 0);
	}
	assert_int_equal(loaded, SWAPS);
	/* Both sets were really used. */
	assert_true(per_set[SET_A] > 0);
	assert_true(per_set[SET_B] > 0);
	fprintf(stderr, "hot swap: %d swaps, %ld evaluations (%ld with rules/, %ld with airwallet too)\n",
		SWAPS, evals, per_set[SET_A], per_set[SET_B]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_rule_set_many_threads),
		cmocka_unit_test(test_hot_swap),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
