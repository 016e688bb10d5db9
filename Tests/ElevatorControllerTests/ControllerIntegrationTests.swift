import Testing

/// The suites that run a sandbox and a controller. Serialized, so they add one controller's load
/// at a time to a machine whose other suites have timing bounds of their own.
@Suite(.serialized) enum ControllerIntegrationTests {}
