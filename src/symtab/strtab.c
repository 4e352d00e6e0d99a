/* The string interner (strtab.h): an open-addressing hash set of strdup'd
 * strings, power-of-two capacity, at most half full. */
#define _GNU_SOURCE
#include "symtab/strtab.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct sse__strtab {
  pthread_mutex_t mu;
  char **slots;
  size_t n, cap;
};

sse__strtab *sse__strtab_new(void) {
  sse__strtab *t = calloc(1, sizeof *t);
  if (t != NULL)
    pthread_mutex_init(&t->mu, NULL);
  return t;
}

void sse__strtab_free(sse__strtab *t) {
  if (t == NULL)
    return;
  for (size_t i = 0; i < t->cap; i++)
    free(t->slots[i]);
  free(t->slots);
  pthread_mutex_destroy(&t->mu);
  free(t);
}

static uint64_t str_hash(const char *s, size_t n) {
  uint64_t h = 14695981039346656037ull; /* FNV-1a */
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
  return h;
}

static bool grow(sse__strtab *t) {
  size_t ncap = t->cap ? t->cap * 2 : 1024;
  char **v = calloc(ncap, sizeof *v);
  if (v == NULL)
    return false;
  for (size_t i = 0; i < t->cap; i++) {
    char *s = t->slots[i];
    if (s == NULL)
      continue;
    size_t j = str_hash(s, strlen(s)) & (ncap - 1);
    while (v[j] != NULL)
      j = (j + 1) & (ncap - 1);
    v[j] = s;
  }
  free(t->slots);
  t->slots = v;
  t->cap = ncap;
  return true;
}

static const char *intern_locked(sse__strtab *t, const char *s, size_t n) {
  if ((t->n + 1) * 2 > t->cap && !grow(t))
    return NULL;
  size_t j = str_hash(s, n) & (t->cap - 1);
  while (t->slots[j] != NULL) {
    if (strncmp(t->slots[j], s, n) == 0 && t->slots[j][n] == '\0')
      return t->slots[j];
    j = (j + 1) & (t->cap - 1);
  }
  char *d = strndup(s, n);
  if (d == NULL)
    return NULL;
  t->slots[j] = d;
  t->n++;
  return d;
}

const char *sse__strtab_intern_n(sse__strtab *t, const char *s, size_t n) {
  if (s == NULL)
    return NULL;
  pthread_mutex_lock(&t->mu);
  const char *r = intern_locked(t, s, n);
  pthread_mutex_unlock(&t->mu);
  return r;
}

const char *sse__strtab_intern(sse__strtab *t, const char *s) {
  return s ? sse__strtab_intern_n(t, s, strlen(s)) : NULL;
}
