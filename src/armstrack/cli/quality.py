"""``armstrack score`` and ``armstrack train``: measuring extraction and learning its scorer.

Thin shells over ``quality/`` (score, calibration, crossval, train, reviews).
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from armstrack.model import Fact


def _examples(extractor, folders) -> list:
    from armstrack.quality.train import gold_examples

    return gold_examples(extractor, folders)


@click.command()
@click.argument("folders", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--article", "only", multiple=True, help="Score only these article ids or file stems.")
@click.option("--details", is_flag=True, help="Also list missed gold facts and extra extracted facts per article.")
@click.option("--model", default=None, help="spaCy model name.")
@click.option("--scorer", default=None, help="Scorer model file, or 'off' for the rules' hand-made confidence "
                                             "[default: $ARMSTRACK_SCORER or the shipped model].")
@click.option("--cv", "folds", type=click.IntRange(min=2), default=None,
              help="Cross-validate the scorer: train on K-1 folds of the articles, score the held-out fold.")
def score(folders, fmt: str, only, details: bool, model: str | None, scorer: str | None, folds: int | None) -> None:
    """Precision/recall/F1 per fact type against gold folders, calibration, P/R by threshold.

    Example: armstrack score ../shared/corpus tests/devset --cv 5
    """
    from armstrack.extract.pipeline import Extractor
    from armstrack.quality.calibration import calibration_table, format_calibration, format_thresholds, threshold_table
    from armstrack.quality.crossval import cross_validate, in_sample
    from armstrack.quality.score import LENIENT, STRICT, format_report, report_to_dict, score as score_facts

    extractor = Extractor(model=model, scorer="off" if folds else scorer)
    examples = [ex for ex in _examples(extractor, folders)
                if not only or ex.article_id.split("/", 1)[1] in only]
    if not examples:
        raise click.UsageError("no gold articles matched")
    evaluation = cross_validate(examples, folds) if folds else in_sample(examples, extractor.scorer)
    triples = evaluation.triples
    strict, lenient = score_facts(triples, STRICT), score_facts(triples, LENIENT)
    bins, gap = calibration_table(evaluation.judged)
    rows = threshold_table(evaluation.judged_at, evaluation.gold_total)
    if fmt == "json":
        data = report_to_dict(strict, lenient)
        data["calibration"] = {"bins": [{"low": b.low, "high": b.high, "facts": b.facts, "mean_confidence": b.mean_confidence,
                                         "precision": b.precision, "gap": b.gap} for b in bins], "mean_gap": gap}
        data["thresholds"] = [{"threshold": r.threshold, "facts": r.facts, "correct": r.correct,
                               "precision": r.precision, "recall": r.recall} for r in rows]
        data["emission_thresholds"] = evaluation.thresholds
        data["cross_validated_folds"] = folds
        click.echo(json.dumps(data, indent=2))
        return
    if details:
        click.echo(_details(triples))
    if folds:
        click.echo(f"{folds}-fold cross-validation by article: every figure is on articles the scorer did not see "
                   f"(emission thresholds {', '.join(f'{t:.3f}' for t in evaluation.thresholds)})\n")
    else:
        click.echo(f"scorer: {extractor.scorer.path if extractor.scorer else 'off (hand-made confidence)'}\n")
    click.echo(format_report(strict, lenient))
    click.echo("\n" + format_calibration(bins, gap))
    click.echo("\n" + format_thresholds(rows))


def _brief(fact: Fact) -> str:
    parts = ", ".join(f"{p.role}={p.name}" for p in fact.participants)
    systems = ", ".join(s.name for s in fact.systems)
    return f"{fact.type} [{parts}] {{{systems}}} {fact.time.start or '-'} {fact.status} ({fact.confidence:.2f})"


def _details(triples) -> str:
    """Missed gold facts and extra extracted facts per article (lenient level)."""
    from armstrack.quality.score import LENIENT, match_article

    lines = []
    for article_id, gold, predicted in triples:
        match = match_article(gold, predicted, LENIENT)
        lines.append(f"== {article_id}: {len(match.pairs)}/{len(gold)} gold matched, {len(predicted)} extracted")
        lines += [f"  MISSED {_brief(gold[i])}" for i in match.unmatched_gold]
        lines += [f"  EXTRA  {_brief(predicted[i])}\n         {predicted[i].evidence[:160]}" for i in match.unmatched_predicted]
    return "\n".join(lines)


@click.command()
@click.argument("folders", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--db", default=None, help="Also learn from the analysts' reviews in this store (SQLite file or URL).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Model file to write.")
@click.option("--model", default=None, help="spaCy model name.")
def train(folders, db: str | None, out: Path, model: str | None) -> None:
    """Learn the candidate scorer from gold folders (and reviews); write a model file and its report.

    Example: armstrack train ../shared/corpus tests/devset --db armstrack.db --out scorer.json
    """
    from armstrack.extract.pipeline import Extractor
    from armstrack.quality.train import train as fit, write_model

    if not folders:
        raise click.UsageError("give at least one gold folder (the threshold and calibration need gold)")
    extractor = Extractor(model=model, scorer="off")
    gold = _examples(extractor, folders)
    extra = []
    if db:
        from armstrack.quality.reviews import review_examples

        extra = review_examples(extractor, db)
    trained = fit(gold, extra)
    report = write_model(trained, out, [str(f) for f in folders] + ([f"reviews in {db}"] if db else []))
    oof = trained.figures["out_of_fold"]
    click.echo(f"wrote {out} ({trained.figures['features']} features, {trained.figures['candidates']} candidates "
               f"from {len(gold)} gold articles and {len(extra)} reviewed articles); report {report}")
    click.echo(f"out-of-fold: emission threshold {oof['threshold']:.3f}, lenient P {oof['precision']:.3f} "
               f"R {oof['recall']:.3f} F1 {oof['f1']:.3f}, calibration gap {oof['calibration_gap']:.3f}")


def register(group: click.Group) -> None:
    group.add_command(score)
    group.add_command(train)
