//! The `folio-bench` binary (see the library: [`folio_bench::run`]).

fn main() -> anyhow::Result<()> {
    folio_bench::run()
}
