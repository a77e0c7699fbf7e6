"""HashingFile hashes every byte once, in order, however the storage reads."""

import hashlib
import io

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase

from certif.uploads import HashingFile

CONTENT = bytes(range(256)) * 40  # 10,240 bytes


class HashingFileTests(SimpleTestCase):
    def test_chunks_as_a_file_system_storage_pulls_them(self) -> None:
        stream = HashingFile(SimpleUploadedFile("a.pdf", CONTENT))
        self.assertEqual(b"".join(stream.chunks(1000)), CONTENT)
        # Pulled twice (a retry): still counted once.
        self.assertEqual(b"".join(stream.chunks(4096)), CONTENT)
        self.assertEqual(stream.read_size, len(CONTENT))
        self.assertEqual(stream.digest.hexdigest(), hashlib.sha256(CONTENT).hexdigest())

    def test_reads_with_seeks_as_an_object_storage_does(self) -> None:
        stream = HashingFile(io.BytesIO(CONTENT))
        stream.seek(0, 2)  # size probe
        self.assertEqual(stream.tell(), len(CONTENT))
        stream.seek(0)
        self.assertEqual(stream.read(3000), CONTENT[:3000])
        stream.seek(1000)  # a retry reads a part again
        self.assertEqual(stream.read(4000), CONTENT[1000:5000])
        stream.seek(8000)  # skipped ahead: the gap is hashed first
        self.assertEqual(stream.read(), CONTENT[8000:])
        self.assertEqual(stream.read(), b"")
        self.assertEqual(stream.read_size, len(CONTENT))
        self.assertEqual(stream.digest.hexdigest(), hashlib.sha256(CONTENT).hexdigest())

    def test_limit_applies_to_reads(self) -> None:
        stream = HashingFile(io.BytesIO(CONTENT), limit=5000)
        self.assertEqual(len(stream.read(5000)), 5000)
        with self.assertRaises(ValidationError):
            stream.read(1)
