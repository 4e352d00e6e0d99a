/* gdb's ptype of a C++ class: "class N [with T = int] : public B {",
 * access labels, data members (no _vptr), methods grouped by name as
 * gdb's method lists (artificial ones left out, constructors and
 * conversion operators without a return type), then the class's
 * typedefs; inside, the types of a class template's parameters are
 * written as the parameters ("T v;") and the class's own typedefs by
 * their bare names, as gdb's local typedef table does. */
#include <ctype.h>
#include <dwarf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "values/values.h"

static _Thread_local const char *class_nm; /* the class class_body spells out */

/* ---- C++ classes as gdb's ptype: "class N : public B {", access labels,
 * data members then methods, artificial ones left out */

static bool die_flag(Dwarf_Die *d, int at) {
  Dwarf_Attribute a;
  return dwarf_attr_integrate(d, at, &a) != NULL;
}

/* DW_AT_accessibility of d, DWARF's default for the kind of class */
static int die_access(Dwarf_Die *d, bool is_class) {
  Dwarf_Attribute a;
  Dwarf_Word w;
  if (dwarf_attr(d, DW_AT_accessibility, &a) && dwarf_formudata(&a, &w) == 0) return (int)w;
  return is_class ? DW_ACCESS_private : DW_ACCESS_public;
}

/* The DIE of t, when it is still what t was made from. */
static bool class_die(sse__vtype *t, Dwarf_Die *d) {
  if (!t->cxx || !t->dwarf || !t->off || !t->complete) return false;
  if (!dwarf_offdie((Dwarf *)t->dwarf, t->off, d)) return false;
  int tag = dwarf_tag(d);
  if (tag != DW_TAG_structure_type && tag != DW_TAG_class_type) return false;
  const char *nm = dwarf_diename(d);
  if (!nm || !t->name) return false;
  char canon[4096];
  if (sse__cxx_canon(nm, canon, sizeof canon)) nm = canon; /* as t->name is */
  size_t a = strlen(nm), b = strlen(t->name);
  return a <= b && strcmp(t->name + b - a, nm) == 0;
}

static bool shown_member(Dwarf_Die *ch) {
  int tag = dwarf_tag(ch);
  if (tag != DW_TAG_member && tag != DW_TAG_variable) return false;
  const char *nm = dwarf_diename(ch);
  return !(nm && strncmp(nm, "_vptr.", 6) == 0);
}

static bool shown_method(Dwarf_Die *ch) {
  return dwarf_tag(ch) == DW_TAG_subprogram && !die_flag(ch, DW_AT_artificial) &&
         dwarf_diename(ch);
}

static void access_label(sse__out *o, int level, int acc, int *section) {
  if (acc == *section) return;
  *section = acc;
  sse__ptype_spaces(o, level + 2);
  sse__out_puts(o, acc == DW_ACCESS_private ? "private:\n"
                   : acc == DW_ACCESS_protected ? "protected:\n" : "public:\n");
}

/* Whether a method named nm is a constructor: its class's name without
 * the template arguments ("unique_ptr<>", a constructor template, is
 * not one to gdb). */
static bool is_ctor_name(const char *nm) {
  return class_nm && strlen(nm) == strcspn(class_nm, "<") && strncmp(nm, class_nm, strlen(nm)) == 0;
}

/* gdb's is_type_conversion_operator: "operator T", not "operator new". */
static bool is_conversion(const char *nm) {
  if (strncmp(nm, "operator ", 9) != 0) return false;
  const char *p = nm + 9;
  while (*p == ' ') p++;
  if (!isalpha((unsigned char)*p) && *p != '_') return false;
  size_t k = !strncmp(p, "new", 3) ? 3 : !strncmp(p, "delete", 6) ? 6 : 0;
  return !k || isalnum((unsigned char)p[k]) || p[k] == '_';
}

/* One method: "virtual int area(void) const;" */
static int method_decl(sse__vctx *c, Dwarf_Die *m, int level, sse__out *o) {
  const char *nm = dwarf_diename(m);
  sse__ptype_spaces(o, level + 4);
  if (die_flag(m, DW_AT_vtable_elem_location)) sse__out_puts(o, "virtual ");
  else if (!die_flag(m, DW_AT_object_pointer)) sse__out_puts(o, "static ");
  Dwarf_Die ch, obj;
  bool is_const = false, is_volatile = false;
  Dwarf_Attribute oa;
  if (dwarf_attr(m, DW_AT_object_pointer, &oa) && dwarf_formref_die(&oa, &obj)) {
    sse__vtype *tp = sse__type_of_die(c, &obj);
    if (c->err[0]) return -1;
    while (tp && tp->kind == SSE__TY_TYPEDEF) tp = tp->target;
    for (sse__vtype *q = tp && tp->kind == SSE__TY_CONST ? tp->target : tp,
                    *u = q && q->kind == SSE__TY_PTR ? q->target : NULL;
         u && (u->kind == SSE__TY_CONST || u->kind == SSE__TY_VOLATILE); u = u->target) {
      if (u->kind == SSE__TY_CONST) is_const = true;
      else is_volatile = true;
    }
  }
  char tn[2048];
  bool structor = nm[0] == '~' || is_ctor_name(nm) || is_conversion(nm);
  if (!structor) {
    sse__vtype *rt = sse__type_of_die(c, m);
    if (c->err[0]) return -1;
    if (rt) sse__type_name(rt, tn, sizeof tn);
    else snprintf(tn, sizeof tn, "void");
    sse__out_printf(o, "%s ", tn);
  }
  sse__out_printf(o, "%s(", nm);
  int np = 0;
  bool varargs = false;
  if (dwarf_child(m, &ch) == 0)
    do {
      int tag = dwarf_tag(&ch);
      if (tag == DW_TAG_unspecified_parameters) varargs = true;
      if (tag != DW_TAG_formal_parameter || die_flag(&ch, DW_AT_artificial)) continue;
      sse__vtype *pt = sse__type_of_die(c, &ch);
      if (c->err[0]) return -1;
      if (pt) sse__type_name(pt, tn, sizeof tn);
      sse__out_printf(o, "%s%s", np++ ? ", " : "", pt ? tn : "void");
    } while (dwarf_siblingof(&ch, &ch) == 0);
  if (varargs) sse__out_puts(o, np ? ", ..." : "...");
  else if (!np) sse__out_puts(o, "void");
  sse__out_printf(o, ")%s%s;\n", is_const ? " const" : "", is_volatile ? " volatile" : "");
  return 0;
}

/* DW_AT_accessibility of class member ch as gdb takes it: an artificial
 * data member (_vptr.N) is private */
static int member_access(Dwarf_Die *ch, bool is_class) {
  if (dwarf_tag(ch) == DW_TAG_member && die_flag(ch, DW_AT_artificial)) return DW_ACCESS_private;
  return die_access(ch, is_class);
}

/* The template type parameters of class d: their argument types'
 * names into s (from) and their names (to); fills " [with T = int]". */
static int template_params(sse__vctx *c, Dwarf_Die *d, sse__tsubst *s, char *with, size_t n) {
  Dwarf_Die ch;
  size_t len = 0;
  with[0] = 0;
  if (dwarf_child(d, &ch) != 0) return 0;
  do {
    const char *pn = dwarf_diename(&ch);
    if (dwarf_tag(&ch) != DW_TAG_template_type_parameter || !pn || s->n == SSE__TSUBST_MAX) continue;
    sse__vtype *pt = sse__type_of_die(c, &ch);
    if (c->err[0]) return -1;
    char tn[4096];
    if (pt) sse__type_name(pt, tn, sizeof tn);
    else snprintf(tn, sizeof tn, "void");
    if (sse__tdtab_add((sse__tdtab *)s->tab, pn, pt)) return -1;
    s->from[s->n] = sse__va_strdup(c, tn);
    s->to[s->n++] = pn;
    if (len < n) len += (size_t)snprintf(with + len, n - len, "%s%s = %s", len ? ", " : " [with ", pn, tn);
  } while (dwarf_siblingof(&ch, &ch) == 0);
  if (len && len < n) snprintf(with + len, n - len, "]");
  return 0;
}

/* gdb's recursively_update: the typedefs of class d, then its bases'. */
static int class_typedef_names(sse__vctx *c, sse__tdtab *tab, Dwarf_Die *d, int depth) {
  Dwarf_Die ch, bd;
  Dwarf_Attribute a;
  if (depth > 16 || dwarf_child(d, &ch) != 0) return 0;
  do {
    const char *nm = dwarf_diename(&ch);
    if (dwarf_tag(&ch) != DW_TAG_typedef || !nm) continue;
    sse__vtype *tt = sse__type_from(c, &ch);
    c->err[0] = 0; /* a typedef sse cannot transcode: not in the table */
    if (sse__tdtab_add(tab, nm, tt)) return -1;
  } while (dwarf_siblingof(&ch, &ch) == 0);
  if (dwarf_child(d, &ch) != 0) return 0;
  do {
    if (dwarf_tag(&ch) == DW_TAG_inheritance && dwarf_attr(&ch, DW_AT_type, &a) &&
        dwarf_formref_die(&a, &bd) && class_typedef_names(c, tab, &bd, depth + 1))
      return -1;
  } while (dwarf_siblingof(&ch, &ch) == 0);
  return 0;
}

/* " : public B, virtual C" of class d (names with s in force). */
static int derivation(sse__vctx *c, Dwarf_Die *d, bool is_class, sse__out *o) {
  Dwarf_Die ch;
  int nb = 0;
  if (dwarf_child(d, &ch) != 0) return 0;
  do {
    if (dwarf_tag(&ch) != DW_TAG_inheritance) continue;
    int acc = die_access(&ch, is_class);
    sse__vtype *bt = sse__type_of_die(c, &ch);
    if (c->err[0]) return -1;
    char tn[2048];
    if (bt) sse__type_name(bt, tn, sizeof tn);
    sse__out_printf(o, "%s%s%s%s", nb++ ? ", " : " : ",
                    acc == DW_ACCESS_private ? "private "
                    : acc == DW_ACCESS_protected ? "protected " : "public ",
                    die_flag(&ch, DW_AT_virtuality) ? "virtual " : "", bt ? tn : "?");
  } while (dwarf_siblingof(&ch, &ch) == 0);
  return 0;
}

/* Whether class d needs access labels (gdb's need_access_label_p). */
static bool needs_labels(Dwarf_Die *d, bool is_class) {
  Dwarf_Die ch;
  if (dwarf_child(d, &ch) != 0) return false;
  do {
    int tag = dwarf_tag(&ch);
    if (tag != DW_TAG_member && tag != DW_TAG_variable && tag != DW_TAG_subprogram &&
        tag != DW_TAG_typedef)
      continue;
    int acc = member_access(&ch, is_class);
    if (is_class ? acc != DW_ACCESS_private : acc != DW_ACCESS_public) return true;
  } while (dwarf_siblingof(&ch, &ch) == 0);
  return false;
}

typedef struct class_pr {
  sse__vctx *c;
  Dwarf_Die *d;
  sse__vtype *t;
  int level;
  bool is_class, labels;
  int section;
  sse__out *o;
} class_pr;

/* The data members, in the DIE's order (t->members follows it). */
static int class_fields(class_pr *P, bool *any) {
  Dwarf_Die ch;
  size_t mi = 0;
  if (dwarf_child(P->d, &ch) != 0) return 0;
  do {
    int tag = dwarf_tag(&ch);
    if (tag != DW_TAG_member && tag != DW_TAG_variable && tag != DW_TAG_inheritance) continue;
    while (mi < P->t->n && P->t->members[mi].is_base) mi++;
    if (tag == DW_TAG_inheritance) continue;
    const sse__member *m = mi < P->t->n ? &P->t->members[mi++] : NULL;
    if (!m || !shown_member(&ch)) continue;
    if (P->labels) access_label(P->o, P->level, die_access(&ch, P->is_class), &P->section);
    if (m->is_static) {
      sse__ptype_spaces(P->o, P->level + 4);
      sse__out_puts(P->o, "static ");
      if (sse__ptype_member(P->c, m, 0, P->o)) return -1;
    } else if (sse__ptype_member(P->c, m, P->level + 4, P->o)) return -1;
    *any = true;
  } while (dwarf_siblingof(&ch, &ch) == 0);
  return 0;
}

/* The methods grouped by name, each name where it first comes (gdb's
 * method lists), overloads in the DIE's order. */
static int class_methods(class_pr *P, bool *any) {
  Dwarf_Die ch, m2;
  if (dwarf_child(P->d, &ch) != 0) return 0;
  do {
    if (!shown_method(&ch)) continue;
    const char *nm = dwarf_diename(&ch);
    bool seen = false;
    if (dwarf_child(P->d, &m2) == 0)
      for (; dwarf_dieoffset(&m2) != dwarf_dieoffset(&ch) && !seen; dwarf_siblingof(&m2, &m2))
        seen = shown_method(&m2) && strcmp(dwarf_diename(&m2), nm) == 0;
    if (seen) continue;
    if (!*any && P->section != -1) sse__out_puts(P->o, "\n");
    *any = true;
    m2 = ch;
    do {
      if (!shown_method(&m2) || strcmp(dwarf_diename(&m2), nm) != 0) continue;
      access_label(P->o, P->level, die_access(&m2, P->is_class), &P->section);
      if (method_decl(P->c, &m2, P->level, P->o)) return -1;
    } while (dwarf_siblingof(&m2, &m2) == 0);
  } while (dwarf_siblingof(&ch, &ch) == 0);
  return 0;
}

/* The class's typedefs: "typedef T name;" after a blank line (the
 * class's own typedefs not looked up in them: gdb's semi-local table). */
static int class_typedefs(class_pr *P, bool any, const sse__tsubst *semi) {
  Dwarf_Die ch;
  bool first = true;
  if (dwarf_child(P->d, &ch) != 0) return 0;
  do {
    const char *nm = dwarf_diename(&ch);
    if (dwarf_tag(&ch) != DW_TAG_typedef || !nm) continue;
    sse__vtype *tt = sse__type_of_die(P->c, &ch);
    if (P->c->err[0]) return -1;
    if (first && any) sse__out_puts(P->o, "\n");
    first = false;
    if (P->labels) access_label(P->o, P->level, die_access(&ch, P->is_class), &P->section);
    const sse__tsubst *prev = sse__type_name_subst(semi);
    char *decl = malloc(65536);
    if (decl) sse__type_decl(tt, nm, NULL, decl, 65536);
    sse__type_name_subst(prev);
    if (!decl) return sse__verr(P->c, "virtual memory exhausted.");
    sse__ptype_spaces(P->o, P->level + 4);
    sse__out_printf(P->o, "typedef %s;\n", decl);
    free(decl);
  } while (dwarf_siblingof(&ch, &ch) == 0);
  return 0;
}

static int class_body(sse__vctx *c, sse__vtype *t, Dwarf_Die *d, int level, sse__out *o) {
  const char *saved_nm = class_nm;
  class_nm = dwarf_diename(d);
  class_pr P = {.c = c, .d = d, .t = t, .level = level, .o = o, .section = -1,
                .is_class = dwarf_tag(d) == DW_TAG_class_type};
  P.labels = needs_labels(d, P.is_class);
  sse__tsubst local = {.tab = sse__tdtab_new(c)}, semi;
  char with[16384];
  /* gdb's order: the template parameters, a copy for the typedefs'
   * section, then the class's and its bases' typedefs */
  if (!local.tab || template_params(c, d, &local, with, sizeof with) ||
      !(semi = local, semi.tab = sse__tdtab_copy(local.tab)) ||
      class_typedef_names(c, (sse__tdtab *)local.tab, d, 0)) {
    class_nm = saved_nm;
    return -1;
  }
  sse__out_printf(o, "%s %s%s", P.is_class ? "class" : "struct", t->name, with);
  const sse__tsubst *prev = sse__type_name_subst(&semi);
  int rc = derivation(c, d, P.is_class, o);
  sse__out_puts(o, " {\n");
  bool fields = false, methods = false;
  sse__type_name_subst(&local);
  rc = rc || class_fields(&P, &fields) || class_methods(&P, &methods) ||
       class_typedefs(&P, fields || methods, &semi);
  sse__type_name_subst(prev);
  class_nm = saved_nm;
  if (rc) return -1;
  if (!fields && !methods) {
    sse__ptype_spaces(o, level + 4);
    sse__out_puts(o, "<no data fields>\n");
  }
  sse__ptype_spaces(o, level);
  sse__out_puts(o, "}");
  return 0;
}

/* "struct TAG {\n members }" of t (its members at level + 4), or an
 * enum's "enum TAG {A, B = 5}". */

int sse__ptype_class(sse__vctx *c, sse__vtype *t, int level, sse__out *o) {
  Dwarf_Die cd;
  if (!class_die(t, &cd)) return 1;
  return class_body(c, t, &cd, level, o);
}
