//! The `folio-bench` program, built for the end-to-end tests (see Cargo.toml): the same
//! library and the same `main` as the `folio-bench` binary.

fn main() -> anyhow::Result<()> {
    folio_bench::run()
}
