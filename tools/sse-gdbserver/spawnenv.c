/* spawnenv.c — how the next vRun starts its program, as gdb sets it
 * before `run` in extended-remote mode: the environment changes gdb made
 * (`set environment`, `unset environment`: QEnvironmentHexEncoded,
 * QEnvironmentUnset, QEnvironmentReset) on top of the server's own
 * environment, as gdbserver applies them; the working directory
 * (QSetWorkingDir, `set cwd`); address space randomization
 * (QDisableRandomization, `set disable-randomization`). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdbserver.h"

extern char **environ;

/* The environment the next program gets, copied from ours on the first
 * change. False when out of memory. */
static bool env_own(gs_spawn_cfg *c) {
  if (c->env) return true;
  size_t n = 0;
  while (environ[n]) n++;
  c->env = calloc(n + 1, sizeof *c->env);
  if (!c->env) return false;
  for (size_t i = 0; i < n; i++)
    if (!(c->env[i] = strdup(environ[i]))) return false;
  c->nenv = n;
  return true;
}

/* Remove NAME (up to '=' or the end of name) from the environment. */
static void env_remove(gs_spawn_cfg *c, const char *name) {
  size_t nl = strcspn(name, "=");
  for (size_t i = 0; i < c->nenv;) {
    if (!strncmp(c->env[i], name, nl) && c->env[i][nl] == '=') {
      free(c->env[i]);
      memmove(&c->env[i], &c->env[i + 1], (c->nenv - i) * sizeof *c->env);
      c->nenv--;
    } else {
      i++;
    }
  }
}

void gs_env_set(gs_session *s, char *a) {
  char *kv = gs_hex_string(a, 0, NULL);
  if (!kv || !strchr(kv, '=') || kv[0] == '=' || !env_own(&s->cfg)) {
    free(kv);
    gs_reply_error(s, 0x16);
    return;
  }
  env_remove(&s->cfg, kv);
  char **n = realloc(s->cfg.env, (s->cfg.nenv + 2) * sizeof *n);
  if (!n) {
    free(kv);
    gs_reply_error(s, 0x0c);
    return;
  }
  s->cfg.env = n;
  n[s->cfg.nenv++] = kv;
  n[s->cfg.nenv] = NULL;
  gs_reply(s, "OK");
}

void gs_env_unset(gs_session *s, char *a) {
  char *name = gs_hex_string(a, 0, NULL);
  if (!name || !name[0] || strchr(name, '=') || !env_own(&s->cfg)) {
    free(name);
    gs_reply_error(s, 0x16);
    return;
  }
  env_remove(&s->cfg, name);
  free(name);
  gs_reply(s, "OK");
}

static void env_free(gs_spawn_cfg *c) {
  for (size_t i = 0; c->env && i < c->nenv; i++) free(c->env[i]);
  free(c->env);
  c->env = NULL;
  c->nenv = 0;
}

/* Back to the server's own environment. */
void gs_env_reset(gs_session *s, char *a) {
  env_free(&s->cfg);
  gs_reply(s, "OK");
}

/* QSetWorkingDir:HEX; empty: the server's own directory. */
void gs_set_cwd(gs_session *s, char *a) {
  char *dir = gs_hex_string(a, 0, NULL);
  if (!dir) {
    gs_reply_error(s, 0x16);
    return;
  }
  free(s->cfg.cwd);
  s->cfg.cwd = dir[0] ? dir : NULL;
  if (!dir[0]) free(dir);
  gs_reply(s, "OK");
}

/* QDisableRandomization:0|1 */
void gs_no_aslr(gs_session *s, char *a) {
  if ((a[0] != '0' && a[0] != '1') || a[1]) {
    gs_reply_error(s, 0x16);
    return;
  }
  s->cfg.aslr = a[0] == '0';
  gs_reply(s, "OK");
}

/* QStartupWithShell:0 or 1 */
void gs_startup_shell(gs_session *s, char *a) {
  if ((a[0] != '0' && a[0] != '1') || a[1]) {
    gs_reply_error(s, 0x16);
    return;
  }
  s->cfg.no_shell = a[0] == '0';
  gs_reply(s, "OK");
}

void gs_spawn_cfg_free(gs_spawn_cfg *c) {
  env_free(c);
  free(c->cwd);
  c->cwd = NULL;
  for (size_t i = 0; c->argv && c->argv[i]; i++) free(c->argv[i]);
  free(c->argv);
  c->argv = NULL;
}
