//! A test oracle: the order the OOXML schema requires of the children of the elements
//! folio writes. The writer puts children in this order by construction; [`check`] reads
//! a written part and says where it does not (Word repairs such files silently; strict
//! validators reject them).

use quick_xml::Reader;
use quick_xml::events::Event;

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
    ("settings", crate::write::parts::SETTINGS_ORDER),
];

/// Checks that the children of every element listed in [`ORDERS`] come in the schema's
/// order (children not listed are not ranked); the first violation, if any.
pub(crate) fn check(xml: &[u8]) -> Result<(), String> {
    let mut reader = Reader::from_reader(xml);
    // Open elements: local name and the rank of their last ranked child.
    let mut stack: Vec<(String, Option<usize>)> = Vec::new();
    let enter = |stack: &mut Vec<(String, Option<usize>)>, local: String| {
        if let Some((parent, last)) = stack.last_mut()
            && let Some((_, order)) = ORDERS.iter().find(|(name, _)| name == parent)
            && let Some(rank) = order.iter().position(|n| *n == local)
        {
            if last.is_some_and(|l| l > rank) {
                return Err(format!("<{local}> comes too late in <{parent}>"));
            }
            *last = Some(rank);
        }
        Ok(())
    };
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                enter(&mut stack, local.clone())?;
                stack.push((local, None));
            }
            Ok(Event::Empty(e)) => {
                let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                enter(&mut stack, local)?;
            }
            Ok(Event::End(_)) => {
                stack.pop();
            }
            Ok(Event::Eof) => return Ok(()),
            Ok(_) => {}
            Err(e) => return Err(format!("not well-formed: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_order_children_are_found() {
        assert!(check(br#"<w:p><w:pPr><w:pStyle w:val="H"/><w:jc w:val="left"/></w:pPr><w:r><w:rPr><w:b/><w:sz w:val="2"/></w:rPr></w:r></w:p>"#).is_ok());
        let err =
            check(br#"<w:p><w:r><w:rPr><w:sz w:val="2"/><w:b/></w:rPr></w:r></w:p>"#).unwrap_err();
        assert!(err.contains("<b> comes too late in <rPr>"), "{err}");
        assert!(check(br#"<w:pPr><w:rPr/><w:pStyle/></w:pPr>"#).is_err());
    }
}
