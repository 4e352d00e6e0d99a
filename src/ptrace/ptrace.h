/* Thin, checked wrappers over ptrace(2), waitpid(2) and tgkill(2). Every
 * function returns 0 or -errno; errno is never left for the caller to read.
 * Only the tracer thread may call them for a task it traces. */
#ifndef SSE_PTRACE_H
#define SSE_PTRACE_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "arch/arch.h"

int sse__pt_setoptions(pid_t tid, unsigned long opts);
int sse__pt_cont(pid_t tid, int sig);
int sse__pt_singlestep(pid_t tid, int sig);
int sse__pt_detach(pid_t tid, int sig);
int sse__pt_attach(pid_t tid);   /* PTRACE_ATTACH: the task gets SIGSTOP */
int sse__pt_seize(pid_t tid, unsigned long opts);
int sse__pt_interrupt(pid_t tid);
int sse__pt_getregs(pid_t tid, struct user_regs_struct *regs);
int sse__pt_setregs(pid_t tid, const struct user_regs_struct *regs);
int sse__pt_getfpregs(pid_t tid, sse__fpregs *fpregs);
int sse__pt_getsiginfo(pid_t tid, siginfo_t *si);
int sse__pt_geteventmsg(pid_t tid, unsigned long *msg);
/* PEEKUSER returns the data: -1 is a valid value, so errno decides. */
int sse__pt_peekuser(pid_t tid, long off, uint64_t *val);
int sse__pt_pokeuser(pid_t tid, long off, uint64_t val);
/* Write one byte of a tracee's memory (a task we trace but whose process
 * the engine does not hold, such as a forked child at its first stop). */
int sse__pt_poke_byte(pid_t tid, uint64_t addr, uint8_t byte);
int sse__pt_tgkill(pid_t pid, pid_t tid, int sig);
/* waitpid() retried on EINTR; returns the pid, 0 (WNOHANG, none), -errno. */
pid_t sse__pt_wait(pid_t pid, int *status, int flags);

#endif
