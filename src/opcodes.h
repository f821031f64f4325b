/* opcodes.h - the instruction set, defined once.
 *
 * OP(name, operand, pops, pushes): operand is the kind of the 24-bit
 * argument (checked by the verifier, printed by the disassembler), pops
 * and pushes give the stack effect.  Everything else (the enum, names,
 * operand table, stack effects, VM dispatch table) is generated from this
 * list.  The instruction layout is documented in docs/bytecode.md:
 *
 *   31                     8 7        0
 *   +-----------------------+----------+
 *   |   argument (24 bits)  |  opcode  |
 *   +-----------------------+----------+
 */
#ifndef PT_OPCODES_H
#define PT_OPCODES_H

/* Operand kinds. */
#define PT_ARG_NONE   0   /* argument must be 0 */
#define PT_ARG_CONST  1   /* index into the constant pool */
#define PT_ARG_INPUT  2   /* index into the cart input vector */
#define PT_ARG_LOCAL  3   /* local slot of the running program */
#define PT_ARG_JUMP   4   /* absolute target pc, strictly forward */
#define PT_ARG_STR    5   /* index into the string table (reason, label) */
#define PT_ARG_OUT    6   /* output field (PT_OUT_*) */
#define PT_ARG_RULE   7   /* index into the rule table (explain) */
#define PT_ARG_OPTSTR 8   /* string index, or PT_NO_STR */

#define PT_OPCODES(OP) \
	OP(NOP,    PT_ARG_NONE,   0, 0) /* do nothing (peephole filler) */ \
	OP(CONST,  PT_ARG_CONST,  0, 1) /* push constant K */ \
	OP(INPUT,  PT_ARG_INPUT,  0, 1) /* push cart input I */ \
	OP(LOAD,   PT_ARG_LOCAL,  0, 1) /* push local L */ \
	OP(STORE,  PT_ARG_LOCAL,  1, 0) /* pop into local L */ \
	OP(ADD,    PT_ARG_NONE,   2, 1) /* a + b, overflow is an error */ \
	OP(SUB,    PT_ARG_NONE,   2, 1) /* a - b */ \
	OP(MUL,    PT_ARG_NONE,   2, 1) /* a * b */ \
	OP(DIV,    PT_ARG_NONE,   2, 1) /* a / b, b == 0 is an error */ \
	OP(NEG,    PT_ARG_NONE,   1, 1) /* -a */ \
	OP(MIN,    PT_ARG_NONE,   2, 1) /* smaller of a, b */ \
	OP(MAX,    PT_ARG_NONE,   2, 1) /* larger of a, b */ \
	OP(FLOOR,  PT_ARG_NONE,   1, 1) /* round down */ \
	OP(CEIL,   PT_ARG_NONE,   1, 1) /* round up */ \
	OP(ROUND,  PT_ARG_NONE,   1, 1) /* round half away from zero */ \
	OP(EQ,     PT_ARG_NONE,   2, 1) /* a == b as 1 or 0 */ \
	OP(NE,     PT_ARG_NONE,   2, 1) \
	OP(LT,     PT_ARG_NONE,   2, 1) \
	OP(LE,     PT_ARG_NONE,   2, 1) \
	OP(GT,     PT_ARG_NONE,   2, 1) \
	OP(GE,     PT_ARG_NONE,   2, 1) \
	OP(AND,    PT_ARG_NONE,   2, 1) /* both non-zero */ \
	OP(OR,     PT_ARG_NONE,   2, 1) /* either non-zero */ \
	OP(NOT,    PT_ARG_NONE,   1, 1) \
	OP(JMP,    PT_ARG_JUMP,   0, 0) /* pc = T */ \
	OP(JMPF,   PT_ARG_JUMP,   1, 0) /* pop; if zero, pc = T */ \
	OP(CAP,    PT_ARG_OPTSTR, 2, 1) /* pop cap, value: push min(value, max(cap, 0)); note reason S if it binds */ \
	OP(OUT,    PT_ARG_OUT,    1, 0) /* pop into output field F */ \
	OP(REASON, PT_ARG_STR,    0, 0) /* add reason S to the section */ \
	OP(TIER,   PT_ARG_STR,    0, 0) /* record the tier label S */ \
	OP(TRACE,  PT_ARG_RULE,   1, 1) /* explain: rule R saw the top of stack */ \
	OP(FAIL,   PT_ARG_STR,    0, 0) /* end the section: not usable / earns 0, reason S */ \
	OP(HALT,   PT_ARG_NONE,   0, 0) /* end the section normally */

typedef enum {
#define PT_OP_ENUM(name, arg, pops, pushes) PT_OP_##name,
	PT_OPCODES(PT_OP_ENUM)
#undef PT_OP_ENUM
	PT_OP__COUNT
} pt_opcode;

/* Output fields written by OUT. */
typedef enum {
	PT_OUT_R_MAX_POINTS,   /* points usable on this cart */
	PT_OUT_R_VALUE_YEN,    /* their value in yen */
	PT_OUT_E_POINTS,       /* points this order earns */
	PT_OUT_E_BASIS,        /* yen the earning was computed on */
	PT_OUT_R_USE_YEN,      /* yen the cart's `use` points pay: floor(use x value) */
	PT_OUT_R_POINT_VALUE,  /* yen one point is worth (exact) */
	PT_OUT__COUNT
} pt_outfield;

#define PT_NO_STR     0xFFFFFFu    /* OPTSTR: no string */
#define PT_ARG_MAX    0xFFFFFFu    /* largest 24-bit argument */

#define PT_INS(op, arg) ((uint32_t)(op) | ((uint32_t)(arg) << 8))
#define PT_INS_OP(ins)  ((ins) & 0xFFu)
#define PT_INS_ARG(ins) ((ins) >> 8)

/* Tables generated from the list (defined in opcodes.c). */
extern const char *const pt_op_names[PT_OP__COUNT];
extern const unsigned char pt_op_arg[PT_OP__COUNT];
extern const signed char pt_op_pops[PT_OP__COUNT];
extern const signed char pt_op_pushes[PT_OP__COUNT];
extern const char *const pt_out_names[PT_OUT__COUNT];

#endif
