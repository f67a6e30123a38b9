"""test_pdu_cli.py: `cellgatectl pdu decode|encode`, offline (no daemon).

Decodes a real PDU (python-gsmmodem test/test_pdu.py vector, also in
tests/vectors/pdu_pygsmmodem.json) into the SPEC's JSON fields; refuses bad
input with a one-line reason and a non-zero exit; encodes long text and emoji
into concatenated parts that decode back to the same text.
"""
import json
import subprocess

from cgtest import CELLGATECTL, check, run_tests

# python-gsmmodem test/test_pdu.py: SMS-DELIVER "How are you?"
PDU = "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07"


def ctl(*args):
    p = subprocess.run([CELLGATECTL] + list(args), capture_output=True,
                       text=True, timeout=20)
    return p.returncode, p.stdout, p.stderr


def test_decode():
    rc, out, err = ctl("--json", "pdu", "decode", PDU)
    check(rc == 0, "decode exits 0")
    o = json.loads(out)
    for k, v in (("type", "deliver"), ("smsc", "+31624000000"),
                 ("number", "+31641600986"), ("coding", "gsm7"),
                 ("text", "How are you?"),
                 ("timestamp", "2002-08-26T19:37:41+00:00"),
                 ("class", None), ("concat", None)):
        check(o.get(k) == v, "decode %s = %r (got %r)" % (k, v, o.get(k)))
    check("data_hex" in o, "decode has data_hex")
    rc, out, err = ctl("pdu", "decode", PDU)
    check(rc == 0 and "Text: How are you?" in out, "text view")


def test_decode_errors():
    for bad, why in (("0791", "truncated"), ("XYZ", "hex"), ("123", "odd"),
                     ("", "")):
        rc, out, err = ctl("pdu", "decode", bad)
        check(rc != 0 and err.count("\n") == 1 and out == "",
              "invalid PDU %r refused: %s" % (bad, err.strip()))
    rc, out, err = ctl("pdu", "decode", PDU[:-4])
    check(rc != 0, "truncated user data refused")


def test_encode_roundtrip():
    text = "Grüße aus Köln € [x] " * 12 + " 😀 done"
    rc, out, err = ctl("--json", "pdu", "encode", "--ref", "7", "+491701234567", text)
    check(rc == 0, "encode exits 0")
    o = json.loads(out)
    parts = o["parts"]
    check(o["coding"] == "ucs2" and len(parts) > 1, "emoji → UCS-2, several parts")
    got = []
    for i, p in enumerate(parts):
        rc, out, err = ctl("--json", "pdu", "decode", p["pdu"])
        d = json.loads(out)
        check(rc == 0 and d["type"] == "submit" and d["number"] == "+491701234567"
              and {k: d["concat"][k] for k in ("ref", "part", "parts")}
              == {"ref": 7, "part": i + 1, "parts": len(parts)},
              "part %d decodes with its concat header" % (i + 1))
        check(p["length"] * 2 + 2 == len(p["pdu"]), "part %d length is the TPDU length" % (i + 1))
        got.append(d["text"])
    check("".join(got) == text, "parts join to the original text")
    rc, out, err = ctl("pdu", "encode", "+491701234567", "plain text")
    check(rc == 0 and len(out.splitlines()) == 1, "short GSM text: one part")
    rc, out, err = ctl("--json", "pdu", "encode", "--deliver", "+4930123", "hi")
    check(rc == 0 and json.loads(ctl("--json", "pdu", "decode",
                                     json.loads(out)["parts"][0]["pdu"])[1])["type"] == "deliver",
          "--deliver makes an SMS-DELIVER")
    rc, out, err = ctl("pdu", "encode", "--class", "9", "+49", "x")
    check(rc != 0 and "class" in err, "bad option value refused")
    rc, out, err = ctl("pdu", "encode", "+4917", "bad \xff utf8".encode("latin-1").decode("utf-8", "surrogateescape"))
    check(rc != 0, "invalid UTF-8 text refused")


if __name__ == "__main__":
    run_tests(test_decode, test_decode_errors, test_encode_roundtrip)
