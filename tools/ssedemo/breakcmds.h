/* ssedemo's conditional breakpoints and watched expressions
 * (breakcmds.c), and the plain commands they build on (commands.c). */
#ifndef SSEDEMO_BREAKCMDS_H
#define SSEDEMO_BREAKCMDS_H

#include "demo.h"

void cmd_break(char *args, int from_tty);
void cmd_tbreak(char *args, int from_tty);
void cmd_watch(char *args, int from_tty);

void cmd_break_if(char *args, int from_tty);
void cmd_tbreak_if(char *args, int from_tty);
void cmd_condition(char *args, int from_tty);
void cmd_watch_expr(char *args, int from_tty);
void cmd_awatch(char *args, int from_tty);
/* b was made in the (new) process: its condition again. */
void breakcmds_installed(demo_bp *b);
/* info breakpoints: the "stop only if" line of a breakpoint. */
void breakcmds_info(const sse_breakpoint_info *me);
/* A stop: gdb's "Error in testing breakpoint condition:" first. */
void breakcmds_stop(const sse_stop *s);

/* set breakpoint pending on|off|auto (args: past "breakpoint"). */
void breakcmds_set(char *args);

/* bptable.c: gdb's `info breakpoints` table; a `disable`/`enable`
 * argument N.M or N.M-K (false when tok is no location); the locations
 * disabled alone, again in a new process. */
void bptable_info(char *args);
bool bptable_location_arg(const char *tok, bool enable);
/* `delete N.M`: gdb deletes no location; its warning (false: tok is no
 * location). */
bool bptable_delete_location(const char *tok, bool unused);
void bptable_installed(demo_bp *b);

#endif
