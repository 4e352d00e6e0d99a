/* condbp_threads.c — 4 threads each call g(k, i) for i in 0..N-1
 * (argv[1], default 500), k the thread's number 0..3: a condition on
 * (k, i) picks one call of one thread among the hits of all of them. */
#include <pthread.h>
#include <stdlib.h>

#define NTHREADS 4

static int n = 500;
static volatile long total;

int g(int k, int i) {
  total += k + i;
  return (int)total;
}

static void *worker(void *arg) {
  int k = (int)(long)arg;
  for (int i = 0; i < n; i++) g(k, i);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc > 1) n = atoi(argv[1]);
  pthread_t th[NTHREADS];
  for (long k = 0; k < NTHREADS; k++) pthread_create(&th[k], NULL, worker, (void *)k);
  for (int k = 0; k < NTHREADS; k++) pthread_join(th[k], NULL);
  return 0;
}
