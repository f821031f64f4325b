/* api.c - the public API (include/ptrules.h) over the internal modules.
 *
 * Handles wrap internal structures; nothing here prints or exits.  Rule
 * sets are reference counted with C11 atomics so they can be shared and
 * swapped between threads; everything else belongs to one thread. */
#include <errno.h>
#include <fcntl.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PTRULES_BUILDING 1
#include "ptrules.h"

#include "api.h"
#include "bind_fast.h"

#include "date.h"
#include "fast.h"
#include "load.h"
#include "out.h"
#include "ptbc.h"
#include "vm.h"


static const pt_src built_src = { "<cart>", "", 0, 0 };

/* Describe a status code. */
PTRULES_API const char *ptrules_strerror(ptrules_status s)
{
	switch (s) {
	case PTRULES_OK: return "success";
	case PTRULES_EINVALID: return "invalid rules, cart or compiled file (see the diagnostics)";
	case PTRULES_EIO: return "input/output error";
	case PTRULES_ENOMEM: return "out of memory";
	case PTRULES_ERUNTIME: return "a rule failed while evaluating (overflow or division by zero)";
	case PTRULES_EARG: return "invalid argument";
	}
	return "unknown status";
}

/* ---- diagnostics ---------------------------------------------------- */

PTRULES_API ptrules_diags *ptrules_diags_new(void)
{
	ptrules_diags *d = malloc(sizeof *d);
	if (d)
		pt_diags_init(&d->d);
	return d;
}

PTRULES_API void ptrules_diags_free(ptrules_diags *d)
{
	if (!d)
		return;
	pt_diags_free(&d->d);
	free(d);
}

PTRULES_API void ptrules_diags_clear(ptrules_diags *d)
{
	if (!d)
		return;
	size_t cap = d->d.max_errors;
	pt_diags_free(&d->d);
	pt_diags_init(&d->d);
	if (cap)
		d->d.max_errors = cap;
}

PTRULES_API size_t ptrules_diags_count(const ptrules_diags *d) { return d ? d->d.n : 0; }
PTRULES_API size_t ptrules_diags_errors(const ptrules_diags *d) { return d ? d->d.n_errors : 0; }
PTRULES_API size_t ptrules_diags_warnings(const ptrules_diags *d) { return d ? d->d.n_warnings : 0; }

/* Copy record i into the public struct. */
PTRULES_API ptrules_status ptrules_diags_get(const ptrules_diags *d, size_t i, ptrules_diag *out)
{
	if (!d || !out || i >= d->d.n)
		return PTRULES_EARG;
	const pt_diag *r = &d->d.v[i];
	out->severity = (ptrules_severity)r->sev;
	out->code = r->code;
	out->file = r->file;
	out->line = r->line;
	out->col = r->col;
	out->len = r->len;
	out->message = r->msg ? r->msg : "";
	out->source_line = r->src_line;
	return PTRULES_OK;
}

PTRULES_API void ptrules_diags_print(const ptrules_diags *d, FILE *out)
{
	if (d && out)
		pt_diags_print(&d->d, out);
}

PTRULES_API void ptrules_diags_print_summary(const ptrules_diags *d, FILE *out)
{
	if (d && out)
		pt_diags_print_summary(&d->d, out);
}

/* Diagnostics to record into: the caller's, or a scratch list. */
static pt_diags *diags_of(ptrules_diags *d, pt_diags *scratch)
{
	if (d)
		return &d->d;
	pt_diags_init(scratch);
	return scratch;
}

/* ---- rule sets ------------------------------------------------------ */

/* diags_of for a load: its out-of-memory mark cleared, so that what the
 * load returns (wrap) says whether this load ran out of memory. */
static pt_diags *load_diags_of(ptrules_diags *d, pt_diags *scratch)
{
	pt_diags *dd = diags_of(d, scratch);
	pt_diags_begin_call(dd);
	return dd;
}

/* Wrap a compiled rule set in a handle with one reference; without one,
 * ENOMEM when loading ran out of memory (d->oom), else EINVALID.  The
 * handle's own allocation failing is said against file, as any other. */
static ptrules_status wrap(pt_ruleset *rs, ptrules_rules **out, pt_diags *d, const char *file)
{
	if (!rs)
		return d->oom ? PTRULES_ENOMEM : PTRULES_EINVALID;
	ptrules_rules *r = malloc(sizeof *r);
	if (!r) {
		pt_ruleset_free(rs);
		pt_diag_oom(d, file);
		return PTRULES_ENOMEM;
	}
	r->rs = rs;
	atomic_init(&r->refs, 1);
	*out = r;
	return PTRULES_OK;
}

PTRULES_API ptrules_status ptrules_load_sources(ptrules_rules **out, const ptrules_source *srcs,
						size_t n, ptrules_diags *d)
{
	if (!out || (!srcs && n))
		return PTRULES_EARG;
	*out = NULL;
	pt_diags scratch;
	pt_diags *dd = load_diags_of(d, &scratch);
	const char *first = n && srcs[0].name ? srcs[0].name : n ? "<rules>" : "rules";
	pt_src *v = calloc(n ? n : 1, sizeof *v);
	ptrules_status st = PTRULES_ENOMEM;
	if (!v)
		pt_diag_oom(dd, first);
	else {
		for (size_t i = 0; i < n; i++)
			v[i] = (pt_src){ srcs[i].name ? srcs[i].name : "<rules>", srcs[i].text ? srcs[i].text : "",
					 srcs[i].text ? srcs[i].len : 0, 0 };
		st = wrap(pt_compile(v, n, dd), out, dd, first);
	}
	if (!d)
		pt_diags_free(&scratch);
	free(v);
	return st;
}

/* Load paths, compiling with or without lints. */
static ptrules_status load_paths(ptrules_rules **out, const char *const *paths, size_t n, ptrules_diags *d,
				 bool lint)
{
	if (!out || (!paths && n))
		return PTRULES_EARG;
	*out = NULL;
	pt_diags scratch;
	pt_diags *dd = load_diags_of(d, &scratch);
	pt_srclist l = { 0 };
	bool ok = true;
	for (size_t i = 0; i < n; i++)
		ok = pt_srclist_add(&l, paths[i], dd) && ok;
	ptrules_status st = ok ? wrap(pt_compile_ex(l.v, l.n, dd, lint), out, dd, l.n ? l.v[0].name : "rules")
			       : dd->oom ? PTRULES_ENOMEM : PTRULES_EIO;
	pt_srclist_free(&l);
	if (!d)
		pt_diags_free(&scratch);
	return st;
}

PTRULES_API ptrules_status ptrules_load_paths(ptrules_rules **out, const char *const *paths,
					      size_t n, ptrules_diags *d)
{
	return load_paths(out, paths, n, d, false);
}

PTRULES_API ptrules_status ptrules_lint_paths(ptrules_rules **out, const char *const *paths,
					      size_t n, ptrules_diags *d)
{
	return load_paths(out, paths, n, d, true);
}

PTRULES_API ptrules_status ptrules_load_bytecode(ptrules_rules **out, const void *data, size_t len,
						 const char *name, ptrules_diags *d)
{
	if (!out || (!data && len))
		return PTRULES_EARG;
	*out = NULL;
	pt_diags scratch;
	pt_diags *dd = load_diags_of(d, &scratch);
	name = name ? name : "<bytecode>";
	ptrules_status st = wrap(pt_ptbc_load(data ? data : "", len, name, dd), out, dd, name);
	if (!d)
		pt_diags_free(&scratch);
	return st;
}

PTRULES_API ptrules_status ptrules_load_bytecode_file(ptrules_rules **out, const char *path,
						      ptrules_diags *d)
{
	if (!out || !path)
		return PTRULES_EARG;
	*out = NULL;
	pt_diags scratch;
	pt_diags *dd = load_diags_of(d, &scratch);
	size_t len;
	char *text = pt_read_file(path, &len, dd);
	ptrules_status st = dd->oom ? PTRULES_ENOMEM : PTRULES_EIO;
	if (text)
		st = wrap(pt_ptbc_load((const unsigned char *)text, len, path, dd), out, dd, path);
	free(text);
	if (!d)
		pt_diags_free(&scratch);
	return st;
}

PTRULES_API int ptrules_is_bytecode_file(const char *path)
{
	if (!path || strcmp(path, "-") == 0)
		return 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	char magic[8];
	int yes = fread(magic, 1, 8, f) == 8 && memcmp(magic, PT_PTBC_MAGIC, 8) == 0;
	fclose(f);
	return yes;
}

PTRULES_API ptrules_status ptrules_save_bytecode(const ptrules_rules *r, unsigned char **out, size_t *len)
{
	if (!r || !out || !len)
		return PTRULES_EARG;
	return pt_ptbc_save(r->rs, out, len) ? PTRULES_OK : PTRULES_ENOMEM;
}

/* Write all of buf to fd, retrying short writes. */
static bool write_all(int fd, const unsigned char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

/* Atomic replace: temporary file in the same directory, fsync, rename,
 * then fsync the directory so the rename itself is durable. */
PTRULES_API ptrules_status ptrules_write_bytecode_file(const ptrules_rules *r, const char *path,
						       ptrules_diags *d)
{
	if (!r || !path)
		return PTRULES_EARG;
	pt_diags scratch;
	pt_diags *dd = diags_of(d, &scratch);
	unsigned char *buf = NULL;
	size_t len = 0;
	ptrules_status st = PTRULES_EIO;
	size_t pl = strlen(path);
	char *tmp = malloc(pl + 16);
	if (!tmp || !pt_ptbc_save(r->rs, &buf, &len)) {
		st = PTRULES_ENOMEM;
		goto out;
	}
	snprintf(tmp, pl + 16, "%s.tmp.XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		pt_diag_file(dd, PT_ERROR, path, "cannot create a temporary file beside it: %s", strerror(errno));
		goto out;
	}
	bool ok = write_all(fd, buf, len) && fsync(fd) == 0;
	int saved = errno;
	ok = close(fd) == 0 && ok;
	if (ok)
		ok = chmod(tmp, 0644) == 0 && rename(tmp, path) == 0;
	else
		errno = saved;
	if (!ok) {
		pt_diag_file(dd, PT_ERROR, path, "cannot write: %s (the old file, if any, is unchanged)",
			     strerror(errno));
		unlink(tmp);
		goto out;
	}
	const char *slash = strrchr(path, '/');
	char dir[4096];
	snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + (slash == path) : 1, slash ? path : ".");
	int dfd = open(dir, O_RDONLY);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	st = PTRULES_OK;
out:
	free(buf);
	free(tmp);
	if (!d)
		pt_diags_free(&scratch);
	return st;
}

PTRULES_API ptrules_rules *ptrules_retain(ptrules_rules *r)
{
	if (r)
		atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
	return r;
}

PTRULES_API void ptrules_release(ptrules_rules *r)
{
	if (r && atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) == 1) {
		pt_ruleset_free(r->rs);
		free(r);
	}
}

PTRULES_API size_t ptrules_program_count(const ptrules_rules *r) { return r ? r->rs->nprogs : 0; }

PTRULES_API const char *ptrules_program_id(const ptrules_rules *r, size_t i)
{
	return r && i < r->rs->nprogs ? r->rs->progs[i].id : NULL;
}

PTRULES_API const char *ptrules_program_name(const ptrules_rules *r, size_t i)
{
	return r && i < r->rs->nprogs ? r->rs->progs[i].name : NULL;
}

/* Whether program i has machine code (jit.h): the rule set's fast code was
 * compiled and the program passed pt_jit_build's checks. */
PTRULES_API int ptrules_program_native(const ptrules_rules *r, size_t i)
{
	const pt_fast *f = r && i < r->rs->nprogs ? r->rs->fast : NULL;
	return f && f->jit && f->jit->native[i];
}

PTRULES_API size_t ptrules_policy_count(const ptrules_rules *r) { return r ? r->rs->npolicies : 0; }

PTRULES_API const char *ptrules_policy_id(const ptrules_rules *r, size_t i)
{
	return r && i < r->rs->npolicies ? r->rs->policies[i].id : NULL;
}

PTRULES_API const char *ptrules_policy_name(const ptrules_rules *r, size_t i)
{
	return r && i < r->rs->npolicies ? r->rs->policies[i].name : NULL;
}

/* Every instruction runs at most once (jumps only go forward). */
PTRULES_API size_t ptrules_program_cost(const ptrules_rules *r, size_t i)
{
	if (!r || i >= r->rs->nprogs)
		return 0;
	const pt_program *pg = &r->rs->progs[i];
	return (size_t)(pg->redeem_end - pg->redeem_pc) + (pg->earn_end - pg->earn_pc);
}

PTRULES_API size_t ptrules_cost_bound(const ptrules_rules *r)
{
	size_t n = 0;
	for (size_t i = 0; r && i < r->rs->nprogs; i++)
		n += ptrules_program_cost(r, i);
	for (size_t i = 0; r && i < r->rs->npolicies; i++)   /* each policy's one section */
		n += r->rs->policies[i].redeem_end - r->rs->policies[i].redeem_pc;
	return n;
}

PTRULES_API void ptrules_disasm(const ptrules_rules *r, FILE *out)
{
	if (r && out)
		pt_disasm(out, r->rs);
}

/* ---- carts ------------------------------------------------------------ */

PTRULES_API ptrules_reader *ptrules_reader_new(const char *text, size_t len, const char *name)
{
	ptrules_reader *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->name = strdup(name ? name : "<cart>");
	if (!r->name) {
		free(r);
		return NULL;
	}
	r->src = (pt_src){ r->name, text ? text : "", text ? len : 0, 0 };
	pt_cart_reader_init(&r->r, &r->src);
	r->cart.src = &r->r.src;   /* the window of the current cart */
	return r;
}

/* A reader over one part of a file (ptrules.h): the whole file's line
 * and cart counts start where the part does. */
PTRULES_API ptrules_reader *ptrules_reader_new_part(const char *text, size_t len, const char *name, int first_line,
						    int carts_before)
{
	if (first_line < 1 || carts_before < 0)
		return NULL;
	ptrules_reader *r = ptrules_reader_new(text, len, name);
	if (!r)
		return NULL;
	r->r.line = first_line;
	r->r.cart_index = carts_before;
	r->index = carts_before;
	return r;
}

/* The reader's own rule for a line that starts a cart (ptrules.h). */
PTRULES_API int ptrules_is_cart_line(const char *line, size_t len)
{
	return line && pt_cart_is_cart_line(line, len);
}

/* A streaming reader over fn; NULL when out of memory. */
PTRULES_API ptrules_reader *ptrules_reader_new_stream(ptrules_read_fn read, void *ctx, size_t chunk,
						      const char *name)
{
	if (!read)
		return NULL;
	ptrules_reader *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->name = strdup(name ? name : "<cart>");
	size_t most = (size_t)16 << 20;   /* the buffer starts at twice the chunk */
	if (!r->name || !pt_cart_reader_init_stream(&r->r, r->name, read, ctx, chunk > most ? most : chunk)) {
		pt_cart_reader_free(&r->r);
		free(r->name);
		free(r);
		return NULL;
	}
	r->cart.src = &r->r.src;
	return r;
}

/* fread as a ptrules_read_fn: -1 (errno set by the C library) on error. */
static long read_file(void *ctx, char *buf, size_t cap)
{
	FILE *f = ctx;
	size_t n = fread(buf, 1, cap, f);
	if (n == 0 && ferror(f))
		return -1;
	return (long)n;
}

PTRULES_API ptrules_reader *ptrules_reader_new_file(FILE *f, const char *name)
{
	return f ? ptrules_reader_new_stream(read_file, f, 0, name) : NULL;
}

PTRULES_API int ptrules_reader_error(const ptrules_reader *r) { return r ? r->r.error : 0; }

PTRULES_API void ptrules_reader_free(ptrules_reader *r)
{
	if (!r)
		return;
	pt_cart_reader_free(&r->r);
	free(r->name);
	free(r);
}

PTRULES_API int ptrules_reader_next(ptrules_reader *r, const ptrules_cart **cart, ptrules_diags *d)
{
	if (!r || !cart)
		return 0;
	pt_diags scratch;
	pt_diags *dd = diags_of(d, &scratch);
	bool got = pt_cart_next(&r->r, &r->cart.c, dd);
	if (!d)
		pt_diags_free(&scratch);
	if (!got)
		return 0;
	r->index++;
	*cart = &r->cart;
	return 1;
}

PTRULES_API int ptrules_reader_index(const ptrules_reader *r) { return r ? r->index : 0; }
PTRULES_API int ptrules_reader_has_cart_lines(const ptrules_reader *r) { return r && r->r.seen_cart_line; }

PTRULES_API ptrules_cart *ptrules_cart_new(void)
{
	ptrules_cart *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	pt_arena_init(&c->arena, 512);   /* a typical cart fits; carts held by the thousand stay compact */
	c->src = &built_src;
	return c;
}

/* Drop a cart's preparation: it changed, or it is going away. */
static void cart_unprepare(ptrules_cart *c)
{
	if (!c->prep_rules)
		return;
	ptrules_release(c->prep_rules);   /* prep_mem stays for the next preparation */
	c->prep = NULL;
	c->prep_rules = NULL;
}

PTRULES_API void ptrules_cart_free(ptrules_cart *c)
{
	if (!c)
		return;
	cart_unprepare(c);
	free(c->prep_mem);
	pt_arena_free(&c->arena);
	free(c);
}

PTRULES_API void ptrules_cart_clear(ptrules_cart *c)
{
	if (!c)
		return;
	cart_unprepare(c);
	pt_arena_reset(&c->arena);
	memset(&c->c, 0, sizeof c->c);
	c->cap_items = c->cap_accounts = c->cap_uses = 0;
}

/* Copy a string into the cart's arena (NULL stays NULL). */
static const char *cart_str(ptrules_cart *c, const char *s)
{
	return s ? pt_arena_strndup(&c->arena, s, strlen(s)) : NULL;
}

/* Grow an arena array to hold one more element. */
static void *cart_grow(ptrules_cart *c, void *v, size_t n, size_t *cap, size_t elem)
{
	if (n < *cap)
		return v;
	size_t nc = *cap ? *cap * 2 : 8;
	void *p = pt_arena_alloc(&c->arena, nc * elem);
	if (!p)
		return NULL;
	if (n)
		memcpy(p, v, n * elem);
	*cap = nc;
	return p;
}

PTRULES_API ptrules_status ptrules_cart_set_order(ptrules_cart *c, const char *id, const char *date)
{
	if (!c || c->src != &built_src)
		return PTRULES_EARG;
	cart_unprepare(c);
	int32_t day = 0;
	if (date && !pt_date_parse(date, strlen(date), &day))
		return PTRULES_EINVALID;
	c->c.order_id = cart_str(c, id);
	c->c.id = c->c.order_id;
	c->c.has_date = date != NULL;
	c->c.date = day;
	return id && !c->c.order_id ? PTRULES_ENOMEM : PTRULES_OK;
}

PTRULES_API ptrules_status ptrules_cart_add_item(ptrules_cart *c, int64_t price_yen, int64_t qty,
						 const char *category, const char *name)
{
	if (!c || c->src != &built_src)
		return PTRULES_EARG;
	cart_unprepare(c);
	if (price_yen < 0 || qty < 1 || qty > PT_CART_MAX_QTY || c->c.n_items >= PT_CART_MAX_ITEMS)
		return PTRULES_EINVALID;
	pt_item *v = cart_grow(c, c->c.items, c->c.n_items, &c->cap_items, sizeof *v);
	const char *cat = cart_str(c, category ? category : "general"), *nm = cart_str(c, name);
	if (!v || !cat || (name && !nm))   /* nothing the caller gave is dropped without saying so */
		return PTRULES_ENOMEM;
	c->c.items = v;
	v[c->c.n_items++] = (pt_item){ price_yen, qty, cat, nm, 0 };
	return PTRULES_OK;
}

PTRULES_API ptrules_status ptrules_cart_set_payment(ptrules_cart *c, const char *card, const char *method)
{
	if (!c || c->src != &built_src)
		return PTRULES_EARG;
	cart_unprepare(c);
	const char *cs = cart_str(c, card), *ms = cart_str(c, method);
	if ((card && !cs) || (method && !ms))   /* the payment as it was: no card dropped without saying so */
		return PTRULES_ENOMEM;
	c->c.card = cs;
	c->c.method = ms;
	return PTRULES_OK;
}

PTRULES_API ptrules_status ptrules_cart_add_account(ptrules_cart *c, const char *program, int64_t balance)
{
	if (!c || !program || c->src != &built_src)
		return PTRULES_EARG;
	cart_unprepare(c);
	if (balance < 0 || pt_cart_account(&c->c, program))
		return PTRULES_EINVALID;
	pt_account *v = cart_grow(c, c->c.accounts, c->c.n_accounts, &c->cap_accounts, sizeof *v);
	const char *p = cart_str(c, program);
	if (!v || !p)
		return PTRULES_ENOMEM;
	c->c.accounts = v;
	v[c->c.n_accounts++] = (pt_account){ .program = p, .balance = balance, .has_balance = true };
	return PTRULES_OK;
}

/* Append key=value to the account line of program. */
static ptrules_status set_key(ptrules_cart *c, const char *program, const char *key, pt_ckv kv)
{
	if (!c || !program || !key || c->src != &built_src)
		return PTRULES_EARG;
	cart_unprepare(c);
	pt_account *a = (pt_account *)pt_cart_account(&c->c, program);
	if (!a)
		return PTRULES_EARG;
	for (size_t i = 0; i < a->n_keys; i++)
		if (strcmp(a->keys[i].key, key) == 0) {
			kv.key = a->keys[i].key;
			a->keys[i] = kv;
			return PTRULES_OK;
		}
	pt_ckv *v = pt_arena_alloc(&c->arena, (a->n_keys + 1) * sizeof *v);
	kv.key = cart_str(c, key);
	if (!v || !kv.key)
		return PTRULES_ENOMEM;
	if (a->n_keys)
		memcpy(v, a->keys, a->n_keys * sizeof *v);
	v[a->n_keys++] = kv;
	a->keys = v;
	return PTRULES_OK;
}

PTRULES_API ptrules_status ptrules_cart_set_int(ptrules_cart *c, const char *program, const char *key,
						int64_t value)
{
	if (value < 0)   /* a text cart cannot say this either */
		return c && program && key ? PTRULES_EINVALID : PTRULES_EARG;
	return set_key(c, program, key, (pt_ckv){ .kind = PT_CV_INT, .i = value });
}

PTRULES_API ptrules_status ptrules_cart_set_bool(ptrules_cart *c, const char *program, const char *key,
						 int value)
{
	return set_key(c, program, key, (pt_ckv){ .kind = PT_CV_BOOL, .i = value != 0 });
}

PTRULES_API ptrules_status ptrules_cart_set_word(ptrules_cart *c, const char *program, const char *key,
						 const char *word)
{
	if (!c || !word)
		return PTRULES_EARG;
	const char *w = cart_str(c, word);
	if (!w)
		return PTRULES_ENOMEM;
	return set_key(c, program, key, (pt_ckv){ .kind = PT_CV_WORD, .s = w });
}

/* Resolve the cart's names against r once (categories, programs, keys,
 * card and method words, the date's parts), so that evaluating it with an
 * evaluator of r does no string work.  The cart keeps a reference to r;
 * any change to the cart, or preparing it for other rules, drops the
 * preparation.  A cart that needs a diagnostic is left unprepared (its
 * evaluation reports as usual) and so is one without an order date (its
 * date is today's, read at evaluation). */
PTRULES_API ptrules_status ptrules_cart_prepare(ptrules_cart *c, ptrules_rules *r)
{
	if (!c || c->src != &built_src)
		return PTRULES_EARG;
	if (r && c->prep_rules == r && pt_bind_prep_date(c->prep) == c->c.date)
		return PTRULES_OK;   /* unchanged since: still prepared (and r may live only through c) */
	cart_unprepare(c);
	if (!r)
		return PTRULES_OK;
	if (c->c.n_errors || !c->c.has_date)
		return PTRULES_OK;
	/* Made in scratch memory, then kept in exactly its size, inside the
	 * cart when it fits: the less a prepared cart takes, and the closer to
	 * the cart, the less evaluating many of them waits on memory.  The
	 * dense form binds faster; the compact one is made too when only it
	 * fits inside (bind.c, "prepared carts"). */
	const pt_ruleset *rs = r->rs;
	void *tmp = malloc(pt_bind_prep_size(rs, &c->c));
	pt_rat *scratch = malloc((rs->ninputs + 1) * sizeof *scratch);
	ptrules_status st = tmp && scratch ? PTRULES_OK : PTRULES_ENOMEM;
	bool made = st == PTRULES_OK && pt_bind_prepare(rs, &c->c, c->c.date, tmp, scratch, true, false, NULL);
	if (made && pt_bind_prep_used(tmp) > PREP_INLINE) {
		pt_prep *compact = malloc(pt_bind_prep_size(rs, &c->c));
		if (compact && pt_bind_prepare(rs, &c->c, c->c.date, compact, scratch, false, false, NULL) &&
		    pt_bind_prep_used(compact) <= PREP_INLINE) {
			free(tmp);
			tmp = compact;
		} else {
			free(compact);
		}
	}
	if (made) {
		size_t size = pt_bind_prep_used(tmp);
		if (size <= PREP_INLINE) {
			memcpy(c->prep_inline, tmp, size);
			c->prep = (pt_prep *)c->prep_inline;
			c->prep_rules = ptrules_retain(r);
		} else if (size > c->prep_cap) {
			free(c->prep_mem);
			c->prep_cap = 0;
			if (!(c->prep_mem = malloc(size)))
				st = PTRULES_ENOMEM;
			else
				c->prep_cap = size;
		}
		if (st == PTRULES_OK && !c->prep_rules) {
			memcpy(c->prep_mem, tmp, size);
			c->prep = c->prep_mem;
			c->prep_rules = ptrules_retain(r);
		}
	}
	free(tmp);
	free(scratch);
	return st;
}

/* Start loading what ptrules_evaluate reads first: the cart's leading
 * fields and the preparation kept inside it. */
PTRULES_API void ptrules_cart_prefetch(const ptrules_cart *c)
{
	if (!c)
		return;
	/* The fields and the inline preparation: 384 bytes from c, on at most
	 * seven cache lines (calloc aligns to 16, not 64; aligning carts to
	 * 64 spread them out and made every evaluation slower). */
	const char *p = (const char *)c;
	_Static_assert(offsetof(struct ptrules_cart, prep_inline) + PREP_INLINE <= 384,
		       "the lines below cover the fields and the inline preparation");
	__builtin_prefetch(p);
	__builtin_prefetch(p + 64);
	__builtin_prefetch(p + 128);
	__builtin_prefetch(p + 192);
	__builtin_prefetch(p + 256);
	__builtin_prefetch(p + 320);
	__builtin_prefetch(p + 383);
}

PTRULES_API int ptrules_cart_prepared(const ptrules_cart *c, const ptrules_rules *r)
{
	return c && r && c->prep_rules == r;
}

PTRULES_API size_t ptrules_cart_errors(const ptrules_cart *c) { return c ? c->c.n_errors : 0; }
PTRULES_API const char *ptrules_cart_id(const ptrules_cart *c) { return c ? c->c.id : NULL; }

/* ---- evaluation -------------------------------------------------------- */

PTRULES_API ptrules_eval *ptrules_eval_new(ptrules_rules *r, int flags)
{
	bool explain = flags & PTRULES_EVAL_EXPLAIN, coverage = flags & PTRULES_EVAL_COVERAGE;
	if (!r)
		return NULL;
	ptrules_eval *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	const pt_ruleset *rs = r->rs;
	size_t nin = rs->fast ? rs->fast->nregs : rs->ninputs;
	e->inputs = calloc(nin + 1, sizeof *e->inputs);
	for (size_t i = 0; e->inputs && i <= nin; i++)
		e->inputs[i] = pt_rat_int(0);   /* never 0/0, whatever binding leaves */
	if (e->inputs && rs->fast)
		pt_fast_init_regs(rs, e->inputs);
	e->locals = calloc(rs->max_locals + 1, sizeof *e->locals);
	e->in = calloc(PT_PREP_DENSE_MAX + 4, sizeof *e->in);   /* pt_bind_prepared, pt_fast_copy_in */
	e->res = calloc(rs->nprogs + rs->npolicies + 1, sizeof *e->res);
	e->use.progs = calloc(rs->nprogs + 1, sizeof *e->use.progs);
	if (explain)
		e->ev = calloc(rs->nrules + 1, sizeof *e->ev);
	if (coverage)
		e->hits = calloc(rs->ncode + 1, 1);
	e->trace = (pt_trace){ e->ev, 0, explain ? rs->nrules + 1 : 0, 0, e->hits };
	if (!e->inputs || !e->locals || !e->in || !e->res || !e->use.progs || (explain && !e->ev) ||
	    (coverage && !e->hits)) {
		free(e->in);
		free(e->use.progs);
		free(e->hits);
		free(e->inputs);
		free(e->locals);
		free(e->res);
		free(e->ev);
		free(e);
		return NULL;
	}
	e->rules = ptrules_retain(r);
	e->nprogs = rs->nprogs;
	e->view.use = &e->use;   /* pt_api_run fills the rest of the view per cart */
	/* what pt_api_run runs is fixed here: the fast code unless tracing */
	e->jit = !explain && !coverage && rs->fast ? rs->fast->jit : NULL;
	e->nwhole = e->jit && e->jit->amounts_whole ? rs->nprogs : 0;
	return e;
}

PTRULES_API void ptrules_eval_free(ptrules_eval *e)
{
	if (!e)
		return;
	ptrules_release(e->rules);
	free(e->use.progs);
	free(e->hits);
	free(e->inputs);
	free(e->locals);
	free(e->in);
	free(e->res);
	free(e->ev);
	free(e);
}

PTRULES_API ptrules_rules *ptrules_eval_rules(const ptrules_eval *e) { return e ? e->rules : NULL; }

/* Bind, run every program, keep what the printers need. */
PTRULES_API ptrules_status ptrules_evaluate(ptrules_eval *e, const ptrules_cart *c, ptrules_diags *d)
{
	if (!e || !c)
		return PTRULES_EARG;
	pt_api_forget(e);
	__builtin_prefetch(c->prep_inline);   /* a prepared cart's values, while the cart's first line loads */
	__builtin_prefetch(c->prep_inline + 64);
	__builtin_prefetch(c->prep_inline + 128);
	__builtin_prefetch(c->prep_inline + 192);
	__builtin_prefetch(c->prep_inline + PREP_INLINE - 1);   /* carts are 16-aligned: a fifth line at most */
	if (c->c.n_errors)
		return PTRULES_EINVALID;
	const pt_ruleset *rs = e->rules->rs;
	int32_t date = c->c.has_date ? c->c.date : pt_date_today_jst();
	const int64_t *dense = NULL;
	bool bound = c->prep_rules == e->rules && pt_bind_prep_date(c->prep) == date &&
		     pt_bind_prepared(rs, c->prep, e->inputs, e->in, &dense);
	if (!bound && !pt_bind_fast(rs, &c->c, date, e->inputs)) {   /* the cart needs a diagnostic: report it */
		pt_diags scratch;
		pt_diags *dd = diags_of(d, &scratch);
		bound = pt_bind_reference(rs, &c->c, date, e->inputs, c->src, dd);
		if (!d)
			pt_diags_free(&scratch);
		if (!bound)
			return PTRULES_EINVALID;
	}
	int64_t total = 0;
	if (rs->total_slot >= 0)   /* binding summed the items already */
		total = e->inputs[rs->total_slot].n;
	else
		pt_cart_total(&c->c, &total);   /* bind reported an overflow already */
	return pt_api_run(e, dense, &c->c, NULL, c->c.order_id, date, c->c.has_date, total, c->c.n_items);
}

PTRULES_API size_t ptrules_result_count(const ptrules_eval *e)
{
	return e && e->have ? e->rules->rs->nprogs : 0;
}

/* An output rounded down to a whole number (usually it is one). */
static inline int64_t whole(pt_rat v)
{
	return v.d == 1 ? v.n : pt_rat_floor(v).n;
}

/* Copy a section's reasons as strings; unused entries are NULL. */
static inline int copy_reasons(const pt_ruleset *rs, const pt_section_result *s, const char **out)
{
	int n = s->nreasons < PTRULES_MAX_REASONS ? s->nreasons : PTRULES_MAX_REASONS;
	out[0] = out[1] = out[2] = out[3] = NULL;
	_Static_assert(PTRULES_MAX_REASONS == 4, "copy_reasons clears four entries");
	for (int i = 0; i < n; i++)
		out[i] = rs->strs[s->reasons[i].str];
	return n;
}

/* Where a section's reasons were noted: file and line of each rule. */
static inline void reason_lines(const pt_ruleset *rs, const pt_section_result *s, const char **files, int *lines)
{
	memset(files, 0, PTRULES_MAX_REASONS * sizeof *files);
	memset(lines, 0, PTRULES_MAX_REASONS * sizeof *lines);
	for (int i = 0; i < s->nreasons && i < PTRULES_MAX_REASONS; i++) {
		const pt_line_def *at = &rs->lines[s->reasons[i].pc < rs->ncode ? s->reasons[i].pc : 0];
		files[i] = rs->files[at->file];
		lines[i] = (int)at->line;
	}
}

/* Fill the amounts of result r, whose intended use is u (NULL: the cart
 * has no `use` records, nothing intended), from its sections and
 * outputs: any result. */
static inline __attribute__((always_inline)) void fill_amounts(const pt_prog_result *r, const pt_use_prog *u,
								ptrules_amounts *out)
{
	*out = (ptrules_amounts){
		.linked = r->linked,
		/* & and |, not && and ||: the flags vary from cart to cart, and
		 * a branch on each would be mispredicted half the time */
		.redeem_usable = !r->redeem.failed & (r->redeem.status == PT_VM_OK),
		.use_valid = u ? u->valid : 1,
		.runtime_error = (r->redeem.status | r->earn.status) != PT_VM_OK,
		.redeem_max_points = whole(r->out[PT_OUT_R_MAX_POINTS]),
		.redeem_value_yen = whole(r->out[PT_OUT_R_VALUE_YEN]),
		.earn_points = whole(r->out[PT_OUT_E_POINTS]),
		.earn_basis_yen = whole(r->out[PT_OUT_E_BASIS]),
		.point_value_num = r->out[PT_OUT_R_POINT_VALUE].n,
		.point_value_den = r->out[PT_OUT_R_POINT_VALUE].d,
		.use_points = u ? u->points : 0,
		.use_value_yen = u ? u->value_yen : 0,
	};
}

/* fill_amounts in general, kept out of line so the common case saves no
 * registers. */
static __attribute__((noinline)) void fill_amounts_general(const ptrules_eval *e, size_t i, ptrules_amounts *out)
{
	fill_amounts(&e->res[i], e->use.any ? &e->use.progs[i] : NULL, out);
}

/* Whether result r's amounts are whole numbers (denominators are at
 * least 1, so their OR is 1 only then): fill_amounts' simple case. */
static inline bool amounts_whole(const pt_prog_result *r)
{
	const pt_rat *o = r->out;
	return (o[PT_OUT_R_MAX_POINTS].d | o[PT_OUT_R_VALUE_YEN].d | o[PT_OUT_E_POINTS].d | o[PT_OUT_E_BASIS].d) == 1;
}

/* Program i's amounts (i checked by the caller): the simple case inline
 * when every output is whole, known for the rules and cart (nsimple) or
 * seen, and the cart has no `use` records. */
static inline __attribute__((always_inline)) void amounts_of(const ptrules_eval *e, size_t i, ptrules_amounts *out)
{
	if (e->nsimple || (amounts_whole(&e->res[i]) && !e->use.any))
		pt_api_fill_simple(&e->res[i], out);
	else
		fill_amounts_general(e, i, out);
}

/* Program i's numbers: the part of ptrules_result_get a checkout path
 * reads per cart. */
PTRULES_API ptrules_status ptrules_amounts_get(const ptrules_eval *e, size_t i, ptrules_amounts *out)
{
	if (e && out && i < e->nsimple) {   /* the common case, tested at once */
		pt_api_fill_simple(&e->res[i], out);
		return PTRULES_OK;
	}
	if (!e || !out || !e->have || i >= e->nprogs)
		return PTRULES_EARG;
	amounts_of(e, i, out);
	return PTRULES_OK;
}

/* ptrules_amounts_list where some program's amounts may not be simple
 * (nsimple is 0): out of line, so the common case saves no registers;
 * ptrules_evaluate_range's too (batch.c). */
__attribute__((noinline)) size_t pt_api_amounts_general(const ptrules_eval *e, ptrules_amounts *out, size_t np)
{
	const pt_prog_result *res = e->res;
	if (e->use.any) {
		for (size_t i = 0; i < np; i++)
			fill_amounts_general(e, i, &out[i]);
		return e->nprogs;
	}
	for (size_t i = 0; i < np; i++) {
		if (amounts_whole(&res[i]))
			pt_api_fill_simple(&res[i], &out[i]);
		else
			fill_amounts_general(e, i, &out[i]);
	}
	return e->nprogs;
}

/* Every program's amounts in one call: the per-call checks once, and
 * whether the cart has `use` records looked at once, not per program. */
PTRULES_API size_t ptrules_amounts_list(const ptrules_eval *e, ptrules_amounts *out, size_t n)
{
	if (!e || !e->have)
		return 0;
	size_t np = !out ? 0 : e->nprogs < n ? e->nprogs : n;
	if (!e->nsimple)
		return pt_api_amounts_general(e, out, np);
	const pt_prog_result *res = e->res;   /* known whole for every program: no test per program */
	for (size_t i = 0; i < np; i++)
		pt_api_fill_simple(&res[i], &out[i]);
	return e->nprogs;
}

/* Every field is written: the amounts, then the strings and lines. */
PTRULES_API ptrules_status ptrules_result_get(const ptrules_eval *e, size_t i, ptrules_result *out)
{
	ptrules_amounts a;
	if (!out || ptrules_amounts_get(e, i, &a) != PTRULES_OK)
		return PTRULES_EARG;
	const pt_ruleset *rs = e->rules->rs;
	const pt_program *pg = &rs->progs[i];
	const pt_prog_result *r = &e->res[i];
	pt_section_result rbuf, ebuf;   /* the sections' reasons, in order */
	const pt_section_result *red = pt_fast_sec_view(rs, i, false, &r->redeem, &rbuf);
	const pt_section_result *ern = pt_fast_sec_view(rs, i, true, &r->earn, &ebuf);
	out->id = pg->id;
	out->name = pg->name;
	out->linked = a.linked;
	out->tier = r->tier >= 0 ? rs->strs[r->tier] : NULL;
	out->redeem_usable = a.redeem_usable;
	out->redeem_max_points = a.redeem_max_points;
	out->redeem_value_yen = a.redeem_value_yen;
	out->redeem_nreasons = copy_reasons(rs, red, out->redeem_reasons);
	out->earn_points = a.earn_points;
	out->earn_basis_yen = a.earn_basis_yen;
	out->earn_granted = pg->earns ? pg->granted : NULL;
	out->earn_nreasons = copy_reasons(rs, ern, out->earn_reasons);
	reason_lines(rs, red, out->redeem_reason_files, out->redeem_reason_lines);
	reason_lines(rs, ern, out->earn_reason_files, out->earn_reason_lines);
	out->point_value_num = a.point_value_num;
	out->point_value_den = a.point_value_den;
	out->use_points = a.use_points;
	out->use_value_yen = a.use_value_yen;
	out->use_valid = a.use_valid;
	out->runtime_error = a.runtime_error;
	out->error_file = NULL;
	out->error_line = 0;
	const pt_section_result *bad = r->redeem.status ? &r->redeem : r->earn.status ? &r->earn : NULL;
	if (bad && bad->status_pc < rs->ncode) {
		out->error_file = rs->files[rs->lines[bad->status_pc].file];
		out->error_line = (int)rs->lines[bad->status_pc].line;
	}
	return PTRULES_OK;
}

PTRULES_API size_t ptrules_coverage_count(const ptrules_eval *e)
{
	return e && e->hits ? e->rules->rs->ncovers : 0;
}

PTRULES_API ptrules_status ptrules_coverage_get(const ptrules_eval *e, size_t i, ptrules_cover *out)
{
	if (!e || !out || !e->hits || i >= e->rules->rs->ncovers)
		return PTRULES_EARG;
	const pt_ruleset *rs = e->rules->rs;
	const pt_cover_def *c = &rs->covers[i];
	out->program = (size_t)c->prog < rs->nprogs ? rs->progs[c->prog].id : rs->policies[(size_t)c->prog - rs->nprogs].id;
	out->file = rs->files[c->file];
	out->line = c->line;
	out->what = c->what;
	out->hit = (e->hits[c->pc] & c->mask) != 0;
	return PTRULES_OK;
}

/* Run one printer into a caller buffer. */
static size_t format(const ptrules_eval *e, const ptrules_cart *c, const char *label, char *buf,
		     size_t cap, bool json)
{
	if (!e || !e->have) {
		if (buf && cap)
			buf[0] = '\0';
		return 0;
	}
	pt_cart_view v = e->view;
	v.label = label ? label : c && c->c.id ? c->c.id : v.label ? v.label : "cart";
	pt_sink s = pt_sink_buf(buf, cap);
	const pt_trace *t = e->ev ? &e->trace : NULL;
	if (json)
		pt_out_json(&s, e->rules->rs, &v, e->res, t);
	else
		pt_out_text(&s, e->rules->rs, &v, e->res, t);
	return pt_sink_finish(&s);
}

PTRULES_API size_t ptrules_format_json(const ptrules_eval *e, const ptrules_cart *c, const char *label,
				       char *buf, size_t cap)
{
	return format(e, c, label, buf, cap, true);
}

PTRULES_API size_t ptrules_format_text(const ptrules_eval *e, const ptrules_cart *c, const char *label,
				       char *buf, size_t cap)
{
	return format(e, c, label, buf, cap, false);
}

/* ---- intended use ------------------------------------------------------ */

/* Replace or add the built cart's use record for program (points), or
 * the gift card (yen); 0 removes it. */
static ptrules_status set_use(ptrules_cart *c, const char *program, int64_t amount)
{
	if (!c || !program || c->src != &built_src)
		return PTRULES_EARG;
	if (amount < 0)
		return PTRULES_EINVALID;
	cart_unprepare(c);
	bool gift = strcmp(program, "giftcard") == 0;
	for (size_t i = 0; i < c->c.n_uses; i++)
		if (strcmp(c->c.uses[i].program, program) == 0) {
			if (amount == 0) {
				memmove(&c->c.uses[i], &c->c.uses[i + 1], (c->c.n_uses - i - 1) * sizeof c->c.uses[i]);
				c->c.n_uses--;
			} else if (gift) {
				c->c.uses[i].yen = amount;
			} else {
				c->c.uses[i].points = amount;
			}
			return PTRULES_OK;
		}
	if (amount == 0)
		return PTRULES_OK;
	pt_use *v = cart_grow(c, c->c.uses, c->c.n_uses, &c->cap_uses, sizeof *v);
	const char *p = cart_str(c, program);
	if (!v || !p)
		return PTRULES_ENOMEM;
	c->c.uses = v;
	v[c->c.n_uses++] = (pt_use){ .program = p, .points = gift ? 0 : amount, .yen = gift ? amount : 0 };
	return PTRULES_OK;
}

PTRULES_API ptrules_status ptrules_cart_set_use(ptrules_cart *c, const char *program, int64_t points)
{
	if (program && strcmp(program, "giftcard") == 0)
		return PTRULES_EARG;   /* gift cards are spent in yen: ptrules_cart_set_giftcard */
	return set_use(c, program, points);
}

PTRULES_API ptrules_status ptrules_cart_set_giftcard(ptrules_cart *c, int64_t yen)
{
	return set_use(c, "giftcard", yen);
}

/* Copy an array of n elements into dst's arena; NULL on failure. */
static void *cart_dup(ptrules_cart *dst, const void *v, size_t n, size_t elem, size_t *cap)
{
	*cap = n;
	if (!n)
		return NULL;
	void *p = pt_arena_alloc(&dst->arena, n * elem);
	if (p)
		memcpy(p, v, n * elem);
	return p;
}

PTRULES_API ptrules_status ptrules_cart_copy(ptrules_cart *dst, const ptrules_cart *src)
{
	if (!dst || !src || dst == src || dst->src != &built_src)
		return PTRULES_EARG;
	if (src->c.n_errors)
		return PTRULES_EINVALID;
	ptrules_cart_clear(dst);
	const pt_cart *s = &src->c;
	pt_cart *d = &dst->c;
	*d = *s;
	d->id = cart_str(dst, s->id);
	d->order_id = s->order_id == s->id ? d->id : cart_str(dst, s->order_id);
	d->card = cart_str(dst, s->card);
	d->method = cart_str(dst, s->method);
	d->items = cart_dup(dst, s->items, s->n_items, sizeof *s->items, &dst->cap_items);
	d->accounts = cart_dup(dst, s->accounts, s->n_accounts, sizeof *s->accounts, &dst->cap_accounts);
	d->uses = cart_dup(dst, s->uses, s->n_uses, sizeof *s->uses, &dst->cap_uses);
	bool ok = (!s->id || d->id) && (!s->order_id || d->order_id) && (!s->card || d->card) &&
		  (!s->method || d->method) && (!s->n_items || d->items) && (!s->n_accounts || d->accounts) &&
		  (!s->n_uses || d->uses);
	for (size_t i = 0; ok && i < s->n_items; i++) {
		d->items[i].category = cart_str(dst, s->items[i].category);
		d->items[i].name = cart_str(dst, s->items[i].name);
		ok = d->items[i].category && (!s->items[i].name || d->items[i].name);
	}
	for (size_t i = 0; ok && i < s->n_accounts; i++) {
		pt_account *a = &d->accounts[i];
		size_t cap;
		a->program = cart_str(dst, s->accounts[i].program);
		a->keys = cart_dup(dst, s->accounts[i].keys, a->n_keys, sizeof *a->keys, &cap);
		ok = a->program && (!a->n_keys || a->keys);
		for (size_t k = 0; ok && k < a->n_keys; k++) {
			a->keys[k].key = cart_str(dst, a->keys[k].key);
			a->keys[k].s = cart_str(dst, a->keys[k].s);
			ok = a->keys[k].key && (!s->accounts[i].keys[k].s || a->keys[k].s);
		}
	}
	for (size_t i = 0; ok && i < s->n_uses; i++) {
		d->uses[i].program = cart_str(dst, s->uses[i].program);
		ok = d->uses[i].program != NULL;
	}
	if (!ok) {
		ptrules_cart_clear(dst);
		return PTRULES_ENOMEM;
	}
	return PTRULES_OK;
}

PTRULES_API ptrules_status ptrules_order_get(const ptrules_eval *e, ptrules_order *out)
{
	if (!e || !out || !e->have)
		return PTRULES_EARG;
	const pt_use_report *u = &e->use;
	if (!u->any)   /* nothing intended: only `any` was set (use.h) */
		*out = (ptrules_order){ false, true, e->view.total_yen, 0, 0, e->view.total_yen, 0 };
	else
		*out = (ptrules_order){ true, u->valid, u->total_yen, u->giftcard_yen, u->points_yen, u->pay_yen,
					(size_t)u->nproblems };
	return PTRULES_OK;
}

PTRULES_API ptrules_status ptrules_problem_get(const ptrules_eval *e, size_t i, ptrules_problem *out)
{
	if (!e || !out || !e->have || !e->use.any || i >= (size_t)e->use.nproblems)
		return PTRULES_EARG;
	const pt_ruleset *rs = e->rules->rs;
	const pt_use_problem *p = &e->use.problems[i];
	*out = (ptrules_problem){ p->prog >= 0 ? rs->progs[p->prog].id : NULL, p->text, p->cart_line,
				  p->rule_file >= 0 && (size_t)p->rule_file < rs->nfiles ? rs->files[p->rule_file] : NULL,
				  p->rule_line };
	return PTRULES_OK;
}

/* ---- explain trace, payment ------------------------------------------- */

/* Rules in the explain trace: all of them, when the context records one. */
PTRULES_API size_t ptrules_explain_count(const ptrules_eval *e)
{
	return e && e->have && e->ev ? e->rules->rs->nrules : 0;
}

/* Rule i and the value the last evaluation saw there (the planner reads
 * it to name the rule behind a change in earnings). */
PTRULES_API ptrules_status ptrules_explain_get(const ptrules_eval *e, size_t i, ptrules_explain *out)
{
	if (!out || i >= ptrules_explain_count(e))
		return PTRULES_EARG;
	const pt_ruleset *rs = e->rules->rs;
	const pt_rule_def *rd = &rs->rules[i];
	const pt_trace_event *ev = NULL;
	for (size_t k = 0; k < e->trace.n && !ev; k++)
		if (e->ev[k].rule == i)
			ev = &e->ev[k];
	*out = (ptrules_explain){ (size_t)rd->prog < rs->nprogs ? rs->progs[rd->prog].id
								: rs->policies[(size_t)rd->prog - rs->nprogs].id,
				  rs->files[rd->file], rd->line, rd->text, pt_unit_name(rd->unit), ev != NULL,
				  ev ? ev->value.n : 0, ev ? ev->value.d : 1 };
	return PTRULES_OK;
}

/* The source line of the tier row program i chose (see the header). */
PTRULES_API ptrules_status ptrules_tier_row_get(const ptrules_eval *e, size_t i, const char **file, int *line)
{
	if (!e || !e->have || !file || !line || i >= e->rules->rs->nprogs || e->res[i].tier < 0)
		return PTRULES_EARG;
	const pt_ruleset *rs = e->rules->rs;
	const pt_program *pg = &rs->progs[i];
	const uint32_t ranges[2][2] = { { pg->redeem_pc, pg->redeem_end }, { pg->earn_pc, pg->earn_end } };
	int n = 0;
	const pt_line_def *at = NULL;
	for (int k = 0; k < 2; k++)
		for (uint32_t pc = ranges[k][0]; pc < ranges[k][1] && pc < rs->ncode; pc++) {
			uint32_t ins = rs->code[pc];
			if (PT_INS_OP(ins) != PT_OP_TIER || PT_INS_ARG(ins) != (uint32_t)e->res[i].tier)
				continue;
			if (e->hits && !(e->hits[pc] & PT_HIT_RUN))
				continue;
			if (!at || at->file != rs->lines[pc].file || at->line != rs->lines[pc].line)
				n++;
			at = &rs->lines[pc];
		}
	if (n != 1)
		return PTRULES_EINVALID;
	*file = rs->files[at->file];
	*line = (int)at->line;
	return PTRULES_OK;
}

/* The cart's payment word: card, else method. */
PTRULES_API const char *ptrules_cart_payment(const ptrules_cart *c)
{
	return !c ? NULL : c->c.card ? c->c.card : c->c.method;
}
