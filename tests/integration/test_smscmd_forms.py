"""test_smscmd_forms.py: the SMS command forms in their seed shapes,
end to end: SMS injected into cellgate-modemsim, replies read back from
what the daemon sent with AT+CMGS.

- `PASSWORD#AT+VER;+CSQ` is one AT-form message with two chained commands
  (V.250 style), both answered, the password accepted (it used to be taken
  for a short-form password `+CSQ`: no reply, and a failure counted);
- `WKMOD:CMD,CSQ,RISP;PASSWORD`: RISP carrying the password suppresses the
  reply and the commands run (it used to answer "unknown command RISP");
- `PWDabc12;PASSWORD` sets the admin password `abc12` (a password that
  starts with a letter used to become a command `PWDABC`).
"""
import datetime
import json
import subprocess

from cgtest import (BUILDDIR, CELLGATECTL, Daemon, SmsPeer, check,
                    run_tests, wait_for)
from modemsim import Sim

D = None
SIM = None
SUPER = "Sup3r-pw"
ADMIN = "12345"
STRANGER = "+491709000019"

PEER = None


def sms(sender, text):
    """The reply, or None for silence (then nothing at all was sent)."""
    r = PEER.sms(sender, text)
    if r is None:
        check(SIM.sent() == [], "silence: nothing sent")
    return r


def ready():
    return D.ctl_json("status")["modem"]["state"] == "ready"


def setting(name):
    return D.ctl_json("settings", "get", name)["value"]


def test_chained_at_commands():
    D.ctl("settings", "set", "auth.lockout_failures", "1")
    r = sms(STRANGER, "%s#AT+VER;+CSQ" % ADMIN)
    check(r is not None and "+VER:" in r and "+CSQ:" in r
          and r.count("OK") == 2,
          "AT+VER;+CSQ: two commands, both answered: %r" % r)
    # with lockout after one failure, a failure counted above would have
    # silenced this
    r = sms(STRANGER, "%s#AT+VER; AT+WKMOD?" % ADMIN)
    check(r is not None and "+VER:" in r and "+WKMOD:NET" in r,
          "not counted as a failure; ;AT+ chains too: %r" % r)
    r = sms(STRANGER, "%s#AT+STMSG=\"a;+b\"" % ADMIN)
    check(r == "OK" and setting("STMSG") == "a;+b",
          "a ';' inside quotes is text: %r %r" % (r, setting("STMSG")))
    D.ctl("settings", "reset", "STMSG")
    D.ctl("settings", "reset", "auth.lockout_failures")


def test_risp_with_password():
    r = sms(STRANGER, "WKMOD:CMD,CSQ,RISP;%s" % ADMIN)
    check(r is None, "RISP;pwd: no reply (not 'unknown command RISP'): %r"
          % r)
    check(setting("WKMOD") == "CMD", "the commands before RISP;pwd ran")
    r = sms(STRANGER, "WKMOD:NET;%s" % ADMIN)
    check(r == "OK" and setting("WKMOD") == "NET", "WKMOD back: %r" % r)


def test_pwd_starting_with_a_letter():
    r = sms(STRANGER, "PWDabc12;%s" % ADMIN)
    check(r == "OK", "PWDabc12;pwd answers OK: %r" % r)
    r = sms(STRANGER, "abc12#AT+WKMOD?")
    check(r == "+WKMOD:NET\nOK", "the new password abc12 works: %r" % r)
    check(sms(STRANGER, "%s#AT+WKMOD?" % ADMIN) is None,
          "the old admin password no longer works")
    r = sms(STRANGER, "PWD:%s;abc12" % ADMIN)
    check(r == "OK", "PWD:new sets it back: %r" % r)
    r = sms(STRANGER, "%s#AT+WKMOD?" % ADMIN)
    check(r == "+WKMOD:NET\nOK", "the admin password is %s again: %r"
          % (ADMIN, r))
    texts = [m["text"] or "" for m in PEER.messages()]
    check(not any("abc12" in t for t in texts),
          "the new password is not in the message log")


def main():
    global D, SIM, PEER
    D = Daemon()
    SIM = Sim.start(BUILDDIR, "generic", D.dir)
    PEER = SmsPeer(D, SIM)
    D.write_conf('modem = { device = "%s"; };\n' % SIM.link)
    D.start()
    wait_for(ready, 30, "modem ready")
    D.ctl("passwd", "superadmin", input=SUPER + "\n")
    D.ctl("passwd", "admin", input=ADMIN + "\n")
    try:
        run_tests(test_chained_at_commands, test_risp_with_password,
                  test_pwd_starting_with_a_letter)
    finally:
        D.cleanup()
        SIM.stop()


if __name__ == "__main__":
    main()
