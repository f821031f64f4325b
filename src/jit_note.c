/* jit_note.c - how the machine code notes reasons (jit.c lays out the
 * rest): an inline note marks a bit in r14 (redeem) or r15 (earn)
 * instead of storing its pt_reason, the marks are stored in the result's
 * noted where anything else reads them, and a note that needs C
 * (pt_sec_reason: a string noted before, or no room) is a call that
 * first moves the marks into reasons[].  pt_jit_sec_expand, which turns
 * marks into reasons, is here too and built everywhere. */
#include <string.h>

#include "jit_int.h"

#if PT_JIT_X64

#include "jit_emit.h"

/* While a program runs, which of its inline notes (pt_jit_plan_notes) a
 * section with any has noted is kept in a register, a bit each (its
 * j->site_bit), r14 for redeem and r15 for earn (callee-saved, so a call
 * keeps them), and not in its result: a note is marked without a store
 * (pt_jit_note_if).  The register is stored in the result's noted where
 * anything else reads it: as the program ends (L_NEXT), before the code
 * leaves for the interpreter (the stubs, whose caller moves the notes
 * into reasons[]: fast_run.h) and before a call notes a reason (which
 * moves them first: jit_reason_marked). */

/* (jit_int.h) The register's low three bits (REX supplies the fourth). */
int pt_jit_note_reg(uint32_t sec) { return sec == OFF_REDEEM ? 6 : 7; }
/* (jit_int.h) From j->cnt_cur: bit 0 redeem, bit 1 earn. */
bool pt_jit_note_marks(const jasm *j, uint32_t sec) { return j->cnt_cur >> (sec == OFF_REDEEM ? 0 : 1) & 1; }
/* mov [rbp + sec's noted], r14d or r15d */
static void cnt_store(jasm *j, uint32_t sec)
{
	op_mem(j, 0x44, (const uint8_t[]){ 0x89 }, 1, pt_jit_note_reg(sec), RBP,
	       sec + (uint32_t)offsetof(pt_section_result, noted));
}
/* mov r14d or r15d, [rbp + sec's noted] */
static void cnt_load(jasm *j, uint32_t sec)
{
	op_mem(j, 0x44, (const uint8_t[]){ 0x8B }, 1, pt_jit_note_reg(sec), RBP,
	       sec + (uint32_t)offsetof(pt_section_result, noted));
}
/* (jit_int.h) Into the result's noted. */
void pt_jit_note_flush(jasm *j)
{
	if (pt_jit_note_marks(j, OFF_REDEEM))
		cnt_store(j, OFF_REDEEM);
	if (pt_jit_note_marks(j, OFF_EARN))
		cnt_store(j, OFF_EARN);
}

/* Note reason s (noted at pc) in a section: jit_reason is what the code
 * calls, jit_reason_marked where the section marks notes in a register
 * (its notes so far moved into reasons[] first, so that pt_sec_reason
 * sees them); pt_jit_note_call (jit_int.h) emits the call at
 * instruction k for the section at [rbp + sec].  (A call rel32 to one
 * shared jump on to jit_reason would take 7 bytes instead of 12; it
 * measured no faster.) */
static void jit_reason(pt_section_result *sec, uint32_t s, uint32_t pc) { pt_sec_reason(sec, s, pc); }
static void jit_reason_marked(pt_section_result *sec, uint32_t s, uint32_t pc, const pt_reason *sites)
{
	pt_jit_sec_expand(sec, sites);
	pt_sec_reason(sec, s, pc);
}
void pt_jit_note_call(jasm *j, uint32_t sec, uint32_t s, uint32_t pc, size_t k)
{
	const bool marked = pt_jit_note_marks(j, sec) && j->marked_in[k];   /* else r14 or r15 is 0 here and after */
	if (marked)
		cnt_store(j, sec);   /* jit_reason_marked reads the notes from the result */
	/* what r8 to r11 keep (pt_jit_plan_cache), which C may change (not
	 * r12): all of them, those not written yet included (nothing reads
	 * those) */
	const uint8_t kept = (uint8_t)((1u << j->ncache) - 1) & 0xF;
	pt_jit_cache_move(j, j->cache_off, j->ncache, kept, false);
	rm_mem(j, (const uint8_t[]){ 0x8D }, 1, RDI, RBP, sec);   /* lea rdi, [rbp + sec] */
	movi(j, RSI, s);
	movi(j, RDX, pc);
	uint64_t addr;
	if (marked) {
		const pt_reason *sites = j->sites + j->site0[2 * j->pcur + (sec == OFF_EARN)];
		memcpy(&addr, &sites, sizeof addr);
		b1(j, 0x48);
		b1(j, (uint8_t)(0xB8 | RCX));   /* mov rcx, imm64 */
		b8(j, addr);
		void (*fnp)(pt_section_result *, uint32_t, uint32_t, const pt_reason *) = jit_reason_marked;
		memcpy(&addr, &fnp, sizeof addr);
	} else {
		void (*fnp)(pt_section_result *, uint32_t, uint32_t) = jit_reason;
		memcpy(&addr, &fnp, sizeof addr);
	}
	b1(j, 0x48);
	b1(j, 0xB8);   /* mov rax, imm64 */
	b8(j, addr);
	vzeroupper(j);
	b1(j, 0xFF);
	b1(j, 0xD0);   /* call rax */
	if (marked)
		cnt_load(j, sec);   /* 0: the notes are in reasons[] now */
	pt_jit_cache_move(j, j->cache_off, j->ncache, kept, true);
	pt_jit_xmm_load(j);
}

/* (jit_int.h) Note reason s (noted at pc) at instruction k when cc holds of the
 * flags: with a call, or, where pt_jit_plan_notes found it safe, inline and
 * without a branch (whether a cap binds varies from cart to cart, and a
 * branch on it was mispredicted about a third of the time) and without
 * a store: the note's bit (j->site_bit) is set in the section's
 * register when cc holds, by a conditional move of the register plus the
 * bit (no way into k set it: each note is reached once, going forward).
 * Storing the reason whether or not it held, as this did before, cost
 * the 20 programs' evaluation a store per note (docs/performance.md). */
void pt_jit_note_if(jasm *j, int cc, uint32_t sec, uint32_t s, uint32_t pc, size_t k)
{
	if (!j->inline_note[k]) {
		size_t at = skip_far(j, cc ^ 1);   /* the opposite condition */
		pt_jit_note_call(j, sec, s, pc, k);
		skip_far_here(j, at);
		return;
	}
	const int c = pt_jit_note_reg(sec);
	const uint32_t bit = (uint32_t)1 << j->site_bit[k];
	/* lea edx, [r14/r15 + bit]; cmov<cc> r14d/r15d, edx (lea leaves the flags) */
	put(j, (const uint8_t[]){ 0x41, 0x8D }, 2);
	if (bit <= 127) {
		b1(j, (uint8_t)(0x40 | (RDX << 3) | c));
		b1(j, (uint8_t)bit);
	} else {
		b1(j, (uint8_t)(0x80 | (RDX << 3) | c));
		b4(j, bit);
	}
	put(j, (const uint8_t[]){ 0x44, 0x0F }, 2);
	b1(j, (uint8_t)(0x40 | cc));
	b1(j, (uint8_t)(0xC0 | (c << 3) | RDX));
}

/* (jit_int.h) Note reason s (noted at pc) at instruction k, a section's
 * failure, which notes it whenever it runs: where pt_jit_plan_notes made
 * the note inline, its bit set in the section's register (or r14d or
 * r15d, bit), else the call.  A failure noted by a call cost about 25
 * instructions (the call, the kept registers stored and loaded around
 * it, xmm0 to xmm2 loaded again, jit_reason itself), and most carts fail
 * a section of some program: one not linked, an order below a
 * threshold, a card the program does not take. */
void pt_jit_note_always(jasm *j, uint32_t sec, uint32_t s, uint32_t pc, size_t k)
{
	if (!j->inline_note[k]) {
		pt_jit_note_call(j, sec, s, pc, k);
		return;
	}
	const int c = pt_jit_note_reg(sec);
	if (j->note_eax) {   /* or r14d, eax: the bit of one of two merged guards' failures (jit.c) */
		put(j, (const uint8_t[]){ 0x41, 0x09, (uint8_t)(0xC0 | c) }, 3);
		return;
	}
	const uint32_t bit = (uint32_t)1 << j->site_bit[k];
	b1(j, 0x41);   /* REX.B: r14 or r15 */
	if (bit <= 127) {
		put(j, (const uint8_t[]){ 0x83, (uint8_t)(0xC8 | c), (uint8_t)bit }, 3);   /* or r14d, imm8 */
	} else {
		put(j, (const uint8_t[]){ 0x81, (uint8_t)(0xC8 | c) }, 2);   /* or r14d, imm32 */
		b4(j, bit);
	}
}

#endif

/* (jit.h) In every build, with or without machine code: fast.h calls
 * it wherever noted is set.  pt_jit_plan_notes keeps the notes marked and
 * those in reasons[] together at most PT_MAX_REASONS; the bound below
 * only guards. */
void pt_jit_sec_expand(pt_section_result *s, const pt_reason *sites)
{
	for (uint32_t m = s->noted; m; m &= m - 1)
		if (s->nreasons < PT_MAX_REASONS)
			s->reasons[s->nreasons++] = sites[__builtin_ctz(m)];
	s->noted = 0;
}
