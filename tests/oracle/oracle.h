/* oracle.h -- gdb as the oracle for sse's stepping and backtrace tests.
 *
 * Runs `gdb -batch -nx -x tests/oracle/gdb_steps.py --args PROG ARGS...` with
 * the parameters in ORACLE_* environment variables (see gdb_steps.py) and
 * parses its lines.  gdb is found as $ORACLE_GDB or "gdb" on PATH; the script
 * as $ORACLE_SCRIPT, else ORACLE_SCRIPT_PATH (a -D at build time), else
 * gdb_steps.py next to this file's __FILE__.  gdb's stderr goes to /dev/null
 * unless ORACLE_VERBOSE is set.  The traced program's stdin/stdout/stderr are
 * /dev/null.
 */
#ifndef SSE_TESTS_ORACLE_H
#define SSE_TESTS_ORACLE_H

#include <stddef.h>

typedef struct oracle_stop {
    char function[256];   /* debuginfo name, else ELF symbol, else "??" */
    char file[512];       /* symtab fullname (absolute for our targets;
                             libc6-dbg gives "./nptl/./nptl/x.c"), or "-" */
    int line;             /* 0 when no line info */
    unsigned long pc;
    int exited;           /* this entry is the program's exit */
    int exit_code;        /* exit status, or -SIGNO if killed by a signal */
    char error[256];      /* non-empty: a gdb command failed (e.g. "finish"
                             in the outermost frame, start not reached);
                             the other fields are then empty */
} oracle_stop;

typedef struct oracle_frame {
    int level;            /* gdb's level (counts inline/tailcall frames) */
    char function[256];   /* "<signal handler called>" for sigtramp frames */
    char file[512];
    int line;
    unsigned long pc;
    char kind[16];        /* normal, inline, tailcall, sigtramp, ... */
    int physical;         /* kind is not inline/tailcall: a real stack frame,
                             what an unwinder (libunwind) reports */
} oracle_frame;

/* Break at START (gdb `break` syntax, e.g. "main", "file.c:12",
 * "fact if n==3"), run PROG with ARGS (NULL-terminated, argv[1..], may be
 * NULL), then run the comma-separated CMDS ("step", "next,finish", ...)
 * COUNT times, stopping early at exit.  HANDLE: NULL or `handle` arguments
 * ("SIGUSR1 nostop noprint pass"; several separated by ';').  DEBUGDIR:
 * NULL or a directory searched for .build-id/xx/yyyy.debug before
 * /usr/lib/debug.  *OUT gets the initial stop and one entry per command
 * (or the exit), *N their number; free with oracle_free().
 * Returns 0, or -1 when gdb could not be run or printed nothing usable. */
int oracle_gdb_steps(const char *prog, char *const args[], const char *start,
                     const char *cmds, int count, const char *handle,
                     const char *debugdir, oracle_stop **out, size_t *n);

/* Break at START, run, and list gdb's backtrace there, innermost first
 * (gdb stops at main: no frames past it).  Returns 0 or -1 (also -1 when
 * START was never reached). */
int oracle_gdb_bt(const char *prog, char *const args[], const char *start,
                  const char *handle, const char *debugdir,
                  oracle_frame **out, size_t *n);

void oracle_free(void *p);

#endif
