mod hostile;
mod scenarios;
mod support;
