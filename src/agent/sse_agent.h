/* sse_agent.h -- tell the sse debugger about code generated at run time.
 *
 * A JIT links libsseagent (static or shared) and calls sse_agent_register()
 * for every code region it makes and sse_agent_unregister() when it frees
 * one. A debugger that speaks the protocol (sse) then names those regions in
 * backtraces, resolves breakpoints by their names and maps their pcs to the
 * line tables given here.
 *
 * Thread: every function here is safe to call from any thread, at any time
 * after the library is loaded. The agent keeps one mutex; no call here holds
 * it while calling back into the program.
 *
 * Cost: nothing until the first sse_agent_register(). That call starts one
 * helper thread, named "sse-jit-helper", which sleeps on a condition
 * variable. A program that is not being debugged pays for that idle thread,
 * a mutex per register/unregister and the copy of the name and line table.
 *
 * Errors: functions that can fail return 0 or a negated errno value
 * (-EINVAL, -ENOMEM, -ENOENT, -EAGAIN), as libuv does.
 *
 * Versions with the same SSE_AGENT_VERSION speak the same protocol; the
 * descriptor and blob layouts below are the ABI between a program and the
 * debugger and only ever grow at their ends, under a new version.
 */
#ifndef SSE_AGENT_H
#define SSE_AGENT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SSE_AGENT_API __attribute__((visibility("default")))
#else
#define SSE_AGENT_API
#endif

#define SSE_AGENT_VERSION 1

/* ------------------------------------------------------------------------ */
/* API for JIT authors                                                      */
/* ------------------------------------------------------------------------ */

/* One row of a line table: code at addr (and up to the next row's addr, or
 * the region's end) comes from line `line` of `file`. `file` may be NULL
 * (no file known); it is copied. */
typedef struct sse_agent_line {
  uint64_t addr;
  uint32_t line;
  const char *file;
} sse_agent_line;

/* Registers the code region [start, start + size) under `name`.
 *
 * - size must be > 0 and start + size must not wrap.
 * - name must not be NULL; it is copied (any length, any bytes but NUL).
 * - lines/nlines: an optional line table (lines may be NULL when nlines is
 *   0). Every addr must lie inside the region; the rows may come in any
 *   order (they are sorted by addr, stably). Everything is copied.
 * - *handle receives a nonzero id for sse_agent_unregister(); must not be
 *   NULL.
 *
 * Regions should not overlap; the agent does not check (the debugger
 * returns the innermost-starting region containing a pc).
 *
 * When a debugger has asked for synchronous updates (SSE_AGENT_DEBUGGER_SYNC)
 * the call returns only once the debugger has copied the new table, so a
 * breakpoint pending on `name` is in place before the code can run.
 *
 * Returns 0, -EINVAL (bad argument), -ENOMEM (out of memory, or the tables
 * would pass 4 GiB), -EAGAIN (the helper thread could not be started; the
 * region is not registered). */
SSE_AGENT_API int sse_agent_register(uint64_t start, uint64_t size,
                                     const char *name,
                                     const sse_agent_line *lines,
                                     size_t nlines, uint64_t *handle);

/* Removes the region registered under `handle`. Returns 0 or -ENOENT (no
 * such handle: never registered, or already unregistered). */
SSE_AGENT_API int sse_agent_unregister(uint64_t handle);

/* The generation counter: 0 before the first change, then bumped by one on
 * every successful register and unregister. */
SSE_AGENT_API uint64_t sse_agent_generation(void);

/* The function the helper thread calls, with the agent's mutex held, each
 * time the tables may have changed. It does nothing; a debugger puts a
 * (hardware, helper-thread-only) breakpoint on it and copies the blobs while
 * the helper is stopped there. Never inlined, never removed, never cloned, so
 * the symbol `sse_agent_checkpoint` is the address every call goes to. Not
 * meant to be called by the program (doing so is harmless). */
SSE_AGENT_API void sse_agent_checkpoint(void)
#if defined(__GNUC__)
    __attribute__((noinline, used))
#endif
    ;

/* ------------------------------------------------------------------------ */
/* The protocol (for debuggers)                                             */
/* ------------------------------------------------------------------------ */

#define SSE_AGENT_FOURCC(a, b, c, d)                                    \
  ((uint32_t)(uint8_t)(a) | (uint32_t)(uint8_t)(b) << 8 |               \
   (uint32_t)(uint8_t)(c) << 16 | (uint32_t)(uint8_t)(d) << 24)

/* Magic numbers read as bytes in memory: "SSEJ", "SJRC", "SJST", "SJLN". */
#define SSE_AGENT_MAGIC SSE_AGENT_FOURCC('S', 'S', 'E', 'J')
#define SSE_AGENT_REC_MAGIC SSE_AGENT_FOURCC('S', 'J', 'R', 'C')
#define SSE_AGENT_STR_MAGIC SSE_AGENT_FOURCC('S', 'J', 'S', 'T')
#define SSE_AGENT_LINE_MAGIC SSE_AGENT_FOURCC('S', 'J', 'L', 'N')

/* Index of each blob in sse_agent_descriptor.blobs[]. */
#define SSE_AGENT_BLOB_RECORDS 0
#define SSE_AGENT_BLOB_STRINGS 1
#define SSE_AGENT_BLOB_LINES 2
#define SSE_AGENT_MAX_BLOBS 4

/* Bits of sse_agent_descriptor.debugger_flags (written by the debugger). */
#define SSE_AGENT_DEBUGGER_SYNC 1u /* register/unregister wait for the copy */

/* Where a blob is, in the program's address space. */
struct sse_agent_blob_ref {
  uint64_t addr;       /* start of the blob (its header); 0 if none yet */
  uint64_t size;       /* bytes in use, == the header's length */
  uint64_t generation; /* the generation that last changed this blob */
};

/* The debugger finds this object by the exported symbol
 * `sse_agent_descriptor` (one per process: link the agent once).
 *
 * Who writes what:
 * - The agent writes every field but the debugger_* ones, always with its
 *   mutex held and `updating` set while blobs are half-changed.
 * - The debugger writes only debugger_generation, debugger_pid and
 *   debugger_flags (PTRACE_POKEDATA or process_vm_writev).
 *
 * Reading consistently: the blobs and this descriptor are consistent
 * (1) whenever the helper thread is stopped at sse_agent_checkpoint (it holds
 *     the mutex there), or
 * (2) whenever every thread of the program is stopped and `updating` is 0
 *     (e.g. right after attaching). The writer orders its stores around
 *     `updating` as seen from its own thread (a ptrace stop drains them).
 *
 * The debugger's side of the protocol:
 * 1. On finding the descriptor (all threads stopped), write debugger_pid
 *    (the debugger's pid, nonzero) and, if wanted, debugger_flags. If
 *    `updating` is 0, copy what (2) allows and write debugger_generation.
 * 2. Take over the helper thread (tid in helper_tid, 0 until the first
 *    register) and put a breakpoint on sse_agent_checkpoint for it only.
 * 3. Each time the helper stops there: for each blob whose generation
 *    differs from the copy's, copy it whole (`size` bytes from `addr`); set
 *    pending breakpoints; write debugger_generation = generation; resume.
 * 4. Before detaching write debugger_pid = 0.
 *
 * While debugger_pid != 0, debugger_generation != generation, and the
 * program is traced (TracerPid, checked once per new generation and every
 * 64 rounds), the helper does not sleep: it calls sse_agent_checkpoint
 * again and again (yielding the mutex between rounds), so a generation made
 * while the helper belongs to no tracer (a hand-over) is still delivered.
 * With debugger_pid == 0 (no debugger, or gdb/strace, which know nothing of
 * this) the helper sleeps until the next change and never reads /proc. */
struct sse_agent_descriptor {
  uint32_t magic;                        /* SSE_AGENT_MAGIC ("SSEJ") */
  uint32_t version;                      /* SSE_AGENT_VERSION */
  uint64_t generation;                   /* bumped on every change */
  volatile uint64_t debugger_generation; /* debugger: last copied */
  uint32_t nblobs;                       /* blobs[] in use (3, or 0) */
  volatile uint32_t updating;            /* nonzero: a writer is mid-change */
  struct sse_agent_blob_ref blobs[SSE_AGENT_MAX_BLOBS];
  int32_t helper_tid;                    /* helper thread's tid, 0 if none */
  volatile int32_t debugger_pid;         /* debugger: nonzero while following */
  volatile uint32_t debugger_flags;      /* debugger: SSE_AGENT_DEBUGGER_* */
  uint32_t reserved0;
  uint64_t checkpoint_addr;              /* &sse_agent_checkpoint */
  uint64_t reserved[4];
};

SSE_AGENT_API extern struct sse_agent_descriptor sse_agent_descriptor;

/* Blob layout (all little-endian, x86_64; offsets in bytes from the start
 * of the blob). Every blob starts with this 16-byte header: */
struct sse_agent_blob_header {
  uint32_t magic;   /* SSE_AGENT_{REC,STR,LINE}_MAGIC */
  uint16_t version; /* SSE_AGENT_VERSION */
  uint16_t entsize; /* 40 records, 1 strings, 16 lines */
  uint32_t length;  /* bytes in use, header included */
  uint32_t count;   /* records / strings / line rows */
};

/* Records blob: header, then `count` of these, in no particular order.
 * length == 16 + count * 40. */
struct sse_agent_record {
  uint64_t start;      /* region [start, start + size) */
  uint64_t size;       /* > 0, start + size does not wrap */
  uint64_t id;         /* the handle; unique, never reused */
  uint32_t name;       /* offset of a NUL-terminated string in the strings blob */
  uint32_t line_first; /* first row of its line table in the lines blob */
  uint32_t line_count; /* rows (0: no line table), sorted by addr */
  uint32_t flags;      /* 0 */
};

/* Lines blob: header, then `count` rows. length == 16 + count * 16. Rows
 * not referenced by any record are garbage (left by unregister). */
struct sse_agent_line_row {
  uint64_t addr; /* inside its record's region */
  uint32_t line;
  uint32_t file; /* string offset, 0 = no file */
};

/* Strings blob: header, then NUL-terminated strings. A string offset is
 * counted from the start of the blob, so valid ones are >= 16 and 0 means
 * "none". Strings of unregistered records remain as garbage until the agent
 * compacts (which rewrites strings and lines together). */

#ifdef __cplusplus
}
#endif

#endif /* SSE_AGENT_H */
