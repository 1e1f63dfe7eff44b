//! The stylesheet, the script and the pictograms, embedded in the binary so that a port's
//! kiosk needs nothing but the one program (no CDN, no files to deploy beside it).

use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use sha2::{Digest, Sha256};

use super::web_error::WebResult;
use crate::error::AppError;

/// One embedded file.
struct Asset {
    path: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const SVG: &str = "image/svg+xml";

/// The kiosk stylesheet, also inlined in the standalone report document.
pub const APP_CSS: &str = include_str!("../../static/app.css");
/// The reports' stylesheet (screen and print), also inlined in the standalone report.
pub const REPORT_CSS: &str = include_str!("../../static/report.css");

/// Every file served under `/static/`. The pictograms are the ticket's five, drawn for this
/// project (`static/pictograms/README.md`); their names are those of
/// `portqueue_core::tickets::pictograms`.
const ASSETS: &[Asset] = &[
    Asset {
        path: "app.css",
        content_type: "text/css; charset=utf-8",
        body: APP_CSS.as_bytes(),
    },
    Asset {
        path: "report.css",
        content_type: "text/css; charset=utf-8",
        body: REPORT_CSS.as_bytes(),
    },
    Asset {
        path: "app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../static/app.js"),
    },
    Asset {
        path: "ticket.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../../static/ticket.css"),
    },
    Asset {
        path: "ticket.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../static/ticket.js"),
    },
    Asset {
        path: "public.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../../static/public.css"),
    },
    Asset {
        path: "listen.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../static/listen.js"),
    },
    Asset {
        path: "pictograms/speaker.svg",
        content_type: SVG,
        body: include_bytes!("../../static/pictograms/speaker.svg"),
    },
    Asset {
        path: "board.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../static/board.js"),
    },
    Asset {
        path: "pictograms/wait-here.svg",
        content_type: SVG,
        body: include_bytes!("../../static/pictograms/wait-here.svg"),
    },
    Asset {
        path: "pictograms/watch-board.svg",
        content_type: SVG,
        body: include_bytes!("../../static/pictograms/watch-board.svg"),
    },
    Asset {
        path: "pictograms/go-to-counter.svg",
        content_type: SVG,
        body: include_bytes!("../../static/pictograms/go-to-counter.svg"),
    },
    Asset {
        path: "pictograms/keep-ticket.svg",
        content_type: SVG,
        body: include_bytes!("../../static/pictograms/keep-ticket.svg"),
    },
    Asset {
        path: "pictograms/ask-officer.svg",
        content_type: SVG,
        body: include_bytes!("../../static/pictograms/ask-officer.svg"),
    },
];

/// A short hash of every embedded file. Pages put it in asset URLs (`?v=`), so the files can
/// be cached for a long time and a new build is still fetched at once.
pub fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let mut hash = Sha256::new();
        for asset in ASSETS {
            hash.update(asset.path.as_bytes());
            hash.update(asset.body);
        }
        hex::encode(&hash.finalize()[..6])
    })
}

/// `GET /static/{file}`.
pub async fn serve(file: web::Path<String>) -> WebResult<HttpResponse> {
    match ASSETS.iter().find(|a| a.path == file.as_str()) {
        Some(asset) => Ok(HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, asset.content_type))
            .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .body(asset.body)),
        None => Err(AppError::NotFound(format!("there is no file /static/{file}")).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn the_report_stylesheet_is_served_and_an_unknown_file_is_a_404() {
        let css = serve(web::Path::from("report.css".to_owned()))
            .await
            .unwrap();
        assert_eq!(css.status(), actix_web::http::StatusCode::OK);
        let missing = serve(web::Path::from("nope.css".to_owned()))
            .await
            .unwrap_err();
        assert_eq!(
            actix_web::ResponseError::status_code(&missing),
            actix_web::http::StatusCode::NOT_FOUND
        );
        assert!(REPORT_CSS.contains("@media print"));
    }

    #[test]
    fn every_ticket_pictogram_is_embedded() {
        for p in portqueue_core::tickets::pictograms::Pictogram::ALL {
            let path = format!("pictograms/{}", p.file_name());
            assert!(
                ASSETS.iter().any(|a| a.path == path),
                "{path} is not served"
            );
        }
        assert_eq!(version().len(), 12);
    }

    #[test]
    fn the_speaker_keeps_the_pictograms_rules() {
        let svg = include_str!("../../static/pictograms/speaker.svg");
        assert!(svg.contains(r#"viewBox="0 0 64 64""#) && svg.contains("<title>Listen</title>"));
        for forbidden in ["<text", "href", "<image", "<script", "style="] {
            assert!(!svg.contains(forbidden), "{forbidden}");
        }
        for attribute in ["fill=\"", "stroke=\""] {
            for part in svg.split(attribute).skip(1) {
                let colour = part.split('"').next().unwrap();
                assert!(["#000", "#fff", "none"].contains(&colour), "{colour}");
            }
        }
        for part in svg.split("stroke-width=\"").skip(1) {
            let width: f64 = part.split('"').next().unwrap().parse().unwrap();
            assert!(width >= 3.0, "stroke {width}");
        }
    }
}
