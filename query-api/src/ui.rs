//! The history viewer at `/ui/`: a small Preact application built by `ui/build` into
//! `ui/dist` and embedded in the binary (nothing is fetched from elsewhere at run time).
//! The files are public; everything the viewer shows comes from the API with the
//! user's own credentials. Served with a Content-Security-Policy that allows only the
//! viewer's own script, style and API calls.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

const INDEX: &str = include_str!("../../ui/dist/index.html");
const APP: &str = include_str!("../../ui/dist/app.js");
const STYLE: &str = include_str!("../../ui/dist/style.css");

/// The viewer's policy: its own script and style, calls to its own origin, pictures from
/// itself or `blob:` (downloads), no frames, no plugins, no forms posting elsewhere.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Registers `/ui`, `/ui/`, `/ui/app.js` and `/ui/style.css`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/ui", web::get().to(redirect))
        .route(
            "/ui/",
            web::get().to(|| file(INDEX, "text/html; charset=utf-8")),
        )
        .route(
            "/ui/app.js",
            web::get().to(|| file(APP, "text/javascript; charset=utf-8")),
        )
        .route(
            "/ui/style.css",
            web::get().to(|| file(STYLE, "text/css; charset=utf-8")),
        );
}

async fn redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/ui/"))
        .finish()
}

async fn file(body: &'static str, content_type: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(body)
}
