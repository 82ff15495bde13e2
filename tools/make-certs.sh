#!/usr/bin/env bash
# Certificates for mTLS between CaseClock and its Temporal server: a private certificate authority,
# a server certificate for Temporal's frontend and its internal traffic, and a client certificate
# for CaseClock's processes (worker, console, command line, codec server, the Web UI).
# Only holders of a certificate signed by this authority can talk to Temporal at all.
#
#   bash tools/make-certs.sh [folder]     # default .data/certs; keeps what is already there
#
# Files: ca.pem (the authority; ca.key stays beside it and signs nothing else), server.pem and
# server.key (names: localhost, temporal, 127.0.0.1), client.pem and client.key. Valid for 825
# days; run again after deleting the folder to renew. For a council's own PKI, put its files
# under the same names instead.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${1:-$ROOT/.data/certs}"
DAYS=825

command -v openssl >/dev/null || { echo "make-certs: openssl is missing: sudo apt-get install openssl" >&2; exit 1; }
mkdir -p "$DIR"
cd "$DIR"
umask 077 # private keys readable by their owner only

if [[ -f ca.pem && -f server.pem && -f client.pem ]]; then
  echo "make-certs: certificates already in $DIR"
  exit 0
fi
if [[ ! -f ca.pem ]]; then
  openssl req -x509 -newkey rsa:3072 -nodes -sha256 -days "$DAYS" -subj "/CN=CaseClock Temporal CA" \
    -keyout ca.key -out ca.pem 2>/dev/null
fi

# sign <name> <subject CN> <extensions>
sign() {
  local name="$1" cn="$2" ext="$3"
  [[ -f "$name.pem" ]] && return 0
  openssl req -newkey rsa:3072 -nodes -sha256 -subj "/CN=$cn" -keyout "$name.key" -out "$name.csr" 2>/dev/null
  printf '%s\n' "$ext" > "$name.ext"
  openssl x509 -req -sha256 -days "$DAYS" -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial \
    -extfile "$name.ext" -out "$name.pem" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}

# The server certificate is also the client certificate of the server's own services (internode).
sign server temporal "basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:localhost,DNS:temporal,IP:127.0.0.1"
sign client caseclock "basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"

chmod 644 ca.pem server.pem client.pem 2>/dev/null || true # a read-only mount (containers) keeps its modes
openssl verify -CAfile ca.pem server.pem client.pem >/dev/null
echo "make-certs: certificates in $DIR (CA, server for localhost/temporal/127.0.0.1, client)"
