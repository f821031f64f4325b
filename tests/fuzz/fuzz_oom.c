/* fuzz_oom.c - libFuzzer target: rules loaded while an allocation fails.
 *
 * Input: two bytes, then the text of one .rules source.  The bytes say
 * which allocation of the load fails (1 to 32,768), and with their top
 * bit set every one from it on (as test_oom's sweeps do, but over any
 * text, valid or not, where test_oom loads the shipped rules).  The
 * source is loaded once with nothing failing, then again with the
 * failure armed (the library's malloc, calloc, realloc, strdup, strndup,
 * posix_memalign and aligned_alloc, by -Wl,--wrap: mk/fuzz.mk).  The
 * second load must
 *   - give PTRULES_ENOMEM with no rule set, say "out of memory" once
 *     (at most once when every allocation from it on fails, so that
 *     recording it may fail too), and say nothing else that the first load did not say (a
 *     lookup that failed for what it could not record once reported
 *     inputs "not declared"), or
 *   - give what the first gave: the same status, the same diagnostics,
 *     and the same rule set byte for byte (a failure the load got by
 *     without, or one past its last allocation).
 *
 * Build: `make fuzz-oom` (clang) or the replay driver in `make check`. */
#include "fuzz_common.h"

#include <stdbool.h>

#include "../unit/alloc_fail.h"

/* Whether diagnostic g is among d's (file, place, message). */
static bool said_in(const ptrules_diags *d, const ptrules_diag *g)
{
	for (size_t k = 0; k < ptrules_diags_count(d); k++) {
		ptrules_diag h;
		if (ptrules_diags_get(d, k, &h) == PTRULES_OK && h.line == g->line && h.col == g->col &&
		    strcmp(h.file ? h.file : "", g->file ? g->file : "") == 0 &&
		    strcmp(h.message ? h.message : "", g->message ? g->message : "") == 0)
			return true;
	}
	return false;
}

/* The compiled form of r (the caller frees it). */
static unsigned char *bytes_of(ptrules_rules *r, size_t *len)
{
	unsigned char *b = NULL;
	if (ptrules_save_bytecode(r, &b, len) != PTRULES_OK)
		FZ_CHECK(0, "a rule set that loaded could not be saved");
	return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size > 65536)
		return 0;
	long at = 1 + (long)(data[0] | (data[1] & 0x7F) << 8);
	int from = data[1] >> 7;
	ptrules_source s = { "fuzz.rules", (const char *)data + 2, size - 2 };
	ptrules_rules *r0 = NULL, *r1 = NULL;
	ptrules_diags *d0 = ptrules_diags_new(), *d1 = ptrules_diags_new();
	FZ_CHECK(d0 && d1, "no diagnostics object");
	ptrules_status st0 = ptrules_load_sources(&r0, &s, 1, d0);
	arm_from(at, from);
	ptrules_status st1 = ptrules_load_sources(&r1, &s, 1, d1);
	int hit = reached();
	size_t ne = 0, nw = 0;   /* what the records are: a lost one is not counted */
	for (size_t k = 0; k < ptrules_diags_count(d1); k++) {
		ptrules_diag g;
		FZ_CHECK(ptrules_diags_get(d1, k, &g) == PTRULES_OK, "diagnostic %zu unreadable", k);
		ne += g.severity == PTRULES_ERROR;
		nw += g.severity == PTRULES_WARNING;
	}
	size_t errors = ptrules_diags_errors(d1);   /* recorded up to the cap of 50 */
	FZ_CHECK(ne == (errors < 50 ? errors : 50) && nw == ptrules_diags_warnings(d1),
		 "allocation %ld failing: %zu errors and %zu warnings counted, %zu and %zu recorded", at,
		 ptrules_diags_errors(d1), ptrules_diags_warnings(d1), ne, nw);
	if (hit && st1 == PTRULES_ENOMEM) {
		FZ_CHECK(r1 == NULL, "allocation %ld failing: ENOMEM with a rule set", at);
		size_t oom = 0;
		for (size_t k = 0; k < ptrules_diags_count(d1); k++) {
			ptrules_diag g;
			FZ_CHECK(ptrules_diags_get(d1, k, &g) == PTRULES_OK, "diagnostic %zu unreadable", k);
			if (g.message && strcmp(g.message, "out of memory") == 0)
				oom++;
			else if (ptrules_diags_errors(d0) <= 50)   /* past the cap, which errors are kept shifts */
				FZ_CHECK(said_in(d0, &g), "allocation %ld failing: said %s:%d:%d: %s, which the load did not", at,
					 g.file ? g.file : "?", g.line, g.col, g.message ? g.message : "?");   /* nothing new */
		}
		FZ_CHECK(oom <= 1, "allocation %ld failing: out of memory said %zu times", at, oom);
		FZ_CHECK(from || ne >= 50 || oom == 1, "allocation %ld failing: ENOMEM without saying out of memory", at);
	} else {   /* got by without it: the same answer */
		FZ_CHECK(st1 == st0, "allocation %ld failing%s: status %d, %d without it", at, hit ? "" : " (not reached)", st1, st0);
		FZ_CHECK(ptrules_diags_count(d1) == ptrules_diags_count(d0), "allocation %ld failing: %zu diagnostics, %zu without it", at,
			 ptrules_diags_count(d1), ptrules_diags_count(d0));
		for (size_t k = 0; k < ptrules_diags_count(d1); k++) {
			ptrules_diag g;
			FZ_CHECK(ptrules_diags_get(d1, k, &g) == PTRULES_OK && said_in(d0, &g), "allocation %ld failing: diagnostic %zu differs", at, k);
		}
		if (st0 == PTRULES_OK) {
			size_t l0, l1;
			unsigned char *b0 = bytes_of(r0, &l0), *b1 = bytes_of(r1, &l1);
			FZ_CHECK(l0 == l1 && memcmp(b0, b1, l0) == 0, "allocation %ld failing: the rules loaded, but not as they are", at);
			free(b0);
			free(b1);
		}
	}
	ptrules_release(r0);
	ptrules_release(r1);
	ptrules_diags_free(d0);
	ptrules_diags_free(d1);
	return 0;
}
