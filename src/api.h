/* api.h - definitions the library's public-API files share (api.c,
 * fmt.c): the structs behind opaque handles that more than one of them
 * fills in. */
#ifndef PT_API_H
#define PT_API_H

#include "diag.h"

/* The public ptrules_diags handle wraps the internal record list. */
struct ptrules_diags {
	pt_diags d;
};

#endif
