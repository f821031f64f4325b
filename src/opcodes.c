/* opcodes.c - per-opcode tables generated from the one list in opcodes.h. */
#include <stdint.h>

#include "opcodes.h"

#define PT_OP_NAME(name, arg, pops, pushes) #name,
const char *const pt_op_names[PT_OP__COUNT] = { PT_OPCODES(PT_OP_NAME) };
#undef PT_OP_NAME

#define PT_OP_ARGK(name, arg, pops, pushes) arg,
const unsigned char pt_op_arg[PT_OP__COUNT] = { PT_OPCODES(PT_OP_ARGK) };
#undef PT_OP_ARGK

#define PT_OP_POPS(name, arg, pops, pushes) pops,
const signed char pt_op_pops[PT_OP__COUNT] = { PT_OPCODES(PT_OP_POPS) };
#undef PT_OP_POPS

#define PT_OP_PUSHES(name, arg, pops, pushes) pushes,
const signed char pt_op_pushes[PT_OP__COUNT] = { PT_OPCODES(PT_OP_PUSHES) };
#undef PT_OP_PUSHES

const char *const pt_out_names[PT_OUT__COUNT] = {
	"redeem.max_points", "redeem.value_yen", "earn.points", "earn.basis_yen",
	"redeem.use_yen", "redeem.point_value"
};
