//! libev 4.33, reimplemented: a drop-in `libev.so.4`.
//!
//! Layers: `abi` (the C structs and constants), `core` (the loop, plain Rust),
//! `backend` (kernel readiness interfaces, below the core), `ffi` (the exported C
//! functions, the only `extern "C"` items).

pub mod abi;
pub mod backend;
pub mod core;
mod ffi;

#[global_allocator]
static ALLOCATOR: core::alloc::EvAllocator = core::alloc::EvAllocator;
