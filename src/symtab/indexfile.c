/* Indexing a file ahead of time (sse-index, sse_index_file): the module of
 * an ELF file on disk, opened offline with its separate debug file found
 * the usual way, decoded whole and written to the cache's index. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "index/index.h"
#include "symtab_int.h"

static int first_mod(Dwfl_Module *mod, void **ud, const char *name, Dwarf_Addr lo, void *arg) {
  (void)ud, (void)name, (void)lo;
  *(Dwfl_Module **)arg = mod;
  return DWARF_CB_ABORT;
}

int sse__modcache_index_file(sse__modcache *c, const char *path) {
  if (sse__modcache_index_dir(c) == NULL)
    return -ENOTSUP;
  /* The name the kernel gives a mapping: what a process's module is keyed
   * by when the file has no build ID. */
  char *real = path ? realpath(path, NULL) : NULL;
  if (real == NULL)
    return -ENOENT;
  char *dpath = strdup(":.debug:/usr/lib/debug");
  Dwfl_Callbacks cb = {.find_elf = dwfl_build_id_find_elf,
                       .find_debuginfo = dwfl_standard_find_debuginfo,
                       .section_address = dwfl_offline_section_address,
                       .debuginfo_path = &dpath};
  Dwfl *dwfl = dpath ? dwfl_begin(&cb) : NULL;
  if (dwfl == NULL) {
    free(dpath);
    free(real);
    return -ENOMEM;
  }
  Dwfl_Module *mod = NULL;
  if (dwfl_report_offline(dwfl, real, real, -1) != NULL && dwfl_report_end(dwfl, NULL, NULL) == 0)
    dwfl_getmodules(dwfl, first_mod, &mod, 0);
  int rc = -ENOEXEC;
  sse__modentry *e = mod ? sse__modcache_entry(c, mod) : NULL;
  if (e != NULL && !e->indexable) {
    rc = -ENOEXEC;
  } else if (e != NULL) {
    sse__modcache_stats before, after;
    sse__modcache_get_stats(c, &before);
    sse__modcache_decode_all(c, e, mod);
    sse__modcache_get_stats(c, &after);
    /* Decoding appended segments as it went: the file is written whole
     * (one image) when anything was decoded. */
    bool any = e->dirty || after.decodes != before.decodes || after.cu_decodes != before.cu_decodes;
    rc = any ? sse__persist_save(c, e) : 1;
  }
  dwfl_end(dwfl);
  free(dpath);
  free(real);
  return rc;
}
