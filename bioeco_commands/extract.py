"""Commands that turn a new report into reviewed rows of data/: extract, accept."""

from __future__ import annotations

from pathlib import Path

import click

from bioeco.errors import BioecoError
from bioeco_commands.options import (
    DATA_OPTION,
    fail,
)

__all__ = [
    "accept",
    "extract",
]


@click.command()
@click.argument("report", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--source-id", required=True, help="Id of the report in data/sources.csv (new or known)."
)
@click.option(
    "-o",
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the proposals CSV here (default: print it).",
)
@click.option(
    "--publisher",
    default=None,
    help="Actor/initiative id of the publisher (default: from sources.csv); "
    "'klyngen' then means it.",
)
@DATA_OPTION
def extract(
    report: Path,
    source_id: str,
    out_file: Path | None,
    publisher: str | None,
    data_dir: Path | None,
) -> None:
    """Propose facts from a report (.txt, .md, .pdf): mentions, memberships, new actors.

    Review the CSV (set status to accepted or rejected), then run `bioeco accept`.
    """
    from bioeco.extract import extract_report

    try:
        result = extract_report(
            report, source_id, data_dir=data_dir, publisher=publisher, out=out_file
        )
    except BioecoError as exc:
        raise fail(exc) from None
    if out_file is None:
        click.echo(result.csv, nl=False)
        return
    c = result.counts()
    click.echo(
        f"{c['mention']} mentions, {c['membership']} memberships, {c['new-actor']} new actors "
        f"({c['recorded']} already recorded) from {len(result.document.lines)} lines; "
        f"wrote {out_file}"
    )


@click.command()
@click.argument("proposals", type=click.Path(dir_okay=False, path_type=Path))
@DATA_OPTION
@click.option("--title", default="", help="Title of a new source (creates its sources.csv row).")
@click.option("--title-en", default="", help="English title of a new source.")
@click.option("--issued", default="", help="Publication date of a new source (YYYY[-MM[-DD]]).")
@click.option("--publisher", default="", help="Actor/initiative id publishing a new source.")
@click.option("--language", default="nb", show_default=True, help="Language tag of a new source.")
def accept(
    proposals: Path,
    data_dir: Path | None,
    title: str,
    title_en: str,
    issued: str,
    publisher: str,
    language: str,
) -> None:
    """Append the proposals marked accepted to data/<source>/; remember the rejected ones.

    Rows are validated like hand-written rows; on any problem nothing is written.
    """
    from bioeco.extract.accept import SourceInfo, accept_proposals

    info = SourceInfo(title, issued, publisher, language, title_en)
    try:
        result = accept_proposals(proposals, data_dir=data_dir, source=info)
    except BioecoError as exc:
        raise fail(exc) from None
    click.echo(result.summary())
