/* out.c - result printers.
 *
 * JSON follows the contract in PRODUCT.md (keys may be added, never
 * renamed); every amount is an integer.  The text form is a table a
 * person reads at a glance, with a reason whenever a value is zero or
 * limited. */
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "out.h"

/* Write s as a JSON string literal. */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* An output amount as a whole number (amounts are whole by construction). */
static long long whole(pt_rat v)
{
	return (long long)pt_rat_floor(v).n;
}

/* Describe a runtime error with the rule line where it happened. */
static void runtime_reason(const pt_ruleset *rs, const pt_section_result *s, char *buf, size_t n)
{
	const char *what = s->status == PT_VM_DIVZERO ? "division by zero" :
			   s->status == PT_VM_OVERFLOW ? "amount too large (64-bit overflow)" : "internal error";
	if (s->status_pc < rs->ncode)
		snprintf(buf, n, "%s in %s:%u", what, rs->files[rs->lines[s->status_pc].file],
			 (unsigned)rs->lines[s->status_pc].line);
	else
		snprintf(buf, n, "%s", what);
}

/* Join a section's reasons with "; " into buf; empty when none. */
static void reasons(const pt_ruleset *rs, const pt_section_result *s, char *buf, size_t n)
{
	size_t len = 0;
	buf[0] = '\0';
	if (s->status != PT_VM_OK) {
		runtime_reason(rs, s, buf, n);
		return;
	}
	for (int i = 0; i < s->nreasons && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? "; " : "", rs->strs[s->reasons[i]]);
}

/* Print the value an --explain event saw, in its unit. */
static void explain_value(FILE *f, const pt_rule_def *r, pt_rat v, bool json)
{
	char buf[64];
	if (r->unit == PT_U_BOOL) {
		fputs(json ? (v.n ? "true" : "false") : (v.n ? "yes" : "no"), f);
		return;
	}
	if (r->unit == PT_U_DATE) {
		pt_date_format((int32_t)v.n, buf);
	} else {
		int k = pt_rat_format(v, buf, sizeof buf);
		if (!json && k > 0 && (r->unit == PT_U_YEN || r->unit == PT_U_POINTS))
			snprintf(buf + k, sizeof buf - (size_t)k, " %s", pt_unit_name(r->unit));
	}
	if (json)
		json_str(f, buf);
	else
		fputs(buf, f);
}

/* The trace event for rule r, or NULL when it did not run. */
static const pt_trace_event *find_event(const pt_trace *t, uint32_t r)
{
	for (size_t i = 0; t && i < t->n; i++)
		if (t->ev[i].rule == r)
			return &t->ev[i];
	return NULL;
}

/* One program's JSON object. */
static void json_prog(FILE *f, const pt_ruleset *rs, size_t i, const pt_prog_result *r,
		      const pt_trace *trace)
{
	const pt_program *pg = &rs->progs[i];
	char buf[1024];
	fputs("{\"id\":", f);
	json_str(f, pg->id);
	fputs(",\"name\":", f);
	json_str(f, pg->name);
	fprintf(f, ",\"linked\":%s,\"tier\":", r->linked ? "true" : "false");
	if (r->tier >= 0)
		json_str(f, rs->strs[r->tier]);
	else
		fputs("null", f);
	bool usable = !r->redeem.failed && r->redeem.status == PT_VM_OK;
	fprintf(f, ",\"redeem\":{\"usable\":%s,\"max_points\":%lld,\"value_yen\":%lld,\"reason\":",
		usable ? "true" : "false", whole(r->out[PT_OUT_R_MAX_POINTS]), whole(r->out[PT_OUT_R_VALUE_YEN]));
	reasons(rs, &r->redeem, buf, sizeof buf);
	if (buf[0])
		json_str(f, buf);
	else
		fputs("null", f);
	fprintf(f, "},\"earn\":{\"points\":%lld,\"basis_yen\":%lld,\"granted\":",
		whole(r->out[PT_OUT_E_POINTS]), whole(r->out[PT_OUT_E_BASIS]));
	if (pg->granted && pg->earns)
		json_str(f, pg->granted);
	else
		fputs("null", f);
	fputs(",\"reason\":", f);
	reasons(rs, &r->earn, buf, sizeof buf);
	if (buf[0])
		json_str(f, buf);
	else
		fputs("null", f);
	fputc('}', f);
	if (trace) {
		fputs(",\"explain\":[", f);
		bool first = true;
		for (size_t k = 0; k < rs->nrules; k++) {
			const pt_rule_def *rd = &rs->rules[k];
			if ((size_t)rd->prog != i)
				continue;
			const pt_trace_event *ev = find_event(trace, (uint32_t)k);
			fprintf(f, "%s{\"file\":", first ? "" : ",");
			json_str(f, rs->files[rd->file]);
			fprintf(f, ",\"line\":%d,\"rule\":", rd->line);
			json_str(f, rd->text);
			fputs(",\"ran\":", f);
			fputs(ev ? "true" : "false", f);
			fputs(",\"value\":", f);
			if (ev)
				explain_value(f, rd, ev->value, true);
			else
				fputs("null", f);
			fputc('}', f);
			first = false;
		}
		fputc(']', f);
	}
	fputc('}', f);
}

/* One JSON object per cart, on one line. */
void pt_out_json(FILE *f, const pt_ruleset *rs, const pt_cart_view *v,
		 const pt_prog_result *res, const pt_trace *trace)
{
	char day[16];
	pt_date_format(v->date, day);
	fputs("{\"cart\":", f);
	json_str(f, v->label);
	fputs(",\"order_id\":", f);
	if (v->order_id)
		json_str(f, v->order_id);
	else
		fputs("null", f);
	fprintf(f, ",\"date\":\"%s\",\"date_source\":\"%s\",\"total_yen\":%lld,\"programs\":[", day,
		v->date_from_order ? "order" : "today_asia_tokyo", (long long)v->total_yen);
	for (size_t i = 0; i < rs->nprogs; i++) {
		if (i)
			fputc(',', f);
		json_prog(f, rs, i, &res[i], trace);
	}
	fputs("]}\n", f);
}

/* Format n with thousands separators. */
static void group(long long n, char *buf, size_t size)
{
	char tmp[32];
	int len = snprintf(tmp, sizeof tmp, "%lld", n < 0 ? -n : n);
	size_t o = 0;
	if (n < 0 && o + 1 < size)
		buf[o++] = '-';
	for (int i = 0; i < len && o + 2 < size; i++) {
		if (i && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
}

/* Print s padded with spaces to `width` terminal columns. */
static void pad(FILE *f, const char *s, int width)
{
	fputs(s, f);
	for (int w = pt_text_width(s, strlen(s)); w < width; w++)
		fputc(' ', f);
}

/* Print s right-aligned in `width` columns. */
static void rpad(FILE *f, const char *s, int width)
{
	for (int w = pt_text_width(s, strlen(s)); w < width; w++)
		fputc(' ', f);
	fputs(s, f);
}

/* The table: one row per program, reasons beside the numbers. */
void pt_out_text(FILE *f, const pt_ruleset *rs, const pt_cart_view *v,
		 const pt_prog_result *res, const pt_trace *trace)
{
	char day[16], tot[32], a[64], b[64], c[64], why[2100], r1[1024], r2[1024];
	pt_date_format(v->date, day);
	group(v->total_yen, tot, sizeof tot);
	fprintf(f, "cart %s", v->label);
	if (v->order_id && strcmp(v->order_id, v->label) != 0)
		fprintf(f, "  order %s", v->order_id);
	fprintf(f, "  %s%s  %zu item%s  total %s yen\n", day,
		v->date_from_order ? "" : " (today in Japan)", v->n_items, v->n_items == 1 ? "" : "s", tot);
	int namew = 7;
	for (size_t i = 0; i < rs->nprogs; i++) {
		int w = pt_text_width(rs->progs[i].name, strlen(rs->progs[i].name));
		if (res[i].tier >= 0)
			w += 1 + pt_text_width(rs->strs[res[i].tier], strlen(rs->strs[res[i].tier]));
		if (w > namew)
			namew = w;
	}
	fputs("  ", f);
	pad(f, "program", namew);
	fputs("  use: points      yen   earn: points  when       why\n", f);
	FILE *out = f;
	for (size_t i = 0; i < rs->nprogs; i++) {
		char *row = NULL;
		size_t rowlen = 0;
		f = open_memstream(&row, &rowlen);   /* rows are trimmed before printing */
		if (!f) {
			f = out;
			continue;
		}
		const pt_program *pg = &rs->progs[i];
		const pt_prog_result *r = &res[i];
		bool usable = !r->redeem.failed && r->redeem.status == PT_VM_OK;
		bool earned = !r->earn.failed && r->earn.status == PT_VM_OK;
		char label[512];
		snprintf(label, sizeof label, "%s%s%s", pg->name, r->tier >= 0 ? " " : "",
			 r->tier >= 0 ? rs->strs[r->tier] : "");
		fputs("  ", f);
		pad(f, label, namew);
		if (usable) {
			group(whole(r->out[PT_OUT_R_MAX_POINTS]), a, sizeof a);
			group(whole(r->out[PT_OUT_R_VALUE_YEN]), b, sizeof b);
		} else {
			snprintf(a, sizeof a, "-");
			snprintf(b, sizeof b, "-");
		}
		if (pg->earns && (earned || r->linked))
			group(whole(r->out[PT_OUT_E_POINTS]), c, sizeof c);
		else
			snprintf(c, sizeof c, "-");
		fputs("  ", f);
		rpad(f, a, 11);
		fputs(" ", f);
		rpad(f, b, 8);
		fputs("  ", f);
		rpad(f, c, 12);
		fputs("  ", f);
		pad(f, pg->earns && earned && pg->granted ? pg->granted : "", 9);
		reasons(rs, &r->redeem, r1, sizeof r1);
		reasons(rs, &r->earn, r2, sizeof r2);
		if (!pg->earns)
			r2[0] = '\0';   /* spend-only programs: "-" says it all */
		snprintf(why, sizeof why, "%s%s%s%s%s", r1[0] ? "use: " : "", r1, r1[0] && r2[0] ? "; " : "",
			 r2[0] ? "earn: " : "", r2);
		fprintf(f, "  %s", why);
		fclose(f);
		while (rowlen > 0 && row[rowlen - 1] == ' ')
			rowlen--;
		fprintf(out, "%.*s\n", (int)rowlen, row);
		free(row);
	}
	f = out;
	if (!trace)
		return;
	for (size_t i = 0; i < rs->nprogs; i++) {
		fprintf(f, "  explain %s:\n", rs->progs[i].id);
		for (size_t k = 0; k < rs->nrules; k++) {
			const pt_rule_def *rd = &rs->rules[k];
			if ((size_t)rd->prog != i)
				continue;
			const pt_trace_event *ev = find_event(trace, (uint32_t)k);
			fprintf(f, "    %s:%d: %s => ", rs->files[rd->file], rd->line, rd->text);
			if (ev)
				explain_value(f, rd, ev->value, false);
			else
				fputs("(not reached)", f);
			fputc('\n', f);
		}
	}
}
