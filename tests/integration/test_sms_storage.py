"""test_sms_storage.py: a full SIM drains by itself, nothing lost.

Through cellgated and cellgate-modemsim (a SIM of few slots; the network
holds what does not fit and retries it once a slot frees):
- the SIM filled while the daemon is stopped, more messages held by the
  network: at start everything stored is listed and deleted, the held
  messages then arrive; each committed once;
- deletes failing (ERROR) while messages arrive: the storage fills up,
  the profile's memory-full indication comes; the daemon lists the
  storage again until its deletes succeed; each committed once, none
  lost, the held messages arrive;
- the same with the SIMCom and Huawei profiles' indications, and with
  reads that fail (Quectel profile).
"""
import json
import subprocess

from cgtest import (BUILDDIR, CELLGATECTL, Daemon, check, run_tests,
                    wait_for)
from modemsim import Sim

_stamp = [0]


def encode(sender, text):
    _stamp[0] += 1
    p = subprocess.run([CELLGATECTL, "--json", "pdu", "encode", "--deliver",
                        "--time", "2026-04-01T10:%02d:%02d+01:00"
                        % (_stamp[0] // 60, _stamp[0] % 60), sender, text],
                       capture_output=True, text=True, check=True)
    return json.loads(p.stdout)["parts"][0]["pdu"]


class Bench:
    def __init__(self, profile):
        self.d = Daemon()
        self.sim = Sim.start(BUILDDIR, profile, self.d.dir)
        self.d.write_conf('modem = { device = "%s"; };\n' % self.sim.link)
        self.start()

    def ready(self):
        return self.d.ctl_json("status")["modem"]["state"] == "ready"

    def start(self):
        self.d.start()
        wait_for(self.ready, 30, "modem ready")

    def inbox(self):
        return [m for m in self.d.ctl_json("sms", "list", "--limit", "10000")
                if m["direction"] == "in"]

    def drained(self, senders):
        st = self.sim.check("storage")
        got = set(m["number"] for m in self.inbox())
        return st["slots"] == [] and st["held"] == 0 and senders <= got

    def verdict(self, senders, what):
        wait_for(lambda: self.drained(senders), 60, what + ": drained")
        numbers = [m["number"] for m in self.inbox() if m["number"] in
                   senders]
        check(set(numbers) == senders, "%s: none lost (%d of %d)"
              % (what, len(set(numbers)), len(senders)))
        check(len(numbers) == len(set(numbers)), "%s: each committed once"
              % what)
        check(self.sim.storage() == [] and self.sim.held() == 0,
              "%s: SIM empty, nothing held by the network" % what)

    def close(self):
        self.d.cleanup()
        self.sim.stop()


def test_filled_while_stopped():
    b = Bench("generic")
    try:
        b.d.stop()
        b.sim.capacity(4)
        senders = set()
        for i in range(7):
            n = "+491706660%03d" % i
            senders.add(n)
            b.sim.inject_sms(encode(n, "filled while stopped %d" % i))
        check(len(b.sim.storage()) == 4 and b.sim.held() == 3,
              "SIM full, 3 held by the network")
        b.start()
        b.verdict(senders, "filled while stopped")
    finally:
        b.close()


def deletes_failing(profile, full_urc):
    b = Bench(profile)
    try:
        b.sim.capacity(3)
        b.sim.clear()
        b.sim.fail("AT+CMGD", "ERROR", 4)
        senders = set()
        for i in range(6):
            n = "+491707770%03d" % i
            senders.add(n)
            b.sim.inject_sms(encode(n, "deletes failing %d" % i))
        b.verdict(senders, "deletes failing (%s)" % profile)
        log = b.d.read_log()
        check("storage is listed again" in log, "a failed delete lists "
              "the storage again")
        check(("(%s" % full_urc) in log, "the memory-full indication %s "
              "was seen and drained the storage" % full_urc)
    finally:
        b.close()


def test_generic_deletes_failing():
    deletes_failing("generic", "+CIEV")


def test_simcom_deletes_failing():
    deletes_failing("sim800", "+CIEV")


def test_huawei_deletes_failing():
    deletes_failing("e3372", "^SMMEMFULL")


def test_quectel_reads_failing():
    b = Bench("ec25")
    try:
        b.sim.capacity(2)
        b.sim.clear()
        b.sim.fail("AT+CMGR", "ERROR", 3)
        senders = set()
        for i in range(5):
            n = "+491708880%03d" % i
            senders.add(n)
            b.sim.inject_sms(encode(n, "reads failing %d" % i))
        b.verdict(senders, "reads failing (quectel)")
    finally:
        b.close()


def main():
    run_tests(test_filled_while_stopped, test_generic_deletes_failing,
              test_simcom_deletes_failing, test_huawei_deletes_failing,
              test_quectel_reads_failing)


if __name__ == "__main__":
    main()
