/* fast_run.h - the fast interpreter's section loop, included twice by
 * fast.c: once with computed goto (gcc, clang) and once with a portable
 * switch, so both dispatch styles are built and tested
 * (FAST_RUN_NAME and FAST_RUN_GOTO select which). */

/* Run the fast code of one section from pc until HALT or FAIL; any status
 * other than PT_VM_OK means "redo this program with the reference VM". */
static pt_vm_status FAST_RUN_NAME(const pt_fast *f, uint32_t pc, pt_rat *R, pt_prog_result *res,
				  pt_section_result *sec)
{
	const pt_fast_ins *code = f->code, *ip = code + pc, *i;
	sec->ran = true;
#if FAST_RUN_GOTO
	static const void *const labels[F__COUNT] = {
#define PT_FAST_LABEL(name) [F_##name] = &&L_##name,
		PT_FAST_OPS(PT_FAST_LABEL)
#undef PT_FAST_LABEL
	};
#define vmcase(x) L_##x:
#define vmnext do { i = ip++; goto *labels[i->op]; } while (0)
	vmnext;
#else
#define vmcase(x) case F_##x:
#define vmnext continue
	for (;;) {
		i = ip++;
		switch ((pt_fast_op)i->op) {
#endif
	vmcase(MOV) R[i->dst] = R[i->a]; vmnext;
	vmcase(ADD) {
		pt_rat a = R[i->a], b = R[i->b], r;
		if (a.d == 1 && b.d == 1) {
			if (__builtin_add_overflow(a.n, b.n, &r.n) || r.n == INT64_MIN)
				return PT_VM_OVERFLOW;
			r.d = 1;
		} else if (!pt_rat_add(a, b, &r)) {
			return PT_VM_OVERFLOW;
		}
		R[i->dst] = r;
		vmnext;
	}
	vmcase(SUB) {
		pt_rat a = R[i->a], b = R[i->b], r;
		if (a.d == 1 && b.d == 1) {
			if (__builtin_sub_overflow(a.n, b.n, &r.n) || r.n == INT64_MIN)
				return PT_VM_OVERFLOW;
			r.d = 1;
		} else if (!pt_rat_sub(a, b, &r)) {
			return PT_VM_OVERFLOW;
		}
		R[i->dst] = r;
		vmnext;
	}
	vmcase(MUL) {
		pt_rat a = R[i->a], b = R[i->b], r;
		if (a.d == 1 && b.d == 1) {
			if (__builtin_mul_overflow(a.n, b.n, &r.n) || r.n == INT64_MIN)
				return PT_VM_OVERFLOW;
			r.d = 1;
		} else if (!pt_rat_mul(a, b, &r)) {
			return PT_VM_OVERFLOW;
		}
		R[i->dst] = r;
		vmnext;
	}
	vmcase(DIV) {
		pt_rat a = R[i->a], b = R[i->b], r;
		if (b.n == 0)
			return PT_VM_DIVZERO;
		if (b.n == 1 && b.d == 1 && a.n != INT64_MIN)
			r = a;
		else if (!pt_rat_div(a, b, &r))
			return PT_VM_OVERFLOW;
		R[i->dst] = r;
		vmnext;
	}
	vmcase(MULFLOOR) {
		pt_rat r;
		if (!fast_mulfloor(R[i->a], R[i->b], &r))
			return PT_VM_OVERFLOW;
		R[i->dst] = r;
		vmnext;
	}
	vmcase(DIVFLOOR) {
		pt_rat r;
		if (R[i->b].n == 0)
			return PT_VM_DIVZERO;
		if (!fast_divfloor(R[i->a], R[i->b], &r))
			return PT_VM_OVERFLOW;
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
			return PT_VM_OVERFLOW;
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
				fast_reason(sec, i->x);
		}
		R[i->dst] = a;
		vmnext;
	}
	vmcase(OUT) res->out[i->x] = R[i->a]; vmnext;
	vmcase(REASON) fast_reason(sec, i->x); vmnext;
	vmcase(TIER) res->tier = (int)i->x; vmnext;
	vmcase(FAIL)
		sec->failed = true;
		fast_reason(sec, i->x);
		return PT_VM_OK;
	vmcase(HALT) return PT_VM_OK;
#if !FAST_RUN_GOTO
		default:
			return PT_VM_BAD;   /* unreachable: the translator writes known ops */
		}
	}
#endif
#undef vmcase
#undef vmnext
}
