/* ptbc.h - compiled rule set files (.ptbc).
 *
 * Layout (little-endian; docs/bytecode.md has the field-by-field table):
 *
 *   0  magic "\x89PTBC\r\n\x1a"     8 bytes
 *   8  format version (2)           u32
 *  12  flags (0)                    u32
 *  16  payload length               u32
 *  20  CRC-32C of the payload       u32
 *  24  FNV-1a 64 of the sources     u64
 *  32  payload: tagged sections FILE STRS CONS INPT PROG RULE CODE LINE,
 *      each `tag u32, byte length u32, contents`, in that order.
 *
 * The writer is deterministic: the same rule set gives the same bytes.
 * The loader treats the bytes as hostile: every length, count, enum and
 * string is checked before use, then pt_verify() checks the code. */
#ifndef PT_PTBC_H
#define PT_PTBC_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "rules.h"

#define PT_PTBC_MAGIC "\x89PTBC\r\n\x1a"
#define PT_PTBC_VERSION 2u
#define PT_PTBC_HEADER 32u

/* Serialise rs into a malloc'ed buffer; false on out of memory. */
bool pt_ptbc_save(const pt_ruleset *rs, unsigned char **out, size_t *len);
/* Build a verified rule set from bytes; NULL with diagnostics naming the
 * file and the byte offset of what is wrong. */
pt_ruleset *pt_ptbc_load(const unsigned char *data, size_t len, const char *name, pt_diags *d);
/* CRC-32C (Castagnoli) of n bytes. */
uint32_t pt_crc32c(const unsigned char *p, size_t n);

#endif
