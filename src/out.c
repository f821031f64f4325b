/* out.c - result printers.
 *
 * JSON follows the contract in PRODUCT.md (keys may be added, never
 * renamed); every amount is an integer.  The text form is a table a
 * person reads at a glance, with a reason whenever a value is zero or
 * limited. */
#include <stdint.h>
#include <string.h>

#include "date.h"
#include "fast.h"
#include "out.h"

/* Whether any of the 8 bytes in w is a control byte, '"' or '\\' (the
 * bytes JSON escapes); exact, by the usual has-zero-byte bit trick. */
static inline int json_special8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
	uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
	return ((((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b)) & high) != 0;
}

/* 1 for the bytes a JSON string holds as they are: all but control
 * bytes, '"' and '\\'. */
#define PLAIN16(x) x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x
static const unsigned char json_plain[256] = {
	PLAIN16(0), PLAIN16(0),
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,   /* '"' */
	PLAIN16(1), PLAIN16(1),
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,   /* '\\' */
	PLAIN16(1), PLAIN16(1),
	PLAIN16(1), PLAIN16(1), PLAIN16(1), PLAIN16(1), PLAIN16(1), PLAIN16(1), PLAIN16(1), PLAIN16(1)
};

/* s[0..n) escaped for a JSON string at p, which has room for 6n bytes;
 * the end.  Eight plain bytes are found and moved at a time. */
static char *raw_json_chars(char *p, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *q = (const unsigned char *)s, *end = q + n;
	if (n >= 8 && n <= 64) {   /* ids and labels: words, the last one overlapping, then one move */
		uint64_t w, any = 0;
		for (size_t i = 0; i + 8 < n; i += 8) {
			memcpy(&w, q + i, 8);
			any |= (uint64_t)json_special8(w);
		}
		memcpy(&w, end - 8, 8);
		if (!(any | (uint64_t)json_special8(w))) {
			memcpy(p, s, n);
			return p + n;
		}
	}
	while (q < end) {
		uint64_t w;
		if (end - q >= 8 && (memcpy(&w, q, 8), !json_special8(w))) {
			memcpy(p, q, 8);
			p += 8;
			q += 8;
			continue;
		}
		unsigned char ch = *q++;
		if (json_plain[ch]) {
			*p++ = (char)ch;
		} else if (ch == '"' || ch == '\\' || ch == '\n') {
			p[0] = '\\';
			p[1] = ch == '\n' ? 'n' : (char)ch;
			p += 2;
		} else {
			memcpy(p, "\\u00", 4);
			p[4] = hex[ch >> 4];
			p[5] = hex[ch & 15];
			p += 6;
		}
	}
	return p;
}

/* Write s escaped for a JSON string, without the quotes: runs of bytes
 * that need no escape are copied in one write, and found 8 bytes at a
 * time (the last few bytes padded with a letter, which needs none). */
static void json_chars_n(pt_sink *f, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *run = p, *end = p + n;
	if (!f->f && n < f->cap / 6 && f->len + 6 * n < f->cap) {   /* room for the worst: straight in */
		f->len = (size_t)(raw_json_chars(f->buf + f->len, s, n) - f->buf);
		return;
	}
	if (n < 8) {   /* short ids and labels: a byte at a time beats the padded word */
		while (p < end && json_plain[*p])
			p++;
		if (p == end) {
			pt_sink_write(f, s, n);
			return;
		}
	} else if (n < 64) {   /* words, the last one overlapping: no padding */
		uint64_t w, any = 0;
		for (size_t i = 0; i + 8 < n; i += 8) {
			memcpy(&w, p + i, 8);
			any |= (uint64_t)json_special8(w);
		}
		memcpy(&w, end - 8, 8);
		if (!(any | (uint64_t)json_special8(w))) {
			pt_sink_write(f, s, n);
			return;
		}
	}
	for (;;) {
		uint64_t w;
		while (end - p >= 8 && (memcpy(&w, p, 8), !json_special8(w)))
			p += 8;
		if (end - p < 8) {
			unsigned char t[8];
			memset(t, 'a', sizeof t);
			memcpy(t, p, (size_t)(end - p));
			memcpy(&w, t, 8);
			if (!json_special8(w))
				break;
		}
		while (p < end && *p >= 0x20 && *p != '"' && *p != '\\')   /* an escape is near */
			p++;
		if (p >= end)
			break;
		pt_sink_write(f, (const char *)run, (size_t)(p - run));
		run = p + 1;
		if (*p == '"' || *p == '\\') {
			char e[2] = { '\\', (char)*p };
			pt_sink_write(f, e, 2);
		} else if (*p == '\n') {
			pt_sink_puts(f, "\\n");
		} else {
			char e[6] = { '\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15] };
			pt_sink_write(f, e, 6);
		}
		p++;
	}
	pt_sink_write(f, (const char *)run, (size_t)(end - run));
}

/* s[0..n) escaped for a JSON string, without the quotes (out_use.c). */
void pt_out_json_chars(pt_sink *f, const char *s, size_t n)
{
	json_chars_n(f, s, n);
}

/* json_chars_n for a C string. */
static void json_chars(pt_sink *f, const char *s)
{
	json_chars_n(f, s, strlen(s));
}

/* Write s as a JSON string literal. */
void pt_out_json_str(pt_sink *f, const char *s)
{
	pt_sink_putc(f, '"');
	json_chars(f, s);
	pt_sink_putc(f, '"');
}

/* An output amount as a whole number (amounts are whole by construction). */
static long long whole(pt_rat v)
{
	return (long long)(pt_rat_is_int(v) ? v.n : pt_rat_floor(v).n);
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
		len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? "; " : "", rs->strs[s->reasons[i].str]);
}

/* Append a prepared piece of JSON text. */
static inline void put(pt_sink *f, pt_out_piece p)
{
	pt_sink_write(f, p.s, p.n);
}

/* String i of the rule set as a JSON string: prepared, or escaped now. */
static inline void json_rs_str(pt_sink *f, const pt_ruleset *rs, uint32_t i)
{
	if (rs->json)
		put(f, rs->json->str[i]);
	else
		pt_out_json_str(f, rs->strs[i]);
}

/* json_reasons for the common case, a prepared rule set and at most one
 * reason short enough not to be cut: one copy.  False when it does not
 * apply. */
static inline bool json_reason_fast(pt_sink *f, const pt_out_jtext *jt, const pt_section_result *s,
				    size_t n)
{
	if (!jt || s->status != PT_VM_OK || s->nreasons > 1)
		return false;
	if (s->nreasons && jt->str_len[s->reasons[0].str]) {
		if (jt->str_len[s->reasons[0].str] >= n)
			return false;
		put(f, jt->str[s->reasons[0].str]);
	} else {
		pt_sink_puts(f, "null");
	}
	return true;
}

/* A section's reasons as a JSON string, or null when there are none:
 * what reasons() and pt_out_json_str() give, written without joining first
 * unless the joined text would be cut at n bytes.  The reasons come
 * escaped already (rs->json): a lone reason is one copy. */
static void json_reasons(pt_sink *f, const pt_ruleset *rs, const pt_section_result *s, char *buf,
			 size_t n)
{
	const pt_out_jtext *jt = rs->json;
	size_t total = 0, len[PT_MAX_REASONS];
	for (int i = 0; s->status == PT_VM_OK && i < s->nreasons && i < PT_MAX_REASONS; i++)
		total += (i ? 2 : 0) +
			 (len[i] = jt ? jt->str_len[s->reasons[i].str] : strlen(rs->strs[s->reasons[i].str]));
	if (s->status == PT_VM_OK && total < n) {
		if (!total) {
			pt_sink_puts(f, "null");
			return;
		}
		if (jt && s->nreasons == 1) {
			put(f, jt->str[s->reasons[0].str]);
			return;
		}
		pt_sink_putc(f, '"');
		for (int i = 0; i < s->nreasons && i < PT_MAX_REASONS; i++) {
			if (i)
				pt_sink_puts(f, "; ");
			if (jt)   /* the prepared string without its quotes */
				pt_sink_write(f, jt->str[s->reasons[i].str].s + 1, jt->str[s->reasons[i].str].n - 2);
			else
				json_chars_n(f, rs->strs[s->reasons[i].str], len[i]);
		}
		pt_sink_putc(f, '"');
		return;
	}
	reasons(rs, s, buf, n);
	if (buf[0])
		pt_out_json_str(f, buf);
	else
		pt_sink_puts(f, "null");
}

/* Print the value an --explain event saw, in its unit. */
static void explain_value(pt_sink *f, const pt_rule_def *r, pt_rat v, bool json)
{
	char buf[64];
	if (r->unit == PT_U_BOOL) {
		pt_sink_puts(f, json ? (v.n ? "true" : "false") : (v.n ? "yes" : "no"));
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
		pt_out_json_str(f, buf);
	else
		pt_sink_puts(f, buf);
}

/* The trace event for rule r, or NULL when it did not run. */
static const pt_trace_event *find_event(const pt_trace *t, uint32_t r)
{
	for (size_t i = 0; t && i < t->n; i++)
		if (t->ev[i].rule == r)
			return &t->ev[i];
	return NULL;
}

/* ,"explain":[...]: every rule of program or policy i (policies are
 * numbered after the programs) and the value it saw, if it ran. */
static void json_explain(pt_sink *f, const pt_ruleset *rs, size_t i, const pt_trace *trace)
{
	pt_sink_puts(f, ",\"explain\":[");
	bool first = true;
	for (size_t k = 0; k < rs->nrules; k++) {
		const pt_rule_def *rd = &rs->rules[k];
		if ((size_t)rd->prog != i)
			continue;
		const pt_trace_event *ev = find_event(trace, (uint32_t)k);
		pt_sink_printf(f, "%s{\"file\":", first ? "" : ",");
		pt_out_json_str(f, rs->files[rd->file]);
		pt_sink_printf(f, ",\"line\":%d,\"rule\":", rd->line);
		pt_out_json_str(f, rd->text);
		pt_sink_puts(f, ",\"ran\":");
		pt_sink_puts(f, ev ? "true" : "false");
		pt_sink_puts(f, ",\"value\":");
		if (ev)
			explain_value(f, rd, ev->value, true);
		else
			pt_sink_puts(f, "null");
		pt_sink_putc(f, '}');
		first = false;
	}
	pt_sink_putc(f, ']');
}

/* The start of program i's JSON object, up to its tier's value. */
static void json_head(pt_sink *f, const pt_ruleset *rs, size_t i, int linked)
{
	pt_sink_puts(f, "{\"id\":");
	pt_out_json_str(f, rs->progs[i].id);
	pt_sink_puts(f, ",\"name\":");
	pt_out_json_str(f, rs->progs[i].name);
	pt_sink_puts(f, linked ? ",\"linked\":true,\"tier\":" : ",\"linked\":false,\"tier\":");
}

/* Program i's grant timing and the key of its earn reason. */
static void json_granted(pt_sink *f, const pt_ruleset *rs, size_t i, int unused)
{
	const pt_program *pg = &rs->progs[i];
	(void)unused;
	pt_sink_puts(f, ",\"granted\":");
	if (pg->granted && pg->earns)
		pt_out_json_str(f, pg->granted);
	else
		pt_sink_puts(f, "null");
	pt_sink_puts(f, ",\"reason\":");
}

/* String i of the rule set as a JSON string (pt_out_prepare). */
static void json_str_piece(pt_sink *f, const pt_ruleset *rs, size_t i, int unused)
{
	(void)unused;
	pt_out_json_str(f, rs->strs[i]);
}

/* Program i's id as a JSON string (pt_out_prepare). */
static void json_id_piece(pt_sink *f, const pt_ruleset *rs, size_t i, int unused)
{
	(void)unused;
	pt_out_json_str(f, rs->progs[i].id);
}

/* Copy n bytes to p; the end. */
static inline char *raw(char *p, const void *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* v in decimal at p (a lone digit inline); the end. */
static inline char *raw_int(char *p, long long v)
{
	if ((unsigned long long)v < 10) {
		*p = (char)('0' + v);
		return p + 1;
	}
	return pt_fmt_int(p, v);
}

/* raw() for a string literal: a fixed-size move. */
#define RAW_LIT(p, lit) raw(p, lit, sizeof lit - 1)

/* Bytes reasons_raw writes for section s into *n, or false when it
 * cannot (a runtime error, or reasons whose joined text is cut at cut
 * bytes: json_reasons handles those). */
static inline bool reasons_raw_len(const pt_out_jtext *jt, const pt_section_result *s, size_t cut,
				   size_t *n)
{
	size_t total = 0, esc = 4;   /* "null" */
	if (s->status != PT_VM_OK)
		return false;
	for (int i = 0; i < s->nreasons && i < PT_MAX_REASONS; i++) {
		total += (i ? 2 : 0) + jt->str_len[s->reasons[i].str];
		esc += 2 + jt->str[s->reasons[i].str].n;
	}
	*n = esc;
	return total < cut;
}

/* Section s's reasons at p, as json_reasons writes them (reasons_raw_len
 * said they fit); the end. */
static inline char *reasons_raw(char *p, const pt_out_jtext *jt, const pt_section_result *s)
{
	if (!s->nreasons || (s->nreasons == 1 && !jt->str_len[s->reasons[0].str]))
		return RAW_LIT(p, "null");
	if (s->nreasons == 1)
		return raw(p, jt->str[s->reasons[0].str].s, jt->str[s->reasons[0].str].n);
	*p++ = '"';
	for (int i = 0; i < s->nreasons && i < PT_MAX_REASONS; i++) {
		if (i)
			p = RAW_LIT(p, "; ");
		p = raw(p, jt->str[s->reasons[i].str].s + 1, jt->str[s->reasons[i].str].n - 2);   /* without its quotes */
	}
	*p++ = '"';
	return p;
}

/* json_prog straight into the sink's buffer, when the rule set is
 * prepared, there is no trace, and the buffer has room for the most this
 * program's object can take: moves without a bounds check each.  False
 * when it does not apply (json_prog then writes the same bytes piece by
 * piece); tests/unit/test_out.c holds the two together. */
static bool json_prog_raw(pt_sink *f, const pt_out_jtext *jt, size_t i, const pt_prog_result *r, size_t cut)
{
	size_t rn, en;
	if (f->f || !reasons_raw_len(jt, &r->redeem, cut, &rn) || !reasons_raw_len(jt, &r->earn, cut, &en))
		return false;
	const pt_out_piece *head = &jt->head[r->linked ? 1 : 0][i], *granted = &jt->granted[i];
	size_t need = head->n + (r->tier >= 0 ? jt->str[r->tier].n : 4) + rn + en + granted->n +
		      4 * 20 + 128;   /* four numbers and the keys */
	if (f->len + need >= f->cap)
		return false;
	char *p = raw(f->buf + f->len, head->s, head->n);
	if (r->tier >= 0)
		p = raw(p, jt->str[r->tier].s, jt->str[r->tier].n);
	else
		p = RAW_LIT(p, "null");
	if (!r->redeem.failed && r->redeem.status == PT_VM_OK)
		p = RAW_LIT(p, ",\"redeem\":{\"usable\":true,\"max_points\":");
	else
		p = RAW_LIT(p, ",\"redeem\":{\"usable\":false,\"max_points\":");
	p = raw_int(p, whole(r->out[PT_OUT_R_MAX_POINTS]));
	p = RAW_LIT(p, ",\"value_yen\":");
	p = raw_int(p, whole(r->out[PT_OUT_R_VALUE_YEN]));
	p = RAW_LIT(p, ",\"reason\":");
	p = reasons_raw(p, jt, &r->redeem);
	p = RAW_LIT(p, "},\"earn\":{\"points\":");
	p = raw_int(p, whole(r->out[PT_OUT_E_POINTS]));
	p = RAW_LIT(p, ",\"basis_yen\":");
	p = raw_int(p, whole(r->out[PT_OUT_E_BASIS]));
	p = raw(p, granted->s, granted->n);
	p = reasons_raw(p, jt, &r->earn);
	p = RAW_LIT(p, "}}");
	f->len = (size_t)(p - f->buf);
	return true;
}

/* One program's JSON object: the parts that depend only on the rule set
 * are copied from rs->json when it is there. */
static void json_prog(pt_sink *f, const pt_ruleset *rs, size_t i, const pt_prog_result *r,
		      const pt_trace *trace)
{
	const pt_out_jtext *jt = rs->json;
	char buf[1024];
	if (jt && !trace && json_prog_raw(f, jt, i, r, sizeof buf))
		return;
	if (jt)
		put(f, jt->head[r->linked ? 1 : 0][i]);
	else
		json_head(f, rs, i, r->linked);
	if (r->tier >= 0)
		json_rs_str(f, rs, (uint32_t)r->tier);
	else
		pt_sink_puts(f, "null");
	bool usable = !r->redeem.failed && r->redeem.status == PT_VM_OK;
	pt_sink_puts(f, usable ? ",\"redeem\":{\"usable\":true,\"max_points\":" :
		     ",\"redeem\":{\"usable\":false,\"max_points\":");
	pt_sink_int(f, whole(r->out[PT_OUT_R_MAX_POINTS]));
	pt_sink_puts(f, ",\"value_yen\":");
	pt_sink_int(f, whole(r->out[PT_OUT_R_VALUE_YEN]));
	pt_sink_puts(f, ",\"reason\":");
	if (!json_reason_fast(f, jt, &r->redeem, sizeof buf))
		json_reasons(f, rs, &r->redeem, buf, sizeof buf);
	pt_sink_puts(f, "},\"earn\":{\"points\":");
	pt_sink_int(f, whole(r->out[PT_OUT_E_POINTS]));
	pt_sink_puts(f, ",\"basis_yen\":");
	pt_sink_int(f, whole(r->out[PT_OUT_E_BASIS]));
	if (jt)
		put(f, jt->granted[i]);
	else
		json_granted(f, rs, i, 0);
	if (!json_reason_fast(f, jt, &r->earn, sizeof buf))
		json_reasons(f, rs, &r->earn, buf, sizeof buf);
	pt_sink_putc(f, '}');
	if (trace)
		json_explain(f, rs, i, trace);
	pt_sink_putc(f, '}');
}

/* A piece written by fn. */
typedef void (*piece_fn)(pt_sink *f, const pt_ruleset *rs, size_t i, int v);

/* Run fn twice, to measure and then to fill, into *out in the rule
 * set's arena; false when out of memory. */
static bool make_piece(pt_ruleset *rs, pt_out_piece *out, piece_fn fn, size_t i, int v)
{
	pt_sink m = pt_sink_buf(NULL, 0);
	fn(&m, rs, i, v);
	char *p = pt_arena_alloc(&rs->arena, m.len + 1);
	if (!p)
		return false;
	pt_sink s = pt_sink_buf(p, m.len + 1);
	fn(&s, rs, i, v);
	*out = (pt_out_piece){ p, m.len };
	return true;
}

/* Escape the rule set's strings and its programs' fixed JSON once, for
 * every cart printed after (rs->json). */
bool pt_out_prepare(pt_ruleset *rs)
{
	pt_out_jtext *jt = pt_arena_alloc(&rs->arena, sizeof *jt);
	size_t np = rs->nprogs + 1, ns = rs->nstrs + 1;   /* never 0 bytes */
	rs->json = NULL;
	if (!jt || !(jt->str = pt_arena_alloc(&rs->arena, ns * sizeof *jt->str)) ||
	    !(jt->str_len = pt_arena_alloc(&rs->arena, ns * sizeof *jt->str_len)) ||
	    !(jt->head[0] = pt_arena_alloc(&rs->arena, np * sizeof *jt->head[0])) ||
	    !(jt->head[1] = pt_arena_alloc(&rs->arena, np * sizeof *jt->head[1])) ||
	    !(jt->granted = pt_arena_alloc(&rs->arena, np * sizeof *jt->granted)) ||
	    !(jt->id = pt_arena_alloc(&rs->arena, np * sizeof *jt->id)))
		return false;
	for (size_t i = 0; i < rs->nstrs; i++) {
		jt->str_len[i] = strlen(rs->strs[i]);
		if (!make_piece(rs, &jt->str[i], json_str_piece, i, 0))
			return false;
	}
	for (size_t i = 0; i < rs->nprogs; i++)
		if (!make_piece(rs, &jt->head[0][i], json_head, i, 0) ||
		    !make_piece(rs, &jt->head[1][i], json_head, i, 1) ||
		    !make_piece(rs, &jt->granted[i], json_granted, i, 0) ||
		    !make_piece(rs, &jt->id[i], json_id_piece, i, 0))
			return false;
	rs->json = jt;
	return true;
}

/* The cart's object up to its programs, straight into the sink's buffer
 * when it has room for the most that can take; false when it does not
 * (pt_out_json then writes the same bytes piece by piece). */
static bool json_cart_raw(pt_sink *f, const pt_cart_view *v, int y, int m, int d)
{
	size_t ln = strlen(v->label), on = v->order_id ? strlen(v->order_id) : 0;
	if (f->f || ln + on >= f->cap / 6 || f->len + 6 * (ln + on) + 160 >= f->cap)
		return false;
	char *p = RAW_LIT(f->buf + f->len, "{\"cart\":\"");
	p = raw_json_chars(p, v->label, ln);
	if (v->order_id) {
		p = RAW_LIT(p, "\",\"order_id\":\"");
		p = raw_json_chars(p, v->order_id, on);
		p = RAW_LIT(p, "\",\"date\":\"");
	} else {
		p = RAW_LIT(p, "\",\"order_id\":null,\"date\":\"");
	}
	p = pt_fmt_ymd(p, y, m, d);
	if (v->date_from_order)
		p = RAW_LIT(p, "\",\"date_source\":\"order\",\"total_yen\":");
	else
		p = RAW_LIT(p, "\",\"date_source\":\"today_asia_tokyo\",\"total_yen\":");
	p = raw_int(p, (long long)v->total_yen);
	p = RAW_LIT(p, ",\"programs\":[");
	f->len = (size_t)(p - f->buf);
	return true;
}

/* One JSON object per cart, on one line. */
void pt_out_json(pt_sink *f, const pt_ruleset *rs, const pt_cart_view *v,
		 const pt_prog_result *res, const pt_trace *trace)
{
	int y, m, d;
	pt_date_to_ymd(v->date, &y, &m, &d);   /* as pt_date_format writes it */
	y = (y % 10000 + 10000) % 10000;
	m %= 100;
	d %= 100;
	if (!json_cart_raw(f, v, y, m, d)) {   /* too little room: piece by piece */
		pt_sink_puts(f, "{\"cart\":");
		pt_out_json_str(f, v->label);
		pt_sink_puts(f, ",\"order_id\":");
		if (v->order_id)
			pt_out_json_str(f, v->order_id);
		else
			pt_sink_puts(f, "null");
		pt_sink_puts(f, ",\"date\":\"");
		pt_sink_ymd(f, y, m, d);
		pt_sink_puts(f, v->date_from_order ? "\",\"date_source\":\"order\",\"total_yen\":" :
			     "\",\"date_source\":\"today_asia_tokyo\",\"total_yen\":");
		pt_sink_int(f, (long long)v->total_yen);
		pt_sink_puts(f, ",\"programs\":[");
	}
	for (size_t i = 0; i < rs->nprogs; i++) {
		if (i)
			pt_sink_putc(f, ',');
		pt_prog_result buf;   /* with its reasons in order (fast.h) */
		json_prog(f, rs, i, pt_fast_prog_view(rs, i, &res[i], &buf), trace);
	}
	pt_sink_putc(f, ']');
	if (v->use && v->use->any)
		pt_out_use_json(f, rs, v->use);
	if (trace && rs->npolicies) {   /* --explain: the policies' checks too */
		pt_sink_puts(f, ",\"policies\":[");
		for (size_t j = 0; j < rs->npolicies; j++) {
			pt_sink_puts(f, j ? ",{\"id\":" : "{\"id\":");
			pt_out_json_str(f, rs->policies[j].id);
			pt_sink_puts(f, ",\"name\":");
			pt_out_json_str(f, rs->policies[j].name);
			json_explain(f, rs, rs->nprogs + j, trace);
			pt_sink_putc(f, '}');
		}
		pt_sink_putc(f, ']');
	}
	pt_sink_puts(f, "}\n");
}

/* Format n with thousands separators. */
void pt_out_group(long long n, char *buf, size_t size)
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
static void pad(pt_sink *f, const char *s, int width)
{
	pt_sink_puts(f, s);
	for (int w = pt_text_width(s, strlen(s)); w < width; w++)
		pt_sink_putc(f, ' ');
}

/* Print s right-aligned in `width` columns. */
static void rpad(pt_sink *f, const char *s, int width)
{
	for (int w = pt_text_width(s, strlen(s)); w < width; w++)
		pt_sink_putc(f, ' ');
	pt_sink_puts(f, s);
}

/* The table: one row per program, reasons beside the numbers. */
void pt_out_text(pt_sink *f, const pt_ruleset *rs, const pt_cart_view *v,
		 const pt_prog_result *res, const pt_trace *trace)
{
	char day[16], tot[32], a[64], b[64], c[64], why[2100], r1[1024], r2[1024];
	pt_date_format(v->date, day);
	pt_out_group(v->total_yen, tot, sizeof tot);
	pt_sink_printf(f, "cart %s", v->label);
	if (v->order_id && strcmp(v->order_id, v->label) != 0)
		pt_sink_printf(f, "  order %s", v->order_id);
	pt_sink_printf(f, "  %s%s  %zu item%s  total %s yen\n", day,
		v->date_from_order ? "" : " (today in Japan)", v->n_items, v->n_items == 1 ? "" : "s", tot);
	int namew = 7;
	for (size_t i = 0; i < rs->nprogs; i++) {
		int w = pt_text_width(rs->progs[i].name, strlen(rs->progs[i].name));
		if (res[i].tier >= 0)
			w += 1 + pt_text_width(rs->strs[res[i].tier], strlen(rs->strs[res[i].tier]));
		if (w > namew)
			namew = w;
	}
	pt_sink_puts(f, "  ");
	pad(f, "program", namew);
	pt_sink_puts(f, "  use: points      yen   earn: points  when       why\n");
	pt_sink *out = f;
	for (size_t i = 0; i < rs->nprogs; i++) {
		char row[4096];
		pt_sink rowsink = pt_sink_buf(row, sizeof row);   /* rows are trimmed before printing */
		f = &rowsink;
		const pt_program *pg = &rs->progs[i];
		pt_prog_result buf;   /* with its reasons in order (fast.h) */
		const pt_prog_result *r = pt_fast_prog_view(rs, i, &res[i], &buf);
		bool usable = !r->redeem.failed && r->redeem.status == PT_VM_OK;
		bool earned = !r->earn.failed && r->earn.status == PT_VM_OK;
		char label[512];
		snprintf(label, sizeof label, "%s%s%s", pg->name, r->tier >= 0 ? " " : "",
			 r->tier >= 0 ? rs->strs[r->tier] : "");
		pt_sink_puts(f, "  ");
		pad(f, label, namew);
		if (usable) {
			pt_out_group(whole(r->out[PT_OUT_R_MAX_POINTS]), a, sizeof a);
			pt_out_group(whole(r->out[PT_OUT_R_VALUE_YEN]), b, sizeof b);
		} else {
			snprintf(a, sizeof a, "-");
			snprintf(b, sizeof b, "-");
		}
		if (pg->earns && (earned || r->linked))
			pt_out_group(whole(r->out[PT_OUT_E_POINTS]), c, sizeof c);
		else
			snprintf(c, sizeof c, "-");
		pt_sink_puts(f, "  ");
		rpad(f, a, 11);
		pt_sink_puts(f, " ");
		rpad(f, b, 8);
		pt_sink_puts(f, "  ");
		rpad(f, c, 12);
		pt_sink_puts(f, "  ");
		pad(f, pg->earns && earned && pg->granted ? pg->granted : "", 9);
		reasons(rs, &r->redeem, r1, sizeof r1);
		reasons(rs, &r->earn, r2, sizeof r2);
		if (!pg->earns)
			r2[0] = '\0';   /* spend-only programs: "-" says it all */
		snprintf(why, sizeof why, "%s%s%s%s%s", r1[0] ? "use: " : "", r1, r1[0] && r2[0] ? "; " : "",
			 r2[0] ? "earn: " : "", r2);
		pt_sink_printf(f, "  %s", why);
		size_t rowlen = pt_sink_finish(f);
		if (rowlen >= sizeof row)
			rowlen = sizeof row - 1;
		while (rowlen > 0 && row[rowlen - 1] == ' ')
			rowlen--;
		pt_sink_write(out, row, rowlen);
		pt_sink_putc(out, '\n');
	}
	f = out;
	if (v->use && v->use->any)
		pt_out_use_text(f, rs, v->use);
	if (!trace)
		return;
	for (size_t i = 0; i < rs->nprogs + rs->npolicies; i++) {   /* programs, then policies */
		if (i < rs->nprogs)
			pt_sink_printf(f, "  explain %s:\n", rs->progs[i].id);
		else
			pt_sink_printf(f, "  explain policy %s:\n", rs->policies[i - rs->nprogs].id);
		for (size_t k = 0; k < rs->nrules; k++) {
			const pt_rule_def *rd = &rs->rules[k];
			if ((size_t)rd->prog != i)
				continue;
			const pt_trace_event *ev = find_event(trace, (uint32_t)k);
			pt_sink_printf(f, "    %s:%d: %s => ", rs->files[rd->file], rd->line, rd->text);
			if (ev)
				explain_value(f, rd, ev->value, false);
			else
				pt_sink_puts(f, "(not reached)");
			pt_sink_putc(f, '\n');
		}
	}
}
