//! Turning the bytes of a user's file into text: UTF-8 with or without BOM, UTF-16 with BOM.
//! Anything else is refused with the line where decoding failed, never guessed.

use std::path::Path;

use super::error::{Pos, SourceError};

/// The encoding a file turned out to have; reported by `import`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
}

impl std::fmt::Display for Encoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 met BOM",
            Encoding::Utf16Le => "UTF-16 LE",
            Encoding::Utf16Be => "UTF-16 BE",
        })
    }
}

/// Read a file and decode it to text.
pub fn read_text(path: &Path) -> Result<(String, Encoding), SourceError> {
    read_bytes_and_text(path).map(|(_, text)| text)
}

/// A file's bytes and their text (a folder refused).
fn read_bytes_and_text(path: &Path) -> Result<(Vec<u8>, (String, Encoding)), SourceError> {
    if path.is_dir() {
        return Err(SourceError::Io {
            pos: Pos::file(path),
            cause: std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a directory"),
            hint: "give a file, not a directory (a directory is only accepted when it holds an OData download: data.csv + DataProperties.csv)".into(),
        });
    }
    let bytes = read_file(path)?;
    let text = decode(path, &bytes)?;
    Ok((bytes, text))
}

/// The bytes of a file; a device or socket (`/dev/zero`, which never ends) is refused.
pub fn read_file(path: &Path) -> Result<Vec<u8>, SourceError> {
    if let Ok(meta) = std::fs::metadata(path) {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if !t.is_file() && !t.is_fifo() && !t.is_dir() {
            return Err(SourceError::Io {
                pos: Pos::file(path),
                cause: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "not a regular file (a device or socket)",
                ),
                hint: "give a file saved on disk".into(),
            });
        }
    }
    std::fs::read(path).map_err(|e| SourceError::io(path, e))
}

/// The largest TOML file (scenario, catalogue, definitions, regions, mapping) read: 16 MB,
/// a hundred times the largest shipped one.
pub const MAX_TOML_BYTES: u64 = 16 << 20;

/// [`read_text`] for a settings file (TOML): refused above [`MAX_TOML_BYTES`].
pub fn read_toml_text(path: &Path) -> Result<String, SourceError> {
    read_toml(path).map(|(_, text)| text)
}

/// A settings file (TOML) read once: its bytes (for its SHA-256) and its text; refused above
/// [`MAX_TOML_BYTES`].
pub fn read_toml(path: &Path) -> Result<(Vec<u8>, String), SourceError> {
    if let Ok(meta) = std::fs::metadata(path)
        && meta.is_file()
        && meta.len() > MAX_TOML_BYTES
    {
        return Err(SourceError::Malformed {
            pos: Pos::file(path),
            message: format!(
                "{} bytes is too large for a settings file (at most {} MB)",
                meta.len(),
                MAX_TOML_BYTES >> 20
            ),
            hint:
                "a scenario or catalogue TOML is a few kB; check that the path names the TOML file"
                    .into(),
        });
    }
    let (bytes, (text, _)) = read_bytes_and_text(path)?;
    Ok((bytes, text))
}

/// Decode bytes: BOM-led UTF-16 or UTF-8; plain UTF-8 otherwise.
pub fn decode(path: &Path, bytes: &[u8]) -> Result<(String, Encoding), SourceError> {
    if bytes.is_empty() {
        return Err(SourceError::Empty {
            pos: Pos::file(path),
        });
    }
    let (text, enc) = if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        (decode_utf16(path, rest, false)?, Encoding::Utf16Le)
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        (decode_utf16(path, rest, true)?, Encoding::Utf16Be)
    } else {
        let (rest, enc) = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
            Some(rest) => (rest, Encoding::Utf8Bom),
            None => (bytes, Encoding::Utf8),
        };
        if looks_like_utf16_without_bom(rest) {
            return Err(SourceError::Encoding {
                pos: Pos::line(path, 1),
                message: "the file looks like UTF-16 without a byte-order mark".into(),
                hint: "save it as UTF-8 (or UTF-16 with BOM, as Excel does with 'Unicode text')"
                    .into(),
            });
        }
        match std::str::from_utf8(rest) {
            Ok(s) => (s.to_string(), enc),
            Err(e) => {
                let ok = &rest[..e.valid_up_to()];
                let line = 1 + ok.iter().filter(|&&b| b == b'\n').count() as u64;
                return Err(SourceError::Encoding {
                    pos: Pos::line(path, line),
                    message: format!("invalid UTF-8 at byte {}", e.valid_up_to() + (bytes.len() - rest.len())),
                    hint: "save the file as UTF-8 (Excel: 'CSV UTF-8'); files in Windows-1252 or with mixed encodings are refused rather than guessed".into(),
                });
            }
        }
    };
    if let Some(offset) = text.find('\u{FEFF}') {
        let line = 1 + text[..offset].matches('\n').count() as u64;
        return Err(SourceError::Encoding {
            pos: Pos::line(path, line),
            message: "byte-order mark (U+FEFF) inside the file".into(),
            hint: "the file was probably made by concatenating exports; remove the extra BOM or export once".into(),
        });
    }
    if text.trim().is_empty() {
        return Err(SourceError::Empty {
            pos: Pos::file(path),
        });
    }
    Ok((text, enc))
}

fn decode_utf16(path: &Path, bytes: &[u8], big_endian: bool) -> Result<String, SourceError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(SourceError::Encoding {
            pos: Pos::file(path),
            message: "UTF-16 file with an odd number of bytes (truncated?)".into(),
            hint: "export the file again".into(),
        });
    }
    let units = bytes.chunks_exact(2).map(|c| {
        if big_endian {
            u16::from_be_bytes([c[0], c[1]])
        } else {
            u16::from_le_bytes([c[0], c[1]])
        }
    });
    let mut out = String::with_capacity(bytes.len() / 2);
    let mut line = 1u64;
    for ch in char::decode_utf16(units) {
        match ch {
            Ok(c) => {
                if c == '\n' {
                    line += 1;
                }
                out.push(c);
            }
            Err(_) => {
                return Err(SourceError::Encoding {
                    pos: Pos::line(path, line),
                    message: "invalid UTF-16 (unpaired surrogate)".into(),
                    hint: "export the file again, or save it as UTF-8".into(),
                });
            }
        }
    }
    Ok(out)
}

/// Many NUL bytes in the first kilobyte at alternating positions: UTF-16 text without BOM.
fn looks_like_utf16_without_bom(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    if head.len() < 4 {
        return false;
    }
    let zeros = head.iter().filter(|&&b| b == 0).count();
    zeros * 3 >= head.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bom_is_stripped() {
        let (t, e) = decode(Path::new("x.csv"), b"\xEF\xBB\xBFID;A\n0;1\n").unwrap();
        assert_eq!(t, "ID;A\n0;1\n");
        assert_eq!(e, Encoding::Utf8Bom);
    }

    #[test]
    fn utf16le_with_bom_decodes() {
        let mut b = vec![0xFF, 0xFE];
        for u in "\"92.10 Gemeentecode\"\r\n\"1680\"".encode_utf16() {
            b.extend_from_slice(&u.to_le_bytes());
        }
        let (t, e) = decode(Path::new("x.csv"), &b).unwrap();
        assert!(t.starts_with("\"92.10 Gemeentecode\""));
        assert_eq!(e, Encoding::Utf16Le);
    }

    #[test]
    fn utf16_without_bom_is_refused() {
        let mut b = vec![];
        for u in "a;b\n1;2\n".encode_utf16() {
            b.extend_from_slice(&u.to_le_bytes());
        }
        let err = decode(Path::new("x.csv"), &b).unwrap_err();
        assert!(err.to_string().contains("UTF-16 without"), "{err}");
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let err = decode(Path::new("x.csv"), b"a;b\n1;2\n3;\xE9\n").unwrap_err();
        assert_eq!(err.pos().line, Some(3));
    }

    #[test]
    fn bom_in_the_middle_is_refused() {
        let err = decode(Path::new("x.csv"), "a;b\n1;2\n\u{FEFF}a;b\n".as_bytes()).unwrap_err();
        assert_eq!(err.pos().line, Some(3));
    }
}
