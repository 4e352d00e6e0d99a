/* The expression tree evaluated to a value in the frame's context, with
 * C's conversions (integer promotions, the usual arithmetic conversions,
 * pointer arithmetic scaled by the element size) and gdb's error texts.
 * Values stay lazy: *p is an lvalue at p, read only when printed. */
#include <ctype.h>
#include <dwarf.h>
#include <string.h>

#include "values/values.h"

static int eval(sse__vctx *c, const sse__expr *e, sse__value *out, int depth);
static int cast(sse__vctx *c, sse__vtype *t, sse__value *v);

static int member(sse__vctx *c, sse__value *v, const char *name);

/* A member of *this, as C++ names it inside a method; 0 found. */
static int this_member(sse__vctx *c, const char *name, sse__value *out) {
  Dwarf_Die die;
  if (!sse__scope_find(c, "this", &die) || sse__loc_variable(c, &die, out)) return 1;
  sse__vtype *t = sse__type_strip(out->type);
  int64_t a;
  if (!t || t->kind != SSE__TY_PTR || sse__val_int(c, out, &a)) return 1;
  *out = sse__val_at(t->target, (uint64_t)a);
  if (member(c, out, name)) {
    c->err[0] = 0;
    return 1;
  }
  return 0;
}

static int ident(sse__vctx *c, const char *name, bool quoted, sse__value *out) {
  Dwarf_Die die;
  if (!sse__scope_find(c, name, &die)) {
    if (!c->err[0] && this_member(c, name, out) == 0) return 0;
    c->err[0] = 0;
    if (strstr(name, "::") && !quoted) {
      int rc = sse__qualified_member(c, name, false, out);
      if (rc <= 0) return rc;
    }
    Dwarf_Die td;
    if (!quoted && sse__scope_find_type(c, DW_TAG_typedef, name, &td))
      return sse__verr(c, "Attempt to use a type name as an expression");
    c->err[0] = 0;
    if (strstr(name, "::") && !quoted) return sse__scope_not_found(c, name);
    int rc = sse__msym_function(c, name, out);
    if (rc <= 0) return rc;
    return sse__verr(c, "No symbol \"%s\" in current context.", name);
  }
  if (dwarf_tag(&die) == DW_TAG_subprogram) {
    uint64_t at;
    memset(out, 0, sizeof *out);
    if (sse__scope_code(c, &die, &at))
      return sse__verr(c, "No symbol \"%s\" in current context.", name);
    if (!(out->type = sse__type_from(c, &die))) return -1;
    out->kind = SSE__V_MEM;
    out->addr = at;
    out->is_func = true;
    return 0;
  }
  return sse__loc_variable(c, &die, out);
}

static bool is_int_kind(sse__vtype *t) {
  return t && (t->kind == SSE__TY_INT || t->kind == SSE__TY_CHAR || t->kind == SSE__TY_BOOL ||
               t->kind == SSE__TY_ENUM);
}

/* A C++ reference as what it refers to (gdb's coerce_ref). */
int sse__val_unref(sse__vctx *c, sse__value *v) {
  sse__vtype *t = sse__type_strip(v->type);
  int64_t a;
  if (!t || t->kind != SSE__TY_PTR || !t->ref) return 0;
  if (sse__val_int(c, v, &a)) return -1;
  *v = sse__val_at(t->target, (uint64_t)a);
  return 0;
}


/* Arrays and functions as pointers (C's decay). */
static int decay(sse__vctx *c, sse__value *v) {
  if (sse__val_unref(c, v)) return -1;
  sse__vtype *t = sse__type_strip(v->type);
  if (!t || (t->kind != SSE__TY_ARRAY && t->kind != SSE__TY_FUNC)) return 0;
  if (v->kind != SSE__V_MEM) return sse__verr(c, "Attempt to take address of value not located in memory.");
  sse__vtype *pt = sse__type_ptr_to(c, t->kind == SSE__TY_ARRAY ? t->target : v->type);
  return pt ? sse__val_from_int(c, pt, (int64_t)v->addr, v) : -1;
}

int sse__implptr_deref(sse__vctx *c, sse__value *v) {
  sse__vtype *t = sse__type_strip(v->type);
  Dwarf *dw = c->at && c->at->cu ? dwarf_cu_getdwarf(c->at->cu->cu) : NULL;
  Dwarf_Die die;
  sse__value to;
  int64_t off = v->impl_off;
  if (!t || t->kind != SSE__TY_PTR || !dw || !dwarf_offdie(dw, (Dwarf_Off)v->addr, &die))
    return sse__verr(c, "value has been optimized out");
  if (sse__loc_variable(c, &die, &to)) return -1;
  uint64_t size = sse__type_size(t->target), have = sse__type_size(to.type);
  if (to.kind == SSE__V_MEM) to.addr += (uint64_t)off;
  else if (to.kind == SSE__V_BYTES && off >= 0 && (uint64_t)off + size <= have) to.bytes += off;
  else if (to.kind != SSE__V_OPTOUT) return sse__verr(c, "value has been optimized out");
  to.type = t->target;
  to.reg = 0;
  *v = to;
  return 0;
}

static int deref(sse__vctx *c, sse__value *v) {
  if (v->kind == SSE__V_IMPLPTR) return sse__implptr_deref(c, v);
  sse__vtype *ft = sse__type_strip(v->type);
  /* gdb's unop_ind without side effects (whatis, ptype) takes the
   * contents of a pointer, an array or an int only: a function's not */
  if (c->dry && ft && ft->kind == SSE__TY_FUNC)
    return sse__verr(c, "Attempt to take contents of a non-pointer value.");
  if (decay(c, v)) return -1;
  sse__vtype *t = sse__type_strip(v->type);
  if (t && is_int_kind(t)) {
    /* gdb: an integer is an address of a long there */
    int64_t a;
    if (sse__val_int(c, v, &a)) return -1;
    *v = sse__val_at(c->t_long, (uint64_t)a);
    return 0;
  }
  if (!t || t->kind != SSE__TY_PTR)
    return sse__verr(c, "Attempt to take contents of a non-pointer value.");
  if (!t->target || sse__type_strip(t->target)->kind == SSE__TY_VOID)
    return sse__verr(c, "Attempt to dereference a generic pointer.");
  int64_t a;
  if (sse__val_int(c, v, &a)) return -1;
  sse__vtype *to = t->target;
  *v = sse__val_at(to, (uint64_t)a);
  v->is_func = sse__type_strip(to)->kind == SSE__TY_FUNC;
  return 0;
}

static int addr_of(sse__vctx *c, sse__value *v) {
  if (sse__val_unref(c, v)) return -1;
  if (v->kind != SSE__V_MEM || v->bit_size)
    return sse__verr(c, v->bit_size ? "Attempt to take address of value not located in memory."
                                    : "Attempt to take address of value not located in memory.");
  sse__vtype *pt = sse__type_ptr_to(c, v->type);
  return pt ? sse__val_from_int(c, pt, (int64_t)v->addr, v) : -1;
}

static int member(sse__vctx *c, sse__value *v, const char *name) {
  if (sse__val_unref(c, v)) return -1;
  sse__vtype *t = sse__type_strip(v->type);
  if (!t || (t->kind != SSE__TY_STRUCT && t->kind != SSE__TY_UNION))
    return sse__verr(c, "Attempt to extract a component of a value that is not a structure.");
  sse__value r;
  if (!sse__val_find_member(c, v, name, &r, 0)) {
    int rc = t->cxx ? sse__method_value(c, v, t, name, false, &r) : 0;
    if (rc <= 0) return rc < 0 ? -1 : sse__verr(c, "There is no member named %s.", name);
  }
  *v = r;
  return 0;
}

/* C++: a pointer or reference to a class converted to one to its base
 * class points to the base subobject (else v unchanged). */
static int to_base(sse__vctx *c, sse__vtype *to, sse__value *v) {
  sse__vtype *from = sse__type_strip(v->type);
  if (!from || from->kind != SSE__TY_PTR || to->kind != SSE__TY_PTR) return 0;
  sse__vtype *ft = sse__type_strip(from->target), *tt = sse__type_strip(to->target);
  if (!ft || !tt || ft == tt || ft->kind != SSE__TY_STRUCT || tt->kind != SSE__TY_STRUCT)
    return 0;
  int64_t a;
  sse__value obj, base;
  if (sse__val_int(c, v, &a)) return -1;
  obj = sse__val_at(from->target, (uint64_t)a);
  if (!a || !sse__val_base(c, &obj, tt, &base, 0) || base.kind != SSE__V_MEM) return 0;
  return sse__val_from_int(c, from, (int64_t)base.addr, v);
}

/* The type of the usual arithmetic conversions of a and b (ints). */
static sse__vtype *arith_type(sse__vctx *c, sse__vtype *a, sse__vtype *b) {
  bool ul = false, l = false, u = false;
  sse__vtype *ts[2] = {a, b};
  for (int i = 0; i < 2; i++) {
    uint64_t s = ts[i]->size;
    bool sg = ts[i]->is_signed || ts[i]->kind == SSE__TY_BOOL;
    if (s >= 8 && !sg) ul = true;
    else if (s >= 8) l = true;
    else if (s == 4 && !sg && ts[i]->kind != SSE__TY_ENUM) u = true;
  }
  return ul ? c->t_ulong : l ? (u ? c->t_long : c->t_long) : u ? c->t_uint : c->t_int;
}

static int int_op(sse__vctx *c, int op, int64_t x, int64_t y, bool sgn, int64_t *r) {
  uint64_t ux = (uint64_t)x, uy = (uint64_t)y;
  switch (op) {
    case '+': *r = (int64_t)(ux + uy); return 0;
    case '-': *r = (int64_t)(ux - uy); return 0;
    case '*': *r = (int64_t)(ux * uy); return 0;
    case '/': case '%':
      if (y == 0) return sse__verr(c, "Division by zero");
      if (sgn && x == INT64_MIN && y == -1) { *r = op == '/' ? x : 0; return 0; }
      if (op == '/') *r = sgn ? x / y : (int64_t)(ux / uy);
      else *r = sgn ? x % y : (int64_t)(ux % uy);
      return 0;
    case '&': *r = x & y; return 0;
    case '|': *r = x | y; return 0;
    case '^': *r = x ^ y; return 0;
    case 256 + 6: *r = uy < 64 ? (int64_t)(ux << uy) : 0; return 0;              /* << */
    case 256 + 7: *r = uy < 64 ? (sgn ? x >> uy : (int64_t)(ux >> uy)) : 0; return 0; /* >> */
    case '<': *r = sgn ? x < y : ux < uy; return 0;
    case '>': *r = sgn ? x > y : ux > uy; return 0;
    case 256 + 4: *r = sgn ? x <= y : ux <= uy; return 0;
    case 256 + 5: *r = sgn ? x >= y : ux >= uy; return 0;
    case 256 + 2: *r = x == y; return 0;
    case 256 + 3: *r = x != y; return 0;
  }
  return sse__verr(c, "Unsupported operator.");
}

static int float_op(sse__vctx *c, int op, double x, double y, sse__value *out) {
  double r;
  int64_t b;
  switch (op) {
    case '+': r = x + y; break;
    case '-': r = x - y; break;
    case '*': r = x * y; break;
    case '/': r = x / y; break;
    case '<': b = x < y; goto cmp;
    case '>': b = x > y; goto cmp;
    case 256 + 4: b = x <= y; goto cmp;
    case 256 + 5: b = x >= y; goto cmp;
    case 256 + 2: b = x == y; goto cmp;
    case 256 + 3: b = x != y; goto cmp;
    default: return sse__verr(c, "Integer only operation.");
  }
  return sse__val_from_double(c, c->t_double, r, out);
cmp:
  return sse__val_from_int(c, c->t_truth, b, out);
}

/* Pointer arithmetic: p + i, i + p, p - i, p - q, comparisons. */
static int ptr_op(sse__vctx *c, int op, sse__value *a, sse__value *b, sse__value *out) {
  sse__vtype *ta = sse__type_strip(a->type), *tb = sse__type_strip(b->type);
  int64_t x, y;
  if (sse__val_int(c, a, &x) || sse__val_int(c, b, &y)) return -1;
  if (ta->kind == SSE__TY_PTR && tb->kind == SSE__TY_PTR) {
    if (op == '-') {
      uint64_t es = sse__type_size(ta->target);
      return sse__val_from_int(c, c->t_long, es ? (x - y) / (int64_t)es : x - y, out);
    }
    int64_t r;
    if (int_op(c, op, x, y, false, &r)) return -1;
    return sse__val_from_int(c, c->t_truth, r, out);
  }
  if (op != '+' && op != '-') return sse__verr(c, "Argument to arithmetic operation not a number or boolean.");
  if (tb->kind == SSE__TY_PTR) {
    if (op == '-') return sse__verr(c, "Argument to arithmetic operation not a number or boolean.");
    sse__value *t = a; a = b; b = t;
    int64_t tt = x; x = y; y = tt;
    ta = tb;
  }
  uint64_t es = sse__type_size(ta->target);
  if (!es) es = 1;
  /* Address arithmetic wraps, as the machine's (and gdb's) does. */
  uint64_t r = op == '+' ? (uint64_t)x + (uint64_t)y * es : (uint64_t)x - (uint64_t)y * es;
  return sse__val_from_int(c, a->type, (int64_t)r, out);
}

static int logical(sse__vctx *c, const sse__expr *e, sse__value *out, int depth) {
  sse__value a, b;
  int64_t x, y = 0;
  if (eval(c, e->a, &a, depth) || decay(c, &a) || sse__val_int(c, &a, &x)) return -1;
  bool and = e->bin == 256 + 1;
  if ((and && x) || (!and && !x)) {
    if (eval(c, e->b, &b, depth) || decay(c, &b) || sse__val_int(c, &b, &y)) return -1;
  }
  return sse__val_from_int(c, c->t_truth, and ? (x && y) : (x || y), out);
}

/* gdb's a@n: n objects like a from a's address on, as an array. */
static int artificial_array(sse__vctx *c, const sse__expr *e, sse__value *out, int depth) {
  sse__value n;
  int64_t k;
  if (eval(c, e->a, out, depth) || eval(c, e->b, &n, depth) || sse__val_int(c, &n, &k)) return -1;
  if (k <= 0) return sse__verr(c, "Invalid number %lld of repetitions.", (long long)k);
  if (out->kind != SSE__V_MEM || out->bit_size)
    return sse__verr(c, "Only values in memory can be extended with '@'.");
  sse__vtype *at = sse__type_base(c, NULL, 0, SSE__TY_ARRAY, false);
  if (!at) return -1;
  at->target = out->type;
  at->count = k;
  at->size = (uint64_t)k * sse__type_size(out->type);
  out->type = at;
  out->is_func = false;
  return 0;
}

/* The floating type of a binary operation: the larger one. */
static sse__vtype *float_type(sse__vctx *c, sse__vtype *a, sse__vtype *b, sse__vtype *oa,
                              sse__vtype *ob) {
  uint64_t sa = a->kind == SSE__TY_FLOAT ? a->size : 0, sb = b->kind == SSE__TY_FLOAT ? b->size : 0;
  return sa >= sb ? oa : ob;
}

static int binary(sse__vctx *c, const sse__expr *e, sse__value *out, int depth) {
  if (e->bin == 256 || e->bin == 256 + 1) return logical(c, e, out, depth);
  if (e->bin == '@') return artificial_array(c, e, out, depth);
  sse__value a, b;
  if (e->bin == 256 + 8 || e->bin == 256 + 9) { /* obj.*pm, p->*pm */
    if (eval(c, e->a, &a, depth) || eval(c, e->b, &b, depth)) return -1;
    if (e->bin == 256 + 9 && deref(c, &a)) return -1;
    return sse__val_unref(c, &a) ? -1 : sse__memptr_apply(c, &a, &b, out);
  }
  if (eval(c, e->a, &a, depth) || eval(c, e->b, &b, depth)) return -1;
  if (decay(c, &a) || decay(c, &b)) return -1;
  sse__vtype *ta = sse__type_strip(a.type), *tb = sse__type_strip(b.type);
  if (a.kind == SSE__V_OPTOUT || b.kind == SSE__V_OPTOUT) return sse__verr(c, "value has been optimized out");
  if (ta->kind == SSE__TY_PTR || tb->kind == SSE__TY_PTR) return ptr_op(c, e->bin, &a, &b, out);
  if (ta->kind == SSE__TY_FLOAT || tb->kind == SSE__TY_FLOAT) {
    if (!(is_int_kind(ta) || ta->kind == SSE__TY_FLOAT) || !(is_int_kind(tb) || tb->kind == SSE__TY_FLOAT))
      return sse__verr(c, "Argument to arithmetic operation not a number or boolean.");
    double x, y;
    if (sse__val_double(c, &a, &x) || sse__val_double(c, &b, &y)) return -1;
    if (float_op(c, e->bin, x, y, out)) return -1;
    sse__vtype *ft = float_type(c, ta, tb, a.type, b.type);
    return sse__type_strip(out->type)->kind == SSE__TY_FLOAT ? cast(c, ft, out) : 0;
  }
  if (!is_int_kind(ta) || !is_int_kind(tb))
    return sse__verr(c, "Argument to arithmetic operation not a number or boolean.");
  int64_t x, y, r;
  if (sse__val_int(c, &a, &x) || sse__val_int(c, &b, &y)) return -1;
  sse__vtype *rt = arith_type(c, ta, tb);
  bool shift = e->bin == 256 + 6 || e->bin == 256 + 7;
  if (shift) rt = arith_type(c, ta, ta);
  if (int_op(c, e->bin, x, y, rt->is_signed, &r)) return -1;
  bool cmp = e->bin == '<' || e->bin == '>' || (e->bin >= 256 + 2 && e->bin <= 256 + 5);
  if (cmp) rt = c->t_truth;
  if (rt->size == 4) r = rt->is_signed ? (int64_t)(int32_t)r : (int64_t)(uint32_t)r;
  return sse__val_from_int(c, rt, r, out);
}

static int unary(sse__vctx *c, const sse__expr *e, sse__value *out, int depth) {
  /* &C::f: a pointer to the method, a virtual one by its vtable slot */
  if (e->op == SSE__E_ADDR && e->a->op == SSE__E_IDENT && e->a->bin != '\'' &&
      strstr(e->a->name, "::")) {
    Dwarf_Die die;
    if (!sse__scope_find(c, e->a->name, &die)) {
      int rc = c->err[0] ? -1 : sse__qualified_member(c, e->a->name, true, out);
      if (rc <= 0) return rc < 0 || out->kind == SSE__V_BYTES ? rc : sse__method_pointer(c, out);
    }
    c->err[0] = 0;
  }
  if (eval(c, e->a, out, depth)) return -1;
  if (e->op == SSE__E_DEREF) return deref(c, out);
  if (e->op == SSE__E_ADDR) {
    if (out->is_func && out->method_of) return sse__method_pointer(c, out);
    if (out->is_func) {
      sse__vtype *pt = sse__type_ptr_to(c, out->type);
      return pt ? sse__val_from_int(c, pt, (int64_t)out->addr, out) : -1;
    }
    return addr_of(c, out);
  }
  sse__vtype *t = sse__type_strip(out->type);
  if (out->kind == SSE__V_OPTOUT) return sse__verr(c, "value has been optimized out");
  if (t->kind == SSE__TY_FLOAT && e->op == SSE__E_NEG) {
    double d;
    return sse__val_double(c, out, &d) ? -1 : sse__val_from_double(c, c->t_double, -d, out);
  }
  if (decay(c, out)) return -1;
  t = sse__type_strip(out->type);
  int64_t x;
  if ((!is_int_kind(t) && !(t->kind == SSE__TY_PTR && e->op == SSE__E_NOT)) || sse__val_int(c, out, &x))
    return c->err[0] ? -1 : sse__verr(c, "Argument to arithmetic operation not a number or boolean.");
  sse__vtype *rt = e->op == SSE__E_NOT ? c->t_truth : arith_type(c, t, t);
  int64_t r = e->op == SSE__E_NEG ? (int64_t)(0 - (uint64_t)x) : e->op == SSE__E_NOT ? !x : ~x;
  if (rt->size == 4) r = rt->is_signed ? (int64_t)(int32_t)r : (int64_t)(uint32_t)r;
  return sse__val_from_int(c, rt, r, out);
}

/* gdb's $NAME: a register of the frame (DWARF number, bytes, the type
 * gdb gives it), else a convenience variable, void until set. */
static int dollar(sse__vctx *c, const char *name, sse__value *out) {
  static const struct { const char *n; int reg, size; } regs[] = {
      {"rax", 0, 8}, {"rdx", 1, 8}, {"rcx", 2, 8}, {"rbx", 3, 8}, {"rsi", 4, 8}, {"rdi", 5, 8},
      {"rbp", 6, 8}, {"rsp", 7, 8}, {"r8", 8, 8}, {"r9", 9, 8}, {"r10", 10, 8}, {"r11", 11, 8},
      {"r12", 12, 8}, {"r13", 13, 8}, {"r14", 14, 8}, {"r15", 15, 8}, {"rip", 16, 8},
      {"pc", 16, 8}, {"sp", 7, 8}, {"fp", 6, 8}, {"eax", 0, 4}, {"edx", 1, 4}, {"ecx", 2, 4},
      {"ebx", 3, 4}, {"esi", 4, 4}, {"edi", 5, 4}, {"ebp", 6, 4}, {"esp", 7, 4}, {"ax", 0, 2},
      {"dx", 1, 2}, {"cx", 2, 2}, {"bx", 3, 2}, {"al", 0, 1}, {"dl", 1, 1}, {"cl", 2, 1},
      {"bl", 3, 1}};
  if (!*name || isdigit((unsigned char)*name) || *name == '$')
    return sse__verr(c, "History is not available here.");
  for (size_t i = 0; i < sizeof regs / sizeof *regs; i++) {
    if (strcmp(name, regs[i].n) != 0) continue;
    int r = regs[i].reg;
    c->used_frame = true;
    if (!(c->regmask >> r & 1)) return sse__verr(c, "value is not available");
    sse__vtype *t;
    if (r == 16) {
      sse__vtype *f = sse__type_base(c, NULL, 1, SSE__TY_FUNC, false);
      if (f) f->prototyped = c->t_truth != c->t_int; /* C++'s: "void (*)(void)" */
      t = f ? sse__type_ptr_to(c, f) : NULL;
    } else if (regs[i].size == 8 && (r == 6 || r == 7)) {
      t = sse__type_ptr_to(c, c->t_void);
    } else {
      static const char *const names[] = {NULL, "int8_t", "int16_t", NULL, "int32_t",
                                          NULL, NULL, NULL, "int64_t"};
      t = sse__type_base(c, names[regs[i].size], (uint64_t)regs[i].size, SSE__TY_INT, true);
    }
    if (!t) return -1;
    unsigned shift = 64 - 8 * (unsigned)regs[i].size; /* the low bytes, sign-extended */
    int64_t v = (int64_t)(c->reg[r] << shift) >> shift;
    return sse__val_from_int(c, t, v, out);
  }
  return sse__val_from_int(c, c->t_void, 0, out);
}

/* (t) v: C's conversions between scalars; a struct only to itself. */
static int cast(sse__vctx *c, sse__vtype *t, sse__value *v) {
  sse__vtype *to = sse__type_strip(t), *from = sse__type_strip(v->type);
  if (!to || !from) return sse__verr(c, "Invalid cast.");
  if (to->kind == SSE__TY_STRUCT || to->kind == SSE__TY_UNION || to->kind == SSE__TY_ARRAY ||
      to->kind == SSE__TY_FUNC) {
    /* C++: a class as its base class is the base subobject */
    sse__value base;
    if (to->kind == SSE__TY_STRUCT && to != from && sse__val_base(c, v, to, &base, 0)) {
      *v = base;
      return 0;
    }
    /* gdb: a value in memory is seen as the other type there; bytes
     * held only as one of the same size */
    if (to != from && v->kind != SSE__V_MEM && sse__type_size(to) != sse__type_size(from))
      return sse__verr(c, "Invalid cast.");
    v->type = t;
    v->is_func = false;
    return 0;
  }
  if (to->kind == SSE__TY_VOID) return sse__val_from_int(c, t, 0, v);
  if (decay(c, v)) return -1;
  from = sse__type_strip(v->type);
  if (from->kind == SSE__TY_STRUCT || from->kind == SSE__TY_UNION) {
    if (v->kind != SSE__V_MEM) return sse__verr(c, "Invalid cast.");
    *v = sse__val_at(t, v->addr); /* gdb: the bytes there seen as t */
    return 0;
  }
  if (to_base(c, to, v)) return -1;
  if (to->kind == SSE__TY_FLOAT) {
    double d;
    if (sse__val_double(c, v, &d)) return -1;
    if (to->size == 4) {
      float f = (float)d;
      int32_t bits;
      memcpy(&bits, &f, 4);
      return sse__val_from_int(c, t, bits, v);
    }
    return to->size == 8 ? sse__val_from_double(c, t, d, v) : sse__verr(c, "Invalid cast.");
  }
  int64_t x;
  if (sse__val_int(c, v, &x)) return -1;
  if (to->kind == SSE__TY_BOOL) x = x != 0;
  else if (to->size < 8) {
    unsigned bits = (unsigned)to->size * 8;
    uint64_t m = (1ull << bits) - 1, u = (uint64_t)x & m;
    x = to->is_signed && (u >> (bits - 1) & 1) ? (int64_t)(u | ~m) : (int64_t)u;
  }
  return sse__val_from_int(c, t, x, v);
}

int sse__val_cast(sse__vctx *c, sse__vtype *t, sse__value *v) { return cast(c, t, v); }

/* a = b, a op= b (a op b computed first): the value of a after. */
static int assignment(sse__vctx *c, const sse__expr *e, sse__value *out, int depth) {
  sse__value rhs;
  if (eval(c, e->a, out, depth) || sse__val_unref(c, out)) return -1;
  if (e->bin) {
    sse__expr op = {.op = SSE__E_BIN, .bin = e->bin, .a = e->a, .b = e->b};
    if (binary(c, &op, &rhs, depth)) return -1;
  } else if (eval(c, e->b, &rhs, depth)) {
    return -1;
  }
  return sse__val_assign(c, out, &rhs);
}

/* a ? b : alt */
static int conditional(sse__vctx *c, const sse__expr *e, sse__value *out, int depth) {
  if (eval(c, e->a, out, depth) || decay(c, out)) return -1;
  sse__vtype *t = sse__type_strip(out->type);
  bool yes;
  if (out->kind == SSE__V_OPTOUT) return sse__verr(c, "value has been optimized out");
  if (t->kind == SSE__TY_FLOAT) {
    double d;
    if (sse__val_double(c, out, &d)) return -1;
    yes = d != 0;
  } else {
    int64_t x;
    if (!is_int_kind(t) && t->kind != SSE__TY_PTR)
      return sse__verr(c, "Argument to arithmetic operation not a number or boolean.");
    if (sse__val_int(c, out, &x)) return -1;
    yes = x != 0;
  }
  return eval(c, yes ? e->b : e->alt, out, depth);
}

static int eval(sse__vctx *c, const sse__expr *e, sse__value *out, int depth) {
  if (depth > 400) return sse__verr(c, "Expression too deeply nested.");
  depth++;
  switch (e->op) {
    case SSE__E_NUM: {
      sse__vtype *t = e->bin == 'c' ? c->t_char
                      : e->num_long ? (e->num_unsigned ? c->t_ulong : c->t_long)
                      : e->num_unsigned ? c->t_uint : c->t_int;
      return sse__val_from_int(c, t, (int64_t)e->num, out);
    }
    case SSE__E_FNUM: return sse__val_from_double(c, c->t_double, e->fnum, out);
    case SSE__E_IDENT: return ident(c, e->name, e->bin == '\'', out);
    case SSE__E_DOLLAR: return dollar(c, e->name, out);
    case SSE__E_MEMBER: return eval(c, e->a, out, depth) || member(c, out, e->name) ? -1 : 0;
    case SSE__E_ARROW: {
      if (eval(c, e->a, out, depth)) return -1;
      sse__vtype *t = sse__type_strip(out->type);
      if (t && t->kind == SSE__TY_PTR && deref(c, out)) return -1;
      sse__vtype *st = sse__type_strip(out->type);
      if (!st || (st->kind != SSE__TY_STRUCT && st->kind != SSE__TY_UNION))
        return sse__verr(c, "Attempt to extract a component of a value that is not a structure pointer.");
      return member(c, out, e->name);
    }
    case SSE__E_INDEX: {
      sse__expr sum = {.op = SSE__E_BIN, .bin = '+', .a = e->a, .b = e->b};
      return binary(c, &sum, out, depth) || deref(c, out) ? -1 : 0;
    }
    case SSE__E_BIN: return binary(c, e, out, depth);
    case SSE__E_ASSIGN: return assignment(c, e, out, depth);
    case SSE__E_COND: return conditional(c, e, out, depth);
    case SSE__E_CAST: return eval(c, e->a, out, depth) || cast(c, e->type, out) ? -1 : 0;
    case SSE__E_SIZEOF: case SSE__E_SIZEOF_TYPE: {
      sse__vtype *t = e->type;
      if (e->op == SSE__E_SIZEOF) {
        /* gdb evaluates sizeof's operand without side effects */
        bool dry = c->dry;
        c->dry = true;
        int rc = eval(c, e->a, out, depth);
        c->dry = dry;
        if (rc) return -1;
        t = out->type;
      }
      /* gdb's sizeof is an int */
      return sse__val_from_int(c, c->t_int, (int64_t)sse__type_size(t), out);
    }
    default: return unary(c, e, out, depth);
  }
}

int sse__expr_eval(sse__vctx *c, const sse__expr *e, sse__value *out) {
  memset(out, 0, sizeof *out);
  return eval(c, e, out, 0);
}
