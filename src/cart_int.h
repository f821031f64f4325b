/* cart_int.h - what the two halves of the cart reader share; private to
 * them.  src/cart.c reads lines, refills a streaming window and parses
 * any line with full checks and located errors; src/cart_fast.c parses
 * the well-formed lines of the common records straight into the cart and
 * hands every other line back to cart.c (docs/performance.md, "The cart
 * reader and the command line"). */
#ifndef PT_CART_INT_H
#define PT_CART_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "cart.h"

/* Character classes, one table lookup per byte (pt_cart_cls). */
enum {
	CL_BLANK = 1,   /* space, tab: separates pairs */
	CL_DIGIT = 2,   /* 0-9 */
	CL_ALPHA = 4,   /* A-Z a-z _: starts a word or key */
	CL_WORD = 8,    /* A-Z a-z _ 0-9 -: continues a word */
	CL_STOP = 16,   /* space, tab, #: ends an unquoted value */
	CL_PLAIN = 32,  /* tab and printable ASCII but " and \: copied as is in strings */
	CL_NUM = 64,    /* 0-9 and ',': what an integer is made of */
	CL_ID = 128,    /* printable ASCII but space and ": what an unquoted id is made of */
	CL_EOL = 256,   /* CR, LF: may end the line */
	CL_VEND = 512   /* space, tab, #, LF: ends a value (as does CR then LF) */
};
extern const unsigned short pt_cart_cls[256];
#define CLS(ch) pt_cart_cls[(unsigned char)(ch)]

/* Length of the valid UTF-8 sequence at p (n bytes available), or 0. */
static inline size_t pt_cart_utf8_len(const unsigned char *p, size_t n)
{
	static const unsigned min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t k = p[0] < 0x80 ? 1 : p[0] < 0xC2 ? 0 : p[0] < 0xE0 ? 2 : p[0] < 0xF0 ? 3 :
		   p[0] < 0xF5 ? 4 : 0;
	if (k <= 1 || n < k)
		return k <= 1 ? k : 0;
	unsigned cp = p[0] & (0x7Fu >> k);
	for (size_t i = 1; i < k; i++) {
		if ((p[i] & 0xC0u) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3Fu);
	}
	return cp < min[k] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ? 0 : k;
}

struct pair;

/* Known keys (cart.c, key_specs). */
#define PT_CART_N_SPECS 14

/* State while reading one cart. */
typedef struct pt_cart_ctx {
	pt_cart_reader *r;
	pt_cart *out;
	pt_diags *d;
	const char *s;            /* current line, without CR/LF */
	size_t n;
	int lno;
	int kind;                 /* the record kind (cart.c's rec_kind) */
	int kind_col, kind_len;
	unsigned slot[PT_CART_N_SPECS];        /* 1 + index in pairs of each known key, 0 if absent */
	struct pair *pairs;       /* pairs of the current line (scratch) */
	size_t n_pairs, cap_pairs;
	size_t cap_items, cap_accounts, cap_uses;
	int order_line, payment_line;
	const char *cart_id;
	bool items_full;
	size_t lead;              /* blanks before the current line's record kind */
	char *pool;               /* room for this cart's strings (see pt_cart_text) */
	size_t pool_left;
} pt_cart_ctx;

/* A new 512-byte block (or n bytes, when more) for c's string pool;
 * false when out of memory, with nothing reported. */
bool pt_cart_text_block(pt_cart_ctx *c, size_t n);

/* Room for n bytes of text, not zeroed: strings are cut from blocks of
 * the cart's arena, so that a word costs a pointer bump rather than an
 * arena call.  NULL when out of memory, with nothing reported. */
static inline char *pt_cart_text(pt_cart_ctx *c, size_t n)
{
	if (n > c->pool_left && !pt_cart_text_block(c, n))
		return NULL;
	char *p = c->pool;
	c->pool += n;
	c->pool_left -= n;
	return p;
}

/* Room for element n of array v (capacity *cap) in the cart's arena: the
 * same array, or a bigger copy; NULL when out of memory, with nothing
 * reported. */
void *pt_cart_grow(pt_cart_ctx *c, void *v, size_t n, size_t *cap, size_t sz);

/* pt_cart_grow with the common case, room already there, inline. */
static inline void *pt_cart_room(pt_cart_ctx *c, void *v, size_t n, size_t *cap, size_t sz)
{
	return n < *cap ? v : pt_cart_grow(c, v, n, cap, sz);
}

/* Where pt_cart_fast_lines stopped. */
enum {
	PT_FAST_NO,     /* at a line cart.c must read, or at the end of the complete lines */
	PT_FAST_DONE,   /* (one line read and stored; internal to cart_fast.c) */
	PT_FAST_CART    /* at a `cart` line that starts the next cart: not read */
};

/* Read the lines from c->r->pos up to c->r->nl_end (the complete lines)
 * that are well-formed records of a common shape, exactly as cart.c
 * would, storing them in the cart and stepping the reader past each
 * (pos and line, as cart.c's advance()).  It stops at the first line it
 * does not read; there the cart's values and the reader are as cart.c
 * would have them before that line (an array may have grown, and some
 * string memory may be spent).  *first: the next line is the cart's first
 * record; cleared once a line is read. */
int pt_cart_fast_lines(pt_cart_ctx *c, bool *first);

#endif
