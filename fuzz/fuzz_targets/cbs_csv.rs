//! Any bytes as a CBS CSV file (TypedDataSet, StatLine export, plain wide/long, woonzorg tidy):
//! the reader returns a table or an error, never panics or hangs.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = woonzorg::source::cbs::parse_bytes(std::path::Path::new("fuzz.csv"), data, None);
});
