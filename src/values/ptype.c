/* gdb's whatis and ptype for C: the type of a type name or of an
 * expression (evaluated without side effects: `ptype i = 5` assigns
 * nothing); whatis names it (a typedef name given as such is looked
 * through once), ptype spells out the struct, union or enum it is made
 * of, members one level deep ("struct point where;"), anonymous ones in
 * place, bitfields as "unsigned int a : 3;", enumerators with " = N"
 * where the value does not follow on. */
#include <dwarf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "values/values.h"

#define PT_MAX 65536
#define PT_DEPTH 16

static int body(sse__vctx *c, sse__vtype *t, int level, sse__out *o);

static void spaces(sse__out *o, int n) {
  for (int i = 0; i < n; i++) sse__out_puts(o, " ");
}

static void enum_body(sse__vtype *t, sse__out *o) {
  sse__out_puts(o, "{");
  int64_t next = 0;
  for (size_t i = 0; i < t->n; i++) {
    sse__out_printf(o, "%s%s", i ? ", " : "", t->enums[i].name ? t->enums[i].name : "?");
    if (t->enums[i].value != next) sse__out_printf(o, " = %lld", (long long)t->enums[i].value);
    next = t->enums[i].value + 1;
  }
  sse__out_puts(o, "}");
}

/* One member's declaration at indentation level. */
static int member_decl(sse__vctx *c, const sse__member *m, int level, sse__out *o) {
  sse__vtype *in = sse__type_innermost(m->type);
  sse__vtype *s = sse__type_strip(in);
  char *base = NULL;
  if (in && s == in && !s->name &&
      (s->kind == SSE__TY_STRUCT || s->kind == SSE__TY_UNION || s->kind == SSE__TY_ENUM)) {
    /* an anonymous type: spelt out here */
    sse__out sub = {.buf = malloc(PT_MAX), .cap = PT_MAX};
    if (!sub.buf) return sse__verr(c, "virtual memory exhausted.");
    sub.buf[0] = 0;
    if (body(c, s, level, &sub)) {
      free(sub.buf);
      return -1;
    }
    base = sub.buf;
  }
  char *d = malloc(PT_MAX);
  if (!d) {
    free(base);
    return sse__verr(c, "virtual memory exhausted.");
  }
  sse__type_decl(m->type, m->name ? m->name : "", base, d, PT_MAX);
  size_t len = strlen(d);
  if (len && d[len - 1] == ' ') d[len - 1] = 0; /* an anonymous member: "union {...};" */
  spaces(o, level);
  sse__out_puts(o, d);
  if (m->bit_size) sse__out_printf(o, " : %u", m->bit_size);
  sse__out_puts(o, ";\n");
  free(d);
  free(base);
  return 0;
}

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
  spaces(o, level + 2);
  sse__out_puts(o, acc == DW_ACCESS_private ? "private:\n"
                   : acc == DW_ACCESS_protected ? "protected:\n" : "public:\n");
}

/* Whether method m named nm is a constructor: its class's name (the
 * template arguments of a class template not part of it). */
static bool is_ctor_name(Dwarf_Die *m, const char *nm) {
  (void)m;
  return class_nm && strncmp(nm, class_nm, strcspn(class_nm, "<")) == 0 &&
         (nm[strcspn(class_nm, "<")] == 0 || nm[strcspn(class_nm, "<")] == '<');
}

/* One method: "virtual int area(void) const;" */
static int method_decl(sse__vctx *c, Dwarf_Die *m, int level, sse__out *o) {
  const char *nm = dwarf_diename(m);
  spaces(o, level + 4);
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
  char tn[512];
  bool structor = nm[0] == '~' || is_ctor_name(m, nm);
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

static int class_body(sse__vctx *c, sse__vtype *t, Dwarf_Die *d, int level, sse__out *o) {
  class_nm = dwarf_diename(d);
  bool is_class = dwarf_tag(d) == DW_TAG_class_type;
  sse__out_printf(o, "%s %s", is_class ? "class" : "struct", t->name);
  Dwarf_Die ch;
  int nb = 0;
  bool need_label = false;
  if (dwarf_child(d, &ch) == 0)
    do {
      int tag = dwarf_tag(&ch);
      if (tag == DW_TAG_inheritance) {
        int acc = die_access(&ch, is_class);
        sse__vtype *bt = sse__type_of_die(c, &ch);
        if (c->err[0]) return -1;
        char tn[512];
        if (bt) sse__type_name(bt, tn, sizeof tn);
        Dwarf_Attribute va;
        Dwarf_Word vw = 0;
        if (dwarf_attr(&ch, DW_AT_virtuality, &va)) dwarf_formudata(&va, &vw);
        sse__out_printf(o, "%s%s%s%s", nb++ ? ", " : " : ",
                        acc == DW_ACCESS_private ? "private "
                        : acc == DW_ACCESS_protected ? "protected " : "public ",
                        vw ? "virtual " : "", bt ? tn : "?");
      } else if (tag == DW_TAG_member || tag == DW_TAG_variable || tag == DW_TAG_subprogram) {
        /* gdb makes an artificial data member (_vptr.N) private */
        int acc = tag == DW_TAG_member && die_flag(&ch, DW_AT_artificial) ? DW_ACCESS_private
                                                                          : die_access(&ch, is_class);
        if (is_class ? acc != DW_ACCESS_private : acc != DW_ACCESS_public) need_label = true;
      }
    } while (dwarf_siblingof(&ch, &ch) == 0);
  sse__out_puts(o, " {\n");
  int section = -1;
  size_t mi = 0;
  bool fields = false;
  if (dwarf_child(d, &ch) == 0)
    do {
      int tag = dwarf_tag(&ch);
      if (tag != DW_TAG_member && tag != DW_TAG_variable && tag != DW_TAG_inheritance) continue;
      /* t->members follows the DIE's order */
      while (mi < t->n && t->members[mi].is_base) mi++;
      if (tag == DW_TAG_inheritance) continue;
      const sse__member *m = mi < t->n ? &t->members[mi++] : NULL;
      if (!m || !shown_member(&ch)) continue;
      if (need_label) access_label(o, level, die_access(&ch, is_class), &section);
      if (m->is_static) {
        spaces(o, level + 4);
        sse__out_puts(o, "static ");
        if (member_decl(c, m, 0, o)) return -1;
      } else if (member_decl(c, m, level + 4, o)) return -1;
      fields = true;
    } while (dwarf_siblingof(&ch, &ch) == 0);
  bool methods = false;
  if (dwarf_child(d, &ch) == 0)
    do methods = methods || shown_method(&ch);
    while (!methods && dwarf_siblingof(&ch, &ch) == 0);
  /* gdb: a blank line after fields under an access label; methods are
   * always under one */
  if (methods && section != -1) sse__out_puts(o, "\n");
  if (methods && dwarf_child(d, &ch) == 0)
    do {
      if (!shown_method(&ch)) continue;
      access_label(o, level, die_access(&ch, is_class), &section);
      if (method_decl(c, &ch, level, o)) return -1;
    } while (dwarf_siblingof(&ch, &ch) == 0);
  if (!fields && !methods) {
    spaces(o, level + 4);
    sse__out_puts(o, "<no data fields>\n");
  }
  spaces(o, level);
  sse__out_puts(o, "}");
  return 0;
}

/* "struct TAG {\n members }" of t (its members at level + 4), or an
 * enum's "enum TAG {A, B = 5}". */
static int body(sse__vctx *c, sse__vtype *t, int level, sse__out *o) {
  if (level > 4 * PT_DEPTH) return sse__verr(c, "Type too deeply nested.");
  Dwarf_Die cd;
  if (t->kind == SSE__TY_STRUCT && class_die(t, &cd)) return class_body(c, t, &cd, level, o);
  const char *kw = t->kind == SSE__TY_STRUCT ? "struct" : t->kind == SSE__TY_UNION ? "union" : "enum";
  sse__out_printf(o, "%s %s%s%s", kw, t->kind == SSE__TY_ENUM && t->enum_class ? "class " : "",
                  t->name ? t->name : "", t->name ? " " : "");
  if (t->kind == SSE__TY_ENUM) {
    /* C++: gdb's "enum class NAME : int {...}", the underlying type when
     * it has a name */
    sse__vtype *u = t->cxx && t->target ? sse__type_strip(t->target) : NULL;
    if (u && u->name) sse__out_printf(o, ": %s ", u->name);
    enum_body(t, o);
    return 0;
  }
  sse__out_puts(o, "{\n");
  if (!t->complete) {
    spaces(o, level + 4);
    sse__out_puts(o, "<incomplete type>\n");
  }
  for (size_t i = 0; t->complete && i < t->n; i++)
    if (member_decl(c, &t->members[i], level + 4, o)) return -1;
  spaces(o, level);
  sse__out_puts(o, "}");
  return 0;
}

/* ptype of t: typedefs looked through, the innermost struct spelt out. */
static int ptype_of(sse__vctx *c, sse__vtype *t, sse__out *o) {
  while (t && t->kind == SSE__TY_TYPEDEF) t = t->target;
  sse__vtype *s = sse__type_strip(sse__type_innermost(t));
  char *base = NULL;
  if (s && (s->kind == SSE__TY_STRUCT || s->kind == SSE__TY_UNION || s->kind == SSE__TY_ENUM)) {
    sse__out sub = {.buf = malloc(PT_MAX), .cap = PT_MAX};
    if (!sub.buf) return sse__verr(c, "virtual memory exhausted.");
    sub.buf[0] = 0;
    if (body(c, s, 0, &sub)) {
      free(sub.buf);
      return -1;
    }
    base = sub.buf;
  } else if (s) {
    char tn[512];
    sse__type_name(s, tn, sizeof tn);
    base = strdup(tn);
  }
  char *d = malloc(PT_MAX);
  if (d) sse__type_decl(t, "", base, d, PT_MAX);
  if (d) sse__out_puts(o, d);
  free(d);
  free(base);
  return d ? 0 : sse__verr(c, "virtual memory exhausted.");
}

/* The whole of what as a type name, or NULL (c->err set when it named
 * an unknown struct, union or enum). */
static sse__vtype *type_named(sse__vctx *c, const char *what) {
  const char *p = what;
  sse__vtype *t = sse__typename_parse(c, &p);
  if (!t) return NULL;
  while (*p == ' ' || *p == '\t') p++;
  return *p ? NULL : t;
}

int sse__describe_type(sse__vctx *c, const char *what, bool ptype, sse__out *o) {
  sse__vtype *t = type_named(c, what);
  if (c->err[0]) return -1;
  bool given = t != NULL;
  if (!t) {
    sse__expr *e = sse__expr_parse(c, what);
    sse__value v;
    c->dry = true;
    int rc = !e || sse__expr_eval(c, e, &v);
    c->dry = false;
    if (rc) return -1;
    t = v.type;
  }
  if (ptype) return ptype_of(c, t, o);
  if (given && t->kind == SSE__TY_TYPEDEF && t->target) t = t->target;
  char tn[512];
  sse__type_name(t, tn, sizeof tn);
  sse__out_puts(o, tn);
  return 0;
}
