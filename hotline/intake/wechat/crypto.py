"""WeChat Official Account message protocol: signatures and the AES message encryption of the
safe and compatible modes. Pure: no ORM, no settings. AES comes from the ``cryptography``
package; this module only arranges the bytes the way WeChat's published protocol does:

- ``signature = sha1(sorted([token, timestamp, nonce]) joined)`` signs every request;
  in the encrypted modes ``msg_signature`` is the same over ``[token, timestamp, nonce,
  Encrypt]``.
- the AES key is ``base64(EncodingAESKey + "=")`` (43 characters give 32 bytes); AES-256-CBC
  with the key's first 16 bytes as IV; PKCS#7 padding to 32-byte blocks;
- the plaintext is ``16 random bytes + 4-byte big-endian length + message + AppID``, and the
  AppID found must be ours.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32  # WeChat pads to 32 bytes, not to the AES block of 16


class CryptoError(ValueError):
    """A message that cannot be ours: bad key, ciphertext, padding or AppID."""


def signature(*parts: str) -> str:
    """WeChat's signature: SHA-1 of the parts sorted as strings and joined."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def signature_ok(expected: str | None, *parts: str) -> bool:
    if not expected:
        return False
    return hmac.compare_digest(signature(*parts), expected.strip().lower())


def aes_key(encoding_aes_key: str) -> bytes:
    if len(encoding_aes_key) != 43:
        raise CryptoError("EncodingAESKey must be 43 characters")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except binascii.Error:
        raise CryptoError("EncodingAESKey is not base64") from None
    if len(key) != 32:
        raise CryptoError("EncodingAESKey does not decode to 32 bytes")
    return key


def pkcs7_pad(data: bytes) -> bytes:
    pad = BLOCK - len(data) % BLOCK
    return data + bytes([pad]) * pad


def pkcs7_unpad(data: bytes) -> bytes:
    if not data:
        raise CryptoError("empty plaintext")
    pad = data[-1]
    if not 1 <= pad <= BLOCK or data[-pad:] != bytes([pad]) * pad:
        raise CryptoError("bad padding")
    return data[:-pad]


class MessageCrypto:
    """Encrypts and decrypts message bodies for one account (EncodingAESKey and AppID)."""

    def __init__(self, encoding_aes_key: str, app_id: str):
        self.key = aes_key(encoding_aes_key)
        self.app_id = app_id.encode("utf-8")

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def encrypt(self, message: bytes, *, random16: bytes | None = None) -> str:
        """The base64 ``Encrypt`` value of ``message``. ``random16`` is for fixed test vectors."""
        prefix = random16 if random16 is not None else os.urandom(16)
        if len(prefix) != 16:
            raise CryptoError("the random prefix is 16 bytes")
        plain = pkcs7_pad(prefix + struct.pack(">I", len(message)) + message + self.app_id)
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")

    def decrypt(self, encrypted: str) -> bytes:
        """The message inside an ``Encrypt`` value; CryptoError unless it is well formed and
        addressed to our AppID."""
        try:
            data = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError):
            raise CryptoError("Encrypt is not base64") from None
        if not data or len(data) % 16:
            raise CryptoError("ciphertext length is not a multiple of 16")
        decryptor = self._cipher().decryptor()
        plain = pkcs7_unpad(decryptor.update(data) + decryptor.finalize())
        if len(plain) < 20:
            raise CryptoError("plaintext too short")
        (length,) = struct.unpack(">I", plain[16:20])
        message, app_id = plain[20 : 20 + length], plain[20 + length :]
        if len(message) != length:
            raise CryptoError("message length does not match")
        if not hmac.compare_digest(app_id, self.app_id):
            raise CryptoError("the message is for another AppID")
        return message
