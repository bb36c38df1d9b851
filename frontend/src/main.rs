//! Entry point of the web app: everything lives in the library.

fn main() {
    annals_web::start();
}
