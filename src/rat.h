/* rat.h - exact rational numbers for money, points, rates and multipliers.
 *
 * Every amount in ptrules is a pt_rat: 64-bit numerator and positive
 * denominator in lowest terms.  3.5 yen is 7/2, 1% is 1/100.  Each
 * operation reports overflow instead of wrapping; rounding happens only
 * where a rule says floor, ceil or round. */
#ifndef PT_RAT_H
#define PT_RAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pt_rat {
	int64_t n;   /* numerator */
	int64_t d;   /* denominator, > 0, gcd(|n|, d) == 1 */
} pt_rat;

static inline pt_rat pt_rat_int(int64_t v) { return (pt_rat){ v, 1 }; }
static inline bool pt_rat_is_int(pt_rat a) { return a.d == 1; }

/* Build n/d in lowest terms; false if d == 0 or on overflow. */
bool pt_rat_make(int64_t n, int64_t d, pt_rat *out);
bool pt_rat_add(pt_rat a, pt_rat b, pt_rat *out);
bool pt_rat_sub(pt_rat a, pt_rat b, pt_rat *out);
bool pt_rat_mul(pt_rat a, pt_rat b, pt_rat *out);
/* False on overflow or division by zero. */
bool pt_rat_div(pt_rat a, pt_rat b, pt_rat *out);
/* -1, 0 or 1; exact (no overflow possible). */
int pt_rat_cmp(pt_rat a, pt_rat b);
pt_rat pt_rat_floor(pt_rat a);
pt_rat pt_rat_ceil(pt_rat a);
/* Round half away from zero (四捨五入). */
pt_rat pt_rat_round(pt_rat a);
/* Parse a decimal literal such as "3.5", "1,980" or "0.25"; false if it is
 * malformed or does not fit. */
bool pt_rat_parse(const char *s, size_t len, pt_rat *out);
/* Write a as "77", "7/2" is never printed: "3.5" when the decimal
 * expansion is finite, else "n/d".  Returns snprintf's count. */
int pt_rat_format(pt_rat a, char *buf, size_t size);

#endif
