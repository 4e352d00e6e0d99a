/* demo.h — shared state of ssedemo, the command-line stepper.
 *
 *   ssedemo.c   main: options, the prompt (readline), Ctrl-C, the session
 *   commands.c  the command table and every command
 *   output.c    printing stops, locations, source lines, JSON
 *
 * A client of sse.h only: symbols, disassembly and source files come from
 * the library. */
#ifndef SSEDEMO_H
#define SSEDEMO_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "sse.h"

/* A breakpoint as the user numbers it. It outlives a process: `run` again
 * re-inserts every one of them into the new process. */
typedef struct demo_bp {
  int num;        /* user's number: 1, 2, ... */
  int lib_id;     /* id in the current process; 0 when not inserted */
  char *spec;     /* "main", "file.c:12", "*0x401000", "*(int*)0x..." */
  bool enabled;
  bool temporary; /* tbreak */
  bool watch;     /* watchpoint: watch_addr/watch_len */
  bool deleted;
  unsigned ignore; /* ignore count as last set (the library counts it down) */
  uint64_t watch_addr;
  int watch_len;
  uint64_t watch_old;
  int catch_kinds; /* a catchpoint: its SSE_CATCH_* kind (catchcmds.c) */
  char *catch_regex; /* catch throw REGEX: the REGEX, or NULL */
  uint64_t loc_off;  /* locations disabled alone (bit i: N.(i+1)) */
} demo_bp;

typedef struct demo {
  sse_engine *eng;
  sse_process *proc; /* NULL before the first spawn */
  sse_thread *cur;   /* the selected thread */
  bool started;      /* `run`/`starti` was given (spawned process only) */
  bool attached;     /* -p PID */
  bool json, batch, interactive;
  int bp_pending;    /* set breakpoint pending: 0 auto, 1 on, 2 off */
  char **argv;       /* the program and its arguments */
  pid_t attach_pid;

  sse_stop last;     /* the last stop reported */
  bool have_last;
  int frame;         /* the selected frame (0 = innermost) */
  sse_frame frames[64];
  size_t nframes;    /* frames of the selected thread at the last stop */

  /* breakpoints */
  demo_bp *bps;
  int nbps, capbps, next_bp;

  /* thread numbers: gdb numbers threads 1, 2, ... in order of appearance */
  pid_t tids[1024];
  int ntids;

  /* list: the next line to show */
  char list_file[4096];
  int list_next;
  /* x: where the next `x` starts */
  uint64_t x_next;
  char x_fmt, x_unit;

  /* function names of the program (for completion); engine-owned */
  const char **funcs;
  size_t nfuncs;
} demo;

extern demo D;

/* ---- output.c */
void out_lock(void);
void out_unlock(void);
/* Human text (one or more lines). In --json each line becomes
 * {"event":"output","text":...}. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One-line error: text "msg" or {"event":"error","message":...}. */
void err_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* gdb's warning: "warning: msg" on stderr, {"event":"warning",...}. It is
 * no error (error_seen stays). */
void warn_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* err_say was called since it was last cleared: the command failed (gdb's
 * batch mode exits 1 when its last command did). */
extern bool error_seen;
/* The script (-x FILE) being run and its line, for gdb's "FILE:LINE: Error
 * in sourced command file:"; NULL outside one. */
extern const char *script_name;
extern int script_line;

/* A small JSON writer: builds one object in a buffer, prints it. */
typedef struct jbuf {
  char *s;
  size_t len, cap;
  bool first;
} jbuf;
void jb_begin(jbuf *b, const char *event);
void jb_str(jbuf *b, const char *key, const char *val); /* NULL → null */
void jb_int(jbuf *b, const char *key, long long v);
void jb_hex(jbuf *b, const char *key, uint64_t v);
void jb_bool(jbuf *b, const char *key, bool v);
void jb_raw(jbuf *b, const char *key, const char *json); /* a value */
void jb_end_print(jbuf *b);                             /* prints and frees */
/* Append a JSON string literal (quoted, escaped) to b. */
void jb_append_quoted(jbuf *b, const char *s);
void jb_append(jbuf *b, const char *s, size_t n);

/* The source line text of file:line (NULL when unreadable). Static buffer. */
const char *source_line(const char *file, int line);
int source_line_count(const char *file);
const char *base_name(const char *path);

/* Print a stop the way gdb does (or as JSON). prev: the stop before it (for
 * "same function: print only the source line"); may be NULL. */
enum { STOP_LINE = 0, STOP_INSN = 1, STOP_FULL = 2 };
void print_stop(const sse_stop *s, const sse_stop *prev, int style);
/* "func () at file:line" / "0x... in func () from module" */
void format_location(char *buf, size_t n, const sse_location *loc, bool with_pc);
void print_source_line(const char *file, int line, uint64_t pc, bool with_pc);
/* Print frame i of the saved backtrace: "#i  ..." */
void print_frame_line(size_t i, const sse_frame *f);
void print_backtrace_json(const sse_frame *f, size_t n);
/* How many of the n frames gdb shows: up to main (gdb's `backtrace
 * past-main off`), all when there is no main. */
size_t frames_to_main(const sse_frame *f, size_t n);
/* Events from the library (tracer thread). */
void on_event(const sse_event *ev, void *user);
/* The process whose events are printed (read on the tracer thread). */
extern _Atomic(sse_process *) event_proc;
/* "\nProgram received signal SIGUSR1, User defined signal 1.\n" (or
 * "Thread N "name" received ..." once there were two threads). */
void print_signal_received(pid_t tid, int signo);
int thread_count(void);
/* gdb-style thread numbers (1, 2, ...) in order of appearance. */
int thread_number(pid_t tid);
pid_t thread_by_number(int num);
void thread_numbers_reset(void);
/* "<main+4>" or "" */
void symbolize(uint64_t addr, char *buf, size_t n);

/* ---- commands.c */
typedef void (*cmd_fn)(char *args, int from_tty);
typedef struct command {
  const char *name;
  int min_abbrev;      /* shortest prefix accepted ("b" for break: 1) */
  const char *aliases; /* extra exact names, comma separated, or NULL */
  cmd_fn fn;
  bool repeat;         /* an empty line repeats it */
  bool complete_funcs; /* its argument is a location: complete functions */
  const char *help;    /* first line: usage; then the description */
} command;
extern const command commands[];
extern const size_t ncommands;
const command *find_command(const char *word, bool *ambiguous);
/* Run one command line. Returns false when the session should end. */
bool execute_line(const char *line);
bool quit_requested(void);
/* Attach to pid and make it the session's process (breakpoints inserted,
 * the signal table applied, its frame shown). A process ptrace refuses
 * (SSE_E_PERM) gets gdb's message, its tracer named; other errors are the
 * caller's to print (*eno: the errno). */
sse_err demo_attach(pid_t pid, int *eno);
/* progress.c: report debuginfod downloads on stderr. */
void demo_progress_register(sse_engine *eng);

/* Evaluate an expression as print does (prints its error). */
bool demo_eval(const char *expr, uint64_t *out);
/* gdb's query (nquery: default no): asks on a terminal, else prints the
 * question with "[answered Y; input not from terminal]". */
bool demo_query(const char *question, bool nquery);

/* Breakpoints (commands.c): a new one, its number; put one into D.proc
 * (announce: print it as gdb does when it is set). */
int add_bp(const char *spec, bool temporary, bool watch);
void install_bp(demo_bp *b, bool announce);

/* ---- catchcmds.c: catch throw / catch catch / catch rethrow */
void cmd_catch(char *args, int from_tty);
/* b's catchpoint was made in the (new) process: its REGEX again. */
void catch_installed(demo_bp *b);
/* An expression with gdb's $_exception in it made one sse evaluates;
 * frees expr; NULL after gdb's error. */
char *catch_exception_expr(char *expr);
/* "Catchpoint N (throw)" */
void catch_announce(const demo_bp *b);
/* The catchpoint with this library id, or NULL. */
const demo_bp *catch_bp_for(int lib_id);
/* A breakpoint stop at a catchpoint, printed as gdb's; false when it is
 * no catchpoint's. */
bool catch_print_stop(const sse_stop *s);
/* The exception's members of a catchpoint stop's JSON event. */
void catch_stop_json(jbuf *j, const sse_stop *s);
/* Its row of `info breakpoints`. */
void catch_info_line(const demo_bp *b, const sse_breakpoint_info *me);

/* ---- signals.c: gdb's signal table */
/* gdb's names and descriptions of host signal signo: "SIGUSR1", "User
 * defined signal 1"; "SIG34" for a real-time one. */
const char *signal_name(int signo);
const char *signal_desc(int signo);
bool signal_stops(int signo);
bool signal_prints(int signo);
/* The program starts (run, start, starti, attach): apply the table to
 * D.proc. */
void signals_started(void);
void cmd_handle(char *args, int from_tty);
void info_signals(char *args);

/* ---- values.c */
/* gdb's value history: the N of the next "$N = ". */
int values_history_next(void);
/* print[/fmt] EXPR through the library's evaluator; false when it could
 * not run (the caller then tries its own). */
bool values_print(const char *expr, char fmt);
/* Whether the library knows the names in expr (its evaluation fails
 * otherwise than SSE_E_NOSYM). */
bool values_evaluates(const char *expr);
/* info args (args) / info locals */
void values_info(bool args);
/* finish: the pc it starts from (in the function it leaves); then, at
 * its stop, "Value returned is $N = ..." as gdb (true), or false when the
 * library cannot tell the value (the caller shows rax) or it is void
 * (true: nothing shown, as gdb). */
void values_finish_begin(uint64_t pc);
bool values_print_return(const sse_stop *s);
/* Whether expr names the value history ($, $$, $N): not the library's. */
bool values_history_ref(const char *expr);
/* The arguments of frame `frame` of t as a frame line shows them
 * ("n=3, c=122 'z', p=..."), "" when none or no DWARF; in JSON: "args". */
void values_frame_args(sse_thread *t, size_t frame, char *buf, size_t n);
void values_frame_args_json(sse_thread *t, size_t frame, jbuf *b);
void cmd_ptype(char *args, int from_tty);
void cmd_whatis(char *args, int from_tty);
void cmd_set(char *args, int from_tty);

/* ---- values_display.c */
void cmd_display(char *args, int from_tty);
void cmd_undisplay(char *args, int from_tty);
void values_info_display(void);
/* After a stop: every display that can be shown here. */
void values_display_stop(void);

/* ---- ssedemo.c: running the target with Ctrl-C support */
/* Resume with the given async starter and wait for the stop. */
sse_err run_async(sse_err (*start)(void *), void *arg, sse_stop *stop);
bool interrupt_pending(void);

#endif
