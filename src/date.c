/* date.c - calendar arithmetic: Howard Hinnant's civil-date algorithms,
 * and Neri and Schneider's for days to a date within the years most
 * dates fall in. */
#include "date.h"

#include <time.h>

/* Days since 1970-01-01 for a proleptic Gregorian date. */
int32_t pt_date_from_ymd(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153u * (unsigned)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (unsigned)d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + (int)doe - 719468);
}

/* Inverse of pt_date_from_ymd for any day, by eras of 400 years
 * (Hinnant): the reference for pt_date_to_ymd, which uses it outside
 * the range its faster form covers. */
void pt_date_to_ymd_era(int32_t days, int *y, int *m, int *d)
{
	int64_t z = (int64_t)days + 719468;   /* 64 bits: any int32 day, a forged file's too */
	int era = (int)((z >= 0 ? z : z - 146096) / 146097);
	unsigned doe = (unsigned)(z - (int64_t)era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)yoe + era * 400 + (*m <= 2);
}

/* Inverse of pt_date_from_ymd.  Within PT_DATE_FAST_LO .. _HI (the
 * years -32800 to about 34800) by Neri and Schneider's Euclidean affine
 * functions ("Euclidean affine functions and their application to
 * calendar algorithms", 2022): unsigned 32-bit arithmetic on days since
 * 1 March of year -32800, multiplications and shifts where the era form
 * divides, about a third of its instructions (binding, parsing and
 * printing a cart each take one); elsewhere pt_date_to_ymd_era.
 * test_out checks the two agree on every day of the range. */
void pt_date_to_ymd(int32_t z, int *y, int *m, int *d)
{
	if (z < PT_DATE_FAST_LO || z > PT_DATE_FAST_HI) {
		pt_date_to_ymd_era(z, y, m, d);
		return;
	}
	uint32_t n = (uint32_t)(z - PT_DATE_FAST_LO);   /* days since -32800-03-01 */
	uint32_t n1 = 4 * n + 3;
	uint32_t century = n1 / 146097;
	uint32_t n2 = n1 % 146097 / 4 * 4 + 3;           /* 4 x day of the century + 3 */
	uint64_t p2 = (uint64_t)2939745 * n2;
	uint32_t yoc = (uint32_t)(p2 >> 32);             /* year of the century */
	uint32_t doy = (uint32_t)p2 / 2939745 / 4;       /* day of the year, from 1 March */
	uint32_t n3 = 2141 * doy + 197913;
	uint32_t mon = n3 >> 16;                         /* 3 (March) .. 14 (February) */
	uint32_t jan_feb = doy >= 306;
	*d = (int)((n3 & 65535) / 2141) + 1;
	*m = (int)(jan_feb ? mon - 12 : mon);
	*y = (int)(100 * century + yoc + jan_feb) - 400 * PT_DATE_FAST_ERAS;
}

/* Strict YYYY-MM-DD, rejecting impossible days such as 2026-02-30. */
bool pt_date_parse(const char *s, size_t len, int32_t *out)
{
	if (len != 10 || s[4] != '-' || s[7] != '-')
		return false;
	int v[3] = { 0, 0, 0 }, idx[3][2] = { { 0, 4 }, { 5, 2 }, { 8, 2 } };
	for (int k = 0; k < 3; k++)
		for (int i = 0; i < idx[k][1]; i++) {
			char c = s[idx[k][0] + i];
			if (c < '0' || c > '9')
				return false;
			v[k] = v[k] * 10 + (c - '0');
		}
	if (v[0] < 1900 || v[1] < 1 || v[1] > 12 || v[2] < 1)
		return false;
	int32_t days = pt_date_from_ymd(v[0], v[1], v[2]);
	int y, m, d;
	pt_date_to_ymd(days, &y, &m, &d);
	if (y != v[0] || m != v[1] || d != v[2])
		return false;
	*out = days;
	return true;
}

/* Format as YYYY-MM-DD. */
void pt_date_format(int32_t days, char *buf)
{
	int y, m, d;
	pt_date_to_ymd(days, &y, &m, &d);
	unsigned yy = (unsigned)((y % 10000 + 10000) % 10000);
	const unsigned v[3] = { yy, (unsigned)m % 100, (unsigned)d % 100 };
	const int w[3] = { 4, 2, 2 };
	char *p = buf;
	for (int k = 0; k < 3; k++) {
		if (k)
			*p++ = '-';
		for (int i = w[k] - 1, x = (int)v[k]; i >= 0; i--, x /= 10)
			p[i] = (char)('0' + x % 10);
		p += w[k];
	}
	*p = '\0';
}

/* Day of the month. */
int pt_date_day(int32_t days)
{
	int y, m, d;
	pt_date_to_ymd(days, &y, &m, &d);
	return d;
}

/* 1970-01-01 was a Thursday (ISO 4). */
int pt_date_weekday(int32_t days)
{
	int w = (int)((days % 7 + 7 + 3) % 7);
	return w + 1;
}

/* The clock's UTC time shifted by nine hours (Japan has no DST). */
int32_t pt_date_today_jst(void)
{
	time_t t = time(NULL) + 9 * 3600;
	return (int32_t)(t / 86400);
}
