/* out.h - printing evaluation results: the text table, JSON Lines and
 * the --explain trace. */
#ifndef PT_OUT_H
#define PT_OUT_H

#include "sink.h"

#include "vm.h"

/* Facts about one evaluated cart that the printers show. */
typedef struct pt_cart_view {
	const char *label;       /* cart id, or file name (with #N) */
	const char *order_id;    /* may be NULL */
	int32_t date;
	bool date_from_order;    /* false: today in Asia/Tokyo */
	int64_t total_yen;
	size_t n_items;
} pt_cart_view;

void pt_out_json(pt_sink *f, const pt_ruleset *rs, const pt_cart_view *v,
		 const pt_prog_result *res, const pt_trace *trace);
void pt_out_text(pt_sink *f, const pt_ruleset *rs, const pt_cart_view *v,
		 const pt_prog_result *res, const pt_trace *trace);

#endif
