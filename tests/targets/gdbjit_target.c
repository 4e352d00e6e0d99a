/* A "JIT" that registers an in-memory ELF object (with DWARF) through the
 * GDB JIT interface: reads gdbjit_code.img (argv[1], else next to argv[0]),
 * maps its PT_LOAD segments at their linked addresses, registers a malloc'd
 * copy of the file as a jit_code_entry, calls jit_entry(3) there,
 * unregisters it, and exits 0 (1 if the result is wrong, 2 on setup
 * errors). With a second argument "wait" (attach tests) it writes one byte
 * to stdout once registered and calls jit_entry every millisecond for up to
 * 20 s before going on. */
#define _GNU_SOURCE
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* ---- the GDB JIT interface (gdb manual, "JIT Interface") ---- */
typedef enum { JIT_NOACTION = 0, JIT_REGISTER_FN, JIT_UNREGISTER_FN } jit_actions_t;

struct jit_code_entry {
  struct jit_code_entry *next_entry;
  struct jit_code_entry *prev_entry;
  const char *symfile_addr;
  uint64_t symfile_size;
};

struct jit_descriptor {
  uint32_t version;
  uint32_t action_flag; /* jit_actions_t */
  struct jit_code_entry *relevant_entry;
  struct jit_code_entry *first_entry;
};

void __attribute__((noinline)) __jit_debug_register_code(void) { __asm__ volatile("" ::: "memory"); }

struct jit_descriptor __jit_debug_descriptor = {1, 0, 0, 0};

static void jit_register(struct jit_code_entry *e) {
  e->prev_entry = NULL;
  e->next_entry = __jit_debug_descriptor.first_entry;
  if (e->next_entry) e->next_entry->prev_entry = e;
  __jit_debug_descriptor.first_entry = e;
  __jit_debug_descriptor.relevant_entry = e;
  __jit_debug_descriptor.action_flag = JIT_REGISTER_FN;
  __jit_debug_register_code();
}

static void jit_unregister(struct jit_code_entry *e) {
  if (e->prev_entry) e->prev_entry->next_entry = e->next_entry;
  else __jit_debug_descriptor.first_entry = e->next_entry;
  if (e->next_entry) e->next_entry->prev_entry = e->prev_entry;
  __jit_debug_descriptor.relevant_entry = e;
  __jit_debug_descriptor.action_flag = JIT_UNREGISTER_FN;
  __jit_debug_register_code();
}

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = n > 0 ? malloc((size_t)n) : NULL;
  if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
    free(b);
    b = NULL;
  }
  fclose(f);
  *len = (size_t)n;
  return b;
}

/* Map the image's PT_LOAD segments where they are linked. */
static int load_image(const char *img, size_t len) {
  const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
  if (len < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0) return -1;
  long pg = sysconf(_SC_PAGESIZE);
  for (int i = 0; i < eh->e_phnum; i++) {
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff + (size_t)i * eh->e_phentsize);
    if (ph->p_type != PT_LOAD || ph->p_memsz == 0) continue;
    uint64_t start = ph->p_vaddr & ~(uint64_t)(pg - 1);
    uint64_t end = (ph->p_vaddr + ph->p_memsz + pg - 1) & ~(uint64_t)(pg - 1);
    void *m = mmap((void *)start, end - start, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (m != (void *)start) return -1;
    if (ph->p_offset + ph->p_filesz > len) return -1;
    memcpy((void *)ph->p_vaddr, img + ph->p_offset, ph->p_filesz);
    int prot = (ph->p_flags & PF_R ? PROT_READ : 0) | (ph->p_flags & PF_W ? PROT_WRITE : 0) |
               (ph->p_flags & PF_X ? PROT_EXEC : 0);
    if (mprotect(m, end - start, prot) != 0) return -1;
  }
  return 0;
}

static uint64_t find_sym(const char *img, size_t len, const char *name) {
  const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
  const Elf64_Shdr *sh = (const Elf64_Shdr *)(img + eh->e_shoff);
  for (int i = 0; i < eh->e_shnum; i++) {
    if (sh[i].sh_type != SHT_SYMTAB) continue;
    const Elf64_Sym *s = (const Elf64_Sym *)(img + sh[i].sh_offset);
    const char *str = img + sh[sh[i].sh_link].sh_offset;
    for (size_t k = 0; k < sh[i].sh_size / sizeof *s; k++)
      if (strcmp(str + s[k].st_name, name) == 0) return s[k].st_value;
  }
  return 0;
}

int main(int argc, char **argv) {
  char path[4096];
  if (argc > 1) {
    snprintf(path, sizeof path, "%s", argv[1]);
  } else {
    snprintf(path, sizeof path, "%s", argv[0]);
    char *slash = strrchr(path, '/');
    snprintf(slash ? slash + 1 : path, sizeof path - (size_t)(slash ? slash + 1 - path : 0),
             "gdbjit_code.img");
  }
  size_t len = 0;
  char *img = read_file(path, &len);
  if (!img || load_image(img, len) != 0) return 2;
  uint64_t fn_addr = find_sym(img, len, "jit_entry");
  if (!fn_addr) return 2;
  struct jit_code_entry *entry = calloc(1, sizeof *entry);
  entry->symfile_addr = img;
  entry->symfile_size = len;
  jit_register(entry);
  int (*fn)(int) = (int (*)(int))(uintptr_t)fn_addr;
  if (argc > 2 && strcmp(argv[2], "wait") == 0) {
    if (write(1, "r", 1) != 1) return 2;
    for (int i = 0; i < 20000; i++) {
      fn(3);
      usleep(1000);
    }
  }
  int r = fn(3);
  jit_unregister(entry);
  free(entry);
  free(img);
  return r == 15 ? 0 : 1;
}
