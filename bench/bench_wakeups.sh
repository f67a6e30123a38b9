#!/bin/sh
# bench_wakeups.sh: idle wakeups a minute of cellgated with and without
# the MQTT link, beside smstools3 and gammu-smsd where installed.  Run
# from the build directory (or pass --builddir); --seconds N sets the
# window (default 180).
here=$(dirname "$0")
exec python3 "$here/bench_wakeups.py" "$@"
