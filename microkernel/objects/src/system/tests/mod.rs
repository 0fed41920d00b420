mod cross;
mod fastpath;
mod hostile;
mod mcp;
mod ports;
mod scenarios;
mod support;
mod tables;
