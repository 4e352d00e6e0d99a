/* The CU whose code holds an address. libdwfl finds it through
 * .debug_aranges, which clang does not emit (DWARF 5 at any -O): without
 * that table every CU's ranges are looked at, as gdb does when it builds
 * its address map from the CUs. Tables that exist are trusted: an address
 * they leave out (libc's assembly) is in no CU, and the walk over a large
 * module's CUs is not paid at every stop there. st->mu held. */
#define _GNU_SOURCE
#include <elfutils/libdwfl.h>

#include "symtab_int.h"

static bool has_aranges(Dwfl_Module *mod) {
  Dwarf_Addr bias;
  Dwarf *dw = dwfl_module_getdwarf(mod, &bias);
  Dwarf_Aranges *ar = NULL;
  size_t n = 0;
  return dw != NULL && dwarf_getaranges(dw, &ar, &n) == 0 && n > 0;
}

Dwarf_Die *sse__symtab_addrcu(Dwfl_Module *mod, uint64_t pc, Dwarf_Addr *bias) {
  if (mod == NULL)
    return NULL;
  Dwarf_Die *cu = dwfl_module_addrdie(mod, pc, bias);
  if (cu != NULL || has_aranges(mod))
    return cu;
  while ((cu = dwfl_module_nextcu(mod, cu, bias)) != NULL)
    if (dwarf_haspc(cu, pc - *bias) > 0)
      return cu;
  return NULL;
}
