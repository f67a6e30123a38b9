#!/usr/bin/env python3
"""bench_idle.py: what an idle cellgated costs with a modem attached.

Starts cellgate-modemsim (a profile) and the daemon from a build tree,
waits until the modem is ready, then over a window (default 60 s) counts
the AT commands the simulator received and the daemon's context switches
(/proc/PID/status: each voluntary switch is a wakeup of the event loop),
and reports VmRSS and VmHWM.  Not run by make check.  With --cloud the
cloud link is up and idle against a local mosquitto (keepalive
--keepalive minutes, default 1: the smallest setting, so the window holds
pings; at the default 10 minutes there are ten times fewer).

    bench/bench_idle.sh [--seconds N] [--profile NAME] [--builddir DIR]
                        [--cloud [--keepalive MIN]]
"""
import argparse
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))


def proc_status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.strip()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--profile", default="generic")
    ap.add_argument("--cloud", action="store_true",
                    help="with the cloud link up and idle")
    ap.add_argument("--keepalive", type=int, default=1)
    ap.add_argument("--builddir", default=os.environ.get("CG_BUILDDIR",
                                                         os.getcwd()))
    a = ap.parse_args()
    os.environ["CG_BUILDDIR"] = os.path.abspath(a.builddir)
    import cgtest
    from modemsim import Sim
    cgtest.CELLGATED = os.path.join(a.builddir, "cellgated")
    cgtest.CELLGATECTL = os.path.join(a.builddir, "cellgatectl")

    d = cgtest.Daemon()
    sim = Sim.start(a.builddir, a.profile, d.dir, verbose=False)
    broker = None
    try:
        extra = ""
        if a.cloud:
            from mqtt_util import Broker
            broker = Broker(d.dir, {"idle": "idle-pw"}).start()
            extra = ('cloud = { enable = true; id = "idle"; password = '
                     '"idle-pw"; keepalive = %d; server = "127.0.0.1:%d"; '
                     '};\n' % (a.keepalive, broker.port))
        # info level: debug logging would be part of the cost measured
        d.write_conf('modem = { device = "%s"; };\n' % sim.link + extra)
        with open(d.conf) as f:
            text = f.read().replace('level = "debug"', 'level = "info"')
        with open(d.conf, "w") as f:
            f.write(text)
        d.start()
        cgtest.wait_for(lambda: d.ctl_json("status")["modem"]["state"]
                        == "ready", 20, "modem ready")
        if a.cloud:
            cgtest.wait_for(lambda: d.ctl_json("status")["cloud"]["state"]
                            == "up", 20, "cloud link up")
            time.sleep(3)   # the start events and status settle
        pid = d.proc.pid
        sim.clear()
        s0 = proc_status(pid)
        t0 = time.monotonic()
        time.sleep(a.seconds)   # the idle window being measured
        dt = time.monotonic() - t0
        s1 = proc_status(pid)
        cmds = sim.commands()
        vol = int(s1["voluntary_ctxt_switches"]) - \
            int(s0["voluntary_ctxt_switches"])
        nvol = int(s1["nonvoluntary_ctxt_switches"]) - \
            int(s0["nonvoluntary_ctxt_switches"])
        per_min = 60.0 / dt
        print("profile              %s" % a.profile)
        print("cloud link           %s" % ("up, idle, keepalive %d min"
                                           % a.keepalive if a.cloud
                                           else "off"))
        print("window               %.1f s" % dt)
        print("AT commands          %d (%.1f per minute): %s"
              % (len(cmds), len(cmds) * per_min, " ".join(cmds[:8])))
        print("wakeups (voluntary)  %d (%.1f per minute)"
              % (vol, vol * per_min))
        print("involuntary switches %d" % nvol)
        print("VmRSS                %s" % s1["VmRSS"])
        print("VmHWM                %s" % s1["VmHWM"])
        print("RssAnon / RssFile    %s / %s (private heap+stack / mapped "
              "libraries, mostly shared)" % (s1.get("RssAnon", "?"),
                                             s1.get("RssFile", "?")))
        print("for scale (issue): ModemManager, smstools3, gammu-smsd: "
              "10-11 MB RSS")
    finally:
        d.stop()
        sim.stop()
        if broker is not None:
            broker.stop()
        d.cleanup()


if __name__ == "__main__":
    main()
