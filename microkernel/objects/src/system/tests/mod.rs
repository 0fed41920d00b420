mod fastpath;
mod hostile;
mod scenarios;
mod support;
mod tables;
