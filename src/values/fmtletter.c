/* print/FMT for scalars, as gdb: /x /z /o /t on the bits of the value's
 * size (a float's raw bytes too), /d /u signed and unsigned of that
 * size, /c as a char, /a an address with its <symbol>, /f an integer's
 * bits as a float of its size. Aggregates apply it to each scalar. */
#include <string.h>

#include "values/values.h"

/* The raw bits of v (size bytes at most 8; a bitfield extracted,
 * sign-extended, in its declared type's size) and the size. */
static int raw_bits(sse__vctx *c, const sse__value *v, sse__vtype *t, uint64_t *bits, unsigned *size) {
  *size = t->size && t->size <= 8 ? (unsigned)t->size : 8;
  if (v->is_func) {
    /* gdb: a function's value is its first byte of code */
    unsigned char b = 0;
    if (sse__mem(c, v->addr, &b, 1)) return -1;
    *bits = b;
    *size = 1;
    return 0;
  }
  if (t->kind == SSE__TY_FLOAT || !v->bit_size) {
    unsigned char b[8] = {0};
    if (sse__val_bytes(c, v, b, *size)) return -1;
    memcpy(bits, b, 8);
  } else {
    int64_t x;
    if (sse__val_int(c, v, &x)) return -1;
    *bits = (uint64_t)x;
  }
  if (*size < 8) *bits &= (1ull << (*size * 8)) - 1;
  return 0;
}

static void binary(sse__out *o, uint64_t x) {
  char b[65];
  int n = 0;
  do b[n++] = (char)('0' + (x & 1));
  while ((x >>= 1) && n < 64);
  for (int i = n - 1; i >= 0; i--) sse__out_printf(o, "%c", b[i]);
}

static int64_t as_signed(uint64_t x, unsigned size) {
  if (size >= 8) return (int64_t)x;
  unsigned bits = size * 8;
  return (x >> (bits - 1) & 1) ? (int64_t)(x | ~0ull << bits) : (int64_t)x;
}

/* /x of an x87 long double: its 10 bytes. */
static int long_double_hex(sse__vctx *c, const sse__value *v, sse__out *o) {
  unsigned char b[16] = {0};
  if (sse__val_bytes(c, v, b, 10)) return -1;
  uint64_t lo;
  memcpy(&lo, b, 8);
  unsigned hi = b[8] | (unsigned)b[9] << 8;
  if (hi) sse__out_printf(o, "0x%x%016llx", hi, (unsigned long long)lo);
  else sse__out_printf(o, "0x%llx", (unsigned long long)lo);
  return 0;
}

int sse__format_letter(sse__vctx *c, const sse__value *v, sse__vtype *t, sse__out *o) {
  if (t->kind == SSE__TY_FLOAT && t->size > 8 && c->fmt == 'x') return long_double_hex(c, v, o);
  uint64_t x;
  unsigned size;
  if (raw_bits(c, v, t, &x, &size)) return -1;
  switch (c->fmt) {
    case 'x': sse__out_printf(o, "0x%llx", (unsigned long long)x); return 0;
    case 'z': sse__out_printf(o, "0x%0*llx", (int)size * 2, (unsigned long long)x); return 0;
    case 'o': sse__out_printf(o, x ? "0%llo" : "%llo", (unsigned long long)x); return 0;
    case 't': binary(o, x); return 0;
    case 'd': sse__out_printf(o, "%lld", (long long)as_signed(x, size)); return 0;
    case 'u': sse__out_printf(o, "%llu", (unsigned long long)x); return 0;
    case 'c':
      sse__out_printf(o, "%d '", (int)(int8_t)x);
      sse__format_char(o, (int)(x & 0xff), '\'');
      sse__out_puts(o, "'");
      return 0;
    case 'a':
      sse__out_printf(o, "0x%llx", (unsigned long long)x);
      sse__format_symbol(c, x, o);
      return 0;
    case 'f':
      if (t->kind != SSE__TY_FLOAT && (size == 4 || size == 8)) {
        double d;
        if (size == 4) {
          float f;
          uint32_t w = (uint32_t)x;
          memcpy(&f, &w, 4);
          d = f;
        } else {
          memcpy(&d, &x, 8);
        }
        if (size == 4 && d != d) {
          /* a float NaN: gdb shows its 23-bit mantissa */
          sse__out_printf(o, "%snan(0x%llx)", (x >> 31) ? "-" : "", (unsigned long long)(x & 0x7fffff));
          return 0;
        }
        sse__format_double(o, d, size == 4 ? 9 : 17);
        return 0;
      }
      break;
  }
  char save = c->fmt;
  c->fmt = 0; /* /f of a float, /s of a scalar: as without */
  int rc = sse__format_value(c, v, false, o);
  c->fmt = save;
  return rc;
}
