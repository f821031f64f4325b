/* fuzz_common.h - what the fuzz targets share.
 *
 * The targets drive the library through its public API (include/
 * ptrules.h), as services do, and check more than "no crash":
 *   - every JSON text the library formats is valid JSON with valid UTF-8
 *     strings, and every text table is valid UTF-8;
 *   - a buffer too small for the text is filled and terminated exactly
 *     as snprintf would, and the length returned is the full length;
 *   - results keep their documented invariants (earned points never
 *     below 0, an unusable redeem section has no points and no yen, a run
 *     without a runtime error reports no location, no "internal error");
 *   - evaluations are summarised as text (fz_buf) so that a target can
 *     compare two ways of getting the same answer (source against
 *     bytecode, a text against its formatted layout) and abort on any
 *     difference.
 * Any violation calls abort(), which libFuzzer and the replay driver
 * report as a crash.
 *
 * Everything is static: each target is one translation unit, built with
 * clang + libFuzzer (build/fuzz/) or with the normal compiler and
 * tests/fuzz/replay.c (build/replay_*). */
#ifndef PT_FUZZ_COMMON_H
#define PT_FUZZ_COMMON_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptrules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Helpers a target may not use. */
#define FZ_FN static __attribute__((unused))

/* Whether fz_eval_text checks the formatters (three calls each, JSON and
 * UTF-8 validation, the text table too).  fuzz_diff, which is about
 * answers, turns it off: it formats only the JSON it compares (every
 * result and the explain trace), once. */
static int fz_check_formats = 1;

/* Report a broken invariant and abort (the fuzzer keeps the input). */
#define FZ_CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, "fuzz check failed: " __VA_ARGS__); \
	fputc('\n', stderr); abort(); } } while (0)

/* Where printers write: /dev/null, opened once. */
FZ_FN FILE *fz_sink(void)
{
	static FILE *f;
	if (!f)
		f = fopen("/dev/null", "w");
	if (!f)
		abort();
	return f;
}

/* ---- a growable text buffer ------------------------------------------ */

typedef struct fz_buf {
	char *s;
	size_t n, cap;
} fz_buf;

/* Append n bytes. */
FZ_FN void fz_put(fz_buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t nc = (b->n + n + 1) * 2;
		char *p = realloc(b->s, nc);
		if (!p)
			abort();
		b->s = p;
		b->cap = nc;
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

/* Append formatted text. */
__attribute__((format(printf, 2, 3)))
FZ_FN void fz_printf(fz_buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	fz_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Append a C string, or "(null)". */
FZ_FN void fz_puts(fz_buf *b, const char *s)
{
	if (!s)
		s = "(null)";
	fz_put(b, s, strlen(s));
}

/* ---- UTF-8 and JSON validity ------------------------------------------ */

/* Whether s[0..n) is well-formed UTF-8 without NUL bytes. */
FZ_FN int fz_utf8_ok(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		unsigned c = u[i], k, cp;
		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			k = 2, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			k = 3, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			k = 4, cp = c & 0x07;
		else
			return 0;
		if (i + k > n)
			return 0;
		for (unsigned j = 1; j < k; j++) {
			if ((u[i + j] & 0xC0) != 0x80)
				return 0;
			cp = cp << 6 | (u[i + j] & 0x3F);
		}
		if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += k;
	}
	return 1;
}

typedef struct fz_json {
	const char *s;
	size_t i, n;
	int depth;
} fz_json;

FZ_FN int fz_json_value(fz_json *j);

/* Skip JSON white space. */
FZ_FN void fz_json_ws(fz_json *j)
{
	while (j->i < j->n && (j->s[j->i] == ' ' || j->s[j->i] == '\t' || j->s[j->i] == '\n' || j->s[j->i] == '\r'))
		j->i++;
}

/* A string: no raw control characters, valid escapes. */
FZ_FN int fz_json_string(fz_json *j)
{
	if (j->i >= j->n || j->s[j->i] != '"')
		return 0;
	for (j->i++; j->i < j->n; j->i++) {
		unsigned char c = (unsigned char)j->s[j->i];
		if (c == '"') {
			j->i++;
			return 1;
		}
		if (c < 0x20)
			return 0;
		if (c == '\\') {
			if (++j->i >= j->n)
				return 0;
			c = (unsigned char)j->s[j->i];
			if (c == 'u') {
				for (int k = 0; k < 4; k++)
					if (++j->i >= j->n || !strchr("0123456789abcdefABCDEF", j->s[j->i]) || !j->s[j->i])
						return 0;
			} else if (!strchr("\"\\/bfnrt", c) || !c) {
				return 0;
			}
		}
	}
	return 0;
}

/* A number: -?digits(.digits)?([eE][+-]?digits)?, no leading zeros. */
FZ_FN int fz_json_number(fz_json *j)
{
	size_t i = j->i;
	if (i < j->n && j->s[i] == '-')
		i++;
	if (i >= j->n || j->s[i] < '0' || j->s[i] > '9')
		return 0;
	if (j->s[i] == '0' && i + 1 < j->n && j->s[i + 1] >= '0' && j->s[i + 1] <= '9')
		return 0;
	while (i < j->n && j->s[i] >= '0' && j->s[i] <= '9')
		i++;
	if (i < j->n && j->s[i] == '.') {
		if (++i >= j->n || j->s[i] < '0' || j->s[i] > '9')
			return 0;
		while (i < j->n && j->s[i] >= '0' && j->s[i] <= '9')
			i++;
	}
	j->i = i;
	return 1;
}

/* An object or array, up to a nesting depth of 64. */
FZ_FN int fz_json_compound(fz_json *j, char open, char close)
{
	if (++j->depth > 64)
		return 0;
	j->i++;
	fz_json_ws(j);
	if (j->i < j->n && j->s[j->i] == close) {
		j->i++;
		j->depth--;
		return 1;
	}
	for (;;) {
		fz_json_ws(j);
		if (open == '{') {
			if (!fz_json_string(j))
				return 0;
			fz_json_ws(j);
			if (j->i >= j->n || j->s[j->i++] != ':')
				return 0;
			fz_json_ws(j);
		}
		if (!fz_json_value(j))
			return 0;
		fz_json_ws(j);
		if (j->i >= j->n)
			return 0;
		if (j->s[j->i] == ',') {
			j->i++;
			continue;
		}
		if (j->s[j->i] != close)
			return 0;
		j->i++;
		j->depth--;
		return 1;
	}
}

/* Any JSON value. */
FZ_FN int fz_json_value(fz_json *j)
{
	if (j->i >= j->n)
		return 0;
	switch (j->s[j->i]) {
	case '{': return fz_json_compound(j, '{', '}');
	case '[': return fz_json_compound(j, '[', ']');
	case '"': return fz_json_string(j);
	case 't': return j->n - j->i >= 4 && !memcmp(j->s + j->i, "true", 4) && (j->i += 4);
	case 'f': return j->n - j->i >= 5 && !memcmp(j->s + j->i, "false", 5) && (j->i += 5);
	case 'n': return j->n - j->i >= 4 && !memcmp(j->s + j->i, "null", 4) && (j->i += 4);
	default: return fz_json_number(j);
	}
}

/* Whether s[0..n) is one JSON object per line (JSON Lines), valid UTF-8. */
FZ_FN int fz_json_lines_ok(const char *s, size_t n)
{
	if (!fz_utf8_ok(s, n))
		return 0;
	fz_json j = { s, 0, n, 0 };
	while (j.i < n) {
		if (s[j.i] != '{' || !fz_json_value(&j))
			return 0;
		if (j.i >= n || s[j.i] != '\n')
			return 0;
		j.i++;
	}
	return 1;
}

/* ---- what a rules text declares ----------------------------------------- */

/* Whether c may continue an identifier. */
FZ_FN int fz_ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* A declared `input account.KEY: TYPE` found by scanning the text (the
 * public API does not list inputs); type is the type word's first letter:
 * y(en) p(oints) n(umber) b(ool) d(ate) w(ord). */
typedef struct fz_key {
	char name[65];
	char type;
} fz_key;

/* Up to max declared keys of text, distinct by name; returns the count. */
FZ_FN size_t fz_scan_keys(const char *text, size_t n, fz_key *keys, size_t max)
{
	size_t nk = 0;
	for (size_t i = 0; i + 5 < n && nk < max; i++) {
		if (memcmp(text + i, "input", 5) != 0 || (i && fz_ident_char(text[i - 1])))
			continue;
		size_t j = i + 5;
		while (j < n && (text[j] == ' ' || text[j] == '\t'))
			j++;
		if (n - j < 9 || memcmp(text + j, "account.", 8) != 0)
			continue;
		size_t k0 = j + 8, k = k0;
		while (k < n && fz_ident_char(text[k]))
			k++;
		if (k == k0 || k - k0 > 64)
			continue;
		size_t t = k;
		while (t < n && (text[t] == ' ' || text[t] == '\t' || text[t] == ':'))
			t++;
		fz_key key = { .type = t < n && strchr("ypnbdw", text[t]) ? text[t] : 'n' };
		memcpy(key.name, text + k0, k - k0);
		size_t m = 0;
		while (m < nk && strcmp(keys[m].name, key.name) != 0)
			m++;
		if (m == nk)
			keys[nk++] = key;
	}
	return nk;
}

/* Up to max string literals of text that are cart words (1..32 bytes of
 * [A-Za-z0-9_-], not starting with a digit or '-', not yes/no). */
FZ_FN size_t fz_scan_words(const char *text, size_t n, char (*words)[33], size_t max)
{
	size_t nw = 0;
	for (size_t i = 0; i < n && nw < max; i++) {
		if (text[i] != '"')
			continue;
		size_t j = i + 1;
		while (j < n && j - i <= 32 && (fz_ident_char(text[j]) || text[j] == '-'))
			j++;
		size_t len = j - i - 1;
		if (j < n && text[j] == '"' && len && !(text[i + 1] >= '0' && text[i + 1] <= '9') &&
		    text[i + 1] != '-' && !(len == 3 && !memcmp(text + i + 1, "yes", 3)) &&
		    !(len == 2 && !memcmp(text + i + 1, "no", 2))) {
			memcpy(words[nw], text + i + 1, len);
			words[nw++][len] = '\0';
		}
		i = j;
	}
	return nw;
}

/* ---- evaluating carts --------------------------------------------------- */

/* Format with a measuring call, a too-small buffer and a big enough one,
 * checking the snprintf contract; returns the malloc'ed full text. */
FZ_FN char *fz_format(size_t (*fmt)(const ptrules_eval *, const ptrules_cart *, const char *, char *, size_t),
		       const ptrules_eval *e, const ptrules_cart *c, size_t *len)
{
	if (!fz_check_formats) {   /* one call when the text fits */
		static char big[1 << 20];
		size_t n = fmt(e, c, NULL, big, sizeof big);
		char *copy = malloc(n + 1);
		if (!copy)
			abort();
		if (n < sizeof big)
			memcpy(copy, big, n + 1);
		else
			fmt(e, c, NULL, copy, n + 1);
		*len = n;
		return copy;
	}
	size_t need = fmt(e, c, NULL, NULL, 0);
	char *full = malloc(need + 1);
	if (!full)
		abort();
	char small[61];
	if (!full)
		abort();
	memset(small, 'x', sizeof small);
	size_t got = fmt(e, c, NULL, small, sizeof small);
	FZ_CHECK(got == need, "format: %zu bytes measured, %zu when writing", need, got);
	size_t kept = need < sizeof small ? need : sizeof small - 1;
	FZ_CHECK(small[kept] == '\0', "format: a small buffer is not terminated at %zu", kept);
	got = fmt(e, c, NULL, full, need + 1);
	FZ_CHECK(got == need && full[need] == '\0' && memchr(full, '\0', need) == NULL,
		 "format: the full text is not %zu bytes", need);
	FZ_CHECK(memcmp(small, full, kept) == 0, "format: a small buffer holds other text");
	*len = need;
	return full;
}

#define FZ_SIG_EARN " \002"   /* separates a result line's redeem and earn halves */

/* The redeem halves of a signature's result lines (what a cart's `use`
 * lines must not change: earn sections may read use.points_yen). */
FZ_FN void fz_sig_redeem(const fz_buf *in, fz_buf *out)
{
	const char *p = in->s ? in->s : "", *end = p + in->n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		const char *cut = strstr(p, FZ_SIG_EARN);
		if (!cut || cut > stop)
			cut = stop;
		fz_put(out, p, (size_t)(cut - p));
		fz_puts(out, "\n");
		p = nl ? nl + 1 : end;
	}
}

/* Check one program's result against the documented invariants and
 * append it, without source locations, to sig. */
FZ_FN void fz_result(const ptrules_eval *e, size_t i, fz_buf *sig)
{
	ptrules_result r;
	FZ_CHECK(ptrules_result_get(e, i, &r) == PTRULES_OK, "result %zu cannot be read", i);
	FZ_CHECK(r.id && r.name, "result %zu has no id or name", i);
	/* Both hold for forged files too: the verifier lets a section write
	 * only its own outputs, and evaluation clamps amounts at 0. */
	FZ_CHECK(r.earn_points >= 0, "program %s earns %lld points (never below 0)", r.id, (long long)r.earn_points);
	FZ_CHECK(r.redeem_usable || (r.redeem_max_points == 0 && r.redeem_value_yen == 0),
		 "program %s: unusable redeem section with %lld points worth %lld yen", r.id,
		 (long long)r.redeem_max_points, (long long)r.redeem_value_yen);
	FZ_CHECK(r.runtime_error || (!r.error_file && !r.error_line), "program %s: an error location without an error", r.id);
	FZ_CHECK(r.redeem_nreasons >= 0 && r.redeem_nreasons <= PTRULES_MAX_REASONS &&
		 r.earn_nreasons >= 0 && r.earn_nreasons <= PTRULES_MAX_REASONS, "program %s: reason counts", r.id);
	fz_printf(sig, "%s linked=%d tier=", r.id, r.linked);
	fz_puts(sig, r.tier);
	fz_printf(sig, " redeem=%d/%lld/%lld", r.redeem_usable, (long long)r.redeem_max_points,
		  (long long)r.redeem_value_yen);
	for (int k = 0; k < r.redeem_nreasons; k++) {
		fz_puts(sig, " r:");
		FZ_CHECK(r.redeem_reasons[k], "program %s: a NULL redeem reason", r.id);
		fz_puts(sig, r.redeem_reasons[k]);
	}
	/* FZ_SIG_EARN starts the earn half: fz_sig_redeem keeps what is before it */
	fz_printf(sig, FZ_SIG_EARN "earn=%lld/%lld granted=", (long long)r.earn_points, (long long)r.earn_basis_yen);
	fz_puts(sig, r.earn_granted);
	for (int k = 0; k < r.earn_nreasons; k++) {
		fz_puts(sig, " e:");
		FZ_CHECK(r.earn_reasons[k], "program %s: a NULL earn reason", r.id);
		fz_puts(sig, r.earn_reasons[k]);
	}
	fz_printf(sig, " error=%d\n", r.runtime_error);
}

/* Whether any reason of the last evaluation contains text. */
FZ_FN int reasons_mention(const ptrules_eval *e, const char *text)
{
	for (size_t i = 0, n = ptrules_result_count(e); i < n; i++) {
		ptrules_result r;
		if (ptrules_result_get(e, i, &r) != PTRULES_OK)
			continue;
		for (int k = 0; k < r.redeem_nreasons; k++)
			if (r.redeem_reasons[k] && strstr(r.redeem_reasons[k], text))
				return 1;
		for (int k = 0; k < r.earn_nreasons; k++)
			if (r.earn_reasons[k] && strstr(r.earn_reasons[k], text))
				return 1;
	}
	return 0;
}

/* Evaluate every cart of text[0..len) against r as `ptrules eval` does,
 * checking what comes out.  When sig is given, each cart's status and
 * results are appended to it (locations left out; each cart starts with
 * a \001 byte); when out is given,
 * the formatted JSON and text (with --explain) are appended to it. */
FZ_FN void fz_eval_text(ptrules_rules *r, const char *text, size_t len, const char *name, fz_buf *sig,
			 fz_buf *out)
{
	ptrules_diags *d = ptrules_diags_new();
	ptrules_eval *e = ptrules_eval_new(r, PTRULES_EVAL_EXPLAIN | PTRULES_EVAL_COVERAGE);
	ptrules_reader *rd = ptrules_reader_new(text, len, name);
	if (!d || !e || !rd)
		abort();
	const ptrules_cart *c;
	while (ptrules_reader_next(rd, &c, d)) {
		if (ptrules_cart_errors(c)) {
			if (sig)
				fz_puts(sig, "\001cart error\n");
			continue;
		}
		ptrules_status st = ptrules_evaluate(e, c, d);
		if (sig)
			fz_printf(sig, "\001cart %d status %d\n", ptrules_reader_index(rd), (int)st);
		if (st != PTRULES_OK && st != PTRULES_ERUNTIME) {
			FZ_CHECK(st == PTRULES_EINVALID, "evaluate returned %d", (int)st);
			FZ_CHECK(ptrules_result_count(e) == 0, "results after a cart that does not fit");
			continue;
		}
		size_t n = ptrules_result_count(e), jl, tl;
		FZ_CHECK(n == ptrules_program_count(r), "%zu results for %zu programs", n, ptrules_program_count(r));
		int runtime = 0;
		fz_buf scratch = { 0 };
		for (size_t i = 0; i < n; i++) {
			ptrules_result res;
			ptrules_result_get(e, i, &res);
			runtime |= res.runtime_error;
			fz_result(e, i, sig ? sig : &scratch);
		}
		free(scratch.s);
		FZ_CHECK(runtime == (st == PTRULES_ERUNTIME), "status %d but runtime errors: %d", (int)st, runtime);
		if (!fz_check_formats && !out)
			continue;
		char *json = fz_format(ptrules_format_json, e, c, &jl);
		char *tab = fz_check_formats ? fz_format(ptrules_format_text, e, c, &tl) : calloc(1, 1);
		if (!tab)
			abort();
		if (!fz_check_formats)
			tl = 0;   /* the JSON has every result and the explain trace */
		if (fz_check_formats) {
			FZ_CHECK(fz_json_lines_ok(json, jl), "invalid JSON: %s", json);
			FZ_CHECK(fz_utf8_ok(tab, tl), "the text table is not valid UTF-8");
		}
		/* out.c words a PT_VM_BAD section `"reason":"internal error in
		 * FILE:LINE"` (inside a JSON string every quote is escaped, so
		 * the pattern is structure, not text); a rule's own reason may
		 * say the same, so look only when none does. */
		FZ_CHECK(st != PTRULES_ERUNTIME || !strstr(json, "\"reason\":\"internal error in ") ||
			 reasons_mention(e, "internal error in "), "the VM misbehaved on verified code: %s", json);
		if (out) {
			fz_put(out, json, jl);
			fz_put(out, tab, tl);
		}
		free(json);
		free(tab);
	}
	/* Coverage points are readable whatever ran. */
	for (size_t i = 0, n = ptrules_coverage_count(e); i < n; i++) {
		ptrules_cover cv;
		FZ_CHECK(ptrules_coverage_get(e, i, &cv) == PTRULES_OK, "coverage point %zu", i);
	}
	ptrules_diags_print(d, fz_sink());
	ptrules_reader_free(rd);
	ptrules_eval_free(e);
	ptrules_diags_free(d);
}

/* Whether two buffers hold the same bytes. */
FZ_FN int fz_same(const fz_buf *a, const fz_buf *b)
{
	return a->n == b->n && (a->n == 0 || memcmp(a->s, b->s, a->n) == 0);
}

/* One program's amounts, as words. */
FZ_FN void fz_amounts_line(const ptrules_amounts *a, fz_buf *b)
{
	fz_printf(b, "linked=%d usable=%d use_valid=%d error=%d redeem=%lld/%lld earn=%lld/%lld value=%lld/%lld"
		  " use=%lld/%lld", a->linked, a->redeem_usable, a->use_valid, a->runtime_error,
		  (long long)a->redeem_max_points, (long long)a->redeem_value_yen, (long long)a->earn_points,
		  (long long)a->earn_basis_yen, (long long)a->point_value_num, (long long)a->point_value_den,
		  (long long)a->use_points, (long long)a->use_value_yen);
}

/* Whether two amounts are the same, field by field. */
FZ_FN int fz_same_amounts(const ptrules_amounts *a, const ptrules_amounts *b)
{
	return a->linked == b->linked && a->redeem_usable == b->redeem_usable && a->use_valid == b->use_valid &&
	       a->runtime_error == b->runtime_error && a->redeem_max_points == b->redeem_max_points &&
	       a->redeem_value_yen == b->redeem_value_yen && a->earn_points == b->earn_points &&
	       a->earn_basis_yen == b->earn_basis_yen && a->point_value_num == b->point_value_num &&
	       a->point_value_den == b->point_value_den && a->use_points == b->use_points &&
	       a->use_value_yen == b->use_value_yen;
}

/* Append where each of n reasons comes from (file:line) under a tag. */
FZ_FN void fz_locations_line(fz_buf *b, const char *tag, const char *const *files, const int *lines, int n)
{
	for (int k = 0; k < n; k++) {
		fz_printf(b, " %s@", tag);
		fz_puts(b, files[k]);
		fz_printf(b, ":%d", lines[k]);
	}
}

/* Everything the public API says about e's last evaluation (status st,
 * nd diagnostics added) of cart c, locations included, into sig: what the
 * fast path and the reference VM must agree on (fuzz_diff's step 6,
 * fuzz_bytecode).  Also checks
 * that ptrules_amounts_get, ptrules_amounts_list and ptrules_result_get
 * agree with each other. */
FZ_FN void fz_full_sig(const ptrules_eval *e, const ptrules_cart *c, ptrules_status st, size_t nd, fz_buf *sig)
{
	size_t n = ptrules_result_count(e);
	fz_printf(sig, "status %d diags %zu results %zu explain %zu\n", (int)st, nd, n, ptrules_explain_count(e));
	ptrules_amounts *list = calloc(n + 1, sizeof *list);
	FZ_CHECK(list != NULL, "out of memory");
	FZ_CHECK(ptrules_amounts_list(e, list, n) == n, "ptrules_amounts_list counts other than %zu results", n);
	for (size_t i = 0; i < n; i++) {
		ptrules_result r;
		ptrules_amounts a;
		FZ_CHECK(ptrules_result_get(e, i, &r) == PTRULES_OK && ptrules_amounts_get(e, i, &a) == PTRULES_OK,
			 "result %zu cannot be read", i);
		ptrules_amounts ra = { r.linked, r.redeem_usable, r.use_valid, r.runtime_error, r.redeem_max_points,
				       r.redeem_value_yen, r.earn_points, r.earn_basis_yen, r.point_value_num,
				       r.point_value_den, r.use_points, r.use_value_yen };
		if (!fz_same_amounts(&a, &list[i]) || !fz_same_amounts(&a, &ra)) {
			fz_buf la = { 0 }, ll = { 0 }, lr = { 0 };
			fz_amounts_line(&a, &la);
			fz_amounts_line(&list[i], &ll);
			fz_amounts_line(&ra, &lr);
			FZ_CHECK(0, "program %zu: ptrules_amounts_get says %s; ptrules_amounts_list %s; ptrules_result_get %s",
				 i, la.s, ll.s, lr.s);
		}
		fz_result(e, i, sig);   /* id, tier, amounts, reasons, granted (and its checks) */
		fz_puts(sig, "  name=");   /* then what it leaves out */
		fz_puts(sig, r.name);
		fz_puts(sig, " error_at=");
		fz_puts(sig, r.error_file);
		fz_printf(sig, ":%d ", r.error_line);
		fz_amounts_line(&a, sig);
		fz_locations_line(sig, "r", r.redeem_reason_files, r.redeem_reason_lines, r.redeem_nreasons);
		fz_locations_line(sig, "e", r.earn_reason_files, r.earn_reason_lines, r.earn_nreasons);
		fz_puts(sig, "\n");
	}
	free(list);
	ptrules_order o;
	if (ptrules_order_get(e, &o) == PTRULES_OK) {
		fz_printf(sig, "order uses=%d valid=%d total=%lld giftcard=%lld points=%lld pay=%lld problems=%zu\n",
			  o.has_uses, o.valid, (long long)o.total_yen, (long long)o.giftcard_yen, (long long)o.points_yen,
			  (long long)o.pay_yen, o.nproblems);
		for (size_t i = 0; i < o.nproblems; i++) {
			ptrules_problem p;
			FZ_CHECK(ptrules_problem_get(e, i, &p) == PTRULES_OK, "problem %zu cannot be read", i);
			fz_puts(sig, "problem ");
			fz_puts(sig, p.program);
			fz_printf(sig, " line %d ", p.cart_line);
			fz_puts(sig, p.text);
			fz_puts(sig, " @");
			fz_puts(sig, p.rule_file);
			fz_printf(sig, ":%d\n", p.rule_line);
		}
	} else {
		fz_puts(sig, "no order\n");
	}
	size_t jl, tl;
	char *json = fz_format(ptrules_format_json, e, c, &jl);
	char *tab = fz_format(ptrules_format_text, e, c, &tl);
	fz_put(sig, json, jl);
	fz_put(sig, tab, tl);
	free(json);
	free(tab);
}

/* Save r as bytecode, load it back, and check that the copy answers
 * every cart of `carts` exactly as r does (formatted output compared
 * byte for byte) and saves to the same bytes.  Returns nothing; aborts
 * on any difference. */
FZ_FN void fz_bytecode_roundtrip(ptrules_rules *r, const char *carts, size_t len)
{
	unsigned char *bc = NULL, *bc2 = NULL;
	size_t bl = 0, bl2 = 0;
	FZ_CHECK(ptrules_save_bytecode(r, &bc, &bl) == PTRULES_OK, "a compiled rule set cannot be saved");
	ptrules_diags *d = ptrules_diags_new();
	ptrules_rules *r2 = NULL;
	if (ptrules_load_bytecode(&r2, bc, bl, "saved.ptbc", d) != PTRULES_OK) {
		ptrules_diags_print(d, stderr);
		FZ_CHECK(0, "saved bytecode does not load back");
	}
	FZ_CHECK(ptrules_save_bytecode(r2, &bc2, &bl2) == PTRULES_OK, "loaded bytecode cannot be saved");
	FZ_CHECK(bl == bl2 && memcmp(bc, bc2, bl) == 0, "save(load(save(r))) differs from save(r)");
	FZ_CHECK(ptrules_cost_bound(r) == ptrules_cost_bound(r2), "cost bounds differ after a round trip");
	/* Undated carts are evaluated at today's date in Japan, which may
	 * change between the two runs (15:00 UTC): a difference counts only
	 * when a second attempt shows it too. */
	for (int attempt = 0;; attempt++) {
		fz_buf a = { 0 }, b = { 0 };
		fz_eval_text(r, carts, len, "carts.txt", NULL, &a);
		fz_eval_text(r2, carts, len, "carts.txt", NULL, &b);
		int same = a.n == b.n && (a.n == 0 || memcmp(a.s, b.s, a.n) == 0);
		FZ_CHECK(same || attempt == 0,
			 "source-compiled and bytecode-loaded rules answer differently:\n%s\n---\n%s", a.s, b.s);
		free(a.s);
		free(b.s);
		if (same)
			break;
	}
	free(bc);
	free(bc2);
	ptrules_release(r2);
	ptrules_diags_free(d);
}

#endif
