/* cart_ref.c - the reference cart reader: src/cart.c as it was at commit
 * dd80bb4, before the scanner was made fast (docs/performance.md, "The
 * cart reader and the command line").  Frozen: do not edit.
 * tests/unit/test_cart_diff.c includes it under other names and requires
 * the fast reader to produce the same carts and the same diagnostics.
 *
 * The original comment follows.
 *
 * cart.c - reader for the cart.txt format (docs/cart-format.md).
 *
 * A hand-written line scanner: each line is one record `kind key=value...`.
 * A line is checked left to right; the first problem on it gets a located
 * error, the rest of the line is skipped and the cart is marked bad, and
 * reading goes on with the next line.  All memory of a cart comes from the
 * reader's arena, which pt_cart_next resets. */
#include "cart.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
	int want;            /* a pt_cval_kind or W_ID */
	const char *what;    /* "an integer number of yen", for messages */
} key_spec;

static const key_spec key_specs[] = {
	{ K_CART, "id", W_ID, "an id" },
	{ K_ORDER, "id", W_ID, "an id" },
	{ K_ORDER, "date", PT_CV_DATE, "a date YYYY-MM-DD" },
	{ K_ITEM, "price", PT_CV_INT, "an integer number of yen" },
	{ K_ITEM, "qty", PT_CV_INT, "a whole number of at least 1" },
	{ K_ITEM, "category", PT_CV_WORD, "a word such as grocery" },
	{ K_ITEM, "name", PT_CV_STR, "a quoted string such as \"Coffee\"" },
	{ K_PAYMENT, "card", PT_CV_WORD, "a word such as jcb" },
	{ K_PAYMENT, "method", PT_CV_WORD, "a word such as giftcard" },
	{ K_ACCOUNT, "program", PT_CV_WORD, "a program id such as dpoint" },
	{ K_ACCOUNT, "balance", PT_CV_INT, "an integer number of points" },
	{ K_USE, "program", PT_CV_WORD, "a program id such as dpoint" },
	{ K_USE, "points", PT_CV_INT, "an integer number of points" },
	{ K_USE, "yen", PT_CV_INT, "an integer number of yen" },
};

/* One key=value pair of the current line. */
typedef struct pair {
	pt_ckv kv;
	bool bad;                 /* malformed; bad_value() says why */
	int key_col, key_len;
	const char *raw;          /* the value as written */
	size_t raw_len;
	const key_spec *spec;     /* NULL for an account's further keys */
} pair;

/* State while reading one cart. */
typedef struct ctx {
	pt_cart_reader *r;
	pt_cart *out;
	pt_diags *d;
	const char *s;            /* current line, without CR/LF */
	size_t n;
	int lno;
	rec_kind kind;
	int kind_col, kind_len;
	pair *pairs;              /* pairs of the current line (scratch) */
	size_t n_pairs, cap_pairs;
	size_t cap_items, cap_accounts, cap_uses;
	int order_line, payment_line;
	const char *cart_id;
	bool items_full;
} ctx;

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

/* Copy s[0..n) into the arena as a C string; NULL when out of memory. */
static char *copy_str(ctx *c, const char *s, size_t n)
{
	char *p = alloc(c, n + 1);
	if (p)
		memcpy(p, s, n);
	return p;
}

/* Room for element n of array v (capacity *cap): the same array, or a
 * bigger copy in the arena; NULL when out of memory. */
static void *grow(ctx *c, void *v, size_t n, size_t *cap, size_t sz)
{
	if (n < *cap)
		return v;
	size_t nc = *cap ? *cap * 2 : 8;
	void *nv = alloc(c, nc * sz);
	if (!nv)
		return NULL;
	if (n)
		memcpy(nv, v, n * sz);
	*cap = nc;
	return nv;
}

/* Space or tab: what separates the pairs of a record. */
static bool is_blank(char ch) { return ch == ' ' || ch == '\t'; }
/* An ASCII digit (no locale). */
static bool is_digit(char ch) { return ch >= '0' && ch <= '9'; }

/* An ASCII letter or underscore: what a word or key may start with. */
static bool is_word_start(char ch)
{
	return ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') || ch == '_';
}

/* Index of the first non-blank byte at or after i. */
static size_t skip_blanks(const char *s, size_t n, size_t i)
{
	while (i < n && is_blank(s[i]))
		i++;
	return i;
}

/* Length of the word [A-Za-z_][A-Za-z0-9_-]* at s[i], 0 if none. */
static size_t word_len(const char *s, size_t n, size_t i)
{
	if (i >= n || !is_word_start(s[i]))
		return 0;
	size_t j = i + 1;
	while (j < n && (is_word_start(s[j]) || is_digit(s[j]) || s[j] == '-'))
		j++;
	return j - i;
}

/* Length of the valid UTF-8 sequence at p (n bytes available), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
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

/* Name a byte that may not appear in a value, or NULL when it may. */
static const char *bad_byte(const char *s, size_t n, char *buf)
{
	unsigned char ch = (unsigned char)*s;
	if (ch == 0)
		return "NUL byte";
	if (!utf8_len((const unsigned char *)s, n))
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
		k = utf8_len((const unsigned char *)s + i, n - i);
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
		size_t k = utf8_len((const unsigned char *)s + i, n - i);
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

/* Classify an unquoted value and fill p->kv with what it means; false
 * only when out of memory. */
static bool classify(ctx *c, pair *p)
{
	const char *s = p->raw;
	size_t n = p->raw_len, i = 0, nd;
	int32_t day = 0;
	bool digit = false;
	for (; i < n && (is_digit(s[i]) || s[i] == ','); i++)
		digit = digit || is_digit(s[i]);
	p->bad = false;
	if (i == n && digit) {
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
		p->bad = word_len(s, n, 0) != n;
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
	for (size_t i = 0; i < n; i += utf8_len((const unsigned char *)s + i, n - i)) {
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
	char *buf = alloc(c, n - i), b[64];
	if (!buf)
		return false;
	for (; j < n && s[j] != '"'; j += k) {
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
		k = utf8_len((const unsigned char *)s + j, n - j);
		memcpy(buf + o, s + j, k);
		o += k;
	}
	if (j >= n)
		return err(c, i + 1, n - i, "unterminated string; expected a closing '\"'");
	if (++j < n && !is_blank(s[j]) && s[j] != '#')
		return err(c, j + 1, tok_len(s, n, j), "expected a space after the closing "
			   "'\"', found '%s'", show(b, s + j, tok_len(s, n, j)));
	p->kv.kind = PT_CV_STR;
	p->kv.s = buf;
	*end = j;
	return true;
}

/* The spec of key k for the current kind, or NULL. */
static const key_spec *find_spec(rec_kind kind, const char *k, size_t n)
{
	for (size_t i = 0; i < sizeof key_specs / sizeof key_specs[0]; i++)
		if (key_specs[i].kind == kind && strlen(key_specs[i].key) == n &&
		    !memcmp(key_specs[i].key, k, n))
			return &key_specs[i];
	return NULL;
}

/* The keys kind accepts, "price, qty, ...", written into buf (64 bytes). */
static const char *key_list(rec_kind kind, char *buf)
{
	size_t o = 0;
	for (size_t i = 0; i < sizeof key_specs / sizeof key_specs[0]; i++)
		if (key_specs[i].kind == kind)
			o += (size_t)snprintf(buf + o, 64 - o, "%s%s", o ? ", " : "",
					      key_specs[i].key);
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
	if (ks && ks->want == W_ID && p->kv.kind != PT_CV_STR) {
		for (size_t i = 0; i < p->raw_len; i++)
			if ((unsigned char)p->raw[i] <= ' ' || (unsigned char)p->raw[i] >= 0x7F ||
			    p->raw[i] == '"')
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
	if (!strcmp(ks->key, "qty") && (p->kv.i < 1 || p->kv.i > PT_CART_MAX_QTY))
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
	if (eq >= n || is_blank(s[eq]) || s[eq] == '#')
		return err(c, i + 1, kl, "expected '=' and a value after key '%s'", show(b, s + i, kl));
	if (s[eq] != '=')
		return err(c, eq + 1, tok_len(s, n, eq), "expected '=' after key '%s', found '%s'",
			   show(b, s + i, kl), show(b2, s + eq, tok_len(s, n, eq)));
	const key_spec *ks = find_spec(c->kind, s + i, kl);
	if (!ks && c->kind != K_ACCOUNT)
		return err(c, i + 1, kl, "unknown key '%s' for %s; expected one of %s", show(b, s + i, kl),
			   kind_name[c->kind], key_list(c->kind, b2));
	for (size_t k = 0; k < c->n_pairs; k++)
		if ((size_t)c->pairs[k].key_len == kl && !memcmp(c->pairs[k].kv.key, s + i, kl))
			return err(c, i + 1, kl, "duplicate key '%s' in this %s record; the first "
				   "is at column %d", show(b, s + i, kl), kind_name[c->kind], c->pairs[k].key_col);
	if (v >= n || is_blank(s[v]) || s[v] == '#')
		return err(c, eq + 1, 1, "missing value after '%s='", show(b, s + i, kl));
	pair *pv = grow(c, c->pairs, c->n_pairs, &c->cap_pairs, sizeof *pv);
	char *key = pv ? copy_str(c, s + i, kl) : NULL;
	if (!key)
		return false;
	c->pairs = pv;
	pair *p = &pv[c->n_pairs];
	*p = (pair){ .kv = { .key = key, .line = c->lno, .col = (int)v + 1 },
		     .key_col = (int)i + 1, .key_len = (int)kl, .spec = ks, .raw = s + v };
	for (*end = v; s[v] != '"' && *end < n && !is_blank(s[*end]) && s[*end] != '#';)
		++*end;
	p->raw_len = *end - v;
	if (s[v] == '"' ? !lex_string(c, v, p, end) : !classify(c, p))
		return false;
	p->raw_len = *end - v;
	p->kv.len = (int)p->raw_len;
	if (!check_pair(c, p))
		return false;
	c->n_pairs++;
	return true;
}

/* The pair for key on the current line, or NULL. */
static const pair *get(const ctx *c, const char *key)
{
	for (size_t i = 0; i < c->n_pairs; i++)
		if (!strcmp(c->pairs[i].kv.key, key))
			return &c->pairs[i];
	return NULL;
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
	const pair *prog = get(c, "program"), *bal = get(c, "balance");
	if (!prog)
		return missing(c, "account", "program");
	const pt_account *prev = pt_cart_account(o, prog->kv.s);
	if (prev)
		return err(c, (size_t)prog->kv.col, prog->raw_len, "second 'account' for program "
			   "'%s'; the first is on line %d", prog->kv.s, prev->line);
	pt_account *v = grow(c, o->accounts, o->n_accounts, &c->cap_accounts, sizeof *v);
	size_t nk = c->n_pairs - 1 - (bal != NULL);
	pt_ckv *keys = nk ? alloc(c, nk * sizeof *keys) : NULL;
	if (!v || (nk && !keys))
		return false;
	o->accounts = v;
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
	const pair *prog = get(c, "program"), *pts = get(c, "points"), *yen = get(c, "yen");
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
	const pair *price = get(c, "price"), *qty = get(c, "qty");
	const pair *cat = get(c, "category"), *name = get(c, "name");
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
	const pair *id = get(c, "id"), *date = get(c, "date");
	const pair *card = get(c, "card"), *method = get(c, "method");
	switch (c->kind) {
	case K_CART:
		c->cart_id = id ? id->kv.s : NULL;
		break;
	case K_ORDER:
		if (!only_one(c, &c->order_line))
			break;
		o->order_id = id ? id->kv.s : NULL;
		o->has_date = date != NULL;
		o->date = date ? (int32_t)date->kv.i : 0;
		break;
	case K_PAYMENT:
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

/* Read one record line: the kind, its pairs, then store it.  At most one
 * error is reported; the rest of a bad line is ignored. */
static bool parse_line(ctx *c)
{
	const char *s = c->s;
	size_t n = c->n, i = skip_blanks(s, n, 0), kl = word_len(s, n, i), end = 0;
	char b[64];
	if (n > PT_CART_MAX_LINE)
		return err(c, PT_CART_MAX_LINE + 1, 1, "line is %zu bytes long; the limit is %d "
			   "bytes", n, PT_CART_MAX_LINE);
	if (!kl)
		return err(c, i + 1, tok_len(s, n, i), "expected a record kind (" KIND_LIST "), "
			   "found '%s'", show(b, s + i, tok_len(s, n, i)));
	for (c->kind = 0; c->kind < K_COUNT; c->kind++)
		if (strlen(kind_name[c->kind]) == kl && !memcmp(kind_name[c->kind], s + i, kl))
			break;
	if (c->kind == K_COUNT)
		return err(c, i + 1, kl, "unknown record kind '%s'; expected one of " KIND_LIST,
			   show(b, s + i, kl));
	c->kind_col = (int)i + 1;
	c->kind_len = (int)kl;
	c->n_pairs = 0;
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

/* The line at r->pos: its bytes without CR/LF in *len, and in *next the
 * offset of the line after it. */
static const char *peek_line(const pt_cart_reader *r, size_t *len, size_t *next)
{
	const char *s = r->src.text + r->pos;
	size_t left = r->src.len - r->pos;
	const char *e = memchr(s, '\n', left);
	size_t n = e ? (size_t)(e - s) : left;
	*next = r->pos + n + (e ? 1 : 0);
	if (n && s[n - 1] == '\r')
		n--;
	*len = n;
	return s;
}

/* Blank or comment-only line. */
static bool is_empty_line(const char *s, size_t n)
{
	size_t i = skip_blanks(s, n, 0);
	return i >= n || s[i] == '#';
}

/* A line whose first word is `cart`: it starts a new cart. */
static bool is_cart_line(const char *s, size_t n)
{
	size_t i = skip_blanks(s, n, 0);
	return word_len(s, n, i) == 4 && !memcmp(s + i, "cart", 4);
}

/* Set up a reader over src; the text must outlive the reader. */
void pt_cart_reader_init(pt_cart_reader *r, const pt_src *src)
{
	memset(r, 0, sizeof *r);
	r->src = *src;
	if (!r->src.text)
		r->src.len = 0;
	r->line = 1;
	pt_arena_init(&r->arena, 64 * 1024);
}

/* Release the reader's arena (and with it the last cart). */
void pt_cart_reader_free(pt_cart_reader *r)
{
	pt_arena_free(&r->arena);
}

/* Read the next cart: skip to its first record, then take lines up to the
 * next `cart` line or the end of input. */
bool pt_cart_next(pt_cart_reader *r, pt_cart *out, pt_diags *d)
{
	ctx c = { .r = r, .out = out, .d = d };
	size_t len, next;
	pt_arena_reset(&r->arena);
	memset(out, 0, sizeof *out);
	out->line = 1;
	for (;; r->pos = next, r->line++) {
		if (r->pos >= r->src.len)
			return r->cart_index++ == 0;   /* no records at all: one empty cart */
		c.s = peek_line(r, &len, &next);
		if (!is_empty_line(c.s, len))
			break;
	}
	out->line = r->line;
	for (bool first = true; r->pos < r->src.len; r->pos = next, r->line++, first = false) {
		c.s = peek_line(r, &c.n, &next);
		if (is_empty_line(c.s, c.n))
			continue;
		if (is_cart_line(c.s, c.n)) {
			r->seen_cart_line = true;
			if (!first)
				break;
		}
		c.lno = r->line;
		parse_line(&c);
	}
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
