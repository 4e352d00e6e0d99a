/* Lookups of the per-process symtab: a pc's module, function and line
 * (gdb's find_pc_line, the names gdb prints), and data objects by name. */
#define _GNU_SOURCE
#include <errno.h>
#include <gelf.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symtab/pcmemo.h"
#include "symtab_int.h"

/* The end of the sizeless function f: like gdb's minimal symbols, where
 * the next symbol starts, and never past the end of its section (_fini,
 * alone in .fini); 0 if neither is known. Absolute. */
static uint64_t sizeless_end(const sse__modentry *e, smod *m, const sse__fsym *f) {
  uint64_t hi = 0;
  for (const sse__fsym *g = f + 1; g < e->funcs + e->nfuncs; g++)
    if (g->addr > f->addr) {
      hi = g->addr + m->ebias;
      break;
    }
  uint64_t send = sse__symtab_section_end(m, f->addr);
  if (send && (hi == 0 || send + m->ebias < hi))
    hi = send + m->ebias;
  return hi;
}

int sse__symtab_lookup(sse__symtab *st, uint64_t pc, sse__loc *out) {
  memset(out, 0, sizeof *out);
  pthread_mutex_lock(&st->mu);
  int rc = sse__symtab_ensure(st);
  smod *m = rc == 0 ? sse__symtab_mod_at(st, pc) : NULL;
  if (m == NULL) {
    pthread_mutex_unlock(&st->mu);
    return rc < 0 ? rc : -ENOENT;
  }
  out->module = m->path;
  const sse__modentry *e = sse__symtab_syms(st, m);
  if (e != NULL) {
    uint64_t rel = pc - m->ebias;
    const sse__fsym *f = sse__symtab_func_at(e, rel);
    if (f != NULL && f->size == 0) {
      /* A symbol without a size (_fini, hand-written assembly) covers up
       * to the next symbol, but never past the module's code: a data
       * address is in no function. */
      sse__sects sc;
      sse__symtab_sects(m, &sc);
      if (sc.exec_hi && rel >= sc.exec_hi) f = NULL;
    }
    uint64_t plo = 0, phi = 0;
    const char *pn = sse__symtab_plt_name(st, m, rel, &plo, &phi);
    if (pn != NULL) {
      /* A PLT stub: "printf@plt", as gdb names it (BFD's synthetic
       * symbols), not the symbol before it (_init+80). */
      out->function = pn;
      if (strncmp(pn, "_Z", 2) == 0) {
        /* "operator new(unsigned long)@plt", as gdb names it. */
        char *base = strndup(pn, strlen(pn) - 4), *d = sse__cxx_demangle(base), *full = NULL;
        if (d != NULL && asprintf(&full, "%s@plt", d) >= 0)
          out->function = sse__modcache_intern(st->cache, full);
        free(full);
        free(d);
        free(base);
      }
      out->func_lo = plo + m->ebias;
      out->func_hi = phi + m->ebias;
      out->offset = pc - out->func_lo;
      f = NULL;
    } else if (phi != 0) {
      f = NULL; /* in a PLT section, no named entry (PLT0): no function */
    }
    if (f != NULL) {
      /* The name gdb prints: the DWARF function's (the abstract origin of
       * a .part/.isra clone, _IO_new_file_xsputn rather than its alias
       * _IO_file_xsputn), else the ELF symbol's. The bounds stay the
       * symbol's. */
      const char *en = sse__fsym_key(e, f);
      const char *dn = sse__pcmemo_func_name(st, m, pc, en);
      /* Without DWARF, a C++ symbol demangled, as gdb prints a minimal
       * symbol: "shapes::Circle::area() const". */
      const char *dm = dn == NULL ? sse__symtab_demangle(st, en) : NULL;
      out->function = dn ? dn : dm ? dm : en;
      out->func_lo = f->addr + m->ebias;
      out->func_hi = f->size ? out->func_lo + f->size : sizeless_end(e, m, f);
      out->offset = pc - out->func_lo;
    }
    uint64_t end = 0;
    sse__lrow r;
    if (sse__symtab_row_at(st, m, rel, &r, &end)) {
      out->has_line = true;
      out->file = r.file;
      out->line = r.line;
      out->column = r.col;
      out->is_stmt = r.is_stmt;
      out->line_lo = r.addr + m->ebias;
      out->line_hi = end ? end + m->ebias : 0;
    }
  }
  pthread_mutex_unlock(&st->mu);
  return 0;
}

bool sse__symtab_has_line(sse__symtab *st, uint64_t pc) {
  bool r = false;
  pthread_mutex_lock(&st->mu);
  smod *m = sse__symtab_ensure(st) == 0 ? sse__symtab_mod_at(st, pc) : NULL;
  uint64_t end;
  sse__lrow row;
  if (m != NULL)
    r = sse__symtab_row_at(st, m, pc - m->ebias, &row, &end);
  pthread_mutex_unlock(&st->mu);
  return r;
}

int sse__symtab_eh_frame_hdr(sse__symtab *st, uint64_t pc, uint64_t *hdr, uint64_t *lo, uint64_t *hi) {
  int rc = -1;
  pthread_mutex_lock(&st->mu);
  smod *m = sse__symtab_ensure(st) == 0 ? sse__symtab_mod_at(st, pc) : NULL;
  GElf_Addr bias = 0;
  Elf *elf = m != NULL ? dwfl_module_getelf(m->mod, &bias) : NULL;
  size_t n = 0;
  if (elf != NULL && elf_getphdrnum(elf, &n) == 0) {
    for (size_t i = 0; i < n && rc != 0; i++) {
      GElf_Phdr ph;
      if (gelf_getphdr(elf, (int)i, &ph) == NULL || ph.p_type != PT_GNU_EH_FRAME)
        continue;
      *hdr = ph.p_vaddr + bias;
      *lo = m->lo;
      *hi = m->hi;
      rc = 0;
    }
  }
  pthread_mutex_unlock(&st->mu);
  return rc;
}

/* Address of the data object (STT_OBJECT, defined) named `name` in any
 * module, the main executable first. 0, or -1 if none. */
typedef struct data_want {
  const char *name;
  uint64_t addr;
} data_want;

static bool has_data(sse__symtab *st, smod *m, void *arg) {
  (void)st;
  data_want *w = arg;
  int n = dwfl_module_getsymtab(m->mod);
  for (int k = 1; k < n; k++) {
    GElf_Sym sym;
    GElf_Addr a = 0;
    const char *s = dwfl_module_getsym_info(m->mod, k, &sym, &a, NULL, NULL, NULL);
    if (s != NULL && GELF_ST_TYPE(sym.st_info) == STT_OBJECT && sym.st_shndx != SHN_UNDEF &&
        strcmp(s, w->name) == 0) {
      w->addr = a;
      return true;
    }
  }
  return false;
}

int sse__symtab_data_addr(sse__symtab *st, const char *name, uint64_t *addr) {
  pthread_mutex_lock(&st->mu);
  data_want w = {name, 0};
  bool found = sse__symtab_ensure(st) == 0 && name != NULL && sse__symtab_first_mod(st, has_data, &w);
  pthread_mutex_unlock(&st->mu);
  if (found && addr != NULL)
    *addr = w.addr;
  return found ? 0 : -1;
}
