/* cmd_gencarts.c - `ptrules gen-carts N [--seed S] [--start K]`: write N
 * realistic synthetic carts in the cart.txt format to standard output.
 *
 * The output depends only on (N, S, K): the generator is our own
 * (splitmix64), never rand(), and uses integers only.  Cart number i
 * (cart id=gi) is drawn from its own stream, seeded from (S, i), so
 *   gen-carts 2000 --seed 7
 * prints the same carts as
 *   gen-carts 1000 --seed 7 --start 1; gen-carts 1000 --seed 7 --start 1001
 * (apart from the one comment line each run starts with).  That is how
 * tests/corpus/ is split into several files.
 *
 * What the carts contain, and why (the shipped rules and DOMAIN.md):
 * - order dates over 2024-01..2026-12, with many just before, on and after
 *   each dated change (2024-10-03, 2026-01-13, 2026-03-01), and many on
 *   the 5th of a month (dポイント bonus day);
 * - 1 to 50 items, most carts small (about 40% one item);
 * - tax-included yen prices at the usual price points (198, 1,280,
 *   3,980, ...), some computed from a tax-excluded price at 8% or 10%, an
 *   occasional 20,000 yen and more; commas sometimes;
 * - mostly ordinary categories, some that partner points never pay for
 *   (kindle, audible, prime_fee, digital, subscription, giftcard);
 * - a payment card or method (jcb, visa, mastercard, amex, giftcard, cod),
 *   JCB more likely when OkiDoki is linked;
 * - dpoint, recruit and okidoki accounts with balances; earned_3mo in every
 *   rank (boundaries included), earned_this_month and
 *   bonus_earned_this_month at, near and above their caps, and the
 *   dvaluepass and prime flags.
 *
 * Uses only the public API's conventions (exit codes) and libc. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptrules.h"

#include "cli.h"

#define GEN_MAX_CARTS 10000000ULL

static const char gen_usage[] =
	"usage: ptrules gen-carts N [--seed S] [--start K]\n"
	"  N          number of carts to write (0..10000000)\n"
	"  --seed S   the generator's seed, 0..18446744073709551615 (default 1)\n"
	"  --start K  number of the first cart, for splitting a corpus (default 1)\n"
	"Writes N carts (cart id=gK ... g(K+N-1)) in the cart.txt format to\n"
	"standard output; the same N, S and K always give the same bytes.\n";

static int gen_usage_error(const char *msg, const char *arg)
{
	if (msg)
		fprintf(stderr, "ptrules gen-carts: %s%s%s%s\n", msg, arg ? " '" : "", arg ? arg : "",
			arg ? "'" : "");
	fputs(gen_usage, stderr);
	return 2;
}

/* ---- the generator ----------------------------------------------------- */

typedef struct rng {
	uint64_t s;
} rng;

/* splitmix64 (Steele, Lea, Flood 2014): a full-period 64-bit generator. */
static uint64_t rng_next(rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Uniform in 0..n-1 (n >= 1), without modulo bias. */
static uint64_t rng_below(rng *r, uint64_t n)
{
	uint64_t limit = UINT64_MAX - UINT64_MAX % n, x;
	do
		x = rng_next(r);
	while (x >= limit);
	return x % n;
}

/* Uniform in lo..hi inclusive. */
static int64_t rng_range(rng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)rng_below(r, (uint64_t)(hi - lo) + 1);
}

/* 1 with probability pct/100. */
static int rng_pct(rng *r, int pct)
{
	return (int)rng_below(r, 100) < pct;
}

/* An index into weights[0..n-1], chosen in proportion to the weights. */
static size_t rng_weighted(rng *r, const int *weights, size_t n)
{
	int total = 0;
	for (size_t i = 0; i < n; i++)
		total += weights[i];
	int x = (int)rng_below(r, (uint64_t)total);
	for (size_t i = 0; i < n; i++) {
		if (x < weights[i])
			return i;
		x -= weights[i];
	}
	return n - 1;
}

#define PICK(r, arr) ((arr)[rng_below((r), sizeof(arr) / sizeof((arr)[0]))])

/* The stream of cart number i under seed s. */
static rng cart_stream(uint64_t seed, uint64_t i)
{
	rng a = { seed };
	uint64_t h = rng_next(&a);
	rng b = { h ^ (i * 0xD1B54A32D192ED03ULL) };
	rng c = { rng_next(&b) };
	return c;
}

/* ---- calendar (days since 1970-01-01, proleptic Gregorian) --------------- */

static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* An order date: near a dated rule change, on a 5th, or anywhere in
 * 2024-01-01..2026-12-31. */
static void gen_date(rng *r, char *buf, size_t cap)
{
	static const int changes[][3] = { { 2024, 10, 3 }, { 2026, 1, 13 }, { 2026, 3, 1 } };
	int64_t first = days_from_civil(2024, 1, 1), last = days_from_civil(2026, 12, 31);
	int64_t day;
	int y, m, d;
	uint64_t kind = rng_below(r, 100);
	if (kind < 35) {                        /* around a change: the day before and the day weigh most */
		const int *c = changes[rng_below(r, 3)];
		static const int offsets[] = { -1, -1, 0, 0, 0, 1, -2, 2, -3, 3, -7, 7, -30, 30 };
		day = days_from_civil(c[0], c[1], c[2]) + PICK(r, offsets);
	} else if (kind < 55) {                 /* the 5th: mostly from 2026-03 (bonus day) */
		y = rng_pct(r, 60) ? 2026 : (int)rng_range(r, 2024, 2026);
		m = y == 2026 && rng_pct(r, 80) ? (int)rng_range(r, 3, 12) : (int)rng_range(r, 1, 12);
		day = days_from_civil(y, m, 5);
	} else {
		day = rng_range(r, first, last);
	}
	civil_from_days(day, &y, &m, &d);
	snprintf(buf, cap, "%04d-%02d-%02d", y, m, d);
}

/* ---- amounts ----------------------------------------------------------- */

/* n as text, with thousands commas when commas is set. */
static void fmt_int(char *buf, size_t cap, int64_t n, int commas)
{
	char digits[32];
	int len = snprintf(digits, sizeof digits, "%" PRId64, n);
	if (!commas || len <= 3) {
		snprintf(buf, cap, "%s", digits);
		return;
	}
	size_t o = 0;
	for (int i = 0; i < len && o + 2 < cap; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
}

/* A tax-included price from a tax-excluded one (rate in %), truncated as
 * shops usually do. */
static int64_t with_tax(int64_t excluded, int rate)
{
	return excluded * (100 + rate) / 100;
}

typedef struct category {
	const char *name;
	int weight;              /* out of 1000 */
	int tax;                 /* 8 (food) or 10 */
	const int *prices;
	size_t nprices;
	int64_t ex_lo, ex_hi;    /* tax-excluded range for computed prices (0: none) */
	int bulk;                /* 1: qty > 1 is common; -1: always one (fees, digital) */
	const char *const *names;
	size_t nnames;
} category;

#define N_(a) (sizeof(a) / sizeof((a)[0]))

static const int p_grocery[] = { 98, 128, 158, 198, 248, 298, 348, 398, 498, 598, 698, 798, 980,
				 1080, 1280, 1480, 1680, 1980, 2480, 2980, 3480, 3980, 4980, 5980 };
static const int p_general[] = { 198, 398, 598, 880, 980, 1280, 1580, 1980, 2480, 2980, 3980, 4980,
				 5980, 7980, 9800, 12800, 19800, 24800, 39800 };
static const int p_books[] = { 550, 660, 715, 792, 880, 990, 1100, 1320, 1540, 1650, 1980, 2200,
			       2750, 3300, 4400, 5500 };
static const int p_electronics[] = { 980, 1580, 1980, 2980, 3980, 4980, 6980, 9980, 12800, 14800,
				     19800, 24800, 29800, 34800, 39800, 49800, 59800, 79800, 98000,
				     128000, 164800, 219800 };
static const int p_home[] = { 298, 498, 780, 980, 1480, 1980, 2980, 3980, 5980, 8980, 12800, 24800,
			      49800 };
static const int p_beauty[] = { 398, 598, 880, 1078, 1320, 1650, 2200, 3300, 4950, 7700 };
static const int p_toys[] = { 550, 980, 1980, 2980, 3980, 5478, 7980, 12800, 32978 };
static const int p_fashion[] = { 990, 1490, 1990, 2990, 3990, 4990, 6990, 9900, 14900, 29800 };
static const int p_drug[] = { 198, 298, 398, 598, 798, 1080, 1580, 2480 };
static const int p_pet[] = { 298, 598, 1280, 1980, 2980, 4280, 6980 };
static const int p_baby[] = { 398, 1280, 1980, 2480, 3280, 4980, 19800 };
static const int p_sports[] = { 980, 1980, 2980, 4980, 8980, 14800, 29800 };
static const int p_kindle[] = { 0, 99, 199, 330, 440, 550, 660, 792, 880, 1100, 1320, 1650 };
static const int p_audible[] = { 1500, 1800, 2500, 3000, 3500 };
static const int p_prime[] = { 600, 5900 };
static const int p_digital[] = { 120, 250, 300, 500, 980, 1200, 1500, 3000, 6578, 8778 };
static const int p_subscription[] = { 380, 480, 980, 1078, 1480, 1980 };
static const int p_giftcard[] = { 1000, 3000, 5000, 10000, 20000, 30000, 50000 };

static const char *const n_grocery[] = { "Coffee beans 1kg", "Green tea 500g", "Rice 5kg",
					 "Mineral water 2L x 6", "Instant ramen x 5", "Miso 750g",
					 "Rice crackers", "Soy sauce 1L", "Curry roux", "Natto x 3",
					 "Chocolate assortment", "Sparkling water 500ml x 24" };
static const char *const n_general[] = { "Umbrella", "Desk lamp", "Storage box", "Towel set",
					 "Office chair", "Backpack", "Water bottle", "Notebook set" };
static const char *const n_books[] = { "Novel (paperback)", "Manga vol. 12", "Cookbook",
				       "Programming in C", "Travel guide: Kyoto", "Picture book" };
static const char *const n_electronics[] = { "USB-C cable", "Wireless earphones", "Mobile battery",
					     "Mechanical keyboard", "27-inch monitor", "Tablet",
					     "Robot vacuum", "Smartphone" };
static const char *const n_home[] = { "Frying pan", "Rice cooker", "Bath mat", "Futon set", "Sofa" };
static const char *const n_beauty[] = { "Sunscreen", "Shampoo", "Face wash", "Hair dryer" };
static const char *const n_toys[] = { "Building blocks", "Board game", "Plush toy", "Game console" };
static const char *const n_fashion[] = { "T-shirt", "Sneakers", "Jacket", "Socks x 5" };
static const char *const n_drug[] = { "Toothpaste", "Vitamins", "Masks x 50", "Eye drops" };
static const char *const n_pet[] = { "Cat food 2kg", "Dog treats", "Pet sheets x 100" };
static const char *const n_baby[] = { "Diapers x 60", "Baby wipes x 10", "Stroller" };
static const char *const n_sports[] = { "Yoga mat", "Running shoes", "Dumbbells" };
static const char *const n_kindle[] = { "e-book", "Kindle manga", "Kindle magazine" };
static const char *const n_audible[] = { "Audiobook" };
static const char *const n_prime[] = { "Prime membership" };
static const char *const n_digital[] = { "Game download", "Music album (MP3)", "App coins" };
static const char *const n_subscription[] = { "Magazine subscription", "Music Unlimited" };
static const char *const n_giftcard[] = { "Amazon gift card" };

#define CAT(n, w, t, p, lo, hi, bulk, names) \
	{ n, w, t, p, N_(p), lo, hi, bulk, names, N_(names) }
static const category categories[] = {
	CAT("grocery", 260, 8, p_grocery, 100, 5000, 1, n_grocery),
	CAT("general", 180, 10, p_general, 100, 30000, 0, n_general),
	CAT("books", 110, 10, p_books, 0, 0, 0, n_books),
	CAT("electronics", 80, 10, p_electronics, 500, 150000, 0, n_electronics),
	CAT("home", 60, 10, p_home, 200, 40000, 0, n_home),
	CAT("beauty", 50, 10, p_beauty, 300, 8000, 1, n_beauty),
	CAT("toys", 40, 10, p_toys, 0, 0, 0, n_toys),
	CAT("fashion", 40, 10, p_fashion, 0, 0, 0, n_fashion),
	CAT("drugstore", 30, 10, p_drug, 100, 3000, 1, n_drug),
	CAT("pet", 20, 10, p_pet, 0, 0, 1, n_pet),
	CAT("baby", 20, 10, p_baby, 0, 0, 1, n_baby),
	CAT("sports", 20, 10, p_sports, 0, 0, 0, n_sports),
	CAT("kindle", 35, 10, p_kindle, 0, 0, -1, n_kindle),
	CAT("audible", 10, 10, p_audible, 0, 0, -1, n_audible),
	CAT("prime_fee", 10, 10, p_prime, 0, 0, -1, n_prime),
	CAT("digital", 20, 10, p_digital, 0, 0, -1, n_digital),
	CAT("subscription", 10, 10, p_subscription, 0, 0, -1, n_subscription),
	CAT("giftcard", 5, 10, p_giftcard, 0, 0, 0, n_giftcard),
};
#define NCATS N_(categories)

/* Number of items: about 40% one item, a geometric tail, and 3% large
 * carts of 15..50 items. */
static int gen_nitems(rng *r)
{
	if (rng_pct(r, 3))
		return (int)rng_range(r, 15, 50);
	int n = 1;
	while (n < 14 && rng_pct(r, 58))
		n++;
	return n;
}

static int64_t gen_qty(rng *r, const category *c)
{
	if (c->bulk > 0 && rng_pct(r, 8)) {
		static const int bulk[] = { 2, 3, 6, 10, 12, 24 };
		return PICK(r, bulk);
	}
	uint64_t x = rng_below(r, 100);
	if (x < 84 || c->bulk < 0)
		return 1;
	if (x < 95)
		return 2;
	if (x < 98)
		return 3;
	return rng_range(r, 4, 6);
}

static int64_t gen_price(rng *r, const category *c)
{
	if (c->ex_hi && rng_pct(r, 25)) {
		int64_t ex = rng_range(r, c->ex_lo / 10, c->ex_hi / 10) * 10;
		return with_tax(ex, c->tax);
	}
	return c->prices[rng_below(r, c->nprices)];
}

/* ---- accounts ---------------------------------------------------------- */

static int64_t gen_balance(rng *r)
{
	uint64_t x = rng_below(r, 100);
	if (x < 20)
		return 0;
	if (x < 50)
		return rng_range(r, 1, 999);
	if (x < 85)
		return rng_range(r, 1000, 9999);
	return rng_range(r, 10000, 200000);
}

/* Points earned over three months: every rank of both tier tables, and
 * their boundaries. */
static int64_t gen_earned_3mo(rng *r)
{
	static const int edges[] = { 0, 49, 50, 99, 100, 599, 600, 1499, 1500, 4999, 5000 };
	static const int weights[] = { 15, 10, 12, 18, 15, 15, 15 };
	if (rng_pct(r, 12))
		return PICK(r, edges);
	switch (rng_weighted(r, weights, N_(weights))) {
	case 0: return 0;
	case 1: return rng_range(r, 1, 49);
	case 2: return rng_range(r, 50, 99);
	case 3: return rng_range(r, 100, 599);
	case 4: return rng_range(r, 600, 1499);
	case 5: return rng_range(r, 1500, 4999);
	default: return rng_range(r, 5000, 30000);
	}
}

/* Points already earned this month: none, some, at or near one of the
 * monthly caps (100, 150, 200, 250), or past them. */
static int64_t gen_earned_month(rng *r)
{
	static const int caps[] = { 100, 150, 200, 250 };
	static const int near[] = { -10, -5, -1, 1 };
	uint64_t x = rng_below(r, 100);
	if (x < 40)
		return 0;
	if (x < 65)
		return rng_range(r, 1, 249);
	if (x < 80)
		return PICK(r, caps);
	if (x < 95)
		return PICK(r, caps) + PICK(r, near);
	return rng_range(r, 251, 600);
}

/* Bonus-day points this month, against the 600 points cap. */
static int64_t gen_bonus_month(rng *r)
{
	uint64_t x = rng_below(r, 100);
	if (x < 40)
		return 0;
	if (x < 65)
		return rng_range(r, 1, 599);
	if (x < 75)
		return 600;
	if (x < 95)
		return rng_range(r, 580, 599);
	return rng_range(r, 601, 1200);
}

/* ---- one cart ----------------------------------------------------------- */

static void put_amount(FILE *out, const char *key, int64_t n, rng *r)
{
	char buf[40];
	fmt_int(buf, sizeof buf, n, n >= 1000 && rng_pct(r, 30));
	fprintf(out, " %s=%s", key, buf);
}

static void gen_cart(FILE *out, uint64_t seed, uint64_t index)
{
	rng rs = cart_stream(seed, index), *r = &rs;
	char date[16];
	gen_date(r, date, sizeof date);

	fprintf(out, "cart id=g%" PRIu64 "\n", index);
	if (rng_pct(r, 90))
		fprintf(out, "order id=250-%07" PRId64 "-%07" PRId64 " date=%s\n", rng_range(r, 0, 9999999),
			rng_range(r, 0, 9999999), date);
	else
		fprintf(out, "order date=%s\n", date);

	int ncat_weights[NCATS];
	for (size_t i = 0; i < NCATS; i++)
		ncat_weights[i] = categories[i].weight;
	int nitems = gen_nitems(r);
	/* Carts often hold several items of one kind (a grocery run). */
	const category *theme = &categories[rng_weighted(r, ncat_weights, NCATS)];
	for (int i = 0; i < nitems; i++) {
		const category *c = rng_pct(r, 40) ? theme : &categories[rng_weighted(r, ncat_weights, NCATS)];
		fputs("item", out);
		put_amount(out, "price", gen_price(r, c), r);
		int64_t qty = gen_qty(r, c);
		if (qty > 1)
			fprintf(out, " qty=%" PRId64, qty);
		if (strcmp(c->name, "general") != 0 || rng_pct(r, 50))
			fprintf(out, " category=%s", c->name);
		if (rng_pct(r, 35))
			fprintf(out, " name=\"%s\"", c->names[rng_below(r, c->nnames)]);
		fputc('\n', out);
	}

	/* Linked programs first: they shape how the order is paid. */
	int dpoint = 0, recruit = 0, okidoki = 0;
	if (!rng_pct(r, 5)) {
		dpoint = rng_pct(r, 75);
		recruit = rng_pct(r, 35);
		okidoki = rng_pct(r, 40);
	}
	static const int pay_weights[] = { 25, 30, 17, 8, 10, 5, 3, 2 };
	size_t pay = rng_weighted(r, pay_weights, N_(pay_weights));
	if (okidoki && rng_pct(r, 50))
		pay = 0;
	switch (pay) {
	case 0: fputs("payment card=jcb\n", out); break;
	case 1: fputs("payment card=visa\n", out); break;
	case 2: fputs("payment card=mastercard\n", out); break;
	case 3: fputs("payment card=amex\n", out); break;
	case 4: fputs("payment method=giftcard\n", out); break;
	case 5: fputs("payment method=cod\n", out); break;
	case 6: break;                                  /* no payment line */
	default: fputs("payment card=jcb method=giftcard\n", out); break;
	}

	if (dpoint) {
		int64_t balance = gen_balance(r);
		fputs("account program=dpoint", out);
		if (balance || rng_pct(r, 50))
			put_amount(out, "balance", balance, r);
		if (rng_pct(r, 95))
			put_amount(out, "earned_3mo", gen_earned_3mo(r), r);
		if (rng_pct(r, 85))
			put_amount(out, "earned_this_month", gen_earned_month(r), r);
		int dvp = rng_pct(r, 30), prime = rng_pct(r, 55);
		if (dvp || rng_pct(r, 40))
			fprintf(out, " dvaluepass=%s", dvp ? "yes" : "no");
		if (prime || rng_pct(r, 40))
			fprintf(out, " prime=%s", prime ? "yes" : "no");
		if (dvp ? rng_pct(r, 90) : rng_pct(r, 10))
			put_amount(out, "bonus_earned_this_month", gen_bonus_month(r), r);
		fputc('\n', out);
		if (balance && rng_pct(r, 10))
			fprintf(out, "use program=dpoint points=%" PRId64 "\n", rng_range(r, 1, balance));
	}
	if (recruit) {
		fputs("account program=recruit", out);
		put_amount(out, "balance", gen_balance(r), r);
		fputc('\n', out);
	}
	if (okidoki) {
		fputs("account program=okidoki", out);
		put_amount(out, "balance", gen_balance(r) / 3, r);
		fputc('\n', out);
	}
	if (pay == 4 || pay == 7)
		fprintf(out, "use program=giftcard yen=%" PRId64 "\n", rng_range(r, 1, 300) * 100);
	fputc('\n', out);
}

/* ---- the command --------------------------------------------------------- */

/* A whole decimal number (no sign, no commas) into *out; 0 if not one or
 * above max. */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	if (!*s)
		return 0;
	uint64_t n = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		unsigned d = (unsigned)(*p - '0');
		if (n > (UINT64_MAX - d) / 10)
			return 0;
		n = n * 10 + d;
	}
	if (n > max)
		return 0;
	*out = n;
	return 1;
}

int cmd_gen_carts(int argc, char **argv)
{
	uint64_t n = 0, seed = 1, start = 1;
	int have_n = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(gen_usage, stdout);
			return 0;
		}
		if (strncmp(a, "--seed", 6) == 0 && (a[6] == '\0' || a[6] == '=')) {
			v = a[6] == '=' ? a + 7 : (i + 1 < argc ? argv[++i] : NULL);
			if (!v)
				return gen_usage_error("--seed needs a number", NULL);
			if (!parse_u64(v, UINT64_MAX, &seed))
				return gen_usage_error("--seed needs a whole number from 0 to 18446744073709551615, found", v);
		} else if (strncmp(a, "--start", 7) == 0 && (a[7] == '\0' || a[7] == '=')) {
			v = a[7] == '=' ? a + 8 : (i + 1 < argc ? argv[++i] : NULL);
			if (!v)
				return gen_usage_error("--start needs a number", NULL);
			if (!parse_u64(v, 1000000000000ULL, &start) || start == 0)
				return gen_usage_error("--start needs a whole number from 1 to 1000000000000, found", v);
		} else if (a[0] == '-' && a[1] != '\0') {
			return gen_usage_error("unknown option", a);
		} else if (!have_n) {
			if (!parse_u64(a, GEN_MAX_CARTS, &n))
				return gen_usage_error("N must be a whole number from 0 to 10000000, found", a);
			have_n = 1;
		} else {
			return gen_usage_error("unexpected argument", a);
		}
	}
	if (!have_n)
		return gen_usage_error("the number of carts N is missing", NULL);

	static char obuf[1 << 16];
	setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
	printf("# ptrules gen-carts %" PRIu64 " --seed %" PRIu64, n, seed);
	if (start != 1)
		printf(" --start %" PRIu64, start);
	printf(": synthetic carts\n");
	for (uint64_t i = 0; i < n; i++)
		gen_cart(stdout, seed, start + i);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "ptrules gen-carts: cannot write: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
