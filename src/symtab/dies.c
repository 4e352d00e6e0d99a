/* sse__symtab_with_dwarf: the Dwfl, module and CU at a pc, for the value
 * layer (src/values), which walks the DIEs itself with libdw. */
#include <pthread.h>
#include <string.h>

#include "symtab/dies.h"
#include "symtab_int.h"

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
  smod *m = sse__symtab_mod_at(st, pc);
  if (m != NULL) {
    at.mod = m->mod;
    at.cu = dwfl_module_addrdie(m->mod, pc, &at.bias);
  }
  rc = fn(arg, &at);
  pthread_mutex_unlock(&st->mu);
  return rc;
}
