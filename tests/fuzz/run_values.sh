#!/bin/sh
# tests/fuzz/run_values.sh: runs the harnesses of the setting values, the
# control requests' arguments, cellgatectl's reading of answers, the USB
# selector, pppd's link pid file and the stored cloud events over their
# seed corpora plus the driver's generated inputs.
set -e
s=${srcdir:-.}
for h in setval ctlargs ctlreply usb pppd cloudev; do
	./tests/fuzz/fuzz_$h "$s"/tests/fuzz/corpus/$h/*
done
