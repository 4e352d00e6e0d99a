/* The value a function returned, by the SysV x86-64 classification: its
 * DW_AT_type; integers, pointers, enums in rax; float and double in xmm0;
 * a struct or union of up to 16 bytes in eightbytes of rax, rdx (INTEGER)
 * or xmm0 (SSE: only floating members); a bigger one in memory at rax.
 * What would need xmm1 or the x87 stack is not available. */
#include <dwarf.h>
#include <string.h>

#include "values/values.h"

/* Whether every scalar of t at [lo, hi) (bytes from base) is floating;
 * *any: one lies there. false for what has no SysV class here. */
static bool all_float(sse__vtype *t, uint64_t base, uint64_t lo, uint64_t hi, bool *any, int depth) {
  t = sse__type_strip(t);
  if (!t || depth > 8) return false;
  uint64_t size = sse__type_size(t);
  if (base >= hi || base + size <= lo) return true;
  if (t->kind == SSE__TY_STRUCT || t->kind == SSE__TY_UNION) {
    for (size_t i = 0; i < t->n; i++)
      if (!all_float(t->members[i].type, base + t->members[i].offset, lo, hi, any, depth + 1))
        return false;
    return true;
  }
  if (t->kind == SSE__TY_ARRAY) {
    uint64_t es = sse__type_size(t->target);
    for (int64_t i = 0; es && i < t->count && i < 16; i++)
      if (!all_float(t->target, base + (uint64_t)i * es, lo, hi, any, depth + 1)) return false;
    return true;
  }
  *any = true;
  return t->kind == SSE__TY_FLOAT && size <= 8;
}

/* v of type t from the registers of the return: 0, or -1 (c->err). */
int sse__retval_value(sse__vctx *c, sse__vtype *t, const uint64_t rax_rdx[2], uint64_t xmm0,
                      sse__value *v) {
  sse__vtype *s = sse__type_strip(t);
  uint64_t size = sse__type_size(t);
  memset(v, 0, sizeof *v);
  v->type = t;
  if (s->kind == SSE__TY_FLOAT && size > 8)
    return sse__verr(c, "The value of a long double return is not available.");
  bool agg = s->kind == SSE__TY_STRUCT || s->kind == SSE__TY_UNION || s->kind == SSE__TY_ARRAY;
  if (agg && size > 16) {
    *v = sse__val_at(t, rax_rdx[0]); /* MEMORY: the caller's buffer, its address in rax */
    return 0;
  }
  unsigned char *b = sse__va_alloc(c, 16);
  if (!b) return -1;
  if (!agg) {
    uint64_t x = s->kind == SSE__TY_FLOAT ? xmm0 : rax_rdx[0];
    memcpy(b, &x, 8);
  } else {
    int ints = 0, sses = 0;
    for (uint64_t lo = 0; lo < size; lo += 8) {
      bool any = false;
      bool sse = all_float(t, 0, lo, lo + 8, &any, 0) && any;
      uint64_t x = sse ? (sses++ ? ~0ull : xmm0) : rax_rdx[ints++ < 2 ? ints - 1 : 1];
      if (sse && sses > 1) return sse__verr(c, "The value returned in xmm1 is not available.");
      memcpy(b + lo, &x, 8);
    }
  }
  v->kind = SSE__V_BYTES;
  v->bytes = b;
  return 0;
}

/* The return type of the function holding c->lookup_pc: 1 found (*t, NULL
 * for void), 0 no function there. */
int sse__retval_type(sse__vctx *c, sse__vtype **t) {
  for (int i = 0; i < c->nscopes; i++) {
    if (dwarf_tag(&c->scopes[i]) != DW_TAG_subprogram) continue;
    *t = sse__type_of_die(c, &c->scopes[i]);
    return c->err[0] ? -1 : 1;
  }
  return 0;
}
