/* main.c - the ptrules command line.
 *
 *   ptrules eval [--rules PATH]... [--format text|json] [--explain] CART...
 *   ptrules disasm [--rules PATH]... [PATH...]
 *
 * Exit codes: 0 success, 1 a rules or cart error, 2 a usage error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "date.h"
#include "load.h"
#include "out.h"

#ifndef PT_SHAREDIR
#define PT_SHAREDIR "/usr/local/share/ptrules/rules"
#endif
#define PT_VERSION "0.1.0"

static const char usage_text[] =
	"usage: ptrules eval [--rules PATH]... [--format text|json] [--explain] CART...\n"
	"       ptrules disasm [--rules PATH]... [PATH...]\n"
	"       ptrules --help | --version\n"
	"\n"
	"  --rules PATH   a .rules file or a directory of them (repeatable);\n"
	"                 default ./rules, then " PT_SHAREDIR "\n"
	"  --format F     text (a table, the default) or json (one object per cart)\n"
	"  --explain      show every rule with its source line and what it saw\n"
	"  CART           a cart file (several carts per file allowed); - is stdin\n";

/* Print usage to stderr and return the usage exit code. */
static int usage(const char *msg)
{
	if (msg)
		fprintf(stderr, "ptrules: %s\n", msg);
	fputs(usage_text, stderr);
	return 2;
}

/* Options shared by the subcommands. */
typedef struct pt_opts {
	const char *rules[64];
	int nrules;
	bool json, explain;
	const char *args[4096];
	int nargs;
} pt_opts;

/* Parse argv after the subcommand; returns 0 or a usage exit code. */
static int parse_opts(int argc, char **argv, pt_opts *o)
{
	bool dashdash = false;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!dashdash && strcmp(a, "--") == 0) {
			dashdash = true;
		} else if (!dashdash && (strcmp(a, "--rules") == 0 || strncmp(a, "--rules=", 8) == 0)) {
			const char *v = a[7] == '=' ? a + 8 : (i + 1 < argc ? argv[++i] : NULL);
			if (!v)
				return usage("--rules needs a path");
			if (o->nrules >= 64)
				return usage("too many --rules (limit is 64)");
			o->rules[o->nrules++] = v;
		} else if (!dashdash && (strcmp(a, "--format") == 0 || strncmp(a, "--format=", 9) == 0)) {
			const char *v = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
			if (!v || (strcmp(v, "json") != 0 && strcmp(v, "text") != 0))
				return usage("--format takes text or json");
			o->json = strcmp(v, "json") == 0;
		} else if (!dashdash && strcmp(a, "--explain") == 0) {
			o->explain = true;
		} else if (!dashdash && a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "ptrules: unknown option '%s'\n", a);
			return usage(NULL);
		} else {
			if (o->nargs >= 4096)
				return usage("too many files (limit is 4096)");
			o->args[o->nargs++] = a;
		}
	}
	return 0;
}

/* Compile the rule set named by the options (or the default location). */
static pt_ruleset *load_rules(const pt_opts *o, const char *const *paths, int npaths)
{
	pt_diags d;
	pt_srclist l = { 0 };
	pt_ruleset *rs = NULL;
	pt_diags_init(&d);
	const char *def[1];
	if (npaths == 0) {
		struct stat st;
		def[0] = stat("rules", &st) == 0 ? "rules" : PT_SHAREDIR;
		paths = def;
		npaths = 1;
	}
	(void)o;
	bool ok = true;
	for (int i = 0; i < npaths; i++)
		ok = pt_srclist_add(&l, paths[i], &d) && ok;
	if (ok)
		rs = pt_compile(l.v, l.n, &d);
	pt_diags_print(&d, stderr);
	pt_diags_print_summary(&d, stderr);
	pt_diags_free(&d);
	pt_srclist_free(&l);
	return rs;
}

/* Evaluate every cart of one file; returns false if any failed. */
static bool eval_file(const pt_ruleset *rs, const pt_opts *o, const char *path, pt_rat *inputs,
		      pt_rat *locals, pt_prog_result *res, pt_trace *trace, size_t *errors)
{
	pt_diags d;
	size_t len;
	pt_diags_init(&d);
	d.max_errors = 1000;
	char *text = pt_read_file(path, &len, &d);
	bool ok = text != NULL;
	if (text) {
		pt_src src = { strcmp(path, "-") == 0 ? "<stdin>" : path, text, len };
		pt_cart_reader r;
		pt_cart cart;
		pt_cart_reader_init(&r, &src);
		int index = 0;
		while (pt_cart_next(&r, &cart, &d)) {
			index++;
			bool good = cart.n_errors == 0;
			int32_t date = cart.has_date ? cart.date : pt_date_today_jst();
			if (good)
				good = pt_bind(rs, &cart, date, inputs, &src, &d);
			pt_diags_print(&d, stderr);
			*errors += d.n_errors;
			pt_diags_free(&d);
			pt_diags_init(&d);
			d.max_errors = 1000;
			if (!good) {
				ok = false;
				continue;
			}
			int64_t total = 0;
			pt_cart_total(&cart, &total);
			char label[512];
			if (cart.id)
				snprintf(label, sizeof label, "%s", cart.id);
			else if (r.seen_cart_line || index > 1)
				snprintf(label, sizeof label, "%s#%d", src.name, index);
			else
				snprintf(label, sizeof label, "%s", src.name);
			pt_cart_view v = { label, cart.order_id, date, cart.has_date, total, cart.n_items };
			if (trace)
				trace->n = trace->dropped = 0;
			if (!pt_eval_all(rs, inputs, locals, res, trace)) {
				ok = false;
				(*errors)++;
			}
			pt_sink so = pt_sink_file(stdout);
			if (o->json)
				pt_out_json(&so, rs, &v, res, trace);
			else
				pt_out_text(&so, rs, &v, res, trace);
			if (!o->json && o->nargs > 0)
				fputc('\n', stdout);
		}
		pt_cart_reader_free(&r);
	}
	pt_diags_print(&d, stderr);
	*errors += d.n_errors;
	pt_diags_free(&d);
	free(text);
	return ok;
}

/* `ptrules eval`: evaluate carts against a rule set. */
static int cmd_eval(int argc, char **argv)
{
	pt_opts o = { 0 };
	int rc = parse_opts(argc, argv, &o);
	if (rc)
		return rc;
	if (o.nargs == 0)
		return usage("eval needs at least one cart file (- for stdin)");
	pt_ruleset *rs = load_rules(&o, o.rules, o.nrules);
	if (!rs)
		return 1;
	pt_rat *inputs = calloc(rs->ninputs + 1, sizeof *inputs);
	pt_rat *locals = calloc(rs->max_locals + 1, sizeof *locals);
	pt_prog_result *res = calloc(rs->nprogs, sizeof *res);
	pt_trace_event *ev = o.explain ? calloc(rs->nrules + 1, sizeof *ev) : NULL;
	pt_trace trace = { ev, 0, rs->nrules + 1, 0 };
	bool ok = inputs && locals && res && (!o.explain || ev);
	size_t errors = 0;
	for (int i = 0; ok && i < o.nargs; i++)
		if (!eval_file(rs, &o, o.args[i], inputs, locals, res, o.explain ? &trace : NULL, &errors))
			rc = 1;
	if (!ok) {
		fputs("ptrules: out of memory\n", stderr);
		rc = 1;
	}
	if (errors)
		fprintf(stderr, "%zu error%s in carts.\n", errors, errors == 1 ? "" : "s");
	free(inputs);
	free(locals);
	free(res);
	free(ev);
	pt_ruleset_free(rs);
	return rc;
}

/* `ptrules disasm`: compile and list the bytecode. */
static int cmd_disasm(int argc, char **argv)
{
	pt_opts o = { 0 };
	int rc = parse_opts(argc, argv, &o);
	if (rc)
		return rc;
	for (int i = 0; i < o.nargs && o.nrules < 64; i++)
		o.rules[o.nrules++] = o.args[i];
	pt_ruleset *rs = load_rules(&o, o.rules, o.nrules);
	if (!rs)
		return 1;
	pt_disasm(stdout, rs);
	pt_ruleset_free(rs);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(NULL);
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0) {
		puts("ptrules " PT_VERSION);
		return 0;
	}
	if (strcmp(cmd, "eval") == 0)
		return cmd_eval(argc - 2, argv + 2);
	if (strcmp(cmd, "disasm") == 0)
		return cmd_disasm(argc - 2, argv + 2);
	fprintf(stderr, "ptrules: unknown command '%s'\n", cmd);
	return usage(NULL);
}
