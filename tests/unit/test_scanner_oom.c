/* test_scanner_oom.c - a scanner that cannot get memory fails the parse
 * with the parser's oom set and nothing said (the compile says "out of
 * memory", once); it never exits the process (flex's own allocator calls
 * exit() from yy_fatal_error).
 *
 * pt_parser.scan_fail_from makes every scanner allocation from the Nth on
 * fail (grammar/lexer.l, yyalloc).  Each parse runs in a child process so
 * that an exit() or a crash is seen as such. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"

#define PX_FILE "oom.rules"
#include "helpers.h"

static const char prog[] =
	"program p {\n"
	"  name \"P\"\n"
	"  redeem {\n"
	"    value 1 yen per point\n"
	"  }\n"
	"}\n";

/* Parse prog with scanner allocations failing from the nth on, in a
 * child.  Exit code: 0 the parse failed out of memory (oom set) with no
 * diagnostic; 1 it succeeded without diagnostics; 3 anything else;
 * otherwise what the child did (flex's exit(2), 128 + a signal). */
static int parse_failing_from(int nth)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		px x;
		memset(&x, 0, sizeof x);
		pt_arena_init(&x.arena, 4096);
		pt_diags_init(&x.d);
		x.src = (pt_src){ .name = PX_FILE, .text = prog, .len = sizeof prog - 1 };
		x.p.arena = &x.arena;
		x.p.diags = &x.d;
		x.p.src = &x.src;
		x.p.scan_fail_from = nth;
		x.ok = pt_parse(&x.p);
		int code = 3;
		if (x.ok && x.d.n == 0 && x.p.progs)
			code = 1;
		else if (!x.ok && x.d.n == 0 && x.p.oom)
			code = 0;
		px_free(&x);
		_exit(code);
	}
	return wait_child(pid);
}

/* Every scanner allocation that fails (its state, its buffer, its buffer
 * stack) fails the parse out of memory; once none fails it succeeds. */
static void test_scanner_allocation_failure(void **state)
{
	(void)state;
	int failed = 0, n;
	for (n = 1; n <= 10; n++) {
		int code = parse_failing_from(n);
		if (code == 1)
			break;
		if (code != 0)
			fail_msg("scanner allocations failing from #%d: child ended with %d "
				 "(0 expected: out of memory, nothing said)", n, code);
		failed++;
	}
	/* The state, the buffer and the buffer stack: three allocations. */
	assert_int_equal(failed, 3);
	assert_int_equal(parse_failing_from(0), 1);
}

/* Without injected failures the allocator does not change a parse. */
static void test_parse_unchanged(void **state)
{
	(void)state;
	px x;
	px_parse(&x, prog);
	assert_true(x.ok);
	assert_int_equal(x.d.n, 0);
	assert_false(x.p.scan_oom);
	assert_int_equal(x.p.scan_spare_used, 0);
	assert_null(x.p.scan_fatal);
	assert_non_null(x.p.progs);
	assert_string_equal(x.p.progs->id, "p");
	px_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scanner_allocation_failure),
		cmocka_unit_test(test_parse_unchanged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
