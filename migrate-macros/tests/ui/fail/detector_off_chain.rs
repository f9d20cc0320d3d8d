use validate::{Errors, Value};

#[derive(serde::Serialize, serde::Deserialize, mapper::Model)]
#[model(table = "users", migrations)]
struct User {
    #[model(hash_key)]
    id: i64,
}

#[mapper::migrations(current = 11)]
impl User {
    #[migration(from = 1, to = 11)]
    fn a(item: Value) -> Result<Value, Errors> { Ok(item) }
    #[detect(2)]
    fn looks_v2(item: &Value) -> bool { item.get("x").is_some() }
}

fn main() {}
