use validate::{Errors, Value};

#[derive(serde::Serialize, serde::Deserialize, mapper::Model)]
#[model(table = "users")]
struct User {
    #[model(hash_key)]
    id: i64,
}

#[mapper::migrations(current = 2)]
impl User {
    #[migration(from = 1)]
    fn a(item: Value) -> Result<Value, Errors> { Ok(item) }
}

fn main() {}
