/* plan_out.c - print a plan as `ptrules plan` shows it: text a person
 * acts on, or one JSON object per cart (docs/plan.md has both shapes).
 * Printers write into a pt_sink, so a caller's buffer gets snprintf
 * semantics. */
#define PTRULES_BUILDING 1
#include <stdio.h>
#include <string.h>

#include "out.h"
#include "plan.h"
#include "sink.h"

/* Grouped integer: 1234 -> "1,234". */
static const char *grp(int64_t v, char *buf, size_t cap)
{
	pt_out_group(v, buf, cap);
	return buf;
}

/* What one option uses and pays, and what it earns, in words. */
static void describe(pt_sink *f, const ptrules_plan *p, size_t rank)
{
	const pt_plan_opt *o = &p->opts[rank];
	const pt_plan_prog *pp = &p->progbuf[o->prog_at];
	char a[32], b[32];
	int parts = 0, count = p->giftcard_yen > 0;
	for (size_t i = 0; i < p->nprogs; i++)
		count += pp[i].use_points > 0;
	pt_sink_puts(f, "Use ");
	if (p->giftcard_yen > 0) {
		pt_sink_printf(f, "%s yen of gift card", grp(p->giftcard_yen, a, sizeof a));
		parts++;
	}
	for (size_t i = 0; i < p->nprogs; i++) {
		if (pp[i].use_points <= 0)
			continue;
		const char *sep = !parts ? "" : parts + 1 == count ? " and " : ", ";
		parts++;
		pt_sink_printf(f, "%s%s %s (%s yen)", sep, grp(pp[i].use_points, a, sizeof a),
			       ptrules_program_name(p->rules, i), grp(pp[i].use_value_yen, b, sizeof b));
	}
	if (!parts)
		pt_sink_puts(f, "no points");
	if (o->pay_yen > 0)
		pt_sink_printf(f, ", pay %s yen", grp(o->pay_yen, a, sizeof a));
	else
		pt_sink_puts(f, ", pay nothing");
	if (o->pay_yen > 0 && p->has_payment)
		pt_sink_printf(f, " with %s", p->payment);
	parts = 0;
	for (size_t i = 0; i < p->nprogs; i++) {
		if (pp[i].earn_points <= 0)
			continue;
		ptrules_plan_program pr;
		ptrules_plan_program_get(p, rank, i, &pr);
		pt_sink_printf(f, "%s%s %s", parts++ ? " and " : "; earns ", grp(pp[i].earn_points, a, sizeof a), pr.name);
		if (pr.earn_granted)
			pt_sink_printf(f, " at %s", pr.earn_granted);
	}
	if (!parts)
		pt_sink_puts(f, "; earns no points");
}

/* How the runner-up differs from the best, in words. */
static void difference(pt_sink *f, const ptrules_plan *p)
{
	const pt_plan_opt *b = &p->opts[0], *r = &p->opts[1];
	char a[32], v[64];
	int64_t d = r->pay_yen - b->pay_yen;
	if (d)
		pt_sink_printf(f, "pays %s yen %s", grp(d < 0 ? -d : d, a, sizeof a), d > 0 ? "more" : "less");
	else
		pt_sink_puts(f, "pays the same");
	int parts = 0;
	for (size_t i = 0; i < p->nprogs; i++) {
		int64_t e = p->progbuf[r->prog_at + i].earn_points - p->progbuf[b->prog_at + i].earn_points;
		if (!e)
			continue;
		pt_sink_printf(f, "%s%s %s %s", parts++ ? " and " : ", earns ", grp(e < 0 ? -e : e, a, sizeof a),
			       ptrules_program_name(p->rules, i), e > 0 ? "more" : "fewer");
	}
	if (!parts)
		pt_sink_puts(f, ", earns the same");
	pt_rat s;
	if (!d && pt_rat_sub(r->spent_value, b->spent_value, &s) && s.n) {
		pt_rat m = { s.n < 0 ? -s.n : s.n, s.d };
		pt_rat_format(m, v, sizeof v);
		pt_sink_printf(f, ", spends points worth %s yen %s", v, s.n > 0 ? "more" : "less");
	}
}

/* The text form: best, runner-up with the difference, advice. */
PTRULES_API size_t ptrules_plan_format_text(const ptrules_plan *p, const char *label, char *buf, size_t cap)
{
	pt_sink s = pt_sink_buf(buf, cap), *f = &s;
	if (!p || !p->have || !p->nopts)
		return pt_sink_finish(f);
	char a[32], b[32], c[32], d[32];
	pt_sink_printf(f, "plan %s  total %s yen  (%s combination%s searched, %s allowed, limit %s)\n",
		       label ? label : "cart", grp(p->total_yen, a, sizeof a), grp((int64_t)p->combinations, b, sizeof b),
		       p->combinations == 1 ? "" : "s", grp((int64_t)p->nopts, c, sizeof c),
		       grp(PTRULES_PLAN_MAX_COMBINATIONS, d, sizeof d));
	pt_sink_puts(f, "  Best:      ");
	describe(f, p, 0);
	pt_sink_puts(f, "\n  Runner-up: ");
	if (p->nopts > 1) {
		describe(f, p, 1);
		pt_sink_puts(f, "\n             ");
		difference(f, p);
	} else {
		pt_sink_puts(f, "none: no other combination is allowed");
	}
	pt_sink_putc(f, '\n');
	if (p->nadvice)
		pt_sink_puts(f, "  Advice:\n");
	for (size_t i = 0; i < p->nadvice; i++)
		pt_sink_printf(f, "    - %s\n", p->advice[i].text);
	return pt_sink_finish(f);
}

/* An exact value: the integer floor, and num/den when it is not whole. */
static void json_value(pt_sink *f, const char *key, pt_rat v)
{
	pt_sink_printf(f, ",\"%s\":%lld", key, (long long)pt_rat_floor(v).n);
	if (v.d != 1)
		pt_sink_printf(f, ",\"%s_exact\":{\"num\":%lld,\"den\":%lld}", key, (long long)v.n, (long long)v.d);
}

/* One option as a JSON object. */
static void json_option(pt_sink *f, const ptrules_plan *p, size_t rank)
{
	const pt_plan_opt *o = &p->opts[rank];
	char text[2048];
	pt_sink t = pt_sink_buf(text, sizeof text);
	describe(&t, p, rank);
	pt_sink_finish(&t);
	pt_sink_puts(f, "{\"text\":");
	pt_out_json_str(f, text);
	pt_sink_printf(f, ",\"pay_yen\":%lld,\"points_yen\":%lld,\"giftcard_yen\":%lld,\"uses\":[", (long long)o->pay_yen,
		       (long long)o->points_yen, (long long)p->giftcard_yen);
	int n = 0;
	for (size_t i = 0; i < p->nprogs; i++) {
		ptrules_plan_program pr;
		ptrules_plan_program_get(p, rank, i, &pr);
		if (pr.use_points <= 0)
			continue;
		pt_sink_puts(f, n++ ? ",{\"program\":" : "{\"program\":");
		pt_out_json_str(f, pr.id);
		pt_sink_puts(f, ",\"name\":");
		pt_out_json_str(f, pr.name);
		pt_sink_printf(f, ",\"points\":%lld,\"value_yen\":%lld}", (long long)pr.use_points,
			       (long long)pr.use_value_yen);
	}
	pt_sink_puts(f, "],\"earns\":[");
	n = 0;
	for (size_t i = 0; i < p->nprogs; i++) {
		ptrules_plan_program pr;
		ptrules_plan_program_get(p, rank, i, &pr);
		if (pr.earn_points <= 0)
			continue;
		pt_sink_puts(f, n++ ? ",{\"program\":" : "{\"program\":");
		pt_out_json_str(f, pr.id);
		pt_sink_puts(f, ",\"name\":");
		pt_out_json_str(f, pr.name);
		pt_sink_printf(f, ",\"points\":%lld,\"granted\":", (long long)pr.earn_points);
		if (pr.earn_granted)
			pt_out_json_str(f, pr.earn_granted);
		else
			pt_sink_puts(f, "null");
		pt_sink_putc(f, '}');
	}
	pt_sink_putc(f, ']');
	json_value(f, "earn_value_yen", o->earn_value);
	json_value(f, "spent_value_yen", o->spent_value);
	pt_sink_putc(f, '}');
}

/* The runner-up minus the best, as a JSON object. */
static void json_difference(pt_sink *f, const ptrules_plan *p)
{
	const pt_plan_opt *b = &p->opts[0], *r = &p->opts[1];
	char text[1024];
	pt_sink t = pt_sink_buf(text, sizeof text);
	difference(&t, p);
	pt_sink_finish(&t);
	pt_sink_puts(f, "{\"text\":");
	pt_out_json_str(f, text);
	pt_sink_printf(f, ",\"pay_yen\":%lld", (long long)(r->pay_yen - b->pay_yen));
	pt_rat d;
	if (pt_rat_sub(r->earn_value, b->earn_value, &d))
		json_value(f, "earn_value_yen", d);
	if (pt_rat_sub(r->spent_value, b->spent_value, &d))
		json_value(f, "spent_value_yen", d);
	pt_sink_puts(f, ",\"earn_points\":[");
	int n = 0;
	for (size_t i = 0; i < p->nprogs; i++) {
		int64_t e = p->progbuf[r->prog_at + i].earn_points - p->progbuf[b->prog_at + i].earn_points;
		if (!e)
			continue;
		pt_sink_puts(f, n++ ? ",{\"program\":" : "{\"program\":");
		pt_out_json_str(f, ptrules_program_id(p->rules, i));
		pt_sink_printf(f, ",\"points\":%lld}", (long long)e);
	}
	pt_sink_puts(f, "]}");
}

/* One piece of advice as a JSON object. */
static void json_advice(pt_sink *f, const ptrules_advice *a)
{
	static const char *const kinds[] = { "threshold", "cap", "spending", "unusable", "tier" };
	pt_sink_printf(f, "{\"kind\":\"%s\",\"program\":", kinds[a->kind]);
	pt_out_json_str(f, a->program);
	pt_sink_puts(f, ",\"text\":");
	pt_out_json_str(f, a->text);
	pt_sink_puts(f, ",\"rule\":");
	if (a->rule_file) {
		pt_sink_puts(f, "{\"file\":");
		pt_out_json_str(f, a->rule_file);
		pt_sink_printf(f, ",\"line\":%d}", a->rule_line);
	} else {
		pt_sink_puts(f, "null");
	}
	pt_sink_puts(f, ",\"reason\":");
	pt_out_json_str(f, a->reason);
	pt_sink_printf(f, ",\"add_yen\":%lld,\"points\":%lld", (long long)a->add_yen, (long long)a->points);
	if (a->tier) {
		pt_sink_puts(f, ",\"tier\":");
		pt_out_json_str(f, a->tier);
	}
	pt_sink_putc(f, '}');
}

/* The JSON form: one line per cart. */
PTRULES_API size_t ptrules_plan_format_json(const ptrules_plan *p, const char *label, char *buf, size_t cap)
{
	pt_sink s = pt_sink_buf(buf, cap), *f = &s;
	if (!p || !p->have || !p->nopts)
		return pt_sink_finish(f);
	pt_sink_puts(f, "{\"cart\":");
	pt_out_json_str(f, label ? label : "cart");
	pt_sink_printf(f, ",\"total_yen\":%lld,\"giftcard_yen\":%lld,\"payment\":", (long long)p->total_yen,
		       (long long)p->giftcard_yen);
	if (p->has_payment)
		pt_out_json_str(f, p->payment);
	else
		pt_sink_puts(f, "null");
	pt_sink_printf(f, ",\"combinations\":%zu,\"allowed\":%zu,\"limit\":%d,\"best\":", p->combinations, p->nopts,
		       PTRULES_PLAN_MAX_COMBINATIONS);
	json_option(f, p, 0);
	pt_sink_puts(f, ",\"runner_up\":");
	if (p->nopts > 1)
		json_option(f, p, 1);
	else
		pt_sink_puts(f, "null");
	pt_sink_puts(f, ",\"difference\":");
	if (p->nopts > 1)
		json_difference(f, p);
	else
		pt_sink_puts(f, "null");
	pt_sink_puts(f, ",\"advice\":[");
	for (size_t i = 0; i < p->nadvice; i++) {
		if (i)
			pt_sink_putc(f, ',');
		json_advice(f, &p->advice[i].a);
	}
	pt_sink_puts(f, "]}\n");
	return pt_sink_finish(f);
}
