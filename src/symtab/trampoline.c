/* The dynamic linker and trampolines: gdb's in_solib_dynsym_resolve_code
 * (PLT sections, the dynamic linker's .text) and the address of
 * _dl_debug_state, the shared-library event breakpoint. */
#define _GNU_SOURCE
#include <gelf.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>

#include "symtab_int.h"

/* PT_INTERP of the module's ELF into buf; false if it has none. */
static bool read_interp(smod *m, char *buf, size_t len) {
  GElf_Addr bias;
  Elf *elf = dwfl_module_getelf(m->mod, &bias);
  size_t nph;
  if (elf == NULL || elf_getphdrnum(elf, &nph) != 0)
    return false;
  for (size_t i = 0; i < nph; i++) {
    GElf_Phdr ph;
    if (gelf_getphdr(elf, (int)i, &ph) == NULL || ph.p_type != PT_INTERP)
      continue;
    Elf_Data *d = elf_getdata_rawchunk(elf, (int64_t)ph.p_offset, ph.p_filesz, ELF_T_BYTE);
    if (d == NULL || d->d_buf == NULL || d->d_size == 0)
      return false;
    size_t n = strnlen(d->d_buf, d->d_size);
    if (n == 0 || n >= len)
      return false;
    memcpy(buf, d->d_buf, n);
    buf[n] = '\0';
    return true;
  }
  return false;
}

static bool is_ld_basename(const char *path) {
  if (path == NULL)
    return false;
  const char *b = strrchr(path, '/');
  b = b ? b + 1 : path;
  return strncmp(b, "ld-linux", 8) == 0 || strncmp(b, "ld.so", 5) == 0;
}

static bool same_file(const char *a, const struct stat *sb) {
  struct stat sa;
  return a != NULL && stat(a, &sa) == 0 && sa.st_dev == sb->st_dev && sa.st_ino == sb->st_ino;
}

/* The dynamic linker's module (symtab locked, modules reported): the one
 * mapping the main executable's PT_INTERP, else the first whose basename
 * starts with ld-linux / ld.so. NULL if none is mapped. */
static smod *ld_mod(sse__symtab *st) {
  if (!st->ld_known) {
    st->ld_known = true;
    st->ld_idx = -1;
    char interp[PATH_MAX];
    struct stat isb;
    bool have = false;
    for (size_t i = 0; i < st->nmods && !have; i++) {
      smod *m = &st->mods[i];
      if (st->exe != NULL && m->name == st->exe)
        have = read_interp(sse__symtab_resolve(st, m), interp, sizeof interp) && stat(interp, &isb) == 0;
    }
    for (size_t i = 0; have && i < st->nmods && st->ld_idx < 0; i++) {
      smod *m = sse__symtab_resolve(st, &st->mods[i]);
      if ((m->path != NULL && strcmp(m->path, interp) == 0) || same_file(m->path, &isb))
        st->ld_idx = (long)i;
    }
    for (size_t i = 0; i < st->nmods && st->ld_idx < 0; i++) {
      smod *m = sse__symtab_resolve(st, &st->mods[i]);
      if (is_ld_basename(m->path) || is_ld_basename(m->name))
        st->ld_idx = (long)i;
    }
  }
  return st->ld_idx >= 0 ? &st->mods[st->ld_idx] : NULL;
}

bool sse__symtab_in_trampoline(sse__symtab *st, uint64_t pc) {
  bool r = false;
  pthread_mutex_lock(&st->mu);
  smod *m = sse__symtab_ensure(st) == 0 ? sse__symtab_mod_at(st, pc) : NULL;
  if (m != NULL) {
    sse__sects s;
    sse__symtab_sects(m, &s);
    uint64_t rel = pc - m->ebias;
    for (unsigned i = 0; i < s.nplt && !r; i++)
      r = rel >= s.plt_lo[i] && rel < s.plt_hi[i];
    if (!r && ld_mod(st) == m)
      r = s.text_hi == 0 || (rel >= s.text_lo && rel < s.text_hi);
  }
  pthread_mutex_unlock(&st->mu);
  return r;
}

int sse__symtab_dl_debug_state(sse__symtab *st, uint64_t *addr) {
  int rc = -1;
  pthread_mutex_lock(&st->mu);
  smod *m = sse__symtab_ensure(st) == 0 ? ld_mod(st) : NULL;
  const sse__modentry *e = m ? sse__symtab_syms(st, m) : NULL;
  const sse__fsym *f = e ? sse__symtab_find_name(e, "_dl_debug_state") : NULL;
  if (f != NULL) {
    if (addr != NULL)
      *addr = f->addr + m->ebias;
    rc = 0;
  }
  pthread_mutex_unlock(&st->mu);
  return rc;
}
