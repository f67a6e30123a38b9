#!/bin/sh
# tests/fuzz/run_redact.sh: runs the redaction harness over its seed
# corpus plus the driver's generated inputs: no valid password may survive
# smscmd_redact, whatever surrounds it.
exec ./tests/fuzz/fuzz_redact "${srcdir:-.}"/tests/fuzz/corpus/redact/*
