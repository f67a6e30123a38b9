#!/bin/sh
# run_pdu.sh: runs the PDU fuzz harness over its seed corpus plus the
# driver's mutated inputs (make check; cwd = builddir, $srcdir exported).
exec ./tests/fuzz/fuzz_pdu "${srcdir:-.}"/tests/fuzz/corpus/pdu/*
