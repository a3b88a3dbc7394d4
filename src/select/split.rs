//! Work over a whole registry split across the machine's cores: a million-tag count is a walk of
//! scattered memory that waits on the memory more than it computes, and two cores took 0.6x the
//! time of one. Nothing here shares anything mutable: each part returns its own result.

use std::num::NonZeroUsize;
use std::thread;

/// Below this many items a part is not worth a thread.
const SMALLEST_PART: usize = 256;

/// `work` over `items` in contiguous parts, one per core (at most eight), each part's result in the
/// items' order. Few items run on the calling thread.
pub fn in_parts<T: Sync, R: Send>(items: &[T], work: impl Fn(&[T]) -> R + Sync) -> Vec<R> {
    let cores = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let parts = cores.min(8).min(items.len() / SMALLEST_PART).max(1);
    if parts == 1 {
        return vec![work(items)];
    }
    let size = items.len().div_ceil(parts);
    thread::scope(|scope| {
        let running: Vec<_> = items
            .chunks(size)
            .map(|part| scope.spawn(|| work(part)))
            .collect();
        running
            .into_iter()
            .map(|part| {
                part.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parts_cover_every_item_once_in_order() {
        for n in [0, 1, 255, 256, 511, 512, 10_000] {
            let items: Vec<usize> = (0..n).collect();
            let parts = in_parts(&items, <[usize]>::to_vec);
            assert_eq!(parts.concat(), items, "{n} items");
            assert!(!parts.is_empty());
        }
    }
}
