/* ptbc.c - writing and loading compiled rule set files. */
#include "ptbc.h"

#include <stdlib.h>
#include <string.h>

/* ---- writer ------------------------------------------------------------ */

typedef struct wbuf {
	unsigned char *p;
	size_t len, cap;
	bool oom;
} wbuf;

/* Append n bytes, growing the buffer. */
static void w_bytes(wbuf *w, const void *src, size_t n)
{
	if (w->oom)
		return;
	if (w->len + n > w->cap) {
		size_t nc = w->cap ? w->cap : 4096;
		while (nc < w->len + n)
			nc *= 2;
		unsigned char *np = realloc(w->p, nc);
		if (!np) {
			w->oom = true;
			return;
		}
		w->p = np;
		w->cap = nc;
	}
	memcpy(w->p + w->len, src, n);
	w->len += n;
}

/* Little-endian integers of each width. */
static void w_u8(wbuf *w, unsigned v) { unsigned char b = (unsigned char)v; w_bytes(w, &b, 1); }
static void w_u16(wbuf *w, unsigned v) { unsigned char b[2] = { (unsigned char)v, (unsigned char)(v >> 8) }; w_bytes(w, b, 2); }
static void w_u32(wbuf *w, uint32_t v)
{
	unsigned char b[4];
	for (int i = 0; i < 4; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	w_bytes(w, b, 4);
}
static void w_u64(wbuf *w, uint64_t v)
{
	w_u32(w, (uint32_t)v);
	w_u32(w, (uint32_t)(v >> 32));
}
static void w_i32(wbuf *w, int32_t v) { w_u32(w, (uint32_t)v); }
static void w_i64(wbuf *w, int64_t v) { w_u64(w, (uint64_t)v); }

/* A string as length + bytes; NULL is length 0xFFFFFFFF. */
static void w_str(wbuf *w, const char *s)
{
	if (!s) {
		w_u32(w, 0xFFFFFFFFu);
		return;
	}
	size_t n = strlen(s);
	w_u32(w, (uint32_t)n);
	w_bytes(w, s, n);
}

/* One program or policy table entry. */
static void w_program(wbuf *w, const pt_program *pg)
{
	w_str(w, pg->id);
	w_str(w, pg->name);
	w_str(w, pg->granted);
	w_i32(w, pg->file);
	w_i32(w, pg->line);
	w_u32(w, pg->redeem_pc);
	w_u32(w, pg->redeem_end);
	w_u32(w, pg->earn_pc);
	w_u32(w, pg->earn_end);
	w_u8(w, pg->redeems);
	w_u8(w, pg->earns);
	w_u32(w, pg->nlocals);
	w_i32(w, pg->linked_input);
	w_i32(w, pg->balance_input);
	w_i32(w, pg->valid_from);
	w_i32(w, pg->valid_until);
}

/* Open a section; returns where its length goes. */
static size_t w_open(wbuf *w, const char tag[4])
{
	w_bytes(w, tag, 4);
	size_t at = w->len;
	w_u32(w, 0);
	return at;
}

/* Patch the section's byte length. */
static void w_close(wbuf *w, size_t at)
{
	if (w->oom)
		return;
	uint32_t n = (uint32_t)(w->len - at - 4);
	for (int i = 0; i < 4; i++)
		w->p[at + (size_t)i] = (unsigned char)(n >> (8 * i));
}

/* CRC-32C, bit by bit (files are small; no table to keep). */
uint32_t pt_crc32c(const unsigned char *p, size_t n)
{
	uint32_t crc = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
	}
	return ~crc;
}

/* Serialise every table in a fixed order. */
bool pt_ptbc_save(const pt_ruleset *rs, unsigned char **out, size_t *len)
{
	wbuf w = { 0 };
	unsigned char hdr[PT_PTBC_HEADER] = { 0 };
	w_bytes(&w, hdr, sizeof hdr);
	size_t s = w_open(&w, "FILE");
	w_u32(&w, (uint32_t)rs->nfiles);
	for (size_t i = 0; i < rs->nfiles; i++)
		w_str(&w, rs->files[i]);
	w_close(&w, s);
	s = w_open(&w, "STRS");
	w_u32(&w, (uint32_t)rs->nstrs);
	for (size_t i = 0; i < rs->nstrs; i++)
		w_str(&w, rs->strs[i]);
	w_close(&w, s);
	s = w_open(&w, "CONS");
	w_u32(&w, (uint32_t)rs->nconsts);
	for (size_t i = 0; i < rs->nconsts; i++) {
		w_i64(&w, rs->consts[i].n);
		w_i64(&w, rs->consts[i].d);
	}
	w_close(&w, s);
	s = w_open(&w, "INPT");
	w_u32(&w, (uint32_t)rs->ninputs);
	for (size_t i = 0; i < rs->ninputs; i++) {
		const pt_input_def *in = &rs->inputs[i];
		w_u8(&w, (unsigned)in->kind);
		w_u8(&w, (unsigned)in->type);
		w_u8(&w, in->has_default);
		w_i32(&w, in->builtin);
		w_i32(&w, in->prog);
		w_str(&w, in->name);
		w_i64(&w, in->dflt.n);
		w_i64(&w, in->dflt.d);
		w_i32(&w, in->file);
		w_i32(&w, in->line);
	}
	w_close(&w, s);
	s = w_open(&w, "PROG");
	w_u32(&w, (uint32_t)rs->nprogs);
	for (size_t i = 0; i < rs->nprogs; i++)
		w_program(&w, &rs->progs[i]);
	w_u32(&w, (uint32_t)rs->npolicies);
	for (size_t i = 0; i < rs->npolicies; i++)
		w_program(&w, &rs->policies[i]);
	w_close(&w, s);
	s = w_open(&w, "RULE");
	w_u32(&w, (uint32_t)rs->nrules);
	for (size_t i = 0; i < rs->nrules; i++) {
		const pt_rule_def *r = &rs->rules[i];
		w_i32(&w, r->file);
		w_i32(&w, r->line);
		w_i32(&w, r->col);
		w_i32(&w, r->prog);
		w_u8(&w, (unsigned)r->unit);
		w_str(&w, r->text);
	}
	w_close(&w, s);
	s = w_open(&w, "CODE");
	w_u32(&w, (uint32_t)rs->ncode);
	for (size_t i = 0; i < rs->ncode; i++)
		w_u32(&w, rs->code[i]);
	w_close(&w, s);
	s = w_open(&w, "LINE");
	w_u32(&w, (uint32_t)rs->ncode);
	for (size_t i = 0; i < rs->ncode; i++) {
		w_u16(&w, rs->lines[i].file);
		w_u32(&w, rs->lines[i].line);
	}
	w_close(&w, s);
	if (w.oom || w.len - PT_PTBC_HEADER > 0xFFFFFFFFu) {
		free(w.p);
		return false;
	}
	/* Header last: it carries the payload's length and checksum. */
	wbuf h = { 0 };
	w_bytes(&h, PT_PTBC_MAGIC, 8);
	w_u32(&h, PT_PTBC_VERSION);
	w_u32(&h, 0);
	w_u32(&h, (uint32_t)(w.len - PT_PTBC_HEADER));
	w_u32(&h, pt_crc32c(w.p + PT_PTBC_HEADER, w.len - PT_PTBC_HEADER));
	w_u64(&h, rs->source_hash);
	if (h.oom) {
		free(w.p);
		return false;
	}
	memcpy(w.p, h.p, PT_PTBC_HEADER);
	free(h.p);
	*out = w.p;
	*len = w.len;
	return true;
}

/* ---- loader -------------------------------------------------------------- */

typedef struct rbuf {
	const unsigned char *base, *p, *end;
	const char *name;
	pt_diags *d;
	pt_arena *a;
	bool bad;
} rbuf;

/* Report what is wrong at the current offset, once. */
static void r_fail(rbuf *r, const char *what)
{
	if (!r->bad)
		pt_diag_file(r->d, PT_ERROR, r->name, "byte %zu: %s", (size_t)(r->p - r->base), what);
	r->bad = true;
}

/* r_fail for a failed allocation, which the API reports as ENOMEM. */
static void r_oom(rbuf *r)
{
	if (!r->bad)
		r->d->oom = true;
	r_fail(r, "out of memory");
}

/* Whether n more bytes are there; reports truncation otherwise. */
static bool r_need(rbuf *r, size_t n)
{
	if (r->bad)
		return false;
	if ((size_t)(r->end - r->p) < n) {
		r_fail(r, "the file is truncated");
		return false;
	}
	return true;
}

static uint64_t r_le(rbuf *r, int bytes)
{
	uint64_t v = 0;
	if (!r_need(r, (size_t)bytes))
		return 0;
	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)r->p[i] << (8 * i);
	r->p += bytes;
	return v;
}
static unsigned r_u8(rbuf *r) { return (unsigned)r_le(r, 1); }
static unsigned r_u16(rbuf *r) { return (unsigned)r_le(r, 2); }
static uint32_t r_u32(rbuf *r) { return (uint32_t)r_le(r, 4); }
static int32_t r_i32(rbuf *r) { return (int32_t)r_u32(r); }
static int64_t r_i64(rbuf *r) { return (int64_t)r_le(r, 8); }

/* A length-prefixed string: valid UTF-8, no NUL, at most max bytes. */
static const char *r_str(rbuf *r, bool nullable, size_t max)
{
	uint32_t n = r_u32(r);
	if (r->bad)
		return NULL;
	if (n == 0xFFFFFFFFu) {
		if (!nullable)
			r_fail(r, "a required string is missing");
		return NULL;
	}
	if (n > max) {
		r_fail(r, "a string is longer than any ptrules writes");
		return NULL;
	}
	if (!r_need(r, n))
		return NULL;
	if (pt_utf8_check((const char *)r->p, n) >= 0) {
		r_fail(r, "a string is not valid UTF-8 (or holds a NUL byte)");
		return NULL;
	}
	char *s = pt_arena_strndup(r->a, (const char *)r->p, n);
	if (!s)
		r_oom(r);
	r->p += n;
	return s;
}

/* A table count, bounded by a limit and by the bytes left (each element
 * takes at least min_size bytes), so a forged count cannot make us
 * allocate more than the file could describe. */
static size_t r_count(rbuf *r, size_t limit, size_t min_size, const char *what)
{
	uint32_t n = r_u32(r);
	if (r->bad)
		return 0;
	if (n > limit || (size_t)(r->end - r->p) / min_size < n) {
		char msg[128];
		snprintf(msg, sizeof msg, "%s count %u is impossible here", what, (unsigned)n);
		r_fail(r, msg);
		return 0;
	}
	return n;
}

/* Zeroed arena array of n elements (n may be 0). */
static void *r_array(rbuf *r, size_t n, size_t elem)
{
	void *p = pt_arena_alloc(r->a, (n ? n : 1) * elem);
	if (!p)
		r_oom(r);
	return p;
}

/* Enter section `tag`; returns the end of its contents. */
static const unsigned char *r_section(rbuf *r, const char tag[4])
{
	if (!r_need(r, 8))
		return r->p;
	if (memcmp(r->p, tag, 4) != 0) {
		char msg[64];
		snprintf(msg, sizeof msg, "expected section %.4s", tag);
		r_fail(r, msg);
		return r->p;
	}
	r->p += 4;
	uint32_t n = r_u32(r);
	if (!r_need(r, n))
		return r->p;
	return r->p + n;
}

/* Leave a section, which must have been read exactly. */
static void r_end(rbuf *r, const unsigned char *end, const char tag[4])
{
	if (!r->bad && r->p != end) {
		char msg[64];
		snprintf(msg, sizeof msg, "section %.4s has a wrong length", tag);
		r_fail(r, msg);
	}
}

/* One program or policy table entry. */
static void r_program(rbuf *r, pt_program *pg)
{
	pg->id = r_str(r, false, 256);
	pg->name = r_str(r, false, 1024);
	pg->granted = r_str(r, true, 256);
	pg->file = r_i32(r);
	pg->line = r_i32(r);
	pg->redeem_pc = r_u32(r);
	pg->redeem_end = r_u32(r);
	pg->earn_pc = r_u32(r);
	pg->earn_end = r_u32(r);
	unsigned redeems = r_u8(r), earns = r_u8(r);
	pg->nlocals = r_u32(r);
	pg->linked_input = r_i32(r);
	pg->balance_input = r_i32(r);
	pg->valid_from = r_i32(r);
	pg->valid_until = r_i32(r);
	if (!r->bad && (redeems > 1 || earns > 1))
		r_fail(r, "a program flag is neither 0 nor 1");
	pg->redeems = redeems;
	pg->earns = earns;
}

/* Read every table into rs, checking each field's range. */
static void read_tables(rbuf *r, pt_ruleset *rs)
{
	const unsigned char *end = r_section(r, "FILE");
	rs->nfiles = r_count(r, 65535, 4, "file");
	rs->files = r_array(r, rs->nfiles, sizeof *rs->files);
	for (size_t i = 0; !r->bad && i < rs->nfiles; i++)
		rs->files[i] = r_str(r, false, 4096);
	r_end(r, end, "FILE");

	end = r_section(r, "STRS");
	rs->nstrs = r_count(r, PT_MAX_STRS, 4, "string");
	rs->strs = r_array(r, rs->nstrs, sizeof *rs->strs);
	for (size_t i = 0; !r->bad && i < rs->nstrs; i++)
		rs->strs[i] = r_str(r, false, 4096);
	r_end(r, end, "STRS");

	end = r_section(r, "CONS");
	rs->nconsts = r_count(r, PT_MAX_CONSTS, 16, "constant");
	rs->consts = r_array(r, rs->nconsts, sizeof *rs->consts);
	for (size_t i = 0; !r->bad && i < rs->nconsts; i++) {
		int64_t n = r_i64(r), d = r_i64(r);
		if (!r->bad && (!pt_rat_make(n, d, &rs->consts[i]) || rs->consts[i].n != n || rs->consts[i].d != d))
			r_fail(r, "a constant is not a fraction in lowest terms with a positive denominator");
	}
	r_end(r, end, "CONS");

	end = r_section(r, "INPT");
	rs->ninputs = r_count(r, PT_MAX_INPUTS, 39, "input");
	rs->inputs = r_array(r, rs->ninputs, sizeof *rs->inputs);
	for (size_t i = 0; !r->bad && i < rs->ninputs; i++) {
		pt_input_def *in = &rs->inputs[i];
		unsigned kind = r_u8(r), type = r_u8(r), has = r_u8(r);
		in->builtin = r_i32(r);
		in->prog = r_i32(r);
		in->name = r_str(r, true, 256);
		int64_t n = r_i64(r), d = r_i64(r);
		in->file = r_i32(r);
		in->line = r_i32(r);
		if (r->bad)
			break;
		if (kind >= PT_IN__COUNT || type > PT_U_STR || has > 1)
			r_fail(r, "an input has an unknown kind or unit");
		in->kind = (pt_input_kind)kind;
		in->type = (pt_unit)type;
		in->has_default = has;
		if (!r->bad && (!pt_rat_make(n, d, &in->dflt) || in->dflt.n != n || in->dflt.d != d))
			r_fail(r, "an input default is not a fraction in lowest terms with a positive denominator");
	}
	r_end(r, end, "INPT");

	end = r_section(r, "PROG");
	rs->nprogs = r_count(r, PT_MAX_PROGRAMS, 58, "program");
	rs->progs = r_array(r, rs->nprogs, sizeof *rs->progs);
	for (size_t i = 0; !r->bad && i < rs->nprogs; i++) {
		r_program(r, &rs->progs[i]);
		for (size_t j = 0; !r->bad && j < i; j++)
			if (strcmp(rs->progs[j].id, rs->progs[i].id) == 0)
				r_fail(r, "two programs have the same id");
	}
	rs->npolicies = r_count(r, PT_MAX_PROGRAMS, 58, "policy");
	rs->policies = r_array(r, rs->npolicies, sizeof *rs->policies);
	for (size_t i = 0; !r->bad && i < rs->npolicies; i++)
		r_program(r, &rs->policies[i]);
	r_end(r, end, "PROG");

	end = r_section(r, "RULE");
	rs->nrules = r_count(r, PT_MAX_CODE, 21, "rule");
	rs->rules = r_array(r, rs->nrules, sizeof *rs->rules);
	for (size_t i = 0; !r->bad && i < rs->nrules; i++) {
		pt_rule_def *ru = &rs->rules[i];
		ru->file = r_i32(r);
		ru->line = r_i32(r);
		ru->col = r_i32(r);
		ru->prog = r_i32(r);
		unsigned unit = r_u8(r);
		ru->text = r_str(r, false, 4096);
		if (!r->bad && unit > PT_U_STR)
			r_fail(r, "a rule has an unknown unit");
		ru->unit = (pt_unit)unit;
	}
	r_end(r, end, "RULE");

	end = r_section(r, "CODE");
	rs->ncode = r_count(r, PT_MAX_CODE, 4, "instruction");
	rs->code = r_array(r, rs->ncode, sizeof *rs->code);
	for (size_t i = 0; !r->bad && i < rs->ncode; i++)
		rs->code[i] = r_u32(r);
	r_end(r, end, "CODE");

	end = r_section(r, "LINE");
	size_t nlines = r_count(r, PT_MAX_CODE, 6, "line table");
	if (!r->bad && nlines != rs->ncode)
		r_fail(r, "the line table does not match the code");
	rs->lines = r_array(r, rs->ncode, sizeof *rs->lines);
	for (size_t i = 0; !r->bad && i < nlines; i++) {
		rs->lines[i].file = (uint16_t)r_u16(r);
		rs->lines[i].line = r_u32(r);
	}
	r_end(r, end, "LINE");
	if (!r->bad && r->p != r->end)
		r_fail(r, "unexpected bytes after the last section");
}

/* Check the header, then the tables, then the code. */
pt_ruleset *pt_ptbc_load(const unsigned char *data, size_t len, const char *name, pt_diags *d)
{
	rbuf r = { data, data, data + len, name, d, NULL, false };
	if (len < PT_PTBC_HEADER || memcmp(data, PT_PTBC_MAGIC, 8) != 0) {
		r_fail(&r, len < 8 || memcmp(data, PT_PTBC_MAGIC, len < 8 ? len : 8) != 0 ?
			"not a compiled ptrules file (bad magic)" : "the file is truncated");
		return NULL;
	}
	r.p += 8;
	uint32_t version = r_u32(&r), flags = r_u32(&r), plen = r_u32(&r), crc = r_u32(&r);
	uint64_t hash = (uint64_t)r_i64(&r);
	char msg[160];
	if (version != PT_PTBC_VERSION) {
		snprintf(msg, sizeof msg, "format version %u is not supported (this ptrules reads version %u); recompile with ptrules compile",
			 (unsigned)version, PT_PTBC_VERSION);
		r.p = data + 8;
		r_fail(&r, msg);
		return NULL;
	}
	if (flags != 0) {
		r.p = data + 12;
		r_fail(&r, "unknown flags are set");
		return NULL;
	}
	if (plen != len - PT_PTBC_HEADER) {
		snprintf(msg, sizeof msg, "the header says %u payload bytes but the file has %zu (truncated or padded)",
			 (unsigned)plen, len - PT_PTBC_HEADER);
		r.p = data + 16;
		r_fail(&r, msg);
		return NULL;
	}
	if (pt_crc32c(data + PT_PTBC_HEADER, plen) != crc) {
		r.p = data + 20;
		r_fail(&r, "checksum mismatch: the file is corrupted");
		return NULL;
	}
	pt_ruleset *rs = calloc(1, sizeof *rs);
	if (!rs) {
		pt_diag_oom(d, name);
		return NULL;
	}
	pt_arena_init(&rs->arena, 1 << 16);
	r.a = &rs->arena;
	rs->source_hash = hash;
	read_tables(&r, rs);
	if (r.bad || !pt_verify(rs, d, name)) {
		pt_ruleset_free(rs);
		return NULL;
	}
	if (!pt_ruleset_index(rs, true)) {
		pt_diag_oom(d, name);
		pt_ruleset_free(rs);
		return NULL;
	}
	return rs;
}
