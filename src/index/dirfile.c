/* The cache directory's table of contents, "index.dir": the sorted
 * build-ID table (N u64 offsets, then N*B ID bytes in memcmp order, then
 * the N entries the offsets point at), so a lookup is one binary search in
 * a mapped file, never a scan of the directory. Rewritten whole (temporary
 * file + rename) under an flock on "index.lock" each time a file is added;
 * the same pass evicts the oldest files beyond the size cap. A missing or
 * invalid table is rebuilt from the files' own headers. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "index/format.h"
#include "index/index.h"

typedef struct dent {
  unsigned char id[SSE__IX_IDLEN];
  sse__ixdirent e;
} dent;

typedef struct dtab {
  const unsigned char *base;
  size_t size;
  uint64_t n;
  const uint64_t *offs;
  const unsigned char *ids;
} dtab;

/* Map and check the table; false when absent or invalid. */
static bool dtab_open(const char *dir, dtab *t) {
  char *path = NULL;
  if (asprintf(&path, "%s/%s", dir, SSE__IXDIR_NAME) < 0)
    return false;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  free(path);
  if (fd < 0)
    return false;
  struct stat sb;
  void *p = MAP_FAILED;
  if (fstat(fd, &sb) == 0 && sb.st_size >= (off_t)sizeof(sse__ixdirhdr))
    p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  if (p == MAP_FAILED)
    return false;
  const sse__ixdirhdr *h = p;
  size_t size = (size_t)sb.st_size, body = size - sizeof *h;
  bool ok = memcmp(h->magic, SSE__IXDIR_MAGIC, 8) == 0 && h->version == SSE__IXDIR_VERSION &&
            h->idlen == SSE__IX_IDLEN && h->file_size == size &&
            h->n <= body / (8 + SSE__IX_IDLEN + sizeof(sse__ixdirent)) &&
            sse__ix_checksum((const unsigned char *)p + sizeof *h, body) == h->checksum;
  if (!ok) {
    munmap(p, size);
    return false;
  }
  *t = (dtab){.base = p, .size = size, .n = h->n, .offs = (const uint64_t *)(h + 1)};
  t->ids = (const unsigned char *)(t->offs + t->n);
  return true;
}

/* Entry i, bounds-checked; NULL if its offset is bad. */
static const sse__ixdirent *dtab_ent(const dtab *t, uint64_t i) {
  uint64_t off = t->offs[i];
  if (off % 8 != 0 || off > t->size || t->size - off < sizeof(sse__ixdirent))
    return NULL;
  const sse__ixdirent *e = (const sse__ixdirent *)(t->base + off);
  return memchr(e->name, '\0', sizeof e->name) && e->name[0] != '\0' && e->name[0] != '.' &&
                 strchr(e->name, '/') == NULL
             ? e
             : NULL;
}

char *sse__ixdir_lookup(const char *dir, const unsigned char id[SSE__IX_IDLEN]) {
  dtab t;
  if (!dtab_open(dir, &t))
    return NULL;
  uint64_t lo = 0, hi = t.n;
  while (lo < hi) { /* first ID >= id */
    uint64_t mid = lo + (hi - lo) / 2;
    if (memcmp(t.ids + mid * SSE__IX_IDLEN, id, SSE__IX_IDLEN) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  char *name = NULL;
  if (lo < t.n && memcmp(t.ids + lo * SSE__IX_IDLEN, id, SSE__IX_IDLEN) == 0) {
    const sse__ixdirent *e = dtab_ent(&t, lo);
    name = e ? strdup(e->name) : NULL;
  }
  munmap((void *)t.base, t.size);
  return name;
}

static bool push(dent **v, size_t *n, size_t *cap, const dent *d) {
  if (*n == *cap) {
    size_t nc = *cap ? *cap * 2 : 64;
    dent *nv = realloc(*v, nc * sizeof *nv);
    if (nv == NULL)
      return false;
    *v = nv;
    *cap = nc;
  }
  (*v)[(*n)++] = *d;
  return true;
}

/* The table's entries, or (missing or invalid) the files' headers. */
static dent *load_all(const char *dir, size_t *n) {
  dent *v = NULL;
  size_t cap = 0;
  *n = 0;
  dtab t;
  if (dtab_open(dir, &t)) {
    for (uint64_t i = 0; i < t.n; i++) {
      const sse__ixdirent *e = dtab_ent(&t, i);
      dent d;
      if (e == NULL)
        continue;
      memcpy(d.id, t.ids + i * SSE__IX_IDLEN, SSE__IX_IDLEN);
      d.e = *e;
      if (!push(&v, n, &cap, &d))
        break;
    }
    munmap((void *)t.base, t.size);
    return v;
  }
  DIR *dd = opendir(dir);
  struct dirent *de;
  while (dd != NULL && (de = readdir(dd)) != NULL) {
    size_t len = strlen(de->d_name);
    if (de->d_name[0] == '.' || len >= sizeof(((sse__ixdirent *)0)->name) || len < 7 ||
        strcmp(de->d_name + len - 7, ".sseidx") != 0)
      continue;
    sse__ixhdr h;
    char *path = NULL;
    int fd = asprintf(&path, "%s/%s", dir, de->d_name) < 0 ? -1 : open(path, O_RDONLY | O_CLOEXEC);
    free(path);
    if (fd < 0)
      continue;
    bool ok = read(fd, &h, sizeof h) == (ssize_t)sizeof h && memcmp(h.magic, SSE__IX_MAGIC, 8) == 0;
    close(fd);
    dent d;
    memset(&d, 0, sizeof d);
    memcpy(d.id, h.id, SSE__IX_IDLEN);
    strcpy(d.e.name, de->d_name);
    if (ok && !push(&v, n, &cap, &d))
      break;
  }
  if (dd != NULL)
    closedir(dd);
  return v;
}

static int cmp_age(const void *a, const void *b) {
  const dent *x = a, *y = b;
  return x->e.mtime < y->e.mtime ? -1 : x->e.mtime > y->e.mtime;
}

static int cmp_id(const void *a, const void *b) { return memcmp(((const dent *)a)->id, ((const dent *)b)->id, SSE__IX_IDLEN); }

/* Drop entries whose file is gone (or duplicated), take sizes and ages from
 * the files, then unlink the oldest until the total fits cap (keep, the new
 * file, stays). Returns the new count. */
static size_t refresh_evict(const char *dir, dent *v, size_t n, const char *keep, uint64_t cap) {
  size_t m = 0;
  uint64_t total = 0;
  for (size_t i = 0; i < n; i++) {
    char *path = NULL;
    struct stat sb;
    bool ok = asprintf(&path, "%s/%s", dir, v[i].e.name) >= 0 && stat(path, &sb) == 0;
    free(path);
    for (size_t j = 0; ok && j < m; j++)
      ok = memcmp(v[j].id, v[i].id, SSE__IX_IDLEN) != 0 && strcmp(v[j].e.name, v[i].e.name) != 0;
    if (!ok)
      continue;
    v[i].e.size = (uint64_t)sb.st_size;
    v[i].e.mtime = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
    total += v[i].e.size;
    v[m++] = v[i];
  }
  qsort(v, m, sizeof *v, cmp_age);
  size_t k = 0;
  for (size_t i = 0; i < m; i++) {
    if (total > cap && strcmp(v[i].e.name, keep) != 0) {
      char *path = NULL;
      if (asprintf(&path, "%s/%s", dir, v[i].e.name) >= 0)
        unlink(path);
      free(path);
      total -= v[i].e.size;
      continue;
    }
    v[k++] = v[i];
  }
  return k;
}

static int write_table(const char *dir, dent *v, size_t n) {
  qsort(v, n, sizeof *v, cmp_id);
  size_t size = sizeof(sse__ixdirhdr) + n * (8 + SSE__IX_IDLEN);
  size = (size + 7) & ~(size_t)7;
  size_t ents = size;
  size += n * sizeof(sse__ixdirent);
  unsigned char *img = calloc(1, size);
  if (img == NULL)
    return -ENOMEM;
  sse__ixdirhdr *h = (sse__ixdirhdr *)img;
  uint64_t *offs = (uint64_t *)(h + 1);
  unsigned char *ids = (unsigned char *)(offs + n);
  for (size_t i = 0; i < n; i++) {
    offs[i] = ents + i * sizeof(sse__ixdirent);
    memcpy(ids + i * SSE__IX_IDLEN, v[i].id, SSE__IX_IDLEN);
    memcpy(img + offs[i], &v[i].e, sizeof v[i].e);
  }
  memcpy(h->magic, SSE__IXDIR_MAGIC, 8);
  h->version = SSE__IXDIR_VERSION;
  h->idlen = SSE__IX_IDLEN;
  h->n = n;
  h->file_size = size;
  h->checksum = sse__ix_checksum(img + sizeof *h, size - sizeof *h);
  char *tmp = NULL, *path = NULL;
  int rc = -ENOMEM;
  if (asprintf(&tmp, "%s/.%s.%d.tmp", dir, SSE__IXDIR_NAME, (int)getpid()) >= 0 &&
      asprintf(&path, "%s/%s", dir, SSE__IXDIR_NAME) >= 0) {
    FILE *f = fopen(tmp, "we");
    rc = f == NULL ? -errno : 0;
    if (f != NULL && fwrite(img, 1, size, f) != size)
      rc = -ENOSPC;
    if (f != NULL && fclose(f) != 0 && rc == 0)
      rc = -errno;
    if (rc == 0 && rename(tmp, path) != 0)
      rc = -errno;
    if (rc != 0)
      unlink(tmp);
  }
  free(tmp);
  free(path);
  free(img);
  return rc;
}

int sse__ixdir_add(const char *dir, const unsigned char id[SSE__IX_IDLEN], const char *name, uint64_t cap) {
  char *lock = NULL;
  if (strlen(name) >= sizeof(((sse__ixdirent *)0)->name) || asprintf(&lock, "%s/%s", dir, SSE__IXDIR_LOCK) < 0)
    return -EINVAL;
  int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  free(lock);
  if (fd < 0)
    return -errno;
  /* Writers of one directory (threads or processes) take turns here; a
   * reader needs no lock: it maps whichever table the last rename left. */
  while (flock(fd, LOCK_EX) != 0 && errno == EINTR)
    ;
  size_t n;
  dent *v = load_all(dir, &n);
  dent d;
  memset(&d, 0, sizeof d);
  memcpy(d.id, id, SSE__IX_IDLEN);
  strcpy(d.e.name, name);
  int rc = -ENOMEM;
  dent *nv = realloc(v, (n + 1) * sizeof *nv);
  if (nv != NULL) {
    v = nv;
    /* The new entry first, so it wins over a stale one of the same ID. */
    memmove(v + 1, v, n * sizeof *v);
    v[0] = d;
    n = refresh_evict(dir, v, n + 1, name, cap);
    rc = write_table(dir, v, n);
  }
  free(v);
  flock(fd, LOCK_UN);
  close(fd);
  return rc;
}
