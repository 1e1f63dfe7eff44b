//! Plain `portqueue` is `portqueue serve`: the same settings from the same environment.
//! Its own test binary, because it sets environment variables (no other test in this
//! process may read them meanwhile).

use clap::Parser;
use portqueue::cli::{Cli, Command};

fn settings(args: &[&str]) -> Command {
    Cli::try_parse_from(args)
        .expect("arguments")
        .command_or_serve()
        .expect("a command")
}

#[test]
fn plain_portqueue_and_portqueue_serve_read_the_same_settings() {
    let cases: &[&[(&str, &str)]] = &[
        &[],
        &[
            ("PORTQUEUE_SECURE_COOKIES", "true"),
            ("PORTQUEUE_BIND", "127.0.0.1:9999"),
            ("PORTQUEUE_PUBLIC_URL", "https://queue.example.org"),
            ("PORTQUEUE_TRUSTED_PROXIES", "10.0.0.1,10.0.0.2"),
            ("PORTQUEUE_METRICS_TOKEN", "a-long-enough-token-1234"),
            ("PORTQUEUE_METRICS_BIND", "127.0.0.1:9100"),
        ],
        // Values a hand-written reading once took otherwise than clap does.
        &[("PORTQUEUE_SECURE_COOKIES", "1")],
        &[("PORTQUEUE_SECURE_COOKIES", "yes")],
        &[("PORTQUEUE_SECURE_COOKIES", "on")],
        &[("PORTQUEUE_SECURE_COOKIES", "off")],
        &[("PORTQUEUE_PUBLIC_URL", "")],
        &[("PORTQUEUE_TRUSTED_PROXIES", "10.0.0.1, 10.0.0.2")],
        &[
            ("PORTQUEUE_SMS_GATEWAY_URL", "http://127.0.0.1:9/send"),
            ("PORTQUEUE_SMS_GATEWAY_SECRET", "a-secret"),
            ("PORTQUEUE_SMS_GATEWAY_TIMEOUT", "30"),
        ],
        &[
            ("PORTQUEUE_SMS_GATEWAY_URL", "https://127.0.0.1:9/send"),
            ("PORTQUEUE_SMS_GATEWAY_SECRET", "a-secret"),
            (
                "PORTQUEUE_SMS_GATEWAY_CA",
                "/etc/portqueue/sms-gateway-ca.pem",
            ),
        ],
    ];
    let names = [
        "PORTQUEUE_SECURE_COOKIES",
        "PORTQUEUE_BIND",
        "PORTQUEUE_PUBLIC_URL",
        "PORTQUEUE_TRUSTED_PROXIES",
        "PORTQUEUE_METRICS_TOKEN",
        "PORTQUEUE_METRICS_BIND",
        "PORTQUEUE_SMS_GATEWAY_URL",
        "PORTQUEUE_SMS_GATEWAY_SECRET",
        "PORTQUEUE_SMS_GATEWAY_TEMPLATE",
        "PORTQUEUE_SMS_GATEWAY_TIMEOUT",
        "PORTQUEUE_SMS_GATEWAY_CA",
    ];
    for case in cases {
        for name in names {
            // SAFETY: this binary's only test; nothing else reads the environment meanwhile.
            unsafe { std::env::remove_var(name) };
        }
        for (name, value) in *case {
            // SAFETY: as above.
            unsafe { std::env::set_var(name, value) };
        }
        let plain = settings(&["portqueue"]);
        let serve = settings(&["portqueue", "serve"]);
        assert!(matches!(plain, Command::Serve { .. }), "{plain:?}");
        assert_eq!(format!("{plain:?}"), format!("{serve:?}"), "with {case:?}");
        let secure = case
            .iter()
            .any(|&(name, value)| name == "PORTQUEUE_SECURE_COOKIES" && value != "off");
        let Command::Serve { secure_cookies, .. } = &plain else {
            unreachable!()
        };
        assert_eq!(*secure_cookies, secure, "with {case:?}");
        if case.contains(&("PORTQUEUE_SECURE_COOKIES", "true")) {
            let Command::Serve {
                secure_cookies,
                bind,
                ..
            } = plain
            else {
                unreachable!()
            };
            assert!(secure_cookies, "the environment is read");
            assert_eq!(bind, "127.0.0.1:9999");
        }
    }
}
