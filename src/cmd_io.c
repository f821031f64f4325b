/* cmd_io.c - what the subcommands share: reading files, options, the
 * rule set to load, diagnostics' count line and a cart's label. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ptrules.h"

#include "cli.h"

#ifndef PT_SHAREDIR
#define PT_SHAREDIR "/usr/local/share/ptrules/rules"
#endif

/* Read a whole file ("-": standard input) into a NUL-terminated buffer;
 * NULL after a `path: error: ...` message on standard error. */
char *cli_read_file(const char *path, size_t *len)
{
	bool in = strcmp(path, "-") == 0;
	FILE *f = in ? stdin : fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "%s: error: cannot open: %s\n", path, strerror(errno));
		return NULL;
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		char *nb = realloc(buf, cap * 2 + 1);
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	bool err = ferror(f);
	int saved = errno;
	if (!in)
		fclose(f);
	if (!buf || err) {
		fprintf(stderr, "%s: error: cannot read: %s\n", path, buf ? strerror(saved) : "out of memory");
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The value of --name VALUE or --name=VALUE at argv[*i] (advancing *i
 * past a separate value), "" when VALUE is missing, or NULL when
 * argv[*i] is not that option. */
const char *cli_opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	const char *a = argv[*i];
	if (strncmp(a, name, n) != 0)
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] == '\0')
		return *i + 1 < argc ? argv[++*i] : "";
	return NULL;
}

/* One of the rule-set options at argv[*i] into o (cli.h): 1 taken, 0 not
 * one of them, -1 with *err set when its value is wrong. */
int cli_rule_option(int argc, char **argv, int *i, cli_rule_opts *o, const char **err)
{
	const char *v, *bad = NULL;
	if ((v = cli_opt_value(argc, argv, i, "--rules"))) {
		if (!*v)
			bad = "--rules needs a path";
		else if (o->nrules >= 64)
			bad = "too many --rules (limit is 64)";
		else
			o->rules[o->nrules++] = v;
	} else if ((v = cli_opt_value(argc, argv, i, "--bytecode"))) {
		if (!*v)
			bad = "--bytecode needs a file";
		else
			o->bytecode = v;
	} else if ((v = cli_opt_value(argc, argv, i, "--format"))) {
		if (strcmp(v, "json") != 0 && strcmp(v, "text") != 0)
			bad = "--format takes text or json";
		else
			o->json = strcmp(v, "json") == 0;
	} else {
		return 0;
	}
	*err = bad;
	return bad ? -1 : 1;
}

/* The usage message when both --rules and --bytecode were given. */
const char *cli_rule_conflict(const cli_rule_opts *o)
{
	return o->bytecode && o->nrules ? "give either --rules or --bytecode, not both" : NULL;
}

/* Print d's diagnostics and the compiler-style count line. */
void cli_report(const ptrules_diags *d)
{
	ptrules_diags_print(d, stderr);
	ptrules_diags_print_summary(d, stderr);
}

/* Load the rule set the options name: a compiled file, the paths, or by
 * default ./rules, then the installed rules; NULL after a report. */
ptrules_rules *cli_load_rules(const char *bytecode, const char *const *paths, int npaths)
{
	ptrules_diags *d = ptrules_diags_new();
	ptrules_rules *r = NULL;
	const char *def[1];
	if (!d) {
		fputs("ptrules: out of memory\n", stderr);
		return NULL;
	}
	if (bytecode) {
		ptrules_load_bytecode_file(&r, bytecode, d);
	} else {
		if (npaths == 0) {
			struct stat st;
			def[0] = stat("rules", &st) == 0 ? "rules" : PT_SHAREDIR;
			paths = def;
			npaths = 1;
		}
		ptrules_load_paths(&r, paths, (size_t)npaths, d);
	}
	cli_report(d);
	ptrules_diags_free(d);
	return r;
}

/* The name a cart goes by in the output: its id, else the file name,
 * with #N when the file holds several carts.  Returns the id itself when
 * it fits buf (no copy), else buf. */
const char *cli_cart_label(const ptrules_reader *r, const ptrules_cart *c, const char *file, char *buf,
			   size_t size)
{
	const char *id = ptrules_cart_id(c);
	int idx = ptrules_reader_index(r);
	if (id && strlen(id) < size)
		return id;   /* as snprintf would copy it */
	if (id)
		snprintf(buf, size, "%s", id);
	else if (ptrules_reader_has_cart_lines(r) || idx > 1)
		snprintf(buf, size, "%s#%d", file, idx);
	else
		snprintf(buf, size, "%s", file);
	return buf;
}

/* Open a cart file for streaming ("-": standard input); false after a
 * `path: error: cannot open` or out-of-memory message. */
bool cli_carts_open(cli_carts *cf, const char *path)
{
	bool in = strcmp(path, "-") == 0;
	cf->path = path;
	cf->name = in ? "<stdin>" : path;
	cf->r = NULL;
	cf->f = in ? stdin : fopen(path, "rb");
	if (!cf->f) {
		fprintf(stderr, "%s: error: cannot open: %s\n", path, strerror(errno));
		return false;
	}
	/* Streamed: memory holds one cart and one chunk, however big the file. */
	cf->r = ptrules_reader_new_file(cf->f, cf->name);
	if (!cf->r) {
		fputs("ptrules: out of memory\n", stderr);
		cli_carts_close(cf);
		return false;
	}
	return true;
}

/* Close a cart file; false after a `path: error: cannot read` message
 * when reading failed part way (the carts before were handled). */
bool cli_carts_close(cli_carts *cf)
{
	int rerr = cf->r ? ptrules_reader_error(cf->r) : 0;
	if (rerr)
		fprintf(stderr, "%s: error: cannot read: %s\n", cf->path, strerror(rerr));
	ptrules_reader_free(cf->r);
	if (cf->f && cf->f != stdin)
		fclose(cf->f);
	cf->r = NULL;
	cf->f = NULL;
	return rerr == 0;
}
