/* fuzz_bytecode.c - libFuzzer target for the .ptbc loader, the verifier
 * and the VM: a compiled file is untrusted input.
 *
 * Input: the bytes of a compiled rule set.  They are loaded twice: as
 * they are (so the header checks are exercised), and with the header's
 * magic, version, flags, payload length and CRC-32C rewritten to match
 * (so that mutations reach the section readers and the verifier instead
 * of stopping at the checksum).  Whatever loads must be safe to run: it
 * is listed, its cost bound read, and every cart of a fixed set (the
 * example cart and carts linking each of its programs) is evaluated with
 * the checks of fuzz_common.h; saved again and reloaded, it must give
 * the same bytes and the same answers (fz_bytecode_roundtrip), and the
 * results keep the language's guarantees (no negative amounts, nothing
 * usable from an unusable section) even though no compiler made them.
 * The same carts, and 16 more that give every numeric and yes/no account
 * key values in pairs (so that tier tables and caps are reached), are
 * then evaluated by the fast path (the machine code where there is some;
 * as read, prepared and packed) and by the reference VM: the results
 * must be the same.  A forged file
 * made the machine code note reasons past a result once
 * (tests/fastdiff/forged), which only this comparison can see.
 *
 * Seeds: `ptrules compile` output for the shipped rules and the language
 * reference's examples (tests/fuzz/seed.sh). */
#include "fuzz_common.h"
#include "api.h"    /* the rule set's inputs: account keys to give values */
#include "ptbc.h"   /* PT_PTBC_VERSION: the header is rewritten to the version this build reads */

#define HDR 32u

static const char carts[] =
	"order id=250-1234567 date=2026-11-24\n"
	"item price=3980 qty=2 category=grocery name=\"Coffee beans 1kg\"\n"
	"item price=1200 category=kindle name=\"e-book\"\n"
	"payment card=jcb\n"
	"account program=dpoint balance=1200 earned_3mo=1600 earned_this_month=40\n"
	"account program=recruit balance=500\n"
	"account program=okidoki balance=300\n"
	"cart id=undated\n"
	"item price=999999999999999 qty=9000\n"
	"payment method=giftcard\n";

/* CRC-32C, as the format defines it (docs/bytecode.md). */
static uint32_t crc32c(const unsigned char *p, size_t n)
{
	uint32_t crc = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
	}
	return ~crc;
}

/* Store v little-endian at p. */
static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Carts linking every program of r with a value for each of its numeric
 * and yes/no account keys: 16 carts (x, y), the j-th key of a program at
 * level (x + j * y) mod 4 of 0, 1, 100 and 4,700, so that any two
 * neighbouring keys meet in every pair of levels (a cap at 0 before a
 * tier table's first row, say).  A key a cart line cannot hold only makes
 * that cart an error. */
static void valued_carts(const ptrules_rules *r, fz_buf *b)
{
	static const long long level[4] = { 0, 1, 100, 4700 };
	const pt_ruleset *rs = r->rs;
	for (int x = 0; x < 4; x++)
		for (int y = 0; y < 4; y++) {
			fz_printf(b, "cart id=valued%d%d\norder date=2026-03-08\nitem price=12000\n"
				  "item price=800 category=kindle\npayment card=jcb\n", x, y);
			for (size_t p = 0; p < ptrules_program_count(r); p++) {
				fz_printf(b, "account program=%s balance=%lld", ptrules_program_id(r, p), level[(x + y) % 4]);
				int j = 0;
				for (size_t k = 0; k < rs->ninputs; k++) {
					const pt_input_def *in = &rs->inputs[k];
					if (in->kind != PT_IN_ACCOUNT || (size_t)in->prog != p || !in->name)
						continue;
					int l = (x + j++ * y) % 4;
					if (in->type == PT_U_NUM || in->type == PT_U_YEN || in->type == PT_U_POINTS)
						fz_printf(b, " %s=%lld", in->name, level[l]);
					else if (in->type == PT_U_BOOL)
						fz_printf(b, " %s=%s", in->name, l % 2 ? "yes" : "no");
				}
				fz_puts(b, "\n");
			}
		}
}

/* Cart c (the index-th) prepared, on evaluator prep, and packed, on
 * evaluator packed, against the reference VM on the same copy.  The
 * machine code reads those carts' inputs where the preparation keeps
 * them (pt_bind_in_place), and the register file gets them only when
 * something else is to read them (the interpreter taking over after a
 * DIVFLOOR_I, say): called over the carts in turn, each evaluator's
 * register file holds the cart before's values, so an input not written
 * there shows. */
static void prepared_and_packed(ptrules_rules *r, ptrules_eval *ref, ptrules_eval *prep, ptrules_eval *packed,
				const ptrules_cart *c, int index)
{
	ptrules_cart *bc = ptrules_cart_new();
	ptrules_batch *pb = ptrules_batch_new(r);
	FZ_CHECK(bc && pb, "out of memory");
	if (ptrules_cart_copy(bc, c) == PTRULES_OK) {
		fz_buf x = { 0 };
		fz_full_sig(ref, bc, ptrules_evaluate(ref, bc, NULL), 0, &x);
		if (ptrules_cart_prepare(bc, r) == PTRULES_OK && ptrules_cart_prepared(bc, r)) {
			fz_buf z = { 0 };
			fz_full_sig(prep, bc, ptrules_evaluate(prep, bc, NULL), 0, &z);
			FZ_CHECK(fz_same(&x, &z), "cart %d: prepared differs from the reference VM:\n%s---\n%s", index,
				 x.s ? x.s : "", z.s ? z.s : "");
			free(z.s);
		}
		if (ptrules_batch_add(pb, bc) == PTRULES_OK) {
			fz_buf z = { 0 };
			fz_full_sig(packed, bc, ptrules_evaluate_packed(packed, pb, 0), 0, &z);
			FZ_CHECK(fz_same(&x, &z), "cart %d: packed differs from the reference VM:\n%s---\n%s", index,
				 x.s ? x.s : "", z.s ? z.s : "");
			free(z.s);
		}
		free(x.s);
	}
	ptrules_batch_free(pb);
	ptrules_cart_free(bc);
}

/* The fast path (a plain evaluator: machine code where there is some)
 * against the reference VM (an evaluator with coverage) on every cart of
 * text, as read, then prepared and packed: everything the public API
 * says must be the same (fz_full_sig, as fuzz_diff's step 6 compares
 * them). */
static void fast_vs_reference(ptrules_rules *r, const char *text, size_t len)
{
	ptrules_eval *ref = ptrules_eval_new(r, PTRULES_EVAL_COVERAGE), *fast = ptrules_eval_new(r, 0);
	ptrules_eval *prep = ptrules_eval_new(r, 0), *packed = ptrules_eval_new(r, 0);
	FZ_CHECK(ref && fast && prep && packed, "out of memory");
	for (int pass = 0; pass < 2; pass++) {
		ptrules_reader *rd = ptrules_reader_new(text, len, "carts.txt");
		FZ_CHECK(rd != NULL, "out of memory");
		const ptrules_cart *c;
		while (ptrules_reader_next(rd, &c, NULL)) {
			if (pass) {
				prepared_and_packed(r, ref, prep, packed, c, ptrules_reader_index(rd));
				continue;
			}
			fz_buf x = { 0 }, y = { 0 };
			fz_full_sig(ref, c, ptrules_evaluate(ref, c, NULL), 0, &x);
			fz_full_sig(fast, c, ptrules_evaluate(fast, c, NULL), 0, &y);
			FZ_CHECK(fz_same(&x, &y), "cart %d: the fast path differs from the reference VM:\n%s---\n%s",
				 ptrules_reader_index(rd), x.s ? x.s : "", y.s ? y.s : "");
			free(x.s);
			free(y.s);
		}
		ptrules_reader_free(rd);
	}
	ptrules_eval_free(ref);
	ptrules_eval_free(fast);
	ptrules_eval_free(prep);
	ptrules_eval_free(packed);
}

/* Load, and when it loads, use the rule set every way a service would. */
static void try_load(const unsigned char *data, size_t size)
{
	ptrules_diags *d = ptrules_diags_new();
	ptrules_rules *r = NULL;
	ptrules_status st = ptrules_load_bytecode(&r, data, size, "fuzz.ptbc", d);
	FZ_CHECK((st == PTRULES_OK) == (r != NULL), "load_bytecode: status %d with rules %p", (int)st, (void *)r);
	FZ_CHECK(st == PTRULES_OK || ptrules_diags_errors(d) > 0, "refused without an error");
	ptrules_diags_print(d, fz_sink());
	ptrules_diags_free(d);
	if (!r)
		return;
	ptrules_disasm(r, fz_sink());
	(void)ptrules_cost_bound(r);
	fz_buf b = { 0 };
	fz_put(&b, carts, sizeof carts - 1);
	fz_puts(&b, "cart id=linked\norder date=2025-06-01\nitem price=20000\npayment card=jcb\n");
	for (size_t i = 0; i < ptrules_program_count(r); i++) {
		const char *id = ptrules_program_id(r, i);
		FZ_CHECK(id && ptrules_program_name(r, i), "program %zu has no id or name", i);
		(void)ptrules_program_cost(r, i);
		/* Ids from a file are not trusted to be cart words; the reader
		 * rejects those lines, which is fine. */
		fz_printf(&b, "account program=%s balance=%zu\n", id, 100 * i);
	}
	fz_eval_text(r, b.s, b.n, "carts.txt", NULL, NULL);
	fz_bytecode_roundtrip(r, b.s, b.n);
	valued_carts(r, &b);
	fast_vs_reference(r, b.s, b.n);
	free(b.s);
	ptrules_release(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	try_load(data, size);
	if (size < HDR)
		return 0;
	unsigned char *fixed = malloc(size);
	if (!fixed)
		abort();
	memcpy(fixed, data, size);
	memcpy(fixed, "\x89PTBC\r\n\x1a", 8);
	put32(fixed + 8, PT_PTBC_VERSION);
	put32(fixed + 12, 0);
	put32(fixed + 16, (uint32_t)(size - HDR));
	put32(fixed + 20, crc32c(fixed + HDR, size - HDR));
	if (memcmp(fixed, data, HDR) != 0)
		try_load(fixed, size);
	free(fixed);
	return 0;
}
