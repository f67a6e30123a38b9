#!/usr/bin/env python3
"""bench_cloud.py: what the cloud link costs (figures only, no thresholds).

Starts a real mosquitto (password file; TLS listener with a CA made by
openssl), cellgate-modemsim and the daemon from a build tree, and reports:

  idle bytes    the MQTT link's bytes on the wire while idle, counted by a
                loopback TCP proxy between daemon and broker, plain and
                TLS.  The keepalive is 1 minute (the smallest setting) and
                the window a few intervals; the figure per day at the
                default 10 minutes is extrapolated (one PINGREQ/PINGRESP
                exchange per interval: 144 a day) and an on-wire estimate
                adds the TCP/IPv4 headers (52 bytes a segment with
                timestamps; per exchange: PINGREQ, PINGRESP carrying the
                ACK of the request, and the ACK of the response).
  round trip    cmd -> reply through the broker (N commands, one at a time);
                each carries the admin password, so each includes one
                yescrypt verification (the password hash is slow on
                purpose).  Also a Home Assistant switch (cloud.ha_control
                on, no password) -> the output written -> its event/io back
                through the broker: transport and loop latency, plus the
                SQLite commit (synchronous=FULL) of the event.
  memory        PSS and private dirty (smaps_rollup) with the TLS link up.
  wakeups       voluntary context switches of the daemon over the idle
                window (each is a wakeup of the event loop).

    bench/bench_cloud.py [--builddir DIR] [--intervals N] [--rtt N]
                         [--broker-nodelay]
"""
import argparse
import json
import os
import socket
import statistics
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))

ADMIN = "Adm1n-pw"


class CountingProxy:
    """Forwards one loopback port to another, counting bytes and reads."""

    def __init__(self, target_port):
        self.target = target_port
        self.ls = socket.socket()
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(4)
        self.port = self.ls.getsockname()[1]
        self.up = self.down = 0         # bytes daemon->broker, broker->daemon
        self.up_reads = self.down_reads = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def reset(self):
        with self.lock:
            self.up = self.down = self.up_reads = self.down_reads = 0

    def _accept(self):
        while True:
            c, _ = self.ls.accept()
            s = socket.create_connection(("127.0.0.1", self.target))
            for x in (c, s):    # forwards each read at once, as the ends
                x.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._pump, args=(c, s, True),
                             daemon=True).start()
            threading.Thread(target=self._pump, args=(s, c, False),
                             daemon=True).start()

    def _pump(self, a, b, up):
        try:
            while True:
                d = a.recv(65536)
                if not d:
                    break
                with self.lock:
                    if up:
                        self.up += len(d)
                        self.up_reads += 1
                    else:
                        self.down += len(d)
                        self.down_reads += 1
                b.sendall(d)
        except OSError:
            pass
        for x in (a, b):
            try:
                x.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def proc_status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.strip()
    return out


def smaps(pid):
    out = {}
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k.strip()] = v.strip()
    return out


def figures(ms):
    return dict(n=len(ms), median=round(statistics.median(ms), 2),
                p95=round(sorted(ms)[int(len(ms) * .95) - 1], 2),
                max=round(max(ms), 2))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--builddir", default=os.environ.get("CG_BUILDDIR",
                                                         os.getcwd()))
    ap.add_argument("--intervals", type=int, default=2,
                    help="keepalive intervals (1 min each) per idle window")
    ap.add_argument("--rtt", type=int, default=50)
    ap.add_argument("--broker-nodelay", action="store_true",
                    help="mosquitto's set_tcp_nodelay (default off)")
    a = ap.parse_args()
    os.environ["CG_BUILDDIR"] = os.path.abspath(a.builddir)
    import cgtest
    from modemsim import Sim
    from mqtt_util import Broker, Client
    cgtest.CELLGATED = os.path.join(a.builddir, "cellgated")
    cgtest.CELLGATECTL = os.path.join(a.builddir, "cellgatectl")

    d = cgtest.Daemon(log_level="info")
    sim = Sim.start(a.builddir, "generic", d.dir, verbose=False)
    b = Broker(d.dir, {"bench": "bench-pw", "obs": "obs-pw"},
               tls=True, nodelay=a.broker_nodelay).start()
    plain = CountingProxy(b.port)
    tls = CountingProxy(b.tls_port)

    def cloud():
        return d.ctl_json("status")["cloud"]

    def settings(**kv):
        for k, v in kv.items():
            rc, _, err = d.ctl("settings", "set", "cloud." + k, str(v))
            if rc != 0:
                raise RuntimeError(err)

    try:
        out1 = os.path.join(d.dir, "out1")
        with open(out1, "w") as f:
            f.write("0\n")
        d.write_conf('modem = { device = "%s"; };\n'
                     'cloud = { id = "bench"; password = "bench-pw";'
                     ' keepalive = 1; enable = true;'
                     ' server = "127.0.0.1:%d"; };\n'
                     'io = { outputs = ( { name = "relay1"; file = "%s"; }'
                     ' ); };\n' % (sim.link, plain.port, out1))
        d.start()
        d.ctl("passwd", "admin", input=ADMIN + "\n")
        cgtest.wait_for(lambda: d.ctl_json("status")["modem"]["state"]
                        == "ready", 30, "modem ready")
        cgtest.wait_for(lambda: cloud()["state"] == "up", 30, "link up")
        pid = d.proc.pid
        results = {}
        for name, proxy, conf in (
                ("plain", plain, dict(tls="off",
                                      server="127.0.0.1:%d" % plain.port)),
                ("tls", tls, dict(ca_file=b.ca, tls="on",
                                  server="localhost:%d" % tls.port))):
            settings(**conf)
            cgtest.wait_for(lambda: cloud()["state"] == "up" and
                            cloud()["broker"].endswith(str(proxy.port)),
                            40, name + " link up")
            time.sleep(15)      # the start traffic and status settle
            proxy.reset()
            s0 = proc_status(pid)
            t0 = time.monotonic()
            time.sleep(60 * a.intervals + 2)    # the idle window measured
            dt = time.monotonic() - t0
            s1 = proc_status(pid)
            with proxy.lock:
                up, down = proxy.up, proxy.down
                reads = proxy.up_reads + proxy.down_reads
            wake = int(s1["voluntary_ctxt_switches"]) - \
                int(s0["voluntary_ctxt_switches"])
            per_int = (up + down) / (dt / 60.0)
            results[name] = dict(window_s=round(dt, 1), up=up, down=down,
                                 segments_with_data=reads,
                                 bytes_per_interval=round(per_int, 1),
                                 wakeups_per_min=round(wake * 60 / dt, 1))
            pay_day = per_int * 144
            wire_day = pay_day + 144 * 3 * 52
            results[name]["payload_bytes_per_day_at_10min"] = round(pay_day)
            results[name]["onwire_estimate_per_day_at_10min"] = round(
                wire_day)
            if name == "tls":
                sm = smaps(pid)
                results[name]["Pss"] = sm.get("Pss")
                results[name]["Private_Dirty"] = sm.get("Private_Dirty")
                results[name]["VmRSS"] = s1["VmRSS"]
        # round trip on the TLS link
        obs = Client(b.port, "obs", "obs-pw", client_id="obs")
        obs.subscribe("cellgate/bench/reply")
        rtts = []
        for i in range(a.rtt):
            corr = "r%d" % i
            t = time.monotonic()
            obs.publish("cellgate/bench/cmd", "%s#AT+CLOUDID?" % ADMIN,
                        qos=1, corr=corr)
            obs.wait(lambda tp, p: json.loads(p).get("request") == corr, 10)
            rtts.append((time.monotonic() - t) * 1000)
        results["rtt_ms"] = figures(rtts)
        # a Home Assistant switch and its event back, no password
        settings(ha_control="on")
        obs.subscribe("cellgate/bench/event/io")
        rtts = []
        for i in range(a.rtt):
            on = i % 2 == 0
            t = time.monotonic()
            obs.publish("cellgate/bench/ha/out1/set", "ON" if on else "OFF")
            obs.wait(lambda tp, p: tp.endswith("/event/io")
                     and json.loads(p).get("value") == (1 if on else 0), 10)
            rtts.append((time.monotonic() - t) * 1000)
        obs.close()
        results["switch_to_event_ms"] = figures(rtts)
        print(json.dumps(results, indent=2))
    finally:
        d.stop()
        sim.stop()
        b.stop()
        d.cleanup()


if __name__ == "__main__":
    main()
