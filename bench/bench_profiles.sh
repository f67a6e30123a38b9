#!/bin/sh
# bench_profiles.sh: per simulator profile, AT commands, round trips and
# time from port open to ready and to the data call up, and the wakeups
# while idle.  Run from the build directory (or pass --builddir);
# --seconds N sets the idle window.
here=$(dirname "$0")
exec python3 "$here/bench_profiles.py" "$@"
