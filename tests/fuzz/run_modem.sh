#!/bin/sh
# run_modem.sh: run the modem parsers' fuzz harness over its seed corpus
# plus the driver's mutated inputs (make check; cwd is the build directory).
exec ./tests/fuzz/fuzz_modem "$srcdir"/tests/fuzz/corpus/modem/*
