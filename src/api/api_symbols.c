/* sse_symbols() and sse_symbol_at(): the symbols of a process by name prefix
 * and by address.
 *
 * One delegate takes what only the tracer thread may touch: the module list
 * of the process's symtab, the main program's path and a copy of the JIT
 * agent's functions. The modules' symbol tables are then read on the
 * calling thread (symtab/iterate.c), so a long listing never holds up the
 * tracer thread. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "symtab/iterate.h"
#include "symtab/symtab.h"

/* ------------------------------------------------------------ the snapshot */

typedef struct mod_ref {
  const char *path; /* interned by the symtab (valid until the engine goes) */
  uint64_t lo;
  bool exe;
} mod_ref;

typedef struct jit_ref {
  char *name;
  uint64_t addr, size;
} jit_ref;

typedef struct snapshot {
  sse_process *p;
  mod_ref *mods;
  size_t nmods, capmods;
  jit_ref *jits;
  size_t njits, capjits;
  bool oom;
  sse_err err;
} snapshot;

static bool grow(void **v, size_t *cap, size_t n, size_t elem) {
  if (n < *cap) return true;
  size_t ncap = *cap ? *cap * 2 : 16;
  void *nv = realloc(*v, ncap * elem);
  if (!nv) return false;
  *v = nv;
  *cap = ncap;
  return true;
}

static void snap_mod(const char *path, uint64_t lo, uint64_t hi, bool dwarf,
                     void *arg) {
  snapshot *s = arg;
  if (!path) return;
  if (!grow((void **)&s->mods, &s->capmods, s->nmods, sizeof *s->mods)) {
    s->oom = true;
    return;
  }
  s->mods[s->nmods++] = (mod_ref){.path = path, .lo = lo};
}

static void snap_jit(const char *name, uint64_t start, uint64_t size,
                     void *arg) {
  snapshot *s = arg;
  if (!name) return;
  char *copy = strdup(name);
  if (!copy || !grow((void **)&s->jits, &s->capjits, s->njits, sizeof *s->jits)) {
    free(copy);
    s->oom = true;
    return;
  }
  s->jits[s->njits++] = (jit_ref){.name = copy, .addr = start, .size = size};
}

/* Tracer thread. */
static void do_snapshot(void *arg) {
  snapshot *s = arg;
  if (s->p->exited) {
    s->err = SSE_E_EXITED;
    return;
  }
  struct sse__symtab *st = sse__proc_symtab(s->p);
  if (!st) {
    s->err = SSE_E_NOMEM;
    return;
  }
  sse__symtab_modules(st, snap_mod, s);
  sse__proc_jit_foreach(s->p, snap_jit, s);
  /* The main program: the module the kernel says was executed (symtab.c
   * tells it the same way). */
  char link[64], exe[PATH_MAX];
  snprintf(link, sizeof link, "/proc/%d/exe", (int)s->p->pid);
  ssize_t k = readlink(link, exe, sizeof exe - 1);
  if (k > 0) {
    exe[k] = '\0';
    for (size_t i = 0; i < s->nmods; i++)
      s->mods[i].exe = strcmp(s->mods[i].path, exe) == 0;
  }
  if (s->oom) s->err = SSE_E_NOMEM;
}

static void snapshot_free(snapshot *s) {
  for (size_t i = 0; i < s->njits; i++) free(s->jits[i].name);
  free(s->jits);
  free(s->mods);
}

static sse_err snapshot_take(sse_process *p, snapshot *s) {
  memset(s, 0, sizeof *s);
  s->p = p;
  sse_err err = sse__engine_call(p->engine, do_snapshot, s);
  if (!err) err = s->err;
  if (err) snapshot_free(s);
  return err;
}

/* ------------------------------------------------------------ candidates */

/* One symbol found, before it is handed out. */
typedef struct cand {
  char *name;        /* "@VERSION" dropped; owned */
  sse_symbol_kind kind;
  uint64_t addr, size;
  const char *module;
  size_t order;      /* 0 for the main program, then 1 + module index;
                        JIT agent code last */
  int rank;
} cand;

typedef struct walk {
  unsigned kinds;     /* SSE_SYMBOLS_FUNCTIONS | SSE_SYMBOLS_DATA */
  /* sse_symbols: the name test */
  const char *prefix;
  size_t plen;
  bool exact;
  /* sse_symbol_at: the address, and the best symbol so far */
  bool by_addr;
  uint64_t addr;
  bool have_best;
  cand best;
  /* where the current module's symbols come from */
  const char *module;
  size_t order;
  cand *v;
  size_t n, cap;
  bool oom;
} walk;

static unsigned kinds_of(unsigned flags) {
  unsigned k = flags & (SSE_SYMBOLS_FUNCTIONS | SSE_SYMBOLS_DATA);
  return k ? k : SSE_SYMBOLS_FUNCTIONS | SSE_SYMBOLS_DATA;
}

static bool holds(uint64_t start, uint64_t size, uint64_t addr) {
  return addr == start || (addr > start && addr - start < size);
}

/* Whether a beats b as the symbol at an address: closest start below it,
 * then global before weak before local, then module order. */
static bool better_at(const cand *a, const cand *b) {
  if (a->addr != b->addr) return a->addr > b->addr;
  if (a->rank != b->rank) return a->rank < b->rank;
  return a->order < b->order;
}

/* A symbol of the walk's module (or JIT code): keep it if it qualifies.
 * name is valid for the call only. */
static void offer(walk *w, const char *name, bool func, uint64_t addr,
                  uint64_t size, int rank) {
  if (!(w->kinds & (func ? SSE_SYMBOLS_FUNCTIONS : SSE_SYMBOLS_DATA))) return;
  size_t len = strcspn(name, "@");
  if (w->by_addr) {
    if (!holds(addr, size, w->addr)) return;
  } else if (len < w->plen || strncmp(name, w->prefix, w->plen) != 0 ||
             (w->exact && len != w->plen)) {
    return;
  }
  cand c = {.kind = func ? SSE_SYMBOL_FUNCTION : SSE_SYMBOL_DATA, .addr = addr,
            .size = size, .module = w->module, .order = w->order, .rank = rank};
  if (w->by_addr && w->have_best && !better_at(&c, &w->best)) return;
  c.name = strndup(name, len);
  if (!c.name) {
    w->oom = true;
    return;
  }
  if (w->by_addr) {
    if (w->have_best) free(w->best.name);
    w->best = c;
    w->have_best = true;
    return;
  }
  if (!grow((void **)&w->v, &w->cap, w->n, sizeof *w->v)) {
    free(c.name);
    w->oom = true;
    return;
  }
  w->v[w->n++] = c;
}

static bool offer_esym(const sse__esym *s, void *arg) {
  walk *w = arg;
  offer(w, s->name, s->func, s->addr, s->size, s->rank);
  return !w->oom;
}

/* Every module's table (the main program's alone with EXECUTABLE), then
 * the JIT agent's functions. */
static void walk_all(walk *w, const snapshot *s, unsigned flags) {
  bool exe_only = flags & SSE_SYMBOLS_EXECUTABLE;
  for (size_t i = 0; i < s->nmods && !w->oom; i++) {
    if (exe_only && !s->mods[i].exe) continue;
    w->module = s->mods[i].path;
    w->order = s->mods[i].exe ? 0 : 1 + i;
    sse__symtab_module_symbols(s->mods[i].path, s->mods[i].lo, offer_esym, w);
  }
  w->module = NULL;
  w->order = SIZE_MAX;
  for (size_t i = 0; i < s->njits && !exe_only && !w->oom; i++)
    offer(w, s->jits[i].name, true, s->jits[i].addr, s->jits[i].size, 0);
}

static void cand_free(cand *c) {
  free(c->name);
  c->name = NULL;
}

static int cmp_cand(const void *pa, const void *pb) {
  const cand *a = pa, *b = pb;
  int c = strcmp(a->name, b->name);
  if (c) return c;
  if (a->order != b->order) return a->order < b->order ? -1 : 1;
  if (a->rank != b->rank) return a->rank - b->rank;
  return a->addr < b->addr ? -1 : a->addr > b->addr;
}

static bool same_symbol(const cand *a, const cand *b) {
  return a->addr == b->addr && a->module == b->module && a->kind == b->kind &&
         strcmp(a->name, b->name) == 0;
}

/* Engine-owned copy of c. */
static bool hand_out(sse_engine *e, const cand *c, sse_symbol *out) {
  out->name = sse__intern(e, c->name);
  out->kind = c->kind;
  out->addr = c->addr;
  out->size = c->size;
  out->module = c->module;
  return out->name != NULL;
}

/* ------------------------------------------------------------ the calls */

sse_err sse_symbols(sse_process *p, const char *prefix, unsigned flags,
                    sse_symbol *out, size_t max, size_t *n) {
  if (n) *n = 0;
  if (!p || (!out && max)) return SSE_E_INVAL;
  snapshot s;
  sse_err err = snapshot_take(p, &s);
  if (err) return err;
  walk w = {.kinds = kinds_of(flags), .prefix = prefix ? prefix : "",
            .exact = flags & SSE_SYMBOLS_EXACT};
  w.plen = strlen(w.prefix);
  walk_all(&w, &s, flags);
  if (w.n) qsort(w.v, w.n, sizeof *w.v, cmp_cand);
  /* One entry per symbol: a table may list it twice (.symtab and the
   * minidebuginfo's, or name@VERSION beside name). */
  size_t k = 0;
  for (size_t i = 0; i < w.n; i++) {
    if (k && same_symbol(&w.v[k - 1], &w.v[i])) {
      cand_free(&w.v[i]);
      continue;
    }
    w.v[k++] = w.v[i];
  }
  for (size_t i = 0; i < k && i < max && !w.oom; i++)
    w.oom = !hand_out(p->engine, &w.v[i], &out[i]);
  for (size_t i = 0; i < k; i++) cand_free(&w.v[i]);
  free(w.v);
  snapshot_free(&s);
  if (w.oom) return SSE_E_NOMEM;
  if (n) *n = k;
  return SSE_OK;
}

sse_err sse_symbol_at(sse_process *p, uint64_t addr, unsigned flags,
                      sse_symbol *out) {
  if (!p || !out) return SSE_E_INVAL;
  snapshot s;
  sse_err err = snapshot_take(p, &s);
  if (err) return err;
  walk w = {.kinds = kinds_of(flags), .by_addr = true, .addr = addr};
  walk_all(&w, &s, flags);
  if (w.oom)
    err = SSE_E_NOMEM;
  else if (!w.have_best)
    err = SSE_E_NOSYM;
  else if (!hand_out(p->engine, &w.best, out))
    err = SSE_E_NOMEM;
  if (w.have_best) cand_free(&w.best);
  snapshot_free(&s);
  return err;
}
