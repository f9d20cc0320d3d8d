use mapper::migration;
use validate::{Errors, Value};

#[migration(from = 1)]
fn a(item: Value) -> Result<Value, Errors> {
    Ok(item)
}

fn main() {}
