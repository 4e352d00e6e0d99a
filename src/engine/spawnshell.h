/* spawnshell.h — starting a program through the user's shell, as gdb and
 * gdbserver do with startup-with-shell: $SHELL -c "exec ARGV..." (each
 * argument quoted, so the program gets argv as given), the shell's exec of
 * the program waited for. */
#ifndef SSE_ENGINE_SPAWNSHELL_H
#define SSE_ENGINE_SPAWNSHELL_H

#include <sys/types.h>

/* The shell's argv for argv (malloc'd, one block: free() it): $SHELL, or
 * /bin/sh when SHELL is unset or empty, "-c", the command. NULL: no
 * memory. */
char **sse__shell_argv(const char *const argv[]);
/* pid, seized and stopped at the shell's exec, runs on to its next exec
 * (the program's). 0, or the errno to report: ENOENT when the shell exited
 * (it found no such program, 127, or could not run it), ECHILD when it died
 * otherwise. */
int sse__shell_run_to_exec(pid_t pid);

#endif
