/* stdin_echo: reads one line from stdin and prints it to stdout (and
 * "err\n" to stderr) -- for spawn stdin/stdout/stderr redirection tests
 * (issue 2).  Exits 0 if a line was read, 1 on EOF. */
#include <stdio.h>

int main(void)
{
    char line[4096];
    if (!fgets(line, sizeof line, stdin))
        return 1;
    fputs(line, stdout);
    fputs("err\n", stderr);
    return 0;
}
