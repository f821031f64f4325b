/* flat.h - the benchmark's cart data set in flat form, shared by the
 * converter (mkdata.c), the driver (bench.c) and the hand-written C
 * (native.c).  The Lua implementations read the same arrays from a text
 * dump (mkdata.c writes both; bench.lua reads the dump).
 *
 * A data set is what `ptrules gen-carts N --seed S` printed, reduced to
 * what the three shipped programs (the rules/ files) read:
 *   per cart:  the order date (days since 1970-01-01), the payment card
 *              and method (small ids), and per program whether the cart
 *              links it and its account fields;
 *   per item:  price (yen, tax included), qty, category (a small id).
 * Category and card ids index name tables kept in the file, so the driver
 * can rebuild each cart field by field through the public API.
 *
 * The per-cart results every implementation computes, and the checksum
 * over them (bench_fold), are defined here once. */
#ifndef BENCH_FLAT_H
#define BENCH_FLAT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_MAGIC   "ptrbench1"
#define BENCH_MAXCATS 64
#define BENCH_MAXWORD 24
#define BENCH_MAXCARDS 32

/* Cart flags. */
#define BF_DP_LINKED 0x01   /* account program=dpoint */
#define BF_DP_DVP    0x02   /* dpoint dvaluepass=yes */
#define BF_DP_PRIME  0x04   /* dpoint prime=yes */
#define BF_OK_LINKED 0x08   /* account program=okidoki */
#define BF_RC_LINKED 0x10   /* account program=recruit */

typedef struct bench_cart {
	uint32_t item_first, nitems;   /* items[item_first .. item_first + nitems - 1] */
	int32_t date;                  /* days since 1970-01-01 */
	uint8_t card, method, flags, pad;
	int32_t dp_bal, dp_e3, dp_etm, dp_bonus;   /* balance, earned_3mo, earned_this_month, bonus_earned_this_month */
	int32_t ok_bal, rc_bal;
} bench_cart;

typedef struct bench_item {
	int32_t price, qty;
	uint32_t cat;
} bench_item;

typedef struct bench_hdr {
	char magic[16];
	uint32_t ncarts, nitems, ncats, ncards;
	char cats[BENCH_MAXCATS][BENCH_MAXWORD];    /* category names by id */
	uint8_t excluded[BENCH_MAXCATS];           /* 1: the shipped programs exclude it */
	char cards[BENCH_MAXCARDS][BENCH_MAXWORD];  /* card and method words by id; 0 is none */
} bench_hdr;

typedef struct bench_data {
	bench_hdr h;
	bench_cart *carts;
	bench_item *items;
} bench_data;

/* What one cart gives, for the three shipped programs. */
typedef struct bench_res {
	int64_t dp_earn;
	int64_t dp_use, dp_max, dp_yen;
	int64_t ok_use, ok_max, ok_yen;
	int64_t rc_use, rc_max, rc_yen;
} bench_res;

/* The checksum: sum over carts of w * f, f a weighted sum of the cart's
 * results and w = 1, 2, ..., 61, 1, 2, ... by cart position.  It stays
 * below 2^53 for millions of carts, so LuaJIT's doubles compute it
 * exactly, and it is position-sensitive.  bench.lua computes the same. */
static inline int64_t bench_f(const bench_res *r)
{
	return r->dp_earn + 3 * r->dp_max + 5 * r->dp_yen + 7 * r->ok_max + 11 * r->ok_yen +
	       13 * r->rc_max + 17 * r->rc_yen + 19 * (r->dp_use + 2 * r->ok_use + 4 * r->rc_use);
}

#define BENCH_WCYCLE 61

/* Fold one cart's results into the checksum *ck, *w being the weight
 * of the cart before (0 before the first). */
static inline void bench_fold(const bench_res *r, int64_t *w, int64_t *ck)
{
	if (++*w > BENCH_WCYCLE)
		*w = 1;
	*ck += *w * bench_f(r);
}

/* The id of the card word "jcb" (mkdata.c interns it first). */
#define BENCH_JCB 1

/* ---- calendar (days since 1970-01-01, proleptic Gregorian) --------------- */

static inline int32_t bench_days(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static inline void bench_civil(int32_t z, int *y, int *m, int *d)
{
	z += 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

/* ---- file --------------------------------------------------------------- */

static inline int bench_load(bench_data *d, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	memset(d, 0, sizeof *d);
	if (fread(&d->h, sizeof d->h, 1, f) != 1 || memcmp(d->h.magic, BENCH_MAGIC, sizeof BENCH_MAGIC) != 0) {
		fclose(f);
		return -1;
	}
	d->carts = malloc(((size_t)d->h.ncarts + 1) * sizeof *d->carts);
	d->items = malloc(((size_t)d->h.nitems + 1) * sizeof *d->items);
	if (!d->carts || !d->items || fread(d->carts, sizeof *d->carts, d->h.ncarts, f) != d->h.ncarts ||
	    fread(d->items, sizeof *d->items, d->h.nitems, f) != d->h.nitems) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

/* native.c: the three programs written by hand.  native_sweep evaluates
 * carts 0..n-1 and returns the checksum; native_eval one cart. */
int64_t native_sweep(const bench_data *d, uint32_t n);
void native_eval(const bench_data *d, uint32_t i, bench_res *r);

#endif
