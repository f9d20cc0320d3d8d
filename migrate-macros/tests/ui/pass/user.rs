use mapper::{Migrations, Model, WriteBack};
use validate::{Errors, Value};

#[derive(serde::Serialize, serde::Deserialize, Model)]
#[model(table = "users", migrations, write_back = "immediately")]
struct User {
    #[model(hash_key)]
    id: i64,
    email: String,
}

#[mapper::migrations(current = 11, base = 1, attribute = "v")]
impl User {
    #[detect(1)]
    fn looks_v1(item: &Value) -> bool {
        item.get("mail").is_some()
    }

    #[migration(from = 1)]
    fn noop(item: Value) -> Result<Value, Errors> {
        Ok(item)
    }

    #[migration(from = 2, to = 11)]
    fn rename_mail(mut item: Value) -> Result<Value, Errors> {
        if let Some(map) = item.as_map_mut()
            && let Some(mail) = map.remove("mail")
        {
            map.insert("email".to_owned(), mail);
        }
        Ok(item)
    }

    /// Other functions of the block stay as they are.
    fn helper(&self) -> usize {
        self.email.len()
    }
}

fn main() {
    let plan = User::plan();
    assert_eq!(plan.current(), 11);
    assert_eq!(plan.version_attribute(), "v");
    assert_eq!(plan.steps().len(), 2);
    assert!(plan.check().is_ok());
    assert_eq!(User::migrations().map(|p| p.current()), Some(11));
    assert_eq!(User::WRITE_BACK, WriteBack::Immediately);
    let _ = User { id: 1, email: String::new() }.helper();
}
