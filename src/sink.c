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

/* Append n bytes to a FILE, or as many as fit (keeping room for the
 * final NUL) to a buffer; the length counts them all. */
void pt_sink_write_slow(pt_sink *s, const char *p, size_t n)
{
	if (s->f) {
		fwrite(p, 1, n, s->f);
	} else if (s->len + 1 < s->cap) {
		size_t room = s->cap - 1 - s->len;
		memcpy(s->buf + s->len, p, n < room ? n : room);
	}
	s->len += n;
}

/* Two-digit pairs "00".."99", for writing two digits per division. */
static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
			    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
			    "8081828384858687888990919293949596979899";

/* Write v in decimal at p (at most 20 bytes) and return the end: the
 * digits are counted from the bit length (no division) and written from
 * the last, two per division. */
char *pt_fmt_int(char *p, long long v)
{
	static const unsigned long long pow10[20] = {
		1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull, 100000000ull,
		1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull, 10000000000000ull,
		100000000000000ull, 1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
		1000000000000000000ull, 10000000000000000000ull
	};
	unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
	unsigned t = (unsigned)(64 - __builtin_clzll(u | 1)) * 1233 >> 12;   /* floor(log10) or one more */
	size_t nd = t + (u >= pow10[t]);
	nd += !nd;
	char *end = p + nd + (v < 0), *q = end;
	for (; u >= 100; u /= 100) {
		q -= 2;
		memcpy(q, pairs + 2 * (u % 100), 2);
	}
	if (u >= 10) {
		q -= 2;
		memcpy(q, pairs + 2 * u, 2);
	} else {
		*--q = (char)('0' + u);
	}
	if (v < 0)
		*--q = '-';
	return end;
}

/* Append v in decimal without printf (the JSON printer writes four
 * numbers per program; vsnprintf costs ten times more): straight into
 * a buffer with room. */
void pt_sink_int_slow(pt_sink *s, long long v)
{
	if (!s->f && s->len + 20 < s->cap) {
		s->len = (size_t)(pt_fmt_int(s->buf + s->len, v) - s->buf);
		return;
	}
	char tmp[24];
	pt_sink_write_slow(s, tmp, (size_t)(pt_fmt_int(tmp, v) - tmp));
}

/* Write YYYY-MM-DD at p (y in 0..9999, m and d in 0..99); the end. */
char *pt_fmt_ymd(char *p, int y, int m, int d)
{
	memcpy(p, pairs + 2 * (y / 100), 2);
	memcpy(p + 2, pairs + 2 * (y % 100), 2);
	p[4] = '-';
	memcpy(p + 5, pairs + 2 * m, 2);
	p[7] = '-';
	memcpy(p + 8, pairs + 2 * d, 2);
	return p + 10;
}

/* Append a date's YYYY-MM-DD (y in 0..9999, m and d in 0..99). */
void pt_sink_ymd(pt_sink *s, int y, int m, int d)
{
	char t[10];
	pt_fmt_ymd(t, y, m, d);
	pt_sink_write(s, t, sizeof t);
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
