# Helix: the two commands are `make run` and `make test`.
# Everything else is plumbing around tools/runner (helix-runner).

RUNNER  := cargo run -q -p helix-runner --
KTARGET := x86_64-unknown-none
# Directory holding a Limine binary release (limine-bios.sys, limine-bios-cd.bin,
# limine-uefi-cd.bin, BOOTX64.EFI, limine.c). Defaults to the ignored ./limine-bin
# when present.
LIMINE_DIR ?= $(if $(wildcard limine-bin/limine-bios.sys),$(CURDIR)/limine-bin,)

.PHONY: all setup build run test stress test-limine iso limine-fetch clippy fmt fmt-check bench debug clean help fuzz

all: build

help:
	@echo "make run          boot Helix in QEMU (offline PVH path), serial on this terminal"
	@echo "make test         host tests + in-QEMU suites; last line 'N passed, N failed'"
	@echo "make iso          hybrid BIOS+UEFI ISO with real Limine (needs LIMINE_DIR)"
	@echo "make test-limine  the in-QEMU suite booted from the ISO, SeaBIOS and OVMF"
	@echo "make stress       the structured hostile case alone, 1,000,000 calls, fresh seed"
	@echo "                  (SEED=<n> replays a seed, CALLS=<n> sets the calls)"
	@echo "make clippy | fmt | bench | debug | clean"

setup:
	@bash tools/setup.sh

build: setup
	@$(RUNNER) build

run: setup
	@$(RUNNER) run

test: setup
	@$(RUNNER) test

# The hostile case alone with more calls; SEED= replays a printed seed.
stress: setup
	@$(RUNNER) stress $(if $(SEED),--seed $(SEED)) $(if $(CALLS),--calls $(CALLS)) $(if $(SMP),--smp $(SMP))

limine-fetch:
	@bash tools/fetch-limine.sh

iso: setup
	@if [ -z "$(LIMINE_DIR)" ]; then \
	    echo "make iso: set LIMINE_DIR to a Limine 11.x binary release (see README), or run 'make limine-fetch' where the network allows"; \
	    exit 2; fi
	@$(RUNNER) iso --limine-dir "$(LIMINE_DIR)" --out build/helix.iso

test-limine: setup
	@if [ -z "$(LIMINE_DIR)" ]; then \
	    echo "make test-limine: set LIMINE_DIR to a Limine 11.x binary release (see README), or run 'make limine-fetch' where the network allows"; \
	    exit 2; fi
	@$(RUNNER) test-limine --limine-dir "$(LIMINE_DIR)"

clippy: setup
	@$(RUNNER) clippy

fmt:
	cargo fmt --all

fmt-check:
	cargo fmt --all -- --check

bench: setup
	@$(RUNNER) bench

# Replay fuzz/corpus on stable, then each cargo-fuzz target for FUZZ_SECONDS
# (default 60) when nightly and cargo-fuzz are installed (fuzz/run.sh).
fuzz:
	@FUZZ_SECONDS=$(or $(FUZZ_SECONDS),60) bash fuzz/run.sh

# Boot offline with QEMU's gdb stub on :1234, halted at the first instruction.
debug: setup
	@$(RUNNER) run --extra-qemu-args "-s -S"

clean:
	cargo clean
	rm -rf build
