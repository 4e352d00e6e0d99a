#include "ptrace/ptrace.h"
#include "ptrace/park.h"

#include <errno.h>
#include <stddef.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* ptrace() returns -1 and sets errno; PEEK requests may legitimately return
 * -1 as data, so errno is cleared first (libunwind's _UPT_access_mem does
 * the same). */
static int pt(enum __ptrace_request req, pid_t tid, void *addr, void *data) {
  if (req != PTRACE_INTERRUPT) sse__pt_before(tid); /* park.h */
  errno = 0;
  long r = ptrace(req, tid, addr, data);
  if (r == -1 && errno) return -errno;
  return 0;
}

int sse__pt_setoptions(pid_t tid, unsigned long opts) {
  return pt(PTRACE_SETOPTIONS, tid, NULL, (void *)opts);
}
int sse__pt_cont(pid_t tid, int sig) {
  return pt(PTRACE_CONT, tid, NULL, (void *)(long)sig);
}
int sse__pt_singlestep(pid_t tid, int sig) {
  return pt(PTRACE_SINGLESTEP, tid, NULL, (void *)(long)sig);
}
int sse__pt_detach(pid_t tid, int sig) {
  return pt(PTRACE_DETACH, tid, NULL, (void *)(long)sig);
}
int sse__pt_attach(pid_t tid) { return pt(PTRACE_ATTACH, tid, NULL, NULL); }
int sse__pt_seize(pid_t tid, unsigned long opts) {
  return pt(PTRACE_SEIZE, tid, NULL, (void *)opts);
}
int sse__pt_interrupt(pid_t tid) {
  return pt(PTRACE_INTERRUPT, tid, NULL, NULL);
}
int sse__pt_getregs(pid_t tid, struct user_regs_struct *regs) {
  return pt(PTRACE_GETREGS, tid, NULL, regs);
}
int sse__pt_setregs(pid_t tid, const struct user_regs_struct *regs) {
  return pt(PTRACE_SETREGS, tid, NULL, (void *)regs);
}
int sse__pt_getfpregs(pid_t tid, sse__fpregs *fpregs) {
  return pt(PTRACE_GETFPREGS, tid, NULL, fpregs);
}
int sse__pt_getsiginfo(pid_t tid, siginfo_t *si) {
  return pt(PTRACE_GETSIGINFO, tid, NULL, si);
}
int sse__pt_geteventmsg(pid_t tid, unsigned long *msg) {
  return pt(PTRACE_GETEVENTMSG, tid, NULL, msg);
}
int sse__pt_peekuser(pid_t tid, long off, uint64_t *val) {
  sse__pt_before(tid);
  errno = 0;
  long r = ptrace(PTRACE_PEEKUSER, tid, (void *)off, NULL);
  if (r == -1 && errno) return -errno;
  *val = (uint64_t)r;
  return 0;
}
int sse__pt_pokeuser(pid_t tid, long off, uint64_t val) {
  return pt(PTRACE_POKEUSER, tid, (void *)off, (void *)(uintptr_t)val);
}
int sse__pt_tgkill(pid_t pid, pid_t tid, int sig) {
  if (syscall(SYS_tgkill, pid, tid, sig) == -1) return -errno;
  return 0;
}
pid_t sse__pt_wait(pid_t pid, int *status, int flags) {
  for (;;) {
    pid_t r = waitpid(pid, status, flags);
    if (r >= 0) return r;
    if (errno != EINTR) return -errno;
  }
}

/* One byte of the tracee's memory, through PTRACE_PEEKDATA/POKEDATA on the
 * aligned word that holds it (text pages are written as ptrace writes
 * them: copy on write, whatever their protection). */
int sse__pt_poke_byte(pid_t tid, uint64_t addr, uint8_t byte) {
  uint64_t base = addr & ~(uint64_t)7;
  sse__pt_before(tid);
  errno = 0;
  long w = ptrace(PTRACE_PEEKDATA, tid, (void *)base, NULL);
  if (w == -1 && errno) return -errno;
  unsigned char *b = (unsigned char *)&w;
  b[addr - base] = byte;
  return pt(PTRACE_POKEDATA, tid, (void *)base, (void *)w);
}
