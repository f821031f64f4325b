/* use.h - checking what a cart's `use` records intend to spend.
 *
 * After the VM has run (vm.c: redeem sections, then policies, then earn
 * sections), the intended use of each program is compared with what its
 * rules allow: the balance, the points usable on this cart, and whether
 * the program may be used at all.  Policies (`policy ID { check { ... } }`)
 * add the order-level rules, such as one partner program per order.  The
 * report owns fixed-size storage, so checking allocates nothing. */
#ifndef PT_USE_H
#define PT_USE_H

#include <stdbool.h>
#include <stdint.h>

#include "cart.h"
#include "rules.h"
#include "vm.h"

#define PT_USE_MAX_PROBLEMS 8
#define PT_USE_TEXT 200

/* One thing wrong with the intended use. */
typedef struct pt_use_problem {
	int prog;                 /* program index, or -1 for the order */
	int cart_line;            /* the `use` line it concerns, or 0 */
	int rule_file, rule_line; /* the rule that says so, or -1 / 0 */
	char text[PT_USE_TEXT];
} pt_use_problem;

/* What one program's use record asks for. */
typedef struct pt_use_prog {
	int64_t points;           /* the record's points, 0 without one */
	int64_t value_yen;        /* floor(points x the point's value) */
	bool valid;
	int cart_line;
} pt_use_prog;

/* The whole order's intended use.  Only `any` is set for a cart without
 * `use` records (the common case, per cart in a checkout path): the rest
 * describes the cart only when any is true, and readers answer the
 * nothing-intended case themselves (ptrules_order_get). */
typedef struct pt_use_report {
	bool any;                 /* the cart has `use` records */
	bool valid;               /* no problem found */
	int64_t total_yen;
	int64_t giftcard_yen;     /* use program=giftcard yen=N */
	int64_t points_yen;       /* what the points pay, all programs */
	int64_t pay_yen;          /* total - gift card - points, at least 0 */
	pt_use_problem problems[PT_USE_MAX_PROBLEMS];
	int nproblems;
	int dropped;              /* problems past PT_USE_MAX_PROBLEMS */
	pt_use_prog *progs;       /* rs->nprogs entries, owned by the caller; set only when any */
} pt_use_report;

/* pt_use_check for a cart with use records (use.c). */
void pt_use_check_records(const pt_ruleset *rs, const pt_cart *c, int64_t total,
			  const pt_prog_result *results, pt_use_report *rep);
/* Check cart c's use records against the evaluated results (programs,
 * then policies, as pt_eval_all left them).  rep->progs must have room
 * for rs->nprogs entries. */
static inline void pt_use_check(const pt_ruleset *rs, const pt_cart *c, int64_t total,
				const pt_prog_result *results, pt_use_report *rep)
{
	if (c->n_uses)   /* inline: most carts have no `use` records */
		pt_use_check_records(rs, c, total, results, rep);
	else
		rep->any = false;   /* nothing intended: one store, nothing else is read */
}

#endif
