/* jit_scratch.c - the machine-code compiler's working state (jasm,
 * jit_int.h): the tables per instruction, per register and per program
 * that its plans (jit_plan.c) and its layout (jit.c) fill for one rule
 * set, made before and freed after; and what the laid-out code becomes,
 * its jumps patched, in pages of its own (pt_jit), freed by
 * pt_jit_free. */
#define _DEFAULT_SOURCE   /* MAP_ANONYMOUS */
#include <stdlib.h>
#include <string.h>

#include "jit_int.h"

#if PT_JIT_X64
#include <sys/mman.h>
#include <unistd.h>

/* Make j's tables for f's code (j->ncode instructions) and rs's
 * programs, zeroed, and settle what they start from: the registers
 * typed by range, the inputs read in place.  False when out of memory
 * (pt_jit_scratch_free frees what was made). */
bool pt_jit_scratch_new(jasm *j, const pt_ruleset *rs, const pt_fast *f)
{
	j->want_stub = calloc(f->ncode + 1, 1);
	j->inline_note = calloc(f->ncode + 1, 1);
	j->target = calloc(f->ncode + 1, 1);
	j->wmark = calloc(f->nregs + 1, sizeof *j->wmark);
	j->nmark = calloc(f->nregs + 1, sizeof *j->nmark);
	j->den = calloc(f->nregs + 1, 1);   /* DEN_ANY */
	j->nonneg = calloc(f->nregs + 1, 1);
	j->nn_in = calloc(f->ncode + 1, sizeof *j->nn_in);
	j->nn_seen = calloc(f->ncode + 1, 1);
	j->pos_in = calloc(f->ncode + 1, sizeof *j->pos_in);
	j->reach = calloc(f->ncode + 1, 1);
	j->empty = calloc(f->ncode + 1, 1);
	j->tsel = calloc(f->ncode + 1, 1);
	j->gmerge = calloc(f->ncode + 1, 1);
	j->fuse = calloc(f->ncode + 1, 1);
	j->jin = calloc(f->ncode + 1, 1);
	j->cnt_on = calloc(rs->nprogs + 1, 1);
	j->tier_late_on = calloc(rs->nprogs + 1, 1);
	j->tier_in = calloc(f->ncode + 1, 1);
	j->out_in = calloc(f->ncode + 1, sizeof *j->out_in);
	j->nn_lo = f->reg_locals;
	j->nn_hi = f->reg_derived - f->reg_locals < 64 ? f->reg_derived : f->reg_locals + 64;
	j->wgen = 1;
	j->derived0 = f->reg_derived;
	j->derived1 = f->reg_derived + f->nderived;
	j->in_place = calloc(PT_PREP_DENSE_MAX, 1);
	j->in_pos = calloc(PT_PREP_DENSE_MAX, sizeof *j->in_pos);
	for (uint32_t r = 0; j->in_place && j->in_pos && r < PT_PREP_DENSE_MAX && r < rs->ninputs && r < f->nregs; r++)
		if ((j->in_place[r] = pt_bind_in_place(rs, r))) {
			j->nin = r + 1;
			j->in_pos[r] = (uint16_t)pt_bind_in_pos(rs, r);
		}
	j->rax_in = calloc(f->ncode + 1, sizeof *j->rax_in);
	j->nbefore = calloc(f->ncode + 1, 1);
	j->before = calloc(f->ncode + 1, sizeof *j->before);
	j->site_bit = calloc(f->ncode + 1, 1);
	j->marked_in = calloc(f->ncode + 1, 1);
	j->sites = calloc(f->ncode + 1, sizeof *j->sites);   /* at most a note per instruction */
	j->site0 = calloc(2 * rs->nprogs + 2, sizeof *j->site0);
	j->cache_on = calloc(PT_JIT_NCACHE * (rs->nprogs + 1), sizeof *j->cache_on);
	j->ncache_on = calloc(rs->nprogs + 1, 1);
	j->cache_done = calloc(f->ncode + 1, 1);
	j->cache_seen = calloc(f->ncode + 1, 1);
	return j->want_stub && j->inline_note && j->nbefore && j->before && j->target && j->wmark && j->nmark &&
	       j->den && j->nonneg && j->nn_in && j->pos_in && j->reach && j->empty && j->tsel && j->jin && j->gmerge &&
	       j->fuse && j->nn_seen && j->cnt_on && j->tier_late_on && j->tier_in && j->out_in && j->in_place &&
	       j->in_pos && j->rax_in && j->site_bit && j->marked_in && j->sites && j->site0 && j->cache_on &&
	       j->ncache_on && j->cache_done && j->cache_seen;
}

/* Free every table of j (those handed to the pt_jit built are NULL by
 * then), and what the layout grew: the code, its fixes, the cold list. */
void pt_jit_scratch_free(jasm *j)
{
	free(j->want_stub);
	free(j->cache_on);
	free(j->ncache_on);
	free(j->cache_done);
	free(j->cache_seen);
	free(j->exposed_after);
	free(j->exp_wr);
	free(j->exp_self);
	free(j->inline_note);
	free(j->target);
	free(j->wmark);
	free(j->nmark);
	free(j->den);
	free(j->nonneg);
	free(j->nn_in);
	free(j->nn_seen);
	free(j->pos_in);
	free(j->reach);
	free(j->empty);
	free(j->tsel);
	free(j->gmerge);
	free(j->fuse);
	free(j->live);
	free(j->jin);
	free(j->cnt_on);
	free(j->tier_late_on);
	free(j->tier_in);
	free(j->out_in);
	free(j->in_place);
	free(j->in_pos);
	free(j->rax_in);
	free(j->nbefore);
	free(j->before);
	free(j->site_bit);
	free(j->marked_in);
	free(j->sites);
	free(j->site0);
	free(j->buf);
	free(j->fix);
	free(j->cold);
}

/* Patch j's jumps, map its code read-only and executable, and fill jit
 * (room for rs's programs) with it: the entry points (entry[p], the
 * chain at entry[nprogs]), the tables it keeps (native, taken only on
 * success; den, nonneg, sites, handed over from j), the registers kept
 * in r8 to r12, the runs of inputs read in place.  False when a jump
 * cannot be patched or the system refuses the pages. */
bool pt_jit_scratch_finish(jasm *j, const pt_ruleset *rs, const pt_fast *f, const uint32_t *entry, uint8_t *native,
			   pt_jit *jit)
{
	for (size_t i = 0; i < j->nfix; i++) {
		uint32_t to = j->label[j->fix[i].label];
		if (to == UINT32_MAX)
			return false;   /* not reached: pt_jit_compilable() checked every target */
		int64_t rel = (int64_t)to - (int64_t)(j->fix[i].at + 4);
		if (rel < INT32_MIN || rel > INT32_MAX)
			return false;   /* not reached: PT_JIT_MAX_CODE */
		int32_t rel32 = (int32_t)rel;
		memcpy(j->buf + j->fix[i].at, &rel32, 4);
	}
	uint8_t *kept = calloc(f->nregs + 1, 1);
	if (!kept)
		return false;
	for (size_t p = 0; p < rs->nprogs; p++)
		for (uint8_t i = 0; i < j->ncache_on[p]; i++)
			kept[j->cache_on[PT_JIT_NCACHE * p + i] / sizeof(pt_rat)] = 1;
	long pg = sysconf(_SC_PAGESIZE);
	size_t size = (j->n + (size_t)pg - 1) / (size_t)pg * (size_t)pg;
	void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		free(kept);
		return false;
	}
	memcpy(mem, j->buf, j->n);
	if (mprotect(mem, size, PROT_READ | PROT_EXEC) != 0) {   /* never writable and executable at once */
		munmap(mem, size);
		free(kept);
		return false;
	}
	jit->mem = mem;
	jit->size = size;
	jit->len = j->n;
	jit->nfused = j->nfused;
	jit->text = j->text;
	jit->avx = j->avx;
	jit->nprogs = rs->nprogs;
	jit->native = native;
	jit->den = j->den;
	j->den = NULL;
	jit->nonneg = j->nonneg;
	j->nonneg = NULL;
	jit->kept = kept;
	jit->nin = j->nin;
	jit->nruns = 0;
	for (uint32_t r = 0; r < j->nin; r++) {   /* pt_fast_copy_in: runs of in-place inputs at their places */
		if (!j->in_place[r])
			continue;
		struct pt_jit_run *u = jit->nruns ? &jit->runs[jit->nruns - 1] : NULL;
		if (u && u->src + u->len == r && u->dst + u->len == j->in_pos[r])
			u->len++;
		else
			jit->runs[jit->nruns++] = (struct pt_jit_run){ (uint16_t)r, j->in_pos[r], 1 };
	}
	jit->sites = j->sites;   /* the machine code holds their address (pt_jit_note_call) */
	j->sites = NULL;
	jit->site0 = j->site0;
	j->site0 = NULL;
	jit->amounts_whole = !(j->any_frac & (1u << PT_OUT_R_MAX_POINTS | 1u << PT_OUT_R_VALUE_YEN |
					     1u << PT_OUT_E_POINTS | 1u << PT_OUT_E_BASIS));
	for (size_t p = 0; p <= rs->nprogs; p++) {
		void *at = (char *)mem + entry[p];
		memcpy(p < rs->nprogs ? &jit->from[p] : &jit->all, &at, sizeof at);   /* object to function pointer, as POSIX allows */
	}
	return true;
}

/* Unmap the code and free the table (jit.h). */
void pt_jit_free(pt_jit *j)
{
	if (!j)
		return;
	munmap(j->mem, j->size);
	free(j->native);
	free(j->sites);
	free(j->site0);
	free(j->den);
	free(j->nonneg);
	free(j->kept);
	free(j);
}

#endif
