/* A function known only by its ELF symbol in the frame's scopes (libc's
 * printf): its DWARF found at its address, in the module's separate
 * debug info when libdwfl found one (/usr/lib/debug/.build-id), as gdb
 * types "p &printf" from libc6-dbg: "(int (*)(const char *, ...))";
 * and the DWARF name gdb gives an address there ("<__printf>"). */
#include <dwarf.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "values/values.h"

typedef struct msym_find {
  const char *name;
  Dwfl_Module *mod;
  GElf_Addr addr;
} msym_find;

/* The first module's global function symbol named f->name. */
static int each_mod(Dwfl_Module *mod, void **ud, const char *n, Dwarf_Addr lo, void *arg) {
  (void)ud, (void)n, (void)lo;
  msym_find *f = arg;
  int nsym = dwfl_module_getsymtab(mod);
  for (int i = 1; i < nsym; i++) {
    GElf_Sym sym;
    GElf_Addr addr;
    const char *sn = dwfl_module_getsym_info(mod, i, &sym, &addr, NULL, NULL, NULL);
    if (!sn || strcmp(sn, f->name) != 0 || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
        GELF_ST_BIND(sym.st_info) == STB_LOCAL || sym.st_shndx == SHN_UNDEF)
      continue;
    f->mod = mod;
    f->addr = addr;
    return DWARF_CB_ABORT;
  }
  return DWARF_CB_OK;
}

/* The subprogram DIE whose code starts at pc (a DWARF address) in cu. */
static bool subprogram_at(Dwarf_Die *cu, Dwarf_Addr pc, Dwarf_Die *out) {
  Dwarf_Die *scopes = NULL;
  int n = dwarf_getscopes(cu, pc, &scopes);
  bool found = false;
  for (int i = 0; i < n && !found; i++) {
    Dwarf_Addr lo;
    if (dwarf_tag(&scopes[i]) != DW_TAG_subprogram || dwarf_lowpc(&scopes[i], &lo) != 0 || lo != pc)
      continue;
    *out = scopes[i];
    found = true;
  }
  free(scopes);
  return found;
}

int sse__msym_function(sse__vctx *c, const char *name, sse__value *out) {
  if (!c->at || !c->at->dwfl || strchr(name, ':')) return 1;
  msym_find f = {.name = name};
  dwfl_getmodules(c->at->dwfl, each_mod, &f, 0);
  Dwarf_Addr bias;
  Dwarf_Die *cu = f.mod ? dwfl_module_addrdie(f.mod, f.addr, &bias) : NULL;
  Dwarf_Die die;
  if (!cu || !subprogram_at(cu, f.addr - bias, &die)) return 1;
  memset(out, 0, sizeof *out);
  if (!(out->type = sse__type_from(c, &die))) return -1;
  out->kind = SSE__V_MEM;
  out->addr = f.addr;
  out->is_func = true;
  return 0;
}

bool sse__msym_dwarf_name(Dwfl_Module *m, uint64_t start, char *buf, size_t n) {
  Dwarf_Addr bias;
  Dwarf_Die *cu = dwfl_module_addrdie(m, start, &bias), die;
  const char *nm = cu && subprogram_at(cu, start - bias, &die) ? dwarf_diename(&die) : NULL;
  if (!nm || !n) return false;
  snprintf(buf, n, "%s", nm);
  return true;
}
