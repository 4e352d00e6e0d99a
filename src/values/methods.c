/* C++ methods as values, as gdb prints them ("{int (const C * const)}
 * 0x... <C::f() const>"): obj.f and p->f (a virtual method through the
 * object's vtable), f inside a method, C::f (not a virtual one: "Cannot
 * reference virtual member function"), &C::f a pointer to the method. */
#include <dwarf.h>
#include <string.h>

#include "values/values.h"

#define METHOD_DEPTH 16

/* The method named name of class t (or of its bases): its DIE. */
static bool method_die(sse__vtype *t, const char *name, Dwarf_Die *out, int depth) {
  t = sse__type_strip(t);
  Dwarf_Die d, ch;
  if (!t || t->kind != SSE__TY_STRUCT || !t->dwarf || !t->off || depth > METHOD_DEPTH) return false;
  if (dwarf_offdie((Dwarf *)t->dwarf, t->off, &d) && dwarf_child(&d, &ch) == 0) do {
    Dwarf_Attribute a;
    const char *nm = dwarf_diename(&ch);
    if (dwarf_tag(&ch) == DW_TAG_subprogram && nm && strcmp(nm, name) == 0 &&
        !dwarf_attr(&ch, DW_AT_artificial, &a)) {
      *out = ch;
      return true;
    }
  } while (dwarf_siblingof(&ch, &ch) == 0);
  for (size_t i = 0; i < t->n; i++)
    if (t->members[i].is_base && method_die(t->members[i].type, name, out, depth + 1)) return true;
  return false;
}

/* The vtable slot of virtual method m, or -1. */
static int64_t vtable_index(Dwarf_Die *m) {
  Dwarf_Attribute a;
  Dwarf_Op *ops;
  size_t n;
  if (!dwarf_attr(m, DW_AT_vtable_elem_location, &a) || dwarf_getlocation(&a, &ops, &n) != 0 ||
      n != 1)
    return -1;
  return (int64_t)ops[0].number;
}

int sse__method_value(sse__vctx *c, const sse__value *obj, sse__vtype *cls, const char *name,
                      bool addr_of, sse__value *out) {
  Dwarf_Die m;
  if (!method_die(cls, name, &m, 0)) return 0;
  memset(out, 0, sizeof *out);
  if (!(out->type = sse__type_from(c, &m))) return -1;
  int64_t vi = vtable_index(&m);
  uint64_t addr = 0, vptr;
  if (vi >= 0 && !obj && !addr_of)
    return sse__verr(c, "Cannot reference virtual member function \"%s\"", name);
  if (vi >= 0 && !obj) {
    addr = 1 + 8 * (uint64_t)vi; /* the Itanium ABI's virtual member pointer */
  } else if (vi >= 0) {
    if (obj->kind != SSE__V_MEM) return sse__verr(c, "value not located in memory.");
    if (sse__mem(c, obj->addr, &vptr, 8) || sse__mem(c, vptr + 8 * (uint64_t)vi, &addr, 8))
      return -1;
  } else {
    Dwarf_Attribute a;
    const char *ln = dwarf_formstring(dwarf_attr_integrate(&m, DW_AT_linkage_name, &a));
    if (!ln || sse__func_symbol_addr(c, ln, &addr))
      return sse__verr(c, "Cannot take address of method %s.", name);
  }
  out->kind = SSE__V_MEM;
  out->addr = addr;
  out->is_func = true;
  out->method_of = sse__type_strip(cls);
  return 1;
}

int sse__method_pointer(sse__vctx *c, sse__value *v) {
  sse__vtype *t = sse__va_alloc(c, sizeof *t);
  unsigned char *b = sse__va_alloc(c, 16);
  if (!t || !b) return -1;
  t->kind = SSE__TY_MEMPTR;
  t->size = 16;
  t->target = v->type;
  t->cls = v->method_of;
  memcpy(b, &v->addr, 8);
  memset(v, 0, sizeof *v);
  v->type = t;
  v->kind = SSE__V_BYTES;
  v->bytes = b;
  return 0;
}
