/* sink.c - FILE or bounded-buffer output without allocation. */
#include "sink.h"

#include <string.h>

/* Start an empty buffer sink. */
pt_sink pt_sink_buf(char *buf, size_t cap)
{
	pt_sink s = { NULL, buf, buf ? cap : 0, 0 };
	if (s.cap)
		s.buf[0] = '\0';
	return s;
}

/* Append n bytes, keeping room for the final NUL. */
void pt_sink_write(pt_sink *s, const char *p, size_t n)
{
	if (s->f) {
		fwrite(p, 1, n, s->f);
	} else if (s->len + 1 < s->cap) {
		size_t room = s->cap - 1 - s->len;
		memcpy(s->buf + s->len, p, n < room ? n : room);
	}
	s->len += n;
}

/* Append a C string. */
void pt_sink_puts(pt_sink *s, const char *p)
{
	pt_sink_write(s, p, strlen(p));
}

/* Append one byte. */
void pt_sink_putc(pt_sink *s, char c)
{
	pt_sink_write(s, &c, 1);
}

/* Append formatted text (pieces longer than 4 KiB are cut). */
void pt_sink_printf(pt_sink *s, const char *fmt, ...)
{
	char tmp[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	pt_sink_write(s, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Terminate the buffer and report the length the whole text needs. */
size_t pt_sink_finish(pt_sink *s)
{
	if (!s->f && s->cap)
		s->buf[s->len < s->cap ? s->len : s->cap - 1] = '\0';
	return s->len;
}
