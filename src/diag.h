/* diag.h - diagnostics as records, printed gcc-style.
 *
 * Every stage (lexer, parser, passes, cart reader, loader) reports through
 * pt_diag_at(); records keep file, line, column range, severity, a stable
 * code and a copy of the source line, so one printer serves every stage
 * and tests can compare records. */
#ifndef PT_DIAG_H
#define PT_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>

/* A named buffer of source text (rules file or cart file). */
typedef struct pt_src {
	const char *name;   /* path as the user gave it, "<stdin>" for - */
	const char *text;
	size_t len;
	int first_line;     /* line number of text[0]; 0 means 1 (a window
			     * of a larger file, e.g. one streamed cart) */
} pt_src;

typedef enum { PT_ERROR, PT_WARNING, PT_NOTE } pt_severity;

typedef struct pt_diag {
	pt_severity sev;
	char code[8];       /* "PT001" or "" */
	char *file;
	int line, col;      /* 1-based; col counts bytes */
	int len;            /* bytes underlined, at least 1 */
	char *msg;
	char *src_line;     /* copy of the offending line, or NULL */
} pt_diag;

typedef struct pt_diags {
	pt_diag *v;
	size_t n, cap;
	size_t n_errors, n_warnings;
	size_t max_errors;  /* stop recording errors past this (0 = 50) */
	int truncated;      /* errors were dropped because of max_errors */
	bool oom;           /* memory ran out: pt_diag_oom, or a record lost (the API's PTRULES_ENOMEM) */
	bool oom_said;      /* pt_diag_oom's "out of memory" is recorded: it is said once */
} pt_diags;

void pt_diags_init(pt_diags *d);
void pt_diags_free(pt_diags *d);
/* Record a diagnostic at line:col of src, underlining len bytes. */
void pt_diag_at(pt_diags *d, pt_severity sev, const pt_src *src, int line,
		int col, int len, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
void pt_diag_vat(pt_diags *d, pt_severity sev, const pt_src *src, int line,
		 int col, int len, const char *fmt, va_list ap);
/* Record a diagnostic for a whole file (no line), e.g. "cannot open". */
void pt_diag_file(pt_diags *d, pt_severity sev, const char *file,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* "out of memory" for a whole file, and d->oom set: what loading reports
 * when an allocation fails, so that the API can say PTRULES_ENOMEM. */
void pt_diag_oom(pt_diags *d, const char *file);
void pt_diags_begin_call(pt_diags *d);
/* True when the error cap has been reached and callers may stop early. */
int pt_diags_full(const pt_diags *d);
struct pt_sink;
/* Write every record gcc-style into a sink (see sink.h). */
void pt_diags_write(const pt_diags *d, struct pt_sink *out);
/* Print every record gcc-style with source line and ^~~~ underline. */
void pt_diags_print(const pt_diags *d, FILE *out);
/* Offset of the first ill-formed UTF-8 byte in s[0..n), or -1. */
long pt_utf8_check(const char *s, size_t n);
/* Terminal columns the UTF-8 text s[0..n) takes (CJK counts 2). */
int pt_text_width(const char *s, size_t n);
/* Print the "N errors, M warnings generated." summary line. */
void pt_diags_print_summary(const pt_diags *d, FILE *out);

#endif
