/* test_fast.c - the fast path (src/fast.c, pt_bind_fast in src/bind.c):
 * shipped rules get register code and a binding plan, the exclusion list
 * they share is derived once, the fast binding declines every cart that
 * needs a diagnostic, and runtime errors and unlinked programs come out
 * exactly as the reference VM gives them.  tests/fastdiff compares the
 * two paths over whole corpora; these pin the individual behaviours. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bind_fast.h"
#include "cart.h"
#include "fast.h"
#include "helpers.h"
#include "load.h"
#include "vm.h"

/* A rule set, one cart and buffers for both paths. */
typedef struct fx {
	pt_srclist l;
	pt_src one, csrc;
	pt_ruleset *rs;
	pt_rat *ref_in, *regs, *locals;
	pt_prog_result *ref, *fast;
	pt_cart_reader r;
	pt_cart c;
	pt_diags d;
} fx;

/* Compile rules (text, or the shipped directory when NULL) and read the
 * one cart in cart_text. */
static void fx_init(fx *x, const char *rules_text, const char *cart_text)
{
	memset(x, 0, sizeof *x);
	pt_diags_init(&x->d);
	if (rules_text) {
		x->one = (pt_src){ "inline.rules", rules_text, strlen(rules_text), 0 };
		x->rs = pt_compile(&x->one, 1, &x->d);
	} else {
		char path[1024];
		root_path(path, sizeof path, "rules");
		assert_true(pt_srclist_add(&x->l, path, &x->d));
		x->rs = pt_compile(x->l.v, x->l.n, &x->d);
	}
	if (!x->rs)
		pt_diags_print(&x->d, stderr);
	assert_non_null(x->rs);
	assert_non_null(x->rs->fast);
	assert_non_null(x->rs->bind_plan);
	x->ref_in = calloc(x->rs->ninputs + 1, sizeof *x->ref_in);
	x->regs = calloc(x->rs->fast->nregs + 1, sizeof *x->regs);
	x->locals = calloc(x->rs->max_locals + 1, sizeof *x->locals);
	x->ref = calloc(x->rs->nprogs, sizeof *x->ref);
	x->fast = calloc(x->rs->nprogs, sizeof *x->fast);
	assert_true(x->ref_in && x->regs && x->locals && x->ref && x->fast);
	pt_fast_init_regs(x->rs, x->regs);
	x->csrc = (pt_src){ "cart.txt", cart_text, strlen(cart_text), 0 };
	pt_cart_reader_init(&x->r, &x->csrc);
	assert_true(pt_cart_next(&x->r, &x->c, &x->d));
	assert_int_equal(x->c.n_errors, 0);
	pt_diags_free(&x->d);
	pt_diags_init(&x->d);
}

static void fx_free(fx *x)
{
	pt_cart_reader_free(&x->r);
	free(x->ref_in);
	free(x->regs);
	free(x->locals);
	free(x->ref);
	free(x->fast);
	pt_diags_free(&x->d);
	pt_ruleset_free(x->rs);
	pt_srclist_free(&x->l);
}

/* Bind and evaluate both ways; both must bind.  Returns pt_eval_all's
 * result after checking the fast path returns the same. */
static bool fx_both(fx *x, pt_fast_how how)
{
	pt_diags d;
	pt_diags_init(&d);
	assert_true(pt_bind_reference(x->rs, &x->c, x->c.date, x->ref_in, &x->csrc, &d));
	pt_diags_free(&d);
	assert_true(pt_bind_fast(x->rs, &x->c, x->c.date, x->regs));
	for (size_t i = 0; i < x->rs->ninputs; i++) {
		assert_int_equal(x->ref_in[i].n, x->regs[i].n);
		assert_int_equal(x->ref_in[i].d, x->regs[i].d);
	}
	bool ok = pt_eval_all(x->rs, x->ref_in, x->locals, x->ref, NULL);
	assert_int_equal(pt_fast_eval(x->rs, x->regs, x->locals, x->fast, how, NULL), ok);
	return ok;
}

/* Sections agree field by field. */
static void same_section(const pt_section_result *a, const pt_section_result *b)
{
	assert_int_equal(a->ran, b->ran);
	assert_int_equal(a->failed, b->failed);
	assert_int_equal(a->status, b->status);
	assert_int_equal(a->status_pc, b->status_pc);
	assert_int_equal(a->nreasons, b->nreasons);
	for (int i = 0; i < a->nreasons; i++) {   /* each reason, and where it was noted */
		assert_int_equal(a->reasons[i].str, b->reasons[i].str);
		assert_int_equal(a->reasons[i].pc, b->reasons[i].pc);
	}
}

static void same_results(const fx *x)
{
	for (size_t p = 0; p < x->rs->nprogs; p++) {
		const pt_prog_result *a = &x->ref[p], *b = &x->fast[p];
		assert_int_equal(a->linked, b->linked);
		assert_int_equal(a->usable, b->usable);
		assert_int_equal(a->use_valid, b->use_valid);
		assert_int_equal(a->runtime_error, b->runtime_error);
		assert_int_equal(a->tier, b->tier);
		for (int f = 0; f < PT_OUT__COUNT; f++) {
			assert_int_equal(a->out[f].n, b->out[f].n);
			assert_int_equal(a->out[f].d, b->out[f].d);
		}
		pt_section_result buf;   /* the machine code's reasons as readers see them (fast.h) */
		same_section(&a->redeem, pt_fast_sec_view(x->rs, p, false, &b->redeem, &buf));
		same_section(&a->earn, pt_fast_sec_view(x->rs, p, true, &b->earn, &buf));
	}
}

/* The shipped programs share one exclusion list: one derived value. */
static void test_shipped_share_eligible(void **state)
{
	(void)state;
	fx x;
	fx_init(&x, NULL, "order date=2026-03-05\nitem price=12000\nitem price=980 category=kindle\n"
			  "payment card=jcb\naccount program=dpoint balance=300 earned_3mo=2000 dvaluepass=yes\n");
	assert_int_equal(x.rs->fast->nderived, 1);
	for (int m = 0; m < 3; m++) {
		assert_true(fx_both(&x, (pt_fast_how)m));
		same_results(&x);
	}
	assert_int_equal(x.regs[x.rs->fast->reg_derived].n, 12000);   /* total minus the kindle item */
	fx_free(&x);
}

static const char *const overflow_rules =
	"program big {\n"
	"  name \"Big\"\n"
	"  input account.m: number = 1\n"
	"  earn {\n"
	"    add floor(total * account.m) as points\n"
	"  }\n"
	"}\n"
	"program small {\n"
	"  name \"Small\"\n"
	"  earn {\n"
	"    add floor(total / 100) as points\n"
	"  }\n"
	"}\n";

/* An overflow in the fast code: the program is evaluated again by the
 * reference VM, which gives the status and the pc (so the source line);
 * the other program is unaffected. */
static void test_overflow_falls_back(void **state)
{
	(void)state;
	fx x;
	fx_init(&x, overflow_rules,
		"order date=2026-03-05\nitem price=100000\naccount program=big m=400000000000000\n"
		"account program=small\n");
	for (int m = 0; m < 3; m++) {
		assert_false(fx_both(&x, (pt_fast_how)m));
		same_results(&x);
		assert_int_equal(x.fast[0].earn.status, PT_VM_OVERFLOW);
		assert_int_equal(x.rs->lines[x.fast[0].earn.status_pc].line, 5);
		assert_int_equal(x.fast[1].out[PT_OUT_E_POINTS].n, 1000);
	}
	fx_free(&x);
}

/* A program the cart does not link is concluded without running: both
 * sections failed with the "not linked" reason, as the reference says. */
static void test_unlinked(void **state)
{
	(void)state;
	fx x;
	fx_init(&x, overflow_rules, "order date=2026-03-05\nitem price=1000\naccount program=small\n");
	assert_true(fx_both(&x, PT_FAST_NATIVE));
	same_results(&x);
	assert_false(x.fast[0].linked);
	assert_true(x.fast[0].earn.failed);
	pt_section_result buf;   /* as readers see it: the machine code may mark the note as a bit (fast.h) */
	const pt_section_result *earn = pt_fast_sec_view(x.rs, 0, true, &x.fast[0].earn, &buf);
	assert_int_equal(earn->nreasons, 1);
	assert_non_null(strstr(x.rs->strs[earn->reasons[0].str], "not linked"));
	fx_free(&x);
}

/* Carts that need a diagnostic are declined by the fast binding, and
 * pt_bind then reports it the reference way. */
static void test_bind_fast_declines(void **state)
{
	(void)state;
	static const char *const carts[] = {
		"order date=2026-03-05\nitem price=100\naccount program=waon balance=1\n",             /* unknown program */
		"order date=2026-03-05\nitem price=100\naccount program=dpoint balance=1 earnd_3mo=5\n", /* unread key */
		"order date=2026-03-05\nitem price=100\naccount program=dpoint balance=1 prime=7\n",     /* wrong type */
	};
	static const size_t warnings[] = { 1, 1, 0 }, errors[] = { 0, 0, 1 };
	for (size_t i = 0; i < sizeof carts / sizeof carts[0]; i++) {
		fx x;
		fx_init(&x, NULL, carts[i]);
		assert_false(pt_bind_fast(x.rs, &x.c, x.c.date, x.regs));
		bool bound = pt_bind(x.rs, &x.c, x.c.date, x.regs, &x.csrc, &x.d);
		assert_int_equal(bound, errors[i] == 0);
		assert_int_equal(x.d.n_warnings, warnings[i]);
		assert_int_equal(x.d.n_errors, errors[i]);
		fx_free(&x);
	}
}

/* What a test of prepared carts needs beside the cart x: room for a
 * preparation of it (size bytes at mem), scratch values, the inputs the
 * ordinary binding gives (want) and room for the inputs left in place. */
typedef struct prep_case {
	size_t size;
	pt_rat *scratch, *want;
	uint64_t *mem;
	int64_t *room;
} prep_case;

static void prep_case_init(prep_case *pc, fx *x)
{
	const pt_ruleset *rs = x->rs;
	pc->size = pt_bind_prep_size(rs, &x->c);
	pc->scratch = calloc(rs->ninputs + 1, sizeof *pc->scratch);
	pc->want = calloc(rs->ninputs + 1, sizeof *pc->want);
	pc->mem = calloc(pc->size / 8 + 1, 8);
	pc->room = calloc(PT_PREP_DENSE_MAX, sizeof *pc->room);
	assert_true(pc->scratch && pc->want && pc->mem && pc->room);
	assert_true(pt_bind_fast(rs, &x->c, x->c.date, pc->want));
}

static void prep_case_free(prep_case *pc)
{
	free(pc->scratch);
	free(pc->want);
	free(pc->mem);
	free(pc->room);
}

/* Both forms of a prepared cart (bind.c: dense, and compact with nkept
 * 0) bind through pt_bind_prepared to the same inputs as pt_bind_fast,
 * whatever the inputs held before: the inputs pt_bind_in_place names
 * (all but the category sums and the total, for the shipped rules) are
 * left unwritten, where *in says (the preparation itself, or the room
 * given), each at its own place there (pt_bind_in_pos: the places
 * 0, 1, ... in input order, the sums and the total taking none), until
 * pt_bind_materialize writes them; a preparation whose shape does not
 * fit the rule set is refused with nothing written. */
static void test_prepared_forms(void **state)
{
	(void)state;
	fx x;
	fx_init(&x, NULL,
		"order date=2026-03-08\nitem price=3980 qty=2 category=grocery\nitem price=1200 category=kindle\n"
		"payment card=jcb\naccount program=dpoint balance=1200 earned_3mo=1600 earned_this_month=40\n"
		"account program=recruit balance=500\n");
	const pt_ruleset *rs = x.rs;
	prep_case pc;
	prep_case_init(&pc, &x);
	size_t size = pc.size;
	pt_rat *scratch = pc.scratch, *want = pc.want;
	uint64_t *mem = pc.mem;
	int64_t *room = pc.room;
	size_t sums = 0;
	for (size_t i = 0; i < rs->ninputs; i++)
		sums += rs->inputs[i].kind == PT_IN_CATSUM;
	for (int dense = 0; dense < 2; dense++) {
		pt_prep *p = (pt_prep *)mem;
		assert_true(pt_bind_prepare(rs, &x.c, x.c.date, p, scratch, dense, false, NULL));
		/* the shipped rules: no fraction, few inputs; the sums and the total take no room */
		assert_int_equal(p->nkept, dense ? rs->ninputs - rs->ncatsums - 1 : 0);
		assert_true(pt_bind_prep_used(p) <= size);
		/* the grocery item is in no category sum: it adds to the total
		 * slot, which binding writes over after the items (the sink),
		 * not to nothing by masks; the kindle item to its sum */
		const pt_prep_item *it = (const pt_prep_item *)(p + 1);
		assert_int_equal(p->nitems, 2);
		assert_true(rs->total_slot >= 0);
		assert_int_equal(it[0].at, (uint32_t)rs->total_slot * sizeof(pt_rat));
		assert_int_equal(it[1].at % sizeof(pt_rat), 0);
		assert_int_equal(rs->inputs[it[1].at / sizeof(pt_rat)].kind, PT_IN_CATSUM);
		for (size_t i = 0; i < rs->ninputs; i++)   /* what another cart left: other whole numbers */
			x.regs[i] = pt_rat_int((int64_t)i * 7 + 3);
		for (size_t i = 0; i < PT_PREP_DENSE_MAX; i++)
			room[i] = -1;
		const int64_t *in = NULL;
		assert_true(pt_bind_prepared(rs, p, x.regs, room, &in));
		assert_true(dense ? in != room && in != NULL : in == room);
		size_t kept = 0;
		for (size_t i = 0; i < rs->ninputs; i++) {
			bool there = pt_bind_in_place(rs, (uint32_t)i);
			kept += there;
			assert_int_equal(x.regs[i].n, there ? (int64_t)i * 7 + 3 : want[i].n);
			assert_int_equal(x.regs[i].d, want[i].d);
			if (there) {
				assert_int_equal(pt_bind_in_pos(rs, (uint32_t)i), kept - 1);
				assert_int_equal(in[kept - 1], want[i].n);
			}
		}
		assert_int_equal(kept, rs->ninputs - sums - 1);   /* all but the sums and the total */
		pt_bind_materialize(rs, in, x.regs);
		for (size_t i = 0; i < rs->ninputs; i++)
			assert_int_equal(x.regs[i].n, want[i].n);
		p->ninputs++;   /* made for another shape */
		x.regs[0] = pt_rat_int(-5);
		room[0] = -5;
		assert_false(pt_bind_prepared(rs, p, x.regs, room, &in));
		assert_int_equal(x.regs[0].n, -5);
		assert_int_equal(room[0], -5);
		p->ninputs--;
	}
	prep_case_free(&pc);
	fx_free(&x);
}

/* A batch's preparations lay their items out four at a time (bind.c,
 * prep_nlaid: the rest items of no amount, a cart of none four of them),
 * so that binding most carts loops back never; a cart's own do not:
 * every count around a multiple of four, in both forms, padded and not,
 * over memory holding something else, binds to pt_bind_fast's inputs,
 * over inputs another cart left. */
static void test_prepared_item_counts(void **state)
{
	(void)state;
	static const size_t counts[] = { 0, 1, 3, 4, 5, 8, 9 };
	for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
		char text[1024] = "order date=2026-03-08\n";
		for (size_t i = 0; i < counts[c]; i++)   /* every third item in an excluded category */
			snprintf(text + strlen(text), sizeof text - strlen(text), "item price=%zu qty=%zu category=%s\n",
				 100 * i + 7, i % 2 + 1, i % 3 == 1 ? "kindle" : "grocery");
		strcat(text, "account program=dpoint balance=1200 earned_3mo=1600\naccount program=recruit balance=500\n");
		fx x;
		fx_init(&x, NULL, text);
		const pt_ruleset *rs = x.rs;
		prep_case pc;
		prep_case_init(&pc, &x);
		for (int form = 0; form < 4; form++) {   /* dense or compact, padded or not */
			bool dense = form & 1, pad = form & 2;
			pt_prep *p = (pt_prep *)pc.mem;
			memset(pc.mem, 0xA5, pc.size);   /* what was there before: the items of no amount must be written */
			assert_true(pt_bind_prepare(rs, &x.c, x.c.date, p, pc.scratch, dense, pad, NULL));
			assert_int_equal(pt_bind_prep_items(p), counts[c]);
			size_t laid = !pad ? counts[c] : counts[c] ? (counts[c] + 3) / 4 * 4 : 4;
			assert_true(pt_bind_prep_used(p) <= pc.size);
			assert_true(pt_bind_prep_used(p) >= sizeof *p + laid * sizeof(pt_prep_item));
			for (size_t i = 0; i < rs->ninputs; i++)
				x.regs[i] = pt_rat_int((int64_t)i * 7 + 3);
			const int64_t *in = NULL;
			assert_true(pt_bind_prepared(rs, p, x.regs, pc.room, &in));
			pt_bind_materialize(rs, in, x.regs);
			for (size_t i = 0; i < rs->ninputs; i++) {
				assert_int_equal(x.regs[i].n, pc.want[i].n);
				assert_int_equal(x.regs[i].d, pc.want[i].d);
			}
		}
		prep_case_free(&pc);
		fx_free(&x);
	}
}

/* pt_bind_zero_sums: every count up to the eight stores and past them
 * (the loop) sets the first n numerators to 0 and nothing else: not the
 * denominators, not the sums after. */
static void test_zero_sums(void **state)
{
	(void)state;
	for (size_t n = 0; n <= 11; n++) {
		pt_rat z[12];
		for (size_t i = 0; i < 12; i++)
			z[i] = (pt_rat){ 7, 3 };
		pt_bind_zero_sums(z, n);
		for (size_t i = 0; i < 12; i++) {
			assert_int_equal(z[i].n, i < n ? 0 : 7);
			assert_int_equal(z[i].d, 3);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_share_eligible),
		cmocka_unit_test(test_overflow_falls_back),
		cmocka_unit_test(test_unlinked),
		cmocka_unit_test(test_bind_fast_declines),
		cmocka_unit_test(test_prepared_forms),
		cmocka_unit_test(test_prepared_item_counts),
		cmocka_unit_test(test_zero_sums),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
