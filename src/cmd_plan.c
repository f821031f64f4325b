/* cmd_plan.c - `ptrules plan`: the best way to pay for each cart, the
 * runner-up, and advice (docs/plan.md).  Built on the public API only:
 * the search and the advice are the library's ptrules_plan_*.
 *
 *   ptrules plan [--rules PATH]... [--bytecode FILE] [--format text|json] CART...
 *
 * Exit codes as `ptrules eval`: 0 success, 1 a rules or cart error (or a
 * cart that cannot be planned), 2 a usage error. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptrules.h"

#include "cli.h"

#define PLAN_USAGE "usage: ptrules plan [--rules PATH]... [--bytecode FILE] [--format text|json] CART...\n"

/* The command's options. */
typedef struct plan_opts {
	cli_rule_opts ro;         /* --rules, --bytecode, --format */
	const char **carts;
	int ncarts;
} plan_opts;

/* Print a usage error; returns 2. */
static int plan_usage(const char *msg)
{
	if (msg)
		fprintf(stderr, "ptrules plan: %s\n", msg);
	fputs(PLAN_USAGE, stderr);
	return 2;
}

/* Parse the arguments after `plan`; 0 or a usage exit code. */
static int parse(int argc, char **argv, plan_opts *o)
{
	bool dashdash = false;
	const char *bad;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		int taken;
		if (dashdash || a[0] != '-' || a[1] == '\0') {
			o->carts[o->ncarts++] = a;
		} else if (strcmp(a, "--") == 0) {
			dashdash = true;
		} else if ((taken = cli_rule_option(argc, argv, &i, &o->ro, &bad))) {
			if (taken < 0)
				return plan_usage(bad);
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(PLAN_USAGE, stdout);
			return -1;
		} else {
			fprintf(stderr, "ptrules plan: unknown option '%s'\n", a);
			return plan_usage(NULL);
		}
	}
	if ((bad = cli_rule_conflict(&o->ro)))
		return plan_usage(bad);
	if (o->ncarts == 0)
		return plan_usage("plan needs at least one cart file (- for stdin)");
	return 0;
}

/* Format the plan into a buffer that grows as needed and print it. */
static bool print_plan(const ptrules_plan *p, const char *label, bool json, char **buf, size_t *cap)
{
	size_t (*fmt)(const ptrules_plan *, const char *, char *, size_t) =
		json ? ptrules_plan_format_json : ptrules_plan_format_text;
	size_t n = fmt(p, label, *buf, *cap);
	if (n >= *cap) {
		char *nb = realloc(*buf, n + 1);
		if (!nb)
			return false;
		*buf = nb;
		*cap = n + 1;
		fmt(p, label, *buf, *cap);
	}
	fwrite(*buf, 1, n, stdout);
	return true;
}

/* Plan every cart of one file; false when any could not be planned. */
static bool plan_file(ptrules_plan *p, const char *path, bool json, size_t *printed, char **buf, size_t *cap)
{
	cli_carts cf;
	if (!cli_carts_open(&cf, path))
		return false;
	ptrules_reader *r = cf.r;
	const char *name = cf.name;
	ptrules_diags *d = ptrules_diags_new();
	bool ok = d != NULL;
	const ptrules_cart *c;
	while (d && ptrules_reader_next(r, &c, d)) {   /* a bad cart never stops the others */
		ptrules_status st = PTRULES_EINVALID;
		if (ptrules_cart_errors(c) == 0)
			st = ptrules_plan_cart(p, c, d);
		ptrules_diags_print(d, stderr);
		bool diag_errors = ptrules_diags_errors(d) > 0;
		ptrules_diags_clear(d);
		char buf_label[512];
		const char *label = cli_cart_label(r, c, name, buf_label, sizeof buf_label);
		if (st != PTRULES_OK) {
			ptrules_plan_info info = { 0 };
			ptrules_plan_info_get(p, &info);
			if (diag_errors) {
				/* the diagnostics said why */
			} else if (info.error && info.error_line) {
				fprintf(stderr, "%s:%d:1: error: cart %s: %s\n", name, info.error_line, label, info.error);
			} else if (info.error) {
				fprintf(stderr, "%s: error: cart %s: %s\n", name, label, info.error);
			} else if (st != PTRULES_EINVALID) {
				fprintf(stderr, "%s: error: cart %s: %s\n", name, label, ptrules_strerror(st));
			}
			ok = false;
			continue;
		}
		if (!json && (*printed)++)
			fputc('\n', stdout);   /* a blank line between plans */
		if (!print_plan(p, label, json, buf, cap)) {
			fputs("ptrules: out of memory\n", stderr);
			ok = false;
		}
	}
	if (d) {
		ptrules_diags_print(d, stderr);
		ok = ok && ptrules_diags_errors(d) == 0;
	}
	if (!d)
		fputs("ptrules: out of memory\n", stderr);
	ptrules_diags_free(d);
	return cli_carts_close(&cf) && ok;
}

/* `ptrules plan`: plan every cart of every file. */
int cmd_plan(int argc, char **argv)
{
	plan_opts o = { .carts = calloc((size_t)argc + 1, sizeof(char *)) };
	if (!o.carts) {
		fputs("ptrules: out of memory\n", stderr);
		return 1;
	}
	int rc = parse(argc, argv, &o);
	if (rc) {
		free(o.carts);
		return rc < 0 ? 0 : rc;
	}
	ptrules_rules *r = cli_load_rules(o.ro.bytecode, o.ro.rules, o.ro.nrules);
	ptrules_plan *p = r ? ptrules_plan_new(r) : NULL;
	if (r && !p)
		fputs("ptrules: out of memory\n", stderr);
	rc = p ? 0 : 1;
	char *buf = NULL;
	size_t cap = 0, printed = 0;
	for (int i = 0; p && i < o.ncarts; i++)   /* every file, even after a bad one */
		if (!plan_file(p, o.carts[i], o.ro.json, &printed, &buf, &cap))
			rc = 1;
	free(buf);
	ptrules_plan_free(p);
	ptrules_release(r);
	free(o.carts);
	return rc;
}
