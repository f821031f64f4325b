/* sink.h - where formatted output goes: a FILE, or a caller's buffer with
 * snprintf semantics (the full length is counted even when it does not
 * fit), so printers serve the CLI and the library without allocating. */
#ifndef PT_SINK_H
#define PT_SINK_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

typedef struct pt_sink {
	FILE *f;        /* when set, output goes here */
	char *buf;      /* else into buf[0..cap) */
	size_t cap;
	size_t len;     /* bytes produced so far, fitting or not */
} pt_sink;

static inline pt_sink pt_sink_file(FILE *f) { return (pt_sink){ f, NULL, 0, 0 }; }
/* A buffer sink; buf may be NULL when cap is 0 (measure only). */
pt_sink pt_sink_buf(char *buf, size_t cap);
void pt_sink_write(pt_sink *s, const char *p, size_t n);
void pt_sink_puts(pt_sink *s, const char *p);
void pt_sink_putc(pt_sink *s, char c);
void pt_sink_printf(pt_sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* NUL-terminate a buffer sink (truncating) and return the full length. */
size_t pt_sink_finish(pt_sink *s);

#endif
