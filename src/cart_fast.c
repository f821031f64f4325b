/* cart_fast.c - the cart reader's fast path: the well-formed lines of the
 * common records, parsed in one pass straight into the cart.
 *
 * cart.c reads a line through a checked parser that records each
 * key=value pair in a scratch array, checks it against its key and
 * reports the first problem with its location.  Most lines have no
 * problem; this file reads those without the scratch pairs, each value
 * scanned once and stored where it belongs.  It accepts a line only when
 * cart.c would accept it and store the same values.  On anything else (an
 * error to report, an escape in a string, a blank before the record kind,
 * a line near the end of the buffer) it returns PT_FAST_NO before it has
 * changed any value of the cart or the reader (at most an array of the
 * cart has grown, or string memory is spent), and cart.c reads the line.  tests/unit/test_cart_diff.c holds the two together to the
 * reference reader.
 *
 * Bounds: the caller guarantees a '\n' in the buffer at or after the
 * line's start, before pt_cart_reader.nl_end.  Every byte loop here stops
 * at a '\n' (no class the loops accept contains it, and a lookahead such
 * as q[1] is read only when q[0] is not a '\n'), so they need no bound.
 * Reads of several bytes at once (a key name compared as one constant,
 * the 32-byte string copy, the 16 bytes an SSE2 span classifies) are made
 * only when that many bytes remain in the buffer (room()).
 *
 * The spans (span_word, span_id, span_plain) find the end of a word, an
 * id or a string's plain bytes 16 bytes at a time: one mispredicted
 * branch where the byte loop had one per value, worth about 5% of the
 * reader (docs/performance.md).  A span that stopped early would only
 * send the line to cart.c; one that ran on would accept what cart.c
 * refuses, which tests/unit/test_cart_diff.c catches. */
#include "cart_int.h"

#include <string.h>

#include "date.h"

/* SSE2 is part of x86-64; elsewhere (or with -DPT_CART_NO_SIMD, which
 * `make cart-nosimd` builds and tests) the spans below are the byte loops
 * alone. */
#if defined(__SSE2__) && !defined(PT_CART_NO_SIMD)
#define PT_CART_SIMD 1
#include <emmintrin.h>
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "digits8 reads a little-endian word");
#else
#define PT_CART_SIMD 0
#endif

/* The line being read. */
typedef struct line {
	pt_cart_ctx *c;
	const char *s;        /* its first byte */
	const char *end;      /* the end of the buffer's bytes */
	const char *lim;      /* one past the buffer's last '\n' */
	const char *eol;      /* its '\n', once found */
} line;

/* Whether the n bytes at p lie in the buffer. */
static inline bool room(const line *l, const char *p, size_t n)
{
	return (size_t)(l->end - p) >= n;
}

#if PT_CART_SIMD
/* 0xFF in each byte of v in [lo, hi], lo <= hi: every byte is moved by
 * 0x80 - lo (mod 256), so that lo lands on -128 as a signed byte and the
 * range on the hi - lo + 1 smallest values, one signed compare. */
static inline __m128i in_range(__m128i v, unsigned char lo, unsigned char hi)
{
	__m128i shifted = _mm_add_epi8(v, _mm_set1_epi8((char)(unsigned char)(0x80 - lo)));
	return _mm_cmplt_epi8(shifted, _mm_set1_epi8((char)(unsigned char)(0x80 + (hi - lo) + 1)));
}

/* One bit per byte of the 16 at q: set for CL_WORD, A-Z a-z 0-9 _ -. */
static inline unsigned word_bits(const char *q)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
	__m128i alpha = in_range(_mm_or_si128(v, _mm_set1_epi8(0x20)), 'a', 'z');   /* bit 5 set: A-Z as a-z */
	__m128i rest = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('_')), _mm_cmpeq_epi8(v, _mm_set1_epi8('-')));
	return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(alpha, in_range(v, '0', '9')), rest));
}

/* Set for an unquoted id's bytes (CL_ID but not CL_STOP): 0x21 and
 * 0x24..0x7E, printable ASCII but space, '"' and '#'. */
static inline unsigned id_bits(const char *q)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
	__m128i quote_hash = in_range(v, '"', '#');
	return (unsigned)_mm_movemask_epi8(_mm_andnot_si128(quote_hash, in_range(v, 0x21, 0x7E)));
}

/* Set for CL_PLAIN: a tab, and printable ASCII but '"' and '\\'. */
static inline unsigned plain_bits(const char *q)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
	__m128i bad = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
	__m128i ok = _mm_or_si128(in_range(v, 0x20, 0x7E), _mm_cmpeq_epi8(v, _mm_set1_epi8('\t')));
	return (unsigned)_mm_movemask_epi8(_mm_andnot_si128(bad, ok));
}

/* Set for the digits 0-9. */
static inline unsigned digit_bits(const char *q)
{
	return (unsigned)_mm_movemask_epi8(in_range(_mm_loadu_si128((const __m128i *)(const void *)q), '0', '9'));
}

/* The value of the n digits at p, 1 <= n <= 8, with 8 bytes readable:
 * the digits moved to the top of a little-endian word (the bytes after
 * them shifted out), then pairs, quads and the two halves combined, three
 * multiplies instead of a loop whose exit depends on the length. */
static inline uint64_t digits8(const char *p, unsigned n)
{
	uint64_t x;
	memcpy(&x, p, 8);
	x = (x & 0x0F0F0F0F0F0F0F0Fu) << (8 * (8 - n));
	x = (x * 10 + (x >> 8)) & 0x00FF00FF00FF00FFu;
	x = (x * 100 + (x >> 16)) & 0x0000FFFF0000FFFFu;
	return (x * 10000 + (x >> 32)) & 0xFFFFFFFFu;
}

/* Past the bytes of a class at q, 16 at a time while 16 remain in the
 * buffer, then one at a time: the same byte the loop alone stops at. */
#define SPAN(l, q, bits, cond)                                  \
	do {                                                    \
		unsigned m_ = 0;                                \
		while (room(l, q, 16) && (m_ = bits(q)) == 0xFFFFu) \
			q += 16;                                \
		if (room(l, q, 16)) {                           \
			q += __builtin_ctz(~m_);                \
			break;                                  \
		}                                               \
		while (cond)                                    \
			q++;                                    \
	} while (0)
#else
#define SPAN(l, q, bits, cond)  \
	do {                    \
		(void)(l);      \
		while (cond)    \
			q++;    \
	} while (0)
#endif

/* The first byte at or after q that does not continue a word (CL_WORD). */
static inline const char *span_word(const line *l, const char *q)
{
	SPAN(l, q, word_bits, CLS(*q) & CL_WORD);
	return q;
}

/* The first byte at or after q that is not part of an unquoted id. */
static inline const char *span_id(const line *l, const char *q)
{
	SPAN(l, q, id_bits, (CLS(*q) & (CL_ID | CL_STOP)) == CL_ID);
	return q;
}

/* The first byte at or after q that a string does not copy as is. */
static inline const char *span_plain(const line *l, const char *q)
{
	SPAN(l, q, plain_bits, CLS(*q) & CL_PLAIN);
	return q;
}

/* Whether the record kind w (n bytes) starts at s, followed by a blank. */
static inline bool kind_at(const line *l, const char *s, const char *w, size_t n)
{
	return room(l, s, n + 1) && !memcmp(s, w, n) && (CLS(s[n]) & CL_BLANK);
}

/* Whether p starts with the name nm (its '=' included) and the buffer
 * holds all of it; nm is a constant, so the compiler compares one or two
 * words. */
#define IS_KEY(l, p, nm) (room(l, p, sizeof nm - 1) && !memcmp(p, nm, sizeof nm - 1))

/* Whether q ends a value: a blank, '#' or the end of the line (an LF, or
 * a CR then an LF).  A CR inside a line belongs to the value. */
static inline bool value_end(const char *q)
{
	return (CLS(*q) & CL_VEND) || (*q == '\r' && q[1] == '\n');   /* one test for the usual ends */
}

/* Past the blanks at q: the next key, or NULL at the end of the line or
 * at a comment, when l->eol gets the line's '\n'. */
static inline const char *next_key(line *l, const char *q)
{
	if (q[0] == ' ' && (CLS(q[1]) & CL_ALPHA))   /* the usual: one space, then a key */
		return q + 1;
	while (*q == ' ' || *q == '\t')
		q++;
	if (*q == '\n' || (*q == '\r' && q[1] == '\n')) {
		l->eol = q + (*q == '\r');
		return NULL;
	}
	if (*q == '#') {
		l->eol = memchr(q, '\n', (size_t)(l->lim - q));
		return NULL;
	}
	return q;
}

/* The integer at p: up to 15 digits, alone or in comma groups of three
 * (3,980).  Returns the byte after it, or NULL for anything else, which
 * cart.c either reads differently or explains. */
static inline const char *scan_int(const line *l, const char *p, int64_t *out)
{
	const char *q = p;
	uint64_t v = 0;   /* wraps harmlessly past 19 digits: those are refused */
#if PT_CART_SIMD
	unsigned lead;   /* the digits the 16 bytes at p start with */
	if (room(l, p, 16) && (lead = (unsigned)__builtin_ctz(~digit_bits(p))) <= 8) {
		v = lead ? digits8(p, lead) : 0;
		q = p + lead;
	} else
#endif
		for (unsigned dg; (dg = (unsigned)(unsigned char)*q - '0') < 10; q++)   /* no table: a digit is a range */
			v = v * 10 + dg;
	(void)l;
	size_t nd = (size_t)(q - p);
	if (*q == ',') {
		if (nd < 1 || nd > 3)
			return NULL;
		do {
			if (!(CLS(q[1]) & CL_DIGIT) || !(CLS(q[2]) & CL_DIGIT) || !(CLS(q[3]) & CL_DIGIT))
				return NULL;
			v = v * 1000 + (uint64_t)((q[1] - '0') * 100 + (q[2] - '0') * 10 + (q[3] - '0'));
			nd += 3;
			q += 4;
		} while (*q == ',');
		if (CLS(*q) & CL_DIGIT)
			return NULL;
	}
	if (nd < 1 || nd > PT_CART_MAX_DIGITS || !value_end(q))
		return NULL;
	*out = (int64_t)v;
	return q;
}

/* The word at p, [A-Za-z_][A-Za-z0-9_-]*, other than yes and no (which
 * are yes/no values); the byte after it, or NULL. */
static inline const char *scan_word(const line *l, const char *p)
{
	if (!(CLS(*p) & CL_ALPHA))
		return NULL;
	const char *q = span_word(l, p + 1);
	if (!value_end(q) || (q - p == 3 && !memcmp(p, "yes", 3)) || (q - p == 2 && !memcmp(p, "no", 2)))
		return NULL;
	return q;
}

/* The string at p (p[0] is '"') made of plain bytes and valid UTF-8, no
 * escapes: the byte after its closing quote, or NULL. */
static inline const char *scan_str(const line *l, const char *p)
{
	const char *q = p + 1;
	for (;;) {
		q = span_plain(l, q);
		if ((unsigned char)*q < 0x80)
			break;
		size_t k = pt_cart_utf8_len((const unsigned char *)q, 4);   /* stops at a non-continuation byte */
		if (!k)
			return NULL;
		q += k;
	}
	if (*q != '"' || !value_end(q + 1))
		return NULL;
	return q + 1;
}

/* The unquoted id at p (printable ASCII but space and '"', as cart and
 * order ids are): the byte after it, or NULL. */
static inline const char *scan_id(const line *l, const char *p)
{
	const char *q = span_id(l, p);
	return q > p && value_end(q) ? q : NULL;
}

/* A real calendar date YYYY-MM-DD at p, years 1900..9999, as
 * pt_date_parse reads it: the byte after it, or NULL. */
static inline const char *scan_date(const char *p, int32_t *day)
{
	static const unsigned char mdays[13] = { 0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
#define DIG(ch) ((unsigned)((ch) - '0') < 10)
	/* In order, each byte read only when those before it fit: the first
	 * out of shape stops the test, at worst the '\n'. */
	if (!(DIG(p[0]) && DIG(p[1]) && DIG(p[2]) && DIG(p[3]) && p[4] == '-' && DIG(p[5]) && DIG(p[6]) &&
	      p[7] == '-' && DIG(p[8]) && DIG(p[9])))
		return NULL;
#undef DIG
	if (!value_end(p + 10))
		return NULL;
	int y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
	int m = (p[5] - '0') * 10 + (p[6] - '0'), d = (p[8] - '0') * 10 + (p[9] - '0');
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m] + (m == 2 && leap))
		return NULL;
	*day = pt_date_from_ymd(y, m, d);
	return p + 10;
}

/* copy() for any string: from a new pool block when need be. */
static char *copy_slow(line *l, const char *s, size_t n)
{
	char *p = pt_cart_text(l->c, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* A C string copy of s[0..n) from the cart's string pool; NULL when out
 * of memory.  Short strings (most words and ids) are copied inline as 32
 * bytes when both sides have room: fixed-size moves instead of a call. */
static inline char *copy(line *l, const char *s, size_t n)
{
	pt_cart_ctx *c = l->c;
	if (n >= 32 || c->pool_left < 32 || !room(l, s, 32))
		return copy_slow(l, s, n);
	char *p = c->pool;
	c->pool += n + 1;
	c->pool_left -= n + 1;
	memcpy(p, s, 32);   /* the bytes past n are spare pool */
	p[n] = '\0';
	return p;
}

/* Whether the line is too long for cart.c to accept. */
static inline bool too_long(const line *l)
{
	return l->eol - l->s > PT_CART_MAX_LINE;
}

/* A value of an account's own key at v, as cart.c classifies it, into
 * kv; *str gets the text to copy (WORD and STR) and its length.  The byte
 * after the value, or NULL. */
static const char *scan_value(const line *l, const char *v, pt_ckv *kv, const char **str, size_t *str_n)
{
	const char *q;
	int32_t day;
	*str = NULL;
	kv->i = 0;   /* what a word or a string has, as in cart.c */
	if (CLS(*v) & CL_DIGIT) {
		if ((q = scan_int(l, v, &kv->i))) {
			kv->kind = PT_CV_INT;
			return q;
		}
		if ((q = scan_date(v, &day))) {
			kv->kind = PT_CV_DATE;
			kv->i = day;
			return q;
		}
		return NULL;
	}
	if (*v == '"') {
		if (!(q = scan_str(l, v)))
			return NULL;
		kv->kind = PT_CV_STR;
		*str = v + 1;
		*str_n = (size_t)(q - v) - 2;
		return q;
	}
	if (!(CLS(*v) & CL_ALPHA))
		return NULL;
	q = span_word(l, v + 1);
	if (!value_end(q))
		return NULL;
	if ((q - v == 3 && !memcmp(v, "yes", 3)) || (q - v == 2 && !memcmp(v, "no", 2))) {
		kv->kind = PT_CV_BOOL;
		kv->i = q - v == 3;
		return q;
	}
	kv->kind = PT_CV_WORD;
	*str = v;
	*str_n = (size_t)(q - v);
	return q;
}

/* An id value at v (unquoted, or a string): the byte after it, or NULL;
 * *s and *n get its text. */
static inline const char *scan_id_value(const line *l, const char *v, const char **s, size_t *n)
{
	const char *q;
	if (*v == '"') {
		if (!(q = scan_str(l, v)))
			return NULL;
		*s = v + 1;
		*n = (size_t)(q - v) - 2;
		return q;
	}
	if (!(q = scan_id(l, v)))
		return NULL;
	*s = v;
	*n = (size_t)(q - v);
	return q;
}

/* `cart [id=...]`, the first line of its cart. */
static int fast_cart(line *l, const char *q)
{
	const char *id = NULL;
	size_t id_n = 0;
	l->c->r->seen_cart_line = true;
	for (q = next_key(l, q); q; q = next_key(l, q)) {
		if (id || !IS_KEY(l, q, "id=") || !(q = scan_id_value(l, q + 3, &id, &id_n)))
			return PT_FAST_NO;
	}
	if (too_long(l))
		return PT_FAST_NO;
	const char *s = id ? copy(l, id, id_n) : NULL;
	if (id && !s)
		return PT_FAST_NO;
	l->c->cart_id = s;
	return PT_FAST_DONE;
}

/* `order [id=...] [date=YYYY-MM-DD]`, the cart's first. */
static int fast_order(line *l, const char *q)
{
	pt_cart_ctx *c = l->c;
	const char *id = NULL;
	size_t id_n = 0;
	int32_t day = 0;
	bool has_date = false;
	if (c->order_line)
		return PT_FAST_NO;
	for (q = next_key(l, q); q; q = next_key(l, q)) {
		if (!id && IS_KEY(l, q, "id=")) {
			if (!(q = scan_id_value(l, q + 3, &id, &id_n)))
				return PT_FAST_NO;
		} else if (!has_date && IS_KEY(l, q, "date=")) {
			if (!(q = scan_date(q + 5, &day)))
				return PT_FAST_NO;
			has_date = true;
		} else {
			return PT_FAST_NO;
		}
	}
	if (too_long(l))
		return PT_FAST_NO;
	const char *s = id ? copy(l, id, id_n) : NULL;
	if (id && !s)
		return PT_FAST_NO;
	c->order_line = c->lno;
	c->out->order_id = s;
	c->out->has_date = has_date;
	c->out->date = day;
	return PT_FAST_DONE;
}

/* `item price=N [qty=N] [category=W] [name="..."]`. */
static int fast_item(line *l, const char *q)
{
	pt_cart_ctx *c = l->c;
	int64_t price = 0, qty = 1;
	bool has_price = false, has_qty = false;
	const char *cat = NULL, *name = NULL;
	size_t cat_n = 0, name_n = 0;
	for (q = next_key(l, q); q; q = next_key(l, q)) {
		const char *v;
		switch (*q) {
		case 'p':
			if (has_price || !IS_KEY(l, q, "price=") || !(q = scan_int(l, q + 6, &price)))
				return PT_FAST_NO;
			has_price = true;
			break;
		case 'q':
			if (has_qty || !IS_KEY(l, q, "qty=") || !(q = scan_int(l, q + 4, &qty)) ||
			    qty < 1 || qty > PT_CART_MAX_QTY)
				return PT_FAST_NO;
			has_qty = true;
			break;
		case 'c':
			if (cat || !IS_KEY(l, q, "category=") || !(q = scan_word(l, v = q + 9)))
				return PT_FAST_NO;
			cat = v;
			cat_n = (size_t)(q - v);
			break;
		case 'n':
			if (name || !IS_KEY(l, q, "name=\"") || !(q = scan_str(l, v = q + 5)))
				return PT_FAST_NO;
			name = v + 1;
			name_n = (size_t)(q - v) - 2;
			break;
		default:
			return PT_FAST_NO;
		}
	}
	pt_cart *o = c->out;
	if (!has_price || too_long(l) || o->n_items >= PT_CART_MAX_ITEMS)
		return PT_FAST_NO;
	pt_item *items = pt_cart_room(c, o->items, o->n_items, &c->cap_items, sizeof *items);
	if (!items)
		return PT_FAST_NO;
	o->items = items;   /* kept even if what follows fails: cap_items counts its room */
	const char *cs = cat ? copy(l, cat, cat_n) : "general";
	const char *ns = name ? copy(l, name, name_n) : NULL;
	if (!cs || (name && !ns))
		return PT_FAST_NO;
	items[o->n_items++] = (pt_item){ .price = price, .qty = qty, .category = cs, .name = ns,
					 .line = c->lno };
	return PT_FAST_DONE;
}

/* `payment [card=W] [method=W]`, at least one, the cart's first. */
static int fast_payment(line *l, const char *q)
{
	pt_cart_ctx *c = l->c;
	const char *card = NULL, *method = NULL, *v;
	size_t card_n = 0, method_n = 0;
	if (c->payment_line)
		return PT_FAST_NO;
	for (q = next_key(l, q); q; q = next_key(l, q)) {
		if (!card && IS_KEY(l, q, "card=")) {
			if (!(q = scan_word(l, v = q + 5)))
				return PT_FAST_NO;
			card = v;
			card_n = (size_t)(q - v);
		} else if (!method && IS_KEY(l, q, "method=")) {
			if (!(q = scan_word(l, v = q + 7)))
				return PT_FAST_NO;
			method = v;
			method_n = (size_t)(q - v);
		} else {
			return PT_FAST_NO;
		}
	}
	if ((!card && !method) || too_long(l))
		return PT_FAST_NO;
	const char *cs = card ? copy(l, card, card_n) : NULL;
	const char *ms = method ? copy(l, method, method_n) : NULL;
	if ((card && !cs) || (method && !ms))
		return PT_FAST_NO;
	c->payment_line = c->lno;
	c->out->card = cs;
	c->out->method = ms;
	return PT_FAST_DONE;
}

/* At most this many own keys on an account line take the fast path. */
#define FAST_MAX_KEYS 8

/* `account program=W [balance=N] [key=value ...]`, one per program. */
static int fast_account(line *l, const char *q)
{
	pt_cart_ctx *c = l->c;
	struct { const char *key, *str; size_t key_n, str_n; pt_ckv kv; } own[FAST_MAX_KEYS];
	size_t n_own = 0;
	const char *prog = NULL, *v;
	size_t prog_n = 0;
	int64_t balance = 0;
	bool has_balance = false;
	for (q = next_key(l, q); q; q = next_key(l, q)) {
		if (IS_KEY(l, q, "program=")) {
			if (prog || !(q = scan_word(l, v = q + 8)))
				return PT_FAST_NO;
			prog = v;
			prog_n = (size_t)(q - v);
			continue;
		}
		if (IS_KEY(l, q, "balance=")) {
			if (has_balance || !(q = scan_int(l, q + 8, &balance)))
				return PT_FAST_NO;
			has_balance = true;
			continue;
		}
		/* One of the account's own keys: a word, then '=' and a value. */
		if (n_own == FAST_MAX_KEYS || !(CLS(*q) & CL_ALPHA))
			return PT_FAST_NO;
		const char *k = span_word(l, q + 1);
		if (*k != '=')
			return PT_FAST_NO;
		size_t kn = (size_t)(k - q);
		for (size_t i = 0; i < n_own; i++)
			if (own[i].key_n == kn && !memcmp(own[i].key, q, kn))
				return PT_FAST_NO;   /* a duplicate: cart.c reports it */
		pt_ckv *kv = &own[n_own].kv;
		v = k + 1;
		if (!(q = scan_value(l, v, kv, &own[n_own].str, &own[n_own].str_n)))
			return PT_FAST_NO;
		own[n_own].key = k - kn;
		own[n_own].key_n = kn;
		kv->line = c->lno;
		kv->col = (int)(v - l->s) + 1;
		kv->len = (int)(q - v);
		n_own++;
	}
	pt_cart *o = c->out;
	if (!prog || too_long(l))
		return PT_FAST_NO;
	for (size_t i = 0; i < o->n_accounts; i++)   /* a second account for prog: cart.c reports it */
		if (!strncmp(o->accounts[i].program, prog, prog_n) && !o->accounts[i].program[prog_n])
			return PT_FAST_NO;
	pt_account *accs = pt_cart_room(c, o->accounts, o->n_accounts, &c->cap_accounts, sizeof *accs);
	if (!accs)
		return PT_FAST_NO;
	o->accounts = accs;   /* kept even if what follows fails: cap_accounts counts its room */
	pt_ckv *keys = n_own ? pt_arena_alloc_uninit(&c->r->arena, n_own * sizeof *keys) : NULL;   /* filled below */
	const char *ps = copy(l, prog, prog_n);
	if ((n_own && !keys) || !ps)
		return PT_FAST_NO;
	for (size_t i = 0; i < n_own; i++) {
		own[i].kv.key = copy(l, own[i].key, own[i].key_n);
		own[i].kv.s = own[i].str ? copy(l, own[i].str, own[i].str_n) : NULL;
		if (!own[i].kv.key || (own[i].str && !own[i].kv.s))
			return PT_FAST_NO;
		keys[i] = own[i].kv;
	}
	o->accounts[o->n_accounts++] = (pt_account){
		.program = ps, .balance = balance, .has_balance = has_balance, .keys = keys,
		.n_keys = n_own, .line = c->lno, .col = 1, .prog_col = (int)(prog - l->s) + 1,
		.prog_len = (int)prog_n };
	return PT_FAST_DONE;
}

/* `use program=W points=N` or `use program=giftcard yen=N`. */
static int fast_use(line *l, const char *q)
{
	pt_cart_ctx *c = l->c;
	const char *prog = NULL, *v;
	size_t prog_n = 0;
	int64_t points = 0, yen = 0;
	bool has_points = false, has_yen = false;
	for (q = next_key(l, q); q; q = next_key(l, q)) {
		if (!prog && IS_KEY(l, q, "program=")) {
			if (!(q = scan_word(l, v = q + 8)))
				return PT_FAST_NO;
			prog = v;
			prog_n = (size_t)(q - v);
		} else if (!has_points && IS_KEY(l, q, "points=")) {
			if (!(q = scan_int(l, q + 7, &points)))
				return PT_FAST_NO;
			has_points = true;
		} else if (!has_yen && IS_KEY(l, q, "yen=")) {
			if (!(q = scan_int(l, q + 4, &yen)))
				return PT_FAST_NO;
			has_yen = true;
		} else {
			return PT_FAST_NO;
		}
	}
	if (!prog || too_long(l))
		return PT_FAST_NO;
	bool gift = prog_n == 8 && !memcmp(prog, "giftcard", 8);
	if (gift ? has_points || !has_yen : has_yen || !has_points)
		return PT_FAST_NO;
	pt_cart *o = c->out;
	pt_use *uses = pt_cart_room(c, o->uses, o->n_uses, &c->cap_uses, sizeof *uses);
	if (!uses)
		return PT_FAST_NO;
	o->uses = uses;   /* kept even if what follows fails: cap_uses counts its room */
	const char *ps = copy(l, prog, prog_n);
	if (!ps)
		return PT_FAST_NO;
	uses[o->n_uses++] = (pt_use){ .program = ps, .points = points, .yen = yen, .line = c->lno };
	return PT_FAST_DONE;
}

/* Parse the line at l->s when it is a well-formed record starting in
 * column 1: PT_FAST_DONE with l->eol at its '\n', PT_FAST_CART, or
 * PT_FAST_NO (pt_cart_fast_lines). */
static inline int fast_line(line *l, bool first)
{
	const char *s = l->s;
	/* The kind, then a blank: the pairs follow. */
	switch (s[0]) {
	case '\n':   /* blank lines and comments: nothing to read */
		l->eol = s;
		return PT_FAST_DONE;
	case '\r':
		if (s[1] != '\n')
			break;
		l->eol = s + 1;
		return PT_FAST_DONE;
	case '#':
		l->eol = memchr(s, '\n', (size_t)(l->lim - s));
		return PT_FAST_DONE;
	case 'i':
		if (kind_at(l, s, "item", 4))
			return fast_item(l, s + 5);
		break;
	case 'a':
		if (kind_at(l, s, "account", 7))
			return fast_account(l, s + 8);
		break;
	case 'o':
		if (kind_at(l, s, "order", 5))
			return fast_order(l, s + 6);
		break;
	case 'p':
		if (kind_at(l, s, "payment", 7))
			return fast_payment(l, s + 8);
		break;
	case 'u':
		if (kind_at(l, s, "use", 3))
			return fast_use(l, s + 4);
		break;
	case 'c':
		if (kind_at(l, s, "cart", 4)) {
			if (!first) {   /* the next cart's first line */
				l->c->r->seen_cart_line = true;
				return PT_FAST_CART;
			}
			return fast_cart(l, s + 5);
		}
		break;
	default:
		break;
	}
	return PT_FAST_NO;
}

/* Read the complete lines from the reader's position while they are
 * well-formed records (cart_int.h): each read line is stepped over as
 * cart.c's advance() would, so cart.c sees only the lines left.  The
 * buffer does not move meanwhile (no refill), so its bounds are read
 * once. */
int pt_cart_fast_lines(pt_cart_ctx *c, bool *first)
{
	pt_cart_reader *r = c->r;
	line l = { .c = c, .end = r->buf + r->len, .lim = r->buf + r->nl_end };
	const char *p = r->buf + r->pos;
	int lno = r->line, got = PT_FAST_NO;
	bool fst = *first;
	while (p < l.lim) {
		l.s = p;
		c->lno = lno;
		if ((got = fast_line(&l, fst)) != PT_FAST_DONE)
			break;
		p = l.eol + 1;   /* l.eol is a '\n' before nl_end, so inside the buffer */
		lno++;
		fst = false;
		got = PT_FAST_NO;
	}
	r->pos = (size_t)(p - r->buf);
	r->line = lno;
	*first = fst;
	return got;
}
