/* cmd_diff_num.c - exact integer arithmetic and number formatting for
 * `ptrules diff` (prefix dnum_): 128-bit products and comparisons, ratios
 * rounded half away from zero, basis points, numbers with thousands
 * commas and percentages.  No floating point anywhere. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include "cmd_diff.h"

/* |a| as an unsigned 64-bit value (exact for INT64_MIN too). */
uint64_t dnum_mag(int64_t a)
{
	return a < 0 ? (uint64_t)0 - (uint64_t)a : (uint64_t)a;
}

/* a * b exactly. */
wide dnum_mul(int64_t a, int64_t b)
{
	uint64_t x = dnum_mag(a), y = dnum_mag(b);
	uint64_t x0 = x & 0xFFFFFFFFu, x1 = x >> 32, y0 = y & 0xFFFFFFFFu, y1 = y >> 32;
	uint64_t p00 = x0 * y0, p01 = x0 * y1, p10 = x1 * y0, p11 = x1 * y1;
	uint64_t mid = (p00 >> 32) + (p01 & 0xFFFFFFFFu) + (p10 & 0xFFFFFFFFu);
	wide w;
	w.lo = (mid << 32) | (p00 & 0xFFFFFFFFu);
	w.hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
	w.neg = (w.hi || w.lo) && ((a < 0) != (b < 0));
	return w;
}

/* Compare two 128-bit values: -1, 0 or 1. */
int dnum_cmp(wide a, wide b)
{
	if (a.neg != b.neg)
		return a.neg ? -1 : 1;
	int m = a.hi != b.hi ? (a.hi < b.hi ? -1 : 1) : a.lo != b.lo ? (a.lo < b.lo ? -1 : 1) : 0;
	return a.neg ? -m : m;
}

/* (hi:lo) / d for hi < d; the remainder in *rem. */
static uint64_t wide_div(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *rem)
{
	uint64_t q = 0, r = hi;
	for (int i = 63; i >= 0; i--) {
		uint64_t carry = r >> 63;
		r = (r << 1) | ((lo >> i) & 1);
		q <<= 1;
		if (carry || r >= d) {
			r -= d;
			q |= 1;
		}
	}
	*rem = r;
	return q;
}

/* part / whole x mult, rounded half away from zero: mult 10000 gives
 * basis points (1/100 of a percent).  0 when whole and part are 0; *ok = 0
 * when whole is 0 and part is not (no finite ratio) or the result does not
 * fit. */
int64_t dnum_ratio(int64_t part, int64_t whole, int64_t mult, int *ok)
{
	*ok = 1;
	if (whole == 0) {
		*ok = part == 0;
		return 0;
	}
	wide p = dnum_mul(part, mult);
	uint64_t w = dnum_mag(whole), rem;
	if (p.hi >= w) {
		*ok = 0;
		return 0;
	}
	uint64_t q = wide_div(p.hi, p.lo, w, &rem);
	if (rem >= w - rem)     /* rem * 2 >= w without overflow */
		q++;
	if (q > (uint64_t)INT64_MAX) {
		*ok = 0;
		return 0;
	}
	return (p.neg != (whole < 0)) ? -(int64_t)q : (int64_t)q;
}

/* part / whole in basis points (1/100 of a percent). */
int64_t dnum_bp(int64_t part, int64_t whole, int *ok)
{
	return dnum_ratio(part, whole, 10000, ok);
}

/* n with thousands commas; a '+' for positive numbers when plus is set. */
const char *dnum_fmt(char *buf, size_t cap, int64_t n, int plus)
{
	char digits[32];
	uint64_t m = dnum_mag(n);
	int len = snprintf(digits, sizeof digits, "%" PRIu64, m);
	size_t o = 0;
	if (n < 0)
		buf[o++] = '-';
	else if (plus && n > 0)
		buf[o++] = '+';
	for (int i = 0; i < len && o + 2 < cap; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

/* part / whole as a signed percentage with `decimals` decimals (2 or 3),
 * e.g. "+5.30%", "0.00%", "-12.00%"; "n/a" when there is no finite value. */
const char *dnum_pctd(char *buf, size_t cap, int64_t part, int64_t whole, int plus, int decimals)
{
	int ok;
	int64_t unit = decimals == 3 ? 1000 : 100;
	int64_t v = dnum_ratio(part, whole, 100 * unit, &ok);
	if (!ok) {
		snprintf(buf, cap, "n/a");
		return buf;
	}
	uint64_t m = dnum_mag(v);
	snprintf(buf, cap, "%s%" PRIu64 ".%0*" PRIu64 "%%", v < 0 ? "-" : (plus && v > 0 ? "+" : ""),
		 m / (uint64_t)unit, decimals == 3 ? 3 : 2, m % (uint64_t)unit);
	return buf;
}

/* dnum_pctd with two decimals. */
const char *dnum_pct(char *buf, size_t cap, int64_t part, int64_t whole, int plus)
{
	return dnum_pctd(buf, cap, part, whole, plus, 2);
}
