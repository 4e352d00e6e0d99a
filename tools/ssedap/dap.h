/* dap.h — ssedap, the Debug Adapter Protocol server (shared state).
 *
 *   main.c        options, the engine, the main loop
 *   transport.c   Content-Length framing on stdio or a TCP socket; the
 *                 writer: the main thread's responses directly, everything
 *                 else through the writer thread
 *   queue.c       the engine's stops, queued for the main thread
 *   json.c        jansson helpers: arguments, responses, events
 *   dispatch.c    the request table, initialize and its capabilities
 *   launch.c      launch, attach, configurationDone, disconnect, terminate,
 *                 restart; the program's output
 *   breakpoints.c setBreakpoints and friends; conditions, hit counts,
 *                 logpoints at a hit; the C++ exception filters
 *   stack.c       threads, stackTrace, scopes; the per-stop frame cache
 *   variables.c   variablesReference table, variables, setVariable
 *   values.c      one value (name, type, text, children) over sse.h
 *   eval.c        evaluate (watch, hover, repl), setExpression
 *   repl.c        ssedemo's command language in the debug console
 *   memory.c      disassemble, readMemory, writeMemory
 *   modules.c     modules, loadedSources, module events
 *   run.c         continue, next, stepIn, stepOut, pause
 *   events.c      sse callbacks; a stop becomes stopped/exited events
 *
 * Threads: the main thread owns every piece of session state below and
 * reads the client (read-only requests run inside sse_call() on the tracer
 * thread while the main thread waits for them); the tracer thread's
 * callbacks only push to the queue or hand an event to the writer; the
 * writer thread only writes. A client of sse.h only. */
#ifndef SSEDAP_H
#define SSEDAP_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "sse.h"

/* ---- transport.c */
typedef struct dap_conn {
  int in_fd, out_fd;
  char *buf;           /* bytes read, not yet framed */
  size_t len, cap;
} dap_conn;
/* Read what the client sent (one read): 0 at end of input. */
int dap_conn_fill(dap_conn *c);
/* Take one framed message body from what was read (malloc'ed,
 * NUL-terminated, *n bytes): 1 for a message, 0 when it is not all there
 * yet, -1 for a malformed frame (err says why; its bytes are skipped). */
int dap_take_frame(dap_conn *c, char **body, size_t *n, char *err,
                   size_t errsz);
/* Listen on 127.0.0.1:port (0: any), print "Listening on port N" on
 * stderr and accept one client. Returns its fd or -1. */
int dap_listen_accept(int port);
/* Start the writer thread on fd. */
void dap_writer_start(int fd);
/* Give the writer a message (takes the reference): its seq is assigned
 * here. Never blocks on the client; safe from any thread. */
void dap_send(json_t *msg);
/* Wait until every message given so far is written, then stop. */
void dap_writer_stop(void);

/* ---- queue.c */
typedef enum { Q_STOP, Q_MODULES } dap_qkind;
typedef struct dap_item {
  dap_qkind kind;
  sse_stop stop;       /* Q_STOP (pointers into the engine only) */
  bool from_repl;      /* Q_STOP: came while a repl command ran */
  /* Q_STOP: what every editor asks for next, read on the tracer thread at
   * the stop: the thread's backtrace, frame 0's arguments and locals */
  sse_frame *frames;
  size_t nframes;
  struct dap_value *vals[2];
  size_t nvals[2];
  bool have_vals[2];
  struct dap_item *next;
} dap_item;
void dap_queue_push(dap_item *it);
/* The next item, or NULL when there is none. */
dap_item *dap_queue_pop(void);
/* Readable when an item was pushed (the main thread polls it). */
int dap_queue_fd(void);
void dap_item_free(dap_item *it);

/* ---- json.c */
const char *dap_jstr(json_t *obj, const char *key); /* NULL when absent */
long long dap_jint(json_t *obj, const char *key, long long def);
bool dap_jbool(json_t *obj, const char *key, bool def);
bool dap_jhas(json_t *obj, const char *key);
/* An event with body (taken; may be NULL). */
void dap_event(const char *name, json_t *body);
/* "console" output event (printf format). */
void dap_console(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void dap_output(const char *category, const char *text);
/* "0x%llx" */
json_t *dap_jaddr(uint64_t addr);
/* Parse "0x..." or decimal; false when it is none. */
bool dap_parse_addr(const char *s, uint64_t *out);

/* ---- dispatch.c */
/* A request handler fills body (an object, may stay empty) and returns
 * true, or writes a message to err and returns false. */
typedef bool (*dap_handler)(json_t *args, json_t *body, char *err,
                            size_t errsz);
typedef struct dap_request {
  const char *command;
  dap_handler fn;
} dap_request;
/* Serve one request message. Returns false when the session ends. */
bool dap_dispatch(json_t *msg);
/* A response without a request to answer (malformed input). */
void dap_reply_error(long long seq, const char *command, const char *msg);

/* ---- session state (main thread) */
typedef struct dap_session {
  sse_engine *eng;
  sse_process *proc;
  bool attached;       /* attach: disconnect detaches by default */
  bool configured;     /* configurationDone came */
  bool stop_on_entry;
  bool running;        /* a command of ours runs on proc */
  bool exited;         /* exited/terminated sent */
  bool ending;         /* disconnect/terminate/restart: no exit events */
  bool in_repl;
  unsigned long stops;  /* STOPPED events seen (tracer thread, atomic) */
  unsigned held_stops;  /* interrupts of dap_hold whose stops are not shown */
  bool pause_wanted;   /* a pause came: no condition resumes past it */
  bool lines_start_at1, columns_start_at1;
  unsigned gen;        /* bumped at every resume: references of a stop */
  pid_t cur_tid;       /* the thread of the last stop */
  int last_signo;      /* the signal of the last stop, 0 for another */
  bool last_exc;       /* the last stop was at a C++ exception catchpoint */
  sse_exception_info exc; /* its exception */
  json_t *launch_args; /* for restart */
  bool quit;
} dap_session;
extern dap_session S;

/* ---- launch.c */
bool dap_launch(json_t *args, json_t *body, char *err, size_t errsz);
bool dap_attach(json_t *args, json_t *body, char *err, size_t errsz);
bool dap_configuration_done(json_t *args, json_t *body, char *err, size_t errsz);
bool dap_disconnect(json_t *args, json_t *body, char *err, size_t errsz);
bool dap_terminate(json_t *args, json_t *body, char *err, size_t errsz);
bool dap_restart(json_t *args, json_t *body, char *err, size_t errsz);
/* The program's output is drained (before exited is sent). */
void dap_output_drain(void);
/* The process handle the requests need, or an error. */
bool dap_need_proc(char *err, size_t errsz);
bool dap_need_stopped(char *err, size_t errsz);

/* ---- breakpoints.c */
bool dap_set_breakpoints(json_t *args, json_t *body, char *err, size_t errsz);
bool dap_set_function_breakpoints(json_t *args, json_t *body, char *err, size_t errsz);
bool dap_set_instruction_breakpoints(json_t *args, json_t *body, char *err, size_t errsz);
bool dap_set_data_breakpoints(json_t *args, json_t *body, char *err, size_t errsz);
bool dap_data_breakpoint_info(json_t *args, json_t *body, char *err, size_t errsz);
bool dap_set_exception_breakpoints(json_t *args, json_t *body, char *err, size_t errsz);
bool dap_breakpoint_locations(json_t *args, json_t *body, char *err, size_t errsz);
/* At a breakpoint stop: conditions, hit conditions, logpoints. Returns
 * true when the stop is shown (hit_ids gets the DAP ids), false when the
 * program is to run on. *reason gets the stopped reason. */
bool dap_bp_hit(const sse_stop *st, json_t *hit_ids, const char **reason);
/* Pending breakpoints that became verified: breakpoint events. */
void dap_bp_refresh(void);
/* After a restart: insert every breakpoint into the new process. */
void dap_bp_reinsert(void);
/* Whether a breakpoint stop is at the exception filters' catchpoint. */
bool dap_exc_stop(const sse_stop *st);

/* ---- stack.c */
bool dap_threads(json_t *args, json_t *body, char *err, size_t errsz);
bool dap_stack_trace(json_t *args, json_t *body, char *err, size_t errsz);
bool dap_scopes(json_t *args, json_t *body, char *err, size_t errsz);
/* The thread and level of a frameId of this stop. */
bool dap_frame_lookup(long long frame_id, sse_thread **t, size_t *level);
/* The selected frame: frameId's, or the stopped thread's frame 0. */
bool dap_frame_or_current(json_t *args, sse_thread **t, size_t *level,
                          char *err, size_t errsz);
/* Drop every cache of the stop (at a resume). */
void dap_stack_reset(void);
/* A backtrace read at the stop (the cache takes frames). */
void dap_stack_prefill(pid_t tid, sse_frame *frames, size_t n);

/* ---- values.c: one value of a frame (over sse_value handles) */
typedef struct dap_value {
  sse_value *h;     /* owned; NULL once a reference took it */
  char *name;       /* shown name */
  char *expr;       /* an expression for it in its frame */
  char *type;
  char *text;
  sse_thread *thread;
  size_t level;
  size_t nindexed;  /* array elements */
  size_t nnamed;    /* members, a pointee */
} dap_value;
/* The variables of a frame (kinds SSE_VARS_*), as values. */
bool dap_values_of_frame(sse_thread *t, size_t level, unsigned kinds,
                         dap_value **out, size_t *n, char *err, size_t errsz);
/* expr evaluated in the frame, named name. */
bool dap_value_eval(sse_thread *t, size_t level, const char *name,
                    const char *expr, dap_value *out, char *err,
                    size_t errsz);
/* Children start..start+count-1 (count 0: all). */
bool dap_value_children(const dap_value *v, size_t start, size_t count,
                        dap_value **out, size_t *n, char *err, size_t errsz);
/* gdb's set var: expr (a C expression) assigned; v shows the new value. */
bool dap_value_assign(dap_value *v, const char *expr, char *err, size_t errsz);
/* Where the value lives and its size: false when not in memory. */
bool dap_value_address(const dap_value *v, uint64_t *addr, size_t *size);
void dap_value_clear(dap_value *v);
void dap_values_free(dap_value *v, size_t n);

/* ---- variables.c */
bool dap_variables(json_t *args, json_t *body, char *err, size_t errsz);
/* Whether a variables request is served from what the stop read. */
bool dap_variables_cached(json_t *args);
bool dap_set_variable(json_t *args, json_t *body, char *err, size_t errsz);
/* A reference for a scope of a frame (kinds SSE_VARS_* or 0: registers). */
long long dap_ref_scope(sse_thread *t, size_t level, unsigned kinds);
/* A reference for an expandable value, 0 for a scalar. The reference
 * takes v's handle (v's strings stay). */
long long dap_ref_value(dap_value *v);
/* The variable JSON of v (name, value, type, evaluateName, references). */
json_t *dap_value_json(dap_value *v);
void dap_refs_reset(void);
/* Values of a scope read at the stop: the scope's reference takes them
 * and serves them at its first variables request. */
void dap_refs_prefill(sse_thread *t, size_t level, unsigned kinds, struct dap_value *vals,
                      size_t n);
/* The expression (malloc'ed) and frame of child `name` of reference ref. */
bool dap_ref_expr(long long ref, const char *name, char **expr, sse_thread **t,
                  size_t *level, char *err, size_t errsz);

/* ---- eval.c */
bool dap_evaluate(json_t *args, json_t *body, char *err, size_t errsz);
bool dap_set_expression(json_t *args, json_t *body, char *err, size_t errsz);

/* ---- repl.c */
/* Run one ssedemo command line in the frame; its output in *out
 * (malloc'ed). */
bool dap_repl_exec(const char *line, sse_thread *t, size_t level, char **out);

/* ---- memory.c */
bool dap_disassemble(json_t *args, json_t *body, char *err, size_t errsz);
bool dap_read_memory(json_t *args, json_t *body, char *err, size_t errsz);
bool dap_write_memory(json_t *args, json_t *body, char *err, size_t errsz);

/* ---- modules.c */
bool dap_modules(json_t *args, json_t *body, char *err, size_t errsz);
bool dap_loaded_sources(json_t *args, json_t *body, char *err, size_t errsz);
/* Module events for what changed since the last call. */
void dap_modules_refresh(void);
void dap_modules_reset(void);
/* A source file a stop showed (for loadedSources). */
void dap_source_seen(const char *path);

/* ---- run.c */
bool dap_continue(json_t *args, json_t *body, char *err, size_t errsz);
bool dap_next(json_t *args, json_t *body, char *err, size_t errsz);
bool dap_step_in(json_t *args, json_t *body, char *err, size_t errsz);
bool dap_step_out(json_t *args, json_t *body, char *err, size_t errsz);
bool dap_pause(json_t *args, json_t *body, char *err, size_t errsz);
/* Resume the process (continue); drops the stop's caches. */
bool dap_resume(char *err, size_t errsz);
/* Breakpoints while the program runs: stop it for a moment (true when
 * it was running and stopped for it), then let it run on. */
bool dap_hold(void);
void dap_release(bool held);
/* Before any resume: caches and references of the stop go. */
void dap_before_resume(void);

/* ---- stepin.c */
bool dap_step_in_targets(json_t *args, json_t *body, char *err, size_t errsz);
/* stepIn with a targetId: run to that function. */
bool dap_step_in_target(long long target, char *err, size_t errsz);
/* At a stop: the step-in breakpoint goes; true when it is this stop's. */
bool dap_step_in_stop(const sse_stop *st);

/* ---- goto.c */
bool dap_goto_targets(json_t *args, json_t *body, char *err, size_t errsz);
bool dap_goto(json_t *args, json_t *body, char *err, size_t errsz);

/* ---- events.c */
/* Subscribe to the engine's events. */
void dap_events_subscribe(sse_engine *eng);
/* A stop the queue delivered (main thread). */
void dap_on_stop(const dap_item *it);
/* exceptionInfo: the signal or C++ exception of the last stop. */
bool dap_exception_info(json_t *args, json_t *body, char *err, size_t errsz);
/* The process ended: exited and terminated (once). */
void dap_send_exit(int code);

#endif
