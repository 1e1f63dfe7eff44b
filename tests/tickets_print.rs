//! An officer registers a walk-in who speaks Haitian Creole and prints the ticket on the
//! kiosk's network printer: the number is drawn, the texts come from the catalog, and the
//! printer (the app's edge sends it) receives exactly the encoded ticket.

use std::collections::HashSet;
use std::io::Read;
use std::net::TcpListener;
use std::thread;
use std::time::Duration;

use portqueue_core::Class;
use portqueue_core::tickets::{self, Catalog, Paper, PrintTicket, TicketFacts};

#[test]
fn a_walk_in_ticket_is_drawn_worded_and_printed() {
    let open: HashSet<u32> = [41, 42].into();
    let (number, next) = tickets::allocate(Class::WalkIn, 41, |n| open.contains(&n)).unwrap();
    assert_eq!(number.to_string(), "W-0043");
    assert_eq!(next, 44);

    let facts = TicketFacts {
        party_size: 4,
        earliest: "14:20",
        latest: "15:05",
    };
    let texts = Catalog::shared().texts_for("hat", &facts);
    assert!(!texts.needs_interpreter);
    assert_eq!(
        texts.languages[0].party_size,
        "Kantite moun nan gwoup ou: 4"
    );

    let printout = tickets::encode(&PrintTicket {
        port_name: "San Ysidro",
        number,
        issued_at: "2025-03-14 13:58",
        status_url: "https://queue.example.org/t/3b9f",
        texts: &texts,
        show_estimate: true,
        paper: Paper::Mm80,
    });
    let titles: Vec<_> = printout.layout.titles.iter().map(|t| t.0).collect();
    assert_eq!(titles, ["ht", "es", "en"], "Haitian Creole first");

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let printer = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut received = Vec::new();
        stream.read_to_end(&mut received).unwrap();
        received
    });
    portqueue::printer::send(&addr, &printout.bytes, Duration::from_secs(3)).unwrap();
    let received = printer.join().unwrap();
    assert_eq!(received, printout.bytes);
    let decoded = tickets::decode(&received).expect("a clean stream");
    assert_eq!(decoded.raster.expect("drawn").width, 576);
    assert!(decoded.cut);
}

#[test]
fn the_html_ticket_gets_its_qr_code_as_inline_svg() {
    let svg = tickets::qr_svg("https://queue.example.org/t/3b9f").unwrap();
    assert!(svg.starts_with("<svg role=\"img\""));
}
