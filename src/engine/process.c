/* Processes and threads: spawn, attach, detach, kill, the thread list.
 * Spawn, attach, detach and kill are delegates to the tracer thread; the
 * getters and the thread list read under the engine lock on the caller's
 * thread (the tracer thread changes the list under it). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "engine/spawnshell.h"
#include "ptrace/debugregs.h"
#include "ptrace/ptrace.h"
#include "symtab/symtab.h"
#include "unwind/unwind.h"

/* Every traced process: threads followed, exec and forks reported (a
 * forked child is let go without our breakpoints, gdb's detach-on-fork;
 * a vfork's end puts them back), syscall stops marked. */
#define SSE__PTRACE_OPTIONS                                                  \
  (PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_TRACESYSGOOD |        \
   PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACEVFORKDONE)

/* gdb's `handle` defaults on Linux (what gdb 13's `info signals` shows
 * once a program runs), listed in sse.h at sse_signal_policy(): these
 * signals neither stop nor print and are passed; SIGINT and SIGTRAP stop
 * and are not passed; every other signal stops and is passed. SIGPOLL is
 * SIGIO on Linux; __SIGRTMIN and __SIGRTMIN + 1 (32 and 33) are the ones
 * glibc keeps for itself (thread cancellation, setxid across threads),
 * which gdb makes nostop for every program it runs. */
static const int quiet_signals[] = {SIGALRM, SIGURG,    SIGCHLD,
                                    SIGIO,   SIGVTALRM, SIGPROF,
                                    SIGWINCH, __SIGRTMIN, __SIGRTMIN + 1};

sse_process *sse__proc_new(sse_engine *e, pid_t pid, bool spawned) {
  sse_process *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->engine = e;
  p->pid = pid;
  p->spawned = spawned;
  p->next_bp_id = 1;
  for (int i = 0; i < SSE__NSIG; i++) p->sig_stop[i] = p->sig_pass[i] = true;
  for (size_t i = 0; i < sizeof quiet_signals / sizeof *quiet_signals; i++)
    p->sig_stop[quiet_signals[i]] = false;
  /* SIGINT (the debugger's Ctrl-C) and SIGTRAP (a breakpoint's) are the
   * debugger's, not the program's. */
  p->sig_pass[SIGINT] = false;
  p->sig_pass[SIGTRAP] = false;
  pthread_mutex_lock(&e->lock);
  p->next = e->procs;
  e->procs = p;
  pthread_mutex_unlock(&e->lock);
  return p;
}

sse_thread *sse__thread_add(sse_process *p, pid_t tid) {
  sse_thread *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  t->proc = p;
  t->tid = tid;
  t->state = SSE__T_STOPPED;
  pthread_mutex_lock(&p->engine->lock);
  if (p->threads_tail)
    p->threads_tail->next = t;
  else
    p->threads = t;
  p->threads_tail = t;
  p->nthreads_live++;
  pthread_mutex_unlock(&p->engine->lock);
  return t;
}

sse_thread *sse__thread_find(sse_engine *e, pid_t tid) {
  for (sse_process *p = e->procs; p; p = p->next) {
    if (p->exited) continue;
    for (sse_thread *t = p->threads; t; t = t->next)
      if (t->tid == tid && t->state != SSE__T_EXITED) return t;
  }
  return NULL;
}

void sse__proc_destroy(sse_process *p) {
  while (p->threads) {
    sse_thread *t = p->threads;
    p->threads = t->next;
    sse__park_release(t);
    free(t);
  }
  sse__bp_free_all(p);
  sse__mem_free(p);
  sse__unwind_forget(p);
  sse__proc_jit_free(p); /* issue 6 */
  if (p->symtab) sse__symtab_free(p->symtab);
  free(p);
}

/* A new process, every thread stopped and traced: its symbols, then its
 * first stop (SSE_STOP_SPAWNED, for spawn and attach alike). */
static sse_process *report_first_stop(sse_process *p) {
  p->stop_gen = 2;
  sse__proc_symbols_init(p);
  sse_stop s;
  sse__stop_init(&s, SSE_STOP_SPAWNED, p->threads, 0);
  sse__run_report(p, &s);
  return p;
}

/* ------------------------------------------------------------ spawn */

typedef struct spawn_req {
  sse_engine *e;
  const char *const *argv;
  sse_spawn_options opts;
  sse_process *out;
  int sys_errno;
  sse_err err;
} spawn_req;

/* PATH search done in the parent: after fork() in a threaded program the
 * child may only call async-signal-safe functions. */
static char *find_program(const char *name) {
  if (strchr(name, '/')) return strdup(name);
  const char *path = getenv("PATH");
  if (!path) path = "/usr/local/bin:/usr/bin:/bin";
  char buf[PATH_MAX];
  for (const char *s = path; *s;) {
    const char *c = strchr(s, ':');
    size_t n = c ? (size_t)(c - s) : strlen(s);
    if (n && snprintf(buf, sizeof buf, "%.*s/%s", (int)n, s, name) <
                 (int)sizeof buf &&
        access(buf, X_OK) == 0)
      return strdup(buf);
    s += n;
    if (*s == ':') s++;
  }
  return strdup(name); /* exec reports ENOENT */
}

extern char **environ;

/* The child of fork(): async-signal-safe calls only (the parent is
 * threaded). Waits on gofd until the parent has seized it, then execs.
 * Reports the errno of what failed through errfd. */
static _Noreturn void spawn_child(const spawn_req *r, const char *prog, char *const *argv,
                                  char *const *envp, int errfd, int gofd) {
  if (r->opts.stdin_fd >= 0) dup2(r->opts.stdin_fd, 0);
  if (r->opts.stdout_fd >= 0) dup2(r->opts.stdout_fd, 1);
  if (r->opts.stderr_fd >= 0) dup2(r->opts.stderr_fd, 2);
  if (!(r->opts.flags & SSE_SPAWN_ASLR)) {
    int pers = personality(0xffffffff);
    if (pers != -1) personality((unsigned long)pers | ADDR_NO_RANDOMIZE);
  }
  if (!r->opts.cwd || chdir(r->opts.cwd) == 0) {
    /* The tracer thread keeps SIGCHLD blocked; the program must not
     * inherit that. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    char go = 0;
    ssize_t g;
    do g = read(gofd, &go, 1);
    while (g < 0 && errno == EINTR);
    if (g == 1) execve(prog, argv, envp);
    else errno = ECHILD;
  }
  int err = errno;
  ssize_t w = write(errfd, &err, sizeof err);
  (void)w;
  _exit(127);
}

/* The traced program is one this engine can step (a 32-bit program is
 * refused at once: its breakpoints would all stay pending). */
static bool native_program(pid_t pid) {
  char path[64];
  unsigned char ehdr[64];
  snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return true; /* cannot tell: let the symbol layer find out */
  ssize_t n = pread(fd, ehdr, sizeof ehdr, 0);
  close(fd);
  return n > 0 && sse__arch_elf_native(ehdr, (size_t)n);
}

/* The parent's side: the child's errno from the pipe (closed on exec), or
 * its exec stop, then our ptrace options. 0 or the error, in r. */
static int spawn_wait_exec(spawn_req *r, pid_t pid, int errfd) {
  int child_errno = 0;
  ssize_t n;
  do n = read(errfd, &child_errno, sizeof child_errno);
  while (n < 0 && errno == EINTR);
  close(errfd);
  int st;
  if (n == (ssize_t)sizeof child_errno) {
    sse__pt_wait(pid, &st, __WALL);
    r->sys_errno = child_errno;
    r->err = SSE_E_EXEC;
    return -1;
  }
  /* After a successful execve the seized child stops (PTRACE_EVENT_EXEC)
   * before its first instruction. */
  if (sse__pt_wait(pid, &st, __WALL) != pid || !WIFSTOPPED(st)) {
    r->err = SSE_E_EXEC;
    r->sys_errno = ECHILD;
    return -1;
  }
  /* startup-with-shell: that was the shell's exec, the program's is next */
  if ((r->opts.flags & SSE_SPAWN_SHELL) && (child_errno = sse__shell_run_to_exec(pid)) != 0) {
    kill(pid, SIGKILL);
    sse__pt_wait(pid, &st, __WALL);
    r->sys_errno = child_errno;
    r->err = SSE_E_EXEC;
    return -1;
  }
  if (!native_program(pid)) {
    kill(pid, SIGKILL);
    sse__pt_wait(pid, &st, __WALL);
    r->err = SSE_E_ARCH;
    return -1;
  }
  return 0;
}

/* Seize the forked child (our options from its first instruction on: the
 * exec event, clones seized too, so all-stop can PTRACE_INTERRUPT), then
 * let it go on to exec. 0, or -1 with the error in r (the child killed). */
static int spawn_seize(spawn_req *r, pid_t pid, int gofd) {
  unsigned long o = SSE__PTRACE_OPTIONS;
  if (!(r->opts.flags & SSE_SPAWN_NO_EXITKILL)) o |= PTRACE_O_EXITKILL;
  int rc = sse__pt_seize(pid, o);
  if (rc == 0) {
    char go = 1;
    ssize_t w = write(gofd, &go, 1);
    (void)w;
  }
  close(gofd);
  if (rc != 0) {
    int st;
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    r->sys_errno = -rc;
    r->err = SSE_E_SYS;
    return -1;
  }
  return 0;
}

static void do_spawn(void *arg) {
  spawn_req *r = arg;
  char **shell = r->opts.flags & SSE_SPAWN_SHELL ? sse__shell_argv(r->argv) : NULL;
  char *const *argv = shell ? shell : (char *const *)r->argv;
  char *prog = find_program(argv[0]);
  if (!prog || (!shell && (r->opts.flags & SSE_SPAWN_SHELL))) {
    free(prog);
    free(shell);
    r->err = SSE_E_NOMEM;
    return;
  }
  char *const *envp = (char *const *)(r->opts.envp ? r->opts.envp
                                                   : (const char *const *)environ);
  int fds[2], go[2] = {-1, -1};
  pid_t pid = -1;
  int err = 0;
  if (pipe2(fds, O_CLOEXEC) != 0) {
    err = errno;
  } else if (pipe2(go, O_CLOEXEC) != 0 || (pid = fork()) < 0) {
    err = errno;
    close(fds[0]);
    close(fds[1]);
    if (go[0] >= 0) close(go[0]);
    if (go[1] >= 0) close(go[1]);
  }
  if (pid < 0) {
    r->sys_errno = err;
    r->err = SSE_E_SYS;
    free(prog);
    free(shell);
    return;
  }
  if (pid == 0) {
    close(go[1]);
    spawn_child(r, prog, argv, envp, fds[1], go[0]);
  }
  free(prog);
  free(shell);
  close(fds[1]);
  close(go[0]);
  if (spawn_seize(r, pid, go[1]) != 0) {
    close(fds[0]);
    return;
  }
  if (spawn_wait_exec(r, pid, fds[0]) != 0) return;
  sse_process *p = sse__proc_new(r->e, pid, true);
  sse_thread *leader = p ? sse__thread_add(p, pid) : NULL;
  if (leader) leader->seized = true;
  if (!leader) {
    int st;
    kill(pid, SIGKILL);
    sse__pt_wait(pid, &st, __WALL);
    r->err = SSE_E_NOMEM;
    return;
  }
  r->out = report_first_stop(p);
}

void sse_spawn_options_init(sse_spawn_options *o) {
  if (!o) return;
  memset(o, 0, sizeof *o);
  o->stdin_fd = o->stdout_fd = o->stderr_fd = -1;
}

sse_err sse_spawn(sse_engine *e, const char *const argv[],
                  const sse_spawn_options *opts, sse_process **out,
                  int *sys_errno) {
  if (sys_errno) *sys_errno = 0;
  if (out) *out = NULL;
  if (!e || !argv || !argv[0] || !argv[0][0] || !out) return SSE_E_INVAL;
  spawn_req r = {.e = e, .argv = argv};
  if (opts)
    r.opts = *opts;
  else
    sse_spawn_options_init(&r.opts);
  sse_err err = sse__engine_call(e, do_spawn, &r);
  if (err) return err;
  if (sys_errno) *sys_errno = r.sys_errno;
  *out = r.out;
  return r.err;
}

/* ------------------------------------------------------------ attach */

typedef struct attach_req {
  sse_engine *e;
  pid_t pid;
  sse_process *out;
  int sys_errno;
  sse_err err;
} attach_req;

static bool has_thread(sse_process *p, pid_t tid) {
  for (sse_thread *t = p->threads; t; t = t->next)
    if (t->tid == tid) return true;
  return false;
}

/* PTRACE_ATTACH every task; new ones may appear while we attach, so scan
 * /proc/PID/task until a pass finds nothing new. */
static int attach_tasks(sse_process *p, int *sys_errno) {
  unsigned long o = SSE__PTRACE_OPTIONS;
  for (bool found = true; found;) {
    found = false;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)p->pid);
    DIR *d = opendir(path);
    if (!d) {
      *sys_errno = errno;
      return p->threads ? 0 : -ESRCH;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
      pid_t tid = (pid_t)atoi(de->d_name);
      if (tid <= 0 || has_thread(p, tid)) continue;
      int rc = sse__pt_attach(tid);
      if (rc != 0) {
        if (rc == -ESRCH && p->threads) continue; /* it just exited */
        closedir(d);
        *sys_errno = -rc;
        return rc;
      }
      found = true;
      sse_thread *t = sse__thread_add(p, tid);
      if (!t) {
        closedir(d);
        return -ENOMEM;
      }
      /* PTRACE_ATTACH sends SIGSTOP; wait for that stop, keeping any
       * other signal that comes first for delivery on resume. */
      for (;;) {
        int st;
        if (sse__pt_wait(tid, &st, __WALL) != tid) break;
        if (WIFEXITED(st) || WIFSIGNALED(st)) {
          pthread_mutex_lock(&p->engine->lock);
          t->state = SSE__T_EXITED;
          t->gone = true;
          pthread_mutex_unlock(&p->engine->lock);
          p->nthreads_live--;
          break;
        }
        if (WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP) break;
        if (WIFSTOPPED(st)) {
          t->deliver_sig = WSTOPSIG(st);
          sse__pt_cont(tid, 0);
        }
      }
      if (t->state != SSE__T_EXITED) sse__pt_setoptions(tid, o);
    }
    closedir(d);
  }
  return 0;
}

static void do_attach(void *arg) {
  attach_req *r = arg;
  if (r->pid <= 0 || kill(r->pid, 0) != 0) {
    r->sys_errno = r->pid <= 0 ? EINVAL : errno;
    r->err = (r->pid > 0 && errno == EPERM) ? SSE_E_PERM : SSE_E_NOPROC;
    return;
  }
  for (sse_process *q = r->e->procs; q; q = q->next)
    if (q->pid == r->pid && !q->exited) {
      r->err = SSE_E_BUSY;
      return;
    }
  sse_process *p = sse__proc_new(r->e, r->pid, false);
  if (!p) {
    r->err = SSE_E_NOMEM;
    return;
  }
  int rc = attach_tasks(p, &r->sys_errno);
  if (rc == 0 && !native_program(r->pid)) rc = -ENOEXEC;
  if (rc != 0) {
    for (sse_thread *t = p->threads; t; t = t->next)
      if (t->state != SSE__T_EXITED) sse__pt_detach(t->tid, 0);
    p->exited = true;
    r->err = rc == -EPERM ? SSE_E_PERM
             : rc == -ENOEXEC ? SSE_E_ARCH
             : rc == -ESRCH ? SSE_E_NOPROC
             : rc == -ENOMEM ? SSE_E_NOMEM
                             : SSE_E_SYS;
    return;
  }
  r->out = report_first_stop(p);
}

sse_err sse_attach(sse_engine *e, pid_t pid, sse_process **out,
                   int *sys_errno) {
  if (sys_errno) *sys_errno = 0;
  if (out) *out = NULL;
  if (!e || !out) return SSE_E_INVAL;
  if (pid <= 0) return SSE_E_NOPROC;
  attach_req r = {.e = e, .pid = pid};
  sse_err err = sse__engine_call(e, do_attach, &r);
  if (err) return err;
  if (sys_errno) *sys_errno = r.sys_errno;
  *out = r.out;
  return r.err;
}

/* ------------------------------------------------------------ detach/kill */

/* Whether p may be looked at or changed now (tracer thread): SSE_OK when
 * it is stopped between two commands, SSE_E_EXITED when it has exited or
 * was let go, SSE_E_RUNNING while a command runs. */
sse_err sse__proc_stopped(const sse_process *p) {
  if (p->exited) return SSE_E_EXITED;
  if (p->running) return SSE_E_RUNNING;
  return SSE_OK;
}

void sse__proc_mark_exited(sse_process *p, int status) {
  if (p->exited) return;
  if (WIFEXITED(status))
    p->exit_status = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    p->exit_signal = WTERMSIG(status);
  pthread_mutex_lock(&p->engine->lock);
  p->exited = true;
  for (sse_thread *t = p->threads; t; t = t->next)
    if (t->state != SSE__T_EXITED) {
      t->state = SSE__T_EXITED;
      t->gone = true;
      p->nthreads_live--;
    }
  pthread_mutex_unlock(&p->engine->lock);
  for (sse_thread *t = p->threads; t; t = t->next) sse__park_release(t);
  sse__mem_invalidate(p);
}

/* p was detached or killed: that is its last stop. A command it cut short
 * ends with it, reported to its waiters and, as every command's end, by
 * SSE_EV_STOPPED. */
static void report_released(sse_process *p, sse_stop_reason why, int signo) {
  sse_stop s;
  sse__stop_init(&s, why, NULL, signo);
  s.process = p;
  s.pid = p->pid;
  pthread_mutex_lock(&p->engine->lock);
  bool cut = p->running;
  p->running = false;
  p->last_stop = s;
  uint64_t done = p->ops_finished = p->ops_started;
  pthread_mutex_unlock(&p->engine->lock);
  if (cut) sse__ev_stop(p, &s);
  sse__engine_mark_reported(p, done);
  sse__engine_wake_waiters(p->engine);
}

static sse_err detach_now(sse_process *p) {
  if (p->exited) return SSE_E_EXITED;
  sse__run_stop_all(p, NULL);
  /* Parked threads stopped for real while every thread still is: one
   * woken while the others are let go would run, or take a signal, with
   * nobody looking. */
  sse__run_unpark_all(p);
  if (p->exited) return SSE_E_EXITED;
  sse__proc_jit_release(p); /* the JIT helper back from the symbol thread (issue 6) */
  sse__site_remove_all(p);
  sse__mem_retire(p); /* the threads run from the first detach on */
  for (sse_thread *t = p->threads; t; t = t->next) {
    if (t->state == SSE__T_EXITED) continue;
    for (int i = 0; i < 4; i++)
      if (t->dr7 & (3ull << (2 * i))) sse__hw_clear(t->tid, i, &t->dr7);
  }
  /* A SIGSTOP of ours still queued would stop the process once it is let
   * go: take each before the first thread is detached. */
  for (sse_thread *t = p->threads; t; t = t->next)
    if (t->state != SSE__T_EXITED) sse__thread_settle_sigstop(t);
  for (sse_thread *t = p->threads; t; t = t->next) {
    if (t->state == SSE__T_EXITED) continue;
    int sig = t->deliver_sig;
    if (t->has_pending && WIFSTOPPED(t->pending_status) &&
        WSTOPSIG(t->pending_status) != SIGTRAP &&
        WSTOPSIG(t->pending_status) != SIGSTOP)
      sig = WSTOPSIG(t->pending_status);
    sse__pt_detach(t->tid, sig);
  }
  sse__proc_mark_exited(p, 0);
  report_released(p, SSE_STOP_DETACHED, 0);
  return SSE_OK;
}

static sse_err kill_now(sse_process *p) {
  if (p->exited) return SSE_E_EXITED;
  sse__mem_retire(p); /* no fast read of a dying process or a reused pid */
  kill(p->pid, SIGKILL);
  /* Reap every task: non-leaders report first, the leader last. */
  for (sse_thread *t = p->threads; t; t = t->next) {
    if (t->state == SSE__T_EXITED || t->tid == p->pid) continue;
    int st;
    sse__pt_wait(t->tid, &st, __WALL);
  }
  int st = 0;
  while (sse__pt_wait(p->pid, &st, __WALL) == p->pid && WIFSTOPPED(st)) {
  }
  sse__proc_mark_exited(p, st);
  report_released(p, SSE_STOP_KILLED, SIGKILL);
  return SSE_OK;
}

void sse__proc_release_all(sse_process *p) {
  if (p->exited) return;
  if (p->spawned)
    kill_now(p);
  else
    detach_now(p);
}

typedef struct proc_req {
  sse_process *p;
  sse_err err;
} proc_req;

static void do_detach(void *arg) {
  proc_req *r = arg;
  r->err = detach_now(r->p);
}
static void do_kill(void *arg) {
  proc_req *r = arg;
  r->err = kill_now(r->p);
}

sse_err sse_detach(sse_process *p) {
  if (!p) return SSE_E_INVAL;
  proc_req r = {.p = p};
  sse_err err = sse__engine_call(p->engine, do_detach, &r);
  return err ? err : r.err;
}

sse_err sse_kill(sse_process *p) {
  if (!p) return SSE_E_INVAL;
  proc_req r = {.p = p};
  sse_err err = sse__engine_call(p->engine, do_kill, &r);
  return err ? err : r.err;
}

pid_t sse_process_pid(const sse_process *p) { return p ? p->pid : -1; }
sse_engine *sse_process_engine(const sse_process *p) {
  return p ? p->engine : NULL;
}
bool sse_process_exited(const sse_process *p) {
  if (!p) return true;
  pthread_mutex_lock(&p->engine->lock);
  bool x = p->exited;
  pthread_mutex_unlock(&p->engine->lock);
  return x;
}

sse_err sse_process_threads(sse_process *p, sse_thread **out, size_t max,
                            size_t *n) {
  if (!p || (!out && max)) return SSE_E_INVAL;
  size_t k = 0;
  pthread_mutex_lock(&p->engine->lock);
  for (sse_thread *t = p->threads; t; t = t->next) {
    if (t->gone) continue;
    if (k < max) out[k] = t;
    k++;
  }
  bool exited = p->exited;
  pthread_mutex_unlock(&p->engine->lock);
  if (n) *n = k;
  return exited ? SSE_E_EXITED : SSE_OK;
}

sse_err sse_thread_by_tid(sse_process *p, pid_t tid, sse_thread **out) {
  if (!p || !out) return SSE_E_INVAL;
  *out = NULL;
  pthread_mutex_lock(&p->engine->lock);
  for (sse_thread *t = p->threads; t; t = t->next)
    if (t->tid == tid && !t->gone) *out = t;
  pthread_mutex_unlock(&p->engine->lock);
  return *out ? SSE_OK : SSE_E_NOTHREAD;
}

pid_t sse_thread_tid(const sse_thread *t) { return t ? t->tid : -1; }
sse_process *sse_thread_process(const sse_thread *t) {
  return t ? t->proc : NULL;
}
