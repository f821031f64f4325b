/* cart.h - the cart.txt format (see docs/cart-format.md): records of
 * `kind key=value ...`, several carts per file separated by `cart` lines.
 *
 * The reader walks text in memory or a stream read in chunks, cart by
 * cart.  Each cart's strings and arrays live in the reader's arena, which
 * is reset for the next cart, so memory stays flat however large the file
 * is.  A malformed line gets a located
 * diagnostic and marks its cart as bad; the reader goes on with the next. */
#ifndef PT_CART_H
#define PT_CART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"

typedef enum {
	PT_CV_INT,    /* 3980 or 3,980 */
	PT_CV_WORD,   /* [A-Za-z_][A-Za-z0-9_-]* other than yes/no */
	PT_CV_STR,    /* "..." with \" and \\ unescaped */
	PT_CV_BOOL,   /* yes / no */
	PT_CV_DATE    /* YYYY-MM-DD */
} pt_cval_kind;

/* One key=value pair with the location of its value. */
typedef struct pt_ckv {
	const char *key;
	pt_cval_kind kind;
	int64_t i;          /* INT value, BOOL 0/1, DATE day number */
	const char *s;      /* WORD/STR text (NUL-terminated) */
	int line, col;      /* where the value starts */
	int len;            /* bytes of the value as written */
} pt_ckv;

typedef struct pt_item {
	int64_t price;      /* yen per unit, tax included */
	int64_t qty;        /* >= 1 */
	const char *category;  /* default "general" */
	const char *name;      /* may be NULL */
	int line;
} pt_item;

typedef struct pt_account {
	const char *program;
	int64_t balance;    /* points; 0 when absent */
	bool has_balance;
	pt_ckv *keys;       /* every further key, in order */
	size_t n_keys;
	int line, col;      /* of the `account` word */
	int prog_col, prog_len;   /* of the program value */
} pt_account;

typedef struct pt_use {
	const char *program;   /* program id or "giftcard" */
	int64_t points;        /* when program is a point program */
	int64_t yen;           /* when program=giftcard */
	int line;
} pt_use;

typedef struct pt_cart {
	const char *id;        /* from `cart id=` or `order id=`, may be NULL */
	int line;              /* first line of the cart */
	const char *order_id;
	bool has_date;
	int32_t date;          /* day number when has_date */
	pt_item *items;
	size_t n_items;
	const char *card;      /* payment card=, may be NULL */
	const char *method;    /* payment method=, may be NULL */
	pt_account *accounts;
	size_t n_accounts;
	pt_use *uses;
	size_t n_uses;
	size_t n_errors;       /* errors reported for this cart */
} pt_cart;

/* Limits, each producing a located error (docs/language.md, Limits). */
#define PT_CART_MAX_LINE     65536       /* bytes per line */
#define PT_CART_MAX_ITEMS    100000      /* items per cart */
#define PT_CART_MAX_DIGITS   15          /* digits in an integer value */
#define PT_CART_MAX_QTY      1000000

/* Where a streaming reader gets more bytes: up to cap bytes into buf.
 * Returns the count, 0 at the end of input, or -1 after a read error
 * (with errno set). */
typedef long (*pt_cart_read_fn)(void *ctx, char *buf, size_t cap);

/* The reader keeps a window of the input: from the start of the current
 * cart to what has been read so far.  In memory, the window is the whole
 * text; streaming, it is a buffer that holds the current cart and at most
 * one chunk more, refilled and moved line by line, so memory stays
 * bounded by the largest cart, not by the file. */
typedef struct pt_cart_reader {
	pt_src src;            /* the window from the current cart's start, for
				* messages (src.first_line is its line) */
	const char *name;      /* not owned */
	const char *buf;       /* input bytes [0, len) */
	size_t len;
	size_t pos;            /* next byte to read */
	size_t keep;           /* start of the current cart in buf */
	size_t nl_end;         /* one past the last '\n' in buf[0, len), 0 if none:
				* every line that starts before it is complete */
	int line;              /* line number at pos */
	int keep_line;         /* line number at keep */
	pt_arena arena;        /* this cart's memory */
	void *room[3];         /* arrays a cart starts with (items, accounts, uses), kept from cart
				* to cart so that a cart no bigger than the biggest before
				* allocates none of them; owned */
	size_t room_cap[3];    /* their capacities, in elements */
	bool seen_cart_line;   /* file uses explicit `cart` lines */
	int cart_index;        /* carts returned so far */
	/* Streaming only (read != NULL). */
	pt_cart_read_fn read;
	void *read_ctx;
	char *mem;             /* owned buffer; buf == mem */
	size_t cap;
	size_t chunk;          /* bytes asked for per read */
	bool eof;              /* no more input (always true in memory) */
	char *tail;            /* a copy of a last line without a newline, with one */
	size_t tail_cap;
	int error;             /* errno of a read error, 0 if none */
} pt_cart_reader;

/* Bytes a streaming reader asks for per read. */
#define PT_CART_CHUNK (64 * 1024)

/* A reader over text in memory; src->text must outlive the reader. */
void pt_cart_reader_init(pt_cart_reader *r, const pt_src *src);
/* A reader that pulls input through fn in chunks of `chunk` bytes
 * (0: PT_CART_CHUNK); name (not copied) names the input in messages.
 * False when out of memory. */
bool pt_cart_reader_init_stream(pt_cart_reader *r, const char *name, pt_cart_read_fn fn,
				void *arg, size_t chunk);
void pt_cart_reader_free(pt_cart_reader *r);
/* Read the next cart into *out; errors go to d (and out->n_errors).
 * Returns true when a cart was produced, false at end of input or after
 * a read error (r->error; the cart being read is dropped).  A file with
 * no records at all yields one empty cart. */
bool pt_cart_next(pt_cart_reader *r, pt_cart *out, pt_diags *d);
/* Whether the line s[0..n) (without its LF; a final CR changes nothing)
 * starts a new cart. */
bool pt_cart_is_cart_line(const char *s, size_t n);
/* The account line for program id, or NULL. */
const pt_account *pt_cart_account(const pt_cart *c, const char *program);
/* Sum of price*qty over all items; false on overflow. */
bool pt_cart_total(const pt_cart *c, int64_t *out);

#endif
