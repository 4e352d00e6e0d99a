/* jit: copies of the JIT agent's blobs, parsed on first lookup after each
 * store. See jit.h. */
#define _GNU_SOURCE
#include "jit/jit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "jit/jitblob.h"

struct sse__jit {
  pthread_mutex_t mu;
  sse__modcache *cache;
  uint64_t gen;         /* generation of the copy; 0: none */
  uint8_t *buf[3];      /* records, strings, lines */
  size_t len[3];
  uint64_t bgen[3];
  bool parsed;          /* syms/nsyms reflect buf[] */
  bool bad;             /* buf[] does not parse */
  sse__jitsym *syms;
  size_t nsyms;
};

sse__jit *sse__jit_new(sse__modcache *cache) {
  sse__jit *j = calloc(1, sizeof *j);
  if (!j)
    return NULL;
  j->cache = cache;
  pthread_mutex_init(&j->mu, NULL);
  return j;
}

static void clear_locked(sse__jit *j) {
  for (int i = 0; i < 3; i++) {
    free(j->buf[i]);
    j->buf[i] = NULL;
    j->len[i] = 0;
    j->bgen[i] = 0;
  }
  sse__jitblob_free(j->syms);
  j->syms = NULL;
  j->nsyms = 0;
  j->parsed = j->bad = false;
  j->gen = 0;
}

void sse__jit_free(sse__jit *j) {
  if (!j)
    return;
  clear_locked(j);
  pthread_mutex_destroy(&j->mu);
  free(j);
}

void sse__jit_clear(sse__jit *j) {
  pthread_mutex_lock(&j->mu);
  clear_locked(j);
  pthread_mutex_unlock(&j->mu);
}

uint64_t sse__jit_generation(sse__jit *j, uint64_t blobgen[3]) {
  pthread_mutex_lock(&j->mu);
  uint64_t g = j->gen;
  if (blobgen)
    memcpy(blobgen, j->bgen, sizeof j->bgen);
  pthread_mutex_unlock(&j->mu);
  return g;
}

void sse__jit_store(sse__jit *j, uint64_t gen, uint8_t *bufs[3], const size_t lens[3],
                    const uint64_t gens[3]) {
  pthread_mutex_lock(&j->mu);
  for (int i = 0; i < 3; i++) {
    if (!bufs[i])
      continue;
    free(j->buf[i]);
    j->buf[i] = bufs[i];
    j->len[i] = lens[i];
    j->bgen[i] = gens[i];
  }
  j->gen = gen;
  j->parsed = false;
  pthread_mutex_unlock(&j->mu);
}

/* Parse the copy if it changed since the last parse. Locked. */
static bool ensure_parsed(sse__jit *j) {
  if (!j->parsed) {
    sse__jitblob_free(j->syms);
    j->syms = NULL;
    j->nsyms = 0;
    j->parsed = true;
    j->bad = sse__jitblob_parse(j->buf[0], j->len[0], j->buf[1], j->len[1], j->buf[2],
                                j->len[2], &j->syms, &j->nsyms) != 0;
  }
  return !j->bad;
}

int sse__jit_lookup(sse__jit *j, uint64_t pc, sse__loc *out) {
  int rc = -1;
  pthread_mutex_lock(&j->mu);
  const sse__jitsym *s = ensure_parsed(j) ? sse__jitblob_lookup(j->syms, j->nsyms, pc) : NULL;
  if (s) {
    memset(out, 0, sizeof *out);
    out->function = sse__modcache_intern(j->cache, s->name);
    out->func_lo = s->start;
    out->func_hi = s->start + s->size;
    out->offset = pc - s->start;
    uint32_t line = 0;
    const char *file = NULL;
    if (sse__jitblob_line(s, pc, &line, &file) == 0 && line > 0) {
      /* The row containing pc: from the last row at or before pc to the
       * next row with a greater address, or the region's end. */
      size_t k = 0;
      while (k + 1 < s->nlines && s->lines[k + 1].addr <= pc)
        k++;
      uint64_t hi = out->func_hi;
      for (size_t m = k + 1; m < s->nlines; m++)
        if (s->lines[m].addr > pc) {
          hi = s->lines[m].addr;
          break;
        }
      out->has_line = true;
      out->line = (int)line;
      out->file = sse__modcache_intern(j->cache, file);
      out->line_lo = s->lines[k].addr;
      out->line_hi = hi;
      out->is_stmt = true;
    }
    rc = 0;
  }
  pthread_mutex_unlock(&j->mu);
  return rc;
}

int sse__jit_func_addr(sse__jit *j, const char *name, uint64_t *entry) {
  int rc = -1;
  pthread_mutex_lock(&j->mu);
  const sse__jitsym *s = ensure_parsed(j) ? sse__jitblob_find(j->syms, j->nsyms, name) : NULL;
  if (s) {
    if (entry)
      *entry = s->start;
    rc = 0;
  }
  pthread_mutex_unlock(&j->mu);
  return rc;
}

long sse__jit_foreach(sse__jit *j, void (*fn)(const char *, uint64_t, uint64_t, void *), void *arg) {
  long n = -1;
  pthread_mutex_lock(&j->mu);
  if (ensure_parsed(j)) {
    n = (long)j->nsyms;
    for (size_t i = 0; fn && i < j->nsyms; i++)
      fn(j->syms[i].name, j->syms[i].start, j->syms[i].size, arg);
  }
  pthread_mutex_unlock(&j->mu);
  return n;
}
