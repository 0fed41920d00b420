mod fastpath;
mod hostile;
mod ports;
mod scenarios;
mod support;
mod tables;
