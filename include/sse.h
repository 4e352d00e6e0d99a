/* sse.h — a threaded ptrace stepping engine for Linux x86_64.
 *
 * THREADING CONTRACT (stated once; exceptions are on the function)
 *
 *   Every function in this header is safe to call from any thread of the
 *   embedding program, including from inside an event callback.
 *
 *   One dedicated tracer thread ("sse-tracer"), started by sse_engine_new(),
 *   owns every ptrace relationship: Linux lets only one thread trace a task.
 *   A call made on any other thread is queued to the tracer thread as a
 *   delegate and the caller blocks until it has run. A call made on the
 *   tracer thread itself (inside a callback, or inside sse_call()) runs
 *   directly: no queue, no deadlock.
 *
 *   Event callbacks (sse_subscribe) always run on the tracer thread. While a
 *   callback runs, the engine does nothing else: keep callbacks short, or hand
 *   the work to your own thread. A callback may call any sse_ function,
 *   including blocking ones (sse_step_line() inside a callback steps and then
 *   returns).
 *
 *   SIGCHLD: the library installs a SIGCHLD handler (chaining to a handler the
 *   program had) and keeps SIGCHLD blocked on its own threads. The embedding
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
 *   no thread-local "last error".
 *
 * POINTER LIFETIMES
 *   Strings in an sse_location (function, file, module) are owned by the
 *   engine and stay valid until sse_engine_free(). Everything else passed to
 *   a callback is valid for the callback's duration only.
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
  XX(SHUTDOWN, -16, "the engine is shutting down")

typedef enum sse_err {
  SSE_OK = 0,
#define SSE__ERR_ENUM(name, val, msg) SSE_E_##name = (val),
  SSE_ERRNO_MAP(SSE__ERR_ENUM)
#undef SSE__ERR_ENUM
} sse_err;

/* A sentence describing err. Never NULL; static storage. */
SSE_API const char *sse_strerror(sse_err err);
/* "SSE_E_FAULT" and so on. Never NULL; static storage. */
SSE_API const char *sse_err_name(sse_err err);

/* ---------------------------------------------------------------- handles */

/* The engine: the tracer thread, the symbol thread, the command queue. */
typedef struct sse_engine sse_engine;
/* A traced process. Owned by the engine; valid until sse_engine_free(),
 * even after the process exited (calls then return SSE_E_EXITED). */
typedef struct sse_process sse_process;
/* A traced thread (task). Owned by its process; valid as long as the
 * process handle is, even after the thread exited (SSE_E_NOTHREAD then). */
typedef struct sse_thread sse_thread;

/* ---------------------------------------------------------------- engine */

typedef struct sse_engine_options {
  /* Reserved; pass NULL for defaults. */
  unsigned flags;
} sse_engine_options;

/* Start an engine and its tracer thread. opts may be NULL.
 * Thread: any thread except an sse thread. */
SSE_API sse_err sse_engine_new(const sse_engine_options *opts,
                               sse_engine **out);
/* Stop the engine: processes it spawned are killed, processes it attached
 * are detached with every breakpoint and watchpoint removed first (they run
 * on as if never traced). Then the tracer thread exits.
 * Thread: any thread except the tracer thread (not inside a callback). */
SSE_API void sse_engine_free(sse_engine *engine);

/* Run fn(arg) on the tracer thread and return when it has run. On the tracer
 * thread itself it runs at once. Inside fn every sse_ call is direct. */
SSE_API sse_err sse_call(sse_engine *engine, void (*fn)(void *arg), void *arg);
/* True when called on this engine's tracer thread. */
SSE_API bool sse_on_tracer_thread(const sse_engine *engine);

/* ---------------------------------------------------------------- processes */

enum {
  /* Turn address space randomisation back ON (off by default, like gdb). */
  SSE_SPAWN_ASLR = 1u << 0,
  /* Do not set PTRACE_O_EXITKILL (default: spawned processes die with the
   * debugger). */
  SSE_SPAWN_NO_EXITKILL = 1u << 1,
  /* Also trace children forked by the target (PTRACE_O_TRACEFORK/VFORK). */
  SSE_SPAWN_TRACEFORK = 1u << 2,
};

typedef struct sse_spawn_options {
  unsigned flags;            /* SSE_SPAWN_* */
  const char *const *envp;   /* NULL: inherit the environment */
  const char *cwd;           /* NULL: inherit */
  /* File descriptors for the target's stdin/stdout/stderr; -1 inherits. */
  int stdin_fd, stdout_fd, stderr_fd;
} sse_spawn_options;

/* Fill opts with the defaults (inherit everything, ASLR off, EXITKILL). */
SSE_API void sse_spawn_options_init(sse_spawn_options *opts);

/* Fork and exec argv[0] (searched in PATH when it has no '/') under ptrace.
 * On return the process is stopped at its first instruction (the exec
 * stop), every thread stopped. opts may be NULL.
 * Errors: SSE_E_EXEC when exec failed, with its errno in *sys_errno (may be
 * NULL); SSE_E_INVAL for an empty argv. */
SSE_API sse_err sse_spawn(sse_engine *engine, const char *const argv[],
                          const sse_spawn_options *opts, sse_process **out,
                          int *sys_errno);
/* Attach to a running process: every thread in /proc/PID/task. On return
 * all threads are stopped. SSE_E_NOPROC for a pid that does not exist,
 * SSE_E_PERM when ptrace refuses (errno in *sys_errno). */
SSE_API sse_err sse_attach(sse_engine *engine, pid_t pid, sse_process **out,
                           int *sys_errno);
/* Remove every breakpoint and watchpoint, then detach: the process runs on
 * as if it had never been traced. */
SSE_API sse_err sse_detach(sse_process *proc);
/* Kill the process (SIGKILL) and reap it. */
SSE_API sse_err sse_kill(sse_process *proc);

SSE_API pid_t sse_process_pid(const sse_process *proc);
SSE_API sse_engine *sse_process_engine(const sse_process *proc);
/* Whether the process has exited (or was killed or detached). */
SSE_API bool sse_process_exited(const sse_process *proc);

/* Threads: fills up to max live threads (in creation order) and *n with the
 * number of live threads (which may exceed max). */
SSE_API sse_err sse_process_threads(sse_process *proc, sse_thread **threads,
                                    size_t max, size_t *n);
SSE_API sse_err sse_thread_by_tid(sse_process *proc, pid_t tid,
                                  sse_thread **out);
SSE_API pid_t sse_thread_tid(const sse_thread *thread);
SSE_API sse_process *sse_thread_process(const sse_thread *thread);

/* ---------------------------------------------------------------- locations */

typedef struct sse_location {
  uint64_t pc;
  const char *module;   /* absolute path, or NULL */
  const char *function; /* the name gdb shows, or NULL: for C code with
                           debug info the DWARF function's (its linkage
                           name when it has one, __GI___pthread_kill; the
                           origin of a .part/.isra clone), else the ELF
                           symbol's. sse_break_function and
                           sse_lookup_function look names up in the ELF
                           symbol tables. */
  uint64_t offset;      /* pc - function start (the ELF symbol's) */
  const char *file;     /* source path (absolute when the compilation
                           directory is; glibc's debuginfo records relative
                           ones, shown as gdb shows them), or NULL */
  int line;             /* 0 without line info */
  int column;
} sse_location;

/* ---------------------------------------------------------------- stops */

typedef enum sse_stop_reason {
  SSE_STOP_NONE = 0,
  SSE_STOP_SPAWNED,     /* the exec stop of sse_spawn / the attach stop */
  SSE_STOP_STEP,        /* a step ended where its mode says */
  SSE_STOP_FINISH,      /* sse_finish returned to the caller: retval valid */
  SSE_STOP_BREAKPOINT,  /* breakpoint_id says which */
  SSE_STOP_WATCHPOINT,  /* watch_addr says where */
  SSE_STOP_SIGNAL,      /* the thread received signo (delivered on resume) */
  SSE_STOP_INTERRUPTED, /* sse_interrupt() */
  SSE_STOP_EXITED,      /* the process exited with exit_status */
  SSE_STOP_KILLED,      /* the process was killed by signo */
  SSE_STOP_EXEC,        /* the process called exec */
  SSE_STOP_DETACHED,    /* the process was detached */
  SSE_STOP_NO_LINE      /* step from code without line info ran to its
                           return into code with line info (gdb's "Single
                           stepping until exit"), or the step started where
                           there is no line info */
} sse_stop_reason;

/* Name of a stop reason, e.g. "breakpoint". Static storage. */
SSE_API const char *sse_stop_reason_name(sse_stop_reason reason);

typedef struct sse_stop {
  sse_stop_reason reason;
  sse_process *process;
  sse_thread *thread; /* the thread the stop is about (NULL after exit) */
  pid_t pid, tid;
  uint64_t pc;
  uint64_t sp;
  int signo;          /* SIGNAL and KILLED */
  int exit_status;    /* EXITED */
  int breakpoint_id;  /* BREAKPOINT */
  uint64_t watch_addr;/* WATCHPOINT */
  /* FINISH: the return-value registers (rax, rdx; xmm0 low 64 bits). */
  bool has_retval;
  uint64_t retval[2];
  uint64_t retval_xmm0;
  sse_location loc;   /* resolved pc (function/file/line when known) */
  /* ptrace stops the command used (resumes of the target's threads, each
   * ending in one stop): with range stepping, about two per branch taken
   * in a stepped line rather than one per instruction. */
  unsigned ptrace_stops;
} sse_stop;

/* ---------------------------------------------------------------- execution */

/* Every blocking call below returns when the process is stopped again (all
 * threads stopped: all-stop) or has exited, and fills *stop (may be NULL).
 * The _async variants return at once; the stop is reported through
 * SSE_EV_STOPPED. While a command runs on a process, another resuming
 * command on it returns SSE_E_BUSY. */

/* stepi: one machine instruction, into calls. */
SSE_API sse_err sse_step_instruction(sse_thread *thread, sse_stop *stop);
SSE_API sse_err sse_step_instruction_async(sse_thread *thread);
/* Resume every thread until a breakpoint, watchpoint, signal or exit. */
SSE_API sse_err sse_continue(sse_process *proc, sse_stop *stop);
SSE_API sse_err sse_continue_async(sse_process *proc);
/* Stop a running process: every thread stops; the pending command (if any)
 * ends with SSE_STOP_INTERRUPTED. Returns at once. No effect on a stopped
 * process. */
SSE_API sse_err sse_interrupt(sse_process *proc);
/* Block until the process is stopped (after an _async call), filling *stop
 * with the stop that ended the last command. */
SSE_API sse_err sse_wait(sse_process *proc, sse_stop *stop);

typedef enum sse_step_mode {
  SSE_STEP_INSTRUCTION = 0,  /* stepi */
  SSE_STEP_OVER_INSTRUCTION, /* nexti */
  SSE_STEP_LINE,             /* step */
  SSE_NEXT_LINE,             /* next */
  SSE_FINISH,                /* finish */
  SSE_STEP_UNTIL             /* until/advance: to `until` in this or an outer
                                frame */
} sse_step_mode;

/* A step frame: step the thread until it leaves [start, end), then decide by
 * mode whether that is the stop to report. start == end == 0 means "the
 * current line's range" for the line modes and "the current instruction"
 * for the instruction modes. */
typedef struct sse_step_frame {
  sse_step_mode mode;
  uint64_t start, end;
  uint64_t until; /* SSE_STEP_UNTIL: the target address */
} sse_step_frame;

SSE_API sse_err sse_step(sse_thread *thread, const sse_step_frame *frame,
                         sse_stop *stop);
SSE_API sse_err sse_step_async(sse_thread *thread,
                               const sse_step_frame *frame);
/* gdb's step / next / nexti / finish / advance, built on sse_step(). */
SSE_API sse_err sse_step_line(sse_thread *thread, sse_stop *stop);
SSE_API sse_err sse_next_line(sse_thread *thread, sse_stop *stop);
SSE_API sse_err sse_step_over_instruction(sse_thread *thread, sse_stop *stop);
/* sse_finish in main or in a frame without a caller: SSE_E_INVAL (gdb:
 * "finish" not meaningful in the outermost frame). */
SSE_API sse_err sse_finish(sse_thread *thread, sse_stop *stop);
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
 * Errors: SSE_E_INVAL (proc NULL; signo not in 1..64, or SIGKILL or SIGSTOP,
 * which the kernel never lets a tracer hold back). */
SSE_API sse_err sse_signal_policy(sse_process *proc, int signo, bool stop,
                                  bool pass);
/* The signal that will be delivered when thread resumes (0 for none); set it
 * to 0 to discard it, or to another signal. */
SSE_API sse_err sse_thread_set_pending_signal(sse_thread *thread, int signo);

/* ---------------------------------------------------------------- breakpoints */

/* A software breakpoint at addr. Memory reads through the library never show
 * its int3. Returns its id (> 0) in *id. */
SSE_API sse_err sse_break_address(sse_process *proc, uint64_t addr, int *id);
/* At a function's post-prologue address (gdb's `break FUNC`). If no module
 * defines it yet, the breakpoint is pending and is inserted when a library
 * (or JIT code) defining it appears; *id is valid either way. SSE_E_NOSYM is
 * returned only with `pending` false. */
SSE_API sse_err sse_break_function(sse_process *proc, const char *name,
                                   bool pending, int *id);
/* At every address of FILE:LINE (gdb's `break FILE:LINE`). SSE_E_NOLINE when
 * no code is found for it. */
SSE_API sse_err sse_break_line(sse_process *proc, const char *file, int line,
                               int *id);
SSE_API sse_err sse_break_remove(sse_process *proc, int id);
SSE_API sse_err sse_break_enable(sse_process *proc, int id, bool enable);

typedef struct sse_breakpoint_info {
  int id;
  bool enabled, pending;
  unsigned hits;
  size_t naddrs;           /* addresses the breakpoint is inserted at */
  uint64_t addrs[8];       /* the first 8 of them */
  const char *spec;        /* "*0x401000", "main", "file.c:12" — engine-owned */
  bool is_watchpoint;
} sse_breakpoint_info;
/* Fill up to max entries; *n is the total count. */
SSE_API sse_err sse_break_list(sse_process *proc, sse_breakpoint_info *out,
                               size_t max, size_t *n);

enum { SSE_WATCH_WRITE = 1, SSE_WATCH_READWRITE = 3 };
/* A hardware watchpoint (len 1, 2, 4 or 8, addr aligned to len) on every
 * thread of the process. SSE_E_NOSLOT when the debug registers are used up.
 * The id shares the breakpoint id space; remove with sse_break_remove(). */
SSE_API sse_err sse_watch(sse_process *proc, uint64_t addr, int len,
                          int kind, int *id);

/* ---------------------------------------------------------------- state */

/* General purpose registers, layout of struct user_regs_struct. */
typedef struct sse_regs {
  uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rax, rcx, rdx, rsi,
      rdi, orig_rax, rip, cs, eflags, rsp, ss, fs_base, gs_base, ds, es, fs,
      gs;
} sse_regs;

/* The thread must be stopped (SSE_E_RUNNING otherwise). */
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
 * the process is stopped. */
SSE_API sse_err sse_read_memory(sse_process *proc, uint64_t addr, void *buf,
                                size_t len, size_t *done);
/* Write len bytes at addr (read-only text too, through /proc/PID/mem). A
 * write over a breakpoint updates the saved original byte. */
SSE_API sse_err sse_write_memory(sse_process *proc, uint64_t addr,
                                 const void *buf, size_t len, size_t *done);

/* Resolve pc to module/function/file/line. SSE_E_NOSYM when pc is in no
 * module. */
SSE_API sse_err sse_lookup(sse_process *proc, uint64_t pc, sse_location *loc);
/* Entry and post-prologue address of a function. SSE_E_NOSYM if unknown. */
SSE_API sse_err sse_lookup_function(sse_process *proc, const char *name,
                                    uint64_t *entry, uint64_t *post_prologue);

/* A module (the program, a shared library, the dynamic linker) mapped in
 * the process. path is engine-owned (valid until sse_engine_free()). */
typedef struct sse_module_info {
  const char *path;
  uint64_t lo, hi;      /* address range */
  bool has_debuginfo;   /* DWARF found (in the file or separately) */
} sse_module_info;

/* Fill up to max modules; *n is the total count. */
SSE_API sse_err sse_modules(sse_process *proc, sse_module_info *out,
                            size_t max, size_t *n);

/* ---------------------------------------------------------------- backtrace */

typedef struct sse_frame {
  uint64_t pc;  /* for frames above 0: the return address */
  uint64_t cfa; /* canonical frame address (stack pointer before the call) */
  sse_location loc; /* resolved with pc-1 for caller frames, as gdb does */
  bool signal_frame;   /* a signal trampoline: "<signal handler called>" */
  bool fp_fallback;    /* found by frame-pointer walk: no unwind info */
} sse_frame;

/* Unwind the stopped thread: up to max frames, *n set to the number filled.
 * One delegate runs the whole unwind. */
SSE_API sse_err sse_backtrace(sse_thread *thread, sse_frame *frames,
                              size_t max, size_t *n);

/* ---------------------------------------------------------------- events */

typedef enum sse_event_kind {
  SSE_EV_STOPPED = 1u << 0,        /* a command ended: stop is set */
  SSE_EV_FRAME_CHANGED = 1u << 1,  /* stop's pc or CFA differs from the last
                                      stop of that thread */
  SSE_EV_METHOD_CHANGED = 1u << 2, /* stop's function differs */
  SSE_EV_THREAD_CREATED = 1u << 3,
  SSE_EV_THREAD_EXITED = 1u << 4,
  SSE_EV_PROCESS_EXITED = 1u << 5, /* exit_status or signo in stop */
  SSE_EV_SIGNAL = 1u << 6,         /* the target received signo */
  SSE_EV_EXEC = 1u << 7,
  SSE_EV_MODULES_CHANGED = 1u << 8,
  SSE_EV_JIT_SYMBOLS_CHANGED = 1u << 9,
  SSE_EV_ALL = 0x3ff
} sse_event_kind;

typedef struct sse_event {
  sse_event_kind kind;
  sse_engine *engine;
  sse_process *process;
  sse_thread *thread; /* NULL when not about one thread */
  pid_t tid;
  int signo;          /* SIGNAL */
  const sse_stop *stop; /* STOPPED, FRAME_CHANGED, METHOD_CHANGED,
                           PROCESS_EXITED; NULL otherwise */
  /* FRAME_CHANGED/METHOD_CHANGED: the previous location of that thread
   * (function NULL at the first stop). */
  const sse_location *previous;
  uint64_t previous_cfa, cfa;
} sse_event;

/* Called on the tracer thread. `ev` and everything it points to (except the
 * engine-owned strings of sse_location) are valid for the call only. May
 * call any sse_ function. Must not call sse_engine_free(). */
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
/* End a subscription. When it returns, no call of its fn is running or
 * will start, so `user` may be freed; when called from a thread other than
 * the tracer thread, it waits for a call in progress to return first.
 * From a callback (the tracer thread), including the subscription's own
 * fn: no further call starts; the calls in progress are those on the
 * tracer thread's own stack (the callback making this call, or one whose
 * blocking call dispatched it), which finish after this returns, so `user`
 * may be freed only when they are done. Do not call it from a thread that
 * the subscription's fn waits for: the two would wait for each other.
 * Errors: SSE_E_INVAL (engine NULL), SSE_E_NOTFOUND (no such subscription,
 * or already ended). */
SSE_API sse_err sse_unsubscribe(sse_engine *engine, int id);

#ifdef __cplusplus
}
#endif
#endif /* SSE_H */
