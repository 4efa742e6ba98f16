#!/usr/bin/env bash
# Installs the real telnet peers the interop tests talk to (see tests/interop*.rs):
# Debian's inetutils telnet/telnetd, busybox's telnetd applet (unpacked from busybox-static),
# socat, expect, tmux, openssl, plink, libtelnet's tools, tintin++, and Python's telnetlib3 5.0.1
# and miniboa in a venv. Idempotent: what is there already is not installed again.
# Prints the peers directory (export it as TELNETLIB3_PEERS) on its last line.
set -euo pipefail

PEERS="${TELNETLIB3_PEERS:-$HOME/.cache/telnet-peers}"
mkdir -p "$PEERS"

SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "install-peers: not root and no sudo; cannot install Debian packages" >&2
        exit 1
    fi
fi

packages=(inetutils-telnet inetutils-telnetd busybox socat netcat-openbsd expect tmux openssl
          putty-tools libtelnet-utils tintin++ python3-venv)
missing=()
for pkg in "${packages[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "install-peers: installing ${missing[*]}" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# busybox telnetd: Debian's busybox lacks the applet; busybox-static has it but conflicts with
# busybox, so unpack it instead of installing it.
if [ ! -x "$PEERS/bbs/bin/busybox" ]; then
    (cd "$PEERS" && rm -f busybox-static_*.deb && apt-get download busybox-static >/dev/null 2>&1 \
        && dpkg -x busybox-static_*.deb bbs && rm -f busybox-static_*.deb)
fi

# Python peers: telnetlib3 5.0.1 (client and server) and miniboa, in a venv.
if [ ! -x "$PEERS/venv/bin/telnetlib3-server" ] || [ ! -f "$PEERS/venv/.miniboa" ]; then
    python3 -m venv "$PEERS/venv"
    "$PEERS/venv/bin/pip" install -q telnetlib3==5.0.1 miniboa
    touch "$PEERS/venv/.miniboa"
fi

for tool in "$PEERS/bbs/bin/busybox" "$PEERS/venv/bin/telnetlib3-server" "$PEERS/venv/bin/telnetlib3-client" \
            /usr/sbin/telnetd /usr/bin/telnet socat expect tmux openssl plink; do
    if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "$tool" ]; then
        echo "install-peers: $tool is missing after installation" >&2
        exit 1
    fi
done
echo "$PEERS"
