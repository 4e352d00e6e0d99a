/* sse.h — a threaded ptrace stepping engine for Linux x86_64.
 *
 * THREADING CONTRACT (stated once; exceptions are on the function)
 *
 *   Every function in this header is safe to call from any thread of the
 *   embedding program, including from inside an event callback, except
 *   where its Thread: line says otherwise.
 *
 *   One dedicated tracer thread ("sse-tracer"), started by sse_engine_new(),
 *   owns every ptrace relationship: Linux lets only one thread trace a task.
 *   A call made on any other thread is queued to the tracer thread as a
 *   delegate and the caller blocks until it has run. A call made on the
 *   tracer thread itself (inside a callback, or inside sse_call()) runs
 *   directly: no queue, no deadlock. The calls whose Thread: line says they
 *   do not wait for the tracer thread (the handle getters, the thread list,
 *   subscriptions, sse_interrupt(), sse_wait()) answer on the calling thread
 *   under the engine's lock; sse_read_memory() reads a stopped process from
 *   the calling thread when it can.
 *
 *   Event callbacks (sse_subscribe) always run on the tracer thread. While a
 *   callback runs, the tracer thread does nothing else (no delegate runs, no
 *   ptrace stop is handled): keep callbacks short, or hand the work to your
 *   own thread. A callback may call any sse_ function but sse_engine_free(),
 *   including blocking ones (sse_step_line() inside a callback steps and then
 *   returns). A callback made while a command runs (SSE_EV_SIGNAL,
 *   THREAD_*, EXEC, MODULES_CHANGED, JIT_SYMBOLS_CHANGED usually are) cannot
 *   wait for its stop: there calls that need the process stopped return
 *   SSE_E_RUNNING and resuming commands SSE_E_BUSY.
 *
 *   SIGCHLD: the library installs a SIGCHLD handler (chaining to a handler the
 *   program had, which it puts back when the last engine is freed) and keeps
 *   SIGCHLD blocked on its own threads. Do not change SIGCHLD's disposition
 *   while an engine exists: a handler installed later must chain to the one
 *   it replaces, or the tracer thread misses its wake-ups. The embedding
 *   program must NOT reap with waitpid(-1, ...) / wait() with __WALL from its
 *   own threads: that can steal the tracer's ptrace stops. Wait for your own
 *   children by pid. The library waits with __WNOTHREAD and never reaps
 *   children that the program forked from its own threads.
 *   Every ptrace stop raises a SIGCHLD that the kernel hands to some thread
 *   that does not block it; a program that blocks SIGCHLD in its own
 *   threads saves that wake-up per stop (the tracer still gets every
 *   event). Do not install SIGCHLD as SIG_IGN: that auto-reaps children.
 *   The handler must run promptly on whichever thread gets the signal. This
 *   holds for any thread, blocked or not, except under ThreadSanitizer,
 *   which defers a handler due on a thread parked in read() (and other
 *   calls it does not mark as blocking) until that call returns: under
 *   TSan, block SIGCHLD in threads that park in such calls.
 *
 * ERRORS
 *   Every fallible call returns an sse_err: 0 on success, a negative SSE_E_*
 *   code on failure. sse_strerror() and sse_err_name() describe it. There is
 *   no thread-local "last error". Each function's Errors: line lists what it
 *   returns. Besides those, a call that waits for the tracer thread returns
 *   SSE_E_SHUTDOWN when the engine stopped before running it (a call racing
 *   sse_engine_free(); once that returns, no handle of the engine is valid).
 *
 * POINTER LIFETIMES
 *   Strings in an sse_location (function, file, module), sse_module_info's
 *   path and sse_breakpoint_info's spec are owned by the engine and stay
 *   valid until sse_engine_free(). Everything else passed to a callback is
 *   valid for the callback's duration only.
 *
 * VERSIONING
 *   Versions with the same major number are ABI stable.
 */
#ifndef SSE_H
#define SSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SSE_API __attribute__((visibility("default")))
#else
#define SSE_API
#endif

#define SSE_VERSION_MAJOR 0
#define SSE_VERSION_MINOR 1
#define SSE_VERSION_PATCH 0
#define SSE_VERSION_HEX \
  ((SSE_VERSION_MAJOR << 16) | (SSE_VERSION_MINOR << 8) | SSE_VERSION_PATCH)

/* The version the library was built as: SSE_VERSION_HEX of its header. */
SSE_API unsigned sse_version(void);
/* "MAJOR.MINOR.PATCH" */
SSE_API const char *sse_version_string(void);

/* ---------------------------------------------------------------- errors */

/* XX(name, value, message) */
#define SSE_ERRNO_MAP(XX)                                                     \
  XX(INVAL, -1, "invalid argument")                                           \
  XX(NOPROC, -2, "no such process")                                           \
  XX(NOTHREAD, -3, "no such thread")                                          \
  XX(EXITED, -4, "the process has exited")                                    \
  XX(FAULT, -5, "memory fault: address not mapped or not accessible")         \
  XX(PERM, -6, "permission denied: ptrace refused")                           \
  XX(NOSYM, -7, "no such symbol")                                             \
  XX(NOLINE, -8, "no line information")                                       \
  XX(BUSY, -9, "busy: a command is already running on that process")          \
  XX(NOMEM, -10, "out of memory")                                             \
  XX(SYS, -11, "system error")                                                \
  XX(RUNNING, -12, "the process is running: stop it first")                   \
  XX(EXEC, -13, "the program could not be executed")                          \
  XX(NOSLOT, -14, "no free hardware debug register")                          \
  XX(NOTFOUND, -15, "not found")                                              \
  XX(SHUTDOWN, -16, "the engine is shutting down")                           \
  XX(ARCH, -17, "the program is not an x86-64 Linux program")                  \
  XX(STALE, -18, "the value is stale: its process ran since it was read")

typedef enum sse_err {
  SSE_OK = 0,
#define SSE__ERR_ENUM(name, val, msg) SSE_E_##name = (val),
  SSE_ERRNO_MAP(SSE__ERR_ENUM)
#undef SSE__ERR_ENUM
} sse_err;

/* A sentence describing err ("unknown error" for a value that is none).
 * Never NULL; static storage. */
SSE_API const char *sse_strerror(sse_err err);
/* "SSE_E_FAULT" and so on ("SSE_E_UNKNOWN" for a value that is none).
 * Never NULL; static storage. */
SSE_API const char *sse_err_name(sse_err err);

/* ---------------------------------------------------------------- handles */

/* The engine: the tracer thread, the symbol thread, the command queue. */
typedef struct sse_engine sse_engine;
/* A traced process. Owned by the engine; valid until sse_engine_free(),
 * even after the process exited or was detached (calls that need the live
 * process then return SSE_E_EXITED). */
typedef struct sse_process sse_process;
/* A traced thread (task). Owned by its process; valid as long as the
 * process handle is, even after the thread exited (calls that need it then
 * return SSE_E_NOTHREAD, or SSE_E_EXITED once the whole process has). */
typedef struct sse_thread sse_thread;

/* ---------------------------------------------------------------- engine */

typedef struct sse_engine_options {
  /* Reserved: no flag exists yet. */
  unsigned flags;
  /* The shared on-disk symbol index (docs/index-format.md): the directory
   * of its files, NULL for the default ($SSE_CACHE_DIR if set, else
   * $XDG_CACHE_HOME/sse, else ~/.cache/sse); "off" (or SSE_CACHE_DIR=off
   * in the environment) decodes symbols in memory only. Copied. */
  const char *cache_dir;
} sse_engine_options;

/* Start an engine and its tracer thread. opts may be NULL (it is ignored).
 * Errors: SSE_E_INVAL (out NULL), SSE_E_NOMEM, SSE_E_SYS (the tracer
 * thread could not be created). */
SSE_API sse_err sse_engine_new(const sse_engine_options *opts,
                               sse_engine **out);
/* Stop the engine: the symbol thread gives the JIT helpers back, processes
 * it spawned are killed, processes it attached are detached with every
 * breakpoint and watchpoint removed first (they run on as if never traced);
 * then the tracer thread exits and the engine, its processes, threads and
 * subscriptions are freed. No other thread may be inside a call on this
 * engine or make one from now on. engine NULL: nothing.
 * Thread: any thread except the tracer thread: there (inside a callback or
 * sse_call()) it does nothing. */
SSE_API void sse_engine_free(sse_engine *engine);

/* Run fn(arg) on the tracer thread and return when it has run. On the tracer
 * thread itself it runs at once. Inside fn every sse_ call is direct. fn
 * may run while a command is in progress (between two of its ptrace stops):
 * calls that need a stopped process then return SSE_E_RUNNING.
 * Errors: SSE_E_INVAL (engine or fn NULL). */
SSE_API sse_err sse_call(sse_engine *engine, void (*fn)(void *arg), void *arg);
/* True when called on this engine's tracer thread (false for NULL). */
SSE_API bool sse_on_tracer_thread(const sse_engine *engine);

/* ---------------------------------------------------------------- processes */

enum {
  /* Turn address space randomisation back ON (off by default, like gdb). */
  SSE_SPAWN_ASLR = 1u << 0,
  /* Do not set PTRACE_O_EXITKILL (default: spawned processes die with the
   * debugger). */
  SSE_SPAWN_NO_EXITKILL = 1u << 1,
  /* Reserved: children are not followed yet. With or without it, a child
   * the target forks (or vforks) is let go at its first stop without the
   * parent's breakpoints, as gdb's default (detach-on-fork) does; while a
   * vfork child runs in the shared memory the parent's breakpoints are out
   * and go back when the parent resumes. */
  SSE_SPAWN_TRACEFORK = 1u << 2,
  /* Start the program through the user's shell, as gdb and gdbserver do by
   * default (startup-with-shell): $SHELL (/bin/sh when unset) -c "exec
   * ARGV...", every argument single-quoted, so the program gets argv as
   * given and the shell's environment (its rc files for a non-interactive
   * shell, SHLVL, ...). The shell searches its PATH for argv[0]. The
   * first stop is the program's, after the shell's exec of it; a shell
   * that exits instead (no such program) is SSE_E_EXEC with ENOENT. */
  SSE_SPAWN_SHELL = 1u << 3,
};

typedef struct sse_spawn_options {
  unsigned flags;            /* SSE_SPAWN_* */
  const char *const *envp;   /* NULL: inherit the environment */
  const char *cwd;           /* NULL: inherit */
  /* File descriptors for the target's stdin/stdout/stderr, dup2()ed in the
   * child (the caller keeps its own); -1 inherits. */
  int stdin_fd, stdout_fd, stderr_fd;
} sse_spawn_options;

/* Fill opts with the defaults (inherit everything, ASLR off, EXITKILL).
 * opts NULL: nothing. */
SSE_API void sse_spawn_options_init(sse_spawn_options *opts);

/* Fork and exec argv[0] under ptrace; an argv[0] without a '/' is searched
 * in the PATH of the calling program's environment (not opts->envp). On
 * return the process is stopped at its first instruction (the exec stop),
 * its one thread stopped; that stop (SSE_STOP_SPAWNED) is also sent as
 * SSE_EV_STOPPED. opts may be NULL (the defaults). sys_errno may be NULL;
 * else it gets 0 or the errno of what failed.
 * Errors: SSE_E_INVAL (engine, argv or out NULL, argv[0] NULL or empty),
 * SSE_E_EXEC (in the child, chdir to opts->cwd, PTRACE_TRACEME or execve
 * failed: that errno; or the child did not stop after exec: ECHILD),
 * SSE_E_ARCH (the program is not x86-64: a 32-bit program; it is killed),
 * SSE_E_SYS (pipe, fork or PTRACE_SETOPTIONS failed: that errno),
 * SSE_E_NOMEM. */
SSE_API sse_err sse_spawn(sse_engine *engine, const char *const argv[],
                          const sse_spawn_options *opts, sse_process **out,
                          int *sys_errno);
/* Attach to a running process: every thread in /proc/PID/task, read again
 * until no new one appears. On return all threads are stopped; that stop
 * (SSE_STOP_SPAWNED) is also sent as SSE_EV_STOPPED. A signal a thread got
 * before its attach stop is kept for delivery when it resumes. sys_errno
 * may be NULL; else it gets 0 or the errno of what failed.
 * Errors: SSE_E_INVAL (engine or out NULL), SSE_E_NOPROC (pid <= 0, or no
 * such process), SSE_E_PERM (kill(pid, 0) or PTRACE_ATTACH refused:
 * EPERM), SSE_E_BUSY (this engine traces pid already), SSE_E_ARCH (not
 * an x86-64 program: let go again), SSE_E_NOMEM, SSE_E_SYS (PTRACE_ATTACH
 * failed otherwise: that errno). */
SSE_API sse_err sse_attach(sse_engine *engine, pid_t pid, sse_process **out,
                           int *sys_errno);
/* Stop every thread, give the JIT helper thread back from the symbol
 * thread, remove every breakpoint and watchpoint, then detach each thread
 * with the signal it had pending: the process runs on as if it had never
 * been traced. A command running on it ends with SSE_STOP_DETACHED (its
 * blocking call or sse_wait() returns that stop; SSE_EV_STOPPED reports
 * it). The handle stays valid; the process counts as exited.
 * Errors: SSE_E_INVAL (proc NULL), SSE_E_EXITED (it exited, or was killed
 * or detached, before). */
SSE_API sse_err sse_detach(sse_process *proc);
/* Kill the process (SIGKILL) and reap every thread. A command running on
 * it ends with SSE_STOP_KILLED (signo SIGKILL), reported as for
 * sse_detach(). No SSE_EV_PROCESS_EXITED or SSE_EV_THREAD_EXITED is sent
 * for it: the call reports it.
 * Errors: SSE_E_INVAL (proc NULL), SSE_E_EXITED (it exited, or was killed
 * or detached, before). */
SSE_API sse_err sse_kill(sse_process *proc);

/* -1 for NULL. Thread: any; it does not wait for the tracer thread (nor do
 * the getters below). */
SSE_API pid_t sse_process_pid(const sse_process *proc);
/* NULL for NULL. */
SSE_API sse_engine *sse_process_engine(const sse_process *proc);
/* Whether the process has exited (or was killed or detached). True for
 * NULL. */
SSE_API bool sse_process_exited(const sse_process *proc);

/* Threads: fills up to max live threads (in creation order) and *n (may be
 * NULL) with the number of live threads (which may exceed max). The JIT
 * agent's helper thread, which the symbol thread traces, is not among them.
 * Errors: SSE_E_INVAL (proc NULL, or threads NULL with max > 0),
 * SSE_E_EXITED (the process exited or was let go: *n is 0).
 * Thread: any; it does not wait for the tracer thread. */
SSE_API sse_err sse_process_threads(sse_process *proc, sse_thread **threads,
                                    size_t max, size_t *n);
/* The live thread tid of proc in *out (NULL when there is none).
 * Errors: SSE_E_INVAL (proc or out NULL), SSE_E_NOTHREAD (no live thread
 * has that tid).
 * Thread: any; it does not wait for the tracer thread. */
SSE_API sse_err sse_thread_by_tid(sse_process *proc, pid_t tid,
                                  sse_thread **out);
/* -1 for NULL. */
SSE_API pid_t sse_thread_tid(const sse_thread *thread);
/* NULL for NULL. */
SSE_API sse_process *sse_thread_process(const sse_thread *thread);

/* ---------------------------------------------------------------- locations */

typedef struct sse_location {
  uint64_t pc;
  const char *module;   /* the module's file (absolute path), libdwfl's
                           name for one without a file ("[vdso: PID]"),
                           or NULL (JIT code of the agent) */
  const char *function; /* the name gdb shows, or NULL: for C code with
                           debug info the DWARF function's (its linkage
                           name when it has one, __GI___pthread_kill; the
                           origin of a .part/.isra clone); for C++ code
                           with debug info gdb's frame name, qualified and
                           without parameters (shapes::Circle::area,
                           (anonymous namespace)::f,
                           std::allocator<int>::allocator); else the ELF
                           symbol's, demangled (shapes::Circle::area()
                           const). sse_break_function and
                           sse_lookup_function look names up in the ELF
                           symbol tables, C++ names by gdb's linespec
                           rules (Circle::area, area, scale(int), sum,
                           sum<int>, operator==, Circle::~Circle). */
  uint64_t offset;      /* pc - function start (the ELF symbol's) */
  const char *file;     /* source path (absolute when the compilation
                           directory is; glibc's debuginfo records relative
                           ones, shown as gdb shows them), or NULL */
  int line;             /* 0 without line info */
  int column;
  bool mid_statement;   /* gdb's frame_show_address: pc is not the first
                           address of a statement row of the line table
                           (or there is no line), and gdb prints the pc
                           with the location ("0x... in f () at f.c:9");
                           true for every caller frame of sse_backtrace
                           (its pc is a return address), false where the
                           line is an inline call site (the frame an
                           inline frame was inlined into, or a stop with
                           hidden inline frames) */
} sse_location;

/* ---------------------------------------------------------------- stops */

typedef enum sse_stop_reason {
  SSE_STOP_NONE = 0,
  SSE_STOP_SPAWNED,     /* the exec stop of sse_spawn / the attach stop */
  SSE_STOP_STEP,        /* a step ended where its mode says */
  SSE_STOP_FINISH,      /* sse_finish returned to the caller: retval valid
                           (out of an inline frame sse_finish steps out of
                           it instead, as gdb does: SSE_STOP_STEP) */
  SSE_STOP_BREAKPOINT,  /* breakpoint_id says which */
  SSE_STOP_WATCHPOINT,  /* breakpoint_id and watch_addr say which */
  SSE_STOP_SIGNAL,      /* the thread received signo, which it gets when it
                           resumes if its policy passes it (see
                           sse_thread_set_pending_signal) */
  SSE_STOP_INTERRUPTED, /* sse_interrupt() */
  SSE_STOP_EXITED,      /* the process exited with exit_status */
  SSE_STOP_KILLED,      /* the process was killed by signo (SIGKILL for
                           sse_kill) */
  SSE_STOP_EXEC,        /* not reported: a command across exec goes on in
                           the new image (gdb), SSE_EV_EXEC tells of it */
  SSE_STOP_DETACHED,    /* sse_detach() */
  SSE_STOP_NO_LINE      /* step from code without line info ran to its
                           return into code with line info (gdb's "Single
                           stepping until exit"), or the step started where
                           there is no line info */
} sse_stop_reason;

/* Name of a stop reason, e.g. "breakpoint"; "unknown" for a value that is
 * none. Static storage. */
SSE_API const char *sse_stop_reason_name(sse_stop_reason reason);

typedef struct sse_stop {
  sse_stop_reason reason;
  sse_process *process;
  sse_thread *thread; /* the thread the stop is about (NULL for EXITED,
                         KILLED and DETACHED) */
  pid_t pid, tid;     /* tid 0 without a thread */
  uint64_t pc;        /* the thread's pc and sp; 0 without a thread */
  uint64_t sp;
  int signo;          /* SIGNAL and KILLED */
  int exit_status;    /* EXITED */
  int breakpoint_id;  /* BREAKPOINT, WATCHPOINT (the watchpoint's id) */
  uint64_t watch_addr;/* WATCHPOINT: the watched address */
  /* FINISH: the return-value registers (rax, rdx; xmm0 low 64 bits);
   * has_retval is false out of a function that returns nothing (its DWARF
   * has no type: gdb prints no value), true otherwise. */
  bool has_retval;
  uint64_t retval[2];
  uint64_t retval_xmm0;
  sse_location loc;   /* resolved pc (function/file/line when known) */
  /* BREAKPOINT, WATCHPOINT: the breakpoint's condition could not be
   * evaluated at this hit (sse_break_condition), which stopped because of
   * it, as gdb does: gdb's message ("Cannot access memory at address
   * 0x0"), which a frontend prints after "Error in testing condition for
   * breakpoint N:". "" otherwise. */
  char cond_error[160];
  /* ptrace stops the command used (resumes of the target's threads, each
   * ending in one stop): with range stepping, about two per branch taken
   * in a stepped line rather than one per instruction. */
  unsigned ptrace_stops;
} sse_stop;

/* ---------------------------------------------------------------- execution */

/* Every blocking call below returns when the process is stopped again (all
 * threads stopped: all-stop) or has exited, and fills *stop (may be NULL);
 * it returns SSE_OK once its command ran, whatever stop ended it. The
 * _async variants return once the command has started; its stop is
 * reported through SSE_EV_STOPPED (and sse_wait()). Every command's stop is
 * sent as SSE_EV_STOPPED, the blocking ones' too. While a command runs on a
 * process, another resuming command on it returns SSE_E_BUSY; breakpoint,
 * register and backtrace calls return SSE_E_RUNNING; memory reads and
 * writes wait for the stop.
 *
 * Errors of every step call (thread commands): SSE_E_INVAL (thread NULL),
 * SSE_E_EXITED (the process exited or was let go), SSE_E_BUSY (a command
 * runs on the process), SSE_E_NOTHREAD (the thread exited, or its
 * registers cannot be read); and where a line is needed (sse_step_line,
 * sse_next_line, sse_step with those modes) SSE_E_NOLINE (the pc has no
 * line information and is in no known function). */

/* stepi: one machine instruction, into calls. */
SSE_API sse_err sse_step_instruction(sse_thread *thread, sse_stop *stop);
SSE_API sse_err sse_step_instruction_async(sse_thread *thread);
/* Resume every thread until a breakpoint, watchpoint, signal that stops
 * (sse_signal_policy) or exit. It runs on through an exec.
 * Errors: SSE_E_INVAL (proc NULL), SSE_E_EXITED, SSE_E_BUSY. */
SSE_API sse_err sse_continue(sse_process *proc, sse_stop *stop);
SSE_API sse_err sse_continue_async(sse_process *proc);
/* Stop a running process: every thread stops and the running command ends
 * with SSE_STOP_INTERRUPTED, which its blocking call or sse_wait() returns
 * and SSE_EV_STOPPED reports. Returns at once, before that stop. No effect
 * on a stopped process.
 * Errors: SSE_E_INVAL (proc NULL).
 * Thread: any; it does not wait for the tracer thread. */
SSE_API sse_err sse_interrupt(sse_process *proc);
/* Block until the last command started on the process has ended (after an
 * _async call), and fill *stop (may be NULL) with the process's last stop:
 * that command's. With no command running it returns at once, with the
 * last stop there was (the SSE_STOP_SPAWNED one before any command).
 * Errors: SSE_E_INVAL (proc NULL).
 * Thread: any; it waits for the stop, not for the tracer thread. On the
 * tracer thread (in a callback) it runs the engine's loop until the
 * command ends. */
SSE_API sse_err sse_wait(sse_process *proc, sse_stop *stop);

typedef enum sse_step_mode {
  SSE_STEP_INSTRUCTION = 0,  /* stepi */
  SSE_STEP_OVER_INSTRUCTION, /* nexti */
  SSE_STEP_LINE,             /* step */
  SSE_NEXT_LINE,             /* next */
  SSE_FINISH,                /* finish */
  SSE_STEP_UNTIL,            /* until/advance: to `until` in this or an outer
                                frame */
  SSE_STEP_RANGE             /* gdb's remote vCont;r: step while the pc is in
                                [start, end), into calls; the first pc out of
                                it (or a breakpoint, a signal...) stops */
} sse_step_mode;

/* A step frame: step the thread until it leaves [start, end), then decide by
 * mode whether that is the stop to report. For the line modes, start ==
 * end == 0 means "the current line's range". The instruction modes step
 * one instruction, SSE_FINISH and SSE_STEP_UNTIL run to their target:
 * they ignore start and end. */
typedef struct sse_step_frame {
  sse_step_mode mode;
  uint64_t start, end;
  uint64_t until; /* SSE_STEP_UNTIL: the target address */
  size_t frame;   /* SSE_FINISH: the frame to finish, counted as
                     sse_backtrace counts (0: the innermost); see
                     sse_finish_frame */
} sse_step_frame;

/* Errors: as every step call; also SSE_E_INVAL (frame NULL, mode not an
 * sse_step_mode, end < start) and those of sse_finish for SSE_FINISH. */
SSE_API sse_err sse_step(sse_thread *thread, const sse_step_frame *frame,
                         sse_stop *stop);
SSE_API sse_err sse_step_async(sse_thread *thread,
                               const sse_step_frame *frame);
/* gdb's step / next / nexti / finish / advance, built on sse_step(). */
SSE_API sse_err sse_step_line(sse_thread *thread, sse_stop *stop);
SSE_API sse_err sse_next_line(sse_thread *thread, sse_stop *stop);
SSE_API sse_err sse_step_over_instruction(sse_thread *thread, sse_stop *stop);
/* Errors: as every step call; also SSE_E_INVAL in main or in a frame
 * without a caller (gdb: "finish" not meaningful in the outermost frame). */
SSE_API sse_err sse_finish(sse_thread *thread, sse_stop *stop);
/* gdb's `finish` with frame `frame` selected (after `up`, `frame N`;
 * frames counted as sse_backtrace counts them, inline frames included;
 * 0 is sse_finish): run until that frame returns to its caller, in the
 * caller's activation (a recursive call deeper down returning to the same
 * address does not stop), SSE_STOP_FINISH with the returned value. A
 * selected inline frame is stepped out of as gdb does (SSE_STOP_STEP where
 * control is back in the frame it was inlined into, past its call site);
 * in a caller's inline frame, after the real frames inward of it returned.
 * Errors: as sse_finish; SSE_E_INVAL also when frame is main or the
 * outermost frame (gdb: "\"finish\" not meaningful in the outermost
 * frame."); SSE_E_NOTFOUND when there is no frame at that level. */
SSE_API sse_err sse_finish_frame(sse_thread *thread, size_t frame,
                                 sse_stop *stop);
/* Run until addr is reached in this frame or an outer one, or until the
 * current function returns to its caller (gdb's advance / until ADDR). */
SSE_API sse_err sse_step_until(sse_thread *thread, uint64_t addr,
                               sse_stop *stop);

/* Signal policy of a process, like gdb's `handle SIG stop|nostop
 * pass|nopass`. The defaults are gdb's on Linux (what gdb 13's `info
 * signals` shows once a program runs):
 *   SIGALRM SIGURG SIGCHLD SIGIO (= SIGPOLL) SIGVTALRM SIGPROF SIGWINCH,
 *   and 32 and 33 (glibc's own: thread cancellation, setxid): nostop pass;
 *   SIGINT SIGTRAP: stop nopass;
 *   every other signal: stop pass.
 * A signal that does not stop is passed (or discarded, nopass) without a
 * stop; a handler it runs during `next` or `step` is run over. There is no
 * print setting: SSE_EV_SIGNAL reports every signal whatever the policy.
 * The policy applies from the next signal on.
 * Errors: SSE_E_INVAL (proc NULL; signo not in 1..64; SIGKILL, which never
 * reaches a tracer, or SIGSTOP, which sse uses to stop threads). */
SSE_API sse_err sse_signal_policy(sse_process *proc, int signo, bool stop,
                                  bool pass);
/* Set the signal thread gets when it next resumes (0: none). After an
 * SSE_STOP_SIGNAL stop the signal received is pending when its policy
 * passes it: 0 discards it, another number replaces it.
 * Errors: SSE_E_INVAL (thread NULL, signo not in 0..64), SSE_E_NOTHREAD
 * (the thread exited), SSE_E_RUNNING (a command runs on the process). */
SSE_API sse_err sse_thread_set_pending_signal(sse_thread *thread, int signo);

/* ---------------------------------------------------------------- breakpoints */

/* Breakpoints and watchpoints change only while the process is stopped:
 * the calls below but sse_break_list return SSE_E_RUNNING while a command
 * runs (they do not wait for its stop), and SSE_E_EXITED once the process
 * exited or was let go. Inserting an int3 may fail with SSE_E_FAULT (the
 * address cannot be read or written) or SSE_E_SYS (/proc/PID/mem cannot
 * be opened). The new breakpoint's id (> 0) goes to *id (may be NULL). */

/* A software breakpoint at addr. Memory reads through the library never show
 * its int3; breakpoints at one address share it. A program that stores
 * over the int3 (self-modifying code, a JIT rewriting its code) wins: its
 * bytes run as written, reads show them, and no old byte is ever written
 * back over them; the breakpoint traps there again once sse puts an int3
 * back, which it does when it steps a thread off that address, or when the
 * breakpoint is disabled and enabled again.
 * Errors: SSE_E_INVAL (proc NULL), SSE_E_EXITED, SSE_E_RUNNING,
 * SSE_E_FAULT, SSE_E_SYS, SSE_E_NOMEM. */
SSE_API sse_err sse_break_address(sse_process *proc, uint64_t addr, int *id);
/* At a function's post-prologue address (gdb's `break FUNC`; for JIT code
 * of the agent, which gives no prologues, at its entry). name is an ELF
 * symbol name (or a JIT function's): the program's own definition, else
 * the first library's, else JIT code's. A C++ name follows gdb's linespec
 * rules over every module (shapes::Circle::area, Circle::area, a bare
 * area in every class and namespace, scale(int), sum<int> or every sum,
 * operator==, Circle::Circle and Circle::~Circle with each emitted variant,
 * (anonymous namespace)::f, a file-static helper): one breakpoint with a
 * location at each distinct address (sse_breakpoint_info.addrs), the
 * plain symbol of that name among them. If nothing defines it yet and
 * pending is true, the breakpoint is pending and is inserted when a library
 * (or JIT code) defining it appears; *id is valid either way. One whose
 * code goes away (a library unloaded, JIT code freed) becomes pending
 * again, as in gdb.
 * Errors: SSE_E_INVAL (proc or name NULL, name empty or longer than 512
 * bytes), SSE_E_EXITED, SSE_E_RUNNING, SSE_E_NOSYM (nothing defines it and
 * pending is false), SSE_E_FAULT, SSE_E_SYS, SSE_E_NOMEM. */
SSE_API sse_err sse_break_function(sse_process *proc, const char *name,
                                   bool pending, int *id);
/* At every address of FILE:LINE (gdb's `break FILE:LINE`), one per
 * function (past its prologue) whatever their number. FILE matches a
 * source path whole or by its last components ("b.c", "src/b.c"); a LINE
 * without code moves to the next line that has some, as in gdb. Never
 * pending when made; pending again when its code goes away, as
 * sse_break_function's.
 * Errors: SSE_E_INVAL (proc or file NULL, file empty or longer than 512
 * bytes, line <= 0), SSE_E_EXITED, SSE_E_RUNNING, SSE_E_NOLINE (no code is
 * found for it), SSE_E_FAULT, SSE_E_SYS, SSE_E_NOMEM. */
SSE_API sse_err sse_break_line(sse_process *proc, const char *file, int line,
                               int *id);
/* sse_break_line(), but pending when no code is found for FILE:LINE now
 * (gdb's `break FILE:LINE` under `set breakpoint pending on`): inserted
 * when a library or JIT code with that line appears (an object registered
 * through the GDB JIT interface, lli's code), as sse_break_function's
 * pending breakpoints are. *id is valid either way.
 * Errors: as sse_break_line(), never SSE_E_NOLINE. */
SSE_API sse_err sse_break_line_pending(sse_process *proc, const char *file,
                                       int line, int *id);
/* Remove a breakpoint or watchpoint.
 * Errors: SSE_E_INVAL (proc NULL), SSE_E_EXITED, SSE_E_RUNNING,
 * SSE_E_NOTFOUND (no such id). */
SSE_API sse_err sse_break_remove(sse_process *proc, int id);
/* Enable or disable a breakpoint or watchpoint; a disabled one stays
 * listed, out of the target.
 * Errors: SSE_E_INVAL (proc NULL), SSE_E_EXITED, SSE_E_RUNNING,
 * SSE_E_NOTFOUND (no such id), SSE_E_NOSLOT (enabling a watchpoint whose
 * debug register another watchpoint took meanwhile), SSE_E_FAULT,
 * SSE_E_SYS, SSE_E_NOMEM. */
SSE_API sse_err sse_break_enable(sse_process *proc, int id, bool enable);
/* gdb's `ignore ID COUNT` (and `continue N`): the next count hits of the
 * breakpoint or watchpoint run on without stopping (each still counts in
 * hits); 0 stops at the next one again. Decided on the tracer thread at
 * the hit, with no hand-off to the caller.
 * Errors: SSE_E_INVAL (proc NULL), SSE_E_EXITED, SSE_E_RUNNING,
 * SSE_E_NOTFOUND (no such id). */
SSE_API sse_err sse_break_ignore(sse_process *proc, int id, unsigned count);

/* gdb's `break ... if COND` and `condition ID COND`: cond, a C expression
 * as sse_evaluate() takes it, is parsed once here (in the scope of the
 * breakpoint's first address) and evaluated at each hit in frame 0 of the
 * thread that hit, on the tracer thread with no hand-off to the caller; a
 * hit whose condition is zero resumes at once, without a stop, an event
 * or a count in hits (as in gdb, whose "already hit N times" counts the
 * hits whose condition held); ignore counts apply only to hits whose
 * condition holds. A condition that cannot be evaluated at a hit stops
 * there, as gdb does, with the message in sse_stop.cond_error. Works on
 * watchpoints as well (evaluated after the access). A breakpoint with no
 * address yet (pending) has its condition checked for syntax only, and
 * compiled at its first hit. NULL or "" removes the condition; the text
 * shows in sse_breakpoint_info.condition. err (may be NULL) gets gdb's
 * message when cond is refused (`No symbol "x" in current context.`,
 * `A syntax error in expression, near `'.`).
 * Errors: SSE_E_INVAL (proc NULL; cond malformed), SSE_E_NOSYM (cond names
 * nothing in scope), SSE_E_EXITED, SSE_E_RUNNING, SSE_E_NOTFOUND (no such
 * id), SSE_E_NOMEM. */
SSE_API sse_err sse_break_condition(sse_process *proc, int id,
                                    const char *cond, char *err,
                                    size_t errsz);

typedef struct sse_breakpoint_info {
  int id;
  bool enabled;
  bool pending;            /* a function or FILE:LINE breakpoint that has no
                              address now */
  unsigned hits;           /* times it was hit (stopped, or ignored) */
  unsigned ignore;         /* hits still to be ignored (sse_break_ignore) */
  size_t naddrs;           /* its addresses (a watchpoint: 1) */
  uint64_t addrs[8];       /* the first 8 of them (a watchpoint: the watched
                              address) */
  const char *spec;        /* "*0x401000", "main", "file.c:12",
                              "*(4 bytes at 0x601040)", or a watched
                              expression ("s.b"); engine-owned */
  bool is_watchpoint;
  bool read_write;         /* a watchpoint of SSE_WATCH_READWRITE */
  const char *condition;   /* sse_break_condition's text, NULL when none;
                              engine-owned, valid as long as the engine */
} sse_breakpoint_info;
/* One location of a breakpoint (gdb's rows 1.1, 1.2 of a <MULTIPLE> one). */
typedef struct sse_break_location {
  uint64_t addr;
  bool enabled;  /* its own flag (sse_break_enable_location); the
                    breakpoint's (sse_breakpoint_info.enabled) comes first */
} sse_break_location;
/* Every location of breakpoint id in address order (the order of
 * sse_breakpoint_info.addrs), up to max of them; *n (may be NULL) is their
 * count, 0 for a pending breakpoint. Also after the process exited.
 * Errors: SSE_E_INVAL (proc NULL, or out NULL with max > 0),
 * SSE_E_NOTFOUND (no such id, or a watchpoint). */
SSE_API sse_err sse_break_locations(sse_process *proc, int id,
                                    sse_break_location *out, size_t max,
                                    size_t *n);
/* gdb's `disable 1.2` / `enable 1.2`: location index (0-based, in
 * sse_break_locations' order) of breakpoint id out of the target or back
 * in, the breakpoint's other locations untouched. A location stays
 * disabled, by its address, when the breakpoint resolves again.
 * Errors: SSE_E_INVAL (proc NULL), SSE_E_EXITED, SSE_E_RUNNING,
 * SSE_E_NOTFOUND (no such id or index, a watchpoint), SSE_E_FAULT,
 * SSE_E_SYS, SSE_E_NOMEM. */
SSE_API sse_err sse_break_enable_location(sse_process *proc, int id,
                                          size_t index, bool enable);
/* Fill up to max entries, in creation order; *n (may be NULL) is the total
 * count. Also after the process exited.
 * Errors: SSE_E_INVAL (proc NULL, or out NULL with max > 0). */
SSE_API sse_err sse_break_list(sse_process *proc, sse_breakpoint_info *out,
                               size_t max, size_t *n);

enum { SSE_WATCH_WRITE = 1, SSE_WATCH_READWRITE = 3 };
/* A hardware watchpoint of len bytes (1, 2, 4 or 8, addr aligned to len),
 * kind SSE_WATCH_WRITE or SSE_WATCH_READWRITE, on every thread of the
 * process, threads created later included. It takes one of the four debug
 * registers; the process stops after the access (SSE_STOP_WATCHPOINT). The
 * id shares the breakpoint id space; remove with sse_break_remove().
 * Errors: SSE_E_INVAL (proc NULL; len, alignment or kind wrong; the kernel
 * refused the address), SSE_E_EXITED, SSE_E_RUNNING, SSE_E_NOSLOT (the
 * debug registers are used up, or the kernel refused one), SSE_E_NOMEM. */
SSE_API sse_err sse_watch(sse_process *proc, uint64_t addr, int len,
                          int kind, int *id);

/* gdb's `watch EXPR` (kind SSE_WATCH_WRITE) and `awatch EXPR`
 * (SSE_WATCH_READWRITE): a hardware watchpoint on the lvalue expr names in
 * frame `frame` of the stopped thread, its length the size of expr's type.
 * The watchpoint stays on that address when the frame returns (gdb's
 * `watch -location`); spec is expr. Errors: as sse_watch(); SSE_E_INVAL
 * also when expr is not an lvalue in memory or its size fits no debug
 * register (1, 2, 4 or 8 bytes, aligned):
 * refused, never emulated by single-stepping (err says why), SSE_E_NOSYM,
 * SSE_E_NOTFOUND (no such frame). err may be NULL. */
SSE_API sse_err sse_watch_expression(sse_thread *thread, size_t frame,
                                     const char *expr, int kind, int *id,
                                     char *err, size_t errsz);

/* ---------------------------------------------------------------- state */

/* General purpose registers, layout of struct user_regs_struct. */
typedef struct sse_regs {
  uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rax, rcx, rdx, rsi,
      rdi, orig_rax, rip, cs, eflags, rsp, ss, fs_base, gs_base, ds, es, fs,
      gs;
} sse_regs;

/* The registers of a stopped thread: SSE_E_RUNNING while a command runs on
 * its process (these do not wait for its stop). Set registers take effect
 * when the thread resumes.
 * Errors: SSE_E_INVAL (thread or regs NULL), SSE_E_EXITED (the process
 * exited or was let go), SSE_E_NOTHREAD (the thread exited), SSE_E_RUNNING,
 * SSE_E_SYS (ptrace refused). */
SSE_API sse_err sse_get_regs(sse_thread *thread, sse_regs *regs);
SSE_API sse_err sse_set_regs(sse_thread *thread, const sse_regs *regs);

/* Read len bytes at addr. Breakpoint int3 bytes never show: you read the
 * original bytes. On a fault, SSE_E_FAULT, with the bytes read before the
 * faulting address counted in *done (may be NULL): the fault address is
 * addr + *done.
 *
 * Guarantee: a read never races with the target running. A successful read
 * returns the bytes the process held at one moment when every one of its
 * threads was stopped by sse (between two commands, or at the stop of the
 * command that ran when the read was made), breakpoint bytes replaced by
 * the original ones, and no sse_write_memory() half done. While a command
 * runs (a step, sse_continue[_async]...), the read waits for its stop and
 * then reads; it does not return SSE_E_RUNNING (except on the tracer thread
 * itself, inside a callback during a command, where waiting would
 * deadlock). Not covered: memory changed behind the target's back while it
 * is stopped (another process through a shared mapping, I/O the kernel
 * completes into its buffers), and the JIT agent's helper thread
 * (sse-jit-helper), which the symbol thread lets run while the rest of the
 * process is stopped: it may change the agent's own symbol blobs.
 *
 * How: on the tracer thread (callbacks, sse_call) the read is direct and
 * served from a page cache filled by process_vm_readv, dropped on any
 * resume, write or exec. From any other thread the calling thread reads
 * the process itself (process_vm_readv, which needs no ptrace) under a
 * seqlock on the process's stop generation, an even counter that is made
 * odd before any thread of the process is resumed, before memory is written
 * and before the process is detached or killed, and even again only once
 * everything is stopped and consistent: same even value before and after
 * the read means nothing ran or changed. Otherwise (running, a fault, an
 * exited process, a breakpoint change just made) the read is handed to the
 * tracer thread, which gives the exact result (faults with *done included).
 * A read from another thread therefore costs about one system call while
 * the process is stopped. len 0 returns SSE_OK at once.
 * Errors: SSE_E_INVAL (proc NULL, buf NULL with len > 0), SSE_E_EXITED (the
 * process exited or was let go), SSE_E_FAULT, SSE_E_RUNNING (on the tracer
 * thread during a command only).
 * Thread: any; from another thread than the tracer thread, while the
 * process is stopped, it reads without waiting for the tracer thread (see
 * How). */
SSE_API sse_err sse_read_memory(sse_process *proc, uint64_t addr, void *buf,
                                size_t len, size_t *done);
/* Write len bytes at addr (read-only text too, through /proc/PID/mem); the
 * bytes written in *done (may be NULL). A write over a breakpoint updates
 * the saved original byte; the int3 stays. Like a read, it waits for a
 * running command's stop, except on the tracer thread (SSE_E_RUNNING).
 * Errors: SSE_E_INVAL (proc NULL, buf NULL with len > 0), SSE_E_EXITED,
 * SSE_E_FAULT, SSE_E_SYS (/proc/PID/mem cannot be opened), SSE_E_NOMEM,
 * SSE_E_RUNNING (on the tracer thread during a command only). */
SSE_API sse_err sse_write_memory(sse_process *proc, uint64_t addr,
                                 const void *buf, size_t len, size_t *done);

/* Resolve pc to module/function/file/line, JIT code included. A pc in a
 * module but in none of its functions has function NULL.
 * Errors: SSE_E_INVAL (proc or loc NULL), SSE_E_NOSYM (pc is in no module
 * and no JIT code: loc holds pc only). */
SSE_API sse_err sse_lookup(sse_process *proc, uint64_t pc, sse_location *loc);
/* Entry and post-prologue address of a function, found as
 * sse_break_function() finds it. entry and post_prologue may be NULL.
 * Errors: SSE_E_INVAL (proc or name NULL, name empty), SSE_E_NOSYM
 * (nothing defines it). */
SSE_API sse_err sse_lookup_function(sse_process *proc, const char *name,
                                    uint64_t *entry, uint64_t *post_prologue);

/* A module (the program, a shared library, the dynamic linker, the vdso)
 * mapped in the process. path is engine-owned (valid until
 * sse_engine_free()): the file's absolute path, or libdwfl's name for a
 * module without one ("[vdso: PID]"). */
typedef struct sse_module_info {
  const char *path;
  uint64_t lo, hi;      /* address range */
  bool has_debuginfo;   /* DWARF found (in the file or separately) */
} sse_module_info;

/* Fill up to max modules; *n (may be NULL) is the total count.
 * Errors: SSE_E_INVAL (proc NULL, or out NULL with max > 0), SSE_E_EXITED,
 * SSE_E_NOMEM (no symbol table could be made). */
SSE_API sse_err sse_modules(sse_process *proc, sse_module_info *out,
                            size_t max, size_t *n);

/* ---------------------------------------------------------------- backtrace */

typedef struct sse_frame {
  uint64_t pc;  /* for frames above 0: the return address */
  uint64_t cfa; /* canonical frame address (stack pointer before the call) */
  sse_location loc; /* resolved with pc-1 for caller frames, as gdb does
                       (not for a signal frame or the frame it
                       interrupted) */
  bool signal_frame;   /* a signal trampoline: "<signal handler called>" */
  bool fp_fallback;    /* found by frame-pointer walk: no unwind info */
  bool inlined;        /* an inlined function's frame (gdb's INLINE_FRAME):
                          pc and cfa are those of the real frame holding it
                          (the next non-inlined one outward); the frame
                          outward of it shows the call site
                          (DW_AT_call_file/line) as its location */
  bool tailcall;       /* gdb's TAILCALL_FRAME: a function the call of the
                          real frame outward went through by a tail jump
                          (found from DW_TAG_call_site: the unique chain of
                          tail calls from that call site's target to the
                          function inward of it); pc is the return pc of
                          its tail-call site, cfa the inward real frame's.
                          Its values are gdb's: no registers of its own, it
                          reads its real caller's (outward), and no CFA;
                          what its parameters held at its entry comes from
                          the call site that jumped or called into it */
} sse_frame;

/* Unwind the stopped thread: up to max frames (max > 0), *n (may be NULL)
 * set to the number filled. Frames are counted as gdb's `bt` counts them:
 * each real frame is preceded by the inline frames at its pc, innermost
 * first; at frame 0 the inline frames a stop hides (those that start at
 * the pc, see sse_stop's loc) are not listed; between a real frame and
 * its caller, gdb's tail-call frames (sse_frame.tailcall). Every call taking a `frame`
 * index (sse_frame_variables, sse_evaluate*, sse_value_*,
 * sse_watch_expression) counts frames the same way. One delegate runs the whole unwind. It does not
 * wait for a running command's stop (SSE_E_RUNNING).
 * Errors: SSE_E_INVAL (thread or frames NULL, max 0), SSE_E_EXITED,
 * SSE_E_NOTHREAD, SSE_E_RUNNING, SSE_E_NOMEM, SSE_E_PERM or SSE_E_SYS (the
 * registers cannot be read). */
SSE_API sse_err sse_backtrace(sse_thread *thread, sse_frame *frames,
                              size_t max, size_t *n);

/* ---------------------------------------------------------------- events */

typedef enum sse_event_kind {
  SSE_EV_STOPPED = 1u << 0,        /* a command ended, or sse_spawn() or
                                      sse_attach() stopped a new process
                                      (SSE_STOP_SPAWNED): stop is set */
  SSE_EV_FRAME_CHANGED = 1u << 1,  /* just before STOPPED, for a stop of a
                                      live thread: its pc or CFA differs
                                      from that thread's last stop, or this
                                      is its first (stops count while FRAME_
                                      or METHOD_CHANGED has a subscriber) */
  SSE_EV_METHOD_CHANGED = 1u << 2, /* likewise when its function differs:
                                      the function of stop->loc, the frame
                                      a frontend shows, an inline frame's
                                      own (a `step` into an inline call at
                                      the same pc gives METHOD_CHANGED
                                      alone: pc and CFA are the same) */
  SSE_EV_THREAD_CREATED = 1u << 3, /* thread: the new one */
  SSE_EV_THREAD_EXITED = 1u << 4,  /* a thread other than the leader exited
                                      (not for those an exec ends, nor on
                                      sse_kill or sse_detach) */
  SSE_EV_PROCESS_EXITED = 1u << 5, /* the process exited or a signal killed
                                      it: exit_status or signo in stop (not
                                      for sse_kill or sse_detach) */
  SSE_EV_SIGNAL = 1u << 6,         /* a thread received signo: every signal,
                                      whatever its policy */
  SSE_EV_EXEC = 1u << 7,           /* thread: the one that called exec */
  SSE_EV_MODULES_CHANGED = 1u << 8, /* the modules changed: a library
                                       loaded or unloaded, an exec */
  SSE_EV_JIT_SYMBOLS_CHANGED = 1u << 9, /* JIT code was registered or
                                           freed (agent or GDB JIT
                                           interface) */
  SSE_EV_ALL = 0x3ff
} sse_event_kind;

typedef struct sse_event {
  sse_event_kind kind;
  sse_engine *engine;
  sse_process *process;
  sse_thread *thread; /* NULL when not about one thread (PROCESS_EXITED,
                         MODULES_CHANGED, JIT_SYMBOLS_CHANGED, the STOPPED
                         of an exit, kill or detach) */
  pid_t tid;          /* thread's tid; PROCESS_EXITED: the pid */
  int signo;          /* SIGNAL; STOPPED and PROCESS_EXITED: stop's */
  const sse_stop *stop; /* STOPPED, FRAME_CHANGED, METHOD_CHANGED,
                           PROCESS_EXITED; NULL otherwise */
  /* FRAME_CHANGED/METHOD_CHANGED: the location of that thread's previous
   * stop (NULL at its first), and the CFAs of that stop and this one (0
   * where unknown). */
  const sse_location *previous;
  uint64_t previous_cfa, cfa;
} sse_event;

/* Called on the tracer thread. `ev` and everything it points to (except the
 * engine-owned strings of sse_location) are valid for the call only. May
 * call any sse_ function but sse_engine_free() (which does nothing there),
 * sse_unsubscribe() of its own subscription included. */
typedef void (*sse_event_fn)(const sse_event *ev, void *user);

/* Subscribe fn to the kinds (a mask of sse_event_kind). *id (may be NULL)
 * identifies the subscription for sse_unsubscribe(). Any number of
 * subscriptions; for each event they are called one after the other in
 * subscription order. A subscription made inside a callback gets events
 * from the next event on.
 * Errors: SSE_E_INVAL (engine or fn NULL, no SSE_EV_* bit in kinds),
 * SSE_E_NOMEM.
 * Thread: any; it does not wait for the tracer thread. */
SSE_API sse_err sse_subscribe(sse_engine *engine, unsigned kinds,
                              sse_event_fn fn, void *user, int *id);
/* End a subscription.
 * From a thread other than the tracer thread it first waits for a call of
 * fn in progress to return: once it returns, no call of fn runs or will
 * start, and `user` may be freed. Do not call it from a thread that fn
 * waits for: the two would wait for each other.
 * On the tracer thread (inside a callback, the subscription's own
 * included, or in sse_call()) it does not wait, which would deadlock: no
 * call of fn starts after it returns; calls still in progress can only be
 * on the tracer thread's own stack (the callback making this call, or an
 * outer one whose blocking call dispatched this event), and `user` may be
 * freed once they have returned.
 * Errors: SSE_E_INVAL (engine NULL), SSE_E_NOTFOUND (no such subscription,
 * or already ended). */
SSE_API sse_err sse_unsubscribe(sse_engine *engine, int id);

/* ------------------------------------ code, symbols, sources (frontends) */

/* What a debugger shows beside a stop, so that a frontend needs no
 * disassembler, ELF reader or source path search of its own. */

/* One machine instruction, as gdb's `x/i` and `disassemble` show it. The
 * text fields are NUL-terminated (cut to their arrays); target_function is
 * engine-owned (valid until sse_engine_free()). */
typedef struct sse_insn {
  uint64_t addr;
  unsigned len;          /* bytes: 1 for a byte that is no instruction */
  uint8_t bytes[16];     /* the first len are the instruction's */
  bool invalid;          /* not an instruction: mnemonic "(bad)" */
  char mnemonic[32];     /* AT&T syntax (gdb's default) as capstone spells
                            it, prefixes included: "pushq", "callq", "rep
                            stosq" (gdb: "push", "call") */
  char operands[160];    /* AT&T: "%rsp, %rbp", "$0x10, %rsp"; "" if none */
  bool has_target;       /* a direct call, jump or conditional jump */
  uint64_t target;       /* where it goes */
  const char *target_function; /* the function there, named as sse_lookup
                                  names it, or NULL */
  uint64_t target_offset;      /* target - that function's start: gdb shows
                                  `call 0x401136 <square>`, `<main+4>` */
} sse_insn;

/* Decode up to count instructions from addr on into out[0..count); *n (may
 * be NULL) is set to the number filled. The bytes are read as
 * sse_read_memory() reads them, so a breakpoint's int3 never shows. A byte
 * that starts no instruction is one `invalid` instruction of length 1, and
 * decoding goes on after it.
 * Errors: SSE_E_INVAL for a NULL proc, or a NULL out with count > 0;
 * SSE_E_FAULT when memory ends before count instructions: *n says how many
 * were decoded (0 when addr is not readable) and the fault is at the end of
 * the last one (at addr for none); SSE_E_EXITED; SSE_E_RUNNING as
 * sse_read_memory() returns it.
 * Cost: one memory read per 4 KiB of code, one delegate that names every
 * target. */
SSE_API sse_err sse_disassemble(sse_process *proc, uint64_t addr,
                                size_t count, sse_insn *out, size_t *n);

typedef enum sse_symbol_kind {
  SSE_SYMBOL_FUNCTION = 1, /* STT_FUNC, STT_GNU_IFUNC; JIT agent code */
  SSE_SYMBOL_DATA = 2      /* STT_OBJECT: a global or static variable */
} sse_symbol_kind;

/* An ELF symbol (or a function the JIT agent registered). Strings are
 * engine-owned (valid until sse_engine_free()). */
typedef struct sse_symbol {
  const char *name;     /* the symbol's name without "@VERSION": "memcpy";
                           a C++ one demangled, as gdb's `info symbol`
                           and completion show it:
                           "shapes::Circle::area() const" */
  sse_symbol_kind kind;
  uint64_t addr;        /* its address in the process */
  uint64_t size;        /* bytes; 0 when the symbol gives none */
  const char *module;   /* the module's path, the same string as
                           sse_location.module; NULL for JIT agent code */
} sse_symbol;

/* Flags of sse_symbols() and sse_symbol_at(). */
enum {
  SSE_SYMBOLS_FUNCTIONS = 1u << 0, /* function symbols */
  SSE_SYMBOLS_DATA = 1u << 1,      /* data objects (neither flag: both) */
  SSE_SYMBOLS_EXACT = 1u << 2,     /* sse_symbols: prefix is the whole name */
  SSE_SYMBOLS_EXECUTABLE = 1u << 3 /* only the main program's symbols */
};

/* The symbols whose name starts with prefix (NULL or "": all), for
 * completion and look-ups by name: the ELF symbol tables of every module
 * mapped in the process (a separate debuginfo file's table when there is
 * one, found as for every lookup) and the JIT agent's functions. Sorted by
 * name; under one name the main program's first, then the modules in
 * address order (so out[0] of an SSE_SYMBOLS_EXACT search is the program's
 * own when it has one). Fills up to max entries; *n (may be NULL) is the total
 * count, which may exceed max (call with max 0 to size an array).
 * Not seen: objects registered through the GDB JIT interface, and names
 * only DWARF knows (a function inlined everywhere).
 * Errors: SSE_E_INVAL (NULL proc, NULL out with max > 0); SSE_E_EXITED;
 * SSE_E_NOMEM.
 * Thread: the module list is taken in one delegate; the symbol tables are
 * then read on the calling thread, which does not hold up the tracer
 * thread. Each call reads them again: meant for completion and names a
 * user typed, not for once per instruction. */
SSE_API sse_err sse_symbols(sse_process *proc, const char *prefix,
                            unsigned flags, sse_symbol *out, size_t max,
                            size_t *n);
/* The symbol that holds addr, data objects included (gdb's `info symbol`;
 * what `x` shows as <global_acc+4>): addr in [symbol, symbol + size), or at
 * a sizeless symbol's own address. Among several, the one that starts
 * closest below addr, then a global before a weak before a local one, the
 * main program's first. flags as for sse_symbols() (EXACT means nothing
 * here). SSE_E_NOSYM when none; otherwise as sse_symbols(). */
SSE_API sse_err sse_symbol_at(sse_process *proc, uint64_t addr,
                              unsigned flags, sse_symbol *out);
/* gdb's print name of the function with debug info holding pc, as
 * `info breakpoints` names a location ("in shapes::Circle::area() const
 * at ..."): for C++ the linkage name demangled with its parameters and
 * qualifiers, without a function template's return type
 * ("sum<int>(std::vector<int, std::allocator<int> > const&)"), or,
 * without a linkage name, the qualified name and its parameter types
 * ("main()"); for C the DWARF name ("main"). Code inlined at pc is named
 * by the innermost inlined function holding it (a FILE:LINE location's
 * name); func (may be NULL) is the function a breakpoint at pc was set on
 * (sse_break_function's name): then, as gdb, pc is named by that
 * function's copy holding it (an inlined push_back, not the emplace_back
 * inlined into it). Into buf (bufsz bytes, cut to fit).
 * Errors: SSE_E_INVAL (NULL proc or buf, bufsz 0, func empty or longer
 * than 512 bytes), SSE_E_EXITED, SSE_E_NOSYM (no DWARF function there:
 * use sse_symbol_at()). */
SSE_API sse_err sse_function_print_name(sse_process *proc, uint64_t pc,
                                        const char *func, char *buf,
                                        size_t bufsz);

/* The path gdb opens for a source file named `file`. A location's file
 * (sse_location.file) is already that path: this is for names a user types
 * (`list loops_calls.c:10`, `break src/x.c:3`). An absolute name is kept; a
 * relative one is the line tables' file whose path is it or ends with
 * "/" + it; of several, the one whose code lies lowest in memory (the main
 * program's before its libraries'). *path is engine-owned.
 * Errors: SSE_E_INVAL; SSE_E_NOTFOUND when no line table names such a file
 * (gdb: "No source file named ..."); SSE_E_EXITED when the process exited
 * before its line tables were read.
 * Cost: the line tables of every module are read once per engine (as for
 * sse_break_line()). */
SSE_API sse_err sse_source_path(sse_process *proc, const char *file,
                                const char **path);

/* A source file's text, split in lines as gdb numbers them: lines[0] is
 * line 1; no line holds its '\n'; a last line without one counts. */
typedef struct sse_source {
  const char *path;         /* the file read */
  size_t nlines;
  const char *const *lines; /* nlines strings */
} sse_source;

/* Read the file at path (relative: to the current directory) into *out,
 * which the caller releases with sse_source_free(). Nothing is cached.
 * Errors: SSE_E_INVAL; SSE_E_NOTFOUND when there is no such file;
 * SSE_E_SYS when it cannot be read. *sys_errno (may be NULL) gets the
 * errno of either (ENOENT for NOTFOUND); SSE_E_NOMEM.
 * Thread: reads on the calling thread, with no process involved. */
SSE_API sse_err sse_source_read(const char *path, sse_source **out,
                                int *sys_errno);
/* Free what sse_source_read() returned. NULL is ignored. */
SSE_API void sse_source_free(sse_source *src);

/* ---------------------------------------------------------------- Values */

/* Variables and C expressions of a frame, read through its DWARF (types,
 * location expressions and lists, the frame's registers and CFA) and
 * formatted as gdb's `print` and `info locals` format them, character for
 * character ("{x = 1, y = 2}", "65 'A'", "(int *) 0x7ffe...",
 * "0x555555556004 \"text\"", "0 <repeats 15 times>", "<optimized out>").
 * frame is a backtrace level (0: the innermost, as sse_backtrace counts
 * frames, inline frames included; an inline frame has its real frame's
 * registers and the variables of its own block); above the first real
 * frame only what the CFA and memory give is known (a variable kept in a
 * register there is <optimized out>).
 * Thread: each call is one delegate to the tracer thread (directly inside
 * a callback); the thread must be stopped. */

#define SSE_VARS_ARGS 1u   /* the function's parameters (gdb's info args) */
#define SSE_VARS_LOCALS 2u /* the locals of every block holding the pc,
                              innermost first (gdb's info locals) */

typedef struct sse_variable {
  char *name;  /* as declared */
  char *type;  /* its C type as gdb's whatis names it ("int *") */
  char *value; /* as info locals prints it (no "(int *) " before a
                  pointer); "<error: Cannot access memory at address
                  0x...>" when it cannot be read */
  bool is_arg;
  char *entry_value; /* an argument's value at the function's entry, from
                        the caller's call site (gdb's NAME@entry: frame
                        lines show "a=a@entry=5" when it equals value,
                        "a=6, a@entry=5" when not), formatted as value; NULL
                        when unknown (no call-site information, -O0) */
} sse_variable;

/* The variables of frame `frame` of the stopped thread, of the kinds
 * asked (SSE_VARS_ARGS | SSE_VARS_LOCALS): arguments first in declaration
 * order, then locals from the innermost block out. *out is an array of *n
 * the caller frees with sse_variables_free() (NULL when *n is 0).
 * err (may be NULL) gets gdb's message on failure ("No symbol table info
 * available." for a frame without DWARF).
 * Errors: SSE_E_INVAL (NULL thread/out/n, kinds 0), SSE_E_EXITED,
 * SSE_E_NOTHREAD, SSE_E_RUNNING, SSE_E_NOTFOUND (no such frame),
 * SSE_E_NOSYM (no DWARF at the frame's pc), SSE_E_NOMEM. */
SSE_API sse_err sse_frame_variables(sse_thread *thread, size_t frame,
                                    unsigned kinds, sse_variable **out,
                                    size_t *n, char *err, size_t errsz);
/* Free what sse_frame_variables() returned. NULL is ignored. */
SSE_API void sse_variables_free(sse_variable *vars, size_t n);

/* What sse_evaluate() found besides the text. */
typedef struct sse_value_info {
  char type[256];    /* the result's C type ("struct point", "char *") */
  bool has_address;  /* the value is an lvalue in memory */
  uint64_t address;
  bool truncated;    /* the text did not fit bufsz */
  bool uses_frame;   /* it reads the frame: a local, an argument or a
                        register (gdb's display shows such an expression
                        only in its function) */
} sse_value_info;

/* Evaluate the C expression expr in frame `frame` and format the result
 * as gdb's `print` does after "$N = ". Expressions: identifiers (locals,
 * arguments, file statics, globals of every module, functions,
 * enumerators), registers of the frame ($pc, $sp, $fp, $rax, $eax, $al:
 * gdb's types), $NAME convenience variables (void), integer, floating
 * and character literals, ( ), a[i], s.f,
 * p->f, unary - + ! ~ * &, casts to named types ("(struct node *)p",
 * "(unsigned char)x"), sizeof, gdb's a@n, and the binary operators || &&
 * | ^ & == != < > <= >= << >> + - * / % with C's precedence and
 * conversions. Values are read when formatted:
 * bufsz bounds the text (info->truncated says it was cut).
 * On failure buf holds gdb's error text: `No symbol "x" in current
 * context.`, `Cannot access memory at address 0x0`, `A syntax error in
 * expression, near `)'.`, `Division by zero`. info may be NULL.
 * Errors: SSE_E_INVAL (NULL arguments, bufsz 0; a malformed or
 * meaningless expression), SSE_E_NOSYM (an unknown identifier),
 * SSE_E_FAULT (memory the value needs cannot be read), SSE_E_NOTFOUND (no
 * such frame), SSE_E_EXITED, SSE_E_NOTHREAD, SSE_E_RUNNING, SSE_E_NOMEM. */
SSE_API sse_err sse_evaluate(sse_thread *thread, size_t frame,
                             const char *expr, char *buf, size_t bufsz,
                             sse_value_info *info);
/* sse_evaluate() with gdb's print/FORMAT letter: 'x' hex, 'z' zero-padded
 * hex, 'o' octal, 't' binary (all on the bits of the value's size; a
 * float's raw bytes), 'd' signed, 'u' unsigned, 'c' a char, 'a' an
 * address with its <symbol>, 'f' an integer's bits as a float, 's' (or 0)
 * as without. Structs and arrays apply it to each scalar ("{x = 0x1, y =
 * 0x2}"; a char array then shows its elements); a pointer shows no
 * "(type) " then. Errors: as sse_evaluate(); SSE_E_INVAL also for another
 * letter (buf: `Undefined output format "q".`). */
SSE_API sse_err sse_evaluate_format(sse_thread *thread, size_t frame,
                                    const char *expr, int format, char *buf,
                                    size_t bufsz, sse_value_info *info);

/* The value the function that a finish left returned, formatted as gdb's
 * "Value returned is $N = ..." shows it: func_pc is any address in that
 * function (the pc where the finish started, in frame 0), stop the
 * finish's (SSE_STOP_FINISH; without has_retval the function is void). Its declared return type
 * decides, by the SysV classification: integers, pointers and enums from
 * rax, float and double from xmm0, structs and unions of up to 16 bytes
 * from rax/rdx/xmm0, bigger ones from the memory rax points to.
 * Errors: SSE_E_INVAL (NULL arguments, bufsz 0, not a finish's stop);
 * SSE_E_NOTFOUND (the function returns void: nothing to show);
 * SSE_E_NOSYM (no DWARF for func_pc); SSE_E_FAULT; SSE_E_EXITED,
 * SSE_E_NOTHREAD, SSE_E_RUNNING. A value in xmm1 or on the x87 stack
 * (long double) is not available: SSE_E_INVAL with gdb-like text. */
SSE_API sse_err sse_return_value(sse_thread *thread, uint64_t func_pc,
                                 const sse_stop *stop, char *buf,
                                 size_t bufsz, sse_value_info *info);

/* gdb's whatis (ptype false) or ptype (true) of expr_or_type in frame
 * `frame`: a type name ("struct node", "ulong_t *", "unsigned long") or
 * an expression (evaluated without side effects: `ptype i = 5` assigns
 * nothing). buf gets the text after "type = ": whatis names the type
 * ("struct node *"; a typedef name given as such is looked through once),
 * ptype spells out the struct, union or enum it is made of, lines
 * separated by '\n' ("struct point {\n    int x;\n    int y;\n} *").
 * Errors: as sse_evaluate() (buf: gdb's message, e.g. "No struct type
 * named nosuch."). */
SSE_API sse_err sse_describe_type(sse_thread *thread, size_t frame,
                                  const char *expr_or_type, bool ptype,
                                  char *buf, size_t bufsz);

/* ---------------------------------------------------------------- value handles */

/* A value as a variables view shows it: a name, a type, its text, and its
 * children read only when asked (struct and union members, array
 * elements, a pointer's pointee). A handle is valid until its process
 * resumes (any step or continue, on any thread): then every call on it
 * but sse_value_free() returns SSE_E_STALE. Free it with sse_value_free()
 * from any thread, at any time (also after the process exited or the
 * engine was freed). Each call is one delegate to the tracer thread
 * (directly inside a callback). */
typedef struct sse_value sse_value;

/* How much a value's text shows: gdb's print settings. */
typedef struct sse_print_limits {
  unsigned max_elements; /* array elements and string characters shown
                            (gdb's `print elements`, default 200); 0:
                            unlimited */
  unsigned repeats;      /* runs of equal elements longer than this are
                            shown as "<repeats N times>" (default 10); 0:
                            never */
  unsigned max_depth;    /* nested structs deeper than this show "{...}"
                            (gdb's `print max-depth`, default 20); 0:
                            unlimited */
} sse_print_limits;
/* gdb's defaults. */
SSE_API void sse_print_limits_init(sse_print_limits *limits);

/* The value of expr (as sse_evaluate() takes it) in frame `frame`.
 * Errors and err text: as sse_evaluate(). */
SSE_API sse_err sse_value_evaluate(sse_thread *thread, size_t frame,
                                   const char *expr, sse_value **out,
                                   char *err, size_t errsz);
/* The variables sse_frame_variables() lists, as handles: *out an array of
 * *n the caller frees with sse_values_free(). */
SSE_API sse_err sse_value_variables(sse_thread *thread, size_t frame,
                                    unsigned kinds, sse_value ***out,
                                    size_t *n, char *err, size_t errsz);
/* The name a variables view shows: the variable's ("p"), a member's
 * ("next"), an element's ("[3]"), a pointee's ("*p"); the expression
 * itself for sse_value_evaluate(). Engine-owned, valid until the handle is
 * freed. */
SSE_API const char *sse_value_name(const sse_value *value);
/* Its C type as gdb's whatis names it ("struct node *"). Valid as name. */
SSE_API const char *sse_value_type(const sse_value *value);
/* An expression that evaluates to this value in the same frame
 * ("list->next->val", "arr[3].x", "*p"), for watch and setExpression.
 * Valid as name. Two cases name no such expression: an anonymous struct
 * or union member (named "<anonymous union>") has "", and a variable an
 * inner block's variable shadows has its name, which names the inner
 * one (the handle itself still reads the outer one). A handle on an
 * expression that assigns ("x = 5") did the assignment once, when made;
 * it is then the left side ("x"). */
SSE_API const char *sse_value_expression(const sse_value *value);
/* The number of children, known without reading them: a struct or
 * union's members, an array's elements (a VLA's from its bound), 1 for a
 * pointer to a complete non-void, non-function type (its pointee; a
 * char pointer's pointee too), 0 for a scalar.
 * Errors: SSE_E_INVAL (NULL arguments), SSE_E_STALE. */
SSE_API sse_err sse_value_child_count(sse_value *value, size_t *n);
/* Children start .. start+count-1 (clipped to the count) as new handles:
 * *out an array of *n the caller frees with sse_values_free(). Reading a
 * pointer's pointee that cannot be read still makes a handle, whose text
 * is the error.
 * Errors: SSE_E_INVAL (NULL arguments), SSE_E_STALE, SSE_E_NOMEM. */
SSE_API sse_err sse_value_children(sse_value *value, size_t start,
                                   size_t count, sse_value ***out,
                                   size_t *n);
/* Its text as gdb's print shows it after "$N = " with the format letter
 * of sse_evaluate_format() (0: none) and limits (NULL: the defaults); a
 * value that cannot be read gives its error text ("<error: Cannot access
 * memory at address 0x0>") and SSE_OK. *truncated (may be NULL) is set
 * when the text did not fit bufsz.
 * Errors: SSE_E_INVAL (NULL value/buf, bufsz 0, an unknown letter),
 * SSE_E_STALE. */
SSE_API sse_err sse_value_format(sse_value *value, int format,
                                 const sse_print_limits *limits, char *buf,
                                 size_t bufsz, bool *truncated);
/* gdb's `set var LVALUE = expr` on this value: expr is evaluated in the
 * value's frame and converted to its type as C assigns (an integer
 * truncated, a double to float, a pointer from an integer); memory or the
 * frame's register is written. The handle then shows the new value.
 * Errors: SSE_E_INVAL (not an lvalue: `Left operand of assignment is not
 * an lvalue.`; expr malformed; types that do not convert), SSE_E_NOSYM,
 * SSE_E_FAULT, SSE_E_STALE, SSE_E_RUNNING. err may be NULL. */
SSE_API sse_err sse_value_assign(sse_value *value, const char *expr,
                                 char *err, size_t errsz);
/* Free a handle (NULL is ignored). */
SSE_API void sse_value_free(sse_value *value);
/* Free n handles and the array holding them (NULL is ignored). */
SSE_API void sse_values_free(sse_value **values, size_t n);

/* ------------------------------------------------- C++ exception catchpoints */

/* gdb's `catch throw`, `catch catch` and `catch rethrow`: stop where a C++
 * exception is thrown (libstdc++'s __cxa_throw), where a handler catches
 * it (__cxa_begin_catch) or where `throw;` rethrows it (__cxa_rethrow),
 * for any of the kinds given (or-ed). The catchpoint sits where gdb puts
 * it: at libstdc++'s SystemTap probes libstdcxx:throw, catch and rethrow
 * (so the stop's pc is inside those functions, as gdb's "Catchpoint N
 * (exception thrown), 0x... in __cxa_throw () from .../libstdc++.so.6"
 * shows), or past the function's prologue in a libstdc++ without probes.
 * It is pending until libstdc++ is loaded, and follows it as function
 * breakpoints do. The stop is SSE_STOP_BREAKPOINT with breakpoint_id the
 * catchpoint's id, which shares the breakpoint id space
 * (sse_break_list, sse_break_enable, sse_break_ignore, sse_break_remove
 * take it; its spec is gdb's "exception throw", "exception catch",
 * "exception rethrow", or those kinds joined by ", "). The exception is
 * told by sse_catch_info().
 * Errors: SSE_E_INVAL (proc or id NULL, kinds 0 or with other bits),
 * SSE_E_EXITED, SSE_E_RUNNING, SSE_E_NOMEM. */
enum { SSE_CATCH_THROW = 1, SSE_CATCH_CATCH = 2, SSE_CATCH_RETHROW = 4 };
SSE_API sse_err sse_catch(sse_process *proc, int kinds, int *id);

typedef struct sse_exception_info {
  int kind;         /* SSE_CATCH_THROW, SSE_CATCH_CATCH or SSE_CATCH_RETHROW */
  uint64_t object;  /* the exception object's address (gdb's $_exception) */
  uint64_t tinfo;   /* its std::type_info, 0 when not known */
  char type[256];   /* its type demangled ("std::runtime_error", "int");
                       "" when not known */
} sse_exception_info;
/* The exception of a thread stopped at a catchpoint's location (the probe
 * or function a catchpoint of any kind would stop at), read from the
 * probe's arguments (throw: object and type_info; catch and rethrow: the
 * same, as libstdc++ passes them) and the type_info's name.
 * Errors: SSE_E_INVAL (NULL argument), SSE_E_EXITED, SSE_E_NOTHREAD,
 * SSE_E_RUNNING, SSE_E_NOTFOUND (the thread is not at such a location). */
SSE_API sse_err sse_catch_info(sse_thread *thread, sse_exception_info *out);
/* gdb's `catch throw REGEX` (and `catch catch`, `catch rethrow`): the
 * catchpoint id stops only for an exception whose type name (as
 * sse_exception_info.type spells it) the POSIX basic regex matches
 * anywhere; one whose type cannot be told stops, as in gdb. Checked on the
 * tracer thread at each hit before the condition: a type that does not
 * match is no hit (no stop, no count in hits). NULL or "" removes the
 * filter. err (may be NULL) gets regerror's text for a bad regex.
 * Errors: SSE_E_INVAL (proc NULL, a regex that does not compile),
 * SSE_E_EXITED, SSE_E_RUNNING, SSE_E_NOTFOUND (id is no catchpoint),
 * SSE_E_NOMEM. */
SSE_API sse_err sse_catch_matching(sse_process *proc, int id, const char *regex,
                                   char *err, size_t errsz);
/* ---------------------------------------------------------------- hardware breakpoints */

/* A breakpoint at addr in a debug register (gdb's `hbreak`), on every
 * thread, threads created later included: no int3 is written. It takes
 * one of the four debug registers sse_watch() uses, and stops as a
 * breakpoint (SSE_STOP_BREAKPOINT, breakpoint_id = *id) before the
 * instruction at addr runs. Remove with sse_break_remove().
 * Errors: SSE_E_INVAL (proc NULL, or the kernel refused the address),
 * SSE_E_EXITED, SSE_E_RUNNING, SSE_E_NOSLOT (the debug registers are used
 * up), SSE_E_NOMEM. */
SSE_API sse_err sse_break_hardware(sse_process *proc, uint64_t addr, int *id);

/* ---------------------------------------------------------------- FP registers */

/* A thread's floating-point and vector registers (x86-64). fxsave is the
 * FXSAVE image (Intel SDM vol. 1, table 10-2), little-endian: the x87
 * control word at 0, status word at 2, abridged tag byte at 4, last opcode
 * at 6 (11 bits), instruction pointer at 8 and operand pointer at 16 (64
 * bits each), mxcsr at 24, mxcsr_mask at 28, st0-st7 (ST(i), mm0-mm7 share
 * them) at 32 + 16 * i (10 bytes each), xmm0-xmm15 at 160 + 16 * i. ymmh
 * holds the upper 128 bits of ymm0-ymm15 (the XSAVE AVX state). The
 * AVX-512 state: k0-k7, bits 256-511 of zmm0-zmm15 (zmm<i> is xmm<i>,
 * ymmh[i], zmmh[i]), and zmm16-zmm31 whole (xmm16-31 and ymm16-31 are
 * their low 128 and 256 bits). */
typedef struct sse_fpregs {
  uint8_t fxsave[512];
  uint8_t ymmh[16][16];
  bool has_avx; /* the CPU and kernel have the AVX state: ymmh is the
                   thread's; false: ymmh is zero, and never written */
  bool has_avx512;          /* the CPU and kernel have the AVX-512 state
                               (with has_avx): k, zmmh and hi16_zmm are the
                               thread's; false: zero, and never written */
  uint8_t k[8][8];          /* k0-k7, 64 bits each */
  uint8_t zmmh[16][32];     /* bits 256-511 of zmm0-zmm15 */
  uint8_t hi16_zmm[16][64]; /* zmm16-zmm31 */
} sse_fpregs;

/* Read (get: *fpregs zeroed first) or write a stopped thread's x87, SSE,
 * AVX and AVX-512 registers, as sse_get_regs()/sse_set_regs() do the
 * general ones. A write takes fxsave's first 416 bytes (through xmm15;
 * mxcsr_mask and the reserved bytes are the kernel's), ymmh when has_avx
 * and k, zmmh, hi16_zmm when has_avx512.
 * Errors: SSE_E_INVAL (thread or fpregs NULL), SSE_E_EXITED,
 * SSE_E_NOTHREAD, SSE_E_RUNNING, SSE_E_NOMEM, SSE_E_SYS (ptrace refused:
 * for a write, an mxcsr with reserved bits set). */
SSE_API sse_err sse_get_fpregs(sse_thread *thread, sse_fpregs *fpregs);
SSE_API sse_err sse_set_fpregs(sse_thread *thread, const sse_fpregs *fpregs);

/* The siginfo of the stopped thread's last stop (128 bytes: Linux's
 * siginfo_t, as PTRACE_GETSIGINFO gives it): for a thread stopped by a
 * signal (SSE_STOP_SIGNAL), that signal's; gdb's $_siginfo.
 * Errors: SSE_E_INVAL (thread or siginfo NULL), SSE_E_EXITED,
 * SSE_E_NOTHREAD, SSE_E_RUNNING, SSE_E_SYS. */
SSE_API sse_err sse_thread_siginfo(sse_thread *thread, uint8_t siginfo[128]);
/* ------------------------------------------------- the shared symbol index */

/* Index the ELF file at path ahead of time (gdb-add-index, a debuginfod
 * scanner): its symbols, line tables and compilation-unit maps (with its
 * separate debug file, found as for a traced process, or a separate debug
 * file itself) are decoded whole and written to the engine's on-disk symbol
 * index (sse_engine_options.cache_dir; docs/index-format.md), which every
 * later engine maps instead of decoding. *was_indexed (may be NULL): the
 * index already had all of it (nothing written).
 * Errors: SSE_E_INVAL (engine or path NULL, not an ELF file, or the index
 * is off), SSE_E_NOTFOUND (no such file), SSE_E_SYS (the cache directory
 * cannot be written), SSE_E_NOMEM.
 * Thread: any; it does not use the tracer thread. */
SSE_API sse_err sse_index_file(sse_engine *engine, const char *path, bool *was_indexed);

/* Debug files downloaded from debuginfod servers: libdwfl asks the servers
 * of $DEBUGINFOD_URLS for a module's debug file when none is on disk
 * (cached in $DEBUGINFOD_CACHE_PATH; the symbol index then caches it like
 * any file). fn(url, done, total, arg) is called as bytes arrive: url is
 * where the debug file comes from (valid during the call), total <= 0 when
 * not known yet. fn NULL: no reports.
 * Thread: fn runs on the thread loading the module's symbols (the tracer
 * or a helper thread of the engine), with the engine's symbol locks held:
 * it must not call into the engine. Errors: SSE_E_INVAL (engine NULL). */
typedef void (*sse_download_fn)(const char *url, long done, long total, void *arg);
SSE_API sse_err sse_set_download_progress(sse_engine *engine, sse_download_fn fn, void *arg);

#ifdef __cplusplus
}
#endif
#endif /* SSE_H */
