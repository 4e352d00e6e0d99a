/* idle_threads.c — N idle threads (argv[1], default 100) blocked on a
 * condition variable while main calls tick() K times (argv[2], default
 * 50): each breakpoint hit and continue is one all-stop cycle over N+1
 * threads. */
#include <pthread.h>
#include <stdlib.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int done, ready;
static volatile int ticks;

void __attribute__((noinline)) tick(void) { ticks++; }

static void *idle(void *arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  ready++;
  pthread_cond_broadcast(&cv);
  while (!done) pthread_cond_wait(&cv, &mu);
  pthread_mutex_unlock(&mu);
  return NULL;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 100, k = argc > 2 ? atoi(argv[2]) : 50;
  if (n < 0 || n > 5000) return 2;
  pthread_t *th = calloc((size_t)n + 1, sizeof *th);
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setstacksize(&a, 64 * 1024);
  for (int i = 0; i < n; i++) pthread_create(&th[i], &a, idle, NULL);
  pthread_mutex_lock(&mu);
  while (ready < n) pthread_cond_wait(&cv, &mu);
  pthread_mutex_unlock(&mu);
  for (int i = 0; i < k; i++) tick();
  pthread_mutex_lock(&mu);
  done = 1;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
  for (int i = 0; i < n; i++) pthread_join(th[i], NULL);
  return ticks == k ? 0 : 1;
}
