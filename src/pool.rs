//! The crate's thread pool: runs indexed work on every core and gives the results back in
//! index order, as a serial loop would. The source reads blobs with it and the planner
//! parses files again with it.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Reading and parsing are CPU-bound; past a few threads the pack's memory mapping and
/// the allocator are shared anyway.
pub(crate) const MAX_THREADS: usize = 8;
/// Indices a thread claims at once: large enough that the shared counter is rarely
/// touched, small enough that a few slow files at the end do not leave a core idle.
const CHUNK: usize = 16;

/// `work(i)` for every `i` in `0..count` on every core, in the order of `i`: for a few
/// dozen CPU-heavy items, such as files to parse again, where the thresholds of
/// `Source::read_many` (made for reading thousands of files) would keep one thread.
pub(crate) fn map_in_parallel<T, W>(count: usize, work: W) -> Vec<T>
where
    T: Send,
    W: Fn(usize) -> T + Sync,
{
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let threads = cores.min(MAX_THREADS).min(count.div_ceil(CHUNK)).max(1);
    let work = |(): &mut (), index| Ok::<_, std::convert::Infallible>(Some(work(index)));
    match in_parallel(count, threads, || (), work) {
        Ok(values) => values,
        Err(never) => match never {},
    }
}

/// Runs `work(state, i)` for every `i` in `0..count` on `threads` threads, each with its
/// own `state` from `init` (a thread-local repository handle and read buffer), and
/// returns the kept results ordered by `i`, as a serial loop would.
///
/// Threads claim chunks of indices in increasing order and finish each chunk they
/// claim, stopping only between chunks once any has failed. So the chunk holding the
/// lowest failing index is always run up to it, and the error returned is the one a
/// serial loop would have met first, whatever the timing.
pub(crate) fn in_parallel<S, T, E, I, W>(
    count: usize,
    threads: usize,
    init: I,
    work: W,
) -> Result<Vec<T>, E>
where
    T: Send,
    I: Fn() -> S + Sync,
    E: Send,
    W: Fn(&mut S, usize) -> Result<Option<T>, E> + Sync,
{
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let worker = || -> Result<Vec<(usize, T)>, (usize, E)> {
        let mut state = init();
        let mut kept = Vec::new();
        while !failed.load(Ordering::Relaxed) {
            let start = next.fetch_add(CHUNK, Ordering::Relaxed);
            if start >= count {
                break;
            }
            for index in start..(start + CHUNK).min(count) {
                match work(&mut state, index) {
                    Ok(Some(value)) => kept.push((index, value)),
                    Ok(None) => {}
                    Err(err) => {
                        failed.store(true, Ordering::Relaxed);
                        return Err((index, err));
                    }
                }
            }
        }
        Ok(kept)
    };
    let outcomes: Vec<_> = if threads <= 1 {
        vec![worker()]
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads).map(|_| scope.spawn(worker)).collect();
            let join = |h: std::thread::ScopedJoinHandle<'_, _>| {
                h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            };
            handles.into_iter().map(join).collect()
        })
    };
    let mut kept = Vec::new();
    let mut first_error: Option<(usize, E)> = None;
    for outcome in outcomes {
        match outcome {
            Ok(values) => kept.extend(values),
            Err((index, err)) => {
                if first_error.as_ref().is_none_or(|(first, _)| index < *first) {
                    first_error = Some((index, err));
                }
            }
        }
    }
    if let Some((_, err)) = first_error {
        return Err(err);
    }
    kept.sort_unstable_by_key(|(index, _)| *index);
    Ok(kept.into_iter().map(|(_, value)| value).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_parallel_reports_the_error_a_serial_loop_meets_first() {
        // One failure in each of the first four chunks: the four threads claim them at
        // once and all fail, in an order that the slow first indices leave to chance.
        let failing = [5, CHUNK + 5, 2 * CHUNK + 5, 3 * CHUNK + 5, 200];
        for _ in 0..5 {
            let outcome = in_parallel(
                300,
                4,
                || (),
                |(), index| {
                    if index < 4 * CHUNK {
                        std::thread::sleep(std::time::Duration::from_millis(1));
                    }
                    match failing.contains(&index) {
                        true => Err(format!("{index}: cannot read: bad")),
                        false => Ok(Some(index)),
                    }
                },
            );
            assert_eq!(outcome.unwrap_err(), "5: cannot read: bad");
        }
    }

    #[test]
    fn map_in_parallel_keeps_the_order_of_the_items() {
        assert_eq!(map_in_parallel(0, |i| i), Vec::<usize>::new());
        let squares = map_in_parallel(1000, |i| {
            if i % 97 == 0 {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            i * i
        });
        assert_eq!(squares, (0..1000).map(|i| i * i).collect::<Vec<_>>());
    }
}
