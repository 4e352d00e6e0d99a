/* output.c — everything ssedemo prints: stops, locations, source lines,
 * events, and the JSON encoding of them (--json). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"

_Atomic(sse_process *) event_proc;

static pthread_mutex_t out_mu = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
void out_lock(void) { pthread_mutex_lock(&out_mu); }
void out_unlock(void) { pthread_mutex_unlock(&out_mu); }

/* ------------------------------------------------------------ JSON */

void jb_append(jbuf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    char *ns = realloc(b->s, cap);
    if (!ns) return;
    b->s = ns;
    b->cap = cap;
  }
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = 0;
}
static void jb_puts(jbuf *b, const char *s) { jb_append(b, s, strlen(s)); }

void jb_append_quoted(jbuf *b, const char *s) {
  if (!s) {
    jb_puts(b, "null");
    return;
  }
  jb_puts(b, "\"");
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    char e[8];
    switch (*p) {
    case '"': jb_puts(b, "\\\""); break;
    case '\\': jb_puts(b, "\\\\"); break;
    case '\n': jb_puts(b, "\\n"); break;
    case '\r': jb_puts(b, "\\r"); break;
    case '\t': jb_puts(b, "\\t"); break;
    case '\b': jb_puts(b, "\\b"); break;
    case '\f': jb_puts(b, "\\f"); break;
    default:
      if (*p < 0x20 || *p == 0x7f) {
        snprintf(e, sizeof e, "\\u%04x", *p);
        jb_puts(b, e);
      } else if (*p >= 0x80) {
        /* Pass valid UTF-8 through; escape stray bytes as U+00XX. */
        int n = (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3
                : (*p & 0xf8) == 0xf0 ? 4 : 0;
        int ok = n > 0;
        for (int i = 1; ok && i < n; i++)
          if ((p[i] & 0xc0) != 0x80) ok = 0;
        if (ok) {
          jb_append(b, (const char *)p, n);
          p += n - 1;
        } else {
          snprintf(e, sizeof e, "\\u%04x", *p);
          jb_puts(b, e);
        }
      } else {
        jb_append(b, (const char *)p, 1);
      }
    }
  }
  jb_puts(b, "\"");
}

static void jb_key(jbuf *b, const char *key) {
  if (!b->first) jb_puts(b, ",");
  b->first = false;
  jb_append_quoted(b, key);
  jb_puts(b, ":");
}
void jb_begin(jbuf *b, const char *event) {
  memset(b, 0, sizeof *b);
  b->first = true;
  jb_puts(b, "{");
  if (event) jb_str(b, "event", event);
}
void jb_str(jbuf *b, const char *key, const char *val) {
  jb_key(b, key);
  jb_append_quoted(b, val);
}
void jb_int(jbuf *b, const char *key, long long v) {
  char t[32];
  snprintf(t, sizeof t, "%lld", v);
  jb_key(b, key);
  jb_puts(b, t);
}
void jb_hex(jbuf *b, const char *key, uint64_t v) {
  char t[32];
  snprintf(t, sizeof t, "0x%llx", (unsigned long long)v);
  jb_str(b, key, t);
}
void jb_bool(jbuf *b, const char *key, bool v) {
  jb_key(b, key);
  jb_puts(b, v ? "true" : "false");
}
void jb_raw(jbuf *b, const char *key, const char *json) {
  jb_key(b, key);
  jb_puts(b, json);
}
void jb_end_print(jbuf *b) {
  jb_puts(b, "}");
  out_lock();
  fputs(b->s ? b->s : "{}", stdout);
  fputc('\n', stdout);
  fflush(stdout);
  out_unlock();
  free(b->s);
  memset(b, 0, sizeof *b);
}

/* ------------------------------------------------------------ text */

static void vsay(const char *fmt, va_list ap) {
  char *s = NULL;
  if (vasprintf(&s, fmt, ap) < 0) return;
  out_lock();
  if (!D.json) {
    fputs(s, stdout);
  } else {
    /* one object per line of text */
    char *p = s;
    while (*p) {
      char *nl = strchr(p, '\n');
      size_t n = nl ? (size_t)(nl - p) : strlen(p);
      char *line = strndup(p, n);
      jbuf b;
      jb_begin(&b, "output");
      jb_str(&b, "text", line);
      jb_end_print(&b);
      free(line);
      p += n + (nl ? 1 : 0);
    }
  }
  fflush(stdout);
  out_unlock();
  free(s);
}

void say(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsay(fmt, ap);
  va_end(ap);
}

const char *script_name;
int script_line;
bool error_seen;

/* An error or warning message: {"event":kind,"message":...}, or prefix
 * and the text on stderr. */
static void message_out(const char *kind, const char *prefix, const char *s) {
  if (D.json) {
    jbuf b;
    jb_begin(&b, kind);
    jb_str(&b, "message", s);
    jb_end_print(&b);
    return;
  }
  out_lock();
  fflush(stdout);
  fprintf(stderr, "%s%s\n", prefix, s);
  fflush(stderr);
  out_unlock();
}

static void vmessage(bool error, const char *fmt, va_list ap) {
  char *s = NULL;
  if (vasprintf(&s, fmt, ap) < 0) return;
  if (error && script_name && !error_seen) {
    /* gdb's prefix of an error that ends a sourced file */
    char *t = NULL;
    if (asprintf(&t, "%s:%d: Error in sourced command file:\n%s", script_name,
                 script_line, s) >= 0) {
      free(s);
      s = t;
    }
  }
  if (error) error_seen = true;
  message_out(error ? "error" : "warning", error ? "" : "warning: ", s);
  free(s);
}

void err_say(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vmessage(true, fmt, ap);
  va_end(ap);
}

void warn_say(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vmessage(false, fmt, ap);
  va_end(ap);
}

/* ------------------------------------------------------------ source */

const char *base_name(const char *path) {
  if (!path) return "??";
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

/* One cached file: the last one asked for. */
static char cached_name[4096];
static sse_source *cached;

/* The file's lines; NULL with errno set when it cannot be read. */
static const sse_source *load_file(const char *file) {
  if (!file) return NULL;
  if (cached && strcmp(cached_name, file) == 0) return cached;
  sse_source *src = NULL;
  int eno = 0;
  if (sse_source_read(file, &src, &eno) != SSE_OK) {
    errno = eno;
    return NULL;
  }
  sse_source_free(cached);
  cached = src;
  snprintf(cached_name, sizeof cached_name, "%s", file);
  return cached;
}

const char *source_line(const char *file, int line) {
  const sse_source *src = load_file(file);
  if (!src || line < 1 || (size_t)line > src->nlines) return NULL;
  return src->lines[line - 1];
}

int source_line_count(const char *file) {
  const sse_source *src = load_file(file);
  return src ? (int)src->nlines : -1;
}

void print_source_line(const char *file, int line, uint64_t pc, bool with_pc) {
  const char *text = source_line(file, line);
  char pre[32] = "";
  if (with_pc) snprintf(pre, sizeof pre, "0x%016llx\t", (unsigned long long)pc);
  if (text)
    say("%s%d\t%s\n", pre, line, text);
  else
    say("%s%d\tin %s\n", pre, line, file ? file : "??");
}

/* ------------------------------------------------------------ locations */

static void name_offset(char *buf, size_t n, const char *name, uint64_t off) {
  if (off)
    snprintf(buf, n, " <%s+%llu>", name, (unsigned long long)off);
  else
    snprintf(buf, n, " <%s>", name);
}

void symbolize(uint64_t addr, char *buf, size_t n) {
  buf[0] = 0;
  sse_location loc;
  sse_symbol sym;
  /* a variable of the program, else the function there */
  if (D.proc &&
      sse_symbol_at(D.proc, addr, SSE_SYMBOLS_DATA | SSE_SYMBOLS_EXECUTABLE,
                    &sym) == SSE_OK && sym.size) {
    name_offset(buf, n, sym.name, addr - sym.addr);
    return;
  }
  if (D.proc && sse_lookup(D.proc, addr, &loc) == SSE_OK && loc.function)
    name_offset(buf, n, loc.function, loc.offset);
}

/* Whether pc is in the program itself: gdb says "from LIB" of a shared
 * library's code only. */
static bool in_executable(uint64_t pc) {
  sse_symbol sym;
  return D.proc && sse_symbol_at(D.proc, pc, SSE_SYMBOLS_FUNCTIONS | SSE_SYMBOLS_EXECUTABLE,
                                 &sym) == SSE_OK;
}

/* "func (args) at file:line": args of frame `frame` of t (NULL: none). */
static void frame_location(char *buf, size_t n, const sse_location *loc,
                           bool with_pc, sse_thread *t, size_t frame) {
  char pcs[40] = "", args[4096] = "";
  if (with_pc || !loc->file || loc->line <= 0)
    snprintf(pcs, sizeof pcs, "0x%016llx in ", (unsigned long long)loc->pc);
  const char *fn = loc->function ? loc->function : "??";
  if (loc->file && loc->line > 0 && t)
    values_frame_args(t, frame, args, sizeof args);
  if (loc->file && loc->line > 0)
    snprintf(buf, n, "%s%s (%s) at %s:%d", pcs, fn, args, base_name(loc->file),
             loc->line);
  else if (loc->module && !in_executable(loc->pc))
    snprintf(buf, n, "%s%s () from %s", pcs, fn, loc->module);
  else
    snprintf(buf, n, "%s%s ()", pcs, fn);
}

void format_location(char *buf, size_t n, const sse_location *loc,
                     bool with_pc) {
  frame_location(buf, n, loc, with_pc, NULL, 0);
}

static const char *reason_json_name(sse_stop_reason r) {
  const char *n = sse_stop_reason_name(r);
  return n ? n : "unknown";
}

static int bp_num_for(int lib_id, bool *temporary, bool *watch) {
  for (int i = 0; i < D.nbps; i++)
    if (!D.bps[i].deleted && D.bps[i].lib_id == lib_id) {
      if (temporary) *temporary = D.bps[i].temporary;
      if (watch) *watch = D.bps[i].watch;
      return D.bps[i].num;
    }
  return lib_id;
}

static void stop_json(const sse_stop *s) {
  jbuf b;
  jb_begin(&b, "stop");
  jb_str(&b, "reason", reason_json_name(s->reason));
  jb_int(&b, "pid", s->pid);
  jb_int(&b, "tid", s->tid);
  bool gone = s->reason == SSE_STOP_EXITED || s->reason == SSE_STOP_KILLED ||
              s->reason == SSE_STOP_DETACHED;
  if (!gone) {
    jb_hex(&b, "pc", s->pc);
    jb_str(&b, "function", s->loc.function);
    jb_str(&b, "file", s->loc.file);
    jb_int(&b, "line", s->loc.line);
    if (s->loc.module) jb_str(&b, "module", s->loc.module);
    if (s->loc.file && s->loc.line > 0) {
      const char *t = source_line(s->loc.file, s->loc.line);
      if (t) jb_str(&b, "source", t);
      if (s->thread) values_frame_args_json(s->thread, 0, &b);
    }
  } else {
    jb_raw(&b, "pc", "null");
    jb_raw(&b, "function", "null");
    jb_raw(&b, "file", "null");
    jb_int(&b, "line", 0);
  }
  /* What the command cost: ptrace stops (resumes of the target's threads). */
  jb_int(&b, "ptrace_stops", (long long)s->ptrace_stops);
  switch (s->reason) {
  case SSE_STOP_BREAKPOINT:
    jb_int(&b, "breakpoint", bp_num_for(s->breakpoint_id, NULL, NULL));
    catch_stop_json(&b, s);
    break;
  case SSE_STOP_WATCHPOINT:
    jb_int(&b, "watchpoint", bp_num_for(s->breakpoint_id, NULL, NULL));
    jb_hex(&b, "watch_addr", s->watch_addr);
    break;
  case SSE_STOP_SIGNAL:
  case SSE_STOP_KILLED:
    jb_int(&b, "signo", s->signo);
    jb_str(&b, "signal", signal_name(s->signo));
    break;
  case SSE_STOP_EXITED:
    jb_int(&b, "exit_code", s->exit_status);
    break;
  case SSE_STOP_FINISH:
    if (s->has_retval) jb_hex(&b, "retval", s->retval[0]);
    break;
  default:
    break;
  }
  jb_end_print(&b);
}

static void print_stop_text(const sse_stop *s, const sse_stop *prev, int style);
static void print_return(const sse_stop *s);

void print_stop(const sse_stop *s, const sse_stop *prev, int style) {
  if (D.json) stop_json(s);
  else print_stop_text(s, prev, style);
  bool gone = s->reason == SSE_STOP_EXITED || s->reason == SSE_STOP_KILLED ||
              s->reason == SSE_STOP_DETACHED;
  if (!gone) values_display_stop();
  if (!D.json) print_return(s);
}

static void print_stop_text(const sse_stop *s, const sse_stop *prev, int style) {
  char loc[8192];
  switch (s->reason) {
  case SSE_STOP_EXITED:
    if (s->exit_status == 0)
      say("[Inferior 1 (process %d) exited normally]\n", (int)s->pid);
    else
      say("[Inferior 1 (process %d) exited with code 0%o]\n", (int)s->pid,
          s->exit_status);
    return;
  case SSE_STOP_KILLED:
    say("\nProgram terminated with signal %s, %s.\n"
        "The program no longer exists.\n",
        signal_name(s->signo), signal_desc(s->signo));
    return;
  case SSE_STOP_DETACHED:
    say("[Inferior 1 (process %d) detached]\n", (int)s->pid);
    return;
  default:
    break;
  }

  bool has_line = s->loc.file && s->loc.line > 0;
  bool same_func = prev && prev->loc.function && s->loc.function &&
                   strcmp(prev->loc.function, s->loc.function) == 0 &&
                   prev->reason != SSE_STOP_EXITED;
  /* gdb prints the frame line when the frame changed: same function and
   * same stack pointer is the same frame for line stops (a recursive call
   * has another sp). */
  if (style == STOP_LINE && prev && s->sp != prev->sp) same_func = false;
  bool instruction_step = style == STOP_INSN;
  bool full = true;  /* print the location line */
  bool with_pc = false;
  switch (s->reason) {
  case SSE_STOP_BREAKPOINT: {
    if (catch_print_stop(s)) {
      full = false;
      break;
    }
    bool temp = false, watch = false;
    int num = bp_num_for(s->breakpoint_id, &temp, &watch);
    frame_location(loc, sizeof loc, &s->loc, s->loc.mid_statement, s->thread, 0);
    say("\n%s %d, %s\n", temp ? "Temporary breakpoint" : "Breakpoint", num,
        loc);
    full = false;
    break;
  }
  case SSE_STOP_WATCHPOINT: {
    int num = bp_num_for(s->breakpoint_id, NULL, NULL);
    demo_bp *w = NULL;
    for (int i = 0; i < D.nbps; i++)
      if (D.bps[i].num == num) w = &D.bps[i];
    say("\nHardware watchpoint %d: %s\n", num, w ? w->spec : "?");
    if (w) {
      uint64_t nv = 0;
      if (sse_read_memory(D.proc, w->watch_addr, &nv, w->watch_len, NULL) ==
          SSE_OK) {
        say("\nOld value = %llu\nNew value = %llu\n",
            (unsigned long long)w->watch_old, (unsigned long long)nv);
        w->watch_old = nv;
      }
    }
    break;
  }
  case SSE_STOP_SIGNAL:
    print_signal_received(s->tid, s->signo);
    with_pc = s->loc.mid_statement; /* gdb's frame_show_address */
    break;
  case SSE_STOP_INTERRUPTED:
    say("\nInterrupted.\n");
    with_pc = s->loc.mid_statement;
    break;
  case SSE_STOP_SPAWNED:
    say("\nProgram stopped.\n");
    with_pc = true;
    break;
  case SSE_STOP_FINISH: /* gdb's frame_show_address */
    with_pc = s->loc.mid_statement;
    break;
  case SSE_STOP_EXEC:
    say("process %d is executing new program\n", (int)s->pid);
    break;
  case SSE_STOP_STEP:
  case SSE_STOP_NO_LINE:
  default:
    if (style == STOP_FULL) with_pc = true;
    else if (same_func && has_line) full = false;
    if (instruction_step && has_line && prev && prev->loc.line == s->loc.line &&
        same_func) {
      print_source_line(s->loc.file, s->loc.line, s->pc, true);
      return;
    }
    break;
  }
  if (full) {
    frame_location(loc, sizeof loc, &s->loc, with_pc, s->thread, 0);
    say("%s\n", loc);
  }
  if (has_line) print_source_line(s->loc.file, s->loc.line, s->pc, false);
}

/* finish: "Value returned is $N = ..." (after the displays, as gdb). */
static void print_return(const sse_stop *s) {
  if (s->reason == SSE_STOP_FINISH && s->has_retval && !values_print_return(s))
    say("Value returned: rax = %lld (0x%llx)\n", (long long)s->retval[0],
        (unsigned long long)s->retval[0]);
}

/* Frame i: gdb shows the pc where it is not at a statement's start (every
 * caller frame but one an inline frame was inlined into). */
void print_frame_line(size_t i, const sse_frame *f) {
  if (f->signal_frame) {
    say("#%-2zu <signal handler called>\n", i);
    return;
  }
  char loc[8192];
  frame_location(loc, sizeof loc, &f->loc, f->loc.mid_statement, D.cur, i);
  say("#%-2zu %s%s\n", i, loc, f->fp_fallback ? " [frame pointer]" : "");
}

size_t frames_to_main(const sse_frame *f, size_t n) {
  /* the program's main (gdb's inside_main_func): not a JIT'd one; a
   * caller's pc is a return address, maybe just past main's end (a call
   * to a noreturn function last), so its block is looked up at pc - 1 */
  for (size_t i = 0; i < n; i++)
    if (f[i].loc.function && !strcmp(f[i].loc.function, "main") && !f[i].signal_frame &&
        in_executable(i > 0 && !f[i - 1].signal_frame ? f[i].pc - 1 : f[i].pc))
      return i + 1;
  return n;
}

void print_backtrace_json(const sse_frame *f, size_t n) {
  jbuf b, arr;
  jb_begin(&b, "backtrace");
  memset(&arr, 0, sizeof arr);
  jb_append(&arr, "[", 1);
  for (size_t i = 0; i < n; i++) {
    jbuf fr;
    jb_begin(&fr, NULL);
    jb_int(&fr, "level", (long long)i);
    jb_hex(&fr, "pc", f[i].pc);
    jb_str(&fr, "function",
           f[i].signal_frame ? "<signal handler called>" : f[i].loc.function);
    jb_str(&fr, "file", f[i].loc.file);
    jb_int(&fr, "line", f[i].loc.line);
    if (f[i].loc.module) jb_str(&fr, "module", f[i].loc.module);
    jb_hex(&fr, "cfa", f[i].cfa);
    jb_bool(&fr, "inlined", f[i].inlined);
    jb_bool(&fr, "tailcall", f[i].tailcall);
    if (f[i].loc.file && f[i].loc.line > 0 && !f[i].signal_frame)
      values_frame_args_json(D.cur, i, &fr);
    jb_append(&fr, "}", 1);
    if (i) jb_append(&arr, ",", 1);
    jb_append(&arr, fr.s, fr.len);
    free(fr.s);
  }
  jb_append(&arr, "]", 1);
  jb_raw(&b, "frames", arr.s);
  free(arr.s);
  jb_end_print(&b);
}

/* ------------------------------------------------------------ events */

static pthread_mutex_t tid_mu = PTHREAD_MUTEX_INITIALIZER;

/* Never call an sse_ function while holding this (callbacks take it). */
int thread_number(pid_t tid) {
  int n = 0;
  pthread_mutex_lock(&tid_mu);
  for (int i = 0; i < D.ntids && !n; i++)
    if (D.tids[i] == tid) n = i + 1;
  if (!n && D.ntids < (int)(sizeof D.tids / sizeof D.tids[0])) {
    D.tids[D.ntids++] = tid;
    n = D.ntids;
  }
  pthread_mutex_unlock(&tid_mu);
  return n;
}

pid_t thread_by_number(int num) {
  pid_t t = 0;
  pthread_mutex_lock(&tid_mu);
  if (num >= 1 && num <= D.ntids) t = D.tids[num - 1];
  pthread_mutex_unlock(&tid_mu);
  return t;
}

int thread_count(void) {
  pthread_mutex_lock(&tid_mu);
  int n = D.ntids;
  pthread_mutex_unlock(&tid_mu);
  return n;
}

/* gdb's print_signal_received_reason: "Thread N "name"" once the program
 * has had a second thread (gdb's highest thread number above 1), else
 * "Program". */
void print_signal_received(pid_t tid, int signo) {
  if (thread_count() > 1) {
    char p[64], comm[64] = "";
    snprintf(p, sizeof p, "/proc/%d/task/%d/comm",
             D.proc ? (int)sse_process_pid(D.proc) : 0, (int)tid);
    FILE *f = fopen(p, "r");
    if (f) {
      if (fgets(comm, sizeof comm, f)) comm[strcspn(comm, "\n")] = 0;
      fclose(f);
    }
    int num = thread_number(tid);
    if (comm[0])
      say("\nThread %d \"%s\" received signal %s, %s.\n", num, comm,
          signal_name(signo), signal_desc(signo));
    else
      say("\nThread %d received signal %s, %s.\n", num, signal_name(signo),
          signal_desc(signo));
    return;
  }
  say("\nProgram received signal %s, %s.\n", signal_name(signo),
      signal_desc(signo));
}

void thread_numbers_reset(void) {
  pthread_mutex_lock(&tid_mu);
  D.ntids = 0;
  pthread_mutex_unlock(&tid_mu);
}

void on_event(const sse_event *ev, void *user) {
  (void)user;
  if (ev->process != atomic_load(&event_proc)) return;
  out_lock();
  if (D.json) {
    jbuf b;
    const char *name = "event";
    switch (ev->kind) {
    case SSE_EV_THREAD_CREATED: name = "thread_created"; break;
    case SSE_EV_THREAD_EXITED: name = "thread_exited"; break;
    case SSE_EV_PROCESS_EXITED: name = "process_exited"; break;
    case SSE_EV_SIGNAL: name = "signal"; break;
    case SSE_EV_EXEC: name = "exec"; break;
    default: break;
    }
    jb_begin(&b, name);
    jb_int(&b, "pid", sse_process_pid(ev->process));
    jb_int(&b, "tid", ev->tid);
    if (ev->kind == SSE_EV_THREAD_CREATED)
      jb_int(&b, "thread", thread_number(ev->tid));
    if (ev->kind == SSE_EV_SIGNAL) {
      jb_int(&b, "signo", ev->signo);
      jb_str(&b, "signal", signal_name(ev->signo));
    }
    if (ev->kind == SSE_EV_PROCESS_EXITED && ev->stop) {
      jb_str(&b, "reason", sse_stop_reason_name(ev->stop->reason));
      if (ev->stop->reason == SSE_STOP_EXITED)
        jb_int(&b, "exit_code", ev->stop->exit_status);
      else
        jb_int(&b, "signo", ev->stop->signo);
    }
    jb_end_print(&b);
  } else {
    switch (ev->kind) {
    case SSE_EV_THREAD_CREATED:
      say("[New Thread %d (LWP %d)]\n", thread_number(ev->tid), (int)ev->tid);
      break;
    case SSE_EV_THREAD_EXITED:
      say("[Thread %d (LWP %d) exited]\n", thread_number(ev->tid),
          (int)ev->tid);
      break;
    case SSE_EV_EXEC: {
      char link[64], exe[1024];
      snprintf(link, sizeof link, "/proc/%d/exe", (int)sse_process_pid(ev->process));
      ssize_t n = readlink(link, exe, sizeof exe - 1);
      exe[n > 0 ? n : 0] = 0;
      say("process %d is executing new program: %s\n",
          (int)sse_process_pid(ev->process), exe);
      break;
    }
    case SSE_EV_SIGNAL:
      /* handle SIG nostop print: gdb announces it and runs on; a signal
       * that stops is announced by its stop */
      if (!signal_stops(ev->signo) && signal_prints(ev->signo))
        print_signal_received(ev->tid, ev->signo);
      break;
    default: /* exits: the stop says it */
      break;
    }
  }
  out_unlock();
}
