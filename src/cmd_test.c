/* cmd_test.c - `ptrules test`: rule tests with expected results, and
 * coverage of the rule parts they exercise.
 *
 *   ptrules test [--rules PATH]... [--coverage] [--min-coverage N] TESTS...
 *
 * A test file (*.ptest; docs/rule-tests.md) holds cases:
 *
 *   case "rank 5 before the change"
 *   order date=2024-06-01
 *   item price=7777
 *   account program=dpoint earned_3mo=5000
 *   expect dpoint earn.points=192 tier="★5"
 *
 * Everything between `case` lines except `expect` lines is the cart, in
 * the cart.txt format.  Exit 1 when a case fails or coverage is below
 * --min-coverage, 2 on misuse. */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ptrules.h"

#include "cli.h"

/* Totals over every file. */
typedef struct run {
	ptrules_eval *e;
	size_t cases, failed;
} run;


/* The value of `key=` in an expect line: a quoted string (unescaped into
 * buf), or a bare word or number up to the next blank. */
static const char *next_pair(const char *p, char *key, size_t keycap, char *val, size_t valcap, bool *ok)
{
	*ok = false;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p || *p == '\n' || *p == '#')
		return NULL;
	size_t k = 0;
	while (*p && *p != '=' && *p != ' ' && *p != '\n' && k + 1 < keycap)
		key[k++] = *p++;
	key[k] = '\0';
	if (*p != '=')
		return p;
	p++;
	size_t v = 0;
	if (*p == '"') {
		for (p++; *p && *p != '"' && *p != '\n'; p++) {
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
				p++;
			if (v + 1 < valcap)
				val[v++] = *p;
		}
		if (*p != '"')
			return p;
		p++;
	} else {
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '#' && v + 1 < valcap)
			val[v++] = *p++;
	}
	val[v] = '\0';
	*ok = k > 0;
	return p;
}

/* Join a result's reasons as `eval` does. */
static void join(const char *const *r, int n, char *buf, size_t cap)
{
	size_t len = 0;
	buf[0] = '\0';
	for (int i = 0; i < n && len < cap; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? "; " : "", r[i]);
}

/* Whether got is want (or, when containing names what, contains it); on
 * a mismatch print it under who and key unless quiet. */
static bool matches(const char *who, const char *key, const char *want, const char *got, const char *containing,
		    bool quiet)
{
	bool ok = containing ? strstr(got, want) != NULL : strcmp(got, want) == 0;
	if (!ok && !quiet)
		printf("    %s %s: expected %s%s%s\", got \"%s\"\n", who, key, containing ? containing : "",
		       containing ? " containing \"" : "\"", want, got);
	return ok;
}

/* Compare one expectation; on a mismatch print it (unless quiet) and
 * return false. */
static bool check_one(const char *file, int line, const ptrules_result *r, const char *key, const char *want,
		      bool quiet)
{
	char got[1024];
	bool substring = false;
	long long n = 0;
	if (strcmp(key, "earn.points") == 0)
		n = r->earn_points;
	else if (strcmp(key, "earn.basis") == 0)
		n = r->earn_basis_yen;
	else if (strcmp(key, "redeem.points") == 0)
		n = r->redeem_max_points;
	else if (strcmp(key, "redeem.yen") == 0)
		n = r->redeem_value_yen;
	if (strcmp(key, "earn.points") == 0 || strcmp(key, "earn.basis") == 0 || strcmp(key, "redeem.points") == 0 ||
	    strcmp(key, "redeem.yen") == 0) {
		snprintf(got, sizeof got, "%lld", n);
	} else if (strcmp(key, "use.points") == 0 || strcmp(key, "use.yen") == 0) {
		snprintf(got, sizeof got, "%lld", (long long)(key[4] == 'p' ? r->use_points : r->use_value_yen));
	} else if (strcmp(key, "use.valid") == 0) {
		snprintf(got, sizeof got, "%s", r->use_valid ? "yes" : "no");
	} else if (strcmp(key, "redeem.usable") == 0) {
		snprintf(got, sizeof got, "%s", r->redeem_usable ? "yes" : "no");
	} else if (strcmp(key, "linked") == 0) {
		snprintf(got, sizeof got, "%s", r->linked ? "yes" : "no");
	} else if (strcmp(key, "tier") == 0) {
		snprintf(got, sizeof got, "%s", r->tier ? r->tier : "none");
	} else if (strcmp(key, "earn.granted") == 0) {
		snprintf(got, sizeof got, "%s", r->earn_granted ? r->earn_granted : "none");
	} else if (strcmp(key, "earn.reason") == 0 || strcmp(key, "redeem.reason") == 0) {
		bool earn = key[0] == 'e';
		join(earn ? r->earn_reasons : r->redeem_reasons, earn ? r->earn_nreasons : r->redeem_nreasons, got,
		     sizeof got);
		if (!got[0])
			snprintf(got, sizeof got, "none");
		substring = strcmp(want, "none") != 0;
	} else {
		if (!quiet)
			printf("%s:%d: error: unknown expectation '%s' (expected earn.points, earn.basis, earn.reason, earn.granted, "
		       "redeem.usable, redeem.points, redeem.yen, redeem.reason, use.points, use.yen, use.valid, tier or linked)\n", file, line, key);
		return false;
	}
	return matches(r->id, key, want, got, substring ? "a reason" : NULL, quiet);
}

/* Compare one `expect order KEY=VALUE`: the order's intended use. */
static bool check_order(ptrules_eval *e, const char *file, int line, const char *key, const char *want, bool quiet)
{
	ptrules_order o;
	char got[2048] = "";
	bool substring = false;
	ptrules_order_get(e, &o);
	if (strcmp(key, "use.valid") == 0) {
		snprintf(got, sizeof got, "%s", o.valid ? "yes" : "no");
	} else if (strcmp(key, "use.pay") == 0 || strcmp(key, "use.points_yen") == 0 || strcmp(key, "use.giftcard") == 0) {
		snprintf(got, sizeof got, "%lld", (long long)(key[4] == 'p' && key[5] == 'a' ? o.pay_yen :
							    key[4] == 'p' ? o.points_yen : o.giftcard_yen));
	} else if (strcmp(key, "use.problem") == 0) {
		size_t len = 0;
		for (size_t i = 0; i < o.nproblems && len < sizeof got; i++) {
			ptrules_problem p;
			ptrules_problem_get(e, i, &p);
			len += (size_t)snprintf(got + len, sizeof got - len, "%s%s", i ? "; " : "", p.text);
		}
		if (!got[0])
			snprintf(got, sizeof got, "none");
		substring = strcmp(want, "none") != 0;
	} else {
		if (!quiet)
			printf("%s:%d: error: unknown expectation '%s' for the order (expected use.valid, use.pay, use.points_yen, "
			       "use.giftcard or use.problem)\n", file, line, key);
		return false;
	}
	return matches("order", key, want, got, substring ? "a problem" : NULL, quiet);
}

/* Check every expect line of a case against the last evaluation. */
static bool check_expects(run *rn, const char *file, char *const *lines, const int *lnos, int n, bool quiet)
{
	bool ok = true;
	ptrules_rules *r = ptrules_eval_rules(rn->e);
	for (int i = 0; i < n; i++) {
		const char *p = lines[i] + 6, *end;
		char prog[128], key[64], val[1024];
		size_t k = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && k + 1 < sizeof prog)
			prog[k++] = *p++;
		prog[k] = '\0';
		size_t idx = 0, count = ptrules_program_count(r);
		while (idx < count && strcmp(ptrules_program_id(r, idx), prog) != 0)
			idx++;
		bool order = idx == count && strcmp(prog, "order") == 0;   /* the order as a whole */
		if (idx == count && !order) {
			if (!quiet)
				printf("%s:%d: error: expect names program '%s', which the rules do not define\n", file, lnos[i], prog);
			ok = false;
			continue;
		}
		ptrules_result res;
		if (!order)
			ptrules_result_get(rn->e, idx, &res);
		bool pair_ok, any = false;
		while ((end = next_pair(p, key, sizeof key, val, sizeof val, &pair_ok)) != NULL) {
			if (!pair_ok) {
				if (!quiet)
					printf("%s:%d: error: malformed expectation; expected key=value such as earn.points=192\n", file,
				       lnos[i]);
				ok = false;
				break;
			}
			any = true;
			if (order ? !check_order(rn->e, file, lnos[i], key, val, quiet) :
				    !check_one(file, lnos[i], &res, key, val, quiet))
				ok = false;
			p = end;
		}
		if (!any && pair_ok) {
			if (!quiet)
				printf("%s:%d: error: expect %s has no key=value\n", file, lnos[i], prog);
			ok = false;
		}
	}
	return ok;
}

/* Evaluate one case: its cart text and its expect lines. */
static void run_case(run *rn, const char *file, const char *name, int case_line, const char *cart, size_t cart_len,
		     char *const *expects, const int *lnos, int nexp)
{
	rn->cases++;
	ptrules_reader *rd = ptrules_reader_new(cart, cart_len, file);
	ptrules_diags *d = ptrules_diags_new();
	const ptrules_cart *c;
	bool ok = rd && d && ptrules_reader_next(rd, &c, d) && ptrules_cart_errors(c) == 0;
	ptrules_status st = ok ? ptrules_evaluate(rn->e, c, d) : PTRULES_EINVALID;
	if (st != PTRULES_OK || !check_expects(rn, file, expects, lnos, nexp, true)) {
		rn->failed++;
		printf("%s:%d: FAIL case \"%s\"\n", file, case_line, name);
		if (st == PTRULES_OK)
			check_expects(rn, file, expects, lnos, nexp, false);   /* now say what differed */
		if (d)
			ptrules_diags_print(d, stdout);
		if (st == PTRULES_OK || st == PTRULES_ERUNTIME) {
			char buf[1 << 15];
			size_t n = ptrules_format_text(rn->e, c, name, buf, sizeof buf);
			fwrite(buf, 1, n < sizeof buf ? n : sizeof buf - 1, stdout);
		}
	}
	ptrules_diags_free(d);
	ptrules_reader_free(rd);
}

/* Split a test file into cases and run each. */
static bool run_file(run *rn, const char *path)
{
	size_t len;
	char *text = cli_read_file(path, &len);
	if (!text)
		return false;
	/* Each case's cart keeps its line numbers: earlier lines become blank. */
	char *cart = malloc(len + 2);
	char **expects = calloc(len / 6 + 1, sizeof *expects);
	int *lnos = calloc(len / 6 + 1, sizeof *lnos);
	if (!cart || !expects || !lnos) {
		free(cart);
		free(expects);
		free(lnos);
		free(text);
		fprintf(stderr, "%s: error: out of memory\n", path);
		return false;
	}
	size_t clen = 0;
	int nexp = 0, line = 1, case_line = 0;
	char name[256] = "";
	bool in_case = false, ok = true;
	for (char *p = text; *p || in_case;) {
		char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		bool at_end = !*p;
		bool is_case = !at_end && strncmp(p, "case", 4) == 0 && (n == 4 || p[4] == ' ' || p[4] == '\t' || p[4] == '\r');
		if ((at_end || is_case) && in_case) {
			run_case(rn, path, name, case_line, cart, clen, expects, lnos, nexp);
			in_case = false;
		}
		if (at_end)
			break;
		if (is_case) {
			in_case = true;
			case_line = line;
			nexp = 0;
			const char *q = strchr(p, '"');
			if (q && q < p + n) {
				const char *qe = memchr(q + 1, '"', (size_t)(p + n - q - 1));
				snprintf(name, sizeof name, "%.*s", qe ? (int)(qe - q - 1) : (int)(p + n - q - 1), q + 1);
			} else {
				snprintf(name, sizeof name, "case on line %d", line);
			}
			memset(cart, '\n', (size_t)line);   /* blank lines up to here */
			clen = (size_t)line;
		} else if (in_case && strncmp(p, "expect", 6) == 0 && (p[6] == ' ' || p[6] == '\t')) {
			p[n] = '\0';
			expects[nexp] = p;
			lnos[nexp++] = line;
			cart[clen++] = '\n';
		} else if (in_case) {
			memcpy(cart + clen, p, n);
			clen += n;
			cart[clen++] = '\n';
		} else if (n && *p != '#' && strspn(p, " \t\r") < n) {
			printf("%s:%d: error: expected `case \"name\"` before the cart\n", path, line);
			ok = false;
		}
		line++;
		if (!eol)
			p += n;
		else
			p = eol + 1;
	}
	free(cart);
	free(expects);
	free(lnos);
	free(text);
	return ok;
}

/* Run a file, or every *.ptest in a directory (sorted). */
static bool run_path(run *rn, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return run_file(rn, path);
	DIR *dir = opendir(path);
	if (!dir) {
		fprintf(stderr, "%s: error: cannot open directory: %s\n", path, strerror(errno));
		return false;
	}
	char *names[1024];
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(dir)) != NULL && n < 1024) {
		size_t l = strlen(de->d_name);
		if (l > 6 && strcmp(de->d_name + l - 6, ".ptest") == 0 && de->d_name[0] != '.')
			names[n++] = strdup(de->d_name);
	}
	closedir(dir);
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && names[j] && names[j - 1] && strcmp(names[j], names[j - 1]) < 0; j--) {
			char *t = names[j];
			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	bool ok = true;
	for (size_t i = 0; i < n; i++) {
		char full[4096];
		if (!names[i])
			continue;
		snprintf(full, sizeof full, "%s/%s", path, names[i]);
		ok = run_file(rn, full) && ok;
		free(names[i]);
	}
	return ok;
}

/* Print coverage; returns the percentage covered, times 100. */
static long coverage_report(const ptrules_eval *e, bool list)
{
	size_t n = ptrules_coverage_count(e), hit = 0;
	for (size_t i = 0; i < n; i++) {
		ptrules_cover c;
		ptrules_coverage_get(e, i, &c);
		hit += c.hit != 0;
	}
	long pct100 = n ? (long)(hit * 10000 / n) : 10000;
	printf("coverage: %zu of %zu rule parts exercised (%ld.%02ld%%)\n", hit, n, pct100 / 100, pct100 % 100);
	for (size_t i = 0; list && i < n; i++) {
		ptrules_cover c;
		ptrules_coverage_get(e, i, &c);
		if (!c.hit)
			printf("  not exercised: %s:%d: %s: %s\n", c.file, c.line, c.program, c.what);
	}
	return pct100;
}

/* Parse options, load rules, run every test, report. */
int cmd_test(int argc, char **argv)
{
	const char *rules[64], *tests[1024];
	size_t nrules = 0, ntests = 0;
	bool coverage = false;
	long min_cov = -1;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--rules") == 0 && i + 1 < argc && nrules < 64) {
			rules[nrules++] = argv[++i];
		} else if (strcmp(a, "--coverage") == 0) {
			coverage = true;
		} else if (strcmp(a, "--min-coverage") == 0 && i + 1 < argc) {
			char *end;
			errno = 0;
			min_cov = strtol(argv[++i], &end, 10);
			if (*end || errno || min_cov < 0 || min_cov > 100) {
				fprintf(stderr, "ptrules: --min-coverage takes a whole percentage 0..100\n");
				return 2;
			}
			coverage = true;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			puts("usage: ptrules test [--rules PATH]... [--coverage] [--min-coverage N] TESTS...");
			return 0;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "ptrules: unknown option '%s'\nusage: ptrules test [--rules PATH]... [--coverage] [--min-coverage N] TESTS...\n", a);
			return 2;
		} else if (ntests < 1024) {
			tests[ntests++] = a;
		}
	}
	if (ntests == 0) {
		fprintf(stderr, "ptrules: test needs test files or directories\nusage: ptrules test [--rules PATH]... [--coverage] [--min-coverage N] TESTS...\n");
		return 2;
	}
	if (nrules == 0)
		rules[nrules++] = "rules";
	ptrules_diags *d = ptrules_diags_new();
	ptrules_rules *r = NULL;
	if (!d || ptrules_load_paths(&r, rules, nrules, d) != PTRULES_OK) {
		ptrules_diags_print(d, stderr);
		ptrules_diags_free(d);
		return 1;
	}
	ptrules_diags_free(d);
	run rn = { ptrules_eval_new(r, PTRULES_EVAL_EXPLAIN | PTRULES_EVAL_COVERAGE), 0, 0 };
	bool ok = rn.e != NULL;
	for (size_t i = 0; ok && i < ntests; i++)
		ok = run_path(&rn, tests[i]) && ok;
	printf("%zu case%s, %zu failed\n", rn.cases, rn.cases == 1 ? "" : "s", rn.failed);
	int rc = ok && rn.failed == 0 && rn.cases > 0 ? 0 : 1;
	if (coverage && rn.e) {
		long pct100 = coverage_report(rn.e, true);
		if (min_cov >= 0 && pct100 < min_cov * 100) {
			printf("coverage is below --min-coverage %ld%%\n", min_cov);
			rc = 1;
		}
	}
	ptrules_eval_free(rn.e);
	ptrules_release(r);
	return rc;
}
