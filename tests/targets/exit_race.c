/* exit_race.c — main calls exit(4) after argv[1] ms (default 20) of wall
 * time, while argv[2] workers (default 2) call hit() in a loop: a
 * breakpoint on hit() has the process stop again and again, so the exit
 * lands now and then while the debugger stops the threads for a hit. */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

volatile long hits;

void __attribute__((noinline)) hit(void) { hits++; }

static void *worker(void *arg) {
  (void)arg;
  for (;;) hit();
  return NULL;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  double ms = argc > 1 ? atof(argv[1]) : 20;
  int n = argc > 2 ? atoi(argv[2]) : 2;
  pthread_t th;
  for (int i = 0; i < n; i++) pthread_create(&th, NULL, worker, NULL);
  double t0 = now();
  while (now() - t0 < ms / 1000) {
  }
  exit(4);
}
