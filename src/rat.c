/* rat.c - checked rational arithmetic. */
#include "rat.h"

#include <stdio.h>

/* Greatest common divisor of two non-negative values. */
static int64_t gcd64(int64_t a, int64_t b)
{
	while (b) {
		int64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* Normalise n/d: positive denominator, lowest terms. */
bool pt_rat_make(int64_t n, int64_t d, pt_rat *out)
{
	if (d == 0 || n == INT64_MIN || d == INT64_MIN)
		return false;
	if (d < 0) {
		n = -n;
		d = -d;
	}
	int64_t g = gcd64(n < 0 ? -n : n, d);
	if (g > 1) {
		n /= g;
		d /= g;
	}
	out->n = n;
	out->d = d;
	return true;
}

/* a + b, reducing by the gcd of the denominators first to stay small. */
bool pt_rat_add(pt_rat a, pt_rat b, pt_rat *out)
{
	if (a.d == 1 && b.d == 1) {
		int64_t s;
		if (__builtin_add_overflow(a.n, b.n, &s) || s == INT64_MIN)
			return false;
		*out = (pt_rat){ s, 1 };
		return true;
	}
	int64_t g = gcd64(a.d, b.d);
	int64_t bd = b.d / g, ad = a.d / g, x, y, n, d;
	if (__builtin_mul_overflow(a.n, bd, &x) || __builtin_mul_overflow(b.n, ad, &y) ||
	    __builtin_add_overflow(x, y, &n) || __builtin_mul_overflow(a.d, bd, &d))
		return false;
	return pt_rat_make(n, d, out);
}

/* a - b. */
bool pt_rat_sub(pt_rat a, pt_rat b, pt_rat *out)
{
	if (b.n == INT64_MIN)
		return false;
	return pt_rat_add(a, (pt_rat){ -b.n, b.d }, out);
}

/* a * b, cross-cancelling before multiplying. */
bool pt_rat_mul(pt_rat a, pt_rat b, pt_rat *out)
{
	if (a.d == 1 && b.d == 1) {
		int64_t p;
		if (__builtin_mul_overflow(a.n, b.n, &p) || p == INT64_MIN)
			return false;
		*out = (pt_rat){ p, 1 };
		return true;
	}
	if (a.n == INT64_MIN || b.n == INT64_MIN)   /* |n| would not fit: refuse, as overflow */
		return false;
	int64_t g1 = gcd64(a.n < 0 ? -a.n : a.n, b.d);
	int64_t g2 = gcd64(b.n < 0 ? -b.n : b.n, a.d);
	if (g1 == 0)
		g1 = 1;
	if (g2 == 0)
		g2 = 1;
	int64_t n, d;
	if (__builtin_mul_overflow(a.n / g1, b.n / g2, &n) ||
	    __builtin_mul_overflow(a.d / g2, b.d / g1, &d))
		return false;
	return pt_rat_make(n, d, out);
}

/* a / b; division by zero is an error like overflow. */
bool pt_rat_div(pt_rat a, pt_rat b, pt_rat *out)
{
	if (b.n == 0 || b.n == INT64_MIN)
		return false;
	pt_rat inv = b.n < 0 ? (pt_rat){ -b.d, -b.n } : (pt_rat){ b.d, b.n };
	return pt_rat_mul(a, inv, out);
}

/* Compare exactly using 128-bit cross products. */
int pt_rat_cmp(pt_rat a, pt_rat b)
{
	__int128 l = (__int128)a.n * b.d, r = (__int128)b.n * a.d;
	return (l > r) - (l < r);
}

/* Largest integer <= a. */
pt_rat pt_rat_floor(pt_rat a)
{
	if (a.d == 1)
		return a;
	int64_t q = a.n / a.d;
	if (a.n < 0)
		q--;
	return (pt_rat){ q, 1 };
}

/* Smallest integer >= a. */
pt_rat pt_rat_ceil(pt_rat a)
{
	if (a.d == 1)
		return a;
	int64_t q = a.n / a.d;
	if (a.n > 0)
		q++;
	return (pt_rat){ q, 1 };
}

/* Nearest integer, halves away from zero. */
pt_rat pt_rat_round(pt_rat a)
{
	if (a.d == 1)
		return a;
	int64_t q = a.n / a.d, r = a.n % a.d;
	int64_t r2 = (r < 0 ? -r : r);
	if (r2 >= a.d - r2)   /* 2|r| >= d without overflow */
		q += a.n < 0 ? -1 : 1;
	return (pt_rat){ q, 1 };
}

/* Decimal literal with optional ',' thousands separators and one '.'. */
bool pt_rat_parse(const char *s, size_t len, pt_rat *out)
{
	int64_t n = 0, d = 1;
	bool dot = false, digit = false, grouped = false;
	int run = 0;   /* digits since the last ',' (or the start) */
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == ',' && !dot && digit && (grouped ? run == 3 : run <= 3)) {
			grouped = true;
			run = 0;
			continue;
		}
		if (c == '.' && grouped && run != 3)
			return false;
		if (c == '.' && !dot) {
			dot = true;
			continue;
		}
		if (c < '0' || c > '9')
			return false;
		digit = true;
		if (!dot)
			run++;
		if (__builtin_mul_overflow(n, 10, &n) || __builtin_add_overflow(n, c - '0', &n))
			return false;
		if (dot && __builtin_mul_overflow(d, 10, &d))
			return false;
	}
	if (!digit || (grouped && run != 3 && !dot))
		return false;
	return pt_rat_make(n, d, out);
}

/* Print as an integer, a finite decimal, or n/d. */
int pt_rat_format(pt_rat a, char *buf, size_t size)
{
	if (a.d == 1)
		return snprintf(buf, size, "%lld", (long long)a.n);
	int64_t d = a.d;
	int places = 0;
	while (d % 10 == 0) { d /= 10; places++; }
	while (d % 2 == 0) { d /= 2; places++; }
	while (d % 5 == 0) { d /= 5; places++; }
	if (d != 1 || places > 18)
		return snprintf(buf, size, "%lld/%lld", (long long)a.n, (long long)a.d);
	/* scale to 10^places exactly */
	__int128 scale = 1;
	for (int i = 0; i < places; i++)
		scale *= 10;
	__int128 v = (__int128)a.n * (scale / a.d);
	int neg = v < 0;
	if (neg)
		v = -v;
	unsigned long long ip = (unsigned long long)(v / scale);
	unsigned long long fp = (unsigned long long)(v % scale);
	int k = snprintf(buf, size, "%s%llu.%0*llu", neg ? "-" : "", ip, places, fp);
	/* trim trailing zeros */
	if (k > 0 && (size_t)k < size) {
		while (k > 0 && buf[k - 1] == '0')
			buf[--k] = '\0';
		if (k > 0 && buf[k - 1] == '.')
			buf[--k] = '\0';
	}
	return k;
}
