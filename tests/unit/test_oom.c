/* test_oom.c - every allocation the library makes, made to fail in turn.
 *
 * Linked with -Wl,--wrap=malloc,... as test_noalloc is (mk/install.mk):
 * the wrappers below let allocation number N of a call fail, for N = 1,
 * 2, ... until the call makes fewer than N allocations.  Whatever fails,
 * the call must return an error (or succeed without what it could not
 * get, as a rule set without its machine code does), never crash, and
 * free what it took: `make check SANITIZE=1` runs it under AddressSanitizer
 * and LeakSanitizer.  Covered: compiling rules (the shipped ones and a
 * program with tier tables, dated blocks and lets), making an evaluation
 * context, reading carts, evaluating them, and packing them into a
 * batch. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptrules.h"
#include "alloc_wrap.h"
#include "helpers.h"

/* ---- the failing interposer ----------------------------------------------------- */

static long fail_at;   /* the allocation that fails, counted from 1; 0: none */
static long calls;     /* allocations since the count was armed */

/* Whether this allocation is the one to fail. */
static int failing(void)
{
	return fail_at && ++calls == fail_at;
}

void *__wrap_malloc(size_t n) { return failing() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) { return failing() ? NULL : __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t n) { return failing() ? NULL : __real_realloc(p, n); }
void __wrap_free(void *p) { __real_free(p); }
char *__wrap_strdup(const char *s) { return failing() ? NULL : __real_strdup(s); }
char *__wrap_strndup(const char *s, size_t n) { return failing() ? NULL : __real_strndup(s, n); }
int __wrap_posix_memalign(void **p, size_t align, size_t n)
{
	return failing() ? ENOMEM : __real_posix_memalign(p, align, n);
}
void *__wrap_aligned_alloc(size_t align, size_t n) { return failing() ? NULL : __real_aligned_alloc(align, n); }

/* Arm allocation n to fail (0: none). */
static void arm(long n)
{
	calls = 0;
	fail_at = n;
}

/* Whether the armed allocation was reached (and failed); disarms. */
static int reached(void)
{
	int r = fail_at && calls >= fail_at;
	fail_at = 0;
	return r;
}

/* ---- inputs ---------------------------------------------------------------------- */

/* A program with what the shipped ones do not all have: two tier tables
 * with dated versions, dated redeem and earn blocks, lets, exclusions. */
static const char extra[] =
	"program extra {\n"
	"  name \"Extra\"\n"
	"  input account.level: points = 0 points\n"
	"  valid from 2020-01-01 until 2099-12-31\n"
	"  exclude categories giftcard, kindle\n"
	"  redeem from 2026-04-01 until 2027-03-31 {\n"
	"    value 1.2 yen per point\n"
	"  }\n"
	"  redeem {\n"
	"    value 1 yen per point\n"
	"  }\n"
	"  tiers rank by account.level until 2025-12-31 {\n"
	"    \"high\" from 100 points: multiplier 2, ceiling 300 points\n"
	"    \"low\" otherwise: multiplier 1, ceiling 100 points\n"
	"  }\n"
	"  tiers rank by account.level from 2026-01-01 {\n"
	"    \"flat\" otherwise: multiplier 3, ceiling 200 points\n"
	"  }\n"
	"  earn until 2030-12-31 {\n"
	"    basis eligible\n"
	"    require basis >= 1000 yen else \"below 1,000 yen\"\n"
	"    let base = floor(basis * 1%) as points cap 100 points else \"per-order cap\"\n"
	"    add floor(base * rank.multiplier) cap rank.ceiling else \"the rank's cap\"\n"
	"    when order.day == 8 from 2026-03-01 {\n"
	"      add base\n"
	"    }\n"
	"  }\n"
	"}\n";

static const char carts[] =
	"cart one\norder date=2026-03-08\nitem price=3980 qty=2 category=grocery\n"
	"item price=1200 category=kindle\npayment card=jcb\n"
	"account program=dpoint balance=1200 earned_3mo=1600\naccount program=extra balance=50\n"
	"use program=dpoint points=300\n"
	"cart two\norder date=2025-06-01\nitem price=500 category=giftcard\naccount program=recruit balance=10\n";

/* The shipped rules' texts and the extra program, as sources. */
typedef struct srcset {
	char *text[8];
	ptrules_source s[8];
	size_t n;
} srcset;

static void srcs_load(srcset *ss)
{
	static const char *const files[] = { "rules/checkout.rules", "rules/dpoint.rules", "rules/okidoki.rules",
					     "rules/recruit.rules" };
	ss->n = 0;
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char path[4096];
		root_path(path, sizeof path, files[i]);
		FILE *f = fopen(path, "rb");
		assert_non_null(f);
		char *t = malloc(65536);
		assert_non_null(t);
		size_t len = fread(t, 1, 65535, f);
		fclose(f);
		ss->text[ss->n] = t;
		ss->s[ss->n++] = (ptrules_source){ files[i], t, len };
	}
	ss->text[ss->n] = NULL;
	ss->s[ss->n++] = (ptrules_source){ "extra.rules", extra, sizeof extra - 1 };
}

static void srcs_free(srcset *ss)
{
	for (size_t i = 0; i < ss->n; i++)
		free(ss->text[i]);
}

/* ---- tests ----------------------------------------------------------------------- */

/* Compiling: every allocation of ptrules_load_sources failing in turn
 * gives an error with a diagnostic, or a rule set that evaluates as one
 * compiled with nothing failing does. */
static void test_load(void **state)
{
	(void)state;
	srcset ss;
	srcs_load(&ss);
	ptrules_rules *want = NULL;
	ptrules_diags *d = ptrules_diags_new();
	assert_int_equal(ptrules_load_sources(&want, ss.s, ss.n, d), PTRULES_OK);
	ptrules_diags_free(d);
	long n = 1, failed = 0;
	for (;; n++) {
		ptrules_rules *r = NULL;
		d = ptrules_diags_new();
		assert_non_null(d);
		arm(n);
		ptrules_status st = ptrules_load_sources(&r, ss.s, ss.n, d);
		int hit = reached();
		if (!hit) {   /* past the last allocation: nothing failed */
			assert_int_equal(st, PTRULES_OK);
			ptrules_release(r);
			ptrules_diags_free(d);
			break;
		}
		failed++;
		if (st == PTRULES_OK) {   /* got by without it: the same programs */
			assert_non_null(r);
			assert_int_equal(ptrules_program_count(r), ptrules_program_count(want));
			ptrules_release(r);
		} else {
			assert_null(r);
		}
		ptrules_diags_free(d);
	}
	print_message("ptrules_load_sources: %ld allocations, each failed once\n", failed);
	assert_true(failed > 50);
	ptrules_release(want);
	srcs_free(&ss);
}

/* Evaluating: an evaluation context, a reader, its carts evaluated and
 * formatted, and a batch of them, every allocation failing in turn. */
static void test_evaluate(void **state)
{
	(void)state;
	srcset ss;
	srcs_load(&ss);
	ptrules_rules *r = NULL;
	assert_int_equal(ptrules_load_sources(&r, ss.s, ss.n, NULL), PTRULES_OK);
	long n = 1, failed = 0;
	char buf[8192];
	for (;; n++) {
		arm(n);
		ptrules_eval *e = ptrules_eval_new(r, 0);
		ptrules_reader *rd = e ? ptrules_reader_new(carts, sizeof carts - 1, "carts.txt") : NULL;
		ptrules_batch *b = rd ? ptrules_batch_new(r) : NULL;
		const ptrules_cart *c;
		int got;
		while (b && (got = ptrules_reader_next(rd, &c, NULL)) == 1) {
			if (ptrules_evaluate(e, c, NULL) == PTRULES_OK)
				(void)ptrules_format_json(e, c, NULL, buf, sizeof buf);
			if (ptrules_batch_add(b, c) == PTRULES_OK &&
			    ptrules_evaluate_packed(e, b, ptrules_batch_count(b) - 1) == PTRULES_OK)
				(void)ptrules_format_text(e, NULL, NULL, buf, sizeof buf);
		}
		int hit = reached();
		ptrules_batch_free(b);
		ptrules_reader_free(rd);
		ptrules_eval_free(e);
		if (!hit)
			break;
		failed++;
	}
	print_message("evaluation: %ld allocations, each failed once\n", failed);
	assert_true(failed > 5);
	ptrules_release(r);
	srcs_free(&ss);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_evaluate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
