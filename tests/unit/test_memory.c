/* Memory reads from any thread: the cross-thread fast path, its fallback to
 * the delegate, breakpoint shadowing, faults, reads while running, the
 * page cache after a write. */
#define _GNU_SOURCE
#include <gelf.h>
#include <libelf.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <sys/uio.h>
#include <stdatomic.h>

#include "internal.h"
#include "testutil.h"

static sse_engine *eng;
static void setup(void) { cr_assert_eq(sse_engine_new(NULL, &eng), SSE_OK); }
static void teardown(void) { sse_engine_free(eng); }
TestSuite(memory, .init = setup, .fini = teardown, .timeout = 60);

/* ------------------------------------------------------------ helpers */

/* Run-time address of a global of a test program (PIE, ASLR off or on):
 * its symbol value plus the load base from /proc/PID/maps. */
static uint64_t data_addr(sse_process *p, const char *prog, const char *name) {
  elf_version(EV_CURRENT);
  int fd = open(tpath(prog), O_RDONLY | O_CLOEXEC);
  cr_assert(fd >= 0);
  Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
  cr_assert(elf);
  GElf_Ehdr eh;
  gelf_getehdr(elf, &eh);
  uint64_t value = 0;
  for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn)) && !value;) {
    GElf_Shdr sh;
    gelf_getshdr(scn, &sh);
    if (sh.sh_type != SHT_SYMTAB) continue;
    Elf_Data *d = elf_getdata(scn, NULL);
    for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
      GElf_Sym sym;
      gelf_getsym(d, (int)i, &sym);
      const char *n = elf_strptr(elf, sh.sh_link, sym.st_name);
      if (n && strcmp(n, name) == 0) value = sym.st_value;
    }
  }
  bool pie = eh.e_type == ET_DYN;
  elf_end(elf);
  close(fd);
  cr_assert(value, "no symbol %s in %s", name, prog);
  if (!pie) return value;
  char path[64], line[512];
  snprintf(path, sizeof path, "/proc/%d/maps", (int)sse_process_pid(p));
  FILE *f = fopen(path, "r");
  cr_assert(f);
  uint64_t base = 0;
  while (fgets(line, sizeof line, f)) {
    unsigned long lo, off;
    if (sscanf(line, "%lx-%*x %*s %lx", &lo, &off) == 2 && off == 0 &&
        strstr(line, prog)) {
      base = lo;
      break;
    }
  }
  fclose(f);
  cr_assert(base);
  return base + value;
}

static uint64_t func_post(sse_process *p, const char *name) {
  uint64_t entry = 0, post = 0;
  SSE_OKAY(sse_lookup_function(p, name, &entry, &post));
  return post;
}

/* ------------------------------------------------ reads match the stops */

#define MAXV 4096

typedef struct counter_reader {
  sse_process *p;
  uint64_t addr;
  atomic_bool *stop;
  int32_t seen[MAXV]; /* distinct consecutive values read */
  int nseen;
  long reads, errors;
} counter_reader;

static void *read_counter(void *arg) {
  counter_reader *r = arg;
  while (!atomic_load(r->stop)) {
    int32_t v;
    if (sse_read_memory(r->p, r->addr, &v, sizeof v, NULL) != SSE_OK) {
      r->errors++;
      continue;
    }
    r->reads++;
    if ((r->nseen == 0 || r->seen[r->nseen - 1] != v) && r->nseen < MAXV)
      r->seen[r->nseen++] = v;
  }
  return NULL;
}

typedef struct stop_values {
  pthread_mutex_t lock;
  uint64_t addr;
  int32_t v[MAXV];
  int n;
  long failed;
} stop_values;

/* On the tracer thread, at every stop: what the counter holds then. */
static void record_stop(const sse_event *ev, void *user) {
  stop_values *sv = user;
  cr_assert(sse_on_tracer_thread(ev->engine));
  int32_t v;
  if (sse_read_memory(ev->process, sv->addr, &v, sizeof v, NULL) != SSE_OK) {
    sv->failed++;
    return;
  }
  pthread_mutex_lock(&sv->lock);
  if (sv->n < MAXV) sv->v[sv->n++] = v;
  pthread_mutex_unlock(&sv->lock);
}

static int cmp_i32(const void *a, const void *b) {
  int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
  return (x > y) - (x < y);
}

/* bp_loop adds the loop index to the global g_sink a billion times: while
 * it runs the counter takes thousands of values between two stops. Eight
 * threads read it all along while the main thread runs, interrupts and
 * single-steps the program: every value they read must be one the counter
 * held at a stop. */
Test(memory, eight_readers_only_see_values_of_stops, .timeout = 120) {
  sse_process *p = spawn_target(eng, "bp_loop", "2000000000", NULL, -1);
  sse_thread *t = main_thread(p);
  static stop_values sv;
  memset(&sv, 0, sizeof sv);
  pthread_mutex_init(&sv.lock, NULL);
  sv.addr = data_addr(p, "bp_loop", "g_sink");
  /* Into the loop first: the spawn stop is before the program's start. */
  int id;
  SSE_OKAY(sse_break_function(p, "hit_me", false, &id));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  SSE_OKAY(sse_break_remove(p, id));
  int32_t v0;
  SSE_OKAY(sse_read_memory(p, sv.addr, &v0, sizeof v0, NULL));
  sv.v[sv.n++] = v0;
  int sub;
  SSE_OKAY(sse_subscribe(eng, SSE_EV_STOPPED, record_stop, &sv, &sub));

  static counter_reader rs[8];
  static atomic_bool stop;
  atomic_store(&stop, false);
  pthread_t th[8];
  for (int i = 0; i < 8; i++) {
    memset(&rs[i], 0, sizeof rs[i]);
    rs[i].p = p;
    rs[i].addr = sv.addr;
    rs[i].stop = &stop;
    start_thread_nochld(&th[i], read_counter, &rs[i]);
  }
  for (int round = 0; round < 40; round++) {
    int32_t at_stop;
    SSE_OKAY(sse_read_memory(p, sv.addr, &at_stop, sizeof at_stop, NULL));
    SSE_OKAY(sse_continue_async(p));
    /* Until the program has moved the counter (read past the engine,
     * which would wait for the stop): the interrupt then stops it at a
     * new value. */
    int32_t now = at_stop;
    for (long spin = 0; now == at_stop && spin < 100000000; spin++) {
      struct iovec l = {&now, sizeof now}, r = {(void *)(uintptr_t)sv.addr, sizeof now};
      cr_assert_eq(process_vm_readv(sse_process_pid(p), &l, 1, &r, 1, 0), (ssize_t)sizeof now);
    }
    cr_assert_neq(now, at_stop, "round %d: the program did not run", round);
    SSE_OKAY(sse_interrupt(p));
    SSE_OKAY(sse_wait(p, &s));
    cr_assert_eq(s.reason, SSE_STOP_INTERRUPTED, "round %d: %s", round,
                 sse_stop_reason_name(s.reason));
    for (int k = 0; k < 5; k++) {
      SSE_OKAY(sse_step_instruction(t, &s));
      cr_assert_eq(s.reason, SSE_STOP_STEP);
    }
  }
  atomic_store(&stop, true);
  for (int i = 0; i < 8; i++) pthread_join(th[i], NULL);
  sse_unsubscribe(eng, sub);

  cr_assert_eq(sv.failed, 0);
  qsort(sv.v, (size_t)sv.n, sizeof *sv.v, cmp_i32);
  int distinct = 0;
  for (int i = 0; i < sv.n; i++) distinct += i == 0 || sv.v[i] != sv.v[i - 1];
  /* The program did run between the stops. */
  cr_assert_gt(distinct, 20, "only %d distinct values at stops", distinct);
  for (int i = 0; i < 8; i++) {
    cr_assert_eq(rs[i].errors, 0, "reader %d: %ld errors", i, rs[i].errors);
    cr_assert_gt(rs[i].reads, 0);
    for (int k = 0; k < rs[i].nseen; k++)
      cr_assert(bsearch(&rs[i].seen[k], sv.v, (size_t)sv.n, sizeof *sv.v,
                        cmp_i32),
                "reader %d read %d, a value the counter never had at a stop",
                i, rs[i].seen[k]);
  }
}

/* ---------------------------------------------- inside a FRAME_CHANGED */

typedef struct cb_reads {
  int calls;
  int bad_thread;
  sse_err err[256];
  uint64_t pc[256];
  uint8_t bytes[256][16];
} cb_reads;

static void on_frame(const sse_event *ev, void *user) {
  cb_reads *c = user;
  if (!sse_on_tracer_thread(ev->engine)) c->bad_thread++;
  if (c->calls >= 256) return;
  int k = c->calls++;
  c->pc[k] = ev->stop->pc;
  size_t done = 0;
  c->err[k] = sse_read_memory(ev->process, ev->stop->pc, c->bytes[k], 16,
                              &done);
}

Test(memory, read_inside_frame_changed_callback, .timeout = 60) {
  sse_process *p = spawn_target(eng, "loops_calls", NULL, NULL, -1);
  int id;
  SSE_OKAY(sse_break_function(p, "main", false, &id));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  static cb_reads c;
  memset(&c, 0, sizeof c);
  int sub;
  SSE_OKAY(sse_subscribe(eng, SSE_EV_FRAME_CHANGED, on_frame, &c, &sub));
  for (int i = 0; i < 40; i++) {
    int before = c.calls;
    SSE_OKAY(i % 2 ? sse_step_line(s.thread, &s)
                   : sse_step_instruction(s.thread, &s));
    if (s.reason == SSE_STOP_EXITED) break;
    /* The callback ran (the pc moved) and read what this thread reads now,
     * at the same stop. */
    cr_assert_eq(c.calls, before + 1, "step %d: no FRAME_CHANGED", i);
    cr_assert_eq(c.err[before], SSE_OK, "%s", sse_err_name(c.err[before]));
    cr_assert_eq(c.pc[before], s.pc);
    uint8_t now[16];
    SSE_OKAY(sse_read_memory(p, s.pc, now, sizeof now, NULL));
    cr_assert_arr_eq(now, c.bytes[before], 16);
  }
  sse_unsubscribe(eng, sub);
  cr_assert_eq(c.bad_thread, 0);
  cr_assert_gt(c.calls, 20);
}

/* ------------------------------------------------ int3 never visible */

typedef struct code_reader {
  sse_process *p;
  uint64_t addr;
  const uint8_t *want;
  atomic_bool *stop;
  long reads, bad, errors;
} code_reader;

static void *read_code(void *arg) {
  code_reader *r = arg;
  while (!atomic_load(r->stop)) {
    uint8_t b[16];
    if (sse_read_memory(r->p, r->addr, b, sizeof b, NULL) != SSE_OK) {
      r->errors++;
      continue;
    }
    r->reads++;
    if (memcmp(b, r->want, sizeof b) != 0) r->bad++;
  }
  return NULL;
}

/* Breakpoints go in and out (sites added and removed while the process is
 * stopped, while it runs to them, while it steps off them) and eight
 * threads read the code under them all along: never an int3. */
Test(memory, int3_never_visible_from_other_threads, .timeout = 120) {
  sse_process *p = spawn_target(eng, "bp_loop", "2000000000", NULL, -1);
  uint64_t a = func_post(p, "hit_me");
  uint64_t b2 = func_post(p, "main");
  uint8_t *want = calloc(1, 16), *want2 = calloc(1, 16);
  SSE_OKAY(sse_read_memory(p, a - 4, want, 16, NULL));
  SSE_OKAY(sse_read_memory(p, b2, want2, 16, NULL));
  cr_assert_neq(want[4], 0xcc);
  int id;
  SSE_OKAY(sse_break_address(p, a, &id));
  code_reader *rs = calloc(8, sizeof *rs);
  atomic_bool *stop = calloc(1, sizeof *stop);
  atomic_store(stop, false);
  pthread_t th[8];
  for (int i = 0; i < 8; i++) {
    rs[i] = (code_reader){.p = p,
                          .addr = i % 2 ? b2 : a - 4,
                          .want = i % 2 ? want2 : want,
                          .stop = stop};
    start_thread_nochld(&th[i], read_code, &rs[i]);
  }
  /* The loop records its first failure and leaves; the readers are
   * stopped and joined before anything is asserted. */
  sse_stop s;
  char fail[256] = "";
#define ROUND_OK(call)                                                     \
  do {                                                                     \
    sse_err e_ = (call);                                                   \
    if (e_ != SSE_OK) {                                                    \
      snprintf(fail, sizeof fail, "round %d: %s: %s", round, #call,       \
               sse_err_name(e_));                                          \
      goto out;                                                            \
    }                                                                      \
  } while (0)
  for (int round = 0; round < 60; round++) {
    ROUND_OK(sse_continue(p, &s));
    if (s.reason != SSE_STOP_BREAKPOINT || s.pc != a) {
      snprintf(fail, sizeof fail, "round %d: stop %d at %#" PRIx64, round,
               (int)s.reason, s.pc);
      goto out;
    }
    int id2;
    switch (round % 3) {
      case 0: /* out and back in, by address */
        ROUND_OK(sse_break_remove(p, id));
        ROUND_OK(sse_break_address(p, a, &id));
        break;
      case 1: /* disabled and enabled */
        ROUND_OK(sse_break_enable(p, id, false));
        ROUND_OK(sse_break_enable(p, id, true));
        break;
      default: /* a second one elsewhere, in and out */
        ROUND_OK(sse_break_address(p, b2, &id2));
        ROUND_OK(sse_break_remove(p, id2));
        ROUND_OK(sse_break_address(p, b2 + 1, &id2));
        ROUND_OK(sse_break_remove(p, id2));
        break;
    }
  }
#undef ROUND_OK
out:
  atomic_store(stop, true);
  for (int i = 0; i < 8; i++) pthread_join(th[i], NULL);
  cr_assert_eq(fail[0], 0, "%s", fail);
  for (int i = 0; i < 8; i++) {
    cr_assert_eq(rs[i].errors, 0, "reader %d: %ld errors", i, rs[i].errors);
    cr_assert_eq(rs[i].bad, 0, "reader %d: %ld of %ld reads wrong", i,
                 rs[i].bad, rs[i].reads);
    cr_assert_gt(rs[i].reads, 0);
  }
  /* And on the tracer thread's cached path too. */
  uint8_t b[16];
  SSE_OKAY(sse_read_memory(p, a - 4, b, sizeof b, NULL));
  cr_assert_arr_eq(b, want, 16);
}

/* ---------------------------------------------------------- faults */

typedef struct fault_req {
  sse_process *p;
  uint64_t addr;
  size_t len;
  sse_err err;
  size_t done;
  uint8_t buf[64];
} fault_req;

static void do_fault_read(void *arg) {
  fault_req *r = arg;
  r->done = 12345;
  r->err = sse_read_memory(r->p, r->addr, r->buf, r->len, &r->done);
}
static void *fault_thread(void *arg) {
  do_fault_read(arg);
  return NULL;
}

/* The end of a mapping that no other mapping follows. */
static uint64_t mapping_end(sse_process *p) {
  char path[64], line[512];
  snprintf(path, sizeof path, "/proc/%d/maps", (int)sse_process_pid(p));
  FILE *f = fopen(path, "r");
  cr_assert(f);
  unsigned long prev_hi = 0, lo, hi, found = 0;
  char perms[8];
  while (fgets(line, sizeof line, f)) {
    if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3) continue;
    if (prev_hi && lo > prev_hi && !found) found = prev_hi;
    prev_hi = perms[0] == 'r' ? hi : 0;
  }
  fclose(f);
  cr_assert(found);
  return found;
}

Test(memory, unmapped_address_is_a_fault_with_done, .timeout = 30) {
  sse_process *p = spawn_target(eng, "loops_calls", NULL, NULL, -1);
  uint64_t end = mapping_end(p);
  struct {
    uint64_t addr;
    size_t len, done;
  } cases[] = {{0, 8, 0}, {end - 16, 48, 16}, {end, 1, 0}, {end - 8, 8, 8}};
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    sse_err want = cases[c].done == cases[c].len ? SSE_OK : SSE_E_FAULT;
    /* This thread (fast path, then the delegate), another thread, and the
     * tracer thread itself. */
    fault_req r = {.p = p, .addr = cases[c].addr, .len = cases[c].len};
    do_fault_read(&r);
    cr_assert_eq(r.err, want, "case %zu: %s", c, sse_err_name(r.err));
    cr_assert_eq(r.done, cases[c].done, "case %zu: done %zu", c, r.done);
    fault_req r2 = r;
    pthread_t th;
    pthread_create(&th, NULL, fault_thread, &r2);
    pthread_join(th, NULL);
    cr_assert_eq(r2.err, want);
    cr_assert_eq(r2.done, cases[c].done);
    fault_req r3 = r;
    SSE_OKAY(sse_call(eng, do_fault_read, &r3));
    cr_assert_eq(r3.err, want);
    cr_assert_eq(r3.done, cases[c].done);
    if (want == SSE_OK || cases[c].done) {
      cr_assert_arr_eq(r.buf, r2.buf, cases[c].done);
      cr_assert_arr_eq(r.buf, r3.buf, cases[c].done);
    }
  }
}

/* ------------------------------------------------ reads while running */

typedef struct blocked_read {
  sse_process *p;
  uint64_t addr;
  uint8_t buf[32];
  sse_err err;
  atomic_bool returned;
} blocked_read;

static void *blocked_reader(void *arg) {
  blocked_read *b = arg;
  b->err = sse_read_memory(b->p, b->addr, b->buf, sizeof b->buf, NULL);
  atomic_store(&b->returned, true);
  return NULL;
}

static void *interrupter(void *arg) {
  sse_interrupt(arg);
  return NULL;
}

Test(memory, read_while_running_waits_for_the_stop, .timeout = 60) {
  sse_process *p = spawn_target(eng, "long_loop", "100000000000", NULL, -1);
  int id;
  SSE_OKAY(sse_break_function(p, "spin", false, &id));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  SSE_OKAY(sse_break_remove(p, id));
  /* A few loop iterations, so the locals (acc, i) are live. */
  for (int k = 0; k < 50; k++) SSE_OKAY(sse_step_instruction(s.thread, &s));
  sse_regs r;
  SSE_OKAY(sse_get_regs(s.thread, &r));
  static blocked_read b;
  memset(&b, 0, sizeof b);
  b.p = p;
  b.addr = r.rbp - 32; /* spin's locals */
  uint8_t before[32];
  SSE_OKAY(sse_read_memory(p, b.addr, before, sizeof before, NULL));

  SSE_OKAY(sse_continue_async(p));
  pthread_t rd, in;
  pthread_create(&rd, NULL, blocked_reader, &b);
  /* Until the reader waits for the stop (the engine counts it). */
  for (long spin = 0;; spin++) {
    pthread_mutex_lock(&eng->lock);
    int w = eng->op_waiters;
    pthread_mutex_unlock(&eng->lock);
    if (w > 0 || atomic_load(&b.returned)) break;
    cr_assert_lt(spin, 100000000, "the reader never blocked");
    sched_yield();
  }
  cr_assert(!atomic_load(&b.returned), "a read returned while running");
  pthread_create(&in, NULL, interrupter, p);
  pthread_join(in, NULL);
  pthread_join(rd, NULL);
  cr_assert_eq(b.err, SSE_OK, "%s", sse_err_name(b.err));
  SSE_OKAY(sse_wait(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_INTERRUPTED);
  uint8_t after[32];
  SSE_OKAY(sse_read_memory(p, b.addr, after, sizeof after, NULL));
  cr_assert_arr_eq(b.buf, after, 32, "the read did not return the stop's bytes");
  cr_assert(memcmp(before, after, 32) != 0, "the loop did not run");
}

/* ------------------------------------------------ writes and the cache */

typedef struct cache_req {
  sse_process *p;
  uint64_t addr;
  int32_t v[3];
  uint8_t page[4096];
  sse_err err;
} cache_req;

/* On the tracer thread: fill the page cache (repeated reads of the page),
 * then read the counter through it. */
static void tracer_reads(void *arg) {
  cache_req *c = arg;
  uint64_t base = c->addr & ~4095ull;
  for (int i = 0; i < 3; i++)
    c->err |= sse_read_memory(c->p, base, c->page, sizeof c->page, NULL);
  c->err |= sse_read_memory(c->p, c->addr, &c->v[0], 4, NULL);
}

static void tracer_write_read(void *arg) {
  cache_req *c = arg;
  c->err |= sse_write_memory(c->p, c->addr, &c->v[1], 4, NULL);
  c->err |= sse_read_memory(c->p, c->addr, &c->v[2], 4, NULL);
}

Test(memory, page_cache_invalidated_by_writes, .timeout = 30) {
  sse_process *p = spawn_target(eng, "bp_loop", "5", NULL, -1);
  static cache_req c;
  memset(&c, 0, sizeof c);
  c.p = p;
  c.addr = data_addr(p, "bp_loop", "g_sink");
  SSE_OKAY(sse_call(eng, tracer_reads, &c));
  SSE_OKAY(c.err);
  cr_assert_eq(c.v[0], 0);
  /* A write from this thread, then reads on the tracer (cached path) and
   * here (fast path). */
  int32_t v = 0x11223344, got = 0;
  SSE_OKAY(sse_write_memory(p, c.addr, &v, 4, NULL));
  SSE_OKAY(sse_call(eng, tracer_reads, &c));
  SSE_OKAY(c.err);
  cr_assert_eq(c.v[0], v);
  SSE_OKAY(sse_read_memory(p, c.addr, &got, 4, NULL));
  cr_assert_eq(got, v);
  /* A write on the tracer thread, read back there and here. */
  c.v[1] = 0x55667788;
  SSE_OKAY(sse_call(eng, tracer_write_read, &c));
  SSE_OKAY(c.err);
  cr_assert_eq(c.v[2], c.v[1]);
  SSE_OKAY(sse_read_memory(p, c.addr, &got, 4, NULL));
  cr_assert_eq(got, c.v[1]);
  /* A write over a breakpoint: the read shows the written byte, and the
   * breakpoint still stops (it keeps the new byte as its original). */
  uint64_t a = func_post(p, "hit_me");
  int id;
  SSE_OKAY(sse_break_address(p, a, &id));
  uint8_t code[4], back[4];
  SSE_OKAY(sse_read_memory(p, a, code, 4, NULL));
  SSE_OKAY(sse_write_memory(p, a, code, 4, NULL)); /* same bytes */
  SSE_OKAY(sse_read_memory(p, a, back, 4, NULL));
  cr_assert_arr_eq(code, back, 4);
  cr_assert_neq(back[0], 0xcc);
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  cr_assert_eq(s.pc, a);
  /* The program itself adds to g_sink: the value written is what it
   * started from (hit_me(0) added 0 so far). */
  SSE_OKAY(sse_read_memory(p, c.addr, &got, 4, NULL));
  cr_assert_eq(got, c.v[1]);
}

/* --------------------------------------------- exit, detach and kill */

Test(memory, reads_after_exit_and_kill, .timeout = 30) {
  sse_process *p = spawn_target(eng, "exit_code", "3", NULL, -1);
  uint64_t a = func_post(p, "main");
  uint8_t b[8];
  SSE_OKAY(sse_read_memory(p, a, b, sizeof b, NULL));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED);
  size_t done = 7;
  cr_assert_eq(sse_read_memory(p, a, b, sizeof b, &done), SSE_E_EXITED);
  cr_assert_eq(done, 0);
  sse_process *q = spawn_target(eng, "loops_calls", NULL, NULL, -1);
  uint64_t qa = func_post(q, "main");
  SSE_OKAY(sse_read_memory(q, qa, b, sizeof b, NULL));
  SSE_OKAY(sse_kill(q));
  cr_assert_eq(sse_read_memory(q, qa, b, sizeof b, NULL), SSE_E_EXITED);
}
