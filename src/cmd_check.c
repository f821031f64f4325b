/* cmd_check.c - `ptrules check`: compile and lint rule files, reporting
 * in a form people, CI logs, GitHub annotations or SARIF viewers read.
 *
 *   ptrules check [--format text|json|github|sarif] [--strict] [--cost] [PATH...]
 *
 * Exit 1 on any error (and on warnings with --strict), 2 on misuse. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ptrules.h"

#include "cli.h"

/* Every stable code and what it means (docs/diagnostics.md). */
static const struct { const char *code, *what; } codes[] = {
	{ "PT001", "syntax or lexical error" },
	{ "PT003", "units do not match" },
	{ "PT004", "points that may be fractional need explicit rounding" },
	{ "PT005", "a rule reads a cart field that is not declared" },
	{ "PT006", "unknown name" },
	{ "PT007", "malformed tier table" },
	{ "PT008", "dated versions or validity dates are inconsistent" },
	{ "PT009", "malformed input declaration" },
	{ "PT010", "misplaced or duplicated declaration or statement" },
	{ "PT011", "a compiler limit was exceeded" },
	{ "PT101", "a tier row can never be chosen" },
	{ "PT102", "a cap never binds" },
	{ "PT103", "dated versions overlap or leave a gap" },
	{ "PT104", "a condition can never hold" },
	{ "PT105", "a declared input is never read" },
	{ "PT106", "rounding each term before summing loses value" },
};

static const char *const sev_word[] = { "error", "warning", "note" };

/* Write s as a JSON string. */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* GitHub workflow-command escaping; properties also escape ':' and ','. */
static void gh_escape(FILE *f, const char *s, bool property)
{
	for (; s && *s; s++) {
		if (*s == '%')
			fputs("%25", f);
		else if (*s == '\r')
			fputs("%0D", f);
		else if (*s == '\n')
			fputs("%0A", f);
		else if (property && *s == ':')
			fputs("%3A", f);
		else if (property && *s == ',')
			fputs("%2C", f);
		else
			fputc(*s, f);
	}
}

/* One ::error/::warning/::notice line per diagnostic. */
static void print_github(const ptrules_diags *d)
{
	static const char *const cmd[] = { "error", "warning", "notice" };
	for (size_t i = 0; i < ptrules_diags_count(d); i++) {
		ptrules_diag g;
		ptrules_diags_get(d, i, &g);
		printf("::%s file=", cmd[g.severity]);
		gh_escape(stdout, g.file, true);
		if (g.line > 0)
			printf(",line=%d,col=%d,endColumn=%d", g.line, g.col, g.col + (g.len > 0 ? g.len : 1));
		fputs(",title=", stdout);
		gh_escape(stdout, g.code[0] ? g.code : "ptrules", true);
		fputs("::", stdout);
		gh_escape(stdout, g.message, false);
		fputc('\n', stdout);
	}
}

/* {"diagnostics": [...], "errors": N, "warnings": N, "programs": [...], "policies": [...]} */
static void print_json(const ptrules_diags *d, const ptrules_rules *r)
{
	fputs("{\"diagnostics\":[", stdout);
	for (size_t i = 0; i < ptrules_diags_count(d); i++) {
		ptrules_diag g;
		ptrules_diags_get(d, i, &g);
		printf("%s{\"severity\":\"%s\",\"code\":", i ? "," : "", sev_word[g.severity]);
		json_str(stdout, g.code);
		fputs(",\"file\":", stdout);
		json_str(stdout, g.file);
		printf(",\"line\":%d,\"col\":%d,\"len\":%d,\"message\":", g.line, g.col, g.len);
		json_str(stdout, g.message);
		fputc('}', stdout);
	}
	printf("],\"errors\":%zu,\"warnings\":%zu,\"programs\":[", ptrules_diags_errors(d), ptrules_diags_warnings(d));
	for (size_t i = 0; r && i < ptrules_program_count(r); i++) {
		fputs(i ? ",{\"id\":" : "{\"id\":", stdout);
		json_str(stdout, ptrules_program_id(r, i));
		printf(",\"max_instructions\":%zu}", ptrules_program_cost(r, i));
	}
	fputs("],\"policies\":[", stdout);
	for (size_t i = 0; r && i < ptrules_policy_count(r); i++) {
		fputs(i ? ",{\"id\":" : "{\"id\":", stdout);
		json_str(stdout, ptrules_policy_id(r, i));
		fputc('}', stdout);
	}
	fputs("]}\n", stdout);
}

/* SARIF 2.1.0: one run, the codes seen as rules, one result each. */
static void print_sarif(const ptrules_diags *d)
{
	static const char *const level[] = { "error", "warning", "note" };
	fputs("{\"version\":\"2.1.0\",\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\","
	      "\"runs\":[{\"tool\":{\"driver\":{\"name\":\"ptrules\",\"version\":\"" PTRULES_VERSION "\","
	      "\"rules\":[", stdout);
	bool first = true;
	for (size_t c = 0; c < sizeof codes / sizeof codes[0]; c++) {
		bool used = false;
		for (size_t i = 0; i < ptrules_diags_count(d) && !used; i++) {
			ptrules_diag g;
			ptrules_diags_get(d, i, &g);
			used = strcmp(g.code, codes[c].code) == 0;
		}
		if (!used)
			continue;
		printf("%s{\"id\":\"%s\",\"shortDescription\":{\"text\":", first ? "" : ",", codes[c].code);
		json_str(stdout, codes[c].what);
		fputs("}}", stdout);
		first = false;
	}
	fputs("]}},\"results\":[", stdout);
	for (size_t i = 0; i < ptrules_diags_count(d); i++) {
		ptrules_diag g;
		ptrules_diags_get(d, i, &g);
		printf("%s{\"ruleId\":", i ? "," : "");
		json_str(stdout, g.code[0] ? g.code : "PT000");
		printf(",\"level\":\"%s\",\"message\":{\"text\":", level[g.severity]);
		json_str(stdout, g.message);
		fputs("},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":", stdout);
		json_str(stdout, g.file);
		fputc('}', stdout);
		if (g.line > 0)
			printf(",\"region\":{\"startLine\":%d,\"startColumn\":%d,\"endColumn\":%d}", g.line, g.col,
			       g.col + (g.len > 0 ? g.len : 1));
		fputs("}}]}", stdout);
	}
	fputs("]}]}\n", stdout);
}

/* Parse options, compile with lints, report, choose the exit code. */
int cmd_check(int argc, char **argv)
{
	const char *format = "text", *paths[4096];
	size_t n = 0;
	bool strict = false, cost = false;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--format") == 0 || strncmp(a, "--format=", 9) == 0) {
			format = a[8] == '=' ? a + 9 : i + 1 < argc ? argv[++i] : "";
			if (strcmp(format, "text") && strcmp(format, "json") && strcmp(format, "github") &&
			    strcmp(format, "sarif")) {
				fprintf(stderr, "ptrules: --format takes text, json, github or sarif\n");
				return 2;
			}
		} else if (strcmp(a, "--strict") == 0) {
			strict = true;
		} else if (strcmp(a, "--cost") == 0) {
			cost = true;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			puts("usage: ptrules check [--format text|json|github|sarif] [--strict] [--cost] [PATH...]");
			return 0;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "ptrules: unknown option '%s'\nusage: ptrules check [--format text|json|github|sarif] [--strict] [--cost] [PATH...]\n", a);
			return 2;
		} else if (n < sizeof paths / sizeof paths[0]) {
			paths[n++] = a;
		}
	}
	if (n == 0)
		paths[n++] = "rules";
	ptrules_diags *d = ptrules_diags_new();
	if (!d) {
		fputs("ptrules: out of memory\n", stderr);
		return 1;
	}
	ptrules_rules *r = NULL;
	ptrules_lint_paths(&r, paths, n, d);
	size_t errors = ptrules_diags_errors(d), warnings = ptrules_diags_warnings(d);
	if (strcmp(format, "json") == 0) {
		print_json(d, r);
	} else if (strcmp(format, "github") == 0) {
		print_github(d);
	} else if (strcmp(format, "sarif") == 0) {
		print_sarif(d);
	} else {
		ptrules_diags_print(d, stdout);
		if (r) {
			size_t np = ptrules_program_count(r), nq = ptrules_policy_count(r);
			printf("%zu program%s", np, np == 1 ? "" : "s");
			if (nq)
				printf(" and %zu polic%s", nq, nq == 1 ? "y" : "ies");
			printf(" checked: %zu error%s, %zu warning%s.\n", errors, errors == 1 ? "" : "s", warnings,
			       warnings == 1 ? "" : "s");
		}
		else
			printf("%zu error%s, %zu warning%s.\n", errors, errors == 1 ? "" : "s", warnings,
			       warnings == 1 ? "" : "s");
	}
	if (cost && r && strcmp(format, "json") != 0) {
		FILE *out = strcmp(format, "text") == 0 ? stdout : stderr;
		fprintf(out, "instructions per evaluation, at most (every jump goes forward):\n");
		size_t progs = 0;
		for (size_t i = 0; i < ptrules_program_count(r); i++) {
			fprintf(out, "  %-16s %6zu\n", ptrules_program_id(r, i), ptrules_program_cost(r, i));
			progs += ptrules_program_cost(r, i);
		}
		if (ptrules_cost_bound(r) > progs)   /* the policies' checks */
			fprintf(out, "  %-16s %6zu\n", "policies", ptrules_cost_bound(r) - progs);
		fprintf(out, "  %-16s %6zu\n", "all programs", ptrules_cost_bound(r));
	}
	ptrules_diags_free(d);
	ptrules_release(r);
	return errors || (strict && warnings) ? 1 : 0;
}
