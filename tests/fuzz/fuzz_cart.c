/* fuzz_cart.c - libFuzzer target for the cart reader and binding.
 *
 * Input: the bytes of a cart file.  The shipped rules (rules/) and the
 * tutorial's program (tests/rules-extra/) are compiled once; every cart
 * the reader produces is bound to them and evaluated through the public
 * API, and the results are formatted as JSON and text with --explain,
 * with the checks of fuzz_common.h (valid JSON and UTF-8, the snprintf
 * contract of the formatters, result invariants).
 *
 * PT_FUZZ_ROOT, the repository root, is set by mk/fuzz.mk so the target
 * finds the rules whatever its working directory. */
#include "fuzz_common.h"

#ifndef PT_FUZZ_ROOT
#define PT_FUZZ_ROOT "."
#endif

/* The rule set every input is evaluated against, compiled on first use. */
static ptrules_rules *rules(void)
{
	static ptrules_rules *r;
	if (r)
		return r;
	static const char *const paths[] = { PT_FUZZ_ROOT "/rules", PT_FUZZ_ROOT "/tests/rules-extra" };
	ptrules_diags *d = ptrules_diags_new();
	if (ptrules_load_paths(&r, paths, 2, d) != PTRULES_OK) {
		ptrules_diags_print(d, stderr);
		fputs("fuzz_cart: the shipped rules do not compile\n", stderr);
		abort();
	}
	ptrules_diags_free(d);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_eval_text(rules(), (const char *)data, size, "cart.txt", NULL, NULL);
	return 0;
}
