#!/usr/bin/env bash
# make fuzz: replay the saved corpus on stable, then run each cargo-fuzz
# target for FUZZ_SECONDS (default 60) when nightly and cargo-fuzz exist.
# New inputs go to fuzz/work/<target>/ (not committed); crashes to
# fuzz/artifacts/<target>/. Keep the interesting small ones under
# fuzz/corpus/<target>/ (cargo +nightly fuzz cmin helps).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-60}"
targets=(elf native wasm manifest)

echo "fuzz: replaying fuzz/corpus through the parsers (stable)"
cargo test -q -p helix-mod --test fuzz_corpus

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz: no nightly toolchain (rustup toolchain install nightly --profile minimal); replay done, fuzzing skipped"
    exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: cargo-fuzz is not installed (cargo install cargo-fuzz); replay done, fuzzing skipped"
    exit 0
fi
for t in "${targets[@]}"; do
    mkdir -p "fuzz/work/$t" "fuzz/corpus/$t"
    echo "fuzz: $t for ${seconds}s"
    (cd fuzz && cargo +nightly fuzz run "$t" "work/$t" "corpus/$t" -- \
        -max_total_time="$seconds" -max_len=65536 -print_final_stats=1)
done
echo "fuzz: done; findings in fuzz/artifacts/ (none means no crash)"
