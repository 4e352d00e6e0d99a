/* Stress target for the agent protocol: 4 threads register and unregister
 * symbols jit_sym_T_K (thread T, iteration K) continuously, each keeping its
 * last 4 registered, while the main thread calls main_tick() in a loop.
 * The last 4 of each thread stay registered at exit, so the final table is
 * known: jit_sym_T_(N-4) .. jit_sym_T_(N-1) for every T.
 *
 * Usage: jit_agent_stress [N]   (default 1000 iterations per thread)
 * Prints "final generation G ticks M" (G = 4 * (2N - 4) for N >= 4) and
 * exits 0. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "sse_agent.h"

#define NTHREADS 4
#define WINDOW 4
#define SLOT 256 /* bytes per fake symbol */

static int iters = 1000;
static uint8_t *region; /* PROT_NONE: real, distinct addresses nobody runs */
volatile unsigned long ticks;

__attribute__((noinline)) void main_tick(void) { ticks++; }

static void *worker(void *arg) {
  int t = (int)(intptr_t)arg;
  uint64_t live[WINDOW] = {0};
  char name[64];
  for (int k = 0; k < iters; k++) {
    int w = k % WINDOW;
    if (live[w] && sse_agent_unregister(live[w]) != 0)
      abort();
    /* Each thread owns 2 * WINDOW slots; slot k % (2 * WINDOW) is never
     * live twice at once, so regions never overlap. */
    uint64_t start = (uint64_t)(uintptr_t)region +
                     ((uint64_t)t * 2 * WINDOW + (uint64_t)(k % (2 * WINDOW))) * SLOT;
    sse_agent_line ln[2] = {{start, (uint32_t)k, "stress.jit"}, {start + 16, (uint32_t)k + 1, "stress.jit"}};
    snprintf(name, sizeof name, "jit_sym_%d_%d", t, k);
    if (sse_agent_register(start, SLOT, name, ln, (k & 1) ? 2 : 0, &live[w]) != 0)
      abort();
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc > 1)
    iters = atoi(argv[1]);
  region = mmap(NULL, (size_t)NTHREADS * 2 * WINDOW * SLOT, PROT_NONE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (region == MAP_FAILED)
    return 1;
  pthread_t th[NTHREADS];
  for (int t = 0; t < NTHREADS; t++)
    if (pthread_create(&th[t], NULL, worker, (void *)(intptr_t)t) != 0)
      return 1;
  /* The main thread keeps running ordinary code for the debugger to step;
   * every 1024 ticks it reaps the workers that have finished. */
  int joined[NTHREADS] = {0}, njoined = 0;
  while (njoined < NTHREADS) {
    main_tick();
    if (ticks % 1024 != 0)
      continue;
    for (int t = 0; t < NTHREADS; t++)
      if (!joined[t] && pthread_tryjoin_np(th[t], NULL) == 0) {
        joined[t] = 1;
        njoined++;
      }
  }
  printf("final generation %llu ticks %lu\n", (unsigned long long)sse_agent_generation(),
         (unsigned long)ticks);
  return 0;
}
