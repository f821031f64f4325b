/* report.c - the benchmark's report: the table of results and targets on
 * standard output, and build/bench.json (issue 7 names its keys).
 * Floating point is used for timing arithmetic only. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

/* v with the given decimals for the table ("-": not measured), in one of
 * 16 rotating buffers. */
static const char *fx(double v, int decimals)
{
	static char bufs[16][40];
	static int k;
	char *b = bufs[k++ & 15];
	if (v < 0)
		snprintf(b, 40, "-");
	else
		snprintf(b, 40, "%.*f", decimals, v);
	return b;
}

/* A measured figure as a JSON number with the given decimals (null: not
 * measured). */
static void jfx(FILE *f, double v, int decimals)
{
	if (v < 0)
		fputs("null", f);
	else
		fprintf(f, "%.*f", decimals, v);
}

/* A count as a JSON number (null: not measured). */
static void jint(FILE *f, long v)
{
	if (v < 0)
		fputs("null", f);
	else
		fprintf(f, "%ld", v);
}

/* A JSON string (the texts here are ASCII messages and names). */
static void jstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++)
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	fputc('"', f);
}

/* a / b, or -1 when either was not measured. */
static double ratio(double a, double b) { return a < 0 || b <= 0 ? -1 : a / b; }

/* The CPU's model name from /proc/cpuinfo, for the report's header. */
static void cpu_model(char *buf, size_t cap)
{
	snprintf(buf, cap, "unknown");
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "model name", 10) == 0) {
			char *p = strchr(line, ':');
			if (p) {
				p += 1 + (p[1] == ' ');
				p[strcspn(p, "\n")] = '\0';
				snprintf(buf, cap, "%s", p);
			}
			break;
		}
	fclose(f);
}

/* The table on standard output and the JSON file (o->json). */
void bench_report(const opts *o, const results *R)
{
	int full = !o->quick;
	double cli_cps = R->cli_big_s > 0 ? (double)R->big_carts / R->cli_big_s : -1;
	double cli_mbs = R->cli_big_s > 0 ? (double)R->big_bytes / R->cli_big_s / 1e6 : -1;
	double cli_mid_cps = R->cli_mid_s > 0 ? (double)R->mid_carts / R->cli_mid_s : -1;
	double allocs_per_eval = R->allocs_evals ? (double)R->allocs / (double)R->allocs_evals : -1;
	char cpu[256];
	cpu_model(cpu, sizeof cpu);

	printf("\nptrules bench: %s carts, %s items (1-50 per cart, mean %s), checksum %" PRId64 "\n",
	       bench_commas(R->ncarts), bench_commas(R->nitems), fx(R->ncarts ? (double)R->nitems / R->ncarts : 0, 2), R->checksum);
	printf("machine: %ld cpus, %s; gcc %s -O2; best of %d interleaved rounds; load average at start %s\n\n",
	       sysconf(_SC_NPROCESSORS_ONLN), cpu, __VERSION__, o->rounds, R->loadavg);
	printf("  the three shipped programs, in-process    ns/cart   vs native   vs ptrules\n");
	struct { const char *name; double ns; const char *why; } rows[8] = {
		{ "hand-written C (bench/native.c)", R->ns_native, "" },
		{ "ptrules (packed batch)", R->ns_ptrules, "" },
		{ "ptrules (packed, ptrules_evaluate_range)", R->ns_range, "" },
		{ "ptrules (prepared carts, prefetch)", R->ns_prefetch, "" },
		{ "ptrules (prepared carts, no prefetch)", R->ns_noprefetch, "" },
		{ "ptrules (carts not prepared)", R->ns_unprepared, "" },
		{ "Lua 5.4 (flat arrays)", R->ns_lua, R->why_lua },
		{ "LuaJIT 2.1 (JIT on, flat arrays)", R->ns_luajit, R->why_luajit },
	};
	for (int k = 0; k < 8; k++) {
		if (rows[k].ns < 0)
			printf("  %-40s %9s   skipped: %s\n", rows[k].name, "-", rows[k].why);
		else
			printf("  %-40s %9s   %8sx   %9sx\n", rows[k].name, fx(rows[k].ns, 1),
			       fx(ratio(rows[k].ns, R->ns_native), 2), fx(ratio(rows[k].ns, R->ns_ptrules), 3));
	}
	if (R->ns_stage[0] >= 0 && R->ns_stage[1] >= 0 && R->ns_stage[2] >= 0 && R->ns_ptrules >= 0) {   /* cumulative: each step adds to the one before */
		const double *st = R->ns_stage;
		/* a difference within the noise can come out below 0: printed signed */
		printf("\n  where a packed cart's time goes (anatomy.c; ns/cart, each step timed with those before it):\n"
		       "    find and bind it %.1f, run the programs %+.1f, the rest of ptrules_evaluate_packed %+.1f, "
		       "ptrules_amounts_list %+.1f\n",
		       st[0], st[1] - st[0], st[2] - st[1], R->ns_ptrules - st[2]);
	}
	printf("\n");
	if (!full)
		printf("  (--quick: no instruction counts, CLI or check figures)\n");
	else if (R->instr[0] >= 0) {
		printf("  instructions per cart (callgrind, %s carts, packed): dpoint %s, okidoki %s, recruit %s, "
		       "all three %s (prepared carts: %s, not prepared: %s); native.c all three %s\n",
		       bench_commas(o->cg_carts), bench_commas(R->instr[0]), bench_commas(R->instr[1]), bench_commas(R->instr[2]),
		       bench_commas(R->instr[3]), bench_commas(R->instr[6]), bench_commas(R->instr[5]),
		       bench_commas(R->instr[4]));
		printf("  the same by ptrules_evaluate_range, %d carts a call: dpoint %s, okidoki %s, recruit %s, "
		       "all three %s\n",
		       BENCH_RANGE, bench_commas(R->instr[9]), bench_commas(R->instr[10]), bench_commas(R->instr[11]),
		       bench_commas(R->instr[12]));
		printf("  instructions per evaluation of the 20 programs' prepared cart, their amounts read: %s "
		       "(by one ptrules_amounts_list: %s)\n",
		       bench_commas(R->instr[7]), bench_commas(R->instr[8]));   /* bench_commas keeps 8 results at a time */
	} else {
		printf("  instructions per cart: skipped: %s\n", R->why_instr);
	}
	if (full) {
		printf("  CLI eval --format json: %s carts (%s MB) in %s s: %s carts/s, %s MB/s, peak RSS %s KB\n",
		       bench_commas((int64_t)R->big_carts), fx((double)R->big_bytes / 1e6, 1), fx(R->cli_big_s, 2),
		       bench_commas((int64_t)cli_cps), fx(cli_mbs, 1), bench_commas(R->cli_big_rss));
		printf("                          %s carts (%s MB) in %s s: %s carts/s, peak RSS %s KB\n",
		       bench_commas((int64_t)R->mid_carts), fx((double)R->mid_bytes / 1e6, 1), fx(R->cli_mid_s, 2),
		       bench_commas((int64_t)cli_mid_cps), bench_commas(R->cli_mid_rss));
	}
	printf("  packed, swept over the first N carts only:");
	for (int k = 0; k < BENCH_WS - 1; k++)
		printf("%s %s: %s ns", k ? "," : "", bench_commas(R->ws_carts[k]), fx(R->ws_ns[k], 1));
	printf("; %s carts packed 5 times: %s ns\n", bench_commas(R->ws_carts[BENCH_WS - 1]), fx(R->ws_ns[BENCH_WS - 1], 1));
	printf("  cart reader alone (ptrules_reader_next): %s MB/s over %s MB\n", fx(R->parse_mb_s, 1),
	       fx((double)R->parse_bytes / 1e6, 1));
	printf("  20 generated programs on one cart of 10 items: %s ns per cart prepared (median of %d code placements, "
	       "%s to %s), %s not prepared; their amounts read by one ptrules_amounts_list instead of 20 "
	       "ptrules_amounts_get: %s\n",
	       fx(R->ns_20, 1), BENCH_NPLACE, fx(R->ns_20_min, 1), fx(R->ns_20_max, 1), fx(R->ns_20_unprepared, 1),
	       fx(R->ns_20_list, 1));
	if (full)
		printf("  ptrules check, 1,000 generated programs: %s ms (%s); in-process ptrules_load_paths %s ms\n",
		       fx(R->compile_1000_ms, 1), R->check_summary, fx(R->load_1000_ms, 1));
	printf("  heap allocations per evaluation: %s (%ld over %s evaluations)\n", fx(allocs_per_eval, 3), R->allocs,
	       bench_commas((int64_t)R->allocs_evals));

	printf("\n  target (issue 7)                         measured\n");
	double rv = ratio(R->ns_ptrules, R->ns_native), rv_range = ratio(R->ns_range, R->ns_native);
	double rl = ratio(R->ns_lua, R->ns_ptrules), rl_range = ratio(R->ns_lua, R->ns_range);
	/* instructions per program: the most any one program takes alone,
	 * per cart, one by one and by ranges */
	long ipp = R->instr[3] >= 0 ? (R->instr[3] + 1) / 3 : -1, ipp_range = R->instr[12] >= 0 ? (R->instr[12] + 1) / 3 : -1;
	long ipmax = R->instr[0], ipmax_range = R->instr[9];
	for (int k = 1; k < 3; k++) {
		if (R->instr[k] > ipmax)
			ipmax = R->instr[k];
		if (R->instr[9 + k] > ipmax_range)
			ipmax_range = R->instr[9 + k];
	}
#define MARK(ok) ((ok) ? "met" : "NOT met")
	printf("  (each line: ptrules_evaluate_packed per cart; then ptrules_evaluate_range, %d carts a call)\n",
	       BENCH_RANGE);
	printf("  VM <= 2x native                          %sx  %s; %sx  %s\n", fx(rv, 2), MARK(rv >= 0 && rv <= 2),
	       fx(rv_range, 2), MARK(rv_range >= 0 && rv_range <= 2));
	if (ipmax >= 0)
		printf("  <= 250 instructions per program/cart     max %s (all three / 3: %s)  %s; max %s (%s)  %s\n",
		       bench_commas(ipmax), bench_commas(ipp), MARK(ipmax <= 250), bench_commas(ipmax_range),
		       bench_commas(ipp_range), MARK(ipmax_range >= 0 && ipmax_range <= 250));
	if (rl >= 0)
		printf("  >= 10x faster than Lua 5.4               %sx  %s; %sx  %s\n", fx(rl, 2), MARK(rl >= 10),
		       fx(rl_range, 2), MARK(rl_range >= 10));
	if (R->ns_luajit >= 0)
		printf("  faster than LuaJIT                       %sx LuaJIT's time  %s; %sx  %s\n",
		       fx(ratio(R->ns_ptrules, R->ns_luajit), 2), MARK(R->ns_ptrules < R->ns_luajit),
		       fx(ratio(R->ns_range, R->ns_luajit), 2), MARK(R->ns_range >= 0 && R->ns_range < R->ns_luajit));
	printf("  20 programs on one cart <= 200 ns        %s ns (%s by one ptrules_amounts_list)  %s (%s by the list)\n",
	       fx(R->ns_20, 1), fx(R->ns_20_list, 1), MARK(R->ns_20 <= 200), MARK(R->ns_20_list >= 0 && R->ns_20_list <= 200));
	printf("  0 heap allocations per evaluation        %ld  %s\n", R->allocs, MARK(R->allocs == 0));
	printf("  cart parsing >= 500 MB/s                 %s MB/s  %s\n", fx(R->parse_mb_s, 1),
	       MARK(R->parse_mb_s >= 500));
	if (full) {
		printf("  CLI >= 1,000,000 carts/s, JSON           %s carts/s  %s\n", bench_commas((int64_t)cli_cps),
		       MARK(cli_cps >= 1e6));
		printf("  CLI memory flat                          %s KB at %s carts, %s KB at %s  %s\n",
		       bench_commas(R->cli_mid_rss), bench_commas((int64_t)R->mid_carts), bench_commas(R->cli_big_rss),
		       bench_commas((int64_t)R->big_carts),
		       MARK(R->cli_big_rss <= R->cli_mid_rss + R->cli_mid_rss / 4));
		printf("  compiling 1,000 programs < 50 ms         %s ms  %s\n", fx(R->compile_1000_ms, 1),
		       MARK(R->compile_1000_ms < 50));
	}

	FILE *f = fopen(o->json, "w");
	if (!f)
		bench_die("cannot write %s", o->json);
	fprintf(f, "{\n  \"ns_per_cart\": {\"ptrules\": ");
	jfx(f, R->ns_ptrules, 1);
	fprintf(f, ", \"native\": ");
	jfx(f, R->ns_native, 1);
	fprintf(f, ", \"lua\": ");
	jfx(f, R->ns_lua, 1);
	fprintf(f, ", \"luajit\": ");
	jfx(f, R->ns_luajit, 1);
	fprintf(f, ", \"ptrules_not_prepared\": ");
	jfx(f, R->ns_unprepared, 1);
	fprintf(f, ", \"ptrules_no_prefetch\": ");
	jfx(f, R->ns_noprefetch, 1);
	fprintf(f, ", \"ptrules_prepared_prefetch\": ");
	jfx(f, R->ns_prefetch, 1);
	fprintf(f, ", \"ptrules_range\": ");
	jfx(f, R->ns_range, 1);
	fprintf(f, ", \"ptrules_bound_only\": ");
	jfx(f, R->ns_stage[0], 1);
	fprintf(f, ", \"ptrules_bound_and_run\": ");
	jfx(f, R->ns_stage[1], 1);
	fprintf(f, ", \"ptrules_evaluate_only\": ");
	jfx(f, R->ns_stage[2], 1);
	fprintf(f, "},\n  \"ratio_vs_native\": ");
	jfx(f, rv, 2);
	fprintf(f, ",\n  \"ratio_lua_vs_ptrules\": ");
	jfx(f, rl, 3);
	fprintf(f, ",\n  \"ratio_luajit_vs_ptrules\": ");
	jfx(f, ratio(R->ns_luajit, R->ns_ptrules), 3);
	fprintf(f, ",\n  \"ratio_vs_native_range\": ");
	jfx(f, rv_range, 2);
	fprintf(f, ",\n  \"ratio_lua_vs_ptrules_range\": ");
	jfx(f, rl_range, 3);
	fprintf(f, ",\n  \"ratio_luajit_vs_ptrules_range\": ");
	jfx(f, ratio(R->ns_luajit, R->ns_range), 3);
	fprintf(f, ",\n  \"instr_per_cart\": {\"dpoint\": ");
	jint(f, R->instr[0]);
	fprintf(f, ", \"okidoki\": ");
	jint(f, R->instr[1]);
	fprintf(f, ", \"recruit\": ");
	jint(f, R->instr[2]);
	fprintf(f, ", \"all\": ");
	jint(f, R->instr[3]);
	fprintf(f, ", \"native_all\": ");
	jint(f, R->instr[4]);
	fprintf(f, ", \"all_not_prepared\": ");
	jint(f, R->instr[5]);
	fprintf(f, ", \"all_prepared\": ");
	jint(f, R->instr[6]);
	fprintf(f, ", \"twenty_programs\": ");
	jint(f, R->instr[7]);
	fprintf(f, ", \"twenty_programs_list\": ");
	jint(f, R->instr[8]);
	static const char *const range_keys[4] = { "dpoint_range", "okidoki_range", "recruit_range", "all_range" };
	for (int k = 0; k < 4; k++) {
		fprintf(f, ", \"%s\": ", range_keys[k]);
		jint(f, R->instr[9 + k]);
	}
	fprintf(f, ", \"carts\": %d},\n  \"cli_carts_per_s\": ", o->cg_carts);
	jint(f, cli_cps < 0 ? -1 : (long)cli_cps);
	fprintf(f, ",\n  \"cli_mb_per_s\": ");
	jfx(f, cli_mbs, 1);
	fprintf(f, ",\n  \"cli_peak_rss_kb\": ");
	jint(f, full ? R->cli_big_rss : -1);
	fprintf(f, ",\n  \"cli\": {\"carts\": %" PRIu64 ", \"bytes\": %" PRIu64 ", \"seconds\": ", R->big_carts, R->big_bytes);
	jfx(f, R->cli_big_s, 3);
	fprintf(f, ", \"peak_rss_kb\": %ld, \"smaller_carts\": %" PRIu64 ", \"smaller_seconds\": ", R->cli_big_rss,
		R->mid_carts);
	jfx(f, R->cli_mid_s, 3);
	fprintf(f, ", \"smaller_peak_rss_kb\": %ld},\n  \"parse_mb_per_s\": ", R->cli_mid_rss);
	jfx(f, R->parse_mb_s, 1);
	fprintf(f, ",\n  \"ns_by_carts_swept\": {");
	for (int k = 0; k < BENCH_WS - 1; k++) {
		fprintf(f, "%s\"%u\": ", k ? ", " : "", R->ws_carts[k]);
		jfx(f, R->ws_ns[k], 1);
	}
	fprintf(f, ", \"%u_five_times\": ", R->ws_carts[BENCH_WS - 1]);
	jfx(f, R->ws_ns[BENCH_WS - 1], 1);
	fprintf(f, "}");
	fprintf(f, ",\n  \"ns_20_programs\": ");
	jfx(f, R->ns_20, 1);
	fprintf(f, ",\n  \"ns_20_programs_min\": ");
	jfx(f, R->ns_20_min, 1);
	fprintf(f, ",\n  \"ns_20_programs_max\": ");
	jfx(f, R->ns_20_max, 1);
	fprintf(f, ",\n  \"ns_20_programs_not_prepared\": ");
	jfx(f, R->ns_20_unprepared, 1);
	fprintf(f, ",\n  \"ns_20_programs_list\": ");
	jfx(f, R->ns_20_list, 1);
	fprintf(f, ",\n  \"allocs_per_eval\": ");
	jfx(f, allocs_per_eval, 3);
	fprintf(f, ",\n  \"allocs_total\": %ld,\n  \"compile_1000_ms\": ", R->allocs);
	jfx(f, full ? R->compile_1000_ms : -1, 1);
	fprintf(f, ",\n  \"load_1000_inprocess_ms\": ");
	jfx(f, full ? R->load_1000_ms : -1, 1);
	fprintf(f, ",\n  \"checksum\": %" PRId64 ",\n  \"carts\": %u,\n  \"items\": %u,\n  \"rounds\": %d,\n  \"skipped\": {",
		R->checksum, R->ncarts, R->nitems, o->rounds);
	int first = 1;
	const char *const names[3] = { "lua", "luajit", "instr_per_cart" };
	const char *const whys[3] = { R->why_lua, R->why_luajit, R->why_instr };
	for (int k = 0; k < 3; k++)
		if (whys[k][0]) {
			fprintf(f, "%s\"%s\": ", first ? "" : ", ", names[k]);
			jstr(f, whys[k]);
			first = 0;
		}
	fprintf(f, "},\n  \"machine\": {\"cpus\": %ld, \"cpu\": ", sysconf(_SC_NPROCESSORS_ONLN));
	jstr(f, cpu);
	fprintf(f, ", \"compiler\": ");
	jstr(f, "gcc " __VERSION__ " -O2");
	fprintf(f, ", \"loadavg_at_start\": ");
	jstr(f, R->loadavg);
	fprintf(f, "}\n}\n");
	if (fclose(f) != 0)
		bench_die("cannot write %s", o->json);
	printf("\nwrote %s\n", o->json);
}

