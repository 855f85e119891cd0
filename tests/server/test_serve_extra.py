"""The server is an optional extra (``wiretrace[serve]``): without it, ``serve``
says what to install, and everything else works."""

from __future__ import annotations

import subprocess
import sys

# A process in which one package of the extra cannot be imported, as after a
# plain ``pip install wiretrace``.
WITHOUT = ("import sys; sys.modules[{name!r}] = None; "
           "from wiretrace.cli.main import main; sys.exit(main(sys.argv[1:]))")


def run_without(name: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", WITHOUT.format(name=name), *args],
                          capture_output=True, text=True, timeout=120)


def test_serve_without_the_extra_says_what_to_install(tmp_path):
    db = tmp_path / "news.db"
    done = run_without("uvicorn", "serve", str(db), "--port", "0")
    assert done.returncode == 1
    assert "serve needs uvicorn" in done.stderr
    assert "pip install 'wiretrace[serve]'" in done.stderr
    assert not db.exists()  # nothing made before the check


def test_trace_needs_no_server_package(tmp_path):
    (tmp_path / "a.txt").write_text("The council met on Tuesday to discuss the budget.\n")
    done = run_without("fastapi", "trace", str(tmp_path / "a.txt"), "--out",
                       str(tmp_path / "out"), "--quiet")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "passages.jsonl").exists()
