"""Python sentence-transformers on the same model files and texts as the Rust bench.

Run by `cargo bench -p server --bench matching` when `BENCH_PYTHON` (default `python3`) can import
sentence_transformers; not installed by set-up (torch is large). Usage:

    python_reference.py MODEL_DIR RUNS_JSON OUT_JSON

RUNS_JSON: {"runs": [{"name", "texts": [...], "batch", "rounds"}], "parity": [...texts]}
OUT_JSON:  {"versions": {...}, "runs": [{"name", "batch", "texts_per_s"}], "parity": [[384 floats]...]}
One thread, like the Rust side. The pipeline is the model's own: Transformer (max_seq_length 256
from sentence_bert_config.json) -> mean pooling -> L2 normalisation.
"""

import json
import sys
import time

import torch

torch.set_num_threads(1)

import sentence_transformers  # noqa: E402
from sentence_transformers import SentenceTransformer, models  # noqa: E402


def main() -> None:
    model_dir, runs_path, out_path = sys.argv[1:4]
    with open(runs_path, encoding="utf-8") as f:
        spec = json.load(f)
    word = models.Transformer(model_dir, max_seq_length=256)
    # Renamed in newer sentence-transformers; older ones have only the first name.
    dimension = getattr(word, "get_embedding_dimension", None) or word.get_word_embedding_dimension
    pooling = models.Pooling(dimension(), pooling_mode="mean")
    model = SentenceTransformer(modules=[word, pooling, models.Normalize()], device="cpu")

    results = []
    for run in spec["runs"]:
        texts, batch, rounds = run["texts"], run["batch"], run["rounds"]
        model.encode(texts[:batch], batch_size=batch)  # warm up
        start = time.perf_counter()
        done = 0
        for _ in range(rounds):
            if batch == 1:
                for text in texts:
                    model.encode([text], batch_size=1)
                    done += 1
            else:
                model.encode(texts, batch_size=batch)
                done += len(texts)
        rate = done / (time.perf_counter() - start)
        results.append({"name": run["name"], "batch": batch, "texts_per_s": rate})
        print(f"python {run['name']} batch {batch}: {rate:.1f} texts/s", file=sys.stderr)

    parity = model.encode(spec["parity"], batch_size=32).tolist()
    out = {
        "versions": {
            "sentence_transformers": sentence_transformers.__version__,
            "torch": torch.__version__,
            "python": sys.version.split()[0],
        },
        "runs": results,
        "parity": parity,
    }
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
