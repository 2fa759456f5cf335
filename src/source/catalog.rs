//! Titles and units of the CBS tables woonzorg knows by id. A TypedDataSet dump carries
//! neither, so `import` takes them from here; tables not listed are still read, with
//! the unit left empty.

/// One known table: id (as CBS writes it), title, default unit, and units per measure-key prefix.
struct Known {
    id: &'static str,
    title: &'static str,
    unit: &'static str,
    units: &'static [(&'static str, &'static str)],
}

const X1000: &str = "x 1 000";

/// Units of the Kernprognose kerncijfers tables (85089NED, 86040NED).
const KERNCIJFERS_UNITS: &[(&str, &str)] = &[
    ("k_0Tot20Jaar_5", "%"),
    ("k_20Tot65Jaar_6", "%"),
    ("k_65JaarEnOuder_7", "%"),
    ("TotaleDruk", "%"),
    ("GroeneDruk", "%"),
    ("GrijzeDruk", "%"),
    ("TotaalVruchtbaarheidscijfer", "kinderen per vrouw"),
    ("Totaal_1", "jaren"),
    ("Mannen_1", "jaren"),
    ("Vrouwen_1", "jaren"),
];

/// Units of the Gebieden in Nederland tables (codes, names, and two numbers).
const GEBIEDEN_UNITS: &[(&str, &str)] = &[
    ("Inwonertal", "aantal"),
    ("Omgevingsadressendichtheid", "adressen per km2"),
];

static KNOWN: &[Known] = &[
    Known {
        id: "7461bev",
        title: "Bevolking; geslacht, leeftijd en burgerlijke staat, 1 januari",
        unit: "aantal",
        units: &[],
    },
    Known {
        id: "03759ned",
        title: "Bevolking op 1 januari en gemiddeld; geslacht, leeftijd en regio",
        unit: "aantal",
        units: &[],
    },
    Known {
        id: "37168",
        title: "Overledenen; geslacht, leeftijd, burgerlijke staat",
        unit: "aantal",
        units: &[],
    },
    Known {
        id: "37360ned",
        title: "Levensverwachting; geslacht, leeftijd (per jaar en periode van vijf jaren)",
        unit: "",
        units: &[
            ("Sterftekans", "kans"),
            ("Levende", "aantal (tafelbevolking, radix 100 000)"),
            ("Sterftequotient", "kans"),
            ("Levensverwachting", "jaren"),
        ],
    },
    Known {
        id: "37744ned",
        title: "Levend geboren kinderen; migratieachtergrond moeder en leeftijd moeder",
        unit: "aantal",
        units: &[],
    },
    Known {
        id: "37422ned",
        title: "Geboorte; kerncijfers",
        unit: "aantal",
        units: &[
            ("GemiddeldKindertal", "kinderen per vrouw"),
            ("GemiddeldeLeeftijd", "jaren"),
            ("LevendGeborenKinderenRelatief", "per 1 000 inwoners"),
            ("AlgemeenVruchtbaarheidscijfer", "per 1 000 vrouwen"),
            ("JongensPer1000Meisjes", "per 1 000 meisjes"),
        ],
    },
    Known {
        id: "37620",
        title: "Huishoudens; personen naar geslacht, leeftijd en positie in het huishouden, 1 januari",
        unit: "aantal",
        units: &[],
    },
    Known {
        id: "37975",
        title: "Huishoudens; samenstelling, grootte, regio, leeftijd referentiepersoon, 1 januari",
        unit: "aantal",
        units: &[],
    },
    Known {
        id: "80750ned",
        title: "Prognose bevolking; geboorte, sterfte en migratie naar leeftijd, 2010-2060",
        unit: "aantal",
        units: &[],
    },
    Known {
        id: "80799ned",
        title: "Dakloze mensen; persoonskenmerken",
        unit: X1000,
        units: &[("DaklozeMensenRelatief", "%")],
    },
    Known {
        id: "84990NED",
        title: "Daklozen; persoonskenmerken",
        unit: X1000,
        units: &[("DaklozenRelatief", "%")],
    },
    Known {
        id: "85616NED",
        title: "Dakloze mensen; persoonskenmerken",
        unit: X1000,
        units: &[("DaklozeMensenRelatief", "%")],
    },
    Known {
        id: "82220NED",
        title: "Regionale prognose 2014-2040; kerncijfers",
        unit: X1000,
        units: &[],
    },
    Known {
        id: "82221NED",
        title: "Regionale prognose 2014-2040; huishoudens",
        unit: X1000,
        units: &[],
    },
    Known {
        id: "83492NED",
        title: "Regionale prognose 2016-2040; bevolkingsontwikkeling, regio-indeling 2015",
        unit: X1000,
        units: &[],
    },
    Known {
        id: "84525NED",
        title: "Regionale prognose 2020-2050; bevolking, regio-indeling 2018",
        unit: X1000,
        units: &[],
    },
    Known {
        id: "85171NED",
        title: "Regionale prognose 2023-2050; bevolking, regio-indeling 2021",
        unit: X1000,
        units: &[],
    },
    Known {
        id: "84646NED",
        title: "Prognose bevolking; geslacht en leeftijd, 2020-2060",
        unit: "aantal",
        units: &[],
    },
    Known {
        id: "85089NED",
        title: "Kernprognose 2022-2070; kerncijfers",
        unit: "aantal",
        units: KERNCIJFERS_UNITS,
    },
    Known {
        id: "86040NED",
        title: "Kernprognose 2024-2070; kerncijfers",
        unit: "aantal",
        units: KERNCIJFERS_UNITS,
    },
    Known {
        id: "85745NED",
        title: "Prognose bevolking; geslacht en leeftijd, 2024-2070 (prognose-intervallen)",
        unit: "aantal",
        units: &[],
    },
    Known {
        id: "85746NED",
        title: "Kernprognose 2023-2070; bevolkingsontwikkeling (prognose-intervallen)",
        unit: "aantal",
        units: &[],
    },
    Known {
        id: "86036NED",
        title: "Kernprognose 2025-2070; personen naar positie in het huishouden",
        unit: "aantal",
        units: &[("GemiddeldeHuishoudensgrootte", "personen per huishouden")],
    },
    Known {
        id: "85091NED",
        title: "Prognose sterftekansen en levensverwachting, 2021-2070",
        unit: "",
        units: &[
            ("Sterftekans", "kans"),
            ("LevendenTafelbevolking", "aantal (tafelbevolking)"),
            ("OverledenenTafelbevolking", "aantal (tafelbevolking)"),
            ("PeriodeLevensverwachting", "jaren"),
        ],
    },
    Known {
        id: "85383NED",
        title: "Maatstaven verdeelmodel gemeentefonds",
        unit: "aantal",
        units: &[
            ("Belastingcapaciteit", "x 1 000 euro"),
            ("Omgevingsadressendichtheid", "adressen per km2"),
            ("Bodemfactor", "factor"),
            ("Achterstandsscore", "score"),
            ("Ondergrens95Interval", "score"),
            ("Waarde_40", "score"),
            ("Bovengrens95Interval", "score"),
            ("LandTotaal", "ha"),
            ("Buitengebied", "ha"),
            ("Woonkern", "ha"),
            ("WaterTotaal", "ha"),
            ("Binnenwater", "ha"),
            ("Buitenwater", "ha"),
            ("BebouwingTotaal", "ha"),
            ("Kleigrond", "ha"),
            ("Kleiveengrond", "ha"),
            ("Veengrond", "ha"),
            ("ZandgrondOverig", "ha"),
            ("Oeverlengte", "km"),
            ("Regiocode", "code"),
        ],
    },
    Known {
        id: "82900NED",
        title: "Voorraad woningen; eigendom, regio",
        unit: "aantal",
        units: &[],
    },
    Known {
        id: "85035NED",
        title: "Voorraad woningen; woningtype, regio",
        unit: "aantal",
        units: &[],
    },
    Known {
        id: "84839NED",
        title: "Wmo-cliënten; type maatwerkvoorziening, regio",
        unit: "aantal",
        units: &[("WmoClientenPer1000Inwoners", "per 1 000 inwoners")],
    },
    Known {
        id: "60039fvw",
        title: "Maatstaven gemeentefonds",
        unit: "aantal",
        units: &[],
    },
    Known {
        id: "85644NED",
        title: "Bevolking; leeftijd, nationaliteit, regio, 1 januari",
        unit: "aantal",
        units: &[],
    },
    Known {
        id: "82056NED",
        title: "Levendgeborenen; huishoudenssamenstelling, regio",
        unit: "aantal",
        units: &[],
    },
    Known {
        id: "85468NED",
        title: "Immigratie en emigratie; geslacht, leeftijd, geboorteland, regio",
        unit: "aantal",
        units: &[],
    },
    Known {
        id: "84527NED",
        title: "Regionale prognose 2020-2050; bevolking, gemeente, regio-indeling 2018",
        unit: X1000,
        units: &[],
    },
    Known {
        id: "71488ned",
        title: "Huishoudens; personen naar geslacht, leeftijd en regio, 1 januari",
        unit: "aantal",
        units: &[],
    },
    Known {
        id: "85012NED",
        title: "Gezondheidsmonitor Volwassenen en Ouderen 2022; regio",
        unit: "%",
        units: &[("UrenMantelzorgPerWeek", "uren per week")],
    },
    Known {
        id: "86050NED",
        title: "Wmo-cliënten; type maatwerkvoorziening, regio",
        unit: "aantal",
        units: &[("WmoClientenPer1000Inwoners", "per 1 000 inwoners")],
    },
    Known {
        id: "86060NED",
        title: "Wmo-cliënten; aantal maatwerkvoorzieningen, regio",
        unit: "aantal",
        units: &[
            ("ClientenMetMaatwerkvoorzieningen_3", "per 1 000 inwoners"),
            (
                "HuishoudensMetMaatwerkvoorzieningen_4",
                "per 1 000 huishoudens",
            ),
        ],
    },
    Known {
        id: "83262NED",
        title: "Wmo-cliënten; type maatwerkarrangement, regio",
        unit: "aantal",
        units: &[],
    },
    Known {
        id: "83287NED",
        title: "Gebieden in Nederland 2016",
        unit: "code",
        units: GEBIEDEN_UNITS,
    },
    Known {
        id: "83553NED",
        title: "Gebieden in Nederland 2017",
        unit: "code",
        units: GEBIEDEN_UNITS,
    },
    Known {
        id: "83859NED",
        title: "Gebieden in Nederland 2018",
        unit: "code",
        units: GEBIEDEN_UNITS,
    },
    Known {
        id: "84378NED",
        title: "Gebieden in Nederland 2019",
        unit: "code",
        units: GEBIEDEN_UNITS,
    },
    Known {
        id: "84721NED",
        title: "Gebieden in Nederland 2020",
        unit: "code",
        units: GEBIEDEN_UNITS,
    },
    Known {
        id: "84929NED",
        title: "Gebieden in Nederland 2021",
        unit: "code",
        units: GEBIEDEN_UNITS,
    },
    Known {
        id: "85067NED",
        title: "Gebieden in Nederland 2022",
        unit: "code",
        units: GEBIEDEN_UNITS,
    },
    Known {
        id: "85385NED",
        title: "Gebieden in Nederland 2023",
        unit: "code",
        units: GEBIEDEN_UNITS,
    },
    Known {
        id: "85755NED",
        title: "Gebieden in Nederland 2024",
        unit: "code",
        units: GEBIEDEN_UNITS,
    },
    Known {
        id: "86059NED",
        title: "Gebieden in Nederland 2025",
        unit: "code",
        units: GEBIEDEN_UNITS,
    },
    Known {
        id: "BRP-tabel33",
        title: "BRP Landelijke Tabel 33 Gemeententabel (RvIG)",
        unit: "code",
        units: &[],
    },
];

fn find(id: &str) -> Option<&'static Known> {
    KNOWN.iter().find(|k| k.id.eq_ignore_ascii_case(id))
}

/// The CBS title of a known table.
pub fn title(id: &str) -> Option<&'static str> {
    find(id).map(|k| k.title)
}

/// The table id as CBS spells it, if the id is known (`85383ned` → `85383NED`).
pub fn canonical_id(id: &str) -> Option<&'static str> {
    find(id).map(|k| k.id)
}

/// The unit of a measure of a known table, by the longest matching key prefix.
pub fn unit(id: &str, measure_key: &str) -> Option<&'static str> {
    let k = find(id)?;
    k.units
        .iter()
        .filter(|(prefix, _)| measure_key.starts_with(prefix))
        .max_by_key(|(prefix, _)| prefix.len())
        .map(|(_, u)| *u)
        .or(Some(k.unit))
}

/// A CBS table id inside a file name (`…_85383NED.csv`, `…_37620.csv`, `…_7461bev…`), if any.
pub fn id_from_file_name(name: &str) -> Option<String> {
    let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name);
    stem.split(['_', '-', ' ']).find_map(|tok| {
        let b = tok.as_bytes();
        let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let rest = &tok[digits..];
        let is_id = (digits == 5
            && (rest.is_empty()
                || rest.eq_ignore_ascii_case("ned")
                || (rest.len() == 3 && rest.bytes().all(|c| c.is_ascii_lowercase()))))
            || (digits == 4 && rest.len() == 3 && rest.bytes().all(|c| c.is_ascii_lowercase()));
        is_id.then(|| {
            canonical_id(tok)
                .map(str::to_string)
                .unwrap_or_else(|| tok.to_string())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_file_names() {
        assert_eq!(
            id_from_file_name("gemeente_maatstaven_gemeentefonds_leeftijd_2007-2023_60039fvw.csv")
                .as_deref(),
            Some("60039fvw")
        );
        assert_eq!(
            id_from_file_name("gemeente_maatstaven_gemeentefonds_2023-2025_85383NED.csv")
                .as_deref(),
            Some("85383NED")
        );
        assert_eq!(
            id_from_file_name(
                "nl_personen_positie_huishouden_geslacht_leeftijd_1995-2024_37620.csv"
            )
            .as_deref(),
            Some("37620")
        );
        assert_eq!(
            id_from_file_name(
                "nl_sterftekans_leeftijd_geslacht_2011-2019_37360ned_statline_export.csv"
            )
            .as_deref(),
            Some("37360ned")
        );
        assert_eq!(
            id_from_file_name("x_85745NED_first10000rows.csv").as_deref(),
            Some("85745NED")
        );
        assert_eq!(
            id_from_file_name("nl_bevolking_leeftijd_geslacht_2000-2025_wide.csv"),
            None
        );
    }

    #[test]
    fn units_by_prefix() {
        assert_eq!(unit("85171NED", "TotaleBevolking_1"), Some("x 1 000"));
        assert_eq!(
            unit("86040NED", "TotaalVruchtbaarheidscijfer_12"),
            Some("kinderen per vrouw")
        );
        assert_eq!(unit("86040NED", "BevolkingOp1Januari_1"), Some("aantal"));
        assert_eq!(unit("99999XYZ", "A_1"), None);
    }
}
