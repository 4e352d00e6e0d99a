/* oracle.c -- run gdb_steps.py under gdb and parse its output (oracle.h). */
#define _GNU_SOURCE
#include "oracle.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *script_path(char *buf, size_t len)
{
    const char *s = getenv("ORACLE_SCRIPT");
    if (s && *s)
        return s;
#ifdef ORACLE_SCRIPT_PATH
    return ORACLE_SCRIPT_PATH;
#else
    const char *f = __FILE__;
    const char *slash = strrchr(f, '/');
    if (!slash)
        snprintf(buf, len, "gdb_steps.py");
    else
        snprintf(buf, len, "%.*s/gdb_steps.py", (int)(slash - f), f);
    return buf;
#endif
}

/* environ without ORACLE_* (except the ones naming gdb/script), plus ours */
static char **make_env(char *const extra[])
{
    size_t ne = 0, nx = 0;
    while (environ && environ[ne])
        ne++;
    while (extra[nx])
        nx++;
    char **env = calloc(ne + nx + 1, sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < ne; i++)
        if (strncmp(environ[i], "ORACLE_", 7) != 0)
            env[k++] = environ[i];
    for (size_t i = 0; i < nx; i++)
        env[k++] = extra[i];
    env[k] = NULL;
    return env;
}

typedef void (*line_fn)(char **f, int nf, void *ctx);

static int run_gdb(const char *prog, char *const args[], char *const extra_env[],
                   line_fn fn, void *ctx)
{
    char sbuf[4096];
    const char *gdb = getenv("ORACLE_GDB");
    if (!gdb || !*gdb)
        gdb = "gdb";
    size_t na = 0;
    while (args && args[na])
        na++;
    const char *fixed[] = {gdb, "-batch", "-nx", "-ex", "set confirm off",
                           "-x", script_path(sbuf, sizeof sbuf), "--args", prog};
    size_t nf = sizeof fixed / sizeof fixed[0];
    char **argv = calloc(nf + na + 1, sizeof *argv);
    char **env = make_env(extra_env);
    int pfd[2] = {-1, -1};
    int rc = -1;
    pid_t pid = -1;
    posix_spawn_file_actions_t fa;
    int fa_ok = 0;
    if (!argv || !env)
        goto out;
    for (size_t i = 0; i < nf; i++)
        argv[i] = (char *)fixed[i];
    for (size_t i = 0; i < na; i++)
        argv[nf + i] = args[i];
    if (pipe2(pfd, O_CLOEXEC) != 0)
        goto out;
    if (posix_spawn_file_actions_init(&fa) != 0)
        goto out;
    fa_ok = 1;
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
    if (!getenv("ORACLE_VERBOSE"))
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    if (posix_spawnp(&pid, gdb, &fa, NULL, argv, env) != 0) {
        pid = -1;
        goto out;
    }
    close(pfd[1]);
    pfd[1] = -1;

    FILE *in = fdopen(pfd[0], "r");
    if (!in)
        goto out;
    pfd[0] = -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lines = 0;
    while ((len = getline(&line, &cap, in)) >= 0) {
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = 0;
        char *f[8];
        int k = 0;
        char *save = NULL;
        /* split on tabs, keeping empty fields impossible (gdb_steps never
         * prints them) */
        for (char *t = strtok_r(line, "\t", &save); t && k < 8;
             t = strtok_r(NULL, "\t", &save))
            f[k++] = t;
        if (k == 0)
            continue;
        if (strcmp(f[0], "STOP") && strcmp(f[0], "EXIT") && strcmp(f[0], "ERROR") &&
            strcmp(f[0], "FRAME"))
            continue;
        fn(f, k, ctx);
        lines++;
    }
    free(line);
    fclose(in);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    pid = -1;
    rc = lines > 0 ? 0 : -1;
out:
    if (pid > 0) {
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
    }
    if (fa_ok)
        posix_spawn_file_actions_destroy(&fa);
    if (pfd[0] >= 0)
        close(pfd[0]);
    if (pfd[1] >= 0)
        close(pfd[1]);
    free(argv);
    free(env);
    return rc;
}

static void copy(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src ? src : "");
}

struct vec {
    void *a;
    size_t n, cap, elem;
    int oom;
};

static void *vec_push(struct vec *v)
{
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 64;
        void *na = realloc(v->a, nc * v->elem);
        if (!na) {
            v->oom = 1;
            return NULL;
        }
        v->a = na;
        v->cap = nc;
    }
    void *p = (char *)v->a + v->n++ * v->elem;
    memset(p, 0, v->elem);
    return p;
}

static void on_step_line(char **f, int nf, void *ctx)
{
    struct vec *v = ctx;
    if (!strcmp(f[0], "FRAME"))
        return;
    oracle_stop *s = vec_push(v);
    if (!s)
        return;
    if (!strcmp(f[0], "STOP") && nf >= 5) {
        copy(s->function, sizeof s->function, f[1]);
        copy(s->file, sizeof s->file, f[2]);
        s->line = atoi(f[3]);
        s->pc = strtoul(f[4], NULL, 16);
    } else if (!strcmp(f[0], "EXIT") && nf >= 2) {
        s->exited = 1;
        s->exit_code = atoi(f[1]);
    } else {
        copy(s->error, sizeof s->error, nf >= 2 ? f[1] : "error");
    }
}

struct bt_ctx {
    struct vec v;
    int bad;
};

static void on_bt_line(char **f, int nf, void *ctx)
{
    struct bt_ctx *b = ctx;
    if (strcmp(f[0], "FRAME") != 0 || nf < 7) {
        b->bad = 1; /* ERROR / EXIT: start location never reached */
        return;
    }
    oracle_frame *fr = vec_push(&b->v);
    if (!fr)
        return;
    fr->level = atoi(f[1]);
    copy(fr->function, sizeof fr->function, f[2]);
    copy(fr->file, sizeof fr->file, f[3]);
    fr->line = atoi(f[4]);
    fr->pc = strtoul(f[5], NULL, 16);
    copy(fr->kind, sizeof fr->kind, f[6]);
    fr->physical = strcmp(fr->kind, "inline") != 0 && strcmp(fr->kind, "tailcall") != 0;
}

static char *envvar(const char *name, const char *val)
{
    char *s = NULL;
    if (asprintf(&s, "%s=%s", name, val) < 0)
        return NULL;
    return s;
}

static void free_env(char **e)
{
    for (size_t i = 0; e[i]; i++)
        free(e[i]);
}

int oracle_gdb_steps(const char *prog, char *const args[], const char *start,
                     const char *cmds, int count, const char *handle,
                     const char *debugdir, oracle_stop **out, size_t *n)
{
    char cnt[32];
    char *env[8] = {0};
    int k = 0;
    snprintf(cnt, sizeof cnt, "%d", count > 0 ? count : 1);
    env[k++] = envvar("ORACLE_START", start ? start : "main");
    env[k++] = envvar("ORACLE_CMD", cmds ? cmds : "step");
    env[k++] = envvar("ORACLE_COUNT", cnt);
    if (handle)
        env[k++] = envvar("ORACLE_HANDLE", handle);
    if (debugdir)
        env[k++] = envvar("ORACLE_DEBUGDIR", debugdir);
    for (int i = 0; i < k; i++)
        if (!env[i]) {
            free_env(env);
            return -1;
        }
    struct vec v = {.elem = sizeof(oracle_stop)};
    int rc = run_gdb(prog, args, env, on_step_line, &v);
    free_env(env);
    if (rc != 0 || v.oom) {
        free(v.a);
        *out = NULL;
        *n = 0;
        return -1;
    }
    *out = v.a;
    *n = v.n;
    return 0;
}

int oracle_gdb_bt(const char *prog, char *const args[], const char *start,
                  const char *handle, const char *debugdir,
                  oracle_frame **out, size_t *n)
{
    char *env[8] = {0};
    int k = 0;
    env[k++] = envvar("ORACLE_START", start ? start : "main");
    env[k++] = envvar("ORACLE_BT", "1");
    if (handle)
        env[k++] = envvar("ORACLE_HANDLE", handle);
    if (debugdir)
        env[k++] = envvar("ORACLE_DEBUGDIR", debugdir);
    for (int i = 0; i < k; i++)
        if (!env[i]) {
            free_env(env);
            return -1;
        }
    struct bt_ctx b = {.v = {.elem = sizeof(oracle_frame)}};
    int rc = run_gdb(prog, args, env, on_bt_line, &b);
    free_env(env);
    if (rc != 0 || b.v.oom || b.bad || b.v.n == 0) {
        free(b.v.a);
        *out = NULL;
        *n = 0;
        return -1;
    }
    *out = b.v.a;
    *n = b.v.n;
    return 0;
}

void oracle_free(void *p)
{
    free(p);
}
