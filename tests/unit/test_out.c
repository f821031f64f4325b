/* test_out.c - the JSON printer (src/out.c, out_use.c, sink.c): a rule
 * set's strings are escaped once when it is indexed (rs->json) and
 * copied for every cart; the text must be byte for byte what escaping
 * them per cart gives (rs->json NULL), whole and cut at every length, for
 * names, tiers, reasons and ids that need escapes.  Numbers and dates are
 * written without printf and must match it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "helpers.h"
#include "out.h"

/* Strings that need every kind of escape, and one that needs none. */
static const char rules_text[] =
	"program q {\n"
	"  name \"Quote \\\" back\\\\slash\\nnew\ttab\"\n"
	"  redeem {\n"
	"    value 1 yen per point\n"
	"    require payment.card == \"jcb\" else \"needs \\\"jcb\\\"\\\\card\"\n"
	"  }\n"
	"  tiers rank by account.n until 2030-01-01 {\n"
	"    \"\\\"gold\\\"\" from 10 points: m 2\n"
	"    \"plain\" otherwise: m 1\n"
	"  }\n"
	"  input account.n: points = 0 points\n"
	"  earn {\n"
	"    granted at shipment\n"
	"    basis eligible\n"
	"    require basis >= 5 yen else \"below 5 \\\"yen\\\"\"\n"
	"    add floor(basis * 1% * rank.m) as points cap 1 points else \"capped\\nhere\"\n"
	"  }\n"
	"}\n"
	"program plain {\n"
	"  name \"Plain\"\n"
	"  redeem {\n"
	"    value 1 yen per point\n"
	"  }\n"
	"}\n";

/* Index of string s in the rule set's table (it must be there). */
static uint32_t str_of(const pt_ruleset *rs, const char *s)
{
	int i = pt_ruleset_find_str(rs, s);
	assert_true(i >= 0);
	return (uint32_t)i;
}

/* Print one cart both ways and into every buffer size: the same bytes
 * and the same full length each time. */
static void same_both_ways(pt_ruleset *rs, const pt_cart_view *v, const pt_prog_result *res,
			   const char *must_contain)
{
	static char a[16384], b[16384];
	pt_sink sa = pt_sink_buf(a, sizeof a);
	pt_out_json(&sa, rs, v, res, NULL);
	size_t na = pt_sink_finish(&sa);
	struct pt_out_jtext *jt = rs->json;
	assert_non_null(jt);
	rs->json = NULL;   /* the printer escapes every string now */
	pt_sink sb = pt_sink_buf(b, sizeof b);
	pt_out_json(&sb, rs, v, res, NULL);
	size_t nb = pt_sink_finish(&sb);
	assert_int_equal(na, nb);
	assert_true(na < sizeof a);
	assert_memory_equal(a, b, na + 1);
	if (!strstr(a, must_contain))
		fprintf(stderr, "got: %s\n", a);
	assert_non_null(strstr(a, must_contain));
	for (size_t cap = 0; cap <= na + 1; cap++) {   /* snprintf semantics, both ways */
		static char c1[16384], c2[16384];
		memset(c1, 'x', sizeof c1);
		memset(c2, 'x', sizeof c2);
		rs->json = jt;
		pt_sink s1 = pt_sink_buf(cap ? c1 : NULL, cap);
		pt_out_json(&s1, rs, v, res, NULL);
		rs->json = NULL;
		pt_sink s2 = pt_sink_buf(cap ? c2 : NULL, cap);
		pt_out_json(&s2, rs, v, res, NULL);
		assert_int_equal(pt_sink_finish(&s1), na);
		assert_int_equal(pt_sink_finish(&s2), na);
		assert_memory_equal(c1, c2, sizeof c1);
		if (cap) {
			assert_int_equal(strlen(c1), cap - 1);
			assert_memory_equal(c1, a, cap - 1);
		}
	}
	rs->json = jt;
}

/* Escaped names, tiers, reasons (one, two, none, cut) and a `use` block. */
static void test_prepared_json_matches_escaping(void **state)
{
	(void)state;
	pt_diags d;
	pt_diags_init(&d);
	pt_src src = { "esc.rules", rules_text, sizeof rules_text - 1, 0 };
	pt_ruleset *rs = pt_compile(&src, 1, &d);
	if (!rs)
		pt_diags_print(&d, stderr);
	assert_non_null(rs);
	assert_int_equal(rs->nprogs, 2);
	pt_prog_result res[2];
	memset(res, 0, sizeof res);
	res[0].linked = true;
	res[0].tier = (int)str_of(rs, "\"gold\"");
	res[0].redeem.status = PT_VM_OK;
	res[0].redeem.nreasons = 1;
	res[0].redeem.reasons[0].str = str_of(rs, "needs \"jcb\"\\card");
	res[0].earn.status = PT_VM_OK;
	res[0].earn.nreasons = 2;
	res[0].earn.reasons[0].str = str_of(rs, "below 5 \"yen\"");
	res[0].earn.reasons[1].str = str_of(rs, "capped\nhere");
	for (int o = 0; o < PT_OUT__COUNT; o++) {
		res[0].out[o] = pt_rat_int(o % 2 ? -1234567890123LL : 99);
		res[1].out[o] = pt_rat_int(0);
	}
	res[0].out[PT_OUT_E_BASIS] = (pt_rat){ 7, 2 };   /* floored when printed */
	res[1].tier = -1;
	res[1].redeem.status = PT_VM_OK;
	res[1].earn.status = PT_VM_OK;
	pt_use_report use;
	memset(&use, 0, sizeof use);
	use.any = true;
	use.valid = false;
	use.giftcard_yen = 100;
	use.points_yen = -7;
	use.pay_yen = 1000000000000LL;
	use.progs = (pt_use_prog[2]){ { .points = 5, .value_yen = 5, .valid = true, .cart_line = 3 },
				      { .cart_line = 0 } };
	use.nproblems = 1;
	use.problems[0] = (pt_use_problem){ .prog = 0, .cart_line = 3, .rule_file = 0, .rule_line = 5 };
	snprintf(use.problems[0].text, sizeof use.problems[0].text, "not \"allowed\"");
	use.dropped = 2;
	pt_cart_view v = { "lbl\"1", "ord\\er-id-longer-than-16\x01", pt_date_from_ymd(2026, 3, 5), true,
			   -42, 1, &use };
	same_both_ways(rs, &v, res,
		       "{\"cart\":\"lbl\\\"1\",\"order_id\":\"ord\\\\er-id-longer-than-16\\u0001\","
		       "\"date\":\"2026-03-05\",\"date_source\":\"order\",\"total_yen\":-42,\"programs\":[{\"id\":\"q\","
		       "\"name\":\"Quote \\\" back\\\\slash\\nnew\\u0009tab\",\"linked\":true,\"tier\":\"\\\"gold\\\"\","
		       "\"redeem\":{\"usable\":true,\"max_points\":");
	assert_non_null(rs->json);
	static char out[8192];
	pt_sink s = pt_sink_buf(out, sizeof out);
	pt_out_json(&s, rs, &v, res, NULL);
	pt_sink_finish(&s);
	assert_non_null(strstr(out, "\"reason\":\"needs \\\"jcb\\\"\\\\card\"}"));
	assert_non_null(strstr(out, "\"reason\":\"below 5 \\\"yen\\\"; capped\\nhere\"}"));
	assert_non_null(strstr(out, "\"granted\":\"shipment\""));
	assert_non_null(strstr(out, "\"use\":{\"valid\":false,\"giftcard_yen\":100,\"points_yen\":-7,"
				    "\"pay_yen\":1000000000000,\"programs\":[{\"id\":\"q\",\"points\":5,"
				    "\"value_yen\":5,\"valid\":true}],\"problems\":[{\"program\":\"q\","
				    "\"text\":\"not \\\"allowed\\\"\",\"rule\":\"esc.rules:5\"}],\"problems_dropped\":2}"));
	/* A runtime error and reasons too long to join whole take the cut path. */
	res[1].redeem.status = PT_VM_DIVZERO;
	res[1].redeem.status_pc = 0;
	v.date_from_order = false;
	v.order_id = NULL;
	v.use = NULL;
	same_both_ways(rs, &v, res, "\"date_source\":\"today_asia_tokyo\"");
	pt_ruleset_free(rs);
	pt_diags_free(&d);
}

/* Reasons too long to join whole (1,024 bytes and more) are cut as the
 * text table cuts them, prepared or not; a lone one too. */
static void test_long_reasons_cut(void **state)
{
	(void)state;
	static char text[8192], r1[700], r2[1025];
	memset(r1, 'a', sizeof r1 - 1);
	memset(r2, 'b', sizeof r2 - 1);
	r1[5] = '"';   /* escaped, and counted once in the raw length */
	snprintf(text, sizeof text,
		 "program long {\n  name \"Long\"\n  redeem {\n    value 1 yen per point\n"
		 "    require payment.card == \"jcb\" else \"%.5s\\\"%s\"\n"
		 "    require payment.method == \"x\" else \"%s\"\n  }\n}\n",
		 r1, r1 + 6, r2);
	pt_diags d;
	pt_diags_init(&d);
	pt_src src = { "long.rules", text, strlen(text), 0 };
	pt_ruleset *rs = pt_compile(&src, 1, &d);
	if (!rs)
		pt_diags_print(&d, stderr);
	assert_non_null(rs);
	pt_prog_result res[1];
	memset(res, 0, sizeof res);
	res[0].tier = -1;
	for (int o = 0; o < PT_OUT__COUNT; o++)
		res[0].out[o] = pt_rat_int(0);
	res[0].redeem.nreasons = 2;
	res[0].redeem.reasons[0].str = str_of(rs, r1);
	res[0].redeem.reasons[1].str = str_of(rs, r2);
	res[0].earn.nreasons = 1;
	res[0].earn.reasons[0].str = str_of(rs, r2);
	pt_cart_view v = { "c", NULL, 0, true, 0, 0, NULL };
	same_both_ways(rs, &v, res, "\"reason\":\"aaaaa\\\"aaaa");
	pt_ruleset_free(rs);
	pt_diags_free(&d);
}

/* pt_sink_int and pt_sink_ymd write what printf would, into a buffer with
 * room, a short one and a FILE. */
static void test_numbers_match_printf(void **state)
{
	(void)state;
	const long long vals[] = { 0, 1, -1, 9, 10, 99, 100, 101, 999, 1000, 12345, -98765, 4294967296LL,
				   999999999999999LL, INT64_MAX, INT64_MIN, INT64_MIN + 1 };
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		char want[32], got[32], small[4];
		int n = snprintf(want, sizeof want, "%lld", vals[i]);
		pt_sink s = pt_sink_buf(got, sizeof got);
		pt_sink_int(&s, vals[i]);
		assert_int_equal(pt_sink_finish(&s), (size_t)n);
		assert_string_equal(got, want);
		pt_sink t = pt_sink_buf(small, sizeof small);
		pt_sink_putc(&t, '[');
		pt_sink_int(&t, vals[i]);
		assert_int_equal(pt_sink_finish(&t), (size_t)n + 1);
		assert_int_equal(small[0], '[');
		assert_memory_equal(small + 1, want, strlen(small + 1));
	}
	for (int32_t day = pt_date_from_ymd(1900, 1, 1); day < pt_date_from_ymd(2101, 1, 1); day += 13) {
		char want[16], got[16];
		pt_date_format(day, want);
		int y, m, d;
		pt_date_to_ymd(day, &y, &m, &d);
		pt_sink s = pt_sink_buf(got, sizeof got);
		pt_sink_ymd(&s, y, m, d);
		pt_sink_finish(&s);
		assert_string_equal(got, want);
	}
}

/* pt_date_to_ymd (Neri and Schneider's form within its range) gives
 * what the era algorithm gives: every day of its range and a little
 * past both ends, then days across the whole int32 range, both ends
 * included; and the days it gives round-trip through pt_date_from_ymd. */
static void test_date_to_ymd(void **state)
{
	(void)state;
	int y, m, d, ey, em, ed;
	for (int32_t day = PT_DATE_FAST_LO - 1000; day <= PT_DATE_FAST_HI + 1000; day++) {
		pt_date_to_ymd(day, &y, &m, &d);
		pt_date_to_ymd_era(day, &ey, &em, &ed);
		if (y != ey || m != em || d != ed || pt_date_from_ymd(y, m, d) != day) {
			fprintf(stderr, "day %d: %d-%d-%d, the era algorithm %d-%d-%d\n", day, y, m, d, ey, em, ed);
			fail();
		}
	}
	static const int32_t ends[] = { INT32_MIN, INT32_MIN + 1, -719469, -719468, -719467, -1, 0, 1,
					INT32_MAX - 719468, INT32_MAX - 719467, INT32_MAX - 1, INT32_MAX };
	for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
		pt_date_to_ymd(ends[i], &y, &m, &d);
		pt_date_to_ymd_era(ends[i], &ey, &em, &ed);
		assert_true(y == ey && m == em && d == ed);
		assert_true(m >= 1 && m <= 12 && d >= 1 && d <= 31);
	}
	for (int64_t day = INT32_MIN; day <= INT32_MAX; day += 65521) {
		pt_date_to_ymd((int32_t)day, &y, &m, &d);
		pt_date_to_ymd_era((int32_t)day, &ey, &em, &ed);
		assert_true(y == ey && m == em && d == ed);
	}
	pt_date_to_ymd(pt_date_from_ymd(1900, 1, 1), &y, &m, &d);
	assert_true(y == 1900 && m == 1 && d == 1);
	pt_date_to_ymd(pt_date_from_ymd(2024, 2, 29), &y, &m, &d);
	assert_true(y == 2024 && m == 2 && d == 29);
	pt_date_to_ymd(0, &y, &m, &d);
	assert_true(y == 1970 && m == 1 && d == 1);
}

/* The plain JSON escaper, one byte at a time: what pt_out_json_str must
 * write. */
static size_t naive_json(const char *s, char *out)
{
	size_t o = 0;
	out[o++] = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			o += (size_t)sprintf(out + o, "\\%c", *p);
		else if (*p == '\n')
			o += (size_t)sprintf(out + o, "\\n");
		else if (*p < 0x20)
			o += (size_t)sprintf(out + o, "\\u%04x", *p);
		else
			out[o++] = (char)*p;
	}
	out[o++] = '"';
	out[o] = '\0';
	return o;
}

/* Every length from 0 to 80 (the byte loop, the overlapping words, the
 * padded words), with each kind of special byte at each position, and
 * UTF-8. */
static void test_json_strings_escaped(void **state)
{
	(void)state;
	const char specials[] = { '"', '\\', '\n', '\t', 1, 0x1f, (char)0xe3, 0x7f };
	for (size_t n = 0; n <= 80; n++)
		for (size_t at = 0; at <= n; at++)
			for (size_t k = 0; k < sizeof specials; k++) {
				char s[96], want[600], got[600];
				for (size_t i = 0; i < n; i++)
					s[i] = (char)('a' + i % 26);
				if (at < n)
					s[at] = specials[k];
				s[n] = '\0';
				size_t wn = naive_json(s, want);
				pt_sink sk = pt_sink_buf(got, sizeof got);
				pt_out_json_str(&sk, s);
				assert_int_equal(pt_sink_finish(&sk), wn);
				assert_string_equal(got, want);
			}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prepared_json_matches_escaping),
		cmocka_unit_test(test_long_reasons_cut),
		cmocka_unit_test(test_numbers_match_printf),
		cmocka_unit_test(test_json_strings_escaped),
		cmocka_unit_test(test_date_to_ymd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
