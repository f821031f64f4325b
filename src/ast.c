/* ast.c - node constructors and error reporting for the grammar. */
#include "ast.h"

#include <stdarg.h>
#include <stdio.h>

/* Names of units as the language spells them. */
const char *pt_unit_name(pt_unit u)
{
	static const char *const names[] = {
		"unknown", "number", "percent", "yen", "points", "bool", "date", "word"
	};
	return (unsigned)u < sizeof names / sizeof names[0] ? names[u] : "unknown";
}

/* A zeroed expression node in the parser's arena. */
pt_expr *pt_expr_new(pt_parser *p, pt_expr_kind k, pt_loc loc)
{
	pt_expr *e = pt_arena_alloc(p->arena, sizeof *e);
	if (!e) {   /* keep actions simple: they write into a spare node */
		p->oom = true;
		e = &p->spare_e;
	}
	e->kind = k;
	e->loc = loc;
	e->slot = -1;
	return e;
}

/* A zeroed statement node. */
pt_stmt *pt_stmt_new(pt_parser *p, pt_stmt_kind k, pt_loc loc)
{
	pt_stmt *s = pt_arena_alloc(p->arena, sizeof *s);
	if (!s) {
		p->oom = true;
		s = &p->spare_s;
	}
	{
		s->kind = k;
		s->loc = loc;
		s->slot = -1;
		s->from = PT_DATE_MIN;
		s->until = PT_DATE_MAX;
	}
	return s;
}

/* A zeroed declaration node. */
pt_decl *pt_decl_new(pt_parser *p, pt_decl_kind k, pt_loc loc)
{
	pt_decl *d = pt_arena_alloc(p->arena, sizeof *d);
	if (!d) {
		p->oom = true;
		d = &p->spare_d;
	}
	{
		d->kind = k;
		d->loc = loc;
		d->from = PT_DATE_MIN;
		d->until = PT_DATE_MAX;
	}
	return d;
}

/* Report at a node's first line, underlining the range on that line. */
void pt_parse_error(pt_parser *p, pt_loc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int len = loc.last_line == loc.first_line ? loc.last_column - loc.first_column + 1 : 1;
	size_t before = p->diags->n;
	pt_diag_vat(p->diags, PT_ERROR, p->src, loc.first_line, loc.first_column, len, fmt, ap);
	va_end(ap);
	if (p->diags->n > before)
		snprintf(p->diags->v[p->diags->n - 1].code, sizeof p->diags->v[0].code, "PT001");
}
