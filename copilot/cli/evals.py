"""`copilot eval …`: evaluation suites, separate from the unit tests."""

from __future__ import annotations

import typer
from rich.table import Table

from copilot.cli.common import console, settings, user_errors
from evals.retrieval.run import evaluate, load_questions
from knowledge.index import KnowledgeBase, shipped_playbooks

app = typer.Typer(no_args_is_help=True)


@app.command()
@user_errors
def retrieval(show_misses: bool = typer.Option(False, "--misses", help="列出没召回的问题")) -> None:
    """检索评测:我们的混合检索 vs 纯向量 vs 朴素 BM25 基线(recall@1、recall@5、MRR)。"""
    cfg = settings()
    kb = KnowledgeBase.from_settings(cfg)
    kb.index_folder(cfg.playbooks_dir or shipped_playbooks())
    questions = load_questions()
    results = evaluate(kb, questions)
    table = Table("ranker", "recall@1", "recall@5", "MRR",
                  title=f"retrieval eval · {len(questions)} questions")
    for r in results:
        table.add_row(r.name, f"{r.recall_at_1:.3f}", f"{r.recall_at_5:.3f}", f"{r.mrr:.3f}")
    console.print(table)
    if show_misses:
        for q, want, got in results[0].misses:
            console.print(f"[red]miss[/red] {q}  want={list(want)}  got={got}")
