/* cmd_diff_report.c - the report of `ptrules diff` (prefix dreport_):
 * the text layout (aligned tables, histograms, --fail-if results) and
 * the one-object JSON form (docs/ci.md). */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptrules.h"

#include "cmd_diff.h"

static const char *const bucket_label[NBUCKETS] = { "< -100", "-100..-11", "-10..-1", "0",
						    "1..10", "11..100", "> 100" };
static const char *const bucket_min[NBUCKETS] = { "null", "-100", "-10", "0", "1", "11", "101" };
static const char *const bucket_max[NBUCKETS] = { "-101", "-11", "-1", "0", "10", "100", "null" };

/* ---- output ------------------------------------------------------------------ */

/* A small table: cells of text, the first column left-aligned, the others
 * right-aligned, two spaces apart. */
#define TCOLS 8

typedef struct table {
	int ncols, nrows, cap;
	char (*cell)[TCOLS][TCELL];
	int left[TCOLS];
} table;

static int table_init(table *t, int ncols, int rows)
{
	t->ncols = ncols;
	t->nrows = 0;
	t->cap = rows;
	t->cell = calloc((size_t)rows, sizeof *t->cell);
	memset(t->left, 0, sizeof t->left);
	t->left[0] = 1;
	return t->cell != NULL;
}

static char *table_row(table *t)
{
	return t->nrows < t->cap ? t->cell[t->nrows++][0] : NULL;
}

static void table_set(table *t, int col, const char *s)
{
	snprintf(t->cell[t->nrows - 1][col], TCELL, "%s", s);
}

/* Display width: one column per UTF-8 character. */
static int width(const char *s)
{
	int w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

static void table_print(table *t, FILE *out)
{
	int w[TCOLS] = { 0 };
	for (int r = 0; r < t->nrows; r++)
		for (int c = 0; c < t->ncols; c++)
			if (width(t->cell[r][c]) > w[c])
				w[c] = width(t->cell[r][c]);
	for (int r = 0; r < t->nrows; r++) {
		fputs("  ", out);
		int pad = 0;
		for (int c = 0; c < t->ncols; c++) {
			const char *s = t->cell[r][c];
			int sw = width(s);
			if (c > 0)
				pad += 2;
			if (!t->left[c])
				pad += w[c] - sw;
			/* trailing blanks never printed: pad lazily */
			if (*s) {
				fprintf(out, "%*s%s", pad, "", s);
				pad = 0;
			}
			if (t->left[c])
				pad += w[c] - sw;
		}
		fputc('\n', out);
	}
	free(t->cell);
	t->cell = NULL;
}

static void print_paths(FILE *out, const char *const *paths, int n)
{
	for (int i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? ", " : "", paths[i]);
}

static void text_totals(const diff *df, int earn)
{
	table t;
	char a[40], b[40], c[40], d[40];
	if (!table_init(&t, 7, (int)df->nprogs + 1))
		return;
	printf("%s\n", earn ? "earned points" : "redeemable yen");
	table_row(&t);
	table_set(&t, 0, "program");
	table_set(&t, 1, "before");
	table_set(&t, 2, "after");
	table_set(&t, 3, "change");
	table_set(&t, 4, "%");
	table_set(&t, 5, "carts up");
	table_set(&t, 6, "down");
	for (size_t p = 0; p < df->nprogs; p++) {
		const prog *pg = &df->progs[p];
		const totals *x = earn ? &pg->earn : &pg->redeem;
		table_row(&t);
		table_set(&t, 0, pg->id);
		table_set(&t, 1, dnum_fmt(a, sizeof a, x->before, 0));
		table_set(&t, 2, dnum_fmt(b, sizeof b, x->after, 0));
		table_set(&t, 3, dnum_fmt(c, sizeof c, x->after - x->before, 1));
		table_set(&t, 4, dnum_pct(d, sizeof d, x->after - x->before, x->before, 1));
		table_set(&t, 5, dnum_fmt(a, sizeof a, x->up, 0));
		table_set(&t, 6, dnum_fmt(b, sizeof b, x->down, 0));
	}
	table_print(&t, stdout);
	putchar('\n');
}

static void text_top(const diff *df, const top *list, int n, int earn)
{
	int64_t with = 0;
	for (size_t p = 0; p < df->nprogs; p++)
		with += earn ? df->progs[p].earn.up + df->progs[p].earn.down
			     : df->progs[p].redeem.up + df->progs[p].redeem.down;
	if (n == 0) {
		printf("largest %s changes: none\n\n", earn ? "earn" : "redeem");
		return;
	}
	char a[40], b[40], c[40];
	printf("largest %s changes (top %d of %s, by |%s change|)\n", earn ? "earn" : "redeem", n,
	       dnum_fmt(a, sizeof a, with, 0), earn ? "points" : "yen");
	table t;
	if (!table_init(&t, 5, n + 1))
		return;
	table_row(&t);
	table_set(&t, 0, "cart");
	table_set(&t, 1, "program");
	table_set(&t, 2, "before");
	table_set(&t, 3, "after");
	table_set(&t, 4, "change");
	t.left[1] = 1;
	for (int i = 0; i < n; i++) {
		table_row(&t);
		table_set(&t, 0, list[i].label);
		table_set(&t, 1, df->progs[list[i].prog].id);
		table_set(&t, 2, dnum_fmt(a, sizeof a, list[i].before, 0));
		table_set(&t, 3, dnum_fmt(b, sizeof b, list[i].after, 0));
		table_set(&t, 4, dnum_fmt(c, sizeof c, list[i].change, 1));
	}
	table_print(&t, stdout);
	putchar('\n');
}

static void text_hist(const diff *df)
{
	for (size_t p = 0; p < df->nprogs; p++) {
		const prog *pg = &df->progs[p];
		if (!pg->earn.before && !pg->earn.after && !pg->earn.up && !pg->earn.down)
			continue;
		printf("earn change per cart: %s (points)\n", pg->id);
		int64_t max = 0;
		for (int b = 0; b < NBUCKETS; b++)
			if (pg->hist[b] > max)
				max = pg->hist[b];
		table t;
		if (!table_init(&t, 3, NBUCKETS))
			return;
		t.left[2] = 1;
		for (int b = 0; b < NBUCKETS; b++) {
			char a[40], bar[48];
			int64_t len = max ? pg->hist[b] * 40 / max : 0;
			if (pg->hist[b] && len == 0)
				len = 1;
			memset(bar, '#', (size_t)len);
			bar[len] = '\0';
			table_row(&t);
			table_set(&t, 0, bucket_label[b]);
			table_set(&t, 1, dnum_fmt(a, sizeof a, pg->hist[b], 0));
			table_set(&t, 2, bar);
		}
		table_print(&t, stdout);
		putchar('\n');
	}
}

static void text_fail_if(const diff *df, const run *ru, const int *results)
{
	for (int i = 0; i < ru->nexprs; i++) {
		const fexpr *e = &ru->exprs[i];
		printf("fail-if %s: %s\n", e->text, results[i] ? "true" : "false");
		int ids[MAX_NODES], n = 0;
		fexpr_cmps(e, e->root, ids, &n);
		table t;
		if (!table_init(&t, 3, n))
			return;
		t.left[1] = t.left[2] = 1;
		for (int k = 0; k < n; k++) {
			char s[TCELL], v[TCELL];
			fexpr_cmp_text(e, &e->n[ids[k]], s, sizeof s);
			fexpr_cmp_value(df, &e->n[ids[k]], v, sizeof v);
			table_row(&t);
			table_set(&t, 0, s);
			table_set(&t, 1, fexpr_eval_cmp(df, &e->n[ids[k]]) ? "true" : "false");
			table_set(&t, 2, v);
		}
		table_print(&t, stdout);
		putchar('\n');
	}
}

/* The text report: summary, totals tables, largest changes, histograms,
 * errors and --fail-if results. */
void dreport_text(const diff *df, const run *ru, const int *results)
{
	char a[40], b[40], c[40], d[40], e[40];
	printf("ptrules diff: old ");
	print_paths(stdout, ru->old_paths, ru->nold);
	printf(", new ");
	print_paths(stdout, ru->new_paths, ru->nnew);
	printf("\ncarts: %s in %s file%s; changed: %s (%s); errors: %s\n\n", dnum_fmt(a, sizeof a, df->carts, 0),
	       dnum_fmt(b, sizeof b, df->files, 0), df->files == 1 ? "" : "s", dnum_fmt(c, sizeof c, df->changed, 0),
	       dnum_pct(d, sizeof d, df->changed, df->carts, 0), dnum_fmt(e, sizeof e, df->errors, 0));
	if (df->nprogs) {
		printf("changed carts per program:");
		for (size_t p = 0; p < df->nprogs; p++) {
			const prog *pg = &df->progs[p];
			printf(" %s %s%s%s", pg->id, dnum_fmt(a, sizeof a, pg->changed, 0),
			       pg->old_i < 0 ? " (new program)" : pg->new_i < 0 ? " (removed)" : "",
			       p + 1 < df->nprogs ? "," : "");
		}
		printf("\n\n");
	}
	text_totals(df, 1);
	text_totals(df, 0);
	if (df->topn > 0)
		text_top(df, df->earn_top, df->n_earn_top, 1);
	if (df->topn > 0 && df->n_redeem_top)
		text_top(df, df->redeem_top, df->n_redeem_top, 0);
	text_hist(df);
	if (df->errors) {
		printf("carts with errors (%s):", dnum_fmt(a, sizeof a, df->errors, 0));
		for (int i = 0; i < df->nerrs; i++)
			printf(" %s (%s)%s", df->errs[i].label,
			       strcmp(df->errs[i].under, "cart") == 0 ? "cart" :
			       strcmp(df->errs[i].under, "both") == 0 ? "old and new rules" :
			       strcmp(df->errs[i].under, "old") == 0 ? "old rules" : "new rules",
			       i + 1 < df->nerrs ? "," : "");
		if (df->errors > df->nerrs)
			printf(" and %s more", dnum_fmt(a, sizeof a, df->errors - df->nerrs, 0));
		printf("\n\n");
	}
	text_fail_if(df, ru, results);
}

static void json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p == '\t')
			fputs("\\t", out);
		else if (*p < 0x20 || *p == 0x7F)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static void json_paths(FILE *out, const char *const *paths, int n)
{
	fputc('[', out);
	for (int i = 0; i < n; i++) {
		if (i)
			fputc(',', out);
		json_str(out, paths[i]);
	}
	fputc(']', out);
}

static void json_bp(FILE *out, int64_t part, int64_t whole)
{
	int ok;
	int64_t bp = dnum_bp(part, whole, &ok);
	if (ok)
		fprintf(out, "%" PRId64, bp);
	else
		fputs("null", out);
}

static void json_totals(FILE *out, const totals *x, int earn)
{
	const char *y = earn ? "" : "_yen";
	fprintf(out, "\"total_before%s\":%" PRId64 ",\"total_after%s\":%" PRId64 ",\"total_change%s\":%" PRId64
		",\"total_change_bp\":",
		y, x->before, y, x->after, y, x->after - x->before);
	json_bp(out, x->after - x->before, x->before);
	fprintf(out, ",\"carts_up\":%" PRId64 ",\"carts_down\":%" PRId64 ",\"max_increase%s\":%" PRId64
		",\"max_decrease%s\":%" PRId64,
		x->up, x->down, y, x->max_inc, y, x->max_dec);
}

static void json_top(FILE *out, const diff *df, const top *list, int n, int earn)
{
	const char *y = earn ? "" : "_yen";
	fputc('[', out);
	for (int i = 0; i < n; i++) {
		fputs(i ? ",{\"cart\":" : "{\"cart\":", out);
		json_str(out, list[i].label);
		fputs(",\"program\":", out);
		json_str(out, df->progs[list[i].prog].id);
		fprintf(out, ",\"before%s\":%" PRId64 ",\"after%s\":%" PRId64 ",\"change%s\":%" PRId64 "}", y,
			list[i].before, y, list[i].after, y, list[i].change);
	}
	fputc(']', out);
}

/* The JSON report: one object, the same figures as the text report. */
void dreport_json(const diff *df, const run *ru, const int *results)
{
	FILE *out = stdout;
	fputs("{\"old\":", out);
	json_paths(out, ru->old_paths, ru->nold);
	fputs(",\"new\":", out);
	json_paths(out, ru->new_paths, ru->nnew);
	fprintf(out, ",\"files\":%" PRId64 ",\"carts\":%" PRId64 ",\"changed_carts\":%" PRId64
		",\"error_carts\":%" PRId64 ",\"programs\":[",
		df->files, df->carts, df->changed, df->errors);
	for (size_t p = 0; p < df->nprogs; p++) {
		const prog *pg = &df->progs[p];
		fputs(p ? ",{\"id\":" : "{\"id\":", out);
		json_str(out, pg->id);
		fputs(",\"name\":", out);
		json_str(out, pg->name);
		fprintf(out, ",\"in_old\":%s,\"in_new\":%s,\"changed_carts\":%" PRId64 ",\"earn\":{",
			pg->old_i >= 0 ? "true" : "false", pg->new_i >= 0 ? "true" : "false", pg->changed);
		json_totals(out, &pg->earn, 1);
		fputs(",\"histogram\":[", out);
		for (int b = 0; b < NBUCKETS; b++) {
			fprintf(out, "%s{\"range\":", b ? "," : "");
			json_str(out, bucket_label[b]);
			fprintf(out, ",\"min\":%s,\"max\":%s,\"carts\":%" PRId64 "}", bucket_min[b], bucket_max[b],
				pg->hist[b]);
		}
		fputs("]},\"redeem\":{", out);
		json_totals(out, &pg->redeem, 0);
		fputs("}}", out);
	}
	fputs("],\"largest_earn_changes\":", out);
	json_top(out, df, df->earn_top, df->n_earn_top, 1);
	fputs(",\"largest_redeem_changes\":", out);
	json_top(out, df, df->redeem_top, df->n_redeem_top, 0);
	fputs(",\"errors\":[", out);
	for (int i = 0; i < df->nerrs; i++) {
		fputs(i ? ",{\"cart\":" : "{\"cart\":", out);
		json_str(out, df->errs[i].label);
		fputs(",\"under\":", out);
		json_str(out, df->errs[i].under);
		fputc('}', out);
	}
	fputs("],\"fail_if\":[", out);
	for (int i = 0; i < ru->nexprs; i++) {
		const fexpr *e = &ru->exprs[i];
		fputs(i ? ",{\"expression\":" : "{\"expression\":", out);
		json_str(out, e->text);
		fprintf(out, ",\"result\":%s,\"comparisons\":[", results[i] ? "true" : "false");
		int ids[MAX_NODES], n = 0;
		fexpr_cmps(e, e->root, ids, &n);
		for (int k = 0; k < n; k++) {
			const fnode *c = &e->n[ids[k]];
			char s[TCELL];
			fval f = fexpr_value(df, c);
			fexpr_cmp_text(e, c, s, sizeof s);
			fputs(k ? ",{\"text\":" : "{\"text\":", out);
			json_str(out, s);
			fprintf(out, ",\"result\":%s,\"value\":%" PRId64, fexpr_eval_cmp(df, c) ? "true" : "false", f.v);
			if (c->percent) {
				fprintf(out, ",\"base\":%" PRId64 ",\"value_bp\":", f.base);
				json_bp(out, f.v, f.base);
			}
			fputc('}', out);
		}
		fputs("]}", out);
	}
	fputs("]}\n", out);
}
