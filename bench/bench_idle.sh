#!/bin/sh
# bench_idle.sh: idle cost of cellgated with a (simulated) modem: AT
# commands and event-loop wakeups per minute, VmRSS/VmHWM.  Run from the
# build directory (or pass --builddir); --seconds N shortens the window.
here=$(dirname "$0")
exec python3 "$here/bench_idle.py" "$@"
