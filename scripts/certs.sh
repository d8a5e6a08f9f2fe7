#!/usr/bin/env bash
# `npm run certs [-- DIR]`: a throwaway CA, a server certificate for localhost and a client
# certificate, with openssl, into DIR (default certs/, gitignored). EC P-256, valid 30 days.
#   ca.pem, ca-key.pem                the CA: clients trust ca.pem; the server checks client certs with it (mTLS)
#   server.pem, server-key.pem        CN=localhost, SAN DNS:localhost, IP:127.0.0.1, IP:::1; serverAuth
#   client.pem, client-key.pem        CN=userctl-client; clientAuth
# Re-running replaces them all. Not for production: the CA key sits next to the certificates.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-certs}
command -v openssl >/dev/null || { echo "certs: openssl not found (Debian: apt-get install openssl)" >&2; exit 1; }
mkdir -p "$DIR"
cd "$DIR"
EC=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
openssl req -x509 "${EC[@]}" -keyout ca-key.pem -out ca.pem -days 30 -subj "/CN=grpc-from-scratch throwaway CA" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n' >server.ext
printf 'extendedKeyUsage=clientAuth\n' >client.ext
for who in server client; do
  cn=$([[ $who == server ]] && echo localhost || echo userctl-client)
  openssl req -new "${EC[@]}" -keyout "$who-key.pem" -out "$who.csr" -subj "/CN=$cn" 2>/dev/null
  openssl x509 -req -in "$who.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out "$who.pem" -days 30 -extfile "$who.ext" 2>/dev/null
  rm "$who.csr" "$who.ext"
done
rm -f ca.srl
chmod 600 ./*-key.pem
echo "certs: wrote $DIR/{ca,server,client}.pem and their -key.pem (CA valid 30 days; server cert for localhost, 127.0.0.1, ::1)"
