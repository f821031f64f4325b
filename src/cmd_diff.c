/* cmd_diff.c - `ptrules diff`: what a rule change does to a corpus of carts.
 *
 *   ptrules diff --old PATH --new PATH [--format text|json] [--fail-if EXPR]
 *                [--top N] CART...
 *
 * Every cart is evaluated under both rule sets.  The report gives the
 * number of carts, the carts whose results changed (any field of any
 * program), per program the earned points and redeemable yen before and
 * after, the largest per-cart changes and a histogram of per-cart earn
 * changes.  --fail-if turns the report into an exit code for CI.
 *
 * All arithmetic is on integers: totals are exact int64 sums (checked for
 * overflow), percentages are basis points rounded half away from zero for
 * display, and --fail-if compares percentages exactly by cross
 * multiplication in 128 bits.
 *
 * Exit codes: 0 no error and no --fail-if condition true; 1 a rules error,
 * a cart that could not be read or evaluated under either rule set, or a
 * --fail-if condition true; 2 a usage error (including a bad --fail-if
 * expression).
 *
 * This file is the driver (options, loading both rule sets, evaluating
 * and comparing every cart); the --fail-if language is in cmd_diff_expr.c,
 * the exact arithmetic and number formatting in cmd_diff_num.c and the
 * text and JSON reports in cmd_diff_report.c (shared types: cmd_diff.h).
 *
 * Built on the public API (include/ptrules.h) and libc only. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ptrules.h"

#include "cli.h"
#include "cmd_diff.h"

static const char diff_usage[] =
	"usage: ptrules diff --old PATH --new PATH [--format text|json] [--fail-if EXPR] [--top N] CART...\n"
	"  --old PATH      the rule set before the change: a .rules file, a directory\n"
	"                  of them (repeatable), or one compiled .ptbc file\n"
	"  --new PATH      the rule set after the change, likewise\n"
	"  --format F      text (the default) or json (one object)\n"
	"  --fail-if EXPR  exit 1 when EXPR holds, e.g. 'earn.dpoint.total_change < -2%'\n"
	"                  or 'changed_carts > 100' (repeatable; see docs/ci.md)\n"
	"  --top N         how many of the largest changes to list (0..100, default 10)\n"
	"  CART            a cart file, a directory (its *.txt files), or - for stdin\n";

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("ptrules diff: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	fputs(diff_usage, stderr);
	return 2;
}

/* ---- the comparison ------------------------------------------------------- */

static int bucket_of(int64_t change)
{
	if (change < -100)
		return 0;
	if (change <= -11)
		return 1;
	if (change <= -1)
		return 2;
	if (change == 0)
		return 3;
	if (change <= 10)
		return 4;
	if (change <= 100)
		return 5;
	return 6;
}

static void add(diff *df, int64_t *acc, int64_t v)
{
	if (__builtin_add_overflow(*acc, v, acc))
		df->overflow = 1;
}

/* The label `ptrules eval` gives a cart, truncated at a character
 * boundary. */
static void cart_label(char *buf, const ptrules_cart *c, const ptrules_reader *r, const char *name)
{
	int idx = ptrules_reader_index(r);
	if (ptrules_cart_id(c))
		snprintf(buf, LABEL_MAX, "%s", ptrules_cart_id(c));
	else if (ptrules_reader_has_cart_lines(r) || idx > 1)
		snprintf(buf, LABEL_MAX, "%s#%d", name, idx);
	else
		snprintf(buf, LABEL_MAX, "%s", name);
	/* cut at a character boundary when the label did not fit */
	size_t n = strlen(buf);
	if (n == LABEL_MAX - 1) {
		size_t lead = n;
		while (lead > 0 && ((unsigned char)buf[lead - 1] & 0xC0) == 0x80)
			lead--;
		if (lead > 0 && ((unsigned char)buf[lead - 1] & 0x80)) {
			unsigned char b = (unsigned char)buf[lead - 1];
			size_t need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
			if (n - (lead - 1) < need)
				buf[lead - 1] = '\0';
		}
	}
}

static void record_error(diff *df, const char *label, const char *under)
{
	df->errors++;
	if (df->nerrs < MAX_ERR_LIST) {
		snprintf(df->errs[df->nerrs].label, LABEL_MAX, "%s", label);
		df->errs[df->nerrs].under = under;
		df->nerrs++;
	}
}

/* Insert into a top list sorted by |change| descending; ties keep the
 * corpus order. */
static void top_insert(top *list, int *n, int cap, const char *label, size_t p, int64_t before, int64_t after,
		       int64_t change)
{
	uint64_t m = dnum_mag(change);
	if (cap == 0 || change == 0 || (*n == cap && m <= dnum_mag(list[*n - 1].change)))
		return;
	int i = *n < cap ? (*n)++ : cap - 1;
	while (i > 0 && dnum_mag(list[i - 1].change) < m) {
		list[i] = list[i - 1];
		i--;
	}
	snprintf(list[i].label, LABEL_MAX, "%s", label);
	list[i].prog = p;
	list[i].before = before;
	list[i].after = after;
	list[i].change = change;
}

static int same_str(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static int same_result(const ptrules_result *a, const ptrules_result *b)
{
	if (a->linked != b->linked || !same_str(a->name, b->name) || !same_str(a->tier, b->tier) ||
	    a->redeem_usable != b->redeem_usable || a->redeem_max_points != b->redeem_max_points ||
	    a->redeem_value_yen != b->redeem_value_yen || a->redeem_nreasons != b->redeem_nreasons ||
	    a->earn_points != b->earn_points || a->earn_basis_yen != b->earn_basis_yen ||
	    !same_str(a->earn_granted, b->earn_granted) || a->earn_nreasons != b->earn_nreasons ||
	    a->runtime_error != b->runtime_error)
		return 0;
	for (int i = 0; i < a->redeem_nreasons && i < PTRULES_MAX_REASONS; i++)
		if (!same_str(a->redeem_reasons[i], b->redeem_reasons[i]))
			return 0;
	for (int i = 0; i < a->earn_nreasons && i < PTRULES_MAX_REASONS; i++)
		if (!same_str(a->earn_reasons[i], b->earn_reasons[i]))
			return 0;
	return 1;
}

/* Whether every diagnostic of b is also in a (same place and message). */
static int diags_within(const ptrules_diags *a, const ptrules_diags *b)
{
	size_t na = ptrules_diags_count(a), nb = ptrules_diags_count(b);
	for (size_t j = 0; j < nb; j++) {
		ptrules_diag y;
		ptrules_diags_get(b, j, &y);
		int found = 0;
		for (size_t i = 0; i < na && !found; i++) {
			ptrules_diag x;
			ptrules_diags_get(a, i, &x);
			found = x.severity == y.severity && x.line == y.line && x.col == y.col &&
				same_str(x.message, y.message) && same_str(x.file, y.file);
		}
		if (!found)
			return 0;
	}
	return 1;
}

static void show_diags(diff *df, const ptrules_diags *d, const char *heading)
{
	size_t n = ptrules_diags_count(d);
	if (!n)
		return;
	if (df->diags_shown >= MAX_SHOWN_DIAGS) {
		df->diags_hidden += n;
		return;
	}
	if (heading)
		fprintf(stderr, "ptrules diff: %s\n", heading);
	ptrules_diags_print(d, stderr);
	df->diags_shown += n;
}

/* A rule that failed at run time: name it. */
static void show_runtime(diff *df, const ptrules_eval *e, const char *label, const char *side)
{
	size_t n = ptrules_result_count(e);
	for (size_t i = 0; i < n; i++) {
		ptrules_result r;
		if (ptrules_result_get(e, i, &r) != PTRULES_OK || !r.runtime_error)
			continue;
		if (df->diags_shown >= MAX_SHOWN_DIAGS) {
			df->diags_hidden++;
			continue;
		}
		df->diags_shown++;
		fprintf(stderr, "%s:%d: error: cart %s: program %s failed at run time under the %s rules\n",
			r.error_file ? r.error_file : "?", r.error_line, label, r.id, side);
	}
}

/* Compare the results of one cart evaluated under both rule sets. */
static void compare_cart(diff *df, const char *label)
{
	int cart_changed = 0;
	for (size_t p = 0; p < df->nprogs; p++) {
		prog *pg = &df->progs[p];
		ptrules_result ro, rn;
		int ho = pg->old_i >= 0 && ptrules_result_get(df->eo, (size_t)pg->old_i, &ro) == PTRULES_OK;
		int hn = pg->new_i >= 0 && ptrules_result_get(df->en, (size_t)pg->new_i, &rn) == PTRULES_OK;
		int64_t eb = ho ? ro.earn_points : 0, ea = hn ? rn.earn_points : 0;
		int64_t yb = ho ? ro.redeem_value_yen : 0, ya = hn ? rn.redeem_value_yen : 0;
		int changed = ho != hn || (ho && hn && !same_result(&ro, &rn));
		if (changed) {
			pg->changed++;
			cart_changed = 1;
		}
		int64_t de, dy;
		if (__builtin_sub_overflow(ea, eb, &de) || __builtin_sub_overflow(ya, yb, &dy)) {
			df->overflow = 1;
			continue;
		}
		add(df, &pg->earn.before, eb);
		add(df, &pg->earn.after, ea);
		add(df, &pg->redeem.before, yb);
		add(df, &pg->redeem.after, ya);
		pg->hist[bucket_of(de)]++;
		if (de > 0) {
			pg->earn.up++;
			if (de > pg->earn.max_inc)
				pg->earn.max_inc = de;
		} else if (de < 0) {
			pg->earn.down++;
			if (-de > pg->earn.max_dec)
				pg->earn.max_dec = -de;
		}
		if (dy > 0) {
			pg->redeem.up++;
			if (dy > pg->redeem.max_inc)
				pg->redeem.max_inc = dy;
		} else if (dy < 0) {
			pg->redeem.down++;
			if (-dy > pg->redeem.max_dec)
				pg->redeem.max_dec = -dy;
		}
		top_insert(df->earn_top, &df->n_earn_top, df->topn, label, p, eb, ea, de);
		top_insert(df->redeem_top, &df->n_redeem_top, df->topn, label, p, yb, ya, dy);
	}
	if (cart_changed)
		df->changed++;
}

/* Evaluate and compare every cart of one file, streamed (memory holds one
 * cart, however big the file); 0 if the file could not be opened or a
 * read failed part way (the carts before it are compared). */
static int diff_file(diff *df, const char *path)
{
	cli_carts cf;
	df->files++;
	if (!cli_carts_open(&cf, path))
		return 0;
	ptrules_reader *r = cf.r;
	const char *name = cf.name;
	const ptrules_cart *c;
	char label[LABEL_MAX];
	while (ptrules_reader_next(r, &c, df->dold)) {
		df->carts++;
		cart_label(label, c, r, name);
		if (ptrules_cart_errors(c)) {
			show_diags(df, df->dold, NULL);
			ptrules_diags_clear(df->dold);
			record_error(df, label, "cart");
			continue;
		}
		ptrules_status so = ptrules_evaluate(df->eo, c, df->dold);
		ptrules_status sn = ptrules_evaluate(df->en, c, df->dnew);
		if (diags_within(df->dold, df->dnew) && diags_within(df->dnew, df->dold)) {
			show_diags(df, df->dold, NULL);
		} else {
			char h[LABEL_MAX + 64];
			snprintf(h, sizeof h, "cart %s under the old rules:", label);
			show_diags(df, df->dold, h);
			snprintf(h, sizeof h, "cart %s under the new rules:", label);
			show_diags(df, df->dnew, h);
		}
		ptrules_diags_clear(df->dold);
		ptrules_diags_clear(df->dnew);
		if (so == PTRULES_ERUNTIME)
			show_runtime(df, df->eo, label, "old");
		if (sn == PTRULES_ERUNTIME)
			show_runtime(df, df->en, label, "new");
		if (so != PTRULES_OK || sn != PTRULES_OK) {
			record_error(df, label, so != PTRULES_OK && sn != PTRULES_OK ? "both" : so != PTRULES_OK ? "old" : "new");
			continue;
		}
		compare_cart(df, label);
	}
	/* problems after the last cart (none today, but the reader may report) */
	show_diags(df, df->dold, NULL);
	ptrules_diags_clear(df->dold);
	return cli_carts_close(&cf);
}

/* ---- the command ------------------------------------------------------------- */

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The *.txt files of a directory, sorted, appended to *list. */
static int list_dir(const char *dir, char ***list, int *n, int *cap)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "%s: error: cannot open: %s\n", dir, strerror(errno));
		return 0;
	}
	int first = *n;
	struct dirent *ent;
	while ((ent = readdir(d))) {
		size_t len = strlen(ent->d_name);
		if (ent->d_name[0] == '.' || len < 5 || strcmp(ent->d_name + len - 4, ".txt") != 0)
			continue;
		if (*n == *cap) {
			int nc = *cap ? *cap * 2 : 16;
			char **nl = realloc(*list, (size_t)nc * sizeof **list);
			if (!nl)
				break;
			*list = nl;
			*cap = nc;
		}
		size_t dl = strlen(dir);
		char *p = malloc(dl + len + 2);
		if (!p)
			break;
		snprintf(p, dl + len + 2, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", ent->d_name);
		(*list)[(*n)++] = p;
	}
	closedir(d);
	qsort(*list + first, (size_t)(*n - first), sizeof **list, str_cmp);
	return 1;
}

/* Load one side's rule set; NULL with diagnostics printed. */
static ptrules_rules *load_side(const char *side, const char **paths, int n)
{
	ptrules_diags *d = ptrules_diags_new();
	ptrules_rules *r = NULL;
	if (!d) {
		fputs("ptrules diff: out of memory\n", stderr);
		return NULL;
	}
	ptrules_status st;
	if (n == 1 && ptrules_is_bytecode_file(paths[0]))
		st = ptrules_load_bytecode_file(&r, paths[0], d);
	else
		st = ptrules_load_paths(&r, paths, (size_t)n, d);
	if (ptrules_diags_count(d) || st != PTRULES_OK) {
		if (st != PTRULES_OK)
			fprintf(stderr, "ptrules diff: the %s rules cannot be loaded:\n", side);
		cli_report(d);
		if (st != PTRULES_OK && !ptrules_diags_errors(d))
			fprintf(stderr, "ptrules diff: error: %s\n", ptrules_strerror(st));
	}
	ptrules_diags_free(d);
	return st == PTRULES_OK ? r : NULL;
}

/* The union of both rule sets' programs: the old ones in order, then the
 * ones only the new rules have. */
static int build_programs(diff *df, ptrules_rules *ro, ptrules_rules *rn)
{
	size_t no = ptrules_program_count(ro), nn = ptrules_program_count(rn);
	df->progs = calloc(no + nn + 1, sizeof *df->progs);
	if (!df->progs)
		return 0;
	for (size_t i = 0; i < no; i++) {
		prog *p = &df->progs[df->nprogs++];
		p->id = ptrules_program_id(ro, i);
		p->name = ptrules_program_name(ro, i);
		p->old_i = (int)i;
		p->new_i = -1;
	}
	for (size_t j = 0; j < nn; j++) {
		const char *id = ptrules_program_id(rn, j);
		size_t i;
		for (i = 0; i < df->nprogs; i++)
			if (strcmp(df->progs[i].id, id) == 0)
				break;
		if (i == df->nprogs) {
			prog *p = &df->progs[df->nprogs++];
			p->id = id;
			p->name = ptrules_program_name(rn, j);
			p->old_i = -1;
		}
		df->progs[i].new_i = (int)j;
	}
	return 1;
}

int cmd_diff(int argc, char **argv)
{
	const char **old_paths = calloc((size_t)argc + 1, sizeof *old_paths);
	const char **new_paths = calloc((size_t)argc + 1, sizeof *new_paths);
	const char **texts = calloc((size_t)argc + 1, sizeof *texts);
	const char **carts = calloc((size_t)argc + 1, sizeof *carts);
	fexpr *exprs = NULL;
	char **files = NULL;
	int nold = 0, nnew = 0, ntexts = 0, ncarts = 0, nfiles = 0, capfiles = 0, json = 0, topn = 10;
	int rc = 0, dashdash = 0;
	ptrules_rules *ro = NULL, *rn = NULL;
	diff *df = NULL;
	int *results = NULL;
	if (!old_paths || !new_paths || !texts || !carts) {
		fputs("ptrules diff: out of memory\n", stderr);
		rc = 1;
		goto done;
	}
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (dashdash || a[0] != '-' || a[1] == '\0') {
			carts[ncarts++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			dashdash = 1;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(diff_usage, stdout);
			goto done;
		}
		static const char *const opts[] = { "--old", "--new", "--format", "--fail-if", "--top" };
		int k = -1;
		const char *v = NULL;
		for (int j = 0; j < 5 && k < 0; j++) {
			size_t n = strlen(opts[j]);
			if (strncmp(a, opts[j], n) == 0 && (a[n] == '\0' || a[n] == '=')) {
				k = j;
				v = a[n] == '=' ? a + n + 1 : (i + 1 < argc ? argv[++i] : NULL);
			}
		}
		if (k < 0) {
			rc = usage_error("unknown option '%s'", a);
			goto done;
		}
		if (!v || (!*v && k != 3)) {
			rc = usage_error("%s needs a value", opts[k]);
			goto done;
		}
		switch (k) {
		case 0: old_paths[nold++] = v; break;
		case 1: new_paths[nnew++] = v; break;
		case 2:
			if (strcmp(v, "text") == 0)
				json = 0;
			else if (strcmp(v, "json") == 0)
				json = 1;
			else {
				rc = usage_error("--format must be text or json, found '%s'", v);
				goto done;
			}
			break;
		case 3: texts[ntexts++] = v; break;
		default: {
			char *end;
			errno = 0;
			long t = strtol(v, &end, 10);
			if (*end || errno || t < 0 || t > MAX_TOP || !(v[0] >= '0' && v[0] <= '9')) {
				rc = usage_error("--top must be a number from 0 to 100, found '%s'", v);
				goto done;
			}
			topn = (int)t;
		}
		}
	}
	if (!nold || !nnew) {
		rc = usage_error(!nold ? "diff needs --old PATH (the rules before the change)%s"
				       : "diff needs --new PATH (the rules after the change)%s", "");
		goto done;
	}
	for (int side = 0; side < 2; side++) {
		const char **paths = side ? new_paths : old_paths;
		int n = side ? nnew : nold;
		for (int i = 0; n > 1 && i < n; i++)
			if (ptrules_is_bytecode_file(paths[i])) {
				rc = usage_error("a compiled .ptbc file must be the only path of its side: '%s'",
						 paths[i]);
				goto done;
			}
	}
	if (!ncarts) {
		rc = usage_error("diff needs at least one cart file or directory (- for stdin)%s", "");
		goto done;
	}
	exprs = calloc((size_t)ntexts + 1, sizeof *exprs);
	results = calloc((size_t)ntexts + 1, sizeof *results);
	if (!exprs || !results) {
		fputs("ptrules diff: out of memory\n", stderr);
		rc = 1;
		goto done;
	}
	for (int i = 0; i < ntexts; i++)
		if (!fexpr_parse(&exprs[i], texts[i])) {
			rc = 2;
			goto done;
		}

	/* Expand directories into their *.txt files. */
	for (int i = 0; i < ncarts; i++) {
		struct stat st;
		if (strcmp(carts[i], "-") != 0 && stat(carts[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (!list_dir(carts[i], &files, &nfiles, &capfiles))
				rc = 1;
			continue;
		}
		if (nfiles == capfiles) {
			int nc = capfiles ? capfiles * 2 : 16;
			char **nl = realloc(files, (size_t)nc * sizeof *files);
			if (!nl) {
				fputs("ptrules diff: out of memory\n", stderr);
				rc = 1;
				goto done;
			}
			files = nl;
			capfiles = nc;
		}
		files[nfiles] = malloc(strlen(carts[i]) + 1);
		if (!files[nfiles]) {
			rc = 1;
			goto done;
		}
		strcpy(files[nfiles++], carts[i]);
	}

	ro = load_side("old", old_paths, nold);
	rn = load_side("new", new_paths, nnew);
	if (!ro || !rn) {
		rc = 1;
		goto done;
	}
	df = calloc(1, sizeof *df);
	if (!df || !build_programs(df, ro, rn)) {
		fputs("ptrules diff: out of memory\n", stderr);
		rc = 1;
		goto done;
	}
	for (int i = 0; i < ntexts; i++)
		if (!fexpr_resolve(&exprs[i], df)) {
			rc = 2;
			goto done;
		}
	df->topn = topn;
	df->eo = ptrules_eval_new(ro, 0);
	df->en = ptrules_eval_new(rn, 0);
	df->dold = ptrules_diags_new();
	df->dnew = ptrules_diags_new();
	if (!df->eo || !df->en || !df->dold || !df->dnew) {
		fputs("ptrules diff: out of memory\n", stderr);
		rc = 1;
		goto done;
	}
	for (int i = 0; i < nfiles; i++)
		if (!diff_file(df, files[i]))
			rc = 1;
	if (df->diags_hidden)
		fprintf(stderr, "ptrules diff: %zu more diagnostic%s not shown\n", df->diags_hidden,
			df->diags_hidden == 1 ? "" : "s");
	if (df->overflow) {
		fputs("ptrules diff: error: a total does not fit in 64 bits; the report is not exact\n", stderr);
		rc = 1;
	}
	if (df->errors) {
		fprintf(stderr, "ptrules diff: %" PRId64 " cart%s could not be compared\n", df->errors,
			df->errors == 1 ? "" : "s");
		rc = 1;
	}

	int fired = 0;
	for (int i = 0; i < ntexts; i++) {
		results[i] = fexpr_eval(df, &exprs[i], exprs[i].root);
		fired |= results[i];
	}
	run ru = { old_paths, new_paths, nold, nnew, exprs, ntexts, json };
	if (json)
		dreport_json(df, &ru, results);
	else
		dreport_text(df, &ru, results);
	fflush(stdout);
	for (int i = 0; i < ntexts; i++) {
		if (!results[i])
			continue;
		int ids[MAX_NODES], n = 0;
		fexpr_witnesses(df, &exprs[i], exprs[i].root, ids, &n);
		for (int k = 0; k < n; k++) {
			char s[TCELL], v[TCELL];
			fexpr_cmp_text(&exprs[i], &exprs[i].n[ids[k]], s, sizeof s);
			fexpr_cmp_value(df, &exprs[i].n[ids[k]], v, sizeof v);
			fprintf(stderr, "ptrules diff: --fail-if: %s is true: %s\n", s, v);
		}
	}
	if (fired)
		rc = 1;
	if (ferror(stdout)) {
		fprintf(stderr, "ptrules diff: cannot write the report: %s\n", strerror(errno));
		rc = 1;
	}

done:
	if (df) {
		ptrules_eval_free(df->eo);
		ptrules_eval_free(df->en);
		ptrules_diags_free(df->dold);
		ptrules_diags_free(df->dnew);
		free(df->progs);
		free(df);
	}
	ptrules_release(ro);
	ptrules_release(rn);
	for (int i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	free(exprs);
	free(results);
	free(old_paths);
	free(new_paths);
	free(texts);
	free(carts);
	return rc;
}
