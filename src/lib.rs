//! parkland: the register of an industrial park's land and buildings, with an
//! OGC API – Features interface for map clients.

pub mod domain;
pub mod spatial;
