"""test_modem_dialects.py: what differs between real modems, against
cellgate-modemsim's profiles, with the real daemon.

LTE signal: every profile shows signal_quality (mmcli's percent of +CSQ),
the LTE ones RSRP and RSRQ from +CESQ in status and in the STATUS# reply,
following the network; the 2G one none.  PDP authentication: where the
firmware refuses AT+CGAUTH (+CME ERROR: 4: the ec25 and ublox profiles)
the vendor's command (Quectel AT+QICSGP, u-blox AT+UAUTHREQ) sets the
credentials and the data call comes up; Huawei takes them in ^NDISDUP,
the generic modem by AT+CGAUTH; the password never reaches the daemon's
log, the status or the simulator's view of the user.  Calls on a modem
that sends no +CLIP (the caller from +CLCC) and a waiting call (+CCWA).
The network's time and zone in status.  The ICCID from AT+CRSM when the
vendor's command fails.  Garbled lines change nothing and are logged
once.  Every wait has a deadline.
"""
import datetime
import os

from cgtest import Daemon, SmsPeer, check, run_tests, wait_for
from modemsim import Sim

BUILDDIR = os.environ.get("CG_BUILDDIR", os.getcwd())
SUPER = "Sup3r-pw"
STRANGER = "+491709000009"
APN_SECRET = "Apn-S3cret"

# +CESQ: the simulator's defaults (raw 50 and 20) are -91 dBm and -10 dB
LTE = {"generic": True, "sim800": False, "ec25": True, "e3372": True,
       "ublox": True}


class Rig:
    """A simulator and a daemon attached to it, in one scratch dir."""

    def __init__(self, profile, extra=""):
        self.d = Daemon()
        self.sim = Sim.start(BUILDDIR, profile, self.d.dir)
        self.d.write_conf('modem = { device = "%s"; signal_poll = 1; };\n%s'
                          % (self.sim.link, extra))
        self.d.start()

    def modem(self):
        return self.d.ctl_json("status")["modem"]

    def data(self):
        return self.d.ctl_json("status")["data"]

    def close(self):
        rc = self.d.stop()
        check(rc == 0, "%s: the daemon stopped cleanly (%s)"
              % (self.sim.profile, rc))
        self.sim.stop()
        self.d.cleanup()


def test_lte_signal():
    for profile, lte in LTE.items():
        r = Rig(profile)
        try:
            m = wait_for(lambda: (lambda m: m if m["state"] == "ready" and
                                  m["signal"] is not None and
                                  (not lte or m["rsrp"] is not None)
                                  else None)(r.modem()), 30,
                         "%s: ready with signal" % profile)
            check(m["signal_quality"] == m["signal"] * 100 // 31,
                  "%s: signal_quality %s is mmcli's percent of %s"
                  % (profile, m["signal_quality"], m["signal"]))
            if lte:
                check(m["rsrp"] == -91 and m["rsrq"] == -10.0,
                      "%s: RSRP %s dBm, RSRQ %s dB from +CESQ"
                      % (profile, m["rsrp"], m["rsrq"]))
            else:
                wait_for(lambda: r.sim.commands().count("AT+CSQ") >= 3, 10,
                         "%s: three signal polls" % profile)
                m = r.modem()
                check(m["rsrp"] is None and m["rsrq"] is None and
                      r.sim.commands().count("AT+CESQ") <= 1,
                      "%s: a 2G modem refusing +CESQ is asked once only"
                      % profile)
            if profile != "ec25":
                continue
            r.sim.check("lte 60 25")
            r.sim.check("signal 31")
            m = wait_for(lambda: (lambda m: m if m["rsrp"] == -81 and
                                  m["signal"] == 31 else None)(r.modem()),
                         10, "the poll follows the network")
            check(m["rsrq"] == -7.5 and m["signal_quality"] == 100,
                  "RSRQ -7.5 dB, quality 100%%: %r" % m)
            r.d.ctl("passwd", "superadmin", input=SUPER + "\n")
            reply = SmsPeer(r.d, r.sim).sms(STRANGER,
                                            "STATUS,PWD=%s#" % SUPER)
            check(reply is not None and reply.startswith(
                "Modem: ready, signal 31 (100%) RSRP -81dBm RSRQ -7.5dB, "
                "operator Vodafone.de"), "STATUS# reply: %r" % reply)
        finally:
            r.close()


AUTH = {
    # profile: (the command that must carry the credentials, refused first)
    "generic": ("AT+CGAUTH=1,1,", False),
    "ec25": ('AT+QICSGP=1,1,"internet.test","bob",', True),
    "ublox": ('AT+UAUTHREQ=1,1,"bob",', True),
    "e3372": ('AT^NDISDUP=1,1,"internet.test","bob",', False),
}


def test_vendor_auth():
    conf = ('data = { mode = "modem"; apn = "internet.test"; user = "bob"; '
            'password = "%s"; auth = "PAP"; };\n' % APN_SECRET)
    for profile, (cmd, refused) in AUTH.items():
        r = Rig(profile, conf)
        try:
            d = wait_for(lambda: (lambda d: d if d["state"] == "up"
                                  else None)(r.data()), 30,
                         "%s: data call up" % profile)
            cmds = r.sim.commands()
            check(any(c.startswith(cmd) for c in cmds),
                  "%s: credentials set by %s..." % (profile, cmd))
            check(any(c.startswith("AT+CGAUTH=") for c in cmds) ==
                  (profile != "e3372"), "%s: AT+CGAUTH %s" %
                  (profile, "not needed" if profile == "e3372" else
                   "tried first"))
            sd = r.sim.data()
            check(sd["active"] and sd["user"] == "bob" and
                  sd["auth_by"] == cmd.split("=")[0][2:],
                  "%s: the simulator has the credentials from %s: %r"
                  % (profile, sd["auth_by"], sd))
            check(d["address"] == sd["address"],
                  "%s: up with the simulator's address" % profile)
            log = r.d.read_log()
            check(APN_SECRET not in log and
                  APN_SECRET not in str(r.d.ctl_json("status")),
                  "%s: the password is in neither log nor status"
                  % profile)
            if refused:
                check("refuses AT+CGAUTH" in log,
                      "%s: the fallback is logged" % profile)
        finally:
            r.close()


def test_vendor_auth_refused_too():
    """The vendor's command failing too ends as a data call error whose
    detail shows the command without its arguments."""
    conf = ('data = { mode = "modem"; apn = "internet.test"; user = "bob"; '
            'password = "%s"; auth = "CHAP"; };\n' % APN_SECRET)
    d = Daemon()
    sim = Sim.start(BUILDDIR, "ec25", d.dir)
    sim.check("fail AT+QICSGP ERROR 1000")
    d.write_conf('modem = { device = "%s"; };\n%s' % (sim.link, conf))
    d.start()
    try:
        data = wait_for(lambda: (lambda x: x if x.get("detail") and
                                 "QICSGP" in x["detail"] else None)(
                            d.ctl_json("status")["data"]), 30,
                        "the failure in the detail")
        check(data["state"] != "up" and "AT+QICSGP=***" in data["detail"]
              and APN_SECRET not in data["detail"],
              "detail redacted: %r" % data["detail"])
        check(APN_SECRET not in d.read_log(), "nor in the log")
    finally:
        d.stop()
        sim.stop()
        d.cleanup()


OWNER = "+491701000001"
WAITING = "+491701000002"


def test_calls_without_clip():
    """e3372 plays a modem that sends RING but no +CLIP: the caller comes
    from AT+CLCC and gets the phonebook's action (hang up and reply with
    the status), not the withheld number's; a waiting call (+CCWA) gets
    its own caller's action, released by AT+CHLD=0 while our call
    stays."""
    r = Rig("e3372")
    try:
        wait_for(lambda: r.modem()["state"] == "ready", 30, "ready")
        check("AT+CCWA=1" in r.sim.commands(), "call waiting enabled")
        r.d.ctl("phonebook", "add", "1", OWNER, "role=admin",
                "password=not-required", "call=hangup-reply")
        r.sim.check("clear")
        r.sim.ring(OWNER)
        wait_for(lambda: r.sim.sent(), 20, "the status SMS")
        cmds = r.sim.commands()
        check("AT+CLCC" in cmds and "ATH" in cmds,
              "the call list asked, the caller hung up: %r" % cmds)
        sent = SmsPeer(r.d, r.sim).sent()
        check(sent and sent[0][0] == OWNER and
              sent[0][1].startswith("Modem: ready"),
              "the caller from +CLCC got the status reply: %r" % sent)
        log = r.d.read_log()
        check("call from %s (in the phonebook)" % OWNER in log,
              "logged as a known caller")

        # a call in progress that is ignored, then a second one waiting
        r.d.ctl("phonebook", "add", "2", WAITING, "role=user",
                "password=required", "call=hangup")
        r.d.ctl("phonebook", "set", "1", "call=ignore")
        r.sim.check("clear")
        r.sim.ring(OWNER)
        wait_for(lambda: "call from %s (in the phonebook): ignore" % OWNER
                 in r.d.read_log(), 20, "the ignored call")
        r.sim.check("waiting %s" % WAITING)
        wait_for(lambda: "AT+CHLD=0" in r.sim.commands(), 20,
                 "the waiting call released")
        check(r.sim.state()["call"] == "ringing" and
              "ATH" not in r.sim.commands(),
              "the call in progress stays")
        check("call from %s (in the phonebook): hangup" % WAITING
              in r.d.read_log(), "the waiting caller logged")
        r.sim.hangup()
    finally:
        r.close()


def net_offset(m):
    """Seconds between the status's network_time and the host's UTC now."""
    t = datetime.datetime.fromisoformat(m["network_time"])
    return (t - datetime.datetime.now(datetime.timezone.utc)).total_seconds()


def test_network_time():
    """AT+CCLK? once registered gives the network's time and zone; a zone
    report (+CTZV) moves them and the clock is read again."""
    for profile, zone in (("ec25", "+01:00"), ("ublox", "-05:00")):
        r = Rig(profile)
        try:
            m = wait_for(lambda: (lambda m: m if m["network_time"]
                                  else None)(r.modem()), 30,
                         "%s: network time" % profile)
            check(m["network_zone"] == zone and
                  m["network_time"].endswith(zone),
                  "%s: zone %s: %r" % (profile, zone, m["network_time"]))
            check(abs(net_offset(m)) < 5, "%s: the network's time %s"
                  % (profile, m["network_time"]))
            cmds = r.sim.commands()
            check("AT+CTZR=1" in cmds and "AT+CCLK?" in cmds,
                  "%s: zone reports asked, clock read" % profile)
            if profile != "ec25":
                continue
            r.sim.check("nettime 7200 8")
            m = wait_for(lambda: (lambda m: m if m["network_zone"] ==
                                  "+02:00" and net_offset(m) > 7000
                                  else None)(r.modem()), 10,
                         "+CTZV and the clock read again")
            check(abs(net_offset(m) - 7200) < 5 and
                  m["network_time"].endswith("+02:00"),
                  "the network's time follows: %r" % m["network_time"])
            log = r.d.read_log()
            check("system clock" not in log,
                  "a right system clock is not reported wrong")
        finally:
            r.close()


def test_iccid_from_the_sim():
    """A modem whose ICCID command fails: the ICCID from the SIM's own
    file (AT+CRSM, digits in BCD order), un-swapped."""
    d = Daemon()
    sim = Sim.start(BUILDDIR, "generic", d.dir)
    sim.check("fail AT+CCID ERROR 10")
    d.write_conf('modem = { device = "%s"; };\n' % sim.link)
    d.start()
    try:
        m = wait_for(lambda: (lambda m: m if m["state"] == "ready"
                              else None)(d.ctl_json("status")["modem"]), 30,
                     "ready")
        check("AT+CRSM=176,12258,0,0,10" in sim.commands() and
              m["iccid"] == "89001010000123456782",
              "ICCID from AT+CRSM: %r" % m["iccid"])
    finally:
        d.stop()
        sim.stop()
        d.cleanup()


def test_malformed_lines():
    """Lines a modem garbles change nothing and are logged once each,
    escaped; a solicited-shape registration URC is understood."""
    r = Rig("ec25")
    try:
        m0 = wait_for(lambda: (lambda m: m if m["network_zone"] else None)(
            r.modem()), 30, "ready with the network's zone")
        for line in ("+CREG: 7,x,y", "+CTZV: +99x", "+CCWA: 1,x",
                     "+CLCC: 1,2"):
            r.sim.urc(line)
        # (the best of +CREG, +CGREG and +CEREG counts: all three)
        for cmd in ("CREG", "CGREG", "CEREG"):
            r.sim.urc("+%s: 2,5,\"0502\",\"0404736D\"" % cmd)
        m = wait_for(lambda: (lambda m: m if m["registration"] == "roaming"
                              else None)(r.modem()), 10,
                     "the solicited-shape URC taken")
        check(m["network_zone"] == m0["network_zone"] and
              m["state"] == "ready", "nothing else changed: %r" % m)
        log = r.d.read_log()
        for what in ("registration line not understood: +CREG: 7,x,y",
                     "time zone line not understood: +CTZV: +99x",
                     "waiting call not understood",
                     "call list line not understood"):
            check(log.count(what) == 1, "logged once: %s" % what)
    finally:
        r.close()


if __name__ == "__main__":
    run_tests(test_lte_signal, test_vendor_auth, test_vendor_auth_refused_too,
              test_calls_without_clip, test_network_time,
              test_iccid_from_the_sim, test_malformed_lines)
