//! A mapping TOML and a CSV file in one input (split at the first NUL byte): the mapping parser
//! and the reader it steers return a result or an error, never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(split) = data.iter().position(|b| *b == 0) else {
        return;
    };
    let (mapping, csv) = (&data[..split], &data[split + 1..]);
    let Ok(mapping) = std::str::from_utf8(mapping) else {
        return;
    };
    let path = std::path::Path::new("fuzz.toml");
    if let Ok(m) = woonzorg::source::Mapping::parse(path, mapping) {
        let _ = woonzorg::source::cbs::parse_bytes(std::path::Path::new("fuzz.csv"), csv, Some(&m));
    }
});
