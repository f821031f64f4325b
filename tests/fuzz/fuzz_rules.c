/* fuzz_rules.c - libFuzzer target for the rules front end.
 *
 * Input: the text of .rules sources.  A line "#@file" splits it into up
 * to 4 sources, as `--rules a --rules b` gives, so cross-file errors are
 * reached; to the language the marker is a comment.  The sources are
 * compiled through the public API (lexer, parser, sema, gen, verifier);
 * diagnostics are printed to /dev/null.  Then:
 *   - each source that the formatter accepts is formatted, and formatting
 *     the result must change nothing (ptrules_fmt is idempotent);
 *   - when the rules compile: the bytecode is listed, and evaluated
 *     against the example cart and two carts generated from the text
 *     (every program linked, every declared `input account.KEY: TYPE`
 *     given a value of its type), with the checks of fuzz_common.h;
 *   - the rule set saved as bytecode and loaded back answers those carts
 *     byte for byte as the sources do (fz_bytecode_roundtrip);
 *   - the formatted sources compile too, and give the same results.
 *
 * Build: `make fuzz` (clang, -fsanitize=fuzzer,address,undefined) or the
 * replay driver (tests/fuzz/replay.c) in `make check`. */
#include "fuzz_common.h"

#define FZ_MAX_SRCS 4

static const char example_carts[] =
	"order id=250-1234567 date=2026-11-24\n"
	"item price=3980 qty=2 category=grocery name=\"Coffee beans 1kg\"\n"
	"item price=1200 category=kindle name=\"e-book\"\n"
	"payment card=jcb\n"
	"account program=dpoint balance=1200 earned_3mo=1600 earned_this_month=40\n"
	"account program=recruit balance=500\n"
	"account program=okidoki balance=300\n"
	"cart id=big\n"
	"order date=2024-10-03\n"
	"item price=999999999999999 qty=9000\n"
	"item price=7 category=kindle\n"
	"payment method=giftcard\n";

/* Append to cart the account keys declared in text, with values of their
 * types (varied by salt); word values come from the text's string
 * literals that are cart words. */
static void declared_keys(const char *text, size_t n, unsigned salt, fz_buf *cart)
{
	fz_key keys[32];
	char words[16][33];
	size_t nk = fz_scan_keys(text, n, keys, 32), nw = fz_scan_words(text, n, words, 16);
	for (size_t i = 0; i < nk; i++) {
		salt = salt * 1103515245u + 12345u;
		fz_printf(cart, " %s=", keys[i].name);
		if (keys[i].type == 'b')
			fz_puts(cart, salt & 0x10000 ? "yes" : "no");
		else if (keys[i].type == 'd')
			fz_printf(cart, "20%02u-%02u-%02u", 20 + (salt >> 8) % 10, 1 + (salt >> 12) % 12, 1 + (salt >> 16) % 28);
		else if (keys[i].type == 'w')
			fz_puts(cart, nw ? words[(salt >> 16) % nw] : "w");
		else
			fz_printf(cart, "%u", (salt >> 8) % 20000);
	}
}

/* Carts for the rule set r compiled from text: the example carts, one
 * cart linking every program with every declared key, one linking every
 * program with none. */
static void make_carts(ptrules_rules *r, const char *text, size_t n, unsigned salt, fz_buf *b)
{
	fz_put(b, example_carts, sizeof example_carts - 1);
	fz_printf(b, "cart id=all-linked\norder date=20%02u-%02u-%02u\n", 24 + salt % 4, 1 + salt % 12, 1 + salt % 28);
	fz_printf(b, "item price=%u qty=%u category=grocery\nitem price=1100 category=kindle\n",
		  1000u + salt % 50000u, 1u + salt % 5u);
	fz_printf(b, "payment card=%s\n", salt & 2 ? "jcb" : "visa");
	for (size_t p = 0; p < ptrules_program_count(r); p++) {
		fz_printf(b, "account program=%s balance=%u", ptrules_program_id(r, p), salt % 7000u);
		declared_keys(text, n, salt + (unsigned)p, b);
		fz_puts(b, "\n");
	}
	fz_puts(b, "cart id=nothing\n");
	for (size_t p = 0; p < ptrules_program_count(r); p++)
		fz_printf(b, "account program=%s\n", ptrules_program_id(r, p));
}

/* Compile n sources; NULL when they do not compile. */
static ptrules_rules *compile(const ptrules_source *srcs, size_t n)
{
	ptrules_diags *d = ptrules_diags_new();
	ptrules_rules *r = NULL;
	ptrules_status st = ptrules_load_sources(&r, srcs, n, d);
	FZ_CHECK((st == PTRULES_OK) == (r != NULL), "load_sources: status %d with rules %p", (int)st, (void *)r);
	FZ_CHECK(st != PTRULES_OK || ptrules_diags_errors(d) == 0, "compiled although errors were reported");
	FZ_CHECK(st == PTRULES_OK || ptrules_diags_errors(d) > 0 || st == PTRULES_ENOMEM,
		 "refused (status %d) without an error", (int)st);
	for (size_t i = 0, nd = ptrules_diags_count(d); i < nd; i++) {
		ptrules_diag g;
		FZ_CHECK(ptrules_diags_get(d, i, &g) == PTRULES_OK && g.message && g.file, "diagnostic %zu", i);
		FZ_CHECK(g.line >= 0 && g.col >= 0 && g.len >= 0, "diagnostic %zu has a negative position", i);
	}
	ptrules_diags_print(d, fz_sink());
	ptrules_diags_free(d);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char mark[] = "\n#@file\n";
	static const char *const names[FZ_MAX_SRCS] = { "a.rules", "b.rules", "c.rules", "d.rules" };
	ptrules_source srcs[FZ_MAX_SRCS], fsrcs[FZ_MAX_SRCS];
	char *formatted[FZ_MAX_SRCS] = { 0 };
	size_t n = 0, start = 0, nf = 0;
	const char *text = (const char *)data;
	unsigned salt = 0;
	for (size_t i = 0; i < size; i++)
		salt = salt * 31u + data[i];
	for (size_t i = 0; n + 1 < FZ_MAX_SRCS && i + sizeof mark - 1 <= size; i++)
		if (memcmp(text + i, mark, sizeof mark - 1) == 0) {
			srcs[n] = (ptrules_source){ names[n], text + start, i + 1 - start };
			n++;
			start = i + sizeof mark - 1;
			i = start - 1;
		}
	srcs[n] = (ptrules_source){ names[n], text + start, size - start };
	n++;

	/* The formatter: idempotent on whatever it accepts. */
	for (size_t i = 0; i < n; i++) {
		ptrules_diags *d = ptrules_diags_new();
		char *f1 = NULL, *f2 = NULL;
		size_t l1 = 0, l2 = 0;
		if (ptrules_fmt(srcs[i].text, srcs[i].len, srcs[i].name, &f1, &l1, d) == PTRULES_OK) {
			/* Comments may hold any bytes, and are kept as they are. */
			FZ_CHECK(f1 && (fz_utf8_ok(f1, l1) || !fz_utf8_ok(srcs[i].text, srcs[i].len)),
				 "fmt made invalid UTF-8 of valid text");
			FZ_CHECK(ptrules_fmt(f1, l1, srcs[i].name, &f2, &l2, d) == PTRULES_OK,
				 "fmt refuses its own output:\n%.*s", (int)l1, f1);
			FZ_CHECK(l1 == l2 && memcmp(f1, f2, l1) == 0, "fmt is not idempotent:\n%.*s\n---\n%.*s",
				 (int)l1, f1, (int)l2, f2);
			fsrcs[i] = (ptrules_source){ srcs[i].name, f1, l1 };
			formatted[i] = f1;
			nf++;
		} else {
			free(f1);
		}
		free(f2);
		ptrules_diags_print(d, fz_sink());
		ptrules_diags_free(d);
	}

	ptrules_rules *r = compile(srcs, n);
	if (r) {
		ptrules_disasm(r, fz_sink());
		(void)ptrules_cost_bound(r);
		fz_buf carts = { 0 }, sig = { 0 };
		make_carts(r, text, size, salt, &carts);
		fz_eval_text(r, carts.s, carts.n, "carts.txt", &sig, NULL);
		fz_bytecode_roundtrip(r, carts.s, carts.n);
		/* Rules that compile also format, and mean the same formatted. */
		FZ_CHECK(nf == n, "rules that compile do not all format");
		ptrules_rules *rf = compile(fsrcs, n);
		FZ_CHECK(rf != NULL, "the formatted rules do not compile");
		fz_buf fsig = { 0 };
		fz_eval_text(rf, carts.s, carts.n, "carts.txt", &fsig, NULL);
		if (sig.n != fsig.n || memcmp(sig.s, fsig.s, sig.n) != 0) {
			/* Once more: today's date in Japan may have changed. */
			sig.n = fsig.n = 0;
			fz_eval_text(r, carts.s, carts.n, "carts.txt", &sig, NULL);
			fz_eval_text(rf, carts.s, carts.n, "carts.txt", &fsig, NULL);
			FZ_CHECK(sig.n == fsig.n && (sig.n == 0 || memcmp(sig.s, fsig.s, sig.n) == 0),
				 "formatting changed the results:\n%s\n---\n%s", sig.s, fsig.s);
		}
		ptrules_release(rf);
		free(fsig.s);
		free(carts.s);
		free(sig.s);
		ptrules_release(r);
	}
	for (size_t i = 0; i < FZ_MAX_SRCS; i++)
		free(formatted[i]);
	return 0;
}
