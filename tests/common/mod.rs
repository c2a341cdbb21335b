//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test crate uses its part

pub mod csar;
