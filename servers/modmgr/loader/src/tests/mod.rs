//! Host tests of the loaders and the registry.
