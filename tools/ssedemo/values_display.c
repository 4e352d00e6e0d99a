/* ssedemo's display: `display[/FMT] EXPR`, `undisplay [N...]`, `info
 * display`, and the displays shown after each stop as gdb shows them
 * ("1: i = -7", "2: /x i = 0xfffffff9"). A display whose expression
 * reads a frame (a local, an argument, a register) is shown only while
 * the innermost frame is in the function it was made in, as gdb ties it
 * to its block. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"

#define DISPLAYS_MAX 256

typedef struct display {
  int num;
  char fmt;
  char *expr;
  char *func; /* the function it is tied to, or NULL */
  bool enabled;
} display;

static display displays[DISPLAYS_MAX];
static int ndisplays, next_num = 1;

/* The function of the innermost frame of the selected thread, or NULL. */
static const char *frame_function(size_t frame) {
  static sse_frame fr[64];
  size_t n = 0;
  if (!D.cur || frame >= 64 || (sse_backtrace(D.cur, fr, frame + 1, &n) && !n) || n <= frame)
    return NULL;
  return fr[frame].loc.function;
}

/* Show one display; false when it cannot be shown here (out of its
 * function, or its symbols unknown here). */
static bool show(const display *d) {
  if (!D.cur || !D.started) return false;
  if (d->func) {
    const char *f = frame_function(0);
    if (!f || strcmp(f, d->func) != 0) return false;
  }
  char *buf = malloc(65536);
  if (!buf) return false;
  sse_value_info info;
  sse_err e = sse_evaluate_format(D.cur, 0, d->expr, d->fmt, buf, 65536, &info);
  if (e == SSE_E_NOSYM) {
    free(buf);
    return false;
  }
  char fmt[4] = "";
  if (d->fmt) snprintf(fmt, sizeof fmt, "/%c ", d->fmt);
  if (D.json) {
    jbuf j;
    jb_begin(&j, "value");
    jb_int(&j, "display", d->num);
    jb_str(&j, "expression", d->expr);
    jb_str(&j, e ? "error" : "value", buf);
    if (!e) jb_str(&j, "type", info.type);
    jb_end_print(&j);
  } else if (e) {
    say("%d: %s%s = <error: %s>\n", d->num, fmt, d->expr, buf);
  } else {
    say("%d: %s%s = %s\n", d->num, fmt, d->expr, buf);
  }
  free(buf);
  return true;
}

void values_display_stop(void) {
  for (int i = 0; i < ndisplays; i++)
    if (displays[i].enabled) show(&displays[i]);
}

/* Whether msg is one of the parser's: the display is not made. */
static bool parse_error(const char *msg) {
  static const char *const pre[] = {"A syntax error", "Junk after", "Invalid character",
                                    "Unmatched", "No struct", "No union", "No enum",
                                    "Argument required", "Invalid number", "Numeric constant"};
  for (size_t i = 0; i < sizeof pre / sizeof *pre; i++)
    if (!strncmp(msg, pre[i], strlen(pre[i]))) return true;
  return false;
}

void cmd_display(char *args, int tty) {
  (void)tty;
  while (isspace((unsigned char)*args)) args++;
  char fmt = 0;
  if (*args == '/') {
    fmt = args[1];
    args += 2;
    while (isspace((unsigned char)*args)) args++;
  }
  if (!*args) { /* display: show them all again */
    values_display_stop();
    return;
  }
  if (fmt && !strchr("xzotducafs", fmt)) {
    err_say("Format letter \"%c\" is meaningless in \"print\" command.", fmt);
    return;
  }
  bool uses_frame = false;
  if (D.cur && D.started) {
    char buf[256];
    sse_value_info info;
    sse_err e = sse_evaluate(D.cur, (size_t)D.frame, args, buf, sizeof buf, &info);
    if (e == SSE_E_NOSYM || (e == SSE_E_INVAL && parse_error(buf))) {
      err_say("%s", buf);
      return;
    }
    uses_frame = info.uses_frame;
  }
  if (ndisplays == DISPLAYS_MAX) {
    err_say("Too many displays.");
    return;
  }
  display *d = &displays[ndisplays];
  const char *f = uses_frame ? frame_function((size_t)D.frame) : NULL;
  *d = (display){.num = next_num, .fmt = fmt, .expr = strdup(args),
                 .func = f ? strdup(f) : NULL, .enabled = true};
  if (!d->expr) return;
  ndisplays++;
  next_num++;
  if (D.interactive) show(d);
}

static void remove_at(int i) {
  free(displays[i].expr);
  free(displays[i].func);
  memmove(&displays[i], &displays[i + 1], (size_t)(ndisplays - i - 1) * sizeof *displays);
  ndisplays--;
}

void cmd_undisplay(char *args, int tty) {
  (void)tty;
  while (isspace((unsigned char)*args)) args++;
  if (!*args) {
    if (!demo_query("Delete all auto-display expressions? ", false)) return;
    while (ndisplays) remove_at(ndisplays - 1);
    return;
  }
  for (char *tok = strtok(args, " \t"); tok; tok = strtok(NULL, " \t")) {
    char *end;
    long n = strtol(tok, &end, 10);
    int i = 0;
    while (i < ndisplays && displays[i].num != n) i++;
    if (*end || n <= 0) err_say("Arguments must be display numbers.");
    else if (i == ndisplays) say("No display number %ld.\n", n);
    else remove_at(i);
  }
}

void values_info_display(void) {
  if (!ndisplays) {
    say("There are no auto-display expressions now.\n");
    return;
  }
  say("Auto-display expressions now in effect:\nNum Enb Expression\n");
  for (int i = 0; i < ndisplays; i++) {
    const display *d = &displays[i];
    char fmt[4] = "";
    if (d->fmt) snprintf(fmt, sizeof fmt, "/%c ", d->fmt);
    const char *f = d->func ? frame_function((size_t)D.frame) : NULL;
    bool out = d->func && (!f || strcmp(f, d->func) != 0);
    say("%d:   %c  %s%s%s\n", d->num, d->enabled ? 'y' : 'n', fmt, d->expr,
        out ? " (cannot be evaluated in the current context)" : "");
  }
}
