#!/bin/sh
# tests/fuzz/run_io.sh: runs the io module's fuzz harness (w1_slave and
# sensor parsers, thresholds, gpio specs, the I/O commands' arguments)
# over its seed corpus plus the driver's generated inputs.
set -e
s=${srcdir:-.}
FUZZ_ROUNDS=3000 ./tests/fuzz/fuzz_io "$s"/tests/fuzz/corpus/io/*
