#!/usr/bin/python
# -*- coding: utf-8 -*-

from __future__ import annotations

DOCUMENTATION = r'''
---
module: kafka_pki_pem_keystore
short_description: Write a Kafka PEM keystore (encrypted PKCS#8 key, certificate chain)
description:
  - Writes the file Kafka reads with C(ssl.keystore.type=PEM) and C(ssl.key.password) - the private key as an
    encrypted PKCS#8 C(ENCRYPTED PRIVATE KEY) block, then the node certificate, any intermediates following it
    in O(certificate_path), and the certificates in O(ca_path) not already in the chain.
  - The key is encrypted with PBES1 C(pbeWithSHA1And3-KeyTripleDES-CBC) (Java name C(PBEWithSHA1AndDESede)).
    Kafka 4.1 looks the key's encryption up by C(EncryptedPrivateKeyInfo.getAlgName()), which on Java 17 is
    C(PBES2) for the PBES2 keys that OpenSSL and python-cryptography write by default, and no such
    C(SecretKeyFactory) exists, so Kafka rejects them; PBES1 names resolve on every Java version.
  - Idempotent - an existing keystore is kept when its key decrypts with O(passphrase) to the same key, uses the
    same encryption scheme, and its certificates are the same. Supports check mode; a missing source file in
    check mode reports a change instead of failing (an earlier task would have created it).
  - Fails when the private key does not match the certificate.
options:
  private_key_path:
    description: Source private key (PEM, PKCS#8, PKCS#1 or SEC1, encrypted or not).
    type: path
    required: true
  private_key_passphrase:
    description: Passphrase of O(private_key_path); empty or omitted for an unencrypted key.
    type: str
  certificate_path:
    description: Node certificate (PEM), optionally followed by intermediate certificates.
    type: path
    required: true
  ca_path:
    description: CA certificate(s) (PEM) appended to the chain.
    type: path
    required: true
  passphrase:
    description: Passphrase the key is encrypted with in the keystore (Kafka's C(ssl.key.password)).
    type: str
    required: true
  iterations:
    description: PBE iteration count for a newly written key.
    type: int
    default: 100000
  dest:
    description: Keystore file to write.
    type: path
    required: true
extends_documentation_fragment:
  - ansible.builtin.files
requirements:
  - cryptography >= 39 on the host the module runs on (the controller)
'''

EXAMPLES = r'''
- name: Build the node's PEM keystore
  kafka_pki_pem_keystore:
    private_key_path: /srv/pki/hosts/kafka-1/kafka-1.key
    private_key_passphrase: "{{ kafka_pki_key_passphrase }}"
    certificate_path: /srv/pki/hosts/kafka-1/kafka-1.crt
    ca_path: /srv/pki/ca.crt
    passphrase: "{{ kafka_pki_key_passphrase }}"
    dest: /srv/pki/hosts/kafka-1/keystore.pem
    mode: "0600"
  delegate_to: localhost
  no_log: true
'''

RETURN = r'''
dest:
  description: Path of the keystore.
  type: str
  returned: always
key_encryption:
  description: Encryption scheme of the key in the keystore.
  type: str
  returned: always
  sample: PBEWithSHA1AndDESede (pbeWithSHA1And3-KeyTripleDES-CBC)
chain_length:
  description: Number of certificates in the keystore.
  type: int
  returned: when the sources could be read
'''

import base64
import hashlib
import os
import re
import tempfile

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.common.text.converters import to_bytes, to_native

CRYPTOGRAPHY_IMPORT_ERROR = None
try:
    from cryptography import x509
    from cryptography.hazmat.primitives import padding as sym_padding
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.ciphers import Cipher, modes
    try:
        from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
    except ImportError:  # cryptography < 43
        from cryptography.hazmat.primitives.ciphers.algorithms import TripleDES
except ImportError as exc:  # pragma: no cover
    CRYPTOGRAPHY_IMPORT_ERROR = exc

KEY_ENCRYPTION = 'PBEWithSHA1AndDESede (pbeWithSHA1And3-KeyTripleDES-CBC)'
# DER of OBJECT IDENTIFIER 1.2.840.113549.1.12.1.3 (pbeWithSHAAnd3-KeyTripleDES-CBC, RFC 7292).
PBE_SHA1_3DES_OID = bytes.fromhex('060a2a864886f70d010c0103')
PEM_BLOCK = re.compile(rb'-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----', re.DOTALL)


# --- minimal DER -------------------------------------------------------------------------------
def _der(tag, content):
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, 'big')
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + content


def _der_int(value):
    return _der(0x02, value.to_bytes((value.bit_length() + 8) // 8, 'big'))


# --- PKCS#12 key derivation (RFC 7292, appendix B.2) with SHA-1 ------------------------------
def _pkcs12_kdf(password, salt, purpose, iterations, length):
    v = 64  # SHA-1 block size

    def stretch(data):
        if not data:
            return b''
        size = v * ((len(data) + v - 1) // v)
        return (data * (size // len(data) + 1))[:size]

    # The password is a BMPString with a two-byte NUL terminator.
    d_block = bytes([purpose]) * v
    i_block = stretch(salt) + stretch(password.encode('utf-16-be') + b'\x00\x00')
    out = b''
    while True:
        a = hashlib.sha1(d_block + i_block).digest()
        for dummy in range(iterations - 1):
            a = hashlib.sha1(a).digest()
        out += a
        if len(out) >= length:
            return out[:length]
        b = int.from_bytes(stretch(a), 'big')
        i_block = b''.join(
            ((int.from_bytes(i_block[j:j + v], 'big') + b + 1) % (1 << (8 * v))).to_bytes(v, 'big')
            for j in range(0, len(i_block), v))


def encrypt_pkcs8_pbes1(private_key, passphrase, iterations):
    """EncryptedPrivateKeyInfo (PEM) of private_key with pbeWithSHAAnd3-KeyTripleDES-CBC."""
    plain = private_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())
    salt = os.urandom(8)
    key = _pkcs12_kdf(passphrase, salt, 1, iterations, 24)
    iv = _pkcs12_kdf(passphrase, salt, 2, iterations, 8)
    padder = sym_padding.PKCS7(64).padder()
    padded = padder.update(plain) + padder.finalize()
    encryptor = Cipher(TripleDES(key), modes.CBC(iv)).encryptor()
    encrypted = encryptor.update(padded) + encryptor.finalize()
    algorithm = _der(0x30, PBE_SHA1_3DES_OID + _der(0x30, _der(0x04, salt) + _der_int(iterations)))
    der = _der(0x30, algorithm + _der(0x04, encrypted))
    body = base64.encodebytes(der).replace(b'\n', b'')
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return b'-----BEGIN ENCRYPTED PRIVATE KEY-----\n' + b'\n'.join(lines) + b'\n-----END ENCRYPTED PRIVATE KEY-----\n'


def _private_der(key):
    return key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _public_der(key):
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _load_certificates(module, path):
    try:
        with open(path, 'rb') as f:
            certs = x509.load_pem_x509_certificates(f.read())
    except Exception as exc:
        module.fail_json(msg='Cannot read certificates from %s: %s' % (path, to_native(exc)))
    return certs


def _existing_matches(dest, key, chain_der, passphrase):
    """True when dest holds exactly this key (PBES1, decryptable with passphrase) and chain."""
    try:
        with open(dest, 'rb') as f:
            blocks = PEM_BLOCK.findall(f.read())
    except (IOError, OSError):
        return False
    if not blocks or blocks[0][0] != b'ENCRYPTED PRIVATE KEY':
        return False
    try:
        key_der = base64.b64decode(b''.join(blocks[0][1].split()))
        if PBE_SHA1_3DES_OID not in key_der[:24]:
            return False
        existing_key = serialization.load_der_private_key(key_der, to_bytes(passphrase))
    except Exception:
        return False
    if _private_der(existing_key) != _private_der(key):
        return False
    existing_chain = []
    for label, body in blocks[1:]:
        if label != b'CERTIFICATE':
            return False
        existing_chain.append(base64.b64decode(b''.join(body.split())))
    return existing_chain == chain_der


def main():
    module = AnsibleModule(
        argument_spec=dict(
            private_key_path=dict(type='path', required=True),
            private_key_passphrase=dict(type='str', no_log=True),
            certificate_path=dict(type='path', required=True),
            ca_path=dict(type='path', required=True),
            passphrase=dict(type='str', required=True, no_log=True),
            iterations=dict(type='int', default=100000),
            dest=dict(type='path', required=True),
        ),
        add_file_common_args=True,
        supports_check_mode=True,
    )
    if CRYPTOGRAPHY_IMPORT_ERROR is not None:
        module.fail_json(msg=missing_required_lib('cryptography'), exception=str(CRYPTOGRAPHY_IMPORT_ERROR))
    p = module.params
    result = dict(changed=False, dest=p['dest'], key_encryption=KEY_ENCRYPTION)
    if not p['passphrase']:
        module.fail_json(msg='passphrase must not be empty', **result)
    if p['iterations'] < 1:
        module.fail_json(msg='iterations must be positive', **result)

    missing = [p[k] for k in ('private_key_path', 'certificate_path', 'ca_path') if not os.path.isfile(p[k])]
    if missing:
        if module.check_mode:
            # An earlier task (skipped in check mode) would have created them.
            result.update(changed=True, msg='would build from files not yet present: %s' % ', '.join(missing))
            module.exit_json(**result)
        module.fail_json(msg='Missing input file(s): %s' % ', '.join(missing), **result)

    try:
        with open(p['private_key_path'], 'rb') as f:
            key = serialization.load_pem_private_key(
                f.read(), to_bytes(p['private_key_passphrase']) if p['private_key_passphrase'] else None)
    except Exception as exc:
        module.fail_json(msg='Cannot load the private key %s (wrong passphrase, or not a PEM private key): %s'
                         % (p['private_key_path'], to_native(exc)), **result)

    chain = _load_certificates(module, p['certificate_path'])
    if not chain:
        module.fail_json(msg='No certificate in %s' % p['certificate_path'], **result)
    if _public_der(chain[0].public_key()) != _public_der(key.public_key()):
        module.fail_json(msg='The private key %s does not belong to the certificate %s'
                         % (p['private_key_path'], p['certificate_path']), **result)
    chain_der = [c.public_bytes(serialization.Encoding.DER) for c in chain]
    for ca in _load_certificates(module, p['ca_path']):
        der = ca.public_bytes(serialization.Encoding.DER)
        if der not in chain_der:
            chain_der.append(der)
    result['chain_length'] = len(chain_der)

    if not _existing_matches(p['dest'], key, chain_der, p['passphrase']):
        result['changed'] = True
        if not module.check_mode:
            content = encrypt_pkcs8_pbes1(key, p['passphrase'], p['iterations']) + b''.join(
                x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM) for der in chain_der)
            # mkstemp creates the file 0600, so the key is never readable by others, even briefly.
            fd, tmp = tempfile.mkstemp(prefix='.keystore-', dir=os.path.dirname(p['dest']) or '.')
            try:
                with os.fdopen(fd, 'wb') as f:
                    f.write(content)
                module.atomic_move(tmp, p['dest'])
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)

    file_args = module.load_file_common_arguments(p, path=p['dest'])
    if os.path.exists(p['dest']):
        result['changed'] = module.set_fs_attributes_if_different(file_args, result['changed'])
    module.exit_json(**result)


if __name__ == '__main__':
    main()
