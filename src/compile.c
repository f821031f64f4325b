/* compile.c - the compiler driver: parse every source, check and generate
 * each program, copy the result into a rule set and verify it.
 *
 * Also holds the builders the passes share: interned constants, strings
 * and inputs, the rule table for --explain, and instruction emission with
 * the pc -> line table. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cc.h"
#include "fast.h"
#include "grow.h"
#include "jit.h"
#include "out.h"
#include "vm.h"
#include "opcodes.h"

/* Grow a builder array to hold one more element (pt_grow); false, and
 * cc->oom, when it cannot. */
static bool grow(pt_cc *cc, void **v, size_t *cap, size_t n, size_t elem)
{
	if (pt_grow(v, cap, n + 1, elem, 64))
		return true;
	cc->oom = true;
	return false;
}

/* Report an error at loc in the program's file; nothing once out of
 * memory (or past a compiler limit, which sets cc->oom too), when a
 * lookup may fail for what it could not record (an input "not
 * declared"): the compile then says only that (pt_compile_ex). */
void pt_cc_error(pt_cc *cc, const pt_prog_info *pi, pt_loc loc, const char *code, const char *fmt, ...)
{
	if (cc->oom)
		return;
	va_list ap;
	va_start(ap, fmt);
	int len = loc.last_line == loc.first_line ? loc.last_column - loc.first_column + 1 : 1;
	size_t before = cc->d->n;
	pt_diag_vat(cc->d, PT_ERROR, pi->src, loc.first_line, loc.first_column, len, fmt, ap);
	va_end(ap);
	if (cc->d->n > before)
		snprintf(cc->d->v[cc->d->n - 1].code, sizeof cc->d->v[0].code, "%s", code);
}

/* An interning table: open addressing over indices + 1 (0 is empty),
 * kept at most half full, so interning n values is linear. */
typedef struct pt_itab pt_itab;   /* declared in cc.h */

/* Make room for one more entry, rehashing with hashes from hash_of. */
static bool itab_reserve(pt_cc *cc, pt_itab *t, uint32_t (*hash_of)(const pt_cc *, uint32_t))
{
	if (t->slot && (t->used + 1) * 2 <= (size_t)t->mask + 1)
		return true;
	uint32_t size = t->slot ? (t->mask + 1) * 2 : 64;
	uint32_t *slot = calloc(size, sizeof *slot);
	if (!slot) {
		cc->oom = true;
		return false;
	}
	for (uint32_t i = 0; t->slot && i <= t->mask; i++)
		if (t->slot[i]) {
			uint32_t h = hash_of(cc, t->slot[i] - 1) & (size - 1);
			while (slot[h])
				h = (h + 1) & (size - 1);
			slot[h] = t->slot[i];
		}
	free(t->slot);
	t->slot = slot;
	t->mask = size - 1;
	return true;
}

/* Hashes of a constant and of a string, by value. */
static uint32_t const_hash(pt_rat v)
{
	uint64_t h = pt_fnv1a(PT_FNV_INIT, &v.n, sizeof v.n);
	return (uint32_t)pt_fnv1a(h, &v.d, sizeof v.d);
}
static uint32_t const_hash_at(const pt_cc *cc, uint32_t i) { return const_hash(cc->consts[i]); }
static uint32_t str_hash_of(const char *s) { return (uint32_t)pt_fnv1a(PT_FNV_INIT, s, strlen(s)); }
static uint32_t str_hash_at(const pt_cc *cc, uint32_t i) { return str_hash_of(cc->strs[i]); }

/* Index of constant v, adding it once. */
int pt_cc_const(pt_cc *cc, pt_rat v)
{
	pt_itab *t = &cc->const_tab;
	if (!itab_reserve(cc, t, const_hash_at))
		return 0;
	uint32_t h = const_hash(v) & t->mask;
	for (; t->slot[h]; h = (h + 1) & t->mask) {
		pt_rat c = cc->consts[t->slot[h] - 1];
		if (c.n == v.n && c.d == v.d)
			return (int)t->slot[h] - 1;
	}
	if (cc->nconsts >= PT_MAX_CONSTS || !grow(cc, (void **)&cc->consts, &cc->capconsts, cc->nconsts, sizeof v)) {
		cc->limit |= cc->nconsts >= PT_MAX_CONSTS;
		cc->oom = true;
		return 0;
	}
	cc->consts[cc->nconsts] = v;
	t->slot[h] = (uint32_t)cc->nconsts + 1;
	t->used++;
	return (int)cc->nconsts++;
}

/* Index of string s, adding it once. */
int pt_cc_str(pt_cc *cc, const char *s)
{
	pt_itab *t = &cc->str_tab;
	if (!itab_reserve(cc, t, str_hash_at))
		return 0;
	uint32_t h = str_hash_of(s) & t->mask;
	for (; t->slot[h]; h = (h + 1) & t->mask)
		if (strcmp(cc->strs[t->slot[h] - 1], s) == 0)
			return (int)t->slot[h] - 1;
	if (cc->nstrs >= PT_MAX_STRS || !grow(cc, (void **)&cc->strs, &cc->capstrs, cc->nstrs, sizeof s)) {
		cc->limit |= cc->nstrs >= PT_MAX_STRS;
		cc->oom = true;
		return 0;
	}
	char *copy = pt_arena_strndup(&cc->ast, s, strlen(s));
	if (!copy) {
		cc->oom = true;
		return 0;
	}
	cc->strs[cc->nstrs] = copy;
	t->slot[h] = (uint32_t)cc->nstrs + 1;
	t->used++;
	return (int)cc->nstrs++;
}

/* Hash of an input's identity: the fields pt_cc_find_input compares for
 * its kind (builtin; category name; program; program and key). */
static uint32_t input_hash(pt_input_kind kind, int builtin, int prog, const char *name)
{
	int32_t k[2] = { (int32_t)kind, kind == PT_IN_BUILTIN ? builtin : kind == PT_IN_CATSUM ? 0 : prog };
	uint64_t h = pt_fnv1a(PT_FNV_INIT, k, sizeof k);
	if ((kind == PT_IN_CATSUM || kind == PT_IN_ACCOUNT) && name)
		h = pt_fnv1a(h, name, strlen(name));
	return (uint32_t)h;
}
static uint32_t input_hash_at(const pt_cc *cc, uint32_t i)
{
	const pt_input_def *in = &cc->inputs[i];
	return input_hash(in->kind, in->builtin, in->prog, in->name);
}

/* Whether input `in` is the one the key describes. */
static bool input_is(const pt_input_def *in, pt_input_kind kind, int builtin, int prog, const char *name)
{
	if (in->kind != kind)
		return false;
	return (kind == PT_IN_BUILTIN && in->builtin == builtin) ||
	       (kind == PT_IN_CATSUM && strcmp(in->name, name) == 0) ||
	       ((kind == PT_IN_LINKED || kind == PT_IN_BALANCE) && in->prog == prog) ||
	       (kind == PT_IN_ACCOUNT && in->prog == prog && strcmp(in->name, name) == 0) ||
	       (kind == PT_IN_USE_POINTS && in->prog == prog) || kind == PT_IN_USE_GIFTCARD ||
	       kind == PT_IN_USE_PROGRAMS || kind == PT_IN_USE_POINTS_YEN;   /* one slot each */
}

/* Index of an input slot, or -1 when there is none yet.  Hashed: a linear
 * scan per lookup made compiling many programs quadratic. */
int pt_cc_find_input(pt_cc *cc, pt_input_kind kind, int builtin, int prog, const char *name)
{
	pt_itab *t = &cc->input_tab;
	if (!t->slot)
		return -1;
	for (uint32_t h = input_hash(kind, builtin, prog, name) & t->mask; t->slot[h]; h = (h + 1) & t->mask)
		if (input_is(&cc->inputs[t->slot[h] - 1], kind, builtin, prog, name))
			return (int)t->slot[h] - 1;
	return -1;
}

/* Index of an input slot, adding it once. */
int pt_cc_input(pt_cc *cc, pt_input_kind kind, int builtin, int prog, const char *name, pt_unit type)
{
	int found = pt_cc_find_input(cc, kind, builtin, prog, name);
	if (found >= 0)
		return found;
	pt_itab *t = &cc->input_tab;
	if (cc->ninputs >= PT_MAX_INPUTS) {   /* reported once, by name: not an allocation failure */
		if (!cc->inputs_full)
			pt_diag_file(cc->d, PT_ERROR, cc->srcs[cc->cur_file].name,
				     "the rule set reads too many cart values (limit is %d: each program's link, balance and use, each declared account key, each category, each built-in)",
				     PT_MAX_INPUTS);
		cc->inputs_full = true;
		return 0;
	}
	if (!itab_reserve(cc, t, input_hash_at) ||
	    !grow(cc, (void **)&cc->inputs, &cc->capinputs, cc->ninputs, sizeof *cc->inputs)) {
		cc->oom = true;
		return 0;
	}
	const char *copy = name ? pt_arena_strndup(&cc->ast, name, strlen(name)) : NULL;
	if (name && !copy) {   /* not added: a NULL name would crash the next lookup */
		cc->oom = true;
		return 0;
	}
	pt_input_def *in = &cc->inputs[cc->ninputs];
	memset(in, 0, sizeof *in);
	in->kind = kind;
	in->builtin = builtin;
	in->prog = prog;
	in->name = copy;
	in->type = type;
	in->dflt = pt_rat_int(0);
	uint32_t h = input_hash(kind, builtin, prog, name) & t->mask;
	while (t->slot[h])
		h = (h + 1) & t->mask;
	t->slot[h] = (uint32_t)cc->ninputs + 1;
	t->used++;
	return (int)cc->ninputs++;
}

/* Offset of line `line` of src, from an index built once per source (a
 * rescan per statement would make large files quadratic). */
static size_t line_start(pt_cc *cc, const pt_src *src, int line)
{
	if (cc->line_src != src) {
		free(cc->line_starts);
		cc->line_starts = NULL;
		cc->nlines = 0;
		size_t n = 1;
		const char *end = src->text + src->len;
		for (const char *q = src->text; (q = memchr(q, '\n', (size_t)(end - q))); q++)
			n++;
		cc->line_starts = malloc(n * sizeof *cc->line_starts);
		if (!cc->line_starts) {
			cc->oom = true;
			cc->line_src = NULL;
			return 0;
		}
		cc->line_starts[cc->nlines++] = 0;
		for (const char *q = src->text; (q = memchr(q, '\n', (size_t)(end - q))); q++)
			cc->line_starts[cc->nlines++] = (size_t)(q - src->text) + 1;
		cc->line_src = src;
	}
	return line >= 1 && (size_t)line <= cc->nlines ? cc->line_starts[line - 1] : src->len;
}

/* Add an --explain entry for the statement at loc. */
int pt_cc_rule(pt_cc *cc, const pt_prog_info *pi, pt_loc loc, pt_unit unit)
{
	if (!grow(cc, (void **)&cc->rules, &cc->caprules, cc->nrules, sizeof *cc->rules))
		return 0;
	const pt_src *src = pi->src;
	const char *p = src->text + line_start(cc, src, loc.first_line), *end = src->text + src->len;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	const char *e = p;
	while (e < end && *e != '\n' && *e != '\r' && *e != '#')
		e++;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	pt_rule_def *r = &cc->rules[cc->nrules];
	r->file = pi->ast->file;
	r->line = loc.first_line;
	r->col = loc.first_column;
	r->text = pt_arena_strndup(&cc->ast, p, (size_t)(e - p));
	if (!r->text)
		cc->oom = true;   /* (the compile stops; nothing reads the rule) */
	r->prog = pi->index;
	r->unit = unit;
	return (int)cc->nrules++;
}

/* Add a coverage point for the instruction at pc. */
void pt_cc_cover(pt_cc *cc, const pt_prog_info *pi, uint32_t pc, unsigned mask, int line, const char *what)
{
	if (!grow(cc, (void **)&cc->covers, &cc->capcovers, cc->ncovers, sizeof *cc->covers))
		return;
	char *w = pt_arena_strndup(&cc->ast, what, strlen(what));
	if (!w) {
		cc->oom = true;
		return;
	}
	cc->covers[cc->ncovers++] = (pt_cover_def){ pc, mask, pi->ast->file, line, pi->index, w };
}

/* Append an instruction with the current source line; returns its pc. */
uint32_t pt_cc_emit(pt_cc *cc, int op, uint32_t arg)
{
	if (cc->ncode >= PT_MAX_CODE) {
		cc->limit = true;
		cc->oom = true;
		return 0;
	}
	if (!grow(cc, (void **)&cc->code, &cc->capcode, cc->ncode, sizeof *cc->code))
		return 0;
	if (cc->caplines < cc->capcode) {   /* the line table follows the code: its own count, so a failure here stays one */
		pt_line_def *l = realloc(cc->lines, cc->capcode * sizeof *l);
		if (!l) {
			cc->oom = true;
			return 0;
		}
		cc->lines = l;
		cc->caplines = cc->capcode;
	}
	cc->code[cc->ncode] = PT_INS(op, arg & PT_ARG_MAX);
	cc->lines[cc->ncode] = (pt_line_def){ (uint16_t)cc->cur_file, (uint32_t)cc->cur_line };
	return (uint32_t)cc->ncode++;
}

/* Set the target of the jump at pc `at`. */
void pt_cc_patch(pt_cc *cc, uint32_t at, uint32_t target)
{
	if (at < cc->ncode)
		cc->code[at] = PT_INS(PT_INS_OP(cc->code[at]), target & PT_ARG_MAX);
}

/* Copy n elements into the rule set's arena. */
static void *copy_out(pt_arena *a, const void *src, size_t n, size_t elem, bool *ok)
{
	if (n == 0)
		return NULL;
	void *p = pt_arena_alloc(a, n * elem);
	if (!p) {
		*ok = false;
		return NULL;
	}
	memcpy(p, src, n * elem);
	return p;
}

/* Copy a C string into the arena (NULL stays NULL). */
static const char *str_out(pt_arena *a, const char *s, bool *ok)
{
	if (!s)
		return NULL;
	char *p = pt_arena_strndup(a, s, strlen(s));
	if (!p)
		*ok = false;
	return p;
}

/* Move the builders into a freshly allocated rule set. */
static pt_ruleset *build_ruleset(pt_cc *cc, pt_program *progs)
{
	pt_ruleset *rs = calloc(1, sizeof *rs);
	if (!rs)
		return NULL;
	bool ok = true;
	pt_arena *a = &rs->arena;
	pt_arena_init(a, 1 << 16);
	rs->nprogs = cc->nprogs;
	rs->npolicies = cc->npolicies;
	rs->progs = copy_out(a, progs, cc->nprogs + cc->npolicies, sizeof *progs, &ok);
	for (size_t i = 0; ok && i < rs->nprogs + rs->npolicies; i++) {
		rs->progs[i].id = str_out(a, progs[i].id, &ok);
		rs->progs[i].name = str_out(a, progs[i].name, &ok);
		rs->progs[i].granted = str_out(a, progs[i].granted, &ok);
	}
	rs->policies = ok ? rs->progs + rs->nprogs : NULL;   /* one array, policies last */
	rs->ncode = cc->ncode;
	rs->code = copy_out(a, cc->code, cc->ncode, sizeof *cc->code, &ok);
	rs->lines = copy_out(a, cc->lines, cc->ncode, sizeof *cc->lines, &ok);
	rs->nconsts = cc->nconsts;
	rs->consts = copy_out(a, cc->consts, cc->nconsts, sizeof *cc->consts, &ok);
	rs->nstrs = cc->nstrs;
	rs->strs = copy_out(a, cc->strs, cc->nstrs, sizeof *cc->strs, &ok);
	for (size_t i = 0; ok && i < rs->nstrs; i++)
		rs->strs[i] = str_out(a, cc->strs[i], &ok);
	rs->ninputs = cc->ninputs;
	rs->inputs = copy_out(a, cc->inputs, cc->ninputs, sizeof *cc->inputs, &ok);
	for (size_t i = 0; ok && i < rs->ninputs; i++)
		rs->inputs[i].name = str_out(a, cc->inputs[i].name, &ok);
	rs->nrules = cc->nrules;
	rs->rules = copy_out(a, cc->rules, cc->nrules, sizeof *cc->rules, &ok);
	for (size_t i = 0; ok && i < rs->nrules; i++)
		rs->rules[i].text = str_out(a, cc->rules[i].text, &ok);
	rs->ncovers = cc->ncovers;
	rs->covers = copy_out(a, cc->covers, cc->ncovers, sizeof *cc->covers, &ok);
	for (size_t i = 0; ok && i < rs->ncovers; i++)
		rs->covers[i].what = str_out(a, cc->covers[i].what, &ok);
	rs->nfiles = cc->nsrcs;
	rs->files = pt_arena_alloc(a, (cc->nsrcs ? cc->nsrcs : 1) * sizeof *rs->files);
	if (!rs->files)
		ok = false;
	for (size_t i = 0; ok && i < cc->nsrcs; i++)
		rs->files[i] = str_out(a, cc->srcs[i].name, &ok);
	if (!ok) {
		pt_ruleset_free(rs);
		return NULL;
	}
	return rs;
}

/* Compile without lints. */
pt_ruleset *pt_compile(const pt_src *srcs, size_t n, pt_diags *d)
{
	return pt_compile_ex(srcs, n, d, false);
}

/* Reorder the parsed list: programs first, then policies, each in
 * source order, so program indices do not depend on where policies are. */
static pt_prog_ast *policies_last(pt_prog_ast *all)
{
	pt_prog_ast *progs = NULL, **pt = &progs, *pols = NULL, **qt = &pols;
	for (pt_prog_ast *g = all, *next; g; g = next) {
		next = g->next;
		g->next = NULL;
		if (g->policy) {
			*qt = g;
			qt = &g->next;
		} else {
			*pt = g;
			pt = &g->next;
		}
	}
	*pt = pols;
	return progs;
}

/* Whether the compile stops after a pass: an error since it started
 * (errors before it), out of memory, or a diagnostic lost for want of
 * memory (d->oom set since, oom_in being its value at the start). */
static bool compile_stops(const pt_cc *cc, size_t errors, bool oom_in)
{
	return cc->d->n_errors > errors || cc->oom || cc->d->oom != oom_in;
}

/* Parse, check, lint, generate and verify; NULL with diagnostics on error. */
pt_ruleset *pt_compile_ex(const pt_src *srcs, size_t n, pt_diags *d, bool lint)
{
	pt_cc cc = { .d = d, .srcs = srcs, .nsrcs = n };
	pt_ruleset *rs = NULL;
	pt_program *progs = NULL;
	size_t errors = d->n_errors;
	bool oom_in = d->oom;   /* a diagnostic lost before this compile is not its own */
	pt_arena_init(&cc.ast, 1 << 16);
	pt_prog_ast *all = NULL, **tail = &all;
	for (size_t i = 0; i < n; i++) {
		if (srcs[i].len > PT_MAX_SOURCE) {
			pt_diag_file(d, PT_ERROR, srcs[i].name, "rules file is too large (limit is %u bytes)",
				     (unsigned)PT_MAX_SOURCE);
			continue;
		}
		pt_parser p = { .arena = &cc.ast, .diags = d, .src = &srcs[i], .file = (int)i };
		pt_parse(&p);
		if (p.oom)
			cc.oom = true;
		*tail = p.progs;
		while (*tail)
			tail = &(*tail)->next;
	}
	all = policies_last(all);
	for (pt_prog_ast *g = all; g; g = g->next) {
		if (g->policy)
			cc.npolicies++;
		else
			cc.nprogs++;
	}
	if (cc.nprogs > PT_MAX_PROGRAMS || cc.npolicies > PT_MAX_PROGRAMS) {
		pt_diag_file(d, PT_ERROR, srcs[0].name, "too many programs (limit is %d)", PT_MAX_PROGRAMS);
		goto out;
	}
	if (compile_stops(&cc, errors, oom_in))   /* out of memory: nodes half made (ids NULL), or an error lost */
		goto out;
	if (cc.nprogs + cc.npolicies == 0) {
		pt_diag_file(d, PT_ERROR, n ? srcs[0].name : "rules", "no programs found; a rules file holds `program ID { ... }` blocks");
		goto out;
	}
	cc.progs = calloc(cc.nprogs + cc.npolicies, sizeof *cc.progs);
	progs = calloc(cc.nprogs + cc.npolicies, sizeof *progs);
	if (!cc.progs || !progs) {
		cc.oom = true;
		goto out;
	}
	/* Program ids hashed (indices + 1, at most half full): comparing each id
	 * with every earlier one made many programs quadratic. */
	size_t idmask = 63;
	while (idmask + 1 < (cc.nprogs + cc.npolicies) * 2)
		idmask = idmask * 2 + 1;
	uint32_t *ids = calloc(idmask + 1, sizeof *ids);
	if (!ids) {
		cc.oom = true;
		goto out;
	}
	size_t k = 0;
	for (pt_prog_ast *g = all; g; g = g->next, k++) {
		pt_prog_info *pi = &cc.progs[k];
		pi->ast = g;
		pi->index = (int)k;
		pi->src = &srcs[g->file];
		size_t h = (size_t)pt_fnv1a(PT_FNV_INIT, g->id, strlen(g->id)) & idmask;
		while (ids[h] && strcmp(cc.progs[ids[h] - 1].ast->id, g->id) != 0)
			h = (h + 1) & idmask;
		if (!ids[h])
			ids[h] = (uint32_t)k + 1;
		else    /* a duplicate: name every earlier definition, as before */
			for (size_t j = 0; j < k; j++)
				if (strcmp(cc.progs[j].ast->id, g->id) == 0)
					pt_cc_error(&cc, pi, g->id_loc, "PT010", "program '%s' is defined twice (first at %s:%d); use dated blocks for versions",
						    g->id, srcs[cc.progs[j].ast->file].name, cc.progs[j].ast->id_loc.first_line);
		if (g->policy)
			continue;
		cc.cur_file = g->file;
		/* Every program owns its linked flag and balance slots. */
		pt_cc_input(&cc, PT_IN_LINKED, 0, pi->index, NULL, PT_U_BOOL);
		pt_cc_input(&cc, PT_IN_BALANCE, 0, pi->index, "balance", PT_U_POINTS);
	}
	free(ids);
	for (size_t i = 0; i < cc.nprogs + cc.npolicies; i++) {
		cc.cur_file = cc.progs[i].ast->file;   /* names the file in a limit error */
		pt_sema_program(&cc, &cc.progs[i]);
	}
	if (compile_stops(&cc, errors, oom_in))
		goto out;
	if (lint) {
		bool *read = calloc(PT_MAX_INPUTS, sizeof *read);
		if (!read) {
			cc.oom = true;
			goto out;
		}
		for (size_t i = 0; i < cc.nprogs; i++)
			pt_lint_program(&cc, &cc.progs[i], read);
		pt_lint_unread(&cc, read);
		free(read);
	}
	for (size_t i = 0; i < cc.nprogs + cc.npolicies; i++) {   /* programs, then policies */
		pt_prog_info *pi = &cc.progs[i];
		pt_program *pg = &progs[i];
		pg->id = pi->ast->id;
		pg->name = pi->name->name;
		pg->file = pi->ast->file;
		pg->line = pi->ast->loc.first_line;
		pg->valid_from = pi->valid ? pi->valid->from : PT_DATE_MIN;
		pg->valid_until = pi->valid ? pi->valid->until : PT_DATE_MAX;
		if (pi->ast->policy) {
			pt_gen_policy(&cc, pi, pg);
			continue;
		}
		pg->linked_input = pt_cc_input(&cc, PT_IN_LINKED, 0, pi->index, NULL, PT_U_BOOL);
		pg->balance_input = pt_cc_input(&cc, PT_IN_BALANCE, 0, pi->index, "balance", PT_U_POINTS);
		pt_gen_program(&cc, pi, pg);
	}
	if (compile_stops(&cc, errors, oom_in))
		goto out;
	rs = build_ruleset(&cc, progs);
	if (!rs) {
		cc.oom = true;
		goto out;
	}
	rs->source_hash = PT_FNV_INIT;
	for (size_t i = 0; i < n; i++) {
		uint64_t len = srcs[i].len;
		rs->source_hash = pt_fnv1a(rs->source_hash, srcs[i].name, strlen(srcs[i].name) + 1);
		rs->source_hash = pt_fnv1a(rs->source_hash, &len, sizeof len);
		rs->source_hash = pt_fnv1a(rs->source_hash, srcs[i].text, srcs[i].len);
	}
	if (!pt_verify(rs, d, n ? srcs[0].name : "rules")) {
		pt_ruleset_free(rs);
		rs = NULL;
	} else if (!pt_ruleset_index(rs, !lint)) {   /* `check` does not evaluate */
		pt_ruleset_free(rs);
		rs = NULL;
		cc.oom = true;
	}
out:;
	bool lost = d->oom != oom_in;   /* a diagnostic (a lint warning) lost for want of memory */
	if (rs && lost) {
		pt_ruleset_free(rs);
		rs = NULL;
	}
	if (cc.limit)
		pt_diag_file(d, PT_ERROR, n ? srcs[0].name : "rules", "a compiler limit was exceeded (docs/language.md, Limits)");
	else if (cc.oom || lost)
		pt_diag_oom(d, n ? srcs[0].name : "rules");
	free(cc.code);
	free(cc.lines);
	free(cc.consts);
	free(cc.strs);
	free(cc.inputs);
	free(cc.rules);
	free(cc.covers);
	free(cc.line_starts);
	free(cc.const_tab.slot);
	free(cc.str_tab.slot);
	free(cc.input_tab.slot);
	free(cc.progs);
	free(progs);
	pt_arena_free(&cc.ast);
	return rs;
}

/* Hash bytes into h (Fowler-Noll-Vo 1a, 64-bit). */
uint64_t pt_fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* Release a rule set and everything it owns. */
void pt_ruleset_free(pt_ruleset *rs)
{
	if (!rs)
		return;
	if (rs->fast)
		pt_jit_free(rs->fast->jit);   /* mapped apart from the arena */
	pt_arena_free(&rs->arena);
	free(rs);
}

/* Hash a C string (FNV-1a) for the string index. */
static inline uint32_t str_hash(const char *s)
{
	uint64_t h = PT_FNV_INIT;   /* pt_fnv1a over the string, inline: cart words are short */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return (uint32_t)h;
}

/* Index the string table for pt_ruleset_find_str, and list the inputs
 * binding fills in one pass over a cart's items. */
bool pt_ruleset_index(pt_ruleset *rs, bool fast)
{
	uint32_t size = 16;
	while (size < 2 * rs->nstrs + 2)
		size *= 2;
	rs->str_index = pt_arena_alloc(&rs->arena, size * sizeof *rs->str_index);
	if (!rs->str_index)
		return false;
	rs->str_mask = size - 1;
	rs->total_slot = -1;
	rs->use_yen_slot = -1;
	rs->ncatsums = 0;
	rs->catsum_slots = pt_arena_alloc(&rs->arena, (rs->ninputs + 1) * sizeof *rs->catsum_slots);
	if (!rs->catsum_slots)
		return false;
	for (size_t i = 0; i < rs->ninputs; i++) {
		if (rs->inputs[i].kind == PT_IN_CATSUM)
			rs->catsum_slots[rs->ncatsums++] = (uint32_t)i;
		else if (rs->inputs[i].kind == PT_IN_BUILTIN && rs->inputs[i].builtin == PT_B_TOTAL)
			rs->total_slot = (int)i;
		else if (rs->inputs[i].kind == PT_IN_USE_POINTS_YEN)
			rs->use_yen_slot = (int)i;
	}
	for (size_t i = 0; i < rs->nstrs; i++) {
		uint32_t h = str_hash(rs->strs[i]) & rs->str_mask;
		while (rs->str_index[h])
			h = (h + 1) & rs->str_mask;
		rs->str_index[h] = (uint32_t)i + 1;
	}
	rs->earn_reads_paid = false;   /* which earn sections read use.points_yen (verified code) */
	for (size_t p = 0; p < rs->nprogs; p++) {
		pt_program *pg = &rs->progs[p];
		pg->earn_reads_paid = false;
		for (uint32_t pc = pg->earn_pc; rs->use_yen_slot >= 0 && pc < pg->earn_end; pc++)
			if (PT_INS_OP(rs->code[pc]) == PT_OP_INPUT && (int)PT_INS_ARG(rs->code[pc]) == rs->use_yen_slot)
				pg->earn_reads_paid = true;
		rs->earn_reads_paid = rs->earn_reads_paid || pg->earn_reads_paid;
	}
	rs->bind_plan = NULL;
	rs->fast = NULL;
	if (!fast)   /* `check`: nothing is evaluated or printed (the printer copes without rs->json) */
		return true;
	if (!pt_out_prepare(rs))   /* the JSON printer's escaped strings */
		return false;
	pt_bind_plan_build(rs);   /* optional, as the fast code: NULL means the reference way */
	if (!rs->earn_reads_paid)   /* the fast code runs each program's two sections together */
		pt_fast_build(rs);   /* optional: NULL leaves evaluation to the reference VM */
	return true;
}

/* The index of the program with this id, or -1 (a scan: used when a
 * cart needs a diagnostic or has `use` records; the fast binding hashes). */
int pt_ruleset_find_prog(const pt_ruleset *rs, const char *id)
{
	for (size_t i = 0; i < rs->nprogs; i++)
		if (strcmp(rs->progs[i].id, id) == 0)
			return (int)i;
	return -1;
}

/* Look up a string in the rule set's table. */
int pt_ruleset_find_str(const pt_ruleset *rs, const char *s)
{
	if (!rs->str_index) {
		for (size_t i = 0; i < rs->nstrs; i++)
			if (strcmp(rs->strs[i], s) == 0)
				return (int)i;
		return -1;
	}
	for (uint32_t h = str_hash(s) & rs->str_mask; rs->str_index[h]; h = (h + 1) & rs->str_mask)
		if (strcmp(rs->strs[rs->str_index[h] - 1], s) == 0)
			return (int)rs->str_index[h] - 1;
	return -1;
}
