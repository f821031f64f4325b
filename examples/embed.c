/* embed.c - evaluate a cart with libptrules, as a service embedding it would.
 *
 *   cc -o embed embed.c $(pkg-config --cflags --libs ptrules)
 *   ./embed [RULES...]
 *
 * RULES are .rules files or directories of them (default: the rules that
 * `make install` put in EMBED_RULES).  The program builds the cart of
 * examples/cart.txt field by field, evaluates it, prints what each program
 * concluded and the JSON, then reads the same cart from its text form and
 * checks that both give the same results.  Exit status 0 when they do. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ptrules.h>

#ifndef EMBED_RULES
#define EMBED_RULES "/usr/local/share/ptrules/rules"
#endif

/* The cart in the cart.txt format (docs/cart-format.md). */
static const char cart_text[] =
	"order id=250-1234567 date=2026-11-24\n"
	"item price=3980 qty=2 category=grocery name=\"Coffee beans 1kg\"\n"
	"item price=1200 category=kindle name=\"e-book\"\n"
	"payment card=jcb\n"
	"account program=dpoint balance=1200 earned_3mo=1600 earned_this_month=40\n"
	"account program=recruit balance=500\n"
	"account program=okidoki balance=300\n";

#define TRY(call) do { ptrules_status st_ = (call); if (st_ != PTRULES_OK) return st_; } while (0)

/* The same cart, field by field. */
static ptrules_status build_cart(ptrules_cart *c)
{
	ptrules_cart_clear(c);
	TRY(ptrules_cart_set_order(c, "250-1234567", "2026-11-24"));
	TRY(ptrules_cart_add_item(c, 3980, 2, "grocery", "Coffee beans 1kg"));
	TRY(ptrules_cart_add_item(c, 1200, 1, "kindle", "e-book"));
	TRY(ptrules_cart_set_payment(c, "jcb", NULL));
	TRY(ptrules_cart_add_account(c, "dpoint", 1200));
	TRY(ptrules_cart_set_int(c, "dpoint", "earned_3mo", 1600));
	TRY(ptrules_cart_set_int(c, "dpoint", "earned_this_month", 40));
	TRY(ptrules_cart_add_account(c, "recruit", 500));
	TRY(ptrules_cart_add_account(c, "okidoki", 300));
	return PTRULES_OK;
}

/* One block per program: what can be used, what is earned, and why. */
static void print_results(const ptrules_eval *e)
{
	for (size_t i = 0; i < ptrules_result_count(e); i++) {
		ptrules_result r;
		if (ptrules_result_get(e, i, &r) != PTRULES_OK)
			continue;
		printf("%s (%s%s%s)%s\n", r.id, r.name, r.tier ? ", tier " : "", r.tier ? r.tier : "",
		       r.linked ? "" : " - not linked");
		if (r.redeem_usable)
			printf("  use:  %" PRId64 " points worth %" PRId64 " yen\n", r.redeem_max_points,
			       r.redeem_value_yen);
		else
			printf("  use:  not usable\n");
		for (int k = 0; k < r.redeem_nreasons; k++)
			printf("        because: %s\n", r.redeem_reasons[k]);
		printf("  earn: %" PRId64 " points", r.earn_points);
		if (r.earn_granted)
			printf(" on %" PRId64 " yen, granted at %s", r.earn_basis_yen, r.earn_granted);
		printf("\n");
		for (int k = 0; k < r.earn_nreasons; k++)
			printf("        because: %s\n", r.earn_reasons[k]);
		if (r.runtime_error)
			printf("  error: a rule failed at %s:%d\n", r.error_file, r.error_line);
	}
}

/* Evaluate c and format the results as JSON into buf (cap bytes).
 * Returns 0, or 1 after reporting the problem on stderr. */
static int evaluate(ptrules_eval *e, const ptrules_cart *c, ptrules_diags *d, char *buf, size_t cap)
{
	ptrules_status st = ptrules_evaluate(e, c, d);
	ptrules_diags_print(d, stderr);        /* warnings, or why the cart does not fit */
	ptrules_diags_clear(d);
	if (st != PTRULES_OK && st != PTRULES_ERUNTIME) {
		fprintf(stderr, "embed: cannot evaluate the cart: %s\n", ptrules_strerror(st));
		return 1;
	}
	/* Like snprintf: the return value is the length the whole text needs. */
	size_t need = ptrules_format_json(e, c, ptrules_cart_id(c), buf, cap);
	if (need >= cap) {
		fprintf(stderr, "embed: the JSON needs %zu bytes, the buffer has %zu\n", need + 1, cap);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const default_rules[] = { EMBED_RULES };
	const char *const *paths = argc > 1 ? (const char *const *)argv + 1 : default_rules;
	size_t npaths = argc > 1 ? (size_t)argc - 1 : 1;
	static char built_json[16384], read_json[16384];
	int rc = 1;

	ptrules_diags *d = ptrules_diags_new();
	ptrules_rules *rules = NULL;
	ptrules_eval *e = NULL;
	ptrules_cart *cart = NULL;
	ptrules_reader *reader = NULL;
	if (!d)
		return 1;

	/* 1. Load and verify the rule set; diagnostics come back as records. */
	ptrules_status st = ptrules_load_paths(&rules, paths, npaths, d);
	ptrules_diags_print(d, stderr);
	ptrules_diags_clear(d);
	if (st != PTRULES_OK) {
		fprintf(stderr, "embed: cannot load the rules: %s\n", ptrules_strerror(st));
		goto out;
	}
	printf("%zu programs, at most %zu instructions per cart\n", ptrules_program_count(rules),
	       ptrules_cost_bound(rules));

	/* 2. An evaluation context (one per thread) and a cart built in code. */
	e = ptrules_eval_new(rules, 0);
	cart = ptrules_cart_new();
	if (!e || !cart)
		goto out;
	st = build_cart(cart);
	if (st != PTRULES_OK) {
		fprintf(stderr, "embed: cannot build the cart: %s\n", ptrules_strerror(st));
		goto out;
	}
	if (evaluate(e, cart, d, built_json, sizeof built_json))
		goto out;
	print_results(e);
	fputs(built_json, stdout);

	/* 3. The same cart read from text gives the same results. */
	reader = ptrules_reader_new(cart_text, sizeof cart_text - 1, "cart.txt");
	const ptrules_cart *text_cart;
	if (!reader || !ptrules_reader_next(reader, &text_cart, d) || ptrules_cart_errors(text_cart)) {
		ptrules_diags_print(d, stderr);
		fprintf(stderr, "embed: cannot read the cart text\n");
		goto out;
	}
	if (evaluate(e, text_cart, d, read_json, sizeof read_json))
		goto out;
	if (strcmp(built_json, read_json) != 0) {
		fprintf(stderr, "embed: the built cart and the cart text disagree:\n%s%s", built_json, read_json);
		goto out;
	}
	printf("the cart read from text gives the same results\n");
	rc = 0;

out:	/* 4. Release everything (every free function accepts NULL). */
	ptrules_reader_free(reader);
	ptrules_cart_free(cart);
	ptrules_eval_free(e);
	ptrules_release(rules);
	ptrules_diags_free(d);
	return rc;
}
