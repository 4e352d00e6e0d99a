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

/* A child of scope named name: a variable, or (funcs) a defined function. */
static bool child_named(Dwarf_Die *scope, const char *name, bool funcs, Dwarf_Die *out) {
  Dwarf_Die ch;
  if (dwarf_child(scope, &ch) != 0) return false;
  do {
    int tag = dwarf_tag(&ch);
    if (!is_var(tag) && !(funcs && tag == DW_TAG_subprogram)) continue;
    const char *n = dwarf_diename(&ch);
    if (!n || strcmp(n, name) != 0 || is_decl(&ch)) continue;
    if (tag == DW_TAG_subprogram) {
      Dwarf_Addr lo;
      if (dwarf_lowpc(&ch, &lo) != 0) continue;
    }
    *out = ch;
    return true;
  } while (dwarf_siblingof(&ch, &ch) == 0);
  return false;
}

/* The top level of every CU of mod but skip (the frame's, looked at). */
static bool module_global(sse__vctx *c, Dwfl_Module *mod, const char *name, Dwarf_Die *out) {
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
    if (child_named(&cu, name, true, out)) {
      c->var_bias = bias;
      return true;
    }
  }
  return false;
}

typedef struct modsearch {
  sse__vctx *c;
  const char *name;
  Dwarf_Die *out;
  bool found;
} modsearch;

static int each_mod(Dwfl_Module *mod, void **ud, const char *n, Dwarf_Addr lo, void *arg) {
  modsearch *m = arg;
  if (mod == m->c->at->mod) return DWARF_CB_OK;
  if (module_global(m->c, mod, m->name, m->out)) {
    m->found = true;
    return DWARF_CB_ABORT;
  }
  return DWARF_CB_OK;
}

int sse__scope_find(sse__vctx *c, const char *name, Dwarf_Die *die) {
  c->var_bias = c->at->bias;
  for (int i = 0; i < c->nscopes; i++)
    if (child_named(&c->scopes[i], name, dwarf_tag(&c->scopes[i]) == DW_TAG_compile_unit, die))
      return 1;
  if (c->at->cu && c->nscopes == 0 && child_named(c->at->cu, name, true, die)) return 1;
  if (c->at->mod && module_global(c, c->at->mod, name, die)) return 1;
  modsearch m = {.c = c, .name = name, .out = die};
  if (c->at->dwfl) dwfl_getmodules(c->at->dwfl, each_mod, &m, 0);
  return m.found;
}

static bool is_func_scope(int tag) {
  return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine;
}

int sse__scope_each(sse__vctx *c, unsigned sel, int (*fn)(void *arg, Dwarf_Die *var), void *arg) {
  c->var_bias = c->at->bias;
  for (int i = 0; i < c->nscopes; i++) {
    int tag = dwarf_tag(&c->scopes[i]);
    bool func = is_func_scope(tag);
    Dwarf_Die ch;
    if (dwarf_child(&c->scopes[i], &ch) == 0) do {
      int t = dwarf_tag(&ch);
      bool want = (t == DW_TAG_formal_parameter && (sel & SSE__VS_ARGS)) ||
                  (t == DW_TAG_variable && (sel & SSE__VS_LOCALS));
      if (!want || !dwarf_diename(&ch) || is_decl(&ch)) continue;
      int rc = fn(arg, &ch);
      if (rc) return rc;
    } while (dwarf_siblingof(&ch, &ch) == 0);
    if (func) break;
  }
  return 0;
}
