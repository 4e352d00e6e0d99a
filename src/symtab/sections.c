/* Sections of a module's ELF as the lookups need them: the PLT sections,
 * .text and the end of the code (read once per shared module entry), the
 * section holding an address, code bytes from the file image. */
#define _GNU_SOURCE
#include <gelf.h>
#include <string.h>

#include "symtab_int.h"

/* Module-relative ranges of the PLT sections and .text from the section
 * headers of the module's ELF. */
static void read_sects(Dwfl_Module *mod, sse__sects *s) {
  memset(s, 0, sizeof *s);
  GElf_Addr bias;
  Elf *elf = dwfl_module_getelf(mod, &bias);
  size_t shstrndx;
  if (elf == NULL || elf_getshdrstrndx(elf, &shstrndx) != 0)
    return;
  Elf_Scn *scn = NULL;
  while ((scn = elf_nextscn(elf, scn)) != NULL) {
    GElf_Shdr sh;
    if (gelf_getshdr(scn, &sh) == NULL || !(sh.sh_flags & SHF_ALLOC) || sh.sh_size == 0)
      continue;
    if ((sh.sh_flags & SHF_EXECINSTR) && sh.sh_addr + sh.sh_size > s->exec_hi)
      s->exec_hi = sh.sh_addr + sh.sh_size;
    const char *n = elf_strptr(elf, shstrndx, sh.sh_name);
    if (n == NULL)
      continue;
    if (strcmp(n, ".text") == 0) {
      s->text_lo = sh.sh_addr;
      s->text_hi = sh.sh_addr + sh.sh_size;
    } else if (sse__arch_is_plt_section(n) && s->nplt < SSE__ARCH_PLT_SECTIONS) {
      s->plt_lo[s->nplt] = sh.sh_addr;
      s->plt_hi[s->nplt] = sh.sh_addr + sh.sh_size;
      s->nplt++;
    }
  }
}

/* The section ranges of m, read once per shared entry. A reader that finds
 * another one writing the entry uses its own copy (same file, same
 * result). */
void sse__symtab_sects(smod *m, sse__sects *out) {
  sse__modentry *e = m->entry;
  if (e != NULL && atomic_load_explicit(&e->sect_state, memory_order_acquire) == 2) {
    *out = e->sects;
    return;
  }
  read_sects(m->mod, out);
  int expect = 0;
  if (e != NULL && atomic_compare_exchange_strong(&e->sect_state, &expect, 1)) {
    e->sects = *out;
    atomic_store_explicit(&e->sect_state, 2, memory_order_release);
  }
}

/* The allocated section of elf holding rel (module-relative), its header
 * in *sh; NULL if none. */
Elf_Scn *sse__symtab_section_at(Elf *elf, uint64_t rel, GElf_Shdr *sh) {
  Elf_Scn *scn = NULL;
  while (elf != NULL && (scn = elf_nextscn(elf, scn)) != NULL)
    if (gelf_getshdr(scn, sh) != NULL && (sh->sh_flags & SHF_ALLOC) && rel >= sh->sh_addr &&
        rel < sh->sh_addr + sh->sh_size)
      return scn;
  return NULL;
}

/* The end (module-relative) of the allocated section holding rel, or 0. */
uint64_t sse__symtab_section_end(smod *m, uint64_t rel) {
  GElf_Addr bias;
  GElf_Shdr sh;
  return sse__symtab_section_at(dwfl_module_getelf(m->mod, &bias), rel, &sh) ? sh.sh_addr + sh.sh_size : 0;
}

/* Copy up to n bytes of the module's file image at rel (from its
 * PROGBITS section); returns the count. */
size_t sse__symtab_read_code(smod *m, uint64_t rel, unsigned char *buf, size_t n) {
  GElf_Addr bias;
  Elf *elf = dwfl_module_getelf(m->mod, &bias);
  if (elf == NULL)
    return 0;
  Elf_Scn *scn = NULL;
  while ((scn = elf_nextscn(elf, scn)) != NULL) {
    GElf_Shdr sh;
    if (gelf_getshdr(scn, &sh) == NULL || sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_ALLOC))
      continue;
    if (rel < sh.sh_addr || rel - sh.sh_addr >= sh.sh_size)
      continue;
    Elf_Data *d = elf_getdata(scn, NULL);
    if (d == NULL || d->d_buf == NULL)
      return 0;
    uint64_t off = rel - sh.sh_addr;
    if (off >= d->d_size)
      return 0;
    size_t k = d->d_size - off < n ? d->d_size - off : n;
    memcpy(buf, (const unsigned char *)d->d_buf + off, k);
    return k;
  }
  return 0;
}
