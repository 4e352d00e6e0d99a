/* GDB JIT interface (issue 6), read by the tracer like the rendezvous: the
 * program defines
 *   struct jit_code_entry { next, prev; const char *symfile_addr;
 *                           uint64_t symfile_size; };
 *   struct jit_descriptor { uint32_t version; uint32_t action_flag;
 *                           jit_code_entry *relevant_entry, *first_entry; };
 *   jit_descriptor __jit_debug_descriptor = {1, 0, 0, 0};
 *   void __jit_debug_register_code(void) {}   (noinline)
 * and calls __jit_debug_register_code after linking an entry in
 * (action 1, JIT_REGISTER_FN) or before taking one out (action 2,
 * JIT_UNREGISTER_FN), relevant_entry pointing at it. Our int3 sits at the
 * function's entry; each hit reads the descriptor and the entry, and the
 * in-memory ELF object (linked at its run address) becomes a module of the
 * process's symtab (elfobj.c), so symbols, lines, breakpoints
 * (pending ones by name), stepping and backtraces work there as anywhere.
 * Entries present when the interface is found (attach) are walked from
 * first_entry. Everything read from the target is bounds-checked: objects
 * of at most SSE__ELFOBJ_MAX bytes, at most GDBJIT_MAX_ENTRIES entries
 * walked (a cycle ends the walk). */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "jit/jitproc.h"
#include "unwind/unwind.h"

struct gdbjit_entry {
  uint64_t next, prev, symfile_addr, symfile_size;
};
struct gdbjit_desc {
  uint32_t version, action_flag;
  uint64_t relevant_entry, first_entry;
};
#define GDBJIT_MAX_ENTRIES 4096u

typedef struct live_req {
  sse_process *p;
  unsigned char *image;
  size_t size;
} live_req;

/* A relocatable object's allocated section as the JIT loaded it: its
 * bytes at sh_addr are relocated (calls, .eh_frame's pc-relative
 * pointers), the object's own copy is not. */
static void live_section(void *arg, const Elf64_Shdr *sh) {
  live_req *r = arg;
  if (!(sh->sh_flags & SHF_ALLOC) || sh->sh_type == SHT_NOBITS || !sh->sh_addr || !sh->sh_size ||
      sh->sh_offset > r->size || sh->sh_size > r->size - sh->sh_offset)
    return;
  unsigned char *copy = malloc(sh->sh_size);
  if (copy && sse__mem_read(r->p, sh->sh_addr, copy, sh->sh_size, NULL) == SSE_OK)
    memcpy(r->image + sh->sh_offset, copy, sh->sh_size);
  free(copy);
}

/* Copy the object of the entry at ea into the symtab. true if added. */
static bool gdbjit_add(sse_process *p, uint64_t ea) {
  struct gdbjit_entry e;
  if (!ea || sse__mem_read(p, ea, &e, sizeof e, NULL) != SSE_OK) return false;
  if (e.symfile_size < 64 || e.symfile_size > SSE__ELFOBJ_MAX || !e.symfile_addr ||
      e.symfile_addr + e.symfile_size < e.symfile_addr)
    return false;
  void *buf = malloc(e.symfile_size);
  if (!buf) return false;
  sse__jitproc *j = p->jit;
  if (!j->objs) j->objs = sse__elfobjs_new(p->symtab);
  bool ok = j->objs && sse__mem_read(p, e.symfile_addr, buf, e.symfile_size, NULL) == SSE_OK;
  live_req lr = {p, buf, e.symfile_size};
  Elf64_Ehdr eh;
  memcpy(&eh, buf, sizeof eh);
  if (ok && eh.e_type == ET_REL)
    sse__elfobj_sections(buf, e.symfile_size, live_section, &lr);
  ok = ok && sse__elfobjs_add(j->objs, ea, buf, e.symfile_size) == 0;
  free(buf);
  return ok;
}

/* Modules changed under us: what depends on them follows. */
static void gdbjit_changed(sse_process *p) {
  sse__mem_code_changed(p, 0, UINT64_MAX);
  sse__unwind_flush(p);
  sse__jit_host_get()->symbols_changed(p);
}

void sse__jit_gdb_discover(sse_process *p) {
  sse__jitproc *j = p->jit;
  uint64_t d, f;
  if (!sse__jit_find(p, "__jit_debug_descriptor", &d, "__jit_debug_register_code", &f)) return;
  if (sse__jit_host_get()->site_add(p, f) != SSE_OK) return;
  j->gdb_desc = d;
  j->gdb_brk = f;
  j->gdb_site = true;
  /* Entries registered before we came (attach). */
  struct gdbjit_desc desc;
  if (sse__mem_read(p, d, &desc, sizeof desc, NULL) != SSE_OK) return;
  bool any = false;
  uint64_t ea = desc.first_entry;
  for (unsigned n = 0; ea && n < GDBJIT_MAX_ENTRIES; n++) {
    struct gdbjit_entry e;
    if (sse__mem_read(p, ea, &e, sizeof e, NULL) != SSE_OK) break;
    if (gdbjit_add(p, ea)) any = true;
    if (e.next == ea) break;
    ea = e.next;
  }
  if (any) gdbjit_changed(p);
}

bool sse__proc_is_jitbrk(sse_process *p, uint64_t pc) {
  sse__jitproc *j = p->jit;
  if (!j || !j->gdb_site || pc != j->gdb_brk || p->exited || !p->symtab) return false;
  struct gdbjit_desc desc;
  if (sse__mem_read(p, j->gdb_desc, &desc, sizeof desc, NULL) != SSE_OK) return true;
  bool changed = false;
  if (desc.action_flag == 1)
    changed = gdbjit_add(p, desc.relevant_entry);
  else if (desc.action_flag == 2)
    changed = sse__elfobjs_remove(j->objs, desc.relevant_entry) == 0;
  if (changed) {
    sse__jit_host_get()->modules_changed(p);
    gdbjit_changed(p);
  }
  return true;
}
