//! A small browser for the HTML pages: a cookie jar, the form token of the last page, and
//! requests through the real app (`portqueue::configure`) on the test database.

use std::collections::BTreeMap;

use actix_web::http::{StatusCode, header};
use actix_web::test::{self, TestRequest};

use super::{PASSWORD, TestApp};

/// One answer, read whole.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    /// `Location`, for redirects.
    pub location: Option<String>,
    pub content_type: String,
    /// Raw `Set-Cookie` headers.
    pub set_cookies: Vec<String>,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Page {
    /// The value of the first hidden `csrf` field on the page.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self
            .body
            .find(marker)
            .unwrap_or_else(|| panic!("no csrf field on the page:\n{}", self.body))
            + marker.len();
        let end = self.body[start..].find('"').expect("end of csrf value");
        self.body[start..start + end].to_owned()
    }

    /// The text of the element with this id (`id="x">TEXT<`), tags inside stripped.
    pub fn element_text(&self, id: &str) -> Option<String> {
        let marker = format!("id=\"{id}\"");
        let at = self.body.find(&marker)?;
        let open_end = at + self.body[at..].find('>')? + 1;
        let tag_start = self.body[..at].rfind('<')?;
        let tag: String = self.body[tag_start + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let close = self.body[open_end..].find(&format!("</{tag}>"))?;
        let inner = &self.body[open_end..open_end + close];
        let mut text = String::new();
        let mut in_tag = false;
        for c in inner.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        Some(unescape(
            &text.split_whitespace().collect::<Vec<_>>().join(" "),
        ))
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A browser with its own cookies.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub cookies: BTreeMap<String, String>,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Browser {
            app,
            cookies: BTreeMap::new(),
        }
    }

    /// Sends a request through the whole app and keeps the cookies it sets.
    pub async fn send(&mut self, mut req: TestRequest) -> Page {
        if !self.cookies.is_empty() {
            let jar = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            req = req.insert_header((header::COOKIE, jar));
        }
        let service = test::init_service(portqueue::app(self.app.state.clone())).await;
        let response = test::call_service(&service, req.to_request()).await;
        let status = response.status();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_owned()))
            .collect();
        let set_cookies: Vec<String> = response
            .headers()
            .get_all(header::SET_COOKIE)
            .map(|v| v.to_str().unwrap_or_default().to_owned())
            .collect();
        for raw in &set_cookies {
            let pair = raw.split(';').next().unwrap_or_default();
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let removed = value.is_empty() || raw.to_ascii_lowercase().contains("max-age=0");
            if removed {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap_or_default().to_owned());
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap_or_default().to_owned())
            .unwrap_or_default();
        let body = String::from_utf8_lossy(&test::read_body(response).await).into_owned();
        Page {
            status,
            location,
            content_type,
            set_cookies,
            headers,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        self.send(TestRequest::get().uri(path)).await
    }

    /// Posts a form (`application/x-www-form-urlencoded`); names may repeat.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.send(
            TestRequest::post()
                .uri(path)
                .insert_header((header::CONTENT_TYPE, "application/x-www-form-urlencoded"))
                .set_payload(body),
        )
        .await
    }

    /// Posts a multipart form: text fields, then one file.
    pub async fn post_file(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file_field: &str,
        file_name: &str,
        data: &[u8],
    ) -> Page {
        const BOUNDARY: &str = "----portqueue-test-boundary";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{file_field}\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        self.send(
            TestRequest::post()
                .uri(path)
                .insert_header((
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                ))
                .set_payload(body),
        )
        .await
    }

    /// Opens the sign-in page and signs in; returns the answer to the sign-in form.
    pub async fn sign_in_with(&mut self, username: &str, password: &str) -> Page {
        let form = self.get("/login").await;
        assert_eq!(form.status, StatusCode::OK, "sign-in page: {}", form.body);
        let csrf = form.csrf();
        self.post(
            "/login",
            &[
                ("csrf", &csrf),
                ("username", username),
                ("password", password),
            ],
        )
        .await
    }

    /// Signs in with the test password; panics unless it worked.
    pub async fn sign_in(&mut self, username: &str) -> Page {
        let page = self.sign_in_with(username, PASSWORD).await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "sign-in failed: {}",
            page.body
        );
        page
    }

    /// Submits a form as a person would: opens `page`, then posts `fields` to `action` with
    /// the page's form token.
    pub async fn submit(&mut self, page: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.csrf_from(page).await;
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(action, &all).await
    }

    /// The form token of a page that shows a form (e.g. the sign-out button on any page).
    pub async fn csrf_from(&mut self, path: &str) -> String {
        let page = self.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        page.csrf()
    }
}

/// Undoes the HTML escaping of text, for comparing with what was typed.
pub fn unescape(text: &str) -> String {
    [
        ("&#34;", "\""),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&#60;", "<"),
        ("&lt;", "<"),
        ("&#62;", ">"),
        ("&gt;", ">"),
        ("&#38;", "&"),
        ("&amp;", "&"),
    ]
    .iter()
    .fold(text.to_owned(), |t, (from, to)| t.replace(from, to))
}

/// Percent-encodes a form value.
pub fn encode(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(byte));
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}
