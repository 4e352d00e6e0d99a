/* park_threads.c — N threads (argv[1]) asleep on a condition while main
 * calls tick() K times (argv[2]); then main wakes them all with one
 * broadcast, each adds one to `woke` and sleeps again, and main calls
 * after_wake() once every thread has. A SIGUSR1 to any thread is counted.
 * Exit status (also printed, "done N"): the number of SIGUSR1s taken, or
 * 100 when a count is off. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER, back = PTHREAD_COND_INITIALIZER;
static int ready, gen, done;
int woke;
static volatile int ticks;
static volatile sig_atomic_t usr1;

static void on_usr1(int sig) {
  (void)sig;
  usr1++;
}

void __attribute__((noinline)) tick(void) { ticks++; }
void __attribute__((noinline)) after_wake(void) { ticks++; }

static void *idle(void *arg) {
  (void)arg;
  int mine = 0;
  pthread_mutex_lock(&mu);
  ready++;
  pthread_cond_broadcast(&back);
  for (;;) {
    while (gen == mine && !done) pthread_cond_wait(&cv, &mu);
    if (done) break;
    mine = gen;
    woke++;
    pthread_cond_broadcast(&back);
  }
  pthread_mutex_unlock(&mu);
  return NULL;
}

static void wait_for(int *what, int n) {
  while (*what < n) pthread_cond_wait(&back, &mu);
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 8, k = argc > 2 ? atoi(argv[2]) : 5;
  if (n < 1 || n > 1000) return 100;
  signal(SIGUSR1, on_usr1);
  pthread_t *th = calloc((size_t)n, sizeof *th);
  for (int i = 0; i < n; i++) pthread_create(&th[i], NULL, idle, NULL);
  pthread_mutex_lock(&mu);
  wait_for(&ready, n);
  pthread_mutex_unlock(&mu);
  for (int i = 0; i < k; i++) tick();
  pthread_mutex_lock(&mu);
  gen = 1;
  pthread_cond_broadcast(&cv);
  wait_for(&woke, n);
  pthread_mutex_unlock(&mu);
  after_wake();
  pthread_mutex_lock(&mu);
  done = 1;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
  for (int i = 0; i < n; i++) pthread_join(th[i], NULL);
  int rc = ticks == k + 1 && woke == n ? usr1 : 100;
  printf("done %d\n", rc);
  return rc;
}
