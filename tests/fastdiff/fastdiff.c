/* fastdiff.c - the differential check of the fast paths (make check).
 *
 * For every cart of the files given, binds and evaluates it twice: the
 * reference way (pt_bind_reference, the stack VM) and the fast way
 * (pt_bind_fast, the register code as machine code and under both
 * dispatch loops), then prepared the three ways a cart is (packed, a
 * cart's own, compact) and bound as evaluation binds those, and
 * compares everything: whether binding succeeded, every input slot, and
 * every field of every program's result (a rule set without fast code:
 * the prepared carts through the reference VM, as the library runs them).
 * When the fast binding accepts a cart, the reference must accept it with
 * no diagnostic at all.  With --require-fast, a run in which no cart was
 * bound fast or prepared fails: it compared nothing the fast way.
 *
 *   fastdiff [--rules PATH]... [--bytecode FILE] [--jit-form avx|sse] [--require-fast] CART...
 *   fastdiff [--rules PATH]... [--bytecode FILE] --dump    (print the fast code)
 *   fastdiff [--rules PATH]... --dump-jit FILE   (also write the machine
 *                      code's instructions, not the constants and tables
 *                      after them, to FILE)
 * --jit-form avx|sse builds the machine code with or without AVX instead
 * of as the processor allows: over carts, to run the form the host would
 * not pick (avx only where the processor has it); with --dump-jit, either
 * form anywhere (tests/fastdiff/vex.sh disassembles both).  In a build
 * without machine code, --jit-form changes nothing, and --dump-jit exits 3.
 *
 * Prints a summary line; exits 1 on the first difference (described),
 * 2 on bad usage or unreadable input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bind_fast.h"
#include "cart.h"
#include "date.h"
#include "fast.h"
#include "jit.h"
#include "load.h"
#include "ptbc.h"
#include "vm.h"

/* Counters for the summary line. */
typedef struct fd_stats {
	size_t carts, bound_fast, bound_ref, evaluated, runtime_errors, prepared;
} fd_stats;

/* What evaluating a prepared cart needs, apart from the rest. */
typedef struct fd_prep {
	void *mem;          /* the preparation */
	size_t cap;
	pt_rat *scratch;    /* pt_bind_prepare's, rs->ninputs + 1 */
	pt_rat *regs;       /* a register file of its own */
	size_t nregs;
	int64_t room[PT_PREP_DENSE_MAX + 3];
} fd_prep;

/* Compare one section's results; false (and a message) on a difference. */
static bool same_section(const char *what, const pt_section_result *a, const pt_section_result *b)
{
	bool same = a->ran == b->ran && a->failed == b->failed && a->nreasons == b->nreasons &&
		    a->status == b->status && (a->status == PT_VM_OK || a->status_pc == b->status_pc);
	int r = 0;   /* the first reason that differs, if any */
	for (; same && r < a->nreasons; r++)
		same = a->reasons[r].str == b->reasons[r].str && a->reasons[r].pc == b->reasons[r].pc;
	if (!same) {
		fprintf(stderr, "fastdiff: %s differs: ran %d/%d failed %d/%d reasons %d/%d status %d/%d pc %u/%u\n", what,
			a->ran, b->ran, a->failed, b->failed, a->nreasons, b->nreasons, a->status, b->status, a->status_pc,
			b->status_pc);
		if (r > 0 && r <= a->nreasons && r <= PT_MAX_REASONS)
			fprintf(stderr, "fastdiff: %s reason %d: string %u/%u noted at %u/%u\n", what, r - 1,
				a->reasons[r - 1].str, b->reasons[r - 1].str, a->reasons[r - 1].pc, b->reasons[r - 1].pc);
	}
	return same;
}

/* Compare two programs' results. */
static bool same_result(const pt_ruleset *rs, size_t p, const char *how, const pt_prog_result *a,
			const pt_prog_result *b)
{
	char what[160];
	bool same = a->linked == b->linked && a->tier == b->tier && a->usable == b->usable &&
		    a->use_valid == b->use_valid && a->runtime_error == b->runtime_error;
	for (int f = 0; same && f < PT_OUT__COUNT; f++)
		same = a->out[f].n == b->out[f].n && a->out[f].d == b->out[f].d;
	if (!same) {
		fprintf(stderr, "fastdiff: program %s (%s): linked %d/%d tier %d/%d head %d%d%d/%d%d%d outputs", rs->progs[p].id,
			how, a->linked, b->linked, a->tier, b->tier, a->usable, a->use_valid, a->runtime_error, b->usable,
			b->use_valid, b->runtime_error);
		for (int f = 0; f < PT_OUT__COUNT; f++)
			fprintf(stderr, " %lld/%lld vs %lld/%lld", (long long)a->out[f].n, (long long)a->out[f].d,
				(long long)b->out[f].n, (long long)b->out[f].d);
		fprintf(stderr, "\n");
		return false;
	}
	pt_section_result abuf, bbuf;   /* the reasons as every reader sees them (fast.h) */
	snprintf(what, sizeof what, "program %s (%s) redeem", rs->progs[p].id, how);
	if (!same_section(what, pt_fast_sec_view(rs, p, false, &a->redeem, &abuf),
			  pt_fast_sec_view(rs, p, false, &b->redeem, &bbuf)))
		return false;
	snprintf(what, sizeof what, "program %s (%s) earn", rs->progs[p].id, how);
	return same_section(what, pt_fast_sec_view(rs, p, true, &a->earn, &abuf),
			    pt_fast_sec_view(rs, p, true, &b->earn, &bbuf));
}

/* One evaluation of cart id (how: which) against the reference's: both
 * succeed or both fail (way: the other's name in the message), and every
 * program's result is the same; false, said, on a difference. */
static bool same_run(const pt_ruleset *rs, const char *id, const char *how, const char *way,
		     const pt_prog_result *ref, bool r_ok, const pt_prog_result *fast, bool f_ok)
{
	if (f_ok != r_ok) {
		fprintf(stderr, "fastdiff: cart %s (%s): evaluation %s the reference way, %s %s\n", id, how,
			r_ok ? "succeeds" : "fails", f_ok ? "succeeds" : "fails", way);
		return false;
	}
	for (size_t p = 0; p < rs->nprogs; p++)
		if (!same_result(rs, p, how, &ref[p], &fast[p])) {
			fprintf(stderr, "fastdiff: in cart %s\n", id);
			return false;
		}
	return true;
}

/* The ways fast code runs, by pt_fast_how, for messages. */
static const char *const hows[] = { [PT_FAST_NATIVE] = "machine code", [PT_FAST_SWITCH] = "switch dispatch",
				     [PT_FAST_GOTO] = "computed goto" };

/* Cart c prepared three ways (dense with its items laid out four at a
 * time as a batch does, dense as a cart's own, compact), each bound as
 * evaluation binds it (pt_bind_prepared, the inputs read in place left
 * where the preparation keeps them) into a register file whose inputs
 * hold a value no cart gives, then evaluated every way: every input, once
 * written back (pt_bind_materialize), and every result must be the
 * reference's.  false on a difference. */
static bool check_prepared(const pt_ruleset *rs, const pt_cart *c, int32_t date, const pt_rat *ref_in,
			   const pt_prog_result *ref, bool r_ok, pt_rat *locals, pt_prog_result *fast, fd_prep *fp,
			   fd_stats *st)
{
	static const char *const forms[] = { "packed", "prepared", "compact" };
	const char *id = c->id ? c->id : "(no id)";
	size_t need = pt_bind_prep_size(rs, c);
	if (need > fp->cap) {
		free(fp->mem);
		fp->cap = need * 2;
		if (!(fp->mem = malloc(fp->cap))) {
			fprintf(stderr, "fastdiff: out of memory preparing cart %s\n", id);
			return false;
		}
	}
	const char *const *ways = rs->fast ? hows : (const char *const[]){ "the reference VM" };
	for (int f = 0; f < 3; f++) {
		if (!pt_bind_prepare(rs, c, date, fp->mem, fp->scratch, f < 2, f == 0, NULL))
			continue;   /* a value that is not whole: evaluation binds it the ordinary way */
		st->prepared += f == 0;
		for (int m = 0; m < (rs->fast ? 3 : 1); m++) {   /* without fast code: the reference VM */
			for (size_t i = 0; i < rs->ninputs; i++)
				fp->regs[i] = pt_rat_int(0x5EED5EED);   /* read before it is written: a difference */
			const int64_t *in = NULL;
			if (!pt_bind_prepared(rs, fp->mem, fp->regs, fp->room, &in)) {
				fprintf(stderr, "fastdiff: cart %s (%s): its preparation does not fit the rules\n", id, forms[f]);
				return false;
			}
			memset(fast, 0xA5, rs->nprogs * sizeof *fast);
			bool f_ok;
			if (rs->fast) {
				f_ok = pt_fast_eval(rs, fp->regs, locals, fast, (pt_fast_how)m, in);
				pt_bind_materialize(rs, in, fp->regs);
			} else {   /* what the library does then (pt_api_run), which may set use.points_yen */
				pt_bind_materialize(rs, in, fp->regs);
				f_ok = pt_eval_all(rs, fp->regs, locals, fast, NULL);
			}
			for (size_t i = 0; i < rs->ninputs; i++)
				if (ref_in[i].n != fp->regs[i].n || ref_in[i].d != fp->regs[i].d) {
					fprintf(stderr, "fastdiff: cart %s (%s, %s): input %zu is %lld/%lld, the reference's %lld/%lld\n",
						id, forms[f], ways[m], i, (long long)fp->regs[i].n, (long long)fp->regs[i].d,
						(long long)ref_in[i].n, (long long)ref_in[i].d);
					return false;
				}
			char how[64];
			snprintf(how, sizeof how, "%s, %s", forms[f], ways[m]);
			if (!same_run(rs, id, how, "prepared", ref, r_ok, fast, f_ok))
				return false;
		}
	}
	return true;
}

/* The fast code run every way (machine code, switch, computed goto) over
 * bound inputs regs; each result must be the reference's.  false on a
 * difference. */
static bool check_ways(const pt_ruleset *rs, const char *id, pt_rat *regs, const pt_prog_result *ref, bool r_ok,
		       pt_rat *locals, pt_prog_result *fast)
{
	for (int m = 0; m < 3; m++) {
		memset(fast, 0xA5, rs->nprogs * sizeof *fast);   /* nothing may survive from before */
		bool f_ok = pt_fast_eval(rs, regs, locals, fast, (pt_fast_how)m, NULL);
		if (!same_run(rs, id, hows[m], "the fast way", ref, r_ok, fast, f_ok))
			return false;
	}
	return true;
}

/* Both ways over one cart; false on a difference. */
static bool check_cart(const pt_ruleset *rs, const pt_cart *c, const pt_src *src, pt_rat *ref_in, pt_rat *regs,
		       pt_rat *locals, pt_prog_result *ref, pt_prog_result *fast, fd_prep *fp, fd_stats *st)
{
	int32_t date = c->has_date ? c->date : pt_date_today_jst();
	const char *id = c->id ? c->id : "(no id)";
	pt_diags d;
	pt_diags_init(&d);
	bool ok_ref = pt_bind_reference(rs, c, date, ref_in, src, &d);
	size_t ndiags = d.n;
	pt_diags_free(&d);
	bool ok_fast = pt_bind_fast(rs, c, date, regs);
	st->carts++;
	if (ok_fast) {
		st->bound_fast++;
		if (!ok_ref || ndiags) {
			fprintf(stderr, "fastdiff: cart %s: the fast binding accepted a cart the reference reports on\n", id);
			return false;
		}
	} else {
		pt_diags_init(&d);   /* what evaluation does: the reference, through pt_bind */
		ok_fast = pt_bind(rs, c, date, regs, src, &d);
		pt_diags_free(&d);
		st->bound_ref++;
	}
	if (ok_ref != ok_fast) {
		fprintf(stderr, "fastdiff: cart %s: binding %s the reference way, %s the fast way\n", id,
			ok_ref ? "succeeds" : "fails", ok_fast ? "succeeds" : "fails");
		return false;
	}
	if (!ok_ref)
		return true;
	for (size_t i = 0; i < rs->ninputs; i++)
		if (ref_in[i].n != regs[i].n || ref_in[i].d != regs[i].d) {
			fprintf(stderr, "fastdiff: cart %s: input %zu is %lld/%lld the reference way, %lld/%lld the fast way\n",
				id, i, (long long)ref_in[i].n, (long long)ref_in[i].d, (long long)regs[i].n,
				(long long)regs[i].d);
			return false;
		}
	bool r_ok = pt_eval_all(rs, ref_in, locals, ref, NULL);
	st->evaluated++;
	st->runtime_errors += !r_ok;
	if (rs->fast && !check_ways(rs, id, regs, ref, r_ok, locals, fast))
		return false;
	if (!ok_ref || !rs->bind_plan || !c->has_date || ndiags)   /* what is prepared: dated carts binding cleanly */
		return true;
	return check_prepared(rs, c, date, ref_in, ref, r_ok, locals, fast, fp, st);
}

int main(int argc, char **argv)
{
	pt_srclist srcs = { 0 };
	pt_diags d;
	pt_diags_init(&d);
	const char *bytecode = NULL;
	bool require_fast = false, dump = false;
	const char *dump_jit = NULL, *form = NULL;
	int first_cart = argc;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc) {
			if (!pt_srclist_add(&srcs, argv[++i], &d))
				break;
		} else if (strcmp(argv[i], "--bytecode") == 0 && i + 1 < argc) {
			bytecode = argv[++i];
		} else if (strcmp(argv[i], "--dump") == 0) {
			dump = true;
		} else if (strcmp(argv[i], "--dump-jit") == 0 && i + 1 < argc) {
			dump_jit = argv[++i];
		} else if (strcmp(argv[i], "--jit-form") == 0 && i + 1 < argc &&
			   (strcmp(argv[i + 1], "avx") == 0 || strcmp(argv[i + 1], "sse") == 0)) {
			form = argv[++i];
		} else if (strcmp(argv[i], "--require-fast") == 0) {
			require_fast = true;
		} else {
			first_cart = i;
			break;
		}
	}
	pt_ruleset *rs = NULL;
	if (!d.n_errors && bytecode) {
		size_t len = 0;
		char *data = pt_read_file(bytecode, &len, &d);
		if (data)
			rs = pt_ptbc_load((const unsigned char *)data, len, bytecode, &d);
		free(data);
	} else if (!d.n_errors) {
		rs = pt_compile(srcs.v, srcs.n, &d);
	}
	int early = 0;   /* a way out before any cart: 2 usage, 1 a rule set without fast code, 3 no
			  * machine code to dump in this build (vex.sh skips then); -1 dumped */
	if (dump_jit && !pt_jit_supported()) {
		fprintf(stderr, "fastdiff: --dump-jit: this build has no machine code\n");
		early = 3;
	} else if (form && strcmp(form, "avx") == 0 && !dump_jit && !pt_jit_avx()) {
		fprintf(stderr, "fastdiff: --jit-form avx: this processor has no AVX (only --dump-jit can build it here)\n");
		early = 2;
	}
	if (!early && rs && form && rs->fast && rs->fast->jit) {   /* rebuilt in the form asked for, before anything reads it */
		pt_jit_free(rs->fast->jit);
		rs->fast->jit = pt_jit_build_with(rs, rs->fast, strcmp(form, "avx") == 0);
	}
	if (!early && rs && dump_jit) {   /* the machine code, raw (objdump -D -b binary -mi386:x86-64) */
		FILE *fj = fopen(dump_jit, "wb");
		const pt_jit *j = rs->fast ? rs->fast->jit : NULL;
		bool wrote = fj && j && fwrite(j->mem, 1, j->text, fj) == j->text;   /* (not the data after) */
		if ((fj && fclose(fj) != 0) || !wrote) {
			fprintf(stderr, "fastdiff: cannot write the machine code to %s\n", dump_jit);
			early = 1;
		}
		dump = true;
	}
	if (!early && rs && dump) {
		pt_fast_dump(stdout, rs);
		early = -1;
	} else if (!early && (!rs || first_cart >= argc)) {
		pt_diags_print(&d, stderr);
		fprintf(stderr, "usage: fastdiff [--rules PATH]... [--bytecode FILE] [--jit-form avx|sse] [--require-fast] CART...\n"
			"       fastdiff [--rules PATH]... [--bytecode FILE] --dump | [--jit-form avx|sse] --dump-jit FILE\n");
		early = 2;
	} else if (!early && require_fast && (!rs->fast || !rs->bind_plan)) {
		fprintf(stderr, "fastdiff: the rule set has no %s\n", rs->fast ? "fast binding plan" : "fast code");
		early = 1;
	}
	for (size_t p = 0; !early && require_fast && pt_jit_supported() && p < rs->nprogs; p++)
		if (!rs->fast->jit || !rs->fast->jit->native[p]) {   /* where it is built, every program compiles */
			fprintf(stderr, "fastdiff: program %s has no machine code\n", rs->progs[p].id);
			early = 1;
		}
	if (early) {   /* (everything freed, so that SANITIZE=1 finds no leak here) */
		pt_ruleset_free(rs);
		pt_srclist_free(&srcs);
		pt_diags_free(&d);
		return early < 0 ? 0 : early;
	}
	size_t nregs = rs->fast ? rs->fast->nregs : rs->ninputs;
	pt_rat *ref_in = calloc(rs->ninputs + 1, sizeof *ref_in), *regs = calloc(nregs + 1, sizeof *regs);
	pt_rat *locals = calloc(rs->max_locals + 1, sizeof *locals);
	pt_prog_result *ref = calloc(rs->nprogs + 1, sizeof *ref), *fast = calloc(rs->nprogs + 1, sizeof *fast);
	if (!ref_in || !regs || !locals || !ref || !fast)
		return 2;
	for (size_t i = 0; i <= rs->ninputs; i++)
		ref_in[i] = pt_rat_int(0);
	for (size_t i = 0; i <= nregs; i++)
		regs[i] = pt_rat_int(0);
	if (rs->fast)
		pt_fast_init_regs(rs, regs);
	fd_prep fp = { .nregs = nregs };
	fp.scratch = calloc(rs->ninputs + 1, sizeof *fp.scratch);
	fp.regs = calloc(nregs + 1, sizeof *fp.regs);
	if (!fp.scratch || !fp.regs)
		return 2;
	memcpy(fp.regs, regs, (nregs + 1) * sizeof *fp.regs);
	fd_stats st = { 0 };
	int rc = 0;
	for (int i = first_cart; i < argc && rc == 0; i++) {
		size_t len = 0;
		char *text = pt_read_file(argv[i], &len, &d);
		if (!text) {
			pt_diags_print(&d, stderr);
			rc = 2;
			break;
		}
		pt_src src = { argv[i], text, len, 0 };
		pt_cart_reader r;
		pt_cart_reader_init(&r, &src);
		pt_cart c;
		pt_diags cd;
		pt_diags_init(&cd);
		while (rc == 0 && pt_cart_next(&r, &c, &cd))
			if (!c.n_errors && !check_cart(rs, &c, &src, ref_in, regs, locals, ref, fast, &fp, &st))
				rc = 1;
		pt_diags_free(&cd);
		pt_cart_reader_free(&r);
		free(text);
	}
	if (rc == 0 && require_fast && st.carts && (!st.bound_fast || !st.prepared)) {
		/* a check that compared nothing the fast way would pass whatever the fast paths do */
		fprintf(stderr, "fastdiff: of %zu carts, %zu bound fast and %zu prepared: nothing was compared the fast way\n",
			st.carts, st.bound_fast, st.prepared);
		rc = 1;
	}
	if (rc == 0)
		printf("fastdiff: %zu carts (%zu bound fast, %zu the reference way), %zu evaluated, %zu with runtime errors, "
		       "%zu prepared and packed: no difference%s\n", st.carts, st.bound_fast, st.bound_ref, st.evaluated,
		       st.runtime_errors, st.prepared, rs->fast ? "" : " (no fast code: the reference VM alone)");
	free(fp.mem);
	free(fp.scratch);
	free(fp.regs);
	free(ref_in);
	free(regs);
	free(locals);
	free(ref);
	free(fast);
	pt_ruleset_free(rs);
	pt_srclist_free(&srcs);
	pt_diags_free(&d);
	return rc;
}
