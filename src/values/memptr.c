/* C++ pointers to members (DW_TAG_ptr_to_member_type) as gdb prints
 * them: a data member's by the member at its offset ("&M1::m1", named
 * by the class that declares it), a method's as the Itanium C++ ABI
 * lays it out ({ptr, adj}: an odd ptr is 1 + the vtable offset of a
 * virtual method, "&virtual shapes::Circle::area() const"; else the
 * function's address, "(int (C::*)(C * const)) 0x... <C::f()>"). */
#include <dwarf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symtab/symtab_int.h"
#include "values/values.h"

#define MP_DEPTH 16

/* The member of class t at offset off (through its non-virtual bases):
 * "&CLASS::NAME" into o; false when none is there. */
static bool data_member(sse__vtype *t, int64_t off, int depth, sse__out *o) {
  t = sse__type_strip(t);
  if (!t || t->kind != SSE__TY_STRUCT || depth > MP_DEPTH) return false;
  for (size_t i = 0; i < t->n; i++) {
    const sse__member *m = &t->members[i];
    if (m->is_static || m->is_virtual) continue;
    if (m->is_base) {
      if (off >= (int64_t)m->offset && data_member(m->type, off - (int64_t)m->offset, depth + 1, o))
        return true;
    } else if (m->name && (int64_t)m->offset == off && !m->bit_size) {
      sse__out_printf(o, "&%s::%s", t->name ? t->name : "", m->name);
      return true;
    }
  }
  return false;
}

/* The virtual method of class t (or its bases) at vtable index idx: its
 * name demangled, malloc'd, or NULL. */
static char *virtual_method(sse__vtype *t, uint64_t idx, int depth) {
  t = sse__type_strip(t);
  Dwarf_Die d, ch;
  if (!t || !t->dwarf || !t->off || depth > MP_DEPTH) return NULL;
  if (!dwarf_offdie((Dwarf *)t->dwarf, t->off, &d) || dwarf_child(&d, &ch) != 0) return NULL;
  do {
    Dwarf_Attribute a;
    Dwarf_Op *ops;
    size_t n;
    if (dwarf_tag(&ch) != DW_TAG_subprogram ||
        !dwarf_attr(&ch, DW_AT_vtable_elem_location, &a) || dwarf_getlocation(&a, &ops, &n) != 0 ||
        n != 1 || ops[0].number != idx)
      continue;
    const char *ln = dwarf_formstring(dwarf_attr(&ch, DW_AT_linkage_name, &a));
    char *dem = ln ? sse__cxx_demangle(ln) : NULL;
    if (dem) return dem;
  } while (dwarf_siblingof(&ch, &ch) == 0);
  for (size_t i = 0; i < t->n; i++) {
    char *r = t->members[i].is_base ? virtual_method(t->members[i].type, idx, depth + 1) : NULL;
    if (r) return r;
  }
  return NULL;
}

int sse__format_memptr(sse__vctx *c, const sse__value *v, sse__vtype *t, sse__out *o) {
  sse__vtype *to = sse__type_strip(t->target);
  unsigned char b[16] = {0};
  int64_t ptr, adj;
  size_t n = to && to->kind == SSE__TY_FUNC ? 16 : 8;
  if (sse__val_bytes(c, v, b, n)) return -1;
  memcpy(&ptr, b, 8);
  memcpy(&adj, b + 8, 8);
  if (n == 8) {
    if (!data_member(t->cls, ptr, 0, o)) sse__out_printf(o, "%lld", (long long)ptr);
    return 0;
  }
  if (ptr & 1) {
    /* gdb names the method of a pointer the DWARF types, and only the
     * slot of one an expression made (&C::f, a synthetic type) */
    char *m = t->off ? virtual_method(t->cls, ((uint64_t)ptr - 1) / 8, 0) : NULL;
    if (m) sse__out_printf(o, "&virtual %s", m);
    else sse__out_printf(o, "&virtual table offset %lld", (long long)(ptr - 1) / 8);
    free(m);
    return 0;
  }
  char tn[512];
  sse__type_name(v->type, tn, sizeof tn);
  sse__out_printf(o, "(%s) 0x%llx", tn, (unsigned long long)ptr);
  sse__format_symbol(c, (uint64_t)ptr, o);
  return 0;
}

int sse__memptr_apply(sse__vctx *c, const sse__value *obj, const sse__value *pm, sse__value *out) {
  sse__vtype *t = sse__type_strip(pm->type), *ot = sse__type_strip(obj->type);
  if (!t || t->kind != SSE__TY_MEMPTR || !ot || ot->kind != SSE__TY_STRUCT)
    return sse__verr(c, "not implemented: member pointer on a value that is not one");
  unsigned char b[16] = {0};
  int64_t ptr, adj;
  bool method = sse__type_strip(t->target) && sse__type_strip(t->target)->kind == SSE__TY_FUNC;
  if (obj->kind != SSE__V_MEM) return sse__verr(c, "value not located in memory.");
  if (sse__val_bytes(c, pm, b, method ? 16 : 8)) return -1;
  memcpy(&ptr, b, 8);
  memcpy(&adj, b + 8, 8);
  if (!method) {
    *out = sse__val_at(t->target, obj->addr + (uint64_t)ptr);
    return 0;
  }
  uint64_t fn = (uint64_t)ptr, self = obj->addr + (uint64_t)adj, vptr;
  if (ptr & 1) { /* virtual: through the object's vtable */
    if (sse__mem(c, self, &vptr, 8) || sse__mem(c, vptr + (uint64_t)ptr - 1, &fn, 8)) return -1;
  }
  *out = sse__val_at(t->target, fn);
  out->is_func = true;
  return 0;
}
