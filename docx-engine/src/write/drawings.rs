//! Inline pictures (`w:drawing`).

use std::io::{self, Write};

use super::xml::Xml;

/// An inline picture as Word writes one: `id` numbers the drawing, `number` its media
/// file (and relationship `rIdImage{number}`).
pub(crate) fn drawing<W: Write>(
    x: &mut Xml<W>,
    image: &domain::InlineImage,
    id: u64,
    number: usize,
) -> io::Result<()> {
    let (cx, cy) = (
        image.width_emu.max(1).to_string(),
        image.height_emu.max(1).to_string(),
    );
    let (id, name) = (id.to_string(), format!("Picture {id}"));
    let embed = format!("rIdImage{number}");
    let file = format!("image{number}");
    const A: &str = "http://schemas.openxmlformats.org/drawingml/2006/main";
    const PIC: &str = "http://schemas.openxmlformats.org/drawingml/2006/picture";
    x.start("w:drawing", &[])?;
    x.start(
        "wp:inline",
        &[
            ("distT", "0"),
            ("distB", "0"),
            ("distL", "0"),
            ("distR", "0"),
        ],
    )?;
    x.empty("wp:extent", &[("cx", &cx), ("cy", &cy)])?;
    x.empty(
        "wp:effectExtent",
        &[("l", "0"), ("t", "0"), ("r", "0"), ("b", "0")],
    )?;
    x.empty(
        "wp:docPr",
        &[("id", &id), ("name", &name), ("descr", &image.alt_text)],
    )?;
    x.start("wp:cNvGraphicFramePr", &[])?;
    x.empty(
        "a:graphicFrameLocks",
        &[("xmlns:a", A), ("noChangeAspect", "1")],
    )?;
    x.end("wp:cNvGraphicFramePr")?;
    x.start("a:graphic", &[("xmlns:a", A)])?;
    x.start("a:graphicData", &[("uri", PIC)])?;
    x.start("pic:pic", &[("xmlns:pic", PIC)])?;
    x.start("pic:nvPicPr", &[])?;
    x.empty(
        "pic:cNvPr",
        &[("id", &id), ("name", &file), ("descr", &image.alt_text)],
    )?;
    x.start("pic:cNvPicPr", &[])?;
    x.empty("a:picLocks", &[("noChangeAspect", "1")])?;
    x.end("pic:cNvPicPr")?;
    x.end("pic:nvPicPr")?;
    x.start("pic:blipFill", &[])?;
    x.empty("a:blip", &[("r:embed", &embed)])?;
    x.start("a:stretch", &[])?;
    x.empty("a:fillRect", &[])?;
    x.end("a:stretch")?;
    x.end("pic:blipFill")?;
    x.start("pic:spPr", &[])?;
    x.start("a:xfrm", &[])?;
    x.empty("a:off", &[("x", "0"), ("y", "0")])?;
    x.empty("a:ext", &[("cx", &cx), ("cy", &cy)])?;
    x.end("a:xfrm")?;
    x.start("a:prstGeom", &[("prst", "rect")])?;
    x.empty("a:avLst", &[])?;
    x.end("a:prstGeom")?;
    x.end("pic:spPr")?;
    x.end("pic:pic")?;
    x.end("a:graphicData")?;
    x.end("a:graphic")?;
    x.end("wp:inline")?;
    x.end("w:drawing")
}
