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
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptrules.h"
#include "alloc_fail.h"
#include "helpers.h"

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

/* The shipped rules and the extra program (ss, which the caller frees
 * with srcs_free), loaded with nothing failing. */
static ptrules_rules *srcs_rules(srcset *ss)
{
	srcs_load(ss);
	ptrules_rules *r = NULL;
	assert_int_equal(ptrules_load_sources(&r, ss->s, ss->n, NULL), PTRULES_OK);
	return r;
}

static void srcs_free(srcset *ss)
{
	for (size_t i = 0; i < ss->n; i++)
		free(ss->text[i]);
}

/* ---- tests ----------------------------------------------------------------------- */

/* The compiled form of r, for comparing rule sets byte for byte. */
static unsigned char *bytes_of(ptrules_rules *r, size_t *len)
{
	unsigned char *b = NULL;
	assert_int_equal(ptrules_save_bytecode(r, &b, len), PTRULES_OK);
	return b;
}

/* One way of loading rules; want: the rule set it gives with nothing
 * failing, compiled (NULL: compare nothing). */
typedef ptrules_status (*load_fn)(ptrules_rules **r, const void *ctx, ptrules_diags *d);

/* Load with allocation n failing (and every one after it when from),
 * n = 1, 2, ...: each load gives PTRULES_ENOMEM, or the
 * rule set that nothing failing gives, byte for byte (a parser node or
 * a name lost to a failed allocation once gave a rule set that loaded
 * and said less than its rules: docs/testing.md); returns how many
 * allocations failed. */
static long sweep_load(load_fn load, const void *ctx, const unsigned char *want, size_t want_len, int from)
{
	long failed = 0;
	for (long n = 1;; n++) {
		ptrules_rules *r = NULL;
		ptrules_diags *d = ptrules_diags_new();
		assert_non_null(d);
		arm_from(n, from);
		ptrules_status st = load(&r, ctx, d);
		int hit = reached();
		if (!hit) {   /* past the last allocation: nothing failed */
			assert_int_equal(st, PTRULES_OK);
			ptrules_release(r);
			ptrules_diags_free(d);
			break;
		}
		failed++;
		if (st == PTRULES_OK) {   /* got by without it: the same rule set */
			assert_non_null(r);
			size_t len;
			unsigned char *got = bytes_of(r, &len);
			if (want && (len != want_len || memcmp(got, want, len) != 0))
				fail_msg("allocation %ld failing: the rules loaded, but not as they are", n);
			free(got);
			ptrules_release(r);
		} else {   /* nothing wrong with the rules: the status says memory ran out */
			assert_null(r);
			if (st != PTRULES_ENOMEM) {
				ptrules_diags_print(d, stderr);
				fail_msg("allocation %ld failing%s: status %d, not PTRULES_ENOMEM", n, from ? " from on" : "",
					 st);
			}
			/* "out of memory", said once; not at all only when every
			 * allocation from n on fails (recording it fails too) */
			if (ptrules_diags_errors(d) > 1 || (!from && ptrules_diags_errors(d) != 1)) {
				for (size_t k = 0; k < ptrules_diags_count(d); k++) {
					ptrules_diag g;
					if (ptrules_diags_get(d, k, &g) == PTRULES_OK)
						print_error("  %s:%d:%d: %s\n", g.file ? g.file : "?", g.line, g.col,
							    g.message ? g.message : "?");
				}
				fail_msg("allocation %ld failing%s: %zu errors, not one", n, from ? " from on" : "",
					 ptrules_diags_errors(d));
			}
		}
		ptrules_diags_free(d);
	}
	return failed;
}

static ptrules_status load_srcs(ptrules_rules **r, const void *ctx, ptrules_diags *d)
{
	const srcset *ss = ctx;
	return ptrules_load_sources(r, ss->s, ss->n, d);
}

static ptrules_status load_dir(ptrules_rules **r, const void *ctx, ptrules_diags *d)
{
	const char *const *paths = ctx;
	return ptrules_load_paths(r, paths, 1, d);
}

typedef struct bytes {
	const unsigned char *b;
	size_t len;
} bytes;

static ptrules_status load_bc(ptrules_rules **r, const void *ctx, ptrules_diags *d)
{
	const bytes *x = ctx;
	return ptrules_load_bytecode(r, x->b, x->len, "rules.ptbc", d);
}

/* Compiling: every allocation of loading the shipped rules and the extra
 * program from sources, from the rules directory and from their
 * compiled form, failing in turn, then from each on. */
static void test_load(void **state)
{
	(void)state;
	srcset ss;
	ptrules_rules *want = srcs_rules(&ss);
	size_t want_len;
	unsigned char *want_b = bytes_of(want, &want_len);
	char dir[4096];
	root_path(dir, sizeof dir, "rules");
	const char *paths[] = { dir };
	bytes bc = { want_b, want_len };
	for (int from = 0; from < 2; from++) {
		long n = sweep_load(load_srcs, &ss, want_b, want_len, from);
		print_message("ptrules_load_sources%s: %ld allocations\n", from ? ", failing from each on" : "", n);
		assert_true(n > 50);
		n = sweep_load(load_dir, paths, NULL, 0, from);
		print_message("ptrules_load_paths%s: %ld allocations\n", from ? ", failing from each on" : "", n);
		assert_true(n > 50);
		n = sweep_load(load_bc, &bc, want_b, want_len, from);
		print_message("ptrules_load_bytecode%s: %ld allocations\n", from ? ", failing from each on" : "", n);
		assert_true(n > 20);
	}
	free(want_b);
	ptrules_release(want);
	srcs_free(&ss);
}

/* Load text (as file name) with each allocation of at least min bytes
 * failing in turn (sweep_load, every load compared with the rule set
 * nothing failing gives); returns how many failed. */
static long sweep_text(const char *name, char *text, size_t min)
{
	srcset ss = { .n = 1 };
	ss.text[0] = text;
	ss.s[0] = (ptrules_source){ name, text, strlen(text) };
	ptrules_rules *want = NULL;
	assert_int_equal(ptrules_load_sources(&want, ss.s, 1, NULL), PTRULES_OK);
	size_t want_len;
	unsigned char *want_b = bytes_of(want, &want_len);
	min_size = min;
	long failed = sweep_load(load_srcs, &ss, want_b, want_len, 0);
	min_size = 0;
	free(want_b);
	ptrules_release(want);
	return failed;
}

/* A rule set whose AST fills the parser's first arena block (64 KB) and
 * goes on into the next, with the boundary moved along a list of
 * category names: fillers programs with names of name_len bytes, then
 * one that excludes 60 categories. */
static char *boundary_rules(int fillers, int name_len)
{
	size_t cap = (size_t)fillers * (size_t)(name_len + 64) + 4096, n = 0;
	char *t = malloc(cap);
	assert_non_null(t);
	for (int k = 0; k < fillers; k++) {
		n += (size_t)snprintf(t + n, cap - n, "program f%d {\n  name \"", k);
		memset(t + n, 'n', (size_t)name_len);
		n += (size_t)name_len;
		n += (size_t)snprintf(t + n, cap - n, "\"\n  redeem {\n    value 1 yen per point\n  }\n}\n");
	}
	n += (size_t)snprintf(t + n, cap - n, "program a {\n  name \"A\"\n  exclude categories cat00");
	for (int c = 1; c < 60; c++)
		n += (size_t)snprintf(t + n, cap - n, ", cat%02d", c);
	snprintf(t + n, cap - n, "\n  earn {\n    basis eligible\n    add floor(basis * 1%%) as points\n  }\n}\n");
	return t;
}

/* Where an arena block runs out, the node being made is the one whose
 * allocation fails: a list cell, a program, a name.  Moving that
 * boundary over the 60 excluded categories, every allocation failing in
 * turn must give an error or the whole rule set (a lost list cell once
 * dropped the categories before it, and a lost name crashed the next
 * lookup: helper-42's review). */
static void test_load_boundaries(void **state)
{
	(void)state;
	long total = 0;
	for (int fillers = 20; fillers <= 60; fillers++)
		for (int len = 700; len <= 1000; len += 100) {
			char *t = boundary_rules(fillers, len);
			total += sweep_text("boundary.rules", t, 65536);   /* only the arena's blocks: where one runs out */
			free(t);
		}
	print_message("arena boundaries: %ld allocations failed\n", total);
}

/* `if` nested 340 deep: bison's stack (200 entries to start) grows four
 * times, the last to its limit of 2,000.  A failure growing it is
 * running out of memory, not rules nested too deeply (it once said the
 * latter, PTRULES_EINVALID, and then still on the last growth: helper-44's
 * review). */
static void test_load_nested(void **state)
{
	(void)state;
	static const char head[] = "program p {\n  name \"P\"\n  earn {\n    add ", tail[] = "1 points\n  }\n}\n",
			  step[] = "if yes then 1 points else ";
	size_t cap = sizeof head + 340 * (sizeof step - 1) + sizeof tail, n = 0;
	char *t = malloc(cap);
	assert_non_null(t);
	n += (size_t)snprintf(t + n, cap - n, "%s", head);
	for (int k = 0; k < 340; k++)
		n += (size_t)snprintf(t + n, cap - n, "%s", step);
	snprintf(t + n, cap - n, "%s", tail);
	long failed = sweep_text("nested.rules", t, 200 * 4);   /* bison's stacks and arena blocks: not every node */
	print_message("nested 340 deep: %ld allocations\n", failed);
	assert_true(failed >= 4);
	free(t);
}

/* Rules over 64 KB read through a pipe, as standard input ("-") and by a
 * name that is not a regular file (/dev/stdin): the buffer grows as it
 * reads, and a failure there is running out of memory (it once said
 * "file too large to read", PTRULES_EIO). */
typedef struct piped {
	const char *path;   /* what ptrules_load_paths is given */
	const char *text;
} piped;

static ptrules_status load_piped(ptrules_rules **r, const void *ctx, ptrules_diags *d)
{
	const piped *pp = ctx;
	int fd[2];
	assert_int_equal(pipe(fd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {   /* the writer: the text, then the end */
		close(fd[0]);
		size_t len = strlen(pp->text), off = 0;
		while (off < len) {
			ssize_t w = write(fd[1], pp->text + off, len - off);
			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(fd[1]);
	int saved = dup(0);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd[0], 0), 0);
	close(fd[0]);
	clearerr(stdin);
	const char *paths[] = { pp->path };
	ptrules_status st = ptrules_load_paths(r, paths, 1, d);
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	clearerr(stdin);
	kill(pid, SIGKILL);   /* a load that stopped early leaves the writer blocked */
	int wst;
	assert_int_equal(waitpid(pid, &wst, 0), pid);
	return st;
}

static void test_load_piped(void **state)
{
	(void)state;
	if (fcntl(0, F_GETFD) < 0)   /* run with standard input closed: pipe() would take fd 0 */
		assert_int_equal(open("/dev/null", O_RDONLY), 0);
	char *t = boundary_rules(80, 1000);   /* about 85 KB */
	assert_true(strlen(t) > 65536);
	static const char *const paths[] = { "-", "/dev/stdin" };
	for (size_t i = 0; i < 2; i++) {
		ptrules_source s = { paths[i], t, strlen(t) };   /* named as the load names it */
		ptrules_rules *want = NULL;
		assert_int_equal(ptrules_load_sources(&want, &s, 1, NULL), PTRULES_OK);
		size_t want_len;
		unsigned char *want_b = bytes_of(want, &want_len);
		piped pp = { paths[i], t };
		min_size = 65536;   /* the text's buffer, and the arena's blocks */
		long failed = sweep_load(load_piped, &pp, want_b, want_len, 0);
		min_size = 0;
		print_message("rules through a pipe as %s: %ld allocations\n", paths[i], failed);
		assert_true(failed >= 2);
		free(want_b);
		ptrules_release(want);
	}
	free(t);
}

/* Evaluating: an evaluation context, a reader, its carts evaluated and
 * formatted, and a batch of them, every allocation failing in turn. */
static void test_evaluate(void **state)
{
	(void)state;
	srcset ss;
	ptrules_rules *r = srcs_rules(&ss);
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

/* Building a cart call by call, every allocation failing in turn: each
 * call succeeds with what it was given or says ENOMEM, and a cart whose
 * calls all succeeded evaluates as the cart built with nothing failing
 * (the payment card, which decides OkiDoki's points, once went missing
 * with PTRULES_OK). */
static void test_builder(void **state)
{
	(void)state;
	srcset ss;
	ptrules_rules *r = srcs_rules(&ss);
	ptrules_eval *e = ptrules_eval_new(r, 0);
	assert_non_null(e);
	long failed = 0, whole = 0;
	char *big = malloc(2u << 20);   /* past the arena's largest block */
	assert_non_null(big);
	memset(big, 'r', (2u << 20) - 1);
	big[(2u << 20) - 1] = '\0';
	for (long n = 1;; n++) {
		arm(n);
		ptrules_cart *c = ptrules_cart_new();
		int ok = c != NULL;
		ptrules_status st[5] = { PTRULES_OK, PTRULES_OK, PTRULES_OK, PTRULES_OK, PTRULES_OK };
		if (c) {
			st[0] = ptrules_cart_set_order(c, "o1", "2025-06-01");
			st[1] = ptrules_cart_add_item(c, 8000, 1, "grocery", big);   /* a block of its own: */
			/* what follows needs a new block, an allocation that can fail */
			st[2] = ptrules_cart_set_payment(c, "jcb", "card");
			st[3] = ptrules_cart_add_account(c, "okidoki", 300);
			st[4] = ptrules_cart_set_int(c, "dpoint", "earned_3mo", 100);   /* no dpoint line: EARG */
		}
		int hit = reached();
		for (int k = 0; k < 4; k++) {
			assert_true(st[k] == PTRULES_OK || st[k] == PTRULES_ENOMEM);
			ok &= st[k] == PTRULES_OK;
		}
		if (c)
			assert_int_equal(st[4], PTRULES_EARG);
		if (ok) {   /* everything said OK: the card is there, OkiDoki's points usable */
			assert_int_equal(ptrules_evaluate(e, c, NULL), PTRULES_OK);
			ptrules_result res;
			int found = 0;
			for (size_t i = 0; i < ptrules_result_count(e); i++) {
				assert_int_equal(ptrules_result_get(e, i, &res), PTRULES_OK);
				if (strcmp(res.id, "okidoki") == 0) {
					found = 1;
					assert_int_equal(res.redeem_usable, 1);
				}
			}
			assert_true(found);
			whole++;
		}
		ptrules_cart_free(c);
		if (!hit)
			break;
		failed++;
	}
	free(big);
	print_message("cart builder: %ld allocations, each failed once (%ld carts whole)\n", failed, whole);
	assert_true(failed > 3);
	ptrules_eval_free(e);
	ptrules_release(r);
	srcs_free(&ss);
}

/* Before each test: nothing armed, every size counted (a test that
 * failed midway leaves neither behind). */
static int reset(void **state)
{
	(void)state;
	arm(0);
	min_size = 0;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_load, reset),
		cmocka_unit_test_setup(test_load_boundaries, reset),
		cmocka_unit_test_setup(test_load_nested, reset),
		cmocka_unit_test_setup(test_load_piped, reset),
		cmocka_unit_test_setup(test_evaluate, reset),
		cmocka_unit_test_setup(test_builder, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
