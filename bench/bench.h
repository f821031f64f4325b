/* bench.h - what the benchmark driver (bench.c) measured, and the
 * report it prints (report.c). */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <stdint.h>

typedef struct opts {
	const char *data, *luadat, *text, *script, *cli, *rules, *big, *mid, *tmp, *json;
	int rounds, cg_carts, quick;
	double round_s;
} opts;

#define BENCH_RANGE 64   /* carts a ptrules_evaluate_range call evaluates: their amounts stay in L1 */

typedef struct results {
	uint32_t ncarts, nitems;
	int64_t checksum;
	double ns_ptrules, ns_native, ns_lua, ns_luajit;   /* < 0: not measured; ptrules: packed carts */
	double ns_unprepared;   /* ptrules over carts not prepared for the rules */
	double ns_noprefetch;   /* prepared carts, without ptrules_cart_prefetch */
	double ns_prefetch;     /* prepared carts, with ptrules_cart_prefetch two ahead */
	double ns_range;        /* packed carts, BENCH_RANGE at a time by ptrules_evaluate_range */
#define BENCH_NSTAGES 3
	double ns_stage[BENCH_NSTAGES];   /* packed carts up to a step (anatomy.c): bound; and the
					     programs run; ptrules_evaluate_packed whole; < 0: not measured */
#define BENCH_WS 5
	uint32_t ws_carts[BENCH_WS];   /* the packed sweep over the first ws_carts[k] carts (the last: */
	double ws_ns[BENCH_WS];        /* that many, five times over) took ws_ns[k] per cart */
	char why_lua[256], why_luajit[256], why_instr[256];
#define BENCH_NPLACE 5   /* times the 20 programs are loaded, each one's code elsewhere */
#define BENCH_NINSTR 13
	long instr[BENCH_NINSTR];   /* dpoint, okidoki, recruit, all three (packed), native (all three),
				       all three over carts not prepared, and prepared; one evaluation
				       of the 20 programs' cart, prepared, and the same with their
				       amounts read by ptrules_amounts_list; dpoint, okidoki, recruit,
				       all three by ptrules_evaluate_range; -1: not measured */
	double cli_big_s, cli_mid_s;
	long cli_big_rss, cli_mid_rss;
	uint64_t big_carts, mid_carts, big_bytes, mid_bytes;
	double parse_mb_s;
	uint64_t parse_bytes;
	double ns_20, ns_20_unprepared;   /* prepared: the median over BENCH_NPLACE code placements */
	double ns_20_min, ns_20_max;      /* and the fastest and slowest of them */
	double ns_20_list;                /* the amounts read by one ptrules_amounts_list: the median */
	long allocs;
	uint64_t allocs_evals;
	double compile_1000_ms, load_1000_ms;
	char check_summary[256];
	char loadavg[64];     /* /proc/loadavg when the run started */
} results;

/* bench.c: stop the run with a message; numbers with thousands commas
 * (one of 8 rotating static buffers). */
void bench_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
const char *bench_commas(int64_t n);
/* anatomy.c: whether the steps can be timed, and one sweep over packed
 * carts 0..n-1 up to step `stage` (0, 1 or 2), folding the checksum. */
typedef struct ptrules_eval ptrules_eval;
typedef struct ptrules_batch ptrules_batch;
int bench_anatomy_ready(const ptrules_eval *e);
int64_t bench_anatomy_sweep(ptrules_eval *e, const ptrules_batch *b, uint32_t n, const int idx[3], int stage);
/* report.c: the table on standard output and the JSON file (o->json). */
void bench_report(const opts *o, const results *R);

#endif
