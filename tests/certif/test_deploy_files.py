"""The files of deploy/ agree with the settings and with nginx: the request size
limit, the internal location of private files, the commands the units run, and
the production site as nginx parses it."""

import datetime
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from unittest import skipUnless

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.management import get_commands
from django.test import SimpleTestCase

DEPLOY = Path(settings.BASE_DIR) / "deploy"
NGINX = Path("/usr/sbin/nginx")


class DeployFilesTests(SimpleTestCase):
    def test_request_limit_matches_upload_max_bytes(self) -> None:
        locations = (DEPLOY / "nginx" / "certif-locations.conf").read_text()
        (limit,) = re.findall(r"^client_max_body_size (\d+)m;$", locations, re.M)
        mib = int(limit) * 1024 * 1024
        # The largest file fits with its form; nothing much larger reaches Python.
        self.assertEqual(settings.UPLOAD_MAX_BYTES, 20 * 1024 * 1024)
        self.assertGreater(mib, settings.UPLOAD_MAX_BYTES)
        self.assertLessEqual(mib, settings.UPLOAD_MAX_BYTES + 2 * 1024 * 1024)

    def test_internal_location_is_the_documented_prefix(self) -> None:
        locations = (DEPLOY / "nginx" / "certif-locations.conf").read_text()
        block = re.search(r"location /_prive/ \{(.*?)\}", locations, re.S)
        assert block is not None
        self.assertIn("internal;", block.group(1))
        self.assertIn("alias /srv/certif/private/;", block.group(1))
        env = (DEPLOY / "certif.env.example").read_text()
        self.assertIn("X_ACCEL_REDIRECT_PREFIX=/_prive/\n", env)
        self.assertIn("PRIVATE_STORAGE_ROOT=/srv/certif/private\n", env)
        self.assertIn("STATIC_ROOT=/srv/certif/static\n", env)

    def test_units_run_existing_commands(self) -> None:
        commands = get_commands()
        seen = []
        for unit in sorted((DEPLOY / "systemd").glob("*.service")):
            (exec_start,) = re.findall(r"^ExecStart=(.*)$", unit.read_text(), re.M)
            if "manage.py" in exec_start:
                name = exec_start.split("manage.py ")[1].split()[0]
                self.assertIn(name, commands, unit.name)
                seen.append(name)
        self.assertEqual(
            sorted(seen),
            [
                "db_worker",
                "envoyer_rappels",
                "publier_resultats",
                "purger_exports",
                "purger_pieces_handicap",
                "rappels_declarations",
                "sauvegarder",
            ],
        )
        for timer in (
            "certif-purge",
            "certif-purger-exports",
            "certif-sauvegarde",
            "certif-rappels-declarations",
            "certif-rappels",
            "certif-publier-resultats",
        ):
            self.assertTrue((DEPLOY / "systemd" / f"{timer}.timer").is_file())

    @skipUnless(NGINX.exists(), "nginx is not installed (apt-get install nginx)")
    def test_production_site_parses(self) -> None:
        """nginx -t on the site as installed: certif.conf with its snippet, a
        certificate where deploy/README.md says it goes (a throwaway one here)."""
        tmp = Path(tempfile.mkdtemp(prefix="certif-nginx-"))
        try:
            key = ec.generate_private_key(ec.SECP256R1())
            name = x509.Name(
                [x509.NameAttribute(NameOID.COMMON_NAME, "certif.example.fr")]
            )
            now = datetime.datetime.now(datetime.UTC)
            cert = (
                x509.CertificateBuilder()
                .subject_name(name)
                .issuer_name(name)
                .public_key(key.public_key())
                .serial_number(1)
                .not_valid_before(now)
                .not_valid_after(now + datetime.timedelta(days=1))
                .sign(key, hashes.SHA256())
            )
            (tmp / "fullchain.pem").write_bytes(
                cert.public_bytes(serialization.Encoding.PEM)
            )
            (tmp / "privkey.pem").write_bytes(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
            site = (DEPLOY / "nginx" / "certif.conf").read_text()
            site = site.replace("/etc/ssl/certif/", f"{tmp}/")
            site = site.replace("/var/log/nginx/", f"{tmp}/")
            site = site.replace(
                "/etc/nginx/snippets/certif-locations.conf",
                str(DEPLOY / "nginx" / "certif-locations.conf"),
            )
            (tmp / "certif.conf").write_text(site)
            (tmp / "nginx.conf").write_text(
                f"pid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\n"
                "events {}\n"
                f"http {{\n include /etc/nginx/mime.types;\n include {tmp}/certif.conf;\n}}\n"
            )
            result = subprocess.run(  # noqa: S603 - fixed program
                [str(NGINX), "-t", "-p", str(tmp), "-c", str(tmp / "nginx.conf")],
                capture_output=True,
                text=True,
                check=False,
            )
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("syntax is ok", result.stderr)
