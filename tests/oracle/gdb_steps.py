# gdb_steps.py -- gdb as the stepping / backtrace oracle for sse's tests.
#
#   gdb -batch -nx -ex 'set confirm off' -x tests/oracle/gdb_steps.py --args PROG ARGS...
#
# Parameters (environment):
#   ORACLE_START    location to break at first (gdb `break` syntax), default "main"
#   ORACLE_CMD      comma-separated gdb commands run in order, e.g. "step" or
#                   "step,step,finish,next" (any command: stepi, nexti, until N...)
#   ORACLE_COUNT    how many times to run the ORACLE_CMD list (default 1); stops
#                   early when the program exits
#   ORACLE_HANDLE   optional `handle` arguments; several separated by ';'
#                   e.g. "SIGUSR1 nostop noprint pass"
#   ORACLE_DEBUGDIR optional: debug-file-directory = DIR:/usr/lib/debug (the
#                   program's symbols are re-read so build-id lookup uses it)
#   ORACLE_BT=1     backtrace mode: at the ORACLE_START stop print every frame
#                   and exit
#   SSE_ORACLE_REMOTE=HOST:PORT  (not ORACLE_*: oracle.c passes the environment
#                   on without those) debug through a gdbserver there
#                   (`target remote`, then `continue` instead of `run`);
#                   PROG is the local copy of the program it runs
#
# Output on stdout, one line per stop (tab-separated), nothing else of gdb's
# (the inferior's stdin/stdout/stderr are /dev/null):
#   STOP  <function or ??>  <absolute file or ->  <line or 0>  <pc 0x...>
#   ERROR <gdb's message>          (a command failed, e.g. finish in main)
#   EXIT  <code>                   (exit status; -SIGNO when killed by a signal)
#   FRAME <level> <function> <file or -> <line> <pc> <kind>   (ORACLE_BT=1)
# <kind> is gdb's frame type: normal, inline, sigtramp, dummy, tailcall, ...
# A signal trampoline frame's function is "<signal handler called>" as in bt.
# Function names: the debuginfo function's name, else the ELF symbol (as gdb's
# bt prints it), else "??".
import os
import gdb

# Our lines go to a private duplicate of the original stdout; gdb's own fd 1
# is pointed at /dev/null, so stop banners and source lines gdb prints from
# its observers (which to_string does not capture) never reach the reader.
OUT = os.dup(1)  # Python makes it close-on-exec: the inferior won't inherit it
_null = os.open(os.devnull, os.O_WRONLY)
os.dup2(_null, 1)
os.close(_null)


def emit(*fields):
    os.write(OUT, ("\t".join(str(f) for f in fields) + "\n").encode("utf-8", "replace"))


def ex(cmd):
    return gdb.execute(cmd, to_string=True)


_exit = {"code": None}


def on_exited(ev):
    if hasattr(ev, "exit_code"):
        _exit["code"] = int(ev.exit_code)
    else:
        try:
            _exit["code"] = -int(gdb.parse_and_eval("$_exitsignal"))
        except gdb.error:
            _exit["code"] = -1


gdb.events.exited.connect(on_exited)

_last_stop = {"bp": False}


def on_stop(ev):
    _last_stop["bp"] = isinstance(ev, gdb.BreakpointEvent)


gdb.events.stop.connect(on_stop)


def alive():
    inf = gdb.selected_inferior()
    return inf is not None and inf.pid != 0 and len(inf.threads()) > 0


def func_name(frame):
    if frame.type() == gdb.SIGTRAMP_FRAME:
        return "<signal handler called>"
    fn = frame.function()
    if fn is not None:
        return fn.print_name
    n = frame.name()
    return n if n else "??"


KINDS = {}
for _k in ("NORMAL", "DUMMY", "INLINE", "TAILCALL", "SIGTRAMP", "ARCH", "SENTINEL"):
    if hasattr(gdb, _k + "_FRAME"):
        KINDS[getattr(gdb, _k + "_FRAME")] = _k.lower()


def where(frame):
    sal = frame.find_sal()
    f = "-"
    line = 0
    if sal is not None and sal.symtab is not None:
        try:
            f = sal.symtab.fullname()
        except Exception:
            f = sal.symtab.filename
        line = sal.line or 0
    return func_name(frame), f, line, "0x%x" % frame.pc()


def emit_stop():
    if not alive():
        emit("EXIT", _exit["code"] if _exit["code"] is not None else -1)
        return False
    emit("STOP", *where(gdb.selected_frame()))
    return True


def main():
    for c in ("set pagination off", "set startup-with-shell off",
              "set disable-randomization on", "set breakpoint pending on",
              "set width 0", "set height 0", "set print thread-events off",
              "set inferior-tty /dev/null"):
        ex(c)
    try:
        ex("set debuginfod enabled off")
    except gdb.error:
        pass
    ddir = os.environ.get("ORACLE_DEBUGDIR")
    if ddir:
        ex("set debug-file-directory %s:/usr/lib/debug" % ddir)
        prog = gdb.current_progspace().filename
        if prog:
            ex("file %s" % prog)  # re-read symbols with the new directory
    for h in filter(None, (s.strip() for s in os.environ.get("ORACLE_HANDLE", "").split(";"))):
        ex("handle " + h)
    start = os.environ.get("ORACLE_START", "main")
    remote = os.environ.get("SSE_ORACLE_REMOTE")
    if remote:
        ex("target remote " + remote)
    ex("break " + start)
    try:
        ex("continue" if remote else "run")
    except gdb.error:
        if alive():
            raise
    # The initial stop is the ORACLE_START breakpoint: a stop for a signal
    # before it (e.g. SIGUSR1 raised on the way) is continued past, the
    # signal passed as `handle` says.
    tries = 0
    while alive() and not _last_stop["bp"] and tries < 1000:
        tries += 1
        try:
            ex("continue")
        except gdb.error:
            if alive():
                raise
    if not alive():
        emit("ERROR", "start location %s not reached" % start)
    if os.environ.get("ORACLE_BT") == "1":
        if not alive():
            emit_stop()
            return
        fr = gdb.newest_frame()
        level = 0
        while fr is not None:
            name, f, line, pc = where(fr)
            emit("FRAME", level, name, f, line, pc, KINDS.get(fr.type(), "other"))
            level += 1
            fr = fr.older()
        ex("kill")
        return
    if not emit_stop():
        return
    cmds = [c.strip() for c in os.environ.get("ORACLE_CMD", "step").split(",") if c.strip()]
    count = int(os.environ.get("ORACLE_COUNT", "1"))
    for _ in range(count):
        for c in cmds:
            try:
                ex(c)
            except gdb.error as e:
                if not alive():
                    emit_stop()
                    return
                emit("ERROR", str(e).replace("\n", " ").replace("\t", " "))
                continue
            if not emit_stop():
                return
    if alive():
        ex("kill")


try:
    main()
except Exception as e:  # keep the protocol: one diagnostic line, then quit
    emit("ERROR", ("oracle: %s" % e).replace("\n", " ").replace("\t", " "))
