#!/usr/bin/env bash
# Fill the fuzz corpora with seeds from the repository: the bad-input corpus, the heads of the
# data/ extracts and of the mappings, the scenarios, catalogues and definitions.
set -euo pipefail
cd "$(dirname "$0")"
root=..
mkdir -p corpus/cbs_csv corpus/cbs_csv_mapping corpus/scenario_toml
i=0
for f in "$root"/tests/corpus/*/*/*.csv "$root"/data/*/*.csv "$root"/examples/wonen/*.csv; do
  [ -f "$f" ] || continue
  i=$((i + 1))
  head -c 4000 "$f" > "corpus/cbs_csv/seed_$i"
done
i=0
for m in "$root"/tests/corpus/cbs/*/m.toml "$root"/data/mappings/*.toml; do
  [ -f "$m" ] || continue
  i=$((i + 1))
  csv="$(dirname "$m")/t.csv"
  [ -f "$csv" ] || csv="$root/tests/corpus/cbs/afgekapte_rij/t.csv"
  { cat "$m"; printf '\0'; head -c 4000 "$csv"; } > "corpus/cbs_csv_mapping/seed_$i"
done
i=0
for f in "$root"/scenarios/*.toml "$root"/data/*/*.toml "$root"/examples/*.toml "$root"/tests/corpus/*/*/*.toml; do
  [ -f "$f" ] || continue
  i=$((i + 1))
  cp "$f" "corpus/scenario_toml/seed_$i"
done
echo "seeds: $(ls corpus/cbs_csv | wc -l) cbs_csv, $(ls corpus/cbs_csv_mapping | wc -l) cbs_csv_mapping, $(ls corpus/scenario_toml | wc -l) scenario_toml"
