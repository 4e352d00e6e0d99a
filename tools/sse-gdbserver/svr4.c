/* svr4.c — qXfer:libraries-svr4:read: the dynamic linker's list of loaded
 * objects (the program's link_map chain), so gdb knows the libraries,
 * those dlopen()ed later too, without walking the target's memory itself.
 *
 * As gdbserver finds it: the program's PT_DYNAMIC from its program
 * headers (AT_PHDR and AT_PHNUM in the auxiliary vector; the load bias
 * from PT_PHDR), DT_DEBUG there points at the dynamic linker's r_debug,
 * whose r_map heads the chain. Its first entry is the program itself
 * (main-lm). The annex "start=LM;prev=LM;" asks for the chain from LM on
 * (gdb's incremental update at a library event). A program without
 * PT_DYNAMIC (static) gets E01, as from gdbserver; one whose dynamic
 * linker has not run yet, the empty list. */
#define _GNU_SOURCE
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdbserver.h"

static bool read_u64(gs_session *s, uint64_t addr, uint64_t *v) {
  return sse_read_memory(s->proc, addr, v, sizeof *v, NULL) == SSE_OK;
}

static bool auxv_value(pid_t pid, uint64_t type, uint64_t *v) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/auxv", (int)pid);
  FILE *f = fopen(path, "rb");
  if (!f) return false;
  Elf64_auxv_t a;
  bool found = false;
  while (!found && fread(&a, sizeof a, 1, f) == 1 && a.a_type != AT_NULL)
    if (a.a_type == type) {
      *v = a.a_un.a_val;
      found = true;
    }
  fclose(f);
  return found;
}

/* The address of the program's dynamic section; 0: it has none. */
static uint64_t dynamic_section(gs_session *s) {
  uint64_t phdr, phnum;
  if (!auxv_value(s->pid, AT_PHDR, &phdr) || !auxv_value(s->pid, AT_PHNUM, &phnum) ||
      phnum > 256)
    return 0;
  Elf64_Phdr ph[256];
  if (sse_read_memory(s->proc, phdr, ph, phnum * sizeof ph[0], NULL) != SSE_OK) return 0;
  uint64_t bias = phdr - sizeof(Elf64_Ehdr), dyn = 0; /* no PT_PHDR: right after the header */
  for (uint64_t i = 0; i < phnum; i++) {
    if (ph[i].p_type == PT_PHDR) bias = phdr - ph[i].p_vaddr;
    if (ph[i].p_type == PT_DYNAMIC) dyn = ph[i].p_vaddr;
  }
  return dyn ? bias + dyn : 0;
}

/* r_debug's address (0: not set up yet); false: no dynamic section. */
static bool r_debug_addr(gs_session *s, uint64_t *r_debug) {
  uint64_t dyn = dynamic_section(s);
  if (!dyn) return false;
  *r_debug = 0;
  for (int i = 0; i < 512; i++) {
    Elf64_Dyn d;
    if (sse_read_memory(s->proc, dyn + i * sizeof d, &d, sizeof d, NULL) != SSE_OK ||
        d.d_tag == DT_NULL)
      break;
    if (d.d_tag == DT_DEBUG) *r_debug = d.d_un.d_ptr;
  }
  return true;
}

/* A NUL-terminated string of the target's, XML-escaped into m. */
static void put_name(gs_session *s, FILE *m, uint64_t addr) {
  char buf[256];
  for (int chunk = 0; chunk < 16; chunk++, addr += sizeof buf) {
    size_t got = 0;
    if (sse_read_memory(s->proc, addr, buf, sizeof buf, &got) == SSE_OK) got = sizeof buf;
    for (size_t i = 0; i < got; i++) {
      unsigned char c = (unsigned char)buf[i];
      if (!c) return;
      if (c == '&') fputs("&amp;", m);
      else if (c == '<') fputs("&lt;", m);
      else if (c == '>') fputs("&gt;", m);
      else if (c == '"') fputs("&quot;", m);
      else if (c >= 0x20) fputc(c, m);
    }
    if (got < sizeof buf) return;
  }
}

static void put_library(gs_session *s, FILE *m, uint64_t lm, const uint64_t f[5]) {
  uint8_t c = 0;
  if (!f[1] || sse_read_memory(s->proc, f[1], &c, 1, NULL) != SSE_OK || !c) return;
  fputs("<library name=\"", m);
  put_name(s, m, f[1]);
  fprintf(m, "\" lm=\"0x%llx\" l_addr=\"0x%llx\" l_ld=\"0x%llx\" lmid=\"0x0\"/>", (unsigned long long)lm,
          (unsigned long long)f[0], (unsigned long long)f[2]);
}

/* The link_map chain from lm on (prev: the entry before it, 0 at the
 * head, which is the program: main-lm). Closes the opening tag. */
static void put_chain(gs_session *s, FILE *m, uint64_t lm, uint64_t prev) {
  bool opened = false;
  for (int n = 0; lm && n < 4096; n++) {
    uint64_t f[5]; /* l_addr, l_name, l_ld, l_next, l_prev */
    if (sse_read_memory(s->proc, lm, f, sizeof f, NULL) != SSE_OK || f[4] != prev) break;
    if (!opened && prev == 0)
      fprintf(m, " main-lm=\"0x%llx\">", (unsigned long long)lm);
    else if (!opened)
      fputc('>', m);
    if (opened || prev != 0) put_library(s, m, lm, f);
    opened = true;
    prev = lm;
    lm = f[3];
  }
  if (!opened) fputc('>', m);
}

/* "start=HEX;prev=HEX;" (either may be missing). */
static bool parse_annex(const char *a, uint64_t *start, uint64_t *prev) {
  *start = *prev = 0;
  while (*a) {
    uint64_t *v = !strncmp(a, "start=", 6) ? start : !strncmp(a, "prev=", 5) ? prev : NULL;
    const char *eq = strchr(a, '='), *e;
    if (!eq) return false;
    if (v && !gs_parse_hex(eq + 1, v, &e)) return false;
    a = strchr(eq, ';');
    if (!a) return true;
    a++;
  }
  return true;
}

void gs_xfer_libraries_svr4(gs_session *s, char *a) {
  char *colon = strrchr(a, ':');
  uint64_t start, prev, r_debug, lm = 0;
  if (!colon) {
    gs_reply_error(s, 0x16);
    return;
  }
  *colon = 0;
  if (!parse_annex(a, &start, &prev)) {
    gs_reply_error(s, 0x16);
    return;
  }
  if (!r_debug_addr(s, &r_debug)) {
    gs_reply_error(s, 0x01);
    return;
  }
  uint32_t version = 0;
  if (start)
    lm = start;
  else if (r_debug && sse_read_memory(s->proc, r_debug, &version, 4, NULL) == SSE_OK &&
           version >= 1)
    read_u64(s, r_debug + 8, &lm); /* r_map */
  char *doc = NULL;
  size_t dl = 0;
  FILE *m = open_memstream(&doc, &dl);
  if (!m) {
    gs_reply_error(s, 0x0c);
    return;
  }
  fputs("<library-list-svr4 version=\"1.0\"", m);
  put_chain(s, m, lm, start ? prev : 0);
  fputs("</library-list-svr4>", m);
  fclose(m);
  gs_reply_xfer(s, doc, dl, colon + 1);
  free(doc);
}
