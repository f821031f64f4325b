/* parser.y - grammar of the .rules language.
 *
 * A pure (reentrant) parser: all state lives in the pt_parser passed as a
 * parameter.  Actions only build the AST; checking and code generation are
 * separate passes.  Syntax errors list the expected tokens (LAC keeps the
 * list exact) and recovery resumes at the next declaration or statement,
 * so one run reports every independent error. */
%define api.pure full
%define api.location.type {pt_loc}
%define parse.error custom
%define parse.lac full
%locations
%expect 0
%lex-param {yyscan_t scanner}
%parse-param {yyscan_t scanner} {pt_parser *p}
%initial-action { @$ = (pt_loc){ 1, 0, 1, 0 }; }

%code requires {
#include "ast.h"
typedef void *yyscan_t;
}

%code {
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lexer.h"

#define yylex pt_yylex
#define YYMAXDEPTH 2000

/* bison's own errors, told how deep its stack is (in yyparse, where
 * bison calls yyerror; a failed allocation leaves the old stack in
 * place): "memory exhausted" short of YYMAXDEPTH entries is a failed
 * allocation, not rules nested too deeply. */
#define yyerror(loc, scanner, p, msg) bison_error(loc, p, msg, yyssp - yyss + 1)
static void bison_error(const pt_loc *loc, pt_parser *p, const char *msg, ptrdiff_t depth);
static void *node(pt_parser *p, size_t size);
static pt_strlist *strlist(pt_parser *p, const char *s, pt_loc loc, pt_strlist *next);
/* Lists are built by prepending (linear in their length) and reversed
 * once where a rule uses them. */
#define PT_REVERSE(name, type) \
	static type *name(type *l) \
	{ \
		type *r = NULL; \
		while (l) { type *n = l->next; l->next = r; r = l; l = n; } \
		return r; \
	}
PT_REVERSE(rev_decls, pt_decl)
PT_REVERSE(rev_stmts, pt_stmt)
PT_REVERSE(rev_rows, pt_tier_row)
PT_REVERSE(rev_fields, pt_field)
PT_REVERSE(rev_strs, pt_strlist)
static void set_dates(pt_parser *p, int32_t *from, int32_t *until, bool *hf, bool *hu, const int32_t d[2], const bool h[2]);
}

%union {
	pt_rat num;
	int32_t date;
	const char *str;
	pt_unit unit;
	pt_expr *expr;
	pt_stmt *stmt;
	pt_decl *decl;
	pt_strlist *list;
	pt_tier_row *row;
	pt_field *field;
	struct { int32_t d[2]; bool h[2]; } dates;
}

%token PROGRAM "program" POLICY "policy" CHECK "check" NAME_KW "name" VALID "valid" FROM "from" UNTIL "until"
%token INPUT "input" EXCLUDE "exclude" CATEGORIES "categories"
%token REDEEM "redeem" EARN "earn" TIERS "tiers" BY "by" OTHERWISE "otherwise"
%token LET "let" ADD "add" REQUIRE "require" ELSE "else" WHEN "when"
%token BASIS "basis" VALUE "value" PER "per" GRANTED "granted" AT "at" CAP "cap" LIMIT "limit"
%token IF "if" THEN "then" AND "and" OR "or" NOT "not" AS "as" IN "in"
%token YEN "yen" POINTS "points" PERCENT "percent" NUMBER_KW "number"
%token BOOL_KW "bool" DATE_KW "date" WORD_KW "word" TRUE_KW "yes" FALSE_KW "no"
%token FLOOR "floor" CEIL "ceil" ROUND "round" MIN "min" MAX "max"
%token EQ "==" NE "!=" LE "<=" GE ">="
%token <num> NUMBER "number literal"
%token <date> DATE "date literal"
%token <str> STRING "string" IDENT "identifier" PATH "dotted name"

%type <expr> expr primary opt_default
%type <stmt> stmts stmt
%type <decl> decls decl pdecls pdecl
%type <list> words strings
%type <row> rows row
%type <field> fields field
%type <unit> type
%type <dates> opt_dates dates
%type <str> opt_else

%precedence IFX
%left OR
%left AND
%precedence NOT
%nonassoc EQ NE '<' LE '>' GE IN
%precedence AS
%left '+' '-'
%left '*' '/'
%precedence UMINUS

%%

file
	: %empty
	| file program
	| file policy
	| file error
	;

program
	: PROGRAM IDENT '{' decls '}' {
		pt_prog_ast *g = node(p, sizeof *g);
		if (g) {
			g->id = $2; g->loc = @$; g->id_loc = @2; g->file = p->file; g->decls = rev_decls($4);
			*p->tail = g; p->tail = &g->next;
		}
	}
	;

/* An order-level policy: checks on how one order combines programs. */
policy
	: POLICY IDENT '{' pdecls '}' {
		pt_prog_ast *g = node(p, sizeof *g);
		if (g) {
			g->id = $2; g->loc = @$; g->id_loc = @2; g->file = p->file; g->decls = rev_decls($4);
			g->policy = true;
			*p->tail = g; p->tail = &g->next;
		}
	}
	;

decls
	: %empty { $$ = NULL; }
	| decls decl { $$ = $1; if ($2) { $2->next = $1; $$ = $2; } }
	;

decl
	: NAME_KW STRING { $$ = pt_decl_new(p, PT_D_NAME, @$); $$->name = $2; $$->name_loc = @2; }
	| VALID dates {
		$$ = pt_decl_new(p, PT_D_VALID, @$);
		set_dates(p, &$$->from, &$$->until, &$$->has_from, &$$->has_until, $2.d, $2.h);
	}
	| INPUT PATH ':' type opt_default {
		$$ = pt_decl_new(p, PT_D_INPUT, @$); $$->name = $2; $$->name_loc = @2;
		$$->type = $4; $$->dflt = $5;
	}
	| INPUT IDENT ':' type opt_default {
		$$ = pt_decl_new(p, PT_D_INPUT, @$); $$->name = $2; $$->name_loc = @2;
		$$->type = $4; $$->dflt = $5;
	}
	| EXCLUDE CATEGORIES words { $$ = pt_decl_new(p, PT_D_EXCLUDE, @$); $$->list = rev_strs($3); }
	| REDEEM opt_dates '{' stmts '}' {
		$$ = pt_decl_new(p, PT_D_REDEEM, @$); $$->body = rev_stmts($4);
		set_dates(p, &$$->from, &$$->until, &$$->has_from, &$$->has_until, $2.d, $2.h);
	}
	| EARN opt_dates '{' stmts '}' {
		$$ = pt_decl_new(p, PT_D_EARN, @$); $$->body = rev_stmts($4);
		set_dates(p, &$$->from, &$$->until, &$$->has_from, &$$->has_until, $2.d, $2.h);
	}
	| TIERS IDENT BY PATH opt_dates '{' rows '}' {
		$$ = pt_decl_new(p, PT_D_TIERS, @$); $$->name = $2; $$->name_loc = @2;
		$$->key = $4; $$->key_loc = @4; $$->rows = rev_rows($7);
		set_dates(p, &$$->from, &$$->until, &$$->has_from, &$$->has_until, $5.d, $5.h);
	}
	| error { $$ = NULL; }
	;

/* A policy holds its name and check blocks. */
pdecls
	: %empty { $$ = NULL; }
	| pdecls pdecl { $$ = $1; if ($2) { $2->next = $1; $$ = $2; } }
	;

pdecl
	: NAME_KW STRING { $$ = pt_decl_new(p, PT_D_NAME, @$); $$->name = $2; $$->name_loc = @2; }
	| CHECK opt_dates '{' stmts '}' {
		$$ = pt_decl_new(p, PT_D_CHECK, @$); $$->body = rev_stmts($4);
		set_dates(p, &$$->from, &$$->until, &$$->has_from, &$$->has_until, $2.d, $2.h);
	}
	| error { $$ = NULL; }
	;

type
	: YEN { $$ = PT_U_YEN; }
	| POINTS { $$ = PT_U_POINTS; }
	| PERCENT { $$ = PT_U_PCT; }
	| NUMBER_KW { $$ = PT_U_NUM; }
	| BOOL_KW { $$ = PT_U_BOOL; }
	| DATE_KW { $$ = PT_U_DATE; }
	| WORD_KW { $$ = PT_U_STR; }
	;

opt_default
	: %empty { $$ = NULL; }
	| '=' expr { $$ = $2; }
	;

words
	: IDENT { $$ = strlist(p, $1, @1, NULL); }
	| words ',' IDENT { $$ = strlist(p, $3, @3, $1); }
	;

opt_dates
	: %empty { $$.h[0] = $$.h[1] = false; $$.d[0] = $$.d[1] = 0; }
	| dates { $$ = $1; }
	;

dates
	: FROM DATE { $$.h[0] = true; $$.d[0] = $2; $$.h[1] = false; $$.d[1] = 0; }
	| UNTIL DATE { $$.h[0] = false; $$.d[0] = 0; $$.h[1] = true; $$.d[1] = $2; }
	| FROM DATE UNTIL DATE { $$.h[0] = $$.h[1] = true; $$.d[0] = $2; $$.d[1] = $4; }
	;

stmts
	: %empty { $$ = NULL; }
	| stmts stmt { $$ = $1; if ($2) { $2->next = $1; $$ = $2; } }
	;

opt_else
	: %empty { $$ = NULL; }
	| ELSE STRING { $$ = $2; }
	;

stmt
	: LET IDENT '=' expr {
		$$ = pt_stmt_new(p, PT_S_LET, @$); $$->name = $2; $$->name_loc = @2; $$->e = $4;
	}
	| LET IDENT '=' expr CAP expr opt_else {
		$$ = pt_stmt_new(p, PT_S_LET, @$); $$->name = $2; $$->name_loc = @2; $$->e = $4;
		$$->cap = $6; $$->reason = $7; $$->reason_loc = @7;
	}
	| ADD expr { $$ = pt_stmt_new(p, PT_S_ADD, @$); $$->e = $2; }
	| ADD expr CAP expr opt_else {
		$$ = pt_stmt_new(p, PT_S_ADD, @$); $$->e = $2; $$->cap = $4;
		$$->reason = $5; $$->reason_loc = @5;
	}
	| REQUIRE expr ELSE STRING {
		$$ = pt_stmt_new(p, PT_S_REQUIRE, @$); $$->e = $2; $$->reason = $4; $$->reason_loc = @4;
	}
	| WHEN expr opt_dates '{' stmts '}' {
		$$ = pt_stmt_new(p, PT_S_WHEN, @$); $$->e = $2; $$->body = rev_stmts($5);
		set_dates(p, &$$->from, &$$->until, &$$->has_from, &$$->has_until, $3.d, $3.h);
	}
	| BASIS expr { $$ = pt_stmt_new(p, PT_S_BASIS, @$); $$->e = $2; }
	| VALUE expr PER POINTS { $$ = pt_stmt_new(p, PT_S_VALUE, @$); $$->e = $2; }
	| GRANTED AT IDENT { $$ = pt_stmt_new(p, PT_S_GRANTED, @$); $$->name = $3; $$->name_loc = @3; }
	| LIMIT expr opt_else {
		$$ = pt_stmt_new(p, PT_S_CAP, @$); $$->e = $2; $$->reason = $3; $$->reason_loc = @3;
	}
	| error { $$ = NULL; }
	;

rows
	: %empty { $$ = NULL; }
	| rows row { $$ = $1; if ($2) { $2->next = $1; $$ = $2; } }
	;

row
	: STRING FROM expr ':' fields {
		$$ = node(p, sizeof *$$);
		if ($$) { $$->label = $1; $$->loc = @$; $$->threshold = $3; $$->fields = rev_fields($5); }
	}
	| STRING OTHERWISE ':' fields {
		$$ = node(p, sizeof *$$);
		if ($$) { $$->label = $1; $$->loc = @$; $$->fields = rev_fields($4); }
	}
	| error { $$ = NULL; }
	;

fields
	: field { $$ = $1; }
	| fields ',' field { $$ = $1; if ($3) { $3->next = $1; $$ = $3; } }
	;

field
	: IDENT expr {
		$$ = node(p, sizeof *$$);
		if ($$) { $$->name = $1; $$->loc = @1; $$->e = $2; }
	}
	;

expr
	: primary { $$ = $1; }
	| expr '+' expr { $$ = pt_expr_new(p, PT_E_BIN, @$); $$->op = PT_BIN_ADD; $$->a = $1; $$->b = $3; }
	| expr '-' expr { $$ = pt_expr_new(p, PT_E_BIN, @$); $$->op = PT_BIN_SUB; $$->a = $1; $$->b = $3; }
	| expr '*' expr { $$ = pt_expr_new(p, PT_E_BIN, @$); $$->op = PT_BIN_MUL; $$->a = $1; $$->b = $3; }
	| expr '/' expr { $$ = pt_expr_new(p, PT_E_BIN, @$); $$->op = PT_BIN_DIV; $$->a = $1; $$->b = $3; }
	| expr EQ expr { $$ = pt_expr_new(p, PT_E_BIN, @$); $$->op = PT_BIN_EQ; $$->a = $1; $$->b = $3; }
	| expr NE expr { $$ = pt_expr_new(p, PT_E_BIN, @$); $$->op = PT_BIN_NE; $$->a = $1; $$->b = $3; }
	| expr '<' expr { $$ = pt_expr_new(p, PT_E_BIN, @$); $$->op = PT_BIN_LT; $$->a = $1; $$->b = $3; }
	| expr LE expr { $$ = pt_expr_new(p, PT_E_BIN, @$); $$->op = PT_BIN_LE; $$->a = $1; $$->b = $3; }
	| expr '>' expr { $$ = pt_expr_new(p, PT_E_BIN, @$); $$->op = PT_BIN_GT; $$->a = $1; $$->b = $3; }
	| expr GE expr { $$ = pt_expr_new(p, PT_E_BIN, @$); $$->op = PT_BIN_GE; $$->a = $1; $$->b = $3; }
	| expr AND expr { $$ = pt_expr_new(p, PT_E_BIN, @$); $$->op = PT_BIN_AND; $$->a = $1; $$->b = $3; }
	| expr OR expr { $$ = pt_expr_new(p, PT_E_BIN, @$); $$->op = PT_BIN_OR; $$->a = $1; $$->b = $3; }
	| NOT expr { $$ = pt_expr_new(p, PT_E_NOT, @$); $$->a = $2; }
	| '-' expr %prec UMINUS { $$ = pt_expr_new(p, PT_E_NEG, @$); $$->a = $2; }
	| expr AS YEN { $$ = pt_expr_new(p, PT_E_AS, @$); $$->a = $1; $$->as_unit = PT_U_YEN; }
	| expr AS POINTS { $$ = pt_expr_new(p, PT_E_AS, @$); $$->a = $1; $$->as_unit = PT_U_POINTS; }
	| expr IN '[' strings ']' { $$ = pt_expr_new(p, PT_E_IN, @$); $$->a = $1; $$->list = rev_strs($4); }
	| IF expr THEN expr ELSE expr %prec IFX {
		$$ = pt_expr_new(p, PT_E_IF, @$); $$->c = $2; $$->a = $4; $$->b = $6;
	}
	;

strings
	: STRING { $$ = strlist(p, $1, @1, NULL); }
	| strings ',' STRING { $$ = strlist(p, $3, @3, $1); }
	;

primary
	: NUMBER { $$ = pt_expr_new(p, PT_E_NUM, @$); $$->num = $1; $$->lit_unit = PT_U_NUM; }
	| NUMBER YEN { $$ = pt_expr_new(p, PT_E_NUM, @$); $$->num = $1; $$->lit_unit = PT_U_YEN; }
	| NUMBER POINTS { $$ = pt_expr_new(p, PT_E_NUM, @$); $$->num = $1; $$->lit_unit = PT_U_POINTS; }
	| NUMBER '%' {
		$$ = pt_expr_new(p, PT_E_NUM, @$); $$->lit_unit = PT_U_PCT;
		if (!pt_rat_div($1, pt_rat_int(100), &$$->num))
			pt_parse_error(p, @$, "percentage does not fit");
	}
	| STRING { $$ = pt_expr_new(p, PT_E_STR, @$); $$->str = $1; }
	| TRUE_KW { $$ = pt_expr_new(p, PT_E_BOOL, @$); $$->num = pt_rat_int(1); }
	| FALSE_KW { $$ = pt_expr_new(p, PT_E_BOOL, @$); $$->num = pt_rat_int(0); }
	| DATE { $$ = pt_expr_new(p, PT_E_DATE, @$); $$->num = pt_rat_int($1); }
	| IDENT { $$ = pt_expr_new(p, PT_E_NAME, @$); $$->str = $1; }
	| PATH { $$ = pt_expr_new(p, PT_E_NAME, @$); $$->str = $1; }
	| BASIS { $$ = pt_expr_new(p, PT_E_NAME, @$); $$->str = "basis"; }
	| '(' expr ')' { $$ = $2; $$->loc = @$; }
	| FLOOR '(' expr ')' { $$ = pt_expr_new(p, PT_E_CALL, @$); $$->fn = PT_F_FLOOR; $$->a = $3; }
	| CEIL '(' expr ')' { $$ = pt_expr_new(p, PT_E_CALL, @$); $$->fn = PT_F_CEIL; $$->a = $3; }
	| ROUND '(' expr ')' { $$ = pt_expr_new(p, PT_E_CALL, @$); $$->fn = PT_F_ROUND; $$->a = $3; }
	| MIN '(' expr ',' expr ')' { $$ = pt_expr_new(p, PT_E_CALL, @$); $$->fn = PT_F_MIN; $$->a = $3; $$->b = $5; }
	| MAX '(' expr ',' expr ')' { $$ = pt_expr_new(p, PT_E_CALL, @$); $$->fn = PT_F_MAX; $$->a = $3; $$->b = $5; }
	;

%%

/* A node of the AST, zeroed, from the parser's arena; out of memory,
 * NULL and the parser's oom set, so that the compile stops rather than
 * go on without what the rules said (a list cut short, a program or a
 * tier row left out: docs/testing.md, test_oom). */
static void *node(pt_parser *p, size_t size)
{
	void *n = pt_arena_alloc(p->arena, size);
	if (!n)
		p->oom = true;
	return n;
}

/* A list cell for s before next. */
static pt_strlist *strlist(pt_parser *p, const char *s, pt_loc loc, pt_strlist *next)
{
	pt_strlist *l = node(p, sizeof *l);
	if (l) {
		l->s = s;
		l->loc = loc;
		l->next = next;
	}
	return l;
}

/* Copy a parsed `from D until D` pair, open ends as the extreme dates. */
static void set_dates(pt_parser *p, int32_t *from, int32_t *until, bool *hf, bool *hu,
		      const int32_t d[2], const bool h[2])
{
	(void)p;
	*hf = h[0];
	*hu = h[1];
	*from = h[0] ? d[0] : PT_DATE_MIN;
	*until = h[1] ? d[1] : PT_DATE_MAX;
}

/* The spelling of a grammar symbol for messages: 'let', number literal. */
static void sym_spell(yysymbol_kind_t k, char *buf, size_t n)
{
	const char *s = yysymbol_name(k);
	if (k == YYSYMBOL_YYEOF)
		snprintf(buf, n, "end of file");
	else if (s[0] == '\'' || strchr(s, ' ') || k == YYSYMBOL_IDENT || k == YYSYMBOL_STRING)
		snprintf(buf, n, "%s", s);
	else
		snprintf(buf, n, "'%s'", s);
}

/* Whether k is an operator that may continue an expression. */
static bool is_operator(yysymbol_kind_t k)
{
	static const char *const ops[] = {
		"==", "!=", "<=", ">=", "and", "or", "as", "in",
		"'<'", "'>'", "'+'", "'-'", "'*'", "'/'",
	};
	const char *name = yysymbol_name(k);
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (strcmp(name, ops[i]) == 0)
			return true;
	return false;
}

/* Report a syntax error with bison's list of expected tokens; operators
 * that could continue an expression are summarised, not listed. */
static int yyreport_syntax_error(const yypcontext_t *ctx, yyscan_t scanner, pt_parser *p)
{
	(void)scanner;
	if (p->too_deep)
		return 0;
	enum { MAXEXP = 64 };
	yysymbol_kind_t exp[MAXEXP];
	int n = yypcontext_expected_tokens(ctx, exp, MAXEXP);
	if (n < 0)   /* YYENOMEM: LAC's stack could not grow; 2 makes bison say "memory exhausted" (bison_error) */
		return 2;
	yysymbol_kind_t la = yypcontext_token(ctx);
	char msg[600], tok[64];
	size_t len = 0;
	sym_spell(la, tok, sizeof tok);
	len += (size_t)snprintf(msg + len, sizeof msg - len, "unexpected %s", tok);
	yysymbol_kind_t keep[MAXEXP];
	int nkeep = 0;
	bool ops = false, want_else = false;
	for (int i = 0; i < n; i++) {
		if (is_operator(exp[i]))
			ops = true;
		else
			keep[nkeep++] = exp[i];
		want_else = want_else || exp[i] == YYSYMBOL_ELSE;
	}
	if (n > 0 && nkeep <= 10) {
		len += (size_t)snprintf(msg + len, sizeof msg - len, "; expected ");
		for (int i = 0; i < nkeep && len < sizeof msg; i++) {
			sym_spell(keep[i], tok, sizeof tok);
			len += (size_t)snprintf(msg + len, sizeof msg - len, "%s%s",
						i == 0 ? "" : (i == nkeep - 1 && !ops) ? " or " : ", ", tok);
		}
		if (ops && len < sizeof msg)
			len += (size_t)snprintf(msg + len, sizeof msg - len, "%san operator", nkeep ? " or " : "");
	}
	/* Targeted hints for the mistakes people make most. */
	if (len < sizeof msg && strcmp(yysymbol_name(la), "'='") == 0)
		snprintf(msg + len, sizeof msg - len, " ('=' only follows let; compare with ==)");
	else if (len < sizeof msg && want_else)
		snprintf(msg + len, sizeof msg - len, " (a require needs else \"reason\")");
	pt_parse_error(p, *yypcontext_location(ctx), "%s", msg);
	return 0;
}

/* Errors bison raises itself: its stack full (depth entries in use), or
 * a failed allocation growing it, which only sets p->oom (the caller
 * reports it, once: compile.c). */
static void bison_error(const pt_loc *loc, pt_parser *p, const char *msg, ptrdiff_t depth)
{
	if (p->too_deep)
		return;
	if (strcmp(msg, "memory exhausted") != 0) {
		pt_parse_error(p, *loc, "%s", msg);
	} else if (depth < YYMAXDEPTH) {   /* the stack could not grow: the compile stops */
		p->oom = true;
	} else {
		/* Not the parenthesis limit (lexer.l): nested `if`, `when`, `not`
		 * and unary minus fill bison's stack (docs/limits.md gives how
		 * many fit). */
		pt_parse_error(p, *loc, "rules nested too deeply (limit is %d parser stack entries)", YYMAXDEPTH);
	}
}

/* Run the scanner and parser over p->src, filling p->progs.  Out of
 * memory, p->oom is set and nothing said: the caller reports it. */
bool pt_parse(pt_parser *p)
{
	yyscan_t scanner;
	size_t errors_before = p->diags->n_errors;
	p->progs = NULL;
	p->tail = &p->progs;
	if (pt_yylex_init_extra(p, &scanner) != 0) {
		p->oom = true;
		return false;
	}
	/* Our copy of the text with the two NULs flex ends a buffer with (what
	 * yy_scan_bytes does, except that it exit()s when out of memory). */
	size_t len = p->src->len;
	char *text = len < SIZE_MAX - 2 ? malloc(len + 2) : NULL;
	YY_BUFFER_STATE buf = NULL;
	if (text) {
		memcpy(text, p->src->text, len);
		text[len] = text[len + 1] = '\0';
		buf = pt_yy_scan_buffer(text, len + 2, scanner);
	}
	int rc = 1;
	if (buf && !p->scan_oom) {
		pt_loc start = { 1, 0, 1, 0 };
		pt_yyset_lloc(&start, scanner);
		rc = yyparse(scanner, p);
	}
	if (!buf || p->scan_oom)   /* flex's own message then is about the same failure */
		p->oom = true;
	else if (p->scan_fatal)
		pt_diag_file(p->diags, PT_ERROR, p->src->name, "internal error in the scanner: %s", p->scan_fatal);
	if (buf)
		pt_yy_delete_buffer(buf, scanner);
	pt_yylex_destroy(scanner);
	free(text);
	return rc == 0 && p->diags->n_errors == errors_before;
}
