"""`rag`: the command line (CONTRACT.md).

A `RagError` is something the user can fix: its message, one line on stderr, exit code 2. Anything
else is a bug: one line saying so, exit code 1, and the traceback with `-v`.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console

from .answer import Answer, Partial, Status
from .config import CHECKOUT, Settings
from .errors import ConfigError, QuestionError, RagError
from .indexing import IndexProgress

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Ask questions about your news articles, offline, with a citation for every claim.",
)
err = Console(stderr=True)
# piped output (a log, `rag eval > file`) keeps wide tables whole instead of wrapping them at 80 columns
out = Console() if Console().is_terminal or os.environ.get("COLUMNS") else Console(width=160)

ModelOpt = typer.Option(None, "--model", help="GGUF path, file in models/, or a bundled name [env RAG_MODEL]")
KOpt = typer.Option(None, "--k", help="passages to retrieve [env RAG_K]")
IndexDirOpt = typer.Option(None, "--index-dir", help="where the index lives [env RAG_INDEX_DIR]")
ChromaOpt = typer.Option(
    None, "--chroma-url", help="use a Chroma server instead of the embedded index [env RAG_CHROMA_URL]"
)
LlmUrlOpt = typer.Option(None, "--llm-url", help="OpenAI-compatible server for generation [env RAG_LLM_URL]")
VerboseOpt = typer.Option(False, "--verbose", "-v", help="log details to stderr")
SourceOpt = typer.Option(None, "--source", help="ask within this article file only (repeatable)")
SinceOpt = typer.Option(None, "--since", help="ask within articles dated on or after YYYY-MM-DD")
UntilOpt = typer.Option(None, "--until", help="ask within articles dated on or before YYYY-MM-DD")


def _settings(**overrides) -> Settings:
    return Settings.from_env().with_overrides(**overrides)


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("httpx", "chromadb", "bm25s", "sentence_transformers", "urllib3", "gradio"):
        logging.getLogger(noisy).setLevel(logging.WARNING if verbose else logging.ERROR)


@contextmanager
def _user_errors(verbose: bool = False) -> Iterator[None]:
    """Our own errors as their one-line message (exit 2); anything else as a bug (exit 1)."""
    try:
        yield
    except RagError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, markup=True, soft_wrap=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        err.print("interrupted")
        raise typer.Exit(130) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:  # noqa: BLE001 - a bug: said plainly, traced under -v
        if verbose:
            err.print("".join(traceback.format_exception(exc)), highlight=False, markup=False, soft_wrap=True)
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        err.print(
            f"internal error: {type(exc).__name__}: {first} (a bug; run with -v for the traceback)",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(1) from None


def _pipeline(settings: Settings, ensure_index: bool = True):
    from .pipeline import Pipeline

    pipeline = Pipeline(settings)
    if ensure_index:
        report = pipeline.ensure_ready(lambda corpus: err.print(f"no index yet: indexing {corpus} …"))
        if report is not None:
            err.print(report.summary())
    return pipeline


@app.command()
def index(
    paths: list[Path] = typer.Argument(None, help="files or folders (default: corpus/)"),
    prune: bool = typer.Option(False, "--prune", help="remove indexed files that no longer exist"),
    rebuild: bool = typer.Option(False, "--rebuild", help="drop the index and embed everything again"),
    index_dir: Path | None = IndexDirOpt,
    chroma_url: str | None = ChromaOpt,
    verbose: bool = VerboseOpt,
) -> None:
    """Add or update articles in the index (incremental by content hash)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    _setup_logging(verbose)
    with _user_errors(verbose):
        settings = _settings(index_dir=index_dir, chroma_url=chroma_url)
        pipeline = _pipeline(settings, ensure_index=False)
        with Progress(
            TextColumn("embedding"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task("embed", total=None)
            progress = IndexProgress(
                start=lambda files, chunks: bar.update(task, total=chunks),
                advance=lambda n: bar.advance(task, n),
                message=lambda text: err.print(text),
            )
            report = pipeline.index(paths or [settings.corpus_dir], prune=prune, rebuild=rebuild, progress=progress)
        for skipped in report.failed:
            err.print(f"[yellow]skipped[/yellow] {skipped.path}: {skipped.reason}", highlight=False)
        out.print(report.summary(), highlight=False)


@app.command()
def ask(
    question: str | None = typer.Argument(None, help="the question (omit with --jsonl -)"),
    as_json: bool = typer.Option(False, "--json", help="print one answer object"),
    jsonl: str | None = typer.Option(None, "--jsonl", help="batch mode: '-' reads requests from stdin"),
    history: Path | None = typer.Option(
        None,
        "--history",
        help="earlier turns, for a follow-up: the answer objects `rag ask --json` printed (one a "
        "line), or a JSON list of {role, content} messages",
    ),
    model: str | None = ModelOpt,
    k: int | None = KOpt,
    index_dir: Path | None = IndexDirOpt,
    chroma_url: str | None = ChromaOpt,
    llm_url: str | None = LlmUrlOpt,
    source: list[str] | None = SourceOpt,
    since: str | None = SinceOpt,
    until: str | None = UntilOpt,
    verbose: bool = VerboseOpt,
) -> None:
    """Answer a question from the articles, with sources (--source, --since, --until: within chosen articles)."""
    from .answering import AskOptions
    from .scope import Scope

    _setup_logging(verbose)
    with _user_errors(verbose):
        settings = _settings(model=model, k=k, index_dir=index_dir, chroma_url=chroma_url, llm_url=llm_url)
        options = AskOptions(scope=Scope.of(source or (), since, until))
        if jsonl is not None:
            if jsonl != "-":
                raise ConfigError("--jsonl takes '-' (requests on standard input)")
            _batch(settings, options)
            return
        if not question:
            raise QuestionError("give a question, or --jsonl - for batch mode")
        turns = read_history(history) if history else []
        pipeline = _pipeline(settings)
        if as_json:
            print(json.dumps(pipeline.ask(question, turns, options).to_json(), ensure_ascii=False))
            return
        _ask_streaming(pipeline, question, options, verbose, turns)


def read_history(path: Path) -> list[dict]:
    """`--history FILE`: answer objects (one a line, as `rag ask --json` prints them) become the turns
    they answered, citations included; a JSON list is taken as {role, content} messages."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"--history {path}: cannot read it ({exc.strerror or exc})") from None
    try:
        whole = json.loads(text)
        objects = whole if isinstance(whole, list) else [whole]
    except ValueError:
        try:
            objects = [json.loads(line) for line in text.splitlines() if line.strip()]
        except ValueError as exc:
            raise ConfigError(f"--history {path}: not JSON ({exc})") from None
    turns: list[dict] = []
    for obj in objects:
        if isinstance(obj, dict) and isinstance(obj.get("question"), str) and isinstance(obj.get("answer"), str):
            turns += [
                {"role": "user", "content": obj["question"], "standalone": obj.get("standalone") or ""},
                {"role": "assistant", "content": obj["answer"], "citations": obj.get("citations") or []},
            ]
        elif isinstance(obj, dict) and obj.get("role") in ("user", "assistant") and isinstance(obj.get("content"), str):
            turns.append(obj)
        else:
            raise ConfigError(f"--history {path}: each entry must be an answer object or a {{role, content}} message")
    return turns


def _ask_streaming(pipeline, question: str, options, verbose: bool = False, history: list[dict] | None = None) -> None:
    from rich.live import Live
    from rich.text import Text

    answer: Answer | None = None
    events = pipeline.stream(question, history or [], options)
    if out.is_terminal:  # the answer grows in place as it is written
        with Live(Text(""), console=out, refresh_per_second=12, transient=False) as live:
            live.update(Text("searching the articles …", style="dim"))
            for event in events:
                if isinstance(event, Status):  # "Searching for: ..." (a follow-up resolved): kept above the answer
                    live.console.print(Text(event.text, style="dim"))
                elif isinstance(event, Partial):
                    live.update(Text(event.text))
                elif isinstance(event, Answer):
                    answer = event
                    live.update(Text(event.answer, style="yellow" if event.refused else ""))
    else:  # a pipe or a file: each line once, the answer on a line of its own
        for event in events:
            if isinstance(event, Status):
                out.print(event.text, highlight=False, markup=False)
            elif isinstance(event, Answer):
                answer = event
                out.print(event.answer, highlight=False, markup=False)
    if answer is None:
        return
    if answer.notice:
        err.print(answer.notice)
    for c in answer.citations:
        out.print(f"[bold][{c.n}][/bold] {c.title} ({c.source})", highlight=False)
        out.print(f"    {c.text}", style="dim", highlight=False, markup=False)
    if answer.refused and verbose:
        _print_searched(answer)
    t = answer.timings
    err.print(
        f"[dim]{answer.model} · first token {t.get('first_token_ms', 0) / 1000:.1f} s"
        f" · total {t.get('total_ms', 0) / 1000:.1f} s[/dim]"
    )


def _print_searched(answer: Answer) -> None:
    """Under a refusal (-v): the nearest passages it searched, each by its sentence closest to the question."""
    if not answer.searched:
        out.print("No passage came close to the question.", style="dim")
        return
    out.print("Nearest passages searched (none of them answers the question):", style="dim")
    for s in answer.searched:
        where = ", ".join(filter(None, [str(s.get("source", "")), str(s.get("date", ""))]))
        out.print(
            f"- {s.get('title') or s.get('source')} ({where}) · similarity {s.get('score', 0):.2f}",
            highlight=False,
            markup=False,
        )
        out.print(f"    “{s.get('text', '')}”", style="dim", highlight=False, markup=False)


def _batch(settings: Settings, options) -> None:
    """One answer object per request line, in order; a bad line gets an answer object with `error`."""
    pipeline = _pipeline(settings)
    for line_no, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        request_id = None
        try:
            request = _request(line)
            request_id = request.get("id")
            answer = pipeline.ask(str(request.get("question", "")), request.get("history") or [], options)
            answer.id = request_id
            result = answer.to_json()
        except QuestionError as exc:
            result = {
                "id": request_id,
                "question": "",
                "answer": "",
                "refused": True,
                "citations": [],
                "model": "",
                "timings": {},
                "error": f"line {line_no}: {exc}",
            }
            err.print(f"line {line_no}: {exc}", highlight=False)
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        sys.stdout.flush()


def _request(line: str) -> dict:
    """One batch request line, checked: a bad line is the user's, reported in its own answer object."""
    try:
        request = json.loads(line)
    except ValueError as exc:
        raise QuestionError(f"not a JSON object ({exc})") from None
    if not isinstance(request, dict):
        raise QuestionError("a request must be a JSON object")
    if not isinstance(request.get("history") or [], list):
        raise QuestionError("history must be a list of {role, content}")
    return request


@app.command()
def chat(
    host: str | None = typer.Option(None, "--host", help="address to listen on [env RAG_HOST]"),
    port: int | None = typer.Option(None, "--port", help="port [env RAG_PORT]"),
    auth: str | None = typer.Option(None, "--auth", help="user:password, required off loopback [env RAG_AUTH]"),
    model: str | None = ModelOpt,
    k: int | None = KOpt,
    index_dir: Path | None = IndexDirOpt,
    chroma_url: str | None = ChromaOpt,
    llm_url: str | None = LlmUrlOpt,
    verbose: bool = VerboseOpt,
) -> None:
    """Open the browser chat (default http://127.0.0.1:7860)."""
    _setup_logging(verbose)
    with _user_errors(verbose):
        from .ui import serve

        settings = _settings(
            host=host,
            port=port,
            auth=auth,
            model=model,
            k=k,
            index_dir=index_dir,
            chroma_url=chroma_url,
            llm_url=llm_url,
        )
        serve(settings)


@app.command("eval")
def evaluate(
    file: Path = typer.Argument(..., help="questions, one JSON per line (dev.jsonl format)"),
    conversations: Path | None = typer.Option(None, "--conversations", help="two-turn conversations file"),
    corpus: Path | None = typer.Option(
        None, "--corpus", help="the set's own articles: indexed into a temporary index (or --index-dir) first"
    ),
    as_json: bool = typer.Option(False, "--json", help="print metrics as JSON"),
    model: str | None = ModelOpt,
    k: int | None = KOpt,
    index_dir: Path | None = IndexDirOpt,
    chroma_url: str | None = ChromaOpt,
    llm_url: str | None = LlmUrlOpt,
    verbose: bool = VerboseOpt,
) -> None:
    """Run a question set and print retrieval, answer, refusal and citation metrics."""
    _setup_logging(verbose)
    with _user_errors(verbose):
        from .evaluation import print_report, run_eval
        from .feedback import without_review

        settings = _settings(model=model, k=k, index_dir=index_dir, chroma_url=chroma_url, llm_url=llm_url)
        with tempfile.TemporaryDirectory(prefix="rag-eval-set-") as tmp:
            questions, aside = without_review(file, Path(tmp))
            if aside:
                err.print(f"{aside} `review` item(s) set aside: they have no right answer yet (see README, Feedback)")
            with _eval_index(settings, corpus, keep=index_dir is not None) as settings:
                report = run_eval(_pipeline(settings), questions, conversations)
        if as_json:
            print(json.dumps(report, indent=1))
        else:
            print_report(report, out)


@contextmanager
def _eval_index(settings: Settings, corpus: Path | None, keep: bool) -> Iterator[Settings]:
    """An eval set with its own articles: index them first, into a temporary index unless one is given."""
    if corpus is None:
        yield settings
        return
    if not corpus.is_dir():
        raise ConfigError(f"--corpus {corpus}: not a folder of articles")
    with tempfile.TemporaryDirectory(prefix="rag-eval-") as tmp:
        scoped = settings.with_overrides(corpus_dir=corpus, index_dir=settings.index_dir if keep else Path(tmp))
        from .pipeline import Pipeline

        err.print(Pipeline(scoped).index([corpus], prune=True).summary(), highlight=False)
        yield scoped


history_app = typer.Typer(no_args_is_help=True, help="The chat's saved conversations (RAG_HISTORY_PATH).")
feedback_app = typer.Typer(no_args_is_help=True, help="Thumbs up/down given in the chat, as test data.")
app.add_typer(history_app, name="history")
app.add_typer(feedback_app, name="feedback")
HistoryOpt = typer.Option(
    None, "--history-path", help="the history file [env RAG_HISTORY_PATH; default: in the index folder]"
)
OutOpt = typer.Option(None, "--out", help="write to this file instead of standard output")


def _history(index_dir: Path | None, history_path: Path | None):
    from .history import History

    settings = _settings(index_dir=index_dir, history_path=None if history_path is None else str(history_path))
    if not settings.history_file.is_file():
        raise ConfigError(f"no chat history at {settings.history_file} yet (it is written by `rag chat`)")
    return History(settings.history_file)


@contextmanager
def _output(path: Path | None) -> Iterator:
    """Standard output, or a file written whole (a failure leaves no half-written file)."""
    if path is None:
        yield sys.stdout
        return
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as handle:
            yield handle
        tmp.replace(path)
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)


@history_app.command("list")
def history_list(
    index_dir: Path | None = IndexDirOpt,
    history_path: Path | None = HistoryOpt,
) -> None:
    """Every saved conversation, newest first: id, last change, owner, title."""
    from .transcript import when

    with _user_errors():
        for s in _history(index_dir, history_path).summaries():
            out.print(f"{s.id}  {when(s.updated)}  {s.owner[:16]:<16}  {s.title}", highlight=False, markup=False)


@history_app.command("export")
def history_export(
    conversation: str = typer.Argument(..., help="the conversation's id (from `rag history list`)"),
    out_file: Path | None = OutOpt,
    index_dir: Path | None = IndexDirOpt,
    history_path: Path | None = HistoryOpt,
) -> None:
    """One conversation as Markdown, with numbered sources (title, file, quoted sentence)."""
    from .transcript import to_markdown

    with _user_errors():
        history = _history(index_dir, history_path)
        owner = history.owner_of(conversation)
        found = history.of(owner).open(conversation) if owner else None
        if found is None:
            raise ConfigError(f"no conversation {conversation!r} in the history (see `rag history list`)")
        with _output(out_file) as handle:
            handle.write(to_markdown(found))


@feedback_app.command("export")
def feedback_export(
    out_file: Path | None = OutOpt,
    index_dir: Path | None = IndexDirOpt,
    history_path: Path | None = HistoryOpt,
) -> None:
    """Feedback as eval JSONL for `rag eval`: up-votes as items, down-votes as `review` items to fix first."""
    from .feedback import export_feedback, write_jsonl

    with _user_errors():
        items = export_feedback(_history(index_dir, history_path).feedback())
        with _output(out_file) as handle:
            n = write_jsonl(items, handle)
        review = sum(item["kind"] == "review" for item in items)
        err.print(f"{n} item(s) written, {review} to review (kind `review`: give each its right answer first)")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def bench(ctx: typer.Context) -> None:
    """Performance benchmark (`python -m bench` in a checkout; options: --quick, --json FILE, --model)."""
    with _user_errors():
        if CHECKOUT is None or not (CHECKOUT / "bench" / "__main__.py").is_file():
            raise ConfigError("run `rag bench` from a checkout: the benchmark is not part of the installed package")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(CHECKOUT), os.environ.get("PYTHONPATH")]))}
        done = subprocess.run([sys.executable, "-m", "bench", *ctx.args], env=env)  # never imported by the product
        raise typer.Exit(done.returncode)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
