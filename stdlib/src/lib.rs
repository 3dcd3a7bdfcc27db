//! The standard library modules written in Reef, embedded in the binary.
