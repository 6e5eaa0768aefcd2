"""Draw verified problems from the families: deterministic for a seed, checked, deduplicated,
executed (the tool-integrated solution carries its program's real output) and decontaminated."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from mathforge.grade import extract_answer, grade_many
from mathforge.synth.base import LANGS, LEVELS, SynthItem


def _families() -> dict:
    """The generator families, loaded on first use (a quarter second: not for `mathforge --help`)."""
    from mathforge.synth.families import FAMILIES

    return FAMILIES


class UnknownFamilyError(ValueError):
    pass


@dataclass
class SynthReport:
    items: list[SynthItem]
    rejected: Counter = field(default_factory=Counter)  # reason → count (never emitted)
    contaminated: list[tuple[str, str]] = field(default_factory=list)  # (item id, benchmark/item)


def resolve_families(names: Iterable[str] | None) -> list[str]:
    if not names:
        return sorted(_families())
    out = []
    for n in names:
        if n not in _families():
            raise UnknownFamilyError(f"unknown family {n!r}; known: {', '.join(sorted(_families()))}")
        out.append(n)
    return out


def question_key(question: str) -> str:
    """What ``exclude`` compares: the question without case or spacing."""
    return re.sub(r"\s+", "", question.lower())


_key = question_key


def content_key(item: SynthItem) -> str:
    """The problem's content whatever its language and level: family and the numbers it was drawn with
    (a level-3 draw of ``12 + 7`` is the level-2 problem).
    An evaluation set excludes training items by this key too, so the English version of a held-out
    Chinese problem is not trained on."""
    return f"{item.family}/{json.dumps(item.meta.get('data'), sort_keys=True, default=str)}"


def draw(family: str, seed: int, index: int, lang: str, level: int) -> SynthItem | None:
    """Item ``index`` of ``family`` for ``seed``: the same arguments always give the same item, or None
    when its independent check fails."""
    fam = _families()[family]
    rng = random.Random(f"{seed}:{family}:{lang}:{level}:{index}")
    d = fam.make(rng, lang, level)
    if not fam.check(d):
        return None
    return SynthItem(
        id=f"{family}-{lang}-{level}-{seed}-{index}",
        family=family,
        language=lang,
        level=level,
        seed=seed,
        question=d.question,
        answer=d.answer,
        kind=d.kind,
        cot=d.cot,
        code=d.code,
        meta={"data": d.data},
    )


def generate(
    families: Iterable[str] | None = None,
    n: int = 100,
    seed: int = 0,
    langs: Iterable[str] = LANGS,
    levels: Iterable[int] = LEVELS,
    *,
    execute: bool = True,
    decontaminator=None,
    exclude: set[str] | None = None,
    exclude_content: set[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> SynthReport:
    """``n`` items per family, spread over languages and levels. ``exclude``: question keys that must
    not appear (e.g. a training set's, when drawing an evaluation set); ``exclude_content``:
    :func:`content_key` values that must not appear in any language (a held-out set's, when drawing
    training data)."""
    names = resolve_families(families)
    langs, levels = list(langs), list(levels)
    for lang in langs:
        if lang not in LANGS:
            raise ValueError(f"unknown language {lang!r}; use en or zh")
    report = SynthReport([])
    seen = set(exclude or ())
    for name in names:
        made, index = 0, 0
        while made < n and index < 20 * n + 50:
            lang = langs[index % len(langs)]
            level = levels[(index // len(langs)) % len(levels)]
            item = draw(name, seed, index, lang, level)
            index += 1
            if item is None:
                report.rejected["failed check"] += 1
                continue
            key = _key(item.question)
            if key in seen:
                report.rejected["duplicate"] += 1
                continue
            if exclude_content and content_key(item) in exclude_content:
                report.rejected["held out (same problem in another language)"] += 1
                continue
            # the worked solution must end with the gold answer
            boxed = extract_answer(item.cot, "boxed").answer
            if boxed is None:
                report.rejected["solution without a boxed answer"] += 1
                continue
            if decontaminator is not None:
                hits = decontaminator.check(item.question)
                if hits:
                    report.contaminated.append((item.id, f"{hits[0].benchmark}/{hits[0].item_id}"))
                    report.rejected["contaminated"] += 1
                    continue
            seen.add(key)
            report.items.append(item)
            made += 1
            if progress:
                progress(1)
    _confirm_boxed(report)
    if execute:
        _execute(report)
    return report


def _confirm_boxed(report: SynthReport) -> None:
    results = grade_many([(it.answer, it.cot, "boxed") for it in report.items], workers=2)
    kept = []
    for item, res in zip(report.items, results, strict=True):
        if res.correct:
            kept.append(item)
        else:
            report.rejected["solution's boxed answer differs"] += 1
    report.items = kept


def _execute(report: SynthReport) -> None:
    """Run every program in the sandbox; keep its real output; drop items whose output disagrees."""
    from mathforge.sandbox import Sandbox, SandboxConfig

    # one warm worker for the batch; each program gets fresh globals, so none sees another's names
    with Sandbox(SandboxConfig(timeout=20, cpu_seconds=600, warm=1)) as sb, sb.session() as session:
        outputs = [session.run(f"exec({item.code!r}, {{'__name__': '__main__'}})") for item in report.items]
    results = grade_many(
        [
            (it.answer, out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "")
            for it, out in zip(report.items, outputs, strict=True)
        ],
        workers=2,
    )
    kept = []
    for item, out, res in zip(report.items, outputs, results, strict=True):
        if out.status == "ok" and res.correct:
            item.code_output = out.stdout
            kept.append(item)
        else:
            report.rejected["program output differs"] += 1
    report.items = kept
