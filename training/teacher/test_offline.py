"""Runtime half of the offline guarantee (needs the training venv; `npm test` covers the static half).

  ~/.venvs/sift-training/bin/python training/teacher/test_offline.py

Every socket connection and name lookup raises; each teacher must still load from its package
and embed. Exit status 0 means both teachers ran with the network cut off.
"""
import os
import socket
import sys

attempts = []


def _blocked(*args, **kwargs):
    attempts.append(repr(args[:2]))
    raise OSError("network access attempted during a teacher run")


socket.socket.connect = _blocked
socket.socket.connect_ex = _blocked
socket.create_connection = _blocked
socket.getaddrinfo = _blocked

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import teacher  # noqa: E402  (sets HF_HUB_OFFLINE before importing model libraries)

for name in ("minilm", "e5"):
    model = teacher.load(name, 1)
    v = model.embed(["stop the server cleanly", "graceful shutdown on SIGTERM", "parse a date"], "query")
    assert v.shape == (3, 384), v.shape
    sim = v @ v.T
    assert sim[0, 1] > sim[0, 2], f"{name}: related texts are not nearer ({sim[0, 1]:.3f} vs {sim[0, 2]:.3f})"
    print(f"{name}: ok offline (cos related {sim[0, 1]:.3f}, unrelated {sim[0, 2]:.3f})")

assert not attempts, f"network attempts: {attempts}"
assert os.environ.get("HF_HUB_OFFLINE") == "1"
print("offline: no network attempt")
