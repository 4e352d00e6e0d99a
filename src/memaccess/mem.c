/* Memory of a traced process: process_vm_readv for reads (with a page cache
 * while the process is stopped), /proc/PID/mem for writes (it can write
 * read-only text, as breakpoints need), breakpoint shadowing on every read.
 *
 * The page cache belongs to the tracer thread: every resume of any thread
 * invalidates it (sse__mem_invalidate bumps its generation).
 *
 * The cross-thread fast path (sse__mem_read_fast) lets any other thread
 * read a stopped process itself, with process_vm_readv, under a seqlock:
 * p->stop_gen is odd while a command runs (sse__run_start makes it odd
 * before the first resume, sse__run_report makes it even once every thread
 * is stopped again), and mem.c also makes it odd around every change it
 * makes while the process is stopped (a memory write, a new shadow table).
 * A reader samples an even generation, reads, applies the shadow table and
 * samples again: the same even value means no thread ran and nothing was
 * written in between; anything else sends it to the delegate.
 *
 * The shadow table is mem.c's copy of the breakpoint sites for those
 * readers: (addr << 8 | original byte) atomics, sorted, rewritten only
 * inside an odd window. It lists every site of p->sites (lifted or not:
 * where an int3 is lifted the byte in memory is the original anyway). It
 * is marked stale (readers fall back) by any write that is not the
 * lift/restore of an existing site (an int3 being inserted before its site
 * is linked, a user write), and rebuilt by sse__mem_sites_changed() (called
 * by breakpoint.c whenever p->sites changes) or by the next delegated read.
 * The table and the flags live as long as the process: exec keeps them.
 *
 * A write (and anything else that knows code changed) is reported to the
 * one subscriber (sse__mem_on_code_changed): the layer above, which keeps
 * decoded code, is told without memaccess calling it by name. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "arch/arch.h"
#include "internal.h"

#define PAGE 4096u
#define NPAGES 64u
/* Sites the fast path can shadow; more than that and reads from other
 * threads take the delegate. */
#define SHADOW_MAX 1024
/* Table entries keep the address in 56 bits (user space is below 2^47, or
 * 2^56 with 5-level paging). */
#define ADDR_LIMIT (1ull << 56)

typedef struct sse__memcache {
  /* ---- tracer thread only */
  uint64_t gen;
  uint64_t miss_gen; /* generation the miss count belongs to */
  unsigned misses;
  int memfd;
  struct {
    uint64_t base;
    uint64_t gen; /* valid while equal to the cache's gen */
    uint8_t data[PAGE];
  } pages[NPAGES];
  /* ---- read by other threads (fast path) */
  _Atomic bool dead;    /* exited, killed or detached: never fast again */
  _Atomic int nshadow;  /* entries in shadow[], -1: stale (take the delegate) */
  _Atomic uint64_t shadow[SHADOW_MAX]; /* addr << 8 | orig, ascending */
  /* ---- tracer thread: who is told that code changed */
  void (*code_changed)(void *arg, uint64_t addr, uint64_t len);
  void *code_changed_arg;
} sse__memcache;

/* The cache is published with a release store: other threads load it with
 * acquire (sse__mem_read_fast); it is freed only by sse__proc_destroy. */
static sse__memcache *cache_of(sse_process *p) {
  if (!p->cache) {
    sse__memcache *c = calloc(1, sizeof *c);
    if (c) {
      c->gen = 1;
      c->memfd = -1;
      atomic_init(&c->nshadow, -1);
      __atomic_store_n(&p->cache, c, __ATOMIC_RELEASE);
    }
  }
  return p->cache;
}

/* An odd window of p->stop_gen around a change made while the process is
 * stopped (tracer thread). While a command runs the generation is odd
 * already and stays as it is. */
static bool upd_begin(sse_process *p) {
  if (atomic_load(&p->stop_gen) & 1) return false;
  atomic_fetch_add(&p->stop_gen, 1);
  return true;
}
static void upd_end(sse_process *p, bool opened) {
  if (opened) atomic_fetch_add(&p->stop_gen, 1);
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* Rebuild the shadow table from p->sites (tracer thread). */
static void publish(sse_process *p, sse__memcache *c) {
  size_t n = 0;
  for (sse__bp_site *s = p->sites; s; s = s->next) n++;
  uint64_t stackv[64];
  uint64_t *v = n <= 64 ? stackv : malloc(n * sizeof *v);
  bool ok = v && n <= SHADOW_MAX && !p->exited;
  if (ok) {
    size_t i = 0;
    for (sse__bp_site *s = p->sites; s; s = s->next) {
      if (s->addr >= ADDR_LIMIT) ok = false;
      v[i++] = s->addr << 8 | s->orig;
    }
    qsort(v, n, sizeof *v, cmp_u64);
  }
  bool opened = upd_begin(p);
  if (ok)
    for (size_t i = 0; i < n; i++)
      atomic_store_explicit(&c->shadow[i], v[i], memory_order_relaxed);
  atomic_store_explicit(&c->nshadow, ok ? (int)n : -1, memory_order_relaxed);
  upd_end(p, opened);
  if (v != stackv) free(v);
}

void sse__mem_on_code_changed(sse_process *p, void (*fn)(void *arg, uint64_t addr, uint64_t len),
                              void *arg) {
  sse__memcache *c = cache_of(p);
  if (!c) return;
  c->code_changed = fn;
  c->code_changed_arg = arg;
}

void sse__mem_code_changed(sse_process *p, uint64_t addr, uint64_t len) {
  sse__memcache *c = p->cache;
  if (c && c->code_changed) c->code_changed(c->code_changed_arg, addr, len);
}

void sse__mem_sites_changed(sse_process *p) {
  sse__memcache *c = cache_of(p);
  if (c) publish(p, c);
}

void sse__mem_shadow_refresh(sse_process *p) {
  sse__memcache *c = cache_of(p);
  if (c && !p->exited &&
      atomic_load_explicit(&c->nshadow, memory_order_relaxed) < 0)
    publish(p, c);
}

/* Never again a fast read: set before the process is let go (detach),
 * killed, or once it has exited (sse__proc_mark_exited invalidates). */
void sse__mem_retire(sse_process *p) {
  sse__memcache *c = cache_of(p);
  if (c) atomic_store(&c->dead, true);
  upd_begin(p); /* left odd: a read in flight fails its second check */
}

void sse__mem_invalidate(sse_process *p) {
  if (!p->cache) return;
  p->cache->gen++;
  if (p->exited) atomic_store(&p->cache->dead, true);
}

void sse__mem_free(sse_process *p) {
  sse__memcache *c = p->cache;
  if (!c) return;
  if (c->memfd >= 0) close(c->memfd);
  c->memfd = -1;
  if (!p->engine->stopped) {
    /* exec: the /proc/PID/mem we held and the cached pages belong to the
     * old address space; other threads may be looking at the rest. */
    c->gen++;
    bool opened = upd_begin(p);
    atomic_store_explicit(&c->nshadow, -1, memory_order_relaxed);
    upd_end(p, opened);
    return;
  }
  /* sse__proc_destroy, after the tracer thread has gone. */
  free(c);
  p->cache = NULL;
}

static int memfd(sse_process *p) {
  sse__memcache *c = cache_of(p);
  if (!c) return -1;
  if (c->memfd < 0) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/mem", (int)p->pid);
    c->memfd = open(path, O_RDWR | O_CLOEXEC);
  }
  return c->memfd;
}

/* Raw bytes as they are in the target (int3s included). */
sse_err sse__mem_read_raw(sse_process *p, uint64_t addr, void *buf,
                          size_t len, size_t *done) {
  size_t got = 0;
  while (got < len) {
    struct iovec l = {(char *)buf + got, len - got};
    struct iovec r = {(void *)(uintptr_t)(addr + got), len - got};
    ssize_t n = process_vm_readv(p->pid, &l, 1, &r, 1, 0);
    if (n > 0) {
      got += (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    /* process_vm_readv cannot read pages the target may not read itself
     * (PROT_NONE, some special mappings); /proc/PID/mem can. */
    int fd = memfd(p);
    if (fd < 0) break;
    ssize_t m = pread(fd, (char *)buf + got, len - got, (off_t)(addr + got));
    if (m <= 0) break;
    got += (size_t)m;
  }
  if (done) *done = got;
  if (got == len) return SSE_OK;
  if (p->exited) return SSE_E_EXITED;
  return SSE_E_FAULT;
}

/* A one-byte write of an int3 or of the original byte at a site that is
 * in p->sites (so in the published table, unless that is stale anyway). */
static bool keeps_shadow(sse_process *p, uint64_t addr, const void *buf,
                         size_t len) {
  if (len != 1) return false;
  uint8_t b = *(const uint8_t *)buf;
  for (sse__bp_site *s = p->sites; s; s = s->next)
    if (s->addr == addr) return b == s->orig || b == sse__arch_break_insn[0];
  return false;
}

sse_err sse__mem_write_raw(sse_process *p, uint64_t addr, const void *buf,
                           size_t len, size_t *done) {
  int fd = memfd(p);
  size_t put = 0;
  /* Readers on other threads must not see the write half done, nor an
   * int3 their shadow table does not list yet: an odd window, and the table
   * goes stale unless this is the lift or restore of a site it lists. */
  bool opened = upd_begin(p);
  sse__memcache *c = p->cache;
  if (c && !keeps_shadow(p, addr, buf, len))
    atomic_store_explicit(&c->nshadow, -1, memory_order_relaxed);
  while (fd >= 0 && put < len) {
    ssize_t n = pwrite(fd, (const char *)buf + put, len - put,
                       (off_t)(addr + put));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    put += (size_t)n;
  }
  upd_end(p, opened);
  sse__mem_invalidate(p);
  sse__mem_code_changed(p, addr, len); /* range-stepping decode cache */
  if (done) *done = put;
  if (put == len) return SSE_OK;
  if (p->exited) return SSE_E_EXITED;
  return fd < 0 ? SSE_E_SYS : SSE_E_FAULT;
}

/* Put the original bytes back wherever an int3 of ours lies in the buffer.
 * Where the program stored over one (self-modifying code) the buffer holds
 * its byte, which is what it has there: shown as it is. */
static void shadow(sse_process *p, uint64_t addr, uint8_t *buf, size_t len) {
  for (sse__bp_site *s = p->sites; s; s = s->next)
    if (s->inserted && s->addr >= addr && s->addr < addr + len &&
        buf[s->addr - addr] == sse__arch_break_insn[0])
      buf[s->addr - addr] = s->orig;
}

sse_err sse__mem_read(sse_process *p, uint64_t addr, void *buf, size_t len,
                      size_t *done) {
  if (p->exited) {
    if (done) *done = 0;
    return SSE_E_EXITED;
  }
  sse__memcache *c = cache_of(p);
  uint8_t *out = buf;
  size_t got = 0;
  sse_err err = SSE_OK;
  while (got < len && c) {
    uint64_t a = addr + got;
    uint64_t base = a & ~(uint64_t)(PAGE - 1);
    unsigned slot = (unsigned)((base / PAGE) % NPAGES);
    size_t off = (size_t)(a - base);
    size_t n = PAGE - off;
    if (n > len - got) n = len - got;
    if (c->pages[slot].gen != c->gen || c->pages[slot].base != base) {
      /* The first small read of a stop (the step loop's look at the next
       * instruction) reads just its bytes; pages are filled once reads
       * repeat (a backtrace, a memory view). */
      if (c->miss_gen != c->gen) {
        c->miss_gen = c->gen;
        c->misses = 0;
      }
      if (c->misses++ == 0 && len - got <= 64) {
        size_t d = 0;
        err = sse__mem_read_raw(p, a, out + got, len - got, &d);
        got += d;
        break;
      }
      size_t pg = 0;
      if (sse__mem_read_raw(p, base, c->pages[slot].data, PAGE, &pg) !=
          SSE_OK) {
        /* Not a whole readable page: read just what was asked. */
        c->pages[slot].gen = 0;
        size_t d = 0;
        err = sse__mem_read_raw(p, a, out + got, len - got, &d);
        got += d;
        break;
      }
      c->pages[slot].base = base;
      c->pages[slot].gen = c->gen;
    }
    memcpy(out + got, c->pages[slot].data + off, n);
    got += n;
  }
  if (!c) err = sse__mem_read_raw(p, addr, buf, len, &got);
  shadow(p, addr, out, got);
  if (done) *done = got;
  return err;
}

/* One piece of a write, at most the stack buffer's size: the bytes our
 * int3s hide there become the new originals. */
static sse_err write_piece(sse_process *p, uint64_t addr, const uint8_t *buf,
                           size_t len, size_t *done) {
  uint8_t tmp[256];
  memcpy(tmp, buf, len);
  for (sse__bp_site *s = p->sites; s; s = s->next)
    if (s->inserted && s->addr >= addr && s->addr - addr < len) {
      s->orig = tmp[s->addr - addr];
      tmp[s->addr - addr] = sse__arch_break_insn[0];
    }
  return sse__mem_write_raw(p, addr, tmp, len, done);
}

sse_err sse__mem_write(sse_process *p, uint64_t addr, const void *buf,
                       size_t len, size_t *done) {
  if (done) *done = 0;
  if (p->exited) return SSE_E_EXITED;
  /* No address range wraps: such a write faults at once, before any byte
   * of the caller's buffer is touched. */
  if (len > UINT64_MAX - addr) return SSE_E_FAULT;
  const uint8_t *b = buf;
  size_t total = 0;
  sse_err err = SSE_OK;
  while (total < len && err == SSE_OK) {
    size_t n = len - total < 256 ? len - total : 256, got = 0;
    err = write_piece(p, addr + total, b + total, n, &got);
    total += got;
    if (err == SSE_OK && got < n) err = SSE_E_FAULT;
  }
  if (done) *done = total;
  /* Original bytes may have changed: the readers' table follows. */
  sse__mem_sites_changed(p);
  return err;
}

/* ------------------------------------------------------------ fast path */

/* The first table entry at or above addr << 8. */
static int shadow_lower(sse__memcache *c, int n, uint64_t key) {
  int lo = 0, hi = n;
  while (lo < hi) {
    int mid = lo + (hi - lo) / 2;
    if (atomic_load_explicit(&c->shadow[mid], memory_order_relaxed) < key)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* A read by a thread other than the tracer, without a hand-off: see the top
 * of this file. SSE_OK with all len bytes in buf, or anything else (buf
 * then holds garbage) and the caller takes the delegate, which has the
 * exact answer (faults, exit, a running process). */
sse_err sse__mem_read_fast(sse_process *p, uint64_t addr, void *buf,
                           size_t len) {
  sse__memcache *c = __atomic_load_n(&p->cache, __ATOMIC_ACQUIRE);
  if (!c || len > SSIZE_MAX || addr + len < addr || addr + len > ADDR_LIMIT)
    return SSE_E_RUNNING;
  for (int attempt = 0; attempt < 2; attempt++) {
    uint64_t g1 = atomic_load_explicit(&p->stop_gen, memory_order_acquire);
    if (g1 & 1) return SSE_E_RUNNING;
    if (atomic_load_explicit(&c->dead, memory_order_acquire))
      return SSE_E_EXITED;
    int n = atomic_load_explicit(&c->nshadow, memory_order_relaxed);
    if (n < 0) return SSE_E_RUNNING; /* the delegate rebuilds the table */
    struct iovec l = {buf, len};
    struct iovec r = {(void *)(uintptr_t)addr, len};
    ssize_t got = process_vm_readv(p->pid, &l, 1, &r, 1, 0);
    if (got != (ssize_t)len) return SSE_E_FAULT;
    uint8_t *out = buf;
    for (int i = shadow_lower(c, n, addr << 8); i < n; i++) {
      uint64_t e = atomic_load_explicit(&c->shadow[i], memory_order_relaxed);
      uint64_t a = e >> 8;
      /* The table may be mid-rewrite (the generation check below then
       * rejects this read), so a torn entry must not index outside buf. */
      if (a < addr) continue;
      if (a >= addr + len) break;
      /* Only over an int3: a byte the program stored over one is its own
       * (and a lifted site holds its original anyway). */
      if (out[a - addr] == sse__arch_break_insn[0]) out[a - addr] = (uint8_t)e;
    }
    /* Every load above happens before the second look at the generation;
     * the process_vm_readv is a system call, never moved across it. */
    atomic_thread_fence(memory_order_acquire);
    if (atomic_load_explicit(&p->stop_gen, memory_order_relaxed) == g1)
      return SSE_OK;
  }
  return SSE_E_RUNNING;
}
