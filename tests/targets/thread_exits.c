/* thread_exits.c — threads that exit while another is stepped, or while
 * they are stepped themselves.
 *   other: a worker blocks reading stdin, then returns; main loops on one
 *          line until it has joined it (so the worker exits during a
 *          `next` of that line, which runs poke() with the others
 *          running), then says joined() and exits 0;
 *   self:  the worker calls pthread_exit() on a line of its own
 *          (its marked line); main joins it, calls joined() and returns
 *          5;
 *   selffinish: the worker calls quit_thread(), which calls
 *          pthread_exit(); main as for self. */
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>
#include <unistd.h>

volatile long pokes;

void __attribute__((noinline)) poke(void) {
  for (int i = 0; i < 1000; i++) pokes++;
}

void __attribute__((noinline)) joined(void) { pokes++; }

static void *reader(void *arg) {
  (void)arg;
  char c;
  (void)read(0, &c, 1);
  return NULL;
}

void __attribute__((noinline)) quit_thread(void) {
  pokes++;
  pthread_exit(NULL);
}

static void *quitter(void *arg) {
  if (arg) quit_thread();
  pokes++;
  pthread_exit(NULL); /* pthread_exit_line */
  return NULL;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "other";
  pthread_t th;
  if (strcmp(mode, "other") == 0) {
    pthread_create(&th, NULL, reader, NULL);
    poke(); /* before_loop */
    while (pthread_tryjoin_np(th, NULL) != 0) poke(); /* others_loop */
    joined(); /* after_loop */
    return 0;
  }
  pthread_create(&th, NULL, quitter,
                 strcmp(mode, "selffinish") == 0 ? (void *)1 : NULL);
  pthread_join(th, NULL);
  joined();
  return 5;
}
