"""test_sms.py: the SMS pipeline through the simulated modem.

Messages are built with `cellgatectl pdu encode --deliver`, injected into
cellgate-modemsim (with +CMTI, or silently stored as if they arrived while the
daemon was down), and the replies the daemon sends with AT+CMGS are read back
from the simulator and decoded.  Covers: silence for strangers, replies for
the password, a 3-part UCS-2 message with emoji joined into one, parts out of
order and across a restart, messages stored while the daemon was down, long
replies as concatenated parts, +CMS ERROR retries then failure with the
reason, the daily cap, and kill -9 during bursts: nothing lost, nothing
processed twice, every outgoing message sent or uncertain.
"""
import datetime
import json
import os
import random
import signal
import subprocess
import time

from cgtest import (BUILDDIR, CELLGATECTL, Daemon, check, run_tests,
                    wait_for)
from modemsim import Sim

D = None
SIM = None
ADMIN_PW = "adm1n-pw"
FRIEND = "+491700000001"


_stamp = [0]


def scts():
    """A new service-centre time stamp for each message, as a network gives."""
    _stamp[0] += 1
    t = datetime.datetime(2026, 1, 1) + datetime.timedelta(seconds=_stamp[0])
    return t.strftime("%Y-%m-%dT%H:%M:%S+01:00")


def encode_deliver(sender, text, ref=None, ucs2=False):
    args = [CELLGATECTL, "--json", "pdu", "encode", "--deliver", "--time",
            scts()]
    if ref is not None:
        args += ["--ref", str(ref)]
    if ucs2:
        args.append("--ucs2")
    p = subprocess.run(args + [sender, text], capture_output=True, text=True,
                       check=True)
    return [part["pdu"] for part in json.loads(p.stdout)["parts"]]


def decode(pdu):
    p = subprocess.run([CELLGATECTL, "--json", "pdu", "decode", pdu],
                       capture_output=True, text=True, check=True)
    return json.loads(p.stdout)


def sent_texts():
    """Every message the daemon sent, parts joined by reference."""
    msgs, parts = [], {}
    for s in SIM.sent():
        d = decode(s["pdu"])
        c = d.get("concat")
        if c:
            key = (d["number"], c["ref"], c["parts"])
            parts.setdefault(key, {})[c["part"]] = d["text"]
            if len(parts[key]) == c["parts"]:
                msgs.append((d["number"], "".join(parts[key][i] for i in
                                                  range(1, c["parts"] + 1))))
        else:
            msgs.append((d["number"], d["text"]))
    return msgs


def ready():
    st = D.ctl_json("status")
    return st["modem"]["state"] == "ready"


def inbox():
    return [m for m in D.ctl_json("sms", "list", "--limit", "10000")
            if m["direction"] == "in"]


def settle(timeout=30):
    """Until nothing is queued, sending or unprocessed."""
    def quiet():
        st = D.ctl_json("status")["sms"]
        return st["outbox"] == 0 and st["unread"] == 0
    wait_for(quiet, timeout, "SMS queues to settle")


def start_daemon():
    D.start()
    wait_for(ready, 30, "modem ready")


def test_strangers_get_silence():
    SIM.check("clear")
    SIM.inject_sms(encode_deliver("+491709999999", "usr.cn#AT+VER")[0])
    wait_for(lambda: any(m["number"] == "+491709999999" for m in inbox()),
             15, "message logged")
    settle()
    check(SIM.sent() == [], "no reply to a stranger with a wrong password")
    m = [m for m in inbox() if m["number"] == "+491709999999"][-1]
    check(m["text"] == "***#AT+VER" and m["status"] == "processed",
          "message logged with the password redacted: %r" % m["text"])
    check(SIM.storage() == [], "message deleted from the modem after it was saved")


def test_alphanumeric_sender():
    SIM.check("clear")
    SIM.inject_sms(encode_deliver("Vodafone", "Your balance is 5 EUR")[0])
    wait_for(lambda: any(m["number"] == "alpha:Vodafone" for m in inbox()),
             15, "message from an alphanumeric sender")
    check(True, "an alphanumeric sender is logged as alpha:NAME (never a "
          "phonebook number)")
    settle()
    check(SIM.sent() == [], "and gets no reply")


def test_password_gets_reply():
    SIM.check("clear")
    SIM.inject_sms(encode_deliver("+491709999998", ADMIN_PW + "#AT+WKMOD?")[0])
    wait_for(lambda: sent_texts(), 15, "a reply")
    check(sent_texts() == [("+491709999998", "+WKMOD:NET\nOK")],
          "reply to the sender in the USR format: %r" % sent_texts())
    out = [m for m in D.ctl_json("sms", "list") if m["direction"] == "out"][-1]
    check(out["status"] == "sent" and out["number"] == "+491709999998",
          "outbox entry sent")


def test_concatenated_ucs2_emoji():
    SIM.check("clear")
    text = "Grüße 😀 " * 15 + " 🎉 end"     # 157 UCS-2 units: 3 parts
    pdus = encode_deliver(FRIEND, text, ref=77)
    check(len(pdus) == 3, "a 3-part UCS-2 message (%d parts)" % len(pdus))
    for p in pdus:
        SIM.inject_sms(p)
    wait_for(lambda: any(m["text"] == text for m in inbox()), 15,
             "the joined message")
    check(sum(1 for m in inbox() if m["text"] == text) == 1,
          "3 parts arrive as one message with the right text")
    # out of order
    text2 = "second " + "x😀" * 90
    pdus = encode_deliver(FRIEND, text2, ref=78)
    for p in reversed(pdus):
        SIM.inject_sms(p)
    wait_for(lambda: any(m["text"] == text2 for m in inbox()), 15,
             "out-of-order message")
    check(True, "parts out of order still join")
    # across a restart: one part now, the rest after
    text3 = "third " + "y€" * 120
    pdus = encode_deliver(FRIEND, text3, ref=79)
    SIM.inject_sms(pdus[0])
    wait_for(lambda: SIM.storage() == [], 10, "part saved")
    check(D.stop() == 0, "daemon stopped with a part waiting")
    for p in pdus[1:]:
        SIM.store_sms(p)
    start_daemon()
    wait_for(lambda: any(m["text"] == text3 for m in inbox()), 20,
             "message joined across the restart")
    check(True, "parts join across a daemon restart")


def test_partial_kept_not_run():
    D.ctl("settings", "set", "sms.concat_timeout", "10")
    before = D.ctl_json("settings", "get", "STMSG")["value"]
    pdus = encode_deliver("+491709999995", ADMIN_PW + "#AT+STMSG=" + "z" * 200,
                          ref=90)
    SIM.inject_sms(pdus[0])           # the second part never comes
    m = wait_for(lambda: next((m for m in inbox() if m["number"] ==
                               "+491709999995"), None), 30,
                 "the partial message after the timeout")
    check(m["text"].endswith("[...]") and m["status"] == "ignored",
          "an incomplete message is kept with a gap marker: %r" % m["text"][-20:])
    check(D.ctl_json("settings", "get", "STMSG")["value"] == before,
          "and is not run as a command")
    D.ctl("settings", "reset", "sms.concat_timeout")


def test_stored_while_down():
    D.stop()
    SIM.check("clear")
    SIM.store_sms(encode_deliver(FRIEND, "while down " + ADMIN_PW)[0])
    SIM.store_sms(encode_deliver("+491709999997", ADMIN_PW + "#AT+VER")[0])
    start_daemon()
    wait_for(lambda: any(m["text"] == "while down " + ADMIN_PW for m in inbox()),
             20, "stored message processed at start")
    wait_for(lambda: sent_texts(), 15, "reply to the stored command")
    check(sent_texts()[0][0] == "+491709999997"
          and sent_texts()[0][1].startswith("+VER:"),
          "a message stored while the daemon was down is processed at start")


def test_long_reply_concatenated():
    SIM.check("clear")
    welcome = "A long welcome message [with] {extension} chars ~ and more €"
    D.ctl("settings", "set", "STMSG", welcome)
    SIM.inject_sms(encode_deliver("+491709999996", ",".join(
        ["STMSG?;" + ADMIN_PW] * 5))[0])
    wait_for(lambda: sent_texts(), 20, "the long reply")
    want = "\n".join(["+STMSG:%s\nOK" % welcome] * 5)
    check(len(SIM.sent()) == 3, "long reply sent as %d parts" % len(SIM.sent()))
    check(sent_texts()[0][1] == want, "the parts join to the whole reply")
    # a reply too long for ten parts goes as up to three messages, split
    # between lines; beyond, it is cut, and says so
    SIM.check("clear")
    for p in encode_deliver("+491709999996", ",".join(["H;" + ADMIN_PW] * 16)):
        SIM.inject_sms(p)
    wait_for(lambda: len(sent_texts()) == 3, 30, "the three messages")
    got = [t for n, t in sent_texts()]
    rc, one = D.at("AT+H")
    full = "\n".join([one] * 16)
    joined = "\n".join(got)
    check(got[-1].endswith("[...]") and full.startswith(joined[:-5]) and
          all(len(t.encode()) <= 1500 for t in got) and
          all(full.startswith("\n".join(got[:i + 1]) + "\n")
              for i in range(2)),
          "an overlong reply: three messages split between lines, the "
          "last cut with [...] (%r)" % [len(t) for t in got])


def test_cms_error_retry_then_fail():
    SIM.check("clear")
    D.ctl("settings", "set", "sms.retries", "2")
    D.ctl("settings", "set", "sms.retry_delay", "1")
    SIM.check('fail AT+CMGS "+CMS ERROR: 500" 3')
    rc, out, err = D.ctl("--json", "sms", "send", "+491701111111", "doomed")
    mid = json.loads(out)["id"]

    def final():
        m = D.ctl_json("sms", "show", str(mid))
        return m["status"] in ("failed", "sent") and m
    m = wait_for(final, 30, "the message to fail")
    check(m["status"] == "failed" and m["attempts"] == 3
          and "500" in m["error"], "retried, then failed with the reason: %r"
          % m.get("error"))
    rc, out, err = D.ctl("sms", "show", str(mid))
    check("+CMS ERROR: 500" in out, "sms show shows the reason")
    SIM.check("clear")
    SIM.check('fail AT+CMGS "+CMS ERROR: 500" 1')
    rc, out, err = D.ctl("--json", "sms", "send", "+491701111112", "second try")
    mid = json.loads(out)["id"]
    m = wait_for(final, 30, "retry to succeed")
    check(m["status"] == "sent" and m["attempts"] == 1, "one error, then sent")
    SIM.check("clear")


def test_daily_limit_and_bad_input():
    D.ctl("settings", "set", "sms.daily_limit", "1")
    rc, out, err = D.ctl("sms", "send", "+491702222222", "over the cap")
    check(rc != 0 and "daily limit" in err, "daily cap refuses: %s" % err.strip())
    D.ctl("settings", "reset", "sms.daily_limit")
    for number, text, words in (("+49abc", "x", "phone number"),
                                ("+491702222222", "", "empty"),
                                ("+491702222222", "x" * 2000, "")):
        rc, out, err = D.ctl("sms", "send", number, text)
        check(rc != 0 and words in err, "refused: %s" % err.strip())


def test_kill9_bursts():
    rounds = int(os.environ.get("CG_SMS_KILL_ROUNDS", "5"))
    rnd = random.Random(1234)
    SIM.check("clear")
    D.ctl("settings", "set", "sms.daily_limit", "10000")
    expect_in = set()
    out_ids = []
    for r in range(rounds):
        for i in range(10):
            # each inbound is a command whose reply we count
            SIM.inject_sms(encode_deliver("+49171%07d" % (r * 100 + i),
                                          ADMIN_PW + "#AT+STMSG=r%dm%d" % (r, i))[0])
            expect_in.add("+49171%07d" % (r * 100 + i))
            rc, out, err = D.ctl("--json", "sms", "send", "+49172%07d" % (r * 100 + i),
                                 "out r%d m%d" % (r, i))
            if rc == 0:
                out_ids.append(json.loads(out)["id"])
        # kill at a random point of the burst (not a wait for anything)
        time.sleep(rnd.uniform(0.0, 0.3))
        D.kill9()
        start_daemon()
    settle(60)
    ins = inbox()
    numbers = [m["number"] for m in ins if m["number"] in expect_in]
    check(set(numbers) == expect_in, "no incoming message lost (%d/%d)"
          % (len(set(numbers)), len(expect_in)))
    check(len(numbers) == len(set(numbers)), "no incoming message stored twice")
    replies = [m for m in D.ctl_json("sms", "list", "--limit", "10000")
               if m["direction"] == "out" and m["number"] in expect_in]
    per = {}
    for m in replies:
        per[m["number"]] = per.get(m["number"], 0) + 1
    check(all(v == 1 for v in per.values()) and len(per) == len(expect_in),
          "every command processed exactly once (one reply each)")
    states = [D.ctl_json("sms", "show", str(i))["status"] for i in out_ids]
    check(all(s in ("sent", "uncertain") for s in states),
          "every outgoing message sent or uncertain (%s)" %
          {s: states.count(s) for s in set(states)})
    sent = [n for n, t in sent_texts()]
    dup = [n for n in set(sent) if sent.count(n) > 1]
    check(dup == [], "no message went out twice")


def main():
    global D, SIM
    D = Daemon()
    SIM = Sim.start(BUILDDIR, "generic", D.dir)
    D.write_conf('modem = { device = "%s"; };\n' % SIM.link)
    start_daemon()
    rc, out, err = D.ctl("passwd", "admin", input=ADMIN_PW + "\n")
    try:
        run_tests(test_strangers_get_silence, test_alphanumeric_sender,
                  test_password_gets_reply,
                  test_concatenated_ucs2_emoji, test_partial_kept_not_run,
                  test_stored_while_down,
                  test_long_reply_concatenated, test_cms_error_retry_then_fail,
                  test_daily_limit_and_bad_input, test_kill9_bursts)
    finally:
        D.cleanup()
        SIM.stop()


if __name__ == "__main__":
    main()
