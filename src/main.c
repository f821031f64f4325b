/* main.c - the ptrules command line, built on the public API only
 * (include/ptrules.h), as any embedder would build it.
 *
 *   ptrules eval [--rules PATH]... [--bytecode FILE] [--format text|json] [--explain] [--jobs N] CART...
 *   ptrules compile -o OUT [--rules PATH]... [PATH...]
 *   ptrules disasm [--rules PATH]... [PATH...]      (sources or one .ptbc file)
 *
 * Exit codes: 0 success, 1 a rules, cart or compiled-file error, 2 a
 * usage error. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptrules.h"

#include "cli.h"

#ifndef PT_SHAREDIR
#define PT_SHAREDIR "/usr/local/share/ptrules/rules"
#endif

static const char usage_text[] =
	"usage: ptrules eval [--rules PATH]... [--bytecode FILE] [--format text|json] [--explain] [--jobs N] CART...\n"
	"       ptrules plan [--rules PATH]... [--bytecode FILE] [--format text|json] CART...\n"
	"       ptrules compile -o OUT [--rules PATH]... [PATH...]\n"
	"       ptrules disasm [--rules PATH]... [PATH...]\n"
	"       ptrules fmt [--check | -w] PATH...\n"
	"       ptrules diff --old PATH --new PATH [--format text|json] [--fail-if EXPR] [--top N] CART...\n"
	"       ptrules gen-carts N [--seed S] [--start K]\n"
	"       ptrules check [--format text|json|github|sarif] [--strict] [--cost] [PATH...]\n"
	"       ptrules test [--rules PATH]... [--coverage] [--min-coverage N] TESTS...\n"
	"       ptrules --help | --version\n"
	"\n"
	"  --rules PATH     a .rules file or a directory of them (repeatable);\n"
	"                   default ./rules, then " PT_SHAREDIR "\n"
	"  --bytecode FILE  a compiled rule set written by `ptrules compile`\n"
	"  --format F       text (a table, the default) or json (one object per cart)\n"
	"  --explain        show every rule with its source line and what it saw\n"
	"  --jobs N         eval: threads that read and evaluate parts of the file at\n"
	"                   once (default: one per processor); 1: this one; same output\n"
	"  -o OUT           where compile writes the rule set (atomically)\n"
	"  CART             a cart file (several carts per file allowed); - is stdin\n";

/* Print usage to stderr and return the usage exit code. */
static int usage(const char *msg)
{
	if (msg)
		fprintf(stderr, "ptrules: %s\n", msg);
	fputs(usage_text, stderr);
	return 2;
}

/* Options shared by the subcommands. */
typedef struct opts {
	cli_rule_opts ro;         /* --rules, --bytecode, --format */
	const char *output;
	bool explain;
	int jobs;                 /* --jobs: 0 when not given */
	size_t part_bytes;        /* eval on several threads: bytes read per part */
	const char *args[4096];
	int nargs;
} opts;

/* Parse argv after the subcommand; returns 0 or a usage exit code. */
static int parse_opts(int argc, char **argv, opts *o)
{
	bool dashdash = false;
	const char *bad;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v;
		int taken;
		if (dashdash || a[0] != '-' || a[1] == '\0') {
			if (o->nargs >= 4096)
				return usage("too many files (limit is 4096)");
			o->args[o->nargs++] = a;
		} else if (strcmp(a, "--") == 0) {
			dashdash = true;
		} else if ((taken = cli_rule_option(argc, argv, &i, &o->ro, &bad))) {
			if (taken < 0)
				return usage(bad);
		} else if ((v = cli_opt_value(argc, argv, &i, "-o"))) {
			if (!*v)
				return usage("-o needs a file");
			o->output = v;
		} else if (strcmp(a, "--explain") == 0) {
			o->explain = true;
		} else if ((v = cli_opt_value(argc, argv, &i, "--jobs"))) {
			char *end;
			long n = strtol(v, &end, 10);
			if (!*v || *end || n < 1 || n > 1024)
				return usage("--jobs needs a number of threads from 1 to 1024");
			o->jobs = (int)n;
		} else {
			fprintf(stderr, "ptrules: unknown option '%s'\n", a);
			return usage(NULL);
		}
	}
	if ((bad = cli_rule_conflict(&o->ro)))
		return usage(bad);
	return 0;
}

/* Where eval's output collects before it goes to standard output: carts
 * are formatted straight into one big buffer, handed to stdio when it is
 * nearly full, before any diagnostic goes to standard error and after
 * every cart on a terminal.  stdio then writes the same bytes at the same
 * points as when each cart was written on its own, so standard output and
 * standard error interleave as before.  A cart too big for the buffer is
 * formatted into a growable one. */
typedef struct outbuf {
	size_t printed;     /* carts printed so far, over every file */
	bool each;          /* write after every cart (standard output is a terminal) */
	size_t len;         /* bytes waiting in buf */
	char buf[1 << 18];
	char *heap;
	size_t heapcap;
} outbuf;

/* Write what ob holds to standard output. */
static void flush_out(outbuf *ob)
{
	if (ob->len)
		fwrite(ob->buf, 1, ob->len, stdout);
	ob->len = 0;
}

/* Format with fmt into ob, writing out what it held when the text does
 * not fit after it. */
static void emit(outbuf *ob, size_t (*fmt)(const ptrules_eval *, const ptrules_cart *, const char *, char *, size_t),
		 const ptrules_eval *e, const ptrules_cart *c, const char *label)
{
	size_t n = fmt(e, c, label, ob->buf + ob->len, sizeof ob->buf - ob->len);
	if (n < sizeof ob->buf - ob->len) {
		ob->len += n;
		if (ob->each || sizeof ob->buf - ob->len < 8192)   /* room for another cart, mostly */
			flush_out(ob);
		return;
	}
	flush_out(ob);
	n = fmt(e, c, label, ob->buf, sizeof ob->buf);
	if (n < sizeof ob->buf) {
		ob->len = n;
		flush_out(ob);
		return;
	}
	if (n + 1 > ob->heapcap) {
		char *h = realloc(ob->heap, n + 1);
		if (!h) {
			fputs("ptrules: out of memory\n", stderr);
			return;
		}
		ob->heap = h;
		ob->heapcap = n + 1;
	}
	fmt(e, c, label, ob->heap, ob->heapcap);
	fwrite(ob->heap, 1, n, stdout);
}

/* Print d's diagnostics after the output before them; count its errors. */
static void report(outbuf *ob, ptrules_diags *d, size_t *errors)
{
	if (!ptrules_diags_count(d))   /* the common case: nothing to print or clear */
		return;
	flush_out(ob);   /* stdio holds it as if written cart by cart: the streams interleave as they did */
	ptrules_diags_print(d, stderr);
	*errors += ptrules_diags_errors(d);
	ptrules_diags_clear(d);
}

/* A cart's evaluation status, as eval_file and eval_piped both treat it:
 * false when the cart is not printed (it did not fit the rules); a
 * runtime error is counted and printed.  Before a printed text table
 * after the first, the blank line between tables. */
static bool cart_status(const opts *o, outbuf *ob, ptrules_status st, bool *ok, size_t *errors)
{
	if (st == PTRULES_EINVALID) {
		*ok = false;
		return false;
	}
	if (st == PTRULES_ERUNTIME) {
		*ok = false;
		(*errors)++;
	}
	if (!o->ro.json && ob->printed++) {
		if (ob->len + 1 >= sizeof ob->buf)
			flush_out(ob);
		ob->buf[ob->len++] = '\n';
	}
	return true;
}

/* Append n bytes of formatted text to ob, handing them to stdio at the
 * same points as emit would, so stdio writes the same blocks. */
static void emit_text(outbuf *ob, const char *text, size_t n)
{
	if (n < sizeof ob->buf - ob->len) {
		memcpy(ob->buf + ob->len, text, n);
		ob->len += n;
		if (ob->each || sizeof ob->buf - ob->len < 8192)
			flush_out(ob);
		return;
	}
	flush_out(ob);
	if (n < sizeof ob->buf) {
		memcpy(ob->buf, text, n);
		ob->len = n;
		flush_out(ob);
		return;
	}
	fwrite(text, 1, n, stdout);
}

/* eval_file's loop over carts read, evaluated and formatted on worker
 * threads (cmd_pipe.c): the same bytes, on standard output and standard
 * error, in the same order. */
static bool eval_piped(const opts *o, cli_pipe *p, outbuf *ob, size_t *errors)
{
	bool ok = true;
	cli_pipe_item it;
	while (cli_pipe_next(p, &it)) {
		if (it.diag_len) {
			flush_out(ob);
			fwrite(it.diag, 1, it.diag_len, stderr);
			*errors += it.errors;
		}
		if (it.cart && cart_status(o, ob, it.st, &ok, errors))
			emit_text(ob, it.out, it.out_len);
	}
	flush_out(ob);
	return cli_pipe_finish(p, errors) && ok;
}

/* How many threads evaluate: 1 (this one) when asked, or on a terminal
 * (each cart is shown as soon as it is read); else --jobs N, by default
 * one per processor (at most 16). */
static int eval_workers(const opts *o, const outbuf *ob)
{
	if (ob->each || o->jobs == 1)
		return 1;
	if (o->jobs >= 2)
		return o->jobs < 64 ? o->jobs : 64;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 2 ? 1 : n > 16 ? 16 : (int)n;
}

/* Evaluate every cart of one file; false if any could not be. */
static bool eval_file(ptrules_eval *e, const opts *o, const char *path, outbuf *ob, size_t *errors)
{
	cli_carts cf;
	if (!cli_carts_open(&cf, path)) {
		(*errors)++;
		return false;
	}
	int workers = eval_workers(o, ob);
	cli_pipe *p = workers > 1 ? cli_pipe_start(&cf, ptrules_eval_rules(e), o->ro.json, o->explain, workers,
						    o->part_bytes) : NULL;
	if (p) {
		bool ok = eval_piped(o, p, ob, errors);
		if (!cli_carts_close(&cf)) {   /* the carts before the failure were printed */
			(*errors)++;
			ok = false;
		}
		return ok;
	}
	ptrules_reader *r = cf.r;
	const char *name = cf.name;
	ptrules_diags *d = ptrules_diags_new();
	bool ok = d != NULL;
	const ptrules_cart *c;
	while (d && ptrules_reader_next(r, &c, d)) {   /* a bad cart never stops the others */
		ptrules_status st = PTRULES_EINVALID;
		if (ptrules_cart_errors(c) == 0)
			st = ptrules_evaluate(e, c, d);
		report(ob, d, errors);
		if (!cart_status(o, ob, st, &ok, errors))
			continue;
		char label[512];
		const char *lb = cli_cart_label(r, c, name, label, sizeof label);
		emit(ob, o->ro.json ? ptrules_format_json : ptrules_format_text, e, c, lb);
	}
	if (d)
		report(ob, d, errors);
	flush_out(ob);
	if (!d)
		fputs("ptrules: out of memory\n", stderr);
	ptrules_diags_free(d);
	if (!cli_carts_close(&cf)) {   /* the carts before the failure were printed */
		(*errors)++;
		ok = false;
	}
	return ok;
}

/* `ptrules eval`: evaluate carts against a rule set. */
static int cmd_eval(int argc, char **argv)
{
	opts o = { 0 };
	int rc = parse_opts(argc, argv, &o);
	if (rc)
		return rc;
	if (o.nargs == 0)
		return usage("eval needs at least one cart file (- for stdin)");
	/* Parts of 256 KiB: a few hundred carts each, and memory for two per
	 * thread.  PTRULES_PART_BYTES sets it (tests cut small files into many
	 * parts with it). */
	o.part_bytes = 256 * 1024;
	const char *pb = getenv("PTRULES_PART_BYTES");
	if (pb && *pb) {
		char *end;
		unsigned long long v = strtoull(pb, &end, 10);
		if (*end || v < 1 || v > (1ull << 30))
			return usage("PTRULES_PART_BYTES needs a number of bytes from 1 to 1073741824");
		o.part_bytes = (size_t)v;
	}
	ptrules_rules *r = cli_load_rules(o.ro.bytecode, o.ro.rules, o.ro.nrules);
	if (!r)
		return 1;
	ptrules_eval *e = ptrules_eval_new(r, o.explain);
	outbuf *ob = malloc(sizeof *ob);   /* its buffer needs no zeroing */
	size_t errors = 0;
	if (ob) {
		ob->printed = ob->len = ob->heapcap = 0;
		ob->heap = NULL;
		ob->each = isatty(fileno(stdout));
	}
	if (!e || !ob) {
		fputs("ptrules: out of memory\n", stderr);
		rc = 1;
	}
	bool ready = rc == 0;
	for (int i = 0; ready && i < o.nargs; i++)   /* every file, even after a bad one */
		if (!eval_file(e, &o, o.args[i], ob, &errors))
			rc = 1;
	if (errors)
		fprintf(stderr, "%zu error%s in carts.\n", errors, errors == 1 ? "" : "s");
	if (ob)
		free(ob->heap);
	free(ob);
	ptrules_eval_free(e);
	ptrules_release(r);
	return rc;
}

/* `ptrules compile`: write a verified, reproducible .ptbc file. */
static int cmd_compile(int argc, char **argv)
{
	opts o = { 0 };
	int rc = parse_opts(argc, argv, &o);
	if (rc)
		return rc;
	if (o.explain || o.jobs)
		return usage("--explain and --jobs are options of eval");
	if (!o.output)
		return usage("compile needs -o OUT");
	if (o.ro.bytecode)
		return usage("compile reads .rules sources, not --bytecode");
	for (int i = 0; i < o.nargs && o.ro.nrules < 64; i++)
		o.ro.rules[o.ro.nrules++] = o.args[i];
	ptrules_rules *r = cli_load_rules(NULL, o.ro.rules, o.ro.nrules);
	if (!r)
		return 1;
	ptrules_diags *d = ptrules_diags_new();
	ptrules_status st = d ? ptrules_write_bytecode_file(r, o.output, d) : PTRULES_ENOMEM;
	if (d)
		ptrules_diags_print(d, stderr);
	if (st != PTRULES_OK && !ptrules_diags_errors(d))
		fprintf(stderr, "%s: error: %s\n", o.output, ptrules_strerror(st));
	ptrules_diags_free(d);
	ptrules_release(r);
	return st == PTRULES_OK ? 0 : 1;
}

/* `ptrules disasm`: list the bytecode of sources or of a .ptbc file. */
static int cmd_disasm(int argc, char **argv)
{
	opts o = { 0 };
	int rc = parse_opts(argc, argv, &o);
	if (rc)
		return rc;
	if (o.explain || o.jobs)
		return usage("--explain and --jobs are options of eval");
	if (!o.ro.bytecode && o.nargs == 1 && o.ro.nrules == 0 && ptrules_is_bytecode_file(o.args[0]))
		o.ro.bytecode = o.args[0];
	else
		for (int i = 0; i < o.nargs && o.ro.nrules < 64; i++)
			o.ro.rules[o.ro.nrules++] = o.args[i];
	ptrules_rules *r = cli_load_rules(o.ro.bytecode, o.ro.rules, o.ro.nrules);
	if (!r)
		return 1;
	ptrules_disasm(r, stdout);
	ptrules_release(r);
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
		puts("ptrules " PTRULES_VERSION);
		return 0;
	}
	if (strcmp(cmd, "eval") == 0)
		return cmd_eval(argc - 2, argv + 2);
	if (strcmp(cmd, "plan") == 0)
		return cmd_plan(argc - 2, argv + 2);
	if (strcmp(cmd, "compile") == 0)
		return cmd_compile(argc - 2, argv + 2);
	if (strcmp(cmd, "disasm") == 0)
		return cmd_disasm(argc - 2, argv + 2);
	if (strcmp(cmd, "fmt") == 0)
		return cmd_fmt(argc - 2, argv + 2);
	if (strcmp(cmd, "diff") == 0)
		return cmd_diff(argc - 2, argv + 2);
	if (strcmp(cmd, "gen-carts") == 0)
		return cmd_gen_carts(argc - 2, argv + 2);
	if (strcmp(cmd, "check") == 0)
		return cmd_check(argc - 2, argv + 2);
	if (strcmp(cmd, "test") == 0)
		return cmd_test(argc - 2, argv + 2);
	fprintf(stderr, "ptrules: unknown command '%s'\n", cmd);
	return usage(NULL);
}
