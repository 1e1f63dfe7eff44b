//! Sending a printed ticket to a network thermal printer: raw TCP, port 9100.
//!
//! I/O at the app's edge (the pure ticket, its bytes included, is `portqueue_core::tickets`),
//! and deliberately small: std's sockets, and one deadline for the
//! whole call. An officer is standing at the kiosk with an applicant; a printer that is off,
//! unplugged or jammed must turn into a clear message within seconds (the app passes 3 s), not
//! a spinning page. Every step (name lookup, connect, each write) gets only the time left
//! before the deadline.
//!
//! Success means the printer's network interface took every byte and the connection was closed
//! cleanly. Raw port 9100 has no acknowledgement, so a printer out of paper can still accept
//! a job; the officer sees whether the ticket came out.

use std::io::{self, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// The raw printing port ("JetDirect"), used when the address names none.
pub const DEFAULT_PORT: u16 = 9100;

/// Why a ticket did not reach the printer, in words an officer can act on.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("the printer address `{0}` is not a host and port, like 10.0.0.5:9100")]
    BadAddress(String),
    #[error("could not find the printer at {addr}: {detail}")]
    NotFound { addr: String, detail: String },
    #[error(
        "the printer at {addr} refused the connection: check that it is switched on and that the port is right (usually 9100)"
    )]
    Refused { addr: String },
    #[error("the printer at {addr} did not answer within {}", describe(*.timeout))]
    TimedOut { addr: String, timeout: Duration },
    #[error("could not send the ticket to the printer at {addr}: {source}")]
    Io {
        addr: String,
        #[source]
        source: io::Error,
    },
}

/// "3 seconds", "1 second", "2.5 seconds".
fn describe(timeout: Duration) -> String {
    match (timeout.as_secs(), timeout.subsec_millis()) {
        (1, 0) => "1 second".to_owned(),
        (secs, 0) => format!("{secs} seconds"),
        _ => format!("{:.1} seconds", timeout.as_secs_f64()),
    }
}

/// Sends `bytes` to the printer at `addr` (`host:port`, or a bare host or IP for port 9100),
/// giving up with [`PrintError::TimedOut`] once `timeout` has passed since the call began.
pub fn send(addr: &str, bytes: &[u8], timeout: Duration) -> Result<(), PrintError> {
    let deadline = Instant::now() + timeout;
    let addr = addr.trim();
    let fail = |error: io::Error| match error.kind() {
        io::ErrorKind::ConnectionRefused => PrintError::Refused {
            addr: addr.to_owned(),
        },
        // A write that runs out of time reports WouldBlock on Unix.
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => PrintError::TimedOut {
            addr: addr.to_owned(),
            timeout,
        },
        _ => PrintError::Io {
            addr: addr.to_owned(),
            source: error,
        },
    };
    let mut last_error = io::Error::from(io::ErrorKind::TimedOut);
    let targets = resolve(addr, deadline).map_err(|e| e.into_print_error(addr, timeout))?;
    for target in targets {
        let Some(remaining) = time_left(deadline) else {
            break;
        };
        match TcpStream::connect_timeout(&target, remaining) {
            Ok(stream) => return write_all_before(stream, bytes, deadline).map_err(fail),
            Err(error) => last_error = error,
        }
    }
    Err(fail(last_error))
}

/// The time before `deadline`, or `None` when it has passed (std rejects zero timeouts).
fn time_left(deadline: Instant) -> Option<Duration> {
    deadline
        .checked_duration_since(Instant::now())
        .filter(|left| !left.is_zero())
}

/// Writes everything, each write allowed only the time left, then closes our side so the
/// printer knows the job is complete.
fn write_all_before(mut stream: TcpStream, mut bytes: &[u8], deadline: Instant) -> io::Result<()> {
    stream.set_nodelay(true)?;
    while !bytes.is_empty() {
        let remaining = time_left(deadline).ok_or(io::ErrorKind::TimedOut)?;
        stream.set_write_timeout(Some(remaining))?;
        match stream.write(bytes) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(written) => bytes = &bytes[written..],
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    stream.flush()?;
    stream.shutdown(Shutdown::Write)
}

enum Resolve {
    BadAddress,
    NotFound(String),
    TimedOut,
    Failed(io::Error),
}

impl Resolve {
    fn into_print_error(self, addr: &str, timeout: Duration) -> PrintError {
        let addr = addr.to_owned();
        match self {
            Resolve::BadAddress => PrintError::BadAddress(addr),
            Resolve::NotFound(detail) => PrintError::NotFound { addr, detail },
            Resolve::TimedOut => PrintError::TimedOut { addr, timeout },
            Resolve::Failed(source) => PrintError::Io { addr, source },
        }
    }
}

/// The socket addresses for `addr`. Printers are usually configured by IP, which needs no
/// lookup; a host name is looked up on a helper thread, because std's lookup has no timeout
/// and a dead DNS server would otherwise hold the officer's page for half a minute.
fn resolve(addr: &str, deadline: Instant) -> Result<Vec<SocketAddr>, Resolve> {
    if addr.is_empty() {
        return Err(Resolve::BadAddress);
    }
    if let Ok(socket) = addr.parse::<SocketAddr>() {
        return Ok(vec![socket]);
    }
    if let Ok(ip) = addr.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, DEFAULT_PORT)]);
    }
    let host_port = if addr.contains(':') {
        addr.to_owned()
    } else {
        format!("{addr}:{DEFAULT_PORT}")
    };
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        // The receiver is gone if we stopped waiting; nothing to do then.
        let _ = sender.send(host_port.to_socket_addrs().map(Vec::from_iter));
    });
    let remaining = time_left(deadline).ok_or(Resolve::TimedOut)?;
    match receiver.recv_timeout(remaining) {
        Ok(Ok(found)) if !found.is_empty() => Ok(found),
        Ok(Ok(_)) => Err(Resolve::NotFound("the name has no address".to_owned())),
        Ok(Err(error)) if error.kind() == io::ErrorKind::InvalidInput => Err(Resolve::BadAddress),
        Ok(Err(error)) => Err(Resolve::NotFound(error.to_string())),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(Resolve::TimedOut),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(Resolve::Failed(io::Error::other(
            "the name lookup stopped unexpectedly",
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::TcpListener;

    /// What the app passes: an officer waits at most this long for a silent printer.
    const TIMEOUT: Duration = Duration::from_secs(3);
    /// Proof that the send gave up instead of hanging (a hung printer holds a connection
    /// for minutes): generous, so that a loaded CI machine never fails a test of behaviour
    /// on speed. The deadline itself is computed from one start instant in `send`.
    const LIMIT: Duration = Duration::from_secs(10);

    fn local_listener() -> (TcpListener, String) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        (listener, addr)
    }

    #[test]
    fn a_fake_printer_receives_exactly_the_bytes_sent() {
        let (listener, addr) = local_listener();
        let printer = thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut received = Vec::new();
            stream.read_to_end(&mut received).unwrap();
            received
        });
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        send(&addr, &bytes, TIMEOUT).unwrap();
        assert_eq!(printer.join().unwrap(), bytes);
    }

    #[test]
    fn a_refusing_printer_is_reported_at_once() {
        let (listener, addr) = local_listener();
        drop(listener);
        let started = Instant::now();
        let error = send(&addr, b"ticket", TIMEOUT).unwrap_err();
        assert!(started.elapsed() < LIMIT);
        assert!(matches!(error, PrintError::Refused { .. }), "{error:?}");
        assert_eq!(
            error.to_string(),
            format!(
                "the printer at {addr} refused the connection: check that it is switched on and that the port is right (usually 9100)"
            )
        );
    }

    #[test]
    fn a_printer_that_accepts_but_never_reads_times_out_within_three_seconds() {
        let (listener, addr) = local_listener();
        let (hold, release) = mpsc::channel::<()>();
        let printer = thread::spawn(move || {
            let (_stream, _) = listener.accept().unwrap();
            // Keep the connection open, unread, until the test is done.
            let _ = release.recv();
        });
        // Far more than the kernel's send and receive buffers hold together, so the writes
        // really block on the printer rather than finishing into a buffer.
        let bytes = vec![b'x'; 64 * 1024 * 1024];
        let started = Instant::now();
        let error = send(&addr, &bytes, TIMEOUT).unwrap_err();
        let elapsed = started.elapsed();
        drop(hold);
        printer.join().unwrap();
        assert!(elapsed < LIMIT, "took {elapsed:?}");
        assert!(matches!(error, PrintError::TimedOut { .. }), "{error:?}");
        assert_eq!(
            error.to_string(),
            format!("the printer at {addr} did not answer within 3 seconds")
        );
    }

    #[test]
    fn a_printer_that_never_accepts_times_out_within_three_seconds() {
        let (listener, addr) = local_listener();
        // Fill the listener's queue of not-yet-accepted connections; once it is full the
        // kernel drops new handshakes, exactly like a hung printer's network stack.
        let mut queued = Vec::new();
        let full = (0..10_000).any(|_| {
            match TcpStream::connect_timeout(
                &listener.local_addr().unwrap(),
                Duration::from_millis(200),
            ) {
                Ok(stream) => {
                    queued.push(stream);
                    false
                }
                Err(_) => true,
            }
        });
        assert!(full, "could not fill the accept queue");
        let started = Instant::now();
        let error = send(&addr, b"ticket", TIMEOUT).unwrap_err();
        let elapsed = started.elapsed();
        assert!(elapsed < LIMIT, "took {elapsed:?}");
        assert!(
            elapsed >= Duration::from_millis(2500),
            "gave up early: {elapsed:?} {error:?}"
        );
        assert!(matches!(error, PrintError::TimedOut { .. }), "{error:?}");
    }

    #[test]
    fn a_malformed_address_is_named_in_the_error() {
        for bad in ["", "10.0.0.5:printer"] {
            let error = send(bad, b"x", TIMEOUT).unwrap_err();
            assert!(
                matches!(error, PrintError::BadAddress(_)),
                "{bad}: {error:?}"
            );
            assert!(error.to_string().contains("like 10.0.0.5:9100"));
        }
    }

    #[test]
    fn a_bare_ip_means_port_9100() {
        let deadline = Instant::now() + TIMEOUT;
        let found = resolve("10.0.0.5", deadline).ok().unwrap();
        assert_eq!(found, ["10.0.0.5:9100".parse().unwrap()]);
    }

    #[test]
    fn timeouts_read_as_words() {
        assert_eq!(describe(Duration::from_secs(3)), "3 seconds");
        assert_eq!(describe(Duration::from_secs(1)), "1 second");
        assert_eq!(describe(Duration::from_millis(2500)), "2.5 seconds");
    }
}
