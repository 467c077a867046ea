"""The one home for files: writes are whole or absent, a full disk is an OSError, folders are checked."""

from __future__ import annotations

import errno
import hashlib
import io as io_module
import json
import os
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import polars as pl
import pytest

from synth.engine import io
from synth.errors import OutputError
from synth.version import __version__


def test_atomic_writes_replace_the_file_and_leave_no_temporary(tmp_path: Path) -> None:
    io.atomic_text(tmp_path / "a.txt", "first")
    io.atomic_text(tmp_path / "a.txt", "second")
    io.atomic_json(tmp_path / "a.json", {"b": 1, "a": [1, 2]})
    io.atomic_parquet(tmp_path / "a.parquet", pl.DataFrame({"x": [1, 2]}))
    assert (tmp_path / "a.txt").read_text() == "second"
    assert (tmp_path / "a.json").read_text() == '{\n  "a": [\n    1,\n    2\n  ],\n  "b": 1\n}\n'
    assert pl.read_parquet(tmp_path / "a.parquet")["x"].to_list() == [1, 2]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "a.parquet", "a.txt"]


def test_the_temporary_name_is_this_process_own(tmp_path: Path) -> None:
    tmp = io.temporary_name(tmp_path / "part-0.parquet")
    assert tmp.parent == tmp_path
    assert tmp.name.startswith(".part-0.parquet.tmp-")
    assert tmp.name.endswith(f"-{os.getpid()}")


def test_a_failed_write_leaves_the_old_file_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "kept.txt"
    io.atomic_text(path, "whole")

    def full(self: Path, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(OSError, match="No space left"):
        io.atomic_text(path, "never")
    monkeypatch.undo()
    assert path.read_text() == "whole"
    assert [p.name for p in tmp_path.iterdir()] == ["kept.txt"]


def test_polars_reporting_a_full_disk_is_an_os_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(self: pl.DataFrame, file: Path, **kwargs: object) -> None:
        Path(file).write_bytes(b"partial")
        raise pl.exceptions.ComputeError("failed to write: No space left on device (os error 28)")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full)
    with pytest.raises(OSError) as err:
        io.atomic_parquet(tmp_path / "t.parquet", pl.DataFrame({"x": [1]}))
    assert err.value.errno == errno.ENOSPC
    assert err.value.filename == str(tmp_path / "t.parquet")
    assert list(tmp_path.iterdir()) == []


def test_another_polars_error_is_not_taken_for_the_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: pl.DataFrame, file: Path, **kwargs: object) -> None:
        raise pl.exceptions.ComputeError("cannot write a column of objects")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", broken)
    with pytest.raises(pl.exceptions.ComputeError, match="cannot write a column of objects"):
        io.atomic_parquet(tmp_path / "t.parquet", pl.DataFrame({"x": [1]}))


def test_clean_temporaries_removes_only_temporaries(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / ".x.parquet.tmp-host-1").write_bytes(b"")
    (tmp_path / "x.parquet").write_bytes(b"kept")
    io.clean_temporaries(tmp_path)
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == ["d", "x.parquet"]


def test_checksum_and_versions(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"abc")
    assert io.sha256_file(tmp_path / "f") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    versions = io.versions()
    assert versions["synth-citizens"] == __version__
    assert set(versions) == {"python", "synth-citizens", "numpy", "polars", "pyarrow", "phonenumbers", "scipy"}
    json.dumps(versions)


def test_an_output_folder_must_be_new_or_empty(tmp_path: Path) -> None:
    io.check_empty_or_new(tmp_path / "new", "world")
    io.check_empty_or_new(tmp_path, "world")
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError) as err:
        io.check_empty_or_new(tmp_path / "file", "world")
    assert str(err.value) == f"{tmp_path / 'file'}: exists and is not a folder"
    with pytest.raises(OutputError) as err:
        io.check_empty_or_new(tmp_path, "world")
    assert str(err.value) == f"{tmp_path}: folder is not empty and holds no world; choose an empty or new folder"


def test_the_content_key_is_of_exactly_the_inputs() -> None:
    frame = pl.DataFrame({"row_id": [0, 1], "name": ["Sreedevi K", "Anil"]})
    key = io.content_key("attack", frame, 0.01, 7)
    assert key == io.content_key("attack", frame.clone(), 0.01, 7)
    assert key == io.content_key("attack", pl.concat([frame[:1], frame[1:]], rechunk=False), 0.01, 7)  # chunks
    others = [
        io.content_key("attack", frame.with_columns(name=pl.lit("Anil")), 0.01, 7),
        io.content_key("attack", frame, 0.02, 7),
        io.content_key("attack", frame, 0.01, 8),
        io.content_key("other", frame, 0.01, 7),
    ]
    assert len({key, *others}) == 5
    assert len(key) == 64


def test_a_frame_is_hashed_as_its_ipc_bytes_written_whole() -> None:
    """The key is streamed into the hash as Polars writes the frame: the same key as the bytes written whole (so the
    results kept before are found again), over many writes."""
    frame = pl.DataFrame({"epic": [f"SYN{i:09d}" for i in range(200_000)], "age": list(range(200_000))})
    whole = io_module.BytesIO()
    frame.write_ipc(whole, compression="uncompressed", compat_level=pl.CompatLevel.oldest())
    expected = hashlib.sha256(b"value:'attack'\x00frame:" + whole.getvalue() + b"\x00").hexdigest()
    assert io.content_key("attack", frame) == expected
    writes: list[int] = []
    streamed = hashlib.sha256()

    class Counted(io._Hashing):
        def write(self, data: Any) -> int:
            writes.append(len(data))
            return super().write(data)

    frame.write_ipc(Counted(streamed), compression="uncompressed", compat_level=pl.CompatLevel.oldest())
    assert streamed.hexdigest() == hashlib.sha256(whole.getvalue()).hexdigest()
    assert len(writes) > 1 and max(writes) < len(whole.getvalue())  # never the whole frame at once


def test_equal_frames_get_equal_keys_however_their_strings_were_built() -> None:
    """Strings are views into buffers; a slice, a concatenation or an expression leaves other buffers behind for
    the same strings (the cause of a missed reuse across runs, measured on drop_names' linkage)."""
    plain = pl.DataFrame({"s": ["a" * 20, "b" * 20]})
    sliced = pl.DataFrame({"s": ["x" * 30, "a" * 20, "b" * 20]}).slice(1)
    computed = pl.DataFrame({"s": ["a" * 10, "b" * 10]}).with_columns(pl.col("s") + pl.col("s"))
    assert plain.equals(sliced) and plain.equals(computed)
    assert io.content_key(plain) == io.content_key(sliced) == io.content_key(computed)
    assert io.content_key(plain) != io.content_key(pl.DataFrame({"s": ["a" * 20, "b" * 19]}))


def test_a_result_is_computed_once_and_read_back(tmp_path: Path) -> None:
    store = io.ResultStore(tmp_path / "reuse")
    calls: list[int] = []

    def compute() -> pl.DataFrame:
        calls.append(1)
        return pl.DataFrame({"row_id": [3, 1], "p": [0.25, 1 / 3]})

    first = store("k1", compute)
    again = io.ResultStore(tmp_path / "reuse")("k1", compute)  # another process, a rerun
    assert len(calls) == 1
    assert again.equals(first)
    assert (store.computed, store.reused) == (1, 0)
    assert sorted(p.name for p in (tmp_path / "reuse").iterdir()) == ["k1.lock", "k1.parquet"]


def test_a_worker_waits_for_a_key_another_is_computing(tmp_path: Path) -> None:
    started, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def compute(who: str) -> pl.DataFrame:
        calls.append(who)
        started.set()
        release.wait(10)
        return pl.DataFrame({"row_id": [1], "by": [who]})

    first, second = io.ResultStore(tmp_path / "reuse"), io.ResultStore(tmp_path / "reuse")
    results: dict[str, pl.DataFrame] = {}
    a = threading.Thread(target=lambda: results.update(a=first("k", lambda: compute("a"))))
    a.start()
    started.wait(10)
    b = threading.Thread(target=lambda: results.update(b=second("k", lambda: compute("b"))))
    b.start()
    time.sleep(0.2)  # b is now waiting on the lock a holds
    assert "b" not in results
    release.set()
    a.join(10)
    b.join(10)
    assert calls == ["a"]
    assert results["b"]["by"].to_list() == ["a"]
    assert (first.computed, first.reused, second.computed, second.reused) == (1, 0, 0, 1)


def test_the_source_digest_changes_with_a_files_bytes_or_name(tmp_path: Path) -> None:
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "a.py").write_text("x = 1\n")
    (tmp_path / "pkg" / "sub" / "b.toml").write_text("k = 2\n")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "c.py").write_text("y = 3\n")
    first = io.source_digest(tmp_path, ("pkg",))
    (tmp_path / "pkg" / "__pycache__").mkdir()
    (tmp_path / "pkg" / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\x00compiled")
    (tmp_path / "other" / "c.py").write_text("y = 4\n")  # outside the packages digested
    assert io.source_digest(tmp_path, ("pkg",)) == first
    assert io.source_digest(tmp_path, (".",)) != first  # every file under the root
    (tmp_path / "pkg" / "sub" / "b.toml").write_text("k = 3\n")
    changed = io.source_digest(tmp_path, ("pkg",))
    (tmp_path / "pkg" / "sub" / "b.toml").rename(tmp_path / "pkg" / "sub" / "c.toml")
    assert len({first, changed, io.source_digest(tmp_path, ("pkg",))}) == 3


def test_the_store_folder_is_named_by_the_digest_of_this_code_and_its_libraries(tmp_path: Path) -> None:
    assert io.store_folder(tmp_path) == tmp_path / io.code_digest()[:16]
    assert io.code_digest() == io.code_digest() and len(io.code_digest()) == 64


def test_the_code_digest_changes_with_the_version_of_any_library(monkeypatch: pytest.MonkeyPatch) -> None:
    def installed(version: str) -> list[SimpleNamespace]:
        return [SimpleNamespace(metadata={"Name": "duckdb"}, version=version)]

    digests = []
    for version in ("1.1.3", "1.1.3", "1.2.0"):
        monkeypatch.setattr(io.metadata, "distributions", lambda v=version: installed(v))
        digests.append(io.code_digest.__wrapped__())
    assert digests[0] == digests[1] != digests[2]
