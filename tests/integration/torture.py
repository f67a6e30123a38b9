"""torture.py: the crash torture shared by tests/integration/test_torture.py
(a few rounds, run by make check) and bench/bench_torture.py (many rounds,
several seeds).

One run: a cellgated against cellgate-modemsim; each round injects a burst
of SMS commands, each from its own sender, and SIGKILLs the daemon once the
simulator has received a random number of further AT command lines (so the
kill lands at a random step: reading, deleting, the CMGS prompt, the PDU,
or idle); the daemon is restarted and the next round begins.  At the end
everything is left to drain, and the outcome is judged from outside only:
the SQLite file opened read-only, `cellgatectl --json sms list`, and the
simulator's list of PDUs it received with AT+CMGS.

Per message (one sender each, so everything is attributable; the
simulator's sent list holds what went out by AT+CMGS and AT+CMSS):
  lost          not in the log at all (neither in SQLite nor sms list)
  logged twice  more than one incoming row for it
  run twice     more than one reply queued for it (the reply is queued in
                the same transaction that marks the command processed, so
                replies queued == times the command ran)
  replied twice more than one PDU to its sender reached the modem
  uncertain     its reply ended `uncertain`
  uncertain but unsent  ... and no PDU to its sender reached the modem
  unanswered    the command ran, the reply is neither sent nor uncertain
and per run:
  at prompt     "> " prompts the modem gave that got no PDU: kills that
                landed between the daemon's AT+CMGS and its PDU.  Such a
                reply is sent again after the restart (the record made at
                the prompt does not wait for the disk, so no kill lands
                between it and the PDU): uncertain but unsent stays 0.
The RNG is seeded and the seed printed, so a failing run can be replayed.

Options for the bench (the short test uses neither): drop_every=N makes
every Nth round drop the modem's port at its next AT+CMGS PDU (the
simulator's "drop" fault: a USB unplug while sending) and plug it back,
instead of the SIGKILL; capacity=N gives the SIM N slots, so bursts fill
it and the network holds and retries messages; via_storage=True sends the
replies through the modem's storage (sms.send_via_storage: AT+CMGW,
AT+CMSS), where a copy marked sent whose delete a kill interrupted stays
in storage: counted as "copies left", not waited for.
"""
import datetime
import json
import os
import random
import sqlite3
import subprocess
import time

from cgtest import CELLGATECTL, Daemon, wait_for
from modemsim import Sim

PASSWORD = "T0rture"
FINAL_OUT = ("sent", "failed", "uncertain")


def encode_deliver(sender, text, stamp):
    t = datetime.datetime(2026, 5, 1) + datetime.timedelta(seconds=stamp)
    p = subprocess.run([CELLGATECTL, "--json", "pdu", "encode", "--deliver",
                        "--time", t.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
                        sender, text], capture_output=True, text=True,
                       check=True)
    return [x["pdu"] for x in json.loads(p.stdout)["parts"]]


def decode_number(pdu):
    p = subprocess.run([CELLGATECTL, "--json", "pdu", "decode", pdu],
                       capture_output=True, text=True, check=True)
    return json.loads(p.stdout)["number"]


class Torture:
    def __init__(self, builddir, seed, rounds, burst, profile="generic",
                 delay_ms=5, log=print, drop_every=0, capacity=None,
                 via_storage=False):
        self.seed = seed
        self.rng = random.Random(seed)
        self.rounds = rounds
        self.burst = burst
        self.log = log
        self.d = Daemon(log_level="info")
        self.sim = Sim.start(builddir, profile, self.d.dir, verbose=False)
        self.sim.check("delay %d" % delay_ms)
        if capacity is not None:
            self.sim.capacity(capacity)
        self.drop_every = drop_every
        self.via_storage = via_storage
        self.drops = 0
        self.d.write_conf('modem = { device = "%s"; };\n' % self.sim.link)
        self.senders = []
        self.kills = 0
        self.stamp = 0

    def ready(self):
        rc, out, err = self.d.ctl("status", json_out=True)
        return rc == 0 and json.loads(out)["modem"]["state"] == "ready"

    def start_daemon(self):
        self.d.start()
        wait_for(self.ready, 60, "modem ready")

    def ncmds(self):
        st = self.sim.check("commands")
        return len(st["commands"]) + st["dropped"]

    def replug(self):
        """Plug the modem back if a drop fault fired; forget pending ones."""
        self.sim.check("nofail")
        if not self.sim.state()["plugged"]:
            self.sim.replug()
            wait_for(self.ready, 60, "modem ready after the replug")

    def round(self, n):
        drop = self.drop_every and n % self.drop_every == self.drop_every - 1
        if drop:
            self.sim.fault("AT+CMSS" if self.via_storage else "AT+CMGS",
                           "drop")
        base = self.ncmds()
        # about 6 AT lines per message (CMTI read, delete, CMGS, PDU...)
        target = base + self.rng.randint(0, 6 * self.burst)
        for i in range(self.burst):
            sender = "+4917%03d%05d" % (self.seed % 1000, len(self.senders))
            self.senders.append(sender)
            self.stamp += 1
            text = "%s#AT+STMSG=m%d" % (PASSWORD, len(self.senders))
            for pdu in encode_deliver(sender, text, self.stamp):
                self.sim.check("sms " + pdu)
        # kill at the target, or idle once the burst is all handled
        end = time.monotonic() + 30
        polls = 0
        while self.ncmds() < target and time.monotonic() < end:
            polls += 1
            if polls % 10 == 0 and (self.drained() or (
                    drop and not self.sim.state()["plugged"])):
                break
            time.sleep(0.002)
        if drop:
            if not self.sim.state()["plugged"]:
                self.drops += 1
            self.replug()
            return
        self.d.kill9()
        self.kills += 1
        self.start_daemon()

    def drained(self):
        msgs = self.d.ctl_json("sms", "list", "--limit", "10000")
        ins = [m for m in msgs if m["direction"] == "in"]
        outs = [m for m in msgs if m["direction"] == "out"]
        return (len(ins) >= len(self.senders)
                and all(m["status"] != "new" for m in ins)
                and all(m["status"] in FINAL_OUT for m in outs)
                and self.left_in_storage() == [] and msgs)

    def left_in_storage(self):
        """Stored messages still to be handled: all of them, except (when
        sending through storage) copies marked sent (STO SENT)."""
        return [x for x in self.sim.storage()
                if not (self.via_storage and x["stat"] == 3)]

    def run(self):
        self.log("# torture: seed %d, %d rounds x %d messages"
                 % (self.seed, self.rounds, self.burst))
        self.start_daemon()
        self.d.ctl("passwd", "admin", input=PASSWORD + "\n")
        self.d.ctl("settings", "set", "sms.daily_limit", "10000")
        if self.via_storage:
            self.d.ctl("settings", "set", "sms.send_via_storage", "on")
        for n in range(self.rounds):
            self.round(n)
        self.replug()
        msgs = wait_for(self.drained, 180, "everything drained")
        return self.judge(msgs)

    def judge(self, msgs):
        db = sqlite3.connect("file:%s?mode=ro" % self.d.db, uri=True)
        rows = db.execute("SELECT direction, number, status FROM sms "
                          "ORDER BY id").fetchall()
        db.close()
        sent_to = {}
        for s in self.sim.sent():
            num = decode_number(s["pdu"])
            sent_to[num] = sent_to.get(num, 0) + 1
        r = dict(messages=len(self.senders), kills=self.kills,
                 drops=self.drops, lost=0,
                 logged_twice=0, run_twice=0, replied_twice=0, uncertain=0,
                 uncertain_unsent=0, unanswered=0, disagree=0,
                 copies_left=len(self.sim.storage()),
                 at_prompt=self.sim.state()["prompts_abandoned"])
        listed = {(m["direction"], m["number"]) for m in msgs}
        for s in self.senders:
            ins = [x for x in rows if x[0] == "in" and x[1] == s]
            outs = [x for x in rows if x[0] == "out" and x[1] == s]
            if not ins or ("in", s) not in listed:
                r["lost"] += 1
            if len(ins) > 1:
                r["logged_twice"] += 1
            if len(outs) > 1:
                r["run_twice"] += 1
            if sent_to.get(s, 0) > 1:
                r["replied_twice"] += 1
            if (ins and outs) and ("out", s) not in listed:
                r["disagree"] += 1
            for o in outs[:1]:
                if o[2] == "uncertain":
                    r["uncertain"] += 1
                    if sent_to.get(s, 0) == 0:
                        r["uncertain_unsent"] += 1
                elif o[2] != "sent":
                    r["unanswered"] += 1
                elif sent_to.get(s, 0) == 0:
                    r["unanswered"] += 1
            if ins and not outs:
                r["unanswered"] += 1
        return r

    def close(self):
        try:
            self.d.cleanup()
        finally:
            self.sim.stop()


FIELDS = ("messages", "kills", "lost", "run_twice", "replied_twice",
          "uncertain", "uncertain_unsent")
HEADER = ("messages, kills, lost, run twice, replied twice, uncertain, "
          "uncertain but unsent")


def line(r):
    return ", ".join(str(r[f]) for f in FIELDS)
