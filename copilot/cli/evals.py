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
    groups = [("all", questions), ("tuned on", [q for q in questions if not q.held_out]),
              ("held out", [q for q in questions if q.held_out])]
    table = Table("set", "ranker", "recall@1", "recall@5", "MRR",
                  title=f"retrieval eval · {len(questions)} questions")
    misses = []
    for label, subset in groups:
        if not subset:
            continue
        for i, r in enumerate(evaluate(kb, subset)):
            table.add_row(f"{label} ({len(subset)})" if i == 0 else "", r.name,
                          f"{r.recall_at_1:.3f}", f"{r.recall_at_5:.3f}", f"{r.mrr:.3f}",
                          end_section=i == 3)
            if label == "all" and i == 0:
                misses = r.misses
    console.print(table)
    if show_misses:
        for q, want, got in misses:
            console.print(f"[red]miss[/red] {q}  want={list(want)}  got={got}")
