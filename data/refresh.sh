#!/usr/bin/env bash
# Rebuild every extract in data/ from the CBS files in ../shared/data with woonzorg itself.
# Usage: data/refresh.sh [SHARED_DATA_DIR] [OUT_DIR]   (defaults: ../shared/data and data)
# The binary is $WOONZORG, or `cargo run --release --` when unset.
set -euo pipefail
shared="${1:-../shared/data}"
out="${2:-data}"
if [ -n "${WOONZORG:-}" ]; then w=("$WOONZORG"); else w=(cargo run --quiet --release --); fi
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$out/regions" "$out/population"

# Region registry 2016–2025 (Gebieden in Nederland 83287NED … 86059NED) and BRP Tabel 33.
"${w[@]}" regions --from "$shared/regions" --export "$out/regions" >/dev/null

# Gemeente band totals (85383NED, status Definitief, measures Inwoners*).
"${w[@]}" import "$shared/aandachtsgroepen/gemeente_maatstaven_gemeentefonds_2023-2025_85383NED.csv" \
  --regions "$out/regions" --where StatusCijfer=Definitief --measures 'Inwoners*' \
  --out "$out/population/85383NED_inwoners.csv" --quiet

# National population by single year of age and sex, 1 January 2000–2025 (7461bev).
"${w[@]}" import "$shared/population/nl_bevolking_leeftijd_geslacht_2000-2025_wide.csv" \
  --mapping "$here/mappings/nl_bevolking_wide_7461bev.toml" \
  --out "$out/population/7461bev_bevolking_nl.csv" --quiet
