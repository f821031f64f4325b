/* jit_tier.c - a tier table's row chosen without a branch in the machine
 * code (jit.c lays out the rest).
 *
 * A tier table compiles to a chain of rows (fast.c, tier_chains): each
 * row but the last compares the key with its threshold and goes on to the
 * next row when the key is below it; the row chosen writes its two fields
 * (MOV2) and its label (TIERJ) and jumps past the table.  Laid out as
 * it stands, that is a conditional branch per row passed, and which row a
 * cart picks varies from one cart to the next: the branches were the
 * machine code's most mispredicted (docs/performance.md).
 *
 * Where every threshold is a whole constant that fits 31 bits, they go
 * down (as sema requires, but forged code need not), the key is at least
 * 0, and each row writes constants to the same two registers and jumps to
 * the same place, the row is found by counting: its index is how many
 * thresholds the key is below (cmp, adc for each), and its fields and
 * label are loaded from a table laid out after the code.  No branch
 * depends on the key.  The rows themselves are not laid out unless
 * something outside the chain jumps into them. */

#include "jit_int.h"

#if PT_JIT_X64

#include "jit_emit.h"

/* Tables longer than this keep their branches (the counting compares
 * every threshold, whichever row is chosen). */
#define TIER_MAX_ROWS 16

/* The rows of the tier chain whose TIERSEL is instruction k, or 0 when
 * the chain does not have the shape described above (the key's sign
 * aside: pt_jit_plan_tables checks it).  Row i starts at k + 3 i. */
static size_t table_rows(const pt_ruleset *rs, const pt_fast *f, const pt_fast_ins *code, size_t k, size_t end)
{
	const pt_fast_ins *c = &code[k];
	if (c->op != F_TIERSEL)
		return 0;
	size_t p = k, n = 1;
	int64_t last = INT32_MAX;
	for (;; p += 3, n++) {
		if (n > TIER_MAX_ROWS || p + 1 >= end)
			return 0;
		const pt_fast_ins *m = &code[p + 1], *t = &code[p + 2];
		bool tested = p == k || (code[p].op == F_JF_GE_I && p + 2 < end);
		if (!tested) {   /* the last row: MOV2, TIERJ */
			m = &code[p];
			t = &code[p + 1];
		}
		pt_rat a, b;
		if (m->op != F_MOV2 || t->op != F_TIERJ || m->dst != c[1].dst || m->x != c[1].x || m->dst == m->x ||
		    t->x != code[k + 2].x || !pt_jit_const_reg(rs, f, m->a, &a) || !pt_jit_const_reg(rs, f, m->b, &b))
			return 0;
		if (!tested)
			return n >= 2 ? n : 0;
		pt_rat thr;
		if (code[p].a != c->a || code[p].x != p + 3 || !pt_jit_const_reg(rs, f, code[p].b, &thr) || thr.d != 1 ||
		    thr.n < 0 || thr.n > last)
			return 0;
		last = thr.n;
	}
}

/* A table holds a column of 8-byte words per value a row gives: the
 * first field's numerator, its denominator unless the register's is 1
 * already (DEN_WHOLE), the second field's likewise, the label.  A column
 * lists the rows last first, so that row i's word is 8 i bytes before
 * the column's last word: the code finds the row as minus its index
 * (sbb), with no instruction to negate or scale it. */
typedef struct tier_cols {
	uint8_t nw;
	bool den0, den1;
} tier_cols;

static tier_cols columns(const jasm *j, const pt_fast_ins *mov2)
{
	tier_cols l = { .den0 = j->den[mov2->dst] != DEN_WHOLE, .den1 = j->den[mov2->x] != DEN_WHOLE };
	l.nw = (uint8_t)(3 + l.den0 + l.den1);
	return l;
}

/* Where row 0's word of column w lies from the table's start, in a
 * table of n rows. */
static uint32_t col_at(size_t n, uint8_t w) { return (uint32_t)(8 * (n * w + n - 1)); }

/* (jit_int.h) Which tier chains of the program [from, end) find their
 * row by counting (j->tsel: its number of rows), and which rows are then not laid out: those
 * only the chain itself reaches (j->reach cleared; every way into a row
 * but the first is the row before's). */
void pt_jit_plan_tables(jasm *j, const pt_ruleset *rs, const pt_fast *f, const pt_fast_ins *code, size_t from,
			size_t end)
{
	for (size_t k = from; k < end; k++)
		j->jin[k] = 0;
	for (size_t k = from; k < end; k++) {   /* the ways into each instruction, up to 2 */
		size_t succ[3];
		int ns = pt_jit_ways(&code[k], k, succ);
		for (int i = 0; j->reach[k] && i < ns; i++)
			if (succ[i] < end && j->jin[succ[i]] < 2)
				j->jin[succ[i]]++;
	}
	for (size_t k = from; k < end; k++) {
		j->tsel[k] = 0;
		size_t n = j->reach[k] ? table_rows(rs, f, code, k, end) : 0;
		if (!n)
			continue;
		uint32_t key = code[k].a;
		bool nn = key >= j->nn_lo && key < j->nn_hi ? (j->nn_in[k] >> (key - j->nn_lo) & 1) != 0 : j->nonneg[key] != 0;
		if (!nn)
			continue;
		j->tsel[k] = (uint8_t)n;
		bool alone = true;
		for (size_t i = k + 1; i < k + 3 * n - 1; i++)
			alone = alone && j->jin[i] == 1;
		for (size_t i = k + 1; alone && i < k + 3 * n - 1; i++)
			j->reach[i] = 0;
		k += 3 * n - 2;
	}
}

/* An operation between register reg (its low three bits; prefix the
 * REX byte, 0 for none) and [rdx + 8 rcx + d], the chosen row's word at
 * d: mov rax, [..] (0x48, 0x8B) and the like. */
static void op_row(jasm *j, uint8_t prefix, uint8_t op, int reg, uint32_t d)
{
	if (prefix)
		b1(j, prefix);
	b1(j, op);
	bool small = d <= 127;
	b1(j, (uint8_t)((small ? 0x44 : 0x84) | (reg & 7) << 3));   /* mod 01 or 10, rm: a SIB byte */
	b1(j, 0xCA);   /* scale 8, index rcx, base rdx */
	if (small)
		b1(j, (uint8_t)d);
	else
		b4(j, d);
}

/* Register r (an index) from the chosen row's column w, and its
 * denominator from column w + 1 when den, in a table of n rows; each
 * straight into r8 to r12 where it is kept (cache_reg).  (Both
 * words in one 16-byte store through xmm3 made the 20 programs'
 * evaluation 4 ns slower: the instructions after read the halves apart.) */
static void ld_field(jasm *j, uint32_t r, size_t n, uint8_t w, bool den)
{
	const uint32_t off = r * (uint32_t)sizeof(pt_rat);
	for (int i = 0; i < 1 + den; i++) {   /* the numerator, then the denominator */
		int m = cache_reg(j, RBX, off + 8 * (uint32_t)i);
		if (m >= 0) {
			op_row(j, 0x4C, 0x8B, m, col_at(n, (uint8_t)(w + i)));   /* mov r8..r12 (REX.W and REX.R) */
		} else {
			op_row(j, 0x48, 0x8B, RAX, col_at(n, (uint8_t)(w + i)));
			st(j, RBX, off + 8 * (uint32_t)i, RAX);
		}
	}
}

/* (jit_int.h) Lay out the counting form of the tier chain at k (j->tsel
 * said it has one), up to the jump past the table, which the caller
 * makes; rax holds the key on entry when have is the key.  Writes rcx,
 * rdx and rax: rcx is minus the row's index, one sbb for each threshold
 * above the key (the first sbb sets it from nothing). */
void pt_jit_tier_emit(jasm *j, const pt_ruleset *rs, const pt_fast *f, const pt_fast_ins *code, size_t k,
		      uint32_t have)
{
	const pt_fast_ins *c = &code[k], *m = &code[k + 1];
	size_t n = j->tsel[k];
	tier_cols l = columns(j, m);
	const uint32_t R = sizeof(pt_rat);
	if (have != c->a)
		ld(j, RAX, RBX, c->a * R);
	for (size_t i = 0; i + 1 < n; i++) {
		pt_rat thr = pt_rat_int(0);   /* (a constant: table_rows) */
		(void)pt_jit_const_reg(rs, f, code[k + 3 * i].b, &thr);
		put(j, (const uint8_t[]){ 0x48, 0x3D }, 2);   /* cmp rax, thr: the carry when the key is below */
		b4(j, (uint32_t)thr.n);
		if (i == 0)
			put(j, (const uint8_t[]){ 0x48, 0x19, 0xC9 }, 3);         /* sbb rcx, rcx */
		else
			put(j, (const uint8_t[]){ 0x48, 0x83, 0xD9, 0x00 }, 4);   /* sbb rcx, 0 */
	}
	put(j, (const uint8_t[]){ 0x48, 0x8D, 0x15 }, 3);   /* lea rdx, [rip + the table] */
	rel(j, PT_JIT_L_TABLE(j, k));
	ld_field(j, m->dst, n, 0, l.den0);
	ld_field(j, m->x, n, (uint8_t)(1 + l.den0), l.den1);
	op_row(j, 0, 0x8B, RAX, col_at(n, (uint8_t)(l.nw - 1)));   /* mov eax, the label; mov [rbp + tier], eax */
	op_mem(j, 0, (const uint8_t[]){ 0x89 }, 1, RAX, RBP, (uint32_t)offsetof(pt_prog_result, tier));
}

/* (jit_int.h) Where the counting form of tier chain k goes on: past the
 * table (every row's TIERJ goes there). */
size_t pt_jit_tier_next(const pt_fast_ins *code, size_t k) { return code[k + 2].x; }

/* (jit_int.h) The tables of every chain laid out in the counting form,
 * after the code, 8-byte aligned: the columns columns() says, each
 * listing the rows last first. */
void pt_jit_tier_data(jasm *j, const pt_ruleset *rs, const pt_fast *f, const pt_fast_ins *code)
{
	for (size_t k = 0; k < j->ncode && !j->bad; k++) {
		if (!j->tsel[k])
			continue;
		size_t n = j->tsel[k];
		tier_cols l = columns(j, &code[k + 1]);
		j->label[PT_JIT_L_TABLE(j, k)] = (uint32_t)j->n;
		for (uint8_t w = 0; w < l.nw; w++)
			for (size_t i = n; i-- > 0;) {
				size_t p = i + 1 < n ? k + 3 * i + 1 : k + 3 * i;   /* the row's MOV2 */
				pt_rat a = pt_rat_int(0), b = pt_rat_int(0);   /* (constants: table_rows) */
				(void)pt_jit_const_reg(rs, f, code[p].a, &a);
				(void)pt_jit_const_reg(rs, f, code[p].b, &b);
				const int64_t words[5] = { a.n, a.d, b.n, b.d, (int64_t)code[p + 1].a };   /* the TIERJ's label */
				int full = w + !l.den0 * (w >= 1) + !l.den1 * (w >= 2 + l.den0);   /* w among words[] */
				int64_t v = words[full];
				b8(j, (uint64_t)v);
			}
	}
}

#endif
