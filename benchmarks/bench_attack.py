"""robustx's greedy word-importance character attack against TextAttack's DeepWordBug, side by side.

Same checkpoint (an XNLI classifier from `robustx finetune`, loaded once: both attack the same
model object through the same scoring path), the same first N XNLI test examples per language,
1 thread, languages interleaved so that load on a shared machine hits both alike. Printed per
language and attack:

  success %        successful attacks / examples attacked (right when clean)
  acc. under att.  accuracy under attack (examples wrong when clean count as lost)
  queries/success  model inputs scored per successful attack (TextAttack's num_queries)
  words modified   % of the example's words changed, over successes (each tool counts its own words)
  s/example        wall seconds per example
  damaged %        adversarial texts with a detached combining mark or a letter of a script the
                   language does not use that the original did not have
and the ratios robustx/DeepWordBug (success, queries per success) and DeepWordBug/robustx
(seconds per example). Goal (issue 11): success >= DeepWordBug's, <= its queries per success,
>= 5x its speed, 0 damaged outputs.

Runs in an environment with TextAttack (extra robustx[textattack], transformers < 5), e.g.:

  python3 -m venv /work/ta-venv && /work/ta-venv/bin/pip install torch==2.13.0 && \\
    /work/ta-venv/bin/pip install -e ".[textattack]"
  /work/ta-venv/bin/python benchmarks/bench_attack.py --checkpoint ZOO/xnli-none/seed1 --data ../shared/data

Cost on the 2-core CPU at 100 examples x 4 languages: about 40 minutes, nearly all DeepWordBug.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter

LANGS = ("en", "de", "ru", "hi")


def damaged(original: str, adversarial: str, lang: str) -> bool:
    """A detached mark (a cluster that starts with a combining mark) or a letter of a foreign script
    that the original lacks."""
    from robustx.text import LANGUAGES, char_script, graphemes, is_letter, is_mark

    allowed = {*LANGUAGES[lang].scripts, "Common", "Inherited"}

    def bad(text: str) -> tuple[int, int]:
        detached = sum(1 for c in graphemes(text) if is_mark(c[0]))
        foreign = sum(1 for ch in text if is_letter(ch) and char_script(ch) not in allowed)
        return detached, foreign

    before, after = bad(original), bad(adversarial)
    return after[0] > before[0] or after[1] > before[1]


def robustx_attack(task, loaded, ckpt, data, lang: str) -> dict:
    from robustx.attack.oracle import Oracle
    from robustx.attack.run import attack_records, build_attack
    from robustx.recipes import load_recipe
    from robustx.study.spec import AttackSpec, RunSpec

    recipe = load_recipe("attack_char_wir")
    spec = AttackSpec(name="attack_char_wir", transformation=recipe.perturbation, params=recipe.params,
                      **recipe.attack)
    attack = build_attack(spec, task)
    started = time.perf_counter()
    records = attack_records(attack, task, lang, 0, data.examples,
                             Oracle(task, loaded, ckpt, RunSpec(progress=False), data, "robustx"))
    seconds = time.perf_counter() - started
    won = [r for r in records if r["status"] == "success"]
    by_id = {ex.id: ex for ex in data.examples}
    return {
        "status": Counter(r["status"] for r in records), "seconds": seconds, "n": len(records),
        "queries": [r["queries"] for r in won], "words": [r["modified"] / r["words"] for r in won],
        "damaged": sum(damaged(by_id[r["id"]].fields[f], t, lang) for r in won for f, t in r["fields"].items()),
        "examples": [(r["fields"], r["clean_pred"], r["pred"]) for r in won[:2]],
    }


def deepwordbug(task, loaded, ckpt, data, lang: str) -> dict:
    from robustx.attack.textattack_bridge import model_wrapper, textattack

    ta = textattack()
    from textattack.attack_recipes import DeepWordBugGao2018
    from textattack.attack_results import FailedAttackResult, SkippedAttackResult, SuccessfulAttackResult

    attack = DeepWordBugGao2018.build(model_wrapper(loaded, ckpt, task))
    dataset = ta.datasets.Dataset([((ex.fields["premise"], ex.fields["hypothesis"]), task.labels.index(ex.label))
                                   for ex in data.examples], input_columns=["premise", "hypothesis"])
    args = ta.AttackArgs(num_examples=len(data.examples), random_seed=0, silent=True, disable_stdout=True,
                         query_budget=2000)
    started = time.perf_counter()
    results = ta.Attacker(attack, dataset, args).attack_dataset()
    seconds = time.perf_counter() - started
    status = Counter({SuccessfulAttackResult: "success", FailedAttackResult: "failed",
                      SkippedAttackResult: "skipped"}.get(type(r), "other") for r in results)
    won = [r for r in results if isinstance(r, SuccessfulAttackResult)]
    queries = [r.perturbed_result.num_queries for r in won]
    words, hurt = [], 0
    for r in won:
        before, after = r.original_result.attacked_text, r.perturbed_result.attacked_text
        words.append(len(before.all_words_diff(after)) / max(1, len(before.words)))
        hurt += sum(damaged(a, b, lang) for a, b in zip(before._text_input.values(), after._text_input.values())
                    if a != b)
    return {"status": status, "seconds": seconds, "n": len(results), "queries": queries, "words": words,
            "damaged": hurt, "examples": [(dict(r.perturbed_result.attacked_text._text_input), "", "") for r in won[:2]]}


def mean(values) -> float:
    return sum(values) / len(values) if values else float("nan")


def row(name: str, lang: str, out: dict) -> dict:
    s = out["status"]
    attacked = s["success"] + s["failed"]
    return {"attack": name, "lang": lang, "n": out["n"], "success": s["success"], "failed": s["failed"],
            "skipped": s["skipped"], "success_rate": s["success"] / attacked if attacked else float("nan"),
            "accuracy_under_attack": s["failed"] / out["n"], "queries_per_success": mean(out["queries"]),
            "words_modified": mean(out["words"]), "seconds_per_example": out["seconds"] / out["n"],
            "damaged": out["damaged"] / max(1, s["success"])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", required=True, help="an XNLI classifier made by robustx finetune")
    parser.add_argument("--data", default="../shared/data")
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--langs", default=",".join(LANGS))
    parser.add_argument("--json", help="write the rows here as JSON")
    args = parser.parse_args()

    import torch

    from robustx.models.checkpoint import load_model
    from robustx.study.load import _metadata
    from robustx.study.spec import CheckpointSpec
    from robustx.tasks import TASKS, DataSource

    torch.set_num_threads(1)
    task = TASKS.get("xnli")()
    ckpt = CheckpointSpec(name="bench", path=args.checkpoint, prefix=_metadata(args.checkpoint).get("prefix", ""))
    loaded = load_model(ckpt, task, "cpu")
    rows = []
    for lang in args.langs.split(","):
        data = task.load(lang, DataSource(path=args.data, limit=args.limit))
        for name, run in (("robustx greedy_wir char", robustx_attack), ("TextAttack DeepWordBug", deepwordbug)):
            out = run(task, loaded, ckpt, data, lang)
            rows.append(row(name, lang, out))
            r = rows[-1]
            print(f"{lang} {name:26} success {100 * r['success_rate']:5.1f}%  acc.under.att {100 * r['accuracy_under_attack']:5.1f}%  "
                  f"queries/success {r['queries_per_success']:6.1f}  words {100 * r['words_modified']:5.1f}%  "
                  f"{r['seconds_per_example']:6.2f} s/ex  damaged {100 * r['damaged']:5.1f}%", flush=True)
            for fields, before, after in out["examples"]:
                print("   ", json.dumps(fields, ensure_ascii=False)[:300], before, "->", after)
    print("\nratios per language (robustx vs DeepWordBug): success, queries/success, speed")
    for lang in args.langs.split(","):
        ours, theirs = [r for r in rows if r["lang"] == lang]
        print(f"{lang}: success {ours['success_rate'] / theirs['success_rate']:.2f}x  "
              f"queries/success {ours['queries_per_success'] / theirs['queries_per_success']:.2f}x  "
              f"speed {theirs['seconds_per_example'] / ours['seconds_per_example']:.1f}x")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(rows, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
