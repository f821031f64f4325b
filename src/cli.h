/* cli.h - subcommands of the ptrules command line, one file each
 * (src/cmd_*.c).  Like main.c they use only the public API
 * (include/ptrules.h).  Each returns the process exit code: 0 success,
 * 1 a rules/cart/check failure, 2 a usage error. */
#ifndef PT_CLI_H
#define PT_CLI_H

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

#endif
