//! Any text as a scenario, a group catalogue and a definitions file (against the shipped
//! catalogue): the parsers return a value or an error naming a key or line, never panic or hang.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use woonzorg::groups::catalogue::Catalogue;

static SHIPPED: OnceLock<Option<Catalogue>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("fuzz.toml");
    let _ = woonzorg::scenario::schema::Scenario::parse(path, text);
    let _ = Catalogue::parse(path, text);
    let shipped = SHIPPED.get_or_init(|| {
        Catalogue::parse(
            Path::new("catalogus.toml"),
            include_str!("../../data/groups/catalogus.toml"),
        )
        .ok()
    });
    if let Some(catalogue) = shipped {
        let _ = woonzorg::groups::definitions::Definitions::parse(path, text, catalogue);
    }
});
