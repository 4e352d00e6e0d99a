#!/bin/sh
# Installs the Debian packages sse needs to build, test and run its demo.
# Called by the Makefile before any build. As root it runs apt-get itself;
# otherwise it prints the exact command and fails.
set -e
PKGS="libdw-dev libelf-dev libunwind-dev libcapstone-dev libcriterion-dev \
pkg-config gdb libc6-dbg libreadline-dev tmux libclang-rt-14-dev clang clang-14 g++"
# ssedap: jansson; its tests run under node with npm's packages; bench/dap
# compares with lldb-vscode-14. A node that is there already (with its npm)
# is taken as it is.
PKGS="$PKGS libjansson-dev lldb-14"
command -v node >/dev/null 2>&1 || PKGS="$PKGS nodejs"
command -v npm >/dev/null 2>&1 || PKGS="$PKGS npm"
# LLVM's JIT for the lli tests (issue 14): lli-14.
PKGS="$PKGS llvm-14"
# sse-gdbserver: LLDB drives it in its tests; bench/remote compares with
# gdbserver.
PKGS="$PKGS gdbserver"
# clang's LTO test targets link with lld.
PKGS="$PKGS lld"
# The symbol index's debuginfod support and its test (issue 17): the client
# library (libdwfl downloads through it) and the server.
PKGS="$PKGS libdebuginfod-dev debuginfod"
missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "sse: missing packages:$missing" >&2
  echo "sse: run as root:  apt-get update && apt-get install -y$missing" >&2
  exit 1
fi
echo "sse: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends $missing >/dev/null 2>&1 || {
  apt-get update >/dev/null 2>&1
  apt-get install -y --no-install-recommends $missing
}
