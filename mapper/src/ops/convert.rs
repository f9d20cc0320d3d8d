//! The save and load paths without the network: for items that come from
//! or go to somewhere else (DynamoDB Streams, exports, other SDK calls).

use crate::codec;
use crate::decode::load;
use crate::error::Result;
use crate::item::Item;
use crate::mapper::Mapper;
use crate::model::Model;

impl Mapper {
    /// The save path without writing: struct → `Value` → validation →
    /// attributes, exactly what [`Mapper::put`] would send.
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) with every bad
    /// attribute, [`Error::Convert`](crate::Error::Convert).
    pub fn to_attributes<T: Model>(&self, model: &T) -> Result<codec::Attributes> {
        let info = self.model_info::<T>()?;
        let table = info.table.as_str();
        Ok(crate::encode::model(model, &info, table)?.attributes)
    }

    /// The load path without reading: attributes → `Value` → upgrade →
    /// validation → struct, under `T`'s read policy.
    ///
    /// # Errors
    /// [`Error::Stored`](crate::Error::Stored) for an item that fails the
    /// model, [`Error::Convert`](crate::Error::Convert).
    pub fn from_attributes<T: Model>(&self, attributes: codec::Attributes) -> Result<Item<T>> {
        let info = self.model_info::<T>()?;
        let table = info.table.as_str();
        load(attributes, &info, table)
    }
}
