/* Memory of a traced process: process_vm_readv for reads (with a page cache
 * while the process is stopped), /proc/PID/mem for writes (it can write
 * read-only text, as breakpoints need), breakpoint shadowing on every read.
 *
 * The cache belongs to the tracer thread: every resume of any thread
 * invalidates it (sse__mem_invalidate bumps its generation). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "engine/arch.h"
#include "internal.h"

#define PAGE 4096u
#define NPAGES 64u

typedef struct sse__memcache {
  uint64_t gen;
  uint64_t miss_gen; /* generation the miss count belongs to */
  unsigned misses;
  int memfd;
  struct {
    uint64_t base;
    uint64_t gen; /* valid while equal to the cache's gen */
    uint8_t data[PAGE];
  } pages[NPAGES];
} sse__memcache;

static sse__memcache *cache_of(sse_process *p) {
  if (!p->cache) {
    p->cache = calloc(1, sizeof *p->cache);
    if (p->cache) {
      p->cache->gen = 1;
      p->cache->memfd = -1;
    }
  }
  return p->cache;
}

void sse__mem_invalidate(sse_process *p) {
  if (p->cache) p->cache->gen++;
}

void sse__mem_free(sse_process *p) {
  if (!p->cache) return;
  if (p->cache->memfd >= 0) close(p->cache->memfd);
  free(p->cache);
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

sse_err sse__mem_write_raw(sse_process *p, uint64_t addr, const void *buf,
                           size_t len, size_t *done) {
  int fd = memfd(p);
  size_t put = 0;
  while (fd >= 0 && put < len) {
    ssize_t n = pwrite(fd, (const char *)buf + put, len - put,
                       (off_t)(addr + put));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    put += (size_t)n;
  }
  sse__mem_invalidate(p);
  if (done) *done = put;
  if (put == len) return SSE_OK;
  if (p->exited) return SSE_E_EXITED;
  return fd < 0 ? SSE_E_SYS : SSE_E_FAULT;
}

/* Put the original bytes back wherever an int3 of ours lies in the buffer. */
static void shadow(sse_process *p, uint64_t addr, uint8_t *buf, size_t len) {
  for (sse__bp_site *s = p->sites; s; s = s->next)
    if (s->inserted && s->addr >= addr && s->addr < addr + len)
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

sse_err sse__mem_write(sse_process *p, uint64_t addr, const void *buf,
                       size_t len, size_t *done) {
  if (p->exited) {
    if (done) *done = 0;
    return SSE_E_EXITED;
  }
  uint8_t stackbuf[256];
  uint8_t *tmp = len <= sizeof stackbuf ? stackbuf : malloc(len);
  if (!tmp) return SSE_E_NOMEM;
  memcpy(tmp, buf, len);
  /* A write over one of our int3s changes the byte it hides. */
  for (sse__bp_site *s = p->sites; s; s = s->next)
    if (s->inserted && s->addr >= addr && s->addr < addr + len) {
      s->orig = tmp[s->addr - addr];
      tmp[s->addr - addr] = sse__arch_break_insn[0];
    }
  sse_err err = sse__mem_write_raw(p, addr, tmp, len, done);
  if (tmp != stackbuf) free(tmp);
  return err;
}
