/* helpers.h - small fixtures shared by the cmocka unit tests.
 *
 * Include it after cmocka.h.  Define PX_FILE (the file name diagnostics
 * carry) before including it to use the parse fixture.  Everything is static inline, so a test that
 * uses only part of it compiles without unused-function warnings. */
#ifndef PT_TEST_HELPERS_H
#define PT_TEST_HELPERS_H

#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ast.h"
#include "ptrules.h"

#ifndef PX_FILE
#define PX_FILE "test.rules"
#endif

/* One parse: arena, diagnostics, source and parser state. */
typedef struct px {
	pt_arena arena;
	pt_diags d;
	pt_src src;
	pt_parser p;
	bool ok;
} px;

/* Parse len bytes of text as file PX_FILE. */
static inline void px_parse_n(px *x, const char *text, size_t len)
{
	memset(x, 0, sizeof *x);
	pt_arena_init(&x->arena, 4096);
	pt_diags_init(&x->d);
	x->src = (pt_src){ PX_FILE, text, len, 0 };
	x->p.arena = &x->arena;
	x->p.diags = &x->d;
	x->p.src = &x->src;
	x->p.file = 0;
	x->ok = pt_parse(&x->p);
}

/* Parse a NUL-terminated text. */
static inline void px_parse(px *x, const char *text)
{
	px_parse_n(x, text, strlen(text));
}

/* Free what one parse allocated. */
static inline void px_free(px *x)
{
	pt_diags_free(&x->d);
	pt_arena_free(&x->arena);
}

/* A whole file, NUL-terminated (its length in *len unless len is NULL),
 * or NULL when it cannot be opened or memory runs out.  The caller frees
 * it. */
static inline char *px_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		n += fread(buf + n, 1, cap - n - 1, f);
		if (n < cap - 1)
			break;
		char *nb = realloc(buf, cap * 2);
		if (!nb)
			free(buf);
		buf = nb;
		cap *= 2;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		if (len)
			*len = n;
	}
	return buf;
}

/* rel resolved against the repository root (derived from __FILE__, so a
 * test runs from the root as ./build/test_NAME). */
static inline void root_path(char *buf, size_t n, const char *rel)
{
	const char *f = __FILE__, *t = strstr(f, "tests/unit/");
	if (t && t > f)
		snprintf(buf, n, "%.*s%s", (int)(t - f), f, rel);
	else
		snprintf(buf, n, "%s", rel);
}

/* Rules from one or two paths relative to the repository root (b may be
 * NULL); the test fails, printing the diagnostics, when they do not
 * load. */
static inline ptrules_rules *px_load_rules(const char *a, const char *b)
{
	char pa[4096], pb[4096];
	root_path(pa, sizeof pa, a);
	if (b)
		root_path(pb, sizeof pb, b);
	const char *paths[2] = { pa, pb };
	ptrules_diags *d = ptrules_diags_new();
	ptrules_rules *r = NULL;
	ptrules_status st = ptrules_load_paths(&r, paths, b ? 2 : 1, d);
	if (st != PTRULES_OK)
		ptrules_diags_print(d, stderr);
	size_t errors = ptrules_diags_errors(d);
	ptrules_diags_free(d);
	assert_int_equal(st, PTRULES_OK);
	assert_non_null(r);
	assert_int_equal(errors, 0);
	return r;
}

/* Rules from source text (named test.rules in messages); the test fails,
 * printing the diagnostics, when they do not load. */
static inline ptrules_rules *px_load_text(const char *text)
{
	ptrules_source src = { "test.rules", text, strlen(text) };
	ptrules_rules *r = NULL;
	ptrules_diags *d = ptrules_diags_new();
	ptrules_status st = ptrules_load_sources(&r, &src, 1, d);
	if (st != PTRULES_OK)
		ptrules_diags_print(d, stderr);
	ptrules_diags_free(d);
	assert_int_equal(st, PTRULES_OK);
	return r;
}

/* A small built cart, order id on date (NULL: none): one grocery item
 * of 3,000 yen twice, dpoint linked with 500 points and nothing earned
 * yet.  The batch and preparation tests' cart for their edges. */
static inline ptrules_cart *px_small_cart(const char *id, const char *date)
{
	ptrules_cart *c = ptrules_cart_new();
	assert_non_null(c);
	assert_int_equal(ptrules_cart_set_order(c, id, date), PTRULES_OK);
	assert_int_equal(ptrules_cart_add_item(c, 3000, 2, "grocery", NULL), PTRULES_OK);
	assert_int_equal(ptrules_cart_add_account(c, "dpoint", 500), PTRULES_OK);
	assert_int_equal(ptrules_cart_set_int(c, "dpoint", "earned_3mo", 0), PTRULES_OK);
	assert_int_equal(ptrules_cart_set_int(c, "dpoint", "earned_this_month", 0), PTRULES_OK);
	return c;
}

/* Wait for a forked child: its exit code, 128 + signal when it crashed,
 * or -1 when waiting failed.  Tests that might crash run in a child. */
static inline int wait_child(pid_t pid)
{
	int st = 0;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Everything the last evaluation says about cart c (NULL: a packed
 * cart), as one string: status, JSON, text, amounts and order. */
static inline void px_describe(ptrules_eval *e, const ptrules_cart *c, ptrules_status st, char *buf, size_t cap)
{
	size_t n = (size_t)snprintf(buf, cap, "status %d\n", (int)st);
	if (st != PTRULES_OK && st != PTRULES_ERUNTIME)
		return;
	n += ptrules_format_json(e, c, "cart", buf + n, cap - n);
	assert_true(n < cap);
	n += ptrules_format_text(e, c, "cart", buf + n, cap - n);
	assert_true(n < cap);
	ptrules_amounts all[16];   /* ptrules_amounts_list gives the same, in one call */
	size_t nall = ptrules_amounts_list(e, all, 16);
	assert_int_equal(nall, ptrules_result_count(e));
	for (size_t i = 0; i < ptrules_result_count(e); i++) {
		ptrules_amounts a;
		assert_int_equal(ptrules_amounts_get(e, i, &a), PTRULES_OK);
		if (i < 16)
			assert_memory_equal(&a, &all[i], sizeof a);
		n += (size_t)snprintf(buf + n, cap - n, "%d %d %d %d %lld %lld %lld %lld %lld/%lld %lld %lld\n", a.linked,
				      a.redeem_usable, a.use_valid, a.runtime_error, (long long)a.redeem_max_points,
				      (long long)a.redeem_value_yen, (long long)a.earn_points, (long long)a.earn_basis_yen,
				      (long long)a.point_value_num, (long long)a.point_value_den, (long long)a.use_points,
				      (long long)a.use_value_yen);
		assert_true(n < cap);
	}
	ptrules_order o;
	assert_int_equal(ptrules_order_get(e, &o), PTRULES_OK);
	snprintf(buf + n, cap - n, "order %d %d %lld %lld %zu\n", o.has_uses, o.valid, (long long)o.total_yen,
		 (long long)o.pay_yen, o.nproblems);
}

/* Call fn(path, ctx) for every file matching the patterns (relative to
 * the repository root), in order; the number of files. */
static inline size_t px_each_path(const char *const *pats, size_t npats, void (*fn)(const char *, void *), void *ctx)
{
	size_t files = 0;
	for (size_t p = 0; p < npats; p++) {
		char pat[4096];
		glob_t g;
		root_path(pat, sizeof pat, pats[p]);
		if (glob(pat, 0, NULL, &g) != 0)
			continue;
		for (size_t i = 0; i < g.gl_pathc; i++, files++)
			fn(g.gl_pathv[i], ctx);
		globfree(&g);
	}
	return files;
}

/* Call fn(path, reader, cart, ctx) for every cart of the test carts, the
 * corpus and the examples (tests/carts, tests/corpus, examples), each
 * file read as a stream; the number of carts. */
typedef void (*px_cart_fn)(const char *path, ptrules_reader *rd, const ptrules_cart *c, void *ctx);
typedef struct px_carts_ctx {
	px_cart_fn fn;
	void *ctx;
	size_t carts;
} px_carts_ctx;

/* px_each_corpus_cart's step: one file's carts. */
static inline void px_file_carts(const char *path, void *ctx)
{
	px_carts_ctx *x = ctx;
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	ptrules_reader *rd = ptrules_reader_new_file(f, path);
	const ptrules_cart *c;
	for (; ptrules_reader_next(rd, &c, NULL); x->carts++)
		x->fn(path, rd, c, x->ctx);
	ptrules_reader_free(rd);
	fclose(f);
}

static inline size_t px_each_corpus_cart(px_cart_fn fn, void *ctx)
{
	static const char *const pats[] = { "tests/carts/*.txt", "tests/corpus/*.txt", "examples/*.txt" };
	px_carts_ctx x = { fn, ctx, 0 };
	px_each_path(pats, sizeof pats / sizeof pats[0], px_file_carts, &x);
	return x.carts;
}

#endif
