/* cli.h - subcommands of the ptrules command line, one file each
 * (src/cmd_*.c).  Like main.c they use only the public API
 * (include/ptrules.h).  Each returns the process exit code: 0 success,
 * 1 a rules/cart/check failure, 2 a usage error. */
#ifndef PT_CLI_H
#define PT_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ptrules.h"

int cmd_check(int argc, char **argv);      /* cmd_check.c: compile and lint */
int cmd_test(int argc, char **argv);       /* cmd_test.c: rule tests and coverage */
int cmd_fmt(int argc, char **argv);        /* cmd_fmt.c: canonical layout */
int cmd_diff(int argc, char **argv);       /* cmd_diff.c: impact of a change over carts */
int cmd_gen_carts(int argc, char **argv);  /* cmd_gencarts.c: synthetic cart corpora */
int cmd_plan(int argc, char **argv);       /* cmd_plan.c: the best way to pay, and advice */

/* cmd_io.c: a whole file ("-": stdin), NUL-terminated; NULL after a
 * message on stderr. */
char *cli_read_file(const char *path, size_t *len);
/* cmd_io.c: the value of --name VALUE or --name=VALUE at argv[*i] ("" if
 * missing), or NULL when argv[*i] is another argument. */
const char *cli_opt_value(int argc, char **argv, int *i, const char *name);
/* cmd_io.c: the rule-set options of the subcommands that evaluate carts
 * (eval, plan): --rules PATH (repeatable, at most 64), --bytecode FILE,
 * --format text|json.  cli_rule_option takes argv[*i] when it is one of
 * them: 1, or -1 with *err the usage message for a bad value; 0 when it is
 * another argument.  cli_rule_conflict: the usage message when both
 * --rules and --bytecode were given, else NULL. */
typedef struct cli_rule_opts {
	const char *rules[64];
	int nrules;
	const char *bytecode;
	bool json;
} cli_rule_opts;
int cli_rule_option(int argc, char **argv, int *i, cli_rule_opts *o, const char **err);
const char *cli_rule_conflict(const cli_rule_opts *o);
/* cmd_io.c: print diagnostics and their "N errors generated." line. */
void cli_report(const ptrules_diags *d);
/* cmd_io.c: load --bytecode FILE, the --rules paths, or the default
 * rules (./rules, then the installed ones); NULL after a report. */
ptrules_rules *cli_load_rules(const char *bytecode, const char *const *paths, int npaths);
/* cmd_io.c: a cart file read as a stream, one cart at a time. */
typedef struct cli_carts {
	FILE *f;
	const char *path;         /* as given ("-" for standard input) */
	const char *name;         /* in messages and labels ("<stdin>") */
	ptrules_reader *r;
} cli_carts;
bool cli_carts_open(cli_carts *cf, const char *path);
bool cli_carts_close(cli_carts *cf);
/* cmd_io.c: a cart's label in the output (id, file or file#N); the id
 * itself, or buf. */
const char *cli_cart_label(const ptrules_reader *r, const ptrules_cart *c, const char *file, char *buf,
			   size_t size);
/* cmd_pipe.c: a cart file cut into parts that `workers` threads read,
 * evaluate and format at once, ahead of the caller, who prints them in
 * order.  Each item is one cart evaluated by a worker (st; out/out_len,
 * its output, when st is not PTRULES_EINVALID), or with cart false only
 * diagnostics that followed the last cart.  diag/diag_len: diagnostics to
 * print before it, with `errors` errors among them.  The items point into
 * the pipe until the next call.  cli_pipe_start returns NULL when the
 * threads cannot be started (read the file in the caller instead);
 * cli_pipe_finish is false when a part ran out of memory or the file
 * could not be read to its end (said on standard error, a read error
 * counted in *errors). */
typedef struct cli_pipe cli_pipe;
typedef struct cli_pipe_item {
	bool cart;
	ptrules_status st;
	const char *diag;
	size_t diag_len, errors;
	const char *out;
	size_t out_len;
} cli_pipe_item;
cli_pipe *cli_pipe_start(cli_carts *cf, ptrules_rules *r, bool json, bool explain, int workers, size_t block);
bool cli_pipe_next(cli_pipe *p, cli_pipe_item *it);
bool cli_pipe_finish(cli_pipe *p, size_t *errors);

#endif
