/* diag.c - diagnostic records and the gcc-style printer. */
#include "diag.h"
#include "sink.h"

#include <stdlib.h>
#include <string.h>

/* Start with no records and the default error cap. */
void pt_diags_init(pt_diags *d)
{
	memset(d, 0, sizeof *d);
	d->max_errors = 50;
}

/* Free every record and the copies they own. */
void pt_diags_free(pt_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
		free(d->v[i].src_line);
	}
	free(d->v);
	memset(d, 0, sizeof *d);
}

/* Format into a fresh heap string; NULL on OOM. */
static char *vfmt(const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	char *s = malloc((size_t)n + 1);
	if (s)
		vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

/* Copy line number `line` of src (without its newline), or NULL. */
static char *copy_line(const pt_src *src, int line)
{
	if (!src || !src->text || line < 1)
		return NULL;
	const char *p = src->text, *end = src->text + src->len;
	for (int l = src->first_line > 1 ? src->first_line : 1; l < line && p < end; p++)
		if (*p == '\n')
			l++;
	const char *e = p;
	while (e < end && *e != '\n')
		e++;
	if (e > p && e[-1] == '\r')
		e--;
	size_t n = (size_t)(e - p);
	char *s = malloc(n + 1);
	if (s) {
		for (size_t i = 0; i < n; i++)   /* NULs would cut the line short */
			s[i] = p[i] ? p[i] : ' ';
		s[n] = '\0';
	}
	return s;
}

/* Append one record, honouring the error cap; NULL past the cap, or
 * with d->oom set when there is no room for it. */
static pt_diag *push(pt_diags *d, pt_severity sev)
{
	size_t cap = d->max_errors ? d->max_errors : 50;
	if (sev == PT_ERROR) {
		d->n_errors++;
		if (d->n_errors > cap) {
			d->truncated = 1;
			return NULL;
		}
	} else if (sev == PT_WARNING) {
		d->n_warnings++;
	}
	if (d->n == d->cap) {
		size_t nc = d->cap ? d->cap * 2 : 16;
		pt_diag *v = realloc(d->v, nc * sizeof *v);
		if (!v) {   /* the record is lost, and not counted: the load says out of memory */
			d->n_errors -= sev == PT_ERROR;
			d->n_warnings -= sev == PT_WARNING;
			d->oom = true;
			return NULL;
		}
		d->v = v;
		d->cap = nc;
	}
	pt_diag *r = &d->v[d->n++];
	memset(r, 0, sizeof *r);
	r->sev = sev;
	return r;
}

/* The record just pushed, r, without its file name or text for want of
 * memory: taken back (a record is whole or absent), and d->oom set, so
 * that the load says out of memory. */
static void drop_if_partial(pt_diags *d, pt_diag *r)
{
	if (r->file && r->msg)
		return;
	free(r->file);
	free(r->msg);
	free(r->src_line);
	d->n--;
	d->n_errors -= r->sev == PT_ERROR;   /* counted as it was pushed */
	d->n_warnings -= r->sev == PT_WARNING;
	d->oom = true;
}

/* Record a located diagnostic (va_list form). */
void pt_diag_vat(pt_diags *d, pt_severity sev, const pt_src *src, int line,
		 int col, int len, const char *fmt, va_list ap)
{
	pt_diag *r = push(d, sev);
	if (!r)
		return;
	r->file = strdup(src && src->name ? src->name : "<input>");
	r->line = line;
	r->col = col < 1 ? 1 : col;
	r->len = len < 1 ? 1 : len;
	r->msg = vfmt(fmt, ap);
	r->src_line = copy_line(src, line);
	drop_if_partial(d, r);
}

/* Record a located diagnostic. */
void pt_diag_at(pt_diags *d, pt_severity sev, const pt_src *src, int line,
		int col, int len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pt_diag_vat(d, sev, src, line, col, len, fmt, ap);
	va_end(ap);
}

/* Record a diagnostic about a file as a whole. */
void pt_diag_file(pt_diags *d, pt_severity sev, const char *file,
		  const char *fmt, ...)
{
	pt_diag *r = push(d, sev);
	if (!r)
		return;
	va_list ap;
	va_start(ap, fmt);
	r->file = strdup(file ? file : "<input>");
	r->msg = vfmt(fmt, ap);
	va_end(ap);
	drop_if_partial(d, r);
}

/* Clear d's out-of-memory marks as a load (or fmt) starts, so that they
 * say whether this call ran out of memory and "out of memory" is said
 * once in it. */
void pt_diags_begin_call(pt_diags *d)
{
	d->oom = d->oom_said = false;
}

/* Record running out of memory for file, and that it happened (d->oom);
 * once, however many of a load's steps find it (d->oom_said). */
void pt_diag_oom(pt_diags *d, const char *file)
{
	if (!d->oom_said) {
		size_t n = d->n;
		pt_diag_file(d, PT_ERROR, file, "out of memory");
		d->oom_said = d->n > n;
	}
	d->oom = true;
}

/* Whether further errors would be dropped. */
int pt_diags_full(const pt_diags *d)
{
	return d->n_errors >= (d->max_errors ? d->max_errors : 50);
}

/* Offset of the first byte of s[0..n) that is not well-formed UTF-8
 * (overlongs, surrogates, code points past U+10FFFF and NUL included),
 * or -1 when all of it is. */
long pt_utf8_check(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		unsigned c = u[i];
		size_t k;
		unsigned lo = 0x80, hi = 0xBF;   /* range of the second byte */
		if (c >= 0x01 && c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xC2 && c <= 0xDF) {
			k = 2;
		} else if (c >= 0xE0 && c <= 0xEF) {
			k = 3;
			if (c == 0xE0)
				lo = 0xA0;
			else if (c == 0xED)
				hi = 0x9F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			k = 4;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F;
		} else {
			return (long)i;
		}
		if (i + k > n || u[i + 1] < lo || u[i + 1] > hi)
			return (long)i;
		for (size_t j = 2; j < k; j++)
			if ((u[i + j] & 0xC0) != 0x80)
				return (long)i;
		i += k;
	}
	return -1;
}

/* Display width of the UTF-8 bytes s[0..n): wide for CJK, 0 for a byte
 * order mark (U+FEFF, which a rules file may start with), 1 otherwise. */
int pt_text_width(const char *s, size_t n)
{
	int w = 0;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		unsigned cp = c;
		size_t k = 1;
		if (c >= 0xF0 && i + 3 < n + 3) {
			k = 4;
			cp = 0x10000;
		} else if (c >= 0xE0) {
			k = 3;
			cp = (c & 0x0Fu) << 12;
			if (i + 1 < n)
				cp |= ((unsigned char)s[i + 1] & 0x3Fu) << 6;
		} else if (c >= 0xC0) {
			k = 2;
			cp = 0x80;
		}
		if (c == '\t')
			w = (w / 8 + 1) * 8;
		else if (c == 0xEF && i + 2 < n && (unsigned char)s[i + 1] == 0xBB && (unsigned char)s[i + 2] == 0xBF)
			;   /* U+FEFF: invisible */
		else
			w += (cp >= 0x1100 && (cp <= 0x115F || (cp >= 0x2E80 && cp <= 0xA4CF) ||
					      (cp >= 0xAC00 && cp <= 0xD7A3) ||
					      (cp >= 0xF900 && cp <= 0xFAFF) ||
					      (cp >= 0xFF00 && cp <= 0xFF60) || cp >= 0x10000)) ? 2 : 1;
		i += k;
	}
	return w;
}

static const char *const sev_name[] = { "error", "warning", "note" };

/* Print records gcc-style: location, message, source line, underline. */
void pt_diags_write(const pt_diags *d, pt_sink *out)
{
	for (size_t i = 0; i < d->n; i++) {
		const pt_diag *r = &d->v[i];
		if (r->line > 0)
			pt_sink_printf(out, "%s:%d:%d: %s: %s", r->file, r->line, r->col,
				sev_name[r->sev], r->msg ? r->msg : "");
		else
			pt_sink_printf(out, "%s: %s: %s", r->file, sev_name[r->sev],
				r->msg ? r->msg : "");
		if (r->code[0])
			pt_sink_printf(out, " [%s]", r->code);
		pt_sink_putc(out, '\n');
		if (!r->src_line)
			continue;
		/* Show at most a 120-byte window of long lines, around the column. */
		const char *line = r->src_line;
		size_t ll = strlen(line);
		size_t c0 = (size_t)r->col - 1 > ll ? ll : (size_t)r->col - 1;
		size_t c1 = c0 + (size_t)r->len > ll ? ll : c0 + (size_t)r->len;
		size_t w0 = 0, w1 = ll;
		if (ll > 120) {
			w0 = c0 > 40 ? c0 - 40 : 0;
			while (w0 > 0 && ((unsigned char)line[w0] & 0xC0) == 0x80)
				w0--;
			w1 = w0 + 120 < ll ? w0 + 120 : ll;
			while (w1 < ll && ((unsigned char)line[w1] & 0xC0) == 0x80)
				w1++;
			if (c1 > w1)
				c1 = w1;
		}
		const char *pre = w0 ? "..." : "";
		int pad = pt_text_width(line + w0, c0 - w0) + (int)strlen(pre);
		int w = c1 > c0 ? pt_text_width(line + c0, c1 - c0) : 1;
		pt_sink_printf(out, " %5d | %s%.*s%s\n       | %*s^", r->line, pre, (int)(w1 - w0), line + w0,
			w1 < ll ? "..." : "", pad, "");
		for (int k = 1; k < w; k++)
			pt_sink_putc(out, '~');
		pt_sink_putc(out, '\n');
	}
	if (d->truncated)
		pt_sink_printf(out, "ptrules: too many errors, stopped after %zu\n",
			d->max_errors ? d->max_errors : (size_t)50);
}

/* Print records to a FILE. */
void pt_diags_print(const pt_diags *d, FILE *out)
{
	pt_sink s = pt_sink_file(out);
	pt_diags_write(d, &s);
}

/* Print the final count, as compilers do, when anything was reported. */
void pt_diags_print_summary(const pt_diags *d, FILE *out)
{
	if (!d->n_errors && !d->n_warnings)
		return;
	if (d->n_errors && d->n_warnings)
		fprintf(out, "%zu error%s and %zu warning%s generated.\n", d->n_errors,
			d->n_errors == 1 ? "" : "s", d->n_warnings, d->n_warnings == 1 ? "" : "s");
	else if (d->n_errors)
		fprintf(out, "%zu error%s generated.\n", d->n_errors, d->n_errors == 1 ? "" : "s");
	else
		fprintf(out, "%zu warning%s generated.\n", d->n_warnings, d->n_warnings == 1 ? "" : "s");
}
