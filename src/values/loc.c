/* DWARF location expressions and lists, evaluated for one frame: its
 * registers (frame 0), its CFA, the function's frame base, memory through
 * memaccess. A location not covering the pc, or a part the frame cannot
 * recover (a register of a caller frame, an entry value), is
 * <optimized out>, never a guess. */
#include <dwarf.h>
#include <stdlib.h>
#include <string.h>

#include "values/values.h"

#define LOC_STACK 64
#define LOC_MAX_OPS 4096
#define LOC_MAX_DEPTH 4
#define LOC_MAX_SIZE 4096 /* bytes of a value assembled from pieces */

typedef enum part_kind { P_NONE, P_MEM, P_REG, P_VALUE, P_IMPLICIT, P_OPTOUT, P_IMPLPTR } part_kind;

typedef struct part {
  part_kind kind;
  uint64_t x;                 /* address, register number or value */
  const unsigned char *bytes; /* implicit value */
  size_t len;                 /* ... its length; P_IMPLPTR: the byte offset */
} part;

typedef struct stack {
  uint64_t v[LOC_STACK];
  int n;
} stack;

static int push(sse__vctx *c, stack *s, uint64_t x) {
  if (s->n >= LOC_STACK) return sse__verr(c, "DWARF expression stack overflow.");
  s->v[s->n++] = x;
  return 0;
}

static int need(sse__vctx *c, stack *s, int k) {
  return s->n >= k ? 0 : sse__verr(c, "DWARF expression stack underflow.");
}

static int reg_value(sse__vctx *c, int regno, uint64_t *out) {
  if (regno >= 0 && regno <= SSE__REGNUM_MAX && (c->regmask >> regno & 1)) {
    *out = c->reg[regno];
    return 0;
  }
  return 1; /* not available in this frame */
}

static int eval_ops(sse__vctx *c, const Dwarf_Op *ops, size_t n, part *res, stack *s, int depth);

/* The subprogram holding c's frame in the tree (the real function an
 * inlined block is in: dwarf_getscopes goes on into an inlined block's
 * abstract origin instead), into out. */
bool sse__loc_real_function(const sse__vctx *c, Dwarf_Die *out) {
  for (int i = 0; i < c->nscopes; i++) {
    int tag = dwarf_tag(&c->scopes[i]);
    if (tag == DW_TAG_subprogram) {
      *out = c->scopes[i];
      return true;
    }
    if (tag != DW_TAG_inlined_subroutine) continue;
    Dwarf_Die *sc = NULL;
    int n = dwarf_getscopes_die(&c->scopes[i], &sc);
    bool found = false;
    for (int k = 0; k < n && !found; k++)
      if (dwarf_tag(&sc[k]) == DW_TAG_subprogram) {
        *out = sc[k];
        found = true;
      }
    free(sc);
    return found;
  }
  return false;
}

int sse__loc_at(const sse__vctx *c, Dwarf_Attribute *a, Dwarf_Addr pc, Dwarf_Op **ops, size_t *n) {
  Dwarf_Addr base, start, end, entry = 0;
  Dwarf_Die fn;
  bool have_entry = false;
  ptrdiff_t off = 0;
  while ((off = dwarf_getlocations(a, off, &base, &start, &end, ops, n)) > 0) {
    if (start == end && pc == start && !have_entry)
      have_entry = sse__loc_real_function(c, &fn) && dwarf_entrypc(&fn, &entry) == 0;
    if ((start == end && pc == start && have_entry && pc == entry) || (pc >= start && pc < end))
      return 1;
  }
  return off < 0 ? -1 : 0;
}

/* The frame base of the function of the frame (DW_AT_frame_base): the
 * real function's for an inline frame (gdb's block_linkage_function). */
static int frame_base(sse__vctx *c, uint64_t *fb, int depth) {
  Dwarf_Die fn;
  Dwarf_Attribute a;
  Dwarf_Op *ops;
  size_t nops;
  if (!sse__loc_real_function(c, &fn) || !dwarf_attr_integrate(&fn, DW_AT_frame_base, &a))
    return sse__verr(c, "Could not find the frame base for \"%s\".", "?");
  int k = sse__loc_at(c, &a, c->lookup_pc - c->at->bias, &ops, &nops);
  if (k <= 0) return 1;
  part p = {0};
  stack s = {.n = 0};
  Dwarf_Attribute *saved = c->loc_attr;
  c->loc_attr = &a;
  int rc = eval_ops(c, ops, nops, &p, &s, depth + 1);
  c->loc_attr = saved;
  if (rc) return rc;
  if (p.kind == P_MEM) *fb = p.x;
  else if (p.kind == P_REG) rc = reg_value(c, (int)p.x, fb);
  else return 1;
  return rc;
}

static int arith(sse__vctx *c, stack *s, uint8_t op) {
  if (need(c, s, 2)) return -1;
  uint64_t b = s->v[--s->n], a = s->v[s->n - 1], r = 0;
  switch (op) {
    case DW_OP_and: r = a & b; break;
    case DW_OP_or: r = a | b; break;
    case DW_OP_xor: r = a ^ b; break;
    case DW_OP_plus: r = a + b; break;
    case DW_OP_minus: r = a - b; break;
    case DW_OP_mul: r = a * b; break;
    case DW_OP_shl: r = b < 64 ? a << b : 0; break;
    case DW_OP_shr: r = b < 64 ? a >> b : 0; break;
    case DW_OP_shra: r = (uint64_t)((int64_t)a >> (b < 64 ? b : 63)); break;
    case DW_OP_div:
      if (b == 0 || ((int64_t)a == INT64_MIN && (int64_t)b == -1)) return sse__verr(c, "Division by zero");
      r = (uint64_t)((int64_t)a / (int64_t)b); break;
    case DW_OP_mod:
      if (b == 0) return sse__verr(c, "Division by zero");
      r = a % b; break;
    case DW_OP_eq: r = a == b; break;
    case DW_OP_ne: r = a != b; break;
    case DW_OP_lt: r = (int64_t)a < (int64_t)b; break;
    case DW_OP_gt: r = (int64_t)a > (int64_t)b; break;
    case DW_OP_le: r = (int64_t)a <= (int64_t)b; break;
    case DW_OP_ge: r = (int64_t)a >= (int64_t)b; break;
  }
  s->v[s->n - 1] = r;
  return 0;
}

static int stack_op(sse__vctx *c, stack *s, const Dwarf_Op *op) {
  uint64_t t;
  switch (op->atom) {
    case DW_OP_dup: return need(c, s, 1) ? -1 : push(c, s, s->v[s->n - 1]);
    case DW_OP_drop: if (need(c, s, 1)) return -1; s->n--; return 0;
    case DW_OP_over: return need(c, s, 2) ? -1 : push(c, s, s->v[s->n - 2]);
    case DW_OP_pick:
      return op->number >= (uint64_t)s->n ? sse__verr(c, "DWARF expression stack underflow.")
                                           : push(c, s, s->v[s->n - 1 - op->number]);
    case DW_OP_swap:
      if (need(c, s, 2)) return -1;
      t = s->v[s->n - 1]; s->v[s->n - 1] = s->v[s->n - 2]; s->v[s->n - 2] = t;
      return 0;
    case DW_OP_rot:
      if (need(c, s, 3)) return -1;
      t = s->v[s->n - 1]; s->v[s->n - 1] = s->v[s->n - 2]; s->v[s->n - 2] = s->v[s->n - 3];
      s->v[s->n - 3] = t;
      return 0;
    case DW_OP_abs: if (need(c, s, 1)) return -1;
      if ((int64_t)s->v[s->n - 1] < 0) s->v[s->n - 1] = -s->v[s->n - 1];
      return 0;
    case DW_OP_neg: if (need(c, s, 1)) return -1; s->v[s->n - 1] = -s->v[s->n - 1]; return 0;
    case DW_OP_not: if (need(c, s, 1)) return -1; s->v[s->n - 1] = ~s->v[s->n - 1]; return 0;
    case DW_OP_plus_uconst: if (need(c, s, 1)) return -1; s->v[s->n - 1] += op->number; return 0;
  }
  return arith(c, s, op->atom);
}

static int deref(sse__vctx *c, stack *s, unsigned size) {
  if (need(c, s, 1)) return -1;
  if (size == 0 || size > 8) return sse__verr(c, "Bad DW_OP_deref_size.");
  uint64_t v = 0;
  if (sse__mem(c, s->v[s->n - 1], &v, size)) return -1;
  s->v[s->n - 1] = v;
  return 0;
}

/* Index of the op at byte offset off, or n. */
static size_t op_at(const Dwarf_Op *ops, size_t n, uint64_t off) {
  for (size_t i = 0; i < n; i++)
    if (ops[i].offset == off) return i;
  return n;
}

/* The register of DW_OP_entry_value op's block when it is one DW_OP_regN
 * or regx (libdw hands the block out as an attribute of its own), or -1. */
static int entry_block_reg(sse__vctx *c, const Dwarf_Op *op) {
  Dwarf_Attribute sub;
  Dwarf_Op *ops;
  size_t n;
  if (!c->loc_attr || dwarf_getlocation_attr(c->loc_attr, op, &sub) != 0 ||
      dwarf_getlocation(&sub, &ops, &n) != 0 || n != 1)
    return -1;
  if (ops[0].atom >= DW_OP_reg0 && ops[0].atom <= DW_OP_reg31) return ops[0].atom - DW_OP_reg0;
  return ops[0].atom == DW_OP_regx && ops[0].number <= SSE__REGNUM_MAX ? (int)ops[0].number : -1;
}

static int one_op(sse__vctx *c, const Dwarf_Op *op, part *res, stack *s, int depth) {
  uint8_t a = op->atom;
  uint64_t r;
  if (a >= DW_OP_lit0 && a <= DW_OP_lit31) return push(c, s, a - DW_OP_lit0);
  if (a >= DW_OP_reg0 && a <= DW_OP_reg31) {
    res->kind = P_REG; res->x = a - DW_OP_reg0; return 0;
  }
  if (a >= DW_OP_breg0 && a <= DW_OP_breg31) {
    int rc = reg_value(c, a - DW_OP_breg0, &r);
    return rc ? rc : push(c, s, r + op->number);
  }
  switch (a) {
    case DW_OP_addr: return push(c, s, op->number + c->var_bias);
    case DW_OP_const1u: case DW_OP_const2u: case DW_OP_const4u: case DW_OP_const8u:
    case DW_OP_constu: case DW_OP_const1s: case DW_OP_const2s: case DW_OP_const4s:
    case DW_OP_const8s: case DW_OP_consts:
      return push(c, s, op->number);
    case DW_OP_regx: res->kind = P_REG; res->x = op->number; return 0;
    case DW_OP_bregx: {
      int rc = reg_value(c, (int)op->number, &r);
      return rc ? rc : push(c, s, r + op->number2);
    }
    case DW_OP_fbreg: {
      int rc = depth < LOC_MAX_DEPTH ? frame_base(c, &r, depth) : sse__verr(c, "Bad frame base.");
      return rc ? rc : push(c, s, r + op->number);
    }
    case DW_OP_call_frame_cfa:
      return c->cfa ? push(c, s, c->cfa) : 1;
    case DW_OP_deref: return deref(c, s, 8);
    case DW_OP_deref_size: return deref(c, s, (unsigned)op->number);
    case DW_OP_stack_value:
      if (need(c, s, 1)) return -1;
      res->kind = P_VALUE; res->x = s->v[s->n - 1]; return 0;
    case DW_OP_nop: return 0;
    case DW_OP_entry_value: case DW_OP_GNU_entry_value: {
      /* DW_OP_regN (or regx) in the block: that register at the entry */
      int reg = entry_block_reg(c, op);
      if (reg < 0 || sse__entry_reg(c, reg, &r)) return 1;
      return push(c, s, r);
    }
    case DW_OP_implicit_pointer: case DW_OP_GNU_implicit_pointer:
      /* a pointer to the value of the DIE at op->number (gdb's <synthetic
       * pointer>), op->number2 bytes into it */
      res->kind = P_IMPLPTR;
      res->x = op->number;
      res->len = (size_t)op->number2;
      return 0;
    case DW_OP_GNU_parameter_ref:
      /* the dropped parameter's value from the caller's call site */
      if (sse__entry_param_ref(c, op->number, &r)) return 1;
      return push(c, s, r);
    case DW_OP_form_tls_address: case DW_OP_GNU_push_tls_address:
      if (need(c, s, 1) || sse__tls_address(c, s->v[s->n - 1], &r)) return -1;
      s->v[s->n - 1] = r;
      return 0;
  }
  return stack_op(c, s, op);
}

/* The value of a finished part as bytes into buf[0..len). 1: unavailable. */
static int part_bytes(sse__vctx *c, const part *p, stack *s, unsigned char *buf, size_t len) {
  uint64_t r;
  switch (p->kind) {
    case P_NONE:
      if (s->n == 0) return 1; /* an empty piece: optimized out */
      return sse__mem(c, s->v[s->n - 1], buf, len);
    case P_MEM: return sse__mem(c, p->x, buf, len);
    case P_REG:
      if (reg_value(c, (int)p->x, &r)) return 1;
      memcpy(buf, &r, len < 8 ? len : 8);
      return 0;
    case P_VALUE: memcpy(buf, &p->x, len < 8 ? len : 8); return 0;
    case P_IMPLICIT: memcpy(buf, p->bytes, len < p->len ? len : p->len); return 0;
    default: return 1;
  }
}

static int eval_ops(sse__vctx *c, const Dwarf_Op *ops, size_t n, part *res, stack *s, int depth) {
  size_t steps = 0;
  for (size_t i = 0; i < n; i++) {
    if (++steps > LOC_MAX_OPS) return sse__verr(c, "DWARF expression too long.");
    const Dwarf_Op *op = &ops[i];
    if (op->atom == DW_OP_skip || op->atom == DW_OP_bra) {
      if (op->atom == DW_OP_bra && (need(c, s, 1) || s->v[--s->n] == 0)) {
        if (c->err[0]) return -1;
        continue;
      }
      size_t j = op_at(ops, n, op->offset + 3 + (uint64_t)(int64_t)(int16_t)op->number);
      if (j >= n) return 0;
      i = j - 1;
      continue;
    }
    if (op->atom == DW_OP_implicit_value) {
      res->kind = P_IMPLICIT;
      res->len = op->number;
      res->bytes = (const unsigned char *)(uintptr_t)op->number2;
      continue;
    }
    if (op->atom == DW_OP_piece) return sse__verr(c, "Unexpected DW_OP_piece.");
    int rc = one_op(c, op, res, s, depth);
    if (rc) return rc;
  }
  if (res->kind == P_NONE) {
    if (s->n == 0) return 1;
    res->kind = P_MEM;
    res->x = s->v[s->n - 1];
  }
  return 0;
}

static int optout(sse__value *out) {
  out->kind = SSE__V_OPTOUT;
  return 0;
}

/* A value of pieces: each part's bytes at its place in the buffer. */
static int pieces(sse__vctx *c, const Dwarf_Op *ops, size_t n, sse__value *out) {
  uint64_t size = out->type ? sse__type_size(out->type) : 0;
  size_t total = 0;
  for (size_t i = 0; i < n; i++)
    if (ops[i].atom == DW_OP_piece) total += ops[i].number;
  if (size == 0 || size > LOC_MAX_SIZE) size = total;
  if (size == 0 || size > LOC_MAX_SIZE) return sse__verr(c, "Bad DW_OP_piece.");
  unsigned char *buf = sse__va_alloc(c, size);
  if (!buf) return -1;
  size_t start = 0, at = 0;
  for (size_t i = 0; i < n; i++) {
    if (ops[i].atom != DW_OP_piece) continue;
    uint64_t len = ops[i].number;
    if (len > size - at) return sse__verr(c, "Bad DW_OP_piece.");
    part p = {0};
    stack s = {.n = 0};
    int rc = i > start ? eval_ops(c, ops + start, i - start, &p, &s, 0) : 1;
    if (rc == 0) {
      if (p.kind == P_MEM && i > start) rc = sse__mem(c, p.x, buf + at, len);
      else rc = part_bytes(c, &p, &s, buf + at, len);
    }
    if (rc < 0) return -1;
    if (rc > 0) {
      /* this piece is optimized out: its bytes only (gdb prints the
       * members the other pieces give) */
      if (!out->unavail && !(out->unavail = sse__va_alloc(c, size))) return -1;
      memset(out->unavail + at, 1, len);
    }
    at += len;
    start = i + 1;
  }
  if (at < size) {
    /* past the last piece: 2, gdb's check_pieced_synthetic_pointer finds
     * no piece there and calls a member wholly past them <synthetic
     * pointer> */
    if (!out->unavail && !(out->unavail = sse__va_alloc(c, size))) return -1;
    memset(out->unavail + at, SSE__PAST_PIECES, size - at);
  }
  out->kind = SSE__V_BYTES;
  out->bytes = buf;
  return 0;
}

static int bytes_of(sse__vctx *c, sse__value *out, const void *src, size_t len) {
  uint64_t size = out->type ? sse__type_size(out->type) : len;
  if (size > LOC_MAX_SIZE) return sse__verr(c, "Value too large.");
  unsigned char *b = sse__va_alloc(c, size ? size : 1);
  if (!b) return -1;
  memcpy(b, src, len < size ? len : size);
  out->kind = SSE__V_BYTES;
  out->bytes = b;
  return 0;
}

static int expr_value(sse__vctx *c, const Dwarf_Op *ops, size_t n, sse__value *out) {
  for (size_t i = 0; i < n; i++)
    if (ops[i].atom == DW_OP_piece || ops[i].atom == DW_OP_bit_piece) {
      if (ops[i].atom == DW_OP_bit_piece) return optout(out);
      return pieces(c, ops, n, out);
    }
  part p = {0};
  stack s = {.n = 0};
  int rc = eval_ops(c, ops, n, &p, &s, 0);
  if (rc) return rc < 0 ? -1 : optout(out);
  uint64_t r;
  switch (p.kind) {
    case P_MEM: out->kind = SSE__V_MEM; out->addr = p.x; return 0;
    case P_REG:
      if (reg_value(c, (int)p.x, &r)) return optout(out);
      out->reg = (int)p.x + 1;
      return bytes_of(c, out, &r, sizeof r);
    case P_VALUE: return bytes_of(c, out, &p.x, sizeof p.x);
    case P_IMPLICIT: return bytes_of(c, out, p.bytes, p.len);
    case P_IMPLPTR:
      out->kind = SSE__V_IMPLPTR;
      out->addr = p.x;
      out->impl_off = (int64_t)p.len;
      return 0;
    default: return optout(out);
  }
}

static int const_value(sse__vctx *c, Dwarf_Attribute *a, sse__value *out) {
  Dwarf_Block blk;
  Dwarf_Sword sv;
  if (dwarf_formblock(a, &blk) == 0) return bytes_of(c, out, blk.data, blk.length);
  if (dwarf_formsdata(a, &sv) == 0) return bytes_of(c, out, &sv, sizeof sv);
  const char *str = dwarf_formstring(a);
  if (str) return bytes_of(c, out, str, strlen(str) + 1);
  return optout(out);
}

int sse__loc_variable(sse__vctx *c, Dwarf_Die *var, sse__value *out) {
  memset(out, 0, sizeof *out);
  Dwarf_Attribute a;
  if (dwarf_tag(var) == DW_TAG_enumerator) {
    /* its type is the enumeration holding it (scope.c found both) */
    if (!(out->type = sse__type_from(c, &c->cur_enum))) return -1;
    return dwarf_attr(var, DW_AT_const_value, &a) ? const_value(c, &a, out) : optout(out);
  }
  out->type = sse__type_of_die(c, var);
  if (c->err[0]) return -1;
  if (!out->type) out->type = c->t_int;
  if (dwarf_attr_integrate(var, DW_AT_const_value, &a)) return const_value(c, &a, out);
  if (!dwarf_attr_integrate(var, DW_AT_location, &a)) return optout(out);
  Dwarf_Op *ops;
  size_t nops;
  int k = sse__loc_at(c, &a, c->lookup_pc - c->at->bias, &ops, &nops);
  if (k < 0) return sse__verr(c, "Invalid DWARF location: %s.", dwarf_errmsg(-1));
  if (k == 0 || nops == 0) return optout(out);
  Dwarf_Attribute *saved = c->loc_attr;
  c->loc_attr = &a; /* the ops' attribute, for DW_OP_entry_value */
  int rc = expr_value(c, ops, nops, out);
  c->loc_attr = saved;
  return rc;
}

int sse__loc_eval_word(sse__vctx *c, const Dwarf_Op *ops, size_t n, bool is_loc, uint64_t *out) {
  part p = {0};
  stack s = {.n = 0};
  int rc = eval_ops(c, ops, n, &p, &s, 0);
  if (rc) return rc;
  switch (p.kind) {
    case P_MEM:
      if (!is_loc) {
        *out = p.x;
        return 0;
      }
      return sse__mem(c, p.x, out, 8);
    case P_VALUE: *out = p.x; return 0;
    case P_REG: return reg_value(c, (int)p.x, out);
    default: return 1;
  }
}
