/* cmd_pipe.c - `ptrules eval` on several processors: the cart file is
 * cut into parts at `cart` lines, worker threads each read, evaluate and
 * format a part at once, and the calling thread prints the parts in
 * order.
 *
 * The calling thread reads the file from start to end, a part of about
 * `block` bytes at a time, and cuts each part before a `cart` line (the
 * line the reader starts a cart at: cart_line), so that every part but
 * the first begins with one.  It counts the part's lines and `cart`
 * lines, so that the next part knows the line it starts on and how many
 * carts come before it (ptrules_reader_new_part): messages and labels
 * (file#N) are those of the whole file.  A worker reads the part with its
 * own evaluator and keeps each cart's diagnostics and output in the
 * part's text.  The calling thread takes the parts in order and writes
 * every byte, standard output and standard error alike, in the order the
 * single-threaded loop writes them (main.c), so the output is the same
 * byte for byte.
 *
 * A count of carts is a prediction: a first part with records before its
 * first `cart` line reads one cart more.  Each part records how many
 * carts its reader counted before it; when that is not how many the
 * parts before it read, the part is read again with the right count
 * before it is printed (and the parts after it are shifted), so the
 * output never depends on the prediction.  When reading the file fails,
 * the last part holds its complete lines and the cart they end in is not
 * printed, only its lines' diagnostics, as the whole file's reader drops
 * the cart it was reading (tests/readfail).  At most two parts per worker
 * are held: memory stays flat however long the input is. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptrules.h"

#include "cli.h"

enum { PARTS_PER_WORKER = 2 };

/* One entry of a part: a cart, or diagnostics after its last cart. */
typedef struct pipe_ent {
	bool cart;                /* false: only diagnostics that followed the last cart */
	ptrules_status st;        /* its evaluation (EINVALID: nothing printed) */
	size_t diag, diag_len;    /* offsets into the part's text: diagnostics to print before it */
	size_t out, out_len;      /* the formatted cart */
	size_t errors;            /* errors among the diagnostics */
} pipe_ent;

/* Where a part is: cut by the caller, read by a worker, printed. */
enum { PART_FREE, PART_READY, PART_BUSY, PART_DONE };

typedef struct pipe_part {
	int state;
	/* The part, as cut. */
	char *in;
	size_t in_len, in_cap;
	int first_line;           /* the file's line its first byte is on */
	int predicted;            /* carts of the file before it, counting `cart` lines */
	int carts_before;         /* predicted, corrected by what parts before it read */
	bool last;                /* nothing follows it */
	bool drop_last;           /* the file failed in its last cart: not printed, as the whole
				   * file's reader drops it (but its lines' diagnostics are) */
	/* What a worker made of it. */
	int based;                /* the carts_before it was read with */
	int carts_read;           /* carts its reader returned */
	bool oom;                 /* the worker ran out of memory part way */
	pipe_ent *ents;
	size_t n, ents_cap;
	char *text;               /* diagnostics and outputs */
	size_t tlen, tcap;
} pipe_part;

typedef struct pipe_worker {
	struct cli_pipe *p;
	pthread_t thread;
	ptrules_eval *e;
	ptrules_diags *d;
} pipe_worker;

struct cli_pipe {
	pthread_mutex_t mu;
	pthread_cond_t work;      /* a part is ready to read, or the end */
	pthread_cond_t done;      /* a part has been read */
	pipe_part *parts;         /* part j is parts[j % nparts] */
	size_t nparts;
	pipe_worker *w;
	int nw_alloc;             /* workers allocated */
	int nw;                   /* workers started */
	bool stop;                /* the workers may end */
	size_t take, split;       /* the next part to print, the next to cut */
	size_t pos;               /* the caller's next entry of part `take` */
	bool held;                /* the caller is printing part `take` */
	bool ended;               /* the caller has had every entry */
	bool oom;                 /* a part stopped for want of memory */
	int expect;               /* carts before part `take`, as the parts before it read */
	/* Cutting. */
	cli_carts *cf;
	size_t block;
	char *carry;              /* what followed the last cut */
	size_t carry_len, carry_cap;
	bool eof;                 /* the file has been read to its end (or an error) */
	bool cut_last;            /* the last part has been cut */
	int read_errno;
	int next_line, next_carts;   /* where the next part starts (its predicted carts before it) */
	int shift;                /* carts the parts read, less their `cart` lines */
	bool json;
};

/* Grow *buf to at least need bytes; false when out of memory. */
static bool room_for(char **buf, size_t *cap, size_t need)
{
	if (need <= *cap)
		return true;
	size_t c = *cap ? *cap : 1 << 16;
	while (c < need) {
		if (c > SIZE_MAX / 4)
			return false;
		c *= 2;
	}
	char *t = realloc(*buf, c);
	if (!t)
		return false;
	*buf = t;
	*cap = c;
	return true;
}

/* Append s (n bytes and a NUL) to k's text; its offset, or SIZE_MAX. */
static size_t text_add(pipe_part *k, const char *s, size_t n)
{
	if (n >= SIZE_MAX - k->tlen || !room_for(&k->text, &k->tcap, k->tlen + n + 1))
		return SIZE_MAX;
	size_t at = k->tlen;
	memcpy(k->text + at, s, n);
	k->text[at + n] = '\0';
	k->tlen += n + 1;
	return at;
}

/* The diagnostics in d rendered into k's text (and cleared); false when
 * out of memory. */
static bool add_diags(pipe_part *k, ptrules_diags *d, pipe_ent *x)
{
	x->diag = x->diag_len = x->errors = 0;
	if (!ptrules_diags_count(d))
		return true;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return false;
	ptrules_diags_print(d, m);
	bool ok = fclose(m) == 0;
	x->errors = ptrules_diags_errors(d);
	ptrules_diags_clear(d);
	if (ok && (x->diag = text_add(k, buf, len)) == SIZE_MAX)
		ok = false;
	x->diag_len = len;
	free(buf);
	return ok;
}

/* The formatted cart c (evaluated with e) into k's text; false when out
 * of memory. */
static bool add_output(pipe_part *k, const ptrules_eval *e, const ptrules_cart *c, const char *label, bool json,
		       pipe_ent *x)
{
	size_t (*fmt)(const ptrules_eval *, const ptrules_cart *, const char *, char *, size_t) =
		json ? ptrules_format_json : ptrules_format_text;
	size_t n = fmt(e, c, label, k->text + k->tlen, k->tcap - k->tlen);   /* mostly it fits */
	if (n >= k->tcap - k->tlen) {
		if (n >= SIZE_MAX - k->tlen || !room_for(&k->text, &k->tcap, k->tlen + n + 1))
			return false;
		fmt(e, c, label, k->text + k->tlen, n + 1);
	}
	x->out = k->tlen;
	x->out_len = n;
	k->tlen += n + 1;
	return true;
}

/* A new entry at the end of k's, zeroed; NULL when out of memory. */
static pipe_ent *new_ent(pipe_part *k)
{
	if (k->n == k->ents_cap) {
		size_t cap = k->ents_cap ? k->ents_cap * 2 : 1024;
		pipe_ent *v = cap < SIZE_MAX / sizeof *v ? realloc(k->ents, cap * sizeof *v) : NULL;
		if (!v)
			return NULL;
		k->ents = v;
		k->ents_cap = cap;
	}
	pipe_ent *x = &k->ents[k->n];
	*x = (pipe_ent){ .st = PTRULES_EINVALID };
	return x;
}

/* Cart c, just read from rd, evaluated and formatted into k as main.c's
 * loop prints it; false when out of memory. */
static bool read_cart(const struct cli_pipe *p, pipe_worker *w, pipe_part *k, const ptrules_reader *rd,
		      const ptrules_cart *c)
{
	pipe_ent *x = new_ent(k);
	if (!x)
		return false;
	x->cart = true;
	char label[512];
	const char *lb = cli_cart_label(rd, c, p->cf->name, label, sizeof label);
	if (ptrules_cart_errors(c) == 0)
		x->st = ptrules_evaluate(w->e, c, w->d);
	if (!add_diags(k, w->d, x))   /* the reader's, and the evaluation's */
		return false;
	if (x->st != PTRULES_EINVALID && !add_output(k, w->e, c, lb, p->json, x))
		return false;
	k->n++;
	return true;
}

/* Read part k with `based` carts before it: its entries, and how many
 * carts it held (with drop_last, the last is read for its diagnostics
 * only). */
static void read_part(const struct cli_pipe *p, pipe_worker *w, pipe_part *k, int based)
{
	k->n = k->tlen = 0;
	k->carts_read = 0;
	k->based = based;
	bool ok = room_for(&k->text, &k->tcap, 1);   /* (add_output points past it) */
	int keep = INT32_MAX;   /* carts to print */
	if (ok && k->drop_last) {   /* count them first: all but the last */
		ptrules_reader *rd = ptrules_reader_new_part(k->in, k->in_len, p->cf->name, k->first_line, based);
		const ptrules_cart *c;
		while (rd && ptrules_reader_next(rd, &c, NULL))
			;
		ok = rd && !ptrules_reader_error(rd);
		keep = rd ? ptrules_reader_index(rd) - based - 1 : 0;
		ptrules_reader_free(rd);
	}
	ptrules_reader *rd = ok ? ptrules_reader_new_part(k->in, k->in_len, p->cf->name, k->first_line, based) : NULL;
	ok = ok && rd;
	const ptrules_cart *c;
	while (ok && ptrules_reader_next(rd, &c, w->d))   /* a bad cart never stops the others */
		if (ptrules_reader_index(rd) - based <= keep)
			ok = read_cart(p, w, k, rd, c);
	if (rd && ptrules_reader_error(rd))   /* out of memory inside the reader */
		ok = false;
	if (rd)
		k->carts_read = ptrules_reader_index(rd) - based;
	ptrules_reader_free(rd);
	if (ok && ptrules_diags_count(w->d)) {   /* diagnostics after the last cart: an entry of their own */
		pipe_ent *x = new_ent(k);
		ok = x && add_diags(k, w->d, x);
		if (ok)
			k->n++;
	}
	ptrules_diags_clear(w->d);
	k->oom = !ok;
}

/* A worker: read the earliest part ready, until told to stop. */
static void *worker_main(void *arg)
{
	pipe_worker *w = arg;
	struct cli_pipe *p = w->p;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		pipe_part *k = NULL;
		for (size_t j = p->take; j < p->split && !k; j++)
			if (p->parts[j % p->nparts].state == PART_READY)
				k = &p->parts[j % p->nparts];
		if (!k) {
			if (p->stop)
				break;
			pthread_cond_wait(&p->work, &p->mu);
			continue;
		}
		k->state = PART_BUSY;
		int based = k->carts_before;
		pthread_mutex_unlock(&p->mu);
		read_part(p, w, k, based);
		pthread_mutex_lock(&p->mu);
		k->state = PART_DONE;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Whether the line s..e (e at its '\n' or the end) starts a cart, by the
 * reader's own rule. */
static bool cart_line(const char *s, const char *e)
{
	return ptrules_is_cart_line(s, (size_t)(e - s));
}

/* Cut the next part into k: what followed the last cut, then the file
 * up to the last `cart` line once `block` bytes are in (a part holds at
 * least one such line after its first, so every cut falls where the
 * whole file's reader starts a cart).  At the end of the file, the rest;
 * after a read error, its complete lines (drop_last).  False when out of
 * memory. */
static bool cut(struct cli_pipe *p, pipe_part *k)
{
	if (!room_for(&k->in, &k->in_cap, p->carry_len + p->block))
		return false;
	if (p->carry_len)   /* (memcpy's pointers must not be NULL even for 0 bytes) */
		memcpy(k->in, p->carry, p->carry_len);
	size_t len = p->carry_len, at = 0, cut_at = 0;
	int lines = 0, carts = 0, cut_lines = 0, cut_carts = 0;
	for (;;) {
		if (!p->eof) {
			size_t want = p->block, got = fread(k->in + len, 1, want, p->cf->f);   /* room_for made room */
			len += got;
			if (got < want) {   /* fread stops short only at the end or on an error */
				p->eof = true;
				if (ferror(p->cf->f))
					p->read_errno = errno ? errno : EIO;
			}
		}
		while (at < len) {   /* the complete lines not yet seen */
			const char *s = k->in + at, *nl = memchr(s, '\n', len - at);
			if (!nl)
				break;
			if (cart_line(s, nl)) {
				if (carts) {
					cut_at = at;
					cut_lines = lines;
					cut_carts = carts;
				}
				carts++;
			}
			lines++;
			at = (size_t)(nl - k->in) + 1;
		}
		if (p->eof || (cut_at && len >= p->block))
			break;
		if (len > SIZE_MAX - p->block || !room_for(&k->in, &k->in_cap, len + p->block))   /* no cut yet: read on */
			return false;
	}
	size_t keep = cut_at;
	k->drop_last = false;
	if (p->eof && p->read_errno) {   /* the complete lines: the whole file's reader drops the cart it was reading */
		keep = at;
		k->drop_last = true;
		p->cut_last = k->last = true;
	} else if (p->eof) {   /* the rest, with a last line without a newline */
		keep = len;
		if (at < len && cart_line(k->in + at, k->in + len))
			carts++;
		p->cut_last = k->last = true;
	} else {
		lines = cut_lines;
		carts = cut_carts;
		k->last = false;
	}
	size_t rest = p->eof ? 0 : len - keep;
	if (!room_for(&p->carry, &p->carry_cap, rest))
		return false;
	if (rest)
		memcpy(p->carry, k->in + keep, rest);
	p->carry_len = rest;
	k->in_len = keep;
	k->first_line = p->next_line;
	k->predicted = p->next_carts;
	k->carts_before = p->next_carts + p->shift;
	p->next_line += lines;
	p->next_carts += carts;
	return true;
}

/* Cut parts into the free places, ahead of the workers; false when out
 * of memory (the parts cut so far are still read and printed). */
static bool cut_ahead(struct cli_pipe *p)
{
	while (!p->cut_last && p->split - p->take < p->nparts) {
		pipe_part *k = &p->parts[p->split % p->nparts];   /* free: part split - nparts was printed */
		if (!cut(p, k)) {
			p->cut_last = true;
			if (p->split > p->take) {   /* the part before is the last */
				p->parts[(p->split - 1) % p->nparts].last = true;
				return false;
			}
			k->in_len = 0;   /* no part to print: an empty last one that is not read */
			k->last = true;
			k->oom = true;
			pthread_mutex_lock(&p->mu);
			k->state = PART_DONE;
			k->based = p->expect;
			k->n = 0;
			k->carts_read = 0;
			p->split++;
			pthread_mutex_unlock(&p->mu);
			return false;
		}
		pthread_mutex_lock(&p->mu);
		k->state = PART_READY;
		p->split++;
		pthread_cond_broadcast(&p->work);
		pthread_mutex_unlock(&p->mu);
	}
	return true;
}

/* Stop the workers and free what the pipe holds. */
static void pipe_free(struct cli_pipe *p)
{
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->nw; i++)
		pthread_join(p->w[i].thread, NULL);
	for (int i = 0; p->w && i < p->nw_alloc; i++) {
		ptrules_diags_free(p->w[i].d);
		ptrules_eval_free(p->w[i].e);
	}
	for (size_t j = 0; p->parts && j < p->nparts; j++) {
		free(p->parts[j].in);
		free(p->parts[j].ents);
		free(p->parts[j].text);
	}
	free(p->parts);
	free(p->w);
	free(p->carry);
	pthread_cond_destroy(&p->done);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

/* Read cf on `workers` threads (2 to 64), parts of about `block` bytes;
 * NULL when that cannot be done (the caller then reads the file itself).
 * explain: the workers' evaluators keep every rule's trace. */
cli_pipe *cli_pipe_start(cli_carts *cf, ptrules_rules *r, bool json, bool explain, int workers, size_t block)
{
	if (workers < 2 || workers > 64 || block < 1)
		return NULL;
	struct cli_pipe *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	if (pthread_mutex_init(&p->mu, NULL) != 0) {
		free(p);
		return NULL;
	}
	if (pthread_cond_init(&p->work, NULL) != 0) {
		pthread_mutex_destroy(&p->mu);
		free(p);
		return NULL;
	}
	if (pthread_cond_init(&p->done, NULL) != 0) {
		pthread_cond_destroy(&p->work);
		pthread_mutex_destroy(&p->mu);
		free(p);
		return NULL;
	}
	p->cf = cf;
	p->json = json;
	p->block = block;
	p->next_line = 1;
	p->nparts = (size_t)workers * PARTS_PER_WORKER;
	p->parts = calloc(p->nparts, sizeof *p->parts);
	p->w = calloc((size_t)workers, sizeof *p->w);
	bool ok = p->parts && p->w;
	p->nw_alloc = p->w ? workers : 0;
	for (int i = 0; ok && i < workers; i++) {
		p->w[i].p = p;
		p->w[i].e = ptrules_eval_new(r, explain);
		p->w[i].d = ptrules_diags_new();
		ok = p->w[i].e && p->w[i].d;
	}
	for (int i = 0; ok && i < workers; i++) {
		if (pthread_create(&p->w[i].thread, NULL, worker_main, &p->w[i]) != 0)
			ok = false;
		else
			p->nw++;
	}
	if (!ok) {   /* nothing read yet: the caller reads the file itself */
		pipe_free(p);
		return NULL;
	}
	if (!cut_ahead(p))   /* bytes are read: the parts cut so far are printed, then "out of memory" */
		p->oom = true;
	return p;
}

/* The next entry, in the input's order; false when there are no more. */
bool cli_pipe_next(cli_pipe *p, cli_pipe_item *it)
{
	while (!p->ended) {
		if (!cut_ahead(p))
			p->oom = true;
		pipe_part *k = &p->parts[p->take % p->nparts];
		if (!p->held) {
			pthread_mutex_lock(&p->mu);
			while (k->state != PART_DONE)
				pthread_cond_wait(&p->done, &p->mu);
			if (k->based != p->expect) {   /* read with a wrong count before it: read it again */
				p->shift = p->expect - k->predicted;   /* and correct the parts not yet read */
				for (size_t j = p->take + 1; j < p->split; j++) {
					pipe_part *n = &p->parts[j % p->nparts];
					if (n->state == PART_READY)
						n->carts_before = n->predicted + p->shift;
				}
				k->carts_before = p->expect;
				k->state = PART_READY;
				pthread_cond_broadcast(&p->work);
				pthread_mutex_unlock(&p->mu);
				continue;
			}
			pthread_mutex_unlock(&p->mu);
			p->held = true;
			p->pos = 0;
		}
		if (p->pos < k->n) {
			const pipe_ent *x = &k->ents[p->pos++];
			*it = (cli_pipe_item){
				.cart = x->cart,
				.st = x->st,
				.diag = x->diag_len ? k->text + x->diag : NULL,
				.diag_len = x->diag_len,
				.errors = x->errors,
				.out = x->st == PTRULES_EINVALID ? NULL : k->text + x->out,
				.out_len = x->out_len,
			};
			return true;
		}
		p->expect += k->carts_read;
		p->held = false;
		p->ended = k->last || k->oom;
		if (k->oom)
			p->oom = true;
		pthread_mutex_lock(&p->mu);   /* its place is free for the next cut */
		k->state = PART_FREE;
		p->take++;
		pthread_mutex_unlock(&p->mu);
	}
	return false;
}

/* Stop the workers and free the pipe; false when a part ran out of
 * memory or the file could not be read to its end (each said on standard
 * error; a read error counted in *errors, as main.c counts one). */
bool cli_pipe_finish(cli_pipe *p, size_t *errors)
{
	bool ok = !p->oom;
	if (!ok)
		fputs("ptrules: out of memory\n", stderr);
	if (p->read_errno) {
		fprintf(stderr, "%s: error: cannot read: %s\n", p->cf->path, strerror(p->read_errno));
		(*errors)++;
		ok = false;
	}
	pipe_free(p);
	return ok;
}
