/* C++ methods as values, as gdb prints them ("{int (const C * const)}
 * 0x... <C::f() const>"): obj.f and p->f (a virtual method through the
 * object's vtable), f inside a method, C::f (not a virtual one: "Cannot
 * reference virtual member function"), &C::f a pointer to the method,
 * &C::m a pointer to the data member. */
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

/* &C::m of a data member m: a pointer to it, its offset (in a type of
 * the evaluator's: "int C::*"). */
static int data_member_pointer(sse__vctx *c, sse__vtype *cls, const char *name, sse__value *out) {
  uint64_t off;
  const sse__member *m = sse__type_member(cls, name, &off);
  if (!m || m->is_static) return 1;
  sse__vtype *t = sse__va_alloc(c, sizeof *t);
  if (!t) return -1;
  t->kind = SSE__TY_MEMPTR;
  t->size = 8;
  t->target = m->type;
  t->cls = sse__type_strip(cls);
  return sse__val_from_int(c, t, (int64_t)off, out);
}

/* C::m of a data member: a static one's value; gdb's error for another. */
static int data_member(sse__vctx *c, sse__vtype *cls, const char *name, sse__value *out) {
  uint64_t off;
  const sse__member *m = sse__type_member(cls, name, &off);
  if (!m) return 1;
  if (m->is_static) {
    sse__val_member(c, NULL, m, out);
    return 0;
  }
  /* in a method of cls (or of a class derived from it): this->m */
  Dwarf_Die die;
  sse__value self, obj;
  int64_t a;
  if (sse__scope_find(c, "this", &die) && sse__loc_variable(c, &die, &self) == 0 &&
      sse__val_int(c, &self, &a) == 0) {
    sse__vtype *pt = sse__type_strip(self.type);
    obj = sse__val_at(pt && pt->kind == SSE__TY_PTR ? pt->target : NULL, (uint64_t)a);
    sse__vtype *ot = sse__type_strip(obj.type);
    bool same = ot && (ot == sse__type_strip(cls) || (ot->name && cls->name && !strcmp(ot->name, cls->name)));
    if (obj.type && (same || sse__val_base(c, &obj, sse__type_strip(cls), &obj, 0)) &&
        sse__val_find_member(c, &obj, name, out, 0))
      return 0;
  }
  c->err[0] = 0;
  return sse__verr(c, "Cannot reference non-static field \"%s\"", name);
}

int sse__qualified_member(sse__vctx *c, const char *name, bool addr_of, sse__value *out) {
  int nest = 0;
  const char *last = NULL;
  for (const char *p = name; *p; p++) {
    if (*p == '<' || *p == '(') nest++;
    else if ((*p == '>' || *p == ')') && nest) nest--;
    else if (!nest && p[0] == ':' && p[1] == ':') last = p;
  }
  if (!last || last == name) return 1;
  char *cls = sse__va_alloc(c, (size_t)(last - name) + 1);
  Dwarf_Die d;
  if (!cls) return -1;
  memcpy(cls, name, (size_t)(last - name));
  if (!sse__scope_find_type(c, DW_TAG_structure_type, cls, &d)) return c->err[0] ? -1 : 1;
  sse__vtype *t = sse__type_from(c, &d);
  if (!t) return -1;
  int rc = sse__method_value(c, NULL, t, last + 2, addr_of, out);
  if (rc == 0 && addr_of) return data_member_pointer(c, t, last + 2, out);
  if (rc == 0) return data_member(c, t, last + 2, out);
  return rc < 0 ? -1 : 0;
}
