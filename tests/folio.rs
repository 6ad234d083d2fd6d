//! The `folio` program, built for the end-to-end tests (see Cargo.toml): the same
//! library and the same `main` as the production binary.

fn main() -> anyhow::Result<()> {
    folio::run()
}
