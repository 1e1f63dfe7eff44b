//! The text-message gateway and its worker: a generic JSON `POST` to the deployment's SMS
//! gateway (a provider's HTTP API, or a self-hosted Android or GSM-modem gateway), sent from
//! a thread of its own, never from a request. What is sent and when is decided in
//! [`crate::service::sms`]; this module only delivers the queue.
//!
//! The request: `POST <url>` with `Authorization: Bearer <secret>`, `Content-Type:
//! application/json`, `Idempotency-Key: portqueue-<port instance>-<message id>-<made at, µs>`, and the body made from the
//! template by replacing `{{to}}`, `{{text}}` and `{{id}}` with JSON strings. The default
//! template is `{"to": {{to}}, "text": {{text}}}`.
//!
//! Both `http://` and `https://` are spoken. TLS is rustls (with the ring provider, no system
//! OpenSSL); the gateway's certificate is checked against the public (Mozilla) roots compiled
//! in, or — with `PORTQUEUE_SMS_GATEWAY_CA` — against the CA certificates of that PEM file only
//! (a self-hosted gateway on the port's network with a private CA or a self-signed
//! certificate). Nothing is fetched at run time. TLS 1.3 early data is never used, so a
//! request cannot be replayed by the network.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore};

use crate::clock::Clock;
use crate::db::DbPool;
use crate::service::sms::{self as messages, Claimed, Outcome};

/// The default body template.
pub const DEFAULT_TEMPLATE: &str = r#"{"to": {{to}}, "text": {{text}}}"#;

/// The gateway settings from the command line or the environment.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ServeSms {
    /// The SMS gateway's URL (`https://host:port/path` or `http://…`). Without it no text
    /// messages are sent and the phone field is hidden.
    #[arg(long, env = "PORTQUEUE_SMS_GATEWAY_URL")]
    pub sms_gateway_url: Option<String>,
    /// The bearer secret the gateway asks for.
    #[arg(long, env = "PORTQUEUE_SMS_GATEWAY_SECRET", hide_env_values = true)]
    pub sms_gateway_secret: Option<String>,
    /// The JSON body, with `{{to}}`, `{{text}}` and `{{id}}` where the values go.
    #[arg(long, env = "PORTQUEUE_SMS_GATEWAY_TEMPLATE")]
    pub sms_gateway_template: Option<String>,
    /// Seconds to wait for the gateway's answer before a message's fate counts as unknown.
    #[arg(long, env = "PORTQUEUE_SMS_GATEWAY_TIMEOUT", default_value_t = 10)]
    pub sms_gateway_timeout: u64,
    /// A PEM file of CA certificates (or the gateway's own self-signed certificate): an
    /// `https://` gateway's certificate is then checked against these only, not the public
    /// roots.
    #[arg(long, env = "PORTQUEUE_SMS_GATEWAY_CA")]
    pub sms_gateway_ca: Option<PathBuf>,
}

impl ServeSms {
    /// The checked gateway, or `None` when no URL is set.
    pub fn gateway(&self) -> Result<Option<Gateway>, String> {
        let Some(url) = self
            .sms_gateway_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        else {
            return Ok(None);
        };
        let secret = self
            .sms_gateway_secret
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or("SMS gateway: set its bearer secret (PORTQUEUE_SMS_GATEWAY_SECRET)")?;
        if !(1..=120).contains(&self.sms_gateway_timeout) {
            return Err("SMS gateway timeout: use 1 to 120 seconds".into());
        }
        let mut gateway = Gateway::new(
            url,
            secret,
            self.sms_gateway_template
                .as_deref()
                .filter(|t| !t.trim().is_empty())
                .unwrap_or(DEFAULT_TEMPLATE),
        )?;
        gateway.timeout = Duration::from_secs(self.sms_gateway_timeout);
        if let Some(path) = self
            .sms_gateway_ca
            .as_ref()
            .filter(|p| !p.as_os_str().is_empty())
        {
            let pem = std::fs::read(path).map_err(|e| {
                format!(
                    "SMS gateway CA (PORTQUEUE_SMS_GATEWAY_CA) `{}`: cannot read it: {e}",
                    path.display()
                )
            })?;
            gateway = gateway.trust_only(&pem).map_err(|e| {
                format!(
                    "SMS gateway CA (PORTQUEUE_SMS_GATEWAY_CA) `{}`: {e}",
                    path.display()
                )
            })?;
        }
        Ok(Some(gateway))
    }
}

/// Where and how messages are posted.
#[derive(Debug, Clone)]
pub struct Gateway {
    host: String,
    port: u16,
    path: String,
    /// `Some` for an `https://` gateway.
    tls: Option<Tls>,
    secret: String,
    template: String,
    /// How long to wait to connect, and for the answer.
    pub timeout: Duration,
    /// The first wait before a message the gateway did not take is tried again; each next
    /// wait doubles, up to [`Gateway::retry_max`].
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// How often the worker looks for due messages.
    pub poll: Duration,
}

/// How an `https://` gateway is checked.
#[derive(Debug, Clone)]
struct Tls {
    config: Arc<ClientConfig>,
    name: ServerName<'static>,
}

/// A TLS client configuration trusting `roots`, and also accepting a server certificate
/// identical to one of `pinned`: rustls's safe defaults (TLS 1.2 and 1.3), the ring
/// provider, no client certificate, no early data.
fn client_config(
    roots: RootCertStore,
    pinned: Vec<CertificateDer<'static>>,
) -> Result<Arc<ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| format!("TLS: {e}"))?;
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Verifier { pinned, chain }))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The gateway's certificate is trusted when it chains to a root (webpki: names, dates, key
/// usage, CA constraints), or when it is byte for byte one of the certificates the operator
/// put in the CA file and names the URL's host. The second is for a self-hosted gateway's
/// own self-signed certificate: `openssl req -x509` and many gateway apps mark those as CA
/// certificates, which webpki refuses as a server's own certificate. Either way the server
/// must prove it holds the certificate's key (the handshake signature is always checked).
#[derive(Debug)]
struct Verifier {
    pinned: Vec<CertificateDer<'static>>,
    chain: Arc<WebPkiServerVerifier>,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self
            .pinned
            .iter()
            .any(|c| c.as_ref() == end_entity.as_ref())
        {
            let parsed = ParsedCertificate::try_from(end_entity)?;
            rustls::client::verify_server_name(&parsed, server_name)?;
            return Ok(ServerCertVerified::assertion());
        }
        self.chain
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.chain.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.chain.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.chain.supported_verify_schemes()
    }
}

/// Fills the template: each placeholder becomes a JSON string.
fn fill(template: &str, to: &str, text: &str, id: &str) -> String {
    let json = |s: &str| serde_json::Value::from(s).to_string();
    template
        .replace("{{to}}", &json(to))
        .replace("{{text}}", &json(text))
        .replace("{{id}}", &json(id))
}

impl Gateway {
    /// Checks the URL and the template (which must give JSON naming `{{to}}` and `{{text}}`).
    /// An `https://` gateway's certificate is checked against the public roots compiled in
    /// (see [`Gateway::trust_only`] for a private CA).
    pub fn new(url: &str, secret: &str, template: &str) -> Result<Gateway, String> {
        let (scheme, rest) = url.split_once("://").ok_or_else(|| {
            format!("SMS gateway URL `{url}`: use https://host:port/path or http://host:port/path")
        })?;
        let (https, default_port) = match scheme.to_ascii_lowercase().as_str() {
            "http" => (false, 80),
            "https" => (true, 443),
            _ => {
                return Err(format!(
                    "SMS gateway URL `{url}`: `{scheme}://` is not spoken; use https://host:port/path or http://host:port/path"
                ));
            }
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => (
                h,
                p.parse::<u16>()
                    .map_err(|_| format!("SMS gateway URL `{url}`: `{p}` is not a port"))?,
            ),
            _ => (authority, default_port),
        };
        if host.is_empty() || host.contains('@') {
            return Err(format!("SMS gateway URL `{url}`: name a host"));
        }
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let tls = if https {
            let name = ServerName::try_from(host.to_string()).map_err(|_| {
                format!("SMS gateway URL `{url}`: `{host}` is not a host name or an IP address")
            })?;
            let roots = RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            Some(Tls {
                config: client_config(roots, Vec::new())?,
                name,
            })
        } else {
            None
        };
        if !template.contains("{{to}}") || !template.contains("{{text}}") {
            return Err("SMS gateway template: it must contain {{to}} and {{text}}".into());
        }
        if serde_json::from_str::<serde_json::Value>(&fill(template, "+1", "x", "1")).is_err() {
            return Err(
                "SMS gateway template: it is not JSON once {{to}}, {{text}} and {{id}} are filled in (they become quoted strings)"
                    .into(),
            );
        }
        if secret.chars().any(|c| c.is_control()) {
            return Err("SMS gateway secret: it contains a control character".into());
        }
        Ok(Gateway {
            host: host.into(),
            port,
            path: path.into(),
            tls,
            secret: secret.into(),
            template: template.into(),
            timeout: Duration::from_secs(10),
            retry_base: Duration::from_secs(30),
            retry_max: Duration::from_secs(30 * 60),
            poll: Duration::from_secs(1),
        })
    }

    /// Checks an `https://` gateway's certificate against the certificates of this PEM text
    /// only, instead of the public roots: CA certificates the gateway's certificate chains to,
    /// or the gateway's own certificate itself (see [`Verifier`]). An error for a plain
    /// `http://` gateway, or PEM text with no usable certificate.
    pub fn trust_only(mut self, pem: &[u8]) -> Result<Gateway, String> {
        let Some(tls) = self.tls.as_mut() else {
            return Err("a CA is only used with an https:// gateway URL".into());
        };
        let mut roots = RootCertStore::empty();
        let mut pinned = Vec::new();
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| format!("not PEM certificates: {e}"))?;
            roots
                .add(cert.clone())
                .map_err(|e| format!("a certificate in it cannot be used: {e}"))?;
            pinned.push(cert);
        }
        if roots.is_empty() {
            return Err("no certificate in it (expected -----BEGIN CERTIFICATE-----)".into());
        }
        tls.config = client_config(roots, pinned)?;
        Ok(self)
    }

    /// Whether the gateway is reached over TLS.
    pub fn is_https(&self) -> bool {
        self.tls.is_some()
    }

    /// The wait before try number `attempts + 1`.
    pub fn backoff(&self, attempts: i32) -> Duration {
        let doubling = u32::try_from(attempts.saturating_sub(1).clamp(0, 16)).unwrap_or(0);
        self.retry_base
            .saturating_mul(2u32.saturating_pow(doubling))
            .min(self.retry_max)
    }

    /// Posts one message and says what became of it.
    pub fn send(&self, key: &str, to: &str, text: &str) -> Outcome {
        let body = fill(&self.template, to, text, key);
        let host_header = if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        };
        let request = format!(
            "POST {} HTTP/1.1\r\nHost: {host_header}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nIdempotency-Key: {key}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.path,
            self.secret,
            body.len()
        );
        // Until the whole request is written the gateway cannot have taken the message.
        let addrs = match (self.host.as_str(), self.port).to_socket_addrs() {
            Ok(a) => a.collect::<Vec<_>>(),
            Err(e) => return Outcome::NotTaken(format!("cannot resolve the gateway: {e}")),
        };
        let mut stream = None;
        let mut last = String::from("no address");
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, self.timeout) {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(e) => last = e.to_string(),
            }
        }
        let Some(mut tcp) = stream else {
            return Outcome::NotTaken(format!("cannot reach the gateway: {last}"));
        };
        let _ = tcp.set_read_timeout(Some(self.timeout));
        let _ = tcp.set_write_timeout(Some(self.timeout));
        let answer = match &self.tls {
            None => exchange(&mut tcp, request.as_bytes(), self.timeout),
            Some(tls) => {
                let mut conn = match ClientConnection::new(tls.config.clone(), tls.name.clone()) {
                    Ok(c) => c,
                    Err(e) => return Outcome::NotTaken(format!("TLS: {e}")),
                };
                if let Err(outcome) = handshake(&mut conn, &mut tcp, self.timeout) {
                    return outcome;
                }
                exchange(
                    &mut rustls::Stream::new(&mut conn, &mut tcp),
                    request.as_bytes(),
                    self.timeout,
                )
            }
        };
        let answer = match answer {
            Ok(a) => a,
            Err(outcome) => return outcome,
        };
        let line = String::from_utf8_lossy(&answer);
        let line = line.lines().next().unwrap_or("");
        let code = line
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse::<u16>().ok());
        match code {
            Some(200..=299) => Outcome::Sent,
            Some(c @ (408 | 429 | 500..=599)) => {
                Outcome::NotTaken(format!("the gateway answered {c}"))
            }
            Some(c) => Outcome::Refused(format!("the gateway answered {c}")),
            None if answer.is_empty() => {
                Outcome::Unknown("the gateway closed the connection without answering".into())
            }
            None => Outcome::Unknown(format!(
                "the gateway's answer is not HTTP: {:?}",
                line.chars().take(60).collect::<String>()
            )),
        }
    }
}

/// The TLS handshake, before any byte of the request: whatever goes wrong here, the gateway
/// cannot have taken the message. A certificate that is not trusted fails the message at once
/// (trying again would meet the same certificate; and it may not be the gateway at all);
/// anything else (no answer in time, the connection cut, a protocol error) is tried again.
fn handshake(
    conn: &mut ClientConnection,
    tcp: &mut TcpStream,
    timeout: Duration,
) -> Result<(), Outcome> {
    let deadline = Instant::now() + timeout;
    let late = || {
        Outcome::NotTaken(format!(
            "TLS: the gateway did not finish the handshake within {} s",
            timeout.as_secs()
        ))
    };
    while conn.is_handshaking() {
        if Instant::now() > deadline {
            return Err(late());
        }
        if conn.wants_write() {
            if let Err(e) = conn.write_tls(tcp) {
                return Err(if is_timeout(&e) {
                    late()
                } else {
                    Outcome::NotTaken(format!("TLS: the handshake did not go out: {e}"))
                });
            }
            continue;
        }
        match conn.read_tls(tcp) {
            Ok(0) => {
                return Err(Outcome::NotTaken(
                    "TLS: the gateway closed the connection during the handshake".into(),
                ));
            }
            Ok(_) => {}
            Err(e) if is_timeout(&e) => return Err(late()),
            Err(e) => {
                return Err(Outcome::NotTaken(format!(
                    "TLS: the connection broke during the handshake: {e}"
                )));
            }
        }
        if let Err(e) = conn.process_new_packets() {
            // Tell the gateway why (best effort): the alert rustls queued.
            let _ = conn.write_tls(tcp);
            return Err(match e {
                rustls::Error::InvalidCertificate(_) => Outcome::Refused(format!(
                    "TLS: the gateway's certificate is not trusted, so nothing was sent ({e})"
                )),
                e => Outcome::NotTaken(format!("TLS: the handshake failed: {e}")),
            });
        }
    }
    Ok(())
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

/// Writes the request and reads the answer's first line (or up to 16 KiB), over plain TCP or
/// TLS alike. The request not going out is [`Outcome::NotTaken`]; once it went out, no answer
/// in time or a broken connection is [`Outcome::Unknown`].
fn exchange<S: Read + Write>(
    stream: &mut S,
    request: &[u8],
    timeout: Duration,
) -> Result<Vec<u8>, Outcome> {
    if let Err(e) = stream.write_all(request).and_then(|()| stream.flush()) {
        return Err(Outcome::NotTaken(format!(
            "the request did not go out: {e}"
        )));
    }
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + timeout;
    let late = || {
        Outcome::Unknown(format!(
            "no answer from the gateway within {} s",
            timeout.as_secs()
        ))
    };
    loop {
        if Instant::now() > deadline {
            return Err(late());
        }
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                answer.extend_from_slice(&buf[..n]);
                // The status line is all we need.
                if answer.windows(2).any(|w| w == b"\r\n") || answer.len() > 16 * 1024 {
                    break;
                }
            }
            Err(e) if is_timeout(&e) => return Err(late()),
            // TLS cut without a close_notify: the same as a plain connection closed.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && answer.is_empty() => {
                return Err(Outcome::Unknown(
                    "the gateway closed the connection without answering".into(),
                ));
            }
            Err(e) => {
                return Err(Outcome::Unknown(format!(
                    "the connection broke before the gateway answered: {e}"
                )));
            }
        }
    }
    Ok(answer)
}

/// The worker's handle: stopping it lets the thread end after its current message.
#[derive(Debug, Clone, Default)]
pub struct Worker {
    stop: Arc<AtomicBool>,
}

impl Worker {
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// One round: [`housekeeping`], then [`send_due`]. Returns how many messages it tried.
pub fn run_once(gateway: &Gateway, pool: &DbPool, clock: &dyn Clock) -> Result<usize, String> {
    housekeeping(pool, clock)?;
    send_due(gateway, pool, clock)
}

/// Ends what was interrupted past its lease, and erases numbers past their time. It writes,
/// so the worker does it once a minute, not at every look for due messages.
pub fn housekeeping(pool: &DbPool, clock: &dyn Clock) -> Result<(), String> {
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let now = clock.now();
    let interrupted = messages::recover_interrupted(&mut conn, now).map_err(|e| e.to_string())?;
    if interrupted > 0 {
        log::warn!(
            "{interrupted} text messages were interrupted while sending: marked failed, not sent again"
        );
    }
    messages::erase_closed(&mut conn, None, now).map_err(|e| e.to_string())?;
    Ok(())
}

/// Sends what is due, one message at a time. Returns how many it tried.
pub fn send_due(gateway: &Gateway, pool: &DbPool, clock: &dyn Clock) -> Result<usize, String> {
    // The lease covers the connect and the answer, with room to spare.
    let lease = chrono::Duration::from_std(gateway.timeout * 3 + Duration::from_secs(5))
        .unwrap_or(chrono::Duration::minutes(1));
    // One message is claimed at a time, right before it is sent: a lease covers only the
    // message in flight, so a worker that outlives its lease has nothing else in hand.
    let mut tried = 0;
    while tried < 20 {
        let now = clock.now();
        let claimed: Vec<Claimed> = {
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            messages::claim_due(&mut conn, now, now + lease, 1).map_err(|e| e.to_string())?
        };
        // No connection is held while the gateway thinks.
        let Some(message) = claimed.first() else {
            break;
        };
        tried += 1;
        let outcome = gateway.send(&message.key, &message.phone, &message.body);
        if !matches!(outcome, Outcome::Sent) {
            log::warn!("text message {}: {outcome:?}", message.id);
        }
        let now = clock.now();
        let retry_at = now
            + chrono::Duration::from_std(gateway.backoff(message.attempts))
                .unwrap_or(chrono::Duration::minutes(1));
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        messages::finish(&mut conn, message, &outcome, retry_at, now).map_err(|e| e.to_string())?;
    }
    Ok(tried)
}

/// Starts the worker on its own thread, for the life of the server (or until stopped).
pub fn spawn(gateway: Gateway, pool: DbPool, clock: Arc<dyn Clock>) -> Worker {
    let worker = Worker::default();
    let stop = Arc::clone(&worker.stop);
    let spawned = std::thread::Builder::new()
        .name("sms-gateway".into())
        .spawn(move || {
            let mut last_housekeeping: Option<std::time::Instant> = None;
            while !stop.load(Ordering::SeqCst) {
                if last_housekeeping.is_none_or(|t| t.elapsed() >= Duration::from_secs(60)) {
                    if let Err(e) = housekeeping(&pool, clock.as_ref()) {
                        log::error!("text messages: {e} (tried again shortly)");
                    }
                    last_housekeeping = Some(std::time::Instant::now());
                }
                match send_due(&gateway, &pool, clock.as_ref()) {
                    // More may be due at once: go on without waiting.
                    Ok(n) if n > 0 => continue,
                    Ok(_) => {}
                    Err(e) => log::error!("text messages: {e} (tried again shortly)"),
                }
                std::thread::sleep(gateway.poll);
            }
        });
    if let Err(e) = spawned {
        log::error!("cannot start the text-message worker: {e}");
    }
    worker
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_and_template_are_checked() {
        assert!(Gateway::new("http://127.0.0.1:9/send", "s", DEFAULT_TEMPLATE).is_ok());
        let g = Gateway::new("https://sms.example/send", "s", DEFAULT_TEMPLATE).unwrap();
        assert!(g.is_https());
        assert_eq!((g.host.as_str(), g.port), ("sms.example", 443));
        let g = Gateway::new("HTTPS://[::1]:8443/send", "s", DEFAULT_TEMPLATE).unwrap();
        assert_eq!((g.host.as_str(), g.port, g.is_https()), ("::1", 8443, true));
        assert!(
            !Gateway::new("http://h/", "s", DEFAULT_TEMPLATE)
                .unwrap()
                .is_https()
        );
        for url in ["ftp://h/", "smtp://h/", "h:80/send", "//h/"] {
            let e = Gateway::new(url, "s", DEFAULT_TEMPLATE).unwrap_err();
            assert!(e.contains("https://host:port/path"), "{url}: {e}");
        }
        assert!(Gateway::new("http://h:x/", "s", DEFAULT_TEMPLATE).is_err());
        assert!(Gateway::new("http://h/", "s", r#"{"to": {{to}}}"#).is_err());
        assert!(Gateway::new("http://h/", "s", r#"{"to": "{{to}}", "t": {{text}}}"#).is_err());
        let g = Gateway::new("http://gw.local/api", "s", DEFAULT_TEMPLATE).unwrap();
        assert_eq!(
            (g.host.as_str(), g.port, g.path.as_str()),
            ("gw.local", 80, "/api")
        );
    }

    #[test]
    fn a_ca_file_is_checked() {
        let https = Gateway::new("https://h/", "s", DEFAULT_TEMPLATE).unwrap();
        let http = Gateway::new("http://h/", "s", DEFAULT_TEMPLATE).unwrap();
        assert!(
            https
                .clone()
                .trust_only(b"")
                .unwrap_err()
                .contains("no certificate")
        );
        assert!(https.clone().trust_only(b"not pem at all").is_err());
        let garbage = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(https.trust_only(garbage).is_err());
        assert!(http.trust_only(garbage).unwrap_err().contains("https://"));
    }

    #[test]
    fn the_template_gets_json_strings() {
        let body = fill(DEFAULT_TEMPLATE, "+521", "say \"hi\"\n", "k");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["text"], "say \"hi\"\n");
        assert_eq!(v["to"], "+521");
    }

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let g = Gateway::new("http://h/", "s", DEFAULT_TEMPLATE).unwrap();
        assert_eq!(g.backoff(1), Duration::from_secs(30));
        assert_eq!(g.backoff(2), Duration::from_secs(60));
        assert_eq!(g.backoff(3), Duration::from_secs(120));
        assert_eq!(g.backoff(20), Duration::from_secs(1800));
    }
}
