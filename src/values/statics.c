/* C++ static data members and methods: a member record holds the
 * linkage name of its definition ("_ZN7derived1sE"); its address is that
 * ELF symbol's, in whichever module defines it. */
#include <string.h>

#include "values/values.h"

typedef struct sym_find {
  const char *name;
  int type; /* STT_OBJECT or STT_FUNC */
  uint64_t addr;
  bool found;
} sym_find;

static int in_module(Dwfl_Module *mod, void **ud, const char *n, Dwarf_Addr lo, void *arg) {
  (void)ud, (void)n, (void)lo;
  sym_find *f = arg;
  int k = dwfl_module_getsymtab(mod);
  for (int i = 1; i < k; i++) {
    GElf_Sym sym;
    GElf_Addr addr;
    const char *s = dwfl_module_getsym_info(mod, i, &sym, &addr, NULL, NULL, NULL);
    if (!s || sym.st_shndx == SHN_UNDEF || GELF_ST_TYPE(sym.st_info) != f->type) continue;
    if (strcmp(s, f->name) == 0) {
      f->addr = addr;
      f->found = true;
      return DWARF_CB_ABORT;
    }
  }
  return DWARF_CB_OK;
}

static int symbol_addr(sse__vctx *c, const char *name, int type, uint64_t *addr) {
  sym_find f = {.name = name, .type = type};
  if (!name || !c->at || !c->at->dwfl) return 1;
  dwfl_getmodules(c->at->dwfl, in_module, &f, 0);
  if (!f.found) return 1;
  *addr = f.addr;
  return 0;
}

int sse__symbol_addr(sse__vctx *c, const char *name, uint64_t *addr) {
  return symbol_addr(c, name, STT_OBJECT, addr);
}

int sse__func_symbol_addr(sse__vctx *c, const char *name, uint64_t *addr) {
  return symbol_addr(c, name, STT_FUNC, addr);
}
