/* Where the index lives, how big it may grow, and the two hashes: the
 * files' checksum and the directory's ID of a key. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/format.h"
#include "index/index.h"

static bool is_off(const char *s) { return s[0] == '\0' || strcmp(s, "off") == 0; }

char *sse__index_cache_dir(const char *opt) {
  const char *env = getenv("SSE_CACHE_DIR");
  const char *pick = opt != NULL ? opt : env;
  if (pick != NULL)
    return is_off(pick) || (env != NULL && strcmp(env, "off") == 0) ? NULL : strdup(pick);
  char *p = NULL;
  const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
  if (xdg != NULL && xdg[0] == '/') {
    if (asprintf(&p, "%s/sse", xdg) < 0)
      p = NULL;
  } else if (home != NULL && home[0] == '/') {
    if (asprintf(&p, "%s/.cache/sse", home) < 0)
      p = NULL;
  }
  return p;
}

uint64_t sse__index_cache_cap(void) {
  const char *s = getenv("SSE_CACHE_MAX");
  char *end = NULL;
  unsigned long long n = s ? strtoull(s, &end, 10) : 0;
  if (s == NULL || end == s)
    return 1ull << 30;
  switch (*end) {
  case 'G': n <<= 10; /* fall through */
  case 'M': n <<= 10; /* fall through */
  case 'K': n <<= 10; break;
  }
  return n;
}

/* 64-bit words, multiply-xorshift: catches a flipped or truncated byte, fast
 * enough (GB/s) to check a file whole on every open. Not a defence against
 * a forger: the cache directory is the user's own. */
uint64_t sse__ix_checksum(const void *p, uint64_t n) {
  const unsigned char *b = p;
  uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
  uint64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, b + i, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  uint64_t w = 0;
  if (n > i)
    memcpy(&w, b + i, n - i);
  h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
  return h ^ (h >> 29);
}

void sse__index_digest(const unsigned char *key, size_t keylen, unsigned char out[SSE__IX_IDLEN]) {
  memset(out, 0, SSE__IX_IDLEN);
  if (keylen == SSE__IX_IDLEN + 1 && key[0] == 'B') {
    memcpy(out, key + 1, SSE__IX_IDLEN); /* a GNU build ID (SHA-1 size) as it is */
    return;
  }
  for (unsigned k = 0; k < 3; k++) {
    uint64_t h = sse__ix_checksum(key, keylen) ^ (0x243f6a8885a308d3ull * (k + 1));
    h = (h ^ (h >> 31)) * 0x94d049bb133111ebull;
    memcpy(out + 8 * k, &h, k < 2 ? 8 : SSE__IX_IDLEN - 16);
  }
}
