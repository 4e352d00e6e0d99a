/* elfsyms.c — the program's own ELF symbol table, read with libelf.
 *
 * The sse API resolves addresses and function names but does not enumerate
 * symbols or know data objects; ssedemo needs both for tab completion of
 * function names and for `watch VAR` / `x &VAR` on a global variable. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demo.h"

typedef struct esym {
  char *name;
  uint64_t value, size;
  bool func;
} esym;

static esym *syms;
static size_t nsyms;
static bool is_pie;
static char prog_real[PATH_MAX];

char **elf_func_names;
size_t elf_nfunc_names;

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

void elfsyms_load(const char *path) {
  if (!realpath(path, prog_real)) snprintf(prog_real, sizeof prog_real, "%s", path);
  if (elf_version(EV_CURRENT) == EV_NONE) return;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  Elf *e = elf_begin(fd, ELF_C_READ, NULL);
  if (!e) {
    close(fd);
    return;
  }
  GElf_Ehdr eh;
  if (gelf_getehdr(e, &eh)) is_pie = eh.e_type == ET_DYN;
  size_t cap = 0;
  Elf_Scn *scn = NULL;
  while ((scn = elf_nextscn(e, scn))) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh)) continue;
    if (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) continue;
    Elf_Data *d = elf_getdata(scn, NULL);
    if (!d || !sh.sh_entsize) continue;
    size_t n = sh.sh_size / sh.sh_entsize;
    for (size_t i = 0; i < n; i++) {
      GElf_Sym s;
      if (!gelf_getsym(d, (int)i, &s)) continue;
      int type = GELF_ST_TYPE(s.st_info);
      if ((type != STT_FUNC && type != STT_OBJECT) || s.st_shndx == SHN_UNDEF ||
          s.st_value == 0)
        continue;
      const char *name = elf_strptr(e, sh.sh_link, s.st_name);
      if (!name || !*name) continue;
      if (nsyms == cap) {
        cap = cap ? cap * 2 : 256;
        syms = realloc(syms, cap * sizeof *syms);
      }
      syms[nsyms++] = (esym){strdup(name), s.st_value, s.st_size,
                             type == STT_FUNC};
    }
  }
  elf_end(e);
  close(fd);
  /* function names, sorted, unique, without versions ("foo@@GLIBC") */
  elf_func_names = calloc(nsyms + 1, sizeof(char *));
  for (size_t i = 0; i < nsyms; i++)
    if (syms[i].func && !strchr(syms[i].name, '@'))
      elf_func_names[elf_nfunc_names++] = syms[i].name;
  qsort(elf_func_names, elf_nfunc_names, sizeof(char *), cmp_str);
  size_t k = 0;
  for (size_t i = 0; i < elf_nfunc_names; i++)
    if (!k || strcmp(elf_func_names[k - 1], elf_func_names[i]))
      elf_func_names[k++] = elf_func_names[i];
  elf_nfunc_names = k;
}

bool elfsyms_find(const char *name, uint64_t *value, uint64_t *size,
                  bool *is_func, bool *pie) {
  for (size_t i = 0; i < nsyms; i++)
    if (strcmp(syms[i].name, name) == 0) {
      *value = syms[i].value;
      *size = syms[i].size;
      *is_func = syms[i].func;
      *pie = is_pie;
      return true;
    }
  return false;
}

uint64_t program_load_base(pid_t pid, const char *path) {
  (void)path;
  char mp[64];
  snprintf(mp, sizeof mp, "/proc/%d/maps", (int)pid);
  FILE *f = fopen(mp, "r");
  if (!f) return 0;
  char line[PATH_MAX + 256];
  uint64_t base = 0;
  while (fgets(line, sizeof line, f)) {
    unsigned long long lo, hi, off;
    char perms[8];
    int n = 0;
    if (sscanf(line, "%llx-%llx %7s %llx %*s %*s%n", &lo, &hi, perms, &off,
               &n) < 4)
      continue;
    char *p = line + n;
    while (*p == ' ') p++;
    p[strcspn(p, "\n")] = 0;
    if (strcmp(p, prog_real) == 0 && off == 0) {
      base = lo;
      break;
    }
  }
  fclose(f);
  return base;
}

/* " <name+off>" for an address inside one of the program's data objects. */
bool elfsyms_object_at(uint64_t addr, pid_t pid, char *buf, size_t n) {
  uint64_t base = 0;
  if (is_pie && !(base = program_load_base(pid, NULL))) return false;
  for (size_t i = 0; i < nsyms; i++) {
    if (syms[i].func || !syms[i].size) continue;
    uint64_t lo = base + syms[i].value;
    if (addr >= lo && addr < lo + syms[i].size) {
      if (addr == lo)
        snprintf(buf, n, " <%s>", syms[i].name);
      else
        snprintf(buf, n, " <%s+%llu>", syms[i].name,
                 (unsigned long long)(addr - lo));
      return true;
    }
  }
  return false;
}
