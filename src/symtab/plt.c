/* PLT entries named as gdb names them, "NAME@plt" (BFD's synthetic
 * symbols): the arch decodes the stub's jump to its GOT slot, and the
 * dynamic relocation of that slot gives the symbol. Done on demand: a pc is
 * inside a PLT stub only while one is single-stepped. */
#define _GNU_SOURCE
#include <gelf.h>
#include <stdio.h>
#include <string.h>

#include "arch/arch.h"
#include "symtab_int.h"

/* The symbol the dynamic relocation of GOT slot `got` binds it to: JUMP_SLOT
 * or GLOB_DAT, or an IRELATIVE one's "*ABS*+0xADDEND"; NULL if none. */
static const char *slot_symbol(sse__symtab *st, Elf *elf, uint64_t got) {
  const char *name = NULL;
  Elf_Scn *scn = NULL;
  while (name == NULL && (scn = elf_nextscn(elf, scn)) != NULL) {
    GElf_Shdr rs;
    if (gelf_getshdr(scn, &rs) == NULL || rs.sh_type != SHT_RELA || rs.sh_entsize == 0)
      continue;
    Elf_Data *rd = elf_getdata(scn, NULL);
    Elf_Scn *symscn = elf_getscn(elf, rs.sh_link);
    GElf_Shdr ss;
    Elf_Data *sd = symscn ? elf_getdata(symscn, NULL) : NULL;
    if (rd == NULL || sd == NULL || gelf_getshdr(symscn, &ss) == NULL)
      continue;
    size_t n = rs.sh_size / rs.sh_entsize;
    for (size_t i = 0; i < n; i++) {
      GElf_Rela r;
      if (gelf_getrela(rd, (int)i, &r) == NULL || r.r_offset != got)
        continue;
      sse__reloc_kind kind = sse__arch_reloc_kind(GELF_R_TYPE(r.r_info));
      if (kind == SSE__RELOC_IRELATIVE) {
        /* An IFUNC resolved at load time: gdb (BFD) says "*ABS*+0xADDEND". */
        char abs_name[64];
        snprintf(abs_name, sizeof abs_name, "*ABS*+0x%llx", (unsigned long long)r.r_addend);
        name = sse__modcache_intern(st->cache, abs_name);
        break;
      }
      if (kind != SSE__RELOC_JUMP_SLOT && kind != SSE__RELOC_GLOB_DAT)
        continue;
      GElf_Sym sym;
      if (gelf_getsym(sd, (int)GELF_R_SYM(r.r_info), &sym) == NULL)
        break;
      name = elf_strptr(elf, ss.sh_link, sym.st_name);
      break;
    }
  }
  return name;
}

const char *sse__symtab_plt_name(sse__symtab *st, smod *m, uint64_t rel, uint64_t *lo, uint64_t *hi) {
  sse__sects sc;
  sse__symtab_sects(m, &sc);
  bool in = false;
  for (unsigned i = 0; i < sc.nplt && !in; i++)
    in = rel >= sc.plt_lo[i] && rel < sc.plt_hi[i];
  if (!in)
    return NULL;
  *lo = *hi = 1; /* in a PLT section; the entry if named below */
  GElf_Addr bias;
  Elf *elf = dwfl_module_getelf(m->mod, &bias);
  size_t shstrndx;
  if (elf == NULL || elf_getshdrstrndx(elf, &shstrndx) != 0)
    return NULL;
  /* The section and its entry size. */
  GElf_Shdr sh;
  Elf_Scn *scn = sse__symtab_section_at(elf, rel, &sh);
  const char *sname = scn ? elf_strptr(elf, shstrndx, sh.sh_name) : NULL;
  if (sname == NULL || !sse__arch_is_plt_section(sname) || sh.sh_type != SHT_PROGBITS)
    return NULL;
  Elf_Data *d = elf_getdata(scn, NULL);
  if (d == NULL || d->d_buf == NULL || d->d_size < sh.sh_size)
    return NULL;
  uint64_t elo, ehi, got;
  if (!sse__arch_plt_entry(sname, sh.sh_addr, d->d_buf, sh.sh_size, sh.sh_entsize, rel, &elo, &ehi,
                           &got))
    return NULL;
  const char *name = slot_symbol(st, elf, got);
  if (name == NULL || name[0] == '\0')
    return NULL;
  char buf[512];
  snprintf(buf, sizeof buf, "%s@plt", name);
  *lo = elo;
  *hi = ehi;
  return sse__modcache_intern(st->cache, buf);
}
