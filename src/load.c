/* load.c - files, directories and standard input. */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "load.h"

/* Double the buffer *buf of *cap bytes (+1 for the NUL) holding path's
 * text; false, *buf freed, and said, when it cannot grow: past what we
 * read at all ("file too large"), or out of memory (which the load
 * reports as such). */
static bool grow_text(char **buf, size_t *cap, const char *path, pt_diags *d)
{
	bool huge = *cap > ((size_t)1 << 40);
	char *nb = huge ? NULL : realloc(*buf, *cap * 2 + 1);
	if (!nb) {
		free(*buf);
		*buf = NULL;
		if (huge)
			pt_diag_file(d, PT_ERROR, path, "file too large to read");
		else
			pt_diag_oom(d, path);
		return false;
	}
	*buf = nb;
	*cap *= 2;
	return true;
}

/* Read all of stream f into a growing buffer of cap bytes to start:
 * standard input, whose size is not known. */
static char *read_stream(FILE *f, const char *path, size_t cap, size_t *len, pt_diags *d)
{
	size_t n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap) {
			if (ferror(f)) {
				pt_diag_file(d, PT_ERROR, path, "cannot read: %s", strerror(errno));
				free(buf);
				return NULL;
			}
			break;
		}
		if (!grow_text(&buf, &cap, path, d))
			return NULL;
	}
	if (!buf) {
		pt_diag_oom(d, path);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Slurp a file or stdin; the buffer is NUL-terminated for convenience.
 * A file is read with open, fstat and read into a buffer of its size (+1
 * to see the end in one read): stdio's fopen and fread made six system
 * calls a file where this makes four, and `ptrules check` over 1,000
 * small files spends much of its time in them; 64 KB a file, as stdio
 * read them once, touched 65 MB. */
char *pt_read_file(const char *path, size_t *len, pt_diags *d)
{
	if (strcmp(path, "-") == 0)
		return read_stream(stdin, path, 1 << 16, len, d);
	int fd;
	do
		fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		pt_diag_file(d, PT_ERROR, path, "cannot open: %s", strerror(errno));
		return NULL;
	}
	size_t cap = 1 << 16, n = 0, size = SIZE_MAX;
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 && (uint64_t)st.st_size < ((uint64_t)1 << 40)) {
		size = (size_t)st.st_size;
		cap = size + 1;
	}
	char *buf = malloc(cap + 1);
	if (!buf) {
		close(fd);
		pt_diag_oom(d, path);
		return NULL;
	}
	while (buf) {
		ssize_t got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			pt_diag_file(d, PT_ERROR, path, "cannot read: %s", strerror(errno));
			free(buf);
			buf = NULL;
			break;
		}
		if (got == 0)   /* the end */
			break;
		n += (size_t)got;
		if (n == size)   /* a regular file's size, short of the byte asked past it: the end, without a read more */
			break;
		if (n < cap)
			continue;
		if (!grow_text(&buf, &cap, path, d))
			break;
	}
	close(fd);
	if (!buf)
		return NULL;
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Append one file's contents under its path. */
static bool add_file(pt_srclist *l, const char *path, pt_diags *d)
{
	size_t len;
	char *text = pt_read_file(path, &len, d);
	if (!text)
		return false;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 8;
		pt_src *v = realloc(l->v, nc * sizeof *v);
		if (!v) {
			free(text);
			pt_diag_oom(d, path);
			return false;
		}
		l->v = v;
		l->cap = nc;
	}
	char *name = strdup(path);
	if (!name) {
		free(text);
		pt_diag_oom(d, path);
		return false;
	}
	l->v[l->n++] = (pt_src){ name, text, len, 0 };
	return true;
}

/* qsort comparator for file names. */
static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add a file, or a directory's *.rules files in name order. */
bool pt_srclist_add(pt_srclist *l, const char *path, pt_diags *d)
{
	struct stat st;
	if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		DIR *dir = opendir(path);
		if (!dir) {
			pt_diag_file(d, PT_ERROR, path, "cannot open directory: %s", strerror(errno));
			return false;
		}
		char **names = NULL;
		size_t n = 0, cap = 0;
		bool ok = true;
		struct dirent *e;
		while ((e = readdir(dir)) != NULL) {
			size_t nl = strlen(e->d_name);
			if (nl < 7 || strcmp(e->d_name + nl - 6, ".rules") != 0 || e->d_name[0] == '.')
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				char **nn = realloc(names, cap * sizeof *nn);
				if (!nn) {
					ok = false;
					break;
				}
				names = nn;
			}
			size_t pl = strlen(path);
			char *full = malloc(pl + nl + 2);
			if (!full) {
				ok = false;
				break;
			}
			snprintf(full, pl + nl + 2, "%s%s%s", path, pl && path[pl - 1] == '/' ? "" : "/", e->d_name);
			names[n++] = full;
		}
		closedir(dir);
		if (!ok)   /* the names' room or a name ran out of memory */
			pt_diag_oom(d, path);
		if (n > 1)
			qsort(names, n, sizeof *names, cmp_names);
		for (size_t i = 0; i < n; i++) {
			if (ok && !add_file(l, names[i], d))
				ok = false;
			free(names[i]);
		}
		free(names);
		if (ok && n == 0) {
			pt_diag_file(d, PT_ERROR, path, "no .rules files in this directory");
			ok = false;
		}
		return ok;
	}
	return add_file(l, path, d);
}

/* Free every source. */
void pt_srclist_free(pt_srclist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free((char *)l->v[i].name);
		free((char *)l->v[i].text);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}
