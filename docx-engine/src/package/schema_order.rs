//! Puts child elements into the order the OOXML schema requires.
//!
//! docx-rs writes some children out of schema order (`w:rPr` before `w:pStyle`, `w:sz`
//! before `w:b`…), and an `w:rPr` inside paragraph properties of styles and numbering
//! levels, where the schema (`CT_PPrGeneral`) has none. Word repairs such files silently;
//! strict validators reject them. This pass re-parses each part, stable-sorts the children
//! of the elements listed below by their position in the schema sequence, and writes it back.
//! Elements not listed keep their order.

use quick_xml::Reader;
use quick_xml::Writer;
use quick_xml::events::{BytesStart, Event};

/// Schema sequences (by local name) for the parents folio's documents contain.
const ORDERS: &[(&str, &[&str])] = &[
    (
        "pPr",
        &[
            "pStyle",
            "keepNext",
            "keepLines",
            "pageBreakBefore",
            "framePr",
            "widowControl",
            "numPr",
            "suppressLineNumbers",
            "pBdr",
            "shd",
            "tabs",
            "suppressAutoHyphens",
            "kinsoku",
            "wordWrap",
            "overflowPunct",
            "topLinePunct",
            "autoSpaceDE",
            "autoSpaceDN",
            "bidi",
            "adjustRightInd",
            "snapToGrid",
            "spacing",
            "ind",
            "contextualSpacing",
            "mirrorIndents",
            "suppressOverlap",
            "jc",
            "textDirection",
            "textAlignment",
            "textboxTightWrap",
            "outlineLvl",
            "divId",
            "cnfStyle",
            "rPr",
            "sectPr",
            "pPrChange",
        ],
    ),
    (
        "rPr",
        &[
            "ins",
            "del",
            "moveFrom",
            "moveTo",
            "rStyle",
            "rFonts",
            "b",
            "bCs",
            "i",
            "iCs",
            "caps",
            "smallCaps",
            "strike",
            "dstrike",
            "outline",
            "shadow",
            "emboss",
            "imprint",
            "noProof",
            "snapToGrid",
            "vanish",
            "webHidden",
            "color",
            "spacing",
            "w",
            "kern",
            "position",
            "sz",
            "szCs",
            "highlight",
            "u",
            "effect",
            "bdr",
            "shd",
            "fitText",
            "vertAlign",
            "rtl",
            "cs",
            "em",
            "lang",
            "eastAsianLayout",
            "specVanish",
            "oMath",
            "rPrChange",
        ],
    ),
    ("numPr", &["ilvl", "numId", "numberingChange", "ins"]),
    (
        "style",
        &[
            "name",
            "aliases",
            "basedOn",
            "next",
            "link",
            "autoRedefine",
            "hidden",
            "uiPriority",
            "semiHidden",
            "unhideWhenUsed",
            "qFormat",
            "locked",
            "personal",
            "personalCompose",
            "personalReply",
            "rsid",
            "pPr",
            "rPr",
            "tblPr",
            "trPr",
            "tcPr",
            "tblStylePr",
        ],
    ),
    (
        "lvl",
        &[
            "start",
            "numFmt",
            "lvlRestart",
            "pStyle",
            "isLgl",
            "suff",
            "lvlText",
            "lvlPicBulletId",
            "legacy",
            "lvlJc",
            "pPr",
            "rPr",
        ],
    ),
    (
        "abstractNum",
        &[
            "nsid",
            "multiLevelType",
            "tmpl",
            "name",
            "styleLink",
            "numStyleLink",
            "lvl",
        ],
    ),
    (
        "numbering",
        &["numPicBullet", "abstractNum", "num", "numIdMacAtCleanup"],
    ),
    ("num", &["abstractNumId", "lvlOverride"]),
    ("lvlOverride", &["startOverride", "lvl"]),
    (
        "tblPr",
        &[
            "tblStyle",
            "tblpPr",
            "tblOverlap",
            "bidiVisual",
            "tblStyleRowBandSize",
            "tblStyleColBandSize",
            "tblW",
            "jc",
            "tblCellSpacing",
            "tblInd",
            "tblBorders",
            "shd",
            "tblLayout",
            "tblCellMar",
            "tblLook",
            "tblCaption",
            "tblDescription",
            "tblPrChange",
        ],
    ),
    (
        "tblBorders",
        &[
            "top", "start", "left", "bottom", "end", "right", "insideH", "insideV",
        ],
    ),
    (
        "tcPr",
        &[
            "cnfStyle",
            "tcW",
            "gridSpan",
            "hMerge",
            "vMerge",
            "tcBorders",
            "shd",
            "noWrap",
            "tcMar",
            "textDirection",
            "tcFitText",
            "vAlign",
            "hideMark",
            "headers",
            "cellIns",
            "cellDel",
            "cellMerge",
            "tcPrChange",
        ],
    ),
    (
        "sectPr",
        &[
            "headerReference",
            "footerReference",
            "footnotePr",
            "endnotePr",
            "type",
            "pgSz",
            "pgMar",
            "paperSrc",
            "pgBorders",
            "lnNumType",
            "pgNumType",
            "cols",
            "formProt",
            "vAlign",
            "noEndnote",
            "titlePg",
            "textDirection",
            "bidi",
            "rtlGutter",
            "docGrid",
            "printerSettings",
            "sectPrChange",
        ],
    ),
    (
        "settings",
        &[
            "writeProtection",
            "view",
            "zoom",
            "removePersonalInformation",
            "removeDateAndTime",
            "doNotDisplayPageBoundaries",
            "displayBackgroundShape",
            "printPostScriptOverText",
            "printFractionalCharacterWidth",
            "printFormsData",
            "embedTrueTypeFonts",
            "embedSystemFonts",
            "saveSubsetFonts",
            "saveFormsData",
            "mirrorMargins",
            "alignBordersAndEdges",
            "bordersDoNotSurroundHeader",
            "bordersDoNotSurroundFooter",
            "gutterAtTop",
            "hideSpellingErrors",
            "hideGrammaticalErrors",
            "activeWritingStyle",
            "proofState",
            "formsDesign",
            "attachedTemplate",
            "linkStyles",
            "stylePaneFormatFilter",
            "stylePaneSortMethod",
            "documentType",
            "mailMerge",
            "revisionView",
            "trackRevisions",
            "doNotTrackMoves",
            "doNotTrackFormatting",
            "documentProtection",
            "autoFormatOverride",
            "styleLockTheme",
            "styleLockQFSet",
            "defaultTabStop",
            "autoHyphenation",
            "consecutiveHyphenLimit",
            "hyphenationZone",
            "doNotHyphenateCaps",
            "showEnvelope",
            "summaryLength",
            "clickAndTypeStyle",
            "defaultTableStyle",
            "evenAndOddHeaders",
            "bookFoldRevPrinting",
            "bookFoldPrinting",
            "bookFoldPrintingSheets",
            "drawingGridHorizontalSpacing",
            "drawingGridVerticalSpacing",
            "displayHorizontalDrawingGridEvery",
            "displayVerticalDrawingGridEvery",
            "doNotUseMarginsForDrawingGridOrigin",
            "drawingGridHorizontalOrigin",
            "drawingGridVerticalOrigin",
            "doNotShadeFormData",
            "noPunctuationKerning",
            "characterSpacingControl",
            "printTwoOnOne",
            "strictFirstAndLastChars",
            "noLineBreaksAfter",
            "noLineBreaksBefore",
            "savePreviewPicture",
            "doNotValidateAgainstSchema",
            "saveInvalidXml",
            "ignoreMixedContent",
            "alwaysShowPlaceholderText",
            "doNotDemarcateInvalidXml",
            "saveXmlDataOnly",
            "useXSLTWhenSaving",
            "saveThroughXslt",
            "showXMLTags",
            "alwaysMergeEmptyNamespace",
            "updateFields",
            "hdrShapeDefaults",
            "footnotePr",
            "endnotePr",
            "compat",
            "docVars",
            "rsids",
            "mathPr",
            "attachedSchema",
            "themeFontLang",
            "clrSchemeMapping",
            "doNotIncludeSubdocsInStats",
            "doNotAutoCompressPictures",
            "forceUpgrade",
            "captions",
            "readModeInkLockDown",
            "smartTagType",
            "schemaLibrary",
            "shapeDefaults",
            "doNotEmbedSmartTags",
            "decimalSymbol",
            "listSeparator",
        ],
    ),
];

enum Node {
    Element {
        start: BytesStart<'static>,
        children: Vec<Node>,
        empty: bool,
    },
    Other(Event<'static>),
}

impl Node {
    fn local_name(&self) -> Option<String> {
        match self {
            Node::Element { start, .. } => {
                Some(String::from_utf8_lossy(start.local_name().as_ref()).into_owned())
            }
            Node::Other(_) => None,
        }
    }
}

/// Reorders one XML part. `strip_ppr_rpr` drops `w:rPr` inside `w:pPr` (for styles and
/// numbering, whose paragraph properties have no run properties). Returns the input
/// unchanged if it is not well-formed XML (it always is: docx-rs wrote it).
pub(crate) fn normalize(xml: &[u8], strip_ppr_rpr: bool) -> Vec<u8> {
    match parse(xml) {
        Some(mut nodes) => {
            for node in &mut nodes {
                reorder(node, strip_ppr_rpr);
            }
            write(&nodes).unwrap_or_else(|| xml.to_vec())
        }
        None => xml.to_vec(),
    }
}

fn parse(xml: &[u8]) -> Option<Vec<Node>> {
    let mut reader = Reader::from_reader(xml);
    let mut stack: Vec<(BytesStart<'static>, Vec<Node>)> = Vec::new();
    let mut top: Vec<Node> = Vec::new();
    loop {
        let event = reader.read_event().ok()?;
        let node = match event {
            Event::Eof => break,
            Event::Start(start) => {
                stack.push((start.into_owned(), Vec::new()));
                continue;
            }
            Event::End(_) => {
                let (start, children) = stack.pop()?;
                Node::Element {
                    start,
                    children,
                    empty: false,
                }
            }
            Event::Empty(start) => Node::Element {
                start: start.into_owned(),
                children: Vec::new(),
                empty: true,
            },
            other => Node::Other(other.into_owned()),
        };
        match stack.last_mut() {
            Some((_, children)) => children.push(node),
            None => top.push(node),
        }
    }
    stack.is_empty().then_some(top)
}

fn reorder(node: &mut Node, strip_ppr_rpr: bool) {
    let name = node.local_name();
    let Node::Element {
        children, start, ..
    } = node
    else {
        return;
    };
    // docx-rs writes `w:type` on `w:gridCol`, which the schema does not declare there.
    if name.as_deref() == Some("gridCol") {
        *start = without_attribute(start, b"w:type");
    }
    if strip_ppr_rpr && name.as_deref() == Some("pPr") {
        children.retain(|c| c.local_name().as_deref() != Some("rPr"));
    }
    for child in children.iter_mut() {
        reorder(child, strip_ppr_rpr);
    }
    let Some(order) = ORDERS
        .iter()
        .find(|(parent, _)| Some(*parent) == name.as_deref())
        .map(|(_, order)| *order)
    else {
        return;
    };
    children.sort_by_key(|c| {
        c.local_name()
            .and_then(|n| order.iter().position(|o| *o == n))
            .unwrap_or(order.len())
    });
}

/// `start` without the attribute `key`.
fn without_attribute(start: &BytesStart<'static>, key: &[u8]) -> BytesStart<'static> {
    let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
    let mut out = BytesStart::new(name);
    for attribute in start.attributes().flatten() {
        if attribute.key.as_ref() != key {
            out.push_attribute(attribute);
        }
    }
    out
}

fn write(nodes: &[Node]) -> Option<Vec<u8>> {
    let mut writer = Writer::new(Vec::new());
    for node in nodes {
        write_node(&mut writer, node).ok()?;
    }
    Some(writer.into_inner())
}

fn write_node(writer: &mut Writer<Vec<u8>>, node: &Node) -> std::io::Result<()> {
    match node {
        Node::Element {
            start,
            children,
            empty,
        } => {
            if *empty && children.is_empty() {
                writer.write_event(Event::Empty(start.borrow()))?;
            } else {
                writer.write_event(Event::Start(start.borrow()))?;
                for child in children {
                    write_node(writer, child)?;
                }
                writer.write_event(Event::End(start.to_end()))?;
            }
        }
        Node::Other(event) => writer.write_event(event.borrow())?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_follow_the_schema_and_text_is_untouched() {
        let xml = br#"<?xml version="1.0"?><w:p><w:pPr><w:rPr /><w:pStyle w:val="H" /></w:pPr><w:r><w:rPr><w:sz w:val="2"/><w:b/></w:rPr><w:t xml:space="preserve">a &amp; b</w:t></w:r></w:p>"#;
        let out = String::from_utf8(normalize(xml, false)).unwrap();
        assert_eq!(
            out,
            r#"<?xml version="1.0"?><w:p><w:pPr><w:pStyle w:val="H" /><w:rPr /></w:pPr><w:r><w:rPr><w:b/><w:sz w:val="2"/></w:rPr><w:t xml:space="preserve">a &amp; b</w:t></w:r></w:p>"#
        );
    }

    #[test]
    fn run_properties_leave_style_paragraph_properties() {
        let xml = br#"<w:style><w:pPr><w:rPr/><w:ind/></w:pPr><w:name/></w:style>"#;
        let out = String::from_utf8(normalize(xml, true)).unwrap();
        assert_eq!(
            out,
            r#"<w:style><w:name/><w:pPr><w:ind/></w:pPr></w:style>"#
        );
    }
}
