/* C's assignment, as gdb's `set var` and `print x = 5` do it: the right
 * side converted to the left side's type (an integer truncated, a double
 * to float, a pointer from an integer; a struct only from one of its
 * size), then written where the left side lives: the target's memory
 * (a bitfield by read-modify-write of the bytes holding it) or, in frame
 * 0, the register. The left value then holds the new bytes. */
#include <string.h>

#include "values/values.h"

#define ASSIGN_MAX (1u << 20) /* bytes of an aggregate assigned at once */

static bool is_aggregate(sse__vtype *t) {
  return t->kind == SSE__TY_STRUCT || t->kind == SSE__TY_UNION || t->kind == SSE__TY_ARRAY;
}

/* rhs as the n bytes of lhs's type. */
static int converted(sse__vctx *c, const sse__value *lhs, const sse__value *rhs, unsigned char *buf,
                     size_t n) {
  sse__vtype *lt = sse__type_strip(lhs->type), *rt = sse__type_strip(rhs->type);
  if (rhs->kind == SSE__V_OPTOUT) return sse__verr(c, "value has been optimized out");
  if (is_aggregate(lt) || is_aggregate(rt)) {
    if (!rt || lt->kind != rt->kind || sse__type_size(lt) != sse__type_size(rt))
      return sse__verr(c, "Invalid cast.");
    return sse__val_bytes(c, rhs, buf, n);
  }
  sse__value v = *rhs;
  if (sse__val_cast(c, lhs->type, &v)) return -1;
  return sse__val_bytes(c, &v, buf, n);
}

static int write_mem(sse__vctx *c, uint64_t addr, const void *buf, size_t n) {
  size_t done = 0;
  if (sse__mem_write(c->proc, addr, buf, n, &done) == SSE_OK && done == n) return 0;
  return sse__verr(c, "Cannot access memory at address 0x%llx", (unsigned long long)(addr + done));
}

/* The bitfield lhs set to the integer rhs. */
static int write_bits(sse__vctx *c, sse__value *lhs, const sse__value *rhs) {
  sse__value v = *rhs;
  int64_t x;
  if (sse__val_cast(c, sse__type_strip(lhs->type), &v) || sse__val_int(c, &v, &x)) return -1;
  size_t n = (lhs->bit_off + lhs->bit_size + 7) / 8;
  unsigned char b[16] = {0};
  if (n > 8 || sse__val_bytes(c, lhs, b, n)) return n > 8 ? sse__verr(c, "Invalid bitfield.") : -1;
  uint64_t word, mask = (lhs->bit_size >= 64 ? ~0ull : (1ull << lhs->bit_size) - 1) << lhs->bit_off;
  memcpy(&word, b, 8);
  word = (word & ~mask) | (((uint64_t)x << lhs->bit_off) & mask);
  memcpy(b, &word, 8);
  if (lhs->kind == SSE__V_MEM) return write_mem(c, lhs->addr, b, n);
  return sse__verr(c, "Left operand of assignment is not an lvalue.");
}

/* Register lhs->reg - 1 of frame 0 given the low n bytes of buf. */
static int write_reg(sse__vctx *c, sse__value *lhs, const unsigned char *buf, size_t n) {
  int r = lhs->reg - 1;
  if (c->frame != 0 || !c->thread || n > 8)
    return sse__verr(c, "Attempt to assign to an unmodifiable value.");
  sse__regs regs;
  uint64_t old;
  if (sse__thread_getregs(c->thread, &regs) != 0 || !sse__regs_get(&regs, r, &old))
    return sse__verr(c, "Cannot read the registers.");
  memcpy(&old, buf, n);
  if (!sse__regs_put(&regs, r, old) || sse__thread_setregs(c->thread, &regs) != 0)
    return sse__verr(c, "Cannot write the registers.");
  c->reg[r] = old;
  memcpy(lhs->bytes, buf, n);
  return 0;
}

int sse__val_assign(sse__vctx *c, sse__value *lhs, const sse__value *rhs) {
  sse__vtype *lt = sse__type_strip(lhs->type);
  if (!lt) return sse__verr(c, "Invalid type.");
  if (lhs->kind == SSE__V_OPTOUT || sse__val_partly_out(lhs))
    return sse__verr(c, "value has been optimized out");
  bool reg = lhs->kind == SSE__V_BYTES && lhs->reg > 0 && !lhs->bit_size;
  if (lhs->is_func || lt->kind == SSE__TY_FUNC) return sse__verr(c, "Invalid cast.");
  if (lt->kind == SSE__TY_VOID ||
      (lhs->kind != SSE__V_MEM && !reg))
    return sse__verr(c, "Left operand of assignment is not an lvalue.");
  if (lhs->bit_size) return c->dry ? 0 : write_bits(c, lhs, rhs);
  uint64_t n = sse__type_size(lhs->type);
  if (n == 0 || n > ASSIGN_MAX) return sse__verr(c, "Invalid cast.");
  unsigned char *buf = sse__va_alloc(c, n);
  if (!buf || converted(c, lhs, rhs, buf, n)) return -1;
  if (c->dry) return 0; /* ptype, whatis: the type only */
  if (reg) return write_reg(c, lhs, buf, n);
  return write_mem(c, lhs->addr, buf, n);
}
