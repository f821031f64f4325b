/* test_api.c - the public API (include/ptrules.h), used as an embedder
 * would: every function, its error codes, diagnostics as records,
 * compiled rule sets (reproducible bytes, the same results as the sources
 * over every cart of the test corpus, every truncation and every flipped
 * byte of a compiled file), the cart builder against the cart reader, and
 * snprintf-style formatting.
 *
 * Linked against build/libptrules.a, whose only global names are the
 * ptrules_* functions. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ptrules.h"
#include "helpers.h"

/* ---- fixtures -------------------------------------------------------------- */

/* A whole file, NUL-terminated; fails the test when it cannot be read. */
static char *slurp(const char *path, size_t *len)
{
	char *buf = px_slurp(path, len);
	assert_non_null(buf);
	return buf;
}

/* A rule set from one source text. */
static ptrules_status load_text(ptrules_rules **r, const char *name, const char *text, ptrules_diags *d)
{
	ptrules_source s = { name, text, strlen(text) };
	return ptrules_load_sources(r, &s, 1, d);
}

/* The cart texts of the test corpus. */
typedef struct corpus {
	char *text[256];
	char name[256][128];
	size_t n;
} corpus;

static corpus C;

static void corpus_add(const char *name, const char *text, size_t len)
{
	assert_true(C.n < 256);
	C.text[C.n] = malloc(len + 1);
	assert_non_null(C.text[C.n]);
	memcpy(C.text[C.n], text, len);
	C.text[C.n][len] = '\0';
	snprintf(C.name[C.n], sizeof C.name[C.n], "%s", name);
	C.n++;
}

/* examples/cart.txt, tests/carts/NAME.txt, and every cart.txt section of the
 * language tests (tests/lang/NAME.test). */
static int corpus_setup(void **state)
{
	(void)state;
	char pat[4096], path[4096];
	glob_t g;
	size_t len;
	root_path(path, sizeof path, "examples/cart.txt");
	char *t = slurp(path, &len);
	corpus_add("examples/cart.txt", t, len);
	free(t);
	root_path(pat, sizeof pat, "tests/carts/*.txt");
	if (glob(pat, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			t = slurp(g.gl_pathv[i], &len);
			corpus_add(strrchr(g.gl_pathv[i], '/') + 1, t, len);
			free(t);
		}
		globfree(&g);
	}
	root_path(pat, sizeof pat, "tests/lang/*.test");
	if (glob(pat, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			t = slurp(g.gl_pathv[i], NULL);
			const char *s = strstr(t, "--- file cart.txt\n");
			if (s) {
				s += strlen("--- file cart.txt\n");
				const char *e = strstr(s, "\n--- ");
				corpus_add(strrchr(g.gl_pathv[i], '/') + 1, s, e ? (size_t)(e - s) + 1 : strlen(s));
			}
			free(t);
		}
		globfree(&g);
	}
	assert_true(C.n >= 15);
	return 0;
}

static int corpus_teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < C.n; i++)
		free(C.text[i]);
	C.n = 0;
	return 0;
}

/* Everything rule set r says about every cart of the corpus: per cart its
 * status, the JSON and the text table (with the --explain trace when
 * explain), and the diagnostics.  A malloc'ed string. */
static char *digest(ptrules_rules *r, int explain, size_t ncarts_max)
{
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	assert_non_null(f);
	ptrules_eval *e = ptrules_eval_new(r, explain);
	ptrules_diags *d = ptrules_diags_new();
	assert_non_null(e);
	assert_non_null(d);
	static char buf[1 << 18];
	size_t carts = 0;
	for (size_t i = 0; i < C.n && carts < ncarts_max; i++) {
		ptrules_reader *rd = ptrules_reader_new(C.text[i], strlen(C.text[i]), C.name[i]);
		assert_non_null(rd);
		const ptrules_cart *c;
		while (ptrules_reader_next(rd, &c, d)) {
			carts++;
			ptrules_status st = ptrules_cart_errors(c) ? PTRULES_EINVALID : ptrules_evaluate(e, c, d);
			fprintf(f, "== %s #%d: %d %zu/%zu\n", C.name[i], ptrules_reader_index(rd), (int)st,
				ptrules_diags_errors(d), ptrules_diags_warnings(d));
			ptrules_diags_print(d, f);
			ptrules_diags_clear(d);
			if (st != PTRULES_OK && st != PTRULES_ERUNTIME)
				continue;
			size_t n = ptrules_format_json(e, c, NULL, buf, sizeof buf);
			assert_true(n < sizeof buf);
			fputs(buf, f);
			n = ptrules_format_text(e, c, NULL, buf, sizeof buf);
			assert_true(n < sizeof buf);
			fputs(buf, f);
		}
		ptrules_reader_free(rd);
	}
	ptrules_diags_free(d);
	ptrules_eval_free(e);
	fclose(f);
	return out;
}

/* The two rule sets give identical results over the corpus. */
static void assert_same_results(ptrules_rules *a, ptrules_rules *b)
{
	for (int explain = 0; explain <= 1; explain++) {
		char *da = digest(a, explain, SIZE_MAX), *db = digest(b, explain, SIZE_MAX);
		assert_true(strlen(da) > 1000);
		if (strcmp(da, db) != 0) {
			size_t k = 0;
			while (da[k] && da[k] == db[k])
				k++;
			fprintf(stderr, "results differ at byte %zu:\n--- a\n%.300s\n--- b\n%.300s\n", k,
				da + (k > 100 ? k - 100 : 0), db + (k > 100 ? k - 100 : 0));
		}
		assert_string_equal(da, db);
		free(da);
		free(db);
	}
}

/* The compiled bytes of a rule set. */
static unsigned char *save(const ptrules_rules *r, size_t *len)
{
	unsigned char *b = NULL;
	assert_int_equal(ptrules_save_bytecode(r, &b, len), PTRULES_OK);
	assert_non_null(b);
	assert_true(*len > 32);
	return b;
}

/* The text of diagnostic i. */
static ptrules_diag diag_at(const ptrules_diags *d, size_t i)
{
	ptrules_diag g;
	memset(&g, 0, sizeof g);
	assert_int_equal(ptrules_diags_get(d, i, &g), PTRULES_OK);
	assert_non_null(g.message);
	assert_non_null(g.file);
	assert_non_null(g.code);
	return g;
}

static const char example_cart[] =
	"order id=250-1234567 date=2026-11-24\n"
	"item price=3980 qty=2 category=grocery name=\"Coffee beans 1kg\"\n"
	"item price=1200 category=kindle name=\"e-book\"\n"
	"payment card=jcb\n"
	"account program=dpoint balance=1200 earned_3mo=1600 earned_this_month=40\n"
	"account program=recruit balance=500\n"
	"account program=okidoki balance=300\n";

/* The example cart, built field by field. */
static void build_example(ptrules_cart *c)
{
	ptrules_cart_clear(c);
	assert_int_equal(ptrules_cart_set_order(c, "250-1234567", "2026-11-24"), PTRULES_OK);
	assert_int_equal(ptrules_cart_add_item(c, 3980, 2, "grocery", "Coffee beans 1kg"), PTRULES_OK);
	assert_int_equal(ptrules_cart_add_item(c, 1200, 1, "kindle", "e-book"), PTRULES_OK);
	assert_int_equal(ptrules_cart_set_payment(c, "jcb", NULL), PTRULES_OK);
	assert_int_equal(ptrules_cart_add_account(c, "dpoint", 1200), PTRULES_OK);
	assert_int_equal(ptrules_cart_set_int(c, "dpoint", "earned_3mo", 1600), PTRULES_OK);
	assert_int_equal(ptrules_cart_set_int(c, "dpoint", "earned_this_month", 40), PTRULES_OK);
	assert_int_equal(ptrules_cart_add_account(c, "recruit", 500), PTRULES_OK);
	assert_int_equal(ptrules_cart_add_account(c, "okidoki", 300), PTRULES_OK);
}

/* The JSON of evaluating the first cart of text with e (status st). */
static char *json_of_text(ptrules_eval *e, const char *text, ptrules_status want)
{
	ptrules_reader *rd = ptrules_reader_new(text, strlen(text), "cart.txt");
	ptrules_diags *d = ptrules_diags_new();
	const ptrules_cart *c;
	assert_int_equal(ptrules_reader_next(rd, &c, d), 1);
	assert_int_equal(ptrules_cart_errors(c), 0);
	ptrules_status st = ptrules_evaluate(e, c, d);
	if (st != want)
		ptrules_diags_print(d, stderr);
	assert_int_equal(st, want);
	size_t n = ptrules_format_json(e, c, NULL, NULL, 0);
	char *s = malloc(n + 1);
	assert_int_equal(ptrules_format_json(e, c, NULL, s, n + 1), n);
	ptrules_reader_free(rd);
	ptrules_diags_free(d);
	return s;
}

static char *json_of_cart(ptrules_eval *e, const ptrules_cart *c, ptrules_status want)
{
	ptrules_diags *d = ptrules_diags_new();
	ptrules_status st = ptrules_evaluate(e, c, d);
	if (st != want)
		ptrules_diags_print(d, stderr);
	assert_int_equal(st, want);
	ptrules_diags_free(d);
	size_t n = ptrules_format_json(e, c, NULL, NULL, 0);
	char *s = malloc(n + 1);
	assert_int_equal(ptrules_format_json(e, c, NULL, s, n + 1), n);
	return s;
}

/* ---- status codes and NULL handles ----------------------------------------- */

static void test_strerror(void **state)
{
	(void)state;
	const ptrules_status all[] = { PTRULES_OK, PTRULES_EINVALID, PTRULES_EIO,
				       PTRULES_ENOMEM, PTRULES_ERUNTIME, PTRULES_EARG };
	for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
		const char *s = ptrules_strerror(all[i]);
		assert_non_null(s);
		assert_true(strlen(s) > 3);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(s, ptrules_strerror(all[j]));
	}
	assert_non_null(ptrules_strerror((ptrules_status)99));
	assert_non_null(ptrules_strerror((ptrules_status)-1));
	assert_string_equal(PTRULES_VERSION, "0.7.0");
}

static void test_null_handles(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_rules("rules", NULL);
	ptrules_diags *d = ptrules_diags_new();
	ptrules_cart *c = ptrules_cart_new();
	ptrules_eval *e = ptrules_eval_new(r, 0);
	ptrules_rules *out = (ptrules_rules *)&out;   /* set to NULL on failure */
	unsigned char *bytes = NULL;
	size_t len = 0;
	ptrules_source src = { "x.rules", "", 0 };
	const char *path = "rules";
	ptrules_diag g;
	ptrules_result res;
	char buf[16] = "sentinel";

	/* Loading */
	assert_int_equal(ptrules_load_sources(NULL, &src, 1, d), PTRULES_EARG);
	assert_int_equal(ptrules_load_sources(&out, NULL, 1, d), PTRULES_EARG);
	assert_int_equal(ptrules_load_paths(NULL, &path, 1, d), PTRULES_EARG);
	assert_int_equal(ptrules_load_paths(&out, NULL, 1, d), PTRULES_EARG);
	assert_int_equal(ptrules_load_bytecode(NULL, "x", 1, "x", d), PTRULES_EARG);
	assert_int_equal(ptrules_load_bytecode(&out, NULL, 5, "x", d), PTRULES_EARG);
	assert_int_equal(ptrules_load_bytecode_file(NULL, "x", d), PTRULES_EARG);
	assert_int_equal(ptrules_load_bytecode_file(&out, NULL, d), PTRULES_EARG);
	assert_int_equal(ptrules_save_bytecode(NULL, &bytes, &len), PTRULES_EARG);
	assert_int_equal(ptrules_save_bytecode(r, NULL, &len), PTRULES_EARG);
	assert_int_equal(ptrules_save_bytecode(r, &bytes, NULL), PTRULES_EARG);
	assert_null(bytes);
	assert_int_equal(ptrules_write_bytecode_file(NULL, "/tmp/x.ptbc", d), PTRULES_EARG);
	assert_int_equal(ptrules_write_bytecode_file(r, NULL, d), PTRULES_EARG);
	assert_int_equal(ptrules_is_bytecode_file(NULL), 0);
	assert_null(ptrules_retain(NULL));
	ptrules_release(NULL);

	/* Rule set queries */
	assert_int_equal(ptrules_program_count(NULL), 0);
	assert_null(ptrules_program_id(NULL, 0));
	assert_null(ptrules_program_name(NULL, 0));
	assert_null(ptrules_program_id(r, 3));
	assert_null(ptrules_program_name(r, (size_t)-1));
	assert_int_equal(ptrules_cost_bound(NULL), 0);
	ptrules_disasm(NULL, stderr);
	ptrules_disasm(r, NULL);

	/* Diagnostics */
	ptrules_diags_free(NULL);
	ptrules_diags_clear(NULL);
	ptrules_diags_print(NULL, stderr);
	ptrules_diags_print(d, NULL);
	assert_int_equal(ptrules_diags_count(NULL), 0);
	assert_int_equal(ptrules_diags_errors(NULL), 0);
	assert_int_equal(ptrules_diags_warnings(NULL), 0);
	assert_int_equal(ptrules_diags_get(NULL, 0, &g), PTRULES_EARG);
	assert_int_equal(ptrules_diags_get(d, 0, &g), PTRULES_EARG);   /* empty */
	assert_int_equal(ptrules_diags_get(d, 0, NULL), PTRULES_EARG);

	/* Carts and readers */
	const ptrules_cart *rc = NULL;
	ptrules_reader_free(NULL);
	ptrules_cart_free(NULL);
	ptrules_cart_clear(NULL);
	assert_int_equal(ptrules_reader_next(NULL, &rc, d), 0);
	assert_int_equal(ptrules_reader_index(NULL), 0);
	assert_int_equal(ptrules_reader_has_cart_lines(NULL), 0);
	ptrules_reader *rd = ptrules_reader_new("", 0, "empty.txt");
	assert_non_null(rd);
	assert_int_equal(ptrules_reader_next(rd, NULL, d), 0);
	ptrules_reader_free(rd);
	assert_int_equal(ptrules_cart_set_order(NULL, "x", NULL), PTRULES_EARG);
	assert_int_equal(ptrules_cart_add_item(NULL, 1, 1, NULL, NULL), PTRULES_EARG);
	assert_int_equal(ptrules_cart_set_payment(NULL, "jcb", NULL), PTRULES_EARG);
	assert_int_equal(ptrules_cart_add_account(NULL, "dpoint", 0), PTRULES_EARG);
	assert_int_equal(ptrules_cart_add_account(c, NULL, 0), PTRULES_EARG);
	assert_int_equal(ptrules_cart_set_int(NULL, "dpoint", "k", 1), PTRULES_EARG);
	assert_int_equal(ptrules_cart_set_bool(NULL, "dpoint", "k", 1), PTRULES_EARG);
	assert_int_equal(ptrules_cart_set_word(NULL, "dpoint", "k", "w"), PTRULES_EARG);
	assert_int_equal(ptrules_cart_add_account(c, "dpoint", 0), PTRULES_OK);
	assert_int_equal(ptrules_cart_set_int(c, NULL, "k", 1), PTRULES_EARG);
	assert_int_equal(ptrules_cart_set_int(c, "dpoint", NULL, 1), PTRULES_EARG);
	assert_int_equal(ptrules_cart_set_bool(c, "dpoint", NULL, 1), PTRULES_EARG);
	assert_int_equal(ptrules_cart_set_word(c, "dpoint", "k", NULL), PTRULES_EARG);
	assert_int_equal(ptrules_cart_set_word(c, "dpoint", NULL, "w"), PTRULES_EARG);
	assert_int_equal(ptrules_cart_errors(NULL), 0);
	assert_null(ptrules_cart_id(NULL));

	/* Evaluation */
	ptrules_eval_free(NULL);
	assert_null(ptrules_eval_new(NULL, 0));
	assert_null(ptrules_eval_rules(NULL));
	assert_int_equal(ptrules_evaluate(NULL, c, d), PTRULES_EARG);
	assert_int_equal(ptrules_evaluate(e, NULL, d), PTRULES_EARG);
	assert_int_equal(ptrules_result_count(NULL), 0);
	assert_int_equal(ptrules_result_count(e), 0);                 /* nothing evaluated yet */
	assert_int_equal(ptrules_result_get(NULL, 0, &res), PTRULES_EARG);
	assert_int_equal(ptrules_result_get(e, 0, &res), PTRULES_EARG);
	assert_int_equal(ptrules_format_json(NULL, c, NULL, buf, sizeof buf), 0);
	assert_int_equal(ptrules_format_text(NULL, c, NULL, buf, sizeof buf), 0);
	assert_int_equal(ptrules_evaluate(e, c, d), PTRULES_OK);
	assert_int_equal(ptrules_result_count(e), 3);
	assert_int_equal(ptrules_result_get(e, 3, &res), PTRULES_EARG);
	assert_int_equal(ptrules_result_get(e, (size_t)-1, &res), PTRULES_EARG);
	assert_int_equal(ptrules_result_get(e, 0, NULL), PTRULES_EARG);
	assert_int_equal(ptrules_diags_errors(d), 0);

	ptrules_eval_free(e);
	ptrules_cart_free(c);
	ptrules_diags_free(d);
	ptrules_release(r);
}

/* ---- loading rules ------------------------------------------------------------ */

static void test_load_paths_and_queries(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_rules("rules", NULL);
	assert_int_equal(ptrules_program_count(r), 3);
	const char *ids[] = { "dpoint", "okidoki", "recruit" };
	const char *names[] = { "dポイント", "OkiDokiポイント", "リクルートポイント" };
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(ptrules_program_id(r, i), ids[i]);
		assert_string_equal(ptrules_program_name(r, i), names[i]);
	}
	size_t cost = ptrules_cost_bound(r);
	assert_true(cost > 50 && cost < 100000);

	/* Machine code where the JIT is built (x86-64 Linux); none for a rule
	 * set whose earn sections read use.points_yen (no fast code at all). */
#if defined(__x86_64__) && defined(__linux__) && !defined(PT_NO_JIT)
	const int native = 1;
#else
	const int native = 0;
#endif
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(ptrules_program_native(r, i), native);
	assert_int_equal(ptrules_program_native(r, 3), 0);
	assert_int_equal(ptrules_program_native(NULL, 0), 0);
	ptrules_rules *spu = px_load_rules("rules", "tests/rules-extra/spu.rules");
	for (size_t i = 0; i < ptrules_program_count(spu); i++)
		assert_int_equal(ptrules_program_native(spu, i), 0);
	ptrules_release(spu);

	/* One more program: its cost adds to the bound. */
	ptrules_rules *r4 = px_load_rules("rules", "tests/rules-extra/airwallet.rules");
	assert_int_equal(ptrules_program_count(r4), 4);
	assert_string_equal(ptrules_program_id(r4, 3), "airwallet");
	assert_true(ptrules_cost_bound(r4) > cost);

	/* A listing with offsets, opcodes and source lines. */
	char *text = NULL;
	size_t tlen = 0;
	FILE *f = open_memstream(&text, &tlen);
	ptrules_disasm(r, f);
	fclose(f);
	assert_non_null(strstr(text, "program okidoki"));
	assert_non_null(strstr(text, "CONST"));
	assert_non_null(strstr(text, "rules/okidoki.rules:"));
	free(text);

	/* A missing path is an I/O error naming the path. */
	ptrules_diags *d = ptrules_diags_new();
	ptrules_rules *none = r;
	const char *missing[] = { "/nonexistent/ptrules-test/rules" };
	assert_int_equal(ptrules_load_paths(&none, missing, 1, d), PTRULES_EIO);
	assert_null(none);
	assert_true(ptrules_diags_errors(d) >= 1);
	ptrules_diag g = diag_at(d, 0);
	assert_int_equal(g.severity, PTRULES_ERROR);
	assert_non_null(strstr(g.file, "/nonexistent/ptrules-test/rules"));
	/* ... also without diagnostics. */
	none = r;
	assert_int_equal(ptrules_load_paths(&none, missing, 1, NULL), PTRULES_EIO);
	assert_null(none);
	ptrules_diags_free(d);
	ptrules_release(r4);
	ptrules_release(r);
}

static void test_load_sources_same_as_paths(void **state)
{
	(void)state;
	const char *files[] = { "rules/dpoint.rules", "rules/okidoki.rules", "rules/recruit.rules" };
	char paths[3][4096];
	char *texts[3];
	ptrules_source srcs[3];
	for (int i = 0; i < 3; i++) {
		root_path(paths[i], sizeof paths[i], files[i]);
		size_t len;
		texts[i] = slurp(paths[i], &len);
		srcs[i] = (ptrules_source){ paths[i], texts[i], len };
	}
	ptrules_rules *a = NULL, *b = NULL;
	const char *pp[3] = { paths[0], paths[1], paths[2] };
	assert_int_equal(ptrules_load_sources(&a, srcs, 3, NULL), PTRULES_OK);
	assert_int_equal(ptrules_load_paths(&b, pp, 3, NULL), PTRULES_OK);
	assert_int_equal(ptrules_program_count(a), 3);
	assert_same_results(a, b);

	/* The same sources give the same compiled bytes. */
	size_t la, lb;
	unsigned char *ba = save(a, &la), *bb = save(b, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(ba, bb, la);
	free(ba);
	free(bb);

	/* Sources need not be NUL-terminated: only len bytes are read. */
	size_t n = strlen(texts[2]);
	char *copy = malloc(n);
	memcpy(copy, texts[2], n);
	ptrules_source one = { "recruit.rules", copy, n };
	ptrules_rules *c = NULL;
	assert_int_equal(ptrules_load_sources(&c, &one, 1, NULL), PTRULES_OK);
	assert_int_equal(ptrules_program_count(c), 1);
	assert_string_equal(ptrules_program_id(c, 0), "recruit");
	free(copy);

	ptrules_release(c);
	ptrules_release(a);
	ptrules_release(b);
	for (int i = 0; i < 3; i++)
		free(texts[i]);
}

static void test_bad_rules_diagnostics(void **state)
{
	(void)state;
	ptrules_diags *d = ptrules_diags_new();
	ptrules_rules *r = (ptrules_rules *)&r;

	/* Two independent errors in one file are both reported, located. */
	const char *text =
		"program bad {\n"
		"  name \"Bad\"\n"
		"  earn {\n"
		"    granted at shipment\n"
		"    basis total + 5 points\n"
		"    add floor(basis * 1%) as points cap 100 yen\n"
		"  }\n"
		"}\n";
	assert_int_equal(load_text(&r, "bad.rules", text, d), PTRULES_EINVALID);
	assert_null(r);
	assert_true(ptrules_diags_errors(d) >= 2);
	assert_true(ptrules_diags_count(d) >= ptrules_diags_errors(d));
	ptrules_diag g = diag_at(d, 0);
	assert_int_equal(g.severity, PTRULES_ERROR);
	assert_string_equal(g.file, "bad.rules");
	assert_int_equal(g.line, 5);
	assert_true(g.col > 1);
	assert_true(g.len >= 1);
	assert_true(strlen(g.message) > 5);
	assert_non_null(g.source_line);
	assert_non_null(strstr(g.source_line, "basis total + 5 points"));
	g = diag_at(d, ptrules_diags_count(d) - 1);
	assert_int_equal(g.line, 6);

	/* Printed gcc-style. */
	char *out = NULL;
	size_t olen = 0;
	FILE *f = open_memstream(&out, &olen);
	ptrules_diags_print(d, f);
	fclose(f);
	assert_non_null(strstr(out, "bad.rules:5:"));
	assert_non_null(strstr(out, ": error: "));
	assert_non_null(strstr(out, "^"));
	free(out);

	/* The count line compilers end with. */
	char want[64];
	snprintf(want, sizeof want, "%zu errors generated.\n", ptrules_diags_errors(d));
	f = open_memstream(&out, &olen);
	ptrules_diags_print_summary(d, f);
	fclose(f);
	assert_string_equal(out, want);
	free(out);

	/* Cleared, the list is empty and reusable; an empty one prints no count. */
	ptrules_diags_clear(d);
	assert_int_equal(ptrules_diags_count(d), 0);
	assert_int_equal(ptrules_diags_errors(d), 0);
	f = open_memstream(&out, &olen);
	ptrules_diags_print_summary(d, f);
	ptrules_diags_print_summary(NULL, f);
	fclose(f);
	assert_string_equal(out, "");
	free(out);

	/* A syntax error. */
	r = (ptrules_rules *)&r;
	assert_int_equal(load_text(&r, "syntax.rules", "program x {\n  name \"X\"\n  redeem {\n", d),
			 PTRULES_EINVALID);
	assert_null(r);
	assert_true(ptrules_diags_errors(d) >= 1);
	assert_string_equal(diag_at(d, 0).file, "syntax.rules");

	/* Without a diagnostics list the status is the same. */
	r = (ptrules_rules *)&r;
	assert_int_equal(load_text(&r, "bad.rules", text, NULL), PTRULES_EINVALID);
	assert_null(r);

	/* No sources at all, and an empty source. */
	r = NULL;
	ptrules_status st = ptrules_load_sources(&r, NULL, 0, d);
	assert_true(st == PTRULES_OK || st == PTRULES_EINVALID);
	if (st == PTRULES_OK)
		assert_int_equal(ptrules_program_count(r), 0);
	ptrules_release(r);
	ptrules_diags_free(d);
}

/* ---- compiled rule sets ------------------------------------------------------- */

static void test_bytecode_reproducible_same_results(void **state)
{
	(void)state;
	const char *extra[] = { NULL, "tests/rules-extra/airwallet.rules" };
	for (int k = 0; k < 2; k++) {
		ptrules_rules *a = px_load_rules("rules", extra[k]);
		size_t l1, l2, l3, l4;
		unsigned char *b1 = save(a, &l1), *b2 = save(a, &l2);
		/* Twice from one rule set, and from a second compile. */
		assert_int_equal(l1, l2);
		assert_memory_equal(b1, b2, l1);
		ptrules_rules *a2 = px_load_rules("rules", extra[k]);
		unsigned char *b3 = save(a2, &l3);
		assert_int_equal(l1, l3);
		assert_memory_equal(b1, b3, l1);

		/* Loaded back: the same bytes again, and the same results. */
		ptrules_diags *d = ptrules_diags_new();
		ptrules_rules *c = NULL;
		assert_int_equal(ptrules_load_bytecode(&c, b1, l1, "rules.ptbc", d), PTRULES_OK);
		assert_int_equal(ptrules_diags_count(d), 0);
		assert_int_equal(ptrules_program_count(c), ptrules_program_count(a));
		assert_int_equal(ptrules_cost_bound(c), ptrules_cost_bound(a));
		for (size_t i = 0; i < ptrules_program_count(a); i++) {
			assert_string_equal(ptrules_program_id(c, i), ptrules_program_id(a, i));
			assert_string_equal(ptrules_program_name(c, i), ptrules_program_name(a, i));
		}
		unsigned char *b4 = save(c, &l4);
		assert_int_equal(l1, l4);
		assert_memory_equal(b1, b4, l1);
		assert_same_results(a, c);

		/* The listing of the loaded set is the listing of the sources. */
		char *t1 = NULL, *t2 = NULL;
		size_t n1 = 0, n2 = 0;
		FILE *f1 = open_memstream(&t1, &n1), *f2 = open_memstream(&t2, &n2);
		ptrules_disasm(a, f1);
		ptrules_disasm(c, f2);
		fclose(f1);
		fclose(f2);
		assert_string_equal(t1, t2);
		free(t1);
		free(t2);

		free(b1);
		free(b2);
		free(b3);
		free(b4);
		ptrules_diags_free(d);
		ptrules_release(c);
		ptrules_release(a2);
		ptrules_release(a);
	}
}

static void test_bytecode_files(void **state)
{
	(void)state;
	char dir[] = "/tmp/ptrules-test-api.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[4200], rules_file[4096], missing[4200];
	snprintf(path, sizeof path, "%s/rules.ptbc", dir);
	snprintf(missing, sizeof missing, "%s/no/such/dir/rules.ptbc", dir);
	root_path(rules_file, sizeof rules_file, "rules/dpoint.rules");

	ptrules_rules *r = px_load_rules("rules", NULL);
	ptrules_diags *d = ptrules_diags_new();
	assert_int_equal(ptrules_write_bytecode_file(r, path, d), PTRULES_OK);
	assert_int_equal(ptrules_diags_count(d), 0);
	/* Written again over the old file. */
	assert_int_equal(ptrules_write_bytecode_file(r, path, d), PTRULES_OK);
	size_t flen, blen;
	char *file = slurp(path, &flen);
	unsigned char *bytes = save(r, &blen);
	assert_int_equal(flen, blen);
	assert_memory_equal(file, bytes, blen);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);

	/* No temporary file is left beside it. */
	DIR *dh = opendir(dir);
	struct dirent *de;
	int entries = 0;
	while ((de = readdir(dh)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			entries++;
	closedir(dh);
	assert_int_equal(entries, 1);

	/* Told apart by the magic. */
	assert_int_equal(ptrules_is_bytecode_file(path), 1);
	assert_int_equal(ptrules_is_bytecode_file(rules_file), 0);
	assert_int_equal(ptrules_is_bytecode_file(missing), 0);
	assert_int_equal(ptrules_is_bytecode_file(dir), 0);

	ptrules_rules *c = NULL;
	assert_int_equal(ptrules_load_bytecode_file(&c, path, d), PTRULES_OK);
	assert_int_equal(ptrules_diags_count(d), 0);
	assert_same_results(r, c);
	ptrules_release(c);

	/* A missing file is an I/O error naming it. */
	c = r;
	assert_int_equal(ptrules_load_bytecode_file(&c, missing, d), PTRULES_EIO);
	assert_null(c);
	assert_true(ptrules_diags_errors(d) >= 1);
	assert_non_null(strstr(diag_at(d, 0).file, "rules.ptbc"));
	ptrules_diags_clear(d);

	/* A .rules file is not a compiled file. */
	c = r;
	assert_int_equal(ptrules_load_bytecode_file(&c, rules_file, d), PTRULES_EINVALID);
	assert_null(c);
	assert_true(ptrules_diags_errors(d) >= 1);
	assert_non_null(strstr(diag_at(d, 0).file, "dpoint.rules"));
	ptrules_diags_clear(d);

	/* A directory that does not exist: EIO, and nothing is written. */
	assert_int_equal(ptrules_write_bytecode_file(r, missing, d), PTRULES_EIO);
	assert_true(ptrules_diags_errors(d) >= 1);
	assert_non_null(strstr(diag_at(d, 0).file, "rules.ptbc"));
	ptrules_diags_clear(d);

	unlink(path);
	rmdir(dir);
	free(file);
	free(bytes);
	ptrules_diags_free(d);
	ptrules_release(r);
}

/* Load exactly len bytes from a heap copy (so a read past the end is an
 * AddressSanitizer error, not a silent read of the rest of the file). */
static ptrules_status load_copy(const unsigned char *b, size_t len, ptrules_rules **out, ptrules_diags *d)
{
	unsigned char *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	if (len)
		memcpy(copy, b, len);
	ptrules_status st = ptrules_load_bytecode(out, copy, len, "damaged.ptbc", d);
	free(copy);
	return st;
}

static void test_bytecode_truncated(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_rules("rules", NULL);
	size_t n;
	unsigned char *b = save(r, &n);
	ptrules_diags *d = ptrules_diags_new();
	for (size_t len = 0; len < n; len++) {
		ptrules_rules *c = r;
		ptrules_status st = load_copy(b, len, &c, d);
		if (st != PTRULES_EINVALID)
			fprintf(stderr, "truncated to %zu of %zu bytes: status %d\n", len, n, (int)st);
		assert_int_equal(st, PTRULES_EINVALID);
		assert_null(c);
		assert_true(ptrules_diags_errors(d) >= 1);
		ptrules_diag g = diag_at(d, 0);
		assert_string_equal(g.file, "damaged.ptbc");
		assert_int_equal(g.line, 0);
		ptrules_diags_clear(d);
	}
	/* One byte too many is as wrong as one too few. */
	unsigned char *longer = malloc(n + 1);
	memcpy(longer, b, n);
	longer[n] = 0;
	ptrules_rules *c = r;
	assert_int_equal(load_copy(longer, n + 1, &c, d), PTRULES_EINVALID);
	assert_null(c);
	free(longer);
	ptrules_diags_free(d);
	free(b);
	ptrules_release(r);
}

/* A few carts, to compare a damaged file's results quickly. */
static size_t small_corpus = 12;

static void test_bytecode_flipped_bytes(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_rules("rules", NULL);
	size_t n;
	unsigned char *b = save(r, &n);
	char *want = digest(r, 1, small_corpus);
	ptrules_diags *d = ptrules_diags_new();
	unsigned char *copy = malloc(n);
	const unsigned char flips[] = { 0x01, 0x80, 0xff };
	size_t accepted = 0;
	for (size_t off = 0; off < n; off++) {
		for (size_t k = 0; k < sizeof flips; k++) {
			memcpy(copy, b, n);
			copy[off] ^= flips[k];
			ptrules_rules *c = NULL;
			ptrules_status st = ptrules_load_bytecode(&c, copy, n, "flipped.ptbc", d);
			if (st == PTRULES_OK) {
				/* Accepted only if it means the same rule set. */
				accepted++;
				char *got = digest(c, 1, small_corpus);
				if (strcmp(got, want) != 0)
					fprintf(stderr, "byte %zu ^ 0x%02x accepted with other results\n", off, flips[k]);
				assert_string_equal(got, want);
				free(got);
				ptrules_release(c);
			} else {
				if (st != PTRULES_EINVALID)
					fprintf(stderr, "byte %zu ^ 0x%02x: status %d\n", off, flips[k], (int)st);
				assert_int_equal(st, PTRULES_EINVALID);
				assert_null(c);
				assert_true(ptrules_diags_errors(d) >= 1);
				assert_string_equal(diag_at(d, 0).file, "flipped.ptbc");
			}
			ptrules_diags_clear(d);
		}
	}
	if (accepted)
		fprintf(stderr, "flipped bytes: %zu of %zu damaged files accepted (same results)\n", accepted,
			n * sizeof flips);
	free(copy);
	free(want);
	free(b);
	ptrules_diags_free(d);
	ptrules_release(r);
}

/* CRC-32C (Castagnoli), as the .ptbc header uses (docs/bytecode.md). */
static uint32_t crc32c(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1u)));
	}
	return ~c;
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* The contents of section tag of a .ptbc image (docs/bytecode.md), or NULL. */
static const unsigned char *section(const unsigned char *b, size_t n, const char *tag, size_t *len)
{
	for (size_t off = 32; off + 8 <= n;) {
		size_t l = get32(b + off + 4);
		if (memcmp(b + off, tag, 4) == 0) {
			*len = l;
			return b + off + 8;
		}
		off += 8 + l;
	}
	return NULL;
}

/* The header as docs/bytecode.md describes it; a wrong version, flags or
 * checksum each gets its own message. */
static void test_bytecode_header(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_rules("rules", NULL);
	size_t n;
	unsigned char *b = save(r, &n);
	ptrules_diags *d = ptrules_diags_new();
	assert_memory_equal(b, "\x89PTBC\r\n\x1a", 8);
	assert_int_equal(get32(b + 8), 2);
	assert_int_equal(get32(b + 12), 0);
	assert_int_equal(get32(b + 16), n - 32);
	assert_int_equal(get32(b + 20), crc32c(b + 32, n - 32));

	struct { size_t off; uint32_t v; const char *msg; } cases[] = {
		{ 8, 1, "version" },
		{ 12, 1, "flag" },
		{ 16, (uint32_t)(n - 31), NULL },
		{ 20, get32(b + 20) ^ 1, "checksum" },
	};
	unsigned char *copy = malloc(n);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		memcpy(copy, b, n);
		put32(copy + cases[i].off, cases[i].v);
		ptrules_rules *c = r;
		assert_int_equal(ptrules_load_bytecode(&c, copy, n, "hdr.ptbc", d), PTRULES_EINVALID);
		assert_null(c);
		ptrules_diag g = diag_at(d, 0);
		assert_int_equal(g.severity, PTRULES_ERROR);
		assert_string_equal(g.file, "hdr.ptbc");
		if (cases[i].msg && !strstr(g.message, cases[i].msg))
			fail_msg("header field at %zu: message '%s' does not mention %s", cases[i].off, g.message,
				 cases[i].msg);
		ptrules_diags_clear(d);
	}
	free(copy);
	ptrules_diags_free(d);
	free(b);
	ptrules_release(r);
}

/* Corruptions with a recomputed checksum reach the section reader and the
 * verifier: each is rejected or gives a rule set that evaluates the corpus
 * without crashing (AddressSanitizer and UBSan watch under SANITIZE=1). */
static void test_bytecode_rechecksummed(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_rules("rules", NULL);
	size_t n;
	unsigned char *b = save(r, &n);
	ptrules_diags *d = ptrules_diags_new();
	unsigned char *copy = malloc(n);
	const unsigned char flips[] = { 0x01, 0x10, 0xff };
	size_t accepted = 0, noncanonical = 0;
	for (size_t off = 32; off < n; off++) {
		for (size_t k = 0; k < sizeof flips; k++) {
			memcpy(copy, b, n);
			copy[off] ^= flips[k];
			put32(copy + 20, crc32c(copy + 32, n - 32));
			ptrules_rules *c = NULL;
			ptrules_status st = ptrules_load_bytecode(&c, copy, n, "forged.ptbc", d);
			if (st == PTRULES_OK) {
				accepted++;
				free(digest(c, 1, 2));
				/* What it accepted, it writes back in a form that loads
				 * and writes back to itself (the loader normalises
				 * fractions, so a 0/5 written as such comes back 0/1). */
				size_t l2, l3;
				unsigned char *b2 = save(c, &l2);
				if (l2 != n || memcmp(b2, copy, n) != 0)
					noncanonical++;
				ptrules_rules *c2 = NULL;
				assert_int_equal(ptrules_load_bytecode(&c2, b2, l2, "resaved.ptbc", d), PTRULES_OK);
				unsigned char *b3 = save(c2, &l3);
				assert_int_equal(l2, l3);
				assert_memory_equal(b2, b3, l2);
				free(b2);
				free(b3);
				ptrules_release(c2);
				ptrules_release(c);
			} else {
				assert_int_equal(st, PTRULES_EINVALID);
				assert_null(c);
				assert_true(ptrules_diags_errors(d) >= 1);
			}
			ptrules_diags_clear(d);
		}
	}
	fprintf(stderr, "re-checksummed corruptions: %zu of %zu accepted as another valid rule set "
		"(%zu not in the writer's canonical form)\n", accepted, (n - 32) * sizeof flips, noncanonical);
	free(copy);
	ptrules_diags_free(d);
	free(b);
	ptrules_release(r);
}

/* ---- carts ------------------------------------------------------------------- */

/* A part of a file read on its own counts lines and carts as the whole
 * file's reader does: the same diagnostics at the same places, the same
 * indexes. */
static void test_reader_part(void **state)
{
	(void)state;
	char path[4096];
	size_t len;
	ptrules_diags *whole = ptrules_diags_new(), *part = ptrules_diags_new();
	const ptrules_cart *c;
	root_path(path, sizeof path, "tests/carts/bad.txt");
	char *text = slurp(path, &len);
	const char *at = strstr(text, "cart id=broken");
	assert_non_null(at);
	int line = 1;
	for (const char *s = text; s < at; s++)
		line += *s == '\n';
	assert_int_equal(line, 10);

	ptrules_reader *rd = ptrules_reader_new(text, len, "bad.txt");
	assert_int_equal(ptrules_reader_next(rd, &c, whole), 1);
	ptrules_diags_clear(whole);
	assert_int_equal(ptrules_reader_next(rd, &c, whole), 1);   /* broken, as the whole file reads it */
	ptrules_reader *rp = ptrules_reader_new_part(at, len - (size_t)(at - text), "bad.txt", line, 1);
	assert_non_null(rp);
	assert_int_equal(ptrules_reader_index(rp), 1);
	assert_int_equal(ptrules_reader_next(rp, &c, part), 1);
	assert_int_equal(ptrules_reader_index(rp), 2);
	assert_string_equal(ptrules_cart_id(c), "broken");
	assert_int_equal(ptrules_diags_count(part), ptrules_diags_count(whole));
	for (size_t i = 0; i < ptrules_diags_count(whole); i++) {
		ptrules_diag a = diag_at(whole, i), b = diag_at(part, i);
		assert_int_equal(a.line, b.line);
		assert_int_equal(a.col, b.col);
		assert_string_equal(a.message, b.message);
	}
	assert_int_equal(diag_at(part, 0).line, 11);
	assert_int_equal(ptrules_reader_next(rp, &c, part), 1);
	assert_string_equal(ptrules_cart_id(c), "good-after");
	assert_int_equal(ptrules_reader_index(rp), 3);
	assert_int_equal(ptrules_reader_has_cart_lines(rp), 1);
	assert_int_equal(ptrules_reader_next(rp, &c, part), 0);
	ptrules_reader_free(rp);
	ptrules_reader_free(rd);

	/* An empty part after others holds no cart (an empty file holds one). */
	rp = ptrules_reader_new_part("", 0, "bad.txt", 20, 3);
	assert_int_equal(ptrules_reader_next(rp, &c, part), 0);
	ptrules_reader_free(rp);
	/* The reader's rule for a line that starts a cart, which a program
	 * cutting a file into parts cuts by. */
	const char *yes[] = { "cart", "cart id=x", "  cart", "\tcart # c", "cart\r", "cart=1" };
	const char *no[] = { "", "car", "cartx", "cart-y", "cart_z", "cart9", "# cart", "item cart", "Cart" };
	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
		assert_true(ptrules_is_cart_line(yes[i], strlen(yes[i])));
	for (size_t i = 0; i < sizeof no / sizeof *no; i++)
		assert_false(ptrules_is_cart_line(no[i], strlen(no[i])));
	assert_false(ptrules_is_cart_line("cart", 3));   /* only len bytes count */
	assert_false(ptrules_is_cart_line(NULL, 0));
	/* Lines count from 1, carts from 0. */
	assert_null(ptrules_reader_new_part(text, len, "bad.txt", 0, 0));
	assert_null(ptrules_reader_new_part(text, len, "bad.txt", 1, -1));
	free(text);
	ptrules_diags_free(whole);
	ptrules_diags_free(part);
}

static void test_reader(void **state)
{
	(void)state;
	char path[4096];
	size_t len;
	ptrules_diags *d = ptrules_diags_new();
	const ptrules_cart *c;

	root_path(path, sizeof path, "tests/carts/multi.txt");
	char *text = slurp(path, &len);
	ptrules_reader *rd = ptrules_reader_new(text, len, "multi.txt");
	const char *ids[] = { "dpoint-rank4", "okidoki-jcb", "below-threshold" };
	for (int i = 0; i < 3; i++) {
		assert_int_equal(ptrules_reader_next(rd, &c, d), 1);
		assert_int_equal(ptrules_reader_index(rd), i + 1);
		assert_string_equal(ptrules_cart_id(c), ids[i]);
		assert_int_equal(ptrules_cart_errors(c), 0);
	}
	assert_int_equal(ptrules_reader_has_cart_lines(rd), 1);
	assert_int_equal(ptrules_reader_next(rd, &c, d), 0);
	assert_int_equal(ptrules_reader_next(rd, &c, d), 0);
	assert_int_equal(ptrules_diags_count(d), 0);
	ptrules_reader_free(rd);
	free(text);

	/* The broken cart in the middle is returned with its errors. */
	root_path(path, sizeof path, "tests/carts/bad.txt");
	text = slurp(path, &len);
	rd = ptrules_reader_new(text, len, "bad.txt");
	assert_int_equal(ptrules_reader_next(rd, &c, d), 1);
	assert_int_equal(ptrules_cart_errors(c), 0);
	assert_string_equal(ptrules_cart_id(c), "good-before");
	assert_int_equal(ptrules_reader_next(rd, &c, d), 1);
	assert_string_equal(ptrules_cart_id(c), "broken");
	assert_int_equal(ptrules_cart_errors(c), 2);
	assert_int_equal(ptrules_diags_errors(d), 2);
	ptrules_diag g = diag_at(d, 0);
	assert_string_equal(g.file, "bad.txt");
	assert_int_equal(g.line, 11);
	assert_true(g.col > 1);
	assert_int_equal(diag_at(d, 1).line, 12);
	ptrules_diags_clear(d);
	/* Evaluating it anyway is refused. */
	ptrules_rules *r = px_load_rules("rules", NULL);
	ptrules_eval *e = ptrules_eval_new(r, 0);
	assert_int_equal(ptrules_evaluate(e, c, d), PTRULES_EINVALID);
	assert_int_equal(ptrules_result_count(e), 0);
	ptrules_diags_clear(d);
	assert_int_equal(ptrules_reader_next(rd, &c, d), 1);
	assert_string_equal(ptrules_cart_id(c), "good-after");
	assert_int_equal(ptrules_cart_errors(c), 0);
	assert_int_equal(ptrules_evaluate(e, c, d), PTRULES_OK);
	assert_int_equal(ptrules_result_count(e), 3);
	assert_int_equal(ptrules_reader_next(rd, &c, d), 0);
	ptrules_reader_free(rd);
	free(text);

	/* A text without `cart` lines is one cart; an empty text one empty cart. */
	rd = ptrules_reader_new(example_cart, strlen(example_cart), "cart.txt");
	assert_int_equal(ptrules_reader_next(rd, &c, d), 1);
	assert_int_equal(ptrules_reader_has_cart_lines(rd), 0);
	assert_string_equal(ptrules_cart_id(c), "250-1234567");
	assert_int_equal(ptrules_reader_next(rd, &c, d), 0);
	ptrules_reader_free(rd);
	rd = ptrules_reader_new("", 0, "empty.txt");
	assert_int_equal(ptrules_reader_next(rd, &c, d), 1);
	assert_null(ptrules_cart_id(c));
	assert_int_equal(ptrules_evaluate(e, c, d), PTRULES_OK);
	assert_int_equal(ptrules_reader_next(rd, &c, d), 0);
	ptrules_reader_free(rd);

	ptrules_eval_free(e);
	ptrules_release(r);
	ptrules_diags_free(d);
}

static void test_cart_builder(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_rules("rules", NULL);
	ptrules_eval *e = ptrules_eval_new(r, 0);
	ptrules_cart *c = ptrules_cart_new();
	assert_non_null(c);
	assert_null(ptrules_cart_id(c));
	assert_int_equal(ptrules_cart_errors(c), 0);

	/* The example cart, built and read, gives the same JSON; twice, as
	 * cart_clear makes the cart reusable. */
	char *want = json_of_text(e, example_cart, PTRULES_OK);
	for (int i = 0; i < 2; i++) {
		build_example(c);
		assert_string_equal(ptrules_cart_id(c), "250-1234567");
		char *got = json_of_cart(e, c, PTRULES_OK);
		assert_string_equal(got, want);
		free(got);
	}
	free(want);

	/* Bools and words; a key set twice keeps the last value. */
	const char *bonus_text =
		"order id=b date=2026-03-05\n"
		"item price=20000 category=grocery\n"
		"payment method=giftcard\n"
		"account program=dpoint earned_3mo=0 dvaluepass=yes prime=yes\n";
	want = json_of_text(e, bonus_text, PTRULES_OK);
	assert_non_null(strstr(want, "\"date_source\":\"order\""));
	ptrules_cart_clear(c);
	assert_null(ptrules_cart_id(c));
	assert_int_equal(ptrules_cart_set_order(c, "b", "2026-03-05"), PTRULES_OK);
	assert_int_equal(ptrules_cart_add_item(c, 20000, 1, "grocery", NULL), PTRULES_OK);
	assert_int_equal(ptrules_cart_set_payment(c, NULL, "giftcard"), PTRULES_OK);
	assert_int_equal(ptrules_cart_add_account(c, "dpoint", 0), PTRULES_OK);
	assert_int_equal(ptrules_cart_set_int(c, "dpoint", "earned_3mo", 999), PTRULES_OK);
	assert_int_equal(ptrules_cart_set_int(c, "dpoint", "earned_3mo", 0), PTRULES_OK);
	assert_int_equal(ptrules_cart_set_bool(c, "dpoint", "dvaluepass", 1), PTRULES_OK);
	assert_int_equal(ptrules_cart_set_bool(c, "dpoint", "prime", 7), PTRULES_OK);
	char *got = json_of_cart(e, c, PTRULES_OK);
	assert_string_equal(got, want);
	free(got);
	free(want);
	ptrules_result res;
	assert_int_equal(ptrules_result_get(e, 0, &res), PTRULES_OK);
	assert_string_equal(res.id, "dpoint");
	assert_true(res.earn_points > 100);    /* the bonus day added to the base */

	/* Each setter checks its argument and leaves the cart as it was. */
	ptrules_cart_clear(c);
	assert_int_equal(ptrules_cart_set_order(c, "x", "2026-13-01"), PTRULES_EINVALID);
	assert_int_equal(ptrules_cart_set_order(c, "x", "2026-02-30"), PTRULES_EINVALID);
	assert_int_equal(ptrules_cart_set_order(c, "x", "tomorrow"), PTRULES_EINVALID);
	assert_int_equal(ptrules_cart_set_order(c, "x", ""), PTRULES_EINVALID);
	assert_null(ptrules_cart_id(c));
	assert_int_equal(ptrules_cart_add_item(c, -1, 1, NULL, NULL), PTRULES_EINVALID);
	assert_int_equal(ptrules_cart_add_item(c, 100, 0, NULL, NULL), PTRULES_EINVALID);
	assert_int_equal(ptrules_cart_add_item(c, 100, -3, NULL, NULL), PTRULES_EINVALID);
	assert_int_equal(ptrules_cart_add_item(c, 100, 1000001, NULL, NULL), PTRULES_EINVALID);
	assert_int_equal(ptrules_cart_add_account(c, "dpoint", -5), PTRULES_EINVALID);
	assert_int_equal(ptrules_cart_add_account(c, "dpoint", 5), PTRULES_OK);
	assert_int_equal(ptrules_cart_add_account(c, "dpoint", 6), PTRULES_EINVALID);
	assert_int_equal(ptrules_cart_set_int(c, "recruit", "earned_3mo", 1), PTRULES_EARG);
	assert_int_equal(ptrules_cart_set_bool(c, "recruit", "prime", 1), PTRULES_EARG);
	assert_int_equal(ptrules_cart_set_word(c, "recruit", "plan", "gold"), PTRULES_EARG);
	/* No order date: evaluated at today's date in Japan. */
	assert_int_equal(ptrules_cart_set_order(c, NULL, NULL), PTRULES_OK);
	assert_int_equal(ptrules_cart_add_item(c, 100, 1, NULL, NULL), PTRULES_OK);
	got = json_of_cart(e, c, PTRULES_OK);
	assert_null(strstr(got, "\"date_source\":\"order\""));
	free(got);

	/* Checked against the rules at evaluation: a key no rule reads is a
	 * warning, a value of the wrong type an error. */
	ptrules_diags *d = ptrules_diags_new();
	assert_int_equal(ptrules_cart_set_int(c, "dpoint", "earned_3month", 5), PTRULES_OK);
	assert_int_equal(ptrules_evaluate(e, c, d), PTRULES_OK);
	assert_int_equal(ptrules_diags_errors(d), 0);
	assert_int_equal(ptrules_diags_warnings(d), 1);
	assert_int_equal(diag_at(d, 0).severity, PTRULES_WARNING);
	assert_non_null(strstr(diag_at(d, 0).message, "earned_3month"));
	ptrules_diags_clear(d);
	assert_int_equal(ptrules_cart_set_word(c, "dpoint", "earned_3mo", "lots"), PTRULES_OK);
	assert_int_equal(ptrules_evaluate(e, c, d), PTRULES_EINVALID);
	assert_true(ptrules_diags_errors(d) >= 1);
	assert_int_equal(ptrules_result_count(e), 0);
	ptrules_amounts am;   /* a failed evaluation leaves no amounts, though the one before did */
	assert_int_equal(ptrules_amounts_get(e, 0, &am), PTRULES_EARG);
	ptrules_diags_clear(d);

	/* A cart that overflows is refused, not wrapped around. */
	ptrules_cart_clear(c);
	assert_int_equal(ptrules_cart_add_item(c, INT64_MAX / 2, 1000, NULL, NULL), PTRULES_OK);
	assert_int_equal(ptrules_evaluate(e, c, d), PTRULES_EINVALID);
	assert_true(ptrules_diags_errors(d) >= 1);

	ptrules_diags_free(d);
	ptrules_cart_free(c);
	ptrules_eval_free(e);
	ptrules_release(r);
}

/* ---- evaluation and results ------------------------------------------------- */

static void test_results(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_rules("rules", NULL);
	ptrules_eval *e = ptrules_eval_new(r, 0);
	assert_ptr_equal(ptrules_eval_rules(e), r);
	ptrules_cart *c = ptrules_cart_new();
	build_example(c);
	assert_int_equal(ptrules_evaluate(e, c, NULL), PTRULES_OK);
	assert_int_equal(ptrules_result_count(e), 3);

	ptrules_result d, o, rc;
	assert_int_equal(ptrules_result_get(e, 0, &d), PTRULES_OK);
	assert_int_equal(ptrules_result_get(e, 1, &o), PTRULES_OK);
	assert_int_equal(ptrules_result_get(e, 2, &rc), PTRULES_OK);
	/* README: dポイント ★4, 1,200 points worth 1,200 yen, earns 110 at
	 * shipment (monthly cap); OkiDoki ended; recruit 500 worth 500. */
	assert_string_equal(d.id, "dpoint");
	assert_string_equal(d.name, "dポイント");
	assert_int_equal(d.linked, 1);
	assert_string_equal(d.tier, "★4");
	assert_int_equal(d.redeem_usable, 1);
	assert_int_equal(d.redeem_max_points, 1200);
	assert_int_equal(d.redeem_value_yen, 1200);
	assert_int_equal(d.redeem_nreasons, 0);
	assert_int_equal(d.earn_points, 110);
	assert_int_equal(d.earn_basis_yen, 7960);
	assert_string_equal(d.earn_granted, "shipment");
	assert_int_equal(d.earn_nreasons, 1);
	assert_string_equal(d.earn_reasons[0], "monthly cap for this rank reached");
	assert_int_equal(d.runtime_error, 0);
	assert_string_equal(o.id, "okidoki");
	assert_int_equal(o.redeem_usable, 0);
	assert_int_equal(o.redeem_max_points, 0);
	assert_int_equal(o.redeem_nreasons, 1);
	assert_string_equal(o.redeem_reasons[0], "program ended on 2026-01-12");
	assert_null(o.tier);
	assert_null(o.earn_granted);
	assert_int_equal(o.earn_points, 0);
	assert_string_equal(rc.id, "recruit");
	assert_int_equal(rc.redeem_usable, 1);
	assert_int_equal(rc.redeem_max_points, 500);
	assert_int_equal(rc.redeem_value_yen, 500);

	/* The results stay readable after the handle's own reference goes:
	 * the evaluation context retains its rule set. */
	ptrules_rules *again = ptrules_retain(r);
	assert_ptr_equal(again, r);
	ptrules_release(again);
	ptrules_release(r);
	assert_string_equal(ptrules_program_id(ptrules_eval_rules(e), 0), "dpoint");
	assert_int_equal(ptrules_result_get(e, 0, &d), PTRULES_OK);
	assert_string_equal(d.name, "dポイント");
	assert_int_equal(ptrules_evaluate(e, c, NULL), PTRULES_OK);

	ptrules_cart_free(c);
	ptrules_eval_free(e);   /* frees the rule set */
}

static void test_runtime_error(void **state)
{
	(void)state;
	const char *rules =
		"program divz {\n"
		"  name \"Div\"\n"
		"  input account.div: number = 1\n"
		"  earn {\n"
		"    granted at payment\n"
		"    basis total\n"
		"    add floor(basis / account.div) as points\n"
		"  }\n"
		"}\n";
	ptrules_rules *r = NULL;
	ptrules_diags *d = ptrules_diags_new();
	assert_int_equal(load_text(&r, "divz.rules", rules, d), PTRULES_OK);
	ptrules_eval *e = ptrules_eval_new(r, 1);
	ptrules_cart *c = ptrules_cart_new();
	assert_int_equal(ptrules_cart_set_order(c, "z", "2026-01-01"), PTRULES_OK);
	assert_int_equal(ptrules_cart_add_item(c, 100, 1, NULL, NULL), PTRULES_OK);
	assert_int_equal(ptrules_cart_add_account(c, "divz", 0), PTRULES_OK);
	assert_int_equal(ptrules_cart_set_int(c, "divz", "div", 4), PTRULES_OK);
	assert_int_equal(ptrules_evaluate(e, c, d), PTRULES_OK);
	ptrules_result res;
	assert_int_equal(ptrules_result_get(e, 0, &res), PTRULES_OK);
	assert_int_equal(res.earn_points, 25);
	assert_int_equal(res.runtime_error, 0);

	assert_int_equal(ptrules_cart_set_int(c, "divz", "div", 0), PTRULES_OK);
	assert_int_equal(ptrules_evaluate(e, c, d), PTRULES_ERUNTIME);
	assert_int_equal(ptrules_result_count(e), 1);
	assert_int_equal(ptrules_result_get(e, 0, &res), PTRULES_OK);
	assert_int_equal(res.runtime_error, 1);
	assert_non_null(res.error_file);
	assert_string_equal(res.error_file, "divz.rules");
	assert_int_equal(res.error_line, 7);
	assert_int_equal(res.earn_points, 0);
	char buf[4096];
	assert_true(ptrules_format_json(e, c, NULL, buf, sizeof buf) < sizeof buf);
	assert_non_null(strstr(buf, "division by zero in divz.rules:7"));

	/* The same context works again afterwards. */
	assert_int_equal(ptrules_cart_set_int(c, "divz", "div", 2), PTRULES_OK);
	assert_int_equal(ptrules_evaluate(e, c, d), PTRULES_OK);
	assert_int_equal(ptrules_result_get(e, 0, &res), PTRULES_OK);
	assert_int_equal(res.earn_points, 50);
	assert_int_equal(res.runtime_error, 0);

	ptrules_cart_free(c);
	ptrules_eval_free(e);
	ptrules_release(r);
	ptrules_diags_free(d);
}

/* ---- formatting --------------------------------------------------------------- */

/* snprintf semantics at every buffer size from 0 to the full length + 1. */
static void check_format(size_t (*fmt)(const ptrules_eval *, const ptrules_cart *, const char *, char *, size_t),
			 const ptrules_eval *e, const ptrules_cart *c, const char *label)
{
	size_t n = fmt(e, c, label, NULL, 0);
	assert_true(n > 50);
	char *full = malloc(n + 1);
	assert_int_equal(fmt(e, c, label, full, n + 1), n);
	assert_int_equal(strlen(full), n);
	assert_int_equal(full[n - 1], '\n');
	char *buf = malloc(n + 2);
	for (size_t cap = 0; cap <= n + 1; cap++) {
		memset(buf, 'Z', n + 2);
		assert_int_equal(fmt(e, c, label, buf, cap), n);
		if (cap == 0) {
			assert_int_equal(buf[0], 'Z');          /* nothing written */
			continue;
		}
		size_t kept = cap - 1 < n ? cap - 1 : n;
		assert_int_equal(buf[kept], '\0');
		assert_memory_equal(buf, full, kept);
		assert_int_equal(buf[cap], 'Z');            /* nothing past cap */
	}
	free(buf);
	free(full);
}

static void test_format(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_rules("rules", NULL);
	ptrules_cart *c = ptrules_cart_new();
	build_example(c);
	for (int explain = 0; explain <= 1; explain++) {
		ptrules_eval *e = ptrules_eval_new(r, explain);
		assert_int_equal(ptrules_evaluate(e, c, NULL), PTRULES_OK);
		check_format(ptrules_format_json, e, c, NULL);
		check_format(ptrules_format_text, e, c, NULL);
		check_format(ptrules_format_json, e, c, "my label");

		char buf[8192];
		/* The label names the cart; without one, the cart's id does. */
		ptrules_format_json(e, c, "my label", buf, sizeof buf);
		assert_memory_equal(buf, "{\"cart\":\"my label\",", 19);
		ptrules_format_json(e, c, NULL, buf, sizeof buf);
		assert_memory_equal(buf, "{\"cart\":\"250-1234567\",", 22);
		assert_ptr_equal(strchr(buf, '\n'), buf + strlen(buf) - 1);   /* one line */
		ptrules_format_text(e, c, NULL, buf, sizeof buf);
		assert_memory_equal(buf, "cart 250-1234567  2026-11-24  2 items  total 9,160 yen\n", 55);
		if (explain) {
			assert_non_null(strstr(buf, "explain dpoint:"));
			assert_non_null(strstr(buf, "dpoint.rules:47: require basis >= 5000 yen"));
			assert_non_null(strstr(buf, "(not reached)"));
		} else {
			assert_null(strstr(buf, "explain"));
		}
		ptrules_eval_free(e);
	}
	ptrules_cart_free(c);
	ptrules_release(r);
}

/* ---- costs, coverage, lint, fmt ------------------------------------------------ */

static void test_costs(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_rules("rules", "tests/rules-extra/airwallet.rules");
	size_t sum = 0;
	for (size_t i = 0; i < ptrules_program_count(r); i++) {
		size_t c = ptrules_program_cost(r, i);
		assert_true(c > 0);
		sum += c;
	}
	/* the bound adds the checkout policy's one section (rules/checkout.rules) */
	assert_true(ptrules_cost_bound(r) > sum);
	assert_true(ptrules_cost_bound(r) - sum < 100);
	assert_int_equal(ptrules_program_cost(r, 4), 0);
	assert_int_equal(ptrules_program_cost(NULL, 0), 0);
	ptrules_release(r);
}

/* The texts code generation writes (gen.c joins them by hand): every
 * shape of a dated block's coverage point, a tier row's (cut at 255
 * bytes, as snprintf cut it), an exclusion's, and the failure a program
 * gives before it starts. */
static void test_coverage_texts(void **state)
{
	(void)state;
	char label[301], text[4096];
	memset(label, 'L', 300);
	label[300] = '\0';
	snprintf(text, sizeof text,
		 "program cov {\n"
		 "  name \"Cov\"\n"
		 "  input account.level: points = 0 points\n"
		 "  valid from 2020-01-01 until 2099-12-31\n"
		 "  exclude categories giftcard\n"
		 "  redeem from 2028-01-01 {\n    value 2 yen per point\n  }\n"
		 "  redeem from 2026-04-01 until 2027-03-31 {\n    value 1.2 yen per point\n  }\n"
		 "  redeem {\n    value 1 yen per point\n  }\n"
		 "  tiers rank by account.level {\n    \"%s\" otherwise: multiplier 1\n  }\n"
		 "  earn until 2030-12-31 {\n    add floor(total * rank.multiplier * 1%%) as points\n  }\n"
		 "}\n",
		 label);
	ptrules_rules *r = NULL;
	assert_int_equal(load_text(&r, "cov.rules", text, NULL), PTRULES_OK);
	ptrules_eval *e = ptrules_eval_new(r, PTRULES_EVAL_COVERAGE);
	char want_tier[512];
	snprintf(want_tier, sizeof want_tier, "tier row \"%s\" of rank is chosen", label);
	want_tier[255] = '\0';   /* where a coverage text is cut */
	const char *want[] = { "the redeem block from 2028-01-01 is in force",
			       "the redeem block from 2026-04-01 until 2027-03-31 is in force",
			       "the earn block until 2030-12-31 is in force", "an excluded giftcard item is in a cart",
			       want_tier };
	for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
		bool found = false;
		ptrules_cover cv;
		for (size_t i = 0; i < ptrules_coverage_count(e) && !found; i++) {
			assert_int_equal(ptrules_coverage_get(e, i, &cv), PTRULES_OK);
			found = strcmp(cv.what, want[k]) == 0;
		}
		if (!found)
			fail_msg("no coverage point \"%s\"", want[k]);
	}
	ptrules_cart *c = ptrules_cart_new();
	assert_int_equal(ptrules_cart_set_order(c, "early", "2019-12-31"), PTRULES_OK);
	assert_int_equal(ptrules_cart_add_item(c, 1000, 1, NULL, NULL), PTRULES_OK);
	assert_int_equal(ptrules_cart_add_account(c, "cov", 10), PTRULES_OK);
	assert_int_equal(ptrules_evaluate(e, c, NULL), PTRULES_OK);
	char json[8192];
	assert_true(ptrules_format_json(e, c, NULL, json, sizeof json) < sizeof json);
	assert_non_null(strstr(json, "program cov starts on 2020-01-01"));
	/* an order the 2026-04-01..2027-03-31 redeem block is in force for
	 * hits that block's point and not the later one's */
	ptrules_cart_clear(c);
	assert_int_equal(ptrules_cart_set_order(c, "inside", "2026-05-01"), PTRULES_OK);
	assert_int_equal(ptrules_cart_add_item(c, 1000, 1, NULL, NULL), PTRULES_OK);
	assert_int_equal(ptrules_cart_add_account(c, "cov", 10), PTRULES_OK);
	assert_int_equal(ptrules_evaluate(e, c, NULL), PTRULES_OK);
	int hit_in = -1, hit_later = -1;
	for (size_t i = 0; i < ptrules_coverage_count(e); i++) {
		ptrules_cover cv;
		assert_int_equal(ptrules_coverage_get(e, i, &cv), PTRULES_OK);
		if (strcmp(cv.what, want[1]) == 0)
			hit_in = cv.hit;
		if (strcmp(cv.what, want[0]) == 0)
			hit_later = cv.hit;
	}
	assert_int_equal(hit_in, 1);
	assert_int_equal(hit_later, 0);
	ptrules_cart_free(c);
	ptrules_eval_free(e);
	ptrules_release(r);
}

/* The explain trace describes the last cart only: a rule that ran for
 * one cart reads as not run for the next, where it did not run, through
 * ptrules_evaluate and ptrules_evaluate_packed alike (pt_api_run empties
 * the trace only where there is one). */
static void test_explain_each_cart(void **state)
{
	(void)state;
	static const char text[] =
		"cart id=bonus\norder date=2026-03-05\nitem price=6000 category=grocery\n"
		"account program=dpoint balance=0 dvaluepass=yes\n"
		"cart id=plain\norder date=2026-03-06\nitem price=6000 category=grocery\n"
		"account program=dpoint balance=0 dvaluepass=yes\n";
	ptrules_rules *r = px_load_rules("rules", NULL);
	ptrules_eval *e = ptrules_eval_new(r, PTRULES_EVAL_EXPLAIN);
	ptrules_batch *b = ptrules_batch_new(r);
	ptrules_reader *rd = ptrules_reader_new(text, sizeof text - 1, "carts.txt");
	ptrules_cart *carts[2];
	const ptrules_cart *c;
	for (int k = 0; k < 2; k++) {
		assert_int_equal(ptrules_reader_next(rd, &c, NULL), 1);
		carts[k] = ptrules_cart_new();
		assert_int_equal(ptrules_cart_copy(carts[k], c), PTRULES_OK);
		assert_int_equal(ptrules_batch_add(b, c), PTRULES_OK);
	}
	size_t rule = SIZE_MAX;
	ptrules_explain x;
	assert_int_equal(ptrules_evaluate(e, carts[0], NULL), PTRULES_OK);
	for (size_t i = 0; i < ptrules_explain_count(e); i++) {
		assert_int_equal(ptrules_explain_get(e, i, &x), PTRULES_OK);
		if (strstr(x.rule, "let day_multiplier"))
			rule = i;
	}
	assert_true(rule != SIZE_MAX);
	for (int packed = 0; packed < 2; packed++) {
		for (int k = 0; k < 2; k++) {
			assert_int_equal(packed ? ptrules_evaluate_packed(e, b, (size_t)k) : ptrules_evaluate(e, carts[k], NULL),
					 PTRULES_OK);
			assert_int_equal(ptrules_explain_get(e, rule, &x), PTRULES_OK);
			assert_int_equal(x.ran, k == 0);   /* the 5th is the bonus day, the 6th is not */
		}
	}
	for (int k = 0; k < 2; k++)
		ptrules_cart_free(carts[k]);
	ptrules_reader_free(rd);
	ptrules_batch_free(b);
	ptrules_eval_free(e);
	ptrules_release(r);
}

static void test_coverage(void **state)
{
	(void)state;
	ptrules_rules *r = px_load_rules("rules", NULL);
	ptrules_cart *c = ptrules_cart_new();
	build_example(c);
	ptrules_cover cv;

	/* Without the flag there is nothing to report. */
	ptrules_eval *plain = ptrules_eval_new(r, 0);
	assert_int_equal(ptrules_evaluate(plain, c, NULL), PTRULES_OK);
	assert_int_equal(ptrules_coverage_count(plain), 0);
	assert_int_equal(ptrules_coverage_get(plain, 0, &cv), PTRULES_EARG);
	ptrules_eval_free(plain);

	ptrules_eval *e = ptrules_eval_new(r, PTRULES_EVAL_COVERAGE | PTRULES_EVAL_EXPLAIN);
	assert_non_null(e);
	size_t n = ptrules_coverage_count(e);
	assert_true(n > 10);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(ptrules_coverage_get(e, i, &cv), PTRULES_OK);
		assert_int_equal(cv.hit, 0);          /* nothing evaluated yet */
	}
	assert_int_equal(ptrules_evaluate(e, c, NULL), PTRULES_OK);
	size_t hit = 0;
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(ptrules_coverage_get(e, i, &cv), PTRULES_OK);
		assert_non_null(cv.program);
		assert_non_null(cv.file);
		assert_non_null(cv.what);
		assert_true(cv.line > 0);
		hit += cv.hit != 0;
	}
	assert_true(hit > 0 && hit < n);
	/* It accumulates: another cart never un-hits a part. */
	ptrules_cart_clear(c);
	assert_int_equal(ptrules_cart_set_order(c, "x", "2024-06-01"), PTRULES_OK);
	assert_int_equal(ptrules_cart_add_item(c, 100, 1, NULL, NULL), PTRULES_OK);
	assert_int_equal(ptrules_evaluate(e, c, NULL), PTRULES_OK);
	size_t hit2 = 0;
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(ptrules_coverage_get(e, i, &cv), PTRULES_OK);
		hit2 += cv.hit != 0;
	}
	assert_true(hit2 >= hit);
	assert_int_equal(ptrules_coverage_get(e, n, &cv), PTRULES_EARG);
	assert_int_equal(ptrules_coverage_get(e, 0, NULL), PTRULES_EARG);
	assert_int_equal(ptrules_coverage_get(NULL, 0, &cv), PTRULES_EARG);
	assert_int_equal(ptrules_coverage_count(NULL), 0);
	ptrules_eval_free(e);

	/* A rule set from a compiled file has no coverage points, and still
	 * evaluates with the flag. */
	size_t len;
	unsigned char *b = save(r, &len);
	ptrules_rules *rb = NULL;
	assert_int_equal(ptrules_load_bytecode(&rb, b, len, "rules.ptbc", NULL), PTRULES_OK);
	e = ptrules_eval_new(rb, PTRULES_EVAL_COVERAGE);
	assert_int_equal(ptrules_evaluate(e, c, NULL), PTRULES_OK);
	assert_int_equal(ptrules_coverage_count(e), 0);
	ptrules_eval_free(e);
	ptrules_release(rb);
	free(b);
	ptrules_cart_free(c);
	ptrules_release(r);
}

static void test_lint(void **state)
{
	(void)state;
	char dir[] = "/tmp/ptrules-test-lint.XXXXXX", path[4200], rules[4096];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/p.rules", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("program p {\n"
	      "  name \"P\"\n"
	      "  input account.prime: bool = no\n"
	      "  earn {\n"
	      "    add floor(total * 1%) as points\n"
	      "  }\n"
	      "}\n", f);
	fclose(f);
	const char *paths[] = { path };
	ptrules_diags *d = ptrules_diags_new();
	ptrules_rules *r = NULL;
	/* Loading does not lint ... */
	assert_int_equal(ptrules_load_paths(&r, paths, 1, d), PTRULES_OK);
	assert_int_equal(ptrules_diags_count(d), 0);
	ptrules_release(r);
	/* ... linting does: a warning, and the rule set is still loaded. */
	r = NULL;
	assert_int_equal(ptrules_lint_paths(&r, paths, 1, d), PTRULES_OK);
	assert_non_null(r);
	assert_int_equal(ptrules_diags_errors(d), 0);
	assert_true(ptrules_diags_warnings(d) >= 1);
	ptrules_diag g = diag_at(d, 0);
	assert_int_equal(g.severity, PTRULES_WARNING);
	assert_string_equal(g.code, "PT105");
	assert_int_equal(g.line, 3);
	assert_non_null(strstr(g.file, "p.rules"));
	ptrules_release(r);
	ptrules_diags_clear(d);

	/* The shipped rules lint clean of errors. */
	root_path(rules, sizeof rules, "rules");
	const char *shipped[] = { rules };
	r = NULL;
	assert_int_equal(ptrules_lint_paths(&r, shipped, 1, d), PTRULES_OK);
	assert_int_equal(ptrules_diags_errors(d), 0);
	ptrules_release(r);
	assert_int_equal(ptrules_lint_paths(NULL, shipped, 1, d), PTRULES_EARG);
	assert_int_equal(ptrules_lint_paths(&r, NULL, 1, d), PTRULES_EARG);

	unlink(path);
	rmdir(dir);
	ptrules_diags_free(d);
}

static void test_fmt(void **state)
{
	(void)state;
	const char *messy =
		"# a comment\n"
		"program   p{\n"
		"name \"P\"\n"
		"\n"
		"      earn {   granted at payment\n"
		"add floor(total*1%) as points   # one percent\n"
		"}}\n";
	char *once = NULL, *twice = NULL;
	size_t n1 = 0, n2 = 0;
	ptrules_diags *d = ptrules_diags_new();
	assert_int_equal(ptrules_fmt(messy, strlen(messy), "messy.rules", &once, &n1, d), PTRULES_OK);
	assert_non_null(once);
	assert_int_equal(strlen(once), n1);
	assert_non_null(strstr(once, "# a comment"));
	assert_non_null(strstr(once, "# one percent"));
	assert_string_not_equal(once, messy);
	/* Formatting formatted text changes nothing ... */
	assert_int_equal(ptrules_fmt(once, n1, "once.rules", &twice, &n2, d), PTRULES_OK);
	assert_int_equal(n1, n2);
	assert_string_equal(once, twice);
	/* ... and never the compiled rule set. */
	ptrules_rules *a = NULL, *b = NULL;
	assert_int_equal(load_text(&a, "p.rules", messy, d), PTRULES_OK);
	assert_int_equal(load_text(&b, "p.rules", once, d), PTRULES_OK);
	size_t la, lb;
	unsigned char *ba = save(a, &la), *bb = save(b, &lb);
	ptrules_eval *ea = ptrules_eval_new(a, 0), *eb = ptrules_eval_new(b, 0);
	ptrules_cart *c = ptrules_cart_new();
	build_example(c);
	/* The code, constants and strings are the same (the line table and
	 * the source hash in the header follow the text). */
	const char *same[] = { "STRS", "CONS", "CODE" };
	for (int i = 0; i < 3; i++) {
		size_t sa, sb;
		const unsigned char *pa = section(ba, la, same[i], &sa), *pb = section(bb, lb, same[i], &sb);
		assert_non_null(pa);
		assert_non_null(pb);
		assert_int_equal(sa, sb);
		assert_memory_equal(pa, pb, sa);
	}
	char *ja = json_of_cart(ea, c, PTRULES_OK), *jb = json_of_cart(eb, c, PTRULES_OK);
	assert_string_equal(ja, jb);
	free(ja);
	free(jb);
	ptrules_eval_free(ea);
	ptrules_eval_free(eb);
	ptrules_cart_free(c);
	free(ba);
	free(bb);
	ptrules_release(a);
	ptrules_release(b);
	assert_int_equal(ptrules_diags_count(d), 0);
	free(once);
	free(twice);

	/* Text that does not parse is not formatted. */
	char *out = (char *)"unchanged";
	size_t olen = 99;
	assert_int_equal(ptrules_fmt("program {", 9, "bad.rules", &out, &olen, d), PTRULES_EINVALID);
	assert_true(ptrules_diags_errors(d) >= 1);
	assert_string_equal(diag_at(d, 0).file, "bad.rules");
	ptrules_diags_free(d);
	assert_int_equal(ptrules_fmt(NULL, 5, "x", &out, &olen, NULL), PTRULES_EARG);
	assert_int_equal(ptrules_fmt("x", 1, "x", NULL, &olen, NULL), PTRULES_EARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_null_handles),
		cmocka_unit_test(test_load_paths_and_queries),
		cmocka_unit_test(test_load_sources_same_as_paths),
		cmocka_unit_test(test_bad_rules_diagnostics),
		cmocka_unit_test(test_bytecode_reproducible_same_results),
		cmocka_unit_test(test_bytecode_files),
		cmocka_unit_test(test_bytecode_truncated),
		cmocka_unit_test(test_bytecode_flipped_bytes),
		cmocka_unit_test(test_bytecode_header),
		cmocka_unit_test(test_bytecode_rechecksummed),
		cmocka_unit_test(test_reader),
		cmocka_unit_test(test_reader_part),
		cmocka_unit_test(test_cart_builder),
		cmocka_unit_test(test_results),
		cmocka_unit_test(test_runtime_error),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_costs),
		cmocka_unit_test(test_coverage),
		cmocka_unit_test(test_coverage_texts),
		cmocka_unit_test(test_explain_each_cart),
		cmocka_unit_test(test_lint),
		cmocka_unit_test(test_fmt),
	};
	return cmocka_run_group_tests(tests, corpus_setup, corpus_teardown);
}
