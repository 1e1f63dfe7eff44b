//! The ticket pictograms (`static/pictograms/`) are what an applicant who reads nothing we
//! print goes by: every instruction has one, and each stays bold and wordless.

use portqueue_core::tickets::Pictogram;
use std::path::PathBuf;

fn svg(pictogram: Pictogram) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../static/pictograms")
        .join(pictogram.file_name());
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_instruction_has_a_pictogram_with_its_english_title() {
    for pictogram in Pictogram::ALL {
        let svg = svg(pictogram);
        assert!(
            svg.contains(r#"viewBox="0 0 64 64""#),
            "{}",
            pictogram.name()
        );
        assert!(
            svg.contains(&format!(">{}</title>", pictogram.title())),
            "{}",
            pictogram.name()
        );
    }
}

#[test]
fn pictograms_have_no_words_and_no_outside_references() {
    for pictogram in Pictogram::ALL {
        let svg = svg(pictogram);
        for forbidden in ["<text", "href", "<image", "<script", "style="] {
            assert!(
                !svg.contains(forbidden),
                "{} has {forbidden}",
                pictogram.name()
            );
        }
    }
}

#[test]
fn pictograms_are_black_on_white_with_bold_strokes() {
    for pictogram in Pictogram::ALL {
        let svg = svg(pictogram);
        for attribute in ["fill=\"", "stroke=\""] {
            for part in svg.split(attribute).skip(1) {
                let colour = part.split('"').next().unwrap();
                assert!(
                    ["#000", "#fff", "none"].contains(&colour),
                    "{} uses {attribute}{colour}",
                    pictogram.name()
                );
            }
        }
        let mut widths = 0;
        for part in svg.split("stroke-width=\"").skip(1) {
            let width: f64 = part.split('"').next().unwrap().parse().unwrap();
            assert!(width >= 3.0, "{}: stroke {width}", pictogram.name());
            widths += 1;
        }
        assert!(widths > 0, "{} sets no stroke width", pictogram.name());
    }
}
