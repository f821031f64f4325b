/* test_compile.c - the compiler driver (src/compile.c, src/gen.c) on the
 * shipped rules/ and on small sources: program table, section layout,
 * line table, inputs, dated tier tables, and whole-rule-set errors such
 * as duplicate program ids. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "date.h"
#include "helpers.h"
#include "load.h"
#include "opcodes.h"
#include "rules.h"

/* Print every diagnostic (to explain a failing assertion). */
static void dump(const pt_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		print_error("  %s:%d:%d: %s\n", d->v[i].file, d->v[i].line, d->v[i].col,
			    d->v[i].msg ? d->v[i].msg : "");
}

/* Load and compile paths (files or directories under the root). */
static pt_ruleset *compile_paths(const char *const *rel, size_t n, pt_srclist *l, pt_diags *d)
{
	memset(l, 0, sizeof *l);
	pt_diags_init(d);
	for (size_t i = 0; i < n; i++) {
		char path[1024];
		root_path(path, sizeof path, rel[i]);
		if (!pt_srclist_add(l, path, d)) {
			dump(d);
			fail_msg("cannot load %s", path);
		}
	}
	return pt_compile(l->v, l->n, d);
}

/* Compile one in-memory source named name. */
static pt_ruleset *compile_text(const char *name, const char *text, pt_src *src, pt_diags *d)
{
	*src = (pt_src){ name, text, strlen(text), 0 };
	pt_diags_init(d);
	return pt_compile(src, 1, d);
}

/* Index of the program with this id, or -1. */
static int prog_index(const pt_ruleset *rs, const char *id)
{
	for (size_t i = 0; i < rs->nprogs; i++)
		if (strcmp(rs->progs[i].id, id) == 0)
			return (int)i;
	return -1;
}

/* Number of instructions with opcode op (and argument arg, unless arg
 * is negative) in [from, to). */
static int count_ops(const pt_ruleset *rs, uint32_t from, uint32_t to, int op, long arg)
{
	int n = 0;
	for (uint32_t pc = from; pc < to; pc++)
		if ((int)PT_INS_OP(rs->code[pc]) == op && (arg < 0 || PT_INS_ARG(rs->code[pc]) == (uint32_t)arg))
			n++;
	return n;
}

/* Whether the constant pool holds n/d. */
static bool has_const(const pt_ruleset *rs, int64_t n, int64_t d)
{
	for (size_t i = 0; i < rs->nconsts; i++)
		if (rs->consts[i].n == n && rs->consts[i].d == d)
			return true;
	return false;
}

/* Lines in a source text (a last line without '\n' counts). */
static uint32_t count_lines(const pt_src *s)
{
	uint32_t n = 1;
	for (size_t i = 0; i < s->len; i++)
		if (s->text[i] == '\n')
			n++;
	return n;
}

/* The shipped rules compile to three programs, in file-name order, with
 * their ids, display names, sections, grant timing and validity. */
static void test_shipped_programs(void **state)
{
	(void)state;
	const char *paths[] = { "rules" };
	pt_srclist l;
	pt_diags d;
	pt_ruleset *rs = compile_paths(paths, 1, &l, &d);
	if (!rs)
		dump(&d);
	assert_non_null(rs);
	assert_int_equal(d.n_errors, 0);
	assert_int_equal(d.n_warnings, 0);
	assert_int_equal(rs->nprogs, 3);
	assert_int_equal(rs->nfiles, 4);   /* checkout.rules holds the checkout policy */
	assert_int_equal(rs->npolicies, 1);
	assert_string_equal(rs->policies[0].id, "checkout");
	assert_int_equal(rs->policies[0].file, 0);
	assert_string_equal(rs->progs[0].id, "dpoint");
	assert_string_equal(rs->progs[1].id, "okidoki");
	assert_string_equal(rs->progs[2].id, "recruit");
	assert_string_equal(rs->progs[0].name, "dポイント");
	assert_string_equal(rs->progs[1].name, "OkiDokiポイント");
	assert_string_equal(rs->progs[2].name, "リクルートポイント");
	for (size_t i = 0; i < rs->nprogs; i++) {
		assert_int_equal(rs->progs[i].file, (int)i + 1);
		assert_non_null(strstr(rs->files[i + 1], rs->progs[i].id));
		assert_true(rs->progs[i].redeems);
	}
	assert_true(rs->progs[0].earns);
	assert_false(rs->progs[1].earns);
	assert_false(rs->progs[2].earns);
	assert_string_equal(rs->progs[0].granted, "shipment");
	assert_null(rs->progs[1].granted);
	assert_int_equal(rs->progs[1].valid_until, pt_date_from_ymd(2026, 1, 12));
	assert_int_equal(rs->progs[1].valid_from, PT_DATE_MIN);
	assert_int_equal(rs->progs[0].valid_until, PT_DATE_MAX);
	assert_int_equal(prog_index(rs, "recruit"), 2);
	assert_int_equal(prog_index(rs, "rakuten"), -1);
	pt_ruleset_free(rs);
	pt_diags_free(&d);
	pt_srclist_free(&l);
}

/* Code layout: each program's redeem section precedes its earn section,
 * sections tile the code without gaps or overlap, and every section
 * ends in HALT or FAIL; the line table points into the right file. */
static void test_section_layout(void **state)
{
	(void)state;
	const char *paths[] = { "rules", "tests/rules-extra/airwallet.rules" };
	pt_srclist l;
	pt_diags d;
	pt_ruleset *rs = compile_paths(paths, 2, &l, &d);
	if (!rs)
		dump(&d);
	assert_non_null(rs);
	assert_int_equal(rs->nprogs, 4);
	assert_string_equal(rs->progs[3].id, "airwallet");
	uint32_t next = 0;
	for (size_t i = 0; i < rs->nprogs; i++) {
		const pt_program *pg = &rs->progs[i];
		assert_int_equal(pg->redeem_pc, next);
		assert_true(pg->redeem_pc < pg->redeem_end);
		assert_int_equal(pg->earn_pc, pg->redeem_end);
		assert_true(pg->earn_pc < pg->earn_end);
		next = pg->earn_end;
		uint32_t last_r = PT_INS_OP(rs->code[pg->redeem_end - 1]);
		uint32_t last_e = PT_INS_OP(rs->code[pg->earn_end - 1]);
		if (last_r != PT_OP_HALT && last_r != PT_OP_FAIL)
			fail_msg("%s: redeem section ends in %s", pg->id, pt_op_names[last_r]);
		if (last_e != PT_OP_HALT && last_e != PT_OP_FAIL)
			fail_msg("%s: earn section ends in %s", pg->id, pt_op_names[last_e]);
		/* the sections that do something have a normal end */
		if (pg->redeems)
			assert_true(count_ops(rs, pg->redeem_pc, pg->redeem_end, PT_OP_HALT, 0) >= 1);
		if (pg->earns)
			assert_true(count_ops(rs, pg->earn_pc, pg->earn_end, PT_OP_HALT, 0) >= 1);
		else   /* a stub: one FAIL saying so */
			assert_int_equal(pg->earn_end - pg->earn_pc, 1);
		for (uint32_t pc = pg->redeem_pc; pc < pg->earn_end; pc++) {
			assert_int_equal(rs->lines[pc].file, pg->file);
			assert_true(rs->lines[pc].line >= 1);
			assert_true(rs->lines[pc].line <= count_lines(&l.v[pg->file]));
		}
		assert_true(pg->nlocals <= rs->max_locals);
		assert_true(pg->linked_input >= 0 && (size_t)pg->linked_input < rs->ninputs);
		assert_int_equal(rs->inputs[pg->linked_input].kind, PT_IN_LINKED);
		assert_int_equal(rs->inputs[pg->linked_input].prog, (int)i);
		assert_int_equal(rs->inputs[pg->balance_input].kind, PT_IN_BALANCE);
	}
	for (size_t i = 0; i < rs->npolicies; i++) {   /* policies follow, one section each */
		const pt_program *pg = &rs->policies[i];
		assert_int_equal(pg->redeem_pc, next);
		assert_int_equal(PT_INS_OP(rs->code[pg->redeem_end - 1]), PT_OP_HALT);
		next = pg->redeem_end;
	}
	assert_int_equal(next, rs->ncode);
	assert_true(rs->max_stack >= 2 && rs->max_stack <= PT_MAX_STACK);
	/* the stub message and the recruit program's lack of earning */
	int stub = pt_ruleset_find_str(rs, "this program does not earn points here");
	assert_true(stub >= 0);
	assert_int_equal(rs->code[rs->progs[2].earn_pc], PT_INS(PT_OP_FAIL, (uint32_t)stub));
	/* verifying again succeeds and recomputes the same limits */
	uint32_t ms = rs->max_stack, ml = rs->max_locals;
	pt_diags d2;
	pt_diags_init(&d2);
	assert_true(pt_verify(rs, &d2, "again"));
	assert_int_equal(d2.n, 0);
	assert_int_equal(rs->max_stack, ms);
	assert_int_equal(rs->max_locals, ml);
	pt_diags_free(&d2);
	pt_ruleset_free(rs);
	pt_diags_free(&d);
	pt_srclist_free(&l);
}

/* The inputs the shipped rules declare, with unit and default; excluded
 * categories become category sums the binder fills. */
static void test_declared_inputs(void **state)
{
	(void)state;
	const char *paths[] = { "rules" };
	pt_srclist l;
	pt_diags d;
	pt_ruleset *rs = compile_paths(paths, 1, &l, &d);
	assert_non_null(rs);
	static const struct { const char *key; pt_unit type; int64_t dflt; } want[] = {
		{ "earned_3mo", PT_U_POINTS, 0 }, { "earned_this_month", PT_U_POINTS, 0 },
		{ "dvaluepass", PT_U_BOOL, 0 }, { "prime", PT_U_BOOL, 0 },
		{ "bonus_earned_this_month", PT_U_POINTS, 0 },
	};
	for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
		int found = 0;
		for (size_t i = 0; i < rs->ninputs; i++) {
			const pt_input_def *in = &rs->inputs[i];
			if (in->kind != PT_IN_ACCOUNT || strcmp(in->name, want[w].key) != 0)
				continue;
			found++;
			assert_int_equal(in->prog, 0);
			assert_int_equal(in->type, want[w].type);
			assert_true(in->has_default);
			assert_int_equal(in->dflt.n, want[w].dflt);
			assert_int_equal(in->file, 1);   /* rules/dpoint.rules, after checkout.rules */
			assert_true(in->line > 1);
		}
		if (found != 1)
			fail_msg("account.%s declared %d times", want[w].key, found);
	}
	static const char *const cats[] = { "kindle", "audible", "prime_fee", "digital", "subscription", "giftcard" };
	for (size_t c = 0; c < sizeof cats / sizeof cats[0]; c++) {
		int found = 0;
		for (size_t i = 0; i < rs->ninputs; i++)
			found += rs->inputs[i].kind == PT_IN_CATSUM && strcmp(rs->inputs[i].name, cats[c]) == 0;
		assert_int_equal(found, 1);   /* shared by the three programs */
	}
	pt_ruleset_free(rs);
	pt_diags_free(&d);
	pt_srclist_free(&l);
}

/* dpoint's two dated versions of `tiers rank` are both compiled: ten
 * labelled rows, the seed and the 2024-10-03 multipliers, the date
 * tests, and a FAIL when no version is in force. */
static void test_dated_tiers(void **state)
{
	(void)state;
	const char *paths[] = { "rules/dpoint.rules" };
	pt_srclist l;
	pt_diags d;
	pt_ruleset *rs = compile_paths(paths, 1, &l, &d);
	assert_non_null(rs);
	const pt_program *pg = &rs->progs[0];
	assert_int_equal(count_ops(rs, pg->earn_pc, pg->earn_end, PT_OP_TIER, -1), 10);
	static const char *const labels[] = { "★5", "★4", "★3", "★2", "★1" };
	for (size_t i = 0; i < 5; i++) {
		int s = pt_ruleset_find_str(rs, labels[i]);
		assert_true(s >= 0);
		assert_int_equal(count_ops(rs, pg->earn_pc, pg->earn_end, PT_OP_TIER, s), 2);
	}
	assert_true(has_const(rs, 5, 2));      /* 2.5x, until 2024-10-02 */
	assert_true(has_const(rs, 3, 2));      /* 1.5x */
	assert_true(has_const(rs, 1, 100));    /* 1% */
	assert_true(has_const(rs, 50, 1));     /* the new ★2 threshold */
	assert_true(has_const(rs, pt_date_from_ymd(2024, 10, 2), 1));
	assert_true(has_const(rs, pt_date_from_ymd(2024, 10, 3), 1));
	assert_true(has_const(rs, pt_date_from_ymd(2026, 3, 1), 1));
	int none = pt_ruleset_find_str(rs, "no 'rank' table is in force on the order date");
	assert_true(none >= 0);
	assert_int_equal(count_ops(rs, pg->earn_pc, pg->earn_end, PT_OP_FAIL, none), 1);
	/* redeem does not read the tiers */
	assert_int_equal(count_ops(rs, pg->redeem_pc, pg->redeem_end, PT_OP_TIER, -1), 0);
	pt_ruleset_free(rs);
	pt_diags_free(&d);
	pt_srclist_free(&l);
}

/* Dated versions that disagree are errors: a from after the until, and
 * versions keyed by different fields. */
static void test_dated_version_errors(void **state)
{
	(void)state;
	pt_src src;
	pt_diags d;
	pt_ruleset *rs = compile_text("t.rules",
		"program t {\n"
		"  name \"T\"\n"
		"  input account.a: points = 0 points\n"
		"  input account.b: points = 0 points\n"
		"  tiers r by account.a until 2024-10-02 { \"x\" otherwise: m 1 }\n"
		"  tiers r by account.b from 2024-10-03 { \"x\" otherwise: m 2 }\n"
		"  earn from 2025-01-01 until 2024-01-01 { add 1 points * r.m }\n"
		"}\n", &src, &d);
	assert_null(rs);
	assert_int_equal(d.n_errors, 2);
	assert_string_equal(d.v[0].msg, "'from' date is after 'until' date");
	assert_int_equal(d.v[0].line, 7);
	assert_int_equal(d.v[0].col, 3);
	assert_string_equal(d.v[1].msg, "every version of 'r' must be keyed by account.a");
	assert_int_equal(d.v[1].line, 6);
	assert_int_equal(d.v[1].col, 14);
	pt_diags_free(&d);

	/* all earn blocks dated: a FAIL covers the dates none is in force */
	rs = compile_text("t.rules",
		"program t {\n"
		"  name \"T\"\n"
		"  earn until 2024-12-31 { add 1 points }\n"
		"  earn from 2025-01-01 { add 2 points }\n"
		"}\n", &src, &d);
	assert_non_null(rs);
	int s = pt_ruleset_find_str(rs, "no earn rules are in force on the order date");
	assert_true(s >= 0);
	assert_int_equal(count_ops(rs, rs->progs[0].earn_pc, rs->progs[0].earn_end, PT_OP_FAIL, s), 1);
	pt_ruleset_free(rs);
	pt_diags_free(&d);
}

/* Regression (src/sema.c, fixed in c9d04e8): a block or tier version
 * after an undated one could never be in force and was silently dropped
 * (`earn { add 1 points } earn { add 2 points }` earned 1); it is an
 * error at the second one, naming the first. */
static void test_second_undated_block(void **state)
{
	(void)state;
	static const struct { const char *text; int line, col; const char *msg; } cases[] = {
		{ "program t {\n  name \"T\"\n  earn { add 1 points }\n  earn { add 2 points }\n}\n", 4, 3,
		  "this earn block can never be in force: the undated one on line 3 always is; give each version from/until dates" },
		{ "program t {\n  name \"T\"\n  redeem { value 1 yen per point }\n  redeem { value 2 yen per point }\n}\n", 4, 3,
		  "this redeem block can never be in force: the undated one on line 3 always is; give each version from/until dates" },
		{ "program t {\n  name \"T\"\n  input account.r: points = 0 points\n"
		  "  tiers k by account.r { \"a\" otherwise: m 1 }\n"
		  "  tiers k by account.r { \"b\" otherwise: m 2 }\n"
		  "  earn { add 1 points * k.m }\n}\n", 5, 3,
		  "this tier table version can never be in force: the undated one on line 4 always is; give each version from/until dates" },
		/* after a dated version, an undated one is a fallback: fine */
		{ "program t {\n  name \"T\"\n  earn until 2024-12-31 { add 1 points }\n  earn { add 2 points }\n}\n", 0, 0, NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		pt_src src;
		pt_diags d;
		pt_ruleset *rs = compile_text("t.rules", cases[i].text, &src, &d);
		if (!cases[i].msg) {
			assert_non_null(rs);
			assert_int_equal(d.n, 0);
		} else {
			assert_null(rs);
			assert_int_equal(d.n_errors, 1);
			assert_string_equal(d.v[0].msg, cases[i].msg);
			assert_int_equal(d.v[0].line, cases[i].line);
			assert_int_equal(d.v[0].col, cases[i].col);
		}
		pt_ruleset_free(rs);
		pt_diags_free(&d);
	}
}

/* The same program id twice, in two files or in one, is an error at
 * the second definition naming the first. */
static void test_duplicate_program_id(void **state)
{
	(void)state;
	pt_src srcs[] = {
		{ "a.rules", "program x { name \"X\" earn { add 1 points } }\n", 0, 0 },
		{ "b.rules", "# again\nprogram x { name \"X2\" earn { add 2 points } }\n", 0, 0 },
	};
	for (size_t i = 0; i < 2; i++)
		srcs[i].len = strlen(srcs[i].text);
	pt_diags d;
	pt_diags_init(&d);
	assert_null(pt_compile(srcs, 2, &d));
	assert_int_equal(d.n_errors, 1);
	assert_string_equal(d.v[0].file, "b.rules");
	assert_int_equal(d.v[0].line, 2);
	assert_int_equal(d.v[0].col, 9);
	assert_int_equal(d.v[0].len, 1);
	assert_string_equal(d.v[0].msg,
			    "program 'x' is defined twice (first at a.rules:1); use dated blocks for versions");
	pt_diags_free(&d);

	pt_src one;
	assert_null(compile_text("one.rules",
				 "program x { name \"X\" earn { add 1 points } }\n"
				 "program y { name \"Y\" earn { add 1 points } }\n"
				 "program x { name \"X\" earn { add 1 points } }\n", &one, &d));
	assert_int_equal(d.n_errors, 1);
	assert_int_equal(d.v[0].line, 3);
	assert_string_equal(d.v[0].msg,
			    "program 'x' is defined twice (first at one.rules:1); use dated blocks for versions");
	pt_diags_free(&d);

	/* the shipped rules plus a copy of one of them */
	const char *paths[] = { "rules", "rules/recruit.rules" };
	pt_srclist l;
	assert_null(compile_paths(paths, 2, &l, &d));
	assert_int_equal(d.n_errors, 1);
	assert_non_null(strstr(d.v[0].msg, "program 'recruit' is defined twice (first at "));
	pt_diags_free(&d);
	pt_srclist_free(&l);
}

/* Sources with nothing to compile, and paths that do not exist. */
static void test_nothing_to_compile(void **state)
{
	(void)state;
	pt_src src;
	pt_diags d;
	assert_null(compile_text("empty.rules", "# only a comment\n", &src, &d));
	assert_int_equal(d.n_errors, 1);
	assert_string_equal(d.v[0].file, "empty.rules");
	assert_int_equal(d.v[0].line, 0);
	assert_string_equal(d.v[0].msg, "no programs found; a rules file holds `program ID { ... }` blocks");
	pt_diags_free(&d);

	pt_srclist l = { 0 };
	pt_diags_init(&d);
	assert_false(pt_srclist_add(&l, "/nonexistent/ptrules/x.rules", &d));
	assert_int_equal(d.n_errors, 1);
	assert_string_equal(d.v[0].msg, "cannot open: No such file or directory");
	assert_int_equal(l.n, 0);
	pt_diags_free(&d);
	pt_srclist_free(&l);

	/* a directory without .rules files (a fresh one, with another file) */
	char dir[] = "/tmp/ptrules-test-XXXXXX", other[64];
	assert_non_null(mkdtemp(dir));
	snprintf(other, sizeof other, "%s/notes.txt", dir);
	FILE *fp = fopen(other, "w");
	assert_non_null(fp);
	fputs("program x { }\n", fp);
	fclose(fp);
	pt_diags_init(&d);
	bool added = pt_srclist_add(&l, dir, &d);
	remove(other);
	rmdir(dir);
	assert_false(added);
	assert_int_equal(d.n_errors, 1);
	assert_string_equal(d.v[0].msg, "no .rules files in this directory");
	assert_int_equal(l.n, 0);
	pt_diags_free(&d);
	pt_srclist_free(&l);
}

/* Compiling the same sources twice gives the same bytecode, constants
 * and strings: nothing depends on addresses or global state. */
static void test_deterministic(void **state)
{
	(void)state;
	const char *paths[] = { "rules" };
	pt_srclist l1, l2;
	pt_diags d1, d2;
	pt_ruleset *a = compile_paths(paths, 1, &l1, &d1);
	pt_ruleset *b = compile_paths(paths, 1, &l2, &d2);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->ncode, b->ncode);
	assert_memory_equal(a->code, b->code, a->ncode * sizeof *a->code);
	assert_int_equal(a->nconsts, b->nconsts);
	assert_memory_equal(a->consts, b->consts, a->nconsts * sizeof *a->consts);
	assert_int_equal(a->nstrs, b->nstrs);
	for (size_t i = 0; i < a->nstrs; i++)
		assert_string_equal(a->strs[i], b->strs[i]);
	assert_int_equal(a->ninputs, b->ninputs);
	pt_ruleset_free(a);
	pt_ruleset_free(b);
	pt_diags_free(&d1);
	pt_diags_free(&d2);
	pt_srclist_free(&l1);
	pt_srclist_free(&l2);
}

/* Compile text in a child process; 0 when it compiled or failed with
 * diagnostics, 128 + signal when it crashed. */
static int compile_in_child(const char *text, size_t len)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		pt_src src = { "long.rules", text, len, 0 };
		pt_diags d;
		pt_diags_init(&d);
		pt_ruleset *rs = pt_compile(&src, 1, &d);
		int code = rs || d.n_errors ? 0 : 1;
		pt_ruleset_free(rs);
		pt_diags_free(&d);
		_exit(code);
	}
	return wait_child(pid);
}

/* `add 1 points + 1 points + ...` with n terms. */
static char *long_sum(int n, size_t *len)
{
	size_t cap = 64 + 12 * (size_t)n;
	char *s = malloc(cap);
	if (!s)
		return NULL;
	size_t k = (size_t)snprintf(s, cap, "program a { name \"A\" earn { add 1 points");
	for (int i = 1; i < n; i++)
		k += (size_t)snprintf(s + k, cap - k, " + 1 points");
	k += (size_t)snprintf(s + k, cap - k, " } }\n");
	*len = k;
	return s;
}

/* A sum of 900 terms compiles to flat code (stack depth 2 or 3); one of
 * 10,000 terms is refused once, at its start, with the limit named. */
static void test_long_expression(void **state)
{
	(void)state;
	size_t len = 0;
	char *text = long_sum(900, &len);
	assert_non_null(text);
	pt_src src = { "long.rules", text, len, 0 };
	pt_diags d;
	pt_diags_init(&d);
	pt_ruleset *rs = pt_compile(&src, 1, &d);
	assert_non_null(rs);
	assert_int_equal(d.n, 0);
	assert_true(rs->max_stack <= 3);
	pt_ruleset_free(rs);
	pt_diags_free(&d);
	free(text);

	text = long_sum(10000, &len);
	assert_non_null(text);
	src = (pt_src){ "long.rules", text, len, 0 };
	pt_diags_init(&d);
	assert_null(pt_compile(&src, 1, &d));
	assert_int_equal(d.n_errors, 1);
	assert_int_equal(d.v[0].line, 1);
	assert_int_equal(d.v[0].col, 33);   /* the first term of the chain */
	assert_string_equal(d.v[0].msg, "expression is too long or too deep (limit is 1000 operators in a chain)");
	pt_diags_free(&d);
	free(text);
}

/* Regression (src/sema.c check_expr, fixed in c9d04e8): the passes
 * recurse once per operator and a left-associative chain does not
 * deepen the parser's stack, so a 200,000-term sum (2.2 MB, under the
 * 4 MB source limit) once overflowed the C stack (SIGSEGV in
 * check_expr).  It must end with a diagnostic, in a child process so a
 * crash cannot take the test runner down. */
static void test_long_expression_no_crash(void **state)
{
	(void)state;
	size_t len = 0;
	char *text = long_sum(200000, &len);
	assert_non_null(text);
	assert_true(len < PT_MAX_SOURCE);
	int rc = compile_in_child(text, len);
	free(text);
	if (rc != 0)
		fail_msg("compiling a 200,000-term sum: child ended with %d (128 + signal = crash)", rc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_programs),
		cmocka_unit_test(test_section_layout),
		cmocka_unit_test(test_declared_inputs),
		cmocka_unit_test(test_dated_tiers),
		cmocka_unit_test(test_dated_version_errors),
		cmocka_unit_test(test_second_undated_block),
		cmocka_unit_test(test_duplicate_program_id),
		cmocka_unit_test(test_nothing_to_compile),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_long_expression),
		cmocka_unit_test(test_long_expression_no_crash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
