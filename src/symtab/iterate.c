/* The ELF symbols of one module (iterate.h): a short-lived Dwfl that
 * reports the one file where the process maps it, so libdwfl applies the
 * load bias and finds the separate debuginfo exactly as for the process's
 * own Dwfl. */
#define _GNU_SOURCE
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iterate.h"
#include "symtab_int.h"

/* The debuginfo search path of symtab.c's Dwfl: SSE_DEBUG_FILE_DIRECTORY's
 * directories in front of libdwfl's default (":.debug:/usr/lib/debug"). */
static char *search_path(void) {
  const char *env = getenv("SSE_DEBUG_FILE_DIRECTORY");
  char *p = NULL;
  return asprintf(&p, "%s:.debug:/usr/lib/debug", env ? env : "") < 0 ? NULL : p;
}

static int rank_of(unsigned char bind) {
  return bind == STB_GLOBAL ? 0 : bind == STB_LOCAL ? 2 : 1;
}

int sse__symtab_module_symbols(const char *path, uint64_t lo,
                               bool (*fn)(const sse__esym *sym, void *arg),
                               void *arg) {
  char *dpath = search_path();
  if (path == NULL || dpath == NULL) {
    free(dpath);
    return -1;
  }
  Dwfl_Callbacks cb = {.find_elf = dwfl_build_id_find_elf,
                       .find_debuginfo = dwfl_standard_find_debuginfo,
                       .debuginfo_path = &dpath};
  Dwfl *dwfl = dwfl_begin(&cb);
  Dwfl_Module *mod = NULL;
  if (dwfl != NULL) {
    dwfl_report_begin(dwfl);
    /* add_p_vaddr false: lo is where the first PT_LOAD segment starts, as
     * /proc/PID/maps showed it (libdwfl ignores it for ET_EXEC). */
    mod = dwfl_report_elf(dwfl, path, path, -1, lo, false);
    dwfl_report_end(dwfl, NULL, NULL);
  }
  int n = mod != NULL ? dwfl_module_getsymtab(mod) : -1;
  for (int i = 1; i < n; i++) {
    GElf_Sym s;
    GElf_Addr addr = 0;
    GElf_Word shndx = 0;
    const char *name = dwfl_module_getsym_info(mod, i, &s, &addr, &shndx, NULL, NULL);
    int type = GELF_ST_TYPE(s.st_info);
    if (name == NULL || name[0] == '\0' || s.st_value == 0 || shndx == SHN_UNDEF ||
        (type != STT_FUNC && type != STT_GNU_IFUNC && type != STT_OBJECT))
      continue;
    /* C++ names as gdb shows them (info symbol, completion):
     * "shapes::Circle::area() const", its "@VERSION" kept. */
    char *dm = NULL;
    if (strncmp(name, "_Z", 2) == 0) {
      size_t at = strcspn(name, "@");
      char *base = strndup(name, at);
      char *d = sse__cxx_demangle(base);
      if (d != NULL && asprintf(&dm, "%s%s", d, name + at) < 0)
        dm = NULL;
      free(d);
      free(base);
    }
    sse__esym e = {.name = dm ? dm : name, .addr = addr, .size = s.st_size, .func = type != STT_OBJECT,
                   .rank = rank_of(GELF_ST_BIND(s.st_info))};
    bool more = fn(&e, arg);
    free(dm);
    if (!more)
      break;
  }
  if (dwfl != NULL)
    dwfl_end(dwfl);
  free(dpath);
  return n < 0 ? -1 : 0;
}
