/* out_use.c - printing a cart's intended use (its `use` records) after
 * use.c has checked them: what each program's points pay, what is left
 * to pay, and every problem with the rule or cart line behind it.
 * Printed only for carts that have `use` records, so the output of other
 * carts is unchanged.  JSON leaves out cart line numbers: a cart's object
 * must not depend on where the cart sits in its file. */
#include <stdio.h>
#include <string.h>

#include "out.h"

/* "file:line" of a problem's rule, or "" when the check is built in. */
static void rule_at(const pt_ruleset *rs, const pt_use_problem *p, char *buf, size_t n)
{
	if (p->rule_file >= 0 && (size_t)p->rule_file < rs->nfiles && p->rule_line > 0)
		snprintf(buf, n, "%s:%d", rs->files[p->rule_file], p->rule_line);
	else
		buf[0] = '\0';
}

/* Program i's id as a JSON string, escaped when the rule set was indexed. */
static void json_id(pt_sink *f, const pt_ruleset *rs, size_t i)
{
	if (rs->json)
		pt_sink_write(f, rs->json->id[i].s, rs->json->id[i].n);
	else
		pt_out_json_str(f, rs->progs[i].id);
}

/* ,"use":{...} for the cart's JSON object. */
void pt_out_use_json(pt_sink *f, const pt_ruleset *rs, const pt_use_report *u)
{
	pt_sink_puts(f, u->valid ? ",\"use\":{\"valid\":true,\"giftcard_yen\":" :
		     ",\"use\":{\"valid\":false,\"giftcard_yen\":");   /* no printf: this runs per cart */
	pt_sink_int(f, (long long)u->giftcard_yen);
	pt_sink_puts(f, ",\"points_yen\":");
	pt_sink_int(f, (long long)u->points_yen);
	pt_sink_puts(f, ",\"pay_yen\":");
	pt_sink_int(f, (long long)u->pay_yen);
	pt_sink_puts(f, ",\"programs\":[");
	bool first = true;
	for (size_t i = 0; i < rs->nprogs; i++) {
		const pt_use_prog *p = &u->progs[i];
		if (!p->cart_line)
			continue;
		pt_sink_puts(f, first ? "{\"id\":" : ",{\"id\":");
		json_id(f, rs, i);
		pt_sink_puts(f, ",\"points\":");
		pt_sink_int(f, (long long)p->points);
		pt_sink_puts(f, ",\"value_yen\":");
		pt_sink_int(f, (long long)p->value_yen);
		pt_sink_puts(f, p->valid ? ",\"valid\":true}" : ",\"valid\":false}");
		first = false;
	}
	pt_sink_puts(f, "],\"problems\":[");
	for (int k = 0; k < u->nproblems; k++) {
		const pt_use_problem *p = &u->problems[k];
		char at[600];
		const char *file = p->rule_file >= 0 && (size_t)p->rule_file < rs->nfiles && p->rule_line > 0 ?
				   rs->files[p->rule_file] : NULL;
		size_t fn = file ? strlen(file) : 0;
		if (!file || fn + 16 >= sizeof at)   /* else written below without formatting first */
			rule_at(rs, p, at, sizeof at);
		pt_sink_puts(f, k ? ",{\"program\":" : "{\"program\":");
		if (p->prog >= 0)
			json_id(f, rs, (size_t)p->prog);
		else
			pt_sink_puts(f, "null");
		pt_sink_puts(f, ",\"text\":");
		pt_out_json_str(f, p->text);
		pt_sink_puts(f, ",\"rule\":");
		if (file && fn + 16 < sizeof at) {   /* what rule_at gives, uncut: "file:line" */
			pt_sink_putc(f, '"');
			pt_out_json_chars(f, file, fn);
			pt_sink_putc(f, ':');
			pt_sink_int(f, p->rule_line);
			pt_sink_putc(f, '"');
		} else if (at[0]) {
			pt_out_json_str(f, at);
		} else {
			pt_sink_puts(f, "null");
		}
		pt_sink_putc(f, '}');
	}
	pt_sink_puts(f, "],\"problems_dropped\":");
	pt_sink_int(f, u->dropped);
	pt_sink_putc(f, '}');
}

/* Lines under the text table: the intended use, then its problems. */
void pt_out_use_text(pt_sink *f, const pt_ruleset *rs, const pt_use_report *u)
{
	char a[32], b[32];
	pt_sink_puts(f, "  use:");
	const char *sep = " ";
	for (size_t i = 0; i < rs->nprogs; i++) {
		const pt_use_prog *p = &u->progs[i];
		if (!p->cart_line)
			continue;
		pt_out_group(p->points, a, sizeof a);
		pt_out_group(p->value_yen, b, sizeof b);
		pt_sink_printf(f, "%s%s %s points = %s yen", sep, rs->progs[i].name, a, b);
		sep = ", ";
	}
	if (u->giftcard_yen) {
		pt_out_group(u->giftcard_yen, a, sizeof a);
		pt_sink_printf(f, "%sgift card %s yen", sep, a);
	}
	pt_out_group(u->pay_yen, a, sizeof a);
	pt_sink_printf(f, "; left to pay %s yen%s\n", a, u->valid ? "" : " (not allowed as it stands)");
	for (int k = 0; k < u->nproblems; k++) {
		const pt_use_problem *p = &u->problems[k];
		char at[600];
		rule_at(rs, p, at, sizeof at);
		pt_sink_printf(f, "  problem: %s", p->text);
		if (p->cart_line && at[0])
			pt_sink_printf(f, " (cart line %d; %s)", p->cart_line, at);
		else if (p->cart_line)
			pt_sink_printf(f, " (cart line %d)", p->cart_line);
		else if (at[0])
			pt_sink_printf(f, " (%s)", at);
		pt_sink_putc(f, '\n');
	}
	if (u->dropped)
		pt_sink_printf(f, "  problem: ... and %d more\n", u->dropped);
}
