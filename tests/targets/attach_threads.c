/* attach_threads.c — a running three-thread program to attach to: two
 * threads call tick() in a loop, main says "r" on stdout once it
 * ticks, then blocks reading stdin; when a byte arrives (or EOF), it stops
 * the loop and exits 0. Detached, it must run on: never left stopped. */
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

static volatile int done;
static volatile long ticks;

void __attribute__((noinline)) tick(void) { ticks++; }

static void *loop(void *arg) {
  (void)arg;
  while (!done) {
    tick();
    sched_yield();
  }
  return NULL;
}

int main(void) {
  pthread_t th, th2;
  pthread_create(&th, NULL, loop, NULL);
  pthread_create(&th2, NULL, loop, NULL);
  while (!ticks) sched_yield();
  (void)write(1, "r", 1);
  char c;
  (void)read(0, &c, 1);
  done = 1;
  pthread_join(th, NULL);
  pthread_join(th2, NULL);
  return 0;
}
