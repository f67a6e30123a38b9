"""test_sms_send_progress.py: an outgoing SMS is `uncertain` only when
its PDU may have gone out.  The real cellgated against cellgate-modemsim,
driven from outside (`cellgatectl sms send`, the simulator's faults, its
list of what went to the network, SIGKILL):

- a recovery (the modem restarts, or a command it never answers) or a
  port loss while a message waits in the AT queue, or with its AT+CMGS
  line written and no prompt yet: sent after, exactly once, none
  uncertain, no attempt counted;
- SIGKILL while the daemon waits for the "> " prompt: sent once after the
  restart;
- SIGKILL after the PDU was written and before +CMGS: uncertain, never
  sent again;
- with sms.send_via_storage: the AT+CMSS answer lost and SIGKILL: after
  the restart the stored copy reads STO SENT, so the message is `sent`
  (once), and the copy is deleted; a message whose AT+CMGW answer was lost
  is found among the unsent copies (AT+CMGL=2) and sent once from there,
  never uncertain; a long message goes part by part, each copy deleted;
  a copy whose delete the modem refused is deleted after the next ready.
"""
import json

from cgtest import BUILDDIR, SmsPeer, Daemon, check, run_tests, wait_for
from modemsim import Sim

D = None
SIM = None
N = [0]


def ready():
    rc, out, err = D.ctl("status", json_out=True)
    return rc == 0 and json.loads(out)["modem"]["state"] == "ready"


def start():
    D.start()
    wait_for(ready, 60, "modem ready")


def send(text):
    """Queue a message to a number of its own; (id, number)."""
    N[0] += 1
    number = "+4917755%05d" % N[0]
    r = D.ctl_json("sms", "send", number, text)
    return r["id"], number


def show(mid):
    return D.ctl_json("sms", "show", str(mid))


def sent_to(number):
    """How many PDUs to number went to the network."""
    return sum(1 for s in SIM.sent()
               if SmsPeer.decode(s["pdu"])["number"] == number)


def command_seen(prefix):
    return any(c.startswith(prefix) for c in SIM.commands())


def status_is(mid, *want):
    return show(mid)["status"] in want


def test_recovery_before_pdu():
    """Written command line, no prompt, then the modem restarts."""
    SIM.clear()
    SIM.hang(True)
    mid, num = send("wait in the queue")
    wait_for(lambda: command_seen("AT+CMGS="), 20, "AT+CMGS line written")
    check(show(mid)["progress"] == "prompt",
          "waiting for the prompt: its AT+CMGS recorded, nothing of the "
          "PDU written")
    SIM.hang(False)
    SIM.urc("RDY")      # a restart sign: initialised again
    wait_for(lambda: status_is(mid, "sent", "uncertain", "failed"), 60,
             "message done after the recovery")
    m = show(mid)
    check(m["status"] == "sent", "sent after the recovery (%s)" % m["status"])
    check(sent_to(num) == 1, "went out exactly once (%d)" % sent_to(num))
    check(m["attempts"] == 0, "no attempt counted for an unsent command")


def test_recovery_while_queued():
    """AT+CMGS waits in the AT queue behind a command the modem never
    answers; its timeout starts a recovery, which flushes the queue."""
    import subprocess
    from cgtest import CELLGATECTL
    SIM.clear()
    SIM.hang(True)
    raw = subprocess.Popen([CELLGATECTL, "-s", D.socket, "modem", "at",
                            "AT+CGMI"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    wait_for(lambda: command_seen("AT+CGMI"), 20, "a command in flight")
    mid, num = send("queued behind it")
    wait_for(lambda: "starting recovery" in D.read_log(), 30,
             "the recovery")
    SIM.hang(False)
    raw.wait(30)
    wait_for(lambda: status_is(mid, "sent", "uncertain", "failed"), 60,
             "message done after the recovery")
    m = show(mid)
    check(m["status"] == "sent", "sent after the recovery (%s)" % m["status"])
    check(sent_to(num) == 1, "went out exactly once (%d)" % sent_to(num))
    check(m["attempts"] == 0, "no attempt counted for a command never "
          "written")


def test_port_loss_before_pdu():
    """Three messages waiting; the port goes away and comes back."""
    SIM.clear()
    SIM.hang(True)
    msgs = [send("port loss %d" % i) for i in range(3)]
    wait_for(lambda: command_seen("AT+CMGS="), 20, "AT+CMGS line written")
    SIM.unplug()
    SIM.hang(False)
    SIM.replug()
    wait_for(lambda: all(status_is(m, "sent", "uncertain", "failed")
                         for m, n in msgs), 90, "all done after the replug")
    check(all(show(m)["status"] == "sent" for m, n in msgs),
          "all three sent after the port came back")
    check(all(sent_to(n) == 1 for m, n in msgs),
          "each went out exactly once (%s)"
          % [sent_to(n) for m, n in msgs])


def test_kill_at_prompt():
    SIM.clear()
    SIM.hang(True)
    mid, num = send("killed at the prompt")
    wait_for(lambda: command_seen("AT+CMGS="), 20, "AT+CMGS line written")
    D.kill9()
    SIM.hang(False)
    start()
    wait_for(lambda: status_is(mid, "sent", "uncertain", "failed"), 60,
             "message done after the restart")
    check(show(mid)["status"] == "sent", "sent after the restart, not "
          "uncertain (%s)" % show(mid)["status"])
    check(sent_to(num) == 1, "went out exactly once (%d)" % sent_to(num))


def test_kill_after_pdu():
    SIM.clear()
    SIM.fault("AT+CMGS", "silent")
    mid, num = send("killed after the PDU")
    wait_for(lambda: sent_to(num) == 1, 20, "PDU at the network")
    check(show(mid)["progress"] == "sent-pdu",
          "committed before the PDU was written")
    D.kill9()
    SIM.check("nofail")
    start()
    wait_for(lambda: status_is(mid, "uncertain", "sent", "failed"), 20,
             "message judged after the restart")
    check(show(mid)["status"] == "uncertain",
          "PDU written, no +CMGS: uncertain (%s)" % show(mid)["status"])
    # another message goes through the queue after it: the uncertain one
    # was not sent again meanwhile
    mid2, num2 = send("after the uncertain one")
    wait_for(lambda: status_is(mid2, "sent"), 30, "next message sent")
    check(sent_to(num) == 1, "never sent again (%d)" % sent_to(num))


def test_storage_kill_after_cmss():
    SIM.clear()
    D.ctl("settings", "set", "sms.send_via_storage", "on")
    SIM.fault("AT+CMSS", "lost")
    mid, num = send("through storage")
    wait_for(lambda: sent_to(num) == 1, 20, "sent from storage")
    wait_for(lambda: command_seen("AT+CMSS="), 20, "AT+CMSS written")
    m = show(mid)
    check(m["progress"] == "stored" and m["store_index"] is not None,
          "its slot committed before AT+CMSS (%s, %s)"
          % (m["progress"], m["store_index"]))
    D.kill9()
    SIM.check("nofail")
    start()
    wait_for(lambda: status_is(mid, "sent", "uncertain", "failed"), 30,
             "message resolved after the restart")
    check(show(mid)["status"] == "sent",
          "STO SENT read back: sent (%s)" % show(mid)["status"])
    check(command_seen("AT+CMGR=%d" % m["store_index"]),
          "the stored copy was read back")
    check(sent_to(num) == 1, "went out exactly once (%d)" % sent_to(num))
    wait_for(lambda: SIM.storage() == [], 20, "the stored copy deleted")
    D.ctl("settings", "set", "sms.send_via_storage", "off")


def test_storage_write_lost():
    SIM.clear()
    D.ctl("settings", "set", "sms.send_via_storage", "on")
    SIM.fault("AT+CMGW", "silent")
    mid, num = send("write lost")
    wait_for(lambda: len(SIM.storage()) == 1, 20, "copy stored")
    check(show(mid)["progress"] == "write-pdu",
          "written to storage, slot not known")
    D.kill9()
    SIM.check("nofail")
    start()
    wait_for(lambda: status_is(mid, "sent", "uncertain", "failed"), 30,
             "message done after the restart")
    check(show(mid)["status"] == "sent",
          "sent, not uncertain (%s)" % show(mid)["status"])
    check(sent_to(num) == 1, "went out exactly once (%d)" % sent_to(num))
    check(sum(1 for c in SIM.commands() if c.startswith("AT+CMGW=")) == 1,
          "the copy found among the unsent ones, not written again")
    wait_for(lambda: SIM.storage() == [], 20, "the stored copy deleted")
    D.ctl("settings", "set", "sms.send_via_storage", "off")


def test_storage_long_message():
    """Three parts through storage: each written, sent and deleted."""
    SIM.clear()
    D.ctl("settings", "set", "sms.send_via_storage", "on")
    mid, num = send("part " * 80)
    wait_for(lambda: status_is(mid, "sent", "uncertain", "failed"), 30,
             "long message done")
    m = show(mid)
    check(m["status"] == "sent" and m["parts_sent"] == m["parts"] == 3,
          "all %s parts sent (%s)" % (m["parts"], m["status"]))
    check(sent_to(num) == 3, "each part went out once (%d PDUs)"
          % sent_to(num))
    check(len(m["mr"].split()) == 3, "a reference per part (%s)" % m["mr"])
    wait_for(lambda: SIM.storage() == [], 20, "the stored copies deleted")
    D.ctl("settings", "set", "sms.send_via_storage", "off")


def test_storage_delete_failed():
    """The delete of a sent part's copy refused: tried again after the
    next ready (here after the port was lost and came back), the slot
    read back first."""
    SIM.clear()
    D.ctl("settings", "set", "sms.send_via_storage", "on")
    SIM.fail("AT+CMGD", "ERROR")
    mid, num = send("delete refused")
    wait_for(lambda: status_is(mid, "sent", "uncertain", "failed"), 30,
             "message done")
    check(show(mid)["status"] == "sent", "sent (%s)" % show(mid)["status"])
    wait_for(lambda: command_seen("AT+CMGD="), 20, "the delete tried")
    st = SIM.storage()
    check(len(st) == 1, "the refused delete left the copy: %r" % st)
    slot = st[0]["index"] if st else None
    SIM.unplug()
    SIM.replug()
    wait_for(lambda: SIM.storage() == [], 60,
             "the copy deleted after the modem came back")
    check(slot is None or command_seen("AT+CMGR=%d" % slot),
          "read back before the delete")
    check(sent_to(num) == 1, "went out once (%d)" % sent_to(num))
    wait_for(ready, 60, "modem ready")
    D.ctl("settings", "set", "sms.send_via_storage", "off")


def setup():
    global D, SIM
    D = Daemon(log_level="debug")
    SIM = Sim.start(BUILDDIR, "generic", D.dir)
    D.write_conf('modem = { device = "%s"; };\n' % SIM.link)
    start()


def teardown():
    try:
        D.cleanup()
    finally:
        SIM.stop()


if __name__ == "__main__":
    setup()
    try:
        run_tests(test_recovery_before_pdu, test_recovery_while_queued,
                  test_port_loss_before_pdu,
                  test_kill_at_prompt, test_kill_after_pdu,
                  test_storage_kill_after_cmss, test_storage_write_lost,
                  test_storage_long_message, test_storage_delete_failed)
    finally:
        teardown()
