use std::process::ExitCode;

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    portqueue::ops::keep_big_allocations_returnable();
    match portqueue::cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("portqueue: {message}");
            ExitCode::FAILURE
        }
    }
}
