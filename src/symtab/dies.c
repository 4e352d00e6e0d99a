/* sse__symtab_with_dwarf: the Dwfl, module and CU at a pc, for the value
 * layer (src/values), which walks the DIEs itself with libdw. */
#include <elfutils/libdw.h>
#include <pthread.h>
#include <string.h>

#include "symtab/dies.h"
#include "symtab_int.h"

/* Whether the module's Dwarf has an address map (.debug_aranges): clang's
 * DWARF 5 has none, and libdw then finds no CU by address. */
static bool has_aranges(Dwfl_Module *mod) {
  Dwarf_Addr bias;
  Dwarf *dw = dwfl_module_getdwarf(mod, &bias);
  Dwarf_Aranges *ar;
  size_t n = 0;
  return dw == NULL || (dwarf_getaranges(dw, &ar, &n) == 0 && n > 0);
}

Dwarf_Die *sse__symtab_cu_at(Dwfl_Module *mod, uint64_t pc, Dwarf_Addr *bias) {
  if (mod == NULL)
    return NULL;
  Dwarf_Die *cu = dwfl_module_addrdie(mod, pc, bias);
  if (cu != NULL || has_aranges(mod))
    return cu;
  /* every CU's DW_AT_ranges / low_pc looked at */
  while ((cu = dwfl_module_nextcu(mod, cu, bias)) != NULL)
    if (dwarf_haspc(cu, pc - *bias) > 0)
      return cu;
  return NULL;
}

int sse__symtab_with_dwarf(sse__symtab *st, uint64_t pc,
                           int (*fn)(void *arg, const sse__dwarf_at *at), void *arg) {
  pthread_mutex_lock(&st->mu);
  int rc = sse__symtab_ensure(st);
  if (rc < 0) {
    pthread_mutex_unlock(&st->mu);
    return rc;
  }
  sse__dwarf_at at;
  memset(&at, 0, sizeof at);
  at.dwfl = st->dwfl;
  at.st = st;
  smod *m = sse__symtab_mod_at(st, pc);
  if (m != NULL) {
    at.mod = m->mod;
    at.cu = sse__symtab_cu_at(m->mod, pc, &at.bias);
  }
  rc = fn(arg, &at);
  pthread_mutex_unlock(&st->mu);
  return rc;
}

/* The module cache's entry of mod, a module of at's process. */
static sse__modentry *entry_of(const sse__dwarf_at *at, Dwfl_Module *mod) {
  sse__symtab *st = at->st;
  for (size_t i = 0; st != NULL && i < st->nmods; i++) {
    if (st->mods[i].mod != mod)
      continue;
    smod *m = sse__symtab_resolve(st, &st->mods[i]);
    return m != NULL ? m->entry : NULL;
  }
  return NULL;
}

void **sse__dwarf_ext_slot(const sse__dwarf_at *at, Dwfl_Module *mod, void (*ext_free)(void *)) {
  sse__modentry *e = entry_of(at, mod);
  if (e == NULL)
    return NULL;
  e->ext_free = ext_free;
  return &e->ext;
}

void **sse__dwarf_ext_slot_saved(const sse__dwarf_at *at, Dwfl_Module *mod, void (*ext_free)(void *),
                                 void *(*ext_save)(void *ext, size_t *n), const void **blob, size_t *n) {
  *blob = NULL;
  *n = 0;
  sse__modentry *e = entry_of(at, mod);
  if (e == NULL)
    return NULL;
  e->ext_free = ext_free;
  sse__modcache_ext_saved(at->st->cache, e, ext_save, blob, n);
  return &e->ext;
}
