/* gdb's `print` format of C values, character for character: integers,
 * characters ("65 'A'"), booleans, floating point (%g with 9 or 17
 * significant digits), enumerators, pointers ("(int *) 0x7ffe..." at the
 * top, "0x... \"text\"" for char *, "<sym>" of code and data), structs
 * and unions ("{x = 1, y = 2}"), arrays with <repeats N times> (more than
 * 10) and the 200-element limit ("..."), functions ("{int (int)} 0x...
 * <f>"), <optimized out>. */
#include <dwarf.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symtab/symtab_int.h"
#include "values/values.h"

#define ARRAY_READ_MAX (1u << 20)

void sse__out_puts(sse__out *o, const char *s) {
  size_t n = strlen(s);
  if (o->len + n + 1 > o->cap) {
    size_t room = o->cap > o->len + 1 ? o->cap - o->len - 1 : 0;
    if (room) memcpy(o->buf + o->len, s, room);
    o->len += room;
    if (o->cap) o->buf[o->len] = 0;
    o->truncated = true;
    return;
  }
  memcpy(o->buf + o->len, s, n + 1);
  o->len += n;
}

void sse__out_printf(sse__out *o, const char *fmt, ...) {
  char tmp[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < (int)sizeof tmp) {
    sse__out_puts(o, tmp);
    return;
  }
  char *big = malloc((size_t)n + 1); /* a long C++ type name */
  va_start(ap, fmt);
  if (big) vsnprintf(big, (size_t)n + 1, fmt, ap);
  va_end(ap);
  sse__out_puts(o, big ? big : tmp);
  free(big);
}

/* A demangled template function's name without its return type, as gdb
 * demangles (DMGL_RET_DROP): "sum<int>(...)" for "int sum<int>(...)". */
static const char *without_return_type(const char *d) {
  const char *cut = NULL;
  int depth = 0;
  for (const char *p = d; *p; p++) {
    if (*p == '<' || *p == '(') {
      if (*p == '(' && depth == 0) break;
      depth++;
    } else if ((*p == '>' || *p == ')') && depth) depth--;
    else if (*p == ' ' && depth == 0 && !(p - d >= 8 && !strncmp(p - 8, "operator", 8))) cut = p + 1;
  }
  return cut && strchr(cut, '<') ? cut : d;
}

/* gdb's name of a C++ function without a mangled name (main): its
 * DWARF name and parameter types, "main(int, char**)". */
static bool cxx_physname(sse__vctx *c, Dwfl_Module *m, uint64_t entry, const char *name,
                         char *out, size_t n) {
  Dwarf_Addr bias;
  Dwarf_Die *cu = dwfl_module_addrdie(m, entry, &bias), *sc = NULL, ch;
  if (!cu || !sse__die_is_cxx(cu)) return false;
  int ns = dwarf_getscopes(cu, entry - bias, &sc);
  int i = 0;
  while (i < ns && dwarf_tag(&sc[i]) != DW_TAG_subprogram) i++;
  size_t len = (size_t)snprintf(out, n, "%s(", name);
  bool first = true;
  if (i < ns && dwarf_child(&sc[i], &ch) == 0) do {
    if (dwarf_tag(&ch) != DW_TAG_formal_parameter || len >= n) continue;
    char tn[512], canon[512];
    sse__vtype *t = sse__type_of_die(c, &ch);
    if (t) sse__type_name(t, tn, sizeof tn);
    else snprintf(tn, sizeof tn, "void");
    if (!sse__cxx_canon_type(tn, canon, sizeof canon)) snprintf(canon, sizeof canon, "%s", tn);
    len += (size_t)snprintf(out + len, n - len, "%s%s", first ? "" : ", ", canon);
    first = false;
  } while (dwarf_siblingof(&ch, &ch) == 0);
  free(sc);
  c->err[0] = 0;
  if (i >= ns || len + 2 > n) return false;
  snprintf(out + len, n - len, ")");
  return true;
}

void sse__format_symbol(sse__vctx *c, uint64_t addr, sse__out *o) {
  if (!c->at->dwfl || !addr) return;
  Dwfl_Module *m = dwfl_addrmodule(c->at->dwfl, addr);
  if (!m) return;
  GElf_Off off = 0;
  GElf_Sym sym;
  const char *name = dwfl_module_addrinfo(m, addr, &off, &sym, NULL, NULL, NULL);
  if (!name || !*name) return;
  int ty = GELF_ST_TYPE(sym.st_info);
  if (ty != STT_FUNC && ty != STT_OBJECT && ty != STT_GNU_IFUNC) return;
  if (sym.st_size && off >= sym.st_size) return;
  char *dem = sse__cxx_demangle(name); /* gdb names C++ symbols demangled */
  char phys[1024];
  if (dem) name = without_return_type(dem);
  else if (ty == STT_FUNC && cxx_physname(c, m, addr - off, name, phys, sizeof phys)) name = phys;
  else if (ty == STT_FUNC && sse__msym_dwarf_name(m, addr - off, phys, sizeof phys)) name = phys;
  if (off) sse__out_printf(o, " <%s+%llu>", name, (unsigned long long)off);
  else sse__out_printf(o, " <%s>", name);
  free(dem);
}

void sse__format_double(sse__out *o, double d, int digits) {
  if (isnan(d)) {
    uint64_t bits;
    memcpy(&bits, &d, 8);
    sse__out_printf(o, "%snan(0x%llx)", signbit(d) ? "-" : "",
                    (unsigned long long)(bits & ((1ull << 52) - 1)));
  } else if (isinf(d)) {
    sse__out_puts(o, d < 0 ? "-inf" : "inf");
  } else {
    sse__out_printf(o, "%.*g", digits, d);
  }
}

static int format_scalar(sse__vctx *c, const sse__value *v, sse__vtype *t, sse__out *o) {
  int64_t x;
  if (t->kind == SSE__TY_FLOAT && t->size > 8) {
    /* x87 extended: gdb's %g with 2 + 64 * log10(2) = 21 digits */
    long double ld = 0;
    unsigned char b[16] = {0};
    if (sse__val_bytes(c, v, b, t->size < 16 ? t->size : 16)) return -1;
    memcpy(&ld, b, sizeof ld < 16 ? sizeof ld : 16);
    if (isnan(ld) || isinf(ld)) sse__format_double(o, (double)ld, 17);
    else sse__out_printf(o, "%.21Lg", ld);
    return 0;
  }
  if (t->kind == SSE__TY_FLOAT) {
    double d;
    if (sse__val_double(c, v, &d)) return -1;
    sse__format_double(o, d, t->size == 4 ? 9 : 17);
    return 0;
  }
  if (sse__val_int(c, v, &x)) return -1;
  switch (t->kind) {
    case SSE__TY_BOOL:
      if (x == 0 || x == 1) sse__out_puts(o, x ? "true" : "false");
      else sse__out_printf(o, "%lld", (long long)x);
      return 0;
    case SSE__TY_CHAR:
      sse__out_printf(o, t->is_signed ? "%lld '" : "%llu '", t->is_signed ? (long long)x
                      : (long long)(uint8_t)x);
      sse__format_char(o, (int)x, '\'');
      sse__out_puts(o, "'");
      return 0;
    case SSE__TY_ENUM:
      for (size_t i = 0; i < t->n; i++)
        if (t->enums[i].value == x) {
          sse__out_puts(o, t->enums[i].name ? t->enums[i].name : "?");
          return 0;
        }
      /* no enumerator has it: the number */
      /* fall through */
    default:
      if (t->is_signed) sse__out_printf(o, "%lld", (long long)x);
      else sse__out_printf(o, "%llu", (unsigned long long)x);
      return 0;
  }
}

static int format_at(sse__vctx *c, const sse__value *v, bool top, int depth, sse__out *o);

/* A C++ reference: "@0x...: value" ("(int &) " before it at the top). */
static int format_ref(sse__vctx *c, const sse__value *v, int64_t x, bool top, int depth,
                      sse__out *o) {
  if (top) {
    char tn[512];
    sse__type_name(v->type, tn, sizeof tn);
    sse__out_printf(o, "(%s) ", tn);
  }
  sse__out_printf(o, "@0x%llx: ", (unsigned long long)x);
  sse__value to = sse__val_at(sse__type_strip(v->type)->target, (uint64_t)x);
  return format_at(c, &to, false, depth, o);
}

static int format_ptr(sse__vctx *c, const sse__value *v, sse__vtype *t, bool top, sse__out *o) {
  int64_t x;
  if (sse__val_int(c, v, &x)) return -1;
  sse__vtype *to = sse__type_strip(t->target);
  if (top) {
    /* gdb's hack: no "(char *) " for an unnamed pointer to "char" */
    /* (cv-qualifiers are not part of gdb's type name) */
    sse__vtype *tt = t->target;
    while (tt && (tt->kind == SSE__TY_CONST || tt->kind == SSE__TY_VOLATILE)) tt = tt->target;
    bool plain = !v->type->name && v->type->kind == SSE__TY_PTR && tt && tt->name &&
                 strcmp(tt->name, "char") == 0;
    if (!plain) {
      char tn[512];
      sse__type_name(v->type, tn, sizeof tn);
      sse__out_printf(o, "(%s) ", tn);
    }
  }
  sse__out_printf(o, "0x%llx", (unsigned long long)x);
  if (to && to->kind == SSE__TY_CHAR && to->size == 1) {
    if (x) return sse__format_cstring(c, (uint64_t)x, o);
    return 0;
  }
  sse__format_symbol(c, (uint64_t)x, o);
  return 0;
}

/* Whether virtual base t was printed in the object being printed (else
 * it is now). */
static bool virtual_seen(sse__vctx *c, const sse__vtype *t) {
  t = sse__type_strip((sse__vtype *)t);
  for (unsigned i = 0; i < c->vb_n; i++)
    if (c->vb_seen[i] == t || (t->name && c->vb_seen[i]->name && !strcmp(c->vb_seen[i]->name, t->name)))
      return true;
  if (c->vb_n < sizeof c->vb_seen / sizeof *c->vb_seen) c->vb_seen[c->vb_n++] = t;
  return false;
}

static int format_struct(sse__vctx *c, const sse__value *v, sse__vtype *t, int depth, sse__out *o) {
  if (!t->complete) {
    sse__out_puts(o, "<incomplete type>");
    return 0;
  }
  /* a complete object (not a base subobject) starts its own list of
   * the virtual bases printed */
  bool as_base = c->fmt_base;
  const sse__vtype *seen[16];
  unsigned nseen = c->vb_n;
  c->fmt_base = false;
  if (!as_base) {
    memcpy(seen, c->vb_seen, sizeof seen);
    c->vb_n = 0;
  }
  sse__out_puts(o, "{");
  int rc = 0;
  for (size_t i = 0, shown = 0; i < t->n && !rc; i++) {
    const sse__member *m = &t->members[i];
    if (m->is_virtual && virtual_seen(c, m->type)) continue;
    sse__value mv;
    sse__val_member(c, v, m, &mv);
    if (shown++) sse__out_puts(o, ", ");
    if (m->is_base) {
      char tn[512];
      sse__type_name(m->type, tn, sizeof tn);
      sse__out_printf(o, "<%s> = ", tn);
      c->fmt_base = true;
    } else if (m->name) {
      sse__out_printf(o, m->is_static ? "static %s = " : "%s = ", m->name);
    }
    rc = format_at(c, &mv, false, depth + 1, o);
    c->fmt_base = false;
  }
  if (!as_base) {
    memcpy(c->vb_seen, seen, sizeof seen);
    c->vb_n = nseen;
  }
  if (rc) return -1;
  /* gdb: no member but base classes */
  size_t nb = 0;
  while (nb < t->n && t->members[nb].is_base) nb++;
  if (nb == t->n) sse__out_puts(o, nb ? ", <No data fields>" : "<No data fields>");
  sse__out_puts(o, "}");
  return 0;
}

/* The bytes of array v (at most ARRAY_READ_MAX), in a V_BYTES copy. */
static int array_bytes(sse__vctx *c, const sse__value *v, uint64_t size, sse__value *out) {
  *out = *v;
  if (v->kind == SSE__V_BYTES) return 0;
  if (!(out->bytes = sse__va_alloc(c, size ? size : 1))) return -1;
  if (sse__mem(c, v->addr, out->bytes, size)) return -1;
  out->kind = SSE__V_BYTES;
  return 0;
}

static int format_array(sse__vctx *c, const sse__value *v, sse__vtype *t, int depth, sse__out *o) {
  sse__vtype *et = t->target;
  uint64_t es = sse__type_size(et);
  uint64_t n = t->count > 0 ? (uint64_t)t->count : 0;
  if (es == 0 || n == 0) {
    sse__out_puts(o, n == 0 && t->count == 0 ? "{}" : "0x0");
    return 0;
  }
  uint64_t nread = n;
  if (nread > ARRAY_READ_MAX / es) nread = ARRAY_READ_MAX / es; /* es * n may overflow */
  sse__value all;
  if (array_bytes(c, v, nread * es, &all)) return -1;
  if (sse__type_is_charlike(et) && es == 1 && (!c->fmt || c->fmt == 's')) {
    sse__format_chars(c, o, all.bytes, nread, nread < n);
    return 0;
  }
  sse__out_puts(o, "{");
  uint64_t i = 0, things = 0;
  unsigned limit = sse__lim_elems(c), repeats = sse__lim_repeats(c);
  for (; i < nread && things < limit; ) {
    uint64_t j = i + 1;
    while (j < nread && memcmp(all.bytes + j * es, all.bytes + i * es, es) == 0) j++;
    uint64_t reps = j - i;
    if (i) sse__out_puts(o, ", ");
    sse__value ev = {.type = et, .kind = SSE__V_BYTES, .bytes = all.bytes + i * es,
                     .unavail = all.unavail ? all.unavail + i * es : NULL};
    if (format_at(c, &ev, false, depth + 1, o)) return -1;
    if (reps > repeats) {
      sse__out_printf(o, " <repeats %llu times>", (unsigned long long)reps);
      i = j;
      things += repeats;
    } else {
      i++;
      things++;
    }
  }
  if (i < n) sse__out_puts(o, "...");
  sse__out_puts(o, "}");
  return 0;
}

static int format_at(sse__vctx *c, const sse__value *v, bool top, int depth, sse__out *o) {
  if (v->kind == SSE__V_OPTOUT) {
    sse__out_puts(o, "<optimized out>");
    return 0;
  }
  if (v->kind == SSE__V_IMPLPTR) {
    char tn[512];
    sse__type_name(v->type, tn, sizeof tn);
    if (top) sse__out_printf(o, "(%s) ", tn);
    sse__out_puts(o, "<synthetic pointer>");
    return 0;
  }
  sse__vtype *t = sse__type_strip(v->type);
  if (!t) return sse__verr(c, "Invalid type.");
  bool aggregate = t->kind == SSE__TY_STRUCT || t->kind == SSE__TY_UNION || t->kind == SSE__TY_ARRAY;
  /* gdb's max-depth: a struct, union or array (not a string) that deep */
  unsigned maxd = sse__lim_depth(c);
  bool string = t->kind == SSE__TY_ARRAY && sse__type_is_charlike(t->target) &&
                sse__type_size(t->target) == 1 && (!c->fmt || c->fmt == 's');
  if (aggregate && !string && maxd != UINT_MAX && depth >= (int)maxd) {
    sse__out_puts(o, "{...}");
    return 0;
  }
  if (!aggregate && sse__val_partly_out(v)) {
    /* gdb: a scalar wholly past its value's pieces is <synthetic pointer> */
    uint64_t n = sse__type_size(t);
    bool past = v->kind == SSE__V_BYTES && v->unavail && !v->bit_size && n &&
                !memchr(v->unavail, 0, n) && !memchr(v->unavail, 1, n);
    sse__out_puts(o, past ? "<synthetic pointer>" : "<optimized out>");
    return 0;
  }
  if (c->fmt && c->fmt != 's' && !aggregate && t->kind != SSE__TY_VOID)
    return sse__format_letter(c, v, t, o);
  char tn[512];
  switch (t->kind) {
    case SSE__TY_VOID: sse__out_puts(o, "void"); return 0;
    case SSE__TY_PTR:
      if (t->ref) {
        int64_t x;
        return sse__val_int(c, v, &x) ? -1 : format_ref(c, v, x, top, depth, o);
      }
      return format_ptr(c, v, t, top, o);
    case SSE__TY_STRUCT: case SSE__TY_UNION: return format_struct(c, v, t, depth, o);
    case SSE__TY_ARRAY: return format_array(c, v, t, depth, o);
    case SSE__TY_MEMPTR: return sse__format_memptr(c, v, t, o);
    case SSE__TY_FUNC:
      sse__type_name(v->type, tn, sizeof tn);
      sse__out_printf(o, "{%s} 0x%llx", tn, (unsigned long long)v->addr);
      sse__format_symbol(c, v->addr, o);
      return 0;
    default: return format_scalar(c, v, t, o);
  }
}

int sse__format_value(sse__vctx *c, const sse__value *v, bool top, sse__out *o) {
  return format_at(c, v, top, 0, o);
}
