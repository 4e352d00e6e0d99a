/* Building an index file: sections collected in memory, a string pool with
 * one copy of each string, then one image written to a temporary file in
 * the cache directory and renamed over the old name (a reader sees the old
 * file or the new one, never half of one; two writers racing each leave a
 * whole file and the last rename wins). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int sse__ixw_commit(sse__ixw *w, const char *dir, const unsigned char *key, size_t keylen) {
  int rc = make_dir(dir);
  if (rc != 0)
    return rc;
  size_t n;
  unsigned char *img = sse__ixw_image(w, key, keylen, &n);
  if (img == NULL)
    return -ENOMEM;
  char name[48], *tmp = NULL, *path = NULL;
  for (size_t i = 0; i < SSE__IX_IDLEN; i++)
    snprintf(name + 2 * i, 3, "%02x", ((sse__ixhdr *)img)->id[i]);
  strcat(name, ".sseidx");
  rc = -ENOMEM;
  static atomic_uint seq;
  if (asprintf(&tmp, "%s/.%s.%d.%u.tmp", dir, name, (int)getpid(), atomic_fetch_add(&seq, 1)) >= 0 &&
      asprintf(&path, "%s/%s", dir, name) >= 0) {
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    rc = fd < 0 ? -errno : write_all(fd, img, n);
    if (fd >= 0 && close(fd) != 0 && rc == 0)
      rc = -errno;
    if (rc == 0 && rename(tmp, path) != 0)
      rc = -errno;
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
