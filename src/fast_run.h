/* fast_run.h - the fast interpreter, included twice by fast.c: once with
 * computed goto (gcc, clang) and once with a portable switch, so both
 * dispatch styles are built and tested (FAST_RUN_NAME and FAST_RUN_GOTO
 * select which). */

/* Evaluate every program of a bound cart with the fast code, one call per
 * cart (the derived registers first): the code of each section ends by
 * saying where to go on (HALT_R and FAIL_R to the earn section, HALT_E and
 * FAIL_E to the next program), and result fields are written settled
 * (FAIL_* zero what a failed section leaves, outputs are clamped as they
 * are written).  With jit, the machine code runs instead (jit.h), from the
 * first program on or from where resume says it already stopped; the loop
 * goes on at the instruction it stopped at, and gives it each following
 * program back.  A program whose fast code stops on an error (overflow,
 * division by zero) is evaluated again by the reference VM, which reports
 * where.  in: the inputs the machine code reads in place (jit.h), which
 * R holds as well.  Same contract as pt_eval_all. */
static FAST_NOINLINE bool FAST_RUN_NAME(const pt_ruleset *rs, const pt_fast *f, pt_rat *R, pt_rat *locals,
			  pt_prog_result *results, const pt_jit *jit, uint32_t resume, const int64_t *in)
{
	const pt_fast_ins *code = f->code, *i = code;   /* i: the instruction running */
	bool ok = true;
	const pt_fast_prog *fp = f->progs, *const fp_end = f->progs + rs->nprogs;
	pt_prog_result *res = results;
	pt_section_result *sec = NULL;
#if FAST_RUN_GOTO
	static const void *const labels[F__COUNT] = {
#define PT_FAST_LABEL(name) [F_##name] = &&L_##name,
		PT_FAST_OPS(PT_FAST_LABEL)
#undef PT_FAST_LABEL
	};
#define vmcase(x) L_##x:
#define vmdispatch goto *labels[i->op]
#else
#define vmcase(x) case F_##x:
#define vmdispatch goto dispatch
#endif
#define vmnext do { i++; vmdispatch; } while (0)
#define vmerror goto section_error
/* operands are byte offsets (pt_fast_encode) */
#define REG(off) (*(pt_rat *)((char *)R + (off)))
#define RA REG(i->a)
#define RB REG(i->b)
#define RD REG(i->dst)
#define OUTF(off) (*(pt_rat *)((char *)res->out + (off)))
#define JUMP(t) do { i = (const pt_fast_ins *)((const char *)code + (t)); vmdispatch; } while (0)

	uint32_t k = resume;   /* from the machine code: 0 or where to go on (jit.h) */
	if (jit) {
		if (!k)
			k = jit->all(R, res, in);
		if (k == PT_JIT_DERIVE_FAILED)   /* the reference VM says where */
			return pt_eval_all(rs, R, locals, results, NULL);
		goto resume;
	}
	if (!fast_derive(f, R))   /* a derived value does not fit: the reference VM says where */
		return pt_eval_all(rs, R, locals, results, NULL);
next_program:   /* fp and res: the program to run */
	if (fp == fp_end)
		return ok;
	if (jit) {   /* machine code, from this program's result on */
		k = jit->from[fp - f->progs](R, res, in);
resume:   /* k: what the machine code returned */
		if (!k)
			return ok;
		for (; fp + 1 < fp_end && k - 1 >= fp[1].entry[0]; fp++)   /* the program it stopped in */
			res++;
		/* its notes marked in registers (stored by the stub) into reasons[], where
		 * pt_sec_reason looks */
		pt_fast_prog_expand(rs, (size_t)(fp - f->progs), res);
		sec = k - 1 >= fp->entry[1] ? &res->earn : &res->redeem;
		i = code + (k - 1);
		vmdispatch;
	}
	{
		bool linked = R[fp->linked].n != 0;
		res->linked = linked;
		/* what a section's result needs (reasons past nreasons are
		 * never read) */
		res->redeem.ran = res->earn.ran = true;
		res->redeem.failed = res->earn.failed = false;
		res->redeem.nreasons = res->earn.nreasons = 0;
		res->redeem.noted = res->earn.noted = 0;
		res->redeem.status = res->earn.status = PT_VM_OK;
		res->redeem.status_pc = res->earn.status_pc = 0;
		res->out[0] = res->out[1] = res->out[2] = res->out[3] = res->out[4] = res->out[5] = pt_rat_int(0);
		_Static_assert(PT_OUT__COUNT == 6, "every output is zeroed above");
		res->tier = -1;
		if (fp->special) {
			if (!linked && fp->unlinked_fail) {
				/* what both sections do at once: FAIL "not linked" */
				uint32_t r = fp->unlinked[0], e = fp->unlinked[1];   /* stack pcs of the FAILs */
				res->redeem.failed = res->earn.failed = true;
				res->redeem.nreasons = res->earn.nreasons = 1;
				res->redeem.reasons[0] = (pt_reason){ fp->unlinked_str[0], r };
				res->earn.reasons[0] = (pt_reason){ fp->unlinked_str[1], e };
				goto end_program;
			}
			if (fp->earn_stub) {   /* the earn section is one FAIL */
				uint32_t e = fp->earn_fail;
				res->earn.failed = true;
				res->earn.nreasons = 1;
				res->earn.reasons[0] = (pt_reason){ fp->earn_fail_str, e };
			}
			if (fp->zero_locals)   /* else every read follows a write (fast.c) */
				for (uint32_t l = 0; l < fp->nlocals; l++)
					R[f->reg_locals + l] = pt_rat_int(0);
		}
		sec = &res->redeem;
		i = code + fp->start;
	}
#if FAST_RUN_GOTO
	vmdispatch;
#else
dispatch:
	switch ((pt_fast_op)i->op) {
#endif
	vmcase(MOV) RD = RA; vmnext;
	vmcase(MOVC) if (RA.n == INT64_MIN) vmerror; RD = RA; vmnext;
	vmcase(ADD) {
		pt_rat a = RA, b = RB, r;
		if (a.d == 1 && b.d == 1) {
			if (__builtin_add_overflow(a.n, b.n, &r.n) || r.n == INT64_MIN)
				vmerror;
			r.d = 1;
		} else if (!pt_rat_add(a, b, &r)) {
			vmerror;
		}
		RD = r;
		vmnext;
	}
	vmcase(SUB) {
		pt_rat a = RA, b = RB, r;
		if (a.d == 1 && b.d == 1) {
			if (__builtin_sub_overflow(a.n, b.n, &r.n) || r.n == INT64_MIN || b.n == INT64_MIN)
				vmerror;
			r.d = 1;
		} else if (!pt_rat_sub(a, b, &r)) {
			vmerror;
		}
		RD = r;
		vmnext;
	}
	vmcase(MUL) {
		pt_rat a = RA, b = RB, r;
		if (a.d == 1 && b.d == 1) {
			if (__builtin_mul_overflow(a.n, b.n, &r.n) || r.n == INT64_MIN)
				vmerror;
			r.d = 1;
		} else if (!pt_rat_mul(a, b, &r)) {
			vmerror;
		}
		RD = r;
		vmnext;
	}
	vmcase(DIV) {
		pt_rat a = RA, b = RB, r;
		if (b.n == 0)
			vmerror;
		if (b.n == 1 && b.d == 1 && a.n != INT64_MIN)
			r = a;
		else if (!pt_rat_div(a, b, &r))
			vmerror;
		RD = r;
		vmnext;
	}
	vmcase(MULFLOOR) {
		pt_rat r;
		if (!fast_mulfloor(RA, RB, &r))
			vmerror;
		RD = r;
		vmnext;
	}
	vmcase(DIVFLOOR) {
		pt_rat r;
		if (RB.n == 0)
			vmerror;
		if (!fast_divfloor(RA, RB, &r))
			vmerror;
		RD = r;
		vmnext;
	}
	vmcase(MIN) {
		pt_rat a = RA, b = RB;
		RD = fast_cmp(b, a) < 0 ? b : a;
		vmnext;
	}
	vmcase(MAX) {
		pt_rat a = RA, b = RB;
		RD = fast_cmp(b, a) > 0 ? b : a;
		vmnext;
	}
	vmcase(NEG) {
		pt_rat a = RA;
		if (a.n == INT64_MIN)
			vmerror;
		RD = (pt_rat){ -a.n, a.d };
		vmnext;
	}
	vmcase(FLOOR) RD = pt_rat_floor(RA); vmnext;
	vmcase(CEIL) RD = pt_rat_ceil(RA); vmnext;
	vmcase(ROUND) RD = pt_rat_round(RA); vmnext;
	vmcase(NOT) RD = pt_rat_int(RA.n == 0); vmnext;
	vmcase(EQ) RD = pt_rat_int(fast_cmp(RA, RB) == 0); vmnext;
	vmcase(NE) RD = pt_rat_int(fast_cmp(RA, RB) != 0); vmnext;
	vmcase(LT) RD = pt_rat_int(fast_cmp(RA, RB) < 0); vmnext;
	vmcase(LE) RD = pt_rat_int(fast_cmp(RA, RB) <= 0); vmnext;
	vmcase(GT) RD = pt_rat_int(fast_cmp(RA, RB) > 0); vmnext;
	vmcase(GE) RD = pt_rat_int(fast_cmp(RA, RB) >= 0); vmnext;
	vmcase(AND) RD = pt_rat_int(RA.n != 0 && RB.n != 0); vmnext;
	vmcase(OR) RD = pt_rat_int(RA.n != 0 || RB.n != 0); vmnext;
	vmcase(CAP) {
		pt_rat a = RA, b = RB;
		pt_rat cap = b.n < 0 ? pt_rat_int(0) : b;
		if (fast_cmp(a, cap) > 0) {
			a = cap;
			if (i->x != PT_NO_STR)
				fast_reason(sec, rs->code, i->x);
		}
		RD = a;
		vmnext;
	}
	/* whole numbers (fast_opt.c proved both operands are) */
	vmcase(ADD_I) {
		int64_t r;
		if (__builtin_add_overflow(RA.n, RB.n, &r) || r == INT64_MIN)
			vmerror;
		RD = pt_rat_int(r);
		vmnext;
	}
	vmcase(SUB_I) {
		int64_t r, b = RB.n;
		if (__builtin_sub_overflow(RA.n, b, &r) || r == INT64_MIN || b == INT64_MIN)
			vmerror;
		RD = pt_rat_int(r);
		vmnext;
	}
	vmcase(MUL_I)
	vmcase(MULFLOOR_I) {
		int64_t r;
		if (!fast_mul_i(RA.n, RB.n, &r))
			vmerror;
		RD = pt_rat_int(r);
		vmnext;
	}
	vmcase(MULFLOOR_IR) {
		int64_t r;
		if (!fast_mulfloor_ir(RA.n, RB, &r))
			vmerror;
		RD = pt_rat_int(r);
		vmnext;
	}
	vmcase(DIVFLOOR_I) {
		int64_t r;
		if (!fast_divfloor_i(RA.n, RB.n, &r))
			vmerror;
		RD = pt_rat_int(r);
		vmnext;
	}
	vmcase(MIN_I) {
		int64_t a = RA.n, b = RB.n;
		RD = pt_rat_int(b < a ? b : a);
		vmnext;
	}
	vmcase(MAX_I) {
		int64_t a = RA.n, b = RB.n;
		RD = pt_rat_int(b > a ? b : a);
		vmnext;
	}
	vmcase(CAP_I) {
		int64_t a = RA.n, b = RB.n, cap = b < 0 ? 0 : b;
		if (a > cap) {
			a = cap;
			if (i->x != PT_NO_STR)
				fast_reason(sec, rs->code, i->x);
		}
		RD = pt_rat_int(a);
		vmnext;
	}
	/* conditional jumps: on when the condition fails */
	vmcase(JF_EQ) if (!(fast_cmp(RA, RB) == 0)) JUMP(i->x); vmnext;
	vmcase(JF_NE) if (!(fast_cmp(RA, RB) != 0)) JUMP(i->x); vmnext;
	vmcase(JF_LT) if (!(fast_cmp(RA, RB) < 0)) JUMP(i->x); vmnext;
	vmcase(JF_LE) if (!(fast_cmp(RA, RB) <= 0)) JUMP(i->x); vmnext;
	vmcase(JF_GT) if (!(fast_cmp(RA, RB) > 0)) JUMP(i->x); vmnext;
	vmcase(JF_GE) if (!(fast_cmp(RA, RB) >= 0)) JUMP(i->x); vmnext;
	vmcase(JF_EQ_I) if (!(RA.n == RB.n)) JUMP(i->x); vmnext;
	vmcase(JF_NE_I) if (!(RA.n != RB.n)) JUMP(i->x); vmnext;
	vmcase(JF_LT_I) if (!(RA.n < RB.n)) JUMP(i->x); vmnext;
	vmcase(JF_LE_I) if (!(RA.n <= RB.n)) JUMP(i->x); vmnext;
	vmcase(JF_GT_I) if (!(RA.n > RB.n)) JUMP(i->x); vmnext;
	vmcase(JF_GE_I) if (!(RA.n >= RB.n)) JUMP(i->x); vmnext;
	vmcase(JZ) if (RA.n == 0) JUMP(i->x); vmnext;
	vmcase(JMP) JUMP(i->x);
	/* result fields */
	vmcase(OUT) OUTF(i->x) = fast_clamp(RA); vmnext;
	vmcase(OUT_MOVC) {
		pt_rat b = RB;
		if (b.n == INT64_MIN)
			vmerror;
		OUTF(i->x) = fast_clamp(RA);
		OUTF(i->dst) = fast_clamp(b);
		vmnext;
	}
	vmcase(MOVC_O) {
		pt_rat a = RA;
		if (a.n == INT64_MIN)
			vmerror;
		OUTF(i->dst) = fast_clamp(a);
		vmnext;
	}
	vmcase(MULFLOOR_I_O) {
		int64_t r;
		if (!fast_mul_i(RA.n, RB.n, &r))
			vmerror;
		OUTF(i->dst) = pt_rat_int(r < 0 ? 0 : r);
		vmnext;
	}
	vmcase(MULFLOOR_IR_O) {
		int64_t r;
		if (!fast_mulfloor_ir(RA.n, RB, &r))
			vmerror;
		OUTF(i->dst) = pt_rat_int(r < 0 ? 0 : r);
		vmnext;
	}
	vmcase(MAX_I_O) {
		int64_t a = RA.n, b = RB.n, r = b > a ? b : a;
		OUTF(i->dst) = pt_rat_int(r < 0 ? 0 : r);
		vmnext;
	}
	vmcase(REASON) pt_sec_reason(sec, i->b, i->x); vmnext;
	vmcase(REASON_LE_I)   /* was JF_LE_I over a REASON */
		if (RA.n <= RB.n)
			pt_sec_reason(sec, i->dst, i->x);
		vmnext;
	vmcase(TIER) res->tier = (int)i->x; vmnext;
	vmcase(MOV2) RD = RA; REG(i->x) = RB; vmnext;
	vmcase(TIERJ) res->tier = (int)i->a; JUMP(i->x);
	vmcase(TIERSEL) {   /* a tier table's rows in one dispatch (tier_chains, fast.c) */
		const pt_fast_ins *p = i;   /* the first row's test; each row: JF_GE_I, MOV2, TIERJ */
		int64_t key = RA.n;
		for (;;) {
			if (key >= REG(p->b).n) {
				p++;
				break;
			}
			p += 3;
			if (p->op != F_JF_GE_I)
				break;   /* the last row: MOV2, TIERJ */
		}
		REG(p->dst) = REG(p->a);
		REG(p->x) = REG(p->b);
		res->tier = (int)p[1].a;
		JUMP(p[1].x);
	}
	/* section ends */
	vmcase(HALT_R)
		for (uint32_t l = 0; l < i->dst; l++)   /* locals some read may find unwritten */
			R[f->reg_locals + l] = pt_rat_int(0);
		sec = &res->earn;
		JUMP(i->x);
	vmcase(FAIL_R)
		res->redeem.failed = true;
		pt_sec_reason(&res->redeem, i->b, i->x);
		res->out[PT_OUT_R_MAX_POINTS] = res->out[PT_OUT_R_VALUE_YEN] = pt_rat_int(0);
		for (uint32_t l = 0; l < i->dst; l++)
			R[f->reg_locals + l] = pt_rat_int(0);
		sec = &res->earn;
		JUMP(i->a);
	vmcase(FAIL_RE)   /* FAIL_R, the earn section settled already (earn_stub) */
		res->redeem.failed = true;
		pt_sec_reason(&res->redeem, i->b, i->x);
		res->out[PT_OUT_R_MAX_POINTS] = res->out[PT_OUT_R_VALUE_YEN] = pt_rat_int(0);
		goto end_program;
	vmcase(FAIL_E)
		res->earn.failed = true;
		pt_sec_reason(&res->earn, i->b, i->x);
		res->out[PT_OUT_E_POINTS] = pt_rat_int(0);
		goto end_program;
	vmcase(HALT_E)
		goto end_program;
	vmcase(FAIL)   /* unreachable: pt_fast_build replaced them by the above */
	vmcase(HALT)
		vmerror;
#if !FAST_RUN_GOTO
	default:
		vmerror;   /* unreachable: the translator writes known ops */
	}
#endif

section_error:   /* the reference VM evaluates the program again, and says where */
	ok = pt_eval_prog(rs, (size_t)(fp - f->progs), R, locals, res, NULL) && ok;
end_program:   /* the machine code keeps the heads of the programs it runs to their end */
	pt_res_settle(res, 1);
	fp++;
	res++;
	goto next_program;
#undef vmcase
#undef vmnext
#undef vmdispatch
#undef vmerror
#undef REG
#undef OUTF
#undef RA
#undef RB
#undef RD
#undef JUMP
}
