//! Unit tests of the parser, the value syntax, the errors and the model.

mod errors;
mod example;
mod values;
