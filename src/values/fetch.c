/* A value's bytes, read when needed: from memory (gdb's error text when it
 * cannot be read), from bytes held, and bitfields extracted; integers and
 * doubles out of them; members and elements as new values. */
#include <string.h>

#include "values/values.h"

int sse__mem(sse__vctx *c, uint64_t addr, void *buf, size_t n) {
  size_t done = 0;
  if (n == 0) return 0;
  sse_err e = sse__mem_read(c->proc, addr, buf, n, &done);
  if (e == SSE_OK && done == n) return 0;
  return sse__verr(c, "Cannot access memory at address 0x%llx",
                   (unsigned long long)(addr + done));
}

sse__value sse__val_at(sse__vtype *t, uint64_t addr) {
  sse__value v = {.type = t, .kind = SSE__V_MEM, .addr = addr};
  return v;
}

/* n bytes of v (n <= its size, unless a bitfield: then the bytes holding
 * it). */
bool sse__val_partly_out(const sse__value *v) {
  if (v->kind == SSE__V_OPTOUT) return true;
  if (v->kind != SSE__V_BYTES || !v->unavail) return false;
  uint64_t n = v->bit_size ? (v->bit_off + v->bit_size + 7) / 8 : sse__type_size(v->type);
  for (uint64_t i = 0; i < n; i++)
    if (v->unavail[i]) return true;
  return false;
}

int sse__val_bytes(sse__vctx *c, const sse__value *v, unsigned char *buf, size_t n) {
  if (v->kind == SSE__V_OPTOUT) return sse__verr(c, "value has been optimized out");
  if (v->kind == SSE__V_IMPLPTR) return sse__verr(c, "Attempt to take address of value not located in memory.");
  if (v->kind == SSE__V_BYTES && v->unavail)
    for (size_t i = 0; i < n; i++)
      if (v->unavail[i]) return sse__verr(c, "value has been optimized out");
  if (v->kind == SSE__V_MEM) return sse__mem(c, v->addr, buf, n);
  memcpy(buf, v->bytes, n);
  return 0;
}

static uint64_t extend(uint64_t x, unsigned bits, bool sgn) {
  if (bits >= 64) return x;
  x &= (1ull << bits) - 1;
  if (sgn && (x >> (bits - 1) & 1)) x |= ~0ull << bits;
  return x;
}

int sse__val_int(sse__vctx *c, const sse__value *v, int64_t *out) {
  sse__vtype *t = sse__type_strip(v->type);
  if (!t) return sse__verr(c, "Invalid type.");
  if (v->is_func) {
    *out = (int64_t)v->addr;
    return 0;
  }
  unsigned char b[16] = {0};
  if (v->bit_size) {
    size_t n = (v->bit_off + v->bit_size + 7) / 8;
    if (n > 9) return sse__verr(c, "Invalid bitfield.");
    if (sse__val_bytes(c, v, b, n)) return -1;
    uint64_t lo, hi = b[8];
    memcpy(&lo, b, 8);
    uint64_t x = lo >> v->bit_off;
    if (v->bit_off) x |= hi << (64 - v->bit_off);
    *out = (int64_t)extend(x, v->bit_size, t->is_signed);
    return 0;
  }
  uint64_t size = t->size;
  if (t->kind == SSE__TY_FLOAT) {
    double d;
    if (sse__val_double(c, v, &d)) return -1;
    /* out of range (or NaN) is undefined in C: saturate, NaN as 0 */
    *out = d != d ? 0 : d >= 9223372036854775807.0 ? INT64_MAX
         : d <= -9223372036854775808.0 ? INT64_MIN : (int64_t)d;
    return 0;
  }
  if (size == 0 || size > 8) return sse__verr(c, "Invalid integer value size %llu.", (unsigned long long)size);
  if (sse__val_bytes(c, v, b, size)) return -1;
  uint64_t x;
  memcpy(&x, b, 8);
  *out = (int64_t)extend(x, (unsigned)size * 8, t->is_signed && t->kind != SSE__TY_PTR);
  return 0;
}

int sse__val_double(sse__vctx *c, const sse__value *v, double *out) {
  sse__vtype *t = sse__type_strip(v->type);
  if (!t) return sse__verr(c, "Invalid type.");
  if (t->kind != SSE__TY_FLOAT) {
    int64_t x;
    if (sse__val_int(c, v, &x)) return -1;
    *out = t->is_signed ? (double)x : (double)(uint64_t)x;
    return 0;
  }
  unsigned char b[16] = {0};
  if (t->size != 4 && t->size != 8 && t->size != 16 && t->size != 10)
    return sse__verr(c, "Invalid floating value size.");
  if (sse__val_bytes(c, v, b, t->size)) return -1;
  if (t->size == 4) {
    float f;
    memcpy(&f, b, 4);
    *out = f;
  } else if (t->size == 8) {
    memcpy(out, b, 8);
  } else {
    long double ld;
    memcpy(&ld, b, sizeof ld < 16 ? sizeof ld : 16);
    *out = (double)ld;
  }
  return 0;
}

/* Member m (at offset off from the start) of struct value v. */
/* A virtual base of v: where the object's vtable says it is. */
static bool virtual_base(sse__vctx *c, const sse__value *v, const sse__member *m,
                         sse__value *out) {
  uint64_t vptr;
  int64_t delta;
  memset(out, 0, sizeof *out);
  out->type = m->type;
  out->kind = SSE__V_OPTOUT;
  if (v->kind != SSE__V_MEM || !m->vbase_off || sse__mem(c, v->addr, &vptr, 8) ||
      sse__mem(c, vptr - (uint64_t)m->vbase_off, &delta, 8)) {
    c->err[0] = 0;
    return false;
  }
  *out = sse__val_at(m->type, v->addr + (uint64_t)delta);
  return true;
}

bool sse__val_member(sse__vctx *c, const sse__value *v, const sse__member *m, sse__value *out) {
  if (m->is_static) { /* in no instance: at its definition */
    uint64_t a;
    memset(out, 0, sizeof *out);
    out->type = m->type ? m->type : c->t_int;
    if (sse__symbol_addr(c, m->linkage, &a)) {
      out->kind = SSE__V_OPTOUT;
      return false;
    }
    *out = sse__val_at(out->type, a);
    return true;
  }
  if (m->is_virtual) return virtual_base(c, v, m, out);
  *out = *v;
  out->type = m->type ? m->type : c->t_int;
  out->bit_off = m->bit_off;
  out->bit_size = m->bit_size;
  out->is_func = false;
  if (v->kind == SSE__V_MEM) out->addr = v->addr + m->offset;
  else if (v->kind == SSE__V_BYTES) {
    uint64_t need = m->bit_size ? (m->bit_off + m->bit_size + 7) / 8 : sse__type_size(out->type);
    if (m->offset + need > sse__type_size(v->type)) {
      out->kind = SSE__V_OPTOUT;
      return false;
    }
    out->bytes = v->bytes + m->offset;
    if (v->unavail) out->unavail = v->unavail + m->offset;
  }
  return true;
}

/* A V_BYTES value of type t holding the 8 bytes at src. */
static int val_from8(sse__vctx *c, sse__vtype *t, const void *src, sse__value *out) {
  memset(out, 0, sizeof *out);
  out->type = t;
  out->kind = SSE__V_BYTES;
  if (!(out->bytes = sse__va_alloc(c, 8))) return -1;
  memcpy(out->bytes, src, 8);
  return 0;
}

int sse__val_from_int(sse__vctx *c, sse__vtype *t, int64_t x, sse__value *out) {
  return val_from8(c, t, &x, out);
}

int sse__val_from_double(sse__vctx *c, sse__vtype *t, double d, sse__value *out) {
  return val_from8(c, t, &d, out);
}

#define BASE_DEPTH 32

static bool same_class(const sse__vtype *a, const sse__vtype *b) {
  return a == b || (a && b && a->name && b->name && strcmp(a->name, b->name) == 0);
}

int sse__val_find_member(sse__vctx *c, const sse__value *v, const char *name, sse__value *out,
                         int depth) {
  sse__vtype *t = sse__type_strip(v->type);
  if (!t || (t->kind != SSE__TY_STRUCT && t->kind != SSE__TY_UNION) || depth > BASE_DEPTH)
    return 0;
  for (size_t i = 0; i < t->n; i++) {
    const sse__member *m = &t->members[i];
    if (m->name && strcmp(m->name, name) == 0) {
      sse__val_member(c, v, m, out);
      return 1;
    }
    sse__value sub;
    if (!m->name && sse__val_member(c, v, m, &sub) &&
        sse__val_find_member(c, &sub, name, out, depth + 1))
      return 1;
  }
  return 0;
}

int sse__val_base(sse__vctx *c, const sse__value *v, const sse__vtype *b, sse__value *out,
                  int depth) {
  sse__vtype *t = sse__type_strip(v->type);
  if (!t || t->kind != SSE__TY_STRUCT || depth > BASE_DEPTH) return 0;
  for (size_t i = 0; i < t->n; i++) {
    const sse__member *m = &t->members[i];
    sse__value sub;
    if (!m->is_base || !sse__val_member(c, v, m, &sub)) continue;
    if (same_class(sse__type_strip(m->type), b)) {
      *out = sub;
      return 1;
    }
    if (sse__val_base(c, &sub, b, out, depth + 1)) return 1;
  }
  return 0;
}
