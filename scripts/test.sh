#!/usr/bin/env bash
# The project's test command: installs what the suite needs, then runs all of it.
# Usage: scripts/test.sh [extra cargo test args]
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
    echo "error: cargo not found; install a Rust toolchain (https://rustup.rs) first" >&2
    exit 2
fi

# Unit, integration, property and doc tests, plus every example and benchmark built.
cargo test --all-targets "$@"
cargo test --doc "$@"
# Documentation builds without warnings (broken intra-doc links fail here).
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet
