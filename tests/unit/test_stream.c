/* test_stream.c - the streaming cart reader (ptrules_reader_new_stream,
 * ptrules_reader_new_file, ptrules_reader_error) against the in-memory
 * reader, through the public API only.
 *
 * Each input is read both ways, and everything the two say about it must
 * be the same byte for byte: per cart its index, id, error count and
 * diagnostics (file:line:col and the quoted source line), then the
 * evaluation's diagnostics (binding quotes account lines through the
 * reader's window) and the JSON and text output.  The stream is fed in
 * chunks of every size from 1 byte up, so every cart, line, CR/LF pair and
 * UTF-8 sequence straddles a chunk boundary at every position, and by
 * short reads of varying length, as a pipe gives them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "ptrules.h"
#include "helpers.h"

/* A stream over text in memory, as a ptrules_read_fn sees it. */
typedef struct feed {
	const char *text;
	size_t len, pos;
	unsigned calls;
	int vary;           /* short reads of varying length */
	long fail_at;       /* fail once pos reaches this (-1: never) */
} feed;

/* ptrules_read_fn over a feed. */
static long feed_read(void *ctx, char *buf, size_t cap)
{
	feed *f = ctx;
	f->calls++;
	if (f->fail_at >= 0 && f->pos >= (size_t)f->fail_at) {
		errno = EIO;
		return -1;
	}
	size_t n = f->len - f->pos;
	if (n > cap)
		n = cap;
	if (f->fail_at >= 0 && f->pos + n > (size_t)f->fail_at)
		n = (size_t)f->fail_at - f->pos;
	if (f->vary && n > 1)
		n = 1 + (f->calls * 7919u) % n;
	memcpy(buf, f->text + f->pos, n);
	f->pos += n;
	return (long)n;
}

/* Everything reading and evaluating every cart of r says, as one string
 * (the caller frees it). */
static char *fingerprint(ptrules_reader *r, ptrules_eval *e)
{
	static char buf[1 << 16];
	char *out = NULL;
	size_t outlen = 0;
	FILE *m = open_memstream(&out, &outlen);
	ptrules_diags *d = ptrules_diags_new();
	const ptrules_cart *c;
	assert_non_null(m);
	assert_non_null(d);
	while (ptrules_reader_next(r, &c, d)) {
		fprintf(m, "#%d id=%s errors=%zu cart-lines=%d\n", ptrules_reader_index(r),
			ptrules_cart_id(c) ? ptrules_cart_id(c) : "-", ptrules_cart_errors(c),
			ptrules_reader_has_cart_lines(r));
		ptrules_diags_print(d, m);
		ptrules_diags_clear(d);
		if (ptrules_cart_errors(c))
			continue;
		ptrules_status st = ptrules_evaluate(e, c, d);
		fprintf(m, "status %d\n", (int)st);
		ptrules_diags_print(d, m);
		ptrules_diags_clear(d);
		if (st != PTRULES_OK && st != PTRULES_ERUNTIME)
			continue;
		ptrules_format_json(e, c, NULL, buf, sizeof buf);
		fputs(buf, m);
		ptrules_format_text(e, c, NULL, buf, sizeof buf);
		fputs(buf, m);
	}
	fprintf(m, "end, read error %d\n", ptrules_reader_error(r));
	ptrules_diags_print(d, m);
	ptrules_diags_free(d);
	fclose(m);
	return out;
}

/* The fingerprint of text read in memory. */
static char *in_memory(ptrules_eval *e, const char *text, size_t len, const char *name)
{
	ptrules_reader *r = ptrules_reader_new(text, len, name);
	assert_non_null(r);
	char *fp = fingerprint(r, e);
	ptrules_reader_free(r);
	return fp;
}

/* The fingerprint of text streamed in chunks of `chunk` bytes. */
static char *streamed(ptrules_eval *e, const char *text, size_t len, const char *name, size_t chunk,
		      int vary)
{
	feed f = { text, len, 0, 0, vary, -1 };
	ptrules_reader *r = ptrules_reader_new_stream(feed_read, &f, chunk, name);
	assert_non_null(r);
	char *fp = fingerprint(r, e);
	ptrules_reader_free(r);
	return fp;
}

/* Streamed and in-memory reading agree on text for every chunk size in
 * [1, max_chunk], for the default size, and for varying short reads. */
static void agree(ptrules_eval *e, const char *text, size_t len, const char *name, size_t max_chunk)
{
	char *want = in_memory(e, text, len, name);
	for (size_t chunk = 0; chunk <= max_chunk + 1; chunk++) {
		size_t k = chunk > max_chunk ? 4096 : chunk;   /* 0 is the default, 64 KiB */
		for (int vary = 0; vary < 2; vary++) {
			char *got = streamed(e, text, len, name, k, vary);
			if (strcmp(want, got) != 0) {
				fprintf(stderr, "%s: chunk %zu%s differs\n--- in memory\n%s--- streamed\n%s", name,
					k, vary ? " (short reads)" : "", want, got);
				fail();
			}
			free(got);
		}
	}
	free(want);
}

/* Texts that exercise the line and cart boundaries, CRLF, comments,
 * strings, UTF-8, and errors in carts after the first. */
static const char *const texts[] = {
	/* Several carts, CRLF, comments and blank lines between them. */
	"# header comment\r\n\r\ncart id=a\r\norder date=2026-03-05\r\n"
	"item price=1,980 qty=2 category=grocery name=\"Caf\xc3\xa9 \\\"au lait\\\" \\\\ \xe3\x81\x8a\xe8\x8c\xb6\"\r\n"
	"payment card=jcb\r\n  # indented comment\r\naccount program=dpoint balance=1,000 earned_3mo=0 "
	"earned_this_month=0\r\n\r\ncart id=b\r\n\titem\tprice=500\t# tab separated\r\n"
	"account program=okidoki balance=300\r\n",
	/* No final newline, a `cart` line last but one. */
	"cart id=x\nitem price=100\ncart id=y\nitem price=200 category=books",
	/* Errors in later carts: a bad date, an unknown key, a bad value, a
	 * NUL byte, invalid UTF-8, and binding warnings (unread key, unknown
	 * program) whose quoted lines come from the window of a late cart. */
	"cart id=one\norder date=2026-01-05\nitem price=3980\n"
	"account program=dpoint earned_3mo=0 earned_this_month=0\n"
	"cart id=two\norder date=2024-13-01\nitem price=3,98\n"
	"cart id=three\nitem price=10 colour=red\n"
	"cart id=four\nitem price=10 name=\"a\0b\"\n"
	"cart id=five\nitem price=10 category=caf\xe9\n"
	"cart id=six\norder date=2026-01-05\nitem price=5000\n"
	"account program=dpoint earned_3mo=0 earned_this_month=0 favourite=yes\n"
	"account program=nosuch balance=5\n"
	"# trailing comment\n\n",
	/* Carts without `cart` lines: one cart, leading comments, a late error. */
	"# one cart, no cart lines\n\n# still nothing\norder id=o-1 date=2025-12-31\n"
	"item price=100\nitem price=-5\npayment method=giftcard\nuse program=giftcard yen=50\n",
	/* Nothing but comments: one empty cart, reported at line 1. */
	"# nothing here\n\n   # nor here\n",
	/* Nothing at all. */
	"",
	/* Only blank lines and a CR without LF. */
	"\n\n\r\n \t \n",
	/* A record before the first `cart` line, then carts. */
	"item price=1\ncart id=p\nitem price=2\n\ncart id=q\n\n\nitem price=3\r\n",
};

/* Every built-in text agrees with chunks of every size up to its length. */
static void test_texts_every_chunk(void **state)
{
	(void)state;
	ptrules_rules *rs = px_load_rules("rules", NULL);
	ptrules_eval *e = ptrules_eval_new(rs, 0);
	assert_non_null(e);
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		/* texts[2] holds a NUL byte: its length is the literal's. */
		size_t len = i == 2 ? strlen(texts[2]) + 1 + strlen(texts[2] + strlen(texts[2]) + 1)
				    : strlen(texts[i]);
		char name[32];
		snprintf(name, sizeof name, "text%zu.txt", i);
		agree(e, texts[i], len, name, len + 1);
	}
	ptrules_eval_free(e);
	ptrules_release(rs);
}

/* A cart with a line over the line limit (65,536 bytes), after a good
 * cart and before another: the error, its column and the next cart. */
static void test_long_line(void **state)
{
	(void)state;
	ptrules_rules *rs = px_load_rules("rules", NULL);
	ptrules_eval *e = ptrules_eval_new(rs, 0);
	size_t pad = 70000;
	const char *head = "cart id=a\nitem price=1\ncart id=b\nitem price=2 name=\"";
	const char *tail = "\"\ncart id=c\nitem price=3\n";
	size_t len = strlen(head) + pad + strlen(tail);
	char *text = malloc(len + 1);
	assert_non_null(text);
	strcpy(text, head);
	memset(text + strlen(head), 'x', pad);
	strcpy(text + strlen(head) + pad, tail);
	char *want = in_memory(e, text, len, "long.txt");
	assert_non_null(strstr(want, "line is 70020 bytes long"));
	size_t chunks[] = { 1, 3, 4096, 65536, 0 };
	for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
		char *got = streamed(e, text, len, "long.txt", chunks[i], 0);
		assert_string_equal(want, got);
		free(got);
	}
	free(want);
	free(text);
	ptrules_eval_free(e);
	ptrules_release(rs);
}

/* One file read in memory and streamed at a few chunk sizes, 1 byte
 * included, with the evaluator in ctx: the same carts and output. */
static void chunks_agree(const char *path, void *ctx)
{
	static const size_t chunks[] = { 1, 2, 7, 64, 4096, 0 };
	ptrules_eval *e = ctx;
	size_t len = 0;
	char *text = px_slurp(path, &len);
	assert_non_null(text);
	char *want = in_memory(e, text, len, path);
	for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
		char *got = streamed(e, text, len, path, chunks[k], k == 2);
		if (strcmp(want, got) != 0) {
			fprintf(stderr, "%s: chunk %zu differs\n", path, chunks[k]);
			fail();
		}
		free(got);
	}
	free(want);
	free(text);
}

/* The test carts, the 2,000-cart corpus and the cart fuzzer's corpus
 * agree for a few chunk sizes, 1 byte included. */
static void test_files(void **state)
{
	(void)state;
	static const char *const pats[] = { "tests/carts/*.txt", "tests/corpus/*.txt",
					    "tests/fuzz/corpus/cart/*", "examples/*.txt" };
	ptrules_rules *rs = px_load_rules("rules", NULL);
	ptrules_eval *e = ptrules_eval_new(rs, 0);
	assert_true(px_each_path(pats, sizeof pats / sizeof pats[0], chunks_agree, e) >= 10);
	ptrules_eval_free(e);
	ptrules_release(rs);
}

/* A read error: before any byte, no cart at all (not even the empty one
 * an empty input gives); after the first cart, that cart and then the
 * end, with the error, and the cart being read dropped. */
static void test_read_error(void **state)
{
	(void)state;
	const char *text = "cart id=a\nitem price=1\ncart id=b\nitem price=2\ncart id=c\nitem price=3\n";
	const ptrules_cart *c;
	feed f = { text, strlen(text), 0, 0, 0, 0 };
	ptrules_reader *r = ptrules_reader_new_stream(feed_read, &f, 4, "e.txt");
	assert_non_null(r);
	assert_int_equal(ptrules_reader_next(r, &c, NULL), 0);
	assert_int_equal(ptrules_reader_error(r), EIO);
	assert_int_equal(ptrules_reader_index(r), 0);
	ptrules_reader_free(r);

	/* Fail in the middle of cart b: a arrives whole (its end is the
	 * `cart id=b` line), b does not. */
	f = (feed){ text, strlen(text), 0, 0, 0, (long)(strstr(text, "item price=2") - text) + 5 };
	r = ptrules_reader_new_stream(feed_read, &f, 3, "e.txt");
	assert_int_equal(ptrules_reader_next(r, &c, NULL), 1);
	assert_string_equal(ptrules_cart_id(c), "a");
	assert_int_equal(ptrules_reader_error(r), 0);
	assert_int_equal(ptrules_reader_next(r, &c, NULL), 0);
	assert_int_equal(ptrules_reader_error(r), EIO);
	assert_int_equal(ptrules_reader_next(r, &c, NULL), 0);   /* and it stays ended */
	assert_int_equal(ptrules_reader_index(r), 1);
	ptrules_reader_free(r);

	/* In memory there is nothing to fail. */
	r = ptrules_reader_new(text, strlen(text), "m.txt");
	assert_int_equal(ptrules_reader_error(r), 0);
	ptrules_reader_free(r);
	assert_null(ptrules_reader_new_stream(NULL, NULL, 0, "x"));
	assert_null(ptrules_reader_new_file(NULL, "x"));
	assert_int_equal(ptrules_reader_error(NULL), 0);
}

/* ptrules_reader_new_file reads a FILE as the in-memory reader reads its
 * bytes, and leaves the FILE open. */
static void test_file_reader(void **state)
{
	(void)state;
	ptrules_rules *rs = px_load_rules("rules", NULL);
	ptrules_eval *e = ptrules_eval_new(rs, 0);
	const char *text = texts[0];
	FILE *f = tmpfile();
	assert_non_null(f);
	fputs(text, f);
	rewind(f);
	ptrules_reader *r = ptrules_reader_new_file(f, "file.txt");
	assert_non_null(r);
	char *got = fingerprint(r, e), *want = in_memory(e, text, strlen(text), "file.txt");
	assert_string_equal(want, got);
	ptrules_reader_free(r);
	assert_int_equal(fseek(f, 0, SEEK_SET), 0);   /* still open */
	fclose(f);
	free(got);
	free(want);
	ptrules_eval_free(e);
	ptrules_release(rs);
}

/* Carts made up on the fly, as many as asked for. */
typedef struct gen {
	long carts, made;
	char pending[256];
	size_t plen, ppos;
} gen;

/* ptrules_read_fn that writes one generated cart after another. */
static long gen_read(void *ctx, char *buf, size_t cap)
{
	gen *g = ctx;
	size_t n = 0;
	while (n < cap) {
		if (g->ppos == g->plen) {
			if (g->made == g->carts)
				break;
			g->made++;
			g->plen = (size_t)snprintf(g->pending, sizeof g->pending,
						   "cart id=g%ld\norder date=2026-03-05\nitem price=%ld qty=2 "
						   "category=grocery name=\"Tea\"\npayment card=jcb\naccount "
						   "program=dpoint balance=100 earned_3mo=0 earned_this_month=0\n\n",
						   g->made, 100 + g->made % 9000);
			g->ppos = 0;
		}
		size_t k = g->plen - g->ppos < cap - n ? g->plen - g->ppos : cap - n;
		memcpy(buf + n, g->pending + g->ppos, k);
		g->ppos += k;
		n += k;
	}
	return (long)n;
}

/* Peak resident memory of this process, in KiB. */
static long peak_rss_kb(void)
{
	struct rusage ru;
	assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_maxrss;
}

/* Streaming 48 MB of carts leaves peak memory where it was (within a few
 * MB): the reader holds one cart and one chunk, not the input. */
static void test_memory_flat(void **state)
{
	(void)state;
	gen g = { 300000, 0, { 0 }, 0, 0 };
	long before = peak_rss_kb();
	ptrules_reader *r = ptrules_reader_new_stream(gen_read, &g, 0, "gen");
	const ptrules_cart *c;
	long n = 0;
	size_t errors = 0;
	while (ptrules_reader_next(r, &c, NULL)) {
		n++;
		errors += ptrules_cart_errors(c);
	}
	assert_int_equal(ptrules_reader_error(r), 0);
	ptrules_reader_free(r);
	long grew = peak_rss_kb() - before;
	assert_int_equal(n, 300000);
	assert_int_equal(errors, 0);
	assert_true(g.made == 300000 && g.plen > 150);
	if (grew > 12 * 1024)
		fprintf(stderr, "peak RSS grew by %ld KiB over %ld carts\n", grew, n);
	assert_true(grew <= 12 * 1024);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_texts_every_chunk),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_read_error),
		cmocka_unit_test(test_file_reader),
		cmocka_unit_test(test_memory_flat),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
