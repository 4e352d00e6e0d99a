/* libsseagent: the target-side half of the JIT symbol protocol.
 *
 * State: one mutex (mu) guards the descriptor, the three blobs and the
 * helper's bookkeeping. Writers (register/unregister) prepare everything they
 * can without the mutex, then lock, append to the blobs, bump the
 * generation, signal `changed` and unlock. The helper thread sleeps on
 * `changed`; see sse_agent.h for the debugger's side of the protocol. */
#define _GNU_SOURCE
#include "sse_agent.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HDR_SIZE ((uint32_t)sizeof(struct sse_agent_blob_header))
#define REC_SIZE ((uint32_t)sizeof(struct sse_agent_record))
#define ROW_SIZE ((uint32_t)sizeof(struct sse_agent_line_row))

/* The debugger reads these layouts from another process: pin them. */
_Static_assert(sizeof(struct sse_agent_blob_header) == 16, "blob header");
_Static_assert(sizeof(struct sse_agent_record) == 40, "record");
_Static_assert(sizeof(struct sse_agent_line_row) == 16, "line row");
_Static_assert(offsetof(struct sse_agent_descriptor, generation) == 8, "desc");
_Static_assert(offsetof(struct sse_agent_descriptor, debugger_generation) == 16, "desc");
_Static_assert(offsetof(struct sse_agent_descriptor, nblobs) == 24, "desc");
_Static_assert(offsetof(struct sse_agent_descriptor, updating) == 28, "desc");
_Static_assert(offsetof(struct sse_agent_descriptor, blobs) == 32, "desc");
_Static_assert(offsetof(struct sse_agent_descriptor, helper_tid) == 128, "desc");
_Static_assert(offsetof(struct sse_agent_descriptor, debugger_pid) == 132, "desc");
_Static_assert(offsetof(struct sse_agent_descriptor, debugger_flags) == 136, "desc");
_Static_assert(offsetof(struct sse_agent_descriptor, checkpoint_addr) == 144, "desc");
_Static_assert(sizeof(struct sse_agent_descriptor) == 184, "desc");

SSE_AGENT_API __attribute__((used)) struct sse_agent_descriptor sse_agent_descriptor = {
    .magic = SSE_AGENT_MAGIC,
    .version = SSE_AGENT_VERSION,
};
#define D sse_agent_descriptor

/* The no-op the debugger breaks on. The empty asm with a memory clobber is
 * a side effect the optimizer cannot see through, so no call to it is ever
 * dropped; noinline/noipa (gcc) keep every call going to this one address. */
#if defined(__clang__)
__attribute__((noinline, used))
#else
__attribute__((noinline, used, noipa))
#endif
SSE_AGENT_API void sse_agent_checkpoint(void) {
  __asm__ volatile("" ::: "memory");
}

typedef struct blob {
  uint8_t *buf;
  uint32_t len, cap, count;
} blob;

typedef struct recinfo {
  uint32_t str_bytes; /* bytes this record appended to the strings blob */
} recinfo;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER; /* writers -> helper */
static pthread_cond_t acked = PTHREAD_COND_INITIALIZER;   /* helper -> sync writers */
static blob B[3];         /* records, strings, lines */
static recinfo *R;        /* parallel to the records, R_cap entries */
static uint32_t R_cap;
static uint64_t next_id;
static uint64_t garbage_str, garbage_rows;
static bool helper_running;
static unsigned acked_waiters;
static uint64_t nofollow_gen; /* the helper decided "no debugger to wait for" at this generation */
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static const uint32_t blob_magic[3] = {SSE_AGENT_REC_MAGIC, SSE_AGENT_STR_MAGIC,
                                       SSE_AGENT_LINE_MAGIC};
static const uint16_t blob_entsize[3] = {40, 1, 16};

__attribute__((constructor)) static void agent_init_fields(void) {
  D.checkpoint_addr = (uint64_t)(uintptr_t)&sse_agent_checkpoint;
}

/* Ordering of stores relative to `updating`, as seen by a debugger that
 * stops this thread at an arbitrary instruction: only program order on this
 * thread matters (the stop drains the store buffer), so a compiler barrier
 * (signal fence) is the exact tool. */
static void set_updating(uint32_t v) {
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  __atomic_store_n(&D.updating, v, __ATOMIC_RELAXED);
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
}

/* Makes room for `extra` more bytes. Returns 0 or -ENOMEM; never changes
 * the blob's content. */
static int blob_reserve(blob *b, uint64_t extra) {
  uint64_t need = (b->len ? b->len : HDR_SIZE) + extra;
  if (need > UINT32_MAX)
    return -ENOMEM;
  if (need <= b->cap)
    return 0;
  uint64_t cap = b->cap ? b->cap : 256;
  while (cap < need)
    cap *= 2;
  if (cap > UINT32_MAX)
    cap = UINT32_MAX;
  uint8_t *p = realloc(b->buf, cap);
  if (!p)
    return -ENOMEM;
  b->buf = p;
  b->cap = (uint32_t)cap;
  if (b->len == 0) {
    b->len = HDR_SIZE;
    b->count = 0;
  }
  return 0;
}

/* Writes blob i's header and its descriptor entry. */
static void blob_publish(int i, uint64_t gen) {
  blob *b = &B[i];
  struct sse_agent_blob_header h = {
      .magic = blob_magic[i],
      .version = SSE_AGENT_VERSION,
      .entsize = blob_entsize[i],
      .length = b->len,
      .count = b->count,
  };
  memcpy(b->buf, &h, sizeof h);
  D.blobs[i].addr = (uint64_t)(uintptr_t)b->buf;
  D.blobs[i].size = b->len;
  D.blobs[i].generation = gen;
  D.nblobs = 3;
}

static int read_tracerpid(const char *path) {
  char buf[2048];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0)
    return 0;
  buf[n] = 0;
  const char *p = strstr(buf, "\nTracerPid:");
  return p ? atoi(p + 11) : 0;
}

/* Is anybody tracing this process? The leader's TracerPid covers the
 * hand-over window (the helper itself is traced by nobody then); the
 * helper's own covers a debugger that traces only it. */
static bool process_is_traced(void) {
  return read_tracerpid("/proc/self/status") != 0 ||
         read_tracerpid("/proc/thread-self/status") != 0;
}

static void *helper_main(void *arg) {
  (void)arg;
  pthread_setname_np(pthread_self(), "sse-jit-helper");
  uint64_t checked_gen = 0; /* generation for which `traced` was read */
  bool traced = false;
  unsigned rounds = 0; /* consecutive rounds without sleeping */

  pthread_mutex_lock(&mu);
  __atomic_store_n(&D.helper_tid, (int32_t)gettid(), __ATOMIC_RELAXED);
  for (;;) {
    sse_agent_checkpoint(); /* the debugger stops us here, mutex held */
    uint64_t g = D.generation;
    uint64_t dg = __atomic_load_n(&D.debugger_generation, __ATOMIC_RELAXED);
    int32_t dpid = __atomic_load_n(&D.debugger_pid, __ATOMIC_RELAXED);
    if (acked_waiters)
      pthread_cond_broadcast(&acked);
    if (dpid != 0 && dg != g) {
      /* Behind. Only a live tracer can catch up: check TracerPid once per
       * new generation and every 64 rounds (a debugger that died leaves
       * debugger_pid set but TracerPid 0: the kernel detached us). */
      if (checked_gen != g || (rounds & 63) == 63) {
        pthread_mutex_unlock(&mu);
        bool t = process_is_traced();
        pthread_mutex_lock(&mu);
        traced = t;
        checked_gen = g;
        rounds++;
        continue; /* state may have changed meanwhile: checkpoint again */
      }
      if (traced) {
        rounds++;
        pthread_mutex_unlock(&mu);
        if (rounds < 256) {
          sched_yield();
        } else {
          /* The debugger is slow (loading symbols, say): stop burning a
           * whole CPU while it catches up. */
          struct timespec ts = {0, 50 * 1000};
          nanosleep(&ts, NULL);
        }
        pthread_mutex_lock(&mu);
        continue;
      }
    }
    /* Caught up, or nobody to wait for: sleep until the next change. */
    if (dg != g)
      nofollow_gen = g;
    if (acked_waiters)
      pthread_cond_broadcast(&acked);
    rounds = 0;
    while (D.generation == g && helper_running)
      pthread_cond_wait(&changed, &mu);
    if (!helper_running)
      break;
  }
  pthread_mutex_unlock(&mu);
  return NULL;
}

static void atfork_prepare(void) { pthread_mutex_lock(&mu); }
static void atfork_parent(void) { pthread_mutex_unlock(&mu); }
/* The child has no helper thread and no debugger following it; the next
 * register starts a new helper. The blobs were copied with the memory. */
static void atfork_child(void) {
  helper_running = false;
  acked_waiters = 0;
  nofollow_gen = 0;
  pthread_cond_init(&changed, NULL);
  pthread_cond_init(&acked, NULL);
  __atomic_store_n(&D.helper_tid, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&D.debugger_pid, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&D.debugger_flags, 0, __ATOMIC_RELAXED);
  pthread_mutex_unlock(&mu);
}
static void atfork_register(void) {
  pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

/* Starts the helper if it is not running. Called with mu held. */
static int ensure_helper(void) {
  if (helper_running)
    return 0;
  pthread_once(&atfork_once, atfork_register);
  pthread_attr_t attr;
  pthread_t th;
  sigset_t all, old;
  if (pthread_attr_init(&attr) != 0)
    return -EAGAIN;
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  /* The helper must never run the program's signal handlers: create it
   * with every signal blocked (it inherits the mask). */
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int err = pthread_create(&th, &attr, helper_main, NULL);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  pthread_attr_destroy(&attr);
  if (err != 0)
    return -EAGAIN;
  helper_running = true;
  return 0;
}

/* Waits, when the debugger asked for it, until it has copied `gen`. mu held. */
static void wait_for_debugger(uint64_t gen) {
  while (helper_running && nofollow_gen < gen &&
         (__atomic_load_n(&D.debugger_flags, __ATOMIC_RELAXED) & SSE_AGENT_DEBUGGER_SYNC) &&
         __atomic_load_n(&D.debugger_pid, __ATOMIC_RELAXED) != 0 &&
         __atomic_load_n(&D.debugger_generation, __ATOMIC_RELAXED) < gen) {
    acked_waiters++;
    pthread_cond_wait(&acked, &mu);
    acked_waiters--;
  }
}

typedef struct pending_row {
  uint64_t addr;
  uint32_t line;
  uint32_t file; /* offset in the local string buffer + 1, 0 = none */
  size_t order;
} pending_row;

static int row_cmp(const void *a, const void *b) {
  const pending_row *x = a, *y = b;
  if (x->addr != y->addr)
    return x->addr < y->addr ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

/* A registration prepared without the lock: its local string table (the
 * name, then each distinct file once) and its rows, sorted by address. */
typedef struct prepared {
  char *s;
  size_t slen;
  pending_row *rows;
} prepared;

/* Bytes the string table needs, or 0 when an argument is bad (*err). */
static size_t strings_size(uint64_t start, uint64_t size, const char *name,
                           const sse_agent_line *lines, size_t nlines, int *err) {
  size_t scap = strlen(name) + 1;
  for (size_t i = 0; i < nlines; i++) {
    if (lines[i].addr < start || lines[i].addr - start >= size) {
      *err = -EINVAL;
      return 0;
    }
    if (lines[i].file) {
      size_t l = strlen(lines[i].file) + 1;
      if (scap > SIZE_MAX - l) {
        *err = -ENOMEM;
        return 0;
      }
      scap += l;
    }
  }
  if (scap > UINT32_MAX) {
    *err = -ENOMEM;
    return 0;
  }
  return scap;
}

/* Row i's file: the same one as a recent row (tables mostly name one
 * file; look back a few distinct ones only, so this stays linear), else
 * appended to the string table. */
static void row_file(prepared *pr, const sse_agent_line *lines, size_t i) {
  pending_row *rows = pr->rows;
  for (size_t j = i, k = 0; j-- > 0 && k < 8;) {
    if (!lines[j].file)
      continue;
    k++;
    if (lines[j].file == lines[i].file || strcmp(lines[j].file, lines[i].file) == 0) {
      rows[i].file = rows[j].file;
      return;
    }
  }
  size_t l = strlen(lines[i].file) + 1;
  memcpy(pr->s + pr->slen, lines[i].file, l);
  rows[i].file = (uint32_t)pr->slen + 1;
  pr->slen += l;
}

static int prepare(prepared *pr, uint64_t start, uint64_t size, const char *name,
                   const sse_agent_line *lines, size_t nlines) {
  int err = 0;
  size_t scap = strings_size(start, size, name, lines, nlines, &err);
  if (!scap)
    return err;
  pr->s = malloc(scap);
  pr->rows = nlines ? malloc(nlines * sizeof *pr->rows) : NULL;
  if (!pr->s || (nlines && !pr->rows))
    return -ENOMEM;
  pr->slen = strlen(name) + 1;
  memcpy(pr->s, name, pr->slen);
  for (size_t i = 0; i < nlines; i++) {
    pr->rows[i].addr = lines[i].addr;
    pr->rows[i].line = lines[i].line;
    pr->rows[i].order = i;
    pr->rows[i].file = 0;
    if (lines[i].file)
      row_file(pr, lines, i);
  }
  if (nlines > 1)
    qsort(pr->rows, nlines, sizeof *pr->rows, row_cmp);
  return 0;
}

/* Room in the three blobs and the record index for one more record. mu
 * held. */
static int reserve_one(size_t slen, size_t nlines) {
  int err = ensure_helper();
  if (!err && D.nblobs == 0) {
    for (int i = 0; i < 3 && !err; i++)
      err = blob_reserve(&B[i], 0);
  }
  if (!err)
    err = blob_reserve(&B[0], REC_SIZE);
  if (!err)
    err = blob_reserve(&B[1], slen);
  if (!err)
    err = blob_reserve(&B[2], (uint64_t)nlines * ROW_SIZE);
  if (!err && B[0].count >= R_cap) {
    uint32_t ncap = R_cap ? R_cap * 2 : 16;
    recinfo *r = realloc(R, (size_t)ncap * sizeof *R);
    if (!r)
      return -ENOMEM;
    R = r;
    R_cap = ncap;
  }
  return err;
}

/* Append the prepared record and publish the new generation. mu held. */
static uint64_t append_record(const prepared *pr, uint64_t start, uint64_t size,
                              size_t nlines) {
  set_updating(1);
  uint32_t sbase = B[1].len;
  memcpy(B[1].buf + sbase, pr->s, pr->slen);
  B[1].len += (uint32_t)pr->slen;
  B[1].count += 1;
  uint32_t first = B[2].count;
  for (size_t i = 0; i < nlines; i++) {
    struct sse_agent_line_row row = {
        .addr = pr->rows[i].addr,
        .line = pr->rows[i].line,
        .file = pr->rows[i].file ? sbase + pr->rows[i].file - 1 : 0,
    };
    memcpy(B[2].buf + B[2].len, &row, sizeof row);
    B[2].len += ROW_SIZE;
    B[2].count++;
  }
  struct sse_agent_record rec = {
      .start = start,
      .size = size,
      .id = ++next_id,
      .name = sbase,
      .line_first = nlines ? first : 0,
      .line_count = (uint32_t)nlines,
      .flags = 0,
  };
  memcpy(B[0].buf + B[0].len, &rec, sizeof rec);
  R[B[0].count].str_bytes = (uint32_t)pr->slen;
  B[0].len += REC_SIZE;
  B[0].count++;
  uint64_t gen = ++D.generation;
  blob_publish(0, gen);
  blob_publish(1, gen);
  if (nlines || D.blobs[2].addr == 0)
    blob_publish(2, gen);
  set_updating(0);
  pthread_cond_signal(&changed);
  return rec.id;
}

SSE_AGENT_API int sse_agent_register(uint64_t start, uint64_t size, const char *name,
                                     const sse_agent_line *lines, size_t nlines,
                                     uint64_t *handle) {
  if (!handle || !name || size == 0 || size > UINT64_MAX - start || (nlines && !lines))
    return -EINVAL;
  if (nlines > (UINT32_MAX - HDR_SIZE) / ROW_SIZE)
    return -ENOMEM;
  /* Everything that needs no lock first. */
  prepared pr = {0};
  int err = prepare(&pr, start, size, name, lines, nlines);
  if (!err) {
    pthread_mutex_lock(&mu);
    err = reserve_one(pr.slen, nlines);
    if (!err) {
      *handle = append_record(&pr, start, size, nlines);
      wait_for_debugger(D.generation);
    }
    pthread_mutex_unlock(&mu);
  }
  free(pr.s);
  free(pr.rows);
  return err;
}

/* Rewrites the strings and lines blobs without the garbage. Each record's
 * strings were appended as one run starting at its name, and its file
 * offsets point into that run, so compaction moves runs and shifts offsets.
 * On allocation failure the garbage just stays. mu held, updating set. */
static bool compact(void) {
  uint64_t slen = B[1].len - garbage_str, rlen = B[2].len - garbage_rows * ROW_SIZE;
  uint8_t *ns = malloc(slen), *nl = malloc(rlen);
  if (!ns || !nl) {
    free(ns);
    free(nl);
    return false;
  }
  uint32_t so = HDR_SIZE, lo = HDR_SIZE, rows = 0;
  for (uint32_t i = 0; i < B[0].count; i++) {
    struct sse_agent_record rec;
    uint8_t *rp = B[0].buf + HDR_SIZE + (size_t)i * REC_SIZE;
    memcpy(&rec, rp, sizeof rec);
    uint32_t nb = R[i].str_bytes;
    memcpy(ns + so, B[1].buf + rec.name, nb);
    uint32_t first = rows;
    for (uint32_t j = 0; j < rec.line_count; j++) {
      struct sse_agent_line_row row;
      memcpy(&row, B[2].buf + HDR_SIZE + (size_t)(rec.line_first + j) * ROW_SIZE, sizeof row);
      if (row.file)
        row.file = row.file - rec.name + so;
      memcpy(nl + lo, &row, sizeof row);
      lo += ROW_SIZE;
      rows++;
    }
    rec.name = so;
    rec.line_first = rec.line_count ? first : 0;
    memcpy(rp, &rec, sizeof rec);
    so += nb;
  }
  free(B[1].buf);
  free(B[2].buf);
  B[1].buf = ns;
  B[1].len = B[1].cap = so;
  B[1].count = B[0].count;
  B[2].buf = nl;
  B[2].len = B[2].cap = lo;
  B[2].count = rows;
  garbage_str = garbage_rows = 0;
  return true;
}

SSE_AGENT_API int sse_agent_unregister(uint64_t handle) {
  if (handle == 0)
    return -ENOENT;
  pthread_mutex_lock(&mu);
  uint32_t n = B[0].count, i;
  struct sse_agent_record rec;
  for (i = 0; i < n; i++) {
    memcpy(&rec, B[0].buf + HDR_SIZE + (size_t)i * REC_SIZE, sizeof rec);
    if (rec.id == handle)
      break;
  }
  if (i == n) {
    pthread_mutex_unlock(&mu);
    return -ENOENT;
  }
  set_updating(1);
  garbage_str += R[i].str_bytes;
  garbage_rows += rec.line_count;
  if (i != n - 1) {
    memcpy(B[0].buf + HDR_SIZE + (size_t)i * REC_SIZE,
           B[0].buf + HDR_SIZE + (size_t)(n - 1) * REC_SIZE, REC_SIZE);
    R[i] = R[n - 1];
  }
  B[0].count--;
  B[0].len -= REC_SIZE;
  uint64_t live_str = B[1].len - HDR_SIZE - garbage_str;
  uint64_t live_rows = B[2].count - garbage_rows;
  bool compacted = false;
  if ((garbage_str > 4096 && garbage_str > live_str) ||
      (garbage_rows > 256 && garbage_rows > live_rows))
    compacted = compact();
  uint64_t gen = ++D.generation;
  blob_publish(0, gen);
  if (compacted) {
    blob_publish(1, gen);
    blob_publish(2, gen);
  }
  set_updating(0);
  pthread_cond_signal(&changed);
  wait_for_debugger(gen);
  pthread_mutex_unlock(&mu);
  return 0;
}

SSE_AGENT_API uint64_t sse_agent_generation(void) {
  pthread_mutex_lock(&mu);
  uint64_t g = D.generation;
  pthread_mutex_unlock(&mu);
  return g;
}
