#!/usr/bin/env bash
# Rebuild every extract in data/ from the CBS downloads with woonzorg itself.
# Usage: data/refresh.sh CBS_DIR [OUT_DIR]   (CBS_DIR: the folder of CBS files named in
# data/README.md, in its sub-folders regions/, population/, rates/, forecasts/, aandachtsgroepen/, …;
# OUT_DIR defaults to data)
# The binary is $WOONZORG, or `cargo run --release --` when unset.
set -euo pipefail
shared="${1:?usage: data/refresh.sh CBS_DIR [OUT_DIR]}"
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

# Deaths by single year of age and sex, 1970 and 2000–2024 (37168).
"${w[@]}" import "$shared/rates/nl_overledenen_leeftijd_geslacht_1970_2000-2024.csv" \
  --mapping "$here/mappings/nl_overledenen_37168.toml" \
  --out "$out/population/37168_overledenen_nl.csv" --quiet

# Live births by age of the mother, 2011–2019 (37744ned).
"${w[@]}" import "$shared/rates/nl_levendgeborenen_leeftijd_moeder_2011-2019_statline_export.csv" \
  --mapping "$here/mappings/nl_levendgeborenen_37744ned.toml" \
  --out "$out/population/37744ned_geboorten_leeftijd_moeder.csv" --quiet

# Live births by sex and the TFR, 1950–2022 (37422ned).
"${w[@]}" import "$shared/rates/nl_geboorte_kerncijfers_1950-2022_37422ned.csv" \
  --measures 'TotaalLevendGeborenKinderen_1,Jongens_5,Meisjes_6,GemiddeldKindertalPerVrouw_41' \
  --out "$out/population/37422ned_geboorten.csv" --quiet

# Kernprognose 2024–2070, kerncijfers, all intervals (86040NED).
mkdir -p "$out/forecasts"
"${w[@]}" import "$shared/forecasts/kernprognose_2024-2070_kerncijfers_86040NED.csv" \
  --out "$out/forecasts/86040NED_kernprognose.csv" --quiet

# PBL/CBS regional forecast 2023–2050, totals for the 88 larger gemeenten (85171NED, indeling 2021).
"${w[@]}" import "$shared/forecasts/regionale_prognose_2023-2050_bevolking_regio2021_85171NED.csv" \
  --regions "$out/regions" --out "$out/forecasts/85171NED_regionale_prognose.csv" --quiet

# Kernprognose by 5-year band and sex (85745NED, 2023 vintage; the dump is truncated, see its README).
"${w[@]}" import "$shared/forecasts/kernprognose_2024-2070_geslacht_leeftijd5_interval_85745NED_first10000rows.csv" \
  --out "$out/forecasts/85745NED_kernprognose_leeftijd_geslacht.csv" --quiet

# Aandachtsgroepen (data/groups/): observed counts per gemeente and national rates the group
# catalogue (data/groups/catalogus.toml) names.
mkdir -p "$out/groups"
"${w[@]}" import "$shared/aandachtsgroepen/gemeente_maatstaven_gemeentefonds_2023-2025_85383NED.csv" \
  --regions "$out/regions" --where StatusCijfer=Definitief \
  --measures 'Inwoners75Plus_7,InwonersInZorginstellingen_8,UitwonendeStudenten_9,Adreslozen_27,OverigAdreslozen_28,EldersVerzorgden_29,WajongUitkeringen_32' \
  --out "$out/groups/85383NED_aandachtsgroepen.csv" --quiet
"${w[@]}" import "$shared/aandachtsgroepen/gemeente_wmo_clienten_aantal_maatwerkvoorzieningen_2024_86060NED.csv" \
  --regions "$out/regions" --where AantalMaatwerkvoorzieningen=Totaal --measures ClientenMetMaatwerkvoorzieningen_1 \
  --out "$out/groups/86060NED_wmo_clienten.csv" --quiet
"${w[@]}" import "$shared/aandachtsgroepen/regio_gezondheidsmonitor_volwassenen_ouderen_2022_85012NED.csv" \
  --regions "$out/regions" --where Marges=Waarde --measures EenOfMeerLichamelijkeBeperkingen_3 \
  --out "$out/groups/85012NED_lichamelijke_beperking.csv" --quiet
"${w[@]}" import "$shared/households/nl_personen_positie_huishouden_geslacht_leeftijd_1995-2024_37620.csv" \
  --where period=2024JJ00 \
  --measures PersonenInInstitutioneleHuishoudens_12,TotaalPersonenInHuishoudens_1,TotaalPersonenInParticuliereHuish_2,Alleenstaand_4,TotaalSamenwonendePersonen_5,OuderInEenouderhuishouden_10 \
  --out "$out/groups/37620_huishoudenspositie_2024.csv" --quiet
"${w[@]}" import "$shared/aandachtsgroepen/nl_dakloze_mensen_persoonskenmerken_2022-2024_85616NED.csv" \
  --out "$out/groups/85616NED_daklozen.csv" --quiet

# Woningen (data/housing/): total dwellings and one-person households per gemeente (85383NED).
mkdir -p "$out/housing"
"${w[@]}" import "$shared/aandachtsgroepen/gemeente_maatstaven_gemeentefonds_2023-2025_85383NED.csv" \
  --regions "$out/regions" --where StatusCijfer=Definitief --measures 'WoningTotaal_36,Eenpersoonshuishoudens_19' \
  --out "$out/housing/85383NED_woningen.csv" --quiet

# Woningvoorraad en zorg (data/supply/, read by a run as housing.stock_data): the housing stock
# per gemeente by eigendom 2012–2024 (82900NED, all dwellings) and by woningtype 2021–2024
# (85035NED; the dump holds the gemeenten alphabetically to Rhenen), Wmo clients with and without
# verblijf en opvang 2019–2023 (84839NED). In data/care/ (not read by a run; a check beside
# 85383NED's inwoners in zorginstellingen): persons in institutional households 2000–2024
# (71488ned; to Moerdijk).
mkdir -p "$out/supply" "$out/care"
"${w[@]}" import "$shared/housing/gemeente_woningvoorraad_eigendom_2012-2024_82900NED_first10000rows.csv" \
  --regions "$out/regions" --where StatusVanBewoning=Totaal \
  --out "$out/supply/82900NED_woningvoorraad_eigendom.csv" --quiet
"${w[@]}" import "$shared/housing/gemeente_woningvoorraad_woningtype_2021-2024_85035NED_first10000rows.csv" \
  --regions "$out/regions" --out "$out/supply/85035NED_woningvoorraad_woningtype.csv" --quiet
"${w[@]}" import "$shared/care/gemeente_wmo_clienten_verblijf_opvang_2019-2023_84839NED_first10000rows.csv" \
  --regions "$out/regions" --measures WmoClienten_1 \
  --out "$out/supply/84839NED_wmo_verblijf_opvang.csv" --quiet
"${w[@]}" import "$shared/care/gemeente_personen_positie_huishouden_institutioneel_2000-2024_71488ned_first10000rows.csv" \
  --regions "$out/regions" --measures TotaalPersonenInHuishoudens_1,PersonenInInstitutioneleHuishoudens_12 \
  --out "$out/care/71488ned_institutionele_huishoudens.csv" --quiet

# Gemeente histories for backtests (data/history/): population by sex and band on 1 January of
# 2010, 2015, 2016 and 2017 and the total of every year 2007–2017 (60039fvw, Voorlopig; the dump
# stops at Zevenaar; its years 2018–2023 carry no population), totals 2014–2024
# (85644NED), live births 2010–2023 (82056NED), immigration and emigration 2010–2023 (85468NED).
mkdir -p "$out/history"
bands='TotaalMannenEnVrouwen_1,JongerDan20Jaar_2,k_20Tot65Jaar_3,k_65Tot75Jaar_4,k_75Tot85Jaar_5,k_85JaarOfOuder_6,TotaalMannen_7,JongerDan20Jaar_8,k_20Tot65Jaar_9,k_65Tot75Jaar_10,k_75Tot85Jaar_11,k_85JaarOfOuder_12,TotaalVrouwen_13,JongerDan20Jaar_14,k_20Tot65Jaar_15,k_65Tot75Jaar_16,k_75Tot85Jaar_17,k_85JaarOfOuder_18'
for y in 2010 2015 2016 2017; do
  "${w[@]}" import "$shared/population/gemeente_maatstaven_gemeentefonds_leeftijd_2007-2023_60039fvw.csv" \
    --regions "$out/regions" --where "period=${y}JJ00" --measures "$bands" \
    --out "$out/history/60039fvw_bevolking_banden_$y.csv" --quiet
done
"${w[@]}" import "$shared/population/gemeente_maatstaven_gemeentefonds_leeftijd_2007-2023_60039fvw.csv" \
  --regions "$out/regions" --measures TotaalMannenEnVrouwen_1 \
  --out "$out/history/60039fvw_bevolking_totaal.csv" --quiet
"${w[@]}" import "$shared/population/gemeente_bevolking_totaal_2014-2024_85644NED_first10000rows.csv" \
  --regions "$out/regions" --where Nationaliteit=Totaal \
  --out "$out/history/85644NED_bevolking_totaal.csv" --quiet
"${w[@]}" import "$shared/rates/gemeente_levendgeborenen_2010-2023_82056NED_first10000rows.csv" \
  --regions "$out/regions" --where "SamenstellingHuishouden=Totaal huishoudens" \
  --out "$out/history/82056NED_levendgeborenen.csv" --quiet
"${w[@]}" import "$shared/rates/gemeente_immigratie_emigratie_2010-2023_85468NED_first10000rows.csv" \
  --regions "$out/regions" --where Geboorteland=Totaal \
  --measures Immigratie_1,EmigratieInclusiefAdministratieveC_2,MigratiesaldoInclusiefAdministratie_3 \
  --out "$out/history/85468NED_migratie.csv" --quiet

# The forecasts a backtest compares with (data/forecasts/): PBL/CBS regional forecast 2016 for every
# gemeente of 2015 (83492NED, ×1 000), PBL/CBS 2019 by sex and age for the regions of 2018
# (84525NED) and for the larger gemeenten (84527NED), and the Kernprognose 2019 by single year of
# age (84646NED).
"${w[@]}" import "$shared/forecasts/regionale_prognose_2016-2040_bevolkingsontwikkeling_regio2015_83492NED.csv" \
  --regions "$out/regions" --out "$out/forecasts/83492NED_regionale_prognose_2016.csv" --quiet
"${w[@]}" import "$shared/forecasts/regionale_prognose_2020-2050_bevolking_regio2018_84525NED.csv" \
  --regions "$out/regions" --out "$out/forecasts/84525NED_regionale_prognose_2019.csv" --quiet
"${w[@]}" import "$shared/forecasts/regionale_prognose_2020-2050_bevolking_gemeente_regio2018_84527NED_first10000rows.csv" \
  --regions "$out/regions" --out "$out/forecasts/84527NED_regionale_prognose_2019_gemeenten.csv" --quiet
"${w[@]}" import "$shared/forecasts/kernprognose_2020-2060_geslacht_leeftijd_84646NED_first10000rows.csv" \
  --out "$out/forecasts/84646NED_kernprognose_2019.csv" --quiet

# The gemeente track record a run's annex shows (data/backtest/): the measures of the gemeente
# backtest 2016 → 2025, made by woonzorg from the extracts above.
mkdir -p "$out/backtest"
bt="$(mktemp -d)"
"${w[@]}" backtest --level gemeente --base 2016 --to 2025 --no-charts --data "$out" --out "$bt/run" >/dev/null
cp "$bt/run/tables/backtest_gemeenten_maten.csv" "$out/backtest/gemeenten_2016_2025.csv"
rm -rf "$bt"

# Wijken (data/wijken/): Kerncijfers wijken en buurten 2024 (85984NED, stand 1 januari 2024) per
# wijk and, for the check on completeness, per gemeente: inhabitants by sex and band, households,
# dwellings and their kind and eigendom (percentages). The download holds the gemeenten
# alphabetically to Losser complete (171; Maasdriel partly).
mkdir -p "$out/wijken"
kwb='AantalInwoners_5,Mannen_6,Vrouwen_7,k_0Tot15Jaar_8,k_15Tot25Jaar_9,k_25Tot45Jaar_10,k_45Tot65Jaar_11,k_65JaarOfOuder_12,HuishoudensTotaal_29,Eenpersoonshuishoudens_30,Woningvoorraad_35,PercentageEengezinswoning_40,PercentageMeergezinswoning_45,Koopwoningen_47,HuurwoningenTotaal_48,InBezitWoningcorporatie_49,InBezitOverigeVerhuurders_50'
"${w[@]}" import "$shared/wijken/kerncijfers_wijken_buurten_2024_85984NED_first10000rows.csv" \
  --where 'region=WK*' --measures "$kwb" --out "$out/wijken/85984NED_wijken.csv" --quiet
"${w[@]}" import "$shared/wijken/kerncijfers_wijken_buurten_2024_85984NED_first10000rows.csv" \
  --where 'region=GM*' --measures "$kwb" --out "$out/wijken/85984NED_gemeenten.csv" --quiet

# Map boundaries (data/geo/): gemeenten and provincies of 1 January 2024, generalised, RD New
# (CBS/PDOK gebiedsindelingen via cartomap/nl; Bron: CBS, PDOK, CC BY 4.0), with the registry's
# codes, names and provincies.
mkdir -p "$out/geo"
"${w[@]}" regions --from "$out/regions" --year 2024 --boundaries "$shared/geo" --out "$out/geo" >/dev/null
