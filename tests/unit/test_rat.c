/* test_rat.c - exact rational arithmetic (src/rat.c): lowest terms,
 * checked add/sub/mul/div, rounding, parsing and formatting. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rat.h"

/* Build n/d, which must succeed. */
static pt_rat R(int64_t n, int64_t d)
{
	pt_rat r;
	assert_true(pt_rat_make(n, d, &r));
	return r;
}

/* Assert that r is exactly n/d (already in lowest terms). */
static void assert_rat(pt_rat r, int64_t n, int64_t d)
{
	assert_int_equal(r.n, n);
	assert_int_equal(r.d, d);
}

/* Parse a NUL-terminated literal, asserting the result n/d. */
static void assert_parse(const char *s, int64_t n, int64_t d)
{
	pt_rat r = { 99, 99 };
	assert_true(pt_rat_parse(s, strlen(s), &r));
	assert_rat(r, n, d);
}

/* Parsing s must fail. */
static void assert_no_parse(const char *s)
{
	pt_rat r;
	assert_false(pt_rat_parse(s, strlen(s), &r));
}

/* Format r into a buffer and compare with want. */
static void assert_format(pt_rat r, const char *want)
{
	char buf[64];
	int n = pt_rat_format(r, buf, sizeof buf);
	assert_string_equal(buf, want);
	assert_int_equal(n, (int)strlen(want));
}

/* pt_rat_make reduces to lowest terms with a positive denominator and
 * refuses a zero denominator and INT64_MIN. */
static void test_make(void **state)
{
	(void)state;
	pt_rat r;
	assert_rat(R(6, 4), 3, 2);
	assert_rat(R(-6, 4), -3, 2);
	assert_rat(R(6, -4), -3, 2);
	assert_rat(R(-6, -4), 3, 2);
	assert_rat(R(0, 5), 0, 1);
	assert_rat(R(0, -5), 0, 1);
	assert_rat(R(100, 100), 1, 1);
	assert_rat(R(INT64_MAX, INT64_MAX), 1, 1);
	assert_false(pt_rat_make(1, 0, &r));
	assert_false(pt_rat_make(0, 0, &r));
	assert_false(pt_rat_make(INT64_MIN, 1, &r));
	assert_false(pt_rat_make(1, INT64_MIN, &r));
	assert_true(pt_rat_is_int(pt_rat_int(7)));
	assert_false(pt_rat_is_int(R(7, 2)));
}

/* 1 point = 3.5 yen stays exact: 3.5 * 300 = 1050, 300 / 3.5 = 600/7,
 * and 1% of 7,777 is 7777/100 with no float anywhere. */
static void test_exact_arithmetic(void **state)
{
	(void)state;
	pt_rat r;
	pt_rat three_half = R(7, 2), pct = R(1, 100);
	assert_true(pt_rat_mul(three_half, pt_rat_int(300), &r));
	assert_rat(r, 1050, 1);
	assert_true(pt_rat_mul(pt_rat_int(300), three_half, &r));
	assert_rat(r, 1050, 1);
	assert_true(pt_rat_div(pt_rat_int(300), three_half, &r));
	assert_rat(r, 600, 7);
	assert_true(pt_rat_div(pt_rat_int(2000), three_half, &r));
	assert_rat(r, 4000, 7);
	assert_rat(pt_rat_floor(r), 571, 1);
	assert_true(pt_rat_mul(pt_rat_int(7777), pct, &r));
	assert_rat(r, 7777, 100);
	/* 0.1 + 0.2 is exactly 0.3 */
	assert_true(pt_rat_add(R(1, 10), R(2, 10), &r));
	assert_rat(r, 3, 10);
	assert_true(pt_rat_add(R(1, 6), R(1, 3), &r));
	assert_rat(r, 1, 2);
	assert_true(pt_rat_sub(R(1, 2), R(3, 4), &r));
	assert_rat(r, -1, 4);
	assert_true(pt_rat_sub(pt_rat_int(200), pt_rat_int(150), &r));
	assert_rat(r, 50, 1);
	assert_true(pt_rat_mul(R(-5, 2), R(2, 5), &r));
	assert_rat(r, -1, 1);
	assert_true(pt_rat_mul(pt_rat_int(0), R(7, 2), &r));
	assert_rat(r, 0, 1);
	assert_true(pt_rat_div(R(1, 2), R(-1, 4), &r));
	assert_rat(r, -2, 1);
	assert_true(pt_rat_div(R(-3, 4), R(-3, 8), &r));
	assert_rat(r, 2, 1);
	/* 77 * 2.5 = 192.5, floored 192 (DOMAIN.md rank 5 example) */
	assert_true(pt_rat_mul(pt_rat_int(77), R(5, 2), &r));
	assert_rat(r, 385, 2);
	assert_rat(pt_rat_floor(r), 192, 1);
}

/* Cross-cancelling lets products whose naive numerators or denominators
 * would overflow still succeed when the result fits. */
static void test_cancellation(void **state)
{
	(void)state;
	pt_rat r;
	int64_t big = INT64_MAX / 3;   /* 3074457345618258602 */
	assert_true(pt_rat_mul(R(big, 7), R(7, big), &r));
	assert_rat(r, 1, 1);
	/* INT64_MAX = 7 * 1317624576693539401 */
	assert_true(pt_rat_mul(R(INT64_MAX, 2), R(2, 7), &r));
	assert_rat(r, 1317624576693539401, 1);
	/* big is even: 1/big + 1/big = 1/(big/2) */
	assert_true(pt_rat_add(R(1, big), R(1, big), &r));
	assert_rat(r, 1, big / 2);
}

/* floor and ceil go towards -inf and +inf, also for negatives. */
static void test_floor_ceil(void **state)
{
	(void)state;
	assert_rat(pt_rat_floor(R(7777, 100)), 77, 1);
	assert_rat(pt_rat_ceil(R(7777, 100)), 78, 1);
	assert_rat(pt_rat_floor(R(-7, 2)), -4, 1);
	assert_rat(pt_rat_ceil(R(-7, 2)), -3, 1);
	assert_rat(pt_rat_floor(R(-1, 3)), -1, 1);
	assert_rat(pt_rat_ceil(R(-1, 3)), 0, 1);
	assert_rat(pt_rat_floor(R(1, 3)), 0, 1);
	assert_rat(pt_rat_ceil(R(1, 3)), 1, 1);
	assert_rat(pt_rat_floor(pt_rat_int(-5)), -5, 1);
	assert_rat(pt_rat_ceil(pt_rat_int(-5)), -5, 1);
	assert_rat(pt_rat_floor(pt_rat_int(0)), 0, 1);
	assert_rat(pt_rat_floor(R(INT64_MAX, 2)), INT64_MAX / 2, 1);
	assert_rat(pt_rat_ceil(R(INT64_MAX, 2)), INT64_MAX / 2 + 1, 1);
	assert_rat(pt_rat_floor(R(-INT64_MAX, 2)), -(INT64_MAX / 2) - 1, 1);
}

/* round: halves away from zero (四捨五入), others to the nearest. */
static void test_round(void **state)
{
	(void)state;
	assert_rat(pt_rat_round(R(5, 2)), 3, 1);
	assert_rat(pt_rat_round(R(-5, 2)), -3, 1);
	assert_rat(pt_rat_round(R(7, 2)), 4, 1);
	assert_rat(pt_rat_round(R(-7, 2)), -4, 1);
	assert_rat(pt_rat_round(R(1, 2)), 1, 1);
	assert_rat(pt_rat_round(R(-1, 2)), -1, 1);
	assert_rat(pt_rat_round(R(4, 3)), 1, 1);
	assert_rat(pt_rat_round(R(5, 3)), 2, 1);
	assert_rat(pt_rat_round(R(-4, 3)), -1, 1);
	assert_rat(pt_rat_round(R(-5, 3)), -2, 1);
	assert_rat(pt_rat_round(R(7749, 100)), 77, 1);
	assert_rat(pt_rat_round(R(7750, 100)), 78, 1);
	assert_rat(pt_rat_round(R(1, 3)), 0, 1);
	assert_rat(pt_rat_round(pt_rat_int(9)), 9, 1);
	/* no overflow computing 2|r| >= d for huge denominators */
	assert_rat(pt_rat_round(R(INT64_MAX - 1, INT64_MAX)), 1, 1);
	assert_rat(pt_rat_round(R(INT64_MAX / 2, INT64_MAX)), 0, 1);
}

/* Overflow is reported, never wrapped: INT64_MAX + 1, INT64_MAX * 2,
 * huge denominators, and results that would be INT64_MIN. */
static void test_overflow(void **state)
{
	(void)state;
	pt_rat r = { 42, 1 };
	assert_false(pt_rat_add(pt_rat_int(INT64_MAX), pt_rat_int(1), &r));
	assert_false(pt_rat_add(pt_rat_int(INT64_MAX), pt_rat_int(INT64_MAX), &r));
	assert_false(pt_rat_add(pt_rat_int(-INT64_MAX), pt_rat_int(-1), &r));   /* INT64_MIN */
	assert_false(pt_rat_sub(pt_rat_int(-INT64_MAX), pt_rat_int(1), &r));
	assert_false(pt_rat_sub(pt_rat_int(0), (pt_rat){ INT64_MIN, 1 }, &r));
	assert_false(pt_rat_mul(pt_rat_int(INT64_MAX), pt_rat_int(2), &r));
	assert_false(pt_rat_mul(pt_rat_int(INT64_MAX), pt_rat_int(-2), &r));
	assert_false(pt_rat_mul(pt_rat_int(INT64_MAX), R(3, 2), &r));
	assert_false(pt_rat_mul(pt_rat_int(4294967296), pt_rat_int(4294967296), &r));
	assert_false(pt_rat_add(R(1, INT64_MAX), R(1, INT64_MAX - 1), &r));
	assert_false(pt_rat_mul(R(1, INT64_MAX), R(1, 2), &r));
	assert_false(pt_rat_div(pt_rat_int(INT64_MAX), R(1, 2), &r));
	assert_int_equal(r.n, 42);   /* untouched on failure */
	/* the edges that do fit */
	assert_true(pt_rat_add(pt_rat_int(INT64_MAX - 1), pt_rat_int(1), &r));
	assert_rat(r, INT64_MAX, 1);
	assert_true(pt_rat_mul(pt_rat_int(INT64_MAX), pt_rat_int(-1), &r));
	assert_rat(r, -INT64_MAX, 1);
	assert_true(pt_rat_add(R(1, 2), R(1, 2), &r));
	assert_rat(r, 1, 1);
}

/* Division by zero is an error, also for 0/0. */
static void test_divzero(void **state)
{
	(void)state;
	pt_rat r = { 42, 1 };
	assert_false(pt_rat_div(pt_rat_int(1), pt_rat_int(0), &r));
	assert_false(pt_rat_div(pt_rat_int(0), pt_rat_int(0), &r));
	assert_false(pt_rat_div(R(7, 2), R(0, 3), &r));
	assert_int_equal(r.n, 42);
	assert_true(pt_rat_div(pt_rat_int(0), pt_rat_int(5), &r));
	assert_rat(r, 0, 1);
}

/* Exact comparison, including values whose cross products overflow
 * 64 bits. */
static void test_cmp(void **state)
{
	(void)state;
	assert_int_equal(pt_rat_cmp(R(1, 2), R(2, 4)), 0);
	assert_int_equal(pt_rat_cmp(R(1, 3), R(1, 2)), -1);
	assert_int_equal(pt_rat_cmp(R(1, 2), R(1, 3)), 1);
	assert_int_equal(pt_rat_cmp(R(-1, 2), R(1, 3)), -1);
	assert_int_equal(pt_rat_cmp(pt_rat_int(5000), pt_rat_int(4999)), 1);
	assert_int_equal(pt_rat_cmp(R(INT64_MAX - 1, INT64_MAX), R(INT64_MAX - 2, INT64_MAX - 1)), 1);
	assert_int_equal(pt_rat_cmp(pt_rat_int(INT64_MAX), pt_rat_int(-INT64_MAX)), 1);
}

/* Decimal literals: integers, fractions, thousands separators. */
static void test_parse_good(void **state)
{
	(void)state;
	assert_parse("0", 0, 1);
	assert_parse("5000", 5000, 1);
	assert_parse("3.5", 7, 2);
	assert_parse("0.25", 1, 4);
	assert_parse("2.50", 5, 2);
	assert_parse("1,980", 1980, 1);
	assert_parse("3,980", 3980, 1);
	assert_parse("1,234,567", 1234567, 1);
	assert_parse("1,000.5", 2001, 2);
	assert_parse("007", 7, 1);
	assert_parse("9223372036854775807", INT64_MAX, 1);
	assert_parse("0.000000000000000001", 1, 1000000000000000000);
	/* only len bytes are read */
	pt_rat r;
	assert_true(pt_rat_parse("12345", 2, &r));
	assert_rat(r, 12, 1);
}

/* Malformed or too large literals are refused. */
static void test_parse_bad(void **state)
{
	(void)state;
	assert_no_parse("");
	assert_no_parse(".");
	assert_no_parse(",");
	assert_no_parse(",5");
	assert_no_parse(",123");
	assert_no_parse("1.2.3");
	assert_no_parse("1.5,0");
	assert_no_parse("-5");
	assert_no_parse("+5");
	assert_no_parse("1e3");
	assert_no_parse("abc");
	assert_no_parse("3 .5");
	assert_no_parse("12a");
	assert_no_parse("9223372036854775808");
	assert_no_parse("99999999999999999999");
	assert_no_parse("0.0000000000000000001");   /* denominator 10^19 */
}

/* Regression (src/rat.c pt_rat_parse, fixed in b3806e7): thousands
 * separators must be followed by exactly three digits; "1,98" once read
 * as 198 and "1,,980" / "1980," as 1980. */
static void test_parse_bad_grouping(void **state)
{
	(void)state;
	assert_no_parse("1,98");
	assert_no_parse("1,,980");
	assert_no_parse("1980,");
	assert_no_parse("12,34");
}

/* Integers, finite decimals with trailing zeros trimmed, else n/d. */
static void test_format(void **state)
{
	(void)state;
	assert_format(pt_rat_int(77), "77");
	assert_format(pt_rat_int(0), "0");
	assert_format(pt_rat_int(-1050), "-1050");
	assert_format(R(7, 2), "3.5");
	assert_format(R(-7, 2), "-3.5");
	assert_format(R(-1, 2), "-0.5");
	assert_format(R(1, 100), "0.01");
	assert_format(R(1, 4), "0.25");
	assert_format(R(1, 8), "0.125");
	assert_format(R(1, 20), "0.05");
	assert_format(R(7777, 100), "77.77");
	assert_format(R(5, 2), "2.5");
	assert_format(R(1, 3), "1/3");
	assert_format(R(-600, 7), "-600/7");
	assert_format(pt_rat_int(INT64_MAX), "9223372036854775807");
	assert_format(R(INT64_MAX, 1000000000000000000), "9.223372036854775807");
	/* a too-small buffer truncates like snprintf and stays terminated */
	char small[4];
	int n = pt_rat_format(pt_rat_int(123456), small, sizeof small);
	assert_int_equal(n, 6);
	assert_string_equal(small, "123");
}

/* format then parse gives the value back for finite decimals. */
static void test_roundtrip(void **state)
{
	(void)state;
	const pt_rat vals[] = { R(7, 2), R(1, 100), R(12345, 8), pt_rat_int(1980), R(3, 1000) };
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		char buf[64];
		pt_rat back;
		pt_rat_format(vals[i], buf, sizeof buf);
		assert_true(pt_rat_parse(buf, strlen(buf), &back));
		assert_int_equal(pt_rat_cmp(back, vals[i]), 0);
		assert_rat(back, vals[i].n, vals[i].d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_make),
		cmocka_unit_test(test_exact_arithmetic),
		cmocka_unit_test(test_cancellation),
		cmocka_unit_test(test_floor_ceil),
		cmocka_unit_test(test_round),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_divzero),
		cmocka_unit_test(test_cmp),
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_bad_grouping),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
