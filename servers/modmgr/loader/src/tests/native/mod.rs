//! Host tests of the HelixNative loader: layout, trust, refusals, and the
//! malformed-file corpus.

mod accept;
mod corpus;
mod reject;
mod support;
mod trust;
