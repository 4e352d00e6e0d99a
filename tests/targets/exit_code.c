/* exit_code: exits with argv[1] as its code (default 0).  "continue runs a
 * program to its exit code" (issue 2). */
#include <stdlib.h>

int main(int argc, char **argv)
{
    return argc > 1 ? atoi(argv[1]) : 0;
}
