#!/usr/bin/env python3
"""bench_fleet.py: N devices against one broker (figures only).

Starts one mosquitto and N daemons, each with its own cellgate-modemsim and
device id fleetNNN, all with cloud.enable=on.  Once every link is up, one
command is published on the fleet topic cellgate/all/cmd and the time to
the last of the N replies is measured, with the CPU time (user+system,
from /proc/PID/stat) the broker and the daemons used from the broadcast
to the last reply, and the daemons' mean RSS.

    bench/bench_fleet.py [--builddir DIR] [-n N] [--rounds R]
"""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))

ADMIN = "Adm1n-pw"
TICK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid):
    with open("/proc/%d/stat" % pid) as f:
        f = f.read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / TICK


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--builddir", default=os.environ.get("CG_BUILDDIR",
                                                         os.getcwd()))
    ap.add_argument("-n", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    os.environ["CG_BUILDDIR"] = os.path.abspath(a.builddir)
    import cgtest
    from modemsim import Sim
    from mqtt_util import Broker, Client
    cgtest.CELLGATED = os.path.join(a.builddir, "cellgated")
    cgtest.CELLGATECTL = os.path.join(a.builddir, "cellgatectl")

    ids = ["fleet%03d" % i for i in range(a.n)]
    first = cgtest.Daemon(log_level="warning")
    users = {i: "pw-" + i for i in ids}
    users["obs"] = "obs-pw"
    b = Broker(first.dir, users).start()
    devs = []
    t_start = time.monotonic()
    try:
        for i, dev in enumerate(ids):
            d = first if i == 0 else cgtest.Daemon(log_level="warning")
            sim = Sim.start(a.builddir, "generic", d.dir, verbose=False)
            d.write_conf('modem = { device = "%s"; };\n'
                         'cloud = { id = "%s"; password = "pw-%s";'
                         ' enable = true; server = "127.0.0.1:%d"; };\n'
                         % (sim.link, dev, dev, b.port))
            d.start()
            d.ctl("passwd", "admin", input=ADMIN + "\n")
            devs.append((d, sim))
        for d, _ in devs:
            cgtest.wait_for(lambda: d.ctl_json("status")["cloud"]["state"]
                            == "up", 120, "link up")
        t_up = time.monotonic() - t_start
        obs = Client(b.port, "obs", "obs-pw", client_id="obs")
        obs.subscribe("cellgate/+/reply")
        rounds = []
        for r in range(a.rounds):
            corr = "fleet-%d" % r
            c0 = {d.proc.pid: cpu_s(d.proc.pid) for d, _ in devs}
            b0 = cpu_s(b.proc.pid)
            t0 = time.monotonic()
            obs.publish("cellgate/all/cmd", "%s#AT+CLOUDID?" % ADMIN,
                        corr=corr)
            seen = set()

            def all_replied():
                obs.pump()
                for m in list(obs.msgs):
                    obs.msgs.remove(m)
                    p = json.loads(m[1])
                    if p.get("request") == corr:
                        seen.add(m[0])
                return len(seen) >= len(devs)
            cgtest.wait_for(all_replied, 120, "all replies", interval=0.001)
            dt = time.monotonic() - t0
            dcpu = sum(cpu_s(d.proc.pid) - c0[d.proc.pid] for d, _ in devs)
            bcpu = cpu_s(b.proc.pid) - b0
            rounds.append(dict(last_reply_ms=round(dt * 1000, 1),
                               broker_cpu_ms=round(bcpu * 1000, 1),
                               daemons_cpu_ms=round(dcpu * 1000, 1)))
        obs.close()
        print(json.dumps(dict(
            n=len(devs), all_links_up_s=round(t_up, 1), rounds=rounds,
            clock_tick_ms=round(1000 / TICK, 1),
            daemon_rss_mean_kb=round(sum(rss_kb(d.proc.pid)
                                         for d, _ in devs) / len(devs)),
            broker_rss_kb=rss_kb(b.proc.pid)), indent=2))
    finally:
        for d, sim in devs:
            d.stop()
            sim.stop()
            d.cleanup()
        b.stop()
        if not devs:
            first.cleanup()


if __name__ == "__main__":
    main()
