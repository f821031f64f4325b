/* test_vm.c - evaluation (src/bind.c, src/vm.c) of carts against the
 * shipped rules: every worked example of DOMAIN.md, dated rule versions,
 * excluded categories, redemption limits, reasons, and runtime errors
 * (overflow, division by zero) that are reported instead of wrapping. */
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
#include "load.h"
#include "vm.h"

/* A compiled rule set with its evaluation buffers. */
typedef struct env {
	pt_srclist l;
	pt_src one;
	pt_ruleset *rs;
	pt_rat *inputs, *locals;
	pt_prog_result *res;
	pt_diags d;          /* diagnostics of the last bind */
	bool eval_ok;        /* pt_eval_all's result for the last cart */
} env;

/* Allocate the per-cart buffers for e->rs. */
static void env_buffers(env *e)
{
	e->inputs = calloc(e->rs->ninputs + 1, sizeof *e->inputs);
	e->locals = calloc(e->rs->max_locals + 1, sizeof *e->locals);
	e->res = calloc(e->rs->nprogs + e->rs->npolicies, sizeof *e->res);
	assert_non_null(e->inputs);
	assert_non_null(e->locals);
	assert_non_null(e->res);
	pt_diags_init(&e->d);
}

/* Compile the shipped rules/ directory. */
static void env_shipped(env *e)
{
	memset(e, 0, sizeof *e);
	char path[1024];
	root_path(path, sizeof path, "rules");
	pt_diags d;
	pt_diags_init(&d);
	assert_true(pt_srclist_add(&e->l, path, &d));
	e->rs = pt_compile(e->l.v, e->l.n, &d);
	if (!e->rs)
		pt_diags_print(&d, stderr);
	assert_non_null(e->rs);
	pt_diags_free(&d);
	env_buffers(e);
}

/* Compile an inline rules text. */
static void env_text(env *e, const char *text)
{
	memset(e, 0, sizeof *e);
	e->one = (pt_src){ "inline.rules", text, strlen(text), 0 };
	pt_diags d;
	pt_diags_init(&d);
	e->rs = pt_compile(&e->one, 1, &d);
	if (!e->rs)
		pt_diags_print(&d, stderr);
	assert_non_null(e->rs);
	pt_diags_free(&d);
	env_buffers(e);
}

static void env_free(env *e)
{
	free(e->inputs);
	free(e->locals);
	free(e->res);
	pt_diags_free(&e->d);
	pt_ruleset_free(e->rs);
	pt_srclist_free(&e->l);
}

/* Read the one cart in text, bind it on its order date and evaluate
 * every program.  Returns pt_bind's result; results are in e->res. */
static bool eval_cart(env *e, const char *text)
{
	pt_src src = { "cart.txt", text, strlen(text), 0 };
	pt_cart_reader r;
	pt_cart c;
	pt_diags_free(&e->d);
	pt_diags_init(&e->d);
	pt_cart_reader_init(&r, &src);
	assert_true(pt_cart_next(&r, &c, &e->d));
	assert_int_equal(c.n_errors, 0);
	assert_true(c.has_date);
	bool bound = pt_bind(e->rs, &c, c.date, e->inputs, &src, &e->d);
	if (bound)
		e->eval_ok = pt_eval_all(e->rs, e->inputs, e->locals, e->res, NULL);
	pt_cart_reader_free(&r);
	return bound;
}

/* Evaluate a cart that must bind without errors and run cleanly. */
static void eval_ok(env *e, const char *text)
{
	if (!eval_cart(e, text)) {
		pt_diags_print(&e->d, stderr);
		fail_msg("cart did not bind");
	}
	assert_int_equal(e->d.n_errors, 0);
	assert_true(e->eval_ok);
}

/* The result of program id. */
static const pt_prog_result *result(const env *e, const char *id)
{
	for (size_t i = 0; i < e->rs->nprogs; i++)
		if (strcmp(e->rs->progs[i].id, id) == 0)
			return &e->res[i];
	fail_msg("no program %s", id);
	return NULL;
}

/* Output field f is the whole number v. */
static void expect_out(const pt_prog_result *r, int f, int64_t v)
{
	if (r->out[f].n != v || r->out[f].d != 1)
		fail_msg("%s is %lld/%lld, wanted %lld", pt_out_names[f], (long long)r->out[f].n,
			 (long long)r->out[f].d, (long long)v);
}

/* The section's reasons are exactly the given strings, in order. */
static void expect_reasons(const env *e, const pt_section_result *s, int n, ...)
{
	va_list ap;
	va_start(ap, n);
	if (s->nreasons != n) {
		for (int i = 0; i < s->nreasons; i++)
			print_error("  reason %d: %s\n", i, e->rs->strs[s->reasons[i].str]);
		va_end(ap);
		fail_msg("%d reasons, wanted %d", s->nreasons, n);
	}
	for (int i = 0; i < n; i++)
		assert_string_equal(e->rs->strs[s->reasons[i].str], va_arg(ap, const char *));
	va_end(ap);
}

/* The tier label the program recorded. */
static const char *tier(const env *e, const pt_prog_result *r)
{
	return r->tier < 0 ? "(none)" : e->rs->strs[r->tier];
}

/* DOMAIN.md: 7,777 yen at rank 1 earns floor(77.77) = 77 points. */
static void test_7777_rank1(void **state)
{
	(void)state;
	env e;
	env_shipped(&e);
	eval_ok(&e, "order id=ex1 date=2024-06-01\n"
		    "item price=7777 category=grocery\n"
		    "account program=dpoint balance=0\n");
	const pt_prog_result *r = result(&e, "dpoint");
	assert_true(r->linked);
	assert_false(r->earn.failed);
	assert_int_equal(r->earn.status, PT_VM_OK);
	expect_out(r, PT_OUT_E_POINTS, 77);
	expect_out(r, PT_OUT_E_BASIS, 7777);
	assert_string_equal(tier(&e, r), "★1");
	expect_reasons(&e, &r->earn, 0);
	/* nothing to spend */
	assert_false(r->redeem.failed);
	expect_out(r, PT_OUT_R_MAX_POINTS, 0);
	expect_reasons(&e, &r->redeem, 1, "no points to use (balance is 0)");
	/* the other programs are not linked */
	assert_false(result(&e, "okidoki")->linked);
	assert_true(result(&e, "okidoki")->redeem.failed);
	expect_reasons(&e, &result(&e, "okidoki")->redeem, 1,
		       "not linked: the cart has no `account program=okidoki` line");
	env_free(&e);
}

/* DOMAIN.md: 7,777 yen at rank 5 before 2024-10-03 earns
 * floor(77 x 2.5) = 192; from 2024-10-03 the multiplier is 2: 154. */
static void test_7777_rank5_dated(void **state)
{
	(void)state;
	env e;
	env_shipped(&e);
	eval_ok(&e, "order id=ex2 date=2024-10-02\n"
		    "item price=7777 category=grocery\n"
		    "account program=dpoint balance=0 earned_3mo=5000\n");
	const pt_prog_result *r = result(&e, "dpoint");
	expect_out(r, PT_OUT_E_POINTS, 192);
	assert_string_equal(tier(&e, r), "★5");
	eval_ok(&e, "order id=ex2b date=2024-10-03\n"
		    "item price=7777 category=grocery\n"
		    "account program=dpoint balance=0 earned_3mo=5000\n");
	r = result(&e, "dpoint");
	expect_out(r, PT_OUT_E_POINTS, 154);
	assert_string_equal(tier(&e, r), "★5");
	env_free(&e);
}

/* The ★2 threshold moved from 100 to 50 points on 2024-10-03: 60 points
 * earned is ★1 (77) before and ★2 (floor(77 x 1.5) = 115) after. */
static void test_rank2_threshold_change(void **state)
{
	(void)state;
	env e;
	env_shipped(&e);
	eval_ok(&e, "order date=2024-10-02\nitem price=7777\naccount program=dpoint earned_3mo=60\n");
	expect_out(result(&e, "dpoint"), PT_OUT_E_POINTS, 77);
	assert_string_equal(tier(&e, result(&e, "dpoint")), "★1");
	eval_ok(&e, "order date=2024-10-03\nitem price=7777\naccount program=dpoint earned_3mo=60\n");
	expect_out(result(&e, "dpoint"), PT_OUT_E_POINTS, 115);
	assert_string_equal(tier(&e, result(&e, "dpoint")), "★2");
	/* thresholds are inclusive: exactly 1,500 is ★4 */
	eval_ok(&e, "order date=2024-06-01\nitem price=7777\naccount program=dpoint earned_3mo=1500\n");
	assert_string_equal(tier(&e, result(&e, "dpoint")), "★4");
	expect_out(result(&e, "dpoint"), PT_OUT_E_POINTS, 154);
	eval_ok(&e, "order date=2024-06-01\nitem price=7777\naccount program=dpoint earned_3mo=1499\n");
	assert_string_equal(tier(&e, result(&e, "dpoint")), "★3");
	env_free(&e);
}

/* DOMAIN.md: 20,000 yen at rank 4 with 150 earned this month: base capped
 * at 100, x2 = 200, monthly room 200 - 150 = 50 -> 50, with both caps as
 * reasons. */
static void test_20000_rank4_monthly_cap(void **state)
{
	(void)state;
	env e;
	env_shipped(&e);
	eval_ok(&e, "order id=ex4 date=2024-06-01\n"
		    "item price=20000 category=grocery\n"
		    "account program=dpoint balance=0 earned_3mo=1600 earned_this_month=150\n");
	const pt_prog_result *r = result(&e, "dpoint");
	assert_false(r->earn.failed);
	expect_out(r, PT_OUT_E_POINTS, 50);
	expect_out(r, PT_OUT_E_BASIS, 20000);
	assert_string_equal(tier(&e, r), "★4");
	expect_reasons(&e, &r->earn, 2, "per-order cap: 1% counts up to 10,000 yen",
		       "monthly cap for this rank reached");
	/* the monthly room never goes below zero */
	eval_ok(&e, "order date=2024-06-01\nitem price=20000\n"
		    "account program=dpoint earned_3mo=1600 earned_this_month=500\n");
	expect_out(result(&e, "dpoint"), PT_OUT_E_POINTS, 0);
	env_free(&e);
}

/* DOMAIN.md: 4,999 yen earns nothing, with the threshold as the reason;
 * 5,000 yen earns 50. */
static void test_threshold(void **state)
{
	(void)state;
	env e;
	env_shipped(&e);
	eval_ok(&e, "order date=2024-06-01\nitem price=4999 category=grocery\naccount program=dpoint\n");
	const pt_prog_result *r = result(&e, "dpoint");
	assert_true(r->earn.failed);
	expect_out(r, PT_OUT_E_POINTS, 0);
	expect_out(r, PT_OUT_E_BASIS, 4999);
	expect_reasons(&e, &r->earn, 1, "below the 5,000 yen threshold");
	eval_ok(&e, "order date=2024-06-01\nitem price=5000 category=grocery\naccount program=dpoint\n");
	r = result(&e, "dpoint");
	assert_false(r->earn.failed);
	expect_out(r, PT_OUT_E_POINTS, 50);
	env_free(&e);
}

/* DOMAIN.md: OkiDoki balance 300, JCB, 2,000 yen eligible: 300 points
 * worth exactly 1,050 yen (3.5 yen a point). */
static void test_okidoki_jcb(void **state)
{
	(void)state;
	env e;
	env_shipped(&e);
	eval_ok(&e, "order id=ex5 date=2025-06-01\n"
		    "item price=2000 category=grocery\n"
		    "payment card=jcb\n"
		    "account program=okidoki balance=300\n");
	const pt_prog_result *r = result(&e, "okidoki");
	assert_true(r->linked);
	assert_false(r->redeem.failed);
	assert_int_equal(r->redeem.status, PT_VM_OK);
	expect_out(r, PT_OUT_R_MAX_POINTS, 300);
	expect_out(r, PT_OUT_R_VALUE_YEN, 1050);
	expect_reasons(&e, &r->redeem, 0);
	/* okidoki does not earn */
	assert_true(r->earn.failed);
	expect_reasons(&e, &r->earn, 1, "this program does not earn points here");
	/* a larger balance is limited by the eligible yen: floor(2000 / 3.5)
	 * = 571 points, worth floor(571 x 3.5) = 1,998 yen */
	eval_ok(&e, "order date=2025-06-01\nitem price=2000\npayment card=jcb\naccount program=okidoki balance=1000\n");
	r = result(&e, "okidoki");
	expect_out(r, PT_OUT_R_MAX_POINTS, 571);
	expect_out(r, PT_OUT_R_VALUE_YEN, 1998);
	expect_reasons(&e, &r->redeem, 1, "limited to what the eligible items are worth");
	env_free(&e);
}

/* DOMAIN.md: OkiDoki paid with visa is not usable, and the reason names
 * the card rule; so is a cart with no payment line. */
static void test_okidoki_visa(void **state)
{
	(void)state;
	env e;
	env_shipped(&e);
	eval_ok(&e, "order id=ex6 date=2025-06-01\n"
		    "item price=2000 category=grocery\n"
		    "payment card=visa\n"
		    "account program=okidoki balance=300\n");
	const pt_prog_result *r = result(&e, "okidoki");
	assert_true(r->redeem.failed);
	expect_out(r, PT_OUT_R_MAX_POINTS, 0);
	expect_out(r, PT_OUT_R_VALUE_YEN, 0);
	expect_reasons(&e, &r->redeem, 1, "usable only when the order is paid with the linked JCB card");
	eval_ok(&e, "order date=2025-06-01\nitem price=2000\naccount program=okidoki balance=300\n");
	r = result(&e, "okidoki");
	assert_true(r->redeem.failed);
	expect_reasons(&e, &r->redeem, 1, "usable only when the order is paid with the linked JCB card");
	env_free(&e);
}

/* OkiDoki is valid until 2026-01-12; an order the day after gets
 * "program ended", not a guess. */
static void test_okidoki_ended(void **state)
{
	(void)state;
	env e;
	env_shipped(&e);
	eval_ok(&e, "order date=2026-01-12\nitem price=2000\npayment card=jcb\naccount program=okidoki balance=300\n");
	assert_false(result(&e, "okidoki")->redeem.failed);
	expect_out(result(&e, "okidoki"), PT_OUT_R_VALUE_YEN, 1050);
	eval_ok(&e, "order date=2026-01-13\nitem price=2000\npayment card=jcb\naccount program=okidoki balance=300\n");
	const pt_prog_result *r = result(&e, "okidoki");
	assert_true(r->redeem.failed);
	expect_out(r, PT_OUT_R_VALUE_YEN, 0);
	expect_reasons(&e, &r->redeem, 1, "program ended on 2026-01-12");
	env_free(&e);
}

/* Bonus day (from 2026-03-01, the 5th): docomo's example, 10,000 yen
 * earns 100 / 300 (dバリューパス) / 500 (and Prime) points. */
static void test_bonus_day(void **state)
{
	(void)state;
	env e;
	env_shipped(&e);
	static const struct { const char *date, *keys; int64_t pts; } cases[] = {
		{ "2026-03-05", "dvaluepass=no prime=no", 100 },
		{ "2026-03-05", "dvaluepass=yes prime=no", 300 },
		{ "2026-03-05", "dvaluepass=yes prime=yes", 500 },
		{ "2026-03-06", "dvaluepass=yes prime=yes", 100 },
		{ "2026-02-05", "dvaluepass=yes prime=yes", 100 },
		{ "2026-03-05", "dvaluepass=yes prime=yes bonus_earned_this_month=500", 200 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char cart[512];
		snprintf(cart, sizeof cart, "order date=%s\nitem price=10000\naccount program=dpoint %s\n",
			 cases[i].date, cases[i].keys);
		eval_ok(&e, cart);
		const pt_prog_result *r = result(&e, "dpoint");
		if (r->out[PT_OUT_E_POINTS].n != cases[i].pts)
			fail_msg("case %zu (%s %s): %lld points, wanted %lld", i, cases[i].date, cases[i].keys,
				 (long long)r->out[PT_OUT_E_POINTS].n, (long long)cases[i].pts);
	}
	env_free(&e);
}

/* Excluded categories count neither for earning nor for what points may
 * pay for. */
static void test_excluded_categories(void **state)
{
	(void)state;
	env e;
	env_shipped(&e);
	eval_ok(&e, "order date=2024-06-01\n"
		    "item price=4000 qty=2 category=grocery\n"
		    "item price=1200 category=kindle\n"
		    "item price=600 category=prime_fee\n"
		    "account program=dpoint balance=20000\n"
		    "account program=recruit balance=100\n");
	const pt_prog_result *r = result(&e, "dpoint");
	expect_out(r, PT_OUT_E_BASIS, 8000);
	expect_out(r, PT_OUT_E_POINTS, 80);
	expect_out(r, PT_OUT_R_MAX_POINTS, 8000);
	expect_out(r, PT_OUT_R_VALUE_YEN, 8000);
	expect_reasons(&e, &r->redeem, 1, "limited to what the eligible items are worth");
	r = result(&e, "recruit");
	expect_out(r, PT_OUT_R_MAX_POINTS, 100);
	expect_out(r, PT_OUT_R_VALUE_YEN, 100);
	/* only excluded items: nothing to earn or pay */
	eval_ok(&e, "order date=2024-06-01\nitem price=9000 category=digital\naccount program=dpoint balance=50\n");
	r = result(&e, "dpoint");
	expect_out(r, PT_OUT_E_BASIS, 0);
	assert_true(r->earn.failed);
	expect_out(r, PT_OUT_R_MAX_POINTS, 0);
	env_free(&e);
}

/* A program without an account line is reported as not linked in both
 * sections. */
static void test_not_linked(void **state)
{
	(void)state;
	env e;
	env_shipped(&e);
	eval_ok(&e, "order date=2024-06-01\nitem price=9000\n");
	const pt_prog_result *r = result(&e, "dpoint");
	assert_false(r->linked);
	assert_true(r->earn.failed);
	assert_true(r->redeem.failed);
	expect_out(r, PT_OUT_E_POINTS, 0);
	expect_reasons(&e, &r->earn, 1, "not linked: the cart has no `account program=dpoint` line");
	env_free(&e);
}

/* Carts evaluated one after another do not leak state: a capped cart
 * followed by a simple one gives the simple one's fresh result. */
static void test_no_state_between_carts(void **state)
{
	(void)state;
	env e;
	env_shipped(&e);
	const char *simple = "order date=2024-06-01\nitem price=7777\naccount program=dpoint\n";
	eval_ok(&e, simple);
	pt_prog_result first;
	memcpy(&first, result(&e, "dpoint"), sizeof first);
	eval_ok(&e, "order date=2024-06-01\nitem price=20000\n"
		    "account program=dpoint earned_3mo=1600 earned_this_month=150\n");
	eval_ok(&e, simple);
	const pt_prog_result *again = result(&e, "dpoint");
	assert_memory_equal(&first, again, sizeof first);
	env_free(&e);
}

/* Binding validates a cart against the declared inputs: a word where
 * points are declared is a located cart error; unread keys warn. */
static void test_bind_errors(void **state)
{
	(void)state;
	env e;
	env_shipped(&e);
	assert_false(eval_cart(&e, "order date=2024-06-01\nitem price=7777\n"
				   "account program=dpoint earned_3mo=lots\n"));
	assert_int_equal(e.d.n_errors, 1);
	assert_int_equal(e.d.v[0].line, 3);
	assert_int_equal(e.d.v[0].col, 35);
	assert_non_null(strstr(e.d.v[0].msg, "account key 'earned_3mo' of program dpoint must be a whole number of points (declared in "));
	assert_true(eval_cart(&e, "order date=2024-06-01\nitem price=7777\n"
				  "account program=dpoint colour=red\n"));
	assert_int_equal(e.d.n_errors, 0);
	assert_int_equal(e.d.n_warnings, 1);
	assert_string_equal(e.d.v[0].msg, "program dpoint does not read account key 'colour'; it is ignored");
	env_free(&e);
}

/* A TRACE buffer records what each rule saw, and counts what did not
 * fit instead of overflowing. */
static void test_trace(void **state)
{
	(void)state;
	env e;
	env_shipped(&e);
	eval_ok(&e, "order date=2024-06-01\nitem price=7777\naccount program=dpoint\n");
	pt_trace_event ev[64];
	pt_trace t = { ev, 0, 64, 0, NULL };
	assert_true(pt_eval_all(e.rs, e.inputs, e.locals, e.res, &t));
	assert_true(t.n > 2);
	assert_int_equal(t.dropped, 0);
	bool saw77 = false;
	for (size_t i = 0; i < t.n; i++) {
		assert_true(ev[i].rule < e.rs->nrules);
		assert_int_equal(PT_INS_OP(e.rs->code[ev[i].pc]), PT_OP_TRACE);
		saw77 = saw77 || (ev[i].value.n == 77 && ev[i].value.d == 1);
	}
	assert_true(saw77);
	size_t total = t.n;
	pt_trace small = { ev, 0, 2, 0, NULL };
	assert_true(pt_eval_all(e.rs, e.inputs, e.locals, e.res, &small));
	assert_int_equal(small.n, 2);
	assert_int_equal(small.dropped, total - 2);
	env_free(&e);
}

/* Multiplying huge amounts overflows 64 bits: the section stops with
 * PT_VM_OVERFLOW at the MUL, earns nothing, and pt_eval_all says so. */
static void test_overflow_mul(void **state)
{
	(void)state;
	env e;
	env_text(&e, "program big {\n"
		     "  name \"Big\"\n"
		     "  earn {\n"
		     "    let x = basis * 999999999999999999\n"
		     "    add floor(x * 1%) as points\n"
		     "  }\n"
		     "}\n");
	assert_true(eval_cart(&e, "order date=2024-06-01\nitem price=20000\naccount program=big\n"));
	assert_false(e.eval_ok);
	const pt_prog_result *r = result(&e, "big");
	assert_int_equal(r->earn.status, PT_VM_OVERFLOW);
	assert_true(r->earn.status_pc >= e.rs->progs[0].earn_pc && r->earn.status_pc < e.rs->progs[0].earn_end);
	assert_int_equal(PT_INS_OP(e.rs->code[r->earn.status_pc]), PT_OP_MUL);
	assert_int_equal(e.rs->lines[r->earn.status_pc].line, 4);
	expect_out(r, PT_OUT_E_POINTS, 0);
	/* a small cart fits: 9 yen x 999999999999999999 x 1% */
	assert_true(eval_cart(&e, "order date=2024-06-01\nitem price=9\naccount program=big\n"));
	assert_true(e.eval_ok);
	r = result(&e, "big");
	assert_int_equal(r->earn.status, PT_VM_OK);
	expect_out(r, PT_OUT_E_POINTS, 89999999999999999);
	env_free(&e);
}

/* Adding up points past INT64_MAX is an overflow in ADD, not a wrap to
 * a negative number. */
static void test_overflow_add(void **state)
{
	(void)state;
	env e;
	env_text(&e, "program big {\n"
		     "  name \"Big\"\n"
		     "  earn {\n"
		     "    add 9000000000000000000 points\n"
		     "    add basis as points\n"
		     "  }\n"
		     "}\n");
	/* 9e18 + 3e17 > INT64_MAX (the cart total itself fits) */
	assert_true(eval_cart(&e, "order date=2024-06-01\nitem price=999999999999999 qty=300\naccount program=big\n"));
	assert_false(e.eval_ok);
	const pt_prog_result *r = result(&e, "big");
	assert_int_equal(r->earn.status, PT_VM_OVERFLOW);
	assert_int_equal(PT_INS_OP(e.rs->code[r->earn.status_pc]), PT_OP_ADD);
	expect_out(r, PT_OUT_E_POINTS, 0);
	env_free(&e);
}

/* Division by a zero amount stops the section with PT_VM_DIVZERO. */
static void test_divzero(void **state)
{
	(void)state;
	env e;
	env_text(&e, "program dz {\n"
		     "  name \"DZ\"\n"
		     "  earn {\n"
		     "    add floor(100 yen / (basis - 1000 yen) * 1 points)\n"
		     "  }\n"
		     "}\n");
	assert_true(eval_cart(&e, "order date=2024-06-01\nitem price=1000\naccount program=dz\n"));
	assert_false(e.eval_ok);
	const pt_prog_result *r = result(&e, "dz");
	assert_int_equal(r->earn.status, PT_VM_DIVZERO);
	assert_int_equal(PT_INS_OP(e.rs->code[r->earn.status_pc]), PT_OP_DIV);
	expect_out(r, PT_OUT_E_POINTS, 0);
	assert_true(eval_cart(&e, "order date=2024-06-01\nitem price=1050\naccount program=dz\n"));
	assert_true(e.eval_ok);
	expect_out(result(&e, "dz"), PT_OUT_E_POINTS, 2);
	env_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_7777_rank1),
		cmocka_unit_test(test_7777_rank5_dated),
		cmocka_unit_test(test_rank2_threshold_change),
		cmocka_unit_test(test_20000_rank4_monthly_cap),
		cmocka_unit_test(test_threshold),
		cmocka_unit_test(test_okidoki_jcb),
		cmocka_unit_test(test_okidoki_visa),
		cmocka_unit_test(test_okidoki_ended),
		cmocka_unit_test(test_bonus_day),
		cmocka_unit_test(test_excluded_categories),
		cmocka_unit_test(test_not_linked),
		cmocka_unit_test(test_no_state_between_carts),
		cmocka_unit_test(test_bind_errors),
		cmocka_unit_test(test_trace),
		cmocka_unit_test(test_overflow_mul),
		cmocka_unit_test(test_overflow_add),
		cmocka_unit_test(test_divzero),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
