/* use.c - check a cart's intended point use against the evaluated rules.
 *
 * The rules themselves say what is allowed: a program's redeem section
 * decides whether its points are usable and how many (max_points), and
 * policies state order-level rules.  This pass compares the cart's `use`
 * records with those results and words every mismatch for a person. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fast.h"
#include "out.h"
#include "use.h"

/* Record a problem; past the limit only count it. */
static void problem(pt_use_report *rep, int prog, int cart_line, int rule_file, int rule_line,
		    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void problem(pt_use_report *rep, int prog, int cart_line, int rule_file, int rule_line,
		    const char *fmt, ...)
{
	rep->valid = false;
	if (prog >= 0 && rep->progs)
		rep->progs[prog].valid = false;
	if (rep->nproblems >= PT_USE_MAX_PROBLEMS) {
		rep->dropped++;
		return;
	}
	pt_use_problem *p = &rep->problems[rep->nproblems++];
	p->prog = prog;
	p->cart_line = cart_line;
	p->rule_file = rule_file;
	p->rule_line = rule_line;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->text, sizeof p->text, fmt, ap);
	va_end(ap);
}

/* Check one program's intended use against its redeem result. */
static void check_prog(const pt_ruleset *rs, int p, const pt_prog_result *r, int64_t balance,
		       pt_use_report *rep)
{
	const pt_program *pg = &rs->progs[p];
	pt_use_prog *u = &rep->progs[p];
	char a[32], b[32];
	pt_section_result buf;
	const pt_section_result *red = pt_fast_sec_view(rs, (size_t)p, false, &r->redeem, &buf);   /* its reasons */
	pt_out_group(u->points, a, sizeof a);
	if (!r->linked) {
		problem(rep, p, u->cart_line, -1, 0,
			"%s: uses %s points, but the cart has no `account program=%s` line", pg->id, a, pg->id);
		return;
	}
	if (r->redeem.status) {
		problem(rep, p, u->cart_line, -1, 0, "%s: uses %s points, but its redeem rules failed at run time",
			pg->id, a);
		return;
	}
	if (r->redeem.failed) {
		int line = red->nreasons ? (int)rs->lines[red->reasons[0].pc].line : 0;
		int file = red->nreasons ? (int)rs->lines[red->reasons[0].pc].file : -1;
		problem(rep, p, u->cart_line, file, line, "%s: its points cannot be used on this order: %s", pg->id,
			red->nreasons ? rs->strs[red->reasons[0].str] : "its redeem rules do not apply");
		return;
	}
	if (u->points > balance) {
		pt_out_group(balance, b, sizeof b);
		problem(rep, p, u->cart_line, -1, 0, "%s: uses %s points, but the balance is %s", pg->id, a, b);
		return;
	}
	int64_t maxp = r->out[PT_OUT_R_MAX_POINTS].n;
	if (u->points > maxp) {
		pt_out_group(maxp, b, sizeof b);
		const char *why = NULL;
		int line = 0, file = -1;
		for (int i = 0; i < red->nreasons; i++)   /* the reason that limited max_points */
			if (strncmp(rs->strs[red->reasons[i].str], "no points to use", 16) != 0) {
				why = rs->strs[red->reasons[i].str];
				line = (int)rs->lines[red->reasons[i].pc].line;
				file = (int)rs->lines[red->reasons[i].pc].file;
				break;
			}
		problem(rep, p, u->cart_line, file, line, "%s: uses %s points, but at most %s can be used on this order%s%s",
			pg->id, a, b, why ? ": " : "", why ? why : "");
	}
}

/* Check cart c's use records against the evaluated results: use.h's
 * pt_use_check for a cart with any. */
void pt_use_check_records(const pt_ruleset *rs, const pt_cart *c, int64_t total,
			  const pt_prog_result *results, pt_use_report *rep)
{
	rep->any = true;
	rep->valid = true;
	rep->total_yen = rep->pay_yen = total;
	rep->giftcard_yen = rep->points_yen = 0;
	rep->nproblems = rep->dropped = 0;
	for (size_t i = 0; i < rs->nprogs; i++)
		rep->progs[i] = (pt_use_prog){ 0, 0, true, 0 };
	bool gift_seen = false;
	int gift_line = 0;
	for (size_t k = 0; k < c->n_uses; k++) {
		const pt_use *u = &c->uses[k];
		if (strcmp(u->program, "giftcard") == 0) {
			if (gift_seen)
				problem(rep, -1, u->line, -1, 0, "a second `use program=giftcard` line (the first is line %d); only the first counts",
					gift_line);
			else
				rep->giftcard_yen = u->yen;
			gift_seen = true;
			gift_line = gift_line ? gift_line : u->line;
			continue;
		}
		int p = pt_ruleset_find_prog(rs, u->program);
		if (p < 0) {
			problem(rep, -1, u->line, -1, 0, "uses points of '%s', but no program '%s' is in the rules", u->program,
				u->program);
			continue;
		}
		pt_use_prog *up = &rep->progs[p];
		if (up->cart_line) {
			problem(rep, p, u->line, -1, 0, "%s: a second `use` line (the first is line %d); only the first counts",
				u->program, up->cart_line);
			continue;
		}
		up->cart_line = u->line;
		up->points = u->points;
		up->value_yen = results[p].out[PT_OUT_R_USE_YEN].n;
	}
	for (size_t i = 0; i < rs->nprogs; i++) {
		pt_use_prog *up = &rep->progs[i];
		if (up->points <= 0)
			continue;
		int64_t balance = 0;
		const pt_account *a = pt_cart_account(c, rs->progs[i].id);
		if (a)
			balance = a->balance;
		check_prog(rs, (int)i, &results[i], balance, rep);
		if (__builtin_add_overflow(rep->points_yen, up->value_yen, &rep->points_yen))
			rep->points_yen = INT64_MAX;   /* the VM reported this sum as a runtime error */
	}
	for (size_t j = 0; j < rs->npolicies; j++) {
		const pt_prog_result *r = &results[rs->nprogs + j];
		if (r->redeem.status) {
			problem(rep, -1, 0, rs->policies[j].file, rs->policies[j].line,
				"policy %s could not be checked: an amount does not fit in 64 bits", rs->policies[j].id);
			continue;
		}
		for (int i = 0; i < r->redeem.nreasons; i++) {
			const pt_line_def *at = &rs->lines[r->redeem.reasons[i].pc];
			problem(rep, -1, 0, at->file, (int)at->line, "%s", rs->strs[r->redeem.reasons[i].str]);
		}
	}
	int64_t pay = total;
	if (__builtin_sub_overflow(pay, rep->giftcard_yen, &pay) || __builtin_sub_overflow(pay, rep->points_yen, &pay) ||
	    pay < 0)
		pay = 0;
	rep->pay_yen = pay;
}
