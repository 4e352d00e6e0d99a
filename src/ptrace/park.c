/* The set of parked tids (park.h): an open-addressing table per tracer
 * thread, consulted by every ptrace wrapper; empty, it costs one load. */
#include "ptrace/park.h"

#include <errno.h>
#include <stdlib.h>

typedef struct slot {
  pid_t tid; /* 0: free */
  void *owner;
} slot;

static __thread slot *tab;
static __thread unsigned cap, count; /* cap: a power of two, or 0 */
static __thread sse__pt_unpark_fn unpark;

static unsigned home(pid_t tid, unsigned c) {
  return ((unsigned)tid * 2654435761u) & (c - 1);
}

static void put(slot *s, unsigned c, pid_t tid, void *owner) {
  unsigned i = home(tid, c);
  while (s[i].tid && s[i].tid != tid) i = (i + 1) & (c - 1);
  s[i].tid = tid;
  s[i].owner = owner;
}

static int grow(void) {
  unsigned nc = cap ? cap * 2 : 64;
  slot *ns = calloc(nc, sizeof *ns);
  if (!ns) return -ENOMEM;
  for (unsigned i = 0; i < cap; i++)
    if (tab[i].tid) put(ns, nc, tab[i].tid, tab[i].owner);
  free(tab);
  tab = ns;
  cap = nc;
  return 0;
}

int sse__pt_park(pid_t tid, void *owner, sse__pt_unpark_fn fn) {
  if ((count + 1) * 2 > cap && grow() != 0) return -ENOMEM;
  unpark = fn;
  unsigned i = home(tid, cap);
  while (tab[i].tid && tab[i].tid != tid) i = (i + 1) & (cap - 1);
  if (!tab[i].tid) count++;
  tab[i].tid = tid;
  tab[i].owner = owner;
  return 0;
}

static slot *find(pid_t tid) {
  if (!count) return NULL;
  for (unsigned i = home(tid, cap); tab[i].tid; i = (i + 1) & (cap - 1))
    if (tab[i].tid == tid) return &tab[i];
  return NULL;
}

/* Deletion by backward shift: the entries after the hole that hash at or
 * before it move up, so a lookup never stops early. */
void sse__pt_park_forget(pid_t tid) {
  slot *s = find(tid);
  if (!s) return;
  unsigned i = (unsigned)(s - tab), j = i;
  for (;;) {
    j = (j + 1) & (cap - 1);
    if (!tab[j].tid) break;
    unsigned h = home(tab[j].tid, cap);
    if (((j - h) & (cap - 1)) >= ((j - i) & (cap - 1))) {
      tab[i] = tab[j];
      i = j;
    }
  }
  tab[i].tid = 0;
  count--;
  if (!count) {
    free(tab);
    tab = NULL;
    cap = 0;
  }
}

void sse__pt_before(pid_t tid) {
  slot *s = find(tid);
  if (!s) return;
  void *owner = s->owner;
  sse__pt_park_forget(tid);
  if (unpark) unpark(owner);
}
