/* SystemTap SDT probes of the loaded modules: the notes of type 3 in
 * .note.stapsdt (owner "stapsdt"), each the probe's address, the address
 * .stapsdt.base had at link time, a semaphore, then provider, name and
 * argument strings (the SystemTap wiki's UserSpaceProbeImplementation).
 * An address moves with .stapsdt.base when the file was prelinked, and
 * with the module's load bias. libstdc++ has libstdcxx:throw, catch and
 * rethrow, which gdb's catchpoints use. */
#define _GNU_SOURCE
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <string.h>

#include "symtab_int.h"

#define NT_STAPSDT 3

typedef struct sdt_want {
  const char *provider, *name;
  sse__sdt *out;
  int max, n;
  sse__symtab *st;
} sdt_want;

static Elf_Scn *section_named(Elf *elf, const char *want, GElf_Shdr *sh) {
  size_t shstr;
  if (elf_getshdrstrndx(elf, &shstr) != 0)
    return NULL;
  for (Elf_Scn *s = NULL; (s = elf_nextscn(elf, s)) != NULL;) {
    if (gelf_getshdr(s, sh) == NULL)
      continue;
    const char *n = elf_strptr(elf, shstr, sh->sh_name);
    if (n != NULL && strcmp(n, want) == 0)
      return s;
  }
  return NULL;
}

/* One note's description: the probe when it is the wanted one. */
static void take_note(sdt_want *w, const char *d, size_t len, uint64_t adjust) {
  if (len < 3 * 8 + 3)
    return;
  uint64_t pc, base;
  memcpy(&pc, d, 8);
  memcpy(&base, d + 8, 8);
  const char *prov = d + 24, *end = d + len;
  const char *name = memchr(prov, 0, (size_t)(end - prov));
  const char *args = name ? memchr(name + 1, 0, (size_t)(end - name - 1)) : NULL;
  if (args == NULL || !memchr(args + 1, 0, (size_t)(end - args - 1)))
    return;
  name++, args++;
  if (strcmp(prov, w->provider) != 0 || strcmp(name, w->name) != 0 || w->n >= w->max)
    return;
  w->out[w->n].pc = pc + adjust - (adjust ? base : 0);
  w->out[w->n].args = sse__modcache_intern(w->st->cache, args);
  w->n++;
}

static void module_probes(sdt_want *w, smod *m) {
  Dwarf_Addr bias = 0;
  Elf *elf = m->mod ? dwfl_module_getelf(m->mod, &bias) : NULL;
  GElf_Shdr sh, bsh;
  Elf_Scn *notes = elf ? section_named(elf, ".note.stapsdt", &sh) : NULL;
  Elf_Data *data = notes ? elf_getdata(notes, NULL) : NULL;
  if (data == NULL || gelf_getclass(elf) != ELFCLASS64)
    return;
  /* Prelinked: the probe addresses moved with .stapsdt.base. */
  uint64_t base_now = section_named(elf, ".stapsdt.base", &bsh) ? bsh.sh_addr : 0;
  GElf_Nhdr nh;
  size_t off = 0, noff, doff;
  while ((off = gelf_getnote(data, off, &nh, &noff, &doff)) > 0) {
    const char *owner = (const char *)data->d_buf + noff;
    if (nh.n_type != NT_STAPSDT || nh.n_namesz != 8 || memcmp(owner, "stapsdt", 8) != 0)
      continue;
    int before = w->n;
    take_note(w, (const char *)data->d_buf + doff, nh.n_descsz, base_now);
    for (int i = before; i < w->n; i++)
      w->out[i].pc += bias;
  }
}

int sse__symtab_sdt_probes(sse__symtab *st, const char *provider, const char *name, sse__sdt *out,
                           int max) {
  sdt_want w = {.provider = provider, .name = name, .out = out, .max = max, .st = st};
  pthread_mutex_lock(&st->mu);
  int rc = sse__symtab_ensure(st);
  for (size_t i = 0; rc == 0 && i < st->nmods; i++) {
    smod *m = sse__symtab_resolve(st, &st->mods[i]);
    if (m != NULL)
      module_probes(&w, m);
  }
  pthread_mutex_unlock(&st->mu);
  return rc < 0 ? rc : w.n;
}
