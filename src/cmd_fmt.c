/* cmd_fmt.c - `ptrules fmt [--check | -w] PATH...`: the canonical layout
 * of .rules files (ptrules_fmt), built on the public API only.
 *
 *   ptrules fmt PATH...          print the formatted text to stdout
 *   ptrules fmt --check PATH...  print a unified diff for each file that is
 *                                not formatted; exit 1 if there is any
 *   ptrules fmt -w PATH...       rewrite the files that are not formatted,
 *                                atomically (temporary file beside it, fsync,
 *                                rename), keeping the file's mode
 *
 * A PATH is a .rules file, a directory (its *.rules files and those of its
 * subdirectories, in name order) or - for standard input (not with -w).  A file that does not parse is
 * reported with located diagnostics and never written.  Exit codes: 0
 * success, 1 a file is not formatted (--check), does not parse or could
 * not be read or written, 2 a usage error (bad option, missing PATH). */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ptrules.h"

#include "cli.h"

static const char fmt_usage[] =
	"usage: ptrules fmt [--check | -w] PATH...\n"
	"\n"
	"  (no flag)   print the formatted text of every file to standard output\n"
	"  --check     print a unified diff for each file that is not formatted;\n"
	"              exit 1 if any is not\n"
	"  -w          rewrite the files that are not formatted (atomically)\n"
	"  PATH        a .rules file, a directory (searched recursively), or - for\n"
	"              standard input\n";

static int fmt_usage_error(const char *msg)
{
	if (msg)
		fprintf(stderr, "ptrules fmt: %s\n", msg);
	fputs(fmt_usage, stderr);
	return 2;
}

/* ---- files ----------------------------------------------------------------- */

typedef struct names {
	char **v;
	size_t n, cap;
} names;

static bool add_name(names *l, const char *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return false;
		l->v = v;
		l->cap = cap;
	}
	char *c = strdup(s);
	if (!c)
		return false;
	l->v[l->n++] = c;
	return true;
}

/* Sort entries "F<path>" / "D<path>" by path. */
static int cmp_entry(const void *a, const void *b)
{
	return strcmp(*(char *const *)a + 1, *(char *const *)b + 1);
}

#define FMT_MAX_DEPTH 64   /* directory levels below a PATH */

/* A directory's *.rules files and, recursively, those of its
 * subdirectories, in name order (a subdirectory's files at its place),
 * as `ptrules check` finds files; hidden files and directories are
 * skipped, and symbolic links to directories are not followed (no
 * cycles). */
static int add_dir(names *l, const char *path, int depth)
{
	if (depth > FMT_MAX_DEPTH) {
		fprintf(stderr, "%s: error: directories nested too deeply (limit is %d levels)\n", path, FMT_MAX_DEPTH);
		return 1;
	}
	DIR *dir = opendir(path);
	if (!dir) {
		fprintf(stderr, "%s: error: cannot open directory: %s\n", path, strerror(errno));
		return 1;
	}
	names found = { 0 };
	struct dirent *e;
	size_t pl = strlen(path);
	bool ok = true;
	while (ok && (e = readdir(dir)) != NULL) {
		size_t nl = strlen(e->d_name);
		if (e->d_name[0] == '.')
			continue;
		char *full = malloc(pl + nl + 3);
		ok = full != NULL;
		if (!ok)
			break;
		snprintf(full, pl + nl + 3, "F%s%s%s", path, pl && path[pl - 1] == '/' ? "" : "/", e->d_name);
		struct stat st;
		if (lstat(full + 1, &st) == 0 && S_ISDIR(st.st_mode)) {
			full[0] = 'D';
			ok = add_name(&found, full);
		} else if (nl >= 7 && strcmp(e->d_name + nl - 6, ".rules") == 0 &&
			   (stat(full + 1, &st) != 0 || !S_ISDIR(st.st_mode))) {   /* not a link to a directory */
			ok = add_name(&found, full);
		}
		free(full);
	}
	closedir(dir);
	if (found.n > 1)
		qsort(found.v, found.n, sizeof *found.v, cmp_entry);
	int rc = 0;
	for (size_t i = 0; i < found.n; i++) {
		if (ok && rc == 0 && found.v[i][0] == 'D')
			rc = add_dir(l, found.v[i] + 1, depth + 1);
		else if (ok && rc == 0)
			ok = add_name(l, found.v[i] + 1);
		free(found.v[i]);
	}
	free(found.v);
	if (!ok) {
		fputs("ptrules: out of memory\n", stderr);
		return 1;
	}
	return rc;
}

static bool write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		s += w;
		n -= (size_t)w;
	}
	return true;
}

/* Replace path with text atomically: a temporary file in the same
 * directory, written in full and fsync'ed, given the old file's mode,
 * then renamed over it; the directory is fsync'ed last.  On any error the
 * old file is untouched and the temporary file removed.  A symbolic link
 * is followed: the file it points to is replaced, the link stays. */
static bool write_atomic(const char *path, const char *text, size_t len)
{
	char real[PATH_MAX];
	if (!realpath(path, real)) {
		fprintf(stderr, "%s: error: cannot write: %s\n", path, strerror(errno));
		return false;
	}
	struct stat st;
	if (stat(real, &st) != 0) {
		fprintf(stderr, "%s: error: cannot write: %s\n", path, strerror(errno));
		return false;
	}
	const char *slash = strrchr(real, '/');   /* realpath is absolute */
	size_t dl = (size_t)(slash - real);
	char tmp[PATH_MAX + 32];
	if (snprintf(tmp, sizeof tmp, "%.*s/.%s.fmt-XXXXXX", (int)dl, real, slash + 1) >= (int)sizeof tmp) {
		fprintf(stderr, "%s: error: cannot write: path too long\n", path);
		return false;
	}
	int fd = mkstemp(tmp);
	if (fd < 0) {
		fprintf(stderr, "%s: error: cannot create a temporary file beside it: %s\n", path, strerror(errno));
		return false;
	}
	bool ok = write_all(fd, text, len);
	if (ok && fchown(fd, st.st_uid, st.st_gid) != 0) {
		/* not allowed to give it away: the new file is ours, as with an editor */
	}
	ok = ok && fchmod(fd, st.st_mode & 07777) == 0 && fsync(fd) == 0;
	int saved = errno;
	ok = close(fd) == 0 && ok;
	if (ok)
		ok = rename(tmp, real) == 0;
	else
		errno = saved;
	if (!ok) {
		fprintf(stderr, "%s: error: cannot write: %s (the file is unchanged)\n", path, strerror(errno));
		unlink(tmp);
		return false;
	}
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%.*s", dl ? (int)dl : 1, dl ? real : "/");
	int dfd = open(dir, O_RDONLY);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return true;
}

/* ---- unified diff ----------------------------------------------------------- */

typedef struct tline {
	const char *s;
	size_t n;            /* without the '\n' */
} tline;

/* Split text into lines; *final_nl says whether it ends in a newline. */
static tline *split_lines(const char *s, size_t len, size_t *count, bool *final_nl)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += s[i] == '\n';
	*final_nl = len == 0 || s[len - 1] == '\n';
	if (!*final_nl)
		n++;
	tline *v = malloc((n ? n : 1) * sizeof *v);
	if (!v)
		return NULL;
	size_t k = 0, start = 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] == '\n') {
			v[k++] = (tline){ s + start, i - start };
			start = i + 1;
		}
	if (start < len)
		v[k++] = (tline){ s + start, len - start };
	*count = k;
	return v;
}

static bool line_eq(const tline *a, const tline *b)
{
	return a->n == b->n && memcmp(a->s, b->s, a->n) == 0;
}

/* One edit-script entry: ' ' same, '-' only in a, '+' only in b. */
typedef struct edit {
	char op;
	size_t ai, bi;       /* line indices (ai for ' ' and '-', bi for '+') */
} edit;

/* The shortest edit script between a[0..n) and b[0..m), by Myers'
 * algorithm (O((n+m)·D) time, O(D²) memory).  When more than max_d
 * lines differ, the differing middle is shown as one replacement. */
static edit *diff_lines(const tline *a, size_t n, const tline *b, size_t m, size_t *count)
{
	size_t pre = 0, suf = 0;
	while (pre < n && pre < m && line_eq(&a[pre], &b[pre]))
		pre++;
	while (suf < n - pre && suf < m - pre && line_eq(&a[n - 1 - suf], &b[m - 1 - suf]))
		suf++;
	size_t an = n - pre - suf, bn = m - pre - suf;
	edit *e = malloc((n + m + 1) * sizeof *e);
	if (!e)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < pre; i++)
		e[k++] = (edit){ ' ', i, i };
	const tline *A = a + pre, *B = b + pre;
	const long max_d = 2000;
	long N = (long)an, M = (long)bn, D = -1;
	long **trace = NULL;
	if (N + M > 0) {
		long lim = N + M < max_d ? N + M : max_d;
		trace = calloc((size_t)lim + 1, sizeof *trace);
		long *v = trace ? calloc((size_t)(2 * lim + 3), sizeof *v) : NULL;   /* v[k + lim + 1] */
		for (long d = 0; v && d <= lim && D < 0; d++) {
			for (long kk = -d; kk <= d; kk += 2) {
				long x;
				if (kk == -d || (kk != d && v[kk - 1 + lim + 1] < v[kk + 1 + lim + 1]))
					x = v[kk + 1 + lim + 1];
				else
					x = v[kk - 1 + lim + 1] + 1;
				long y = x - kk;
				while (x < N && y < M && line_eq(&A[x], &B[y]))
					x++, y++;
				v[kk + lim + 1] = x;
				if (x >= N && y >= M) {
					D = d;
					break;
				}
			}
			trace[d] = malloc((size_t)(2 * d + 1) * sizeof **trace);
			if (!trace[d])
				break;
			for (long kk = -d; kk <= d; kk++)
				trace[d][kk + d] = v[kk + lim + 1];
		}
		free(v);
		if (trace && D >= 0 && !trace[D])
			D = -1;
	}
	if (N + M > 0 && D >= 0) {
		/* Walk back from (N, M), collecting the script in reverse. */
		edit *r = malloc(((size_t)(N + M) + 1) * sizeof *r);
		size_t rk = 0;
		long x = N, y = M;
		for (long d = D; r && d > 0; d--) {
			long kk = x - y;
			const long *pv = trace[d - 1];   /* k in [-(d-1), d-1] at pv[k + d - 1] */
			long pk;
			if (kk == -d || (kk != d && pv[kk - 1 + d - 1] < pv[kk + 1 + d - 1]))
				pk = kk + 1;
			else
				pk = kk - 1;
			long px = pv[pk + d - 1], py = px - pk;
			while (x > px && y > py) {
				x--, y--;
				r[rk++] = (edit){ ' ', (size_t)x + pre, (size_t)y + pre };
			}
			if (x > px)
				r[rk++] = (edit){ '-', (size_t)--x + pre, (size_t)y + pre };
			else
				r[rk++] = (edit){ '+', (size_t)x + pre, (size_t)--y + pre };
		}
		while (r && x > 0 && y > 0) {
			x--, y--;
			r[rk++] = (edit){ ' ', (size_t)x + pre, (size_t)y + pre };
		}
		if (!r)
			D = -1;
		for (size_t i = rk; r && i > 0; i--)
			e[k++] = r[i - 1];
		free(r);
	}
	if (N + M > 0 && D < 0) {
		for (long i = 0; i < N; i++)
			e[k++] = (edit){ '-', (size_t)i + pre, pre };
		for (long i = 0; i < M; i++)
			e[k++] = (edit){ '+', (size_t)N + pre, (size_t)i + pre };
	}
	if (trace) {
		long lim = N + M < max_d ? N + M : max_d;
		for (long d = 0; d <= lim; d++)
			free(trace[d]);
		free(trace);
	}
	for (size_t i = 0; i < suf; i++)
		e[k++] = (edit){ ' ', n - suf + i, m - suf + i };
	*count = k;
	return e;
}

static void print_line(char op, const tline *l, bool last_without_nl)
{
	putchar(op);
	fwrite(l->s, 1, l->n, stdout);
	putchar('\n');
	if (last_without_nl)
		fputs("\\ No newline at end of file\n", stdout);
}

/* The start,count of a hunk side, as diff -u writes it. */
static void print_range(char sign, size_t first, size_t count)
{
	if (count == 1)
		printf(" %c%zu", sign, first + 1);
	else
		printf(" %c%zu,%zu", sign, count ? first + 1 : first, count);
}

/* Print a unified diff (3 lines of context) from old to new; false when
 * out of memory. */
static bool print_diff(const char *path, const char *old, size_t olen, const char *new, size_t nlen)
{
	size_t n, m, ne;
	bool anl, bnl;
	tline *a = split_lines(old, olen, &n, &anl);
	tline *b = split_lines(new, nlen, &m, &bnl);
	edit *e = a && b ? diff_lines(a, n, b, m, &ne) : NULL;
	if (!e) {
		free(a);
		free(b);
		return false;
	}
	/* A line that lacks its final newline differs from the same text with
	 * one: treat the two last lines as changed. */
	for (size_t i = 0; i < ne; i++)
		if (e[i].op == ' ' && ((!anl && e[i].ai == n - 1) != (!bnl && e[i].bi == m - 1))) {
			memmove(e + i + 1, e + i, (ne - i) * sizeof *e);   /* e has room for n + m + 1 */
			e[i].op = '-';
			e[i + 1].op = '+';
			ne++;
			i++;
		}
	printf("--- %s\n+++ %s (formatted)\n", path, path);
	const size_t ctx = 3;
	size_t i = 0;
	while (i < ne) {
		while (i < ne && e[i].op == ' ')
			i++;
		if (i >= ne)
			break;
		/* The hunk runs from ctx lines before this change to ctx lines
		 * after the last change that is within 2*ctx of the next. */
		size_t start = i > ctx ? i - ctx : 0, end = i;
		for (;;) {
			while (end < ne && e[end].op != ' ')
				end++;
			size_t same = end;
			while (same < ne && e[same].op == ' ')
				same++;
			if (same < ne && same - end <= 2 * ctx)
				end = same;
			else {
				end = end + ctx < ne ? end + ctx : ne;
				break;
			}
		}
		size_t acount = 0, bcount = 0;
		size_t afirst = 0, bfirst = 0;
		bool afound = false, bfound = false;
		for (size_t j = start; j < end; j++) {
			if (e[j].op != '+') {
				if (!afound)
					afirst = e[j].ai, afound = true;
				acount++;
			}
			if (e[j].op != '-') {
				if (!bfound)
					bfirst = e[j].bi, bfound = true;
				bcount++;
			}
		}
		if (!afound)
			afirst = e[start].ai;
		if (!bfound)
			bfirst = e[start].bi;
		fputs("@@", stdout);
		print_range('-', afirst, acount);
		print_range('+', bfirst, bcount);
		fputs(" @@\n", stdout);
		for (size_t j = start; j < end; j++) {
			if (e[j].op == '+')
				print_line('+', &b[e[j].bi], !bnl && e[j].bi == m - 1);
			else
				print_line(e[j].op, &a[e[j].ai], !anl && e[j].ai == n - 1);
		}
		i = end;
	}
	free(a);
	free(b);
	free(e);
	return true;
}

/* ---- the command ---------------------------------------------------------- */

enum mode { PRINT, CHECK, WRITE };

/* Format one file; returns 0, or 1 when it is not formatted (--check),
 * does not parse, or cannot be read or written. */
static int fmt_one(const char *path, enum mode mode, ptrules_diags *d, size_t *unformatted)
{
	size_t len, flen = 0;
	char *text = cli_read_file(path, &len), *out = NULL;
	if (!text)
		return 1;
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	ptrules_diags_clear(d);
	ptrules_status st = ptrules_fmt(text, len, name, &out, &flen, d);
	int rc = 0;
	if (st != PTRULES_OK) {
		ptrules_diags_print(d, stderr);
		if (!ptrules_diags_errors(d))
			fprintf(stderr, "%s: error: %s\n", name, ptrules_strerror(st));
		fprintf(stderr, "%s: not formatted: it has errors%s\n", name,
			mode == WRITE ? " (the file is unchanged)" : "");
		rc = 1;
	} else if (mode == PRINT) {
		fwrite(out, 1, flen, stdout);
	} else if (flen != len || memcmp(out, text, len) != 0) {
		(*unformatted)++;
		if (mode == CHECK) {
			if (!print_diff(name, text, len, out, flen)) {
				fputs("ptrules: out of memory\n", stderr);
			}
			rc = 1;
		} else if (!write_atomic(path, out, flen)) {
			rc = 1;
		}
	}
	free(out);
	free(text);
	return rc;
}

int cmd_fmt(int argc, char **argv)
{
	enum mode mode = PRINT;
	bool check = false, rewrite = false, dashdash = false;
	const char **args = calloc((size_t)argc + 1, sizeof *args);
	int nargs = 0;
	if (!args) {
		fputs("ptrules: out of memory\n", stderr);
		return 1;
	}
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (dashdash || a[0] != '-' || a[1] == '\0') {
			args[nargs++] = a;
		} else if (strcmp(a, "--") == 0) {
			dashdash = true;
		} else if (strcmp(a, "--check") == 0) {
			check = true;
		} else if (strcmp(a, "-w") == 0 || strcmp(a, "--write") == 0) {
			rewrite = true;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(fmt_usage, stdout);
			free(args);
			return 0;
		} else {
			fprintf(stderr, "ptrules fmt: unknown option '%s'\n", a);
			free(args);
			return fmt_usage_error(NULL);
		}
	}
	int rc = 0;
	if (check && rewrite)
		rc = fmt_usage_error("give either --check or -w, not both");
	else if (nargs == 0)
		rc = fmt_usage_error("fmt needs at least one file or directory (- for stdin)");
	mode = check ? CHECK : rewrite ? WRITE : PRINT;
	/* Every operand must exist before anything is formatted or written. */
	names files = { 0 };
	for (int i = 0; rc == 0 && i < nargs; i++) {
		struct stat st;
		if (strcmp(args[i], "-") == 0) {
			if (mode == WRITE)
				rc = fmt_usage_error("-w cannot rewrite standard input");
			else if (!add_name(&files, "-"))
				rc = 1;
		} else if (stat(args[i], &st) != 0) {
			fprintf(stderr, "ptrules fmt: %s: %s\n", args[i], strerror(errno));
			rc = fmt_usage_error(NULL);
		} else if (S_ISDIR(st.st_mode)) {
			rc = add_dir(&files, args[i], 0);
		} else if (!add_name(&files, args[i])) {
			rc = 1;
			fputs("ptrules: out of memory\n", stderr);
		}
	}
	ptrules_diags *d = rc == 0 ? ptrules_diags_new() : NULL;
	if (rc == 0 && !d) {
		fputs("ptrules: out of memory\n", stderr);
		rc = 1;
	}
	size_t unformatted = 0, failed = 0;
	for (size_t i = 0; d && i < files.n; i++)
		if (fmt_one(files.v[i], mode, d, &unformatted))
			failed++;
	if (d && fflush(stdout) != 0) {
		fprintf(stderr, "ptrules fmt: cannot write the output: %s\n", strerror(errno));
		failed++;
	}
	if (d && mode == CHECK && unformatted)
		fprintf(stderr, "%zu file%s not formatted; `ptrules fmt -w` rewrites %s\n", unformatted,
			unformatted == 1 ? " is" : "s are", unformatted == 1 ? "it" : "them");
	if (d && failed)
		rc = 1;
	ptrules_diags_free(d);
	for (size_t i = 0; i < files.n; i++)
		free(files.v[i]);
	free(files.v);
	free(args);
	return rc;
}
