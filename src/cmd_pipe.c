/* cmd_pipe.c - `ptrules eval` on two processors: one thread reads the
 * carts and packs them, the calling thread evaluates and prints them.
 *
 * Reading a cart costs about as much as evaluating and printing it
 * (docs/performance.md), so with a second processor the reader runs
 * ahead on its own thread.  It fills a block of up to CHUNK carts: each
 * cart that can be packed (ptrules_batch_add) goes into the block's batch
 * with its label; any other cart (errors, binding diagnostics, no order
 * date) is evaluated and formatted right there, with the reader's own
 * context.  Its text, and every cart's rendered diagnostics, are kept in
 * the block.
 * The calling thread takes the blocks in order and writes every byte,
 * standard output and standard error alike, in the order the
 * single-threaded loop writes them (main.c), so the output is the same
 * byte for byte.  Two blocks alternate: memory stays flat however long
 * the input is. */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptrules.h"

#include "cli.h"

enum { CHUNK = 2048 };   /* carts per block */

/* One cart of a block: packed, or done by the reader. */
typedef struct pipe_ent {
	bool cart;                /* false: only diagnostics that followed the last cart */
	bool packed;
	ptrules_status st;        /* not packed: its evaluation (EINVALID: nothing printed) */
	size_t index;             /* packed: its index in the block's batch */
	size_t label;             /* offsets into the block's text (label SIZE_MAX: the packed cart's id) */
	size_t diag, diag_len;    /* diagnostics to print before it */
	size_t out, out_len;      /* not packed: the formatted cart */
	size_t errors;            /* errors among the diagnostics */
} pipe_ent;

typedef struct pipe_block {
	ptrules_batch *batch;
	pipe_ent *ents;
	size_t n;
	char *text;               /* labels, diagnostics and outputs */
	size_t tlen, tcap;
	bool full;                /* filled by the reader, not yet taken */
	bool last;                /* the reader has nothing after it */
} pipe_block;

struct cli_pipe {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pipe_block b[2];
	int take;                 /* the block the caller reads next */
	size_t pos;               /* the caller's next cart in it */
	bool held;                /* the caller is reading b[take] */
	bool ended;               /* the caller has had every cart */
	bool oom;                 /* the reader ran out of memory: it stopped */
	cli_carts *cf;
	ptrules_eval *e;          /* the reader's context, for carts it evaluates itself */
	ptrules_diags *d;
	bool json;
};

/* Room for n more bytes of text in k; false when out of memory. */
static bool text_room(pipe_block *k, size_t n)
{
	if (n <= k->tcap - k->tlen)
		return true;
	size_t cap = k->tcap ? k->tcap : 1 << 16;
	while (cap - k->tlen < n) {
		if (cap > SIZE_MAX / 4)
			return false;
		cap *= 2;
	}
	char *t = realloc(k->text, cap);
	if (!t)
		return false;
	k->text = t;
	k->tcap = cap;
	return true;
}

/* Append s (n bytes and a NUL) to k's text; its offset, or SIZE_MAX. */
static size_t text_add(pipe_block *k, const char *s, size_t n)
{
	if (!text_room(k, n + 1))
		return SIZE_MAX;
	size_t at = k->tlen;
	memcpy(k->text + at, s, n);
	k->text[at + n] = '\0';
	k->tlen += n + 1;
	return at;
}

/* The diagnostics in d rendered into k's text (and cleared); false when
 * out of memory. */
static bool add_diags(pipe_block *k, ptrules_diags *d, pipe_ent *x)
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
static bool add_output(pipe_block *k, const ptrules_eval *e, const ptrules_cart *c, const char *label, bool json,
		       pipe_ent *x)
{
	size_t (*fmt)(const ptrules_eval *, const ptrules_cart *, const char *, char *, size_t) =
		json ? ptrules_format_json : ptrules_format_text;
	size_t n = fmt(e, c, label, k->text + k->tlen, k->tcap - k->tlen);   /* mostly it fits */
	if (n >= k->tcap - k->tlen) {
		if (!text_room(k, n + 1))
			return false;
		fmt(e, c, label, k->text + k->tlen, n + 1);
	}
	x->out = k->tlen;
	x->out_len = n;
	k->tlen += n + 1;
	return true;
}

/* Read the next cart into block k; false at the end of the input. */
static bool read_one(struct cli_pipe *p, pipe_block *k)
{
	const ptrules_cart *c;
	if (!ptrules_reader_next(p->cf->r, &c, p->d))
		return false;
	pipe_ent *x = &k->ents[k->n];
	*x = (pipe_ent){ .cart = true, .st = PTRULES_EINVALID, .label = SIZE_MAX };
	bool ok = true;
	if (!ptrules_cart_errors(c)) {
		size_t before = ptrules_batch_count(k->batch);
		ptrules_status st = ptrules_batch_add(k->batch, c);
		if (st == PTRULES_OK) {
			x->packed = true;
			x->index = before;
		} else if (st == PTRULES_ENOMEM) {
			ok = false;
		}
	}
	/* A packed cart labelled by its id needs no text: the batch keeps the
	 * id, which the output then shows (label NULL), as cli_cart_label
	 * would give it. */
	char label[512];
	const char *id = x->packed ? ptrules_cart_id(c) : NULL;
	const char *lb = NULL;
	if (ok && !(id && strlen(id) < sizeof label)) {
		lb = cli_cart_label(p->cf->r, c, p->cf->name, label, sizeof label);
		ok = (x->label = text_add(k, lb, strlen(lb))) != SIZE_MAX;
	}
	if (ok && !x->packed && ptrules_cart_errors(c) == 0)   /* the reader evaluates it, as main.c does */
		x->st = ptrules_evaluate(p->e, c, p->d);
	if (ok)   /* the reader's, and the evaluation's if it ran here */
		ok = add_diags(k, p->d, x);
	if (ok && !x->packed && x->st != PTRULES_EINVALID)
		ok = add_output(k, p->e, c, lb, p->json, x);
	if (!ok)
		p->oom = true;
	else
		k->n++;
	return ok;
}

/* The reader's thread: fill the blocks in turn until the input ends. */
static void *reader_main(void *arg)
{
	struct cli_pipe *p = arg;
	int fill = 0;
	for (bool more = true; more;) {
		pipe_block *k = &p->b[fill];
		pthread_mutex_lock(&p->mu);
		while (k->full)   /* the caller still reads it */
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
		k->n = k->tlen = 0;
		ptrules_batch_clear(k->batch);
		while (k->n < CHUNK && (more = read_one(p, k)))   /* false at the end, and when out of memory */
			;
		if (!more) {   /* diagnostics after the last cart: an entry of their own */
			pipe_ent *x = &k->ents[k->n];
			*x = (pipe_ent){ .st = PTRULES_EINVALID };
			if (!p->oom && add_diags(k, p->d, x) && x->diag_len) {
				x->label = text_add(k, "", 0);
				if (x->label != SIZE_MAX)
					k->n++;
			}
		}
		pthread_mutex_lock(&p->mu);
		k->full = true;
		k->last = !more;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		fill ^= 1;
	}
	return NULL;
}

/* Start reading cf on a thread of its own; NULL when that cannot be done
 * (the caller then reads the file itself). */
cli_pipe *cli_pipe_start(cli_carts *cf, ptrules_rules *r, bool json)
{
	struct cli_pipe *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->cf = cf;
	p->json = json;
	p->e = ptrules_eval_new(r, 0);
	p->d = ptrules_diags_new();
	bool ok = p->e && p->d;
	for (int i = 0; i < 2 && ok; i++) {
		p->b[i].batch = ptrules_batch_new(r);
		p->b[i].ents = malloc((CHUNK + 1) * sizeof *p->b[i].ents);
		ok = p->b[i].batch && p->b[i].ents;
	}
	if (ok && pthread_mutex_init(&p->mu, NULL) != 0)
		ok = false;
	else if (ok && pthread_cond_init(&p->cv, NULL) != 0) {
		pthread_mutex_destroy(&p->mu);
		ok = false;
	} else if (ok && pthread_create(&p->thread, NULL, reader_main, p) != 0) {
		pthread_cond_destroy(&p->cv);
		pthread_mutex_destroy(&p->mu);
		ok = false;
	}
	if (!ok) {
		for (int i = 0; i < 2; i++) {
			ptrules_batch_free(p->b[i].batch);
			free(p->b[i].ents);
		}
		ptrules_diags_free(p->d);
		ptrules_eval_free(p->e);
		free(p);
		return NULL;
	}
	return p;
}

/* The next cart, in the input's order; false when there are no more. */
bool cli_pipe_next(cli_pipe *p, cli_pipe_item *it)
{
	while (!p->ended) {
		pipe_block *k = &p->b[p->take];
		if (!p->held) {
			pthread_mutex_lock(&p->mu);
			while (!k->full)
				pthread_cond_wait(&p->cv, &p->mu);
			pthread_mutex_unlock(&p->mu);
			p->held = true;
			p->pos = 0;
		}
		if (p->pos < k->n) {
			const pipe_ent *x = &k->ents[p->pos++];
			*it = (cli_pipe_item){
				.cart = x->cart,
				.batch = x->packed ? k->batch : NULL,
				.index = x->index,
				.st = x->st,
				.label = x->label == SIZE_MAX ? NULL : k->text + x->label,
				.diag = x->diag_len ? k->text + x->diag : NULL,
				.diag_len = x->diag_len,
				.errors = x->errors,
				.out = x->packed || x->st == PTRULES_EINVALID ? NULL : k->text + x->out,
				.out_len = x->out_len,
			};
			return true;
		}
		bool last = k->last;
		pthread_mutex_lock(&p->mu);   /* give the block back */
		k->full = false;
		p->held = false;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		p->ended = last;
		p->take ^= 1;
	}
	return false;
}

/* Wait for the reader and free what the pipe holds; false when the
 * reader ran out of memory (after a message on standard error). */
bool cli_pipe_finish(cli_pipe *p)
{
	cli_pipe_item it;
	while (cli_pipe_next(p, &it))   /* a caller that stopped early: let the reader end */
		;
	pthread_join(p->thread, NULL);
	bool ok = !p->oom;
	if (!ok)
		fputs("ptrules: out of memory\n", stderr);
	for (int i = 0; i < 2; i++) {
		ptrules_batch_free(p->b[i].batch);
		free(p->b[i].ents);
		free(p->b[i].text);
	}
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	ptrules_diags_free(p->d);
	ptrules_eval_free(p->e);
	free(p);
	return ok;
}
