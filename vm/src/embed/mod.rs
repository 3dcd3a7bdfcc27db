//! The embedding API beyond the basics of `lib.rs`: each file adds an
//! `impl Vm` (or `impl VmBuilder`) block for one feature
//! (ARCHITECTURE.md, "Embedding").

pub mod call;
pub mod diagnostics;
pub mod docs;
pub mod functions;
pub mod limits;
pub mod mailbox;
pub mod modules;
pub mod native_lib;
pub mod reload;
pub mod sandbox;
pub mod tooling;
mod typed;

pub use typed::{HostError, HostFunction};

/// What the host configured about loading code: where warnings go and
/// the sandbox, if any. One field of `Runtime`, so the loader and the
/// interpreter's cold paths can ask without new plumbing.
#[derive(Default)]
pub(crate) struct CodeConfig {
    /// `VmBuilder::on_warning`: warnings go here instead of the error sink.
    pub(crate) on_warning: Option<diagnostics::WarningFn>,
    /// `VmBuilder::sandbox`: what a script may reach.
    pub(crate) sandbox: Option<sandbox::Sandbox>,
}

/// The guide's chapter on serde, its examples run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/embedding/serde.md")]
pub struct GuideSerde;

/// The guide's chapter on host functions, its examples run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/embedding/functions.md")]
pub struct GuideFunctions;

/// The guide's first page (docs/embedding.md), its host run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/embedding.md")]
pub struct GuideIndex;
