/* The variables visible at a frame's pc, with C's rules: the blocks
 * containing the pc innermost first (an inner block's variable shadows an
 * outer one), the function's parameters, the CU's statics and globals,
 * then the globals of the module's other CUs and of every other module. */
#include <dwarf.h>
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
 * function), or a type DIE of type_tag named name. */
typedef struct wanted {
  const char *name;
  bool funcs;
  int type_tag;
} wanted;

static bool matches(Dwarf_Die *ch, const wanted *w) {
  int tag = dwarf_tag(ch);
  if (w->type_tag) {
    if (tag != w->type_tag && !(w->type_tag == DW_TAG_typedef && tag == DW_TAG_base_type))
      return false;
  } else if (!is_var(tag) && !(w->funcs && tag == DW_TAG_subprogram)) {
    return false;
  }
  const char *n = dwarf_diename(ch);
  if (!n || strcmp(n, w->name) != 0 || is_decl(ch)) return false;
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

/* A child of scope that w wants (an enumerator: its type in
 * c->cur_enum). */
static bool child_named(sse__vctx *c, Dwarf_Die *scope, const wanted *w, Dwarf_Die *out) {
  Dwarf_Die ch;
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

int sse__scope_find_type(sse__vctx *c, int tag, const char *name, Dwarf_Die *out) {
  wanted w = {.name = name, .type_tag = tag};
  return find(c, &w, out);
}

int sse__scope_find(sse__vctx *c, const char *name, Dwarf_Die *die) {
  wanted w = {.name = name};
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
