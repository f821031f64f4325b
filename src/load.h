/* load.h - reading rule sources and carts from files, directories and
 * standard input. */
#ifndef PT_LOAD_H
#define PT_LOAD_H

#include <stddef.h>

#include "diag.h"
#include "rules.h"

/* A growable list of sources whose names and texts it owns. */
typedef struct pt_srclist {
	pt_src *v;
	size_t n, cap;
} pt_srclist;

/* Read a whole file ("-" is standard input) into a NUL-terminated heap
 * buffer; on failure report it in d and return NULL. */
char *pt_read_file(const char *path, size_t *len, pt_diags *d);
/* Add path: a .rules file, or every *.rules file in a directory (sorted). */
bool pt_srclist_add(pt_srclist *l, const char *path, pt_diags *d);
void pt_srclist_free(pt_srclist *l);
/* Print a listing of the bytecode in the spirit of SQLite's EXPLAIN. */
void pt_disasm(FILE *f, const pt_ruleset *rs);

#endif
