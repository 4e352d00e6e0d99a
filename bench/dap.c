/* bench/dap — per-stop latency as an editor pays it: `next`, then the
 * requests an editor sends at every stop (stackTrace, scopes, variables
 * of the top frame's Locals and Arguments scopes), over the Debug Adapter
 * Protocol on pipes. ssedap beside lldb-vscode-14 on the same program
 * (dap_target's loop of calls), in the same run; best round of several.
 *
 *   bench/dap TARGETS_DIR      (make bench passes it) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 9
#define STEPS 30

typedef struct adapter {
  const char *name;
  pid_t pid;
  FILE *in, *out; /* to it, from it */
  int seq;
} adapter;

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static bool start(adapter *a, const char *path) {
  int to[2], from[2];
  if (pipe(to) || pipe(from)) return false;
  a->pid = fork();
  if (a->pid == 0) {
    dup2(to[0], 0);
    dup2(from[1], 1);
    close(to[1]);
    close(from[0]);
    int devnull = getenv("DAP_BENCH_STDERR") ? -1 : open("/dev/null", O_WRONLY);
    if (devnull >= 0) dup2(devnull, 2);
    execlp(path, path, (char *)NULL);
    _exit(127);
  }
  close(to[0]);
  close(from[1]);
  a->in = fdopen(to[1], "w");
  a->out = fdopen(from[0], "r");
  return a->pid > 0;
}

static void send_req(adapter *a, const char *cmd, json_t *args) {
  json_t *m = json_pack("{s:i, s:s, s:s, s:o}", "seq", ++a->seq, "type", "request", "command",
                        cmd, "arguments", args ? args : json_object());
  char *s = json_dumps(m, JSON_COMPACT);
  fprintf(a->in, "Content-Length: %zu\r\n\r\n%s", strlen(s), s);
  fflush(a->in);
  free(s);
  json_decref(m);
}

static json_t *recv_msg(adapter *a) {
  char line[256];
  long len = -1;
  while (fgets(line, sizeof line, a->out)) {
    if (!strncmp(line, "Content-Length:", 15)) len = atol(line + 15);
    if (!strcmp(line, "\r\n") && len >= 0) {
      char *b = malloc((size_t)len + 1);
      if (fread(b, 1, (size_t)len, a->out) != (size_t)len) break;
      json_t *j = json_loadb(b, (size_t)len, 0, NULL);
      free(b);
      return j;
    }
  }
  fprintf(stderr, "bench/dap: %s closed the connection\n", a->name);
  exit(1);
}

/* The next message that is the response to cmd (or event `cmd`). */
static json_t *wait_for(adapter *a, const char *type, const char *name) {
  for (;;) {
    json_t *m = recv_msg(a);
    const char *t = json_string_value(json_object_get(m, "type"));
    const char *n = json_string_value(json_object_get(m, !strcmp(type, "event") ? "event" : "command"));
    if (t && n && !strcmp(t, type) && !strcmp(n, name)) return m;
    json_decref(m);
  }
}

static json_t *request(adapter *a, const char *cmd, json_t *args) {
  send_req(a, cmd, args);
  json_t *r = wait_for(a, "response", cmd);
  if (!json_is_true(json_object_get(r, "success"))) {
    fprintf(stderr, "bench/dap: %s: %s failed: %s\n", a->name, cmd,
            json_string_value(json_object_get(r, "message")));
    exit(1);
  }
  return r;
}

static json_t *body(json_t *r, const char *key) {
  return json_object_get(json_object_get(r, "body"), key);
}

/* The line of `marker` in the target's source. */
static int marker_line(const char *src, const char *marker) {
  FILE *f = fopen(src, "r");
  char l[512];
  int n = 0;
  while (f && fgets(l, sizeof l, f)) {
    n++;
    if (strstr(l, marker)) {
      fclose(f);
      return n;
    }
  }
  if (f) fclose(f);
  return 0;
}

/* initialize, launch, a breakpoint in the loop, configurationDone, the
 * first stop: its thread id. */
static long long launch(adapter *a, const char *prog, const char *src, int line) {
  json_decref(request(a, "initialize", json_pack("{s:s, s:b, s:b}", "adapterID", "bench",
                                                 "linesStartAt1", 1, "columnsStartAt1", 1)));
  json_decref(request(a, "launch", json_pack("{s:s, s:[s, s], s:b}", "program", prog, "args",
                                             "bench", "100000000", "stopOnEntry", 0)));
  json_decref(request(a, "setBreakpoints", json_pack("{s:{s:s}, s:[{s:i}]}", "source", "path",
                                                     src, "breakpoints", "line", line)));
  send_req(a, "configurationDone", NULL);
  json_t *ev = wait_for(a, "event", "stopped");
  long long tid = json_integer_value(body(ev, "threadId"));
  json_decref(ev);
  /* the breakpoint would stop every next at the loop's head */
  json_decref(request(a, "setBreakpoints", json_pack("{s:{s:s}, s:[]}", "source", "path", src,
                                                     "breakpoints")));
  return tid;
}

/* Time spent in each part of a stop: next, stackTrace, scopes, variables. */
static double phase[4];

/* One stop as an editor pays it; returns the variables seen. */
static size_t one_stop(adapter *a, long long tid) {
  double t0 = now_us();
  send_req(a, "next", json_pack("{s:I}", "threadId", (json_int_t)tid));
  json_decref(wait_for(a, "event", "stopped"));
  double t1 = now_us();
  phase[0] += t1 - t0;
  json_t *st = request(a, "stackTrace", json_pack("{s:I, s:i, s:i}", "threadId", (json_int_t)tid,
                                                  "startFrame", 0, "levels", 20));
  json_int_t fid = json_integer_value(json_object_get(json_array_get(body(st, "stackFrames"), 0), "id"));
  json_decref(st);
  double t2 = now_us();
  phase[1] += t2 - t1;
  json_t *sc = request(a, "scopes", json_pack("{s:I}", "frameId", fid));
  double t3 = now_us();
  phase[2] += t3 - t2;
  size_t i, seen = 0;
  json_t *s;
  json_array_foreach(body(sc, "scopes"), i, s) {
    const char *name = json_string_value(json_object_get(s, "name"));
    if (!name || (strcmp(name, "Locals") && strcmp(name, "Arguments"))) continue;
    json_t *v = request(a, "variables", json_pack("{s:O}", "variablesReference",
                                                  json_object_get(s, "variablesReference")));
    seen += json_array_size(body(v, "variables"));
    json_decref(v);
  }
  json_decref(sc);
  phase[3] += now_us() - t3;
  return seen;
}

typedef struct subject {
  adapter a;
  long long tid;
  double best, phases[4];
  size_t vars;
  bool up;
} subject;

static bool on_path(const char *path) {
  if (strchr(path, '/')) return access(path, X_OK) == 0;
  char which[PATH_MAX + 32];
  snprintf(which, sizeof which, "command -v %s >/dev/null 2>&1", path);
  return system(which) == 0;
}

/* One round of STEPS stops: its mean microseconds per stop. */
static void round_of(subject *s) {
  memcpy(phase, s->phases, sizeof phase);
  double t0 = now_us();
  for (int k = 0; k < STEPS; k++) s->vars = one_stop(&s->a, s->tid);
  double per = (now_us() - t0) / STEPS;
  memcpy(s->phases, phase, sizeof phase);
  if (s->best < 0 || per < s->best) s->best = per;
}

static void finish(subject *s) {
  if (getenv("DAP_BENCH_PHASES"))
    fprintf(stderr, "%s: next %.1f, stackTrace %.1f, scopes %.1f, variables %.1f us/stop\n",
            s->a.name, s->phases[0] / (ROUNDS * STEPS), s->phases[1] / (ROUNDS * STEPS),
            s->phases[2] / (ROUNDS * STEPS), s->phases[3] / (ROUNDS * STEPS));
  send_req(&s->a, "disconnect", json_pack("{s:b}", "terminateDebuggee", 1));
  fclose(s->a.in);
  kill(s->a.pid, SIGTERM);
  waitpid(s->a.pid, NULL, 0);
  fclose(s->a.out);
}

/* Both adapters debug the program side by side; their rounds alternate,
 * so that both see the same machine. */
static void measure(subject *s, size_t n, const char *prog, const char *src, int line) {
  for (size_t i = 0; i < n; i++) s[i].best = -1;
  for (size_t i = 0; i < n; i++)
    if (s[i].up && (s[i].up = start(&s[i].a, s[i].a.name))) s[i].tid = launch(&s[i].a, prog, src, line);
  for (int r = 0; r < ROUNDS; r++)
    for (size_t i = 0; i < n; i++)
      if (s[i].up) round_of(&s[i]);
  for (size_t i = 0; i < n; i++)
    if (s[i].up) finish(&s[i]);
}

int main(int argc, char **argv) {
  const char *targets = argc > 1 ? argv[1] : "build/targets";
  char self[PATH_MAX], prog[PATH_MAX], src[PATH_MAX], dap[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return 1;
  self[n] = 0;
  const char *dir = dirname(self); /* BUILD/bench */
  snprintf(dap, sizeof dap, "%s/../ssedap", dir);
  snprintf(prog, sizeof prog, "%s/dap_target", targets);
  snprintf(src, sizeof src, "%s/../../tests/targets/dap_target.c", dir);
  if (access(src, R_OK)) snprintf(src, sizeof src, "tests/targets/dap_target.c");
  char *rsrc = realpath(src, NULL);
  int line = marker_line(rsrc ? rsrc : src, "MARK_BENCH");
  if (!line || access(prog, X_OK)) {
    fprintf(stderr, "bench/dap: no %s or its source\n", prog);
    return 1;
  }
  subject s[2] = {{.a = {.name = dap}}, {.a = {.name = "lldb-vscode-14"}}};
  s[0].up = on_path(dap);
  s[1].up = on_path("lldb-vscode-14");
  measure(s, s[1].up ? 2 : 1, prog, rsrc, line + 1);
  free(rsrc);
  double ours = s[0].best, lldb = s[1].up ? s[1].best : -1;
  size_t v1 = s[0].vars, v2 = s[1].vars;
  printf("dap: per stop (next + stackTrace + scopes + variables), best of %d rounds of %d stops\n",
         ROUNDS, STEPS);
  printf("  ssedap          %8.1f us/stop  (%zu variables)\n", ours, v1);
  if (lldb < 0) printf("  lldb-vscode-14  not installed\n");
  else printf("  lldb-vscode-14  %8.1f us/stop  (%zu variables)   ratio %.2f\n", lldb, v2, ours / lldb);
  return ours < 0;
}
