/* mkdata.c - turn `ptrules gen-carts` output into the benchmark's flat
 * data set (flat.h).
 *
 *   mkdata CARTS.txt OUT.flat OUT.luadat
 *
 * OUT.flat is the binary form the driver and the hand-written C read;
 * OUT.luadat the same arrays as text for bench.lua:
 *   line 1:  ptrbench1 NCARTS NITEMS NCATS JCB_ID
 *   line 2:  NCATS flags, 1 when category id k (1-based) is excluded
 *   NCARTS lines: first_item(1-based) nitems date card flags dp_bal dp_e3 dp_etm dp_bonus ok_bal rc_bal
 *   NITEMS lines: price qty category(1-based)
 *
 * The reader is strict: anything the generator does not write (an unknown
 * record kind, account key or program, a cart without an order date) is
 * an error, so the data set cannot silently drift from the text that
 * ptrules reads.  Only what the shipped rules read is kept (`use` lines,
 * order ids and item names are dropped). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flat.h"

static const char *path;
static long lineno;

static void die(const char *msg, const char *arg)
{
	fprintf(stderr, "mkdata: %s:%ld: %s%s%s\n", path, lineno, msg, arg ? ": " : "", arg ? arg : "");
	exit(1);
}

/* The categories the shipped programs exclude (the files in rules/). */
static const char *const excluded[] = { "kindle", "audible", "prime_fee", "digital", "subscription", "giftcard" };

static bench_hdr H;

static uint32_t intern(char names[][BENCH_MAXWORD], uint32_t *n, uint32_t max, const char *w)
{
	for (uint32_t i = 0; i < *n; i++)
		if (strcmp(names[i], w) == 0)
			return i;
	if (*n >= max || strlen(w) >= BENCH_MAXWORD)
		die("too many distinct words, or one too long", w);
	strcpy(names[*n], w);
	return (*n)++;
}

static uint32_t cat_id(const char *w)
{
	uint32_t id = intern(H.cats, &H.ncats, BENCH_MAXCATS, w);
	H.excluded[id] = 0;
	for (size_t i = 0; i < sizeof excluded / sizeof *excluded; i++)
		if (strcmp(excluded[i], w) == 0)
			H.excluded[id] = 1;
	return id;
}

/* A whole number with optional thousands commas. */
static int32_t num(const char *v)
{
	long long n = 0;
	if (!isdigit((unsigned char)*v))
		die("expected a number", v);
	for (const char *p = v; *p; p++) {
		if (*p == ',')
			continue;
		if (!isdigit((unsigned char)*p))
			die("expected a number", v);
		n = n * 10 + (*p - '0');
		if (n > 2000000000LL)
			die("number too large for the data set", v);
	}
	return (int32_t)n;
}

static int yesno(const char *v)
{
	if (strcmp(v, "yes") == 0)
		return 1;
	if (strcmp(v, "no") == 0)
		return 0;
	die("expected yes or no", v);
	return 0;
}

/* Split a record into its kind and key=value pairs (values unquoted). */
#define MAXKV 16
static int split(char *s, char **kind, char *keys[MAXKV], char *vals[MAXKV])
{
	int n = 0;
	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s || *s == '#')
		return -1;
	*kind = s;
	while (*s && *s != ' ' && *s != '\t' && *s != '#')
		s++;
	int end = *s == '#' || !*s;
	*s = '\0';
	if (end)
		return 0;
	s++;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			break;
		if (n == MAXKV)
			die("too many keys", NULL);
		keys[n] = s;
		while (*s && *s != '=')
			s++;
		if (*s != '=')
			die("expected key=value", keys[n]);
		*s++ = '\0';
		if (*s == '"') {
			char *o = ++s;
			vals[n] = o;
			while (*s && *s != '"') {
				if (*s == '\\' && s[1])
					s++;
				*o++ = *s++;
			}
			if (*s != '"')
				die("unterminated string", NULL);
			s++;
			*o = '\0';
		} else {
			vals[n] = s;
			while (*s && *s != ' ' && *s != '\t' && *s != '#')
				s++;
			if (*s == '#') {
				*s = '\0';
				n++;
				break;
			}
			if (*s)
				*s++ = '\0';
		}
		n++;
	}
	return n;
}

static bench_cart *carts;
static bench_item *items;
static size_t cap_carts, cap_items;
static int cart_has_date;

static void finish_cart(void)
{
	if (H.ncarts && !cart_has_date)
		die("a cart without `order date=` (the data set needs a date)", NULL);
}

static void new_cart(void)
{
	finish_cart();
	if (H.ncarts == cap_carts) {
		cap_carts = cap_carts ? cap_carts * 2 : 4096;
		carts = realloc(carts, cap_carts * sizeof *carts);
		if (!carts)
			die("out of memory", NULL);
	}
	memset(&carts[H.ncarts], 0, sizeof *carts);
	carts[H.ncarts].item_first = H.nitems;
	H.ncarts++;
	cart_has_date = 0;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: mkdata CARTS.txt OUT.flat OUT.luadat\n");
		return 2;
	}
	path = argv[1];
	FILE *in = fopen(path, "r");
	if (!in) {
		fprintf(stderr, "mkdata: %s: %s\n", path, strerror(errno));
		return 1;
	}
	memcpy(H.magic, BENCH_MAGIC, sizeof BENCH_MAGIC);
	H.ncards = 1;   /* 0: none */
	intern(H.cards, &H.ncards, BENCH_MAXCARDS, "jcb");
	cat_id("general");

	static char line[1 << 16];
	char *kind, *keys[MAXKV], *vals[MAXKV];
	int started = 0;
	while (fgets(line, sizeof line, in)) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		int n = split(line, &kind, keys, vals);
		if (n < 0)
			continue;
		if (strcmp(kind, "cart") == 0) {
			new_cart();
			started = 1;
			continue;
		}
		if (!started) {   /* a file with one cart and no `cart` line */
			new_cart();
			started = 1;
		}
		bench_cart *c = &carts[H.ncarts - 1];
		if (strcmp(kind, "order") == 0) {
			for (int i = 0; i < n; i++)
				if (strcmp(keys[i], "date") == 0) {
					int y, m, d;
					if (sscanf(vals[i], "%4d-%2d-%2d", &y, &m, &d) != 3)
						die("bad date", vals[i]);
					c->date = bench_days(y, m, d);
					cart_has_date = 1;
				} else if (strcmp(keys[i], "id") != 0) {
					die("unexpected order key", keys[i]);
				}
		} else if (strcmp(kind, "item") == 0) {
			if (H.nitems == cap_items) {
				cap_items = cap_items ? cap_items * 2 : 16384;
				items = realloc(items, cap_items * sizeof *items);
				if (!items)
					die("out of memory", NULL);
			}
			bench_item it = { -1, 1, 0 };
			for (int i = 0; i < n; i++)
				if (strcmp(keys[i], "price") == 0)
					it.price = num(vals[i]);
				else if (strcmp(keys[i], "qty") == 0)
					it.qty = num(vals[i]);
				else if (strcmp(keys[i], "category") == 0)
					it.cat = cat_id(vals[i]);
				else if (strcmp(keys[i], "name") != 0)
					die("unexpected item key", keys[i]);
			if (it.price < 0)
				die("an item without a price", NULL);
			items[H.nitems++] = it;
			c->nitems++;
		} else if (strcmp(kind, "payment") == 0) {
			for (int i = 0; i < n; i++)
				if (strcmp(keys[i], "card") == 0)
					c->card = (uint8_t)intern(H.cards, &H.ncards, BENCH_MAXCARDS, vals[i]);
				else if (strcmp(keys[i], "method") == 0)
					c->method = (uint8_t)intern(H.cards, &H.ncards, BENCH_MAXCARDS, vals[i]);
				else
					die("unexpected payment key", keys[i]);
		} else if (strcmp(kind, "account") == 0) {
			const char *prog = NULL;
			for (int i = 0; i < n; i++)
				if (strcmp(keys[i], "program") == 0)
					prog = vals[i];
			if (!prog)
				die("an account without a program", NULL);
			int p = strcmp(prog, "dpoint") == 0 ? 0 : strcmp(prog, "okidoki") == 0 ? 1
							     : strcmp(prog, "recruit") == 0 ? 2 : -1;
			if (p < 0)
				die("an account of a program the benchmark does not know", prog);
			c->flags |= p == 0 ? BF_DP_LINKED : p == 1 ? BF_OK_LINKED : BF_RC_LINKED;
			for (int i = 0; i < n; i++) {
				const char *k = keys[i], *v = vals[i];
				if (strcmp(k, "program") == 0)
					continue;
				if (strcmp(k, "balance") == 0)
					*(p == 0 ? &c->dp_bal : p == 1 ? &c->ok_bal : &c->rc_bal) = num(v);
				else if (p == 0 && strcmp(k, "earned_3mo") == 0)
					c->dp_e3 = num(v);
				else if (p == 0 && strcmp(k, "earned_this_month") == 0)
					c->dp_etm = num(v);
				else if (p == 0 && strcmp(k, "bonus_earned_this_month") == 0)
					c->dp_bonus = num(v);
				else if (p == 0 && strcmp(k, "dvaluepass") == 0)
					c->flags |= yesno(v) ? BF_DP_DVP : 0;
				else if (p == 0 && strcmp(k, "prime") == 0)
					c->flags |= yesno(v) ? BF_DP_PRIME : 0;
				else
					die("unexpected account key", k);
			}
		} else if (strcmp(kind, "use") != 0) {
			die("unexpected record", kind);
		}
	}
	finish_cart();
	fclose(in);

	FILE *fb = fopen(argv[2], "wb");
	if (!fb || fwrite(&H, sizeof H, 1, fb) != 1 || fwrite(carts, sizeof *carts, H.ncarts, fb) != H.ncarts ||
	    fwrite(items, sizeof *items, H.nitems, fb) != H.nitems || fclose(fb) != 0) {
		fprintf(stderr, "mkdata: cannot write %s\n", argv[2]);
		return 1;
	}
	FILE *fl = fopen(argv[3], "w");
	if (!fl) {
		fprintf(stderr, "mkdata: cannot write %s\n", argv[3]);
		return 1;
	}
	fprintf(fl, "ptrbench1 %u %u %u %u\n", H.ncarts, H.nitems, H.ncats, 1u);
	for (uint32_t i = 0; i < H.ncats; i++)
		fprintf(fl, "%d%c", H.excluded[i], i + 1 < H.ncats ? ' ' : '\n');
	for (uint32_t i = 0; i < H.ncarts; i++) {
		const bench_cart *c = &carts[i];
		fprintf(fl, "%u %u %d %u %u %d %d %d %d %d %d\n", c->item_first + 1, c->nitems, c->date, c->card,
			c->flags, c->dp_bal, c->dp_e3, c->dp_etm, c->dp_bonus, c->ok_bal, c->rc_bal);
	}
	for (uint32_t i = 0; i < H.nitems; i++)
		fprintf(fl, "%d %d %u\n", items[i].price, items[i].qty, items[i].cat + 1);
	if (fclose(fl) != 0) {
		fprintf(stderr, "mkdata: cannot write %s\n", argv[3]);
		return 1;
	}
	fprintf(stderr, "mkdata: %u carts, %u items, %u categories, %u card/method words\n", H.ncarts, H.nitems,
		H.ncats, H.ncards - 1);
	free(carts);
	free(items);
	return 0;
}
