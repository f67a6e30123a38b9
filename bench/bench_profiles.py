#!/usr/bin/env python3
"""bench_profiles.py: the bring-up and idle cost of cellgated on every
cellgate-modemsim profile.

For each profile: the AT commands and round trips (command lines written;
one line may chain commands) and the time from the port opened to
`ready`, read from the daemon's debug log (its time stamps, its
"modem: > AT..." lines); the same up to the modem's data call being up
(data.mode modem, with credentials, so the vendor's authentication
dialect is part of it; the 2G profile has no data call); then the
daemon's wakeups (voluntary context switches, /proc/PID/status) and the
AT commands over an idle window (default 30 s, modem.signal_poll at its
default 60 s).  Not run by make check; prints figures, asserts nothing.

    bench/bench_profiles.sh [--seconds N] [--builddir DIR] [PROFILE...]
"""
import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))

PROFILES = ("generic", "sim800", "ec25", "e3372", "ublox")


def wakeups(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("voluntary_ctxt_switches:"):
                return int(line.split()[1])
    return 0


def stamp_ms(line):
    """Milliseconds of day of a log line ("03:30:06.481 info: ...")."""
    h, m, rest = line[:12].split(":")
    return (int(h) * 3600 + int(m) * 60) * 1000 + round(float(rest) * 1000)


def bring_up(log, until):
    """From the port opened to the first line containing `until`: (AT
    commands, round trips, milliseconds) from the daemon's debug log; a
    command line written is one round trip, chained ones count apart."""
    t0, cmds, trips = None, 0, 0
    for line in log.splitlines():
        if t0 is None:
            if "modem: opened " in line:
                t0 = stamp_ms(line)
            continue
        if " modem: > " in line:
            trips += 1
            cmds += line.count(";") + 1
        if until in line:
            return cmds, trips, (stamp_ms(line) - t0) % 86400000
    return None


def one(profile, seconds, builddir):
    import cgtest
    from modemsim import Sim

    d = cgtest.Daemon()
    sim = Sim.start(builddir, profile, d.dir, verbose=False)
    try:
        d.write_conf('modem = { device = "%s"; };\ndata = { mode = "modem"; '
                     'apn = "internet.test"; user = "bench"; password = '
                     '"bench-pw"; auth = "PAP"; };\n' % sim.link)
        d.start()

        def state(section):
            return d.ctl_json("status")[section]["state"]
        cgtest.wait_for(lambda: state("modem") == "ready", 30, "ready")
        if profile != "sim800":
            cgtest.wait_for(lambda: state("data") == "up", 30, "data up")
        time.sleep(2)       # the answers to the last commands settle
        log = d.read_log()
        ready = bring_up(log, "-> ready")
        up = bring_up(log, "data: modem up") if profile != "sim800" \
            else None
        sim.clear()
        w0, i0 = wakeups(d.proc.pid), time.monotonic()
        time.sleep(seconds)     # the idle window being measured
        dt = time.monotonic() - i0
        w = wakeups(d.proc.pid) - w0
        idle = sim.commands()
        print("%-8s %3d / %3d / %4d ms | %s | %5.1f /min | %4.1f /min (%s)"
              % (profile, ready[0], ready[1], ready[2],
                 "%3d / %3d / %4d ms" % up if up else "no data call (2G)",
                 w * 60.0 / dt, len(idle) * 60.0 / dt,
                 " ".join(sorted(set(idle))) or "-"))
    finally:
        d.stop()
        sim.stop()
        d.cleanup()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--builddir", default=os.environ.get("CG_BUILDDIR",
                                                         os.getcwd()))
    ap.add_argument("profiles", nargs="*", default=PROFILES)
    a = ap.parse_args()
    a.builddir = os.path.abspath(a.builddir)
    os.environ["CG_BUILDDIR"] = a.builddir
    import cgtest
    cgtest.CELLGATED = os.path.join(a.builddir, "cellgated")
    cgtest.CELLGATECTL = os.path.join(a.builddir, "cellgatectl")
    print("idle window %.0f s; the daemon at log level debug (the log "
          "gives the figures)" % a.seconds)
    print("profile  to ready: commands / round trips / time | to data up: "
          "the same | idle wakeups | idle AT commands")
    for p in a.profiles:
        one(p, a.seconds, a.builddir)


if __name__ == "__main__":
    main()
