"""What the corpus readers lose, and how they say so: damaged ``.warc.gz`` files (truncated, a corrupt
gzip member, junk between members) are read around member by member; NUL bytes never reach a document
and never sink a whole file; empty files are counted; read errors are listed per input; and the funnel's
byte sizes follow the steps in order."""

from __future__ import annotations

import gzip
import itertools
import json
import random
import zlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mathforge.corpus.document import Document, ReadError
from mathforge.corpus.readers import SUFFIXES, read_path


def read(path: Path, **kw) -> tuple[list[Document], list[ReadError]]:
    items = list(read_path(path, **kw))
    return [i for i in items if isinstance(i, Document)], [i for i in items if isinstance(i, ReadError)]


def members(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of every gzip member of a well-formed file."""
    out, i = [], 0
    while i < len(data):
        d = zlib.decompressobj(31)
        d.decompress(data[i:])
        end = len(data) - len(d.unused_data)
        out.append((i, end))
        i = end
    return out


def recno(d: Document) -> int:
    return int(d.source.rpartition("#")[2])


def warc_response(url: str, html: bytes, n: int) -> bytes:
    """One WARC response record around an HTTP-200 text/html page."""
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n" % len(
        html
    )
    block = http + html
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\n"
        f"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{n:012d}>\r\n"
        f"WARC-Date: 2024-01-01T00:00:00Z\r\nWARC-Target-URI: {url}\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(block)}\r\n\r\n"
    ).encode()
    return head + block + b"\r\n\r\n"


def page(i: int, extra: bytes = b"") -> bytes:
    body = b" ".join(b"Paragraph %d of page %d about the derivative of x^2." % (j, i) for j in range(40))
    return b"<!doctype html><html><head><title>Page %d</title></head><body><p>%s%s</p></body></html>" % (
        i,
        body,
        extra,
    )


# --- 6. gzip WARC: truncated files, corrupt members, junk between members ---------------------------

REAL_GZ = [
    "dolma__science_0.warc.gz",
    "dolma__warc_sample-0000.warc.gz",
    "dolma__warc_sample-0001.warc.gz",
    "resiliparse__clueweb-quirk.warc.gz",
    "resiliparse__warcfile.warc.gz",
    "warcio__example.warc.gz",
]


def _real(web_data: Path, name: str) -> tuple[bytes, list[tuple[int, int]], list[Document]]:
    path = web_data / "warc" / name
    data = path.read_bytes()
    full, errors = read(path)
    assert full and not errors
    return data, members(data), full


def _middle_member(full: list[Document]) -> int:
    """Index of the gzip member holding the middle document (one record per member in these files)."""
    return recno(full[len(full) // 2]) - 1


@pytest.mark.parametrize("name", REAL_GZ)
def test_truncated_warc_gz_keeps_every_complete_record(web_data: Path, tmp_path: Path, name: str) -> None:
    data, mem, full = _real(web_data, name)
    k = _middle_member(full)
    start, end = mem[k]
    cut = tmp_path / name
    cut.write_bytes(data[: start + (end - start) // 2])
    docs, errors = read(cut)
    expected = [d for d in full if recno(d) <= k]
    assert [(recno(d), d.text) for d in docs] == [(recno(d), d.text) for d in expected]
    (err,) = errors
    assert err.source == str(cut)
    assert err.reason.startswith(f"record {k + 1} at byte {start}:"), err.reason
    assert "truncated" in err.reason


@pytest.mark.parametrize("name", REAL_GZ)
def test_corrupt_gzip_member_is_skipped_and_reading_resumes(
    web_data: Path, tmp_path: Path, name: str
) -> None:
    data, mem, full = _real(web_data, name)
    k = _middle_member(full)
    start, end = mem[k]
    bad = bytearray(data)
    mid = start + (end - start) // 2
    for i in range(mid, min(mid + 64, end - 8)):
        bad[i] ^= 0x5A
    path = tmp_path / name
    path.write_bytes(bytes(bad))
    docs, errors = read(path)
    # Every document but the one in the broken member, under the same record numbers (ids) as before.
    expected = [d for d in full if recno(d) != k + 1]
    assert [(recno(d), d.text) for d in docs] == [(recno(d), d.text) for d in expected]
    (err,) = errors
    assert err.reason.startswith(f"record {k + 1} at byte {start}:"), err.reason
    assert "corrupt" in err.reason and f"byte {end}" in err.reason  # where reading resumed


def test_adjacent_corrupt_members_each_count_as_a_record(web_data: Path, tmp_path: Path) -> None:
    data, mem, full = _real(web_data, "dolma__warc_sample-0000.warc.gz")
    k = _middle_member(full)
    bad = bytearray(data)
    for start, end in mem[k : k + 2]:
        mid = start + (end - start) // 2
        for i in range(mid, min(mid + 64, end - 8)):
            bad[i] ^= 0x5A
    path = tmp_path / "two.warc.gz"
    path.write_bytes(bytes(bad))
    docs, errors = read(path)
    expected = [d for d in full if recno(d) not in (k + 1, k + 2)]
    assert [(recno(d), d.text) for d in docs] == [(recno(d), d.text) for d in expected]
    assert [e.reason.split(":")[0] for e in errors] == [
        f"record {k + 1} at byte {mem[k][0]}",
        f"record {k + 2} at byte {mem[k + 1][0]}",
    ]


def test_junk_between_gzip_members_is_skipped(web_data: Path, tmp_path: Path) -> None:
    data, mem, full = _real(web_data, "dolma__warc_sample-0000.warc.gz")
    at = mem[len(mem) // 2][0]
    rng = random.Random(3)
    junk = bytes(rng.randrange(256) for _ in range(3000)).replace(b"\x1f", b"\x20")
    path = tmp_path / "junk.warc.gz"
    path.write_bytes(data[:at] + junk + data[at:])
    docs, errors = read(path)
    assert [(recno(d), d.text) for d in docs] == [(recno(d), d.text) for d in full]
    (err,) = errors
    assert f"record {len(mem) // 2}" in err.reason and f"3000 bytes at byte {at}" in err.reason
    assert "not gzip data" in err.reason and f"byte {at + 3000}" in err.reason


def _generated(n: int) -> list[bytes]:
    return [warc_response(f"https://example.org/{i}", page(i), i) for i in range(1, n + 1)]


def test_single_stream_warc_gz_truncated_keeps_complete_records(tmp_path: Path) -> None:
    # A .warc.gz compressed as one gzip stream (not one member per record), cut short.
    records = _generated(40)
    plain = b"".join(records)
    packed = gzip.compress(plain)
    cut = packed[: len(packed) * 6 // 10]
    avail = len(zlib.decompressobj(31).decompress(cut))
    ends, pos = [], 0
    for r in records:
        pos += len(r)
        ends.append(pos)
    complete = sum(e <= avail for e in ends)
    path = tmp_path / "stream.warc.gz"
    path.write_bytes(cut)
    docs, errors = read(path)
    assert [d.meta["url"] for d in docs] == [f"https://example.org/{i}" for i in range(1, complete + 1)]
    assert errors and all(e.reason.startswith("record ") for e in errors)
    assert any("truncated" in e.reason for e in errors)


def test_big_member_streams_and_resyncs_after_corruption(tmp_path: Path, monkeypatch) -> None:
    # Members larger than the hold limit are passed on as they decode; a corrupt one still loses only
    # itself: reading resumes at the next member.
    import mathforge.corpus.read_common as rc

    monkeypatch.setattr(rc, "_MEMBER_HOLD", 16 << 10)
    records = _generated(60)
    first, second = b"".join(records[:30]), b"".join(records[30:])
    a, b = gzip.compress(first), gzip.compress(second)
    bad = bytearray(a)
    for i in range(len(a) * 3 // 4, len(a) * 3 // 4 + 64):
        bad[i] ^= 0x5A
    path = tmp_path / "big.warc.gz"
    path.write_bytes(bytes(bad) + b)
    docs, errors = read(path)
    urls = [d.meta["url"] for d in docs]
    assert [f"https://example.org/{i}" for i in range(31, 61)] == urls[-30:]
    assert len(urls) >= 40  # most of the first member decoded before its damage
    assert urls[: len(urls) - 30] == [f"https://example.org/{i}" for i in range(1, len(urls) - 29)]
    assert any(f"byte {len(a)}" in e.reason and "corrupt" in e.reason for e in errors)


# --- 7. NUL bytes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("ext", [".txt", ".md", ".html", ".tex", ".py"])
def test_a_leading_nul_does_not_reject_a_valid_file(tmp_path: Path, ext: str) -> None:
    p = tmp_path / f"lead{ext}"
    p.write_bytes(b"\x00" + b"The derivative of x squared is two x, line by line.\n" * 20)
    docs, errors = read(p)
    assert errors == []
    (d,) = docs
    assert "\x00" not in d.text and "derivative of x squared" in d.text
    assert d.meta["nul_chars_removed"] == 1


def test_nuls_after_the_first_8kb_never_reach_a_document(tmp_path: Path) -> None:
    p = tmp_path / "late.txt"
    p.write_bytes(b"a" * 9000 + b"\x00\x00 tail text")
    (d,) = read(p)[0]
    assert "\x00" not in d.text and d.text.endswith(" tail text")
    assert d.meta["nul_chars_removed"] == 2


def test_nuls_in_records_are_removed_per_record(tmp_path: Path) -> None:
    jl = tmp_path / "n.jsonl"
    jl.write_text(json.dumps({"text": "a\u0000b"}) + "\n" + json.dumps({"text": "clean"}) + "\n")
    docs, errors = read(jl)
    assert errors == [] and [d.text for d in docs] == ["ab", "clean"]
    assert docs[0].meta["nul_chars_removed"] == 1 and "nul_chars_removed" not in docs[1].meta
    pqf = tmp_path / "n.parquet"
    pq.write_table(pa.table({"text": ["x\x00y", "z"]}), pqf)
    assert [d.text for d in read(pqf)[0]] == ["xy", "z"]
    # WARC: a NUL early in one page and one past 8 KB in another; both pages kept, without NULs.
    recs = [
        warc_response("https://example.org/early", page(1).replace(b"<p>", b"<p>\x00", 1), 1),
        warc_response("https://example.org/late", page(2, b"x" * 9000 + b"\x00 end"), 2),
    ]
    w = tmp_path / "n.warc.gz"
    w.write_bytes(b"".join(gzip.compress(r) for r in recs))
    docs, errors = read(w)
    assert errors == [] and len(docs) == 2
    assert all("\x00" not in d.text and d.meta["nul_chars_removed"] == 1 for d in docs)


def test_binary_files_are_still_refused(tmp_path: Path) -> None:
    p = tmp_path / "utf16.txt"
    p.write_bytes("plain words in UTF-16 without a byte order mark\n".encode("utf-16-le") * 50)
    docs, errors = read(p)
    assert docs == [] and "not a text file" in errors[0].reason
    q = tmp_path / "blob.html"
    q.write_bytes(b"<html>" + bytes(range(32)) * 300)
    assert read(q)[0] == []


# --- 8. errors a user can see --------------------------------------------------------------------------


def test_empty_files_are_reported_and_counted(tmp_path: Path) -> None:
    for suffix, _ in SUFFIXES:
        p = tmp_path / f"e{suffix}"
        p.write_bytes(b"")
        docs, errors = read(p)
        assert docs == [] and len(errors) == 1, suffix
        assert errors[0].reason.startswith("empty file"), (suffix, errors[0].reason)
    (tmp_path / "blank.txt").write_text("  \n\n")
    (err,) = read(tmp_path / "blank.txt")[1]
    assert err.reason.startswith("empty file")
    (tmp_path / "e2.jsonl.gz").write_bytes(gzip.compress(b"\n\n"))
    (err,) = read(tmp_path / "e2.jsonl.gz")[1]
    assert err.reason.startswith("empty file")


def test_read_errors_are_listed_one_per_input() -> None:
    from mathforge.corpus.report import error_kind, read_error_lines

    errors = [
        f"data/f{i}.jsonl: line {i}: malformed JSON (Expecting value, column 1); fix it" for i in range(25)
    ]
    section = {"count": 25, "examples": errors[:50]}
    lines = read_error_lines(section)
    assert lines[:20] == errors[:20] and lines[20] == "… and 5 more" and len(lines) == 21
    assert read_error_lines({"count": 3, "examples": errors[:3]}) == errors[:3]
    kinds = {
        "line 2: malformed JSON (Expecting value, column 1); fix or remove the line": "malformed JSON",
        "record 1 (https://x.org/): payload truncated (5 of 9 bytes); skipped": "payload truncated",
        "record 7 at byte 1234: gzip member is corrupt (invalid stored block lengths); skipped": (
            "gzip member is corrupt"
        ),
        "document of 123 bytes exceeds max_doc_bytes (100); skipped": "document too large",
        "row 4: document of 123 bytes exceeds max_doc_bytes (100); skipped": "document too large",
        "empty file (0 bytes); nothing to read": "empty file",
        "file not found; check the path or glob": "file not found",
    }
    assert {r: error_kind(r) for r in kinds} == kinds


def _small_run(tmp_path: Path, web_data: Path):
    from mathforge.corpus.config import load_corpus_config
    from mathforge.corpus.pipeline import run_corpus

    inp = tmp_path / "in"
    inp.mkdir()
    for name in ("mathjax-demos__v2-support_v2-script-tags.html", "readability__wikipedia-3.html"):
        (inp / name).write_bytes((web_data / "html" / "math" / name).read_bytes())
    (inp / "science.warc.gz").write_bytes((web_data / "warc" / "dolma__science_0.warc.gz").read_bytes())
    text = (web_data / "latex" / "lebl-ra__ch-real-nums.tex").read_text()[20000:24000]
    (inp / "web.jsonl").write_text(
        json.dumps({"text": text}) + "\n" + json.dumps({"text": text}) + "\n{bad\n"
    )
    (inp / "empty.md").write_bytes(b"")
    cfg = tmp_path / "corpus.toml"
    cfg.write_text(
        f'[output]\ndir = "out"\n[input]\npaths = ["{inp}"]\n[run]\nworkers = 1\nfiles_per_shard = 2\n'
        '[langid]\nkeep = ["en"]\n[filters]\nmin_words = 20\n[decontam]\nenabled = false\n'
    )
    return run_corpus(load_corpus_config(cfg))


def test_funnel_sizes_follow_the_steps_and_errors_are_listed(tmp_path: Path, web_data: Path) -> None:
    result = _small_run(tmp_path, web_data)
    rep = result.report
    rows = rep["funnel"]
    assert [r["step"] for r in rows] == ["read", "extract", "langid", "filter", "dedup"]
    for prev, cur in itertools.pairwise(rows):
        assert cur["documents_in"] == prev["documents_out"]
        assert cur["bytes_in"] == prev["bytes_out"], cur["step"]
    for r in rows:
        assert r["bytes_out"] <= r["bytes_in"], r["step"]
    dedup = rows[-1]
    assert dedup["dropped"] == {"exact_dup_of": 1}
    # What the funnel says was kept is what the corpus files hold.
    kept = [
        json.loads(x) for p in (result.output / "docs").glob("*.jsonl") for x in p.read_text().splitlines()
    ]
    assert len(kept) == rep["kept"] == dedup["documents_out"]
    assert rep["kept_bytes"] == dedup["bytes_out"] == sum(len(k["text"].encode()) for k in kept)
    # Each unreadable input on its own line, as FILE: where: reason; kinds named by what went wrong.
    errs = rep["read_errors"]
    assert errs["count"] == 2
    from mathforge.corpus.report import read_error_lines

    lines = read_error_lines(errs)
    assert any(
        x.startswith(f"{result.output.parent / 'in' / 'web.jsonl'}: line 3: malformed JSON") for x in lines
    )
    assert any(x.startswith(f"{result.output.parent / 'in' / 'empty.md'}: empty file") for x in lines)
    assert errs["by_kind"] == {"malformed JSON": 1, "empty file": 1}
