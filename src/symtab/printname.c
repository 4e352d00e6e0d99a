/* gdb's print name of the function holding a pc, as `info breakpoints`
 * shows a location ("in shapes::Circle::area() const at ...").  For a C++
 * subprogram gdb's dwarf2_physname: the linkage name demangled with
 * DMGL_PARAMS | DMGL_RET_DROP (parameters and qualifiers, no template
 * return type); without one (main, an extern "C" function) the qualified
 * DWARF name and its parameter types as gdb canonicalizes them
 * ("main()", "f(char const*, int)"). For C the DWARF name. Inlined code
 * is named by the inlined function (named_scope says which). */
#define _GNU_SOURCE
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symtab/dies.h"
#include "symtab_int.h"

typedef struct pn_req {
  char *buf;
  size_t n;
} pn_req;

/* A parameter's type as the demangler writes it ("char const*",
 * "std::string&"); false for one it cannot name (arrays, functions). */
static bool type_name(FILE *f, Dwarf_Die *t, int depth) {
  Dwarf_Attribute a;
  Dwarf_Die next;
  bool has_next = dwarf_formref_die(dwarf_attr(t, DW_AT_type, &a), &next) != NULL;
  const char *name = dwarf_formstring(dwarf_attr(t, DW_AT_name, &a));
  const char *suffix = NULL;
  switch (dwarf_tag(t)) {
  case DW_TAG_base_type:
  case DW_TAG_typedef:
  case DW_TAG_structure_type:
  case DW_TAG_class_type:
  case DW_TAG_union_type:
  case DW_TAG_enumeration_type:
    if (name == NULL)
      return false;
    fputs(name, f);
    return true;
  case DW_TAG_pointer_type: suffix = "*"; break;
  case DW_TAG_reference_type: suffix = "&"; break;
  case DW_TAG_rvalue_reference_type: suffix = "&&"; break;
  case DW_TAG_const_type: suffix = " const"; break;
  case DW_TAG_volatile_type: suffix = " volatile"; break;
  default: return false;
  }
  if (depth > 16)
    return false;
  if (!has_next)
    fputs("void", f);
  else if (!type_name(f, &next, depth + 1))
    return false;
  fputs(suffix, f);
  return true;
}

/* "(T1, T2)" of die's formal parameters (artificial ones left out). */
static bool param_list(FILE *f, Dwarf_Die *die) {
  Dwarf_Die c;
  bool first = true;
  fputc('(', f);
  if (dwarf_child(die, &c) == 0) {
    do {
      Dwarf_Attribute a;
      bool art = false;
      int tag = dwarf_tag(&c);
      if (tag == DW_TAG_unspecified_parameters) {
        fputs(first ? "..." : ", ...", f);
        first = false;
        continue;
      }
      if (tag != DW_TAG_formal_parameter)
        continue;
      dwarf_formflag(dwarf_attr_integrate(&c, DW_AT_artificial, &a), &art);
      if (art)
        continue;
      Dwarf_Die t;
      if (!first)
        fputs(", ", f);
      first = false;
      if (dwarf_formref_die(dwarf_attr_integrate(&c, DW_AT_type, &a), &t) == NULL ||
          !type_name(f, &t, 0))
        return false;
    } while (dwarf_siblingof(&c, &c) == 0);
  }
  fputc(')', f);
  return true;
}

static void put(pn_req *r, const char *s) { snprintf(r->buf, r->n, "%s", s); }

/* A C++ subprogram's print name into r; false when it has none. */
static bool cxx_name(sse__symtab *st, Dwarf_Die *sub, pn_req *r) {
  Dwarf_Attribute a;
  const char *ln = dwarf_formstring(dwarf_attr_integrate(sub, DW_AT_linkage_name, &a));
  if (ln == NULL)
    ln = dwarf_formstring(dwarf_attr_integrate(sub, DW_AT_MIPS_linkage_name, &a));
  char *d = sse__cxx_demangle(ln);
  if (d != NULL) {
    put(r, d + sse__cxx_name_start(d));
    free(d);
    return true;
  }
  const char *q = sse__symtab_cxx_qualname(st, sub);
  char *text = NULL;
  size_t len = 0;
  FILE *f = q ? open_memstream(&text, &len) : NULL;
  if (f == NULL)
    return false;
  fputs(q, f);
  bool ok = param_list(f, sub);
  fclose(f);
  if (ok)
    put(r, text);
  free(text);
  return ok;
}

/* What the callback needs beyond sse__dwarf_at: the pc, and the
 * function a breakpoint was set on (NULL: none) as gdb's linespec reads
 * it, and as typed. */
typedef struct pn_ctx {
  pn_req r;
  uint64_t pc;
  const sse__cxx_name *pat;
  const char *func;
} pn_ctx;

/* Whether scope d is (an inlined copy of) the function c names. */
static bool is_func(const pn_ctx *c, Dwarf_Die *d) {
  Dwarf_Attribute a;
  const char *ln = dwarf_formstring(dwarf_attr_integrate(d, DW_AT_linkage_name, &a));
  if (ln == NULL)
    ln = dwarf_formstring(dwarf_attr_integrate(d, DW_AT_MIPS_linkage_name, &a));
  if (ln != NULL && c->pat != NULL && sse__cxx_matches(c->pat, ln))
    return true;
  const char *nm = dwarf_formstring(dwarf_attr_integrate(d, DW_AT_name, &a));
  return nm != NULL && strcmp(nm, c->func) == 0;
}

/* The scope gdb names pc by (scopes innermost first, pc as DWARF has it):
 * the innermost function or inlined copy holding it
 * (find_pc_sect_containing_function), or for a function breakpoint's
 * location the one of the function it was set on. -1 if none. */
static int named_scope(const pn_ctx *c, Dwarf_Die *scopes, int n, Dwarf_Addr pc) {
  int inner = -1;
  for (int i = 0; i < n; i++) {
    int tag = dwarf_tag(&scopes[i]);
    if ((tag != DW_TAG_subprogram && tag != DW_TAG_inlined_subroutine) ||
        dwarf_haspc(&scopes[i], pc) <= 0)
      continue;
    if (c->func == NULL || is_func(c, &scopes[i]))
      return i;
    if (inner < 0)
      inner = i;
  }
  return inner;
}

static int pn_cb(void *arg, const sse__dwarf_at *at) {
  pn_ctx *c = arg;
  if (at->cu == NULL)
    return 1;
  Dwarf_Die *found = NULL, *scopes = NULL;
  Dwarf_Addr pc = c->pc - at->bias;
  /* dwarf_getscopes follows an inlined copy to its abstract definition's
   * scopes; the copies it is inlined into are its DIE's parents */
  int n = dwarf_getscopes(at->cu, pc, &found);
  if (n > 0)
    n = dwarf_getscopes_die(&found[0], &scopes);
  free(found);
  int i = named_scope(c, scopes, n, pc), rc = 1;
  if (i >= 0 && sse__cxx_lang(dwarf_srclang(at->cu))) {
    rc = cxx_name(at->st, &scopes[i], &c->r) ? 0 : 1;
  } else if (i >= 0) {
    Dwarf_Attribute a;
    const char *nm = dwarf_formstring(dwarf_attr_integrate(&scopes[i], DW_AT_name, &a));
    if (nm != NULL) {
      put(&c->r, nm);
      rc = 0;
    }
  }
  free(scopes);
  return rc;
}

int sse__symtab_print_name(sse__symtab *st, uint64_t pc, const char *func, char *buf, size_t n) {
  pn_ctx c = {.r = {.buf = buf, .n = n}, .pc = pc, .func = func};
  sse__cxx_name *pat = func ? sse__cxx_pattern(func) : NULL;
  c.pat = pat;
  int rc = sse__symtab_with_dwarf(st, pc, pn_cb, &c);
  if (pat)
    sse__cxx_pattern_free(pat);
  return rc == 0 ? 0 : -1;
}
