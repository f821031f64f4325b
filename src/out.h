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
/* Shared by the printers: thousands separators; a JSON string. */
void pt_out_group(long long n, char *buf, size_t size);
void pt_out_json_str(pt_sink *f, const char *s);

#endif
