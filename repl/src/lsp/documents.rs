//! The documents the editor has open (full text sync: each change sends
//! the whole text), and the conversions between the protocol's places and
//! the compiler's: an LSP position is a line and a column in UTF-16 code
//! units, a compiler span is in bytes; a document's URI is a file path.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{Position, Range, Uri};
use reef_vm::compiler::outline::{outline, Outline};

/// One open document.
pub(crate) struct Document {
    pub(crate) text: String,
    pub(crate) lines: LineIndex,
    /// Computed on first use after each change.
    outline: Option<Outline>,
}

impl Document {
    pub(crate) fn new(text: String) -> Document {
        Document {
            lines: LineIndex::new(&text),
            text,
            outline: None,
        }
    }

    pub(crate) fn outline(&mut self) -> &Outline {
        self.view().outline
    }

    /// The outline with the text it describes.
    pub(crate) fn view(&mut self) -> View<'_> {
        let text = &self.text;
        View {
            outline: self.outline.get_or_insert_with(|| outline(text)),
            text,
            lines: &self.lines,
        }
    }

    /// The byte offset of `pos` (clamped to the text).
    pub(crate) fn offset(&self, pos: Position) -> usize {
        self.lines.offset(&self.text, pos)
    }

    /// The LSP range of a byte span (clamped to the text).
    pub(crate) fn range(&self, span: &std::ops::Range<usize>) -> Range {
        Range::new(
            self.lines.position(&self.text, span.start),
            self.lines.position(&self.text, span.end),
        )
    }
}

/// A document's outline beside its text.
pub(crate) struct View<'a> {
    pub(crate) outline: &'a Outline,
    pub(crate) text: &'a str,
    pub(crate) lines: &'a LineIndex,
}

impl View<'_> {
    /// The LSP range of a byte span.
    pub(crate) fn range(&self, span: &std::ops::Range<usize>) -> Range {
        Range::new(
            self.lines.position(self.text, span.start),
            self.lines.position(self.text, span.end),
        )
    }
}

/// The open documents by URI.
#[derive(Default)]
pub(crate) struct Documents {
    open: HashMap<Uri, Document>,
}

impl Documents {
    pub(crate) fn set(&mut self, uri: Uri, text: String) {
        self.open.insert(uri, Document::new(text));
    }

    pub(crate) fn close(&mut self, uri: &Uri) {
        self.open.remove(uri);
    }

    pub(crate) fn get_mut(&mut self, uri: &Uri) -> Option<&mut Document> {
        self.open.get_mut(uri)
    }

    /// The text of the file at `path`: the editor's if it has it open
    /// (unsaved changes included), else what is on disk. Open documents
    /// are matched by path, not URI: clients escape URIs differently.
    pub(crate) fn text_of(&self, path: &Path) -> Option<String> {
        let same = |uri: &Uri| {
            uri_to_path(uri).is_some_and(|p| {
                p == path
                    || std::fs::canonicalize(&p).ok() == std::fs::canonicalize(path).ok()
                        && p.exists()
            })
        };
        match self.open.iter().find(|(uri, _)| same(uri)) {
            Some((_, doc)) => Some(doc.text.clone()),
            None => std::fs::read_to_string(path).ok(),
        }
    }
}

/// Line starts of a text, for converting between byte offsets and LSP
/// positions.
pub(crate) struct LineIndex {
    /// The byte offset where each line starts; the first is 0.
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// The position of byte `offset`: its line, and the UTF-16 code units
    /// before it on that line. An offset inside a character counts from
    /// the character's start; past the end, the end.
    pub(crate) fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column = text[start..offset].encode_utf16().count();
        Position::new(
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(column).unwrap_or(u32::MAX),
        )
    }

    /// The byte offset of `pos`. A line past the end is the end of the
    /// text; a column past the end of its line is the line's end; a column
    /// inside a surrogate pair is the character's start.
    pub(crate) fn offset(&self, text: &str, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return text.len();
        };
        let end = self
            .starts
            .get(pos.line as usize + 1)
            .map_or(text.len(), |&next| next - 1);
        let mut units = 0usize;
        for (i, c) in text[start..end].char_indices() {
            units += c.len_utf16();
            if units > pos.character as usize {
                return start + i;
            }
        }
        end
    }
}

/// The file a `file:` URI names (percent-escapes decoded); `None` for
/// other schemes.
pub(crate) fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file:///p` (no host) or `file://localhost/p`.
    let path = &rest[rest.find('/')?..];
    let bytes = percent_decode(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
    }
    #[cfg(not(unix))]
    {
        String::from_utf8(bytes).ok().map(PathBuf::from)
    }
}

/// The `file:` URI of an absolute path (made absolute from the current
/// directory if it is not).
pub(crate) fn path_to_uri(path: &Path) -> Option<Uri> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    let mut uri = String::from("file://");
    for b in abs.to_str()?.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::from_str(&uri).ok()
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_code_units() {
        // `é` is 2 bytes and 1 unit; `😀` is 4 bytes and 2 units.
        let text = "ab\né😀x\n";
        let lines = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(lines.position(text, x), Position::new(1, 3));
        assert_eq!(lines.offset(text, Position::new(1, 3)), x);
        assert_eq!(
            lines.offset(text, Position::new(1, 1)),
            text.find('😀').unwrap()
        );
        // Inside the surrogate pair: the emoji's start. Past the line: its end.
        assert_eq!(
            lines.offset(text, Position::new(1, 2)),
            text.find('😀').unwrap()
        );
        assert_eq!(lines.offset(text, Position::new(1, 99)), x + 1);
        assert_eq!(lines.offset(text, Position::new(9, 0)), text.len());
        // An offset inside a character counts from its start.
        assert_eq!(lines.position(text, x - 1), Position::new(1, 1));
        assert_eq!(lines.position(text, 999), Position::new(2, 0));
    }

    #[test]
    fn file_uris_round_trip_with_escapes() {
        let path = Path::new("/tmp/a dir/é.reef");
        let uri = path_to_uri(path).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/a%20dir/%C3%A9.reef");
        assert_eq!(uri_to_path(&uri).unwrap(), path);
        let host = Uri::from_str("file://localhost/x/y.reef").unwrap();
        assert_eq!(uri_to_path(&host).unwrap(), Path::new("/x/y.reef"));
        assert!(uri_to_path(&Uri::from_str("untitled:Untitled-1").unwrap()).is_none());
    }
}
