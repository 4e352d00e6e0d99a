/* values_tls -- __thread variables for the value tests (issue 12): the
 * main thread and a worker each have their own copy; the worker changes
 * its copy, then stops in worker_stop() (line 17) while main waits. */
#include <pthread.h>
#include <stdio.h>

struct point {
  int x, y;
};

__thread int tls_count = 7;
__thread struct point tls_pt = {1, 2};
static __thread char tls_name[8] = "main";
__thread long tls_zero;

static __attribute__((noinline)) void worker_stop(void) {
  printf("%d %d %s\n", tls_count, tls_pt.x, tls_name); /* line 17 */
}

static void *worker(void *arg) {
  (void)arg;
  tls_count = 42;
  tls_pt.x = 9;
  tls_name[0] = 'W';
  worker_stop();
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  pthread_join(t, NULL);
  printf("%d %ld\n", tls_count, tls_zero);
  return 0;
}
