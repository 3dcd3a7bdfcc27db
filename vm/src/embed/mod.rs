//! The embedding API beyond `lib.rs`: each file adds its own `impl Vm`
//! (or `impl VmBuilder`) block for one concern.

pub mod diagnostics;
pub mod reload;
pub mod sandbox;

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
