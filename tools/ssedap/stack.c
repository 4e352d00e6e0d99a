/* stack.c — threads, stackTrace (startFrame/levels paging, totalFrames,
 * instructionPointerReference), scopes. A thread's backtrace is taken
 * once per stop (one delegate) and served from the cache until the next
 * resume; frameIds index the cache. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dap.h"

#define MAX_FRAMES 1024

typedef struct bt_cache {
  pid_t tid;
  sse_frame *frames;
  size_t n;
} bt_cache;

typedef struct frame_ref {
  pid_t tid;
  size_t level;
} frame_ref;

static bt_cache *caches;
static size_t ncaches;
static frame_ref *frefs;
static size_t nfrefs, capfrefs;

void dap_stack_reset(void) {
  for (size_t i = 0; i < ncaches; i++) free(caches[i].frames);
  free(caches);
  caches = NULL;
  ncaches = 0;
  nfrefs = 0;
}

static bt_cache *backtrace_of(sse_thread *t, char *err, size_t errsz) {
  pid_t tid = sse_thread_tid(t);
  for (size_t i = 0; i < ncaches; i++)
    if (caches[i].tid == tid) return &caches[i];
  sse_frame *f = malloc(MAX_FRAMES * sizeof *f);
  size_t n = 0;
  sse_err e = f ? sse_backtrace(t, f, MAX_FRAMES, &n) : SSE_E_NOMEM;
  if (e) {
    free(f);
    snprintf(err, errsz, "no backtrace of thread %d: %s", (int)tid, sse_strerror(e));
    return NULL;
  }
  bt_cache *nc = realloc(caches, (ncaches + 1) * sizeof *nc);
  if (!nc) {
    free(f);
    return NULL;
  }
  caches = nc;
  caches[ncaches] = (bt_cache){tid, f, n};
  return &caches[ncaches++];
}

void dap_stack_prefill(pid_t tid, sse_frame *frames, size_t n) {
  bt_cache *nc = realloc(caches, (ncaches + 1) * sizeof *nc);
  if (!nc) {
    free(frames);
    return;
  }
  caches = nc;
  caches[ncaches++] = (bt_cache){tid, frames, n};
}

static long long frame_id(pid_t tid, size_t level) {
  for (size_t i = 0; i < nfrefs; i++)
    if (frefs[i].tid == tid && frefs[i].level == level) return (long long)i + 1;
  if (nfrefs == capfrefs) {
    size_t cap = capfrefs ? capfrefs * 2 : 64;
    frame_ref *nf = realloc(frefs, cap * sizeof *nf);
    if (!nf) return 0;
    frefs = nf;
    capfrefs = cap;
  }
  frefs[nfrefs] = (frame_ref){tid, level};
  return (long long)++nfrefs;
}

bool dap_frame_lookup(long long id, sse_thread **t, size_t *level) {
  if (id < 1 || (size_t)id > nfrefs) return false;
  if (sse_thread_by_tid(S.proc, frefs[id - 1].tid, t)) return false;
  *level = frefs[id - 1].level;
  return true;
}

bool dap_frame_or_current(json_t *args, sse_thread **t, size_t *level,
                          char *err, size_t errsz) {
  if (!dap_need_stopped(err, errsz)) return false;
  if (dap_jhas(args, "frameId")) {
    if (dap_frame_lookup(dap_jint(args, "frameId", 0), t, level)) return true;
    snprintf(err, errsz, "no frame %lld at this stop", dap_jint(args, "frameId", 0));
    return false;
  }
  *level = 0;
  if (!sse_thread_by_tid(S.proc, S.cur_tid, t)) return true;
  snprintf(err, errsz, "no thread is selected");
  return false;
}

static void thread_name(pid_t tid, char *buf, size_t n) {
  char p[64], comm[64] = "";
  snprintf(p, sizeof p, "/proc/%d/task/%d/comm", (int)sse_process_pid(S.proc), (int)tid);
  FILE *f = fopen(p, "r");
  if (f) {
    if (fgets(comm, sizeof comm, f)) comm[strcspn(comm, "\n")] = 0;
    fclose(f);
  }
  snprintf(buf, n, "Thread %d%s%s%s", (int)tid, comm[0] ? " (" : "", comm, comm[0] ? ")" : "");
}

bool dap_threads(json_t *args, json_t *body, char *err, size_t errsz) {
  json_t *arr = json_array();
  json_object_set_new(body, "threads", arr);
  if (!S.proc || sse_process_exited(S.proc)) return true;
  sse_thread *th[512];
  size_t n = 0;
  if (sse_process_threads(S.proc, th, 512, &n)) return true;
  if (n > 512) n = 512;
  for (size_t i = 0; i < n; i++) {
    char name[128];
    pid_t tid = sse_thread_tid(th[i]);
    thread_name(tid, name, sizeof name);
    json_array_append_new(arr, json_pack("{s:i, s:s}", "id", (int)tid, "name", name));
  }
  return true;
}

static json_t *frame_json(pid_t tid, size_t level, const sse_frame *f) {
  const sse_location *l = &f->loc;
  const char *name = f->signal_frame ? "<signal handler called>"
                     : l->function ? l->function : "??";
  json_t *j = json_pack("{s:I, s:s, s:i, s:i, s:o}", "id",
                        (json_int_t)frame_id(tid, level), "name", name, "line",
                        l->file ? l->line : 0, "column", l->file ? (l->column > 0 ? l->column : 1) : 0,
                        "instructionPointerReference", dap_jaddr(f->pc));
  if (l->file) {
    dap_source_seen(l->file);
    const char *slash = strrchr(l->file, '/');
    json_object_set_new(j, "source", json_pack("{s:s, s:s}", "name", slash ? slash + 1 : l->file,
                                               "path", l->file));
  } else {
    json_object_set_new(j, "presentationHint", json_string("subtle"));
  }
  if (l->module) json_object_set_new(j, "moduleId", json_string(l->module));
  return j;
}

bool dap_stack_trace(json_t *args, json_t *body, char *err, size_t errsz) {
  if (!dap_need_stopped(err, errsz)) return false;
  long long tid = dap_jint(args, "threadId", -1);
  sse_thread *t;
  if (sse_thread_by_tid(S.proc, (pid_t)tid, &t)) {
    snprintf(err, errsz, "no thread %lld (it may have exited)", tid);
    return false;
  }
  bt_cache *c = backtrace_of(t, err, errsz);
  if (!c) return false;
  long long start = dap_jint(args, "startFrame", 0), levels = dap_jint(args, "levels", 0);
  if (start < 0) start = 0;
  json_t *arr = json_array();
  for (size_t i = (size_t)start; i < c->n && (levels <= 0 || i < (size_t)(start + levels)); i++)
    json_array_append_new(arr, frame_json(c->tid, i, &c->frames[i]));
  json_object_set_new(body, "stackFrames", arr);
  json_object_set_new(body, "totalFrames", json_integer((json_int_t)c->n));
  return true;
}

bool dap_scopes(json_t *args, json_t *body, char *err, size_t errsz) {
  sse_thread *t;
  size_t level;
  if (!dap_jhas(args, "frameId")) {
    snprintf(err, errsz, "scopes: a \"frameId\" is required");
    return false;
  }
  if (!dap_frame_or_current(args, &t, &level, err, errsz)) return false;
  static const struct { const char *name, *hint; unsigned kinds; bool expensive; } sc[] = {
      {"Arguments", "arguments", SSE_VARS_ARGS, false},
      {"Locals", "locals", SSE_VARS_LOCALS, false},
      {"Registers", "registers", 0, true}};
  json_t *arr = json_array();
  for (size_t i = 0; i < 3; i++)
    json_array_append_new(arr, json_pack("{s:s, s:s, s:I, s:b}", "name", sc[i].name,
                                         "presentationHint", sc[i].hint, "variablesReference",
                                         (json_int_t)dap_ref_scope(t, level, sc[i].kinds),
                                         "expensive", sc[i].expensive));
  json_object_set_new(body, "scopes", arr);
  return true;
}
