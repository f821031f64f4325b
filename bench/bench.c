/* bench.c - `make bench`: ptrules side by side with hand-written C, Lua 5.4
 * and LuaJIT over the same carts, and the other figures of issue 7.
 *
 *   bench --data D.flat --luadat D.luadat --text D.txt --lua-script bench/bench.lua
 *         --ptrules build/bench/ptrules --rules rules --big BIG.txt --mid MID.txt
 *         --tmp build/bench/tmp --json build/bench.json [--rounds R] [--cg-carts N]
 *   bench --instr WHICH N --data D.flat --rules rules     (run under callgrind;
 *         WHICH: dpoint, okidoki, recruit or all, packed, and the same
 *         with -range (dpoint-range ...: ptrules_evaluate_range); all-prepared,
 *         all-unprepared or native; twenty, with --rules the 20
 *         programs' directory, N evaluations of their prepared cart;
 *         twenty-list, the same reading their amounts in one call)
 *
 * Everything goes through the public API (include/ptrules.h), except
 * anatomy.c, which stops an evaluation part way.  What is measured (docs/performance.md says how to read it):
 *  1. the same three programs, in-process, over the same carts: ptrules
 *     (carts built field by field and packed into one ptrules_batch
 *     before timing; timed: ptrules_evaluate_packed and
 *     ptrules_amounts_list per cart, and ptrules_evaluate_range over
 *     BENCH_RANGE carts a call; also the same carts prepared one by one, with
 *     ptrules_cart_prefetch two carts ahead and without it, and not
 *     prepared; and the packed sweep stopped after each step of the
 *     evaluation, anatomy.c), hand-written C (native.c), Lua 5.4 and LuaJIT
 *     (bench.lua, coprocesses over pipes).  Every implementation
 *     folds its per-cart results into the checksum of flat.h.  Before any
 *     time is taken, ptrules and native.c are compared cart by cart, and
 *     ptrules over the original text (ptrules_reader_next) must give the
 *     same checksum; every timed pass's checksum must equal it too, or
 *     the run stops without reporting times.  Rounds are interleaved
 *     (ptrules, native, lua, luajit, ptrules, ...); the best round counts.
 *  2. instructions per cart (valgrind --tool=callgrind, collecting only
 *     inside the sweep function), per program and for all three, and per
 *     evaluation of the 20 programs' cart (5.);
 *  3. the CLI end to end (`ptrules eval --format json` over BIG and MID
 *     files: carts/s, MB/s, peak RSS from wait4);
 *  4. the cart reader alone (MB/s), and the packed sweep over the first
 *     500, 2,000, 10,000 and all carts, and over 2,000 carts packed five
 *     times (what the number of different carts costs, not memory);
 *  5. 20 generated programs on one cart;
 *  6. `ptrules check` on 1,000 generated programs;
 *  7. heap allocations per evaluation (malloc & co. are wrapped at link
 *     time with -Wl,--wrap, as tests/unit/test_noalloc.c does).
 * report.c prints the table and writes the JSON.  Floating point is used
 * for timing arithmetic only; results and checksums are integers
 * compared exactly. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ptrules.h"

#include "bench.h"
#include "flat.h"

/* ---- allocation counters (linked with -Wl,--wrap=malloc,...) -------------- */

static int counting;
static long n_allocs;

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
int __real_posix_memalign(void **p, size_t align, size_t n);
void *__real_aligned_alloc(size_t align, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
int __wrap_posix_memalign(void **p, size_t align, size_t n);
void *__wrap_aligned_alloc(size_t align, size_t n);

void *__wrap_malloc(size_t n) { n_allocs += counting; return __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) { n_allocs += counting; return __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t n) { n_allocs += counting; return __real_realloc(p, n); }
char *__wrap_strdup(const char *s) { n_allocs += counting; return __real_strdup(s); }
char *__wrap_strndup(const char *s, size_t n) { n_allocs += counting; return __real_strndup(s, n); }
int __wrap_posix_memalign(void **p, size_t align, size_t n) { n_allocs += counting; return __real_posix_memalign(p, align, n); }
void *__wrap_aligned_alloc(size_t align, size_t n) { n_allocs += counting; return __real_aligned_alloc(align, n); }

/* ---- small helpers ---------------------------------------------------------- */

void bench_die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* n with thousands commas, in one of a few rotating buffers. */
const char *bench_commas(int64_t n)
{
	static char bufs[8][32];
	static int k;
	char *b = bufs[k++ & 7], tmp[32];
	int len = snprintf(tmp, sizeof tmp, "%" PRId64, n < 0 ? -n : n), o = 0;
	if (n < 0)
		b[o++] = '-';
	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			b[o++] = ',';
		b[o++] = tmp[i];
	}
	b[o] = '\0';
	return b;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		bench_die("%s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	if (!s || fread(s, 1, (size_t)n, f) != (size_t)n)
		bench_die("%s: cannot read", path);
	fclose(f);
	s[n] = '\0';
	*len = (size_t)n;
	return s;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		bench_die("cannot write %s", path);
}

static void mkdirs(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0777);
			*p = '/';
		}
	mkdir(buf, 0777);
}

/* Whether NAME is an executable on PATH (or a path to one). */
static int on_path(const char *name)
{
	if (strchr(name, '/'))
		return access(name, X_OK) == 0;
	const char *p = getenv("PATH");
	if (!p)
		p = "/usr/bin:/bin";
	while (*p) {
		const char *e = strchr(p, ':');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char buf[4096];
		snprintf(buf, sizeof buf, "%.*s/%s", (int)n, p, name);
		if (access(buf, X_OK) == 0)
			return 1;
		p += n + (e != NULL);
	}
	return 0;
}

typedef struct run_stat {
	int status;          /* exit status, or 128 + signal */
	double wall_s;
	long maxrss_kb;
} run_stat;

/* Fork, exec argv with stdout to out_path (or /dev/null) and stderr to
 * err_path (or inherited), wait: exit status, wall time, peak RSS. */
static run_stat spawn_wait(char *const argv[], const char *out_path, const char *err_path)
{
	run_stat st = { 127, 0, 0 };
	double t0 = now_s();
	pid_t pid = fork();
	if (pid < 0)
		bench_die("fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0666);
		if (fd >= 0) {
			dup2(fd, 1);
			close(fd);
		}
		if (err_path) {
			fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
			if (fd >= 0) {
				dup2(fd, 2);
				close(fd);
			}
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) < 0)
		bench_die("wait4: %s", strerror(errno));
	st.wall_s = now_s() - t0;
	st.maxrss_kb = ru.ru_maxrss;
	st.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return st;
}

static char self_exe[4096];
static const char *tmp_dir = "build/bench/tmp";

/* Run argv as spawn_wait does, but from a freshly exec'ed copy of this
 * program (`bench --spawn ...`).  Linux charges a child's peak RSS with
 * the memory of the process it was forked from (the fork's copy of the
 * address space counts until exec), and this process holds the data set;
 * a fresh small process forking the command gives the command's own peak,
 * as /usr/bin/time does. */
static run_stat run(char *const argv[], const char *out_path, const char *err_path)
{
	char stat_path[4200];
	snprintf(stat_path, sizeof stat_path, "%s/spawn.stat", tmp_dir);
	char *args[64];
	int n = 0;
	args[n++] = self_exe;
	args[n++] = "--spawn";
	args[n++] = stat_path;
	args[n++] = (char *)(out_path ? out_path : "-");
	args[n++] = (char *)(err_path ? err_path : "-");
	for (int i = 0; argv[i] && n < 63; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	unlink(stat_path);
	run_stat outer = spawn_wait(args, NULL, NULL);
	run_stat st = { 127, 0, 0 };
	FILE *f = fopen(stat_path, "r");
	long long ns = 0;
	if (outer.status != 0 || !f || fscanf(f, "%d %lld %ld", &st.status, &ns, &st.maxrss_kb) != 3)
		bench_die("could not run %s", argv[0]);
	fclose(f);
	st.wall_s = (double)ns * 1e-9;
	return st;
}

/* bench --spawn STAT OUT ERR ARGV...: run ARGV, write "status ns maxrss_kb". */
static int spawn_mode(int argc, char **argv)
{
	if (argc < 6)
		return 2;
	run_stat st = spawn_wait(argv + 5, strcmp(argv[3], "-") ? argv[3] : NULL, strcmp(argv[4], "-") ? argv[4] : NULL);
	FILE *f = fopen(argv[2], "w");
	if (!f)
		return 1;
	fprintf(f, "%d %lld %ld\n", st.status, (long long)(st.wall_s * 1e9), st.maxrss_kb);
	return fclose(f) != 0;
}

/* One pass of the cart reader over the text of the n carts; *best gets
 * its time in seconds when it is the fastest yet. */
static void reader_pass(const char *text, size_t tlen, uint32_t n, double *best)
{
	ptrules_reader *rd = ptrules_reader_new(text, tlen, "carts.txt");
	const ptrules_cart *c;
	uint32_t k = 0;
	double t0 = now_s();
	while (ptrules_reader_next(rd, &c, NULL))
		k += ptrules_cart_errors(c) == 0;
	double t = now_s() - t0;
	ptrules_reader_free(rd);
	if (k != n)
		bench_die("the reader gave %u good carts, expected %u", k, n);
	if (t < *best)
		*best = t;
}

/* ---- building ptrules carts from the flat data --------------------------- */

#define P_DP 1
#define P_OK 2
#define P_RC 4

static void date_str(int32_t day, char *buf, size_t cap)
{
	int y, m, d;
	bench_civil(day, &y, &m, &d);
	snprintf(buf, cap, "%04d-%02d-%02d", y, m, d);
}

/* Cart i, field by field; only the accounts of the programs in mask (a
 * rule set without a program warns about its account lines). */
static void build_cart(ptrules_cart *c, const bench_data *d, uint32_t i, int mask)
{
	const bench_cart *bc = &d->carts[i];
	char date[32];
	date_str(bc->date, date, sizeof date);
	int bad = ptrules_cart_set_order(c, NULL, date) != PTRULES_OK;
	for (uint32_t k = 0; k < bc->nitems; k++) {
		const bench_item *it = &d->items[bc->item_first + k];
		bad |= ptrules_cart_add_item(c, it->price, it->qty, d->h.cats[it->cat], NULL) != PTRULES_OK;
	}
	if (bc->card || bc->method)
		bad |= ptrules_cart_set_payment(c, bc->card ? d->h.cards[bc->card] : NULL,
						bc->method ? d->h.cards[bc->method] : NULL) != PTRULES_OK;
	if ((mask & P_DP) && (bc->flags & BF_DP_LINKED)) {
		bad |= ptrules_cart_add_account(c, "dpoint", bc->dp_bal) != PTRULES_OK;
		bad |= ptrules_cart_set_int(c, "dpoint", "earned_3mo", bc->dp_e3) != PTRULES_OK;
		bad |= ptrules_cart_set_int(c, "dpoint", "earned_this_month", bc->dp_etm) != PTRULES_OK;
		bad |= ptrules_cart_set_bool(c, "dpoint", "dvaluepass", !!(bc->flags & BF_DP_DVP)) != PTRULES_OK;
		bad |= ptrules_cart_set_bool(c, "dpoint", "prime", !!(bc->flags & BF_DP_PRIME)) != PTRULES_OK;
		bad |= ptrules_cart_set_int(c, "dpoint", "bonus_earned_this_month", bc->dp_bonus) != PTRULES_OK;
	}
	if ((mask & P_RC) && (bc->flags & BF_RC_LINKED))
		bad |= ptrules_cart_add_account(c, "recruit", bc->rc_bal) != PTRULES_OK;
	if ((mask & P_OK) && (bc->flags & BF_OK_LINKED))
		bad |= ptrules_cart_add_account(c, "okidoki", bc->ok_bal) != PTRULES_OK;
	if (bad)
		bench_die("cannot build cart %u through the API", i);
}

/* Carts 0..n-1 built through the API and, when prep is not NULL,
 * prepared for those rules (ptrules_cart_prepare: names resolved to slots
 * at load time, as Lua's flat arrays are built before its timing). */
static ptrules_cart **build_carts(const bench_data *d, uint32_t n, int mask, ptrules_rules *prep)
{
	ptrules_cart **v = malloc((n + 1) * sizeof *v);
	if (!v)
		bench_die("out of memory");
	for (uint32_t i = 0; i < n; i++) {
		if (!(v[i] = ptrules_cart_new()))
			bench_die("out of memory building carts");
		build_cart(v[i], d, i, mask);
		if (prep && (ptrules_cart_prepare(v[i], prep) != PTRULES_OK || !ptrules_cart_prepared(v[i], prep)))
			bench_die("cannot prepare cart %u", i + 1);
	}
	return v;
}

static ptrules_rules *load_rules(const char *path)
{
	ptrules_diags *dg = ptrules_diags_new();
	ptrules_rules *r = NULL;
	const char *paths[1] = { path };
	if (ptrules_load_paths(&r, paths, 1, dg) != PTRULES_OK) {
		ptrules_diags_print(dg, stderr);
		bench_die("cannot load rules from %s", path);
	}
	ptrules_diags_free(dg);
	return r;
}

#define BENCH_MAX_PROGS 8   /* programs a rule set under test may hold */

/* Result indexes of dpoint, okidoki, recruit in r (-1: absent). */
static void program_indexes(const ptrules_rules *r, int idx[3])
{
	static const char *const ids[3] = { "dpoint", "okidoki", "recruit" };
	if (ptrules_program_count(r) > BENCH_MAX_PROGS)
		bench_die("the rules hold %zu programs; the bench reads at most %d", ptrules_program_count(r),
			  BENCH_MAX_PROGS);
	for (int k = 0; k < 3; k++) {
		idx[k] = -1;
		for (size_t i = 0; i < ptrules_program_count(r); i++)
			if (strcmp(ptrules_program_id(r, i), ids[k]) == 0)
				idx[k] = (int)i;
	}
}

static long eval_failures;

/* The three programs' results among the n amounts of a (programs in
 * the rule set's order) into *r.  A macro, so that each sweep compiles
 * it against its own array: through a function taking a pointer, gcc
 * compiled the one-cart sweep 4 instructions a cart longer, and its
 * counts are compared from stop to stop. */
#define RES_OF_AMOUNTS(a, n, idx, r)                                            \
	do {                                                                    \
		memset((r), 0, sizeof *(r));                                    \
		if ((idx)[0] >= 0 && (size_t)(idx)[0] < (n)) {                  \
			const ptrules_amounts *p_ = &(a)[(idx)[0]];             \
			(r)->dp_earn = p_->earn_points;                         \
			(r)->dp_use = p_->redeem_usable;                        \
			(r)->dp_max = p_->redeem_max_points;                    \
			(r)->dp_yen = p_->redeem_value_yen;                     \
		}                                                               \
		if ((idx)[1] >= 0 && (size_t)(idx)[1] < (n)) {                  \
			const ptrules_amounts *p_ = &(a)[(idx)[1]];             \
			(r)->ok_use = p_->redeem_usable;                        \
			(r)->ok_max = p_->redeem_max_points;                    \
			(r)->ok_yen = p_->redeem_value_yen;                     \
		}                                                               \
		if ((idx)[2] >= 0 && (size_t)(idx)[2] < (n)) {                  \
			const ptrules_amounts *p_ = &(a)[(idx)[2]];             \
			(r)->rc_use = p_->redeem_usable;                        \
			(r)->rc_max = p_->redeem_max_points;                    \
			(r)->rc_yen = p_->redeem_value_yen;                     \
		}                                                               \
	} while (0)

/* The last evaluation's three results, read by one ptrules_amounts_list. */
static inline void ptrules_res(const ptrules_eval *e, const int idx[3], bench_res *r)
{
	ptrules_amounts a[BENCH_MAX_PROGS];
	size_t n = ptrules_amounts_list(e, a, BENCH_MAX_PROGS);
	RES_OF_AMOUNTS(a, n, idx, r);
}

/* Read the last evaluation's three results and fold them into the
 * checksum (flat.h), the w-th cart of the cycle. */
static inline void fold(const ptrules_eval *e, const int idx[3], int64_t *w, int64_t *ck)
{
	bench_res r;
	ptrules_res(e, idx, &r);
	bench_fold(&r, w, ck);
}

/* The timed ptrules loop: evaluate every cart, read the three results,
 * fold them into the checksum; with prefetch, ask the library to start
 * loading the cart two ahead (ptrules_cart_prefetch), as a batch loop
 * over carts held in memory would.  Not static: callgrind collects inside
 * it. */
__attribute__((noinline)) int64_t bench_ptrules_sweep(ptrules_eval *e, ptrules_cart *const *carts, uint32_t n,
						      const int idx[3], int prefetch)
{
	int64_t ck = 0, w = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (prefetch && i + 2 < n)
			ptrules_cart_prefetch(carts[i + 2]);
		if (ptrules_evaluate(e, carts[i], NULL) != PTRULES_OK)
			eval_failures++;
		fold(e, idx, &w, &ck);
	}
	return ck;
}

/* The timed headline loop: the carts packed into one batch, evaluated
 * in order (ptrules_evaluate_packed), the three results read and folded
 * into the checksum, as a batch job over carts held in memory would.
 * Not static: callgrind collects inside it. */
__attribute__((noinline)) int64_t bench_packed_sweep(ptrules_eval *e, const ptrules_batch *b, uint32_t n,
						     const int idx[3])
{
	int64_t ck = 0, w = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (ptrules_evaluate_packed(e, b, i) != PTRULES_OK)
			eval_failures++;
		fold(e, idx, &w, &ck);
	}
	return ck;
}

/* The packed sweep as a batch job writes it with the range call:
 * BENCH_RANGE packed carts
 * at a time through ptrules_evaluate_range, their amounts (np programs
 * per cart) read and folded into the checksum.  Not static: callgrind
 * collects inside it. */
__attribute__((noinline)) int64_t bench_range_sweep(ptrules_eval *e, const ptrules_batch *b, uint32_t n, const int idx[3],
						    size_t np)
{
	ptrules_amounts a[BENCH_RANGE * BENCH_MAX_PROGS];
	int64_t ck = 0, w = 0;
	for (uint32_t i = 0; i < n; i += BENCH_RANGE) {
		uint32_t m = n - i < BENCH_RANGE ? n - i : BENCH_RANGE;
		if (ptrules_evaluate_range(e, b, i, m, a, np) != PTRULES_OK)
			eval_failures++;
		for (uint32_t k = 0; k < m; k++) {
			bench_res r;
			const ptrules_amounts *cart = &a[k * np];
			RES_OF_AMOUNTS(cart, np, idx, &r);
			bench_fold(&r, &w, &ck);
		}
	}
	return ck;
}

/* Carts 0..n-1 of v packed into a new batch for r: the first `distinct`
 * of them over and over when distinct is not 0. */
static ptrules_batch *pack_carts(ptrules_rules *r, ptrules_cart *const *v, uint32_t n, uint32_t distinct)
{
	ptrules_batch *b = ptrules_batch_new(r);
	if (!b)
		bench_die("out of memory");
	for (uint32_t i = 0; i < n; i++)
		if (ptrules_batch_add(b, v[distinct ? i % distinct : i]) != PTRULES_OK)
			bench_die("cannot pack cart %u", i + 1);
	return b;
}

/* ---- Lua coprocesses ------------------------------------------------------- */

typedef struct luaproc {
	const char *label, *interp, *dialect;
	pid_t pid;
	FILE *to, *from;
	int ok;
	char why[256];
} luaproc;

static void lua_start(luaproc *L, const char *script, const char *data)
{
	L->ok = 0;
	if (!on_path(L->interp)) {
		snprintf(L->why, sizeof L->why, "%s is not installed (apt-get install %s)", L->interp, L->interp);
		return;
	}
	int in[2], out[2];
	if (pipe(in) || pipe(out))
		bench_die("pipe: %s", strerror(errno));
	L->pid = fork();
	if (L->pid < 0)
		bench_die("fork: %s", strerror(errno));
	if (L->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execlp(L->interp, L->interp, script, data, L->dialect, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	L->to = fdopen(in[1], "w");
	L->from = fdopen(out[0], "r");
	char line[256];
	if (!fgets(line, sizeof line, L->from) || strncmp(line, "ready ", 6) != 0) {
		snprintf(L->why, sizeof L->why, "%s %s did not start", L->interp, script);
		return;
	}
	L->ok = 1;
}

/* K sweeps; returns the checksum, *secs the wall time of the request. */
static int64_t lua_run(luaproc *L, int k, double *secs)
{
	char line[256];
	double t0 = now_s();
	fprintf(L->to, "run %d\n", k);
	fflush(L->to);
	if (!fgets(line, sizeof line, L->from))
		bench_die("%s stopped answering", L->label);
	*secs = now_s() - t0;
	char *end;
	errno = 0;
	long long v = strtoll(line, &end, 10);
	if (errno || end == line)
		bench_die("%s answered '%s'", L->label, line);
	return (int64_t)v;
}

static void lua_stop(luaproc *L)
{
	if (!L->to)
		return;
	fputs("quit\n", L->to);
	fclose(L->to);
	fclose(L->from);
	waitpid(L->pid, NULL, 0);
	L->to = L->from = NULL;
}

/* ---- generated programs --------------------------------------------------- */

/* A dpoint-like program, varied by k: rate, threshold, per-order cap,
 * tier thresholds and multipliers, bonus cap. */
static void gen_dpoint_like(char *buf, size_t cap, const char *id, int k)
{
	static const char *const rates[] = { "1%", "0.5%", "2%", "1.5%", "3%", "0.8%", "1.2%" };
	int thr = 1000 * (1 + k % 7), ocap = 50 * (1 + k % 5), t5 = 4000 + 100 * (k % 13);
	snprintf(buf, cap,
		 "# generated by bench/bench.c: a dpoint variant (%d)\n"
		 "program %s {\n"
		 "  name \"dポイント variant %d\"\n"
		 "  input account.earned_3mo: points = 0 points\n"
		 "  input account.earned_this_month: points = 0 points\n"
		 "  input account.dvaluepass: bool = no\n"
		 "  input account.prime: bool = no\n"
		 "  input account.bonus_earned_this_month: points = 0 points\n"
		 "  exclude categories kindle, audible, prime_fee, digital, subscription, giftcard\n"
		 "  redeem {\n"
		 "    value 1 yen per point\n"
		 "  }\n"
		 "  tiers rank by account.earned_3mo until 2024-10-02 {\n"
		 "    \"★5\" from %d points: multiplier 2.5, monthly_cap 250 points\n"
		 "    \"★4\" from 1500 points: multiplier 2, monthly_cap 200 points\n"
		 "    \"★3\" from 600 points: multiplier 2, monthly_cap 200 points\n"
		 "    \"★2\" from 100 points: multiplier 1.5, monthly_cap 150 points\n"
		 "    \"★1\" otherwise: multiplier 1, monthly_cap 100 points\n"
		 "  }\n"
		 "  tiers rank by account.earned_3mo from 2024-10-03 {\n"
		 "    \"★5\" from %d points: multiplier %d, monthly_cap %d points\n"
		 "    \"★4\" from 1500 points: multiplier 1.5, monthly_cap 150 points\n"
		 "    \"★3\" from 600 points: multiplier 1.5, monthly_cap 150 points\n"
		 "    \"★2\" from 50 points: multiplier 1.5, monthly_cap 150 points\n"
		 "    \"★1\" otherwise: multiplier 1, monthly_cap 100 points\n"
		 "  }\n"
		 "  earn {\n"
		 "    granted at shipment\n"
		 "    basis eligible\n"
		 "    require basis >= %d yen else \"below the threshold\"\n"
		 "    let base = floor(basis * %s) as points cap %d points else \"per-order cap\"\n"
		 "    add floor(base * rank.multiplier)\n"
		 "      cap rank.monthly_cap - account.earned_this_month else \"monthly cap for this rank reached\"\n"
		 "    when order.day == %d and account.dvaluepass from 2026-03-01 {\n"
		 "      let day_multiplier = if account.prime then 5 else 3\n"
		 "      add base * (day_multiplier - 1)\n"
		 "        cap %d points - account.bonus_earned_this_month else \"bonus-day cap reached\"\n"
		 "    }\n"
		 "  }\n"
		 "}\n",
		 k, id, k, t5, t5, 2 + k % 2, 100 * (2 + k % 2), thr, rates[k % 7], ocap, 1 + k % 28, 300 + 50 * (k % 7));
}

static void gen_okidoki_like(char *buf, size_t cap, const char *id, int k)
{
	static const char *const values[] = { "3.5", "2", "1.5", "4", "0.5" };
	snprintf(buf, cap,
		 "# generated by bench/bench.c: an okidoki variant (%d)\n"
		 "program %s {\n"
		 "  name \"OkiDoki variant %d\"\n"
		 "  valid until 2026-%02d-12\n"
		 "  exclude categories kindle, audible, prime_fee, digital, subscription, giftcard\n"
		 "  redeem {\n"
		 "    value %s yen per point\n"
		 "    require payment.card == \"jcb\" else \"usable only with the linked JCB card\"\n"
		 "  }\n"
		 "}\n",
		 k, id, k, 1 + k % 12, values[k % 5]);
}

static void gen_recruit_like(char *buf, size_t cap, const char *id, int k)
{
	snprintf(buf, cap,
		 "# generated by bench/bench.c: a recruit variant (%d)\n"
		 "program %s {\n"
		 "  name \"Recruit variant %d\"\n"
		 "  exclude categories kindle, audible, prime_fee, digital, subscription, giftcard\n"
		 "  redeem {\n"
		 "    value %d yen per point\n"
		 "  }\n"
		 "}\n",
		 k, id, k, 1 + k % 3);
}

/* ---- the measurements ------------------------------------------------------ */


/* The per-cart comparison of ptrules with native.c; no time is reported
 * unless they agree on every cart. */
static void compare_per_cart(const bench_data *d, ptrules_eval *e, ptrules_cart *const *carts, uint32_t n,
			     const int idx[3])
{
	for (uint32_t i = 0; i < n; i++) {
		if (ptrules_evaluate(e, carts[i], NULL) != PTRULES_OK)
			bench_die("cart %u: ptrules_evaluate failed", i + 1);
		bench_res a, b;
		ptrules_res(e, idx, &a);
		native_eval(d, i, &b);
		if (memcmp(&a, &b, sizeof a) != 0) {
			char date[32];
			date_str(d->carts[i].date, date, sizeof date);
			fprintf(stderr,
				"bench: cart g%u (%s) differs:\n"
				"  ptrules: dpoint earn %" PRId64 " use %" PRId64 " %" PRId64 "p %" PRId64 "y; okidoki use %" PRId64
				" %" PRId64 "p %" PRId64 "y; recruit use %" PRId64 " %" PRId64 "p %" PRId64 "y\n"
				"  native:  dpoint earn %" PRId64 " use %" PRId64 " %" PRId64 "p %" PRId64 "y; okidoki use %" PRId64
				" %" PRId64 "p %" PRId64 "y; recruit use %" PRId64 " %" PRId64 "p %" PRId64 "y\n",
				i + 1, date, a.dp_earn, a.dp_use, a.dp_max, a.dp_yen, a.ok_use, a.ok_max, a.ok_yen, a.rc_use,
				a.rc_max, a.rc_yen, b.dp_earn, b.dp_use, b.dp_max, b.dp_yen, b.ok_use, b.ok_max, b.ok_yen,
				b.rc_use, b.rc_max, b.rc_yen);
			bench_die("refusing to report times: the implementations disagree");
		}
	}
}

/* ptrules over the original text must give the same checksum (this checks
 * the converter and the field-by-field carts against the reader). */
static int64_t text_checksum(const char *text, size_t len, ptrules_eval *e, const int idx[3], uint32_t *ncarts)
{
	ptrules_reader *rd = ptrules_reader_new(text, len, "carts.txt");
	ptrules_diags *dg = ptrules_diags_new();
	const ptrules_cart *c;
	int64_t ck = 0, w = 0;
	uint32_t n = 0;
	while (ptrules_reader_next(rd, &c, dg)) {
		if (ptrules_cart_errors(c) || ptrules_evaluate(e, c, dg) != PTRULES_OK) {
			ptrules_diags_print(dg, stderr);
			bench_die("text cart %u does not evaluate", n + 1);
		}
		bench_res r;
		ptrules_res(e, idx, &r);
		bench_fold(&r, &w, &ck);
		n++;
	}
	if (ptrules_diags_count(dg)) {
		ptrules_diags_print(dg, stderr);
		bench_die("the text carts gave diagnostics");
	}
	ptrules_diags_free(dg);
	ptrules_reader_free(rd);
	*ncarts = n;
	return ck;
}

/* Repetitions so that one timed request lasts about target seconds. */
static int reps_for(double one_s, double target)
{
	if (one_s <= 0)
		return 1;
	double k = target / one_s;
	return k < 1 ? 1 : k > 100000 ? 100000 : (int)(k + 0.5);
}

static void in_process(const opts *o, const bench_data *d, results *R)
{
	uint32_t n = d->h.ncarts;
	ptrules_rules *rules = load_rules(o->rules);
	int idx[3];
	program_indexes(rules, idx);
	if (idx[0] < 0 || idx[1] < 0 || idx[2] < 0)
		bench_die("%s must hold the three shipped programs (dpoint, okidoki, recruit)", o->rules);
	ptrules_eval *e = ptrules_eval_new(rules, 0);

	fprintf(stderr, "bench: building %s carts through the API ...\n", bench_commas(n));
	ptrules_cart **carts = build_carts(d, n, P_DP | P_OK | P_RC, rules);
	ptrules_cart **plain = build_carts(d, n, P_DP | P_OK | P_RC, NULL);   /* not prepared */

	fprintf(stderr, "bench: comparing ptrules with native.c cart by cart ...\n");
	compare_per_cart(d, e, carts, n, idx);
	int64_t ck_native = native_sweep(d, n);
	ptrules_batch *batch = pack_carts(rules, plain, n, 0);
	int64_t ck_ptrules = bench_packed_sweep(e, batch, n, idx);
	if (bench_ptrules_sweep(e, plain, n, idx, 0) != ck_ptrules || bench_ptrules_sweep(e, carts, n, idx, 0) != ck_ptrules ||
	    bench_ptrules_sweep(e, carts, n, idx, 1) != ck_ptrules ||
	    bench_range_sweep(e, batch, n, idx, ptrules_program_count(rules)) != ck_ptrules)
		bench_die("packed (one by one and by ranges), prepared and unprepared carts give different checksums");
	if (eval_failures)
		bench_die("ptrules_evaluate failed %ld times", eval_failures);
	if (ck_native != ck_ptrules)
		bench_die("checksums differ: ptrules %" PRId64 ", native %" PRId64, ck_ptrules, ck_native);
	R->checksum = ck_ptrules;

	size_t tlen;
	char *text = read_file(o->text, &tlen);
	uint32_t tn;
	int64_t ck_text = text_checksum(text, tlen, e, idx, &tn);
	if (tn != n || ck_text != ck_ptrules)
		bench_die("ptrules over the text (%u carts, checksum %" PRId64 ") differs from the built carts (%u, %" PRId64 ")",
		    tn, ck_text, n, ck_ptrules);

	/* The cart reader alone (it builds each cart as it goes): a pass takes
	 * about 50 ms, and this machine has slow spells of seconds (one run's
	 * 11 passes in a row spread from 432 to 720 MB/s between runs), so
	 * three passes here and two in each interleaved round below, the best
	 * of them all. */
	double best = 1e9;
	for (int pass = 0; pass < 3; pass++)
		reader_pass(text, tlen, n, &best);

	luaproc L[2] = { { .label = "lua5.4", .interp = "lua5.4", .dialect = "5.4" },
			 { .label = "luajit", .interp = "luajit", .dialect = "jit" } };
	for (int k = 0; k < 2; k++) {
		fprintf(stderr, "bench: starting %s ...\n", L[k].interp);
		lua_start(&L[k], o->script, o->luadat);
		if (!L[k].ok)
			fprintf(stderr, "bench: skipping the %s column: %s\n", L[k].label, L[k].why);
	}
	snprintf(R->why_lua, sizeof R->why_lua, "%s", L[0].ok ? "" : L[0].why);
	snprintf(R->why_luajit, sizeof R->why_luajit, "%s", L[1].ok ? "" : L[1].why);

	/* Interleaved rounds; round 0 calibrates the repetitions and warms up. */
	/* packed, native, lua, luajit, not prepared, prepared, prepared and
	 * prefetched, packed a range at a time, then the packed sweep's steps
	 * (anatomy.c) */
	enum { I_RANGE = 7, I_STAGE = 8, NIMPL = I_STAGE + BENCH_NSTAGES };
	size_t nprogs = ptrules_program_count(rules);
	int reps[NIMPL];
	double bestns[NIMPL];
	for (int k = 0; k < NIMPL; k++)
		reps[k] = 1, bestns[k] = -1;
	int stages = bench_anatomy_ready(e);
	fprintf(stderr, "bench: %d interleaved rounds over %s carts ...\n", o->rounds, bench_commas(n));
	for (int round = 0; round <= o->rounds; round++) {
		for (int impl = 0; impl < NIMPL; impl++) {
			double t;
			int64_t ck = 0;
			if (impl >= I_STAGE) {   /* a step of the packed sweep; step 0 reads stale results */
				if (!stages)
					continue;
				double t0 = now_s();
				for (int k = 0; k < reps[impl]; k++)
					ck = bench_anatomy_sweep(e, batch, n, idx, impl - I_STAGE);
				t = now_s() - t0;
				if (impl == I_STAGE)
					ck = R->checksum;
			} else if (impl == I_RANGE) {
				double t0 = now_s();
				for (int k = 0; k < reps[impl]; k++)
					ck = bench_range_sweep(e, batch, n, idx, nprogs);
				t = now_s() - t0;
			} else if (impl == 0) {
				double t0 = now_s();
				for (int k = 0; k < reps[impl]; k++)
					ck = bench_packed_sweep(e, batch, n, idx);
				t = now_s() - t0;
			} else if (impl >= 4) {   /* not prepared, prepared, prepared and prefetched */
				double t0 = now_s();
				for (int k = 0; k < reps[impl]; k++)
					ck = bench_ptrules_sweep(e, impl == 4 ? plain : carts, n, idx, impl == 6);
				t = now_s() - t0;
			} else if (impl == 1) {
				double t0 = now_s();
				for (int k = 0; k < reps[1]; k++)
					ck = native_sweep(d, n);
				t = now_s() - t0;
			} else {
				luaproc *lp = &L[impl - 2];
				if (!lp->ok)
					continue;
				ck = lua_run(lp, reps[impl], &t);
			}
			if (ck != R->checksum)
				bench_die("refusing to report times: %s gave checksum %" PRId64 ", ptrules %" PRId64,
				    impl == 0 ? "ptrules" : impl == 1 ? "native" : impl == 4 ? "ptrules (not prepared)"
					      : impl == 5 ? "ptrules (prepared)" : impl == 6 ? "ptrules (prefetch)"
					      : impl == I_RANGE ? "ptrules (range)"
					      : impl >= I_STAGE ? "a step of the packed sweep (anatomy.c)" : L[impl - 2].label,
				    ck, R->checksum);
			double ns = t * 1e9 / ((double)reps[impl] * n);
			if (round == 0)
				reps[impl] = reps_for(t / reps[impl], o->round_s);
			else if (bestns[impl] < 0 || ns < bestns[impl])
				bestns[impl] = ns;
		}
		if (eval_failures)
			bench_die("ptrules_evaluate failed %ld times", eval_failures);
		for (int pass = 0; round > 0 && pass < 2; pass++)
			reader_pass(text, tlen, n, &best);
	}
	R->parse_bytes = tlen;
	R->parse_mb_s = (double)tlen / best / 1e6;
	free(text);
	R->ns_ptrules = bestns[0];
	R->ns_native = bestns[1];
	R->ns_lua = bestns[2];
	R->ns_luajit = bestns[3];
	R->ns_unprepared = bestns[4];
	R->ns_noprefetch = bestns[5];
	R->ns_prefetch = bestns[6];
	R->ns_range = bestns[I_RANGE];
	for (int k = 0; k < BENCH_NSTAGES; k++)
		R->ns_stage[k] = bestns[I_STAGE + k];
	for (int k = 0; k < 2; k++)
		lua_stop(&L[k]);

	/* The packed sweep over the first N carts only, over and over, then
	 * over 2,000 carts packed five times in a row.  Up to a few thousand
	 * different carts, the branch predictor learns the whole sequence of
	 * decisions and the time falls by a third; repeating 2,000 carts
	 * over the memory 10,000 take shows that this, not the cache, is what
	 * changes (docs/performance.md). */
	static const uint32_t sizes[BENCH_WS] = { 500, 2000, 10000, 0, 2000 };
	for (int k = 0; k < BENCH_WS; k++) {
		uint32_t m = sizes[k] && sizes[k] < n ? sizes[k] : n;
		ptrules_batch *rb = k == BENCH_WS - 1 ? pack_carts(rules, plain, 5 * m < n ? 5 * m : n, m) : batch;
		uint32_t len = rb == batch ? m : (uint32_t)ptrules_batch_count(rb);
		int rep = 1;
		double ws_best = -1;
		for (int pass = 0; pass < 6; pass++) {
			double t0 = now_s();
			for (int r = 0; r < rep; r++)
				(void)bench_packed_sweep(e, rb, len, idx);
			double t = now_s() - t0, ns = t * 1e9 / ((double)rep * len);
			if (pass == 0)
				rep = reps_for(t / rep, o->round_s / 2);
			else if (ws_best < 0 || ns < ws_best)
				ws_best = ns;
		}
		R->ws_carts[k] = m;
		R->ws_ns[k] = ws_best;
		if (rb != batch)
			ptrules_batch_free(rb);
	}

	/* Heap allocations over one more sweep (the earlier ones warmed up). */
	n_allocs = 0;
	counting = 1;
	int64_t ck = bench_packed_sweep(e, batch, n, idx), ck2 = bench_ptrules_sweep(e, carts, n, idx, 1);
	counting = 0;
	if (ck != R->checksum || ck2 != R->checksum)
		bench_die("checksum changed while counting allocations");
	R->allocs = n_allocs;
	R->allocs_evals = 2 * (uint64_t)n;
	ptrules_batch_free(batch);

	for (uint32_t i = 0; i < n; i++) {
		ptrules_cart_free(carts[i]);
		ptrules_cart_free(plain[i]);
	}
	free(carts);
	free(plain);
	ptrules_eval_free(e);
	ptrules_release(rules);
}

/* ---- 20 generated programs on one cart of 10 items ---- */

/* What one program's amounts add to the 20 programs' sum: both sweeps
 * below must give the same (time_twenty checks it). */
static inline int64_t twenty_f(const ptrules_amounts *r)
{
	return r->earn_points + r->redeem_max_points + r->redeem_value_yen + r->redeem_usable;
}

/* n evaluations of cart c with its 20 programs' amounts read: their sum.
 * Not static: callgrind collects inside it (--instr twenty). */
__attribute__((noinline)) int64_t bench_twenty_sweep(ptrules_eval *e, ptrules_cart *c, int n)
{
	int64_t sum = 0;
	for (int it = 0; it < n; it++) {
		if (ptrules_evaluate(e, c, NULL) != PTRULES_OK)
			bench_die("20 programs: evaluation failed");
		for (size_t p = 0; p < 20; p++) {
			ptrules_amounts r;
			ptrules_amounts_get(e, p, &r);
			sum += twenty_f(&r);
		}
	}
	return sum;
}

/* The same, with the 20 programs' amounts read in one call
 * (ptrules_amounts_list), as a service that wants them all would. */
__attribute__((noinline)) int64_t bench_twenty_sweep_list(ptrules_eval *e, ptrules_cart *c, int n)
{
	int64_t sum = 0;
	ptrules_amounts r[20];
	for (int it = 0; it < n; it++) {
		if (ptrules_evaluate(e, c, NULL) != PTRULES_OK || ptrules_amounts_list(e, r, 20) != 20)
			bench_die("20 programs: evaluation failed");
		for (size_t p = 0; p < 20; p++)
			sum += twenty_f(&r[p]);
	}
	return sum;
}

/* Best ns per evaluation of cart c with its 20 programs' amounts read by
 * sweep; every pass must give *expect (set by the first when -1). */
static double time_twenty(const opts *o, int64_t (*sweep)(ptrules_eval *, ptrules_cart *, int), ptrules_eval *e,
			  ptrules_cart *c, int64_t want, int64_t *expect)
{
	double best = 1e9;
	int iters = 1000;
	*expect = want;
	for (int pass = 0; pass < 8; pass++) {
		double t0 = now_s();
		int64_t sum = sweep(e, c, iters);
		double t = now_s() - t0;
		if (*expect < 0)
			*expect = sum / iters;
		else if (sum != *expect * iters)
			bench_die("20 programs: results changed between evaluations, with the cart prepared or read in one call");
		double ns = t * 1e9 / iters;
		if (pass == 0)   /* calibrate: about 0.1 s a pass */
			iters = reps_for(t / iters, o->round_s / 2);
		else if (ns < best)
			best = ns;
	}
	return best;
}

/* Sort doubles ascending (qsort). */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The cart the 20 programs are evaluated on: 10 items, dated 2026-03-05,
 * linking all 20 (dp01 .. dp20) with values of their own. */
static ptrules_cart *twenty_cart(void)
{
	static const struct { int price, qty; const char *cat; } items[10] = {
		{ 3980, 2, "grocery" }, { 1200, 1, "kindle" }, { 298, 3, "drugstore" }, { 12800, 1, "electronics" },
		{ 1980, 1, "books" }, { 598, 6, "grocery" }, { 2480, 1, "home" }, { 550, 1, "digital" },
		{ 4980, 1, "fashion" }, { 880, 2, "beauty" },
	};
	char id[16];
	ptrules_cart *c = ptrules_cart_new();
	int bad = !c || ptrules_cart_set_order(c, "twenty", "2026-03-05") != PTRULES_OK;
	for (int k = 0; k < 10 && !bad; k++)
		bad |= ptrules_cart_add_item(c, items[k].price, items[k].qty, items[k].cat, NULL) != PTRULES_OK;
	if (!bad)
		bad = ptrules_cart_set_payment(c, "jcb", NULL) != PTRULES_OK;
	for (int k = 1; k <= 20 && !bad; k++) {
		snprintf(id, sizeof id, "dp%02d", k);
		bad |= ptrules_cart_add_account(c, id, 1000 * k) != PTRULES_OK;
		bad |= ptrules_cart_set_int(c, id, "earned_3mo", 300 * k) != PTRULES_OK;
		bad |= ptrules_cart_set_int(c, id, "earned_this_month", 7 * k) != PTRULES_OK;
		bad |= ptrules_cart_set_bool(c, id, "dvaluepass", k % 2) != PTRULES_OK;
		bad |= ptrules_cart_set_bool(c, id, "prime", k % 3 == 0) != PTRULES_OK;
		bad |= ptrules_cart_set_int(c, id, "bonus_earned_this_month", 20 * k) != PTRULES_OK;
	}
	if (bad)
		bench_die("cannot build the 20-program cart");
	return c;
}

static void twenty_programs(const opts *o, results *R)
{
	char dir[4096], path[4200], src[8192], id[16];
	snprintf(dir, sizeof dir, "%s/p20", o->tmp);
	mkdirs(dir);
	for (int k = 1; k <= 20; k++) {
		snprintf(id, sizeof id, "dp%02d", k);
		gen_dpoint_like(src, sizeof src, id, k);
		snprintf(path, sizeof path, "%s/%s.rules", dir, id);
		write_file(path, src);
	}
	/* The same rules loaded BENCH_NPLACE times: their machine code lies
	 * at as many addresses, which alone moves this figure by a quarter
	 * (docs/performance.md); the median counts, the range is shown. */
	int64_t expect = -1;
	ptrules_rules *rules[BENCH_NPLACE];
	ptrules_eval *e[BENCH_NPLACE];
	ptrules_cart *c[BENCH_NPLACE];
	for (int i = 0; i < BENCH_NPLACE; i++) {
		rules[i] = load_rules(dir);
		if (ptrules_program_count(rules[i]) != 20)
			bench_die("%s: expected 20 programs", dir);
		e[i] = ptrules_eval_new(rules[i], 0);
		c[i] = twenty_cart();
		ptrules_diags *dg = ptrules_diags_new();
		if (ptrules_evaluate(e[i], c[i], dg) != PTRULES_OK || ptrules_diags_count(dg)) {
			ptrules_diags_print(dg, stderr);
			bench_die("the 20-program cart does not evaluate cleanly");
		}
		ptrules_diags_free(dg);
	}
	R->ns_20_unprepared = time_twenty(o, bench_twenty_sweep, e[0], c[0], -1, &expect);
	double best[BENCH_NPLACE], best_list[BENCH_NPLACE];
	for (int i = 0; i < BENCH_NPLACE; i++) {
		if (ptrules_cart_prepare(c[i], rules[i]) != PTRULES_OK || !ptrules_cart_prepared(c[i], rules[i]))
			bench_die("cannot prepare the 20-program cart");
		best[i] = best_list[i] = 1e9;
	}
	for (int round = 0; round < 3; round++)   /* interleaved: a slow spell of the machine hits them all */
		for (int i = 0; i < BENCH_NPLACE; i++) {
			double t = time_twenty(o, bench_twenty_sweep, e[i], c[i], expect, &expect);
			best[i] = t < best[i] ? t : best[i];
			t = time_twenty(o, bench_twenty_sweep_list, e[i], c[i], expect, &expect);
			best_list[i] = t < best_list[i] ? t : best_list[i];
		}
	qsort(best, BENCH_NPLACE, sizeof best[0], cmp_double);
	qsort(best_list, BENCH_NPLACE, sizeof best_list[0], cmp_double);
	R->ns_20_list = best_list[BENCH_NPLACE / 2];
	R->ns_20 = best[BENCH_NPLACE / 2];
	R->ns_20_min = best[0];
	R->ns_20_max = best[BENCH_NPLACE - 1];
	for (int i = 0; i < BENCH_NPLACE; i++) {
		ptrules_cart_free(c[i]);
		ptrules_eval_free(e[i]);
		ptrules_release(rules[i]);
	}
}

/* `ptrules check` on 1,000 generated programs (one file each). */
static void compile_1000(const opts *o, results *R)
{
	char dir[4096], path[4200], src[8192], id[16];
	snprintf(dir, sizeof dir, "%s/p1000", o->tmp);
	mkdirs(dir);
	for (int k = 0; k < 1000; k++) {
		snprintf(id, sizeof id, "p%04d", k);
		if (k % 3 == 0)
			gen_dpoint_like(src, sizeof src, id, k);
		else if (k % 3 == 1)
			gen_okidoki_like(src, sizeof src, id, k);
		else
			gen_recruit_like(src, sizeof src, id, k);
		snprintf(path, sizeof path, "%s/%s.rules", dir, id);
		write_file(path, src);
	}
	char out[4200];
	snprintf(out, sizeof out, "%s/check.out", o->tmp);
	char *argv[] = { (char *)o->cli, "check", dir, NULL };
	double best = 1e9;
	for (int pass = 0; pass < 5; pass++) {
		run_stat st = run(argv, out, NULL);
		if (st.status != 0)
			bench_die("`%s check %s` exited with %d (see %s)", o->cli, dir, st.status, out);
		if (st.wall_s < best)
			best = st.wall_s;
	}
	size_t len;
	char *s = read_file(out, &len);
	while (len && s[len - 1] == '\n')
		s[--len] = '\0';
	const char *last = strrchr(s, '\n');
	snprintf(R->check_summary, sizeof R->check_summary, "%s", last ? last + 1 : s);
	free(s);
	R->compile_1000_ms = best * 1e3;

	/* The same programs compiled in-process (ptrules_load_paths: no
	 * process start, no lint). */
	best = 1e9;
	for (int pass = 0; pass < 5; pass++) {
		double t0 = now_s();
		ptrules_rules *r = load_rules(dir);
		double t = now_s() - t0;
		if (ptrules_program_count(r) != 1000)
			bench_die("%s: expected 1,000 programs", dir);
		ptrules_release(r);
		if (t < best)
			best = t;
	}
	R->load_1000_ms = best * 1e3;
}

static uint64_t count_carts(const char *path, uint64_t *bytes)
{
	FILE *f = fopen(path, "r");
	if (!f)
		bench_die("%s: %s", path, strerror(errno));
	static char line[1 << 16];
	uint64_t n = 0, b = 0;
	while (fgets(line, sizeof line, f)) {
		b += strlen(line);
		n += strncmp(line, "cart ", 5) == 0 || strcmp(line, "cart\n") == 0;
	}
	fclose(f);
	*bytes = b;
	return n;
}

/* `ptrules eval --format json` over the 1,000,000- and 250,000-cart
 * files, as a user runs it: the best wall time of each and its largest
 * peak RSS. */
static void cli_end_to_end(const opts *o, results *R)
{
	enum { PASSES = 5 };   /* a run is about 1 s and this machine has slow spells of seconds */
	char err[4200];
	snprintf(err, sizeof err, "%s/eval.err", o->tmp);
	const char *files[2] = { o->big, o->mid };
	uint64_t bytes[2], n[2];
	double best[2] = { -1, -1 };
	long rss[2] = { 0, 0 };
	for (int k = 0; k < 2; k++)
		n[k] = count_carts(files[k], &bytes[k]);
	for (int pass = 0; pass < PASSES; pass++)   /* the two sizes interleaved; best time, largest RSS */
		for (int k = 0; k < 2; k++) {
			fprintf(stderr, "bench: ptrules eval --format json over %s carts (%s), run %d of %d ...\n",
				bench_commas((int64_t)n[k]), files[k], pass + 1, PASSES);
			char *argv[] = { (char *)o->cli, "eval", "--format", "json", "--rules", (char *)o->rules,
					 (char *)files[k], NULL };
			run_stat st = run(argv, NULL, err);
			if (st.status != 0)
				bench_die("`%s eval --format json %s` exited with %d (see %s)", o->cli, files[k], st.status, err);
			if (best[k] < 0 || st.wall_s < best[k])
				best[k] = st.wall_s;
			if (st.maxrss_kb > rss[k])
				rss[k] = st.maxrss_kb;
		}
	R->big_carts = n[0], R->big_bytes = bytes[0], R->cli_big_s = best[0], R->cli_big_rss = rss[0];
	R->mid_carts = n[1], R->mid_bytes = bytes[1], R->cli_mid_s = best[1], R->cli_mid_rss = rss[1];
}

/* Ir collected inside fn, from a callgrind output file. */
static long callgrind_ir(const char *self, const char *which, int ncarts, const opts *o)
{
	char out[4200], nbuf[32];
	snprintf(out, sizeof out, "%s/callgrind.out", o->tmp);
	snprintf(nbuf, sizeof nbuf, "%d", ncarts);
	char outopt[4300], toggle[128];
	snprintf(outopt, sizeof outopt, "--callgrind-out-file=%s", out);
	int twenty = strncmp(which, "twenty", 6) == 0;
	size_t wl = strlen(which);
	snprintf(toggle, sizeof toggle, "--toggle-collect=%s",
		 wl > 6 && strcmp(which + wl - 6, "-range") == 0 ? "bench_range_sweep"
		 : strcmp(which, "native") == 0		       ? "native_sweep"
		 : strcmp(which, "twenty-list") == 0 ? "bench_twenty_sweep_list"
		 : twenty		      ? "bench_twenty_sweep"
		 : strncmp(which, "all-", 4) == 0 ? "bench_ptrules_sweep" : "bench_packed_sweep");
	char rules[4200];
	snprintf(rules, sizeof rules, "%s%s", twenty ? o->tmp : o->rules, twenty ? "/p20" : "");
	char *argv[] = { "valgrind", "--tool=callgrind", outopt, toggle, (char *)self, "--instr", (char *)which,
			 nbuf, "--data", (char *)o->data, "--rules", rules, NULL };
	char err[4200];
	snprintf(err, sizeof err, "%s/callgrind.err", o->tmp);
	run_stat st = run(argv, NULL, err);
	if (st.status != 0)
		bench_die("callgrind run (%s, %d carts) exited with %d (see %s)", which, ncarts, st.status, err);
	size_t len;
	char *s = read_file(out, &len);
	long ir = -1;
	for (char *p = s; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, "summary:", 8) == 0 || strncmp(p, "totals:", 7) == 0) {
			ir = strtol(strchr(p, ':') + 1, NULL, 10);
			break;
		}
	free(s);
	if (ir < 0)
		bench_die("no totals in %s", out);
	return ir;
}

static void instructions(const opts *o, results *R)
{
	static const char *const which[BENCH_NINSTR] = { "dpoint",	 "okidoki",	  "recruit",	  "all",
							 "native",	 "all-unprepared", "all-prepared", "twenty",
							 "twenty-list",  "dpoint-range",   "okidoki-range", "recruit-range",
							 "all-range" };
	for (int k = 0; k < BENCH_NINSTR; k++)
		R->instr[k] = -1;
	if (!on_path("valgrind")) {
		snprintf(R->why_instr, sizeof R->why_instr, "valgrind is not installed (apt-get install valgrind)");
		fprintf(stderr, "bench: skipping instructions per cart: %s\n", R->why_instr);
		return;
	}
	for (int k = 0; k < BENCH_NINSTR; k++) {
		fprintf(stderr, "bench: callgrind: %s, %d and 0 carts ...\n", which[k], o->cg_carts);
		long a = callgrind_ir(self_exe, which[k], o->cg_carts, o);
		long b = callgrind_ir(self_exe, which[k], 0, o);
		R->instr[k] = (a - b + o->cg_carts / 2) / o->cg_carts;
	}
}

/* The mode run under callgrind: one sweep over the first n carts. */
static int instr_mode(const char *which, int n, const opts *o)
{
	bench_data d;
	if (bench_load(&d, o->data))
		bench_die("cannot read %s", o->data);
	if ((uint32_t)n > d.h.ncarts)
		n = (int)d.h.ncarts;
	if (strcmp(which, "native") == 0) {
		volatile int64_t ck = native_sweep(&d, (uint32_t)n);
		(void)ck;
		return 0;
	}
	if (strncmp(which, "twenty", 6) == 0) {   /* o->rules: the 20 programs' directory */
		ptrules_rules *rules = load_rules(o->rules);
		ptrules_eval *e = ptrules_eval_new(rules, 0);
		ptrules_cart *c = twenty_cart();
		if (!e || (strcmp(which, "twenty-unprepared") != 0 &&
			   (ptrules_cart_prepare(c, rules) != PTRULES_OK || !ptrules_cart_prepared(c, rules))))
			bench_die("cannot prepare the 20-program cart for %s", o->rules);
		volatile int64_t ck = strcmp(which, "twenty-list") == 0 ? bench_twenty_sweep_list(e, c, n)
									: bench_twenty_sweep(e, c, n);
		(void)ck;
		return 0;
	}
	char base[32];   /* WHICH-range: the same through ptrules_evaluate_range */
	snprintf(base, sizeof base, "%s", which);
	size_t bl = strlen(base);
	int range = bl > 6 && strcmp(base + bl - 6, "-range") == 0;
	if (range)
		base[bl - 6] = '\0';
	which = base;
	int mask = strcmp(which, "dpoint") == 0 ? P_DP : strcmp(which, "okidoki") == 0 ? P_OK
						      : strcmp(which, "recruit") == 0 ? P_RC : P_DP | P_OK | P_RC;
	int prepare = strcmp(which, "all-unprepared") != 0, packed = strncmp(which, "all-", 4) != 0;
	if (range && (!packed || strcmp(which, "native") == 0 || strncmp(which, "twenty", 6) == 0))
		bench_die("--instr %s-range: only dpoint, okidoki, recruit and all have a range form", which);
	char path[4200];
	if (mask == (P_DP | P_OK | P_RC))
		snprintf(path, sizeof path, "%s", o->rules);
	else
		snprintf(path, sizeof path, "%s/%s.rules", o->rules, which);
	ptrules_rules *rules = load_rules(path);
	int idx[3];
	program_indexes(rules, idx);
	ptrules_eval *e = ptrules_eval_new(rules, 0);
	ptrules_cart **carts = build_carts(&d, (uint32_t)n, mask, prepare && !packed ? rules : NULL);
	ptrules_batch *b = packed ? pack_carts(rules, carts, (uint32_t)n, 0) : NULL;
	volatile int64_t ck = range	 ? bench_range_sweep(e, b, (uint32_t)n, idx, ptrules_program_count(rules))
			      : packed ? bench_packed_sweep(e, b, (uint32_t)n, idx)
				       : bench_ptrules_sweep(e, carts, (uint32_t)n, idx, prepare);
	(void)ck;
	if (eval_failures)
		bench_die("ptrules_evaluate failed %ld times", eval_failures);
	return 0;
}

int main(int argc, char **argv)
{
	opts o = { .rules = "rules", .tmp = "build/bench/tmp", .json = "build/bench.json", .rounds = 7,
		   .cg_carts = 10000, .round_s = 0.2, .script = "bench/bench.lua" };
	const char *instr_which = NULL;
	int instr_n = 0;
	if (argc > 1 && strcmp(argv[1], "--spawn") == 0)
		return spawn_mode(argc, argv);
	ssize_t sn = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
	if (sn <= 0)
		bench_die("readlink /proc/self/exe: %s", strerror(errno));
	self_exe[sn] = '\0';
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
#define OPT(name, field) else if (strcmp(a, name) == 0 && i + 1 < argc) o.field = argv[++i]
		if (strcmp(a, "--instr") == 0 && i + 2 < argc) {
			instr_which = argv[++i];
			instr_n = atoi(argv[++i]);
		}
		OPT("--data", data);
		OPT("--luadat", luadat);
		OPT("--text", text);
		OPT("--lua-script", script);
		OPT("--ptrules", cli);
		OPT("--rules", rules);
		OPT("--big", big);
		OPT("--mid", mid);
		OPT("--tmp", tmp);
		OPT("--json", json);
		else if (strcmp(a, "--rounds") == 0 && i + 1 < argc) o.rounds = atoi(argv[++i]);
		else if (strcmp(a, "--cg-carts") == 0 && i + 1 < argc) o.cg_carts = atoi(argv[++i]);
		else if (strcmp(a, "--quick") == 0) o.quick = 1;
		else if (strcmp(a, "--round-ms") == 0 && i + 1 < argc) o.round_s = atoi(argv[++i]) / 1000.0;
		else
			bench_die("unknown argument '%s' (see the comment at the top of bench/bench.c)", a);
	}
	if (instr_which)
		return instr_mode(instr_which, instr_n, &o);
	if (!o.data || !o.luadat || !o.text || (!o.quick && (!o.cli || !o.big || !o.mid)))
		bench_die("--data, --luadat, --text, --ptrules, --big and --mid are required (the last three not with --quick)");
	if (o.rounds < 1 || o.cg_carts < 1)
		bench_die("--rounds and --cg-carts must be positive");
	signal(SIGPIPE, SIG_IGN);
	mkdirs(o.tmp);
	tmp_dir = o.tmp;

	bench_data d;
	if (bench_load(&d, o.data))
		bench_die("cannot read the data set %s (run `make bench`)", o.data);
	results R;
	memset(&R, 0, sizeof R);
	R.ncarts = d.h.ncarts;
	R.nitems = d.h.nitems;
	R.ns_ptrules = R.ns_native = R.ns_lua = R.ns_luajit = R.ns_unprepared = R.ns_noprefetch = R.ns_prefetch = -1;
	for (int k = 0; k < BENCH_NSTAGES; k++)
		R.ns_stage[k] = -1;
	R.parse_mb_s = R.compile_1000_ms = R.load_1000_ms = -1;
	for (int k = 0; k < BENCH_NINSTR; k++)
		R.instr[k] = -1;
	snprintf(R.loadavg, sizeof R.loadavg, "?");
	FILE *la = fopen("/proc/loadavg", "r");
	if (la) {
		if (fgets(R.loadavg, sizeof R.loadavg, la)) {
			char *sp = R.loadavg;
			for (int k = 0; k < 3 && sp; k++)
				sp = strchr(sp + 1, ' ');
			if (sp)
				*sp = '\0';
		}
		fclose(la);
	}

	in_process(&o, &d, &R);
	fprintf(stderr, "bench: 20 programs on one cart ...\n");
	twenty_programs(&o, &R);
	if (!o.quick) {
		fprintf(stderr, "bench: ptrules check on 1,000 programs ...\n");
		compile_1000(&o, &R);
		instructions(&o, &R);
		cli_end_to_end(&o, &R);
	}
	bench_report(&o, &R);
	free(d.carts);
	free(d.items);
	return 0;
}
