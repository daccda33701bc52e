"""The `tertulia` command: set-up, running the platform and operator tools."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(help="tertulia: social intelligence, self-hosted.", no_args_is_help=True,
                  add_completion=False)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
docs_app = typer.Typer(help="Generated documentation.", no_args_is_help=True)
query_app = typer.Typer(help="The boolean query language.", no_args_is_help=True)
nlp_app = typer.Typer(help="Text models: training and corrections.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
app.add_typer(docs_app, name="docs")
app.add_typer(query_app, name="query")
app.add_typer(nlp_app, name="nlp")
rollups_app = typer.Typer(help="Insights rollups: the sums every dashboard reads.",
                          no_args_is_help=True)
app.add_typer(rollups_app, name="rollups")


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tertulia.settings")
    import django

    django.setup()


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)


@app.command()
def demo(
    password: Annotated[str, typer.Option(help="Password for every demo person.")] = "",
) -> None:
    """Create (or refresh) the demo organization "Café Aurora" and print its logins."""
    _django()
    from tertulia.governance.demo import DEMO_PASSWORD, seed_demo

    logins = seed_demo(password or DEMO_PASSWORD)
    _print_logins(logins, password or DEMO_PASSWORD)


def _print_logins(logins: list[tuple[str, str, str]], password: str) -> None:
    width = max(len(role) for role, _email, _where in logins)
    typer.echo(f"\nDemo sign-ins at http://127.0.0.1:8000/ (password for all: {password})")
    for role, email, where in logins:
        typer.echo(f"  {role:<{width}}  {email:<34} {where}")
    typer.echo("")


@app.command()
def run(
    port: Annotated[int, typer.Option(help="TCP port to listen on.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    workers: Annotated[int, typer.Option(help="Background worker threads (0 = none).")] = -1,
) -> None:
    """Start the web server, the background workers and the scheduler in one process."""
    _django()
    import uvicorn
    from django.conf import settings
    from huey.consumer import Consumer

    import tertulia.insights.tasks
    import tertulia.listening.tasks
    import tertulia.networks.tasks
    from tertulia.queue import huey

    class EmbeddedConsumer(Consumer):
        # uvicorn owns the process signals; the consumer is stopped explicitly below.
        def _set_signal_handlers(self) -> None:
            pass

    count = settings.HUEY_WORKERS if workers < 0 else workers
    consumer = None
    if count > 0:
        consumer = EmbeddedConsumer(huey, workers=count, worker_type="thread", periodic=True,
                                    check_worker_health=False)
        threading.Thread(target=consumer.start, name="huey", daemon=True).start()
        # Bring the sources up to date now rather than at the next full minute.
        tertulia.listening.tasks.poll_sources()
    typer.echo(f"tertulia is running on http://{host}:{port}/ (Ctrl-C stops it)")
    try:
        uvicorn.run("tertulia.asgi:application", host=host, port=port, log_level="warning",
                    lifespan="off")
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)


@audit_app.command("verify")
def audit_verify(
    org: Annotated[str | None, typer.Option(help="Only this organization (slug).")] = None,
) -> None:
    """Check every organization's audit chain; exit 1 naming the first bad event."""
    _django()
    from tertulia.governance.audit import verify
    from tertulia.governance.models import Organization

    orgs = Organization.objects.order_by("slug")
    if org:
        orgs = orgs.filter(slug=org)
        if not orgs.exists():
            typer.echo(f"No organization with slug {org!r}.", err=True)
            raise typer.Exit(2)
    failed = False
    for organization in orgs:
        problem = verify(organization)
        count = organization.audit_events.count()
        if problem is None:
            typer.echo(f"{organization.slug}: intact ({count} events)")
        else:
            failed = True
            typer.echo(f"{organization.slug}: BROKEN at {problem}", err=True)
    raise typer.Exit(1 if failed else 0)


@docs_app.command("generate")
def docs_generate(
    check: Annotated[bool, typer.Option(help="Fail if a generated page is out of date.")] = False,
) -> None:
    """Write the configuration, permission and metrics references into docs/."""
    from tertulia.reference import write_reference

    stale = write_reference(Path.cwd() / "docs", check=check)
    if stale and check:
        typer.echo("Out of date (run `tertulia docs generate`): "
                   + ", ".join(str(p) for p in stale), err=True)
        raise typer.Exit(1)
    for path in stale:
        typer.echo(f"wrote {path}")


@query_app.command("check")
def query_check(
    text: Annotated[str, typer.Argument(help="The query, quoted for the shell.")],
    lang: Annotated[str, typer.Option(help="Language of the messages: en or es.")] = "en",
) -> None:
    """Exit 0 and print the parse of a valid query; exit 1 with the positioned error."""
    from tertulia.listening.query import QuerySyntaxError, parse

    try:
        query = parse(text)
    except QuerySyntaxError as error:
        language = "es" if lang == "es" else "en"
        typer.echo(text, err=True)
        typer.echo(" " * error.position + "^" * max(1, error.end - error.position), err=True)
        typer.echo(f"{error.message(language)}\n{error.hint(language)}", err=True)
        raise typer.Exit(1) from None
    typer.echo(repr(query))


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    org: Annotated[str | None, typer.Option(help="Organization slug (needed if several).")] = None,
    map_: Annotated[list[str] | None, typer.Option(
        "--map", help="Column mapping for CSV, as field=column (repeatable).")] = None,
    errors: Annotated[
        Path | None, typer.Option(help="Where to write the row-error report.")
    ] = None,
    workers: Annotated[int | None, typer.Option(
        help="Worker processes that parse, read and match rows while this one writes; 0 "
             "does everything in one process. Default: one per core but one, for files of "
             "8 MB or more.")] = None,
) -> None:
    """Import a JSONL or CSV export. Bad rows go to the error report; good rows are kept;
    importing the same file again changes nothing."""
    _django()
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    from tertulia.listening.importing import auto_workers, import_file
    from tertulia.networks.importer.reader import ImportConfigError

    target = _client_org(org)
    mapping = {}
    for pair in map_ or []:
        field, sep, column = pair.partition("=")
        if not sep or not field or not column:
            typer.echo(f"--map expects field=column, got {pair!r}", err=True)
            raise typer.Exit(2)
        mapping[field.strip()] = column.strip()
    report = errors or file.with_name(file.name + ".errors.csv")
    with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                  TimeRemainingColumn(), transient=not sys.stderr.isatty()) as bar:
        task = bar.add_task(f"importing {file.name}", total=file.stat().st_size)
        try:
            summary = import_file(
                target, file, mapping=mapping or None, report_path=report,
                progress=lambda done, _total: bar.update(task, completed=done),
                workers=auto_workers(file) if workers is None else max(0, workers),
            )
        except ImportConfigError as error:
            typer.echo(f"Cannot import {file}: {error}", err=True)
            raise typer.Exit(2) from None
    typer.echo(
        f"{summary.rows_read} rows read: {summary.created} new, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {summary.errors} with errors"
    )
    if summary.errors:
        typer.echo(f"Row errors (line, field, value, reason): {report}")


@app.command()
def erase(
    network: Annotated[str, typer.Option(help="The author's network, e.g. x, instagram.")],
    handle: Annotated[str, typer.Option(help="The author's handle, without @.")],
    org: Annotated[str | None, typer.Option(help="Organization slug (needed if several).")] = None,
) -> None:
    """Forget a person who asked to be erased: hide their mentions now, purge them at the
    next run, keep only a pseudonym. Audited without their handle."""
    _django()
    from tertulia.governance.audit import Actor
    from tertulia.listening.models import Author
    from tertulia.listening.retention import do_erase_author

    target = _client_org(org)
    try:
        count = do_erase_author(target, network.lower(), handle.removeprefix("@"),
                                actor=Actor.system("cli"))
    except Author.DoesNotExist as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Erased: {count} mentions hidden now and purged at the next run.")


@nlp_app.command("train", context_settings={"allow_extra_args": True,
                                            "ignore_unknown_options": True})
def nlp_train(ctx: typer.Context) -> None:
    """Rebuild every shipped text model from ../shared/data and rewrite the manifest."""
    from tertulia.nlp.train import main as train

    raise typer.Exit(train(list(ctx.args)) or 0)


@nlp_app.command("export-corrections")
def nlp_export_corrections(
    org: Annotated[str | None, typer.Option(help="Organization slug (needed if several).")] = None,
    out: Annotated[Path | None, typer.Option(
        dir_okay=False, help="JSONL file to write (default: standard output).")] = None,
) -> None:
    """Write the analysts' corrections of sentiment and flag as JSONL training data (the
    latest review of each mention and field, the same rows as the web export)."""
    _django()
    import json

    from tertulia.listening.actions import correction_rows

    target = _client_org(org)
    lines = (json.dumps(row, ensure_ascii=False) + "\n" for row in correction_rows(org=target))
    if out is None:
        count = 0
        for line in lines:
            sys.stdout.write(line)
            count += 1
        typer.echo(f"{count} corrections exported.", err=True)
        return
    # Written beside the target and renamed at the end: a failed export never leaves a
    # truncated file where a previous good one was.
    partial = out.with_name(out.name + ".part")
    try:
        with partial.open("w", encoding="utf-8") as handle:
            count = sum(1 for line in lines if handle.write(line))
        partial.replace(out)
    except OSError as error:
        partial.unlink(missing_ok=True)
        typer.echo(f"Cannot write {out}: {error.strerror or error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{count} corrections exported to {out}.")


def _client_org(slug: str | None) -> Any:
    from tertulia.governance.models import Organization

    orgs = Organization.objects.filter(kind=Organization.Kind.CLIENT)
    candidates = orgs.filter(slug=slug) if slug else orgs
    target = candidates.first() if slug or candidates.count() == 1 else None
    if target is None:
        typer.echo(f"No organization with slug {slug!r}." if slug
                   else "Say which organization with --org SLUG.", err=True)
        raise typer.Exit(2)
    return target


@rollups_app.command("rebuild")
def rollups_rebuild(
    org: Annotated[str | None, typer.Option(help="Organization slug (needed if several).")] = None,
    since: Annotated[str | None, typer.Option(
        help="First local day to rebuild, YYYY-MM-DD (default: everything).")] = None,
    until: Annotated[str | None, typer.Option(
        help="Last local day to rebuild, YYYY-MM-DD (default: today).")] = None,
) -> None:
    """Recompute the rollups of every brand from the stored mentions. Idempotent: safe to
    run while mentions keep arriving, and as often as wanted."""
    from datetime import date

    _django()
    from tertulia.insights.rollups import rebuild_rollups

    try:
        start = date.fromisoformat(since) if since else None
        end = date.fromisoformat(until) if until else None
    except ValueError:
        typer.echo("--since and --until take a date as YYYY-MM-DD.", err=True)
        raise typer.Exit(2) from None
    target = _client_org(org)
    summary = rebuild_rollups(target, start, end, progress=lambda brand, first, last: typer.echo(
        f"  {brand.slug}: {first} … {last}", err=True))
    typer.echo(f"{target.slug}: {summary.brands} brands, {summary.mentions} mentions, "
               f"{summary.hourly_rows} hourly and {summary.daily_rows} daily rows rebuilt")


@app.command()
def report(
    brand: Annotated[str, typer.Option(help="Brand slug.")],
    template: Annotated[str, typer.Option(
        help="executive, marketing, pr, sales, service or weekly.")],
    out: Annotated[Path, typer.Option(help="File to write.", dir_okay=False)],
    org: Annotated[str | None, typer.Option(help="Organization slug (needed if several).")] = None,
    format_: Annotated[str, typer.Option("--format", help="pdf, pptx or xlsx.")] = "pdf",
    lang: Annotated[str, typer.Option(help="Language of the report: es or en.")] = "es",
    period: Annotated[str, typer.Option(
        help="today, yesterday, 7d, 30d, 90d, mtd, last_month, last_week (default: 30d; "
             "last_week for the weekly).")] = "",
    since: Annotated[str | None, typer.Option(help="First day, YYYY-MM-DD (with --until).")] = None,
    until: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD.")] = None,
    compare: Annotated[str, typer.Option(help="previous, last_year or none.")] = "previous",
) -> None:
    """Render a report of one brand to a PDF, PPTX or XLSX file."""
    import time
    from datetime import date

    _django()
    from django.utils import timezone

    from tertulia.insights import metrics
    from tertulia.insights.dashboards import Filters
    from tertulia.insights.reports import FORMATS, TEMPLATES, build_report, render_report

    problems = []
    if template not in TEMPLATES:
        problems.append(f"--template must be one of {', '.join(TEMPLATES)}, got {template!r}.")
    if format_ not in FORMATS:
        problems.append(f"--format must be one of {', '.join(FORMATS)}, got {format_!r}.")
    if lang not in ("es", "en"):
        problems.append(f"--lang must be es or en, got {lang!r}.")
    if compare not in {c.value for c in metrics.Compare}:
        problems.append(f"--compare must be previous, last_year or none, got {compare!r}.")
    if problems:
        typer.echo("\n".join(problems), err=True)
        raise typer.Exit(2)
    target = _client_org(org)
    found = target.brands.filter(slug=brand).first()
    if found is None:
        slugs = ", ".join(target.brands.values_list("slug", flat=True))
        typer.echo(f"No brand {brand!r} in {target.slug}; its brands: {slugs}.", err=True)
        raise typer.Exit(2)
    now = timezone.now()
    try:
        if since or until:
            if not (since and until):
                raise ValueError("--since and --until go together")
            chosen = metrics.Period(date.fromisoformat(since), date.fromisoformat(until))
        else:
            name = period or ("last_week" if template == "weekly" else "30d")
            chosen = metrics.preset(name, metrics.local_today(now, found.timezone))
    except ValueError as error:
        typer.echo(f"Bad period: {error}. Dates are YYYY-MM-DD, --until on or after --since.",
                   err=True)
        raise typer.Exit(2) from None
    started = time.perf_counter()
    doc = build_report(found, template, lang, Filters(chosen, metrics.Compare(compare)),
                       brands=list(target.brands.filter(is_active=True)), now=now)
    data = render_report(doc, format_)
    out.write_bytes(data)
    typer.echo(f"wrote {out} ({len(data):,} bytes, {time.perf_counter() - started:.1f} s): "
               f"{doc.title}, {found.name}, {doc.period_label}")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def manage(ctx: typer.Context) -> None:
    """Run a Django management command (e.g. `tertulia manage makemigrations --check`)."""
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tertulia manage", *ctx.args])


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
