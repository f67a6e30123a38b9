"""test_sms_hooks.py: the programs run for messages (sms.on_receive,
sms.on_send, sms.hook_timeout; smstools3's eventhandler).

One hook program, written by the test, records each run (its environment
as execve gave it, its standard input, its pid) and then behaves as the
text asks: FAIL2 fails the first two runs, HANG1 hangs on the first run,
HANGK hangs on the first run (the daemon is killed meanwhile).  Checked:
a text with shell metacharacters arrives intact with exactly the five
CELLGATE_* variables; a password never reaches the program; a failing
hook is tried again by itself after a minute, then (sms retry) with the
delay doubled, and then succeeds; a hanging
one is killed at the timeout; a daemon killed while a hook runs runs it
exactly once more after the restart; hooks run one at a time in message
order; bad paths are refused at `settings set` and change nothing; a
sent message runs sms.on_send.
"""
import json
import os
import signal
import stat
import sys
import time

from cgtest import BUILDDIR, Daemon, SmsPeer, check, run_tests, wait_for
from modemsim import Sim

D = None
SIM = None
PEER = None
SUPER = "Sup3r-pw"
OWNER = "+491701000001"
STRANGER = "+491709000009"
HOOK = None
RUNS = None
KIDS = []

HOOK_SRC = r'''#!%(python)s
import json, os, sys, time
with open("/proc/self/environ", "rb") as f:
    env = dict(kv.split("=", 1) for kv in
               f.read().decode().split("\0") if kv)
text = sys.stdin.buffer.read().decode("utf-8", "replace")
runs_file = %(runs)r
prior = 0
if os.path.exists(runs_file):
    with open(runs_file) as f:
        prior = sum(1 for l in f
                    if json.loads(l)["env"].get("CELLGATE_SMS_ID") ==
                    env.get("CELLGATE_SMS_ID") and
                    json.loads(l)["env"].get("CELLGATE_EVENT") ==
                    env.get("CELLGATE_EVENT"))
with open(runs_file, "a") as f:
    f.write(json.dumps({"env": env, "stdin": text, "pid": os.getpid(),
                        "run": prior + 1, "t": time.time()}) + "\n")
sys.stderr.write("\x1b[2Jhook saw %%d bytes\n" %% len(text))
sys.stderr.flush()
if text.startswith("FAIL2") and prior < 2:
    sys.exit(3)
if text.startswith("HANG") and prior == 0:
    time.sleep(1000)
sys.exit(0)
'''


def runs(sms_id=None, event="received"):
    if not os.path.exists(RUNS):
        return []
    with open(RUNS) as f:
        rs = [json.loads(l) for l in f if l.strip()]
    return [r for r in rs if sms_id is None or
            (r["env"]["CELLGATE_SMS_ID"] == str(sms_id) and
             r["env"]["CELLGATE_EVENT"] == event)]


def hooks(sms_id):
    return D.ctl_json("sms", "show", str(sms_id))["hooks"]


def hook_state(sms_id):
    h = hooks(sms_id)
    return h[0]["state"] if h else None


def last_in():
    return max(m["id"] for m in PEER.messages() if m["direction"] == "in")


def rfc3339_secs(t):
    import calendar
    return calendar.timegm(time.strptime(t, "%Y-%m-%dT%H:%M:%SZ"))


def test_bad_paths_refused():
    notexec = os.path.join(D.dir, "notexec")
    with open(notexec, "w") as f:
        f.write("#!/bin/sh\n")
    for value, want in (("hook.sh", "not an absolute path"),
                        (notexec, "not an executable file"),
                        (D.dir, "not an executable file"),
                        (D.dir + "/missing", "No such file"),
                        (HOOK + " --arg", "no arguments")):
        rc, out, err = D.ctl("settings", "set", "sms.on_receive", value)
        check(rc != 0 and want in err, "sms.on_receive=%r refused: %r"
              % (value, err.strip()))
    check(D.ctl_json("settings", "get", "sms.on_receive")["value"] == "",
          "sms.on_receive unchanged")
    rc, out, err = D.ctl("settings", "set", "sms.hook_timeout", "0")
    check(rc != 0 and "1..3600" in err, "hook_timeout 0 refused: %r"
          % err.strip())
    r = PEER.sms(OWNER, "%s#AT+sms.on_receive=%s" % (SUPER, HOOK))
    check(r is not None and "only be changed with cellgatectl" in r,
          "a hook cannot be set by SMS: %r" % r)
    rc, out, err = D.ctl("settings", "set", "sms.on_receive", HOOK)
    check(rc == 0, "an absolute executable path is accepted: %r" % err)


def test_metacharacters_and_environment():
    # (";" is left out: in the command language it comes before a
    # password, and the log and the hook see what follows it as "***")
    text = "hi $(touch /tmp/pwned) `id` && rm -rf * | cat > x 'q' \"z\" \\ %s\n!"
    PEER.sms(STRANGER, text)
    sid = last_in()
    wait_for(lambda: hook_state(sid) == "done", 20, "hook done")
    rs = runs(sid)
    check(len(rs) == 1, "the hook ran once: %d" % len(rs))
    check(rs[0]["stdin"] == text, "the text arrives intact on stdin: %r"
          % rs[0]["stdin"])
    env = rs[0]["env"]
    check(sorted(env) == ["CELLGATE_EVENT", "CELLGATE_SMS_CODING",
                          "CELLGATE_SMS_ID", "CELLGATE_SMS_NUMBER",
                          "CELLGATE_SMS_TIME"],
          "a clean environment with the five variables: %s" % sorted(env))
    check(env["CELLGATE_EVENT"] == "received" and
          env["CELLGATE_SMS_NUMBER"] == STRANGER and
          env["CELLGATE_SMS_CODING"] == "ucs2", "their values: %s" % env)
    check(abs(rfc3339_secs(env["CELLGATE_SMS_TIME"]) - time.time()) < 120,
          "CELLGATE_SMS_TIME is RFC 3339 UTC: %s" % env["CELLGATE_SMS_TIME"])
    check(not os.path.exists("/tmp/pwned"), "no shell ran the text")
    log = D.read_log()
    check("sms.on_receive: \\x1b[2Jhook saw %d bytes" % len(text.encode())
          in log and "\x1b" not in log,
          "its standard error is logged, escaped")
    h = hooks(sid)[0]
    check(h["tries"] == 1 and h["result"] == "exit 0",
          "sms show: the hook's state: %s" % h)
    rc, out, err = D.ctl("sms", "show", str(sid))
    check("hook received: done, 1 tries, exit 0" in out,
          "sms show prints the hook: %r" % out)


def test_password_never_seen():
    PEER.sms(STRANGER, "%s#AT+VER?" % SUPER)
    sid = last_in()
    wait_for(lambda: hook_state(sid) == "done", 20, "hook done")
    r = runs(sid)[0]
    check(r["stdin"].startswith("***#AT+VER"), "the text is redacted: %r"
          % r["stdin"])
    with open(RUNS) as f:
        check(SUPER not in f.read(), "the hook never saw the password")


def test_fails_twice_then_succeeds():
    PEER.sms(STRANGER, "FAIL2 please")
    sid = last_in()
    wait_for(lambda: len(runs(sid)) == 1 and hooks(sid)[0]["state"] ==
             "pending", 20, "first failure")
    h = hooks(sid)[0]
    check(h["tries"] == 1 and h["result"] == "exit 3",
          "a failure is recorded: %s" % h)
    delay1 = rfc3339_secs(h["next_try"]) - rfc3339_secs(h["updated"])
    check(delay1 == 60, "first retry after 60 s: %d" % delay1)
    # a later message waits for it: hooks run in message order
    PEER.sms(STRANGER, "after FAIL2")
    later = last_in()
    check(hook_state(later) == "pending" and runs(later) == [],
          "the next message's hook waits for the earlier one")
    # the first retry comes from the daemon's own timer, a minute on
    wait_for(lambda: len(runs(sid)) == 2 and hooks(sid)[0]["state"] ==
             "pending", 120, "second failure", interval=0.5)
    gap = runs(sid)[1]["t"] - runs(sid)[0]["t"]
    check(gap >= 59, "tried again by itself, not before its delay: %.1f s"
          % gap)
    h = hooks(sid)[0]
    delay2 = rfc3339_secs(h["next_try"]) - rfc3339_secs(h["updated"])
    check(h["tries"] == 2 and delay2 == 120,
          "second failure: the delay doubles: %d (%s)" % (delay2, h))
    D.ctl("sms", "retry", str(sid))
    wait_for(lambda: hook_state(sid) == "done", 20, "third run succeeds")
    check(hooks(sid)[0]["tries"] == 3 and len(runs(sid)) == 3,
          "done after three runs")
    wait_for(lambda: hook_state(later) == "done", 20, "later hook done")
    order = [int(r["env"]["CELLGATE_SMS_ID"]) for r in runs()]
    check(order.index(later) > max(i for i, x in enumerate(order) if x == sid),
          "the later message's hook ran after the earlier one's success")
    rc, out, err = D.ctl("sms", "retry", str(sid))
    check(rc != 0 and "no hook waiting" in err, "nothing to retry: %r"
          % err.strip())


def test_hang_killed_at_timeout():
    D.ctl("settings", "set", "sms.hook_timeout", "2")
    PEER.sms(STRANGER, "HANG1 forever")
    sid = last_in()
    wait_for(lambda: len(runs(sid)) == 1, 20, "hook started")
    pid = runs(sid)[0]["pid"]
    KIDS.append(pid)
    wait_for(lambda: hooks(sid)[0]["state"] == "pending", 20, "timeout")
    h = hooks(sid)[0]
    check(h["result"] == "killed after 2 s (sms.hook_timeout)",
          "killed at the timeout: %s" % h)
    check(wait_for(lambda: not os.path.exists("/proc/%d" % pid) or
                   open("/proc/%d/stat" % pid).read().split()[2] == "Z",
                   10, "hook gone"), "the hung program is gone")
    D.ctl("sms", "retry", str(sid))
    wait_for(lambda: hook_state(sid) == "done", 20, "second run done")
    D.ctl("settings", "reset", "sms.hook_timeout")


def test_killed_daemon_runs_hook_once_more():
    PEER.sms(STRANGER, "HANGK while the daemon dies")
    sid = last_in()
    wait_for(lambda: len(runs(sid)) == 1, 20, "hook started")
    KIDS.append(runs(sid)[0]["pid"])
    check(hook_state(sid) == "running", "sms show: running")
    D.kill9()
    D.start()
    wait_for(lambda: hook_state(sid) == "done", 30, "hook done after restart")
    check(len(runs(sid)) == 2, "it ran once more after the restart: %d"
          % len(runs(sid)))
    # a clean restart and a later message: it does not run a third time
    D.stop()
    D.start()
    PEER.sms(STRANGER, "after restart")
    later = last_in()
    wait_for(lambda: hook_state(later) == "done", 30, "later hook done")
    check(len(runs(sid)) == 2, "exactly once more: %d runs" % len(runs(sid)))


def test_on_send():
    D.ctl("settings", "set", "sms.on_send", HOOK)
    rc, out, err = D.ctl("--json", "sms", "send", OWNER, "hook me; $(x)")
    check(rc == 0, "sms send: %r" % err)
    sid = json.loads(out)["id"]
    wait_for(lambda: hooks(sid) and hooks(sid)[0]["state"] == "done", 30,
             "on_send hook done")
    r = runs(sid, "sent")
    check(len(r) == 1 and r[0]["stdin"] == "hook me; $(x)" and
          r[0]["env"]["CELLGATE_SMS_NUMBER"] == OWNER and
          r[0]["env"]["CELLGATE_SMS_CODING"] == "gsm7",
          "sms.on_send ran for the sent message: %s" % r)
    D.ctl("settings", "reset", "sms.on_send")


def main():
    global D, SIM, PEER, HOOK, RUNS
    D = Daemon()
    SIM = Sim.start(BUILDDIR, "generic", D.dir)
    PEER = SmsPeer(D, SIM)
    HOOK = os.path.join(D.dir, "hook.py")
    RUNS = os.path.join(D.dir, "runs.jsonl")
    with open(HOOK, "w") as f:
        f.write(HOOK_SRC % {"python": sys.executable, "runs": RUNS})
    os.chmod(HOOK, stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP)
    D.write_conf('modem = { device = "%s"; };\n' % SIM.link)
    D.start()
    wait_for(lambda: D.ctl_json("status")["modem"]["state"] == "ready", 30,
             "modem ready")
    D.ctl("passwd", "superadmin", input=SUPER + "\n")
    D.ctl("phonebook", "add", "1", OWNER, "role=admin",
          "password=not-required")
    try:
        run_tests(test_bad_paths_refused, test_metacharacters_and_environment,
                  test_password_never_seen, test_fails_twice_then_succeeds,
                  test_hang_killed_at_timeout,
                  test_killed_daemon_runs_hook_once_more, test_on_send)
    finally:
        for pid in KIDS:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        D.cleanup()
        SIM.stop()


if __name__ == "__main__":
    main()
