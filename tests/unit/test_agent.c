/* In-process tests of libsseagent and the blob parser: the test registers
 * symbols, copies the blobs straight out of sse_agent_descriptor (same
 * process, as the debugger would through process_vm_readv), parses them and
 * checks names, pcs and lines; then feeds the parser malformed blobs.
 * Criterion runs each test in its own process, so each starts with an empty
 * agent. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jitblob.h"
#include "sse_agent.h"

#define D sse_agent_descriptor

typedef struct snap {
  uint8_t *b[3];
  size_t len[3];
  uint64_t gen[3];
  uint64_t generation;
} snap;

/* Copies the blobs as the debugger does at a checkpoint (here: no writer is
 * running, so the descriptor is consistent). */
static void take_snap(snap *s) {
  cr_assert_eq(D.magic, SSE_AGENT_MAGIC);
  cr_assert_eq(D.version, SSE_AGENT_VERSION);
  cr_assert_eq(D.updating, 0);
  s->generation = D.generation;
  for (int i = 0; i < 3; i++) {
    s->len[i] = i < (int)D.nblobs ? D.blobs[i].size : 0;
    s->gen[i] = D.blobs[i].generation;
    s->b[i] = malloc(s->len[i] ? s->len[i] : 1);
    cr_assert(s->b[i]);
    if (s->len[i])
      memcpy(s->b[i], (const void *)(uintptr_t)D.blobs[i].addr, s->len[i]);
  }
}

static void free_snap(snap *s) {
  for (int i = 0; i < 3; i++)
    free(s->b[i]);
}

static int parse_snap(const snap *s, sse__jitsym **syms, size_t *n) {
  return sse__jitblob_parse(s->b[0], s->len[0], s->b[1], s->len[1], s->b[2], s->len[2], syms, n);
}

/* Three symbols: A [0x10000,+0x100) with 3 rows, B [0x20000,+0x40), C
 * [0x30000,+0x10) with one row and no file. */
static uint64_t hd[3];
static void register_three(void) {
  sse_agent_line la[] = {
      {0x10080, 30, "b.jit"}, /* out of order on purpose: the agent sorts */
      {0x10000, 10, "a.jit"},
      {0x10040, 20, "a.jit"},
  };
  sse_agent_line lc[] = {{0x30004, 7, NULL}};
  cr_assert_eq(sse_agent_register(0x10000, 0x100, "sym_a", la, 3, &hd[0]), 0);
  cr_assert_eq(sse_agent_register(0x20000, 0x40, "sym_b", NULL, 0, &hd[1]), 0);
  cr_assert_eq(sse_agent_register(0x30000, 0x10, "sym_c", lc, 1, &hd[2]), 0);
}

Test(agent, register_parse_lookup, .timeout = 20) {
  cr_assert_eq(D.generation, 0);
  register_three();
  cr_assert_eq(D.generation, 3);
  cr_assert_eq(sse_agent_generation(), 3);
  cr_assert(hd[0] && hd[1] && hd[2] && hd[0] != hd[1] && hd[1] != hd[2]);
  cr_assert_eq(D.nblobs, 3);
  cr_assert_eq(D.checkpoint_addr, (uint64_t)(uintptr_t)&sse_agent_checkpoint);

  snap s;
  take_snap(&s);
  sse__jitsym *syms;
  size_t n;
  cr_assert_eq(parse_snap(&s, &syms, &n), 0);
  free_snap(&s); /* the table must not point into the copies */
  cr_assert_eq(n, 3);
  cr_assert_str_eq(syms[0].name, "sym_a");
  cr_assert_str_eq(syms[1].name, "sym_b");
  cr_assert_str_eq(syms[2].name, "sym_c");

  const sse__jitsym *x = sse__jitblob_lookup(syms, n, 0x10000);
  cr_assert(x && strcmp(x->name, "sym_a") == 0);
  cr_assert_eq(x->id, hd[0]);
  cr_assert_eq(sse__jitblob_lookup(syms, n, 0x100ff), x);
  cr_assert_null(sse__jitblob_lookup(syms, n, 0x10100));
  cr_assert_null(sse__jitblob_lookup(syms, n, 0xffff));
  cr_assert_null(sse__jitblob_lookup(syms, n, 0x20040));
  x = sse__jitblob_lookup(syms, n, 0x2003f);
  cr_assert(x && strcmp(x->name, "sym_b") == 0);
  cr_assert_eq(sse__jitblob_find(syms, n, "sym_c"), &syms[2]);
  cr_assert_null(sse__jitblob_find(syms, n, "sym_"));

  uint32_t line;
  const char *file;
  cr_assert_eq(sse__jitblob_line(&syms[0], 0x10000, &line, &file), 0);
  cr_assert_eq(line, 10);
  cr_assert_str_eq(file, "a.jit");
  cr_assert_eq(sse__jitblob_line(&syms[0], 0x1007f, &line, &file), 0);
  cr_assert_eq(line, 20);
  cr_assert_str_eq(file, "a.jit");
  cr_assert_eq(sse__jitblob_line(&syms[0], 0x100ff, &line, &file), 0);
  cr_assert_eq(line, 30);
  cr_assert_str_eq(file, "b.jit");
  cr_assert_eq(sse__jitblob_line(&syms[0], 0x10100, &line, &file), -ENOENT);
  cr_assert_eq(sse__jitblob_line(&syms[1], 0x20000, &line, &file), -ENOENT);
  cr_assert_eq(sse__jitblob_line(&syms[2], 0x30003, &line, &file), -ENOENT);
  cr_assert_eq(sse__jitblob_line(&syms[2], 0x30004, &line, &file), 0);
  cr_assert_eq(line, 7);
  cr_assert_null(file);
  sse__jitblob_free(syms);
}

Test(agent, unregister_bumps_generation, .timeout = 20) {
  register_three();
  snap s0;
  take_snap(&s0);
  cr_assert_eq(sse_agent_unregister(hd[0]), 0);
  cr_assert_eq(D.generation, 4);
  cr_assert_eq(sse_agent_unregister(hd[0]), -ENOENT);
  cr_assert_eq(sse_agent_unregister(0), -ENOENT);
  cr_assert_eq(sse_agent_unregister(12345), -ENOENT);
  cr_assert_eq(D.generation, 4);

  snap s;
  take_snap(&s);
  /* Only the records blob changed: the debugger may keep its old copies of
   * the others and still parse a consistent table. */
  cr_assert_eq(s.gen[0], 4);
  cr_assert_eq(s.gen[1], 3);
  cr_assert_eq(s.gen[2], 3);
  sse__jitsym *syms;
  size_t n;
  cr_assert_eq(sse__jitblob_parse(s.b[0], s.len[0], s0.b[1], s0.len[1], s0.b[2], s0.len[2], &syms,
                                  &n),
               0);
  cr_assert_eq(n, 2);
  cr_assert_null(sse__jitblob_find(syms, n, "sym_a"));
  cr_assert_null(sse__jitblob_lookup(syms, n, 0x10010));
  const sse__jitsym *c = sse__jitblob_lookup(syms, n, 0x30005);
  cr_assert(c && strcmp(c->name, "sym_c") == 0);
  uint32_t line;
  cr_assert_eq(sse__jitblob_line(c, 0x30005, &line, NULL), 0);
  cr_assert_eq(line, 7);
  sse__jitblob_free(syms);
  free_snap(&s);
  free_snap(&s0);
}

Test(agent, bad_arguments, .timeout = 20) {
  uint64_t hh;
  sse_agent_line out[] = {{0x5000, 1, "f"}};
  cr_assert_eq(sse_agent_register(0x1000, 0x10, "x", NULL, 0, NULL), -EINVAL);
  cr_assert_eq(sse_agent_register(0x1000, 0x10, NULL, NULL, 0, &hh), -EINVAL);
  cr_assert_eq(sse_agent_register(0x1000, 0, "x", NULL, 0, &hh), -EINVAL);
  cr_assert_eq(sse_agent_register(UINT64_MAX - 4, 0x10, "x", NULL, 0, &hh), -EINVAL);
  cr_assert_eq(sse_agent_register(0x1000, 0x10, "x", NULL, 1, &hh), -EINVAL);
  cr_assert_eq(sse_agent_register(0x1000, 0x10, "x", out, 1, &hh), -EINVAL);
  cr_assert_eq(D.generation, 0);
  cr_assert_eq(sse_agent_register(UINT64_MAX - 0x10, 0x10, "top", NULL, 0, &hh), 0);
}

static int thread_name(pid_t tid, char *buf, size_t len) {
  char path[64];
  snprintf(path, sizeof path, "/proc/self/task/%d/comm", (int)tid);
  FILE *f = fopen(path, "r");
  if (!f)
    return -1;
  if (!fgets(buf, (int)len, f))
    buf[0] = 0;
  fclose(f);
  buf[strcspn(buf, "\n")] = 0;
  return 0;
}

Test(agent, helper_thread_named, .timeout = 20) {
  cr_assert_eq(__atomic_load_n(&D.helper_tid, __ATOMIC_RELAXED), 0); /* lazy */
  uint64_t hh;
  cr_assert_eq(sse_agent_register(0x1000, 0x10, "x", NULL, 0, &hh), 0);
  pid_t tid;
  while ((tid = __atomic_load_n(&D.helper_tid, __ATOMIC_RELAXED)) == 0)
    sched_yield(); /* the helper publishes its tid as it starts */
  char name[32];
  cr_assert_eq(thread_name(tid, name, sizeof name), 0);
  cr_assert_str_eq(name, "sse-jit-helper");
}

/* Not traced: a debugger_pid written by a "debugger" must not make register
 * block (SYNC) or the helper spin forever: it reads TracerPid, finds 0, and
 * sleeps. */
Test(agent, untraced_ignores_debugger_fields, .timeout = 20) {
  uint64_t hh;
  cr_assert_eq(sse_agent_register(0x1000, 0x10, "x", NULL, 0, &hh), 0);
  __atomic_store_n(&D.debugger_pid, 1, __ATOMIC_RELAXED);
  __atomic_store_n(&D.debugger_flags, SSE_AGENT_DEBUGGER_SYNC, __ATOMIC_RELAXED);
  for (int i = 0; i < 50; i++) {
    cr_assert_eq(sse_agent_register(0x2000 + (uint64_t)i * 16, 0x10, "y", NULL, 0, &hh), 0);
    cr_assert_eq(sse_agent_unregister(hh), 0);
  }
  cr_assert_eq(sse_agent_generation(), 101);
}

/* Many register/unregister pairs: the strings and lines blobs are compacted
 * and stay small, and the survivors keep their names and lines. */
Test(agent, compaction_keeps_table, .timeout = 20) {
  uint64_t keep[4];
  char name[64];
  for (int i = 0; i < 4; i++) {
    sse_agent_line ln[] = {{0x100000 * (uint64_t)(i + 1), (uint32_t)i, "keep.jit"},
                           {0x100000 * (uint64_t)(i + 1) + 8, (uint32_t)i + 100, "keep2.jit"}};
    snprintf(name, sizeof name, "keep_%d", i);
    cr_assert_eq(sse_agent_register(0x100000 * (uint64_t)(i + 1), 0x20, name, ln, 2, &keep[i]), 0);
  }
  for (int k = 0; k < 5000; k++) {
    uint64_t hh;
    sse_agent_line ln[] = {{0x9000000, 1, "some/long/path/to/a/generated/file.jit"},
                           {0x9000004, 2, "another/long/path/to/a/generated/file.jit"},
                           {0x9000008, 3, "some/long/path/to/a/generated/file.jit"}};
    snprintf(name, sizeof name, "tmp_symbol_with_a_longish_name_%d", k);
    cr_assert_eq(sse_agent_register(0x9000000, 0x10, name, ln, 3, &hh), 0);
    cr_assert_eq(sse_agent_unregister(hh), 0);
  }
  cr_assert_lt(D.blobs[1].size, 16384);
  cr_assert_lt(D.blobs[2].size, 16384);
  snap s;
  take_snap(&s);
  sse__jitsym *syms;
  size_t n;
  cr_assert_eq(parse_snap(&s, &syms, &n), 0);
  cr_assert_eq(n, 4);
  for (int i = 0; i < 4; i++) {
    snprintf(name, sizeof name, "keep_%d", i);
    const sse__jitsym *x = sse__jitblob_find(syms, n, name);
    cr_assert(x);
    cr_assert_eq(x->id, keep[i]);
    uint32_t line;
    const char *file;
    cr_assert_eq(sse__jitblob_line(x, x->start + 9, &line, &file), 0);
    cr_assert_eq(line, (uint32_t)i + 100);
    cr_assert_str_eq(file, "keep2.jit");
    cr_assert_eq(sse__jitblob_line(x, x->start, &line, &file), 0);
    cr_assert_str_eq(file, "keep.jit");
  }
  sse__jitblob_free(syms);
  free_snap(&s);
}

#define NT 4
#define NK 500
static void *reg_worker(void *arg) {
  int t = (int)(intptr_t)arg;
  uint64_t prev = 0;
  char name[64];
  for (int k = 0; k < NK; k++) {
    uint64_t hh;
    uint64_t start = 0x1000000 * (uint64_t)(t + 1) + (uint64_t)(k % 2) * 0x1000;
    sse_agent_line ln[] = {{start, (uint32_t)k, "w.jit"}};
    snprintf(name, sizeof name, "jit_sym_%d_%d", t, k);
    if (sse_agent_register(start, 0x100, name, ln, 1, &hh) != 0)
      return (void *)1;
    if (prev && sse_agent_unregister(prev) != 0)
      return (void *)1;
    prev = hh;
  }
  return NULL;
}

Test(agent, concurrent_writers, .timeout = 20) {
  pthread_t th[NT];
  for (int t = 0; t < NT; t++)
    cr_assert_eq(pthread_create(&th[t], NULL, reg_worker, (void *)(intptr_t)t), 0);
  for (int t = 0; t < NT; t++) {
    void *r;
    pthread_join(th[t], &r);
    cr_assert_null(r);
  }
  cr_assert_eq(sse_agent_generation(), (uint64_t)NT * (2 * NK - 1));
  snap s;
  take_snap(&s);
  sse__jitsym *syms;
  size_t n;
  cr_assert_eq(parse_snap(&s, &syms, &n), 0);
  cr_assert_eq(n, NT);
  char name[64];
  for (int t = 0; t < NT; t++) {
    snprintf(name, sizeof name, "jit_sym_%d_%d", t, NK - 1);
    const sse__jitsym *x = sse__jitblob_find(syms, n, name);
    cr_assert(x, "%s missing", name);
    uint32_t line;
    cr_assert_eq(sse__jitblob_line(x, x->start, &line, NULL), 0);
    cr_assert_eq(line, NK - 1);
  }
  sse__jitblob_free(syms);
  free_snap(&s);
}

/* ---- the parser on hand-made and damaged blobs ---- */

typedef struct buf {
  uint8_t d[4096];
  size_t len;
} buf;

static void put(buf *b, const void *p, size_t n) {
  memcpy(b->d + b->len, p, n);
  b->len += n;
}
static void hdr(buf *b, uint32_t magic, uint16_t entsize, uint32_t count) {
  struct sse_agent_blob_header h = {magic, SSE_AGENT_VERSION, entsize, 0, count};
  b->len = 0;
  put(b, &h, sizeof h);
}
static void fin(buf *b) {
  uint32_t l = (uint32_t)b->len;
  memcpy(b->d + 8, &l, 4);
}

/* A valid set: two records, strings "f1" at 16, "name" at 19, "x" at 24;
 * rec 0 = name @ [0x1000,+0x10) rows 0..1, rec 1 = x @ [0x2000,+0x10). */
static buf R, S, L;
static void build_valid(void) {
  hdr(&S, SSE_AGENT_STR_MAGIC, 1, 3);
  put(&S, "f1\0name\0x", 10);
  fin(&S);
  hdr(&L, SSE_AGENT_LINE_MAGIC, 16, 2);
  struct sse_agent_line_row r0 = {0x1000, 1, 16}, r1 = {0x1008, 2, 0};
  put(&L, &r0, sizeof r0);
  put(&L, &r1, sizeof r1);
  fin(&L);
  hdr(&R, SSE_AGENT_REC_MAGIC, 40, 2);
  struct sse_agent_record a = {0x1000, 0x10, 1, 19, 0, 2, 0};
  struct sse_agent_record b = {0x2000, 0x10, 2, 24, 0, 0, 0};
  put(&R, &a, sizeof a);
  put(&R, &b, sizeof b);
  fin(&R);
}
static int parse_bufs(size_t rl, size_t sl, size_t ll) {
  sse__jitsym *syms = (sse__jitsym *)1;
  size_t n = 77;
  /* exact-size heap copies, so ASan sees any overread */
  uint8_t *r = malloc(rl + 1), *s = malloc(sl + 1), *l = malloc(ll + 1);
  memcpy(r, R.d, rl);
  memcpy(s, S.d, sl);
  memcpy(l, L.d, ll);
  int err = sse__jitblob_parse(r, rl, s, sl, l, ll, &syms, &n);
  free(r), free(s), free(l);
  if (err) {
    cr_assert_null(syms);
    cr_assert_eq(n, 0);
  }
  sse__jitblob_free(syms);
  return err;
}
static int parse_all(void) { return parse_bufs(R.len, S.len, L.len); }

static void set32(buf *b, size_t off, uint32_t v) { memcpy(b->d + off, &v, 4); }
static void set64(buf *b, size_t off, uint64_t v) { memcpy(b->d + off, &v, 8); }
#define REC(i, field) (16 + (i) * 40 + offsetof(struct sse_agent_record, field))
#define ROW(i, field) (16 + (i) * 16 + offsetof(struct sse_agent_line_row, field))

Test(jitblob, valid_handmade, .timeout = 20) {
  build_valid();
  cr_assert_eq(parse_all(), 0);
  sse__jitsym *syms;
  size_t n;
  cr_assert_eq(sse__jitblob_parse(NULL, 0, NULL, 0, NULL, 0, &syms, &n), 0);
  cr_assert_eq(n, 0);
  cr_assert_eq(sse__jitblob_parse(R.d, R.len, S.d, S.len, L.d, L.len, NULL, &n), -EINVAL);
  cr_assert_eq(sse__jitblob_parse(NULL, 5, S.d, S.len, L.d, L.len, &syms, &n), -EINVAL);
}

Test(jitblob, truncated, .timeout = 20) {
  build_valid();
  for (size_t l = 1; l < R.len; l++)
    cr_assert_eq(parse_bufs(l, S.len, L.len), -EBADMSG, "records cut at %zu", l);
  for (size_t l = 0; l < S.len; l++)
    cr_assert_eq(parse_bufs(R.len, l, L.len), -EBADMSG, "strings cut at %zu", l);
  for (size_t l = 0; l < L.len; l++)
    cr_assert_eq(parse_bufs(R.len, S.len, l), -EBADMSG, "lines cut at %zu", l);
}

Test(jitblob, bad_headers, .timeout = 20) {
  build_valid();
  set32(&R, 0, SSE_AGENT_STR_MAGIC);
  cr_assert_eq(parse_all(), -EBADMSG);
  build_valid();
  set32(&R, 4, 2 | 40u << 16); /* version 2 */
  cr_assert_eq(parse_all(), -ENOTSUP);
  build_valid();
  set32(&L, 4, 1 | 24u << 16); /* entsize 24 */
  cr_assert_eq(parse_all(), -EBADMSG);
  build_valid();
  set32(&R, 8, (uint32_t)R.len + 40); /* length past the buffer */
  cr_assert_eq(parse_all(), -EBADMSG);
  build_valid();
  set32(&R, 8, 8); /* length shorter than the header */
  cr_assert_eq(parse_all(), -EBADMSG);
  build_valid();
  set32(&R, 12, UINT32_MAX); /* huge count */
  cr_assert_eq(parse_all(), -EBADMSG);
  build_valid();
  set32(&R, 12, 3); /* count past length */
  cr_assert_eq(parse_all(), -EBADMSG);
  build_valid();
  set32(&L, 12, 0x10000001); /* huge row count: count * 16 wraps 32 bits */
  cr_assert_eq(parse_all(), -EBADMSG);
}

Test(jitblob, bad_offsets_and_strings, .timeout = 20) {
  build_valid();
  set32(&R, REC(0, name), (uint32_t)S.len); /* past the end */
  cr_assert_eq(parse_all(), -EBADMSG);
  build_valid();
  set32(&R, REC(0, name), UINT32_MAX);
  cr_assert_eq(parse_all(), -EBADMSG);
  build_valid();
  set32(&R, REC(0, name), 4); /* inside the header */
  cr_assert_eq(parse_all(), -EBADMSG);
  build_valid();
  S.len--; /* drop the last NUL: "x" is unterminated */
  fin(&S);
  cr_assert_eq(parse_all(), -EBADMSG);
  build_valid();
  cr_assert_eq(parse_bufs(R.len, 0, L.len), -EBADMSG); /* no strings blob at all */
  build_valid();
  set32(&L, ROW(0, file), (uint32_t)S.len + 100);
  cr_assert_eq(parse_all(), -EBADMSG);
  build_valid();
  set32(&L, ROW(1, file), 2);
  cr_assert_eq(parse_all(), -EBADMSG);
}

Test(jitblob, bad_regions_and_lines, .timeout = 20) {
  build_valid();
  set64(&R, REC(0, size), 0);
  cr_assert_eq(parse_all(), -EBADMSG);
  build_valid();
  set64(&R, REC(0, start), UINT64_MAX - 4); /* wraps */
  cr_assert_eq(parse_all(), -EBADMSG);
  build_valid();
  set32(&R, REC(0, line_first), 1); /* rows 1..2 of 2 */
  cr_assert_eq(parse_all(), -EBADMSG);
  build_valid();
  set32(&R, REC(0, line_first), UINT32_MAX);
  cr_assert_eq(parse_all(), -EBADMSG);
  build_valid();
  set32(&R, REC(0, line_count), UINT32_MAX); /* huge count */
  cr_assert_eq(parse_all(), -EBADMSG);
  build_valid();
  set64(&L, ROW(1, addr), 0x1010); /* row outside its region */
  cr_assert_eq(parse_all(), -EBADMSG);
  build_valid();
  set64(&L, ROW(0, addr), 0x100c); /* rows out of order */
  cr_assert_eq(parse_all(), -EBADMSG);
  build_valid();
  /* both records claim the same rows: more rows claimed than exist */
  set64(&R, REC(1, start), 0x1000);
  set32(&R, REC(1, line_count), 2);
  cr_assert_eq(parse_all(), -EBADMSG);
  build_valid();
  cr_assert_eq(parse_bufs(R.len, S.len, 0), -EBADMSG); /* rows needed, no lines blob */
}

Test(jitblob, overlapping_regions, .timeout = 20) {
  build_valid();
  /* rec 1 = [0x1004, +0x100): overlaps rec 0 [0x1000, +0x10) */
  set64(&R, REC(1, start), 0x1004);
  set64(&R, REC(1, size), 0x100);
  sse__jitsym *syms;
  size_t n;
  cr_assert_eq(sse__jitblob_parse(R.d, R.len, S.d, S.len, L.d, L.len, &syms, &n), 0);
  cr_assert_str_eq(sse__jitblob_lookup(syms, n, 0x1002)->name, "name");
  cr_assert_str_eq(sse__jitblob_lookup(syms, n, 0x1008)->name, "x");
  cr_assert_str_eq(sse__jitblob_lookup(syms, n, 0x1100)->name, "x");
  cr_assert_null(sse__jitblob_lookup(syms, n, 0x1104));
  cr_assert_null(sse__jitblob_lookup(syms, n, 0xfff));
  sse__jitblob_free(syms);
}
