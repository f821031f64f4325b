/* test_cart_diff.c - the fast cart reader (src/cart.c) against the
 * reference reader (tests/unit/ref/cart_ref.c, the reader before it was
 * optimised), over the same inputs: every cart field and every diagnostic
 * must be the same, byte for byte.
 *
 * The inputs are the test carts, the 2,000-cart corpus, the cart fuzzer's
 * corpus, and 40,000 mutants of corpus carts (bytes and tokens inserted,
 * deleted and repeated at random, with a fixed seed), so that the error
 * paths, the field slots reused from line to line, and the unbounded byte
 * loops see far more than the regular tests give them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#include "cart.h"

/* The reference reader, its public names changed so that it links beside
 * the fast one. */
typedef struct ref_cart_reader {
	pt_src src;
	size_t pos;
	int line;
	pt_arena arena;
	bool seen_cart_line;
	int cart_index;
} ref_cart_reader;
#define pt_cart_reader ref_cart_reader
#define pt_cart_reader_init ref_cart_reader_init
#define pt_cart_reader_free ref_cart_reader_free
#define pt_cart_next ref_cart_next
#define pt_cart_account ref_cart_account
#define pt_cart_total ref_cart_total
void ref_cart_reader_init(ref_cart_reader *r, const pt_src *src);
void ref_cart_reader_free(ref_cart_reader *r);
bool ref_cart_next(ref_cart_reader *r, pt_cart *out, pt_diags *d);
const pt_account *ref_cart_account(const pt_cart *c, const char *program);
bool ref_cart_total(const pt_cart *c, int64_t *out);
#include "ref/cart_ref.c"
#undef pt_cart_reader
#undef pt_cart_reader_init
#undef pt_cart_reader_free
#undef pt_cart_next
#undef pt_cart_account
#undef pt_cart_total

/* A string, or "(null)". */
static const char *str(const char *s)
{
	return s ? s : "(null)";
}

/* Every field of cart c, one line each, into m. */
static void dump_cart(FILE *m, const pt_cart *c)
{
	fprintf(m, "cart id=%s line=%d order=%s date=%d/%d card=%s method=%s errors=%zu\n", str(c->id),
		c->line, str(c->order_id), (int)c->has_date, (int)c->date, str(c->card), str(c->method),
		c->n_errors);
	for (size_t i = 0; i < c->n_items; i++)
		fprintf(m, " item %" PRId64 " x%" PRId64 " %s %s @%d\n", c->items[i].price, c->items[i].qty,
			str(c->items[i].category), str(c->items[i].name), c->items[i].line);
	for (size_t i = 0; i < c->n_accounts; i++) {
		const pt_account *a = &c->accounts[i];
		fprintf(m, " account %s %" PRId64 "/%d @%d:%d prog@%d+%d\n", str(a->program), a->balance,
			(int)a->has_balance, a->line, a->col, a->prog_col, a->prog_len);
		for (size_t k = 0; k < a->n_keys; k++) {
			const pt_ckv *kv = &a->keys[k];
			fprintf(m, "  %s kind=%d i=%" PRId64 " s=%s @%d:%d+%d\n", str(kv->key), (int)kv->kind,
				kv->i, kv->kind == PT_CV_WORD || kv->kind == PT_CV_STR ? str(kv->s) : "-",
				kv->line, kv->col, kv->len);
		}
	}
	for (size_t i = 0; i < c->n_uses; i++)
		fprintf(m, " use %s %" PRId64 " %" PRId64 " @%d\n", str(c->uses[i].program), c->uses[i].points,
			c->uses[i].yen, c->uses[i].line);
}

/* What reading text says, cart by cart, with the fast reader (fast) or
 * the reference reader; the caller frees it. */
static char *read_all(const char *text, size_t len, bool fast)
{
	char *out = NULL;
	size_t outlen = 0;
	FILE *m = open_memstream(&out, &outlen);
	pt_src src = { "cart.txt", text, len, 0 };
	pt_diags d;
	pt_cart c;
	pt_cart_reader r;
	ref_cart_reader rr;
	assert_non_null(m);
	pt_diags_init(&d);
	if (fast)
		pt_cart_reader_init(&r, &src);
	else
		ref_cart_reader_init(&rr, &src);
	while (fast ? pt_cart_next(&r, &c, &d) : ref_cart_next(&rr, &c, &d)) {
		dump_cart(m, &c);
		pt_diags_print(&d, m);
		pt_diags_free(&d);
		pt_diags_init(&d);
	}
	fprintf(m, "cart lines: %d\n", fast ? (int)r.seen_cart_line : (int)rr.seen_cart_line);
	if (fast)
		pt_cart_reader_free(&r);
	else
		ref_cart_reader_free(&rr);
	pt_diags_free(&d);
	fclose(m);
	return out;
}

/* The two readers agree on text; name is for the failure message.  The
 * readers get a copy of exactly len bytes, so that a read past its end is
 * out of bounds (and caught by `make check SANITIZE=1`). */
static void agree(const char *text, size_t len, const char *name)
{
	char *exact = malloc(len ? len : 1);
	assert_non_null(exact);
	memcpy(exact, text, len);
	char *want = read_all(exact, len, false), *got = read_all(exact, len, true);
	free(exact);
	if (strcmp(want, got) != 0) {
		fprintf(stderr, "%s: the readers differ\n--- reference\n%s--- fast\n%s--- input\n%.*s\n", name,
			want, got, (int)(len < 4000 ? len : 4000), text);
		fail();
	}
	free(want);
	free(got);
}

/* One file, read whole, given to the check in ctx. */
static void slurp_one(const char *path, void *check)
{
	void (*fn)(const char *, size_t, const char *) = *(void (**)(const char *, size_t, const char *))check;
	size_t len = 0;
	char *text = px_slurp(path, &len);
	assert_non_null(text);
	fn(text, len, path);
	free(text);
}

/* Every file matching the patterns, each given to fn. */
static size_t each_file(void (*fn)(const char *, size_t, const char *))
{
	static const char *const pats[] = { "tests/carts/*.txt", "tests/corpus/*.txt",
					    "tests/fuzz/corpus/cart/*", "examples/*.txt" };
	return px_each_path(pats, sizeof pats / sizeof pats[0], slurp_one, &fn);
}

/* The files as they are. */
static void test_files(void **state)
{
	(void)state;
	assert_true(each_file(agree) >= 10);
}

/* A small deterministic generator (xorshift), so that failures repeat. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Mutants of text: a window of it with a few random edits. */
static void mutants(const char *text, size_t len, const char *name)
{
	static const char *const bits[] = {
		" ", "\t", "=", "\"", "\\", ",", "#", "\r", "\n", "\r\n", "x", "9", "-", ".", "\xc3\xa9", "\xe9",
		"\xe3\x81\x82", "cart ", "cart id=m\n", "item ", "account program=dpoint ", "use ",
		"qty=", "price=", "name=\"", "category=", "balance=", "yes", "no", "2026-02-30", "2026-03-05",
		"1,000,000", "9999999999999999", "0", "-5", "a b", "\"\"", "id=", "k=v ", "\x01", "\x7f",
	};
	static uint64_t seed = 0x9e3779b97f4a7c15u;
	static char buf[8192];
	size_t per_file = 40000 / 30;   /* about 40,000 over the files */
	for (size_t m = 0; m < per_file && len > 0; m++) {
		size_t start = (size_t)(rnd(&seed) % len), n = 0;
		while (start > 0 && text[start - 1] != '\n')   /* from the start of a line */
			start--;
		size_t take = 200 + (size_t)(rnd(&seed) % 1500);
		if (take > len - start)
			take = len - start;
		memcpy(buf, text + start, take);
		n = take;
		int edits = 1 + (int)(rnd(&seed) % 4);
		for (int e = 0; e < edits && n > 0; e++) {
			size_t at = (size_t)(rnd(&seed) % n);
			switch (rnd(&seed) % 4) {
			case 0: case 1: {   /* insert a token */
				const char *t = bits[rnd(&seed) % (sizeof bits / sizeof bits[0])];
				size_t k = strlen(t);
				if (n + k < sizeof buf) {
					memmove(buf + at + k, buf + at, n - at);
					memcpy(buf + at, t, k);
					n += k;
				}
				break;
			}
			case 2: {   /* delete a few bytes */
				size_t k = 1 + (size_t)(rnd(&seed) % 4);
				k = k < n - at ? k : n - at;
				memmove(buf + at, buf + at + k, n - at - k);
				n -= k;
				break;
			}
			default: {   /* repeat a piece (duplicate keys, lines) */
				size_t k = 1 + (size_t)(rnd(&seed) % 30);
				k = k < n - at ? k : n - at;
				if (n + k < sizeof buf) {
					memmove(buf + at + k, buf + at, n - at);
					n += k;
				}
				break;
			}
			}
		}
		if (rnd(&seed) % 8 == 0 && n > 0)   /* sometimes a NUL byte */
			buf[rnd(&seed) % n] = '\0';
		agree(buf, n, name);
	}
}

/* Mutants of every file agree too. */
static void test_mutants(void **state)
{
	(void)state;
	assert_true(each_file(mutants) >= 10);
}

/* Hand-made cases around the fast paths: a malformed value and then good
 * values of every kind at the same field positions, unbounded scans at
 * the very end of the text, long integers and commas. */
static void test_cases(void **state)
{
	(void)state;
	static const char *const cases[] = {
		"item price=1 category=9x\nitem price=2 name=\"Tea\"\nitem price=3 qty=2,0\nitem price=4 qty=2\n",
		"account program=p a=1-2 b=yes\naccount program=q a=x b=\"s\" c=2026-01-01 d=1,000\n",
		"order id=\"o 1\" date=2026-01-01\norder id=o\"2\n",
		"item price=123456789012345\nitem price=1234567890123456\nitem price=1,234,567,890,123,456\n",
		"item price=1", "item price=1\r", "item name=\"abc", "cart", "cart id=x", "  # c", "item price=",
		"item price=1 name=\"a\"b\n", "item price=1\rcategory=x\n", "item price=1 category=a\rb\n",
		"cartx id=1\ncart\tid=2\n cart id=3\n", "use program=giftcard yen=5\nuse program=d points=3 yen=1\n",
		"payment card=jcb method=giftcard\npayment card=visa\n", "item qty=0 price=1\nitem price=1 qty=1000001\n",
		"item price=1 price=2\naccount program=p x=1 x=2\n",
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		agree(cases[i], strlen(cases[i]), "case");
}

/* The fast path's edge cases (src/cart_fast.c): every tricky value in
 * every field of the common records, each line ended in every way (LF,
 * CRLF, a comment, trailing blanks, a stray CR, the end of the text), one
 * cart per value. */
static void test_fast_values(void **state)
{
	(void)state;
	static const char *const templates[] = {
		"item price=%s", "item price=1 qty=%s", "item qty=2 category=%s price=3", "item price=1 name=%s",
		"order id=%s", "order date=%s", "order date=2026-01-02 id=%s", "cart id=%s", "payment card=%s",
		"payment method=%s", "account program=%s", "account program=p balance=%s",
		"account program=p k=%s", "account k=%s program=p j=1", "use program=%s points=1",
		"use program=giftcard yen=%s", "use program=dpoint points=%s", "item price=1 %s",
		"account program=p %s", "order %s", "payment %s", "cart %s", "use %s",
	};
	static const char *const values[] = {
		"0", "7", "007", "1,234", "12,34", "1234,567", ",123", "123,", "1,,234", "1,2345",
		"123456789012345", "1234567890123456", "1,234,567,890,123", "1,234,567,890,123,456",
		"99999999999999999999999", "-5", "5x", "1.5", "x", "yes", "no", "Yes", "_a", "a-b", "a.b",
		"9a", "a_9-Z", "\xc3\xa9", "\xe9", "\"\"", "\"a b\"", "\"a\\\"b\"", "\"\xc3\xa9t\xc3\xa9\"",
		"\"\xe9\"", "\"\xe3\x81\"", "\"a\tb\"", "\"a", "\"a\"b", "\"a\"\"b\"", "2024-02-29",
		"2023-02-29", "2000-02-29", "2100-02-29", "1900-01-01", "1899-12-31", "9999-12-31",
		"2026-13-01", "2026-00-10", "2026-04-31", "2026-04-30", "2026-1-01", "20260-01-01",
		"2026-01-01x", "g1", "a\"b", "#", "-", "1,2", "", "=", "a=b", "program=q", "balance=1",
		"price=2", "qty=3", "id=z", "date=2026-01-01", "card=jcb", "method=cod", "points=4", "yen=5",
		"k=1 k=2", "a=1 b=2 c=3 d=4 e=5 f=6 g=7 h=8 i=9", "x\x01", "x\x7f", "giftcard",
	};
	static const char *const ends[] = { "\n", "\r\n", " #c\n", "#c\n", " \t\n", "\r\r\n", "\rx\n",
					    "\n\n", "", "\r" };
	for (size_t t = 0; t < sizeof templates / sizeof templates[0]; t++)
		for (size_t e = 0; e < sizeof ends / sizeof ends[0]; e++) {
			char *text = NULL, name[64];
			size_t len = 0;
			FILE *m = open_memstream(&text, &len);
			assert_non_null(m);
			for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
				fprintf(m, "cart id=c%zu\n", v);
				fprintf(m, templates[t], values[v]);
				fputs(v + 1 < sizeof values / sizeof values[0] ? "\n" : ends[e], m);
				fprintf(m, "cart\n");
				fprintf(m, templates[t], values[v]);
				fputs(ends[e], m);
			}
			fclose(m);
			snprintf(name, sizeof name, "template %zu, end %zu", t, e);
			agree(text, len, name);
			free(text);
		}
}

/* Dates in the fast path against pt_date_parse, around every month's
 * length and the leap years. */
static void test_fast_dates(void **state)
{
	(void)state;
	static const int years[] = { 1899, 1900, 1904, 1999, 2000, 2023, 2024, 2100, 2400, 9999 };
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	assert_non_null(m);
	for (size_t y = 0; y < sizeof years / sizeof years[0]; y++)
		for (int mo = 0; mo <= 13; mo++)
			for (int d = 0; d <= 32; d++)
				fprintf(m, "cart\norder date=%04d-%02d-%02d\naccount program=p since=%04d-%02d-%02d\n",
					years[y], mo, d, years[y], mo, d);
	fclose(m);
	agree(text, len, "dates");
	free(text);
}

/* Every prefix of a few inputs: lines cut anywhere, at the very end of
 * the buffer (the fast path must not read past it). */
static void test_prefixes(void **state)
{
	(void)state;
	static const char text[] =
		"cart id=g1\norder id=250-1 date=2026-08-17\nitem price=98,000 qty=2 category=electronics "
		"name=\"Tablet \xc3\xa9\"\npayment card=jcb method=giftcard\naccount program=dpoint balance=4,715 "
		"earned_3mo=1,499 prime=yes since=2026-01-01 note=\"x\" tier=gold\nuse program=giftcard yen=500\n"
		"use program=dpoint points=10 # c\r\n\r\n# comment\ncart\tid=\"g 2\"\nitem price=1\r\n";
	for (size_t n = 0; n <= sizeof text - 1; n++)
		agree(text, n, "prefix");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_fast_values),
		cmocka_unit_test(test_fast_dates),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_mutants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
