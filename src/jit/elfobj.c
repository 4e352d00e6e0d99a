/* GDB JIT interface (issue 6): the in-memory ELF objects registered through
 * __jit_debug_register_code, as libdwfl modules of the process's symtab
 * (through its reporter interface, symtab.h).
 *
 * Each object is copied into a memfd and reported once with
 * dwfl_report_elf (base 0: the object is linked at its run address).
 * libdwfl owns a dup of the memfd from then on. Every later refresh
 * re-reports it with dwfl_report_module under the same name and range,
 * which keeps the existing Dwfl_Module with its ELF and DWARF (a second
 * dwfl_report_elf with another fd would be refused as an overlap).
 *
 * Identity: the module's file name is unique per registration
 * ("<jit@0xADDR#N>", N from a global counter), so the modcache, which keys
 * modules without a build ID by file name, size and mtime, never confuses
 * two objects; objects with a build ID share entries by build ID as usual.
 *
 * The list is changed and read only with the symtab's mutex held (inside
 * sse__symtab_update, and in the reporter the symtab calls). */
#define _GNU_SOURCE
#include <elf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "jit/jitproc.h"

typedef struct jitmod {
  struct jitmod *next;
  uint64_t key;    /* the jit_code_entry's address in the target */
  int memfd;       /* our copy of the object */
  char *name;      /* module and file name, unique */
  uint64_t lo, hi; /* as first reported */
} jitmod;

struct sse__elfobjs {
  sse__symtab *st;
  jitmod *mods;
};

static atomic_uint g_jit_serial;

static void report(void *arg, Dwfl *dwfl) {
  sse__elfobjs *o = arg;
  for (jitmod *j = o->mods; j != NULL; j = j->next)
    dwfl_report_module(dwfl, j->name, j->lo, j->hi);
}

sse__elfobjs *sse__elfobjs_new(sse__symtab *st) {
  sse__elfobjs *o = calloc(1, sizeof *o);
  if (o == NULL)
    return NULL;
  o->st = st;
  sse__symtab_set_reporter(st, report, o);
  return o;
}

static void jitmod_free1(jitmod *j) {
  if (j->memfd >= 0)
    close(j->memfd);
  free(j->name);
  free(j);
}

static void free_list(jitmod *j) {
  while (j != NULL) {
    jitmod *n = j->next;
    jitmod_free1(j);
    j = n;
  }
}

void sse__elfobjs_free(sse__elfobjs *o) {
  if (o == NULL)
    return;
  sse__symtab_set_reporter(o->st, NULL, NULL);
  free_list(o->mods);
  free(o);
}

/* A memfd holding a copy of image, in a new entry for key: 0, or -ENOMEM,
 * -EIO. */
static int copy_object(uint64_t key, const void *image, size_t size, jitmod **out) {
  jitmod *j = calloc(1, sizeof *j);
  if (j == NULL)
    return -ENOMEM;
  j->key = key;
  j->memfd = memfd_create("sse-gdbjit", MFD_CLOEXEC);
  if (j->memfd < 0 || asprintf(&j->name, "<jit@0x%llx#%u>", (unsigned long long)key,
                               atomic_fetch_add(&g_jit_serial, 1) + 1) < 0) {
    j->name = NULL;
    jitmod_free1(j);
    return -ENOMEM;
  }
  const unsigned char *b = image;
  for (size_t off = 0; off < size;) {
    ssize_t w = write(j->memfd, b + off, size - off);
    if (w <= 0) {
      jitmod_free1(j);
      return -EIO;
    }
    off += (size_t)w;
  }
  *out = j;
  return 0;
}

typedef struct add_req {
  sse__elfobjs *o;
  jitmod *j; /* NULL once linked in */
  int fd;    /* -1 once libdwfl's */
  uint64_t base; /* dwfl_report_elf's base */
  int rc;
} add_req;

/* Where libdwfl is to put an object. An executable or shared object is
 * linked at its run address (base 0). A relocatable one (LLVM's
 * RuntimeDyld and JITLink hand gdb those) has each allocated section's
 * sh_addr set to where that section was loaded, in allocations of their
 * own; libdwfl lays an ET_REL out from the base it is given, keeping the
 * sections' distances when they have addresses: the base is then the
 * lowest of them, and every section lands where it was loaded (the DWARF
 * is relocated against those addresses when it is read). */
int sse__elfobj_sections(const void *image, size_t size, sse__elfobj_section_fn *fn, void *arg) {
  const unsigned char *b = image;
  Elf64_Ehdr eh;
  if (size < sizeof eh)
    return -1;
  memcpy(&eh, b, sizeof eh);
  if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shoff > size ||
      eh.e_shnum > (size - eh.e_shoff) / sizeof(Elf64_Shdr))
    return -1;
  for (unsigned i = 0; i < eh.e_shnum; i++) {
    Elf64_Shdr sh;
    memcpy(&sh, b + eh.e_shoff + (size_t)i * sizeof sh, sizeof sh);
    fn(arg, &sh);
  }
  return eh.e_type;
}

static void lowest_alloc(void *arg, const Elf64_Shdr *sh) {
  uint64_t *lo = arg;
  if ((sh->sh_flags & SHF_ALLOC) && sh->sh_addr && sh->sh_size && sh->sh_addr < *lo)
    *lo = sh->sh_addr;
}

static uint64_t object_base(const unsigned char *b, size_t size) {
  uint64_t lo = UINT64_MAX;
  Elf64_Ehdr eh;
  memcpy(&eh, b, sizeof eh);
  if (eh.e_type != ET_REL || sse__elfobj_sections(b, size, lowest_alloc, &lo) != ET_REL)
    return 0;
  return lo == UINT64_MAX ? 0 : lo;
}

static int add_locked(void *arg, Dwfl *dwfl) {
  add_req *r = arg;
  for (jitmod *o = r->o->mods; o != NULL; o = o->next)
    if (o->key == r->j->key) {
      r->rc = -EEXIST; /* registered already (a second look at the same event) */
      return 0;
    }
  dwfl_report_begin_add(dwfl);
  Dwfl_Module *m = dwfl_report_elf(dwfl, r->j->name, r->j->name, r->fd, r->base, true);
  if (m != NULL) {
    Dwarf_Addr lo = 0, hi = 0;
    dwfl_module_info(m, NULL, &lo, &hi, NULL, NULL, NULL, NULL);
    r->j->lo = lo;
    r->j->hi = hi;
    r->fd = -1; /* libdwfl's now */
  }
  dwfl_report_end(dwfl, NULL, NULL);
  if (m == NULL || r->j->hi <= r->j->lo)
    return 0;
  r->j->next = r->o->mods;
  r->o->mods = r->j;
  r->j = NULL;
  r->rc = 0;
  return 1;
}

int sse__elfobjs_add(sse__elfobjs *o, uint64_t key, const void *image, size_t size) {
  if (o == NULL || image == NULL || size < sizeof(Elf64_Ehdr) || size > SSE__ELFOBJ_MAX)
    return -EINVAL;
  const unsigned char *b = image;
  if (memcmp(b, ELFMAG, SELFMAG) != 0 || b[EI_CLASS] != ELFCLASS64)
    return -EINVAL;
  jitmod *j = NULL;
  int rc = copy_object(key, image, size, &j);
  if (rc != 0)
    return rc;
  add_req r = {.o = o, .j = j, .fd = dup(j->memfd), .base = object_base(b, size),
               .rc = -EINVAL};
  if (r.fd < 0) {
    jitmod_free1(j);
    return -EMFILE;
  }
  sse__symtab_update(o->st, add_locked, &r);
  if (r.fd >= 0)
    close(r.fd);
  if (r.j != NULL)
    jitmod_free1(r.j);
  return r.rc;
}

typedef struct remove_req {
  sse__elfobjs *o;
  uint64_t key;
  jitmod *j; /* the entry taken out */
} remove_req;

/* Not re-reported from now on: the refresh drops the module. */
static int remove_locked(void *arg, Dwfl *dwfl) {
  (void)dwfl;
  remove_req *r = arg;
  for (jitmod **pp = &r->o->mods; *pp != NULL; pp = &(*pp)->next)
    if ((*pp)->key == r->key) {
      r->j = *pp;
      *pp = r->j->next;
      return 1;
    }
  return 0;
}

int sse__elfobjs_remove(sse__elfobjs *o, uint64_t key) {
  if (o == NULL)
    return -1;
  remove_req r = {o, key, NULL};
  sse__symtab_update(o->st, remove_locked, &r);
  if (r.j == NULL)
    return -1;
  jitmod_free1(r.j);
  return 0;
}

static int clear_locked(void *arg, Dwfl *dwfl) {
  (void)dwfl;
  sse__elfobjs *o = arg;
  bool any = o->mods != NULL;
  free_list(o->mods);
  o->mods = NULL;
  return any;
}

void sse__elfobjs_clear(sse__elfobjs *o) {
  if (o != NULL)
    sse__symtab_update(o->st, clear_locked, o);
}
