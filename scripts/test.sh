#!/usr/bin/env bash
# The project's test command: installs what the suite needs, then runs all of it.
# Usage: scripts/test.sh [extra cargo test args]
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
    echo "error: cargo not found; install a Rust toolchain (https://rustup.rs) first" >&2
    exit 2
fi

# The real telnet peers the interop tests (tests/interop_*.rs) talk to; with them installed,
# TELNETLIB3_INTEROP=1 makes a missing peer a test failure instead of a skip.
PEERS=$(scripts/install-peers.sh | tail -n 1)
export TELNETLIB3_PEERS="$PEERS" TELNETLIB3_INTEROP=1

# The examples as programs (tests run some of them), then unit, integration, property and doc
# tests, with every example and benchmark built.
cargo build --examples
cargo test --all-targets "$@"
cargo test --doc "$@"
# Documentation builds without warnings (broken intra-doc links fail here).
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet
