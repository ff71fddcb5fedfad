"""A throwaway S3-compatible server for a test session (PINGGU_TEST_STORE=s3): moto's server mode on
127.0.0.1 (the MinIO server binary is not on the Debian index), with one bucket for the documents."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx

BUCKET = "pinggu-test"


def start_s3_server() -> tuple[subprocess.Popen, dict[str, str]]:
    """Start the server and create the bucket; return the process and the environment that points at it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(endpoint, timeout=1)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("moto 的 S3 服务未能启动") from None
            time.sleep(0.2)
    environment = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
    }
    httpx.put(f"{endpoint}/{BUCKET}", timeout=5).raise_for_status()  # anonymous: moto takes any credentials
    return process, environment


def stop_s3_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()


__all__ = ["BUCKET", "start_s3_server", "stop_s3_server"]
