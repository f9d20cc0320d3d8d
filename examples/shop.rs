//! Single-table design: the e-commerce model of "The DynamoDB Book"
//! (chapter "E-commerce") in one table with one overloaded index.
//!
//! | entity        | pk                             | sk                             | gsi1pk           | gsi1sk           |
//! |---------------|--------------------------------|--------------------------------|------------------|------------------|
//! | Customer      | `CUSTOMER#{username}`          | `CUSTOMER#{username}`          |                  |                  |
//! | CustomerEmail | `CUSTOMEREMAIL#{email}`        | `CUSTOMEREMAIL#{email}`        |                  |                  |
//! | Order         | `CUSTOMER#{username}`          | `#ORDER#{order_id}`            | `ORDER#{order_id}` | `ORDER#{order_id}` |
//! | OrderItem     | `ORDER#{order_id}#ITEM#{item_id}` | (the same)                  | `ORDER#{order_id}` | `ITEM#{item_id}` |
//!
//! - a customer's username and email are both unique: the customer and a
//!   `CustomerEmail` marker are created (and deleted) in one transaction;
//! - one query reads a customer and their 10 most recent orders (order ids
//!   are ULIDs: time-ordered, so `#ORDER#…` keys sort oldest to newest);
//! - one index query reads an order with all its items;
//! - an order item edited by two writers at once: one is a `Conflict`.
//!
//! Run: `cargo run --example shop`. With `DYNAMODB_ENDPOINT` unset it
//! starts DynamoDB Local itself (installed from npm on first use).

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::AttributeValue;
use mapper::{Item, Mapper, Model, Schema, Throughput};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, Schema)]
struct Address {
    street: String,
    city: String,
    #[model(length = 2..=2)]
    state: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Model)]
#[model(
    table = "shop",
    entity = "customer",
    pk = "CUSTOMER#{username}",
    sk = "CUSTOMER#{username}"
)]
struct Customer {
    #[model(length = 1..=64)]
    username: String,
    #[model(matches = r"^[^@\s]+@[^@\s]+$")]
    email: String,
    name: String,
    /// Named addresses ("home", "business"), a map on the customer.
    #[serde(default)]
    addresses: BTreeMap<String, Address>,
}

/// The marker that keeps an email unique: its key is the email.
#[derive(Debug, Clone, Serialize, Deserialize, Model)]
#[model(
    table = "shop",
    entity = "customer_email",
    pk = "CUSTOMEREMAIL#{email}",
    sk = "CUSTOMEREMAIL#{email}"
)]
struct CustomerEmail {
    email: String,
    username: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Model)]
#[model(
    table = "shop",
    entity = "order",
    pk = "CUSTOMER#{username}",
    sk = "#ORDER#{order_id}",
    index(name = "gsi1", pk = "ORDER#{order_id}", sk = "ORDER#{order_id}")
)]
struct Order {
    username: String,
    /// A ULID: time-ordered.
    order_id: String,
    status: String,
    #[model(range = 0..)]
    amount_cents: i64,
    #[model(range = 1..)]
    number_items: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Model)]
#[model(
    table = "shop",
    entity = "order_item",
    pk = "ORDER#{order_id}#ITEM#{item_id}",
    sk = "ORDER#{order_id}#ITEM#{item_id}",
    index(name = "gsi1", pk = "ORDER#{order_id}", sk = "ITEM#{item_id}")
)]
struct OrderItem {
    order_id: String,
    item_id: String,
    description: String,
    #[model(range = 1..)]
    quantity: i64,
    #[model(range = 0..)]
    price_cents: i64,
    /// Optimistic locking: concurrent edits are conflicts.
    #[model(version)]
    version: i64,
}

/// A customer's partition: the customer and their orders.
#[derive(Debug, mapper::Collection)]
enum CustomerOrders {
    Customer(Customer),
    Order(Order),
}

/// An order's partition in the index: the order and its items.
#[derive(Debug, mapper::Collection)]
enum OrderWithItems {
    Order(Order),
    Item(Item<OrderItem>),
}

/// Creates a customer with a unique username and email, or nothing.
async fn sign_up(mapper: &Mapper, customer: &Customer) -> mapper::Result<()> {
    let marker = CustomerEmail {
        email: customer.email.clone(),
        username: customer.username.clone(),
    };
    mapper
        .transact_write()
        .create(customer) // the username is free
        .create(&marker) // the email is free
        .send()
        .await?;
    Ok(())
}

/// Places an order of `items` (description, quantity, price): the order
/// and its items in one transaction.
async fn place_order(
    mapper: &Mapper,
    username: &str,
    items: &[(&str, i64, i64)],
) -> mapper::Result<Order> {
    let order_id = mapper::keygen::ulid_text();
    let order = Order {
        username: username.into(),
        order_id: order_id.clone(),
        status: "PLACED".into(),
        amount_cents: items.iter().map(|(_, q, p)| q * p).sum(),
        number_items: items.len() as i64,
    };
    let lines: Vec<OrderItem> = items
        .iter()
        .enumerate()
        .map(|(i, (description, quantity, price))| OrderItem {
            order_id: order_id.clone(),
            item_id: format!("{:02}", i + 1),
            description: (*description).into(),
            quantity: *quantity,
            price_cents: *price,
            version: 0,
        })
        .collect();
    let mut write = mapper.transact_write().create(&order);
    for line in &lines {
        write = write.create(line);
    }
    write.send().await?;
    Ok(order)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis();
    // DYNAMODB_ENDPOINT, else DynamoDB Local, started with no manual step.
    let mapper = Mapper::local().await?.with_prefix(format!("example{run}_"));
    // One table for every entity: its key schema and the overloaded
    // index from their declarations.
    mapper
        .create_shared_table::<(Customer, CustomerEmail, Order, OrderItem)>(Throughput::OnDemand)
        .await?;

    let alex = Customer {
        username: "alexdebrie".into(),
        email: "alex@example.com".into(),
        name: "Alex DeBrie".into(),
        addresses: BTreeMap::from([(
            "home".to_owned(),
            Address {
                street: "111 1st Street".into(),
                city: "Omaha".into(),
                state: "NE".into(),
            },
        )]),
    };
    sign_up(&mapper, &alex).await?;
    println!("signed up {} <{}>", alex.username, alex.email);

    // Another customer with alex's email: refused, nothing written.
    let copycat = Customer {
        username: "copycat".into(),
        email: alex.email.clone(),
        name: "Copy Cat".into(),
        addresses: BTreeMap::new(),
    };
    let refused = sign_up(&mapper, &copycat)
        .await
        .err()
        .ok_or("a taken email was accepted")?;
    assert!(refused.is_overwrite(), "{refused}");
    assert!(
        mapper
            .find::<Customer>(Customer::key_of("copycat")?)
            .await?
            .is_none(),
        "nothing of the refused sign-up is written"
    );
    println!("copycat refused: the email is taken ({refused})");

    // Twelve orders, oldest first.
    let mut placed = Vec::new();
    for n in 1..=12 {
        let order = place_order(
            &mapper,
            "alexdebrie",
            &[("Pen", n, 150), ("Notebook", 1, 899)],
        )
        .await?;
        placed.push(order.order_id);
    }
    println!("placed {} orders", placed.len());

    // The customer and their 10 most recent orders, in one query: the
    // orders' "#ORDER#…" keys sort before "CUSTOMER#…", so newest first
    // the customer comes first.
    let page = mapper
        .query_collection::<CustomerOrders>(Customer::pk_of("alexdebrie")?)
        .reverse()
        .limit(11)
        .all()
        .await?;
    let Some(CustomerOrders::Customer(customer)) = page.first() else {
        return Err("the customer is not first".into());
    };
    let recent: Vec<&str> = page
        .iter()
        .filter_map(|entry| match entry {
            CustomerOrders::Order(order) => Some(order.order_id.as_str()),
            CustomerOrders::Customer(_) => None,
        })
        .collect();
    let newest_ten: Vec<&str> = placed.iter().rev().take(10).map(String::as_str).collect();
    assert_eq!(
        recent, newest_ten,
        "the 10 most recent orders, newest first"
    );
    println!(
        "{} ({} address(es)) and their {} most recent orders, newest {}",
        customer.name,
        customer.addresses.len(),
        recent.len(),
        recent[0]
    );

    // An order with all its items, by one query of the index.
    let newest = placed.last().ok_or("no order")?;
    let order_page = mapper
        .query_collection::<OrderWithItems>(Order::gsi1pk_of(newest)?)
        .index("gsi1")
        .all()
        .await?;
    let mut items = Vec::new();
    for entry in order_page {
        match entry {
            OrderWithItems::Order(order) => {
                println!("order {}: {} cents", order.order_id, order.amount_cents);
            }
            OrderWithItems::Item(item) => items.push(item),
        }
    }
    assert_eq!(items.len(), 2);
    for item in &items {
        println!(
            "  item {}: {} x {}",
            item.item_id, item.quantity, item.description
        );
    }

    // Two writers edit the same order item: the second is a conflict.
    let key = OrderItem::key_of(newest.as_str(), "01")?;
    let mut first = mapper.get::<OrderItem>(key.clone()).await?;
    let mut second = mapper.get::<OrderItem>(key.clone()).await?;
    first.quantity += 1;
    mapper.save(&mut first).await?;
    second.quantity += 5;
    let conflict = mapper
        .save(&mut second)
        .await
        .err()
        .ok_or("a concurrent edit was lost")?;
    assert!(conflict.is_conflict(), "{conflict}");
    let stored = mapper.get::<OrderItem>(key).await?;
    assert_eq!(stored.quantity, first.quantity);
    println!(
        "concurrent edit of item 01: one saved (quantity {}), the other a conflict",
        stored.quantity
    );

    // What is stored: generic keys built from the fields, the entity type.
    let raw = mapper
        .client()
        .get_item()
        .table_name(mapper.table_name::<Order>())
        .key("pk", AttributeValue::S(Order::pk_of("alexdebrie")?))
        .key("sk", AttributeValue::S(Order::sk_of(newest.as_str())?))
        .send()
        .await?;
    let raw = raw.item().ok_or("the order is not stored")?;
    for name in ["pk", "sk", "gsi1pk", "gsi1sk", "_et"] {
        let value = raw.get(name).and_then(|v| v.as_s().ok());
        println!("  {name} = {}", value.map_or("-", String::as_str));
    }

    // The customer leaves: the customer and the email marker together.
    mapper
        .transact_write()
        .delete_key::<Customer>(Customer::key_of("alexdebrie")?)
        .delete_key::<CustomerEmail>(CustomerEmail::key_of(alex.email.as_str())?)
        .send()
        .await?;
    assert!(
        mapper
            .find::<CustomerEmail>(CustomerEmail::key_of(alex.email.as_str())?)
            .await?
            .is_none()
    );
    println!("alexdebrie deleted with their email marker; the email is free again");
    Ok(())
}
