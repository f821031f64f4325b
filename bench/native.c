/* native.c - the three shipped programs (rules/dpoint.rules,
 * rules/okidoki.rules, rules/recruit.rules) written by hand in C over the
 * flat data set: the physical limit the VM is measured against.
 *
 * Every number follows the rules exactly:
 * - eligible yen = sum of price x qty over items whose category none of
 *   the programs excludes (kindle, audible, prime_fee, digital,
 *   subscription, giftcard); all three exclude the same list, so it is
 *   computed once per cart;
 * - dpoint redeem: 1 yen per point, min(balance, eligible) points;
 *   earn: nothing below 5,000 yen; base = min(floor(eligible x 1%), 100);
 *   rank table by earned_3mo chosen by the order date (until 2024-10-02 /
 *   from 2024-10-03), points = floor(base x multiplier) capped at
 *   max(monthly_cap - earned_this_month, 0); on the 5th from 2026-03-01
 *   with dvaluepass, + min(base x (prime ? 4 : 2),
 *   max(600 - bonus_earned_this_month, 0));
 * - okidoki: valid until 2026-01-12, only with card=jcb, 3.5 yen a point in
 *   integers: min(balance, floor(2 x eligible / 7)) points worth
 *   floor(7 x points / 2) yen;
 * - recruit: 1 yen per point, min(balance, eligible).
 * A program whose account line is missing is not usable and earns 0. */
#include "flat.h"

static inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t pos64(int64_t a) { return a > 0 ? a : 0; }

static inline void eval_cart(uint64_t excl, const bench_item *items, const bench_cart *c, bench_res *r)
{
	const int32_t d_20241002 = bench_days(2024, 10, 2), d_20260112 = bench_days(2026, 1, 12),
		      d_20260301 = bench_days(2026, 3, 1);
	memset(r, 0, sizeof *r);
	unsigned flags = c->flags;
	if (!(flags & (BF_DP_LINKED | BF_OK_LINKED | BF_RC_LINKED)))
		return;
	int64_t elig = 0;
	const bench_item *it = items + c->item_first, *end = it + c->nitems;
	for (; it < end; it++)   /* without a branch: categories are random */
		elig += (int64_t)it->price * it->qty & -(int64_t)(~(excl >> it->cat) & 1);

	if (flags & BF_DP_LINKED) {
		r->dp_use = 1;
		r->dp_max = r->dp_yen = min64(c->dp_bal, elig);
		if (elig >= 5000) {
			int64_t base = min64(elig / 100, 100);
			int32_t e3 = c->dp_e3;
			int mult2, cap;   /* multiplier x 2, monthly cap */
			if (c->date <= d_20241002) {
				if (e3 >= 5000) mult2 = 5, cap = 250;
				else if (e3 >= 600) mult2 = 4, cap = 200;
				else if (e3 >= 100) mult2 = 3, cap = 150;
				else mult2 = 2, cap = 100;
			} else {
				if (e3 >= 5000) mult2 = 4, cap = 200;
				else if (e3 >= 50) mult2 = 3, cap = 150;
				else mult2 = 2, cap = 100;
			}
			int64_t pts = min64(base * mult2 / 2, pos64(cap - (int64_t)c->dp_etm));
			if ((flags & BF_DP_DVP) && c->date >= d_20260301) {
				int y, m, day;
				bench_civil(c->date, &y, &m, &day);
				if (day == 5)
					pts += min64(base * (flags & BF_DP_PRIME ? 4 : 2), pos64(600 - (int64_t)c->dp_bonus));
			}
			r->dp_earn = pts;
		}
	}
	if ((flags & BF_OK_LINKED) && c->date <= d_20260112 && c->card == BENCH_JCB) {
		r->ok_use = 1;
		r->ok_max = min64(c->ok_bal, elig * 2 / 7);
		r->ok_yen = r->ok_max * 7 / 2;
	}
	if (flags & BF_RC_LINKED) {
		r->rc_use = 1;
		r->rc_max = r->rc_yen = min64(c->rc_bal, elig);
	}
}

static uint64_t excluded_mask(const bench_data *d)
{
	uint64_t m = 0;
	for (uint32_t i = 0; i < d->h.ncats && i < 64; i++)
		m |= (uint64_t)(d->h.excluded[i] != 0) << i;
	return m;
}

__attribute__((noinline)) int64_t native_sweep(const bench_data *d, uint32_t n)
{
	uint64_t excl = excluded_mask(d);
	int64_t ck = 0, w = 0;
	for (uint32_t i = 0; i < n; i++) {
		bench_res r;
		eval_cart(excl, d->items, &d->carts[i], &r);
		bench_fold(&r, &w, &ck);
	}
	return ck;
}

void native_eval(const bench_data *d, uint32_t i, bench_res *r)
{
	eval_cart(excluded_mask(d), d->items, &d->carts[i], r);
}
