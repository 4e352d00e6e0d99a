/* Per-process symbols: one Dwfl per traced process, its modules mapped to
 * shared decoded entries of the sse__modcache, and the gdb-compatible
 * lookups (find_pc_line, `break FUNC`, `break FILE:LINE`). */
#define _GNU_SOURCE
#include <elfutils/libdw.h>
#include <dwarf.h>
#include <errno.h>
#include <gelf.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/arch.h"
#include "symtab_int.h"

typedef struct smod {
  Dwfl_Module *mod;
  uint64_t lo, hi;
  const char *name;     /* interned module name as reported */
  const char *path;     /* interned main file, once resolved */
  sse__modentry *entry; /* once resolved; NULL if no ELF */
  uint64_t ebias;
  bool resolved;
} smod;

struct sse__symtab {
  pthread_mutex_t mu;
  sse__modcache *cache;
  pid_t pid;
  /* libdwfl keeps pointers to both for the Dwfl's lifetime. */
  Dwfl_Callbacks cb;
  char *debuginfo_path;
  Dwfl *dwfl;
  bool reported;
  smod *mods; /* sorted by lo */
  size_t nmods;
  const char *exe; /* interned /proc/PID/exe target */
  /* The dynamic linker's module: index in mods, -1 if none; found lazily,
   * forgotten on every refresh. */
  bool ld_known;
  long ld_idx;
  struct jitmod *jitmods; /* GDB JIT interface objects (block at the end) */
  struct inl_cucache *inl_cus; /* per-CU function ranges (inline block) */
  /* Background load of the modules' DWARF (sse__symtab_prefetch). */
  pthread_t pf_thread;
  bool pf_started, pf_stop, pf_again;
  pthread_mutex_t pf_mu;
  pthread_cond_t pf_done; /* pf_started went false */
};
static void inl_cache_free(sse__symtab *st);
static void jitmods_report(sse__symtab *st); /* GDB JIT objects (end of file) */
static void jitmods_free(sse__symtab *st);

/* Default of libdwfl (":.debug:/usr/lib/debug": the main file's directory
 * and its .debug subdirectory for .gnu_debuglink, /usr/lib/debug for both
 * .build-id/xx/yyyy.debug and debuglink), with the directories of
 * SSE_DEBUG_FILE_DIRECTORY (like gdb's debug-file-directory) in front. */
static char *make_debuginfo_path(void) {
  const char *dflt = ":.debug:/usr/lib/debug";
  const char *env = getenv("SSE_DEBUG_FILE_DIRECTORY");
  char *p = NULL;
  if (env != NULL && env[0] != '\0') {
    if (asprintf(&p, "%s%s", env, dflt) < 0)
      p = NULL;
  } else {
    p = strdup(dflt);
  }
  return p;
}

sse__symtab *sse__symtab_new(sse__modcache *cache, pid_t pid) {
  if (cache == NULL || pid <= 0)
    return NULL;
  sse__symtab *st = calloc(1, sizeof *st);
  if (st == NULL)
    return NULL;
  st->cache = cache;
  st->pid = pid;
  st->debuginfo_path = make_debuginfo_path();
  st->cb.find_elf = dwfl_linux_proc_find_elf;
  st->cb.find_debuginfo = dwfl_standard_find_debuginfo;
  st->cb.debuginfo_path = &st->debuginfo_path;
  st->dwfl = st->debuginfo_path ? dwfl_begin(&st->cb) : NULL;
  if (st->dwfl == NULL) {
    free(st->debuginfo_path);
    free(st);
    return NULL;
  }
  pthread_mutex_init(&st->mu, NULL);
  pthread_mutex_init(&st->pf_mu, NULL);
  pthread_cond_init(&st->pf_done, NULL);
  return st;
}

/* gdb reads a library's debug info when the library is loaded; sse decodes
 * lazily, so without this the first lookup in libc (the first backtrace
 * through it, say) pays for inflating its compressed separate debuginfo.
 * A helper thread asks libdwfl for each module's DWARF now, one module at a
 * time under the symtab's mutex (the Dwfl is never used by two threads at
 * once; a refresh in between only changes which modules are left). */
static const sse__modentry *syms_of(sse__symtab *st, smod *m);
static smod *resolve(sse__symtab *st, smod *m);

static void *prefetch_main(void *arg) {
  sse__symtab *st = arg;
  for (;;) {
    pthread_mutex_lock(&st->pf_mu);
    st->pf_again = false;
    pthread_mutex_unlock(&st->pf_mu);
    for (size_t i = 0;; i++) {
      pthread_mutex_lock(&st->pf_mu);
      bool stop = st->pf_stop;
      pthread_mutex_unlock(&st->pf_mu);
      if (stop) return NULL;
      pthread_mutex_lock(&st->mu);
      if (i >= st->nmods) {
        pthread_mutex_unlock(&st->mu);
        break;
      }
      Dwarf_Addr bias;
      if (st->mods[i].mod) {
        /* What the first lookup in the module would build: the DWARF
         * (sections inflated), its address ranges (CU by pc), the sorted
         * function symbols. */
        Dwarf *dw = dwfl_module_getdwarf(st->mods[i].mod, &bias);
        Dwarf_Aranges *ar;
        size_t nar;
        if (dw) dwarf_getaranges(dw, &ar, &nar);
        syms_of(st, resolve(st, &st->mods[i]));
      }
      pthread_mutex_unlock(&st->mu);
    }
    pthread_mutex_lock(&st->pf_mu);
    bool again = st->pf_again && !st->pf_stop;
    if (!again) {
      st->pf_started = false;
      pthread_cond_broadcast(&st->pf_done);
    }
    pthread_mutex_unlock(&st->pf_mu);
    if (!again) return NULL;
  }
}

void sse__symtab_prefetch(sse__symtab *st) {
  if (st == NULL) return;
  pthread_mutex_lock(&st->pf_mu);
  if (st->pf_started) {
    st->pf_again = true;
    pthread_mutex_unlock(&st->pf_mu);
    return;
  }
  /* Join a previous run that finished (its thread is gone or going). */
  if (st->pf_thread) {
    pthread_t t = st->pf_thread;
    st->pf_thread = 0;
    pthread_mutex_unlock(&st->pf_mu);
    pthread_join(t, NULL);
    pthread_mutex_lock(&st->pf_mu);
  }
  /* No signals for this thread: SIGCHLD belongs to the tracer. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  st->pf_started = pthread_create(&st->pf_thread, NULL, prefetch_main, st) == 0;
  if (!st->pf_started) st->pf_thread = 0;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  pthread_mutex_unlock(&st->pf_mu);
}

void sse__symtab_prefetch_wait(sse__symtab *st) {
  if (st == NULL) return;
  pthread_mutex_lock(&st->pf_mu);
  while (st->pf_started && !st->pf_stop) pthread_cond_wait(&st->pf_done, &st->pf_mu);
  pthread_mutex_unlock(&st->pf_mu);
}

static void prefetch_stop(sse__symtab *st) {
  pthread_mutex_lock(&st->pf_mu);
  st->pf_stop = true;
  pthread_cond_broadcast(&st->pf_done);
  pthread_t t = st->pf_thread;
  st->pf_thread = 0;
  pthread_mutex_unlock(&st->pf_mu);
  if (t) pthread_join(t, NULL);
}

void sse__symtab_free(sse__symtab *st) {
  if (st == NULL)
    return;
  prefetch_stop(st);
  inl_cache_free(st);
  dwfl_end(st->dwfl);
  jitmods_free(st);
  free(st->mods);
  free(st->debuginfo_path);
  pthread_cond_destroy(&st->pf_done);
  pthread_mutex_destroy(&st->pf_mu);
  pthread_mutex_destroy(&st->mu);
  free(st);
}

/* ---- refresh ---- */

typedef struct collect {
  sse__symtab *st;
  smod *v;
  size_t n, cap;
  bool oom;
} collect;

static int collect_mod(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr lo, void *arg) {
  (void)userdata;
  collect *c = arg;
  if (c->n == c->cap) {
    size_t ncap = c->cap ? c->cap * 2 : 32;
    smod *nv = realloc(c->v, ncap * sizeof *nv);
    if (nv == NULL) {
      c->oom = true;
      return DWARF_CB_ABORT;
    }
    c->v = nv;
    c->cap = ncap;
  }
  Dwarf_Addr hi = 0;
  dwfl_module_info(mod, NULL, NULL, &hi, NULL, NULL, NULL, NULL);
  c->v[c->n++] = (smod){.mod = mod, .lo = lo, .hi = hi, .name = sse__modcache_intern(c->st->cache, name)};
  return DWARF_CB_OK;
}

static int cmp_smod(const void *a, const void *b) {
  const smod *x = a, *y = b;
  return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static int refresh_locked(sse__symtab *st) {
  inl_cache_free(st); /* it holds Dwarf handles a refresh may free */
  /* dwfl_report_begin (not _add): modules no longer mapped (exec, dlclose)
   * are dropped at dwfl_report_end; re-reported identical ones are kept with
   * their already loaded ELF and DWARF. */
  dwfl_report_begin(st->dwfl);
  int rc = dwfl_linux_proc_report(st->dwfl, st->pid);
  jitmods_report(st); /* issue 6: keep the GDB JIT interface's modules */
  if (dwfl_report_end(st->dwfl, NULL, NULL) != 0 && rc == 0)
    rc = -1;
  if (rc != 0)
    return rc > 0 ? -rc : -EIO;
  st->reported = true;

  collect c = {.st = st};
  dwfl_getmodules(st->dwfl, collect_mod, &c, 0);
  if (c.oom) {
    free(c.v);
    return -ENOMEM;
  }
  if (c.n > 0)
    qsort(c.v, c.n, sizeof *c.v, cmp_smod);
  bool changed = c.n != st->nmods;
  for (size_t i = 0; i < c.n; i++) {
    /* Keep what was resolved for a module libdwfl kept. */
    for (size_t j = 0; j < st->nmods; j++) {
      smod *o = &st->mods[j];
      if (o->mod == c.v[i].mod && o->lo == c.v[i].lo && o->hi == c.v[i].hi && o->name == c.v[i].name) {
        c.v[i] = *o;
        break;
      }
    }
    if (!changed) {
      smod *o = &st->mods[i];
      changed = o->lo != c.v[i].lo || o->hi != c.v[i].hi || o->name != c.v[i].name;
    }
  }
  free(st->mods);
  st->mods = c.v;
  st->nmods = c.n;
  st->ld_known = false;

  char buf[PATH_MAX + 1], link[64];
  snprintf(link, sizeof link, "/proc/%d/exe", (int)st->pid);
  ssize_t k = readlink(link, buf, sizeof buf - 1);
  if (k > 0) {
    buf[k] = '\0';
    st->exe = sse__modcache_intern(st->cache, buf);
  }
  return changed ? 1 : 0;
}

int sse__symtab_refresh(sse__symtab *st) {
  pthread_mutex_lock(&st->mu);
  int rc = refresh_locked(st);
  pthread_mutex_unlock(&st->mu);
  return rc;
}

static int ensure_reported(sse__symtab *st) {
  if (st->reported)
    return 0;
  int rc = refresh_locked(st);
  return rc < 0 ? rc : 0;
}

/* ---- modules ---- */

static smod *resolve(sse__symtab *st, smod *m) {
  if (!m->resolved) {
    m->resolved = true;
    GElf_Addr ebias = 0;
    Elf *elf = dwfl_module_getelf(m->mod, &ebias);
    m->ebias = ebias;
    const char *mainfile = NULL;
    dwfl_module_info(m->mod, NULL, NULL, NULL, NULL, NULL, &mainfile, NULL);
    m->path = mainfile ? sse__modcache_intern(st->cache, mainfile) : m->name;
    m->entry = elf ? sse__modcache_entry(st->cache, m->mod) : NULL;
  }
  return m;
}

static smod *find_mod(sse__symtab *st, uint64_t pc) {
  size_t lo = 0, hi = st->nmods;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (st->mods[mid].lo <= pc)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0)
    return NULL;
  smod *m = &st->mods[lo - 1];
  return pc < m->hi ? resolve(st, m) : NULL;
}

static const sse__modentry *syms_of(sse__symtab *st, smod *m) {
  if (m->entry == NULL)
    return NULL;
  sse__modcache_need_syms(st->cache, m->entry, m->mod);
  return m->entry;
}

static const sse__modentry *lines_of(sse__symtab *st, smod *m) {
  if (m->entry == NULL)
    return NULL;
  sse__modcache_need_lines(st->cache, m->entry, m->mod);
  return m->entry;
}

/* Function containing rel (module-relative), or NULL. */
static const sse__fsym *func_at(const sse__modentry *e, uint64_t rel) {
  size_t lo = 0, hi = e->nfuncs;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (e->funcs[mid].addr <= rel)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0)
    return NULL;
  const sse__fsym *f = &e->funcs[lo - 1];
  if (f->size != 0 && rel - f->addr >= f->size)
    return NULL;
  return f;
}

/* gdb's find_pc_sect_line on the line table of the CU containing rel
 * (module-relative): the row describing rel or NULL (no line), and *end =
 * sal.end. Decodes that CU's line program on first use. */
static const sse__lrow *row_at(sse__symtab *st, smod *m, uint64_t rel, uint64_t *end) {
  return m->entry ? sse__modcache_row_at(st->cache, m->entry, m->mod, rel, end) : NULL;
}

/* ---- lookup ---- */

typedef struct sects {
  unsigned nplt;
  uint64_t plt_lo[SSE__ARCH_PLT_SECTIONS], plt_hi[SSE__ARCH_PLT_SECTIONS];
  uint64_t text_lo, text_hi;
  uint64_t exec_hi;
} sects;
static void mod_sects(smod *m, sects *out);

static const char *dwarf_func_name(sse__symtab *st, smod *m, uint64_t pc);
static uint64_t section_end(smod *m, uint64_t rel);
static Elf_Scn *section_at(Elf *elf, uint64_t rel, GElf_Shdr *sh);
static const char *plt_entry_name(sse__symtab *st, smod *m, uint64_t rel, uint64_t *lo,
                                  uint64_t *hi);

int sse__symtab_lookup(sse__symtab *st, uint64_t pc, sse__loc *out) {
  memset(out, 0, sizeof *out);
  pthread_mutex_lock(&st->mu);
  int rc = ensure_reported(st);
  smod *m = rc == 0 ? find_mod(st, pc) : NULL;
  if (m == NULL) {
    pthread_mutex_unlock(&st->mu);
    return rc < 0 ? rc : -ENOENT;
  }
  out->module = m->path;
  const sse__modentry *e = syms_of(st, m);
  if (e != NULL) {
    uint64_t rel = pc - m->ebias;
    const sse__fsym *f = func_at(e, rel);
    if (f != NULL && f->size == 0) {
      /* A symbol without a size (_fini, hand-written assembly) covers up
       * to the next symbol, but never past the module's code: a data
       * address is in no function. */
      sects sc;
      mod_sects(m, &sc);
      if (sc.exec_hi && rel >= sc.exec_hi) f = NULL;
    }
    uint64_t plo = 0, phi = 0;
    const char *pn = plt_entry_name(st, m, rel, &plo, &phi);
    if (pn != NULL) {
      /* A PLT stub: "printf@plt", as gdb names it (BFD's synthetic
       * symbols), not the symbol before it (_init+80). */
      out->function = pn;
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
      const char *dn = dwarf_func_name(st, m, pc);
      out->function = dn ? dn : f->key ? f->key : f->name;
      out->func_lo = f->addr + m->ebias;
      out->func_hi = f->size ? out->func_lo + f->size : 0;
      if (!f->size) {
        /* Like gdb's minimal symbols: a sizeless function ends where the
         * next symbol starts, and never past the end of its section
         * (_fini, alone in .fini). */
        for (const sse__fsym *g = f + 1; g < e->funcs + e->nfuncs; g++)
          if (g->addr > f->addr) {
            out->func_hi = g->addr + m->ebias;
            break;
          }
        uint64_t send = section_end(m, f->addr);
        if (send && (out->func_hi == 0 || send + m->ebias < out->func_hi))
          out->func_hi = send + m->ebias;
      }
      out->offset = pc - out->func_lo;
    }
    uint64_t end = 0;
    const sse__lrow *r = row_at(st, m, rel, &end);
    if (r != NULL) {
      out->has_line = true;
      out->file = r->file;
      out->line = r->line;
      out->column = r->col;
      out->is_stmt = r->is_stmt;
      out->line_lo = r->addr + m->ebias;
      out->line_hi = end ? end + m->ebias : 0;
    }
  }
  pthread_mutex_unlock(&st->mu);
  return 0;
}

bool sse__symtab_has_line(sse__symtab *st, uint64_t pc) {
  bool r = false;
  pthread_mutex_lock(&st->mu);
  smod *m = ensure_reported(st) == 0 ? find_mod(st, pc) : NULL;
  uint64_t end;
  if (m != NULL)
    r = row_at(st, m, pc - m->ebias, &end) != NULL;
  pthread_mutex_unlock(&st->mu);
  return r;
}

void sse__symtab_modules(sse__symtab *st,
                         void (*fn)(const char *path, uint64_t lo, uint64_t hi, bool has_dwarf, void *arg),
                         void *arg) {
  pthread_mutex_lock(&st->mu);
  if (ensure_reported(st) == 0) {
    for (size_t i = 0; i < st->nmods; i++) {
      smod *m = resolve(st, &st->mods[i]);
      Dwarf_Addr b;
      bool dw = dwfl_module_getdwarf(m->mod, &b) != NULL;
      fn(m->path, m->lo, m->hi, dw, arg);
    }
  }
  pthread_mutex_unlock(&st->mu);
}

/* ---- prologue analysis (gdb 13, amd64) ---- */

/* Copy up to n bytes of the module's file image at rel; returns the count. */
static size_t read_code(smod *m, uint64_t rel, unsigned char *buf, size_t n) {
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

/* gdb's amd64_skip_prologue for gcc code, by the arch's one analysis.
 * Unlike a step into the function (sse__arch_skip_prologue), `break FUNC`
 * has always skipped no stack-realignment sequence and has also taken
 * `movl %esp,%ebp` for the frame setup (gdb: x32 only); kept so, as the
 * breakpoints tests compare with gdb. */
static uint64_t analyze_prologue(smod *m, uint64_t start) {
  unsigned char b[SSE__ARCH_PROLOGUE_MAX];
  size_t n = read_code(m, start, b, sizeof b);
  return sse__arch_prologue_end(b, n, start, SSE__ARCH_PRO_FRAME32);
}

static bool cu_is_llvm(smod *m, uint64_t abs) {
  Dwarf_Addr bias;
  Dwarf_Die *cu = dwfl_module_addrdie(m->mod, abs, &bias);
  if (cu == NULL)
    return false;
  Dwarf_Attribute attr;
  const char *prod = dwarf_formstring(dwarf_attr(cu, DW_AT_producer, &attr));
  return prod != NULL && (strstr(prod, "clang") != NULL || strstr(prod, "flang") != NULL);
}

static bool in_func(const sse__fsym *f, const sse__modentry *e, uint64_t rel) {
  if (f->size != 0)
    return rel >= f->addr && rel - f->addr < f->size;
  return func_at(e, rel) == f;
}

/* gdb's skip_prologue_sal for function f of module m: returns the
 * module-relative breakpoint address of `break FUNC`. */
static uint64_t post_prologue(sse__symtab *st, smod *m, const sse__fsym *f) {
  const sse__modentry *e = m->entry;
  uint64_t pc = f->addr, end = 0;
  if (cu_is_llvm(m, f->addr + m->ebias)) {
    /* skip_prologue_using_sal: LLVM emits a line note before and after
     * the prologue, so the second row run of the function is the body. */
    const sse__lrow *r = row_at(st, m, f->addr, &end);
    if (r != NULL && end > pc && in_func(f, e, end))
      pc = end;
  } else {
    pc = analyze_prologue(m, f->addr);
  }
  /* Mid-line after the prologue: go to the start of the next row run if it
   * is still in the function. */
  const sse__lrow *r = row_at(st, m, pc, &end);
  if (r != NULL && r->addr != pc && end != 0 && in_func(f, e, end))
    pc = end;
  return pc;
}

/* ---- break FUNC ---- */

static const sse__fsym *find_name(const sse__modentry *e, const char *name) {
  size_t lo = 0, hi = e->nnames;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (strcmp(e->names[mid].key, name) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  /* The first entry of the key is the preferred one (global, sized). */
  if (lo < e->nnames && strcmp(e->names[lo].key, name) == 0)
    return &e->names[lo];
  return NULL;
}

int sse__symtab_func_addr(sse__symtab *st, const char *name, uint64_t *entry, uint64_t *post) {
  int rc = -1;
  pthread_mutex_lock(&st->mu);
  if (ensure_reported(st) == 0 && name != NULL) {
    smod *found = NULL;
    const sse__fsym *ff = NULL;
    for (int pass = 0; pass < 2 && found == NULL; pass++) {
      for (size_t i = 0; i < st->nmods && found == NULL; i++) {
        smod *m = &st->mods[i];
        bool is_exe = st->exe != NULL && m->name == st->exe;
        if ((pass == 0) != is_exe)
          continue;
        const sse__modentry *e = syms_of(st, resolve(st, m));
        const sse__fsym *f = e ? find_name(e, name) : NULL;
        if (f != NULL) {
          found = m;
          ff = f;
        }
      }
    }
    if (found != NULL) {
      if (entry != NULL)
        *entry = ff->addr + found->ebias;
      if (post != NULL)
        *post = post_prologue(st, found, ff) + found->ebias;
      rc = 0;
    }
  }
  pthread_mutex_unlock(&st->mu);
  return rc;
}

/* ---- break FILE:LINE ---- */

static bool file_matches(const char *path, const char *want) {
  if (path == NULL)
    return false;
  if (strcmp(path, want) == 0)
    return true;
  size_t a = strlen(path), b = strlen(want);
  return b < a && path[a - b - 1] == '/' && strcmp(path + a - b, want) == 0;
}

typedef struct hit {
  smod *m;
  const sse__fsym *f;
  uint64_t rel;
} hit;

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* Collect is_stmt rows of exactly `line` in matching files; *best gets the
 * smallest greater line that has such rows. */
static int collect_line(sse__symtab *st, const char *file, int line, hit **out, size_t *nout, int *best) {
  size_t n = 0, cap = 0;
  hit *v = NULL;
  *best = INT_MAX;
  for (size_t i = 0; i < st->nmods; i++) {
    smod *m = resolve(st, &st->mods[i]);
    const sse__modentry *e = lines_of(st, m);
    if (e == NULL || e->nrows == 0)
      continue;
    bool any = false;
    for (size_t j = 0; j < e->nfiles && !any; j++)
      any = file_matches(e->files[j], file);
    if (!any)
      continue;
    syms_of(st, m);
    const char *last = NULL;
    bool last_ok = false;
    for (size_t j = 0; j < e->nrows; j++) {
      const sse__lrow *r = &e->rows[j];
      if (r->line == 0 || !r->is_stmt)
        continue;
      if (r->file != last) {
        last = r->file;
        last_ok = file_matches(r->file, file);
      }
      if (!last_ok)
        continue;
      if (r->line > line && r->line < *best)
        *best = r->line;
      if (r->line != line)
        continue;
      if (n == cap) {
        cap = cap ? cap * 2 : 16;
        hit *nv = realloc(v, cap * sizeof *nv);
        if (nv == NULL) {
          free(v);
          return -ENOMEM;
        }
        v = nv;
      }
      v[n++] = (hit){.m = m, .f = func_at(e, r->addr), .rel = r->addr};
    }
  }
  *out = v;
  *nout = n;
  return 0;
}

int sse__symtab_line_addrs(sse__symtab *st, const char *file, int line, uint64_t *addrs, size_t max) {
  if (file == NULL || line <= 0)
    return -EINVAL;
  pthread_mutex_lock(&st->mu);
  int rc = ensure_reported(st);
  hit *v = NULL;
  size_t n = 0;
  int best;
  if (rc == 0)
    rc = collect_line(st, file, line, &v, &n, &best);
  if (rc == 0 && n == 0 && best != INT_MAX) {
    free(v);
    rc = collect_line(st, file, best, &v, &n, &best);
  }
  uint64_t *res = rc == 0 && n ? malloc(n * sizeof *res) : NULL;
  size_t k = 0;
  if (res != NULL) {
    /* Rows are in address order: keep the first (lowest) per function,
     * then move addresses inside a prologue past it, as gdb does. */
    for (size_t i = 0; i < n; i++) {
      bool dup = false;
      for (size_t j = 0; j < i && !dup; j++)
        dup = v[i].f != NULL && v[j].m == v[i].m && v[j].f == v[i].f;
      if (dup)
        continue;
      uint64_t rel = v[i].rel;
      if (v[i].f != NULL) {
        uint64_t pp = post_prologue(st, v[i].m, v[i].f);
        if (rel < pp)
          rel = pp;
      }
      res[k++] = rel + v[i].m->ebias;
    }
    qsort(res, k, sizeof *res, cmp_u64);
    size_t w = 0;
    for (size_t i = 0; i < k; i++)
      if (w == 0 || res[w - 1] != res[i])
        res[w++] = res[i];
    k = w;
    for (size_t i = 0; i < k && i < max; i++)
      addrs[i] = res[i];
    rc = (int)(k < max ? k : max);
  } else if (rc == 0 && n != 0) {
    rc = -ENOMEM;
  }
  free(res);
  free(v);
  pthread_mutex_unlock(&st->mu);
  return rc;
}

/* ---- trampolines and the dynamic linker ---- */



/* Module-relative ranges of the PLT sections and .text from the section
 * headers of the module's ELF. */
static void read_sects(Dwfl_Module *mod, sects *s) {
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
static void mod_sects(smod *m, sects *out) {
  sse__modentry *e = m->entry;
  if (e != NULL && atomic_load_explicit(&e->sect_state, memory_order_acquire) == 2) {
    out->nplt = e->nplt;
    memcpy(out->plt_lo, e->plt_lo, sizeof out->plt_lo);
    memcpy(out->plt_hi, e->plt_hi, sizeof out->plt_hi);
    out->text_lo = e->text_lo;
    out->text_hi = e->text_hi;
    out->exec_hi = e->exec_hi;
    return;
  }
  read_sects(m->mod, out);
  int expect = 0;
  if (e != NULL && atomic_compare_exchange_strong(&e->sect_state, &expect, 1)) {
    e->nplt = out->nplt;
    memcpy(e->plt_lo, out->plt_lo, sizeof e->plt_lo);
    memcpy(e->plt_hi, out->plt_hi, sizeof e->plt_hi);
    e->text_lo = out->text_lo;
    e->text_hi = out->text_hi;
    e->exec_hi = out->exec_hi;
    atomic_store_explicit(&e->sect_state, 2, memory_order_release);
  }
}

/* The PLT entry holding rel (module-relative) as gdb names it, "NAME@plt":
 * the entry's `jmp *GOT(%rip)` gives the GOT slot, and the JUMP_SLOT or
 * GLOB_DAT relocation of that slot the symbol. *lo, *hi: the entry. NULL
 * when rel is in no PLT entry that jumps through a named slot (PLT0, the
 * .plt entries of an IBT program, which only push and jump to PLT0); then
 * *hi is nonzero when rel is in a PLT section all the same. Done on
 * demand: a pc is inside a PLT stub only while one is single-stepped. */
static const char *plt_entry_name(sse__symtab *st, smod *m, uint64_t rel, uint64_t *lo,
                                  uint64_t *hi) {
  sects sc;
  mod_sects(m, &sc);
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
  Elf_Scn *scn = section_at(elf, rel, &sh);
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
  /* The relocation of that GOT slot. */
  const char *name = NULL;
  scn = NULL;
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
  if (name == NULL || name[0] == '\0')
    return NULL;
  char buf[512];
  snprintf(buf, sizeof buf, "%s@plt", name);
  *lo = elo;
  *hi = ehi;
  return sse__modcache_intern(st->cache, buf);
}

/* The allocated section of elf holding rel (module-relative), its header
 * in *sh; NULL if none. */
static Elf_Scn *section_at(Elf *elf, uint64_t rel, GElf_Shdr *sh) {
  Elf_Scn *scn = NULL;
  while (elf != NULL && (scn = elf_nextscn(elf, scn)) != NULL)
    if (gelf_getshdr(scn, sh) != NULL && (sh->sh_flags & SHF_ALLOC) && rel >= sh->sh_addr &&
        rel < sh->sh_addr + sh->sh_size)
      return scn;
  return NULL;
}

/* The end (module-relative) of the allocated section holding rel, or 0. */
static uint64_t section_end(smod *m, uint64_t rel) {
  GElf_Addr bias;
  GElf_Shdr sh;
  return section_at(dwfl_module_getelf(m->mod, &bias), rel, &sh) ? sh.sh_addr + sh.sh_size : 0;
}

bool sse__symtab_has_cfi(sse__symtab *st, uint64_t pc) {
  pthread_mutex_lock(&st->mu);
  int rc = ensure_reported(st);
  smod *m = rc == 0 ? find_mod(st, pc) : NULL;
  bool has = m == NULL; /* unknown code: do not guess */
  for (int k = 0; m != NULL && k < 2 && !has; k++) {
    Dwarf_Addr bias = 0;
    Dwarf_CFI *cfi = k == 0 ? dwfl_module_eh_cfi(m->mod, &bias) : dwfl_module_dwarf_cfi(m->mod, &bias);
    Dwarf_Frame *fr = NULL;
    if (cfi != NULL && dwarf_cfi_addrframe(cfi, pc - bias, &fr) == 0) {
      has = true;
      free(fr);
    }
  }
  pthread_mutex_unlock(&st->mu);
  return has;
}

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
        have = read_interp(resolve(st, m), interp, sizeof interp) && stat(interp, &isb) == 0;
    }
    for (size_t i = 0; have && i < st->nmods && st->ld_idx < 0; i++) {
      smod *m = resolve(st, &st->mods[i]);
      if ((m->path != NULL && strcmp(m->path, interp) == 0) || same_file(m->path, &isb))
        st->ld_idx = (long)i;
    }
    for (size_t i = 0; i < st->nmods && st->ld_idx < 0; i++) {
      smod *m = resolve(st, &st->mods[i]);
      if (is_ld_basename(m->path) || is_ld_basename(m->name))
        st->ld_idx = (long)i;
    }
  }
  return st->ld_idx >= 0 ? &st->mods[st->ld_idx] : NULL;
}

bool sse__symtab_in_trampoline(sse__symtab *st, uint64_t pc) {
  bool r = false;
  pthread_mutex_lock(&st->mu);
  smod *m = ensure_reported(st) == 0 ? find_mod(st, pc) : NULL;
  if (m != NULL) {
    sects s;
    mod_sects(m, &s);
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
  smod *m = ensure_reported(st) == 0 ? ld_mod(st) : NULL;
  const sse__modentry *e = m ? syms_of(st, m) : NULL;
  const sse__fsym *f = e ? find_name(e, "_dl_debug_state") : NULL;
  if (f != NULL) {
    if (addr != NULL)
      *addr = f->addr + m->ebias;
    rc = 0;
  }
  pthread_mutex_unlock(&st->mu);
  return rc;
}

/* ---- JIT support (issue 6): data symbols ---- */

/* Address of the data object (STT_OBJECT, defined) named `name` in any
 * module, the main executable first. 0, or -1 if none. */
int sse__symtab_data_addr(sse__symtab *st, const char *name, uint64_t *addr) {
  int rc = -1;
  pthread_mutex_lock(&st->mu);
  if (ensure_reported(st) == 0 && name != NULL) {
    for (int pass = 0; pass < 2 && rc != 0; pass++) {
      for (size_t i = 0; i < st->nmods && rc != 0; i++) {
        smod *m = &st->mods[i];
        bool is_exe = st->exe != NULL && m->name == st->exe;
        if ((pass == 0) != is_exe)
          continue;
        int n = dwfl_module_getsymtab(m->mod);
        for (int k = 1; k < n; k++) {
          GElf_Sym sym;
          GElf_Addr a = 0;
          const char *s = dwfl_module_getsym_info(m->mod, k, &sym, &a, NULL, NULL, NULL);
          if (s == NULL || GELF_ST_TYPE(sym.st_info) != STT_OBJECT || sym.st_shndx == SHN_UNDEF ||
              strcmp(s, name) != 0)
            continue;
          if (addr != NULL)
            *addr = a;
          rc = 0;
          break;
        }
      }
    }
  }
  pthread_mutex_unlock(&st->mu);
  return rc;
}

/* ====================================================================
 * Inline blocks: sse__symtab_inline_chain (gdb's inline frames; see
 * docs/inline-stepping.md). Self-contained block: only reads the symtab
 * through find_mod / ensure_reported above.
 * ==================================================================== */

#define INL_MAXDEPTH 64

/* DIEs containing an address, outermost first (below the CU). */
typedef struct inl_path {
  Dwarf_Die die[INL_MAXDEPTH];
  int n;
} inl_path;

static bool inl_scope_tag(int tag) {
  return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine || tag == DW_TAG_lexical_block ||
         tag == DW_TAG_try_block || tag == DW_TAG_catch_block || tag == DW_TAG_entry_point;
}

/* DIEs without addresses that may hold function definitions. */
static bool inl_container_tag(int tag) {
  return tag == DW_TAG_namespace || tag == DW_TAG_module || tag == DW_TAG_class_type ||
         tag == DW_TAG_structure_type || tag == DW_TAG_union_type || tag == DW_TAG_interface_type;
}

/* Per CU, the ranges of its top-level functions, sorted: the descent to
 * the scopes at a pc then starts at the one function containing it instead
 * of walking the whole CU (the step loop asks at every stop). */
/* One address range of a scope DIE inside a function, in depth-first
 * order: the descent to the scopes at a pc scans these plain arrays
 * instead of walking DIEs with libdw at every stop. */
typedef struct inl_node {
  Dwarf_Addr lo, hi;
  Dwarf_Off off;
  int depth;
} inl_node;

typedef struct inl_subent {
  Dwarf_Addr lo, hi;
  Dwarf_Off off;
  inl_node *nodes; /* built on first use; NULL until then */
  size_t nnodes;
  bool built;
  bool owner;      /* this entry frees nodes (a function's ranges share it) */
  bool named;      /* name looked up (dwarf_func_name) */
  const char *name;
} inl_subent;

typedef struct inl_cucache {
  Dwarf *dw;
  Dwarf_Off cu_off;
  bool usable; /* false: the CU nests functions in containers (C++) */
  int has_map;  /* inl_scan_interesting(cu): -1 not known yet */
  size_t n;
  inl_subent *v;
  struct inl_cucache *next;
} inl_cucache;

static void inl_cache_free(sse__symtab *st) {
  while (st->inl_cus) {
    inl_cucache *c = st->inl_cus;
    st->inl_cus = c->next;
    for (size_t i = 0; i < c->n; i++)
      if (c->v[i].owner) free(c->v[i].nodes);
    free(c->v);
    free(c);
  }
}

static bool inl_scope_tag(int tag);
static bool inl_container_tag(int tag);

typedef struct inl_nodes {
  inl_node *v;
  size_t n, cap;
  bool failed;
} inl_nodes;

static void inl_collect(Dwarf_Die *die, int depth, inl_nodes *out) {
  Dwarf_Die c;
  if (depth > 48 || dwarf_child(die, &c) != 0) return;
  do {
    int tag = dwarf_tag(&c);
    if (inl_scope_tag(tag)) {
      Dwarf_Addr base, lo, hi;
      ptrdiff_t o = 0;
      while ((o = dwarf_ranges(&c, o, &base, &lo, &hi)) > 0) {
        if (lo >= hi) continue;
        if (out->n == out->cap) {
          size_t cap = out->cap ? out->cap * 2 : 32;
          inl_node *v = realloc(out->v, cap * sizeof *v);
          if (v == NULL) {
            out->failed = true;
            return;
          }
          out->v = v;
          out->cap = cap;
        }
        out->v[out->n++] = (inl_node){lo, hi, dwarf_dieoffset(&c), depth};
      }
      if (dwarf_haschildren(&c)) inl_collect(&c, depth + 1, out);
    } else if (inl_container_tag(tag) && dwarf_haschildren(&c)) {
      inl_collect(&c, depth + 1, out);
    }
  } while (dwarf_siblingof(&c, &c) == 0);
}

static int inl_subent_cmp(const void *a, const void *b) {
  const inl_subent *x = a, *y = b;
  return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static inl_cucache *inl_cu(sse__symtab *st, Dwarf_Die *cu) {
  Dwarf *dw = dwarf_cu_getdwarf(cu->cu);
  Dwarf_Off off = dwarf_dieoffset(cu);
  for (inl_cucache *c = st->inl_cus; c; c = c->next)
    if (c->dw == dw && c->cu_off == off) return c;
  inl_cucache *c = calloc(1, sizeof *c);
  if (c == NULL) return NULL;
  c->dw = dw;
  c->cu_off = off;
  c->usable = true;
  c->has_map = -1;
  size_t cap = 0;
  int lang = dwarf_srclang(cu);
  bool is_c = lang == DW_LANG_C89 || lang == DW_LANG_C || lang == DW_LANG_C99 ||
              lang == DW_LANG_C11 || lang == DW_LANG_Mips_Assembler;
  Dwarf_Die ch;
  if (dwarf_child(cu, &ch) == 0) {
    do {
      int tag = dwarf_tag(&ch);
      /* In C a struct holds no functions; elsewhere (C++ classes,
       * namespaces) take the whole-CU descent. */
      if (!is_c && inl_container_tag(tag) && dwarf_haschildren(&ch))
        c->usable = false;
      if (!inl_scope_tag(tag)) continue;
      Dwarf_Addr base, lo, hi;
      ptrdiff_t o = 0;
      while ((o = dwarf_ranges(&ch, o, &base, &lo, &hi)) > 0) {
        if (lo >= hi) continue;
        if (c->n == cap) {
          cap = cap ? cap * 2 : 64;
          inl_subent *v = realloc(c->v, cap * sizeof *v);
          if (v == NULL) {
            c->usable = false;
            break;
          }
          c->v = v;
        }
        c->v[c->n++] = (inl_subent){lo, hi, dwarf_dieoffset(&ch), NULL, 0, false, false, false, NULL};
      }
    } while (dwarf_siblingof(&ch, &ch) == 0);
  }
  qsort(c->v, c->n, sizeof *c->v, inl_subent_cmp);
  c->next = st->inl_cus;
  st->inl_cus = c;
  return c;
}

static bool inl_descend(Dwarf_Die *die, Dwarf_Addr addr, inl_path *p, int level);

/* The scopes containing addr below the CU, as inl_descend(cu) finds them,
 * but starting at the function that contains addr. */
/* The CU's top-level function range holding addr, or NULL. */
static inl_subent *inl_sub_at(inl_cucache *c, Dwarf_Addr addr) {
  size_t lo = 0, hi = c->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (c->v[mid].lo <= addr) lo = mid + 1;
    else hi = mid;
  }
  /* Ranges of different functions do not overlap; look back a little in
   * case a function's range list is not in address order. */
  for (size_t k = lo, tries = 0; k > 0 && tries < 8; k--, tries++) {
    inl_subent *e = &c->v[k - 1];
    if (addr >= e->lo && addr < e->hi) return e;
  }
  return NULL;
}

static void inl_path_at(sse__symtab *st, Dwarf_Die *cu, Dwarf_Addr addr, inl_path *p) {
  inl_cucache *c = inl_cu(st, cu);
  if (c == NULL || !c->usable) {
    inl_descend(cu, addr, p, 0);
    return;
  }
  inl_subent *e = inl_sub_at(c, addr);
  Dwarf_Die sd;
  if (e != NULL && dwarf_offdie(c->dw, e->off, &sd) != NULL) {
    p->die[0] = sd;
    p->n = 1;
    if (!e->built) {
      inl_nodes ns = {0};
      inl_collect(&sd, 1, &ns);
      e->built = true;
      if (ns.failed) {
        free(ns.v);
      } else {
        /* Every range entry of this function shares the node list. */
        for (size_t i = 0; i < c->n; i++)
          if (c->v[i].off == e->off) {
            c->v[i].nodes = ns.v;
            c->v[i].nnodes = ns.n;
            c->v[i].built = true;
          }
        e->owner = true;
      }
    }
    if (e->nodes == NULL && e->nnodes == 0 && e->built) {
      /* No scopes inside, or the list could not be built: the descent
       * below answers the same from the DIEs. */
      inl_descend(&sd, addr, p, 1);
      return;
    }
    /* Depth-first order: the first node at each depth that contains addr,
     * under the one chosen at the depth above, is inl_descend's choice. */
    int want = 1;
    Dwarf_Off last_at_depth[64];
    for (size_t i = 0; i < e->nnodes && p->n < INL_MAXDEPTH; i++) {
      const inl_node *nd = &e->nodes[i];
      if (nd->depth > want || nd->depth < 1 || nd->depth >= 64) continue;
      /* Another range of the scope just chosen (ranges come before the
       * scope's children). */
      if (want > 1 && nd->depth == want - 1 && last_at_depth[want - 1] == nd->off)
        continue;
      if (nd->depth < want) break; /* left the chosen scope's subtree */
      if (addr < nd->lo || addr >= nd->hi) continue;
      Dwarf_Die d;
      if (dwarf_offdie(c->dw, nd->off, &d) == NULL) break;
      p->die[p->n++] = d;
      last_at_depth[want] = nd->off;
      want++;
    }
    return;
  }
}

/* Descend from die's children to the scopes containing addr. Returns true
 * when something was appended. */
static bool inl_descend(Dwarf_Die *die, Dwarf_Addr addr, inl_path *p, int level) {
  Dwarf_Die child;
  if (level > 16 || dwarf_child(die, &child) != 0)
    return false;
  bool any = false;
  for (;;) {
    int tag = dwarf_tag(&child);
    if (inl_scope_tag(tag)) {
      if (dwarf_haspc(&child, addr) == 1) {
        if (p->n >= INL_MAXDEPTH)
          return any;
        p->die[p->n++] = child;
        any = true;
        /* Continue inside this scope. */
        Dwarf_Die inner;
        if (dwarf_child(&child, &inner) != 0)
          return any;
        child = inner;
        continue;
      }
    } else if (inl_container_tag(tag) && dwarf_haschildren(&child)) {
      Dwarf_Die c = child;
      if (inl_descend(&c, addr, p, level + 1))
        return true;
    }
    if (dwarf_siblingof(&child, &child) != 0)
      return any;
  }
}

typedef struct inl_ranges {
  int n;
  Dwarf_Addr first, min, max; /* first listed non-empty range's start, hull */
  Dwarf_Addr lo, hi;          /* range containing the address asked for */
} inl_ranges;

/* gdb's dwarf2 reader: empty ranges are dropped, and so are ranges at
 * address 0 (no section is at 0 in a shared object or PIE). */
static void inl_get_ranges(Dwarf_Die *die, Dwarf_Addr addr, inl_ranges *r) {
  memset(r, 0, sizeof *r);
  r->min = UINT64_MAX;
  Dwarf_Addr base, s, e;
  ptrdiff_t off = 0;
  while ((off = dwarf_ranges(die, off, &base, &s, &e)) > 0) {
    if (s >= e || s == 0)
      continue;
    if (r->n++ == 0)
      r->first = s;
    if (s < r->min)
      r->min = s;
    if (e > r->max)
      r->max = e;
    if (addr >= s && addr < e && r->hi == 0) {
      r->lo = s;
      r->hi = e;
    }
  }
  if (r->n == 0)
    r->min = 0;
}

/* gdb 13's BLOCK_ENTRY_PC as gdb reports it (Python Block.start, the code
 * address of inline frame IDs): the lowest address of the block. Checked
 * against gdb 13.1 on 16k pcs of glibc 2.36, 800 of them in blocks whose
 * first listed range is not the lowest (cold partitions): the lowest
 * address always matched, the first range start and DW_AT_entry_pc did not
 * always. */
static Dwarf_Addr inl_entry(const inl_ranges *r) { return r->min; }

static bool inl_has_var_child(Dwarf_Die *die) {
  Dwarf_Die c;
  if (dwarf_child(die, &c) != 0)
    return false;
  do {
    int t = dwarf_tag(&c);
    if (t == DW_TAG_variable || t == DW_TAG_typedef || t == DW_TAG_imported_module ||
        t == DW_TAG_imported_declaration)
      return true;
  } while (dwarf_siblingof(&c, &c) == 0);
  return false;
}

/* Whether gdb records a block for die whose ranges make the CU's address
 * map "interesting" (two or more ranges): subprograms and inline blocks
 * always get a block, lexical blocks only when they declare something. */
static bool inl_interesting(Dwarf_Die *die) {
  int tag = dwarf_tag(die);
  if (tag != DW_TAG_subprogram && tag != DW_TAG_inlined_subroutine && tag != DW_TAG_lexical_block)
    return false;
  Dwarf_Attribute a;
  if (dwarf_attr(die, DW_AT_ranges, &a) == NULL)
    return false;
  inl_ranges r;
  inl_get_ranges(die, 0, &r);
  if (r.n < 2)
    return false;
  return tag != DW_TAG_lexical_block || inl_has_var_child(die);
}

static bool inl_scan_interesting(Dwarf_Die *die, int level) {
  Dwarf_Die c;
  if (level > 64 || dwarf_child(die, &c) != 0)
    return false;
  do {
    if (inl_interesting(&c))
      return true;
    if (dwarf_haschildren(&c) && inl_scan_interesting(&c, level + 1))
      return true;
  } while (dwarf_siblingof(&c, &c) == 0);
  return false;
}

/* gdb 13 only builds an address map for a CU (BLOCKVECTOR_MAP) when one of
 * its blocks has ranges other than its [start, end) hull; without the map
 * block_starting_point_at answers 0. */
static bool inl_cu_has_map(sse__symtab *st, Dwarf_Die *cu, const inl_path *p) {
  for (int i = 0; i < p->n; i++) {
    Dwarf_Die d = p->die[i];
    if (inl_interesting(&d))
      return true;
  }
  /* The whole-CU scan is done once per CU. */
  inl_cucache *c = inl_cu(st, cu);
  if (c == NULL)
    return inl_scan_interesting(cu, 0);
  if (c->has_map < 0)
    c->has_map = inl_scan_interesting(cu, 0);
  return c->has_map;
}

/* gdb's print_name for C: the linkage name when there is one (glibc's
 * "__GI___pthread_kill", the asm name of hidden_proto), else DW_AT_name.
 * Other languages: DW_AT_name (sse does not demangle). */
static const char *inl_name(sse__symtab *st, Dwarf_Die *cu, Dwarf_Die *die) {
  Dwarf_Attribute a;
  const char *n = NULL;
  int lang = dwarf_srclang(cu);
  if (lang == DW_LANG_C || lang == DW_LANG_C89 || lang == DW_LANG_C99 || lang == DW_LANG_C11) {
    n = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &a));
    if (n == NULL)
      n = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &a));
  }
  if (n == NULL)
    n = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &a));
  return n ? sse__modcache_intern(st->cache, n) : NULL;
}

/* The line table's file naming (modcache.c abs_file): libdw's name joined
 * with an absolute comp_dir when it is relative. */
static const char *inl_file(sse__symtab *st, Dwarf_Die *cu, Dwarf_Die *die) {
  Dwarf_Attribute a;
  Dwarf_Word idx;
  if (dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &a), &idx) != 0)
    return NULL;
  Dwarf_Files *files;
  size_t nfiles;
  if (dwarf_getsrcfiles(cu, &files, &nfiles) != 0 || idx >= nfiles)
    return NULL;
  const char *name = dwarf_filesrc(files, idx, NULL, NULL);
  if (name == NULL)
    return NULL;
  const char *comp_dir = dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &a));
  if (name[0] == '/' || comp_dir == NULL || comp_dir[0] != '/')
    return sse__modcache_intern(st->cache, name);
  char *buf = NULL;
  size_t k = strlen(comp_dir);
  if (asprintf(&buf, "%s%s%s", comp_dir, k && comp_dir[k - 1] == '/' ? "" : "/", name) < 0)
    return NULL;
  const char *r = sse__modcache_intern(st->cache, buf);
  free(buf);
  return r;
}

static int inl_udata(Dwarf_Die *die, unsigned name) {
  Dwarf_Attribute a;
  Dwarf_Word w;
  if (dwarf_formudata(dwarf_attr(die, name, &a), &w) != 0 || w > INT_MAX)
    return 0;
  return (int)w;
}

/* The name of the DWARF function (DW_TAG_subprogram, not inlined) whose
 * code holds pc, for C compilation units; NULL when there is none (no
 * debug info, assembly, other languages: the caller keeps the ELF name).
 * st->mu held. */
static const char *dwarf_func_name(sse__symtab *st, smod *m, uint64_t pc) {
  if (m->mod == NULL)
    return NULL;
  Dwarf_Addr bias = 0;
  Dwarf_Die *cup = dwfl_module_addrdie(m->mod, pc, &bias);
  if (cup == NULL)
    return NULL;
  int lang = dwarf_srclang(cup);
  if (lang != DW_LANG_C && lang != DW_LANG_C89 && lang != DW_LANG_C99 && lang != DW_LANG_C11)
    return NULL;
  Dwarf_Die cu = *cup;
  inl_cucache *c = inl_cu(st, &cu);
  if (c == NULL || !c->usable)
    return NULL;
  inl_subent *e = inl_sub_at(c, pc - bias);
  if (e == NULL)
    return NULL;
  if (!e->named) {
    Dwarf_Die sd;
    if (dwarf_offdie(c->dw, e->off, &sd) != NULL && dwarf_tag(&sd) == DW_TAG_subprogram)
      e->name = inl_name(st, &cu, &sd);
    e->named = true;
  }
  return e->name;
}

int sse__symtab_inline_chain(sse__symtab *st, uint64_t pc, sse__inline *out, int max) {
  pthread_mutex_lock(&st->mu);
  int rc = ensure_reported(st);
  smod *m = rc == 0 ? find_mod(st, pc) : NULL;
  if (m == NULL) {
    pthread_mutex_unlock(&st->mu);
    return rc < 0 ? rc : -ENOENT;
  }
  Dwarf_Addr bias = 0;
  Dwarf_Die *cup = dwfl_module_addrdie(m->mod, pc, &bias);
  if (cup == NULL) {
    pthread_mutex_unlock(&st->mu);
    return 0;
  }
  Dwarf_Die cu = *cup;
  Dwarf_Addr addr = pc - bias;
  inl_path *p = calloc(1, sizeof *p);
  if (p == NULL) {
    pthread_mutex_unlock(&st->mu);
    return -ENOMEM;
  }
  inl_path_at(st, &cu, addr, p);

  /* Innermost inline block up to the subprogram. */
  int sub = -1;
  for (int i = p->n - 1; i >= 0 && sub < 0; i--)
    if (dwarf_tag(&p->die[i]) == DW_TAG_subprogram)
      sub = i;
  int first = sub + 1; /* outermost candidate (0 when no subprogram) */
  int count = 0;
  for (int i = p->n - 1; i >= first; i--)
    if (dwarf_tag(&p->die[i]) == DW_TAG_inlined_subroutine)
      count++;
  if (count == 0) {
    free(p);
    pthread_mutex_unlock(&st->mu);
    return 0;
  }

  const char *subname = NULL;
  uint64_t sub_entry = 0;
  if (sub >= 0) {
    subname = inl_name(st, &cu, &p->die[sub]);
    inl_ranges r;
    inl_get_ranges(&p->die[sub], addr, &r);
    sub_entry = r.n ? inl_entry(&r) + bias : 0;
  }

  /* block_starting_point_at needs the scopes at pc - 1 and the CU map. */
  int map = -1; /* unknown */
  inl_path *prev = NULL;

  int k = 0;
  for (int i = p->n - 1; i >= first; i--) {
    Dwarf_Die *d = &p->die[i];
    if (dwarf_tag(d) != DW_TAG_inlined_subroutine)
      continue;
    inl_ranges r;
    inl_get_ranges(d, addr, &r);
    Dwarf_Addr entry = inl_entry(&r);
    bool starts = entry == addr;
    if (!starts) {
      if (map < 0)
        map = inl_cu_has_map(st, &cu, p);
      if (map) {
        if (prev == NULL) {
          prev = calloc(1, sizeof *prev);
          if (prev != NULL)
            inl_path_at(st, &cu, addr - 1, prev);
        }
        if (prev != NULL) {
          starts = true;
          Dwarf_Off off = dwarf_dieoffset(d);
          for (int j = 0; j < prev->n && starts; j++)
            starts = dwarf_dieoffset(&prev->die[j]) != off;
        }
      }
    }
    if (k < max) {
      sse__inline *o = &out[k];
      memset(o, 0, sizeof *o);
      o->function = inl_name(st, &cu, d);
      o->subprogram = subname;
      o->sub_entry = sub_entry;
      o->entry = entry + bias;
      o->block_lo = r.min + bias;
      o->block_hi = r.max + bias;
      o->lo = r.hi ? r.lo + bias : pc;
      o->hi = r.hi ? r.hi + bias : pc + 1;
      o->call_file = inl_file(st, &cu, d);
      o->call_line = inl_udata(d, DW_AT_call_line);
      o->call_column = inl_udata(d, DW_AT_call_column);
      o->starts_at_pc = starts;
      o->nranges = r.n;
    }
    k++;
  }
  /* caller: the next outer block's function, the subprogram last. */
  int w = k < max ? k : max;
  for (int i = 0; i < w; i++)
    out[i].caller = i + 1 < w ? out[i + 1].function : (k <= max ? subname : NULL);
  free(prev);
  free(p);
  pthread_mutex_unlock(&st->mu);
  return k;
}

/* ====================================================================
 * GDB JIT interface (issue 6): in-memory ELF objects registered through
 * __jit_debug_register_code, as libdwfl modules. Self-contained block: the
 * rest of the file only calls jitmods_report (inside refresh_locked,
 * between dwfl_linux_proc_report and dwfl_report_end) and jitmods_free.
 *
 * Each object is copied into a memfd and reported once with
 * dwfl_report_elf (base 0: the object is linked at its run address).
 * libdwfl owns a dup of the memfd from then on. Every later refresh
 * re-reports it with dwfl_report_module under the same name and range,
 * which keeps the existing Dwfl_Module with its ELF and DWARF (a second
 * dwfl_report_elf with another fd would be refused as an overlap).
 *
 * Identity: the module's file name is unique per registration
 * ("<jit@0xADDR#N>", N from a global counter), so the modcache, which keys
 * modules without a build ID by file name, size and mtime, never confuses
 * two objects; objects with a build ID share entries by build ID as usual.
 * ==================================================================== */
#include <stdatomic.h>
#include <sys/mman.h>

typedef struct jitmod {
  struct jitmod *next;
  uint64_t key;    /* the jit_code_entry's address in the target */
  int memfd;       /* our copy of the object */
  char *name;      /* module and file name, unique */
  uint64_t lo, hi; /* as first reported */
} jitmod;

static atomic_uint g_jit_serial;

static void jitmods_report(sse__symtab *st) {
  for (jitmod *j = st->jitmods; j != NULL; j = j->next)
    dwfl_report_module(st->dwfl, j->name, j->lo, j->hi);
}

static void jitmod_free1(jitmod *j) {
  if (j->memfd >= 0)
    close(j->memfd);
  free(j->name);
  free(j);
}

static void jitmods_free(sse__symtab *st) {
  jitmod *j = st->jitmods;
  st->jitmods = NULL;
  while (j != NULL) {
    jitmod *n = j->next;
    jitmod_free1(j);
    j = n;
  }
}

int sse__symtab_jit_add(sse__symtab *st, uint64_t key, const void *image, size_t size) {
  if (st == NULL || image == NULL || size < sizeof(Elf64_Ehdr) || size > SSE__SYMTAB_JIT_MAX)
    return -EINVAL;
  const unsigned char *b = image;
  if (memcmp(b, ELFMAG, SELFMAG) != 0 || b[EI_CLASS] != ELFCLASS64)
    return -EINVAL;
  jitmod *j = calloc(1, sizeof *j);
  if (j == NULL)
    return -ENOMEM;
  j->key = key;
  j->memfd = memfd_create("sse-gdbjit", MFD_CLOEXEC);
  if (j->memfd < 0 || asprintf(&j->name, "<jit@0x%llx#%u>", (unsigned long long)key,
                               atomic_fetch_add(&g_jit_serial, 1) + 1) < 0) {
    j->name = NULL;
    jitmod_free1(j);
    return -ENOMEM;
  }
  size_t off = 0;
  while (off < size) {
    ssize_t w = write(j->memfd, b + off, size - off);
    if (w <= 0) {
      jitmod_free1(j);
      return -EIO;
    }
    off += (size_t)w;
  }
  int fd = dup(j->memfd);
  if (fd < 0) {
    jitmod_free1(j);
    return -EMFILE;
  }
  pthread_mutex_lock(&st->mu);
  int rc = -EINVAL;
  for (jitmod *o = st->jitmods; o != NULL; o = o->next)
    if (o->key == key) {
      rc = -EEXIST; /* registered already (a second look at the same event) */
      break;
    }
  if (rc != -EEXIST) {
    dwfl_report_begin_add(st->dwfl);
    Dwfl_Module *m = dwfl_report_elf(st->dwfl, j->name, j->name, fd, 0, true);
    if (m != NULL) {
      Dwarf_Addr lo = 0, hi = 0;
      dwfl_module_info(m, NULL, &lo, &hi, NULL, NULL, NULL, NULL);
      j->lo = lo;
      j->hi = hi;
      fd = -1; /* libdwfl's now */
    }
    dwfl_report_end(st->dwfl, NULL, NULL);
    if (m != NULL && j->hi > j->lo) {
      j->next = st->jitmods;
      st->jitmods = j;
      j = NULL;
      refresh_locked(st);
      rc = 0;
    }
  }
  pthread_mutex_unlock(&st->mu);
  if (fd >= 0)
    close(fd);
  if (j != NULL)
    jitmod_free1(j);
  return rc;
}

int sse__symtab_jit_remove(sse__symtab *st, uint64_t key) {
  if (st == NULL)
    return -1;
  pthread_mutex_lock(&st->mu);
  jitmod **pp = &st->jitmods, *j = NULL;
  for (; *pp != NULL; pp = &(*pp)->next)
    if ((*pp)->key == key) {
      j = *pp;
      *pp = j->next;
      break;
    }
  if (j != NULL)
    refresh_locked(st); /* not re-reported: dropped at dwfl_report_end */
  pthread_mutex_unlock(&st->mu);
  if (j == NULL)
    return -1;
  jitmod_free1(j);
  return 0;
}

void sse__symtab_jit_clear(sse__symtab *st) {
  if (st == NULL)
    return;
  pthread_mutex_lock(&st->mu);
  bool any = st->jitmods != NULL;
  jitmods_free(st);
  if (any && st->reported)
    refresh_locked(st);
  pthread_mutex_unlock(&st->mu);
}

size_t sse__symtab_jit_count(sse__symtab *st) {
  size_t n = 0;
  pthread_mutex_lock(&st->mu);
  for (jitmod *j = st->jitmods; j != NULL; j = j->next)
    n++;
  pthread_mutex_unlock(&st->mu);
  return n;
}
