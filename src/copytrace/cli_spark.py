"""The `copytrace spark-scan` command: the Spark engine behind the same thin CLI layer."""

from __future__ import annotations

from pathlib import Path

import click


def register(group: click.Group) -> None:
    """Add `spark-scan` to the `copytrace` command group."""
    group.add_command(spark_scan_command)


def _stages() -> list[str]:
    from copytrace.spark.job import STAGES

    return list(STAGES)


def _conf(values: tuple[str, ...]) -> list[tuple[str, str]]:
    out = []
    for value in values:
        key, sep, setting = value.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{value!r} is not KEY=VALUE", param_hint="--conf")
        out.append((key.strip(), setting.strip()))
    return out


@click.command("spark-scan")
@click.argument("inputs", nargs=-1, required=True)
@click.argument("output", nargs=1)
@click.option(
    "--master",
    help="Spark master: local[2], spark://host:7077, yarn ... (default: spark-submit's, local[*]).",
)
@click.option("--stop-after", type=click.Choice(_stages()), help="Stop after this stage.")
@click.option(
    "--conf",
    "conf",
    multiple=True,
    metavar="KEY=VALUE",
    help="A Spark setting, e.g. --conf spark.executor.memory=8g (repeatable).",
)
@click.option(
    "--collect-limit",
    type=int,
    default=None,
    show_default="200000",
    help="Write result.json only when documents + relations are at most this many.",
)
@click.option("--restart", is_flag=True, help="Discard the checkpoints in OUTPUT and start over.")
@click.option(
    "--on-error",
    type=click.Choice(["skip", "fail"]),
    help="On an unreadable input: report it and go on (skip, the default) or stop.",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="TOML file of settings over the defaults ([align], [classify], ...).",
)
@click.option(
    "--no-semantic", is_flag=True, help="Compare wording only, without the sentence model."
)
def spark_scan_command(
    inputs: tuple[str, ...],
    output: str,
    master: str | None,
    stop_after: str | None,
    conf: tuple[str, ...],
    collect_limit: int | None,
    restart: bool,
    on_error: str | None,
    config_file: Path | None,
    no_semantic: bool,
) -> None:
    """Scan a corpus on Spark; write Parquet tables and result.json under OUTPUT.

    INPUTS are files or folders (local or any Hadoop URI) of .txt, .md, .html, .jsonl(.gz), .csv
    or .parquet files. OUTPUT gets documents/, relations/, stories/, problems/ (Parquet) and
    result.json in the `scan --json` format when the result is small enough to collect.

    Example:

        copytrace spark-scan articles/ out/ --master local[2]
    """
    from copytrace.cli import _config
    from copytrace.spark.job import COLLECT_LIMIT, spark_scan

    config = _config(config_file, no_semantic, on_error)
    run = spark_scan(
        list(inputs), output, config, master=master, stop_after=stop_after, conf=_conf(conf),
        collect_limit=COLLECT_LIMIT if collect_limit is None else collect_limit, restart=restart,
    )  # fmt: skip
    for name, info in run.stages.items():
        state = "checkpoint" if name in run.skipped else f"{info.get('seconds', 0):.1f} s"
        figures = ", ".join(f"{k} {v}" for k, v in info.items() if k != "seconds")
        click.echo(f"{name:<11}{state:>12}  {figures}", err=True)
    problems = run.stages.get("read", {}).get("problems", 0)
    if problems:
        click.echo(f"{problems} inputs could not be read (listed in {output}/problems/)", err=True)
    if run.stopped_after:
        click.echo(f"stopped after {run.stopped_after}; run again to go on", err=True)
    elif run.result_json:
        click.echo(f"wrote {output}/ (Parquet tables) and {run.result_json}", err=True)
    else:
        click.echo(f"wrote {output}/ (Parquet tables; too large for result.json)", err=True)
