/* dap_target: the program ssedap's editor sessions debug (tests/dap,
 * bench/dap.c). The tests find their lines by the markers in comments.
 *   dap_target            runs through and exits with status 7
 *   dap_target spin       then loops until a debugger clears `spinning`
 *   dap_target threads    three workers meet main at a barrier first
 *   dap_target bench N    N iterations of a loop of calls, for next
 *   dap_target segv       a store through a null pointer */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct point {
  int x, y;
};

struct shape {
  const char *name;
  struct point *origin;
  struct point corners[3];
  int sides;
};

volatile int spinning = 1;
int counter;
static pthread_barrier_t barrier;

static int square(int v) {
  int r = v * v; /* MARK_SQUARE */
  return r;
}

static int walk(struct shape *s) {
  int total = 0;
  for (int i = 0; i < 3; i++)
    total += s->corners[i].x; /* MARK_LOOP */
  return total + s->sides;
}

static void spin(void) {
  while (spinning) /* MARK_SPIN */
    counter++;
}

static void thread_work(long id) {
  counter += (int)id; /* MARK_WORK */
}

static void *worker(void *arg) {
  pthread_barrier_wait(&barrier);
  pthread_barrier_wait(&barrier);
  thread_work((long)arg);
  return NULL;
}

static void threads(void) {
  pthread_t t[3];
  pthread_barrier_init(&barrier, NULL, 4);
  for (long i = 0; i < 3; i++) pthread_create(&t[i], NULL, worker, (void *)(i + 1));
  pthread_barrier_wait(&barrier);
  thread_work(0); /* MARK_ALL_THREADS */
  pthread_barrier_wait(&barrier);
  for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
}

static int bench(int n) {
  int acc = 0;
  struct point p = {1, 2};
  for (int i = 0; i < n; i++) { /* MARK_BENCH */
    acc += square(i & 7);
    acc += p.x + p.y;
    p.x = acc & 3;
  }
  return acc;
}

int main(int argc, char **argv) {
  struct point origin = {3, 4};
  struct shape tri = {"tri", &origin, {{1, 2}, {3, 4}, {5, 6}}, 3};
  struct shape *sp = &tri;
  int sq = square(5); /* MARK_CALL */
  int w = walk(sp); /* MARK_AFTER_CALL */
  printf("sq=%d w=%d\n", sq, w);
  fflush(stdout);
  if (argc > 1 && !strcmp(argv[1], "spin")) spin();
  if (argc > 1 && !strcmp(argv[1], "threads")) threads();
  if (argc > 2 && !strcmp(argv[1], "bench")) bench(atoi(argv[2]));
  if (argc > 1 && !strcmp(argv[1], "segv")) *(volatile int *)(long)(argc - 2) = sq; /* MARK_SEGV */
  return sq + w == 37 ? 7 : 1; /* MARK_RETURN */
}
