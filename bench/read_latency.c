/* bench/read_latency: latency of sse_read_memory from a thread that is not
 * the tracer (the fast path: the caller reads the stopped process itself,
 * validated by the stop generation), beside a bare process_vm_readv made on
 * the tracer thread (inside sse_call), and beside a full hand-off to the
 * tracer thread (a read inside sse_call, timed from the caller), in one
 * run, same process, same stop, same addresses.
 *
 * usage: read_latency TARGETS_DIR [N]
 * Goal (issue 5): p99 of the fast path <= 1.5x the direct read, no read
 * over 10 ms. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "sse.h"

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

typedef struct stats {
  double p50, p99, max;
} stats;

static stats summarize(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_d);
  stats s = {v[n / 2], v[(int)(n * 0.99)], v[n - 1]};
  return s;
}

typedef struct direct_req {
  pid_t pid;
  uint64_t addr;
  size_t len;
  int n;
  double *lat;
  int fails;
} direct_req;

/* On the tracer thread: the bare system call, each one timed. */
static void direct_reads(void *arg) {
  direct_req *r = arg;
  static unsigned char buf[65536];
  for (int i = 0; i < r->n; i++) {
    struct iovec l = {buf, r->len}, rm = {(void *)(uintptr_t)r->addr, r->len};
    double t0 = now_us();
    ssize_t got = process_vm_readv(r->pid, &l, 1, &rm, 1, 0);
    r->lat[i] = now_us() - t0;
    if (got != (ssize_t)r->len) r->fails++;
  }
}

typedef struct one_read {
  sse_process *p;
  uint64_t addr;
  size_t len;
  void *buf;
  sse_err err;
} one_read;

static void read_on_tracer(void *arg) {
  one_read *o = arg;
  o->err = sse_read_memory(o->p, o->addr, o->buf, o->len, NULL);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s TARGETS_DIR [N]\n", argv[0]);
    return 2;
  }
  int n = argc > 2 ? atoi(argv[2]) : 20000;
  if (n < 100) n = 100;
  char prog[4096];
  snprintf(prog, sizeof prog, "%s/loops_calls", argv[1]);
  sse_engine *e;
  sse_process *p;
  sse_stop s;
  if (sse_engine_new(NULL, &e)) return 1;
  const char *args[] = {prog, NULL};
  int id;
  if (sse_spawn(e, args, NULL, &p, NULL) ||
      sse_break_function(p, "main", false, &id) || sse_continue(p, &s)) {
    fprintf(stderr, "read_latency: cannot start %s\n", prog);
    return 1;
  }
  sse_regs r;
  if (sse_get_regs(s.thread, &r)) return 1;
  /* 8 bytes on the stack; a 4 KiB page of main's code (with the
   * breakpoint in it, so shadowing is part of the read). */
  struct {
    const char *what;
    uint64_t addr;
    size_t len;
  } cases[] = {{"8 B  ", r.rsp, 8}, {"4 KiB", s.pc & ~4095ull, 4096}};
  double *lat = malloc(sizeof *lat * (size_t)n);
  static unsigned char buf[4096];
  int worst_ok = 1;
  printf("read latency, %d reads each, process stopped (all figures in us)\n",
         n);
  printf("  %-5s  %-44s %8s %8s %8s\n", "size", "path", "p50", "p99", "max");
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    /* Warm up every path (pages faulted in, caches warm). */
    for (int i = 0; i < 1000; i++)
      sse_read_memory(p, cases[c].addr, buf, cases[c].len, NULL);
    /* Direct and fast reads in alternating rounds, so that whatever else
     * the machine does weighs on both alike. */
    double *lat2 = malloc(sizeof *lat2 * (size_t)n);
    enum { ROUNDS = 20 };
    int per = n / ROUNDS, fails = 0;
    direct_req d = {sse_process_pid(p), cases[c].addr, cases[c].len, per, NULL,
                    0};
    for (int k = 0; k < ROUNDS; k++) {
      d.lat = lat + k * per;
      sse_call(e, direct_reads, &d);
      for (int i = k * per; i < (k + 1) * per; i++) {
        double t0 = now_us();
        if (sse_read_memory(p, cases[c].addr, buf, cases[c].len, NULL))
          fails++;
        lat2[i] = now_us() - t0;
      }
    }
    stats sd = summarize(lat, per * ROUNDS);
    stats sf = summarize(lat2, per * ROUNDS);
    free(lat2);

    int m = n / 4;
    one_read o = {p, cases[c].addr, cases[c].len, buf, 0};
    for (int i = 0; i < m; i++) {
      double t0 = now_us();
      sse_call(e, read_on_tracer, &o);
      lat[i] = now_us() - t0;
      if (o.err) fails++;
    }
    stats sh = summarize(lat, m);

    printf("  %s  %-44s %8.2f %8.2f %8.2f\n", cases[c].what,
           "direct process_vm_readv on the tracer thread", sd.p50, sd.p99,
           sd.max);
    printf("  %s  %-44s %8.2f %8.2f %8.2f\n", cases[c].what,
           "sse_read_memory from a non-tracer thread", sf.p50, sf.p99,
           sf.max);
    printf("  %s  %-44s %8.2f %8.2f %8.2f\n", cases[c].what,
           "(reference: hand-off, a read in sse_call)", sh.p50, sh.p99,
           sh.max);
    double ratio = sf.p99 / sd.p99;
    int ok = ratio <= 1.5 && sf.max <= 10000.0 && !fails && !d.fails;
    printf("  %s  p99 %.2fx direct (goal <= 1.5x), max %.2f ms (goal <= 10 ms)"
           "%s: %s\n",
           cases[c].what, ratio, sf.max / 1000.0,
           fails || d.fails ? ", READ ERRORS" : "", ok ? "ok" : "MISSED");
    if (!ok) worst_ok = 0;
  }
  free(lat);
  sse_engine_free(e);
  (void)worst_ok;
  return 0;
}
