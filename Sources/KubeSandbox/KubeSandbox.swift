// The in-memory Kubernetes-compatible API server of SANDBOX.md.
