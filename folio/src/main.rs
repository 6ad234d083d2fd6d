//! The `folio` binary (see the library: [`folio::run`]).

fn main() -> anyhow::Result<()> {
    folio::run()
}
