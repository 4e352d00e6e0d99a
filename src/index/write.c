/* Building an index file: sections collected in memory, a string pool with
 * one copy of each string, then one image written to a temporary file in
 * the cache directory and renamed over the old name (a reader sees the old
 * file or the new one, never half of one; two writers racing each leave a
 * whole file and the last rename wins), or appended to the file as a
 * segment under an flock on it (a reader ignores a segment it sees half
 * written; the next appender cuts it off). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index/format.h"
#include "index/index.h"

typedef struct wsect {
  uint32_t id, elem;
  void *p;
  size_t size;
} wsect;

struct sse__ixw {
  wsect *s;
  size_t ns;
  char *pool; /* the string section */
  size_t npool, cappool;
  uint32_t *slots; /* open addressing: pool offset + 1, 0 empty */
  size_t nslots, nused;
  bool oom;
};

sse__ixw *sse__ixw_new(void) { return calloc(1, sizeof(sse__ixw)); }

void sse__ixw_free(sse__ixw *w) {
  if (w == NULL)
    return;
  for (size_t i = 0; i < w->ns; i++)
    free(w->s[i].p);
  free(w->s);
  free(w->pool);
  free(w->slots);
  free(w);
}

bool sse__ixw_section(sse__ixw *w, uint32_t id, uint32_t elem, const void *p, size_t count) {
  wsect *ns = realloc(w->s, (w->ns + 1) * sizeof *ns);
  if (ns == NULL) {
    w->oom = true;
    return false;
  }
  w->s = ns;
  size_t size = count * elem;
  void *copy = malloc(size ? size : 1);
  if (copy == NULL) {
    w->oom = true;
    return false;
  }
  if (size)
    memcpy(copy, p, size);
  w->s[w->ns++] = (wsect){.id = id, .elem = elem, .p = copy, .size = size};
  return true;
}

static uint64_t str_hash(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

static bool grow_slots(sse__ixw *w) {
  size_t n = w->nslots ? w->nslots * 2 : 4096;
  uint32_t *v = calloc(n, sizeof *v);
  if (v == NULL)
    return false;
  for (size_t i = 0; i < w->nslots; i++) {
    if (w->slots[i] == 0)
      continue;
    size_t j = str_hash(w->pool + w->slots[i] - 1) & (n - 1);
    while (v[j] != 0)
      j = (j + 1) & (n - 1);
    v[j] = w->slots[i];
  }
  free(w->slots);
  w->slots = v;
  w->nslots = n;
  return true;
}

uint32_t sse__ixw_str(sse__ixw *w, const char *s) {
  if (s == NULL || w->oom)
    return SSE__IX_NOSTR;
  if ((w->nused + 1) * 2 > w->nslots && !grow_slots(w))
    return SSE__IX_NOSTR;
  size_t j = str_hash(s) & (w->nslots - 1);
  for (; w->slots[j] != 0; j = (j + 1) & (w->nslots - 1))
    if (strcmp(w->pool + w->slots[j] - 1, s) == 0)
      return w->slots[j] - 1;
  size_t len = strlen(s) + 1;
  if (w->npool + len >= UINT32_MAX - 1)
    return SSE__IX_NOSTR;
  if (w->npool + len > w->cappool) {
    size_t cap = w->cappool ? w->cappool * 2 : 65536;
    while (cap < w->npool + len)
      cap *= 2;
    char *np = realloc(w->pool, cap);
    if (np == NULL)
      return SSE__IX_NOSTR;
    w->pool = np;
    w->cappool = cap;
  }
  uint32_t off = (uint32_t)w->npool;
  memcpy(w->pool + off, s, len);
  w->npool += len;
  w->slots[j] = off + 1;
  w->nused++;
  return off;
}

static size_t align8(size_t n) { return (n + 7) & ~(size_t)7; }

void *sse__ixw_image(sse__ixw *w, const unsigned char *key, size_t keylen, size_t *n) {
  size_t nsect = w->ns + 1; /* + the string pool */
  size_t pos = sizeof(sse__ixhdr) + nsect * sizeof(sse__ixsect);
  size_t key_off = pos;
  pos = align8(pos + keylen);
  size_t total = pos + align8(w->npool);
  for (size_t i = 0; i < w->ns; i++)
    total += align8(w->s[i].size);
  unsigned char *img = calloc(1, total);
  if (img == NULL || w->oom)
    return free(img), NULL;
  sse__ixhdr *h = (sse__ixhdr *)img;
  sse__ixsect *st = (sse__ixsect *)(img + sizeof *h);
  memcpy(img + key_off, key, keylen);
  for (size_t i = 0; i < nsect; i++) {
    const void *p = i < w->ns ? w->s[i].p : w->pool;
    size_t size = i < w->ns ? w->s[i].size : w->npool;
    st[i] = (sse__ixsect){.id = i < w->ns ? w->s[i].id : SSE__IX_STRSEC,
                          .elem = i < w->ns ? w->s[i].elem : 1, .off = pos, .size = size,
                          .sum = sse__ix_checksum(p, size)};
    if (size)
      memcpy(img + pos, p, size);
    pos += align8(size);
  }
  memcpy(h->magic, SSE__IX_MAGIC, 8);
  h->version = SSE__IX_VERSION;
  h->nsect = (uint32_t)nsect;
  h->file_size = total;
  h->keylen = (uint32_t)keylen;
  h->key_off = key_off;
  sse__index_digest(key, keylen, h->id);
  h->checksum = sse__ix_checksum(img + sizeof *h, key_off + keylen - sizeof *h);
  *n = total;
  return img;
}

static int write_all(int fd, const unsigned char *p, size_t n) {
  while (n > 0) {
    ssize_t k = write(fd, p, n);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0)
      return k < 0 ? -errno : -ENOSPC;
    p += k;
    n -= (size_t)k;
  }
  return 0;
}

/* mkdir -p of dir (0700: the index tells what the user debugs). */
static int make_dir(const char *dir) {
  char *p = strdup(dir);
  if (p == NULL)
    return -ENOMEM;
  int rc = 0;
  for (char *s = p + 1; rc == 0; s++) {
    if (*s != '/' && *s != '\0')
      continue;
    char c = *s;
    *s = '\0';
    if (mkdir(p, 0700) != 0 && errno != EEXIST)
      rc = -errno;
    *s = c;
    if (c == '\0')
      break;
  }
  free(p);
  return rc;
}

static void file_name(char name[48], const unsigned char id[SSE__IX_IDLEN]) {
  for (size_t i = 0; i < SSE__IX_IDLEN; i++)
    snprintf(name + 2 * i, 3, "%02x", id[i]);
  strcat(name, ".sseidx");
}

static int lock_fd(int fd) {
  while (flock(fd, LOCK_EX) != 0)
    if (errno != EINTR)
      return -errno;
  return 0;
}

int sse__ixw_commit(sse__ixw *w, const char *dir, const unsigned char *key, size_t keylen) {
  int rc = make_dir(dir);
  if (rc != 0)
    return rc;
  size_t n;
  unsigned char *img = sse__ixw_image(w, key, keylen, &n);
  if (img == NULL)
    return -ENOMEM;
  char name[48], *tmp = NULL, *path = NULL;
  file_name(name, ((sse__ixhdr *)img)->id);
  rc = -ENOMEM;
  static atomic_uint seq;
  if (asprintf(&tmp, "%s/.%s.%d.%u.tmp", dir, name, (int)getpid(), atomic_fetch_add(&seq, 1)) >= 0 &&
      asprintf(&path, "%s/%s", dir, name) >= 0) {
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    rc = fd < 0 ? -errno : write_all(fd, img, n);
    if (fd >= 0 && close(fd) != 0 && rc == 0)
      rc = -errno;
    /* The old file's lock is held across the rename: an appender waiting
     * on it then finds the name moved and appends to the new file. */
    int old = rc == 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    if (old >= 0)
      lock_fd(old);
    if (rc == 0 && rename(tmp, path) != 0)
      rc = -errno;
    if (old >= 0)
      close(old);
    if (rc != 0 && fd >= 0)
      unlink(tmp);
    if (rc == 0)
      rc = sse__ixdir_add(dir, ((sse__ixhdr *)img)->id, name, sse__index_cache_cap());
  }
  free(tmp);
  free(path);
  free(img);
  return rc;
}

/* Open path locked, the file the name holds once the lock is ours (a
 * rewrite may have renamed another over it meanwhile). */
static int open_locked(const char *path) {
  for (int tries = 0; tries < 8; tries++) {
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
      return -errno;
    struct stat a, b;
    int rc = lock_fd(fd);
    if (rc == 0 && fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
      return fd;
    close(fd);
    if (rc != 0)
      return rc;
  }
  return -EAGAIN;
}

/* The valid length of fd's file (its segments), 0 when not a valid file
 * of key; *nseg its segments. */
static size_t valid_length(int fd, const unsigned char *key, size_t keylen, size_t *nseg) {
  struct stat sb;
  *nseg = 0;
  if (fstat(fd, &sb) != 0 || sb.st_size < (off_t)sizeof(sse__ixhdr))
    return 0;
  void *p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED)
    return 0;
  sse__index *ix = sse__index_from_mem(p, (size_t)sb.st_size, key, keylen, NULL);
  size_t n = ix ? sse__index_valid_size(ix) : 0;
  *nseg = sse__index_segments(ix);
  sse__index_close(ix);
  munmap(p, (size_t)sb.st_size);
  return n;
}

static int append_at(int fd, size_t at, const unsigned char *img, size_t n) {
  if (ftruncate(fd, (off_t)at) != 0) /* a torn segment goes */
    return -errno;
  for (size_t done = 0; done < n;) {
    ssize_t k = pwrite(fd, img + done, n - done, (off_t)(at + done));
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0) {
      int rc = k < 0 ? -errno : -ENOSPC;
      if (ftruncate(fd, (off_t)at) != 0) /* leave no torn segment behind */
        rc = rc ? rc : -errno;
      return rc;
    }
    done += (size_t)k;
  }
  return 0;
}

int sse__ixw_append(sse__ixw *w, const char *dir, const unsigned char *key, size_t keylen, size_t *nseg) {
  unsigned char id[SSE__IX_IDLEN];
  sse__index_digest(key, keylen, id);
  char name[48], *path = NULL;
  file_name(name, id);
  if (asprintf(&path, "%s/%s", dir, name) < 0)
    return -ENOMEM;
  size_t nimg, ns = 0;
  int fd = open_locked(path);
  free(path);
  size_t at = fd >= 0 ? valid_length(fd, key, keylen, &ns) : 0;
  unsigned char *img = at > 0 ? sse__ixw_image(w, key, keylen, &nimg) : NULL;
  int rc = at == 0 ? 1 : img == NULL ? -ENOMEM : append_at(fd, at, img, nimg);
  if (fd >= 0)
    close(fd); /* and the lock goes */
  free(img);
  if (rc == 1) { /* no valid file to add to: a new one */
    ns = 0;
    rc = sse__ixw_commit(w, dir, key, keylen);
  }
  if (nseg != NULL)
    *nseg = ns + 1;
  return rc;
}
