/* launch.c — the session's process: launch (program, args, cwd, env,
 * stopOnEntry as lldb-dap and cpptools take them), attach by pid,
 * configurationDone, disconnect (terminateDebuggee), terminate, restart;
 * the program's stdout and stderr become output events. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dap.h"

/* ------------------------------------------------------------ output */

static int out_fds[2] = {-1, -1}; /* read ends: stdout, stderr */
static pthread_t out_thread;
static bool out_running;

static void *output_pump(void *arg) {
  (void)arg;
  int open_fds = 2;
  while (open_fds > 0) {
    struct pollfd p[2] = {{out_fds[0], POLLIN, 0}, {out_fds[1], POLLIN, 0}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; i++) {
      if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      char buf[4096];
      ssize_t r = read(out_fds[i], buf, sizeof buf - 1);
      if (r <= 0) {
        close(out_fds[i]);
        out_fds[i] = -1;
        open_fds--;
        continue;
      }
      buf[r] = 0;
      dap_output(i ? "stderr" : "stdout", buf);
    }
  }
  return NULL;
}

static bool output_start(int w[2]) {
  int po[2], pe[2];
  if (pipe2(po, O_CLOEXEC)) return false;
  if (pipe2(pe, O_CLOEXEC)) {
    close(po[0]);
    close(po[1]);
    return false;
  }
  out_fds[0] = po[0];
  out_fds[1] = pe[0];
  w[0] = po[1];
  w[1] = pe[1];
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  out_running = pthread_create(&out_thread, NULL, output_pump, NULL) == 0;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return true;
}

void dap_output_drain(void) {
  if (!out_running) return;
  /* The pipes close when the program is gone; a child it left running
   * may hold them open: wait a bounded time for the last bytes. */
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_sec += 2;
  if (pthread_timedjoin_np(out_thread, NULL, &ts)) {
    pthread_cancel(out_thread);
    pthread_join(out_thread, NULL);
  }
  out_running = false;
}

/* ------------------------------------------------------------ requests */

bool dap_need_proc(char *err, size_t errsz) {
  if (S.proc && !sse_process_exited(S.proc)) return true;
  snprintf(err, errsz, S.proc ? "the program has exited" : "no program: launch or attach first");
  return false;
}

bool dap_need_stopped(char *err, size_t errsz) {
  if (!dap_need_proc(err, errsz)) return false;
  if (!S.running) return true;
  snprintf(err, errsz, "the program is running: pause it first");
  return false;
}

/* NULL-terminated array of strings from a JSON array (or object of
 * NAME: VALUE for env), malloc'ed; *bad when an element is no string. */
static char **string_list(json_t *v, const char *first, bool env, bool *bad) {
  size_t n = json_is_array(v) ? json_array_size(v) : json_is_object(v) ? json_object_size(v) : 0;
  char **out = calloc(n + 2, sizeof *out);
  size_t k = 0;
  if (first) out[k++] = strdup(first);
  if (json_is_array(v)) {
    for (size_t i = 0; i < n; i++) {
      const char *s = json_string_value(json_array_get(v, i));
      if (!s) *bad = true;
      else out[k++] = strdup(s);
    }
  } else if (env && json_is_object(v)) {
    const char *key;
    json_t *val;
    json_object_foreach(v, key, val) {
      const char *s = json_string_value(val);
      if (!s || asprintf(&out[k], "%s=%s", key, s) < 0) *bad = true;
      else k++;
    }
  } else if (v && !json_is_null(v)) {
    *bad = true;
  }
  return out;
}

static void free_list(char **l) {
  for (size_t i = 0; l && l[i]; i++) free(l[i]);
  free(l);
}

/* environ with the launch's env added (lldb-dap: it is added to ours). */
static char **merged_env(char **add) {
  extern char **environ;
  size_t n = 0, m = 0;
  while (environ[n]) n++;
  while (add[m]) m++;
  char **e = calloc(n + m + 1, sizeof *e);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    bool over = false;
    for (size_t j = 0; j < m && !over; j++) {
      size_t kl = strcspn(add[j], "=");
      over = !strncmp(environ[i], add[j], kl) && environ[i][kl] == '=';
    }
    if (!over) e[k++] = environ[i];
  }
  for (size_t j = 0; j < m; j++) e[k++] = add[j];
  return e;
}

static bool spawn(json_t *args, char *err, size_t errsz) {
  const char *prog = dap_jstr(args, "program");
  if (!prog || !*prog) {
    snprintf(err, errsz, "launch: \"program\" is required");
    return false;
  }
  bool bad = false;
  char **argv = string_list(json_object_get(args, "args"), prog, false, &bad);
  char **add = string_list(json_object_get(args, "env"), NULL, true, &bad);
  if (bad) {
    snprintf(err, errsz, "launch: \"args\" must be an array of strings and "
                         "\"env\" an object of strings");
    free_list(argv);
    free_list(add);
    return false;
  }
  char **envp = merged_env(add);
  sse_spawn_options o;
  sse_spawn_options_init(&o);
  o.cwd = dap_jstr(args, "cwd");
  o.envp = (const char *const *)envp;
  int w[2] = {-1, -1};
  bool piped = output_start(w);
  o.stdout_fd = w[0];
  o.stderr_fd = w[1];
  o.stdin_fd = -1;
  int eno = 0;
  sse_err e = sse_spawn(S.eng, (const char *const *)argv, &o, &S.proc, &eno);
  if (piped) {
    close(w[0]);
    close(w[1]);
  }
  free(envp);
  free_list(add);
  free_list(argv);
  if (e) {
    snprintf(err, errsz, "could not launch %s: %s%s%s", prog, sse_strerror(e),
             eno ? ": " : "", eno ? strerror(eno) : "");
    S.proc = NULL;
    dap_output_drain();
    return false;
  }
  return true;
}

static void session_started(void) {
  S.exited = S.ending = S.running = S.configured = false;
  S.cur_tid = sse_process_pid(S.proc);
  dap_stack_reset();
  dap_refs_reset();
  dap_modules_reset();
  dap_modules_refresh();
  dap_event("process", json_pack("{s:s, s:i, s:b, s:s}", "name",
                                 "program", "systemProcessId",
                                 (int)sse_process_pid(S.proc), "isLocalProcess",
                                 1, "startMethod", S.attached ? "attach" : "launch"));
}

bool dap_launch(json_t *args, json_t *body, char *err, size_t errsz) {
  if (S.proc && !sse_process_exited(S.proc)) {
    snprintf(err, errsz, "a program is being debugged already");
    return false;
  }
  if (!spawn(args, err, errsz)) return false;
  S.attached = false;
  S.stop_on_entry = dap_jbool(args, "stopOnEntry", false);
  json_decref(S.launch_args);
  S.launch_args = json_deep_copy(args);
  session_started();
  dap_event("initialized", NULL);
  return true;
}

bool dap_attach(json_t *args, json_t *body, char *err, size_t errsz) {
  long long pid = dap_jint(args, "pid", dap_jint(args, "processId", 0));
  const char *ps = dap_jstr(args, "pid"); /* VS Code's ${command:pickProcess} */
  if (ps) pid = strtoll(ps, NULL, 10);
  if (pid <= 0) {
    snprintf(err, errsz, "attach: a \"pid\" is required");
    return false;
  }
  int eno = 0;
  sse_err e = sse_attach(S.eng, (pid_t)pid, &S.proc, &eno);
  if (e) {
    snprintf(err, errsz, "could not attach to %lld: %s", pid, sse_strerror(e));
    S.proc = NULL;
    return false;
  }
  S.attached = true;
  S.stop_on_entry = dap_jbool(args, "stopOnEntry", false);
  session_started();
  dap_event("initialized", NULL);
  return true;
}

bool dap_configuration_done(json_t *args, json_t *body, char *err,
                            size_t errsz) {
  if (!dap_need_proc(err, errsz)) return false;
  S.configured = true;
  if (S.stop_on_entry || S.running) {
    if (S.stop_on_entry)
      dap_event("stopped", json_pack("{s:s, s:i, s:b}", "reason", "entry",
                                     "threadId", (int)S.cur_tid,
                                     "allThreadsStopped", 1));
    return true;
  }
  return dap_resume(err, errsz);
}

/* End the process: kill it (or detach from it) without exit events. */
static void end_process(bool terminate) {
  if (!S.proc || sse_process_exited(S.proc)) return;
  S.ending = true;
  if (terminate) sse_kill(S.proc);
  else sse_detach(S.proc);
  S.running = false;
}

bool dap_disconnect(json_t *args, json_t *body, char *err, size_t errsz) {
  end_process(dap_jbool(args, "terminateDebuggee", !S.attached));
  S.quit = true;
  return true;
}

bool dap_terminate(json_t *args, json_t *body, char *err, size_t errsz) {
  if (!dap_need_proc(err, errsz)) return false;
  end_process(true);
  dap_output_drain();
  dap_event("terminated", NULL);
  S.exited = true;
  return true;
}

bool dap_restart(json_t *args, json_t *body, char *err, size_t errsz) {
  if (S.attached || !S.launch_args) {
    snprintf(err, errsz, "restart: only a launched program can be restarted");
    return false;
  }
  json_t *a = json_object_get(args, "arguments");
  json_t *largs = json_is_object(a) ? json_deep_copy(a) : json_incref(S.launch_args);
  end_process(true);
  dap_output_drain();
  dap_before_resume();
  bool ok = spawn(largs, err, errsz);
  if (ok) {
    json_decref(S.launch_args);
    S.launch_args = json_incref(largs);
    session_started();
    S.configured = true;
    dap_bp_reinsert();
    ok = S.stop_on_entry ? true : dap_resume(err, errsz);
    if (S.stop_on_entry)
      dap_event("stopped", json_pack("{s:s, s:i, s:b}", "reason", "entry",
                                     "threadId", (int)S.cur_tid,
                                     "allThreadsStopped", 1));
  }
  json_decref(largs);
  return ok;
}
