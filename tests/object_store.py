"""A real S3-compatible server for the tests: moto's standalone server, started on 127.0.0.1 on a
free port by the test set-up (in CI too), and a fresh private bucket for each test that asks."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from contextlib import closing
from dataclasses import dataclass
from typing import Any

REGION = "eu-west-2"
KEYS = {"access_key": "tests-only", "secret_key": "tests-only-not-a-secret"}


def _free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    """moto's server in its own process; its address once it answers."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("moto's S3 server did not start")


@dataclass
class Bucket:
    """A bucket on the local server, with a client to look inside it as an auditor would."""

    endpoint: str
    name: str

    @property
    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=KEYS["access_key"],
            aws_secret_access_key=KEYS["secret_key"],
        )

    def create(self) -> Bucket:
        self.client.create_bucket(
            Bucket=self.name, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        return self

    def object_names(self) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def read(self, key: str) -> bytes:
        return bytes(self.client.get_object(Bucket=self.name, Key=key)["Body"].read())

    def storage(self) -> dict[str, Any]:
        """The STORAGES entry the service's settings make for this bucket."""
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": self.name,
                "endpoint_url": self.endpoint,
                "region_name": REGION,
                **KEYS,
                "location": "",
                "default_acl": None,
                "file_overwrite": False,
                "querystring_expire": 60,
            },
        }


def new_bucket(endpoint: str) -> Bucket:
    return Bucket(endpoint, f"fellowship-{uuid.uuid4().hex[:16]}").create()
