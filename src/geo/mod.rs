//! Geography stage: the gemeenten of each year 2016–2025 and the regions they belong to,
//! herindelingen between years, harmonising tables to one year's indeling, and names → codes.

pub mod boundaries;
pub mod error;
pub mod mergers;
pub mod names;
pub mod registry;
pub mod rollup;

pub use boundaries::{Boundaries, Shape};
pub use error::GeoError;
pub use mergers::Merger;
pub use registry::{Gemeente, Indeling, Registry};
pub use rollup::{OwnRegion, ResolvedRegion, load_own_regions};
