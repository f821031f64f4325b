/* cmd_io.c - file reading shared by the subcommands. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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
