//! `woonzorg nieuw`: a scenario for one gemeente or region that extends the basis scenario,
//! with its regions of care and Dutch comments saying what to fill in.

use crate::geo::{GeoError, Registry, ResolvedRegion};

/// What `nieuw` found and wrote.
#[derive(Debug, Clone)]
pub struct NewScenario {
    /// The file name without `.toml` (`oss`).
    pub name: String,
    pub text: String,
    /// The region the scenario is about.
    pub region: ResolvedRegion,
}

/// A file and folder name from a region name: lower case ASCII letters, digits and `_`
/// (`'s-Hertogenbosch` → `s_hertogenbosch`, `Súdwest-Fryslân` → `sudwest_fryslan`).
pub fn file_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        let c = match c {
            'á' | 'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

/// Find the gemeente or region a person means: a code, a region with its kind word
/// ("zorgkantoorregio Arnhem", "centrumgemeente Den Bosch"), or a gemeente by name. A plain
/// name that is no gemeente is refused with the nearest names, so "Den Bosch" is not taken for
/// the centrumgemeente region of that name but answered with 's-Hertogenbosch.
pub fn find_subject(reg: &Registry, year: u16, query: &str) -> Result<ResolvedRegion, GeoError> {
    let q = query.trim();
    let is_code = q.len() >= 3
        && q.chars().take(2).all(|c| c.is_ascii_uppercase())
        && q.chars().skip(2).all(|c| c.is_ascii_digit());
    if is_code || crate::geo::rollup::split_kind(q).is_some() {
        return reg.find_region(year, q, &[]);
    }
    let ind = reg.year(year)?;
    if let Some(g) = ind
        .gemeenten
        .values()
        .find(|g| g.name.eq_ignore_ascii_case(q))
    {
        return reg.find_region(year, &g.code, &[]);
    }
    let near: Vec<String> = reg
        .nearest_names(year, q, 4)
        .into_iter()
        .map(|(c, n)| format!("{n} ({c})"))
        .collect();
    Err(GeoError::UnknownRegion {
        query: q.into(),
        year,
        hint: if near.is_empty() {
            "give a gemeente's name or code, or a region with its kind ('zorgkantoorregio Arnhem', 'centrumgemeente Hoorn') or code; `woonzorg regions --year 2024` lists them".into()
        } else {
            format!(
                "not a gemeente; did you mean {}? A region goes with its kind word ('centrumgemeente …', 'zorgkantoorregio …') or its code",
                near.join(", ")
            )
        },
    })
}

/// The scenario text for `subject`, extending the scenario at `extends` (as written in the
/// file). For a gemeente: the gemeente itself, its centrumgemeente region (beschermd wonen and
/// maatschappelijke opvang) and its zorgkantoorregio as report regions, their members included;
/// the annex is about the gemeente. For a region: its members, reported as the region.
pub fn scenario_text(
    reg: &Registry,
    year: u16,
    subject: &ResolvedRegion,
    (name, path): (&str, &str),
    extends: &str,
) -> String {
    let gemeente = subject.kind == "gemeente";
    let care: Vec<(String, String)> = if gemeente {
        let ind = reg.year(year).ok();
        let g = ind.and_then(|i| i.gemeenten.get(&subject.code));
        ["CE", "ZK"]
            .iter()
            .filter_map(|p| {
                let code = g?.member_of.get(*p)?;
                let n = ind?.region_names.get(code)?;
                Some((code.clone(), n.clone()))
            })
            .collect()
    } else {
        vec![(subject.code.clone(), subject.name.clone())]
    };
    let quoted = |v: &[String]| {
        v.iter()
            .map(|s| format!("\"{}\"", s.replace('"', "")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let codes: Vec<String> = care.iter().map(|(c, _)| c.clone()).collect();
    let care_names: Vec<String> = care.iter().map(|(c, n)| format!("{c} {n}")).collect();
    let gemeenten = if gemeente {
        quoted(std::slice::from_ref(&subject.name))
    } else {
        String::new()
    };
    let title = format!("Woonzorgvisie {}", subject.name);
    format!(
        "# {title}\n\
#\n\
# Geschreven door `woonzorg nieuw`. Dit scenario bouwt voort op het basisscenario: alles wat hier\n\
# niet staat (data, prognose, groepen, woningen, beleidsregels) komt daarvandaan, met bronnen.\n\
# Draaien: woonzorg run {path}  → out/{name}/ (tabellen, kaarten, bijlage).\n\
#\n\
# Wat u hier invult:\n\
# - eigen voorraad en plannen: [housing] supply = \"eigen_voorraad.csv\" en pipeline = \"plannen.csv\"\n\
#   (zie scenarios/delft_eigen_voorraad.toml en examples/wonen/); zonder eigen cijfers rekent\n\
#   woonzorg met de CBS-voorraad en de trend 2016–2024;\n\
# - afwijkende parameters van een groep, elk met een bron: [groups.parameters.<groep>];\n\
# - de definities van de partijen (gemeente, corporatie, zorgkantoor): woonzorg definitions\n\
#   met een bestand als examples/definities_delft.toml.\n\
\n\
extends = \"{extends}\"\n\
\n\
name = \"{name}\"\n\
title = \"{title}\"\n\
description = \"{desc}\"\n\
\n\
[regions]\n\
# bron: CBS Gebieden in Nederland {year} (85755NED){care_comment}\n\
gemeenten = [{gemeenten}]\n\
include = [{include}]\n\
own = \"\"\n\
# Elke regio in report krijgt een eigen bijlage (bijlage_<code>.html; index.html linkt ze).\n\
report = [{include}]\n\
{annexes}\
\n\
# De verdeelsleutels van het basisscenario gaan over de regio Arnhem.\n\
[housing]\n\
verdeel = []\n\
\n\
# Wijken (CBS Kerncijfers wijken en buurten 2024) voor de gemeente, als de KWB haar dekt.\n\
[wijken]\n\
gemeenten = [{gemeenten}]\n",
        desc = if gemeente {
            format!(
                "De woonzorgvisie van {} en haar zorgregio's: {}.",
                subject.name,
                care_names.join(", ")
            )
        } else {
            format!(
                "De woonzorgvisie van {} ({} gemeenten).",
                subject.name,
                subject.members.len()
            )
        },
        care_comment = if care_names.is_empty() {
            String::new()
        } else {
            format!(": {}", care_names.join("; "))
        },
        include = quoted(&codes),
        annexes = match (gemeente, subject.members.first()) {
            (false, Some(m)) => format!(
                "# Een eigen bijlage voor gemeenten van de regio, bijvoorbeeld annexes = [\"{}\"].\nannexes = []\n",
                m.name
            ),
            _ => String::new(),
        },
        path = path,
    )
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn file_names_are_plain() {
        assert_eq!(file_name("'s-Hertogenbosch"), "s_hertogenbosch");
        assert_eq!(file_name("Súdwest-Fryslân"), "sudwest_fryslan");
        assert_eq!(file_name("Oss"), "oss");
        assert_eq!(file_name("Bergen (L.)"), "bergen_l");
    }
}
