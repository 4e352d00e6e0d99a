/* commands.c — the command table and every command of ssedemo.
 *
 * To add a command: write `static void cmd_xxx(char *args, int from_tty)`
 * and add one row to `commands[]` below. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "breakcmds.h"
#include "demo.h"

static bool quit_flag;
bool quit_requested(void) { return quit_flag; }

/* ------------------------------------------------------------ helpers */

static char *skip_ws(char *s) {
  while (*s && isspace((unsigned char)*s)) s++;
  return s;
}
static void rtrim(char *s) {
  size_t n = strlen(s);
  while (n && isspace((unsigned char)s[n - 1])) s[--n] = 0;
}

/* args without its blanks, or NULL after gdb's "Argument required (what)."
 * when there is nothing. */
static char *required_arg(char *args, const char *what) {
  args = skip_ws(args);
  rtrim(args);
  if (*args) return args;
  err_say("Argument required (%s).", what);
  return NULL;
}

static bool process_alive(void) {
  return D.proc && !sse_process_exited(D.proc);
}

static bool need_running(void) {
  if (!process_alive() || !D.started) {
    err_say("The program is not being run.");
    return false;
  }
  return true;
}

static sse_thread *cur_thread(void) {
  if (!D.proc) return NULL;
  if (D.cur && sse_thread_tid(D.cur) > 0) {
    sse_regs r;
    if (sse_get_regs(D.cur, &r) != SSE_E_NOTHREAD) return D.cur;
  }
  sse_thread *t = NULL;
  size_t n = 0;
  if (sse_process_threads(D.proc, &t, 1, &n) == SSE_OK && n > 0) D.cur = t;
  return D.cur;
}

static void lib_error(const char *what, sse_err e) {
  err_say("%s: %s", what, sse_strerror(e));
}

/* A stop made up from a thread's registers (after attach, thread switch). */
static void synth_stop(sse_thread *t, sse_stop_reason reason, sse_stop *s) {
  memset(s, 0, sizeof *s);
  s->reason = reason;
  s->process = D.proc;
  s->thread = t;
  s->pid = sse_process_pid(D.proc);
  s->tid = t ? sse_thread_tid(t) : 0;
  sse_regs r;
  if (t && sse_get_regs(t, &r) == SSE_OK) {
    s->pc = r.rip;
    s->sp = r.rsp;
  }
  s->loc.pc = s->pc;
  sse_lookup(D.proc, s->pc, &s->loc);
  s->loc.pc = s->pc;
}

static void delete_bp_entry(demo_bp *b);
static bool listed; /* `list` ran since the last stop */

/* Keep what is left of each breakpoint's ignore count before the process
 * goes: gdb's count lives in the breakpoint, across runs. */
static void sync_ignore_counts(void) {
  sse_breakpoint_info info[256];
  size_t n = 0;
  if (!D.proc || sse_break_list(D.proc, info, 256, &n) != SSE_OK) return;
  for (int i = 0; i < D.nbps; i++)
    for (size_t k = 0; k < n && k < 256; k++)
      if (D.bps[i].lib_id && info[k].id == D.bps[i].lib_id)
        D.bps[i].ignore = info[k].ignore;
}

/* Record and print a stop; the bookkeeping every stop needs. */
static void report_stop(sse_stop *s, int style, bool print) {
  sse_stop prev = D.last;
  bool had = D.have_last;
  listed = false;
  if (s->thread) D.cur = s->thread;
  D.frame = 0;
  D.nframes = 0;
  if (s->loc.file && s->loc.line > 0) {
    snprintf(D.list_file, sizeof D.list_file, "%s", s->loc.file);
    D.list_next = s->loc.line > 5 ? s->loc.line - 5 : 1;
  }
  if (print) breakcmds_stop(s);
  if (print) print_stop(s, had ? &prev : NULL, style);
  if (s->reason == SSE_STOP_BREAKPOINT)
    for (int i = 0; i < D.nbps; i++)
      if (!D.bps[i].deleted && D.bps[i].lib_id == s->breakpoint_id &&
          D.bps[i].temporary)
        delete_bp_entry(&D.bps[i]);
  if (s->reason == SSE_STOP_EXITED || s->reason == SSE_STOP_KILLED ||
      s->reason == SSE_STOP_DETACHED) {
    D.started = false;
    D.have_last = false;
    sync_ignore_counts();
    for (int i = 0; i < D.nbps; i++) D.bps[i].lib_id = 0;
    return;
  }
  D.last = *s;
  D.have_last = true;
}

static bool stop_ends_repeat(const sse_stop *s) {
  return s->reason != SSE_STOP_STEP && s->reason != SSE_STOP_NO_LINE;
}

/* ------------------------------------------------------------ expressions */

static const struct {
  const char *name;
  size_t off;
} reg_names[] = {
#define R(n) {#n, offsetof(sse_regs, n)}
    R(rax), R(rbx), R(rcx), R(rdx), R(rsi), R(rdi), R(rbp), R(rsp),
    R(r8),  R(r9),  R(r10), R(r11), R(r12), R(r13), R(r14), R(r15),
    R(rip), R(eflags), R(cs), R(ss), R(ds), R(es), R(fs), R(gs),
    R(fs_base), R(gs_base), R(orig_rax),
#undef R
};
#define NREGS (sizeof reg_names / sizeof reg_names[0])

static const char *reg_alias(const char *n) {
  if (!strcmp(n, "pc")) return "rip";
  if (!strcmp(n, "sp")) return "rsp";
  if (!strcmp(n, "fp")) return "rbp";
  return n;
}

static bool reg_value(const char *name, uint64_t *v) {
  name = reg_alias(name);
  sse_thread *t = cur_thread();
  sse_regs r;
  if (!t || sse_get_regs(t, &r) != SSE_OK) return false;
  for (size_t i = 0; i < NREGS; i++)
    if (!strcmp(reg_names[i].name, name)) {
      *v = *(uint64_t *)((char *)&r + reg_names[i].off);
      if (!strcmp(name, "rip") && D.frame > 0 && (size_t)D.frame < D.nframes)
        *v = D.frames[D.frame].pc;
      return true;
    }
  return false;
}

/* Address of a symbol: a function or a global of the program, else a
 * function of any module. */
static bool symbol_addr(const char *name, uint64_t *addr, uint64_t *size) {
  uint64_t entry, post;
  sse_symbol sym;
  size_t n = 0;
  if (process_alive() &&
      sse_symbols(D.proc, name, SSE_SYMBOLS_EXACT | SSE_SYMBOLS_EXECUTABLE,
                  &sym, 1, &n) == SSE_OK && n) {
    *addr = sym.addr;
    if (size) *size = sym.size;
    return true;
  }
  if (D.proc && sse_lookup_function(D.proc, name, &entry, &post) == SSE_OK) {
    *addr = entry;
    if (size) *size = 0;
    return true;
  }
  return false;
}

/* A tiny evaluator: terms (0x.., decimal, $reg, symbol, &symbol) joined by
 * + and -; a leading C cast "(type *)" is skipped (its size in *cast_size).
 * Prints the error itself. */
static bool eval_expr(const char *expr, uint64_t *out, int *cast_size) {
  const char *p = expr;
  uint64_t acc = 0;
  int sign = 1;
  if (cast_size) *cast_size = 0;
  while (isspace((unsigned char)*p)) p++;
  if (*p == '(') {
    const char *close = strchr(p, ')');
    if (close && memchr(p, '*', close - p)) {
      char type[64];
      size_t n = close - p - 1;
      if (n >= sizeof type) n = sizeof type - 1;
      memcpy(type, p + 1, n);
      type[n] = 0;
      int sz = 4;
      if (strstr(type, "**") || strstr(type, "long") || strstr(type, "64") ||
          strstr(type, "size_t") || strstr(type, "void"))
        sz = 8;
      else if (strstr(type, "char") || strstr(type, "int8"))
        sz = 1;
      else if (strstr(type, "short") || strstr(type, "16"))
        sz = 2;
      if (cast_size) *cast_size = sz;
      p = close + 1;
    }
  }
  bool any = false;
  for (;;) {
    while (isspace((unsigned char)*p)) p++;
    if (!*p) break;
    uint64_t v = 0;
    if (!any && *p == '-') { /* a leading minus: -1 */
      sign = -sign;
      p++;
      continue;
    }
    if (*p == '$') {
      char name[32];
      size_t n = 0;
      p++;
      while ((isalnum((unsigned char)*p) || *p == '_') && n < sizeof name - 1)
        name[n++] = *p++;
      name[n] = 0;
      if (!reg_value(name, &v)) {
        err_say("No register \"$%s\" (or no thread stopped).", name);
        return false;
      }
    } else if (isdigit((unsigned char)*p)) {
      char *end;
      errno = 0;
      v = strtoull(p, &end, 0);
      if (errno || (isalnum((unsigned char)*end) || *end == '_')) {
        err_say("Invalid number \"%s\".", p);
        return false;
      }
      p = end;
    } else if (*p == '&' || isalpha((unsigned char)*p) || *p == '_') {
      if (*p == '&') p++;
      char name[256];
      size_t n = 0;
      while ((isalnum((unsigned char)*p) || *p == '_' || *p == '.' ||
              *p == '@') && n < sizeof name - 1)
        name[n++] = *p++;
      name[n] = 0;
      if (!symbol_addr(name, &v, NULL)) {
        err_say("No symbol \"%s\" in current context.", name);
        return false;
      }
    } else {
      err_say("A syntax error in expression, near `%s'.", p);
      return false;
    }
    acc += sign > 0 ? v : -v;
    any = true;
    while (isspace((unsigned char)*p)) p++;
    if (*p == '+') {
      sign = 1;
      p++;
    } else if (*p == '-') {
      sign = -1;
      p++;
    } else if (*p) {
      err_say("A syntax error in expression, near `%s'.", p);
      return false;
    }
  }
  if (!any) {
    err_say("Argument required (expression to compute).");
    return false;
  }
  *out = acc;
  return true;
}

bool demo_eval(const char *expr, uint64_t *out) {
  return eval_expr(expr, out, NULL);
}

bool demo_query(const char *question, bool nquery) {
  const char *choices = nquery ? "(y or [n]) " : "(y or n) ";
  if (!D.interactive) {
    say("%s%s[answered %s; input not from terminal]\n", question, choices,
        nquery ? "N" : "Y");
    return !nquery;
  }
  for (;;) {
    say("%s%s", question, choices);
    char ans[64];
    if (!fgets(ans, sizeof ans, stdin)) {
      say("EOF [answered %s; input not from terminal]\n", nquery ? "N" : "Y");
      return !nquery;
    }
    char *a = skip_ws(ans);
    rtrim(a);
    if (*a == 'y' || *a == 'Y') return true;
    if (*a == 'n' || *a == 'N' || (nquery && !*a)) return false;
    say("Please answer y or n.\n");
  }
}

/* The default source file: the last stop's, else main's. */
static const char *default_file(void) {
  if (D.list_file[0]) return D.list_file;
  uint64_t entry, post;
  sse_location loc;
  if (D.proc && sse_lookup_function(D.proc, "main", &entry, &post) == SSE_OK &&
      sse_lookup(D.proc, post, &loc) == SSE_OK && loc.file) {
    snprintf(D.list_file, sizeof D.list_file, "%s", loc.file);
    D.list_next = loc.line > 5 ? loc.line - 5 : 1;
    return D.list_file;
  }
  return NULL;
}

static bool all_digits(const char *s) {
  if (!*s) return false;
  for (; *s; s++)
    if (!isdigit((unsigned char)*s)) return false;
  return true;
}

/* ------------------------------------------------------------ process */


/* Make p the session's process: spawned (started false: not run yet) or
 * attached (started: running already); its breakpoints go in. */
static void adopt_process(sse_process *p, bool attached) {
  D.proc = p;
  atomic_store(&event_proc, p);
  sse_signal_policy(p, SIGINT, true, false); /* like gdb: stop, nopass */
  D.attached = attached;
  D.started = attached;
  D.have_last = false;
  D.cur = NULL;
  D.frame = 0;
  D.nframes = 0;
  thread_numbers_reset();
  sse_thread *t = cur_thread();
  if (t) thread_number(sse_thread_tid(t));
  if (attached) signals_started();
  for (int i = 0; i < D.nbps; i++)
    if (!D.bps[i].deleted) install_bp(&D.bps[i], false);
}

/* A fresh process stopped at its first instruction, breakpoints inserted. */
static bool spawn_fresh(void) {
  if (D.attached) {
    err_say("Cannot restart an attached process.");
    return false;
  }
  sse_spawn_options o;
  sse_spawn_options_init(&o);
  if (D.json) o.stdout_fd = 2; /* keep stdout pure JSON */
  sse_process *p = NULL;
  int eno = 0;
  sse_err e = sse_spawn(D.eng, (const char *const *)D.argv, &o, &p, &eno);
  if (e) {
    if (e == SSE_E_EXEC)
      err_say("%s: %s.", D.argv[0], strerror(eno));
    else
      lib_error(D.argv[0], e);
    return false;
  }
  adopt_process(p, false);
  return true;
}

bool demo_spawn_initial(void) { return spawn_fresh(); }

/* TracerPid: of /proc/PID/status (0: none, -1: unreadable). */
static pid_t tracer_of(pid_t pid) {
  char p[64], line[256];
  snprintf(p, sizeof p, "/proc/%d/status", (int)pid);
  FILE *f = fopen(p, "r");
  if (!f) return -1;
  long t = -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "TracerPid: %ld", &t) == 1) break;
  fclose(f);
  return (pid_t)t;
}

static void cmd_frame(char *args, int tty);

sse_err demo_attach(pid_t pid, int *eno) {
  sse_process *p = NULL;
  *eno = 0;
  sse_err e = sse_attach(D.eng, pid, &p, eno);
  if (e == SSE_E_PERM) {
    /* gdb (linux-nat's attach) names the tracer that holds it */
    pid_t tracer = tracer_of(pid);
    if (tracer > 0)
      warn_say("process %d is already traced by process %d", (int)pid,
               (int)tracer);
    err_say("ptrace: Operation not permitted.");
    return e;
  }
  if (e) return e;
  adopt_process(p, true);
  if (!D.json) say("Attaching to process %d\n", (int)pid);
  /* show where it is, as a stop */
  char none[1] = "";
  cmd_frame(none, 1);
  return SSE_OK;
}

/* attach PID: gdb's, with the session's process (an idle spawned one goes
 * without a word; one that runs after a question). */
static void cmd_attach(char *args, int tty) {
  if (!(args = required_arg(args, "process-id to attach"))) return;
  uint64_t v;
  if (!eval_expr(args, &v, NULL)) return;
  if (process_alive() && D.started) {
    if (!demo_query("A program is being debugged already.  Kill it? ", false)) {
      err_say("Not killed.");
      return;
    }
  }
  if (process_alive()) {
    sync_ignore_counts();
    if (D.attached)
      sse_detach(D.proc);
    else
      sse_kill(D.proc);
  }
  D.started = false;
  D.have_last = false;
  for (int i = 0; i < D.nbps; i++) D.bps[i].lib_id = 0;
  int eno = 0;
  sse_err e = demo_attach((pid_t)v, &eno);
  if (e && e != SSE_E_PERM)
    err_say("ptrace: %s.", e == SSE_E_NOPROC ? "No such process"
                           : eno            ? strerror(eno)
                                            : sse_strerror(e));
}

static bool ensure_process(void) {
  if (process_alive()) return true;
  if (D.attached) {
    err_say("The program is not being run.");
    return false;
  }
  return spawn_fresh();
}

typedef struct resume_arg {
  int kind; /* 0 continue, 1 stepi, 2 step frame */
  sse_step_frame frame;
  sse_thread *t;
} resume_arg;

static sse_err start_resume(void *a) {
  resume_arg *r = a;
  if (r->kind == 0) return sse_continue_async(D.proc);
  if (r->kind == 1) return sse_step_instruction_async(r->t);
  return sse_step_async(r->t, &r->frame);
}

static bool do_resume(resume_arg *r, sse_stop *s) {
  memset(s, 0, sizeof *s);
  sse_err e = run_async(start_resume, r, s);
  if (e) {
    lib_error("Cannot resume", e);
    return false;
  }
  return true;
}

static void do_continue(void) {
  resume_arg r = {.kind = 0};
  sse_stop s;
  if (do_resume(&r, &s)) report_stop(&s, STOP_LINE, true);
}

static void print_starting(void) {
  if (D.json) return;
  /* gdb: "Starting program: %s %s\n", the path and the arguments (a
   * blank at the end when there are none) */
  say("Starting program: %s ", D.argv[0]);
  for (char **a = D.argv + 1; *a; a++) say("%s%s", a == D.argv + 1 ? "" : " ", *a);
  say("\n");
}

static void restart_if_started(void) {
  if (process_alive() && D.started) {
    sync_ignore_counts();
    sse_kill(D.proc);
  }
}

static void cmd_run(char *args, int tty) {
  restart_if_started();
  if (!ensure_process()) return;
  signals_started();
  print_starting();
  D.started = true;
  do_continue();
}

static void cmd_starti(char *args, int tty) {
  restart_if_started();
  if (!ensure_process()) return;
  signals_started();
  print_starting();
  D.started = true;
  sse_stop s;
  synth_stop(cur_thread(), SSE_STOP_SPAWNED, &s);
  report_stop(&s, STOP_LINE, true);
}


static void cmd_start(char *args, int tty) {
  restart_if_started();
  if (!ensure_process()) return;
  add_bp("main", true, false);
  signals_started();
  print_starting();
  D.started = true;
  do_continue();
}

static demo_bp *bp_by_lib_id(int lib_id);
static void set_ignore_count(demo_bp *b, long count, bool continuing);

/* continue N: ignore the breakpoint stopped at N-1 more times (gdb sets
 * the ignore count of every breakpoint in the last stop's bpstat). */
static void cmd_continue(char *args, int tty) {
  if (!need_running()) return;
  args = skip_ws(args);
  rtrim(args);
  if (*args) {
    uint64_t v;
    if (!eval_expr(args, &v, NULL)) return;
    demo_bp *b = NULL;
    if (D.have_last && (D.last.reason == SSE_STOP_BREAKPOINT ||
                        D.last.reason == SSE_STOP_WATCHPOINT))
      b = bp_by_lib_id(D.last.breakpoint_id);
    if (b)
      set_ignore_count(b, (long)(int64_t)v - 1, true);
    else
      say("Not stopped at any breakpoint; argument ignored.\n");
  }
  if (!D.json) say("Continuing.\n");
  do_continue();
}

static long count_arg(char *args) {
  args = skip_ws(args);
  if (!*args) return 1;
  char *end;
  long n = strtol(args, &end, 0);
  if (*skip_ws(end) || n < 1) {
    err_say("Invalid count \"%s\".", args);
    return -1;
  }
  return n;
}

static void step_n(char *args, int kind, sse_step_mode mode) {
  if (!need_running()) return;
  long n = count_arg(args);
  if (n < 0) return;
  sse_stop s;
  bool have = false;
  for (long i = 0; i < n; i++) {
    sse_thread *t = cur_thread();
    if (!t) {
      err_say("No thread selected.");
      break;
    }
    resume_arg r = {.kind = kind, .t = t, .frame = {.mode = mode}};
    if (!do_resume(&r, &s)) break;
    have = true;
    bool last = i + 1 == n || stop_ends_repeat(&s) || interrupt_pending();
    /* text: only the final stop (like gdb); JSON: every stop */
    report_stop(&s,
                kind == 1 || mode == SSE_STEP_OVER_INSTRUCTION ? STOP_INSN
                                                               : STOP_LINE,
                last || D.json);
    if (last) break;
  }
  (void)have;
}

static void cmd_step(char *a, int t) { step_n(a, 2, SSE_STEP_LINE); }
static void cmd_next(char *a, int t) { step_n(a, 2, SSE_NEXT_LINE); }
static void cmd_stepi(char *a, int t) { step_n(a, 1, SSE_STEP_INSTRUCTION); }
static void cmd_nexti(char *a, int t) {
  step_n(a, 2, SSE_STEP_OVER_INSTRUCTION);
}

static bool get_frames(void);

/* finish: the selected frame returns (gdb: after `up`, "Run till exit
 * from #1 ..."); main, where the frames shown end, has no caller. */
static void cmd_finish(char *args, int tty) {
  if (!need_running()) return;
  sse_thread *t = cur_thread();
  if (!get_frames()) return;
  size_t k = (size_t)D.frame < D.nframes ? (size_t)D.frame : 0;
  const sse_frame *f = &D.frames[k];
  if (k + 1 >= D.nframes && !f->inlined) {
    err_say("\"finish\" not meaningful in the outermost frame.");
    return;
  }
  /* The function left: a caller's real frame (one with a real frame
   * inward of it) has its return address as pc. */
  bool caller = false;
  for (size_t j = 0; j < k; j++) caller |= !D.frames[j].inlined;
  if (k > 0 && (f->signal_frame || f[-1].signal_frame)) caller = false;
  values_finish_begin(f->pc - caller);
  if (!D.json) {
    say("Run till exit from ");
    print_frame_line(k, f);
  }
  resume_arg r = {.kind = 2, .t = t, .frame = {.mode = SSE_FINISH, .frame = k}};
  sse_stop s;
  memset(&s, 0, sizeof s);
  sse_err e = run_async(start_resume, &r, &s);
  if (e == SSE_E_INVAL)
    err_say("\"finish\" not meaningful in the outermost frame.");
  else if (e)
    lib_error("Cannot resume", e);
  else
    report_stop(&s, STOP_LINE, true);
}

/* Address of a location spec: *EXPR, FUNC, FILE:LINE, LINE. */
static bool location_addr(char *spec, uint64_t *addr) {
  spec = skip_ws(spec);
  rtrim(spec);
  if (*spec == '*') return eval_expr(spec + 1, addr, NULL);
  char *colon = strrchr(spec, ':');
  if (all_digits(spec) || (colon && all_digits(colon + 1))) {
    char file[4096];
    int line;
    if (colon) {
      snprintf(file, sizeof file, "%.*s", (int)(colon - spec), spec);
      line = atoi(colon + 1);
    } else {
      const char *f = default_file();
      if (!f) {
        err_say("No default source file.");
        return false;
      }
      snprintf(file, sizeof file, "%s", f);
      line = atoi(spec);
    }
    int id;
    sse_err e = sse_break_line(D.proc, file, line, &id);
    if (e) {
      err_say("No line %d in file \"%s\".", line, base_name(file));
      return false;
    }
    sse_breakpoint_info info[16];
    size_t n = 0;
    bool ok = false;
    if (sse_break_list(D.proc, info, 16, &n) == SSE_OK)
      for (size_t i = 0; i < n && i < 16; i++)
        if (info[i].id == id && info[i].naddrs) {
          *addr = info[i].addrs[0];
          ok = true;
        }
    sse_break_remove(D.proc, id);
    if (!ok) err_say("No line %d in file \"%s\".", line, base_name(file));
    return ok;
  }
  uint64_t entry, post;
  if (sse_lookup_function(D.proc, spec, &entry, &post) == SSE_OK) {
    *addr = post;
    return true;
  }
  err_say("Function \"%s\" not defined.", spec);
  return false;
}

static void cmd_until(char *args, int tty) {
  if (!need_running()) return;
  args = skip_ws(args);
  sse_stop s;
  if (*args) {
    uint64_t addr;
    if (!location_addr(args, &addr)) return;
    resume_arg r = {.kind = 2, .t = cur_thread(),
                    .frame = {.mode = SSE_STEP_UNTIL, .until = addr}};
    if (do_resume(&r, &s)) report_stop(&s, STOP_FULL, true);
    return;
  }
  /* `until` alone: like next, but do not stop on a jump backwards (the end
   * of a loop): keep going until a line after the current one, or the
   * function returns. */
  const char *fn0 = D.last.loc.function;
  int line0 = D.last.loc.line;
  for (int i = 0; i < 100000; i++) {
    resume_arg r = {.kind = 2, .t = cur_thread(),
                    .frame = {.mode = SSE_NEXT_LINE}};
    if (!do_resume(&r, &s)) return;
    bool same = fn0 && s.loc.function && !strcmp(fn0, s.loc.function);
    if (stop_ends_repeat(&s) || interrupt_pending() || !same ||
        s.loc.line > line0 || s.loc.line <= 0) {
      report_stop(&s, STOP_LINE, true);
      return;
    }
    report_stop(&s, STOP_LINE, D.json);
  }
}

static void cmd_advance(char *args, int tty) {
  if (!*skip_ws(args)) {
    err_say("Argument required (a location).");
    return;
  }
  cmd_until(args, tty);
}

/* kill and detach: end the session with the process the same way. */
static void end_process(sse_err (*fn)(sse_process *), const char *what) {
  if (!need_running()) return;
  pid_t pid = sse_process_pid(D.proc);
  sync_ignore_counts();
  sse_err e = fn(D.proc);
  if (e) {
    lib_error(what, e);
    return;
  }
  D.started = false;
  D.have_last = false;
  for (int i = 0; i < D.nbps; i++) D.bps[i].lib_id = 0;
  if (D.json) {
    jbuf b;
    jb_begin(&b, strcmp(what, "kill") == 0 ? "killed" : "detached");
    jb_int(&b, "pid", pid);
    jb_end_print(&b);
  } else {
    say("[Inferior 1 (process %d) %s]\n", (int)pid,
        strcmp(what, "kill") == 0 ? "killed" : "detached");
  }
}

static void cmd_kill(char *args, int tty) { end_process(sse_kill, "kill"); }

static void cmd_detach(char *args, int tty) {
  end_process(sse_detach, "detach");
}

static void cmd_quit(char *args, int tty) { quit_flag = true; }

/* echo TEXT: gdb's C escapes, no newline of its own. */
static void cmd_echo(char *args, int tty) {
  args = skip_ws(args);
  char *out = malloc(strlen(args) + 1);
  size_t n = 0;
  for (char *p = args; *p; p++) {
    if (*p != '\\') {
      out[n++] = *p;
      continue;
    }
    p++;
    if (!*p) break; /* a backslash at the end: nothing (gdb) */
    switch (*p) {
    case 'n': out[n++] = '\n'; break;
    case 't': out[n++] = '\t'; break;
    case 'b': out[n++] = '\b'; break;
    case 'r': out[n++] = '\r'; break;
    case 'f': out[n++] = '\f'; break;
    case 'v': out[n++] = '\v'; break;
    case 'a': out[n++] = '\a'; break;
    case 'e': out[n++] = '\033'; break;
    default:
      if (*p >= '0' && *p <= '7') {
        int v = 0;
        for (int k = 0; k < 3 && *p >= '0' && *p <= '7'; k++, p++)
          v = v * 8 + (*p - '0');
        p--;
        out[n++] = (char)v;
      } else {
        out[n++] = *p;
      }
    }
  }
  out[n] = 0;
  if (n) say("%s", out);
  free(out);
}

/* shell CMD, !CMD: gdb runs CMD with /bin/sh -c ($SHELL for a bare shell)
 * on ssedemo's own terminal. --json keeps stdout to JSON objects: the
 * command's output comes back as output events. */
static void cmd_shell(char *args, int tty) {
  args = skip_ws(args);
  fflush(stdout);
  fflush(stderr);
  if (!*args) {
    const char *sh = getenv("SHELL");
    args = (char *)(sh && *sh ? sh : "/bin/sh");
  }
  if (!D.json) {
    pid_t pid = fork();
    if (pid < 0) {
      err_say("Cannot fork: %s.", strerror(errno));
      return;
    }
    if (pid == 0) {
      /* the child gets back what ssedemo blocks (SIGINT, for its watcher) */
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, NULL);
      signal(SIGINT, SIG_DFL);
      execl("/bin/sh", "sh", "-c", args, (char *)NULL);
      _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    return;
  }
  FILE *f = popen(args, "r");
  if (!f) {
    err_say("Cannot run the shell: %s.", strerror(errno));
    return;
  }
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, f)) > 0) {
    line[strcspn(line, "\n")] = 0;
    say("%s\n", line);
  }
  free(line);
  pclose(f);
}

/* ------------------------------------------------------------ breakpoints */

static void delete_bp_entry(demo_bp *b) {
  if (b->lib_id && process_alive()) sse_break_remove(D.proc, b->lib_id);
  b->lib_id = 0;
  b->deleted = true;
}

/* Whether gdb would have a symbol table now: a module with debug info
 * (before `run` only the program counts: gdb has read no library yet).
 * gdb says "No symbol table is loaded" when it has none. */
static bool any_debuginfo(void) {
  sse_module_info m[64];
  size_t n = 0;
  char prog[4096] = "";
  if (!D.proc || sse_modules(D.proc, m, 64, &n) != SSE_OK) return false;
  if (!D.started && D.argv && D.argv[0] && !realpath(D.argv[0], prog)) prog[0] = 0;
  for (size_t i = 0; i < n && i < 64; i++)
    if (m[i].has_debuginfo && (D.started || !strcmp(m[i].path, prog))) return true;
  return false;
}

static void announce_bp(demo_bp *b) {
  if (b->catch_kinds) return catch_announce(b);
  sse_breakpoint_info info[64];
  size_t n = 0;
  const sse_breakpoint_info *me = NULL;
  if (b->lib_id && sse_break_list(D.proc, info, 64, &n) == SSE_OK)
    for (size_t i = 0; i < n && i < 64; i++)
      if (info[i].id == b->lib_id) me = &info[i];
  const char *kind = b->watch ? "Hardware watchpoint"
                     : b->temporary ? "Temporary breakpoint" : "Breakpoint";
  if (D.json) {
    jbuf j;
    jb_begin(&j, b->watch ? "watchpoint" : "breakpoint");
    jb_int(&j, "number", b->num);
    jb_str(&j, "spec", b->spec);
    jb_bool(&j, "pending", !me || me->pending);
    jb_bool(&j, "temporary", b->temporary);
    if (b->watch) {
      jb_hex(&j, "addr", b->watch_addr);
      jb_int(&j, "len", b->watch_len);
    } else if (me && me->naddrs) {
      sse_location loc;
      jb_hex(&j, "pc", me->addrs[0]);
      jb_int(&j, "locations", (long long)me->naddrs);
      if (sse_lookup(D.proc, me->addrs[0], &loc) == SSE_OK) {
        jb_str(&j, "function", loc.function);
        jb_str(&j, "file", loc.file);
        jb_int(&j, "line", loc.line);
      }
    }
    jb_end_print(&j);
    return;
  }
  if (b->watch) {
    say("%s %d: %s\n", kind, b->num, b->spec);
    return;
  }
  if (!me || me->pending || !me->naddrs) {
    const char *colon = strrchr(b->spec, ':');
    if (colon && colon > b->spec && colon[-1] != ':' && all_digits(colon + 1) &&
        !any_debuginfo())
      say("No symbol table is loaded.  Use the \"file\" command.\n");
    else if (colon && colon > b->spec && colon[-1] != ':' && all_digits(colon + 1))
      say("No source file named %.*s.\n", (int)(colon - b->spec), b->spec);
    else
      say("Function \"%s\" not defined.\n", b->spec);
    say("%s %d (%s) pending.\n", kind, b->num, b->spec);
    return;
  }
  sse_location loc;
  if (me->naddrs > 1)
    say("%s %d at 0x%llx: %s. (%zu locations)\n", kind, b->num,
        (unsigned long long)me->addrs[0], b->spec, me->naddrs);
  else if (sse_lookup(D.proc, me->addrs[0], &loc) == SSE_OK && loc.file &&
      loc.line > 0)
    say("%s %d at 0x%llx: file %s, line %d.\n", kind, b->num,
        (unsigned long long)me->addrs[0], base_name(loc.file), loc.line);
  else
    say("%s %d at 0x%llx\n", kind, b->num, (unsigned long long)me->addrs[0]);
}

void install_bp(demo_bp *b, bool announce) {
  sse_err e = SSE_OK;
  int id = 0;
  char *spec = b->spec;
  if (b->catch_kinds) {
    e = sse_catch(D.proc, b->catch_kinds, &id);
  } else if (b->watch) {
    e = sse_watch(D.proc, b->watch_addr, b->watch_len, SSE_WATCH_WRITE, &id);
    if (!e) {
      b->watch_old = 0;
      sse_read_memory(D.proc, b->watch_addr, &b->watch_old, b->watch_len,
                      NULL);
    }
  } else if (*spec == '*') {
    uint64_t addr;
    if (!eval_expr(spec + 1, &addr, NULL)) return;
    e = sse_break_address(D.proc, addr, &id);
  } else {
    char *colon = strrchr(spec, ':');
    if (colon && all_digits(colon + 1)) {
      char file[4096];
      snprintf(file, sizeof file, "%.*s", (int)(colon - spec), spec);
      e = D.bp_pending == 1 ? sse_break_line_pending(D.proc, file, atoi(colon + 1), &id)
                            : sse_break_line(D.proc, file, atoi(colon + 1), &id);
    } else {
      e = sse_break_function(D.proc, spec, true, &id);
    }
  }
  if (e) {
    if (e == SSE_E_NOLINE || e == SSE_E_NOSYM)
      err_say("%s: %s", b->spec, sse_strerror(e));
    else
      lib_error(b->spec, e);
    b->lib_id = 0;
    return;
  }
  b->lib_id = id;
  if (!b->enabled) sse_break_enable(D.proc, id, false);
  if (b->ignore) sse_break_ignore(D.proc, id, b->ignore);
  breakcmds_installed(b);
  if (announce) announce_bp(b);
}

/* Returns the new number, or 0. */
int add_bp(const char *spec, bool temporary, bool watch) {
  if (D.nbps == D.capbps) {
    D.capbps = D.capbps ? D.capbps * 2 : 16;
    D.bps = realloc(D.bps, D.capbps * sizeof *D.bps);
  }
  demo_bp *b = &D.bps[D.nbps];
  memset(b, 0, sizeof *b);
  b->num = ++D.next_bp;
  b->spec = strdup(spec);
  b->enabled = true;
  b->temporary = temporary;
  b->watch = watch;
  D.nbps++;
  return b->num;
}

/* gdb's default line of a linespec: the line of the frame last shown (the
 * selected one at a stop), else the current source line: after `list` the
 * one after the last listed, before that main's line less 9 (gdb's
 * select_source_symtab). 0 when there is none. */
static int default_line(void) {
  if (D.have_last && D.started) {
    if (D.frame > 0 && (size_t)D.frame < D.nframes &&
        D.frames[D.frame].loc.line > 0)
      return D.frames[D.frame].loc.line;
    if (D.last.loc.line > 0) return D.last.loc.line;
  }
  if (listed && D.list_next > 0) return D.list_next;
  uint64_t entry, post;
  sse_location loc;
  if (D.proc && sse_lookup_function(D.proc, "main", &entry, &post) == SSE_OK &&
      sse_lookup(D.proc, post, &loc) == SSE_OK && loc.line > 0)
    return loc.line > 9 ? loc.line - 9 : 1;
  return 0;
}

/* The file of the frame default_line() takes its line from. */
static const char *default_line_file(void) {
  if (D.have_last && D.started) {
    if (D.frame > 0 && (size_t)D.frame < D.nframes &&
        D.frames[D.frame].loc.file && D.frames[D.frame].loc.line > 0)
      return D.frames[D.frame].loc.file;
    if (D.last.loc.file && D.last.loc.line > 0) return D.last.loc.file;
  }
  return default_file();
}

/* A linespec number token: [+-]digits, ending the spec or followed by a
 * blank, ':' or ','. Its end in *end. */
static bool number_token(const char *s, const char **end) {
  const char *p = s;
  bool sign = *p == '+' || *p == '-';
  if (sign) p++;
  if (!isdigit((unsigned char)*p) && !(sign && (!*p || isspace((unsigned char)*p))))
    return false; /* a bare + or - is an offset of 0 */
  while (isdigit((unsigned char)*p)) p++;
  if (*p && !isspace((unsigned char)*p) && *p != ':' && *p != ',') return false;
  *end = p;
  return true;
}

/* gdb's "malformed linespec error: unexpected ..." for what follows a
 * complete location (rest: past the blanks). */
static bool unexpected_token(const char *rest) {
  const char *end;
  if (!*rest) {
    err_say("malformed linespec error: unexpected end of input");
  } else if (*rest == ':') {
    err_say("malformed linespec error: unexpected colon");
  } else if (*rest == ',') {
    err_say("malformed linespec error: unexpected comma");
  } else {
    size_t n = strcspn(rest, " \t:,");
    err_say("malformed linespec error: unexpected %s, \"%.*s\"",
            number_token(rest, &end) ? "number" : "string", (int)n, rest);
  }
  return false;
}

/* gdb asks whether to make a breakpoint it cannot place pending; sse makes
 * a FILE:... one pending never, so the answer changes nothing here. */
static bool pending_query(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
/* Returns false: no breakpoint is made. */
static bool pending_query(const char *fmt, ...) {
  char why[4300], q[4400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  snprintf(q, sizeof q,
           "%s\nMake breakpoint pending on future shared library load? ", why);
  demo_query(q, true);
  return false;
}

/* The line of a line offset: gdb's +0 is +5 and -0 is -15. */
static int offset_line(const char *tok, int base) {
  int off = atoi(tok + 1);
  if (*tok == '+') return base + (off ? off : 5);
  return base - (off ? off : 15);
}

/* Check a linespec as gdb's parser does, for the forms sse has no call
 * for, and write the one install_bp takes to spec: FILE:LINE, FUNC or
 * *ADDR. Prints gdb's error and returns false for a malformed one. */
static bool parse_linespec(const char *args, char *spec, size_t n) {
  const char *end;
  char tok[4096];
  if (*args == '*' || !*args) {
    snprintf(spec, n, "%s", args);
    return true;
  }
  if (*args == ':') {
    return unexpected_token(args);
  }
  if (number_token(args, &end)) {
    const char *rest = skip_ws((char *)end);
    if (*rest) {
      return unexpected_token(rest);
    }
    const char *f = default_line_file();
    int base = default_line();
    if (!f || (!base && !isdigit((unsigned char)*args))) {
      err_say("No symbol table is loaded.  Use the \"file\" command.");
      return false;
    }
    int line = isdigit((unsigned char)*args) ? atoi(args)
                                             : offset_line(args, base);
    if (line <= 0) {
      return pending_query("No line %d in the current file.", line);
    }
    snprintf(spec, n, "%s:%d", f, line);
    return true;
  }
  const char *colon = strchr(args, ':');
  if (!colon || colon[1] == ':') { /* a function (C++'s A::b too) */
    snprintf(spec, n, "%s", args);
    return true;
  }
  snprintf(tok, sizeof tok, "%.*s", (int)(colon - args), args);
  rtrim(tok);
  const char *rest = skip_ws((char *)colon + 1);
  const char *path;
  bool is_file = D.proc && sse_source_path(D.proc, tok, &path) == SSE_OK;
  uint64_t entry, post;
  if (!is_file) {
    /* gdb tries FILE as a function: `main:` is then incomplete */
    if (D.proc && sse_lookup_function(D.proc, tok, &entry, &post) == SSE_OK) {
      if (!*rest) {
        return unexpected_token(rest);
      }
      snprintf(spec, n, "%s", args);
      return true;
    }
    if (D.bp_pending == 1 && number_token(rest, &end) && !*skip_ws((char *)end)) {
      /* pending on: gdb makes FILE:LINE pending (a library, JIT code) */
      snprintf(spec, n, "%s:%d", tok, atoi(*rest == '+' ? rest + 1 : rest));
      return true;
    }
    return pending_query("No source file named %s.", tok);
  }
  if (!*rest) {
    return unexpected_token(rest);
  }
  if (number_token(rest, &end)) {
    const char *after = skip_ws((char *)end);
    if (*after) {
      return unexpected_token(after);
    }
    int line = atoi(*rest == '+' ? rest + 1 : rest);
    if (line <= 0) {
      return pending_query("No line %d in file \"%s\".", line, tok);
    }
    snprintf(spec, n, "%s:%d", tok, line);
    return true;
  }
  /* FILE:FUNCTION: the function, when it is in that file */
  sse_location loc;
  if (D.proc && sse_lookup_function(D.proc, rest, &entry, &post) == SSE_OK &&
      sse_lookup(D.proc, post, &loc) == SSE_OK && loc.file &&
      !strcmp(loc.file, path)) {
    snprintf(spec, n, "%s", rest);
    return true;
  }
  return pending_query("Function \"%s\" not defined in \"%s\".", rest, tok);
}

static void break_common(char *args, bool temporary) {
  if (!ensure_process()) return;
  args = skip_ws(args);
  rtrim(args);
  char spec[4200];
  if (!*args) {
    /* break at the current pc */
    if (!D.have_last) {
      err_say("No default breakpoint address now.");
      return;
    }
    snprintf(spec, sizeof spec, "*0x%llx", (unsigned long long)D.last.pc);
  } else if (!parse_linespec(args, spec, sizeof spec)) {
    return;
  }
  /* Check the spec first so a typo leaves no numbered breakpoint behind. */
  if (spec[0] == '*') {
    uint64_t a;
    if (!eval_expr(spec + 1, &a, NULL)) return;
  } else if (!strchr(spec, ':') &&
             (D.started || !(isalpha((unsigned char)spec[0]) ||
                             spec[0] == '_' || spec[0] == '$'))) {
    /* Once the program runs its libraries are loaded: an unknown name is a
     * typo. Before `run`, it may be in a library: make it pending. */
    uint64_t e, p;
    if (sse_lookup_function(D.proc, spec, &e, &p) != SSE_OK && D.bp_pending != 1) {
      pending_query("Function \"%s\" not defined.", spec);
      return;
    }
  }
  int num = add_bp(spec, temporary, false);
  demo_bp *b = &D.bps[D.nbps - 1];
  install_bp(b, true);
  if (!b->lib_id) {
    b->deleted = true;
    if (D.next_bp == num) D.next_bp--;
  }
}

void cmd_break(char *a, int t) { break_common(a, false); }
void cmd_tbreak(char *a, int t) { break_common(a, true); }

void cmd_watch(char *args, int tty) {
  if (!need_running()) return;
  args = skip_ws(args);
  if (!strncmp(args, "-location ", 10)) args = skip_ws(args + 10);
  if (!strncmp(args, "-l ", 3)) args = skip_ws(args + 3);
  rtrim(args);
  if (!*args) {
    err_say("Argument required (expression to compute).");
    return;
  }
  uint64_t addr;
  int len = 0;
  if (*args == '*') {
    int cast = 0;
    if (!eval_expr(args + 1, &addr, &cast)) return;
    len = cast ? cast : 4;
  } else {
    uint64_t size = 0;
    if (!symbol_addr(args, &addr, &size)) {
      err_say("No symbol \"%s\" in current context.", args);
      return;
    }
    len = (int)size;
    if (len != 1 && len != 2 && len != 4 && len != 8) {
      err_say("Cannot watch \"%s\": size %d (watch 1, 2, 4 or 8 bytes; use "
              "watch *(long*)ADDR).", args, len);
      return;
    }
  }
  if (addr % len) {
    err_say("Cannot watch 0x%llx: not aligned to its size %d.",
            (unsigned long long)addr, len);
    return;
  }
  add_bp(args, false, true);
  demo_bp *b = &D.bps[D.nbps - 1];
  b->watch_addr = addr;
  b->watch_len = len;
  install_bp(b, true);
  if (!b->lib_id) {
    b->deleted = true;
    D.next_bp--;
  }
}

static demo_bp *bp_by_num(int num) {
  for (int i = 0; i < D.nbps; i++)
    if (D.bps[i].num == num && !D.bps[i].deleted) return &D.bps[i];
  return NULL;
}

static void for_each_bp_arg(char *args, void (*fn)(demo_bp *, void *),
                            void *ctx, bool all_when_empty) {
  args = skip_ws(args);
  if (!strncmp(args, "breakpoints", 11)) args = skip_ws(args + 11);
  if (!*args) {
    if (!all_when_empty) {
      err_say("Argument required (breakpoint number).");
      return;
    }
    for (int i = 0; i < D.nbps; i++)
      if (!D.bps[i].deleted) fn(&D.bps[i], ctx);
    return;
  }
  char *save, *tok = strtok_r(args, " \t", &save);
  for (; tok; tok = strtok_r(NULL, " \t", &save)) {
    if (!all_digits(tok)) {
      err_say("Convenience variable must have integer value.\n"
              "Bad breakpoint argument: '%s'", tok);
      continue;
    }
    demo_bp *b = bp_by_num(atoi(tok));
    if (!b)
      err_say("No breakpoint number %s.", tok);
    else
      fn(b, ctx);
  }
}

static demo_bp *bp_by_lib_id(int lib_id) {
  for (int i = 0; i < D.nbps; i++)
    if (!D.bps[i].deleted && D.bps[i].lib_id == lib_id && lib_id)
      return &D.bps[i];
  return NULL;
}

/* gdb's set_ignore_count and its message; continuing: `continue N`, whose
 * message goes on with "  Continuing." on the same line. */
static void set_ignore_count(demo_bp *b, long count, bool continuing) {
  if (count < 0) count = 0;
  if (count > INT_MAX) count = INT_MAX;
  b->ignore = (unsigned)count;
  if (b->lib_id && process_alive()) {
    sse_err e = sse_break_ignore(D.proc, b->lib_id, (unsigned)count);
    if (e) {
      lib_error("ignore", e);
      return;
    }
  }
  if (D.json) {
    jbuf j;
    jb_begin(&j, "ignore");
    jb_int(&j, "number", b->num);
    jb_int(&j, "count", count);
    jb_end_print(&j);
    return;
  }
  if (count == 0)
    say("Will stop next time breakpoint %d is reached.", b->num);
  else if (count == 1)
    say("Will ignore next crossing of breakpoint %d.", b->num);
  else
    say("Will ignore next %ld crossings of breakpoint %d.", count, b->num);
  say(continuing ? "  " : "\n");
}

/* ignore N COUNT */
static void cmd_ignore(char *args, int tty) {
  if (!(args = required_arg(args, "a breakpoint number"))) return;
  char *end;
  long num = isdigit((unsigned char)*args) ? strtol(args, &end, 10) : 0;
  if (num <= 0 || (*end && !isspace((unsigned char)*end))) {
    err_say("bad breakpoint number: '%s'", args);
    return;
  }
  char *rest = skip_ws(end);
  if (!*rest) {
    err_say("Second argument (specified ignore-count) is missing.");
    return;
  }
  uint64_t v;
  if (!eval_expr(rest, &v, NULL)) return;
  demo_bp *b = bp_by_num((int)num);
  if (!b) {
    err_say("No breakpoint number %ld.", num);
    return;
  }
  set_ignore_count(b, (long)(int64_t)v, false);
}

static void del_one(demo_bp *b, void *ctx) { delete_bp_entry(b); }
static void en_one(demo_bp *b, void *ctx) {
  b->enabled = *(bool *)ctx;
  if (b->lib_id && process_alive())
    sse_break_enable(D.proc, b->lib_id, b->enabled);
}
/* delete/enable/disable: N.M and N.M-K tokens are locations (bptable.c;
 * loc says what to do with one: for delete, gdb's refusal; v: enable),
 * the others go to for_each_bp_arg with fn. */
static void bp_args(char *a, bool (*loc)(const char *tok, bool v), bool v,
                    void (*fn)(demo_bp *, void *)) {
  char rest[4096] = "";
  size_t k = 0;
  bool any = false;
  char *save, *tok = strtok_r(a, " \t", &save);
  for (; tok; tok = strtok_r(NULL, " \t", &save), any = true)
    if (!loc(tok, v) && k + strlen(tok) + 2 < sizeof rest)
      k += (size_t)snprintf(rest + k, sizeof rest - k, "%s ", tok);
  if (k || !any) for_each_bp_arg(rest, fn, &v, true);
}
static void cmd_delete(char *a, int t) { bp_args(a, bptable_delete_location, false, del_one); }
static void cmd_enable(char *a, int t) { bp_args(a, bptable_location_arg, true, en_one); }
static void cmd_disable(char *a, int t) { bp_args(a, bptable_location_arg, false, en_one); }

static void info_breakpoints(char *args) { bptable_info(args); }

/* ------------------------------------------------------------ frames */

static bool get_frames(void) {
  if (D.nframes) return true;
  sse_thread *t = cur_thread();
  if (!t) return false;
  size_t n = 0;
  sse_err e = sse_backtrace(t, D.frames, 64, &n);
  if (e && !n) {
    lib_error("backtrace", e);
    return false;
  }
  D.nframes = frames_to_main(D.frames, n > 64 ? 64 : n);
  return D.nframes > 0;
}

static void cmd_backtrace(char *args, int tty) {
  if (!need_running()) return;
  args = skip_ws(args);
  if (!strncmp(args, "full", 4)) args = skip_ws(args + 4);
  long max = 64;
  if (*args) {
    char *end;
    max = strtol(args, &end, 0);
    if (*skip_ws(end) || max < 1) {
      err_say("Invalid count \"%s\".", args);
      return;
    }
  }
  sse_thread *t = cur_thread();
  sse_frame *fr = calloc(1024, sizeof *fr);
  size_t n = 0;
  sse_err e = sse_backtrace(t, fr, 1024, &n);
  if (e && !n) {
    lib_error("backtrace", e);
    free(fr);
    return;
  }
  if (n > 1024) n = 1024;
  n = frames_to_main(fr, n);
  D.nframes = n > 64 ? 64 : n;
  memcpy(D.frames, fr, D.nframes * sizeof *fr);
  size_t show = (size_t)max < n ? (size_t)max : n;
  if (D.json) {
    print_backtrace_json(fr, show);
  } else {
    for (size_t i = 0; i < show; i++) print_frame_line(i, &fr[i]);
    if (show < n) say("(More stack frames follow...)\n");
  }
  free(fr);
}

static void show_frame(void) {
  sse_frame *f = &D.frames[D.frame];
  if (D.json) {
    jbuf j;
    jb_begin(&j, "frame");
    jb_int(&j, "level", D.frame);
    jb_hex(&j, "pc", f->pc);
    jb_str(&j, "function", f->loc.function);
    jb_str(&j, "file", f->loc.file);
    jb_int(&j, "line", f->loc.line);
    jb_end_print(&j);
  } else {
    print_frame_line(D.frame, f);
    if (f->loc.file && f->loc.line > 0)
      print_source_line(f->loc.file, f->loc.line, f->pc, false);
  }
  if (f->loc.file && f->loc.line > 0) {
    snprintf(D.list_file, sizeof D.list_file, "%s", f->loc.file);
    D.list_next = f->loc.line > 5 ? f->loc.line - 5 : 1;
  }
}

static void select_frame(long n) {
  if (!need_running() || !get_frames()) return;
  if (n < 0) {
    err_say("Bottom (innermost) frame selected; you cannot go down.");
    return;
  }
  if ((size_t)n >= D.nframes) {
    if (D.frame == (int)D.nframes - 1)
      err_say("Initial frame selected; you cannot go up.");
    else
      err_say("No frame at level %ld.", n);
    return;
  }
  D.frame = (int)n;
  show_frame();
}

static void cmd_frame(char *args, int tty) {
  args = skip_ws(args);
  if (!*args) {
    if (need_running() && get_frames()) show_frame();
    return;
  }
  if (!all_digits(args)) {
    err_say("Invalid frame number \"%s\".", args);
    return;
  }
  select_frame(atol(args));
}
static void cmd_up(char *args, int tty) {
  long n = count_arg(args);
  if (n > 0) select_frame(D.frame + n);
}
static void cmd_down(char *args, int tty) {
  long n = count_arg(args);
  if (n > 0) select_frame(D.frame - n);
}

/* ------------------------------------------------------------ info */

static void info_registers(char *args) {
  if (!need_running()) return;
  sse_thread *t = cur_thread();
  sse_regs r;
  sse_err e = sse_get_regs(t, &r);
  if (e) {
    lib_error("registers", e);
    return;
  }
  static const char *order[] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi",
                                "rbp", "rsp", "r8",  "r9",  "r10", "r11",
                                "r12", "r13", "r14", "r15", "rip", "eflags",
                                "cs",  "ss",  "ds",  "es",  "fs",  "gs",
                                "fs_base", "gs_base"};
  const char *want[64];
  int nwant = 0;
  char *save, *tok;
  for (tok = strtok_r(args, " \t", &save); tok && nwant < 64;
       tok = strtok_r(NULL, " \t", &save)) {
    if (*tok == '$') tok++;
    want[nwant++] = reg_alias(tok);
  }
  if (!nwant)
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
      want[nwant++] = order[i];
  jbuf j, regs;
  if (D.json) {
    jb_begin(&j, "registers");
    jb_int(&j, "tid", sse_thread_tid(t));
    jb_begin(&regs, NULL);
  }
  for (int i = 0; i < nwant; i++) {
    size_t k;
    for (k = 0; k < NREGS; k++)
      if (!strcmp(reg_names[k].name, want[i])) break;
    if (k == NREGS) {
      err_say("Invalid register `%s'", want[i]);
      continue;
    }
    uint64_t v = *(uint64_t *)((char *)&r + reg_names[k].off);
    if (D.json) {
      jb_hex(&regs, want[i], v);
      continue;
    }
    char nat[256];
    if (!strcmp(want[i], "rip")) {
      char sym[200];
      symbolize(v, sym, sizeof sym);
      snprintf(nat, sizeof nat, "0x%llx%s", (unsigned long long)v, sym);
    } else if (!strcmp(want[i], "rsp") || !strcmp(want[i], "rbp") ||
               !strcmp(want[i], "fs_base") || !strcmp(want[i], "gs_base")) {
      snprintf(nat, sizeof nat, "0x%llx", (unsigned long long)v);
    } else if (!strcmp(want[i], "eflags")) {
      static const struct { int bit; const char *n; } fl[] = {
          {0, "CF"}, {2, "PF"}, {4, "AF"}, {6, "ZF"}, {7, "SF"},
          {8, "TF"}, {9, "IF"}, {10, "DF"}, {11, "OF"}};
      strcpy(nat, "[ ");
      for (size_t f = 0; f < sizeof fl / sizeof fl[0]; f++)
        if (v & (1ull << fl[f].bit)) {
          strcat(nat, fl[f].n);
          strcat(nat, " ");
        }
      strcat(nat, "]");
    } else {
      snprintf(nat, sizeof nat, "%lld", (long long)v);
    }
    say("%-15s0x%-18llx%s\n", want[i], (unsigned long long)v, nat);
  }
  if (D.json) {
    jb_append(&regs, "}", 1);
    jb_raw(&j, "registers", regs.s);
    free(regs.s);
    jb_end_print(&j);
  }
}

static void thread_comm(pid_t pid, pid_t tid, char *buf, size_t n) {
  char p[64];
  snprintf(p, sizeof p, "/proc/%d/task/%d/comm", (int)pid, (int)tid);
  buf[0] = 0;
  FILE *f = fopen(p, "r");
  if (!f) return;
  if (fgets(buf, (int)n, f)) buf[strcspn(buf, "\n")] = 0;
  fclose(f);
}

static void info_threads(char *args) {
  if (!need_running()) return;
  sse_thread *ts[256];
  size_t n = 0;
  sse_err e = sse_process_threads(D.proc, ts, 256, &n);
  if (e) {
    lib_error("threads", e);
    return;
  }
  if (n > 256) n = 256;
  sse_thread *cur = cur_thread();
  if (!D.json) say("  Id   Target Id                       Frame \n");
  for (size_t i = 0; i < n; i++) {
    pid_t tid = sse_thread_tid(ts[i]);
    int num = thread_number(tid);
    sse_stop s;
    synth_stop(ts[i], SSE_STOP_NONE, &s);
    char comm[64], target[128], loc[1024];
    thread_comm(sse_process_pid(D.proc), tid, comm, sizeof comm);
    if (D.json) {
      jbuf j;
      jb_begin(&j, "thread");
      jb_int(&j, "id", num);
      jb_int(&j, "tid", tid);
      jb_str(&j, "name", comm);
      jb_bool(&j, "current", ts[i] == cur);
      jb_hex(&j, "pc", s.pc);
      jb_str(&j, "function", s.loc.function);
      jb_str(&j, "file", s.loc.file);
      jb_int(&j, "line", s.loc.line);
      jb_end_print(&j);
      continue;
    }
    snprintf(target, sizeof target, "LWP %d \"%s\"", (int)tid, comm);
    format_location(loc, sizeof loc, &s.loc, false);
    say("%c %-4d %-31s %s\n", ts[i] == cur ? '*' : ' ', num, target, loc);
  }
}

static void info_sharedlibrary(char *args) {
  if (!need_running()) return;
  /* From/To are the code's range, as in gdb: sse_modules() gives each
   * module's whole mapping, so read the executable mappings here. */
  char p[64];
  snprintf(p, sizeof p, "/proc/%d/maps", (int)sse_process_pid(D.proc));
  FILE *f = fopen(p, "r");
  if (!f) {
    err_say("Cannot read %s: %s", p, strerror(errno));
    return;
  }
  char line[PATH_MAX + 256], last[PATH_MAX] = "";
  unsigned long long from = 0, to = 0;
  bool header = false;
  for (;;) {
    char *got = fgets(line, sizeof line, f);
    unsigned long long lo = 0, hi = 0;
    char perms[8] = "", path[PATH_MAX] = "";
    if (got) sscanf(line, "%llx-%llx %7s %*s %*s %*s %4095s", &lo, &hi, perms, path);
    bool so = got && strstr(path, ".so") && path[0] == '/';
    if (!got || !so || strcmp(path, last)) {
      if (last[0]) {
        if (D.json) {
          jbuf j;
          jb_begin(&j, "library");
          jb_hex(&j, "from", from);
          jb_hex(&j, "to", to);
          jb_str(&j, "path", last);
          jb_end_print(&j);
        } else {
          if (!header) say("From                To                  Shared Object Library\n");
          header = true;
          say("0x%016llx  0x%016llx  %s\n", from, to, last);
        }
      }
      last[0] = 0;
      from = to = 0;
      if (!got) break;
      if (!so) continue;
      snprintf(last, sizeof last, "%s", path);
    }
    if (strchr(perms, 'x')) {
      if (!from) from = lo;
      to = hi;
    }
  }
  fclose(f);
  if (!header && !D.json) say("No shared libraries loaded at this time.\n");
}

static void cmd_info(char *args, int tty) {
  args = skip_ws(args);
  char *sub = args;
  while (*args && !isspace((unsigned char)*args)) args++;
  if (*args) *args++ = 0;
  size_t l = strlen(sub);
  if (!l) {
    err_say("List of info subcommands: registers, threads, breakpoints, "
            "sharedlibrary, frame, signals, locals, args.");
    return;
  }
  if (!strncmp(sub, "registers", l) || !strcmp(sub, "all-registers"))
    info_registers(args);
  else if (!strncmp(sub, "threads", l) && l >= 2)
    info_threads(args);
  else if ((!strncmp(sub, "breakpoints", l) || !strncmp(sub, "watchpoints", l)))
    info_breakpoints(args);
  else if ((!strncmp(sub, "sharedlibrary", l) && l >= 2) || !strcmp(sub, "dll"))
    info_sharedlibrary(args);
  else if (!strncmp(sub, "frame", l))
    cmd_frame(args, 0);
  else if ((!strncmp(sub, "signals", l) && l >= 3) || !strcmp(sub, "handle"))
    info_signals(args);
  else if (!strncmp(sub, "locals", l) && l >= 2)
    values_info(false);
  else if (!strncmp(sub, "args", l))
    values_info(true);
  else if (!strncmp(sub, "display", l) && l >= 2)
    values_info_display();
  else
    err_say("Undefined info command: \"%s\".  Try \"help info\".", sub);
}

static void cmd_thread(char *args, int tty) {
  if (!need_running()) return;
  args = skip_ws(args);
  rtrim(args);
  sse_thread *t;
  if (!*args) {
    t = cur_thread();
    say("[Current thread is %d (LWP %d)]\n", thread_number(sse_thread_tid(t)),
        (int)sse_thread_tid(t));
    return;
  }
  if (!all_digits(args)) {
    err_say("Invalid thread ID: %s", args);
    return;
  }
  pid_t tid = thread_by_number(atoi(args));
  if (!tid || sse_thread_by_tid(D.proc, tid, &t) != SSE_OK) {
    err_say("Invalid thread ID: %s", args);
    return;
  }
  D.cur = t;
  D.frame = 0;
  D.nframes = 0;
  sse_stop s;
  synth_stop(t, SSE_STOP_NONE, &s);
  if (D.json) {
    jbuf j;
    jb_begin(&j, "thread_selected");
    jb_int(&j, "id", atoi(args));
    jb_int(&j, "tid", tid);
    jb_hex(&j, "pc", s.pc);
    jb_str(&j, "function", s.loc.function);
    jb_str(&j, "file", s.loc.file);
    jb_int(&j, "line", s.loc.line);
    jb_end_print(&j);
    return;
  }
  char loc[1024];
  format_location(loc, sizeof loc, &s.loc, true);
  say("[Switching to thread %s (LWP %d)]\n#0  %s\n", args, (int)tid, loc);
  if (s.loc.file && s.loc.line > 0)
    print_source_line(s.loc.file, s.loc.line, s.pc, false);
}

/* ------------------------------------------------------------ memory */

/* Disassemble one instruction at addr; returns its length (0 on error). */
static size_t disas_one(uint64_t addr, char *text, size_t n) {
  sse_insn insn;
  size_t got = 0;
  sse_disassemble(D.proc, addr, 1, &insn, &got);
  if (!got) return 0;
  if (insn.invalid)
    snprintf(text, n, "%s", insn.mnemonic);
  else
    snprintf(text, n, "%-6s %s", insn.mnemonic, insn.operands);
  return insn.len;
}

static uint64_t current_pc(void) {
  if (D.frame > 0 && (size_t)D.frame < D.nframes) return D.frames[D.frame].pc;
  uint64_t v = 0;
  reg_value("rip", &v);
  return v;
}

static void cmd_x(char *args, int tty) {
  if (!need_running()) return;
  args = skip_ws(args);
  long count = 1;
  char fmt = D.x_fmt ? D.x_fmt : 'x', unit = D.x_unit ? D.x_unit : 'w';
  if (*args == '/') {
    args++;
    if (isdigit((unsigned char)*args)) count = strtol(args, &args, 10);
    while (*args && !isspace((unsigned char)*args)) {
      char c = *args++;
      if (strchr("xduotacsi", c))
        fmt = c;
      else if (strchr("bhwg", c))
        unit = c;
      else {
        err_say("Invalid format letter '%c'.", c);
        return;
      }
    }
  }
  args = skip_ws(args);
  rtrim(args);
  uint64_t addr;
  if (*args) {
    if (!eval_expr(args, &addr, NULL)) return;
  } else if (D.x_next) {
    addr = D.x_next;
  } else {
    err_say("Argument required (starting display address).");
    return;
  }
  if (count < 1) count = 1;
  if (count > 4096) count = 4096;
  if (fmt == 'c' && !(D.x_unit && *args == 0)) unit = unit == 'w' && !strchr(args, '/') ? 'b' : unit;
  D.x_fmt = fmt;
  D.x_unit = unit;
  char sym[256];
  if (fmt == 'i') {
    uint64_t pc = current_pc();
    for (long i = 0; i < count; i++) {
      char text[192];
      size_t len = disas_one(addr, text, sizeof text);
      if (!len) {
        err_say("Cannot access memory at address 0x%llx", (unsigned long long)addr);
        return;
      }
      symbolize(addr, sym, sizeof sym);
      if (D.json) {
        jbuf j;
        jb_begin(&j, "instruction");
        jb_hex(&j, "addr", addr);
        jb_str(&j, "text", text);
        jb_int(&j, "length", (long long)len);
        jb_end_print(&j);
      } else {
        say("%s0x%llx%s:\t%s\n", addr == pc ? "=> " : "   ",
            (unsigned long long)addr, sym, text);
      }
      addr += len;
    }
    D.x_next = addr;
    return;
  }
  if (fmt == 's') {
    for (long i = 0; i < count; i++) {
      char str[4096];
      size_t k = 0;
      uint64_t a = addr;
      for (; k < sizeof str - 1; k++) {
        char c;
        if (sse_read_memory(D.proc, a + k, &c, 1, NULL) != SSE_OK) {
          if (!k) {
            err_say("Cannot access memory at address 0x%llx", (unsigned long long)a);
            return;
          }
          break;
        }
        str[k] = c;
        if (!c) break;
      }
      str[k] = 0;
      symbolize(addr, sym, sizeof sym);
      if (D.json) {
        jbuf j;
        jb_begin(&j, "string");
        jb_hex(&j, "addr", addr);
        jb_str(&j, "value", str);
        jb_end_print(&j);
      } else {
        /* gdb's C escapes (\n, \", octal \215), not JSON's \u00XX. */
        char q[4 * sizeof str + 3];
        size_t m = 0;
        q[m++] = '"';
        for (const unsigned char *c = (const unsigned char *)str; *c; c++) {
          const char *esc = *c == '"' ? "\\\"" : *c == '\\' ? "\\\\"
                            : *c == '\n' ? "\\n" : *c == '\t' ? "\\t"
                            : *c == '\r' ? "\\r" : *c == '\033' ? "\\033"
                                                              : NULL;
          if (esc)
            m += (size_t)sprintf(q + m, "%s", esc);
          else if (*c < 0x20 || *c >= 0x7f)
            m += (size_t)sprintf(q + m, "\\%03o", *c);
          else
            q[m++] = (char)*c;
        }
        q[m++] = '"';
        q[m] = 0;
        say("0x%llx%s:\t%s\n", (unsigned long long)addr, sym, q);
      }
      addr += k + 1;
    }
    D.x_next = addr;
    return;
  }
  int size = unit == 'b' ? 1 : unit == 'h' ? 2 : unit == 'g' ? 8 : 4;
  int per_line = fmt == 'c' ? 8 : size == 8 ? 2 : size == 4 ? 4 : 8;
  size_t total = (size_t)count * size;
  uint8_t *buf = malloc(total);
  size_t done = 0;
  sse_err e = sse_read_memory(D.proc, addr, buf, total, &done);
  if (e) {
    err_say("Cannot access memory at address 0x%llx",
            (unsigned long long)(addr + done));
    if (done < (size_t)size) {
      free(buf);
      return;
    }
    count = done / size;
  }
  jbuf j, vals;
  if (D.json) {
    jb_begin(&j, "memory");
    jb_hex(&j, "addr", addr);
    jb_int(&j, "unit", size);
    memset(&vals, 0, sizeof vals);
    jb_append(&vals, "[", 1);
  }
  char line[2048];
  size_t ll = 0;
  for (long i = 0; i < count; i++) {
    uint64_t v = 0;
    memcpy(&v, buf + i * size, size);
    int64_t sv = size == 1 ? (int8_t)v : size == 2 ? (int16_t)v
                 : size == 4 ? (int32_t)v : (int64_t)v;
    char item[64];
    switch (fmt) {
    case 'd': snprintf(item, sizeof item, "%lld", (long long)sv); break;
    case 'u': snprintf(item, sizeof item, "%llu", (unsigned long long)v); break;
    case 'o': snprintf(item, sizeof item, "0%llo", (unsigned long long)v); break;
    case 't': {
      int b = 0;
      for (int k = size * 8 - 1; k >= 0; k--) item[b++] = (v >> k) & 1 ? '1' : '0';
      item[b] = 0;
      break;
    }
    case 'c': {
      unsigned char c = (unsigned char)v;
      if (isprint(c) && c != '\'' && c != '\\')
        snprintf(item, sizeof item, "%d '%c'", (int)(int8_t)c, c);
      else
        snprintf(item, sizeof item, "%d '\\%03o'", (int)(int8_t)c, c);
      break;
    }
    case 'a': {
      char s2[40];
      symbolize(v, s2, sizeof s2);
      snprintf(item, sizeof item, "0x%llx%s", (unsigned long long)v, s2);
      break;
    }
    default:
      snprintf(item, sizeof item, "0x%0*llx", size * 2, (unsigned long long)v);
    }
    if (D.json) {
      if (i) jb_append(&vals, ",", 1);
      jb_append_quoted(&vals, item);
      continue;
    }
    if (i % per_line == 0) {
      if (ll) say("%s\n", line);
      uint64_t a = addr + i * size;
      symbolize(a, sym, sizeof sym);
      ll = snprintf(line, sizeof line, "0x%llx%s:", (unsigned long long)a, sym);
    }
    ll += snprintf(line + ll, sizeof line - ll, "\t%s", item);
    if (ll >= sizeof line) ll = sizeof line - 1;
  }
  if (D.json) {
    jb_append(&vals, "]", 1);
    jb_raw(&j, "values", vals.s);
    free(vals.s);
    jb_end_print(&j);
  } else if (ll) {
    say("%s\n", line);
  }
  D.x_next = addr + count * size;
  free(buf);
}

static void cmd_print(char *args, int tty) {
  args = skip_ws(args);
  char fmt = 0;
  if (*args == '/') {
    fmt = args[1];
    args = skip_ws(args + 2);
  }
  uint64_t v;
  /* C expressions go to the library; value history ($, $N) and &SYMBOL
   * of a symbol the library has no debug information of keep the
   * address evaluator. */
  if (!values_history_ref(args) &&
      (*args != '&' || values_evaluates(args) || !symbol_addr(skip_ws(args + 1), &v, NULL)) &&
      values_print(args, fmt))
    return;
  if (!eval_expr(args, &v, NULL)) return;
  char sym[256] = "";
  if (fmt == 'x' || strstr(args, "pc") || strstr(args, "rip") || *args == '&') {
    symbolize(v, sym, sizeof sym);
    if (D.json) {
      jbuf j;
      jb_begin(&j, "value");
      jb_hex(&j, "value", v);
      jb_end_print(&j);
    } else {
      say("$%d = 0x%llx%s\n", values_history_next(), (unsigned long long)v, sym);
    }
    return;
  }
  if (D.json) {
    jbuf j;
    jb_begin(&j, "value");
    jb_int(&j, "value", (long long)v);
    jb_end_print(&j);
  } else {
    say("$%d = %lld\n", values_history_next(), (long long)v);
  }
}

/* ------------------------------------------------------------ source */

static void list_lines(const char *file, int first, int last) {
  int total = source_line_count(file);
  if (total < 0) {
    err_say("%s: %s.", file, strerror(errno ? errno : ENOENT));
    return;
  }
  if (first < 1) first = 1;
  if (first > total) {
    err_say("Line number %d out of range; \"%s\" has %d lines.", first,
            base_name(file), total);
    return;
  }
  if (last > total) last = total;
  for (int l = first; l <= last; l++) {
    const char *t = source_line(file, l);
    if (D.json) {
      jbuf j;
      jb_begin(&j, "source");
      jb_str(&j, "file", file);
      jb_int(&j, "line", l);
      jb_str(&j, "text", t);
      jb_end_print(&j);
    } else {
      say("%d\t%s\n", l, t ? t : "");
    }
  }
  if (file != D.list_file) snprintf(D.list_file, sizeof D.list_file, "%s", file);
  D.list_next = last + 1;
  listed = true;
}

static void cmd_list(char *args, int tty) {
  args = skip_ws(args);
  rtrim(args);
  if (!*args) {
    const char *f = default_file();
    if (!f) {
      err_say("No symbol table is loaded.  Use the \"file\" command.");
      return;
    }
    int first = D.list_next > 0 ? D.list_next : 1;
    list_lines(f, first, first + 9);
    return;
  }
  char file[4096];
  int line = 0;
  char *colon = strrchr(args, ':');
  if (all_digits(args)) {
    const char *f = default_file();
    if (!f) {
      err_say("No default source file.");
      return;
    }
    snprintf(file, sizeof file, "%s", f);
    line = atoi(args);
  } else if (colon && all_digits(colon + 1)) {
    /* FILE:LINE: the line tables' file of that name, else the name as
     * typed */
    snprintf(file, sizeof file, "%.*s", (int)(colon - args), args);
    line = atoi(colon + 1);
    const char *path;
    if (D.proc && sse_source_path(D.proc, file, &path) == SSE_OK)
      snprintf(file, sizeof file, "%s", path);
  } else {
    if (!ensure_process()) return;
    uint64_t entry, post;
    sse_location loc;
    if (sse_lookup_function(D.proc, args, &entry, &post) != SSE_OK) {
      err_say("Function \"%s\" not defined.", args);
      return;
    }
    if (sse_lookup(D.proc, post, &loc) != SSE_OK || !loc.file) {
      err_say("No line number known for %s.", args);
      return;
    }
    snprintf(file, sizeof file, "%s", loc.file);
    line = loc.line;
  }
  int first = line > 5 ? line - 5 : 1;
  list_lines(file, first, first + 9);
}

static void cmd_disassemble(char *args, int tty) {
  if (!ensure_process()) return;
  args = skip_ws(args);
  while (*args == '/') { /* modifiers (/r /m /s) accepted, ignored */
    while (*args && !isspace((unsigned char)*args)) args++;
    args = skip_ws(args);
  }
  rtrim(args);
  uint64_t start, pc = 0;
  sse_location loc;
  if (*args) {
    uint64_t entry, post;
    if (sse_lookup_function(D.proc, args, &entry, &post) == SSE_OK) {
      start = entry;
    } else {
      uint64_t a;
      if (!eval_expr(args, &a, NULL)) return;
      if (sse_lookup(D.proc, a, &loc) != SSE_OK || !loc.function) {
        err_say("No function contains specified address.");
        return;
      }
      start = a - loc.offset;
    }
    if (D.started && process_alive()) pc = current_pc();
  } else {
    if (!need_running()) return;
    get_frames();
    pc = current_pc();
    if (sse_lookup(D.proc, pc, &loc) != SSE_OK || !loc.function) {
      err_say("No function contains program counter for selected frame.");
      return;
    }
    start = pc - loc.offset;
  }
  if (sse_lookup(D.proc, start, &loc) != SSE_OK || !loc.function) {
    err_say("No function contains specified address.");
    return;
  }
  const char *fname = loc.function;
  if (!D.json) say("Dump of assembler code for function %s:\n", fname);
  uint64_t a = start;
  for (int i = 0; i < 20000; i++) {
    sse_location l2;
    if (i > 0 && (sse_lookup(D.proc, a, &l2) != SSE_OK || !l2.function ||
                  strcmp(l2.function, fname) || l2.offset != a - start))
      break;
    char text[192];
    size_t len = disas_one(a, text, sizeof text);
    if (!len) break;
    if (D.json) {
      jbuf j;
      jb_begin(&j, "instruction");
      jb_hex(&j, "addr", a);
      jb_str(&j, "function", fname);
      jb_int(&j, "offset", (long long)(a - start));
      jb_str(&j, "text", text);
      jb_bool(&j, "current", a == pc);
      jb_end_print(&j);
    } else {
      say("%s0x%016llx <+%llu>:\t%s\n", a == pc ? "=> " : "   ",
          (unsigned long long)a, (unsigned long long)(a - start), text);
    }
    a += len;
  }
  if (!D.json) say("End of assembler dump.\n");
}

/* ------------------------------------------------------------ help */

static void cmd_help(char *args, int tty) {
  args = skip_ws(args);
  rtrim(args);
  if (!*args) {
    say("List of commands (abbreviations in brackets):\n\n");
    for (size_t i = 0; i < ncommands; i++) {
      const command *c = &commands[i];
      char ab[64] = "";
      if (c->min_abbrev < (int)strlen(c->name))
        snprintf(ab, sizeof ab, "%.*s", c->min_abbrev, c->name);
      if (c->aliases && strncmp(c->aliases, ab, strlen(ab) + 1) &&
          !(strlen(ab) && !strncmp(c->aliases, ab, strlen(ab)) &&
            c->aliases[strlen(ab)] == ','))
        snprintf(ab + strlen(ab), sizeof ab - strlen(ab), "%s%s", *ab ? "," : "",
                 c->aliases);
      char head[96];
      snprintf(head, sizeof head, "%s%s%s%s", c->name, *ab ? " [" : "", ab,
               *ab ? "]" : "");
      const char *nl = strchr(c->help, '\n');
      const char *desc = nl ? nl + 1 : c->help;
      const char *end = strchr(desc, '\n');
      say("%-24s -- %.*s\n", head, end ? (int)(end - desc) : (int)strlen(desc),
          desc);
    }
    say("\nType \"help\" followed by a command name for its full "
        "documentation.\nAn empty line repeats the last command.\n");
    return;
  }
  bool amb = false;
  const command *c = find_command(args, &amb);
  if (!c) {
    err_say(amb ? "Ambiguous command \"%s\"." : "Undefined command: \"%s\".  "
            "Try \"help\".", args);
    return;
  }
  say("Usage: %s\n", c->help);
}

/* ------------------------------------------------------------ the table */

const command commands[] = {
    {"advance", 3, NULL, cmd_advance, false, true,
     "advance LOCATION\nRun to LOCATION (or until the current frame returns)."},
    {"attach", 2, NULL, cmd_attach, false, false,
     "attach PID\nAttach to the running process PID (instead of the "
     "program)."},
    {"backtrace", 4, "bt,where", cmd_backtrace, false, false,
     "backtrace [N]\nPrint the call stack of the selected thread (N frames)."},
    {"awatch", 2, NULL, cmd_awatch, false, false,
     "awatch EXPR\nStop when EXPR (an lvalue of 1, 2, 4 or 8 bytes) is read or written (hardware)."},
    {"break", 1, "br,brea", cmd_break_if, false, true,
     "break [FUNC | FILE:LINE | LINE | *ADDR] [if COND]\nSet a breakpoint (stopping only where COND holds)."},
    {"catch", 3, NULL, cmd_catch, false, false,
     "catch throw|catch|rethrow\nSet a catchpoint: stop where a C++ exception is thrown, caught "
     "or rethrown."},
    {"condition", 4, NULL, cmd_condition, false, false,
     "condition N [COND]\nStop at breakpoint N only if COND holds (no COND: always)."},
    {"continue", 1, "cont", cmd_continue, true, false,
     "continue [N]\nResume the program until a breakpoint, signal or exit "
     "(N: ignore the breakpoint stopped at N-1 more times)."},
    {"delete", 1, NULL, cmd_delete, false, false,
     "delete [N...]\nDelete breakpoints N... (all of them without N)."},
    {"detach", 3, NULL, cmd_detach, false, false,
     "detach\nRemove breakpoints and let the program run on untraced."},
    {"disable", 4, NULL, cmd_disable, false, false,
     "disable [N...]\nDisable breakpoints N... (all without N)."},
    {"disassemble", 5, NULL, cmd_disassemble, false, true,
     "disassemble [FUNC | ADDR]\nDisassemble the current function (capstone); "
     "=> marks the pc."},
    {"display", 4, NULL, cmd_display, false, false,
     "display[/FMT] [EXPR]\nShow EXPR at each stop (all of them again without EXPR)."},
    {"down", 2, NULL, cmd_down, false, false,
     "down [N]\nSelect the frame N (1) levels down (towards the innermost)."},
    {"echo", 2, NULL, cmd_echo, false, false,
     "echo TEXT\nPrint TEXT (C escapes: \\n for a newline)."},
    {"enable", 2, NULL, cmd_enable, false, false,
     "enable [N...]\nEnable breakpoints N... (all without N)."},
    {"finish", 3, NULL, cmd_finish, false, false,
     "finish\nRun until the selected frame returns (after up or frame N: that frame);\nprint the value returned."},
    {"frame", 1, NULL, cmd_frame, false, false,
     "frame [N]\nSelect frame N and print it (the selected one without N)."},
    {"handle", 2, NULL, cmd_handle, false, false,
     "handle SIGNAL... [no]stop [no]print [no]pass\nWhat to do when the "
     "program gets SIGNAL (names, gdb's numbers 1-15, ranges, all)."},
    {"help", 1, NULL, cmd_help, false, false,
     "help [COMMAND]\nList the commands, or describe COMMAND."},
    {"ignore", 2, NULL, cmd_ignore, false, false,
     "ignore N COUNT\nRun through the next COUNT hits of breakpoint N."},
    {"info", 1, NULL, cmd_info, false, false,
     "info registers [REG...] | threads | breakpoints | sharedlibrary | frame "
     "| signals [SIG]\n"
     "Show registers, threads, breakpoints, libraries, the selected frame, "
     "what is done with signals."},
    {"kill", 1, NULL, cmd_kill, false, false, "kill\nKill the program."},
    {"list", 1, NULL, cmd_list, true, true,
     "list [LINE | FUNC | FILE:LINE]\nShow ten source lines around the stop "
     "(again: the next ten)."},
    {"next", 1, NULL, cmd_next, true, false,
     "next [N]\nStep one source line (N times), running over calls."},
    {"nexti", 5, "ni", cmd_nexti, true, false,
     "nexti [N]\nStep one instruction (N times), running over calls."},
    {"print", 1, "inspect", cmd_print, false, false,
     "print[/x] EXPR\nEvaluate the C expression EXPR in the selected frame "
     "(variables, globals, * & . -> [], arithmetic); /x, $registers: addresses."},
    {"ptype", 2, NULL, cmd_ptype, false, false,
     "ptype EXPR | TYPE\nShow the type of EXPR (or TYPE), its struct spelt out."},
    {"quit", 1, "exit", cmd_quit, false, false,
     "quit\nKill the program (detach from an attached one) and exit."},
    {"run", 1, NULL, cmd_run, false, false,
     "run\nStart the program (again, from the beginning, if it runs)."},
    {"set", 3, NULL, cmd_set, false, false,
     "set var LVALUE = EXPR | set print elements|repeats|max-depth N\nAssign to a "
     "variable (as C converts), or set a print limit."},
    {"shell", 3, "!", cmd_shell, false, false,
     "shell [CMD]\nRun CMD with /bin/sh (\"!CMD\" too)."},
    {"start", 5, NULL, cmd_start, false, false,
     "start\nSet a temporary breakpoint at main and run."},
    {"starti", 6, NULL, cmd_starti, false, false,
     "starti\nStart the program and stop at its first instruction."},
    {"step", 1, NULL, cmd_step, true, false,
     "step [N]\nStep one source line (N times), into calls that have line info."},
    {"stepi", 5, "si", cmd_stepi, true, false,
     "stepi [N]\nStep one machine instruction (N times), into calls."},
    {"tbreak", 2, NULL, cmd_tbreak_if, false, true,
     "tbreak [FUNC | FILE:LINE | LINE | *ADDR]\nSet a temporary breakpoint "
     "(deleted when hit)."},
    {"thread", 1, NULL, cmd_thread, false, false,
     "thread [N]\nSwitch to thread N (see info threads), or show the current one."},
    {"until", 1, NULL, cmd_until, true, true,
     "until [LOCATION]\nLike next, but not back to the top of a loop; with "
     "LOCATION: advance."},
    {"undisplay", 5, NULL, cmd_undisplay, false, false,
     "undisplay [N...]\nStop showing displays N... (all of them without N)."},
    {"up", 2, NULL, cmd_up, false, false,
     "up [N]\nSelect the frame N (1) levels up (towards the callers)."},
    {"watch", 2, NULL, cmd_watch_expr, false, false,
     "watch [-l] *ADDR | *(TYPE *)ADDR | EXPR\nStop when the bytes at ADDR "
     "(4, or sizeof TYPE) or the lvalue EXPR (1, 2, 4 or 8 bytes) are written (hardware)."},
    {"whatis", 5, NULL, cmd_whatis, false, false,
     "whatis EXPR | TYPE\nShow the type name of EXPR (a typedef TYPE: what it names)."},
    {"x", 1, NULL, cmd_x, true, false,
     "x/NFU ADDR\nExamine memory: N units, format F (x d u o t c a s i), unit "
     "U (b h w g)."},
};
const size_t ncommands = sizeof commands / sizeof commands[0];

const command *find_command(const char *word, bool *ambiguous) {
  size_t wl = strlen(word);
  *ambiguous = false;
  if (!wl) return NULL;
  for (size_t i = 0; i < ncommands; i++) {
    const command *c = &commands[i];
    if (!strcmp(c->name, word)) return c;
    if (c->aliases) {
      const char *a = c->aliases;
      while (*a) {
        size_t n = strcspn(a, ",");
        if (n == wl && !strncmp(a, word, n)) return c;
        a += n + (a[n] == ',');
      }
    }
  }
  const command *found = NULL;
  for (size_t i = 0; i < ncommands; i++) {
    const command *c = &commands[i];
    if ((int)wl >= c->min_abbrev && !strncmp(c->name, word, wl)) return c;
    if (!strncmp(c->name, word, wl)) {
      if (found) *ambiguous = true;
      found = c;
    }
  }
  if (*ambiguous) return NULL;
  return found;
}

static char last_line[4096];

bool execute_line(const char *input) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", input);
  char *line = skip_ws(buf);
  rtrim(line);
  if (*line == '#') return !quit_flag;
  if (!*line) {
    if (!last_line[0]) return !quit_flag;
    snprintf(buf, sizeof buf, "%s", last_line);
    line = buf;
  } else {
    last_line[0] = 0;
  }
  if (D.json) {
    jbuf j;
    jb_begin(&j, "command");
    jb_str(&j, "command", line);
    jb_end_print(&j);
  }
  /* the command word ends at a blank or '/' (x/4xg, print/x); "!" is a
   * word by itself (!ls) */
  char *p = line;
  if (*p == '!')
    p++;
  else
    while (*p && !isspace((unsigned char)*p) && *p != '/') p++;
  char word[64];
  size_t wl = (size_t)(p - line) < sizeof word - 1 ? (size_t)(p - line)
                                                  : sizeof word - 1;
  memcpy(word, line, wl);
  word[wl] = 0;
  bool amb;
  const command *c = find_command(word, &amb);
  if (!c) {
    if (amb)
      err_say("Ambiguous command \"%s\".", word);
    else
      err_say("Undefined command: \"%s\".  Try \"help\".", word);
    return !quit_flag;
  }
  if (c->repeat) {
    /* list and x continue where they stopped: repeat them without args */
    if (c->fn == cmd_list || c->fn == cmd_x)
      snprintf(last_line, sizeof last_line, "%s", c->name);
    else
      snprintf(last_line, sizeof last_line, "%s", line);
  }
  char args[4096];
  snprintf(args, sizeof args, "%s", p);
  c->fn(args, 1);
  return !quit_flag;
}
