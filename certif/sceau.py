"""The electronic seal (PAdES) of issued PDFs, with pyHanko.

A PDF reader shows who sealed the file and that nothing changed since. The
certificate and its key come from a PKCS#12 file whose path and password are
read from the environment (settings ``SCEAU_PKCS12`` and
``SCEAU_PKCS12_PASSWORD``); without it documents are issued unsealed. The seal
is an incremental update: the stored file, its SHA-256 and the public comparison
are those of the sealed file. pyHanko is imported lazily (only when sealing)."""

import datetime
import io
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SEAL_FIELD = "Sceau"


@cache
def _signer(path: str, password: str) -> Any:
    from pyhanko.sign import signers  # noqa: PLC0415 - heavy import, only when sealing

    signer = signers.SimpleSigner.load_pkcs12(
        path, passphrase=password.encode() if password else None
    )
    if signer is None:
        raise ImproperlyConfigured(
            f"SCEAU_PKCS12: cannot read the certificate and key of {path}"
        )
    return signer


def seal_configured() -> bool:
    return bool(settings.SCEAU_PKCS12)


def seal_pdf(content: bytes, *, reason: str, location: str = "") -> bytes:
    """``content`` sealed with the configured certificate, or unchanged when no
    certificate is configured."""
    if not seal_configured():
        return content
    from pyhanko.pdf_utils.incremental_writer import (  # noqa: PLC0415
        IncrementalPdfFileWriter,
    )
    from pyhanko.sign import fields, signers  # noqa: PLC0415

    signer = _signer(settings.SCEAU_PKCS12, settings.SCEAU_PKCS12_PASSWORD)
    writer = IncrementalPdfFileWriter(io.BytesIO(content))
    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location or None,
    )
    output = signers.sign_pdf(writer, metadata, signer=signer)
    sealed: bytes = output.getvalue()
    return sealed


def pkcs12_self_signed(*, nom: str, password: str, days: int = 825) -> bytes:
    """A self-signed sealing certificate and its key as PKCS#12 (the demo's
    specimen certifier; a real certifier uses a qualified certificate)."""
    from cryptography import x509  # noqa: PLC0415
    from cryptography.hazmat.primitives import hashes, serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: PLC0415
    from cryptography.hazmat.primitives.serialization import pkcs12  # noqa: PLC0415
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID  # noqa: PLC0415

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, nom),
            x509.NameAttribute(NameOID.COMMON_NAME, nom),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(
        nom.encode(),
        key,
        certificate,
        None,
        serialization.BestAvailableEncryption(password.encode()),
    )
