/* out.h - printing evaluation results: the text table, JSON Lines and
 * the --explain trace. */
#ifndef PT_OUT_H
#define PT_OUT_H

#include "sink.h"

#include "use.h"
#include "vm.h"

/* Facts about one evaluated cart that the printers show. */
typedef struct pt_cart_view {
	const char *label;       /* cart id, or file name (with #N) */
	const char *order_id;    /* may be NULL */
	int32_t date;
	bool date_from_order;    /* false: today in Asia/Tokyo */
	int64_t total_yen;
	size_t n_items;
	const pt_use_report *use; /* the checked `use` records, or NULL */
} pt_cart_view;

void pt_out_json(pt_sink *f, const pt_ruleset *rs, const pt_cart_view *v,
		 const pt_prog_result *res, const pt_trace *trace);
void pt_out_text(pt_sink *f, const pt_ruleset *rs, const pt_cart_view *v,
		 const pt_prog_result *res, const pt_trace *trace);

/* The order's intended use: a "use" member of the cart's JSON object,
 * or lines under the text table (out_use.c). */
void pt_out_use_json(pt_sink *f, const pt_ruleset *rs, const pt_use_report *u);
void pt_out_use_text(pt_sink *f, const pt_ruleset *rs, const pt_use_report *u);
/* A rule set's strings as JSON text, escaped once when the rule set is
 * indexed, so that printing a cart copies bytes instead of escaping the
 * same program names and reasons again for every cart. */
typedef struct pt_out_piece {
	const char *s;
	size_t n;
} pt_out_piece;

typedef struct pt_out_jtext {
	pt_out_piece *str;       /* rs->strs[i] as a JSON string, quotes included */
	size_t *str_len;         /* strlen(rs->strs[i]): reasons are cut by their raw length */
	pt_out_piece *head[2];   /* per program: {"id":..,"name":..,"linked":false|true,"tier": */
	pt_out_piece *granted;   /* per program: ,"granted":..,"reason": */
	pt_out_piece *id;        /* per program: its id as a JSON string */
} pt_out_jtext;

/* Build rs->json in the rule set's arena; false when out of memory. */
bool pt_out_prepare(pt_ruleset *rs);

/* Shared by the printers: thousands separators; a JSON string. */
void pt_out_group(long long n, char *buf, size_t size);
void pt_out_json_str(pt_sink *f, const char *s);
/* s[0..n) escaped for a JSON string, without the quotes. */
void pt_out_json_chars(pt_sink *f, const char *s, size_t n);

#endif
