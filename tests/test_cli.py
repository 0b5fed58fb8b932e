"""The command line, through click's runner: commands, output streams and exit codes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import types
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

import copytrace
from copytrace import pipeline
from copytrace.cli import Session, cli, main
from copytrace.config import Config
from copytrace.pipeline import Models
from copytrace.records import ScanResult

SPIN = ("000_500a8c1d4f6eb8df", "001_f57957876d2b9527")
CONDENSED = ("003_5f2bf27763bf766a", "001_f57957876d2b9527")


@pytest.fixture
def run(models: Models) -> Any:
    """Invoke the CLI in process with the session's loaded models."""
    runner = CliRunner()

    def invoke(*args: str | Path, **kwargs: Any) -> Result:
        return runner.invoke(cli, [str(a) for a in args], obj=Session([models]), **kwargs)

    return invoke


@pytest.fixture
def bad_inputs(tmp_path: Path, seeds: Path) -> Path:
    """A folder with a binary file, an empty file, a JSONL file with a bad line, and good text."""
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02 not text \x00" * 10)
    (tmp_path / "empty.txt").write_text("")
    good = json.dumps({"id": "row1", "text": (seeds / f"{SPIN[0]}.txt").read_text()})
    (tmp_path / "rows.jsonl").write_text(f"{good}\n{{not json\n")
    shutil.copy(seeds / f"{SPIN[1]}.txt", tmp_path / "good.txt")
    return tmp_path


# --- scan --------------------------------------------------------------------------------------


def test_scan_json_on_the_seeds(run: Any, seeds: Path) -> None:
    result = run("scan", seeds, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)  # nothing but the JSON on stdout
    assert len(out["documents"]) == 5
    kinds = {(r["derived"], r["source"]): r["kind"] for r in out["relations"]}
    assert kinds[SPIN] == "spin"
    assert kinds[CONDENSED] == "condensed"
    [story] = [s for s in out["stories"] if len(s["members"]) > 1]
    assert len(story["members"]) == 5
    assert story["original"] == "001_f57957876d2b9527"


def test_scan_report_on_the_seeds(run: Any, seeds: Path) -> None:
    result = run("scan", seeds)
    assert result.exit_code == 0, result.output
    assert "5 documents read" in result.stdout
    assert "spin" in result.stdout and "condensed" in result.stdout
    assert "original: 001_f57957876d2b9527" in result.stdout
    assert "\x1b[" not in result.stdout  # no colour when stdout is not a terminal


def test_scan_without_the_model(run: Any, seeds: Path) -> None:
    result = run("scan", seeds, "--json", "--no-semantic")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["documents"]) == 5


def test_session_keeps_one_models_per_setting(models: Models) -> None:
    session = Session([models])
    assert session.models(Config()) is models
    lexical = session.models(Config().with_values({"align": {"model": "lexical"}}))
    assert lexical is not models and not lexical.semantic
    assert session.models(Config().with_values({"align": {"model": "lexical"}})) is lexical


def test_scan_skips_bad_inputs_and_names_them(run: Any, bad_inputs: Path) -> None:
    result = run("scan", bad_inputs, "--json")
    assert result.exit_code == 0, result.output
    assert {d["id"] for d in json.loads(result.stdout)["documents"]} == {"good", "row1"}
    err = result.stderr
    assert f"{bad_inputs / 'binary.txt'}: binary file" in err
    assert f"{bad_inputs / 'empty.txt'}: empty document" in err
    assert f"{bad_inputs / 'rows.jsonl'}:2: not valid JSON" in err
    assert err.rstrip().endswith("skipped 3 inputs; see messages above")


def test_scan_on_error_fail_stops_at_the_first(run: Any, bad_inputs: Path) -> None:
    result = run("scan", bad_inputs, "--on-error", "fail")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"{bad_inputs / 'binary.txt'}: binary file" in result.stderr
    assert "Traceback" not in result.stderr


def test_scan_on_error_from_the_config_file(run: Any, bad_inputs: Path, tmp_path: Path) -> None:
    config = tmp_path / "strict.toml"
    config.write_text('[read]\non_error = "fail"\n')
    assert run("scan", bad_inputs, "--config", config).exit_code == 2
    assert run("scan", bad_inputs, "--config", config, "--on-error", "skip").exit_code == 0


def test_scan_workers_must_be_a_positive_count(run: Any, seeds: Path) -> None:
    result = run("scan", seeds, "--workers", "0")
    assert result.exit_code == 2
    assert "--workers" in result.stderr
    assert "Traceback" not in result.stderr


def test_scan_missing_path(run: Any, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = run("scan", missing)
    assert result.exit_code == 2
    assert str(missing) in result.stderr


def test_scan_nothing_readable_is_a_user_error(run: Any, tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("")
    result = run("scan", tmp_path)
    assert result.exit_code == 2
    assert "no readable documents" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("toml", "named"),
    [
        ('[classify]\nspin_coverage = "high"\n', "classify.spin_coverage"),
        ("[align]\nnot_a_setting = 1\n", "align.not_a_setting"),
        ("[nowhere]\nx = 1\n", "[nowhere]"),
        ("[align\n", "not valid TOML"),
    ],
)
def test_scan_bad_config(run: Any, seeds: Path, tmp_path: Path, toml: str, named: str) -> None:
    config = tmp_path / "copytrace.toml"
    config.write_text(toml)
    result = run("scan", seeds, "--config", config)
    assert result.exit_code == 2
    assert named in result.stderr
    assert "Traceback" not in result.stderr


def test_scan_config_file_missing(run: Any, seeds: Path, tmp_path: Path) -> None:
    result = run("scan", seeds, "--config", tmp_path / "none.toml")
    assert result.exit_code == 2
    assert "config file not found" in result.stderr


def test_scan_html_calls_the_html_report(
    run: Any, seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[ScanResult, Path]] = []
    fake = types.ModuleType("copytrace.html_report")
    fake.write_html = lambda result, path: calls.append((result, path))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "copytrace.html_report", fake)
    out = tmp_path / "report.html"
    result = run("scan", seeds / f"{SPIN[1]}.txt", "--html", out, "--json")
    assert result.exit_code == 0, result.output
    assert len(calls) == 1 and calls[0][1] == out
    assert [d.id for d in calls[0][0].documents] == [SPIN[1]]
    json.loads(result.stdout)


def test_scan_html_unavailable(run: Any, seeds: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "copytrace.html_report", None)  # makes the import fail
    result = run("scan", seeds, "--html", "out.html")
    assert result.exit_code == 2
    assert "--html is not available" in result.stderr


# --- compare -----------------------------------------------------------------------------------


def test_compare_seed_spin(run: Any, seeds: Path) -> None:
    result = run("compare", seeds / f"{SPIN[0]}.txt", seeds / f"{SPIN[1]}.txt")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("spin · score")
    assert "│" in result.stdout  # the passages side by side


def test_compare_json(run: Any, seeds: Path) -> None:
    result = run("compare", seeds / f"{SPIN[0]}.txt", seeds / f"{SPIN[1]}.txt", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["relation"]["kind"] == "spin"
    assert [d["id"] for d in out["documents"]] == list(SPIN)
    assert set(out["changes"]) == {"derived", "source", "adds", "drops", "conflicts"}


def test_compare_reads_stdin(run: Any, seeds: Path) -> None:
    text = (seeds / f"{SPIN[0]}.txt").read_text()
    result = run("compare", "-", seeds / f"{SPIN[1]}.txt", "--json", input=text)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["relation"]["kind"] == "spin"
    assert out["documents"][0]["id"] == "stdin"


def test_compare_unrelated(run: Any, seeds: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.txt"
    other.write_text(
        "The city council approved a new budget for public libraries on Tuesday. "
        "Opening hours will be extended on weekends, the mayor said."
    )
    result = run("compare", other, seeds / f"{SPIN[1]}.txt", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) | {"documents": None} == {
        "copytrace": copytrace.__version__,
        "documents": None,
        "relation": None,
        "changes": None,
    }


def test_compare_same_file_twice(run: Any, seeds: Path) -> None:
    path = seeds / f"{SPIN[1]}.txt"
    result = run("compare", path, path, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["relation"]["kind"] == "duplicate"
    assert [d["id"] for d in out["documents"]] == [SPIN[1], f"{SPIN[1]}~2"]


def test_compare_both_stdin_is_a_usage_error(run: Any) -> None:
    result = run("compare", "-", "-", input="text")
    assert result.exit_code == 2
    assert "only one of A and B" in result.stderr


def test_compare_needs_one_text_per_file(run: Any, seeds: Path, tmp_path: Path) -> None:
    rows = tmp_path / "rows.jsonl"
    texts = ["First text, long enough to keep.", "Second text, long enough as well."]
    rows.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts))
    result = run("compare", rows, seeds / f"{SPIN[1]}.txt")
    assert result.exit_code == 2
    assert f"{rows}: holds 2 documents" in result.stderr


def test_compare_unreadable_file(run: Any, seeds: Path, bad_inputs: Path) -> None:
    result = run("compare", bad_inputs / "binary.txt", seeds / f"{SPIN[1]}.txt")
    assert result.exit_code == 2
    assert "binary.txt: binary file" in result.stderr


# --- the program -------------------------------------------------------------------------------


def test_version(run: Any) -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert copytrace.__version__ in result.stdout


def test_python_m_copytrace() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "copytrace", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"copytrace, version {copytrace.__version__}"


def test_main_runs_the_group(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert copytrace.__version__ in capsys.readouterr().out


@pytest.mark.parametrize("command", ["scan", "compare"])
def test_help_has_an_example(run: Any, command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.stdout


def test_usage_error_exits_2(run: Any) -> None:
    result = run("scan")
    assert result.exit_code == 2
    assert "Missing argument" in result.stderr


def _boom(*_: Any, **__: Any) -> None:
    raise RuntimeError("boom")


def test_internal_error_is_short_without_debug(
    run: Any, seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "scan", _boom)
    monkeypatch.delenv("COPYTRACE_DEBUG", raising=False)
    result = run("scan", seeds)
    assert result.exit_code == 1
    assert "internal error: RuntimeError: boom" in result.stderr
    assert "please report this" in result.stderr
    assert "Traceback" not in result.stderr


def test_internal_error_traceback_with_debug(
    run: Any, seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "scan", _boom)
    result = run("scan", seeds, env={"COPYTRACE_DEBUG": "1"})
    assert result.exit_code == 1
    assert "Traceback" in result.stderr and "boom" in result.stderr


def test_interrupt_exits_130(run: Any, seeds: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*_: Any, **__: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "scan", interrupt)
    result = run("scan", seeds)
    assert result.exit_code == 130
    assert "interrupted" in result.stderr


def _writer_of(fifo: Path, reader: subprocess.Popen[str]) -> Any:
    """Open `fifo` for writing once `reader` has opened it (a plain open would wait forever for a
    reader that failed before opening it)."""
    deadline = time.monotonic() + 120
    while True:
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # ENXIO: no reader yet
            if reader.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    f"the scan did not open {fifo} (exit {reader.poll()})"
                ) from None
            time.sleep(0.1)
            continue
        os.set_blocking(fd, True)
        return os.fdopen(fd, "w")


def test_sigterm_ends_a_large_scan_like_ctrl_c(tmp_path: Path) -> None:
    # a scan in batches through a temporary store, waiting on a feed that has sent three articles
    feed = tmp_path / "feed.jsonl"
    os.mkfifo(feed)
    settings = tmp_path / "small.toml"
    settings.write_text("[scan]\nin_memory_max = 1\nbatch_size = 1\n")
    command = [sys.executable, "-m", "copytrace", "scan", "--config", str(settings), str(feed)]
    text = "The central bank raised its key rate by half a point on Tuesday. " * 3
    with subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    ) as scan:
        assert scan.stderr is not None
        with _writer_of(feed, scan) as writer:
            for i in range(3):
                writer.write(json.dumps({"id": f"d{i}", "text": text}) + "\n")
            writer.flush()
            lines = [scan.stderr.readline() for _ in range(4)]
            assert lines[-1].startswith("batch 3: 1 added"), lines
            assert list(tmp_path.glob("copytrace-scan-*"))  # the temporary store
            scan.send_signal(signal.SIGTERM)
            assert scan.wait(timeout=60) == 128 + signal.SIGTERM
        assert "copytrace: terminated" in scan.stderr.read()
    assert not list(tmp_path.glob("copytrace-scan-*"))  # removed on the way out


def test_closed_stdout_is_not_an_internal_error(
    run: Any, seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_pipe(*_: Any, **__: Any) -> None:
        raise BrokenPipeError

    monkeypatch.setattr(pipeline, "scan", broken_pipe)
    result = run("scan", seeds)
    assert result.exit_code == 1
    assert "internal error" not in result.stderr


def test_user_error_is_a_click_exception_with_code_2() -> None:
    from copytrace.cli import UserError

    assert issubclass(UserError, click.ClickException) and UserError.exit_code == 2
