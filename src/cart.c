/* cart.c - reader for the cart.txt format (docs/cart-format.md).
 *
 * A hand-written line scanner: each line is one record `kind key=value...`.
 * A line is checked left to right; the first problem on it gets a located
 * error, the rest of the line is skipped and the cart is marked bad, and
 * reading goes on with the next line.  All memory of a cart comes from the
 * reader's arena, which pt_cart_next resets.
 *
 * The input is text in memory or a stream read in chunks (refill); either
 * way the reader sees a window from the current cart's start, which is
 * also what messages quote.  The scanner is tuned (docs/performance.md,
 * "The cart reader and the command line"): one class table, known keys
 * neither copied nor looked up by name, one pass per value.  Before this
 * parser sees a complete line, src/cart_fast.c tries it: the well-formed
 * lines of the common records are read there in one pass, straight into
 * the cart, and only the others come here.  The results and messages of
 * both must stay those of the reference reader, tests/unit/ref/cart_ref.c
 * (tests/unit/test_cart_diff.c).
 *
 * Invariant the byte loops rely on: every line they scan has a CR or LF
 * after it in memory.  line_at gives this parser such lines (a last line
 * without a newline is copied, with one); the fast path runs only on
 * lines that start before pt_cart_reader.nl_end, the end of the last '\n'
 * in the buffer, which refill and the reader's setup keep up to date. */
#include "cart.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cart_int.h"
#include "date.h"

typedef enum { K_CART, K_ORDER, K_ITEM, K_PAYMENT, K_ACCOUNT, K_USE, K_COUNT } rec_kind;

static const char *const kind_name[K_COUNT] = {
	"cart", "order", "item", "payment", "account", "use"
};
#define KIND_LIST "cart, order, item, payment, account, use"

/* W_ID: a string or any unquoted run of printable ASCII (order/cart ids). */
enum { W_ID = -1 };

/* What one known key wants; key_specs is the single table of them. */
typedef struct key_spec {
	rec_kind kind;
	const char *key;
	size_t key_len;
	int want;            /* a pt_cval_kind or W_ID */
	const char *what;    /* "an integer number of yen", for messages */
} key_spec;

/* The known keys, grouped by kind in key_specs order. */
enum {
	S_CART_ID, S_ORDER_ID, S_ORDER_DATE, S_ITEM_PRICE, S_ITEM_QTY, S_ITEM_CATEGORY,
	S_ITEM_NAME, S_PAY_CARD, S_PAY_METHOD, S_ACC_PROGRAM, S_ACC_BALANCE, S_USE_PROGRAM,
	S_USE_POINTS, S_USE_YEN, S_COUNT
};

#define SPEC(k, key, want, what) { k, key, sizeof key - 1, want, what }
static const key_spec key_specs[S_COUNT] = {
	[S_CART_ID] = SPEC(K_CART, "id", W_ID, "an id"),
	[S_ORDER_ID] = SPEC(K_ORDER, "id", W_ID, "an id"),
	[S_ORDER_DATE] = SPEC(K_ORDER, "date", PT_CV_DATE, "a date YYYY-MM-DD"),
	[S_ITEM_PRICE] = SPEC(K_ITEM, "price", PT_CV_INT, "an integer number of yen"),
	[S_ITEM_QTY] = SPEC(K_ITEM, "qty", PT_CV_INT, "a whole number of at least 1"),
	[S_ITEM_CATEGORY] = SPEC(K_ITEM, "category", PT_CV_WORD, "a word such as grocery"),
	[S_ITEM_NAME] = SPEC(K_ITEM, "name", PT_CV_STR, "a quoted string such as \"Coffee\""),
	[S_PAY_CARD] = SPEC(K_PAYMENT, "card", PT_CV_WORD, "a word such as jcb"),
	[S_PAY_METHOD] = SPEC(K_PAYMENT, "method", PT_CV_WORD, "a word such as giftcard"),
	[S_ACC_PROGRAM] = SPEC(K_ACCOUNT, "program", PT_CV_WORD, "a program id such as dpoint"),
	[S_ACC_BALANCE] = SPEC(K_ACCOUNT, "balance", PT_CV_INT, "an integer number of points"),
	[S_USE_PROGRAM] = SPEC(K_USE, "program", PT_CV_WORD, "a program id such as dpoint"),
	[S_USE_POINTS] = SPEC(K_USE, "points", PT_CV_INT, "an integer number of points"),
	[S_USE_YEN] = SPEC(K_USE, "yen", PT_CV_INT, "an integer number of yen"),
};

/* The first spec of each kind in key_specs; kind k has [first[k], first[k+1]). */
static const unsigned char spec_first[K_COUNT + 1] = {
	S_CART_ID, S_ORDER_ID, S_ITEM_PRICE, S_PAY_CARD, S_ACC_PROGRAM, S_USE_PROGRAM, S_COUNT
};

/* The class table (cart_int.h): every class of every byte. */
#define CL_IS_ALPHA(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z') || (c) == '_')
#define CL_IS_DIGIT(c) ((c) >= '0' && (c) <= '9')
#define CL1(c) ((((c) == ' ' || (c) == '\t') ? CL_BLANK | CL_STOP : 0) | \
		((c) == '#' ? CL_STOP : 0) | (CL_IS_DIGIT(c) ? CL_DIGIT | CL_WORD : 0) | \
		(CL_IS_ALPHA(c) ? CL_ALPHA | CL_WORD : 0) | ((c) == '-' ? CL_WORD : 0) | \
		((((c) >= 0x20 && (c) < 0x7F && (c) != '"' && (c) != '\\') || (c) == '\t') ? CL_PLAIN : 0) | \
		((CL_IS_DIGIT(c) || (c) == ',') ? CL_NUM : 0) | \
		(((c) > 0x20 && (c) < 0x7F && (c) != '"') ? CL_ID : 0) | \
		(((c) == '\r' || (c) == '\n') ? CL_EOL : 0) | \
		(((c) == ' ' || (c) == '\t' || (c) == '#' || (c) == '\n') ? CL_VEND : 0))
#define CL4(c) CL1(c), CL1((c) + 1), CL1((c) + 2), CL1((c) + 3)
#define CL16(c) CL4(c), CL4((c) + 4), CL4((c) + 8), CL4((c) + 12)
#define CL64(c) CL16(c), CL16((c) + 16), CL16((c) + 32), CL16((c) + 48)
const unsigned short pt_cart_cls[256] = { CL64(0), CL64(64), CL64(128), CL64(192) };

/* One key=value pair of the current line. */
typedef struct pair {
	pt_ckv kv;
	bool bad;                 /* malformed; bad_value() says why */
	int key_col, key_len;
	const char *raw;          /* the value as written */
	size_t raw_len;
	const key_spec *spec;     /* NULL for an account's further keys */
	unsigned all;             /* the classes every byte of an unquoted value has */
} pair;

typedef pt_cart_ctx ctx;
_Static_assert(S_COUNT == PT_CART_N_SPECS, "pt_cart_ctx.slot holds one slot per known key");

/* Report an error at column col of the current line and count it;
 * returns false so that callers can `return err(...)`. */
__attribute__((format(printf, 4, 5)))
static bool err(ctx *c, size_t col, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pt_diag_vat(c->d, PT_ERROR, &c->r->src, c->lno, (int)col, (int)len, fmt, ap);
	va_end(ap);
	c->out->n_errors++;
	return false;
}

/* Zeroed arena memory; running out is reported as an error. */
static void *alloc(ctx *c, size_t n)
{
	void *p = pt_arena_alloc(&c->r->arena, n);
	if (!p)
		err(c, 1, 1, "out of memory while reading this cart");
	return p;
}

/* A new block for c's string pool (cart_int.h, pt_cart_text). */
bool pt_cart_text_block(ctx *c, size_t n)
{
	size_t want = n > 256 ? n : 512;
	char *p = pt_arena_alloc_uninit(&c->r->arena, want);   /* text is written before it is read */
	if (!p)
		return false;
	c->pool = p;
	c->pool_left = want;
	return true;
}

/* Room for n bytes of text (pt_cart_text); running out is reported. */
static char *text_mem(ctx *c, size_t n)
{
	char *p = pt_cart_text(c, n);
	if (!p)
		err(c, 1, 1, "out of memory while reading this cart");
	return p;
}

/* Copy s[0..n) into the arena as a C string; NULL when out of memory. */
static char *copy_str(ctx *c, const char *s, size_t n)
{
	char *p = text_mem(c, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* Room for element n of array v (cart_int.h); the quiet half. */
void *pt_cart_grow(ctx *c, void *v, size_t n, size_t *cap, size_t sz)
{
	if (n < *cap)
		return v;
	size_t nc = *cap ? *cap * 2 : 8;
	void *nv = pt_arena_alloc_uninit(&c->r->arena, nc * sz);   /* elements are stored whole before use */
	if (!nv)
		return NULL;
	if (n)
		memcpy(nv, v, n * sz);
	*cap = nc;
	return nv;
}

/* Room for element n of array v (capacity *cap): the same array, or a
 * bigger copy in the arena; NULL when out of memory, which is reported. */
static void *grow(ctx *c, void *v, size_t n, size_t *cap, size_t sz)
{
	void *nv = pt_cart_grow(c, v, n, cap, sz);
	if (!nv)
		err(c, 1, 1, "out of memory while reading this cart");
	return nv;
}

/* Space or tab: what separates the pairs of a record. */
static inline bool is_blank(char ch) { return CLS(ch) & CL_BLANK; }
/* An ASCII digit (no locale). */
static inline bool is_digit(char ch) { return CLS(ch) & CL_DIGIT; }

/* An ASCII letter or underscore: what a word or key may start with. */
static inline bool is_word_start(char ch) { return CLS(ch) & CL_ALPHA; }

/* Index of the first non-blank byte at or after i (i <= n).  Lines are
 * followed by a CR or LF in memory (line_at), which is not blank, so the
 * loop needs no bound. */
static inline size_t skip_blanks(const char *s, size_t n, size_t i)
{
	(void)n;
	while (is_blank(s[i]))
		i++;
	return i;
}

/* Length of the word [A-Za-z_][A-Za-z0-9_-]* at s[i] (i <= n), 0 if
 * none; unbounded like skip_blanks, since CR and LF end a word. */
static inline size_t word_len(const char *s, size_t n, size_t i)
{
	(void)n;
	if (!is_word_start(s[i]))
		return 0;
	size_t j = i + 1;
	while (CLS(s[j]) & CL_WORD)
		j++;
	return j - i;
}

/* Name a byte that may not appear in a value, or NULL when it may. */
static const char *bad_byte(const char *s, size_t n, char *buf)
{
	unsigned char ch = (unsigned char)*s;
	if (ch == 0)
		return "NUL byte";
	if (!pt_cart_utf8_len((const unsigned char *)s, n))
		snprintf(buf, 40, "invalid UTF-8 byte 0x%02X", ch);
	else if ((ch < 0x20 && ch != '\t') || ch == 0x7F)
		snprintf(buf, 40, "control character 0x%02X", ch);
	else
		return NULL;
	return buf;
}

/* Quote bytes for a message: NUL, control and invalid bytes escaped, long
 * text cut with "...".  buf must hold at least 64 bytes. */
static const char *show(char *buf, const char *s, size_t n)
{
	size_t o = 0, i = 0, k;
	for (; i < n && o < 40; i += k ? k : 1) {
		unsigned char ch = (unsigned char)s[i];
		k = pt_cart_utf8_len((const unsigned char *)s + i, n - i);
		if (k > 1)
			memcpy(buf + o, s + i, k), o += k;
		else if (ch < 0x20 || ch == 0x7F || k == 0)
			o += (size_t)snprintf(buf + o, 8, "\\x%02X", ch);
		else
			buf[o++] = (char)ch;
	}
	strcpy(buf + o, i < n ? "..." : "");
	return buf;
}

/* Length of the token at s[i] to quote after "found": a run of name-like
 * characters, a whole string, or one character. */
static size_t tok_len(const char *s, size_t n, size_t i)
{
	if (i >= n)
		return 0;
	char ch = s[i];
	size_t j = i + 1;
	if (is_word_start(ch) || is_digit(ch)) {
		while (j < n && (is_word_start(s[j]) || is_digit(s[j]) || s[j] == '-' ||
				 s[j] == ',' || s[j] == '.'))
			j++;
	} else if (ch == '"') {
		while (j < n && s[j] != '"')
			j += (s[j] == '\\' && j + 1 < n) ? 2 : 1;
		j = j < n ? j + 1 : n;
	} else if ((unsigned char)ch >= 0x80) {
		size_t k = pt_cart_utf8_len((const unsigned char *)s + i, n - i);
		j = i + (k ? k : 1);
	}
	return j - i;
}

/* Parse digits with optional thousands commas.  0: ok; 1: a misplaced
 * comma; 2: too many digits.  *nd gets the digit count. */
static int parse_int(const char *s, size_t n, int64_t *out, size_t *nd)
{
	int64_t v = 0;
	size_t digits = 0, group = 0, commas = 0;
	bool bad = false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != ',') {
			v = ++digits <= PT_CART_MAX_DIGITS ? v * 10 + (s[i] - '0') : v;
			group++;
			continue;
		}
		bad = bad || (commas++ ? group != 3 : group < 1 || group > 3);
		group = 0;
	}
	bad = bad || (commas && group != 3);
	*nd = digits;
	*out = v;
	return digits > PT_CART_MAX_DIGITS ? 2 : bad ? 1 : 0;
}

/* Whether s[0..n) holds a digit (a value of commas and digits may be
 * all commas). */
static bool has_digit(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (is_digit(s[i]))
			return true;
	return false;
}

/* Classify an unquoted value and fill p->kv with what it means; false
 * only when out of memory. */
static bool classify(ctx *c, pair *p)
{
	const char *s = p->raw;
	size_t n = p->raw_len, nd;
	int32_t day = 0;
	p->bad = false;
	if ((p->all & CL_DIGIT) && n <= PT_CART_MAX_DIGITS) {   /* digits only, no commas */
		int64_t v = 0;
		for (size_t i = 0; i < n; i++)
			v = v * 10 + (s[i] - '0');
		p->kv.kind = PT_CV_INT;
		p->kv.i = v;
	} else if ((p->all & CL_NUM) && has_digit(s, n)) {   /* digits and commas only */
		p->kv.kind = PT_CV_INT;
		p->bad = parse_int(s, n, &p->kv.i, &nd) != 0;
	} else if (n == 10 && is_digit(s[0]) && s[4] == '-' && s[7] == '-') {
		p->kv.kind = PT_CV_DATE;
		p->bad = !pt_date_parse(s, n, &day);
		p->kv.i = day;
	} else if ((n == 3 && !memcmp(s, "yes", 3)) || (n == 2 && !memcmp(s, "no", 2))) {
		p->kv.kind = PT_CV_BOOL;
		p->kv.i = n == 3;
	} else {
		p->kv.kind = PT_CV_WORD;
		p->bad = !(CLS(s[0]) & CL_ALPHA) || !(p->all & CL_WORD);   /* not a whole word */
		return p->bad || (p->kv.s = copy_str(c, s, n)) != NULL;
	}
	return true;
}

/* Explain why an unquoted value is malformed; always returns false. */
static bool bad_value(ctx *c, const pair *p)
{
	const char *s = p->raw, *why;
	size_t n = p->raw_len, col = (size_t)p->kv.col, nd;
	bool ascii = true;
	char b[64];
	int64_t v;
	for (size_t i = 0; i < n; i += pt_cart_utf8_len((const unsigned char *)s + i, n - i)) {
		if ((why = bad_byte(s + i, n - i, b)))
			return err(c, col + i, 1, "%s in value", why);
		ascii = ascii && (unsigned char)s[i] < 0x80;
	}
	if (s[0] == '-' && n > 1 && is_digit(s[1]))
		return err(c, col, n, "negative numbers are not allowed, found '%s'", show(b, s, n));
	if (p->kv.kind == PT_CV_INT && parse_int(s, n, &v, &nd) == 2)
		return err(c, col, n, "integer '%s' has %zu digits; at most %d are allowed", show(b, s, n),
			   nd, PT_CART_MAX_DIGITS);
	show(b, s, n);   /* the remaining messages all quote the value */
	if (p->kv.kind == PT_CV_INT)
		return err(c, col, n, "misplaced comma in '%s'; group digits in threes, "
			   "e.g. 3,980", b);
	if (p->kv.kind == PT_CV_DATE || (n > 5 && is_digit(s[0]) && s[4] == '-'))
		return err(c, col, n, "'%s' is not a valid date; expected YYYY-MM-DD, "
			   "years 1900..9999", b);
	if (!ascii)
		return err(c, col, n, "text '%s' must be in quotes (\"...\")", b);
	if (is_digit(s[0]) && memchr(s, '.', n))
		return err(c, col, n, "'%s' is not a whole number; amounts here are integers", b);
	return err(c, col, n, "malformed value '%s'; expected an integer, a word, "
		   "a \"string\", yes/no or a YYYY-MM-DD date", b);
}

/* Scan the quoted string at s[i] into p, unescaping \" and \\;
 * *end gets the index past the closing quote.  False after an error. */
static bool lex_string(ctx *c, size_t i, pair *p, size_t *end)
{
	const char *s = c->s, *why;
	size_t n = c->n, j = i + 1, o = 0, k;
	char *buf = text_mem(c, n - i), b[64];   /* the rest of the line: enough */
	if (!buf)
		return false;
	for (; j < n && s[j] != '"'; j += k) {
		if (CLS(s[j]) & CL_PLAIN) {   /* the common case: copy as is */
			buf[o++] = s[j];
			k = 1;
			continue;
		}
		if (s[j] == '\\' && j + 1 < n) {
			if (s[j + 1] != '"' && s[j + 1] != '\\')
				return err(c, j + 1, 2, "unknown escape '\\%s' in string; only "
					   "\\\" and \\\\ are allowed", show(b, s + j + 1, 1));
			buf[o++] = s[++j];
			k = 1;
			continue;
		}
		if ((why = bad_byte(s + j, n - j, b)))
			return err(c, j + 1, 1, "%s in string", why);
		k = pt_cart_utf8_len((const unsigned char *)s + j, n - j);
		memcpy(buf + o, s + j, k);
		o += k;
	}
	if (j >= n)
		return err(c, i + 1, n - i, "unterminated string; expected a closing '\"'");
	if (++j < n && !is_blank(s[j]) && s[j] != '#')
		return err(c, j + 1, tok_len(s, n, j), "expected a space after the closing "
			   "'\"', found '%s'", show(b, s + j, tok_len(s, n, j)));
	buf[o] = '\0';
	c->pool = buf + o + 1;   /* give back what the string did not use */
	c->pool_left += n - i - (o + 1);
	p->kv.kind = PT_CV_STR;
	p->kv.s = buf;
	*end = j;
	return true;
}

/* Whether a[0..n) equals b[0..n).  Names are 2 to 8 bytes: with the
 * size a constant, the compiler compares them as one or two loads. */
static inline bool same(const char *a, const char *b, size_t n)
{
	switch (n) {
	case 2: return !memcmp(a, b, 2);
	case 3: return !memcmp(a, b, 3);
	case 4: return !memcmp(a, b, 4);
	case 5: return !memcmp(a, b, 5);
	case 6: return !memcmp(a, b, 6);
	case 7: return !memcmp(a, b, 7);
	case 8: return !memcmp(a, b, 8);
	default: return !memcmp(a, b, n);
	}
}

/* The spec of key k for the current kind, or NULL.  The keys of a kind
 * differ in length or first letter, so one comparison decides. */
static const key_spec *find_spec(rec_kind kind, const char *k, size_t n)
{
	int i = S_CART_ID;
	switch (kind) {
	case K_CART: i = S_CART_ID; break;
	case K_ORDER: i = n == 2 ? S_ORDER_ID : S_ORDER_DATE; break;
	case K_ITEM: i = n == 5 ? S_ITEM_PRICE : n == 3 ? S_ITEM_QTY : n == 8 ? S_ITEM_CATEGORY : S_ITEM_NAME; break;
	case K_PAYMENT: i = n == 4 ? S_PAY_CARD : S_PAY_METHOD; break;
	case K_ACCOUNT: i = k[0] == 'p' ? S_ACC_PROGRAM : S_ACC_BALANCE; break;
	case K_USE: i = n == 7 ? S_USE_PROGRAM : n == 6 ? S_USE_POINTS : S_USE_YEN; break;
	case K_COUNT: return NULL;
	}
	return key_specs[i].key_len == n && same(key_specs[i].key, k, n) ? &key_specs[i] : NULL;
}

/* The keys kind accepts, "price, qty, ...", written into buf (64 bytes). */
static const char *key_list(rec_kind kind, char *buf)
{
	size_t o = 0;
	for (size_t i = spec_first[kind]; i < spec_first[kind + 1]; i++)
		o += (size_t)snprintf(buf + o, 64 - o, "%s%s", o ? ", " : "", key_specs[i].key);
	return buf;
}

/* Check a value against what its key wants; false after an error. */
static bool check_pair(ctx *c, pair *p)
{
	static const char *const what[] = { "integer ", "word ", "string ", "yes/no value ",
					    "date " };
	const key_spec *ks = p->spec;
	size_t col = (size_t)p->kv.col;
	char b[64];
	if (!p->bad && (!ks || (ks->want != W_ID && (int)p->kv.kind == ks->want &&
				ks != &key_specs[S_ITEM_QTY])))
		return true;   /* the common case, decided before anything else */
	if (ks && ks->want == W_ID && p->kv.kind != PT_CV_STR) {
		if (!(p->all & CL_ID))   /* a space, control, quote or non-ASCII byte */
			return bad_value(c, p);
		p->kv.kind = PT_CV_WORD;
		return (p->kv.s = copy_str(c, p->raw, p->raw_len)) != NULL;
	}
	if (p->bad)
		return bad_value(c, p);
	if (!ks || ks->want == W_ID)
		return true;
	const char *q = p->kv.kind == PT_CV_STR ? "" : "'";
	if ((int)p->kv.kind != ks->want)
		return err(c, col, p->raw_len, "'%s' must be %s, found %s%s%s%s", ks->key, ks->what,
			   what[p->kv.kind], q, show(b, p->raw, p->raw_len), q);
	if (ks == &key_specs[S_ITEM_QTY] && (p->kv.i < 1 || p->kv.i > PT_CART_MAX_QTY))
		return err(c, col, p->raw_len, "'qty' must be from 1 to %d, found %" PRId64,
			   PT_CART_MAX_QTY, p->kv.i);
	return true;
}

/* Scan one key=value pair at s[i] into a new pair; *end gets the index
 * past the value.  `after` names what came before, for messages. */
static bool lex_pair(ctx *c, size_t i, const char *after, size_t after_len, size_t *end)
{
	const char *s = c->s;
	size_t n = c->n, kl = word_len(s, n, i), eq = i + kl, v = eq + 1;
	char b[64], b2[64];
	/* Messages quote text through show(), only on the error paths. */
	if (!kl)
		return err(c, i + 1, tok_len(s, n, i), "expected a key=value pair after '%s', "
			   "found '%s'", show(b2, after, after_len), show(b, s + i, tok_len(s, n, i)));
	if (eq >= n || s[eq] != '=') {   /* s[n] is a CR or LF (line_at) */
		if (eq >= n || is_blank(s[eq]) || s[eq] == '#')
			return err(c, i + 1, kl, "expected '=' and a value after key '%s'", show(b, s + i, kl));
		return err(c, eq + 1, tok_len(s, n, eq), "expected '=' after key '%s', found '%s'",
			   show(b, s + i, kl), show(b2, s + eq, tok_len(s, n, eq)));
	}
	const key_spec *ks = find_spec(c->kind, s + i, kl);
	if (!ks && c->kind != K_ACCOUNT)
		return err(c, i + 1, kl, "unknown key '%s' for %s; expected one of %s", show(b, s + i, kl),
			   kind_name[c->kind], key_list(c->kind, b2));
	/* A known key is a duplicate when its slot is taken; the others
	 * (an account's own keys) are compared with the earlier ones. */
	const pair *dup = ks && c->slot[ks - key_specs] ? &c->pairs[c->slot[ks - key_specs] - 1] : NULL;
	for (size_t k = 0; !ks && k < c->n_pairs && !dup; k++)
		if ((size_t)c->pairs[k].key_len == kl && same(c->pairs[k].kv.key, s + i, kl))
			dup = &c->pairs[k];
	if (dup)
		return err(c, i + 1, kl, "duplicate key '%s' in this %s record; the first "
			   "is at column %d", show(b, s + i, kl), kind_name[c->kind], dup->key_col);
	if (v >= n || is_blank(s[v]) || s[v] == '#')
		return err(c, eq + 1, 1, "missing value after '%s='", show(b, s + i, kl));
	pair *pv = c->n_pairs < c->cap_pairs ? c->pairs :
		   grow(c, c->pairs, c->n_pairs, &c->cap_pairs, sizeof *pv);
	if (!pv)
		return false;
	c->pairs = pv;   /* at once: cap_pairs already counts the new room */
	/* A known key's name is the table's; only an account's own keys are copied. */
	const char *key = ks ? ks->key : copy_str(c, s + i, kl);
	if (!key)
		return false;
	pair *p = &pv[c->n_pairs];
	p->kv.key = key;   /* every field is set: the slot may hold an earlier line's pair */
	p->bad = false;
	p->kv.s = NULL;
	p->kv.i = 0;
	p->kv.line = c->lno;
	p->kv.col = (int)v + 1;
	p->key_col = (int)i + 1;
	p->key_len = (int)kl;
	p->spec = ks;
	p->raw = s + v;
	/* One pass over an unquoted value finds its end and what its bytes
	 * are, for classify() and check_pair(). */
	unsigned all = 0xFF;
	size_t e = v;
	while (s[v] != '"') {
		unsigned k;
		for (; !((k = CLS(s[e])) & (CL_STOP | CL_EOL)); e++) {   /* unbounded: see line_at */
			all &= k;
		}
		if (e >= n || (k & CL_STOP))
			break;
		all &= k;   /* a CR inside the line is part of the value */
		e++;
	}
	*end = e;
	p->all = all;
	p->raw_len = *end - v;
	if (s[v] == '"' ? !lex_string(c, v, p, end) : !classify(c, p))
		return false;
	p->raw_len = *end - v;
	p->kv.len = (int)p->raw_len;
	if (!check_pair(c, p))
		return false;
	if (ks)
		c->slot[ks - key_specs] = (unsigned)c->n_pairs + 1;
	c->n_pairs++;
	return true;
}

/* The pair for known key spec on the current line, or NULL. */
static const pair *get(const ctx *c, int spec)
{
	return c->slot[spec] ? &c->pairs[c->slot[spec] - 1] : NULL;
}

/* Report a required key that the record lacks; returns false. */
static bool missing(ctx *c, const char *what, const char *key)
{
	return err(c, (size_t)c->kind_col, (size_t)c->kind_len,
		   "%s is missing required key '%s'", what, key);
}

/* Add the current line's account record to the cart. */
static bool store_account(ctx *c)
{
	pt_cart *o = c->out;
	const pair *prog = get(c, S_ACC_PROGRAM), *bal = get(c, S_ACC_BALANCE);
	if (!prog)
		return missing(c, "account", "program");
	const pt_account *prev = pt_cart_account(o, prog->kv.s);
	if (prev)
		return err(c, (size_t)prog->kv.col, prog->raw_len, "second 'account' for program "
			   "'%s'; the first is on line %d", prog->kv.s, prev->line);
	pt_account *v = grow(c, o->accounts, o->n_accounts, &c->cap_accounts, sizeof *v);
	if (!v)
		return false;
	o->accounts = v;   /* at once: cap_accounts already counts the new room */
	size_t nk = c->n_pairs - 1 - (bal != NULL);
	pt_ckv *keys = nk ? alloc(c, nk * sizeof *keys) : NULL;
	if (nk && !keys)
		return false;
	pt_account *a = &v[o->n_accounts++];
	*a = (pt_account){ .program = prog->kv.s, .balance = bal ? bal->kv.i : 0,
			   .has_balance = bal != NULL, .keys = keys, .line = c->lno,
			   .col = c->kind_col, .prog_col = prog->kv.col, .prog_len = prog->kv.len };
	for (size_t i = 0; i < c->n_pairs; i++)
		if (!c->pairs[i].spec)
			keys[a->n_keys++] = c->pairs[i].kv;
	return true;
}

/* Add the current line's use record to the cart. */
static bool store_use(ctx *c)
{
	pt_cart *o = c->out;
	const pair *prog = get(c, S_USE_PROGRAM), *pts = get(c, S_USE_POINTS), *yen = get(c, S_USE_YEN);
	if (!prog)
		return missing(c, "use", "program");
	bool gift = !strcmp(prog->kv.s, "giftcard");
	if (gift && pts)
		return err(c, (size_t)pts->key_col, (size_t)pts->key_len,
			   "'points' does not go with program=giftcard; write yen=N");
	if (!gift && yen)
		return err(c, (size_t)yen->key_col, (size_t)yen->key_len,
			   "'yen' goes only with program=giftcard; write points=N");
	if (gift ? !yen : !pts)
		return missing(c, gift ? "use program=giftcard" : "use", gift ? "yen" : "points");
	pt_use *v = grow(c, o->uses, o->n_uses, &c->cap_uses, sizeof *v);
	if (!v)
		return false;
	o->uses = v;
	v[o->n_uses++] = (pt_use){ .program = prog->kv.s, .points = pts ? pts->kv.i : 0,
				   .yen = yen ? yen->kv.i : 0, .line = c->lno };
	return true;
}

/* Add the current line's item record to the cart; past the item limit
 * only the first extra item is reported. */
static bool store_item(ctx *c)
{
	pt_cart *o = c->out;
	const pair *price = get(c, S_ITEM_PRICE), *qty = get(c, S_ITEM_QTY);
	const pair *cat = get(c, S_ITEM_CATEGORY), *name = get(c, S_ITEM_NAME);
	if (!price)
		return missing(c, "item", "price");
	if (o->n_items >= PT_CART_MAX_ITEMS && !c->items_full) {
		c->items_full = true;
		return err(c, (size_t)c->kind_col, (size_t)c->kind_len,
			   "more than %d items in one cart", PT_CART_MAX_ITEMS);
	}
	pt_item *v = o->n_items >= PT_CART_MAX_ITEMS ? NULL :
		     grow(c, o->items, o->n_items, &c->cap_items, sizeof *v);
	if (!v)
		return false;
	o->items = v;
	v[o->n_items++] = (pt_item){ .price = price->kv.i, .qty = qty ? qty->kv.i : 1,
				     .category = cat ? cat->kv.s : "general",
				     .name = name ? name->kv.s : NULL, .line = c->lno };
	return true;
}

/* Record the first order or payment line of the cart; report a second. */
static bool only_one(ctx *c, int *first)
{
	if (*first)
		return err(c, (size_t)c->kind_col, (size_t)c->kind_len, "second '%s' in this "
			   "cart; the first is on line %d", kind_name[c->kind], *first);
	*first = c->lno;
	return true;
}

/* Apply a fully scanned record to the cart, with record-level checks. */
static void store(ctx *c)
{
	pt_cart *o = c->out;
	const pair *id, *date, *card, *method;
	switch (c->kind) {
	case K_CART:
		id = get(c, S_CART_ID);
		c->cart_id = id ? id->kv.s : NULL;
		break;
	case K_ORDER:
		if (!only_one(c, &c->order_line))
			break;
		id = get(c, S_ORDER_ID);
		date = get(c, S_ORDER_DATE);
		o->order_id = id ? id->kv.s : NULL;
		o->has_date = date != NULL;
		o->date = date ? (int32_t)date->kv.i : 0;
		break;
	case K_PAYMENT:
		card = get(c, S_PAY_CARD);
		method = get(c, S_PAY_METHOD);
		if (!card && !method)
			err(c, (size_t)c->kind_col, (size_t)c->kind_len,
			    "payment needs 'card' or 'method', e.g. payment card=jcb");
		else if (only_one(c, &c->payment_line)) {
			o->card = card ? card->kv.s : NULL;
			o->method = method ? method->kv.s : NULL;
		}
		break;
	case K_ITEM:
		store_item(c);
		break;
	case K_ACCOUNT:
		store_account(c);
		break;
	case K_USE:
		store_use(c);
		break;
	case K_COUNT:
		break;
	}
}

/* The kind named s[0..n), or K_COUNT: one comparison, chosen by the
 * first letter. */
static rec_kind find_kind(const char *s, size_t n)
{
	static const signed char by_letter[26] = {
		['a' - 'a'] = K_ACCOUNT + 1, ['c' - 'a'] = K_CART + 1, ['i' - 'a'] = K_ITEM + 1,
		['o' - 'a'] = K_ORDER + 1, ['p' - 'a'] = K_PAYMENT + 1, ['u' - 'a'] = K_USE + 1,
	};
	static const unsigned char kind_len[K_COUNT] = { 4, 5, 4, 7, 7, 3 };
	int k = s[0] >= 'a' && s[0] <= 'z' ? by_letter[s[0] - 'a'] - 1 : -1;
	if (k < 0 || kind_len[k] != n || !same(kind_name[k], s, n))
		return K_COUNT;
	return (rec_kind)k;
}

/* Read one record line: the kind, its pairs, then store it.  At most one
 * error is reported; the rest of a bad line is ignored. */
static bool parse_line(ctx *c)
{
	const char *s = c->s;
	size_t n = c->n, i = c->lead, kl = word_len(s, n, i), end = 0;
	char b[64];
	if (n > PT_CART_MAX_LINE)
		return err(c, PT_CART_MAX_LINE + 1, 1, "line is %zu bytes long; the limit is %d "
			   "bytes", n, PT_CART_MAX_LINE);
	if (!kl)
		return err(c, i + 1, tok_len(s, n, i), "expected a record kind (" KIND_LIST "), "
			   "found '%s'", show(b, s + i, tok_len(s, n, i)));
	c->kind = find_kind(s + i, kl);
	if (c->kind == K_COUNT)
		return err(c, i + 1, kl, "unknown record kind '%s'; expected one of " KIND_LIST,
			   show(b, s + i, kl));
	c->kind_col = (int)i + 1;
	c->kind_len = (int)kl;
	c->n_pairs = 0;
	memset(c->slot, 0, sizeof c->slot);
	const char *after = s + i;   /* what came before the next pair, for messages */
	size_t after_len = kl;
	for (i += kl;; i = end) {
		size_t j = skip_blanks(s, n, i);
		if (j >= n || s[j] == '#')
			break;
		if (!lex_pair(c, j, after, after_len, &end))
			return false;
		after = s + j;
		after_len = end - j;
	}
	store(c);
	return true;
}

/* Point r->src at the window from the current cart's start, for messages. */
static void window(pt_cart_reader *r)
{
	r->src = (pt_src){ r->name, r->buf + r->keep, r->len - r->keep, r->keep_line };
}

/* One past the last '\n' in buf[from, to), or from when there is none
 * (the end of the complete lines, pt_cart_reader.nl_end). */
static size_t last_nl(const char *buf, size_t from, size_t to)
{
	while (to > from && buf[to - 1] != '\n')
		to--;
	return to;
}

/* Read one more chunk into a streaming reader's buffer, first moving the
 * current cart (from r->keep) to the front and growing the buffer when a
 * chunk does not fit.  False at the end of input or after an error. */
static bool refill(pt_cart_reader *r)
{
	if (!r->read || r->eof || r->error)
		return false;
	if (r->keep) {   /* the carts before this one are done with */
		memmove(r->mem, r->mem + r->keep, r->len - r->keep);
		r->len -= r->keep;
		r->pos -= r->keep;
		r->nl_end = r->nl_end > r->keep ? r->nl_end - r->keep : 0;
		r->keep = 0;
	}
	if (r->cap - r->len < r->chunk) {
		size_t nc = r->cap;
		while (nc - r->len < r->chunk && nc <= SIZE_MAX / 2)
			nc *= 2;
		char *m = nc - r->len >= r->chunk ? realloc(r->mem, nc) : NULL;
		if (!m) {
			r->error = ENOMEM;
			window(r);
			return false;
		}
		r->mem = m;
		r->buf = m;
		r->cap = nc;
	}
	window(r);   /* the text moved, whatever the read brings */
	errno = 0;
	long got = r->read(r->read_ctx, r->mem + r->len, r->chunk);
	if (got < 0 || (size_t)got > r->chunk) {
		r->error = errno ? errno : EIO;
		return false;
	}
	if (got == 0) {
		r->eof = true;
		return false;
	}
	size_t nl = last_nl(r->buf, r->len, r->len + (size_t)got);
	if (nl > r->len)   /* the chunk has a '\n': more complete lines */
		r->nl_end = nl;
	r->len += (size_t)got;
	window(r);
	return true;
}

/* The end of the line at r->pos: its '\n', or the end of input for a last
 * line without one.  Reads more while the line is incomplete; NULL when no
 * bytes are left or after a read error. */
static const char *line_end(pt_cart_reader *r)
{
	size_t from = r->pos;
	for (;;) {
		const char *e = memchr(r->buf + from, '\n', r->len - from);
		if (e)
			return e;
		size_t seen = r->len - r->pos;   /* bytes of this line already searched */
		if (!refill(r))
			return r->pos < r->len && !r->error ? r->buf + r->len : NULL;
		from = r->pos + seen;
	}
}

/* Length of the line from s to its end e, without a final CR. */
static size_t line_len(const char *s, const char *e)
{
	size_t n = (size_t)(e - s);
	return n && s[n - 1] == '\r' ? n - 1 : n;
}

/* The line at r->pos, which ends at e, in *n bytes without a final CR,
 * with a CR or LF after it in memory, as skip_blanks, word_len and the
 * value scan want: a last line without a newline is copied, with one.
 * NULL when out of memory. */
static const char *line_at(pt_cart_reader *r, const char *e, size_t *n)
{
	const char *s = r->buf + r->pos;
	if (e == r->buf + r->len) {
		size_t k = (size_t)(e - s);
		if (k + 1 > r->tail_cap) {
			char *t = realloc(r->tail, k + 1);
			if (!t) {
				r->error = ENOMEM;
				return NULL;
			}
			r->tail = t;
			r->tail_cap = k + 1;
		}
		memcpy(r->tail, s, k);
		r->tail[k] = '\n';
		s = r->tail;
		e = s + k;
	}
	*n = line_len(s, e);
	return s;
}

/* Step past the line that ends at e. */
static void advance(pt_cart_reader *r, const char *e)
{
	r->pos = (size_t)(e - r->buf) + (e < r->buf + r->len);
	r->line++;
}

/* Blank or comment-only line. */
static bool is_empty_line(const char *s, size_t n)
{
	size_t i = skip_blanks(s, n, 0);
	return i >= n || s[i] == '#';
}

/* Whether the line s[0..n) (without its LF) starts a new cart: its first
 * word, after the blanks, is `cart`.  The one rule for it: the reader
 * follows it, and `ptrules eval` cuts a file into parts by it
 * (ptrules_is_cart_line). */
bool pt_cart_is_cart_line(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && is_blank(s[i]))
		i++;
	return n - i >= 4 && same(s + i, "cart", 4) && (n - i == 4 || !(CLS(s[i + 4]) & CL_WORD));
}

/* Set up a reader over src; the text must outlive the reader. */
void pt_cart_reader_init(pt_cart_reader *r, const pt_src *src)
{
	memset(r, 0, sizeof *r);
	r->name = src->name;
	r->buf = src->text ? src->text : "";
	r->len = src->text ? src->len : 0;
	r->eof = true;
	r->nl_end = last_nl(r->buf, 0, r->len);
	r->line = r->keep_line = 1;
	window(r);
	pt_arena_init(&r->arena, 64 * 1024);
}

/* Set up a reader that pulls its input through fn, chunk bytes at a time. */
bool pt_cart_reader_init_stream(pt_cart_reader *r, const char *name, pt_cart_read_fn fn,
				void *arg, size_t chunk)
{
	memset(r, 0, sizeof *r);
	r->name = name;
	r->read = fn;
	r->read_ctx = arg;
	r->chunk = chunk ? chunk : PT_CART_CHUNK;
	r->cap = r->chunk < 64 ? 128 : r->chunk * 2;
	r->mem = malloc(r->cap);
	r->buf = r->mem;
	r->line = r->keep_line = 1;
	window(r);
	pt_arena_init(&r->arena, 64 * 1024);
	return r->mem != NULL;
}

/* Release the reader's buffer and arena (and with them the last cart). */
void pt_cart_reader_free(pt_cart_reader *r)
{
	pt_arena_free(&r->arena);
	for (int k = 0; k < 3; k++) {
		free(r->room[k]);
		r->room[k] = NULL;
		r->room_cap[k] = 0;
	}
	free(r->mem);
	free(r->tail);
	r->mem = r->tail = NULL;
	r->buf = "";
	r->len = r->pos = r->keep = r->nl_end = 0;
}

/* After a cart whose array k grew to cap elements in the arena: room of
 * that size for the carts after it (the cart itself uses the arena's
 * copy, so the old room can go).  Out of memory, the room stays. */
static void keep_room(pt_cart_reader *r, int k, size_t cap, size_t sz)
{
	if (cap <= r->room_cap[k] || cap > SIZE_MAX / sz)
		return;
	void *v = malloc(cap * sz);
	if (!v)
		return;
	free(r->room[k]);
	r->room[k] = v;
	r->room_cap[k] = cap;
}

/* Read the next cart: skip to its first record, then take lines up to the
 * next `cart` line or the end of input.  The window for messages starts
 * where the previous cart ended. */
bool pt_cart_next(pt_cart_reader *r, pt_cart *out, pt_diags *d)
{
	ctx c = { .r = r, .out = out, .d = d };
	const char *e;
	pt_arena_reset(&r->arena);
	memset(out, 0, sizeof *out);
	out->line = 1;
	r->keep = r->pos;
	r->keep_line = r->line;
	window(r);
	for (;; advance(r, e)) {
		if (r->pos < r->nl_end) {   /* a complete line: blank, or a record, quickly */
			if (r->buf[r->pos] == '\n') {
				e = r->buf + r->pos;
				continue;
			}
			if (CLS(r->buf[r->pos]) & CL_ALPHA)
				break;
		}
		if (!(e = line_end(r)))
			return !r->error && r->cart_index++ == 0;   /* no records at all: one empty cart */
		if (!(c.s = line_at(r, e, &c.n)))
			return false;
		if (!is_empty_line(c.s, c.n))
			break;
	}
	out->line = r->line;
	out->items = r->room[0];   /* grown in the arena, as needed, past them */
	c.cap_items = r->room_cap[0];
	out->accounts = r->room[1];
	c.cap_accounts = r->room_cap[1];
	out->uses = r->room[2];
	c.cap_uses = r->room_cap[2];
	for (bool first = true;; advance(r, e), first = false) {
		/* Complete lines: the fast path reads what it can of them. */
		if (r->pos < r->nl_end && pt_cart_fast_lines(&c, &first) == PT_FAST_CART)
			break;
		if (!(e = line_end(r)))
			break;
		if (!(c.s = line_at(r, e, &c.n)))
			break;
		c.lead = skip_blanks(c.s, c.n, 0);
		if (c.lead >= c.n || c.s[c.lead] == '#')   /* blank or a comment */
			continue;
		if (pt_cart_is_cart_line(c.s, c.n)) {
			r->seen_cart_line = true;
			if (!first)
				break;
		}
		c.lno = r->line;
		parse_line(&c);
	}
	keep_room(r, 0, c.cap_items, sizeof(pt_item));
	keep_room(r, 1, c.cap_accounts, sizeof(pt_account));
	keep_room(r, 2, c.cap_uses, sizeof(pt_use));
	if (r->error)
		return false;
	r->cart_index++;
	out->id = c.cart_id ? c.cart_id : out->order_id;
	return true;
}

/* The account line for program id, or NULL. */
const pt_account *pt_cart_account(const pt_cart *c, const char *program)
{
	for (size_t i = 0; i < c->n_accounts; i++)
		if (!strcmp(c->accounts[i].program, program))
			return &c->accounts[i];
	return NULL;
}

/* Sum of price*qty over all items; false on overflow. */
bool pt_cart_total(const pt_cart *c, int64_t *out)
{
	int64_t sum = 0, t;
	for (size_t i = 0; i < c->n_items; i++)
		if (__builtin_mul_overflow(c->items[i].price, c->items[i].qty, &t) ||
		    __builtin_add_overflow(sum, t, &sum))
			return false;
	*out = sum;
	return true;
}
