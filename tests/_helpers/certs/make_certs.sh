#!/usr/bin/env bash
# Regenerates the test certificates in this directory (EC P-256 keys, valid for 100 years):
#   ca.pem / ca.key                 a test CA
#   server.pem / server.key         signed by the CA; SAN DNS:localhost, IP:127.0.0.1 (serverAuth)
#   client.pem / client.key         signed by the CA; CN=korero-test-client (clientAuth)
#   untrusted.pem / untrusted.key   self-signed server certificate for negative tests
#                                   (same SANs, not signed by the CA)
# Keys are unencrypted PKCS#8 PEM, which Deno (rustls), Bun, Node and mosquitto all read.
# Usage: bash tests/_helpers/certs/make_certs.sh   (overwrites the files)
set -euo pipefail
cd "$(dirname "$0")"

days=36500
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

cat >"$tmp/ext.cnf" <<'CNF'
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[untrusted]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
CNF

# CA
key ca.key
openssl req -new -x509 -key ca.key -out ca.pem -days "$days" -subj "/O=korero tests/CN=korero test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"

# a leaf signed by the CA: name, subject, extension section
leaf() {
  key "$1.key"
  openssl req -new -key "$1.key" -out "$tmp/$1.csr" -subj "$2"
  openssl x509 -req -in "$tmp/$1.csr" -CA ca.pem -CAkey ca.key -set_serial "0x$(openssl rand -hex 16)" \
    -days "$days" -extfile "$tmp/ext.cnf" -extensions "$3" -out "$1.pem" 2>/dev/null
}
leaf server "/O=korero tests/CN=localhost" server
leaf client "/O=korero tests/CN=korero-test-client" client

# self-signed, untrusted
key untrusted.key
openssl req -new -key untrusted.key -out "$tmp/untrusted.csr" -subj "/O=untrusted/CN=localhost"
openssl x509 -req -in "$tmp/untrusted.csr" -key untrusted.key -set_serial "0x$(openssl rand -hex 16)" \
  -days "$days" -extfile "$tmp/ext.cnf" -extensions untrusted -out untrusted.pem 2>/dev/null

chmod 644 ./*.pem ./*.key
openssl verify -CAfile ca.pem server.pem client.pem
if openssl verify -CAfile ca.pem untrusted.pem >/dev/null 2>&1; then
  echo "make_certs.sh: untrusted.pem unexpectedly verifies against ca.pem" >&2; exit 1
fi
echo "make_certs.sh: certificates written to $(pwd)"
