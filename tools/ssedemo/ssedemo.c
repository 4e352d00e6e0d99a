/* ssedemo.c — main: options, the session loop (readline), Ctrl-C.
 *
 *   ssedemo [--batch] [--json] [-ex CMD]... [-x FILE] PROG [ARGS...]
 *   ssedemo [--batch] [--json] [-ex CMD]... [-x FILE] -p PID
 *
 * Ctrl-C: SIGINT's handler only writes a byte to a self-pipe. A watcher
 * thread (the only thread with SIGINT unblocked, so the handler runs there)
 * reads it and, while a command runs, calls sse_interrupt() (which is not
 * async-signal-safe); at the prompt it tells the readline loop to drop the
 * line. Commands that resume the target run as _async + sse_wait() on the
 * main thread. The target shares the terminal and also gets the SIGINT; its
 * policy is set to stop without passing it on (as gdb does). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <readline/history.h>
#include <readline/readline.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>

#include "demo.h"

demo D;

bool demo_spawn_initial(void);

/* ------------------------------------------------------------ Ctrl-C */

static int sig_pipe[2] = {-1, -1};    /* handler → watcher */
static int prompt_pipe[2] = {-1, -1}; /* watcher → readline loop */
static _Atomic(sse_process *) running_proc;
static atomic_bool intr_flag;
static atomic_bool at_prompt; /* readline is reading a line */

static void on_sigint(int signo) {
  (void)signo;
  int saved = errno;
  char c = 'i';
  ssize_t r = write(sig_pipe[1], &c, 1);
  (void)r;
  errno = saved;
}

static void *watcher(void *arg) {
  (void)arg;
  /* This thread takes SIGINT and nothing else. In particular it blocks
   * SIGCHLD: the engine's tracer thread is woken by SIGCHLD, and a thread
   * parked in read() must not be the one the kernel hands it to (under
   * ThreadSanitizer a handler due on a thread blocked in read() is
   * deferred until the read returns, which here may be never). */
  sigset_t set;
  sigfillset(&set);
  sigdelset(&set, SIGINT);
  pthread_sigmask(SIG_SETMASK, &set, NULL);
  for (;;) {
    char c;
    ssize_t r = read(sig_pipe[0], &c, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0 || c == 'q') return NULL;
    atomic_store(&intr_flag, true);
    sse_process *p = atomic_load(&running_proc);
    if (p) {
      sse_interrupt(p);
    } else if (atomic_load(&at_prompt)) {
      char b = 'i';
      ssize_t w = write(prompt_pipe[1], &b, 1);
      (void)w;
    }
  }
}

bool interrupt_pending(void) { return atomic_load(&intr_flag); }

sse_err run_async(sse_err (*start)(void *), void *arg, sse_stop *stop) {
  atomic_store(&running_proc, D.proc);
  sse_err e = start(arg);
  if (!e) {
    /* a Ctrl-C that came just before the target was resumed */
    if (atomic_load(&intr_flag)) sse_interrupt(D.proc);
    e = sse_wait(D.proc, stop);
  }
  atomic_store(&running_proc, NULL);
  return e;
}

/* ------------------------------------------------------------ readline */

static char *gen_from(const char *text, int state, const char *const *list,
                      size_t n, const command *cmds) {
  static size_t i, len;
  if (!state) {
    i = 0;
    len = strlen(text);
  }
  while (i < n) {
    const char *name = cmds ? cmds[i].name : list[i];
    i++;
    if (!strncmp(name, text, len)) return strdup(name);
  }
  return NULL;
}

static char *command_gen(const char *text, int state) {
  return gen_from(text, state, NULL, ncommands, commands);
}
static char *function_gen(const char *text, int state) {
  return gen_from(text, state, D.funcs, D.nfuncs, NULL);
}

/* The program's function names, sorted and unique, for completion: read
 * once, from the first process (spawned or attached). */
static void load_function_names(void) {
  const unsigned flags = SSE_SYMBOLS_FUNCTIONS | SSE_SYMBOLS_EXECUTABLE;
  size_t total = 0, n = 0;
  if (sse_symbols(D.proc, "", flags, NULL, 0, &total) != SSE_OK || !total)
    return;
  sse_symbol *v = calloc(total, sizeof *v);
  D.funcs = calloc(total, sizeof *D.funcs);
  if (v && D.funcs && sse_symbols(D.proc, "", flags, v, total, &n) == SSE_OK)
    for (size_t i = 0; i < n && i < total; i++)
      if (!D.nfuncs || strcmp(D.funcs[D.nfuncs - 1], v[i].name))
        D.funcs[D.nfuncs++] = v[i].name;
  free(v);
}
static const char *const info_subs[] = {"breakpoints", "frame", "registers",
                                        "sharedlibrary", "signals", "threads",
                                        "watchpoints"};
static char *info_gen(const char *text, int state) {
  return gen_from(text, state, info_subs, sizeof info_subs / sizeof *info_subs,
                  NULL);
}
static char *help_gen(const char *text, int state) { return command_gen(text, state); }

static char **complete(const char *text, int start, int end) {
  (void)end;
  rl_attempted_completion_over = 1; /* no file name fallback */
  const char *l = rl_line_buffer;
  while (*l == ' ' || *l == '\t') l++;
  if (l - rl_line_buffer >= start)
    return rl_completion_matches(text, command_gen);
  char word[64];
  size_t n = strcspn(l, " \t/");
  if (n >= sizeof word) n = sizeof word - 1;
  memcpy(word, l, n);
  word[n] = 0;
  bool amb;
  const command *c = find_command(word, &amb);
  if (!c) return NULL;
  if (!strcmp(c->name, "info")) return rl_completion_matches(text, info_gen);
  if (!strcmp(c->name, "help")) return rl_completion_matches(text, help_gen);
  if (c->complete_funcs) {
    if (*text == '*') return NULL;
    return rl_completion_matches(text, function_gen);
  }
  return NULL;
}

static bool session_done;

static void on_line(char *line) {
  if (!line) { /* EOF (Ctrl-D) */
    rl_callback_handler_remove();
    printf("quit\n");
    session_done = true;
    return;
  }
  /* give the terminal back to the target while the command runs */
  atomic_store(&at_prompt, false);
  rl_callback_handler_remove();
  if (*line) {
    HIST_ENTRY *h = history_length ? history_get(history_base + history_length - 1) : NULL;
    if (!h || strcmp(h->line, line)) add_history(line);
  }
  atomic_store(&intr_flag, false);
  if (!execute_line(line)) session_done = true;
  free(line);
  if (!session_done) {
    rl_callback_handler_install("(sse) ", on_line);
    atomic_store(&at_prompt, true);
  }
}

static void interactive_loop(void) {
  rl_catch_signals = 0;
  rl_readline_name = "ssedemo";
  rl_attempted_completion_function = complete;
  rl_basic_word_break_characters = " \t\n\"\\'`@$><=;|&{(";
  rl_callback_handler_install("(sse) ", on_line);
  atomic_store(&at_prompt, true);
  while (!session_done) {
    fd_set fds;
    FD_ZERO(&fds);
    FD_SET(STDIN_FILENO, &fds);
    FD_SET(prompt_pipe[0], &fds);
    int nfd = prompt_pipe[0] > STDIN_FILENO ? prompt_pipe[0] : STDIN_FILENO;
    int r = select(nfd + 1, &fds, NULL, NULL, NULL);
    if (r < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (FD_ISSET(prompt_pipe[0], &fds)) {
      char buf[64];
      ssize_t n = read(prompt_pipe[0], buf, sizeof buf);
      (void)n;
      /* Ctrl-C at the prompt: drop the line, like gdb's "Quit" */
      rl_free_line_state();
      rl_callback_sigcleanup();
      rl_replace_line("", 0);
      rl_crlf();
      fputs("Quit\n", stdout);
      fflush(stdout);
      rl_on_new_line();
      rl_redisplay();
      atomic_store(&intr_flag, false);
      continue;
    }
    if (FD_ISSET(STDIN_FILENO, &fds)) rl_callback_read_char();
  }
  rl_callback_handler_remove();
}

/* Run the lines of in. A script (-x FILE, named name) ends at its first
 * failing command, as gdb's `source` does; returns false then. */
static bool stream_loop(FILE *in, const char *name) {
  char *line = NULL;
  size_t cap = 0;
  bool ok = true;
  int lineno = 0;
  while (!quit_requested() && getline(&line, &cap, in) >= 0) {
    lineno++;
    line[strcspn(line, "\r\n")] = 0;
    if (name) {
      /* a script's empty lines do not repeat anything */
      const char *p = line;
      while (*p == ' ' || *p == '\t') p++;
      if (!*p) continue;
      script_name = name;
      script_line = lineno;
    }
    atomic_store(&intr_flag, false);
    error_seen = false;
    bool more = execute_line(line);
    script_name = NULL;
    if (name && error_seen) {
      ok = false;
      break;
    }
    if (!more) break;
  }
  free(line);
  return ok;
}

/* ------------------------------------------------------------ main */

static void usage(FILE *f) {
  fprintf(f,
          "usage: ssedemo [--batch] [--json] [-ex CMD]... [-x FILE] PROG [ARGS...]\n"
          "       ssedemo [--batch] [--json] [-ex CMD]... [-x FILE] -p PID\n"
          "\n"
          "  --batch     run the -ex/-x commands, then exit (no prompt)\n"
          "  --json      one JSON object per line for every stop and event\n"
          "  -ex CMD     run CMD (repeatable; in order with -x)\n"
          "  -x FILE     run the commands in FILE\n"
          "  -p PID      attach to a running process\n"
          "Type \"help\" at the (sse) prompt for the commands.\n");
}

/* Find PROG like execvp would; returns a malloc'd path or NULL (errno). */
static char *find_program(const char *prog) {
  struct stat st;
  if (strchr(prog, '/')) {
    if (stat(prog, &st) != 0) return NULL;
    if (S_ISDIR(st.st_mode)) {
      errno = EISDIR;
      return NULL;
    }
    if (access(prog, X_OK) != 0) return NULL;
    char *real = realpath(prog, NULL);
    return real ? real : strdup(prog);
  }
  const char *path = getenv("PATH");
  if (!path) path = "/usr/bin:/bin";
  while (*path) {
    size_t n = strcspn(path, ":");
    char cand[PATH_MAX];
    snprintf(cand, sizeof cand, "%.*s/%s", (int)n, n ? path : ".", prog);
    if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
      return strdup(cand);
    path += n + (path[n] == ':');
  }
  errno = ENOENT;
  return NULL;
}

typedef struct script_item {
  bool is_file;
  const char *text;
} script_item;

int main(int argc, char **argv) {
  script_item items[256];
  int nitems = 0;
  const char *pid_arg = NULL;
  int i;
  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (a[0] != '-') break;
    if (!strcmp(a, "--")) {
      i++;
      break;
    }
    if (!strcmp(a, "--batch") || !strcmp(a, "-batch")) {
      D.batch = true;
    } else if (!strcmp(a, "--json") || !strcmp(a, "-json")) {
      D.json = true;
    } else if ((!strcmp(a, "-ex") || !strcmp(a, "--ex") || !strcmp(a, "-x") ||
                !strcmp(a, "--command") || !strcmp(a, "-p") ||
                !strcmp(a, "--pid")) &&
               i + 1 < argc) {
      bool file = !strcmp(a, "-x") || !strcmp(a, "--command");
      if (!strcmp(a, "-p") || !strcmp(a, "--pid")) {
        pid_arg = argv[++i];
      } else if (nitems < 256) {
        items[nitems++] = (script_item){file, argv[++i]};
      }
    } else if (!strncmp(a, "--ex=", 5) || !strncmp(a, "-ex=", 4)) {
      if (nitems < 256) items[nitems++] = (script_item){false, strchr(a, '=') + 1};
    } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      return 0;
    } else if (!strcmp(a, "--version")) {
      printf("ssedemo (sse %s)\n", sse_version_string());
      return 0;
    } else {
      fprintf(stderr, "ssedemo: unknown or incomplete option '%s'\n", a);
      usage(stderr);
      return 1;
    }
  }
  if ((i >= argc) == !pid_arg) {
    fprintf(stderr, pid_arg ? "ssedemo: give either PROG or -p PID, not both\n"
                            : "ssedemo: no program given\n");
    usage(stderr);
    return 1;
  }

  char *prog_path = NULL;
  if (!pid_arg) {
    prog_path = find_program(argv[i]);
    if (!prog_path) {
      fprintf(stderr, "ssedemo: %s: %s.\n", argv[i], strerror(errno));
      return 1;
    }
    D.argv = calloc(argc - i + 1, sizeof(char *));
    D.argv[0] = prog_path;
    for (int k = i + 1; k < argc; k++) D.argv[k - i] = argv[k];
  } else {
    char *end;
    long pid = strtol(pid_arg, &end, 10);
    if (*end || pid <= 0) {
      fprintf(stderr, "ssedemo: invalid pid '%s'\n", pid_arg);
      return 1;
    }
    D.attach_pid = (pid_t)pid;
  }
  D.interactive = !D.batch && isatty(STDIN_FILENO);

  /* SIGINT: blocked everywhere but in the watcher thread. Threads created
   * after this (the tracer) inherit the mask; the library clears the mask in
   * the target it forks. */
  if (pipe2(sig_pipe, O_CLOEXEC) || pipe2(prompt_pipe, O_CLOEXEC)) {
    perror("ssedemo: pipe");
    return 1;
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigint;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  pthread_t wt;
  pthread_create(&wt, NULL, watcher, NULL);

  sse_err e = sse_engine_new(NULL, &D.eng);
  if (e) {
    fprintf(stderr, "ssedemo: cannot start the engine: %s\n", sse_strerror(e));
    return 1;
  }
  demo_progress_register(D.eng); /* debuginfod downloads (progress.c) */
  sse_subscribe(D.eng,
                SSE_EV_THREAD_CREATED | SSE_EV_THREAD_EXITED |
                    SSE_EV_PROCESS_EXITED | SSE_EV_SIGNAL | SSE_EV_EXEC,
                on_event, NULL, NULL);

  int status = 0;
  if (pid_arg) {
    int eno = 0;
    e = demo_attach(D.attach_pid, &eno);
    if (e == SSE_E_PERM) {
      sse_engine_free(D.eng);
      return 1;
    }
    if (e) {
      fprintf(stderr, "ssedemo: cannot attach to process %d: %s%s%s\n",
              (int)D.attach_pid, sse_strerror(e), eno ? ": " : "",
              eno ? strerror(eno) : "");
      sse_engine_free(D.eng);
      return 1;
    }
  } else if (!demo_spawn_initial()) {
    sse_engine_free(D.eng);
    return 1;
  }
  load_function_names();

  /* gdb's batch mode exits 1 when the last -ex or -x failed */
  bool cont = true, last_failed = false;
  for (int k = 0; k < nitems && cont; k++) {
    atomic_store(&intr_flag, false);
    error_seen = false;
    if (items[k].is_file) {
      /* fopen() opens a directory; gdb's source refuses it */
      struct stat st;
      FILE *f = NULL;
      if (stat(items[k].text, &st) == 0 && S_ISDIR(st.st_mode))
        errno = EISDIR;
      else
        f = fopen(items[k].text, "r");
      if (!f) {
        /* gdb: a warning from a batch -x (not from a terminal), an error
         * otherwise; neither ends the session */
        if (D.batch) {
          warn_say("%s: %s", items[k].text, strerror(errno));
          last_failed = false;
        } else {
          err_say("%s: %s.", items[k].text, strerror(errno));
          last_failed = true;
        }
        continue;
      }
      last_failed = !stream_loop(f, items[k].text);
      fclose(f);
      cont = !quit_requested();
    } else {
      cont = execute_line(items[k].text);
      last_failed = error_seen;
    }
  }
  if (D.batch && last_failed) status = 1;
  if (cont && !D.batch) {
    if (D.interactive)
      interactive_loop();
    else
      stream_loop(stdin, NULL);
  }

  /* quit: kill a spawned program, detach an attached one */
  if (D.proc && !sse_process_exited(D.proc)) {
    if (D.attached)
      sse_detach(D.proc);
    else
      sse_kill(D.proc);
  }
  atomic_store(&event_proc, NULL);
  sse_engine_free(D.eng);
  char q = 'q';
  ssize_t w = write(sig_pipe[1], &q, 1);
  (void)w;
  pthread_join(wt, NULL);
  fflush(stdout);
  return status;
}
