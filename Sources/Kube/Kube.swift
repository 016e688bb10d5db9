// The Kubernetes client (configuration, libcurl transport, typed API, watch, informer, work queue,
// leader election, Events). It knows nothing about elevation. See ARCHITECTURE.md.
