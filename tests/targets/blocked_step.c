/* blocked_step.c — a thread blocked in a system call while another is
 * stopped (the reliability cases of stepping a blocked thread).
 *
 * Default: main locks a mutex, starts a waiter thread that blocks in
 * pthread_mutex_lock on it, waits until that thread is inside the lock
 * (it counts on a futex-free flag), calls holder_stop() and unlocks.
 * Stepping the waiter at holder_stop() must complete once main runs.
 *
 * "read": main blocks in read(0) inside reader(); a step over that call
 * must be interruptible. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int waiting;
static int got;

void holder_stop(void) { got++; }

static void *waiter(void *arg) {
  (void)arg;
  atomic_store(&waiting, 1);
  pthread_mutex_lock(&lock); /* blocks: main holds it */
  got += 10;
  pthread_mutex_unlock(&lock);
  return NULL;
}

static int reader(void) {
  char buf[16];
  ssize_t n = read(0, buf, sizeof buf); /* blocks until input or EOF */
  return (int)n;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "read") == 0) {
    int n = reader();
    printf("read %d\n", n);
    return 0;
  }
  pthread_t th;
  pthread_mutex_lock(&lock);
  pthread_create(&th, NULL, waiter, NULL);
  while (!atomic_load(&waiting)) usleep(100);
  usleep(20000); /* let the waiter reach its futex wait */
  holder_stop();
  pthread_mutex_unlock(&lock);
  pthread_join(th, NULL);
  printf("got %d\n", got);
  return 0;
}
