#!/usr/bin/env python3
"""Encrypt a PKCS#8 PEM private key into cosign's key format.

usage: cosign_encrypt_key.py PLAIN.key PASSWORD OUT.key

An implementation independent of amc (and of the Rust `sigstore` crate) of
what `cosign generate-key-pair` / `cosign import-key-pair` write: the PKCS#8
DER sealed with NaCl secretbox under a scrypt key (N=32768, r=8, p=1,
32-byte salt, 24-byte nonce), the parameters as JSON (Go's encoding: []byte
fields in standard base64), PEM-wrapped as `ENCRYPTED SIGSTORE PRIVATE KEY`.
scripts/test-signing.sh uses it to check that amc signs with cosign keys
(cosign itself is not installable in CI).
"""

import base64
import hashlib
import json
import os
import sys

import nacl.secret
from cryptography.hazmat.primitives import serialization


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    plain, password, out = sys.argv[1], sys.argv[2].encode(), sys.argv[3]
    with open(plain, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    salt, nonce = os.urandom(32), os.urandom(24)
    box_key = hashlib.scrypt(password, salt=salt, n=32768, r=8, p=1, dklen=32, maxmem=64 * 1024 * 1024)
    sealed = nacl.secret.SecretBox(box_key).encrypt(der, nonce).ciphertext
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    doc = json.dumps(
        {
            "kdf": {"name": "scrypt", "params": {"N": 32768, "r": 8, "p": 1}, "salt": b64(salt)},
            "cipher": {"name": "nacl/secretbox", "nonce": b64(nonce)},
            "ciphertext": b64(sealed),
        },
        separators=(",", ":"),
    ).encode()
    body = base64.b64encode(doc).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    with open(out, "w") as f:
        f.write("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n")
        f.write("\n".join(lines) + "\n")
        f.write("-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
