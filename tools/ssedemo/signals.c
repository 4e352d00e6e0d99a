/* signals.c — gdb's signal table: `handle`, `info signals`, and the names
 * and descriptions ssedemo prints for signals.
 *
 * gdb keeps its own signal numbering (gdb/signals.def), the same on every
 * host; `info signals` lists it in that order, and `handle 1-15` means its
 * numbers 1-15, which are the Unix ones. Stop and pass go to the library
 * (sse_signal_policy) for the host signal each row stands for; print is
 * ssedemo's own: a signal that does not stop but prints is announced from
 * SSE_EV_SIGNAL, which the library sends for every signal. */
#define _GNU_SOURCE
#include <ctype.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"

typedef struct gdb_signal {
  const char *name, *desc;
  bool stop, print, pass;
} gdb_signal;

/* gdb 13's table in its order (gdb_signal 1, 2, ...), with the defaults
 * its `info signals` shows before a program runs. */
static gdb_signal sigtab[] = {
    {"SIGHUP", "Hangup", 1, 1, 1},
    {"SIGINT", "Interrupt", 1, 1, 0},
    {"SIGQUIT", "Quit", 1, 1, 1},
    {"SIGILL", "Illegal instruction", 1, 1, 1},
    {"SIGTRAP", "Trace/breakpoint trap", 1, 1, 0},
    {"SIGABRT", "Aborted", 1, 1, 1},
    {"SIGEMT", "Emulation trap", 1, 1, 1},
    {"SIGFPE", "Arithmetic exception", 1, 1, 1},
    {"SIGKILL", "Killed", 1, 1, 1},
    {"SIGBUS", "Bus error", 1, 1, 1},
    {"SIGSEGV", "Segmentation fault", 1, 1, 1},
    {"SIGSYS", "Bad system call", 1, 1, 1},
    {"SIGPIPE", "Broken pipe", 1, 1, 1},
    {"SIGALRM", "Alarm clock", 0, 0, 1},
    {"SIGTERM", "Terminated", 1, 1, 1},
    {"SIGURG", "Urgent I/O condition", 0, 0, 1},
    {"SIGSTOP", "Stopped (signal)", 1, 1, 1},
    {"SIGTSTP", "Stopped (user)", 1, 1, 1},
    {"SIGCONT", "Continued", 1, 1, 1},
    {"SIGCHLD", "Child status changed", 0, 0, 1},
    {"SIGTTIN", "Stopped (tty input)", 1, 1, 1},
    {"SIGTTOU", "Stopped (tty output)", 1, 1, 1},
    {"SIGIO", "I/O possible", 0, 0, 1},
    {"SIGXCPU", "CPU time limit exceeded", 1, 1, 1},
    {"SIGXFSZ", "File size limit exceeded", 1, 1, 1},
    {"SIGVTALRM", "Virtual timer expired", 0, 0, 1},
    {"SIGPROF", "Profiling timer expired", 0, 0, 1},
    {"SIGWINCH", "Window size changed", 0, 0, 1},
    {"SIGLOST", "Resource lost", 1, 1, 1},
    {"SIGUSR1", "User defined signal 1", 1, 1, 1},
    {"SIGUSR2", "User defined signal 2", 1, 1, 1},
    {"SIGPWR", "Power fail/restart", 1, 1, 1},
    {"SIGPOLL", "Pollable event occurred", 0, 0, 1},
    {"SIGWIND", "SIGWIND", 1, 1, 1},
    {"SIGPHONE", "SIGPHONE", 1, 1, 1},
    {"SIGWAITING", "Process's LWPs are blocked", 0, 0, 1},
    {"SIGLWP", "Signal LWP", 0, 0, 1},
    {"SIGDANGER", "Swap space dangerously low", 1, 1, 1},
    {"SIGGRANT", "Monitor mode granted", 1, 1, 1},
    {"SIGRETRACT", "Need to relinquish monitor mode", 1, 1, 1},
    {"SIGMSG", "Monitor mode data available", 1, 1, 1},
    {"SIGSOUND", "Sound completed", 1, 1, 1},
    {"SIGSAK", "Secure attention", 1, 1, 1},
    {"SIGPRIO", "SIGPRIO", 0, 0, 1},
    {"SIG33", "Real-time event 33", 1, 1, 1},
    {"SIG34", "Real-time event 34", 1, 1, 1},
    {"SIG35", "Real-time event 35", 1, 1, 1},
    {"SIG36", "Real-time event 36", 1, 1, 1},
    {"SIG37", "Real-time event 37", 1, 1, 1},
    {"SIG38", "Real-time event 38", 1, 1, 1},
    {"SIG39", "Real-time event 39", 1, 1, 1},
    {"SIG40", "Real-time event 40", 1, 1, 1},
    {"SIG41", "Real-time event 41", 1, 1, 1},
    {"SIG42", "Real-time event 42", 1, 1, 1},
    {"SIG43", "Real-time event 43", 1, 1, 1},
    {"SIG44", "Real-time event 44", 1, 1, 1},
    {"SIG45", "Real-time event 45", 1, 1, 1},
    {"SIG46", "Real-time event 46", 1, 1, 1},
    {"SIG47", "Real-time event 47", 1, 1, 1},
    {"SIG48", "Real-time event 48", 1, 1, 1},
    {"SIG49", "Real-time event 49", 1, 1, 1},
    {"SIG50", "Real-time event 50", 1, 1, 1},
    {"SIG51", "Real-time event 51", 1, 1, 1},
    {"SIG52", "Real-time event 52", 1, 1, 1},
    {"SIG53", "Real-time event 53", 1, 1, 1},
    {"SIG54", "Real-time event 54", 1, 1, 1},
    {"SIG55", "Real-time event 55", 1, 1, 1},
    {"SIG56", "Real-time event 56", 1, 1, 1},
    {"SIG57", "Real-time event 57", 1, 1, 1},
    {"SIG58", "Real-time event 58", 1, 1, 1},
    {"SIG59", "Real-time event 59", 1, 1, 1},
    {"SIG60", "Real-time event 60", 1, 1, 1},
    {"SIG61", "Real-time event 61", 1, 1, 1},
    {"SIG62", "Real-time event 62", 1, 1, 1},
    {"SIG63", "Real-time event 63", 1, 1, 1},
    {"SIGCANCEL", "LWP internal signal", 0, 0, 1},
    {"SIG32", "Real-time event 32", 1, 1, 1},
    {"SIG64", "Real-time event 64", 1, 1, 1},
    {"SIG65", "Real-time event 65", 1, 1, 1},
    {"SIG66", "Real-time event 66", 1, 1, 1},
    {"SIG67", "Real-time event 67", 1, 1, 1},
    {"SIG68", "Real-time event 68", 1, 1, 1},
    {"SIG69", "Real-time event 69", 1, 1, 1},
    {"SIG70", "Real-time event 70", 1, 1, 1},
    {"SIG71", "Real-time event 71", 1, 1, 1},
    {"SIG72", "Real-time event 72", 1, 1, 1},
    {"SIG73", "Real-time event 73", 1, 1, 1},
    {"SIG74", "Real-time event 74", 1, 1, 1},
    {"SIG75", "Real-time event 75", 1, 1, 1},
    {"SIG76", "Real-time event 76", 1, 1, 1},
    {"SIG77", "Real-time event 77", 1, 1, 1},
    {"SIG78", "Real-time event 78", 1, 1, 1},
    {"SIG79", "Real-time event 79", 1, 1, 1},
    {"SIG80", "Real-time event 80", 1, 1, 1},
    {"SIG81", "Real-time event 81", 1, 1, 1},
    {"SIG82", "Real-time event 82", 1, 1, 1},
    {"SIG83", "Real-time event 83", 1, 1, 1},
    {"SIG84", "Real-time event 84", 1, 1, 1},
    {"SIG85", "Real-time event 85", 1, 1, 1},
    {"SIG86", "Real-time event 86", 1, 1, 1},
    {"SIG87", "Real-time event 87", 1, 1, 1},
    {"SIG88", "Real-time event 88", 1, 1, 1},
    {"SIG89", "Real-time event 89", 1, 1, 1},
    {"SIG90", "Real-time event 90", 1, 1, 1},
    {"SIG91", "Real-time event 91", 1, 1, 1},
    {"SIG92", "Real-time event 92", 1, 1, 1},
    {"SIG93", "Real-time event 93", 1, 1, 1},
    {"SIG94", "Real-time event 94", 1, 1, 1},
    {"SIG95", "Real-time event 95", 1, 1, 1},
    {"SIG96", "Real-time event 96", 1, 1, 1},
    {"SIG97", "Real-time event 97", 1, 1, 1},
    {"SIG98", "Real-time event 98", 1, 1, 1},
    {"SIG99", "Real-time event 99", 1, 1, 1},
    {"SIG100", "Real-time event 100", 1, 1, 1},
    {"SIG101", "Real-time event 101", 1, 1, 1},
    {"SIG102", "Real-time event 102", 1, 1, 1},
    {"SIG103", "Real-time event 103", 1, 1, 1},
    {"SIG104", "Real-time event 104", 1, 1, 1},
    {"SIG105", "Real-time event 105", 1, 1, 1},
    {"SIG106", "Real-time event 106", 1, 1, 1},
    {"SIG107", "Real-time event 107", 1, 1, 1},
    {"SIG108", "Real-time event 108", 1, 1, 1},
    {"SIG109", "Real-time event 109", 1, 1, 1},
    {"SIG110", "Real-time event 110", 1, 1, 1},
    {"SIG111", "Real-time event 111", 1, 1, 1},
    {"SIG112", "Real-time event 112", 1, 1, 1},
    {"SIG113", "Real-time event 113", 1, 1, 1},
    {"SIG114", "Real-time event 114", 1, 1, 1},
    {"SIG115", "Real-time event 115", 1, 1, 1},
    {"SIG116", "Real-time event 116", 1, 1, 1},
    {"SIG117", "Real-time event 117", 1, 1, 1},
    {"SIG118", "Real-time event 118", 1, 1, 1},
    {"SIG119", "Real-time event 119", 1, 1, 1},
    {"SIG120", "Real-time event 120", 1, 1, 1},
    {"SIG121", "Real-time event 121", 1, 1, 1},
    {"SIG122", "Real-time event 122", 1, 1, 1},
    {"SIG123", "Real-time event 123", 1, 1, 1},
    {"SIG124", "Real-time event 124", 1, 1, 1},
    {"SIG125", "Real-time event 125", 1, 1, 1},
    {"SIG126", "Real-time event 126", 1, 1, 1},
    {"SIG127", "Real-time event 127", 1, 1, 1},
    {"SIGINFO", "Information request", 1, 1, 1},
    {"EXC_BAD_ACCESS", "Could not access memory", 1, 1, 1},
    {"EXC_BAD_INSTRUCTION", "Illegal instruction/operand", 1, 1, 1},
    {"EXC_ARITHMETIC", "Arithmetic exception", 1, 1, 1},
    {"EXC_EMULATION", "Emulation instruction", 1, 1, 1},
    {"EXC_SOFTWARE", "Software generated exception", 1, 1, 1},
    {"EXC_BREAKPOINT", "Breakpoint", 1, 1, 1},
    {"SIGLIBRT", "librt internal signal", 0, 0, 1},
};
#define NSIGTAB (sizeof sigtab / sizeof sigtab[0])

/* gdb applies the thread library's signals (glibc's 32 and 33: thread
 * cancellation and setxid) as nostop noprint once, when libthread_db is
 * first loaded, which is at the first run; ssedemo does it at the first
 * start or attach. */
static bool thread_signals_done;

/* The row of host signal signo (Linux numbering), or -1. gdb has no row for
 * SIGSTKFLT; SIGIO and SIGPOLL are one host signal, which gdb names SIGIO. */
static int row_of_host(int signo) {
  char name[16];
  if (signo >= 32 && signo <= 64) {
    snprintf(name, sizeof name, "SIG%d", signo);
  } else {
    const char *abbr = signo > 0 ? sigabbrev_np(signo) : NULL;
    if (!abbr) return -1;
    if (!strcmp(abbr, "POLL")) abbr = "IO";
    snprintf(name, sizeof name, "SIG%s", abbr);
  }
  for (size_t i = 0; i < NSIGTAB; i++)
    if (!strcmp(sigtab[i].name, name)) return (int)i;
  return -1;
}

/* The host signal a row stands for on Linux, or 0 (gdb's SIGEMT, SIGLOST,
 * the Mach exceptions... and SIGPOLL, which on Linux arrives as SIGIO). */
static int host_of_row(int row) {
  for (int s = 1; s <= 64; s++)
    if (row_of_host(s) == row) return s;
  return 0;
}

const char *signal_name(int signo) {
  static char buf[32];
  int r = row_of_host(signo);
  if (r >= 0) return sigtab[r].name;
  const char *abbr = signo > 0 ? sigabbrev_np(signo) : NULL;
  if (abbr) {
    snprintf(buf, sizeof buf, "SIG%s", abbr);
    return buf;
  }
  snprintf(buf, sizeof buf, "signal %d", signo);
  return buf;
}

const char *signal_desc(int signo) {
  int r = row_of_host(signo);
  if (r >= 0) return sigtab[r].desc;
  return strsignal(signo);
}

bool signal_prints(int signo) {
  int r = row_of_host(signo);
  return r < 0 || sigtab[r].print;
}

bool signal_stops(int signo) {
  int r = row_of_host(signo);
  return r < 0 || sigtab[r].stop;
}

/* Give one row's stop and pass to the library. SIGKILL and SIGSTOP have
 * rows (gdb lets you set them, to no effect) that the library refuses. */
static void apply_row(int row) {
  int s = host_of_row(row);
  if (!s || s == SIGKILL || s == SIGSTOP) return;
  if (D.proc && !sse_process_exited(D.proc))
    sse_signal_policy(D.proc, s, sigtab[row].stop, sigtab[row].pass);
}

void signals_started(void) {
  if (!thread_signals_done) {
    thread_signals_done = true;
    for (int s = 32; s <= 33; s++) {
      int r = row_of_host(s);
      sigtab[r].stop = sigtab[r].print = false;
    }
  }
  for (size_t i = 0; i < NSIGTAB; i++) apply_row((int)i);
}

static void print_header(void) {
  say("Signal        Stop\tPrint\tPass to program\tDescription\n");
}

static void print_row(int r) {
  const gdb_signal *g = &sigtab[r];
  int pad = 13 - (int)strlen(g->name);
  if (pad < 0) pad = 0;
  say("%s%*s %s\t%s\t%s\t\t%s\n", g->name, pad, "", g->stop ? "Yes" : "No",
      g->print ? "Yes" : "No", g->pass ? "Yes" : "No", g->desc);
}

static int row_by_name(const char *name) {
  for (size_t i = 0; i < NSIGTAB; i++)
    if (!strcmp(sigtab[i].name, name)) return (int)i;
  return -1;
}

/* gdb_signal_from_command: its numbers 1-15 only. Row or -1 (said). */
static int row_by_number(long n) {
  if (n >= 1 && n <= 15) return (int)n - 1;
  err_say("Only signals 1-15 are valid as numeric signals.\n"
          "Use \"info signals\" for a list of symbolic signals.");
  return -1;
}

void info_signals(char *args) {
  while (isspace((unsigned char)*args)) args++;
  size_t n = strlen(args);
  while (n && isspace((unsigned char)args[n - 1])) args[--n] = 0;
  print_header();
  if (*args) {
    int r = row_by_name(args);
    if (r < 0) {
      uint64_t v;
      if (!demo_eval(args, &v)) return;
      r = row_by_number((long)(int64_t)v);
      if (r < 0) return;
    }
    print_row(r);
    return;
  }
  say("\n");
  for (size_t i = 0; i < NSIGTAB; i++) print_row((int)i);
  say("\nUse the \"handle\" command to change these tables.\n");
}

/* gdb's handle_command: words are applied left to right; an action word
 * changes the signals named before it. */
void cmd_handle(char *args, int tty) {
  (void)tty;
  bool sel[NSIGTAB] = {false};
  bool any_word = false;
  char *save = NULL;
  for (char *w = strtok_r(args, " \t", &save); w;
       w = strtok_r(NULL, " \t", &save)) {
    any_word = true;
    size_t wl = strlen(w);
    size_t digits = strspn(w, "0123456789");
    int first = -1, last = -1;
    bool all = false;
#define SET(field, v)                                    \
  for (size_t i = 0; i < NSIGTAB; i++)                   \
    if (sel[i]) sigtab[i].field = (v)
    if (!strncmp(w, "all", wl)) {
      all = true;
      first = 0;
      last = (int)NSIGTAB - 1;
    } else if (!strncmp(w, "stop", wl)) {
      SET(stop, true);
      SET(print, true);
    } else if (!strncmp(w, "ignore", wl)) {
      SET(pass, false);
    } else if (wl >= 2 && !strncmp(w, "print", wl)) {
      SET(print, true);
    } else if (wl >= 2 && !strncmp(w, "pass", wl)) {
      SET(pass, true);
    } else if (wl >= 3 && !strncmp(w, "noignore", wl)) {
      SET(pass, true);
    } else if (wl >= 3 && !strncmp(w, "nostop", wl)) {
      SET(stop, false);
    } else if (wl >= 3 && !strncmp(w, "noprint", wl)) {
      SET(print, false);
      SET(stop, false);
    } else if (wl >= 4 && !strncmp(w, "nopass", wl)) {
      SET(pass, false);
    } else if (digits > 0) {
      first = last = row_by_number(atol(w));
      if (first < 0) return;
      if (w[digits] == '-') {
        last = row_by_number(atol(w + digits + 1));
        if (last < 0) return;
      }
      if (first > last) {
        int t = first;
        first = last;
        last = t;
      }
    } else if ((first = last = row_by_name(w)) < 0) {
      err_say("Unrecognized or ambiguous flag word: \"%s\".", w);
      return;
    }
#undef SET
    for (int r = first; r >= 0 && r <= last; r++) {
      const char *nm = sigtab[r].name;
      if (!strcmp(nm, "SIGTRAP") || !strcmp(nm, "SIGINT")) {
        /* used by the debugger: "all" skips them, a name asks */
        if (all || sel[r]) continue;
        char q[128];
        snprintf(q, sizeof q,
                 "%s is used by the debugger.\n"
                 "Are you sure you want to change it? ", nm);
        if (demo_query(q, false))
          sel[r] = true;
        else
          say("Not confirmed, unchanged.\n");
        continue;
      }
      sel[r] = true;
    }
  }
  if (!any_word) {
    err_say("Argument required (signal to handle).");
    return;
  }
  bool header = false;
  for (size_t i = 0; i < NSIGTAB; i++) {
    if (!sel[i]) continue;
    apply_row((int)i);
    if (!header) print_header();
    header = true;
    print_row((int)i);
  }
}
