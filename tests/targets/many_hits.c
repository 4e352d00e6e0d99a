/* many_hits.c — N threads (argv[1], default 8) released together by a
 * barrier each call hit() once: a breakpoint there must stop N times. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_barrier_t go;
static volatile int hits;

void hit(void) { __atomic_add_fetch(&hits, 1, __ATOMIC_RELAXED); }

static void *worker(void *arg) {
  (void)arg;
  pthread_barrier_wait(&go);
  hit();
  return NULL;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 8;
  if (n < 1 || n > 1000) return 2;
  pthread_t *th = calloc((size_t)n, sizeof *th);
  pthread_barrier_init(&go, NULL, (unsigned)n);
  for (int i = 0; i < n; i++) pthread_create(&th[i], NULL, worker, NULL);
  for (int i = 0; i < n; i++) pthread_join(th[i], NULL);
  printf("%d hits\n", hits);
  return hits == n ? 0 : 1;
}
