/* What the benchmarks share: a millisecond clock and a sort order. */
#ifndef SSE_BENCH_H
#define SSE_BENCH_H

#include <time.h>

static inline double bench_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* qsort's comparison of doubles, ascending. */
static inline int bench_cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

#endif
