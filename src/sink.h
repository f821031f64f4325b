/* sink.h - where formatted output goes: a FILE, or a caller's buffer with
 * snprintf semantics (the full length is counted even when it does not
 * fit), so printers serve the CLI and the library without allocating.
 *
 * Writing into a buffer with room is the common case (the CLI formats
 * every cart into one); it is inline here and costs a compare and a copy.
 * Everything else goes through pt_sink_write_slow. */
#ifndef PT_SINK_H
#define PT_SINK_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef struct pt_sink {
	FILE *f;        /* when set, output goes here */
	char *buf;      /* else into buf[0..cap) */
	size_t cap;
	size_t len;     /* bytes produced so far, fitting or not */
} pt_sink;

static inline pt_sink pt_sink_file(FILE *f) { return (pt_sink){ f, NULL, 0, 0 }; }
/* A buffer sink; buf may be NULL when cap is 0 (measure only). */
pt_sink pt_sink_buf(char *buf, size_t cap);
/* pt_sink_write for a FILE or a buffer without room for all n bytes. */
void pt_sink_write_slow(pt_sink *s, const char *p, size_t n);

/* Append n bytes, keeping room for the final NUL. */
static inline void pt_sink_write(pt_sink *s, const char *p, size_t n)
{
	if (!s->f && s->len + n < s->cap) {
		memcpy(s->buf + s->len, p, n);
		s->len += n;
	} else {
		pt_sink_write_slow(s, p, n);
	}
}

/* Append a C string. */
static inline void pt_sink_puts(pt_sink *s, const char *p)
{
	pt_sink_write(s, p, strlen(p));
}

/* Append one byte. */
static inline void pt_sink_putc(pt_sink *s, char c)
{
	if (!s->f && s->len + 1 < s->cap)
		s->buf[s->len++] = c;
	else
		pt_sink_write_slow(s, &c, 1);
}

/* Write v in decimal at p (at most 20 bytes); returns the end. */
char *pt_fmt_int(char *p, long long v);
/* pt_sink_int for numbers of more than one digit. */
void pt_sink_int_slow(pt_sink *s, long long v);

/* Append v in decimal, as printf's %lld does (a lone digit, often 0,
 * inline). */
static inline void pt_sink_int(pt_sink *s, long long v)
{
	if ((unsigned long long)v < 10)
		pt_sink_putc(s, (char)('0' + v));
	else
		pt_sink_int_slow(s, v);
}
/* Write YYYY-MM-DD at p (10 bytes); returns the end. */
char *pt_fmt_ymd(char *p, int y, int m, int d);
/* Append YYYY-MM-DD (y in 0..9999, m and d in 0..99), as pt_date_format. */
void pt_sink_ymd(pt_sink *s, int y, int m, int d);
void pt_sink_printf(pt_sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* NUL-terminate a buffer sink (truncating) and return the full length. */
size_t pt_sink_finish(pt_sink *s);

#endif
