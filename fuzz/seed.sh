#!/usr/bin/env bash
# Regenerates the seed corpora from the wire captures in $CAPTURES (default
# /work/shared/captures/*.raw.txt). In a capture, `<` headers are followed by server -> client
# hex bytes and `>` headers by client -> server ones. Each seed is one direction of one capture,
# behind the two header bytes the targets read (see fuzz_targets/negotiator.rs):
#   <capture>.server.*  - what the client sent, fed to a server negotiator (role byte bit 0 = 0)
#   <capture>.client.*  - what the server sent, fed to a client negotiator (role byte bit 0 = 1)
#   *.a: flags 0xC0|role (chunks of up to 512 bytes), limit byte 0xFF (4096)
#   *.b: flags 0x70|role (chunks of up to 8 bytes, early drops, API calls), limit byte 0x00 (64)
# The same files seed the parser target (which reads the header bytes its own way).
set -euo pipefail
cd "$(dirname "$0")"
CAPTURES=${CAPTURES:-/work/shared/captures}
neg=corpus/negotiator
par=corpus/parser
mkdir -p "$neg" "$par"

# Prints the hex of one direction ('<' or '>') of a capture, one line per segment.
direction() {
    awk -v dir="$1" '/^[<>]/ { take = (substr($0, 1, 1) == dir); next } take' "$2"
}

n=0
for raw in "$CAPTURES"/*.raw.txt; do
    name=$(basename "$raw" .raw.txt)
    for spec in "server:>:00" "client:<:01"; do
        IFS=: read -r role dir bit <<<"$spec"
        hex=$(direction "$dir" "$raw")
        [ -n "$hex" ] || continue
        for variant in "a:c0:ff" "b:70:00"; do
            IFS=: read -r tag flags limit <<<"$variant"
            out="$neg/$name.$role.$tag"
            printf '%02x%s\n' $((0x$flags | 0x$bit)) "$limit" | xxd -r -p >"$out"
            printf '%s\n' "$hex" | xxd -r -p >>"$out"
            cp "$out" "$par/"
            n=$((n + 1))
        done
    done
done
# A few hand-made seeds for the output bound: a peer toggling options whose enabling makes us
# send a long subnegotiation (server: CHARSET REQUEST, NEW_ENVIRON SEND; client: NEW_ENVIRON IS
# answering SEND). Flags/limit as above; `repeat N HEX` repeats one hex string N times.
repeat() { local i; for ((i = 0; i < $1; i++)); do printf '%s' "$2"; done; }
handmade() { printf '%s\n' "$2" | xxd -r -p >"$neg/$1"; cp "$neg/$1" "$par/"; n=$((n + 1)); }
handmade toggle-charset.server "c0ff$(repeat 50 fffb2afffc2a)"
handmade toggle-environ.server "c0fffffb18fffa180078fff0$(repeat 50 fffb27fffc27)"
handmade environ-send.client "c1fffffd27$(repeat 50 fffa2701fff0)"
handmade status-send.client "f1fffffd05$(repeat 50 fffa0501fff0)"

# The mccp target: zlib streams (flags 0x10: chunks of up to 8 bytes, steps of up to 16 bytes;
# 0x2c: all at once, steps of up to 4096), sync-flushed or finished, and round-trip inputs
# (flags bit 0).
mccp=corpus/mccp
mkdir -p "$mccp"
python3 - "$mccp" <<'PY'
import sys, zlib
out = sys.argv[1]
texts = [b"You are in a maze of twisty passages.\r\n" * 20, bytes(range(256)) * 4, b"\0" * 65536]
for i, text in enumerate(texts):
    for flags, finish in ((0x10, True), (0x2c, False)):
        z = zlib.compressobj()
        wire = z.compress(text) + (z.flush() if finish else z.flush(zlib.Z_SYNC_FLUSH))
        open(f"{out}/stream{i}.{flags:02x}", "wb").write(bytes([flags]) + wire + b"plain\r\n")
    open(f"{out}/roundtrip{i}", "wb").write(bytes([0x23]) + text[:4096])
PY
n=$((n + 9))

echo "wrote $n seeds to $neg, $par and $mccp"
