#!/bin/sh
# tests/fuzz/run_parsers.sh: the fuzz harnesses of the data port's byte
# path, the RFC2217 frames, the HTTPD URL and the text helpers, over their
# seed corpora plus the standalone driver's generated inputs (make check).
set -e
s=${srcdir:-.}
for h in rfc2217 dataport http text; do
	./tests/fuzz/fuzz_$h "$s"/tests/fuzz/corpus/$h/*
done
