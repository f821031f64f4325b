/* cmd_pipe.c - `ptrules eval` on two processors: one thread reads the
 * carts, the calling thread evaluates and prints them.
 *
 * Reading a cart costs about as much as evaluating and printing it
 * (docs/performance.md), so with a second processor the reader runs
 * ahead on its own thread.  It fills a block of up to CHUNK carts, held
 * in the block's cart set (ptrules_reader_next_held: each keeps its
 * values and its lines, for messages about it, apart from the reader),
 * with each one's label and its reading's rendered diagnostics in the
 * block's text.  The calling thread takes the blocks
 * in order and evaluates and prints each cart as the single-threaded
 * loop does (main.c), writing every byte, standard output and standard
 * error alike, in the same order, so the output is the same byte for
 * byte.  Two blocks alternate: memory stays flat however long the input
 * is. */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptrules.h"

#include "cli.h"

enum { CHUNK = 1024 };   /* carts per block */

/* One entry of a block: a cart, or the diagnostics after the last. */
typedef struct pipe_ent {
	bool cart;                /* false: only diagnostics that followed the last cart */
	size_t label;             /* offsets into the block's text */
	size_t diag, diag_len;    /* the reading's diagnostics, to print before it */
	size_t errors;            /* errors among them */
} pipe_ent;

typedef struct pipe_block {
	ptrules_cartset *set;     /* its carts */
	const ptrules_cart **carts;   /* entry i's cart */
	pipe_ent *ents;
	size_t n;
	char *text;               /* labels and diagnostics */
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
	ptrules_diags *d;         /* the reader's */
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

/* Read the next cart into block k; false at the end of the input. */
static bool read_one(struct cli_pipe *p, pipe_block *k)
{
	const ptrules_cart *c = ptrules_reader_next_held(p->cf->r, k->set, p->d);
	if (!c)
		return false;
	k->carts[k->n] = c;
	pipe_ent *x = &k->ents[k->n];
	*x = (pipe_ent){ .cart = true };
	char label[512];
	const char *lb = cli_cart_label(p->cf->r, c, p->cf->name, label, sizeof label);
	bool ok = (x->label = text_add(k, lb, strlen(lb))) != SIZE_MAX && add_diags(k, p->d, x);
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
		ptrules_cartset_clear(k->set);
		while (k->n < CHUNK && (more = read_one(p, k)))   /* false at the end, and when out of memory */
			;
		if (!more) {   /* diagnostics after the last cart: an entry of their own */
			pipe_ent *x = &k->ents[k->n];
			*x = (pipe_ent){ .cart = false };
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

/* The carts, entries and text of both blocks. */
static void free_blocks(struct cli_pipe *p)
{
	for (int i = 0; i < 2; i++) {
		ptrules_cartset_free(p->b[i].set);
		free(p->b[i].carts);
		free(p->b[i].ents);
		free(p->b[i].text);
	}
}

/* Start reading cf on a thread of its own; NULL when that cannot be done
 * (the caller then reads the file itself). */
cli_pipe *cli_pipe_start(cli_carts *cf)
{
	struct cli_pipe *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->cf = cf;
	p->d = ptrules_diags_new();
	bool ok = p->d;
	for (int i = 0; i < 2 && ok; i++) {
		p->b[i].set = ptrules_cartset_new();
		p->b[i].carts = malloc(CHUNK * sizeof *p->b[i].carts);
		p->b[i].ents = malloc((CHUNK + 1) * sizeof *p->b[i].ents);
		ok = p->b[i].set && p->b[i].carts && p->b[i].ents;
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
		free_blocks(p);
		ptrules_diags_free(p->d);
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
				.cart = x->cart ? k->carts[p->pos - 1] : NULL,
				.label = k->text + x->label,
				.diag = x->diag_len ? k->text + x->diag : NULL,
				.diag_len = x->diag_len,
				.errors = x->errors,
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
	free_blocks(p);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	ptrules_diags_free(p->d);
	free(p);
	return ok;
}
