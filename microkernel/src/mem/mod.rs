//! Kernel memory: the physical frame allocator, the kernel's own page
//! tables, and the heap.

pub mod frames;
pub mod heap;
pub mod image;
pub mod kspace;
