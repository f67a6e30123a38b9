#!/usr/bin/env python3
"""bench_wakeups.py: how often an idle SMS gateway wakes the CPU.

With cellgate-modemsim as the modem (profile generic, ready), over a
window (default 180 s: three of the modem's signal polls, so that one
wakeup more or less moves the figure by a third, not by one) counts the
voluntary context switches of every thread of the program's process tree
(/proc/PID/task/TID/status: each one is a sleep that ended, a wakeup),
and prints them per minute:

  - cellgated, data.mode os (the uplink watched through rtnetlink),
    without the MQTT link;
  - cellgated with the MQTT link up and idle against a local mosquitto
    (cloud.keepalive at its default, 10 minutes);
  - smstools3's smsd and gammu-smsd against the same simulator, when they
    are installed (Debian packages smstools, gammu-smsd); otherwise the
    line says so.

Not run by make check.  Run from the build directory (or --builddir).

    bench/bench_wakeups.sh [--seconds N] [--builddir DIR]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))


def tree(pid):
    """pid and its descendants."""
    kids = {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % p) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(p))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def switches(pid):
    """Voluntary switches of every thread of pid's process tree, by tid."""
    out = {}
    for p in tree(pid):
        try:
            tids = os.listdir("/proc/%d/task" % p)
        except OSError:
            continue
        for t in tids:
            try:
                with open("/proc/%d/task/%s/status" % (p, t)) as f:
                    for line in f:
                        if line.startswith("voluntary_ctxt_switches:"):
                            out[(p, t)] = int(line.split()[1])
            except OSError:
                pass
    return out


def measure(pid, seconds):
    s0 = switches(pid)
    t0 = time.monotonic()
    time.sleep(seconds)     # the idle window being measured
    dt = time.monotonic() - t0
    s1 = switches(pid)
    n = sum(v - s0.get(k, 0) for k, v in s1.items())
    return n * 60.0 / dt, len(s1)


# The link's retained status goes out at most every 10 s
# (CLOUD_STATUS_MIN_S in src/cloud/cloud_queue.c): the start-up's changes
# (the first signal reading, the SIM's numbers) go in one more publish
# that far after the link came up.  A window opened before it counts that
# publish and its PUBACK as idle wakeups.
QUIET_S = 12


def settle(pid, deadline_s=120):
    """Wait until pid's tree has not woken for QUIET_S seconds: no timer
    of the start-up (the status publish above) is still pending."""
    end = time.monotonic() + deadline_s
    last, since = switches(pid), time.monotonic()
    while time.monotonic() < end:
        time.sleep(0.5)
        now = switches(pid)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= QUIET_S:
            return
    sys.exit("bench_wakeups: the daemon never went quiet for %d s"
             % QUIET_S)


def show(name, rate, nthreads, note=""):
    print("%-44s %6.1f wakeups/min  (%d thread%s)%s" % (
        name, rate, nthreads, "" if nthreads == 1 else "s",
        "  " + note if note else ""))


def cellgated(builddir, seconds, cloud):
    import cgtest
    from modemsim import Sim
    d = cgtest.Daemon()
    sim = Sim.start(builddir, "generic", d.dir, verbose=False)
    broker = None
    try:
        extra = ""
        if cloud:
            from mqtt_util import Broker
            broker = Broker(d.dir, {"idle": "idle-pw"}).start()
            extra = ('cloud = { enable = true; id = "idle"; password = '
                     '"idle-pw"; server = "127.0.0.1:%d"; };\n'
                     % broker.port)
        d.write_conf('modem = { device = "%s"; };\n' % sim.link + extra)
        with open(d.conf) as f:
            text = f.read().replace('level = "debug"', 'level = "info"')
        with open(d.conf, "w") as f:
            f.write(text)
        d.start()
        cgtest.wait_for(lambda: d.ctl_json("status")["modem"]["state"]
                        == "ready", 30, "modem ready")
        if cloud:
            cgtest.wait_for(lambda: d.ctl_json("status")["cloud"]["state"]
                            == "up", 30, "cloud link up")
        settle(d.proc.pid)
        rate, n = measure(d.proc.pid, seconds)
        show("cellgated, MQTT link %s" % ("up (keepalive 10 min)"
                                          if cloud else "off"), rate, n)
    finally:
        d.stop()
        sim.stop()
        if broker is not None:
            broker.stop()
        d.cleanup()


def other(builddir, seconds, name, prog, setup):
    """Run prog (argv from setup(dir, pty)) against the simulator."""
    from modemsim import Sim
    if shutil.which(prog) is None:
        print("%-44s not installed (Debian package %s)" % (name, {
            "smsd": "smstools", "gammu-smsd": "gammu-smsd"}[prog]))
        return
    dirname = tempfile.mkdtemp(prefix="bench-wakeups-")
    sim = Sim.start(builddir, "generic", dirname, verbose=False)
    proc = None
    try:
        argv = setup(dirname, sim.link)
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        # settled once it has talked to the modem for a while
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(sim.commands()) < 3:
            time.sleep(0.2)
        time.sleep(10)
        if proc.poll() is not None:
            print("%-44s exited (%d) against the simulator" % (
                name, proc.returncode))
            return
        sim.clear()
        rate, n = measure(proc.pid, seconds)
        cmds = sim.commands()
        show(name, rate, n, "%d AT commands/min" %
             round(len(cmds) * 60.0 / seconds))
    finally:
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        sim.stop()
        shutil.rmtree(dirname, ignore_errors=True)


def smsd_setup(d, pty):
    for sub in ("outgoing", "checked", "incoming", "failed", "sent"):
        os.mkdir(os.path.join(d, sub))
    conf = os.path.join(d, "smsd.conf")
    with open(conf, "w") as f:
        f.write("devices = GSM1\nlogfile = %s/smsd.log\nloglevel = 5\n"
                "outgoing = %s/outgoing\nchecked = %s/checked\n"
                "incoming = %s/incoming\nfailed = %s/failed\n"
                "sent = %s/sent\ninfofile = %s/smsd.working\n"
                "pidfile = %s/smsd.pid\n\n[GSM1]\ndevice = %s\n"
                "incoming = yes\n" % ((d,) * 8 + (pty,)))
    return ["smsd", "-t", "-c", conf]


def gammu_setup(d, pty):
    for sub in ("in", "out", "sent", "err"):
        os.mkdir(os.path.join(d, sub))
    conf = os.path.join(d, "gammu-smsdrc")
    with open(conf, "w") as f:
        f.write("[gammu]\ndevice = %s\nconnection = at\n\n[smsd]\n"
                "service = files\nlogfile = %s/gammu.log\n"
                "inboxpath = %s/in/\noutboxpath = %s/out/\n"
                "sentsmspath = %s/sent/\nerrorsmspath = %s/err/\n"
                % ((pty,) + (d,) * 5))
    return ["gammu-smsd", "-c", conf]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=180.0)
    ap.add_argument("--builddir", default=os.environ.get("CG_BUILDDIR",
                                                         os.getcwd()))
    a = ap.parse_args()
    builddir = os.path.abspath(a.builddir)
    os.environ["CG_BUILDDIR"] = builddir
    import cgtest
    cgtest.CELLGATED = os.path.join(builddir, "cellgated")
    cgtest.CELLGATECTL = os.path.join(builddir, "cellgatectl")
    print("idle wakeups over %.0f s, modem ready (cellgate-modemsim, "
          "profile generic)" % a.seconds)
    cellgated(builddir, a.seconds, False)
    cellgated(builddir, a.seconds, True)
    other(builddir, a.seconds, "smstools3 smsd", "smsd", smsd_setup)
    other(builddir, a.seconds, "gammu-smsd", "gammu-smsd", gammu_setup)


if __name__ == "__main__":
    main()
