//! The QR code on the HTML ticket, linking to the ticket's public status page.
//!
//! The printed (ESC/POS) ticket does not use this: there the printer draws the code itself
//! from the URL (see [`super::escpos`]), which is sharper and far fewer bytes.

use qrcode::render::svg;
use qrcode::types::QrError;
use qrcode::{EcLevel, QrCode};

/// Error correction M (15 %): survives a crease or a smudge on thermal paper, and keeps the
/// code small enough to scan from a phone held at arm's length. The printer uses the same.
pub const ERROR_CORRECTION: EcLevel = EcLevel::M;

/// An inline SVG of the QR code for `url`: black modules on white, with the four-module quiet
/// zone the standard requires (phones fail to find codes printed edge to edge), `role="img"`
/// and an `aria-label` naming the link.
///
/// Fails only when `url` is too long for any QR code (about 2,300 bytes at level M).
pub fn qr_svg(url: &str) -> Result<String, QrError> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), ERROR_CORRECTION)?;
    let image = code
        .render::<svg::Color<'_>>()
        .quiet_zone(true)
        .dark_color(svg::Color("#000"))
        .light_color(svg::Color("#fff"))
        .build();
    // The renderer writes a standalone document; inside HTML the XML declaration is noise and
    // the root needs its accessible name.
    let start = image.find("<svg").unwrap_or(0);
    let label = format!("QR code: {}", escape_attribute(url));
    Ok(image[start..].replacen(
        "<svg ",
        &format!(r#"<svg role="img" aria-label="{label}" "#),
        1,
    ))
}

/// Escapes text for a double-quoted XML attribute.
fn escape_attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://queue.example.org/t/8f3a9c2e?lang=spa&x=1";

    #[test]
    fn svg_is_inline_accessible_and_black_on_white() {
        let svg = qr_svg(URL).unwrap();
        assert!(svg.starts_with(r#"<svg role="img" aria-label="QR code: https://queue.example.org/t/8f3a9c2e?lang=spa&amp;x=1" "#), "{svg}");
        assert!(!svg.contains("<?xml"));
        assert!(svg.contains(r##"fill="#000""##) && svg.contains(r##"fill="#fff""##));
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn svg_has_a_quiet_zone_of_four_modules() {
        let svg = qr_svg(URL).unwrap();
        let code = QrCode::with_error_correction_level(URL, ERROR_CORRECTION).unwrap();
        // The default module is 8 px: the image is (modules + 2 × 4) × 8 wide, and the first
        // dark module (the finder pattern's corner) starts 4 modules in.
        let side = (code.width() + 8) * 8;
        assert!(
            svg.contains(&format!(r#"viewBox="0 0 {side} {side}""#)),
            "{svg}"
        );
        assert!(svg.contains(r#"d="M32 32"#), "{svg}");
    }

    #[test]
    fn different_urls_give_different_codes() {
        assert_ne!(
            qr_svg("https://a.example/t/1").unwrap(),
            qr_svg("https://a.example/t/2").unwrap()
        );
    }

    #[test]
    fn an_impossibly_long_url_is_an_error_not_a_panic() {
        assert!(qr_svg(&"x".repeat(5000)).is_err());
    }
}
