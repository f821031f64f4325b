/* jit_emit.h - x86-64 instruction encoding for the machine-code compiler
 * (jit.c, jit_note.c): bytes appended to the assembly in progress (jasm,
 * jit_int.h), memory operands relative to rbx, rbp and r13, rel32 jumps
 * to labels patched later, and the checks that leave for the
 * interpreter.  The functions are static inline, so each includer has
 * its own. */
#ifndef PT_JIT_EMIT_H
#define PT_JIT_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "grow.h"
#include "jit_int.h"

enum { RAX = 0, RCX = 1, RDX = 2, RBX = 3, RBP = 5, RSI = 6, RDI = 7 };
enum { CC_E = 0x4, CC_NE = 0x5, CC_S = 0x8, CC_NS = 0x9, CC_L = 0xC, CC_GE = 0xD, CC_LE = 0xE, CC_G = 0xF,
       CC_O = 0x0, CC_B = 0x2, CC_AE = 0x3 };

static inline bool grow(jasm *j, size_t len);

/* Append bytes. */
static inline void put(jasm *j, const void *p, size_t len)
{
	if (j->n + len > j->cap && !grow(j, len))
		return;
	memcpy(j->buf + j->n, p, len);
	j->n += len;
}

/* Make room for len more bytes (put's slow path); false, and the
 * assembly bad, when out of memory or past its limit (PT_JIT_MAX_CODE).  A bad assembly is thrown away;
 * until then put writes only what fits the buffer it has. */
static inline bool grow(jasm *j, size_t len)
{
	if (j->bad || j->n + len > j->limit || !pt_grow((void **)&j->buf, &j->cap, j->n + len, 1, 4096)) {
		j->bad = true;
		return false;
	}
	return true;
}

/* Append one byte, or a little-endian 32- or 64-bit value (b4, b8). */
static inline void b1(jasm *j, uint8_t v) { put(j, &v, 1); }
static inline void b4(jasm *j, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	put(j, b, 4);
}
static inline void b8(jasm *j, uint64_t v)
{
	b4(j, (uint32_t)v);
	b4(j, (uint32_t)(v >> 32));
}

/* rbp points BIAS bytes past the result and r13 past in[], so that
 * offsets below 2 * BIAS (the whole of a pt_prog_result; the first 32
 * inputs read in place) take a one-byte displacement; rbx points BIAS
 * bytes past register rbase / 16, so that the 16 registers the code
 * names most from there on do (pt_jit_choose_rbase). */
#define BIAS 128

/* The ModRM byte and displacement of [base + off - BIAS] for reg (base
 * rbx, rbp or r13, none of which needs a SIB; off from the register
 * file's start for rbx): mod 01 with 8 bits where it fits, else mod 10
 * with 32. */
static inline void mem(jasm *j, int reg, int base, uint32_t off)
{
	int64_t d = (int64_t)off - BIAS - (base == RBX ? (int64_t)j->rbase : 0);
	if (d >= -128 && d <= 127) {
		b1(j, (uint8_t)(0x40 | (reg << 3) | base));
		b1(j, (uint8_t)(int8_t)d);
	} else {
		b1(j, (uint8_t)(0x80 | (reg << 3) | base));
		b4(j, (uint32_t)(int32_t)d);
	}
}
/* An operation between a low register and [base + off] (a register or
 * result offset): prefix (REX.W 0x48, or 0 for none), opcode bytes, mem. */
static inline void op_mem(jasm *j, uint8_t prefix, const uint8_t *op, size_t nop, int reg, int base, uint32_t off)
{
	if (prefix)
		b1(j, prefix);
	put(j, op, nop);
	mem(j, reg, base, off);
}
/* A 64-bit operation (REX.W) between a low register and [base + off]. */
static inline void rm_mem(jasm *j, const uint8_t *op, size_t nop, int reg, int base, uint32_t off)
{
	op_mem(j, 0x48, op, nop, reg, base, off);
}
/* A 64-bit operation between two low registers (mod 11): reg, rm. */
static inline void rr(jasm *j, const uint8_t *op, size_t nop, int reg, int rm)
{
	b1(j, 0x48);
	put(j, op, nop);
	b1(j, (uint8_t)(0xC0 | (reg << 3) | rm));
}

/* Which of r8 to r12 holds [base + off] while the program being laid
 * out runs (pt_jit_plan_cache), or -1: it is in memory. */
static inline int cache_reg(const jasm *j, int base, uint32_t off)
{
	for (int i = 0; base == RBX && i < j->ncache; i++)
		if (j->cache_off[i] == off)
			return 8 + i;
	return -1;
}
/* A 64-bit operation between a low register and r8 to r12 (m): REX.W
 * and REX.B, mod 11. */
static inline void op_hi(jasm *j, const uint8_t *op, size_t nop, int reg, int m)
{
	b1(j, 0x49);
	put(j, op, nop);
	b1(j, (uint8_t)(0xC0 | (reg << 3) | (m & 7)));
}

/* A 64-bit operation reading register-file offset off, [rbx + off]: an
 * input kept in place (pt_bind_in_place) is read from in[], [r13 + 8 *
 * its place there (pt_bind_in_pos)], instead (r13 is in + BIAS; its
 * ModRM base bits are rbp's),
 * and a field kept in a register (cache_reg) from there. */
static inline void rd_mem(jasm *j, const uint8_t *op, size_t nop, int reg, uint32_t off)
{
	uint32_t r = off / (uint32_t)sizeof(pt_rat);
	if (off % sizeof(pt_rat) == 0 && r < j->nin && j->in_place[r]) {
		b1(j, 0x49);   /* REX.W and REX.B */
		put(j, op, nop);
		mem(j, reg, RBP, j->in_pos[r] * (uint32_t)sizeof(int64_t));
		return;
	}
	int m = cache_reg(j, RBX, off);
	if (m >= 0) {
		op_hi(j, op, nop, reg, m);
		return;
	}
	rm_mem(j, op, nop, reg, RBX, off);
}
/* mov r, [base + d]; mov [base + d], r; add, cmp and imul r with [rbx + d]
 * (the reads from rbx by rd_mem). */
static inline void ld(jasm *j, int r, int base, uint32_t d)
{
	if (base == RBX)
		rd_mem(j, (const uint8_t[]){ 0x8B }, 1, r, d);
	else
		rm_mem(j, (const uint8_t[]){ 0x8B }, 1, r, base, d);
}
static inline void st(jasm *j, int base, uint32_t d, int r)
{
	int m = cache_reg(j, base, d);
	if (m >= 0)
		op_hi(j, (const uint8_t[]){ 0x89 }, 1, r, m);   /* mov r8..r12, r */
	else
		rm_mem(j, (const uint8_t[]){ 0x89 }, 1, r, base, d);
}
static inline void add_m(jasm *j, int r, uint32_t d) { rd_mem(j, (const uint8_t[]){ 0x03 }, 1, r, d); }
static inline void cmp_m(jasm *j, int r, uint32_t d) { rd_mem(j, (const uint8_t[]){ 0x3B }, 1, r, d); }
static inline void imul_m(jasm *j, int r, uint32_t d) { rd_mem(j, (const uint8_t[]){ 0x0F, 0xAF }, 2, r, d); }
/* mov qword [base + d], imm32 (sign-extended) */
static inline void st_imm(jasm *j, int base, uint32_t d, int32_t v)
{
	int m = cache_reg(j, base, d);
	if (m >= 0)
		op_hi(j, (const uint8_t[]){ 0xC7 }, 1, 0, m);   /* mov r8..r12, imm32 */
	else
		rm_mem(j, (const uint8_t[]){ 0xC7 }, 1, 0, base, d);
	b4(j, (uint32_t)v);
}

/* Store the kept fields in mask (bits of off[], n of them) where they
 * belong in the register file (load: load them back from there): before
 * the code leaves for the interpreter, which reads them there, and
 * around a call, which may change r8 to r12.  mov [rbx + off], r8..r12
 * (REX.W and REX.R), whatever cache_reg says. */
static inline void pt_jit_cache_move(jasm *j, const uint32_t *off, uint8_t n, uint8_t mask, bool load)
{
	for (uint8_t i = 0; i < n; i++)
		if (mask >> i & 1)
			op_mem(j, 0x4C, (const uint8_t[]){ load ? 0x8B : 0x89 }, 1, i, RBX, off[i]);
}
/* vzeroupper where a result's start is stored 32 bytes at a time
 * (j->avx): before C runs (a call, the return), so that its SSE code
 * pays no penalty for the upper halves left set. */
static inline void vzeroupper(jasm *j)
{
	if (j->avx)
		put(j, (const uint8_t[]){ 0xC5, 0xF8, 0x77 }, 3);
}
/* cmov<cc> dst, src */
static inline void cmov(jasm *j, int cc, int dst, int src) { rr(j, (const uint8_t[]){ 0x0F, (uint8_t)(0x40 | cc) }, 2, dst, src); }
/* test r, r */
static inline void test(jasm *j, int r) { rr(j, (const uint8_t[]){ 0x85 }, 1, r, r); }
static inline void rel(jasm *j, uint32_t label);
/* cmp r, [rip + INT64_MIN's 8 bytes] (is r INT64_MIN?): a constant after
 * the code (PT_JIT_L_MIN), not a register, which r12 keeps free for
 * pt_jit_plan_cache; the machine code of the shipped rules has none. */
static inline void cmp_min(jasm *j, int r)
{
	b1(j, 0x48);
	b1(j, 0x3B);
	b1(j, (uint8_t)(0x05 | (r << 3)));
	rel(j, PT_JIT_L_MIN(j));
}
/* xor e<r>, e<r> (zero, 32-bit form) */
static inline void zero(jasm *j, int r) { b1(j, 0x31); b1(j, (uint8_t)(0xC0 | (r << 3) | r)); }
/* mov e<r>, imm32 (zero-extended) */
static inline void movi(jasm *j, int r, uint32_t v) { b1(j, (uint8_t)(0xB8 | r)); b4(j, v); }

/* A rel32 to a label, patched at the end. */
static inline void rel(jasm *j, uint32_t label)
{
	if (!pt_grow((void **)&j->fix, &j->capfix, j->nfix + 1, sizeof *j->fix, 256)) {
		j->bad = true;
		return;
	}
	j->fix[j->nfix++] = (fixup){ (uint32_t)j->n, label };
	b4(j, 0);
}
/* Jump to a label when cc holds (jcc) or always (jmp), rel32. */
static inline void jcc(jasm *j, int cc, uint32_t label) { b1(j, 0x0F); b1(j, (uint8_t)(0x80 | cc)); rel(j, label); }
static inline void jmp(jasm *j, uint32_t label) { b1(j, 0xE9); rel(j, label); }
/* Leave for the interpreter at instruction k when cc holds. */
static inline void bail(jasm *j, int cc, size_t k)
{
	j->want_stub[k] = 1;
	jcc(j, cc, (uint32_t)(j->ncode + k));
}
/* After an operation into register r: go to label when it overflowed
 * or gave INT64_MIN (the value no whole-number result takes). */
static inline void checked_in(jasm *j, int r, uint32_t label)
{
	jcc(j, CC_O, label);
	cmp_min(j, r);
	jcc(j, CC_E, label);
}
/* The same for rax. */
static inline void checked_to(jasm *j, uint32_t label) { checked_in(j, RAX, label); }
/* After an operation into register r, leaving for the interpreter at
 * instruction k. */
static inline void checked_reg(jasm *j, int r, size_t k)
{
	j->want_stub[k] = 1;
	checked_in(j, r, (uint32_t)(j->ncode + k));
}
/* The same for rax. */
static inline void checked(jasm *j, size_t k) { checked_reg(j, RAX, k); }
/* checked, or, for a sum or product of two numbers at least 0 (nn),
 * the overflow test alone: without an overflow the result is at least
 * 0, so not INT64_MIN. */
static inline void checked_nn(jasm *j, size_t k, bool nn)
{
	if (!nn) {
		checked(j, k);
		return;
	}
	bail(j, CC_O, k);
}
/* A short forward jump, when cc holds, over the code emitted until
 * skip_here: skip returns where its rel8 is, skip_here patches it (the
 * assembly is bad if the code skipped does not fit 127 bytes). */
static inline size_t skip(jasm *j, int cc)
{
	b1(j, (uint8_t)(0x70 | cc));
	b1(j, 0);
	return j->n - 1;
}
static inline void skip_here(jasm *j, size_t at)
{
	if (j->bad)
		return;
	if (j->n - at - 1 > 127)
		j->bad = true;
	else
		j->buf[at] = (uint8_t)(j->n - at - 1);
}

/* The same with a rel32 (skip_far_here patches it): over code that may
 * be longer, a call with what it stores and loads around it. */
static inline size_t skip_far(jasm *j, int cc)
{
	b1(j, 0x0F);
	b1(j, (uint8_t)(0x80 | cc));
	b4(j, 0);
	return j->n - 4;
}
static inline void skip_far_here(jasm *j, size_t at)
{
	if (j->bad)
		return;
	uint32_t d = (uint32_t)(j->n - at - 4);
	memcpy(j->buf + at, &d, 4);
}

#endif
