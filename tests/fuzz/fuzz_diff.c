/* fuzz_diff.c - differential target: one cart, several ways.
 *
 * Input: bytes that steer a cart generator (dates around every dated
 * version, prices around thresholds and at the 64-bit edge, every
 * category, card and method, accounts with every declared key).  The
 * rule set is rules/, tests/rules-extra/ and as many of the language
 * reference's examples (tests/fuzz/corpus/rules/doc-language-*.rules)
 * as compile together with them.  The generated carts are evaluated
 *   1. as cart.txt text, under the rules compiled from source and under
 *      the same rules saved as bytecode and loaded back: the formatted
 *      JSON and text (with --explain) must be byte-identical;
 *   2. built field by field through the cart builder API, under the
 *      source rules: the results must equal those of the text (when the
 *      cart uses nothing the builder cannot say: date-typed keys);
 *   3. as text without its `use` lines: no rule can see them, so the
 *      results must not change;
 *   4. each built cart again, prepared for the source rules
 *      (ptrules_cart_prepare): the same results as unprepared;
 *   5. each built cart packed into a batch (ptrules_batch_add) and
 *      evaluated from it: the same results again;
 *   6. the fast path against the reference VM.  The rule set above has
 *      no fast code (an earn section of tests/rules-extra/spu.rules reads
 *      use.points_yen), so every evaluation of steps 1-5 runs the
 *      reference VM; step 6 uses a second rule set, the same sources
 *      with every `use.points_yen` inside a `program` block (only earn
 *      blocks may read it there) replaced by `0 yen`, which gets the
 *      fast code and its x86-64 machine code (src/jit.c), and its copy
 *      saved as bytecode and loaded back.  Each text cart (use lines and
 *      date keys included) is evaluated by a plain evaluator of each
 *      (the fast path: machine code, the interpreter where it hands
 *      over) and by one made with PTRULES_EVAL_COVERAGE (which runs the
 *      reference VM and formats exactly as a plain one: no explain
 *      trace); each built cart likewise, and again prepared for the
 *      rules and packed into a batch, through the fast path, one by one
 *      and as a range of one (ptrules_evaluate_range, whose amounts must
 *      be those ptrules_amounts_list reads after it).  Everything
 *      the public API says about an evaluation must be identical: the
 *      status, the diagnostics added, the result count, every field of
 *      ptrules_result_get (tier, reasons with their files and lines,
 *      error location, point value, use fields), ptrules_amounts_get and
 *      ptrules_amounts_list (which must agree with each other and with
 *      the results), ptrules_order_get and every ptrules_problem_get,
 *      and the formatted JSON and text, byte for byte.
 * Any difference aborts. */
#include <dirent.h>

#include "fuzz_common.h"

#ifndef PT_FUZZ_ROOT
#define PT_FUZZ_ROOT "."
#endif

#define MAX_SRCS 64

static struct {
	ptrules_rules *src, *bc;
	ptrules_rules *fast, *fast_bc;   /* step 6: rules with fast code, and their bytecode copy */
	fz_key keys[64];
	size_t nkeys;
	char words[32][33];
	size_t nwords;
} g;

/* Read a whole file into a malloc'ed buffer, or NULL. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fz_buf b = { 0 };
	char tmp[4096];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		fz_put(&b, tmp, n);
	fclose(f);
	*len = b.n;
	return b.s ? b.s : calloc(1, 1);
}

/* qsort comparator for names. */
static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add the *.rules files of dir whose names start with prefix (sorted),
 * each kept only when the set still compiles with it. */
static void add_dir(ptrules_source *srcs, size_t *n, const char *dir, const char *prefix)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return;
	char *names[256];
	size_t nn = 0;
	struct dirent *e;
	while ((e = readdir(dp)) != NULL && nn < 256) {
		size_t l = strlen(e->d_name);
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 && l > 6 && !strcmp(e->d_name + l - 6, ".rules"))
			if (!(names[nn++] = strdup(e->d_name)))
				abort();
	}
	closedir(dp);
	qsort(names, nn, sizeof *names, cmp_names);
	for (size_t i = 0; i < nn && *n < MAX_SRCS; i++) {
		char path[4096];
		size_t len;
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		char *text = slurp(path, &len);
		if (!text)
			continue;
		srcs[*n] = (ptrules_source){ strdup(path), text, len };
		ptrules_rules *r = NULL;
		ptrules_diags *d = ptrules_diags_new();
		if (ptrules_load_sources(&r, srcs, *n + 1, d) == PTRULES_OK)
			(*n)++;
		else
			free(text), free((char *)srcs[*n].name);
		ptrules_release(r);
		ptrules_diags_free(d);
		free(names[i]);
	}
}

/* Whether text[i..) starts the token word (no identifier character or
 * '.' before it, none after). */
static int token_at(const char *text, size_t len, size_t i, const char *word)
{
	size_t wl = strlen(word);
	return len - i >= wl && memcmp(text + i, word, wl) == 0 &&
	       (i == 0 || (!fz_ident_char(text[i - 1]) && text[i - 1] != '.')) &&
	       (i + wl == len || !fz_ident_char(text[i + wl]));
}

/* A malloc'ed copy of a rules text with every `use.points_yen` inside a
 * `program` block replaced by `0 yen` (comments and strings left alone;
 * lines keep their numbers).  In a program only earn blocks may read it,
 * and a rule set whose earn sections read it gets no fast code; policies
 * keep it.  *n_repl counts the replacements. */
static char *without_earn_paid(const char *text, size_t len, size_t *out_len, size_t *n_repl)
{
	fz_buf b = { 0 };
	int depth = 0, in_program = 0, program_next = 0;
	for (size_t i = 0; i < len;) {
		size_t j = i + 1;
		if (text[i] == '#') {   /* a comment, to the end of the line */
			while (j < len && text[j] != '\n')
				j++;
		} else if (text[i] == '"') {   /* a string: escapes \" \\ \n */
			while (j < len && text[j] != '"' && text[j] != '\n')
				j += text[j] == '\\' && j + 1 < len ? 2 : 1;
			j += j < len && text[j] == '"';
		} else if (text[i] == '{') {
			depth++;
			if (program_next && depth == 1)
				in_program = 1;
			program_next = 0;
		} else if (text[i] == '}') {
			if (depth > 0 && --depth == 0)
				in_program = 0;
		} else if (depth == 0 && token_at(text, len, i, "program")) {
			program_next = 1;
			j = i + 7;
		} else if (in_program && token_at(text, len, i, "use.points_yen")) {
			fz_puts(&b, "0 yen");
			++*n_repl;
			i += 14;
			continue;
		} else if (fz_ident_char(text[i])) {   /* the rest of a word */
			while (j < len && fz_ident_char(text[j]))
				j++;
		}
		if (j > len)
			j = len;
		fz_put(&b, text + i, j - i);
		i = j;
	}
	*out_len = b.n;
	return b.s ? b.s : calloc(1, 1);
}

/* Compile the rules of step 6 from srcs (without_earn_paid) and their
 * bytecode copy. */
static void init_fast(const ptrules_source *srcs, size_t n)
{
	ptrules_source fs[MAX_SRCS];
	size_t repl = 0;
	for (size_t i = 0; i < n; i++) {
		fs[i] = srcs[i];
		fs[i].text = without_earn_paid(srcs[i].text, srcs[i].len, &fs[i].len, &repl);
	}
	ptrules_diags *d = ptrules_diags_new();
	unsigned char *bc = NULL;
	size_t bl;
	if (ptrules_load_sources(&g.fast, fs, n, d) != PTRULES_OK || ptrules_save_bytecode(g.fast, &bc, &bl) != PTRULES_OK ||
	    ptrules_load_bytecode(&g.fast_bc, bc, bl, "fast.ptbc", d) != PTRULES_OK) {
		ptrules_diags_print(d, stderr);
		fprintf(stderr, "fuzz_diff: the rules without use.points_yen in earn blocks (%zu replaced) do not load\n",
			repl);
		abort();
	}
	FZ_CHECK(ptrules_program_count(g.fast) == ptrules_program_count(g.src), "step 6 lost programs");
#if defined(__x86_64__) && defined(__linux__) && !defined(PT_NO_JIT)
	for (size_t i = 0; i < ptrules_program_count(g.fast); i++)   /* else step 6 compares the reference with itself */
		FZ_CHECK(ptrules_program_native(g.fast, i) && ptrules_program_native(g.fast_bc, i),
			 "step 6: program %zu has no machine code", i);
#endif
	free(bc);
	ptrules_diags_free(d);
	for (size_t i = 0; i < n; i++)
		free((char *)fs[i].text);
}

/* Compile the rule set, its bytecode copy, and collect keys and words. */
static void init(void)
{
	if (g.src)
		return;
	ptrules_source srcs[MAX_SRCS];
	size_t n = 0;
	add_dir(srcs, &n, PT_FUZZ_ROOT "/rules", "");
	add_dir(srcs, &n, PT_FUZZ_ROOT "/tests/rules-extra", "");
	add_dir(srcs, &n, PT_FUZZ_ROOT "/tests/fuzz/corpus/rules", "doc-language-");
	ptrules_diags *d = ptrules_diags_new();
	if (n < 4 || ptrules_load_sources(&g.src, srcs, n, d) != PTRULES_OK) {
		ptrules_diags_print(d, stderr);
		fputs("fuzz_diff: the rules do not compile\n", stderr);
		abort();
	}
	unsigned char *bc;
	size_t bl;
	if (ptrules_save_bytecode(g.src, &bc, &bl) != PTRULES_OK ||
	    ptrules_load_bytecode(&g.bc, bc, bl, "rules.ptbc", d) != PTRULES_OK) {
		ptrules_diags_print(d, stderr);
		abort();
	}
	free(bc);
	ptrules_diags_free(d);
	init_fast(srcs, n);
	for (size_t i = 0; i < n; i++) {
		g.nkeys += fz_scan_keys(srcs[i].text, srcs[i].len, g.keys + g.nkeys, 64 - g.nkeys);
		g.nwords += fz_scan_words(srcs[i].text, srcs[i].len, g.words + g.nwords, 32 - g.nwords);
		free((char *)srcs[i].text);
		free((char *)srcs[i].name);
	}
	/* Keys declared by several programs are kept once (first type). */
	for (size_t i = 0; i < g.nkeys; i++)
		for (size_t j = i + 1; j < g.nkeys; j++)
			if (!strcmp(g.keys[i].name, g.keys[j].name))
				g.keys[j--] = g.keys[--g.nkeys];
}

/* The generator's input: bytes, then zeros. */
typedef struct gen {
	const uint8_t *p;
	size_t n;
} gen;

/* Next value below m (m >= 1). */
static unsigned pick(gen *s, unsigned m)
{
	unsigned v = 0;
	if (s->n) {
		v = *s->p++;
		s->n--;
	}
	if (m > 256 && s->n) {
		v = v << 8 | *s->p++;
		s->n--;
	}
	return v % m;
}

static const char *const dates[] = {
	"2024-06-01", "2024-10-02", "2024-10-03", "2025-06-01", "2026-01-12", "2026-01-13",
	"2026-02-28", "2026-03-01", "2026-03-05", "2026-05-01", "2026-07-01", "2026-08-31",
	"2026-09-01", "2026-11-24", "2026-12-31", "1900-01-01", "9999-12-31", "2024-02-29",
};
static const char *const cats[] = {
	"general", "grocery", "kindle", "audible", "prime_fee", "digital", "subscription",
	"giftcard", "books", "electronics", "x-y",
};
static const char *const cards[] = { "jcb", "visa", "mastercard", "amex", "diners", "JCB" };
static const char *const methods[] = { "giftcard", "cod", "paypay", "points" };
static const long long amounts[] = {
	0, 1, 99, 100, 101, 4999, 5000, 5001, 9999, 10000, 10001, 100000, 330000,
	999999, 1000000, 461168601842738, 999999999999999,
};

/* An amount: interesting values, or anything up to 15 digits. */
static long long amount(gen *s)
{
	unsigned k = pick(s, 4);
	if (k == 0)
		return (long long)pick(s, 65536) * (1 + pick(s, 1000));
	return amounts[pick(s, sizeof amounts / sizeof amounts[0])];
}

/* Generate carts into text (cart.txt) and `plain` (the same without use
 * lines) and, for each, a builder cart in built[]; *ok_built[i] says the
 * builder could say everything.  Returns the number of carts. */
static int generate(gen *s, fz_buf *text, fz_buf *plain, ptrules_cart **built, int *ok_built, int max)
{
	int nc = 1 + (int)pick(s, (unsigned)max);
	for (int c = 0; c < nc; c++) {
		ptrules_cart *b = built[c];
		fz_buf line = { 0 };
		ptrules_cart_clear(b);
		ok_built[c] = 1;
		fz_printf(text, "cart id=c%d\n", c);
		fz_printf(plain, "cart id=c%d\n", c);
		char oid[32];
		snprintf(oid, sizeof oid, "250-%07u", pick(s, 9999999));
		unsigned o = pick(s, 8);
		const char *date = o == 0 ? NULL : o < 5 ? dates[pick(s, sizeof dates / sizeof dates[0])] : NULL;
		char rnd[11];
		if (o >= 5) {
			snprintf(rnd, sizeof rnd, "%04u-%02u-%02u", 2023 + pick(s, 5), 1 + pick(s, 12), 1 + pick(s, 28));
			date = rnd;
		}
		if (o) {
			fz_printf(&line, "order id=%s date=%s\n", oid, date);
			FZ_CHECK(ptrules_cart_set_order(b, oid, date) == PTRULES_OK, "set_order %s", date);
		}
		for (unsigned i = 0, ni = pick(s, 7); i < ni; i++) {
			long long price = amount(s);
			long long qty = pick(s, 8) ? 1 + pick(s, 5) : pick(s, 2) ? 1000000 : 1;
			const char *cat = cats[pick(s, sizeof cats / sizeof cats[0])];
			fz_printf(&line, "item price=%lld qty=%lld category=%s\n", price, qty, cat);
			FZ_CHECK(ptrules_cart_add_item(b, price, qty, cat, NULL) == PTRULES_OK, "add_item");
		}
		unsigned pay = pick(s, 8);
		const char *card = pay < 5 ? cards[pick(s, sizeof cards / sizeof cards[0])] : NULL;
		const char *method = pay >= 4 && pay < 7 ? methods[pick(s, sizeof methods / sizeof methods[0])] : NULL;
		if (card || method) {
			fz_puts(&line, "payment");
			if (card)
				fz_printf(&line, " card=%s", card);
			if (method)
				fz_printf(&line, " method=%s", method);
			fz_puts(&line, "\n");
			ptrules_cart_set_payment(b, card, method);
		}
		for (size_t p = 0; p < ptrules_program_count(g.src); p++) {
			if (pick(s, 4) == 0)
				continue;
			const char *id = ptrules_program_id(g.src, p);
			long long bal = pick(s, 2) ? amount(s) : pick(s, 2000);
			fz_printf(&line, "account program=%s balance=%lld", id, bal);
			FZ_CHECK(ptrules_cart_add_account(b, id, bal) == PTRULES_OK, "add_account %s", id);
			for (size_t k = 0; k < g.nkeys; k++) {
				if (pick(s, 3) == 0)
					continue;
				const fz_key *key = &g.keys[k];
				if (key->type == 'b') {
					int v = (int)pick(s, 2);
					fz_printf(&line, " %s=%s", key->name, v ? "yes" : "no");
					ptrules_cart_set_bool(b, id, key->name, v);
				} else if (key->type == 'd') {
					fz_printf(&line, " %s=%s", key->name, dates[pick(s, sizeof dates / sizeof dates[0])]);
					ok_built[c] = 0;   /* the builder has no date values */
				} else if (key->type == 'w') {
					const char *w = g.nwords ? g.words[pick(s, (unsigned)g.nwords)] : "w";
					fz_printf(&line, " %s=%s", key->name, w);
					ptrules_cart_set_word(b, id, key->name, w);
				} else {
					long long v = amount(s);
					fz_printf(&line, " %s=%lld", key->name, v);
					ptrules_cart_set_int(b, id, key->name, v);
				}
			}
			fz_puts(&line, "\n");
		}
		fz_put(plain, line.s ? line.s : "", line.n);
		fz_put(text, line.s ? line.s : "", line.n);
		if (pick(s, 3) == 0)
			fz_printf(text, "use program=%s points=%u\n", ptrules_program_id(g.src, 0), pick(s, 5000));
		if (pick(s, 4) == 0)
			fz_printf(text, "use program=giftcard yen=%u\n", pick(s, 5000));
		free(line.s);
	}
	return nc;
}

/* Cart c's evaluation status and every result, as fz_eval_text writes
 * them into a signature (the builder's, prepared and packed carts are
 * compared with it and with each other). */
static void cart_sig(const ptrules_eval *e, int c, ptrules_status st, fz_buf *sig)
{
	fz_printf(sig, "\001cart %d status %d\n", c + 1, (int)st);
	for (size_t i = 0; i < ptrules_result_count(e); i++)
		fz_result(e, i, sig);
}

/* Step 6: the fast path (plain evaluators of g.fast and g.fast_bc)
 * against the reference VM (an evaluator of g.fast with coverage) for
 * every text cart, and for every built cart unprepared, prepared and
 * packed.  final as for compare; returns whether everything agreed. */
static int compare_fast(const fz_buf *text, ptrules_cart **built, const int *ok_built, int nc, int final)
{
	int ok = 1;
	ptrules_eval *ref = ptrules_eval_new(g.fast, PTRULES_EVAL_COVERAGE);
	ptrules_eval *fast = ptrules_eval_new(g.fast, 0), *fast_bc = ptrules_eval_new(g.fast_bc, 0);
	ptrules_reader *rd = ptrules_reader_new(text->s ? text->s : "", text->n, "carts.txt");
	ptrules_diags *d = ptrules_diags_new();
	FZ_CHECK(ref && fast && fast_bc && rd && d, "out of memory");
	ptrules_eval *const ways[] = { fast, fast_bc };
	static const char *const way_names[] = { "the fast path", "the fast path of the bytecode copy" };
	const ptrules_cart *tc;
	while (ok && ptrules_reader_next(rd, &tc, d)) {
		fz_buf rs = { 0 };
		size_t nd = ptrules_diags_count(d);
		ptrules_status st = ptrules_evaluate(ref, tc, d);
		fz_full_sig(ref, tc, st, ptrules_diags_count(d) - nd, &rs);
		for (size_t w = 0; w < 2 && ok; w++) {
			fz_buf fs = { 0 };
			nd = ptrules_diags_count(d);
			st = ptrules_evaluate(ways[w], tc, d);
			fz_full_sig(ways[w], tc, st, ptrules_diags_count(d) - nd, &fs);
			if (!fz_same(&rs, &fs)) {
				ok = 0;
				FZ_CHECK(!final, "cart %d: %s and the reference VM differ:\n%s\n--- reference\n%s\n--- cart\n%s",
					 ptrules_reader_index(rd), way_names[w], fs.s, rs.s, text->s);
			}
			free(fs.s);
		}
		free(rs.s);
	}
	for (int c = 0; c < nc && ok; c++) {
		if (!ok_built[c])
			continue;
		fz_buf rs = { 0 }, fs = { 0 };
		const char *how = "";
		size_t nd = ptrules_diags_count(d);
		ptrules_status st = ptrules_evaluate(ref, built[c], d);
		fz_full_sig(ref, built[c], st, ptrules_diags_count(d) - nd, &rs);
		for (int k = 0; k < 5 && ok; k++) {
			ptrules_eval *e = k == 1 ? fast_bc : fast;
			ptrules_batch *pb = NULL;
			fs.n = 0;
			nd = ptrules_diags_count(d);
			if (k < 2) {
				how = k == 0 ? "unprepared" : "unprepared, bytecode copy";
				st = ptrules_evaluate(e, built[c], d);
			} else if (k == 2) {
				FZ_CHECK(ptrules_cart_prepare(built[c], g.fast) == PTRULES_OK, "cannot prepare cart %d", c + 1);
				how = ptrules_cart_prepared(built[c], g.fast) ? "prepared" : "left unprepared";
				st = ptrules_evaluate(e, built[c], d);
			} else {
				how = k == 3 ? "packed" : "packed, a range of one";
				FZ_CHECK((pb = ptrules_batch_new(g.fast)) != NULL, "out of memory");
				if (ptrules_batch_add(pb, built[c]) != PTRULES_OK) {
					ptrules_batch_free(pb);
					break;   /* undated, needing a diagnostic, ...: step 5 checks the contract */
				}
				if (k == 3) {
					st = ptrules_evaluate_packed(e, pb, 0);
				} else {   /* the amounts it writes are those ptrules_amounts_list reads after it */
					enum { NA = 16 };
					ptrules_amounts ra[NA], la[NA];
					st = ptrules_evaluate_range(e, pb, 0, 1, ra, NA);
					size_t na = ptrules_amounts_list(e, la, NA);
					na = na < NA ? na : NA;
					FZ_CHECK(memcmp(ra, la, na * sizeof *ra) == 0,
						 "built cart %d: ptrules_evaluate_range wrote other amounts than it left", c + 1);
				}
			}
			fz_full_sig(e, built[c], st, ptrules_diags_count(d) - nd, &fs);
			ptrules_cart_prepare(built[c], NULL);
			ptrules_batch_free(pb);   /* the results point into pb: read before */
			if (!fz_same(&rs, &fs)) {
				ok = 0;
				FZ_CHECK(!final, "built cart %d (%s): the fast path and the reference VM differ:\n%s\n"
					 "--- reference\n%s\n--- cart\n%s", c + 1, how, fs.s, rs.s, text->s);
			}
		}
		free(fs.s);
		free(rs.s);
	}
	ptrules_diags_print(d, fz_sink());
	ptrules_diags_free(d);
	ptrules_reader_free(rd);
	ptrules_eval_free(ref);
	ptrules_eval_free(fast);
	ptrules_eval_free(fast_bc);
	return ok;
}

/* Run the comparisons of steps 1-5, then step 6 (compare_fast).  Carts
 * without an order date are evaluated at today's date in Japan, which
 * changes at 15:00 UTC: a difference is only reported (abort) on the
 * second attempt (final), so that a run straddling midnight in Japan is
 * not taken for a bug.  Returns whether everything agreed. */
static int compare(const fz_buf *text, const fz_buf *plain, ptrules_cart **built, const int *ok_built, int nc,
		   int final)
{
	int ok = 1;
	/* 1. source against bytecode, byte for byte. */
	fz_buf a = { 0 }, b = { 0 }, sig = { 0 }, psig = { 0 };
	fz_eval_text(g.src, text->s, text->n, "carts.txt", &sig, &a);
	fz_eval_text(g.bc, text->s, text->n, "carts.txt", NULL, &b);
	if (!fz_same(&a, &b)) {
		ok = 0;
		FZ_CHECK(!final, "source and bytecode answer differently for:\n%s\n---\n%s\n---\n%s", text->s, a.s, b.s);
	}

	/* 3. use lines change no redeem result (earn may read use.points_yen). */
	fz_eval_text(g.src, plain->s, plain->n, "carts.txt", &psig, NULL);
	fz_buf rs = { 0 }, prs = { 0 };
	fz_sig_redeem(&sig, &rs);
	fz_sig_redeem(&psig, &prs);
	if (!fz_same(&rs, &prs)) {
		ok = 0;
		FZ_CHECK(!final, "use lines changed the redeem results of:\n%s", text->s);
	}
	free(rs.s);
	free(prs.s);

	/* 2. the builder's carts (built without the use lines) against the
	 * text's without them, cart by cart. */
	ptrules_eval *e = ptrules_eval_new(g.src, 0);
	ptrules_diags *d = ptrules_diags_new();
	const char *at = psig.s ? psig.s : "";
	for (int c = 0; c < nc && ok; c++) {
		const char *next = strchr(at + 1, '\001');
		size_t len = next ? (size_t)(next - at) : strlen(at);
		if (ok_built[c]) {
			fz_buf bs = { 0 };
			size_t nd = ptrules_diags_count(d);
			ptrules_status st = ptrules_evaluate(e, built[c], d);
			/* a cart that needs no diagnostic and has a date must be preparable */
			char js[1 << 13];
			int clean = st == PTRULES_OK && ptrules_diags_count(d) == nd &&
				    ptrules_format_json(e, built[c], NULL, js, sizeof js) < sizeof js &&
				    strstr(js, "\"date_source\":\"order\"") != NULL;
			cart_sig(e, c, st, &bs);
			if (bs.n != len || memcmp(bs.s, at, len) != 0) {
				ok = 0;
				FZ_CHECK(!final, "the builder's cart %d differs from the text's:\n%s\n---\n%.*s\n---\n%s",
					 c + 1, bs.s, (int)len, at, text->s);
			}
			/* 4. prepared for the rules: the same again. */
			fz_buf ps = { 0 };
			FZ_CHECK(ptrules_cart_prepare(built[c], g.src) == PTRULES_OK, "cannot prepare cart %d", c + 1);
			FZ_CHECK(!clean || ptrules_cart_prepared(built[c], g.src),
				 "cart %d needs no diagnostic and has an order date, but was not prepared:\n%s", c + 1, text->s);
			st = ptrules_evaluate(e, built[c], d);
			cart_sig(e, c, st, &ps);
			if (!fz_same(&bs, &ps)) {
				ok = 0;
				FZ_CHECK(!final, "cart %d prepared (%d) differs from unprepared:\n%s\n---\n%s\n---\n%s", c + 1,
					 ptrules_cart_prepared(built[c], g.src), ps.s, bs.s, text->s);
			}
			/* 5. packed: every prepared cart packs (these have no use
			 * records), and gives the same results again. */
			int prepared = ptrules_cart_prepared(built[c], g.src);
			ptrules_cart_prepare(built[c], NULL);
			ptrules_batch *pb = ptrules_batch_new(g.src);
			FZ_CHECK(pb != NULL, "out of memory");
			ptrules_status add = ptrules_batch_add(pb, built[c]);
			FZ_CHECK(add == PTRULES_OK || (add == PTRULES_EINVALID && (!prepared || st == PTRULES_EINVALID)),
				 "cart %d was prepared but not packed (%d):\n%s", c + 1, (int)add, text->s);
			if (add == PTRULES_OK) {
				fz_buf ks = { 0 };
				st = ptrules_evaluate_packed(e, pb, 0);
				cart_sig(e, c, st, &ks);
				if (!fz_same(&bs, &ks)) {
					ok = 0;
					FZ_CHECK(!final, "cart %d packed differs from unprepared:\n%s\n---\n%s\n---\n%s", c + 1,
						 ks.s, bs.s, text->s);
				}
				free(ks.s);
			}
			ptrules_batch_free(pb);
			free(ps.s);
			free(bs.s);
		}
		at += len;
	}
	ptrules_diags_print(d, fz_sink());
	ptrules_diags_free(d);
	ptrules_eval_free(e);
	free(a.s);
	free(b.s);
	free(sig.s);
	free(psig.s);
	/* 6. the fast path against the reference VM. */
	return compare_fast(text, built, ok_built, nc, final) && ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum { MAX = 4 };
	static ptrules_cart *built[MAX];
	init();
	fz_check_formats = 0;   /* fuzz_rules and fuzz_cart check the formatters */
	for (int i = 0; i < MAX; i++)
		if (!built[i] && !(built[i] = ptrules_cart_new()))
			abort();
	gen s = { data, size };
	fz_buf text = { 0 }, plain = { 0 };
	int ok_built[MAX];
	int nc = generate(&s, &text, &plain, built, ok_built, MAX);
	if (!compare(&text, &plain, built, ok_built, nc, 0))
		compare(&text, &plain, built, ok_built, nc, 1);
	free(text.s);
	free(plain.s);
	return 0;
}
