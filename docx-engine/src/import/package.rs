//! The package gate: what an uploaded file must pass before any of its XML is parsed.
//!
//! It says what a file that is not a Word document is (a legacy .doc, an encrypted file,
//! a spreadsheet…), refuses archives with too many entries before the zip reader sizes
//! anything by them, reads every entry through a cap (the sizes a zip declares are never
//! trusted), bounds the inflate ratio and the total, takes Stored and Deflate only, turns
//! CRC errors and truncation into errors, and names parts as OPC does (resolved,
//! normalised, compared ignoring case, never outside the package).

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use zip::{CompressionMethod, ZipArchive};

use super::{ImportError, ImportLimits};

/// The parts of a package, by normalised name (no leading `/`, lower case for lookup).
#[derive(Debug, Default)]
pub(crate) struct Package {
    /// Lower-cased name → (name as stored, bytes), in archive order of names.
    parts: BTreeMap<String, (String, Vec<u8>)>,
}

/// A relationship of a part.
#[derive(Debug, Clone)]
pub(crate) struct Relationship {
    pub(crate) id: String,
    pub(crate) kind: String,
    /// The resolved part name (internal), or the URL as written (external).
    pub(crate) target: String,
    pub(crate) external: bool,
}

/// A relationship folio never lets through into a file it serves: why, as a warning kind
/// and its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refused {
    pub(crate) kind: &'static str,
    pub(crate) message: &'static str,
}

/// The one deny list for relationships, applied to opaque content at import and to every
/// part a render copies from the source file (and the parts those refer to): macros,
/// ActiveX, attached templates (a remote one is template injection), OLE objects, frames
/// and sub-documents linked to outside files, any other outside target on a file share
/// (opening the file would send the user's credentials there), and internal targets the
/// package does not have. Hyperlinks and pictures linked by URL are not on it (a link is
/// followed only when clicked; a linked picture keeps the warning it always had).
pub(crate) fn refused(rel: &Relationship, package: &Package) -> Option<Refused> {
    if let Some(refusal) = refused_kind(&rel.kind, &rel.target, rel.external) {
        return Some(refusal);
    }
    if !rel.external && package.part(&rel.target).is_none() {
        return Some(Refused {
            kind: "missing_part",
            message: "references to parts the file does not have are dropped",
        });
    }
    None
}

/// [`refused`] without the package: what the relationship's type and target alone say.
pub(crate) fn refused_kind(kind: &str, target: &str, external: bool) -> Option<Refused> {
    let rel = Relationship {
        id: String::new(),
        kind: kind.to_string(),
        target: target.to_string(),
        external,
    };
    let kind = rel.kind.as_str();
    let is = |suffix: &str| kind.ends_with(suffix);
    let refuse = |kind, message| Some(Refused { kind, message });
    if [
        "/vbaProject",
        "/wordVbaData",
        "/keyMapCustomizations",
        "/vbaProjectSignature",
        "/vbaProjectSignatureAgile",
        "/vbaProjectSignatureV3",
    ]
    .iter()
    .any(|s| is(s))
    {
        return refuse("macros", "macros (VBA projects) are never kept");
    }
    if is("/control") || is("/activeXControlBinary") {
        return refuse("activex", "ActiveX controls are never kept");
    }
    if is("/attachedTemplate") {
        return refuse(
            "attached_template",
            "attached templates are dropped (a remote one would be fetched by Word: template injection)",
        );
    }
    if rel.external {
        if is("/oleObject") {
            return refuse(
                "ole_link",
                "OLE objects linked to outside files are dropped (Word would update them from there)",
            );
        }
        if is("/frame") {
            return refuse("external_frame", "frames showing outside files are dropped");
        }
        if is("/subDocument") {
            return refuse("sub_document", "sub-documents outside the file are dropped");
        }
        let target = rel.target.trim_start().to_ascii_lowercase();
        if !is("/hyperlink")
            && (target.starts_with("\\\\")
                || target.starts_with("//")
                || target.starts_with("file:"))
        {
            return refuse(
                "file_share_target",
                "references to files on a network share or disk are dropped (opening the file would reach them)",
            );
        }
    }
    None
}

const OLE2: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// What a file that is not a zip package is, in words, from its first bytes.
fn not_a_package(bytes: &[u8]) -> ImportError {
    let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    let holds = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    let what = if bytes.starts_with(OLE2) {
        if holds(&utf16("EncryptedPackage")) || holds(&utf16("EncryptionInfo")) {
            "an encrypted (password-protected) Office file: remove the password in Word and upload it again"
        } else if holds(&utf16("WordDocument")) {
            "a legacy Word 97-2003 document (.doc): save it as .docx in Word or LibreOffice first"
        } else if holds(&utf16("Workbook")) {
            "a legacy Excel workbook (.xls), not a Word document"
        } else {
            "an OLE2 compound file (a legacy Office format), not a .docx"
        }
    } else if bytes.starts_with(b"{\\rtf") {
        "an RTF document, not a .docx"
    } else if bytes.starts_with(b"%PDF") {
        "a PDF, not a .docx"
    } else if bytes.starts_with(b"PK") {
        "a damaged or truncated zip archive"
    } else if bytes.is_empty() {
        "empty"
    } else {
        "not a zip package (a .docx is one)"
    };
    ImportError::NotDocx(format!("the file is {what}"))
}

/// The number of entries the end-of-central-directory record declares (zip64's when the
/// classic one says so), found without the zip reader: a count above the limit is refused
/// before anything is sized by it.
fn declared_entries(bytes: &[u8]) -> Option<u64> {
    const EOCD: &[u8] = b"PK\x05\x06";
    let search_from = bytes.len().saturating_sub(22 + 65_535);
    let at = bytes
        .get(search_from..)?
        .windows(4)
        .rposition(|w| w == EOCD)
        .map(|i| i + search_from)?;
    let record = bytes.get(at..at + 22)?;
    let total = u16::from_le_bytes(record.get(10..12)?.try_into().ok()?);
    if total != 0xFFFF {
        return Some(u64::from(total));
    }
    // Zip64: the locator sits just before the classic record.
    let locator = bytes.get(at.checked_sub(20)?..at)?;
    if locator.get(..4) != Some(&b"PK\x06\x07"[..]) {
        return Some(u64::from(total));
    }
    let offset = usize::try_from(u64::from_le_bytes(locator.get(8..16)?.try_into().ok()?)).ok()?;
    let zip64 = bytes.get(offset..offset.checked_add(56)?)?;
    if zip64.get(..4) != Some(&b"PK\x06\x06"[..]) {
        return None;
    }
    Some(u64::from_le_bytes(zip64.get(32..40)?.try_into().ok()?))
}

impl Package {
    /// Opens and reads a whole package through the gate.
    ///
    /// # Errors
    /// What the file is when it is no zip; a limit passed; a damaged entry.
    pub(crate) fn open(bytes: &[u8], limits: &ImportLimits) -> Result<Self, ImportError> {
        if bytes.len() as u64 > limits.max_upload_bytes {
            return Err(ImportError::TooLarge {
                what: "the upload (bytes)",
                limit: limits.max_upload_bytes,
            });
        }
        if !bytes.starts_with(b"PK\x03\x04") && !bytes.starts_with(b"PK\x05\x06") {
            return Err(not_a_package(bytes));
        }
        let declared = match declared_entries(bytes) {
            None => return Err(not_a_package(bytes)),
            Some(n) if n > limits.max_entries as u64 => {
                return Err(ImportError::TooLarge {
                    what: "the number of entries in the zip package",
                    limit: limits.max_entries as u64,
                });
            }
            Some(n) => n,
        };
        let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|_| not_a_package(bytes))?;
        // The zip crate keeps one entry per name: a directory that lists more entries
        // than it has names names one twice (which copy a reader sees is up to it).
        if archive.len() as u64 != declared {
            return Err(ImportError::Corrupt(format!(
                "the zip directory lists {declared} entries under {} distinct names: an entry name appears twice",
                archive.len()
            )));
        }
        if archive.len() > limits.max_entries {
            return Err(ImportError::TooLarge {
                what: "the number of entries in the zip package",
                limit: limits.max_entries as u64,
            });
        }
        let mut package = Package::default();
        let mut total: u64 = 0;
        for i in 0..archive.len() {
            let mut entry = archive
                .by_index(i)
                .map_err(|e| ImportError::Corrupt(format!("zip entry {i}: {e}")))?;
            if entry.is_dir() {
                continue;
            }
            let raw_name = entry.name().to_string();
            if entry.encrypted() {
                return Err(ImportError::NotDocx(format!(
                    "the zip entry {raw_name} is encrypted (password-protected)"
                )));
            }
            match entry.compression() {
                CompressionMethod::Stored | CompressionMethod::Deflated => {}
                other => {
                    return Err(ImportError::Corrupt(format!(
                        "the zip entry {raw_name} uses the compression method {other:?}: only Stored and Deflate are accepted"
                    )));
                }
            }
            let name = normalise(&raw_name).ok_or_else(|| {
                ImportError::Forbidden(format!(
                    "the zip entry name {raw_name:?} points outside the package"
                ))
            })?;
            let is_xml = name.ends_with(".xml") || name.ends_with(".rels");
            let cap = if is_xml {
                limits.max_xml_part_bytes
            } else {
                limits.max_binary_part_bytes
            };
            let compressed = entry.compressed_size().max(1);
            let declared = entry.size();
            let mut data = Vec::new();
            // Read in slices: the cap, the ratio and the total are checked as it inflates.
            let mut reader = (&mut entry).take(cap + 1);
            let mut chunk = [0u8; 64 * 1024];
            loop {
                let n = reader.read(&mut chunk).map_err(|e| {
                    ImportError::Corrupt(format!("the zip entry {raw_name} is damaged ({e})"))
                })?;
                if n == 0 {
                    break;
                }
                data.extend_from_slice(chunk.get(..n).unwrap_or_default());
                total += n as u64;
                if data.len() as u64 > cap {
                    return Err(ImportError::TooLarge {
                        what: if is_xml {
                            "one XML part, decompressed (bytes)"
                        } else {
                            "one media or binary part, decompressed (bytes)"
                        },
                        limit: cap,
                    });
                }
                if total > limits.max_total_bytes {
                    return Err(ImportError::TooLarge {
                        what: "the whole package, decompressed (bytes)",
                        limit: limits.max_total_bytes,
                    });
                }
                let len = data.len() as u64;
                if len > 1024 * 1024 && len / compressed > limits.max_ratio {
                    return Err(ImportError::TooLarge {
                        what: "the inflate ratio of one part (a zip bomb?)",
                        limit: limits.max_ratio,
                    });
                }
            }
            // Read through the caps first, never sized by it; then the size the entry
            // declares must be the size it holds.
            if data.len() as u64 != declared {
                return Err(ImportError::Corrupt(format!(
                    "the zip entry {raw_name} declares {declared} bytes but holds {}",
                    data.len()
                )));
            }
            let key = name.to_ascii_lowercase();
            if package.parts.contains_key(&key) {
                return Err(ImportError::Corrupt(format!(
                    "the part {name} is in the package twice"
                )));
            }
            package.parts.insert(key, (name, data));
        }
        Ok(package)
    }

    /// A part's bytes, by name (ignoring case).
    pub(crate) fn part(&self, name: &str) -> Option<&[u8]> {
        self.parts
            .get(&name.to_ascii_lowercase())
            .map(|(_, b)| b.as_slice())
    }

    /// A part's name as stored.
    pub(crate) fn stored_name(&self, name: &str) -> Option<&str> {
        self.parts
            .get(&name.to_ascii_lowercase())
            .map(|(n, _)| n.as_str())
    }

    /// The relationships of `part` (from `_rels/…rels` beside it), targets resolved.
    ///
    /// # Errors
    /// A malformed relationships part.
    pub(crate) fn relationships(
        &self,
        part: &str,
        limits: &ImportLimits,
    ) -> Result<Vec<Relationship>, ImportError> {
        let dir = part.rsplit_once('/').map_or("", |(d, _)| d);
        let rels_name = rels_name(part);
        let Some(bytes) = self.part(&rels_name) else {
            return Ok(Vec::new());
        };
        let tree = super::xml::parse(bytes, &rels_name, 8, limits.max_xml_nodes)?;
        let mut out = Vec::new();
        for node in tree.root.elements().filter(|n| n.local == "Relationship") {
            let get = |name: &str| {
                node.attrs
                    .iter()
                    .find(|a| a.local == name)
                    .map(|a| a.value.to_string())
            };
            let (Some(id), Some(kind), Some(target)) = (get("Id"), get("Type"), get("Target"))
            else {
                continue;
            };
            let external = get("TargetMode").is_some_and(|m| m.eq_ignore_ascii_case("External"));
            let target = if external {
                target
            } else {
                match resolve(dir, &target) {
                    Some(t) => t,
                    // A target outside the package is never followed.
                    None => continue,
                }
            };
            out.push(Relationship {
                id,
                kind,
                target,
                external,
            });
        }
        Ok(out)
    }

    /// The target of the package's officeDocument relationship (its main part), if any.
    ///
    /// # Errors
    /// A malformed relationships part.
    pub(crate) fn office_document(
        &self,
        limits: &ImportLimits,
    ) -> Result<Option<String>, ImportError> {
        Ok(self
            .relationships("", limits)?
            .into_iter()
            .find(|r| !r.external && r.kind.ends_with("/officeDocument"))
            .map(|r| r.target))
    }

    /// `[Content_Types].xml`, read once (empty when it is missing or unreadable).
    pub(crate) fn content_types(&self, limits: &ImportLimits) -> ContentTypes {
        let mut types = ContentTypes::default();
        let Some(tree) = self.part("[Content_Types].xml").and_then(|bytes| {
            super::xml::parse(bytes, "[Content_Types].xml", 8, limits.max_xml_nodes).ok()
        }) else {
            return types;
        };
        for node in tree.root.elements() {
            let get = |name: &str| {
                node.attrs
                    .iter()
                    .find(|a| a.local == name)
                    .map(|a| a.value.to_string())
            };
            let (key, map) = match node.local {
                "Override" => (get("PartName"), &mut types.overrides),
                "Default" => (get("Extension"), &mut types.defaults),
                _ => continue,
            };
            if let (Some(key), Some(content_type)) = (key, get("ContentType")) {
                map.entry(key.to_ascii_lowercase()).or_insert(content_type);
            }
        }
        types
    }
}

/// A package's content types: overrides by part name, defaults by extension.
#[derive(Debug, Default)]
pub(crate) struct ContentTypes {
    /// `/part/name` (lower case) → content type.
    overrides: std::collections::HashMap<String, String>,
    /// Extension (lower case) → content type.
    defaults: std::collections::HashMap<String, String>,
}

impl ContentTypes {
    /// The content type of a part: its override, else the default for its extension.
    pub(crate) fn of(&self, part: &str) -> Option<&str> {
        self.overrides
            .get(&format!("/{}", part.to_ascii_lowercase()))
            .or_else(|| {
                let extension = part.rsplit('.').next()?;
                self.defaults.get(&extension.to_ascii_lowercase())
            })
            .map(String::as_str)
    }
}

/// The relationships part of `part`: `word/_rels/document.xml.rels` for
/// `word/document.xml`, `_rels/.rels` for the package (`""`).
pub(crate) fn rels_name(part: &str) -> String {
    match part.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
        None => format!("_rels/{part}.rels"),
    }
}

/// The part a relationships part belongs to (`word/_rels/document.xml.rels` →
/// `word/document.xml`; `_rels/.rels` → the package, "").
pub(crate) fn rels_source(rels: &str) -> String {
    let (dir, file) = rels.rsplit_once('/').unwrap_or(("", rels));
    let file = file.strip_suffix(".rels").unwrap_or(file);
    let dir = dir
        .strip_suffix("_rels")
        .unwrap_or(dir)
        .trim_end_matches('/');
    if dir.is_empty() {
        file.to_string()
    } else {
        format!("{dir}/{file}")
    }
}

/// A zip entry name as a part name: backslashes as slashes, no leading slash, `.` and `..`
/// resolved; `None` when it would leave the package.
pub(crate) fn normalise(name: &str) -> Option<String> {
    let name = name.replace('\\', "/");
    // Entry names are relative to the package root; an absolute one is refused.
    if name.starts_with('/') {
        return None;
    }
    resolve("", &name)
}

/// Resolves `target` relative to the folder `dir` (both without a leading `/`; a target
/// starting with `/` is from the package root), percent-decoded, `.`/`..` resolved.
/// `None` when it escapes the root or is empty.
pub(crate) fn resolve(dir: &str, target: &str) -> Option<String> {
    let target = percent_decode(target.split(['#', '?']).next().unwrap_or(""));
    let mut segments: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/').filter(|s| !s.is_empty()).collect()
    };
    for segment in target.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop()?;
            }
            s => segments.push(s),
        }
    }
    if segments.is_empty() || segments.iter().any(|s| s.contains(':')) {
        return None;
    }
    Some(segments.join("/"))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        if byte == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(byte);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relationships_part_names_its_source() {
        for part in [
            "word/document.xml",
            "word/glossary/document.xml",
            "x.xml",
            "",
        ] {
            assert_eq!(rels_source(&rels_name(part)), part);
        }
    }

    #[test]
    fn names_resolve_inside_the_package_only() {
        assert_eq!(
            resolve("word", "media/a.png").as_deref(),
            Some("word/media/a.png")
        );
        assert_eq!(
            resolve("word", "../customXml/item1.xml").as_deref(),
            Some("customXml/item1.xml")
        );
        assert_eq!(
            resolve("word", "/word/x%20y.xml").as_deref(),
            Some("word/x y.xml")
        );
        assert_eq!(resolve("word", "../../etc/passwd"), None);
        assert_eq!(normalise("../evil.xml"), None);
        assert_eq!(normalise("/word/document.xml"), None);
        assert_eq!(
            normalise("word/./document.xml").as_deref(),
            Some("word/document.xml")
        );
        assert_eq!(normalise("word\\..\\..\\x"), None);
        assert_eq!(normalise("C:/x"), None);
    }

    /// A zip with entries `a.xml` and `b.xml`, the second renamed to `a.xml` in its local
    /// and central headers (the zip writer refuses to write a name twice).
    fn with_a_name_twice() -> Vec<u8> {
        use std::io::Write as _;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        for name in ["a.xml", "b.xml"] {
            zip.start_file(name, options).unwrap();
            zip.write_all(b"<x/>").unwrap();
        }
        let mut bytes = zip.finish().unwrap().into_inner();
        let mut i = 0;
        while let Some(at) = bytes[i..].windows(5).position(|w| w == b"b.xml") {
            bytes[i + at] = b'a';
            i += at + 5;
        }
        bytes
    }

    #[test]
    fn an_entry_name_twice_is_refused() {
        let err = Package::open(&with_a_name_twice(), &ImportLimits::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("appears twice"), "{err}");
    }

    #[test]
    fn other_files_are_named() {
        let limits = ImportLimits::default();
        let err = |b: &[u8]| Package::open(b, &limits).unwrap_err().to_string();
        assert!(err(b"hello").contains("not a zip"));
        assert!(err(b"%PDF-1.7").contains("PDF"));
        let mut doc = OLE2.to_vec();
        doc.extend("WordDocument".encode_utf16().flat_map(u16::to_le_bytes));
        assert!(err(&doc).contains("legacy Word"));
        let mut enc = OLE2.to_vec();
        enc.extend("EncryptionInfo".encode_utf16().flat_map(u16::to_le_bytes));
        assert!(err(&enc).contains("encrypted"));
    }
}
