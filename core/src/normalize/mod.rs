//! The normalise stage: origin, HS code, numbers and names, with the raw text kept.

pub mod hs;
pub mod name;
pub mod origin;
