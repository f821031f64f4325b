/* test_cart.c - the cart.txt reader: fields, several carts, value syntax,
 * every error kind with its exact location and message, and recovery. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cart.h"
#include "date.h"
#include "helpers.h"

/* A reader over an in-memory text plus its diagnostics. */
typedef struct rd {
	pt_src src;
	pt_cart_reader r;
	pt_diags d;
	pt_cart c;
} rd;

/* Start reading len bytes of text (which must outlive the reader). */
static void rd_open_n(rd *t, const char *text, size_t len)
{
	t->src = (pt_src){ "cart.txt", text, len, 0 };
	pt_diags_init(&t->d);
	pt_cart_reader_init(&t->r, &t->src);
}

/* Start reading a NUL-terminated text. */
static void rd_open(rd *t, const char *text)
{
	rd_open_n(t, text, strlen(text));
}

/* Read the next cart, which must exist. */
static pt_cart *rd_next(rd *t)
{
	assert_true(pt_cart_next(&t->r, &t->c, &t->d));
	return &t->c;
}

/* Check that no cart is left, then free everything. */
static void rd_close(rd *t)
{
	assert_false(pt_cart_next(&t->r, &t->c, &t->d));
	pt_cart_reader_free(&t->r);
	pt_diags_free(&t->d);
}

/* Check diagnostic i: an error at line:col underlining len bytes. */
static void expect_diag(const pt_diags *d, size_t i, int line, int col, int len,
			const char *msg)
{
	assert_true(i < d->n);
	assert_int_equal(d->v[i].sev, PT_ERROR);
	assert_string_equal(d->v[i].msg, msg);
	assert_string_equal(d->v[i].file, "cart.txt");
	assert_int_equal(d->v[i].line, line);
	assert_int_equal(d->v[i].col, col);
	assert_int_equal(d->v[i].len, len);
}

static const char product_example[] =
	"order id=250-1234567 date=2026-11-24\n"
	"item price=3980 qty=2 category=grocery name=\"Coffee beans 1kg\"\n"
	"item price=1200 category=kindle name=\"e-book\"\n"
	"payment card=jcb\n"
	"account program=dpoint balance=1200 earned_3mo=1600 earned_this_month=40\n"
	"account program=recruit balance=500\n"
	"account program=okidoki balance=300\n";

/* Every field of the PRODUCT.md example cart. */
static void check_product_example(const pt_cart *c)
{
	int64_t total = 0;
	assert_int_equal(c->n_errors, 0);
	assert_string_equal(c->id, "250-1234567");
	assert_string_equal(c->order_id, "250-1234567");
	assert_int_equal(c->line, 1);
	assert_true(c->has_date);
	assert_int_equal(c->date, pt_date_from_ymd(2026, 11, 24));
	assert_int_equal(c->n_items, 2);
	assert_int_equal(c->items[0].price, 3980);
	assert_int_equal(c->items[0].qty, 2);
	assert_string_equal(c->items[0].category, "grocery");
	assert_string_equal(c->items[0].name, "Coffee beans 1kg");
	assert_int_equal(c->items[0].line, 2);
	assert_int_equal(c->items[1].price, 1200);
	assert_int_equal(c->items[1].qty, 1);
	assert_string_equal(c->items[1].category, "kindle");
	assert_string_equal(c->items[1].name, "e-book");
	assert_int_equal(c->items[1].line, 3);
	assert_string_equal(c->card, "jcb");
	assert_null(c->method);
	assert_int_equal(c->n_accounts, 3);
	const pt_account *a = &c->accounts[0];
	assert_string_equal(a->program, "dpoint");
	assert_true(a->has_balance);
	assert_int_equal(a->balance, 1200);
	assert_int_equal(a->line, 5);
	assert_int_equal(a->col, 1);
	assert_int_equal(a->prog_col, 17);
	assert_int_equal(a->prog_len, 6);
	assert_int_equal(a->n_keys, 2);
	assert_string_equal(a->keys[0].key, "earned_3mo");
	assert_int_equal(a->keys[0].kind, PT_CV_INT);
	assert_int_equal(a->keys[0].i, 1600);
	assert_int_equal(a->keys[0].line, 5);
	assert_int_equal(a->keys[0].col, 48);
	assert_int_equal(a->keys[0].len, 4);
	assert_string_equal(a->keys[1].key, "earned_this_month");
	assert_int_equal(a->keys[1].kind, PT_CV_INT);
	assert_int_equal(a->keys[1].i, 40);
	assert_int_equal(a->keys[1].col, 71);
	assert_int_equal(a->keys[1].len, 2);
	assert_string_equal(c->accounts[1].program, "recruit");
	assert_int_equal(c->accounts[1].balance, 500);
	assert_int_equal(c->accounts[1].n_keys, 0);
	assert_int_equal(c->accounts[1].line, 6);
	assert_string_equal(c->accounts[2].program, "okidoki");
	assert_int_equal(c->accounts[2].balance, 300);
	assert_ptr_equal(pt_cart_account(c, "okidoki"), &c->accounts[2]);
	assert_ptr_equal(pt_cart_account(c, "dpoint"), &c->accounts[0]);
	assert_null(pt_cart_account(c, "rakuten"));
	assert_int_equal(c->n_uses, 0);
	assert_true(pt_cart_total(c, &total));
	assert_int_equal(total, 3980 * 2 + 1200);
}

/* The example from PRODUCT.md, inline and as examples/cart.txt. */
static void test_product_example(void **state)
{
	(void)state;
	rd t;
	rd_open(&t, product_example);
	check_product_example(rd_next(&t));
	assert_int_equal(t.d.n, 0);
	assert_false(t.r.seen_cart_line);
	rd_close(&t);

	size_t len = 0;
	char *text = px_slurp("examples/cart.txt", &len);
	if (!text)
		skip();
	assert_int_equal(len, strlen(product_example));
	assert_memory_equal(text, product_example, len);
	free(text);
}

/* Several carts separated by `cart` lines; ids from cart or order. */
static void test_several_carts(void **state)
{
	(void)state;
	rd t;
	rd_open(&t, "# header comment\n"
		    "\n"
		    "cart id=first\n"
		    "order id=o-1\n"
		    "item price=100\n"
		    "cart\n"
		    "order id=250-7654321 date=2024-06-01\n"
		    "item\tprice=200 \t qty=3\t\n"
		    "  cart   # no id, no order\n"
		    "cart id=\"with space\"\n"
		    "item price=1\n");
	pt_cart *c = rd_next(&t);
	assert_string_equal(c->id, "first");
	assert_string_equal(c->order_id, "o-1");
	assert_int_equal(c->line, 3);
	assert_int_equal(c->n_items, 1);
	assert_true(t.r.seen_cart_line);
	c = rd_next(&t);
	assert_string_equal(c->id, "250-7654321");
	assert_int_equal(c->line, 6);
	assert_int_equal(c->n_items, 1);
	assert_int_equal(c->items[0].qty, 3);
	assert_int_equal(c->date, pt_date_from_ymd(2024, 6, 1));
	c = rd_next(&t);
	assert_null(c->id);
	assert_int_equal(c->line, 9);
	assert_int_equal(c->n_items, 0);
	c = rd_next(&t);
	assert_string_equal(c->id, "with space");
	assert_int_equal(c->items[0].line, 11);
	assert_int_equal(t.d.n, 0);
	rd_close(&t);
}

/* Records before the first `cart` line form a cart of their own. */
static void test_records_before_first_cart(void **state)
{
	(void)state;
	rd t;
	rd_open(&t, "item price=5\ncart id=b\nitem price=6\n");
	pt_cart *c = rd_next(&t);
	assert_null(c->id);
	assert_int_equal(c->line, 1);
	assert_int_equal(c->items[0].price, 5);
	assert_true(t.r.seen_cart_line);   /* a later cart line was reached */
	c = rd_next(&t);
	assert_string_equal(c->id, "b");
	assert_int_equal(c->items[0].price, 6);
	rd_close(&t);
}

/* Empty input, comments only, and a missing buffer give one empty cart. */
static void test_empty_inputs(void **state)
{
	(void)state;
	static const char *const texts[] = { "", "# only a comment\n\n   \t\n", "\r\n\r\n" };
	for (size_t i = 0; i < 3; i++) {
		rd t;
		rd_open(&t, texts[i]);
		pt_cart *c = rd_next(&t);
		assert_int_equal(c->n_items, 0);
		assert_int_equal(c->n_errors, 0);
		assert_null(c->id);
		rd_close(&t);
	}
	rd t;
	rd_open_n(&t, NULL, 0);
	assert_int_equal(rd_next(&t)->n_items, 0);
	rd_close(&t);
}

/* Integers with well-placed thousands commas. */
static void test_comma_integers(void **state)
{
	(void)state;
	rd t;
	rd_open(&t, "item price=3,980 qty=1,000\n"
		    "item price=12,345,678\n"
		    "item price=999,999,999,999,999\n"
		    "account program=dpoint balance=1,234 earned_3mo=0\n");
	pt_cart *c = rd_next(&t);
	assert_int_equal(c->n_errors, 0);
	assert_int_equal(c->items[0].price, 3980);
	assert_int_equal(c->items[0].qty, 1000);
	assert_int_equal(c->items[1].price, 12345678);
	assert_int_equal(c->items[2].price, 999999999999999);
	assert_int_equal(c->accounts[0].balance, 1234);
	assert_int_equal(c->accounts[0].keys[0].i, 0);
	rd_close(&t);
}

/* Each badly placed comma is an error on the whole number. */
static void test_bad_commas(void **state)
{
	(void)state;
	static const char *const bad[] = { "3,98", "39,80", ",398", "398,", "1,,000",
					   "1234,567", "1,2345" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char line[64], msg[128];
		snprintf(line, sizeof line, "item price=%s\n", bad[i]);
		snprintf(msg, sizeof msg,
			 "misplaced comma in '%s'; group digits in threes, e.g. 3,980", bad[i]);
		rd t;
		rd_open(&t, line);
		pt_cart *c = rd_next(&t);
		assert_int_equal(c->n_errors, 1);
		assert_int_equal(c->n_items, 0);
		expect_diag(&t.d, 0, 1, 12, (int)strlen(bad[i]), msg);
		rd_close(&t);
	}
}

/* Strings: escapes, '#' and spaces inside, UTF-8, the empty string. */
static void test_strings(void **state)
{
	(void)state;
	rd t;
	rd_open(&t, "item price=1 name=\"say \\\"hi\\\" \\\\ # not a comment\"\n"
		    "item price=2 name=\"コーヒー豆 1kg\"# comment right after\n"
		    "item price=3 name=\"\"\n"
		    "item price=4 name=\"tab\there\"\n");
	pt_cart *c = rd_next(&t);
	assert_int_equal(c->n_errors, 0);
	assert_string_equal(c->items[0].name, "say \"hi\" \\ # not a comment");
	assert_string_equal(c->items[1].name, "コーヒー豆 1kg");
	assert_string_equal(c->items[2].name, "");
	assert_string_equal(c->items[3].name, "tab\there");
	rd_close(&t);
}

/* CRLF line ends and a last line without a newline. */
static void test_crlf_and_no_final_newline(void **state)
{
	(void)state;
	rd t;
	rd_open(&t, "cart id=a\r\nitem price=10 name=\"x\"\r\n\r\n# c\r\ncart id=b\r\n"
		    "item price=20\r\nitem price=30 qty=2");
	pt_cart *c = rd_next(&t);
	assert_string_equal(c->id, "a");
	assert_string_equal(c->items[0].name, "x");
	c = rd_next(&t);
	assert_string_equal(c->id, "b");
	assert_int_equal(c->n_items, 2);
	assert_int_equal(c->items[1].qty, 2);
	assert_int_equal(c->items[1].line, 7);
	assert_int_equal(t.d.n, 0);
	rd_close(&t);

	rd_open(&t, "item price=1\r\nitem price=x\r\n");
	assert_int_equal(rd_next(&t)->n_errors, 1);
	expect_diag(&t.d, 0, 2, 12, 1,
		    "'price' must be an integer number of yen, found word 'x'");
	assert_string_equal(t.d.v[0].src_line, "item price=x");
	rd_close(&t);
}

/* Every value kind with its location, in an account's further keys. */
static void test_value_kinds(void **state)
{
	(void)state;
	rd t;
	rd_open(&t, "account program=dpoint a=12 b=word-1 c=\"s t\" d=yes e=no "
		    "f=2024-10-03\n");
	pt_cart *c = rd_next(&t);
	assert_int_equal(c->n_errors, 0);
	const pt_account *a = pt_cart_account(c, "dpoint");
	assert_non_null(a);
	assert_false(a->has_balance);
	assert_int_equal(a->balance, 0);
	assert_int_equal(a->n_keys, 6);
	assert_int_equal(a->keys[0].kind, PT_CV_INT);
	assert_int_equal(a->keys[0].i, 12);
	assert_int_equal(a->keys[1].kind, PT_CV_WORD);
	assert_string_equal(a->keys[1].s, "word-1");
	assert_int_equal(a->keys[2].kind, PT_CV_STR);
	assert_string_equal(a->keys[2].s, "s t");
	assert_int_equal(a->keys[2].col, 40);
	assert_int_equal(a->keys[2].len, 5);
	assert_int_equal(a->keys[3].kind, PT_CV_BOOL);
	assert_int_equal(a->keys[3].i, 1);
	assert_int_equal(a->keys[4].kind, PT_CV_BOOL);
	assert_int_equal(a->keys[4].i, 0);
	assert_int_equal(a->keys[5].kind, PT_CV_DATE);
	assert_int_equal(a->keys[5].i, pt_date_from_ymd(2024, 10, 3));
	assert_string_equal(a->keys[5].key, "f");
	rd_close(&t);
}

/* Order ids, payment methods and use records. */
static void test_ids_payment_use(void **state)
{
	(void)state;
	rd t;
	rd_open(&t, "order id=\"A 1\"\npayment method=giftcard\n"
		    "use program=giftcard yen=1,500\nuse program=dpoint points=300\n"
		    "cart\norder id=12345\npayment card=visa method=cod\n");
	pt_cart *c = rd_next(&t);
	assert_string_equal(c->id, "A 1");
	assert_false(c->has_date);
	assert_null(c->card);
	assert_string_equal(c->method, "giftcard");
	assert_int_equal(c->n_uses, 2);
	assert_string_equal(c->uses[0].program, "giftcard");
	assert_int_equal(c->uses[0].yen, 1500);
	assert_int_equal(c->uses[0].line, 3);
	assert_string_equal(c->uses[1].program, "dpoint");
	assert_int_equal(c->uses[1].points, 300);
	c = rd_next(&t);
	assert_string_equal(c->id, "12345");
	assert_string_equal(c->card, "visa");
	assert_string_equal(c->method, "cod");
	assert_int_equal(t.d.n, 0);
	rd_close(&t);
}

/* One bad input and the single error it must produce. */
typedef struct err_case {
	const char *text;
	int line, col, len;
	const char *msg;
} err_case;

static const err_case err_cases[] = {
	{ "itme price=3\n", 1, 1, 4,
	  "unknown record kind 'itme'; expected one of cart, order, item, payment, account, use" },
	{ "=5\n", 1, 1, 1,
	  "expected a record kind (cart, order, item, payment, account, use), found '='" },
	{ "item =5\n", 1, 6, 1, "expected a key=value pair after 'item', found '='" },
	{ "item=5\n", 1, 5, 1, "expected a key=value pair after 'item', found '='" },
	{ "item price=5 =3\n", 1, 14, 1,
	  "expected a key=value pair after 'price=5', found '='" },
	{ "item price 5\n", 1, 6, 5, "expected '=' and a value after key 'price'" },
	{ "item price:5\n", 1, 11, 1, "expected '=' after key 'price', found ':'" },
	{ "item price=\n", 1, 11, 1, "missing value after 'price='" },
	{ "item prce=5\n", 1, 6, 4,
	  "unknown key 'prce' for item; expected one of price, qty, category, name" },
	{ "order number=5\n", 1, 7, 6, "unknown key 'number' for order; expected one of id, date" },
	{ "payment card=jcb bank=x\n", 1, 18, 4,
	  "unknown key 'bank' for payment; expected one of card, method" },
	{ "use program=dpoint pts=5\n", 1, 20, 3,
	  "unknown key 'pts' for use; expected one of program, points, yen" },
	{ "cart name=x\n", 1, 6, 4, "unknown key 'name' for cart; expected one of id" },
	{ "item price=5 price=6\n", 1, 14, 5,
	  "duplicate key 'price' in this item record; the first is at column 6" },
	{ "account program=dpoint x=1 x=2\n", 1, 28, 1,
	  "duplicate key 'x' in this account record; the first is at column 24" },
	{ "item price=abc\n", 1, 12, 3, "'price' must be an integer number of yen, found word 'abc'" },
	{ "item price=yes\n", 1, 12, 3,
	  "'price' must be an integer number of yen, found yes/no value 'yes'" },
	{ "item price=5 name=coffee\n", 1, 19, 6,
	  "'name' must be a quoted string such as \"Coffee\", found word 'coffee'" },
	{ "order date=20261124\n", 1, 12, 8,
	  "'date' must be a date YYYY-MM-DD, found integer '20261124'" },
	{ "payment card=\"jcb\"\n", 1, 14, 5, "'card' must be a word such as jcb, found string \"jcb\"" },
	{ "account program=2024-01-01\n", 1, 17, 10,
	  "'program' must be a program id such as dpoint, found date '2024-01-01'" },
	{ "item qty=2\n", 1, 1, 4, "item is missing required key 'price'" },
	{ "account balance=5\n", 1, 1, 7, "account is missing required key 'program'" },
	{ "use points=5\n", 1, 1, 3, "use is missing required key 'program'" },
	{ "use program=dpoint\n", 1, 1, 3, "use is missing required key 'points'" },
	{ "use program=giftcard\n", 1, 1, 3, "use program=giftcard is missing required key 'yen'" },
	{ "use program=dpoint yen=5\n", 1, 20, 3,
	  "'yen' goes only with program=giftcard; write points=N" },
	{ "use program=giftcard points=5\n", 1, 22, 6,
	  "'points' does not go with program=giftcard; write yen=N" },
	{ "payment\n", 1, 1, 7, "payment needs 'card' or 'method', e.g. payment card=jcb" },
	{ "order id=1\norder id=2\n", 2, 1, 5, "second 'order' in this cart; the first is on line 1" },
	{ "payment card=jcb\n\npayment method=cod\n", 3, 1, 7,
	  "second 'payment' in this cart; the first is on line 1" },
	{ "account program=dpoint\naccount program=dpoint balance=3\n", 2, 17, 6,
	  "second 'account' for program 'dpoint'; the first is on line 1" },
	{ "item price=1234567890123456\n", 1, 12, 16,
	  "integer '1234567890123456' has 16 digits; at most 15 are allowed" },
	{ "item price=1 qty=1000001\n", 1, 18, 7, "'qty' must be from 1 to 1000000, found 1000001" },
	{ "item price=1 qty=0\n", 1, 18, 1, "'qty' must be from 1 to 1000000, found 0" },
	{ "item price=-5\n", 1, 12, 2, "negative numbers are not allowed, found '-5'" },
	{ "item price=3.5\n", 1, 12, 3, "'3.5' is not a whole number; amounts here are integers" },
	{ "item price=3x\n", 1, 12, 2, "malformed value '3x'; expected an integer, a word, "
	  "a \"string\", yes/no or a YYYY-MM-DD date" },
	{ "item price=1 category=食品\n", 1, 23, 6, "text '食品' must be in quotes (\"...\")" },
	{ "order date=2026-02-30\n", 1, 12, 10,
	  "'2026-02-30' is not a valid date; expected YYYY-MM-DD, years 1900..9999" },
	{ "order date=2026-2-3\n", 1, 12, 8,
	  "'2026-2-3' is not a valid date; expected YYYY-MM-DD, years 1900..9999" },
	{ "order id=\"a\" date=1899-12-31\n", 1, 19, 10,
	  "'1899-12-31' is not a valid date; expected YYYY-MM-DD, years 1900..9999" },
	{ "item price=1 name=\"Coffee\n", 1, 19, 7, "unterminated string; expected a closing '\"'" },
	{ "item price=1 name=\"a\\\"\n", 1, 19, 4, "unterminated string; expected a closing '\"'" },
	{ "item price=1 name=\"a\\tb\"\n", 1, 21, 2,
	  "unknown escape '\\t' in string; only \\\" and \\\\ are allowed" },
	{ "item price=1 name=\"x\"y\n", 1, 22, 1,
	  "expected a space after the closing '\"', found 'y'" },
	{ "item price=1 name=\"\xff\"\n", 1, 20, 1, "invalid UTF-8 byte 0xFF in string" },
	{ "item price=1 name=\"\xc0\xaf\"\n", 1, 20, 1, "invalid UTF-8 byte 0xC0 in string" },
	{ "item price=1 name=\"\xed\xa0\x80\"\n", 1, 20, 1, "invalid UTF-8 byte 0xED in string" },
	{ "item price=1 name=\"a\x01\"\n", 1, 21, 1, "control character 0x01 in string" },
	{ "order id=a\xff\n", 1, 11, 1, "invalid UTF-8 byte 0xFF in value" },
	{ "\xe9t\xe9 price=1\n", 1, 1, 1,
	  "expected a record kind (cart, order, item, payment, account, use), found '\\xE9'" },
};

/* Each error kind: exactly one error at the right place, counted in the
 * cart, and the next line still read. */
static void test_error_kinds(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof err_cases / sizeof err_cases[0]; i++) {
		const err_case *e = &err_cases[i];
		char text[256], got[256], want[256];
		snprintf(text, sizeof text, "%sitem price=77\n", e->text);
		rd t;
		rd_open(&t, text);
		pt_cart *c = rd_next(&t);
		if (strncmp(e->text, "cart", 4) == 0)
			assert_int_equal(c->n_items, 1);
		else
			assert_int_equal(c->items[c->n_items - 1].price, 77);
		assert_int_equal(t.d.n, 1);
		assert_int_equal(c->n_errors, 1);
		/* one string per case, so that a failure shows which case */
		snprintf(got, sizeof got, "%d:%d+%d: %s", t.d.v[0].line, t.d.v[0].col,
			 t.d.v[0].len, t.d.v[0].msg);
		snprintf(want, sizeof want, "%d:%d+%d: %s", e->line, e->col, e->len, e->msg);
		assert_string_equal(got, want);
		rd_close(&t);
	}
}

/* A NUL byte anywhere is a located error, never a crash or a cut line. */
static void test_nul_bytes(void **state)
{
	(void)state;
	static const char text[] = "item price=5 name=\"a\0b\"\n"
				   "item price=6\0\n"
				   "\0item price=7\n"
				   "# a comment may hold \0 anything\n"
				   "item price=8\n";
	rd t;
	rd_open_n(&t, text, sizeof text - 1);
	pt_cart *c = rd_next(&t);
	assert_int_equal(c->n_errors, 3);
	assert_int_equal(c->n_items, 1);
	assert_int_equal(c->items[0].price, 8);
	assert_int_equal(c->items[0].line, 5);
	expect_diag(&t.d, 0, 1, 21, 1, "NUL byte in string");
	expect_diag(&t.d, 1, 2, 13, 1, "NUL byte in value");
	expect_diag(&t.d, 2, 3, 1, 1,
		    "expected a record kind (cart, order, item, payment, account, use), "
		    "found '\\x00'");
	rd_close(&t);
}

static const char bad_middle[] =
	"cart id=one\n"
	"item price=100\n"
	"cart id=two\n"
	"order id=2 date=2024-13-01\n"
	"item price=3,98\n"
	"item price=50\n"
	"cart id=three\n"
	"item price=300\n";

/* A bad cart between good ones: both neighbours parse cleanly and the bad
 * one is still returned, with its errors counted. */
static void test_bad_cart_in_middle(void **state)
{
	(void)state;
	rd t;
	rd_open(&t, bad_middle);
	pt_cart *c = rd_next(&t);
	assert_string_equal(c->id, "one");
	assert_int_equal(c->n_errors, 0);
	assert_int_equal(c->items[0].price, 100);
	c = rd_next(&t);
	assert_string_equal(c->id, "two");
	assert_int_equal(c->n_errors, 2);
	assert_int_equal(c->n_items, 1);
	assert_int_equal(c->items[0].price, 50);
	expect_diag(&t.d, 0, 4, 17, 10,
		    "'2024-13-01' is not a valid date; expected YYYY-MM-DD, years 1900..9999");
	expect_diag(&t.d, 1, 5, 12, 4,
		    "misplaced comma in '3,98'; group digits in threes, e.g. 3,980");
	c = rd_next(&t);
	assert_string_equal(c->id, "three");
	assert_int_equal(c->n_errors, 0);
	assert_int_equal(c->items[0].price, 300);
	assert_int_equal(t.d.n_errors, 2);
	rd_close(&t);
}

/* The printed form of a diagnostic, as docs/cart-format.md shows it. */
static void test_printed_diagnostic(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	assert_non_null(f);
	rd t;
	rd_open(&t, "item price=3,98 name=\"Tea\"\n");
	rd_next(&t);
	pt_diags_print(&t.d, f);
	fclose(f);
	assert_string_equal(buf,
			    "cart.txt:1:12: error: misplaced comma in '3,98'; group digits in "
			    "threes, e.g. 3,980\n"
			    "     1 | item price=3,98 name=\"Tea\"\n"
			    "       |            ^~~~\n");
	free(buf);
	rd_close(&t);
}

/* The limits: line length and items per cart. */
static void test_limits(void **state)
{
	(void)state;
	size_t n = PT_CART_MAX_LINE + 100;
	char *text = malloc(n + 32);
	assert_non_null(text);
	memcpy(text, "item price=1 name=\"", 19);
	memset(text + 19, 'a', n - 20);
	strcpy(text + n - 1, "\"\nitem price=2\n");
	rd t;
	rd_open(&t, text);
	pt_cart *c = rd_next(&t);
	assert_int_equal(c->n_errors, 1);
	assert_int_equal(c->n_items, 1);
	assert_int_equal(c->items[0].price, 2);
	char msg[96];
	snprintf(msg, sizeof msg, "line is %zu bytes long; the limit is %d bytes", n,
		 PT_CART_MAX_LINE);
	expect_diag(&t.d, 0, 1, PT_CART_MAX_LINE + 1, 1, msg);
	rd_close(&t);
	free(text);

	/* A line of exactly the limit is fine. */
	n = PT_CART_MAX_LINE;
	text = malloc(n + 2);
	assert_non_null(text);
	memcpy(text, "item price=1 name=\"", 19);
	memset(text + 19, 'b', n - 20);
	strcpy(text + n - 1, "\"");
	rd_open(&t, text);
	c = rd_next(&t);
	assert_int_equal(c->n_errors, 0);
	assert_int_equal(strlen(c->items[0].name), n - 20);
	rd_close(&t);
	free(text);

	size_t items = PT_CART_MAX_ITEMS + 2, k = 0;
	text = malloc(items * 13 + 64);
	assert_non_null(text);
	for (size_t i = 0; i < items; i++)
		k += (size_t)sprintf(text + k, "item price=1\n");
	strcpy(text + k, "cart id=next\nitem price=9\n");
	rd_open(&t, text);
	c = rd_next(&t);
	assert_int_equal(c->n_items, PT_CART_MAX_ITEMS);
	assert_int_equal(c->n_errors, 1);
	snprintf(msg, sizeof msg, "more than %d items in one cart", PT_CART_MAX_ITEMS);
	expect_diag(&t.d, 0, PT_CART_MAX_ITEMS + 1, 1, 4, msg);
	int64_t total;
	assert_true(pt_cart_total(c, &total));
	assert_int_equal(total, PT_CART_MAX_ITEMS);
	c = rd_next(&t);
	assert_string_equal(c->id, "next");
	assert_int_equal(c->n_errors, 0);
	assert_int_equal(c->items[0].price, 9);
	rd_close(&t);
	free(text);
}

/* pt_cart_total reports overflow of a product and of the sum. */
static void test_total_overflow(void **state)
{
	(void)state;
	int64_t total = -1;
	rd t;
	rd_open(&t, "item price=999,999,999,999,999 qty=1000000\n"
		    "cart\n"
		    "item price=999999999999999 qty=5000\n"
		    "item price=999999999999999 qty=5000\n"
		    "cart\n"
		    "item price=999999999999999 qty=9000\n"
		    "item price=1000\n");
	pt_cart *c = rd_next(&t);
	assert_int_equal(c->n_errors, 0);
	assert_false(pt_cart_total(c, &total));
	c = rd_next(&t);
	assert_false(pt_cart_total(c, &total));
	c = rd_next(&t);
	assert_true(pt_cart_total(c, &total));
	assert_int_equal(total, 999999999999999 * 9000 + 1000);
	rd_close(&t);
}

/* The example files under tests/carts read as documented. */
static void test_example_files(void **state)
{
	(void)state;
	size_t len = 0;
	char *text = px_slurp("tests/carts/multi.txt", &len);
	if (!text)
		skip();
	rd t;
	rd_open_n(&t, text, len);
	pt_cart *c = rd_next(&t);
	int64_t total;
	assert_int_equal(c->n_errors, 0);
	assert_true(pt_cart_total(c, &total));
	assert_int_equal(total, 20000);
	const pt_account *a = pt_cart_account(c, "dpoint");
	assert_non_null(a);
	assert_int_equal(a->n_keys, 2);
	assert_int_equal(a->keys[0].i, 1600);
	assert_int_equal(a->keys[1].i, 150);
	c = rd_next(&t);
	assert_int_equal(c->n_errors, 0);
	assert_string_equal(c->card, "jcb");
	assert_int_equal(c->date, pt_date_from_ymd(2025, 6, 1));
	assert_int_equal(pt_cart_account(c, "okidoki")->balance, 300);
	c = rd_next(&t);
	assert_int_equal(c->n_errors, 0);
	assert_true(pt_cart_total(c, &total));
	assert_int_equal(total, 4999);
	assert_non_null(pt_cart_account(c, "dpoint"));
	rd_close(&t);
	free(text);

	text = px_slurp("tests/carts/bad.txt", &len);
	assert_non_null(text);
	rd_open_n(&t, text, len);
	assert_int_equal(rd_next(&t)->n_errors, 0);
	assert_int_equal(rd_next(&t)->n_errors, 2);
	assert_int_equal(rd_next(&t)->n_errors, 0);
	assert_int_equal(t.d.n_errors, 2);
	rd_close(&t);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_product_example),
		cmocka_unit_test(test_several_carts),
		cmocka_unit_test(test_records_before_first_cart),
		cmocka_unit_test(test_empty_inputs),
		cmocka_unit_test(test_comma_integers),
		cmocka_unit_test(test_bad_commas),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_crlf_and_no_final_newline),
		cmocka_unit_test(test_value_kinds),
		cmocka_unit_test(test_ids_payment_use),
		cmocka_unit_test(test_error_kinds),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_bad_cart_in_middle),
		cmocka_unit_test(test_printed_diagnostic),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_total_overflow),
		cmocka_unit_test(test_example_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
