"""`copilot eval …`: evaluation suites, separate from the unit tests."""

from __future__ import annotations

import typer
from rich.table import Table

from copilot.cli.common import console, settings, user_errors
from copilot.errors import UserError
from evals.retrieval.run import evaluate, load_questions
from knowledge.index import KnowledgeBase
from knowledge.playbook import shipped_playbooks

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


@app.command()
@user_errors
def agent(
    model: str = typer.Option("offline", "--model", help="offline | openai(用 COPILOT_LLM_* 设置)"),
    runs: int = typer.Option(1, "--runs", min=1, max=20, help="每个用例跑几遍(pass^k)"),
    part: str = typer.Option("all", "--part", help="dev | holdout | all"),
    failures: bool = typer.Option(False, "--failures", help="列出没通过的轮次和原因"),
) -> None:
    """对话助手评测:路由、参数、事实召回、违规和 pass^k(开发集与保留集分开报告)。"""
    from evals.agent.run import run_eval

    if model not in ("offline", "openai") or part not in ("dev", "holdout", "all"):
        raise UserError("--model 只能是 offline 或 openai;--part 只能是 dev、holdout 或 all。",
                        "--model is offline or openai; --part is dev, holdout or all.")
    settings()  # report bad settings before building anything
    report = run_eval(part=part, model=model, runs=runs)
    table = Table("set", "cases", "turns", "routing", "arguments", "facts", "violations",
                  "pass", f"pass^{runs}", title=f"agent eval · model={model} · runs={runs}")
    for name in ("dev", "holdout", "all"):
        r = report.part(name)
        if r.cases:
            table.add_row(name, str(r.cases), str(r.turns), f"{r.routing:.1%}",
                          f"{r.arguments:.1%}", f"{r.facts:.1%}", str(r.violations),
                          f"{r.pass_rate:.1%}", f"{r.pass_k:.1%}")
    console.print(table)
    if failures:
        for run in report.runs:
            for i, (v, answer) in enumerate(zip(run.verdicts, run.answers, strict=True)):
                if not v.passed:
                    console.print(f"[red]✗[/red] {run.case.id}#{i + 1} "
                                  f"“{run.case.turns[i].say}” — "
                                  f"{'; '.join(v.problems + v.violations)}", highlight=False)
                    console.print(f"   [dim]{answer[:160]!r}[/dim]", highlight=False)


@app.command()
@user_errors
def practice() -> None:
    """练习评分评测:每个场景的强/中/弱转写分数落在区间内,且 强 > 中 > 弱。"""
    from evals.practice.run import LEVELS, run_practice_eval

    report = run_practice_eval()
    table = Table("scenario", *LEVELS, "in bands", "ranked",
                  title=f"practice eval · {len(report.rows)} scenarios")
    for row in report.rows:
        cells = []
        for level in LEVELS:
            s, band = row.scores.get(level), row.bands.get(level)
            cells.append(("—" if s is None else str(s))
                         + (f" [dim][{band[0]}–{band[1]}][/dim]" if band else ""))
        table.add_row(row.scenario, *cells, "✓" if row.in_bands else "[red]✗[/red]",
                      "✓" if row.ranked else "[red]✗[/red]")
    console.print(table)
    for row in report.rows:
        for problem in row.problems:
            console.print(f"[red]✗[/red] {row.scenario}: {problem}", highlight=False)
    for problem in report.problems:
        console.print(f"[red]✗[/red] {problem}", highlight=False)
    if not report.ok:
        raise typer.Exit(1)
