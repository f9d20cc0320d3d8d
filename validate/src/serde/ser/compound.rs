//! The compound shapes: sequences, maps and structs, and enum variants
//! with fields.

use serde::ser::{self, Serialize};

use super::{ListTarget, MapTarget, Target, TargetError, key, present};
use crate::path::Segment;

/// A list (a sequence, a tuple, a tuple struct): each element written
/// into the target the list gives it, its errors at its index.
pub struct Seq<T: Target> {
    list: T::List,
    len: usize,
}

impl<T: Target> Seq<T> {
    pub(super) fn new(target: T, len: usize) -> Result<Seq<T>, T::Error> {
        Ok(Seq {
            list: target.list(len)?,
            len: 0,
        })
    }

    fn push<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), T::Error> {
        let index = self.len;
        let item =
            present(value, self.list.element()).map_err(|e| e.within(|| Segment::Index(index)))?;
        self.len += 1;
        self.list.push(item)
    }
}

/// Sequence shapes of serde, all lists.
macro_rules! seq_shapes {
    ($($shape:ident::$method:ident),*) => {$(
        impl<T: Target> ser::$shape for Seq<T> {
            type Ok = Option<T::Item>;
            type Error = T::Error;
            fn $method<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), T::Error> {
                self.push(value)
            }
            fn end(self) -> Result<Option<T::Item>, T::Error> {
                self.list.finish().map(Some)
            }
        }
    )*};
}

seq_shapes!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

/// A map (a map, a struct): each entry written into the target the map
/// gives its key, its errors at its key.
pub struct Entries<T: Target> {
    map: T::Map,
    key: Option<String>,
    /// Struct fields holding `None` are left out; map entries keep NULL.
    skip_none: bool,
}

impl<T: Target> Entries<T> {
    pub(super) fn new(target: T, len: usize, skip_none: bool) -> Result<Entries<T>, T::Error> {
        Ok(Entries {
            map: target.map(len)?,
            key: None,
            skip_none,
        })
    }

    fn insert<V: Serialize + ?Sized>(&mut self, key: String, value: &V) -> Result<(), T::Error> {
        let (target, entry) = self.map.entry(&key)?;
        let item = match value.serialize(super::Serializer(target)) {
            Ok(Some(item)) => item,
            Ok(None) if self.skip_none => return Ok(()),
            Ok(None) => target.null().map_err(|e| e.within(|| Segment::key(&key)))?,
            Err(e) => return Err(e.within(|| Segment::key(&key))),
        };
        self.map.insert(key, item, entry)
    }
}

impl<T: Target> ser::SerializeMap for Entries<T> {
    type Ok = Option<T::Item>;
    type Error = T::Error;
    fn serialize_key<V: Serialize + ?Sized>(&mut self, key: &V) -> Result<(), T::Error> {
        self.key = Some(key::key(key)?);
        Ok(())
    }
    fn serialize_value<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), T::Error> {
        let key = self
            .key
            .take()
            .ok_or_else(|| <T::Error as ser::Error>::custom("map value without a key"))?;
        self.insert(key, value)
    }
    fn end(self) -> Result<Option<T::Item>, T::Error> {
        self.map.finish().map(Some)
    }
}

impl<T: Target> ser::SerializeStruct for Entries<T> {
    type Ok = Option<T::Item>;
    type Error = T::Error;
    fn serialize_field<V: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &V,
    ) -> Result<(), T::Error> {
        self.insert(key.to_owned(), value)
    }
    fn end(self) -> Result<Option<T::Item>, T::Error> {
        self.map.finish().map(Some)
    }
}

/// An enum variant with fields (`Variant::Tuple(a, b)`, `Variant { a, b }`):
/// a map of one key, the variant, around them.
pub struct Variant<S> {
    variant: &'static str,
    fields: S,
}

impl<S> Variant<S> {
    pub(super) fn new(variant: &'static str, fields: S) -> Variant<S> {
        Variant { variant, fields }
    }
}

impl<T: Target> ser::SerializeTupleVariant for Variant<Seq<T>> {
    type Ok = Option<T::Item>;
    type Error = T::Error;
    fn serialize_field<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), T::Error> {
        let variant = self.variant;
        self.fields
            .push(value)
            .map_err(|e| e.within(|| Segment::key(variant)))
    }
    fn end(self) -> Result<Option<T::Item>, T::Error> {
        let fields = self.fields.list.finish()?;
        Ok(Some(T::tagged(self.variant, fields)))
    }
}

impl<T: Target> ser::SerializeStructVariant for Variant<Entries<T>> {
    type Ok = Option<T::Item>;
    type Error = T::Error;
    fn serialize_field<V: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &V,
    ) -> Result<(), T::Error> {
        let variant = self.variant;
        self.fields
            .insert(name.to_owned(), value)
            .map_err(|e| e.within(|| Segment::key(variant)))
    }
    fn end(self) -> Result<Option<T::Item>, T::Error> {
        let fields = self.fields.map.finish()?;
        Ok(Some(T::tagged(self.variant, fields)))
    }
}
