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


# Room reserved in the file for the signature container beyond the certificates
# it carries: signed attributes and an RSA-4096 signature fit with a wide margin.
# Reserving it up front spares pyHanko a trial signature per document.
_RESERVE_MARGE = 4096


@cache
def _signer(path: str, password: str) -> Any:
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric.padding import (  # noqa: PLC0415
        PKCS1v15,
    )
    from cryptography.hazmat.primitives.asymmetric.rsa import (  # noqa: PLC0415
        RSAPrivateKey,
    )
    from pyhanko.sign import signers  # noqa: PLC0415 - heavy import, only when sealing
    from pyhanko.sign.general import get_pyca_cryptography_hash  # noqa: PLC0415

    class Signer(signers.SimpleSigner):
        """pyHanko's signer, with the private key parsed once per process instead
        of at every signature (parsing and checking an RSA key costs more than
        the signature itself)."""

        key: Any = None

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
            if self.key is None:
                self.key = serialization.load_der_private_key(
                    self.signing_key.dump(), password=None
                )
            if mechanism.signature_algo == "rsassa_pkcs1v15" and isinstance(
                self.key, RSAPrivateKey
            ):
                signature: bytes = self.key.sign(
                    data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm)
                )
                return signature
            return super().sign_raw(data, digest_algorithm)

    loaded = signers.SimpleSigner.load_pkcs12(
        path, passphrase=password.encode() if password else None
    )
    if loaded is None:
        raise ImproperlyConfigured(
            f"SCEAU_PKCS12: cannot read the certificate and key of {path}"
        )
    signer = Signer(
        signing_cert=loaded.signing_cert,
        signing_key=loaded.signing_key,
        cert_registry=loaded.cert_registry,
    )
    return signer


def _reserve(signer: Any) -> int:
    """Bytes to reserve for the signature container: the certificates it embeds
    plus a margin (an even number, as pyHanko asks)."""
    certificats = [signer.signing_cert, *signer.cert_registry]
    taille = _RESERVE_MARGE + sum(len(c.dump()) for c in certificats)
    return taille + taille % 2


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
    output = signers.sign_pdf(
        writer, metadata, signer=signer, bytes_reserved=_reserve(signer)
    )
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
