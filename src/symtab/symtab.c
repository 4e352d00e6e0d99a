/* Per-process symbols: one Dwfl per traced process, its modules mapped to
 * shared decoded entries of the sse__modcache (refresh, prefetch, the
 * module of a pc). The gdb-compatible lookups over them are in lookup.c
 * (find_pc_line), breakaddr.c (`break FUNC`, `break FILE:LINE`),
 * plt.c and trampoline.c (PLT names, the dynamic linker), inline_chain.c
 * (inline blocks). */
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

#include "symtab/bsearch.h"
#include "symtab/vec.h"
#include "symtab_int.h"

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
  sse__symtab_debuginfod_init(st);
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
      smod *m = st->mods[i].mod ? sse__symtab_resolve(st, &st->mods[i]) : NULL;
      /* A module the on-disk index has needs none of it. */
      if (m != NULL && (m->entry == NULL || m->entry->ix == NULL)) {
        /* What the first lookup in the module would build: the DWARF
         * (sections inflated), its address ranges (CU by pc), the sorted
         * function symbols. */
        Dwarf *dw = dwfl_module_getdwarf(st->mods[i].mod, &bias);
        Dwarf_Aranges *ar;
        size_t nar;
        if (dw) dwarf_getaranges(dw, &ar, &nar);
        sse__symtab_syms(st, sse__symtab_resolve(st, &st->mods[i]));
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
  sse__symtab_inl_forget(st);
  dwfl_end(st->dwfl);
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
  smod *nv = sse__vec_room(c->v, c->n, &c->cap, sizeof *nv, 32);
  if (nv == NULL) {
    c->oom = true;
    return DWARF_CB_ABORT;
  }
  c->v = nv;
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
  sse__symtab_inl_forget(st); /* it holds Dwarf handles a refresh may free */
  /* dwfl_report_begin (not _add): modules no longer mapped (exec, dlclose)
   * are dropped at dwfl_report_end; re-reported identical ones are kept with
   * their already loaded ELF and DWARF. */
  dwfl_report_begin(st->dwfl);
  int rc = dwfl_linux_proc_report(st->dwfl, st->pid);
  if (st->reporter != NULL) /* the layer above's modules (GDB JIT objects) */
    st->reporter(st->reporter_arg, st->dwfl);
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

void sse__symtab_set_reporter(sse__symtab *st, void (*fn)(void *arg, Dwfl *dwfl), void *arg) {
  pthread_mutex_lock(&st->mu);
  st->reporter = fn;
  st->reporter_arg = arg;
  pthread_mutex_unlock(&st->mu);
}

int sse__symtab_update(sse__symtab *st, int (*fn)(void *arg, Dwfl *dwfl), void *arg) {
  pthread_mutex_lock(&st->mu);
  int rc = fn(arg, st->dwfl);
  if (rc > 0 && st->reported)
    refresh_locked(st);
  pthread_mutex_unlock(&st->mu);
  return rc;
}

int sse__symtab_refresh(sse__symtab *st) {
  pthread_mutex_lock(&st->mu);
  int rc = refresh_locked(st);
  pthread_mutex_unlock(&st->mu);
  return rc;
}

int sse__symtab_ensure(sse__symtab *st) {
  if (st->reported)
    return 0;
  int rc = refresh_locked(st);
  return rc < 0 ? rc : 0;
}

/* ---- modules ---- */

smod *sse__symtab_resolve(sse__symtab *st, smod *m) {
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

smod *sse__symtab_mod_at(sse__symtab *st, uint64_t pc) {
  size_t lo = SSE__BSEARCH_LE(st->mods, st->nmods, lo, pc);
  if (lo == 0)
    return NULL;
  smod *m = &st->mods[lo - 1];
  return pc < m->hi ? sse__symtab_resolve(st, m) : NULL;
}

const sse__modentry *sse__symtab_syms(sse__symtab *st, smod *m) {
  if (m->entry == NULL)
    return NULL;
  sse__modcache_need_syms(st->cache, m->entry, m->mod);
  return m->entry;
}

const sse__modentry *sse__symtab_lines(sse__symtab *st, smod *m) {
  if (m->entry == NULL)
    return NULL;
  sse__modcache_need_lines(st->cache, m->entry, m->mod);
  return m->entry;
}

const sse__modentry *sse__symtab_files(sse__symtab *st, smod *m) {
  if (m->entry == NULL)
    return NULL;
  sse__modcache_need_files(st->cache, m->entry, m->mod);
  return m->entry;
}

const sse__fsym *sse__symtab_func_at(const sse__modentry *e, uint64_t rel) {
  size_t lo = SSE__BSEARCH_LE(e->funcs, e->nfuncs, addr, rel);
  if (lo == 0)
    return NULL;
  const sse__fsym *f = &e->funcs[lo - 1];
  if (f->size != 0 && rel - f->addr >= f->size)
    return NULL;
  return f;
}

smod *sse__symtab_first_mod(sse__symtab *st, bool (*match)(sse__symtab *st, smod *m, void *arg),
                            void *arg) {
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < st->nmods; i++) {
      smod *m = &st->mods[i];
      bool is_exe = st->exe != NULL && m->name == st->exe;
      if ((pass == 0) == is_exe && match(st, m, arg))
        return m;
    }
  return NULL;
}

typedef struct name_key {
  const sse__modentry *e;
  const char *name;
} name_key;

static bool key_before(const void *ctx, size_t i) {
  const name_key *k = ctx;
  return strcmp(sse__fsym_key(k->e, &k->e->names[i]), k->name) < 0;
}

const sse__fsym *sse__symtab_find_name(const sse__modentry *e, const char *name) {
  size_t lo = sse__bsearch(e->nnames, key_before, &(name_key){e, name});
  /* The first entry of the key is the preferred one (global, sized). */
  if (lo < e->nnames && strcmp(sse__fsym_key(e, &e->names[lo]), name) == 0)
    return &e->names[lo];
  return NULL;
}

bool sse__symtab_row_at(sse__symtab *st, smod *m, uint64_t rel, sse__lrow *out, uint64_t *end) {
  return m->entry ? sse__modcache_row_at(st->cache, m->entry, m->mod, rel, out, end) : false;
}

void sse__symtab_modules(sse__symtab *st,
                         void (*fn)(const char *path, uint64_t lo, uint64_t hi, bool has_dwarf, void *arg),
                         void *arg) {
  pthread_mutex_lock(&st->mu);
  if (sse__symtab_ensure(st) == 0) {
    for (size_t i = 0; i < st->nmods; i++) {
      smod *m = sse__symtab_resolve(st, &st->mods[i]);
      /* What the module's entry knows (its index: no DWARF opened), else
       * libdwfl's answer. */
      Dwarf_Addr b;
      int known = m->entry != NULL ? sse__modcache_has_dwarf(st->cache, m->entry) : -1;
      bool dw = known >= 0 ? known == 1 : dwfl_module_getdwarf(m->mod, &b) != NULL;
      fn(m->path, m->lo, m->hi, dw, arg);
    }
  }
  pthread_mutex_unlock(&st->mu);
}
bool sse__symtab_has_cfi(sse__symtab *st, uint64_t pc) {
  pthread_mutex_lock(&st->mu);
  int rc = sse__symtab_ensure(st);
  smod *m = rc == 0 ? sse__symtab_mod_at(st, pc) : NULL;
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
