/* The variables visible at a frame's pc, with C's rules: the blocks
 * containing the pc innermost first (an inner block's variable shadows an
 * outer one), the function's parameters, the CU's statics and globals,
 * then the globals of the module's other CUs and of every other module. */
#include <dwarf.h>
#include <stdio.h>
#include <string.h>

#include "values/values.h"

#define SCOPE_MAX_CUS 100000

int sse__scope_open(sse__vctx *c) {
  c->nscopes = 0;
  if (!c->at->cu) return 0;
  Dwarf_Die *sc = NULL;
  int n = dwarf_getscopes(c->at->cu, c->lookup_pc - c->at->bias, &sc);
  if (n > 0) {
    c->scopes = sc;
    c->nscopes = n;
  }
  return 0;
}

static bool is_var(int tag) { return tag == DW_TAG_variable || tag == DW_TAG_formal_parameter; }

static bool is_decl(Dwarf_Die *d) {
  Dwarf_Attribute a;
  bool flag = false;
  if (dwarf_attr(d, DW_AT_declaration, &a)) dwarf_formflag(&a, &flag);
  return flag;
}

/* What a lookup wants: a variable (type_tag 0; funcs: or a defined
 * function), or a type DIE of type_tag named name; a C++ qualified name
 * ("shapes::Circle") has its scopes in path[0..npath), name the last. */
typedef struct wanted {
  const char *name;
  bool funcs;
  int type_tag;
  const char *const *path;
  int npath;
  bool qualified; /* named with its scopes: a function's declaration
                     (its code found by its linkage name) will do */
} wanted;

static bool blanks_eq(const char *dw, const char *want) {
  for (;; dw++, want++) {
    while (*dw == ' ') dw++;
    while (*want == ' ') want++;
    if (*dw != *want) return false;
    if (!*dw) return true;
  }
}

/* Names equal but for blanks and in their canonical forms ("vector<int,
 * std::allocator<int> >" is "vector<int,std::allocator<int>>", GCC's
 * "pair<const int, int>" gdb's "pair<int const, int>"). */
static bool name_eq(const char *dw, const char *want) {
  if (strcmp(dw, want) == 0) return true;
  const char *lt = strchr(want, '<');
  if (!lt || strncmp(dw, want, (size_t)(lt - want + 1)) != 0) return false;
  if (blanks_eq(dw, want)) return true;
  char a[4096], b[4096];
  return sse__cxx_canon(dw, a, sizeof a) && sse__cxx_canon(want, b, sizeof b) && blanks_eq(a, b);
}

static bool is_scope_tag(int tag) {
  return tag == DW_TAG_namespace || tag == DW_TAG_structure_type || tag == DW_TAG_class_type ||
         tag == DW_TAG_union_type;
}

static bool tag_wanted(Dwarf_Die *ch, int tag, int want) {
  if (tag == want) return true;
  if (want == DW_TAG_namespace) /* any scope */
    return is_scope_tag(tag) || tag == DW_TAG_enumeration_type;
  if (want == DW_TAG_structure_type) return tag == DW_TAG_class_type;
  if (want != DW_TAG_typedef) return false;
  /* a type name: a typedef, a base type, or in C++ a class, union or enum */
  if (tag == DW_TAG_base_type) return true;
  return (tag == DW_TAG_structure_type || tag == DW_TAG_class_type ||
          tag == DW_TAG_union_type || tag == DW_TAG_enumeration_type) && sse__die_is_cxx(ch);
}

static bool matches(Dwarf_Die *ch, const wanted *w) {
  int tag = dwarf_tag(ch);
  if (w->type_tag) {
    if (!tag_wanted(ch, tag, w->type_tag)) return false;
  } else if (!is_var(tag) && !(w->funcs && tag == DW_TAG_subprogram)) {
    return false;
  }
  const char *n = dwarf_diename(ch);
  if (!n && tag == DW_TAG_namespace) n = "(anonymous namespace)";
  if (!n || !name_eq(n, w->name)) return false;
  if (tag == DW_TAG_subprogram && w->qualified) return true; /* its code: sse__scope_code */
  if (is_decl(ch)) return false;
  Dwarf_Addr lo;
  return tag != DW_TAG_subprogram || dwarf_lowpc(ch, &lo) == 0;
}

/* An enumerator of enumeration type e named name (gdb: a symbol of the
 * block holding the type). */
static bool enumerator_named(Dwarf_Die *e, const char *name, Dwarf_Die *out) {
  Dwarf_Die ch;
  if (dwarf_child(e, &ch) != 0) return false;
  do {
    const char *n = dwarf_diename(&ch);
    if (dwarf_tag(&ch) == DW_TAG_enumerator && n && strcmp(n, name) == 0) {
      *out = ch;
      return true;
    }
  } while (dwarf_siblingof(&ch, &ch) == 0);
  return false;
}

static bool child_named(sse__vctx *c, Dwarf_Die *scope, const wanted *w, Dwarf_Die *out);

/* Whether scope DIE d is the one named comp: "(anonymous namespace)" is
 * a namespace without a name. */
static bool scope_named(Dwarf_Die *d, const char *comp) {
  /* an enum class scopes its enumerators (shapes::color::green) */
  if (!is_scope_tag(dwarf_tag(d)) && dwarf_tag(d) != DW_TAG_enumeration_type) return false;
  const char *n = dwarf_diename(d);
  if (!n) return dwarf_tag(d) == DW_TAG_namespace && strcmp(comp, "(anonymous namespace)") == 0;
  return name_eq(n, comp);
}

/* w's name inside scope by w's path from component k on: the scopes
 * named so descended (a namespace reopened is several DIEs, each tried;
 * an inline namespace, DW_AT_export_symbols, is looked through). */
static bool in_path(sse__vctx *c, Dwarf_Die *scope, const wanted *w, int k, int depth,
                    Dwarf_Die *out) {
  if (k == w->npath) {
    wanted last = *w;
    last.npath = 0;
    /* a function declared in a namespace; a method's is the class's */
    last.qualified = dwarf_tag(scope) == DW_TAG_namespace;
    if (dwarf_tag(scope) == DW_TAG_enumeration_type) {
      if (w->type_tag || !enumerator_named(scope, w->name, out)) return false;
      c->cur_enum = *scope;
      return true;
    }
    if (child_named(c, scope, &last, out)) return true;
  }
  Dwarf_Die ch;
  if (depth > 32 || dwarf_child(scope, &ch) != 0) return false;
  do {
    Dwarf_Attribute a;
    if (k < w->npath && scope_named(&ch, w->path[k]) && in_path(c, &ch, w, k + 1, depth + 1, out))
      return true;
    if (dwarf_tag(&ch) == DW_TAG_namespace && dwarf_attr(&ch, DW_AT_export_symbols, &a) &&
        in_path(c, &ch, w, k, depth + 1, out))
      return true;
  } while (dwarf_siblingof(&ch, &ch) == 0);
  return false;
}

/* A child of scope that w wants (an enumerator: its type in
 * c->cur_enum). */
static bool child_named(sse__vctx *c, Dwarf_Die *scope, const wanted *w, Dwarf_Die *out) {
  Dwarf_Die ch;
  if (w->npath) return in_path(c, scope, w, 0, 0, out);
  if (dwarf_child(scope, &ch) != 0) return false;
  do {
    if (matches(&ch, w)) {
      *out = ch;
      return true;
    }
    if (!w->type_tag && dwarf_tag(&ch) == DW_TAG_enumeration_type &&
        enumerator_named(&ch, w->name, out)) {
      c->cur_enum = ch;
      return true;
    }
  } while (dwarf_siblingof(&ch, &ch) == 0);
  return false;
}

/* The top level of every CU of mod but the frame's (looked at). */
static bool module_global(sse__vctx *c, Dwfl_Module *mod, const wanted *w, Dwarf_Die *out) {
  Dwarf_Addr bias;
  Dwarf *dw = dwfl_module_getdwarf(mod, &bias);
  if (!dw) return false;
  Dwarf_Off off = 0, next;
  size_t hsize;
  for (int k = 0; k < SCOPE_MAX_CUS &&
                  dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0; k++, off = next) {
    Dwarf_Die cu;
    if (!dwarf_offdie(dw, off + hsize, &cu)) continue;
    if (c->at->cu && dwarf_dieoffset(&cu) == dwarf_dieoffset(c->at->cu) && mod == c->at->mod)
      continue;
    if (child_named(c, &cu, w, out)) {
      c->var_bias = bias;
      c->var_mod = mod;
      return true;
    }
  }
  return false;
}

typedef struct modsearch {
  sse__vctx *c;
  const wanted *w;
  Dwarf_Die *out;
  bool found;
} modsearch;

static int each_mod(Dwfl_Module *mod, void **ud, const char *n, Dwarf_Addr lo, void *arg) {
  modsearch *m = arg;
  if (mod == m->c->at->mod) return DWARF_CB_OK;
  if (module_global(m->c, mod, m->w, m->out)) {
    m->found = true;
    return DWARF_CB_ABORT;
  }
  return DWARF_CB_OK;
}

/* The frame's scopes innermost first, the module, every module. */
static int find(sse__vctx *c, const wanted *w, Dwarf_Die *die) {
  c->var_bias = c->at->bias;
  c->var_mod = c->at->mod;
  for (int i = 0; i < c->nscopes; i++) {
    wanted wi = *w;
    wi.funcs = !w->type_tag && dwarf_tag(&c->scopes[i]) == DW_TAG_compile_unit;
    if (child_named(c, &c->scopes[i], &wi, die)) {
      if (!w->type_tag && dwarf_tag(&c->scopes[i]) != DW_TAG_compile_unit) c->used_frame = true;
      return 1;
    }
  }
  wanted wf = *w;
  wf.funcs = !w->type_tag;
  if (c->at->cu && c->nscopes == 0 && child_named(c, c->at->cu, &wf, die)) return 1;
  if (c->at->mod && module_global(c, c->at->mod, &wf, die)) return 1;
  modsearch m = {.c = c, .w = &wf, .out = die};
  if (c->at->dwfl) dwfl_getmodules(c->at->dwfl, each_mod, &m, 0);
  return m.found;
}

#define PATH_MAX_COMPS 32

/* name's scopes into w->path ("a::b<c::d>::e": "a", "b<c::d>"; "::x" is
 * x at file scope), w->name its last component. -1: c->err. */
static int split_path(sse__vctx *c, const char *name, wanted *w, const char **comps) {
  w->name = name;
  w->path = comps;
  w->npath = 0;
  if (!strstr(name, "::")) return 0;
  w->qualified = true;
  if (name[0] == ':' && name[1] == ':') name += 2;
  const char *start = name;
  int nest = 0;
  for (const char *p = name;; p++) {
    if (*p == '<' || *p == '(') nest++;
    else if ((*p == '>' || *p == ')') && nest) nest--;
    bool end = !*p || (!nest && p[0] == ':' && p[1] == ':');
    if (!end) continue;
    size_t n = (size_t)(p - start);
    char *comp = sse__va_alloc(c, n + 1);
    if (!comp) return -1;
    memcpy(comp, start, n);
    if (!*p) {
      w->name = comp;
      return 0;
    }
    if (w->npath == PATH_MAX_COMPS) return sse__verr(c, "Name too deeply qualified.");
    comps[w->npath++] = comp;
    start = ++p + 1;
  }
}

int sse__scope_find_type(sse__vctx *c, int tag, const char *name, Dwarf_Die *out) {
  const char *comps[PATH_MAX_COMPS];
  wanted w = {.type_tag = tag};
  if (split_path(c, name, &w, comps)) return 0;
  return find(c, &w, out);
}

int sse__scope_find(sse__vctx *c, const char *name, Dwarf_Die *die) {
  const char *comps[PATH_MAX_COMPS];
  wanted w = {0};
  if (split_path(c, name, &w, comps)) return 0;
  return find(c, &w, die);
}

static bool is_func_scope(int tag) {
  return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine;
}

/* gdb's info locals lists the enumerators of a block's enum types. */
static int each_enumerator(sse__vctx *c, Dwarf_Die *e, int (*fn)(void *arg, Dwarf_Die *var),
                           void *arg) {
  Dwarf_Die ch;
  if (dwarf_child(e, &ch) != 0) return 0;
  do {
    if (dwarf_tag(&ch) != DW_TAG_enumerator || !dwarf_diename(&ch)) continue;
    c->cur_enum = *e;
    int rc = fn(arg, &ch);
    if (rc) return rc;
  } while (dwarf_siblingof(&ch, &ch) == 0);
  return 0;
}

int sse__scope_each(sse__vctx *c, unsigned sel, int (*fn)(void *arg, Dwarf_Die *var), void *arg) {
  c->var_bias = c->at->bias;
  c->var_mod = c->at->mod;
  for (int i = 0; i < c->nscopes; i++) {
    int tag = dwarf_tag(&c->scopes[i]);
    bool func = is_func_scope(tag);
    Dwarf_Die ch;
    if (dwarf_child(&c->scopes[i], &ch) == 0) do {
      int t = dwarf_tag(&ch);
      if (t == DW_TAG_enumeration_type && (sel & SSE__VS_LOCALS)) {
        int rc = each_enumerator(c, &ch, fn, arg);
        if (rc) return rc;
        continue;
      }
      bool want = (t == DW_TAG_formal_parameter && (sel & SSE__VS_ARGS)) ||
                  (t == DW_TAG_variable && (sel & SSE__VS_LOCALS));
      if (!want || !dwarf_diename(&ch) || is_decl(&ch)) continue;
      int rc = fn(arg, &ch);
      if (rc) return rc;
    } while (dwarf_siblingof(&ch, &ch) == 0);
    if (func) return sse__scope_inherited(c, &c->scopes[i], sel, fn, arg);
  }
  return 0;
}

/* gdb's error for the qualified name that sse__scope_find did not find:
 * the innermost of its scopes that exists says what is missing in it. */
int sse__scope_not_found(sse__vctx *c, const char *name) {
  const char *comps[PATH_MAX_COMPS];
  wanted w = {0};
  if (split_path(c, name, &w, comps)) return -1;
  for (int j = w.npath; j >= 1; j--) {
    wanted sc = {.name = comps[j - 1], .type_tag = DW_TAG_namespace, .path = comps, .npath = j - 1};
    Dwarf_Die d;
    if (!find(c, &sc, &d)) continue;
    const char *missing = j < w.npath ? comps[j] : w.name;
    char ns[1024];
    size_t len = 0;
    ns[0] = 0;
    for (int i = 0; i < j && len < sizeof ns; i++)
      len += (size_t)snprintf(ns + len, sizeof ns - len, "%s%s", i ? "::" : "", comps[i]);
    int tag = dwarf_tag(&d);
    if (tag == DW_TAG_enumeration_type)
      return sse__verr(c, "no constant named \"%s\" in enum \"%s\"", missing, ns);
    if (tag != DW_TAG_namespace) return sse__verr(c, "There is no field named %s", missing);
    return sse__verr(c, "No symbol \"%s\" in namespace \"%s\".", missing, ns);
  }
  return sse__verr(c, "No symbol \"%s\" in current context.", w.npath ? comps[0] : name);
}

/* A declaration's definition: the DIE of decl's CU whose
 * DW_AT_specification is decl (GCC's out-of-line definitions). */
static bool definition_of(Dwarf_Die *decl, Dwarf_Die *out) {
  Dwarf_Die cu, ch;
  if (!dwarf_diecu(decl, &cu, NULL, NULL) || dwarf_child(&cu, &ch) != 0) return false;
  Dwarf_Off want = dwarf_dieoffset(decl);
  do {
    Dwarf_Attribute a;
    Dwarf_Die spec;
    if (dwarf_tag(&ch) == DW_TAG_subprogram && dwarf_attr(&ch, DW_AT_specification, &a) &&
        dwarf_formref_die(&a, &spec) && dwarf_dieoffset(&spec) == want) {
      *out = ch;
      return true;
    }
  } while (dwarf_siblingof(&ch, &ch) == 0);
  return false;
}

int sse__scope_code(sse__vctx *c, Dwarf_Die *fn, uint64_t *addr) {
  Dwarf_Addr lo;
  Dwarf_Attribute a;
  Dwarf_Die def;
  if (dwarf_lowpc(fn, &lo) == 0) {
    *addr = lo + c->var_bias;
    return 0;
  }
  const char *ln = dwarf_formstring(dwarf_attr(fn, DW_AT_linkage_name, &a));
  if (ln && sse__func_symbol_addr(c, ln, addr) == 0) return 0;
  if (definition_of(fn, &def) && dwarf_lowpc(&def, &lo) == 0) {
    *addr = lo + c->var_bias;
    return 0;
  }
  return 1;
}
