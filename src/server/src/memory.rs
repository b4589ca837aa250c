//! Gives freed heap memory back to the operating system.
//!
//! glibc's malloc keeps what a thread freed in that thread's arena for reuse, and returns it to
//! the system only from the top of the heap. After a large import the freed memory of its
//! requests sits in the arenas of tokio's worker threads, so the process would keep its peak
//! resident size although the data it holds is a fraction of it (measured with
//! `bench/memory/batch_memory.py`). `malloc_trim(0)` releases every free page of every arena.
//! It runs every few seconds on a blocking thread; its own cost was not measured apart (the
//! batch figures include it). Other C libraries return memory on their own; there it does
//! nothing.

use std::time::Duration;

use tokio::task::JoinHandle;

/// Trims the heap every `every` until the task is aborted.
pub fn spawn_trimmer(every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let _ = tokio::task::spawn_blocking(trim).await;
        }
    })
}

/// Releases the free memory of every malloc arena.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn trim() {
    // SAFETY: malloc_trim only walks the allocator's own free lists; it takes no pointers and
    // is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Other allocators give memory back without being asked.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn trim() {}
