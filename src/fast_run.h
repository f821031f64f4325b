/* fast_run.h - the fast interpreter, included twice by fast.c: once with
 * computed goto (gcc, clang) and once with a portable switch, so both
 * dispatch styles are built and tested (FAST_RUN_NAME and FAST_RUN_GOTO
 * select which). */

/* Evaluate every program of a bound cart with the fast code, both
 * sections of each in one loop (one call per cart).  A program whose fast
 * code stops on an error (overflow, division by zero) is evaluated again
 * by the reference VM, which reports where.  Same contract as
 * pt_eval_all. */
static bool FAST_RUN_NAME(const pt_ruleset *rs, const pt_fast *f, pt_rat *R, pt_rat *locals,
			  pt_prog_result *results)
{
	const pt_fast_ins *code = f->code, *ip = code, *i;
	bool ok = true, earn = false;
	size_t p = 0;
	pt_prog_result *res = NULL;
	pt_section_result *sec = NULL;
#if FAST_RUN_GOTO
	static const void *const labels[F__COUNT] = {
#define PT_FAST_LABEL(name) [F_##name] = &&L_##name,
		PT_FAST_OPS(PT_FAST_LABEL)
#undef PT_FAST_LABEL
	};
#define vmcase(x) L_##x:
#define vmnext do { i = ip++; goto *labels[i->op]; } while (0)
#else
#define vmcase(x) case F_##x:
#define vmnext goto dispatch
#endif
#define vmerror goto section_error

next_program:
	if (p == rs->nprogs)
		return ok;
	{
		const pt_program *pg = &rs->progs[p];
		res = &results[p];
		res->linked = R[pg->linked_input].n != 0;
		res->redeem = res->earn = (pt_section_result){ 0 };
		for (int o = 0; o < PT_OUT__COUNT; o++)
			res->out[o] = pt_rat_int(0);
		res->tier = -1;
		if (!res->linked && f->unlinked[2 * p] != UINT32_MAX && f->unlinked[2 * p + 1] != UINT32_MAX) {
			/* what both sections do at once: FAIL "not linked" */
			uint32_t r = f->unlinked[2 * p], e = f->unlinked[2 * p + 1];   /* stack pcs of the FAILs */
			res->redeem = (pt_section_result){ .ran = true, .failed = true, .nreasons = 1,
							   .reasons = { PT_INS_ARG(rs->code[r]) }, .reason_pcs = { r } };
			res->earn = (pt_section_result){ .ran = true, .failed = true, .nreasons = 1,
							 .reasons = { PT_INS_ARG(rs->code[e]) }, .reason_pcs = { e } };
			p++;
			goto next_program;
		}
		if (f->zero_locals[p])   /* else every read follows a write (fast.c) */
			for (uint32_t l = 0; l < pg->nlocals; l++)
				R[f->reg_locals + l] = pt_rat_int(0);
		earn = false;
		sec = &res->redeem;
		sec->ran = true;
		ip = code + f->entry[2 * p];
	}
#if FAST_RUN_GOTO
	vmnext;
#else
dispatch:
	i = ip++;
	switch ((pt_fast_op)i->op) {
#endif
	vmcase(MOV) R[i->dst] = R[i->a]; vmnext;
	vmcase(ADD) {
		pt_rat a = R[i->a], b = R[i->b], r;
		if (a.d == 1 && b.d == 1) {
			if (__builtin_add_overflow(a.n, b.n, &r.n) || r.n == INT64_MIN)
				vmerror;
			r.d = 1;
		} else if (!pt_rat_add(a, b, &r)) {
			vmerror;
		}
		R[i->dst] = r;
		vmnext;
	}
	vmcase(SUB) {
		pt_rat a = R[i->a], b = R[i->b], r;
		if (a.d == 1 && b.d == 1) {
			if (__builtin_sub_overflow(a.n, b.n, &r.n) || r.n == INT64_MIN)
				vmerror;
			r.d = 1;
		} else if (!pt_rat_sub(a, b, &r)) {
			vmerror;
		}
		R[i->dst] = r;
		vmnext;
	}
	vmcase(MUL) {
		pt_rat a = R[i->a], b = R[i->b], r;
		if (a.d == 1 && b.d == 1) {
			if (__builtin_mul_overflow(a.n, b.n, &r.n) || r.n == INT64_MIN)
				vmerror;
			r.d = 1;
		} else if (!pt_rat_mul(a, b, &r)) {
			vmerror;
		}
		R[i->dst] = r;
		vmnext;
	}
	vmcase(DIV) {
		pt_rat a = R[i->a], b = R[i->b], r;
		if (b.n == 0)
			vmerror;
		if (b.n == 1 && b.d == 1 && a.n != INT64_MIN)
			r = a;
		else if (!pt_rat_div(a, b, &r))
			vmerror;
		R[i->dst] = r;
		vmnext;
	}
	vmcase(MULFLOOR) {
		pt_rat r;
		if (!fast_mulfloor(R[i->a], R[i->b], &r))
			vmerror;
		R[i->dst] = r;
		vmnext;
	}
	vmcase(DIVFLOOR) {
		pt_rat r;
		if (R[i->b].n == 0)
			vmerror;
		if (!fast_divfloor(R[i->a], R[i->b], &r))
			vmerror;
		R[i->dst] = r;
		vmnext;
	}
	vmcase(MIN) {
		pt_rat a = R[i->a], b = R[i->b];
		R[i->dst] = fast_cmp(b, a) < 0 ? b : a;
		vmnext;
	}
	vmcase(MAX) {
		pt_rat a = R[i->a], b = R[i->b];
		R[i->dst] = fast_cmp(b, a) > 0 ? b : a;
		vmnext;
	}
	vmcase(NEG) {
		pt_rat a = R[i->a];
		if (a.n == INT64_MIN)
			vmerror;
		R[i->dst] = (pt_rat){ -a.n, a.d };
		vmnext;
	}
	vmcase(FLOOR) R[i->dst] = pt_rat_floor(R[i->a]); vmnext;
	vmcase(CEIL) R[i->dst] = pt_rat_ceil(R[i->a]); vmnext;
	vmcase(ROUND) R[i->dst] = pt_rat_round(R[i->a]); vmnext;
	vmcase(NOT) R[i->dst] = pt_rat_int(R[i->a].n == 0); vmnext;
	vmcase(EQ) R[i->dst] = pt_rat_int(fast_cmp(R[i->a], R[i->b]) == 0); vmnext;
	vmcase(NE) R[i->dst] = pt_rat_int(fast_cmp(R[i->a], R[i->b]) != 0); vmnext;
	vmcase(LT) R[i->dst] = pt_rat_int(fast_cmp(R[i->a], R[i->b]) < 0); vmnext;
	vmcase(LE) R[i->dst] = pt_rat_int(fast_cmp(R[i->a], R[i->b]) <= 0); vmnext;
	vmcase(GT) R[i->dst] = pt_rat_int(fast_cmp(R[i->a], R[i->b]) > 0); vmnext;
	vmcase(GE) R[i->dst] = pt_rat_int(fast_cmp(R[i->a], R[i->b]) >= 0); vmnext;
	vmcase(AND) R[i->dst] = pt_rat_int(R[i->a].n != 0 && R[i->b].n != 0); vmnext;
	vmcase(OR) R[i->dst] = pt_rat_int(R[i->a].n != 0 || R[i->b].n != 0); vmnext;
	vmcase(JF_EQ) if (!(fast_cmp(R[i->a], R[i->b]) == 0)) ip = code + i->x; vmnext;
	vmcase(JF_NE) if (!(fast_cmp(R[i->a], R[i->b]) != 0)) ip = code + i->x; vmnext;
	vmcase(JF_LT) if (!(fast_cmp(R[i->a], R[i->b]) < 0)) ip = code + i->x; vmnext;
	vmcase(JF_LE) if (!(fast_cmp(R[i->a], R[i->b]) <= 0)) ip = code + i->x; vmnext;
	vmcase(JF_GT) if (!(fast_cmp(R[i->a], R[i->b]) > 0)) ip = code + i->x; vmnext;
	vmcase(JF_GE) if (!(fast_cmp(R[i->a], R[i->b]) >= 0)) ip = code + i->x; vmnext;
	vmcase(JZ) if (R[i->a].n == 0) ip = code + i->x; vmnext;
	vmcase(JMP) ip = code + i->x; vmnext;
	vmcase(CAP) {
		pt_rat a = R[i->a], b = R[i->b];
		pt_rat cap = b.n < 0 ? pt_rat_int(0) : b;
		if (fast_cmp(a, cap) > 0) {
			a = cap;
			if (i->x != PT_NO_STR)
				fast_reason(sec, rs->code, i->x);
		}
		R[i->dst] = a;
		vmnext;
	}
	vmcase(OUT) res->out[i->x] = R[i->a]; vmnext;
	vmcase(REASON) fast_reason(sec, rs->code, i->x); vmnext;
	vmcase(TIER) res->tier = (int)i->x; vmnext;
	vmcase(MOV2) R[i->dst] = R[i->a]; R[i->x] = R[i->b]; vmnext;
	vmcase(TIERJ) res->tier = (int)i->a; ip = code + i->x; vmnext;
	vmcase(FAIL)
		sec->failed = true;
		fast_reason(sec, rs->code, i->x);
		goto section_done;
	vmcase(HALT) goto section_done;
#if !FAST_RUN_GOTO
	default:
		vmerror;   /* unreachable: the translator writes known ops */
	}
#endif

section_done:
	if (!earn) {
		if (res->redeem.failed) {
			res->out[PT_OUT_R_MAX_POINTS] = pt_rat_int(0);
			res->out[PT_OUT_R_VALUE_YEN] = pt_rat_int(0);
		}
		earn = true;
		sec = &res->earn;
		sec->ran = true;
		ip = code + f->entry[2 * p + 1];
		vmnext;
	}
	if (res->earn.failed)
		res->out[PT_OUT_E_POINTS] = pt_rat_int(0);
	for (int o = 0; o < PT_OUT__COUNT; o++)
		if (res->out[o].n < 0)
			res->out[o] = pt_rat_int(0);
	p++;
	goto next_program;

section_error:   /* the reference VM evaluates the program again, and says where */
	ok = pt_eval_prog(rs, p, R, locals, res, NULL) && ok;
	p++;
	goto next_program;
#undef vmcase
#undef vmnext
#undef vmerror
}
