use mapper::Model;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Model)]
#[model(
    table = "shop",
    entity = "order",
    pk = "CUSTOMER#{username}",
    sk = "#ORDER#{placed:10}#{order_id}",
    index(name = "gsi1", pk = "ORDER#{order_id}", sk = "ORDER#{order_id}")
)]
struct Order {
    username: String,
    order_id: String,
    placed: u32,
}

fn main() -> mapper::Result<()> {
    assert_eq!(<Order as Model>::HASH_KEY, "pk");
    assert_eq!(<Order as Model>::RANGE_KEY, Some("sk"));
    assert_eq!(Order::pk_of("ann")?, "CUSTOMER#ann");
    assert_eq!(Order::sk_of(7u32, "x#1")?, "#ORDER#0000000007#x\\#1");
    assert_eq!(Order::gsi1pk_of("x")?, "ORDER#x");
    assert_eq!(Order::PK_PREFIX, "CUSTOMER#");
    assert_eq!(Order::SK_PREFIX, "#ORDER#");
    assert_eq!(Order::GSI1SK_PREFIX, "ORDER#");
    let key = Order::key_of("ann", 7u32, "x")?;
    assert_eq!(key.hash, validate::Value::from("CUSTOMER#ann"));
    let _typed: mapper::index::Handle<Order, String, String> = Order::GSI1;
    let fields = Order::parse_key("sk", "#ORDER#0000000007#x\\#1")?;
    assert_eq!(fields.get("order_id"), Some(&validate::Value::from("x#1")));
    Ok(())
}
