//! Nitro's rules for Stylus code, shared by the build pipeline (`deploy/`) and the runtime
//! (`devnet/`), so a program the pipeline accepts is exactly a program activation accepts.

pub mod activation;
pub mod codec;
pub mod instrument;
pub mod reencode;
pub mod validate;
