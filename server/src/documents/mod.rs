//! Plain text from uploaded documents: PDF (pdf-extract), DOCX (zip + quick-xml), plain text and
//! Markdown. The declared type must match the content's magic bytes; archives are read with a
//! cap on expanded size; a PDF without a text layer gives "no text found", never invented text.
//!
//! The parsers are not ours and a hostile file can make them recurse without end or inflate to
//! gigabytes, which no `catch_unwind` can stop. So PDF and Word files are read in a child
//! process (`sandbox.rs`: the server binary's hidden `extract-text` subcommand) with a time
//! limit, an address-space limit and a cap on how many run at once; the worst a file can do is
//! end that child.

mod handler;
pub mod sandbox;

pub use handler::{text_handler, Uploads};
pub use sandbox::Extractor;

use serde::{Deserialize, Serialize};
use std::io::Read;

/// Largest upload accepted (checked before the body is read whole).
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
/// Largest `word/document.xml` read out of a DOCX (a zip bomb stops here).
const MAX_EXPANDED_BYTES: u64 = 20 * 1024 * 1024;
/// Text beyond this many characters is cut (a CV is far shorter).
const MAX_TEXT_CHARS: usize = 200_000;

/// The formats we read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Pdf,
    Docx,
    Text,
    Markdown,
}

impl Format {
    /// The format a `Content-Type` (or a file name's extension) declares.
    pub fn declared(content_type: &str, file_name: Option<&str>) -> Option<Self> {
        let mime = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let by_type = match mime.as_str() {
            "application/pdf" => Some(Self::Pdf),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => {
                Some(Self::Docx)
            }
            "text/plain" => Some(Self::Text),
            "text/markdown" | "text/x-markdown" => Some(Self::Markdown),
            _ => None,
        };
        by_type.or_else(|| {
            let ext = file_name?.rsplit_once('.')?.1.to_ascii_lowercase();
            match ext.as_str() {
                "pdf" => Some(Self::Pdf),
                "docx" => Some(Self::Docx),
                "txt" => Some(Self::Text),
                "md" | "markdown" => Some(Self::Markdown),
                _ => None,
            }
        })
    }

    /// Whether a parser we do not control reads it (then it is read in a child process).
    pub fn needs_sandbox(self) -> bool {
        matches!(self, Self::Pdf | Self::Docx)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Pdf => "PDF",
            Self::Docx => "Word (DOCX)",
            Self::Text => "plain text",
            Self::Markdown => "Markdown",
        }
    }
}

/// Why no text came out; each says what to do instead.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExtractError {
    #[error("The file is larger than {} MB. Upload a shorter document or paste its text.", MAX_UPLOAD_BYTES / 1024 / 1024)]
    TooLarge,
    #[error("This type of file cannot be read. Upload a PDF, a Word document (.docx), or a .txt or .md file.")]
    Unsupported,
    #[error("The file is not the {0} it claims to be. Check the file or paste its text.")]
    Mismatch(&'static str),
    #[error("No text found: the document has no text layer (a scan or an image?). Paste its text instead.")]
    NoText,
    #[error("The {0} file is damaged and cannot be read. Export it again or paste its text.")]
    Damaged(&'static str),
    #[error("The file is empty. Choose the document again, or paste its text.")]
    Empty,
    #[error("The Word document expands to more than {} MB. Paste its text instead.", MAX_EXPANDED_BYTES / 1024 / 1024)]
    Expansion,
    #[error("The {0} file needs more time or memory than the server allows for one document. Save it again (for example with “Print to PDF”) or paste its text.")]
    Limits(&'static str),
    #[error("The server is reading other documents right now. Try again in a moment.")]
    Busy,
}

/// Reads the text of `bytes`, which declare themselves as `format`. CPU-bound: run it off the
/// async runtime.
pub fn extract_text(bytes: &[u8], format: Format) -> Result<String, ExtractError> {
    check_content(bytes, format)?;
    let text = match format {
        Format::Pdf => pdf(bytes)?,
        Format::Docx => docx(bytes)?,
        Format::Text | Format::Markdown => {
            // Checked to be UTF-8 already.
            let text = std::str::from_utf8(bytes).unwrap_or_default();
            text.trim_start_matches('\u{feff}').replace("\r\n", "\n")
        }
    };
    let text = tidy(&text);
    if text.trim().is_empty() {
        return Err(ExtractError::NoText);
    }
    Ok(text.chars().take(MAX_TEXT_CHARS).collect())
}

/// Whether `bytes` are, by their content, the `format` they declare (and not empty or too
/// large): what every upload is checked for before it is read or kept.
pub fn check_content(bytes: &[u8], format: Format) -> Result<(), ExtractError> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(ExtractError::TooLarge);
    }
    if bytes.is_empty() {
        return Err(ExtractError::Empty);
    }
    let matches = match format {
        Format::Pdf => bytes.starts_with(b"%PDF-"),
        Format::Docx => bytes.starts_with(b"PK\x03\x04"),
        // Text has no magic bytes; a NUL or invalid UTF-8 means it is something else.
        Format::Text | Format::Markdown => {
            std::str::from_utf8(bytes).is_ok_and(|text| !text.contains('\0'))
        }
    };
    if matches {
        Ok(())
    } else {
        Err(ExtractError::Mismatch(format.name()))
    }
}

fn pdf(bytes: &[u8]) -> Result<String, ExtractError> {
    // The PDF parser panics on some malformed files; a bad upload must not take the thread down.
    let result = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(bytes));
    match result {
        Ok(Ok(text)) => Ok(text),
        Ok(Err(_)) | Err(_) => Err(ExtractError::Damaged("PDF")),
    }
}

fn docx(bytes: &[u8]) -> Result<String, ExtractError> {
    use quick_xml::{events::Event, Reader};
    let damaged = |_| ExtractError::Damaged("Word");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(damaged)?;
    let entry = archive
        .by_name("word/document.xml")
        .map_err(|_| ExtractError::Damaged("Word"))?;
    if entry.size() > MAX_EXPANDED_BYTES {
        return Err(ExtractError::Expansion);
    }
    let mut xml = Vec::new();
    // The declared size can lie; the read is capped too.
    entry
        .take(MAX_EXPANDED_BYTES + 1)
        .read_to_end(&mut xml)
        .map_err(|_| ExtractError::Damaged("Word"))?;
    if xml.len() as u64 > MAX_EXPANDED_BYTES {
        return Err(ExtractError::Expansion);
    }

    let mut reader = Reader::from_reader(xml.as_slice());
    let mut text = String::new();
    let mut in_text = false;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.name().as_ref() == b"w:t" => in_text = true,
            Ok(Event::End(e)) => match e.name().as_ref() {
                b"w:t" => in_text = false,
                b"w:p" => text.push('\n'),
                _ => {}
            },
            Ok(Event::Empty(e)) => match e.name().as_ref() {
                b"w:tab" => text.push('\t'),
                b"w:br" | b"w:cr" => text.push('\n'),
                _ => {}
            },
            Ok(Event::Text(t)) if in_text => {
                let piece = t.unescape().map_err(|_| ExtractError::Damaged("Word"))?;
                text.push_str(&piece);
            }
            Ok(Event::Eof) => break,
            Err(_) => return Err(ExtractError::Damaged("Word")),
            _ => {}
        }
        buf.clear();
    }
    Ok(text)
}

/// Trailing spaces off each line, at most one blank line in a row.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_type_comes_from_the_header_or_the_name() {
        assert_eq!(Format::declared("application/pdf", None), Some(Format::Pdf));
        assert_eq!(
            Format::declared("application/octet-stream", Some("cv.DOCX")),
            Some(Format::Docx)
        );
        assert_eq!(Format::declared("image/png", Some("cv.png")), None);
    }

    #[test]
    fn text_must_be_text() {
        assert_eq!(extract_text(b"%PDF-1.7", Format::Text).map(|_| ()), Ok(()));
        assert_eq!(
            extract_text(b"a\0b", Format::Text),
            Err(ExtractError::Mismatch("plain text"))
        );
        assert_eq!(
            extract_text(b"  \n ", Format::Markdown),
            Err(ExtractError::NoText)
        );
        assert_eq!(
            extract_text(b"Hello", Format::Pdf),
            Err(ExtractError::Mismatch("PDF"))
        );
        assert_eq!(
            extract_text(b"line  \r\n\r\n\r\n\r\nnext", Format::Text).as_deref(),
            Ok("line\n\nnext")
        );
    }
}
