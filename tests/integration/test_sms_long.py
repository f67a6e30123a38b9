"""test_sms_long.py: long concatenated messages in the message log (issue
12 item 6).  A message of 60 UCS-2 parts (12060 bytes of UTF-8, past the
old silent 10 KiB stop of reassembly) is kept whole; one of 170 parts
(34170 bytes) is kept up to the documented limit of 32 KiB, cut at a
character boundary and marked "[cut]".  The parts go through
cellgate-modemsim as the network delivers them (+CMTI, read, delete).
"""
import json

from cgtest import BUILDDIR, Daemon, check, run_tests, wait_for
from modemsim import Sim

D = None
SIM = None
LIMIT = 32 * 1024
CUT = "[cut]"
CHAR = "\u4e2d"             # 3 bytes of UTF-8, one UCS-2 unit
PER_PART = 67               # UCS-2 units in a part with an 8-bit ref UDH


def bcd(digits):
    if len(digits) % 2:
        digits += "F"
    return "".join(digits[i + 1] + digits[i] for i in range(0, len(digits), 2))


def deliver_part(sender, ref, total, seq, text, second):
    """SMS-DELIVER, UCS-2, with a concatenation UDH (8-bit reference)."""
    num = sender.lstrip("+")
    ud = "".join("%04X" % ord(c) for c in text)
    udh = "050003%02X%02X%02X" % (ref, total, seq)
    scts = bcd("260501120000")[:10] + bcd("%02d" % second) + "00"
    return ("00" + "44" + "%02X" % len(num) + "91" + bcd(num) + "00" + "08"
            + scts + "%02X" % (len(udh) // 2 + len(ud) // 2) + udh + ud)


def messages():
    return D.ctl_json("sms", "list", "--limit", "10000")


def send_long(sender, ref, parts, second):
    for seq in range(1, parts + 1):
        SIM.check("sms " + deliver_part(sender, ref, parts, seq,
                                        CHAR * PER_PART, second))
        if seq % 10 == 0:
            # let the daemon drain the SIM before the next burst
            wait_for(lambda: SIM.storage() == [], 60, "storage drained")

    def logged():
        return next((m for m in messages() if m["number"] == sender and
                     m["direction"] == "in" and m["status"] != "new"), None)
    m = wait_for(logged, 60, "the long message logged")
    return D.ctl_json("sms", "show", str(m["id"]))["text"]


def test_long_kept_whole():
    text = send_long("+491701110001", 7, 60, 1)
    want = CHAR * (60 * PER_PART)
    check(len(want.encode()) > 10 * 1024, "the message is over 10 KiB")
    check(text == want, "60 parts (12060 bytes) kept whole, unmarked "
          "(got %d bytes)" % len((text or "").encode()))


def test_too_long_cut_and_marked():
    text = send_long("+491701110002", 9, 170, 2)
    b = text.encode()
    check(text.endswith(CUT), "a cut is marked %r" % CUT)
    check(len(b) <= LIMIT and len(b) > LIMIT - 8,
          "kept up to the 32 KiB limit (%d bytes)" % len(b))
    body = text[:-len(CUT)]
    check(body == CHAR * len(body), "cut at a character boundary, what "
          "was kept is what the network delivered")


def main():
    global D, SIM
    D = Daemon(log_level="info")
    SIM = Sim.start(BUILDDIR, "generic", D.dir, verbose=False)
    D.write_conf('modem = { device = "%s"; };\n' % SIM.link)
    D.start()
    wait_for(lambda: D.ctl_json("status")["modem"]["state"] == "ready", 30,
             "modem ready")
    try:
        run_tests(test_long_kept_whole, test_too_long_cut_and_marked)
    finally:
        D.cleanup()
        SIM.stop()


if __name__ == "__main__":
    main()
