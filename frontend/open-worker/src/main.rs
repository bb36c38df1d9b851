//! The worker's entry point: everything lives in the library.

fn main() {
    annals_open::worker::start();
}
