/* Opening an index file: map it read-only, check it whole (size, magic,
 * version, key, checksum, every section's bounds) and hand out its
 * sections in place. Nothing in the file is trusted before the check, and
 * every string offset is checked again when it is read. A file is one
 * image or several back to back (the first, then the segments appended
 * to it, each an image of its own): every whole, valid one is a segment,
 * the walk stops at the first that is not (a torn append). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index/format.h"
#include "index/index.h"

struct sse__index {
  const unsigned char *base;
  size_t size;        /* of this image */
  size_t map_size;    /* of the mapping (the first segment's) */
  struct sse__index *next; /* the next segment, NULL if last */
  struct sse__index *first; /* the segment owning the mapping (itself for the first) */
  size_t nseg;        /* the first's: segments in the chain */
  bool torn;          /* the first's: bytes after the last segment were ignored */
  bool mapped;
  const sse__ixsect *sects;
  uint32_t nsect;
  const char *str; /* the string pool */
  size_t nstr;
  /* Each section's checksum is checked on its first use (so a process
   * touches only the pages of what it uses): 0 not yet, 1 good, 2 bad. */
  atomic_uchar *state;
  atomic_bool damaged;
};

/* Whether section i matches its checksum (checked once; two threads may
 * both check, with the same result). */
static bool sect_good(const sse__index *ix, uint32_t i) {
  unsigned char s = atomic_load_explicit(&ix->state[i], memory_order_acquire);
  if (s == 0) {
    const sse__ixsect *x = &ix->sects[i];
    s = sse__ix_checksum(ix->base + x->off, x->size) == x->sum ? 1 : 2;
    atomic_store_explicit(&ix->state[i], s, memory_order_release);
    if (s == 2)
      atomic_store((atomic_bool *)&ix->first->damaged, true);
  }
  return s == 1;
}

static bool sect_ok(const sse__ixsect *s, size_t size) {
  return s->elem > 0 && s->off % 8 == 0 && s->off <= size && s->size <= size - s->off && s->size % s->elem == 0;
}

static const char *check(sse__index *ix, const unsigned char *key, size_t keylen) {
  const sse__ixhdr *h = (const sse__ixhdr *)ix->base;
  if (ix->size < sizeof *h)
    return "truncated";
  if (memcmp(h->magic, SSE__IX_MAGIC, 8) != 0)
    return "not an sse index";
  if (h->version != SSE__IX_VERSION)
    return "another format version";
  if (h->file_size > ix->size || h->file_size < sizeof *h || h->file_size % 8 != 0)
    return "truncated";
  ix->size = h->file_size; /* the segments after it are checked apart */
  if (h->nsect > (ix->size - sizeof *h) / sizeof(sse__ixsect))
    return "corrupt section table";
  if (h->key_off > ix->size || h->keylen > ix->size - h->key_off)
    return "corrupt key";
  uint64_t head = h->key_off + h->keylen; /* header, section table, key */
  if (head < sizeof *h + (uint64_t)h->nsect * sizeof(sse__ixsect) ||
      sse__ix_checksum(ix->base + sizeof *h, head - sizeof *h) != h->checksum)
    return "checksum mismatch";
  if (key != NULL && (h->keylen != keylen || memcmp(ix->base + h->key_off, key, keylen) != 0))
    return "another build ID";
  ix->sects = (const sse__ixsect *)(ix->base + sizeof *h);
  ix->nsect = h->nsect;
  for (uint32_t i = 0; i < ix->nsect; i++) {
    if (!sect_ok(&ix->sects[i], ix->size))
      return "corrupt section";
    if (ix->sects[i].id == SSE__IX_STRSEC) {
      ix->str = (const char *)ix->base + ix->sects[i].off;
      ix->nstr = ix->sects[i].size;
    }
  }
  ix->state = calloc(ix->nsect ? ix->nsect : 1, sizeof *ix->state);
  if (ix->state == NULL)
    return "out of memory";
  for (uint32_t i = 0; i < ix->nsect; i++) {
    /* The string pool is used by everything: checked now. */
    if (ix->sects[i].id == SSE__IX_STRSEC && !sect_good(ix, i))
      return "checksum mismatch";
  }
  /* Every string ends inside the pool: a terminated last one is enough. */
  if (ix->nstr > 0 && ix->str[ix->nstr - 1] != '\0')
    return "corrupt string pool";
  return NULL;
}

static sse__index *one_image(const unsigned char *buf, size_t n, const unsigned char *key, size_t keylen,
                             const char **why) {
  sse__index *ix = calloc(1, sizeof *ix);
  if (ix == NULL)
    return NULL;
  ix->base = buf;
  ix->size = n;
  ix->first = ix;
  const char *w = buf != NULL && (uintptr_t)buf % 8 == 0 ? check(ix, key, keylen) : "misaligned";
  if (why != NULL)
    *why = w;
  if (w != NULL) {
    free(ix->state);
    free(ix);
    return NULL;
  }
  return ix;
}

/* The segments after ix's image, with the first one's key. */
static void walk_segments(sse__index *ix) {
  const sse__ixhdr *h = (const sse__ixhdr *)ix->base;
  const unsigned char *key = ix->base + h->key_off;
  size_t pos = ix->size, total = ix->map_size;
  ix->nseg = 1;
  for (sse__index *last = ix; pos < total;) {
    sse__index *s = one_image(ix->base + pos, total - pos, key, h->keylen, NULL);
    if (s == NULL) {
      ix->torn = true;
      return;
    }
    s->first = ix;
    last->next = s;
    last = s;
    pos += s->size;
    ix->nseg++;
  }
}

sse__index *sse__index_from_mem(const void *buf, size_t n, const unsigned char *key, size_t keylen,
                                const char **why) {
  sse__index *ix = one_image(buf, n, key, keylen, why);
  if (ix != NULL) {
    ix->map_size = n;
    walk_segments(ix);
  }
  return ix;
}

static sse__index *open_file(const char *path, const unsigned char *key, size_t keylen, const char **why) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  struct stat sb;
  void *p = MAP_FAILED;
  if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size >= (off_t)sizeof(sse__ixhdr))
    p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  if (p == MAP_FAILED) {
    if (why != NULL)
      *why = "truncated";
    return NULL;
  }
  sse__index *ix = sse__index_from_mem(p, (size_t)sb.st_size, key, keylen, why);
  if (ix == NULL) {
    munmap(p, (size_t)sb.st_size);
    return NULL;
  }
  ix->mapped = true;
  return ix;
}

sse__index *sse__index_open(const char *dir, const unsigned char *key, size_t keylen, const char **why) {
  if (why != NULL)
    *why = NULL;
  unsigned char id[SSE__IX_IDLEN];
  sse__index_digest(key, keylen, id);
  char *name = sse__ixdir_lookup(dir, id);
  if (name == NULL)
    return NULL;
  char *path = NULL;
  sse__index *ix = NULL;
  if (asprintf(&path, "%s/%s", dir, name) >= 0)
    ix = open_file(path, key, keylen, why);
  free(path);
  free(name);
  return ix;
}

void sse__index_close(sse__index *ix) {
  if (ix == NULL)
    return;
  for (sse__index *s = ix->next, *n; s != NULL; s = n) {
    n = s->next;
    free(s->state);
    free(s);
  }
  if (ix->mapped)
    munmap((void *)ix->base, ix->map_size);
  free(ix->state);
  free(ix);
}

const sse__index *sse__index_next(const sse__index *ix) { return ix ? ix->next : NULL; }

size_t sse__index_segments(const sse__index *ix) { return ix ? ix->first->nseg : 0; }

bool sse__index_torn(const sse__index *ix) { return ix != NULL && ix->first->torn; }

size_t sse__index_valid_size(const sse__index *ix) {
  size_t n = 0;
  for (const sse__index *s = ix; s != NULL; s = s->next)
    n += s->size;
  return n;
}

const void *sse__index_section(const sse__index *ix, uint32_t id, size_t elem, size_t *count) {
  *count = 0;
  for (uint32_t i = 0; ix != NULL && i < ix->nsect; i++) {
    const sse__ixsect *s = &ix->sects[i];
    if (s->id != id)
      continue;
    if (s->elem != elem || s->size == 0 || !sect_good(ix, i))
      return NULL;
    *count = s->size / elem;
    return ix->base + s->off;
  }
  return NULL;
}

const char *sse__index_str(const sse__index *ix, uint32_t off) {
  if (ix == NULL || off == SSE__IX_NOSTR || off >= ix->nstr)
    return NULL;
  return ix->str + off; /* the pool ends in a NUL (checked on open) */
}

const char *sse__index_pool(const sse__index *ix, size_t *n) {
  *n = ix ? ix->nstr : 0;
  return ix ? ix->str : NULL;
}

size_t sse__index_size(const sse__index *ix) { return ix ? ix->first->map_size : 0; }

bool sse__index_damaged(const sse__index *ix) {
  return ix != NULL && atomic_load((atomic_bool *)&ix->first->damaged);
}
