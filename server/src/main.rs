//! The `annals` binary. Everything lives in the library; this only runs it and turns its
//! outcome into an exit code.

fn main() -> std::process::ExitCode {
    annals_server::cli::main()
}
