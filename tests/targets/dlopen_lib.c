/* dlopen_lib: built with -g as libdl_target.so, loaded at run time by
 * dlopen_main.  Stepping into dl_work tests module refresh at the dynamic
 * linker's rendezvous breakpoint (issue 3). */
static int dl_helper(int v)
{
    int w = v * 3;
    return w - 1;
}

int dl_work(int n)
{
    int total = 0;
    for (int i = 0; i < n; i++)
        total += dl_helper(i);
    total += 1;
    return total;
}
