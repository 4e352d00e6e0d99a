/* exec_next.c — runs itself again through execl(): `next` over the execl
 * line is a step across exec. The second image (argv[1] = "again")
 * returns 7. */
#include <string.h>
#include <unistd.h>

static int second(void) { return 7; }

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "again") == 0) return second();
  execl(argv[0], argv[0], "again", (char *)NULL); /* exec_line */
  return 1;
}
