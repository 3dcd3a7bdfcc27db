//! A structure of 1,000 fields for the serde benchmark, written by
//! `build.rs`: field `f<i>: i64` for i in 0..1000, and `sample()` setting
//! field i to i * 7.

include!(concat!(env!("OUT_DIR"), "/big.rs"));
