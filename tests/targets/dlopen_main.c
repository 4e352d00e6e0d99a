/* dlopen_main: dlopen()s libdl_target.so by path from argv[0]'s directory,
 * dlsym()s dl_work and calls it; steps into a library loaded at run time
 * (issue 3).  Exits 0 on success (dl_work(4) == 15). */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    char path[4096];
    const char *slash = strrchr(argv[0], '/');
    size_t dirlen = slash ? (size_t)(slash - argv[0]) : 1;
    const char *dir = slash ? argv[0] : ".";
    (void)argc;
    snprintf(path, sizeof path, "%.*s/libdl_target.so", (int)dirlen, dir);
    void *h = dlopen(path, RTLD_NOW);
    if (!h)
        return 2;
    int (*fn)(int) = (int (*)(int))dlsym(h, "dl_work");
    if (!fn)
        return 3;
    int r = fn(4);
    r = r - 15;
    dlclose(h);
    return r == 0 ? 0 : 1;
}
