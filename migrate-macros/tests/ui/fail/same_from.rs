use validate::{Errors, Value};

#[derive(serde::Serialize, serde::Deserialize, mapper::Model)]
#[model(table = "users", migrations)]
struct User {
    #[model(hash_key)]
    id: i64,
}

#[mapper::migrations(current = 3)]
impl User {
    #[migration(from = 1)]
    fn a(item: Value) -> Result<Value, Errors> { Ok(item) }
    #[migration(from = 1, to = 3)]
    fn b(item: Value) -> Result<Value, Errors> { Ok(item) }
}

fn main() {}
