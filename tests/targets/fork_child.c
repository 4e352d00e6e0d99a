/* fork_child.c — the child of fork() (or vfork(), argv[1] = "vfork") runs
 * child_work() and exits with its verdict; the parent waits for it, then
 * calls child_work() itself. A breakpoint in child_work must not kill the
 * child (it is let go without the parent's breakpoints) and must still
 * stop the parent. Exits 0 when both ran it right. */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int __attribute__((noinline)) child_work(int x) { return x + 1; }

int main(int argc, char **argv) {
  int use_vfork = argc > 1 && strcmp(argv[1], "vfork") == 0;
  pid_t c = use_vfork ? vfork() : fork();
  if (c == 0) _exit(child_work(41) == 42 ? 0 : 3);
  int st = 0;
  waitpid(c, &st, 0);
  int r = child_work(1);
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 && r == 2 ? 0 : 1;
}
