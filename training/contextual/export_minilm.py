"""Export the MiniLM teacher's encoder to ONNX (mean pooling + L2 norm inside the graph), for
measuring the contextual query-encoder variant in onnxruntime-web (training/contextual/measure.ts).

  ~/.venvs/sift-training/bin/python training/contextual/export_minilm.py --out DIR

Writes DIR/model.onnx (float32; inputs input_ids, attention_mask [1, n] int64; output embedding
[1, 384]) and DIR/samples.json (token ids of sample queries, made by the teacher's own tokenizer,
with the teacher's vectors for a parity check).
"""
import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import argparse
import json
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "teacher"))

import torch  # noqa: E402
import teacher  # noqa: E402

QUERIES = [
    "where are sessions verified",
    "stop the server cleanly when someone presses ctrl-c",
    "retry a failed http request with exponential backoff",
    "parse a duration like 5m or 2h into seconds",
    "what happens when the cache is full",
    "why does the upload blow up on large files",
    "escape html in templates",
    "read config file",
]


class Pooled(torch.nn.Module):
    def __init__(self, bert):
        super().__init__()
        self.bert = bert

    def forward(self, input_ids, attention_mask):
        out = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        m = attention_mask.unsqueeze(-1).to(out.dtype)
        v = (out * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(v, dim=-1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    t = teacher.MiniLM(2)
    model = Pooled(t.model).eval()
    enc = t.tok(QUERIES[0], return_tensors="pt")
    torch.onnx.export(
        model, (enc["input_ids"], enc["attention_mask"]), os.path.join(args.out, "model.onnx"),
        input_names=["input_ids", "attention_mask"], output_names=["embedding"],
        dynamic_axes={"input_ids": {1: "n"}, "attention_mask": {1: "n"}}, opset_version=17, dynamo=False,
    )
    samples = []
    for q in QUERIES:
        e = t.tok(q)
        samples.append({"query": q, "ids": e["input_ids"], "vector": t.embed([q], "query")[0].tolist()})
    with open(os.path.join(args.out, "samples.json"), "w") as f:
        json.dump(samples, f)
    print(f"exported to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
